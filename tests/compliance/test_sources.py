"""Sources in the policy ([sources]) and what users read: no file name of the source documents.

Checked on rendered outputs of hand-built data: list_rules(), the messages and citations of
run_checks, the findings workbook's cells, the on-site workpaper's and the lists' cells.
"""

from __future__ import annotations

import io
import re

import pytest
from checks_factory import AS_OF, make_loans
from openpyxl import load_workbook
from printed_workbooks import extract, ledger

from postloan_audit import Policy, PolicyError, draw_sample, run_checks, write_findings_workbook
from postloan_audit.compliance.checks import list_rules
from postloan_audit.compliance.rules import CATALOGUE
from postloan_audit.portfolio.lists import maturity_list, write_maturity_list
from postloan_audit.supervision.workpaper import write_sample_workpaper

#: A file name of shared/seeds/ or a word naming them.
FILE_NAMES = re.compile(r"00[0-4]_|`|seed", re.IGNORECASE)
BANK = {"work_plan": "《XX银行公司信贷贷后管理办法》", "personal_manual": "《XX银行个人贷款贷后管理办法》"}


def _cells(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def _report(policy: Policy | None = None):
    loans = make_loans({"overdue": {"overdue_days": 100},
                        "late": {"last_inspection_date": "2025-10-10"}})
    return run_checks(loans, as_of=AS_OF, policy=policy)


def test_the_policy_renames_a_source_and_every_citation_of_it_follows():
    policy = Policy.from_toml_text('[sources]\nwork_plan = "《XX银行公司信贷贷后管理办法》"\n')
    assert policy.sources == (("work_plan", "《XX银行公司信贷贷后管理办法》"),)
    table = list_rules(policy).set_index("rule_id")["citation"]
    assert table["INSP-FIRST"] == "《XX银行公司信贷贷后管理办法》篇三 二、(七)贷后检查报告"
    assert table["CLS-OVERDUE"] == str(CATALOGUE["CLS-OVERDUE"].citation)  # cites no plan
    findings = _report(policy).findings.set_index("rule_id")["citation"]
    assert findings["INSP-FREQ"].startswith("《XX银行公司信贷贷后管理办法》篇三 二、(七)")
    assert dict(policy.items())["sources.work_plan"] == "《XX银行公司信贷贷后管理办法》"


def test_sources_round_trip_and_a_default_policy_keeps_its_text():
    policy = Policy.from_dict({"sources": BANK})
    assert Policy.from_dict(policy.to_dict()) == policy
    assert Policy.from_dict(policy.to_dict()).source_titles()["personal_manual"] == BANK[
        "personal_manual"]
    assert "sources" not in Policy.default().to_dict()
    assert policy.replace(inspection={"individual_months": 3}).sources == policy.sources


@pytest.mark.parametrize(("sources", "message"), [
    ({"seed_001": "《X》"}, "未知出处代码 sources.seed_001 / unknown source key sources.seed_001"),
    ({"work_plan": ""}, "参数 sources.work_plan 应为一行文字"),
    ({"work_plan": 3}, "参数 sources.work_plan 应为一行文字"),
    ({"work_plan": "《一》\n《二》"}, "参数 sources.work_plan 应为一行文字"),
    ("《X》", "参数 sources 应为表"),
])
def test_a_wrong_source_is_a_policy_error_naming_the_key(sources, message):
    with pytest.raises(PolicyError) as info:
        Policy.from_dict({"sources": sources})
    assert str(info.value).startswith(message)


def test_list_rules_and_the_rule_messages_name_no_file():
    table = list_rules()
    assert FILE_NAMES.findall(" ".join(table.astype(str).to_numpy().ravel())) == []
    findings = _report().findings
    assert len(findings) == 2
    text = " ".join(findings[["message", "citation"]].astype(str).to_numpy().ravel())
    assert FILE_NAMES.findall(text) == []


def test_the_workbooks_name_no_file_and_cite_the_banks_titles():
    buffer = io.BytesIO()
    write_findings_workbook(_report(Policy.from_dict({"sources": BANK})), buffer)
    findings = _cells(buffer.getvalue())
    assert FILE_NAMES.findall(" ".join(findings)) == []
    assert any(cell.startswith("《XX银行公司信贷贷后管理办法》篇三") for cell in findings)

    buffer = io.BytesIO()
    write_sample_workpaper(draw_sample(extract(), seed=7), buffer, sources=BANK)
    workpaper = _cells(buffer.getvalue())
    assert FILE_NAMES.findall(" ".join(workpaper)) == []
    assert "《XX银行个人贷款贷后管理办法》第八章 第四十五条(一)" in workpaper
    assert "《XX银行公司信贷贷后管理办法》篇三 一(一)" in workpaper

    buffer = io.BytesIO()
    write_maturity_list(maturity_list(extract(ledger()), month="2026-10"), buffer)
    assert FILE_NAMES.findall(" ".join(_cells(buffer.getvalue()))) == []
