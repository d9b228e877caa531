"""scan_signals' report: the tables' contracts, escalation, movement against an earlier
snapshot, signals not run; LIST-WATCH on both sides; the workbook and ``postloan-audit warn``."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from checks_factory import AS_OF, make_loans, messages
from test_warning_signals import ext, sheet

from postloan_audit import Extract, Policy, Provenance, scan_signals
from postloan_audit.commands.cli import main
from postloan_audit.warning import (
    NOT_RUN_COLUMNS,
    SIGNAL_COLUMNS,
    WATCHLIST_COLUMNS,
    write_watchlist_workbook,
)

JUNE = dt.date(2026, 6, 30)


def _book() -> Extract:
    """Borrowers: R red (other-bank overdue), O orange (a loan 40 days overdue), Y yellow (one
    loan 10 days overdue), Y3 three yellows (three loans overdue and a second lien: EW-OVERDUE
    counts once, so two yellow signals), NONE clean, LISTED red and watch-listed."""
    loans = make_loans({
        "R1": {"borrower_id": "R", "balance": 500_000.0, "branch": "东关支行",
               "loan_officer": "李四"},
        "R2": {"borrower_id": "R", "balance": 2_000_000.0},
        "O1": {"borrower_id": "O", "overdue_days": 40, "balance": 3_000_000.0},
        "Y1": {"borrower_id": "Y", "overdue_days": 10},
        "N1": {"borrower_id": "NONE"},
        "W1": {"borrower_id": "LISTED"},
    })
    external = sheet([ext("R", other_bank_overdue_days=31), ext("LISTED", enforcement=True),
                      ext("NONE")])
    lists = sheet([{"borrower_id": "LISTED", "list_type": "watch", "listed_date": "2026-01-01"},
                   {"borrower_id": "LISTED", "list_type": "reduce",
                    "listed_date": "2026-02-01"}])
    return Extract(loans=loans, external=external, lists=lists,
                   provenance=Provenance(fingerprint="f" * 64, source_name="台账_20260930.xlsx",
                                         as_of=dt.date(2026, 9, 30)))


def test_tables_have_their_columns_order_and_provenance():
    report = scan_signals(_book(), as_of=AS_OF)
    assert list(report.signals.columns) == SIGNAL_COLUMNS
    assert list(report.watchlist.columns) == WATCHLIST_COLUMNS
    assert list(report.not_run.columns) == NOT_RUN_COLUMNS
    assert report.signals[["signal_id", "borrower_id", "loan_id", "level"]].fillna("").values.tolist() == [
        ["EW-OB-OVERDUE", "R", "", "red"], ["EW-ENFORCE", "LISTED", "", "red"],
        ["EW-OVERDUE", "O", "O1", "orange"], ["EW-OVERDUE", "Y", "Y1", "yellow"]]
    w = report.watchlist
    assert w[["borrower_id", "level", "balance", "signal_ids", "signal_count", "listed",
              "list_types", "direct_listing"]].values.tolist() == [
        ["R", "red", 2_500_000.0, "EW-OB-OVERDUE", 1, False, "", True],
        ["LISTED", "red", 1_000_000.0, "EW-ENFORCE", 1, True, "watch,reduce", False],
        ["O", "orange", 3_000_000.0, "EW-OVERDUE", 1, False, "", False],
        ["Y", "yellow", 1_000_000.0, "EW-OVERDUE", 1, False, "", False]]
    # name, branch and officer of the borrower's largest loan
    assert w.iloc[0][["borrower_name", "branch", "officer"]].tolist() == ["某某公司", "城关支行",
                                                                          "张三"]
    assert w["movement"].isna().all()
    assert report.provenance.as_of == dt.date(2026, 9, 30)
    assert report.provenance.fingerprint == "f" * 64
    assert report.provenance.source_name == "台账_20260930.xlsx"
    assert report.previous is None
    for name in ("signal_id", "borrower_id", "loan_id", "level", "message", "citation"):
        assert report.signals[name].dtype == "str"
    assert str(w["balance"].dtype) == "float64" and str(w["signal_count"].dtype) == "int64"
    assert w["listed"].dtype == bool and w["direct_listing"].dtype == bool


def test_not_run_signals_name_the_data_they_lack():
    report = scan_signals(make_loans({"a": {}}, drop=["overdue_days"]), as_of=AS_OF)
    assert report.signals_run == ()
    reasons = dict(zip(report.not_run["signal_id"], report.not_run["reason"], strict=True))
    assert len(reasons) == 14
    assert reasons["EW-GUAR-CIRCLE"] == ("缺少所需数据:保证(guarantees)的列 guarantor_id(保证人编号) / "
                                         "missing data: column guarantor_id of sheet guarantees")
    assert reasons["EW-OB-OVERDUE"] == (
        "缺少所需数据:外部信息(external)的列 other_bank_overdue_days(他行逾期天数)或外部信息(external)的列 "
        "other_bank_arrears_days(他行欠息天数) / missing data: column other_bank_overdue_days of "
        "sheet external or column other_bank_arrears_days of sheet external")
    assert reasons["EW-CLASS-DOWN"] == "缺少所需数据:上期台账(previous) / missing data: the previous snapshot"
    assert reasons["EW-RATING-DOWN"] == ("缺少所需数据:上期台账的列 rating(信用等级) / missing data: "
                                         "column rating of the previous snapshot")
    assert reasons["EW-OVERDUE"] == "缺少所需数据:列 overdue_days(逾期天数) / missing data: column overdue_days"
    assert reasons["EW-GROUP"] == "缺少所需数据:列 group_id(集团编号) / missing data: column group_id"
    assert report.signals.empty and report.watchlist.empty
    assert list(report.watchlist.columns) == WATCHLIST_COLUMNS


@pytest.mark.parametrize("counts,expected", [
    ({}, "orange"),
    ({"yellow_to_orange_count": 0}, "yellow"),
    ({"yellow_to_orange_count": 4}, "yellow"),
])
def test_three_yellow_signals_make_orange(counts, expected):
    loans = make_loans({"L1": {"borrower_id": "B", "overdue_days": 5},
                        "L2": {"borrower_id": "B", "overdue_days": 6}})
    external = sheet([ext("B", new_overdue_count=0)])
    collateral = sheet([{"collateral_id": "C1", "loan_id": "L1", "appraised_value": 1e6,
                         "appraisal_date": "2026-06-01", "lien_rank": 2}])
    financials = sheet(
        [{"borrower_id": "B", "period_end": str(e.date()), "period_type": "month",
          "revenue": 1e6 if e.year == 2025 else 8e5}
         for e in pd.date_range("2025-07-31", "2026-09-30", freq="ME")])
    policy = Policy.default().replace(warning=counts)
    report = scan_signals(Extract(loans=loans, external=external, collateral=collateral,
                                  financials=financials), as_of=AS_OF, policy=policy)
    row = report.watchlist.iloc[0]
    # EW-OVERDUE on two loans counts once: three yellow signals
    assert row["signal_ids"] == "EW-FIN-3M,EW-LIEN2,EW-OVERDUE"
    assert (row["signal_count"], row["level"]) == (3, expected)


def test_three_orange_signals_make_red():
    loans = make_loans({"L1": {"borrower_id": "B", "overdue_days": 45, "group_id": "G"},
                        "L2": {"borrower_id": "N", "classification": "substandard",
                               "group_id": "G"}})
    external = sheet([ext("B", new_overdue_count=2)])
    orange3 = scan_signals(Extract(loans=loans, external=external), as_of=AS_OF).watchlist
    assert orange3.set_index("borrower_id").loc["B", ["signal_ids", "level"]].tolist() == [
        "EW-GROUP,EW-NEW-OVERDUE,EW-OVERDUE", "red"]
    never = Policy.default().replace(warning={"orange_to_red_count": 0})
    assert scan_signals(Extract(loans=loans, external=external), as_of=AS_OF, policy=never
                        ).watchlist.set_index("borrower_id").loc["B", "level"] == "orange"


def test_movement_against_the_previous_snapshot():
    now = make_loans({"N1": {"borrower_id": "NEW", "overdue_days": 5},
                      "U1": {"borrower_id": "UP", "overdue_days": 40},
                      "D1": {"borrower_id": "DOWN", "overdue_days": 5},
                      "S1": {"borrower_id": "SAME", "overdue_days": 3},
                      "X1": {"borrower_id": "EXIT", "balance": 800_000.0},
                      "X2": {"borrower_id": "GONE_KEPT"}})
    then = make_loans({"U1": {"borrower_id": "UP", "overdue_days": 5},
                       "D1": {"borrower_id": "DOWN", "overdue_days": 50},
                       "S1": {"borrower_id": "SAME", "overdue_days": 9},
                       "X1": {"borrower_id": "EXIT", "overdue_days": 9, "branch": "旧支行"},
                       "Z1": {"borrower_id": "SETTLED", "overdue_days": 60,
                              "borrower_name": "已结清公司", "branch": "西关支行"}})
    previous = Extract(loans=then, as_of=JUNE)
    report = scan_signals(Extract(loans=now), as_of=AS_OF, previous=previous)
    w = report.watchlist
    assert w[["borrower_id", "level", "movement"]].fillna("").values.tolist() == [
        ["UP", "orange", "up"], ["DOWN", "yellow", "down"], ["NEW", "yellow", "new"],
        ["SAME", "yellow", "same"], ["EXIT", "", "exit"], ["SETTLED", "", "exit"]]
    gone = w.set_index("borrower_id")
    # still in the ledger: today's branch and balance; settled: the earlier list's name, 0
    assert gone.loc["EXIT", ["branch", "balance", "signal_ids", "signal_count"]].tolist() == [
        "城关支行", 800_000.0, "", 0]
    assert gone.loc["SETTLED", ["borrower_name", "branch", "balance"]].tolist() == [
        "已结清公司", "西关支行", 0.0]
    assert report.previous.as_of == JUNE
    assert report.counts_by_movement().values.tolist() == [
        ["new", 1], ["up", 1], ["down", 1], ["same", 1], ["exit", 2]]
    assert report.counts_by_level().values.tolist() == [
        ["red", 0, 0.0], ["orange", 1, 1_000_000.0], ["yellow", 3, 3_000_000.0]]


def test_previous_snapshot_needs_a_date_not_after_the_scan():
    loans = make_loans({"a": {}})
    with pytest.raises(ValueError, match="上期台账没有数据日期"):
        scan_signals(loans, as_of=AS_OF, previous=loans)
    with pytest.raises(ValueError, match="晚于预警日期"):
        scan_signals(loans, as_of=AS_OF, previous=Extract(loans=loans, as_of=dt.date(2026, 12, 31)))
    with pytest.raises(ValueError, match="as_of is required"):
        scan_signals(loans, as_of=None)


# --------------------------------------------------------------------------- LIST-WATCH

def test_list_watch_flags_direct_listing_cases_not_on_the_watch_list():
    loans = make_loans({
        "A1": {"borrower_id": "A", "group_id": "G"}, "A2": {"borrower_id": "A", "balance": 0.0},
        "W1": {"borrower_id": "W"},
        "M1": {"borrower_id": "M"},
        "B1": {"borrower_id": "B", "group_id": "G"},
        "OLD": {"borrower_id": "OLD"},
        "C29": {"borrower_id": "C29"},
    })
    external = sheet([ext("A", other_bank_overdue_days=30), ext("W", other_bank_litigation=True),
                      ext("M", other_bank_litigation=True), ext("OLD", other_bank_arrears_days=60),
                      ext("C29", other_bank_overdue_days=29)])
    lists = sheet([
        {"borrower_id": "W", "list_type": "watch", "listed_date": "2026-03-01",
         "removed_date": None},
        {"borrower_id": "M", "list_type": "monitor", "listed_date": "2026-03-01",
         "removed_date": None},
        {"borrower_id": "OLD", "list_type": "watch", "listed_date": "2025-03-01",
         "removed_date": "2026-01-01"},
    ])
    tail = (";客户未列入授信风险监控名单;授信主体或担保主体在他行贷款逾期或欠息30天以上、在其他银行的借款被诉讼,"
            "或关联企业、主要股东出现问题导致集团性风险蔓延的,原则上应直接列入授信风险监控名单")
    got = messages(Extract(loans=loans, external=external, lists=lists), "LIST-WATCH")
    assert got == {
        "A1": "借款人(2026-09-15征信):他行逾期30天(标准:30天以上)" + tail,
        "M1": "借款人(2026-09-15征信):在他行的借款被起诉" + tail,
        "B1": "同一集团(G)成员某某公司(A)存在红色预警情形(他行逾期或欠息)" + tail,
        "OLD": "借款人(2026-09-15征信):他行欠息60天(标准:30天以上)" + tail,
    }
    # the warning scan agrees: the same borrowers are direct-listing cases
    w = scan_signals(Extract(loans=loans, external=external, lists=lists), as_of=AS_OF).watchlist
    assert set(w.loc[w["direct_listing"], "borrower_id"]) == {"A", "W", "M", "B", "OLD"}


def test_list_watch_needs_the_lists_and_external_sheets_and_notes_a_missing_group():
    from postloan_audit import run_checks

    loans = make_loans({"a": {}})
    report = run_checks(Extract(loans=loans, external=sheet([ext("B-a")])), as_of=AS_OF,
                        rules=["LIST-WATCH"])
    assert report.not_run.values.tolist() == [
        ["LIST-WATCH", "缺少所需数据:名单表(lists) / missing data: sheet lists"]]
    lists = sheet([{"borrower_id": "x", "list_type": "watch", "listed_date": "2026-01-01"}])
    report = run_checks(Extract(loans=loans, lists=lists), as_of=AS_OF, rules=["LIST-WATCH"])
    assert report.not_run["reason"].tolist() == ["缺少所需数据:外部信息表(external) / missing data: "
                                                 "sheet external"]
    report = run_checks(Extract(loans=loans, lists=lists, external=sheet([ext("B-a")])),
                        as_of=AS_OF, rules=["LIST-WATCH"])
    assert report.rules_run == ("LIST-WATCH",) and report.findings.empty
    assert report.warnings == ("LIST-WATCH:缺少所需数据,未判断:集团性风险蔓延 / not judged for lack of "
                               "data: group_contagion",)


# --------------------------------------------------------------------------- workbook and command

def test_workbook_sheets_headers_and_chinese_values(tmp_path):
    report = scan_signals(_book(), as_of=AS_OF)
    path = tmp_path / "预警名单.xlsx"
    write_watchlist_workbook(report, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["预警名单", "预警信号"]
    ws = book["预警名单"]
    assert ws["A1"].value.startswith("风险预警名单:预警日期 2026-09-30,文件 台账_20260930.xlsx")
    header = [c.value for c in ws[2]]
    assert header[:7] == ["预警等级", "客户号", "客户名称", "经营机构", "客户经理", "贷款余额(元)", "预警信号"]
    first = [c.value for c in ws[3]]
    assert first[:2] == ["红", "R"] and first[6] == "借款人或保证人他行逾期欠息"
    second = [c.value for c in ws[4]]
    assert second[header.index("在列名单")] == "监控名单、压缩"
    assert second[header.index("已列入监控或重点监测名单")] == "是"
    signals = [[c.value for c in row] for row in book["预警信号"].iter_rows(min_row=2)]
    assert signals[0][:4] == ["预警等级", "信号编号", "信号名称", "客户号"]
    assert signals[1][:6] == ["红", "EW-OB-OVERDUE", "借款人或保证人他行逾期欠息", "R", "某某公司", None]


def _ledger(path, rows: list[tuple], external: list[tuple] = ()) -> None:
    """A workbook as a credit system exports it: 贷款台账 and 外部信息 with Chinese headers."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "贷款台账"
    ws.append(["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "逾期天数"])
    for row in rows:
        ws.append(list(row))
    ws = book.create_sheet("外部信息")
    ws.append(["客户号", "查询日期", "他行逾期天数"])
    for row in external:
        ws.append(list(row))
    book.save(path)


def test_warn_command_prints_levels_and_the_list_and_refuses_to_overwrite(tmp_path, capsys):
    source = tmp_path / "台账_20260930.xlsx"
    _ledger(source, [("L1", "C1", "甲公司", "城关支行", 1000, "关注", 40),
                     ("L2", "C2", "乙公司", "东关支行", 2000, "正常", 0)],
            [("C2", "2026-09-20", 35)])
    earlier = tmp_path / "台账_20260630.xlsx"
    _ledger(earlier, [("L1", "C1", "甲公司", "城关支行", 1000, "正常", 5),
                      ("L3", "C3", "丙公司", "城关支行", 500, "正常", 10)])
    out = tmp_path / "watch.xlsx"
    assert main(["warn", str(source), "--previous", str(earlier), "--as-of", "2026-09-30",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "预警信号 3 条,预警名单 2 户,其中直接列入情形 1 户" in printed
    assert "按等级 / by level" in printed and "较上期变动 / movement" in printed
    lines = printed.splitlines()
    at = lines.index("预警名单 / watch list")
    assert [line.split()[:2] for line in lines[at + 2:at + 5]] == [
        ["红", "C2"], ["橙", "C1"], ["C3", "丙公司"]]
    assert "EW-CLASS-DOWN,EW-OVERDUE" in lines[at + 3] and "升级" in lines[at + 3]
    assert "移出" in lines[at + 4]
    assert "未执行信号 / signals not run" in printed and "EW-GROUP:缺少所需数据" in printed
    assert f"预警名单已写入 / watch list written: {out}" in printed
    assert openpyxl.load_workbook(out).sheetnames == ["预警名单", "预警信号"]
    assert main(["warn", str(source), "--as-of", "2026-09-30", "--out", str(out)]) == 2
    assert "文件已存在" in capsys.readouterr().err
    assert main(["warn", str(source), "--out", str(out), "--force"]) == 0
    assert "预警日期取数据日期 2026-09-30" in capsys.readouterr().out
