"""Property tests of :func:`postloan_audit.draw_sample` over random small branches.

Each property is checked against an independent reference: the quotas of `001_…` 篇三
五、贷后组织督导 recomputed here with exact fractions, and the minimal sample size found by brute
force over every subset of borrowers.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from postloan_audit import SamplingPolicy, draw_sample

CLASSES = ["normal", "special_mention", "substandard", "doubtful", "loss"]
GUARANTEES = ["credit", "guarantee", "mortgage", "pledge"]
GROUP = {"normal": 0, "special_mention": 1, "substandard": 2, "doubtful": 2, "loss": 2}


@st.composite
def branches(draw) -> pd.DataFrame:
    """A branch of 1–12 borrowers with 1–3 loans each; balances from a small set (ties)."""
    n = draw(st.integers(1, 12))
    rows = []
    for b in range(n):
        for k in range(draw(st.integers(1, 3))):
            rows.append((f"L{b:02d}{k}", f"B{b:02d}", float(draw(st.sampled_from([0, 5, 10, 20,
                                                                                   40]))),
                         draw(st.sampled_from(CLASSES)), draw(st.sampled_from(GUARANTEES))))
    frame = pd.DataFrame(rows, columns=["loan_id", "borrower_id", "balance", "classification",
                                        "guarantee_type"])
    if not (frame["balance"] > 0).any():
        frame.loc[0, "balance"] = 7.0
    return pd.DataFrame({
        "loan_id": frame["loan_id"].astype("str"),
        "borrower_id": frame["borrower_id"].astype("str"),
        "borrower_name": ("客户" + frame["borrower_id"]).astype("str"),
        "branch": pd.Series(["城东支行"] * len(frame), dtype="str"),
        "balance": frame["balance"].astype("float64"),
        "classification": pd.Categorical(frame["classification"], categories=CLASSES,
                                         ordered=True),
        "guarantee_type": frame["guarantee_type"].astype("str"),
        "secured": (frame["guarantee_type"] != "credit").to_numpy(),
    })


policies = st.builds(
    SamplingPolicy, min_borrowers=st.integers(0, 12), min_normal=st.integers(0, 4),
    min_special_mention=st.integers(0, 5), min_npl=st.integers(0, 4),
    largest_pool=st.integers(0, 6), min_largest=st.integers(0, 4),
    min_secured=st.integers(0, 6), loans_per_borrower=st.integers(1, 3))


def reference_borrowers(loans: pd.DataFrame, pool: int) -> pd.DataFrame:
    """Borrower facts recomputed plainly: group, largest and secured flags."""
    live = loans.loc[loans["balance"] > 0]
    rows = []
    for bid, g in live.groupby("borrower_id"):
        rows.append({"borrower_id": bid, "group": max(GROUP[c] for c in g["classification"]),
                     "total": g["balance"].sum(), "secured": bool(g["secured"].any())})
    bor = pd.DataFrame(rows).sort_values(["total", "borrower_id"], ascending=[False, True])
    bor["largest"] = np.arange(1, len(bor) + 1) <= pool
    return bor.sort_values("borrower_id").reset_index(drop=True)


def reference_required(bor: pd.DataFrame, policy: SamplingPolicy) -> list[int]:
    """The quotas of `001_…` 篇三 五、贷后组织督导, with the NPL shortfall spread exactly."""
    n_cls = [int((bor["group"] == g).sum()) for g in range(3)]
    npl = min(policy.min_npl, n_cls[2])
    short = policy.min_npl - npl
    weights = n_cls[:2] if sum(n_cls[:2]) else [1, 1]
    shares = [Fraction(short * w, sum(weights)) for w in weights]
    add = [int(s) for s in shares]
    if sum(add) < short:  # one unit left at most with two classes; ties go to special mention
        rem = [s - a for s, a in zip(shares, add, strict=True)]
        add[0 if rem[0] > rem[1] else 1] += 1
    return [min(policy.min_normal + add[0], n_cls[0]),
            min(policy.min_special_mention + add[1], n_cls[1]), npl,
            min(policy.min_largest, int(bor["largest"].sum())),
            min(policy.min_secured, int(bor["secured"].sum())),
            min(policy.min_borrowers, len(bor))]


def indicators(bor: pd.DataFrame) -> np.ndarray:
    return np.column_stack([bor["group"] == 0, bor["group"] == 1, bor["group"] == 2,
                            bor["largest"], bor["secured"], np.ones(len(bor), bool)]).astype(int)


def brute_force_minimum(bor: pd.DataFrame, required: list[int]) -> int:
    """The fewest borrowers meeting every quota, over all 2**n subsets."""
    n = len(bor)
    masks = np.arange(1 << n)
    member = (masks[:, None] >> np.arange(n)) & 1
    counts = member @ indicators(bor)
    ok = (counts >= np.array(required)).all(axis=1)
    return int(member[ok].sum(axis=1).min())


@settings(max_examples=80, deadline=None)
@given(loans=branches(), policy=policies, seed=st.integers(0, 2**32))
def test_quotas_met_and_size_minimal(loans, policy, seed):
    sample = draw_sample(loans, seed=seed, policy=policy)
    bor = reference_borrowers(loans, policy.largest_pool)
    required = reference_required(bor, policy)
    assert sample.strata["required"].tolist() == required
    picked = bor["borrower_id"].isin(sample.borrowers["borrower_id"]).to_numpy()
    achieved = indicators(bor)[picked].sum(axis=0)
    assert (achieved >= np.array(required)).all()
    assert sample.strata["selected"].tolist() == achieved.tolist()
    assert sample.size == brute_force_minimum(bor, required)


@settings(max_examples=60, deadline=None)
@given(loans=branches(), policy=policies, seed=st.integers(0, 2**32),
       shuffle=st.randoms(use_true_random=False))
def test_shuffled_rows_give_the_identical_sample(loans, policy, seed, shuffle):
    order = list(range(len(loans)))
    shuffle.shuffle(order)
    a = draw_sample(loans, seed=seed, policy=policy)
    b = draw_sample(loans.iloc[order].reset_index(drop=True), seed=seed, policy=policy)
    pd.testing.assert_frame_equal(a.borrowers, b.borrowers)
    pd.testing.assert_frame_equal(a.loans, b.loans)
    pd.testing.assert_frame_equal(a.strata, b.strata)
    pd.testing.assert_frame_equal(a.excluded, b.excluded)


@settings(max_examples=60, deadline=None)
@given(loans=branches(), policy=policies, seed=st.integers(0, 2**32), more=st.integers(1, 8))
def test_raising_min_borrowers_keeps_the_smaller_sample(loans, policy, seed, more):
    from dataclasses import replace

    small = draw_sample(loans, seed=seed, policy=policy)
    large = draw_sample(loans, seed=seed,
                        policy=replace(policy, min_borrowers=policy.min_borrowers + more))
    assert set(small.borrowers["borrower_id"]) <= set(large.borrowers["borrower_id"])


@settings(max_examples=60, deadline=None)
@given(loans=branches(), policy=policies, seed=st.integers(0, 2**32))
def test_every_reason_is_true_of_its_borrower(loans, policy, seed):
    sample = draw_sample(loans, seed=seed, policy=policy)
    bor = reference_borrowers(loans, policy.largest_pool).set_index("borrower_id")
    required = dict(zip(sample.strata["quota"], sample.strata["required"], strict=True))
    groups = ["normal", "special_mention", "npl"]
    fills = 0
    for bid, reasons in zip(sample.borrowers["borrower_id"], sample.borrowers["reasons"],
                            strict=True):
        fact = bor.loc[bid]
        assert len(reasons) > 0
        assert set(reasons) <= {"normal", "special_mention", "npl", "largest", "secured", "fill"}
        expected_class = groups[fact["group"]]
        assert (expected_class in reasons) == (required[expected_class] > 0)
        assert not (set(groups) - {expected_class}) & set(reasons)
        assert ("largest" in reasons) == (bool(fact["largest"]) and required["largest"] > 0)
        assert ("secured" in reasons) == (bool(fact["secured"]) and required["secured"] > 0)
        fills += "fill" in reasons
    assert fills == sample.size - sample.quota_core_size
    # Loans belong to sampled borrowers, at most loans_per_borrower each, positive balance.
    per = sample.loans.groupby("borrower_id").size()
    assert set(per.index) == set(sample.borrowers["borrower_id"])
    assert (per <= policy.loans_per_borrower).all()
    assert (sample.loans["balance"] > 0).all()
