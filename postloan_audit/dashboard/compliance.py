"""The compliance-check dashboard (合规检查看板) for head-office staff: :class:`ComplianceDashboard`.

Shown by ``notebooks/02_compliance_checks.ipynb``. Head-office post-loan staff (总行/分行 贷后管理岗)
receive ledger extracts from many branches: they upload one or more files (or use the bundled
sample), pick the check date, optionally upload the bank's policy TOML (``[disabled]`` rules and
thresholds the tier-1 branch sets itself, "由一级分行自行确定"), and get the findings of every
rule of the catalogue per rule and per branch, a branch × rule heatmap, a filterable
findings table, the rules that did not run and why, and the findings workbook to send back.

Several files are checked as :mod:`postloan_audit.compliance.combine` says (the same as
``postloan-audit check A.xlsx B.csv …``): two files sharing a loan id (借据号) are refused when
they are loaded (:func:`~postloan_audit.compliance.combine.check_distinct_loans`), each file is
checked on its own (:func:`~postloan_audit.compliance.combine.check_each`, one progress step per
file) and the reports are joined into one
(:func:`~postloan_audit.compliance.combine.combine_reports`), with the notes on data dates that
differ and borrowers found in several files. This module only draws them.

Below the findings, the monthly lists (月度名单) of the same files
(:mod:`postloan_audit.portfolio.lists`): the maturity prompt list of the month after the check
date (次月贷款到期提示表, `001_…` 篇四 3 / 篇五), to send to the branches; and, once last month's
files are uploaded beside them (上期台账, optional), the loans settled in between (贷款结清名单,
`003_…` 第四十四条(二)). Head office already holds this month's files here, and last month's are
the ones it uploaded a month ago, so the settled list is one more upload rather than a trip to
the command line (``postloan-audit settled`` does the same from files).

Every widget callback goes through plain methods (:meth:`ComplianceDashboard.load_files`,
:meth:`~ComplianceDashboard.set_as_of`, :meth:`~ComplianceDashboard.load_policy`,
:meth:`~ComplianceDashboard.set_filters`, :meth:`~ComplianceDashboard.run`) that tests call
directly; each catches its errors and shows them in a panel, keeping the previous results.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import time
import traceback
from collections.abc import Sequence
from os import PathLike
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from postloan_audit.compliance.checks import CheckReport
from postloan_audit.compliance.combine import (
    check_distinct_loans,
    check_each,
    combine_reports,
    combined_rejected,
    common_as_of,
    cross_file_notes,
)
from postloan_audit.compliance.evaluation import CHECK_DATE
from postloan_audit.compliance.findings_workbook import FINDING_HEADERS, write_findings_workbook
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules import CATALOGUE
from postloan_audit.core.dates import coerce_optional_date
from postloan_audit.core.errors import PolicyError, PostloanAuditError
from postloan_audit.core.extract import Extract
from postloan_audit.core.severity import SEVERITY_ZH
from postloan_audit.dashboard.analytics import AnalyticsPanel
from postloan_audit.dashboard.common import (
    MAX_TABLE_ROWS,
    MAX_UPLOAD_BYTES,
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
from postloan_audit.dashboard.followup import FollowupPanel
from postloan_audit.ingest.loader import load_extract
from postloan_audit.portfolio.lists import (
    SETTLED_AS_ZH,
    list_by_branch,
    maturity_list,
    maturity_month,
    maturity_title,
    settled_list,
    settled_title,
    write_maturity_list,
    write_settled_list,
)

#: The bundled sample loaded at start: a head-office extract of 6 branches.
DEFAULT_SAMPLE = "head_office_6_branches_20260930.csv"
#: Dropdown value meaning "no filter" (its label is 全部).
ALL = "__all__"
#: Up to this many findings the workbook is built with every run, so the download is one click;
#: beyond it (openpyxl writes ~3,500 rows/s, so 60,000 findings take ~15 s) a button builds it
#: on demand, and changing the date or policy stays quick. A UI setting, not a domain rule.
EAGER_WORKBOOK_MAX_FINDINGS = 10_000

BY_RULE_HEADERS: dict[str, str] = {
    "rule_id": "规则编号", "title_zh": "规则名称", "severity": "严重程度", "findings": "问题数",
    "loans": "涉及借据数", "branches": "涉及机构数", "citation": "依据",
}
NOT_RUN_HEADERS: dict[str, str] = {"rule_id": "规则编号", "title_zh": "规则名称",
                                   "reason": "未执行原因"}
FINDINGS_TABLE_HEADERS: dict[str, str] = {**FINDING_HEADERS, "title_zh": "规则名称",
                                          "source_name": "来源文件"}
#: Columns of :attr:`ComplianceDashboard.findings` shown on screen (the citation is per rule,
#: in the by-rule table and the workbook): the key columns first (rule, severity, loan,
#: branch, due date, days late), so they are visible at 1366 px without scrolling the table;
#: the borrower and the wrapped description after them.
FINDINGS_TABLE_COLUMNS: list[str] = ["title_zh", "rule_id", "severity", "loan_id", "branch",
                                     "due_date", "days_late", "borrower_id", "borrower_name",
                                     "message"]
#: Layout of this dashboard's wide tables: ids, names and counts on one line, only the
#: finding's description and the citation wrap.
_STYLE = """
<style>
#pa-by-rule th, #pa-by-branch th, #pa-findings th { white-space: nowrap; }
#pa-by-rule td:nth-child(-n+3), #pa-by-branch td, #pa-findings td { white-space: nowrap; }
#pa-findings td:nth-child(10) { white-space: normal; min-width: 320px; }
.pa-hscroll { overflow-x: auto; max-width: 100%; }
</style>
"""
#: A check date more than this many days before or after the extract's date (数据日期) asks
#: for confirmation first: the policy value ``check_date.confirm_days`` (default 92 days, one
#: quarter; see :class:`~postloan_audit.compliance.policy.CheckDatePolicy`).
AS_OF_CONFIRM_DAYS: int = Policy.default().check_date.confirm_days
#: How page 02 names its date and what a far one would do.
CHECK_DATE_WORDS = DateWords(
    noun="检查日期", noun_en="check date", button="仍按此日期检查",
    far_zh="按这个日期检查,台账之后发生的贷后检查、催收和通知都不在数据中,几乎每笔贷款都会被判为检查超期、"
           "催收不及时,问题数会成倍增加,但并非真实问题。",
    far_en="The check date is far from the extract's date: almost every deadline would look "
           "missed.")
BY_BRANCH_LIST_HEADERS: dict[str, str] = {"branch": "经营机构", "loans": "笔数",
                                          "balance": "贷款余额(元)"}
_CJK_FONT = ("Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, "
             "SimHei, sans-serif")


# --------------------------------------------------------------------------- figures


def findings_heatmap(report: CheckReport) -> go.Figure:
    """Branch × rule finding counts as a plotly heatmap (机构 × 规则 问题数)."""
    table = report.summary_by_branch()
    rules = list(report.rules_run)
    titles = [CATALOGUE[r].title_zh for r in rules]
    branches = table["branch"].tolist()
    fig = go.Figure()
    if branches and rules:
        fig.add_trace(go.Heatmap(
            z=table[rules].to_numpy(), x=titles, y=branches,
            customdata=np.tile(np.asarray(rules, dtype=object), (len(branches), 1)),
            colorscale="Reds", zmin=0, texttemplate="%{z}", xgap=1, ygap=1,
            colorbar={"title": {"text": "问题数"}},
            hovertemplate="机构:%{y}<br>规则:%{x}(%{customdata})<br>问题:%{z} 条<extra></extra>"))
    else:
        fig.add_annotation(text="未发现问题", showarrow=False, font={"size": 16})
    fig.update_layout(
        title={"text": "各机构 × 规则 问题数"}, font={"family": _CJK_FONT, "size": 12},
        height=220 + 32 * max(len(branches), 1), margin={"l": 110, "r": 30, "t": 50, "b": 130},
        xaxis={"tickangle": -45, "side": "bottom"}, yaxis={"autorange": "reversed"},
        plot_bgcolor="white")
    return fig


def _titles(rule_ids: pd.Series) -> pd.Series:
    return rule_ids.map({rid: rule.title_zh for rid, rule in CATALOGUE.items()}).astype("str")


# --------------------------------------------------------------------------- the dashboard


def rules_by_branch(by_branch: pd.DataFrame, rules: Sequence[str]) -> pd.DataFrame:
    """The 机构×规则 counts with the rules as rows and the branches as columns (a bank has
    fewer branches per check than rules, so the table fits the page's width), a 合计 row
    last. ``by_branch`` is :meth:`CheckReport.summary_by_branch` (one row per branch)."""
    counts = by_branch.set_index("branch")
    table = pd.DataFrame({"title_zh": [CATALOGUE[r].title_zh for r in rules] + ["合计"],
                          "rule_id": list(rules) + [""]})
    for branch in counts.index:
        table[str(branch)] = ([int(counts.at[branch, r]) for r in rules]
                              + [int(counts.at[branch, "total"])])
    return table


class ComplianceDashboard:
    """合规检查 for head office: upload extracts, run every rule, review and export findings.

    Parameters
    ----------
    sample:
        File name of the bundled sample loaded by :meth:`start`.
    as_of:
        Check date used for the first load (a date or ``'YYYY-MM-DD'``); None takes the
        extract's date; without one the page asks for it (never today by default). Every later
        load resets the date to the new files' date.
    policy:
        The initial :class:`~postloan_audit.compliance.policy.Policy` (defaults when None).
    db, trail:
        The audit-trail store (path or URL; default ``POSTLOAN_AUDIT_DB``, else
        ``~/.postloan-audit/audit.db``) and whether to show the 整改跟踪 section
        (:class:`~postloan_audit.dashboard.followup.FollowupPanel`, attribute ``trail``).

    Attributes
    ----------
    widget:
        The ipywidgets tree to display.
    extracts, reports, report:
        The extracts checked, their per-file reports and the combined report (None before
        the first run). They always belong together: a failed load or run keeps all three.
    by_rule, by_branch, findings, findings_view, not_run:
        The tables on screen: findings per rule (with citation), branch × rule counts, all
        findings (with ``title_zh`` and ``source_name``), the filtered findings, the rules not
        run (with ``title_zh``).
    workbook_bytes:
        The findings workbook of :attr:`report` (what the download link serves); built with
        each run up to :data:`EAGER_WORKBOOK_MAX_FINDINGS` findings, else by
        :meth:`prepare_workbook` (the 生成工作簿 button), and ``b""`` until then.
    analytics:
        The 审计分析 section (:class:`~postloan_audit.dashboard.analytics.AnalyticsPanel`)
        over the files checked, as one book, and the 上期台账 in use.
    maturities, maturity_bytes:
        The maturity list of the checked files for the month after the check date
        (:func:`~postloan_audit.portfolio.lists.maturity_list`) and its workbook; rebuilt
        with every run (None and ``b""`` when it cannot be made, the panel says why).
    previous_extracts, settled, settled_bytes:
        Last month's files (上期台账, :meth:`load_previous_files`), the loans settled since
        (:func:`~postloan_audit.portfolio.lists.settled_list`) and its workbook; rebuilt with
        every run while previous files are loaded.
    """

    def __init__(self, *, sample: str = DEFAULT_SAMPLE, as_of: dt.date | str | None = None,
                 policy: Policy | None = None, db: str | PathLike | None = None,
                 trail: bool = True, confirm_days: int | None = None) -> None:
        self.policy = policy or Policy.default()
        # 整改跟踪 (audit trail): the comparison with the last recorded run, the follow-up tab
        self.trail = (FollowupPanel(db=db, time_zone=Policy.coerce(self.policy).trail.time_zone)
                      if trail else None)
        self._confirm_days = confirm_days  # None: the policy's check_date.confirm_days
        self._first_as_of = coerce_optional_date(as_of, what=CHECK_DATE)
        self._quiet = False
        self.extracts: list[Extract] = []
        self.reports: list[CheckReport] = []
        self.report: CheckReport | None = None
        self.by_rule = pd.DataFrame(columns=list(BY_RULE_HEADERS))
        self.by_branch = pd.DataFrame(columns=["branch", "total"])
        self.findings = pd.DataFrame(columns=[*FINDINGS_TABLE_COLUMNS, "source_name"])
        self.findings_view = self.findings
        self.not_run = pd.DataFrame(columns=list(NOT_RUN_HEADERS))
        self.workbook_bytes = b""
        self.maturities: pd.DataFrame | None = None
        self.maturity_bytes = b""
        self.previous_extracts: list[Extract] = []
        self.settled: pd.DataFrame | None = None
        self.settled_bytes = b""

        self.source = SourcePanel(self._on_loaded, default=sample, multiple=True,
                                  title="一、数据来源(可同时上传多个机构的台账)",
                                  validate=check_distinct_loans)
        wide = widgets.Layout(width="320px")
        self.as_of_picker = widgets.DatePicker(description="检查日期", layout=wide)
        self.policy_upload = widgets.FileUpload(accept=".toml", multiple=False,
                                                description="上传参数文件", button_style="info")
        self.policy_reset = widgets.Button(description="恢复默认参数")
        self.run_button = widgets.Button(description="运行检查", button_style="primary",
                                         icon="play")
        self.policy_status = widgets.HTML()
        self.policy_error = widgets.HTML()
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="进度",
                                            layout=widgets.Layout(width="420px"))
        self.progress_label = widgets.HTML()
        self.run_error = widgets.HTML()
        # the check date, confirmed when the data cannot vouch for it
        self.date_check = DateConfirmation(CHECK_DATE_WORDS)
        self.confirm_note, self.confirm_button = self.date_check.note, self.date_check.button
        self.result_header = widgets.HTML()
        self.kpis = widgets.HTML()
        self.warnings_html = widgets.HTML()
        self.download = widgets.HTML()
        self.workbook_button = widgets.Button(description="生成问题清单工作簿", icon="file",
                                              layout=widgets.Layout(display="none",
                                                                    width="220px"))
        self.by_rule_html = widgets.HTML()
        self.heatmap = widgets.Output()
        self.by_branch_html = widgets.HTML()
        narrow = widgets.Layout(width="330px")
        self.rule_filter = widgets.Dropdown(options=[("全部", ALL)], value=ALL,
                                            description="规则", layout=narrow)
        self.branch_filter = widgets.Dropdown(options=[("全部", ALL)], value=ALL,
                                              description="机构", layout=narrow)
        self.severity_filter = widgets.Dropdown(
            options=[("全部", ALL), *[(zh, en) for en, zh in SEVERITY_ZH.items()]], value=ALL,
            description="严重程度", layout=widgets.Layout(width="220px"))
        self.findings_note = widgets.HTML()
        self.findings_html = widgets.HTML()
        self.not_run_html = widgets.HTML()
        # 月度名单 (monthly lists)
        self.maturity_error = widgets.HTML()
        self.maturity_html = widgets.HTML()
        self.maturity_download = widgets.HTML()
        self.previous_upload = widgets.FileUpload(accept=UPLOAD_ACCEPT, multiple=True,
                                                  description="上传上期台账")
        self.previous_clear = widgets.Button(description="不用上期台账",
                                             layout=widgets.Layout(width="120px"))
        self.previous_status = widgets.HTML()
        self.settled_error = widgets.HTML()
        self.settled_html = widgets.HTML()
        self.settled_download = widgets.HTML()
        # 审计分析 (audit analytics) over the files checked, with the 上期台账 when given
        self.analytics = AnalyticsPanel(title="五、审计分析")

        self.widget = widgets.VBox([
            style_widget(), widgets.HTML(_STYLE),
            self.source.widget,
            widgets.HTML("<h3>二、检查设置</h3><p class='pa-note'>检查日期默认取台账的数据日期;"
                         "参数文件(TOML)可调整本行自定的检查阈值或停用规则,不上传则使用默认参数。"
                         "</p>"),
            widgets.HBox([self.as_of_picker, self.run_button]),
            widgets.HBox([self.policy_upload, self.policy_reset]),
            self.policy_error, self.policy_status,
            widgets.HBox([self.progress, self.progress_label]),
            self.run_error, self.confirm_note, self.confirm_button,
            widgets.HTML("<h3>三、检查结果</h3>"),
            self.result_header, self.kpis, self.warnings_html,
            widgets.HBox([self.workbook_button, self.download]),
            widgets.HTML("<h4>按规则汇总</h4>"), self.by_rule_html,
            widgets.HTML("<h4>按机构汇总(机构 × 规则)</h4>"), self.heatmap,
            self.by_branch_html,
            widgets.HTML("<h4>问题清单</h4><p class='pa-note'>按规则、机构、严重程度筛选;"
                         "选“全部”不筛选。</p>"),
            widgets.HBox([self.rule_filter, self.branch_filter, self.severity_filter]),
            self.findings_note, self.findings_html,
            widgets.HTML("<h4>未执行的规则及原因</h4>"), self.not_run_html,
            widgets.HTML("<h3>四、月度名单</h3><p class='pa-note'>次月贷款到期提示表:上面检查的台账中,"
                         "余额大于0、到期日在检查日期下一个月内的贷款,按机构下发,提前一个月通知"
                         "(《贷后管理工作计划》篇四 3、篇五)。贷款结清名单:另上传上月的台账(上期台账,"
                         "可多个文件),列出上期在贷、本期已无或余额为0的贷款(《个贷业务贷后管理办法》"
                         "第四十四条(二))。</p>"),
            self.maturity_error, self.maturity_html, self.maturity_download,
            widgets.HBox([self.previous_upload, self.previous_clear]),
            self.previous_status, self.settled_error, self.settled_html,
            self.settled_download,
            self.analytics.widget,
            *([self.trail.widget] if self.trail is not None else []),
        ])
        self.as_of_picker.observe(self._on_as_of, names="value")
        self.policy_upload.observe(self._on_policy_upload, names="value")
        self.policy_reset.on_click(lambda _button: self.reset_policy())
        self.run_button.on_click(lambda _button: self.run())
        self.confirm_button.on_click(lambda _button: self.confirm_as_of())
        self.workbook_button.on_click(lambda _button: self.prepare_workbook())
        self.previous_upload.observe(self._on_previous_upload, names="value")
        self.previous_clear.on_click(lambda _button: self.clear_previous())
        for dropdown in (self.rule_filter, self.branch_filter, self.severity_filter):
            dropdown.observe(self._on_filter, names="value")
        self._show_policy()
        self._show_previous()

    # ------------------------------------------------------------------ driving

    def start(self) -> None:
        """Load the default sample and run the checks."""
        self.source.start()

    def visitor_arrived(self) -> None:
        """A visitor of a pre-heated page (``dashboard/visitor.py``): compare with the runs
        recorded in the audit trail by now, not when the checks ran."""
        if self.trail is not None:
            self.trail.visitor_arrived()

    def load_files(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Check uploaded ``(content, filename)`` pairs; True when they loaded and ran (False
        while the check date waits for the user: no data date, or one far from it)."""
        return (self.source.load_files(files) and self.run_error.value == ""
                and self.confirm_note.value == "")

    def set_as_of(self, day: dt.date | str) -> bool:
        """Change the check date and rerun; True when the run succeeded (False also while a
        date far from the extract's waits for :meth:`confirm_as_of`)."""
        self.as_of_picker.value = pd.Timestamp(day).date()
        return self.run_error.value == "" and self.confirm_note.value == ""

    def load_policy(self, content: bytes, name: str) -> bool:
        """Use an uploaded policy TOML and rerun; a bad file keeps the current policy."""
        try:
            policy = Policy.from_toml_bytes(bytes(content), name)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.policy_error.value = self._error_panel(
                exc, "参数文件未采用,仍使用当前参数:" + self._policy_label()
                + " / The policy file was not applied.")
            return False
        self.policy_error.value = ""
        self.policy = policy
        self._show_policy()
        return self.run()

    def reset_policy(self) -> bool:
        """Go back to the default policy and rerun."""
        self.policy = Policy.default()
        self.policy_error.value = ""
        self._show_policy()
        return self.run()

    def set_filters(self, *, rule: str | None = None, branch: str | None = None,
                    severity: str | None = None) -> pd.DataFrame:
        """Filter the findings table (None leaves a filter as it is; ``ALL`` clears it)."""
        self._quiet = True
        try:
            for dropdown, value in ((self.rule_filter, rule), (self.branch_filter, branch),
                                    (self.severity_filter, severity)):
                if value is not None:
                    dropdown.value = value
        finally:
            self._quiet = False
        self._apply_filters()
        return self.findings_view

    def prepare_workbook(self) -> bool:
        """Build the findings workbook of the current report and show its download link."""
        if self.report is None:
            return False
        try:
            self.progress_label.value = "正在生成问题清单工作簿…"
            buffer = io.BytesIO()
            write_findings_workbook(self.report, buffer,
                                    rejected=combined_rejected(self.extracts))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.run_error.value = self._error_panel(exc, "工作簿未生成 / No workbook.")
            return False
        self.workbook_bytes = buffer.getvalue()
        self.workbook_button.layout.display = "none"
        self.download.value = download_link_html(
            self.workbook_bytes, f"合规检查问题清单_{self.report.as_of:%Y%m%d}.xlsx",
            "下载问题清单工作簿(.xlsx)")
        self.progress_label.value = "问题清单工作簿已生成"
        return True

    def load_previous_files(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Use uploaded ``(content, filename)`` pairs as last month's files (上期台账) and list
        the loans settled since; True when the list was made. A bad file shows the error panel
        and the previous 上期台账 stay. They are read with the export profile in force."""
        try:
            too_big = [name for content, name in files if len(content) > MAX_UPLOAD_BYTES]
            if too_big:
                raise ValueError(f"文件 {'、'.join(too_big)} 超过 100 MB,请按机构拆分后分别上传。"
                                 f" / {', '.join(too_big)} is larger than 100 MB.")
            extra = {"profile": self.source.profile} if self.source.profile is not None else {}
            previous = [load_extract(content, filename=name, **extra) for content, name in files]
            check_distinct_loans(previous)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            hint = ("仍使用先前上传的上期台账:" + "、".join(e.source_name for e in
                                                   self.previous_extracts)
                    if self.previous_extracts else "尚未使用上期台账。")
            self.settled_error.value = self._error_panel(exc, hint + " / Nothing changed.")
            return False
        self.previous_extracts = previous
        self._show_previous()
        self._analytics_book()
        return self._build_settled()

    def clear_previous(self) -> None:
        """Stop using last month's files (the 不用上期台账 button): no settled list."""
        self.previous_extracts = []
        self.settled, self.settled_bytes = None, b""
        for panel in (self.settled_error, self.settled_html, self.settled_download):
            panel.value = ""
        self._show_previous()
        self._analytics_book()

    def confirm_as_of(self) -> bool:
        """Run at the picked date although it is far from the extract's date (the button
        「仍按此日期检查」)."""
        self.date_check.confirm(self.as_of_picker.value, self.source.extracts)
        return self.run()

    @property
    def confirm_days(self) -> int:
        """Days between check date and data date beyond which a run asks for confirmation:
        the ``confirm_days`` given, else the policy in force (``check_date.confirm_days``)."""
        if self._confirm_days is not None:
            return self._confirm_days
        return Policy.coerce(self.policy).check_date.confirm_days

    def _needs_confirmation(self) -> bool:
        stale = ("下方仍为上一次的检查结果(" + self.report.source_name
                 + f",检查日 {self.report.as_of:%Y-%m-%d})。" if self.report is not None else "")
        return self.date_check.waits(self.as_of_picker.value, self.source.extracts,
                                     confirm_days=self.confirm_days, stale=stale)

    def run(self) -> bool:
        """Run every rule over the loaded extracts at the picked date; True on success.

        On failure the error panel says why and the previous results stay on screen. A check
        date more than :attr:`confirm_days` from an extract's date is not run until
        confirmed (:meth:`confirm_as_of`); the previous results stay meanwhile.
        """
        self.run_error.value = ""
        if self.source.extracts and self._needs_confirmation():
            return False
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            hint = "检查未完成。"
            if self.report is not None:
                hint += (f"下方仍为上一次的检查结果({self.report.source_name},检查日 "
                         f"{self.report.as_of:%Y-%m-%d})。")
            self.run_error.value = self._error_panel(exc, hint + " / The check did not finish.")
            self.progress.bar_style = "danger"
            self.progress_label.value = "检查未完成"
            return False
        return self.run_error.value == ""

    # ------------------------------------------------------------------ callbacks

    def _on_loaded(self, extracts: list[Extract]) -> None:
        # SourcePanel has validated and stored the extracts (self.source.extracts).
        # Without a data date the picker stays empty and the page asks for the date; a date
        # given as the page's parameter is the user's own choice for the first load.
        given, day = self._first_as_of, self._first_as_of or common_as_of(extracts)
        self._first_as_of = None
        self._quiet = True
        try:
            self.as_of_picker.value = day
        finally:
            self._quiet = False
        if given is not None:
            self.date_check.confirm(day, self.source.extracts)
        self.run()

    def _on_as_of(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self.run()

    def _on_policy_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if files:
            self.load_policy(bytes(files[0]["content"]), files[0]["name"])

    def _on_previous_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        contents = [(bytes(f["content"]), f["name"]) for f in files]
        self.previous_upload.value = ()  # the extracts hold what is needed
        self.load_previous_files(contents)

    def _on_filter(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            try:
                self._apply_filters()
            except Exception as exc:  # noqa: BLE001
                self.run_error.value = self._error_panel(exc, None)

    # ------------------------------------------------------------------ work

    def _run(self) -> None:
        extracts = self.source.extracts
        if not extracts:
            raise ValueError("尚未读取台账,请选择样例或上传文件 / no extract loaded yet")
        day = self.as_of_picker.value
        if day is None:
            raise ValueError("请选择检查日期 / please pick the check date")
        self.progress.max = len(extracts)
        self.progress.value = 0
        self.progress.bar_style = "info"
        started = time.perf_counter()

        def show_progress(i: int, extract: Extract) -> None:
            self.progress.value = i - 1
            self.progress_label.value = (f"正在运行检查… 第 {i}/{len(extracts)} 个文件:"
                                         f"{html.escape(extract.source_name)}")

        reports = check_each(extracts, as_of=day, policy=self.policy, progress=show_progress)
        self.progress.value = len(extracts)
        report = combine_reports(reports, notes=cross_file_notes(extracts, day))

        # Everything computed: only now replace what is on screen.
        self.extracts, self.reports, self.report = list(extracts), reports, report
        self.workbook_bytes = b""
        self._build_tables(reports, report)
        self._show_results(report)
        if len(report.findings) <= EAGER_WORKBOOK_MAX_FINDINGS:
            self.prepare_workbook()
        else:
            self.download.value = (
                f"<p class='pa-note'>问题较多({len(report.findings):,} 条),工作簿需点击左侧按钮"
                "生成后下载。</p>")
            self.workbook_button.layout.display = None
        self._build_maturities()
        if self.previous_extracts:
            self._build_settled()
        self._analytics_book()
        if self.trail is not None:
            self.trail.show_report(report, pd.concat([e.loans["branch"] for e in extracts]))
        self.progress.bar_style = "success"
        self.progress_label.value = (f"检查完成:{len(extracts)} 个文件,"
                                     f"用时 {time.perf_counter() - started:.1f} 秒")

    def _build_tables(self, reports: list[CheckReport], report: CheckReport) -> None:
        by_rule = report.summary_by_rule()
        by_rule["severity"] = by_rule["severity"].map(SEVERITY_ZH).astype("str")
        by_rule["citation"] = by_rule["rule_id"].map(
            {rid: rule.citation for rid, rule in CATALOGUE.items()}).astype("str")
        self.by_rule = by_rule
        self.by_branch = report.summary_by_branch()
        findings = report.findings.copy()
        findings.insert(1, "title_zh", _titles(findings["rule_id"]))
        findings["source_name"] = pd.Series(
            np.repeat([r.source_name for r in reports], [len(r.findings) for r in reports]),
            dtype="str")
        self.findings = findings
        not_run = report.not_run.copy()
        not_run.insert(1, "title_zh", _titles(not_run["rule_id"]))
        self.not_run = not_run

    def _apply_filters(self) -> None:
        f = self.findings
        mask = np.ones(len(f), dtype=bool)
        for column, dropdown in (("rule_id", self.rule_filter), ("branch", self.branch_filter),
                                 ("severity", self.severity_filter)):
            if dropdown.value != ALL:
                mask &= (f[column] == dropdown.value).to_numpy()
        self.findings_view = f.loc[mask]
        shown = self.findings_view.assign(
            severity=self.findings_view["severity"].map(SEVERITY_ZH).astype("str"))
        columns = FINDINGS_TABLE_COLUMNS + (["source_name"] if len(self.reports) > 1 else [])
        self.findings_note.value = (
            f"<p class='pa-note'>筛选结果 {len(shown):,} 条,共 {len(f):,} 条"
            + (f";屏幕上最多显示 {MAX_TABLE_ROWS} 行" if len(shown) > MAX_TABLE_ROWS else "")
            + "。</p>")
        # A scroll box with the sticky header of table_html keeps the filters in view.
        self.findings_html.value = (
            "<div class='pa-findings-box' style='max-height:560px; max-width:100%; overflow:auto'>"
            + table_html(shown[columns], headers=FINDINGS_TABLE_HEADERS, css_id="pa-findings",
                         scroll=False)
            + "</div>")

    def _set_filter_options(self) -> None:
        f = self.findings
        rule_counts = f["rule_id"].value_counts()
        rule_options = [("全部", ALL)] + [
            (f"{CATALOGUE[rid].title_zh} · {rid}({int(rule_counts.get(rid, 0))})", rid)
            for rid in self.report.rules_run]
        branch_counts = f["branch"].value_counts().sort_index()
        branch_options = [("全部", ALL)] + [(f"{b}({int(n)})", b)
                                           for b, n in branch_counts.items()]
        self._quiet = True
        try:
            for dropdown, options in ((self.rule_filter, rule_options),
                                      (self.branch_filter, branch_options)):
                keep = dropdown.value
                dropdown.options = options
                values = [v for _, v in options]
                dropdown.value = keep if keep in values else ALL
        finally:
            self._quiet = False

    def _show_results(self, report: CheckReport) -> None:
        files = "、".join(r.source_name for r in self.reports)
        self.result_header.value = (
            f"<div class='pa-ok pa-check-result'>检查日 <b>{report.as_of:%Y-%m-%d}</b> · "
            f"参数:{html.escape(self._policy_label())} · 文件:{html.escape(files)}</div>")
        branches = report.findings["branch"].nunique()
        self.kpis.value = kpi_cards_html([
            ("文件数", f"{len(self.reports):,}"),
            ("检查贷款(笔)", f"{report.loans_checked:,}"),
            ("执行规则(条)", f"{len(report.rules_run):,}"),
            ("发现问题(条)", f"{len(report.findings):,}"),
            ("涉及机构(家)", f"{branches:,}"),
            ("未执行规则(条)", f"{len(report.not_run):,}"),
        ])
        self.warnings_html.value = "".join(
            f"<p class='pa-note'>注意:{html.escape(w)}</p>" for w in report.warnings)
        first = ["title_zh", "rule_id"]
        by_rule = self.by_rule[first + [c for c in self.by_rule.columns if c not in first]]
        self.by_rule_html.value = table_html(by_rule, headers=BY_RULE_HEADERS,
                                             css_id="pa-by-rule")
        show_figure(self.heatmap, findings_heatmap(report))
        self.by_branch_html.value = table_html(
            rules_by_branch(self.by_branch, report.rules_run), max_rows=len(CATALOGUE) + 1,
            headers={"title_zh": "规则名称", "rule_id": "规则编号"}, css_id="pa-by-branch")
        self._set_filter_options()
        self._apply_filters()
        self.not_run_html.value = (
            table_html(self.not_run, headers=NOT_RUN_HEADERS, css_id="pa-not-run")
            if len(self.not_run) else "<p class='pa-note'>全部规则均已执行。</p>")

    # ------------------------------------------------------------------ monthly lists

    def _build_maturities(self) -> bool:
        """The maturity list of the checked files for the month after the check date."""
        assert self.report is not None
        try:
            listed = maturity_list(self.extracts, month=maturity_month(self.report.as_of))
            buffer = io.BytesIO()
            write_maturity_list(listed, buffer)
        except Exception as exc:  # noqa: BLE001 - the findings stand without the list
            self.maturities, self.maturity_bytes = None, b""
            self.maturity_html.value = self.maturity_download.value = ""
            self.maturity_error.value = self._error_panel(
                exc, "无法编制次月贷款到期提示表;检查结果不受影响。 / No maturity list.")
            return False
        self.maturities, self.maturity_bytes = listed, buffer.getvalue()
        self.maturity_error.value = ""
        recorded = listed["notice_recorded"]
        notices = ("台账无到期通知日期列" if recorded.isna().all() and len(listed)
                   else f"已登记到期通知 {int(recorded.sum()):,} 笔")
        self.maturity_html.value = (
            f"<div class='pa-ok pa-maturity-summary'><b>{html.escape(maturity_title(listed))}</b>:"
            f"到期贷款 {len(listed):,} 笔,余额 {listed.attrs['balance']:,.2f} 元;{notices}。</div>"
            + (table_html(list_by_branch(listed), headers=BY_BRANCH_LIST_HEADERS,
                          css_id="pa-maturity-by-branch") if len(listed) else ""))
        self.maturity_download.value = download_link_html(
            self.maturity_bytes, f"贷款到期提示表_{listed.attrs['month']}.xlsx",
            "下载次月贷款到期提示表(.xlsx)")
        return True

    def _analytics_book(self) -> None:
        """Hand the 审计分析 section the files checked and the 上期台账 in use."""
        self.analytics.set_book(self.extracts, previous=self.previous_extracts,
                                policy=self.policy)

    def _build_settled(self) -> bool:
        """The loans settled between the 上期台账 and the checked files."""
        try:
            if not self.extracts:
                raise ValueError("尚未读取本期台账。 / No current extract loaded yet.")
            listed = settled_list(self.previous_extracts, self.extracts)
            buffer = io.BytesIO()
            write_settled_list(listed, buffer)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.settled, self.settled_bytes = None, b""
            self.settled_html.value = self.settled_download.value = ""
            self.settled_error.value = self._error_panel(exc, "未编制贷款结清名单。 / No settled list.")
            return False
        self.settled, self.settled_bytes = listed, buffer.getvalue()
        self.settled_error.value = ""
        a = listed.attrs
        note = f"<br>{html.escape(a['note'])}" if a["note"] else ""
        self.settled_html.value = (
            f"<div class='pa-ok pa-settled-summary'><b>{html.escape(settled_title(listed))}</b>:"
            f"结清 {a['count']:,} 笔,上期余额 {a['balance_before']:,.2f} 元"
            f"({SETTLED_AS_ZH['gone']} {a['gone']:,} 笔,{SETTLED_AS_ZH['zero']} {a['zero']:,} 笔)"
            f"{note}</div>"
            + (table_html(list_by_branch(listed, balance="balance_before"),
                          headers={**BY_BRANCH_LIST_HEADERS, "balance": "上期余额(元)"},
                          css_id="pa-settled-by-branch") if len(listed) else ""))
        stamp = (f"_{a['as_of_before']:%Y%m%d}_{a['as_of_after']:%Y%m%d}"
                 if a["as_of_before"] and a["as_of_after"] else "")
        self.settled_download.value = download_link_html(
            self.settled_bytes, f"贷款结清名单{stamp}.xlsx", "下载贷款结清名单(.xlsx)")
        return True

    def _show_previous(self) -> None:
        if not self.previous_extracts:
            self.previous_status.value = ("<p class='pa-note pa-previous'>上期台账:未上传"
                                          "(上传后列出贷款结清名单)</p>")
            return
        listed = "、".join(
            f"{e.source_name}(数据日期 {e.as_of:%Y-%m-%d})" if e.as_of is not None
            else f"{e.source_name}(数据日期未识别)" for e in self.previous_extracts)
        self.previous_status.value = (f"<p class='pa-note pa-previous'>上期台账:"
                                      f"{html.escape(listed)}</p>")

    # ------------------------------------------------------------------ display helpers

    def _policy_label(self) -> str:
        return "默认参数" if self.policy.source == "default" else f"参数文件 {self.policy.source}"

    def _show_policy(self) -> None:
        text = f"当前参数:{html.escape(self._policy_label())}"
        if self.policy.disabled:
            listed = ";".join(f"{rid}({reason or '未说明原因'})"
                              for rid, reason in self.policy.disabled)
            text += f";停用规则:{html.escape(listed)}"
        self.policy_status.value = f"<p class='pa-note pa-policy'>{text}</p>"
        if self.trail is not None:  # 记录时间 in the time zone of the policy in force
            self.trail.time_zone = self.policy.trail.time_zone

    @staticmethod
    def _error_panel(exc: BaseException, hint: str | None) -> str:
        if isinstance(exc, PolicyError):
            title, message = "参数文件有误 / Invalid policy file", str(exc)
        else:
            title, message = user_error_message(exc)
        if not isinstance(exc, PostloanAuditError | ValueError):
            traceback.print_exception(exc)  # details for the administrator's server log
        return error_html(title, message, hint=hint)

