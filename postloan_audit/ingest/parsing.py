"""Vectorised parsers from raw export text to canonical values.

Every parser takes a pandas ``str`` Series (NaN for an empty cell) and returns the parsed
Series plus a boolean ``invalid`` mask: True where a cell holds something that could not be
understood (an empty cell is never invalid; whether it is allowed is the loader's business).

Categorical-looking columns (dates, classes, codes, flags) repeat few distinct values, so the
parsers work on the distinct values (``pd.factorize``) and broadcast back: a million-row
column costs as much as its few thousand distinct values. Amounts, which do not repeat, are
cast by pyarrow when every cell is a plain number; a column with one cell it cannot read goes
the general way. What reads a column's bytes (whitespace at a cell's edges, ASCII-only ids)
is in :mod:`~postloan_audit.ingest.kernels`. The date patterns, the full-width table and the
years a date can have (a date in another year is an unreadable date, never an overflow) are
declared once, in :mod:`postloan_audit.core.dates`, beside the date coercer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from postloan_audit.core import schema
from postloan_audit.core.dates import (
    COMPACT_DATE_RE,
    DATE_RE,
    DATE_YEARS,
    FULL_WIDTH,
    period_of,
)
from postloan_audit.ingest.kernels import (
    arrow_text,
    digit_id_numbers,
    empty_cells,
    has_edge_space,
    plain_ascii,
)

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Excel serial day numbers accepted as dates: 1900-01-01 .. 2199-12-31.
SERIAL_RANGE = (1, 109574)

_SERIAL_RE = re.compile(r"^\d{1,6}(?:\.\d+)?$")
_AMOUNT_JUNK_RE = r"[,\s元¥￥]"


#: Control characters (NUL, BEL, …), zero-width characters and BOMs: removed from text values
#: so that every workbook the package writes can be written (openpyxl refuses control chars).
CONTROL_RE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2060\ufeff]"


def control_characters(series: pd.Series) -> pd.Series:
    """True where a text cell holds a control or invisible character."""
    return series.str.contains(CONTROL_RE, regex=True).fillna(False)


def clean_text(series: pd.Series, controls: np.ndarray | None = None) -> pd.Series:
    """Strip whitespace (incl. full-width spaces) and control characters; empty strings → NaN.

    ``controls`` is a one-element array that receives the number of cells from which control
    characters were removed; None skips the check (the caller knows there are none).
    """
    out = series.astype("str")
    if controls is not None:  # None: the caller knows the column holds no control character
        bad = control_characters(out).to_numpy(dtype=bool)
        if bad.any():
            out = out.copy()
            out[bad] = out[bad].str.replace(CONTROL_RE, "", regex=True)
        controls[0] += int(bad.sum())
    text = arrow_text(out)
    # Most columns have no cell to strip: test first (no copy), strip only when one has.
    if text is None or has_edge_space(text):
        out = out.str.strip()
        text = arrow_text(out)
    empty = (out == "").fillna(False).to_numpy(dtype=bool) if text is None else empty_cells(text)
    if empty.any():
        out = out.mask(empty)
    return out


def clean_text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`clean_text` on every column of a (small) frame."""
    return pd.DataFrame({c: clean_text(frame[c]) for c in frame.columns}, index=frame.index)


def factorize_text(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``pd.factorize(series, use_na_sentinel=True)`` of a text column, the distinct values as
    a ``str`` Series.

    A column in pyarrow storage is encoded by pyarrow's hash kernel, whose chunks share one
    dictionary: no combining of chunks and of dictionaries, as pandas does.
    """
    text = arrow_text(series)
    if text is not None and len(text):
        encoded = pc.dictionary_encode(text)
        chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        if chunks and len({len(chunk.dictionary) for chunk in chunks}) == 1:
            indices = pa.chunked_array([chunk.indices for chunk in chunks])
            if indices.null_count:
                indices = pc.fill_null(indices, -1)
            codes = indices.to_numpy().astype(np.intp, copy=False)
            uniques = pd.Series(pd.arrays.ArrowStringArray(
                chunks[0].dictionary.cast(pa.large_string())), dtype="str", copy=False)
            return codes, uniques
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, pd.Series(uniques, dtype="str")


def _by_distinct(series: pd.Series, parse: Callable[[pd.Series], tuple[pd.Series, pd.Series]],
                 dtype=None) -> tuple[pd.Series, pd.Series]:
    """Apply a vectorised ``parse`` to the distinct non-null values and broadcast back."""
    codes, uniques = factorize_text(series)
    values, invalid = parse(uniques)
    values = values.reset_index(drop=True)
    if dtype is not None:
        values = values.astype(dtype)
    invalid = invalid.to_numpy(dtype=bool)
    if len(values):
        # One take with fill: -1 (an empty cell) becomes NaN/NaT without a masked write.
        out = pd.Series(pd.api.extensions.take(values.array, codes, allow_fill=True),
                        copy=False)
        if invalid.any():
            missing = codes < 0
            bad = np.where(missing, False, invalid[np.where(missing, 0, codes)])
        else:  # the usual column: every distinct value read
            bad = np.zeros(len(codes), dtype=bool)
    else:
        out = pd.Series(np.full(len(series), np.nan)).astype(dtype or values.dtype)
        bad = np.zeros(len(series), dtype=bool)
    out.index = series.index
    return out, pd.Series(bad, index=series.index, copy=False)


def normalise_values(series: pd.Series) -> pd.Series:
    """NFKC-like cleanup for codes: full-width → ASCII, lower case, no spaces."""
    return (
        series.str.translate(FULL_WIDTH)
        .str.normalize("NFKC")
        .str.lower()
        .str.replace(r"[\s_]+", "", regex=True)
    )


# --------------------------------------------------------------------------- dates


#: The shape most exports and every Excel date cell give (2026-09-30, 2026-09-30 00:00:00):
#: read with one strptime format instead of the general regexes (RE2, for pyarrow).
_ISO_DATE_RE2 = r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$"


def _iso_dates(values: pd.Series) -> pd.Series | None:
    """The dates when every value has the ISO shape, else None (the general way then).

    The same dates as the general parser: an impossible day (2026-02-30) or a year outside
    :data:`DATE_YEARS` is NaT; the time of day is dropped.
    """
    text = arrow_text(values)
    if text is None or not len(values) or text.null_count:
        return None
    if not pc.all(pc.match_substring_regex(text, _ISO_DATE_RE2)).as_py():
        return None
    result = pd.to_datetime(values.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return result.where(result.dt.year.between(*DATE_YEARS)).astype("datetime64[ns]")


def _parse_dates_distinct(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    iso = _iso_dates(values)
    if iso is not None:
        return iso, iso.isna()
    text = values.str.translate(FULL_WIDTH).str.strip()
    parts = text.str.extract(DATE_RE)
    compact = text.str.extract(COMPACT_DATE_RE)
    parts = parts.fillna(compact)
    ymd = parts.apply(pd.to_numeric, errors="coerce")  # column-wise (3 columns), not per row
    ymd = ymd.where(ymd["y"].between(*DATE_YEARS), axis=0)
    result = pd.to_datetime(
        pd.DataFrame({"year": ymd["y"], "month": ymd["m"], "day": ymd["d"]}), errors="coerce"
    )
    serial_text = text.where(parts["y"].isna() & text.str.match(_SERIAL_RE).fillna(False))
    serial = pd.to_numeric(serial_text, errors="coerce")
    serial = serial.where((serial >= SERIAL_RANGE[0]) & (serial <= SERIAL_RANGE[1]))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")
    result = result.fillna(from_serial)
    result = result.astype("datetime64[ns]")
    return result, result.isna()


#: The first and last day of :data:`DATE_YEARS`, as days since 1970-01-01 (date32 values).
_DATE_DAYS = (int(np.datetime64(f"{DATE_YEARS[0]}-01-01", "D").astype(np.int64)),
              int(np.datetime64(f"{DATE_YEARS[1]}-12-31", "D").astype(np.int64)))


def _cast_dates(series: pd.Series) -> pd.Series | None:
    """The dates when every non-empty cell is a real date written ``2026-09-30`` in
    :data:`DATE_YEARS` (how a core system writes every date cell), else None.

    pyarrow's cast to date32 reads exactly that shape (four, two and two digits, an existing
    day) and refuses the whole column on any other cell, so a column it reads is read as the
    general parser reads it, without hashing its text; any other column goes the general way.
    """
    text = arrow_text(series)
    if text is None or text.null_count == len(text):
        return None
    try:
        days = pc.cast(text, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    bounds = pc.min_max(days)
    if not (_DATE_DAYS[0] <= bounds["min"].value and bounds["max"].value <= _DATE_DAYS[1]):
        return None
    values = days.to_numpy() if isinstance(days, pa.ChunkedArray) else \
        days.to_numpy(zero_copy_only=False)
    return pd.Series(values.astype("datetime64[ns]"), index=series.index, copy=False)


def parse_dates(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse 2026-09-30, 2026/9/30, 2026年9月30日, 20260930, Excel serials, datetimes.

    Datetime cells arrive as text such as ``2026-09-30 00:00:00`` and keep their date part.
    Impossible dates (2026-02-30) are invalid.
    """
    cast = _cast_dates(series)
    if cast is not None:  # every cell read: none is invalid
        return cast, pd.Series(np.zeros(len(series), dtype=bool), index=series.index,
                               copy=False)
    return _by_distinct(series, _parse_dates_distinct, dtype="datetime64[ns]")


# --------------------------------------------------------------------------- numbers


def _plain_numbers(series: pd.Series) -> pd.Series | None:
    """The column as float64 when pyarrow reads every cell as a plain number, else None.

    pyarrow's cast refuses the whole column on one cell it cannot read (``1,000``, ``１``,
    ``元``); the caller then parses it the general way. What it reads, pandas reads the same
    (``inf`` and ``nan`` included, which the caller rejects); ``-0`` becomes 0.
    """
    text = arrow_text(series)
    if text is None:
        return None
    try:
        numbers = pc.cast(text, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = np.add(numbers.to_numpy(zero_copy_only=False), 0.0, dtype="float64")  # -0 → 0
    return pd.Series(values, index=series.index, copy=False)


def parse_amounts(series: pd.Series, factor: float = 1.0) -> tuple[pd.Series, pd.Series]:
    """Parse amounts with thousands separators, full-width digits or a trailing 元; × factor."""
    values = _plain_numbers(series)
    if values is None:
        values = pd.to_numeric(series, errors="coerce").astype("float64")
    messy = values.isna() & series.notna()
    if messy.any():
        # Only cells that are not plain numbers pay for the clean-up.
        text = series[messy].str.translate(FULL_WIDTH).str.replace(_AMOUNT_JUNK_RE, "", regex=True)
        values[messy] = pd.to_numeric(text.mask(text == ""), errors="coerce").astype("float64")
    infinite = np.isinf(values.to_numpy())
    if infinite.any():  # inf, Infinity, 1e400: not an amount
        values[infinite] = np.nan
    invalid = values.isna() & series.notna()
    if factor != 1.0:
        values = (values * factor).round(2)
    return values, invalid


def parse_ints(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Non-negative whole numbers (overdue days, extension months); blank → 0."""

    def parse(values: pd.Series) -> tuple[pd.Series, pd.Series]:
        numbers, invalid = parse_amounts(values)
        bad = invalid | (numbers < 0) | (numbers.notna() & (numbers != np.floor(numbers)))
        return numbers.where(~bad), bad

    numbers, invalid = _by_distinct(series, parse, dtype="float64")
    return numbers.fillna(0).astype("int64"), invalid


def parse_bools(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """是/否, Y/N, 1/0, True/False (any case); blank → False."""

    def parse(values: pd.Series) -> tuple[pd.Series, pd.Series]:
        norm = normalise_values(values).str.replace(r"\.0+$", "", regex=True)
        is_true = norm.isin(schema.TRUE_WORDS)
        is_false = norm.isin(schema.FALSE_WORDS)
        return pd.Series(is_true.to_numpy(), dtype="float64"), ~(is_true | is_false)

    values, invalid = _by_distinct(series, parse, dtype="float64")
    return values.fillna(0).astype(bool), invalid


# --------------------------------------------------------------------------- codes

_CLASS_PREFIXES = {"正常": "normal", "关注": "special_mention", "次级": "substandard",
                   "可疑": "doubtful", "损失": "loss"}
_CLASS_ENGLISH = {
    "normal": "normal", "pass": "normal", "specialmention": "special_mention", "sm": "special_mention",
    "substandard": "substandard", "doubtful": "doubtful", "loss": "loss",
}
_CLASS_CODES = {str(i): c for i, c in enumerate(schema.CLASSIFICATIONS, start=1)}
CLASSIFICATION_DTYPE = pd.CategoricalDtype(list(schema.CLASSIFICATIONS), ordered=True)


def _parse_class_distinct(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    norm = normalise_values(values).str.replace(r"\.0+$", "", regex=True)
    result = norm.map(_CLASS_CODES)
    result = result.fillna(norm.str.replace(r"[^a-z]", "", regex=True).map(_CLASS_ENGLISH))
    # 正常一级 / 关注3 / 次级类 / 可疑二级: the five tiers are the first two characters.
    result = result.fillna(norm.str.slice(0, 2).map(_CLASS_PREFIXES))
    return result, result.isna()


def parse_classification(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Chinese words, 1–5 codes, English names and sub-grades → the five tiers (ordered).

    The categorical is built from the tier codes of the distinct values (no text per row).
    """
    codes, uniques = factorize_text(series)
    tiers, invalid = _parse_class_distinct(uniques)
    tier_codes = CLASSIFICATION_DTYPE.categories.get_indexer(tiers.to_numpy(dtype=object))
    missing = codes < 0
    safe = np.where(missing, 0, codes)
    if len(uniques):
        values = np.where(missing, -1, tier_codes.take(safe))
        bad = ~missing & invalid.to_numpy(dtype=bool).take(safe)
    else:
        values, bad = np.full(len(series), -1), np.zeros(len(series), dtype=bool)
    out = pd.Series(pd.Categorical.from_codes(values, dtype=CLASSIFICATION_DTYPE),
                    index=series.index, copy=False)
    return out, pd.Series(bad, index=series.index, copy=False)


_GUARANTEE_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pledge", ("质押", "质", "pledge")),
    ("mortgage", ("抵押", "抵", "mortgage")),
    ("guarantee", ("保证", "担保", "保", "guarantee", "guaranty")),
    ("credit", ("信用", "credit", "unsecured")),
)


#: Whole guarantee words whose parts would mislead a keyword search: 无担保 is unsecured (not
#: 担保), 保证金 is a cash-deposit pledge (not 保证). Looked up before the keywords.
GUARANTEE_WORDS: dict[str, str] = {
    "信用": "credit", "纯信用": "credit", "无担保": "credit", "免担保": "credit",
    "信用(无担保)": "credit", "信用无担保": "credit", "信用贷款": "credit", "信用方式": "credit",
    "保证金": "pledge", "保证金质押": "pledge", "存单质押": "pledge", "存单": "pledge",
    "定期存单质押": "pledge", "保证金担保": "pledge",
}
#: A part holding one of these is a negation (无抵押, 非保证 …) unless it is a whole word above.
_NEGATIONS = ("无", "免", "非", "不")
_GUARANTEE_SPLIT = r"[+＋、/,，;；&]|和|及|与|加"


def _parse_guarantee_distinct(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    norm = normalise_values(values)
    rank = {name: i for i, name in enumerate(schema.GUARANTEE_TYPES)}
    results, invalid = [], []
    for text in norm.tolist():  # distinct values only (see _by_distinct)
        best, bad = None, not text
        for part in re.split(_GUARANTEE_SPLIT, text or ""):
            if not part:
                continue
            found = GUARANTEE_WORDS.get(part)
            if found is None and not any(n in part for n in _NEGATIONS):
                for canonical, keys in _GUARANTEE_KEYS:
                    if any(k in part for k in keys):
                        found = canonical
                        break
            if found is None:
                bad = True
                break
            if best is None or rank[found] > rank[best]:
                best = found
        results.append(None if bad else best)
        invalid.append(bad or best is None)
    result = pd.Series(results, index=values.index, dtype="str")
    return result, pd.Series(invalid, index=values.index)


def parse_guarantee(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Guarantee type (strongest of a combination such as 抵押+保证) and the ``secured`` flag."""
    values, invalid = _by_distinct(series, _parse_guarantee_distinct, dtype="str")
    secured = values.isin(schema.SECURED_GUARANTEE_TYPES)
    return values, invalid, secured


def parse_periods(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Reporting periods (报告期次: 2026Q1, 2026年一季度, 2026-03, 2026年3月, 2026H1, 2026年上半年,
    2026年度) → canonical text (``2026Q1``, ``2026-03``, ``2026H1``, ``2026``); see
    :func:`postloan_audit.core.dates.period_of`. Parsed once per distinct value."""

    def parse(values: pd.Series) -> tuple[pd.Series, pd.Series]:
        result = pd.Series([period_of(v) for v in values.tolist()], index=values.index,
                           dtype="str")
        return result, result.isna()

    return _by_distinct(series, parse, dtype="str")


def parse_vocabulary(series: pd.Series, vocabulary: str) -> tuple[pd.Series, pd.Series]:
    """Map free text onto a small vocabulary by the first keyword found (see schema)."""
    pairs = schema.VOCABULARIES[vocabulary]

    def parse(values: pd.Series) -> tuple[pd.Series, pd.Series]:
        norm = normalise_values(values)
        result = pd.Series(np.nan, index=values.index, dtype="str")
        for keyword, canonical in pairs:
            hit = norm.str.contains(keyword, regex=False).fillna(False)
            result = result.mask(result.isna() & hit, canonical)
        return result, result.isna()

    return _by_distinct(series, parse, dtype="str")


#: Largest integer a float64 holds exactly (2**53): a numeric id cell above it has lost digits.
EXACT_FLOAT_INTEGER = 2**53
_SCIENTIFIC_RE = r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$"


#: Bytes whose absence (with no non-ASCII byte) shows that no id needs repair: the dot of
#: ``1001.0``, ``=`` and ``'`` of text-forcing prefixes, the exponent of ``1.23E+17``.
_ID_MARK_BYTES = b".='eE"


def parse_ids(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identifiers as text, and a mask of ids damaged by Excel.

    A number cell such as ``1001.0`` becomes ``1001`` when a float holds it exactly; an id in
    scientific notation (``1.23457E+17``, text or number) or a whole number above 2**53 has
    lost digits and is damaged (its value becomes empty). ``="00123"`` and ``'00123`` mean
    ``00123``.
    """
    invalid = pd.Series(False, index=series.index)
    text = arrow_text(series)
    if text is not None and plain_ascii(text, _ID_MARK_BYTES):
        return series, invalid  # no cell the pattern below can match
    odd = series.str.contains(r"[^\x00-\x7f]|^\d+\.0+$|^=|^'|[eE]", regex=True).fillna(False)
    if not odd.any():
        return series, invalid
    out = series.copy()
    text = series[odd].str.translate(FULL_WIDTH).str.strip()
    text = text.str.replace(r'^="(.*)"$', r"\1", regex=True).str.replace(r"^'", "", regex=True)
    damaged = text.str.match(_SCIENTIFIC_RE).fillna(False)
    whole = text.str.extract(r"^(\d+)\.0+$")[0]
    too_big = whole.notna() & (pd.to_numeric(whole, errors="coerce") > EXACT_FLOAT_INTEGER)
    text = text.where(whole.isna(), whole)
    damaged = damaged | too_big.fillna(False)
    out[odd] = text.mask(damaged)
    invalid[odd] = damaged.to_numpy(dtype=bool)
    return out, invalid


def duplicated_ids(series: pd.Series) -> np.ndarray:
    """``series.duplicated(keep="first")`` as a numpy mask, fast for the usual loan ids.

    Ids that are all digits and all of one length (借据号 as core systems issue them) are equal
    exactly when their numbers are, so they are compared as int64
    (:func:`~postloan_audit.ingest.kernels.digit_id_numbers`; hashing a million strings costs
    six times as much); any other column is compared as text.
    """
    numbers = digit_id_numbers(series)
    if numbers is not None:
        return pd.Series(numbers).duplicated(keep="first").to_numpy()
    return series.duplicated(keep="first").to_numpy(dtype=bool)


def parse_currency(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Currency words and codes (人民币, CNY, 156, 美元, USD …) → ISO 4217 codes.

    An unknown currency is kept as written (upper case), never guessed as CNY.
    """

    def parse(values: pd.Series) -> tuple[pd.Series, pd.Series]:
        norm = normalise_values(values).str.replace(r"\.0+$", "", regex=True)
        mapped = norm.map(schema.CURRENCY_CODES)
        return mapped.fillna(values.str.strip().str.upper()), pd.Series(False, index=values.index)

    return _by_distinct(series, parse, dtype="str")
