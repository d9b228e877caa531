"""Vectorised helpers every stage of the generator shares: days, months, integers, strings.

Dates in the generator's state are ``datetime64[D]``. Month arithmetic is the package's one
:func:`postloan_audit.core.dates.add_months` (month-end clamping, ``datetime64[ns]``), brought
back to days by :func:`add_months_in_days`. :data:`MONTH_MIN_DAYS` and :data:`CLEAN_MARGIN` are
the day margins that keep clean loans inside a threshold counted in months and planted loans
clearly outside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.dates import add_months

# Safety margins (days) that keep clean loans comfortably inside the policy thresholds and
# planted loans clearly outside. A calendar month is at least 28 days, a year at least 365.
MONTH_MIN_DAYS = 28
CLEAN_MARGIN = 5

NAT_DAY = np.datetime64("NaT", "D")


def to_day(value: dt.date | str) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "D")


def add_months_in_days(dates: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """``dates + months`` calendar months, clamped to month end (2026-01-31 + 1 → 02-28).

    :func:`postloan_audit.core.dates.add_months` returned in ``datetime64[D]``, the unit of
    every date in the generator's state; NaT stays NaT.
    """
    return add_months(dates, months).astype("datetime64[D]")


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

