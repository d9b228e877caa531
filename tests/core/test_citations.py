"""core.citations: one table of sources, citations by title and clause, a bank's own titles."""

from __future__ import annotations

import pickle

import pytest

from postloan_audit.core.citations import (
    SOURCES,
    Citation,
    cite,
    cites,
    render_citation,
    source_titles,
)


def test_a_citation_reads_as_the_document_names_itself():
    assert cite("work_plan", "篇三 一(一)") == "《贷后管理工作计划》篇三 一(一)"
    assert cite("personal_manual", "第八章 第四十五条") == "《个人贷后管理》第八章 第四十五条"
    assert cite("exam_bank", "单选题11") == "《合规教育考试题库——贷后管理部分》单选题11"
    assert cite("general_loan_rules", "第十二条") == "《贷款通则》第十二条"


def test_several_citations_read_one_after_the_other_and_a_clause_extends():
    both = cites(cite("work_plan", "篇三 二、(七)").then(" 1–2"), cite("personal_manual", "第八章"))
    assert both == "《贷后管理工作计划》篇三 二、(七) 1–2;《个人贷后管理》第八章"
    assert both.sources == ("work_plan", "personal_manual")


def test_a_bank_title_replaces_the_source_everywhere_it_is_cited():
    both = cites(cite("work_plan", "篇三 一(一)"), cite("work_plan", "篇四 5"))
    titles = {"work_plan": "《XX银行公司信贷贷后管理办法》"}
    assert both.render(titles) == "《XX银行公司信贷贷后管理办法》篇三 一(一);《XX银行公司信贷贷后管理办法》篇四 5"
    assert render_citation(both, titles) == both.render(titles)
    assert render_citation("纯文本", titles) == "纯文本"  # any other text is kept


def test_unknown_sources_are_refused_naming_them():
    with pytest.raises(KeyError, match="nope"):
        cite("nope", "第一条")
    with pytest.raises(KeyError, match="nope"):
        source_titles({"nope": "《X》"})


def test_a_citation_survives_pickling_with_its_parts():
    c = cites(cite("work_plan", "篇三"), cite("exam_bank", "单选题4"))
    back = pickle.loads(pickle.dumps(c))
    assert isinstance(back, Citation) and back == c and back.parts == c.parts


def test_no_title_names_a_file():
    for key, title in SOURCES.items():
        # a document by its title; the one exception is the bank's own practice (本行实践)
        assert title.startswith("《") or key == "bank_practice", key
        assert "_" not in title and "seed" not in title.lower()
