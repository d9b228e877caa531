"""pyarrow's memory allocator (内存分配器) for whole-bank extracts.

pyarrow's wheels bundle two allocators and default to mimalloc. Since pyarrow 21 that is
mimalloc 2.2, which holds on to freed pages longer and raises the peak memory of large reads
(microsoft/mimalloc#1111, reported by an Arrow maintainer). On a 1,000,000-loan GBK CSV the
loader peaks about 12 % higher and runs about a quarter slower with it than with jemalloc,
which the same wheels bundle (docs/performance.md, "Memory allocator"). So the package asks
pyarrow for jemalloc when it is first imported, unless the deployment chose an allocator itself
with pyarrow's own ``ARROW_DEFAULT_MEMORY_POOL`` environment variable (``system``,
``jemalloc`` or ``mimalloc``), which always wins. A pyarrow built without jemalloc (the Windows
wheels) keeps its default.

jemalloc returns freed pages to the system after :data:`RETURN_PAGES_AFTER_MS`; pyarrow's
setting of one second let the freed text of one column outlive the parsing of the next, and
with two threads parsing columns (:mod:`postloan_audit.ingest.threads`) the 1M-loan load
peaked at 1.15 GiB instead of about 1.02 GiB (docs/performance.md).
"""

from __future__ import annotations

import os

#: The allocator asked for when the deployment does not name one.
PREFERRED_POOL = "jemalloc"
#: pyarrow's own variable naming the allocator; when set, the package leaves the choice alone.
POOL_ENVIRONMENT_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
#: How long jemalloc keeps freed pages before returning them to the system (pyarrow: 1000).
RETURN_PAGES_AFTER_MS = 100


def choose_memory_pool() -> str:
    """Make :data:`PREFERRED_POOL` pyarrow's default allocator unless the deployment chose one;
    return the name of the allocator in use."""
    import pyarrow as pa

    if os.environ.get(POOL_ENVIRONMENT_VARIABLE):
        return pa.default_memory_pool().backend_name
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # this pyarrow was built without jemalloc
        return pa.default_memory_pool().backend_name
    pa.set_memory_pool(pool)
    pa.jemalloc_set_decay_ms(RETURN_PAGES_AFTER_MS)
    return pool.backend_name
