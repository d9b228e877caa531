"""The :class:`Extract` result of :func:`postloan_audit.load_extract`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

#: Columns of :attr:`Extract.rejected`.
REJECTED_COLUMNS = ["sheet", "row", "column", "value", "reason"]
#: Columns of :attr:`Extract.issues`.
ISSUE_COLUMNS = ["severity", "sheet", "row", "column", "value", "message"]
#: Columns of :attr:`Extract.accounting`.
ACCOUNTING_COLUMNS = ["sheet", "source_sheet", "rows_read", "kept", "rejected", "summary_rows",
                      "blank_rows"]


@dataclass
class Extract:
    """A loaded loan-ledger extract (贷款台账), in canonical form.

    Attributes
    ----------
    loans:
        One row per kept loan: the canonical columns found in the file (see
        ``docs/extract-format.md``), the derived ``secured`` flag and ``source_row`` (the
        spreadsheet row number the loan came from), ``source_sheet`` (the sheet it came from:
        every visible loans sheet of a workbook is read) and, with a currency column, the
        derived ``foreign_currency`` flag. Optional columns absent from the file are
        absent here too, so a rule can tell "not provided" from "empty".
    inspections, collections, branches:
        The optional sheets in canonical form, or None when the file has no such sheet.
    rejected:
        One row per problem of a rejected row: ``sheet``, ``row`` (spreadsheet row number,
        header included), ``column``, ``value``, ``reason`` (Chinese / English).
    issues:
        Every error, warning and note: ``severity`` (``error`` / ``warning`` / ``info``),
        ``sheet``, ``row``, ``column``, ``value``, ``message``.
    accounting:
        Per sheet: ``rows_read`` = ``kept`` + ``rejected`` + ``summary_rows``; ``blank_rows``
        (entirely empty rows, skipped) are counted beside the identity.
    fingerprint:
        sha256 of the source bytes.
    source_name:
        The file name.
    as_of:
        The extract date: the ``as_of`` argument, else a date in a title row or the file name,
        else None.
    """

    loans: pd.DataFrame
    inspections: pd.DataFrame | None = None
    collections: pd.DataFrame | None = None
    branches: pd.DataFrame | None = None
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECTED_COLUMNS))
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    accounting: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=ACCOUNTING_COLUMNS))
    fingerprint: str = ""
    source_name: str = ""
    as_of: dt.date | None = None

    @property
    def branch_names(self) -> list[str]:
        """Sorted branch names present in :attr:`loans`."""
        return sorted(self.loans["branch"].dropna().unique().tolist())

    def summary(self) -> str:
        """A short Chinese summary of what was read (读取结果)."""
        acc = self.accounting
        lines = [f"文件 {self.source_name}(指纹 {self.fingerprint[:12]})"]
        if self.as_of is not None:
            lines.append(f"数据日期 {self.as_of:%Y-%m-%d}")
        for rec in acc.to_dict("records"):
            lines.append(
                f"{rec['sheet']}({rec['source_sheet']}):读取 {rec['rows_read']} 行,"
                f"保留 {rec['kept']} 行,拒绝 {rec['rejected']} 行,合计行 {rec['summary_rows']} 行"
            )
        return "\n".join(lines)
