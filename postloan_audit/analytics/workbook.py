"""The analytics workbook (审计分析工作簿): :func:`write_analytics_workbook`.

One sheet per table, each with a title row and Chinese headers, printed as the package's
workpapers are (:class:`~postloan_audit.core.workbooks.PrintSetup`: A4, orientation by width,
title and header rows repeated on every page, page header with the file and data date, page
numbers), and a 说明 sheet first: what was
analysed (file, fingerprint, data date), when, with which version and parameters, and the
sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.provenance import Provenance
from postloan_audit.core.workbooks import (
    HEADER_FONT,
    PrintSetup,
    Target,
    new_workbook,
    save_workbook,
    write_cell,
    write_key_values,
    write_table,
)

#: Columns shown as percentages.
PERCENT_COLUMNS = ("share", "cumulative_share", "ratio", "limit", "observed_share",
                   "expected_share")
#: Sheet names are at most 31 characters (Excel).
MAX_SHEET_NAME = 31


@dataclass(frozen=True)
class Section:
    """One table of the workbook: the sheet's name, its title row, the table and its Chinese
    headers (column → header; columns without one keep their name), and notes below it."""

    sheet: str
    title: str
    frame: pd.DataFrame
    headers: Mapping[str, str] = field(default_factory=dict)
    notes: Sequence[str] = ()


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans as 是/否 (a printed workpaper says it in words)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column].dtype):
            out[column] = np.where(out[column].to_numpy(dtype=bool), "是", "否")
    return out


def provenance_pairs(provenance: Provenance) -> list[tuple[str, Any]]:
    """The provenance as 说明 lines."""
    return [("数据文件", provenance.source_name or "(未指明)"),
            ("文件指纹(sha256)", provenance.fingerprint or "(无)"),
            ("数据日期", f"{provenance.as_of:%Y-%m-%d}" if provenance.as_of else "(未识别)"),
            ("导出配置", provenance.profile_name or "(无)"),
            ("生成时间", provenance.created_at),
            ("程序版本", provenance.version)]


def write_analytics_workbook(target: Target, sections: Sequence[Section], *,
                             title: str, provenance: Provenance,
                             parameters: Sequence[tuple[str, Any]] = (),
                             sources: Sequence[str] = ()) -> None:
    """Write ``sections`` as the analytics workbook to ``target`` (a path or a binary buffer).

    Parameters
    ----------
    sections:
        The tables, one sheet each (:class:`Section`).
    title:
        The workbook's title, on the 说明 sheet and in every page header.
    provenance:
        What the tables were made from (printed on 说明).
    parameters:
        ``(name, value)`` pairs in force (capital amounts, policy values, limits).
    sources:
        The standards and regulations behind the analyses.
    """
    wb = new_workbook()
    about = wb.create_sheet("说明")
    pairs = [("标题", title), *provenance_pairs(provenance), *parameters]
    pairs += [("依据", s) for s in sources]
    write_key_values(about, pairs)
    details = [f"文件:{provenance.source_name}" if provenance.source_name else "",
               f"数据日期:{provenance.as_of:%Y-%m-%d}" if provenance.as_of else ""]
    setup = PrintSetup(title, [d for d in details if d])
    setup.apply(about)
    used: set[str] = {"说明"}
    for section in sections:
        name = section.sheet[:MAX_SHEET_NAME]
        while name in used:
            name = name[:MAX_SHEET_NAME - 1] + "_"
        used.add(name)
        ws = wb.create_sheet(name)
        frame = _shown(section.frame)
        headers = [section.headers.get(c, str(c)) for c in frame.columns]
        cell = write_cell(ws, 1, 1, section.title)
        cell.font = HEADER_FONT
        formats = {c: "0.00%" for c in frame.columns if c in PERCENT_COLUMNS}
        write_table(ws, frame, headers=headers, start_row=2, freeze=False,
                    autofilter=bool(len(frame)), number_formats=formats)
        ws.freeze_panes = ws.cell(row=3, column=1)
        # the notes are laid out by the print set-up, below the table
        notes = list(section.notes) or ([] if len(frame) else ["(无)"])
        setup.apply(ws, header_row=2, notes=notes, sheet=name)
    save_workbook(wb, target)
