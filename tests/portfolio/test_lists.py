"""The monthly lists (月度名单): next month's maturities and the loans settled between snapshots.

Small hand-built ledgers; every expected row is written out.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import postloan_audit as pa
from postloan_audit.core.errors import ExtractTypeError, ListError
from postloan_audit.core.extract import Extract
from postloan_audit.core.schema import CLASSIFICATIONS
from postloan_audit.portfolio.lists import (
    MATURITY_LIST_COLUMNS,
    SETTLED_LIST_COLUMNS,
    list_by_branch,
    maturity_list,
    maturity_month,
    maturity_table,
    settled_list,
    settled_table,
    write_maturity_list,
    write_settled_list,
)


def loans(rows: list[tuple], *, notices: bool = True) -> pd.DataFrame:
    """Canonical loans from (loan, borrower, branch, balance, maturity, notice) rows."""
    f = pd.DataFrame(rows, columns=["loan_id", "borrower_id", "branch", "balance",
                                    "maturity_date", "maturity_notice_date"])
    n = len(f)
    frame = pd.DataFrame({
        "loan_id": f["loan_id"].astype("str"),
        "borrower_id": f["borrower_id"].astype("str"),
        "borrower_name": ("客户" + f["borrower_id"]).astype("str"),
        "branch": f["branch"].astype("str"),
        "balance": f["balance"].astype("float64"),
        "classification": pd.Categorical(["normal", "special_mention"] * (n // 2)
                                         + ["normal"] * (n % 2),
                                         categories=CLASSIFICATIONS, ordered=True),
        "guarantee_type": pd.Series(["mortgage", "credit"] * (n // 2) + ["mortgage"] * (n % 2),
                                    dtype="str"),
        "repayment_method": pd.Series(["bullet"] * n, dtype="str"),
        "loan_officer": pd.Series(["张伟"] * n, dtype="str"),
        "disbursement_date": pd.to_datetime(["2025-10-15"] * n),
        "maturity_date": pd.to_datetime(f["maturity_date"]),
        "maturity_notice_date": pd.to_datetime(f["maturity_notice_date"]),
    })
    return frame if notices else frame.drop(columns="maturity_notice_date")


LEDGER = [
    ("A1", "P1", "城关支行", 100.0, "2026-10-31", "2026-09-28"),  # last day of October: in
    ("A2", "P2", "城关支行", 200.0, "2026-11-01", None),  # first day of November: out
    ("A3", "P3", "城关支行", 300.0, "2026-10-01", None),  # first day of October: in
    ("A4", "P4", "城关支行", 400.0, "2026-09-30", None),  # last day of September: out
    ("A5", "P5", "城关支行", 0.0, "2026-10-15", None),  # settled already: out
    ("B2", "P6", "河口镇支行", 600.0, "2026-10-15", None),
    ("B1", "P7", "河口镇支行", 700.0, "2026-10-15", "2026-09-10"),
    ("B3", "P8", "河口镇支行", 800.0, None, None),  # no maturity date: out
]


def test_a_loan_maturing_on_the_months_last_day_is_in_and_on_the_next_months_first_is_not():
    listed = maturity_list(loans(LEDGER), month="2026-10")
    # by branch, then maturity date, then loan id
    assert listed["loan_id"].tolist() == ["A3", "A1", "B1", "B2"]
    assert list(listed.columns) == MATURITY_LIST_COLUMNS
    assert listed["maturity_date"].tolist() == [pd.Timestamp("2026-10-01"),
                                                pd.Timestamp("2026-10-31"),
                                                pd.Timestamp("2026-10-15"),
                                                pd.Timestamp("2026-10-15")]
    assert listed["balance"].tolist() == [300.0, 100.0, 700.0, 600.0]
    assert listed["notice_recorded"].tolist() == [False, True, True, False]
    assert listed.attrs == {"month": "2026-10", "count": 4, "balance": 1700.0, "as_of": None,
                            "source_name": None, "missing": ()}
    assert maturity_list(loans(LEDGER), month="2026-11")["loan_id"].tolist() == ["A2"]
    assert maturity_list(loans(LEDGER), month="2026-09")["loan_id"].tolist() == ["A4"]


def test_the_maturity_list_shows_chinese_values_and_says_when_no_notice_column_exists():
    listed = maturity_list(loans(LEDGER, notices=False), month="2026-10")
    assert listed["notice_recorded"].isna().all()
    assert listed.attrs["missing"] == ("maturity_notice_date",)
    shown = maturity_table(listed)
    assert list(shown.columns) == ["序号", "经营机构", "借据号", "客户号", "客户名称", "客户经理",
                                   "贷款余额(元)", "到期日期", "担保方式", "五级分类", "还款方式",
                                   "到期通知日期", "已登记到期通知"]
    assert shown.iloc[0].tolist()[:7] == [1, "城关支行", "A3", "P3", "客户P3", "张伟", 300.0]
    assert shown["担保方式"].tolist() == ["抵押", "抵押", "抵押", "信用"]
    assert shown["五级分类"].tolist() == ["正常", "正常", "正常", "关注"]
    assert shown["还款方式"].tolist() == ["到期一次还本"] * 4
    assert shown["已登记到期通知"].tolist() == ["台账无此列"] * 4
    with_notices = maturity_table(maturity_list(loans(LEDGER), month="2026-10"))
    assert with_notices["已登记到期通知"].tolist() == ["否", "是", "是", "否"]


def test_optional_columns_the_ledger_lacks_are_empty_and_named():
    bare = loans(LEDGER)[["loan_id", "borrower_id", "branch", "balance", "maturity_date"]]
    listed = maturity_list(bare, month="2026-10")
    assert listed["loan_id"].tolist() == ["A3", "A1", "B1", "B2"]
    assert listed["borrower_name"].isna().all() and listed["classification"].isna().all()
    assert listed.attrs["missing"] == ("borrower_name", "loan_officer", "guarantee_type",
                                       "classification", "repayment_method",
                                       "maturity_notice_date")


def test_the_extracts_data_date_and_name_travel_with_the_list():
    extract = Extract(loans=loans(LEDGER), fingerprint="cd" * 32, source_name="全辖_20260930.xlsx",
                      as_of=dt.date(2026, 9, 30))
    listed = pa.maturity_list(extract, month=maturity_month(extract.as_of))
    assert listed.attrs["month"] == "2026-10" and listed.attrs["as_of"] == dt.date(2026, 9, 30)
    assert listed.attrs["source_name"] == "全辖_20260930.xlsx"


@pytest.mark.parametrize(("day", "month"), [(dt.date(2026, 9, 30), "2026-10"),
                                            (dt.date(2026, 12, 1), "2027-01")])
def test_the_list_made_in_a_month_is_for_the_month_after(day, month):
    assert maturity_month(day) == month


@pytest.mark.parametrize("month", ["2026/10", "2026-13", "2026-1", "十月", None])
def test_a_month_that_is_not_yyyy_mm_is_refused(month):
    with pytest.raises(ListError) as info:
        maturity_list(loans(LEDGER), month=month)
    assert str(info.value) == (f"月份须为 YYYY-MM 格式(如 2026-10),收到 {month!r}。 / month must"
                               f" look like 'YYYY-MM', got {month!r}.")
    assert isinstance(info.value, ValueError) and isinstance(info.value, pa.PostloanAuditError)


def test_missing_or_undated_columns_and_wrong_types_are_refused():
    with pytest.raises(ListError) as info:
        maturity_list(loans(LEDGER).drop(columns="maturity_date"), month="2026-10")
    assert str(info.value) == ("贷款台账(到期提示表)缺少所需的列:maturity_date。 / the loans (maturity"
                               " list) lacks the columns it needs: ['maturity_date'].")
    text_dates = loans(LEDGER).assign(maturity_date=lambda f: f["maturity_date"].astype("str"))
    with pytest.raises(ListError, match="maturity_date 不是日期类型"):
        maturity_list(text_dates, month="2026-10")
    with pytest.raises(ExtractTypeError, match="data 须为 Extract"):
        maturity_list([1, 2], month="2026-10")


# --------------------------------------------------------------------------- settled loans


BEFORE = [
    ("S1", "P1", "城关支行", 100.0, "2026-12-31", None),  # gone from after: settled
    ("S2", "P2", "城关支行", 200.0, "2027-01-31", None),  # balance 0 in after: settled
    ("S3", "P3", "城关支行", 300.0, "2027-02-28", None),  # still outstanding
    ("S4", "P4", "城关支行", 0.0, "2026-05-31", None),  # settled before: not this time
    ("S5", "P5", "河口镇支行", 500.0, "2026-08-31", None),  # gone: settled
    ("S6", "P6", "柳林镇支行", 600.0, "2026-08-31", None),  # branch not in after: out of scope
    ("S7", "P7", "柳林镇支行", 700.0, "2026-08-31", None),  # moved to 城关支行, balance 0
]
AFTER = [
    ("S2", "P2", "城关支行", 0.0, "2027-01-31", None),
    ("S3", "P3", "城关支行", 250.0, "2027-02-28", None),
    ("S4", "P4", "城关支行", 0.0, "2026-05-31", None),
    ("S7", "P7", "城关支行", 0.0, "2026-08-31", None),
    ("N1", "P9", "河口镇支行", 900.0, "2027-09-30", None),  # new: not in the list
]


def snapshot(rows: list[tuple], day: dt.date | None, name: str) -> Extract:
    return Extract(loans=loans(rows), fingerprint="ef" * 32, source_name=name, as_of=day)


def test_loans_gone_or_at_zero_are_settled_and_the_rest_are_not():
    settled = settled_list(snapshot(BEFORE, dt.date(2026, 8, 31), "0831.xlsx"),
                           snapshot(AFTER, dt.date(2026, 9, 30), "0930.xlsx"))
    assert list(settled.columns) == SETTLED_LIST_COLUMNS
    assert settled[["branch", "loan_id", "balance_before", "settled_as"]].to_dict("list") == {
        "branch": ["城关支行", "城关支行", "柳林镇支行", "河口镇支行"],
        "loan_id": ["S1", "S2", "S7", "S5"],
        "balance_before": [100.0, 200.0, 700.0, 500.0],
        "settled_as": ["gone", "zero", "zero", "gone"]}
    np.testing.assert_array_equal(settled["balance_after"].to_numpy(), [np.nan, 0.0, 0.0, np.nan])
    assert settled["borrower_name"].tolist() == ["客户P1", "客户P2", "客户P7", "客户P5"]
    assert settled["maturity_date"].tolist()[0] == pd.Timestamp("2026-12-31")
    assert settled.attrs == {
        "as_of_before": dt.date(2026, 8, 31), "as_of_after": dt.date(2026, 9, 30),
        "source_before": "0831.xlsx", "source_after": "0930.xlsx", "count": 4, "gone": 2,
        "zero": 2, "balance_before": 1500.0, "out_of_scope": 1,
        "note": "上期台账中有 1 笔在贷贷款所属机构不在本期台账中,本期台账未覆盖这些机构,未列入结清名单。"
                " / 1 active loan(s) of branches the later snapshot does not cover were left out.",
        "missing": ()}
    shown = settled_table(settled)
    assert shown["结清情形"].tolist() == ["本期台账中已无", "本期余额为0", "本期余额为0", "本期台账中已无"]
    assert list(shown.columns) == ["序号", "经营机构", "借据号", "客户号", "客户名称", "客户经理",
                                   "发放日期", "到期日期", "上期余额(元)", "本期余额(元)", "结清情形"]


def test_snapshots_in_the_wrong_order_or_with_a_loan_twice_are_refused():
    earlier = snapshot(BEFORE, dt.date(2026, 8, 31), "0831.xlsx")
    later = snapshot(AFTER, dt.date(2026, 9, 30), "0930.xlsx")
    with pytest.raises(ListError) as info:
        settled_list(later, earlier)
    assert str(info.value) == ("上期台账的数据日期(2026-09-30)须早于本期台账(2026-08-31);请先给上期、后给本期。"
                               " / the earlier snapshot (2026-09-30) must be dated before the"
                               " later one (2026-08-31): give the earlier first.")
    twice = loans(AFTER + [("S3", "P3", "城关支行", 1.0, "2027-02-28", None)])
    with pytest.raises(ListError) as info:
        settled_list(loans(BEFORE), twice)
    assert str(info.value) == ("本期台账中借据号重复:S3。 / duplicate loan ids in the later"
                               " snapshot: ['S3'].")
    with pytest.raises(ListError, match=r"上期台账缺少所需的列:borrower_id"):
        settled_list(loans(BEFORE).drop(columns="borrower_id"), loans(AFTER))
    with pytest.raises(ExtractTypeError, match="after 须为 Extract"):
        settled_list(loans(BEFORE), "0930.xlsx")


def test_frames_without_dates_are_compared_as_given():
    settled = settled_list(loans(BEFORE), loans(AFTER))
    assert settled["loan_id"].tolist() == ["S1", "S2", "S7", "S5"]
    assert (settled.attrs["as_of_before"], settled.attrs["as_of_after"]) == (None, None)
    assert settled_list(loans(AFTER), loans(AFTER)).empty


# --------------------------------------------------------------------------- workbooks


def rows(content: bytes, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


def test_the_maturity_workbook_has_a_titled_list_and_a_summary_by_branch():
    extract = Extract(loans=loans(LEDGER, notices=False), fingerprint="cd" * 32,
                      source_name="全辖_20260930.xlsx", as_of=dt.date(2026, 9, 30))
    listed = maturity_list(extract, month="2026-10")
    buffer = io.BytesIO()
    pa.write_maturity_list(listed, buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["到期提示表", "按机构汇总"]
    sheet = rows(buffer.getvalue(), "到期提示表")
    assert sheet[0][0] == "2026年10月贷款到期提示表(数据日期 2026-09-30)"
    assert sheet[1][:4] == ("序号", "经营机构", "借据号", "客户号")
    assert [r[2] for r in sheet[2:6]] == ["A3", "A1", "B1", "B2"]
    assert sheet[3][7] == dt.datetime(2026, 10, 31) and sheet[3][12] == "台账无此列"
    assert sheet[6] == (None,) * 13
    assert sheet[7][0].startswith("依据:《贷后管理工作计划》篇四 3 提前一个月将次月到期贷款通知各所")
    assert sheet[7][0].endswith("数据文件:全辖_20260930.xlsx。")
    assert sheet[8][0] == "台账无以下列,表中相应栏为空:到期通知日期。"
    assert rows(buffer.getvalue(), "按机构汇总") == [
        ("2026年10月贷款到期提示表(数据日期 2026-09-30)", None, None),
        ("经营机构", "笔数", "贷款余额(元)"), ("城关支行", 2, 400), ("河口镇支行", 2, 1300),
        ("合计", 4, 1700)]
    ws = book["到期提示表"]
    assert ws.print_title_rows == "$1:$2" and ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape"
    title, details = ws.oddHeader.center.text.split("\n")
    assert title == "2026年10月贷款到期提示表(数据日期 2026-09-30) · 到期提示表"
    assert details.split() == ["到期月份:2026-10", "数据日期:2026-09-30"]
    # the sign-off block under the notes (编制人 / 复核人 / 日期)
    assert [r[0] for r in sheet[10:13]] == ["编制人:", "复核人:", "日期:"]


def test_the_settled_workbook_names_both_snapshots_and_the_loans_left_out(tmp_path):
    settled = settled_list(snapshot(BEFORE, dt.date(2026, 8, 31), "0831.xlsx"),
                           snapshot(AFTER, dt.date(2026, 9, 30), "0930.xlsx"))
    target = tmp_path / "结清名单.xlsx"
    write_settled_list(settled, target)
    content = target.read_bytes()
    sheet = rows(content, "结清名单")
    assert sheet[0][0] == "贷款结清名单(上期 2026-08-31 至本期 2026-09-30)"
    assert [r[2] for r in sheet[2:6]] == ["S1", "S2", "S7", "S5"]
    assert sheet[2][8:] == (100, None, "本期台账中已无")
    assert sheet[7][0].endswith("上期:0831.xlsx;本期:0930.xlsx。")
    assert sheet[8][0] == settled.attrs["note"]
    assert rows(content, "按机构汇总")[2:] == [("城关支行", 2, 300), ("柳林镇支行", 1, 700),
                                               ("河口镇支行", 1, 500), ("合计", 4, 1500)]


def test_the_summary_by_branch_adds_up():
    listed = maturity_list(loans(LEDGER), month="2026-10")
    assert list_by_branch(listed).to_dict("list") == {
        "branch": ["城关支行", "河口镇支行"], "loans": [2, 2], "balance": [400.0, 1300.0]}


def test_the_lists_are_public():
    assert (pa.maturity_list, pa.settled_list, pa.write_maturity_list, pa.write_settled_list,
            pa.ListError) == (maturity_list, settled_list, write_maturity_list,
                              write_settled_list, ListError)


def test_several_files_of_one_date_are_one_book():
    east = [r for r in LEDGER if r[2] == "城关支行"]
    west = [r for r in LEDGER if r[2] != "城关支行"]
    files = [Extract(loans=loans(east), fingerprint="11" * 32, source_name="城关.xlsx",
                     as_of=dt.date(2026, 9, 30)),
             Extract(loans=loans(west), fingerprint="22" * 32, source_name="河口.csv",
                     as_of=dt.date(2026, 9, 29))]
    listed = maturity_list(files, month="2026-10")
    assert listed["loan_id"].tolist() == ["A3", "A1", "B1", "B2"]
    assert listed.attrs["source_name"] == "城关.xlsx; 河口.csv"
    assert listed.attrs["as_of"] == dt.date(2026, 9, 30)  # the latest
    before = [snapshot([r for r in BEFORE if r[2] == "城关支行"], dt.date(2026, 8, 31), "a.xlsx"),
              snapshot([r for r in BEFORE if r[2] != "城关支行"], dt.date(2026, 8, 31), "b.xlsx")]
    settled = settled_list(before, [snapshot(AFTER, dt.date(2026, 9, 30), "0930.xlsx")])
    assert settled["loan_id"].tolist() == ["S1", "S2", "S7", "S5"]
    assert settled.attrs["source_before"] == "a.xlsx; b.xlsx"
    with pytest.raises(ListError, match="before 中没有任何台账"):
        settled_list([], loans(AFTER))


def test_snapshots_sharing_no_loan_id_are_not_two_dates_of_one_book():
    other = [("X" + r[0], *r[1:]) for r in AFTER]
    with pytest.raises(ListError) as info:
        settled_list(snapshot(BEFORE, dt.date(2026, 8, 31), "0831.xlsx"),
                     snapshot(other, dt.date(2026, 9, 30), "他行_0930.xlsx"))
    assert str(info.value) == ("上期台账(0831.xlsx)与本期台账(他行_0930.xlsx)没有一个相同的借据号,"
                               "不是同一账簿的两期,无法编制结清名单。 / the two snapshots share no"
                               " loan id: they are not two dates of one book.")
    # an empty later snapshot: everything before is gone, nothing to compare against
    assert settled_list(loans(BEFORE), loans(AFTER).iloc[:0]).empty
