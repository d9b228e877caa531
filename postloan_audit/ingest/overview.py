"""The extract overview (台账读取概览): what was read, kept, rejected and why.

Used by ``notebooks/00_extract_overview.ipynb``; the dashboards of later issues reuse
:func:`accounting_table` and :func:`issues_table` for their load panels.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd

from postloan_audit.core.extract import Extract
from postloan_audit.core.severity import ISSUE_SEVERITY_ZH

ACCOUNTING_HEADERS_ZH = {
    "sheet": "数据表", "source_sheet": "原工作表", "rows_read": "读取行数", "kept": "保留",
    "rejected": "拒绝", "summary_rows": "合计行", "blank_rows": "空行",
}
ISSUE_HEADERS_ZH = {
    "severity": "级别", "sheet": "工作表", "row": "行号", "column": "列", "value": "原值",
    "message": "说明",
}


def accounting_table(extract: Extract) -> pd.DataFrame:
    """Rows read = kept + rejected + summary rows, per sheet, with Chinese headers."""
    return extract.accounting.rename(columns=ACCOUNTING_HEADERS_ZH)


def issues_table(extract: Extract) -> pd.DataFrame:
    """Every error, warning and note, severity in Chinese, with Chinese headers."""
    issues = extract.issues.astype(object).where(extract.issues.notna(), "")
    issues["severity"] = issues["severity"].map(ISSUE_SEVERITY_ZH).fillna(issues["severity"])
    return issues.rename(columns=ISSUE_HEADERS_ZH)


def _yuan(value: float) -> str:
    return f"{value:,.2f}"


def _balance_fact(loans: pd.DataFrame, amount: Callable[[float], str]) -> tuple[str, str]:
    """The balance total; with loans not in CNY, the CNY total and the foreign ones apart.

    Foreign-currency balances are never added to the 人民币 total: each currency is listed in
    its own units (``USD 1,200.00``), since the extract carries no exchange rate.
    """
    unit = "元" if amount is _yuan else ""
    if "foreign_currency" not in loans or not loans["foreign_currency"].any():
        return (f"贷款余额({unit})" if unit else "贷款余额", amount(float(loans["balance"].sum())))
    foreign = loans["foreign_currency"].to_numpy(dtype=bool)
    others = loans.loc[foreign].groupby("currency")["balance"].sum()
    listed = "、".join(f"{code} {value:,.2f}" for code, value in others.items())
    return (f"贷款余额(人民币{unit};外币按原币另列)",
            f"{amount(float(loans.loc[~foreign, 'balance'].sum()))}(另有外币:{listed})")


def extract_facts(extract: Extract, *, amount: Callable[[float], str] = _yuan
                  ) -> list[tuple[str, str]]:
    """The file's headline facts: file, date, fingerprint, loans, borrowers, branches, balance,
    issue counts. ``amount`` formats a 元 total (the dashboards pass 万元/亿元)."""
    loans = extract.loans
    counts = extract.issues["severity"].value_counts()
    return [
        ("文件", extract.source_name),
        ("数据日期", f"{extract.as_of:%Y-%m-%d}" if extract.as_of else "未识别"),
        ("文件指纹(SHA-256)", extract.fingerprint[:16] + "…"),
        ("全部借据笔数(含已结清)", f"{len(loans):,}"),
        ("其中在贷借据笔数(余额大于0)", f"{int((loans['balance'] > 0).sum()):,}"),
        ("客户户数", f"{loans['borrower_id'].nunique():,}"),
        ("机构数", f"{loans['branch'].nunique():,}"),
        _balance_fact(loans, amount),
        ("错误 / 警告 / 提示",
         f"{counts.get('error', 0)} / {counts.get('warning', 0)} / {counts.get('info', 0)}"),
    ]


def overview_html(extract: Extract) -> str:
    """One HTML block: source, fingerprint, date, accounting and issues."""
    facts = extract_facts(extract)
    facts_html = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in facts
    )
    return (
        "<h3>台账读取概览</h3>"
        f"<table>{facts_html}</table>"
        "<h4>行数核对(读取 = 保留 + 拒绝 + 合计行)</h4>"
        + accounting_table(extract).to_html(index=False, border=0)
        + "<h4>问题清单</h4>"
        + (issues_table(extract).to_html(index=False, border=0, na_rep="")
           if len(extract.issues) else "<p>无问题。</p>")
    )


REJECTED_HEADERS_ZH = {"sheet": "工作表", "row": "行号", "column": "列", "value": "原值",
                       "reason": "拒绝原因"}


def rejected_table(extract: Extract) -> pd.DataFrame:
    """The rejected rows (one line per problem), with Chinese headers."""
    rejected = extract.rejected.astype(object).where(extract.rejected.notna(), "")
    return rejected.rename(columns=REJECTED_HEADERS_ZH)


def reading_summary(extract: Extract, *, where_listed: str) -> str:
    """One line saying how much was read, kept, rejected and set aside (读取情况), and where the
    rejected rows are listed; the user must know when the data is thin."""
    acc = extract.accounting[extract.accounting["sheet"] == "loans"]
    read, kept = int(acc["rows_read"].sum()), int(acc["kept"].sum())
    rejected, summary = int(acc["rejected"].sum()), int(acc["summary_rows"].sum())
    line = (f"贷款台账读取 {read:,} 行:保留 {kept:,} 笔,拒绝 {rejected:,} 行,合计/汇总行 {summary:,} 行"
            f" / loans: {read:,} rows read, {kept:,} kept, {rejected:,} rejected, {summary:,}"
            " summary rows")
    if rejected:
        line += f"。被拒绝的行见{where_listed}"
    return line


def no_loans_message(extract: Extract) -> str:
    """The message when every row was rejected or set aside: nothing can be checked."""
    acc = extract.accounting[extract.accounting["sheet"] == "loans"]
    return (f"文件 {extract.source_name} 没有可用的贷款:读取 {int(acc['rows_read'].sum()):,} 行,"
            f"全部被拒绝或列为合计行,未进行检查。请运行 postloan-audit validate 查看拒绝原因并修正文件。"
            f" / {extract.source_name} has no usable loan: all {int(acc['rows_read'].sum()):,}"
            " rows were rejected or set aside, nothing was checked. Run postloan-audit validate"
            " for the reasons.")
