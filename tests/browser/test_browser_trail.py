"""The audit trail in a real browser: the compliance page compares the run with the last recorded
one and records it; the follow-up tab lists the findings; the management page then shows the
scorecard. (Runs after the other browser tests, which expect an empty session store.)"""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_record_a_run_then_see_the_followup_and_the_scorecard(page, open_voila, save_screenshot):
    open_voila("02_compliance_checks.ipynb", "body:has(#pa-findings):has(.pa-compare)")
    compare = page.locator(".pa-compare")
    expect(compare).to_contain_text(re.compile(r"与上次相比: 新增 \d+ / 延续 \d+ / 消失 \d+"))
    expect(compare).to_contain_text("尚未记入检查记录")
    page.get_by_role("button", name="记入检查记录").click()
    expect(compare).to_contain_text(re.compile(r"已记为第 \d+ 次检查,操作人 "))
    expect(page.get_by_role("button", name="记入检查记录")).to_be_disabled()
    rows = page.locator("#pa-followup tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 0
    assert page.locator("text=Traceback").count() == 0
    save_screenshot("02_compliance_checks_followup")

    open_voila("03_management_dashboard.ipynb", "#pa-scorecard")
    expect(page.locator("#pa-scorecard tbody tr").first).to_be_visible()
    expect(page.get_by_text("九、整改跟踪与机构考核")).to_be_visible()
    expect(page.get_by_text("整改率(已销号)")).to_be_visible()
    save_screenshot("03_management_dashboard_trail")
