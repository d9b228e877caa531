"""Voila dashboards as ipywidgets classes that can be built and driven without a browser.

- :class:`ExtractOverviewDashboard` (台账读取核对, anyone): ``notebooks/00_extract_overview.ipynb``
- :class:`BranchSamplingDashboard` (支行抽样, inspectors): ``notebooks/01_branch_sampling.ipynb``
- :class:`ComplianceDashboard` (合规检查, head office): ``notebooks/02_compliance_checks.ipynb``
- :class:`ManagementDashboard` (管理层看板, management): ``notebooks/03_management_dashboard.ipynb``
- :class:`StatisticalSamplingDashboard` (统计抽样, internal audit):
  ``notebooks/04_statistical_sampling.ipynb``
"""

from postloan_audit.dashboard.common import SourcePanel

# --- sampling dashboard ---
# isort: split
from postloan_audit.dashboard.sampling import BranchSamplingDashboard

# --- compliance dashboard ---
# isort: split
from postloan_audit.dashboard.compliance import ComplianceDashboard

# --- management dashboard ---
# isort: split
from postloan_audit.dashboard.management import ManagementDashboard

# --- statistical sampling dashboard ---
# isort: split
from postloan_audit.dashboard.statistical import StatisticalSamplingDashboard

# --- extract overview ---
# isort: split
from postloan_audit.dashboard.overview import ExtractOverviewDashboard

__all__ = [
    "ExtractOverviewDashboard",
    "BranchSamplingDashboard",
    "ComplianceDashboard",
    "ManagementDashboard",
    "SourcePanel",
    "StatisticalSamplingDashboard",
]
