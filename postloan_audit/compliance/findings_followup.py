"""The 整改情况 columns of the findings workbook (问题清单的整改情况栏).

A branch fills them in and the head office uploads the workbook back (see
:mod:`postloan_audit.trail.exchange`): 整改状态 (a drop-down of the follow-up statuses), 整改措施,
完成日期, 责任人, and a hidden 整改键 column naming the run and the finding's stable key, by which
the returned rows are matched and checked (``001_…`` 篇四 下发限期整改通知书,督促限期整改).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from postloan_audit.core.workbooks import DATE_FORMAT, HEADER_FILL, HEADER_FONT, write_cell

#: Headers of the follow-up columns, in order; the last one is hidden.
FOLLOWUP_HEADERS: tuple[str, ...] = ("整改状态", "整改措施", "完成日期", "责任人", "整改键")
#: Header of the hidden key column.
KEY_HEADER = "整改键"


@dataclass(frozen=True)
class FollowupColumns:
    """What goes into the 整改情况 columns, one row per finding in the findings' order.

    Attributes
    ----------
    values:
        ``key`` (``run id#stable key``), ``status``, ``measures``, ``completed_on``,
        ``responsible``.
    statuses:
        The drop-down's choices.
    """

    values: pd.DataFrame
    statuses: tuple[str, ...]


def add_followup_columns(ws, first_column: int, columns: FollowupColumns) -> None:
    """Append the 整改情况 columns to a written findings table (header in row 1)."""
    v = columns.values.reset_index(drop=True)
    fields = ("status", "measures", "completed_on", "responsible", "key")
    for j, title in enumerate(FOLLOWUP_HEADERS):
        cell = write_cell(ws, 1, first_column + j, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    data = v[list(fields)].astype(object).where(v[list(fields)].notna(), None).to_numpy()
    for i, row in enumerate(data, start=2):
        for j, value in enumerate(row):
            write_cell(ws, i, first_column + j, value,
                       DATE_FORMAT if fields[j] == "completed_on" else None)
    status_col = get_column_letter(first_column)
    last_row = max(len(v) + 1, 2)
    rule = DataValidation(type="list", formula1='"' + ",".join(columns.statuses) + '"',
                          allow_blank=True, showErrorMessage=True,
                          errorTitle="整改状态", error="请从下拉列表中选择整改状态")
    rule.add(f"{status_col}2:{status_col}{last_row}")
    ws.add_data_validation(rule)
    for j, width in enumerate((16, 40, 12, 12)):
        ws.column_dimensions[get_column_letter(first_column + j)].width = width
    ws.column_dimensions[get_column_letter(first_column + len(fields) - 1)].hidden = True
    if ws.auto_filter.ref:
        ws.auto_filter.ref = f"A1:{get_column_letter(first_column + len(fields) - 1)}{len(v) + 1}"
