"""Working days (工作日) of the Chinese calendar, vectorised.

Deadlines such as "within 10 working days after maturity" (``001_…`` 篇三 二、(二)) count
working days as the State Council's holiday notices set them: public holidays are off, and the
make-up working days (调休), often a Saturday or Sunday, are on. The data comes from the
``chinese-calendar`` package (``chinese_calendar.holidays`` / ``chinese_calendar.workdays``).
For a year the package does not cover (its 1.11 release knows 2004–2026), Monday to Friday are
taken as working days and the caller gets a warning to carry into its report.

Everything works on whole arrays: a calendar of working days is built once for the span needed,
and :func:`add_working_days` finds the n-th working day after each date with
``numpy.searchsorted``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

try:  # the package is a declared dependency; guard only to give a clear error
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover
    _cc = None


def covered_years() -> tuple[int, int]:
    """First and last year the installed ``chinese-calendar`` knows (e.g. ``(2004, 2026)``)."""
    if _cc is None:  # pragma: no cover
        return (0, -1)
    years = [d.year for d in _cc.holidays] + [d.year for d in _cc.workdays]
    return min(years), max(years)


def fallback_warning(years: list[int]) -> str:
    """The report warning for years outside the calendar's data."""
    first, last = covered_years()
    listed = "、".join(str(y) for y in years)
    return (f"工作日历未覆盖{listed}年(chinese-calendar 覆盖 {first}–{last} 年),按周一至周五"
            f"计算工作日 / working-day calendar does not cover {', '.join(map(str, years))} "
            f"(chinese-calendar covers {first}–{last}); Monday–Friday assumed")


def working_day_calendar(start: dt.date | np.datetime64, end: dt.date | np.datetime64
                         ) -> tuple[np.ndarray, list[int]]:
    """All working days in ``[start, end]`` as sorted ``datetime64[D]``, and the uncovered years.

    Covered years follow ``chinese-calendar`` (holidays off, 调休 make-up days on); other years
    fall back to Monday–Friday and are returned in the second element.
    """
    start_d = np.datetime64(start, "D")
    end_d = np.datetime64(end, "D")
    days = np.arange(start_d, end_d + np.timedelta64(1, "D"), dtype="datetime64[D]")
    # 1970-01-01 was a Thursday: weekday index 0 = Monday.
    weekday = (days.astype(np.int64) + 3) % 7
    work = weekday < 5
    first, last = covered_years()
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    if _cc is not None and len(days):
        holidays = np.array(sorted(_cc.holidays), dtype="datetime64[D]")
        makeup = np.array(sorted(_cc.workdays), dtype="datetime64[D]")
        work &= ~np.isin(days, holidays)
        work |= np.isin(days, makeup)
    uncovered = sorted({int(y) for y in np.unique(years) if y < first or y > last})
    return days[work], uncovered


def add_working_days(dates: pd.Series, n: int) -> tuple[pd.Series, list[int]]:
    """The ``n``-th working day strictly after each date (NaT stays NaT).

    ``n = 10`` on a maturity date of 2026-09-30 gives 2026-10-20: National Day runs Oct 1–7 and
    Saturday Oct 10 is a make-up working day.

    Returns
    -------
    (Series, list[int])
        The deadlines as ``datetime64[ns]`` aligned with ``dates``, and the years outside the
        calendar's data that the computation touched (Monday–Friday was used for them).
    """
    if n < 1:
        raise ValueError(f"工作日数须为正整数 / n must be a positive integer, got {n}")
    values = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    valid = ~np.isnat(values)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    if not valid.any():
        return pd.Series(out.astype("datetime64[ns]"), index=dates.index), []
    present = values[valid]
    lo, hi = present.min(), present.max()
    # n working days never span more than n weeks plus the longest holiday run.
    span = np.timedelta64(n * 7 // 5 + 30, "D") * 2
    calendar, _ = working_day_calendar(lo, hi + span)
    idx = np.searchsorted(calendar, present, side="right") + (n - 1)
    result = calendar[idx]
    out[valid] = result
    years = np.concatenate([present.astype("datetime64[Y]"), result.astype("datetime64[Y]")])
    touched = np.unique(years).astype(np.int64) + 1970
    first, last = covered_years()
    uncovered = [int(y) for y in touched if y < first or y > last]
    return pd.Series(out.astype("datetime64[ns]"), index=dates.index), uncovered


def working_days_after(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """How many working days fall in ``(start, end]`` for each pair (0 when ``end`` is not
    after ``start``; -1 where either is NaT): how late a thing done on ``end`` is against a
    deadline of ``start``, in working days.

    >>> late, _ = working_days_after(np.array(["2026-09-30"], dtype="datetime64[D]"),
    ...                              np.array(["2026-10-09"], dtype="datetime64[D]"))
    >>> late.tolist()  # National Day: Oct 1-7 off, Oct 8-9 on
    [2]
    """
    s = np.asarray(start).astype("datetime64[D]")
    e = np.asarray(end).astype("datetime64[D]")
    bad = np.isnat(s) | np.isnat(e)
    out = np.full(len(s), -1, dtype=np.int64)
    if bad.all():
        return out, []
    lo = min(s[~bad].min(), e[~bad].min())
    hi = max(s[~bad].max(), e[~bad].max())
    calendar, uncovered = working_day_calendar(lo, hi)
    counted = (np.searchsorted(calendar, e[~bad], side="right")
               - np.searchsorted(calendar, s[~bad], side="right"))
    out[~bad] = np.maximum(counted, 0)
    return out, uncovered
