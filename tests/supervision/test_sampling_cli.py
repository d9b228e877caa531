"""``postloan-audit sample`` and ``postloan-audit plan-reviews`` through the real loader."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from postloan_audit import draw_sample, load_extract
from postloan_audit.commands.cli import main

HEADERS = ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式"]


def ledger_rows(branch: str = "城东支行", n: int = 14, start: int = 0) -> list[list]:
    classes, guarantees = ["正常", "关注", "次级"], ["抵押", "信用", "保证"]
    return [[f"L{i:03d}", f"C{i:03d}", f"客户{i}", branch, f"{(40 - i) * 10_000:,}",
             classes[i % 3], guarantees[i % 3]] for i in range(start, start + n)]


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "城东支行贷款台账.csv"
    pd.DataFrame(ledger_rows(), columns=HEADERS).to_csv(path, index=False)
    return path


@pytest.fixture
def xlsx_file(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "贷款台账"
    ws.append(HEADERS)
    for row in ledger_rows() + ledger_rows("城西支行", 6, start=20):
        ws.append(row)
    branches = wb.create_sheet("机构")
    branches.append(["机构", "最近现场检查日期"])
    branches.append(["城东支行", dt.date(2024, 12, 31)])
    branches.append(["城西支行", dt.date(2025, 1, 1)])
    branches.append(["城南支行", dt.date(2025, 8, 1)])
    path = tmp_path / "分行台账.xlsx"
    wb.save(path)
    return path


def test_sample_prints_strata_and_sample_and_writes_the_workpaper(csv_file, tmp_path, capsys):
    out = tmp_path / "底稿.xlsx"
    code = main(["sample", str(csv_file), "--branch", "城东支行", "--seed", "3", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    expected = draw_sample(load_extract(csv_file), seed=3)
    lines = captured.out.splitlines()
    assert lines[: len(expected.summary().splitlines())] == expected.summary().splitlines()
    assert "分层统计 / strata" in lines and "抽样结果 / sample" in lines
    sample_block = lines[lines.index("抽样结果 / sample") + 2:]
    printed_ids = [line.split()[0] for line in sample_block[: expected.size]]
    assert printed_ids == expected.borrowers["borrower_id"].tolist()
    assert lines[-1] == f"现场检查工作底稿已写入 / workpaper written: {out}"
    written = pd.read_excel(out, sheet_name="抽样结果", engine="calamine")
    assert written["借据号"].tolist() == expected.loans["loan_id"].tolist()


def test_sample_min_borrowers_option(csv_file, capsys):
    assert main(["sample", str(csv_file), "--seed", "3", "--min-borrowers", "12"]) == 0
    assert "随机种子:3;抽取借款人 12 户,贷款 12 笔" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["--branch", "城北支行", "--seed", "1"],
     "错误 / Error: 数据中没有机构「城北支行」;数据中的机构:城东支行。 / Branch '城北支行' is not in"
     " the data; branches found: ['城东支行']."),
    (["--seed", "-4"],
     "错误 / Error: 随机种子须为非负整数,收到 -4。 / seed must be a non-negative integer, got -4."),
    (["--seed", "1", "--min-borrowers", "-1"],
     "错误 / Error: 抽样参数 --min-borrowers(最低抽查户数)须为非负整数,收到 -1。 / Sampling policy"
     " value --min-borrowers must be a non-negative integer, got -1."),
])
def test_sample_bad_input_exits_2_with_a_message(csv_file, capsys, argv, message):
    assert main(["sample", str(csv_file), *argv]) == 2
    assert capsys.readouterr().err.strip() == message


def test_sample_several_branches_need_a_branch(xlsx_file, capsys):
    assert main(["sample", str(xlsx_file), "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert "The data holds 2 branches (城东支行, 城西支行)" in err
    # The hint names the CLI option, not the Python keyword.
    assert "请用 --branch 指定被查机构。" in err and "choose one with --branch." in err
    assert "branch=" not in err


def test_sample_missing_file_exits_2(tmp_path, capsys):
    assert main(["sample", str(tmp_path / "无此文件.csv"), "--seed", "1"]) == 2
    assert capsys.readouterr().err.startswith("错误 / Error: 找不到文件")


def test_plan_reviews_prints_the_plan(xlsx_file, capsys):
    assert main(["plan-reviews", str(xlsx_file), "--year", "2026"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2026年现场检查计划:辖内 3 个机构,必查 1 个,计划检查 2 个"
    rows = [line.split() for line in lines[2:]]
    assert [(r[0], r[2], r[3]) for r in rows] == [("城东支行", "是", "是"), ("城西支行", "否", "是"),
                                                 ("城南支行", "否", "否")]


def test_plan_reviews_without_a_branches_sheet_exits_2(csv_file, capsys):
    assert main(["plan-reviews", str(csv_file), "--year", "2026"]) == 2
    assert capsys.readouterr().err.strip() == (
        "错误 / Error: 文件 城东支行贷款台账.csv 没有机构表(需包含「机构」「最近现场检查日期」两列)。"
        " / 城东支行贷款台账.csv has no branches sheet (columns 机构, 最近现场检查日期).")
