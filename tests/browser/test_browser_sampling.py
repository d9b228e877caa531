"""The branch sampling dashboard (支行抽样) in a real browser: render, chart, upload, error, download.

One page is driven through the whole story an inspector follows, so Voila starts one kernel:
the bundled branch extract renders with its sample and chart; the network snapshot uploaded
through the file chooser brings its four branches and the review plan; a garbage "workbook"
shows the error panel while the snapshot stays shown and the page still reacts; and the
workpaper link downloads a workbook openpyxl opens.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "01_branch_sampling.ipynb"
SNAPSHOT = ROOT / "sample_extracts" / "network_snapshot_20260930.xlsx"
#: Present only once a sample has been drawn and rendered.
READY = "#pa-sampling-strata"


def test_branch_sampling_dashboard_in_the_browser(page, open_voila, save_screenshot, upload_files, tmp_path):
    seconds = open_voila(NOTEBOOK, READY)
    print(f"01_branch_sampling first full render: {seconds:.2f} s")

    # Rendered with the bundled branch extract: one branch, its sample, the chart.
    branch_select = page.locator(".pa-branch-picker select")
    assert branch_select.locator("option").all_inner_texts() == ["城关支行(260笔贷款)"]
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    assert page.locator(".js-plotly-plot").count() >= 1
    summary = page.locator(".pa-sample-summary")
    assert "抽中 10 户" in summary.inner_text()
    assert page.locator("#pa-sampling-borrowers tbody tr").count() == 10
    assert page.locator(".pa-plan-missing").is_visible()
    assert page.locator("text=Traceback").count() == 0
    save_screenshot("01_branch_sampling")

    # Upload the four-branch network snapshot through the file chooser.
    upload_files(files=str(SNAPSHOT))
    page.locator("#pa-sampling-plan").wait_for(state="visible")
    options = branch_select.locator("option").all_inner_texts()
    assert [o.split("(")[0] for o in options] == ["城关支行", "河口镇支行", "石桥镇支行",
                                                  "青山镇支行"]
    # The sample summary is redrawn after the plan: wait for it rather than read it at once.
    expect(summary).to_contain_text("network_snapshot_20260930.xlsx")
    plan_rows = page.locator("#pa-sampling-plan tbody tr")
    assert plan_rows.count() == 4
    assert page.locator(".pa-plan-summary").inner_text().startswith("2026 年:辖内 4 家机构")
    save_screenshot("01_branch_sampling_network")

    # A garbage file named .xlsx: the error panel, the snapshot still shown.
    upload_files(files=[{
        "name": "坏文件.xlsx", "buffer": b"this is not a workbook" * 20,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    error = page.locator(".pa-error")
    error.first.wait_for(state="visible")
    text = error.first.inner_text()
    assert "文件无法读取" in text and "不是 Excel 工作簿" in text
    assert "当前仍显示上一次成功读取的数据:network_snapshot_20260930.xlsx" in text
    assert plan_rows.count() == 4
    # Still usable: another branch is sampled.
    branch_select.select_option(label=next(o for o in options if o.startswith("河口镇支行")))
    page.locator(".pa-sample-summary", has_text="河口镇支行").wait_for(state="visible")

    # The download is a workbook openpyxl opens, for the branch on screen.
    with page.expect_download() as download:
        page.locator("a.pa-download").first.click()
    target = tmp_path / "workpaper.xlsx"
    download.value.save_as(target)
    assert download.value.suggested_filename.startswith("现场检查工作底稿_河口镇支行_20260930")
    wb = load_workbook(target, read_only=True)
    assert wb.sheetnames == ["抽样结果", "分层统计", "抽样参数", "现场检查清单"]
    wb.close()
