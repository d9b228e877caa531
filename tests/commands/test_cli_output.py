"""CLI output: tables aligned by display width, narrow terminals, option names in hints, short
alias lists unless ``--verbose``, rule titles and 高/中/低."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from postloan_audit.commands.cli import cli_message, main
from postloan_audit.commands.tables import display_width, format_table

ROOT = Path(__file__).resolve().parents[2]
HEAD_OFFICE = ROOT / "sample_extracts" / "head_office_6_branches_20260930.csv"


def test_columns_line_up_with_chinese_text():
    frame = pd.DataFrame({"机构": ["城关支行", "A"], "笔数": [12, 3456]})
    lines = format_table(frame, width=80).splitlines()
    assert lines == ["机构" + " " * 7 + "笔数", "城关支行" + " " * 5 + "12", "A" + " " * 9 + "3,456"]
    assert {display_width(line) for line in lines} == {15}  # the columns line up
    assert display_width("城关支行") == 8


def test_missing_values_are_blank_cells_not_none_nan_or_nat():
    frame = pd.DataFrame({"日期": pd.to_datetime(["2026-09-30", None]),
                          "金额": [1.5, float("nan")],
                          "笔数": pd.array([3, None], dtype="Int64"),
                          "客户名称": [None, "客户2"]})
    assert format_table(frame, width=80).splitlines() == [
        "日期                 金额  笔数  客户名称",
        "2026-09-30 00:00:00  1.50     3",
        "                                 客户2",
    ]


def test_a_wide_table_is_transposed_for_a_narrow_terminal():
    frame = pd.DataFrame({"机构": ["城关支行", "河口镇支行"],
                          **{f"规则{i}": [i, 10 * i] for i in range(1, 13)}})
    wide = format_table(frame, width=200)
    assert len(wide.splitlines()) == 3
    narrow = format_table(frame, width=40, transpose_if_wide=True)
    lines = narrow.splitlines()
    assert lines[0].split() == ["城关支行", "河口镇支行"]
    assert lines[1].split() == ["规则1", "1", "10"]
    assert len(lines) == 13
    assert max(map(display_width, lines)) <= 40


def test_what_still_does_not_fit_is_split_into_blocks_repeating_the_first_column():
    frame = pd.DataFrame({"机构": ["城关支行"], **{f"规则名称{i}": [i] for i in range(8)}})
    blocks = format_table(frame, width=50).split("\n\n")
    assert len(blocks) > 1
    for block in blocks:
        assert block.splitlines()[0].startswith("机构")
        assert block.splitlines()[1].startswith("城关支行")
        assert max(map(display_width, block.splitlines())) <= 50


def test_check_prints_rule_titles_and_chinese_severity_fitted_to_the_terminal(
        monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["check", str(HEAD_OFFICE), "--as-of", "2026-09-30"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("文件 head_office_6_branches_20260930.csv")  # a sentence, wraps
    assert max(map(display_width, lines[1:])) <= 80  # every table fits
    row = next(line for line in lines if line.startswith("逾期贷款分类偏高"))
    assert row.split()[:3] == ["逾期贷款分类偏高", "CLS-OVERDUE", "高"]
    # By branch: rules down the side (title first, id after), branches across.
    assert "逾期贷款分类偏高(CLS-OVERDUE)" in out
    assert " medium " not in out and " high " not in out


def test_hints_name_cli_options_not_python_keywords():
    assert cli_message("choose one with branch=.") == "choose one with --branch."
    assert cli_message("数据包含 2 个机构,请指定被查机构。") == "数据包含 2 个机构,请用 --branch 指定被查机构。"
    assert cli_message("pass as_of= or rules=") == "pass --as-of or --rules"
    assert cli_message("branch=城关支行 is fine") == "branch=城关支行 is fine"  # a value, kept


@pytest.fixture
def bad_headers(tmp_path) -> Path:
    path = tmp_path / "坏表头.csv"
    path.write_text("借据,客户编号,贷款余额,五级分类,担保方式,经营机构\nL1,C1,100,正常,信用,城关支行\n",
                    encoding="utf-8")
    return path


def test_a_missing_column_lists_the_closest_accepted_headers_and_all_with_verbose(
        bad_headers, capsys):
    assert main(["validate", str(bad_headers)]) == 2
    short = capsys.readouterr().err.strip()
    assert short == (
        "错误 / Error: 文件 坏表头.csv 缺少必填列:借据号(loan_id),可用列名如 / accepted e.g. "
        "「借据号」、「借据编号」、「借据号码」。读到的表头:「借据」、「客户编号」、「贷款余额」、"
        "「五级分类」、「担保方式」、「经营机构」。请把列名改为可识别的名称;加 --verbose 列出全部可用"
        "列名。 / Missing required column(s) loan_id; add --verbose to list every accepted "
        "header.")
    assert main(["--verbose", "validate", str(bad_headers)]) == 2
    full = capsys.readouterr().err
    assert "贷款账号" in full and "loanno" in full and "--verbose" not in full
