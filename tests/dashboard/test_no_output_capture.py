"""No dashboard fills an Output widget through the capture protocol while its first cell runs.

``with out:`` (and ``Output.clear_output()``, which enters it) makes nbclient, which executes
the notebook inside Voila, send comm messages on the kernel's shell channel while it awaits
the cell's execute reply there. Under load that reply is sometimes never seen and the page
never finishes loading (a cell that clears four Output widgets hung 4 visits of 30 on a
loaded 2-core machine; setting ``outputs`` directly, 0 of 30; docs/performance.md). So every
dashboard's ``start()`` — the cell Voila runs — must set Output state directly
(:func:`postloan_audit.dashboard.common.show_figure`), on an empty and on a used trail store.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import pytest
from test_dashboard_followup import dashboard as followup_dashboard
from test_dashboard_followup import ledger_bytes

from postloan_audit.dashboard import (
    BranchSamplingDashboard,
    ComplianceDashboard,
    ExtractOverviewDashboard,
    ManagementDashboard,
    StatisticalSamplingDashboard,
    WatchListDashboard,
)
from postloan_audit.dashboard.followup import TrailSummaryPanel

#: Each dashboard as its notebook builds it (notebooks/0*.ipynb, default parameters).
DASHBOARDS = {
    "00_extract_overview": lambda: ExtractOverviewDashboard(
        sample="branch_chengguan_20260930.xlsx"),
    "01_branch_sampling": lambda: BranchSamplingDashboard(
        sample="branch_chengguan_20260930.xlsx", seed=None, min_borrowers=None),
    "02_compliance_checks": lambda: ComplianceDashboard(
        sample="head_office_6_branches_20260930.csv", as_of=None),
    "03_management_dashboard": lambda: ManagementDashboard(before=None, after=None,
                                                           published=None),
    "04_statistical_sampling": lambda: StatisticalSamplingDashboard(
        sample="branch_chengguan_20260930.xlsx", seed=None, test="control"),
    "05_watch_list": lambda: WatchListDashboard(
        sample="network_snapshot_20260930.xlsx",
        previous_sample="network_snapshot_20260630.xlsx", as_of=None),
}


@pytest.fixture
def captures(monkeypatch) -> list[widgets.Output]:
    """Every Output widget entered as a capture context (``with out:``) from now on."""
    entered: list[widgets.Output] = []
    original = widgets.Output.__enter__

    def recording_enter(self):
        entered.append(self)
        return original(self)

    monkeypatch.setattr(widgets.Output, "__enter__", recording_enter)
    return entered


def test_the_recorder_sees_clear_output(captures) -> None:
    out = widgets.Output()
    out.clear_output()
    assert captures == [out]


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_start_on_an_empty_trail_store_captures_nothing(name, captures, monkeypatch,
                                                        tmp_path) -> None:
    monkeypatch.setenv("POSTLOAN_AUDIT_DB", str(tmp_path / "empty.db"))
    dash = DASHBOARDS[name]()
    dash.start()
    assert captures == []


def test_trail_panel_with_records_captures_nothing(captures, tmp_path) -> None:
    dash = followup_dashboard(tmp_path)
    assert dash.load_files([(ledger_bytes({"L001": 100}), "台账.csv")])
    assert dash.trail.record()
    panel = TrailSummaryPanel(db=str(tmp_path / "audit.db"), today=dt.date(2026, 10, 31))
    assert panel.refresh()
    assert panel.trend_plot.outputs != () and panel.score_plot.outputs != ()  # drawn
    assert captures == []
