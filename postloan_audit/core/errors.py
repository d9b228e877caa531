"""The package's exception tree (错误类型).

Every problem a user can cause (a file, an argument, a policy, a returned workbook) ends up as
one of these, with a message in Simplified Chinese first and English alongside, naming the
file, the sheet or the argument and what to fix::

    PostloanAuditError
    ├── ExtractError (ValueError)      a file cannot be read as an extract; ``problem`` tells why
    ├── PolicyError (ValueError)       a policy file or value
    │   └── ProfileError               an export profile
    ├── DateError (ValueError)         a date that is not one (``2026-02-30``)
    ├── ExtractTypeError (TypeError)   an argument is neither an Extract nor a loans frame
    ├── SamplingError (ValueError)     a sampling argument (a negative seed, an unknown branch)
    ├── WorkpaperError (ValueError)    a filled-in workpaper's contents
    ├── SharedLoansError (ValueError)  extracts checked together share loan ids
    ├── ListError (ValueError)         a monthly list cannot be made as asked (a month that is
    │                                  not ``YYYY-MM``, a missing column, snapshots out of order)
    └── TrailError (ValueError)        the audit trail cannot be used as asked
        └── ImportRefused              a returned workbook failed validation, nothing applied

Each is also a :class:`ValueError`, so callers that caught ``ValueError`` keep working; the
command line turns every one of them into exit code 2 and its message, without a traceback.
An :class:`ExtractError` is data: a :class:`Problem`, a cause and the facts, its message
rendered by the catalogue in :mod:`~postloan_audit.core.messages` (as is a
:class:`DateError`'s).
"""

from __future__ import annotations

from typing import Any

from postloan_audit.core.messages import (  # noqa: F401 - Problem and CLOSEST_HEADERS re-exported
    CLOSEST_HEADERS,
    Problem,
    date_message,
    extract_message,
)
from postloan_audit.core.messages import short_missing_columns as _short_missing_columns


class PostloanAuditError(Exception):
    """Base class of every error this package raises on purpose."""


class ExtractError(PostloanAuditError, ValueError):
    """A file cannot be read as a loan extract (文件无法作为贷款台账读取).

    Attributes
    ----------
    source_name, sheet:
        Where the problem is (file name; sheet name or None for the whole file).
    problem:
        Why, a :class:`Problem` (it compares equal to its text: ``"missing_columns"``).
    details:
        The structured facts behind the message: ``cause`` (the situation, see
        :mod:`~postloan_audit.core.messages`) and the facts its message is rendered from
        (``missing`` and ``headers`` for missing columns, ``column``, ``header`` and ``unit``
        for a bad unit …), for a door to render its own shorter message from.
    """

    def __init__(self, message: str, *, source_name: str | None = None, sheet: str | None = None,
                 problem: Problem | str = Problem.UNREADABLE, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source_name = source_name
        self.sheet = sheet
        self.problem = Problem(problem)
        self.details = details or {}

    @classmethod
    def from_facts(cls, problem: Problem, cause: str, *, source_name: str | None,
                   sheet: str | None = None, **facts: Any) -> ExtractError:
        """The error of ``problem`` with its message rendered from the facts by the catalogue
        (:func:`~postloan_audit.core.messages.extract_message`); ``details`` holds the cause
        and the facts."""
        message = extract_message(problem, cause, file=source_name, sheet=sheet, **facts)
        return cls(message, source_name=source_name, sheet=sheet, problem=problem,
                   details={"cause": cause, **facts})


class PolicyError(PostloanAuditError, ValueError):
    """A policy file or value is invalid (参数配置错误); the message names the key."""


class DateError(PostloanAuditError, ValueError):
    """A value given as a date is not one (日期无效), see
    :func:`~postloan_audit.core.dates.coerce_date`.

    Attributes
    ----------
    value:
        The value as given.
    what:
        What the date is, in Chinese and English (``("检查日期", "check date")``).
    """

    def __init__(self, value: Any, *, what: tuple[str, str] = ("日期", "date")) -> None:
        self.value = value
        self.what = what
        self.message = date_message(value, what)
        super().__init__(self.message)


class ExtractTypeError(PostloanAuditError, TypeError, ValueError):
    """An argument that should be an extract or a loans frame is neither (数据类型错误)."""


class SamplingError(PostloanAuditError, ValueError):
    """A sampling argument cannot be used (抽样参数错误): a negative seed, a rate outside its
    range, a branch the data does not hold. The message names the argument and the value."""


class ListError(PostloanAuditError, ValueError):
    """A monthly list (月度名单: 到期提示表, 结清名单) cannot be made as asked (名单参数错误): a
    month that is not ``YYYY-MM``, a column the list needs, a snapshot with a loan id twice,
    snapshots given in the wrong order. The message names the argument and the value."""


class AnalyticsError(PostloanAuditError, ValueError):
    """An audit analysis (审计分析: 同一债务人识别, 担保圈, 大额风险暴露, 首位数字检验, 两期比对)
    cannot be made as asked: a column or sheet it needs, a capital amount not given, an
    argument out of range. The message names what is missing and what to set."""


class WorkpaperError(PostloanAuditError, ValueError):
    """A workpaper filled in and uploaded cannot be used as it is (回传底稿内容有误): a column
    changed, a cell blank or unreadable, loan ids that are not the sample's. The message names
    the sheet, the column and the rows."""


class TrailError(PostloanAuditError, ValueError):
    """The audit trail cannot be used as asked (记录库错误): a newer schema, a bad URL, a bad
    import."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImportRefused(TrailError):
    """A returned workbook failed validation; nothing of it was applied (回传工作簿未通过校验).

    Attributes
    ----------
    refused:
        One row per problem: ``excel_row``, ``finding_key``, ``problem``.
    file_name:
        The workbook's name.
    """

    def __init__(self, file_name: str, refused: Any, *, sheet: str) -> None:
        lines = [f"  {sheet} 第 {r['excel_row']} 行:{r['problem']}"
                 for r in refused.to_dict("records")]
        n = refused["excel_row"].nunique()
        super().__init__(
            f"文件 {file_name} 有 {n} 行未通过校验,未导入任何内容,请改正后重新上传"
            f" / {n} row(s) of {file_name} refused, nothing applied:\n" + "\n".join(lines))
        self.refused = refused
        self.file_name = file_name


class SharedLoansError(PostloanAuditError, ValueError):
    """Extracts checked together share loan ids (借据号), which would be counted twice
    (多个文件借据号重复); nothing was checked.

    Attributes
    ----------
    source_names:
        The files holding a shared loan id, in the order given.
    shared:
        How many loan ids appear in more than one file.
    examples:
        A few of them (the smallest, sorted).
    """

    def __init__(self, message: str, *, source_names: tuple[str, ...], shared: int,
                 examples: tuple[str, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.source_names = source_names
        self.shared = shared
        self.examples = examples


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


def short_missing_columns(exc: ExtractError, *, more: str, more_en: str) -> str | None:
    """A missing-columns message with only the :data:`CLOSEST_HEADERS` accepted headers
    closest to the headers found, ending with ``more`` / ``more_en`` (where the full list of
    aliases is: ``--verbose`` on the CLI, an expander on a page); None if ``exc`` is not a
    missing-columns error. Rendered from ``exc.details``
    (:func:`postloan_audit.core.messages.short_missing_columns`)."""
    if exc.problem != Problem.MISSING_COLUMNS:
        return None
    return _short_missing_columns(exc.details, file=exc.source_name, sheet=exc.sheet,
                                  more=more, more_en=more_en)
