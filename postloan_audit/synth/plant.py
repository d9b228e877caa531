"""Planted breaches (预置违规) and clean controls, with the answer key.

:func:`plant_breaches` makes a modest share of loans breach exactly one rule each of the
compliance catalogue, :data:`PLANTED_RULES` (the catalogue's ids,
``postloan_audit.compliance.policy.RULE_IDS``), and returns ``(rule_id, loan indices)``:
the answer key :func:`~postloan_audit.synth.frames.to_frames` turns into
``SyntheticNetwork.planted``. Every other loan stays as :mod:`~postloan_audit.synth.derive` left
it, inside every threshold, so a correct rule engine finds exactly the planted breaches. The
thresholds are read from the policy passed in (``Policy.default()``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from postloan_audit.compliance.policy import RULE_IDS, Policy
from postloan_audit.synth.derive import (
    append_rows,
    cover_periods,
    inspection_intervals,
    refresh_last,
)
from postloan_audit.synth.draws import (
    CLEAN_MARGIN,
    MONTH_MIN_DAYS,
    NAT_DAY,
    add_months_in_days,
    rand_int,
)
from postloan_audit.synth.vocabulary import NORMAL, PHONE, SM, SUB, VISIT

#: Rule ids in catalogue order, each planted by the generator: the policy's own tuple
#: (``compliance.policy.RULE_IDS``, a public contract), not a copy.
PLANTED_RULES: tuple[str, ...] = RULE_IDS


def plant_breaches(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
                   rate: float, minimum: int, policy: Policy) -> list[tuple[str, np.ndarray]]:
    """Make a few loans breach exactly one rule each; return ``(rule_id, loan indices)``.

    Each modification is chosen so that it cannot push the loan over another rule's
    threshold of ``policy`` (e.g. lowering ``overdue_days`` never raises a classification
    floor).
    """
    n = len(s["class"])
    D = as_of
    taken = np.zeros(n, bool)
    planted: list[tuple[str, np.ndarray]] = []
    active = s["balance"] > 0
    corp, inst = s["corporate"], s["installment"]
    want = max(minimum, int(round(rate * n)))

    def take(rule: str, pool: np.ndarray, count: int = want) -> np.ndarray:
        idx = np.flatnonzero(pool & ~taken)
        idx = np.sort(rng.permutation(idx)[:count])
        taken[idx] = True
        return idx

    # CLS-BORROWER: a corporate borrower's largest loan turns NPL, the others stay non-NPL.
    bor = s["borrower"]
    nloans = np.bincount(bor, minlength=bor.max() + 1)
    nactive = np.bincount(bor, weights=active, minlength=bor.max() + 1)
    worst = np.zeros(bor.max() + 1, np.int64)
    np.maximum.at(worst, bor, s["class"])
    total = np.bincount(bor, weights=s["balance"], minlength=bor.max() + 1)
    top = np.full(bor.max() + 1, -1.0)
    np.maximum.at(top, bor, s["balance"])
    is_max = (s["balance"] == top[bor]) & (top[bor] > 0.2 * total[bor])
    # Only borrowers whose loans are all active: a repaid loan's status is left undecided.
    cand = corp & active & (nloans[bor] >= 2) & (nactive[bor] == nloans[bor]) & (
        worst[bor] <= SM) & is_max
    chosen = take("CLS-BORROWER", cand, max(1, want // 2))
    chosen = chosen[np.unique(bor[chosen], return_index=True)[1]]
    s["class"][chosen] = SUB
    flagged = np.flatnonzero(np.isin(bor, bor[chosen]) & (s["class"] <= SM))
    taken[np.isin(bor, bor[chosen])] = True
    # The new NPL loan gets its monthly collection and inspection (COLL-NPL, INSP-FREQ).
    append_rows(s, "insp", chosen, D - rng.integers(0, 21, len(chosen)),
                onsite=np.ones(len(chosen), bool))
    append_rows(s, "coll", chosen, D - rng.integers(0, 21, len(chosen)),
                method=np.full(len(chosen), PHONE))
    _inspect_collateral(rng, s, chosen, D)  # COLLAT-INSP: an NPL loan is no longer exempt
    planted.append(("CLS-BORROWER", flagged))

    # COLL-TIER: an individual 61+ days overdue whose visits/lawsuits are missing.
    pool = active & ~corp & (s["overdue"] > policy.collection.any_collection_max_days)
    idx = take("COLL-TIER", pool)
    rows = np.isin(s["coll_loan"], idx) & (s["coll_method"] >= VISIT)
    s["coll_method"][rows] = PHONE
    s["litigation"][idx] = False
    planted.append(("COLL-TIER", idx))

    # MAT-COLLECT: matured 40+ days ago, no collection notice within 10 working days.
    days_past = (D - s["maturity"]).astype(np.int64)
    idx = take("MAT-COLLECT", active & (days_past >= 40))
    late = s["maturity"][idx] + rand_int(rng, 30, days_past[idx] - 3)
    s["collection_notice"][idx] = np.where(rng.random(len(idx)) < 0.5, NAT_DAY, late)
    planted.append(("MAT-COLLECT", idx))

    # DATA-OVERDUE: a matured bullet loan whose overdue days were never updated.
    idx = take("DATA-OVERDUE", active & ~inst & (days_past > 0))
    s["overdue"][idx] = 0
    planted.append(("DATA-OVERDUE", idx))

    # CLS-OVERDUE: special mention loans overdue 8–90 days reported normal; corporate
    # normal loans with 20–55 days of arrears left normal.
    floor_sm = policy.classification.special_mention_overdue_days
    floor_sub = policy.classification.substandard_overdue_days
    a = take("CLS-OVERDUE", active & (s["class"] == SM) & (s["overdue"] > floor_sm)
             & (s["overdue"] <= floor_sub) & ~s["restructured"],
             max(1, want // 2))
    s["class"][a] = NORMAL
    b = take("CLS-OVERDUE", active & corp & (s["class"] == NORMAL) & (s["overdue"] == 0)
             & (s["maturity"] > D + 60), want - len(a))
    s["overdue"][b] = rng.integers(20, 56, len(b))
    _inspect_collateral(rng, s, b, D)  # COLLAT-INSP: an overdue loan is no longer exempt
    planted.append(("CLS-OVERDUE", np.sort(np.concatenate([a, b]))))

    # COLL-NPL: NPL loans (corporate, or individual without arrears) not collected for 45+ days.
    idx = take("COLL-NPL", active & (s["class"] >= SUB) & (corp | (s["overdue"] == 0)))
    cutoff = np.full(n, np.iinfo(np.int64).max)
    npl_months = policy.collection.npl_collection_months
    cutoff[idx] = (add_months_in_days(np.full(len(idx), D), -npl_months)
                   - rng.integers(15, 61, len(idx))).astype(np.int64)
    keep = s["coll_date"].astype(np.int64) <= cutoff[s["coll_loan"]]
    for key in ("coll_loan", "coll_date", "coll_method"):
        s[key] = s[key][keep]
    planted.append(("COLL-NPL", idx))

    # EXIT-VISIT: exit-list loan last visited (on site) 45+ days ago, still within its
    # inspection interval of 3 or 6 months, so INSP-FREQ stays clean.
    interval = inspection_intervals(s, policy)
    idx = take("EXIT-VISIT", active & s["exit_list"] & (interval >= 3)
               & (s["disbursement"] <= D - 180))
    last = D - rand_int(rng, 45, interval[idx] * MONTH_MIN_DAYS - 2 * CLEAN_MARGIN)
    cut = np.full(n, np.datetime64("2999-12-31", "D"))
    cut[idx] = last - 1
    keep = s["insp_date"] <= cut[s["insp_loan"]]
    for key in ("insp_loan", "insp_date", "insp_onsite"):
        s[key] = s[key][keep]
    append_rows(s, "insp", idx, last, onsite=np.ones(len(idx), bool))
    planted.append(("EXIT-VISIT", idx))

    # MAT-NOTICE: corporate loan due within a month (or matured) without a timely notice.
    due = add_months_in_days(s["maturity"], -policy.maturity.notice_months_before)
    idx = take("MAT-NOTICE", active & corp & (due < D - 2))
    late = due[idx] + rng.integers(1, 11, len(idx))
    s["maturity_notice"][idx] = np.where((rng.random(len(idx)) < 0.5) & (late <= D), late, NAT_DAY)
    planted.append(("MAT-NOTICE", idx))

    # CLS-RESTRUCT: a restructured loan still classified normal.
    idx = take("CLS-RESTRUCT", active & (s["class"] == NORMAL) & ~s["restructured"])
    s["restructured"][idx] = True
    # restructured 30–300 days ago: inside the 12-month observation period (风险分类办法 第三章)
    s["restructure_date"][idx] = np.maximum(D - rng.integers(30, 301, len(idx)),
                                            s["disbursement"][idx])
    planted.append(("CLS-RESTRUCT", idx))

    # EXT-LIMIT: corporate loan extended by more than the original term allows.
    total_m = s["term"] + s["extension"]
    idx = take("EXT-LIMIT", active & corp & (s["extension"] == 0) & (total_m >= 12))
    s["extension"][idx] = total_m[idx] // 2 + 1
    s["term"][idx] = total_m[idx] - s["extension"][idx]
    planted.append(("EXT-LIMIT", idx))

    # EXT-INDIVIDUAL / REFI-INDIVIDUAL: personal loans are not extended nor refinanced.
    idx = take("EXT-INDIVIDUAL", active & ~corp & (s["term"] >= 9) & (s["extension"] == 0))
    s["extension"][idx] = 3
    s["term"][idx] -= 3
    planted.append(("EXT-INDIVIDUAL", idx))
    idx = take("REFI-INDIVIDUAL", active & ~corp & ~s["refinanced"])
    s["refinanced"][idx] = True
    planted.append(("REFI-INDIVIDUAL", idx))

    # INSP-FIRST: corporate loan first inspected 45–75 days after disbursement.
    disb = s["disbursement"]
    idx = take("INSP-FIRST", active & corp & (disb <= D - 150)
               & (s["last_inspection"] >= disb + 90))
    window = np.full(n, np.datetime64("1900-01-01", "D"))
    first_months = policy.inspection.first_inspection_months
    window[idx] = add_months_in_days(disb[idx], first_months) + CLEAN_MARGIN
    drop = s["insp_date"] <= window[s["insp_loan"]]
    for key in ("insp_loan", "insp_date", "insp_onsite"):
        s[key] = s[key][~drop]
    append_rows(s, "insp", idx, disb[idx] + rng.integers(45, 76, len(idx)),
                onsite=np.ones(len(idx), bool))
    planted.append(("INSP-FIRST", idx))

    # INSP-FREQ: inspections stopped one interval plus 20–80 days ago (not exempt loans).
    interval = inspection_intervals(s, policy)
    idx = take("INSP-FREQ", active & ~(~corp & inst) & ~s["litigation"] & ~s["exit_list"]
               & (disb <= D - 420))
    cut = np.full(n, np.datetime64("2999-12-31", "D"))
    cut[idx] = (add_months_in_days(np.full(len(idx), D), -interval[idx])
                - rng.integers(20, 81, len(idx)))
    keep = s["insp_date"] <= cut[s["insp_loan"]]
    for key in ("insp_loan", "insp_date", "insp_onsite"):
        s[key] = s[key][keep]
    planted.append(("INSP-FREQ", idx))

    # Collateral: inspection and revaluation overdue, value dropped without more security.
    has_coll = ~np.isnan(s["collateral_initial"])
    min_term = policy.collateral.inspection_min_term_months
    idx = take("COLLAT-INSP", active & has_coll & (s["term"] > min_term) & (disb <= D - 420))
    old = np.maximum(disb[idx] + 5, D - rng.integers(400, 521, len(idx)))
    s["collateral_inspection"][idx] = np.where(rng.random(len(idx)) < 0.5, NAT_DAY, old)
    planted.append(("COLLAT-INSP", idx))
    idx = take("COLLAT-REVAL", active & has_coll)
    s["appraisal"][idx] = np.where(rng.random(len(idx)) < 0.3, NAT_DAY,
                                   D - rng.integers(400, 701, len(idx)))
    planted.append(("COLLAT-REVAL", idx))
    idx = take("COLLAT-DROP", active & has_coll & ~s["additional_guarantee"])
    s["collateral_value"][idx] = np.round(
        s["collateral_initial"][idx] * rng.uniform(0.55, 0.8, len(idx)), -2)
    planted.append(("COLLAT-DROP", idx))

    # RATING-STALE / FUND-USE.
    idx = take("RATING-STALE", active & corp)
    s["rating_date"][idx] = np.where(rng.random(len(idx)) < 0.3, NAT_DAY,
                                     D - rng.integers(400, 701, len(idx)))
    planted.append(("RATING-STALE", idx))
    idx = take("FUND-USE", active & s["self_pay"] & (disb <= D - 60))
    s["fund_use_check"][idx] = NAT_DAY
    planted.append(("FUND-USE", idx))

    # Loans whose class or inspections changed above still hold an inspection in every period.
    cover_periods(rng, s, D, policy, skip=dict(planted)["INSP-FREQ"])
    refresh_last(s)
    return planted


def _inspect_collateral(rng: np.random.Generator, s: dict[str, Any], idx: np.ndarray,
                        as_of: np.datetime64) -> None:
    """Give collateral loans in ``idx`` a recent on-site collateral check where they lack one."""
    has_coll = ~np.isnan(s["collateral_initial"][idx]) & (s["disbursement"][idx] <= as_of)
    missing = np.isnat(s["collateral_inspection"][idx])
    when = np.maximum(as_of - rng.integers(0, 301, len(idx)), s["disbursement"][idx])
    s["collateral_inspection"][idx] = np.where(has_coll & missing, when,
                                               s["collateral_inspection"][idx])

