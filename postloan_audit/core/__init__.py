"""The shared floor (公共层): what every capability stands on, and which stands on none of them.

- :mod:`~postloan_audit.core.schema`: the extract format (sheets, canonical columns, aliases,
  vocabularies), the single declaration of ``docs/extract-format.md``;
- :mod:`~postloan_audit.core.errors`: the exception tree (:class:`PostloanAuditError`,
  :class:`ExtractError`, :class:`PolicyError`);
- :mod:`~postloan_audit.core.messages`: the catalogue their messages are rendered from
  (one function per :class:`~postloan_audit.core.messages.Problem`);
- :mod:`~postloan_audit.core.extract`: the :class:`Extract` container every capability takes;
- :mod:`~postloan_audit.core.workbooks`: writing workbooks (formula-safe cells, tables, headers);
- :mod:`~postloan_audit.core.workdays`: Chinese working days (工作日) for deadline rules;
- :mod:`~postloan_audit.core.arrow_memory`: the allocator pyarrow uses (chosen on import).
"""

from postloan_audit.core.arrow_memory import choose_memory_pool
from postloan_audit.core.errors import ExtractError, PolicyError, PostloanAuditError, ProfileError
from postloan_audit.core.extract import Extract

__all__ = ["Extract", "ExtractError", "PolicyError", "PostloanAuditError", "ProfileError"]

choose_memory_pool()
