"""Collateral rules (押品): ``COLLAT-INSP``, ``COLLAT-REVAL``, ``COLLAT-DROP``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.context import (
    NAT,
    CheckContext,
    days_between,
    fmt_date,
    fmt_fixed,
    fmt_int,
    wan,
)
from postloan_audit.core.dates import add_months


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


def _collat_reval(ctx: CheckContext) -> Hits:
    """Active mortgage/pledge loan whose collateral appraisal is missing or over 12 months old."""
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


def _collat_drop(ctx: CheckContext) -> Hits:
    """Active mortgage/pledge loan whose collateral value is down more than 10% without
    additional security; settled and unsecured loans are never flagged."""
    share = ctx.policy.collateral.value_drop_share
    value = ctx.amount("collateral_value")
    initial = ctx.amount("collateral_initial_value")
    if not ctx.has("additional_guarantee"):
        ctx.note("COLLAT-DROP", "未提供“已追加担保”列,按未追加担保判断 / no additional_guarantee "
                                "column: no additional security assumed")
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
    citation=cite.REG_COLLATERAL.then(" 押品价值重估(至少每年一次)"),
    params=("collateral.revaluation_months",),
    needs=("balance", "guarantee_type", "collateral_appraisal_date"),
    evaluate=_collat_reval,
)

COLLAT_DROP = Rule(
    id="COLLAT-DROP",
    title_zh="押品贬值未追加担保",
    title_en="Collateral value down over 10% without more security",
    severity=Severity.HIGH,
    citation=cite.SEED_000_PLAN8,
    params=("collateral.value_drop_share",),
    needs=("balance", "guarantee_type", "collateral_value", "collateral_initial_value"),
    uses=("additional_guarantee",),
    evaluate=_collat_drop,
)
