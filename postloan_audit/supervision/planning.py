"""Planning around the sample: which branches to review this year, and the monthly new-customer check.

* :func:`plan_branch_reviews` — `001_…` 篇三 "五、贷后组织督导" item 5: 两年内对所有辖内行至少完成一次
  现场检查,其中每年现场检查覆盖率不低于40%.
* :func:`draw_new_customer_check` — `003_…` 第四篇 (贷后管理实施细则) 一、(二) 2. 抽查比例:
  每月要按上月新增客户总数不低于10%的比例进行现场核查.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, fields
from fractions import Fraction

import numpy as np
import pandas as pd

from postloan_audit.core.dates import month_of, month_span
from postloan_audit.core.errors import PolicyError, SamplingError
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.schema import CLASSIFICATIONS, NPL_CLASSES

#: Columns of :func:`plan_branch_reviews`.
PLAN_COLUMNS = ["branch", "last_onsite_review_date", "must", "selected", "reason"]
#: Columns of :func:`draw_new_customer_check` (``loan_officer`` follows ``branch`` when the
#: loans carry one).
NEW_CUSTOMER_COLUMNS = ["borrower_id", "borrower_name", "branch", "first_disbursement_date",
                        "loan_count", "loan_ids", "balances", "total_balance"]

#: Share of the previous month's new personal-loan customers verified on site each month
#: (`003_…` 第四篇 一、(二) 2. 抽查比例: 不低于10%).
NEW_CUSTOMER_CHECK_RATE = 0.10
#: The check made in one month covers the new customers of the month before (上月新增客户,
#: same item): how many months back from the check.
NEW_CUSTOMER_MONTHS_BACK = 1
#: The group of new customers whose first loan names no loan officer (客户经理).
NO_OFFICER = "(未登记客户经理)"


@dataclass(frozen=True)
class ReviewPlanPolicy:
    """On-site review coverage of sub-branches (辖内行现场检查覆盖要求).

    Attributes
    ----------
    review_cycle_years : int, default 2
        两年内对所有辖内行至少完成一次现场检查 (`001_…` 篇三 五、贷后组织督导, item 5).
    min_annual_coverage : float, default 0.40
        每年现场检查覆盖率不低于40% (same item), rounded up to whole branches.
    """

    review_cycle_years: int = field(default=2, metadata={"zh": "全覆盖周期(年)"})
    min_annual_coverage: float = field(default=0.40, metadata={"zh": "年度最低覆盖率"})

    def __post_init__(self) -> None:
        years = self.review_cycle_years
        if isinstance(years, bool) or not isinstance(years, int) or years < 1:
            raise PolicyError(f"review_cycle_years(全覆盖周期)须为正整数,收到 {years!r}。"
                              f" / review_cycle_years must be a positive integer, got {years!r}.")
        rate = self.min_annual_coverage
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise PolicyError(f"min_annual_coverage(年度覆盖率)须在0到1之间,收到 {rate!r}。"
                              f" / min_annual_coverage must be within [0, 1], got {rate!r}.")

    def describe(self) -> list[tuple[str, str, object]]:
        """``(name, Chinese label, value)`` for every policy value."""
        return [(f.name, f.metadata["zh"], getattr(self, f.name)) for f in fields(self)]


def ceil_share(rate: float, count: int) -> int:
    """``ceil(rate * count)`` without float noise (0.1 × 30 is 3, not 4).

    The rate is read as the nearest fraction with a denominator up to one million, so policy
    values such as 0.4 or 0.1 act as the decimals they are written as.
    """
    return math.ceil(Fraction(rate).limit_denominator(1_000_000) * count)


# =========================================================================== branch reviews


def plan_branch_reviews(branches: pd.DataFrame, *, year: int, loans: pd.DataFrame | None = None,
                        policy: ReviewPlanPolicy | None = None,
                        reviews: pd.DataFrame | None = None) -> pd.DataFrame:
    """Choose this year's on-site reviews of sub-branches (年度现场检查计划).

    `001_…` 篇三 "五、贷后组织督导" item 5: every sub-branch is reviewed on site at least once
    in two years, and at least 40% of them every year.

    A branch whose last on-site review is before January 1 of ``year - review_cycle_years + 1``
    (or that has none) must be reviewed this year (``must``). When the must-list is short of
    ``ceil(min_annual_coverage × branches)``, the rest goes to the longest-unreviewed branches,
    then (with ``loans``) the highest NPL ratio by balance, then branch name.

    Parameters
    ----------
    branches : DataFrame
        ``branch`` and ``last_onsite_review_date`` (NaT = never); a branch listed twice keeps
        its latest date.
    year : int
        The plan year.
    loans : DataFrame, optional
        Canonical loans (``branch``, ``balance``, ``classification``): adds the NPL ratio as
        a tie-break, and a branch holding loans but missing from ``branches`` is treated as
        never reviewed.
    policy : ReviewPlanPolicy, optional
    reviews : DataFrame, optional
        Recorded on-site reviews (``branch``, ``last_onsite_review_date``), e.g. from the audit
        trail's returned workpapers: used for a branch whose sheet date is empty (or that is
        known only from ``loans``); a date in ``branches`` wins when given.

    Returns
    -------
    DataFrame
        ``branch``, ``last_onsite_review_date``, ``must``, ``selected``, ``reason`` (Chinese),
        one row per branch, in planning priority (selected first).
    """
    policy = ReviewPlanPolicy() if policy is None else policy
    if isinstance(year, bool) or not isinstance(year, int | np.integer) or not 1900 < year < 2200:
        raise SamplingError(f"年份无效:{year!r}。 / Invalid year: {year!r}.")
    missing = [c for c in ("branch", "last_onsite_review_date") if c not in branches.columns]
    if missing:
        raise SamplingError(f"机构表缺少列:{'、'.join(missing)}。 / The branches table lacks"
                         f" columns: {missing}.")
    frame = branches.loc[branches["branch"].notna(), ["branch", "last_onsite_review_date"]]
    frame = frame.assign(last_onsite_review_date=pd.to_datetime(frame["last_onsite_review_date"]))
    frame = frame.groupby("branch", sort=True, as_index=False)["last_onsite_review_date"].max()
    ratio = pd.Series(np.nan, index=frame["branch"], dtype="float64")
    if loans is not None:
        frame, ratio = _with_loans(frame, loans)
    if reviews is not None and len(reviews):
        frame = _with_recorded_reviews(frame, reviews)
    if frame.empty:
        raise SamplingError("机构表中没有任何机构。 / The branches table holds no branch.")

    dates = frame["last_onsite_review_date"]
    cutoff = pd.Timestamp(year=int(year) - policy.review_cycle_years + 1, month=1, day=1)
    must = (dates.isna() | (dates < cutoff)).to_numpy()
    npl = ratio.reindex(frame["branch"]).to_numpy()
    # Priority: must first; then oldest review (never first), highest NPL ratio, name.
    never = dates.isna().to_numpy()
    date_key = dates.to_numpy(dtype="datetime64[ns]").astype(np.int64)  # NaT sorts first
    npl_key = np.where(np.isnan(npl), np.inf, -npl)
    order = np.lexsort((frame["branch"].to_numpy(), npl_key, date_key, ~never, ~must))
    frame = frame.iloc[order].reset_index(drop=True)
    must, never, npl, dates = must[order], never[order], npl[order], frame["last_onsite_review_date"]

    needed = ceil_share(policy.min_annual_coverage, len(frame))
    count = max(int(must.sum()), needed)
    selected = np.arange(len(frame)) < count
    pct = f"{policy.min_annual_coverage:.0%}"
    date_text = dates.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    npl_text = np.where(np.isnan(npl), "", pd.Series(npl).map("{:.2%}".format).to_numpy())
    reason = np.select(
        [never, must, selected],
        [f"无现场检查记录,须于本年检查({policy.review_cycle_years}年内全覆盖)",
         "最近现场检查 " + date_text + f",早于 {cutoff:%Y-%m-%d},须于本年检查"
         f"({policy.review_cycle_years}年内全覆盖)",
         f"补足年度覆盖率{pct}(共需 {needed} 家):最近现场检查 " + date_text],
        default="最近现场检查 " + date_text + ",本年非必查")
    has_ratio = selected & ~must & (npl_text != "")
    reason = np.where(has_ratio, reason + ",不良率 " + npl_text, reason)
    frame["must"] = must
    frame["selected"] = selected
    frame["reason"] = pd.Series(reason, dtype="str")
    frame["branch"] = frame["branch"].astype("str")
    return frame[PLAN_COLUMNS]


def _with_recorded_reviews(frame: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Fill empty sheet dates from recorded reviews (the sheet's date wins when given)."""
    recorded = reviews.loc[reviews["branch"].notna(), ["branch", "last_onsite_review_date"]]
    recorded = recorded.assign(
        last_onsite_review_date=pd.to_datetime(recorded["last_onsite_review_date"]))
    recorded = recorded.groupby("branch")["last_onsite_review_date"].max()
    dates = frame["last_onsite_review_date"].fillna(frame["branch"].map(recorded))
    return frame.assign(last_onsite_review_date=dates.astype("datetime64[ns]"))


def _with_loans(frame: pd.DataFrame, loans: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Add branches known only from the loans, and each branch's NPL ratio by balance."""
    needed = [c for c in ("branch", "balance", "classification") if c not in loans.columns]
    if needed:
        raise SamplingError(f"贷款台账缺少列:{'、'.join(needed)}。 / The loans lack columns: {needed}.")
    live = loans.loc[loans["branch"].notna() & (loans["balance"] > 0)]
    cls = live["classification"].astype(object)
    if not set(cls.dropna().unique()) <= set(CLASSIFICATIONS):
        raise SamplingError("贷款台账的五级分类不是规范值。 / Unknown classification values.")
    npl_balance = live["balance"].where(cls.isin(NPL_CLASSES).to_numpy(), 0.0)
    sums = pd.DataFrame({"branch": live["branch"].to_numpy(), "total": live["balance"].to_numpy(),
                         "npl": npl_balance.to_numpy()}).groupby("branch").sum()
    ratio = sums["npl"] / sums["total"]
    extra = sorted(set(loans["branch"].dropna().unique()) - set(frame["branch"]))
    if extra:
        frame = pd.concat([frame, pd.DataFrame({
            "branch": pd.Series(extra, dtype=frame["branch"].dtype),
            "last_onsite_review_date": pd.Series(pd.NaT, index=range(len(extra)),
                                                 dtype="datetime64[ns]")})],
            ignore_index=True)
    return frame, ratio


# =========================================================================== new customers


def new_customer_month(check_day: dt.date) -> str:
    """The month whose new customers a check made on ``check_day`` covers (``'YYYY-MM'``):
    the month before, :data:`NEW_CUSTOMER_MONTHS_BACK` (上月新增客户).

    >>> new_customer_month(dt.date(2026, 1, 15))
    '2025-12'
    """
    return month_of(check_day, -NEW_CUSTOMER_MONTHS_BACK)


def draw_new_customer_check(data: Extract | pd.DataFrame, *, month: str, seed: int,
                            rate: float = NEW_CUSTOMER_CHECK_RATE) -> pd.DataFrame:
    """Draw the monthly on-site check of new personal-loan customers (新增个人客户现场核查).

    `003_…` 第四篇 一、(二) 2. 抽查比例: "业务代表(含渠道)每月要按上月新增客户总数不低于10%的比例进行
    现场核查" — the 10% is per business representative. A new customer is an ``individual``
    borrower whose first loan in the data was disbursed in ``month``. When the loans carry a
    ``loan_officer`` column, each officer's new customers (the officer of the customer's first
    loan that month; customers without one form one group of their own) get
    ``ceil(rate × count)`` draws, at least one each; without the column, ``ceil(rate × count)``
    of the whole file, and ``attrs["note"]`` says so. Draws are uniform from ``seed``,
    independent of row order.

    Parameters
    ----------
    data : Extract or DataFrame
        Canonical loans with ``customer_type`` and ``disbursement_date``.
    month : str
        ``'YYYY-MM'``, normally the month before the check.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    rate : float, default 0.10
        Share to check (:data:`NEW_CUSTOMER_CHECK_RATE`).

    Returns
    -------
    DataFrame
        One row per selected borrower, by ``borrower_id``: ``borrower_id``, ``borrower_name``,
        ``branch`` (of its first loan that month), ``loan_officer`` (only when the loans carry
        the column: the officer its draw was made for, :data:`NO_OFFICER` when none is
        recorded), ``first_disbursement_date``, ``loan_count``,
        ``loan_ids`` and ``balances`` (tuples of that month's loans, by disbursement date and
        loan id; amounts are current balances in yuan) and ``total_balance``. ``attrs`` hold
        ``month``, ``rate``, ``seed``, ``new_customers``, ``required`` (the total),
        ``by_officer`` (a frame ``loan_officer``, ``new_customers``, ``required``; empty
        without the column) and ``note``;
        :func:`~postloan_audit.supervision.new_customers.write_new_customer_workpaper` prints
        them.
    """
    loans = as_extract(data).loans
    if month_span(month) is None:
        raise SamplingError(f"月份须为 YYYY-MM 格式,收到 {month!r}。 / month must look like"
                         f" 'YYYY-MM', got {month!r}.")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
        raise SamplingError(f"抽查比例须在0到1之间(不含0),收到 {rate!r}。 / rate must be within"
                         f" (0, 1], got {rate!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SamplingError(f"随机种子须为非负整数,收到 {seed!r}。 / seed must be a non-negative"
                         f" integer, got {seed!r}.")
    missing = [c for c in ("loan_id", "borrower_id", "branch", "balance", "customer_type",
                           "disbursement_date") if c not in loans.columns]
    if missing:
        raise SamplingError(f"贷款台账缺少新增客户核查所需的列:{'、'.join(missing)}。"
                         f" / The loans lack columns needed for the new-customer check: {missing}.")
    start = pd.Timestamp(f"{month}-01")
    end = start + pd.offsets.MonthBegin(1)
    frame = loans.loc[loans["borrower_id"].notna() & loans["disbursement_date"].notna()]
    individual = frame.loc[frame["customer_type"] == "individual", "borrower_id"].unique()
    frame = frame.loc[frame["borrower_id"].isin(individual)]
    first = frame.groupby("borrower_id")["disbursement_date"].min()
    new_ids = np.sort(first.index[(first >= start) & (first < end)].to_numpy(dtype=object))
    priority = np.random.default_rng(int(seed)).permutation(len(new_ids))
    officer_of: pd.Series | None = None  # each new customer's officer, with the column
    by_officer = pd.DataFrame({"loan_officer": pd.Series([], dtype="str"),
                               "new_customers": pd.Series([], dtype=np.int64),
                               "required": pd.Series([], dtype=np.int64)})
    if "loan_officer" in frame.columns:
        # the officer of each new customer's first loan of the month (by date, then loan id)
        firsts = frame.loc[frame["borrower_id"].isin(new_ids)
                           & (frame["disbursement_date"] >= start)
                           & (frame["disbursement_date"] < end)]
        firsts = firsts.sort_values(["borrower_id", "disbursement_date", "loan_id"],
                                    kind="stable").drop_duplicates("borrower_id")
        officer = (firsts.set_index("borrower_id")["loan_officer"].reindex(new_ids)
                   .fillna(NO_OFFICER).astype("str").to_numpy(dtype=object))
        officer_of = pd.Series(officer, index=new_ids, dtype=object)
        group, officers = pd.factorize(officer, sort=True)
        sizes = np.bincount(group, minlength=len(officers)).astype(np.int64)
        needed = np.array([ceil_share(rate, int(k)) for k in sizes], dtype=np.int64)
        # rank of each customer's priority within its officer's group: the lowest are drawn
        rank = pd.Series(priority).groupby(group).rank(method="first").to_numpy() - 1
        chosen = new_ids[rank < needed[group]] if len(new_ids) else new_ids
        count = int(needed.sum())
        by_officer = pd.DataFrame({"loan_officer": pd.Series(officers, dtype="str"),
                                   "new_customers": sizes, "required": needed})
        note = (f"按客户经理分别抽查:{len(officers)}名客户经理,每人不低于其新增客户的"
                f"{rate * 100:g}%,至少1户 / drawn per loan officer")
    else:
        count = ceil_share(rate, len(new_ids))
        chosen = new_ids[priority < count]
        note = ("未提供客户经理列,按全部新增客户统一抽查;办法要求按每位业务代表的新增客户分别抽查 / "
                "no loan_officer column: drawn over the whole file, not per business "
                "representative")
    month_loans = frame.loc[frame["borrower_id"].isin(chosen)
                            & (frame["disbursement_date"] >= start)
                            & (frame["disbursement_date"] < end)]
    month_loans = month_loans.sort_values(["borrower_id", "disbursement_date", "loan_id"],
                                          kind="stable")
    names = (month_loans["borrower_name"] if "borrower_name" in month_loans.columns
             else pd.Series(np.nan, index=month_loans.index, dtype="str"))
    grouped = month_loans.assign(borrower_name=names).groupby("borrower_id", sort=True)
    out = pd.DataFrame({
        "borrower_id": pd.Series(grouped.size().index.to_numpy(), dtype="str"),
        "borrower_name": pd.Series(grouped["borrower_name"].first().to_numpy(), dtype="str"),
        "branch": pd.Series(grouped["branch"].first().to_numpy(), dtype="str"),
        "first_disbursement_date": grouped["disbursement_date"].min().to_numpy(),
        "loan_count": grouped.size().to_numpy().astype(np.int64),
        "loan_ids": grouped["loan_id"].agg(tuple).to_numpy(),
        "balances": grouped["balance"].agg(tuple).to_numpy(),
        "total_balance": grouped["balance"].sum().to_numpy().astype("float64"),
    }, columns=NEW_CUSTOMER_COLUMNS)
    if officer_of is not None:
        out.insert(out.columns.get_loc("branch") + 1, "loan_officer", pd.Series(
            officer_of.reindex(out["borrower_id"].to_numpy()).to_numpy(), dtype="str"))
    out.attrs.update({"month": month, "new_customers": len(new_ids), "rate": rate,
                      "required": count, "seed": int(seed), "by_officer": by_officer,
                      "note": note})
    return out
