"""Benchmark of the compliance checks (the performance record in docs/performance.md): 1,000,000 loans, ~3,000,000 inspections.

Prints seconds and peak memory for ``run_checks`` over all rules, and the time of our engine
and of DuckDB SQL for ``INSP-FREQ``, ``CLS-OVERDUE`` and ``MAT-COLLECT`` on the same data (the
yardstick). Targets on the 2-core reference machine: all rules within 15 s and 6 GB peak; the
three yardstick rules no slower than 2× DuckDB.

Run: ``.venv/bin/python benchmarks/bench_checks.py [--loans N]`` (DuckDB from the ``bench``
extra).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from postloan_audit.compliance.checks import run_checks
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.extract import Extract
from postloan_audit.core.workdays import working_day_calendar
from postloan_audit.synth.generator import generate_network

AS_OF = "2026-09-30"
YARDSTICK = ["INSP-FREQ", "CLS-OVERDUE", "MAT-COLLECT"]


def duckdb_yardstick(extract: Extract, policy: Policy) -> tuple[float, dict[str, int]]:
    """The three rules in DuckDB SQL; returns (seconds, flagged count per rule)."""
    import duckdb

    p, c = policy.inspection, policy.classification
    loans = extract.loans[["loan_id", "balance", "classification", "customer_type",
                           "management_mode", "repayment_method", "litigation",
                           "disbursement_date", "maturity_date", "last_inspection_date",
                           "overdue_days", "collection_notice_date"]].copy()
    loans["classification"] = loans["classification"].astype("str")
    inspections = extract.inspections[["loan_id", "inspection_date"]]
    days, _ = working_day_calendar(np.datetime64("2000-01-01"), np.datetime64("2027-12-31"))
    workdays = pd.DataFrame({"d": days.astype("datetime64[ns]"),
                             "rn": np.arange(1, len(days) + 1, dtype=np.int64)})
    con = duckdb.connect()
    con.register("loans", loans)
    con.register("inspections", inspections)
    con.register("workdays", workdays)
    d = f"TIMESTAMP '{AS_OF}'"
    insp_freq = f"""
        WITH last AS (
            SELECT loan_id, max(inspection_date) AS last_date FROM inspections
            WHERE inspection_date <= {d} GROUP BY loan_id),
        base AS (
            SELECT l.*, coalesce(last.last_date, CASE WHEN l.last_inspection_date <= {d}
                   THEN l.last_inspection_date END, l.disbursement_date) AS base_date,
                CASE WHEN l.customer_type = 'individual' THEN {p.individual_months}
                     WHEN l.management_mode = 'key' THEN CASE l.classification
                          WHEN 'normal' THEN {p.corporate_key_normal_months}
                          WHEN 'special_mention' THEN {p.corporate_key_special_mention_months}
                          ELSE {p.corporate_key_npl_months} END
                     ELSE CASE l.classification
                          WHEN 'normal' THEN {p.corporate_regular_normal_months}
                          WHEN 'special_mention' THEN {p.corporate_regular_special_mention_months}
                          ELSE {p.corporate_regular_npl_months} END END AS months
            FROM loans l LEFT JOIN last USING (loan_id))
        SELECT loan_id FROM base
        WHERE balance > 0 AND NOT litigation
          AND NOT (customer_type = 'individual' AND repayment_method = 'installment')
          AND base_date + to_months(months) < {d}"""
    cls_overdue = f"""
        SELECT loan_id FROM loans WHERE
            (CASE classification WHEN 'normal' THEN 0 WHEN 'special_mention' THEN 1
                  WHEN 'substandard' THEN 2 WHEN 'doubtful' THEN 3 ELSE 4 END) <
            (CASE WHEN overdue_days > {c.loss_overdue_days} THEN 4
                  WHEN overdue_days > {c.doubtful_overdue_days} THEN 3
                  WHEN overdue_days > {c.substandard_overdue_days} THEN 2
                  WHEN overdue_days > {c.special_mention_overdue_days} THEN 1 ELSE 0 END)"""
    n = policy.maturity.collection_notice_working_days
    mat_collect = f"""
        WITH m AS (SELECT loan_id, maturity_date, collection_notice_date FROM loans
                   WHERE balance > 0 AND maturity_date < {d}),
        pos AS (SELECT m.*, coalesce(w.rn, 0) AS rn FROM m
                ASOF LEFT JOIN workdays w ON m.maturity_date >= w.d),
        dl AS (SELECT pos.*, w2.d AS deadline FROM pos JOIN workdays w2 ON w2.rn = pos.rn + {n})
        SELECT loan_id FROM dl WHERE deadline < {d} AND NOT coalesce(
            collection_notice_date >= maturity_date AND collection_notice_date <= deadline,
            false)"""
    start = time.perf_counter()
    counts = {}
    for rule, sql in zip(YARDSTICK, [insp_freq, cls_overdue, mat_collect], strict=True):
        counts[rule] = len(con.sql(sql).to_arrow_table())
    return time.perf_counter() - start, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--inspections-per-loan", type=float, default=3.4)
    args = parser.parse_args()

    t0 = time.perf_counter()
    net = generate_network(loans=args.loans, branches=40, seed=2026, as_of=AS_OF,
                           inspections_per_loan=args.inspections_per_loan)
    extract = Extract(loans=net.loans, inspections=net.inspections,
                      collections=net.collections, branches=net.branches, fingerprint="bench")
    print(f"generated {len(net.loans):,} loans, {len(net.inspections):,} inspection rows, "
          f"{len(net.collections):,} collection rows in {time.perf_counter() - t0:.1f} s")
    policy = Policy.default()

    run_checks(extract, as_of=AS_OF, rules=["CLS-RESTRUCT"])  # warm-up (imports, caches)
    t = time.perf_counter()
    report = run_checks(extract, as_of=AS_OF)
    all_seconds = time.perf_counter() - t
    print(f"run_checks, all {len(report.rules_run)} rules: {all_seconds:.2f} s, "
          f"{len(net.loans) / all_seconds:,.0f} loans/s, {len(report.findings):,} findings")

    tracemalloc.start()
    run_checks(extract, as_of=AS_OF)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"run_checks peak memory (tracemalloc, above the loaded data): {peak / 2**30:.2f} GiB")

    # best of three, interleaved, so that both sides see the same machine load
    ours_runs, duck_runs = [], []
    for _ in range(3):
        t = time.perf_counter()
        three = run_checks(extract, as_of=AS_OF, rules=YARDSTICK)
        ours_runs.append(time.perf_counter() - t)
        seconds, duck_counts = duckdb_yardstick(extract, policy)
        duck_runs.append(seconds)
    ours, duck = min(ours_runs), min(duck_runs)
    ours_counts = three.findings["rule_id"].value_counts().to_dict()
    print(f"yardstick {'+'.join(YARDSTICK)}: ours {ours:.2f} s, DuckDB {duck:.2f} s, "
          f"ratio {ours / duck:.2f}x (target <= 2x)")
    for rule in YARDSTICK:
        print(f"  {rule:<12} ours {ours_counts.get(rule, 0):>8,}  duckdb {duck_counts[rule]:>8,}")
    print(f"process peak RSS (ru_maxrss, incl. generation): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


if __name__ == "__main__":
    main()
