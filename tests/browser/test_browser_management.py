"""The management dashboard (管理层看板) in a real browser: render, charts, masking, download,
upload, bad file.

One page follows a manager's visit, so Voila starts one kernel: the two bundled network
snapshots render with KPIs, four plotly charts and the migration matrix; the workbook link
downloads a workbook openpyxl opens; the branch ledger uploaded as the later snapshot through
the file chooser replaces the tables; a garbage "workbook" uploaded as the earlier snapshot
shows the error panel while the page stays as it was and still reacts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

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
    for label in ("在贷借据笔数", "不良贷款率", "逾期90天以上贷款占比", "贷后检查及时率",
                  "关注类贷款迁徙率"):
        expect(kpis).to_contain_text(label)
    plots = page.locator(".js-plotly-plot")
    expect(plots).to_have_count(4)
    expect(page.locator("#pa-class-table tbody tr")).to_have_count(4)
    expect(page.locator("#pa-concentration-table tbody tr")).to_have_count(10)
    expect(page.locator("#pa-migration-count tbody tr")).to_have_count(6)  # 5 classes + 合计
    expect(page.locator("#pa-coverage-table tbody tr")).to_have_count(4)
    expect(page.locator("#pa-current-user")).to_contain_text("当前用户:未经统一登录(本机运行)")
    expect(page.locator("text=Traceback")).to_have_count(0)
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
    expect(page.get_by_text("两个快照没有相同借据号的在贷贷款", exact=False).first).to_be_visible()
    rows = page.locator("#pa-class-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text(re.compile(r"^城关支行"))
    expect(page.get_by_text("期末快照:branch_chengguan_20260930.xlsx", exact=False)).to_have_count(1)
    expect(page.get_by_text("期末快照没有机构表", exact=False)).to_have_count(1)
    expect(plots).to_have_count(4)

    # A garbage file as the earlier snapshot: the error panel, the page as it was.
    # Upload buttons in page order: each panel has 上传台账 then 上传导出配置.
    upload_files(index=2, files=[{
        "name": "坏文件.xlsx", "buffer": b"this is not a workbook" * 20,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    error = page.locator(".pa-error")
    expect(error.first).to_contain_text("文件无法读取")
    expect(error.first).to_contain_text("不是 Excel 工作簿")
    expect(error.first).to_contain_text(
        "当前仍显示上一次成功读取的数据:network_snapshot_20260630.xlsx")
    expect(rows).to_have_count(1)
    expect(plots).to_have_count(4)
    expect(page.locator("text=Traceback")).to_have_count(0)

    # Still usable: the branch ledger chosen as the earlier snapshot too clears the error and
    # flags the dates (the same day twice).
    page.locator(".widget-dropdown select").nth(1).select_option(label="样例:城关支行台账 2026-09-30")
    expect(page.get_by_text("不早于期末快照日期", exact=False).first).to_be_visible()
    expect(error).to_have_count(0)
    expect(page.locator("#pa-migration-count tbody tr")).to_have_count(6)


# --------------------------------------------------------------------------- published mode


@pytest.fixture(scope="module")
def published_url(start_voila):
    """Voila serving only the management notebook, as docs/deploy.md publishes it: bound to
    127.0.0.1 and passing the proxy's ``X-Remote-User`` header into the kernel."""
    with start_voila(f"notebooks/{NOTEBOOK}",
                     "--VoilaConfiguration.http_header_envs=['X-Remote-User']",
                     log_name="voila_published.log",
                     env={"POSTLOAN_AUDIT_PUBLISHED": "1",
                          "POSTLOAN_AUDIT_AFTER": str(BRANCH)}) as base:
        yield base


def test_published_page_shows_and_records_the_signed_in_user(page, published_url, tmp_path,
                                                             heated):
    # The page's kernel ran the notebook before this request: the user comes with the request.
    heated(published_url, NOTEBOOK)
    page.set_extra_http_headers({"X-Remote-User": "zhang.san"})
    page.goto(published_url + "/")
    expect(page.locator(READY)).to_be_visible()
    expect(page.locator("#pa-current-user")).to_have_text("当前用户:zhang.san")
    log = ROOT / "tests" / "artifacts" / "voila_published.log"
    assert "Using pre-heated kernel" in log.read_text(encoding="utf-8", errors="replace")
    # Published: read-only, the publisher's data, no upload or source picker anywhere.
    expect(page.locator(".pa-published")).to_contain_text(
        "数据由发布人固定为期末快照 branch_chengguan_20260930.xlsx、期初快照 "
        "network_snapshot_20260630.xlsx")
    expect(page.locator("#pa-class-table tbody tr")).to_have_count(1)
    expect(page.locator("button.widget-upload")).to_have_count(0)
    expect(page.locator(".widget-dropdown")).to_have_count(0)
    with page.expect_download() as download:
        page.locator("a.pa-download").first.click()
    target = tmp_path / "published.xlsx"
    download.value.save_as(target)
    params = {r[0]: r[1] for r in
              load_workbook(target)["参数"].iter_rows(min_row=2, values_only=True)}
    assert params["当前用户"] == "zhang.san"
    assert params["期末快照"].startswith("branch_chengguan_20260930.xlsx")
    # Only this notebook is served: the other dashboards and the tree are not reachable.
    for path in ("/voila/render/01_branch_sampling.ipynb", "/voila/tree"):
        response = page.request.get(published_url + path)
        assert response.status in (403, 404), (path, response.status)


def test_the_published_report_file_opens_without_a_server(page, tmp_path):
    """``postloan-audit publish`` writes one HTML file; chromium opens it from disk with every
    chart drawn and no request leaving the machine (the page fixture checks that)."""
    from postloan_audit.commands.cli import main

    out = tmp_path / "report.html"
    assert main(["publish", str(ROOT / "sample_extracts" / "network_snapshot_20260630.xlsx"),
                 str(ROOT / "sample_extracts" / "network_snapshot_20260930.xlsx"),
                 "--out", str(out)]) == 0
    page.goto(out.as_uri())
    expect(page.locator(".js-plotly-plot")).to_have_count(4)
    expect(page.locator("#pa-migration-count tbody tr")).to_have_count(6)
    expect(page.locator("text=个人客户姓名与证件号码已脱敏").first).to_be_visible()
