"""The audit trail on the compliance and management pages (widgets driven like a user)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd

from postloan_audit.dashboard.compliance import ComplianceDashboard
from postloan_audit.dashboard.followup import TrailSummaryPanel
from postloan_audit.trail.store import local_times

HEADERS = ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式", "逾期天数"]


def ledger_bytes(overdue: dict[str, int], branch: str = "城关支行") -> bytes:
    rows = [[f"L00{i}", f"C00{i}", f"客户{i}", branch, "100,000", "正常", "抵押",
             overdue.get(f"L00{i}", 0)] for i in range(1, 5)]
    return pd.DataFrame(rows, columns=HEADERS).to_csv(index=False).encode("utf-8")


def dashboard(tmp_path) -> ComplianceDashboard:
    dash = ComplianceDashboard(db=str(tmp_path / "audit.db"), as_of="2026-09-30")
    dash.trail.today = dt.date(2026, 10, 20)
    dash.trail._user = "合规岗"
    return dash


def test_compliance_page_compares_records_and_filters(tmp_path):
    dash = dashboard(tmp_path)
    assert dash.load_files([(ledger_bytes({"L001": 100, "L002": 120}), "台账0930.csv")])
    assert dash.trail.compare_line.startswith("与上次相比: 新增 2 / 延续 0 / 消失 0")
    assert "尚未记入检查记录" in dash.trail.compare_html.value
    assert dash.trail.record()
    assert "已记为第 1 次检查,操作人 合规岗" in dash.trail.compare_html.value
    assert dash.trail.record_button.disabled
    # No data date in the file: the page asks for the check date and its confirmation.
    assert not dash.load_files([(ledger_bytes({"L002": 150, "L003": 95}), "台账1031.csv")])
    assert not dash.set_as_of("2026-10-31")
    assert dash.confirm_as_of()
    assert dash.trail.compare_line == "与上次相比: 新增 1 / 延续 1 / 消失 1"  # preview
    assert "尚未记入检查记录" in dash.trail.compare_html.value
    assert dash.trail.record()
    assert dash.trail.compare_line == "与上次相比: 新增 1 / 延续 1 / 消失 1"
    view = dash.trail.set_filters(status="已整改(待核实)")
    assert view["loan_id"].tolist() == ["L001"]
    view = dash.trail.set_filters(status="__all__", rule="CLS-OVERDUE", branch="城关支行")
    assert view["loan_id"].tolist() == ["L001", "L002", "L003"]
    assert dash.trail.set_filters(overdue=True).empty
    dash.trail.today = dt.date(2026, 11, 30)
    assert dash.trail.set_filters(overdue=True)["loan_id"].tolist() == ["L002"]
    assert "编号" in dash.trail.history_html.value and "台账1031.csv" in dash.trail.history_html.value
    # Recorded in UTC, shown in the bank's time zone (Asia/Shanghai by default).
    runs = dash.trail.store.runs()
    shown = local_times(runs["recorded_at"], "Asia/Shanghai").tolist()
    history = dash.trail.history_html.value
    assert "<th>记录时间</th>" in history and "UTC" not in history
    assert all(f"<td>{t}</td>" in history for t in shown)
    assert "记录时间为 Asia/Shanghai 时间。" in history


def test_compliance_page_upload_of_a_returned_workbook(tmp_path):
    dash = dashboard(tmp_path)
    assert dash.load_files([(ledger_bytes({"L001": 100}), "台账.csv")])
    assert dash.trail.record() and dash.trail.export()
    wb = openpyxl.load_workbook(io.BytesIO(dash.trail.workbook_bytes))
    ws = wb["问题清单"]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(row=2, column=col["整改状态"]).value = "已整改(待核实)"
    bad = io.BytesIO()
    wb.save(bad)
    assert not dash.trail.upload_workbook(bad.getvalue(), "回传.xlsx")
    assert "第 2 行:状态「已整改(待核实)」须填写完成日期" in dash.trail.upload_result.value
    assert dash.trail.set_filters(status="已整改(待核实)").empty
    ws.cell(row=2, column=col["完成日期"]).value = dt.date(2026, 10, 10)
    good = io.BytesIO()
    wb.save(good)
    assert dash.trail.upload_workbook(good.getvalue(), "回传.xlsx")
    assert "更新整改情况 1 条" in dash.trail.upload_result.value
    assert dash.trail.set_filters(status="已整改(待核实)")["loan_id"].tolist() == ["L001"]


def test_management_panel_shows_rate_overdue_and_scorecard(tmp_path):
    dash = dashboard(tmp_path)
    # 城关: 4 high findings open → 80 points (on the line, not below); 南城: 1 → 95
    assert dash.load_files([(ledger_bytes({f"L00{i}": 100 for i in range(1, 5)}), "a.csv"),
                            (ledger_bytes({"L001": 100}, branch="南城支行").replace(b"L00", b"N00"),
                             "b.csv")])
    assert dash.trail.record()
    panel = TrailSummaryPanel(db=str(tmp_path / "audit.db"), today=dt.date(2026, 11, 30))
    assert panel.refresh()
    assert panel.scorecard[["branch", "open_high", "score", "below_pass"]].values.tolist() == [
        ["城关支行", 4, 80.0, False], ["南城支行", 1, 95.0, False]]
    s = panel.summary.set_index("branch")
    assert s.loc["合计", ["total", "overdue", "closed"]].tolist() == [5, 5, 0]
    assert "整改率(已销号)" in panel.kpis.value and "0.0%" in panel.kpis.value
    assert "低于80分机构(家)" in panel.kpis.value
    assert "pa-scorecard" in panel.score_table.value and "pa-trail-overdue" in \
        panel.overdue_table.value


def test_management_panel_reports_an_unusable_store(tmp_path):
    (tmp_path / "dir.db").mkdir()
    panel = TrailSummaryPanel(db=str(tmp_path / "dir.db"))
    assert not panel.refresh()
    assert "检查记录库不可用" in panel.error.value


def test_management_panel_on_an_empty_store_draws_no_chart(tmp_path):
    panel = TrailSummaryPanel(db=str(tmp_path / "empty.db"))
    assert panel.refresh()
    assert "尚无检查记录" in panel.kpis.value
    assert panel.trend_plot.outputs == () and panel.score_plot.outputs == ()
