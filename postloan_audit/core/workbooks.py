"""Writing workbooks (工作底稿) with openpyxl: one place for formatting and safety.

Every workbook the package writes (sampling workpaper, findings workbook, generated sample
extracts) goes through these helpers so that they look alike and share two guarantees:

* cell text that starts with ``=``, ``+``, ``-`` or ``@`` is stored as literal text (with
  Excel's quote prefix), never as a formula (formula injection, CWE-1236);
* :func:`save_workbook` can write byte-identical files for identical content (fixed document
  properties and zip timestamps), which ``make sample-extracts`` relies on.
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
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
AMOUNT_FORMAT = "#,##0.00"
INT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
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
        cell.number_format = number_format or DATE_FORMAT
    elif number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


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
