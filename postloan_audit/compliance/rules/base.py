"""The declared side of the rule engine: :class:`Rule`, :class:`Severity`, :class:`Hits`.

Modelled on pandera's checks: a rule is a small frozen object (an id, a title, a citation, a
severity, the policy values it reads, the data it needs) around one vectorised function. The
function takes the prepared :class:`~postloan_audit.compliance.rules.context.CheckContext` and returns
:class:`Hits`: the positions of the flagged loans plus per-hit message, due date and days late,
all built as whole columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.extract import OPTIONAL_SHEETS
from postloan_audit.core.severity import Severity

if TYPE_CHECKING:
    from postloan_audit.compliance.rules.context import CheckContext

#: Optional sheets a requirement may name.
SHEET_NAMES: tuple[str, ...] = OPTIONAL_SHEETS


@dataclass(frozen=True)
class Hits:
    """What a rule returns: the flagged loans and the facts behind each finding.

    Attributes
    ----------
    positions:
        Sorted integer positions (``iloc``) of the flagged loans in the loans frame.
    message:
        One Chinese message per hit (``str`` Series with a default RangeIndex).
    due_date:
        ``datetime64[ns]`` array, one per hit (NaT when the rule has no deadline), or None.
    days_late:
        Integer days past ``due_date`` per hit (NaN when not applicable), or None.
    """

    positions: np.ndarray
    message: pd.Series
    due_date: np.ndarray | None = None
    days_late: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.positions)
        if len(self.message) != n:
            raise ValueError(f"message has {len(self.message)} rows for {n} hits")
        for name in ("due_date", "days_late"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"{name} has {len(value)} rows for {n} hits")


def _label(part: str) -> str:
    """A requirement part in words: ``column x (中文)``, ``sheet y (中文)``."""
    if "." in part:
        sheet, column = part.split(".", 1)
        zh = schema.SHEETS[sheet].column_index[column].zh
        return f"{schema.SHEETS[sheet].zh}({sheet})的列 {column}({zh})"
    if part in SHEET_NAMES:
        return f"{schema.SHEETS[part].zh}表({part})"
    return f"列 {part}({schema.SHEETS['loans'].column_index[part].zh})"


def _label_en(part: str) -> str:
    if "." in part:
        sheet, column = part.split(".", 1)
        return f"column {column} of sheet {sheet}"
    if part in SHEET_NAMES:
        return f"sheet {part}"
    return f"column {part}"


def describe_requirement(requirement: str) -> tuple[str, str]:
    """Chinese and English wording of a requirement string (see :attr:`Rule.needs`)."""
    zh = "或".join("+".join(_label(p) for p in alt.split("+")) for alt in requirement.split("|"))
    en = " or ".join(" and ".join(_label_en(p) for p in alt.split("+"))
                     for alt in requirement.split("|"))
    return zh, en


@dataclass(frozen=True)
class Rule:
    """One compliance rule of the catalogue (检查规则).

    Attributes
    ----------
    id:
        The stable rule id (a contract: ``INSP-FREQ``, ``CLS-OVERDUE``, …).
    title_zh, title_en:
        Short titles.
    severity:
        :class:`Severity` of a finding.
    citation:
        Seed document and section, or regulation and article.
    params:
        Dotted policy keys the rule reads (``inspection.individual_months``).
    needs:
        Data the rule cannot run without. Each entry is a requirement; ``|`` separates
        alternatives and ``+`` joins parts that must all be present. A part is a loans column
        (``customer_type``), an optional sheet (``inspections``) or a sheet column
        (``inspections.inspection_type``).
    uses:
        Optional loans columns read when present (their absence is noted, never fatal).
    evaluate:
        The vectorised function ``CheckContext -> Hits``.
    """

    id: str
    title_zh: str
    title_en: str
    severity: Severity
    citation: str
    params: tuple[str, ...]
    needs: tuple[str, ...]
    evaluate: Callable[[CheckContext], Hits]
    uses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for requirement in self.needs:
            describe_requirement(requirement)  # fails early on a misspelt column or sheet
        for column in self.uses:
            schema.SHEETS["loans"].column_index[column]

    def missing(self, ctx: CheckContext) -> list[str]:
        """The requirements ``ctx`` does not meet (empty when the rule can run)."""
        return [req for req in self.needs
                if not any(all(ctx.provides(p) for p in alt.split("+")) for alt in req.split("|"))]
