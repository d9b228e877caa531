"""Inspection rules (贷后检查): ``INSP-FREQ``, ``INSP-FIRST``, ``EXIT-VISIT``."""

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
)
from postloan_audit.core.dates import add_months

_TIER_ZH = ("正常", "关注", "不良")
_MODE_ZH = ("常规", "重点")


def inspection_interval(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Months between inspections for each loan, the requirement text, and "mode assumed".

    Corporate loans (and loans of unknown customer type) by management mode and class tier
    (normal / special mention / NPL); individual loans one interval. Missing
    ``management_mode`` counts as regular. Source: ``001_…`` 篇三 二、(七) 1–2; ``003_…`` 第四十五条.
    """
    p = ctx.policy.inspection
    code = ctx.class_code
    tier = np.select([code == 0, code == 1, code >= 2], [0, 1, 2], -1)
    key_mode = ctx.equals("management_mode", "key")
    # per-row blanks get a note in the message; an absent column gets one report warning
    mode_assumed = ctx.missing("management_mode") & ctx.has("management_mode")
    # group 0: individual; 1..6: corporate (regular normal, SM, NPL; key normal, SM, NPL)
    group = np.where(ctx.individual, 0, 1 + key_mode * 3 + tier)
    group = np.where((tier < 0) & ~ctx.individual, -1, group)
    months = np.array([p.individual_months,
                       p.corporate_regular_normal_months,
                       p.corporate_regular_special_mention_months,
                       p.corporate_regular_npl_months,
                       p.corporate_key_normal_months,
                       p.corporate_key_special_mention_months,
                       p.corporate_key_npl_months], dtype=np.int64)
    texts = [f"个人贷款应每{p.individual_months}个月至少检查一次"]
    texts += [f"{_MODE_ZH[m]}管理{_TIER_ZH[t]}类贷款应每{months[1 + m * 3 + t]}个月至少检查一次"
              for m in (0, 1) for t in (0, 1, 2)]
    safe = np.where(group < 0, 0, group)
    interval = np.where(group < 0, -1, months[safe])
    return interval, np.asarray(texts, dtype=object)[safe], mode_assumed & ~ctx.individual


def _short_new_loans(ctx: CheckContext, disb: np.ndarray) -> np.ndarray:
    """New normal corporate loans whose original term needs no inspection report.

    Original term (maturity − ``extension_months``) of at most
    ``inspection.new_loan_exempt_regular_months`` (regular mode) or ``…_key_months`` (key
    mode): ``001_…`` 篇三 二、(七)1–2 (贷款期限在6个月/3个月以内(含)的新发放正常类贷款,可不形成贷后
    检查报告). Calendar months are computed only for loans whose maturity lies within that many
    months (plus the extension) of disbursement at 31 days a month.
    """
    p = ctx.policy.inspection
    maturity = ctx.date("maturity_date")
    ext = ctx.integer("extension_months")
    longest = max(p.new_loan_exempt_key_months, p.new_loan_exempt_regular_months)
    span = (maturity - disb).astype("timedelta64[D]").astype(np.int64)
    maybe = (~ctx.individual & (ctx.class_code == 0) & ~np.isnat(disb) & ~np.isnat(maturity)
             & (span <= (longest + ext) * 31))
    idx = np.flatnonzero(maybe)
    key_mode = ctx.equals("management_mode", "key")[idx]
    limit = np.where(key_mode, p.new_loan_exempt_key_months, p.new_loan_exempt_regular_months)
    original = add_months(maturity[idx], -ext[idx])
    out = np.zeros(ctx.n, dtype=bool)
    out[idx] = original <= add_months(disb[idx], limit)
    return out


def _insp_freq(ctx: CheckContext) -> Hits:
    """Active loan whose inspections fall short of its frequency (``001_…`` 篇三 二、(七)).

    Two checks, one finding per loan: the latest inspection (or the disbursement) + interval
    < D; and, with an ``inspections`` sheet, every calendar period (half-year, quarter, month
    by the interval) that ended within ``inspection.review_months`` before D holds an
    inspection (:meth:`CheckContext.inspection_period_gaps`). Without the sheet only the latest
    inspection can be judged, and the report says so.

    Exempt: individual instalment loans and NPL individual loans in litigation (``003_…``
    第四十五条); new normal corporate loans with an original term of at most 6 months (regular
    mode) or 3 months (key mode) (``001_…`` 篇三 二、(七)1–2); a period in which the loan was
    disbursed 2 months or less before the period's end.
    """
    p = ctx.policy.inspection
    interval, texts, mode_assumed = inspection_interval(ctx)
    last = ctx.last_inspection
    disb = ctx.date("disbursement_date")
    base = np.where(np.isnat(last), disb, last)
    exempt = np.zeros(ctx.n, dtype=bool)
    if p.exempt_individual_installment:
        if ctx.has("repayment_method"):
            exempt |= ctx.individual & ctx.equals("repayment_method", "installment")
        else:
            skipped = int((ctx.active & ctx.individual).sum())
            exempt |= ctx.individual
            if skipped:
                ctx.note("INSP-FREQ", f"未提供还款方式列,{skipped}笔个人贷款无法判断是否分期还款,"
                                      "未检查 / no repayment_method column: individual loans "
                                      "not checked")
    if p.exempt_litigation:
        exempt |= ctx.flag("litigation") & ctx.individual & ctx.npl
    exempt |= _short_new_loans(ctx, disb)
    if not ctx.has("management_mode"):
        ctx.note("INSP-FREQ", "未提供管理方式列,对公贷款均按常规管理方式检查 / no management_mode "
                              "column: regular mode assumed")
    judged = ctx.active & ~exempt & (interval >= 0)
    undated = judged & np.isnat(base)
    if undated.any():
        ctx.note("INSP-FREQ", f"{int(undated.sum())}笔贷款既无检查记录也无发放日期,无法判断 / "
                              "loans with neither inspection nor disbursement date not checked")
    due = add_months(base, interval)
    stale = judged & ~np.isnat(base) & (due < ctx.as_of)
    gap_text = np.full(ctx.n, "", dtype=object)
    gap_end = np.full(ctx.n, NAT)
    if ctx.inspections is not None:
        gap_pos, text, first_end = ctx.inspection_period_gaps(
            interval, judged, p.period_exempt_disbursed_months, p.review_months)
        gap_text[gap_pos] = text.to_numpy(dtype=object) + "未见贷后检查;"
        gap_end[gap_pos] = first_end
    else:
        ctx.note("INSP-FREQ", "未提供贷后检查记录表,仅能判断最近一次检查是否超期,未逐期核对检查频率 / "
                              "no inspections sheet: only the latest inspection could be judged, "
                              "not every period of the review window")
    has_gap = ~np.isnat(gap_end)
    sel = np.flatnonzero(stale | has_gap)
    st = stale[sel]
    has_last = ~np.isnat(last[sel])
    days = fmt_int(days_between(base[sel], ctx.as_of))
    head = ("最近一次贷后检查" + fmt_date(last[sel]) + ",距检查日" + days + "天;").where(
        has_last, "无贷后检查记录,发放日" + fmt_date(disb[sel]) + ",距检查日" + days + "天;")
    head = head.where(st, "")
    tail = pd.Series(np.where(mode_assumed[sel], "(管理方式缺失,按常规管理)", ""), dtype="str")
    message = (head + pd.Series(gap_text[sel], dtype="str") + pd.Series(texts[sel], dtype="str")
               + tail)
    due_sel = np.where(st, due[sel], gap_end[sel])
    return Hits(sel, message.reset_index(drop=True), due_sel,
                days_between(due_sel, ctx.as_of))


def _insp_first(ctx: CheckContext) -> Hits:
    """Active corporate loan without an inspection within 1 month of disbursement.

    With an ``inspections`` sheet only loans disbursed on or after the sheet's first
    inspection date are judged from it (the sheet cannot tell what happened before it
    starts); earlier loans are judged from ``first_inspection_date`` when the ledger gives one,
    and counted in a note otherwise.
    """
    n = ctx.policy.inspection.first_inspection_months
    disb = ctx.date("disbursement_date")
    due = add_months(disb, n)
    first = ctx.first_inspection_after_disbursement
    late = np.isnat(first) | (first > due)
    scope = ctx.active & ctx.corporate & ~np.isnat(disb) & (due < ctx.as_of)
    if ctx.inspections is not None:
        start = ctx.inspection_coverage_start
        before = scope & ~(disb >= start) & ctx.missing("first_inspection_date")
        if before.any():
            when = fmt_date(np.array([start]))[0] if not np.isnat(start) else "(无检查记录)"
            ctx.note("INSP-FIRST", f"{int(before.sum())}笔对公贷款发放于贷后检查记录表最早日期"
                                   f"{when}之前且无首次检查日期,无法判断首次检查是否及时,未检查 / "
                                   "loans disbursed before the inspections sheet starts, without "
                                   "first_inspection_date: not judged")
        scope &= ~before
    mask = scope & late
    sel = np.flatnonzero(mask)
    f = first[sel]
    found = ~np.isnat(f)
    end = np.where(found, f, ctx.as_of)
    head = "发放日" + fmt_date(disb[sel]) + ",首次贷后检查应不晚于" + fmt_date(due[sel]) + ";"
    fact = ("首次贷后检查" + fmt_date(f) + ",逾期" + fmt_int(days_between(due[sel], f))
            + "天完成").where(found, "截至检查日未见首次贷后检查记录")
    message = head + fact + f";贷款发放后{n}个月内应完成一次贷后检查"
    return Hits(sel, message, due[sel], days_between(due[sel], end))


def _exit_visit(ctx: CheckContext) -> Hits:
    """Active exit-list loan whose last on-site inspection is missing or + 1 month < D."""
    n = ctx.policy.inspection.exit_visit_months
    last = ctx.last_onsite_inspection
    due = add_months(last, n)
    mask = ctx.active & ctx.flag("exit_list") & (np.isnat(last) | (due < ctx.as_of))
    sel = np.flatnonzero(mask)
    lst = last[sel]
    found = ~np.isnat(lst)
    fact = ("退出类客户,最近一次现场检查" + fmt_date(lst) + ",距检查日"
            + fmt_int(days_between(lst, ctx.as_of)) + "天").where(found, "退出类客户,无现场检查记录")
    message = fact + f";退出类客户应每{n}个月至少实地调查一次"
    return Hits(sel, message, np.where(found, due[sel], NAT), days_between(due[sel], ctx.as_of))


INSP_FREQ = Rule(
    id="INSP-FREQ",
    title_zh="贷后检查频率不足",
    title_en="Post-loan inspection overdue",
    severity=Severity.MEDIUM,
    citation=f"{cite.SEED_001_CHECK_REPORT} 1–2;{cite.SEED_003_ART45}",
    params=("inspection.corporate_regular_normal_months",
            "inspection.corporate_regular_special_mention_months",
            "inspection.corporate_regular_npl_months",
            "inspection.corporate_key_normal_months",
            "inspection.corporate_key_special_mention_months",
            "inspection.corporate_key_npl_months",
            "inspection.individual_months",
            "inspection.exempt_individual_installment",
            "inspection.exempt_litigation",
            "inspection.review_months",
            "inspection.new_loan_exempt_regular_months",
            "inspection.new_loan_exempt_key_months",
            "inspection.period_exempt_disbursed_months"),
    needs=("balance", "classification", "customer_type", "disbursement_date",
           "inspections|last_inspection_date"),
    uses=("management_mode", "repayment_method", "litigation", "extension_months",
          "maturity_date"),
    evaluate=_insp_freq,
)

INSP_FIRST = Rule(
    id="INSP-FIRST",
    title_zh="首次贷后检查不及时",
    title_en="First inspection not within one month of disbursement",
    severity=Severity.MEDIUM,
    citation=cite.SEED_001_CHECK_REPORT,
    params=("inspection.first_inspection_months",),
    needs=("balance", "customer_type", "disbursement_date", "inspections|first_inspection_date"),
    evaluate=_insp_first,
)

EXIT_VISIT = Rule(
    id="EXIT-VISIT",
    title_zh="退出类客户未按月实地调查",
    title_en="Exit-list client not visited on site monthly",
    severity=Severity.HIGH,
    citation=f"{cite.SEED_003_EXAM} 单选题4、11(退出类客户实地调查每月至少一次)",
    params=("inspection.exit_visit_months",),
    needs=("balance", "exit_list", "inspections.inspection_type|last_inspection_date"),
    evaluate=_exit_visit,
)
