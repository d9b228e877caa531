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
from postloan_audit.compliance.rules.context import CheckContext, month_index
from postloan_audit.core import schema
from postloan_audit.core.lookup import positions_in

#: The statement types (报表类型) of the ``financials`` sheet, as :attr:`SignalContext.statements`
#: codes them.
PERIOD_TYPES: tuple[str, ...] = tuple(schema.PERIOD_TYPE_ZH)
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
    def statements(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The ``financials`` rows known at D (period ended, and received when a
        ``received_date`` is given, by D) of borrowers with an outstanding loan: the sheet's
        numeric and date columns, plus ``borrower`` (code), ``month`` (months since 1970-01 of
        ``period_end``) and ``kind`` (the ``period_type`` as its place in :data:`PERIOD_TYPES`,
        -1 when blank, -2 when another text), in the sheet's order; and a mask of those dated
        at a calendar month's last day. Read by EW-FIN-TREND and EW-FIN-3M (once)."""
        frame = self.financials
        owner = self.borrower_code_of(frame["borrower_id"])
        end = pd.to_datetime(frame["period_end"]).to_numpy(dtype="datetime64[ns]")
        ok = (owner >= 0) & ~np.isnat(end) & (end <= self.as_of)
        if "received_date" in frame.columns:
            received = pd.to_datetime(frame["received_date"]).to_numpy(dtype="datetime64[ns]")
            ok &= np.isnat(received) | (received <= self.as_of)
        ok[ok] = self.borrower_active[owner[ok]]
        rows = np.flatnonzero(ok)
        end = end[rows]
        days = end.astype("datetime64[D]")
        month_end = (days + np.timedelta64(1, "D")).astype("datetime64[M]") != days.astype(
            "datetime64[M]")
        # the statement's type travels as a small code
        kind = np.full(len(frame), -1, dtype=np.int64)
        if "period_type" in frame.columns:
            kind[frame["period_type"].notna().to_numpy(dtype=bool)] = -2
            for code, name in enumerate(PERIOD_TYPES):
                kind[(frame["period_type"] == name).fillna(False).to_numpy(dtype=bool)] = code
        # Arrow text columns are left behind (copying them per row is the cost); object columns
        # stay, as a hand-built sheet may hold its numbers or dates as objects
        columns = [c for c in frame.columns
                   if c not in ("borrower_id", "period_type")
                   and not isinstance(frame[c].dtype, pd.StringDtype)]
        table = frame[columns].iloc[rows].reset_index(drop=True).assign(
            borrower=owner[rows], month=month_index(end), kind=kind[rows])
        return table, month_end

    @cached_property
    def previous_class_code(self) -> np.ndarray:
        """Per loan: its classification in the earlier snapshot (0 normal … 4 loss), -1 when
        the loan is not there or had no class."""
        prev = self.previous  # the first row of a loan id counts
        where = positions_in(self.loans["loan_id"], prev["loan_id"])
        column = prev["classification"]
        if isinstance(column.dtype, pd.CategoricalDtype) and \
                list(column.cat.categories) == list(schema.CLASSIFICATIONS):
            codes = column.cat.codes.to_numpy()
        else:
            codes = pd.Categorical(column.astype("str"), categories=schema.CLASSIFICATIONS,
                                   ordered=True).codes
        codes = np.append(np.asarray(codes, dtype=np.int64), -1)
        return codes[where]

    def rating_rank(self, ratings: pd.Series) -> np.ndarray:
        """Each rating's place on ``warning.rating_scale`` (0 the best), -1 when not on it."""
        scale = pd.Index(self.policy.warning.rating_scale, dtype="str")
        return positions_in(ratings.astype("str").str.strip(), scale)
