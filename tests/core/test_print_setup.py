"""core.workbooks.PrintSetup: widths, row heights, orientation, scale, header and sign-off.

What the layout decides, read back from the written workbook (no printing program: the PDFs
are checked in test_workbook_printing.py).
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from postloan_audit.core import workbooks as wbk
from postloan_audit.core.workbooks import PrintSetup, new_workbook, save_workbook, write_table

SETUP = PrintSetup("现场检查工作底稿", ("被查机构:城关支行", "数据日期:2026-09-30", "随机种子:7"))


def _sheet(frame: pd.DataFrame, **options):
    wb = new_workbook()
    ws = wb.create_sheet("清单")
    write_table(ws, frame)
    layout = SETUP.apply(ws, **options)
    return wb, ws, layout


def _reloaded(wb):
    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())), buffer.getvalue()


@pytest.mark.parametrize(("text", "width"), [("借据号", 6), ("ABC", 3.75), ("12,345.00", 9),
                                             ("“检查”—", 10), ("", 0)])
def test_text_width_counts_chinese_double(text, width):
    assert wbk.text_width(text) == width
    assert wbk.text_widths(pd.Series([text, f"{text}\n短"]))[0] == width


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("一二三四五六七八九十", 13.0, 2),        # six characters a line (12 units of 12)
    ("一二三四五六", 13.0, 1),
    ("一二\n三四", 13.0, 2),                  # line breaks count
    ("alpha beta gamma delta", 13.0, 2),      # words stay whole
    ("x" * 30, 13.0, 3),                      # a word longer than the line breaks
])
def test_wrapped_lines(text, width, lines):
    assert wbk.wrapped_lines(text, width) == lines


def test_a_narrow_table_prints_portrait_at_full_size_with_its_header_on_every_page():
    wb, ws, layout = _sheet(pd.DataFrame({"配额": ["正常类", "关注类"], "户数": [3, 4]}))
    assert (layout.orientation, layout.scale, layout.too_wide) == ("portrait", 1.0, False)
    book, data = _reloaded(wb)
    ws = book["清单"]
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.print_title_rows == "$1:$1" and ws.print_area == "'清单'!$A$1:$B$3"
    title, details = ws.oddHeader.center.text.split("\n")
    assert title == "现场检查工作底稿 · 清单"
    assert details.split() == ["被查机构:城关支行", "数据日期:2026-09-30", "随机种子:7"]
    assert ws.oddFooter.center.text == "第 &P 页,共 &N 页"
    # room for the two header lines below the header margin, above the first row
    assert ws.page_margins.top - ws.page_margins.header >= 0.6
    # the header's line break is written as one (LibreOffice prints _x000a_ as it is)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"_x000a_" not in sheet_xml.lower() and "清单\n".encode() in sheet_xml


def test_every_cell_gets_the_body_font_and_a_bold_header():
    wb, ws, _ = _sheet(pd.DataFrame({"客户名称": ["甲", None], "余额": [1.5, 2.0]}))
    assert {(c.font.name, c.font.sz, bool(c.font.b)) for c in ws[1]} == {("Arial", 11, True)}
    assert {(c.font.name, c.font.sz) for row in ws.iter_rows(min_row=2) for c in row} == {
        ("Arial", 11)}


def test_long_text_wraps_and_its_row_is_as_high_as_its_lines():
    item = "客户基本信息:借款人名称、机构代码、税务代码、注册金额、注册地址、经营范围、法定代表人是否发生变化"
    wb, ws, layout = _sheet(pd.DataFrame({"序号": [1, 2], "检查项目": [item, "短"]}),
                            widths={"检查项目": 25.0})
    assert ws.column_dimensions["B"].width == 25.0
    assert ws["B2"].alignment.wrap_text is True and ws["B2"].alignment.vertical == "top"
    lines = wbk.wrapped_lines(item, 25.0)
    assert lines == 5  # 49 Chinese characters, twelve a line
    assert ws.row_dimensions[2].height == lines * wbk.LINE_HEIGHT + wbk.ROW_PADDING
    assert ws.row_dimensions[3].height == wbk.LINE_HEIGHT + wbk.ROW_PADDING


def test_a_wide_table_prints_landscape_no_smaller_than_the_floor():
    frame = pd.DataFrame({f"列{j}": ["甲乙丙丁戊己庚辛"] * 3 for j in range(12)})
    _, ws, layout = _sheet(frame)
    assert layout.orientation == "landscape"
    assert wbk.MIN_PRINT_SCALE <= layout.scale < 1 and not layout.too_wide
    assert ws.page_setup.orientation == "landscape"


def test_a_sheet_too_wide_gets_a_printable_view_of_its_key_columns():
    frame = pd.DataFrame({f"列{j:02d}": ["甲乙丙丁戊己庚辛壬癸"] * 3 for j in range(30)})
    wb, ws, layout = _sheet(frame, key_columns=["列00", "列05"], sign_off=("检查人", "复核人"))
    assert layout.view == "清单(打印)" and not layout.too_wide
    assert wb.sheetnames == ["清单(打印)", "清单"]
    view = wb["清单(打印)"]
    assert [c.value for c in view[1]][:2] == ["列00", "列05"] and view.max_column <= 5
    assert [view.cell(row=r, column=1).value for r in (6, 7)] == ["检查人:", "复核人:"]
    assert ws.max_column == 30 and ws.cell(row=6, column=1).value is None  # data kept whole
    assert int(ws.page_setup.fitToWidth) > 1  # printed across pages, not shrunk
    _, _, alone = _sheet(frame)
    assert alone.too_wide and alone.view is None


def test_the_sign_off_block_is_kept_on_one_page():
    frame = pd.DataFrame({"序号": range(1, 37), "说明": ["一行"] * 36})
    _, ws, layout = _sheet(frame, sign_off=("检查人", "复核人", "日期"))
    # 36 rows leave room for one line of the block on the first page: it starts the second
    assert [b.id for b in ws.row_breaks.brk] == [38] and layout.pages == 2
    assert [ws.cell(row=r, column=1).value for r in (39, 40, 41)] == ["检查人:", "复核人:", "日期:"]
    _, ws, layout = _sheet(frame.iloc[:30], sign_off=("检查人", "复核人", "日期"))
    assert list(ws.row_breaks.brk) == [] and layout.pages == 1


def test_title_rows_and_notes_span_the_printed_width():
    wb = new_workbook()
    ws = wb.create_sheet("到期提示表")
    ws.cell(row=1, column=1, value="2026年10月贷款到期提示表")
    write_table(ws, pd.DataFrame({"借据号": ["A1"], "余额": [1.0]}), start_row=2, freeze=False)
    PrintSetup("到期提示表").apply(ws, header_row=2, notes=["依据:《贷后管理工作计划》篇四 3"])
    assert ws.print_title_rows == "$1:$2"
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:B1", "A5:B5"}
    assert ws["A1"].font.sz == wbk.TITLE_SIZE and ws["A5"].alignment.wrap_text
