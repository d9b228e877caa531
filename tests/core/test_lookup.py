"""positions_in: the Arrow kernel finds exactly what pandas finds, whatever the text's layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postloan_audit.core.lookup import codes_together, positions_in


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


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("layout", ["arrow", "chunked", "object", "mixed"])
def test_codes_together_number_the_first_column_as_factorize_and_find_the_others(seed, layout):
    rng = np.random.default_rng(seed)
    pool = np.array([f"P{i:04d}" for i in range(200)] + ["客户乙", ""], dtype=object)
    columns = []
    for size in (500, 120, 300):
        raw = pool[rng.integers(0, len(pool), size)].astype(object)
        raw[rng.random(size) < 0.05] = None
        columns.append(pd.Series(raw, dtype="str"))
    if layout == "chunked":
        columns = [pd.concat([c.iloc[:40], c.iloc[40:]], ignore_index=True) for c in columns]
    elif layout == "object":
        columns = [c.astype(object) for c in columns]
    elif layout == "mixed":
        columns[1] = columns[1].astype(object)
    first, *others = codes_together(*columns)
    assert first.tolist() == pd.factorize(columns[0])[0].tolist()
    parties = first.max() + 1
    for column, codes in zip(columns[1:], others, strict=True):
        assert np.where(codes >= parties, -1, codes).tolist() == \
            [first[p] if p >= 0 else -1 for p in positions_in(column, columns[0])]
        assert ((codes == -1) == column.isna().to_numpy()).all()
