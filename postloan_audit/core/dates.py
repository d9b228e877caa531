"""Dates as users write them, once for the whole package (日期).

:func:`coerce_date` is the one door through which a date a user types or passes (a check date,
a data date, a statistical date) enters the package: the loader's ``as_of``, ``run_checks``,
``draw_sample``'s provenance, statistical sampling, the portfolio measures, the audit trail and
every ``--as-of`` of the command line. It accepts what the loader accepts in a date cell
(:func:`postloan_audit.ingest.parsing.parse_dates` reads its patterns from here) and refuses
the same things, with one bilingual message that names the value.

:func:`add_months` is the package's calendar-month arithmetic (month-end clamping), used by the
rules (periods, deadlines) and the generator alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.errors import DateError
from postloan_audit.core.messages import DATE_FORMS_EN, DATE_FORMS_ZH  # noqa: F401 - re-exported

#: Full-width digits and separators (２０２６／９／３０) → ASCII, before any pattern is tried.
FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９．，－／：　（）＋",
    "0123456789.,-/: ()+",
)
#: 2026-09-30, 2026/9/30, 2026.9.30, 2026年9月30日, optionally followed by a time of day
#: (``2026-09-30 00:00:00``, as a datetime cell reads), which is dropped.
DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
#: 20260930 (a core system's eight digits; ``20260930.0`` when a spreadsheet made it a number).
COMPACT_DATE_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\.0+)?$")
#: Years a date can have: inside the datetime64[ns] range; a date in another year (0001-01-01,
#: a typing slip) is not a date the package can compute with.
DATE_YEARS = (1678, 2261)

NAT = np.datetime64("NaT", "ns")


def _from_text(text: str) -> dt.date | None:
    text = text.translate(FULL_WIDTH).strip()
    match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if match is None:
        return None
    year, month, day = (int(match["y"]), int(match["m"]), int(match["d"]))
    if not DATE_YEARS[0] <= year <= DATE_YEARS[1]:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:  # 2026-02-30
        return None


def coerce_date(value: Any, *, what: tuple[str, str] = ("日期", "date")) -> dt.date:
    """``value`` as a :class:`datetime.date`, or a :class:`~postloan_audit.core.errors.DateError`.

    Accepted: a ``datetime.date`` (a ``datetime`` loses its time of day), a
    ``pandas.Timestamp``, a ``numpy.datetime64``, or text in one of the forms a ledger's date
    cells take: ``2026-09-30``, ``2026/9/30``, ``2026.9.30``, ``2026年9月30日``, ``20260930``,
    with full-width digits, surrounding spaces and a trailing time of day allowed. Refused: a
    day that does not exist (``2026-02-30``), a year outside :data:`DATE_YEARS`, anything else.

    ``what`` names the value in the message, Chinese and English (``("检查日期", "check
    date")``).

    >>> coerce_date("2026/9/30")
    datetime.date(2026, 9, 30)
    >>> coerce_date("2026年9月30日") == coerce_date("20260930") == coerce_date(
    ...     pd.Timestamp("2026-09-30 15:00"))
    True
    >>> coerce_date("2026-02-30", what=("检查日期", "check date"))
    Traceback (most recent call last):
    ...
    postloan_audit.core.errors.DateError: 检查日期无效:'2026-02-30',应为日期,如 2026-09-30、2026/9/30、2026年9月30日 或 20260930 / invalid check date '2026-02-30': expected a date such as 2026-09-30, 2026/9/30, 2026年9月30日 or 20260930
    """
    day: dt.date | None = None
    if isinstance(value, pd.Timestamp):
        day = None if pd.isna(value) else value.date()
    elif isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, np.datetime64):
        day = None if np.isnat(value) else pd.Timestamp(value).date()
    elif isinstance(value, str):
        day = _from_text(value)
    if day is None or not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        raise DateError(value, what=what)
    return day


def coerce_optional_date(value: Any, *, what: tuple[str, str] = ("日期", "date")
                         ) -> dt.date | None:
    """:func:`coerce_date`, with None (or an empty string) passed through as None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return coerce_date(value, what=what)


def _add_months_direct(d: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    start = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - start).astype(np.int64)
    return start + np.minimum(day, length - 1).astype("timedelta64[D]")


def add_months(values: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """Calendar-month arithmetic with month-end clamping, on ``datetime64`` arrays.

    2026-01-31 + 1 month = 2026-02-28; 2026-03-31 − 1 month = 2026-02-28. NaT stays NaT.
    ``months`` is a scalar or an integer array of the same length. Returns ``datetime64[ns]``.
    Calendar conversions are costly in numpy, so they run on the distinct (date, months) pairs
    only — a ledger holds a few thousand distinct dates however many loans it has.

    >>> add_months(np.array(["2026-01-31", "2026-03-31", "NaT"], dtype="datetime64[D]"), 1)
    array(['2026-02-28T00:00:00.000000000', '2026-04-30T00:00:00.000000000',
                                         'NaT'], dtype='datetime64[ns]')
    """
    d = np.asarray(values).astype("datetime64[D]")
    nat = np.isnat(d)
    days = np.where(nat, 0, d.view(np.int64))
    m = np.asarray(months, dtype=np.int64)
    if m.ndim == 0:
        codes, uniq = pd.factorize(days)
        res = _add_months_direct(uniq.view("datetime64[D]"), int(m))[codes]
    else:
        # one int64 key per (date, months) pair; months are far below ±2**20
        key = days * (1 << 21) + (m + (1 << 20))
        codes, uniq = pd.factorize(key)
        u_days = uniq >> 21
        u_months = (uniq & ((1 << 21) - 1)) - (1 << 20)
        res = _add_months_direct(u_days.view("datetime64[D]"), u_months)[codes]
    out = res.astype("datetime64[ns]")
    out[nat] = NAT
    return out


# --------------------------------------------------------------------------- calendar months

#: A calendar month as the monthly lists and the new-customer check take it: ``2026-09``.
MONTH_FORM = "YYYY-MM"
_CALENDAR_MONTH_RE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$")


def month_span(month: object) -> tuple[dt.date, dt.date] | None:
    """The first and the last day of ``month`` written ``'YYYY-MM'``, or None when it is not
    one (``'2026-13'``, ``'2026/09'``, ``'2026-9'``, a year outside :data:`DATE_YEARS`).

    Callers raise their own error, naming their argument.

    >>> month_span("2026-02")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    >>> month_span("2026-13") is None and month_span("2026/09") is None
    True
    """
    match = _CALENDAR_MONTH_RE.match(month) if isinstance(month, str) else None
    if match is None:
        return None
    year, number = int(match["y"]), int(match["m"])
    if not (1 <= number <= 12 and DATE_YEARS[0] <= year <= DATE_YEARS[1]):
        return None
    first = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def month_of(day: dt.date, shift: int = 0) -> str:
    """``'YYYY-MM'`` of the calendar month ``shift`` months from the month of ``day``.

    >>> month_of(dt.date(2026, 1, 31), -1), month_of(dt.date(2026, 12, 1), 1)
    ('2025-12', '2027-01')
    """
    index = day.year * 12 + day.month - 1 + shift
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --------------------------------------------------------------------------- reporting periods

#: 2026Q1, 2026-Q1, 2026年Q1, 2026年第一季度, 2026年一季度, 2026年第1季度.
_QUARTER_RE = re.compile(r"^(?P<y>\d{4})(?:年|-)?(?:Q(?P<q>[1-4])|第?(?P<qz>[一二三四1-4])季度?)$")
#: 2026H1, 2026-H2, 2026年上半年, 2026年下半年.
_HALF_RE = re.compile(r"^(?P<y>\d{4})(?:年|-)?(?:H(?P<h>[12])|(?P<hz>[上下])半年度?)$")
#: 2026-03, 2026/3, 2026.03, 2026年3月, 202603.
_MONTH_RE = re.compile(r"^(?P<y>\d{4})(?:[-/.]|年)?(?P<m>0?[1-9]|1[0-2])月?(?:份)?$")
#: 2026, 2026年, 2026年度, 2026年年度.
_YEAR_RE = re.compile(r"^(?P<y>\d{4})(?:年度?|年年度)?$")
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
#: Months in a canonical period, by its shape.
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def period_of(text: object) -> str | None:
    """A reporting period (报告期次) as written → its canonical text, or None.

    Canonical forms: ``2026-03`` (a month), ``2026Q1`` (a quarter), ``2026H1`` (a half-year),
    ``2026`` (a fiscal year, the calendar year).

    >>> [period_of(t) for t in ("2026Q1", "2026年一季度", "2026-03", "2026年3月", "2026H1",
    ...                         "2026年上半年", "2026年度", "2026年13月")]
    ['2026Q1', '2026Q1', '2026-03', '2026-03', '2026H1', '2026H1', '2026', None]
    """
    if not isinstance(text, str):
        return None
    t = re.sub(r"\s+", "", text.translate(FULL_WIDTH)).upper()
    if match := _QUARTER_RE.match(t):
        q = match["q"] or _ZH_DIGITS[match["qz"]]
        return f"{match['y']}Q{q}"
    if match := _HALF_RE.match(t):
        h = match["h"] or ("1" if match["hz"] == "上" else "2")
        return f"{match['y']}H{h}"
    if match := _YEAR_RE.match(t):
        return match["y"]
    if match := _MONTH_RE.match(t):
        return f"{match['y']}-{int(match['m']):02d}"
    return None


def period_span(canonical: str) -> tuple[dt.date, dt.date, str]:
    """The first day, the last day and the shape (``month``, ``quarter``, ``half``, ``year``)
    of a canonical period.

    >>> period_span("2026Q1")
    (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), 'quarter')
    """
    year = int(canonical[:4])
    rest = canonical[4:]
    if not rest:
        first, shape = 1, "year"
    elif rest.startswith("Q"):
        first, shape = 3 * int(rest[1]) - 2, "quarter"
    elif rest.startswith("H"):
        first, shape = 6 * int(rest[1]) - 5, "half"
    else:
        first, shape = int(rest[1:]), "month"
    start = dt.date(year, first, 1)
    end_month = first + PERIOD_MONTHS[shape]
    end = (dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
           - dt.timedelta(days=1))
    return start, end, shape
