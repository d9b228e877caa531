"""Management dashboard (管理层看板): ``notebooks/03_management_dashboard.ipynb``.

The published, read-only page for 行长 / 分管行长 / 风险管理委员会: asset quality, overdue
buckets, borrower concentration, findings by branch and rule family, inspection timeliness,
on-site review coverage and the five-by-five migration between two snapshots. It covers what
`001_…` 篇三 "五、贷后组织督导" asks the supervising departments to follow (辖内行贷款资产质量及
变动情况, 关注类贷款迁移趋势, 大额贷款整体情况, 贷后管理检查发现的问题, 现场检查覆盖面).

The view is computed by :mod:`postloan_audit.portfolio.management`
(:func:`~postloan_audit.portfolio.management.build_view` from the portfolio measures and
:func:`postloan_audit.run_checks`, :func:`~postloan_audit.portfolio.management.display_tables`
with the Chinese headers, :func:`~postloan_audit.portfolio.management.write_management_workbook`
for the download); this module only draws it: figures, widgets and HTML.

Personal data is masked everywhere on this page (《个人信息保护法》 第五十一条 去标识化): the view
holds borrower names in one table only (the top-10 concentration), masked by
:func:`~postloan_audit.portfolio.masking.mask_personal_data`, and no other table carries names or
id numbers (findings are shown as counts only).

The signed-in user (当前用户) comes from the reverse proxy through Voila's
``VoilaConfiguration.http_header_envs``: a request header ``X-Remote-User`` reaches the kernel
as the environment variable ``HTTP_X_REMOTE_USER`` (see ``docs/deploy.md``). It is shown at the
top and written to the parameter sheet (参数) of the downloaded workbook for the audit trail.
"""

from __future__ import annotations

import html
import io
import os
import traceback
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from postloan_audit.compliance.policy import Policy
from postloan_audit.core.errors import PostloanAuditError
from postloan_audit.core.extract import Extract
from postloan_audit.core.identity import NO_USER_TEXT
from postloan_audit.core.identity import signed_in_user as current_user
from postloan_audit.core.schema import CLASSIFICATION_ZH, CLASSIFICATIONS
from postloan_audit.dashboard.common import (
    SAMPLE_DIR,
    Sample,
    SourcePanel,
    bundled_samples,
    download_link_html,
    error_html,
    kpi_cards_html,
    show_figure,
    style_widget,
    table_html,
    user_error_message,
)
from postloan_audit.dashboard.followup import TrailSummaryPanel
from postloan_audit.dashboard.units import format_wan, wan_axis
from postloan_audit.portfolio.management import (
    TOTAL,
    ManagementView,
    build_view,
    display_tables,
    percent_text,
    write_management_workbook,
)
from postloan_audit.portfolio.migration import Migration
from postloan_audit.trail.store import open_store
from postloan_audit.warning import scan_signals

# --------------------------------------------------------------------------- settings

#: Bundled snapshots compared by default (the 2026-06-30 and 2026-09-30 ones).
DEFAULT_BEFORE: str = "network_snapshot_20260630.xlsx"
DEFAULT_AFTER: str = "network_snapshot_20260930.xlsx"

#: The published mode (发布版, docs/deploy.md): read-only, no upload widgets, the data fixed by
#: the publisher. On when this environment variable is 1 / true / yes; the snapshots are then
#: the files named by the two others (a path, or a bundled sample's file name).
PUBLISHED_ENV: str = "POSTLOAN_AUDIT_PUBLISHED"
BEFORE_ENV: str = "POSTLOAN_AUDIT_BEFORE"
AFTER_ENV: str = "POSTLOAN_AUDIT_AFTER"
_TRUE = frozenset({"1", "true", "yes", "是"})


def published_mode(environ: Mapping[str, str] | None = None) -> bool:
    """Whether :data:`PUBLISHED_ENV` asks for the published (read-only) page."""
    env = os.environ if environ is None else environ
    return (env.get(PUBLISHED_ENV) or "").strip().lower() in _TRUE


def _snapshot(name: str | None, env_name: str, default: str) -> Sample:
    """The snapshot to load: ``name``, else ``$env_name``, else ``default``; a bundled sample's
    file name or a path to the publisher's file."""
    chosen = name or os.environ.get(env_name) or default
    bundled = SAMPLE_DIR / chosen
    path = bundled if bundled.is_file() else Path(chosen)
    return Sample(f"发布数据:{path.name}", path)


#: File name of the downloaded workbook, and the link's text.
WORKBOOK_NAME: str = "管理层看板数据.xlsx"
DOWNLOAD_LABEL: str = "下载管理层看板数据(.xlsx)"

#: Plot colours per class (green → dark red), in :data:`CLASSIFICATIONS` order.
CLASS_COLOURS: tuple[str, ...] = ("#2e7d32", "#f9a825", "#ef6c00", "#c62828", "#6a1b1a")


# --------------------------------------------------------------------------- helpers


def _expected(exc: BaseException) -> bool:
    return isinstance(exc, ValueError | PostloanAuditError)


def _screen(frame: pd.DataFrame) -> pd.DataFrame:
    """Ratios (columns named …率 / …占比) as percentage text for the screen."""
    out = frame.copy()
    for col in out.columns:
        if (str(col).endswith(("率", "占比")) and pd.api.types.is_float_dtype(out[col].dtype)):
            out[col] = pd.Series([percent_text(v) for v in out[col].tolist()], index=out.index,
                                 dtype="str")
    return out


# --------------------------------------------------------------------------- figures


def class_balance_figure(class_balance: pd.DataFrame) -> go.Figure:
    """Stacked bars: balance (万元) by class per branch (分机构五级分类余额)."""
    fig = go.Figure()
    for cls, colour in zip(CLASSIFICATIONS, CLASS_COLOURS, strict=True):
        fig.add_bar(name=CLASSIFICATION_ZH[cls], x=class_balance["branch"].tolist(),
                    y=(class_balance[cls] / 1e4).round(2).tolist(), marker_color=colour)
    fig.update_layout(barmode="stack", title="分机构五级分类贷款余额(万元)", height=360,
                      margin={"l": 60, "r": 20, "t": 50, "b": 40}, legend_title_text="五级分类",
                      yaxis_title="万元")
    return wan_axis(fig)


def overdue_bucket_figure(buckets: pd.DataFrame) -> go.Figure:
    """Bars: overdue balance (万元) by days-past-due bucket, loan counts as labels (逾期分段)."""
    fig = go.Figure(go.Bar(x=buckets["bucket"].tolist(),
                           y=(buckets["balance"] / 1e4).round(2).tolist(),
                           text=[f"{n}笔" for n in buckets["count"].tolist()],
                           textposition="outside", marker_color="#c62828"))
    fig.update_layout(title="逾期贷款余额分段(万元)", height=360, xaxis_title="逾期天数",
                      yaxis_title="万元", margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return wan_axis(fig)


def findings_figure(findings: pd.DataFrame) -> go.Figure:
    """Stacked bars: findings per branch by rule family (分机构、分类别问题数)."""
    body = findings[findings["branch"] != TOTAL]
    fig = go.Figure()
    for family in [c for c in findings.columns if c not in ("branch", TOTAL)]:
        fig.add_bar(name=family, x=body["branch"].tolist(), y=body[family].tolist())
    fig.update_layout(barmode="stack", title="分机构检查发现问题数(按规则类别)", height=360,
                      yaxis_title="问题条数", margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return fig


def migration_figure(migration: Migration) -> go.Figure:
    """Heatmap of the migration matrix (五级分类迁徙矩阵): each cell labelled with its value and
    its share of the row (迁徙率, :meth:`~postloan_audit.portfolio.migration.Migration.rates`), coloured
    by that share so that small off-diagonal flows stay visible next to the large diagonal."""
    labels = [CLASSIFICATION_ZH[c] for c in CLASSIFICATIONS]
    values = migration.matrix.to_numpy(dtype=np.float64)
    rates = migration.rates().fillna(0.0).to_numpy(dtype=np.float64)
    text = [[f"{v:,.0f}<br>{r:.1%}" for v, r in zip(vrow, rrow, strict=True)]
            for vrow, rrow in zip(values.tolist(), rates.tolist(), strict=True)]
    unit = "笔数" if migration.by == "count" else "期初余额"
    fig = go.Figure(go.Heatmap(z=rates.tolist(), x=labels, y=labels, colorscale="Blues",
                               zmin=0.0, zmax=1.0, text=text, texttemplate="%{text}",
                               showscale=False, hoverinfo="skip"))
    fig.update_layout(title=f"五级分类迁徙({unit};颜色深浅为占期初同类的比例)", height=380,
                      xaxis_title="期末分类",
                      yaxis_title="期初分类", yaxis_autorange="reversed",
                      margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return fig


# --------------------------------------------------------------------------- the dashboard


class ManagementDashboard:
    """管理层看板: the published, read-only management page.

    Build it, call :meth:`start` (loads the bundled snapshots), display :attr:`widget`. Tests
    drive the same methods the widgets call: :meth:`load_after` / :meth:`load_before` (upload
    bytes), :meth:`show_extracts` (loaded extracts), :meth:`refresh`; the results are in
    :attr:`view` (figures), :attr:`tables` (the tables shown, masked) and
    :attr:`workbook_bytes` (the download). Charts are filled through
    :func:`~postloan_audit.dashboard.common.show_figure` (figures as widget state).

    Parameters
    ----------
    before, after : str
        File names of the bundled samples loaded at start (期初 / 期末 snapshots).
    policy : Policy, path or None
        The bank's policy for the checks (default policy when None).
    user : str, optional
        The signed-in user; default :func:`current_user` (from the proxy's header).
    db, trail : optional
        The audit-trail store (default ``POSTLOAN_AUDIT_DB``, else
        ``~/.postloan-audit/audit.db``) and whether to show its section
        (:class:`~postloan_audit.dashboard.followup.TrailSummaryPanel`, attribute ``trail``).
    published : bool, optional
        The published mode: read-only, no upload widgets, the two snapshots fixed by the
        publisher (``before`` / ``after`` may then be paths; None reads
        :data:`BEFORE_ENV` / :data:`AFTER_ENV`). Default :func:`published_mode` (from
        :data:`PUBLISHED_ENV`, set by the service that publishes the page).
    """

    def __init__(self, *, before: str | None = DEFAULT_BEFORE, after: str | None = DEFAULT_AFTER,
                 policy: Policy | str | PathLike | None = None, user: str | None = None,
                 db: str | PathLike | None = None, trail: bool = True,
                 published: bool | None = None) -> None:
        self.published = published_mode() if published is None else bool(published)
        self.policy = policy
        # 整改跟踪与机构考核 from the audit trail (branch-level figures only)
        self.trail = TrailSummaryPanel(db=db, policy=Policy.coerce(policy)) if trail else None
        self._db, self._alerts = db, trail  # alerts past deadline from the same store
        self._user_given = user is not None
        self.user = user if user is not None else current_user()
        self.view: ManagementView | None = None
        self.tables: dict[str, pd.DataFrame] = {}
        self.workbook_bytes: bytes = b""
        self._before: Extract | None = None
        self._after: Extract | None = None
        self._applied = False

        fixed_after = _snapshot(after, AFTER_ENV, DEFAULT_AFTER)
        fixed_before = _snapshot(before, BEFORE_ENV, DEFAULT_BEFORE)
        def choices(fixed: Sample) -> dict:
            if self.published:  # only the publisher's file, no other choice
                return {"samples": [fixed], "default": fixed.path.name}
            bundled = bundled_samples()
            if any(b.path == fixed.path for b in bundled):
                return {"default": fixed.path.name}
            return {"samples": [fixed, *bundled], "default": fixed.path.name}

        after_kwargs, before_kwargs = choices(fixed_after), choices(fixed_before)
        self.after_source = SourcePanel(self._on_after_loaded, title="期末快照(本期)",
                                        **after_kwargs)
        self.before_source = SourcePanel(self._on_before_loaded,
                                         title="期初快照(上期,用于迁徙分析)", **before_kwargs)
        self.error = widgets.HTML()
        self.header = widgets.HTML()
        self.kpis = widgets.HTML()
        self.class_plot, self.class_table = widgets.Output(), widgets.HTML()
        self.bucket_plot, self.bucket_table = widgets.Output(), widgets.HTML()
        self.concentration_table = widgets.HTML()
        self.findings_plot, self.findings_table = widgets.Output(), widgets.HTML()
        self.timeliness_table = widgets.HTML()
        self.coverage_table = widgets.HTML()
        self.migration_plot, self.migration_table = widgets.Output(), widgets.HTML()
        self.watch_cards = widgets.HTML()
        self.download = widgets.HTML()
        half = widgets.Layout(width="50%")
        for w in (self.after_source.widget, self.before_source.widget):
            w.layout = half
        sections = [
            self._section("一、资产质量", self.kpis, self.watch_cards),
            self._section("二、分机构五级分类余额", self.class_plot, self.class_table),
            self._section("三、逾期贷款分段", self.bucket_plot, self.bucket_table),
            self._section("四、前十大客户集中度", self.concentration_table),
            self._section("五、检查发现(分机构、分规则类别)", self.findings_plot,
                          self.findings_table),
            self._section("六、贷后检查及时率", self.timeliness_table),
            self._section("七、辖内机构现场检查覆盖", self.coverage_table),
            self._section("八、五级分类迁徙", self.migration_plot, self.migration_table),
            *([self.trail.widget] if self.trail is not None else []),
        ]
        if self.published:
            sources: list[widgets.Widget] = [widgets.HTML(
                "<h2>数据来源</h2><p class='pa-note pa-published'>本页为发布版(只读):数据由"
                f"发布人固定为期末快照 {html.escape(fixed_after.path.name)}、期初快照 "
                f"{html.escape(fixed_before.path.name)},不能上传或更换。</p>")]
        else:
            sources = [
                widgets.HTML("<h2>数据来源</h2><p class='pa-note'>默认使用样例全辖快照;上传本行"
                             "两期台账可替换期末或期初快照。上传的文件只保存在本次会话的内存中。</p>"),
                widgets.HBox([self.after_source.widget, self.before_source.widget]),
            ]
        self.widget = widgets.VBox([
            style_widget(), self.header, self.error, self.download, *sections, *sources,
        ])
        self._show_header()

    @staticmethod
    def _section(title: str, *children: widgets.Widget) -> widgets.VBox:
        return widgets.VBox([widgets.HTML(f"<h2>{html.escape(title)}</h2>"), *children])

    # ------------------------------------------------------------------ driving

    def start(self) -> None:
        """Load both bundled snapshots and show the page."""
        self.before_source.start()
        self.after_source.start()
        if self.trail is not None:
            self.trail.refresh()

    def _workbook(self, view: ManagementView) -> bytes:
        """The download (管理层看板数据.xlsx) of ``view``, with the current user."""
        buffer = io.BytesIO()
        write_management_workbook(view, buffer, user=self.user)
        return buffer.getvalue()

    def visitor_arrived(self) -> None:
        """The visitor's request has arrived (a pre-heated page, ``dashboard/visitor.py``):
        re-read the audit trail (runs recorded since the page was computed), and take the
        signed-in user from the request, unless one was given, for the header and workbook."""
        if self.trail is not None:
            self.trail.refresh()
        user = self.user if self._user_given else current_user()
        if user == self.user:
            return
        self.user = user
        if self.view is not None:
            self.workbook_bytes = self._workbook(self.view)
            self.download.value = download_link_html(self.workbook_bytes, WORKBOOK_NAME,
                                                     DOWNLOAD_LABEL)
        self._show_header()

    def load_after(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Replace the later snapshot (期末) by an uploaded ``(content, name)``; True when
        the page was updated. A bad file leaves the page as it was, with the error shown."""
        return self.after_source.load_files(files) and self._applied

    def load_before(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Replace the earlier snapshot (期初); as :meth:`load_after`."""
        return self.before_source.load_files(files) and self._applied

    def show_extracts(self, *, after: Extract | None = None,
                      before: Extract | None = None) -> bool:
        """Show already-loaded extracts (e.g. from :func:`~postloan_audit.load_extract`);
        an argument left out keeps the snapshot shown now. True when the page was updated;
        on failure the error panel shows why and the previous page stays."""
        return self._apply(after=after or self._after, before=before or self._before)

    def refresh(self) -> bool:
        """Recompute and redraw from the snapshots shown now (e.g. after changing
        :attr:`policy`)."""
        return self._apply(after=self._after, before=self._before)

    def _on_after_loaded(self, extracts: list[Extract]) -> None:
        if not self._apply(after=extracts[0], before=self._before):
            self.after_source.extracts = [self._after] if self._after is not None else []

    def _on_before_loaded(self, extracts: list[Extract]) -> None:
        if not self._apply(after=self._after, before=extracts[0]):
            self.before_source.extracts = [self._before] if self._before is not None else []

    def _apply(self, *, after: Extract | None, before: Extract | None) -> bool:
        """Compute the new view, then show it; on failure keep the previous one."""
        self._applied = False
        if after is None:  # the earlier snapshot loaded first (start): wait for the later
            self._before = before
            self._applied = True
            return True
        try:
            view = build_view(after, before, policy=self.policy)
            tables = display_tables(view)
            workbook = self._workbook(view)
            content = self._compose(view, tables, workbook)
            content["watch_cards"] = self._watch_cards(view)
        except Exception as exc:  # noqa: BLE001 - the page must stay usable
            self._show_error(exc)
            return False
        self._after, self._before = after, before
        self.view, self.tables, self.workbook_bytes = view, tables, workbook
        self.error.value = ""
        self._render(content)
        self._applied = True
        return True

    # ------------------------------------------------------------------ display

    def _show_error(self, exc: BaseException) -> None:
        title, message = user_error_message(exc)
        hint = None
        if self.view is not None:
            hint = ("当前仍显示上一次的结果:期末 " + self.view.after.source_name + ",期初 "
                    + (self.view.before.source_name if self.view.before else "(无)")
                    + "。 / Still showing the previous results.")
        self.error.value = error_html(title, message, hint=hint)
        if not _expected(exc):
            traceback.print_exception(exc)

    def _show_header(self) -> None:
        user = self.user or NO_USER_TEXT
        dates = ""
        if self.view is not None:
            v = self.view
            after_date = f"{v.as_of:%Y-%m-%d}" if v.as_of else "未识别"
            before_date = (f"{v.before.as_of:%Y-%m-%d}" if v.before is not None and v.before.as_of
                           else "—")
            dates = (f"期末快照:{html.escape(v.after.source_name)}(数据日期 {after_date});"
                     f"期初快照:{html.escape(v.before.source_name) if v.before else '—'}"
                     f"(数据日期 {before_date})")
        self.header.value = (
            f"<p class='pa-note' id='pa-current-user'>当前用户:{html.escape(user)}</p>"
            f"<p class='pa-note'>{dates}</p>"
            "<p class='pa-note'>个人客户姓名与证件号码已脱敏。"
            + ("本页为发布版,数据由发布人固定。</p>" if self.published else
               "如需查看本行数据,请在页面底部「数据来源」上传期末、期初两期贷款台账。</p>"))

    @staticmethod
    def _compose(view: ManagementView, tables: dict[str, pd.DataFrame], workbook: bytes
                 ) -> dict[str, str | go.Figure | None]:
        """Every widget's new content (HTML text, a figure, or None to clear a chart),
        computed before anything on the page changes, so a failure leaves the page whole."""
        out: dict[str, str | go.Figure | None] = {}
        notes = view.notes

        def note_html(section: str) -> str:
            return "".join(f"<p class='pa-note'>注:{html.escape(t)}</p>"
                           for t in notes.get(section, []))

        kp = view.kpis.to_frame()
        # Headline amounts in 万元 / 亿元 with two decimals, not 元 with fen.
        cards = [("贷款余额", format_wan(float(v))) if key == "balance" else (label, text)
                 for key, label, v, text in zip(kp["key"], kp["label_zh"], kp["value"],
                                                kp["text"], strict=True)]
        if view.timeliness is not None:
            cards.append(("贷后检查及时率", percent_text(view.timeliness.share)))
        if view.special_mention_unavailable is not None:
            # A rate computed from nothing (0.00%) would mislead: "—" and the reason instead.
            cards.append(("关注类贷款迁徙率", "—", view.special_mention_unavailable))
        elif view.special_mention is not None:
            cards.append(("关注类贷款迁徙率", percent_text(view.special_mention.rate)))
        out["kpis"] = ("<div id='pa-mgmt-kpis'>" + kpi_cards_html(cards) + "</div>"
                       + note_html("kpis"))

        out["class_plot"] = class_balance_figure(view.class_balance)
        out["class_table"] = table_html(_screen(tables["class_balance"]),
                                        css_id="pa-class-table")
        if view.buckets is not None:
            out["bucket_plot"] = overdue_bucket_figure(view.buckets)
            out["bucket_table"] = table_html(tables["buckets"], css_id="pa-bucket-table")
        else:
            out["bucket_plot"], out["bucket_table"] = None, note_html("buckets")

        conc = view.concentration
        out["concentration_table"] = (
            f"<p>前{conc.n}户贷款余额占全部在贷余额的 <b>{percent_text(conc.share)}</b>"
            f"(全部在贷余额 {format_wan(conc.total_balance)})。</p>"
            + table_html(_screen(tables["concentration"]), css_id="pa-concentration-table"))

        if "findings" in tables and view.report is not None and view.findings is not None:
            rep = view.report
            out["findings_plot"] = findings_figure(view.findings)
            out["findings_table"] = (
                f"<p>检查日 {rep.as_of:%Y-%m-%d}:执行规则 {len(rep.rules_run)} 条,"
                f"发现问题 {len(rep.findings):,} 条。</p>"
                + table_html(tables["findings"], css_id="pa-findings-table")
                + note_html("findings"))
        else:
            out["findings_plot"], out["findings_table"] = None, note_html("findings")

        if "timeliness" in tables and view.timeliness is not None:
            t = view.timeliness
            out["timeliness_table"] = (
                f"<p>在贷贷款 {t.loans:,} 笔中,检查超期 {t.overdue:,} 笔,"
                f"贷后检查及时率 <b>{percent_text(t.share)}</b>(检查日 {t.as_of:%Y-%m-%d})。</p>"
                + table_html(_screen(tables["timeliness"]), css_id="pa-timeliness-table")
                + note_html("timeliness"))
        else:
            out["timeliness_table"] = note_html("timeliness")

        if "coverage" in tables and view.coverage is not None:
            c, years = view.coverage, view.review_policy.review_cycle_years
            verdict = "达标" if c.meets_annual_target else "未达标"
            late = (f"<h4>超过{years}年未现场检查的机构</h4>"
                    + table_html(tables["coverage_overdue"], css_id="pa-coverage-overdue")
                    if len(c.overdue) else "")
            out["coverage_table"] = (
                f"<p>辖内机构 {c.branches} 家:{years}年内已现场检查 {c.reviewed_in_cycle} 家"
                f"({percent_text(c.cycle_share)},要求全覆盖);{c.as_of.year}年已现场检查 "
                f"{c.reviewed_this_year} 家({percent_text(c.year_share)}),年度要求不低于 "
                f"{c.target_share:.0%}(至少 {c.required_this_year} 家),<b>{verdict}</b>。</p>"
                + table_html(tables["coverage"], css_id="pa-coverage-table") + late
                + note_html("coverage"))
        else:
            out["coverage_table"] = note_html("coverage")

        if ("migration_count" in tables and view.migration_count is not None
                and view.special_mention is not None):
            sm = view.special_mention
            out["migration_plot"] = migration_figure(view.migration_count)
            out["migration_table"] = (
                f"<p>关注类贷款迁徙率(按余额):<b>{percent_text(sm.rate)}</b>;"
                f"按笔数:{percent_text(sm.count_rate)}。</p>"
                "<h4>迁徙矩阵(按期初余额,元)</h4>"
                + table_html(tables["migration_balance"], css_id="pa-migration-balance")
                + "<h4>迁徙矩阵(按笔数)</h4>"
                + table_html(tables["migration_count"], css_id="pa-migration-count")
                + "<h4>关注类贷款迁徙率</h4>"
                + table_html(tables["special_mention"][["指标", "显示"]],
                             headers={"显示": "数值"}, css_id="pa-special-mention")
                + "<h4>两期贷款核对</h4>"
                + table_html(tables["migration_accounting"], css_id="pa-migration-accounting")
                + note_html("migration"))
        else:
            out["migration_plot"], out["migration_table"] = None, note_html("migration")

        out["download"] = download_link_html(workbook, WORKBOOK_NAME, DOWNLOAD_LABEL)
        return out

    def _watch_cards(self, view: ManagementView) -> str:
        """The watch-list card (预警名单): borrowers by level on the later snapshot, new ones
        since the earlier snapshot, and alerts past their deadline in the audit trail; a figure
        that cannot be read shows "—" with its reason."""
        if view.as_of is None:
            return ("<div id='pa-mgmt-watch'><h4>风险预警</h4><p class='pa-note'>期末快照没有数据"
                    "日期,未扫描预警信号 / no data date: no scan.</p></div>")
        previous, why_new = view.before, None
        if previous is None:
            why_new = "未提供期初快照"
        elif previous.as_of is None or previous.as_of > view.as_of:
            previous, why_new = None, "期初快照日期不早于期末快照,未比较"
        report = scan_signals(view.after, as_of=view.as_of, previous=previous,
                              policy=self.policy)
        watch = report.watchlist
        current = watch.loc[watch["movement"].fillna("") != "exit"]
        counts = current["level"].value_counts()
        cards: list[tuple[str, str] | tuple[str, str, str]] = [
            (f"{name}色预警(户)", f"{int(counts.get(level, 0)):,}")
            for level, name in (("red", "红"), ("orange", "橙"), ("yellow", "黄"))]
        if why_new is None:
            cards.append(("本期新增预警(户)", f"{int((current['movement'] == 'new').sum()):,}"))
        else:
            cards.append(("本期新增预警(户)", "—", why_new))
        if self._alerts:
            try:
                store = open_store(self._db)
                try:
                    overdue = store.overdue_alerts_by_branch()
                finally:
                    store.close()
                cards.append(("逾期未处置预警(户)", f"{int(overdue['overdue'].sum()):,}"))
            except Exception as exc:  # noqa: BLE001 - the store is optional on this page
                cards.append(("逾期未处置预警(户)", "—", f"预警台账不可用 / alerts store unavailable: {exc}"))
        return ("<div id='pa-mgmt-watch'><h4>风险预警(预警名单,详见预警名单页)</h4>"
                + kpi_cards_html(cards) + "</div>")

    def _render(self, content: dict[str, str | go.Figure | None]) -> None:
        self._show_header()
        for name, value in content.items():
            target = getattr(self, name)
            if isinstance(target, widgets.Output):
                show_figure(target, value)
            else:
                target.value = value

    def displayed_html(self) -> str:
        """All HTML currently shown on the page (for tests: nothing unmasked may appear)."""
        parts = []
        stack: list[widgets.Widget] = [self.widget]
        while stack:
            w = stack.pop()
            if isinstance(w, widgets.HTML):
                parts.append(w.value)
            stack.extend(getattr(w, "children", ()))
        return "\n".join(parts)
