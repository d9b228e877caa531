"""Reading a workpaper the user filled in and uploaded (回传的工作底稿).

The bytes come from :func:`~postloan_audit.ingest.source.read_source` (the one module that
opens input files), the rows from :func:`~postloan_audit.ingest.sheets.open_workbook`. It returns
the named sheet as a frame of cells (the header row as column names) with ``row``, the
spreadsheet row number, so that a message can say where a value is wrong. Interpreting the
columns is the caller's business.
"""

from __future__ import annotations

import pandas as pd

from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.ingest.sheets import UnreadableWorkbook, open_workbook
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
    data, name = read_source(source, filename)
    try:
        workbook = open_workbook(data)
        names = workbook.sheet_names
        rows = workbook.rows(sheet) if sheet in names else None
    except UnreadableWorkbook as exc:
        raise ExtractError.from_facts(Problem.UNREADABLE, "workpaper", source_name=name,
                                      error=str(exc)) from None
    if rows is None:
        raise ExtractError.from_facts(Problem.NO_LOANS_SHEET, "workpaper_sheet", source_name=name,
                                      sheet=sheet, sheets=names)
    if len(rows) < header_row:
        raise ExtractError.from_facts(Problem.EMPTY, "workpaper_sheet", source_name=name,
                                      sheet=sheet)
    header = [str(v).strip() if v not in (None, "") else f"列{j + 1}"
              for j, v in enumerate(rows[header_row - 1])]
    body = pd.DataFrame(rows[header_row:], columns=header, dtype=object)
    body.insert(len(body.columns), "row", range(header_row + 1, header_row + 1 + len(body)))
    cells = body.drop(columns="row")
    blank = cells.isna() | cells.astype(str).apply(lambda c: c.str.strip() == "")
    return body[~blank.all(axis=1)].reset_index(drop=True)
