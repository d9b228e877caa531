"""How serious something is, in one vocabulary (严重程度).

Three scales, each declared once:

- :class:`Severity` of a compliance finding (and of an on-site 不符合 item): ``high`` /
  ``medium`` / ``low``, read as 高 / 中 / 低;
- :data:`ISSUE_SEVERITIES` of what reading a file found (``Extract.issues``): ``error`` /
  ``warning`` / ``info``, read as 错误 / 警告 / 提示;
- :class:`Level` of an early-warning signal and of a borrower on the watch list (预警等级):
  ``red`` / ``orange`` / ``yellow``, read as 红 / 橙 / 黄.

Every table, workbook, page and command shows them through :data:`SEVERITY_ZH`,
:data:`ISSUE_SEVERITY_ZH` and :data:`LEVEL_ZH`; nothing else spells them out.
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


class Level(StrEnum):
    """An early-warning level (预警等级): red is the most serious."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"

    @property
    def zh(self) -> str:
        return LEVEL_ZH[self.value]

    @property
    def rank(self) -> int:
        """3 red, 2 orange, 1 yellow: a higher rank is more serious."""
        return LEVEL_RANK[self.value]


#: The warning levels, most serious first.
LEVELS: tuple[str, ...] = ("red", "orange", "yellow")
#: A warning level as users read it (红色/橙色/黄色预警 are said 红/橙/黄).
LEVEL_ZH: dict[str, str] = {"red": "红", "orange": "橙", "yellow": "黄"}
#: A warning level's rank: higher is more serious (0 is no level).
LEVEL_RANK: dict[str, int] = {"red": 3, "orange": 2, "yellow": 1}
