"""Inspection rules (贷后检查): ``INSP-FREQ``, ``INSP-FIRST``, ``INSP-REPORT``, ``EXIT-VISIT``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.context import (
    NAT,
    NO_PRODUCT,
    CheckContext,
    days_between,
    fmt_date,
    fmt_fixed,
    fmt_int,
)
from postloan_audit.core.dates import add_months

_TIER_ZH = ("正常", "关注", "不良")
_MODE_ZH = ("常规", "重点")


def _pct(values: np.ndarray) -> pd.Series:
    """Shares as percentages with two decimals (``1.25%``)."""
    return fmt_fixed(np.asarray(values, dtype=float) * 100, 2) + "%"


def individual_products(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Which personal loans a fixed inspection frequency applies to, by product and branch.

    ``003_…`` 第四十五条: "对其他个贷业务,以经营行为单位、近三年新增贷款不良率超过一定比例(具体比例由
    单项产品管理办法或一级分行确定)的个贷业务产品至少每半年检查一次". Per branch (经营行) and
    ``product``, the ratio is the NPL balance over the balance of the personal loans disbursed
    in the ``inspection.individual_npl_lookback_months`` up to D that the extract holds; a
    product held to the frequency is one whose ratio exceeds
    ``inspection.individual_product_npl_ratio`` (a product with no new loans has no ratio and
    no fixed frequency). Loans of the bank's 低信用风险个贷业务 (``low_risk_products``,
    ``low_risk_guarantee_types``) have none either ("由一级分行根据需要确定检查频率").

    Without a ``product`` column a branch's personal loans are one product (noted).

    Returns
    -------
    held, ratio, label
        Per loan: whether the half-yearly frequency applies (personal loans only), its product's
        ratio (NaN without new loans), and the product's name for messages.
    """
    p = ctx.policy.inspection
    indiv = ctx.individual
    if ctx.has("product"):
        label = ctx.loans["product"].astype("str").fillna("(未填贷款品种)")
        product = ctx.loans["product"].astype("str").fillna(NO_PRODUCT)
    else:
        label = pd.Series(np.full(ctx.n, "个人贷款(未提供贷款品种,按机构合并)", dtype=object),
                          dtype="str")
        product = pd.Series(NO_PRODUCT, index=ctx.loans.index, dtype="str")
        if indiv.any():
            ctx.note("INSP-FREQ", "未提供贷款品种(product)列,各机构的个人贷款按一个产品计算近三年新增贷款"
                                  "不良率 / no product column: each branch's personal loans are"
                                  " treated as one product")
    table = ctx.product_npl
    keys = pd.MultiIndex.from_frame(table[["branch", "product"]])
    where = keys.get_indexer(pd.MultiIndex.from_arrays(
        [ctx.loans["branch"].astype("str").fillna(NO_PRODUCT), product]))
    ratio_of = np.full(len(table) + 1, np.nan)
    total = table["total"].to_numpy(dtype=float)
    np.divide(table["npl"].to_numpy(dtype=float), total, out=ratio_of[:-1], where=total > 0)
    ratio = ratio_of[where]  # -1 (no new personal loans of the product): NaN
    above = np.nan_to_num(ratio, nan=-1.0) > p.individual_product_npl_ratio
    low_risk = np.zeros(ctx.n, dtype=bool)
    if p.low_risk_products and ctx.has("product"):
        low_risk |= ctx.loans["product"].isin(p.low_risk_products).to_numpy(dtype=bool)
    if p.low_risk_guarantee_types and ctx.has("guarantee_type"):
        low_risk |= ctx.loans["guarantee_type"].isin(p.low_risk_guarantee_types).to_numpy(
            dtype=bool)
    held = indiv & above & ~low_risk
    return held, ratio, label


def inspection_interval(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Months between inspections for each loan, the requirement text, and "mode assumed".

    Corporate loans (and loans of unknown customer type) by management mode and class tier
    (normal / special mention / NPL); personal loans one interval when their product is held
    to a fixed frequency (:func:`individual_products`), else -1 (none). Missing
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
    text = np.asarray(texts, dtype=object)[safe]
    indiv = np.flatnonzero(ctx.individual)
    if len(indiv):
        held, ratio, label = individual_products(ctx)
        interval[indiv] = np.where(held[indiv], p.individual_months, -1)
        limit = _pct(np.array([p.individual_product_npl_ratio]))[0]
        text[indiv] = ("个贷产品「" + label.iloc[indiv].reset_index(drop=True)
                       + "」本机构近" + str(p.individual_npl_lookback_months // 12)
                       + "年新增贷款不良率" + _pct(ratio[indiv]) + f",超过{limit},该产品个人贷款应每"
                       + str(p.individual_months) + "个月至少检查一次").to_numpy(dtype=object)
    return interval, text, mode_assumed & ~ctx.individual


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

    Personal loans are held to the frequency only when their product's 近三年新增贷款不良率, per
    branch, exceeds the bank's ratio (:func:`individual_products`, ``003_…`` 第四十五条); a
    period counts as ended on D itself (an extract "截至 2026年9月30日" is as of the close of that
    day). Exempt: individual instalment loans and NPL individual loans in litigation (``003_…``
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
    """Active exit-list loan whose last on-site inspection is missing or + 1 month < D.

    ``003_…`` 第三篇 单选题11 asks for 实地调查 (on-site visits): only inspections typed on-site
    count (``inspections.inspection_type``, else the loan's ``last_onsite_inspection_date``).
    An exit-list client is one whose loan carries ``exit_list``, or whose borrower has an
    ``exit`` entry of the ``lists`` sheet in force at D.
    """
    n = ctx.policy.inspection.exit_visit_months
    last = ctx.last_onsite_inspection
    due = add_months(last, n)
    mask = ctx.active & ctx.exit_listed & (np.isnat(last) | (due < ctx.as_of))
    sel = np.flatnonzero(mask)
    lst = last[sel]
    found = ~np.isnat(lst)
    fact = ("退出类客户,最近一次现场检查" + fmt_date(lst) + ",距检查日"
            + fmt_int(days_between(lst, ctx.as_of)) + "天").where(found, "退出类客户,无现场检查记录")
    message = fact + f";退出类客户应每{n}个月至少实地调查一次"
    return Hits(sel, message, np.where(found, due[sel], NAT), days_between(due[sel], ctx.as_of))


def _insp_report(ctx: CheckContext) -> Hits:
    """Active corporate loan with an inspection report finished after its deadline.

    ``001_…`` 篇三 二、(七): reports are due 10 working days after a month (key mode), 15 after a
    quarter or a half-year, 20 after the fiscal year. A report counts for its
    ``report_period`` (所属期间), not for the period its ``report_date`` falls in: a
    first-quarter report finished on 10 April is judged against the first quarter's deadline.
    Rows of the ``inspections`` sheet with both columns, a period ended by D and a report
    dated by D are judged; one finding per loan lists its late reports, with the working days
    late. Personal loans follow ``003_…`` 第四十五条 and have no report deadline here.
    """
    late = ctx.late_reports
    if not len(late):
        return Hits(np.empty(0, np.int64), pd.Series([], dtype="str"))
    loans = late["loan"].to_numpy(dtype=np.int64)
    keep = ctx.active[loans] & ~ctx.individual[loans]
    late = late.loc[keep].sort_values(["loan", "period_end"], kind="stable").reset_index(
        drop=True)
    if not len(late):
        return Hits(np.empty(0, np.int64), pd.Series([], dtype="str"))
    loans = late["loan"].to_numpy(dtype=np.int64)
    first = np.flatnonzero(np.r_[True, loans[1:] != loans[:-1]])
    text = (late["period_name"] + "检查报告于" + fmt_date(late["report_date"].to_numpy())
            + "完成,期限" + fmt_date(late["deadline"].to_numpy()) + ",晚"
            + fmt_int(late["working_days_late"].to_numpy()) + "个工作日;").to_numpy(dtype=object)
    joined = pd.Series(np.add.reduceat(text, first), dtype="str")
    p = ctx.policy.inspection
    rule = (f"贷后检查报告应于月后{p.report_month_working_days}个、季后或半年后"
            f"{p.report_quarter_working_days}个、年度后{p.report_year_working_days}个工作日内完成")
    due = late["deadline"].to_numpy()[first]
    end = late["report_date"].to_numpy()[first]
    return Hits(loans[first], joined + rule, due, days_between(due, end))


def _callback_first(ctx: CheckContext) -> Hits:
    """Active personal loan disbursed more than 7 days (3 for self payment) before D without
    a callback on or after disbursement.

    ``003_…`` 第四篇 一、(二)1: "一般由客服在贷款发放后的7天后回访。自主支付的客户,在3天后回访,回访率
    为100%". A loan without ``payment_method`` is given the longer time. A callback dated
    before the disbursement, or after D, does not count.
    """
    p = ctx.policy.callback
    disb = ctx.date("disbursement_date")
    self_paid = ctx.equals("payment_method", "self")
    days = np.where(self_paid, p.self_payment_days, p.days)
    due = disb + days.astype("timedelta64[D]").astype("timedelta64[ns]")
    called = ctx.date("callback_date")
    valid = ~np.isnat(called) & (called >= disb) & (called <= ctx.as_of)
    mask = ctx.active & ctx.individual & ~np.isnat(disb) & (due < ctx.as_of) & ~valid
    sel = np.flatnonzero(mask)
    c = called[sel]
    early = ~np.isnat(c) & (c < disb[sel])
    fact = pd.Series(np.where(early, "", "未见回访记录"), dtype="str").where(
        ~early, "回访日期" + fmt_date(c) + "早于发放日,不是发放后的回访")
    kind = pd.Series(np.where(self_paid[sel], f"自主支付贷款应在发放{p.self_payment_days}天后回访",
                              f"贷款应在发放{p.days}天后回访"), dtype="str")
    message = ("发放日" + fmt_date(disb[sel]) + ",距检查日" + fmt_int(days_between(disb[sel],
                                                                              ctx.as_of))
               + "天," + fact + ";" + kind + ",回访率应为100%")
    return Hits(sel, message, due[sel], days_between(due[sel], ctx.as_of))


INSP_FREQ = Rule(
    id="INSP-FREQ",
    title_zh="贷后检查频率不足",
    title_en="Post-loan inspection overdue",
    severity=Severity.MEDIUM,
    citation=cite.cites(cite.SEED_001_CHECK_REPORT.then(" 1–2"), cite.SEED_003_ART45),
    params=("inspection.corporate_regular_normal_months",
            "inspection.corporate_regular_special_mention_months",
            "inspection.corporate_regular_npl_months",
            "inspection.corporate_key_normal_months",
            "inspection.corporate_key_special_mention_months",
            "inspection.corporate_key_npl_months",
            "inspection.individual_months",
            "inspection.individual_product_npl_ratio",
            "inspection.individual_npl_lookback_months",
            "inspection.low_risk_products",
            "inspection.low_risk_guarantee_types",
            "inspection.exempt_individual_installment",
            "inspection.exempt_litigation",
            "inspection.review_months",
            "inspection.new_loan_exempt_regular_months",
            "inspection.new_loan_exempt_key_months",
            "inspection.period_exempt_disbursed_months"),
    needs=("balance", "classification", "customer_type", "disbursement_date",
           "inspections|last_inspection_date"),
    uses=("management_mode", "repayment_method", "litigation", "extension_months",
          "maturity_date", "product", "guarantee_type"),
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

INSP_REPORT = Rule(
    id="INSP-REPORT",
    title_zh="贷后检查报告未按期完成",
    title_en="Inspection report finished after its deadline",
    severity=Severity.LOW,
    citation=cite.SEED_001_CHECK_REPORT,
    params=("inspection.report_month_working_days", "inspection.report_quarter_working_days",
            "inspection.report_half_year_working_days", "inspection.report_year_working_days"),
    needs=("balance", "inspections.report_date+inspections.report_period"),
    uses=("customer_type",),
    evaluate=_insp_report,
)

CALLBACK_FIRST = Rule(
    id="CALLBACK-FIRST",
    title_zh="个人贷款发放后未按时回访",
    title_en="Personal loan without a callback after disbursement",
    severity=Severity.LOW,
    citation=cite.SEED_003_CALLBACK,
    params=("callback.days", "callback.self_payment_days"),
    needs=("balance", "customer_type", "disbursement_date", "callback_date"),
    uses=("payment_method",),
    evaluate=_callback_first,
)

EXIT_VISIT = Rule(
    id="EXIT-VISIT",
    title_zh="退出类客户未按月实地调查",
    title_en="Exit-list client not visited on site monthly",
    severity=Severity.HIGH,
    citation=cite.SEED_003_EXAM.then("单选题4、11(退出类客户实地调查每月至少一次)"),
    params=("inspection.exit_visit_months",),
    needs=("balance", "exit_list|lists",
           "inspections.inspection_type|last_onsite_inspection_date"),
    evaluate=_exit_visit,
)
