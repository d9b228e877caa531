"""Benchmark of :func:`postloan_audit.draw_sample` on a 200,000-loan branch.

Target: one draw within 1 s. Prints the build time, the best and median draw times over a few
seeds, throughput and peak memory (tracemalloc during one draw; ru_maxrss for the process).

    .venv/bin/python benchmarks/bench_sample.py [--loans 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from postloan_audit import draw_sample
from postloan_audit.core.schema import CLASSIFICATIONS, GUARANTEE_TYPES, SECURED_GUARANTEE_TYPES


def build_branch(n_loans: int, *, seed: int = 0) -> pd.DataFrame:
    """A canonical single-branch loans frame, about 3 loans per borrower (vectorised)."""
    rng = np.random.default_rng(seed)
    n_borrowers = max(1, n_loans // 3)
    borrower = rng.integers(0, n_borrowers, n_loans)
    classification = rng.choice(len(CLASSIFICATIONS), n_loans, p=[0.90, 0.06, 0.02, 0.01, 0.01])
    guarantee = rng.choice(np.array(GUARANTEE_TYPES), n_loans, p=[0.4, 0.3, 0.25, 0.05])
    balance = np.round(rng.lognormal(12, 1.2, n_loans), 2)
    balance[rng.random(n_loans) < 0.02] = 0.0  # settled loans, set aside
    return pd.DataFrame({
        "loan_id": pd.Series(np.char.add("JJ", np.char.zfill(np.arange(n_loans).astype(str), 9)),
                             dtype="str"),
        "borrower_id": pd.Series(np.char.add("KH", np.char.zfill(borrower.astype(str), 8)),
                                 dtype="str"),
        "borrower_name": pd.Series(np.char.add("客户", borrower.astype(str)), dtype="str"),
        "branch": pd.Series(np.full(n_loans, "城东支行"), dtype="str"),
        "balance": balance,
        "classification": pd.Categorical.from_codes(classification, list(CLASSIFICATIONS),
                                                    ordered=True),
        "guarantee_type": pd.Series(guarantee, dtype="str"),
        "secured": np.isin(guarantee, SECURED_GUARANTEE_TYPES),
        "source_row": np.arange(2, n_loans + 2, dtype=np.int64),
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    loans = build_branch(args.loans)
    built = time.perf_counter() - start
    times = []
    for seed in range(args.repeat):
        start = time.perf_counter()
        sample = draw_sample(loans, seed=seed)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    draw_sample(loans, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024

    print(f"loans: {len(loans):,}  borrowers: {sample.population_borrowers:,}  "
          f"population loans: {sample.population_loans:,}  excluded: {sample.excluded_loans:,}")
    print(f"build frame: {built:.3f} s")
    print(f"draw_sample: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
          f"over {len(times)} seeds (target < 1 s)")
    print(f"throughput: {len(loans) / min(times):,.0f} loans/s")
    print(f"peak traced memory during one draw: {peak / 2**20:.1f} MiB; "
          f"process max RSS: {rss_mb:.0f} MiB")
    print(f"sample: {sample.size} borrowers, {len(sample.loans)} loans, "
          f"quota core {sample.quota_core_size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
