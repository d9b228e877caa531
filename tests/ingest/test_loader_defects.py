"""Realistic files the loader once misread (files in tests/data, made by make_corpus.py
``loader_defects``): the exact outcome of each, by every text engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from extract_reads import assert_same_read, frames

import postloan_audit as pa
from postloan_audit.ingest.delimited import TextOptions

DATA = Path(__file__).parents[1] / "data"
SUMMARY = "合计/小计行,已单独列出,未作为贷款读取 / summary row set aside, not read as a loan"
#: Every way the text reader can read a file: the engines, small blocks, the whole text.
READINGS = [TextOptions(), TextOptions(engine="exact"), TextOptions(block_bytes=40),
            TextOptions(engine="exact", stream=False)]


def _accounting(extract: pa.Extract) -> dict:
    rec = extract.accounting.iloc[0]
    return {k: int(rec[k]) for k in ("rows_read", "kept", "rejected", "summary_rows",
                                     "blank_rows")}


def _same_by_every_reading(data: bytes, name: str) -> pa.Extract:
    reads = [pa.load_extract(data, filename=name, text=options) for options in READINGS]
    for read in reads[1:]:
        assert_same_read(frames(read), frames(reads[0]))
    return reads[0]


# ----------------------------------------------------------------------------- 合  计


def test_a_total_spaced_out_to_centre_it_is_a_summary_row():
    extract = pa.load_extract(DATA / "spaced_total.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002"]
    assert extract.rejected.empty
    summary = extract.issues[extract.issues["message"] == SUMMARY]
    assert summary["row"].tolist() == [4, 5, 6]  # 合  计, 小\u3000计 (branch), 总 计 (first)
    assert _accounting(extract) == {"rows_read": 5, "kept": 2, "rejected": 0,
                                    "summary_rows": 3, "blank_rows": 0}


@pytest.mark.parametrize("cell", ["合  计", "合\u3000\u3000计", "小 计", "总\t计", "城关支行 合 计"])
def test_spaces_inside_a_total_word_in_the_branch_column_set_the_row_aside(cell):
    data = ("借据号,客户号,经营机构,贷款余额,五级分类,担保方式\n"
            "L1,C1,城关支行,100,正常,信用\n"
            f",,{cell},100,,\n").encode()
    extract = _same_by_every_reading(data, "台账.csv")
    assert extract.loans["loan_id"].tolist() == ["L1"]
    assert extract.rejected.empty
    assert extract.issues.loc[extract.issues["message"] == SUMMARY, "row"].tolist() == [3]


def test_a_name_with_spaced_characters_is_not_a_total():
    data = ("借据号,客户号,客户名称,经营机构,贷款余额,五级分类,担保方式\n"
            "L1,C1,合 计 科技有限公司,城关支行,100,正常,信用\n").encode()
    extract = pa.load_extract(data, filename="台账.csv")
    assert extract.loans["borrower_name"].tolist() == ["合 计 科技有限公司"]
    assert extract.issues.loc[extract.issues["message"] == SUMMARY].empty


# ----------------------------------------------------------------------------- "贷款余额\n(元)"


def test_a_header_cell_with_a_line_break_is_one_cell_and_rows_keep_their_line_numbers():
    extract = _same_by_every_reading((DATA / "header_line_break.csv").read_bytes(),
                                     "header_line_break.csv")
    assert extract.loans["loan_id"].tolist() == ["L001"]
    assert extract.loans["balance"].tolist() == [1000.0]
    assert extract.loans["classification"].tolist() == ["normal"]
    assert extract.loans["source_row"].tolist() == [4]  # title 1, header 2-3, rows 4 and 5
    assert extract.rejected[["row", "column", "reason"]].values.tolist() == [
        [5, "balance", "贷款余额为负数 / negative balance"]]
    assert _accounting(extract) == {"rows_read": 2, "kept": 1, "rejected": 1,
                                    "summary_rows": 0, "blank_rows": 0}


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_several_header_cells_with_line_breaks_and_a_unit_on_the_second_line(encoding):
    text = ('借据号,"客户\n编号",经营机构,"贷款余额\n(万元)",五级分类,担保方式\n'
            "L1,C1,城关支行,1.5,正常,信用\n"
            "L2,C2,城关支行,2,关注,\n"
            "L3,C3,城关支行,3,正常,信用\n")
    extract = _same_by_every_reading(text.encode(encoding), "台账.csv")
    assert extract.loans["loan_id"].tolist() == ["L1", "L3"]
    assert extract.loans["borrower_id"].tolist() == ["C1", "C3"]
    assert extract.loans["balance"].tolist() == [15000.0, 30000.0]
    assert extract.loans["source_row"].tolist() == [4, 6]
    assert extract.rejected[["row", "column"]].values.tolist() == [[5, "guarantee_type"]]


def test_a_missing_column_names_the_first_line_of_a_header_with_a_line_break():
    text = '说明\n借据号,客户号,经营机构,"贷款余额\n(元)",担保方式\nL1,C1,城关支行,1,信用\n'
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(text.encode(), filename="缺列.csv")
    assert err.value.details["headers"] == ["借据号", "客户号", "经营机构", "贷款余额\n(元)", "担保方式"]
    assert err.value.details["header_row"] == 2
    assert "(表头在第 2 行 / header row 2)" in str(err.value)


def test_a_quote_left_open_in_a_title_does_not_swallow_the_header():
    text = ('"全行贷款台账 截至2026年9月30日\n'
            "借据号,客户号,经营机构,贷款余额,五级分类,担保方式\n"
            "L1,C1,城关支行,1,正常,信用\n")
    extract = _same_by_every_reading(text.encode(), "台账.csv")
    assert extract.loans["loan_id"].tolist() == ["L1"]
    assert extract.loans["source_row"].tolist() == [3]
    assert extract.as_of is not None and str(extract.as_of) == "2026-09-30"


# ----------------------------------------------------------------------------- a GBK row in UTF-8

PASTED = ("第 4 行含无法识别的字节(0xCD 0xF5 0xCE 0xE5 0xB6),该行内容不可信"
          " / line 4 holds undecodable bytes (0xCD 0xF5 0xCE 0xE5 0xB6)")


def test_a_utf8_file_with_a_row_pasted_from_gbk_loads_and_rejects_that_row():
    extract = _same_by_every_reading((DATA / "utf8_with_gbk_row.csv").read_bytes(),
                                     "utf8_with_gbk_row.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002"]
    assert extract.loans["borrower_name"].tolist() == ["张三", "李四"]
    assert extract.rejected[["row", "column", "value", "reason"]].values.tolist() == [
        [4, "", "", PASTED]]
    assert not extract.issues["message"].str.startswith("文本编码识别为").any()  # UTF-8
    assert _accounting(extract) == {"rows_read": 3, "kept": 2, "rejected": 1,
                                    "summary_rows": 0, "blank_rows": 0}


def test_a_pasted_gbk_row_past_the_encoding_sample_is_rejected_the_same_way():
    rows = "".join(f"L{n:03d},C{n:03d},客户{n},城关支行,{n}00,正常,信用\n" for n in range(1, 300))
    data = ("借据号,客户号,客户名称,经营机构,贷款余额,五级分类,担保方式\n" + rows).encode() \
        + "L999,C999,王五,东街支行,3000,正常,信用\n".encode("gbk") \
        + "L300,C300,赵六,城关支行,100,正常,信用\n".encode()
    reads = [pa.load_extract(data, filename="台账.csv", text=TextOptions(sample_bytes=size))
             for size in (200, 2**20)]
    assert_same_read(frames(reads[0]), frames(reads[1]))
    extract = reads[0]
    assert len(extract.loans) == 300 and "L999" not in set(extract.loans["loan_id"])
    assert extract.rejected["row"].tolist() == [301]
    assert extract.rejected["reason"].str.startswith("第 301 行含无法识别的字节(0xCD 0xF5").all()


def test_a_gbk_file_is_still_read_as_gbk():
    extract = pa.load_extract(DATA / "gbk.csv")
    assert extract.rejected.empty
    assert "文本编码识别为 gb18030 / text decoded as gb18030" in extract.issues["message"].tolist()
    # Chinese on one line only, the rest ASCII: no UTF-8 anywhere, so GBK, not a damaged line.
    data = ("loan_id,borrower_id,branch,balance,classification,guarantee_type\n"
            "L1,C1,HQ,1.00,normal,credit\n" + "L2,C2,城关支行,2.00,正常,信用\n").encode("gbk")
    extract = pa.load_extract(data, filename="gbk_one_line.csv")
    assert extract.loans["branch"].tolist() == ["HQ", "城关支行"]
    assert extract.rejected.empty


def test_up_to_one_pasted_row_in_a_hundred_lines_is_damage_of_a_utf8_file():
    rows = [f"L{n:03d},C{n:03d},城关支行,{n},正常,信用" for n in range(1, 201)]
    pasted = {50, 150}  # two rows of 201 lines: at most 201 // 100
    data = "借据号,客户号,经营机构,贷款余额,五级分类,担保方式\n".encode() + b"".join(
        (row + "\n").encode("gbk" if n in pasted else "utf-8")
        for n, row in enumerate(rows, start=1))
    extract = _same_by_every_reading(data, "台账.csv")
    assert len(extract.loans) == 198
    assert extract.rejected["row"].tolist() == [51, 151]
