"""Benchmark of the synthetic generator: prints seconds, rows/s and peak memory.

``.venv/bin/python benchmarks/bench_synth.py [LOANS]`` (default 1,000,000 loans, ~3M
inspection rows), then writes a 1M-row GBK CSV and a 200k-row xlsx to a temporary directory.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from postloan_audit.synth.generator import generate_network, write_extract


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    t0 = time.perf_counter()
    net = generate_network(loans=n, branches=120, seed=1, as_of="2026-09-30")
    t = time.perf_counter() - t0
    print(f"generate_network: {n:,} loans, {len(net.inspections):,} inspections, "
          f"{len(net.collections):,} collections, {len(net.planted):,} planted: {t:.1f} s "
          f"({n / t:,.0f} loans/s), peak RSS {_peak_mb():,.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_extract(net, Path(tmp) / "loans.csv")
        t = time.perf_counter() - t0
        size = (Path(tmp) / "loans.csv").stat().st_size / 1e6
        print(f"write_extract csv (GBK): {n:,} rows, {size:.0f} MB: {t:.1f} s ({n / t:,.0f} rows/s)")
        small = min(n, 200_000)
        net2 = generate_network(loans=small, branches=40, seed=2, as_of="2026-09-30")
        t0 = time.perf_counter()
        write_extract(net2, Path(tmp) / "loans.xlsx", sheets=("loans",))
        t = time.perf_counter() - t0
        size = (Path(tmp) / "loans.xlsx").stat().st_size / 1e6
        print(f"write_extract xlsx (loans sheet): {small:,} rows, {size:.0f} MB: {t:.1f} s "
              f"({small / t:,.0f} rows/s), peak RSS {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
