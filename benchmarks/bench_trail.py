"""Benchmark of the audit-trail store (the performance record in docs/performance.md).

A synthetic network (default 200,000 loans, 6 branches) is checked once; then, on a fresh
SQLite store (and on PostgreSQL when ``--pg URL`` is given): ``record_run`` of the first run
(every finding new), ``record_run`` again (every finding carried over), the export of the
findings workbook with its 整改情况 columns, and the import of that workbook back with every
row set to 整改中 (one validated transaction). Prints seconds per step and peak RSS.

Run: ``.venv/bin/python benchmarks/bench_trail.py [--loans N] [--pg postgresql://…]``.
"""

from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
from pathlib import Path

import openpyxl

from postloan_audit.compliance.checks import run_checks
from postloan_audit.core.extract import Extract
from postloan_audit.synth.generator import generate_network
from postloan_audit.trail import export_findings_workbook, import_findings_workbook, open_store


def timed(label: str, fn):
    start = time.perf_counter()
    out = fn()
    print(f"  {label:<40} {time.perf_counter() - start:8.2f} s")
    return out


def bench(db: str, report, branches) -> None:
    store = open_store(db, user="bench")
    print(f"store {store.url}: {len(report.findings):,} findings")
    rec = timed("record_run (all new)", lambda: store.record_run(report, branches=branches))
    timed("record_run (all carried over)", lambda: store.record_run(report, branches=branches))
    buf = io.BytesIO()
    timed("export findings workbook", lambda: export_findings_workbook(store, buf,
                                                                         run_id=rec.run_id))
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["问题清单"]
    col = {c.value: c.column for c in ws[1]}["整改状态"]
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=col).value = "整改中"
    filled = io.BytesIO()
    wb.save(filled)
    result = timed("import returned workbook (all rows)",
                   lambda: import_findings_workbook(store, filled.getvalue()))
    print(f"  rows {result.rows:,}, changed {result.changed:,}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=200_000)
    parser.add_argument("--pg", default=None, help="a PostgreSQL URL to run against as well")
    args = parser.parse_args()
    net = generate_network(loans=args.loans, branches=6, seed=11, as_of="2026-09-30")
    extract = Extract(loans=net.loans, inspections=net.inspections,
                      collections=net.collections, branches=net.branches)
    report = run_checks(extract, as_of="2026-09-30")
    with tempfile.TemporaryDirectory() as tmp:
        bench(str(Path(tmp) / "audit.db"), report, net.loans["branch"])
    if args.pg:
        bench(args.pg, report, net.loans["branch"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
