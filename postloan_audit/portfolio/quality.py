"""Asset quality (资产质量): headline KPIs, balance by class, overdue buckets, concentration.

`001_…` 篇三 "五、贷后组织督导" lists what the supervising departments must keep track of:
辖内行贷款资产质量及变动情况 (:func:`portfolio_kpis`, :func:`balance_by_class`,
:func:`overdue_buckets`) and 大额贷款整体情况 (:func:`top_borrower_concentration`). Every
function is pure and vectorised over canonical loans (see :mod:`postloan_audit.core.schema`)
and looks at the active loans only (:mod:`postloan_audit.portfolio._common`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.core.schema import CLASSIFICATIONS
from postloan_audit.portfolio._common import (
    _NPL_CODE,
    _SM_CODE,
    _active,
    _balances,
    _branch_codes,
    _ratio,
)

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

_EN_DASH = "\u2013"


def overdue_bucket_labels(edges: tuple[int, ...] = OVERDUE_BUCKET_EDGES) -> list[str]:
    """Bucket labels for ``edges``: ``"1–30", "31–60", …, ">360"`` (en dash)."""
    lows = (0, *edges[:-1])
    return [f"{lo + 1}{_EN_DASH}{hi}" for lo, hi in zip(lows, edges, strict=True)] + \
        [f">{edges[-1]}"]


#: The bucket labels for the default edges, in order.
OVERDUE_BUCKET_LABELS: tuple[str, ...] = tuple(overdue_bucket_labels())


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
            ("loans", "在贷借据笔数", self.loans, f"{self.loans:,}"),
            ("borrowers", "在贷客户户数", self.borrowers, f"{self.borrowers:,}"),
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
