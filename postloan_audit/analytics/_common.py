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
from postloan_audit.parties.resolve import BorrowerParties, PartyResolution, borrower_parties

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


def loan_parties(loans: pd.DataFrame, parties: PartyResolution | None = None) -> LoanParties:
    """Each loan's party: ``parties`` when given (a :func:`~postloan_audit.parties.resolve_parties`
    of these very loans, so that an extract is resolved once for all its analyses), else the
    loans' borrowers resolved here (:mod:`postloan_audit.parties.resolve`).

    Raises
    ------
    AnalyticsError
        The loans lack ``borrower_id``, or ``parties`` is not a resolution of these loans.
    """
    require(loans, ["borrower_id"], ("贷款台账", "the loans"))
    resolved = _borrowers(loans, parties)
    per_party = resolved.members
    labels = resolved.labels
    codes = resolved.codes
    code = np.where(codes >= 0, labels[np.where(codes < 0, 0, codes)], -1)
    return LoanParties(code=code, party_id=per_party.party_id, members=per_party.members,
                       names=per_party.names, resolved=resolved)


def _borrowers(loans: pd.DataFrame, parties: PartyResolution | None) -> BorrowerParties:
    """The borrowers of ``loans`` resolved: taken from ``parties`` when it resolved them."""
    if parties is None:
        return borrower_parties(loans)
    if not isinstance(parties, PartyResolution):
        raise AnalyticsError(f"parties 须为 resolve_parties 的结果,收到 {type(parties).__name__}。"
                             f" / parties must be a PartyResolution (from resolve_parties), got"
                             f" {type(parties).__name__}.")
    if parties.borrowers is None:  # made by hand: nothing to reuse
        return borrower_parties(loans)
    if parties.loans is not loans:
        raise AnalyticsError("parties 不是本台账的同一债务人识别结果(识别时用的是另一份贷款台账)。 /"
                             " parties was resolved from another loans frame than the one"
                             " analysed: resolve the parties of this extract.")
    return parties.borrowers


def positions(keys: pd.Series, lookups: pd.Series) -> np.ndarray:
    """``pd.Index(keys).get_indexer(lookups)``: per lookup, the position of its key (-1 when
    none), by one factorisation of both (an index of a million arrow strings is turned into
    Python objects first, about 2.5 s; this takes under one). Keys that repeat are refused as
    ``get_indexer`` refuses them."""
    codes, _ = pd.factorize(pd.concat([keys, lookups], ignore_index=True),
                            use_na_sentinel=False)
    key_codes, lookup_codes = codes[:len(keys)], codes[len(keys):]
    position = np.full(int(codes.max()) + 1 if len(codes) else 0, -1, dtype=np.int64)
    position[key_codes] = np.arange(len(keys))
    if len(keys) and (np.bincount(key_codes, minlength=len(position)) > 1).any():
        return pd.Index(keys).get_indexer(lookups)  # raises, naming the problem
    return position[lookup_codes]


def text(values) -> pd.Series:
    """Values as a ``str`` Series with a fresh index."""
    return pd.Series(np.asarray(values, dtype=object), dtype="str")
