"""Collateral rules (押品): ``COLLAT-INSP``, ``COLLAT-REVAL``, ``COLLAT-DROP``,
``COLLAT-COVER``, ``COLLAT-INSURE``, ``COLLAT-RELEASE``.

With a ``collateral`` sheet (the collateral register, 押品台账) the rules read each collateral
as the register gives it: its type, value, valuations, insurance and release; a collateral
securing several loans counts for each pro rata to their balances. Without the sheet,
``COLLAT-REVAL`` and ``COLLAT-DROP`` read the loan-level columns as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.context import (
    NAT,
    CheckContext,
    by_loan,
    days_between,
    fmt_date,
    fmt_fixed,
    fmt_int,
    wan,
)
from postloan_audit.core.dates import add_months
from postloan_audit.core.schema import COLLATERAL_TYPE_ZH


def _collat_insp(ctx: CheckContext) -> Hits:
    """Active mortgage/pledge loan without a yearly on-site collateral check.

    Exempt only "正常情况下" (``001_…`` 篇三 二、(四)): a loan of 12 months or less that is
    classified normal and not overdue; an overdue or NPL short-term loan needs the check too.
    """
    p = ctx.policy.collateral
    disb = ctx.date("disbursement_date")
    long_term = ctx.original_maturity > add_months(disb, p.inspection_min_term_months)
    normal_case = (ctx.class_code == 0) & (ctx.integer("overdue_days") <= 0)
    seasoned = add_months(disb, p.inspection_months) < ctx.as_of
    checked = ctx.date("collateral_inspection_date")
    due = add_months(checked, p.inspection_months)
    mask = (ctx.active & ctx.collateral_secured & (long_term | ~normal_case) & seasoned
            & (np.isnat(checked) | (due < ctx.as_of)))
    sel = np.flatnonzero(mask)
    c = checked[sel]
    found = ~np.isnat(c)
    fact = ("押品最近一次现场检查" + fmt_date(c) + ",距检查日"
            + fmt_int(days_between(c, ctx.as_of)) + "天").where(
        found, "发放日" + fmt_date(disb[sel]) + ",无押品现场检查记录")
    rule = pd.Series(np.where(
        long_term[sel], f";期限{p.inspection_min_term_months}个月以上的抵质押贷款应每"
                        f"{p.inspection_months}个月至少现场检查一次押品",
        f";逾期或非正常类的抵质押贷款(含期限{p.inspection_min_term_months}个月以内)应每"
        f"{p.inspection_months}个月至少现场检查一次押品"), dtype="str")
    message = fact + rule
    due_sel = np.where(found, due[sel], add_months(disb[sel], p.inspection_months))
    return Hits(sel, message, due_sel, days_between(due_sel, ctx.as_of))


def _type_zh(types: pd.Series) -> pd.Series:
    return types.map(COLLATERAL_TYPE_ZH).fillna(types).astype("str")


def _row_dates(rows: pd.DataFrame, column: str) -> np.ndarray:
    if column not in rows.columns:
        return np.full(len(rows), NAT)
    return pd.to_datetime(rows[column]).to_numpy(dtype="datetime64[ns]")


def _collat_reval_sheet(ctx: CheckContext) -> Hits:
    """COLLAT-REVAL with the collateral register: plant and equipment revalued by a third party
    at least every half-year (``000_…`` 计划8), every other collateral at least yearly
    (《商业银行押品管理指引》). A collateral of a third-party type whose latest valuation was
    internal (``appraiser``) is a finding too; without the column that part is not judged
    (noted)."""
    p = ctx.policy.collateral
    rows = ctx.collateral_rows
    third = rows["type"].isin(p.third_party_types).to_numpy(dtype=bool)
    months = np.where(third, p.third_party_months, p.revaluation_months)
    appraised = _row_dates(rows, "appraisal_date")
    due = add_months(appraised, months)
    stale = ~np.isnat(appraised) & (due < ctx.as_of)
    if "appraiser" in rows.columns:
        internal = third & (rows["appraiser"] == "internal").fillna(False).to_numpy(dtype=bool)
    else:
        internal = np.zeros(len(rows), dtype=bool)
        if third.any():
            ctx.note("COLLAT-REVAL", "押品表未提供评估方式(appraiser)列,未核对厂房、机器设备是否由第三方"
                                     "评估 / no appraiser column: third-party valuation of plant and"
                                     " equipment not checked")
    flagged = stale | internal
    r = rows.loc[flagged].reset_index(drop=True)
    text = ("押品" + r["collateral_id"].astype("str") + "(" + _type_zh(r["type"]) + ")最近一次评估"
            + fmt_date(appraised[flagged]) + pd.Series(np.where(
                stale[flagged], ",距检查日" + fmt_int(days_between(appraised[flagged],
                                                               ctx.as_of)).fillna("")
                + "天", ""), dtype="str")
            + pd.Series(np.where(internal[flagged], ",为内部评估", ""), dtype="str")
            + pd.Series(np.where(third[flagged],
                                 f",厂房、机器设备应每{p.third_party_months}个月由第三方评估一次",
                                 f",押品价值应每{p.revaluation_months}个月至少重估一次"),
                        dtype="str"))
    pos, message, earliest = by_loan(r["loan"].to_numpy(), text.to_numpy(),
                                     np.where(stale[flagged], due[flagged], NAT))
    return Hits(pos, message, earliest, days_between(earliest, ctx.as_of))


def _collat_reval(ctx: CheckContext) -> Hits:
    """Active mortgage/pledge loan whose collateral appraisal is missing or over 12 months old
    (with a ``collateral`` sheet: :func:`_collat_reval_sheet`)."""
    if ctx.collateral is not None:
        return _collat_reval_sheet(ctx)
    n = ctx.policy.collateral.revaluation_months
    appraised = ctx.date("collateral_appraisal_date")
    due = add_months(appraised, n)
    mask = ctx.active & ctx.collateral_secured & (np.isnat(appraised) | (due < ctx.as_of))
    sel = np.flatnonzero(mask)
    a = appraised[sel]
    found = ~np.isnat(a)
    fact = ("押品最近一次评估" + fmt_date(a) + ",距检查日" + fmt_int(days_between(a, ctx.as_of))
            + "天").where(found, "无押品评估日期")
    message = fact + f";押品价值应每{n}个月至少重估一次"
    return Hits(sel, message, np.where(found, due[sel], NAT), days_between(due[sel], ctx.as_of))


def _collat_drop_sheet(ctx: CheckContext) -> Hits:
    """COLLAT-DROP with the collateral register: a collateral whose value is down more than
    ``value_drop_share`` from its **previous** valuation (``previous_value``) while the loan it
    secures has no additional security (``additional_guarantee``): ``000_…`` 计划8; ``001_…``
    篇五. Exactly 90% of the previous value is not "below" it."""
    share = ctx.policy.collateral.value_drop_share
    rows = ctx.collateral_rows
    value = rows["appraised_value"].to_numpy(dtype=float, na_value=np.nan)
    previous = (rows["previous_value"].to_numpy(dtype=float, na_value=np.nan)
                if "previous_value" in rows.columns else np.full(len(rows), np.nan))
    with np.errstate(invalid="ignore"):
        down = (previous > 0) & (value < previous * (1 - share) * (1 - 1e-12))
    down &= ~ctx.flag("additional_guarantee")[rows["loan"].to_numpy()]
    r = rows.loc[down].reset_index(drop=True)
    drop = 1 - value[down] / previous[down]
    text = ("押品" + r["collateral_id"].astype("str") + "评估价值" + wan(value[down]) + "万元,较上次评估"
            + wan(previous[down]) + "万元下降" + fmt_fixed(drop * 100, 2) + f"%,超过{share * 100:g}%")
    pos, message, _ = by_loan(r["loan"].to_numpy(), text.to_numpy())
    return Hits(pos, message + ";未追加担保")


def _collat_drop(ctx: CheckContext) -> Hits:
    """Active mortgage/pledge loan whose collateral value is down more than 10% without
    additional security; settled and unsecured loans are never flagged (with a ``collateral``
    sheet: :func:`_collat_drop_sheet`)."""
    if not ctx.has("additional_guarantee"):
        ctx.note("COLLAT-DROP", "未提供“已追加担保”列,按未追加担保判断 / no additional_guarantee "
                                "column: no additional security assumed")
    if ctx.collateral is not None:
        return _collat_drop_sheet(ctx)
    share = ctx.policy.collateral.value_drop_share
    value = ctx.amount("collateral_value")
    initial = ctx.amount("collateral_initial_value")
    # relative tolerance so that exactly 90% of the initial value is not "below" it
    floor = initial * (1 - share) * (1 - 1e-12)
    with np.errstate(invalid="ignore"):
        mask = (ctx.active & ctx.collateral_secured & (initial > 0) & (value < floor)
                & ~ctx.flag("additional_guarantee"))
    sel = np.flatnonzero(mask)
    drop = 1 - value[sel] / initial[sel]
    message = ("押品价值" + wan(value[sel]) + "万元,较初始价值" + wan(initial[sel]) + "万元下降"
               + fmt_fixed(drop * 100, 2) + f"%,超过{share * 100:g}%;未追加担保")
    return Hits(sel, message)


def _collat_cover(ctx: CheckContext) -> Hits:
    """Active loan whose share of its collaterals' value, after prior claims and the maximum
    loan-to-value of each type, is below its balance.

    ``003_…`` 第四十六条(一) 抵质押价值的充足性. Each collateral's value is ``appraised_value``
    less ``prior_claims`` (never below 0) times ``collateral.max_ltv_<type>`` (a bank setting;
    ``other`` for a blank type); a collateral securing several outstanding loans counts for
    each in proportion to their balances. Loans without a row in the register are not judged.
    """
    p = ctx.policy.collateral
    rows = ctx.collateral_rows
    loan = rows["loan"].to_numpy(dtype=np.int64)
    balance = np.nan_to_num(ctx.amount("balance"), nan=0.0)
    appraised = np.nan_to_num(rows["appraised_value"].to_numpy(dtype=float, na_value=np.nan))
    prior = (np.nan_to_num(rows["prior_claims"].to_numpy(dtype=float, na_value=np.nan))
             if "prior_claims" in rows.columns else np.zeros(len(rows)))
    kinds, names = pd.factorize(rows["type"])
    ltv = np.array([p.max_ltv(str(n)) for n in names] + [p.max_ltv_other])[kinds]
    codes = ctx.collateral_codes
    blank = codes < 0  # a row without a collateral id (a frame given in code) stands alone
    if blank.any():
        codes = codes.copy()
        codes[blank] = codes.max(initial=-1) + 1 + np.arange(int(blank.sum()))
    total = np.bincount(codes, weights=balance[loan], minlength=codes.max() + 1 if len(codes)
                        else 0)
    share = np.divide(balance[loan], total[codes], out=np.zeros(len(rows)),
                      where=total[codes] > 0)
    n = ctx.n
    cover = np.bincount(loan, weights=np.maximum(appraised - prior, 0) * ltv * share,
                        minlength=n)
    value = np.bincount(loan, weights=appraised * share, minlength=n)
    claims = np.bincount(loan, weights=prior * share, minlength=n)
    judged = np.bincount(loan, minlength=n) > 0
    mask = ctx.active & judged & (cover < balance * (1 - 1e-12))
    sel = np.flatnonzero(mask)
    message = ("押品可担保价值" + wan(cover[sel]) + "万元(评估价值" + wan(value[sel])
               + "万元,扣除优先受偿" + wan(claims[sel]) + "万元后按各类押品抵押率折算;共用押品按贷款余额分摊),"
               "低于贷款余额" + wan(balance[sel]) + "万元;抵质押价值应足以覆盖贷款")
    return Hits(sel, message)


def _collat_insure(ctx: CheckContext) -> Hits:
    """Active loan secured by an insurable collateral whose insurance expired before D.

    ``001_…`` 篇三 二、(四) (抵押物的保险有效性); the insurable types are the policy's
    ``collateral.insurable_types`` (buildings, plant, machines, vehicles). A collateral of such a
    type without ``insurance_expiry`` is not judged; the report counts them.
    """
    p = ctx.policy.collateral
    rows = ctx.collateral_rows
    insurable = rows["type"].isin(p.insurable_types).to_numpy(dtype=bool)
    expiry = _row_dates(rows, "insurance_expiry")
    blank = insurable & np.isnat(expiry)
    if blank.any():
        ctx.note("COLLAT-INSURE", f"{int(blank.sum())}项应投保押品无保险到期日,未检查 / insurable"
                                  " collateral without insurance_expiry not judged")
    expired = insurable & ~np.isnat(expiry) & (expiry < ctx.as_of)
    r = rows.loc[expired].reset_index(drop=True)
    text = ("押品" + r["collateral_id"].astype("str") + "(" + _type_zh(r["type"]) + ")保险已于"
            + fmt_date(expiry[expired]) + "到期")
    pos, message, earliest = by_loan(r["loan"].to_numpy(), text.to_numpy(), expiry[expired])
    return Hits(pos, message + ";押品保险应在贷款存续期内保持有效", earliest,
                days_between(earliest, ctx.as_of))


def _collat_release(ctx: CheckContext) -> Hits:
    """Active loan whose collateral was released (``release_date`` on or before D) while the
    loan is outstanding: ``003_…`` 第四十九条(五) releases collateral after the borrower has
    repaid in full (还清全部贷款后 … 办理抵押权证出库手续)."""
    frame = ctx.collateral
    pos = ctx.loan_positions("collateral")
    released = pd.to_datetime(frame["release_date"]).to_numpy(dtype="datetime64[ns]")
    mask = (pos >= 0) & ~np.isnat(released) & (released <= ctx.as_of)
    mask[mask] = ctx.active[pos[mask]]
    rows = frame.loc[mask].reset_index(drop=True)
    text = "押品" + rows["collateral_id"].astype("str") + "已于" + fmt_date(released[mask]) + "解押"
    loans, message, _ = by_loan(pos[mask], text.to_numpy())
    balance = ctx.amount("balance")[loans]
    return Hits(loans, message + ",贷款仍有余额" + wan(balance) + "万元;贷款结清前不得解除抵质押")


COLLAT_INSP = Rule(
    id="COLLAT-INSP",
    title_zh="押品未按年现场检查",
    title_en="Collateral not inspected on site yearly",
    severity=Severity.MEDIUM,
    citation=cite.SEED_001_COLLATERAL,
    params=("collateral.inspection_months", "collateral.inspection_min_term_months"),
    needs=("balance", "guarantee_type", "disbursement_date", "maturity_date",
           "collateral_inspection_date"),
    uses=("extension_months", "classification", "overdue_days"),
    evaluate=_collat_insp,
)

COLLAT_REVAL = Rule(
    id="COLLAT-REVAL",
    title_zh="押品未按年重估",
    title_en="Collateral not revalued yearly",
    severity=Severity.MEDIUM,
    citation=cite.cites(cite.REG_COLLATERAL.then(" 押品价值重估(至少每年一次)"),
                        cite.SEED_000_PLAN8),
    params=("collateral.revaluation_months", "collateral.third_party_types",
            "collateral.third_party_months"),
    needs=("balance", "collateral|guarantee_type+collateral_appraisal_date"),
    evaluate=_collat_reval,
)

COLLAT_DROP = Rule(
    id="COLLAT-DROP",
    title_zh="押品贬值未追加担保",
    title_en="Collateral value down over 10% without more security",
    severity=Severity.HIGH,
    citation=cite.SEED_000_PLAN8,
    params=("collateral.value_drop_share",),
    needs=("balance", "collateral.previous_value|guarantee_type+collateral_value"
                      "+collateral_initial_value"),
    uses=("additional_guarantee",),
    evaluate=_collat_drop,
)

COLLAT_COVER = Rule(
    id="COLLAT-COVER",
    title_zh="抵质押价值不足",
    title_en="Collateral value after prior claims and LTV below the balance",
    severity=Severity.HIGH,
    citation=cite.SEED_003_ART46.then("(一)"),
    params=("collateral.max_ltv_residential", "collateral.max_ltv_commercial",
            "collateral.max_ltv_land", "collateral.max_ltv_plant", "collateral.max_ltv_equipment",
            "collateral.max_ltv_deposit", "collateral.max_ltv_bond", "collateral.max_ltv_equity",
            "collateral.max_ltv_receivable", "collateral.max_ltv_vehicle",
            "collateral.max_ltv_other"),
    needs=("balance", "collateral"),
    evaluate=_collat_cover,
)

COLLAT_INSURE = Rule(
    id="COLLAT-INSURE",
    title_zh="押品保险已过期",
    title_en="Collateral insurance expired",
    severity=Severity.MEDIUM,
    citation=cite.SEED_001_COLLATERAL.then("(保险有效性)"),
    params=("collateral.insurable_types",),
    needs=("balance", "collateral.insurance_expiry"),
    evaluate=_collat_insure,
)

COLLAT_RELEASE = Rule(
    id="COLLAT-RELEASE",
    title_zh="贷款未结清押品已解押",
    title_en="Collateral released while the loan is outstanding",
    severity=Severity.HIGH,
    citation=cite.SEED_003_ART49.then("(五)"),
    params=(),
    needs=("balance", "collateral.release_date"),
    evaluate=_collat_release,
)
