"""Reading a filled workpaper back (:func:`postloan_audit.ingest.workpapers.read_workpaper_sheet`)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from postloan_audit.core.errors import ExtractError
from postloan_audit.ingest.workpapers import read_workpaper_sheet


def _book(rows, title="样本") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_rows_keep_their_spreadsheet_numbers_and_blank_rows_are_skipped(tmp_path):
    data = _book([["借据号", "是否偏差(是/否)"], ["L1", "是"], [None, None], ["L3", "否"]])
    path = tmp_path / "底稿.xlsx"
    path.write_bytes(data)
    for source in (data, io.BytesIO(data), path):
        sheet = read_workpaper_sheet(source, "样本")
        assert sheet.to_dict("list") == {"借据号": ["L1", "L3"], "是否偏差(是/否)": ["是", "否"],
                                         "row": [2, 4]}


def test_a_missing_sheet_names_the_sheets_found():
    with pytest.raises(ExtractError, match=re.escape("工作底稿 回传.xlsx 中没有「样本」工作表(现有:Sheet)")):
        read_workpaper_sheet(_book([["a"]], title="Sheet"), "样本", filename="回传.xlsx")


def test_a_file_that_is_not_a_workbook_gets_a_message():
    with pytest.raises(ExtractError, match="无法打开工作底稿 上传文件"):
        read_workpaper_sheet(b"plain text, not a workbook", "样本")


def test_an_empty_sheet_is_reported():
    with pytest.raises(ExtractError, match="「样本」工作表是空的"):
        read_workpaper_sheet(_book([]), "样本")
