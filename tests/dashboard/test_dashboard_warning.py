"""The watch-list page (预警名单, notebooks/05_watch_list.ipynb) driven like a user: counts on the
bundled snapshots equal scan_signals', filters, a borrower's file, a bad upload, the alerts of
the audit trail and the 风险预警信号处理表 round trip."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from postloan_audit import scan_signals
from postloan_audit.dashboard import WatchListDashboard
from postloan_audit.dashboard.common import SAMPLE_DIR
from postloan_audit.ingest.loader import load_extract

NOW = SAMPLE_DIR / "network_snapshot_20260930.xlsx"
BEFORE = SAMPLE_DIR / "network_snapshot_20260630.xlsx"
TODAY = dt.date(2026, 10, 20)
GARBAGE_XLSX = (b"PK\x03\x04 this is not really a workbook", "台账.xlsx")


@pytest.fixture(scope="module")
def expected():
    """What scan_signals finds on the same two files."""
    return scan_signals(load_extract(NOW), as_of=None, previous=load_extract(BEFORE))


@pytest.fixture
def dash(tmp_path) -> WatchListDashboard:
    page = WatchListDashboard(db=str(tmp_path / "audit.db"), user="风险岗", today=TODAY)
    page.start()
    return page


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", value))


def test_counts_by_level_and_movement_equal_scan_signals(dash, expected):
    assert dash.run_error.value == "" and dash.date_note.value == ""
    assert dash.report.as_of == dt.date(2026, 9, 30)
    assert dash.previous.source_name == "network_snapshot_20260630.xlsx"
    levels = expected.counts_by_level().set_index("level")["borrowers"]
    moved = expected.counts_by_movement().set_index("movement")["borrowers"]
    kpis = _text(dash.kpis.value)
    for zh, level in (("红", "red"), ("橙", "orange"), ("黄", "yellow")):
        assert f"{zh}色预警(户) {int(levels[level])} " in kpis
    assert (int(levels["red"]), int(levels["orange"]), int(levels["yellow"])) == (19, 109, 25)
    for zh, movement in (("新增", "new"), ("升级", "up"), ("移出", "exit")):
        assert f"本期{zh}(户) {int(moved[movement])} " in kpis
    assert f"未执行信号(个) {len(expected.not_run)} " in kpis
    assert dash.view["borrower_id"].tolist() == expected.watchlist.loc[
        expected.watchlist["level"].notna(), "borrower_id"].tolist()
    # every signal not run is listed with its reason
    for rec in expected.not_run.to_dict("records"):
        assert rec["signal_id"] in dash.not_run_html.value
    # the samples carry every sheet of the borrower's file: every signal ran
    assert expected.not_run.empty and "全部信号均已执行。" in dash.not_run_html.value
    # the watch-list workbook of the same scan
    book = openpyxl.load_workbook(io.BytesIO(dash.workbook_bytes))
    assert book.sheetnames == ["预警名单", "预警信号"]
    assert "预警名单_20260930.xlsx" in dash.download.value
    # key columns first, Chinese headers
    heads = re.findall(r"<th>([^<]+)</th>", dash.table_html.value)
    assert heads == ["预警等级", "客户号", "客户名称", "经营机构", "客户经理", "贷款余额(元)", "信号",
                     "较上期变动"]


def test_filters_narrow_to_the_exact_borrowers(dash, expected):
    w = expected.watchlist
    on = w.loc[w["level"].notna()]
    view = dash.set_filters(branch="城关支行", level="yellow")
    want = on.loc[(on["branch"] == "城关支行") & (on["level"] == "yellow"), "borrower_id"]
    assert view["borrower_id"].tolist() == want.tolist()
    officer = on["officer"].iloc[0]
    view = dash.set_filters(branch="__all__", level="__all__", officer=officer)
    assert view["borrower_id"].tolist() == on.loc[on["officer"] == officer,
                                                  "borrower_id"].tolist()
    assert f"筛选结果 {len(view)} 户,名单共 {len(on)} 户" in dash.view_note.value
    # the borrower picker offers the filtered borrowers only
    assert [v for _, v in dash.borrower_picker.options][1:] == view["borrower_id"].tolist()


def test_a_borrowers_file_shows_its_signals_loans_collateral_guarantors_and_ratios(dash,
                                                                                  expected):
    bid = "0000010373"
    assert dash.select_borrower(bid)
    shown = dash.borrower_html.value
    mine = expected.signals.loc[expected.signals["borrower_id"] == bid]
    assert len(mine) == 2 and "预警信号(2 条)" in shown
    for message, citation in zip(mine["message"], mine["citation"], strict=True):
        assert message in shown and citation in shown
    others = expected.signals.loc[expected.signals["borrower_id"] != bid, "message"]
    assert not any(m in shown for m in set(others) - set(mine["message"]))
    assert "001202600008068" in shown and "正常" in shown and "贷款(1 笔)" in shown
    assert "押品(1 条)" in shown and "YP20260000806801" in shown
    assert "保证人(2 条)" in shown and "8000000006" in shown and "5000000686" in shown
    # its five statements drawn as ratios across periods
    assert "资产负债率 = 负债总额 ÷ 资产总额" in dash.ratio_note.value
    assert len(dash.ratio_plot.outputs) == 1
    # filtering it out of the list clears its file
    dash.set_filters(branch="石桥镇支行")
    assert dash.borrower_id is None and dash.borrower_html.value == ""


def test_a_garbage_upload_shows_the_error_panel_and_keeps_the_data(dash):
    before = dash.report
    assert not dash.load_files([GARBAGE_XLSX])
    assert "pa-error" in dash.source.error.value
    assert "Traceback" not in dash.source.error.value
    assert "network_snapshot_20260930.xlsx" in dash.source.error.value
    assert dash.report is before and len(dash.view) == 153
    assert not dash.load_previous_files([GARBAGE_XLSX])
    assert "pa-error" in dash.previous_error.value
    assert dash.previous.source_name == "network_snapshot_20260630.xlsx"


def _workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


LOANS = pd.DataFrame({"借据号": ["L1", "L2"], "客户号": ["C1", "C2"], "客户名称": ["甲公司", "乙公司"],
                      "经营机构": ["城关支行", "城关支行"], "贷款余额": [1_000_000, 500_000],
                      "五级分类": ["正常", "正常"], "担保方式": ["保证", "信用"],
                      "逾期天数": [45, 0], "客户经理": ["张三", "李四"]})


def test_statements_draw_a_ratio_chart_and_an_undated_file_asks_for_the_date(tmp_path):
    page = WatchListDashboard(db=str(tmp_path / "audit.db"), today=TODAY)
    page.start()
    financials = pd.DataFrame({
        "客户号": ["C1"] * 3, "报表日期": ["2026-03-31", "2026-06-30", "2025-12-31"],
        "报表类型": ["季报"] * 3, "资产总额": [100.0, 100.0, 100.0],
        "负债总额": [60.0, 70.0, 50.0]})
    guarantees = pd.DataFrame({"借据号": ["L1"], "保证人编号": ["G1"], "保证人名称": ["丙公司"]})
    content = _workbook({"贷款台账": LOANS, "财务报表": financials, "保证": guarantees})
    # No data date in the file: asked for, never today.
    assert not page.load_files([(content, "台账.xlsx")])
    assert ("请在上方选择预警日期(台账的截止日期)" in page.date_note.value
            and page.as_of_picker.value is None)
    assert page.date_check.button.layout.display == "none"
    assert page.report.provenance.source_name == "network_snapshot_20260930.xlsx"  # kept
    assert page.previous is None  # the bundled earlier snapshot goes with its sample only
    # a picked date is confirmed before the scan, as on page 02
    assert not page.set_as_of("2026-09-30")
    assert ("预警日期现为 2026-09-30:如是台账的截止日期,请点击「仍按此日期扫描」;否则请改选日期。"
            in page.date_note.value)
    assert page.date_check.button.layout.display is None
    assert page.report.provenance.source_name == "network_snapshot_20260930.xlsx"  # still kept
    assert page.confirm_as_of()
    assert page.date_note.value == "" and page.date_check.button.layout.display == "none"
    assert page.report.watchlist["borrower_id"].tolist() == ["C1"]
    assert "本期新增(户) — 未使用上期台账" in _text(page.kpis.value)
    assert page.select_borrower("C1")
    assert "丙公司" in page.borrower_html.value and "保证人(1 条)" in page.borrower_html.value
    (output,) = page.ratio_plot.outputs
    figure = output["data"]["application/vnd.plotly.v1+json"]
    (trace,) = figure["data"]
    assert trace["name"] == "资产负债率"
    y = np.frombuffer(base64.b64decode(trace["y"]["bdata"]), dtype=trace["y"]["dtype"])
    assert y.tolist() == pytest.approx([0.5, 0.6, 0.7])  # oldest first


def test_a_scan_date_far_from_the_data_date_waits_for_confirmation(tmp_path):
    page = WatchListDashboard(db=str(tmp_path / "audit.db"), today=TODAY, trail=False)
    page.start()
    scanned = page.report
    days = page.confirm_days
    assert days == 92
    far = dt.date(2026, 9, 30) + dt.timedelta(days=days + 1)
    near = dt.date(2026, 9, 30) + dt.timedelta(days=days)
    assert not page.set_as_of(far)
    assert (f"预警日期 {far:%Y-%m-%d} 与台账数据日期相差超过 92 天:network_snapshot_20260930.xlsx"
            f"(数据日期 2026-09-30,相差 {days + 1} 天)" in page.date_note.value)
    assert page.report is scanned  # the earlier scan stays on screen
    assert page.confirm_as_of() and page.report.as_of == far
    assert page.set_as_of(near) and page.report.as_of == near and page.date_note.value == ""


def _set_cells(content: bytes, changes: dict[int, dict[str, str]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["预警处理"]
    heads = [c.value for c in sheet[1]]
    for row, cells in changes.items():
        for header, value in cells.items():
            sheet.cell(row, heads.index(header) + 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_record_then_export_and_import_with_a_refused_row(dash):
    assert dash.alerts.empty and "未解除预警 0 户" in dash.alerts_html.value
    assert dash.record_alerts()
    assert "新发起 153 / 延续 0" in dash.record_message.value
    assert "操作人 风险岗" in dash.record_message.value
    assert len(dash.alerts) == 153 and set(dash.alerts["status"]) == {"发起"}
    assert "<th>状态</th>" in dash.alerts_html.value and "<th>处置期限</th>" in dash.alerts_html.value
    # red alerts are due 15 days after the 2026-09-30 scan: the 19 red ones are past it on 10-20
    assert "未解除预警 153 户,其中逾期未处置 19 户(处置期限已过)。" in dash.alerts_html.value
    assert dash.export_alerts()
    assert "风险预警信号处理表_20261020.xlsx" in dash.alerts_download.value
    assert "153 户" in dash.alerts_download.value
    sheet = openpyxl.load_workbook(io.BytesIO(dash.alerts_bytes))["预警处理"]
    ids = [sheet.cell(r, 1).value for r in range(2, 2 + 153)]
    assert sorted(ids) == sorted(dash.alerts["alert_id"].tolist())
    # row 2 confirmed; row 3 sent straight from 发起 to 处置: refused, nothing applied
    bad = _set_cells(dash.alerts_bytes, {2: {"状态": "认定"},
                                         3: {"状态": "处置", "处置措施": "追加担保", "责任人": "王五"}})
    assert not dash.import_alerts(bad, "处理表.xlsx")
    assert dash.refused["excel_row"].tolist() == [3]
    assert "须先认定" in dash.refused["problem"].iloc[0]
    assert "<td class='num'>3</td>" in dash.import_result.value
    assert set(dash.store.alerts()["status"]) == {"发起"}
    good = _set_cells(dash.alerts_bytes, {2: {"状态": "认定"}, 3: {"状态": "认定"}})
    assert dash.import_alerts(good, "处理表.xlsx")
    assert "更新预警 2 条" in dash.import_result.value
    assert sorted(dash.alerts["status"].value_counts().items()) == [("发起", 151), ("认定", 2)]
    # 2026-11-15: the red (due 2026-10-15) and orange (due 2026-10-30) alerts are past their
    # deadline, not the yellow (due 2026-11-29)
    dash.today = dt.date(2026, 11, 15)
    assert dash.refresh_alerts()
    assert "逾期未处置 128 户" in dash.alerts_html.value
