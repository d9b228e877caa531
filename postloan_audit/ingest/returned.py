"""Reading workbooks that come back from the branches (回传工作簿): the filled findings workbook
and the filled on-site workpaper.

Like :mod:`~postloan_audit.ingest.loader`, this is file access and nothing else: a sheet is
read with python-calamine into a frame of Python objects with its header row as column names
and the spreadsheet row number of every data row in ``excel_row``, so that every message about
a returned row can name it. What the values mean is decided by the audit trail.
"""

from __future__ import annotations

import io

import pandas as pd

from postloan_audit.core.errors import ExtractError
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
    import python_calamine

    data, name = read_source(source, filename)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        present = list(workbook.sheet_names)
        missing = [s for s in sheets if s not in present]
        if missing:
            raise ExtractError(
                f"文件 {name} 缺少工作表「{'」「'.join(missing)}」,请上传由本系统导出并填写的工作簿。"
                f" / {name} lacks the sheet(s) {', '.join(missing)}: upload the workbook this "
                "system exported, filled in.", source_name=name, sheet=missing[0],
                problem="missing_sheet")
        raw = {s: workbook.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in sheets}
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise ExtractError(
            f"无法打开 Excel 文件 {name}(文件可能已损坏、加密或不是 Excel 格式):{exc}。"
            f" / Cannot open the workbook {name} (damaged, encrypted or not Excel): {exc}.",
            source_name=name, problem="unreadable") from None
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
