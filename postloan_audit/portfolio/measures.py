"""Portfolio computations for the management dashboard (管理层看板): asset quality, overdue
buckets, concentration, inspection timeliness, review coverage, migration and masking.

`001_…` 篇三 "五、贷后组织督导" lists what the supervising departments must keep track of:
辖内行贷款资产质量及变动情况 (KPIs, :func:`balance_by_class`, :func:`overdue_buckets`),
关注类贷款迁移趋势 (:func:`migration_matrix`, :func:`special_mention_migration_rate`),
大额贷款整体情况 (:func:`top_borrower_concentration`); item 5 of the on-site supervision
requirements gives the review coverage rules (:func:`review_coverage`).

Every function is pure and vectorised over canonical frames (see :mod:`postloan_audit.core.schema`).
Unless said otherwise a function looks only at **active loans** (在贷贷款): ``balance > 0``, the
same definition the compliance rules use. Ratios are by balance, as the regulator's
不良贷款率 is (不良贷款余额 / 各项贷款余额, 《商业银行风险监管核心指标(试行)》, 2005); a ratio
whose denominator is zero is ``None``, never 0 and never NaN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from os import PathLike
from typing import Literal

import numpy as np
import pandas as pd

from postloan_audit.compliance.checks import run_checks
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.extract import Extract
from postloan_audit.core.schema import CLASSIFICATIONS, NPL_CLASSES
from postloan_audit.supervision.planning import ReviewPlanPolicy, ceil_share

# --------------------------------------------------------------------------- policy values

#: A loan is active (在贷) when its balance is above this many yuan (余额大于零), as in the
#: compliance rules (``CheckContext.active``).
ACTIVE_MIN_BALANCE: float = 0.0

#: "> 90 days overdue" ratio: overdue beyond 90 days is at least substandard
#: (《商业银行金融资产风险分类办法》 2023, 逾期超过90天 → 次级; EU/US default at 90 days past due).
OVERDUE_RATIO_DAYS: int = 90

#: Upper edges (inclusive, days) of the overdue buckets; a last open bucket follows.
#: 30/60/90 are the usual M1–M3 collection months (``003_…`` 第四十九条: ≤60 days SMS/phone/
#: letter, 60–90 days visit, > 90 days legal); 90/270/360 are the 《商业银行金融资产风险分类办法》
#: (2023) steps to substandard / doubtful / loss; 180 is the half-year step banks kept from the
#: 2007 《贷款风险分类指引》 practice. The management dashboard shows exactly these buckets.
OVERDUE_BUCKET_EDGES: tuple[int, ...] = (30, 60, 90, 180, 270, 360)

#: Number of largest borrowers in the concentration table (the management dashboard's "top-10 borrower
#: concentration"; `001_…` 篇三 五、贷后组织督导 3. 大额贷款整体情况).
TOP_BORROWERS_N: int = 10

#: Masking (脱敏): characters of a name kept at the start (张** style), of an id number kept
#: at the start and at the end (first 4 and last 4), and the mask character.
#: 《个人信息保护法》 第四条 (personal information = information on natural persons) and
#: 第五十一条 (去标识化 as a protective measure).
NAME_KEEP_HEAD: int = 1
ID_KEEP_HEAD: int = 4
ID_KEEP_TAIL: int = 4
MASK_CHAR: str = "*"

_EN_DASH = "\u2013"
_REQUIRED_LOAN_COLUMNS: tuple[str, ...] = ("loan_id", "borrower_id", "branch", "balance",
                                           "classification")
_NPL_CODE: int = CLASSIFICATIONS.index(NPL_CLASSES[0])
_SM_CODE: int = CLASSIFICATIONS.index("special_mention")


def overdue_bucket_labels(edges: tuple[int, ...] = OVERDUE_BUCKET_EDGES) -> list[str]:
    """Bucket labels for ``edges``: ``"1–30", "31–60", …, ">360"`` (en dash)."""
    lows = (0, *edges[:-1])
    return [f"{lo + 1}{_EN_DASH}{hi}" for lo, hi in zip(lows, edges, strict=True)] + \
        [f">{edges[-1]}"]


#: The bucket labels for the default edges, in order.
OVERDUE_BUCKET_LABELS: tuple[str, ...] = tuple(overdue_bucket_labels())


# --------------------------------------------------------------------------- helpers


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den > 0 else None


def _check_columns(loans: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in loans.columns]
    if missing:
        raise ValueError(f"{what}缺少列:{'、'.join(missing)} / {what} lacks columns: "
                         f"{', '.join(missing)}")


def _class_codes(classification: pd.Series) -> np.ndarray:
    """0 normal … 4 loss, -1 missing or unknown."""
    col = classification
    if not (isinstance(col.dtype, pd.CategoricalDtype)
            and list(col.cat.categories) == list(CLASSIFICATIONS)):
        col = pd.Series(pd.Categorical(col.astype("str"), categories=CLASSIFICATIONS,
                                       ordered=True), index=col.index)
    return col.cat.codes.to_numpy(dtype=np.int64)


def _active(loans: pd.DataFrame, what: str = "贷款台账", extra: tuple[str, ...] = ()
            ) -> tuple[pd.DataFrame, np.ndarray]:
    """Active loans (balance > 0), the required columns plus those of ``extra`` present (so
    a wide ledger is not copied whole), and their class codes.

    Raises ValueError when a required column is missing or an active loan has no valid
    classification: the loader rejects such rows, so this is a broken contract, and leaving
    the loan out would misstate every ratio.
    """
    _check_columns(loans, _REQUIRED_LOAN_COLUMNS, what)
    balance = loans["balance"].to_numpy(dtype=np.float64, na_value=np.nan)
    keep = [*_REQUIRED_LOAN_COLUMNS, *(c for c in extra if c in loans.columns)]
    active = loans.loc[np.nan_to_num(balance, nan=0.0) > ACTIVE_MIN_BALANCE, keep]
    codes = _class_codes(active["classification"])
    bad = codes < 0
    if bad.any():
        ids = active["loan_id"].to_numpy(dtype=object)[bad]
        shown = "、".join(map(str, ids[:5])) + ("…" if len(ids) > 5 else "")
        raise ValueError(f"{what}中{int(bad.sum())}笔在贷贷款无有效五级分类:{shown} / "
                         f"{int(bad.sum())} active loan(s) without a valid classification: "
                         f"{', '.join(map(str, ids[:5]))}")
    return active, codes


def _branch_codes(active: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Codes into the sorted branch names; a blank branch keeps its own (last) code."""
    return pd.factorize(active["branch"].astype("str"), sort=True, use_na_sentinel=False)


def _balances(frame: pd.DataFrame) -> np.ndarray:
    return frame["balance"].to_numpy(dtype=np.float64, na_value=np.nan)


def _fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


# =========================================================================== KPIs


@dataclass(frozen=True)
class PortfolioKPIs:
    """Headline asset-quality figures (资产质量主要指标) of the active loans.

    Attributes
    ----------
    loans : int
        Active loans (在贷贷款笔数, balance > 0).
    borrowers : int
        Distinct ``borrower_id`` among them (户数).
    balance : float
        Total balance in yuan (贷款余额).
    npl_balance, special_mention_balance : float
        Balance classified substandard + doubtful + loss (不良), and special mention (关注).
    npl_ratio, special_mention_ratio : float or None
        The balances above over ``balance`` (不良贷款率, 关注类贷款占比); None when there is no
        active balance.
    overdue_90_balance, overdue_90_ratio : float or None
        Balance of loans more than :data:`OVERDUE_RATIO_DAYS` days overdue, and its share
        (逾期90天以上贷款占比); None when ``overdue_days`` is not provided (see ``notes``).
    notes : tuple of str
        Why a figure is None (Chinese / English).
    """

    loans: int
    borrowers: int
    balance: float
    npl_balance: float
    npl_ratio: float | None
    special_mention_balance: float
    special_mention_ratio: float | None
    overdue_90_balance: float | None
    overdue_90_ratio: float | None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per figure: ``key``, ``label_zh``, ``value`` (float, NaN for None) and
        ``text`` (formatted: thousands separators, percentages, "—" for None)."""
        money = "{:,.2f}".format
        rows = [
            ("loans", "贷款笔数", self.loans, f"{self.loans:,}"),
            ("borrowers", "客户户数", self.borrowers, f"{self.borrowers:,}"),
            ("balance", "贷款余额(元)", self.balance, money(self.balance)),
            ("npl_ratio", "不良贷款率", self.npl_ratio, _fmt_pct(self.npl_ratio)),
            ("special_mention_ratio", "关注类贷款占比", self.special_mention_ratio,
             _fmt_pct(self.special_mention_ratio)),
            ("overdue_90_ratio", f"逾期{OVERDUE_RATIO_DAYS}天以上贷款占比",
             self.overdue_90_ratio, _fmt_pct(self.overdue_90_ratio)),
        ]
        return pd.DataFrame({
            "key": pd.Series([r[0] for r in rows], dtype="str"),
            "label_zh": pd.Series([r[1] for r in rows], dtype="str"),
            "value": pd.Series([np.nan if r[2] is None else float(r[2]) for r in rows],
                               dtype="float64"),
            "text": pd.Series([r[3] for r in rows], dtype="str"),
        })


def portfolio_kpis(loans: pd.DataFrame) -> PortfolioKPIs:
    """Headline figures of the active loans (资产质量主要指标).

    Ratios are by balance, as the regulator defines 不良贷款率 (不良贷款 / 各项贷款,
    《商业银行风险监管核心指标(试行)》 2005); NPL = substandard + doubtful + loss
    (《商业银行金融资产风险分类办法》 2023). `001_…` 篇三 五、贷后组织督导 1、7.

    Parameters
    ----------
    loans : DataFrame
        Canonical loans: ``loan_id``, ``borrower_id``, ``branch``, ``balance``,
        ``classification``; ``overdue_days`` optional.

    Returns
    -------
    PortfolioKPIs

    Raises
    ------
    ValueError
        A required column is missing, or an active loan has no valid classification.
    """
    active, codes = _active(loans, extra=("overdue_days",))
    bal = _balances(active)
    total = float(bal.sum())
    npl = float(bal[codes >= _NPL_CODE].sum())
    sm = float(bal[codes == _SM_CODE].sum())
    notes: list[str] = []
    if "overdue_days" in active.columns:
        days = active["overdue_days"].to_numpy(dtype=np.float64, na_value=np.nan)
        od_balance: float | None = float(bal[np.nan_to_num(days, nan=0.0) >
                                             OVERDUE_RATIO_DAYS].sum())
        od_ratio = _ratio(od_balance, total)
    else:
        od_balance = od_ratio = None
        notes.append(f"台账未提供逾期天数列,无法计算逾期{OVERDUE_RATIO_DAYS}天以上贷款占比 / "
                     f"overdue_days not provided: the >{OVERDUE_RATIO_DAYS}-day overdue ratio "
                     "cannot be computed")
    if total <= 0:
        notes.append("无在贷贷款(余额大于零),各项占比无法计算 / no active loans: ratios undefined")
    return PortfolioKPIs(
        loans=len(active), borrowers=int(active["borrower_id"].nunique()), balance=total,
        npl_balance=npl, npl_ratio=_ratio(npl, total),
        special_mention_balance=sm, special_mention_ratio=_ratio(sm, total),
        overdue_90_balance=od_balance, overdue_90_ratio=od_ratio, notes=tuple(notes))


# =========================================================================== balance by class


def balance_by_class(loans: pd.DataFrame) -> pd.DataFrame:
    """Balance of the active loans per branch and class (分机构五级分类余额).

    `001_…` 篇三 五、贷后组织督导 1. 辖内行贷款资产质量及变动情况.

    Returns
    -------
    DataFrame
        ``branch`` (str), then one float64 column per class in order (``normal``,
        ``special_mention``, ``substandard``, ``doubtful``, ``loss``; always all five, 0 when
        empty) and ``total``; one row per branch holding an active loan, sorted by branch.
    """
    active, codes = _active(loans)
    branch_codes, branches = _branch_codes(active)
    k = len(CLASSIFICATIONS)
    flat = np.bincount(branch_codes * k + codes, weights=_balances(active),
                       minlength=len(branches) * k).reshape(len(branches), k)
    out = pd.DataFrame(flat, columns=list(CLASSIFICATIONS), dtype="float64")
    out.insert(0, "branch", pd.Series(np.asarray(branches, dtype=object), dtype="str"))
    out["total"] = flat.sum(axis=1)
    return out


# =========================================================================== overdue buckets


def overdue_buckets(loans: pd.DataFrame, *, by_branch: bool = False,
                    edges: tuple[int, ...] = OVERDUE_BUCKET_EDGES) -> pd.DataFrame:
    """Active loans overdue by days-past-due bucket (逾期天数分段).

    A loan with ``overdue_days`` = d > 0 falls in the bucket whose range holds d; the default
    :data:`OVERDUE_BUCKET_EDGES` give ``1–30, 31–60, 61–90, 91–180, 181–270, 271–360, >360``
    (30 is in 1–30, 31 in 31–60, 361 in >360). Loans not overdue are not counted.

    Parameters
    ----------
    loans : DataFrame
        Canonical loans with ``overdue_days``.
    by_branch : bool, default False
        One block of buckets per branch (sorted by branch; every branch holding an active loan).
    edges : tuple of int, default :data:`OVERDUE_BUCKET_EDGES`
        Strictly increasing positive upper edges (inclusive).

    Returns
    -------
    DataFrame
        [``branch``,] ``bucket`` (str), ``count`` (int64), ``balance`` (float64); every bucket
        present, 0 when empty.

    Raises
    ------
    ValueError
        ``overdue_days`` not provided, or invalid ``edges``.
    """
    edge_arr = np.asarray(edges, dtype=np.int64)
    if len(edge_arr) == 0 or edge_arr[0] < 1 or (np.diff(edge_arr) <= 0).any():
        raise ValueError(f"逾期分段边界须为递增正整数,收到 {edges!r} / bucket edges must be "
                         f"strictly increasing positive integers, got {edges!r}")
    if "overdue_days" not in loans.columns:
        raise ValueError("台账未提供逾期天数列,无法分段 / overdue_days not provided: no "
                         "overdue buckets")
    active, _ = _active(loans, extra=("overdue_days",))
    labels = overdue_bucket_labels(tuple(int(e) for e in edge_arr))
    nb = len(labels)
    days = np.nan_to_num(active["overdue_days"].to_numpy(dtype=np.float64, na_value=np.nan),
                         nan=0.0)
    overdue = days > 0
    bucket = np.searchsorted(edge_arr, days[overdue], side="left")
    bal = _balances(active)[overdue]
    if by_branch:
        branch_codes, branches = _branch_codes(active)
        nbr = len(branches)
        key = branch_codes[overdue] * nb + bucket
    else:
        nbr, key = 1, bucket
    count = np.bincount(key, minlength=nbr * nb).astype(np.int64)
    balance = np.bincount(key, weights=bal, minlength=nbr * nb).astype(np.float64)
    out = pd.DataFrame({
        "bucket": pd.Series(np.tile(np.asarray(labels, dtype=object), nbr), dtype="str"),
        "count": count, "balance": balance})
    if by_branch:
        out.insert(0, "branch", pd.Series(np.repeat(np.asarray(branches, dtype=object), nb),
                                          dtype="str"))
    return out


# =========================================================================== concentration


@dataclass(frozen=True)
class BorrowerConcentration:
    """The largest borrowers by balance (大额客户集中度).

    Attributes
    ----------
    table : DataFrame
        ``rank`` (1…), ``borrower_id``, [``borrower_name``, ``customer_type`` when provided],
        ``loans`` (active loans), ``balance``, ``share`` (of the total active balance),
        ``cumulative_share``.
    share : float or None
        Share of the total balance held by the borrowers in ``table`` (前N户贷款占比).
    total_balance : float
        Total active balance (the denominator).
    n : int
        The N asked for (the table is shorter when there are fewer borrowers).
    """

    table: pd.DataFrame
    share: float | None
    total_balance: float
    n: int


def top_borrower_concentration(loans: pd.DataFrame, n: int = TOP_BORROWERS_N
                               ) -> BorrowerConcentration:
    """Top ``n`` borrowers by total active balance (前十大客户贷款集中度).

    Borrowers (户) are ranked by the sum of their active loans' balances, largest first, ties
    broken by ``borrower_id`` ascending so the ranking is reproducible. The name and customer
    type are the borrower's first non-empty ones in ledger order (so the dashboard can mask
    individuals' names with :func:`mask_personal_data`). `001_…` 篇三 五、贷后组织督导
    3. 大额贷款整体情况.

    Parameters
    ----------
    loans : DataFrame
        Canonical loans.
    n : int, default :data:`TOP_BORROWERS_N`
        Number of borrowers, ≥ 1.

    Returns
    -------
    BorrowerConcentration
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"前N户的N须为正整数,收到 {n!r} / n must be a positive integer, "
                         f"got {n!r}")
    active, _ = _active(loans, extra=("borrower_name", "customer_type"))
    total = float(_balances(active).sum())
    extra = [c for c in ("borrower_name", "customer_type") if c in active.columns]
    frame = active[["borrower_id", "balance", *extra]].assign(
        borrower_id=active["borrower_id"].astype("str"))
    agg = {"loans": ("balance", "size"), "balance": ("balance", "sum")}
    agg.update({c: (c, "first") for c in extra})
    grouped = frame.groupby("borrower_id", sort=True).agg(**agg).reset_index()
    order = np.lexsort((grouped["borrower_id"].to_numpy(dtype=object),
                        -grouped["balance"].to_numpy(dtype=np.float64)))
    top = grouped.iloc[order[:n]].reset_index(drop=True)
    share = top["balance"] / total if total > 0 else pd.Series(np.nan, index=top.index)
    table = pd.DataFrame({"rank": np.arange(1, len(top) + 1, dtype=np.int64),
                          "borrower_id": top["borrower_id"].astype("str")})
    for c in extra:
        table[c] = top[c].astype("str")
    table["loans"] = top["loans"].astype(np.int64)
    table["balance"] = top["balance"].astype(np.float64)
    table["share"] = share.astype(np.float64)
    table["cumulative_share"] = share.cumsum().astype(np.float64)
    return BorrowerConcentration(table=table, share=_ratio(top["balance"].sum(), total),
                                 total_balance=total, n=int(n))


# =========================================================================== timeliness


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
    report = run_checks(data, as_of=as_of, policy=policy, rules=["INSP-FREQ"])
    loans = data.loans if isinstance(data, Extract) else data
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


def _as_timestamp(value: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ValueError(f"统计日期无效:{value!r},应为 YYYY-MM-DD / invalid as_of {value!r}: "
                         "expected a date or 'YYYY-MM-DD'")
    return stamp.normalize()


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
    day = _as_timestamp(as_of)
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


# =========================================================================== migration

#: Columns of :attr:`Migration.only_before` / :attr:`Migration.only_after`.
SNAPSHOT_LOAN_COLUMNS: list[str] = ["loan_id", "borrower_id", "branch", "classification",
                                    "balance"]
#: Rows of :attr:`Migration.accounting`.
MIGRATION_ACCOUNTING_ROWS: tuple[str, ...] = ("matched", "only_before", "only_after")


@dataclass(frozen=True)
class Migration:
    """A five-by-five migration matrix between two snapshots (五级分类迁徙矩阵).

    Attributes
    ----------
    matrix : DataFrame
        Index = class at the earlier snapshot (``before``), columns = class at the later one
        (``after``), all five in order; int64 counts (``by="count"``) or float64 yuan of the
        **earlier** balance (``by="balance"``). Matched loans only.
    by : {"balance", "count"}
    accounting : DataFrame
        Index ``matched``, ``only_before`` (paid off or otherwise gone: 收回/退出),
        ``only_after`` (new: 新发放); columns ``loans`` (int64), ``balance_before``,
        ``balance_after`` (float64; 0 where the loan is not in that snapshot). Active loans
        before = matched + only_before; after = matched + only_after.
    only_before, only_after : DataFrame
        The loans in one snapshot only, columns :data:`SNAPSHOT_LOAN_COLUMNS`, by ``loan_id``.
    """

    matrix: pd.DataFrame
    by: str
    accounting: pd.DataFrame
    only_before: pd.DataFrame
    only_after: pd.DataFrame

    def rates(self) -> pd.DataFrame:
        """Row shares of :attr:`matrix` (迁徙率矩阵): each row sums to 1; NaN for an empty row."""
        m = self.matrix.astype("float64")
        sums = m.sum(axis=1)
        return m.div(sums.where(sums > 0), axis=0)


def _duplicate_check(ids: pd.Series, codes: np.ndarray, n_ids: int, which: str) -> None:
    counts = np.bincount(codes, minlength=n_ids)
    dup = counts[codes] > 1
    if dup.any():
        shown = sorted(set(ids[dup].tolist()))[:5]
        raise ValueError(f"{which}快照中借据号重复:{'、'.join(shown)} / duplicate loan_id in "
                         f"the {which} snapshot: {', '.join(shown)}")


def _match(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, np.ndarray | pd.DataFrame]:
    """Active loans of both snapshots matched on loan_id, with positions and class codes.

    One factorisation of both id columns gives integer codes; matching is then array
    indexing (hash joins on arrow strings cost several times more).
    """
    b, bc = _active(before, "期初快照")
    a, ac = _active(after, "期末快照")
    b_ids, a_ids = b["loan_id"].astype("str"), a["loan_id"].astype("str")
    codes, uniques = pd.factorize(pd.concat([b_ids, a_ids], ignore_index=True),
                                  use_na_sentinel=False)
    n_ids = len(uniques)
    cb, ca = codes[:len(b)], codes[len(b):]
    _duplicate_check(b_ids, cb, n_ids, "期初")
    _duplicate_check(a_ids, ca, n_ids, "期末")
    position_in_a = np.full(n_ids, -1, dtype=np.int64)
    position_in_a[ca] = np.arange(len(a), dtype=np.int64)
    a_pos = position_in_a[cb]  # -1: not in after
    in_b = np.zeros(n_ids, dtype=bool)
    in_b[cb] = True
    return {"b": b.assign(loan_id=b_ids), "a": a.assign(loan_id=a_ids), "bc": bc, "ac": ac,
            "a_pos": a_pos, "matched_b": a_pos >= 0, "only_a": ~in_b[ca]}


def _loan_list(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "loan_id": frame["loan_id"].astype("str"),
        "borrower_id": frame["borrower_id"].astype("str"),
        "branch": frame["branch"].astype("str"),
        "classification": pd.Categorical(frame["classification"].astype("str"),
                                          categories=CLASSIFICATIONS, ordered=True),
        "balance": frame["balance"].astype(np.float64),
    }, columns=SNAPSHOT_LOAN_COLUMNS)
    return out.sort_values("loan_id", ignore_index=True)


def migration_matrix(before: pd.DataFrame, after: pd.DataFrame, *,
                     by: Literal["balance", "count"] = "balance") -> Migration:
    """Five-by-five migration matrix between two snapshots (五级分类迁徙矩阵).

    Loans are matched on ``loan_id`` among the **active** loans of each snapshot; a loan whose
    later balance is 0 is paid off. Loans in one snapshot only are never dropped silently:
    they are counted in :attr:`Migration.accounting` and listed in ``only_before`` (收回/退出)
    and ``only_after`` (新发放). By balance the matrix weighs each loan by its **earlier**
    balance: 迁徙率 are computed on the beginning-of-period balance (期初余额; 原银监会
    《非现场监管报表指标体系》 迁徙类指标), so each row of the matrix splits the beginning balance
    of a class over the classes it ended in. `001_…` 篇三 五、贷后组织督导 2. 关注类贷款迁移趋势.

    Parameters
    ----------
    before, after : DataFrame
        Canonical loans at the earlier and the later date.
    by : {"balance", "count"}, default "balance"

    Returns
    -------
    Migration

    Raises
    ------
    ValueError
        Unknown ``by``, duplicate ``loan_id`` in a snapshot, or an invalid classification.
    """
    if by not in ("balance", "count"):
        raise ValueError(f"by 应为 'balance' 或 'count',收到 {by!r} / by must be 'balance' or "
                         f"'count', got {by!r}")
    m = _match(before, after)
    b, a, bc, ac = m["b"], m["a"], m["bc"], m["ac"]
    a_pos, matched = m["a_pos"], m["matched_b"]
    k = len(CLASSIFICATIONS)
    key = bc[matched] * k + ac[a_pos[matched]]
    b_bal, a_bal = _balances(b), _balances(a)
    if by == "balance":
        cells = np.bincount(key, weights=b_bal[matched], minlength=k * k)
    else:
        cells = np.bincount(key, minlength=k * k).astype(np.int64)
    matrix = pd.DataFrame(cells.reshape(k, k),
                          index=pd.Index(list(CLASSIFICATIONS), name="before", dtype="str"),
                          columns=pd.Index(list(CLASSIFICATIONS), name="after", dtype="str"))
    only_a = m["only_a"]
    accounting = pd.DataFrame({
        "loans": np.array([matched.sum(), (~matched).sum(), only_a.sum()], dtype=np.int64),
        "balance_before": np.array([b_bal[matched].sum(), b_bal[~matched].sum(), 0.0]),
        "balance_after": np.array([a_bal[a_pos[matched]].sum(), 0.0, a_bal[only_a].sum()]),
    }, index=pd.Index(list(MIGRATION_ACCOUNTING_ROWS), dtype="str"))
    return Migration(matrix=matrix, by=by, accounting=accounting,
                     only_before=_loan_list(b.loc[~matched]), only_after=_loan_list(a.loc[only_a]))


@dataclass(frozen=True)
class SpecialMentionMigration:
    """The special-mention migration rate (关注类贷款迁徙率) and its parts.

    Attributes
    ----------
    rate : float or None
        ``downgraded_balance / (beginning_balance − decrease)``; None when the denominator
        is not positive.
    beginning_balance : float
        期初关注类贷款余额: earlier balance of the loans special mention at the earlier date.
    decrease : float
        期初关注类贷款期间减少金额: Σ max(0, earlier − later balance) over those loans; a loan
        gone from (or at 0 in) the later snapshot decreases by its whole balance.
    downgraded_balance : float
        期初关注类贷款向下迁徙金额: balance of those loans classified NPL at the later date.
    numerator : {"ending", "beginning"}
        Which balance ``downgraded_balance`` sums.
    loans, downgraded_loans, repaid_loans : int
        Beginning special-mention loans; those NPL at the later date; those paid off fully.
    count_rate : float or None
        ``downgraded_loans / (loans − repaid_loans)`` (by count; None when no loan remains).
    """

    rate: float | None
    beginning_balance: float
    decrease: float
    downgraded_balance: float
    numerator: str
    loans: int
    downgraded_loans: int
    repaid_loans: int
    count_rate: float | None

    def to_frame(self) -> pd.DataFrame:
        """``key``, ``label_zh``, ``value`` (float, NaN for None): the rate and its parts."""
        rows = [
            ("rate", "关注类贷款迁徙率(按余额)", self.rate),
            ("beginning_balance", "期初关注类贷款余额(元)", self.beginning_balance),
            ("decrease", "期初关注类贷款期间减少金额(元)", self.decrease),
            ("downgraded_balance", "期初关注类贷款向下迁徙金额(元)", self.downgraded_balance),
            ("count_rate", "关注类贷款迁徙率(按笔数)", self.count_rate),
            ("loans", "期初关注类贷款笔数", self.loans),
            ("downgraded_loans", "迁徙为不良的笔数", self.downgraded_loans),
            ("repaid_loans", "期间结清笔数", self.repaid_loans),
        ]
        return pd.DataFrame({
            "key": pd.Series([r[0] for r in rows], dtype="str"),
            "label_zh": pd.Series([r[1] for r in rows], dtype="str"),
            "value": pd.Series([np.nan if r[2] is None else float(r[2]) for r in rows],
                               dtype="float64"),
        })


def special_mention_migration_rate(before: pd.DataFrame, after: pd.DataFrame, *,
                                   numerator: Literal["ending", "beginning"] = "ending"
                                   ) -> SpecialMentionMigration:
    """The special-mention migration rate (关注类贷款迁徙率).

    Regulator's definition (原银监会《非现场监管报表指标体系》, 迁徙类指标)::

        关注类贷款迁徙率 = 期初关注类贷款向下迁徙金额
                           / (期初关注类贷款余额 − 期初关注类贷款期间减少金额) × 100%

    where 向下迁徙金额 is, among the loans special mention at the start, the balance of those
    classified substandard, doubtful or loss at the end of the period (报告期末 … 贷款余额之和),
    and 期间减少金额 is how much those loans decreased during the period. Here, per loan
    special mention and active at the earlier date: ``decrease = max(0, earlier − later
    balance)``, a loan paid off (absent from the later snapshot or at 0) decreasing by its
    whole balance. A loan written off or sold also leaves the later extract and so counts as
    a decrease; the extract cannot tell these apart.

    Parameters
    ----------
    before, after : DataFrame
        Canonical loans at the start and the end of the period.
    numerator : {"ending", "beginning"}, default "ending"
        ``"ending"`` sums the downgraded loans' end-of-period balance, as the regulator's
        definition reads; ``"beginning"`` their beginning balance (the variant that weighs
        every cell of :func:`migration_matrix` by the beginning balance).

    Returns
    -------
    SpecialMentionMigration
        With the count-based rate beside it: downgraded loans over beginning special-mention
        loans not paid off.
    """
    if numerator not in ("ending", "beginning"):
        raise ValueError(f"numerator 应为 'ending' 或 'beginning',收到 {numerator!r} / "
                         f"numerator must be 'ending' or 'beginning', got {numerator!r}")
    m = _match(before, after)
    b, a, bc, ac = m["b"], m["a"], m["bc"], m["ac"]
    a_pos, matched = m["a_pos"], m["matched_b"]
    sm = bc == _SM_CODE
    b_bal = _balances(b)
    end_bal = np.where(matched, _balances(a)[np.where(matched, a_pos, 0)], 0.0) if len(a) \
        else np.zeros(len(b))
    end_cls = np.where(matched, ac[np.where(matched, a_pos, 0)], -1) if len(a) \
        else np.full(len(b), -1)
    down = sm & (end_cls >= _NPL_CODE)
    beginning = float(b_bal[sm].sum())
    decrease = float(np.maximum(0.0, b_bal[sm] - end_bal[sm]).sum())
    down_balance = float((end_bal if numerator == "ending" else b_bal)[down].sum())
    loans, repaid, n_down = int(sm.sum()), int((sm & ~matched).sum()), int(down.sum())
    return SpecialMentionMigration(
        rate=_ratio(down_balance, beginning - decrease), beginning_balance=beginning,
        decrease=decrease, downgraded_balance=down_balance, numerator=numerator, loans=loans,
        downgraded_loans=n_down, repaid_loans=repaid, count_rate=_ratio(n_down, loans - repaid))


# =========================================================================== masking


def _mask_keep(values: pd.Series, head: int, tail: int) -> pd.Series:
    """Keep ``head`` leading and ``tail`` trailing characters, one :data:`MASK_CHAR` for each
    other character; a value of ``head + tail`` characters or fewer is masked entirely, so no
    value is ever shown whole. NaN stays NaN, "" stays "". Surrounding spaces are dropped."""
    text = values.astype("str").str.strip()
    if text.empty:  # np.strings.multiply cannot size an empty result
        return text
    lengths = text.str.len().to_numpy(dtype=np.float64, na_value=np.nan)
    size = np.nan_to_num(lengths, nan=0.0).astype(np.int64)
    keep = size > head + tail
    stars = np.strings.multiply(MASK_CHAR, np.where(keep, size - head - tail, size))
    first = text.str.slice(0, head) if head else pd.Series("", index=text.index, dtype="str")
    last = text.str.slice(-tail) if tail else pd.Series("", index=text.index, dtype="str")
    blank = pd.Series("", index=text.index, dtype="str")
    out = first.where(keep, blank) + pd.Series(stars, index=text.index, dtype="str") + \
        last.where(keep, blank)
    return out.where(text.notna())


def mask_name(names: pd.Series, customer_type: pd.Series | None = None) -> pd.Series:
    """Mask individual borrowers' names, 张** style (姓名脱敏).

    The first :data:`NAME_KEEP_HEAD` character is kept and every other character becomes one
    :data:`MASK_CHAR` (张三 → 张*, 欧阳娜娜 → 欧***); a one-character name is masked whole (*),
    since keeping its first character would show it all. Names whose ``customer_type`` is
    ``corporate`` are kept (a company name is not personal information, 《个人信息保护法》
    第四条); a blank or unknown customer type is masked, erring on the side of privacy.

    Parameters
    ----------
    names : Series
        Borrower names.
    customer_type : Series, optional
        Aligned with ``names``; None masks every name.

    Returns
    -------
    Series
        ``str`` dtype, same index; NaN stays NaN.
    """
    masked = _mask_keep(names, NAME_KEEP_HEAD, 0)
    if customer_type is None:
        return masked
    corporate = customer_type.astype("str").eq("corporate").fillna(False).to_numpy(dtype=bool)
    return masked.where(~corporate, names.astype("str"))


def mask_id_number(ids: pd.Series) -> pd.Series:
    """Mask id numbers, keeping the first :data:`ID_KEEP_HEAD` and last :data:`ID_KEEP_TAIL`
    characters (证件号码脱敏): ``110101199001011234`` → ``1101**********1234``.

    A number of 8 characters or fewer is masked whole; NaN stays NaN, "" stays "".
    """
    return _mask_keep(ids, ID_KEEP_HEAD, ID_KEEP_TAIL)


def mask_personal_data(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with individuals' personal data masked (个人信息脱敏).

    For every row whose ``customer_type`` is not ``corporate`` (individuals, and rows of
    unknown type, or every row when the column is absent): ``borrower_name`` by
    :func:`mask_name` and ``id_number`` by :func:`mask_id_number`. Corporate rows keep both: a
    company name and its unified social credit code (统一社会信用代码) are public registration
    data, not personal information (《个人信息保护法》 第四条). Other columns are untouched;
    columns absent from ``frame`` stay absent. Works on loans, findings or any table with
    these columns.
    """
    out = frame.copy()
    if "customer_type" in frame.columns:
        corporate = frame["customer_type"].astype("str").eq("corporate").fillna(False)
        person = ~corporate.to_numpy(dtype=bool)
    else:
        person = np.ones(len(frame), dtype=bool)
    if "borrower_name" in frame.columns:
        col = frame["borrower_name"].astype("str")
        out["borrower_name"] = mask_name(col).where(person, col)
    if "id_number" in frame.columns:
        col = frame["id_number"].astype("str")
        out["id_number"] = mask_id_number(col).where(person, col)
    return out
