"""Delimited text (CSV, TSV, "Unicode text") as banks export it (分隔符文本).

Decoding: UTF-8, UTF-8 with BOM, UTF-16 (with or without BOM: Excel's "Unicode text"), GBK /
GB18030 (guessed with charset-normalizer). A file that is valid in its encoding except for a
few damaged bytes is read: each line holding a damaged byte is listed (and its row rejected)
instead of the whole file being refused. CR-only line endings (old Mac exports) are read.

Parsing keeps one record per line: a quote that opens and never closes within its line is
cut at the end of the line (the row is rejected naming the line), so it cannot swallow the
rows after it. A field longer than the csv module's limit is read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import pandas as pd

from postloan_audit.core.errors import ExtractError
from postloan_audit.ingest import parsing

#: Bytes of a non-UTF-8 CSV given to charset-normalizer to guess the encoding.
ENCODING_SAMPLE_BYTES = 256 * 1024
#: A UTF-8 file with at most this share of undecodable bytes is UTF-8 with damage, not GBK.
MAX_DAMAGED_SHARE = 0.001
_CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "cp936", "hz", "big5", "big5hkscs", "cp950"}
_SURROGATE_RE = re.compile("[\udc80-\udcff]")
#: Bytes that decode to a control character in ASCII-compatible encodings (C0 controls other
#: than tab/LF/CR, and DEL), and the UTF-8 forms of zero-width characters and the BOM.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_INVISIBLE_UTF8 = (b"\xe2\x80\x8b", b"\xe2\x80\x8c", b"\xe2\x80\x8d", b"\xe2\x80\x8e",
                   b"\xe2\x80\x8f", b"\xe2\x81\xa0", b"\xef\xbb\xbf")


def _may_hold_controls(data: bytes) -> bool:
    """True unless the bytes certainly decode without control or invisible characters."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    # bytes.translate with a delete set and substring tests run at C speed.
    return (len(body.translate(None, _CONTROL_BYTES)) != len(body)
            or any(seq in body for seq in _INVISIBLE_UTF8))


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
        return [next(csv.reader([line], delimiter=delimiter), []) for line in lines]
    finally:
        csv.field_size_limit(limit)


def parse_body(body: str, delimiter: str, ncols: int) -> pd.DataFrame:
    """Parse the rows below the header as text, one DataFrame row per line."""
    if not body.strip():
        return pd.DataFrame(columns=range(ncols), dtype="str")
    names = list(range(ncols))
    if not unbalanced_quote_lines(body):
        try:
            # Fast path: pyarrow's reader. It skips blank lines, which would shift spreadsheet
            # row numbers, so it is used only for bodies without them.
            trimmed = body.rstrip()
            if "\n\n" in trimmed or "\n\r\n" in trimmed or body[:1] in ("\n", "\r"):
                raise ValueError("blank lines")
            return pd.read_csv(
                io.BytesIO(body.encode("utf-8")), header=None, names=names, dtype="str",
                sep=delimiter, engine="pyarrow", keep_default_na=False, na_values=[""],
            )
        except Exception:  # noqa: BLE001 - any failure of the fast path falls back to the exact one
            pass
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    rows = _reader(lines, delimiter)
    width = max([ncols, *[len(r) for r in rows]])
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")


def read_text_table(data: bytes, name: str, find_header_row, search_rows: int):
    """Decode and parse a delimited export.

    Returns ``(grid, issues, bad_rows, flags)``: the grid of text cells (one row per line,
    header included), info issues, spreadsheet row number → rejection reason for lines that
    cannot be trusted (undecodable bytes, an unclosed quote), and what the bytes may hold:
    ``{"controls": bool, "errors": bool}`` (control characters; ``#`` of an Excel error value),
    so that the column-by-column checks are skipped for a file that cannot need them.
    """
    decoded = decode(data, name)
    issues: list[tuple[str, str]] = []
    if decoded.encoding not in ("utf-8", "utf-8-sig"):
        issues.append(("info", f"文本编码识别为 {decoded.encoding} / text decoded as {decoded.encoding}"))
    text = normalise_line_endings(decoded.text)
    if not text.strip():
        raise ExtractError(
            f"文件 {name} 是空文件,没有任何内容。 / The file {name} is empty.",
            source_name=name, problem="empty",
        )
    head_lines = text[: line_offset(text, search_rows)].splitlines()
    delimiter = sniff_delimiter(head_lines)
    head = _reader(head_lines, delimiter)
    header_idx = find_header_row(head, ("loans",))
    if header_idx is None:
        header_idx = 0
    header = head[header_idx] if head else []
    ncols = max(len(header), 1)
    body_start = line_offset(text, header_idx + 1)
    body = text[body_start:]
    cells = parse_body(body, delimiter, ncols)
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
    for line, found in decoded.bad_lines.items():
        bad_rows[line] = (f"第 {line} 行含无法识别的字节({found}),该行内容不可信"
                          f" / line {line} holds undecodable bytes ({found})")
    for index in unbalanced_quote_lines(body):
        line = header_idx + 2 + index
        bad_rows.setdefault(line, f"第 {line} 行的引号未闭合,该行已按行尾截断 / line {line} opens a"
                                  " quote that is never closed; the field was cut at the line end")
    ascii_compatible = not decoded.encoding.startswith("utf-16")
    flags = {
        "controls": not ascii_compatible or _may_hold_controls(data),
        "errors": not ascii_compatible or b"#" in data,
    }
    return grid, issues, bad_rows, flags
