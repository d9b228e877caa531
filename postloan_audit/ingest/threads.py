"""Column work on both cores (两个核并行处理各列).

The column parsers and the GB18030 decoding spend most of their time in pyarrow and pandas
kernels that release the GIL, so columns handled in two threads use both cores of the
reference machine (docs/performance.md). Columns are independent and their results are taken
in order, so what the loader returns, its issues and their order, are the same as one column
at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

#: Columns handled at a time (at most the machine's cores).
COLUMN_THREADS = 2


def map_columns(function: Callable, items: Iterable) -> Iterator:
    """``map(function, items)`` over :data:`COLUMN_THREADS` threads, results in order.

    ``items`` is consumed at once: pass a generator, so that each column is referenced only by
    its pending task and freed when its result is taken.
    """
    workers = min(COLUMN_THREADS, os.cpu_count() or 1)
    if workers < 2:
        yield from map(function, items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(function, items)
