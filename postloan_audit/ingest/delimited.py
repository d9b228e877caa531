"""Delimited text (CSV, TSV, "Unicode text") as banks export it (分隔符文本).

Decoding: UTF-8, UTF-8 with BOM, UTF-16 (with or without BOM: Excel's "Unicode text"), GBK /
GB18030 (guessed with charset-normalizer). A file that is valid in its encoding except for a
few damaged bytes, or a UTF-8 file with a few lines in another encoding (a row pasted from a
GBK file), is read: each line holding an undecodable byte is listed (and its row rejected)
instead of the whole file being refused. CR-only line endings (old Mac exports) are read.

Parsing keeps one record per line: a quote that opens and never closes within its line is
cut at the end of the line (the row is rejected naming the line), so it cannot swallow the
rows after it. A field longer than the csv module's limit is read.

Reading is streamed for the usual encodings (UTF-8, GBK/GB18030): the file is parsed in blocks
of about :data:`BLOCK_BYTES` cut at line ends (a line feed, a quote or a delimiter is never part
of a multi-byte character in these encodings), so it is never held as one decoded string or a
re-encoded copy. UTF-16 and CR-only files, and files whose encoding only the whole text
reveals, are decoded whole.

Two engines read a block, behind one interface (:func:`read_block`, chosen by argument):

``"pyarrow"``
    pyarrow's reader on the block's own bytes, in place: UTF-8 as text (pyarrow checks it),
    GB18030 as bytes, each column then decoded once per distinct value (pure-ASCII columns
    such as ids, amounts and dates are not decoded at all; a column that held non-ASCII bytes
    is read as a dictionary in the later blocks, so that pyarrow finds its distinct values
    while parsing; a value that does not decode marks its rows). Control bytes, invisible
    characters and the ``#`` of Excel error values are looked for in each column's bytes or
    distinct values. It declines a block (returns None) holding a blank line (kept as a row,
    which pyarrow then refuses), an unbalanced quote, a lone carriage return, UTF-8 that does
    not decode or, when it holds a quote, a row count that is not its line count.
``"exact"``
    the csv module line by line: every block, and the blocks the fast engine declines.

Row numbers are the file's lines whichever engine reads a block, and what is read is the same
(``tests/ingest/test_text_blocks.py`` reads every file with both, in blocks of any size and as
one decoded text). :class:`TextOptions` carries the choice; :func:`read_text_table` returns a
:class:`TextTable`. The byte work is in :mod:`~postloan_audit.ingest.kernels`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.ingest import kernels, parsing
from postloan_audit.ingest.header import (
    HEADER_SEARCH_ROWS,
    Match,
    find_header_row,
    recognised_columns,
)
from postloan_audit.ingest.threads import map_columns

#: Bytes of a non-UTF-8 CSV given to charset-normalizer to guess the encoding.
ENCODING_SAMPLE_BYTES = 256 * 1024
#: A UTF-8 file with at most this share of undecodable bytes is UTF-8 with damage, not GBK.
MAX_DAMAGED_SHARE = 0.001
_CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "cp936", "hz", "big5", "big5hkscs", "cp950"}
_SURROGATE_RE = re.compile("[\udc80-\udcff]")
#: Bytes decoded and parsed at a time (cut at a line end) when the text is streamed.
BLOCK_BYTES = 16 * 2**20
#: pyarrow's own chunk of a block, parsed in its threads (1 MiB parses a 16 MiB block about
#: a fifth faster than 4 MiB on two cores: docs/performance.md); each column's chunks of a
#: block are then joined into one array.
PARSE_CHUNK_BYTES = 2**20
_TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
#: The type a GB18030 column is read as once it held non-ASCII bytes (see _pyarrow_table).
_CODED = pa.dictionary(pa.int32(), pa.binary())
_TRAILING_SPACE = frozenset(b" \t\r\n\x0b\x0c")

Engine = Literal["pyarrow", "exact"]


@dataclass(frozen=True)
class TextOptions:
    """How delimited text is read. Every choice reads the same rows; the defaults are the
    fast ones (tests read each file every way and compare).

    ``engine``: the engine that reads each block first (:func:`read_block`; ``"exact"``
    reads every block line by line with the csv module). ``block_bytes``: the size of the
    blocks a streamed file is cut into. ``sample_bytes``: the bytes sampled to guess an
    encoding. ``stream``: False decodes the whole text first, as for a UTF-16 file.
    """

    engine: Engine = "pyarrow"
    block_bytes: int = BLOCK_BYTES
    sample_bytes: int = ENCODING_SAMPLE_BYTES
    stream: bool = True


@dataclass
class TextTable:
    """A delimited export as read (:func:`read_text_table`).

    ``grid``: the text cells, one row per line of the file (the header area as parsed, then
    the body), columns 0..n-1 (NaN when empty); ``spans``: the rows of the header area that
    span more than one line (a quoted line break in a header cell), with the lines they add;
    ``notes``: ``(severity, message)`` to tell
    the user (the encoding); ``bad_rows``: line number → why the line cannot be trusted (an
    undecodable byte, an unclosed quote); ``may_hold_controls``: False when the bytes hold no
    control or invisible character; ``may_hold_errors``: False when no cell can hold an Excel
    error value (no ``#``); ``plain_columns``: the columns with no cell to clean (no control,
    edge whitespace or empty string), so that the column checks are skipped where they cannot
    find anything.
    """

    grid: pd.DataFrame
    notes: list[tuple[str, str]]
    bad_rows: dict[int, str]
    may_hold_controls: bool
    may_hold_errors: bool
    plain_columns: frozenset[int]
    spans: dict[int, int] = field(default_factory=dict)


class Block(NamedTuple):
    """One block of a file as an engine read it.

    ``table``: text columns named "0".."n-1", one row per line; ``bad_lines``: 1-based lines
    of the block with undecodable bytes (the bytes as 0xNN); ``odd_lines``: 0-based lines of
    the block with an unbalanced quote; ``controls``: a control or invisible character occurs;
    ``damaged``: the count of undecodable bytes (the exact engine's; the fast engine declines
    bytes UTF-8 cannot decode); ``newlines``: the block's count of line feeds.
    """

    table: pa.Table
    bad_lines: dict[int, str]
    odd_lines: list[int]
    controls: bool
    damaged: int
    newlines: int


class _Parsed(NamedTuple):
    """pyarrow's reading of some bytes: the table, rows with undecodable bytes (0-based, the
    bytes as 0xNN), whether a control or invisible character occurs, the count of line
    feeds."""

    table: pa.Table
    bad_rows: dict[int, str]
    controls: bool
    newlines: int


@dataclass
class _Seen:
    """What the blocks of a streamed file read so far showed."""

    coded: set[str] = field(default_factory=set)  # GB18030 columns read as dictionaries
    marks: bool = False  # a "#" in some cell (an Excel error value's mark)
    #: column → no block held a cell to clean in it (see _Column.plain); absent: unknown
    plain: dict[str, bool] = field(default_factory=dict)


@dataclass
class DecodedText:
    """Decoded text and the 1-based line numbers that held undecodable bytes (with the bytes)."""

    text: str
    encoding: str
    bad_lines: dict[int, str] = field(default_factory=dict)


class _Column(NamedTuple):
    """A GB18030 column of a block as text, and what its bytes held."""

    text: pa.Array | pa.ChunkedArray
    controls: bool  # a control byte or an invisible character
    bad: dict[int, list[str]]  # row → the bytes GB18030 cannot decode, as 0xNN
    decoded: bool  # False: an ASCII column, kept as read
    marks: bool  # a "#" (an Excel error value's mark)
    plain: bool  # no control, no edge whitespace, no empty string: nothing to clean


class _Fallback(Exception):
    """The streamed read found what only the whole-text path decides (encoding damage)."""


# =========================================================================== decoding


def _bad_lines(text: str) -> tuple[str, dict[int, str]]:
    """Replace surrogate-escaped bytes by U+FFFD and list the lines that held them."""
    if not _SURROGATE_RE.search(text):
        return text, {}
    bad: dict[int, str] = {}
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        found = _SURROGATE_RE.findall(line)
        if found:
            bad[number] = " ".join(f"0x{ord(ch) - 0xDC00:02X}" for ch in found[:5])
            lines[number - 1] = _SURROGATE_RE.sub("\ufffd", line)
    return "\n".join(lines), bad


def _utf8_with_foreign_lines(text: str) -> bool:
    """True for text decoded as UTF-8 (undecodable bytes surrogate-escaped) whose undecodable
    bytes sit on a few lines (one in a hundred, one at least) while other lines hold non-ASCII
    UTF-8: a UTF-8 export with a row pasted from a file in another encoding (a GBK row appended
    to a UTF-8 CSV), whose lines are then listed as damaged. A GBK file fails on nearly every
    line that holds Chinese and has no line of valid non-ASCII UTF-8, so it stays GBK.

    The foreign line is not decoded as GB18030: GB18030 reads almost any bytes, a Latin-1 or
    Big5 line as much as a GBK one, so its cells could not be trusted either.
    """
    if not _SURROGATE_RE.search(text):
        return False
    limit = max(1, text.count("\n") // 100)
    bad, utf8 = 0, False
    for line in text.split("\n"):
        if _SURROGATE_RE.search(line):
            bad += 1
            if bad > limit:
                return False
        elif not utf8 and not line.isascii():
            utf8 = True
    return utf8


def _looks_utf16(data: bytes) -> str | None:
    head = data[:4096]
    if len(head) < 4:
        return None
    if head[1::2].count(0) > len(head) // 4:
        return "utf-16-le"
    if head[0::2].count(0) > len(head) // 4:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str, sample_bytes: int = ENCODING_SAMPLE_BYTES) -> DecodedText:
    """Decode a text export; raise :class:`ExtractError` only when no encoding fits.

    ``sample_bytes``: how much of a file that is not UTF-8 is sampled to guess its encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text, bad = _bad_lines(data[3:].decode("utf-8", errors="surrogateescape"))
        return DecodedText(text, "utf-8-sig", bad)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DecodedText(data.decode("utf-16", errors="replace"), "utf-16")
    utf16 = _looks_utf16(data)
    if utf16:
        return DecodedText(data.decode(utf16, errors="replace"), utf16)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few damaged bytes or a few lines in another encoding, or another encoding?
    # Look at a sample first (a GBK file fails on nearly every Chinese character), then at the
    # file.
    sample = data[:sample_bytes].decode("utf-8", errors="surrogateescape")
    if len(_SURROGATE_RE.findall(sample)) <= 4 + len(sample) * MAX_DAMAGED_SHARE \
            or _utf8_with_foreign_lines(sample):
        escaped = data.decode("utf-8", errors="surrogateescape")
        damaged = len(_SURROGATE_RE.findall(escaped))
        if damaged <= max(1, len(data) * MAX_DAMAGED_SHARE) or _utf8_with_foreign_lines(escaped):
            text, bad = _bad_lines(escaped)
            return DecodedText(text, "utf-8", bad)
    from charset_normalizer import from_bytes

    sample = data[:sample_bytes]
    if len(data) > sample_bytes and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]
    best = from_bytes(sample).best()
    guess = (best.encoding if best is not None else "gb18030").lower().replace("-", "_")
    # GBK and GB2312 are subsets of GB18030: decode with the superset.
    encoding = "gb18030" if guess.replace("_", "") in _CHINESE_ENCODINGS | {"gb18030"} else guess
    for candidate in dict.fromkeys([encoding, "gb18030"]):
        try:
            return DecodedText(data.decode(candidate), candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        text, bad = _bad_lines(data.decode("gb18030", errors="surrogateescape"))
    except UnicodeDecodeError:  # pragma: no cover - surrogateescape does not raise
        text, bad = "", {}
    if text and len(bad) <= max(1, text.count("\n") // 100):
        return DecodedText(text, "gb18030", bad)
    raise ExtractError.from_facts(Problem.UNREADABLE, "encoding", source_name=name,
                                  encoding=encoding)


def _streamable_encoding(data: bytes, sample_bytes: int = ENCODING_SAMPLE_BYTES) -> str | None:
    """The encoding the file can be streamed in, or None (decoded whole by :func:`decode`).

    UTF-8 (with or without BOM) when a sample decodes as UTF-8; GB18030 when charset-normalizer
    names a Chinese encoding for a sample. Files that are neither, UTF-16 and CR-only files take
    the whole-text path.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        return None
    sample = data[:sample_bytes]
    if b"\n" not in sample and len(data) > len(sample):
        return None  # one very long line, or CR-only line ends
    if b"\r" in sample and b"\n" not in sample:
        return None  # CR-only line ends
    if len(data) > len(sample):
        sample = sample[: sample.rindex(b"\n") + 1]
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _utf8_with_foreign_lines(sample.decode("utf-8", errors="surrogateescape")):
        return "utf-8"  # a few lines in another encoding: damaged lines of a UTF-8 file
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    guess = (best.encoding if best is not None else "gb18030").lower().replace("-", "_")
    return "gb18030" if guess.replace("_", "") in _CHINESE_ENCODINGS | {"gb18030"} else None


def normalise_line_endings(text: str) -> str:
    """CRLF stays (csv reads it); CR-only files (no LF at all) become LF."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def line_offset(text: str, line_number: int) -> int:
    """Character offset of the start of line ``line_number`` (0-based)."""
    offset = 0
    for _ in range(line_number):
        nxt = text.find("\n", offset)
        if nxt < 0:
            return len(text)
        offset = nxt + 1
    return offset


# =========================================================================== the header area


def sniff_delimiter(lines: list[str]) -> str:
    sample = "\n".join(lines[:10])
    if sample.count("\t") >= max(1, sample.count(",")):
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def unbalanced_quote_lines(body: str) -> list[int]:
    """0-based indexes of lines of ``body`` with an odd number of double quotes."""
    if '"' not in body:
        return []
    counts = pd.Series(body.split("\n"), dtype="str").str.count('"')
    return [int(i) for i in (counts % 2 == 1).to_numpy().nonzero()[0]]


def _reader(lines, delimiter):
    limit = csv.field_size_limit()
    longest = max((len(line) for line in lines), default=0)
    if longest >= limit:
        csv.field_size_limit(longest + 1)
    try:
        return [_fields(line, delimiter) for line in lines]
    finally:
        csv.field_size_limit(limit)


def _fields(line: str, delimiter: str) -> list[str]:
    """One line's fields. A carriage return inside an unquoted field (a damaged line end),
    which the csv module refuses, is read as a space."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return next(csv.reader([line.replace("\r", " ")], delimiter=delimiter), [])


def _empty_file(name: str) -> ExtractError:
    return ExtractError.from_facts(Problem.EMPTY, "text", source_name=name)


class _HeaderArea(NamedTuple):
    """The top of a text file: its delimiter, its first rows parsed, the header's index among
    them, the column count, the lines of the file up to the header's end, and the rows that
    span more than one line (row → the lines it adds)."""

    delimiter: str
    head: list[list[str]]
    header_idx: int
    ncols: int
    header_lines: int
    spans: dict[int, int]


def _records(lines: list[str], delimiter: str) -> list[tuple[list[str], int]] | None:
    """The csv module's records of ``lines`` (a quoted field may hold line breaks) with the
    lines each took, or None when the csv module refuses them."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, sum(map(len, lines)) + 1))
    try:
        reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter)
        out, taken = [], 0
        for row in reader:
            out.append((row, reader.line_num - taken))
            taken = reader.line_num
        return out
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(limit)


def _header_area(head_lines: list[str], match: Match) -> _HeaderArea:
    """The header area of a text file, one row per line, as the body is read.

    A header cell may hold a line break typed in Excel (Alt+Enter: ``"贷款余额\n(元)"``),
    which makes its row two lines of the file. When the first lines read as csv records
    (quoted line breaks kept in their cell) give a header that names more columns than any
    line alone, that header is taken, and the rows below it are numbered from its last line.
    A quote left open in a title line is not a line break: the lines alone then name more.
    """
    delimiter = sniff_delimiter(head_lines)
    head = _reader(head_lines, delimiter)
    header_idx = find_header_row(head, ("loans",), match)
    records = _records(head_lines, delimiter)
    if records is not None and len(records) < len(head_lines):
        rows = [row for row, _ in records]
        idx = find_header_row(rows, ("loans",), match)
        by_line = 0 if header_idx is None else recognised_columns(head[header_idx], "loans",
                                                                    match)
        if idx is not None and recognised_columns(rows[idx], "loans", match) > by_line:
            spans = {k: taken - 1 for k, (_, taken) in enumerate(records[:idx + 1]) if taken > 1}
            lines = sum(taken for _, taken in records[:idx + 1])
            return _HeaderArea(delimiter, rows, idx, max(len(rows[idx]), 1), lines, spans)
    if header_idx is None:
        header_idx = 0
    header = head[header_idx] if head else []
    return _HeaderArea(delimiter, head, header_idx, max(len(header), 1), header_idx + 1, {})


# =========================================================================== the engines


def _text_frame(table: pa.Table, width: int) -> pd.DataFrame:
    """A table of text columns as the loader's grid: ``str`` columns named 0..width-1."""
    cells = table.to_pandas(types_mapper={pa.large_string(): _TEXT_DTYPE}.get)
    cells.columns = range(width)
    return cells


def _exact_rows(body: str, delimiter: str, ncols: int) -> pd.DataFrame:
    """The csv module line by line: one row per line, blank lines kept, quotes cut at line end."""
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    rows = _reader(lines, delimiter)
    width = max([ncols, *[len(r) for r in rows]])
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")


def _one_array(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A block's column as one array (pyarrow's parse gives one chunk per
    :data:`PARSE_CHUNK_BYTES`): the column checks loop over chunks, and one copy here, in a
    worker thread, costs less than their Python work per chunk."""
    if isinstance(column, pa.ChunkedArray) and column.num_chunks > 1:
        return column.combine_chunks()
    return column


def _decoded(column: pa.Array, codec: str) -> _Column:
    """A column of GB18030 bytes (read unchecked as text) as text, decoding each distinct
    value once; pure-ASCII columns (ids, amounts, dates) are kept as read.

    A control byte or ``#`` is never part of a multi-byte GB18030 character (their bytes are
    0x30 and up, never DEL), so the bytes tell them.
    """
    bad: dict[int, list[str]] = {}
    if pa.types.is_dictionary(column.type):  # read as a dictionary (see _pyarrow_table)
        encoded = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    else:
        column = _one_array(column)
        ascii_only, controls, marks, printable = kernels.ascii_and_controls(column)
        if ascii_only:  # ids, amounts, dates: not decoded
            # An empty cell is null here (pyarrow's null_values), never an empty string.
            return _Column(column, controls, bad, False, marks, printable)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        encoded = pc.dictionary_encode(column.view(pa.large_binary()))
    # One decode of all the distinct values joined by line feeds (which no cell holds).
    joined = kernels.joined(encoded.dictionary)
    controls = len(joined.translate(None, kernels.CONTROL_BYTES)) != len(joined)
    marks = b"#" in joined
    text = joined.decode(codec, errors="surrogateescape")
    del joined
    controls = controls or bool(schema.INVISIBLE_RE.search(text))
    if not _SURROGATE_RE.search(text):
        values = kernels.split_text(text, len(encoded.dictionary))
        plain = not controls and not kernels.needs_cleaning(values)
        return _Column(values.take(encoded.indices), controls, bad, True, marks, plain)
    # Some value holds bytes GB18030 cannot decode: list its rows.
    parts = text.split("\n")
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    for k, part in enumerate(parts):
        found = _SURROGATE_RE.findall(part)
        if found:
            hexes = [f"0x{ord(ch) - 0xDC00:02X}" for ch in found]
            for row in np.flatnonzero(indices == k):
                bad.setdefault(int(row), []).extend(hexes)
            parts[k] = _SURROGATE_RE.sub("\ufffd", part)
    values = pa.array(parts, type=pa.large_string())
    return _Column(values.take(encoded.indices), controls, bad, True, marks, False)


def _pyarrow_table(data: bytes, start: int, stop: int, codec: str, delimiter: str, ncols: int,
                   quoted: bool | None = None, seen: _Seen | None = None) -> _Parsed | None:
    """pyarrow's reader on the bytes ``data[start:stop]`` (cut at line ends, read in place: no
    copy; no decoding for UTF-8; GB18030 decoded per distinct value), or None when the bytes
    need the exact reader.

    ``quoted``: whether the bytes hold a double quote, when the caller knows. ``seen``: what
    earlier blocks of the file showed; GB18030 columns that held non-ASCII bytes are read as
    dictionaries (pyarrow then hashes them while parsing, in its threads, instead of building
    the text to hash it again). Updated with this block.
    """
    if data.find(b"\r", start, stop) >= 0 and \
            data.count(b"\r", start, stop) != data.count(b"\r\n", start, stop):
        return None  # a lone CR: pyarrow would end a row there
    names = [str(i) for i in range(ncols)]
    try:
        # UTF-8 is checked by pyarrow; GB18030 bytes are read unchecked into text columns
        # and decoded below (an ASCII column is valid as it is). A blank line is not skipped:
        # it is a row of one field, which a file of two or more columns refuses.
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(memoryview(data)[start:stop])),
            read_options=pacsv.ReadOptions(column_names=names, block_size=PARSE_CHUNK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: _CODED if seen and n in seen.coded else pa.large_string()
                              for n in names}, null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True,
                check_utf8=codec == "utf-8"),
        )
    except (pa.ArrowInvalid, ValueError):  # too many fields, bad UTF-8: the exact reader
        return None
    open_line = 0 if stop > start and data[stop - 1] == 0x0A else 1  # no line feed at the end
    if quoted is None:
        quoted = data.find(b'"', start, stop) >= 0
    if quoted:
        # With blank lines kept and no lone CR, only a quoted line break makes pyarrow's row
        # count differ from the line count, and it needs a quote.
        newlines = data.count(b"\n", start, stop)
        if table.num_rows != newlines + open_line:
            return None
    else:
        newlines = table.num_rows - open_line
    bad: dict[int, list[str]] = {}
    columns = table.columns  # pyarrow's chunks, not copied into one array each
    del table
    if codec == "utf-8":
        controls = kernels.has_controls(memoryview(data)[start:stop])
        columns = list(map_columns(_one_array, columns))
        if seen is not None:
            seen.marks = seen.marks or data.find(b"#", start, stop) >= 0
            seen.plain.update(dict.fromkeys(names, False))
    else:
        # The columns are decoded in threads (pyarrow's and numpy's kernels release the GIL),
        # their damage merged in order.
        decoded = list(map_columns(lambda column: _decoded(column, codec), columns))
        if seen is not None:
            seen.coded.update(name for name, column in zip(names, decoded, strict=True)
                              if column.decoded)
            seen.marks = seen.marks or any(column.marks for column in decoded)
            for name, column in zip(names, decoded, strict=True):
                seen.plain[name] = seen.plain.get(name, True) and column.plain
        columns = [column.text for column in decoded]
        controls = any(column.controls for column in decoded)
        for column in decoded:
            for row, hexes in column.bad.items():
                bad.setdefault(row, []).extend(hexes)
    found = {row: " ".join(hexes[:5]) for row, hexes in bad.items()}
    return _Parsed(pa.table(columns, names=names), found, controls, newlines)


def _pyarrow_block(data: bytes, start: int, stop: int, codec: str, delimiter: str, ncols: int,
                   seen: _Seen | None) -> Block | None:
    """The ``"pyarrow"`` engine: :func:`_pyarrow_table` on a block, or None when the block
    holds an unbalanced quote or pyarrow's reading cannot be trusted (see the module
    docstring)."""
    quoted = data.find(b'"', start, stop) >= 0
    if quoted and len(kernels.odd_quote_lines(data, start, stop)):
        return None
    parsed = _pyarrow_table(data, start, stop, codec, delimiter, ncols, quoted, seen)
    if parsed is None:
        return None
    return Block(parsed.table, {row + 1: hexes for row, hexes in parsed.bad_rows.items()}, [],
                 parsed.controls, 0, parsed.newlines)


def _exact_block(data: bytes, start: int, stop: int, codec: str, delimiter: str, ncols: int,
                 seen: _Seen | None) -> Block:
    """The ``"exact"`` engine: the block decoded (undecodable bytes listed by line) and read
    line by line with the csv module; a quote left open is cut at its line's end."""
    quoted = data.find(b'"', start, stop) >= 0
    odd = kernels.odd_quote_lines(data, start, stop) if quoted else np.zeros(0, dtype=np.int64)
    if seen is not None:
        seen.marks = seen.marks or data.find(b"#", start, stop) >= 0
        seen.plain.update(dict.fromkeys((str(i) for i in range(ncols)), False))
    text = str(memoryview(data)[start:stop], codec, "surrogateescape")
    damaged = len(_SURROGATE_RE.findall(text))
    text, bad = _bad_lines(text)
    cells = _exact_rows(text, delimiter, ncols)
    table = pa.table({str(i): pa.array(cells[i].astype(object).where(cells[i].notna(), None),
                                       type=pa.large_string()) for i in cells.columns})
    return Block(table, bad, [int(i) for i in odd], kernels.has_controls(text.encode("utf-8")),
                 damaged, data.count(b"\n", start, stop))


#: The engines by name (:func:`read_block`).
ENGINES: dict[str, Callable[..., Block | None]] = {"pyarrow": _pyarrow_block,
                                                   "exact": _exact_block}


def read_block(data: bytes, start: int, stop: int, *, engine: Engine, codec: str,
               delimiter: str, ncols: int, final: bool, seen: _Seen | None = None
               ) -> Block | None:
    """One block of a streamed file, ``data[start:stop]``, cut at line ends, read by
    ``engine``: a :class:`Block`, or None when the ``"pyarrow"`` engine declines it (the
    ``"exact"`` engine never does).

    ``final``: the block runs to the end of the file, whose trailing blank lines are not rows.
    ``seen``: what the earlier blocks showed (see :class:`_Seen`), updated.
    """
    if final:
        while stop > start and data[stop - 1] in _TRAILING_SPACE:
            stop -= 1  # blank lines at the end of the file are not rows
    if stop <= start:
        return Block(pa.table({str(i): pa.array([], pa.large_string()) for i in range(ncols)}),
                     {}, [], False, 0, 0)
    return ENGINES[engine](data, start, stop, codec, delimiter, ncols, seen)


def parse_body(body: str, delimiter: str, ncols: int, *, final: bool = True,
               utf8: bytes | memoryview | None = None, unbalanced: bool | None = None,
               engine: Engine = "pyarrow") -> pd.DataFrame:
    """Parse the rows below the header as text, one DataFrame row per line.

    ``final``: the body runs to the end of the file, so trailing blank lines are not rows;
    otherwise (a block of a streamed file) every line is a row, blank or not.
    ``utf8``: the same text already UTF-8 encoded (the file's own bytes), to skip encoding.
    ``unbalanced``: whether some line has an odd number of quotes, when the caller knows.
    ``engine``: ``"pyarrow"`` tries pyarrow's reader first (it declines blank lines and a row
    count that differs from the line count); ``"exact"`` reads line by line.
    """
    if final and body[-1:].isspace():
        body = body.rstrip()  # blank lines at the end of the file are not rows
        utf8 = None
    if not body:
        return pd.DataFrame(columns=range(ncols), dtype="str")
    if engine == "pyarrow":
        raw = body.encode("utf-8") if utf8 is None else bytes(utf8)
        if unbalanced is None:
            unbalanced = b'"' in raw and bool(unbalanced_quote_lines(body))
        fast = None if unbalanced else _pyarrow_table(raw, 0, len(raw), "utf-8", delimiter,
                                                      ncols)
        if fast is not None:
            return _text_frame(fast.table, ncols)
    return _exact_rows(body, delimiter, ncols)


# =========================================================================== the whole file


class _Read(NamedTuple):
    """What :func:`_stream` or :func:`_whole` read: the header area, the body's cells (one
    row per line), the lines that cannot be trusted, and what the bytes held."""

    area: _HeaderArea
    cells: pd.DataFrame
    bad_lines: dict[int, str]
    unclosed: list[int]
    controls: bool
    marks: bool
    plain: set[int]


def _stream(data: bytes, encoding: str, name: str, match: Match,
            options: TextOptions) -> _Read:
    """Streamed :func:`read_text_table` for UTF-8 and GB18030 text (see the module docstring)."""
    view = memoryview(data)
    begin = 3 if encoding == "utf-8-sig" else 0
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    # The header area: the first HEADER_SEARCH_ROWS lines.
    head_end = begin
    for _ in range(HEADER_SEARCH_ROWS):
        nxt = data.find(b"\n", head_end)
        if nxt < 0:
            head_end = len(data)
            break
        head_end = nxt + 1
    head_text, head_bad = _bad_lines(str(view[begin:head_end], codec, "surrogateescape"))
    if head_end >= len(data) and (not head_text or head_text.isspace()):
        raise _empty_file(name)
    area = _header_area(head_text.splitlines(), match)
    delimiter, ncols = area.delimiter, area.ncols
    body_start = begin
    for _ in range(area.header_lines):
        nxt = data.find(b"\n", body_start)
        body_start = len(data) if nxt < 0 else nxt + 1
    bad_lines = {line: found for line, found in head_bad.items() if line <= area.header_lines}
    unclosed: list[int] = []
    damaged = 0
    line_base = area.header_lines  # lines of the file before the block
    # Blank lines at the end of the file are not rows, however many blocks they would span.
    end = len(data)
    while end > body_start and data[end - 1] in _TRAILING_SPACE:
        end -= 1
    cuts = kernels.line_ends(data, body_start, options.block_bytes, end)
    tables: list[pa.Table] = []
    controls = False
    seen = _Seen(marks=data.find(b"#", 0, body_start) >= 0)  # the title and header rows
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        # The last block ends at ``end``, past the file's trailing blank lines, so the final
        # block's own strip removes nothing and its line count holds for the bytes parsed.
        read = dict(codec=codec, delimiter=delimiter, ncols=ncols, final=b == end, seen=seen)
        block = read_block(data, a, b, engine=options.engine, **read)
        if block is None:  # the fast engine declined the block: the exact one reads it
            block = read_block(data, a, b, engine="exact", **read)
        bad_lines.update({line_base + line: hexes for line, hexes in block.bad_lines.items()})
        unclosed.extend(line_base + 1 + i for i in block.odd_lines)
        controls = controls or block.controls
        damaged += block.damaged
        tables.append(block.table)
        line_base += block.newlines
    if codec == "utf-8" and damaged > max(1, len(data) * MAX_DAMAGED_SHARE):
        raise _Fallback
    if codec == "gb18030" and len(bad_lines) > max(1, line_base // 100):
        raise _Fallback
    width = max([ncols, *(table.num_columns for table in tables)])
    names = [str(i) for i in range(width)]
    tables = [table if table.num_columns == width else pa.table(
        [*table.columns, *(pa.nulls(table.num_rows, pa.large_string())
                           for _ in range(width - table.num_columns))], names=names)
        for table in tables]
    if tables:
        cells = _text_frame(pa.concat_tables(tables), width)
    else:
        cells = pd.DataFrame(columns=range(ncols), dtype="str")
    plain = {int(name) for name, nothing in seen.plain.items() if nothing}
    return _Read(area, cells, bad_lines, unclosed, controls, seen.marks, plain)


def _whole(data: bytes, name: str, match: Match, options: TextOptions
           ) -> tuple[_Read, str]:
    """The whole text decoded first (UTF-16, CR-only, an encoding only the whole text
    reveals), then read as one body; the encoding found."""
    decoded = decode(data, name, options.sample_bytes)
    text = normalise_line_endings(decoded.text)
    if not text or text.isspace():
        raise _empty_file(name)
    area = _header_area(text[: line_offset(text, HEADER_SEARCH_ROWS)].splitlines(), match)
    body = text[line_offset(text, area.header_lines):]
    del text
    cells = parse_body(body, area.delimiter, area.ncols, engine=options.engine)
    unclosed = [area.header_lines + 1 + i for i in unbalanced_quote_lines(body)]
    # The byte test sees control bytes and UTF-8 invisibles only: in any other encoding a
    # zero-width space has other bytes, so the column checks always run.
    controls = decoded.encoding not in ("utf-8", "utf-8-sig") or kernels.may_hold_controls(data)
    read = _Read(area, cells, decoded.bad_lines, unclosed, controls, b"#" in data, set())
    return read, decoded.encoding


def read_text_table(data: bytes, name: str, match: Match = schema.match_header,
                    options: TextOptions | None = None) -> TextTable:
    """Decode and parse a delimited export (see :class:`TextTable` for what it returns).

    ``match``: the header matcher the header row is found with (an export profile's, or the
    built-in one); ``options``: how to read (:class:`TextOptions`; the defaults when None).
    """
    options = options or TextOptions()
    encoding = _streamable_encoding(data, options.sample_bytes) if options.stream else None
    read = None
    if encoding is not None:
        try:
            read = _stream(data, encoding, name, match, options)
        except _Fallback:
            read = None
    if read is None:
        read, encoding = _whole(data, name, match, options)
    head, header_idx, ncols, cells = (read.area.head, read.area.header_idx, read.area.ncols,
                                      read.cells)
    notes: list[tuple[str, str]] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(("info", f"文本编码识别为 {encoding} / text decoded as {encoding}"))
    top = pd.DataFrame(
        [(r + [""] * ncols)[:ncols] if len(r) <= ncols else r for r in head[: header_idx + 1]]
    )
    top = top.reindex(columns=range(max(ncols, top.shape[1] if len(top) else 0)))
    if cells.shape[1] > top.shape[1]:
        top = top.reindex(columns=cells.columns)
    elif cells.shape[1] < top.shape[1]:
        cells = cells.reindex(columns=top.columns)
    grid = pd.concat([parsing.clean_text_frame(top), cells], ignore_index=True)
    bad_rows: dict[int, str] = {}
    for line, found in read.bad_lines.items():
        bad_rows[line] = (f"第 {line} 行含无法识别的字节({found}),该行内容不可信"
                          f" / line {line} holds undecodable bytes ({found})")
    for line in read.unclosed:
        bad_rows.setdefault(line, f"第 {line} 行的引号未闭合,该行已按行尾截断 / line {line} opens a"
                                  " quote that is never closed; the field was cut at the line end")
    ascii_compatible = not encoding.startswith("utf-16")
    return TextTable(grid=grid, notes=notes, bad_rows=bad_rows,
                     may_hold_controls=read.controls,
                     may_hold_errors=not ascii_compatible or read.marks,
                     plain_columns=frozenset(read.plain), spans=read.area.spans)
