"""What a read says and sets aside (读取记录): issues, rejected rows and the row accounting.

Every stage of :func:`~postloan_audit.ingest.loader.load_extract` that has something to tell
the user notes it here, in the order it happens; the loader turns the tally into the
``issues``, ``rejected`` and ``accounting`` tables of the
:class:`~postloan_audit.core.extract.Extract` (columns in
:mod:`~postloan_audit.core.extract`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from postloan_audit.core.extract import ACCOUNTING_COLUMNS, ISSUE_COLUMNS, REJECTED_COLUMNS


def issue(severity: str, sheet: str | None, row: int | None, column: str | None, value,
          message: str) -> dict:
    """One line of ``Extract.issues``."""
    return {"severity": severity, "sheet": sheet, "row": row, "column": column,
            "value": value, "message": message}


@dataclass
class Tally:
    """Issues (in order), rejected rows (one frame per batch) and one accounting record per
    sheet read."""

    issues: list[dict] = field(default_factory=list)
    rejected: list[pd.DataFrame] = field(default_factory=list)
    accounting: list[dict] = field(default_factory=list)

    def note(self, severity: str, sheet: str | None, row: int | None, column: str | None,
             value, message: str) -> None:
        """Add one issue (see :func:`issue`)."""
        self.issues.append(issue(severity, sheet, row, column, value, message))

    def rejected_frame(self) -> pd.DataFrame:
        """``Extract.rejected``: every rejected row's problems, by sheet and row."""
        if not self.rejected:
            return pd.DataFrame({c: pd.Series(dtype="str") for c in REJECTED_COLUMNS}).astype(
                {"row": "int64"})
        out = pd.concat(self.rejected, ignore_index=True)
        return out.sort_values(["sheet", "row"], kind="stable").reset_index(drop=True)

    def issues_frame(self) -> pd.DataFrame:
        """``Extract.issues``: the notes, then one error per rejected row's problem."""
        frames = [pd.DataFrame(self.issues, columns=ISSUE_COLUMNS)]
        for rej in self.rejected:
            frames.append(pd.DataFrame({
                "severity": "error", "sheet": rej["sheet"], "row": rej["row"],
                "column": rej["column"], "value": rej["value"],
                "message": "该行已拒绝:" + rej["reason"],
            }))
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=ISSUE_COLUMNS)
        out = pd.concat(frames, ignore_index=True)
        out["row"] = out["row"].astype("Int64")
        return out

    def accounting_frame(self) -> pd.DataFrame:
        """``Extract.accounting``: one record per sheet read."""
        return pd.DataFrame(self.accounting, columns=ACCOUNTING_COLUMNS)
