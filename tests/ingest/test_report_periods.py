"""Reporting periods (报告期次) and the new ledger columns as banks write them."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

import postloan_audit as pa

LOANS = ["借据号", "客户号", "经营机构", "贷款余额", "五级分类", "担保方式", "最近现场检查日期",
         "欠息起始日", "回访日期"]
INSPECTIONS = ["借据号", "检查日期", "报告完成日期", "所属期间"]
FORMS = ["2026Q1", "2026年一季度", "2026-03", "2026年3月", "2026H1", "2026年上半年", "2026年度",
         "２０２６年第三季度", "2026年13月", None]


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    loans = book.active
    loans.title = "贷款台账"
    loans.append(LOANS)
    loans.append(["L1", "C1", "城关支行", "1000", "正常", "抵押", "2026-09-01", "2026/9/1",
                  "2026年1月20日"])
    sheet = book.create_sheet("贷后检查记录")
    sheet.append(INSPECTIONS)
    for form in FORMS:
        sheet.append(["L1", "2026-03-20", "2026-04-10", form])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_periods_read_in_every_written_form_and_an_unknown_one_is_named():
    extract = pa.load_extract(_workbook(), filename="台账.xlsx")
    assert extract.inspections["report_period"].tolist()[:-2] == [
        "2026Q1", "2026Q1", "2026-03", "2026-03", "2026H1", "2026H1", "2026", "2026Q3"]
    assert extract.inspections["report_period"].isna().tolist()[-2:] == [True, True]
    assert extract.inspections["report_date"].dt.date.astype(str).unique().tolist() == [
        "2026-04-10"]
    warning = extract.issues[extract.issues["column"] == "report_period"]
    assert warning[["severity", "row", "value"]].values.tolist() == [["warning", 10, "2026年13月"]]
    assert warning["message"].iloc[0] == ("无法识别的报告期次「2026年13月」,按空值处理(列 所属期间)"
                                          " / unparseable reporting period '2026年13月' in"
                                          " report_period, treated as empty")


def test_the_new_loan_columns_are_read_as_dates():
    loans = pa.load_extract(_workbook(), filename="台账.xlsx").loans
    assert loans[["last_onsite_inspection_date", "interest_overdue_since", "callback_date"]
                 ].iloc[0].tolist() == [pd.Timestamp("2026-09-01"), pd.Timestamp("2026-09-01"),
                                        pd.Timestamp("2026-01-20")]
