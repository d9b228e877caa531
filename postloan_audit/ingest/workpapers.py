"""Reading a workpaper the user filled in and uploaded (回传的工作底稿).

Only this module opens such files. It returns the named sheet as a frame of cells (the header
row as column names) with ``row``, the spreadsheet row number, so that a message can say where
a value is wrong. Interpreting the columns is the caller's business.
"""

from __future__ import annotations

import io

import pandas as pd

from postloan_audit.core.errors import ExtractError
from postloan_audit.ingest.source import Source, read_source


def read_workpaper_sheet(source: Source, sheet: str, *, filename: str | None = None,
                         header_row: int = 1) -> pd.DataFrame:
    """Read ``sheet`` of a filled .xlsx workpaper.

    Parameters
    ----------
    source : path, bytes or binary buffer
        The uploaded workbook.
    sheet : str
        The sheet to read (e.g. ``样本``).
    filename : str, optional
        The name to use in messages (default: the path's name or ``上传文件``).
    header_row : int, default 1
        The spreadsheet row holding the column titles.

    Returns
    -------
    DataFrame
        One row per non-empty row below the header; columns are the header titles plus
        ``row`` (spreadsheet row number).

    Raises
    ------
    ExtractError
        The file cannot be opened as a workbook or lacks the sheet (message in Chinese first).
    """
    import python_calamine

    data, name = read_source(source, filename)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        rows = (workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                if sheet in names else None)
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise ExtractError(
            f"无法打开工作底稿 {name}(文件可能已损坏或不是 Excel 格式):{exc}。请上传下载的 .xlsx 底稿。"
            f" / Cannot open the workpaper {name} (damaged or not Excel): {exc}.",
            source_name=name, problem="unreadable") from None
    if rows is None:
        raise ExtractError(
            f"工作底稿 {name} 中没有「{sheet}」工作表(现有:{'、'.join(names)})。请上传本系统下载的底稿。"
            f" / The workpaper {name} has no sheet {sheet!r} (found: {', '.join(names)}).",
            source_name=name, sheet=sheet, problem="no_loans_sheet")
    if len(rows) < header_row:
        raise ExtractError(
            f"工作底稿 {name} 的「{sheet}」工作表是空的。 / Sheet {sheet!r} of {name} is empty.",
            source_name=name, sheet=sheet, problem="empty")
    header = [str(v).strip() if v not in (None, "") else f"列{j + 1}"
              for j, v in enumerate(rows[header_row - 1])]
    body = pd.DataFrame(rows[header_row:], columns=header, dtype=object)
    body.insert(len(body.columns), "row", range(header_row + 1, header_row + 1 + len(body)))
    cells = body.drop(columns="row")
    blank = cells.isna() | cells.astype(str).apply(lambda c: c.str.strip() == "")
    return body[~blank.all(axis=1)].reset_index(drop=True)
