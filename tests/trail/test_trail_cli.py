"""``check --record``, ``followup list/export/import``, ``history`` through the real loader."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

import postloan_audit.trail.store as trail_store
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

    assert main(["followup", "export", str(book), "--db", db]) == 2  # the returned workbook
    assert "文件已存在" in capsys.readouterr().err
    exported = tmp_path / "导出.xlsx"
    assert main(["followup", "export", str(exported), "--db", db]) == 0
    assert "第 2 次检查的问题清单(含整改情况)已写入" in capsys.readouterr().out
    ws = openpyxl.load_workbook(exported)["问题清单"]
    assert ws.cell(row=2, column=col["整改状态"]).value == "整改中"

    assert main(["history", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("检查记录 / recorded runs: 2 次(时间为 Asia/Shanghai 时间 / "
                                   "times in Asia/Shanghai)")
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


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """A store with one run of two findings (L001 without a customer name), recorded by 张三
    at 06:05 UTC on 2026-09-30, checked as of 2020-01-31 (so both are overdue today)."""
    monkeypatch.setattr(trail_store, "_now", lambda: dt.datetime(2026, 9, 30, 6, 5))
    monkeypatch.setenv("POSTLOAN_AUDIT_USER", "张三")
    monkeypatch.setenv("COLUMNS", "200")
    rows = [["L001", "C001", None, "城关支行", "100,000", "正常", "抵押", 100],
            ["L002", "C002", "客户2", "城关支行", "100,000", "正常", "抵押", 120]]
    src = tmp_path / "台账.csv"
    pd.DataFrame(rows, columns=HEADERS).to_csv(src, index=False)
    db = str(tmp_path / "audit.db")
    assert main(["check", str(src), "--as-of", "2020-01-31", "--rules", "CLS-OVERDUE",
                 "--record", "--db", db]) == 0
    return db


def test_followup_list_is_an_aligned_table_with_blank_empty_cells(recorded, capsys):
    capsys.readouterr()
    assert main(["followup", "list", "--db", recorded]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "整改台账 / follow-up: 2 条,逾期 2 条",
        "机构      规则编号     借据号  客户名称  严重程度  首次发现    整改期限    整改状态  逾期  责任人  整改措施",
        "城关支行  CLS-OVERDUE  L001              高        2020-01-31  2020-03-01  待整改    是",
        "城关支行  CLS-OVERDUE  L002    客户2     高        2020-01-31  2020-03-01  待整改    是",
    ]


def test_history_shows_the_operator_and_times_in_the_bank_s_time_zone(recorded, tmp_path,
                                                                      capsys):
    capsys.readouterr()
    assert main(["history", "--db", recorded]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "检查记录 / recorded runs: 1 次(时间为 Asia/Shanghai 时间 / times in Asia/Shanghai)",
        "编号  记录时间          操作人  检查日      范围      文件      指纹          问题数  新增  延续  消失",
        "1     2026-09-30 14:05  张三    2020-01-31  城关支行  台账.csv  acb0354a6643       2     2     0     0",
    ]
    assert main(["history", "--db", recorded, "--changes"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "变更记录 / change log: 3 条(时间为 Asia/Shanghai 时间 / times in Asia/Shanghai)",
        "时间              操作人  对象           键                 项目      原值  新值                                     说明",
        "2026-09-30 14:05  张三    run            1                  recorded        台账.csv 2020-01-31 城关支行 findings=2",
        "2026-09-30 14:05  张三    rectification  CLS-OVERDUE|L001|  status          待整改                                   第 1 次检查首次发现 / first seen in run 1",
        "2026-09-30 14:05  张三    rectification  CLS-OVERDUE|L002|  status          待整改                                   第 1 次检查首次发现 / first seen in run 1",
    ]
    utc = tmp_path / "utc.toml"
    utc.write_text('[trail]\ntime_zone = "UTC"\n', encoding="utf-8")
    assert main(["history", "--db", recorded, "--policy", str(utc)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(时间为 UTC 时间 / times in UTC)")
    assert lines[2].startswith("1     2026-09-30 06:05  张三")


def test_export_never_replaces_a_file_without_force(recorded, tmp_path, capsys):
    book = tmp_path / "问题清单.xlsx"
    book.write_bytes(b"filled in by the branch")
    capsys.readouterr()
    assert main(["followup", "export", str(book), "--db", recorded]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"错误 / Error: 文件已存在:{book},未覆盖。如确需替换,请加 --force(原文件中已填写的内容将丢失),"
        f"或换一个文件名。 / {book} exists and was not replaced: add --force to replace it (what "
        "was filled in is lost), or choose another name.\n")
    assert book.read_bytes() == b"filled in by the branch"
    assert main(["followup", "export", str(book), "--db", recorded, "--force"]) == 0
    assert openpyxl.load_workbook(book)["问题清单"].cell(row=2, column=1).value is not None


def test_check_record_refuses_an_existing_out_before_recording(recorded, tmp_path, capsys):
    book = tmp_path / "问题清单.xlsx"
    book.write_bytes(b"filled in by the branch")
    args = ["check", str(tmp_path / "台账.csv"), "--as-of", "2020-01-31", "--rules",
            "CLS-OVERDUE", "--record", "--db", recorded, "--out", str(book)]
    capsys.readouterr()
    assert main(args) == 2
    assert "请加 --force" in capsys.readouterr().err
    assert len(trail_store.open_store(recorded).runs()) == 1  # nothing recorded
    assert main([*args, "--force"]) == 0
    assert "已记录为第 2 次检查" in capsys.readouterr().out
