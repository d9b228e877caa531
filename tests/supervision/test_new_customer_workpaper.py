"""The workpaper of the monthly new-customer check (新增客户现场核查底稿).

Small hand-built ledgers; the workbook is read back with openpyxl and every sheet compared
exactly.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

import postloan_audit as pa
from postloan_audit import draw_new_customer_check, write_new_customer_workpaper
from postloan_audit.core.provenance import Provenance
from postloan_audit.supervision.new_customers import (
    NEW_CUSTOMER_SHEETS,
    new_customer_table,
    officer_table,
)
from postloan_audit.supervision.planning import new_customer_month

PROVENANCE = Provenance(fingerprint="ab" * 32, source_name="城东支行台账_20260930.xlsx",
                        as_of=dt.date(2026, 9, 30))


def ledger(*, officers: bool = True) -> pd.DataFrame:
    """Six new individual customers in August 2026 (张伟 four, 李娜 one, none one), one with
    two loans that month, an old customer, a corporate one, and one first seen in September."""
    rows = [
        # loan, borrower, name, type, disbursed, balance, officer
        ("L1", "P1", "赵一", "individual", "2026-08-01", 10_000.0, "张伟"),
        ("L1b", "P1", "赵一", "individual", "2026-08-31", 5_000.0, "张伟"),
        ("L2", "P2", "=钱二", "individual", "2026-08-10", 20_000.0, "张伟"),
        ("L3", "P3", "孙三", "individual", "2026-08-11", 30_000.0, "张伟"),
        ("L4", "P4", "李四", "individual", "2026-08-12", 40_000.0, "张伟"),
        ("L5", "P5", "周五", "individual", "2026-08-13", 50_000.0, "李娜"),
        ("L6", "P6", "吴六", "individual", "2026-08-14", 60_000.0, None),
        ("L7", "OLD", "郑七", "individual", "2026-07-31", 70_000.0, "李娜"),
        ("L7b", "OLD", "郑七", "individual", "2026-08-02", 7_000.0, "李娜"),
        ("L8", "CORP", "某公司", "corporate", "2026-08-15", 80_000.0, "李娜"),
        ("L9", "NEXT", "王九", "individual", "2026-09-01", 90_000.0, "张伟"),
    ]
    frame = pd.DataFrame(rows, columns=["loan_id", "borrower_id", "borrower_name",
                                        "customer_type", "disbursement_date", "balance",
                                        "loan_officer"])
    loans = pd.DataFrame({
        "loan_id": frame["loan_id"].astype("str"),
        "borrower_id": frame["borrower_id"].astype("str"),
        "borrower_name": frame["borrower_name"].astype("str"),
        "branch": pd.Series(["城东支行"] * len(frame), dtype="str"),
        "customer_type": frame["customer_type"].astype("str"),
        "disbursement_date": pd.to_datetime(frame["disbursement_date"]),
        "balance": frame["balance"].astype("float64"),
        "loan_officer": frame["loan_officer"].astype("str"),
    })
    return loans if officers else loans.drop(columns="loan_officer")


def sheet_rows(content: bytes, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book[sheet].iter_rows(values_only=True))


def write(check: pd.DataFrame, provenance: Provenance | None = PROVENANCE) -> bytes:
    buffer = io.BytesIO()
    write_new_customer_workpaper(check, buffer, provenance=provenance)
    return buffer.getvalue()


def test_the_check_names_each_drawn_customers_officer_when_the_ledger_has_them():
    check = draw_new_customer_check(ledger(), month="2026-08", seed=8)
    # 张伟 4 -> ceil(0.4) = 1, 李娜 1 -> 1, no officer 1 -> 1
    assert check.attrs["by_officer"].to_dict("list") == {
        "loan_officer": ["(未登记客户经理)", "张伟", "李娜"], "new_customers": [1, 4, 1],
        "required": [1, 1, 1]}
    assert check["borrower_id"].tolist() == ["P1", "P5", "P6"]
    assert check["loan_officer"].tolist() == ["张伟", "李娜", "(未登记客户经理)"]
    assert list(check.columns)[:4] == ["borrower_id", "borrower_name", "branch", "loan_officer"]
    without = draw_new_customer_check(ledger(officers=False), month="2026-08", seed=8)
    assert "loan_officer" not in without.columns


def test_the_list_sheet_has_the_drawn_customers_and_empty_columns_to_fill_on_site():
    check = draw_new_customer_check(ledger(), month="2026-08", seed=8)
    rows = sheet_rows(write(check), "核查名单")
    assert rows[0] == ("序号", "客户号", "客户名称", "机构", "客户经理", "首笔发放日", "本月借据号",
                       "贷款余额(元)", "核查结论", "发现问题/挪用情况", "核查人", "核查日期")
    assert rows[1:4] == [
        (1, "P1", "赵一", "城东支行", "张伟", dt.datetime(2026, 8, 1), "L1、L1b", 15_000,
         None, None, None, None),
        (2, "P5", "周五", "城东支行", "李娜", dt.datetime(2026, 8, 13), "L5", 50_000,
         None, None, None, None),
        (3, "P6", "吴六", "城东支行", "(未登记客户经理)", dt.datetime(2026, 8, 14), "L6", 60_000,
         None, None, None, None),
    ]
    # a blank row, then the sign-off block
    assert [r[0] for r in rows[4:]] == [None, "核查人:", "复核人:", "日期:"]


def test_the_conclusion_is_a_drop_down_and_the_sheets_print_as_workpapers():
    check = draw_new_customer_check(ledger(), month="2026-08", seed=8)
    book = openpyxl.load_workbook(io.BytesIO(write(check)))
    assert book.sheetnames == list(NEW_CUSTOMER_SHEETS) == ["核查名单", "按客户经理", "抽样参数"]
    ws = book["核查名单"]
    (validation,) = ws.data_validations.dataValidation
    assert validation.formula1 == '"符合,不符合,不适用"'
    assert str(validation.sqref) == "I2:I4"
    for sheet in book:
        assert sheet.print_title_rows == "$1:$1"
        title, details = sheet.oddHeader.center.text.split("\n")
        assert title == f"新增客户现场核查底稿 · {sheet.title}"
        assert details.split() == ["新增客户月份:2026-08", "数据日期:2026-09-30", "随机种子:8"]
    assert [sheet.page_setup.orientation for sheet in book] == [
        "landscape", "portrait", "portrait"]


def test_the_officer_sheet_counts_new_customers_and_required_draws():
    check = draw_new_customer_check(ledger(), month="2026-08", seed=8)
    assert sheet_rows(write(check), "按客户经理") == [
        ("客户经理", "新增客户数", "应抽户数"), ("(未登记客户经理)", 1, 1), ("张伟", 4, 1),
        ("李娜", 1, 1)]
    whole = draw_new_customer_check(ledger(officers=False), month="2026-08", seed=8)
    assert officer_table(whole).to_dict("list") == {
        "客户经理": ["(台账无客户经理列:全部新增客户)"], "新增客户数": [6], "应抽户数": [1]}
    assert "客户经理" not in new_customer_table(whole).columns


def test_the_parameters_sheet_carries_the_draw_and_the_extracts_provenance():
    check = draw_new_customer_check(ledger(), month="2026-08", seed=8)
    rows = {r[0]: r[1:] for r in sheet_rows(write(check), "抽样参数")[1:]}
    assert rows["新增客户月份(首笔贷款发放月份)"] == ("2026-08", "每月核查上月新增的客户")
    assert rows["抽查比例"][0] == "10%" and rows["抽查比例"][1].startswith("《贷后管理实施细则》一、(二)2")
    assert rows["随机种子"] == (8, "numpy.random.default_rng")
    assert rows["新增个人客户户数"][0] == 6
    assert rows["应抽户数"] == (3, "按客户经理分别向上取整,每人至少1户")
    assert rows["抽取户数"][0] == 3
    assert rows["抽样说明"][0] == check.attrs["note"]
    assert rows["数据文件"][0] == "城东支行台账_20260930.xlsx"
    assert rows["文件指纹(SHA-256)"][0] == "ab" * 32
    assert rows["数据日期"][0] == dt.datetime(2026, 9, 30)
    assert rows["软件版本"][0] == f"postloan-audit {pa.__version__}"
    bare = {r[0]: r[1] for r in sheet_rows(write(check, provenance=None), "抽样参数")[1:]}
    assert (bare["数据文件"], bare["文件指纹(SHA-256)"], bare["数据日期"]) == (None, None, None)


def test_a_month_without_new_customers_writes_an_empty_list():
    check = draw_new_customer_check(ledger(), month="2026-06", seed=8)
    content = write(check)
    assert len(sheet_rows(content, "核查名单")) == 1 + 1 + 3  # header, blank, sign-off
    assert sheet_rows(content, "按客户经理") == [("客户经理", "新增客户数", "应抽户数")]


def test_something_else_than_a_check_is_refused():
    with pytest.raises(pa.SamplingError) as info:
        write_new_customer_workpaper(ledger(), io.BytesIO())
    assert str(info.value).startswith("check 不是 draw_new_customer_check 的结果(缺少 month、rate、seed")
    with pytest.raises(pa.SamplingError, match="收到 list"):
        write_new_customer_workpaper([], io.BytesIO())


@pytest.mark.parametrize(("day", "month"), [(dt.date(2026, 9, 30), "2026-08"),
                                            (dt.date(2026, 10, 1), "2026-09"),
                                            (dt.date(2026, 1, 31), "2025-12")])
def test_a_check_covers_the_month_before(day, month):
    assert new_customer_month(day) == month


def test_the_writer_is_public():
    assert pa.write_new_customer_workpaper is write_new_customer_workpaper
    from postloan_audit.supervision import write_new_customer_workpaper as again
    assert again is write_new_customer_workpaper
