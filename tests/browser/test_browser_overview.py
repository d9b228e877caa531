"""The extract overview notebook renders in a real browser with the bundled sample."""


def test_overview_renders_the_sample_extract(page, open_voila, save_screenshot):
    open_voila("00_extract_overview.ipynb", "text=行数核对")
    assert page.get_by_text("branch_chengguan_20260930.xlsx").count() >= 1
    assert page.locator("text=Traceback").count() == 0
    save_screenshot("00_extract_overview")
