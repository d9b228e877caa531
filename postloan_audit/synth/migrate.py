"""Quarter to quarter (季度迁徙): the state a later snapshot starts from.

:func:`carry_forward` takes the previous snapshot as published (planted breaches included),
so that the migration between two extracts is the one :data:`MIGRATION` draws; contract terms,
officers and callbacks planted as breaches are corrected first. :func:`migrate` then repays, amortises, ages
arrears and moves classes along :data:`MIGRATION`, and applies the policy's overdue-day floors
and non-retail borrower contagion (《商业银行金融资产风险分类办法》(2023)) to the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from postloan_audit.compliance.policy import Policy
from postloan_audit.synth.draws import rand_int
from postloan_audit.synth.frames import SyntheticNetwork
from postloan_audit.synth.vocabulary import NORMAL, OVERDUE_RANGES, OVERDUE_SHARE, SM, SUB

#: Loan facts a planted breach rewrites and no later stage draws again: contract terms
#: (EXT-LIMIT, EXT-INDIVIDUAL, REFI-INDIVIDUAL), officers (OFFICER-ONE) and callbacks
#: (CALLBACK-FIRST). The next quarter starts from the record as it was before the breach (the
#: branch corrects the ledger), so no unplanted breach carries over.
_CORRECTED_NEXT_QUARTER: tuple[str, ...] = ("extension", "term", "refinanced", "loan_officer",
                                            "callback")


def carry_forward(previous: SyntheticNetwork) -> dict[str, Any]:
    """The state the next snapshot starts from: the previous snapshot *as published* (its
    classes, arrears and balances after the planted breaches), so the migration between the
    two extracts is the one the transition matrix draws; contract terms, officers and
    callbacks planted as breaches are corrected (:data:`_CORRECTED_NEXT_QUARTER`)."""
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v)
             for k, v in previous.final_state.items()}
    for key in _CORRECTED_NEXT_QUARTER:
        state[key] = previous.state[key].copy()
    return state


#: Quarterly transition probabilities (rows: from class; columns: to class).
MIGRATION = np.array([
    [0.9855, 0.0140, 0.0005, 0.000, 0.000],
    [0.300, 0.665, 0.030, 0.005, 0.000],
    [0.000, 0.050, 0.820, 0.120, 0.010],
    [0.000, 0.000, 0.000, 0.800, 0.200],
    [0.000, 0.000, 0.000, 0.000, 1.000],
])


def migrate(rng: np.random.Generator, prev: dict[str, Any], d1: np.datetime64,
            d2: np.datetime64, policy: Policy) -> dict[str, Any]:
    """The state at ``d2`` of a network whose state at ``d1`` is ``prev`` (a copy)."""
    s = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in prev.items()}
    # the planting stage keeps every published move a transition the matrix allows
    s["published_class"] = prev["class"].copy()
    n = len(s["class"])
    mat, inst = s["maturity"], s["installment"]
    active = s["balance"] > 0
    cls = s["class"]
    od = s["overdue"]
    matured_now = active & (mat > d1) & (mat <= d2)
    # Bullet loans are mostly repaid at maturity; the weaker the class, the less often.
    repay_at_maturity = np.array([0.98, 0.80, 0.50, 0.40, 0.30])[cls]
    repaid = matured_now & (inst | (rng.random(n) < repay_at_maturity))
    # Arrears are partly collected, and some NPL is disposed of (清收/核销) each quarter.
    repaid |= active & ~inst & (mat <= d1) & (cls <= SM) & (rng.random(n) < 0.7)
    repaid |= active & (cls >= SUB) & (rng.random(n) < 0.25)
    # Class transitions (cumulative-probability draw per loan).
    cum = np.cumsum(MIGRATION, axis=1)[cls]
    new = (rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 4)
    new = np.where(active & ~repaid, new, cls)
    # Arrears after the quarter.
    gap = int((d2 - d1).astype(np.int64))
    lo = np.array([r[0] for r in OVERDUE_RANGES])[new]
    hi = np.array([r[1] for r in OVERDUE_RANGES])[new]
    drawn = np.where(rng.random(n) < OVERDUE_SHARE[new], rand_int(rng, lo, hi), 0)
    carried = np.where((new == cls) & (od > 0) & (rng.random(n) < 0.25), od + gap, drawn)
    head = np.maximum((d2 - s["disbursement"]).astype(np.int64) - 30, 0)
    od_new = np.where(inst, np.minimum(np.where(new == NORMAL, 0, carried), head), 0)
    od_new = np.where(~inst & (mat < d2), (d2 - mat).astype(np.int64), od_new)
    od_new = np.where(active & ~repaid, od_new, 0)
    # Installment arrears must leave the maturity ahead; they are capped by elapsed time.
    floors = np.zeros(n, np.int64)
    c = policy.classification
    for days in (c.special_mention_overdue_days, c.substandard_overdue_days,
                 c.doubtful_overdue_days, c.loss_overdue_days):
        floors += od_new > days
    new = np.maximum(new, floors)
    new = np.where(s["restructured"] & (new == NORMAL), SM, new)
    # Non-retail borrower contagion: one NPL loan makes all the borrower's loans NPL.
    worst = np.zeros(s["borrower"].max() + 1, np.int64)
    np.maximum.at(worst, s["borrower"], np.where(s["corporate"], new, 0))
    new = np.where(s["corporate"] & (worst[s["borrower"]] >= SUB), np.maximum(new, SUB), new)
    # Balances: installment loans amortise linearly over the remaining months.
    remaining1 = np.maximum((mat - d1).astype(np.int64), 1)
    remaining2 = np.maximum((mat - d2).astype(np.int64), 0)
    factor = np.where(inst, remaining2 / remaining1, 1.0)
    bal = np.where(repaid, 0.0, np.round(s["balance"] * np.clip(factor, 0.05, 1.0), 2))
    s.update(**{"class": new.astype(np.int64), "overdue": od_new.astype(np.int64),
                "balance": bal})
    # Collateral values drift a little.
    s["collateral_value"] = np.round(s["collateral_value"] * rng.uniform(0.99, 1.01, n), -2)
    return s

