"""Derived state (派生数据): the dates, flags and history rows that follow from the primary draw.

:func:`derive_state` adds litigation, inspections (贷后检查: the first within a month
of disbursement, the last recent enough, some between, one in every period of the review
window), collections (催收: since the arrears began, in the tier the arrears call for),
notices (到期通知, 催收通知, 履行担保责任通知书), collateral checks and revaluations (押品),
ratings, fund-use checks and restructuring dates. Every threshold is read from the policy
passed in (``Policy.default()``, see :mod:`postloan_audit.compliance.policy`) and every
value is kept inside it with the margins of :mod:`~postloan_audit.synth.draws`, so that no
loan breaches a rule before planting.
:func:`append_rows`, :func:`cover_periods` and :func:`refresh_last` serve the planting stage too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from postloan_audit.compliance.policy import Policy
from postloan_audit.synth.draws import (
    CLEAN_MARGIN,
    MONTH_MIN_DAYS,
    NAT_DAY,
    add_months_in_days,
    add_working_days_in_days,
    rand_int,
)
from postloan_audit.synth.vocabulary import (
    COLL_STRENGTH,
    DOUBT,
    LEGAL,
    LETTER,
    NORMAL,
    PHONE,
    PRODUCTS,
    SM,
    SMS,
    SUB,
    VISIT,
)


def inspection_intervals(s: dict[str, Any], policy: Policy) -> np.ndarray:
    """Inspection interval in months per loan, as the branch practises it.

    The INSP-FREQ intervals of ``policy`` for corporate loans, and ``individual_months`` for
    every personal loan: personal loans are inspected half-yearly whether or not their product
    is held to that frequency (:func:`judged_intervals` gives the intervals the rule judges).
    """
    p = policy.inspection
    cls = s["class"]
    corp_reg = np.select([cls == NORMAL, cls == SM], [p.corporate_regular_normal_months,
                                                      p.corporate_regular_special_mention_months],
                         p.corporate_regular_npl_months)
    corp_key = np.select([cls == NORMAL, cls == SM], [p.corporate_key_normal_months,
                                                      p.corporate_key_special_mention_months],
                         p.corporate_key_npl_months)
    return np.where(s["corporate"], np.where(s["key_mode"], corp_key, corp_reg),
                    p.individual_months)


def individual_held(s: dict[str, Any], as_of: np.datetime64, policy: Policy) -> np.ndarray:
    """Personal loans whose product the half-yearly frequency applies to (INSP-FREQ).

    ``003_…`` 第四十五条 as the rule reads it: per branch and product, the NPL balance over the
    balance of the personal loans disbursed in the ``individual_npl_lookback_months`` up to
    ``as_of`` must exceed ``individual_product_npl_ratio``; the bank's low-risk products and
    guarantee types have no fixed frequency.
    """
    p = policy.inspection
    indiv = ~s["corporate"]
    disb = s["disbursement"]
    start = add_months_in_days(np.array([as_of]), -p.individual_npl_lookback_months)[0]
    new = indiv & (disb > start) & (disb <= as_of)
    key = s["branch_idx"] * len(PRODUCTS) + s["product"]
    k = len(s["branch_names"]) * len(PRODUCTS)
    total = np.bincount(key[new], weights=s["balance"][new], minlength=k)
    bad = new & (s["class"] >= SUB)
    npl = np.bincount(key[bad], weights=s["balance"][bad], minlength=k)
    ratio = np.full(k, -1.0)
    np.divide(npl, total, out=ratio, where=total > 0)
    names = np.array([name for name, *_ in PRODUCTS])
    low_risk = (np.isin(names[s["product"]], p.low_risk_products)
                | np.isin(s["guarantee"], p.low_risk_guarantee_types))
    return indiv & (ratio[key] > p.individual_product_npl_ratio) & ~low_risk


def judged_intervals(s: dict[str, Any], as_of: np.datetime64, policy: Policy) -> np.ndarray:
    """The intervals INSP-FREQ judges: :func:`inspection_intervals`, and -1 (no fixed frequency)
    for personal loans whose product is not held to one (:func:`individual_held`)."""
    interval = inspection_intervals(s, policy)
    free = ~s["corporate"] & ~individual_held(s, as_of, policy)
    return np.where(free, -1, interval)


def rating_year_start(as_of: np.datetime64, policy: Policy) -> np.datetime64:
    """1 January of the fiscal year whose rating RATING-STALE asks for at ``as_of``.

    Ratings are renewed in each fiscal year (the calendar year, ``001_…`` 篇三 一、(五)); until
    ``rating.grace_working_days`` working days of ``as_of``'s year have passed, the previous
    year's rating still serves.
    """
    year = as_of.astype("datetime64[Y]")
    new_year = year.astype("datetime64[D]")
    deadline = add_working_days_in_days(np.array([new_year - 1]),
                                        policy.rating.grace_working_days)[0]
    return new_year if deadline < as_of else (year - 1).astype("datetime64[D]")


def interest_arrears(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
                     policy: Policy, loans: np.ndarray | None = None) -> None:
    """Interest arrears (欠息) and their collection notices (INT-COLLECT).

    A loan in arrears is behind on interest since ``as_of - overdue_days``: its
    ``interest_overdue_since`` (for a matured bullet loan, its maturity). A corporate loan not
    yet matured got its collection notice (催收通知) from that day to the
    ``interest_notice_working_days``-th working day after it (a third exactly on that day),
    blank while that day is after ``as_of``. A matured one keeps the notice sent a few days
    after maturity, inside the windows of both INT-COLLECT and MAT-COLLECT. Personal loans,
    which INT-COLLECT does not judge, get no notice here. ``loans`` limits the update to those
    loan indices.
    """
    D = as_of
    n = len(s["class"])
    if loans is None:
        loans = np.arange(n)
    od, mat = s["overdue"][loans], s["maturity"][loans]
    arrears = (s["balance"][loans] > 0) & (od > 0)
    since = np.where(arrears, D - od, NAT_DAY)
    allowed = policy.maturity.interest_notice_working_days
    days = np.where(rng.random(len(loans)) < 1 / 3, allowed,
                    rng.integers(0, allowed + 1, len(loans)))
    notice = add_working_days_in_days(since, days)
    notice = np.where(notice <= D, notice, NAT_DAY)
    if "interest_since" not in s:
        s["interest_since"] = np.full(n, NAT_DAY)
    s["interest_since"][loans] = since
    sent = s["corporate"][loans] & arrears & (mat >= D)
    s["collection_notice"][loans] = np.where(sent, notice, s["collection_notice"][loans])


def derive_state(rng: np.random.Generator, extra: np.random.Generator, s: dict[str, Any],
                 as_of: np.datetime64, inspections_per_loan: float, policy: Policy) -> None:
    """Every date, flag and history row that follows from the primary state, kept clean.

    ``rng`` is the stage's first stream, ``extra`` its second (see the module docstring).
    """
    n = len(s["class"])
    D = as_of
    cls, od = s["class"], s["overdue"]
    corp, inst = s["corporate"], s["installment"]
    disb, mat = s["disbursement"], s["maturity"]
    active = s["balance"] > 0
    npl = cls >= SUB
    visit_after = policy.collection.any_collection_max_days
    legal_after = policy.collection.visit_max_days
    # Individual loans over 90 days overdue or doubtful are pursued at law (003_… 第四十九条(六)).
    s["litigation"] = active & ((~corp & ((od > legal_after)
                                          | (cls == DOUBT)))
                                | (corp & (cls >= DOUBT) & (rng.random(n) < 0.5)))

    # --- inspections: first within [disb+3, disb+20]; the last recent enough; some between.
    first = disb + rng.integers(3, 21, n)
    # An exit-list client is visited on site from the start (EXIT-VISIT has no grace period).
    first = np.where(s["exit_list"], np.minimum(first, np.maximum(disb, D)), first)
    has = first <= D
    interval = inspection_intervals(s, policy)
    r_max = np.where(~corp & inst, 300, interval * MONTH_MIN_DAYS - CLEAN_MARGIN)
    r_max = np.where(s["exit_list"], policy.inspection.exit_visit_months * MONTH_MIN_DAYS
                     - CLEAN_MARGIN, r_max)
    last = np.maximum(first, D - rand_int(rng, 0, r_max))
    two = has & (last > first)
    span = (last - first).astype(np.int64)
    mids = np.where(has & (span > 30), rng.poisson(max(inspections_per_loan - 2.0, 0.0), n), 0)
    loan_first = np.flatnonzero(has)
    loan_last = np.flatnonzero(two)
    loan_mid = np.repeat(np.arange(n), mids)
    mid_dates = first[loan_mid] + (rng.random(len(loan_mid)) * span[loan_mid]).astype(np.int64)
    i_loan = np.concatenate([loan_first, loan_mid, loan_last])
    i_date = np.concatenate([first[loan_first], mid_dates, last[loan_last]])
    onsite_last = s["exit_list"][loan_last] | (rng.random(len(loan_last)) < 0.5)
    i_onsite = np.concatenate([np.ones(len(loan_first), bool),
                               rng.random(len(loan_mid)) < 0.4, onsite_last])
    s["insp_loan"], s["insp_date"], s["insp_onsite"] = i_loan, i_date, i_onsite
    for key in ("insp_period", "insp_report"):  # a previous snapshot's reports: drawn anew
        s.pop(key, None)

    # --- collections for loans in arrears or NPL: all since the arrears began.
    need = active & ((od > 0) | npl)
    lo = np.where(od > 0, D - od + 1, D - 25)
    span_c = np.maximum((D - lo).astype(np.int64), 0)
    tier = np.select([s["litigation"] | (~corp & (od > legal_after)),
                      (~corp & (od > visit_after)) | (corp & npl)], [LEGAL, VISIT], -1)
    a = np.flatnonzero(need)
    b = np.flatnonzero(need & (od > 3))
    c = np.flatnonzero(need & (tier >= 0))
    c_loan = np.concatenate([a, b, c])
    c_date = np.concatenate([
        D - rand_int(rng, 0, np.minimum(20, span_c[a])),
        lo[b] + rand_int(rng, 0, np.minimum(5, span_c[b])),
        lo[c] + rand_int(rng, 0, span_c[c]),
    ])
    # The latest collection carries the strongest method needed, so a loans-only extract
    # (last_collection_date/method, no collections sheet) tells the same story.
    routine = rng.choice([SMS, PHONE, LETTER], len(a), p=[0.3, 0.5, 0.2])
    c_method = np.concatenate([np.where(tier[a] >= 0, tier[a], routine),
                               np.full(len(b), SMS), tier[c]]).astype(np.int64)
    s["coll_loan"], s["coll_date"], s["coll_method"] = c_loan, c_date, c_method

    # --- loan-level dates.
    past = active & (mat < D)
    notice_gap = np.minimum(rng.integers(1, 4, n), np.maximum((D - mat).astype(np.int64), 0))
    s["collection_notice"] = np.where(past, mat + notice_gap, NAT_DAY)
    # 履行担保责任通知书 to the guarantor of a guaranteed loan, the same day (001_… 篇三 二、(二)).
    s["guarantor_notice"] = np.where(past & (s["guarantee"] == "guarantee"), mat + notice_gap,
                                     NAT_DAY)
    m_notice = add_months_in_days(mat, -policy.maturity.notice_months_before) - rng.integers(
        3, 16, n)
    # Corporate loans (bullet or instalment) and individual bullet loans get a maturity notice.
    s["maturity_notice"] = np.where((~inst | corp) & (m_notice <= D), m_notice, NAT_DAY)
    has_coll = ~np.isnan(s["collateral_initial"])
    appraisal = np.where(disb > D - 300, disb - rng.integers(5, 31, n),
                         D - rng.integers(10, 301, n))
    s["appraisal"] = np.where(has_coll, appraisal, NAT_DAY)
    original = s["term"]
    c_insp = np.maximum(D - rng.integers(0, 301, n), disb)
    short = original <= policy.collateral.inspection_min_term_months
    # Only a normal loan without arrears is exempt "正常情况下" (001_… 篇三 二、(四)).
    exempt = short & (cls == NORMAL) & (od == 0)
    s["collateral_inspection"] = np.where(has_coll & ~(exempt & (rng.random(n) < 0.5))
                                          & (disb <= D), c_insp, NAT_DAY)
    s["additional_guarantee"] = has_coll & (
        s["collateral_value"] < (1 - policy.collateral.value_drop_share)
        * s["collateral_initial"])
    rated = D - rng.integers(30, 301, n)
    # Renewed in the fiscal year asked for at D: a date before its 1 January is redrawn in it.
    start = rating_year_start(D, policy)
    span = int((D - start).astype(np.int64))
    rated = np.where(rated >= start, rated, start + extra.integers(0, span + 1, n))
    s["rating_date"] = np.where(corp, rated, NAT_DAY)
    fund = disb + rng.integers(10, 26, n)
    s["fund_use_check"] = np.where(s["self_pay"] & (fund <= D), fund, NAT_DAY)
    # Restructured (never normal) loans: restructured between disbursement and D.
    r_date = disb + (rng.random(n) * np.maximum((D - disb).astype(np.int64), 0)).astype(np.int64)
    s["restructure_date"] = np.where(s["restructured"], r_date, NAT_DAY)
    cover_periods(rng, s, D, policy)
    cover_periods(extra, s, D, policy, ending="on")
    interest_arrears(extra, s, D, policy)
    refresh_last(s)


def cover_periods(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
                  policy: Policy, skip: np.ndarray | None = None, *,
                  ending: str = "before") -> None:
    """Add an inspection to every period of the review window that holds none (INSP-FREQ).

    For each active loan (individual instalment loans aside, they are exempt) with inspection
    interval L months, every calendar period of L months that ended within the review window
    (``policy.inspection.review_months`` before ``as_of``) and that the loan has to cover
    (disbursed more than ``period_exempt_disbursed_months`` before the period's end) gets one
    inspection if it has none, dated after the first month from disbursement
    (so that INSP-FIRST stays as it is) and within the period. ``skip`` are loan indices left
    alone (planted INSP-FREQ breaches and stale controls).

    ``ending`` chooses the periods: ``"before"`` those that ended before ``as_of``, ``"on"`` the
    one that ends on ``as_of`` itself (judged too: an extract is as of the close of its day),
    ``"by"`` both. The generator covers the period ending on ``as_of`` in a call of its own,
    from the second stream, so that the rows of the earlier periods keep their dates.
    """
    p = policy.inspection
    D = as_of
    interval = inspection_intervals(s, policy)
    disb = s["disbursement"]
    need = (s["balance"] > 0) & ~(~s["corporate"] & s["installment"]) & (disb <= D)
    if skip is not None:
        need[skip] = False
    lo = add_months_in_days(np.array([D]), -p.review_months)[0]
    d_month = int(D.astype("datetime64[M]").astype(np.int64))
    lo_month = int(lo.astype("datetime64[M]").astype(np.int64))
    shift = np.int64(1 << 24)
    il, idate = s["insp_loan"], s["insp_date"]
    months = idate.astype("datetime64[M]").astype(np.int64)
    have = np.sort(il * shift + months // interval[il])
    earliest = add_months_in_days(disb, p.first_inspection_months) + CLEAN_MARGIN + 1
    for length in np.unique(interval[need]):
        length = int(length)
        periods = np.arange(lo_month // length, d_month // length + 1, dtype=np.int64)
        starts = (periods * length).astype("datetime64[M]").astype("datetime64[D]")
        ends = ((periods + 1) * length).astype("datetime64[M]").astype("datetime64[D]") - 1
        chosen = {"before": ends < D, "on": ends == D, "by": ends <= D}[ending]
        keep = (ends > lo) & chosen
        periods, starts, ends = periods[keep], starts[keep], ends[keep]
        idx = np.flatnonzero(need & (interval == length))
        if not len(periods) or not len(idx):
            continue
        k = len(periods)
        loan = np.repeat(idx, k)
        slot = np.tile(np.arange(k), len(idx))
        required = disb[loan] < add_months_in_days(ends, -p.period_exempt_disbursed_months)[slot]
        keys = loan * shift + periods[slot]
        at = np.minimum(np.searchsorted(have, keys), max(len(have) - 1, 0))
        found = (have[at] == keys) if len(have) else np.zeros(len(keys), bool)
        gap = required & ~found
        loan, slot = loan[gap], slot[gap]
        first_day = np.maximum(starts[slot], earliest[loan])
        span = (ends[slot] - first_day).astype(np.int64)
        dates = first_day + (rng.random(len(loan)) * (span + 1)).astype(np.int64)
        append_rows(s, "insp", loan, dates, onsite=rng.random(len(loan)) < 0.4)


def refresh_last(s: dict[str, Any], loans: np.ndarray | None = None) -> None:
    """Recompute first/last (and last on-site) inspection and last collection columns from the
    history rows."""
    n = len(s["class"])
    nat = np.datetime64("NaT", "D").astype(np.int64)
    last_i = np.full(n, nat, np.int64)
    first_i = np.full(n, np.iinfo(np.int64).max, np.int64)
    di = s["insp_date"].astype(np.int64)
    np.maximum.at(last_i, s["insp_loan"], di)
    last_onsite = np.full(n, nat, np.int64)
    onsite = s["insp_onsite"]
    np.maximum.at(last_onsite, s["insp_loan"][onsite], di[onsite])
    np.minimum.at(first_i, s["insp_loan"], di)
    first_i[first_i == np.iinfo(np.int64).max] = nat
    last_c = np.full(n, nat, np.int64)
    dc = s["coll_date"].astype(np.int64)
    np.maximum.at(last_c, s["coll_loan"], dc)
    # Method of the latest collection (the strongest when several share that date).
    method = np.full(n, -1, np.int64)
    order = np.lexsort((COLL_STRENGTH[s["coll_method"]] if len(dc) else dc, dc, s["coll_loan"]))
    method[s["coll_loan"][order]] = s["coll_method"][order]
    s["last_inspection"] = last_i.astype("datetime64[D]")
    s["first_inspection"] = first_i.astype("datetime64[D]")
    s["last_onsite"] = last_onsite.astype("datetime64[D]")
    s["last_collection"] = last_c.astype("datetime64[D]")
    s["last_collection_method"] = method



def append_rows(s: dict[str, Any], table: str, loans: np.ndarray, dates: np.ndarray, *,
                onsite: np.ndarray | None = None, method: np.ndarray | None = None) -> None:
    s[f"{table}_loan"] = np.concatenate([s[f"{table}_loan"], loans])
    s[f"{table}_date"] = np.concatenate([s[f"{table}_date"], dates.astype("datetime64[D]")])
    if table == "insp":
        s["insp_onsite"] = np.concatenate([s["insp_onsite"], onsite])
    else:
        s["coll_method"] = np.concatenate([s["coll_method"], method])


#: Inspections of the last this many calendar years (and the current one) carry a report.
REPORT_YEARS = 5


def report_deadline_days(policy: Policy) -> dict[int, int]:
    """Working days allowed after a report period, by its length in months (INSP-REPORT)."""
    p = policy.inspection
    return {1: p.report_month_working_days, 3: p.report_quarter_working_days,
            6: p.report_half_year_working_days, 12: p.report_year_working_days}


def report_deadlines(s: dict[str, Any], policy: Policy) -> np.ndarray:
    """The deadline of each inspection row's report (NaT for a row without a report period)."""
    shape = s["insp_period"]
    wide = np.maximum(shape, 1)
    month = s["insp_date"].astype("datetime64[M]").astype(np.int64)
    end = ((month // wide + 1) * wide).astype("datetime64[M]").astype("datetime64[D]") - 1
    allowed = report_deadline_days(policy)
    days = np.select([shape == k for k in allowed], list(allowed.values()), 0)
    return add_working_days_in_days(np.where(shape > 0, end, NAT_DAY), days)


def assign_reports(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
                   policy: Policy) -> None:
    """The inspection report (贷后检查报告) of each inspection row: its period and its date.

    A row reports on a period inside its loan's inspection period that holds it: a month, a
    quarter or a half-year (the longest of these dividing the interval), so that the report
    counts for the period INSP-FREQ finds the row in; a third of the rows in a period closing
    the year report on the year (年度报告), whose end lies in that same period; one row in ten
    has no report (a visit between reports), nor has any row dated before the last
    :data:`REPORT_YEARS` years. ``insp_period`` holds the report's length in months
    (0: none). The report is finished 0–20 days after the inspection (a year's report once the
    year has closed) and by its period's deadline (:func:`report_deadline_days`), one in seven
    on the deadline day itself; a report not finished by ``as_of`` has no date yet
    (``insp_report`` NaT).
    """
    loan, date = s["insp_loan"], s["insp_date"]
    rows = len(loan)
    interval = inspection_intervals(s, policy)[loan]
    shape = np.select([interval % 6 == 0, interval % 3 == 0], [6, 3], 1)
    month = date.astype("datetime64[M]").astype(np.int64)
    closes_year = (12 % interval == 0) & ((month // interval + 1) * interval % 12 == 0)
    shape = np.where(closes_year & (rng.random(rows) < 1 / 3), 12, shape)
    shape = np.where(rng.random(rows) < 0.1, 0, shape)
    # the credit system has kept reports for the last few years only
    since = (as_of.astype("datetime64[Y]") - REPORT_YEARS).astype("datetime64[D]")
    shape = np.where(date >= since, shape, 0)
    s["insp_period"] = shape.astype(np.int64)
    deadline = report_deadlines(s, policy)
    done = np.minimum(date + rng.integers(0, 21, rows), deadline)
    # a year's report is written once the year has closed
    year_closed = (date.astype("datetime64[Y]") + 1).astype("datetime64[D]")
    done = np.where(shape == 12, np.maximum(done, year_closed), done)
    done = np.where(rng.random(rows) < 1 / 7, deadline, done)
    s["insp_report"] = np.where(done <= as_of, done, NAT_DAY)
