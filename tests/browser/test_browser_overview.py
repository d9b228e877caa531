"""The extract overview (台账读取核对) in a real browser: the bundled sample, then a bad upload
and a good one: the error panel goes on the next success, the source line names the upload,
and sheets are named as users know them (贷款台账, not ``loans``)."""

from pathlib import Path

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "sample_extracts" / "network_snapshot_20260930.xlsx"


def test_overview_checks_the_sample_and_an_uploaded_file(page, open_voila, upload_files,
                                                          save_screenshot):
    open_voila("00_extract_overview.ipynb", "#pa-overview-facts")
    facts = page.locator("#pa-overview-facts")
    expect(facts).to_contain_text("branch_chengguan_20260930.xlsx")
    expect(facts).to_contain_text("贷款余额4.54 亿元")
    summary = page.locator(".pa-load-summary")
    expect(summary).to_contain_text("贷款台账读取 261 行,保留 260 行,拒绝 0 行,合计行 1 行")
    expect(page.locator(".pa-table td", has_text="贷款台账").first).to_be_visible()
    expect(page.locator(".pa-table td").filter(has_text="loans")).to_have_count(0)
    expect(page.locator(".pa-source-current")).to_contain_text("样例台账")
    expect(page.locator("text=Traceback")).to_have_count(0)
    save_screenshot("00_extract_overview")

    upload_files(files=[{"name": "坏文件.xlsx", "buffer": b"this is not a workbook" * 20,
                         "mimeType": "application/vnd.ms-excel"}])
    error = page.locator(".pa-error")
    expect(error).to_contain_text("不是 Excel 工作簿")
    expect(facts).to_contain_text("branch_chengguan_20260930.xlsx")

    upload_files(files=str(SNAPSHOT))
    expect(facts).to_contain_text("network_snapshot_20260930.xlsx")
    expect(error).to_have_count(0)
    expect(page.locator(".pa-source-current")).to_contain_text(
        "当前数据(上传的文件):network_snapshot_20260930.xlsx")
    # The sample picker no longer names a sample that is not shown.
    expect(page.locator(".widget-dropdown select").first).to_have_value("")
