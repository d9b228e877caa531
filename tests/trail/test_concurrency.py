"""Two processes writing at once lose nothing; a process killed mid-import leaves nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from postloan_audit.trail import import_findings_workbook, open_store

WORKER = Path(__file__).with_name("trail_worker.py")
ROUNDS = 5


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Wait until ``path`` exists (the worker reached its point), failing if it died."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"worker exited early: {proc.stderr.read()}")
        assert time.monotonic() < deadline, "worker did not reach the import"
        time.sleep(0.02)


def test_two_processes_recording_and_importing_at_once_lose_nothing(db_url, tmp_path):
    open_store(db_url, user="setup").close()  # create the schema once
    go = tmp_path / "go"
    workers = [_spawn(db_url, name, "record-and-import", str(ROUNDS), str(go))
               for name in ("甲", "乙")]
    go.write_text("go")
    for w in workers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    store = open_store(db_url, user="check")
    runs = store.runs()
    assert len(runs) == 2 * ROUNDS
    assert runs.groupby("recorded_by").size().to_dict() == {"乙": ROUNDS, "甲": ROUNDS}
    assert sorted(runs["run_id"]) == list(range(1, 2 * ROUNDS + 1))
    # per scope, each run after the first carries both findings over
    for _, scope_runs in runs.groupby("scope"):
        assert sorted(scope_runs["carried_count"]) == [0] + [2] * (ROUNDS - 1)
    f = store.followup().set_index("finding_key")
    assert f["status"].to_dict() == {k: "整改中" for k in
                                     ["CLS-OVERDUE|乙-0|", "CLS-OVERDUE|乙-1|",
                                      "CLS-OVERDUE|甲-0|", "CLS-OVERDUE|甲-1|"]}
    assert f["responsible"].to_dict() == {"CLS-OVERDUE|乙-0|": f"乙{ROUNDS - 1}",
                                          "CLS-OVERDUE|乙-1|": f"乙{ROUNDS - 1}",
                                          "CLS-OVERDUE|甲-0|": f"甲{ROUNDS - 1}",
                                          "CLS-OVERDUE|甲-1|": f"甲{ROUNDS - 1}"}
    assert len(store.imports()) == 2 * ROUNDS
    log = store.changes()
    # per worker: ROUNDS run entries, 2 first-seen, first import 2 status + 2 responsible,
    # each later import 2 responsible
    per_worker = ROUNDS + 2 + 4 + 2 * (ROUNDS - 1)
    assert log.groupby("who").size().to_dict() == {"乙": per_worker, "甲": per_worker}
    assert log["change_id"].is_monotonic_increasing and log["change_id"].is_unique
    store.close()


def test_a_process_killed_mid_import_leaves_the_store_as_before(db_url, tmp_path):
    mark = tmp_path / "mark"
    worker = _spawn(db_url, "丙", "crash-import", str(mark))
    _wait_for(mark, worker)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL
    store = open_store(db_url, user="check")
    f = store.followup()
    assert len(f) == 200 and set(f["status"]) == {"待整改"} and f["responsible"].isna().all()
    assert store.imports().empty
    log = store.changes()
    assert len(log) == 1 + 200 and set(log["field"]) == {"recorded", "status"}
    # the store is usable at once: the same import goes through afterwards
    from trail_worker import filled

    result = import_findings_workbook(store, filled(store, 1, {"整改状态": "整改中"}))
    assert result.changed == 200
    assert set(store.followup()["status"]) == {"整改中"}
    store.close()
