"""Rule families (规则类别): the catalogue's rules grouped as management reads them.

A rule's family is the prefix of its id before ``-`` (``INSP-FREQ`` → ``INSP`` → 贷后检查),
named in Chinese by :data:`RULE_FAMILY_ZH`. The management page and its workbook count the
findings of a check run per branch and family (:func:`findings_by_family`), as `001_…` 篇三
"五、贷后组织督导" asks the supervising departments to follow 贷后管理检查发现的问题.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from postloan_audit.compliance.checks import CheckReport

#: Rule families (规则类别): the rule id's prefix before ``-`` → Chinese name. Extensions and
#: refinancing share one family (展期与借新还旧, `003_…` 第一篇 第四十九条 and 《贷款通则》 第十二条
#: treat them together); interest arrears are collection (催收), the first callback an
#: inspection (首次检查, `003_…` 第四篇 一(二)1). A prefix not listed here is shown as itself.
RULE_FAMILY_ZH: dict[str, str] = {
    "INSP": "贷后检查",
    "CLS": "风险分类",
    "EXT": "展期与借新还旧",
    "REFI": "展期与借新还旧",
    "COLL": "催收",
    "INT": "催收",
    "MAT": "到期管理",
    "COLLAT": "押品",
    "RATING": "评级",
    "GUAR": "评级",
    "FIN": "财务报表",
    "LIST": "名单管理",
    "EXIT": "退出类",
    "FUND": "资金用途",
    "CALLBACK": "贷后检查",
    "OFFICER": "管户责任",
    "DATA": "数据质量",
}
#: The label of the totals row and column (合计).
TOTAL: str = "合计"


def rule_family(rule_ids: pd.Series) -> pd.Series:
    """Chinese rule family (规则类别) of each rule id: its prefix before ``-`` through
    :data:`RULE_FAMILY_ZH`; an unknown prefix is returned as it is."""
    prefix = rule_ids.astype("str").str.split("-", n=1).str[0]
    return prefix.map(RULE_FAMILY_ZH).fillna(prefix).astype("str")


def _families_in_order(rule_ids: Sequence[str]) -> list[str]:
    """Families of ``rule_ids`` in first-appearance order (the catalogue order)."""
    return list(dict.fromkeys(rule_family(pd.Series(list(rule_ids), dtype="str")).tolist()))


def findings_by_family(report: CheckReport, branches: Sequence[str] = ()) -> pd.DataFrame:
    """Findings per branch and rule family (分机构、分类别问题数).

    Parameters
    ----------
    report : CheckReport
        A :func:`~postloan_audit.run_checks` result.
    branches : sequence of str
        Branches to list even without findings (e.g. every branch holding loans).

    Returns
    -------
    DataFrame
        ``branch`` then one int64 column per family of the rules that ran (catalogue order,
        Chinese names from :data:`RULE_FAMILY_ZH`) and ``合计``; one row per branch (sorted),
        then a ``合计`` row. A family whose rules did not run has no column, so a 0 always
        means "checked, nothing found".
    """
    families = _families_in_order(report.rules_run)
    f = report.findings
    names = sorted(set(map(str, branches)) | set(f["branch"].dropna().astype("str")))
    if len(f):
        table = pd.crosstab(f["branch"].astype("str"), rule_family(f["rule_id"]))
    else:
        table = pd.DataFrame(index=pd.Index([], dtype="str"))
    table = table.reindex(index=names, columns=families, fill_value=0).fillna(0).astype(np.int64)
    table[TOTAL] = table.sum(axis=1).astype(np.int64)
    table.loc[TOTAL] = table.sum(axis=0).astype(np.int64)
    table.columns.name = None
    out = table.rename_axis("branch").reset_index()
    out["branch"] = out["branch"].astype("str")
    return out
