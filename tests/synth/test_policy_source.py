"""The generator plants around the compliance policy itself, not around copies of it.

Its rule ids are ``compliance.policy.RULE_IDS`` and every threshold it keeps clean loans inside
of (and pushes planted loans outside of) is read from ``Policy.default()`` at each call: change
a policy default and the generated boundaries move with it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

from postloan_audit import Extract, run_checks
from postloan_audit.compliance.policy import RULE_IDS, Policy
from postloan_audit.synth.generator import PLANTED_RULES, generate_network, generate_snapshots
from postloan_audit.synth.vocabulary import OVERDUE_RANGES

#: Every policy value the generator reads (``section.field``).
GENERATOR_READS = {
    "inspection.corporate_regular_normal_months",
    "inspection.corporate_regular_special_mention_months",
    "inspection.corporate_regular_npl_months",
    "inspection.corporate_key_normal_months",
    "inspection.corporate_key_special_mention_months",
    "inspection.corporate_key_npl_months",
    "inspection.individual_months",
    "inspection.review_months",
    "inspection.period_exempt_disbursed_months",
    "inspection.first_inspection_months",
    "inspection.exit_visit_months",
    "inspection.individual_product_npl_ratio",
    "inspection.individual_npl_lookback_months",
    "inspection.low_risk_products",
    "inspection.low_risk_guarantee_types",
    "inspection.report_month_working_days",
    "inspection.report_quarter_working_days",
    "inspection.report_half_year_working_days",
    "inspection.report_year_working_days",
    "classification.special_mention_overdue_days",
    "classification.substandard_overdue_days",
    "classification.doubtful_overdue_days",
    "classification.loss_overdue_days",
    "collection.any_collection_max_days",
    "collection.visit_max_days",
    "collection.npl_collection_months",
    "collection.npl_individual",
    "maturity.notice_months_before",
    "maturity.individual_notice_days_before",
    "maturity.collect_individual",
    "maturity.interest_notice_working_days",
    "collateral.inspection_min_term_months",
    "collateral.value_drop_share",
    "collateral.revaluation_months",
    "collateral.third_party_types",
    "collateral.third_party_months",
    "collateral.insurable_types",
    *(f"collateral.max_ltv_{kind}" for kind in (
        "residential", "commercial", "land", "plant", "equipment", "deposit", "bond", "equity",
        "receivable", "vehicle", "other")),
    "financials.half_year_months",
    "financials.annual_months",
    "financials.annual_audit_required",
    "rating.grace_working_days",
    "callback.days",
    "callback.self_payment_days",
    # LIST-WATCH: the direct-listing cases (other-bank overdue; a group member's red cases,
    # other-bank 90-day debt among them), read through the rule's own code
    "warning.other_bank_overdue_days",
    "warning.other_bank_npl90_share",
}


class _Recording:
    """A policy (or one of its sections) that records every ``section.field`` read."""

    def __init__(self, target: Any, seen: set[str], prefix: str = "") -> None:
        self._target, self._seen, self._prefix = target, seen, prefix

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if dataclasses.is_dataclass(value):
            return _Recording(value, self._seen, f"{self._prefix}{name}.")
        self._seen.add(f"{self._prefix}{name}")
        return value


def _use_as_default(monkeypatch: pytest.MonkeyPatch, policy: Any) -> None:
    monkeypatch.setattr(Policy, "default", classmethod(lambda cls: policy))


def test_planted_rule_ids_are_the_policy_rule_ids():
    assert PLANTED_RULES is RULE_IDS
    net = generate_network(loans=3000, branches=6, seed=11, as_of="2026-09-30")
    assert tuple(dict.fromkeys(net.planted["rule_id"])) == RULE_IDS


def test_every_threshold_the_generator_uses_is_read_from_the_default_policy(monkeypatch):
    seen: set[str] = set()
    _use_as_default(monkeypatch, _Recording(Policy(), seen))
    generate_snapshots(loans=1500, branches=3, seed=5, as_of=("2026-06-30", "2026-09-30"))
    assert seen == GENERATOR_READS


def test_a_changed_policy_default_moves_the_planted_boundaries(monkeypatch):
    """Under changed defaults the checks, run with the same policy, still find exactly the
    planted breaches: the generator followed the policy (a copy of the old defaults would leave
    hundreds of INSP-FREQ and dozens of MAT-NOTICE findings unplanted, and with the borrower's
    file hundreds of COLLAT-COVER and COLLAT-REVAL ones)."""
    base = Policy()
    moved = dataclasses.replace(
        base,
        inspection=dataclasses.replace(base.inspection, corporate_regular_normal_months=4,
                                       corporate_regular_special_mention_months=2,
                                       corporate_key_normal_months=2, individual_months=4,
                                       period_exempt_disbursed_months=3,
                                       individual_product_npl_ratio=0.01,
                                       individual_npl_lookback_months=24,
                                       report_month_working_days=7,
                                       report_quarter_working_days=10,
                                       report_half_year_working_days=12,
                                       report_year_working_days=15),
        classification=dataclasses.replace(base.classification, special_mention_overdue_days=5,
                                           substandard_overdue_days=92),
        collection=dataclasses.replace(base.collection, any_collection_max_days=45,
                                       visit_max_days=80, npl_collection_months=2),
        maturity=dataclasses.replace(base.maturity, notice_months_before=2,
                                     individual_notice_days_before=3,
                                     interest_notice_working_days=3),
        collateral=dataclasses.replace(base.collateral, inspection_min_term_months=24,
                                       value_drop_share=0.2, third_party_months=4,
                                       third_party_types=("plant", "equipment", "commercial"),
                                       insurable_types=("residential", "plant", "land"),
                                       max_ltv_residential=0.6, max_ltv_plant=0.45,
                                       max_ltv_deposit=0.8, max_ltv_other=0.4),
        rating=dataclasses.replace(base.rating, grace_working_days=10),
        callback=dataclasses.replace(base.callback, days=10, self_payment_days=5),
        financials=dataclasses.replace(base.financials, half_year_months=2, annual_months=4,
                                       annual_audit_required=False),
        warning=dataclasses.replace(base.warning, other_bank_overdue_days=45),
    )
    _use_as_default(monkeypatch, moved)
    net = generate_network(loans=2500, branches=4, seed=21, as_of="2026-09-30")
    extract = Extract(loans=net.loans, inspections=net.inspections,
                      collections=net.collections, branches=net.branches,
                      collateral=net.collateral, guarantees=net.guarantees,
                      financials=net.financials, external=net.external, lists=net.lists)
    report = run_checks(extract, as_of=net.as_of, policy=moved)
    found = (report.findings[["rule_id", "loan_id"]].drop_duplicates().astype(str)
             .sort_values(["rule_id", "loan_id"]).reset_index(drop=True))
    planted = net.planted.astype(str).sort_values(["rule_id", "loan_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(found, planted)
    # the maturity notices of clean loans moved a month earlier with the policy
    state = net.state
    dated = ~pd.isna(state["maturity_notice"])
    gap = (state["maturity"] - state["maturity_notice"])[dated].astype(int)
    assert gap.min() >= 28 + 28 + 3


def test_clean_overdue_ranges_sit_inside_the_default_classification_floors():
    c = Policy.default().classification
    floors = [0, c.special_mention_overdue_days, c.substandard_overdue_days,
              c.doubtful_overdue_days, c.loss_overdue_days]
    for k, (lo, hi) in enumerate(OVERDUE_RANGES):
        assert lo > floors[k], (k, lo)
        if k + 1 < len(floors):
            assert hi <= floors[k + 1], (k, hi)
