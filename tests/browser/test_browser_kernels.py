"""A server that stays up: closing or leaving a page frees its kernel.

Each page is opened and closed 10 times (chromium runs the page's ``beforeunload``, on which
Voila's page asks the server to shut its kernel down — accepted because voila.json disables
the XSRF check a beacon cannot pass; kernel culling in voila.json, at 120 s, is the
fallback for a browser that dies). After each round the kernel that page had must be gone
(``GET /api/kernels/<id>`` answers 404: standalone Voila serves that route, not the list
``/api/kernels``) and the server's kernel processes must be back to (at most) the count
before the first visit (which includes the pre-heated kernels waiting for a visitor: a visit
takes one and Voila starts its replacement a second later). Both are polled until true, with a
timeout; nothing sleeps a fixed time.
"""

from __future__ import annotations

import time

import pytest

VISITS = 10
#: A closed page's kernel must be gone within this time (seconds).
FREED_WITHIN = 60.0
#: Every dashboard page (see READY_SELECTORS in conftest.py).
NOTEBOOKS = ["00_extract_overview.ipynb", "01_branch_sampling.ipynb",
             "02_compliance_checks.ipynb", "03_management_dashboard.ipynb",
             "04_statistical_sampling.ipynb", "05_watch_list.ipynb"]


@pytest.fixture(scope="module")
def kernel_server(start_voila):
    with start_voila("notebooks/", log_name="voila_kernels.log") as base:
        yield base


def _poll(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}", pytrace=False)
        time.sleep(0.2)  # polling interval, not a wait for a state


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_closing_a_page_frees_its_kernel(browser, kernel_server, notebook, ready_selectors,
                                        count_kernels):
    baseline = count_kernels(kernel_server)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(90_000)
    try:
        request = context.request
        for visit in range(VISITS):
            page = context.new_page()
            page.goto(f"{kernel_server}/voila/render/{notebook}")
            page.locator(ready_selectors[notebook]).first.wait_for(state="visible")
            kernel_id = page.evaluate(
                "() => { const tags = document.querySelectorAll('#jupyter-config-data');"
                " return JSON.parse(tags[tags.length - 1].textContent).kernelId; }")
            assert request.get(f"{kernel_server}/api/kernels/{kernel_id}").status == 200
            if visit % 2:
                page.goto(f"{kernel_server}/")  # leaving the page for the landing page
                page.close(run_before_unload=True)
            else:
                page.close(run_before_unload=True)  # closing the tab
            _poll(lambda kid=kernel_id: request.get(
                f"{kernel_server}/api/kernels/{kid}").status == 404,
                FREED_WITHIN, f"kernel {kernel_id} of {notebook} (visit {visit + 1}) to stop")
        # At most the baseline: a kernel left by an earlier page (culled after
        # cull_idle_timeout) may stop during this test and take the count below it.
        _poll(lambda: count_kernels(kernel_server) <= baseline, FREED_WITHIN,
              f"the kernel processes to return to {baseline}")
    finally:
        context.close()
