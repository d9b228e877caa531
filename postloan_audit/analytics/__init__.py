"""Audit analytics (审计分析): what an auditor computes over a book beyond the rules.

- :mod:`~postloan_audit.analytics.circles`: guarantee circles and chains (担保圈、担保链) over
  resolved parties (:func:`guarantee_circles`, :func:`guarantee_chains`,
  :func:`guarantee_network`);
- :mod:`~postloan_audit.analytics.exposures`: large exposures and limit breaches
  (:func:`large_exposures`: 《商业银行大额风险暴露管理办法》, 《商业银行法》 第三十九条) and
  concentration with HHI and top-N shares (:func:`concentration`);
- :mod:`~postloan_audit.analytics.digits`: first-digit (Benford) tests (:func:`digit_test`)
  and bunching below limits (:func:`bunching_test`), with the loans behind them;
- :mod:`~postloan_audit.analytics.duplicates`: shared collateral beyond its value, shared id
  numbers, identical loans (:func:`find_duplicates`);
- :mod:`~postloan_audit.analytics.snapshots`: two snapshots compared and reconciled to the
  yuan (:func:`compare_snapshots`);
- :mod:`~postloan_audit.analytics.workbook`: the analytics workbook (:func:`write_analytics_workbook`).

Each takes an extract or a loans frame where it reads loans, and its result carries the
extract's provenance. Thresholds are the ``[analytics]`` policy values (``docs/policy.md``);
what each analysis does and which library does what: ``docs/analytics.md``.
"""

from postloan_audit.analytics.circles import (
    GuaranteeNetwork,
    guarantee_chains,
    guarantee_circles,
    guarantee_network,
)
from postloan_audit.analytics.digits import (
    DigitTest,
    bunching_test,
    digit_test,
    loans_in_bands,
    loans_in_digits,
)
from postloan_audit.analytics.duplicates import Duplicates, find_duplicates
from postloan_audit.analytics.exposures import Concentration, concentration, large_exposures
from postloan_audit.analytics.snapshots import SnapshotComparison, compare_snapshots

__all__ = [
    "Concentration",
    "DigitTest",
    "Duplicates",
    "GuaranteeNetwork",
    "SnapshotComparison",
    "bunching_test",
    "compare_snapshots",
    "concentration",
    "digit_test",
    "find_duplicates",
    "guarantee_chains",
    "guarantee_circles",
    "guarantee_network",
    "large_exposures",
    "loans_in_bands",
    "loans_in_digits",
]
