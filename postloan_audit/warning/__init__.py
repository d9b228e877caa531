"""Early warning (风险预警) and the watch list (预警名单): :func:`scan_signals`.

Layout, as the compliance rule engine's:

* :mod:`~postloan_audit.warning.base` — what a signal is (:class:`Signal`, :class:`SignalHits`);
* :mod:`~postloan_audit.warning.context` — how signals run (:class:`SignalContext`: the
  compliance context plus the earlier snapshot);
* :mod:`~postloan_audit.warning.signals` — the cited signals (other banks and public records,
  the group, financial statements, collateral, our own book);
* :mod:`~postloan_audit.warning.catalogue` — the one place signals are registered
  (:data:`SIGNALS`);
* :mod:`~postloan_audit.warning.scan` — :func:`scan_signals` and its :class:`SignalReport`
  (signals, watch list with escalation and movement, signals not run, provenance);
* :mod:`~postloan_audit.warning.workbook` — the watch-list workbook (预警名单, 预警信号).

The direct-listing cases of ``003_…`` 第三篇 多选题10 live in
:mod:`postloan_audit.compliance.rules.triggers`, shared with the rule ``LIST-WATCH``. The level
vocabulary (红/橙/黄) is :data:`postloan_audit.core.severity.LEVEL_ZH`.
"""

from __future__ import annotations

from postloan_audit.core.severity import LEVEL_RANK, LEVEL_ZH, LEVELS, Level
from postloan_audit.warning.base import Signal, SignalHits
from postloan_audit.warning.catalogue import SIGNALS, build_signals
from postloan_audit.warning.scan import (
    MOVEMENT_ZH,
    MOVEMENTS,
    NOT_RUN_COLUMNS,
    SIGNAL_COLUMNS,
    WATCHLIST_COLUMNS,
    SignalReport,
    list_signals,
    scan_signals,
)
from postloan_audit.warning.workbook import write_watchlist_workbook

__all__ = ["LEVELS", "LEVEL_RANK", "LEVEL_ZH", "Level", "MOVEMENTS", "MOVEMENT_ZH",
           "NOT_RUN_COLUMNS", "SIGNALS", "SIGNAL_COLUMNS", "Signal", "SignalHits", "SignalReport",
           "WATCHLIST_COLUMNS", "build_signals", "list_signals", "scan_signals",
           "write_watchlist_workbook"]
