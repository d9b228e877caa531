"""Voila dashboards as ipywidgets classes that can be built and driven without a browser.

- :class:`ExtractOverviewDashboard` (台账读取核对, anyone): ``notebooks/00_extract_overview.ipynb``
- :class:`BranchSamplingDashboard` (支行抽样, inspectors): ``notebooks/01_branch_sampling.ipynb``
- :class:`ComplianceDashboard` (合规检查, head office): ``notebooks/02_compliance_checks.ipynb``
- :class:`ManagementDashboard` (管理层看板, management): ``notebooks/03_management_dashboard.ipynb``
- :class:`StatisticalSamplingDashboard` (统计抽样, internal audit):
  ``notebooks/04_statistical_sampling.ipynb``
- :class:`WatchListDashboard` (预警名单, risk officers and managers):
  ``notebooks/05_watch_list.ipynb``

The dashboards draw; they compute nothing of their own. What a page shows comes from the
capabilities below it: several files checked together from
:mod:`postloan_audit.compliance.combine` (the command line's ``check A B …`` runs the same
code), an uploaded policy read by
:meth:`~postloan_audit.compliance.policy.Policy.from_toml_bytes`, the management view with
its tables and workbook from :mod:`postloan_audit.portfolio.management`, the monthly lists
of the compliance page from :mod:`postloan_audit.portfolio.lists`, the new-customer check of
the sampling page and its workpaper from :mod:`postloan_audit.supervision`. A page adds the
figures, the widgets and the HTML.

Each class is imported on first use (PEP 562), so a page's kernel imports only its own
dashboard (the management page does not load SciPy for the statistical page).

:func:`visitor_page` ends each page's notebook: in a kernel Voila pre-heats it waits for the
visitor's request and settles what belongs to the visitor (``dashboard/visitor.py``). Importing
this package in such a kernel lowers its priority first.
"""

from __future__ import annotations

from postloan_audit.core.lazy import lazy_exports
from postloan_audit.dashboard.visitor import lower_priority, visitor_page

lower_priority()

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "ExtractOverviewDashboard": "postloan_audit.dashboard.overview",
    "BranchSamplingDashboard": "postloan_audit.dashboard.sampling",
    "ComplianceDashboard": "postloan_audit.dashboard.compliance",
    "ManagementDashboard": "postloan_audit.dashboard.management",
    "SourcePanel": "postloan_audit.dashboard.common",
    "StatisticalSamplingDashboard": "postloan_audit.dashboard.statistical",
    "WatchListDashboard": "postloan_audit.dashboard.warning",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = [*_EXPORTS, "visitor_page"]
