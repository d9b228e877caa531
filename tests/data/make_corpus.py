"""Regenerate the bad-input corpus under tests/data/ (run: python tests/data/make_corpus.py).

Each file is one kind of messy or broken export a bank user may hand the loader; the tests in
tests/ingest/test_loader_corpus.py pin the exact outcome for each. The files are committed; this
script documents how they were made.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADER = "借据号,客户号,客户名称,经营机构,贷款余额,五级分类,担保方式"


def csv(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def xlsx(name: str, sheets: dict[str, list[list]]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
    wb.save(HERE / name)


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


if __name__ == "__main__":
    main()
