"""Delimited text (CSV, TSV, "Unicode text") as banks export it (分隔符文本).

Decoding: UTF-8, UTF-8 with BOM, UTF-16 (with or without BOM: Excel's "Unicode text"), GBK /
GB18030 (guessed with charset-normalizer). A file that is valid in its encoding except for a
few damaged bytes is read: each line holding a damaged byte is listed (and its row rejected)
instead of the whole file being refused. CR-only line endings (old Mac exports) are read.

Parsing keeps one record per line: a quote that opens and never closes within its line is
cut at the end of the line (the row is rejected naming the line), so it cannot swallow the
rows after it. A field longer than the csv module's limit is read.

Reading is streamed for the usual encodings (UTF-8, GBK/GB18030): the file is parsed in blocks
of about :data:`BLOCK_BYTES` cut at line ends (a line feed, a quote or a delimiter is never part
of a multi-byte character in these encodings), so it is never held as one decoded string or a
re-encoded copy. pyarrow's reader parses a block's own bytes in place: UTF-8 as text (pyarrow
checks it), GB18030 as bytes, each column then decoded once per distinct value (pure-ASCII
columns such as ids, amounts and dates are not decoded at all; a column that held non-ASCII
bytes is read as a dictionary in the later blocks, so that pyarrow finds its distinct values
while parsing; a value that does not decode marks its rows). Control bytes, invisible
characters and the ``#`` of Excel error values are looked for in each column's bytes or
distinct values. A block holding a blank line (kept as a row, which pyarrow then refuses), an
unbalanced quote, a lone carriage return, UTF-8 that does not decode or, when it holds a quote,
a row count that is not its line count takes the exact line-by-line reader instead; row
numbers are the file's lines either way. UTF-16 and CR-only files, and files whose encoding
only the whole text reveals, are decoded whole.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError
from postloan_audit.ingest import kernels, parsing
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
#: The type a GB18030 column is read as once it held non-ASCII bytes (see _fast_block).
_CODED = pa.dictionary(pa.int32(), pa.binary())


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


def _looks_utf16(data: bytes) -> str | None:
    head = data[:4096]
    if len(head) < 4:
        return None
    if head[1::2].count(0) > len(head) // 4:
        return "utf-16-le"
    if head[0::2].count(0) > len(head) // 4:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str) -> DecodedText:
    """Decode a text export; raise :class:`ExtractError` only when no encoding fits."""
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
    # UTF-8 with a few damaged bytes, or another encoding? Count the undecodable bytes of a
    # sample first (a GBK file fails on nearly every Chinese character), then of the file.
    sample = data[:ENCODING_SAMPLE_BYTES].decode("utf-8", errors="surrogateescape")
    if len(_SURROGATE_RE.findall(sample)) <= 4 + len(sample) * MAX_DAMAGED_SHARE:
        escaped = data.decode("utf-8", errors="surrogateescape")
        damaged = len(_SURROGATE_RE.findall(escaped))
        if damaged <= max(1, len(data) * MAX_DAMAGED_SHARE):
            text, bad = _bad_lines(escaped)
            return DecodedText(text, "utf-8", bad)
    from charset_normalizer import from_bytes

    sample = data[:ENCODING_SAMPLE_BYTES]
    if len(data) > ENCODING_SAMPLE_BYTES and b"\n" in sample:
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
    raise ExtractError(
        f"无法识别文件 {name} 的字符编码(已尝试 UTF-8、GB18030 与 {encoding})。"
        f"请另存为 UTF-8 或 GBK 编码的 CSV。 / Cannot decode {name} (tried UTF-8, GB18030 and"
        f" {encoding}). Save it as a UTF-8 or GBK CSV.",
        source_name=name, problem="unreadable",
    )


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
    return ExtractError(
        f"文件 {name} 是空文件,没有任何内容。 / The file {name} is empty.",
        source_name=name, problem="empty",
    )


def _header_area(head_lines: list[str], find_header_row):
    """The delimiter, the parsed top lines, the header row's index and the column count."""
    delimiter = sniff_delimiter(head_lines)
    head = _reader(head_lines, delimiter)
    header_idx = find_header_row(head, ("loans",))
    if header_idx is None:
        header_idx = 0
    header = head[header_idx] if head else []
    return delimiter, head, header_idx, max(len(header), 1)


def _text_frame(table: pa.Table, width: int) -> pd.DataFrame:
    """A table of text columns as the loader's grid: ``str`` columns named 0..width-1."""
    cells = table.to_pandas(types_mapper={pa.large_string(): _TEXT_DTYPE}.get)
    cells.columns = range(width)
    return cells


def _exact_block(body: str, delimiter: str, ncols: int) -> pd.DataFrame:
    """The csv module line by line: one row per line, blank lines kept, quotes cut at line end."""
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    rows = _reader(lines, delimiter)
    width = max([ncols, *[len(r) for r in rows]])
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")


def parse_body(body: str, delimiter: str, ncols: int, *, final: bool = True,
               utf8: bytes | memoryview | None = None,
               unbalanced: bool | None = None) -> pd.DataFrame:
    """Parse the rows below the header as text, one DataFrame row per line.

    ``final``: the body runs to the end of the file, so trailing blank lines are not rows;
    otherwise (a block of a streamed file) every line is a row, blank or not.
    ``utf8``: the same text already UTF-8 encoded (the file's own bytes), to skip encoding.
    ``unbalanced``: whether some line has an odd number of quotes, when the caller knows.
    """
    if final and body[-1:].isspace():
        body = body.rstrip()  # blank lines at the end of the file are not rows
        utf8 = None
    if not body:
        return pd.DataFrame(columns=range(ncols), dtype="str")
    raw = body.encode("utf-8") if utf8 is None else bytes(utf8)
    if unbalanced is None:
        unbalanced = b'"' in raw and bool(unbalanced_quote_lines(body))
    # Fast path: pyarrow's reader, as for a streamed block (it declines blank lines and a
    # row count that differs from the line count).
    fast = None if unbalanced else _fast_block(raw, 0, len(raw), "utf-8", delimiter, ncols)
    if fast is not None:
        return _text_frame(fast[0], ncols)
    return _exact_block(body, delimiter, ncols)


def _streamable_encoding(data: bytes) -> str | None:
    """The encoding the file can be streamed in, or None (decoded whole by :func:`decode`).

    UTF-8 (with or without BOM) when a sample decodes as UTF-8; GB18030 when charset-normalizer
    names a Chinese encoding for a sample. Files that are neither, UTF-16 and CR-only files take
    the whole-text path.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        return None
    sample = data[:ENCODING_SAMPLE_BYTES]
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
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    guess = (best.encoding if best is not None else "gb18030").lower().replace("-", "_")
    return "gb18030" if guess.replace("_", "") in _CHINESE_ENCODINGS | {"gb18030"} else None


_TRAILING_SPACE = frozenset(b" \t\r\n\x0b\x0c")


class _Fallback(Exception):
    """The streamed read found what only the whole-text path decides (encoding damage)."""


def _one_array(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A block's column as one array (pyarrow's parse gives one chunk per
    :data:`PARSE_CHUNK_BYTES`): the column checks loop over chunks, and one copy here, in a
    worker thread, costs less than their Python work per chunk."""
    if isinstance(column, pa.ChunkedArray) and column.num_chunks > 1:
        return column.combine_chunks()
    return column


class _Column(NamedTuple):
    """A GB18030 column of a block as text, and what its bytes held."""

    text: pa.Array | pa.ChunkedArray
    controls: bool  # a control byte or an invisible character
    bad: dict[int, list[str]]  # row → the bytes GB18030 cannot decode, as 0xNN
    decoded: bool  # False: an ASCII column, kept as read
    marks: bool  # a "#" (an Excel error value's mark)
    plain: bool  # no control, no edge whitespace, no empty string: nothing to clean


def _decoded(column: pa.Array, codec: str) -> _Column:
    """A column of GB18030 bytes (read unchecked as text) as text, decoding each distinct
    value once; pure-ASCII columns (ids, amounts, dates) are kept as read.

    A control byte or ``#`` is never part of a multi-byte GB18030 character (their bytes are
    0x30 and up, never DEL), so the bytes tell them.
    """
    bad: dict[int, list[str]] = {}
    if pa.types.is_dictionary(column.type):  # read as a dictionary (see _fast_block)
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


def _fast_block(data: bytes, start: int, stop: int, codec: str, delimiter: str, ncols: int,
                quoted: bool | None = None, seen: _Seen | None = None):
    """pyarrow's reader on the bytes ``data[start:stop]`` (a block cut at line ends, read in
    place: no copy; no decoding for UTF-8; GB18030 decoded per distinct value), or None when
    the block needs the exact reader.

    Returns ``(table, bad_rows, controls, newlines)``, ``newlines`` being the block's count of
    line feeds. ``quoted``: whether the bytes hold a double quote, when the caller knows.
    ``seen``: what earlier blocks of the file showed; GB18030 columns that held non-ASCII
    bytes are read as dictionaries (pyarrow then hashes them while parsing, in its threads,
    instead of building the text to hash it again). Updated with this block.
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
    return pa.table(columns, names=names), found, controls, newlines


def _read_block(data: bytes, start: int, stop: int, codec: str, delimiter: str, ncols: int,
                final: bool, seen: _Seen | None = None):
    """One block of a streamed file, ``data[start:stop]``, cut at line ends.

    Returns ``(table, bad_lines, odd_lines, controls, damaged, newlines)``: the cells as a
    pyarrow table of text columns named "0".."n-1" (one row per line), 1-based block lines with
    undecodable bytes, 0-based block lines with an unbalanced quote, whether a control or
    invisible character occurs, the number of undecodable bytes and the block's count of line
    feeds.
    """
    if final:
        while stop > start and data[stop - 1] in _TRAILING_SPACE:
            stop -= 1  # blank lines at the end of the file are not rows
    if stop <= start:
        return pa.table({str(i): pa.array([], pa.large_string()) for i in range(ncols)}), {}, \
            [], False, 0, 0
    quoted = data.find(b'"', start, stop) >= 0
    odd = kernels.odd_quote_lines(data, start, stop) if quoted else np.zeros(0, dtype=np.int64)
    fast = None if len(odd) else _fast_block(data, start, stop, codec, delimiter, ncols, quoted,
                                             seen)
    if fast is not None:
        table, found, controls, newlines = fast
        return table, {row + 1: hexes for row, hexes in found.items()}, [], controls, 0, newlines
    if seen is not None:
        seen.marks = seen.marks or data.find(b"#", start, stop) >= 0
        seen.plain.update(dict.fromkeys((str(i) for i in range(ncols)), False))
    text = str(memoryview(data)[start:stop], codec, "surrogateescape")
    damaged = len(_SURROGATE_RE.findall(text))
    text, bad = _bad_lines(text)
    cells = _exact_block(text, delimiter, ncols)
    table = pa.table({str(i): pa.array(cells[i].astype(object).where(cells[i].notna(), None),
                                       type=pa.large_string()) for i in cells.columns})
    return table, bad, [int(i) for i in odd], kernels.has_controls(text.encode("utf-8")), damaged, \
        data.count(b"\n", start, stop)


def _stream(data: bytes, encoding: str, name: str, find_header_row, search_rows: int):
    """Streamed :func:`read_text_table` for UTF-8 and GB18030 text (see the module docstring)."""
    view = memoryview(data)
    begin = 3 if encoding == "utf-8-sig" else 0
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    # The header area: the first search_rows lines.
    head_end = begin
    for _ in range(search_rows):
        nxt = data.find(b"\n", head_end)
        if nxt < 0:
            head_end = len(data)
            break
        head_end = nxt + 1
    head_text, head_bad = _bad_lines(str(view[begin:head_end], codec, "surrogateescape"))
    if head_end >= len(data) and (not head_text or head_text.isspace()):
        raise _empty_file(name)
    delimiter, head, header_idx, ncols = _header_area(head_text.splitlines(), find_header_row)
    body_start = begin
    for _ in range(header_idx + 1):
        nxt = data.find(b"\n", body_start)
        body_start = len(data) if nxt < 0 else nxt + 1
    bad_lines = {line: found for line, found in head_bad.items() if line <= header_idx + 1}
    unclosed: list[int] = []
    damaged = 0
    line_base = header_idx + 1  # lines of the file before the block
    # Blank lines at the end of the file are not rows, however many blocks they would span.
    end = len(data)
    while end > body_start and data[end - 1] in _TRAILING_SPACE:
        end -= 1
    cuts = kernels.line_ends(data, body_start, BLOCK_BYTES, end)
    tables: list[pa.Table] = []
    controls = False
    seen = _Seen(marks=data.find(b"#", 0, body_start) >= 0)  # the title and header rows
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        # The last block ends at ``end``, past the file's trailing blank lines, so the final
        # block's own strip removes nothing and its line count holds for the bytes parsed.
        table, bad, odd, found, lost, newlines = _read_block(data, a, b, codec, delimiter,
                                                            ncols, b == end, seen)
        bad_lines.update({line_base + line: hexes for line, hexes in bad.items()})
        unclosed.extend(line_base + 1 + i for i in odd)
        controls = controls or found
        damaged += lost
        tables.append(table)
        line_base += newlines
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
    return head, header_idx, ncols, cells, bad_lines, unclosed, controls, seen.marks, plain


def read_text_table(data: bytes, name: str, find_header_row, search_rows: int):
    """Decode and parse a delimited export.

    Returns ``(grid, issues, bad_rows, flags)``: the grid of text cells (one row per line,
    header included), info issues, spreadsheet row number → rejection reason for lines that
    cannot be trusted (undecodable bytes, an unclosed quote), and what the bytes may hold:
    ``{"controls": bool, "errors": bool, "plain": set}`` (control characters; ``#`` of an
    Excel error value; the columns with no cell to clean: no control, edge whitespace or empty
    string), so that the column-by-column checks are skipped where they cannot find anything.
    """
    encoding = _streamable_encoding(data)
    streamed = None
    if encoding is not None:
        try:
            streamed = _stream(data, encoding, name, find_header_row, search_rows)
        except _Fallback:
            streamed = None
    if streamed is not None:
        head, header_idx, ncols, cells, bad_lines, unclosed, controls, marks, plain = streamed
    else:
        decoded = decode(data, name)
        encoding = decoded.encoding
        bad_lines = decoded.bad_lines
        text = normalise_line_endings(decoded.text)
        if not text or text.isspace():
            raise _empty_file(name)
        delimiter, head, header_idx, ncols = _header_area(
            text[: line_offset(text, search_rows)].splitlines(), find_header_row)
        body = text[line_offset(text, header_idx + 1):]
        del text
        cells = parse_body(body, delimiter, ncols)
        unclosed = [header_idx + 2 + i for i in unbalanced_quote_lines(body)]
        # The byte test sees control bytes and UTF-8 invisibles only: in any other encoding a
        # zero-width space has other bytes, so the column checks always run.
        controls = encoding not in ("utf-8", "utf-8-sig") or kernels.may_hold_controls(data)
        marks = b"#" in data
        plain = set()
        del body
    issues: list[tuple[str, str]] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        issues.append(("info", f"文本编码识别为 {encoding} / text decoded as {encoding}"))
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
    for line, found in bad_lines.items():
        bad_rows[line] = (f"第 {line} 行含无法识别的字节({found}),该行内容不可信"
                          f" / line {line} holds undecodable bytes ({found})")
    for line in unclosed:
        bad_rows.setdefault(line, f"第 {line} 行的引号未闭合,该行已按行尾截断 / line {line} opens a"
                                  " quote that is never closed; the field was cut at the line end")
    ascii_compatible = not encoding.startswith("utf-16")
    flags = {
        "controls": controls,
        "errors": not ascii_compatible or marks,
        "plain": plain,
    }
    return grid, issues, bad_rows, flags
