"""The portfolio measures under their former module name (kept for code that imports it).

The measures now live by concern: :mod:`~postloan_audit.portfolio.quality` (KPIs, balance by
class, overdue buckets, concentration), :mod:`~postloan_audit.portfolio.timeliness`
(inspection timeliness, review coverage), :mod:`~postloan_audit.portfolio.migration`
(migration matrix, special-mention migration rate) and
:mod:`~postloan_audit.portfolio.masking` (personal-data masking). Import from
:mod:`postloan_audit.portfolio` or those modules.
"""

from postloan_audit.portfolio._common import ACTIVE_MIN_BALANCE
from postloan_audit.portfolio.masking import (
    ID_KEEP_HEAD,
    ID_KEEP_TAIL,
    MASK_CHAR,
    NAME_KEEP_HEAD,
    mask_id_number,
    mask_name,
    mask_personal_data,
)
from postloan_audit.portfolio.migration import (
    MIGRATION_ACCOUNTING_ROWS,
    SNAPSHOT_LOAN_COLUMNS,
    Migration,
    SpecialMentionMigration,
    migration_matrix,
    special_mention_migration_rate,
)
from postloan_audit.portfolio.quality import (
    OVERDUE_BUCKET_EDGES,
    OVERDUE_BUCKET_LABELS,
    OVERDUE_RATIO_DAYS,
    TOP_BORROWERS_N,
    BorrowerConcentration,
    PortfolioKPIs,
    balance_by_class,
    overdue_bucket_labels,
    overdue_buckets,
    portfolio_kpis,
    top_borrower_concentration,
)
from postloan_audit.portfolio.timeliness import (
    InspectionTimeliness,
    ReviewCoverage,
    inspection_timeliness,
    review_coverage,
)

__all__ = [
    "ACTIVE_MIN_BALANCE", "ID_KEEP_HEAD", "ID_KEEP_TAIL", "MASK_CHAR",
    "MIGRATION_ACCOUNTING_ROWS", "NAME_KEEP_HEAD", "OVERDUE_BUCKET_EDGES",
    "OVERDUE_BUCKET_LABELS", "OVERDUE_RATIO_DAYS", "SNAPSHOT_LOAN_COLUMNS", "TOP_BORROWERS_N",
    "BorrowerConcentration", "InspectionTimeliness", "Migration", "PortfolioKPIs",
    "ReviewCoverage", "SpecialMentionMigration", "balance_by_class", "inspection_timeliness",
    "mask_id_number", "mask_name", "mask_personal_data", "migration_matrix",
    "overdue_bucket_labels", "overdue_buckets", "portfolio_kpis", "review_coverage",
    "special_mention_migration_rate", "top_borrower_concentration",
]
