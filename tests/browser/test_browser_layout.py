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
             "04_statistical_sampling.ipynb"]


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
