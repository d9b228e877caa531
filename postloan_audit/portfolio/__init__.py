"""Portfolio measures (资产质量与覆盖): KPIs, buckets, concentration, migration, coverage, masking,
the monthly lists.

Every measure the management dashboard shows, each a function of extracts returning frames or
small result objects, in one module per concern:

- :mod:`~postloan_audit.portfolio.quality`: asset quality (:func:`portfolio_kpis`,
  :func:`balance_by_class`, :func:`overdue_buckets`, :func:`top_borrower_concentration`);
- :mod:`~postloan_audit.portfolio.timeliness`: :func:`inspection_timeliness` (through the rule
  ``INSP-FREQ``) and :func:`review_coverage` (two-year and 40% rules);
- :mod:`~postloan_audit.portfolio.migration`: :func:`migration_matrix` and
  :func:`special_mention_migration_rate` between two snapshots;
- :mod:`~postloan_audit.portfolio.masking`: personal-data masking (《个人信息保护法》 第五十一条);
- :mod:`~postloan_audit.portfolio.lists`: the monthly lists sent to the branches
  (``maturity_list``: 次月贷款到期提示表; ``settled_list``: 贷款结清名单 between two snapshots)
  and their workbooks (imported from there: it writes workbooks);
- :mod:`~postloan_audit.portfolio._common`: the active loans and class codes they share;
- :mod:`~postloan_audit.portfolio.management`: the management view built from them
  (``build_view``, ``display_tables``, ``write_management_workbook``), which the management
  page and ``postloan-audit publish`` draw (imported from there: it writes workbooks).

``postloan_audit.portfolio.measures`` still re-exports every public name of these modules.
"""

from postloan_audit.portfolio.masking import mask_id_number, mask_name, mask_personal_data
from postloan_audit.portfolio.migration import (
    Migration,
    SpecialMentionMigration,
    migration_matrix,
    special_mention_migration_rate,
)
from postloan_audit.portfolio.quality import (
    BorrowerConcentration,
    PortfolioKPIs,
    balance_by_class,
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
    "BorrowerConcentration",
    "InspectionTimeliness",
    "Migration",
    "PortfolioKPIs",
    "ReviewCoverage",
    "SpecialMentionMigration",
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
