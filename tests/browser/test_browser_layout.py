"""No page scrolls sideways as a whole: at 1366×768 and 1920×1080 the body's scroll width
equals the viewport's width (wide tables scroll inside their own boxes)."""

from __future__ import annotations

import pytest

SIZES = [(1366, 768), (1920, 1080)]
#: True when neither the page nor Voila's cell container is wider than the viewport.
FITS = """() => {
  const width = document.documentElement.clientWidth;
  const cells = document.querySelector('#rendered_cells');
  return document.body.scrollWidth === width
      && document.documentElement.scrollWidth === width
      && (!cells || cells.scrollWidth <= cells.clientWidth);
}"""
MEASURE = """() => ({viewport: document.documentElement.clientWidth,
  body: document.body.scrollWidth, html: document.documentElement.scrollWidth,
  widest: [...document.querySelectorAll('#rendered_cells *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className)})"""


NOTEBOOKS = ["00_extract_overview.ipynb", "01_branch_sampling.ipynb",
             "02_compliance_checks.ipynb", "03_management_dashboard.ipynb",
             "04_statistical_sampling.ipynb", "05_watch_list.ipynb"]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_page_scrolls_sideways(page, open_voila, notebook, ready_selectors):
    width, height = SIZES[0]
    page.set_viewport_size({"width": width, "height": height})
    open_voila(notebook, ready_selectors[notebook])
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        try:
            page.wait_for_function(FITS, timeout=15_000)
        except Exception:  # noqa: BLE001 - report what is too wide
            pytest.fail(f"{notebook} at {width}×{height}: {page.evaluate(MEASURE)}",
                        pytrace=False)


#: Per table on page 02: whether it fits its box, and which key headers of the findings list
#: lie within the visible part of their scroll box (no sideways scroll needed to read them).
TABLES_02 = """(keys) => {
  const grid = document.querySelector('#pa-by-branch');
  const gridBox = grid.parentElement;
  const box = document.querySelector('.pa-findings-box');
  const right = box.getBoundingClientRect().left + box.clientWidth;
  const heads = [...document.querySelectorAll('#pa-findings thead th')];
  const hidden = keys.filter(k => {
    const th = heads.find(h => h.textContent.trim() === k);
    return !th || th.getBoundingClientRect().right > right + 1;
  });
  return {gridFits: grid.getBoundingClientRect().width <= gridBox.clientWidth + 1
                    && grid.getBoundingClientRect().right <= document.documentElement.clientWidth,
          hidden: hidden};
}"""
FINDINGS_KEY_HEADERS = ["规则名称", "规则编号", "严重程度", "借据号", "经营机构", "应完成日期",
                        "逾期天数"]


def test_page_02_tables_fit_1366(page, open_voila, ready_selectors):
    """The 机构×规则 table (rules as rows) fits without scrolling, and the findings list's key
    columns are visible without scrolling the table, at 1366×768."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_voila("02_compliance_checks.ipynb", ready_selectors["02_compliance_checks.ipynb"])
    try:
        page.wait_for_function(
            "(keys) => { const r = (" + TABLES_02 + ")(keys);"
            " return r.gridFits && r.hidden.length === 0; }",
            arg=FINDINGS_KEY_HEADERS, timeout=30_000)
    except Exception:  # noqa: BLE001 - report what does not fit
        pytest.fail(f"page 02 at 1366×768: {page.evaluate(TABLES_02, FINDINGS_KEY_HEADERS)}",
                    pytrace=False)


@pytest.mark.parametrize("notebook", ["02_compliance_checks.ipynb", "05_watch_list.ipynb"])
def test_analytics_section_runs_on_its_button_and_fits_1366(page, open_voila, notebook,
                                                            ready_selectors):
    """审计分析 on pages 02 and 05: the button shows the headline table, every analysis's
    table and the workbook link, and the page still does not scroll sideways at 1366×768."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_voila(notebook, ready_selectors[notebook])
    section = page.locator(".pa-analytics")
    section.get_by_role("button", name="运行审计分析").click()
    counts = page.locator("#pa-analytics-counts")
    counts.wait_for(state="visible", timeout=60_000)
    assert counts.locator("th").all_inner_texts() == ["分析项目", "结果", "说明"]
    items = counts.locator("tbody tr td:first-child").all_inner_texts()
    assert items[:2] == ["同一债务人(合并的客户号组)", "证件号码无效"]
    assert section.locator("a.pa-download").inner_text() == "下载审计分析工作簿(.xlsx)"
    try:
        page.wait_for_function(FITS, timeout=15_000)
    except Exception:  # noqa: BLE001 - report what is too wide
        pytest.fail(f"{notebook} with 审计分析 at 1366×768: {page.evaluate(MEASURE)}",
                    pytrace=False)
