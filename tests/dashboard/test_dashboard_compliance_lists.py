"""The monthly lists on the compliance page (合规检查看板 · 月度名单), headless.

Small hand-written ledgers of one sub-branch at two month-ends, uploaded as a user would; the
lists and their workbooks are asserted exactly.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from postloan_audit.dashboard import ComplianceDashboard

HEADER = "借据号,客户号,客户名称,经营机构,贷款余额,五级分类,担保方式,发放日期,到期日期,客户经理,到期通知日期\n"
#: 2026-08-31: L0 is repaid in September (gone from the next file), L9 is at 0 in it.
AUGUST = HEADER + (
    "L0,P0,周零,城东支行,8000,正常,信用,2025-09-15,2026-09-15,张伟,2026-08-14\n"
    "L1,P1,赵一,城东支行,10000,正常,信用,2026-08-01,2026-10-31,张伟,\n"
    "L3,P3,孙三,城东支行,30000,关注,抵押,2026-08-11,2026-10-01,李娜,\n"
    "L5,C1,某公司,城西支行,50000,次级,抵押,2026-08-15,2026-10-15,王芳,\n"
    "L9,P9,吴九,城西支行,9000,正常,保证,2025-09-20,2026-09-20,王芳,2026-08-20\n")
#: 2026-09-30: October's maturities on both sides of its edges.
SEPTEMBER = HEADER + (
    "L1,P1,赵一,城东支行,10000,正常,信用,2026-08-01,2026-10-31,张伟,2026-09-28\n"
    "L2,P2,钱二,城东支行,20000,正常,保证,2026-08-10,2026-11-01,张伟,\n"
    "L3,P3,孙三,城东支行,30000,关注,抵押,2026-08-11,2026-10-01,李娜,\n"
    "L4,P4,李四,城东支行,40000,正常,信用,2026-07-31,2026-09-30,李娜,\n"
    "L5,C1,某公司,城西支行,50000,次级,抵押,2026-08-15,2026-10-15,王芳,2026-09-01\n"
    "L9,P9,吴九,城西支行,0,正常,保证,2025-09-20,2026-09-20,王芳,2026-08-20\n")
CURRENT = (SEPTEMBER.encode("utf-8"), "城东支行_20260930.csv")
PREVIOUS = (AUGUST.encode("utf-8"), "城东支行_20260831.csv")


@pytest.fixture
def dash() -> ComplianceDashboard:
    board = ComplianceDashboard(trail=False)
    assert board.load_files([CURRENT])
    return board


def sheet(content: bytes, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content))[name].iter_rows(values_only=True))


def test_the_maturity_list_of_the_month_after_the_check_date_comes_with_the_run(dash):
    assert dash.report.as_of == dt.date(2026, 9, 30) and dash.run_error.value == ""
    listed = dash.maturities
    # October 1 and 31 are in; September 30 (L4) and November 1 (L2) are not; settled L9 is not
    assert listed["loan_id"].tolist() == ["L3", "L1", "L5"]
    assert listed.attrs["month"] == "2026-10"
    assert ("<b>2026年10月贷款到期提示表(数据日期 2026-09-30)</b>:到期贷款 3 笔,余额 90,000.00 元;"
            "已登记到期通知 2 笔。") in dash.maturity_html.value
    assert "id='pa-maturity-by-branch'" in dash.maturity_html.value
    assert "download='贷款到期提示表_2026-10.xlsx'" in dash.maturity_download.value
    rows = sheet(dash.maturity_bytes, "到期提示表")
    assert rows[0][0] == "2026年10月贷款到期提示表(数据日期 2026-09-30)"
    assert [r[2] for r in rows[2:5]] == ["L3", "L1", "L5"]
    assert sheet(dash.maturity_bytes, "按机构汇总")[2:] == [("城东支行", 2, 40000),
                                                        ("城西支行", 1, 50000),
                                                        ("合计", 3, 90000)]
    assert dash.maturity_error.value == ""


def test_a_new_check_date_moves_the_list_to_the_month_after_it(dash):
    assert dash.set_as_of("2026-10-31")
    assert dash.maturities["loan_id"].tolist() == ["L2"]
    assert "download='贷款到期提示表_2026-11.xlsx'" in dash.maturity_download.value


def test_the_findings_download_stays_the_pages_first_link(dash):
    children = list(dash.widget.children)
    findings_box = next(i for i, c in enumerate(children)
                        if getattr(c, "children", None) and dash.download in c.children)
    assert findings_box < children.index(dash.maturity_download)
    assert children.index(dash.maturity_download) < children.index(dash.settled_download)


def test_without_last_months_files_there_is_no_settled_list(dash):
    assert dash.settled is None and dash.settled_download.value == ""
    assert "上期台账:未上传(上传后列出贷款结清名单)" in dash.previous_status.value


def test_last_months_files_give_the_loans_settled_since(dash):
    assert dash.load_previous_files([PREVIOUS])
    settled = dash.settled
    assert settled[["branch", "loan_id", "settled_as"]].to_dict("list") == {
        "branch": ["城东支行", "城西支行"], "loan_id": ["L0", "L9"], "settled_as": ["gone", "zero"]}
    assert ("<b>贷款结清名单(上期 2026-08-31 至本期 2026-09-30)</b>:结清 2 笔,上期余额 17,000.00 元"
            "(本期台账中已无 1 笔,本期余额为0 1 笔)") in dash.settled_html.value
    assert "上期台账:城东支行_20260831.csv(数据日期 2026-08-31)" in dash.previous_status.value
    assert "download='贷款结清名单_20260831_20260930.xlsx'" in dash.settled_download.value
    rows = sheet(dash.settled_bytes, "结清名单")
    assert [(r[2], r[10]) for r in rows[2:4]] == [("L0", "本期台账中已无"), ("L9", "本期余额为0")]
    assert dash.settled_error.value == ""


def test_the_upload_widget_and_a_rerun_keep_the_settled_list(dash):
    dash.previous_upload.value = ({"name": PREVIOUS[1], "type": "", "size": len(PREVIOUS[0]),
                                   "content": memoryview(PREVIOUS[0]),
                                   "last_modified": dt.datetime(2026, 10, 8)},)
    assert dash.previous_upload.value == ()
    assert dash.settled["loan_id"].tolist() == ["L0", "L9"]
    before = dash.settled
    dash.run_button.click()
    assert dash.settled is not before and dash.settled["loan_id"].tolist() == ["L0", "L9"]


def test_last_months_file_given_as_this_months_is_refused_with_the_reason(dash):
    later = (AUGUST.encode("utf-8"), "城东支行_20261031.csv")
    assert not dash.load_previous_files([later])
    panel = dash.settled_error.value
    assert ("上期台账的数据日期(2026-10-31)须早于本期台账(2026-09-30);请先给上期、后给本期。"
            in panel)
    assert dash.settled is None and dash.settled_download.value == ""


def test_an_unreadable_previous_file_keeps_the_previous_one(dash):
    assert dash.load_previous_files([PREVIOUS])
    assert not dash.load_previous_files([(b"\x00\x01 not a workbook" * 50, "坏文件.xlsx")])
    panel = dash.settled_error.value
    assert "文件无法读取 / The file cannot be read" in panel
    assert "仍使用先前上传的上期台账:城东支行_20260831.csv" in panel
    assert [e.source_name for e in dash.previous_extracts] == ["城东支行_20260831.csv"]
    assert dash.settled["loan_id"].tolist() == ["L0", "L9"]


def test_the_clear_button_drops_last_months_files(dash):
    assert dash.load_previous_files([PREVIOUS])
    dash.previous_clear.click()
    assert dash.previous_extracts == [] and dash.settled is None
    assert dash.settled_html.value == "" and dash.settled_download.value == ""
    assert "上期台账:未上传" in dash.previous_status.value


def test_a_ledger_without_maturity_dates_still_checks_and_says_why_there_is_no_list():
    board = ComplianceDashboard(trail=False)
    no_dates = "借据号,客户号,经营机构,贷款余额,五级分类,担保方式\nL1,P1,城东支行,100,正常,信用\n"
    assert board.load_files([(no_dates.encode("utf-8"), "城东支行_20260930.csv")])
    assert board.run_error.value == "" and board.report is not None
    assert board.maturities is None and board.maturity_download.value == ""
    assert "贷款台账(到期提示表)缺少所需的列:maturity_date" in board.maturity_error.value
    assert "无法编制次月贷款到期提示表;检查结果不受影响" in board.maturity_error.value
