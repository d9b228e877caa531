"""Lending rules (展期、借新还旧、评级、资金用途): ``EXT-LIMIT``, ``EXT-INDIVIDUAL``,
``REFI-INDIVIDUAL``, ``RATING-STALE``, ``FUND-USE``."""

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
    fmt_int,
    fmt_number,
    full_months,
    pick,
)
from postloan_audit.core.dates import add_months


def extension_limit(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Original term in whole months, the extension limit in months, and the term band.

    Band 0 short (original maturity <= disbursement + 12 months): limit = the original term;
    1 medium (<= 60 months): half of it; 2 long: 36 months. 《贷款通则》第十二条. Because
    ``extension_months`` is whole, comparing it with the whole-month term is the same as
    comparing it with the exact term.
    """
    p = ctx.policy.extension
    disb = ctx.date("disbursement_date")
    original = ctx.original_maturity
    term = full_months(disb, original)
    short = original <= add_months(disb, p.short_term_months)
    medium = original <= add_months(disb, p.medium_term_months)
    band = np.select([short, medium], [0, 1], 2)
    limit = np.select([band == 0, band == 1],
                      [term.astype(float), term * p.medium_term_fraction],
                      float(p.long_term_limit_months))
    return term, limit, band


def _ext_limit(ctx: CheckContext) -> Hits:
    """Active loan whose ``extension_months`` is above the limit for the original term."""
    p = ctx.policy.extension
    ext = ctx.integer("extension_months")
    term, limit, band = extension_limit(ctx)
    mask = ctx.active & (ext > 0) & (term >= 0) & (ext > limit)
    sel = np.flatnonzero(mask)
    rules = [f"原期限{p.short_term_months}个月以内(含)的贷款累计展期不得超过原期限",
             f"原期限{p.short_term_months}至{p.medium_term_months}个月(含)的贷款累计展期不得超过"
             f"原期限的{p.medium_term_fraction * 100:g}%",
             f"原期限{p.medium_term_months}个月以上的贷款累计展期不得超过"
             f"{p.long_term_limit_months}个月"]
    message = ("原贷款期限" + fmt_int(term[sel]) + "个月,累计展期" + fmt_int(ext[sel])
               + "个月,上限" + fmt_number(limit[sel]) + "个月;" + pick(rules, band[sel]))
    return Hits(sel, message)


def _ext_individual(ctx: CheckContext) -> Hits:
    """Active individual loan with an extension."""
    ext = ctx.integer("extension_months")
    sel = np.flatnonzero(ctx.active & ctx.individual & (ext > 0))
    message = "个人贷款累计展期" + fmt_int(ext[sel]) + "个月;个人贷款原则上不得展期"
    return Hits(sel, message)


def _refi_individual(ctx: CheckContext) -> Hits:
    """Active individual loan refinanced (借新还旧)."""
    sel = np.flatnonzero(ctx.active & ctx.individual & ctx.flag("refinanced"))
    message = pd.Series(np.full(len(sel), "个人贷款办理了借新还旧;个人贷款不得办理借新还旧"
                                "(产品设计中包含再融资安排的除外)", dtype=object), dtype="str")
    return Hits(sel, message)


def rating_year(ctx: CheckContext) -> tuple[int, np.datetime64]:
    """The fiscal year whose rating must exist at D, and that year's deadline.

    ``001_…`` 篇三 一、(五): ratings are renewed in each new fiscal year (the calendar year). Until
    ``rating.grace_working_days`` working days after 1 January of D's year have passed, the
    rating of the previous year still serves; after that, one dated in D's year is required.
    """
    grace = ctx.policy.rating.grace_working_days
    year = int(ctx.as_of.astype("datetime64[Y]").astype(np.int64)) + 1970
    ends = np.array([f"{year - 2}-12-31", f"{year - 1}-12-31"], dtype="datetime64[ns]")
    previous, current = ctx.working_day_deadline(ends, grace)
    if current < ctx.as_of:
        return year, current
    return year - 1, previous


def stale_ratings(ctx: CheckContext, rated: np.ndarray) -> tuple[np.ndarray, int, np.datetime64]:
    """Where a rating date (of a borrower, or of a guarantor) is missing or before the
    required fiscal year (:func:`rating_year`); the year and its deadline."""
    year, deadline = rating_year(ctx)
    start = np.datetime64(f"{year}-01-01", "ns")
    return np.isnat(rated) | (rated < start), year, deadline


def _rating_stale(ctx: CheckContext) -> Hits:
    """Active corporate loan whose borrower's rating was not renewed in the fiscal year.

    A rating dated before 1 January of D's year is stale once ``rating.grace_working_days``
    working days of the year have passed (before then, one dated in the previous year is
    required): ``001_…`` 篇三 一、(五). Ratings dated after D are not known at D.
    """
    grace = ctx.policy.rating.grace_working_days
    rated = ctx.date("rating_date")
    rated = np.where(rated > ctx.as_of, NAT, rated)
    stale, year, deadline = stale_ratings(ctx, rated)
    mask = ctx.active & ctx.corporate & stale
    sel = np.flatnonzero(mask)
    r = rated[sel]
    found = ~np.isnat(r)
    when = fmt_date(np.array([deadline]))[0]
    fact = ("最近一次信用评级" + fmt_date(r)).where(found, "无信用评级日期")
    message = (fact + f";{year}年度的信用评级应不晚于{when}(新年度第{grace}个工作日)完成,"
               "借款人信用评级应在每个新的会计年度内更新")
    due = np.full(len(sel), deadline)
    return Hits(sel, message, due, days_between(due, ctx.as_of))


def _fund_use(ctx: CheckContext) -> Hits:
    """Active self-payment loan disbursed > 1 month before D without a fund-use check made
    after disbursement (a check dated before the disbursement, or after D, does not count)."""
    n = ctx.policy.fund_use.check_months
    disb = ctx.date("disbursement_date")
    due = add_months(disb, n)
    checked = ctx.date("fund_use_check_date")
    valid = ~np.isnat(checked) & (checked >= disb) & (checked <= ctx.as_of)
    mask = (ctx.active & ctx.equals("payment_method", "self") & ~np.isnat(disb)
            & (due < ctx.as_of) & ~valid)
    sel = np.flatnonzero(mask)
    c = checked[sel]
    early = ~np.isnat(c) & (c < disb[sel])
    fact = pd.Series(np.where(early, "", "未见资金用途核查记录"), dtype="str").where(
        ~early, "资金用途核查日期" + fmt_date(c) + "早于发放日,不是发放后的核查")
    message = ("自主支付贷款,发放日" + fmt_date(disb[sel]) + ",距检查日"
               + fmt_int(days_between(disb[sel], ctx.as_of)) + "天," + fact
               + f";自主支付贷款应在发放后{n}个月内核查贷款资金是否按约定用途使用")
    return Hits(sel, message, due[sel], days_between(due[sel], ctx.as_of))


EXT_LIMIT = Rule(
    id="EXT-LIMIT",
    title_zh="展期期限超限",
    title_en="Extension longer than allowed",
    severity=Severity.HIGH,
    citation=cite.cites(cite.REG_LOAN_RULES, cite.SEED_003_EXAM.then("单选题17、27")),
    params=("extension.short_term_months", "extension.medium_term_months",
            "extension.medium_term_fraction", "extension.long_term_limit_months"),
    needs=("balance", "disbursement_date", "maturity_date", "extension_months"),
    evaluate=_ext_limit,
)

EXT_INDIVIDUAL = Rule(
    id="EXT-INDIVIDUAL",
    title_zh="个人贷款展期",
    title_en="Individual loan extended",
    severity=Severity.MEDIUM,
    citation=cite.SEED_003_ART49.then("(二)"),
    params=(),
    needs=("balance", "customer_type", "extension_months"),
    evaluate=_ext_individual,
)

REFI_INDIVIDUAL = Rule(
    id="REFI-INDIVIDUAL",
    title_zh="个人贷款借新还旧",
    title_en="Individual loan refinanced",
    severity=Severity.MEDIUM,
    citation=cite.SEED_003_ART49.then("(四)"),
    params=(),
    needs=("balance", "customer_type", "refinanced"),
    evaluate=_refi_individual,
)

RATING_STALE = Rule(
    id="RATING-STALE",
    title_zh="信用评级未按年更新",
    title_en="Credit rating not renewed in the new fiscal year",
    severity=Severity.LOW,
    citation=cite.SEED_001_RATING,
    params=("rating.grace_working_days",),
    needs=("balance", "customer_type", "rating_date"),
    evaluate=_rating_stale,
)

FUND_USE = Rule(
    id="FUND-USE",
    title_zh="自主支付未核查资金用途",
    title_en="Self-paid loan without fund-use verification",
    severity=Severity.MEDIUM,
    citation=cite.cites(cite.SEED_003_ART44, cite.REG_PERSONAL_LOANS),
    params=("fund_use.check_months",),
    needs=("balance", "payment_method", "disbursement_date", "fund_use_check_date"),
    evaluate=_fund_use,
)
