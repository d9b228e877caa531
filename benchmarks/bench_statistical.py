"""Benchmark of monetary-unit sampling (:func:`postloan_audit.draw_mus_sample`, evaluate_mus).

Draws a 1,000-unit sample from a 1,000,000-loan population with each selection method and
evaluates it (Stringer), printing best and median times over a few seeds and peak memory.

    .venv/bin/python benchmarks/bench_statistical.py [--loans 1000000] [--n 1000] [--repeat 5]
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

from postloan_audit import draw_mus_sample, evaluate_mus, plan_attribute_sample, plan_mus


def build_population(n_loans: int, *, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    balance = np.round(rng.lognormal(12, 1.2, n_loans), 2)
    balance[rng.random(n_loans) < 0.02] = 0.0  # settled loans, excluded
    ids = np.char.add("JJ", np.char.zfill(np.arange(n_loans).astype(str), 9))
    return pd.DataFrame({"loan_id": pd.Series(ids, dtype="str"), "balance": balance})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    loans = build_population(args.loans).sample(frac=1.0, random_state=1)  # shuffled rows
    print(f"population: {args.loans:,} loans built in {time.perf_counter() - start:.2f} s")
    for method in ("fixed_interval", "cell", "random"):
        times = []
        for seed in range(args.repeat):
            t0 = time.perf_counter()
            sample = draw_mus_sample(loans, args.n, seed=seed, method=method)
            times.append(time.perf_counter() - t0)
        print(f"draw_mus_sample {method}: best {min(times):.3f} s, median"
              f" {statistics.median(times):.3f} s; {len(sample.loans)} loans selected,"
              f" {len(sample.top_stratum)} in the top stratum, {len(sample.excluded):,} excluded")
    audited = dict(zip(sample.loans["loan_id"], sample.loans["book_value"] * 0.99, strict=True))
    t0 = time.perf_counter()
    evaluation = evaluate_mus(sample, audited, confidence=0.95)
    print(f"evaluate_mus stringer ({len(sample.loans)} items, all 1% tainted):"
          f" {time.perf_counter() - t0:.3f} s, upper limit {evaluation.upper_limit:.4%}")
    tracemalloc.start()
    draw_mus_sample(loans, args.n, seed=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak traced memory of one draw: {peak / 2**20:.1f} MiB")
    t0 = time.perf_counter()
    plan_attribute_sample(confidence=0.95, tolerable_rate=0.02, expected_rate=0.0125)
    plan_mus(confidence=0.95, tolerable=0.005, expected=0.0025, population_value=1e9)
    print(f"largest table plans (A-1 1030, C-1 2308): {time.perf_counter() - t0:.3f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process max RSS: {rss / 2**10:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
