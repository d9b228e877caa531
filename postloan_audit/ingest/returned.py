"""Reading workbooks that come back from the branches (回传工作簿): the filled findings workbook
and the filled on-site workpaper.

Reading and nothing else: the bytes come from :func:`~postloan_audit.ingest.source.read_source`,
a sheet's rows from :func:`~postloan_audit.ingest.sheets.open_workbook` (python-calamine), into a
frame of Python objects with its header row as column names and the spreadsheet row number of
every data row in ``excel_row``, so that every message about a returned row can name it. What
the values mean is decided by the audit trail.
"""

from __future__ import annotations

import pandas as pd

from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.ingest.sheets import UnreadableWorkbook, open_workbook
from postloan_audit.ingest.source import Source, read_source

#: Name of the column holding each data row's spreadsheet row number.
ROW_COLUMN = "excel_row"


def read_returned_sheets(source: Source, sheets: tuple[str, ...], *,
                         filename: str | None = None, tables: tuple[str, ...] = (),
                         ) -> tuple[dict[str, pd.DataFrame], str, bytes]:
    """The named sheets of a returned workbook, header row 1, plus the file name and bytes.

    Parameters
    ----------
    source:
        A path, the file's bytes or a binary buffer.
    sheets:
        Sheet names that must all be present.
    filename:
        The name to use in messages (an upload's name).
    tables:
        Sheets holding one contiguous table: its rows end at the first blank row (what follows,
        such as the sign-off lines under a checklist, is not data).

    Returns
    -------
    (frames, name, data)
        ``frames[sheet]``: one row per non-empty spreadsheet row below the header, columns as
        in the header plus :data:`ROW_COLUMN`; ``name``: the file name; ``data``: the bytes
        (for a fingerprint).

    Raises
    ------
    ExtractError
        The file is not a readable workbook, or a sheet is missing (the message names it).
    """
    data, name = read_source(source, filename)
    try:
        workbook = open_workbook(data)
        missing = [s for s in sheets if s not in workbook.sheet_names]
        if missing:
            raise ExtractError.from_facts(Problem.MISSING_SHEET, "returned", source_name=name,
                                          sheet=missing[0], missing=missing)
        raw = {s: workbook.rows(s) for s in sheets}
    except UnreadableWorkbook as exc:
        raise ExtractError.from_facts(Problem.UNREADABLE, "returned_workbook", source_name=name,
                                      error=str(exc)) from None
    frames = {}
    for sheet, rows in raw.items():
        if not rows:
            frames[sheet] = pd.DataFrame({ROW_COLUMN: pd.Series([], dtype="int64")})
            continue
        header = [str(h).strip() if h not in (None, "") else f"列{j + 1}"
                  for j, h in enumerate(rows[0])]
        body = pd.DataFrame(rows[1:], columns=header, dtype=object)
        body = body.replace({"": None})
        body[ROW_COLUMN] = range(2, len(rows) + 1)
        keep = body.drop(columns=[ROW_COLUMN]).notna().any(axis=1).to_numpy().copy()
        if sheet in tables and not keep.all():
            keep[int((~keep).argmax()):] = False
        frames[sheet] = body.loc[keep].reset_index(drop=True)
    return frames, name, data
