"""The package's exception tree.

Every problem a user can cause by handing us a file ends up as one of these, with a message in
Simplified Chinese first and English alongside, naming the file, the sheet and what to fix.
"""

from __future__ import annotations


class PostloanAuditError(Exception):
    """Base class of every error this package raises on purpose."""


class ExtractError(PostloanAuditError, ValueError):
    """A file cannot be read as a loan extract (文件无法作为贷款台账读取).

    Attributes
    ----------
    source_name, sheet:
        Where the problem is (file name; sheet name or None for the whole file).
    problem:
        A short machine-readable tag: ``empty``, ``unreadable``, ``no_loans_sheet``,
        ``missing_columns``, ``no_data_rows``.
    """

    def __init__(self, message: str, *, source_name: str | None = None, sheet: str | None = None,
                 problem: str = "unreadable", details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source_name = source_name
        self.sheet = sheet
        self.problem = problem
        self.details = details or {}


class PolicyError(PostloanAuditError, ValueError):
    """A policy file or value is invalid (参数配置错误); the message names the key."""


class ProfileError(PolicyError):
    """An export profile (导出配置) is invalid; the message names the key, the line and the
    allowed values.

    Attributes
    ----------
    source:
        The profile's file name.
    key:
        The dotted key at fault, e.g. ``headers.loans."开户机构"``.
    line:
        The 1-based line of the TOML text holding the key, or None when it cannot be told.
    allowed:
        The values that would have been accepted (may be empty).
    """

    def __init__(self, message: str, *, source: str = "", key: str = "", line: int | None = None,
                 allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.key = key
        self.line = line
        self.allowed = tuple(allowed)


#: Accepted headers shown per missing column in a short message (the rest behind
#: ``--verbose`` or an expander).
CLOSEST_HEADERS = 3


def short_missing_columns(exc: ExtractError, *, more: str, more_en: str) -> str | None:
    """A missing-columns message with only the :data:`CLOSEST_HEADERS` accepted headers
    closest to the headers found, ending with ``more`` / ``more_en`` (where the full list of
    aliases is: ``--verbose`` on the CLI, an expander on a page); None if ``exc`` is not a
    missing-columns error."""
    import difflib

    from postloan_audit.core import schema

    missing = exc.details.get("missing") if exc.problem == "missing_columns" else None
    if not missing:
        return None
    found = [h for h in exc.details.get("headers", []) if str(h).strip()]
    sheet = next((s for s in schema.SHEETS.values()
                  if all(c in s.column_index for c in missing)), None)
    if sheet is None:
        return None
    where = exc.message.split("缺少必填列:")[0]
    parts = []
    for column in missing:
        accepted = schema.accepted_headers(sheet.name, column)
        close: list[str] = []
        for header in found:
            close += difflib.get_close_matches(str(header), accepted, n=CLOSEST_HEADERS,
                                               cutoff=0.3)
        shown = list(dict.fromkeys(close + [sheet.column_index[column].zh]))[:CLOSEST_HEADERS]
        parts.append(f"{sheet.column_index[column].zh}({column}),可用列名如 / accepted e.g. "
                     + "、".join(f"「{h}」" for h in shown))
    headers = "、".join(f"「{h}」" for h in found) or "(无 / none)"
    return (f"{where}缺少必填列:{';'.join(parts)}。读到的表头:{headers}。请把列名改为可识别的名称;"
            f"{more}。 / Missing required column(s) {', '.join(missing)}; {more_en}.")
