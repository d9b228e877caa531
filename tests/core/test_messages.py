"""The message catalogue: every problem and cause renders, errors carry their facts, and the
short missing-columns message is rendered from the facts, not cut out of the long one."""

from __future__ import annotations

import re

import pytest

import postloan_audit as pa
from postloan_audit.core import messages
from postloan_audit.core.errors import ExtractError, Problem, short_missing_columns

CJK = re.compile("[\u4e00-\u9fff]")


def test_every_problem_has_a_renderer_and_its_causes():
    assert set(messages.CATALOGUE) == set(Problem) == set(messages.CAUSES)


@pytest.mark.parametrize(("problem", "cause"), [
    (problem, cause) for problem, causes in messages.CAUSES.items() for cause in causes])
def test_every_cause_renders_chinese_first_then_english(problem, cause):
    text = messages.extract_message(problem, cause, file="台账.xlsx", sheet="贷款台账")
    assert " / " in text
    assert CJK.search(text.split(" / ", 1)[0])
    assert re.search("[A-Za-z]{3}", text.rsplit(" / ", 1)[1])


LIBRARY_TEXT = "Cannot detect file format"


@pytest.mark.parametrize(("problem", "cause"), [
    (problem, cause) for problem, causes in messages.CAUSES.items() for cause in causes])
def test_library_text_never_sits_inside_a_chinese_sentence(problem, cause):
    """A library's own message (English) goes after the ``/``, never into the Chinese part."""
    text = messages.extract_message(problem, cause, file="台账.xlsx", sheet="贷款台账",
                                    error=LIBRARY_TEXT, manifest="manifest.json", frame="loans")
    assert LIBRARY_TEXT not in text.split(" / ", 1)[0]


def test_toml_where_reads_the_parsers_place():
    assert messages.toml_where(ValueError("Invalid value (at line 2, column 10)")) == \
        "(第 2 行第 10 列)"
    assert messages.toml_where(ValueError("Invalid value")) == ""


def test_an_unknown_cause_is_refused():
    with pytest.raises(KeyError):
        messages.extract_message(Problem.EMPTY, "no_such_cause", file="a.csv")


def test_an_error_from_facts_keeps_the_facts_and_the_enum():
    err = ExtractError.from_facts(Problem.BAD_UNIT, "column", source_name="台账.csv",
                                  sheet="loans", is_text=True, column="extension_months",
                                  zh_column="展期月数", header="展期期限(万元)", unit="万元",
                                  allowed=("天", "月", "年"))
    assert err.problem is Problem.BAD_UNIT and err.problem == "bad_unit"
    assert err.details == {"cause": "column", "is_text": True, "column": "extension_months",
                           "zh_column": "展期月数", "header": "展期期限(万元)", "unit": "万元",
                           "allowed": ("天", "月", "年")}
    assert str(err) == (
        "文件 台账.csv 的列「展期期限(万元)」(展期月数)标注的单位「万元」不适用于该列(可用单位:天、月、年)。"
        "请改正表头后重试。 / file 台账.csv: column '展期期限(万元)' (extension_months) carries"
        " the unit '万元', which it cannot take (allowed: 天, 月, 年).")


def test_the_short_missing_columns_message_is_rendered_from_the_details():
    data = "借据号,客户号,客户名称,经营机构,贷款余额,担保方式\nL001,C001,张三,城关支行,1000,信用\n"
    with pytest.raises(ExtractError) as err:
        pa.load_extract(data.encode("utf-8"), filename="no_class.csv")
    details = err.value.details
    assert details["cause"] == "required" and details["missing"] == ["classification"]
    assert details["headers"] == ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "担保方式"]
    short = short_missing_columns(err.value, more="加 --verbose 列出全部可用列名",
                                  more_en="add --verbose to list every accepted header")
    assert short == (
        "文件 no_class.csv 缺少必填列:五级分类(classification),可用列名如 / accepted e.g. 「贷款五级分类」、"
        "「五级分类」。"
        "读到的表头:「借据号」、「客户号」、「客户名称」、「经营机构」、「贷款余额」、「担保方式」。"
        "请把列名改为可识别的名称;加 --verbose 列出全部可用列名。 / Missing required column(s)"
        " classification; add --verbose to list every accepted header.")
    # The message is not read: the same details under another message render the same.
    err.value.message = "(changed)"
    assert short_missing_columns(err.value, more="加 --verbose 列出全部可用列名",
                                 more_en="add --verbose to list every accepted header") == short


def test_the_short_message_is_none_for_other_problems():
    err = ExtractError.from_facts(Problem.EMPTY, "file", source_name="a.csv")
    assert short_missing_columns(err, more="m", more_en="m") is None


def test_a_date_error_is_rendered_by_the_catalogue():
    from postloan_audit.core.dates import coerce_date
    from postloan_audit.core.errors import DateError

    with pytest.raises(DateError) as err:
        coerce_date("2026-02-30", what=("检查日期", "check date"))
    assert str(err.value) == messages.date_message("2026-02-30", ("检查日期", "check date"))
