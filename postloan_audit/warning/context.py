"""How signals run: :class:`SignalContext`, the compliance
:class:`~postloan_audit.compliance.rules.context.CheckContext` plus the earlier snapshot.

Everything the borrower's file gives a rule (each party's latest external report, the guarantors
of outstanding loans, the collateral in force, the listings in force, per-borrower balances) is
derived once per scan by the same helpers, so a signal and the rule ``LIST-WATCH`` read the same
facts. The earlier snapshot adds what only a comparison can tell: a classification or a rating
moved down.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules.context import CheckContext
from postloan_audit.core import schema
from postloan_audit.core.lookup import positions_in

#: The requirement part naming the earlier snapshot (``previous`` of
#: :func:`~postloan_audit.warning.scan.scan_signals`); ``previous.<column>`` names one of its
#: loans columns.
PREVIOUS = "previous"


class SignalContext(CheckContext):
    """The loans frame, its sheets and the earlier snapshot, prepared once per scan.

    Attributes
    ----------
    previous:
        The earlier snapshot's loans frame, or None.
    previous_as_of:
        Its data date (数据日期), or None.
    """

    def __init__(self, loans: pd.DataFrame, *, as_of: dt.date, policy: Policy,
                 previous: pd.DataFrame | None = None,
                 previous_as_of: dt.date | None = None,
                 **sheets: pd.DataFrame | None) -> None:
        super().__init__(loans, as_of=as_of, policy=policy, **sheets)
        self.previous = previous
        self.previous_as_of = previous_as_of

    def provides(self, part: str) -> bool:
        if part == PREVIOUS:
            return self.previous is not None
        return super().provides(part)

    @property
    def previous_day(self) -> str:
        """The earlier snapshot's date as text (上期), for messages."""
        return "上期" if self.previous_as_of is None else f"上期{self.previous_as_of:%Y-%m-%d}"

    @cached_property
    def previous_class_code(self) -> np.ndarray:
        """Per loan: its classification in the earlier snapshot (0 normal … 4 loss), -1 when
        the loan is not there or had no class."""
        prev = self.previous.drop_duplicates("loan_id")
        where = positions_in(self.loans["loan_id"], prev["loan_id"])
        codes = pd.Categorical(prev["classification"].astype("str"),
                               categories=schema.CLASSIFICATIONS, ordered=True).codes
        codes = np.append(np.asarray(codes, dtype=np.int64), -1)
        return codes[where]

    def rating_rank(self, ratings: pd.Series) -> np.ndarray:
        """Each rating's place on ``warning.rating_scale`` (0 the best), -1 when not on it."""
        scale = pd.Index(self.policy.warning.rating_scale, dtype="str")
        return positions_in(ratings.astype("str").str.strip(), scale)
