"""``run_checks`` on frames whose columns are multi-chunk Arrow arrays (after ``pd.concat`` or
``read_parquet``): the same findings as on contiguous frames, and exactly the planted breaches."""

from __future__ import annotations

import pandas as pd
import pytest
from arrow_layouts import LAYOUTS, max_chunks

from postloan_audit import Extract, run_checks
from postloan_audit.synth.generator import generate_network

AS_OF = "2026-09-30"


@pytest.fixture(scope="module")
def network():
    return generate_network(loans=3_000, branches=4, seed=11, as_of=AS_OF)


def _extract(net, layout) -> Extract:
    return Extract(loans=layout(net.loans), inspections=layout(net.inspections),
                   collections=layout(net.collections), branches=layout(net.branches),
                   collateral=layout(net.collateral), guarantees=layout(net.guarantees),
                   financials=layout(net.financials), external=layout(net.external),
                   lists=layout(net.lists), fingerprint="f", source_name="x.csv")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_run_checks_on_chunked_columns_finds_exactly_the_planted_breaches(network, name):
    layout = LAYOUTS[name]
    data = _extract(network, layout)
    assert max_chunks(data.loans) > 1 and max_chunks(data.inspections) > 1
    assert max_chunks(data.collections) > 1 and max_chunks(data.collateral) > 1
    assert max_chunks(data.guarantees) > 1 and max_chunks(data.financials) > 1
    chunked = run_checks(data, as_of=AS_OF)
    contiguous = run_checks(_extract(network, lambda f: f), as_of=AS_OF)
    pd.testing.assert_frame_equal(chunked.findings, contiguous.findings)
    found = set(zip(chunked.findings["rule_id"], chunked.findings["loan_id"], strict=True))
    planted = set(zip(network.planted["rule_id"].astype(str),
                      network.planted["loan_id"].astype(str), strict=True))
    assert found == planted
    assert chunked.rules_run == contiguous.rules_run and len(chunked.rules_run) == 31


def test_sheet_rows_map_to_loans_when_only_the_sheet_is_chunked(network):
    """Loans contiguous, the sheets chunked (and the other way round)."""
    plain = run_checks(_extract(network, lambda f: f), as_of=AS_OF).findings
    concat = LAYOUTS["concat"]
    sheets = ("inspections", "collections", "collateral", "guarantees", "financials", "external",
              "lists")
    mixed = Extract(loans=network.loans, branches=network.branches,
                    **{name: concat(getattr(network, name)) for name in sheets})
    pd.testing.assert_frame_equal(run_checks(mixed, as_of=AS_OF).findings, plain)
    mixed = Extract(loans=concat(network.loans), branches=network.branches,
                    **{name: getattr(network, name) for name in sheets})
    pd.testing.assert_frame_equal(run_checks(mixed, as_of=AS_OF).findings, plain)


def test_sheet_ids_absent_from_loans_or_missing_are_ignored_on_chunked_columns():
    """A sheet row for an unknown loan or with a blank id maps to no loan (code -1)."""
    from postloan_audit.compliance.policy import Policy
    from postloan_audit.compliance.rules.context import CheckContext
    loans = pd.concat([pd.DataFrame({"loan_id": pd.Series(["A", "B"], dtype="str")}),
                       pd.DataFrame({"loan_id": pd.Series(["C", "A"], dtype="str")})],
                      ignore_index=True)
    sheet = pd.concat([pd.DataFrame({"loan_id": pd.Series(["C", "Z"], dtype="str")}),
                       pd.DataFrame({"loan_id": pd.Series([None, "A", "B"], dtype="str")})],
                      ignore_index=True)
    # the collections' ids are Python strings, not Arrow: cast to the loans' type
    other = pd.DataFrame({"loan_id": pd.Series(["Y", "B", None, "C"], dtype=object)})
    ctx = CheckContext(loans, inspections=sheet, collections=other,
                       as_of=pd.Timestamp(AS_OF).date(), policy=Policy.default())
    assert ctx._loan_codes[0].tolist() == [0, 1, 2, 0] and ctx._loan_codes[1] == 3
    assert ctx._sheet_codes("inspections").tolist() == [2, -1, -1, 0, 1]
    assert ctx._sheet_codes("collections").tolist() == [-1, 1, -1, 2]
    # the same ids as Python strings take pandas' way, with the same codes
    plain = CheckContext(loans.astype(object), inspections=sheet.astype(object),
                         collections=other, as_of=pd.Timestamp(AS_OF).date(),
                         policy=Policy.default())
    assert plain._loan_codes[0].tolist() == [0, 1, 2, 0] and plain._loan_codes[1] == 3
    assert plain._sheet_codes("inspections").tolist() == [2, -1, -1, 0, 1]
    assert plain._sheet_codes("collections").tolist() == [-1, 1, -1, 2]
