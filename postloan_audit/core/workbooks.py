"""Writing workbooks (工作底稿) with openpyxl: one place for formatting and safety.

Every workbook the package writes (sampling workpaper, findings workbook, generated sample
extracts) goes through these helpers so that they look alike and share two guarantees:

* cell text that starts with ``=``, ``+``, ``-`` or ``@`` is stored as literal text (with
  Excel's quote prefix), never as a formula (formula injection, CWE-1236);
* :func:`save_workbook` can write byte-identical files for identical content (fixed document
  properties and zip timestamps), which ``make sample-extracts`` relies on;
* every date cell carries a date format (``yyyy-mm-dd``, or ``yyyy-mm-dd hh:mm:ss`` for a time
  of day), even in a sheet whose column is otherwise ``General``: Excel shows a date stored
  without one as a bare serial number (46295).

Every sheet written for people to print goes through :class:`PrintSetup` (one set-up for every
workbook, see ``docs/printing.md``): A4, portrait or landscape by the sheet's width, column
widths and row heights computed from the contents (a Chinese character counts two units;
wrapped text gets the lines it needs, nothing is left for the spreadsheet program to fit),
11 pt Arial on every cell, the header rows repeated, a two-line page header clear of the first
row, 「第 x 页,共 y 页」, the print area, fit to width no smaller than :data:`MIN_PRINT_SCALE`
(a printable view of the key columns for a sheet too wide), a sign-off block kept on one page
(:func:`write_sign_off`). :func:`add_choice_list` adds drop-down lists. Workbooks made here
(:func:`new_workbook`) take Arial as their default font, so that Excel and LibreOffice agree on
every column's width.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from os import PathLike
from typing import IO, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FONT = Font(name="Arial", size=11, bold=True)
BODY_FONT = Font(name="Arial", size=11)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
AMOUNT_FORMAT = "#,##0.00"
INT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)

Target = str | PathLike | IO[bytes]


def cell_value(value: Any) -> Any:
    """Convert a pandas/numpy value to something openpyxl writes faithfully."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, tuple | list | set | frozenset):
        return "、".join(str(v) for v in value)
    return value


def write_cell(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None):
    """Write one cell; text that Excel could take for a formula is kept literal."""
    value = cell_value(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, dt.datetime | dt.date):
        cell.number_format = (number_format if number_format and _is_date_format(number_format)
                              else date_format(value))
    elif number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def date_format(value: dt.date) -> str:
    """:data:`DATETIME_FORMAT` for a datetime with a time of day, else :data:`DATE_FORMAT`."""
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return DATETIME_FORMAT
    return DATE_FORMAT


def _is_date_format(number_format: str) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return is_date_format(number_format)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime | dt.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    text = str(value)
    # CJK characters take two columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_table(ws: Worksheet, frame: pd.DataFrame, *, headers: Sequence[str] | None = None,
                start_row: int = 1, number_formats: dict[str, str] | None = None,
                freeze: bool = True, autofilter: bool = False, fit: bool = True,
                max_width: int = 60) -> int:
    """Write ``frame`` as a table with a bold frozen header; return the next free row.

    ``headers`` are the displayed (Chinese) titles, defaulting to the column names.
    ``number_formats`` maps column names to Excel formats; float columns default to
    thousands separators with two decimals, integer columns to thousands separators.
    """
    headers = list(headers) if headers is not None else [str(c) for c in frame.columns]
    formats = dict(number_formats or {})
    for name in frame.columns:
        if name in formats:
            continue
        dtype = frame[name].dtype
        if pd.api.types.is_float_dtype(dtype):
            formats[name] = AMOUNT_FORMAT
        elif pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            formats[name] = INT_FORMAT
    widths = [_display_width(h) for h in headers]
    for j, title in enumerate(headers, start=1):
        cell = write_cell(ws, start_row, j, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=False)
    columns = list(frame.columns)
    values = frame.to_numpy(dtype=object) if len(frame) else np.empty((0, len(columns)), object)
    for i, row in enumerate(values, start=start_row + 1):
        for j, (name, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = write_cell(ws, i, j, value, formats.get(name))
            widths[j - 1] = max(widths[j - 1], _display_width(cell.value))
    if fit:
        fit_widths(ws, widths, max_width=max_width)
    if freeze and start_row == 1:
        ws.freeze_panes = ws.cell(row=2, column=1)
    if autofilter and len(columns):
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A{start_row}:{last}{start_row + len(values)}"
    return start_row + len(values) + 1


def fit_widths(ws: Worksheet, widths: Iterable[int], *, max_width: int = 60) -> None:
    """Set column widths from measured display widths (CJK counted double)."""
    for j, width in enumerate(widths, start=1):
        letter = get_column_letter(j)
        current = ws.column_dimensions[letter].width or 0
        ws.column_dimensions[letter].width = max(current, min(max_width, max(8, width + 2)))


def write_key_values(ws: Worksheet, pairs: Sequence[tuple[str, Any]], *,
                     headers: tuple[str, str] = ("项目", "内容")) -> None:
    """Write a two-column parameter sheet (参数)."""
    frame = pd.DataFrame({"k": [p[0] for p in pairs], "v": [cell_value(p[1]) for p in pairs]},
                         dtype=object)
    write_table(ws, frame, headers=list(headers), number_formats={"v": "General"})


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed) whose default font is :data:`BODY_FONT`.

    The default font (the first of the style sheet and the Normal style's) sets the unit of
    every column width: with Arial, Excel and LibreOffice agree on how wide a column is, so the
    pages :class:`PrintSetup` computes are the pages printed.
    """
    from openpyxl.utils.indexed_list import IndexedList

    wb = Workbook()
    wb.remove(wb.active)
    wb._fonts = IndexedList([BODY_FONT])  # only openpyxl's default font was in it
    wb._named_styles["Normal"].font = BODY_FONT
    return wb


def save_workbook(wb: Workbook, target: Target, *, deterministic: bool = False,
                  timestamp: dt.datetime | None = None) -> None:
    """Save ``wb`` to a path or binary buffer.

    With ``deterministic=True`` the document properties and every zip entry carry ``timestamp``
    (default 2000-01-01), so identical content gives identical bytes.
    """
    stamp = timestamp or FIXED_TIMESTAMP
    if deterministic:
        wb.properties.created = stamp
        wb.properties.modified = stamp
        wb.properties.lastModifiedBy = "postloan-audit"
        wb.properties.creator = "postloan-audit"
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if deterministic or any(_has_line_break(ws) for ws in wb.worksheets):
        data = _rewrite_zip(data, stamp if deterministic else None)
    if hasattr(target, "write"):
        target.write(data)
    else:
        with open(target, "wb") as handle:
            handle.write(data)


def _has_line_break(ws: Any) -> bool:
    """Whether a page header or footer of ``ws`` holds a line break."""
    items = (getattr(ws, "oddHeader", None), getattr(ws, "oddFooter", None))
    return any("\n" in (part.text or "") for item in items if item is not None
               for part in (item.left, item.center, item.right))


#: A line break in a page header or footer as openpyxl writes it (escaped as ``_x000a_``).
_HEADER_BREAK = re.compile(rb"_x000a_", re.IGNORECASE)
_HEADER_FOOTER = re.compile(rb"(<(?:odd|even|first)(?:Header|Footer)>)(.*?)(</)", re.DOTALL)


def _rewrite_zip(data: bytes, stamp: dt.datetime | None) -> bytes:
    """Rewrite a saved workbook: line breaks of page headers and footers as real line breaks
    and, with ``stamp``, fixed entry timestamps and a fixed modified time in docProps/core.xml.

    openpyxl escapes a header's line break as ``_x000a_``, which LibreOffice prints as is;
    Excel and LibreOffice both read a literal line break.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and b"Header>" in payload:
                payload = _HEADER_FOOTER.sub(
                    lambda m: m.group(1) + _HEADER_BREAK.sub(b"\n", m.group(2)) + m.group(3),
                    payload)
            if stamp is None:
                entry = info
            else:
                if info.filename == "docProps/core.xml":
                    payload = _fix_core_dates(payload, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
                date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour,
                             stamp.minute, stamp.second)
                entry = zipfile.ZipInfo(info.filename, date_time=date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o600 << 16
            target.writestr(entry, payload)
    return out.getvalue()


def _fix_core_dates(payload: bytes, iso: str) -> bytes:
    import re

    text = payload.decode("utf-8")
    text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{iso}\g<2>", text)
    text = re.sub(r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{iso}\g<2>", text)
    return text.encode("utf-8")


def new_write_only_workbook() -> Workbook:
    """An empty write-only workbook (streams rows; for large tables such as extracts)."""
    return Workbook(write_only=True)


def append_table(ws: Any, frame: pd.DataFrame, *, headers: Sequence[str] | None = None,
                 title: str | None = None, trailing_rows: Sequence[Sequence[Any]] = (),
                 number_formats: dict[str, str] | None = None, max_width: int = 40,
                 width_sample: int = 500) -> None:
    """Stream ``frame`` into a write-only worksheet, with the guarantees of :func:`write_table`.

    An optional ``title`` row goes above the bold header (frozen below it); float columns get
    thousands separators, dates ``yyyy-mm-dd``; text starting with ``=``, ``+``, ``-`` or ``@``
    is stored as literal text. Widths are fitted on the first ``width_sample`` rows.
    ``trailing_rows`` (e.g. a 合计 row) are appended after the data with the same formats.
    """
    from openpyxl.cell import WriteOnlyCell

    headers = list(headers) if headers is not None else [str(c) for c in frame.columns]
    formats = dict(number_formats or {})
    for name in frame.columns:
        if name not in formats and pd.api.types.is_float_dtype(frame[name].dtype):
            formats[name] = AMOUNT_FORMAT
    columns = list(frame.columns)
    values = frame.to_numpy(dtype=object) if len(frame) else np.empty((0, len(columns)), object)
    widths = [_display_width(h) for h in headers]
    for row in values[:width_sample]:
        for j, value in enumerate(row):
            widths[j] = max(widths[j], _display_width(cell_value(value)))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max_width, max(8, width + 2))
    header_row = 2 if title else 1
    ws.freeze_panes = f"A{header_row + 1}"
    if title:
        ws.append([title])

    def styled(value: Any, fmt: str | None = None) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        if fmt:
            cell.number_format = fmt
        return cell

    header_cells = []
    for text in headers:
        cell = styled(text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header_cells.append(cell)
    ws.append(header_cells)
    fmt_by_pos = {j: formats[name] for j, name in enumerate(columns) if name in formats}
    date_pos = set()
    for j, name in enumerate(columns):
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col.dtype) or (
                col.dtype == object and col.map(lambda v: isinstance(v, dt.date)).any()):
            date_pos.add(j)
    risky = np.zeros(values.shape, bool)
    for j, name in enumerate(columns):
        col = frame[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            text = col.astype("str")
            risky[:, j] = text.str.startswith(FORMULA_PREFIXES, na=False).to_numpy(bool)
    special = set(fmt_by_pos) | date_pos
    any_risky = risky.any(axis=1)
    for i, row in enumerate(values):
        out = [cell_value(v) for v in row]
        for j in special:
            if out[j] is not None:
                out[j] = styled(out[j], DATE_FORMAT if j in date_pos else fmt_by_pos[j])
        if any_risky[i]:
            for j in np.flatnonzero(risky[i]):
                cell = styled(out[j])
                cell.data_type = "s"
                cell.quotePrefix = True
                out[j] = cell
        ws.append(out)
    for row in trailing_rows:
        ws.append([styled(v, fmt_by_pos[j]) if j in fmt_by_pos and v is not None
                   else cell_value(v) for j, v in enumerate(row)])


# --------------------------------------------------------------------------- printing

#: Body text of every printed sheet. Arial because its metrics are those of Liberation Sans,
#: which LibreOffice substitutes for it: a sheet laid out here prints alike in Excel and in
#: LibreOffice. (Calibri, openpyxl's default, is missing on Linux and LibreOffice's substitute is
#: a third wider, so its columns and pages would not be the ones computed here.)
BODY_FONT_NAME = "Arial"
#: Body text size (pt), set on every cell: printed at no less than :data:`TARGET_PRINT_SCALE`
#: it stays at 9 pt or more.
BODY_SIZE = 11
#: Size (pt) of a sheet's title row (the lists' 到期提示表 title, say).
TITLE_SIZE = 13
#: Printed size (pt) of the page header's first line (title and sheet), and of its second line
#: (the details) and the footer.
PAGE_HEADER_SIZE = 10
PAGE_DETAIL_SIZE = 9
#: The footer of every printed page.
PAGE_FOOTER = "第 &P 页,共 &N 页"
#: A sheet never prints smaller than this (fit to width stops here; a wider sheet needs a
#: printable view of its key columns, :func:`add_print_view`).
MIN_PRINT_SCALE = 0.70
#: What the layout aims for before it accepts a smaller scale: 9/11, so that 11 pt body text
#: prints at 9 pt or more. Wrapped columns narrow (down to :data:`WRAP_MIN`) to keep it.
TARGET_PRINT_SCALE = 0.82
#: Height (pt) of one line of 11 pt text, Chinese or Latin, with its leading; a row is as high
#: as its most wrapped cell needs (Excel's own row height for 11 pt is 14.25–15 pt).
LINE_HEIGHT = 15.0
#: Space (pt) added to every row's height, above and below its text.
ROW_PADDING = 3.0
#: Excel and LibreOffice cap a row at 409 pt.
MAX_ROW_HEIGHT = 409.0
#: Width units taken by a cell's left and right padding.
CELL_PADDING = 1.0
#: The narrowest a wrapped column gets (six Chinese characters a line) and the widest.
WRAP_MIN = 13.0
WRAP_MAX = 64.0
#: A text column whose longest value is wider than this wraps.
AUTO_WRAP = 16.0
#: A header wraps onto at most this many lines; one this wide or less does not wrap.
HEADER_LINES = 2
SHORT_HEADER = 7.0
#: Points per width unit: a column of width 1 is one digit of 11 pt Arial (Excel rounds it to
#: 8 px, 6 pt; LibreOffice takes Liberation Sans's 6.1 pt, measured: the wider of the two).
POINTS_PER_UNIT = 6.1
#: Share of the printable width a table is laid out to: what the programs' fit-to-width (a
#: whole percentage, rounded down) may take more.
WIDTH_IN_HAND = 0.98
#: A4 (pt) and the margins (inches) of every printed sheet. The top margin leaves room for a
#: two-line page header below its own margin, so that the header never runs into the first row.
A4_POINTS = (595.28, 841.89)
MARGINS = {"left": 0.4, "right": 0.4, "top": 1.0, "bottom": 0.75, "header": 0.3, "footer": 0.3}

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# East Asian wide and full-width characters (CJK, full-width punctuation) and the general
# punctuation that Chinese fonts draw full width (—, “”, …): two width units each.
_WIDE = ("\u1100-\u115f\u2010-\u206f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
         "\uff00-\uff60\uffe0-\uffe6")
_WIDE_RE = re.compile(f"[{_WIDE}]")
_UPPER_RE = re.compile("[A-Z@%&MW]")
_TOKEN_RE = re.compile(f"[{_WIDE}]|[^\\s{_WIDE}]+|\\s+")


def text_width(text: str) -> float:
    """Display width of ``text`` in column-width units: a Chinese (wide) character counts 2,
    a capital letter 1.25, anything else 1 (the digits of 11 pt Arial are 1)."""
    return len(text) + len(_WIDE_RE.findall(text)) + 0.25 * len(_UPPER_RE.findall(text))


def text_widths(texts: pd.Series) -> pd.Series:
    """:func:`text_width` of each string of ``texts`` (vectorised); the widest line of a text
    with line breaks."""
    texts = texts.astype("str")
    multi = texts.str.contains("\n", regex=False)
    if multi.any():
        lines = texts[multi].str.split("\n").explode()
        widest = text_widths(lines).groupby(level=0).max()
        single = text_widths(texts[~multi]) if (~multi).any() else pd.Series(dtype="float64")
        return pd.concat([single, widest]).reindex(texts.index)
    return (texts.str.len() + texts.str.count(_WIDE_RE.pattern)
            + 0.25 * texts.str.count(_UPPER_RE.pattern)).astype("float64")


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell of ``width`` units.

    Chinese text breaks between any two characters, other text at spaces; a word longer than
    the line breaks between characters (Excel and LibreOffice both do). Line breaks in the
    text count. A Chinese character counts 2 units where it takes 1.83: what is kept in hand
    covers the punctuation that may not start a line.
    """
    usable = max(width - CELL_PADDING, 1.0)
    lines = 0
    for segment in text.split("\n"):
        if text_width(segment) <= usable:
            lines += 1
            continue
        n, used = 1, 0.0
        for token in _TOKEN_RE.findall(segment):
            w = text_width(token)
            if token.isspace():
                used += w if used else 0.0
            elif used + w <= usable:
                used += w
            elif w <= usable:
                n, used = n + 1, w
            else:
                if used:
                    n += 1
                k = math.ceil(w / usable)
                n, used = n + k - 1, w - (k - 1) * usable
        lines += n
    return lines


def display_text(value: Any, number_format: str | None = None) -> str:
    """The text a cell shows for ``value`` under ``number_format`` (as far as widths go)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "FALSE" if not value else "TRUE"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d %H:%M:%S" if date_format(value) == DATETIME_FORMAT
                              else "%Y-%m-%d")
    if isinstance(value, int | float):
        fmt = number_format or "General"
        if "%" in fmt:
            return f"{value * 100:.2f}%"
        decimals = len(fmt.split(".", 1)[1].rstrip("%;")) if "." in fmt else 0
        if "#,##" in fmt:
            return f"{value:,.{decimals}f}"
        if fmt != "General":
            return f"{value:.{decimals}f}"
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


@dataclass(frozen=True)
class PrintLayout:
    """How a sheet was laid out for print (what :meth:`PrintSetup.apply` decided).

    ``orientation`` is ``portrait`` or ``landscape``; ``scale`` the fit-to-width scale the
    widths give (1.0: printed at full size); ``widths`` the column widths, by column letter;
    ``pages`` the pages it should print on (estimated from the row heights); ``too_wide``:
    even at its narrowest the sheet prints below :data:`MIN_PRINT_SCALE`; ``view``: the name
    of the printable view of its key columns made for such a sheet (the other fields are the
    view's).
    """

    orientation: str
    scale: float
    widths: dict[str, float]
    pages: int = 1
    too_wide: bool = False
    view: str | None = None


@dataclass(frozen=True)
class PrintSetup:
    """The print set-up of one workbook: A4, page header, page numbers, a sign-off block.

    Every sheet the package writes for people to print goes through :meth:`apply`, which
    makes it print the same way (A4, orientation by width, repeated header rows, a page header
    naming ``title``, the sheet and ``details``, 「第 x 页,共 y 页」 at the bottom, 11 pt text,
    widths and row heights from the contents, the print area, fit to width at
    :data:`MIN_PRINT_SCALE` or more) and, where a person signs, adds the sign-off block.

    Parameters
    ----------
    title : str
        What the workbook is (现场检查工作底稿, 问题清单工作簿).
    details : sequence of str
        What identifies this copy, as the workbook knows it: the branch, the data date, the
        seed or the run (``"被查机构:城关支行"``, ``"数据日期:2026-09-30"``, ``"随机种子:42"``).
    """

    title: str
    details: Sequence[str] = ()

    def header_text(self, sheet: str | None = None) -> str:
        """The page header: the title and the sheet on the first line, the details below."""
        first = f"{self.title} · {sheet}" if sheet and sheet != self.title else self.title
        lines = [first, "    ".join(d for d in self.details if d)]
        return "\n".join(line for line in lines if line)

    def apply(self, ws: Worksheet, *, header_row: int = 1, wrap: Iterable[str] = (),
              widths: Mapping[str, float] | None = None, rotate: Iterable[str] = (),
              notes: Sequence[str] = (), sign_off: Sequence[str] | None = None,
              sheet: str | None = None, more_headers: Iterable[int] = (),
              key_columns: Sequence[str] = ()) -> PrintLayout:
        """Lay ``ws`` out for print and set its page set-up; return what was decided.

        Parameters
        ----------
        ws : Worksheet
            A written sheet: rows above ``header_row`` are title rows (merged across the
            printed width, repeated on every page with the header row), then one table.
        header_row : int
            The row of the column headers (repeated on every page).
        wrap : iterable of str
            Headers of columns whose text wraps whatever its length (long text wraps anyway:
            :data:`AUTO_WRAP`).
        widths : mapping of str to float
            Fixed widths by header, e.g. room to write by hand (``{"问题描述": 30}``).
        rotate : iterable of str
            Headers printed vertically (a matrix of narrow count columns).
        notes : sequence of str
            Lines printed below the table, each across the printed width.
        sign_off : sequence of str, optional
            The labels of a sign-off block below everything (:func:`write_sign_off`).
        sheet : str, optional
            The sheet's name in the page header (default the sheet's title).
        more_headers : iterable of int
            Header rows of further tables below the first (styled and measured as headers).
        key_columns : sequence of str
            Headers of the columns a printable view keeps when the sheet is too wide to print
            at :data:`MIN_PRINT_SCALE`: the view (``<sheet>(打印)``, before the sheet) then
            prints, with the notes and the sign-off, and the sheet keeps every column for data.
        """
        return lay_out_for_print(ws, self, header_row=header_row, wrap=wrap, widths=widths,
                                 rotate=rotate, notes=notes, sign_off=sign_off, sheet=sheet,
                                 more_headers=more_headers, key_columns=key_columns)


def _printable_width(orientation: str) -> float:
    """Printable width of A4 in ``orientation``, in width units."""
    paper = A4_POINTS[0] if orientation == "portrait" else A4_POINTS[1]
    return (paper - 72 * (MARGINS["left"] + MARGINS["right"])) * WIDTH_IN_HAND / POINTS_PER_UNIT


def _printable_height(orientation: str) -> float:
    """Printable height of A4 in ``orientation``, in points."""
    paper = A4_POINTS[1] if orientation == "portrait" else A4_POINTS[0]
    return paper - 72 * (MARGINS["top"] + MARGINS["bottom"])


@dataclass
class _Column:
    """What one column needs: its widths (natural: no wrapping beyond its line breaks;
    minimum) and, for a wrapped column, the width of every line of text of every row."""

    natural: float
    minimum: float
    wraps: bool
    segments: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def lines(self, width: float, n_rows: int) -> np.ndarray:
        """Lines per row at ``width`` (a character count: words are not kept whole here)."""
        if not self.wraps or not len(self.segments):
            return np.ones(n_rows)
        per = np.maximum(1.0, np.ceil(self.segments / max(width - CELL_PADDING, 1.0)))
        return np.maximum(1.0, np.bincount(self.rows, per, minlength=n_rows))


def _allocate(columns: list[_Column], target: float, n_rows: int, *,
              spread: float) -> np.ndarray | None:
    """Column widths adding up to ``target`` or less that make the table as short as they can.

    From every column's minimum, width goes step by step to the wrapped column that lowers the
    rows most for each unit it takes (a step is as wide as it must be for any of its cells to
    lose a line). What no column needs goes to the columns below their natural width, up to
    ``spread`` in all (the page's width at full size: spare width never shrinks the print).
    None when even the minimum widths are wider than ``target``.
    """
    widths = np.array([c.minimum for c in columns], dtype="float64")
    natural = np.array([c.natural for c in columns], dtype="float64")
    if widths.sum() > target + 1e-9:
        return None
    lines = np.vstack([c.lines(w, n_rows) for c, w in zip(columns, widths, strict=True)]) \
        if columns else np.ones((0, n_rows))
    candidates = [j for j, c in enumerate(columns) if c.wraps]
    while candidates:
        room = target - widths.sum()
        height = lines.max(axis=0)
        best, best_gain, best_step = None, (0.0, 0.0), 0.0
        for j in candidates:
            others = np.delete(lines, j, axis=0).max(axis=0) if len(columns) > 1 \
                else np.ones(n_rows)
            step = 1.0
            while step <= min(room, natural[j] - widths[j]) + 1e-9:
                new = columns[j].lines(widths[j] + step, n_rows)
                own = float(lines[j].sum() - new.sum())
                if own > 0:
                    gain = (float(height.sum() - np.maximum(others, new).sum()) / step,
                            own / step)
                    if gain > best_gain:
                        best, best_gain, best_step = j, gain, step
                    break
                step += 1.0
        if best is None:
            break
        widths[best] += best_step
        lines[best] = columns[best].lines(widths[best], n_rows)
    room = natural - widths
    spare = min(target, spread) - widths.sum()
    if room.sum() > 0 and spare > 0:
        widths += room * min(1.0, spare / room.sum())
    return widths


def _table_height(columns: list[_Column], widths: np.ndarray, n_rows: int) -> float:
    if not n_rows:
        return 0.0
    lines = np.vstack([c.lines(w, n_rows) for c, w in zip(columns, widths, strict=True)])
    return float((lines.max(axis=0) * LINE_HEIGHT + ROW_PADDING).sum())


#: The layouts tried for a table, in order of preference: (orientation, scale).
LAYOUTS: tuple[tuple[str, float], ...] = (
    ("portrait", 1.0), ("landscape", 1.0), ("landscape", TARGET_PRINT_SCALE),
    ("landscape", MIN_PRINT_SCALE))
#: A later (smaller) layout of :data:`LAYOUTS` is taken only when it saves this share of the
#: pages (and one page at least): a few pages more are worth a print that reads easily.
PAGES_SAVED = 0.25


def choose_layout(columns: list[_Column], n_rows: int) -> tuple[str, float, np.ndarray]:
    """Orientation, scale and widths of a table.

    Portrait at natural widths when they fit; else each of :data:`LAYOUTS` allocates its width
    (:func:`_allocate`) and the first wins unless a later one prints on fewer pages by
    :data:`PAGES_SAVED`. A table that fits none of them prints landscape at its minimum
    widths, at the scale they need (below :data:`MIN_PRINT_SCALE`: too wide).
    """
    natural = np.array([c.natural for c in columns], dtype="float64")
    if natural.sum() <= _printable_width("portrait"):
        return "portrait", 1.0, natural
    best = None
    for orientation, scale in LAYOUTS:
        full = _printable_width(orientation)
        widths = _allocate(columns, full / scale, n_rows, spread=full)
        if widths is None:
            continue
        height = _table_height(columns, widths, n_rows) + 2 * LINE_HEIGHT  # header, sign-off
        pages = math.ceil(height * scale / _printable_height(orientation))
        if best is None or pages <= min(best[0] - 1, best[0] * (1 - PAGES_SAVED)):
            best = (pages, orientation, min(1.0, full / widths.sum()), widths)
    if best is not None:
        return best[1], best[2], best[3]
    widths = np.array([c.minimum for c in columns], dtype="float64")
    return "landscape", _printable_width("landscape") / widths.sum(), widths


def _header_minimum(header: str) -> float:
    """The narrowest width at which a (bold) header takes :data:`HEADER_LINES` lines or less; a
    short header (:data:`SHORT_HEADER`) keeps one line."""
    full = text_width(header) * 1.1 + CELL_PADDING
    if full <= SHORT_HEADER + CELL_PADDING:
        return full
    width = max((text_width(t) * 1.1 for t in _TOKEN_RE.findall(header)), default=0.0)
    width += CELL_PADDING
    while _header_lines(header, width) > HEADER_LINES and width < full:
        width += 0.5
    return width


def _header_lines(header: str, width: float) -> int:
    return wrapped_lines(header, (width - CELL_PADDING) / 1.1 + CELL_PADDING)


def _column_needs(header: str, texts: pd.Series, widths: np.ndarray, *, is_text: bool,
                  wrap: bool, fixed: float | None, rotate: bool) -> _Column:
    """What a column needs, from its header, its cells' texts and their widths."""
    values = float(np.nanmax(widths)) if len(widths) else 0.0
    if rotate:
        width = max(values, (header.count("\n") + 1) * LINE_HEIGHT / POINTS_PER_UNIT)
        return _Column(width + CELL_PADDING, width + CELL_PADDING, False)
    head_min = _header_minimum(header)
    head = text_width(header) * 1.1 + CELL_PADDING
    wraps = wrap or (is_text and values + CELL_PADDING > AUTO_WRAP)
    if fixed is not None:
        natural = minimum = float(fixed)
    elif wraps:
        natural = min(max(values + CELL_PADDING, head), WRAP_MAX)
        minimum = min(natural, max(WRAP_MIN, head_min))
    else:
        natural = max(values + CELL_PADDING, head)
        minimum = max(values + CELL_PADDING, head_min)
    if not wraps:
        return _Column(natural, minimum, False)
    rows = np.arange(len(texts), dtype=np.int64)
    multi = texts.str.contains("\n", regex=False).to_numpy(bool) if len(texts) else rows > 0
    if not multi.any():
        return _Column(natural, minimum, True, np.asarray(widths, dtype="float64"), rows)
    lines = texts[multi].str.split("\n").explode()
    segments = np.concatenate([np.asarray(widths, dtype="float64")[~multi],
                               text_widths(lines).to_numpy(dtype="float64")])
    owners = np.concatenate([rows[~multi], rows[multi][pd.Index(texts.index[multi])
                                                       .get_indexer(lines.index)]])
    return _Column(natural, minimum, True, segments, owners)


def lay_out_for_print(ws: Worksheet, setup: PrintSetup, *, header_row: int = 1,
                      wrap: Iterable[str] = (), widths: Mapping[str, float] | None = None,
                      rotate: Iterable[str] = (), notes: Sequence[str] = (),
                      sign_off: Sequence[str] | None = None, sheet: str | None = None,
                      more_headers: Iterable[int] = (),
                      key_columns: Sequence[str] = ()) -> PrintLayout:
    """:meth:`PrintSetup.apply` (see there)."""
    wrap, rotate, fixed = set(wrap), set(rotate), dict(widths or {})
    last_row, n_cols = _last_used_row(ws, header_row), ws.max_column
    letters = [get_column_letter(j) for j in range(1, n_cols + 1)]
    hidden = np.array([bool(ws.column_dimensions[c].hidden) for c in letters], dtype=bool)
    header_rows = [header_row, *sorted(r for r in set(more_headers) if header_row < r <= last_row)]
    cells = {r: [ws.cell(row=r, column=j) for j in range(1, n_cols + 1)]
             for r in range(header_row, last_row + 1)}
    headers = [display_text(c.value) for c in cells[header_row]]
    body_rows = [r for r in cells if r not in header_rows]
    body = pd.DataFrame([[display_text(c.value, c.number_format) for c in cells[r]]
                         for r in body_rows], columns=range(n_cols), dtype="str")
    n_rows = len(body)
    # every cell's width at once (one vectorised pass; the widest line of a multi-line text)
    flat = text_widths(pd.Series(body.to_numpy(dtype=object).ravel(), dtype="str"))
    measured = flat.to_numpy(dtype="float64").reshape(n_rows, n_cols)
    needs = [_column_needs(h, body[j], measured[:, j], wrap=h in wrap, fixed=fixed.get(h),
                           rotate=h in rotate,
                           is_text=any(isinstance(cells[r][j].value, str) for r in body_rows))
             for j, h in enumerate(headers)]
    for r in header_rows[1:]:  # the headers of a second table on the sheet
        for j, cell in enumerate(cells[r]):
            if cell.value is not None and headers[j] not in fixed:
                text = display_text(cell.value)
                needs[j].minimum = max(needs[j].minimum, _header_minimum(text))
                needs[j].natural = max(needs[j].natural, needs[j].minimum,
                                       text_width(text) * 1.1 + CELL_PADDING)
    shown = np.flatnonzero(~hidden)
    orientation, scale, chosen = choose_layout([needs[j] for j in shown], n_rows)
    too_wide = scale < MIN_PRINT_SCALE
    if too_wide and key_columns:
        return _print_view(ws, setup, header_row=header_row, key_columns=key_columns,
                           wrap=wrap, widths=fixed, notes=notes, sign_off=sign_off,
                           sheet=sheet, needs=needs)
    final = np.array([c.natural for c in needs], dtype="float64")
    final[shown] = np.round(chosen, 1)
    for j in shown:
        ws.column_dimensions[letters[j]].width = float(final[j])
    printed = float(final[shown].sum())

    for r in range(1, header_row):
        _style_title_row(ws, r, n_cols, printed)
    for r in header_rows:
        lines = 1
        for j, cell in enumerate(cells[r]):
            cell.font = _sized(cell.font, bold=True)
            text = display_text(cell.value)
            if r == header_row and text in rotate:
                cell.alignment = Alignment(text_rotation=90, wrap_text=True,
                                           horizontal="center", vertical="bottom")
                longest = max(text_width(line) * 1.1 for line in text.split("\n"))
                lines = max(lines, math.ceil(
                    (longest + CELL_PADDING) * POINTS_PER_UNIT / LINE_HEIGHT))
            else:
                cell.alignment = Alignment(wrap_text=True, horizontal="center",
                                           vertical="center")
                if not hidden[j]:
                    lines = max(lines, _header_lines(text, final[j]))
        ws.row_dimensions[r].height = _row_height(lines)

    # row heights: a character count finds the cells that may wrap, then each of those is
    # wrapped word by word at its final width
    wrapped = [j for j in shown if needs[j].wraps]
    lines = np.ones(n_rows, dtype=np.int64)
    for j in wrapped:
        for i in np.flatnonzero(needs[j].lines(final[j], n_rows) > 1):
            lines[i] = max(lines[i], wrapped_lines(body.iat[i, j], final[j]))
    body_font = Font(name=BODY_FONT_NAME, size=BODY_SIZE)
    wrapped_set = set(wrapped)
    for i, r in enumerate(body_rows):
        for j, cell in enumerate(cells[r]):
            cell.font = _sized(cell.font) if cell.has_style and cell.font.b else body_font
            horizontal = cell.alignment.horizontal if cell.has_style else None
            cell.alignment = Alignment(wrap_text=j in wrapped_set, vertical="top",
                                       horizontal=horizontal)
        ws.row_dimensions[r].height = _row_height(int(lines[i]))

    next_row = last_row + 1
    if notes:
        next_row += 1
        for text in notes:
            _write_note(ws, next_row, text, n_cols, printed)
            next_row += 1
    starts = _page_starts(ws, header_row, next_row - 1, orientation, scale)
    if sign_off:
        first = next_row + 1
        next_row = write_sign_off(ws, first, sign_off)
        with_block = _page_starts(ws, header_row, next_row - 1, orientation, scale)
        if any(first < start < next_row for start in with_block):  # keep the block together
            ws.row_breaks.append(Break(id=first - 1))
            starts = [*starts, first]
        else:
            starts = with_block
    _page_setup(ws, setup, orientation, header_row=header_row, sheet=sheet or ws.title,
                last_row=next_row - 1, last_column=get_column_letter(max(ws.max_column, 1)),
                scale=scale)
    return PrintLayout(orientation=orientation, scale=round(scale, 3),
                       widths={c: float(final[j]) for j, c in enumerate(letters)},
                       pages=len(starts), too_wide=too_wide)


def _last_used_row(ws: Worksheet, header_row: int) -> int:
    """The last row holding a value (an empty cell may exist below it: a frozen pane's)."""
    for r in range(ws.max_row, header_row, -1):
        if any(c.value is not None for c in ws[r]):
            return r
    return header_row


#: The name of a sheet's printable view (:func:`_print_view`).
VIEW_SUFFIX = "(打印)"


def _print_view(ws: Worksheet, setup: PrintSetup, *, header_row: int,
                key_columns: Sequence[str], wrap: set[str], widths: dict[str, float],
                notes: Sequence[str], sign_off: Sequence[str] | None, sheet: str | None,
                needs: list[_Column]) -> PrintLayout:
    """A sheet too wide to print at :data:`MIN_PRINT_SCALE`: a printable view of its
    ``key_columns`` (values and formats, rows as on the sheet) goes before it, laid out, with
    the notes and the sign-off; the full sheet stays as it is for data and prints landscape
    across as many pages wide as it needs at :data:`TARGET_PRINT_SCALE`."""
    wb = ws.parent
    name = f"{ws.title[:31 - len(VIEW_SUFFIX)]}{VIEW_SUFFIX}"
    view = wb.create_sheet(name, index=wb.sheetnames.index(ws.title))
    headers = [display_text(c.value) for c in ws[header_row]]
    keep = [headers.index(h) + 1 for h in key_columns if h in headers]
    for r in range(1, ws.max_row + 1):
        for k, j in enumerate(keep, start=1):
            source = ws.cell(row=r, column=j)
            target = view.cell(row=r, column=k, value=source.value)
            if source.has_style:
                target.number_format = source.number_format
                target.font = copy(source.font)
                target.fill = copy(source.fill)
                target.quotePrefix = source.quotePrefix
    view.freeze_panes = ws.freeze_panes
    layout = lay_out_for_print(view, setup, header_row=header_row, wrap=wrap, widths=widths,
                               notes=notes, sign_off=sign_off,
                               sheet=f"{sheet or ws.title}{VIEW_SUFFIX}")
    letters = [get_column_letter(j) for j in range(1, ws.max_column + 1)]
    total = 0.0
    for j, letter in enumerate(letters):
        if not ws.column_dimensions[letter].hidden:
            ws.column_dimensions[letter].width = round(needs[j].minimum, 1)
            total += needs[j].minimum
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            cell.font = _sized(cell.font)
    _page_setup(ws, setup, "landscape", header_row=header_row, sheet=sheet or ws.title,
                last_row=ws.max_row, last_column=letters[-1], scale=TARGET_PRINT_SCALE)
    full = _printable_width("landscape") / TARGET_PRINT_SCALE
    ws.page_setup.fitToWidth = max(1, math.ceil(total / full))
    return PrintLayout(orientation=layout.orientation, scale=layout.scale,
                       widths=layout.widths, pages=layout.pages, too_wide=layout.too_wide,
                       view=name)


def _page_starts(ws: Worksheet, header_row: int, last_row: int, orientation: str,
                 scale: float) -> list[int]:
    """The first row of each printed page (an estimate from the row heights: the program
    printing may break a row or two apart from it)."""
    paper = A4_POINTS[1] if orientation == "portrait" else A4_POINTS[0]
    height = (paper - 72 * (MARGINS["top"] + MARGINS["bottom"])) / max(scale, 0.01)

    def row_height(r: int) -> float:
        return ws.row_dimensions[r].height or LINE_HEIGHT

    repeated = sum(row_height(r) for r in range(1, header_row + 1))
    starts, used = [1], repeated
    for r in range(header_row + 1, last_row + 1):
        h = row_height(r)
        if used + h > height and used > repeated:
            starts.append(r)
            used = repeated
        used += h
    return starts


def _sized(font: Font, *, bold: bool | None = None, size: float = BODY_SIZE) -> Font:
    """``font`` in the body face at ``size`` (bold kept unless given)."""
    return Font(name=BODY_FONT_NAME, size=size, bold=font.b if bold is None else bold,
                italic=font.i, color=font.color, underline=font.u)


def _row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING)


def _merge_across(ws: Worksheet, row: int, n_cols: int) -> None:
    merged = any(r.min_row <= row <= r.max_row for r in ws.merged_cells.ranges)
    if not merged and n_cols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)


def _style_title_row(ws: Worksheet, row: int, n_cols: int, width: float) -> None:
    """A title row above the table: merged across, bold, :data:`TITLE_SIZE`, wrapped."""
    _merge_across(ws, row, n_cols)
    cell = ws.cell(row=row, column=1)
    cell.font = Font(name=BODY_FONT_NAME, size=TITLE_SIZE, bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    lines = wrapped_lines(display_text(cell.value), width * BODY_SIZE / TITLE_SIZE)
    ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT,
                                        lines * LINE_HEIGHT * TITLE_SIZE / BODY_SIZE
                                        + ROW_PADDING)


def _write_note(ws: Worksheet, row: int, text: str, n_cols: int, width: float) -> None:
    """A line of text under the table, across its printed width, wrapped."""
    cell = write_cell(ws, row, 1, text)
    cell.font = Font(name=BODY_FONT_NAME, size=BODY_SIZE)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    _merge_across(ws, row, n_cols)
    ws.row_dimensions[row].height = _row_height(wrapped_lines(text, width))


def _page_setup(ws: Worksheet, setup: PrintSetup, orientation: str, *, header_row: int,
                sheet: str, last_row: int, last_column: str, scale: float) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages long as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.print_title_rows = f"1:{header_row}"
    ws.print_area = f"A1:{last_column}{max(last_row, 1)}"
    # Both programs shrink the header and footer with the sheet (LibreOffice whatever the
    # file says): they are set larger by the scale, to print at their sizes.
    ws.HeaderFooter.scaleWithDoc = True
    ws.HeaderFooter.alignWithMargins = True
    title_size, detail_size = (math.ceil(size / min(scale, 1.0))
                               for size in (PAGE_HEADER_SIZE, PAGE_DETAIL_SIZE))
    header = setup.header_text(sheet).replace("&", "&&")
    first, _, rest = header.partition("\n")
    ws.oddHeader.center.text = (f"{first}\n&\"{BODY_FONT_NAME},Regular\"&{detail_size} {rest}"
                                if rest else first)
    ws.oddHeader.center.font = f"{BODY_FONT_NAME},Bold"
    ws.oddHeader.center.size = title_size
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.font = f"{BODY_FONT_NAME},Regular"
    ws.oddFooter.center.size = detail_size


def add_choice_list(ws: Worksheet, column: int, first_row: int, last_row: int,
                    choices: Sequence[str], *, title: str, prompt: str) -> DataValidation:
    """A drop-down list (数据验证) of ``choices`` on ``column`` rows ``first_row``–``last_row``;
    anything else is refused with a message naming the choices."""
    letter = get_column_letter(column)
    listed = ",".join(choices)
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True,
                                showDropDown=False, showErrorMessage=True,
                                showInputMessage=True)
    validation.errorTitle = f"{title}无效"
    validation.error = f"请从下拉列表中选择:{'、'.join(choices)}。"
    validation.promptTitle = title
    validation.prompt = prompt
    ws.add_data_validation(validation)
    if last_row >= first_row:
        validation.add(f"{letter}{first_row}:{letter}{last_row}")
    return validation


def write_sign_off(ws: Worksheet, row: int, labels: Sequence[str] = ("检查人", "复核人", "日期"),
                   *, column: int = 1) -> int:
    """A sign-off block (签字栏) from ``row``: each label, then a boxed empty space to sign in;
    returns the next free row.

    The label and the box span as many columns as they need at the sheet's current widths (the
    label about five characters, the box about fifteen), so call it once widths are set.
    """
    def span(first: int, width: float) -> int:
        last, total = first, 0.0
        while True:
            total += ws.column_dimensions[get_column_letter(last)].width or 8.43
            if total >= width:
                return last
            last += 1

    widest = max((text_width(f"{label}:") for label in labels), default=0.0)
    label_end = span(column, widest * 1.1 + CELL_PADDING)  # the boxes line up
    for i, label in enumerate(labels):
        r = row + i
        title = ws.cell(row=r, column=column, value=f"{label}:")
        title.font = HEADER_FONT
        title.alignment = Alignment(vertical="center")
        if label_end > column:
            ws.merge_cells(start_row=r, start_column=column, end_row=r, end_column=label_end)
        box_end = span(label_end + 1, 30.0)
        for j in range(label_end + 1, box_end + 1):
            ws.cell(row=r, column=j).border = BOX
        if box_end > label_end + 1:
            ws.merge_cells(start_row=r, start_column=label_end + 1, end_row=r, end_column=box_end)
        ws.row_dimensions[r].height = 28
    return row + len(labels)
