"""Safety checks on an ``.xlsx`` package before any reader allocates memory for it (工作簿安全检查).

python-calamine turns a sheet into one rectangle from ``A1`` to the last used cell. A 2 KB
workbook with one cell in ``XFD1048576`` asks it for 17 billion cells and the process aborts
(uncatchable; in Voila the kernel dies). A zip bomb inflates a few MB into many GB. So before a
reader sees a workbook, :func:`scan_xlsx`:

1. checks every part of the zip: the declared inflated size and the compression ratio
   (:data:`MAX_PART_BYTES`, :data:`MAX_RATIO` above :data:`RATIO_CHECK_BYTES`), and counts the
   bytes really inflated while streaming each worksheet, so a lying header does not help;
2. streams each worksheet's XML once and records its real used range (last row, last
   column), Excel error cells (``t="e"``: ``#N/A``, ``#DIV/0!`` …), formula cells saved without
   a cached value (a file written by a program and never opened in Excel) and merged ranges.

The loader then picks the strategy per sheet: calamine for a rectangle up to
:data:`MAX_RECTANGLE_CELLS`, the streaming sparse reader
(:mod:`postloan_audit.ingest.xlsx_stream`) for a legitimate sparse sheet (a 20,000-row ledger
with a note typed into ``XFD1``), and a clear refusal for an absurd one.

A legacy ``.xls`` (BIFF in an OLE/CFB container) is no zip and python-calamine reads its error
cells as empty, so :func:`scan_xls` finds them with xlrd and reports them in the same
:class:`SheetScan` form; the loader treats them exactly as it treats those of an ``.xlsx``.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

from postloan_audit.core.errors import ExtractError, Problem

#: Largest inflated size of one zip part (bytes): about 400,000 rows × 40 columns of sheet XML.
#: python-calamine needs about three times a sheet's XML size in memory, so this keeps a
#: workbook under about 2 GB.
MAX_PART_BYTES = 640 * 1024**2
#: Largest inflated size of all parts together (bytes).
MAX_TOTAL_BYTES = 1024**3
#: Compression ratio above which a part is treated as a zip bomb (real sheet XML is 5–30×) ...
MAX_RATIO = 100
#: ... once it inflates to more than this many bytes.
RATIO_CHECK_BYTES = 64 * 1024**2
#: Largest used rectangle (rows × columns) handed to python-calamine, which allocates all of it.
MAX_RECTANGLE_CELLS = 16_000_000
#: Largest number of existing cells, and of rows × non-empty columns, kept by the sparse reader.
MAX_SPARSE_CELLS = 20_000_000
CHUNK_BYTES = 8 * 1024**2

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ROW_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
# Column letters of cell references: the wide (2–3 letter) ones first, which is cheap because
# few cells of a normal sheet have them; single letters only for a sheet of at most 26 columns.
_WIDE_COL_RE = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_NARROW_COL_RE = re.compile(rb'<c r="([A-Z])[0-9]')
_CELL_COL_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})\d')
_ERROR_CELL_RE = re.compile(
    rb'<(?:\w+:)?c\b(?=[^>]*\bt="e")[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*>.*?<(?:\w+:)?v>([^<]*)<',
    re.DOTALL)
_UNCACHED_FORMULA_RE = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>/]*>\s*'
    rb'(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)\s*'
    rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def column_index(letters: bytes | str) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26, ``XFD`` → 16383."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def column_letters(index: int) -> str:
    """0 → ``A``, 16383 → ``XFD``."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class SheetScan:
    """What one worksheet's XML holds (0-based row and column indexes)."""

    name: str
    part: str
    max_row: int = -1
    max_col: int = -1
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    uncached_formulas: list[tuple[int, int]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    inflated_bytes: int = 0
    cells: int = 0

    @property
    def rectangle(self) -> int:
        return (self.max_row + 1) * (self.max_col + 1)


def _bomb(name: str, part: str) -> ExtractError:
    return ExtractError.from_facts(Problem.TOO_LARGE, "zip_bomb", source_name=name, part=part)


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order, from workbook.xml and its relationships."""
    names = set(archive.namelist())
    workbook_part = "xl/workbook.xml"
    if workbook_part not in names:
        return []
    rels_part = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_part in names:
        for rel in ElementTree.fromstring(archive.read(rels_part)).iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            targets[rel.get("Id", "")] = target
    out = []
    root = ElementTree.fromstring(archive.read(workbook_part))
    for sheet in root.iter(f"{_NS_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_NS_REL}id", ""), "")
        if part in names:
            out.append((sheet.get("name", ""), part))
    return out


def _check_sizes(archive: zipfile.ZipFile, name: str) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (
                info.file_size > RATIO_CHECK_BYTES and ratio > MAX_RATIO):
            raise _bomb(name, info.filename)
    if total > MAX_TOTAL_BYTES:
        raise _bomb(name, "(全部 / all parts)")


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: SheetScan,
               name: str) -> None:
    """Stream one worksheet part, counting inflated bytes, and fill ``scan``."""
    inflated = 0
    carry = b""
    max_col = -1
    max_row = -1
    with archive.open(info) as stream:
        while True:
            block = stream.read(CHUNK_BYTES)
            inflated += len(block)
            if inflated > MAX_PART_BYTES or (
                    inflated > RATIO_CHECK_BYTES
                    and inflated / max(info.compress_size, 1) > MAX_RATIO):
                raise _bomb(name, info.filename)
            data = carry + block
            if block:
                cut = data.rfind(b">")
                if cut < 0:
                    carry = data
                    continue
                # Elements that straddle the chunk boundary are scanned with the next block:
                # keep everything after the last complete row (or the last tag).
                row_end = data.rfind(b"</row>", 0, cut + 1)
                cut = row_end + len(b"</row>") - 1 if row_end >= 0 else cut
                chunk, carry = data[: cut + 1], data[cut + 1:]
                if len(carry) > MAX_PART_BYTES:
                    raise _bomb(name, info.filename)
            else:
                chunk, carry = data, b""
            tail = chunk.rfind(b"<row ")
            rows = _ROW_RE.findall(chunk, tail) if tail >= 0 else []
            if tail >= 0 and not rows:
                rows = _ROW_RE.findall(chunk)
            if rows:
                max_row = max(max_row, max(int(r) for r in rows) - 1)
            letters = set(_WIDE_COL_RE.findall(chunk))
            if not letters and b":c " not in chunk:
                letters = set(_NARROW_COL_RE.findall(chunk))
            if not letters:
                letters = set(_CELL_COL_RE.findall(chunk))
            if letters:
                max_col = max(max_col, column_index(max(letters, key=lambda c: (len(c), c))))
            if b't="e"' in chunk:
                scan.errors.extend((int(r) - 1, column_index(c), v.decode("utf-8", "replace"))
                                   for c, r, v in _ERROR_CELL_RE.findall(chunk))
            if b"<f" in chunk:
                scan.uncached_formulas.extend(
                    (int(r) - 1, column_index(c)) for c, r in _UNCACHED_FORMULA_RE.findall(chunk))
            if b"mergeCell" in chunk:
                scan.merges.extend(
                    (int(r1) - 1, column_index(c1), int(r2) - 1, column_index(c2))
                    for c1, r1, c2, r2 in _MERGE_RE.findall(chunk))
            if not block:
                break
    scan.max_row, scan.max_col, scan.inflated_bytes = max_row, max_col, inflated


def count_cells(data: bytes, scan: SheetScan) -> int:
    """The number of cell elements in a worksheet (one more streaming pass; only needed for a
    sheet whose rectangle is too large for calamine)."""
    count = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(scan.part) as stream:
        tail = b""
        while block := stream.read(CHUNK_BYTES):
            chunk = tail + block
            count += chunk.count(b"<c ") + chunk.count(b"<c>")
            # a tag split across blocks is counted once: keep the last 3 bytes unless whole
            tail = chunk[-3:] if not chunk.endswith((b"<c ", b"<c>")) else b""
            count -= tail.count(b"<c ") + tail.count(b"<c>")
    scan.cells = count
    return count


def scan_xlsx(data: bytes, name: str) -> dict[str, SheetScan]:
    """Check the package and scan every worksheet; sheet name → :class:`SheetScan`.

    Raises :class:`ExtractError` (``problem="too_large"``) for a zip bomb, and
    (``problem="unreadable"``) for a damaged sheet part. A file that is no zip at all gives
    ``{}``: the workbook reader then names the damage.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}  # not a zip at all: the workbook reader names the damage
    with archive:
        _check_sizes(archive, name)
        try:
            parts = _sheet_parts(archive)
        except (ElementTree.ParseError, KeyError, zipfile.BadZipFile, zlib.error):
            return {}
        out: dict[str, SheetScan] = {}
        for sheet_name, part in parts:
            scan = SheetScan(name=sheet_name, part=part)
            try:
                _scan_part(archive, archive.getinfo(part), scan, name)
            except (zipfile.BadZipFile, zlib.error, EOFError):
                raise ExtractError.from_facts(Problem.UNREADABLE, "damaged_sheet",
                                              source_name=name, damaged=sheet_name) from None
            out[sheet_name] = scan
        sheet_parts = {part for _, part in parts}
        for info in archive.infolist():
            if info.filename in sheet_parts or info.is_dir():
                continue
            try:  # read through once: a part whose header lies about its size fails its CRC
                with archive.open(info) as stream:
                    read = 0
                    while block := stream.read(CHUNK_BYTES):
                        read += len(block)
                        if read > MAX_PART_BYTES:
                            raise _bomb(name, info.filename)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                raise ExtractError.from_facts(Problem.UNREADABLE, "damaged_part",
                                              source_name=name, damaged=info.filename) from None
        return out


def scan_xls(data: bytes, sheet_names: list[str]) -> tuple[dict[str, SheetScan], str | None]:
    """Excel error cells (``#N/A``, ``#DIV/0!`` …) of a legacy BIFF ``.xls`` workbook, for the
    sheets in ``sheet_names`` (those the loader reads); sheet name → :class:`SheetScan` with
    only ``errors`` filled (0-based row and column, the error text).

    BIFF keeps an error as a BOOLERR record or as the cached result of a FORMULA record;
    xlrd (>= 2.0, which reads ``.xls`` only) gives both as ``XL_CELL_ERROR`` cells with the
    error code. Sheets are loaded one at a time (``on_demand``). When xlrd cannot read the
    file the second item is the reason and the first is ``{}``: the loader then keeps
    calamine's view of the workbook and says that error cells were not checked.
    """
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, CompDocError, struct errors …
        return {}, f"{type(exc).__name__}: {exc}"
    # MS-XLS BErr: the seven classic codes and 0x2B (#GETTING_DATA); any other byte is not a
    # valid error code, and is still an error (never empty): named as #VALUE!.
    codes = {**xlrd.error_text_from_code, 0x2B: "#GETTING_DATA"}
    out: dict[str, SheetScan] = {}
    try:
        wanted = set(sheet_names)
        for index, sheet_name in enumerate(book.sheet_names()):
            if sheet_name not in wanted:
                continue
            sheet = book.sheet_by_index(index)
            scan = SheetScan(name=sheet_name, part="")
            for rowx in range(sheet.nrows):
                types = sheet.row_types(rowx)
                if xlrd.XL_CELL_ERROR not in types:
                    continue
                values = sheet.row_values(rowx)
                scan.errors.extend(
                    (rowx, colx, codes.get(values[colx], "#VALUE!"))
                    for colx, kind in enumerate(types) if kind == xlrd.XL_CELL_ERROR)
            book.unload_sheet(index)
            out[sheet_name] = scan
    except Exception as exc:  # noqa: BLE001 - a damaged sheet record: fall back to calamine
        return {}, f"{type(exc).__name__}: {exc}"
    finally:
        book.release_resources()
    return out, None
