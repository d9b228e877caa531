"""``postloan-audit stat-plan``, ``stat-sample`` and ``stat-evaluate`` through the real loader."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from postloan_audit import draw_mus_sample, evaluate_mus, load_extract
from postloan_audit.commands.cli import main
from postloan_audit.statistical import workpaper as wp

HEADERS = ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式"]


@pytest.fixture
def ledger(tmp_path):
    """40 loans of 城东支行: 36 normal or special mention, 4 substandard."""
    classes = ["正常", "关注", "正常", "正常", "正常", "关注", "正常", "正常", "正常", "次级"]
    rows = [[f"L{i:03d}", f"C{i:03d}", f"客户{i}", "城东支行", f"{(i + 1) * 10_000:,}",
             classes[i % 10], "抵押"] for i in range(40)]
    path = tmp_path / "城东支行贷款台账.csv"
    pd.DataFrame(rows, columns=HEADERS).to_csv(path, index=False)
    return path


def _fill(path, column, values, default):
    wb = openpyxl.load_workbook(path)
    ws = wb["样本"]
    col = [c.value for c in ws[1]].index(column) + 1
    for i, row in enumerate(range(2, ws.max_row + 1)):
        ws.cell(row, col, values.get(i, default))
    wb.save(path)


def test_stat_plan_control_prints_the_table_a2_size(capsys):
    assert main(["stat-plan", "--test", "control", "--confidence", "0.90", "--tolerable", "0.05",
                 "--expected", "0.035"]) == 0
    out = capsys.readouterr().out
    assert "样本量 400 项;样本中偏差不超过 14 项时" in out


def test_stat_plan_classification_from_the_extract(ledger, capsys):
    assert main(["stat-plan", "--test", "classification", "--tolerable", "0.05", "--expected",
                 "0.01", "--extract", str(ledger)]) == 0
    out = capsys.readouterr().out
    performing = sum((i + 1) * 10_000 for i in range(40) if i % 10 != 9)
    assert f"总体金额 {performing:,.2f} 元" in out
    assert "样本量 93 个货币单元" in out


def test_stat_plan_without_a_population_value_is_an_error(capsys):
    assert main(["stat-plan", "--test", "classification", "--tolerable", "0.05"]) == 2
    assert "缺少参数 --extract、--population-value" in capsys.readouterr().err


def test_control_sample_and_evaluation_from_the_filled_workpaper(ledger, tmp_path, capsys):
    out = tmp_path / "control.xlsx"
    assert main(["stat-sample", str(ledger), "--test", "control", "--n", "10", "--seed", "4",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    items = wp.draw_control_items(load_extract(ledger).loans, 10, seed=4)
    assert "借据号:" + "、".join(items["loan_id"]) in printed
    _fill(out, wp.H_DEVIATION, {1: "是"}, "否")
    assert main(["stat-evaluate", "--test", "control", "--workpaper", str(out), "--extract",
                 str(ledger), "--seed", "4", "--n", "10", "--tolerable", "0.3"]) == 0
    printed = capsys.readouterr().out
    assert "样本量 10 项,偏差 1 项" in printed
    assert "总体偏差率上限 39.42%" in printed  # Beta⁻¹(0.95; 2, 9) = 0.3942
    assert "不能信赖该项控制" in printed
    # The same workpaper checked against another seed's sample: the ids differ.
    assert main(["stat-evaluate", "--test", "control", "--workpaper", str(out), "--extract",
                 str(ledger), "--seed", "5", "--n", "10"]) == 2
    assert "回传底稿的借据号与样本不一致" in capsys.readouterr().err


def test_classification_sample_and_evaluation(ledger, tmp_path, capsys):
    out = tmp_path / "mus.xlsx"
    assert main(["stat-sample", str(ledger), "--test", "classification", "--n", "12", "--seed",
                 "9", "--method", "cell", "--out", str(out)]) == 0
    extract = load_extract(ledger)
    sample = draw_mus_sample(wp.performing_loans(extract.loans), 12, seed=9, method="cell")
    assert "借据号:" + "、".join(sample.loans["loan_id"]) in capsys.readouterr().out
    _fill(out, wp.H_MISCLASSIFIED, {0: "5,000"}, 0)
    assert main(["stat-evaluate", "--test", "classification", "--extract", str(ledger), "--seed",
                 "9", "--n", "12", "--method", "cell", "--workpaper", str(out),
                 "--tolerable", "0.2"]) == 0
    audited = dict(zip(sample.loans["loan_id"], sample.loans["book_value"], strict=True))
    audited[sample.loans["loan_id"].iloc[0]] -= 5_000
    direct = evaluate_mus(sample, audited, confidence=0.95)
    printed = capsys.readouterr().out
    assert f"错报上限 {direct.upper_misstatement:,.2f} 元" in printed
    assert direct.summary(0.2).splitlines()[-1] in printed


def test_a_missing_workpaper_sheet_is_named(ledger, tmp_path, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    path = tmp_path / "别的文件.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    assert main(["stat-evaluate", "--test", "control", "--workpaper", str(path)]) == 2
    assert "工作底稿 别的文件.xlsx 中没有「样本」工作表(现有:Sheet1)" in capsys.readouterr().err
