"""Planted breaches (预置违规) and clean controls, with the answer key.

:func:`plant_breaches` makes a modest share of loans breach exactly one rule each of the
compliance catalogue, :data:`PLANTED_RULES` (the catalogue's ids,
``postloan_audit.compliance.policy.RULE_IDS``), and returns ``(rule_id, loan indices)``:
the answer key :func:`~postloan_audit.synth.frames.to_frames` turns into
``SyntheticNetwork.planted``. Every other loan stays as :mod:`~postloan_audit.synth.derive` left
it, inside every threshold, or is a clean control set just inside one (a notice on the last
day allowed, a rating dated 1 January, a loan facing the same facts as a planted one that the
rule does not apply to), so a correct rule engine finds exactly the planted breaches. The
thresholds are read from the policy passed in (``Policy.default()``).

The first random stream plants the rules of the first release exactly as it always did (the
same loans, the same values); the second (:func:`~postloan_audit.synth.draws.second_stream`)
then revises what the catalogue has since changed (:func:`_revise`: MAT-COLLECT and COLL-NPL on
corporate loans, personal loans held to INSP-FREQ by their product, EXIT-VISIT on on-site
inspections, personal maturity notices, ratings per fiscal year, and no CLS-OVERDUE plant that
would publish a class move the migration matrix forbids) and plants the rules added since
(:func:`_plant_added`, :func:`_plant_late_reports`). The rules of the borrower's file are
planted by :mod:`~postloan_audit.synth.borrower_file`, from the third stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from postloan_audit.compliance.policy import RULE_IDS, Policy
from postloan_audit.synth.derive import (
    append_rows,
    assign_reports,
    cover_periods,
    inspection_intervals,
    interest_arrears,
    judged_intervals,
    rating_year_start,
    refresh_last,
    report_deadlines,
)
from postloan_audit.synth.draws import (
    CLEAN_MARGIN,
    MONTH_MIN_DAYS,
    NAT_DAY,
    add_months_in_days,
    add_working_days_in_days,
    rand_int,
)
from postloan_audit.synth.vocabulary import NORMAL, PHONE, SM, SUB, VISIT

#: Rule ids in catalogue order, each planted by the generator: the policy's own tuple
#: (``compliance.policy.RULE_IDS``, a public contract), not a copy.
PLANTED_RULES: tuple[str, ...] = RULE_IDS


def plant_breaches(rng: np.random.Generator, extra: np.random.Generator, s: dict[str, Any],
                   as_of: np.datetime64, rate: float, minimum: int, policy: Policy
                   ) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    """Make a few loans breach exactly one rule each; return ``(rule_id, loan indices)`` pairs
    and the loans taken (planted, or set on a threshold as clean controls), which the
    borrower's file (:mod:`~postloan_audit.synth.borrower_file`) plants around.

    Each modification is chosen so that it cannot push the loan over another rule's
    threshold of ``policy`` (e.g. lowering ``overdue_days`` never raises a classification
    floor). ``rng`` is the stage's first stream, ``extra`` its second (module docstring).
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

    plan = _Planting(extra, s, D, policy, want, taken)
    planted, stale = _revise(plan, dict(planted))
    planted += _plant_added(plan)
    # The period ending on D, and any period a revision above emptied, hold an inspection too.
    cover_periods(extra, s, D, policy, skip=stale, ending="by")
    refresh_last(s)
    assign_reports(extra, s, D, policy)
    planted.append(("INSP-REPORT", _plant_late_reports(plan)))
    return planted, taken


def _inspect_collateral(rng: np.random.Generator, s: dict[str, Any], idx: np.ndarray,
                        as_of: np.datetime64) -> None:
    """Give collateral loans in ``idx`` a recent on-site collateral check where they lack one."""
    has_coll = ~np.isnan(s["collateral_initial"][idx]) & (s["disbursement"][idx] <= as_of)
    missing = np.isnat(s["collateral_inspection"][idx])
    when = np.maximum(as_of - rng.integers(0, 301, len(idx)), s["disbursement"][idx])
    s["collateral_inspection"][idx] = np.where(has_coll & missing, when,
                                               s["collateral_inspection"][idx])


# --------------------------------------------------------------------------- second stream


@dataclass
class _Planting:
    """What the second stream's planting shares: its generator, the state, the check date,
    the policy, the loans wanted per rule and the loans already taken (planted or controls)."""

    rng: np.random.Generator
    s: dict[str, Any]
    as_of: np.datetime64
    policy: Policy
    want: int
    taken: np.ndarray

    @property
    def active(self) -> np.ndarray:
        return self.s["balance"] > 0

    @property
    def corporate(self) -> np.ndarray:
        return self.s["corporate"]

    def take(self, pool: np.ndarray, count: int, prefer: np.ndarray | None = None
             ) -> np.ndarray:
        """Up to ``count`` loans of ``pool`` not taken yet, at random (those in ``prefer``
        first), sorted; they are taken from now on."""
        idx = np.flatnonzero(pool & ~self.taken)
        rank = self.rng.random(len(idx))
        if prefer is not None:
            rank += ~prefer[idx]
        idx = np.sort(idx[np.argsort(rank, kind="stable")[:max(count, 0)]])
        self.taken[idx] = True
        return idx

    def stop_inspections(self, idx: np.ndarray, interval: np.ndarray) -> None:
        """Inspections of ``idx`` stopped one interval plus 20–80 days before D."""
        s, D = self.s, self.as_of
        cut = np.full(len(s["class"]), np.datetime64("2999-12-31", "D"))
        cut[idx] = (add_months_in_days(np.full(len(idx), D), -interval[idx])
                    - self.rng.integers(20, 81, len(idx)))
        keep = s["insp_date"] <= cut[s["insp_loan"]]
        for key in ("insp_loan", "insp_date", "insp_onsite"):
            s[key] = s[key][keep]


def _at_least_one(rng: np.random.Generator, count: int, share: float) -> np.ndarray:
    """A random ``share`` of ``count`` flags, the first always set (each kind planted once)."""
    flags = rng.random(count) < share
    flags[:1] = True
    return flags


def _revise(plan: _Planting, planted: dict[str, np.ndarray]
            ) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    """Bring the first stream's plants up to the catalogue's present semantics.

    Returns the planted pairs and the loans whose inspections stopped on purpose (planted
    INSP-FREQ breaches and stale controls), which later period coverage leaves alone.
    """
    s, D, p, rng = plan.s, plan.as_of, plan.policy, plan.rng
    active, corp = plan.active, plan.corporate
    inst, disb, mat = s["installment"], s["disbursement"], s["maturity"]

    # MAT-NOTICE: a personal bullet loan's notice is due the set days before maturity; one
    # dated a day later (on the maturity day by default) is late, one on the day is a control.
    before = p.maturity.individual_notice_days_before
    pool = active & ~corp & ~inst & (mat - before < D)
    idx = plan.take(pool, max(1, plan.want // 3))
    s["maturity_notice"][idx] = mat[idx] - before + 1
    ctrl = plan.take(pool, 1)
    s["maturity_notice"][ctrl] = mat[ctrl] - before
    # As many corporate plants get their notice back (3–15 days before it was due), so the rule
    # keeps its share of planted loans; they are free for other plants again.
    corporate = rng.permutation(planted["MAT-NOTICE"])
    back, corporate = corporate[:len(idx)], corporate[len(idx):]
    due = add_months_in_days(mat[back], -p.maturity.notice_months_before)
    s["maturity_notice"][back] = due - rng.integers(3, 16, len(back))
    plan.taken[back] = False
    planted["MAT-NOTICE"] = np.sort(np.concatenate([corporate, idx]))


    # MAT-COLLECT comes from the corporate manual: a personal loan matured without a timely
    # collection notice is a clean control now (COLL-TIER holds it, and its collections are
    # as derived); corporate loans take its place.
    scope = corp | p.maturity.collect_individual
    kept = planted["MAT-COLLECT"][scope[planted["MAT-COLLECT"]]]
    days_past = (D - mat).astype(np.int64)
    idx = plan.take(active & scope & (days_past >= 40), plan.want - len(kept))
    late = mat[idx] + rand_int(rng, 30, days_past[idx] - 3)
    s["collection_notice"][idx] = np.where(rng.random(len(idx)) < 0.5, NAT_DAY, late)
    planted["MAT-COLLECT"] = np.sort(np.concatenate([kept, idx]))
    # Their interest is paid up: only the principal is overdue, so INT-COLLECT, which reads the
    # same notice, has no interest day to judge.
    s["interest_since"][planted["MAT-COLLECT"]] = NAT_DAY

    # COLL-NPL likewise: personal NPL loans not collected monthly stay as clean controls (not
    # overdue, or at law: COLL-TIER is met); corporate NPL loans take their place.
    individual_too = p.collection.npl_individual
    kept = planted["COLL-NPL"][(corp | individual_too)[planted["COLL-NPL"]]]
    pool = active & (s["class"] >= SUB) & (corp | (individual_too & (s["overdue"] == 0)))
    idx = plan.take(pool, plan.want - len(kept))
    cutoff = np.full(len(corp), np.iinfo(np.int64).max)
    cutoff[idx] = (add_months_in_days(np.full(len(idx), D), -p.collection.npl_collection_months)
                   - rng.integers(15, 61, len(idx))).astype(np.int64)
    keep = s["coll_date"].astype(np.int64) <= cutoff[s["coll_loan"]]
    for key in ("coll_loan", "coll_date", "coll_method"):
        s[key] = s[key][keep]
    planted["COLL-NPL"] = np.sort(np.concatenate([kept, idx]))

    # INSP-FREQ: personal loans are held to the frequency only in products with new NPL per
    # branch. A stale personal loan of another product is a clean control; more controls like
    # it, and held loans in place of the controls.
    judged = judged_intervals(s, D, p)
    picked = planted["INSP-FREQ"]
    controls = picked[judged[picked] < 0]
    kept = picked[judged[picked] > 0]
    pool = (active & (judged > 0) & ~(~corp & inst) & ~s["litigation"] & ~s["exit_list"]
            & (disb <= D - 420))
    idx = plan.take(pool, plan.want - len(kept))
    plan.stop_inspections(idx, judged)
    free = plan.take(active & ~corp & ~inst & (judged < 0) & (disb <= D - 420),
                     max(1, plan.want // 3))
    plan.stop_inspections(free, inspection_intervals(s, p))
    planted["INSP-FREQ"] = np.sort(np.concatenate([kept, idx]))
    stale = np.concatenate([planted["INSP-FREQ"], controls, free])

    # EXIT-VISIT counts on-site visits only: half the planted loans (one at least) were since
    # checked off site, so their latest inspection is recent but not a visit. A control: the
    # last visit exactly the allowed months before D, off-site checks after it.
    idx = planted["EXIT-VISIT"]
    idx = idx[_at_least_one(rng, len(idx), 0.5)]
    append_rows(s, "insp", idx, D - rng.integers(0, 21, len(idx)),
                onsite=np.zeros(len(idx), bool))
    ctrl = plan.take(active & s["exit_list"] & (disb <= D - 180), 1)
    months = p.inspection.exit_visit_months
    visit = add_months_in_days(np.full(len(ctrl), D), -months)
    # the earliest day still on time: after a shorter month's end (03-31 − 1 month = 02-28,
    # and 02-28 + 1 month = 03-28 is late) it is the next day
    visit = np.where(add_months_in_days(visit, months) < D, visit + 1, visit)
    cut = np.full(len(corp), np.datetime64("2999-12-31", "D"))
    cut[ctrl] = visit - 1
    keep = s["insp_date"] <= cut[s["insp_loan"]]
    for key in ("insp_loan", "insp_date", "insp_onsite"):
        s[key] = s[key][keep]
    append_rows(s, "insp", np.concatenate([ctrl, ctrl]),
                np.concatenate([visit, D - rng.integers(0, 11, len(ctrl))]),
                onsite=np.repeat([True, False], len(ctrl)))

    # RATING-STALE per fiscal year: planted ratings end before 1 January of the year asked for
    # (half, one at least, on 31 December); a control is rated on that 1 January.
    start = rating_year_start(D, p)
    idx = planted["RATING-STALE"]
    dec31 = _at_least_one(rng, len(idx), 0.5)
    s["rating_date"][idx] = np.where(dec31, start - 1, np.minimum(s["rating_date"][idx],
                                                                  start - 1))
    ctrl = plan.take(active & corp, 1)
    s["rating_date"][ctrl] = start

    # CLS-OVERDUE reports special-mention loans normal; one published substandard last quarter
    # cannot be (the migration matrix has no such move): it stays special mention, a clean
    # control, and another loan takes its place.
    if "published_class" in s:
        sm_floor = p.classification.special_mention_overdue_days
        npl_floor = p.classification.substandard_overdue_days
        picked = planted["CLS-OVERDUE"]
        back = picked[s["published_class"][picked] >= SUB]
        s["class"][back] = SM
        od = s["overdue"]
        pool = (active & (s["class"] == SM) & (od > sm_floor) & (od <= npl_floor)
                & ~s["restructured"] & (s["published_class"] < SUB))
        idx = plan.take(pool, len(back))
        s["class"][idx] = NORMAL
        planted["CLS-OVERDUE"] = np.sort(np.concatenate([np.setdiff1d(picked, back), idx]))

    # Loans planted into arrears (CLS-OVERDUE) are behind on interest too, and were sent their
    # collection notice in time.
    idx = planted["CLS-OVERDUE"]
    due = np.where((s["overdue"][idx] > 0) & (mat[idx] >= D), D - s["overdue"][idx], NAT_DAY)
    held = s["interest_since"][idx]
    moved = idx[~((due == held) | (np.isnat(due) & np.isnat(held)))]
    interest_arrears(rng, s, D, p, loans=moved)
    return list(planted.items()), stale


def _plant_added(plan: _Planting) -> list[tuple[str, np.ndarray]]:
    """OFFICER-ONE, INT-COLLECT and CALLBACK-FIRST, with their clean controls."""
    s, D, p, rng = plan.s, plan.as_of, plan.policy, plan.rng
    active, corp = plan.active, plan.corporate
    out: list[tuple[str, np.ndarray]] = []

    # OFFICER-ONE: borrowers with two outstanding loans, half (one at least) given a second
    # officer on one loan, the others none at all. Every loan of them is flagged.
    bor = s["borrower"]
    k = int(bor.max()) + 1
    loans = np.bincount(bor, minlength=k)
    outstanding = np.bincount(bor, weights=active, minlength=k)
    busy = np.bincount(bor, weights=plan.taken, minlength=k)
    cand = np.flatnonzero((loans == 2) & (outstanding == 2) & (busy == 0))
    count = min(len(cand), max(2, round(plan.want / 2)))
    chosen = rng.permutation(cand)[:count]
    two, none = chosen[:(count + 1) // 2], chosen[(count + 1) // 2:]
    # a borrower's loans are consecutive: the second of each pair gets another officer
    second = np.flatnonzero(np.isin(bor, two))[1::2]
    roster = s["officer_roster"][s["branch_idx"][second]]
    other = roster != s["loan_officer"][second][:, None]
    width = roster.shape[1]
    turn = rng.integers(0, width, len(second))
    order = (np.arange(width) + turn[:, None]) % width
    column = order[np.arange(len(second)), np.argmax(np.take_along_axis(other, order, 1), 1)]
    s["loan_officer"][second] = roster[np.arange(len(second)), column]
    s["loan_officer"][np.isin(bor, none)] = ""
    flagged = np.flatnonzero(np.isin(bor, chosen))
    plan.taken[flagged] = True
    out.append(("OFFICER-ONE", flagged))

    # INT-COLLECT: corporate interest arrears whose notice came on the working day after the
    # last one allowed, or (half of those not matured) never; clean ones came by that last day.
    # A matured loan's late notice still lies in MAT-COLLECT's longer window. Where too few
    # loans are in arrears, special-mention loans fall 20–80 days behind on interest (inside
    # the class's overdue range, and over 6 working days whatever the holidays).
    allowed = p.maturity.interest_notice_working_days
    since = s["interest_since"]
    late = add_working_days_in_days(since, allowed + 1)
    behind = active & corp & ~np.isnat(since) & (late <= D)
    fresh = (active & corp & (s["class"] == SM) & (s["overdue"] == 0)
             & (s["maturity"] > D) & (s["disbursement"] <= D - 120))
    idx = plan.take(behind | fresh, plan.want, prefer=behind)
    new = idx[~behind[idx]]
    s["overdue"][new] = rng.integers(20, 81, len(new))
    since[new] = D - s["overdue"][new]
    late[idx] = add_working_days_in_days(since[idx], allowed + 1)
    never = (rng.random(len(idx)) < 0.5) & (s["maturity"][idx] >= D)
    s["collection_notice"][idx] = np.where(never, NAT_DAY, late[idx])
    out.append(("INT-COLLECT", idx))

    # CALLBACK-FIRST: personal loans past their callback period without a callback (a quarter
    # dated before the disbursement, which does not count), those just past it first.
    c = p.callback
    disb = s["disbursement"]
    limit = np.where(s["self_pay"], c.self_payment_days, c.days)
    pool = active & ~corp & (disb + limit < D)
    idx = plan.take(pool, plan.want, prefer=disb + limit >= D - 30)
    early = rng.random(len(idx)) < 0.25
    s["callback"][idx] = np.where(early, disb[idx] - rng.integers(1, 11, len(idx)), NAT_DAY)
    out.append(("CALLBACK-FIRST", idx))
    return out


def _plant_late_reports(plan: _Planting) -> np.ndarray:
    """INSP-REPORT: one report of a corporate loan finished on the working day after its
    deadline; every other report is on time (:func:`~postloan_audit.synth.derive.assign_reports`)."""
    s, D = plan.s, plan.as_of
    after = add_working_days_in_days(report_deadlines(s, plan.policy), 1)
    row_loan = s["insp_loan"]
    rows = (s["insp_period"] > 0) & ~np.isnat(s["insp_report"]) & (after <= D)
    has = np.zeros(len(s["class"]), bool)
    has[row_loan[rows]] = True
    idx = plan.take(has & plan.active & plan.corporate, plan.want)
    rows = np.flatnonzero(rows & np.isin(row_loan, idx))
    order = np.lexsort((plan.rng.random(len(rows)), row_loan[rows]))
    rows = rows[order]
    last = np.ones(len(rows), bool)  # each loan's last row in that order
    last[:-1] = row_loan[rows][1:] != row_loan[rows][:-1]
    rows = rows[last]
    s["insp_report"][rows] = after[rows]
    return idx
