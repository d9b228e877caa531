"""Collection and maturity rules (催收、到期): ``COLL-TIER``, ``COLL-NPL``, ``MAT-NOTICE``,
``MAT-COLLECT``, ``INT-COLLECT``, ``DATA-OVERDUE``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.context import (
    NAT,
    STRENGTH_ZH,
    CheckContext,
    days_between,
    fmt_date,
    fmt_int,
    pick,
)
from postloan_audit.core import schema
from postloan_audit.core.dates import add_months


def required_strength(ctx: CheckContext) -> np.ndarray:
    """Collection strength the overdue tier requires: 1 any, 2 visit, 3 legal (0 not overdue).

    1–60 days any collection; 61–90 a visit or meeting; > 90 legal action; doubtful loans
    legal action whatever their overdue days ("逾期90天以上的和按规定划为可疑类的贷款,原则上采用法律
    手段清收", ``003_…`` 第四十九条(六); policy ``collection.doubtful_requires_legal``).
    """
    p = ctx.policy.collection
    days = ctx.integer("overdue_days")
    need = np.select([days > p.visit_max_days, days > p.any_collection_max_days, days > 0],
                     [3, 2, 1], 0)
    if p.doubtful_requires_legal:
        doubtful = ctx.class_code == schema.CLASSIFICATIONS.index("doubtful")
        need = np.where(doubtful, 3, need)
    return need


def _coll_tier(ctx: CheckContext) -> Hits:
    """Active individual loan (overdue, or doubtful) collected less strongly than required."""
    p = ctx.policy.collection
    need = required_strength(ctx)
    have = ctx.strongest_collection_since_overdue
    mask = ctx.active & ctx.individual & (need > 0) & (have < need)
    sel = np.flatnonzero(mask)
    days = ctx.integer("overdue_days")
    doubtful = ctx.class_code == schema.CLASSIFICATIONS.index("doubtful")
    # tier 4: legal action required because the loan is doubtful, not by its overdue days
    tier = np.where((need == 3) & doubtful & (days <= p.visit_max_days), 4, need)
    tiers = ["", f"逾期{p.any_collection_max_days}天(含)以内应进行短信、电话或催收函催收",
             f"逾期{p.any_collection_max_days}至{p.visit_max_days}天(含)应约见借款人或实地催收",
             f"逾期{p.visit_max_days}天以上(或可疑类)原则上应采用法律手段清收",
             "按规定划为可疑类的贷款原则上应采用法律手段清收"]
    overdue = days[sel] > 0
    have_text = ("逾期以来最强催收方式为" + pick(STRENGTH_ZH, have[sel])).where(
        have[sel] > 0, "逾期以来无催收记录")
    have_text = have_text.where(overdue, ("最强催收方式为" + pick(STRENGTH_ZH, have[sel])).where(
        have[sel] > 0, "无催收记录"))
    head = ("逾期" + fmt_int(days[sel]) + "天,").where(overdue, "可疑类贷款,未逾期,")
    message = head + have_text + ";" + pick(tiers, tier[sel])
    return Hits(sel, message)


def corporate_scope(ctx: CheckContext, include_individual: bool) -> np.ndarray:
    """Loans a rule of the corporate manual (``001_…`` 篇三) applies to: corporate loans and
    loans of unknown customer type, and personal loans too when the policy extends it."""
    if include_individual:
        return np.ones(ctx.n, dtype=bool)
    return ~ctx.individual


def _coll_npl(ctx: CheckContext) -> Hits:
    """Active NPL loan whose last collection is missing or + 1 month < D.

    The corporate manual's rule (``001_…`` 篇三 二、(三)): corporate loans (and loans of unknown
    customer type); ``collection.npl_individual`` extends it to personal loans, which are
    otherwise held to COLL-TIER (``003_…`` 第四十九条(六)).
    """
    n = ctx.policy.collection.npl_collection_months
    last = ctx.last_collection
    due = add_months(last, n)
    scope = corporate_scope(ctx, ctx.policy.collection.npl_individual)
    mask = ctx.active & scope & ctx.npl & (np.isnat(last) | (due < ctx.as_of))
    sel = np.flatnonzero(mask)
    lst = last[sel]
    found = ~np.isnat(lst)
    fact = ("最近一次催收" + fmt_date(lst) + ",距检查日" + fmt_int(days_between(lst, ctx.as_of))
            + "天").where(found, "无催收记录")
    message = fact + f";不良贷款催收频度不低于每{n}个月一次"
    return Hits(sel, message, np.where(found, due[sel], NAT), days_between(due[sel], ctx.as_of))


def _mat_notice(ctx: CheckContext) -> Hits:
    """Active loan without a maturity notice by its deadline.

    Corporate loans (bullet or instalment, and loans of unknown customer type): by final
    maturity − 1 month (``001_…`` 篇三 二、(二)). Individual bullet loans: before maturity, by
    maturity − ``maturity.individual_notice_days_before`` days (``003_…`` 第四十九条(一)).
    Individual instalment loans: no notice required.
    """
    p = ctx.policy.maturity
    n, days_before = p.notice_months_before, p.individual_notice_days_before
    maturity = ctx.date("maturity_date")
    individual = ctx.individual
    indiv_due = maturity - np.timedelta64(days_before, "D").astype("timedelta64[ns]")
    due = np.where(individual, indiv_due, add_months(maturity, -n))
    notice = ctx.date("maturity_notice_date")
    missing = np.isnat(notice) | (notice > due)
    scope = ~individual | ctx.equals("repayment_method", "bullet")
    mask = ctx.active & scope & ~np.isnat(maturity) & (due < ctx.as_of) & missing
    sel = np.flatnonzero(mask)
    nt = notice[sel]
    found = ~np.isnat(nt)
    end = np.where(found & (nt < ctx.as_of), nt, ctx.as_of)
    fact = ("到期通知日期" + fmt_date(nt) + ",晚于应通知日"
            + fmt_int(days_between(due[sel], nt)) + "天").where(found, "未见到期通知记录")
    indiv_rule = (f"一次性还本的个人贷款应在到期日前{days_before}天通知借款人、担保人"
                  if days_before else "一次性还本的个人贷款应在到期前(不晚于到期日)通知借款人、担保人")
    rule = pd.Series(np.where(individual[sel], indiv_rule,
                              f"应在贷款到期日前{n}个月发送贷款到期通知书"), dtype="str")
    message = ("到期日" + fmt_date(maturity[sel]) + ",到期通知应不晚于" + fmt_date(due[sel])
               + "发出;" + fact + ";" + rule)
    return Hits(sel, message, due[sel], days_between(due[sel], end))


def _notice_fact(notice: np.ndarray, deadline: np.ndarray, as_of: np.datetime64,
                 label: str, start: str = "到期日") -> tuple[pd.Series, np.ndarray]:
    """The message fact and the day the lateness ends, for notices outside [``start``,
    deadline]."""
    found = ~np.isnat(notice)
    end = np.where(found & (notice > deadline) & (notice < as_of), notice, as_of)
    fact = (label + "日期" + fmt_date(notice) + f",不在{start}至" + fmt_date(deadline)
            + "之间").where(found, "未见" + label + "记录")
    return fact, end


def _mat_collect(ctx: CheckContext) -> Hits:
    """Active loan past maturity without a collection notice by the 10th working day after.

    Guaranteed loans (``guarantee_type`` 保证) also need the 履行担保责任通知书 to the guarantor
    in the same window when the ledger has a ``guarantor_notice_date`` column (``001_…`` 篇三
    二、(二): 向欠款的借款人及保证人发送贷款催收通知书和履行担保责任通知书). The corporate manual's
    rule: corporate loans (and loans of unknown customer type); ``maturity.collect_individual``
    extends it to personal loans.
    """
    n = ctx.policy.maturity.collection_notice_working_days
    maturity = ctx.date("maturity_date")
    scope = corporate_scope(ctx, ctx.policy.maturity.collect_individual)
    candidates = ctx.active & scope & ~np.isnat(maturity) & (maturity < ctx.as_of)
    deadline = np.full(ctx.n, NAT)
    idx = np.flatnonzero(candidates)
    deadline[idx] = ctx.working_day_deadline(maturity[idx], n)
    notice = ctx.date("collection_notice_date")
    in_window = ~np.isnat(notice) & (notice >= maturity) & (notice <= deadline)
    guaranteed = ctx.equals("guarantee_type", "guarantee") & ctx.has("guarantor_notice_date")
    g_notice = ctx.date("guarantor_notice_date")
    g_in_window = ~guaranteed | (~np.isnat(g_notice) & (g_notice >= maturity)
                                 & (g_notice <= deadline))
    mask = candidates & (deadline < ctx.as_of) & ~(in_window & g_in_window)
    sel = np.flatnonzero(mask)
    dl = deadline[sel]
    b_bad, g_bad, g_sel = ~in_window[sel], ~g_in_window[sel], guaranteed[sel]
    b_fact, b_end = _notice_fact(notice[sel], dl, ctx.as_of, "催收通知")
    g_fact, g_end = _notice_fact(g_notice[sel], dl, ctx.as_of, "履行担保责任通知书")
    facts = (b_fact.where(b_bad, "") + pd.Series(np.where(b_bad & g_bad, ";", ""), dtype="str")
             + g_fact.where(g_bad, ""))
    end = np.where(b_bad & g_bad, np.maximum(b_end, g_end), np.where(b_bad, b_end, g_end))
    what = pd.Series(np.where(g_sel, "催收通知书和履行担保责任通知书", "催收通知"), dtype="str")
    message = ("到期日" + fmt_date(maturity[sel]) + "贷款未收回," + what + "应不晚于"
               + fmt_date(dl) + f"(到期后第{n}个工作日)发出;" + facts)
    return Hits(sel, message, dl, days_between(dl, end))


def _int_collect(ctx: CheckContext) -> Hits:
    """Active corporate loan in interest arrears without a collection notice by the 5th
    working day after the missed interest day.

    ``001_…`` 篇三 二、(二): "如借款人未能按时付息应立即催收,并在收息日后5个工作日内向借款人发送贷款
    催收通知书". The missed interest day is ``interest_overdue_since`` (欠息起始日, 最小欠息日); a
    notice counts when dated from that day to the deadline (``collection_notice_date``).
    """
    n = ctx.policy.maturity.interest_notice_working_days
    since = ctx.date("interest_overdue_since")
    candidates = ctx.active & ~ctx.individual & ~np.isnat(since) & (since <= ctx.as_of)
    deadline = np.full(ctx.n, NAT)
    idx = np.flatnonzero(candidates)
    deadline[idx] = ctx.working_day_deadline(since[idx], n)
    notice = ctx.date("collection_notice_date")
    in_window = ~np.isnat(notice) & (notice >= since) & (notice <= deadline)
    mask = candidates & (deadline < ctx.as_of) & ~in_window
    sel = np.flatnonzero(mask)
    dl = deadline[sel]
    fact, end = _notice_fact(notice[sel], dl, ctx.as_of, "催收通知", start="欠息起始日")
    message = ("欠息起始日" + fmt_date(since[sel]) + ",贷款催收通知书应不晚于" + fmt_date(dl)
               + f"(收息日后第{n}个工作日)发出;" + fact)
    return Hits(sel, message, dl, days_between(dl, end))


def _data_overdue(ctx: CheckContext) -> Hits:
    """Active bullet loan past maturity whose ``overdue_days`` < days since maturity."""
    maturity = ctx.date("maturity_date")
    since = days_between(maturity, ctx.as_of)
    od = ctx.integer("overdue_days")
    mask = (ctx.active & ctx.equals("repayment_method", "bullet") & ~np.isnat(maturity)
            & (maturity < ctx.as_of) & (od < since))
    sel = np.flatnonzero(mask)
    message = ("到期日" + fmt_date(maturity[sel]) + ",至检查日已过" + fmt_int(since[sel])
               + "天,台账逾期天数为" + fmt_int(od[sel]) + "天;未展期的贷款自到期次日起即为逾期")
    return Hits(sel, message)


COLL_TIER = Rule(
    id="COLL-TIER",
    title_zh="逾期催收方式不到位",
    title_en="Collection weaker than the overdue tier requires",
    severity=Severity.MEDIUM,
    citation=cite.SEED_003_ART49.then("(六)"),
    params=("collection.any_collection_max_days", "collection.visit_max_days",
            "collection.doubtful_requires_legal"),
    needs=("balance", "customer_type", "overdue_days",
           "collections|last_collection_date+last_collection_method"),
    uses=("litigation",),
    evaluate=_coll_tier,
)

COLL_NPL = Rule(
    id="COLL-NPL",
    title_zh="不良贷款未按月催收",
    title_en="NPL loan not collected monthly",
    severity=Severity.HIGH,
    citation=cite.SEED_001_NPL,
    params=("collection.npl_collection_months", "collection.npl_individual"),
    needs=("balance", "classification", "collections|last_collection_date"),
    uses=("customer_type",),
    evaluate=_coll_npl,
)

MAT_NOTICE = Rule(
    id="MAT-NOTICE",
    title_zh="未按时发送到期通知",
    title_en="Maturity notice not sent a month ahead",
    severity=Severity.LOW,
    citation=cite.cites(cite.SEED_001_REPAYMENT, cite.SEED_003_ART49.then("(一)")),
    params=("maturity.notice_months_before", "maturity.individual_notice_days_before"),
    needs=("balance", "customer_type", "repayment_method", "maturity_date",
           "maturity_notice_date"),
    evaluate=_mat_notice,
)

MAT_COLLECT = Rule(
    id="MAT-COLLECT",
    title_zh="到期未还未及时发送催收通知",
    title_en="No collection notice within 10 working days after maturity",
    severity=Severity.MEDIUM,
    citation=cite.SEED_001_REPAYMENT,
    params=("maturity.collection_notice_working_days", "maturity.collect_individual"),
    needs=("balance", "maturity_date", "collection_notice_date"),
    uses=("guarantee_type", "guarantor_notice_date", "customer_type"),
    evaluate=_mat_collect,
)

INT_COLLECT = Rule(
    id="INT-COLLECT",
    title_zh="欠息未及时发送催收通知",
    title_en="No collection notice within 5 working days after a missed interest day",
    severity=Severity.MEDIUM,
    citation=cite.SEED_001_REPAYMENT,
    params=("maturity.interest_notice_working_days",),
    needs=("balance", "interest_overdue_since", "collection_notice_date"),
    uses=("customer_type",),
    evaluate=_int_collect,
)

DATA_OVERDUE = Rule(
    id="DATA-OVERDUE",
    title_zh="逾期天数登记不实",
    title_en="Overdue days understated after maturity",
    severity=Severity.HIGH,
    citation=cite.REG_LOAN_RULES,
    params=(),
    needs=("balance", "repayment_method", "maturity_date", "overdue_days"),
    evaluate=_data_overdue,
)
