"""Two snapshots compared: new, settled, the changes an auditor reads, and a reconciliation
to the yuan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postloan_audit import AnalyticsError, Extract, compare_snapshots


def _frame(rows: dict[str, dict]) -> pd.DataFrame:
    base = {"borrower_id": "B", "balance": 100.0, "classification": "normal",
            "maturity_date": "2027-01-31", "extension_months": 0, "guarantee_type": "mortgage",
            "management_mode": "key"}
    frame = pd.DataFrame([{"loan_id": k, **base, **v} for k, v in rows.items()])
    frame["maturity_date"] = pd.to_datetime(frame["maturity_date"])
    return frame


BEFORE = _frame({
    "keep": {"balance": 1000.10},
    "gone": {"balance": 250.25},
    "worse": {"balance": 300.00},
    "npl_up": {"balance": 400.00, "classification": "substandard"},
    "later": {"balance": 10.01},
    "extended": {"balance": 20.02},
    "weaker": {"balance": 30.03},
    "relaxed": {"balance": 40.04},
})
AFTER = _frame({
    "keep": {"balance": 900.05},
    "worse": {"balance": 300.00, "classification": "doubtful"},
    "npl_up": {"balance": 450.50, "classification": "substandard"},
    "later": {"balance": 10.01, "maturity_date": "2027-07-31"},
    "extended": {"balance": 20.02, "maturity_date": "2027-07-31", "extension_months": 6},
    "weaker": {"balance": 30.03, "guarantee_type": "guarantee"},
    "relaxed": {"balance": 40.04, "management_mode": "regular"},
    "fresh": {"balance": 77.77},
})


def test_new_settled_and_changes():
    c = compare_snapshots(BEFORE, AFTER)
    assert c.new["loan_id"].tolist() == ["fresh"]
    assert c.settled["loan_id"].tolist() == ["gone"]
    assert c.changed.to_dict("records") == [
        {"loan_id": "later", "field": "maturity_date", "before": "2027-01-31",
         "after": "2027-07-31", "change": "到期日延后但未登记展期"},
        {"loan_id": "npl_up", "field": "balance", "before": "400.00", "after": "450.50",
         "change": "不良贷款余额增加"},
        {"loan_id": "relaxed", "field": "management_mode", "before": "重点", "after": "常规",
         "change": "管理方式由重点改为常规"},
        {"loan_id": "weaker", "field": "guarantee_type", "before": "抵押", "after": "保证",
         "change": "担保方式弱化"},
        {"loan_id": "worse", "field": "classification", "before": "正常", "after": "可疑",
         "change": "分类下调(劣变)"}]


def test_the_reconciliation_adds_up_to_the_yuan():
    c = compare_snapshots(BEFORE, AFTER)
    r = c.reconciliation["balance"]
    assert r.to_dict() == {"before": 2050.45, "new": 77.77, "settled": -250.25,
                           "changed": -49.55, "after": 1828.42}
    assert c.reconciles
    assert round((r["before"] + r["new"] + r["settled"] + r["changed"]) * 100) == round(
        r["after"] * 100)
    assert c.reconciliation["loans"].to_dict() == {"before": 8, "new": 1, "settled": 1,
                                                   "changed": 7, "after": 8}


def test_random_books_reconcile_exactly_in_cents():
    rng = np.random.default_rng(11)
    ids = np.array([f"L{i}" for i in range(3000)])
    before = pd.DataFrame({"loan_id": ids[:2000],
                           "balance": np.round(rng.uniform(0, 1e7, 2000), 2)})
    after = pd.DataFrame({"loan_id": ids[1000:],
                          "balance": np.round(rng.uniform(0, 1e7, 2000), 2)})
    c = compare_snapshots(Extract(loans=before), after)
    cents = np.round(c.reconciliation["balance"].to_numpy() * 100).astype(np.int64)
    assert cents[:4].sum() == cents[4]
    assert cents[0] == np.round(before["balance"].to_numpy() * 100).astype(np.int64).sum()


def test_an_upgrade_is_listed_as_such():
    c = compare_snapshots(_frame({"x": {"classification": "special_mention"}}),
                          _frame({"x": {"classification": "normal"}}))
    assert c.changed["change"].tolist() == ["分类上调(好转)"]


def test_a_repeated_loan_id_is_refused():
    with pytest.raises(AnalyticsError, match="借据号重复"):
        compare_snapshots(_frame({"x": {}}), pd.concat([_frame({"x": {}})] * 2))


def test_the_other_direction_of_each_change_is_not_listed():
    before = _frame({
        "npl_down": {"balance": 400.00, "classification": "substandard"},
        "normal_up": {"balance": 100.00},
        "earlier": {"maturity_date": "2027-01-31"},
        "stronger": {"guarantee_type": "guarantee"},
        "tightened": {"management_mode": "regular"},
        "same": {},
    })
    after = _frame({
        "npl_down": {"balance": 399.99, "classification": "substandard"},
        "normal_up": {"balance": 100.01},
        "earlier": {"maturity_date": "2026-12-31"},
        "stronger": {"guarantee_type": "pledge"},
        "tightened": {"management_mode": "key"},
        "same": {},
    })
    assert compare_snapshots(before, after).changed.empty


def test_a_balance_up_counts_when_the_loan_is_npl_in_either_snapshot():
    before = _frame({"cured": {"balance": 100.00, "classification": "doubtful"},
                     "fell": {"balance": 100.00}})
    after = _frame({"cured": {"balance": 100.01, "classification": "normal"},
                    "fell": {"balance": 1234567.89, "classification": "loss"}})
    changed = compare_snapshots(before, after).changed
    assert changed.to_dict("records") == [
        {"loan_id": "cured", "field": "classification", "before": "可疑", "after": "正常",
         "change": "分类上调(好转)"},
        {"loan_id": "cured", "field": "balance", "before": "100.00", "after": "100.01",
         "change": "不良贷款余额增加"},
        {"loan_id": "fell", "field": "classification", "before": "正常", "after": "损失",
         "change": "分类下调(劣变)"},
        {"loan_id": "fell", "field": "balance", "before": "100.00", "after": "1234567.89",
         "change": "不良贷款余额增加"}]


def test_one_loan_with_every_change_has_one_row_per_field_in_a_fixed_order():
    before = _frame({"x": {"balance": 50.00, "classification": "substandard"}})
    after = _frame({"x": {"balance": 60.00, "classification": "doubtful",
                          "maturity_date": "2027-12-31", "guarantee_type": "credit",
                          "management_mode": "regular"}})
    assert compare_snapshots(before, after).changed[["field", "before", "after"]].values.tolist() \
        == [["classification", "次级", "可疑"], ["balance", "50.00", "60.00"],
            ["maturity_date", "2027-01-31", "2027-12-31"], ["guarantee_type", "抵押", "信用"],
            ["management_mode", "重点", "常规"]]


def test_amounts_that_do_not_add_up_in_floating_point_reconcile_in_cents():
    # 0.1 + 0.2 != 0.3 in binary floating point; in cents it is 10 + 20 = 30
    before = pd.DataFrame({"loan_id": ["a", "b", "c"], "balance": [0.10, 0.20, 1e9 + 0.07]})
    after = pd.DataFrame({"loan_id": ["a", "c", "d"], "balance": [0.30, 1e9 + 0.01, 0.03]})
    c = compare_snapshots(before, after)
    assert c.reconciliation["balance"].to_dict() == {
        "before": 1_000_000_000.37, "new": 0.03, "settled": -0.20, "changed": 0.14,
        "after": 1_000_000_000.34}
    assert c.reconciles
    assert c.reconciliation["loans"].to_dict() == {"before": 3, "new": 1, "settled": 1,
                                                   "changed": 2, "after": 3}


def test_identical_snapshots_change_nothing():
    c = compare_snapshots(BEFORE, BEFORE.copy())
    assert c.new.empty and c.settled.empty and c.changed.empty
    assert c.reconciliation["balance"].to_dict() == {
        "before": 2050.45, "new": 0.0, "settled": 0.0, "changed": 0.0, "after": 2050.45}


def test_the_listings_carry_both_snapshots_balances():
    c = compare_snapshots(BEFORE, AFTER)
    assert c.new[["loan_id", "borrower_id", "balance"]].to_dict("records") == [
        {"loan_id": "fresh", "borrower_id": "B", "balance": 77.77}]
    assert c.settled[["loan_id", "borrower_id", "balance"]].to_dict("records") == [
        {"loan_id": "gone", "borrower_id": "B", "balance": 250.25}]
