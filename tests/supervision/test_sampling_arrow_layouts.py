"""``draw_sample`` on frames whose columns are multi-chunk Arrow arrays (after ``pd.concat`` or
``read_parquet``): the same sample for the same seed as on contiguous frames."""

from __future__ import annotations

import pandas as pd
import pytest
from arrow_layouts import LAYOUTS, max_chunks

from postloan_audit import Extract, draw_sample
from postloan_audit.synth.generator import generate_network


@pytest.fixture(scope="module")
def network():
    return generate_network(loans=3_000, branches=3, seed=5, as_of="2026-09-30")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_draw_sample_on_chunked_columns_gives_the_same_sample(network, name):
    loans = LAYOUTS[name](network.loans)
    assert max_chunks(loans) > 1
    branch = sorted(network.loans["branch"].unique())[0]
    chunked = draw_sample(Extract(loans=loans), seed=7, branch=branch)
    contiguous = draw_sample(Extract(loans=network.loans), seed=7, branch=branch)
    assert len(contiguous.loans) > 0
    for part in ("loans", "borrowers", "strata", "excluded"):
        pd.testing.assert_frame_equal(getattr(chunked, part), getattr(contiguous, part))
