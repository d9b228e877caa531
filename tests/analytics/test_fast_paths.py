"""The analytics' fast paths give what the pandas calls they replace give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postloan_audit.analytics._common import positions
from postloan_audit.analytics.circles import _by_text
from postloan_audit.analytics.snapshots import _mapped


def _ids(rng: np.random.Generator, n: int, pool: int) -> pd.Series:
    values = np.char.add("L", rng.integers(0, pool, n).astype(str)).astype(object)
    values[rng.random(n) < 0.02] = None
    return pd.Series(values, dtype="str")


def test_positions_are_get_indexer_s():
    rng = np.random.default_rng(3)
    keys = pd.Series(pd.unique(_ids(rng, 5000, 4000)), dtype="str")  # one missing key at most
    lookups = _ids(rng, 8000, 6000)
    np.testing.assert_array_equal(positions(keys, lookups),
                                  pd.Index(keys).get_indexer(lookups))


def test_positions_refuse_repeated_keys_as_get_indexer_does():
    with pytest.raises(pd.errors.InvalidIndexError):
        positions(pd.Series(["a", "a"], dtype="str"), pd.Series(["a"], dtype="str"))


def test_pairs_by_text_are_in_sort_values_order_ties_and_missing_included():
    rng = np.random.default_rng(4)
    labels = np.array(["b", "a", "b", None, "華", "a10", "a9", "B"], dtype=object)
    first, second = rng.integers(0, len(labels), 500), rng.integers(0, len(labels), 500)
    frame = pd.DataFrame({"g": pd.Series(labels[first], dtype="str"),
                          "b": pd.Series(labels[second], dtype="str"), "i": np.arange(500)})
    expected = frame.sort_values(["g", "b"])["i"].to_numpy()
    np.testing.assert_array_equal(_by_text(pd.Series(labels, dtype="str"), first, second),
                                  expected)


@pytest.mark.parametrize("dtype", ["str", "category", "object"])
def test_labels_looked_up_per_distinct_value_are_map_s(dtype):
    column = pd.Series(["normal", "loss", None, "normal", "doubtful", "x"] * 3).astype(dtype)
    mapping = {"normal": 0, "loss": 4, "doubtful": 3}
    for kind, table in ((np.float64, mapping), (object, {k: f"<{k}>" for k in mapping})):
        want = column.astype("str").map(table).to_numpy(dtype=kind)
        got = _mapped(column, table, kind)
        assert pd.isna(got).tolist() == pd.isna(want).tolist()
        assert [v for v in got if not pd.isna(v)] == [v for v in want if not pd.isna(v)]


def test_the_re2_whitespace_class_is_python_s():
    import re

    import pyarrow as pa
    import pyarrow.compute as pc

    from postloan_audit.analytics.duplicates import WHITESPACE_RE2

    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    found = pc.match_substring_regex(pa.array(characters), WHITESPACE_RE2).to_numpy(
        zero_copy_only=False)
    python = np.array([re.fullmatch(r"\s", ch) is not None for ch in characters])
    np.testing.assert_array_equal(found, python)


def test_certificates_lose_their_spaces_as_str_replace_removes_them():
    from postloan_audit.analytics.duplicates import _without_spaces

    values = pd.Series(["闽(2024) 第1号", "A\u3000B", None, "", "C\u00a0\u2003D", "plain",
                        "\tx\n", "E\u200bF"], dtype="str")
    pd.testing.assert_series_equal(_without_spaces(values),
                                   values.str.replace(r"\s+", "", regex=True))
    plain = pd.Series(["a", None, "b"], dtype="str")
    pd.testing.assert_series_equal(_without_spaces(plain),
                                   plain.str.replace(r"\s+", "", regex=True))
