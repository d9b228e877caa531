"""The declared side of early warning (风险预警): :class:`Signal` and :class:`SignalHits`.

A signal looks like a compliance rule (:class:`~postloan_audit.compliance.rules.base.Rule`): a
small frozen object (an id, Chinese and English titles, a citation, a level, the policy values it
reads, the data it needs) around one vectorised function. The function takes the prepared
:class:`~postloan_audit.warning.context.SignalContext` and returns :class:`SignalHits`: borrower
codes (a borrower-level signal) or loan positions (a loan-level one), the Chinese facts of each
hit and, where the level depends on the facts (EW-OVERDUE), the level of each hit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules.base import describe_requirement as describe_part
from postloan_audit.core import schema
from postloan_audit.core.severity import LEVELS, Level
from postloan_audit.warning.context import PREVIOUS

if TYPE_CHECKING:
    from postloan_audit.warning.context import SignalContext

#: What a signal's positions count: borrowers (codes) or loans (positions in the loans frame).
SCOPES: tuple[str, ...] = ("borrower", "loan")


@dataclass(frozen=True)
class SignalHits:
    """What a signal returns.

    Attributes
    ----------
    positions:
        Sorted borrower codes (a borrower-level signal) or loan positions (``iloc``).
    message:
        One Chinese message per hit: the facts (numbers, dates, parties).
    level:
        The level of each hit (``red`` / ``orange`` / ``yellow``), or None for the signal's
        own level.
    """

    positions: np.ndarray
    message: pd.Series
    level: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.positions)
        if len(self.message) != n:
            raise ValueError(f"message has {len(self.message)} rows for {n} hits")
        if self.level is not None:
            if len(self.level) != n:
                raise ValueError(f"level has {len(self.level)} rows for {n} hits")
            unknown = set(np.unique(np.asarray(self.level, dtype=object))) - set(LEVELS)
            if unknown:
                raise ValueError(f"unknown levels {sorted(unknown)}; known: {', '.join(LEVELS)}")


def _previous_label(part: str) -> tuple[str, str]:
    if part == PREVIOUS:
        return "上期台账(previous)", "the previous snapshot"
    column = part.split(".", 1)[1]
    zh = schema.SHEETS["loans"].column_index[column].zh
    return f"上期台账的列 {column}({zh})", f"column {column} of the previous snapshot"


def describe_need(requirement: str) -> tuple[str, str]:
    """Chinese and English wording of a requirement (see :attr:`Signal.needs`)."""
    alternatives_zh, alternatives_en = [], []
    for alt in requirement.split("|"):
        labels = [_previous_label(p) if p.split(".", 1)[0] == PREVIOUS else describe_part(p)
                  for p in alt.split("+")]
        alternatives_zh.append("+".join(zh for zh, _ in labels))
        alternatives_en.append(" and ".join(en for _, en in labels))
    return "或".join(alternatives_zh), " or ".join(alternatives_en)


@dataclass(frozen=True)
class Signal:
    """One early-warning signal of the catalogue (预警信号).

    Attributes
    ----------
    id:
        The stable signal id (a contract: ``EW-OB-OVERDUE``, ``EW-GROUP``, …).
    title_zh, title_en:
        Short titles.
    level:
        The signal's :class:`~postloan_audit.core.severity.Level` (a hit may carry its own,
        see :class:`SignalHits`).
    citation:
        Seed document and section, or regulation, or bank practice.
    params:
        Dotted policy keys the signal reads (``warning.other_bank_overdue_days``).
    needs:
        Data the signal cannot run without, written as :attr:`Rule.needs
        <postloan_audit.compliance.rules.base.Rule.needs>` (``|`` alternatives, ``+`` parts
        that must all be present: a loans column, an optional sheet, ``sheet.column``), plus
        ``previous`` (the earlier snapshot) and ``previous.<column>``.
    evaluate:
        The vectorised function ``SignalContext -> SignalHits``.
    scope:
        ``borrower`` (positions are borrower codes) or ``loan`` (loan positions).
    direct_listing:
        A case for direct listing on the 授信风险监控名单 (``003_…`` 第三篇 多选题10 ABD).
    levels:
        Every level a hit can have (the signal's own level unless the facts decide).
    """

    id: str
    title_zh: str
    title_en: str
    level: Level
    citation: str
    params: tuple[str, ...]
    needs: tuple[str, ...]
    evaluate: Callable[[SignalContext], SignalHits]
    scope: str = "borrower"
    direct_listing: bool = False
    levels: tuple[Level, ...] = ()

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"signal {self.id}: scope must be one of {SCOPES}, got {self.scope!r}")
        for requirement in self.needs:
            describe_need(requirement)  # fails early on a misspelt column or sheet
        if not self.levels:
            object.__setattr__(self, "levels", (self.level,))

    def missing(self, ctx: SignalContext) -> list[str]:
        """The requirements ``ctx`` does not meet (empty when the signal can run)."""
        return [req for req in self.needs
                if not any(all(ctx.provides(p) for p in alt.split("+")) for alt in req.split("|"))]
