"""The audit trail (检查记录与整改跟踪): every run, sample and finding kept, and each finding
followed until it is rectified.

- :mod:`~postloan_audit.trail.store`: :func:`open_store`, the :class:`AuditStore` (SQLite by
  default, PostgreSQL by URL; numbered migrations; append-only change log);
- :mod:`~postloan_audit.trail.followup`: stable finding keys, statuses and legal transitions,
  deadlines, the comparison with the previous run;
- :mod:`~postloan_audit.trail.exchange`: the findings workbook with 整改情况 columns and the filled
  on-site checklist, out and back;
- :mod:`~postloan_audit.trail.scorecard`: the branch scorecard (百分制考核) and rectification rate.
"""

from postloan_audit.trail.exchange import (
    export_findings_workbook,
    import_findings_workbook,
    import_workpaper,
)
from postloan_audit.trail.followup import STATUSES, TRANSITIONS
from postloan_audit.trail.scorecard import branch_scorecard, rectification_summary
from postloan_audit.trail.store import AuditStore, ImportRefused, TrailError, open_store

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "AuditStore",
    "ImportRefused",
    "TrailError",
    "branch_scorecard",
    "export_findings_workbook",
    "import_findings_workbook",
    "import_workpaper",
    "open_store",
    "rectification_summary",
]
