"""The compliance rule catalogue (合规检查规则).

* :mod:`~postloan_audit.compliance.rules.base` — what a rule is (:class:`Rule`, :class:`Severity`,
  :class:`Hits`);
* :mod:`~postloan_audit.compliance.rules.context` — how rules run (:class:`CheckContext`, prepared once
  per run, and the vectorised date/text helpers);
* the rule modules (inspection, classification, lending, collection, collateral);
* :mod:`~postloan_audit.compliance.rules.catalogue` — the one place rules are registered
  (:data:`CATALOGUE`).
"""

from __future__ import annotations

from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.catalogue import CATALOGUE, build_catalogue
from postloan_audit.compliance.rules.context import CheckContext

__all__ = ["CATALOGUE", "CheckContext", "Hits", "Rule", "Severity", "build_catalogue"]
