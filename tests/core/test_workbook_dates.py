"""Every date cell of every workbook the package writes has a date format.

Excel shows a date written without one as a bare serial number (46295, 46357.795), so each
workbook is written from the bundled samples, opened with openpyxl, and every cell under a
date heading (a column header, or the 项目 of a parameter sheet, naming 日期 / 时间 / 检查日)
must hold a date (openpyxl reads a number with a date format as a datetime), never a
number; and every date read back carries a date format.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles.numbers import is_date_format

import postloan_audit as pa
from postloan_audit.compliance.findings_workbook import write_findings_workbook
from postloan_audit.portfolio.management import build_view, write_management_workbook
from postloan_audit.supervision.workpaper import write_sample_workpaper

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_extracts"
DATE_LABEL = re.compile(r"日期|时间|检查日$|as_of|created")


def _workbooks() -> dict[str, bytes]:
    branch = pa.load_extract(SAMPLES / "branch_chengguan_20260930.xlsx")
    before = pa.load_extract(SAMPLES / "network_snapshot_20260630.xlsx")
    after = pa.load_extract(SAMPLES / "network_snapshot_20260930.xlsx")
    books: dict[str, bytes] = {}
    buffer = io.BytesIO()
    write_sample_workpaper(pa.draw_sample(branch, seed=7), buffer)
    books["现场检查工作底稿"] = buffer.getvalue()
    buffer = io.BytesIO()
    write_findings_workbook(pa.run_checks(branch, as_of=branch.as_of), buffer)
    books["问题清单"] = buffer.getvalue()
    buffer = io.BytesIO()
    write_management_workbook(build_view(after, before), buffer, user="zhang.san")
    books["管理层看板数据"] = buffer.getvalue()
    for path in sorted(SAMPLES.glob("*.xlsx")):
        books[path.name] = path.read_bytes()
    return books


BOOKS = _workbooks()


def _date_cells(ws):
    """(label, cell) of every cell under a date heading."""
    rows = list(ws.iter_rows())
    if not rows:
        return
    header_row = next((i for i, row in enumerate(rows[:3])
                       if sum(c.value is not None for c in row) >= 2), 0)
    headers = [str(c.value or "") for c in rows[header_row]]
    key_value = headers[:2] == ["项目", "内容"]
    for row in rows[header_row + 1:]:
        for j, cell in enumerate(row):
            label = str(row[0].value or "") if key_value and j == 1 else (
                headers[j] if j < len(headers) and not key_value else "")
            if label and DATE_LABEL.search(label):
                yield label, cell


@pytest.mark.parametrize("name", list(BOOKS))
def test_every_date_cell_has_a_date_format(name):
    book = openpyxl.load_workbook(io.BytesIO(BOOKS[name]))
    checked = 0
    for ws in book.worksheets:
        for label, cell in _date_cells(ws):
            value = cell.value
            assert not (isinstance(value, int | float) and not isinstance(value, bool)), (
                f"{name} {ws.title}!{cell.coordinate} ({label}) is the bare number {value!r}")
            if isinstance(value, dt.datetime):
                checked += 1
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    assert is_date_format(cell.number_format), (name, ws.title, cell.coordinate)
    assert checked > 0, f"{name}: no date cell found"


def test_the_findings_provenance_dates_are_dates():
    ws = openpyxl.load_workbook(io.BytesIO(BOOKS["问题清单"]))["参数"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    assert cells["检查日期 as_of"].value == dt.datetime(2026, 9, 30)
    assert cells["检查日期 as_of"].number_format == "yyyy-mm-dd"
    assert isinstance(cells["生成时间 created"].value, dt.datetime)
    assert cells["生成时间 created"].number_format == "yyyy-mm-dd hh:mm:ss"
