"""sorted_unique is np.unique of an integer array, only faster."""

from __future__ import annotations

import numpy as np
import pytest

from postloan_audit.core.uniques import sorted_unique


@pytest.mark.parametrize("values", [
    np.array([], dtype=np.int64),
    np.array([7], dtype=np.int64),
    np.array([5, 5, 5], dtype=np.int64),
    np.array([3, -1, 2, -1, 3, 0], dtype=np.int64),
    np.random.default_rng(1).integers(0, 10**12, 100_000),
    np.random.default_rng(2).integers(-50, 50, 10_000).astype(np.int32),
], ids=["empty", "one", "all-equal", "negative", "wide", "int32"])
def test_sorted_unique_is_numpy_s_unique(values):
    got, want = sorted_unique(values), np.unique(values)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
