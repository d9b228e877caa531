"""Guarantee circles and chains on hand-drawn graphs: a 2-cycle, a 3-cycle, a chain of four, a
tree that is no circle, and guarantors mapped to borrowers by customer number and id number."""

from __future__ import annotations

import pandas as pd
import pytest

from postloan_audit import AnalyticsError, Extract, guarantee_chains, guarantee_circles
from postloan_audit.analytics import guarantee_network


def _extract(edges: list[tuple[str, str]], borrowers: str, **guarantee_columns) -> Extract:
    loans = pd.DataFrame({"loan_id": [f"L{b}" for b in borrowers],
                          "borrower_id": list(borrowers),
                          "balance": [100.0 * (i + 1) for i in range(len(borrowers))]})
    guarantees = pd.DataFrame({"loan_id": [f"L{b}" for _, b in edges],
                               "guarantor_id": [a for a, _ in edges], **guarantee_columns})
    return Extract(loans=loans, guarantees=guarantees)


def _circles(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {c: sorted(g["party_id"]) for c, g in frame.groupby("circle_id")}


def test_a_two_cycle_and_a_three_cycle_are_circles():
    # A <-> B (balances 100, 200); C -> D -> E -> C (300, 400, 500)
    e = _extract([("A", "B"), ("B", "A"), ("C", "D"), ("D", "E"), ("E", "C")], "ABCDE")
    circles = guarantee_circles(e)
    assert _circles(circles) == {"C001": ["C", "D", "E"], "C002": ["A", "B"]}
    assert circles.set_index("party_id")["balance"].to_dict() == {
        "C": 300.0, "D": 400.0, "E": 500.0, "A": 100.0, "B": 200.0}
    assert list(circles.columns) == ["circle_id", "party_id", "borrower_ids", "balance", "name"]


def test_a_chain_and_a_tree_are_no_circles():
    # chain F -> G -> H -> I; tree J -> K, J -> M, K -> N
    e = _extract([("F", "G"), ("G", "H"), ("H", "I"), ("J", "K"), ("J", "M"), ("K", "N")],
                 "FGHIJKMN")
    assert guarantee_circles(e).empty


def test_a_chain_of_four_parties_is_listed_beyond_the_depth():
    e = _extract([("F", "G"), ("G", "H"), ("H", "I"), ("J", "K"), ("J", "M"), ("K", "N")],
                 "FGHIJKMN")
    chains = guarantee_chains(e)  # policy depth 2: three links are listed, two are not
    assert chains[["chain_id", "links", "path", "start", "end", "balance"]].to_dict(
        "records") == [{"chain_id": "L001", "links": 3, "path": "F → G → H → I", "start": "F",
                        "end": "I", "balance": 100.0 + 200.0 + 300.0 + 400.0}]
    assert guarantee_chains(e, depth=3).empty
    assert sorted(guarantee_chains(e, depth=1)["path"]) == ["F → G → H → I", "J → K → N"]


def test_a_chain_through_a_circle_shows_the_circle():
    e = _extract([("A", "B"), ("B", "A"), ("B", "C"), ("C", "D"), ("X", "A")], "ABCD")
    chains = guarantee_chains(e)
    assert chains["path"].tolist() == ["X → C001(担保圈) → C → D"]


def test_guarantors_map_to_borrowers_by_customer_number_and_by_id_number():
    loans = pd.DataFrame({"loan_id": ["LA", "LB"], "borrower_id": ["A", "B"],
                          "balance": [100.0, 200.0],
                          "id_number": ["11010519491231002X", "91350100M000100Y43"],
                          "customer_type": ["individual", "corporate"]})
    # B guarantees A by customer number; A guarantees B under another guarantor id, by its
    # 15-digit id number: a 2-cycle
    guarantees = pd.DataFrame({"loan_id": ["LA", "LB"], "guarantor_id": ["B", "G-9"],
                               "id_number": [None, "110105491231002"]})
    circles = guarantee_circles(Extract(loans=loans, guarantees=guarantees))
    assert _circles(circles) == {"C001": ["A", "B"]}


def test_settled_loans_make_no_link():
    e = _extract([("A", "B"), ("B", "A")], "AB")
    e.loans.loc[e.loans["borrower_id"] == "B", "balance"] = 0.0
    assert guarantee_circles(e).empty


def test_the_network_lists_parties_and_links():
    e = _extract([("A", "B"), ("B", "A"), ("Z", "A"), ("Z", "A")], "AB")
    net = guarantee_network(e)
    assert net.edges.to_dict("records") == [
        {"guarantor": "A", "borrower": "B", "loans": 1},
        {"guarantor": "B", "borrower": "A", "loans": 1},
        {"guarantor": "Z", "borrower": "A", "loans": 2}]
    assert net.circle_summary().to_dict("records") == [
        {"circle_id": "C001", "parties": 2, "borrower_ids": "A、B", "balance": 300.0}]


def test_without_a_guarantees_sheet_the_analysis_says_so():
    with pytest.raises(AnalyticsError, match="保证人表"):
        guarantee_circles(Extract(loans=pd.DataFrame({"loan_id": ["L1"], "borrower_id": ["A"],
                                                      "balance": [1.0]})))


def test_a_graph_of_more_than_46341_components_keeps_its_chains_exact():
    # 46,341² passes 2³¹: component pair codes once overflowed SciPy's int32 labels and made
    # cycles of an acyclic graph (the chain search then ran for as many rounds as nodes)
    n = 50_000
    borrowers = [f"B{i:05d}" for i in range(n)]
    loans = pd.DataFrame({"loan_id": [f"L{b}" for b in borrowers], "borrower_id": borrowers,
                          "balance": 1.0})
    edges = [("B00000", "B00001"), ("B00001", "B00002"), ("B00002", "B00003")]
    edges += [(f"G{i}", f"B{i:05d}") for i in range(10, n)]
    guarantees = pd.DataFrame({"loan_id": [f"L{b}" for _, b in edges],
                               "guarantor_id": [a for a, _ in edges]})
    network = guarantee_network(Extract(loans=loans, guarantees=guarantees))
    assert network.chains[["links", "path", "balance"]].to_dict("records") == [
        {"links": 3, "path": "B00000 → B00001 → B00002 → B00003", "balance": 4.0}]
    assert network.circles.empty


def test_the_circles_alone_leave_the_chains_out_and_are_the_same():
    e = _extract([("A", "B"), ("B", "A"), ("B", "C"), ("C", "D"), ("X", "A")], "ABCD")
    full = guarantee_network(e)
    circles_only = guarantee_network(e, chains=False)
    pd.testing.assert_frame_equal(circles_only.circles, full.circles)
    pd.testing.assert_frame_equal(circles_only.edges, full.edges)
    assert circles_only.chains.empty and len(full.chains) == 1
    assert list(circles_only.chains.columns) == list(full.chains.columns)
    assert circles_only.chains.dtypes.to_dict() == full.chains.dtypes.to_dict()
