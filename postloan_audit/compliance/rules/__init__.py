"""The compliance rule catalogue (合规检查规则).

* :mod:`~postloan_audit.compliance.rules.base` — what a rule is (:class:`Rule`, :class:`Severity`,
  :class:`Hits`);
* :mod:`~postloan_audit.compliance.rules.context` — how rules run (:class:`CheckContext`, prepared once
  per run, and the vectorised date/text helpers);
* the rule modules (inspection, classification, lending, collection, collateral);
* :mod:`~postloan_audit.compliance.rules.catalogue` — the one place rules are registered
  (:data:`CATALOGUE`);
* :mod:`~postloan_audit.compliance.rules.families` — the rule families (规则类别, by id prefix)
  and the findings of a run per branch and family (imported from
  :mod:`postloan_audit.compliance`, not here: it reads a run's report).
"""

from __future__ import annotations

from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.catalogue import CATALOGUE, build_catalogue
from postloan_audit.compliance.rules.context import CheckContext

__all__ = ["CATALOGUE", "CheckContext", "Hits", "Rule", "Severity", "build_catalogue"]
