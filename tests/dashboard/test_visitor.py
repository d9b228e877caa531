"""A page served from a pre-heated kernel (postloan_audit/dashboard/visitor.py).

Voila's ``wait_for_request`` is replaced by a stand-in that sets what the visitor's request
sets (the proxy's user header) and records the ready files at that moment; the served pages
themselves are timed and exercised by the browser tests.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
import voila.utils
from openpyxl import load_workbook

from postloan_audit.dashboard import ManagementDashboard, visitor_page
from postloan_audit.dashboard import visitor as visitor_mod

ROOT = Path(__file__).resolve().parents[2]


class Page:
    """A dashboard stand-in that records what :func:`visitor_page` did to it."""

    def __init__(self) -> None:
        self.widget = object()
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")

    def visitor_arrived(self) -> None:
        self.calls.append("visitor_arrived")


@pytest.fixture
def request_arrives(monkeypatch, tmp_path):
    """Pre-heated kernel: ``VOILA_PREHEAT=True``, a ready folder, and a ``wait_for_request``
    that, like Voila's, returns once the visitor's request info is in the environment."""
    seen: list[list[str]] = []
    folder = tmp_path / "ready"
    folder.mkdir()

    def wait_for_request(url=None):
        seen.append(sorted(p.name for p in folder.iterdir()))
        monkeypatch.setenv("HTTP_X_REMOTE_USER", "zhang.san")
        monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.11")

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv(visitor_mod.READY_DIR_ENV, str(folder))
    monkeypatch.delenv("HTTP_X_REMOTE_USER", raising=False)
    monkeypatch.delenv("HTTP_X_FORWARDED_USER", raising=False)
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    monkeypatch.setattr(voila.utils, "wait_for_request", wait_for_request)
    return seen, folder


def test_outside_a_preheated_kernel_the_widget_is_returned_at_once(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setattr(voila.utils, "wait_for_request",
                        lambda url=None: pytest.fail("must not wait"))
    page = Page()
    assert visitor_page(page) is page.widget
    assert page.calls == []
    assert visitor_mod.preheated({"VOILA_PREHEAT": "False"}) is False
    assert visitor_mod.preheated({"VOILA_PREHEAT": "True"}) is True


def test_a_preheated_page_waits_then_tells_the_dashboard_its_visitor_arrived(request_arrives):
    seen, folder = request_arrives
    page = Page()
    assert visitor_page(page) is page.widget
    assert seen == [[f"Page-{os.getpid()}.ready"]]  # ready while it waited
    assert list(folder.iterdir()) == []  # and no longer once the visitor arrived
    assert page.calls == ["visitor_arrived"]


def test_a_kernel_that_waited_past_midnight_recomputes_its_page(request_arrives, monkeypatch):
    days = iter([dt.date(2026, 12, 1), dt.date(2026, 12, 2)])
    monkeypatch.setattr(visitor_mod, "_today", lambda: next(days))
    page = Page()
    visitor_page(page)
    assert page.calls == ["start", "visitor_arrived"]


def test_the_management_page_takes_the_visitor_as_its_user(request_arrives):
    board = ManagementDashboard()
    board.start()
    assert board.user is None and "未经统一登录" in board.header.value
    visitor_page(board)
    assert board.user == "zhang.san"
    assert "当前用户:zhang.san" in board.header.value
    params = {r[0]: r[1] for r in load_workbook(io.BytesIO(board.workbook_bytes))["参数"]
              .iter_rows(min_row=2, values_only=True)}
    assert params["当前用户"] == "zhang.san"
    assert "管理层看板数据.xlsx" in board.download.value


def test_a_user_given_to_the_management_page_is_kept(request_arrives):
    board = ManagementDashboard(user="王审计")
    board.start()
    before = board.workbook_bytes
    visitor_page(board)
    assert board.user == "王审计" and board.workbook_bytes is before


def test_every_page_ends_with_visitor_page_and_voila_preheats_one_kernel_each():
    config = json.loads((ROOT / "voila.json").read_text(encoding="utf-8"))
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    assert config["VoilaConfiguration"]["default_pool_size"] == 1
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == 6  # pages 00–05
    for path in notebooks:
        cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                 if c["cell_type"] == "code"]
        assert "".join(cells[-1]["source"]).splitlines()[-1] == "visitor_page(dash)", path.name


def test_a_kernel_that_did_not_wait_past_midnight_keeps_its_page(request_arrives, monkeypatch):
    monkeypatch.setattr(visitor_mod, "_today", lambda: dt.date(2026, 12, 2))
    page = Page()
    visitor_page(page)
    assert page.calls == ["visitor_arrived"]


def test_a_preheated_kernel_lowers_its_priority_once(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(visitor_mod.os, "nice", calls.append)
    monkeypatch.setattr(visitor_mod.lower_priority, "done", False, raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    visitor_mod.lower_priority()
    assert calls == []  # a kernel started for a visitor keeps the server's priority
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    visitor_mod.lower_priority()
    visitor_mod.lower_priority()
    assert calls == [visitor_mod.PREHEAT_NICENESS]


def test_pages_re_read_the_audit_trail_when_their_visitor_arrives(request_arrives, tmp_path,
                                                                   monkeypatch):
    """A run recorded after a page was pre-heated shows on the page its visitor gets."""
    from postloan_audit.dashboard import ComplianceDashboard

    monkeypatch.setenv("POSTLOAN_AUDIT_DB", str(tmp_path / "trail.db"))
    waiting = ComplianceDashboard()
    waiting.start()
    board = ManagementDashboard()
    board.start()
    assert "尚未记入检查记录" in waiting.trail.compare_html.value
    assert board.trail.scorecard.empty
    other = ComplianceDashboard()  # another colleague records the same run meanwhile
    other.start()
    assert other.trail.record()
    visitor_page(waiting)
    visitor_page(board)
    assert "新增 0 /" in waiting.trail.compare_html.value
    assert len(waiting.trail.view) == len(other.trail.view) > 0
    assert not board.trail.scorecard.empty


def test_a_request_that_did_not_come_through_is_asked_for_again(request_arrives, monkeypatch):
    """Voila's helper returns without the request when the server was slow to answer."""
    answers = iter([None, "arrives"])

    def flaky(url=None):
        if next(answers) == "arrives":
            monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.11")

    monkeypatch.setattr(voila.utils, "wait_for_request", flaky)
    page = Page()
    visitor_page(page)
    assert page.calls == ["visitor_arrived"]
    with pytest.raises(StopIteration):
        next(answers)  # asked exactly twice


def test_a_request_that_never_comes_lets_the_page_go_on(request_arrives, monkeypatch):
    tries: list[None] = []
    monkeypatch.setattr(voila.utils, "wait_for_request", lambda url=None: tries.append(None))
    page = Page()
    assert visitor_page(page) is page.widget
    assert len(tries) == visitor_mod.WAIT_ATTEMPTS
