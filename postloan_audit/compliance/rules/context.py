"""How rules run: the :class:`CheckContext` prepared once per run, and vectorised helpers.

Everything a rule derives from more than one row (the last inspection of each loan, the
strongest collection since the overdue began, working-day deadlines) is computed here once, on
first use, with one pass over the sheet (``numpy.maximum.at`` over loan codes), and shared by
every rule that reads it. Helpers format whole columns (dates, integers, amounts) for messages;
nothing loops over loans in Python.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from postloan_audit.compliance.policy import Policy
from postloan_audit.core import schema, workdays
from postloan_audit.core.dates import PERIOD_MONTHS, add_months, period_span
from postloan_audit.core.extract import OPTIONAL_SHEETS
from postloan_audit.core.lookup import codes_together, positions_in
from postloan_audit.parties.resolve import WHY_ID, WHY_NAME, BorrowerParties, borrower_parties

NAT = np.datetime64("NaT", "ns")
_NAT_INT = np.iinfo(np.int64).min
_MAX_INT = np.iinfo(np.int64).max

#: The sheets keyed by a loan id, coded with the loans' ids once per run.
LOAN_ID_SHEETS: tuple[str, ...] = ("inspections", "collections", "collateral", "guarantees")
#: Strength of a collection method (催收力度): sms = phone = letter < visit < legal.
#: Source: ``003_…`` 第一篇 第四十九条(六).
COLLECTION_STRENGTH: dict[str, int] = {"sms": 1, "phone": 1, "letter": 1, "visit": 2, "legal": 3}
#: Strength of a collection whose method was not recorded: it still is a collection.
UNKNOWN_METHOD_STRENGTH = 1
STRENGTH_ZH: tuple[str, ...] = ("无催收", "短信、电话或信函催收", "约见或上门催收", "法律手段清收")
#: Facts of the whole book rather than of one loan, each computed from one sheet alone
#: (attribute → how pieces combine: "min" or "max"). An engine that checks the book in pieces (the Dask engine) computes each on every
#: piece of the sheets, combines them and passes them in as ``facts``, so every piece sees the
#: book-wide value.
BOOK_WIDE_FACTS: dict[str, str] = {"inspection_coverage_start": "min", "product_npl": "sum"}
#: Where each book-wide fact comes from: a sheet (computed on every piece of it) or ``loans``.
BOOK_WIDE_SOURCES: dict[str, str] = {"inspection_coverage_start": "inspections",
                                     "product_npl": "loans"}
#: The product key of a branch's personal loans when the ledger has no ``product`` column, and
#: of a blank product (one group per branch either way).
NO_PRODUCT = "\x00"


# --------------------------------------------------------------------------- vectorised helpers

def month_index(values: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each date (``datetime64``, no NaT), via a lookup of the days.

    Converting to ``datetime64[M]`` is a calendar computation per element; a table over the
    (few thousand) days the dates span does it once per day.
    """
    days = np.asarray(values).astype("datetime64[D]").view(np.int64)
    if not len(days):
        return days
    lo, hi = int(days.min()), int(days.max())
    table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]")
    return table.view(np.int64)[days - lo]


def full_months(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole calendar months from ``start`` to ``end`` (the largest k with start + k months <= end).

    Uses :func:`add_months`, so 2026-01-31 → 2026-02-28 is one month. NaT gives -1.
    """
    s = np.asarray(start).astype("datetime64[D]")
    e = np.asarray(end).astype("datetime64[D]")
    k = (e.astype("datetime64[M]") - s.astype("datetime64[M]")).astype(np.int64)
    bad = np.isnat(s) | np.isnat(e)
    k = np.where(bad, 0, k)
    over = add_months(s, k) > e.astype("datetime64[ns]")
    k = np.where(over, k - 1, k)
    return np.where(bad, -1, k)


def days_between(start: np.ndarray, end: np.ndarray | np.datetime64) -> np.ndarray:
    """Whole days from ``start`` to ``end`` as float (NaN where either is NaT)."""
    s = np.asarray(start).astype("datetime64[D]")
    e = np.asarray(end).astype("datetime64[D]")
    out = (e - s).astype("timedelta64[D]").astype(np.int64).astype(float)
    out[np.isnat(s) | np.isnat(np.broadcast_to(e, s.shape))] = np.nan
    return out


def fmt_date(values: np.ndarray) -> pd.Series:
    """``YYYY-MM-DD`` text for a ``datetime64`` array (NaT → NaN)."""
    d = np.asarray(values).astype("datetime64[D]")
    out = pd.Series(np.datetime_as_string(d, unit="D"), dtype="str")
    return out.mask(np.isnat(d))


def fmt_int(values: np.ndarray) -> pd.Series:
    """Integer text (NaN → NaN)."""
    v = np.asarray(values, dtype=float)
    bad = np.isnan(v)
    out = pd.Series(np.where(bad, 0, v).astype(np.int64), dtype=np.int64).astype("str")
    return out.mask(bad)


def fmt_fixed(values: np.ndarray, decimals: int = 2) -> pd.Series:
    """Fixed-point text with ``decimals`` digits (``12.50``), by integer arithmetic."""
    scale = 10 ** decimals
    v = np.round(np.asarray(values, dtype=float) * scale).astype(np.int64)
    sign = pd.Series(np.where(v < 0, "-", ""), dtype="str")
    v = np.abs(v)
    whole = pd.Series(v // scale).astype("str")
    if decimals == 0:
        return sign + whole
    frac = pd.Series(v % scale).astype("str").str.zfill(decimals)
    return sign + whole + "." + frac


def fmt_number(values: np.ndarray) -> pd.Series:
    """A month count as text: ``6`` for whole numbers, else one decimal (``12.5``)."""
    v = np.round(np.asarray(values, dtype=float) * 10).astype(np.int64)
    whole = pd.Series(v // 10).astype("str")
    frac = pd.Series(v % 10).astype("str")
    return whole.where(v % 10 == 0, whole + "." + frac)


def pick(choices: list[str] | tuple[str, ...], index: np.ndarray) -> pd.Series:
    """``choices[index]`` as a ``str`` Series (a small lookup table broadcast over rows)."""
    return pd.Series(np.asarray(choices, dtype=object)[np.asarray(index)], dtype="str")


def wan(values: np.ndarray) -> pd.Series:
    """Yuan amounts as 万元 text with two decimals."""
    return fmt_fixed(np.asarray(values, dtype=float) / 10_000, 2)


_QUARTER_ZH = ("第一季度", "第二季度", "第三季度", "第四季度")


def by_loan(positions: np.ndarray, texts: pd.Series | np.ndarray,
            due: np.ndarray | None = None) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Sheet rows' findings gathered per loan: the sorted loan positions, each loan's row texts
    joined by ``;`` in row order, and the earliest due date among its rows (NaT when none).

    ``positions`` and ``texts`` (and ``due``) are aligned, one entry per flagged row.
    """
    positions = np.asarray(positions, dtype=np.int64)
    if not len(positions):
        return (np.empty(0, np.int64), pd.Series([], dtype="str"),
                np.empty(0, "datetime64[ns]"))
    order = np.argsort(positions, kind="stable")
    pos = positions[order]
    text = np.asarray(pd.Series(texts).to_numpy(dtype=object), dtype=object)[order]
    first = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    if len(first) == len(pos):  # one row per loan: nothing to join
        joined = pd.Series(text, dtype="str")
    else:
        joined = pd.Series(np.add.reduceat(np.char.add(text.astype(str), ";").astype(object),
                                           first), dtype="str").str[:-1]
    if due is None:
        earliest = np.full(len(first), NAT)
    else:
        ints = np.asarray(due, dtype="datetime64[ns]")[order].view(np.int64)
        ints = np.where(ints == _NAT_INT, _MAX_INT, ints)
        earliest = np.minimum.reduceat(ints, first)
        earliest = np.where(earliest == _MAX_INT, _NAT_INT, earliest).view("datetime64[ns]")
    return pos[first], joined, earliest


def _period_name(start: np.datetime64, length: int) -> str:
    """A calendar period in words: ``2026年3月``, ``2026年第一季度``, ``2025年下半年``, ``2025年度``."""
    month = int(start.astype("datetime64[M]").astype(np.int64))
    year, m = 1970 + month // 12, month % 12 + 1
    if length == 1:
        return f"{year}年{m}月"
    if length == 3 and m % 3 == 1:
        return f"{year}年{_QUARTER_ZH[m // 3]}"
    if length == 6 and m in (1, 7):
        return f"{year}年{'上' if m == 1 else '下'}半年"
    if length == 12 and m == 1:
        return f"{year}年度"
    end = month + length - 1
    return f"{year}年{m}月至{1970 + end // 12}年{end % 12 + 1}月"


# --------------------------------------------------------------------------- the context

class CheckContext:
    """The loans frame and everything derived from it, prepared once per run.

    Attributes
    ----------
    loans:
        The canonical loans frame (never modified).
    as_of:
        The check date D as ``datetime64[ns]``.
    policy:
        The :class:`~postloan_audit.compliance.policy.Policy` in force.
    inspections, collections, branches, collateral, guarantees, financials, external, lists:
        The optional sheets, or None.
    notes:
        Warnings collected while rules run (rule id prefixed); they go into the report.

    ``facts`` (constructor only) gives the book-wide facts of :data:`BOOK_WIDE_FACTS` when
    the context holds only a piece of the book (the Dask engine); otherwise each is computed
    from the sheets on first use.
    """

    def __init__(self, loans: pd.DataFrame, *, as_of: dt.date, policy: Policy,
                 inspections: pd.DataFrame | None = None,
                 collections: pd.DataFrame | None = None,
                 branches: pd.DataFrame | None = None,
                 collateral: pd.DataFrame | None = None,
                 guarantees: pd.DataFrame | None = None,
                 financials: pd.DataFrame | None = None,
                 external: pd.DataFrame | None = None,
                 lists: pd.DataFrame | None = None,
                 facts: dict[str, object] | None = None) -> None:
        self.loans = loans
        self.as_of = np.datetime64(pd.Timestamp(as_of).normalize().to_datetime64(), "ns")
        self.policy = policy
        self.inspections = inspections
        self.collections = collections
        self.branches = branches
        self.collateral = collateral
        self.guarantees = guarantees
        self.financials = financials
        self.external = external
        self.lists = lists
        self.n = len(loans)
        self.notes: list[str] = []
        self.uncovered_years: set[int] = set()
        for name, value in (facts or {}).items():  # book-wide facts (BOOK_WIDE_FACTS)
            if name not in BOOK_WIDE_FACTS:
                raise ValueError(f"unknown book-wide fact {name!r}")
            self.__dict__[name] = value

    # ---------------------------------------------------------------- availability

    def provides(self, part: str) -> bool:
        """Whether a requirement part (column, sheet or ``sheet.column``) is available."""
        if "." in part:
            sheet, column = part.split(".", 1)
            frame = getattr(self, sheet)
            return frame is not None and column in frame.columns
        if part in OPTIONAL_SHEETS:
            return getattr(self, part) is not None
        return part in self.loans.columns

    def has(self, column: str) -> bool:
        return column in self.loans.columns

    def note(self, rule_id: str, text: str) -> None:
        self.notes.append(f"{rule_id}:{text}")

    # ---------------------------------------------------------------- typed columns

    def date(self, column: str) -> np.ndarray:
        """A loans date column as ``datetime64[ns]`` (all NaT when the column is absent)."""
        if column not in self.loans.columns:
            return np.full(self.n, NAT)
        return self._date_cache(column)

    def _date_cache(self, column: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_dates", {})
        if column not in cache:
            cache[column] = pd.to_datetime(self.loans[column]).to_numpy(dtype="datetime64[ns]")
        return cache[column]

    def flag(self, column: str) -> np.ndarray:
        """A loans boolean column (False when absent or missing)."""
        if column not in self.loans.columns:
            return np.zeros(self.n, dtype=bool)
        return self.loans[column].fillna(False).to_numpy(dtype=bool)

    def integer(self, column: str) -> np.ndarray:
        """A loans integer column (0 when absent or missing)."""
        if column not in self.loans.columns:
            return np.zeros(self.n, dtype=np.int64)
        return self.loans[column].fillna(0).to_numpy(dtype=np.int64)

    def amount(self, column: str) -> np.ndarray:
        """A loans amount column as float (NaN when absent or missing)."""
        if column not in self.loans.columns:
            return np.full(self.n, np.nan)
        return self.loans[column].to_numpy(dtype=float, na_value=np.nan)

    def equals(self, column: str, value: str) -> np.ndarray:
        """``loans[column] == value`` (False where missing or the column is absent)."""
        if column not in self.loans.columns:
            return np.zeros(self.n, dtype=bool)
        return (self.loans[column] == value).fillna(False).to_numpy(dtype=bool)

    def missing(self, column: str) -> np.ndarray:
        """Where a loans column is blank (everywhere when absent)."""
        if column not in self.loans.columns:
            return np.ones(self.n, dtype=bool)
        return self.loans[column].isna().to_numpy()

    @cached_property
    def active(self) -> np.ndarray:
        """Balance > 0 (贷款余额大于零)."""
        return np.nan_to_num(self.amount("balance"), nan=0.0) > 0

    @cached_property
    def class_code(self) -> np.ndarray:
        """Classification as 0 normal … 4 loss, -1 when missing."""
        col = self.loans["classification"]
        if not isinstance(col.dtype, pd.CategoricalDtype) or \
                list(col.cat.categories) != list(schema.CLASSIFICATIONS):
            col = pd.Categorical(col.astype("str"), categories=schema.CLASSIFICATIONS,
                                 ordered=True)
            return np.asarray(col.codes, dtype=np.int8)
        return col.cat.codes.to_numpy(dtype=np.int8)

    @cached_property
    def npl(self) -> np.ndarray:
        """Substandard, doubtful or loss (不良)."""
        return self.class_code >= schema.CLASSIFICATIONS.index("substandard")

    @cached_property
    def individual(self) -> np.ndarray:
        return self.equals("customer_type", "individual")

    @cached_property
    def corporate(self) -> np.ndarray:
        return self.equals("customer_type", "corporate")

    @cached_property
    def collateral_secured(self) -> np.ndarray:
        """Mortgage or pledge (抵押、质押)."""
        if "guarantee_type" not in self.loans.columns:
            return np.zeros(self.n, dtype=bool)
        return self.loans["guarantee_type"].isin(schema.COLLATERAL_GUARANTEE_TYPES).to_numpy(
            dtype=bool)

    @cached_property
    def original_maturity(self) -> np.ndarray:
        """Maturity before any extension: maturity − ``extension_months`` (clamped)."""
        return add_months(self.date("maturity_date"), -self.integer("extension_months"))

    # ---------------------------------------------------------------- per-loan aggregates

    @cached_property
    def _id_codes(self) -> tuple[dict[str, np.ndarray], int]:
        """Each row's code among the distinct loan ids, for loans and the sheets, and their count.

        Codes number the distinct ``loans.loan_id`` values in order of first appearance; a
        missing id, or a sheet row whose loan is not in loans, gets -1. Computed once per run:
        Arrow-backed ids are dictionary-encoded in one hash pass over the chunks of loans,
        inspections and collections (Arrow keeps one memo table across a chunked array's
        chunks, so a sheet's id takes its loan's code, and one not in loans a code past them),
        whatever their chunk layout (``pd.concat`` and ``read_parquet`` give multi-chunk
        arrays). Other dtypes are factorised by pandas.
        """
        ids = self.loans["loan_id"]
        sheets = {name: frame["loan_id"] for name in LOAN_ID_SHEETS
                  if (frame := getattr(self, name)) is not None and "loan_id" in frame.columns}
        if isinstance(ids.array, pd.arrays.ArrowStringArray):
            loans = pa.chunked_array(pa.array(ids.array))
            chunks = [loans]
            for sheet in sheets.values():
                arrow = pa.chunked_array(pa.array(
                    sheet.array if isinstance(sheet.array, pd.arrays.ArrowStringArray)
                    else sheet.astype("str").array))
                chunks.append(arrow if arrow.type == loans.type else arrow.cast(loans.type))
            encoded = pa.chunked_array([c for chunked in chunks for c in chunked.chunks],
                                       type=loans.type).dictionary_encode()
            codes = np.concatenate(
                [c.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
                 for c in encoded.chunks] or [np.zeros(0, dtype=np.int64)])
            n = len(ids)
            k = int(codes[:n].max()) + 1 if n else 0
            out = {"loans": codes[:n]}
            offset = n
            for name, sheet in sheets.items():
                part = codes[offset:offset + len(sheet)]
                out[name] = np.where(part >= k, -1, part)
                offset += len(sheet)
            return out, k
        codes, uniques = pd.factorize(ids)
        index = pd.Index(uniques)
        out = {"loans": codes.astype(np.int64)}
        out.update({name: index.get_indexer(sheet).astype(np.int64)
                    for name, sheet in sheets.items()})
        return out, len(uniques)

    @cached_property
    def _borrowers(self) -> tuple[np.ndarray, pd.Index]:
        codes, uniques = pd.factorize(self.loans["borrower_id"])
        return codes.astype(np.int64), pd.Index(uniques)

    @cached_property
    def borrower_codes(self) -> tuple[np.ndarray, int]:
        """Each loan's borrower as a code (first-appearance order; -1 when the id is missing)
        and the number of borrowers: one hash pass (Arrow's for Arrow-backed ids)."""
        codes, uniques = self._borrowers
        return codes, len(uniques)

    @cached_property
    def parties(self) -> BorrowerParties | None:
        """The borrowers resolved into parties (同一债务人: the same valid id number, or the same
        normalised name with one id number missing; :mod:`postloan_audit.parties.resolve`),
        node by node as :attr:`borrower_codes` numbers them; None without an ``id_number``
        column (nothing can be joined then)."""
        if "id_number" not in self.loans.columns:
            return None
        codes, uniques = self._borrowers
        return borrower_parties(self.loans, codes=codes, borrower_ids=uniques)

    @cached_property
    def party_codes(self) -> tuple[np.ndarray, int]:
        """Each loan's party as a code (-1 when the borrower id is missing) and the number of
        parties: :attr:`borrower_codes` itself when no two borrower ids are one party."""
        codes, k = self.borrower_codes
        parties = self.parties
        if parties is None or not parties.joined:
            return codes, k
        return np.where(codes >= 0, parties.labels[np.where(codes < 0, 0, codes)], -1), \
            parties.parties

    def party_members_text(self, positions: np.ndarray) -> pd.Series:
        """For the loans at ``positions``: ``""`` when the loan's party is one borrower id, else
        which borrower ids were joined and why (``客户号 A、B 为同一债务人(同一证件号码)``)."""
        out = pd.Series(np.full(len(positions), "", dtype=object), dtype="str")
        parties = self.parties
        if parties is None or not parties.joined or not len(positions):
            return out
        codes, _ = self.borrower_codes
        node = codes[positions]
        label = np.where(node >= 0, parties.labels[np.where(node < 0, 0, node)], -1)
        size = np.bincount(parties.labels, minlength=parties.parties)
        wanted = np.unique(label[(label >= 0) & (size[np.where(label < 0, 0, label)] > 1)])
        if not len(wanted):
            return out
        members = np.flatnonzero(np.isin(parties.labels, wanted))
        why = parties.why()
        frame = pd.DataFrame({"label": parties.labels[members],
                              "borrower_id": pd.Series(parties.borrower_ids[members],
                                                       dtype="str"),
                              "why": why[members]}).sort_values(["label", "borrower_id"])
        grouped = frame.groupby("label", sort=False)
        ids = grouped["borrower_id"].agg("、".join)
        reasons = grouped["why"].agg(lambda w: "、".join(
            r for r in (WHY_ID, WHY_NAME) if w.str.contains(r, regex=False).any()))
        text = "客户号 " + ids + " 为同一债务人(" + reasons + ")"
        found = text.reindex(label)
        return pd.Series(found.fillna("").to_numpy(dtype=object), dtype="str")

    def borrower_code_of(self, ids: pd.Series) -> np.ndarray:
        """The borrower code (as in :attr:`borrower_codes`) of each id of a sheet; -1 for an id
        no loan has."""
        return positions_in(ids, self._borrowers[1])

    def loan_positions(self, sheet: str) -> np.ndarray:
        """For each row of a loan-keyed sheet (``inspections``, ``collections``,
        ``collateral``, ``guarantees``): its loan's first position in loans, -1 when the loan
        is not in the ledger."""
        codes = self._sheet_codes(sheet)
        return np.where(codes >= 0, self.position_of_code[np.where(codes < 0, 0, codes)], -1)

    @property
    def _loan_codes(self) -> tuple[np.ndarray, int]:
        """Each loan's code among the distinct loan ids (first-appearance order), and their count."""
        codes, k = self._id_codes
        return codes["loans"], k

    def _sheet_codes(self, sheet: str) -> np.ndarray:
        """Code (as in :attr:`_loan_codes`) of each row of ``sheet``'s loan; -1 when not in loans."""
        return self._id_codes[0][sheet]

    def _broadcast(self, per_unique: np.ndarray) -> np.ndarray:
        codes = self._loan_codes[0]
        return per_unique[np.where(codes < 0, 0, codes)] if len(per_unique) else per_unique

    def _reduce_dates(self, codes: np.ndarray, dates: np.ndarray, keep: np.ndarray,
                      how: str) -> np.ndarray:
        """Max or min of ``dates`` per loan over the rows in ``keep``, broadcast to loans."""
        k = self._loan_codes[1]
        keep = keep & (codes >= 0) & ~np.isnat(dates)
        ints = dates.astype(np.int64)
        if how == "max":
            out = np.full(k, _NAT_INT, dtype=np.int64)
            np.maximum.at(out, codes[keep], ints[keep])
        else:
            out = np.full(k, _MAX_INT, dtype=np.int64)
            np.minimum.at(out, codes[keep], ints[keep])
            out[out == _MAX_INT] = _NAT_INT
        return self._broadcast(out).view("datetime64[ns]")

    @cached_property
    def _inspection_rows(self) -> tuple[np.ndarray, np.ndarray]:
        frame = self.inspections
        codes = self._sheet_codes("inspections")
        dates = pd.to_datetime(frame["inspection_date"]).to_numpy(dtype="datetime64[ns]")
        return codes, dates

    @cached_property
    def _inspected_in_sheet(self) -> np.ndarray:
        """Loans with at least one inspection row dated on or before D."""
        codes, dates = self._inspection_rows
        return ~np.isnat(self._reduce_dates(codes, dates, dates <= self.as_of, "max"))

    def _column_on_or_before(self, column: str) -> np.ndarray:
        values = self.date(column).copy()
        values[values > self.as_of] = NAT
        return values

    @cached_property
    def last_inspection(self) -> np.ndarray:
        """Latest ``inspections.inspection_date`` <= D, else ``last_inspection_date`` (<= D)."""
        fallback = self._column_on_or_before("last_inspection_date")
        if self.inspections is None:
            return fallback
        codes, dates = self._inspection_rows
        latest = self._reduce_dates(codes, dates, dates <= self.as_of, "max")
        return np.where(np.isnat(latest), fallback, latest)

    @cached_property
    def last_onsite_inspection(self) -> np.ndarray:
        """Latest on-site inspection <= D (``inspection_type == "onsite"``), else the typed
        column ``last_onsite_inspection_date`` (an untyped ``last_inspection_date`` may be an
        off-site one and never counts)."""
        fallback = self._column_on_or_before("last_onsite_inspection_date")
        if self.inspections is None or "inspection_type" not in self.inspections.columns:
            return fallback
        codes, dates = self._inspection_rows
        onsite = (self.inspections["inspection_type"] == "onsite").fillna(False).to_numpy(bool)
        latest = self._reduce_dates(codes, dates, onsite & (dates <= self.as_of), "max")
        return np.where(np.isnat(latest), fallback, latest)

    @cached_property
    def product_npl(self) -> pd.DataFrame:
        """Per branch and ``product`` (:data:`NO_PRODUCT` for a blank product or none): the
        balance of the personal loans disbursed in ``inspection.individual_npl_lookback_months``
        up to D, ``total``, and of those NPL, ``npl`` (``003_…`` 第四十五条 近三年新增贷款不良率).
        A book-wide fact: an engine that checks the book in pieces sums the pieces' tables."""
        p = self.policy.inspection
        disb = self.date("disbursement_date")
        start = add_months(np.array([self.as_of]), -p.individual_npl_lookback_months)[0]
        new = self.individual & ~np.isnat(disb) & (disb > start) & (disb <= self.as_of)
        balance = np.nan_to_num(self.amount("balance"), nan=0.0)
        product = (self.loans["product"].astype("str").fillna(NO_PRODUCT) if self.has("product")
                   else pd.Series(NO_PRODUCT, index=self.loans.index, dtype="str"))
        frame = pd.DataFrame({"branch": self.loans["branch"].astype("str").fillna(NO_PRODUCT),
                              "product": product, "total": np.where(new, balance, 0.0),
                              "npl": np.where(new & self.npl, balance, 0.0)})
        return frame.loc[new].groupby(["branch", "product"], sort=False, as_index=False)[
            ["total", "npl"]].sum()

    @cached_property
    def inspection_coverage_start(self) -> np.datetime64:
        """The earliest ``inspections.inspection_date`` (<= D): where the sheet's history starts.

        NaT without the sheet or without a dated row. Before this day the sheet cannot tell
        whether a loan was inspected.
        """
        if self.inspections is None:
            return NAT
        _, dates = self._inspection_rows
        kept = dates[~np.isnat(dates) & (dates <= self.as_of)]
        return kept.min() if len(kept) else NAT

    @cached_property
    def first_inspection_after_disbursement(self) -> np.ndarray:
        """Earliest inspection on or after disbursement and <= D.

        From ``inspections`` for loans that have rows there and were disbursed on or after the
        sheet's :attr:`inspection_coverage_start`, else ``first_inspection_date``.
        """
        fallback = self._column_on_or_before("first_inspection_date")
        disb = self.date("disbursement_date")
        fallback[fallback < disb] = NAT
        if self.inspections is None:
            return fallback
        codes, dates = self._inspection_rows
        row_disb = self._broadcast_rows(disb, codes)
        earliest = self._reduce_dates(codes, dates, (dates >= row_disb) & (dates <= self.as_of),
                                      "min")
        covered = disb >= self.inspection_coverage_start
        return np.where(self._inspected_in_sheet & covered, earliest, fallback)

    def inspection_period_gaps(self, interval: np.ndarray, judged: np.ndarray,
                               exempt_months: int, review_months: int
                               ) -> tuple[np.ndarray, pd.Series, np.ndarray]:
        """Calendar periods of the review window without an inspection, per loan.

        A loan with interval L months (1 month, a quarter, a half-year; periods aligned on the
        calendar year) must hold an inspection in every period that ended on or before D (an
        extract as of D is as of the close of that day) and after D − ``review_months``,
        unless it was disbursed ``exempt_months`` or less before the period's end (``001_…``
        篇三 二、(七): 贷款发放日离检查时点不满2个月(含2个月)时,当期可不形成贷后检查报告). An
        inspection counts for the period its date falls in: the rows of ``inspections`` dated
        <= D, and the loan's latest inspection (:attr:`last_inspection`, which falls back to
        ``last_inspection_date``); a row with a ``report_period`` counts for that period
        instead (the loan's period holding the reported period's last day: a first-quarter
        report finished in April covers the first quarter).

        Vectorised over loans × periods: the window's periods are built with numpy per
        distinct interval (a handful), every inspection marks its (loan, period) cell in a dense
        boolean table, and each interval's loans × periods grid is read from it.

        Returns
        -------
        positions, text, first_end
            Sorted positions of loans with at least one uncovered period, the periods in words
            (``2025年下半年、2026年第一季度``), and the end of the first uncovered period.
        """
        D = self.as_of
        disb = self.date("disbursement_date")
        window_lo = add_months(np.array([D]), -review_months)[0]
        d_month = int(D.astype("datetime64[M]").astype(np.int64))
        lo_month = int(window_lo.astype("datetime64[M]").astype(np.int64))
        loan_codes, n_codes = self._loan_codes
        lengths = np.unique(interval[judged & (interval > 0)])
        # the window's periods per interval length: index of the first, count, ends, names
        tables = []
        for length in lengths.tolist():
            periods = np.arange(lo_month // length, d_month // length + 1, dtype=np.int64)
            ends = (((periods + 1) * length).astype("datetime64[M]").astype("datetime64[D]")
                    - np.timedelta64(1, "D")).astype("datetime64[ns]")
            in_window = (ends > window_lo) & (ends <= D)
            periods, ends = periods[in_window], ends[in_window]
            names = [_period_name((p * length).astype("datetime64[M]"), length)
                     for p in periods]
            tables.append((int(periods[0]) if len(periods) else 0, len(periods), ends, names))
        width = max([t[1] for t in tables] or [0])
        if not width:
            return (np.empty(0, np.int64), pd.Series([], dtype="str"),
                    np.empty(0, "datetime64[ns]"))
        first_period = np.array([t[0] for t in tables], dtype=np.int64)
        counts = np.array([t[1] for t in tables], dtype=np.int64)
        # covered[loan code, slot]: an inspection dated in that period of the window
        covered = np.zeros((n_codes, width), dtype=bool)
        # per loan code: which interval table applies (-1: not judged)
        table_of_code = np.full(n_codes, -1, dtype=np.int64)
        table_of_code[loan_codes] = np.where(judged & (interval > 0),
                                             np.searchsorted(lengths, interval), -1)
        lengths_ext = np.append(lengths, 1).astype(np.int64)  # index -1: a dummy length

        def mark(codes: np.ndarray, dates: np.ndarray) -> None:
            which = table_of_code[codes]
            ok = which >= 0
            codes, which = codes[ok], which[ok]
            slot = month_index(dates[ok]) // lengths_ext[which] - first_period[which]
            ok = (slot >= 0) & (slot < counts[which])
            covered[codes[ok], slot[ok]] = True

        # only rows from the first day of the earliest period in the window can cover one
        earliest = min(np.datetime64(int(first * length), "M")
                       for first, length in zip(first_period.tolist(), lengths.tolist(),
                                                strict=True))
        codes, dates = self._inspection_rows
        reported = self.report_periods[0]
        counted = np.where(np.isnat(reported), dates, reported)
        keep = ((counted >= earliest.astype("datetime64[ns]")) & (dates <= D) & (codes >= 0)
                & (counted <= D))
        mark(codes[keep], counted[keep])
        last = self.last_inspection
        has_last = ~np.isnat(last) & judged
        mark(loan_codes[has_last], last[has_last])

        pos_parts, name_parts, end_parts = [], [], []
        for which, (_, k, ends, names) in enumerate(tables):
            idx = np.flatnonzero(judged & (interval == lengths[which]))
            if not k or not len(idx):
                continue
            threshold = add_months(ends, -exempt_months)  # disbursed on/after: exempt
            required = disb[idx, None] < threshold[None, :]
            gap = required & ~covered[loan_codes[idx], :k]
            row, slot = np.nonzero(gap)  # row-major: loan by loan, periods in order
            pos_parts.append(idx[row])
            name_parts.append(np.asarray(names, dtype=object)[slot])
            end_parts.append(ends[slot])
        if not pos_parts:
            return (np.empty(0, np.int64), pd.Series([], dtype="str"),
                    np.empty(0, "datetime64[ns]"))
        pos = np.concatenate(pos_parts)
        order = np.argsort(pos, kind="stable")  # loan-major, periods stay chronological
        pos = pos[order]
        names = np.concatenate(name_parts)[order]
        ends = np.concatenate(end_parts)[order]
        first = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]]) if len(pos) else pos
        positions = pos[first]
        if not len(positions):
            return positions, pd.Series([], dtype="str"), np.empty(0, "datetime64[ns]")
        # join each loan's period names with "、" in one C-level reduction (no loop over loans)
        joined = np.add.reduceat(np.char.add(names.astype(str), "、").astype(object), first)
        text = pd.Series(joined, dtype="str").str[:-1]
        return positions, text, ends[first]

    @cached_property
    def report_periods(self) -> tuple[np.ndarray, np.ndarray, pd.Series]:
        """Per ``inspections`` row: the end of its ``report_period`` (NaT without one), the
        period's length in months (0 without one) and its name (``2026年第一季度``). Each
        distinct period is resolved once (:func:`~postloan_audit.core.dates.period_span`)."""
        frame = self.inspections
        n = 0 if frame is None else len(frame)
        if frame is None or "report_period" not in frame.columns:
            return (np.full(n, NAT), np.zeros(n, dtype=np.int64),
                    pd.Series(np.full(n, "", dtype=object), dtype="str"))
        codes, uniques = pd.factorize(frame["report_period"])
        spans = [period_span(str(u)) for u in uniques]
        ends = np.array([np.datetime64(end, "ns") for _, end, _ in spans] + [NAT],
                        dtype="datetime64[ns]")
        months = np.array([PERIOD_MONTHS[shape] for *_, shape in spans] + [0], dtype=np.int64)
        names = np.array([_period_name(np.datetime64(start, "D"), PERIOD_MONTHS[shape])
                          for start, _, shape in spans] + [""], dtype=object)
        return ends[codes], months[codes], pd.Series(names[codes], dtype="str")

    @cached_property
    def late_reports(self) -> pd.DataFrame:
        """Inspection reports finished after their deadline (``001_…`` 篇三 二、(七)).

        One row per late report of a loan in the ledger: ``loan`` (position in loans),
        ``period_end``, ``period_name``, ``report_date``, ``deadline`` (the policy's working
        days after the period's end, by its length) and ``working_days_late``. Judged: rows
        with a report period ended by D and a report dated by D.
        """
        columns = ["loan", "period_end", "period_name", "report_date", "deadline",
                   "working_days_late"]
        frame = self.inspections
        if frame is None or "report_date" not in frame.columns:
            return pd.DataFrame({c: [] for c in columns})
        p = self.policy.inspection
        ends, months, names = self.report_periods
        codes = self._sheet_codes("inspections")
        done = pd.to_datetime(frame["report_date"]).to_numpy(dtype="datetime64[ns]")
        judged = (codes >= 0) & ~np.isnat(ends) & (ends <= self.as_of) & ~np.isnat(done) & (
            done <= self.as_of)
        allowed = {1: p.report_month_working_days, 3: p.report_quarter_working_days,
                   6: p.report_half_year_working_days, 12: p.report_year_working_days}
        deadline = np.full(len(frame), NAT)
        for length, days in allowed.items():
            rows = np.flatnonzero(judged & (months == length))
            if len(rows):
                deadline[rows] = self.working_day_deadline(ends[rows], days)
        late = judged & (done > deadline)
        rows = np.flatnonzero(late)
        working, uncovered = workdays.working_days_after(deadline[rows], done[rows])
        self.uncovered_years.update(uncovered)
        return pd.DataFrame({
            "loan": self.position_of_code[codes[rows]], "period_end": ends[rows],
            "period_name": names.iloc[rows].to_numpy(), "report_date": done[rows],
            "deadline": deadline[rows], "working_days_late": working})

    @cached_property
    def position_of_code(self) -> np.ndarray:
        """The first loans position of each distinct loan id code (see :attr:`_loan_codes`)."""
        codes, k = self._loan_codes
        out = np.full(k, -1, dtype=np.int64)
        valid = np.flatnonzero(codes >= 0)[::-1]
        out[codes[valid]] = valid  # written last to first: the first position wins
        return out

    # ---------------------------------------------------------------- the borrower's file

    @property
    def collateral_rows(self) -> pd.DataFrame:
        """The collateral sheet's rows in force for outstanding loans: ``loan`` (position in
        loans), ``collateral_id``, ``type`` (``other`` when blank) and the sheet's columns,
        for rows whose loan is in the ledger with a balance and whose collateral is not
        released by D (``release_date`` after D or blank). One row per (collateral, loan)."""
        return self._collateral_in_force[0]

    @property
    def collateral_codes(self) -> np.ndarray:
        """Each of :attr:`collateral_rows`' collateral as a code (one per distinct
        ``collateral_id``; -1 for a blank id)."""
        return self._collateral_in_force[1]

    @cached_property
    def _collateral_in_force(self) -> tuple[pd.DataFrame, np.ndarray]:
        frame = self.collateral
        pos = self.loan_positions("collateral")
        keep = pos >= 0
        keep[keep] = self.active[pos[keep]]
        if "release_date" in frame.columns:
            released = pd.to_datetime(frame["release_date"]).to_numpy(dtype="datetime64[ns]")
            keep &= ~(~np.isnat(released) & (released <= self.as_of))
        # The first row of each (collateral, loan), on integer keys, then one take of the
        # sheet: a drop_duplicates after the take hashed the ids again and took every column
        # twice (1.5M rows: most of the collateral rules' time). Blank ids are one id, as
        # drop_duplicates has them.
        codes, _ = pd.factorize(frame["collateral_id"])
        rows = np.flatnonzero(keep)
        key = codes[rows].astype(np.int64) * (self.n + 1) + pos[rows]
        rows = rows[np.sort(np.unique(key, return_index=True)[1])]
        out = frame.iloc[rows].reset_index(drop=True).assign(loan=pos[rows])
        kind = out["collateral_type"] if "collateral_type" in out.columns else \
            pd.Series(np.nan, index=out.index, dtype="str")
        return out.assign(type=kind.fillna("other").astype("str")), codes[rows].astype(np.int64)

    @cached_property
    def active_listings(self) -> pd.DataFrame:
        """Entries of the ``lists`` sheet in force at D (listed on or before D, not removed by
        D) whose borrower has loans: ``borrower`` (code), ``list_type``, ``listed_date``,
        ``removed_date`` (NaT when absent)."""
        frame = self.lists
        listed = pd.to_datetime(frame["listed_date"]).to_numpy(dtype="datetime64[ns]")
        removed = (pd.to_datetime(frame["removed_date"]).to_numpy(dtype="datetime64[ns]")
                   if "removed_date" in frame.columns else np.full(len(frame), NAT))
        borrower = self.borrower_code_of(frame["borrower_id"])
        keep = (borrower >= 0) & (listed <= self.as_of) & (np.isnat(removed)
                                                            | (removed > self.as_of))
        return pd.DataFrame({"borrower": borrower[keep],
                             "list_type": frame["list_type"].to_numpy(dtype=object)[keep],
                             "listed_date": listed[keep], "removed_date": removed[keep]})

    @cached_property
    def exit_listed(self) -> np.ndarray:
        """Loans of exit-list clients: the loan's ``exit_list`` flag, or an ``exit`` entry of
        the ``lists`` sheet in force at D for its borrower."""
        flagged = self.flag("exit_list")
        if self.lists is None:
            return flagged
        codes, k = self.borrower_codes
        listed = self.active_listings
        on_list = np.zeros(k + 1, dtype=bool)
        on_list[listed.loc[listed["list_type"] == "exit", "borrower"].to_numpy(np.int64)] = True
        return flagged | on_list[np.where(codes < 0, k, codes)]

    @property
    def borrower_ids(self) -> pd.Index:
        """The distinct borrower ids, indexed by borrower code (:attr:`borrower_codes`)."""
        return self._borrowers[1]

    def per_borrower(self, values: np.ndarray, how: str = "any") -> np.ndarray:
        """A per-loan array reduced per borrower code (``any`` of a mask, ``sum`` of amounts);
        loans without a borrower id are left out."""
        codes, k = self.borrower_codes
        keep = codes >= 0
        if how == "any":
            return np.bincount(codes[keep & values], minlength=k) > 0
        return np.bincount(codes[keep], weights=values[keep], minlength=k)

    @cached_property
    def borrower_active(self) -> np.ndarray:
        """Borrowers (by code) with an outstanding loan (贷款余额大于零)."""
        return self.per_borrower(self.active)

    @cached_property
    def borrower_balance(self) -> np.ndarray:
        """The outstanding balance of each borrower (yuan, by code)."""
        return self.per_borrower(np.nan_to_num(self.amount("balance"), nan=0.0), "sum")

    @cached_property
    def borrower_npl(self) -> np.ndarray:
        """Borrowers (by code) with an outstanding non-performing loan (不良)."""
        return self.per_borrower(self.active & self.npl)

    @cached_property
    def latest_external(self) -> pd.DataFrame:
        """The latest report of each party in the ``external`` sheet dated on or before D (a
        report dated after D is not known at D; of two on one day, the later row): the sheet's
        columns, one row per ``party_id``, parties in order of their first row."""
        return self._latest_reports[0]

    @cached_property
    def _party_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """The ``external`` sheet's party ids, the borrower ids (:attr:`borrower_ids`) and the
        ``guarantees`` sheet's guarantor ids in one code space (:func:`codes_together`), and
        the number of parties: a borrower or guarantor code at or past it has no report."""
        guarantors = (self.guarantees["guarantor_id"] if self.guarantees is not None
                      else pd.Series([], dtype="str"))
        parties, borrowers, guarantors = codes_together(self.external["party_id"],
                                                        self.borrower_ids, guarantors)
        return parties, borrowers, guarantors, int(parties.max()) + 1 if len(parties) else 0

    @cached_property
    def _latest_reports(self) -> tuple[pd.DataFrame, np.ndarray]:
        """:attr:`latest_external`, and per party code its row there (-1 without one)."""
        frame = self.external
        dates = pd.to_datetime(frame["report_date"]).to_numpy(dtype="datetime64[ns]")
        codes, _, _, parties = self._party_codes
        keep = np.flatnonzero((codes >= 0) & ~np.isnat(dates) & (dates <= self.as_of))
        order = keep[np.lexsort((keep, dates[keep], codes[keep]))]
        c = codes[order]
        last = np.r_[c[1:] != c[:-1], True] if len(c) else np.zeros(0, dtype=bool)
        row_of = np.full(parties + 1, -1, dtype=np.int64)  # the last slot: no party
        row_of[c[last]] = np.arange(int(last.sum()))
        return frame.iloc[order[last]].reset_index(drop=True), row_of

    def _report_row(self, codes: np.ndarray) -> np.ndarray:
        """The :attr:`latest_external` row of each party code (-1 when none)."""
        row_of = self._latest_reports[1]
        parties = len(row_of) - 1
        return row_of[np.where((codes < 0) | (codes >= parties), parties, codes)]

    @cached_property
    def external_of_borrower(self) -> np.ndarray:
        """Per borrower code: its row in :attr:`latest_external` (-1 without a report)."""
        return self._report_row(self._party_codes[1])

    @cached_property
    def guarantor_rows(self) -> pd.DataFrame:
        """The guarantors of outstanding loans that have a latest external report
        (:attr:`latest_external`): ``borrower`` (code of the loan's borrower), ``report`` (the
        guarantor's row in :attr:`latest_external`) and the sheet's ``guarantor_id`` /
        ``guarantor_name`` (NA without the column); one row per borrower and guarantor, in the
        sheet's order (``003_…`` 多选10 reads 授信主体或担保主体 together). Empty without an
        ``external`` sheet."""
        frame = self.guarantees
        pos = self.loan_positions("guarantees")
        keep = pos >= 0
        keep[keep] = self.active[pos[keep]]
        rows = np.flatnonzero(keep)
        borrower = self.borrower_codes[0][pos[rows]]
        if self.external is None:
            report = np.full(len(rows), -1, dtype=np.int64)
        else:
            report = self._report_row(self._party_codes[2][rows])
        known = (borrower >= 0) & (report >= 0)
        rows, borrower, report = rows[known], borrower[known], report[known]
        key = borrower * (len(self.latest_external) if self.external is not None else 1) + report
        _, first = np.unique(key, return_index=True)
        first = np.sort(first)
        rows = rows[first]

        def column(name: str) -> pd.Series:
            if name not in frame.columns:
                return pd.Series(pd.NA, index=range(len(rows)), dtype="str")
            return frame[name].iloc[rows].reset_index(drop=True).astype("str")

        return pd.DataFrame({"borrower": borrower[first], "report": report[first],
                             "guarantor_id": column("guarantor_id"),
                             "guarantor_name": column("guarantor_name")})

    def _broadcast_rows(self, per_loan: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """A per-loan value for each sheet row (via the loan's distinct-id code)."""
        loan_codes, k = self._loan_codes
        per_unique = np.empty(k, dtype=per_loan.dtype)
        per_unique[loan_codes] = per_loan  # duplicate ids: the last row wins
        out = per_unique[np.where(codes < 0, 0, codes)]
        if np.issubdtype(out.dtype, np.datetime64):
            out[codes < 0] = NAT
        return out

    @cached_property
    def _collection_rows(self) -> tuple[np.ndarray, np.ndarray]:
        frame = self.collections
        codes = self._sheet_codes("collections")
        dates = pd.to_datetime(frame["collection_date"]).to_numpy(dtype="datetime64[ns]")
        return codes, dates

    @cached_property
    def _collected_in_sheet(self) -> np.ndarray:
        codes, dates = self._collection_rows
        return ~np.isnat(self._reduce_dates(codes, dates, dates <= self.as_of, "max"))

    @cached_property
    def last_collection(self) -> np.ndarray:
        """Latest ``collections.collection_date`` <= D, else ``last_collection_date`` (<= D)."""
        fallback = self._column_on_or_before("last_collection_date")
        if self.collections is None:
            return fallback
        codes, dates = self._collection_rows
        latest = self._reduce_dates(codes, dates, dates <= self.as_of, "max")
        return np.where(np.isnat(latest), fallback, latest)

    @cached_property
    def overdue_start(self) -> np.ndarray:
        """The day the overdue began: D − ``overdue_days`` (NaT when not overdue)."""
        days = self.integer("overdue_days")
        start = self.as_of - days.astype("timedelta64[D]").astype("timedelta64[ns]")
        return np.where(days > 0, start, NAT)

    @staticmethod
    def _strength(methods: pd.Series) -> np.ndarray:
        codes, uniques = pd.factorize(methods)
        # a handful of distinct method codes, not a loop over loans
        table = np.array([COLLECTION_STRENGTH.get(str(u), UNKNOWN_METHOD_STRENGTH)
                          for u in uniques] + [UNKNOWN_METHOD_STRENGTH], dtype=np.int64)
        return table[codes]

    @cached_property
    def strongest_collection_since_overdue(self) -> np.ndarray:
        """Strongest collection (0 none, 1 sms/phone/letter, 2 visit, 3 legal) in [start, D].

        From ``collections`` for loans with rows <= D there, else ``last_collection_date`` /
        ``last_collection_method``; ``litigation`` counts as legal (3). A loan that is not
        overdue (a doubtful loan with no arrears) counts every collection up to D.
        """
        start = self.overdue_start
        start = np.where(np.isnat(start), np.datetime64("1678-01-01", "ns"), start)
        k = self._loan_codes[1]
        if self.has("last_collection_date") and self.has("last_collection_method"):
            last = self._column_on_or_before("last_collection_date")
            within = ~np.isnat(last) & (last >= start)
            fallback = np.where(within, self._strength(self.loans["last_collection_method"]), 0)
        else:
            fallback = np.zeros(self.n, dtype=np.int64)
        strength = fallback
        if self.collections is not None:
            codes, dates = self._collection_rows
            row_start = self._broadcast_rows(start, codes)
            keep = (codes >= 0) & (dates >= row_start) & (dates <= self.as_of)
            per_unique = np.zeros(k, dtype=np.int64)
            np.maximum.at(per_unique, codes[keep],
                          self._strength(self.collections["method"])[keep])
            strength = np.where(self._collected_in_sheet, self._broadcast(per_unique), fallback)
        legal = COLLECTION_STRENGTH["legal"]
        return np.where(self.flag("litigation"), np.maximum(strength, legal), strength)

    def working_day_deadline(self, dates: np.ndarray, n: int) -> np.ndarray:
        """The n-th working day after each date; uncovered years are remembered for a warning."""
        result, uncovered = workdays.add_working_days(pd.Series(dates), n)
        self.uncovered_years.update(uncovered)
        return result.to_numpy(dtype="datetime64[ns]")
