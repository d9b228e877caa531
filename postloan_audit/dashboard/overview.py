"""Extract overview (台账读取核对): ``notebooks/00_extract_overview.ipynb``.

Anyone can check their own file here before using it on another page: upload a ledger (or
pick a bundled sample) and see what was read, kept and rejected on each sheet and why
(:class:`~postloan_audit.dashboard.common.SourcePanel`), plus the headline facts of the loans
kept (:func:`facts_html`).
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from postloan_audit.core.extract import Extract
from postloan_audit.dashboard.common import SourcePanel, style_widget
from postloan_audit.dashboard.units import format_wan
from postloan_audit.ingest.overview import extract_facts


def facts_html(extract: Extract) -> str:
    """The file's headline facts (:func:`~postloan_audit.ingest.overview.extract_facts`), the
    balance in 万元 or 亿元; loans not in CNY are listed apart, never added to it."""
    facts = extract_facts(extract, amount=format_wan)
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in facts)
    return f"<div class='pa-scroll'><table class='pa-table' id='pa-overview-facts'>{rows}</table></div>"


class ExtractOverviewDashboard:
    """台账读取核对: upload or pick a ledger and see how it was read.

    Build it, call :meth:`start` (loads the bundled sample), display :attr:`widget`. Tests
    drive :attr:`source` (:meth:`~postloan_audit.dashboard.common.SourcePanel.load_files`)
    as the upload button does.
    """

    def __init__(self, *, sample: str = "branch_chengguan_20260930.xlsx") -> None:
        self.facts = widgets.HTML()
        self.extract: Extract | None = None
        self.source = SourcePanel(self._on_loaded, default=sample, title="选择或上传贷款台账")
        self.widget = widgets.VBox([
            style_widget(), self.source.widget,
            widgets.HTML("<h3>台账概况</h3>"), self.facts,
        ])

    def start(self) -> None:
        """Load the default sample."""
        self.source.start()

    def _on_loaded(self, extracts: list[Extract]) -> None:
        self.extract = extracts[0]
        self.facts.value = facts_html(self.extract)
