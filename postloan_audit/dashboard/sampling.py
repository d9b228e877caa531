"""The branch sampling dashboard (支行抽样看板) for inspectors: ``notebooks/01_branch_sampling.ipynb``.

An inspector about to visit a sub-branch loads its loan ledger (a bundled sample or an upload),
picks the branch, writes down the proposed random seed, and gets the on-site supervision sample
of `001_…` 篇三 "五、贷后组织督导" (现场督导检查要求: 总户数不低于10户; 正常、关注、次级及以下
分别不低于3、4、3户; 贷款排名较前不低于3户; 保证、抵(质)押类不低于5户), with the reason each
borrower was picked, a chart comparing the sample with the branch, the workpaper of exactly what
is on screen, this year's review plan of the sub-branches (same section, item 5: 两年内全覆盖,
每年覆盖率不低于40%) when the extract carries a 机构 sheet, and the monthly check of last month's
new customers (`003_…` 第四篇 一、(二)2: 每月按上月新增客户总数不低于10%现场核查) with its
workpaper.

Everything is computed by the package (:func:`~postloan_audit.draw_sample`,
:func:`~postloan_audit.write_sample_workpaper`, :func:`~postloan_audit.plan_branch_reviews`,
:func:`~postloan_audit.draw_new_customer_check`,
:func:`~postloan_audit.write_new_customer_workpaper`);
this module only wires widgets to them. :class:`BranchSamplingDashboard` can be driven without
a browser: tests call the same methods the widgets' callbacks call and read the resulting
tables from its attributes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import secrets
import traceback
from collections.abc import Sequence
from dataclasses import replace

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from postloan_audit.core.errors import PostloanAuditError
from postloan_audit.core.extract import Extract
from postloan_audit.core.schema import (
    CLASSIFICATION_ZH,
    CLASSIFICATIONS,
    GUARANTEE_TYPES,
    GUARANTEE_ZH,
)
from postloan_audit.dashboard.common import (
    SourcePanel,
    download_link_html,
    error_html,
    plot_output,
    show_figure,
    style_widget,
    table_html,
    user_error_message,
)
from postloan_audit.supervision.new_customers import (
    new_customer_table,
    officer_table,
    write_new_customer_workpaper,
)
from postloan_audit.supervision.planning import (
    NEW_CUSTOMER_CHECK_RATE,
    ReviewPlanPolicy,
    draw_new_customer_check,
    new_customer_month,
    plan_branch_reviews,
)
from postloan_audit.supervision.quotas import (
    REASON_ZH,
    SamplingPolicy,
    SupervisionSample,
    draw_sample,
)
from postloan_audit.supervision.workpaper import sample_table, strata_table, write_sample_workpaper

#: Proposed seeds are drawn from ``range(SEED_PROPOSAL_RANGE)``: six digits or fewer, short
#: enough to be written down on the workpaper by hand (any non-negative integer is accepted).
SEED_PROPOSAL_RANGE = 1_000_000
#: The bundled extract loaded at start (one sub-branch, enough borrowers for every quota).
DEFAULT_SAMPLE = "branch_chengguan_20260930.xlsx"

#: Chinese headers of :attr:`BranchSamplingDashboard.borrowers`.
BORROWER_HEADERS: dict[str, str] = {
    "seq": "序号",
    "borrower_id": "客户号",
    "borrower_name": "客户名称",
    "classification": "五级分类(该户最差)",
    "total_balance": "贷款余额合计(元)",
    "balance_rank": "余额排名",
    "secured": "保证/抵质押",
    "loan_count": "贷款笔数",
    "reasons": "抽样理由",
}
#: Chinese headers of :attr:`BranchSamplingDashboard.plan`.
PLAN_HEADERS: dict[str, str] = {
    "branch": "机构",
    "last_onsite_review_date": "最近现场检查日期",
    "must": "本年必查",
    "selected": "列入本年计划",
    "reason": "说明",
}
#: Chinese headers of :attr:`BranchSamplingDashboard.mix`.
MIX_HEADERS: dict[str, str] = {
    "dimension": "维度",
    "category": "类别",
    "population": "总体户数",
    "population_share": "总体占比",
    "sample": "样本户数",
    "sample_share": "样本占比",
}
#: Label of borrowers whose loans carry no recognised guarantee type.
_NO_GUARANTEE = "未填写"
_YES_NO = np.array(["否", "是"], dtype=object)
#: Workpaper (抽样结果) columns that describe the borrower, already in the borrowers table on
#: screen; the on-screen loans table leaves them out (the rows are the workpaper's).
_BORROWER_LEVEL = ("借款人五级分类", "客户贷款余额合计(元)", "余额排名", "抽样理由")
#: The loans table is wide (the workpaper's columns): one line per loan, scrolled sideways.
_STYLE = ("<style>.pa-scroll { overflow-x: auto; max-width: 100%; }"
          " #pa-sampling-loans td, #pa-sampling-loans th { white-space: nowrap; }</style>")
_NEW_CUSTOMER_NOTE = (f"依据:《贷后管理实施细则》第四篇 一、(二)2 抽查比例:业务代表(含渠道)每月要按上月新增客户"
                      f"总数不低于{NEW_CUSTOMER_CHECK_RATE * 100:g}%的比例进行现场核查,如发现挪用资金的"
                      "情况将在第一时间要求客户结清贷款。新增客户指首笔贷款在该月发放的个人客户;台账有"
                      "「客户经理」列时按每位客户经理分别抽查。")
_SOURCE_NOTE = ("抽样依据:《贷后管理工作计划》篇三 五、贷后组织督导 现场督导检查要求"
                "(总户数不低于10户,每户1-2笔;正常、关注、次级及以下类分别不低于3、4、3户;"
                "贷款排名较前的借款人不低于3户;保证、抵(质)押类不低于5户)。")


def propose_seed() -> int:
    """A fresh random seed for a new sample (to be written down on the workpaper)."""
    return secrets.randbelow(SEED_PROPOSAL_RANGE)


# =========================================================================== tables


def borrower_table(sample: SupervisionSample) -> pd.DataFrame:
    """The sampled borrowers with their reasons in Chinese (抽中借款人及抽样理由).

    One row per borrower, in balance-rank order, numbered like the workpaper's 抽样结果 sheet;
    columns are the keys of :data:`BORROWER_HEADERS`.
    """
    bor = sample.borrowers.reset_index(drop=True)
    names = bor["borrower_name"] if "borrower_name" in bor else pd.Series(np.nan, index=bor.index)
    # A handful of borrowers (the sample), each with a tuple of reason codes.
    reasons = ["、".join(REASON_ZH[r] for r in rs) for rs in bor["reasons"]]
    return pd.DataFrame({
        "seq": np.arange(1, len(bor) + 1, dtype=np.int64),
        "borrower_id": bor["borrower_id"].astype(object).to_numpy(),
        "borrower_name": names.astype(object).to_numpy(),
        "classification": bor["classification"].astype(object).map(CLASSIFICATION_ZH).to_numpy(),
        "total_balance": bor["total_balance"].to_numpy(dtype="float64"),
        "balance_rank": bor["balance_rank"].to_numpy().astype(np.int64),
        "secured": _YES_NO[bor["secured"].to_numpy(dtype=bool).astype(np.int64)],
        "loan_count": bor["loan_count"].to_numpy().astype(np.int64),
        "reasons": np.array(reasons, dtype=object),
    })


def population_mix(loans: pd.DataFrame, sample: SupervisionSample) -> pd.DataFrame:
    """Borrower counts and shares of the branch and of the sample, by class and by guarantee.

    The population is the sample's: the branch's loans less those :func:`draw_sample` set
    aside (``sample.excluded``). A borrower's class is the worst of its loans (as in the
    sample's class quotas) and its guarantee the strongest of its loans' guarantee types
    (信用 < 保证 < 抵押 < 质押, the order of :data:`~postloan_audit.core.schema.GUARANTEE_TYPES`);
    without a ``guarantee_type`` column the ``secured`` flag splits 保证/抵质押 from 信用.

    Returns
    -------
    DataFrame
        ``dimension`` (五级分类 / 担保方式), ``category`` (Chinese label, every class and
        guarantee type listed even when empty), ``population`` and ``sample`` (borrower
        counts) and ``population_share`` / ``sample_share`` (of all borrowers; 0 when none).
    """
    branch = loans.loc[loans["branch"] == sample.branch]
    key = "source_row" if "source_row" in branch and "source_row" in sample.excluded else "loan_id"
    population = branch.loc[~branch[key].isin(sample.excluded[key])]
    codes = pd.Categorical(population["classification"].astype(object),
                           categories=list(CLASSIFICATIONS), ordered=True).codes
    if "guarantee_type" in population:
        guarantee = pd.Categorical(population["guarantee_type"].astype(object),
                                   categories=list(GUARANTEE_TYPES), ordered=True).codes
        guarantee_labels = [GUARANTEE_ZH[g] for g in GUARANTEE_TYPES] + [_NO_GUARANTEE]
    else:
        guarantee = population["secured"].to_numpy(dtype=bool).astype(np.int8)
        guarantee_labels = [GUARANTEE_ZH["credit"], "保证/抵质押", _NO_GUARANTEE]
    per_borrower = pd.DataFrame({
        "borrower_id": population["borrower_id"].to_numpy(),
        "cls": codes.astype(np.int64),
        "guarantee": np.asarray(guarantee, dtype=np.int64),
    }).groupby("borrower_id", sort=True).max()
    in_sample = per_borrower.index.isin(sample.borrowers["borrower_id"])
    # Unknown guarantee (-1) goes to the last label.
    g_code = per_borrower["guarantee"].to_numpy()
    g_code = np.where(g_code < 0, len(guarantee_labels) - 1, g_code)
    blocks = []
    for dimension, code, labels in (
            ("五级分类", per_borrower["cls"].to_numpy(), [CLASSIFICATION_ZH[c]
                                                       for c in CLASSIFICATIONS]),
            ("担保方式", g_code, guarantee_labels)):
        pop = np.bincount(code, minlength=len(labels))
        smp = np.bincount(code[in_sample], minlength=len(labels))
        blocks.append(pd.DataFrame({
            "dimension": dimension, "category": labels,
            "population": pop.astype(np.int64), "population_share": _share(pop),
            "sample": smp.astype(np.int64), "sample_share": _share(smp),
        }))
    mix = pd.concat(blocks, ignore_index=True)
    # "未填写" is listed only when some borrower has it.
    unknown = (mix["category"] == _NO_GUARANTEE) & (mix["population"] == 0)
    return mix.loc[~unknown].reset_index(drop=True)


def _share(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total else np.zeros(len(counts))


def mix_figure(mix: pd.DataFrame, sample: SupervisionSample) -> go.Figure:
    """Two grouped-bar panels: borrower shares of the branch and of the sample (总体与样本结构)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("按五级分类(借款人占比)",
                                                        "按担保方式(借款人占比)"),
                        horizontal_spacing=0.1)
    series = (("总体", "population", "#9fb7d4"), ("样本", "sample", "#1f6feb"))
    for col, dimension in enumerate(("五级分类", "担保方式"), start=1):
        part = mix.loc[mix["dimension"] == dimension]
        for name, column, colour in series:
            fig.add_trace(go.Bar(
                x=part["category"].tolist(), y=part[f"{column}_share"].tolist(), name=name,
                marker_color=colour, legendgroup=name, showlegend=col == 1,
                customdata=part[column].tolist(),
                text=[f"{s:.0%}" for s in part[f"{column}_share"]], textposition="outside",
                hovertemplate=f"{name} %{{x}}:%{{customdata}} 户(%{{y:.1%}})<extra></extra>",
            ), row=1, col=col)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title_text="借款人占比")
    fig.update_layout(
        barmode="group", height=380, margin={"l": 60, "r": 20, "t": 70, "b": 40},
        title={"text": f"{sample.branch}:总体 {sample.population_borrowers} 户,"
                       f"样本 {sample.size} 户", "x": 0.01},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12},
        font={"family": "'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif"},
        template="plotly_white",
    )
    return fig


def review_plan_table(plan: pd.DataFrame) -> pd.DataFrame:
    """:func:`plan_branch_reviews` output ready to show: 是/否 instead of booleans."""
    shown = plan.copy()
    for column in ("must", "selected"):
        shown[column] = _YES_NO[plan[column].to_numpy(dtype=bool).astype(np.int64)]
    return shown


# =========================================================================== the dashboard


class BranchSamplingDashboard:
    """支行抽样 (branch on-site review sample) dashboard.

    Parameters
    ----------
    sample : str
        File name of the bundled extract (in ``sample_extracts/``) loaded by :meth:`start`.
    seed : int, optional
        The random seed first shown; None proposes a fresh one (:func:`propose_seed`).
    min_borrowers : int, optional
        最低抽查户数; defaults to ``policy.min_borrowers`` (10, `001_…` 篇三 五、贷后组织督导).
    policy : SamplingPolicy, optional
        The other quotas (defaults of :class:`~postloan_audit.SamplingPolicy`).
    plan_policy : ReviewPlanPolicy, optional
        Coverage rule of the annual review plan.
    new_customer_seed : int, optional
        The random seed of the new-customer check first shown; None proposes a fresh one.

    Attributes
    ----------
    extract : Extract or None
        The extract the sample is drawn from.
    sample : SupervisionSample or None
        The sample on screen (None before the first successful draw).
    strata, borrowers, loans, mix : DataFrame or None
        The tables on screen: :func:`~postloan_audit.supervision.workpaper.strata_table`,
        :func:`borrower_table`, :func:`~postloan_audit.supervision.workpaper.sample_table` (the selected
        loans, as on the workpaper) and :func:`population_mix`.
    plan : DataFrame or None
        :func:`~postloan_audit.plan_branch_reviews` of the extract's 机构 sheet, None when the
        extract has none.
    workpaper : bytes or None
        The workpaper (.xlsx) of the sample on screen, offered by the download link.
    new_customer_check : DataFrame or None
        :func:`~postloan_audit.draw_new_customer_check` of the month and seed shown (None
        before the first successful draw).
    new_customers, new_customer_officers : DataFrame or None
        Its tables on screen: the drawn customers
        (:func:`~postloan_audit.supervision.new_customers.new_customer_table`, without the
        on-site columns) and the count per officer
        (:func:`~postloan_audit.supervision.new_customers.officer_table`).
    new_customer_workpaper : bytes or None
        Its workpaper (:func:`~postloan_audit.write_new_customer_workpaper`), offered by the
        section's download link.
    """

    def __init__(self, *, sample: str = DEFAULT_SAMPLE, seed: int | None = None,
                 min_borrowers: int | None = None, policy: SamplingPolicy | None = None,
                 plan_policy: ReviewPlanPolicy | None = None,
                 new_customer_seed: int | None = None) -> None:
        self.policy = SamplingPolicy() if policy is None else policy
        self.plan_policy = ReviewPlanPolicy() if plan_policy is None else plan_policy
        self.extract: Extract | None = None
        self.sample: SupervisionSample | None = None
        self.strata: pd.DataFrame | None = None
        self.borrowers: pd.DataFrame | None = None
        self.loans: pd.DataFrame | None = None
        self.mix: pd.DataFrame | None = None
        self.figure: go.Figure | None = None
        self.plan: pd.DataFrame | None = None
        self.workpaper: bytes | None = None
        self.new_customer_check: pd.DataFrame | None = None
        self.new_customers: pd.DataFrame | None = None
        self.new_customer_officers: pd.DataFrame | None = None
        self.new_customer_workpaper: bytes | None = None
        self._quiet = False  # True while the controls are updated programmatically

        self.source = SourcePanel(self._on_loaded, default=sample, title="一、数据来源")
        self.branch_picker = widgets.Dropdown(description="被查机构", options=[],
                                              layout=widgets.Layout(width="320px"))
        self.branch_picker.add_class("pa-branch-picker")
        self.seed_input = widgets.IntText(
            value=propose_seed() if seed is None else int(seed), description="随机种子",
            layout=widgets.Layout(width="220px"))
        self.seed_input.add_class("pa-seed")
        self.new_seed_button = widgets.Button(description="换一个种子", icon="refresh",
                                              tooltip="生成新的随机种子并重新抽样")
        self.min_input = widgets.IntText(
            value=self.policy.min_borrowers if min_borrowers is None else int(min_borrowers),
            description="最低户数", layout=widgets.Layout(width="180px"))
        self.min_input.add_class("pa-min-borrowers")
        self.error = widgets.HTML()
        self.summary_html = widgets.HTML()
        self.download_html = widgets.HTML()
        self.strata_html = widgets.HTML()
        self.borrowers_html = widgets.HTML()
        self.chart = plot_output(go.Figure())
        self.loans_html = widgets.HTML()
        self.plan_html = widgets.HTML()
        # 新增客户现场核查 (monthly new-customer check)
        self.month_input = widgets.Text(description="新增客户月份", placeholder="YYYY-MM",
                                        continuous_update=False,
                                        layout=widgets.Layout(width="240px"))
        self.month_input.add_class("pa-nc-month")
        self.nc_seed_input = widgets.IntText(
            value=propose_seed() if new_customer_seed is None else int(new_customer_seed),
            description="随机种子", layout=widgets.Layout(width="220px"))
        self.nc_seed_input.add_class("pa-nc-seed")
        self.nc_run_button = widgets.Button(description="抽取核查名单", icon="play",
                                            button_style="primary")
        self.month_note = widgets.HTML()
        self.nc_error = widgets.HTML()
        self.nc_summary_html = widgets.HTML()
        self.nc_download_html = widgets.HTML()
        self.nc_officers_html = widgets.HTML()
        self.nc_table_html = widgets.HTML()

        self.branch_picker.observe(self._on_control, names="value")
        self.seed_input.observe(self._on_control, names="value")
        self.min_input.observe(self._on_control, names="value")
        self.new_seed_button.on_click(self._on_new_seed)
        self.month_input.observe(self._on_new_customer_control, names="value")
        self.nc_seed_input.observe(self._on_new_customer_control, names="value")
        self.nc_run_button.on_click(lambda _button: self.run_new_customer_check())

        self.widget = widgets.VBox([
            style_widget(),
            widgets.HTML(f"{_STYLE}<p class='pa-note'>{html.escape(_SOURCE_NOTE)}</p>"),
            self.source.widget,
            widgets.HTML("<h3>二、抽样设置</h3>"),
            widgets.HBox([self.branch_picker, self.seed_input, self.new_seed_button,
                          self.min_input]),
            widgets.HTML("<p class='pa-note'>随机种子请记入工作底稿:同一台账、机构、种子和最低户数"
                         "可重现同一样本。修改任一设置即重新抽样。</p>"),
            self.error,
            self.summary_html,
            self.download_html,
            widgets.HTML("<h3>三、分层统计</h3>"),
            self.strata_html,
            widgets.HTML("<h3>四、抽中借款人及抽样理由</h3>"),
            self.borrowers_html,
            widgets.HTML("<h3>五、样本与总体结构对比</h3>"),
            self.chart,
            widgets.HTML("<h3>六、抽中贷款</h3>"),
            self.loans_html,
            widgets.HTML("<h3>七、本年度辖内机构现场检查计划</h3>"),
            self.plan_html,
            widgets.HTML("<h3>八、新增客户现场核查(每月)</h3>"
                         f"<p class='pa-note'>{html.escape(_NEW_CUSTOMER_NOTE)}</p>"),
            widgets.HBox([self.month_input, self.nc_seed_input, self.nc_run_button]),
            self.month_note,
            self.nc_error,
            self.nc_summary_html,
            self.nc_download_html,
            widgets.HTML("<h4>按客户经理</h4>"),
            self.nc_officers_html,
            widgets.HTML("<h4>核查名单</h4>"),
            self.nc_table_html,
        ])

    # ------------------------------------------------------------------ driving

    def start(self) -> None:
        """Load the default bundled extract and draw its sample."""
        self.source.start()

    def load_files(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Load uploaded ``(content, filename)`` pairs (as the upload button does).

        True when the file loaded; otherwise the error panel says why and the previous
        extract and sample stay shown.
        """
        return self.source.load_files(files)

    def set_branch(self, branch: str) -> bool:
        """Sample ``branch`` (one of the extract's branches); True when drawn."""
        values = [value for _, value in self.branch_picker.options]
        if branch not in values:
            self._show_error(ValueError(
                f"台账中没有机构「{branch}」;可选:{'、'.join(values) or '无'}。"
                f" / Branch {branch!r} is not in the extract."))
            return False
        return self._set(self.branch_picker, branch)

    def set_seed(self, seed: int) -> bool:
        """Redraw with ``seed``; True when drawn."""
        return self._set(self.seed_input, int(seed))

    def set_min_borrowers(self, count: int) -> bool:
        """Redraw with 最低抽查户数 ``count``; True when drawn."""
        return self._set(self.min_input, int(count))

    def new_seed(self) -> bool:
        """Propose a fresh seed and redraw (the 换一个种子 button)."""
        return self.set_seed(propose_seed())

    def run(self) -> bool:
        """Draw the sample of the current settings and show it; True when drawn.

        On failure (e.g. a negative seed, a branch with no live loan) the error panel says
        what is wrong and the previous sample, tables and download stay as they were.
        """
        try:
            if self.extract is None:
                raise ValueError("尚未读取台账。 / No extract loaded yet.")
            policy = replace(self.policy, min_borrowers=int(self.min_input.value))
            sample = draw_sample(self.extract, seed=int(self.seed_input.value),
                                 branch=self.branch_picker.value, policy=policy)
            strata = strata_table(sample)
            borrowers = borrower_table(sample)
            loans = sample_table(sample)
            mix = population_mix(self.extract.loans, sample)
            figure = mix_figure(mix, sample)
            buffer = io.BytesIO()
            write_sample_workpaper(sample, buffer)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self._show_error(exc)
            return False
        self.sample, self.strata, self.borrowers, self.loans = sample, strata, borrowers, loans
        self.mix, self.figure, self.workpaper = mix, figure, buffer.getvalue()
        self.error.value = ""
        self._render()
        return True

    def set_month(self, month: str) -> bool:
        """Draw the new-customer check of ``month`` (``'YYYY-MM'``); True when drawn."""
        return self._set_new_customer(self.month_input, str(month))

    def set_new_customer_seed(self, seed: int) -> bool:
        """Redraw the new-customer check with ``seed``; True when drawn."""
        return self._set_new_customer(self.nc_seed_input, int(seed))

    def run_new_customer_check(self) -> bool:
        """Draw the new-customer check of the month and seed shown; True when drawn.

        On failure (a month not written ``YYYY-MM``, a ledger without 客户类型 or 发放日期)
        the section's error panel says why and the previous check stays shown.
        """
        try:
            if self.extract is None:
                raise ValueError("尚未读取台账。 / No extract loaded yet.")
            check = draw_new_customer_check(self.extract, month=self.month_input.value.strip(),
                                            seed=int(self.nc_seed_input.value))
            table = new_customer_table(check, on_site=False)
            officers = officer_table(check)
            buffer = io.BytesIO()
            write_new_customer_workpaper(check, buffer, provenance=self.extract.provenance)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            title, message = user_error_message(exc)
            hint = None
            if self.new_customer_check is not None:
                shown = self.new_customer_check.attrs
                hint = (f"当前仍显示上一次的核查名单:{shown['month']},随机种子 {shown['seed']}。"
                        " / Still showing the previous check.")
            self.nc_error.value = error_html(title, message, hint=hint)
            if not isinstance(exc, PostloanAuditError | ValueError):
                traceback.print_exception(exc)
            return False
        self.new_customer_check, self.new_customers = check, table
        self.new_customer_officers, self.new_customer_workpaper = officers, buffer.getvalue()
        self.nc_error.value = ""
        self._render_new_customers()
        return True

    def set_extract(self, extract: Extract) -> bool:
        """Sample from ``extract`` (what a successful load does); True when drawn.

        The branch picker lists the extract's branches, keeping the current branch when the
        new extract has it; the review plan is rebuilt from its 机构 sheet; the new-customer
        check is drawn for the month before the extract's data date (before today when the
        extract carries none).
        """
        try:
            counts = extract.loans["branch"].value_counts()
            branches = extract.branch_names
            current = self.branch_picker.value
            self._quiet = True
            try:
                self.branch_picker.options = [(f"{b}({int(counts[b]):,}笔贷款)", b)
                                              for b in branches]
                self.branch_picker.value = (current if current in branches
                                            else branches[0] if branches else None)
            finally:
                self._quiet = False
            self.extract = extract
            self._render_plan(extract)
        except Exception as exc:  # noqa: BLE001
            self._show_error(exc)
            return False
        self._clear_new_customers()  # the check of another file is not kept beside this one
        self._default_month(extract)
        self.run_new_customer_check()
        return self.run()

    # ------------------------------------------------------------------ callbacks

    def _on_loaded(self, extracts: list[Extract]) -> None:
        self.set_extract(extracts[0])

    def _on_control(self, change) -> None:
        if not self._quiet:
            self.run()

    def _on_new_seed(self, _button) -> None:
        self.new_seed()

    def _on_new_customer_control(self, change) -> None:
        if not self._quiet:
            self.run_new_customer_check()

    def _set_new_customer(self, control: widgets.ValueWidget, value) -> bool:
        if control.value != value:
            self._quiet = True
            try:
                control.value = value
            finally:
                self._quiet = False
        return self.run_new_customer_check()

    def _default_month(self, extract: Extract) -> None:
        """Put the month before the data date (else before today) in the month box, and say
        which it is."""
        if extract.as_of is not None:
            day = extract.as_of
            basis = f"新增客户月份默认为台账数据日期 {day:%Y-%m-%d} 的上一个月"
        else:
            day = dt.date.today()
            basis = f"台账未识别数据日期,新增客户月份默认为今天 {day:%Y-%m-%d} 的上一个月"
        month = new_customer_month(day)
        self._quiet = True
        try:
            self.month_input.value = month
        finally:
            self._quiet = False
        self.month_note.value = (
            f"<p class='pa-note pa-nc-month-note'>{html.escape(basis)}({month});"
            "可改为其他月份(YYYY-MM)。随机种子请记入底稿。</p>")

    def _set(self, control: widgets.ValueWidget, value) -> bool:
        if control.value == value:
            return self.run()
        self._quiet = True
        try:
            control.value = value
        finally:
            self._quiet = False
        return self.run()

    # ------------------------------------------------------------------ display

    def _show_error(self, exc: BaseException) -> None:
        title, message = user_error_message(exc)
        hint = None
        if self.sample is not None:
            s = self.sample
            hint = (f"当前仍显示上一次的抽样结果:{s.source_name or ''} {s.branch},随机种子 {s.seed}。"
                    " / Still showing the previous sample.")
        self.error.value = error_html(title, message, hint=hint)
        if not isinstance(exc, PostloanAuditError | ValueError):
            traceback.print_exception(exc)

    def _render(self) -> None:
        s = self.sample
        assert s is not None and self.workpaper is not None
        as_of = f"{s.as_of:%Y-%m-%d}" if s.as_of else "未识别"
        self.summary_html.value = (
            "<div class='pa-ok pa-sample-summary'>"
            f"<b>{html.escape(s.branch)}</b>(数据日期 {as_of},文件 "
            f"{html.escape(s.source_name or '')}):抽样总体 {s.population_borrowers:,} 户、"
            f"{s.population_loans:,} 笔贷款(剔除 {s.excluded_loans:,} 笔);"
            f"抽中 <b>{s.size} 户、{len(s.loans)} 笔</b>。"
            f"<br>随机种子 <b class='pa-seed-used'>{s.seed}</b>,最低户数 "
            f"{s.policy.min_borrowers},抽样时间 {s.drawn_at:%Y-%m-%d %H:%M:%S}。</div>")
        stamp = f"{s.as_of:%Y%m%d}" if s.as_of else f"{s.drawn_at:%Y%m%d}"
        self.download_html.value = download_link_html(
            self.workpaper, f"现场检查工作底稿_{s.branch}_{stamp}_种子{s.seed}.xlsx",
            "下载现场检查工作底稿(.xlsx)")
        self.strata_html.value = table_html(self.strata, css_id="pa-sampling-strata")
        self.borrowers_html.value = table_html(self.borrowers, headers=BORROWER_HEADERS,
                                               css_id="pa-sampling-borrowers")
        show_figure(self.chart, self.figure)
        self.loans_html.value = ("<div class='pa-scroll'>"
                                 + table_html(self.loans.drop(columns=list(_BORROWER_LEVEL),
                                                              errors="ignore"),
                                              css_id="pa-sampling-loans") + "</div>")

    def _clear_new_customers(self) -> None:
        self.new_customer_check = self.new_customers = self.new_customer_officers = None
        self.new_customer_workpaper = None
        for panel in (self.nc_summary_html, self.nc_download_html, self.nc_officers_html,
                      self.nc_table_html):
            panel.value = ""

    def _render_new_customers(self) -> None:
        check = self.new_customer_check
        assert check is not None and self.new_customer_workpaper is not None
        attrs = check.attrs
        self.nc_summary_html.value = (
            "<div class='pa-ok pa-nc-summary'>"
            f"文件 {html.escape(self.extract.source_name or '')}:"
            f"{html.escape(attrs['month'])} 新增个人客户 <b>{attrs['new_customers']:,}</b> 户"
            f"(首笔贷款在该月发放),应抽 {attrs['required']:,} 户,抽中 <b>{len(check):,} 户</b>;"
            f"随机种子 <b class='pa-nc-seed-used'>{attrs['seed']}</b>。"
            f"<br>{html.escape(attrs['note'])}</div>")
        self.nc_download_html.value = download_link_html(
            self.new_customer_workpaper,
            f"新增客户现场核查底稿_{attrs['month']}_种子{attrs['seed']}.xlsx",
            "下载新增客户现场核查底稿(.xlsx)")
        self.nc_officers_html.value = table_html(self.new_customer_officers,
                                                 css_id="pa-nc-officers")
        self.nc_table_html.value = table_html(self.new_customers, css_id="pa-nc-customers")

    def _render_plan(self, extract: Extract) -> None:
        self.plan = None
        if extract.branches is None:
            self.plan_html.value = (
                "<p class='pa-note pa-plan-missing'>本台账没有「机构」工作表(各机构最近一次现场检查日期),"
                "无法编制年度现场检查计划。如需计划,请上传含该工作表的台账(例如样例“全辖快照”)。</p>")
            return
        year = (extract.as_of or dt.date.today()).year
        try:
            plan = plan_branch_reviews(extract.branches, year=year, loans=extract.loans,
                                       policy=self.plan_policy)
        except Exception as exc:  # noqa: BLE001 - the sample is still useful without a plan
            title, message = user_error_message(exc)
            self.plan_html.value = error_html(f"无法编制现场检查计划:{title}", message)
            return
        self.plan = plan
        chosen = int(plan["selected"].sum())
        self.plan_html.value = (
            f"<p class='pa-plan-summary'>{year} 年:辖内 {len(plan)} 家机构,本年安排现场检查 "
            f"<b>{chosen}</b> 家(其中两年内未检查必查 {int(plan['must'].sum())} 家);"
            f"要求 {self.plan_policy.review_cycle_years} 年内全覆盖、每年覆盖率不低于 "
            f"{self.plan_policy.min_annual_coverage:.0%}(篇三 五、贷后组织督导 第5项)。</p>"
            + table_html(review_plan_table(plan), headers=PLAN_HEADERS,
                         css_id="pa-sampling-plan"))
