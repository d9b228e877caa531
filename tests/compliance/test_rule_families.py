"""Rule families (规则类别): the id prefix named in Chinese, and findings per branch and family."""

from __future__ import annotations

import pandas as pd
from checks_factory import AS_OF, make_loans

from postloan_audit import run_checks
from postloan_audit.compliance import RULE_FAMILY_ZH, findings_by_family, rule_family
from postloan_audit.compliance.rules import CATALOGUE

# p2: 河口镇支行, corporate, substandard, 100 days overdue and never collected → COLL-NPL;
# late: 河口镇支行, last inspected 2026-03-29 → INSP-FREQ; c1 (城关支行) breaches nothing.
LOANS = {
    "c1": {"borrower_id": "B1", "borrower_name": "公司甲", "balance": 6_000_000.0},
    "p2": {"borrower_name": "公司乙", "branch": "河口镇支行",
           "classification": "substandard", "balance": 500_000.0, "overdue_days": 100},
    "late": {"branch": "河口镇支行", "balance": 1_500_000.0,
             "last_inspection_date": "2026-03-29"},
}


def test_rule_family_is_the_prefix_in_chinese_and_unknown_prefixes_stay() -> None:
    ids = pd.Series(["INSP-FREQ", "EXT-LIMIT", "REFI-INDIVIDUAL", "COLLAT-DROP", "COLL-NPL",
                     "NEW-RULE"], dtype="str")
    assert rule_family(ids).tolist() == ["贷后检查", "展期与借新还旧", "展期与借新还旧",
                                         "押品", "催收", "NEW"]


def test_every_catalogue_prefix_has_a_chinese_family() -> None:
    prefixes = {rid.split("-", 1)[0] for rid in CATALOGUE}
    assert prefixes == set(RULE_FAMILY_ZH)


def test_findings_by_family_lists_only_families_that_ran_and_branches_without_findings(
        ) -> None:
    loans = make_loans(LOANS)
    report = run_checks(loans, as_of=AS_OF, rules=["COLL-NPL", "INSP-FREQ", "EXT-LIMIT"])
    table = findings_by_family(report, ["城关支行", "河口镇支行", "青山镇支行"])
    assert table.columns.tolist() == ["branch", "贷后检查", "展期与借新还旧", "催收", "合计"]
    assert table["branch"].tolist() == ["城关支行", "河口镇支行", "青山镇支行", "合计"]
    assert table["合计"].tolist() == [0, 2, 0, 2]
    assert table["贷后检查"].tolist() == [0, 1, 0, 1]
    assert table["催收"].tolist() == [0, 1, 0, 1]
    empty = run_checks(loans.iloc[:1], as_of=AS_OF, rules=["INSP-FREQ"])
    assert findings_by_family(empty, ["城关支行"]).to_dict("list") == {
        "branch": ["城关支行", "合计"], "贷后检查": [0, 0], "合计": [0, 0]}
