"""The audit trail on the dashboards (整改跟踪面板).

* :class:`FollowupPanel` (compliance page): after each run, "与上次相比: 新增 N / 延续 M / 消失 K"
  against the last recorded run of the same scope, a button recording the run, and a follow-up
  tab (filters: branch, rule, status, overdue) with the upload of a returned findings workbook
  or on-site workpaper.
* :class:`TrailSummaryPanel` (management page): rectification rate, overdue rectifications by
  branch, findings over the last runs, and the branch scorecard with the 80-point line
  (``001_…`` 篇四). Branch-level figures only: no borrower appears.

Both open the store given, else ``POSTLOAN_AUDIT_DB``, else ``~/.postloan-audit/audit.db``;
the writer recorded is the signed-in user from the proxy's header (``docs/deploy.md``).
"""

from __future__ import annotations

import datetime as dt
import html
import os
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from postloan_audit.compliance.checks import CheckReport
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.severity import SEVERITY_ZH
from postloan_audit.dashboard.common import (
    download_link_html,
    error_html,
    kpi_cards_html,
    show_figure,
    table_html,
    user_error_message,
)
from postloan_audit.trail import followup as fu
from postloan_audit.trail.exchange import (
    export_findings_workbook,
    import_findings_workbook,
    import_workpaper,
)
from postloan_audit.trail.scorecard import branch_scorecard, rectification_summary
from postloan_audit.trail.store import AuditStore, local_times, open_store

ALL = "__all__"
#: Runs shown in 近期检查问题数.
RECENT_RUNS = 12
FOLLOWUP_HEADERS = {"branch": "机构", "rule_id": "规则编号", "loan_id": "借据号",
                    "borrower_name": "客户名称", "severity": "严重程度", "first_seen": "首次发现",
                    "deadline": "整改期限", "status": "整改状态", "overdue": "逾期",
                    "responsible": "责任人", "measures": "整改措施"}


def _error(exc: BaseException, hint: str | None = None) -> str:
    title, message = user_error_message(exc)
    return error_html(title, message, hint=hint)


class FollowupPanel:
    """整改跟踪 on the compliance page.

    Parameters
    ----------
    db:
        The store (path or URL); default ``POSTLOAN_AUDIT_DB`` / ``~/.postloan-audit/audit.db``.
    user:
        Who writes (default: the sign-in proxy's user, else the OS user).
    today:
        The day overdue is judged on (default today).
    time_zone:
        The bank's time zone for 记录时间 (the policy's ``trail.time_zone``, default
        Asia/Shanghai); the store keeps UTC.

    Attributes
    ----------
    compare_line:
        The last "与上次相比 …" text shown.
    view:
        The follow-up rows on screen after the filters.
    """

    def __init__(self, *, db: str | os.PathLike | None = None, user: str | None = None,
                 today: dt.date | None = None, time_zone: str | None = None) -> None:
        self._db, self._user, self.today = db, user, today
        self.time_zone = time_zone or Policy.default().trail.time_zone
        self._store: AuditStore | None = None
        self.report: CheckReport | None = None
        self._branches: pd.Series | None = None
        self.compare_line = ""
        self.view = pd.DataFrame(columns=list(FOLLOWUP_HEADERS))
        self.workbook_bytes = b""

        self.compare_html = widgets.HTML()
        self.record_button = widgets.Button(description="记入检查记录", icon="save",
                                            button_style="success", disabled=True)
        self.message = widgets.HTML()
        narrow = widgets.Layout(width="260px")
        self.branch_filter = widgets.Dropdown(options=[("全部", ALL)], value=ALL,
                                              description="机构", layout=narrow)
        self.rule_filter = widgets.Dropdown(options=[("全部", ALL)], value=ALL,
                                            description="规则", layout=narrow)
        self.status_filter = widgets.Dropdown(
            options=[("全部", ALL), *[(s, s) for s in fu.STATUSES]], value=ALL,
            description="整改状态", layout=narrow)
        self.overdue_filter = widgets.Checkbox(value=False, description="只看逾期未整改")
        self.table = widgets.HTML()
        self.export_button = widgets.Button(description="导出问题清单(含整改情况)", icon="download",
                                            layout=widgets.Layout(width="240px"))
        self.download = widgets.HTML()
        self.upload = widgets.FileUpload(accept=".xlsx", multiple=False,
                                         description="上传回传工作簿", button_style="info")
        self.upload_result = widgets.HTML()
        self.history_html = widgets.HTML()
        followup_tab = widgets.VBox([
            widgets.HTML("<p class='pa-note'>每个问题按规则、借据号(定期规则另加应检查日)跟踪,"
                         "直至销号;数据中不再出现的问题只标为“已整改(待核实)”,须核实后人工销号。"
                         "分支机构在问题清单的“整改情况”栏填写后上传,任何一行不通过校验则整份不导入。"
                         "</p>"),
            widgets.HBox([self.branch_filter, self.rule_filter, self.status_filter,
                          self.overdue_filter]),
            self.table,
            widgets.HBox([self.export_button, self.download]),
            widgets.HBox([self.upload]), self.upload_result,
        ])
        self.tabs = widgets.Tab(children=[followup_tab, self.history_html])
        self.tabs.set_title(0, "整改跟踪")
        self.tabs.set_title(1, "检查记录")
        self.widget = widgets.VBox([
            widgets.HTML("<h3>四、与上次检查比较及整改跟踪</h3>"),
            self.compare_html, widgets.HBox([self.record_button]), self.message, self.tabs])
        self.record_button.on_click(lambda _b: self.record())
        self.export_button.on_click(lambda _b: self.export())
        self.upload.observe(self._on_upload, names="value")
        for w in (self.branch_filter, self.rule_filter, self.status_filter, self.overdue_filter):
            w.observe(lambda _c: self.refresh(), names="value")

    # ------------------------------------------------------------------ store

    @property
    def store(self) -> AuditStore:
        if self._store is None:
            self._store = open_store(self._db, user=self._user)
        return self._store

    # ------------------------------------------------------------------ driving

    def show_report(self, report: CheckReport, branches: pd.Series | None = None) -> bool:
        """After a run: show the comparison with the last recorded run of the same scope."""
        self.report, self._branches = report, branches
        try:
            scope, cmp = self.store.compare(report, branches=branches)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.compare_html.value = _error(exc, "检查记录库不可用,检查结果不受影响。")
            self.record_button.disabled = True
            return False
        self.compare_line = cmp.line()
        self.compare_html.value = (
            f"<div class='pa-ok pa-compare'>{html.escape(self.compare_line)}"
            f"<span class='pa-note'>(范围 {html.escape(scope)};尚未记入检查记录)</span></div>")
        self.record_button.disabled = False
        self.refresh()
        return True

    def record(self) -> bool:
        """Record the current run (记入检查记录) and update the follow-up."""
        if self.report is None:
            return False
        try:
            rec = self.store.record_run(self.report, branches=self._branches)
        except Exception as exc:  # noqa: BLE001
            self.message.value = _error(exc, "本次检查未记录。")
            return False
        self.compare_line = rec.line()
        self.compare_html.value = (
            f"<div class='pa-ok pa-compare'>{html.escape(self.compare_line)}"
            f"<span class='pa-note'>(已记为第 {rec.run_id} 次检查,操作人 "
            f"{html.escape(self.store.user)})</span></div>")
        self.record_button.disabled = True
        self.message.value = ""
        self.refresh()
        return True

    def set_filters(self, *, branch: str | None = None, rule: str | None = None,
                    status: str | None = None, overdue: bool | None = None) -> pd.DataFrame:
        """Set the follow-up filters (None leaves one as it is; ``ALL`` clears it)."""
        for w, v in ((self.branch_filter, branch), (self.rule_filter, rule),
                     (self.status_filter, status), (self.overdue_filter, overdue)):
            if v is not None:
                w.value = v
        self.refresh()
        return self.view

    def upload_workbook(self, content: bytes, name: str) -> bool:
        """Import a returned findings workbook or on-site workpaper; True when accepted."""
        try:
            if _is_workpaper(bytes(content)):
                result = import_workpaper(self.store, bytes(content), filename=name)
            else:
                result = import_findings_workbook(self.store, bytes(content), filename=name)
        except Exception as exc:  # noqa: BLE001
            self.upload_result.value = _error(exc, "整份工作簿未导入,记录库未改变。")
            return False
        self.upload_result.value = f"<div class='pa-ok pa-upload'>{html.escape(result.line())}</div>"
        self.refresh()
        return True

    def export(self) -> bool:
        """Build the latest run's findings workbook with 整改情况 columns for download."""
        import io

        try:
            buf = io.BytesIO()
            run_id = export_findings_workbook(self.store, buf)
        except Exception as exc:  # noqa: BLE001
            self.download.value = _error(exc)
            return False
        self.workbook_bytes = buf.getvalue()
        self.download.value = download_link_html(
            self.workbook_bytes, f"问题清单_整改跟踪_第{run_id}次检查.xlsx", "下载(.xlsx)")
        return True

    def visitor_arrived(self) -> None:
        """Re-read the store for a visitor of a pre-heated page (``dashboard/visitor.py``):
        runs recorded since the page was computed change the comparison and the follow-up."""
        if self.report is not None:
            self.show_report(self.report, self._branches)
        else:
            self.refresh()

    def refresh(self) -> None:
        """Redraw the follow-up table and the run history from the store."""
        try:
            every = self.store.followup(today=self.today)
            runs = self.store.runs()
        except Exception as exc:  # noqa: BLE001
            self.table.value = _error(exc)
            return
        self._options(every)
        f = every
        for column, w in (("branch", self.branch_filter), ("rule_id", self.rule_filter),
                          ("status", self.status_filter)):
            if w.value != ALL:
                f = f.loc[(f[column] == w.value).to_numpy()]
        if self.overdue_filter.value:
            f = f.loc[f["overdue"].to_numpy(dtype=bool)]
        self.view = f.reset_index(drop=True)
        shown = self.view.assign(severity=self.view["severity"].map(SEVERITY_ZH),
                                 overdue=self.view["overdue"].map({True: "是", False: ""}))
        self.table.value = (
            f"<p class='pa-note'>共 {len(every):,} 条,筛选后 {len(f):,} 条,逾期未整改 "
            f"{int(every['overdue'].sum()):,} 条。</p>"
            "<div style='max-height:480px; overflow:auto'>"
            + table_html(shown[list(FOLLOWUP_HEADERS)], headers=FOLLOWUP_HEADERS,
                         css_id="pa-followup") + "</div>")
        runs = runs.assign(recorded_at=local_times(runs["recorded_at"], self.time_zone))
        hist = runs.rename(columns={"run_id": "编号", "recorded_at": "记录时间",
                                    "recorded_by": "操作人", "as_of": "检查日", "scope": "范围",
                                    "source_name": "文件", "findings_count": "问题数",
                                    "new_count": "新增", "carried_count": "延续",
                                    "gone_count": "消失"})
        self.history_html.value = table_html(
            hist[["编号", "记录时间", "操作人", "检查日", "范围", "文件", "问题数", "新增",
                  "延续", "消失"]], css_id="pa-history") + (
            f"<p class='pa-note'>记录时间为 {html.escape(self.time_zone)} 时间。 / times in "
            f"{html.escape(self.time_zone)}.</p>")

    def _options(self, every: pd.DataFrame) -> None:
        for w, column in ((self.branch_filter, "branch"), (self.rule_filter, "rule_id")):
            values = sorted(every[column].dropna().unique())
            options = [("全部", ALL), *[(str(v), str(v)) for v in values]]
            if list(w.options) != options:
                keep = w.value
                w.options = options
                w.value = keep if keep in [v for _, v in options] else ALL

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if files:
            self.upload_workbook(bytes(files[0]["content"]), files[0]["name"])


def _is_workpaper(content: bytes) -> bool:
    import io

    import python_calamine

    try:
        names = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names
    except Exception:  # noqa: BLE001 - the import itself reports an unreadable file
        return False
    return "现场检查清单" in names


class TrailSummaryPanel:
    """整改情况 on the management page: rate, overdue by branch, trend, scorecard.

    Parameters
    ----------
    db, today:
        As :class:`FollowupPanel`.
    policy:
        The bank's policy (``rectification`` points and the pass line).
    """

    def __init__(self, *, db: str | os.PathLike | None = None, policy: Policy | None = None,
                 today: dt.date | None = None) -> None:
        self._db = db
        self.policy = policy or Policy.default()
        self.today = today
        self.summary = pd.DataFrame()
        self.scorecard = pd.DataFrame()
        self.kpis = widgets.HTML()
        self.overdue_table = widgets.HTML()
        self.trend_plot = widgets.Output()
        self.score_plot = widgets.Output()
        self.score_table = widgets.HTML()
        self.error = widgets.HTML()
        self.widget = widgets.VBox([
            widgets.HTML("<h2>九、整改跟踪与机构考核</h2>"), self.error, self.kpis,
            widgets.HTML("<h4>逾期未整改(分机构)</h4>"), self.overdue_table,
            widgets.HTML("<h4>近期各次检查发现问题数</h4>"), self.trend_plot,
            widgets.HTML("<h4>机构百分制考核(未销号问题扣分,低于合格线标红)</h4>"),
            self.score_plot, self.score_table])

    def refresh(self) -> bool:
        """Read the store and redraw; True on success."""
        try:
            store = open_store(self._db)
            followup = store.followup(today=self.today)
            runs = store.runs().head(RECENT_RUNS).iloc[::-1]
            store.close()
        except Exception as exc:  # noqa: BLE001
            self.error.value = _error(exc, "检查记录库不可用。")
            return False
        self.error.value = ""
        if runs.empty and followup.empty:
            self.summary = self.scorecard = pd.DataFrame()
            self.kpis.value = ("<p class='pa-note pa-trail-empty'>尚无检查记录:在合规检查页“记入检查记录”"
                               "或用 postloan-audit check --record 记录检查后,此处显示整改情况与机构考核。"
                               "</p>")
            self.overdue_table.value = self.score_table.value = ""
            show_figure(self.trend_plot, None)  # not clear_output(): see show_figure
            show_figure(self.score_plot, None)
            return True
        today = self.today or dt.date.today()
        r = self.policy.rectification
        self.summary = rectification_summary(followup, today=today)
        self.scorecard = branch_scorecard(followup, r)
        total = self.summary.set_index("branch").loc["合计"] if len(self.summary) else None
        rate = "—" if total is None or pd.isna(total["rate"]) else f"{total['rate']:.1%}"
        below = int(self.scorecard["below_pass"].sum())
        self.kpis.value = kpi_cards_html([
            ("整改率(已销号)", rate),
            ("跟踪问题(条)", f"{0 if total is None else int(total['total']):,}"),
            ("逾期未整改(条)", f"{0 if total is None else int(total['overdue']):,}"),
            (f"低于{r.pass_score:g}分机构(家)", f"{below:,}"),
        ])
        by_branch = self.summary.loc[self.summary["branch"] != "合计"]
        self.overdue_table.value = table_html(
            by_branch.assign(rate=by_branch["rate"].map(
                lambda v: "—" if pd.isna(v) else f"{v:.1%}"))[
                ["branch", "total", "open", "overdue", "rectified", "closed", "waived", "rate"]],
            headers={"branch": "机构", "total": "跟踪问题", "open": "待整改/整改中",
                     "overdue": "逾期未整改", "rectified": "已整改(待核实)", "closed": "已销号",
                     "waived": "不予整改", "rate": "整改率"}, css_id="pa-trail-overdue")
        trend = go.Figure(go.Bar(x=[f"第{i}次 {d}" for i, d in zip(runs["run_id"], runs["as_of"],
                                                                   strict=True)],
                                 y=runs["findings_count"], name="发现问题"))
        trend.update_layout(height=320, margin={"t": 20}, yaxis_title="问题数(条)")
        show_figure(self.trend_plot, trend)
        card = self.scorecard
        fig = go.Figure(go.Bar(x=card["branch"], y=card["score"],
                               marker_color=["#c0392b" if b else "#2e86c1"
                                             for b in card["below_pass"]]))
        fig.add_hline(y=r.pass_score, line_dash="dash", line_color="#c0392b",
                      annotation_text=f"合格线 {r.pass_score:g} 分")
        fig.update_layout(height=340, margin={"t": 20}, yaxis_title="得分",
                          yaxis_range=[0, r.full_score])
        show_figure(self.score_plot, fig)
        self.score_table.value = table_html(
            card.assign(below_pass=card["below_pass"].map({True: "低于合格线", False: ""})),
            headers={"branch": "机构", "open_high": "未销号(高)", "open_medium": "未销号(中)",
                     "open_low": "未销号(低)", "deduction": "扣分", "score": "得分",
                     "below_pass": "考核"}, css_id="pa-scorecard")
        return True
