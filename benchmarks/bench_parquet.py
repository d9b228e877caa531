"""Benchmark: a 1,000,000-loan CSV loaded, converted to a Parquet store, and the store loaded.

Uses the CSV of ``bench_load.py`` (generated once into ``benchmarks/_data/``), loads it in a
fresh child process, writes it with ``postloan-audit convert``'s function, then loads the
store in another fresh child process; prints seconds and peak RSS of each and checks that the
store reads back the same frames and fingerprint. Results are recorded in docs/performance.md.

    .venv/bin/python benchmarks/bench_parquet.py [--loans 1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_load import DATA, generate  # noqa: E402

CHILD = """
import json, resource, sys, time
import pandas as pd
import postloan_audit as pa
from postloan_audit.ingest.parquet_store import write_parquet_store
start = time.perf_counter()
extract = pa.load_extract(sys.argv[1])
seconds = time.perf_counter() - start
out = {"seconds": seconds, "loans": len(extract.loans), "fingerprint": extract.fingerprint,
       "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if sys.argv[2] == "write":
    start = time.perf_counter()
    write_parquet_store(extract, sys.argv[3])
    out["write_seconds"] = time.perf_counter() - start
    extract.loans.to_pickle(sys.argv[3] + ".loans.pkl")
elif sys.argv[2] == "compare":
    original = pd.read_pickle(sys.argv[3])
    pd.testing.assert_frame_equal(extract.loans, original, check_exact=True)
    out["same_loans"] = True
print(json.dumps(out))
"""


def run(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, *args], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    args = parser.parse_args()
    csv = generate(args.loans, "csv")
    store = DATA / f"store_{args.loans}"
    loaded = run(str(csv), "write", str(store))
    back = run(str(store), "compare", str(store) + ".loans.pkl")
    Path(str(store) + ".loans.pkl").unlink()
    size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20
    print(f"CSV load      {loaded['seconds']:6.2f} s  peak RSS {loaded['peak_mib']:,.0f} MiB  "
          f"({csv.stat().st_size / 2**20:.0f} MiB file)")
    print(f"convert write {loaded['write_seconds']:6.2f} s  ({size:.0f} MiB store)")
    print(f"store load    {back['seconds']:6.2f} s  peak RSS {back['peak_mib']:,.0f} MiB  "
          f"= {back['seconds'] / loaded['seconds']:.2f} × the CSV time; same loans frame: "
          f"{back['same_loans']}; same fingerprint: "
          f"{back['fingerprint'] == loaded['fingerprint']}")


if __name__ == "__main__":
    main()
