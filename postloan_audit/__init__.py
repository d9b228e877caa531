"""Post-loan supervision audit workbench (贷后管理检查工作台).

Load the loan-ledger extracts banks export (:func:`load_extract`), draw an on-site review
sample by the supervision manual's quotas (:func:`draw_sample`), run the compliance rule
catalogue (:func:`run_checks`), and serve the results as Voila dashboards.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("postloan-audit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from postloan_audit.errors import ExtractError, PolicyError, PostloanAuditError
from postloan_audit.extract import Extract
from postloan_audit.io import load_extract

# --- synth (generator) ---
from postloan_audit.synth import (
    SyntheticNetwork,
    generate_network,
    generate_snapshots,
    write_extract,
    write_sample_extracts,
)

# --- sampling ---
# isort: split
from postloan_audit.planning import draw_new_customer_check, plan_branch_reviews
from postloan_audit.sampling import SamplingPolicy, SupervisionSample, draw_sample
from postloan_audit.workpaper import write_sample_workpaper

# --- checks ---
# isort: split
from postloan_audit.checks import CheckReport, list_rules, run_checks
from postloan_audit.findings_workbook import write_findings_workbook
from postloan_audit.policy import Policy

# --- portfolio / dashboards ---
# isort: split
from postloan_audit.portfolio import (
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

#: Dashboard classes, imported on first use so the CLI does not load ipywidgets and plotly.
_DASHBOARDS = ("BranchSamplingDashboard", "ComplianceDashboard", "ManagementDashboard")


def __getattr__(name: str):
    if name in _DASHBOARDS:
        from postloan_audit import dashboard

        return getattr(dashboard, name)
    raise AttributeError(f"module 'postloan_audit' has no attribute {name!r}")


__all__ = [
    "Extract",
    "ExtractError",
    "PolicyError",
    "PostloanAuditError",
    "__version__",
    "load_extract",
    # synth (issue 2 §4)
    "SyntheticNetwork",
    "generate_network",
    "generate_snapshots",
    "write_extract",
    "write_sample_extracts",
    # checks (issue 4)
    "CheckReport",
    "Policy",
    "list_rules",
    "run_checks",
    "write_findings_workbook",
    # sampling (issue 3)
    "SamplingPolicy",
    "SupervisionSample",
    "draw_new_customer_check",
    "draw_sample",
    "plan_branch_reviews",
    "write_sample_workpaper",
    # portfolio (issue 5)
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
    # dashboards (issue 5), loaded lazily
    "BranchSamplingDashboard",
    "ComplianceDashboard",
    "ManagementDashboard",
]
