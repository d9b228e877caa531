"""Benchmark: the whole catalogue on 10,000,000 loans from a Parquet store through Dask.

Builds (once, into the git-ignored ``benchmarks/_data/``) a Parquet store of ``--pieces``
copies of one generated network of 1,000,000 loans (seed 2026, 40 branches), loan and
borrower ids prefixed by the piece so every piece's loans and borrowers are distinct, written
piece by piece with :class:`ParquetStoreWriter` so the driver never holds the book. Then runs ``run_checks(STORE, engine="dask", client=...)`` on a
``LocalCluster`` of ``--workers`` single-threaded workers with ``--memory-limit`` each, and
prints the time, the number of findings and the peak RSS of every worker (polled twice a
second with psutil), next to what the in-memory run would need: the in-memory frames of one
piece (measured) times the pieces, plus the run's own peak. Results are recorded in
docs/performance.md.

    .venv/bin/python benchmarks/bench_dask.py [--pieces 10] [--workers 2] [--memory-limit 3GiB]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

DATA = Path(__file__).parent / "_data"
AS_OF = "2026-09-30"

PIECE = """
import sys
import pandas as pd
from postloan_audit import Extract
from postloan_audit.synth.generator import generate_network
net = generate_network(loans=int(sys.argv[1]), branches=40, seed=2026, as_of="2026-09-30")
pd.to_pickle(Extract(loans=net.loans, inspections=net.inspections, collections=net.collections,
                     branches=net.branches), sys.argv[2])
"""


def piece_id_numbers(values, k: int):
    """The id numbers of piece ``k``: the generator's fake region ``990000`` becomes
    ``99`` + ``k`` in four digits and the check character is computed again (GB 11643 for a
    居民身份证号码, GB 32100 for a 统一社会信用代码), so that every piece's debtors are valid and
    different from every other piece's (a copy of a number would join two pieces' borrowers
    into one party)."""
    import numpy as np
    import pandas as pd

    from postloan_audit.parties.ids import (
        _RIC_CODES,
        _RIC_WEIGHTS,
        _USCC_VALUE,
        _USCC_WEIGHTS,
        USCC_ALPHABET,
    )

    text = pd.Series(values, dtype="str")
    if k == 0:
        return text
    region = f"99{k:04d}"
    out = text.to_numpy(dtype=object, na_value=None).copy()
    good = np.array([isinstance(v, str) and len(v) == 18 and v.isascii() for v in out])
    person = good & np.array([isinstance(v, str) and v.startswith("990000") for v in out])
    company = good & np.array([isinstance(v, str) and v.startswith("91990000") for v in out])
    if person.any():
        body = np.array([region + v[6:17] for v in out[person]])
        digits = np.frombuffer("".join(body).encode(), dtype=np.uint8).reshape(-1, 17) - 48
        check = _RIC_CODES[(digits.astype(np.int64) * _RIC_WEIGHTS).sum(axis=1) % 11]
        out[person] = [b + chr(c) for b, c in zip(body, check, strict=True)]
    if company.any():
        body = np.array(["91" + region + v[8:17] for v in out[company]])
        chars = np.frombuffer("".join(body).encode(), dtype=np.uint8).reshape(-1, 17)
        check = (31 - (_USCC_VALUE[chars] * _USCC_WEIGHTS).sum(axis=1) % 31) % 31
        out[company] = [b + USCC_ALPHABET[c] for b, c in zip(body, check, strict=True)]
    return pd.Series(out, index=text.index, dtype="str")


def prefixed(base, k: int):
    """Piece ``k`` of the book: the base network with loan and borrower ids prefixed by ``k``
    (so every piece's borrowers are distinct), the branches sheet in piece 0 only."""
    from postloan_audit import Extract

    tag = f"{k:02d}"

    def prefix(frame, cols):
        frame = frame.copy()
        for c in cols:
            frame[c] = (tag + frame[c]).astype("str")
        return frame

    loans = prefix(base.loans, ["loan_id", "borrower_id"])
    if "id_number" in loans.columns:
        loans["id_number"] = piece_id_numbers(loans["id_number"], k).to_numpy()
    return Extract(loans=loans,
                   inspections=prefix(base.inspections, ["loan_id"]),
                   collections=prefix(base.collections, ["loan_id"]),
                   branches=base.branches if k == 0 else None)


IN_MEMORY = """
import json, resource, sys, time
from postloan_audit import run_checks
from postloan_audit.ingest.parquet_store import read_parquet_store
start = time.perf_counter()
extract = read_parquet_store(sys.argv[1])
loaded = time.perf_counter() - start
report = run_checks(extract, as_of="2026-09-30")
print(json.dumps({"load_s": loaded, "check_s": time.perf_counter() - start - loaded,
                  "findings": len(report.findings),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build_store(pieces: int, loans: int) -> tuple[Path, list[dict]]:
    """The benchmark store (built once) and what each piece measured."""
    import pandas as pd

    from postloan_audit.ingest.parquet_store import ParquetStoreWriter, is_parquet_store

    root = DATA / f"dask_book_{pieces}x{loans}"
    info_path = root.with_suffix(".json")
    if is_parquet_store(root) and info_path.exists():
        return root, json.loads(info_path.read_text())
    DATA.mkdir(exist_ok=True)
    infos = []
    tmp = DATA / "_base_piece.pkl"
    if not tmp.exists():
        subprocess.run([sys.executable, "-c", PIECE, str(loans), str(tmp)], check=True)
    base = pd.read_pickle(tmp)
    with ParquetStoreWriter(root, fingerprint="benchmark", source_name=root.name,
                            as_of=pd.Timestamp(AS_OF).date()) as writer:
        for k in range(pieces):
            start = time.perf_counter()
            piece = prefixed(base, k)
            frames = (piece.loans, piece.inspections, piece.collections)
            info = {"rows": [len(f) for f in frames],
                    "frame_bytes": sum(int(f.memory_usage(deep=True).sum()) for f in frames)}
            writer.add(piece)
            info["seconds"] = time.perf_counter() - start
            infos.append(info)
            print(f"piece {k}: {info['rows']} rows in {info['seconds']:.1f} s", flush=True)
    info_path.write_text(json.dumps(infos))
    return root, infos


def poll_memory(client, stop: threading.Event, peaks: dict[str, float]) -> None:
    def rss() -> int:
        import psutil
        return psutil.Process().memory_info().rss

    while not stop.is_set():
        try:
            for worker, value in client.run(rss).items():
                peaks[worker] = max(peaks.get(worker, 0.0), value / 2**30)
        except Exception:  # noqa: BLE001 - a worker restarting; keep polling
            pass
        stop.wait(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=10)
    parser.add_argument("--loans", type=int, default=1_000_000, help="loans per piece")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GiB")
    parser.add_argument("--in-memory-piece", action="store_true",
                        help="also time the in-memory run on a one-piece store")
    args = parser.parse_args()

    from dask.distributed import Client, LocalCluster

    from postloan_audit import run_checks
    from postloan_audit.compliance import distributed

    root, infos = build_store(args.pieces, args.loans)
    total = sum(i["rows"][0] for i in infos)
    frames_gib = sum(i["frame_bytes"] for i in infos) / 2**30
    print(f"store {root.name}: {total:,} loans, "
          f"{sum(i['rows'][1] for i in infos):,} inspections, "
          f"{sum(i['rows'][2] for i in infos):,} collections; in-memory frames "
          f"{frames_gib:.1f} GiB", flush=True)
    if args.in_memory_piece:
        one, _ = build_store(1, args.loans)
        out = subprocess.run([sys.executable, "-c", IN_MEMORY, str(one)], check=True,
                             capture_output=True, text=True).stdout
        print("in-memory, one piece:", out.strip().splitlines()[-1], flush=True)

    with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                      memory_limit=args.memory_limit, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        peaks: dict[str, float] = {}
        stop = threading.Event()
        poller = threading.Thread(target=poll_memory, args=(client, stop, peaks), daemon=True)
        poller.start()
        start = time.perf_counter()
        report = run_checks(root, as_of=AS_OF, engine="dask", client=client)
        seconds = time.perf_counter() - start
        stop.set()
        poller.join()
    print(json.dumps({
        "loans": report.loans_checked, "findings": len(report.findings),
        "rules_run": len(report.rules_run), "seconds": round(seconds, 1),
        "loans_per_s": round(report.loans_checked / seconds),
        "workers": args.workers, "memory_limit": args.memory_limit,
        "partitions": -(-total // distributed.LOANS_PER_PARTITION),
        "peak_rss_gib_per_worker": {w: round(v, 2) for w, v in sorted(peaks.items())},
        "in_memory_frames_gib": round(frames_gib, 2),
    }, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
