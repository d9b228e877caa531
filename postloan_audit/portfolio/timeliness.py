"""Timeliness and coverage (检查及时率与现场检查覆盖率): :func:`inspection_timeliness` and
:func:`review_coverage`.

The inspection timeliness is computed through the compliance rule ``INSP-FREQ`` so the
management page and the findings never disagree; the on-site review coverage applies the two
rules of `001_…` 篇三 "五、贷后组织督导", on-site supervision item 5 (两年全覆盖、每年不低于40%).
Dates enter through :func:`~postloan_audit.core.dates.coerce_date`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from os import PathLike

import numpy as np
import pandas as pd

from postloan_audit.compliance.checks import run_checks
from postloan_audit.compliance.evaluation import CHECK_DATE
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.dates import coerce_date
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.portfolio._common import _active, _check_columns, _ratio
from postloan_audit.supervision.planning import ReviewPlanPolicy, ceil_share

#: What the coverage's date is called in messages (统计日期).
AS_OF_DATE: tuple[str, str] = ("统计日期", "as_of")


# =========================================================================== inspection timeliness


@dataclass(frozen=True)
class InspectionTimeliness:
    """Share of active loans within their inspection interval (贷后检查及时率).

    Attributes
    ----------
    as_of : datetime.date
        The check date.
    loans : int
        Active loans (the scope).
    overdue : int
        Active loans flagged by ``INSP-FREQ`` (检查超期).
    share : float or None
        ``1 − overdue / loans``; None when there is no active loan or ``INSP-FREQ`` could not
        run (``not_run_reason``).
    by_branch : DataFrame
        ``branch``, ``loans``, ``overdue``, ``share`` (NaN when ``share`` is None), by branch.
    not_run_reason : str or None
        Why ``INSP-FREQ`` did not run (missing data or disabled by policy).
    warnings : tuple of str
        The check run's warnings (assumptions for missing columns, loans not judged).
    """

    as_of: dt.date
    loans: int
    overdue: int
    share: float | None
    by_branch: pd.DataFrame
    not_run_reason: str | None = None
    warnings: tuple[str, ...] = ()


def inspection_timeliness(data: Extract | pd.DataFrame, *, as_of: dt.date | str | None = None,
                          policy: Policy | str | PathLike | None = None
                          ) -> InspectionTimeliness:
    """Inspection timeliness (贷后检查及时率) = 1 − loans flagged by ``INSP-FREQ`` / active loans.

    Computed through :func:`postloan_audit.run_checks` with ``rules=["INSP-FREQ"]`` so the
    dashboard and the findings never disagree: the intervals are the bank's policy
    (`001_…` 篇三 二、(七)贷后检查报告 1–2; `003_…` 第一篇 第四十五条). Loans the rule exempts
    (individual instalment loans, loans in litigation) have no fixed interval and count as
    within it; loans the rule cannot judge (no date at all) are counted as within it too and
    reported in ``warnings``.

    Parameters
    ----------
    data : Extract or DataFrame
        An extract (its inspections sheet is used) or canonical loans.
    as_of : date or 'YYYY-MM-DD', optional
        Check date; default the extract's date.
    policy : Policy, path or None
        As for :func:`~postloan_audit.run_checks`.

    Returns
    -------
    InspectionTimeliness
    """
    as_of = None if as_of is None else coerce_date(as_of, what=CHECK_DATE)
    report = run_checks(data, as_of=as_of, policy=policy, rules=["INSP-FREQ"])
    loans = as_extract(data).loans
    active, _ = _active(loans)
    reason = None
    if "INSP-FREQ" not in report.rules_run:
        reasons = report.not_run.loc[report.not_run["rule_id"] == "INSP-FREQ", "reason"]
        reason = str(reasons.iloc[0]) if len(reasons) else "INSP-FREQ 未执行 / not run"
    flagged_ids = report.findings.loc[report.findings["rule_id"] == "INSP-FREQ", "loan_id"]
    flagged_index = pd.Index(flagged_ids.astype("str").unique())
    flagged = flagged_index.get_indexer(pd.Index(active["loan_id"].astype("str"))) >= 0
    branch = active["branch"].astype("str").to_numpy(dtype=object)
    grouped = pd.DataFrame({"branch": branch, "flag": flagged}).groupby("branch", sort=True,
                                                                       dropna=False)
    by_branch = grouped["flag"].agg(loans="size", overdue="sum").reset_index()
    by_branch["branch"] = by_branch["branch"].astype("str")
    by_branch["loans"] = by_branch["loans"].astype(np.int64)
    by_branch["overdue"] = by_branch["overdue"].astype(np.int64)
    by_branch["share"] = 1.0 - by_branch["overdue"] / by_branch["loans"]
    if reason is not None:
        by_branch["share"] = np.nan
    n, bad = len(active), int(flagged.sum())
    share = None if reason is not None or n == 0 else 1.0 - bad / n
    return InspectionTimeliness(as_of=report.as_of, loans=n, overdue=bad, share=share,
                                by_branch=by_branch, not_run_reason=reason,
                                warnings=report.warnings)


# =========================================================================== review coverage


@dataclass(frozen=True)
class ReviewCoverage:
    """On-site review coverage of sub-branches (辖内行现场检查覆盖情况) at ``as_of``.

    Attributes
    ----------
    as_of : datetime.date
    branches : int
        Branches in scope.
    reviewed_in_cycle : int
        Branches whose last on-site review is at most ``review_cycle_years`` before ``as_of``.
    cycle_share : float or None
        ``reviewed_in_cycle / branches`` (two-year rule; target 100%).
    reviewed_this_year : int
        Branches reviewed on site since January 1 of ``as_of``'s year (year to date).
    year_share : float or None
        ``reviewed_this_year / branches``.
    target_share : float
        The annual minimum (``min_annual_coverage``, 40%).
    required_this_year : int
        ``ceil(target_share × branches)``.
    meets_annual_target : bool
        ``reviewed_this_year >= required_this_year`` (year to date).
    overdue : DataFrame
        Branches breaking the two-year rule: ``branch``, ``last_onsite_review_date`` (NaT =
        never), ``due_date`` (last review + cycle; NaT = never reviewed), ``days_overdue``
        (Int64, NA = never), ``reason`` (Chinese); never-reviewed first, then by due date.
    table : DataFrame
        Every branch: ``branch``, ``last_onsite_review_date``, ``in_cycle``, ``this_year``.
    notes : tuple of str
    """

    as_of: dt.date
    branches: int
    reviewed_in_cycle: int
    cycle_share: float | None
    reviewed_this_year: int
    year_share: float | None
    target_share: float
    required_this_year: int
    meets_annual_target: bool
    overdue: pd.DataFrame
    table: pd.DataFrame
    notes: tuple[str, ...] = ()


def review_coverage(branches: pd.DataFrame, *, as_of: dt.date | str,
                    loans: pd.DataFrame | None = None,
                    policy: ReviewPlanPolicy | None = None) -> ReviewCoverage:
    """On-site review coverage (现场检查覆盖率): the two-year rule and the 40% annual rule.

    `001_…` 篇三 "五、贷后组织督导", on-site supervision item 5: 两年内对所有辖内行至少完成一次
    现场检查,其中每年现场检查覆盖率不低于40%. The values come from
    :class:`~postloan_audit.supervision.planning.ReviewPlanPolicy` (the same policy
    :func:`~postloan_audit.plan_branch_reviews` plans with).

    A branch is within the cycle when ``last review + review_cycle_years ≥ as_of`` (the review
    falls due on that anniversary and is overdue from the next day, as the rules' deadlines
    are). The sheet holds only each branch's *last* review, which is enough for both tests: a
    branch reviewed this year has its last review this year. A branch listed twice keeps its
    latest date.

    Parameters
    ----------
    branches : DataFrame
        ``branch``, ``last_onsite_review_date`` (NaT = never reviewed).
    as_of : date or 'YYYY-MM-DD'
    loans : DataFrame, optional
        Canonical loans: a branch holding active loans but absent from ``branches`` is added
        as never reviewed (and noted), so it cannot drop out of the denominator.
    policy : ReviewPlanPolicy, optional

    Returns
    -------
    ReviewCoverage
    """
    policy = ReviewPlanPolicy() if policy is None else policy
    _check_columns(branches, ("branch", "last_onsite_review_date"), "机构表")
    day = pd.Timestamp(coerce_date(as_of, what=AS_OF_DATE))
    frame = branches.loc[branches["branch"].notna(), ["branch", "last_onsite_review_date"]]
    frame = frame.assign(branch=frame["branch"].astype("str"),
                         last_onsite_review_date=pd.to_datetime(
                             frame["last_onsite_review_date"]).astype("datetime64[ns]"))
    frame = frame.groupby("branch", sort=True, as_index=False)["last_onsite_review_date"].max()
    notes: list[str] = []
    if loans is not None:
        active, _ = _active(loans)
        held = pd.Index(active["branch"].dropna().astype("str").unique())
        extra = held.difference(pd.Index(frame["branch"]))
        if len(extra):
            notes.append(f"{len(extra)}家机构有在贷贷款但不在机构表中,按从未现场检查计:"
                         f"{'、'.join(extra)} / {len(extra)} branch(es) with loans missing from "
                         "the branches sheet counted as never reviewed")
            add = pd.DataFrame({"branch": pd.Series(extra, dtype="str"),
                                "last_onsite_review_date": pd.Series(pd.NaT, index=range(
                                    len(extra)), dtype="datetime64[ns]")})
            frame = pd.concat([frame, add], ignore_index=True).sort_values(
                "branch", ignore_index=True)
    last = frame["last_onsite_review_date"]
    future = int((last > day).sum())
    if future:
        notes.append(f"{future}家机构的最近现场检查日期晚于统计日 {day:%Y-%m-%d},按已检查计 / "
                     f"{future} branch(es) reviewed after as_of, counted as reviewed")
    years = policy.review_cycle_years
    due = last + pd.DateOffset(years=years)
    in_cycle = (due >= day).to_numpy(dtype=bool)  # NaT compares False: never reviewed
    year_start = pd.Timestamp(year=day.year, month=1, day=1)
    this_year = (last >= year_start).to_numpy(dtype=bool)
    n = len(frame)
    required = ceil_share(policy.min_annual_coverage, n)
    table = frame.assign(in_cycle=in_cycle, this_year=this_year)

    late = table.loc[~in_cycle, ["branch", "last_onsite_review_date"]].copy()
    late_due = due[~in_cycle]
    never = late["last_onsite_review_date"].isna()
    late["due_date"] = late_due.astype("datetime64[ns]")
    late["days_overdue"] = (day - late_due).dt.days.astype("Int64")
    date_text = late["last_onsite_review_date"].dt.strftime("%Y-%m-%d")
    late["reason"] = pd.Series(
        np.where(never, f"无现场检查记录;应{years}年内至少现场检查一次",
                 "最近现场检查 " + date_text.fillna("") + ",已超过" + str(years)
                 + "年未现场检查(应于 " + late_due.dt.strftime("%Y-%m-%d").fillna("")
                 + " 前检查)"),
        index=late.index, dtype="str")
    late = late.assign(_never=~never).sort_values(["_never", "due_date", "branch"],
                                                  ignore_index=True).drop(columns="_never")
    return ReviewCoverage(
        as_of=day.date(), branches=n, reviewed_in_cycle=int(in_cycle.sum()),
        cycle_share=_ratio(in_cycle.sum(), n), reviewed_this_year=int(this_year.sum()),
        year_share=_ratio(this_year.sum(), n), target_share=float(policy.min_annual_coverage),
        required_this_year=required, meets_annual_target=bool(this_year.sum() >= required),
        overdue=late, table=table.reset_index(drop=True), notes=tuple(notes))
