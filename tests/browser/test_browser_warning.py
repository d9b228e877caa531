"""The watch-list page (预警名单) in a real browser: it renders the counts of the bundled
snapshots (50 orange, 5 yellow; 30 new since June), and choosing a borrower shows its signals
with their facts. Every step waits for the state it expects; nothing sleeps a fixed time."""

from __future__ import annotations

from playwright.sync_api import expect

NOTEBOOK = "05_watch_list.ipynb"
READY = "body:has(.pa-watch-kpis):has(#pa-watchlist)"


def test_watch_list_page_in_the_browser(page, open_voila, save_screenshot):
    seconds = open_voila(NOTEBOOK, READY)
    print(f"05_watch_list first full render: {seconds:.2f} s")
    kpis = page.locator(".pa-watch-kpis")
    expect(kpis.locator(".pa-kpi", has_text="橙色预警").locator(".value")).to_have_text("50")
    expect(kpis.locator(".pa-kpi", has_text="黄色预警").locator(".value")).to_have_text("5")
    expect(kpis.locator(".pa-kpi", has_text="本期新增").locator(".value")).to_have_text("30")
    expect(page.locator("#pa-watchlist tbody tr")).to_have_count(55)
    expect(page.locator("#pa-watch-not-run")).to_contain_text("EW-OB-OVERDUE")

    page.locator(".pa-borrower-picker select").select_option(
        label="橙 · 0000010468 石门县润田建材有限公司")
    signals = page.locator("#pa-watch-signals")
    expect(signals).to_contain_text("五级分类由正常下调为关注")
    expect(signals).to_contain_text("信用等级由BBB下调为BB")
    expect(page.locator("#pa-watch-loans")).to_contain_text("001202100001503")
    expect(page.locator(".pa-no-statements")).to_be_visible()
    assert page.locator("text=Traceback").count() == 0
    save_screenshot("05_watch_list")
