"""Vectorised helpers every stage of the generator shares: days, months, integers, strings.

Dates in the generator's state are ``datetime64[D]``; :func:`add_months` is calendar-month
arithmetic with month-end clamping on them. :data:`MONTH_MIN_DAYS` and :data:`CLEAN_MARGIN` are
the day margins that keep clean loans inside a threshold counted in months and planted loans
clearly outside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

# Safety margins (days) that keep clean loans comfortably inside the policy thresholds and
# planted loans clearly outside. A calendar month is at least 28 days, a year at least 365.
MONTH_MIN_DAYS = 28
CLEAN_MARGIN = 5

NAT_DAY = np.datetime64("NaT", "D")


def to_day(value: dt.date | str) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "D")


def add_months(dates: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """``dates + months`` calendar months, clamped to month end (2026-01-31 + 1 → 02-28).

    Vectorised over ``datetime64[D]`` arrays; NaT stays NaT.
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    start = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - start).astype(np.int64)
    out = start + np.minimum(day, length - 1)
    return np.where(np.isnat(dates), NAT_DAY, out)


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

