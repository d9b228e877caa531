"""Benchmark of the compliance checks (the performance record in docs/performance.md): 1,000,000 loans, ~3,000,000 inspections and the borrower's file (1.5M collateral rows, 1.2M guarantee rows, 4M statement rows).

Prints seconds and peak memory for ``run_checks`` over all rules, then the whole rule catalogue
side by side with DuckDB SQL of the same rules (``benchmarks/duckdb_rules.py``, 2 threads): the
per-rule and total seconds of both sides and their ratio. The DuckDB time includes copying the
frames into DuckDB tables. The two findings tables are compared row for row on their
message-independent fields (rule id, loan id, due date, days late); the script prints the first
differing rows per rule and exits with status 1 when any rule differs.

A small share of loans (``--blanks``, default 0.2%) has its customer type, repayment method,
classification and management mode blanked, so that both sides' handling of missing values is
compared too.

The borrower's-file sheets (collateral, guarantees, financials, external, lists) are the
generator's, grown to ``--collateral-per-loan``, ``--guarantees-per-loan`` and
``--statements-per-loan`` rows per loan by :func:`grow_file`; with them present the catalogue
reads the collateral register for ``COLLAT-REVAL`` and ``COLLAT-DROP`` and the lists' exit
entries for ``EXIT-VISIT``, and the SQL does the same.

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
from postloan_audit.core.schema import COLLATERAL_TYPE_ZH  # noqa: E402
from postloan_audit.synth.generator import generate_network  # noqa: E402

AS_OF = "2026-09-30"
#: columns whose missing values each rule must handle as run_checks does
BLANKED = ["customer_type", "repayment_method", "classification", "management_mode"]
KEYS = ["rule_id", "loan_id", "due_date", "days_late"]


def grow_file(net, *, collateral: float, guarantees: float, financials: float,
              seed: int = 11) -> dict[str, pd.DataFrame]:
    """The generator's borrower's file grown to ``collateral``, ``guarantees`` and
    ``financials`` rows per loan (the proportions of a county book's file).

    The generator writes each sheet at its own proportions (about 0.7 collateral rows, 0.7
    guarantee rows and 1.3 statement rows per loan); the rows added here are drawn from its
    own: a further collateral (追加押品) on a loan that has one, of a random type, valued,
    insured and sometimes released around D (a few shared with another loan, a few internal
    valuations of plant); a further guarantor of a guaranteed loan, a party of the sheet (so
    its credit report and rating come along) or a new individual; the monthly statements of
    the borrowers with statements, some received after D, a few without a period type. Every
    generated row is kept, so the planted breaches stay in.
    """
    rng = np.random.default_rng(seed)
    n = len(net.loans)
    D = np.datetime64(AS_OF, "ns")
    day = np.timedelta64(1, "D")

    def days(low: int, high: int, size: int) -> np.ndarray:
        return D + rng.integers(low, high, size) * day

    c = net.collateral
    m = max(int(round(collateral * n)) - len(c), 0)
    base = c.iloc[rng.integers(0, len(c), m)].reset_index(drop=True)
    kinds = np.array(list(COLLATERAL_TYPE_ZH), dtype=object)
    kind = kinds[rng.integers(0, len(kinds), m)]
    kind[rng.random(m) < 0.005] = None
    value = np.round(base["appraised_value"].to_numpy() * rng.uniform(0.3, 1.2, m), -2)
    ids = ("YPB" + pd.Series(np.arange(m)).astype("str").str.zfill(9)).to_numpy(dtype=object)
    shared = rng.random(m) < 0.03
    ids[shared] = c["collateral_id"].to_numpy(dtype=object)[rng.integers(0, len(c),
                                                                          int(shared.sum()))]
    extra_c = pd.DataFrame({
        "collateral_id": pd.Series(ids, dtype="str"), "loan_id": base["loan_id"],
        "borrower_id": base["borrower_id"], "collateral_type": pd.Series(kind, dtype="str"),
        "appraised_value": np.where(rng.random(m) < 0.005, np.nan, value),
        "appraisal_date": np.where(rng.random(m) < 0.01, np.datetime64("NaT"), np.where(
            rng.random(m) < 0.03, days(-420, -180, m), days(-180, 1, m))),
        "appraiser": pd.Series(np.where(rng.random(m) < 0.05, "internal", "external"),
                               dtype="str"),
        "previous_value": np.where(rng.random(m) < 0.9,
                                   np.round(value / rng.uniform(0.895, 1.2, m), -2), np.nan),
        "prior_claims": np.where(rng.random(m) < 0.1, np.round(value * 0.2, -2), np.nan),
        "insurance_expiry": np.where(rng.random(m) < 0.2, np.datetime64("NaT"),
                                     days(-20, 720, m)),
        "release_date": np.where(rng.random(m) < 0.005, days(-400, 30, m),
                                 np.datetime64("NaT")),
    })

    g = net.guarantees
    m = max(int(round(guarantees * n)) - len(g), 0)
    loan = g["loan_id"].iloc[rng.integers(0, len(g), m)].reset_index(drop=True)
    party = g.iloc[rng.integers(0, len(g), m)].reset_index(drop=True).drop(columns="loan_id")
    new = rng.random(m) < 0.3
    party.loc[new, "guarantor_id"] = ("5100" + pd.Series(np.flatnonzero(new)).astype("str")
                                      .str.zfill(6)).to_numpy()
    party.loc[new, ["guarantor_type", "guarantor_rating"]] = ["individual", None]
    party.loc[new, "guarantor_rating_date"] = pd.NaT
    stale = ~new & (rng.random(m) < 0.02)
    party.loc[stale, "guarantor_rating_date"] = D - 400 * day
    extra_g = party.assign(loan_id=loan)[g.columns]

    f = net.financials
    m = max(int(round(financials * n)) - len(f), 0)
    owners = f["borrower_id"].unique()
    months = -(-m // max(len(owners), 1))
    ends = ((np.datetime64(AS_OF[:7], "M") - np.arange(months) + 1).astype("datetime64[D]")
            - 1).astype("datetime64[ns]")
    pick = rng.permutation(len(owners) * months)[:m]
    end = ends[pick % months]
    kind = np.where(rng.random(m) < 0.002, None, "month")
    extra_f = pd.DataFrame({
        "borrower_id": pd.Series(np.asarray(owners, dtype=object)[pick // months], dtype="str"),
        "period_end": end, "period_type": pd.Series(kind, dtype="str"),
        "revenue": np.round(rng.lognormal(14, 1, m), -2),
        "audited": rng.random(m) < 0.1,
        "received_date": end + rng.integers(5, 60, m) * day,
    })
    grown = pd.concat([f, extra_f], ignore_index=True)
    return {"collateral": pd.concat([c, extra_c], ignore_index=True),
            "guarantees": pd.concat([g, extra_g], ignore_index=True),
            "financials": grown.iloc[rng.permutation(len(grown))].reset_index(drop=True),
            "external": net.external, "lists": net.lists}


def prefixed_file(sheets: dict[str, pd.DataFrame], k: int) -> dict[str, pd.DataFrame]:
    """The borrower's file of piece ``k`` (see ``bench_dask.prefixed``): every loan, borrower,
    party and collateral id prefixed by ``k``, so that guarantors who are borrowers stay so."""
    tag = f"{k:02d}"
    from bench_dask import piece_id_numbers

    ids = ("loan_id", "borrower_id", "collateral_id", "guarantor_id", "party_id")
    return {name: frame.assign(**{c: (tag + frame[c]).astype("str")
                                  for c in ids if c in frame.columns},
                               **({"id_number": piece_id_numbers(frame["id_number"], k)
                                   .to_numpy()} if "id_number" in frame.columns else {}))
            for name, frame in sheets.items()}


def duckdb_run(extract: Extract, policy: Policy, threads: int, *, file: bool = True
               ) -> tuple[float, dict[str, float], pd.DataFrame]:
    """All rules in DuckDB: (load seconds, seconds per rule, findings keys)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    t = time.perf_counter()
    duckdb_rules.load(con, extract.loans, extract.inspections, extract.collections,
                      {name: getattr(extract, name) for name in duckdb_rules.FILE_SHEETS}
                      if file else None)
    load_seconds = time.perf_counter() - t
    seconds, parts = {}, []
    loan_ids = extract.loans["loan_id"].astype("str").to_numpy(dtype=object)
    for rule, sql in duckdb_rules.rule_sql(policy, AS_OF, file=file).items():
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
    parser.add_argument("--collateral-per-loan", type=float, default=1.5)
    parser.add_argument("--guarantees-per-loan", type=float, default=1.2)
    parser.add_argument("--statements-per-loan", type=float, default=4.0)
    parser.add_argument("--ledger-only", action="store_true",
                        help="no borrower's file: the ledger's rules only (loans, inspections, "
                             "collections), as the 10M comparison of the ledger rules")
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
    sheets = {} if args.ledger_only else grow_file(
        net, collateral=args.collateral_per_loan, guarantees=args.guarantees_per_loan,
        financials=args.statements_per_loan)
    loans = net.loans
    if args.blanks > 0:
        rng = np.random.default_rng(7)
        for column in BLANKED:
            idx = np.flatnonzero(rng.random(len(loans)) < args.blanks)
            loans.loc[loans.index[idx], column] = np.nan
    extract = Extract(loans=loans, inspections=net.inspections,
                      collections=net.collections, branches=net.branches, fingerprint="bench",
                      **sheets)
    del net, loans
    if args.pieces > 1:
        from bench_dask import prefixed

        parts = [prefixed(extract, k) for k in range(args.pieces)]
        files = [prefixed_file(sheets, k) for k in range(args.pieces)]
        extract = Extract(
            loans=pd.concat([p.loans for p in parts], ignore_index=True),
            inspections=pd.concat([p.inspections for p in parts], ignore_index=True),
            collections=pd.concat([p.collections for p in parts], ignore_index=True),
            branches=extract.branches, fingerprint="bench",
            **{name: pd.concat([f[name] for f in files], ignore_index=True)
               for name in sheets})
        del parts, files
    del sheets
    print(f"generated {len(extract.loans):,} loans, {len(extract.inspections):,} inspection "
          f"rows, {len(extract.collections):,} collection rows in "
          f"{time.perf_counter() - t0:.1f} s ({args.pieces} piece(s); {args.blanks:.1%} of "
          f"loans blanked in each of {', '.join(BLANKED)})")
    print("borrower's file: " + ("none (--ledger-only)" if args.ledger_only else ", ".join(
        f"{len(getattr(extract, name)):,} {name} rows" for name in duckdb_rules.FILE_SHEETS)))
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
    file = not args.ledger_only
    sql = duckdb_rules.rule_sql(policy, AS_OF, file=file)
    rules = [r for r in RULE_IDS if r in sql and (file or r in report.rules_run)]
    not_compared = [r for r in RULE_IDS if r not in rules and (file or r in report.rules_run)]
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
        load_s, per_rule, duck_findings = duckdb_run(extract, policy, args.threads, file=file)
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
    queries = min(t - load for t, load in zip(duck_totals, duck_load, strict=True))
    print(f"against DuckDB's queries alone (its load excluded, {queries:.2f} s): ratio "
          f"{ours / queries:.2f}x (target at 10M <= 1.2x)")
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
