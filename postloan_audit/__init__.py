"""Post-loan supervision audit workbench (贷后管理检查工作台).

Load the loan-ledger extracts banks export (:func:`load_extract`), draw an on-site review
sample by the supervision manual's quotas (:func:`draw_sample`), run the compliance rule
catalogue (:func:`run_checks`), and serve the results as Voila dashboards.

The package is laid out by capability; imports point down only (a test enforces it):

==============================  ===========================================================
``postloan_audit.core``         shared floor: extract schema, errors, ``Extract``, workbook
                                writing, working days; imports nothing else of the package
``postloan_audit.ingest``       reading extracts: the only code that opens input files
``postloan_audit.synth``        the synthetic generator (sample network, snapshots, extracts)
``postloan_audit.supervision``  supervision sampling by the manual's quotas, review plans,
                                the on-site workpaper
``postloan_audit.compliance``   the cited rule catalogue, the bank's policy, ``run_checks``,
                                the findings workbook
``postloan_audit.statistical``  statistical audit sampling: attribute and monetary-unit
                                samples, planned, drawn and evaluated to the AICPA tables
``postloan_audit.portfolio``    portfolio measures: asset quality, migration, coverage, masking
``postloan_audit.dashboard``    the Voila dashboards (ipywidgets), one door users open
``postloan_audit.commands``     the ``postloan-audit`` command line, the other door
==============================  ===========================================================

Everything a user needs is re-exported here, once.
"""

from __future__ import annotations

from postloan_audit.core import Extract, ExtractError, PolicyError, PostloanAuditError
from postloan_audit.core.version import __version__
from postloan_audit.ingest import load_extract

# --- export profiles ---
# isort: split
from postloan_audit.core.errors import ProfileError
from postloan_audit.ingest.profile import ExportProfile

# --- the generator ---
# isort: split
from postloan_audit.synth import (
    SyntheticNetwork,
    generate_network,
    generate_snapshots,
    write_extract,
    write_sample_extracts,
)

# --- supervision sampling ---
# isort: split
from postloan_audit.supervision import (
    SamplingPolicy,
    SupervisionSample,
    draw_new_customer_check,
    draw_sample,
    plan_branch_reviews,
    write_sample_workpaper,
)

# --- compliance checks ---
# isort: split
from postloan_audit.compliance import (
    CheckReport,
    Policy,
    list_rules,
    run_checks,
    write_findings_workbook,
)

# --- statistical sampling ---
# isort: split
from postloan_audit.statistical import (
    AttributeEvaluation,
    AttributePlan,
    MUSEvaluation,
    MUSPlan,
    MUSSample,
    draw_mus_sample,
    evaluate_attribute_sample,
    evaluate_mus,
    plan_attribute_sample,
    plan_mus,
)

# --- portfolio measures ---
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

# --- the audit trail ---
# isort: split
from postloan_audit.trail import (
    AuditStore,
    ImportRefused,
    TrailError,
    branch_scorecard,
    export_findings_workbook,
    import_findings_workbook,
    import_workpaper,
    open_store,
    rectification_summary,
)

#: Dashboard classes, imported on first use so the CLI does not load ipywidgets and plotly.
_DASHBOARDS = ("BranchSamplingDashboard", "ComplianceDashboard", "ManagementDashboard",
               "StatisticalSamplingDashboard")


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
    # export profiles
    "ExportProfile",
    "ProfileError",
    # the generator
    "SyntheticNetwork",
    "generate_network",
    "generate_snapshots",
    "write_extract",
    "write_sample_extracts",
    # compliance checks
    "CheckReport",
    "Policy",
    "list_rules",
    "run_checks",
    "write_findings_workbook",
    # supervision sampling
    "SamplingPolicy",
    "SupervisionSample",
    "draw_new_customer_check",
    "draw_sample",
    "plan_branch_reviews",
    "write_sample_workpaper",
    # statistical sampling
    "AttributeEvaluation",
    "AttributePlan",
    "MUSEvaluation",
    "MUSPlan",
    "MUSSample",
    "draw_mus_sample",
    "evaluate_attribute_sample",
    "evaluate_mus",
    "plan_attribute_sample",
    "plan_mus",
    # portfolio measures
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
    # the audit trail
    "AuditStore",
    "ImportRefused",
    "TrailError",
    "branch_scorecard",
    "export_findings_workbook",
    "import_findings_workbook",
    "import_workpaper",
    "open_store",
    "rectification_summary",
    # dashboards, loaded lazily
    "BranchSamplingDashboard",
    "ComplianceDashboard",
    "ManagementDashboard",
    "StatisticalSamplingDashboard",
]
