"""Write the export-profile corpus: ledgers shaped like real exports, each with its profile.

Run ``python tests/data/profiles/make_profiles.py`` (or ``make corpus``); the files are committed.
Each ledger loads only with its profile; ``tests/ingest/test_profile_corpus.py`` pins the frames.

* ``rcb_balance``: a rural commercial bank's 贷款余额表 (xlsx, title rows, 核心余额 in 万元 declared
  by the profile, the four-tier scale 一逾两呆 mapped by the bank, 证件号码 as the customer key,
  overdue days from 最小欠息日, secured from 担保人证件号码, no 担保方式 column).
* ``personal_monthly``: a monthly personal-loan export (GBK CSV, 机构代码, 剩余天数 negative when
  overdue, 展期期限 in days, the bank's own 还款方式 words).
* ``branch_loan_data``: a branch 贷款数据 workbook (sheet 贷款数据 beside a summary sheet, 贷款本金
  in 千元 from the header, 主客户经理, a 存单 guarantee word the bank maps to pledge).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def rcb_balance() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "贷款余额表"
    ws.append(["XX农村商业银行 贷款余额表"])
    ws.append(["截至2026年9月30日"])
    ws.append(["借据号", "证件号码", "户名", "开户机构", "贷款形态", "核心余额", "借款日期",
               "到期日期", "最小欠息日", "担保人证件号码", "还款期限"])
    rows = [
        ["RCB0001", "110101198001010011", "王一", "城关支行", "正常", "12.5", "2025-03-01",
         "2027-03-01", "", "110101197001010022", "按月付息到期还本"],
        ["RCB0002", "110101198001010011", "王一", "城关支行", "逾期", "3.2", "2024-06-15",
         "2026-06-15", "2026-08-01", "", "按月付息到期还本"],
        ["RCB0003", "110101198502020033", "李二", "河西支行", "呆滞", "40", "2023-01-10",
         "2025-01-10", "2025-01-10", "110101196501010044", "等额本息"],
        ["RCB0004", "110101199003030055", "赵三", "河西支行", "呆账", "0.75", "2022-05-20",
         "2024-05-20", "2024-05-20", "", "等额本息"],
        ["RCB0005", "110101199104040066", "钱四", "城关支行", "正常", "100", "2026-01-05",
         "2027-01-05", "2026-10-15", "", "按月付息到期还本"],
    ]
    for row in rows:
        ws.append(row)
    ws.append(["合计", "", "", "", "", "156.45"])
    wb.save(HERE / "rcb_balance.xlsx")


def personal_monthly() -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["贷款账号", "客户编号", "客户姓名", "机构代码", "五级分类", "贷款余额（元）",
                     "担保方式", "剩余天数", "展期期限", "还款方式", "发放日期"])
    writer.writerows([
        ["6210001", "P001", "孙五", "0101", "正常", "50,000.00", "信用", "120", "0",
         "按月等本", "2025-10-01"],
        ["6210002", "P002", "周六", "0101", "关注", "8,000.50", "保证", "-37", "90",
         "到期一次还本付息", "2025-04-01"],
        ["6210003", "P003", "吴七", "0102", "次级", "200000", "抵押", "-95", "31",
         "按月等本", "2024-09-30"],
        ["6210004", "P001", "孙五", "0101", "正常", "1,200", "信用", "", "",
         "按月等本", "2026-09-01"],
    ])
    (HERE / "personal_monthly.csv").write_bytes(buf.getvalue().encode("gbk"))


def branch_loan_data() -> None:
    wb = Workbook()
    summary = wb.active
    summary.title = "不良结构"
    summary.append(["贷款类别", "户数", "笔数", "金额", "占比"])
    summary.append(["次级", 1, 1, 300, "30%"])
    summary.append(["可疑", 1, 1, 700, "70%"])
    ws = wb.create_sheet("贷款数据")
    ws.append(["借据编号", "客户代码", "客户名称", "经营机构", "风险分类", "贷款本金（千元）",
               "担保类型", "主客户经理", "欠息天数", "到期日"])
    ws.append(["D-01", "K01", "甲公司", "开发区支行", "次级", 300, "存单", "张经理", 120,
               "2026-12-31"])
    ws.append(["D-02", "K02", "乙公司", "开发区支行", "可疑", 700, "抵押", "李经理", 400,
               "2026-03-31"])
    ws.append(["D-03", "K02", "乙公司", "开发区支行", "正常", 1.5, "信用", "李经理", 0,
               "2027-06-30"])
    wb.save(HERE / "branch_loan_data.xlsx")


PROFILES = {
    "rcb_balance.toml": '''\
# XX农商行 信贷系统导出的贷款余额表
[profile]
name = "XX农商行 信贷系统 贷款余额表"

[sheets]
loans = ["贷款余额表"]

[headers.loans]
"开户机构" = "branch"
"贷款形态" = "classification"
"核心余额" = "balance"
"借款日期" = "disbursement_date"
"证件号码" = "id_number"
"还款期限" = "repayment_method"

[values.classification]            # 一逾两呆: the bank's own mapping
"逾期" = "substandard"
"呆滞" = "doubtful"
"呆账" = "loss"

[values.repayment_method]
"按月付息到期还本" = "bullet"

[units.loans]
balance = "万元"

[derive.loans]
borrower_id = { copy = "id_number" }
overdue_days = { days_since = "最小欠息日" }
secured = { nonblank = "担保人证件号码" }
''',
    "personal_monthly.toml": '''\
[profile]
name = "个贷月度导出"

[headers.loans]
"机构代码" = "branch"

[values.repayment_method]
"按月等本" = "installment"

[units.loans]
extension_months = "天"

[derive.loans]
overdue_days = { negative_of = "剩余天数" }
''',
    "branch_loan_data.toml": '''\
[profile]
name = "开发区支行 贷款数据"

[sheets]
loans = ["贷款数据"]

[headers.loans]
"贷款本金" = "balance"
"主客户经理" = "loan_officer"

[values.guarantee_type]
"存单" = "pledge"
''',
}


def main() -> None:
    rcb_balance()
    personal_monthly()
    branch_loan_data()
    for name, text in PROFILES.items():
        (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
