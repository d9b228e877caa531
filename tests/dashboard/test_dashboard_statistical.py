"""Headless tests of the statistical sampling dashboard (统计抽样看板).

Driven the way its widgets drive it (control values, button clicks, the upload widget's value)
on the bundled 城关支行 extract (260 loans, 252 of them normal or special mention).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from postloan_audit import draw_mus_sample, evaluate_mus, load_extract
from postloan_audit.dashboard import StatisticalSamplingDashboard
from postloan_audit.statistical import workpaper as wp

ROOT = Path(__file__).resolve().parents[2]
EXTRACT = ROOT / "sample_extracts" / "branch_chengguan_20260930.xlsx"


def _fill(workbook: bytes, column: str, values: dict[int, object], default: object) -> bytes:
    """Fill ``column`` of the 样本 sheet: ``values`` by data row (0-based), else ``default``."""
    wb = load_workbook(io.BytesIO(workbook))
    ws = wb[wp.SAMPLE_SHEET]
    col = [c.value for c in ws[1]].index(column) + 1
    for i, row in enumerate(range(2, ws.max_row + 1)):
        ws.cell(row, col, values.get(i, default))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(dash: StatisticalSamplingDashboard, content: bytes, name: str = "已填写.xlsx") -> None:
    dash.upload.value = ({"name": name, "type": "", "size": len(content), "content": content,
                          "last_modified": dt.datetime(2026, 10, 8, 9, 0)},)


@pytest.fixture
def dash() -> StatisticalSamplingDashboard:
    board = StatisticalSamplingDashboard(seed=5)
    board.start()
    return board


def test_control_test_plan_draw_workpaper_and_conclusion(dash):
    # Plan: 95%, tolerable 5%, expected 1% -> 93 (AICPA Table A-1).
    assert dash.plan_result.n == 93 and dash.plan_result.expected_deviations == 1
    assert "抽取 <b>93</b> 笔贷款逐笔检查。若发现的偏差不超过 1 笔" in dash.plan_box.value
    dash.draw_button.click()
    assert dash.error.value == ""
    ids = np.sort(load_extract(EXTRACT).loans["loan_id"].to_numpy().astype(str))
    expected = ids[np.sort(np.random.default_rng(5).permutation(len(ids))[:93])]
    assert dash.items["loan_id"].tolist() == expected.tolist()
    assert dash.sample_box.value.count("<tr>") == 93 + 1
    assert "统计抽样工作底稿_控制测试_种子5.xlsx" in dash.download.value
    wb = load_workbook(io.BytesIO(dash.workpaper), read_only=True)
    assert wb.sheetnames == ["样本", "参数"]
    header = [c.value for c in next(wb["样本"].iter_rows(max_row=1))]
    assert header == ["借据号", "客户名称", "经营机构", "五级分类", "账面余额(元)",
                      "是否偏差(是/否)", "检查说明"]
    wb.close()

    # One deviation: the control can be relied on (upper limit 4.99% <= 5%).
    _upload(dash, _fill(dash.workpaper, wp.H_DEVIATION, {2: "是"}, "否"))
    assert dash.error.value == ""
    assert dash.evaluation.deviations == 1 and dash.evaluation.n == 93
    assert "不超过可容忍偏差率 5.00%:在计划的信赖过度风险 5.0% 下,可以信赖该项控制。" in dash.result_box.value
    # Two deviations: it cannot.
    _upload(dash, _fill(dash.workpaper, wp.H_DEVIATION, {2: "是", 7: "是"}, "否"))
    assert dash.evaluation.deviations == 2
    assert "不能信赖该项控制" in dash.result_box.value


def test_a_workpaper_with_blanks_gets_an_error_naming_the_rows(dash):
    dash.draw()
    _upload(dash, _fill(dash.workpaper, wp.H_DEVIATION, {0: None, 4: "也许"}, "否"))
    assert "第 2、6 行未填或无法识别" in dash.error.value
    assert dash.evaluation is None
    _upload(dash, b"not a workbook")
    assert "无法打开工作底稿 已填写.xlsx" in dash.error.value


def test_a_failed_upload_labels_the_earlier_conclusion_as_the_earlier_workpapers(dash):
    dash.draw()
    assert dash.evaluate_workpaper(_fill(dash.workpaper, wp.H_DEVIATION, {2: "是"}, "否"),
                                   "第一次.xlsx")
    conclusion = dash.result_box.value
    assert "pa-stale" not in conclusion and "可以信赖该项控制" in conclusion
    assert not dash.evaluate_workpaper(b"not a workbook", "第二次.xlsx")
    assert dash.result_box.value == (
        "<div class='pa-note pa-stale'>以下为上一次上传的底稿「第一次.xlsx」的评价结论;本次上传的"
        "「第二次.xlsx」未通过校验,结论未更新。 / The conclusion below is the previous "
        "workpaper's; this upload was not used.</div>" + conclusion)
    # A new sample clears both: no conclusion of another sample stays.
    dash.draw()
    assert dash.result_box.value == ""


def test_classification_accuracy_plan_draw_and_evaluation(dash):
    dash.test.value = "classification"
    performing = wp.performing_loans(load_extract(EXTRACT).loans)
    assert len(performing) == 252
    assert dash.plan_result.n == 93  # Table C-1: 5% risk, ratio 0.2, tolerable 5%
    assert dash.plan_result.population_value == pytest.approx(performing["balance"].sum())
    dash.method.value = "cell"
    dash.draw()
    assert dash.error.value == ""
    again = draw_mus_sample(performing, 93, seed=5, method="cell")
    assert dash.mus_sample.loans["loan_id"].tolist() == again.loans["loan_id"].tolist()
    assert f"选中贷款 {len(again.loans)} 笔:高额项目 {len(again.top_stratum)} 笔" in dash.sample_box.value
    # The first sampled loan should have been NPL for 1,000 yuan; a top-stratum loan for all of it.
    loans = dash.mus_sample.loans
    first_sampled = int(np.flatnonzero(loans["stratum"].to_numpy() == "sample")[0])
    first_top = int(np.flatnonzero(loans["stratum"].to_numpy() == "top")[0])
    top_value = float(loans["book_value"].iloc[first_top])
    filled = _fill(dash.workpaper, wp.H_MISCLASSIFIED, {first_sampled: 1000, first_top: top_value}, 0)
    _upload(dash, filled)
    assert dash.error.value == ""
    audited = dict(zip(loans["loan_id"], loans["book_value"], strict=True))
    audited[loans["loan_id"].iloc[first_sampled]] -= 1000
    audited[loans["loan_id"].iloc[first_top]] = 0.0
    direct = evaluate_mus(again, audited, confidence=0.95)
    assert dash.evaluation.upper_misstatement == pytest.approx(direct.upper_misstatement)
    assert dash.evaluation.top_stratum_misstatement == pytest.approx(top_value)
    assert f"总体错报上限为 {direct.upper_misstatement:,.2f} 元" in dash.result_box.value
    assert dash.result_box.value.count("<tr>") == 2 + 1  # two misstatements listed


def test_an_amount_above_the_balance_is_refused(dash):
    dash.test.value = "classification"
    dash.draw()
    book = float(dash.mus_sample.loans["book_value"].iloc[0])
    _upload(dash, _fill(dash.workpaper, wp.H_MISCLASSIFIED, {0: book * 2}, 0))
    assert "「应划为不良的余额(元)」须在 0 与账面余额之间,第 2 行超出范围" in dash.error.value


def test_expected_at_or_above_tolerable_shows_the_error_and_keeps_the_page(dash):
    dash.expected.value = 5.0
    dash.plan_button.click()
    assert "预计总体偏差率(5.00%)须低于可容忍偏差率(5.00%)" in dash.error.value
    assert dash.plan_result is None
    dash.expected.value = 0.0
    dash.plan_button.click()
    assert dash.error.value == "" and dash.plan_result.n == 59  # Table A-1, 0% expected
