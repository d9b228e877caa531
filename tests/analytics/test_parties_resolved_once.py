"""An extract's parties resolved once and passed to every analysis: the same results as each
analysis resolving them itself, and a resolution of other loans refused."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from postloan_audit import AnalyticsError, Extract, resolve_parties
from postloan_audit.analytics import (
    concentration,
    find_duplicates,
    guarantee_chains,
    guarantee_circles,
    guarantee_network,
    large_exposures,
)
from postloan_audit.synth.generator import generate_network

AS_OF = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def extract() -> Extract:
    """A generated book (its borrowers carry shared, invalid and missing id numbers), with
    guarantees among its borrowers (circles included) and collateral shared across them."""
    loans = generate_network(loans=3000, branches=4, seed=11, as_of=AS_OF).loans.copy()
    rng = np.random.default_rng(11)
    loan_ids = loans["loan_id"].to_numpy(dtype=object)
    borrowers = loans["borrower_id"].to_numpy(dtype=object)
    # three borrower ids of one party: two by one credit code, one id-less by its name
    c, d, e = pd.unique(borrowers)[10:13]
    loans.loc[loans["borrower_id"].isin([c, d]), "id_number"] = "91350100M000100Y43"
    loans.loc[loans["borrower_id"] == e, "id_number"] = None
    loans.loc[loans["borrower_id"].isin([c, e]), "borrower_name"] = "福州华兴实业有限公司"
    which = rng.integers(0, len(loans), 2000)
    guarantor = np.where(rng.random(2000) < 0.5, borrowers[rng.integers(0, len(loans), 2000)],
                         np.char.add("G", rng.integers(0, 300, 2000).astype(str)).astype(object))
    # two borrowers guaranteeing each other: a circle whatever the draw
    first = {b: i for i, b in reversed(list(enumerate(borrowers)))}
    a, b = list(first)[:2]
    guarantees = pd.DataFrame({
        "loan_id": pd.Series([*loan_ids[which], loan_ids[first[b]], loan_ids[first[a]]],
                             dtype="str"),
        "guarantor_id": pd.Series([*guarantor, a, b], dtype="str")})
    collateral = pd.DataFrame({
        "collateral_id": pd.Series(np.char.add("K", rng.integers(0, 800, 1000).astype(str)),
                                   dtype="str"),
        "loan_id": pd.Series(loan_ids[rng.integers(0, len(loans), 1000)], dtype="str"),
        "appraised_value": rng.uniform(1e4, 1e6, 1000)})
    return Extract(loans=loans, guarantees=guarantees, collateral=collateral, as_of=AS_OF)


def _frames(result) -> dict[str, object]:
    """A result's tables and values, its provenance (made now) left out."""
    if isinstance(result, pd.DataFrame):
        return {"frame": result}
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)
            if f.name != "provenance"}


def _assert_same(one, other) -> None:
    left, right = _frames(one), _frames(other)
    assert left.keys() == right.keys()
    for name, value in left.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, right[name], check_exact=True)
        else:
            assert value == right[name] or (value != value and right[name] != right[name])


def test_the_book_has_joined_parties_circles_and_shared_collateral(extract):
    parties = resolve_parties(extract)
    assert parties.groups()["members"].tolist() == [3]
    assert len(guarantee_circles(extract, parties=parties)) > 0
    assert len(find_duplicates(extract, parties=parties).collateral) > 0


@pytest.mark.parametrize("analysis", [
    lambda e, **kw: guarantee_network(e, **kw),
    lambda e, **kw: guarantee_network(e, depth=1, **kw),
    lambda e, **kw: guarantee_circles(e, **kw),
    lambda e, **kw: guarantee_chains(e, depth=1, **kw),
    lambda e, **kw: large_exposures(e, tier1_capital=2e8, capital=2.5e8, **kw),
    lambda e, **kw: large_exposures(e.loans, tier1_capital=2e8, capital=2.5e8, **kw),
    lambda e, **kw: concentration(e, by="party", **kw),
    lambda e, **kw: concentration(e, by="industry", **kw),
    lambda e, **kw: find_duplicates(e, **kw),
], ids=["network", "network-depth-1", "circles", "chains", "exposures", "exposures-of-a-frame",
        "concentration-by-party", "concentration-by-industry", "duplicates"])
def test_an_analysis_given_the_parties_finds_what_it_finds_resolving_them(extract, analysis):
    _assert_same(analysis(extract), analysis(extract, parties=resolve_parties(extract)))


def test_one_resolution_serves_every_analysis_and_a_second_use_too(extract):
    parties = resolve_parties(extract, look_alikes=True)
    first = large_exposures(extract, tier1_capital=2e8, capital=2.5e8, parties=parties)
    guarantee_network(extract, parties=parties)
    again = large_exposures(extract, tier1_capital=2e8, capital=2.5e8, parties=parties)
    _assert_same(first, again)


def test_a_resolution_of_other_loans_is_refused(extract):
    other = resolve_parties(extract.loans.copy())
    with pytest.raises(AnalyticsError, match="another loans frame"):
        large_exposures(extract, tier1_capital=2e8, capital=2.5e8, parties=other)
    with pytest.raises(AnalyticsError, match="another loans frame"):
        guarantee_network(extract, parties=other)


def test_something_else_than_a_resolution_is_refused(extract):
    with pytest.raises(AnalyticsError, match="PartyResolution"):
        concentration(extract, by="party", parties=resolve_parties(extract).parties)


def test_a_resolution_made_by_hand_is_resolved_again(extract):
    made = resolve_parties(extract)
    by_hand = type(made)(parties=made.parties, invalid_ids=made.invalid_ids,
                         look_alikes=None, provenance=made.provenance)
    _assert_same(concentration(extract, by="party"),
                 concentration(extract, by="party", parties=by_hand))
