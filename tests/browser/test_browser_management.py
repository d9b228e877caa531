"""The management dashboard (管理层看板) in a real browser: render, charts, masking, download,
upload, bad file.

One page follows a manager's visit, so Voila starts one kernel: the two bundled network
snapshots render with KPIs, four plotly charts and the migration matrix; the workbook link
downloads a workbook openpyxl opens; the branch ledger uploaded as the later snapshot through
the file chooser replaces the tables; a garbage "workbook" uploaded as the earlier snapshot
shows the error panel while the page stays as it was and still reacts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
NOTEBOOK = "03_management_dashboard.ipynb"
BRANCH = ROOT / "sample_extracts" / "branch_chengguan_20260930.xlsx"
#: Present only once the KPIs of a snapshot have been rendered.
READY = "#pa-mgmt-kpis"


def test_management_dashboard_in_the_browser(page, open_voila, save_screenshot, upload_files, tmp_path):
    seconds = open_voila(NOTEBOOK, READY)
    print(f"03_management_dashboard first full render: {seconds:.2f} s")

    # Both bundled snapshots: KPIs, the four charts, every table, the signed-in user line.
    kpis = page.locator(READY)
    for label in ("贷款笔数", "不良贷款率", "逾期90天以上贷款占比", "贷后检查及时率",
                  "关注类贷款迁徙率"):
        assert label in kpis.inner_text()
    plots = page.locator(".js-plotly-plot")
    plots.first.wait_for(state="visible")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4")
    assert plots.count() == 4
    assert page.locator("#pa-class-table tbody tr").count() == 4
    assert page.locator("#pa-concentration-table tbody tr").count() == 10
    assert page.locator("#pa-migration-count tbody tr").count() == 6  # 5 classes + 合计
    assert page.locator("#pa-coverage-table tbody tr").count() == 4
    assert "当前用户:未经统一登录(本机运行)" in page.locator("#pa-current-user").inner_text()
    assert page.locator("text=Traceback").count() == 0
    save_screenshot("03_management_dashboard")

    # The workbook download opens in openpyxl and carries the parameter sheet.
    with page.expect_download() as download:
        page.locator("a.pa-download").first.click()
    assert download.value.suggested_filename == "管理层看板数据.xlsx"
    target = tmp_path / "x.xlsx"
    download.value.save_as(target)
    book = load_workbook(target)
    assert book.sheetnames[:3] == ["参数", "主要指标", "五级分类"]
    params = {r[0]: r[1] for r in book["参数"].iter_rows(min_row=2, values_only=True)}
    assert params["当前用户"] == "未经统一登录(本机运行)"
    assert params["期末快照"].startswith("network_snapshot_20260930.xlsx")

    # Upload the one-branch ledger as the later snapshot through the file chooser.
    upload_files(index=0, files=str(BRANCH))
    page.get_by_text("两个快照没有相同借据号的在贷贷款", exact=False).first.wait_for(
        state="visible")
    rows = page.locator("#pa-class-table tbody tr")
    assert rows.count() == 1 and rows.first.inner_text().startswith("城关支行")
    assert page.get_by_text("期末快照:branch_chengguan_20260930.xlsx", exact=False).count() == 1
    assert page.get_by_text("期末快照没有机构表", exact=False).count() == 1
    assert plots.count() == 4

    # A garbage file as the earlier snapshot: the error panel, the page as it was.
    # Upload buttons in page order: each panel has 上传台账 then 上传导出配置.
    upload_files(index=2, files=[{
        "name": "坏文件.xlsx", "buffer": b"this is not a workbook" * 20,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    error = page.locator(".pa-error")
    error.first.wait_for(state="visible")
    text = error.first.inner_text()
    assert "文件无法读取" in text and "不是 Excel 工作簿" in text
    assert "当前仍显示上一次成功读取的数据:network_snapshot_20260630.xlsx" in text
    assert rows.count() == 1 and plots.count() == 4
    assert page.locator("text=Traceback").count() == 0

    # Still usable: the branch ledger chosen as the earlier snapshot too clears the error and
    # flags the dates (the same day twice).
    page.locator(".widget-dropdown select").nth(1).select_option(label="样例:城关支行台账 2026-09-30")
    page.get_by_text("不早于期末快照日期", exact=False).first.wait_for(state="visible")
    assert error.count() == 0
    assert page.locator("#pa-migration-count tbody tr").count() == 6


# --------------------------------------------------------------------------- published mode


@pytest.fixture(scope="module")
def published_url(start_voila):
    """Voila serving only the management notebook, as docs/deploy.md publishes it: bound to
    127.0.0.1 and passing the proxy's ``X-Remote-User`` header into the kernel."""
    with start_voila(f"notebooks/{NOTEBOOK}",
                       "--VoilaConfiguration.http_header_envs=['X-Remote-User']",
                       log_name="voila_published.log") as base:
        yield base


def test_published_page_shows_and_records_the_signed_in_user(page, published_url, tmp_path):
    page.set_extra_http_headers({"X-Remote-User": "zhang.san"})
    page.goto(published_url + "/")
    page.locator(READY).wait_for(state="visible")
    assert page.locator("#pa-current-user").inner_text() == "当前用户:zhang.san"
    with page.expect_download() as download:
        page.locator("a.pa-download").first.click()
    target = tmp_path / "published.xlsx"
    download.value.save_as(target)
    params = {r[0]: r[1] for r in
              load_workbook(target)["参数"].iter_rows(min_row=2, values_only=True)}
    assert params["当前用户"] == "zhang.san"
    # Only this notebook is served: the other dashboards and the tree are not reachable.
    for path in ("/voila/render/01_branch_sampling.ipynb", "/voila/tree"):
        response = page.request.get(published_url + path)
        assert response.status in (403, 404), (path, response.status)
