"""The on-site review workpaper (现场检查工作底稿).

The workbook is re-read with openpyxl and with pandas' calamine engine; both must find exactly
what was written, formula-looking text included.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from postloan_audit import Extract, SamplingPolicy, __version__, draw_sample, write_sample_workpaper
from postloan_audit.supervision.workpaper import (
    CHECKLIST,
    CHECKLIST_HEADERS,
    CHECKLIST_ITEMS,
    SHEETS,
    checklist_items,
)

CLASSES = ["normal", "special_mention", "substandard", "doubtful", "loss"]


def ledger() -> pd.DataFrame:
    """Five borrowers, with names Excel would take for formulas."""
    rows = [
        ("L01", "B1", "=SUM(A1:A9)", 500_000.0, "normal", "mortgage", "2027-01-31"),
        ("L02", "B1", "=SUM(A1:A9)", 120_000.5, "special_mention", "credit", "2026-12-31"),
        ("L03", "B2", "+86客户", 300_000.0, "doubtful", "guarantee", "2026-11-30"),
        ("L04", "B3", "-负号公司", 200_000.0, "normal", "credit", "2027-06-30"),
        ("L05", "B4", "@张三", 100_000.0, "special_mention", "pledge", "2027-03-31"),
        ("L06", "B5", "李四", 50_000.0, "normal", "credit", "2027-05-31"),
        ("L07", "B5", "李四", 0.0, "normal", "credit", "2025-05-31"),
    ]
    f = pd.DataFrame(rows, columns=["loan_id", "borrower_id", "borrower_name", "balance",
                                    "classification", "guarantee_type", "maturity_date"])
    return pd.DataFrame({
        "loan_id": f["loan_id"].astype("str"),
        "borrower_id": f["borrower_id"].astype("str"),
        "borrower_name": f["borrower_name"].astype("str"),
        "branch": pd.Series(["城东支行"] * len(f), dtype="str"),
        "balance": f["balance"].astype("float64"),
        "classification": pd.Categorical(f["classification"], categories=CLASSES, ordered=True),
        "guarantee_type": f["guarantee_type"].astype("str"),
        "secured": (f["guarantee_type"] != "credit").to_numpy(),
        "maturity_date": pd.to_datetime(f["maturity_date"]),
    })


@pytest.fixture(scope="module")
def sample():
    extract = Extract(loans=ledger(), fingerprint="0123456789abcdef" * 4,
                      source_name="城东支行贷款台账.xlsx", as_of=dt.date(2026, 9, 30))
    return draw_sample(extract, seed=7)


@pytest.fixture(scope="module")
def workbook_bytes(sample) -> bytes:
    buffer = io.BytesIO()
    write_sample_workpaper(sample, buffer)
    return buffer.getvalue()


RESULT_HEADERS = ["序号", "客户号", "客户名称", "借款人五级分类", "客户贷款余额合计(元)", "余额排名",
                  "抽样理由", "借据号", "贷款五级分类", "担保方式", "贷款余额(元)", "到期日期",
                  "选取依据"]
# The branch has 5 borrowers: sampled whole; B1 has two live loans, B5's settled loan is out.
EXPECTED_RESULT = [
    [1, "B1", "=SUM(A1:A9)", "关注", 620000.5, 1, "关注类、贷款余额排名靠前、保证/抵质押担保",
     "L02", "关注", "信用", 120000.5, dt.datetime(2026, 12, 31), "该户分类最差的贷款"],
    [1, "B1", "=SUM(A1:A9)", "关注", 620000.5, 1, "关注类、贷款余额排名靠前、保证/抵质押担保",
     "L01", "正常", "抵押", 500000.0, dt.datetime(2027, 1, 31), "该户有担保的贷款"],
    [2, "B2", "+86客户", "可疑", 300000.0, 2, "不良类(次级及以下)、贷款余额排名靠前、保证/抵质押担保",
     "L03", "可疑", "保证", 300000.0, dt.datetime(2026, 11, 30), "该户分类最差的贷款"],
    [3, "B3", "-负号公司", "正常", 200000.0, 3, "正常类、贷款余额排名靠前",
     "L04", "正常", "信用", 200000.0, dt.datetime(2027, 6, 30), "该户分类最差的贷款"],
    [4, "B4", "@张三", "关注", 100000.0, 4, "关注类、贷款余额排名靠前、保证/抵质押担保",
     "L05", "关注", "质押", 100000.0, dt.datetime(2027, 3, 31), "该户分类最差的贷款"],
    [5, "B5", "李四", "正常", 50000.0, 5, "正常类、贷款余额排名靠前",
     "L06", "正常", "信用", 50000.0, dt.datetime(2027, 5, 31), "该户分类最差的贷款"],
]


def test_workbook_has_the_four_sheets_in_order(workbook_bytes):
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    assert wb.sheetnames == list(SHEETS) == ["抽样结果", "分层统计", "抽样参数", "现场检查清单"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(cell.font.bold for cell in ws[1])
        assert ws.column_dimensions["A"].width >= 4  # set from the contents


def test_result_sheet_reads_back_exactly_with_openpyxl(workbook_bytes):
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes))["抽样结果"]
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert values[0] == RESULT_HEADERS
    assert values[1:] == EXPECTED_RESULT
    # Formula-looking names are literal text, never formulas.
    name_cells = [ws.cell(row=r, column=3) for r in range(2, ws.max_row + 1)]
    assert [c.data_type for c in name_cells] == ["s"] * 6
    assert [c.quotePrefix for c in name_cells[:5]] == [True] * 5
    assert ws.cell(row=2, column=5).number_format == "#,##0.00"
    assert ws.cell(row=2, column=6).number_format == "#,##0"


def test_result_sheet_reads_back_exactly_with_calamine(workbook_bytes):
    frame = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name="抽样结果", engine="calamine")
    assert list(frame.columns) == RESULT_HEADERS
    got = frame.astype(object).to_numpy().tolist()
    expected = [[pd.Timestamp(v) if isinstance(v, dt.datetime) else v for v in row]
                for row in EXPECTED_RESULT]
    assert got == expected


def test_strata_sheet(workbook_bytes, sample):
    frame = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name="分层统计", engine="calamine")
    assert list(frame.columns) == ["配额", "应抽户数", "可抽户数", "已抽户数", "说明"]
    assert frame["配额"].tolist() == ["正常类", "关注类", "不良类(次级及以下)", "贷款余额排名靠前",
                                    "保证/抵质押担保", "合计"]
    assert frame[["应抽户数", "可抽户数", "已抽户数"]].to_numpy().tolist() == [
        [2, 2, 2], [2, 2, 2], [1, 1, 1], [3, 5, 5], [3, 3, 3], [5, 5, 5]]
    assert frame["说明"].fillna("").tolist() == sample.strata["note"].tolist()
    assert frame["说明"][5] == "机构仅5户,不足10户,全部抽取"


def test_parameter_sheet_carries_the_provenance(workbook_bytes, sample):
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes))["抽样参数"]
    pairs = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert pairs["被查机构"] == "城东支行"
    assert pairs["随机种子"] == 7
    for name, zh, value, _ in SamplingPolicy().describe():
        assert pairs[f"{zh}({name})"] == value
    assert pairs["数据文件"] == "城东支行贷款台账.xlsx"
    assert pairs["文件指纹(SHA-256)"] == "0123456789abcdef" * 4
    assert pairs["数据日期"] == dt.datetime(2026, 9, 30)  # a date cell, not text
    assert (pairs["抽样总体贷款笔数"], pairs["抽样总体借款人户数"], pairs["剔除贷款笔数"]) == (6, 5, 1)
    assert (pairs["抽取借款人户数"], pairs["抽取贷款笔数"]) == (5, 6)
    assert pairs["抽样时间"] == sample.drawn_at.replace(microsecond=0)
    formats = {row[0].value: row[1].number_format for row in ws.iter_rows(min_row=2)}
    assert formats["数据日期"] == "yyyy-mm-dd"
    assert formats["抽样时间"] == "yyyy-mm-dd hh:mm:ss"
    assert pairs["软件版本"] == f"postloan-audit {__version__}"


def test_checklist_has_the_items_of_each_loans_type(workbook_bytes, sample):
    frame = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name="现场检查清单", engine="calamine")
    assert list(frame.columns) == list(CHECKLIST_HEADERS) == [
        "笔序号", "客户号", "客户名称", "借据号", "客户类型", "贷款品种", "担保方式", "贷款余额(元)",
        "检查项目", "依据", "检查结论", "问题描述", "检查人", "检查日期"]
    table = frame[frame["借据号"].notna()]
    # No customer type in this ledger: every loan is checked as an individual's; credit loans
    # get items (一)–(三), the guaranteed L03 also the guarantor item, the mortgaged L01 and
    # pledged L05 the collateral item; no 贷款品种, so no business item (五).
    personal = list(CHECKLIST_ITEMS[:3])
    guarantor, collateral = CHECKLIST[3].text, CHECKLIST[4].text
    expected = {"L02": personal, "L01": [*personal, collateral], "L03": [*personal, guarantor],
                "L04": personal, "L05": [*personal, collateral], "L06": personal}
    assert table["借据号"].tolist() == [k for k, v in expected.items() for _ in v]
    assert table["检查项目"].tolist() == [t for v in expected.values() for t in v]
    assert table["依据"].tolist()[:3] == ["《个人贷后管理》第八章 第四十五条(一)",
                                         "《个人贷后管理》第八章 第四十五条(二)",
                                         "《个人贷后管理》第八章 第四十五条(三)"]
    assert table["笔序号"].tolist()[:4] == [1, 1, 1, 2]
    assert table["客户名称"].tolist()[:3] == ["=SUM(A1:A9)"] * 3
    assert table[["检查结论", "问题描述", "检查人", "检查日期"]].isna().all().all()
    assert CHECKLIST_ITEMS[0] == "(一)借款人是否按照合同约定用途使用信贷资金"


def test_checklist_gives_corporate_loans_the_corporate_items_and_business_loans_item_five():
    loans = ledger().iloc[:4].copy()
    loans["customer_type"] = pd.Series(["corporate", "individual", "individual", "individual"],
                                       dtype="str").to_numpy()
    loans["product"] = pd.Series(["流动资金贷款", "个人经营贷款", "个人消费贷款", "个人经营贷款"],
                                 dtype="str").to_numpy()
    applies = checklist_items(loans.reset_index(drop=True))
    chosen = [[CHECKLIST[j].source for j in np.flatnonzero(row)] for row in applies]
    s003, s001 = "《个人贷后管理》第八章 第四十五条", "《贷后管理工作计划》篇三"
    assert chosen == [
        # L01: corporate, mortgaged: basic information, statements, fund flows, collateral.
        [f"{s001} 一(一)", f"{s001} 一(一)", f"{s001} 一(二)3", f"{s001} 二(四)"],
        # L02: individual business loan, credit: (一)–(三) and (五).
        [f"{s003}(一)", f"{s003}(二)", f"{s003}(三)", f"{s003}(五)"],
        # L03: individual consumer loan, guaranteed: (一)–(三) and the guarantor item.
        [f"{s003}(一)", f"{s003}(二)", f"{s003}(三)", f"{s003}(四)"],
        # L04: individual business loan, credit.
        [f"{s003}(一)", f"{s003}(二)", f"{s003}(三)", f"{s003}(五)"],
    ]
    assert CHECKLIST[int(np.flatnonzero(applies[2])[-1])].needs == "guarantor"


def test_workpaper_prints_on_a4_with_drop_downs_and_a_sign_off(workbook_bytes):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    for ws in book.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
        assert ws.print_title_rows == "$1:$1"
        title, details = ws.oddHeader.center.text.split("\n")
        assert title == f"现场检查工作底稿 · {ws.title}"
        assert details.split() == ["被查机构:城东支行", "数据日期:2026-09-30", "随机种子:7"]
        assert ws.oddFooter.center.text == "第 &P 页,共 &N 页"
    # the wide sheets print landscape (抽样结果 13 columns, 现场检查清单 14), the narrow ones
    # portrait (分层统计 5 columns, 抽样参数 3: names and values, the longest wrapping)
    assert [ws.page_setup.orientation for ws in book.worksheets] == [
        "landscape", "portrait", "portrait", "landscape"]
    ws = book["现场检查清单"]
    assert ws["I2"].alignment.wrap_text is True  # 检查项目 wraps
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    assert validations[0].type == "list" and validations[0].formula1 == '"符合,不符合,不适用"'
    assert str(validations[0].sqref) == "K2:K22"  # 检查结论 of the 21 checklist rows
    assert ws["K1"].value == "检查结论" and ws["L1"].value == "问题描述"
    # The sign-off block below the table (a blank row, then 检查人 / 复核人 / 日期).
    assert [ws.cell(row=r, column=1).value for r in (24, 25, 26)] == ["检查人:", "复核人:", "日期:"]
    # each label is followed by a boxed space to sign in, about fifteen characters wide
    for r in (24, 25, 26):
        (box,) = [m for m in ws.merged_cells.ranges
                  if m.min_row == r and ws.cell(row=r, column=m.min_col).border.top.style]
        width = sum(ws.column_dimensions[get_column_letter(j)].width
                    for j in range(box.min_col, box.max_col + 1))
        assert width >= 30


def test_workpaper_written_to_a_path(tmp_path, sample, workbook_bytes):
    target = tmp_path / "底稿.xlsx"
    write_sample_workpaper(sample, target)
    a = pd.read_excel(target, sheet_name=None, engine="calamine")
    b = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name=None, engine="calamine")
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_workpaper_without_optional_columns(tmp_path):
    loans = ledger().drop(columns=["maturity_date", "borrower_name"])
    sample = draw_sample(loans, seed=1)
    target = tmp_path / "w.xlsx"
    write_sample_workpaper(sample, target)
    frame = pd.read_excel(target, sheet_name="抽样结果", engine="calamine")
    assert "到期日期" not in frame.columns
    assert frame["客户名称"].isna().all()
