"""Finding ids among other ids (编号匹配) with Arrow's hash kernel: :func:`positions_in`.

pandas 3 keeps text in Arrow arrays, and ``Index.get_indexer`` on them hashes Python objects
made from both sides: 4,000,000 statement rows' borrower ids looked up among 720,000 borrowers
took 12.0 s, against 3.5 s for ``pyarrow.compute.index_in`` on the same ids (the 2-core
reference machine under load; the positions are identical). A scan looks ids up several times
(statements, reports, guarantors, the earlier snapshot), so :func:`positions_in` uses the kernel
whenever both sides are Arrow text, and pandas otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow_text(values: pd.Series | pd.Index) -> pa.Array | None:
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        return pa.array(values.array)
    return None


def positions_in(values: pd.Series | pd.Index, universe: pd.Series | pd.Index) -> np.ndarray:
    """The position of each of ``values`` in ``universe`` (int64; its first occurrence), -1
    where it is absent or missing.

    >>> positions_in(pd.Series(["b", "x", None, "a"], dtype="str"),
    ...              pd.Index(["a", "b"], dtype="str")).tolist()
    [1, -1, -1, 0]
    """
    left, right = _arrow_text(values), _arrow_text(universe)
    if left is not None and right is not None:
        if left.type != right.type:
            left = left.cast(right.type)
        found = pc.index_in(left, value_set=right, skip_nulls=True)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    index = pd.Index(universe)
    first = np.flatnonzero(~index.duplicated())
    found = index[first].get_indexer(pd.Index(values))
    out = np.where(found >= 0, first[np.maximum(found, 0)] if len(first) else -1, -1)
    out[pd.isna(np.asarray(values, dtype=object))] = -1
    return out.astype(np.int64)


def codes_together(*columns: pd.Series | pd.Index) -> list[np.ndarray]:
    """The ids of several columns numbered in one code space: each distinct id gets the next
    code at its first appearance, the first column first; -1 where missing.

    So the first column's codes are what ``pd.factorize`` gives it, and an id of a later column
    that the first lacks gets a code past the first's. Looking ids of two columns up among one
    column's this way hashes each id once, where :func:`positions_in` per column would hash the
    universe again each time (a universe of 1.5M report parties: most of LIST-WATCH's time).

    >>> [c.tolist() for c in codes_together(pd.Series(["a", "b", "a"], dtype="str"),
    ...                                     pd.Index(["b", "x"], dtype="str"),
    ...                                     pd.Series(["x", None], dtype="str"))]
    [[0, 1, 0], [1, 2], [2, -1]]
    """
    arrays = [_arrow_text(c) for c in columns]
    if all(a is not None for a in arrays):
        kind = arrays[0].type
        chunks = [chunk for a in arrays
                  for chunk in pa.chunked_array(a if a.type == kind else a.cast(kind)).chunks]
        encoded = pa.chunked_array(chunks, type=kind).dictionary_encode()
        codes = np.concatenate(
            [c.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
             for c in encoded.chunks] or [np.zeros(0, dtype=np.int64)])
    else:
        joined = pd.Series(np.concatenate([np.asarray(c, dtype=object) for c in columns]))
        codes = pd.factorize(joined)[0].astype(np.int64)
    bounds = np.cumsum([0] + [len(c) for c in columns])
    return [codes[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
