"""COLL-TIER, COLL-NPL, MAT-NOTICE, MAT-COLLECT, INT-COLLECT, DATA-OVERDUE."""

from __future__ import annotations

from checks_factory import AS_OF, flagged, make_loans, make_sheet, messages

from postloan_audit import Extract, Policy, run_checks

IND = {"customer_type": "individual"}


def _c(od: int, date: str | None, method: str | None, **more) -> dict:
    return {**IND, "overdue_days": od, "last_collection_date": date,
            "last_collection_method": method, **more}


TIER_CASES = {
    "od30_phone": _c(30, "2026-09-10", "phone"),
    "od30_none": _c(30, None, None),
    "od30_before_start": _c(30, "2026-08-30", "phone"),
    "od30_on_start": _c(30, "2026-08-31", "sms"),
    "od60_sms": _c(60, "2026-09-01", "sms"),
    "od61_phone": _c(61, "2026-09-01", "phone"),
    "od61_visit": _c(61, "2026-09-01", "visit"),
    "od90_visit": _c(90, "2026-09-01", "visit"),
    "od91_visit": _c(91, "2026-09-01", "visit"),
    "od91_legal": _c(91, "2026-09-01", "legal"),
    "od91_litigation": _c(91, "2026-09-01", "visit", litigation=True),
    "corp_od91": {"overdue_days": 91},
    "od0": _c(0, None, None),
}


def test_coll_tier_flags_exactly_the_under_collected_loans():
    loans = make_loans(TIER_CASES)
    assert flagged(loans, "COLL-TIER") == {"od30_none", "od30_before_start", "od61_phone",
                                           "od91_visit"}
    got = messages(loans, "COLL-TIER")
    assert got["od61_phone"] == ("逾期61天,逾期以来最强催收方式为短信、电话或信函催收;"
                                 "逾期60至90天(含)应约见借款人或实地催收")
    assert got["od30_none"] == "逾期30天,逾期以来无催收记录;逾期60天(含)以内应进行短信、电话或催收函催收"


def test_coll_tier_collections_sheet_takes_precedence():
    loans = make_loans({
        "sheet_visit": _c(75, "2026-09-01", "sms"),
        "sheet_old_visit": _c(75, "2026-09-01", "visit"),
    })
    sheet = make_sheet([("sheet_visit", "2026-09-05", "visit"),
                        ("sheet_old_visit", "2026-05-01", "visit"),
                        ("sheet_old_visit", "2026-09-02", "phone")],
                       ["loan_id", "collection_date", "method"])
    assert flagged(Extract(loans=loans, collections=sheet), "COLL-TIER") == {"sheet_old_visit"}


def test_coll_tier_tiers_are_policy_values():
    loans = make_loans({"doubtful30": _c(30, "2026-09-10", "phone", classification="doubtful"),
                        "od50": _c(50, "2026-09-10", "phone")})
    # doubtful loans require legal action by default (003 第四十九条(六))
    assert flagged(loans, "COLL-TIER") == {"doubtful30"}
    policy = Policy.from_dict({"collection": {"doubtful_requires_legal": False,
                                              "any_collection_max_days": 45}})
    assert flagged(loans, "COLL-TIER", policy=policy) == {"od50"}
    policy = Policy.from_dict({"collection": {"any_collection_max_days": 45}})
    assert flagged(loans, "COLL-TIER", policy=policy) == {"doubtful30", "od50"}


def test_coll_tier_not_run_without_collection_method():
    report = run_checks(make_loans({"a": {}}, drop=["last_collection_method"]), as_of=AS_OF,
                        rules=["COLL-TIER"])
    assert list(report.not_run["rule_id"]) == ["COLL-TIER"]
    assert "last_collection_method" in report.not_run["reason"].iloc[0]


def test_coll_npl_both_sides_of_one_month():
    loans = make_loans({
        "in": {"classification": "substandard", "last_collection_date": "2026-08-30"},
        "out": {"classification": "doubtful", "last_collection_date": "2026-08-29"},
        "never": {"classification": "loss"},
        "performing": {"classification": "special_mention"},
        "repaid": {"classification": "loss", "balance": 0.0},
    })
    assert flagged(loans, "COLL-NPL") == {"out", "never"}
    got = messages(loans, "COLL-NPL")
    assert got["out"] == "最近一次催收2026-08-29,距检查日32天;不良贷款催收频度不低于每1个月一次"
    assert got["never"] == "无催收记录;不良贷款催收频度不低于每1个月一次"
    sheet = make_sheet([("never", "2026-09-15", "phone")], ["loan_id", "collection_date",
                                                            "method"])
    assert flagged(Extract(loans=loans, collections=sheet), "COLL-NPL") == {"out"}


MAT_NOTICE_CASES = {
    "due_today": {"maturity_date": "2026-10-30"},
    "due_yesterday": {"maturity_date": "2026-10-29"},
    "notice_on_time": {"maturity_date": "2026-10-29", "maturity_notice_date": "2026-09-29"},
    "notice_late": {"maturity_date": "2026-10-29", "maturity_notice_date": "2026-09-30"},
    "month_end_ok": {"maturity_date": "2026-03-31", "maturity_notice_date": "2026-02-28",
                     "collection_notice_date": "2026-04-01"},
    "month_end_late": {"maturity_date": "2026-03-31", "maturity_notice_date": "2026-03-01"},
    "installment": {"maturity_date": "2026-10-01", "repayment_method": "installment"},
}


def test_mat_notice_flags_exactly_the_missing_or_late_notices():
    loans = make_loans(MAT_NOTICE_CASES)
    # a corporate instalment loan needs the notice before its final maturity too
    assert flagged(loans, "MAT-NOTICE") == {"due_yesterday", "notice_late", "month_end_late",
                                            "installment"}
    got = messages(loans, "MAT-NOTICE")
    assert got["notice_late"] == ("到期日2026-10-29,到期通知应不晚于2026-09-29发出;"
                                  "到期通知日期2026-09-30,晚于应通知日1天;"
                                  "应在贷款到期日前1个月发送贷款到期通知书")


def test_mat_collect_tenth_working_day_after_national_day():
    # maturity 2026-09-30; National Day Oct 1-7, Sat Oct 10 a make-up working day:
    # the 10th working day after maturity is 2026-10-20
    loans = make_loans({
        "none": {"maturity_date": "2026-09-30"},
        "on_deadline": {"maturity_date": "2026-09-30", "collection_notice_date": "2026-10-20"},
        "after_deadline": {"maturity_date": "2026-09-30",
                           "collection_notice_date": "2026-10-21"},
        "before_maturity": {"maturity_date": "2026-09-30",
                            "collection_notice_date": "2026-09-29"},
        "repaid": {"maturity_date": "2026-09-30", "balance": 0.0},
    })
    assert flagged(loans, "MAT-COLLECT", as_of="2026-10-20") == set()
    assert flagged(loans, "MAT-COLLECT", as_of="2026-10-21") == {"none", "before_maturity",
                                                                 "after_deadline"}
    got = messages(loans, "MAT-COLLECT", as_of="2026-10-22")
    assert got["none"] == ("到期日2026-09-30贷款未收回,催收通知应不晚于2026-10-20"
                           "(到期后第10个工作日)发出;未见催收通知记录")
    report = run_checks(loans, as_of="2026-10-22", rules=["MAT-COLLECT"])
    assert report.warnings == ()
    assert sorted(report.findings["days_late"].tolist()) == [1, 2, 2]


def test_mat_collect_spring_festival_with_make_up_days():
    # maturity Thu 2026-02-12: Feb 13, Sat Feb 14 (make-up), Feb 24-27, Sat Feb 28 (make-up),
    # Mar 2, 3, 4 -> deadline 2026-03-04
    loans = make_loans({
        "ok": {"maturity_date": "2026-02-12", "collection_notice_date": "2026-03-04"},
        "late": {"maturity_date": "2026-02-12", "collection_notice_date": "2026-03-05"},
    })
    assert flagged(loans, "MAT-COLLECT", as_of="2026-03-04") == set()
    assert flagged(loans, "MAT-COLLECT", as_of="2026-03-06") == {"late"}


def test_mat_collect_2027_falls_back_to_weekdays_with_a_warning():
    loans = make_loans({"dec": {"maturity_date": "2026-12-28"}})
    report = run_checks(loans, as_of="2027-01-12", rules=["MAT-COLLECT"])
    assert list(report.findings["loan_id"]) == ["dec"]
    assert str(report.findings["due_date"].iloc[0].date()) == "2027-01-11"
    assert report.warnings[0].startswith("工作日历未覆盖2027年")
    assert flagged(loans, "MAT-COLLECT", as_of="2027-01-11") == set()


def test_mat_collect_working_days_are_a_policy_value():
    loans = make_loans({"m": {"maturity_date": "2026-09-30",
                              "collection_notice_date": "2026-10-21"}})
    policy = Policy.from_dict({"maturity": {"collection_notice_working_days": 11}})
    assert flagged(loans, "MAT-COLLECT", as_of="2026-11-30") == {"m"}
    assert flagged(loans, "MAT-COLLECT", as_of="2026-11-30", policy=policy) == set()


def test_data_overdue_both_sides():
    loans = make_loans({
        "ok": {"maturity_date": "2026-09-20", "overdue_days": 10},
        "short": {"maturity_date": "2026-09-20", "overdue_days": 9},
        "matures_today": {"maturity_date": "2026-09-30"},
        "installment": {"maturity_date": "2026-09-20", "repayment_method": "installment"},
    })
    assert flagged(loans, "DATA-OVERDUE") == {"short"}
    assert messages(loans, "DATA-OVERDUE")["short"] == (
        "到期日2026-09-20,至检查日已过10天,台账逾期天数为9天;未展期的贷款自到期次日起即为逾期")


def test_coll_tier_doubtful_loans_need_legal_action_whatever_their_overdue_days():
    loans = make_loans({
        "doubtful_current_phone": _c(0, "2026-09-10", "phone", classification="doubtful"),
        "doubtful_current_none": _c(0, None, None, classification="doubtful"),
        "doubtful_current_legal": _c(0, "2025-12-10", "legal", classification="doubtful"),
        "doubtful_litigation": _c(0, None, None, classification="doubtful", litigation=True),
        "doubtful_od30_visit": _c(30, "2026-09-10", "visit", classification="doubtful"),
        "substandard_current": _c(0, "2026-09-10", "phone", classification="substandard"),
        "loss_current": _c(0, "2026-09-10", "phone", classification="loss"),
    })
    got = messages(loans, "COLL-TIER")
    assert got == {
        "doubtful_current_phone": ("可疑类贷款,未逾期,最强催收方式为短信、电话或信函催收;"
                                   "按规定划为可疑类的贷款原则上应采用法律手段清收"),
        "doubtful_current_none": "可疑类贷款,未逾期,无催收记录;按规定划为可疑类的贷款原则上应采用法律手段清收",
        "doubtful_od30_visit": ("逾期30天,逾期以来最强催收方式为约见或上门催收;"
                                "按规定划为可疑类的贷款原则上应采用法律手段清收"),
    }
    off = Policy.from_dict({"collection": {"doubtful_requires_legal": False}})
    assert flagged(loans, "COLL-TIER", policy=off) == set()


def test_mat_notice_individual_bullet_loans_need_a_notice_before_maturity():
    ind = {"customer_type": "individual"}
    loans = make_loans({
        # wrongly flagged before: the corporate one-month rule applied to individuals
        "ind_due_in_20_days": {**ind, "maturity_date": "2026-10-20"},
        "ind_matures_today": {**ind, "maturity_date": "2026-09-30"},
        "ind_matured": {**ind, "maturity_date": "2026-09-29"},
        "ind_on_maturity_day": {**ind, "maturity_date": "2026-09-20",
                                "maturity_notice_date": "2026-09-20"},
        "ind_day_after": {**ind, "maturity_date": "2026-09-20",
                          "maturity_notice_date": "2026-09-21"},
        "ind_installment": {**ind, "maturity_date": "2026-09-01",
                            "repayment_method": "installment"},
    })
    # "到期前": by default a notice at least one day before maturity; on the day is late
    got = messages(loans, "MAT-NOTICE")
    assert got == {
        "ind_matures_today": ("到期日2026-09-30,到期通知应不晚于2026-09-29发出;未见到期通知记录;"
                              "一次性还本的个人贷款应在到期日前1天通知借款人、担保人"),
        "ind_matured": ("到期日2026-09-29,到期通知应不晚于2026-09-28发出;未见到期通知记录;"
                        "一次性还本的个人贷款应在到期日前1天通知借款人、担保人"),
        "ind_on_maturity_day": ("到期日2026-09-20,到期通知应不晚于2026-09-19发出;"
                                "到期通知日期2026-09-20,晚于应通知日1天;"
                                "一次性还本的个人贷款应在到期日前1天通知借款人、担保人"),
        "ind_day_after": ("到期日2026-09-20,到期通知应不晚于2026-09-19发出;"
                          "到期通知日期2026-09-21,晚于应通知日2天;"
                          "一次性还本的个人贷款应在到期日前1天通知借款人、担保人"),
    }
    on_the_day = Policy.from_dict({"maturity": {"individual_notice_days_before": 0}})
    assert messages(loans, "MAT-NOTICE", policy=on_the_day) == {
        "ind_matured": ("到期日2026-09-29,到期通知应不晚于2026-09-29发出;未见到期通知记录;"
                        "一次性还本的个人贷款应在到期前(不晚于到期日)通知借款人、担保人"),
        "ind_day_after": ("到期日2026-09-20,到期通知应不晚于2026-09-20发出;"
                          "到期通知日期2026-09-21,晚于应通知日1天;"
                          "一次性还本的个人贷款应在到期前(不晚于到期日)通知借款人、担保人"),
    }
    ten = Policy.from_dict({"maturity": {"individual_notice_days_before": 10}})
    got = messages(loans, "MAT-NOTICE", policy=ten)
    assert set(got) == {"ind_matures_today", "ind_matured", "ind_on_maturity_day",
                        "ind_day_after"}
    assert got["ind_matures_today"] == ("到期日2026-09-30,到期通知应不晚于2026-09-20发出;"
                                        "未见到期通知记录;一次性还本的个人贷款应在到期日前10天"
                                        "通知借款人、担保人")
    # 2026-10-10 − 10 days = 09-30 = D: on time; 10-09 − 10 days = 09-29: late
    edge = make_loans({"d0": {**ind, "maturity_date": "2026-10-10"},
                       "d1": {**ind, "maturity_date": "2026-10-09"}})
    assert flagged(edge, "MAT-NOTICE", policy=ten) == {"d1"}


def test_mat_notice_corporate_instalment_loans_before_final_maturity():
    loans = make_loans({
        "inst_notice_ok": {"repayment_method": "installment", "maturity_date": "2026-10-15",
                           "maturity_notice_date": "2026-09-15"},
        "inst_none": {"repayment_method": "installment", "maturity_date": "2026-10-15"},
    })
    assert messages(loans, "MAT-NOTICE") == {
        "inst_none": ("到期日2026-10-15,到期通知应不晚于2026-09-15发出;未见到期通知记录;"
                      "应在贷款到期日前1个月发送贷款到期通知书")}


MATURED = {"maturity_date": "2026-09-30", "guarantee_type": "guarantee",
           "collection_notice_date": "2026-10-10"}


def test_mat_collect_guaranteed_loans_need_the_guarantor_notice_too():
    # deadline: 10th working day after 2026-09-30 is 2026-10-20
    loans = make_loans({
        "g_missing": {**MATURED, "guarantor_notice_date": None},
        "g_on_deadline": {**MATURED, "guarantor_notice_date": "2026-10-20"},
        "g_late": {**MATURED, "guarantor_notice_date": "2026-10-21"},
        "g_both_missing": {**MATURED, "collection_notice_date": None,
                           "guarantor_notice_date": None},
        "mortgage_no_guarantor": {**MATURED, "guarantee_type": "mortgage",
                                  "guarantor_notice_date": None},
    })
    report = run_checks(loans, as_of="2026-10-22", rules=["MAT-COLLECT"])
    f = report.findings
    got = dict(zip(f["loan_id"], f["message"], strict=True))
    head = ("到期日2026-09-30贷款未收回,催收通知书和履行担保责任通知书应不晚于2026-10-20"
            "(到期后第10个工作日)发出;")
    assert got == {
        "g_missing": head + "未见履行担保责任通知书记录",
        "g_late": head + "履行担保责任通知书日期2026-10-21,不在到期日至2026-10-20之间",
        "g_both_missing": head + "未见催收通知记录;未见履行担保责任通知书记录",
    }
    late = dict(zip(f["loan_id"], f["days_late"], strict=True))
    assert late == {"g_missing": 2, "g_late": 1, "g_both_missing": 2}
    # without the column the guarantor notice cannot be checked: the borrower's notice suffices
    without = make_loans({"g": dict(MATURED)})
    assert "guarantor_notice_date" not in without.columns
    assert flagged(without, "MAT-COLLECT", as_of="2026-10-22") == set()


def test_mat_collect_and_coll_npl_apply_to_corporate_loans_unless_the_policy_extends_them():
    matured = {"maturity_date": "2026-09-01", "overdue_days": 29}
    npl = {"classification": "substandard", "last_collection_date": "2026-06-01"}
    loans = make_loans({
        "corp": matured, "indiv": {**matured, "customer_type": "individual"},
        "unknown_type": {**matured, "customer_type": None},
        "corp_npl": npl, "indiv_npl": {**npl, "customer_type": "individual"},
    })
    assert flagged(loans, "MAT-COLLECT") == {"corp", "unknown_type"}
    assert flagged(loans, "COLL-NPL") == {"corp_npl"}
    wide = Policy.from_dict({"maturity": {"collect_individual": True},
                             "collection": {"npl_individual": True}})
    assert flagged(loans, "MAT-COLLECT", policy=wide) == {"corp", "indiv", "unknown_type"}
    assert flagged(loans, "COLL-NPL", policy=wide) == {"corp_npl", "indiv_npl"}


# --------------------------------------------------------------------------- INT-COLLECT
# 2026-09-30 + 5 working days: National Day runs Oct 1-7, so Oct 8, 9, 10 (a make-up Saturday),
# 12 and 13: the notice is due by 2026-10-13.
ARREARS = {"interest_overdue_since": "2026-09-30"}


def test_int_collect_fifth_working_day_after_national_day():
    loans = make_loans({
        "on_deadline": {**ARREARS, "collection_notice_date": "2026-10-13"},
        "a_day_late": {**ARREARS, "collection_notice_date": "2026-10-14"},
        "none": ARREARS,
        "before_arrears": {**ARREARS, "collection_notice_date": "2026-09-29"},
        "individual": {**ARREARS, "customer_type": "individual"},
        "no_arrears": {},
        "repaid": {**ARREARS, "balance": 0.0},
    })
    assert flagged(loans, "INT-COLLECT", as_of="2026-10-13") == set()
    assert flagged(loans, "INT-COLLECT", as_of="2026-10-14") == {"a_day_late", "none",
                                                                "before_arrears"}
    got = messages(loans, "INT-COLLECT", as_of="2026-10-20")
    assert got["none"] == ("欠息起始日2026-09-30,贷款催收通知书应不晚于2026-10-13(收息日后第5个"
                           "工作日)发出;未见催收通知记录")
    assert got["before_arrears"] == ("欠息起始日2026-09-30,贷款催收通知书应不晚于2026-10-13(收息日后"
                                     "第5个工作日)发出;催收通知日期2026-09-29,不在欠息起始日至"
                                     "2026-10-13之间")
    report = run_checks(loans, as_of="2026-10-20", rules=["INT-COLLECT"])
    late = dict(zip(report.findings["loan_id"], report.findings["days_late"], strict=True))
    assert late == {"a_day_late": 1, "none": 7, "before_arrears": 7}


def test_int_collect_spring_festival_and_the_policy_days():
    # 2026-02-13 + 5 working days: Feb 14 (make-up Saturday), 24, 25, 26, 27 (Feb 15-23 off)
    loans = make_loans({
        "in": {"interest_overdue_since": "2026-02-13", "collection_notice_date": "2026-02-27"},
        "out": {"interest_overdue_since": "2026-02-13", "collection_notice_date": "2026-02-28"},
    })
    assert flagged(loans, "INT-COLLECT", as_of="2026-03-31") == {"out"}
    six = Policy.from_dict({"maturity": {"interest_notice_working_days": 6}})
    assert flagged(loans, "INT-COLLECT", as_of="2026-03-31", policy=six) == set()
    report = run_checks(make_loans({"x": {}}, drop=["interest_overdue_since"]), as_of=AS_OF,
                        rules=["INT-COLLECT"])
    assert report.not_run["reason"].tolist() == [
        "缺少所需数据:列 interest_overdue_since(欠息起始日) / missing data: column"
        " interest_overdue_since"]
