"""Benchmark of the audit analytics (:mod:`postloan_audit.analytics`) on a million loans.

Builds the loans with :func:`postloan_audit.synth.generator.generate_network` and adds what
the generator does not make yet: a guarantees sheet (1.2 guarantee rows per loan: most
guarantors outside the book, about one in seven a borrower, with planted circles and chains),
a collateral register (one row per secured loan, some houses shared), group ids for a tenth
of the corporate borrowers, and a later snapshot (loans settled, new, reclassified). Then
times every analysis and prints, for each, seconds and the peak resident memory the call
added, the total, and the process's peak RSS. The parties are resolved once (the first
``resolve_parties`` row) and passed to the analyses that read them, as the commands do; the
look-alike names are a second, separate resolution. The target: all of it within 60 s on the
2-core machine (docs/performance.md).

Run: ``.venv/bin/python benchmarks/bench_analytics.py [--loans 1000000] [--branches 40]``
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit import analytics
from postloan_audit.core.extract import Extract
from postloan_audit.parties import resolve_parties
from postloan_audit.synth.generator import generate_network

AS_OF = "2026-09-30"


def network(loans: int, branches: int, seed: int):
    """``generate_network``; while the generator predates the ledger's ``group_id`` and
    ``contract_id`` columns (the borrower's-file work adds them), it is run with them left out
    of the canonical column list for this one call."""
    try:
        return generate_network(loans=loans, branches=branches, seed=seed, as_of=AS_OF)
    except KeyError as exc:
        if "group_id" not in str(exc) and "contract_id" not in str(exc):
            raise
        import postloan_audit.synth.frames as frames

        original = frames.LOAN_COLUMNS
        frames.LOAN_COLUMNS = [c for c in original if c.name not in ("group_id", "contract_id")]
        try:
            return generate_network(loans=loans, branches=branches, seed=seed, as_of=AS_OF)
        finally:
            frames.LOAN_COLUMNS = original


def add_groups(loans: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A tenth of the corporate borrowers in groups of two to five."""
    if "group_id" in loans.columns and loans["group_id"].notna().any():
        return loans
    corp = loans.loc[loans["customer_type"] == "corporate", "borrower_id"].unique()
    chosen = rng.permutation(corp)[: len(corp) // 10]
    group = np.arange(len(chosen)) // rng.integers(2, 6)
    lookup = pd.Series([f"G{g:06d}" for g in group], index=chosen)
    return loans.assign(group_id=lookup.reindex(loans["borrower_id"]).to_numpy(dtype=object)
                        ).astype({"group_id": "str"})


def make_guarantees(loans: pd.DataFrame, rng: np.random.Generator,
                    per_loan: float = 1.2) -> pd.DataFrame:
    """``per_loan`` guarantee rows per loan; circles and chains planted among borrowers."""
    n = int(len(loans) * per_loan)
    loan_ids = loans["loan_id"].to_numpy(dtype=object)
    borrowers = loans["borrower_id"].to_numpy(dtype=object)
    which = rng.integers(0, len(loans), n)
    inside = rng.random(n) < 0.15
    guarantor = np.where(inside, borrowers[rng.integers(0, len(loans), n)],
                         np.char.add("G", rng.integers(0, n // 2, n).astype(str)).astype(object))
    # planted: 300 two-circles, 100 three-circles, 100 chains of five parties
    first_loan = pd.Series(np.arange(len(loans))).groupby(borrowers).first()
    distinct = first_loan.index.to_numpy(dtype=object)
    picks = rng.permutation(len(distinct))[: 300 * 2 + 100 * 3 + 100 * 5]
    rows_loan, rows_guarantor = [], []
    cursor = 0
    for size, count, closed in ((2, 300, True), (3, 100, True), (5, 100, False)):
        for _ in range(count):
            members = distinct[picks[cursor:cursor + size]]
            cursor += size
            links = size if closed else size - 1
            for i in range(links):
                rows_guarantor.append(members[i])
                rows_loan.append(loan_ids[first_loan[members[(i + 1) % size]]])
    return pd.DataFrame({
        "loan_id": pd.Series(np.concatenate([loan_ids[which], rows_loan]), dtype="str"),
        "guarantor_id": pd.Series(np.concatenate([guarantor, rows_guarantor]), dtype="str"),
        "guaranteed_amount": np.round(rng.uniform(1e4, 1e6, n + len(rows_loan)), 2)})


def make_collateral(loans: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One register row per mortgage or pledge loan; one house in a thousand shared."""
    secured = loans.loc[loans["guarantee_type"].isin(["mortgage", "pledge"])]
    n = len(secured)
    ids = np.char.add("K", np.arange(n).astype(str)).astype(object)
    shared = rng.random(n) < 0.001
    ids[shared] = ids[rng.integers(0, n, int(shared.sum()))]
    balance = secured["balance"].to_numpy(dtype=np.float64)
    return pd.DataFrame({"collateral_id": pd.Series(ids, dtype="str"),
                         "loan_id": secured["loan_id"].to_numpy(),
                         "appraised_value": np.round(balance * rng.uniform(1.0, 2.5, n), 2),
                         "title_certificate": pd.Series(np.char.add("权证", ids.astype(str)),
                                                        dtype="str")})


def later_snapshot(loans: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Three months on: 5% settled, 5% new, 3% reclassified, balances amortised."""
    keep = rng.random(len(loans)) >= 0.05
    after = loans.loc[keep].copy()
    after["balance"] = np.round(after["balance"].to_numpy() * rng.uniform(0.9, 1.0, len(after)),
                                2)
    move = rng.random(len(after)) < 0.03
    codes = after["classification"].cat.codes.to_numpy().copy()
    codes[move] = np.clip(codes[move] + rng.choice([-1, 1], int(move.sum())), 0, 4)
    after["classification"] = pd.Categorical.from_codes(codes, after["classification"].cat
                                                        .categories)
    new = loans.sample(n=len(loans) // 20, random_state=1).copy()
    new["loan_id"] = ("N" + pd.Series(np.arange(len(new)).astype(str))).to_numpy()
    return pd.concat([after, new], ignore_index=True)


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


def measure(name: str, fn: Callable[[], Any], timings: list[float]) -> Any:
    """Run ``fn`` once: its seconds, and the peak of the process's resident memory above what
    it held before the call (sampled every 5 ms by a thread: tracemalloc would slow the
    Python-level parts several times over)."""
    before = _rss()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], _rss())

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    peak[0] = max(peak[0], _rss())
    timings.append(seconds)
    print(f"{name:<36} {seconds:8.2f} s   peak +{(peak[0] - before) / 2**20:8.1f} MiB RSS",
          flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--branches", type=int, default=40)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    start = time.perf_counter()
    net = network(args.loans, args.branches, 2026)
    loans = add_groups(net.loans, rng)
    guarantees = make_guarantees(loans, rng)
    collateral = make_collateral(loans, rng)
    after = later_snapshot(loans, rng)
    extract = Extract(loans=loans, guarantees=guarantees, collateral=collateral, as_of=AS_OF)
    print(f"data: {len(loans):,} loans, {len(guarantees):,} guarantees, {len(collateral):,}"
          f" collateral rows, later snapshot {len(after):,} loans; built in"
          f" {time.perf_counter() - start:.1f} s", flush=True)

    timings: list[float] = []
    tier1 = float(loans["balance"].sum()) * 0.08
    parties = measure("resolve_parties", lambda: resolve_parties(extract), timings)
    measure("resolve_parties(look_alikes)", lambda: resolve_parties(extract, look_alikes=True),
            timings)
    network_ = measure("guarantee_network (circles, chains)",
                       lambda: analytics.guarantee_network(extract, parties=parties), timings)
    exposures = measure("large_exposures", lambda: analytics.large_exposures(
        extract, tier1_capital=tier1, capital=tier1 * 1.25, parties=parties), timings)
    measure("concentration(industry)", lambda: analytics.concentration(extract), timings)
    measure("concentration(branch)", lambda: analytics.concentration(extract, by="branch"),
            timings)
    test1 = measure("digit_test(digits=1)", lambda: analytics.digit_test(extract), timings)
    measure("digit_test(digits=2)", lambda: analytics.digit_test(extract, digits=2), timings)
    measure("bunching_test", lambda: analytics.bunching_test(
        extract, limits=[1e6, 3e6, 5e6, 1e7]), timings)
    dups = measure("find_duplicates", lambda: analytics.find_duplicates(extract, parties=parties),
                   timings)
    comparison = measure("compare_snapshots", lambda: analytics.compare_snapshots(loans, after),
                         timings)
    print(f"{'total':<36} {sum(timings):8.2f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"process peak RSS {rss:.2f} GiB")
    print(f"found: {len(parties.groups()):,} joined parties, {network_.circles['circle_id'].nunique():,}"
          f" circles, {len(network_.chains):,} chains beyond depth {network_.depth},"
          f" {len(exposures):,} exposure rows, Benford {test1.conformity},"
          f" {len(dups.collateral):,} shared collateral, {len(dups.id_numbers):,} shared id"
          f" numbers, {dups.loans['group'].nunique() if len(dups.loans) else 0:,} identical-loan"
          f" groups, {len(comparison.changed):,} changes (reconciles: {comparison.reconciles})")


if __name__ == "__main__":
    main()
