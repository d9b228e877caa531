"""Identity of parties (当事人识别): id numbers by their standards, and which borrower ids are
one debtor.

- :mod:`~postloan_audit.parties.ids`: :func:`is_valid_id_number` (居民身份证号码, GB 11643),
  :func:`is_valid_credit_code` (统一社会信用代码, GB 32100, with the embedded 组织机构代码 of
  GB 11714), and :func:`~postloan_audit.parties.ids.check_id_numbers` for a whole column;
- :mod:`~postloan_audit.parties.names`: names as compared (full/half width, 繁/简 by OpenCC,
  brackets, spaces, company-form suffixes);
- :mod:`~postloan_audit.parties.resolve`: :func:`resolve_parties` (the same valid id number, or
  the same normalised name with one id number missing; connected components of scipy's
  ``csgraph``) and :class:`PartyResolution`.

A layer above the floor (``core``) only: the compliance rules (``CLS-BORROWER``) and the audit
analytics stand on it. SciPy, OpenCC and rapidfuzz are imported on first use.
"""

from postloan_audit.parties.ids import is_valid_credit_code, is_valid_id_number
from postloan_audit.parties.names import normalise_name
from postloan_audit.parties.resolve import PartyResolution, borrower_parties, resolve_parties

__all__ = [
    "PartyResolution",
    "borrower_parties",
    "is_valid_credit_code",
    "is_valid_id_number",
    "normalise_name",
    "resolve_parties",
]
