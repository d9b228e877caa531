"""The watch-list page (预警名单) for risk officers and managers: :class:`WatchListDashboard`.

Shown by ``notebooks/05_watch_list.ipynb``. The page scans an extract for early-warning signals
(:func:`~postloan_audit.warning.scan.scan_signals`) against an earlier snapshot and shows what the
scan found: borrowers by level (红/橙/黄) and how they moved since the earlier snapshot, the
signals that did not run and why, the watch list filtered by branch, officer and level, one
borrower's file (its signals with their facts and citations, its loans, collateral and
guarantors, its statement ratios across periods), and the watch-list workbook.

With the audit trail (``db``, as the compliance page's follow-up) the watch list is recorded as
alerts (记入预警台账, :meth:`~postloan_audit.trail.store.AuditStore.record_alerts`); the open
alerts are shown with their state and deadline, and the 风险预警信号处理表 goes out to the branches
and comes back (:mod:`postloan_audit.trail.alert_exchange`): a returned workbook is applied whole
or not at all, each refused row named by its row number.

The scan date is the extract's data date; an extract without one makes the page ask for it,
never today by default. Every widget callback goes through plain methods that tests call
(:meth:`WatchListDashboard.load_files`, :meth:`~WatchListDashboard.load_previous_files`,
:meth:`~WatchListDashboard.set_as_of`, :meth:`~WatchListDashboard.set_filters`,
:meth:`~WatchListDashboard.select_borrower`, :meth:`~WatchListDashboard.record_alerts`,
:meth:`~WatchListDashboard.export_alerts`, :meth:`~WatchListDashboard.import_alerts`); each
catches its errors and shows them in a panel, keeping what was on screen.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from postloan_audit.compliance.policy import Policy
from postloan_audit.core.dates import coerce_optional_date
from postloan_audit.core.errors import ImportRefused, PostloanAuditError
from postloan_audit.core.extract import Extract
from postloan_audit.core.schema import (
    CLASSIFICATION_ZH,
    COLLATERAL_TYPE_ZH,
    GUARANTEE_ZH,
    GUARANTOR_TYPE_ZH,
)
from postloan_audit.core.severity import LEVEL_ZH, LEVELS
from postloan_audit.dashboard.analytics import AnalyticsPanel
from postloan_audit.dashboard.common import (
    MAX_TABLE_ROWS,
    MAX_UPLOAD_BYTES,
    SAMPLE_DIR,
    UPLOAD_ACCEPT,
    DateConfirmation,
    DateWords,
    SourcePanel,
    download_link_html,
    error_html,
    kpi_cards_html,
    show_figure,
    style_widget,
    table_html,
    user_error_message,
)
from postloan_audit.ingest.loader import load_extract
from postloan_audit.trail.alert_exchange import export_alerts_workbook, import_alerts_workbook
from postloan_audit.trail.store import AuditStore, open_store
from postloan_audit.warning import MOVEMENT_ZH, SignalReport, scan_signals
from postloan_audit.warning.catalogue import SIGNALS
from postloan_audit.warning.signals import TREND_INDICATORS, indicator_values
from postloan_audit.warning.workbook import write_watchlist_workbook

#: The bundled sample scanned at start, and the earlier snapshot scanned with it.
DEFAULT_SAMPLE = "network_snapshot_20260930.xlsx"
DEFAULT_PREVIOUS = "network_snapshot_20260630.xlsx"
#: The earlier snapshot that goes with a bundled sample (used while no 上期台账 is uploaded).
SAMPLE_PREVIOUS: dict[str, str] = {DEFAULT_SAMPLE: DEFAULT_PREVIOUS}
#: How page 05 names its date and what a far one would do.
SCAN_DATE_WORDS = DateWords(
    noun="预警日期", noun_en="scan date", button="仍按此日期扫描",
    far_zh="按这个日期扫描,台账之后的还款、财务报表和名单变化都不在数据中,到期、逾期和报表类预警信号会"
           "成批出现或消失,并非真实变化。",
    far_en="The scan date is far from the extract's date: maturity, arrears and statement "
           "signals would appear or vanish wholesale.")
#: Dropdown value meaning "no filter" (its label is 全部).
ALL = "__all__"

#: The watch list on screen: key columns first, so they fit 1366 px without scrolling the table.
WATCH_HEADERS: dict[str, str] = {
    "level_zh": "预警等级", "borrower_id": "客户号", "borrower_name": "客户名称",
    "branch": "经营机构", "officer": "客户经理", "balance": "贷款余额(元)",
    "signal_titles": "信号", "movement_zh": "较上期变动",
}
EXIT_HEADERS: dict[str, str] = {"borrower_id": "客户号", "borrower_name": "客户名称",
                                "branch": "经营机构", "officer": "客户经理"}
NOT_RUN_HEADERS: dict[str, str] = {"signal_id": "信号编号", "title_zh": "信号名称",
                                   "reason": "未执行原因"}
SIGNAL_HEADERS: dict[str, str] = {"level_zh": "等级", "title_zh": "信号名称", "signal_id": "信号编号",
                                  "loan_id": "借据号", "message": "预警事实", "citation": "依据"}
LOAN_HEADERS: dict[str, str] = {
    "loan_id": "借据号", "product": "贷款品种", "balance": "贷款余额(元)", "classification": "五级分类",
    "overdue_days": "逾期天数", "maturity_date": "到期日期", "guarantee_type": "担保方式",
    "rating": "信用等级",
}
COLLATERAL_HEADERS: dict[str, str] = {
    "collateral_id": "押品编号", "loan_id": "借据号", "collateral_type": "押品类型",
    "appraised_value": "评估价值(元)", "appraisal_date": "评估日期",
    "previous_value": "上次评估价值(元)", "lien_rank": "抵押顺位",
}
GUARANTEE_HEADERS: dict[str, str] = {
    "loan_id": "借据号", "guarantor_id": "保证人编号", "guarantor_name": "保证人名称",
    "guarantor_type": "保证人类型", "guaranteed_amount": "担保金额(元)",
    "guarantor_rating": "保证人信用等级",
}
ALERT_HEADERS: dict[str, str] = {
    "alert_id": "预警编号", "level_zh": "预警等级", "borrower_id": "客户号",
    "borrower_name": "客户名称", "branch": "经营机构", "status": "状态", "deadline": "处置期限",
    "overdue_zh": "逾期", "responsible": "责任人", "measures": "处置措施", "raised_on": "发起日期",
}
REFUSED_HEADERS: dict[str, str] = {"excel_row": "行号", "finding_key": "预警编号",
                                   "problem": "原因"}
#: Coded columns of the borrower's file shown by their Chinese names.
_CODES_ZH: dict[str, dict[str, str]] = {
    "classification": CLASSIFICATION_ZH, "guarantee_type": GUARANTEE_ZH,
    "collateral_type": COLLATERAL_TYPE_ZH, "guarantor_type": GUARANTOR_TYPE_ZH,
}
#: Ratios charted in a borrower's file: those of EW-FIN-TREND (资产负债率, 流动比率, 毛利率).
RATIO_TITLES: tuple[str, ...] = tuple(name for name, *_ in TREND_INDICATORS)
_CJK_FONT = ("Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, "
             "SimHei, sans-serif")
#: The signal titles and the facts wrap; ids, names and amounts stay on one line.
_STYLE = """
<style>
#pa-watchlist th, #pa-watch-signals th, #pa-alerts th { white-space: nowrap; }
#pa-watchlist td { white-space: nowrap; }
#pa-watchlist td:nth-child(7) { white-space: normal; min-width: 220px; }
#pa-watch-signals td:nth-child(5), #pa-watch-signals td:nth-child(6) { min-width: 240px; }
.pa-level-red { color: #b71c1c; font-weight: 600; }
.pa-level-orange { color: #c75c00; font-weight: 600; }
.pa-level-yellow { color: #8d6e00; font-weight: 600; }
</style>
"""


def _titles(signal_ids: pd.Series) -> pd.Series:
    """Comma-joined signal ids as their Chinese titles joined by 、."""
    zh = {sid: s.title_zh for sid, s in SIGNALS.items()}
    parts = signal_ids.fillna("").astype(object).str.split(",").explode()
    return parts.map(zh).fillna("").groupby(level=0).agg("、".join).reindex(
        signal_ids.index, fill_value="").astype("str")


def _in_chinese(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame[columns]`` with coded values (五级分类, 担保方式 …) by their Chinese names."""
    out = frame[columns].copy()
    for c in columns:
        if c in _CODES_ZH:
            values = out[c].astype(object)
            out[c] = values.map(_CODES_ZH[c]).where(values.isin(list(_CODES_ZH[c])), values)
    return out


def ratio_table(financials: pd.DataFrame, borrower_id: str) -> pd.DataFrame:
    """One borrower's statement ratios by period (``period_end`` and one column per
    :data:`RATIO_TITLES`), as EW-FIN-TREND computes them; oldest first."""
    rows = financials.loc[(financials["borrower_id"].astype("str") == borrower_id).to_numpy()]
    rows = rows.assign(period_end=pd.to_datetime(rows["period_end"], errors="coerce"))
    rows = rows.loc[rows["period_end"].notna()].sort_values("period_end", kind="stable")
    out = pd.DataFrame({"period_end": rows["period_end"].to_numpy()})
    for name, columns, _direction, _percent in TREND_INDICATORS:
        out[name] = (indicator_values(rows.reset_index(drop=True), columns)
                     if all(c in rows.columns for c in columns) else np.nan)
    return out


def ratio_figure(ratios: pd.DataFrame, title: str) -> go.Figure:
    """A line per ratio across the statements' dates (报表比率走势)."""
    fig = go.Figure()
    for name in RATIO_TITLES:
        if ratios[name].notna().any():
            fig.add_trace(go.Scatter(x=ratios["period_end"], y=ratios[name], name=name,
                                     mode="lines+markers",
                                     hovertemplate=f"{name}:%{{y:.2f}}<br>%{{x|%Y-%m-%d}}"
                                                   "<extra></extra>"))
    fig.update_layout(title={"text": title}, font={"family": _CJK_FONT, "size": 12},
                      height=320, margin={"l": 50, "r": 20, "t": 50, "b": 40},
                      xaxis={"title": {"text": "报表日期"}}, yaxis={"title": {"text": "比率"}},
                      plot_bgcolor="white", legend={"orientation": "h"})
    return fig


class WatchListDashboard:
    """预警名单: scan an extract, review the watch list and a borrower's file, track alerts.

    Parameters
    ----------
    sample:
        File name of the bundled sample scanned by :meth:`start`.
    previous_sample:
        The bundled earlier snapshot scanned with ``sample`` (None: none); replaced by an
        uploaded 上期台账, dropped when another extract is used.
    as_of:
        The scan date for the first load (a date or ``'YYYY-MM-DD'``); None takes the
        extract's data date; without one the page asks for it (never today by default).
    policy:
        The :class:`~postloan_audit.compliance.policy.Policy` (defaults when None).
    db, trail:
        The audit-trail store (path or URL; default ``POSTLOAN_AUDIT_DB``, else
        ``~/.postloan-audit/audit.db``) and whether to show the 预警台账 section.
    user, today:
        Who records (default: the sign-in proxy's user) and the day overdue alerts are judged
        on (default today).

    Attributes
    ----------
    extract, previous, report:
        The extract scanned, the earlier snapshot (or None) and the scan's
        :class:`~postloan_audit.warning.scan.SignalReport` (None before the first scan).
    view:
        The watch list on screen after the filters (watched borrowers, not the exits).
    borrower_id:
        The borrower whose file is shown (None: none).
    workbook_bytes, alerts_bytes:
        The watch-list workbook of :attr:`report` and the last exported 风险预警信号处理表.
    analytics:
        The 审计分析 section (:class:`~postloan_audit.dashboard.analytics.AnalyticsPanel`) of
        the extract scanned and its earlier snapshot.
    alerts, refused:
        The open alerts on screen and the rows refused by the last import.
    """

    def __init__(self, *, sample: str = DEFAULT_SAMPLE,
                 previous_sample: str | None = DEFAULT_PREVIOUS,
                 as_of: dt.date | str | None = None, policy: Policy | None = None,
                 db: str | os.PathLike | None = None, trail: bool = True,
                 user: str | None = None, today: dt.date | None = None) -> None:
        self.policy = policy or Policy.default()
        self._first_as_of = coerce_optional_date(as_of, what=("预警日期", "scan date"))
        self._previous_sample = previous_sample
        self._db, self._user, self.today = db, user, today
        self._store: AuditStore | None = None
        self._quiet = False
        self.extract: Extract | None = None
        self.previous: Extract | None = None
        self._previous_uploaded = False
        self.report: SignalReport | None = None
        self.view = pd.DataFrame(columns=list(WATCH_HEADERS))
        self.borrower_id: str | None = None
        self.workbook_bytes = b""
        self.alerts = pd.DataFrame(columns=list(ALERT_HEADERS))
        self.refused = pd.DataFrame(columns=list(REFUSED_HEADERS))
        self.alerts_bytes = b""

        self.source = SourcePanel(self._on_loaded, default=sample,
                                  title="一、数据来源(本期台账)")
        self.previous_upload = widgets.FileUpload(accept=UPLOAD_ACCEPT, multiple=False,
                                                  description="上传上期台账")
        self.previous_clear = widgets.Button(description="不用上期台账",
                                             layout=widgets.Layout(width="120px"))
        self.previous_status = widgets.HTML()
        self.previous_error = widgets.HTML()
        self.as_of_picker = widgets.DatePicker(description="预警日期",
                                               layout=widgets.Layout(width="320px"))
        # the scan date, confirmed when the data cannot vouch for it (as on page 02)
        self.date_check = DateConfirmation(SCAN_DATE_WORDS)
        self.date_note = self.date_check.note
        self.run_error = widgets.HTML()
        self.result_header = widgets.HTML()
        self.kpis = widgets.HTML()
        self.notes_html = widgets.HTML()
        self.not_run_html = widgets.HTML()
        self.download = widgets.HTML()
        narrow = widgets.Layout(width="300px")
        self.branch_filter = widgets.Dropdown(options=[("全部", ALL)], value=ALL,
                                              description="机构", layout=narrow)
        self.officer_filter = widgets.Dropdown(options=[("全部", ALL)], value=ALL,
                                               description="客户经理", layout=narrow)
        self.level_filter = widgets.Dropdown(
            options=[("全部", ALL), *[(f"{LEVEL_ZH[lv]}色", lv) for lv in LEVELS]], value=ALL,
            description="预警等级", layout=widgets.Layout(width="220px"))
        self.view_note = widgets.HTML()
        self.table_html = widgets.HTML()
        self.exits_html = widgets.HTML()
        self.borrower_picker = widgets.Dropdown(options=[("(请选择客户)", None)], value=None,
                                                description="客户",
                                                layout=widgets.Layout(width="520px"))
        self.borrower_picker.add_class("pa-borrower-picker")
        self.borrower_html = widgets.HTML()
        self.ratio_plot = widgets.Output()
        self.ratio_note = widgets.HTML()
        # 预警台账 (audit trail)
        self.record_button = widgets.Button(description="记入预警台账", icon="save",
                                            button_style="success", disabled=True,
                                            layout=widgets.Layout(width="160px"))
        self.record_message = widgets.HTML()
        self.alerts_html = widgets.HTML()
        self.export_button = widgets.Button(description="导出风险预警信号处理表", icon="download",
                                            layout=widgets.Layout(width="240px"))
        self.alerts_download = widgets.HTML()
        self.alerts_upload = widgets.FileUpload(accept=".xlsx", multiple=False,
                                                description="上传处理表", button_style="info")
        self.import_result = widgets.HTML()

        # 审计分析 (audit analytics) of the extract scanned: the circles feed EW-GUAR-CIRCLE
        self.analytics = AnalyticsPanel(title="五、审计分析")

        self.trail = trail
        trail_section = [
            widgets.HTML("<h3>六、预警台账</h3><p class='pa-note'>把本次预警名单记入预警台账:新进入名单的"
                         "客户发起预警,已有未解除预警的客户延续原预警。预警按 发起 → 认定(或排除)→ 处置 → "
                         "解除 跟踪,处置期限按预警等级确定。导出风险预警信号处理表交分支机构填写状态、处置措施、"
                         "责任人和处置期限后上传;任何一行不通过校验则整份不导入。</p>"),
            widgets.HBox([self.record_button]), self.record_message, self.alerts_html,
            widgets.HBox([self.export_button, self.alerts_download]),
            widgets.HBox([self.alerts_upload]), self.import_result,
        ] if trail else []
        self.widget = widgets.VBox([
            style_widget(), widgets.HTML(_STYLE),
            self.source.widget,
            widgets.HTML("<p class='pa-note'>上期台账(可选):上传上一期的台账,比较预警名单的变动"
                         "(新增、升级、降级、移出),并判断五级分类下调、信用等级下调。</p>"),
            widgets.HBox([self.previous_upload, self.previous_clear]),
            self.previous_status, self.previous_error,
            widgets.HTML("<h3>二、预警结果</h3><p class='pa-note'>预警日期默认取台账的数据日期。</p>"),
            self.as_of_picker, self.date_note, self.date_check.button, self.run_error,
            self.result_header, self.kpis, self.notes_html, self.download,
            widgets.HTML("<h4>未执行的信号及原因</h4>"), self.not_run_html,
            widgets.HTML("<h3>三、预警名单</h3><p class='pa-note'>按机构、客户经理、预警等级筛选;"
                         "选“全部”不筛选。</p>"),
            widgets.HBox([self.branch_filter, self.officer_filter, self.level_filter]),
            self.view_note, self.table_html, self.exits_html,
            widgets.HTML("<h3>四、客户预警档案</h3><p class='pa-note'>从名单中选择一户,查看其预警信号"
                         "及事实、贷款、押品、保证人和财务报表比率。</p>"),
            self.borrower_picker, self.borrower_html, self.ratio_note, self.ratio_plot,
            self.analytics.widget,
            *trail_section,
        ])
        self.date_check.button.on_click(lambda _b: self.confirm_as_of())
        self.previous_upload.observe(self._on_previous_upload, names="value")
        self.previous_clear.on_click(lambda _b: self.clear_previous())
        self.as_of_picker.observe(self._on_as_of, names="value")
        for dropdown in (self.branch_filter, self.officer_filter, self.level_filter):
            dropdown.observe(self._on_filter, names="value")
        self.borrower_picker.observe(self._on_borrower, names="value")
        self.record_button.on_click(lambda _b: self.record_alerts())
        self.export_button.on_click(lambda _b: self.export_alerts())
        self.alerts_upload.observe(self._on_alerts_upload, names="value")
        self._show_previous()

    # ------------------------------------------------------------------ driving

    @property
    def store(self) -> AuditStore:
        """The audit-trail store, opened on first use."""
        if self._store is None:
            self._store = open_store(self._db, user=self._user)
        return self._store

    def start(self) -> None:
        """Load the default sample (and its earlier snapshot) and scan it."""
        self.source.start()

    def visitor_arrived(self) -> None:
        """A visitor of a pre-heated page (``dashboard/visitor.py``): the alerts as they are
        in the store now."""
        if self.trail:
            self.refresh_alerts()

    def load_files(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Scan an uploaded ``(content, filename)`` extract; True when it loaded and was
        scanned (False also while the page waits for the scan date)."""
        return (self.source.load_files(files) and self.run_error.value == ""
                and self.date_note.value == "")

    def load_previous_files(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Use an uploaded earlier snapshot (上期台账) and scan again; a bad file shows the error
        panel and the earlier snapshot in use stays."""
        try:
            (content, name), = files
            if len(content) > MAX_UPLOAD_BYTES:
                raise ValueError(f"文件 {name} 超过 100 MB。 / {name} is larger than 100 MB.")
            extra = {"profile": self.source.profile} if self.source.profile is not None else {}
            previous = load_extract(bytes(content), filename=name, **extra)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            hint = (f"仍使用上期台账:{self.previous.source_name}。" if self.previous is not None
                    else "尚未使用上期台账。")
            self.previous_error.value = _error(exc, hint + " / Nothing changed.")
            return False
        self.previous_error.value = ""
        self.previous, self._previous_uploaded = previous, True
        self._show_previous()
        return self.run()

    def clear_previous(self) -> bool:
        """Scan without an earlier snapshot (the 不用上期台账 button)."""
        self.previous, self._previous_uploaded = None, False
        self._previous_sample = None
        self.previous_error.value = ""
        self._show_previous()
        return self.run() if self.extract is not None else True

    def set_as_of(self, day: dt.date | str) -> bool:
        """Scan at ``day``; True when the scan succeeded."""
        self.as_of_picker.value = pd.Timestamp(day).date()
        return self.run_error.value == "" and self.date_note.value == ""

    def confirm_as_of(self) -> bool:
        """Scan at the picked date although the file has no data date or one far from it
        (the button 「仍按此日期扫描」)."""
        if self.extract is not None:
            self.date_check.confirm(self.as_of_picker.value, [self.extract])
        return self.run()

    @property
    def confirm_days(self) -> int:
        """Days between scan date and data date beyond which a scan asks for confirmation
        (the policy's ``check_date.confirm_days``, as on page 02)."""
        return Policy.coerce(self.policy).check_date.confirm_days

    def set_filters(self, *, branch: str | None = None, officer: str | None = None,
                    level: str | None = None) -> pd.DataFrame:
        """Filter the watch list (None leaves a filter as it is; ``ALL`` clears it)."""
        self._quiet = True
        try:
            for dropdown, value in ((self.branch_filter, branch),
                                    (self.officer_filter, officer), (self.level_filter, level)):
                if value is not None:
                    dropdown.value = value
        finally:
            self._quiet = False
        self._apply_filters()
        return self.view

    def select_borrower(self, borrower_id: str | None) -> bool:
        """Show one borrower's file (None clears it); True when shown."""
        self.borrower_picker.value = borrower_id
        return borrower_id is not None and self.borrower_id == borrower_id

    def run(self) -> bool:
        """Scan the extract at the picked date against the earlier snapshot; True on success.

        On failure the error panel says why and the previous results stay on screen.
        """
        self.run_error.value = ""
        if self.extract is None:
            return False
        day = self.as_of_picker.value
        stale = self._stale_hint()
        if self.date_check.waits(day, [self.extract], confirm_days=self.confirm_days,
                                 stale=stale):
            return False
        try:
            report = scan_signals(self.extract, as_of=day, previous=self.previous,
                                  policy=self.policy)
            buffer = io.BytesIO()
            write_watchlist_workbook(report, buffer)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.run_error.value = _error(exc, "预警扫描未完成。" + self._stale_hint()
                                          + " / The scan did not finish.")
            return False
        self.report, self.workbook_bytes = report, buffer.getvalue()
        self._show_results(report)
        self.analytics.set_book([self.extract],
                                previous=[self.previous] if self.previous is not None else [],
                                policy=self.policy)
        return True

    # ------------------------------------------------------------------ alerts

    def record_alerts(self) -> bool:
        """Record the watch list as alerts (记入预警台账) and show the open alerts."""
        if self.report is None:
            return False
        r = self.report
        try:
            rec = self.store.record_alerts(r.watchlist, r.signals, as_of=r.as_of,
                                           source_name=r.provenance.source_name or "",
                                           fingerprint=r.provenance.fingerprint or "",
                                           policy=r.policy)
        except Exception as exc:  # noqa: BLE001
            self.record_message.value = _error(exc, "本次预警名单未记入预警台账。")
            return False
        self.record_message.value = (
            f"<div class='pa-ok pa-alert-record'>{html.escape(rec.line())}"
            f"<span class='pa-note'>(操作人 {html.escape(self.store.user)})</span></div>")
        self.record_button.disabled = True
        self.refresh_alerts()
        return True

    def refresh_alerts(self) -> bool:
        """Redraw the open alerts from the store."""
        try:
            frame = self.store.alerts(open_only=True, today=self.today)
        except Exception as exc:  # noqa: BLE001
            self.alerts_html.value = _error(exc, "预警台账不可用,预警名单不受影响。")
            return False
        self.alerts = frame
        shown = frame.assign(level_zh=frame["level"].map(LEVEL_ZH),
                             overdue_zh=frame["overdue"].map({True: "是", False: ""}))
        for column in ("deadline", "raised_on"):
            shown[column] = pd.to_datetime(shown[column]).dt.strftime("%Y-%m-%d")
        late = int(frame["overdue"].sum()) if len(frame) else 0
        self.alerts_html.value = (
            f"<p class='pa-note pa-alerts-summary'>未解除预警 {len(frame):,} 户,其中逾期未处置 "
            f"{late:,} 户(处置期限已过)。</p>"
            "<div style='max-height:420px; overflow:auto'>"
            + table_html(shown[list(ALERT_HEADERS)], headers=ALERT_HEADERS, css_id="pa-alerts",
                         scroll=False) + "</div>")
        return True

    def export_alerts(self) -> bool:
        """Build the 风险预警信号处理表 of the open alerts for download."""
        try:
            buffer = io.BytesIO()
            count = export_alerts_workbook(self.store, buffer, today=self.today)
        except Exception as exc:  # noqa: BLE001
            self.alerts_download.value = _error(exc)
            return False
        self.alerts_bytes = buffer.getvalue()
        day = self.today or dt.date.today()
        self.alerts_download.value = download_link_html(
            self.alerts_bytes, f"风险预警信号处理表_{day:%Y%m%d}.xlsx",
            f"下载风险预警信号处理表(.xlsx,{count} 户)")
        return True

    def import_alerts(self, content: bytes, name: str) -> bool:
        """Apply a returned 风险预警信号处理表, all rows or none; True when applied."""
        try:
            result = import_alerts_workbook(self.store, bytes(content), filename=name)
        except Exception as exc:  # noqa: BLE001
            refused = getattr(exc, "refused", None) if isinstance(exc, ImportRefused) else None
            self.refused = (refused.copy() if refused is not None
                            else pd.DataFrame(columns=list(REFUSED_HEADERS)))
            if refused is not None:
                self.import_result.value = error_html(
                    "处理表未导入 / The workbook was refused",
                    f"文件 {exc.file_name} 有 {refused['excel_row'].nunique()} 行未通过校验,"
                    "未导入任何内容,请改正后重新上传。 / Nothing was applied.",
                    hint="预警台账未改变。") + table_html(
                        refused[list(REFUSED_HEADERS)], headers=REFUSED_HEADERS,
                        css_id="pa-alerts-refused")
            else:
                self.import_result.value = _error(exc, "整份处理表未导入,预警台账未改变。")
            return False
        self.refused = pd.DataFrame(columns=list(REFUSED_HEADERS))
        self.import_result.value = (f"<div class='pa-ok pa-alerts-import'>"
                                    f"{html.escape(result.line())}</div>")
        self.refresh_alerts()
        return True

    # ------------------------------------------------------------------ callbacks

    def _on_loaded(self, extracts: list[Extract]) -> None:
        self.extract = extracts[0]
        uploaded = self.source.sample_picker.value is None
        if not self._previous_uploaded:
            # The bundled earlier snapshot goes with its own sample only.
            name = None if uploaded else SAMPLE_PREVIOUS.get(Path(self.source.sample_picker.value)
                                                             .name)
            if name is not None and self._previous_sample == name:
                try:
                    self.previous = load_extract(SAMPLE_DIR / name)
                except Exception as exc:  # noqa: BLE001
                    self.previous = None
                    self.previous_error.value = _error(exc, "上期样例台账未能读取。")
            else:
                self.previous = None
            self._show_previous()
        given, day = self._first_as_of, self._first_as_of or self.extract.as_of
        self._first_as_of = None
        if given is not None:  # the page's parameter is the user's own choice
            self.date_check.confirm(day, [self.extract])
        self._quiet = True
        try:
            self.as_of_picker.value = day
        finally:
            self._quiet = False
        self.run()

    def _on_as_of(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self.run()

    def _on_previous_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        contents = [(bytes(files[0]["content"]), files[0]["name"])]
        self.previous_upload.value = ()
        self.load_previous_files(contents)

    def _on_filter(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._apply_filters()

    def _on_borrower(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._show_borrower(change["new"])

    def _on_alerts_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        content, name = bytes(files[0]["content"]), files[0]["name"]
        self.alerts_upload.value = ()
        self.import_alerts(content, name)

    # ------------------------------------------------------------------ drawing

    def _stale_hint(self) -> str:
        if self.report is None:
            return ""
        return (f"下方仍为上一次的预警结果({self.report.provenance.source_name},预警日期 "
                f"{self.report.as_of:%Y-%m-%d})。")

    def _show_previous(self) -> None:
        p = self.previous
        text = ("上期台账:未使用(不比较名单变动)" if p is None else
                f"上期台账:{p.source_name}(数据日期 {p.as_of or '未识别'})")
        self.previous_status.value = f"<p class='pa-note pa-previous'>{html.escape(text)}</p>"

    def _show_results(self, report: SignalReport) -> None:
        p = report.provenance
        versus = (f" · 较上期:{html.escape(report.previous.source_name or '')}"
                  f"({report.previous.as_of:%Y-%m-%d})" if report.previous is not None else "")
        self.result_header.value = (
            f"<div class='pa-ok pa-watch-result'>预警日期 <b>{report.as_of:%Y-%m-%d}</b> · "
            f"文件:{html.escape(p.source_name or '')}{versus}</div>")
        levels = report.counts_by_level().set_index("level")["borrowers"]
        cards: list[tuple[str, str] | tuple[str, str, str]] = [
            (f"{LEVEL_ZH[lv]}色预警(户)", f"{int(levels[lv]):,}") for lv in LEVELS]
        if report.previous is not None:
            moved = report.counts_by_movement().set_index("movement")["borrowers"]
            cards += [(f"本期{MOVEMENT_ZH[m]}(户)", f"{int(moved[m]):,}")
                      for m in ("new", "up", "exit")]
        else:
            why = "未使用上期台账"
            cards += [(f"本期{MOVEMENT_ZH[m]}(户)", "—", why) for m in ("new", "up", "exit")]
        cards.append(("未执行信号(个)", f"{len(report.not_run):,}"))
        self.kpis.value = kpi_cards_html(cards).replace("pa-kpis'", "pa-kpis pa-watch-kpis'", 1)
        self.notes_html.value = "".join(f"<p class='pa-note'>注意:{html.escape(w)}</p>"
                                        for w in report.warnings)
        self.download.value = download_link_html(
            self.workbook_bytes, f"预警名单_{report.as_of:%Y%m%d}.xlsx", "下载预警名单工作簿(.xlsx)")
        not_run = report.not_run.assign(title_zh=report.not_run["signal_id"].map(
            {sid: s.title_zh for sid, s in SIGNALS.items()}))
        self.not_run_html.value = (
            table_html(not_run[list(NOT_RUN_HEADERS)], headers=NOT_RUN_HEADERS,
                       css_id="pa-watch-not-run", max_rows=len(SIGNALS))
            if len(not_run) else "<p class='pa-note'>全部信号均已执行。</p>")
        self._set_filter_options()
        self._apply_filters()
        exits = report.watchlist.loc[(report.watchlist["movement"] == "exit").fillna(False)
                                     .to_numpy(dtype=bool)]
        self.exits_html.value = (
            f"<h4>较上期移出名单({len(exits):,} 户)</h4>"
            + table_html(exits[list(EXIT_HEADERS)], headers=EXIT_HEADERS, css_id="pa-watch-exits")
            if len(exits) else "")
        if self.trail:
            self.record_button.disabled = False
            self.record_message.value = ("<p class='pa-note'>本次预警名单尚未记入预警台账。</p>")
            self.refresh_alerts()
        keep = self.borrower_id
        self._show_borrower(keep if keep in set(self._watched()["borrower_id"]) else None)

    def _watched(self) -> pd.DataFrame:
        assert self.report is not None
        w = self.report.watchlist
        return w.loc[w["level"].notna().to_numpy(dtype=bool)].reset_index(drop=True)

    def _set_filter_options(self) -> None:
        w = self._watched()
        self._quiet = True
        try:
            for dropdown, column in ((self.branch_filter, "branch"),
                                     (self.officer_filter, "officer")):
                counts = w[column].dropna().value_counts().sort_index()
                options = [("全部", ALL)] + [(f"{v}({int(n)})", str(v)) for v, n in counts.items()]
                keep = dropdown.value
                dropdown.options = options
                dropdown.value = keep if keep in [v for _, v in options] else ALL
        finally:
            self._quiet = False

    def _apply_filters(self) -> None:
        if self.report is None:
            return
        w = self._watched()
        mask = np.ones(len(w), dtype=bool)
        for column, dropdown in (("branch", self.branch_filter), ("officer", self.officer_filter),
                                 ("level", self.level_filter)):
            if dropdown.value != ALL:
                mask &= (w[column] == dropdown.value).fillna(False).to_numpy(dtype=bool)
        self.view = w.loc[mask].reset_index(drop=True)
        shown = self.view.assign(
            level_zh=self.view["level"].map(LEVEL_ZH).astype("str"),
            signal_titles=_titles(self.view["signal_ids"]),
            movement_zh=self.view["movement"].map(MOVEMENT_ZH).astype("str"))
        self.view_note.value = (
            f"<p class='pa-note pa-watch-count'>筛选结果 {len(shown):,} 户,名单共 {len(w):,} 户"
            + (f";屏幕上最多显示 {MAX_TABLE_ROWS} 行" if len(shown) > MAX_TABLE_ROWS else "")
            + "。</p>")
        self.table_html.value = (
            "<div class='pa-watch-box' style='max-height:520px; max-width:100%; overflow:auto'>"
            + table_html(shown[list(WATCH_HEADERS)], headers=WATCH_HEADERS,
                         css_id="pa-watchlist", scroll=False) + "</div>")
        options = [("(请选择客户)", None)] + [
            (f"{LEVEL_ZH[lv]} · {bid} {name}", bid) for lv, bid, name in
            zip(self.view["level"], self.view["borrower_id"],
                self.view["borrower_name"].fillna(""), strict=True)]
        self._quiet = True
        try:
            keep = self.borrower_picker.value
            self.borrower_picker.options = options
            self.borrower_picker.value = keep if keep in set(self.view["borrower_id"]) else None
        finally:
            self._quiet = False
        if self.borrower_id is not None and self.borrower_picker.value is None:
            self._show_borrower(None)

    def _show_borrower(self, borrower_id: str | None) -> None:
        self.borrower_id = None
        self.ratio_note.value = ""
        show_figure(self.ratio_plot, None)
        if borrower_id is None or self.report is None or self.extract is None:
            self.borrower_html.value = ""
            return
        try:
            self.borrower_html.value = self._borrower_file(borrower_id)
            self._show_ratios(borrower_id)
        except Exception as exc:  # noqa: BLE001
            self.borrower_html.value = _error(exc, "客户档案未能显示。")
            return
        self.borrower_id = borrower_id
        if self.borrower_picker.value != borrower_id:
            self._quiet = True
            try:
                self.borrower_picker.value = borrower_id
            finally:
                self._quiet = False

    def _borrower_file(self, borrower_id: str) -> str:
        assert self.report is not None and self.extract is not None
        w = self._watched()
        row = w.loc[w["borrower_id"] == borrower_id]
        if not len(row):
            raise ValueError(f"客户 {borrower_id} 不在本期预警名单中 / not on the watch list")
        r = row.iloc[0]
        movement = MOVEMENT_ZH.get(r["movement"], "") if pd.notna(r["movement"]) else ""
        head = (f"<div class='pa-ok pa-borrower-head'><b>{html.escape(str(r['borrower_name']))}"
                f"</b>(客户号 {html.escape(borrower_id)})· {html.escape(str(r['branch']))} · "
                f"客户经理 {html.escape(str(r['officer']))} · 预警等级 "
                f"<span class='pa-level-{r['level']}'>{LEVEL_ZH[r['level']]}色</span> · "
                f"贷款余额 {float(r['balance']):,.2f} 元"
                + (f" · 较上期{html.escape(movement)}" if movement else "") + "</div>")
        s = self.report.signals
        s = s.loc[(s["borrower_id"] == borrower_id).to_numpy(dtype=bool)]
        signals = s.assign(level_zh=s["level"].map(LEVEL_ZH),
                           title_zh=s["signal_id"].map({k: v.title_zh for k, v in SIGNALS.items()}))
        parts = [head, f"<h4>预警信号({len(s)} 条)</h4>",
                 table_html(signals[list(SIGNAL_HEADERS)], headers=SIGNAL_HEADERS,
                            css_id="pa-watch-signals")]
        loans = self.extract.loans
        mine = loans.loc[(loans["borrower_id"].astype("str") == borrower_id).to_numpy(dtype=bool)]
        loan_ids = set(mine["loan_id"].astype("str"))
        cols = [c for c in LOAN_HEADERS if c in mine.columns]
        parts += [f"<h4>贷款({len(mine)} 笔)</h4>",
                  table_html(_in_chinese(mine, cols), headers=LOAN_HEADERS, css_id="pa-watch-loans")]
        for key, title, headers, css in (("collateral", "押品", COLLATERAL_HEADERS,
                                          "pa-watch-collateral"),
                                         ("guarantees", "保证人", GUARANTEE_HEADERS,
                                          "pa-watch-guarantees")):
            sheet = self.extract.sheets.get(key)
            if sheet is None:
                parts.append(f"<h4>{title}</h4><p class='pa-note'>台账无{title}工作表。</p>")
                continue
            by_loan = sheet["loan_id"].astype("str").isin(loan_ids).to_numpy(dtype=bool)
            if "borrower_id" in sheet.columns:
                # not in place: Arrow-backed columns hand out read-only arrays
                by_loan = by_loan | (sheet["borrower_id"].astype("str") == borrower_id) \
                    .fillna(False).to_numpy(dtype=bool)
            rows = sheet.loc[by_loan]
            cols = [c for c in headers if c in rows.columns]
            parts += [f"<h4>{title}({len(rows)} 条)</h4>",
                      table_html(_in_chinese(rows, cols), headers=headers, css_id=css)]
        return "".join(parts)

    def _show_ratios(self, borrower_id: str) -> None:
        assert self.extract is not None
        financials = self.extract.sheets.get("financials")
        if financials is None:
            self.ratio_note.value = ("<p class='pa-note pa-no-statements'>台账无财务报表(financials)"
                                     "工作表,无报表比率可画。</p>")
            return
        ratios = ratio_table(financials, borrower_id)
        if not len(ratios) or not ratios[list(RATIO_TITLES)].notna().any().any():
            self.ratio_note.value = ("<p class='pa-note pa-no-statements'>该客户无可计算比率的"
                                     "财务报表。</p>")
            return
        self.ratio_note.value = ("<h4>财务报表比率</h4><p class='pa-note'>资产负债率 = 负债总额 ÷ "
                                 "资产总额;流动比率 = 流动资产 ÷ 流动负债;毛利率 = (营业收入 − 营业成本)"
                                 " ÷ 营业收入。</p>")
        show_figure(self.ratio_plot, ratio_figure(ratios, f"{borrower_id} 财务报表比率"))


def _error(exc: BaseException, hint: str | None = None) -> str:
    title, message = user_error_message(exc)
    if not isinstance(exc, PostloanAuditError | ValueError):
        traceback.print_exception(exc)  # details for the administrator's server log
    return error_html(title, message, hint=hint)
