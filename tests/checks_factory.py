"""Hand-built canonical frames for the compliance-check tests (no loader involved).

:func:`make_loans` builds a loans frame in the canonical form of ``docs/extract-format.md``:
every loan starts as a clean corporate loan that breaches no rule at :data:`AS_OF`, and each
test row overrides only what its case is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.compliance.checks import run_checks
from postloan_audit.core import schema

AS_OF = "2026-09-30"

#: A loan that no rule flags at AS_OF (2026-09-30).
CLEAN: dict[str, Any] = {
    "borrower_name": "某某公司",
    "branch": "城关支行",
    "balance": 1_000_000.0,
    "classification": "normal",
    "guarantee_type": "mortgage",
    "customer_type": "corporate",
    "product": "流动资金贷款",
    "disbursement_date": "2026-03-01",
    "maturity_date": "2027-03-01",
    "repayment_method": "bullet",
    "payment_method": "entrusted",
    "overdue_days": 0,
    "management_mode": "regular",
    "last_inspection_date": "2026-09-01",
    "first_inspection_date": "2026-03-15",
    "extension_months": 0,
    "refinanced": False,
    "restructured": False,
    "collateral_value": 1_500_000.0,
    "collateral_initial_value": 1_500_000.0,
    "collateral_appraisal_date": "2026-06-01",
    "collateral_inspection_date": "2026-06-01",
    "additional_guarantee": False,
    "rating": "A",
    "rating_date": "2026-03-01",
    "maturity_notice_date": None,
    "collection_notice_date": None,
    "last_collection_date": None,
    "last_collection_method": None,
    "fund_use_check_date": None,
    "exit_list": False,
    "litigation": False,
    "loan_officer": "张三",
    "last_onsite_inspection_date": None,
    "interest_overdue_since": None,
    "callback_date": None,
}

_DATES = [c.name for c in schema.LOAN_COLUMNS if c.kind == "date"]
_BOOLS = [c.name for c in schema.LOAN_COLUMNS if c.kind == "bool"]
_INTS = [c.name for c in schema.LOAN_COLUMNS if c.kind == "int"]
_AMOUNTS = [c.name for c in schema.LOAN_COLUMNS if c.kind == "amount"]


def make_loans(cases: Mapping[str, Mapping[str, Any]], *, drop: Iterable[str] = ()) -> pd.DataFrame:
    """One loan per case (``loan_id`` = the case name), CLEAN overridden by the case's values.

    ``borrower_id`` defaults to ``B-<loan_id>``; ``drop`` removes columns (a column "not
    provided", as the loader leaves it absent).
    """
    rows = []
    for loan_id, overrides in cases.items():
        row = {"loan_id": loan_id, "borrower_id": f"B-{loan_id}", **CLEAN, **overrides}
        rows.append(row)
    frame = pd.DataFrame(rows)
    for name in (c for c in _DATES if c in frame.columns):
        frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
    for name in (c for c in _BOOLS if c in frame.columns):
        frame[name] = frame[name].astype(bool)
    for name in (c for c in _INTS if c in frame.columns):
        frame[name] = frame[name].astype(np.int64)
    for name in (c for c in _AMOUNTS if c in frame.columns):
        frame[name] = frame[name].astype(np.float64)
    for name in ("loan_id", "borrower_id", "borrower_name", "branch", "guarantee_type",
                 "customer_type", "product", "repayment_method", "payment_method",
                 "management_mode", "last_collection_method", "rating", "loan_officer"):
        frame[name] = frame[name].astype("str")
    frame["classification"] = pd.Categorical(frame["classification"],
                                             categories=schema.CLASSIFICATIONS, ordered=True)
    frame["secured"] = frame["guarantee_type"].isin(schema.SECURED_GUARANTEE_TYPES)
    frame["source_row"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    return frame.drop(columns=list(drop))


def make_sheet(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A canonical optional sheet (inspections / collections): ids str, dates datetime64."""
    frame = pd.DataFrame(rows, columns=columns)
    for name in frame.columns:
        if name.endswith("_date"):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        else:
            frame[name] = frame[name].astype("str")
    return frame


def flagged(data: Any, rule_id: str, *, as_of: str = AS_OF, **kwargs: Any) -> set[str]:
    """Loan ids ``rule_id`` flags (asserting the rule ran)."""
    report = run_checks(data, as_of=as_of, rules=[rule_id], **kwargs)
    assert report.rules_run == (rule_id,), report.not_run
    return set(report.findings["loan_id"])


def messages(data: Any, rule_id: str, *, as_of: str = AS_OF, **kwargs: Any) -> dict[str, str]:
    """``loan_id -> message`` of ``rule_id``'s findings."""
    report = run_checks(data, as_of=as_of, rules=[rule_id], **kwargs)
    f = report.findings
    return dict(zip(f["loan_id"], f["message"], strict=True))
