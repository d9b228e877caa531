"""The compliance-check dashboard (02_compliance_checks.ipynb) in a real browser.

One page walks through what a head-office user does: the bundled head-office sample renders
with its heatmap, an upload of the Chengguan workbook replaces the results (its planted
findings appear, the other branches disappear), a garbage file and a bad policy file show
error panels while the results stay, the filters still work, and the download link yields
the findings workbook of what is on screen.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from playwright.sync_api import expect

from postloan_audit.compliance.rules import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_extracts"
NOTEBOOK = "02_compliance_checks.ipynb"
#: Only present once the findings table and the heatmap have both been rendered.
READY = "body:has(#pa-findings):has(.js-plotly-plot)"


def test_compliance_dashboard_sample_upload_errors_filters_and_download(
        page, open_voila, save_screenshot, upload_files, tmp_path):
    seconds = open_voila(NOTEBOOK, READY)
    print(f"02_compliance_checks first full render: {seconds:.2f} s")

    # The head-office sample: six branches, the heatmap drawn.
    expect(page.get_by_text("检查完成:1 个文件")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.locator("text=Traceback")).to_have_count(0)
    by_branch = page.locator("#pa-by-branch")
    expect(by_branch.get_by_text("柳林镇支行")).to_have_count(1)
    expect(page.locator("#pa-findings").get_by_text("001202200000344")).to_have_count(0)
    # A one-sheet CSV has no inspection records and no borrower's file: the rules that need
    # them are listed as not run, each with its reason; every other rule ran.
    not_run = page.locator("#pa-not-run tbody tr")
    missing = ["INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE", "GUAR-RATING",
               "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]
    expect(not_run).to_have_count(len(missing))
    for i, rule_id in enumerate(missing):
        expect(not_run.nth(i)).to_contain_text(rule_id)
        expect(not_run.nth(i)).to_contain_text("缺少所需数据")
    expect(not_run.first).to_contain_text("report_date")
    save_screenshot("02_compliance_checks")

    # Upload the Chengguan workbook through the extract chooser (not the policy chooser).
    chengguan = pd.read_csv(SAMPLES / "branch_chengguan_20260930.planted.csv", dtype=str)
    upload_files(button_text="上传台账", files=str(SAMPLES / "branch_chengguan_20260930.xlsx"))
    findings = page.locator("#pa-findings")
    expect(page.locator(".pa-check-result").get_by_text(
        "branch_chengguan_20260930.xlsx")).to_have_count(1)
    expect(findings.get_by_text("001202200000344")).to_have_count(1)
    for loan_id in chengguan["loan_id"]:
        expect(findings.get_by_text(loan_id, exact=True)).to_have_count(1)
    expect(page.locator("#pa-by-branch").get_by_text("柳林镇支行")).to_have_count(0)
    expect(page.locator(".pa-source-current").first).to_contain_text(
        "branch_chengguan_20260930.xlsx")

    # A garbage file: readable error panel, the Chengguan results stay.
    upload_files(button_text="上传台账", files=[{
        "name": "garbage.xlsx", "buffer": b"\x00\x01 not a workbook" * 50,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    error = page.locator(".pa-error")
    expect(error.first).to_contain_text("文件无法读取")
    expect(error.first).to_contain_text("garbage.xlsx")
    expect(findings.get_by_text("001202200000344")).to_have_count(1)
    expect(page.locator("text=Traceback")).to_have_count(0)

    # A bad policy file names the key; the policy and results stay.
    upload_files(button_text="上传参数文件", files=[{
        "name": "bank.toml", "buffer": b"[inspection]\nbogus_months = 3\n",
        "mimeType": "application/toml"}])
    policy_error = page.locator(".pa-error", has_text="未知参数 inspection.bogus_months")
    expect(policy_error).to_be_visible()
    expect(findings.get_by_text("001202200000344")).to_have_count(1)

    # Still usable: the severity filter narrows the table to the high-severity findings.
    high = sum(1 for rid in chengguan["rule_id"] if str(CATALOGUE[rid].severity) == "high")
    page.locator(".widget-dropdown", has_text="严重程度").locator("select").select_option(
        label="高")
    expect(page.get_by_text(f"筛选结果 {high} 条,共 {len(chengguan)} 条")).to_be_visible()
    expect(findings.locator("tbody tr")).to_have_count(high)

    # The download is the findings workbook of the Chengguan report on screen.
    with page.expect_download() as download:
        page.locator("a.pa-download").first.click()
    target = tmp_path / "findings.xlsx"
    download.value.save_as(target)
    assert download.value.suggested_filename == "合规检查问题清单_20260930.xlsx"
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["汇总", "问题清单", "未执行规则", "规则目录", "参数"]
    listed = list(book["问题清单"].iter_rows(values_only=True))
    assert listed.index((None,) * len(listed[0])) == 1 + len(chengguan)  # then the sign-off
