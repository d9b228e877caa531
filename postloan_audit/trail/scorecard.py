"""Branch scorecard and follow-up measures (机构百分制考核与整改情况).

``001_…`` 篇四: "通过百分制考核计分 … 对每次检查验收量化评比得分低于80分的单位 … 下发限期整改通知书,督促
限期整改". Each branch starts from ``rectification.full_score`` and loses
``rectification.deduct_<severity>`` points per open (未销号) finding; a branch under
``rectification.pass_score`` is marked. Open means 待整改, 整改中 or 已整改(待核实): a claimed
rectification counts until it is verified and closed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import RectificationPolicy
from postloan_audit.trail import followup as fu

#: Columns of :func:`branch_scorecard`.
SCORECARD_COLUMNS: list[str] = ["branch", "open_high", "open_medium", "open_low", "deduction",
                                "score", "below_pass"]
#: Columns of :func:`rectification_summary`.
SUMMARY_COLUMNS: list[str] = ["branch", "total", "closed", "rectified", "waived", "open",
                              "overdue", "rate"]


def branch_scorecard(followup: pd.DataFrame, policy: RectificationPolicy, *,
                     branches: list[str] | None = None) -> pd.DataFrame:
    """Points per branch: full score minus deductions per open finding by severity.

    Parameters
    ----------
    followup:
        :meth:`postloan_audit.trail.store.AuditStore.followup` (``branch``, ``severity``,
        ``status``).
    policy:
        ``Policy.rectification``.
    branches:
        Branches to list even without findings (full score).

    Returns
    -------
    DataFrame
        :data:`SCORECARD_COLUMNS`, lowest score first, then branch name; ``score`` never below 0.
    """
    f = followup.loc[followup["status"].isin(fu.OPEN_STATUSES).to_numpy()]
    counts = pd.crosstab(f["branch"], f["severity"]) if len(f) else pd.DataFrame()
    names = sorted(set(followup["branch"].dropna()) | set(branches or []))
    counts = counts.reindex(index=names, columns=["high", "medium", "low"], fill_value=0)
    counts = counts.fillna(0).astype(np.int64)
    points = np.array([policy.deduction(s) for s in ("high", "medium", "low")])
    deduction = counts.to_numpy() @ points if len(counts) else np.zeros(0)
    score = np.maximum(policy.full_score - deduction, 0.0)
    out = pd.DataFrame({
        "branch": pd.Series(names, dtype="str"),
        "open_high": counts["high"].to_numpy(), "open_medium": counts["medium"].to_numpy(),
        "open_low": counts["low"].to_numpy(), "deduction": deduction.astype("float64"),
        "score": score.astype("float64"), "below_pass": score < policy.pass_score,
    }, columns=SCORECARD_COLUMNS)
    return out.sort_values(["score", "branch"], kind="stable").reset_index(drop=True)


def rectification_summary(followup: pd.DataFrame, *, today: dt.date) -> pd.DataFrame:
    """Per branch: findings followed, closed, claimed, waived, open, overdue, and the rate.

    ``rate`` (整改率) = 已销号 / (all − 不予整改); NaN for a branch with nothing to rectify. A
    last row ``合计`` sums all branches.
    """
    f = followup.assign(
        closed=followup["status"] == fu.CLOSED, rectified=followup["status"] == fu.RECTIFIED,
        waived=followup["status"] == fu.WAIVED,
        open=followup["status"].isin([fu.PENDING, fu.IN_PROGRESS]),
        overdue=fu.overdue(followup, today) if len(followup) else False)
    cols = ["closed", "rectified", "waived", "open", "overdue"]
    by = f.groupby("branch", sort=True)[cols].sum().astype(np.int64)
    by.insert(0, "total", f.groupby("branch", sort=True).size().astype(np.int64))
    by.loc["合计"] = by.sum()
    denominator = (by["total"] - by["waived"]).replace(0, np.nan)
    by["rate"] = by["closed"] / denominator
    out = by.reset_index().rename(columns={"index": "branch"})
    out["branch"] = out["branch"].astype("str")
    return out[SUMMARY_COLUMNS]
