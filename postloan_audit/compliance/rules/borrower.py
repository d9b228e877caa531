"""Rules about the borrower's file (借款人档案): ``GUAR-RATING``, ``FIN-STATEMENTS``.

A rule about a borrower is a finding on each of its outstanding loans, as ``CLS-BORROWER`` is.
"""

from __future__ import annotations

import datetime as dt

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
)
from postloan_audit.compliance.rules.lending import stale_ratings
from postloan_audit.core.dates import add_months


def _guar_rating(ctx: CheckContext) -> Hits:
    """Active loan with a guarantor whose rating was not renewed in the fiscal year.

    ``001_…`` 篇三 一、(五) ("借款人和保证人信用评级的更新"), the same test as ``RATING-STALE``
    (:func:`~postloan_audit.compliance.rules.lending.stale_ratings`: renewed in D's year once
    ``rating.grace_working_days`` working days of it have passed). Guarantors that are
    companies or guarantee companies (or of unknown type) are rated; individual guarantors are
    not judged. A rating dated after D is not known at D.
    """
    grace = ctx.policy.rating.grace_working_days
    frame = ctx.guarantees
    pos = ctx.loan_positions("guarantees")
    rated = pd.to_datetime(frame["guarantor_rating_date"]).to_numpy(dtype="datetime64[ns]")
    rated = np.where(rated > ctx.as_of, NAT, rated)
    kind = (frame["guarantor_type"] if "guarantor_type" in frame.columns
            else pd.Series(np.nan, index=frame.index, dtype="str"))
    rated_party = ~(kind == "individual").fillna(False).to_numpy(dtype=bool)
    stale, year, deadline = stale_ratings(ctx, rated)
    mask = (pos >= 0) & rated_party & stale
    mask[mask] = ctx.active[pos[mask]]
    rows = frame.loc[mask].reset_index(drop=True)
    name = (rows["guarantor_name"].astype("str") if "guarantor_name" in rows.columns
            else pd.Series(np.nan, index=rows.index, dtype="str"))
    who = "保证人" + name.fillna(rows["guarantor_id"].astype("str"))
    found = ~np.isnat(rated[mask])
    text = (who + "最近一次信用评级" + fmt_date(rated[mask]).fillna("")).where(
        found, who + "无信用评级日期")
    loans, message, _ = by_loan(pos[mask], text.to_numpy())
    when = fmt_date(np.array([deadline]))[0]
    due = np.full(len(loans), deadline)
    return Hits(loans, message + f";{year}年度的保证人信用评级应不晚于{when}(新年度第{grace}个工作日)"
                                 "完成,保证人信用评级应在每个新的会计年度内更新",
                due, days_between(due, ctx.as_of))


def _last_due(ctx: CheckContext, month: int, months_after: int) -> tuple[int, np.datetime64]:
    """The latest year whose period ending on the last day of ``month`` has a deadline
    (``months_after`` calendar months after it) before D, and that deadline."""
    year = int(ctx.as_of.astype("datetime64[Y]").astype(np.int64)) + 1970
    for y in (year, year - 1, year - 2):
        end = np.datetime64(_month_end(y, month), "ns")
        deadline = add_months(np.array([end]), months_after)[0]
        if deadline < ctx.as_of:
            return y, deadline
    raise AssertionError("a deadline within two years")  # pragma: no cover


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _fin_statements(ctx: CheckContext) -> Hits:
    """Every outstanding loan of a corporate borrower that lacks the last half-year or annual
    statement due, or whose annual statement is not audited.

    ``001_…`` 篇三 一、(一): the statements "至少包括借款人的半年报表和年度报表,原则上,应要求借款人提供
    经我行认可的会计师事务所审计的完整审计报告". The half-year statement due is the latest one whose
    period (ending 30 June) has passed ``financials.half_year_months`` months before D; the annual
    one likewise (31 December, ``annual_months``). A statement counts for a period when its
    ``period_end`` is that day and its ``period_type`` is the half-year (or year) or blank; when
    ``received_date`` is given it must be on or before D. A period that ended before the
    borrower's first loan in the extract was disbursed is not required (its statements belong
    to the credit application, not to post-loan supervision). With ``annual_audit_required``
    and an ``audited`` column, the annual statement must be audited.
    """
    p = ctx.policy.financials
    codes, k = ctx.borrower_codes
    scope = ctx.active & ctx.corporate & (codes >= 0)
    borrowers = np.zeros(k + 1, dtype=bool)
    borrowers[codes[scope]] = True
    first = np.full(k + 1, np.iinfo(np.int64).max, dtype=np.int64)
    disb = ctx.date("disbursement_date").view(np.int64)
    known = (codes >= 0) & ~np.isnat(ctx.date("disbursement_date"))
    np.minimum.at(first, codes[known], disb[known])
    periods = [(month, shape, *_last_due(ctx, month, months_after))
               for month, months_after, shape in ((6, p.half_year_months, "half"),
                                                  (12, p.annual_months, "year"))]
    # Only statements of the two periods due can count: the borrower ids of those rows alone
    # are looked up (a few of the sheet's rows; the lookup was most of the rule's time).
    whole = ctx.financials
    end = pd.to_datetime(whole["period_end"]).to_numpy(dtype="datetime64[ns]")
    rows = np.flatnonzero(np.isin(end, [np.datetime64(_month_end(year, month), "ns")
                                        for month, _, year, _ in periods]))
    frame = whole[[c for c in ("borrower_id", "period_type", "received_date", "audited")
                   if c in whole.columns]].iloc[rows]
    end = end[rows]
    owner = ctx.borrower_code_of(frame["borrower_id"])
    kind = (frame["period_type"] if "period_type" in frame.columns
            else pd.Series(np.nan, index=frame.index, dtype="str"))
    received = (pd.to_datetime(frame["received_date"]).to_numpy(dtype="datetime64[ns]")
                if "received_date" in frame.columns else np.full(len(frame), NAT))
    arrived = (owner >= 0) & (np.isnat(received) | (received <= ctx.as_of))
    problems: list[tuple[np.ndarray, str, np.datetime64]] = []
    for month, shape, year, deadline in periods:
        period_end = np.datetime64(_month_end(year, month), "ns")
        fits = arrived & (end == period_end) & (kind.isna() | (kind == shape)).to_numpy(bool)
        has = np.zeros(k + 1, dtype=bool)
        has[owner[fits]] = True
        required = borrowers & (first <= period_end.view(np.int64))
        name = f"{year}年{'半年' if month == 6 else '度'}报表"
        problems.append((required & ~has, f"缺少{name}(应于{fmt_date(np.array([deadline]))[0]}"
                         "前报送)", deadline))
        if month == 12 and p.annual_audit_required and "audited" in frame.columns:
            audited = np.zeros(k + 1, dtype=bool)
            audited[owner[fits & frame["audited"].fillna(False).to_numpy(dtype=bool)]] = True
            problems.append((required & has & ~audited, f"{year}年度报表未经审计", deadline))
    flagged = np.zeros(k + 1, dtype=bool)
    for missing, _, _ in problems:
        flagged |= missing
    sel = np.flatnonzero(scope & flagged[np.where(codes < 0, k, codes)])
    b = codes[sel]
    message = pd.Series(np.full(len(sel), "", dtype=object), dtype="str")
    due = np.full(len(sel), NAT)
    for missing, text, deadline in problems:
        hit = missing[b]
        message = message + pd.Series(np.where(hit, text + ";", ""), dtype="str")
        due = np.where(hit & (np.isnat(due) | (deadline < due)), deadline, due)
    message = message + ("借款人应至少按半年、年度报送财务报表,年度报表原则上应经会计师事务所审计")
    return Hits(sel, message, due, days_between(due, ctx.as_of))


GUAR_RATING = Rule(
    id="GUAR-RATING",
    title_zh="保证人信用评级未在新年度更新",
    title_en="Guarantor's rating not renewed in the new fiscal year",
    severity=Severity.LOW,
    citation=cite.SEED_001_RATING,
    params=("rating.grace_working_days",),
    needs=("balance", "guarantees.guarantor_rating_date"),
    evaluate=_guar_rating,
)

FIN_STATEMENTS = Rule(
    id="FIN-STATEMENTS",
    title_zh="借款人财务报表缺失或未经审计",
    title_en="Borrower's half-year or annual statement missing or not audited",
    severity=Severity.MEDIUM,
    citation=cite.SEED_001_BORROWER_INFO,
    params=("financials.half_year_months", "financials.annual_months",
            "financials.annual_audit_required"),
    needs=("balance", "customer_type", "financials"),
    uses=("disbursement_date",),
    evaluate=_fin_statements,
)
