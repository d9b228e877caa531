"""The statistical sampling dashboard (统计抽样) in a real browser.

One page follows the auditor's story: the control test is planned at start (93 items, AICPA
Table A-1 at 95% / 5% / 1%); the sample is drawn; the workpaper downloads, is filled in with one
deviation and uploaded back, and the conclusion says the control can be relied on; a workpaper
with a blank answer shows the error panel naming the row; the classification-accuracy test is
then planned and drawn by monetary unit.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

NOTEBOOK = "04_statistical_sampling.ipynb"
READY = ".pa-stat-plan"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filled(path, column: str, values: dict[int, object], default: object) -> bytes:
    wb = load_workbook(path)
    ws = wb["样本"]
    col = [c.value for c in ws[1]].index(column) + 1
    for i, row in enumerate(range(2, ws.max_row + 1)):
        ws.cell(row, col, values.get(i, default))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_statistical_sampling_dashboard_in_the_browser(page, open_voila, save_screenshot,
                                                       upload_files, tmp_path):
    seconds = open_voila(NOTEBOOK, READY)
    print(f"04_statistical_sampling first full render: {seconds:.2f} s")
    expect(page.locator(".pa-stat-plan")).to_contain_text("抽取 93 笔贷款逐笔检查")
    assert page.locator("text=Traceback").count() == 0

    page.locator(".pa-stat-draw-button").click()
    rows = page.locator("#pa-stat-sample tbody tr")
    expect(rows).to_have_count(93)
    save_screenshot("04_statistical_sampling")

    with page.expect_download() as download:
        page.locator("a.pa-download").first.click()
    assert download.value.suggested_filename.startswith("统计抽样工作底稿_控制测试_种子")
    target = tmp_path / "workpaper.xlsx"
    download.value.save_as(target)

    upload_files(files=[{"name": "已填写.xlsx", "mimeType": XLSX,
                         "buffer": _filled(target, "是否偏差(是/否)", {0: "是"}, "否")}],
                 button_text="上传已填写底稿")
    conclusion = page.locator(".pa-stat-conclusion")
    expect(conclusion).to_contain_text("样本 93 项中发现偏差 1 项")
    expect(conclusion).to_contain_text("可以信赖该项控制")

    upload_files(files=[{"name": "漏填.xlsx", "mimeType": XLSX,
                         "buffer": _filled(target, "是否偏差(是/否)", {3: None}, "否")}],
                 button_text="上传已填写底稿")
    expect(page.locator(".pa-error")).to_contain_text("第 5 行未填或无法识别")
    # the conclusion still on screen is labelled as the earlier workpaper's
    expect(page.locator(".pa-stale")).to_contain_text("以下为上一次上传的底稿")

    page.locator(".pa-stat-test button", has_text="五级分类准确性").click()
    expect(page.locator(".pa-stat-plan")).to_contain_text("按金额抽取 93 个货币单元")
    page.locator(".pa-stat-draw-button").click()
    expect(page.locator(".pa-stat-sample-summary")).to_contain_text("高额项目")
    with page.expect_download() as download:
        page.locator("a.pa-download").first.click()
    assert download.value.suggested_filename.startswith("统计抽样工作底稿_五级分类_种子")
    save_screenshot("04_statistical_sampling_mus")
