"""The watch-list page (预警名单) in a real browser: it renders the counts of the bundled
snapshots (19 red, 109 orange, 25 yellow; 58 new since June), and choosing a borrower shows its
signals with their facts, its loans and the chart of its statement ratios. Every step waits for the state it expects; nothing sleeps a fixed time."""

from __future__ import annotations

from playwright.sync_api import expect

NOTEBOOK = "05_watch_list.ipynb"
READY = "body:has(.pa-watch-kpis):has(#pa-watchlist)"


def test_watch_list_page_in_the_browser(page, open_voila, save_screenshot):
    seconds = open_voila(NOTEBOOK, READY)
    print(f"05_watch_list first full render: {seconds:.2f} s")
    kpis = page.locator(".pa-watch-kpis")
    expect(kpis.locator(".pa-kpi", has_text="红色预警").locator(".value")).to_have_text("19")
    expect(kpis.locator(".pa-kpi", has_text="橙色预警").locator(".value")).to_have_text("109")
    expect(kpis.locator(".pa-kpi", has_text="黄色预警").locator(".value")).to_have_text("25")
    expect(kpis.locator(".pa-kpi", has_text="本期新增").locator(".value")).to_have_text("58")
    expect(page.locator("#pa-watchlist tbody tr")).to_have_count(153)
    expect(page.get_by_text("全部信号均已执行。")).to_be_visible()  # the samples hold every sheet

    page.locator(".pa-borrower-picker select").select_option(
        label="红 · 0000010373 石门县金穗生态养殖有限公司")
    signals = page.locator("#pa-watch-signals")
    expect(signals).to_contain_text("他行逾期34天")
    expect(signals).to_contain_text("征信新增逾期1笔")
    expect(page.locator("#pa-watch-loans")).to_contain_text("001202600008068")
    expect(page.locator("#pa-watch-collateral")).to_contain_text("YP20260000806801")
    expect(page.locator("#pa-watch-guarantees")).to_contain_text("8000000006")
    expect(page.get_by_text("资产负债率 = 负债总额 ÷ 资产总额")).to_be_visible()
    assert page.locator("text=Traceback").count() == 0
    save_screenshot("05_watch_list")
