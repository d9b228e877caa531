"""A separate process writing to a store, for the concurrency and crash tests.

``python trail_worker.py DB NAME record-and-import K GO_FILE``: wait until GO_FILE exists, then
K times record a run of its own branch and import a filled workbook for it.
``python trail_worker.py DB NAME crash-import MARK_FILE``: record a run, fill its workbook,
import it, and stop dead inside the import transaction (after the UPDATE, before COMMIT),
writing MARK_FILE so the test knows when to kill it.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks_factory import make_loans  # noqa: E402

from postloan_audit.compliance.checks import run_checks  # noqa: E402
from postloan_audit.trail import (  # noqa: E402
    export_findings_workbook,
    import_findings_workbook,
    open_store,
)


def filled(store, run_id: int, values: dict[str, object]) -> bytes:
    buf = io.BytesIO()
    export_findings_workbook(store, buf, run_id=run_id)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["问题清单"]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        for header, value in values.items():
            ws.cell(row=r, column=col[header]).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ledger(name: str, n: int):
    cases = {f"{name}-{i}": {"overdue_days": 100, "branch": f"{name}支行"} for i in range(n)}
    return make_loans(cases)


def record_and_import(db: str, name: str, k: int, go: str) -> None:
    store = open_store(db, user=name)
    while not Path(go).exists():  # start together with the other worker
        time.sleep(0.01)
    loans = ledger(name, 2)
    for i in range(k):
        rec = store.record_run(run_checks(loans, as_of="2026-09-30", rules=["CLS-OVERDUE"]),
                               branches=loans["branch"])
        data = filled(store, rec.run_id, {"整改状态": "整改中", "责任人": f"{name}{i}"})
        import_findings_workbook(store, data, filename=f"{name}{i}.xlsx")


def crash_import(db: str, name: str, mark: str) -> None:
    from sqlalchemy import event

    store = open_store(db, user=name)
    loans = ledger(name, 200)
    rec = store.record_run(run_checks(loans, as_of="2026-09-30", rules=["CLS-OVERDUE"]),
                           branches=loans["branch"])
    data = filled(store, rec.run_id, {"整改状态": "整改中", "责任人": "王五"})

    @event.listens_for(store.engine, "after_cursor_execute")
    def _stop_dead(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("UPDATE RECTIFICATIONS"):
            Path(mark).write_text("updated, not committed", encoding="utf-8")
            while True:  # killed here by the test
                time.sleep(1)

    import_findings_workbook(store, data, filename="crash.xlsx")


if __name__ == "__main__":
    db, name, mode = sys.argv[1:4]
    if mode == "record-and-import":
        record_and_import(db, name, int(sys.argv[4]), sys.argv[5])
    elif mode == "crash-import":
        crash_import(db, name, sys.argv[4])
    else:
        raise SystemExit(f"unknown mode {mode}")
