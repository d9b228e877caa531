"""The published management page as one self-contained HTML file (管理层看板发布版).

For e-mailing to a committee (风险管理委员会): everything the management page shows, the
plotly charts included (plotly.js is embedded once, so the file opens without a server and
without internet), and nothing personal: the same masked view as the page
(:func:`~postloan_audit.portfolio.management.build_view` masks individuals' names and id
numbers, 《个人信息保护法》 第五十一条 去标识化). ``postloan-audit publish BEFORE AFTER --out
report.html`` writes it.
"""

from __future__ import annotations

import datetime as dt
import html
from os import PathLike

import plotly.graph_objects as go

from postloan_audit.compliance.policy import Policy
from postloan_audit.core.extract import Extract
from postloan_audit.core.identity import NO_USER_TEXT
from postloan_audit.dashboard.common import _STYLE
from postloan_audit.dashboard.management import ManagementDashboard
from postloan_audit.portfolio.management import build_view, display_tables

#: (title, chart key, table key) of each section, in page order (as on the page).
SECTIONS: tuple[tuple[str, str | None, str], ...] = (
    ("一、资产质量", None, "kpis"),
    ("二、分机构五级分类余额", "class_plot", "class_table"),
    ("三、逾期贷款分段", "bucket_plot", "bucket_table"),
    ("四、前十大客户集中度", None, "concentration_table"),
    ("五、检查发现(分机构、分规则类别)", "findings_plot", "findings_table"),
    ("六、贷后检查及时率", None, "timeliness_table"),
    ("七、辖内机构现场检查覆盖", None, "coverage_table"),
    ("八、五级分类迁徙", "migration_plot", "migration_table"),
)

_PAGE_STYLE = """
<style>
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
       sans-serif; max-width: 1200px; margin: 0 auto; padding: 16px 24px; color: #1f2328; }
h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 1px solid #d0d7de; }
</style>
"""


def publish_html(after: Extract, before: Extract | None = None, *,
                 policy: Policy | str | PathLike | None = None, user: str | None = None,
                 created: dt.datetime | None = None) -> str:
    """The management page of ``after`` (and the migration from ``before``) as one HTML
    document: masked tables, the charts with plotly.js embedded, the sources and who
    published it when. No request leaves the file when it is opened."""
    view = build_view(after, before, policy=policy)
    tables = display_tables(view)
    content = ManagementDashboard._compose(view, tables, b"")
    created = created or dt.datetime.now().replace(microsecond=0)
    plotly_included = False
    parts = []
    for title, chart, table in SECTIONS:
        parts.append(f"<h2>{html.escape(title)}</h2>")
        figure = content.get(chart) if chart else None
        if isinstance(figure, go.Figure):
            parts.append(figure.to_html(full_html=False, include_plotlyjs=not plotly_included,
                                        config={"displaylogo": False, "responsive": True}))
            plotly_included = True
        parts.append(str(content.get(table) or ""))

    def source(extract: Extract | None) -> str:
        if extract is None:
            return "(未提供)"
        date = f"{extract.as_of:%Y-%m-%d}" if extract.as_of else "未识别"
        return f"{extract.source_name}(数据日期 {date},指纹 {extract.fingerprint[:16]})"

    head = (
        "<p class='pa-note'>"
        f"期末快照:{html.escape(source(after))};期初快照:{html.escape(source(before))}<br>"
        f"发布人:{html.escape(user or NO_USER_TEXT)};生成时间:{created:%Y-%m-%d %H:%M:%S}<br>"
        "个人客户姓名与证件号码已脱敏。本文件为发布时的数据快照,不随台账更新。</p>")
    return ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1.0'>"
            "<title>管理层看板</title>" + _STYLE + _PAGE_STYLE + "</head><body>"
            "<h1>管理层看板</h1>" + head + "".join(parts) + "</body></html>")
