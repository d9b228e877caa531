"""INSP-FREQ, INSP-FIRST and EXIT-VISIT: exact loans flagged on both sides of each threshold.

Check date 2026-09-30 unless stated: "+ n months < D" means a last date of 2026-03-30 plus six
months (2026-09-30) is on time and 2026-03-29 is one day late.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks_factory import AS_OF, flagged, make_loans, make_sheet, messages

from postloan_audit import Extract, Policy, run_checks

NPL = "substandard"
SM = "special_mention"

INSP_FREQ_CASES = {
    "reg_normal_in": {"last_inspection_date": "2026-03-30"},
    "reg_normal_out": {"last_inspection_date": "2026-03-29"},
    "reg_sm_in": {"classification": SM, "last_inspection_date": "2026-06-30"},
    "reg_sm_out": {"classification": SM, "last_inspection_date": "2026-06-29"},
    "reg_npl_in": {"classification": NPL, "last_inspection_date": "2026-08-30"},
    "reg_npl_out": {"classification": NPL, "last_inspection_date": "2026-08-29"},
    "key_normal_in": {"management_mode": "key", "last_inspection_date": "2026-06-30"},
    "key_normal_out": {"management_mode": "key", "last_inspection_date": "2026-06-29"},
    "key_sm_in": {"management_mode": "key", "classification": SM,
                  "last_inspection_date": "2026-08-30"},
    "key_sm_out": {"management_mode": "key", "classification": SM,
                   "last_inspection_date": "2026-08-29"},
    "key_loss_out": {"management_mode": "key", "classification": "loss",
                     "last_inspection_date": "2026-08-29"},
    "indiv_in": {"customer_type": "individual", "last_inspection_date": "2026-03-30"},
    "indiv_out": {"customer_type": "individual", "last_inspection_date": "2026-03-29"},
    "indiv_installment": {"customer_type": "individual", "repayment_method": "installment",
                          "last_inspection_date": "2024-01-01"},
    "litigation": {"classification": NPL, "litigation": True, "last_inspection_date": None},
    "never_disb_in": {"last_inspection_date": None, "disbursement_date": "2026-03-30"},
    "never_disb_out": {"last_inspection_date": None, "disbursement_date": "2026-03-29"},
    "repaid": {"balance": 0.0, "last_inspection_date": "2024-01-01"},
    "future_date_ignored": {"last_inspection_date": "2026-10-05",
                            "disbursement_date": "2026-01-10"},
    "mode_blank_out": {"management_mode": None, "last_inspection_date": "2026-03-29"},
    "month_end_in": {"classification": SM, "last_inspection_date": "2026-06-30"},
}


def test_insp_freq_flags_exactly_the_late_loans():
    loans = make_loans(INSP_FREQ_CASES)
    # "litigation" is a corporate NPL loan: only NPL individual loans in litigation are exempt
    assert flagged(loans, "INSP-FREQ") == {
        "reg_normal_out", "reg_sm_out", "reg_npl_out", "key_normal_out", "key_sm_out",
        "key_loss_out", "indiv_out", "never_disb_out", "future_date_ignored", "mode_blank_out",
        "litigation"}


def test_insp_freq_messages_state_the_facts():
    loans = make_loans(INSP_FREQ_CASES)
    got = messages(loans, "INSP-FREQ")
    assert got["reg_normal_out"] == ("最近一次贷后检查2026-03-29,距检查日185天;"
                                     "常规管理正常类贷款应每6个月至少检查一次")
    assert got["key_sm_out"] == ("最近一次贷后检查2026-08-29,距检查日32天;"
                                 "重点管理关注类贷款应每1个月至少检查一次")
    assert got["indiv_out"] == ("最近一次贷后检查2026-03-29,距检查日185天;"
                                "个人贷款应每6个月至少检查一次")
    assert got["never_disb_out"] == ("无贷后检查记录,发放日2026-03-29,距检查日185天;"
                                     "常规管理正常类贷款应每6个月至少检查一次")
    assert got["mode_blank_out"].endswith("(管理方式缺失,按常规管理)")


def test_insp_freq_due_date_and_days_late():
    loans = make_loans({"a": {"last_inspection_date": "2026-01-15"}})
    report = run_checks(loans, as_of="2026-09-23", rules=["INSP-FREQ"])
    row = report.findings.iloc[0]
    assert row["message"] == ("最近一次贷后检查2026-01-15,距检查日251天;"
                              "常规管理正常类贷款应每6个月至少检查一次")
    assert str(row["due_date"].date()) == "2026-07-15"
    assert row["days_late"] == 70


def test_insp_freq_month_end_clamping():
    # 2026-03-31 + 6 months = 2026-09-30 (clamped): on time on 09-30, late on 10-01
    loans = make_loans({"m": {"last_inspection_date": "2026-03-31"}})
    assert flagged(loans, "INSP-FREQ", as_of="2026-09-30") == set()
    assert flagged(loans, "INSP-FREQ", as_of="2026-10-01") == {"m"}
    # 2025-08-31 + 6 months = 2026-02-28
    loans = make_loans({"f": {"last_inspection_date": "2025-08-31"}})
    assert flagged(loans, "INSP-FREQ", as_of="2026-02-28") == set()
    assert flagged(loans, "INSP-FREQ", as_of="2026-03-01") == {"f"}


def test_insp_freq_inspections_sheet_takes_precedence_and_ignores_future_rows():
    loans = make_loans({
        "sheet_recent": {"last_inspection_date": "2025-01-01"},
        "sheet_future_only": {"last_inspection_date": "2026-09-01",
                              "disbursement_date": "2026-05-01"},
        "sheet_old": {"last_inspection_date": "2026-09-01"},
    })
    inspections = make_sheet([
        ("sheet_recent", "2026-09-10", "onsite"),
        ("sheet_recent", "2026-04-01", "offsite"),
        ("sheet_future_only", "2026-10-08", "onsite"),
        ("sheet_old", "2026-01-10", "onsite"),
        ("unknown_loan", "2020-01-01", "onsite"),
    ], ["loan_id", "inspection_date", "inspection_type"])
    extract = Extract(loans=loans, inspections=inspections)
    assert flagged(extract, "INSP-FREQ") == {"sheet_old"}


def test_insp_freq_policy_tightens_and_loosens():
    loans = make_loans({
        "i3_in": {"customer_type": "individual", "last_inspection_date": "2026-06-30"},
        "i3_out": {"customer_type": "individual", "last_inspection_date": "2026-06-29"},
    })
    assert flagged(loans, "INSP-FREQ") == set()
    tight = Policy.default().replace(inspection={"individual_months": 3})
    assert flagged(loans, "INSP-FREQ", policy=tight) == {"i3_out"}
    loans = make_loans(INSP_FREQ_CASES)
    loose = Policy.default().replace(inspection={"exempt_litigation": False,
                                                 "exempt_individual_installment": False})
    got = flagged(loans, "INSP-FREQ", policy=loose)
    assert {"litigation", "indiv_installment"} <= got


def test_insp_freq_without_management_mode_assumes_regular_with_a_warning():
    loans = make_loans({"k": {"last_inspection_date": "2026-06-29"}}, drop=["management_mode"])
    report = run_checks(loans, as_of=AS_OF, rules=["INSP-FREQ"])
    assert list(report.findings["loan_id"]) == []
    assert report.warnings == ("INSP-FREQ:未提供管理方式列,对公贷款均按常规管理方式检查 / "
                               "no management_mode column: regular mode assumed",
                               "INSP-FREQ:未提供贷后检查记录表,仅能判断最近一次检查是否超期,"
                               "未逐期核对检查频率 / no inspections sheet: only the latest "
                               "inspection could be judged, not every period of the review window")


def test_insp_freq_without_repayment_method_skips_individual_loans_and_says_so():
    loans = make_loans({
        "ind": {"customer_type": "individual", "last_inspection_date": "2025-01-01"},
        "corp": {"last_inspection_date": "2025-01-01"},
    }, drop=["repayment_method"])
    report = run_checks(loans, as_of=AS_OF, rules=["INSP-FREQ"])
    assert list(report.findings["loan_id"]) == ["corp"]
    assert any("1笔个人贷款无法判断是否分期还款" in w for w in report.warnings)


def test_insp_freq_not_run_without_any_inspection_data():
    loans = make_loans({"a": {}}, drop=["last_inspection_date"])
    report = run_checks(loans, as_of=AS_OF, rules=["INSP-FREQ"])
    assert report.rules_run == ()
    assert list(report.not_run["rule_id"]) == ["INSP-FREQ"]
    assert "last_inspection_date" in report.not_run["reason"].iloc[0]
    assert "inspections" in report.not_run["reason"].iloc[0]
    # the sheet alone is enough
    sheet = make_sheet([("a", "2026-05-01"), ("a", "2026-09-01")],
                       ["loan_id", "inspection_date"])
    assert flagged(Extract(loans=loans, inspections=sheet), "INSP-FREQ") == set()


INSP_FIRST_CASES = {
    "window_open": {"disbursement_date": "2026-08-30", "first_inspection_date": None},
    "window_closed": {"disbursement_date": "2026-08-29", "first_inspection_date": None},
    "on_due_day": {"disbursement_date": "2026-05-10", "first_inspection_date": "2026-06-10"},
    "one_day_late": {"disbursement_date": "2026-05-10", "first_inspection_date": "2026-06-11"},
    "before_disbursement": {"disbursement_date": "2026-05-10",
                            "first_inspection_date": "2026-05-09"},
    "individual": {"customer_type": "individual", "disbursement_date": "2026-01-10",
                   "first_inspection_date": None},
    "repaid": {"balance": 0.0, "disbursement_date": "2026-01-10", "first_inspection_date": None},
}


def test_insp_first_flags_exactly_the_late_first_inspections():
    loans = make_loans(INSP_FIRST_CASES)
    assert flagged(loans, "INSP-FIRST") == {"window_closed", "one_day_late",
                                            "before_disbursement"}
    got = messages(loans, "INSP-FIRST")
    assert got["one_day_late"] == ("发放日2026-05-10,首次贷后检查应不晚于2026-06-10;"
                                   "首次贷后检查2026-06-11,逾期1天完成;"
                                   "贷款发放后1个月内应完成一次贷后检查")
    assert got["window_closed"] == ("发放日2026-08-29,首次贷后检查应不晚于2026-09-29;"
                                    "截至检查日未见首次贷后检查记录;贷款发放后1个月内应完成一次贷后检查")


def test_insp_first_uses_the_inspections_sheet():
    loans = make_loans({
        "in_sheet": {"disbursement_date": "2026-05-10", "first_inspection_date": None},
        "late_in_sheet": {"disbursement_date": "2026-05-10", "first_inspection_date": "2026-05-20"},
        "column_only": {"disbursement_date": "2026-05-10", "first_inspection_date": "2026-05-20"},
    })
    # the sheet's history starts 2026-01-05 (another loan), before these disbursements
    sheet = make_sheet([("in_sheet", "2026-06-01"), ("late_in_sheet", "2026-07-01"),
                        ("other", "2026-01-05")], ["loan_id", "inspection_date"])
    assert flagged(Extract(loans=loans, inspections=sheet), "INSP-FIRST") == {"late_in_sheet"}


def test_insp_first_policy_and_not_run():
    loans = make_loans({"x": {"disbursement_date": "2026-05-10",
                              "first_inspection_date": "2026-06-05"}})
    assert flagged(loans, "INSP-FIRST") == set()
    policy = Policy.from_dict({"inspection": {"first_inspection_months": 0}})
    assert flagged(loans, "INSP-FIRST", policy=policy) == {"x"}
    report = run_checks(make_loans({"x": {}}, drop=["first_inspection_date"]), as_of=AS_OF,
                        rules=["INSP-FIRST"])
    assert list(report.not_run["rule_id"]) == ["INSP-FIRST"]


EXIT_CASES = {
    "exit_in": {"exit_list": True, "last_inspection_date": "2026-08-30"},
    "exit_out": {"exit_list": True, "last_inspection_date": "2026-08-29"},
    "exit_never": {"exit_list": True, "last_inspection_date": None},
    "not_exit": {"last_inspection_date": "2026-04-01"},
    "exit_repaid": {"exit_list": True, "balance": 0.0, "last_inspection_date": None},
}


def test_exit_visit_flags_exactly_the_unvisited_exit_clients():
    loans = make_loans(EXIT_CASES)
    assert flagged(loans, "EXIT-VISIT") == {"exit_out", "exit_never"}
    got = messages(loans, "EXIT-VISIT")
    assert got["exit_out"] == ("退出类客户,最近一次现场检查2026-08-29,距检查日32天;"
                               "退出类客户应每1个月至少实地调查一次")
    assert got["exit_never"] == "退出类客户,无现场检查记录;退出类客户应每1个月至少实地调查一次"


def test_exit_visit_counts_only_onsite_rows_of_the_sheet():
    loans = make_loans({
        "offsite_only": {"exit_list": True, "last_inspection_date": "2026-01-01"},
        "onsite": {"exit_list": True, "last_inspection_date": "2026-01-01"},
    })
    sheet = make_sheet([("offsite_only", "2026-09-20", "offsite"),
                        ("onsite", "2026-09-20", "onsite")],
                       ["loan_id", "inspection_date", "inspection_type"])
    assert flagged(Extract(loans=loans, inspections=sheet), "EXIT-VISIT") == {"offsite_only"}


def test_exit_visit_not_run_without_exit_list_and_disabled_by_policy():
    report = run_checks(make_loans({"a": {}}, drop=["exit_list"]), as_of=AS_OF,
                        rules=["EXIT-VISIT"])
    assert list(report.not_run["rule_id"]) == ["EXIT-VISIT"]
    assert report.not_run["reason"].iloc[0] == (
        "缺少所需数据:列 exit_list(退出类客户) / missing data: column exit_list")
    policy = Policy.from_dict({"disabled": {"EXIT-VISIT": "本行无退出类名单"}})
    report = run_checks(make_loans(EXIT_CASES), as_of=AS_OF, policy=policy)
    assert "EXIT-VISIT" not in report.rules_run
    row = report.not_run[report.not_run["rule_id"] == "EXIT-VISIT"]
    assert row["reason"].iloc[0] == ("本行参数配置停用:本行无退出类名单 / disabled by policy: "
                                     "本行无退出类名单")
    assert "EXIT-VISIT" not in set(report.findings["rule_id"])


@pytest.mark.parametrize("months,expected", [(1, {"m1"}), (2, set())])
def test_exit_visit_interval_is_a_policy_value(months, expected):
    loans = make_loans({"m1": {"exit_list": True, "last_inspection_date": "2026-08-15"}})
    policy = Policy.from_dict({"inspection": {"exit_visit_months": months}})
    assert flagged(loans, "EXIT-VISIT", policy=policy) == expected
    assert np.int64(months) == policy.inspection.exit_visit_months
