"""Benchmark of the compliance checks (the performance record in docs/performance.md): 1,000,000 loans, ~3,000,000 inspections.

Prints seconds and peak memory for ``run_checks`` over all rules, then the whole rule catalogue
side by side with DuckDB SQL of the same rules (``benchmarks/duckdb_rules.py``, 2 threads): the
per-rule and total seconds of both sides and their ratio. The DuckDB time includes copying the
frames into DuckDB tables. The two findings tables are compared row for row on their
message-independent fields (rule id, loan id, due date, days late); the script prints the first
differing rows per rule and exits with status 1 when any rule differs.

A small share of loans (``--blanks``, default 0.2%) has its customer type, repayment method,
classification and management mode blanked, so that both sides' handling of missing values is
compared too.

Targets on the 2-core reference machine: all rules within 15 s and 6 GB peak; all rules on 1M
loans no slower than DuckDB (ratio <= 1.0).

Run: ``.venv/bin/python benchmarks/bench_checks.py [--loans N] [--pieces 10 --repeat 1
--no-tracemalloc]`` (10M loans: ten prefixed copies of the 1M network; DuckDB from the ``bench``
extra).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb_rules  # noqa: E402

from postloan_audit.compliance.checks import run_checks  # noqa: E402
from postloan_audit.compliance.policy import RULE_IDS, Policy  # noqa: E402
from postloan_audit.core.extract import Extract  # noqa: E402
from postloan_audit.synth.generator import generate_network  # noqa: E402

AS_OF = "2026-09-30"
#: columns whose missing values each rule must handle as run_checks does
BLANKED = ["customer_type", "repayment_method", "classification", "management_mode"]
KEYS = ["rule_id", "loan_id", "due_date", "days_late"]


def duckdb_run(extract: Extract, policy: Policy, threads: int
               ) -> tuple[float, dict[str, float], pd.DataFrame]:
    """All rules in DuckDB: (load seconds, seconds per rule, findings keys)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    t = time.perf_counter()
    duckdb_rules.load(con, extract.loans, extract.inspections, extract.collections)
    load_seconds = time.perf_counter() - t
    seconds, parts = {}, []
    loan_ids = extract.loans["loan_id"].astype("str").to_numpy(dtype=object)
    for rule, sql in duckdb_rules.rule_sql(policy, AS_OF).items():
        t = time.perf_counter()
        table = con.sql(f"SELECT * FROM ({sql}) ORDER BY pos").fetchnumpy()
        seconds[rule] = time.perf_counter() - t
        pos = np.asarray(table["pos"], dtype=np.int64)
        parts.append(pd.DataFrame({
            "rule_id": rule, "loan_id": loan_ids[pos],
            "due_date": pd.to_datetime(pd.Series(table["due_date"])).astype("datetime64[ns]"),
            "days_late": pd.array(pd.Series(table["days_late"]).astype("Float64"),
                                  dtype="Int64")}))
    con.close()
    return load_seconds, seconds, pd.concat(parts, ignore_index=True)


def _keys(findings: pd.DataFrame) -> pd.DataFrame:
    out = findings[KEYS].copy()
    out["loan_id"] = out["loan_id"].astype("str").astype(object)
    out["due_date"] = pd.to_datetime(out["due_date"]).astype("datetime64[ns]")
    out["days_late"] = out["days_late"].astype("Int64")
    return out


def compare(ours: pd.DataFrame, duck: pd.DataFrame, rules: list[str], show: int = 5) -> list[str]:
    """Rule ids whose findings differ (printing the first differing rows of each)."""
    ours, duck = _keys(ours), _keys(duck)
    bad = []
    for rule in rules:
        a = ours[ours["rule_id"] == rule].sort_values(["loan_id", "due_date"])
        b = duck[duck["rule_id"] == rule].sort_values(["loan_id", "due_date"])
        merged = a.merge(b, how="outer", on=KEYS, indicator=True)
        diff = merged[merged["_merge"] != "both"]
        if len(diff):
            bad.append(rule)
            print(f"  {rule}: {len(a):,} ours, {len(b):,} DuckDB, {len(diff):,} rows differ; "
                  f"first ones (left_only = only ours, right_only = only DuckDB):")
            print(diff.sort_values(["loan_id", "_merge"]).head(show * 2).to_string(index=False))
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--inspections-per-loan", type=float, default=3.4)
    parser.add_argument("--blanks", type=float, default=0.002,
                        help="share of loans with customer type, repayment method, "
                             "classification and management mode blanked")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--repeat", type=int, default=3,
                        help="interleaved runs of both sides; the best of each is reported")
    parser.add_argument("--pieces", type=int, default=1,
                        help="the book as this many copies of the generated network, loan "
                             "and borrower ids prefixed by the copy (10 x 1M = 10M loans "
                             "without the generator's peak memory at 10M); the frames are "
                             "then pd.concat results (chunked Arrow columns)")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the traced run (slow on 10M loans)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    net = generate_network(loans=args.loans, branches=40, seed=2026, as_of=AS_OF,
                           inspections_per_loan=args.inspections_per_loan)
    loans = net.loans
    if args.blanks > 0:
        rng = np.random.default_rng(7)
        for column in BLANKED:
            idx = np.flatnonzero(rng.random(len(loans)) < args.blanks)
            loans.loc[loans.index[idx], column] = np.nan
    extract = Extract(loans=loans, inspections=net.inspections,
                      collections=net.collections, branches=net.branches, fingerprint="bench")
    del net, loans
    if args.pieces > 1:
        from bench_dask import prefixed

        parts = [prefixed(extract, k) for k in range(args.pieces)]
        extract = Extract(
            loans=pd.concat([p.loans for p in parts], ignore_index=True),
            inspections=pd.concat([p.inspections for p in parts], ignore_index=True),
            collections=pd.concat([p.collections for p in parts], ignore_index=True),
            branches=extract.branches, fingerprint="bench")
        del parts
    print(f"generated {len(extract.loans):,} loans, {len(extract.inspections):,} inspection "
          f"rows, {len(extract.collections):,} collection rows in "
          f"{time.perf_counter() - t0:.1f} s ({args.pieces} piece(s); {args.blanks:.1%} of "
          f"loans blanked in each of {', '.join(BLANKED)})")
    policy = Policy.default()

    run_checks(extract, as_of=AS_OF, rules=["CLS-RESTRUCT"])  # warm-up (imports, caches)
    t = time.perf_counter()
    report = run_checks(extract, as_of=AS_OF)
    all_seconds = time.perf_counter() - t
    print(f"run_checks, all {len(report.rules_run)} rules: {all_seconds:.2f} s, "
          f"{len(extract.loans) / all_seconds:,.0f} loans/s, {len(report.findings):,} findings")

    if not args.no_tracemalloc:
        tracemalloc.start()
        run_checks(extract, as_of=AS_OF)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"run_checks peak memory (tracemalloc, above the loaded data): "
              f"{peak / 2**30:.2f} GiB")

    # interleaved, best of each, so that both sides see the same machine load
    rules = [r for r in RULE_IDS if r in duckdb_rules.rule_sql(policy, AS_OF)]
    not_compared = [r for r in RULE_IDS if r not in rules]
    if not_compared:
        print(f"rules without DuckDB SQL, NOT compared: {', '.join(not_compared)}")
    ours_all, ours_rule, duck_load, duck_rule = [], {r: [] for r in rules}, [], \
        {r: [] for r in rules}
    for _ in range(args.repeat):
        t = time.perf_counter()
        report = run_checks(extract, as_of=AS_OF)
        ours_all.append(time.perf_counter() - t)
        for rule in rules:
            t = time.perf_counter()
            run_checks(extract, as_of=AS_OF, rules=[rule])
            ours_rule[rule].append(time.perf_counter() - t)
        load_s, per_rule, duck_findings = duckdb_run(extract, policy, args.threads)
        duck_load.append(load_s)
        for rule in rules:
            duck_rule[rule].append(per_rule[rule])
    duck_totals = [duck_load[i] + sum(duck_rule[r][i] for r in rules)
                   for i in range(args.repeat)]
    counts = report.findings["rule_id"].value_counts().to_dict()
    duck_counts = duck_findings["rule_id"].value_counts().to_dict()
    print(f"\nwhole catalogue vs DuckDB SQL ({args.threads} threads), best of {args.repeat}; "
          "ours per rule = run_checks(rules=[rule]) alone (context preparation included)")
    print(f"{'rule':<16}{'findings':>10}{'DuckDB':>10}{'ours s':>9}{'DuckDB s':>10}{'ratio':>8}")
    print(f"{'(load)':<16}{'':>10}{'':>10}{'':>9}{min(duck_load):>10.3f}")
    for rule in rules:
        o, d = min(ours_rule[rule]), min(duck_rule[rule])
        print(f"{rule:<16}{counts.get(rule, 0):>10,}{duck_counts.get(rule, 0):>10,}"
              f"{o:>9.3f}{d:>10.3f}{o / d:>8.2f}")
    ours, duck = min(ours_all), min(duck_totals)  # ours: every rule, DuckDB: compared
    print(f"{'total':<16}{len(report.findings):>10,}{len(duck_findings):>10,}{ours:>9.2f}"
          f"{duck:>10.2f}{ours / duck:>8.2f}")
    print(f"all rules: ours {ours:.2f} s (one run_checks), DuckDB {duck:.2f} s (load "
          f"{min(duck_load):.2f} s + queries), ratio {ours / duck:.2f}x (target <= 1.0x)")
    print(f"process peak RSS (ru_maxrss, incl. generation): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")

    print("\nrow-for-row comparison (rule_id, loan_id, due_date, days_late):")
    bad = compare(report.findings, duck_findings, rules)
    if bad:
        print(f"FINDINGS DIFFER for {len(bad)} of {len(rules)} rules: {', '.join(bad)}")
        sys.exit(1)
    if not_compared:
        print(f"identical for the {len(rules)} compared rules; NOT compared: "
              f"{', '.join(not_compared)}")
        sys.exit(1)
    print(f"identical for all {len(rules)} rules ({len(report.findings):,} findings)")


if __name__ == "__main__":
    main()
