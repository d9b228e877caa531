"""``check --record``, ``followup list/export/import``, ``history`` through the real loader."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd

from postloan_audit.commands.cli import main

HEADERS = ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式", "逾期天数"]


def ledger(path, overdue: dict[str, int]):
    rows = [[f"L00{i}", f"C00{i}", f"客户{i}", "城关支行", "100,000", "正常", "抵押",
             overdue.get(f"L00{i}", 0)] for i in range(1, 5)]
    pd.DataFrame(rows, columns=HEADERS).to_csv(path, index=False)
    return str(path)


def test_record_compare_list_export_import_history(tmp_path, capsys):
    # check dates a few days back, so no deadline (first seen + 30 days) has passed yet
    day1 = (dt.date.today() - dt.timedelta(days=5)).isoformat()
    day2 = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    db = str(tmp_path / "audit.db")
    first = ledger(tmp_path / "台账0930.csv", {"L001": 100, "L002": 120})
    second = ledger(tmp_path / "台账1031.csv", {"L002": 150, "L003": 95})
    assert main(["check", first, "--as-of", day1, "--rules", "CLS-OVERDUE", "--record",
                 "--db", db]) == 0
    out = capsys.readouterr().out
    assert "已记录为第 1 次检查(范围 城关支行)" in out
    assert "与上次相比: 新增 2 / 延续 0 / 消失 0(本范围首次记录" in out
    book = tmp_path / "问题清单.xlsx"
    assert main(["check", second, "--as-of", day2, "--rules", "CLS-OVERDUE", "--record",
                 "--db", db, "--out", str(book)]) == 0
    assert "\n与上次相比: 新增 1 / 延续 1 / 消失 1\n" in capsys.readouterr().out

    assert main(["followup", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "整改台账 / follow-up: 3 条,逾期 0 条"
    assert main(["followup", "list", "--db", db, "--status", "已整改(待核实)"]) == 0
    out = capsys.readouterr().out
    assert "L001" in out and "L002" not in out and "L003" not in out

    # the workbook written by check --record already carries the 整改情况 columns
    wb = openpyxl.load_workbook(book)
    ws = wb["问题清单"]
    col = {c.value: c.column for c in ws[1]}
    keys = [ws.cell(row=r, column=col["整改键"]).value for r in (2, 3)]
    assert keys == ["2#CLS-OVERDUE|L002|", "2#CLS-OVERDUE|L003|"]
    ws.cell(row=2, column=col["整改状态"]).value = "整改中"
    ws.cell(row=2, column=col["责任人"]).value = "王五"
    ws.cell(row=3, column=col["整改状态"]).value = "已销号"  # illegal: 待整改 → 已销号
    wb.save(book)
    assert main(["followup", "import", str(book), "--db", db]) == 2
    err = capsys.readouterr().err
    assert "问题清单 第 3 行:整改状态不能从「待整改」改为「已销号」" in err
    assert "未导入任何内容" in err
    assert main(["followup", "list", "--db", db, "--status", "整改中"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "整改台账 / follow-up: 0 条,逾期 0 条"

    ws.cell(row=3, column=col["整改状态"]).value = None
    wb.save(book)
    assert main(["followup", "import", str(book), "--db", db]) == 0
    assert "更新整改情况 1 条" in capsys.readouterr().out
    assert main(["followup", "list", "--db", db, "--status", "整改中"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "整改台账 / follow-up: 1 条,逾期 0 条" and "王五" in out

    exported = tmp_path / "导出.xlsx"
    assert main(["followup", "export", str(exported), "--db", db]) == 0
    assert "第 2 次检查的问题清单(含整改情况)已写入" in capsys.readouterr().out
    ws = openpyxl.load_workbook(exported)["问题清单"]
    assert ws.cell(row=2, column=col["整改状态"]).value == "整改中"

    assert main(["history", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "检查记录 / recorded runs: 2 次"
    assert "台账1031.csv" in out and "台账0930.csv" in out
    assert main(["history", "--db", db, "--changes"]) == 0
    assert "整改中" in capsys.readouterr().out


def test_overdue_filter(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "audit.db")
    src = ledger(tmp_path / "台账.csv", {"L001": 100})
    assert main(["check", src, "--as-of", "2020-01-31", "--rules", "CLS-OVERDUE", "--record",
                 "--db", db]) == 0
    capsys.readouterr()
    assert main(["followup", "list", "--db", db, "--overdue"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "整改台账 / follow-up: 1 条,逾期 1 条" and "2020-03-01" in out
    assert dt.date.today() > dt.date(2020, 3, 1)


def test_db_from_the_environment_and_a_bad_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POSTLOAN_AUDIT_DB", str(tmp_path / "env.db"))
    src = ledger(tmp_path / "台账.csv", {"L001": 100})
    assert main(["check", src, "--as-of", "2026-09-30", "--rules", "CLS-OVERDUE", "--record"]) == 0
    assert (tmp_path / "env.db").exists()
    capsys.readouterr()
    assert main(["followup", "import", src]) == 2
    assert "无法打开 Excel 文件 台账.csv" in capsys.readouterr().err


def test_sample_record_workpaper_import_and_plan_reviews(tmp_path, capsys):
    db = str(tmp_path / "audit.db")
    classes, guarantees = ["正常", "关注", "次级"], ["抵押", "信用", "保证"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "贷款台账"
    ws.append(["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式"])
    for i in range(14):
        ws.append([f"L{i:03d}", f"C{i:03d}", f"客户{i}", "城东支行", f"{(40 - i) * 10_000:,}",
                   classes[i % 3], guarantees[i % 3]])
    branches = wb.create_sheet("机构")
    branches.append(["机构", "最近现场检查日期"])
    branches.append(["城东支行", None])
    branches.append(["城西支行", dt.date(2025, 1, 1)])
    ledger_path = tmp_path / "分行台账.xlsx"
    wb.save(ledger_path)

    paper = tmp_path / "底稿.xlsx"
    assert main(["sample", str(ledger_path), "--branch", "城东支行", "--seed", "3", "--record",
                 "--db", db, "--out", str(paper)]) == 0
    assert "样本已记录为第 1 次抽样" in capsys.readouterr().out
    book = openpyxl.load_workbook(paper)
    sheet = book["现场检查清单"]
    col = {c.value: c.column for c in sheet[1]}
    day = dt.date.today() - dt.timedelta(days=3)
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(row=r, column=col["借据号"]).value in (None, ""):
            break  # the end of the checklist table (sign-off lines may follow)
        sheet.cell(row=r, column=col["检查结论"]).value = "符合"
        sheet.cell(row=r, column=col["检查日期"]).value = day
    sheet.cell(row=4, column=col["检查结论"]).value = "不符合"
    sheet.cell(row=4, column=col["问题描述"]).value = "抵押物已被查封"
    book.save(paper)
    assert main(["followup", "import-workpaper", str(paper), "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"已导入现场检查清单 底稿.xlsx:城东支行 {day:%Y-%m-%d}" in out and "不符合 1 项" in out
    assert main(["followup", "list", "--db", db, "--rule", "ONSITE"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "整改台账 / follow-up: 1 条,逾期 0 条"
    assert main(["plan-reviews", str(ledger_path), "--year", str(day.year), "--db", db]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.strip().startswith("城东支行"))
    assert f"{day:%Y-%m-%d}" in line
