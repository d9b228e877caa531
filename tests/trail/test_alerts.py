"""Early-warning alerts in the audit trail: recording watch lists, every transition allowed and
refused, the 风险预警信号处理表 round trip, overdue alerts per branch, and the commands; on
SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from postloan_audit import Policy
from postloan_audit.commands.cli import main
from postloan_audit.core.errors import ImportRefused, TrailError
from postloan_audit.trail import schema as t
from postloan_audit.trail.alert_exchange import (
    ALERT_HEADERS,
    export_alerts_workbook,
    import_alerts_workbook,
)
from postloan_audit.trail.store import open_store

D1, D2 = dt.date(2026, 9, 30), dt.date(2026, 10, 31)
SKIP = "状态为「发起」,不能直接改为「{}」:须先认定 / 发起 → {} skips 认定: confirm the alert first"


def watch(levels: dict[str, str], branch: str = "城关支行") -> tuple[pd.DataFrame, pd.DataFrame]:
    """A watch list and its signals: one EW-OVERDUE signal per borrower."""
    ids = list(levels)
    watchlist = pd.DataFrame({
        "borrower_id": ids, "borrower_name": [f"{b}公司" for b in ids], "branch": branch,
        "officer": "王五", "balance": 1000.0, "level": [levels[b] for b in ids],
        "signal_ids": "EW-OVERDUE"})
    signals = pd.DataFrame({"signal_id": "EW-OVERDUE", "borrower_id": ids, "loan_id": None,
                            "level": [levels[b] for b in ids],
                            "message": [f"本行贷款逾期{i + 1}天" for i in range(len(ids))],
                            "citation": "001 篇三"})
    return watchlist, signals


def record(store, levels: dict[str, str], as_of: dt.date = D1, **kwargs):
    w, s = watch(levels, **kwargs)
    return store.record_alerts(w, s, as_of=as_of, source_name="台账.xlsx", fingerprint="ab12",
                               policy=Policy.default())


def state(store) -> dict[str, tuple]:
    a = store.alerts().sort_values("alert_id")
    return {b: (int(i), s, lv, f"{d:%Y-%m-%d}") for i, b, s, lv, d in
            zip(a["alert_id"], a["borrower_id"], a["status"], a["level"], a["deadline"],
                strict=True)}


def test_a_scan_raises_new_alerts_and_carries_the_watched_ones(db_url):
    store = open_store(db_url, user="张三")
    first = record(store, {"A": "red", "B": "yellow"})
    assert (first.run_id, first.raised, first.carried, first.unwatched) == (1, 2, 0, 0)
    # deadlines by level from the scan date: red 15 days, yellow 60
    assert state(store) == {"A": (1, "发起", "red", "2026-10-15"),
                            "B": (2, "发起", "yellow", "2026-11-29")}
    store.transition_alert(1, "认定")
    second = record(store, {"B": "red", "C": "yellow"}, as_of=D2)
    assert (second.run_id, second.raised, second.carried, second.unwatched) == (2, 1, 1, 1)
    assert second.line().startswith("已记录为第 2 次预警扫描:新发起 1 / 延续 1 / 不再在名单(待解除) 1")
    # A is no longer watched but keeps its alert; B rose to red: its deadline comes forward
    assert state(store) == {"A": (1, "认定", "red", "2026-10-15"),
                            "B": (2, "发起", "red", "2026-11-15"),
                            "C": (3, "发起", "yellow", "2026-12-30")}
    log = store.alert_history(2)
    assert log[["field", "old", "new"]].values.tolist() == [
        ["status", None, "发起"], ["level", "yellow", "red"],
        ["deadline", "2026-11-29", "2026-11-15"]]
    assert store.alert_signals([2])["message"].tolist() == ["本行贷款逾期1天"]
    assert store.alert_runs()["raised_count"].tolist() == [2, 1]


@pytest.mark.parametrize(("path", "last", "problem"), [
    ([], ("处置", {"measures": "追加担保", "responsible": "王五"}), SKIP.format("处置", "处置")),
    ([], ("解除", {"note": "已结清"}), SKIP.format("解除", "解除")),
    ([], ("排除", {}), "「排除」须在「说明」中写明原因 / 排除 needs the reason in 说明"),
    ([("认定", {})], ("处置", {"responsible": "王五"}),
     "「处置」须填写处置措施(追加担保、压缩退出、提前收回、重组、诉讼、加强监控、其他) / 处置 needs 处置措施"),
    ([("认定", {})], ("处置", {"measures": "追加担保"}), "「处置」须填写责任人 / 处置 needs 责任人"),
    ([("认定", {})], ("处置", {"measures": "展期", "responsible": "王五"}),
     "处置措施「展期」无效,应为 追加担保、压缩退出、提前收回、重组、诉讼、加强监控、其他 / unknown measure"),
    ([("认定", {})], ("解除", {}), "「解除」须在「说明」中写明原因 / 解除 needs the reason in 说明"),
    ([("认定", {}), ("处置", {"measures": "诉讼", "responsible": "王五"})], ("发起", {}),
     "不能从「处置」改为「发起」 / illegal state change 处置 → 发起"),
    ([("认定", {}), ("解除", {"note": "风险化解"})], ("认定", {}),
     "不能从「解除」改为「认定」 / illegal state change 解除 → 认定"),
    ([("认定", {})], ("处置", {"measures": "诉讼", "responsible": "王五",
                                "deadline": "2026-09-01"}),
     "处置期限 2026-09-01 早于发起日期 2026-09-30 / deadline before the alert was raised"),
])
def test_refused_transitions_say_why_and_change_nothing(db_url, path, last, problem):
    store = open_store(db_url, user="张三")
    record(store, {"A": "red"})
    for status, fields in path:
        store.transition_alert(1, status, **fields)
    before = store.alerts()
    with pytest.raises(TrailError) as info:
        store.transition_alert(1, last[0], **last[1])
    assert info.value.message in (f"预警 1 {problem}", problem)
    pd.testing.assert_frame_equal(store.alerts(), before)


def test_allowed_transitions_from_raised_to_lifted_record_who_and_when(db_url):
    store = open_store(db_url, user="张三")
    record(store, {"A": "red", "B": "yellow"})
    store.transition_alert(1, "认定")
    store.transition_alert(1, "处置", measures="诉讼,追加担保", responsible="王五",
                           deadline="2026-10-20")
    store.transition_alert(1, "解除", note="已追加担保,风险化解")
    store.transition_alert(2, "排除", note="逾期系系统扣款失败")
    store.transition_alert(2, "认定")
    a = store.alerts().set_index("alert_id")
    assert a.loc[1, ["status", "measures", "responsible", "note"]].tolist() == [
        "解除", "追加担保、诉讼", "王五", "已追加担保,风险化解"]
    assert f"{a.loc[1, 'deadline']:%Y-%m-%d}" == "2026-10-20"
    assert a.loc[2, "status"] == "认定"
    log = store.alert_history(1)
    assert log.loc[log["field"] == "status", "new"].tolist() == ["发起", "认定", "处置", "解除"]
    assert set(log["who"]) == {"张三"} and log["at"].notna().all()
    assert a.loc[1, "updated_by"] == "张三"


def test_a_borrower_watched_again_after_lifting_is_a_new_alert(db_url):
    store = open_store(db_url, user="张三")
    record(store, {"A": "orange"})
    store.transition_alert(1, "认定")
    store.transition_alert(1, "解除", note="已结清")
    again = record(store, {"A": "yellow"}, as_of=D2)
    assert (again.raised, again.carried) == (1, 0)
    assert state(store)["A"] == (2, "发起", "yellow", "2026-12-30")
    assert store.alerts()["alert_id"].tolist() == [1, 2]


def test_overdue_alerts_are_counted_per_branch(db_url):
    store = open_store(db_url, user="张三")
    record(store, {"A": "red", "B": "yellow"}, branch="城关支行")
    record(store, {"C": "red"}, branch="东关支行")
    store.transition_alert(3, "认定")
    store.transition_alert(3, "解除", note="已结清")
    got = store.overdue_alerts_by_branch(dt.date(2026, 10, 16))
    assert got.values.tolist() == [["城关支行", 2, 1]]


def test_round_trip_export_fill_import(db_url, tmp_path):
    store = open_store(db_url, user="张三")
    record(store, {"A": "red", "B": "yellow", "C": "orange"})
    store.transition_alert(3, "排除", note="误报")
    book = tmp_path / "预警处理.xlsx"
    assert export_alerts_workbook(store, book, today=D2) == 2
    wb = openpyxl.load_workbook(book)
    ws = wb["预警处理"]
    col = {c.value: c.column for c in ws[1]}
    assert list(col) == list(ALERT_HEADERS)
    assert [ws.cell(row=r, column=col["预警编号"]).value for r in (2, 3, 4)] == [1, 2, None]
    assert ws.cell(row=2, column=col["状态"]).value == "发起"
    assert ws.cell(row=2, column=col["预警等级"]).value == "红"
    assert ws.cell(row=2, column=col["预警事实"]).value == "EW-OVERDUE:本行贷款逾期1天"
    assert ws.page_setup.orientation == "landscape" and "风险预警信号处理表" in ws.oddHeader.center.text
    ws.cell(row=2, column=col["状态"]).value = "认定"
    ws.cell(row=3, column=col["状态"]).value = "处置"  # refused: 发起 needs 认定 first
    ws.cell(row=3, column=col["处置措施"]).value = "压缩退出"
    ws.cell(row=3, column=col["责任人"]).value = "李四"
    wb.save(book)
    with pytest.raises(ImportRefused) as info:
        import_alerts_workbook(store, book)
    assert info.value.refused.values.tolist() == [[3, "2", "预警 2 " + SKIP.format("处置", "处置")]]
    assert "未导入任何内容" in info.value.message and "预警处理 第 3 行" in info.value.message
    assert store.alerts().sort_values("alert_id")["status"].tolist() == [
        "发起", "发起", "排除"]  # nothing applied

    ws.cell(row=3, column=col["状态"]).value = "认定"
    wb.save(book)
    result = import_alerts_workbook(store, book)
    assert (result.rows, result.changed) == (2, 2)
    a = store.alerts().set_index("alert_id")
    assert a.loc[[1, 2], "status"].tolist() == ["认定", "认定"]
    assert a.loc[2, ["measures", "responsible"]].tolist() == ["压缩退出", "李四"]
    assert store.imports()["kind"].tolist() == ["alerts"]
    # the next export carries the current state
    buffer = io.BytesIO()
    export_alerts_workbook(store, buffer, today=D2)
    again = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["预警处理"]
    assert [again.cell(row=r, column=col["状态"]).value for r in (2, 3)] == ["认定", "认定"]


def test_import_refuses_a_tampered_row_and_an_unknown_alert(db_url, tmp_path):
    store = open_store(db_url, user="张三")
    record(store, {"A": "red"})
    book = tmp_path / "预警处理.xlsx"
    export_alerts_workbook(store, book, today=D2)
    wb = openpyxl.load_workbook(book)
    ws = wb["预警处理"]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(row=2, column=col["客户号"]).value = "Z"
    ws.insert_rows(3)  # a row added under the table, above the sign-off block
    for column, value in enumerate([99, "A", None, None, None, None, None, None, None, None,
                                    "认定"], start=1):
        ws.cell(row=3, column=column).value = value
    wb.save(book)
    with pytest.raises(ImportRefused) as info:
        import_alerts_workbook(store, book)
    assert info.value.refused.values.tolist() == [
        [2, "1", "客户号「Z」与预警编号 1 的客户 A 不一致(行被改动) / 客户号 differs from the "
                 "alert's borrower A"],
        [3, "99", "预警编号 99 不在本记录库中(工作簿来自其他记录库?) / alert 99 is not in this store"]]


def test_a_version_1_store_gains_the_alert_tables(db_url):
    store = open_store(db_url, user="张三")
    with store._write() as conn:
        for table in (t.alert_signals, t.alerts, t.alert_runs):
            table.drop(conn)
        conn.execute(t.schema_migrations.delete().where(t.schema_migrations.c.version == 2))
    store.close()
    again = open_store(db_url, user="张三")
    assert again.schema_version() == 2 and again.alerts().empty
    again.close()


def _ledger(path, rows):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "贷款台账"
    ws.append(["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "逾期天数"])
    for row in rows:
        ws.append(list(row))
    book.save(path)


def test_warn_record_then_alerts_list_export_import(tmp_path, capsys):
    db = str(tmp_path / "audit.db")
    today = dt.date.today()
    first = tmp_path / "台账1.xlsx"
    _ledger(first, [("L1", "C1", "甲公司", "城关支行", 1000, "正常", 40),
                    ("L2", "C2", "乙公司", "东关支行", 2000, "正常", 5)])
    assert main(["warn", str(first), "--as-of", f"{today - dt.timedelta(days=40):%Y-%m-%d}",
                 "--record", "--db", db]) == 0
    assert ("已记录为第 1 次预警扫描:新发起 2 / 延续 0 / 不再在名单(待解除) 0"
            in capsys.readouterr().out)
    assert main(["warn", str(first), "--as-of", f"{today:%Y-%m-%d}", "--record", "--db", db]) == 0
    assert "新发起 0 / 延续 2 / 不再在名单(待解除) 0" in capsys.readouterr().out

    assert main(["alerts", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    # C1 (orange, 30 days) raised 40 days ago is past its deadline; C2 (yellow, 60) is not
    assert lines[0] == "未解除预警 / alerts: 2 条,逾期未处置 1 条"
    assert "按机构 / by branch" in out
    at = lines.index("按机构 / by branch")
    assert [line.split() for line in lines[at + 2:at + 4]] == [["东关支行", "1", "0"],
                                                             ["城关支行", "1", "1"]]

    book = tmp_path / "预警处理.xlsx"
    assert main(["alerts", "export", str(book), "--db", db]) == 0
    assert capsys.readouterr().out.startswith("风险预警信号处理表已写入(2 条未解除预警)")
    assert main(["alerts", "export", str(book), "--db", db]) == 2
    assert "文件已存在" in capsys.readouterr().err
    wb = openpyxl.load_workbook(book)
    ws = wb["预警处理"]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(row=2, column=col["状态"]).value = "解除"
    wb.save(book)
    assert main(["alerts", "import", str(book), "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 / Error: 文件 预警处理.xlsx 有 1 行未通过校验,未导入任何内容")
    assert "预警处理 第 2 行:预警 2 状态为「发起」,不能直接改为「解除」:须先认定" in err
    assert "Traceback" not in err
    ws.cell(row=2, column=col["状态"]).value = "认定"
    wb.save(book)
    assert main(["alerts", "import", str(book), "--db", db]) == 0
    assert capsys.readouterr().out.strip() == (
        "已导入 预警处理.xlsx:2 行,更新预警 1 条 / imported 预警处理.xlsx: 2 rows, 1 alerts updated")
    assert main(["alerts", "list", "--db", db, "--status", "认定"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "预警 / alerts: 1 条,逾期未处置 0 条"
