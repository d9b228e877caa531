"""An export profile (导出配置) uploaded beside the ledger, in the branch sampling dashboard.

A bank's 贷款余额表 whose headers no built-in alias knows is refused with the readable panel;
once the bank's profile is uploaded beside it the same upload is read, the page names the
profile in force, and the sample is drawn from the bank's two branches.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "01_branch_sampling.ipynb"
DATA = ROOT / "tests" / "data" / "profiles"
READY = "#pa-sampling-strata"


def test_sampling_dashboard_reads_a_bank_export_with_its_profile(page, open_voila,
                                                                 save_screenshot, upload_files):
    open_voila(NOTEBOOK, READY)
    profile_line = page.locator(".pa-profile")
    expect(profile_line).to_contain_text("导出配置:未使用(按内置表头读取)")

    upload_files(files=str(DATA / "rcb_balance.xlsx"), button_text="上传台账")
    error = page.locator(".pa-error").first
    expect(error).to_contain_text("找不到贷款台账工作表")
    expect(error).to_contain_text("当前仍显示上一次成功读取的数据:branch_chengguan_20260930.xlsx")

    upload_files(files=str(DATA / "rcb_balance.toml"), button_text="上传导出配置")
    expect(profile_line).to_contain_text(
        "导出配置:XX农商行 信贷系统 贷款余额表(文件 rcb_balance.toml")
    expect(page.locator(".pa-error")).to_have_count(0)
    summary = page.locator(".pa-load-summary").first
    expect(summary).to_contain_text("rcb_balance.xlsx")
    expect(summary).to_contain_text("导出配置:XX农商行 信贷系统 贷款余额表")
    options = page.locator(".pa-branch-picker select option")
    expect(options).to_have_count(2)
    assert [o.split("(")[0] for o in options.all_inner_texts()] == ["城关支行", "河西支行"]
    expect(page.locator(".pa-sample-summary")).to_contain_text("rcb_balance.xlsx")
    assert page.locator("text=Traceback").count() == 0
    save_screenshot("01_branch_sampling_profile")
