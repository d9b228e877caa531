"""Compliance checks (合规检查): the cited rule catalogue, the bank's policy and the findings.

- :mod:`~postloan_audit.compliance.policy`: :class:`Policy`, every threshold with its default
  and citation, read from a bank's TOML file (or an uploaded file's bytes);
- :mod:`~postloan_audit.compliance.rules`: the rules, each a small declared object with a
  vectorised predicate, registered once in the catalogue; their families (规则类别, by id
  prefix) and the findings per branch and family (:func:`findings_by_family`);
- :mod:`~postloan_audit.compliance.checks`: :func:`run_checks` and the :class:`CheckReport`;
- :mod:`~postloan_audit.compliance.combine`: :func:`check_extracts`, several extracts checked
  together as one book (each on its own, refused when they share loan ids, then combined);
- :mod:`~postloan_audit.compliance.findings_workbook`: the findings workbook sent to branches.
"""

from postloan_audit.compliance.checks import CheckReport, list_rules, run_checks
from postloan_audit.compliance.combine import check_extracts
from postloan_audit.compliance.findings_workbook import write_findings_workbook
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules.families import (
    RULE_FAMILY_ZH,
    findings_by_family,
    rule_family,
)

__all__ = ["RULE_FAMILY_ZH", "CheckReport", "Policy", "check_extracts", "findings_by_family",
           "list_rules", "rule_family", "run_checks", "write_findings_workbook"]
