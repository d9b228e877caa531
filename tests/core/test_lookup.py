"""positions_in: the Arrow kernel finds exactly what pandas finds, whatever the text's layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postloan_audit.core.lookup import positions_in


def _pandas(values, universe) -> list[int]:
    out = pd.Index(universe).get_indexer(pd.Index(values)).astype(np.int64)
    out[pd.isna(np.asarray(values, dtype=object))] = -1
    return out.tolist()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("layout", ["arrow", "chunked", "object", "mixed"])
def test_positions_equal_pandas_for_any_layout(seed, layout):
    rng = np.random.default_rng(seed)
    pool = np.array([f"B{i:05d}" for i in range(300)] + ["客户甲", "00123", ""], dtype=object)
    universe = pd.Series(pd.unique(pool[rng.integers(0, len(pool), 150)]), dtype="str")
    raw = pool[rng.integers(0, len(pool), 1000)].astype(object)
    raw[rng.random(1000) < 0.05] = None
    values = pd.Series(raw, dtype="str")
    if layout == "chunked":  # pd.concat keeps the pieces as chunks
        values = pd.concat([values.iloc[:300], values.iloc[300:]], ignore_index=True)
        universe = pd.concat([universe.iloc[:50], universe.iloc[50:]], ignore_index=True)
    elif layout == "object":
        values, universe = values.astype(object), universe.astype(object)
    elif layout == "mixed":
        values = values.astype(object)
    assert positions_in(values, universe).tolist() == _pandas(values, universe)


def test_missing_values_are_never_found():
    universe = pd.Index(["a", None], dtype="str")
    assert positions_in(pd.Series([None, "a"], dtype="str"), universe).tolist() == [-1, 0]


@pytest.mark.parametrize("layout", ["arrow", "object"])
def test_a_repeated_id_is_found_at_its_first_occurrence(layout):
    universe = pd.Series(["a", "b", "a", "c", "b"], dtype="str")
    values = pd.Series(["b", "a", "c", "x", None], dtype="str")
    if layout == "object":
        values, universe = values.astype(object), universe.astype(object)
    assert positions_in(values, universe).tolist() == [1, 0, 3, -1, -1]
