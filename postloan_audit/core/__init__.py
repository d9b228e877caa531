"""The shared floor (公共层): what every capability stands on, and which stands on none of them.

- :mod:`~postloan_audit.core.schema`: the extract format (sheets, canonical columns, aliases,
  vocabularies), the single declaration of ``docs/extract-format.md``;
- :mod:`~postloan_audit.core.errors`: the exception tree (:class:`PostloanAuditError`,
  :class:`ExtractError`, :class:`PolicyError`, ``DateError``, ``SamplingError``,
  ``WorkpaperError``, ``TrailError`` …);
- :mod:`~postloan_audit.core.messages`: the catalogue their messages are rendered from
  (one function per :class:`~postloan_audit.core.messages.Problem`);
- :mod:`~postloan_audit.core.extract`: the :class:`Extract` container every capability takes,
  and ``as_extract``, the one unpacker of "an extract or a loans frame";
- :mod:`~postloan_audit.core.provenance`: ``Provenance``, held as ``.provenance`` by every
  result object (fingerprint, source name, date, export profile, when, version);
- :mod:`~postloan_audit.core.dates`: the one date coercer (``coerce_date``: every ``as_of``),
  calendar-month arithmetic (``add_months``) and reporting periods;
- :mod:`~postloan_audit.core.identity`: who is working (the signed-in user, else
  ``POSTLOAN_AUDIT_USER``, else the OS account);
- :mod:`~postloan_audit.core.severity`: the severity vocabularies (高/中/低, 错误/警告/提示);
- :mod:`~postloan_audit.core.workbooks`: writing workbooks (formula-safe cells, tables, headers);
- :mod:`~postloan_audit.core.workdays`: Chinese working days (工作日) for deadline rules;
- :mod:`~postloan_audit.core.arrow_memory`: the allocator pyarrow uses (chosen on import).
"""

from postloan_audit.core.arrow_memory import choose_memory_pool
from postloan_audit.core.errors import ExtractError, PolicyError, PostloanAuditError, ProfileError
from postloan_audit.core.extract import Extract

__all__ = ["Extract", "ExtractError", "PolicyError", "PostloanAuditError", "ProfileError"]

choose_memory_pool()
