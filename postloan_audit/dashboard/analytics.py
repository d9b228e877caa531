"""The 审计分析 section of pages 02 and 05 (:class:`AnalyticsPanel`).

One panel over :func:`postloan_audit.analytics.review.review_book`: the page hands it the book
it has loaded (page 02 the files checked, as one book; page 05 the extract scanned) and, when
there is one, the earlier snapshot; the user gives the bank's 一级资本净额 and 资本净额 (no
default: the large-exposure analysis says what to set) and the approval limits for the
bunching test, and presses 运行审计分析. The panel shows a table of headline results, the
analyses not run with their reasons, each table (first rows; the workbook has them all) and
the analytics workbook's download. It runs on the button, not with every load, so a page
renders as fast as before.

CSS classes used by the browser tests: ``pa-analytics`` (the section), ``pa-analytics-counts``
(the headline table).
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd

from postloan_audit.analytics.digits import DEFAULT_LIMITS, parse_limits
from postloan_audit.analytics.review import AnalyticsReview, book_of, review_book
from postloan_audit.analytics.workbook import PERCENT_COLUMNS
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.extract import Extract
from postloan_audit.dashboard.common import (
    download_link_html,
    error_html,
    table_html,
    user_error_message,
)

#: Rows of each table shown on the page (the workbook holds them all).
SHOWN_ROWS = 20
COUNT_HEADERS = {"item": "分析项目", "value": "结果", "note": "说明"}
NOT_RUN_HEADERS = {"item": "分析项目", "reason": "未执行原因"}


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as the page shows it: shares as percentages, 是/否 for booleans, days as dates."""
    out = frame.copy()
    for c in out.columns:
        if c in PERCENT_COLUMNS:
            values = pd.to_numeric(out[c], errors="coerce")
            out[c] = values.map(lambda v: "" if pd.isna(v) else f"{v:.2%}")
        elif pd.api.types.is_bool_dtype(out[c].dtype):
            out[c] = out[c].map({True: "是", False: "否"})
    return out


def _amount(text: str, zh: str, en: str) -> float | None:
    """An amount in yuan as typed (thousands separators allowed); None when left empty."""
    cleaned = re.sub(r"[,，\s]", "", text or "")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{zh}须为正的金额(元),如 50000000000,收到“{text}”。 / The {en} must "
                         f"be a positive amount in yuan, got {text!r}.")
    return value


class AnalyticsPanel:
    """审计分析: every analysis of the page's book on a button (see the module).

    Parameters
    ----------
    title:
        The section's heading (its number on the page).
    file_stem:
        The workbook's file name before the date (``审计分析``).

    Attributes
    ----------
    widget:
        The ipywidgets tree.
    review:
        The last :class:`~postloan_audit.analytics.review.AnalyticsReview` (None before the
        first run, and again once the page's book changed).
    workbook_bytes:
        The analytics workbook of :attr:`review` (``b""`` before).
    """

    def __init__(self, *, title: str, file_stem: str = "审计分析") -> None:
        self._file_stem = file_stem
        self._extracts: list[Extract] = []
        self._previous: list[Extract] = []
        self._policy: Policy | None = None
        self.review: AnalyticsReview | None = None
        self.workbook_bytes = b""
        wide = widgets.Layout(width="330px")
        style = {"description_width": "110px"}
        self.tier1_capital = widgets.Text(description="一级资本净额(元)", placeholder="未填写",
                                          layout=wide, style=style)
        self.capital = widgets.Text(description="资本净额(元)", placeholder="未填写", layout=wide,
                                    style=style)
        self.limits = widgets.Text(value=",".join(f"{v:.0f}" for v in DEFAULT_LIMITS),
                                   description="审批阈值(元)",
                                   layout=widgets.Layout(width="520px"), style=style)
        self.run_button = widgets.Button(description="运行审计分析", icon="play",
                                         button_style="primary",
                                         layout=widgets.Layout(width="160px"))
        self.status = widgets.HTML()
        self.error = widgets.HTML()
        self.counts_html = widgets.HTML()
        self.not_run_html = widgets.HTML()
        self.tables_html = widgets.HTML()
        self.download = widgets.HTML()
        intro = widgets.HTML(
            f"<h3>{html.escape(title)}</h3><p class='pa-note'>对本页台账做审计分析:同一债务人"
            "识别(同一证件号码、同名且一方缺少证件号码)与证件号码校验,担保圈与担保链(需保证人表),"
            "大额风险暴露与限额(须填写本行一级资本净额和资本净额,本工具不设默认值),行业与机构集中度,"
            "首位数字检验和审批阈值下方堆积,一物多押、同一证件号码多个客户号与疑似重复借据;有上期"
            "台账时另做两期比对与余额勾稽。点击「运行审计分析」后显示,每表显示前 "
            f"{SHOWN_ROWS} 行,完整内容见审计分析工作簿。</p>")
        self.widget = widgets.VBox([
            intro,
            widgets.HBox([self.tier1_capital, self.capital]),
            widgets.HBox([self.limits, self.run_button]),
            self.status, self.error, self.counts_html, self.not_run_html, self.download,
            self.tables_html,
        ])
        self.widget.add_class("pa-analytics")
        self.run_button.on_click(lambda _button: self.run())

    # ------------------------------------------------------------------ driving

    def set_book(self, extracts: Sequence[Extract], *, previous: Sequence[Extract] = (),
                 policy: Policy | None = None) -> None:
        """The page's book changed: the files (several are one book), the earlier snapshot
        (none: no comparison) and the policy. Results of another book are cleared."""
        key = (tuple(e.fingerprint for e in extracts), tuple(e.fingerprint for e in previous))
        old = (tuple(e.fingerprint for e in self._extracts),
               tuple(e.fingerprint for e in self._previous))
        self._extracts, self._previous, self._policy = list(extracts), list(previous), policy
        if key != old and self.review is not None:
            self.review, self.workbook_bytes = None, b""
            for panel in (self.counts_html, self.not_run_html, self.tables_html,
                          self.download, self.error):
                panel.value = ""
            self.status.value = ("<p class='pa-note pa-stale'>台账已更换,请重新运行审计分析。 / "
                                 "The data changed: run the analytics again.</p>")

    def set_capital(self, tier1_capital: float | None, capital: float | None) -> None:
        """Enter the bank's 一级资本净额 and 资本净额 (yuan)."""
        self.tier1_capital.value = "" if tier1_capital is None else f"{tier1_capital:.2f}"
        self.capital.value = "" if capital is None else f"{capital:.2f}"

    def run(self) -> bool:
        """Run every analysis on the page's book; True when the review was made (an analysis
        the book cannot have is listed, not an error). A bad input shows the error panel and
        keeps the last results."""
        self.error.value = ""
        if not self._extracts:
            self.error.value = error_html("没有可分析的台账 / Nothing to analyse",
                                          "请先在上方载入台账。 / Load an extract above first.")
            return False
        try:
            limits = parse_limits(self.limits.value or "")
            tier1 = _amount(self.tier1_capital.value, "一级资本净额", "tier-1 capital")
            capital = _amount(self.capital.value, "资本净额", "capital")
            self.status.value = "<p class='pa-note'>正在运行审计分析…</p>"
            review = review_book(book_of(self._extracts),
                                 previous=book_of(self._previous) if self._previous else None,
                                 policy=self._policy, tier1_capital=tier1, capital=capital,
                                 limits=limits.tolist())
            buffer = io.BytesIO()
            review.write(buffer)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            title, message = user_error_message(exc)
            hint = ("下方仍为上一次的审计分析结果。" if self.review is not None else "") + \
                " / Nothing was analysed."
            self.error.value = error_html(title, message, hint=hint)
            self.status.value = ""
            return False
        self.review, self.workbook_bytes = review, buffer.getvalue()
        self._show(review)
        return True

    # ------------------------------------------------------------------ showing

    def _show(self, review: AnalyticsReview) -> None:
        p = review.provenance
        day = f",数据日期 {p.as_of:%Y-%m-%d}" if p.as_of else ""
        self.status.value = (f"<div class='pa-ok'>审计分析完成:{html.escape(p.source_name or '')}"
                             f"{day}。</div>")
        counts = pd.DataFrame(review.counts, columns=list(COUNT_HEADERS))
        self.counts_html.value = table_html(counts, headers=COUNT_HEADERS,
                                            css_id="pa-analytics-counts")
        if review.not_run:
            frame = pd.DataFrame(review.not_run, columns=list(NOT_RUN_HEADERS))
            self.not_run_html.value = ("<h4>未执行的分析及原因</h4>"
                                       + table_html(frame, headers=NOT_RUN_HEADERS))
        else:
            self.not_run_html.value = ""
        parts = []
        for section in review.sections:
            frame = section.frame if section.frame is not None else pd.DataFrame()
            notes = "".join(f"<p class='pa-note'>{html.escape(n)}</p>" for n in section.notes)
            parts.append(f"<h4>{html.escape(section.title)}</h4>"
                         + table_html(_shown(frame), headers=dict(section.headers),
                                      max_rows=SHOWN_ROWS) + notes)
        self.tables_html.value = "".join(parts)
        stamp = f"_{p.as_of:%Y%m%d}" if p.as_of else ""
        self.download.value = download_link_html(self.workbook_bytes,
                                                 f"{self._file_stem}{stamp}.xlsx",
                                                 "下载审计分析工作簿(.xlsx)")
