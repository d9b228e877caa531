"""Portfolio measures (资产质量与覆盖): KPIs, buckets, concentration, migration, coverage, masking.

- :mod:`~postloan_audit.portfolio.measures`: every measure the management dashboard shows,
  each a function of extracts returning frames or small result objects.
"""

from postloan_audit.portfolio.measures import (
    Migration,
    PortfolioKPIs,
    balance_by_class,
    inspection_timeliness,
    mask_id_number,
    mask_name,
    mask_personal_data,
    migration_matrix,
    overdue_buckets,
    portfolio_kpis,
    review_coverage,
    special_mention_migration_rate,
    top_borrower_concentration,
)

__all__ = [
    "Migration",
    "PortfolioKPIs",
    "balance_by_class",
    "inspection_timeliness",
    "mask_id_number",
    "mask_name",
    "mask_personal_data",
    "migration_matrix",
    "overdue_buckets",
    "portfolio_kpis",
    "review_coverage",
    "special_mention_migration_rate",
    "top_borrower_concentration",
]
