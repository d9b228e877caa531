"""EXT-LIMIT, EXT-INDIVIDUAL, REFI-INDIVIDUAL, RATING-STALE, FUND-USE."""

from __future__ import annotations

from checks_factory import AS_OF, flagged, make_loans, messages

from postloan_audit import Policy, run_checks

EXT_CASES = {
    # short term: original 2025-01-15 .. 2026-01-15 (12 months) -> limit 12
    "short_12": {"disbursement_date": "2025-01-15", "maturity_date": "2027-01-15",
                 "extension_months": 12},
    "short_13": {"disbursement_date": "2025-01-15", "maturity_date": "2027-02-15",
                 "extension_months": 13},
    # 12 months and a day is medium term -> limit half = 6
    "medium_edge_6": {"disbursement_date": "2025-01-15", "maturity_date": "2026-07-16",
                      "extension_months": 6},
    "medium_edge_7": {"disbursement_date": "2025-01-15", "maturity_date": "2026-08-16",
                      "extension_months": 7},
    # medium: 24 months -> limit 12
    "medium_12": {"disbursement_date": "2024-01-15", "maturity_date": "2027-01-15",
                  "extension_months": 12},
    "medium_13": {"disbursement_date": "2024-01-15", "maturity_date": "2027-02-15",
                  "extension_months": 13},
    # long: 84 months -> limit 36
    "long_36": {"disbursement_date": "2020-01-15", "maturity_date": "2030-01-15",
                "extension_months": 36},
    "long_37": {"disbursement_date": "2020-01-15", "maturity_date": "2030-02-15",
                "extension_months": 37},
    "not_extended": {"disbursement_date": "2020-01-15", "maturity_date": "2030-02-15"},
}


def test_ext_limit_flags_exactly_the_extensions_over_the_limit():
    loans = make_loans(EXT_CASES)
    assert flagged(loans, "EXT-LIMIT") == {"short_13", "medium_edge_7", "medium_13", "long_37"}
    got = messages(loans, "EXT-LIMIT")
    assert got["medium_13"] == ("原贷款期限24个月,累计展期13个月,上限12个月;"
                                "原期限12至60个月(含)的贷款累计展期不得超过原期限的50%")
    assert got["short_13"] == ("原贷款期限12个月,累计展期13个月,上限12个月;"
                               "原期限12个月以内(含)的贷款累计展期不得超过原期限")
    assert got["long_37"] == ("原贷款期限84个月,累计展期37个月,上限36个月;"
                              "原期限60个月以上的贷款累计展期不得超过36个月")


def test_ext_limit_long_term_cap_is_a_policy_value():
    policy = Policy.from_dict({"extension": {"long_term_limit_months": 24}})
    assert flagged(make_loans(EXT_CASES), "EXT-LIMIT", policy=policy) == {
        "short_13", "medium_edge_7", "medium_13", "long_36", "long_37"}


def test_ext_individual_and_refi_individual():
    loans = make_loans({
        "ind_ext": {"customer_type": "individual", "extension_months": 1},
        "ind_plain": {"customer_type": "individual"},
        "corp_ext": {"extension_months": 1, "refinanced": True},
        "ind_refi": {"customer_type": "individual", "refinanced": True},
    })
    assert flagged(loans, "EXT-INDIVIDUAL") == {"ind_ext"}
    assert flagged(loans, "REFI-INDIVIDUAL") == {"ind_refi"}
    assert messages(loans, "EXT-INDIVIDUAL")["ind_ext"] == "个人贷款累计展期1个月;个人贷款原则上不得展期"
    assert messages(loans, "REFI-INDIVIDUAL")["ind_refi"] == (
        "个人贷款办理了借新还旧;个人贷款不得办理借新还旧(产品设计中包含再融资安排的除外)")


def test_rating_stale_in_the_new_fiscal_year_after_the_grace():
    # 20 working days after 2025-12-31: 2026-01-29 (Jan 1-3 off, Sunday Jan 4 a make-up day)
    loans = make_loans({
        "this_year": {"rating_date": "2026-01-01"},
        "last_day_of_last_year": {"rating_date": "2025-12-31"},
        "none": {"rating_date": None},
        "future": {"rating_date": "2026-10-01"},
        "individual": {"customer_type": "individual", "rating_date": None},
        "repaid": {"balance": 0.0, "rating_date": None},
    })
    got = messages(loans, "RATING-STALE")
    assert got == {
        "last_day_of_last_year": ("最近一次信用评级2025-12-31;2026年度的信用评级应不晚于2026-01-29"
                                  "(新年度第20个工作日)完成,借款人信用评级应在每个新的会计年度内更新"),
        "none": ("无信用评级日期;2026年度的信用评级应不晚于2026-01-29(新年度第20个工作日)完成,"
                 "借款人信用评级应在每个新的会计年度内更新"),
        "future": ("无信用评级日期;2026年度的信用评级应不晚于2026-01-29(新年度第20个工作日)完成,"
                   "借款人信用评级应在每个新的会计年度内更新"),
    }
    report = run_checks(loans, as_of=AS_OF, rules=["RATING-STALE"])
    row = report.findings.iloc[0]
    assert (str(row["due_date"].date()), row["days_late"]) == ("2026-01-29", 244)


def test_rating_stale_last_years_rating_serves_until_the_grace_has_passed():
    loans = make_loans({
        "rated_2025": {"rating_date": "2025-03-01"},
        "rated_2024": {"rating_date": "2024-12-31"},
    })
    # on the 20th working day the 2025 rating still serves; the 2024 one was never renewed for
    # 2025 (its 20th working day: 2025-02-05, after the Spring Festival of Jan 28-Feb 4)
    assert messages(loans, "RATING-STALE", as_of="2026-01-29") == {
        "rated_2024": ("最近一次信用评级2024-12-31;2025年度的信用评级应不晚于2025-02-05"
                       "(新年度第20个工作日)完成,借款人信用评级应在每个新的会计年度内更新")}
    assert flagged(loans, "RATING-STALE", as_of="2026-01-30") == {"rated_2025", "rated_2024"}
    longer = Policy.from_dict({"rating": {"grace_working_days": 21}})
    assert flagged(loans, "RATING-STALE", as_of="2026-01-30", policy=longer) == {"rated_2024"}


def test_fund_use_both_sides_of_one_month():
    loans = make_loans({
        "in": {"payment_method": "self", "disbursement_date": "2026-08-30"},
        "out": {"payment_method": "self", "disbursement_date": "2026-08-29"},
        "checked": {"payment_method": "self", "disbursement_date": "2026-01-01",
                    "fund_use_check_date": "2026-01-20"},
        "entrusted": {"disbursement_date": "2026-01-01"},
    })
    assert flagged(loans, "FUND-USE") == {"out"}
    assert messages(loans, "FUND-USE")["out"] == (
        "自主支付贷款,发放日2026-08-29,距检查日32天,未见资金用途核查记录;"
        "自主支付贷款应在发放后1个月内核查贷款资金是否按约定用途使用")
    report = run_checks(loans, as_of=AS_OF, rules=["FUND-USE"])
    assert str(report.findings["due_date"].iloc[0].date()) == "2026-09-29"
    assert report.findings["days_late"].iloc[0] == 1


def test_lending_rules_not_run_without_their_columns():
    loans = make_loans({"a": {}}, drop=["extension_months", "rating_date", "payment_method"])
    report = run_checks(loans, as_of=AS_OF,
                        rules=["EXT-LIMIT", "EXT-INDIVIDUAL", "RATING-STALE", "FUND-USE",
                               "REFI-INDIVIDUAL"])
    assert list(report.not_run["rule_id"]) == ["EXT-LIMIT", "EXT-INDIVIDUAL", "RATING-STALE",
                                               "FUND-USE"]
    assert report.rules_run == ("REFI-INDIVIDUAL",)


def test_fund_use_check_must_follow_disbursement():
    self_paid = {"payment_method": "self", "disbursement_date": "2026-03-01"}
    loans = make_loans({
        "before": {**self_paid, "fund_use_check_date": "2026-02-20"},
        "same_day": {**self_paid, "fund_use_check_date": "2026-03-01"},
        "after_d": {**self_paid, "fund_use_check_date": "2026-10-05"},
    })
    got = messages(loans, "FUND-USE")
    assert got == {
        "before": ("自主支付贷款,发放日2026-03-01,距检查日213天,资金用途核查日期2026-02-20早于发放日,"
                   "不是发放后的核查;自主支付贷款应在发放后1个月内核查贷款资金是否按约定用途使用"),
        "after_d": ("自主支付贷款,发放日2026-03-01,距检查日213天,未见资金用途核查记录;"
                    "自主支付贷款应在发放后1个月内核查贷款资金是否按约定用途使用"),
    }


def test_lending_rules_skip_settled_loans():
    settled = {"balance": 0.0}
    loans = make_loans({
        "ext_settled": {**settled, "disbursement_date": "2025-01-01",
                        "maturity_date": "2027-01-01", "extension_months": 13},
        "ind_ext_settled": {**settled, "customer_type": "individual", "extension_months": 3},
        "ind_refi_settled": {**settled, "customer_type": "individual", "refinanced": True},
        "ind_refi_active": {"customer_type": "individual", "refinanced": True},
        "ext_active": {"disbursement_date": "2025-01-01", "maturity_date": "2027-01-01",
                       "extension_months": 13},
    })
    assert flagged(loans, "EXT-LIMIT") == {"ext_active"}
    assert flagged(loans, "EXT-INDIVIDUAL") == set()
    assert flagged(loans, "REFI-INDIVIDUAL") == {"ind_refi_active"}
