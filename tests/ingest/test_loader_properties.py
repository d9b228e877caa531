"""Property tests of the loader: no row is ever lost, and value formats round-trip."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import postloan_audit as pa
from postloan_audit.commands.cli import main
from postloan_audit.ingest import parsing

HEADER = ["借据号", "客户号", "经营机构", "贷款余额", "五级分类", "担保方式", "发放日期", "到期日期"]

cell = st.one_of(
    st.sampled_from(["", " ", "正常", "关注", "次级", "5", "抵押+保证", "信用", "-1", "1,000",
                     "2026-02-30", "2026/9/30", "合计", "小 计", "N/A", "=SUM(A1)", "０", "是"]),
    st.text(alphabet="0123456789.-,/年月日ABC正常抵押", max_size=8),
)
row = st.lists(cell, min_size=len(HEADER), max_size=len(HEADER))


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@settings(max_examples=80, deadline=None)
@given(st.lists(row, min_size=1, max_size=25))
def test_every_row_is_kept_rejected_summarised_or_blank(rows):
    data = to_csv(rows)
    try:
        extract = pa.load_extract(data, filename="random.csv")
    except pa.ExtractError as err:
        # Only a file without any usable data row may be refused as a whole.
        assert err.problem == "no_data_rows"
        return
    acc = extract.accounting.iloc[0]
    assert acc["rows_read"] == acc["kept"] + acc["rejected"] + acc["summary_rows"]
    nonblank = {i + 2 for i, r in enumerate(rows) if any(c.strip() for c in r)}
    kept = set(extract.loans["source_row"])
    rej = set(extract.rejected["row"])
    summary = set(extract.issues.loc[extract.issues["message"].str.startswith("合计"), "row"])
    assert kept | rej | summary == nonblank
    assert not (kept & rej) and not (kept & summary) and not (rej & summary)
    assert acc["rows_read"] == len(nonblank)
    # What is kept is valid: required values present, balance not negative, ids unique.
    loans = extract.loans
    assert loans[["loan_id", "borrower_id", "branch", "balance", "classification",
                  "guarantee_type"]].notna().all().all()
    assert (loans["balance"] >= 0).all()
    assert loans["loan_id"].is_unique


FORMATS = [
    lambda d: d.strftime("%Y-%m-%d"),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: str((d - dt.date(1899, 12, 30)).days),
    lambda d: d.strftime("%Y-%m-%d 00:00:00"),
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)),
                          st.integers(0, len(FORMATS) - 1)), min_size=1, max_size=30))
def test_date_formats_round_trip(items):
    text = pd.Series([FORMATS[f](d) for d, f in items], dtype="str")
    parsed, invalid = parsing.parse_dates(text)
    assert not invalid.any()
    assert parsed.dt.date.tolist() == [d for d, _ in items]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10**11), min_size=1, max_size=30), st.booleans(), st.booleans())
def test_amount_formats_round_trip(cents, thousands, full_width):
    def show(c):
        text = f"{c / 100:,.2f}" if thousands else f"{c / 100:.2f}"
        if full_width:
            text = text.translate(str.maketrans("0123456789.,", "０１２３４５６７８９．，"))
        return text

    parsed, invalid = parsing.parse_amounts(pd.Series([show(c) for c in cents], dtype="str"))
    assert not invalid.any()
    assert parsed.round(2).tolist() == [round(c / 100, 2) for c in cents]


def test_cli_validate_reports_and_exits_zero(capsys, tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes(to_csv([["L1", "C1", "城关支行", "100", "正常", "信用", "", ""],
                             ["L1", "C1", "城关支行", "100", "正常", "信用", "", ""]]))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "loans(loans):读取 2 行,保留 1 行,拒绝 1 行,合计行 0 行" in out
    assert "借据号重复,与第 2 行相同" in out


def test_cli_validate_bad_file_exits_two_with_message(capsys, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 / Error: 文件 bad.xlsx 的扩展名是 .xlsx,但内容不是 Excel 工作簿")
