"""Frames in the Arrow layouts real pipelines produce: multi-chunk columns.

``pd.concat`` of sheets read in pieces and ``pd.read_parquet`` of a file with several row
groups both give columns backed by *chunked* Arrow arrays; code that assumes one contiguous
array breaks on them. :func:`concatenated` and :func:`via_parquet` rebuild a frame in those two
layouts (same values, same dtypes), and :func:`max_chunks` proves a layout really is chunked.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa


def concatenated(frame: pd.DataFrame | None, pieces: int = 3) -> pd.DataFrame | None:
    """``frame`` as ``pd.concat`` of ``pieces`` row slices (string columns become chunked)."""
    if frame is None:
        return None
    step = max(1, -(-len(frame) // pieces))
    parts = [frame.iloc[i:i + step] for i in range(0, len(frame), step)] or [frame]
    return pd.concat(parts, ignore_index=True)


def via_parquet(frame: pd.DataFrame | None, row_group_size: int = 100) -> pd.DataFrame | None:
    """``frame`` written to Parquet in small row groups and read back with ``pd.read_parquet``."""
    if frame is None:
        return None
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, row_group_size=row_group_size)
    buffer.seek(0)
    return pd.read_parquet(buffer)


def max_chunks(frame: pd.DataFrame) -> int:
    """The largest number of Arrow chunks behind any string column of ``frame``."""
    best = 0
    for name in frame.columns:
        array = frame[name].array
        if isinstance(array, pd.arrays.ArrowStringArray):
            arrow = pa.array(array)
            best = max(best, arrow.num_chunks if isinstance(arrow, pa.ChunkedArray) else 1)
    return best


LAYOUTS = {"concat": concatenated, "parquet": via_parquet}
