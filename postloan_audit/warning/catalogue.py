"""The signal catalogue (预警信号目录): every signal registered explicitly, in one place.

The order here is the order of the signals table, of a watch-list row's ``signal_ids`` and of
every listing. A duplicate id is an error at import time.
"""

from __future__ import annotations

from collections.abc import Iterable

from postloan_audit.warning.base import Signal
from postloan_audit.warning.signals import (
    EW_CLASS_DOWN,
    EW_COLLAT_DROP,
    EW_ENFORCE,
    EW_FIN_3M,
    EW_FIN_TREND,
    EW_GROUP,
    EW_GUAR_CIRCLE,
    EW_LIEN2,
    EW_NEW_OVERDUE,
    EW_OB_NPL90,
    EW_OB_OVERDUE,
    EW_OB_SUIT,
    EW_OVERDUE,
    EW_RATING_DOWN,
)


def build_signals(signals: Iterable[Signal]) -> dict[str, Signal]:
    """An id → signal mapping in the given order.

    Raises
    ------
    ValueError
        When two signals share an id.
    """
    catalogue: dict[str, Signal] = {}
    for signal in signals:
        if signal.id in catalogue:
            raise ValueError(f"预警信号编号重复 / duplicate signal id: {signal.id}")
        catalogue[signal.id] = signal
    return catalogue


SIGNALS: dict[str, Signal] = build_signals([
    EW_OB_OVERDUE,
    EW_OB_SUIT,
    EW_GROUP,
    EW_GUAR_CIRCLE,
    EW_OB_NPL90,
    EW_FIN_TREND,
    EW_FIN_3M,
    EW_COLLAT_DROP,
    EW_LIEN2,
    EW_NEW_OVERDUE,
    EW_ENFORCE,
    EW_CLASS_DOWN,
    EW_OVERDUE,
    EW_RATING_DOWN,
])
