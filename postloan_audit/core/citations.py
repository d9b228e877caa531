"""The sources the package cites (出处) and how a citation reads: one table, :data:`SOURCES`.

A citation is a source and a clause, as the document names them itself: 《贷后管理工作计划》
篇三 一(一), 《个人贷后管理》第四十五条, 《合规教育考试题库——贷后管理部分》单选题11, or a
regulation by name and article. Every rule of the compliance catalogue, every line of the
on-site checklist and every workpaper and list cites through it (:func:`cite`), so that:

* what users read never names a file: the source documents of the project (``shared/seeds/``:
  ``000_…`` 贷后管理工作计划(通用10篇); ``001_…`` 贷后管理工作计划【优秀5篇】, 篇三 a corporate
  post-loan manual; ``003_…`` 第一篇 个人贷后管理, 第三篇 合规教育考试题库——贷后管理部分, 第四篇
  贷后管理实施细则) are cited by their titles;
* a bank renames a source, or points it to its own 制度, in one place: the ``[sources]`` table of
  its policy file (``work_plan = "《XX银行公司信贷贷后管理办法》"``,
  :class:`~postloan_audit.compliance.policy.Policy`), and every citation of that source reads
  with its title (:meth:`Citation.render`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Source key → title, as the document names itself (a regulation with its number).
SOURCES: dict[str, str] = {
    # shared/seeds/000_…: 贷后管理工作计划(通用10篇), plans 1–10
    "work_plans_general": "《贷后管理工作计划(通用10篇)》",
    # shared/seeds/001_…: 贷后管理工作计划【优秀5篇】, 篇一–篇五 (篇三: the corporate manual)
    "work_plan": "《贷后管理工作计划》",
    # shared/seeds/003_… 第一篇: 个人贷后管理 (第八章 贷后管理, 第四十四条–第五十一条)
    "personal_manual": "《个人贷后管理》",
    # shared/seeds/003_… 第三篇: 合规教育考试题库——贷后管理部分
    "exam_bank": "《合规教育考试题库——贷后管理部分》",
    # shared/seeds/003_… 第四篇: 贷后管理实施细则
    "implementing_rules": "《贷后管理实施细则》",
    "risk_classification": "《商业银行金融资产风险分类办法》(银保监会 人民银行令〔2023〕第1号)",
    "general_loan_rules": "《贷款通则》",
    "collateral_guideline": "《商业银行押品管理指引》(银监发〔2017〕16号)",
    "personal_loan_measures": "《个人贷款管理办法》(2024)",
    # shared/seeds/004_…: 关于贷后管理培训与贷款回收分析的培训
    "post_loan_training": "《贷后管理培训与贷款回收分析》",
    "credit_risk_notice_2016": "《中国银监会关于进一步加强信用风险管理的通知》(银监发〔2016〕42号)",
    # thresholds a bank sets itself, with no seed or regulation behind them
    "bank_practice": "本行实践(银行设定)",
}
#: Between the parts of a citation that names several sources.
SEPARATOR = ";"


def _render(parts: tuple[tuple[str, str], ...], titles: Mapping[str, str]) -> str:
    return SEPARATOR.join(f"{titles[key]}{clause}" for key, clause in parts)


class Citation(str):
    """A citation: ``(source key, clause)`` parts; as text, it reads with the titles of
    :data:`SOURCES`.

    A ``str`` so that it reads as text wherever a citation is shown as is (a rule's
    ``citation``, a page's table); :meth:`render` reads it with a bank's own titles. Build it
    with :func:`cite` and :func:`cites`.
    """

    parts: tuple[tuple[str, str], ...]

    def __new__(cls, parts: Iterable[tuple[str, str]]) -> Citation:
        parts = tuple((str(key), str(clause)) for key, clause in parts)
        unknown = [key for key, _ in parts if key not in SOURCES]
        if unknown or not parts:
            raise KeyError(f"unknown source {unknown or '(none)'}; known: {', '.join(SOURCES)}")
        self = super().__new__(cls, _render(parts, SOURCES))
        self.parts = parts
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:  # type: ignore[override]
        return (self.parts,)

    def then(self, text: str) -> Citation:
        """This citation with ``text`` added to its last clause (``.then("(六)")``)."""
        *head, (key, clause) = self.parts
        return Citation([*head, (key, f"{clause}{text}")])

    def render(self, titles: Mapping[str, str] | None = None) -> str:
        """The citation as read with ``titles`` (source key → title; missing keys keep the
        title of :data:`SOURCES`)."""
        return _render(self.parts, {**SOURCES, **(titles or {})})

    @property
    def sources(self) -> tuple[str, ...]:
        """The source keys cited, in order."""
        return tuple(key for key, _ in self.parts)


def cite(source: str, clause: str = "") -> Citation:
    """A citation of ``source`` (a key of :data:`SOURCES`) at ``clause``, as the document
    numbers it (``cite("work_plan", "篇三 一(一)")``)."""
    return Citation([(source, clause)])


def cites(*citations: Citation) -> Citation:
    """Several citations as one (read one after the other, :data:`SEPARATOR` between)."""
    return Citation([part for c in citations for part in c.parts])


def source_titles(sources: Any = None) -> dict[str, str]:
    """The titles in force: :data:`SOURCES` with ``sources`` over it.

    ``sources`` is None, a mapping of source key → title, or anything with a
    ``source_titles()`` method (a :class:`~postloan_audit.compliance.policy.Policy`).
    """
    if sources is None:
        return dict(SOURCES)
    if hasattr(sources, "source_titles"):
        sources = sources.source_titles()
    unknown = [key for key in sources if key not in SOURCES]
    if unknown:
        raise KeyError(f"unknown source {unknown}; known: {', '.join(SOURCES)}")
    return {**SOURCES, **dict(sources)}


def render_citation(citation: Any, sources: Any = None) -> str:
    """``citation`` read with the titles in force (:func:`source_titles`); any other text is
    returned as it is."""
    if isinstance(citation, Citation):
        return citation.render(source_titles(sources))
    return "" if citation is None else str(citation)
