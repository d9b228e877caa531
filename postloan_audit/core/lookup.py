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
