"""How serious something is, in one vocabulary (严重程度).

Two scales, each declared once:

- :class:`Severity` of a compliance finding (and of an on-site 不符合 item): ``high`` /
  ``medium`` / ``low``, read as 高 / 中 / 低;
- :data:`ISSUE_SEVERITIES` of what reading a file found (``Extract.issues``): ``error`` /
  ``warning`` / ``info``, read as 错误 / 警告 / 提示.

Every table, workbook, page and command shows them through :data:`SEVERITY_ZH` and
:data:`ISSUE_SEVERITY_ZH`; nothing else spells them out.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """How serious a finding is (严重程度)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def zh(self) -> str:
        return SEVERITY_ZH[self.value]


#: A finding's severity as users read it.
SEVERITY_ZH: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}

#: The severities of ``Extract.issues``, most serious first.
ISSUE_SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: An issue's severity as users read it.
ISSUE_SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
