"""Post-loan supervision audit workbench (贷后管理检查工作台).

Load the loan-ledger extracts banks export (:func:`load_extract`), draw an on-site review
sample by the supervision manual's quotas (:func:`draw_sample`), run the compliance rule
catalogue (:func:`run_checks`), scan for early-warning signals and build the watch list
(:func:`scan_signals`), and serve the results as Voila dashboards.

The package is laid out by capability; imports point down only (a test enforces it):

==============================  ===========================================================
``postloan_audit.core``         shared floor: extract schema, errors, ``Extract``, workbook
                                writing, working days; imports nothing else of the package
``postloan_audit.ingest``       reading extracts: the only code that opens input files
``postloan_audit.parties``      identity of parties: 身份证号码 (GB 11643) and 统一社会信用代码
                                (GB 32100) checks, borrower ids that are one debtor
``postloan_audit.supervision``  supervision sampling by the manual's quotas, review plans,
                                the on-site workpaper
``postloan_audit.compliance``   the cited rule catalogue and its families, the bank's
                                policy, ``run_checks``, several extracts checked together
                                (``check_extracts``), the findings workbook
``postloan_audit.statistical``  statistical audit sampling: attribute and monetary-unit
                                samples, planned, drawn and evaluated to the AICPA tables
``postloan_audit.portfolio``    portfolio measures: asset quality, timeliness and coverage,
                                migration, masking; the monthly lists (maturities, settled
                                loans); the management view built from them
``postloan_audit.trail``        the audit trail: runs, samples and findings followed to
                                rectification (SQLite or PostgreSQL)
``postloan_audit.analytics``    audit analytics: guarantee circles and chains, large
                                exposures and concentration, first-digit and bunching tests,
                                duplicates, two snapshots compared
``postloan_audit.synth``        the synthetic generator (sample network, snapshots, extracts);
                                above compliance, whose rule ids and policy defaults it plants
                                around
``postloan_audit.warning``      early warning (风险预警): the cited signals (other banks'
                                overdue and suits, the group, statements, collateral, our
                                own book), the watch list with its levels 红/橙/黄,
                                escalation and movement, ``scan_signals``
``postloan_audit.dashboard``    the Voila dashboards (ipywidgets), one door users open: they
                                draw what the capabilities compute
``postloan_audit.commands``     the ``postloan-audit`` command line, the other door: it parses
                                arguments, calls the capabilities and prints
==============================  ===========================================================

Everything a user needs is re-exported here, once, and imported on first use (PEP 562): a
dashboard or command loads only the capabilities it touches (SciPy only for statistical
sampling, SQLAlchemy only for the audit trail, ipywidgets and plotly only for the pages), so
a page's kernel reaches its first screen sooner (docs/performance.md).
"""

from __future__ import annotations

from postloan_audit.core.lazy import lazy_exports
from postloan_audit.core.version import __version__

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "Extract": "postloan_audit.core",
    "ExtractError": "postloan_audit.core",
    "PolicyError": "postloan_audit.core",
    "PostloanAuditError": "postloan_audit.core",
    "DateError": "postloan_audit.core.errors",
    "Problem": "postloan_audit.core.errors",
    "SamplingError": "postloan_audit.core.errors",
    "WorkpaperError": "postloan_audit.core.errors",
    "SharedLoansError": "postloan_audit.core.errors",
    "ListError": "postloan_audit.core.errors",
    "Provenance": "postloan_audit.core.provenance",
    "load_extract": "postloan_audit.ingest",
    "AnalyticsError": "postloan_audit.core.errors",
    "PartyResolution": "postloan_audit.parties",
    "is_valid_credit_code": "postloan_audit.parties",
    "is_valid_id_number": "postloan_audit.parties",
    "resolve_parties": "postloan_audit.parties",
    "ProfileError": "postloan_audit.core.errors",
    "ExportProfile": "postloan_audit.ingest.profile",
    "SyntheticNetwork": "postloan_audit.synth",
    "generate_network": "postloan_audit.synth",
    "generate_snapshots": "postloan_audit.synth",
    "write_extract": "postloan_audit.synth",
    "write_sample_extracts": "postloan_audit.synth",
    "SamplingPolicy": "postloan_audit.supervision",
    "SupervisionSample": "postloan_audit.supervision",
    "draw_new_customer_check": "postloan_audit.supervision",
    "draw_sample": "postloan_audit.supervision",
    "plan_branch_reviews": "postloan_audit.supervision",
    "write_new_customer_workpaper": "postloan_audit.supervision",
    "write_sample_workpaper": "postloan_audit.supervision",
    "CheckReport": "postloan_audit.compliance",
    "Policy": "postloan_audit.compliance",
    "check_extracts": "postloan_audit.compliance",
    "list_rules": "postloan_audit.compliance",
    "run_checks": "postloan_audit.compliance",
    "write_findings_workbook": "postloan_audit.compliance",
    "SignalReport": "postloan_audit.warning",
    "list_signals": "postloan_audit.warning",
    "scan_signals": "postloan_audit.warning",
    "write_watchlist_workbook": "postloan_audit.warning",
    "AttributeEvaluation": "postloan_audit.statistical",
    "AttributePlan": "postloan_audit.statistical",
    "MUSEvaluation": "postloan_audit.statistical",
    "MUSPlan": "postloan_audit.statistical",
    "MUSSample": "postloan_audit.statistical",
    "draw_mus_sample": "postloan_audit.statistical",
    "evaluate_attribute_sample": "postloan_audit.statistical",
    "evaluate_mus": "postloan_audit.statistical",
    "plan_attribute_sample": "postloan_audit.statistical",
    "plan_mus": "postloan_audit.statistical",
    "Migration": "postloan_audit.portfolio.migration",
    "PortfolioKPIs": "postloan_audit.portfolio.quality",
    "balance_by_class": "postloan_audit.portfolio.quality",
    "inspection_timeliness": "postloan_audit.portfolio.timeliness",
    "maturity_list": "postloan_audit.portfolio.lists",
    "mask_id_number": "postloan_audit.portfolio.masking",
    "mask_name": "postloan_audit.portfolio.masking",
    "mask_personal_data": "postloan_audit.portfolio.masking",
    "migration_matrix": "postloan_audit.portfolio.migration",
    "overdue_buckets": "postloan_audit.portfolio.quality",
    "portfolio_kpis": "postloan_audit.portfolio.quality",
    "review_coverage": "postloan_audit.portfolio.timeliness",
    "settled_list": "postloan_audit.portfolio.lists",
    "special_mention_migration_rate": "postloan_audit.portfolio.migration",
    "top_borrower_concentration": "postloan_audit.portfolio.quality",
    "write_maturity_list": "postloan_audit.portfolio.lists",
    "write_settled_list": "postloan_audit.portfolio.lists",
    "Concentration": "postloan_audit.analytics",
    "DigitTest": "postloan_audit.analytics",
    "Duplicates": "postloan_audit.analytics",
    "SnapshotComparison": "postloan_audit.analytics",
    "bunching_test": "postloan_audit.analytics",
    "compare_snapshots": "postloan_audit.analytics",
    "concentration": "postloan_audit.analytics",
    "digit_test": "postloan_audit.analytics",
    "find_duplicates": "postloan_audit.analytics",
    "guarantee_chains": "postloan_audit.analytics",
    "guarantee_circles": "postloan_audit.analytics",
    "large_exposures": "postloan_audit.analytics",
    "write_analytics_workbook": "postloan_audit.analytics.workbook",
    "AuditStore": "postloan_audit.trail",
    "ImportRefused": "postloan_audit.core.errors",
    "TrailError": "postloan_audit.core.errors",
    "branch_scorecard": "postloan_audit.trail",
    "export_findings_workbook": "postloan_audit.trail",
    "import_findings_workbook": "postloan_audit.trail",
    "import_workpaper": "postloan_audit.trail",
    "open_store": "postloan_audit.trail",
    "rectification_summary": "postloan_audit.trail",
    "BranchSamplingDashboard": "postloan_audit.dashboard",
    "ComplianceDashboard": "postloan_audit.dashboard",
    "ManagementDashboard": "postloan_audit.dashboard",
    "StatisticalSamplingDashboard": "postloan_audit.dashboard",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = ["__version__", *_EXPORTS]
