"""INSP-FREQ, INSP-FIRST, INSP-REPORT, CALLBACK-FIRST and EXIT-VISIT: exact loans flagged on
both sides of each threshold.

Check date 2026-09-30 unless stated: "+ n months < D" means a last date of 2026-03-30 plus six
months (2026-09-30) is on time and 2026-03-29 is one day late.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks_factory import AS_OF, flagged, make_loans, make_sheet, messages

from postloan_audit import Extract, Policy, PolicyError, run_checks

NPL = "substandard"
SM = "special_mention"
#: A personal NPL loan of the default product and branch, disbursed within three years and
#: inspected on time: it puts its product above the default ratio (0), so the product's other
#: personal loans are held to the half-yearly frequency (``003_…`` 第四十五条).
NPL_ANCHOR = {"customer_type": "individual", "classification": NPL,
              "disbursement_date": "2025-01-01", "last_inspection_date": "2026-09-01"}

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
    "npl_anchor": NPL_ANCHOR,
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
    # new personal loans of the product: indiv_in, indiv_out, indiv_installment, npl_anchor
    assert got["indiv_out"] == ("最近一次贷后检查2026-03-29,距检查日185天;个贷产品「流动资金贷款」"
                                "本机构近3年新增贷款不良率25.00%,超过0.00%,该产品个人贷款应每6个月"
                                "至少检查一次")
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
        "npl_anchor": NPL_ANCHOR,
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
    "exit_in": {"exit_list": True, "last_onsite_inspection_date": "2026-08-30"},
    "exit_out": {"exit_list": True, "last_onsite_inspection_date": "2026-08-29"},
    "exit_never": {"exit_list": True, "last_onsite_inspection_date": None},
    # an untyped inspection may have been off site: 实地调查 is not shown by it
    "exit_untyped_only": {"exit_list": True, "last_inspection_date": "2026-09-20",
                          "last_onsite_inspection_date": None},
    "not_exit": {"last_onsite_inspection_date": "2026-04-01"},
    "exit_repaid": {"exit_list": True, "balance": 0.0, "last_onsite_inspection_date": None},
}


def test_exit_visit_flags_exactly_the_unvisited_exit_clients():
    loans = make_loans(EXIT_CASES)
    assert flagged(loans, "EXIT-VISIT") == {"exit_out", "exit_never", "exit_untyped_only"}
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
        "缺少所需数据:列 exit_list(退出类客户)或名单表(lists) / missing data: column exit_list or"
        " sheet lists")
    # the untyped last_inspection_date alone no longer lets the rule run
    report = run_checks(make_loans({"a": {}}, drop=["last_onsite_inspection_date"]),
                        as_of=AS_OF, rules=["EXIT-VISIT"])
    assert report.not_run["reason"].iloc[0] == (
        "缺少所需数据:贷后检查记录(inspections)的列 inspection_type(检查方式)或列"
        " last_onsite_inspection_date(最近现场检查日期) / missing data: column inspection_type of"
        " sheet inspections or column last_onsite_inspection_date")
    policy = Policy.from_dict({"disabled": {"EXIT-VISIT": "本行无退出类名单"}})
    report = run_checks(make_loans(EXIT_CASES), as_of=AS_OF, policy=policy)
    assert "EXIT-VISIT" not in report.rules_run
    row = report.not_run[report.not_run["rule_id"] == "EXIT-VISIT"]
    assert row["reason"].iloc[0] == ("本行参数配置停用:本行无退出类名单 / disabled by policy: "
                                     "本行无退出类名单")
    assert "EXIT-VISIT" not in set(report.findings["rule_id"])


@pytest.mark.parametrize("months,expected", [(1, {"m1"}), (2, set())])
def test_exit_visit_interval_is_a_policy_value(months, expected):
    loans = make_loans({"m1": {"exit_list": True, "last_onsite_inspection_date": "2026-08-15"}})
    policy = Policy.from_dict({"inspection": {"exit_visit_months": months}})
    assert flagged(loans, "EXIT-VISIT", policy=policy) == expected
    assert np.int64(months) == policy.inspection.exit_visit_months


# --------------------------------------------------------------------------- INSP-FREQ per period
# Check date 2026-09-30: the review window holds the periods whose last day is after 2025-09-30
# and before 2026-09-30 (half-years 2025H2, 2026H1; quarters 2025Q4–2026Q2; months 2025-10 to
# 2026-08). A long-disbursed loan (2023-06-01, maturing 2028-06-01) owes one inspection in each.

OLD = {"disbursement_date": "2023-06-01", "maturity_date": "2028-06-01"}
COLUMNS = ["loan_id", "inspection_date"]


def _insp(rows: list[tuple[str, str]]) -> object:
    return make_sheet(rows, COLUMNS)


def test_insp_freq_a_32_month_gap_is_no_longer_clean():
    loans = make_loans({"gap": {**OLD, "last_inspection_date": "2026-09-10"}})
    sheet = _insp([("gap", "2024-01-15"), ("gap", "2026-09-10")])
    # without the sheet only the latest inspection can be judged: clean, with a warning
    report = run_checks(loans, as_of=AS_OF, rules=["INSP-FREQ"])
    assert report.findings.empty
    assert report.warnings == ("INSP-FREQ:未提供贷后检查记录表,仅能判断最近一次检查是否超期,"
                               "未逐期核对检查频率 / no inspections sheet: only the latest "
                               "inspection could be judged, not every period of the review window",)
    report = run_checks(Extract(loans=loans, inspections=sheet), as_of=AS_OF, rules=["INSP-FREQ"])
    row = report.findings.iloc[0]
    assert list(report.findings["loan_id"]) == ["gap"]
    assert row["message"] == ("2025年下半年、2026年上半年未见贷后检查;"
                              "常规管理正常类贷款应每6个月至少检查一次")
    assert str(row["due_date"].date()) == "2025-12-31"
    assert row["days_late"] == 273
    assert report.warnings == ()


def test_insp_freq_names_the_stale_latest_and_the_empty_periods_once():
    loans = make_loans({
        "both": {**OLD, "classification": SM},
        "periods_ok": {**OLD, "classification": SM},
        "monthly": {**OLD, "classification": SM, "management_mode": "key"},
    })
    months = [f"2025-{m:02d}-10" for m in (10, 11, 12)] + \
             [f"2026-{m:02d}-10" for m in (1, 3, 4, 5, 6, 7, 8, 9)]
    sheet = _insp([("both", "2025-11-10"), ("both", "2026-05-01"),
                   ("periods_ok", "2025-11-10"), ("periods_ok", "2026-02-01"),
                   ("periods_ok", "2026-05-01"), ("periods_ok", "2026-08-01"),
                   *[("monthly", d) for d in months]])
    report = run_checks(Extract(loans=loans, inspections=sheet), as_of=AS_OF, rules=["INSP-FREQ"])
    got = dict(zip(report.findings["loan_id"], report.findings["message"], strict=True))
    assert got == {
        # the third quarter ends on D itself: it has ended, and "both" has no inspection in it
        "both": ("最近一次贷后检查2026-05-01,距检查日152天;2026年第一季度、2026年第三季度未见贷后"
                 "检查;常规管理关注类贷款应每3个月至少检查一次"),
        "monthly": "2026年2月未见贷后检查;重点管理关注类贷款应每1个月至少检查一次",
    }
    late = dict(zip(report.findings["loan_id"], report.findings["days_late"], strict=True))
    assert late == {"both": 60, "monthly": 214}  # stale since 08-01; February ended 02-28


def test_insp_freq_review_window_edges():
    # 2025Q3 ends 2025-09-30 = D − 12 months: outside the window on 2026-09-30, inside a day
    # earlier; the quarter that ends on D itself is not judged yet.
    loans = make_loans({"q": {**OLD, "classification": SM}})
    sheet = _insp([("q", "2025-10-15"), ("q", "2026-01-15"), ("q", "2026-04-15"),
                   ("q", "2026-07-15")])
    extract = Extract(loans=loans, inspections=sheet)
    assert flagged(extract, "INSP-FREQ", as_of="2026-09-30") == set()
    assert messages(extract, "INSP-FREQ", as_of="2026-09-29") == {
        "q": "2025年第三季度未见贷后检查;常规管理关注类贷款应每3个月至少检查一次"}
    policy = Policy.default().replace(inspection={"review_months": 6})
    assert flagged(extract, "INSP-FREQ", as_of="2026-09-29", policy=policy) == set()


def test_insp_freq_a_period_counts_once_it_has_ended():
    # An extract "截至 2026年6月30日" is as of the close of that day: the first half-year has
    # ended on D and is judged; a day earlier it has not.
    loans = make_loans({"h": {"disbursement_date": "2025-11-15", "maturity_date": "2027-11-15",
                              "last_inspection_date": None}})
    extract = Extract(loans=loans, inspections=_insp([("h", "2025-12-31")]))
    assert flagged(extract, "INSP-FREQ", as_of="2026-06-29") == set()
    report = run_checks(extract, as_of="2026-06-30", rules=["INSP-FREQ"])
    row = report.findings.iloc[0]
    assert (row["loan_id"], row["message"]) == (
        "h", "2026年上半年未见贷后检查;常规管理正常类贷款应每6个月至少检查一次")
    assert (str(row["due_date"].date()), row["days_late"]) == ("2026-06-30", 0)
    assert messages(extract, "INSP-FREQ", as_of="2026-07-01") == {
        "h": ("最近一次贷后检查2025-12-31,距检查日182天;2026年上半年未见贷后检查;"
              "常规管理正常类贷款应每6个月至少检查一次")}


def test_insp_freq_a_key_mode_loan_without_a_third_quarter_inspection_is_late_on_30_september():
    loans = make_loans({
        "july": {"management_mode": "key", "disbursement_date": "2026-07-05",
                 "maturity_date": "2027-07-05", "last_inspection_date": None},
        "visited": {"management_mode": "key", "disbursement_date": "2026-07-05",
                    "maturity_date": "2027-07-05", "last_inspection_date": None},
    })
    sheet = _insp([("visited", "2026-08-20"), ("other", "2026-01-05")])
    assert messages(Extract(loans=loans, inspections=sheet), "INSP-FREQ") == {
        "july": "2026年第三季度未见贷后检查;重点管理正常类贷款应每3个月至少检查一次"}


def test_insp_freq_period_exempt_when_disbursed_two_months_or_less_before_its_end():
    # 2026H1 ends 2026-06-30; two months before is 2026-04-30 (含2个月: exempt)
    loans = make_loans({
        "two_months": {"disbursement_date": "2026-04-30", "maturity_date": "2027-04-30"},
        "a_day_more": {"disbursement_date": "2026-04-29", "maturity_date": "2027-04-29"},
    })
    sheet = _insp([("two_months", "2026-08-15"), ("a_day_more", "2026-08-15")])
    extract = Extract(loans=loans, inspections=sheet)
    assert messages(extract, "INSP-FREQ") == {
        "a_day_more": "2026年上半年未见贷后检查;常规管理正常类贷款应每6个月至少检查一次"}
    policy = Policy.default().replace(inspection={"period_exempt_disbursed_months": 3})
    assert flagged(extract, "INSP-FREQ", policy=policy) == set()


def test_insp_freq_short_new_normal_loans_need_no_inspection():
    # regular mode: original term of 6 months or less; key mode: 3 months or less
    loans = make_loans({
        "reg_6m": {"disbursement_date": "2026-04-15", "maturity_date": "2026-10-15"},
        "reg_6m_1d": {"disbursement_date": "2026-04-15", "maturity_date": "2026-10-16"},
        "reg_6m_sm": {"disbursement_date": "2026-04-15", "maturity_date": "2026-10-15",
                      "classification": SM},
        "indiv_6m": {"customer_type": "individual", "disbursement_date": "2026-04-15",
                     "maturity_date": "2026-10-15"},
        "extended_to_9m": {"disbursement_date": "2026-04-15", "maturity_date": "2027-01-15",
                           "extension_months": 3},
        "npl_anchor": NPL_ANCHOR,
    })
    sheet = _insp([("other", "2026-01-01"), *[("npl_anchor", d) for d in (
        "2025-10-01", "2026-01-10", "2026-04-10", "2026-07-10")]])
    got = messages(Extract(loans=loans, inspections=sheet), "INSP-FREQ")
    assert set(got) == {"reg_6m_1d", "reg_6m_sm", "indiv_6m"}
    assert got["reg_6m_1d"] == "2026年上半年未见贷后检查;常规管理正常类贷款应每6个月至少检查一次"
    # new personal loans of the product: indiv_6m and npl_anchor (each 1,000,000 yuan)
    assert got["indiv_6m"] == ("2026年上半年未见贷后检查;个贷产品「流动资金贷款」本机构近3年新增贷款"
                               "不良率50.00%,超过0.00%,该产品个人贷款应每6个月至少检查一次")
    key = make_loans({
        "key_3m": {"management_mode": "key", "disbursement_date": "2026-05-01",
                   "maturity_date": "2026-08-01", "last_inspection_date": None},
        "key_3m_1d": {"management_mode": "key", "disbursement_date": "2026-05-01",
                      "maturity_date": "2026-08-02", "last_inspection_date": None},
    })
    assert messages(key, "INSP-FREQ", as_of="2026-08-15") == {
        "key_3m_1d": ("无贷后检查记录,发放日2026-05-01,距检查日106天;"
                      "重点管理正常类贷款应每3个月至少检查一次")}
    policy = Policy.default().replace(inspection={"new_loan_exempt_key_months": 2})
    assert flagged(key, "INSP-FREQ", as_of="2026-08-15", policy=policy) == {"key_3m",
                                                                            "key_3m_1d"}


def test_insp_freq_litigation_exempts_only_npl_individual_loans():
    stale = {"last_inspection_date": "2025-12-01", "litigation": True}
    loans = make_loans({
        "indiv_npl": {**stale, "customer_type": "individual", "classification": NPL},
        "indiv_normal": {**stale, "customer_type": "individual"},
        "corp_npl": {**stale, "classification": NPL},
    })
    got = messages(loans, "INSP-FREQ")
    assert set(got) == {"indiv_normal", "corp_npl"}
    assert got["corp_npl"] == ("最近一次贷后检查2025-12-01,距检查日303天;"
                               "常规管理不良类贷款应每1个月至少检查一次")
    loose = Policy.default().replace(inspection={"exempt_litigation": False})
    assert flagged(loans, "INSP-FREQ", policy=loose) == {"indiv_npl", "indiv_normal", "corp_npl"}


def test_insp_freq_loan_without_sheet_rows_uses_its_column_for_the_period():
    loans = make_loans({
        "column_in_h1": {**OLD, "last_inspection_date": "2026-05-20"},
    })
    # the sheet covers other loans; this loan's column date covers 2026H1 but not 2025H2
    extract = Extract(loans=loans, inspections=_insp([("other", "2025-10-01")]))
    assert messages(extract, "INSP-FREQ") == {
        "column_in_h1": "2025年下半年未见贷后检查;常规管理正常类贷款应每6个月至少检查一次"}


# --------------------------------------------------------------------------- INSP-FIRST coverage

def test_insp_first_judges_only_loans_the_sheet_can_tell_about():
    loans = make_loans({
        "before_sheet": {"disbursement_date": "2025-06-01", "first_inspection_date": None},
        "on_start": {"disbursement_date": "2026-01-01", "first_inspection_date": None},
        "before_with_column_ok": {"disbursement_date": "2025-06-01",
                                  "first_inspection_date": "2025-06-20"},
        "before_with_column_late": {"disbursement_date": "2025-06-01",
                                    "first_inspection_date": "2025-07-20"},
    })
    sheet = _insp([("before_sheet", "2026-02-10"), ("on_start", "2026-02-15"),
                   ("x", "2026-01-01")])
    report = run_checks(Extract(loans=loans, inspections=sheet), as_of=AS_OF,
                        rules=["INSP-FIRST"])
    got = dict(zip(report.findings["loan_id"], report.findings["message"], strict=True))
    assert got == {
        "on_start": ("发放日2026-01-01,首次贷后检查应不晚于2026-02-01;首次贷后检查2026-02-15,"
                     "逾期14天完成;贷款发放后1个月内应完成一次贷后检查"),
        "before_with_column_late": ("发放日2025-06-01,首次贷后检查应不晚于2025-07-01;"
                                    "首次贷后检查2025-07-20,逾期19天完成;"
                                    "贷款发放后1个月内应完成一次贷后检查"),
    }
    assert report.warnings == (
        "INSP-FIRST:1笔对公贷款发放于贷后检查记录表最早日期2026-01-01之前且无首次检查日期,"
        "无法判断首次检查是否及时,未检查 / loans disbursed before the inspections sheet starts, "
        "without first_inspection_date: not judged",)
    # before: the sheet's first row invented "first inspection 2026-02-10, 224 days late"
    assert "before_sheet" not in got


# --------------------------------------------------------------------------- personal products
# 003_… 第四十五条: only "其他个贷业务" of products whose 近三年新增贷款不良率, per branch, exceeds the
# bank's ratio are held to the half-yearly frequency. Every personal loan below is stale
# (inspected 2025-12-01) unless exempt; balances are 1,000,000 yuan unless stated.

STALE_PERSONAL = {"customer_type": "individual", "last_inspection_date": "2025-12-01",
                  "disbursement_date": "2026-01-10"}


def _personal(product: str, branch: str = "城关支行", **more) -> dict:
    return {**STALE_PERSONAL, "product": product, "branch": branch, **more}


def test_personal_loans_are_held_by_their_products_npl_ratio_per_branch():
    loans = make_loans({
        # 住房贷款 at 城关支行: one NPL of four new loans (by balance 1/4 = 25%)
        "house_1": _personal("住房贷款"), "house_2": _personal("住房贷款"),
        "house_3": _personal("住房贷款"),
        "house_npl": _personal("住房贷款", classification=NPL,
                               last_inspection_date="2026-09-01"),
        # the same product at another branch: no NPL, no fixed frequency
        "house_east": _personal("住房贷款", "东城支行"),
        # 经营贷 at 城关支行: its NPL was disbursed more than three years before D
        "biz": _personal("个人经营贷款"),
        "biz_old_npl": _personal("个人经营贷款", classification=NPL,
                                 disbursement_date="2023-09-30",
                                 last_inspection_date="2026-09-01"),
    })
    assert flagged(loans, "INSP-FREQ") == {"house_1", "house_2", "house_3"}
    assert messages(loans, "INSP-FREQ")["house_1"] == (
        "最近一次贷后检查2025-12-01,距检查日303天;个贷产品「住房贷款」本机构近3年新增贷款不良率25.00%,"
        "超过0.00%,该产品个人贷款应每6个月至少检查一次")
    # the ratio is the bank's: 25% is not above 25%, it is above 24.99%
    assert flagged(loans, "INSP-FREQ", policy=Policy.default().replace(
        inspection={"individual_product_npl_ratio": 0.25})) == set()
    assert flagged(loans, "INSP-FREQ", policy=Policy.default().replace(
        inspection={"individual_product_npl_ratio": 0.2499})) == {"house_1", "house_2",
                                                                   "house_3"}
    # a window of 37 months takes in the old NPL of 个人经营贷款 (disbursed 2023-09-30)
    assert flagged(loans, "INSP-FREQ", policy=Policy.default().replace(
        inspection={"individual_npl_lookback_months": 37})) == {"house_1", "house_2",
                                                                "house_3", "biz"}


def test_low_credit_risk_personal_business_has_no_fixed_frequency():
    loans = make_loans({
        "deposit_pledge": _personal("存单质押贷款", guarantee_type="pledge"),
        "deposit_pledge_npl": _personal("存单质押贷款", guarantee_type="pledge",
                                        classification=NPL, last_inspection_date="2026-09-01"),
        "house": _personal("住房贷款"),
        "house_npl": _personal("住房贷款", classification=NPL, last_inspection_date="2026-09-01"),
    })
    assert flagged(loans, "INSP-FREQ") == {"deposit_pledge", "house"}
    by_product = Policy.default().replace(inspection={"low_risk_products": ["存单质押贷款"]})
    assert flagged(loans, "INSP-FREQ", policy=by_product) == {"house"}
    by_guarantee = Policy.default().replace(inspection={"low_risk_guarantee_types": ["pledge"]})
    assert flagged(loans, "INSP-FREQ", policy=by_guarantee) == {"house"}
    with pytest.raises(PolicyError, match="low_risk_guarantee_types"):
        Policy.default().replace(inspection={"low_risk_guarantee_types": ["存单"]})


def test_without_a_product_column_a_branchs_personal_loans_are_one_product():
    loans = make_loans({
        "a": _personal("x"), "b": _personal("y", classification=NPL,
                                            last_inspection_date="2026-09-01"),
        "east": _personal("x", "东城支行"),
    }, drop=["product"])
    report = run_checks(loans, as_of=AS_OF, rules=["INSP-FREQ"])
    assert dict(zip(report.findings["loan_id"], report.findings["message"], strict=True)) == {
        "a": ("最近一次贷后检查2025-12-01,距检查日303天;个贷产品「个人贷款(未提供贷款品种,按机构合并)」"
              "本机构近3年新增贷款不良率50.00%,超过0.00%,该产品个人贷款应每6个月至少检查一次")}
    assert ("INSP-FREQ:未提供贷款品种(product)列,各机构的个人贷款按一个产品计算近三年新增贷款不良率 / "
            "no product column: each branch's personal loans are treated as one product"
            ) in report.warnings


# --------------------------------------------------------------------------- INSP-REPORT
# Deadlines (working days after the period's end, Chinese calendar): 2026Q3 ends 09-30 →
# 15 working days: 2026-10-27 (National Day Oct 1-7 off, Saturday Oct 10 on); 2026Q1 → 04-22;
# 2026-01 → 10 working days: 02-13; 2026-02 → 03-13; 2026H1 → 07-21; 2025 → 20: 2026-01-29.

REPORT_COLUMNS = ["loan_id", "inspection_date", "report_date", "report_period"]


def _reports(rows: list[tuple[str, str, str, str | None]]):
    return make_sheet(rows, REPORT_COLUMNS)


def test_insp_report_flags_exactly_the_late_reports_across_national_day_and_spring_festival():
    cases = ["q3_on_time", "q3_late", "q1_in_april", "q1_late", "jan_late", "feb_late", "h1_late",
             "year_on_time", "year_late", "two_late", "individual", "q4_not_ended",
             "dated_after_d", "no_period"]
    loans = make_loans({c: {"last_inspection_date": "2026-10-20"} for c in cases})
    loans.loc[loans["loan_id"] == "individual", "customer_type"] = "individual"
    sheet = _reports([
        ("q3_on_time", "2026-09-20", "2026-10-27", "2026Q3"),
        ("q3_late", "2026-09-20", "2026-10-28", "2026Q3"),
        ("q1_in_april", "2026-03-20", "2026-04-10", "2026Q1"),  # a first-quarter report
        ("q1_late", "2026-03-20", "2026-04-23", "2026Q1"),
        ("jan_late", "2026-01-20", "2026-02-24", "2026-01"),  # Feb 14 (make-up) and 24
        ("feb_late", "2026-02-20", "2026-03-16", "2026-02"),
        ("h1_late", "2026-06-20", "2026-07-22", "2026H1"),
        ("year_on_time", "2025-12-20", "2026-01-29", "2025"),
        ("year_late", "2025-12-20", "2026-01-30", "2025"),
        ("two_late", "2026-03-20", "2026-04-23", "2026Q1"),
        ("two_late", "2026-09-20", "2026-10-30", "2026Q3"),
        ("individual", "2026-09-20", "2026-10-30", "2026Q3"),
        ("q4_not_ended", "2026-10-15", "2026-10-20", "2026Q4"),
        ("dated_after_d", "2026-09-20", "2026-11-02", "2026Q3"),
        ("no_period", "2026-09-20", "2026-10-30", None),
    ])
    extract = Extract(loans=loans, inspections=sheet)
    report = run_checks(extract, as_of="2026-10-31", rules=["INSP-REPORT"])
    rule = "贷后检查报告应于月后10个、季后或半年后15个、年度后20个工作日内完成"
    got = dict(zip(report.findings["loan_id"], report.findings["message"], strict=True))
    assert got == {
        "q3_late": "2026年第三季度检查报告于2026-10-28完成,期限2026-10-27,晚1个工作日;" + rule,
        "q1_late": "2026年第一季度检查报告于2026-04-23完成,期限2026-04-22,晚1个工作日;" + rule,
        "jan_late": "2026年1月检查报告于2026-02-24完成,期限2026-02-13,晚2个工作日;" + rule,
        "feb_late": "2026年2月检查报告于2026-03-16完成,期限2026-03-13,晚1个工作日;" + rule,
        "h1_late": "2026年上半年检查报告于2026-07-22完成,期限2026-07-21,晚1个工作日;" + rule,
        "year_late": "2025年度检查报告于2026-01-30完成,期限2026-01-29,晚1个工作日;" + rule,
        "two_late": ("2026年第一季度检查报告于2026-04-23完成,期限2026-04-22,晚1个工作日;"
                     "2026年第三季度检查报告于2026-10-30完成,期限2026-10-27,晚3个工作日;" + rule),
    }
    due = dict(zip(report.findings["loan_id"], report.findings["due_date"].dt.date.astype(str),
                   strict=True))
    assert due["two_late"] == "2026-04-22" and due["jan_late"] == "2026-02-13"
    # on the deadline day a report finished that day is on time; the next day it is late
    assert flagged(extract, "INSP-REPORT", as_of="2026-10-27") == {
        "q1_late", "jan_late", "feb_late", "h1_late", "year_late", "two_late"}


def test_insp_report_deadlines_are_policy_values_and_need_both_columns():
    loans = make_loans({"q3_late": {}})
    sheet = _reports([("q3_late", "2026-09-20", "2026-10-28", "2026Q3")])
    extract = Extract(loans=loans, inspections=sheet)
    assert flagged(extract, "INSP-REPORT", as_of="2026-10-31") == {"q3_late"}
    longer = Policy.from_dict({"inspection": {"report_quarter_working_days": 16}})
    assert flagged(extract, "INSP-REPORT", as_of="2026-10-31", policy=longer) == set()
    without = Extract(loans=loans, inspections=sheet.drop(columns=["report_period"]))
    report = run_checks(without, as_of="2026-10-31", rules=["INSP-REPORT"])
    assert report.not_run["reason"].tolist() == [
        "缺少所需数据:贷后检查记录(inspections)的列 report_date(报告日期)+贷后检查记录(inspections)"
        "的列 report_period(所属期间) / missing data: column report_date of sheet inspections and"
        " column report_period of sheet inspections"]


def test_a_report_counts_for_its_period_in_the_inspection_frequency():
    # quarterly (regular mode, special mention): the April row reports on the first quarter
    loans = make_loans({"q": {**OLD, "classification": SM, "last_inspection_date": None}})
    rows = [("q", "2025-10-15", "2025-10-20", None), ("q", "2026-01-15", "2026-01-20", None),
            ("q", "2026-04-10", "2026-04-12", "2026Q1"), ("q", "2026-07-15", "2026-07-20", None)]
    report = run_checks(Extract(loans=loans, inspections=_reports(rows)), as_of=AS_OF,
                        rules=["INSP-FREQ"])
    assert report.findings["message"].tolist() == [
        "2026年第二季度未见贷后检查;常规管理关注类贷款应每3个月至少检查一次"]


# --------------------------------------------------------------------------- CALLBACK-FIRST
# 003_… 第四篇 一、(二)1: a callback 7 days after disbursement, 3 for self payment.

PERSONAL = {"customer_type": "individual"}


def test_callback_first_both_sides_of_seven_and_three_days():
    loans = make_loans({
        "seven_in": {**PERSONAL, "disbursement_date": "2026-09-23"},
        "seven_out": {**PERSONAL, "disbursement_date": "2026-09-22"},
        "self_in": {**PERSONAL, "payment_method": "self", "disbursement_date": "2026-09-27"},
        "self_out": {**PERSONAL, "payment_method": "self", "disbursement_date": "2026-09-26"},
        "called_late": {**PERSONAL, "disbursement_date": "2026-01-10",
                        "callback_date": "2026-01-25"},
        "called_before": {**PERSONAL, "disbursement_date": "2026-01-10",
                          "callback_date": "2026-01-05"},
        "called_after_d": {**PERSONAL, "disbursement_date": "2026-01-10",
                           "callback_date": "2026-10-05"},
        "corporate": {"disbursement_date": "2026-01-10"},
        "repaid": {**PERSONAL, "balance": 0.0, "disbursement_date": "2026-01-10"},
    })
    got = messages(loans, "CALLBACK-FIRST")
    assert set(got) == {"seven_out", "self_out", "called_before", "called_after_d"}
    assert got["seven_out"] == ("发放日2026-09-22,距检查日8天,未见回访记录;贷款应在发放7天后回访,"
                                "回访率应为100%")
    assert got["self_out"] == ("发放日2026-09-26,距检查日4天,未见回访记录;自主支付贷款应在发放3天后"
                               "回访,回访率应为100%")
    assert got["called_before"] == ("发放日2026-01-10,距检查日263天,回访日期2026-01-05早于发放日,"
                                    "不是发放后的回访;贷款应在发放7天后回访,回访率应为100%")
    report = run_checks(loans, as_of=AS_OF, rules=["CALLBACK-FIRST"])
    row = report.findings.set_index("loan_id").loc["seven_out"]
    assert (str(row["due_date"].date()), row["days_late"]) == ("2026-09-29", 1)
    policy = Policy.from_dict({"callback": {"days": 8, "self_payment_days": 4}})
    assert flagged(loans, "CALLBACK-FIRST", policy=policy) == {"called_before", "called_after_d"}


def test_callback_first_not_run_without_the_column():
    report = run_checks(make_loans({"a": PERSONAL}, drop=["callback_date"]), as_of=AS_OF,
                        rules=["CALLBACK-FIRST"])
    assert report.not_run["reason"].tolist() == [
        "缺少所需数据:列 callback_date(回访日期) / missing data: column callback_date"]


def test_insp_report_names_each_loans_own_reports_whatever_the_sheets_order():
    loans = make_loans({"first": {}, "second": {}})
    sheet = _reports([("second", "2025-12-20", "2026-01-30", "2025"),
                      ("first", "2026-03-20", "2026-04-23", "2026Q1")])
    assert messages(Extract(loans=loans, inspections=sheet), "INSP-REPORT",
                    as_of="2026-10-31") == {
        "first": "2026年第一季度检查报告于2026-04-23完成,期限2026-04-22,晚1个工作日;"
                 "贷后检查报告应于月后10个、季后或半年后15个、年度后20个工作日内完成",
        "second": "2025年度检查报告于2026-01-30完成,期限2026-01-29,晚1个工作日;"
                  "贷后检查报告应于月后10个、季后或半年后15个、年度后20个工作日内完成"}
