"""The statistical sampling dashboard (统计抽样看板) for internal auditors:
``notebooks/04_statistical_sampling.ipynb``.

An auditor chooses the test, plans the sample with the inputs explained in plain words, draws
it with a seed written on the workpaper, downloads the workpaper, fills it in (是否偏差 for a
control test; 应划为不良的余额 for classification accuracy), uploads it, and reads the
evaluation and its conclusion. The statistics are the package's
(:func:`~postloan_audit.plan_attribute_sample`, :func:`~postloan_audit.evaluate_attribute_sample`,
:func:`~postloan_audit.plan_mus`, :func:`~postloan_audit.draw_mus_sample`,
:func:`~postloan_audit.evaluate_mus`; 《第2108号内部审计具体准则——审计抽样》, AICPA Audit Sampling
Guide Appendix A and C); this module only wires widgets to them and can be driven without a
browser (tests call the same methods the buttons call).

CSS hooks for the browser tests: ``pa-stat-plan`` (plan text), ``#pa-stat-sample`` (sample
table), ``a.pa-download`` (workpaper), ``pa-stat-conclusion`` (evaluation), ``pa-error``.
"""

from __future__ import annotations

import html
import io
import secrets
import traceback
from dataclasses import replace

import ipywidgets as widgets
import pandas as pd

from postloan_audit.core.errors import PostloanAuditError
from postloan_audit.core.extract import Extract
from postloan_audit.dashboard.common import (
    SourcePanel,
    download_link_html,
    error_html,
    style_widget,
    table_html,
    user_error_message,
)
from postloan_audit.statistical import (
    AttributePlan,
    MUSPlan,
    MUSSample,
    draw_mus_sample,
    evaluate_attribute_sample,
    evaluate_mus,
    plan_attribute_sample,
    plan_mus,
)
from postloan_audit.statistical import workpaper as wp
from postloan_audit.statistical.mus import MUS_METHOD_ZH, STRATUM_ZH

#: Proposed seeds: six digits or fewer, short enough to write on the workpaper.
SEED_PROPOSAL_RANGE = 1_000_000
CONFIDENCE_OPTIONS = [("90%(信赖过度/误受风险 10%)", 0.90), ("95%(风险 5%)", 0.95)]
TEST_OPTIONS = [("控制测试", "control"), ("五级分类准确性", "classification")]
#: Default inputs per test, in percent (a starting point the auditor changes).
DEFAULTS = {"control": (5.0, 1.0), "classification": (5.0, 1.0)}

_EXPLAIN = {
    "control": (
        "<b>控制测试(属性抽样)</b>:检查一项控制是否执行,例如“贷后检查报告是否附最新财务资料”。"
        "每笔抽中的贷款只判断“是否偏差”。"
        "<ul><li><b>可信赖程度</b>:结论可靠的把握,95% 表示有 5% 的风险过度信赖控制。</li>"
        "<li><b>可容忍偏差率</b>:控制失效比例最高能接受多少,超过就不能信赖该控制。</li>"
        "<li><b>预计总体偏差率</b>:根据以往检查预计会有多少偏差;预计越高,需要的样本越多。</li></ul>"),
    "classification": (
        "<b>五级分类准确性(货币单元抽样)</b>:在正常、关注类贷款中按金额抽样,检查应划为不良"
        "而未划为不良的余额(五级分类偏离度)。余额越大的贷款越容易被抽中,余额不低于选样间距的贷款全部检查。"
        "<ul><li><b>可信赖程度</b>:结论可靠的把握,95% 表示有 5% 的风险错误接受总体。</li>"
        "<li><b>可容忍错报</b>:应划不良而未划的余额,占正常、关注类余额的比例最高能接受多少。</li>"
        "<li><b>预计错报</b>:预计会发现的此类余额比例;预计越高,需要的样本越多。</li></ul>"),
}
_FILL_HINT = {
    "control": f"下载底稿后,在「{wp.H_DEVIATION}」列逐笔填写“是”或“否”,再上传。",
    "classification": f"下载底稿后,在「{wp.H_MISCLASSIFIED}」列逐笔填写应划为不良的余额(元),"
                      "分类正确填 0,再上传。",
}


def propose_seed() -> int:
    """A fresh random seed for a new sample (to be written down on the workpaper)."""
    return secrets.randbelow(SEED_PROPOSAL_RANGE)


class StatisticalSamplingDashboard:
    """统计抽样: choose the test, plan, draw, download the workpaper, upload it, evaluate.

    Parameters
    ----------
    sample : str
        File name of the bundled extract loaded at start.
    seed : int, optional
        The seed shown at start (None: a fresh proposal).
    test : {"control", "classification"}
        The test selected at start.

    Attributes
    ----------
    extract : Extract or None
        The loaded extract.
    plan_result : AttributePlan or MUSPlan or None
    items : DataFrame or None
        The drawn control-test items.
    mus_sample : MUSSample or None
        The drawn classification-test sample.
    evaluation : AttributeEvaluation or MUSEvaluation or None
    """

    def __init__(self, *, sample: str = "branch_chengguan_20260930.xlsx", seed: int | None = None,
                 test: str = "control") -> None:
        self.extract: Extract | None = None
        self.plan_result: AttributePlan | MUSPlan | None = None
        self.items: pd.DataFrame | None = None
        self.mus_sample: MUSSample | None = None
        self.evaluation = None
        self.workpaper: bytes | None = None
        self._evaluated_from, self._result_html = "", ""  # the workpaper the conclusion is of
        self.source = SourcePanel(self._on_loaded, default=sample, title="1. 数据来源")
        self.test = widgets.ToggleButtons(options=TEST_OPTIONS, value=test, description="测试")
        self.test.add_class("pa-stat-test")
        self.explain = widgets.HTML()
        self.confidence = widgets.Dropdown(options=CONFIDENCE_OPTIONS, value=0.95,
                                           description="可信赖程度",
                                           layout=widgets.Layout(width="360px"))
        self.tolerable = widgets.BoundedFloatText(value=DEFAULTS[test][0], min=0.01, max=99.0,
                                                  step=0.5, description="可容忍(%)")
        self.expected = widgets.BoundedFloatText(value=DEFAULTS[test][1], min=0.0, max=98.0,
                                                 step=0.25, description="预计(%)")
        self.plan_button = widgets.Button(description="计算样本量", button_style="primary")
        self.plan_button.add_class("pa-stat-plan-button")
        self.plan_box = widgets.HTML()
        self.seed = widgets.BoundedIntText(value=propose_seed() if seed is None else seed, min=0,
                                           max=2**32 - 1, description="随机种子")
        self.method = widgets.Dropdown(options=[(v, k) for k, v in MUS_METHOD_ZH.items()],
                                       value="fixed_interval", description="选样方法")
        self.draw_button = widgets.Button(description="抽取样本", button_style="primary")
        self.draw_button.add_class("pa-stat-draw-button")
        self.sample_box = widgets.HTML()
        self.download = widgets.HTML()
        self.upload = widgets.FileUpload(accept=".xlsx", multiple=False,
                                         description="上传已填写底稿", button_style="info")
        self.result_box = widgets.HTML()
        self.error = widgets.HTML()
        self.widget = widgets.VBox([
            style_widget(),
            widgets.HTML("<h2>统计抽样</h2><p class='pa-note'>依据《第2108号内部审计具体准则——审计抽样》;"
                         "样本量与评价和 AICPA《审计抽样指南》附录 A、附录 C 表 C-1 一致。</p>"),
            self.source.widget,
            widgets.HTML("<h3>2. 选择测试并确定样本量</h3>"), self.test, self.explain,
            widgets.HBox([self.confidence, self.tolerable, self.expected]), self.plan_button,
            self.plan_box,
            widgets.HTML("<h3>3. 抽取样本并下载工作底稿</h3>"
                         "<p class='pa-note'>请把随机种子记在底稿上:同一台账、同一种子,抽出的样本完全相同。</p>"),
            widgets.HBox([self.seed, self.method, self.draw_button]), self.sample_box,
            self.download,
            widgets.HTML("<h3>4. 上传填写好的底稿,查看评价结论</h3>"), self.upload,
            self.error, self.result_box,
        ])
        self.test.observe(self._on_test, names="value")
        self.plan_button.on_click(lambda _b: self.plan())
        self.draw_button.on_click(lambda _b: self.draw())
        self.upload.observe(self._on_upload, names="value")
        self._show_test()

    # ------------------------------------------------------------------ driving

    def start(self) -> None:
        """Load the default extract and plan with the default inputs."""
        self.source.start()

    def _on_loaded(self, extracts: list[Extract]) -> None:
        self.extract = extracts[0]
        self._clear_sample()
        self.plan()

    def _on_test(self, _change) -> None:
        self.tolerable.value, self.expected.value = DEFAULTS[self.test.value]
        self._show_test()
        self._clear_sample()
        self.plan()

    def _show_test(self) -> None:
        self.explain.value = f"<div class='pa-note'>{_EXPLAIN[self.test.value]}</div>"
        self.method.layout.display = None if self.test.value == "classification" else "none"

    def _clear_sample(self) -> None:
        self._evaluated_from, self._result_html = "", ""
        self.items = self.mus_sample = self.evaluation = self.workpaper = None
        self.sample_box.value = self.download.value = self.result_box.value = ""

    def _population(self) -> Extract:
        if self.extract is None:
            raise ValueError("请先读取贷款台账。 / Load an extract first.")
        if self.test.value == "classification":
            return replace(self.extract, loans=wp.performing_loans(self.extract.loans))
        return self.extract

    def _guard(self, action) -> bool:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            title, message = user_error_message(exc)
            self.error.value = error_html(title, message)
            if not isinstance(exc, PostloanAuditError | ValueError):
                traceback.print_exception(exc)
            return False
        self.error.value = ""
        return True

    def plan(self) -> bool:
        """Plan with the inputs on screen; True when it worked (else the error panel)."""
        return self._guard(self._plan)

    def _plan(self) -> None:
        self.plan_result = None
        confidence = float(self.confidence.value)
        tolerable = self.tolerable.value / 100
        expected = self.expected.value / 100
        if self.test.value == "control":
            plan = plan_attribute_sample(confidence=confidence, tolerable_rate=tolerable,
                                         expected_rate=expected)
            words = (f"抽取 <b>{plan.n}</b> 笔贷款逐笔检查。若发现的偏差不超过 {plan.expected_deviations} 笔,"
                     f"即可在 {confidence:.0%} 的把握下认为控制失效比例不超过 {tolerable:.2%}。")
        else:
            value = float(self._population().loans["balance"].clip(lower=0).sum())
            plan = plan_mus(confidence=confidence, tolerable=tolerable, expected=expected,
                            population_value=value)
            words = (f"在正常、关注类贷款余额 {value:,.2f} 元中按金额抽取 <b>{plan.n}</b> 个货币单元,"
                     f"选样间距 {plan.interval:,.2f} 元(余额不低于间距的贷款全部检查)。"
                     f"可容忍错报 {plan.tolerable_amount:,.2f} 元。")
        self.plan_result = plan
        self.plan_box.value = (f"<div class='pa-ok pa-stat-plan'>{words}<br>"
                               f"<span class='pa-note'>{html.escape(plan.summary()).replace(chr(10), '<br>')}"
                               f"</span></div>")

    def draw(self) -> bool:
        """Draw the planned sample with the seed on screen and prepare the workpaper."""
        return self._guard(self._draw)

    def _draw(self) -> None:
        self._clear_sample()
        if self.plan_result is None:
            self._plan()
        plan = self.plan_result
        population = self._population()
        seed = int(self.seed.value)
        if self.test.value == "control":
            items = wp.draw_control_items(population.loans, plan.n, seed=seed)
            buffer = io.BytesIO()
            wp.write_control_workpaper(items, buffer, parameters=[
                ("测试", wp.TESTS["control"]), ("可信赖程度", f"{plan.confidence:.0%}"),
                ("可容忍偏差率", f"{plan.tolerable_rate:.2%}"),
                ("预计总体偏差率", f"{plan.expected_rate:.2%}"), ("样本量", plan.n),
                ("可接受偏差数", plan.expected_deviations), ("随机种子", seed),
                ("数据文件", population.source_name), ("文件指纹", population.fingerprint),
                ("总体笔数", len(population.loans)), ("样本指纹", wp.items_fingerprint(items)),
                ("填写说明", _FILL_HINT["control"])])
            self.items = items
            table = wp.control_workpaper_table(items)
            note = (f"从 {len(population.loans)} 笔贷款中等概率抽取 {len(items)} 笔(随机种子 {seed})。")
        else:
            sample = draw_mus_sample(population, plan.n, seed=seed, method=self.method.value)
            buffer = io.BytesIO()
            wp.write_mus_workpaper(sample, buffer, plan=plan)
            self.mus_sample = sample
            table = wp.mus_workpaper_table(sample)
            note = html.escape(sample.summary()).replace("\n", "<br>")
        self.workpaper = buffer.getvalue()
        shown = table.drop(columns=[c for c in (wp.H_DEVIATION, wp.H_MISCLASSIFIED, wp.H_REMARK)
                                    if c in table.columns])
        self.sample_box.value = (f"<div class='pa-ok pa-stat-sample-summary'>{note}</div>"
                                 + table_html(shown, css_id="pa-stat-sample"))
        name = f"统计抽样工作底稿_{'控制测试' if self.test.value == 'control' else '五级分类'}_种子{seed}.xlsx"
        self.download.value = (download_link_html(self.workpaper, name, "下载工作底稿 (.xlsx)")
                               + f"<p class='pa-note'>{html.escape(_FILL_HINT[self.test.value])}</p>")

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        content, name = bytes(files[0]["content"]), files[0]["name"]
        self.upload.value = ()
        self.evaluate_workpaper(content, name)

    def evaluate_workpaper(self, content: bytes, filename: str) -> bool:
        """Read a filled workpaper and show the evaluation; True when it worked.

        A failed upload never leaves an earlier conclusion on screen as if it were this
        one's: it stays, labelled as the previous workpaper's."""
        if self._guard(lambda: self._evaluate(content, filename)):
            return True
        if self.evaluation is not None and self._evaluated_from:
            self.result_box.value = (
                "<div class='pa-note pa-stale'>以下为上一次上传的底稿"
                f"「{html.escape(self._evaluated_from)}」的评价结论;本次上传的"
                f"「{html.escape(filename)}」未通过校验,结论未更新。 / The conclusion below is "
                "the previous workpaper's; this upload was not used.</div>" + self._result_html)
        return False

    def _evaluate(self, content: bytes, filename: str) -> None:
        plan = self.plan_result
        if self.test.value == "control":
            if self.items is None:
                raise ValueError("请先抽取样本并下载底稿。 / Draw the sample first.")
            n, deviations = wp.read_control_workpaper(
                content, filename=filename, expected_ids=self.items["loan_id"].astype(str).tolist())
            result = evaluate_attribute_sample(n=n, deviations=deviations,
                                               confidence=plan.confidence)
            conclusion = result.conclusion(plan.tolerable_rate)
            detail = ""
        else:
            if self.mus_sample is None:
                raise ValueError("请先抽取样本并下载底稿。 / Draw the sample first.")
            audited = wp.read_mus_workpaper(content, self.mus_sample, filename=filename)
            result = evaluate_mus(self.mus_sample, audited, confidence=plan.confidence)
            conclusion = result.conclusion(plan.tolerable_amount)
            found = result.misstatements.assign(
                stratum=lambda f: f["stratum"].map(STRATUM_ZH))[
                ["loan_id", "stratum", "book_value", "audited_value", "misstatement", "taint"]]
            detail = "<h4>发现的错报</h4>" + table_html(found, headers={
                "loan_id": "借据号", "stratum": "抽样层", "book_value": "账面余额(元)",
                "audited_value": "审定余额(元)", "misstatement": "应划为不良的余额(元)",
                "taint": "错报比例"}, css_id="pa-stat-misstatements")
        self.evaluation = result
        lines = html.escape(result.summary()).replace("\n", "<br>")
        self._evaluated_from = filename
        self._result_html = (f"<div class='pa-ok pa-stat-conclusion'><b>{html.escape(conclusion)}"
                             f"</b><br><span class='pa-note'>{lines}</span></div>{detail}")
        self.result_box.value = self._result_html
