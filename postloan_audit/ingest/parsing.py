"""Vectorised parsers from raw export text to canonical values.

Every parser takes a pandas ``str`` Series (NaN for an empty cell) and returns the parsed
Series plus a boolean ``invalid`` mask: True where a cell holds something that could not be
understood (an empty cell is never invalid; whether it is allowed is the loader's business).

Categorical-looking columns (dates, classes, codes, flags) repeat few distinct values, so the
parsers work on the distinct values (``pd.factorize``) and broadcast back: a million-row
column costs as much as its few thousand distinct values. Amounts, which do not repeat, are
cast by pyarrow when every cell is a plain number; a column with one cell it cannot read goes
the general way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from postloan_audit.core import schema
from postloan_audit.core.dates import period_of

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９．，－／：　（）＋",
    "0123456789.,-/: ()+",
)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Excel serial day numbers accepted as dates: 1900-01-01 .. 2199-12-31.
SERIAL_RANGE = (1, 109574)

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\.0+)?$")
_SERIAL_RE = re.compile(r"^\d{1,6}(?:\.\d+)?$")
_AMOUNT_JUNK_RE = r"[,\s元¥￥]"
#: The 29 characters pyarrow's utf8_trim_whitespace (pandas' ``str.strip``) removes,
#: full-width spaces (U+3000) included (a test checks this over every code point); the RE2
#: pattern of a cell starting or ending with one, and the first / last UTF-8 bytes such a
#: cell can have, are derived from it.
EDGE_SPACE_CHARS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
                    + "".join(chr(c) for c in range(0x2000, 0x200B))
                    + "\u2028\u2029\u202f\u205f\u3000")
_EDGE_CLASS = "[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in EDGE_SPACE_CHARS) + "]"
_EDGE_SPACE_RE2 = f"^{_EDGE_CLASS}|{_EDGE_CLASS}$"
_EDGE_FIRST_BYTE = np.zeros(256, dtype=bool)
_EDGE_FIRST_BYTE[[ch.encode("utf-8")[0] for ch in EDGE_SPACE_CHARS]] = True
#: The last two bytes such a cell can have (any byte before a one-byte character), indexed
#: by ``second_last << 8 | last``.
_EDGE_LAST_PAIR = np.zeros(0x10000, dtype=bool)
for _ch in EDGE_SPACE_CHARS:
    _tail = _ch.encode("utf-8")
    if len(_tail) == 1:
        _EDGE_LAST_PAIR[np.arange(256) << 8 | _tail[0]] = True
    else:
        _EDGE_LAST_PAIR[_tail[-2] << 8 | _tail[-1]] = True
#: The same characters by code point (all in the Basic Multilingual Plane).
_EDGE_CODE_POINT = np.zeros(0x10000, dtype=bool)
_EDGE_CODE_POINT[[ord(ch) for ch in EDGE_SPACE_CHARS]] = True
#: Years a date can have: inside the datetime64[ns] range; a date in another year (0001-01-01,
#: a typing slip) is an unreadable date, never an overflow.
DATE_YEARS = (1678, 2261)


def arrow_text(series: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The pyarrow array behind a ``str`` Series (no copy), or None for other storage."""
    if getattr(series.dtype, "storage", None) != "pyarrow":
        return None
    return pa.array(series.array)


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
    if text is None or _has_edge_space(text):
        out = out.str.strip()
        text = arrow_text(out)
    empty = (out == "").fillna(False).to_numpy(dtype=bool) if text is None else _empty_cells(text)
    if empty.any():
        out = out.mask(empty)
    return out


def _empty_cells(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where a cell is an empty string (not null), from the offsets: no string compare."""
    masks = []
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        buffers = value_buffers(chunk)
        offsets = None if buffers is None else buffers[0]
        empty = np.ones(len(chunk), dtype=bool) if offsets is None else \
            offsets[1:] == offsets[:-1]
        if chunk.null_count and empty.any():
            empty &= pc.is_valid(chunk).to_numpy(zero_copy_only=False)
        masks.append(empty)
    return masks[0] if len(masks) == 1 else np.concatenate([np.zeros(0, dtype=bool), *masks])


def value_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """The offsets (one per cell, plus one) and the data bytes of a string or binary array,
    as numpy views of its buffers (no copy); None when it holds no byte."""
    large = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    _, offsets_buffer, data_buffer = chunk.buffers()
    n = len(chunk)
    if n == 0 or data_buffer is None or data_buffer.size == 0:
        return None
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64 if large else np.int32)
    return offsets[chunk.offset:chunk.offset + n + 1], np.frombuffer(data_buffer, dtype=np.uint8)


def cell_bytes(text: pa.Array | pa.ChunkedArray):
    """Each chunk's cell bytes as one numpy view (no copy; a null cell's bytes, if any,
    included); chunks holding no byte are skipped."""
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        buffers = value_buffers(chunk)
        if buffers is not None and buffers[0][-1] > buffers[0][0]:
            offsets, data = buffers
            yield data[offsets[0]:offsets[-1]]


def _edge_candidates(chunk: pa.Array) -> np.ndarray:
    """Cells whose first or last byte could belong to an edge whitespace character.

    Read off the string array's offsets and bytes without copying them: a superset of the
    cells :data:`_EDGE_SPACE_RE2` matches (a null or empty cell is never one).
    """
    buffers = value_buffers(chunk)
    if buffers is None:
        return np.zeros(len(chunk), dtype=bool)
    offsets, data = buffers
    starts, ends = offsets[:-1], offsets[1:]
    # ``take`` with clipping reads a byte for every cell (an empty cell's offsets may point
    # past the data, or before it); empty cells are then dropped. The last two bytes, not
    # one, so that few Chinese cells are candidates (规 ends in the byte U+3000 ends in).
    candidates = _EDGE_FIRST_BYTE.take(data.take(starts, mode="clip"))
    tail = data.take(ends - 2, mode="clip").astype(np.uint16) << 8
    tail |= data.take(ends - 1, mode="clip")
    candidates |= _EDGE_LAST_PAIR.take(tail)
    candidates &= ends > starts
    return candidates


def _edge_cells(chunk: pa.Array) -> np.ndarray:
    """Exactly the cells :data:`_EDGE_SPACE_RE2` matches, read off the UTF-8 bytes.

    The first and last bytes pick the candidates (a Chinese character can end in the same byte
    as U+3000); for those, the code point of the first and of the last character is assembled
    from its one to three bytes (UTF-8 marks where a character starts, so the last character is
    found from the end) and looked up. A character of four bytes is never whitespace.
    """
    candidates = _edge_candidates(chunk)
    picked = np.flatnonzero(candidates)
    if not picked.size:
        return candidates
    offsets, data = value_buffers(chunk)
    starts, ends = offsets[:-1][picked], offsets[1:][picked]
    length = ends - starts

    def byte(positions, present):
        return np.where(present, data.take(positions, mode="clip"), 0).astype(np.int64)

    lead, second, third = byte(starts, True), byte(starts + 1, length >= 2), \
        byte(starts + 2, length >= 3)
    first = np.select(
        [lead < 0x80, (lead & 0xE0) == 0xC0, (lead & 0xF0) == 0xE0],
        [lead, (lead & 0x1F) << 6 | (second & 0x3F),
         (lead & 0x0F) << 12 | (second & 0x3F) << 6 | (third & 0x3F)], 0)
    last1, last2, last3 = byte(ends - 1, True), byte(ends - 2, length >= 2), \
        byte(ends - 3, length >= 3)
    last = np.select(
        [last1 < 0x80, (length >= 2) & ((last2 & 0xE0) == 0xC0),
         (length >= 3) & ((last3 & 0xF0) == 0xE0)],
        [last1, (last2 & 0x1F) << 6 | (last1 & 0x3F),
         (last3 & 0x0F) << 12 | (last2 & 0x3F) << 6 | (last1 & 0x3F)], 0)
    exact = np.zeros(len(candidates), dtype=bool)
    exact[picked] = _EDGE_CODE_POINT[first] | _EDGE_CODE_POINT[last]
    return exact


def _no_space_byte(chunk: pa.Array) -> bool:
    """True when no byte of the chunk can belong to a whitespace character: no byte up to
    0x20 (tab … space) and no lead byte of U+0085 … U+3000 (0xC2, 0xE1–0xE3). A few passes
    over the bytes, none per cell: most columns (ids, amounts, dates, Chinese words) pass."""
    body = next(cell_bytes(chunk), None)
    if body is None:
        return True
    if body.min() <= 0x20:
        return False
    if body.max() < 0x80:
        return True
    # 0xE1–0xE3 by one subtraction (uint8 wraps below 0xE1).
    return not ((body == 0xC2).any() or ((body - np.uint8(0xE1)) <= 2).any())


def _has_edge_space(text: pa.Array | pa.ChunkedArray) -> bool:
    """True when a cell starts or ends with whitespace :func:`str.strip` removes
    (:func:`_edge_cells`, chunk by chunk, unless the chunk holds no whitespace byte at all)."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    for chunk in chunks:
        if not pa.types.is_string(chunk.type) and not pa.types.is_large_string(chunk.type):
            chunk = chunk.cast(pa.large_string())
        if not _no_space_byte(chunk) and _edge_cells(chunk).any():
            return True
    return False


def needs_cleaning(text: pa.Array | pa.ChunkedArray) -> bool:
    """True when :func:`clean_text` (controls aside) would change a text column: a cell with
    edge whitespace, or an empty string."""
    return _has_edge_space(text) or bool(_empty_cells(text).any())


def blank_cells(series: pd.Series) -> np.ndarray:
    """True where a cell is missing, empty or whitespace only (``str.strip()`` leaves "").

    A column in pyarrow storage whose bytes hold no whitespace byte at all
    (:func:`_no_space_byte`) is read off its offsets and validity: no strip of every cell.
    """
    text = arrow_text(series)
    if text is not None:
        chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
        if all((pa.types.is_string(c.type) or pa.types.is_large_string(c.type))
               and _no_space_byte(c) for c in chunks):
            masks = []
            for chunk in chunks:
                buffers = value_buffers(chunk)
                blank = np.ones(len(chunk), dtype=bool) if buffers is None else \
                    buffers[0][1:] == buffers[0][:-1]
                if chunk.null_count:
                    blank |= pc.is_null(chunk).to_numpy(zero_copy_only=False)
                masks.append(blank)
            return np.concatenate([np.zeros(0, dtype=bool), *masks])
    stripped = series.astype("str").str.strip()
    return (stripped.isna() | (stripped == "")).to_numpy(dtype=bool)


def lengths_outside(series: pd.Series, words) -> bool:
    """True when no cell of a column in pyarrow storage can equal one of ``words``: every
    word's UTF-8 length lies outside the range of the cells' byte lengths (a pass over the
    offsets, no hashing of the cells). False when it cannot tell."""
    text = arrow_text(series)
    if text is None or text.null_count == len(text):
        return False
    widths = pc.min_max(pc.binary_length(text)).as_py()
    return not any(widths["min"] <= len(str(word).encode()) <= widths["max"] for word in words)


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
        series.str.translate(_FULL_WIDTH)
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
    text = values.str.translate(_FULL_WIDTH).str.strip()
    parts = text.str.extract(_DATE_RE)
    compact = text.str.extract(_COMPACT_DATE_RE)
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
        text = series[messy].str.translate(_FULL_WIDTH).str.replace(_AMOUNT_JUNK_RE, "", regex=True)
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


def _digits_only(body: np.ndarray) -> bool:
    """True when every byte is an ASCII digit (two whole-buffer passes)."""
    return bool(body.min() >= 0x30 and body.max() <= 0x39)


def plain_ascii(text: pa.Array | pa.ChunkedArray, marks: bytes = b"") -> bool:
    """True when every byte of the column is ASCII and none is one of ``marks`` (a null
    cell's bytes, if any, count too, so that True is never wrong; a few whole-buffer passes,
    none per cell; digit-only chunks need two)."""
    for body in cell_bytes(text):
        if _digits_only(body):
            continue
        if body.max() >= 0x80 or any((body == mark).any() for mark in marks):
            return False
    return True


def needle_cells(text: pa.Array | pa.ChunkedArray, needles: tuple[bytes, ...],
                 limit: int = 10_000) -> np.ndarray | None:
    """Cells whose UTF-8 bytes hold one of ``needles``, found by a byte search over each
    chunk's data (no per-cell work), or None when there are more than ``limit`` hits.

    Each hit's byte position is mapped to its cell through the offsets. A cell holding a needle
    is always marked; a needle that straddles two cells marks the first, so a marked cell may
    hold none (the caller tests the marked cells).
    """
    masks, hits = [], 0
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        mask = np.zeros(len(chunk), dtype=bool)
        buffers = value_buffers(chunk)
        if buffers is not None and buffers[0][-1] > buffers[0][0]:
            offsets, data = buffers
            body = data[offsets[0]:offsets[-1]]
            ascii_only = body.max() < 0x80
            found = []
            for needle in needles:
                if ascii_only and needle[0] >= 0x80:
                    continue  # a needle of non-ASCII bytes cannot be in ASCII bytes
                # numpy's compares release the GIL (bytes.find would hold it): where the
                # first two bytes are (one, for a one-byte needle), then which of those the
                # next bytes follow.
                if len(needle) == 1:
                    at = np.flatnonzero(body == needle[0])
                else:
                    at = np.flatnonzero((body[:-1] == needle[0]) & (body[1:] == needle[1]))
                for k, byte in enumerate(needle[2:], start=2):
                    at = at[at + k < len(body)]
                    at = at[body[at + k] == byte]
                hits += len(at)
                if hits > limit:
                    return None
                found.append(at)
            positions = np.concatenate([np.zeros(0, dtype=np.int64), *found])
            if len(positions):
                starts = offsets - offsets[0]
                mask[np.searchsorted(starts, positions, side="right") - 1] = True
        masks.append(mask)
    return np.concatenate([np.zeros(0, dtype=bool), *masks])


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
    text = series[odd].str.translate(_FULL_WIDTH).str.strip()
    text = text.str.replace(r'^="(.*)"$', r"\1", regex=True).str.replace(r"^'", "", regex=True)
    damaged = text.str.match(_SCIENTIFIC_RE).fillna(False)
    whole = text.str.extract(r"^(\d+)\.0+$")[0]
    too_big = whole.notna() & (pd.to_numeric(whole, errors="coerce") > EXACT_FLOAT_INTEGER)
    text = text.where(whole.isna(), whole)
    damaged = damaged | too_big.fillna(False)
    out[odd] = text.mask(damaged)
    invalid[odd] = damaged.to_numpy(dtype=bool)
    return out, invalid


#: Longest digit-only id read as an int64 for the duplicate test (10**18 < 2**63).
_MAX_INTEGER_ID_DIGITS = 18


def duplicated_ids(series: pd.Series) -> np.ndarray:
    """``series.duplicated(keep="first")`` as a numpy mask, fast for the usual loan ids.

    Ids that are all digits and all of one length (借据号 as core systems issue them) are equal
    exactly when their numbers are, so they are compared as int64 (hashing a million strings
    costs six times as much); any other column is compared as text.
    """
    text = arrow_text(series)
    if text is not None and not text.null_count and len(text):
        widths = pc.min_max(pc.binary_length(text)).as_py()
        if widths["min"] == widths["max"] and 0 < widths["min"] <= _MAX_INTEGER_ID_DIGITS \
                and all(_digits_only(body) for body in cell_bytes(text)):
            numbers = pc.cast(text, pa.int64()).to_numpy()
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
