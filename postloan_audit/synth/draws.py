"""Vectorised helpers every stage of the generator shares: days, months, integers, strings.

Dates in the generator's state are ``datetime64[D]``. Month arithmetic is the package's one
:func:`postloan_audit.core.dates.add_months` (month-end clamping, ``datetime64[ns]``), brought
back to days by :func:`add_months_in_days`. :data:`MONTH_MIN_DAYS` and :data:`CLEAN_MARGIN` are
the day margins that keep clean loans inside a threshold counted in months and planted loans
clearly outside it. :func:`second_stream` is the random stream every column added after the
first release is drawn from, :func:`third_stream` the one the borrower's file (押品, 保证, 财务报表,
外部信息, 名单) is drawn from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.dates import add_months
from postloan_audit.core.workdays import working_day_calendar

# Safety margins (days) that keep clean loans comfortably inside the policy thresholds and
# planted loans clearly outside. A calendar month is at least 28 days, a year at least 365.
MONTH_MIN_DAYS = 28
CLEAN_MARGIN = 5

NAT_DAY = np.datetime64("NaT", "D")

#: Appended to a stream's seed to make the second stream (any constant would do).
SECOND_STREAM_KEY = 0x5EC0
#: Appended to a stream's seed to make the third stream (the borrower's file).
THIRD_STREAM_KEY = 0x7F11E


def to_day(value: dt.date | str) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "D")


def second_stream(*key: int) -> np.random.Generator:
    """The generator's second random stream for the stage seeded with ``key``.

    Columns and planted breaches added after the first release (callbacks, interest arrears,
    report dates, officers' planting …) draw from it, never from the stage's first stream: the
    first stream then makes exactly the draws it always made, and every column drawn from it
    keeps its values wherever no rule asks for a change.
    """
    return np.random.default_rng([*key, SECOND_STREAM_KEY])


def third_stream(*key: int) -> np.random.Generator:
    """The generator's third random stream for the stage seeded with ``key``: the borrower's
    file (:mod:`~postloan_audit.synth.borrower_file`) and its planted breaches.

    Drawing them from a stream of their own leaves the first two streams' draws, and so every
    column of the ledger, its inspections and its collections, as they were; only the few
    values the borrower's file's rules force change (a plant or equipment collateral revalued
    within the half-year, a valuation on a threshold).
    """
    return np.random.default_rng([*key, THIRD_STREAM_KEY])


def add_months_in_days(dates: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """``dates + months`` calendar months, clamped to month end (2026-01-31 + 1 → 02-28).

    :func:`postloan_audit.core.dates.add_months` returned in ``datetime64[D]``, the unit of
    every date in the generator's state; NaT stays NaT.
    """
    return add_months(dates, months).astype("datetime64[D]")


def add_working_days_in_days(dates: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """The ``n``-th working day after each date (``n = 0``: the date itself), in days.

    The Chinese calendar of :mod:`postloan_audit.core.workdays` (holidays off, make-up days
    on), as the rules count deadlines; ``n`` is a scalar or one count per date. NaT stays NaT.
    """
    d = np.asarray(dates, dtype="datetime64[D]")
    counts = np.broadcast_to(np.asarray(n, dtype=np.int64), d.shape)
    out = np.full(d.shape, NAT_DAY)
    ok = ~np.isnat(d)
    if not ok.any():
        return out
    # n working days never span more than n weeks plus the longest holiday run
    reach = np.timedelta64(int(counts.max()) * 7 // 5 + 30, "D") * 2
    calendar, _ = working_day_calendar(d[ok].min(), d[ok].max() + reach)
    at = np.searchsorted(calendar, d[ok], side="right") + counts[ok] - 1
    out[ok] = np.where(counts[ok] > 0, calendar[np.maximum(at, 0)], d[ok])
    return out


def rand_int(rng: np.random.Generator, lo: Any, hi: Any, size: int | None = None) -> np.ndarray:
    """Uniform integers in ``[lo, hi]`` (inclusive, broadcasting, hi clipped up to lo)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    if size is None:
        size = np.broadcast(lo, hi).shape
    return rng.integers(lo, hi + 1, size=size)


def strcat(*parts: Any) -> np.ndarray:
    out = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        out = np.char.add(out, np.asarray(part).astype(str))
    return out


def zfill(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(np.asarray(values, dtype=np.int64).astype(str), width)

