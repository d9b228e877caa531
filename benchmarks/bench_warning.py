"""Benchmark of the early-warning scan (the performance record in docs/performance.md): 1,000,000
loans with the borrower's-file sheets.

The loans are the generator's (:func:`postloan_audit.synth.generator.generate_network`); the
sheets the generator does not write yet are synthesised here, with the sizes of a county book's
file: ``external`` (one report per borrower and guarantor, an older one for a tenth of them,
some dated after D), ``guarantees`` (1.2M rows: guarantors from a pool, some of them borrowers),
``collateral`` (1.5M rows, some shared, lien ranks, previous valuations, releases),
``financials`` (about 4M rows: monthly statements and quarter-end statements of the corporate
borrowers, rows shuffled, some received after D), ``lists`` (3% of the borrowers) and a
``group_id`` on the loans of a third of the corporate borrowers. The earlier snapshot is the
same loans with a classification one tier better on 5% of the loans and a rating one grade
better for 3% of the rated borrowers.

Prints the seconds of :func:`postloan_audit.scan_signals` (with the earlier snapshot, so the
watch list's movement is included) and of DuckDB SQL of the same signals
(``benchmarks/duckdb_signals.py``, 2 threads, including copying the frames into DuckDB tables
and a watch-list aggregation), their ratio and peak memory; compares the two signal tables row
for row on (signal_id, borrower_id, loan_id) and exits with status 1 when any signal differs.

Target on the 2-core reference machine: no slower than DuckDB (ratio <= 1.0).

Run: ``.venv/bin/python benchmarks/bench_warning.py [--loans N] [--repeat 3]`` (DuckDB from the
``bench`` extra).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_signals  # noqa: E402

from postloan_audit.compliance.policy import Policy  # noqa: E402
from postloan_audit.core.extract import Extract  # noqa: E402
from postloan_audit.core.provenance import Provenance  # noqa: E402
from postloan_audit.warning import SIGNALS, scan_signals  # noqa: E402

AS_OF = "2026-09-30"
PREVIOUS_AS_OF = dt.date(2026, 6, 30)
KEYS = ["signal_id", "borrower_id", "loan_id"]


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return (prefix + pd.Series(numbers).astype("str").str.zfill(width)).to_numpy(dtype=object)


def _days(start: str, spread: np.ndarray) -> np.ndarray:
    return (np.datetime64(start, "D") + spread.astype("timedelta64[D]")).astype("datetime64[ns]")


def generate_loans(n: int, seed: int) -> pd.DataFrame:
    """The generator's loans (without inspections: the scan reads none)."""
    from postloan_audit.core import schema
    from postloan_audit.synth import frames
    from postloan_audit.synth.generator import generate_network

    # The generator does not write the columns the borrower's file added to the loans sheet
    # (group_id, contract_id) yet; the benchmark adds its own group_id below.
    written = tuple(c for c in schema.LOAN_COLUMNS if c.name not in ("group_id", "contract_id"))
    saved = frames.LOAN_COLUMNS
    frames.LOAN_COLUMNS = written
    try:
        net = generate_network(loans=n, branches=40, seed=seed, as_of=AS_OF,
                               inspections_per_loan=0.1)
    finally:
        frames.LOAN_COLUMNS = saved
    return net.loans


def borrower_file(loans: pd.DataFrame, seed: int, *, financial_rows: int = 4_000_000,
                  collateral_rows: int = 1_500_000, guarantee_rows: int = 1_200_000
                  ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame]:
    """``loans`` with a ``group_id``, the borrower's-file sheets and the earlier snapshot."""
    rng = np.random.default_rng(seed)
    n = len(loans)
    code, ids = pd.factorize(loans["borrower_id"])
    ids = np.asarray(ids, dtype=object)
    nb = len(ids)
    corporate = np.zeros(nb, dtype=bool)
    corporate[code[(loans["customer_type"] == "corporate").to_numpy(dtype=bool)]] = True
    corp = np.flatnonzero(corporate)

    # groups: a third of the corporate borrowers, 2 to 8 per group
    grouped = rng.permutation(corp)[: len(corp) // 3]
    group_of = np.full(nb, None, dtype=object)
    group_of[grouped] = _ids("G", rng.integers(0, max(len(grouped) // 5, 1), len(grouped)), 6)
    loans = loans.assign(group_id=pd.Series(group_of[code], dtype="str"))

    # guarantees: loans guaranteed or mortgaged, guarantors from a pool (15% are borrowers)
    kind = loans["guarantee_type"].to_numpy(dtype=object)
    candidates = np.flatnonzero((kind == "guarantee") | (kind == "mortgage"))
    g_loan = np.sort(rng.choice(candidates, guarantee_rows))
    pool = _ids("GR", np.arange(300_000), 7)
    from_pool = rng.random(guarantee_rows) < 0.85
    guarantor = np.where(from_pool, pool[rng.integers(0, len(pool), guarantee_rows)],
                         ids[rng.integers(0, nb, guarantee_rows)])
    guarantees = pd.DataFrame({
        "loan_id": pd.Series(loans["loan_id"].to_numpy(dtype=object)[g_loan], dtype="str"),
        "guarantor_id": pd.Series(guarantor, dtype="str"),
        "guarantor_name": pd.Series(np.char.add("保证人", guarantor.astype(str)), dtype="str"),
    })

    # external: one report per borrower and pool guarantor, an older one for a tenth
    parties = np.concatenate([ids, pool])
    extra = parties[rng.random(len(parties)) < 0.1]
    party = np.concatenate([parties, extra])
    m = len(party)
    date = np.concatenate([_days("2026-01-01", rng.integers(0, 280, len(parties))),
                           _days("2025-06-01", rng.integers(0, 200, len(extra)))])
    date[rng.random(m) < 0.02] = np.datetime64("2026-10-15", "ns")  # after D: not known at D
    od = np.where(rng.random(m) < 0.02, rng.integers(1, 120, m), 0)
    ad = np.where(rng.random(m) < 0.01, rng.integers(1, 90, m), 0)
    other = np.where(rng.random(m) < 0.4, rng.lognormal(13.5, 1.0, m), np.nan)
    o90 = np.where(rng.random(m) < 0.03, np.nan_to_num(other) * rng.random(m), 0.0)
    order = rng.permutation(m)
    external = pd.DataFrame({
        "party_id": pd.Series(party[order], dtype="str"),
        "report_date": date[order],
        "other_bank_overdue_days": od[order].astype(np.int64),
        "other_bank_arrears_days": ad[order].astype(np.int64),
        "other_bank_balance": other[order],
        "other_bank_overdue90_balance": o90[order],
        "other_bank_npl": (o90[order] > 0),
        "other_bank_litigation": rng.random(m) < 0.003,
        "new_overdue_count": np.where(rng.random(m) < 0.01, rng.integers(1, 4, m), 0),
        "enforcement": rng.random(m) < 0.002,
    })

    # collateral: mortgage and pledge loans, 5% of the collaterals shared with another loan
    secured = np.flatnonzero((kind == "mortgage") | (kind == "pledge"))
    c_loan = np.sort(rng.choice(secured, collateral_rows))
    c_id = np.arange(collateral_rows)
    shared = rng.random(collateral_rows) < 0.05
    c_id[shared] = rng.integers(0, collateral_rows, int(shared.sum()))
    value = rng.lognormal(13.8, 0.8, collateral_rows)
    previous = np.where(rng.random(collateral_rows) < 0.9,
                        value / rng.uniform(0.85, 1.1, collateral_rows), np.nan)
    lien = rng.choice([0, 1, 2, 3], collateral_rows, p=[0.02, 0.85, 0.10, 0.03])
    released = np.where(rng.random(collateral_rows) < 0.03,
                        _days("2025-01-01", rng.integers(0, 700, collateral_rows)),
                        np.datetime64("NaT", "ns"))
    collateral = pd.DataFrame({
        "collateral_id": pd.Series(_ids("C", c_id, 8), dtype="str"),
        "loan_id": pd.Series(loans["loan_id"].to_numpy(dtype=object)[c_loan], dtype="str"),
        "appraised_value": value, "appraisal_date": _days("2025-10-01",
                                                          rng.integers(0, 360, collateral_rows)),
        "previous_value": previous,
        "previous_appraisal_date": _days("2024-10-01", rng.integers(0, 360, collateral_rows)),
        "lien_rank": lien.astype(np.int64), "release_date": released,
    })

    # financials: monthly and quarter-end statements of the corporate borrowers, as many
    # months back as make about `financial_rows` rows
    months = max(financial_rows // max(len(corp), 1) * 3 // 4, 15)
    last = np.datetime64("2026-09", "M")
    month_ends = ((last - np.arange(months)[::-1] + 1).astype("datetime64[D]")
                  - np.timedelta64(1, "D"))
    quarter_ends = month_ends[(month_ends.astype("datetime64[M]").astype(np.int64) % 3) == 2]
    nc = len(corp)
    # each borrower's indicators drift quarter by quarter (some by more than 10%)
    nq = len(quarter_ends)
    drift = np.cumprod(rng.choice([0.85, 0.95, 1.0, 1.05, 1.15], (nc, nq),
                                  p=[0.1, 0.2, 0.4, 0.2, 0.1]), axis=1)
    assets = rng.lognormal(17, 1, nc)[:, None] * np.ones((1, nq))
    q_rows = pd.DataFrame({
        "borrower_id": np.repeat(ids[corp], nq),
        "period_end": np.tile(quarter_ends, nc).astype("datetime64[ns]"),
        "period_type": np.tile(np.where(
            quarter_ends.astype("datetime64[M]").astype(np.int64) % 12 == 11, "year",
            np.where(quarter_ends.astype("datetime64[M]").astype(np.int64) % 12 == 5, "half",
                     "quarter")), nc),
        "total_assets": assets.ravel(),
        "total_liabilities": (assets * 0.5 * drift).ravel(),
        "current_assets": (assets * 0.3 / drift).ravel(),
        "current_liabilities": (assets * 0.2).ravel(),
        "revenue": (assets * 0.1).ravel(),
        "cost_of_sales": (assets * 0.1 * np.clip(0.7 * drift, 0, 0.99)).ravel(),
        "net_profit": (assets * 0.01).ravel(),
    })
    base = rng.lognormal(15, 1, nc)[:, None]
    trend = np.cumprod(rng.choice([0.9, 1.0, 1.03], (nc, months), p=[0.1, 0.6, 0.3]), axis=1)
    revenue = base * trend
    m_rows = pd.DataFrame({
        "borrower_id": np.repeat(ids[corp], months),
        "period_end": np.tile(month_ends, nc).astype("datetime64[ns]"),
        "period_type": "month",
        "revenue": revenue.ravel(),
        "net_profit": (revenue * rng.normal(0.08, 0.05, (nc, months))).ravel(),
    })
    financials = pd.concat([q_rows, m_rows], ignore_index=True)
    financials = financials.iloc[rng.permutation(len(financials))].reset_index(drop=True)
    end = financials["period_end"].to_numpy(dtype="datetime64[ns]")
    financials["received_date"] = end + rng.integers(5, 40, len(financials)).astype(
        "timedelta64[D]")
    financials["borrower_id"] = financials["borrower_id"].astype("str")
    financials["period_type"] = financials["period_type"].astype("str")

    # lists: 3% of the borrowers
    listed = rng.choice(nb, nb * 3 // 100, replace=False)
    k = len(listed)
    lists = pd.DataFrame({
        "borrower_id": pd.Series(ids[listed], dtype="str"),
        "list_type": pd.Series(rng.choice(["watch", "monitor", "exit", "reduce", "restrict"], k),
                               dtype="str"),
        "listed_date": _days("2025-01-01", rng.integers(0, 640, k)),
        "removed_date": np.where(rng.random(k) < 0.25, _days("2026-01-01",
                                                             rng.integers(0, 365, k)),
                                 np.datetime64("NaT", "ns")),
    })

    # the earlier snapshot: a class one tier better on 5% of loans, a rating a grade better
    scale = list(Policy.default().warning.rating_scale)
    prev = loans[["loan_id", "borrower_id", "balance", "classification", "rating",
                  "customer_type", "branch", "overdue_days"]].copy()
    cls = prev["classification"].cat.codes.to_numpy(dtype=np.int64)
    better = (rng.random(n) < 0.05) & (cls > 0)
    prev["classification"] = pd.Categorical.from_codes(
        np.where(better, cls - 1, cls), categories=prev["classification"].cat.categories,
        ordered=True)
    rank = pd.Index(scale).get_indexer(prev["rating"])
    up_b = rng.random(nb) < 0.03
    up = up_b[code] & (rank > 0)
    prev["rating"] = pd.Series(np.where(up, np.asarray(scale, dtype=object)[np.maximum(rank - 1, 0)],
                                        prev["rating"].to_numpy(dtype=object)), dtype="str")
    sheets = {"external": external, "guarantees": guarantees, "collateral": collateral,
              "financials": financials, "lists": lists}
    return loans, sheets, prev


def ours(extract: Extract, previous: Extract) -> tuple[float, pd.DataFrame, int]:
    t = time.perf_counter()
    report = scan_signals(extract, as_of=AS_OF, previous=previous)
    return time.perf_counter() - t, report.signals, len(report.watchlist)


def duck(loans: pd.DataFrame, prev: pd.DataFrame, sheets: dict[str, pd.DataFrame],
         threads: int) -> tuple[float, float, dict[str, float], pd.DataFrame]:
    """(total seconds, load seconds, seconds per signal, signal keys) of DuckDB."""
    import duckdb

    policy = Policy.default()
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    t0 = time.perf_counter()
    duckdb_signals.load(con, loans, prev, sheets, policy)
    for sql in duckdb_signals.prepare_sql(policy, AS_OF):
        con.execute(sql)
    load_seconds = time.perf_counter() - t0
    seconds: dict[str, float] = {}
    levels = {sid: s.level.rank for sid, s in SIGNALS.items()}
    con.execute("CREATE OR REPLACE TEMP TABLE hits (signal_id VARCHAR, borrower_id VARCHAR, "
                "loan_id VARCHAR, rank INTEGER)")
    for sid, sql in duckdb_signals.signal_sql(policy, AS_OF).items():
        t = time.perf_counter()
        rank = (f"CASE WHEN signal_id = 'EW-OVERDUE' AND loan_id IN (SELECT loan_id FROM loans "
                f"WHERE overdue_days > {policy.warning.overdue_yellow_max_days}) THEN 2 ELSE "
                f"{levels[sid]} END")
        con.execute(f"INSERT INTO hits SELECT signal_id, borrower_id, loan_id, {rank} FROM ({sql})")
        seconds[sid] = time.perf_counter() - t
    t = time.perf_counter()
    con.sql(duckdb_signals.watchlist_sql(policy)).fetchnumpy()
    seconds["watchlist"] = time.perf_counter() - t
    keys = con.sql("SELECT signal_id, borrower_id, loan_id FROM hits").df()
    total = time.perf_counter() - t0
    con.close()
    return total, load_seconds, seconds, keys


def compare(a: pd.DataFrame, b: pd.DataFrame, show: int = 5) -> list[str]:
    """Signal ids whose hits differ (printing the first differing rows of each)."""
    def norm(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[KEYS].astype(object)
        return out.where(out.notna(), "").astype(str)

    a, b = norm(a), norm(b)
    bad = []
    for sid in SIGNALS:
        x, y = a[a["signal_id"] == sid], b[b["signal_id"] == sid]
        merged = x.merge(y, how="outer", on=KEYS, indicator=True)
        diff = merged[merged["_merge"] != "both"]
        if len(diff) or len(x) != len(y):
            bad.append(sid)
            print(f"  {sid}: {len(x):,} ours, {len(y):,} DuckDB, {len(diff):,} rows differ "
                  "(left_only = only ours):")
            print(diff.head(show * 2).to_string(index=False))
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--financial-rows", type=int, default=4_000_000)
    parser.add_argument("--collateral-rows", type=int, default=1_500_000)
    parser.add_argument("--guarantee-rows", type=int, default=1_200_000)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--repeat", type=int, default=3,
                        help="interleaved runs of both sides; the best of each is reported")
    args = parser.parse_args()

    t0 = time.perf_counter()
    loans = generate_loans(args.loans, 2026)
    loans, sheets, prev = borrower_file(loans, 2026, financial_rows=args.financial_rows,
                                        collateral_rows=args.collateral_rows,
                                        guarantee_rows=args.guarantee_rows)
    print(f"book: {len(loans):,} loans, {loans['borrower_id'].nunique():,} borrowers; "
          + ", ".join(f"{name} {len(frame):,}" for name, frame in sheets.items())
          + f" rows (built in {time.perf_counter() - t0:.0f} s)")
    extract = Extract(loans=loans, **sheets,
                      provenance=Provenance(fingerprint="bench", source_name="bench"))
    previous = Extract(loans=prev, provenance=Provenance(fingerprint="bench-prev",
                                                         source_name="bench-prev",
                                                         as_of=PREVIOUS_AS_OF))
    best_ours, best_duck = float("inf"), float("inf")
    for _ in range(args.repeat):
        s, signals, listed = ours(extract, previous)
        best_ours = min(best_ours, s)
        total, load_s, per, keys = duck(loans, prev, sheets, args.threads)
        if total < best_duck:
            best_duck, best_load, best_per = total, load_s, per
    print(f"scan_signals: {best_ours:.2f} s  ({len(signals):,} signals, {listed:,} borrowers on "
          "the watch list)")
    print(f"DuckDB ({args.threads} threads): {best_duck:.2f} s  (copying the frames and shared "
          f"views {best_load:.2f} s; " + ", ".join(f"{k} {v:.2f}" for k, v in best_per.items())
          + ")")
    print(f"ratio ours / DuckDB: {best_ours / best_duck:.2f}")
    counts = signals["signal_id"].value_counts()
    print("hits per signal: " + ", ".join(f"{sid} {counts.get(sid, 0):,}" for sid in SIGNALS))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak resident memory of the process: {peak:.1f} GB")
    bad = compare(signals, keys)
    if bad:
        print(f"differences in {', '.join(bad)}")
        sys.exit(1)
    print("signals identical row for row on (signal_id, borrower_id, loan_id)")


if __name__ == "__main__":
    main()
