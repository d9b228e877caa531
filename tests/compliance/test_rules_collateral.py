"""COLLAT-INSP, COLLAT-REVAL, COLLAT-DROP."""

from __future__ import annotations

from checks_factory import AS_OF, flagged, make_loans, messages

from postloan_audit import Policy, run_checks

LONG = {"disbursement_date": "2024-01-15", "maturity_date": "2027-01-15"}

INSP_CASES = {
    "in": {**LONG, "collateral_inspection_date": "2025-09-30"},
    "out": {**LONG, "collateral_inspection_date": "2025-09-29"},
    "never": {**LONG, "collateral_inspection_date": None},
    "one_year_term": {"disbursement_date": "2025-01-15", "maturity_date": "2026-01-15",
                      "collateral_inspection_date": None},
    "extended_one_year": {"disbursement_date": "2025-01-15", "maturity_date": "2026-07-15",
                          "extension_months": 6, "collateral_inspection_date": None},
    "young_in": {"disbursement_date": "2025-09-30", "maturity_date": "2028-09-30",
                 "collateral_inspection_date": None},
    "young_out": {"disbursement_date": "2025-09-29", "maturity_date": "2028-09-29",
                  "collateral_inspection_date": None},
    "pledge_out": {**LONG, "guarantee_type": "pledge", "collateral_inspection_date": None},
    "guaranteed": {**LONG, "guarantee_type": "guarantee", "collateral_inspection_date": None},
}


def test_collat_insp_flags_exactly_the_uninspected_collateral():
    loans = make_loans(INSP_CASES)
    assert flagged(loans, "COLLAT-INSP") == {"out", "never", "young_out", "pledge_out"}
    got = messages(loans, "COLLAT-INSP")
    assert got["out"] == ("押品最近一次现场检查2025-09-29,距检查日366天;"
                          "期限12个月以上的抵质押贷款应每12个月至少现场检查一次押品")
    assert got["never"].startswith("发放日2024-01-15,无押品现场检查记录;")


def test_collat_reval_both_sides_and_policy():
    loans = make_loans({
        "in": {"collateral_appraisal_date": "2025-09-30"},
        "out": {"collateral_appraisal_date": "2025-09-29"},
        "none": {"collateral_appraisal_date": None},
        "guaranteed": {"guarantee_type": "guarantee", "collateral_appraisal_date": None},
    })
    assert flagged(loans, "COLLAT-REVAL") == {"out", "none"}
    policy = Policy.from_dict({"collateral": {"revaluation_months": 6}})
    loans = make_loans({"m6": {"collateral_appraisal_date": "2026-03-29"},
                        "m6_in": {"collateral_appraisal_date": "2026-03-30"}})
    assert flagged(loans, "COLLAT-REVAL", policy=policy) == {"m6"}


DROP_CASES = {
    "at_90": {"collateral_value": 90.0, "collateral_initial_value": 100.0},
    "below_90": {"collateral_value": 89.99, "collateral_initial_value": 100.0},
    "topped_up": {"collateral_value": 50.0, "collateral_initial_value": 100.0,
                  "additional_guarantee": True},
    "no_initial": {"collateral_value": 50.0, "collateral_initial_value": None},
    "at_94": {"collateral_value": 94.0, "collateral_initial_value": 100.0},
}


def test_collat_drop_both_sides_of_ten_percent():
    loans = make_loans(DROP_CASES)
    assert flagged(loans, "COLLAT-DROP") == {"below_90"}
    loans = make_loans({"x": {"collateral_value": 800_000.0,
                              "collateral_initial_value": 1_000_000.0}})
    assert messages(loans, "COLLAT-DROP")["x"] == (
        "押品价值80.00万元,较初始价值100.00万元下降20.00%,超过10%;未追加担保")
    policy = Policy.from_dict({"collateral": {"value_drop_share": 0.05}})
    assert flagged(make_loans(DROP_CASES), "COLLAT-DROP", policy=policy) == {
        "at_90", "below_90", "at_94"}


def test_collat_drop_without_additional_guarantee_column_warns():
    loans = make_loans(DROP_CASES, drop=["additional_guarantee"])
    report = run_checks(loans, as_of=AS_OF, rules=["COLLAT-DROP"])
    assert set(report.findings["loan_id"]) == {"below_90", "topped_up"}
    assert report.warnings[0].startswith("COLLAT-DROP:未提供“已追加担保”列")


def test_collateral_rules_not_run_without_their_columns():
    loans = make_loans({"a": {}}, drop=["collateral_inspection_date",
                                        "collateral_appraisal_date", "collateral_value"])
    report = run_checks(loans, as_of=AS_OF, rules=["COLLAT-INSP", "COLLAT-REVAL",
                                                   "COLLAT-DROP"])
    assert list(report.not_run["rule_id"]) == ["COLLAT-INSP", "COLLAT-REVAL", "COLLAT-DROP"]


SHORT = {"disbursement_date": "2025-08-01", "maturity_date": "2026-08-01",
         "collateral_inspection_date": None}


def test_collat_insp_short_term_exemption_only_in_the_normal_case():
    loans = make_loans({
        "short_normal": dict(SHORT),
        "short_overdue": {**SHORT, "overdue_days": 5},
        "short_npl": {**SHORT, "classification": "substandard", "overdue_days": 100},
        "short_unsecured_overdue": {**SHORT, "overdue_days": 5, "guarantee_type": "guarantee"},
    })
    got = messages(loans, "COLLAT-INSP")
    rule = ";逾期或非正常类的抵质押贷款(含期限12个月以内)应每12个月至少现场检查一次押品"
    assert got == {"short_overdue": "发放日2025-08-01,无押品现场检查记录" + rule,
                   "short_npl": "发放日2025-08-01,无押品现场检查记录" + rule}


def test_collat_drop_only_outstanding_collateral_loans():
    dropped = {"collateral_value": 800_000.0, "collateral_initial_value": 1_000_000.0}
    loans = make_loans({
        "active_mortgage": dict(dropped),
        "active_pledge": {**dropped, "guarantee_type": "pledge"},
        "settled_mortgage": {**dropped, "balance": 0.0},
        "guaranteed": {**dropped, "guarantee_type": "guarantee"},
        "credit": {**dropped, "guarantee_type": "credit"},
    })
    assert flagged(loans, "COLLAT-DROP") == {"active_mortgage", "active_pledge"}
