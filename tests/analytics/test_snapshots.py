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
