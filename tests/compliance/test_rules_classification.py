"""CLS-OVERDUE, CLS-BORROWER, CLS-RESTRUCT: exact loans flagged on both sides of each floor."""

from __future__ import annotations

import pytest
from checks_factory import AS_OF, flagged, make_loans, messages

from postloan_audit import Policy, run_checks

OVERDUE_CASES = {
    "n7": {"overdue_days": 7},
    "n8": {"overdue_days": 8},
    "sm8": {"overdue_days": 8, "classification": "special_mention"},
    "sm90": {"overdue_days": 90, "classification": "special_mention"},
    "sm91": {"overdue_days": 91, "classification": "special_mention"},
    "sub91": {"overdue_days": 91, "classification": "substandard"},
    "sub270": {"overdue_days": 270, "classification": "substandard"},
    "sub271": {"overdue_days": 271, "classification": "substandard"},
    "d271": {"overdue_days": 271, "classification": "doubtful"},
    "d360": {"overdue_days": 360, "classification": "doubtful"},
    "d361": {"overdue_days": 361, "classification": "doubtful"},
    "loss361": {"overdue_days": 361, "classification": "loss"},
    "n500": {"overdue_days": 500},
}


def test_cls_overdue_flags_exactly_the_loans_above_their_floor():
    loans = make_loans(OVERDUE_CASES)
    assert flagged(loans, "CLS-OVERDUE") == {"n8", "sm91", "sub271", "d361", "n500"}
    got = messages(loans, "CLS-OVERDUE")
    assert got["sm91"] == "逾期91天,五级分类为关注;逾期超过90天应至少为次级类"
    assert got["d361"] == "逾期361天,五级分类为可疑;逾期超过360天应为损失类"
    assert got["n8"] == "逾期8天,五级分类为正常;逾期超过7天应至少为关注类"


def test_cls_overdue_thresholds_are_policy_values():
    loans = make_loans({"n1": {"overdue_days": 1}, "sm61": {"overdue_days": 61,
                                                          "classification": "special_mention"}})
    assert flagged(loans, "CLS-OVERDUE") == set()
    policy = Policy.from_dict({"classification": {"special_mention_overdue_days": 0,
                                                  "substandard_overdue_days": 60}})
    assert flagged(loans, "CLS-OVERDUE", policy=policy) == {"n1", "sm61"}


def test_cls_overdue_not_run_without_overdue_days():
    report = run_checks(make_loans({"a": {}}, drop=["overdue_days"]), as_of=AS_OF,
                        rules=["CLS-OVERDUE"])
    assert report.not_run.to_dict("records") == [{
        "rule_id": "CLS-OVERDUE",
        "reason": "缺少所需数据:列 overdue_days(逾期天数) / missing data: column overdue_days"}]


BORROWER_CASES = {
    # borrower A: 11% NPL -> its other loan flagged
    "A1": {"borrower_id": "A", "balance": 110.0, "classification": "substandard"},
    "A2": {"borrower_id": "A", "balance": 890.0},
    # borrower B: exactly 10% NPL -> nothing
    "B1": {"borrower_id": "B", "balance": 100.0, "classification": "doubtful"},
    "B2": {"borrower_id": "B", "balance": 900.0, "classification": "special_mention"},
    # borrower C: individual -> out of scope
    "C1": {"borrower_id": "C", "customer_type": "individual", "balance": 500.0,
           "classification": "loss"},
    "C2": {"borrower_id": "C", "customer_type": "individual", "balance": 500.0},
    # borrower D: a repaid loan is neither counted nor flagged
    "D1": {"borrower_id": "D", "balance": 200.0, "classification": "loss"},
    "D2": {"borrower_id": "D", "balance": 800.0},
    "D3": {"borrower_id": "D", "balance": 0.0},
}


def test_cls_borrower_flags_the_non_npl_loans_of_borrowers_over_ten_percent():
    loans = make_loans(BORROWER_CASES)
    assert flagged(loans, "CLS-BORROWER") == {"A2", "D2"}
    assert messages(loans, "CLS-BORROWER")["A2"] == (
        "借款人在本行不良贷款余额0.01万元,占其贷款余额0.10万元的11.00%,超过10%;"
        "该笔贷款分类为正常,应归为不良")


def test_cls_borrower_share_is_a_policy_value():
    policy = Policy.default().replace(classification={"borrower_npl_share": 0.05})
    assert flagged(make_loans(BORROWER_CASES), "CLS-BORROWER", policy=policy) == {
        "A2", "B2", "D2"}


def test_cls_restruct_flags_restructured_normal_loans():
    loans = make_loans({
        "r_normal": {"restructured": True},
        "r_sm": {"restructured": True, "classification": "special_mention"},
        "normal": {},
    })
    assert flagged(loans, "CLS-RESTRUCT") == {"r_normal"}
    assert messages(loans, "CLS-RESTRUCT")["r_normal"] == (
        "重组贷款,五级分类为正常;重组资产在重组观察期内应至少归为关注类"
        "(未提供重组日期,无法核实是否仍在重组观察期内)")


@pytest.mark.parametrize("rule_id,column", [("CLS-RESTRUCT", "restructured"),
                                            ("CLS-BORROWER", "customer_type")])
def test_classification_rules_not_run_without_their_column(rule_id, column):
    report = run_checks(make_loans({"a": {}}, drop=[column]), as_of=AS_OF, rules=[rule_id])
    assert list(report.not_run["rule_id"]) == [rule_id]
    assert column in report.not_run["reason"].iloc[0]


def test_cls_borrower_leaves_loans_without_a_borrower_id_ungrouped():
    """Blank borrower ids are not one borrower: their NPL loan does not taint the others."""
    loans = make_loans({
        "NOID-NPL": {"borrower_id": None, "classification": "substandard"},
        "NOID-OK": {"borrower_id": None},
        "B1-NPL": {"borrower_id": "B1", "classification": "doubtful"},
        "B1-OK": {"borrower_id": "B1"},
    })
    assert loans["borrower_id"].isna().sum() == 2
    assert flagged(loans, "CLS-BORROWER") == {"B1-OK"}


def test_rules_look_at_outstanding_loans_only():
    settled = {"balance": 0.0}
    loans = make_loans({
        "od100_settled": {**settled, "overdue_days": 100},
        "od100_active": {"overdue_days": 100},
        "restructured_settled": {**settled, "restructured": True},
    })
    assert flagged(loans, "CLS-OVERDUE") == {"od100_active"}
    assert flagged(loans, "CLS-RESTRUCT") == set()


RESTRUCT = {"restructured": True}


def test_cls_restruct_flags_only_within_the_observation_period():
    loans = make_loans({
        "ends_on_d": {**RESTRUCT, "restructure_date": "2025-09-30"},
        "ended": {**RESTRUCT, "restructure_date": "2025-09-29"},
        "undated": {**RESTRUCT, "restructure_date": None},
        "sm": {**RESTRUCT, "classification": "special_mention", "restructure_date": "2026-03-01"},
    })
    got = messages(loans, "CLS-RESTRUCT")
    assert got == {
        "ends_on_d": ("重组贷款(重组日期2025-09-30,观察期12个月,至2026-09-30),"
                      "五级分类为正常;重组资产在重组观察期内应至少归为关注类"),
        "undated": ("重组贷款,五级分类为正常;重组资产在重组观察期内应至少归为关注类"
                    "(未提供重组日期,无法核实是否仍在重组观察期内)"),
    }
    longer = Policy.from_dict({"classification": {"restructure_observation_months": 18}})
    assert flagged(loans, "CLS-RESTRUCT", policy=longer) == {"ends_on_d", "ended", "undated"}


def test_restructure_observation_period_is_at_least_a_year():
    from postloan_audit import PolicyError

    with pytest.raises(PolicyError, match="restructure_observation_months must be at least 12"):
        Policy.from_dict({"classification": {"restructure_observation_months": 11}})


JOINED_CASES = {
    # B1 and B2 carry one valid credit code: one debtor, 20% of it NPL
    "J1-NPL": {"borrower_id": "J1", "borrower_name": "某某建材有限公司", "balance": 200.0,
               "classification": "substandard", "id_number": "91350100M000100Y43"},
    "J2-OK": {"borrower_id": "J2", "borrower_name": "另一名称有限公司", "balance": 800.0,
              "id_number": "91350100M000100Y43"},
    # K2 has no id number and K1's name (traditional characters): one debtor
    "K1-NPL": {"borrower_id": "K1", "borrower_name": "华兴实业有限公司", "balance": 200.0,
               "classification": "doubtful", "id_number": "91110000600037341L"},
    "K2-OK": {"borrower_id": "K2", "borrower_name": "華興實業有限公司", "balance": 800.0,
              "id_number": None},
    # M1 and M2 share a name but hold different valid codes: two debtors
    "M1-NPL": {"borrower_id": "M1", "borrower_name": "华兴贸易有限公司", "balance": 200.0,
               "classification": "loss", "id_number": "91350100MA00100Y0B"},
    "M2-OK": {"borrower_id": "M2", "borrower_name": "华兴贸易股份有限公司", "balance": 800.0,
              "id_number": "N2350100M000100Y4J"},
}


def test_cls_borrower_sees_the_debtor_behind_several_borrower_ids():
    loans = make_loans(JOINED_CASES).astype({"id_number": "str"})
    assert flagged(loans, "CLS-BORROWER") == {"J2-OK", "K2-OK"}
    got = messages(loans, "CLS-BORROWER")
    assert got["J2-OK"] == (
        "借款人在本行不良贷款余额0.02万元,占其贷款余额0.10万元的20.00%,超过10%;"
        "该笔贷款分类为正常,应归为不良;客户号 J1、J2 为同一债务人(同一证件号码)")
    assert got["K2-OK"].endswith(";客户号 K1、K2 为同一债务人(同名且一方缺少证件号码)")


def test_cls_borrower_without_id_numbers_groups_by_borrower_id_as_before():
    """No id number column: nothing is joined, the rule is the per-borrower-id rule."""
    loans = make_loans({**BORROWER_CASES, **{k: {**v, "id_number": None}
                                            for k, v in JOINED_CASES.items()}},
                       drop=["id_number"])
    assert flagged(loans, "CLS-BORROWER") == {"A2", "D2"}


@pytest.mark.parametrize("name", ["network_snapshot_20260930.xlsx",
                                  "head_office_6_branches_20260930.csv",
                                  "branch_chengguan_20260930.xlsx"])
def test_on_the_samples_the_debtors_are_the_borrower_ids(name):
    """The samples carry an id number for every loan and no borrower id shares one: the
    parties are the borrower ids, so CLS-BORROWER finds what it found per borrower id."""
    from pathlib import Path

    import numpy as np

    from postloan_audit import load_extract
    from postloan_audit.compliance.rules.context import CheckContext

    extract = load_extract(Path(__file__).resolve().parents[2] / "sample_extracts" / name)
    ctx = CheckContext(extract.loans, as_of=extract.as_of, policy=Policy.default())
    parties, k = ctx.party_codes
    borrowers, kb = ctx.borrower_codes
    assert ctx.parties is not None and not ctx.parties.joined
    assert k == kb and np.array_equal(parties, borrowers)
    without_ids = run_checks(extract.loans.drop(columns=["id_number"]), as_of=extract.as_of,
                             rules=["CLS-BORROWER"]).findings
    with_ids = run_checks(extract, as_of=extract.as_of, rules=["CLS-BORROWER"]).findings
    assert with_ids.equals(without_ids)
