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

:func:`set_print_layout`, :func:`add_choice_list` and :func:`write_sign_off` make a sheet fit
to print and carry (A4 landscape, fit to width, repeated header rows, a header and page
numbers; drop-down lists; a sign-off block).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from os import PathLike
from typing import IO, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FONT = Font(bold=True)
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
    """An empty workbook (its default sheet removed)."""
    wb = Workbook()
    wb.remove(wb.active)
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
    if deterministic:
        data = _normalise_zip(data, stamp)
    if hasattr(target, "write"):
        target.write(data)
    else:
        with open(target, "wb") as handle:
            handle.write(data)


def _normalise_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Rewrite a zip with fixed entry timestamps and a modified time in docProps/core.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute,
                 stamp.second)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _fix_core_dates(payload, iso)
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

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def set_print_layout(ws: Worksheet, *, header: str, title_rows: str | None = "1:1",
                     landscape: bool = True, wrap_columns: Sequence[int] = (),
                     wrap_width: int | None = None) -> None:
    """Make ``ws`` print as a bank workpaper: A4, landscape, fit to one page wide, the
    ``title_rows`` repeated on every page, ``header`` at the top of each page (e.g. branch,
    data date, seed) and 「第 N 页,共 M 页」 at the bottom. ``wrap_columns`` (1-based) wrap
    their text (at ``wrap_width`` characters when given) so that long items stay readable.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages long as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddHeader.center.text = header
    ws.oddHeader.center.size = 10
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.oddFooter.center.size = 9
    for j in wrap_columns:
        letter = get_column_letter(j)
        if wrap_width is not None:
            ws.column_dimensions[letter].width = wrap_width
        for (cell,) in ws.iter_rows(min_col=j, max_col=j):
            cell.alignment = Alignment(wrap_text=True, vertical="top")


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
    """A sign-off block (签字栏) from ``row``: each label with a boxed empty space (three
    merged cells) to sign in; returns the next free row."""
    for i, label in enumerate(labels):
        r = row + i
        title = ws.cell(row=r, column=column, value=f"{label}:")
        title.font = HEADER_FONT
        for j in range(column + 1, column + 4):
            ws.cell(row=r, column=j).border = BOX
        ws.merge_cells(start_row=r, start_column=column + 1, end_row=r, end_column=column + 3)
        ws.row_dimensions[r].height = 28
    return row + len(labels)
