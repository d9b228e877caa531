"""Byte kernels (字节层内核): every piece of the reader that works on Arrow or numpy buffers.

The rest of :mod:`postloan_audit.ingest` works on frames, columns and distinct values; the
functions here read a column's offsets and bytes (or a file's bytes) directly, without a Python
object per cell, and each promises exactly what a plain per-cell loop would give. That loop is
written out in the tests beside each kernel (``tests/ingest/test_kernels.py``, "twin") and the
two are compared on every layout a reader produces (sliced arrays, chunked columns, nulls,
empty strings).

===========================  ========================================================  ===========================
kernel                       promise                                                   plain twin (tests)
===========================  ========================================================  ===========================
:func:`arrow_text`           the pyarrow array behind a ``str`` Series (no copy)       ``pa.array(series.array)``
:func:`value_buffers`        a string/binary array's offsets and data bytes (views)    ``[cell.encode() ...]``
:func:`cell_bytes`           each chunk's cell bytes, one view per chunk               ``b"".join(cells)``
:func:`edge_candidates`      a superset of the cells starting/ending in whitespace     ``twin_edge_cells``
:func:`edge_cells`           exactly the cells starting/ending in whitespace           ``twin_edge_cells``
:func:`no_space_byte`        no byte of the chunk can belong to a whitespace char      ``twin_no_space``
:func:`has_edge_space`       some cell starts or ends with whitespace                  ``twin_edge_cells``
:func:`empty_cells`          the empty (not null) cells                                ``twin_empty``
:func:`needs_cleaning`       a cell with edge whitespace, or an empty string           ``twin_needs_cleaning``
:func:`blank_cells`          the cells missing, empty or whitespace only               ``twin_blank``
:func:`lengths_outside`      no cell can equal one of the words (by byte length)       ``twin_lengths_outside``
:func:`plain_ascii`          every byte ASCII and none one of the marks                ``twin_plain_ascii``
:func:`needle_cells`         the cells holding a needle (+ a straddling one)           ``twin_needle_cells``
:func:`digit_id_numbers`     fixed-width digit ids as int64 (else None)                ``twin_digit_ids``
:func:`may_hold_controls`    False only when no control/invisible byte sequence        ``twin_controls``
:func:`has_controls`         UTF-8 bytes hold a control or invisible character         ``twin_controls``
:func:`ascii_and_controls`   ASCII? and then controls, ``#``, all printable            ``twin_ascii_and_controls``
:func:`odd_quote_lines`      lines with an odd number of double quotes                 ``twin_odd_quote_lines``
:func:`line_ends`            block cuts at line ends, covering the range               ``twin_line_ends``
:func:`joined`               a binary array's values joined by line feeds              ``b"\\n".join(values)``
:func:`split_text`           ``text.split("\\n")`` as a large_string array             ``str.split``
===========================  ========================================================  ===========================

Every kernel here releases the GIL in numpy or pyarrow where it does real work, so the column
threads of :mod:`~postloan_audit.ingest.threads` keep both cores busy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# --------------------------------------------------------------------------- buffers


def arrow_text(series: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The pyarrow array behind a ``str`` Series (no copy), or None for other storage."""
    if getattr(series.dtype, "storage", None) != "pyarrow":
        return None
    return pa.array(series.array)


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


# --------------------------------------------------------------------------- whitespace

#: The 29 characters pyarrow's utf8_trim_whitespace (pandas' ``str.strip``) removes,
#: full-width spaces (U+3000) included (a test checks this over every code point); the RE2
#: pattern of a cell starting or ending with one, and the first / last UTF-8 bytes such a
#: cell can have, are derived from it.
EDGE_SPACE_CHARS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
                    + "".join(chr(c) for c in range(0x2000, 0x200B))
                    + "\u2028\u2029\u202f\u205f\u3000")
_EDGE_CLASS = "[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in EDGE_SPACE_CHARS) + "]"
#: RE2 pattern of a cell starting or ending with one of :data:`EDGE_SPACE_CHARS`.
EDGE_SPACE_RE2 = f"^{_EDGE_CLASS}|{_EDGE_CLASS}$"
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


def edge_candidates(chunk: pa.Array) -> np.ndarray:
    """Cells whose first or last byte could belong to an edge whitespace character.

    Read off the string array's offsets and bytes without copying them: a superset of the
    cells :data:`EDGE_SPACE_RE2` matches (a null or empty cell is never one).
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


def edge_cells(chunk: pa.Array) -> np.ndarray:
    """Exactly the cells :data:`EDGE_SPACE_RE2` matches, read off the UTF-8 bytes.

    The first and last bytes pick the candidates (a Chinese character can end in the same byte
    as U+3000); for those, the code point of the first and of the last character is assembled
    from its one to three bytes (UTF-8 marks where a character starts, so the last character is
    found from the end) and looked up. A character of four bytes is never whitespace.
    """
    candidates = edge_candidates(chunk)
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


def no_space_byte(chunk: pa.Array) -> bool:
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


def has_edge_space(text: pa.Array | pa.ChunkedArray) -> bool:
    """True when a cell starts or ends with whitespace :func:`str.strip` removes
    (:func:`edge_cells`, chunk by chunk, unless the chunk holds no whitespace byte at all)."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    for chunk in chunks:
        if not pa.types.is_string(chunk.type) and not pa.types.is_large_string(chunk.type):
            chunk = chunk.cast(pa.large_string())
        if not no_space_byte(chunk) and edge_cells(chunk).any():
            return True
    return False


def empty_cells(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
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


def needs_cleaning(text: pa.Array | pa.ChunkedArray) -> bool:
    """True when :func:`~postloan_audit.ingest.parsing.clean_text` (controls aside) would
    change a text column: a cell with edge whitespace, or an empty string."""
    return has_edge_space(text) or bool(empty_cells(text).any())


def blank_cells(series: pd.Series) -> np.ndarray:
    """True where a cell is missing, empty or whitespace only (``str.strip()`` leaves "").

    A column in pyarrow storage whose bytes hold no whitespace byte at all
    (:func:`no_space_byte`) is read off its offsets and validity: no strip of every cell.
    """
    text = arrow_text(series)
    if text is not None:
        chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
        if all((pa.types.is_string(c.type) or pa.types.is_large_string(c.type))
               and no_space_byte(c) for c in chunks):
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


# --------------------------------------------------------------------------- searches


def lengths_outside(series: pd.Series, words) -> bool:
    """True when no cell of a column in pyarrow storage can equal one of ``words``: every
    word's UTF-8 length lies outside the range of the cells' byte lengths (a pass over the
    offsets, no hashing of the cells). False when it cannot tell."""
    text = arrow_text(series)
    if text is None or text.null_count == len(text):
        return False
    widths = pc.min_max(pc.binary_length(text)).as_py()
    return not any(widths["min"] <= len(str(word).encode()) <= widths["max"] for word in words)


def digits_only(body: np.ndarray) -> bool:
    """True when every byte is an ASCII digit (two whole-buffer passes)."""
    return bool(body.min() >= 0x30 and body.max() <= 0x39)


def plain_ascii(text: pa.Array | pa.ChunkedArray, marks: bytes = b"") -> bool:
    """True when every byte of the column is ASCII and none is one of ``marks`` (a null
    cell's bytes, if any, count too, so that True is never wrong; a few whole-buffer passes,
    none per cell; digit-only chunks need two)."""
    for body in cell_bytes(text):
        if digits_only(body):
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


#: Longest digit-only id read as an int64 (10**18 < 2**63).
MAX_INTEGER_ID_DIGITS = 18


def digit_id_numbers(series: pd.Series) -> np.ndarray | None:
    """The ids as int64 when every cell is present, all digits and of one length (借据号 as
    core systems issue them: two such ids are equal exactly when their numbers are), else
    None. A pass over the offsets and two over the bytes; no hashing of strings."""
    text = arrow_text(series)
    if text is None or text.null_count or not len(text):
        return None
    widths = pc.min_max(pc.binary_length(text)).as_py()
    if widths["min"] == widths["max"] and 0 < widths["min"] <= MAX_INTEGER_ID_DIGITS \
            and all(digits_only(body) for body in cell_bytes(text)):
        return pc.cast(text, pa.int64()).to_numpy()
    return None


# --------------------------------------------------------------------------- text bytes

#: Bytes that decode to a control character in ASCII-compatible encodings (C0 controls other
#: than tab/LF/CR, and DEL).
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL_BYTE = np.zeros(256, dtype=bool)
_CONTROL_BYTE[list(CONTROL_BYTES)] = True
#: The UTF-8 forms of zero-width characters and the BOM.
INVISIBLE_UTF8 = (b"\xe2\x80\x8b", b"\xe2\x80\x8c", b"\xe2\x80\x8d", b"\xe2\x80\x8e",
                  b"\xe2\x80\x8f", b"\xe2\x81\xa0", b"\xef\xbb\xbf")
#: The same characters as ``parsing.CONTROL_RE``, in RE2 syntax for pyarrow's regex kernels.
CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{200b}-\x{200f}\x{2060}\x{feff}]"


def may_hold_controls(data: bytes) -> bool:
    """True unless the bytes certainly decode without control or invisible characters."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    # bytes.translate with a delete set and substring tests run at C speed.
    return (len(body.translate(None, CONTROL_BYTES)) != len(body)
            or any(seq in body for seq in INVISIBLE_UTF8))


def has_controls(utf8) -> bool:
    """True when UTF-8 bytes hold a control or invisible character (RE2, no copy)."""
    buffer = pa.py_buffer(utf8)
    offsets = pa.py_buffer(np.array([0, buffer.size], dtype=np.int64))
    array = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, buffer])
    return bool(pc.match_substring_regex(array, CONTROL_RE2)[0].as_py())


def ascii_and_controls(column: pa.Array | pa.ChunkedArray) -> tuple[bool, bool, bool, bool]:
    """Whether every byte of a column is ASCII and, when it is, whether one is a control byte
    (:data:`CONTROL_BYTES`), whether one is ``#`` (an Excel error value's mark) and whether
    every byte is printable (0x21–0x7E: no space, tab or control, so nothing to clean): a
    minimum and a maximum per chunk; a byte lookup only for a chunk holding a byte below 0x20
    or DEL (a tab, say), a compare only for one holding a byte up to 0x23. A null cell's
    bytes count too."""
    controls = marks = False
    printable = True
    for body in cell_bytes(column):
        low, high = int(body.min()), int(body.max())
        if high >= 0x80:
            return False, False, False, False  # the caller tests the distinct values instead
        printable = printable and 0x20 < low and high < 0x7F
        if not controls and (low < 0x20 or high == 0x7F):
            controls = bool(_CONTROL_BYTE.take(body).any())
        if not marks and low <= 0x23:
            marks = bool((body == 0x23).any())
    return True, controls, marks, printable


def odd_quote_lines(data: bytes, start: int, stop: int) -> np.ndarray:
    """0-based lines of ``data[start:stop]`` with an odd number of double quotes (on the bytes:
    a quote or a line feed is never part of a multi-byte character in UTF-8 or GB18030); the
    caller has found a quote in them."""
    codes = np.frombuffer(data, dtype=np.uint8, count=stop - start, offset=start)
    line_of_quote = np.searchsorted(np.flatnonzero(codes == 0x0A), np.flatnonzero(codes == 0x22))
    counts = np.bincount(line_of_quote)
    return np.flatnonzero(counts % 2 == 1)


def line_ends(data: bytes, start: int, block: int, end: int | None = None) -> list[int]:
    """Byte offsets cutting ``data[start:end]`` into blocks of about ``block`` bytes at line
    ends: the first is ``start``, the last ``end``, each other one just past a line feed."""
    end = len(data) if end is None else end
    cuts = [start]
    while cuts[-1] < end:
        nxt = cuts[-1] + block
        if nxt >= end:
            cuts.append(end)
            break
        newline = data.find(b"\n", nxt, end)
        cuts.append(end if newline < 0 else newline + 1)
    return cuts


def joined(values: pa.Array) -> bytes:
    """The values of a binary array joined by line feeds, from its buffers (no Python object
    per value)."""
    buffers = value_buffers(values)
    if buffers is None:  # no byte at all: empty values only
        return b"\n" * max(len(values) - 1, 0)
    offsets, data = buffers
    body = data[offsets[0]:offsets[-1]]
    return np.insert(body, offsets[1:-1] - offsets[0], 0x0A).tobytes()


def split_text(text: str, count: int) -> pa.Array:
    """``pa.array(text.split("\\n"), pa.large_string())`` for ``count`` values, built from
    the UTF-8 bytes and the line feeds' positions (no Python object per value)."""
    utf8 = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    breaks = np.flatnonzero(utf8 == 0x0A)
    if len(breaks) + 1 != count:  # a value holds a line feed: cannot happen, but split
        return pa.array(text.split("\n"), type=pa.large_string())
    # Value k starts after the k-th line feed; without the k line feeds before it, k less.
    offsets = np.empty(count + 1, dtype=np.int64)
    offsets[0] = 0
    offsets[1:-1] = breaks + 1 - np.arange(1, count)
    offsets[-1] = len(utf8) - len(breaks)
    data = np.delete(utf8, breaks)
    return pa.Array.from_buffers(pa.large_string(), count,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(data)])
