"""Every portfolio measure on frames whose columns are multi-chunk Arrow arrays (after
``pd.concat`` or ``read_parquet``): the same figures as on contiguous frames."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from arrow_layouts import LAYOUTS, max_chunks

from postloan_audit import Extract
from postloan_audit import portfolio as pf
from postloan_audit.synth.generator import generate_snapshots

DATES = ["2026-06-30", "2026-09-30"]


@pytest.fixture(scope="module")
def snapshots():
    return generate_snapshots(loans=3_000, branches=3, seed=3, as_of=DATES)


def _same(a, b) -> None:
    """Equal results: frames compared exactly, result objects field by field."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name))
    else:
        assert a == b or (a != a and b != b), (a, b)


def _measures(before: pd.DataFrame, after: pd.DataFrame, branches: pd.DataFrame,
              inspections: pd.DataFrame) -> dict:
    data = Extract(loans=after, inspections=inspections, branches=branches)
    return {
        "portfolio_kpis": pf.portfolio_kpis(after),
        "balance_by_class": pf.balance_by_class(after),
        "overdue_buckets": pf.overdue_buckets(after),
        "overdue_buckets_by_branch": pf.overdue_buckets(after, by_branch=True),
        "top_borrower_concentration": pf.top_borrower_concentration(after),
        "inspection_timeliness": pf.inspection_timeliness(data, as_of=DATES[1]),
        "review_coverage": pf.review_coverage(branches, as_of=DATES[1], loans=after),
        "migration_matrix": pf.migration_matrix(before, after),
        "migration_matrix_count": pf.migration_matrix(before, after, by="count"),
        "special_mention_migration_rate": pf.special_mention_migration_rate(before, after),
        "mask_name": pf.mask_name(after["borrower_name"], after["customer_type"]),
        "mask_id_number": pf.mask_id_number(after["borrower_id"]),
        "mask_personal_data": pf.mask_personal_data(after),
    }


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_portfolio_measure_on_chunked_columns_matches_contiguous(snapshots, name):
    layout = LAYOUTS[name]
    before, after = snapshots
    chunked_after = layout(after.loans)
    assert max_chunks(chunked_after) > 1
    chunked = _measures(layout(before.loans), chunked_after, layout(after.branches),
                        layout(after.inspections))
    contiguous = _measures(before.loans, after.loans, after.branches, after.inspections)
    assert set(chunked) == set(contiguous)
    for key in contiguous:
        _same(chunked[key], contiguous[key])
