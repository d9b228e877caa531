"""Benchmark of the management-dashboard computations (:mod:`postloan_audit.portfolio`).

Generates two quarter-end snapshots of one network (``generate_snapshots``) and prints, for
each computation on the later one (and the migration between the two), seconds, loans/s and
the tracemalloc peak of that call; then the process's RSS high-water mark. The dashboard's
target is a first full render within 8 s (docs/performance.md); these functions are a small part of it.

Run: ``.venv/bin/python benchmarks/bench_portfolio.py [--loans 1000000] [--branches 40]``
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from postloan_audit import portfolio as pf
from postloan_audit.core.extract import Extract
from postloan_audit.synth.generator import generate_snapshots

DATES = ("2026-06-30", "2026-09-30")


def measure(name: str, n: int, fn: Callable[[], Any]) -> None:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{name:<34} {seconds:8.3f} s {n / seconds:14,.0f} loans/s  "
          f"peak {peak / 2**20:8.1f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--branches", type=int, default=40)
    args = parser.parse_args()

    start = time.perf_counter()
    before, after = generate_snapshots(loans=args.loans, branches=args.branches, seed=2026,
                                       as_of=DATES)
    print(f"generated 2 × {args.loans:,} loans in {time.perf_counter() - start:.1f} s",
          flush=True)
    loans = after.loans
    extract = Extract(loans=loans, inspections=after.inspections, branches=after.branches,
                      as_of=after.as_of)
    n = len(loans)
    measure("portfolio_kpis", n, lambda: pf.portfolio_kpis(loans))
    measure("balance_by_class", n, lambda: pf.balance_by_class(loans))
    measure("overdue_buckets", n, lambda: pf.overdue_buckets(loans))
    measure("overdue_buckets(by_branch)", n, lambda: pf.overdue_buckets(loans, by_branch=True))
    measure("top_borrower_concentration", n, lambda: pf.top_borrower_concentration(loans))
    measure("migration_matrix(balance)", n, lambda: pf.migration_matrix(before.loans, loans))
    measure("migration_matrix(count)", n,
            lambda: pf.migration_matrix(before.loans, loans, by="count"))
    measure("special_mention_migration_rate", n,
            lambda: pf.special_mention_migration_rate(before.loans, loans))
    measure("mask_personal_data", n, lambda: pf.mask_personal_data(loans))
    measure("review_coverage", len(after.branches),
            lambda: pf.review_coverage(after.branches, as_of=after.as_of, loans=loans))
    measure(f"inspection_timeliness ({len(after.inspections):,} insp.)", n,
            lambda: pf.inspection_timeliness(extract))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"process peak RSS {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
