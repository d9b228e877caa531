"""Workbooks that are really markup: an HTML table or an Excel 2003 XML Spreadsheet saved as ``.xls``.

Many core banking systems (核心系统) "export to Excel" by writing an HTML ``<table>`` (GBK or
UTF-8) under a ``.xls`` name; Java/ERP systems write the Excel 2003 XML Spreadsheet format
(``urn:schemas-microsoft-com:office:spreadsheet``). Both are read here into the same shape as
a real workbook sheet: rows of cells (text, numbers, booleans, None) plus merged ranges
(``rowspan``/``colspan``; ``ss:MergeAcross``/``ss:MergeDown``), which the loader fills in.

HTML is parsed with the standard library's :class:`html.parser.HTMLParser`; XML with
:mod:`xml.etree.ElementTree` after refusing any ``<!DOCTYPE``/``<!ENTITY`` declaration (the
defusedxml rule: no entity expansion, no external references).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.etree import ElementTree

from postloan_audit.core.errors import ExtractError, Problem

_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-]+)""")
_CHINESE = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk"}
MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534
#: Largest table (rows × columns) built from markup; beyond it the file is refused.
MAX_MARKUP_CELLS = 16_000_000
#: Largest row and column index accepted from ss:Index (Excel's sheet limits).
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


@dataclass
class MarkupSheet:
    """One table: rows of cell values and merged ranges (r1, c1, r2, c2), 0-based inclusive."""

    name: str
    rows: list[list] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def _decode(data: bytes, declared: str | None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    candidates = []
    if declared:
        enc = declared.lower()
        candidates.append("gb18030" if enc in _CHINESE else enc)
    candidates += ["utf-8", "gb18030"]
    for encoding in dict.fromkeys(candidates):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


# --------------------------------------------------------------------------- HTML


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[MarkupSheet] = []
        self._depth = 0
        self._row: list | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._covered: dict[int, int] = {}  # column -> last row covered by a rowspan above

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append(MarkupSheet(name=f"表{len(self.tables) + 1}"))
                self._covered = {}
        elif self._depth != 1:
            return
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            if self._row is None:
                self._row = []
            attrs = dict(attrs)

            def span(key, limit):
                try:
                    return max(1, min(int(attrs.get(key) or 1), limit))
                except ValueError:
                    return 1

            # The HTML limits: colspan ≤ 1000, rowspan ≤ 65534.
            self._span = (span("rowspan", MAX_ROWSPAN), span("colspan", MAX_COLSPAN))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            if self._depth == 1:
                self._end_row()
            self._depth = max(0, self._depth - 1)
        elif self._depth != 1:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()

    def handle_data(self, data):
        if self._cell is not None and self._depth == 1:
            self._cell.append(data)

    def _end_cell(self):
        if self._cell is None or self._row is None:
            return
        table = self.tables[-1]
        r = len(table.rows)
        c = len(self._row)
        while self._covered.get(c, -1) >= r:
            self._row.append(None)
            c += 1
        text = " ".join("".join(self._cell).split())
        self._row.append(text or None)
        rowspan, colspan = self._span
        if rowspan > 1 or colspan > 1:
            table.merges.append((r, c, r + rowspan - 1, c + colspan - 1))
            if rowspan > 1:
                for dc in range(colspan):
                    self._covered[c + dc] = max(self._covered.get(c + dc, -1), r + rowspan - 1)
            self._row.extend([None] * (colspan - 1))
        self._cell = None

    def _end_row(self):
        if self._cell is not None:
            self._end_cell()
        if self._row is None:
            return
        table = self.tables[-1]
        r = len(table.rows)
        c = len(self._row)
        # Cells covered by a rowspan at the end of the row.
        last = max((col for col, until in self._covered.items() if until >= r), default=-1)
        if last >= c:
            self._row.extend([None] * (last - c + 1))
        table.rows.append(self._row)
        self._row = None


def read_html(data: bytes, name: str) -> list[MarkupSheet]:
    """Every top-level ``<table>`` of an HTML file, as sheets named 表1, 表2, …"""
    match = _CHARSET_RE.search(data[:4096])
    text = _decode(data, match.group(1).decode("ascii") if match else None)
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.tables if t.rows]
    for table in tables:
        check_size(table, name)
    if not tables:
        raise ExtractError.from_facts(Problem.UNREADABLE, "html_without_table", source_name=name)
    return tables


# --------------------------------------------------------------------------- XML Spreadsheet 2003

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def _int_attr(elem, key: str, default: int) -> int:
    try:
        return int(elem.get(f"{_SS}{key}", default))
    except (TypeError, ValueError):
        return default


def read_xml2003(data: bytes, name: str) -> list[MarkupSheet]:
    """The worksheets of an Excel 2003 XML Spreadsheet."""
    head = data[:65536]
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in data.upper():
        raise ExtractError.from_facts(Problem.UNREADABLE, "xml_entities", source_name=name)
    match = _XML_ENCODING_RE.search(data[:200])
    if match and match.group(1).lower() not in (b"utf-8", b"utf8"):
        text = _decode(data, match.group(1).decode("ascii"))
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
        source: str | bytes = text
    else:
        source = data
    try:
        root = ElementTree.fromstring(source)
    except ElementTree.ParseError as exc:
        raise ExtractError.from_facts(Problem.UNREADABLE, "xml_damaged", source_name=name,
                                      error=str(exc)) from None
    sheets = []
    for ws in root.iter(f"{_SS}Worksheet"):
        sheet = MarkupSheet(name=ws.get(f"{_SS}Name") or f"Sheet{len(sheets) + 1}")
        table = ws.find(f"{_SS}Table")
        if table is not None:
            r = -1
            for row in table.iter(f"{_SS}Row"):
                r = _int_attr(row, "Index", r + 2) - 1
                if not 0 <= r < MAX_ROWS:
                    raise _too_large(name, sheet.name)
                while len(sheet.rows) <= r:
                    sheet.rows.append([])
                cells = sheet.rows[r]
                c = -1
                for cell in row.iter(f"{_SS}Cell"):
                    c = _int_attr(cell, "Index", c + 2) - 1
                    if not 0 <= c < MAX_COLUMNS:
                        raise _too_large(name, sheet.name)
                    if (c + 1) * len(sheet.rows) > MAX_MARKUP_CELLS:
                        raise _too_large(name, sheet.name)
                    while len(cells) <= c:
                        cells.append(None)
                    data_elem = cell.find(f"{_SS}Data")
                    value = None
                    if data_elem is not None:
                        text = "".join(data_elem.itertext())
                        kind = data_elem.get(f"{_SS}Type", "String")
                        if kind == "Number":
                            try:
                                value = float(text)
                            except ValueError:
                                value = text
                        elif kind == "Boolean":
                            value = text.strip() == "1"
                        else:
                            value = text
                    cells[c] = value
                    across = _int_attr(cell, "MergeAcross", 0)
                    down = _int_attr(cell, "MergeDown", 0)
                    if across or down:
                        sheet.merges.append((r, c, r + down, c + across))
                    c += across
        check_size(sheet, name)
        sheets.append(sheet)
    return sheets


def _too_large(name: str, sheet: str) -> ExtractError:
    return ExtractError.from_facts(Problem.TOO_LARGE, "markup_sheet", source_name=name,
                                   sheet=sheet)


def check_size(sheet: MarkupSheet, name: str) -> None:
    """Refuse a table whose rectangle (rows × widest row) exceeds :data:`MAX_MARKUP_CELLS`."""
    width = max((len(r) for r in sheet.rows), default=0)
    if len(sheet.rows) * width > MAX_MARKUP_CELLS:
        raise _too_large(name, sheet.name)
