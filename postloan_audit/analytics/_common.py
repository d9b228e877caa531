"""What the analyses share: the loans they read, the checks of their input, the provenance of
their results, and each loan's party."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.core.errors import AnalyticsError
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.provenance import Provenance, now
from postloan_audit.parties.resolve import BorrowerParties, borrower_parties, party_ids

#: Yuan as integer cents (分): amounts are added in cents so that totals reconcile exactly.
CENTS = 100


def extract_of(data: Extract | pd.DataFrame, argument: str = "data") -> Extract:
    """``data`` as an extract (a loans frame wrapped)."""
    return as_extract(data, argument=argument)


def provenance_of(extract: Extract) -> Provenance:
    """The extract's provenance, made now (what a result of it carries)."""
    return dataclasses.replace(extract.provenance, created_at=now())


def policy_of(policy: Policy | None) -> Policy:
    """The policy in force (defaults when None)."""
    return Policy.coerce(policy)


def require(frame: pd.DataFrame | None, columns: Sequence[str], what: tuple[str, str]) -> None:
    """Refuse a frame (or a missing sheet) without ``columns``, naming them."""
    if frame is None:
        raise AnalyticsError(f"缺少{what[0]},无法分析。 / {what[1]} is missing.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalyticsError(f"{what[0]}缺少所需的列:{'、'.join(missing)}。 / {what[1]} lacks the"
                             f" columns it needs: {missing}.")


def balances(loans: pd.DataFrame) -> np.ndarray:
    """``balance`` as float yuan (missing → 0)."""
    return np.nan_to_num(pd.to_numeric(loans["balance"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan), nan=0.0)


def cents(values: np.ndarray) -> np.ndarray:
    """Yuan as int64 cents, rounded half away from zero."""
    v = np.asarray(values, dtype=np.float64)
    return (np.sign(v) * np.floor(np.abs(v) * CENTS + 0.5)).astype(np.int64)


@dataclasses.dataclass(frozen=True)
class LoanParties:
    """Each loan's party: ``code`` per loan (-1 without a borrower id), ``party_id`` and the
    member borrower ids (``members``, joined by ``、``) per party code, and the resolution."""

    code: np.ndarray
    party_id: np.ndarray
    members: np.ndarray
    names: np.ndarray
    resolved: BorrowerParties


def loan_parties(loans: pd.DataFrame) -> LoanParties:
    """Resolve the loans' borrowers into parties (:mod:`postloan_audit.parties.resolve`)."""
    require(loans, ["borrower_id"], ("贷款台账", "the loans"))
    resolved = borrower_parties(loans)
    labels = resolved.labels
    node_party = party_ids(resolved)
    k = resolved.parties
    party_id = np.empty(k, dtype=object)
    party_id[labels] = node_party
    # a party of one borrower id (nearly all) is that id and its name; only the few joined
    # parties go through a grouped join (a Python call per group: 45 s for 700,000 groups)
    members = np.empty(k, dtype=object)
    members[labels] = np.asarray(resolved.borrower_ids, dtype=object).astype(str)
    names = np.full(k, None, dtype=object)
    names[labels] = resolved.names
    joined_nodes = np.flatnonzero(np.bincount(labels, minlength=k)[labels] > 1)
    if len(joined_nodes):
        frame = pd.DataFrame({
            "label": labels[joined_nodes],
            "borrower_id": pd.Series(resolved.borrower_ids[joined_nodes], dtype="str"),
            "name": pd.Series(resolved.names[joined_nodes], dtype="str")})
        frame = frame.sort_values(["label", "borrower_id"], kind="stable")
        grouped = frame.groupby("label", sort=True)
        joined = grouped["borrower_id"].agg("、".join)
        members[joined.index.to_numpy()] = joined.to_numpy(dtype=object)
        first = grouped["name"].first()
        names[first.index.to_numpy()] = first.to_numpy(dtype=object)
    codes = resolved.codes
    code = np.where(codes >= 0, labels[np.where(codes < 0, 0, codes)], -1)
    return LoanParties(code=code, party_id=party_id, members=members, names=names,
                       resolved=resolved)


def text(values) -> pd.Series:
    """Values as a ``str`` Series with a fresh index."""
    return pd.Series(np.asarray(values, dtype=object), dtype="str")
