"""The findings workbook (问题清单工作簿) sent back to branches: :func:`write_findings_workbook`.

Sheets: 汇总 (branch × rule counts), 问题清单 (every finding, filterable), 未执行规则 (rules not
run and why), 规则目录 (the catalogue with citations), 参数 (check date, policy values,
fingerprint, source, time, version). All formatting and formula-injection safety come from
:mod:`postloan_audit.core.workbooks`.

Users read rules by their Chinese titles: a rule's column in 汇总 is headed by its title with
the id below it (smaller, secondary), and severity reads 高 / 中 / 低 on every sheet. The
dates of 参数 (检查日期, 生成时间) are stored as dates with a date format.

Every sheet prints through :class:`~postloan_audit.core.workbooks.PrintSetup`: A4, a page header
naming the branch, the check date, the data file (and the run of an exported follow-up), page
numbers, widths and row heights from the contents. In 汇总 the 合计 column comes second and the
rule columns are narrow with their headers printed upright, so that the table of every rule
prints across one page; 问题清单 ends with a sign-off block (检查人 / 复核人 / 日期).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from postloan_audit.compliance.checks import CheckReport, list_rules
from postloan_audit.compliance.findings_followup import FollowupColumns, add_followup_columns
from postloan_audit.compliance.rules import CATALOGUE
from postloan_audit.core.severity import SEVERITY_ZH
from postloan_audit.core.workbooks import (
    PrintSetup,
    Target,
    new_workbook,
    save_workbook,
    write_key_values,
    write_table,
)

FINDING_HEADERS: dict[str, str] = {
    "rule_id": "规则编号", "severity": "严重程度", "loan_id": "借据号", "borrower_id": "客户号",
    "borrower_name": "客户名称", "branch": "经营机构", "message": "问题描述",
    "due_date": "应完成日期", "days_late": "逾期天数", "citation": "依据",
}


def rule_header(rule_id: str) -> str:
    """A rule's column header: its Chinese title, then its id on a second line."""
    rule = CATALOGUE.get(rule_id)
    return f"{rule.title_zh}\n{rule_id}" if rule is not None else str(rule_id)


def zh_severity(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``severity`` column as 高 / 中 / 低."""
    out = frame.copy()
    severity = out["severity"].astype("str")
    out["severity"] = severity.map(SEVERITY_ZH).fillna(severity).astype("str")
    return out


#: The columns a printable view of 问题清单 keeps, should the sheet ever be too wide to print.
PRINTED_FINDING_HEADERS: tuple[str, ...] = (
    "规则名称", "严重程度", "借据号", "客户名称", "经营机构", "问题描述", "应完成日期", "逾期天数",
    "整改状态", "整改措施", "完成日期", "责任人")
#: The sign-off block under 问题清单.
SIGN_OFF: tuple[str, ...] = ("检查人", "复核人", "日期")


def print_setup(report: CheckReport, followup: FollowupColumns | None = None) -> PrintSetup:
    """The page header of the findings workbook: the branch (or how many), the check date,
    the data file and, for an exported follow-up, the run it comes from."""
    branches = sorted(set(report.findings["branch"].dropna().astype("str")) - {"", "nan"})
    details = []
    if len(branches) == 1:
        details.append(f"经营机构:{branches[0]}")
    elif branches:
        details.append(f"经营机构:{len(branches)}个")
    details.append(f"检查日期:{report.as_of:%Y-%m-%d}")
    if report.source_name:
        details.append(f"数据文件:{report.source_name}")
    if followup is not None and len(followup.values):
        details.append(f"运行编号:{str(followup.values['key'].iloc[0]).split('#', 1)[0]}")
    return PrintSetup("问题清单工作簿", details)


def _findings_sheet_frame(report: CheckReport) -> pd.DataFrame:
    f = report.findings.copy()
    f["severity"] = f["severity"].map(SEVERITY_ZH).astype("str")
    title = {rid: rule.title_zh for rid, rule in CATALOGUE.items()}
    f.insert(0, "title_zh", f["rule_id"].map(title).astype("str"))  # the title first, the id after
    return f


def write_findings_workbook(report: CheckReport, target: Target, *,
                            deterministic: bool = False,
                            followup: FollowupColumns | None = None,
                            rejected: pd.DataFrame | None = None) -> None:
    """Write ``report`` as an ``.xlsx`` workbook to a path or a binary buffer.

    Parameters
    ----------
    report:
        A :class:`~postloan_audit.compliance.checks.CheckReport`.
    target:
        A file path or a writable binary buffer.
    deterministic:
        Fixed document timestamps (identical reports give identical bytes).
    followup:
        The 整改情况 columns of a recorded run (see
        :mod:`postloan_audit.compliance.findings_followup`), appended to 问题清单.
    rejected:
        The extract's rejected rows (``Extract.rejected``); when given, a sheet 拒绝行 lists
        them, so the reader sees which rows the findings do not cover.
    """
    from postloan_audit.core.version import __version__

    wb = new_workbook()
    setup = print_setup(report, followup)

    ws = wb.create_sheet("汇总")
    by_branch = report.summary_by_branch()
    rules = list(by_branch.columns[1:-1])
    by_branch = by_branch[["branch", "total", *rules]]
    headers = ["经营机构", "合计", *[rule_header(c) for c in rules]]
    next_row = write_table(ws, by_branch, headers=headers)
    by_rule = zh_severity(report.summary_by_rule())
    write_table(ws, by_rule, start_row=next_row + 1, freeze=False,
                headers=["规则编号", "规则名称", "严重程度", "问题数", "涉及借据数", "涉及机构数"])
    setup.apply(ws, rotate=headers[2:], more_headers=[next_row + 1])

    ws = wb.create_sheet("问题清单")
    frame = _findings_sheet_frame(report)
    write_table(ws, frame, autofilter=True,
                headers=[FINDING_HEADERS.get(c, "规则名称") for c in frame.columns],
                number_formats={"days_late": "#,##0"})
    if followup is not None:
        add_followup_columns(ws, len(frame.columns) + 1, followup)
    setup.apply(ws, wrap=("问题描述", "依据", "整改措施"), widths={"整改措施": 24.0},
                sign_off=SIGN_OFF, key_columns=PRINTED_FINDING_HEADERS)

    ws = wb.create_sheet("未执行规则")
    write_table(ws, report.not_run, headers=["规则编号", "未执行原因"])
    setup.apply(ws)

    ws = wb.create_sheet("规则目录")
    write_table(ws, zh_severity(list_rules(report.policy)),
                headers=["规则编号", "规则名称", "英文名称", "严重程度", "依据", "参数", "所需数据"])
    setup.apply(ws, wrap=("依据", "参数", "所需数据"))

    ws = wb.create_sheet("参数")
    created = report.created if not deterministic else dt.datetime(2000, 1, 1)
    pairs: list[tuple[str, object]] = [
        ("检查日期 as_of", report.as_of),
        ("数据文件 source", report.source_name),
        ("文件指纹 fingerprint (sha256)", report.fingerprint),
        ("导出配置 export profile", report.profile_name or "无(按内置表头读取) / none"),
        ("导出配置指纹 profile sha256", report.profile_sha256 or ""),
        ("贷款笔数 loans", report.loans_checked),
        ("执行规则 rules run", ", ".join(report.rules_run)),
        ("参数来源 policy source", report.policy.source),
        ("生成时间 created", created),
        ("程序版本 version", __version__),
    ]
    pairs += [(f"注意 warning {i}", w) for i, w in enumerate(report.warnings, start=1)]
    pairs += [(f"参数 {k}", v if not isinstance(v, bool) else ("是" if v else "否"))
              for k, v in report.policy.items()]
    write_key_values(ws, pairs)
    setup.apply(ws)

    if rejected is not None:
        ws = wb.create_sheet("拒绝行")
        write_table(ws, rejected[["sheet", "row", "column", "value", "reason"]], autofilter=True,
                    headers=["工作表", "行号", "列", "原值", "拒绝原因"])
        setup.apply(ws)

    save_workbook(wb, target, deterministic=deterministic)
