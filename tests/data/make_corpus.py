"""Regenerate the bad-input corpus under tests/data/ (run: python tests/data/make_corpus.py).

Each file is one kind of messy or broken export a bank user may hand the loader; the tests in
tests/ingest/test_loader_corpus.py pin the exact outcome for each. The files are committed; this
script documents how they were made.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADER = "借据号,客户号,客户名称,经营机构,贷款余额,五级分类,担保方式"


def csv(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def xlsx(name: str, sheets: dict[str, list[list]], *, hidden: tuple[str, ...] = (),
         merges: dict[str, list[str]] | None = None, cells: dict[str, dict[str, object]] | None = None,
         directory: Path = HERE) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for ref, value in ((cells or {}).get(title) or {}).items():
            ws[ref] = value
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
    wb.save(directory / name)
    return directory / name


ROW1 = ["L001", "C001", "张三", "城关支行", 1000, "正常", "信用"]
ROW2 = ["L002", "C002", "李四", "城关支行", 2000, "关注", "抵押"]


def far_cell_workbook(directory: Path, name: str = "far_cell.xlsx") -> Path:
    """A tiny ledger plus one stray cell in XFD1048576 (the last cell of a sheet)."""
    return xlsx(name, {"贷款台账": [HEADER.split(","), ROW1, ROW2]},
                cells={"贷款台账": {"XFD1048576": "备注"}}, directory=directory)


def stray_note_ledger(directory: Path, loans: int = 20_000,
                      name: str = "stray_note_ledger.xlsx") -> Path:
    """A 20,000-row ledger with a note typed into XFD1 (used range 20,001 × 16,384)."""
    rows = [HEADER.split(",")] + [
        [f"L{i:06d}", f"C{i:06d}", f"客户{i}", f"支行{i % 7}", 1000 + i, "正常", "信用"]
        for i in range(loans)]
    return xlsx(name, {"贷款台账": rows}, cells={"贷款台账": {"XFD1": "核对人:王五"}},
                directory=directory)


def zip_bomb(directory: Path, inflated_mib: int = 1024, name: str = "zip_bomb.xlsx") -> Path:
    """A workbook whose sheet XML inflates from a few MB to ``inflated_mib`` MiB of rows."""
    path = directory / name
    base = io.BytesIO()  # a real minimal workbook to graft the bomb onto
    wb = Workbook()
    wb.active.title = "贷款台账"
    wb.active.append(HEADER.split(","))
    wb.save(base)
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, src.read(info.filename))
                continue
            with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                            b'<sheetData>')
                block = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
                chunk = block * 1024
                for _ in range(inflated_mib * 1024 * 1024 // len(chunk)):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return path


def encrypted_workbook(directory: Path, name: str = "encrypted.xlsx") -> Path:
    """The shape of a password-protected .xlsx: an OLE/CFB file whose directory holds the
    EncryptedInfo and EncryptedPackage streams (MS-OFFCRYPTO), here with empty contents."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1A:0x1C] = (0x3E).to_bytes(2, "little")
    header[0x1C:0x1E] = (0xFFFE).to_bytes(2, "little")
    header[0x1E:0x20] = (9).to_bytes(2, "little")
    directory_sector = bytearray(512)
    for i, entry in enumerate(("Root Entry", "EncryptionInfo", "EncryptedPackage")):
        raw = entry.encode("utf-16-le") + b"\x00\x00"
        directory_sector[i * 128:i * 128 + len(raw)] = raw
        directory_sector[i * 128 + 64:i * 128 + 66] = len(raw).to_bytes(2, "little")
    path = directory / name
    path.write_bytes(bytes(header) + bytes(directory_sector))
    return path


def biff_error_workbook(directory: Path, name: str = "excel_errors_biff.xls") -> Path:
    """A legacy BIFF ``.xls`` (Excel 97–2003) ledger holding Excel error cells (BOOLERR
    records) and a formula whose cached result is an error, written with xlwt (a test-only
    dependency: the package never writes .xls)."""
    import xlrd
    import xlwt

    # xlwt's table of error texts has #VALUE! wrong (it writes #NUM!'s code): pass the BIFF
    # codes themselves (MS-XLS BErr), taken from xlrd's table.
    codes = {text: code for code, text in xlrd.error_text_from_code.items()}
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("贷款台账")
    rows = [
        HEADER.split(",") + ["发放日期", "押品价值"],
        ["L001", "C001", "张三", "城关支行", 1000, "正常", "信用", "2025-01-15", 500],
        ["L002", "C002", "李四", "城关支行", "#N/A", "正常", "信用", "2025-01-15", 500],
        ["L003", "C003", "王五", "城关支行", 3000, "正常", "信用", "#DIV/0!", 500],
        ["L004", "C004", "赵六", "城关支行", 4000, "#REF!", "信用", "2025-01-15", "#VALUE!"],
        ["L005", "C005", "孙七", "城关支行", 5000, "正常", "信用", "2025-01-15",
         xlwt.Formula("SQRT(-1)")],
    ]
    for rowx, row in enumerate(rows):
        for colx, value in enumerate(row):
            if rowx and isinstance(value, str) and value.startswith("#"):
                sheet.row(rowx).set_cell_error(colx, codes[value])
            else:
                sheet.write(rowx, colx, value)
    stream = io.BytesIO()
    book.save(stream)
    # xlwt caches every formula's result as an empty string; Excel caches SQRT(-1) as #NUM!
    # (MS-XLS FormulaValue: byte 0 = 2 error, byte 2 = the BErr code, bytes 6–7 = 0xFFFF).
    empty_result = b"\x03\x00\x00\x00\x00\x00\xff\xff"
    data = stream.getvalue()
    assert data.count(empty_result) == 1
    data = data.replace(empty_result, bytes([2, 0, codes["#NUM!"], 0, 0, 0, 0xFF, 0xFF]))
    (directory / name).write_bytes(data)
    return directory / name


def main() -> None:
    csv("empty.csv", "")
    (HERE / "not_a_workbook.xlsx").write_bytes(b"This is a plain text note, renamed to .xlsx\n")
    csv("header_only.csv", HEADER + "\n")
    csv("missing_required_column.csv",
        "借据号,客户号,客户名称,经营机构,贷款余额,五级分类\n"
        "L001,C001,张三,城关支行,1000,正常\n")
    csv("duplicate_loan_ids.csv", HEADER + "\n"
        "L001,C001,张三,城关支行,1000,正常,信用\n"
        "L002,C002,李四,城关支行,2000,关注,保证\n"
        "L001,C003,王五,城关支行,3000,正常,抵押\n"
        "L001,C001,张三,城关支行,1000,正常,信用\n")
    csv("unparseable_dates.csv", HEADER + ",发放日期,到期日期\n"
        "L001,C001,张三,城关支行,1000,正常,信用,2025-01-15,2026-01-15\n"
        "L002,C002,李四,城关支行,2000,正常,信用,2025-02-30,明年\n"
        "L003,C003,王五,城关支行,3000,正常,信用,15/01/2025,2026-01-15\n")
    csv("negative_balance.csv", HEADER + "\n"
        "L001,C001,张三,城关支行,1000,正常,信用\n"
        "L002,C002,李四,城关支行,-500,正常,信用\n"
        "L003,C003,王五,城关支行,0,正常,信用\n")
    csv("unknown_classification.csv", HEADER + "\n"
        "L001,C001,张三,城关支行,1000,正常,信用\n"
        "L002,C002,李四,城关支行,2000,不良,信用\n"
        "L003,C003,王五,城关支行,3000,6,信用\n"
        "L004,C004,赵六,城关支行,4000,,信用\n")
    xlsx("title_rows.xlsx", {"贷款台账": [
        ["城关支行贷款台账"],
        ["截至2026年9月30日", None, None, "单位:元"],
        HEADER.split(","),
        ["L001", "C001", "张三", "城关支行", 1000, "正常", "信用"],
        ["L002", "C002", "李四", "城关支行", 2000, "关注", "抵押+保证"],
    ]})
    xlsx("total_row.xlsx", {"借据明细": [
        HEADER.split(","),
        ["L001", "C001", "张三", "城关支行", 1000, "正常", "信用"],
        ["L002", "C002", "李四", "城关支行", 2000, "关注", "质押"],
        ["合计", None, None, None, 3000, None, None],
    ]})
    csv("wan_yuan.csv", "借据号,客户号,经营机构,贷款余额（万元）,五级分类,担保方式,押品价值(万元)\n"
        "L001,C001,城关支行,12.5,正常,抵押,30\n"
        "L002,C002,城关支行,\"1,200.25\",次级,保证,\n")
    csv("gbk.csv", HEADER + ",客户类型\n"
        "L001,C001,城关支行建材有限公司,城关支行,1000,正常,保证,对公\n"
        "L002,C002,欧阳娜,城关支行,2000,关注,抵押,个人\n", encoding="gbk")
    csv("mixed_dates.csv", HEADER + ",发放日期\n"
        "L001,C001,张三,城关支行,1000,正常,信用,2026-09-30\n"
        "L002,C002,李四,城关支行,1000,正常,信用,2026/9/30\n"
        "L003,C003,王五,城关支行,1000,正常,信用,2026年9月30日\n"
        "L004,C004,赵六,城关支行,1000,正常,信用,20260930\n"
        "L005,C005,孙七,城关支行,1000,正常,信用,46295\n"
        "L006,C006,周八,城关支行,1000,正常,信用,2026-09-30 14:30:00\n")
    xlsx("excel_serial_dates.xlsx", {"loans": [
        ["loan_id", "borrower_id", "branch", "balance", "classification", "guarantee_type",
         "disbursement_date", "maturity_date"],
        ["L001", "C001", "城关支行", 1000, "normal", "credit", 45658, dt.datetime(2026, 9, 30)],
        ["L002", "C002", "城关支行", 2000, "special mention", "mortgage", 45658.0, 46295],
    ]})
    csv("full_width_digits.csv", HEADER + ",逾期天数\n"
        "L001,C001,张三,城关支行,１２３４．５,正常,信用,０\n"
        "L002,C002,李四,城关支行,\"２，０００元\",关注,信用,１５\n")
    xlsx("no_loans_sheet.xlsx", {"说明": [["本文件为检查说明"], ["无数据"]],
                                 "Sheet2": [["姓名", "电话"], ["张三", "13800000000"]]})
    csv("maturity_before_disbursement.csv", HEADER + ",发放日期,到期日期\n"
        "L001,C001,张三,城关支行,1000,正常,信用,2025-01-15,2026-01-15\n"
        "L002,C002,李四,城关支行,2000,正常,信用,2025-06-30,2025-06-29\n"
        "L003,C003,王五,城关支行,3000,正常,信用,2025-06-30,2025-06-30\n")
    (HERE / "utf8_bom.csv").write_bytes(
        b"\xef\xbb\xbf" + (HEADER + "\nL001,C001,张三,城关支行,1000,正常,信用\n").encode("utf-8"))
    xlsx("blank_rows.xlsx", {"贷款台账": [
        HEADER.split(","),
        ["L001", "C001", "张三", "城关支行", 1000, "正常", "信用"],
        [],
        ["L002", "C002", "李四", "城关支行", 2000, "正常", "信用"],
        [],
    ]})
    csv("sub_grades.csv", HEADER + "\n"
        "L001,C001,甲,城关支行,1,正常一级,信用\n"
        "L002,C002,乙,城关支行,1,关注3,信用\n"
        "L003,C003,丙,城关支行,1,次级类,信用\n"
        "L004,C004,丁,城关支行,1,4,信用\n"
        "L005,C005,戊,城关支行,1,Loss,信用\n"
        "L006,C006,己,城关支行,1,可疑二级,信用\n"
        "L007,C007,庚,城关支行,1,Special_Mention,信用\n")
    csv("guarantee_combinations.csv", HEADER + "\n"
        "L001,C001,甲,城关支行,1,正常,抵押+保证\n"
        "L002,C002,乙,城关支行,1,正常,保证+质押\n"
        "L003,C003,丙,城关支行,1,正常,信用\n"
        "L004,C004,丁,城关支行,1,正常,保证\n"
        "L005,C005,戊,城关支行,1,正常,担保公司保证\n"
        "L006,C006,己,城关支行,1,正常,无\n")
    csv("booleans.csv", HEADER + ",是否借新还旧,是否重组,诉讼\n"
        "L001,C001,甲,城关支行,1,正常,信用,是,Y,1\n"
        "L002,C002,乙,城关支行,1,正常,信用,否,N,0\n"
        "L003,C003,丙,城关支行,1,正常,信用,True,false,\n"
        "L004,C004,丁,城关支行,1,正常,信用,也许,否,否\n")

    real_exports()
    loader_defects()


def real_exports() -> None:
    """Files shaped like real core-system exports and the damage people do to them in Excel."""
    # --- amounts, units, currency
    csv("unit_forms.csv", "借据号,客户号,经营机构,贷款余额（人民币万元）,五级分类,担保方式,押品价值(亿元),"
        "押品初始价值（单位：千元）\n"
        "L001,C001,城关支行,12.5,正常,抵押,0.3,500\n")
    xlsx("unit_title_line.xlsx", {"贷款台账": [
        ["城关支行贷款台账"],
        ["金额单位：万元"],
        ["借据号", "客户号", "经营机构", "贷款余额", "五级分类", "担保方式", "押品价值(元)"],
        ["L001", "C001", "城关支行", 12.5, "正常", "抵押", 300000],
    ]})
    csv("duration_days.csv", HEADER + ",展期期限（天）\n"
        "L001,C001,张三,城关支行,1000,正常,信用,30\n"
        "L002,C002,李四,城关支行,1000,正常,信用,0\n"
        "L003,C003,王五,城关支行,1000,正常,信用,45\n"
        "L004,C004,赵六,城关支行,1000,正常,信用,365\n")
    csv("duration_years.csv", HEADER + ",展期期限(年)\n"
        "L001,C001,张三,城关支行,1000,正常,信用,1\n"
        "L002,C002,李四,城关支行,1000,正常,信用,0.5\n")
    csv("duration_bad_unit.csv", HEADER + ",展期期限（万元）\n"
        "L001,C001,张三,城关支行,1000,正常,信用,3\n")
    csv("infinite_amounts.csv", HEADER + "\n"
        "L001,C001,张三,城关支行,inf,正常,信用\n"
        "L002,C002,李四,城关支行,Infinity,正常,信用\n"
        "L003,C003,王五,城关支行,1e400,正常,信用\n"
        "L004,C004,赵六,城关支行,nan,正常,信用\n"
        "L005,C005,孙七,城关支行,1e5,正常,信用\n")
    csv("currencies.csv", HEADER + ",币种\n"
        "L001,C001,张三,城关支行,1000,正常,信用,人民币\n"
        "L002,C002,李四,城关支行,2000,正常,信用,USD\n"
        "L003,C003,王五,城关支行,3000,正常,信用,156\n"
        "L004,C004,赵六,城关支行,4000,正常,信用,港币\n"
        "L005,C005,孙七,城关支行,5000,正常,信用,美元\n")
    # --- values
    csv("guarantee_words.csv", HEADER + "\n" + "".join(
        f"L{i:03d},C{i:03d},甲,城关支行,1,正常,{word}\n" for i, word in enumerate(
            ["无担保", "信用(无担保)", "免担保", "纯信用", "信用", "保证金", "保证金质押",
             "存单质押", "无抵押", "其他"], start=1)))
    xlsx("excel_errors.xlsx", {"贷款台账": [
        HEADER.split(",") + ["发放日期", "押品价值"],
        ["L001", "C001", "张三", "城关支行", 1000, "正常", "信用", "2025-01-15", 500],
        ["L002", "C002", "李四", "城关支行", "#N/A", "正常", "信用", "2025-01-15", 500],
        ["L003", "C003", "王五", "城关支行", 3000, "正常", "信用", "#DIV/0!", 500],
        ["L004", "C004", "赵六", "城关支行", "=1000*2", "正常", "信用", "2025-01-15", "=D5*2"],
        ["L005", "C005", "孙七", "城关支行", 5000, "正常", "信用", "2025-01-15", "=D6*2"],
    ]})
    csv("excel_errors.csv", HEADER + ",发放日期\n"
        "L001,C001,张三,城关支行,#VALUE!,正常,信用,2025-01-15\n"
        "L002,C002,李四,城关支行,2000,正常,信用,#REF!\n"
        "#NAME?,C003,王五,城关支行,3000,正常,信用,2025-01-15\n")
    xlsx("damaged_ids.xlsx", {"贷款台账": [
        HEADER.split(","),
        ["1.23457E+17", "C001", "张三", "城关支行", 1000, "正常", "信用"],
        [1.2345678901234568e+17, "C002", "李四", "城关支行", 1000, "正常", "信用"],
        [1001, "C003", "王五", "城关支行", 1000, "正常", "信用"],
        ["1.23457E+17", "C004", "赵六", "城关支行", 1000, "正常", "信用"],
    ]})
    csv("quoted_ids.csv", HEADER + "\n"
        '="00123",C001,张三,城关支行,1000,正常,信用\n'
        "'00124,C002,李四,城关支行,1000,正常,信用\n")
    csv("control_characters.csv", HEADER + "\n"
        "L001,C001,张\x00三,城关支行,1000,正常,信用\n"
        "L002,C002,李\x07四\u200b,城关支行,1000,正常,信用\n")
    # --- accounting
    csv("unclosed_quote.csv", HEADER + "\n"
        "L001,C001,张三,城关支行,1000,正常,信用\n"
        'L002,C002,"李四,城关支行,2000,正常,信用\n'
        "L003,C003,王五,城关支行,3000,正常,信用\n"
        "L004,C004,赵六,城关支行,4000,正常,信用\n")
    csv("long_field.csv", HEADER + ",备注\n"
        f"L001,C001,张三,城关支行,1000,正常,信用,\"{'长' * 200_000}\"\n"
        "L002,C002,李四,城关支行,2000,正常,信用,短\n")
    (HERE / "bad_byte.csv").write_bytes(
        (HEADER + "\nL001,C001,张三,城关支行,1000,正常,信用\n").encode("utf-8")
        + "L002,C002,李".encode() + b"\xff" + "四,城关支行,2000,正常,信用\n".encode()
        + "L003,C003,王五,城关支行,3000,正常,信用\n".encode())
    csv("cr_only.csv", HEADER + "\rL001,C001,张三,城关支行,1000,正常,信用\r"
        "L002,C002,李四,城关支行,2000,正常,信用\r")
    xlsx("footers.xlsx", {"贷款台账": [
        ["城关支行贷款台账 截至2026年9月30日"],
        HEADER.split(","),
        ROW1,
        ["城关支行 小计", None, None, None, 1000, None, None],
        ["L002", "C002", "李四", "东街支行", 2000, "正常", "信用"],
        ["Subtotal", None, None, None, 2000, None, None],
        ["本页合计", None, None, None, 3000, None, None],
        ["累计", None, None, None, 3000, None, None],
        ["其中:对公", None, None, None, 0, None, None],
        ["东街支行贷款台账 截至2026年9月30日"],
        HEADER.split(","),
        ["L003", "C003", "王五", "东街支行", 3000, "正常", "信用"],
        [],
        ["制表人:王五", None, None, "复核人:赵六"],
        ["打印时间:2026-10-08 09:30"],
        ["备注:金额单位为元"],
    ]})
    xlsx("branch_sheets.xlsx", {
        "说明": [["本文件按支行分表"]],
        "城关支行": [HEADER.split(","), ROW1, ROW2],
        "东街支行": [HEADER.split(","),
                 ["L003", "C003", "王五", "东街支行", 3000, "正常", "信用"],
                 ["L001", "C009", "重复", "东街支行", 9000, "正常", "信用"]],
        "旧数据": [HEADER.split(","), ["L900", "C900", "旧", "城关支行", 1, "正常", "信用"]],
    }, hidden=("旧数据",))
    xlsx("ledger_named_without_columns.xlsx", {
        "贷款台账": [["请见 Sheet2"], ["本表仅为封面"]],
        "Sheet2": [HEADER.split(","), ROW1],
    })
    xlsx("ledger_named_nowhere.xlsx", {
        "贷款台账": [["借据号", "客户号", "经营机构"], ["L001", "C001", "城关支行"]],
        "Sheet2": [["姓名", "电话"], ["张三", "13800000000"]],
    })
    xlsx("two_level_header.xlsx", {"贷款台账": [
        ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式", "期限", None],
        [None, None, None, None, None, None, None, "发放日期", "到期日期"],
        ["L001", "C001", "张三", "城关支行", 1000, "正常", "信用", "2025-01-15", "2026-01-15"],
        ["L002", "C002", "李四", None, 2000, "正常", "信用", "2025-02-15", "2026-02-15"],
        ["L003", "C003", "王五", None, 3000, "正常", "信用", "2025-03-15", "2026-03-15"],
        ["L004", "C004", "赵六", "东街支行", 4000, "正常", "信用", "2025-04-15", "2026-04-15"],
    ]}, merges={"贷款台账": ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:F2", "G1:G2",
                          "H1:I1", "D3:D5"]})
    (HERE / "invisible_headers.csv").write_bytes(
        b"\xef\xbb\xbf" + ("\ufeff借据号,客\u200b户号,客户名称\u200d,经营机构,贷款余额,五级分类,担保方式\n"
                            "L001,C001,张三,城关支行,1000,正常,信用\n").encode("utf-8"))
    csv("no_header.csv", "这是一份说明\n没有表头\n")
    # --- formats
    html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
            "</head><body><table border=1><tr><td colspan=7>城关支行贷款台账</td></tr><tr>"
            + "".join(f"<th>{h}</th>" for h in HEADER.split(",")) + "</tr>"
            "<tr><td>L001</td><td>C001</td><td>张三</td><td rowspan=2>城关支行</td>"
            "<td>1,000.00</td><td>正常</td><td>信用</td></tr>"
            "<tr><td>L002</td><td>C002</td><td>李四</td><td>2,000.00</td><td>关注</td>"
            "<td>抵押</td></tr></table></body></html>")
    (HERE / "html_table_gbk.xls").write_bytes(html.encode("gbk"))
    (HERE / "html_table_utf8.xls").write_bytes(html.replace("charset=gbk", "charset=utf-8")
                                               .encode("utf-8"))
    rows_xml = "".join(
        "<Row>" + "".join(
            f'<Cell><Data ss:Type="{"Number" if isinstance(v, int) else "String"}">{v}</Data></Cell>'
            for v in row) + "</Row>"
        for row in [HEADER.split(","), ROW1, ROW2])
    (HERE / "xml_spreadsheet_2003.xls").write_bytes((
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        f'<Worksheet ss:Name="贷款台账"><Table>{rows_xml}</Table></Worksheet></Workbook>'
    ).encode())
    (HERE / "tab_separated.xls").write_bytes(
        (HEADER.replace(",", "\t") + "\n" + "\t".join(map(str, ROW1)) + "\n").encode("gbk"))
    (HERE / "unicode_text.txt").write_bytes(
        (HEADER.replace(",", "\t") + "\r\n" + "\t".join(map(str, ROW1)) + "\r\n"
         + "\t".join(map(str, ROW2)) + "\r\n").encode("utf-16"))
    encrypted_workbook(HERE)
    far_cell_workbook(HERE)
    biff_error_workbook(HERE)
    # --- thin data
    xlsx("empty_collections.xlsx", {
        "贷款台账": [HEADER.split(","), ROW1],
        "催收记录": [["借据号", "催收日期", "催收方式"]],
    })



def loader_defects() -> None:
    """Realistic files that the loader once misread (tests/ingest/test_loader_defects.py)."""
    # A UTF-8 export with its last row pasted from a GBK file (the row's bytes are GBK).
    (HERE / "utf8_with_gbk_row.csv").write_bytes(
        (HEADER + "\nL001,C001,张三,城关支行,1000,正常,信用\nL002,C002,李四,城关支行,2000,关注,抵押\n")
        .encode("utf-8") + "L003,C003,王五,东街支行,3000,正常,信用\n".encode("gbk"))
    # A header cell with a line break typed in Excel (Alt+Enter): one quoted cell, two lines.
    csv("header_line_break.csv", "全行贷款台账\n借据号,客户号,客户名称,经营机构,\"贷款余额\n(元)\",五级分类,担保方式\n"
        "L001,C001,张三,城关支行,1000,正常,信用\n"
        "L002,C002,李四,城关支行,-5,关注,抵押\n")
    # Total rows with the word spaced out to centre it (合  计, and a full-width space).
    csv("spaced_total.csv", HEADER + "\nL001,C001,张三,城关支行,1000,正常,信用\n"
        "L002,C002,李四,城关支行,2000,关注,抵押\n"
        ",,,合  计,3000,,\n"
        ",,,小\u3000计,3000,,\n"
        "总 计,,,,3000,,\n")


if __name__ == "__main__":
    main()
