"""The :class:`Extract` result of :func:`postloan_audit.load_extract`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractTypeError
from postloan_audit.core.provenance import Provenance, with_legacy

#: The optional sheets an extract may hold, in schema order (every sheet but ``loans``).
OPTIONAL_SHEETS: tuple[str, ...] = tuple(name for name in schema.SHEETS if name != "loans")
#: Columns of :attr:`Extract.rejected`.
REJECTED_COLUMNS = ["sheet", "row", "column", "value", "reason"]
#: Columns of :attr:`Extract.issues`.
ISSUE_COLUMNS = ["severity", "sheet", "row", "column", "value", "message"]
#: Columns of :attr:`Extract.accounting`.
ACCOUNTING_COLUMNS = ["sheet", "source_sheet", "rows_read", "kept", "rejected", "summary_rows",
                      "blank_rows"]


@dataclass(init=False)
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
    collateral, guarantees, financials, external, lists:
        The borrower's file (押品, 保证, 财务报表, 外部信息, 名单), optional sheets in canonical
        form (``docs/extract-format.md``), or None when the file has no such sheet.
    rejected:
        One row per problem of a rejected row: ``sheet``, ``row`` (spreadsheet row number,
        header included), ``column``, ``value``, ``reason`` (Chinese / English).
    issues:
        Every error, warning and note: ``severity`` (``error`` / ``warning`` / ``info``),
        ``sheet``, ``row``, ``column``, ``value``, ``message``.
    accounting:
        Per sheet: ``rows_read`` = ``kept`` + ``rejected`` + ``summary_rows``; ``blank_rows``
        (entirely empty rows, skipped) are counted beside the identity.
    provenance:
        A :class:`~postloan_audit.core.provenance.Provenance`: ``fingerprint`` (sha256 of the
        source bytes), ``source_name`` (the file name), ``as_of`` (the extract date: the
        ``as_of`` argument, else a date in a title row or the file name, else None),
        ``profile`` (the export profile (导出配置) the file was read with, or None),
        ``created_at`` (when it was read) and ``version``.
    fingerprint, source_name, as_of, profile_name, profile_sha256:
        Read-only aliases of the provenance fields (the constructor still takes them).
    """

    loans: pd.DataFrame
    inspections: pd.DataFrame | None
    collections: pd.DataFrame | None
    branches: pd.DataFrame | None
    collateral: pd.DataFrame | None
    guarantees: pd.DataFrame | None
    financials: pd.DataFrame | None
    external: pd.DataFrame | None
    lists: pd.DataFrame | None
    rejected: pd.DataFrame
    issues: pd.DataFrame
    accounting: pd.DataFrame
    provenance: Provenance

    def __init__(self, loans: pd.DataFrame, inspections: pd.DataFrame | None = None,
                 collections: pd.DataFrame | None = None,
                 branches: pd.DataFrame | None = None, rejected: pd.DataFrame | None = None,
                 issues: pd.DataFrame | None = None, accounting: pd.DataFrame | None = None,
                 provenance: Provenance | None = None, *,
                 collateral: pd.DataFrame | None = None, guarantees: pd.DataFrame | None = None,
                 financials: pd.DataFrame | None = None, external: pd.DataFrame | None = None,
                 lists: pd.DataFrame | None = None, **legacy: Any) -> None:
        unknown = set(legacy) - {"fingerprint", "source_name", "as_of", "profile_name",
                                 "profile_sha256"}
        if unknown:
            raise TypeError(f"Extract() got unexpected keyword arguments {sorted(unknown)}")
        self.loans = loans
        self.inspections = inspections
        self.collections = collections
        self.branches = branches
        self.collateral = collateral
        self.guarantees = guarantees
        self.financials = financials
        self.external = external
        self.lists = lists
        self.rejected = (pd.DataFrame(columns=REJECTED_COLUMNS) if rejected is None
                         else rejected)
        self.issues = pd.DataFrame(columns=ISSUE_COLUMNS) if issues is None else issues
        self.accounting = (pd.DataFrame(columns=ACCOUNTING_COLUMNS) if accounting is None
                           else accounting)
        if provenance is None:
            provenance = Provenance(fingerprint="", source_name="")
        self.provenance = with_legacy(provenance, legacy)

    @property
    def fingerprint(self) -> str:
        """sha256 of the source bytes (``provenance.fingerprint``)."""
        return self.provenance.fingerprint

    @property
    def source_name(self) -> str:
        """The file name (``provenance.source_name``)."""
        return self.provenance.source_name

    @property
    def as_of(self) -> dt.date | None:
        """The extract date (``provenance.as_of``)."""
        return self.provenance.as_of

    @property
    def profile_name(self) -> str | None:
        """The export profile's name (``provenance.profile.name``), or None."""
        return self.provenance.profile_name

    @property
    def profile_sha256(self) -> str | None:
        """The export profile text's sha256, or None."""
        return self.provenance.profile_sha256

    def sheet(self, name: str) -> pd.DataFrame | None:
        """An optional sheet by its canonical name (``inspections`` … ``lists``), or None."""
        if name not in OPTIONAL_SHEETS:
            raise KeyError(f"unknown sheet {name!r}; known: {', '.join(OPTIONAL_SHEETS)}")
        return getattr(self, name)

    @property
    def sheets(self) -> dict[str, pd.DataFrame | None]:
        """Every optional sheet by canonical name, None where the file has none."""
        return {name: getattr(self, name) for name in OPTIONAL_SHEETS}

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
        if self.profile_name is not None:
            lines.append(f"导出配置 {self.profile_name}(sha256 {self.profile_sha256[:12]})")
        for rec in acc.to_dict("records"):
            lines.append(
                f"{rec['sheet']}({rec['source_sheet']}):读取 {rec['rows_read']} 行,"
                f"保留 {rec['kept']} 行,拒绝 {rec['rejected']} 行,合计行 {rec['summary_rows']} 行"
            )
        return "\n".join(lines)


def as_extract(data: Extract | pd.DataFrame, *, argument: str = "data") -> Extract:
    """``data`` as an :class:`Extract`: an extract as it is, a loans DataFrame wrapped in one
    (no other sheet; its provenance has no fingerprint and no source name, both None).

    Every capability that takes "an extract or a loans frame" unpacks it here, so they all
    accept the same things and refuse the rest the same way.

    Raises
    ------
    ExtractTypeError
        ``data`` is neither (the message names ``argument`` and the type received).
    """
    if isinstance(data, Extract):
        return data
    if isinstance(data, pd.DataFrame):
        return Extract(loans=data, provenance=Provenance(fingerprint=None, source_name=None))
    raise ExtractTypeError(
        f"{argument} 须为 Extract(load_extract 的结果)或贷款 DataFrame,收到 {type(data).__name__}。"
        f" / {argument} must be an Extract (from load_extract) or a loans DataFrame, got"
        f" {type(data).__name__}.")
