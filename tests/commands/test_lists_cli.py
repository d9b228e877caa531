"""``new-customer-check``, ``maturities`` and ``settled`` on the command line: exact output on
small hand-written ledgers, the workbooks they write, exit 2 with the message on bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

from postloan_audit.commands.cli import COMMAND_MODULES, build_parser, main

HEADER = "借据号,客户号,客户名称,经营机构,贷款余额,五级分类,担保方式,客户类型,发放日期,到期日期,客户经理,到期通知日期\n"
#: 2026-09-30: three new individual customers in August (张伟 two, 李娜 one), one old one, a
#: corporate one; maturities on both sides of October's edges.
SEPTEMBER = HEADER + (
    "L1,P1,赵一,城东支行,10000,正常,信用,个人,2026-08-01,2026-10-31,张伟,2026-09-28\n"
    "L1b,P1,赵一,城东支行,5000,正常,信用,个人,2026-08-31,2027-08-31,张伟,\n"
    "L2,P2,钱二,城东支行,20000,正常,保证,个人,2026-08-10,2026-11-01,张伟,\n"
    "L3,P3,孙三,城东支行,30000,关注,抵押,个人,2026-08-11,2026-10-01,李娜,\n"
    "L4,P4,李四,城东支行,40000,正常,信用,个人,2026-07-31,2026-09-30,李娜,\n"
    "L5,C1,某公司,城西支行,50000,次级,抵押,对公,2026-08-15,2026-10-15,王芳,2026-09-01\n")
#: 2026-10-31: L1 and L3 repaid at maturity (L1 gone, L3 at 0), L5 still outstanding.
OCTOBER = HEADER + (
    "L1b,P1,赵一,城东支行,5000,正常,信用,个人,2026-08-31,2027-08-31,张伟,\n"
    "L2,P2,钱二,城东支行,20000,正常,保证,个人,2026-08-10,2026-11-01,张伟,2026-10-01\n"
    "L3,P3,孙三,城东支行,0,关注,抵押,个人,2026-08-11,2026-10-01,李娜,\n"
    "L4,P4,李四,城东支行,40000,正常,信用,个人,2026-07-31,2026-09-30,李娜,\n"
    "L5,C1,某公司,城西支行,50000,次级,抵押,对公,2026-08-15,2026-10-15,王芳,2026-09-01\n")


@pytest.fixture(autouse=True)
def unlimited_width(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)


def ledger(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sha12(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_the_commands_are_registered():
    assert "lists" in COMMAND_MODULES
    commands = build_parser()._subparsers._group_actions[0].choices
    assert {"new-customer-check", "maturities", "settled"} <= set(commands)


def test_new_customer_check_prints_the_draw_per_officer_and_writes_the_workpaper(
        tmp_path, capsys):
    source = ledger(tmp_path, "城东支行_20260930.csv", SEPTEMBER)
    out = tmp_path / "核查底稿.xlsx"
    assert main(["new-customer-check", str(source), "--seed", "8", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "新增客户现场核查:2026-08 新增个人客户 3 户,应抽 2 户,抽取 2 户(随机种子 8)",
        f"文件 城东支行_20260930.csv(指纹 {sha12(source)},数据日期 2026-09-30)",
        "按客户经理分别抽查:2名客户经理,每人不低于其新增客户的10%,至少1户 / drawn per loan officer",
        "",
        "按客户经理 / by loan officer",
        "客户经理  新增客户数  应抽户数",
        "张伟               2         1",
        "李娜               1         1",
        "",
        "核查名单 / customers to check on site",
        "序号  客户号  客户名称  机构      客户经理  首笔发放日  本月借据号  贷款余额(元)",
        "   1  P1      赵一      城东支行  张伟      2026-08-01  L1、L1b        15,000.00",
        "   2  P3      孙三      城东支行  李娜      2026-08-11  L3             30,000.00",
        f"新增客户现场核查底稿已写入 / workpaper written: {out}",
    ]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["核查名单", "按客户经理", "抽样参数"]
    assert [r[1] for r in book["核查名单"].iter_rows(min_row=2, max_row=3, values_only=True)] \
        == ["P1", "P3"]
    params = {r[0]: r[1] for r in book["抽样参数"].iter_rows(values_only=True)}
    assert params["数据文件"] == "城东支行_20260930.csv"
    assert params["文件指纹(SHA-256)"] == hashlib.sha256(source.read_bytes()).hexdigest()


def test_new_customer_check_of_a_month_without_new_customers_says_so(tmp_path, capsys):
    source = ledger(tmp_path, "城东支行_20260930.csv", SEPTEMBER)
    assert main(["new-customer-check", str(source), "--seed", "8", "--month", "2026-06"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "新增客户现场核查:2026-06 新增个人客户 0 户,应抽 0 户,抽取 0 户(随机种子 8)"
    assert lines[-1] == "核查名单 / customers to check on site:2026-06 没有新增个人客户(无 / none)"


def test_new_customer_check_without_a_data_date_asks_for_the_month(tmp_path, capsys):
    source = ledger(tmp_path, "城东支行.csv", SEPTEMBER)
    assert main(["new-customer-check", str(source), "--seed", "8"]) == 2
    assert capsys.readouterr().err == (
        "错误 / Error: 文件 城东支行.csv 未识别数据日期,请用 --month 指定新增客户月份(YYYY-MM)。"
        " / 城东支行.csv carries no data date: give --month.\n")


def test_maturities_lists_next_months_maturities_by_branch_and_writes_the_workbook(
        tmp_path, capsys):
    source = ledger(tmp_path, "城东支行_20260930.csv", SEPTEMBER)
    out = tmp_path / "到期提示表.xlsx"
    assert main(["maturities", str(source), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2026年10月贷款到期提示表(数据日期 2026-09-30)",
        f"文件 城东支行_20260930.csv(指纹 {sha12(source)},数据日期 2026-09-30):余额大于0、到期日在"
        " 2026-10-01 至 2026-10-31 的贷款 3 笔,余额 90,000.00 元;已登记到期通知 2 笔",
        "台账无以下列,表中相应栏为空:还款方式",
        "",
        "按机构 / by branch",
        "经营机构  笔数  贷款余额(元)",
        "城东支行     2     40,000.00",
        "城西支行     1     50,000.00",
        f"到期提示表已写入 / maturity list written: {out}",
    ]
    sheet = list(openpyxl.load_workbook(out)["到期提示表"].iter_rows(values_only=True))
    # L3 matures on October 1, L1 on October 31: in; L4 (September 30), L2 (November 1): out
    assert [r[2] for r in sheet[2:5]] == ["L3", "L1", "L5"]


def test_maturities_of_a_given_month(tmp_path, capsys):
    source = ledger(tmp_path, "城东支行_20260930.csv", SEPTEMBER)
    assert main(["maturities", str(source), "--month", "2026-11"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2026年11月贷款到期提示表(数据日期 2026-09-30)"
    assert lines[-2:] == ["经营机构  笔数  贷款余额(元)", "城东支行     1     20,000.00"]


def test_maturities_refuses_a_month_not_written_yyyy_mm(tmp_path, capsys):
    source = ledger(tmp_path, "城东支行_20260930.csv", SEPTEMBER)
    assert main(["maturities", str(source), "--month", "2026/10"]) == 2
    assert capsys.readouterr().err == (
        "错误 / Error: 月份须为 YYYY-MM 格式(如 2026-10),收到 '2026/10'。 / month must look like"
        " 'YYYY-MM', got '2026/10'.\n")


def test_settled_lists_the_loans_gone_or_at_zero_and_writes_the_workbook(tmp_path, capsys):
    before = ledger(tmp_path, "城东支行_20260930.csv", SEPTEMBER)
    after = ledger(tmp_path, "城东支行_20261031.csv", OCTOBER)
    out = tmp_path / "结清名单.xlsx"
    assert main(["settled", str(before), str(after), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "贷款结清名单(上期 2026-09-30 至本期 2026-10-31)",
        "上期 城东支行_20260930.csv(数据日期 2026-09-30)→ 本期 城东支行_20261031.csv(数据日期"
        " 2026-10-31):结清 2 笔,上期余额 40,000.00 元(本期台账中已无 1 笔,本期余额为0 1 笔)",
        "",
        "按机构 / by branch",
        "经营机构  笔数  上期余额(元)",
        "城东支行     2     40,000.00",
        f"结清名单已写入 / settled list written: {out}",
    ]
    sheet = list(openpyxl.load_workbook(out)["结清名单"].iter_rows(values_only=True))
    assert [(r[2], r[10]) for r in sheet[2:4]] == [("L1", "本期台账中已无"), ("L3", "本期余额为0")]


def test_settled_refuses_snapshots_in_the_wrong_order(tmp_path, capsys):
    before = ledger(tmp_path, "城东支行_20260930.csv", SEPTEMBER)
    after = ledger(tmp_path, "城东支行_20261031.csv", OCTOBER)
    assert main(["settled", str(after), str(before)]) == 2
    assert capsys.readouterr().err == (
        "错误 / Error: 上期台账的数据日期(2026-10-31)须早于本期台账(2026-09-30);请先给上期、后给本期。"
        " / the earlier snapshot (2026-10-31) must be dated before the later one (2026-09-30):"
        " give the earlier first.\n")
