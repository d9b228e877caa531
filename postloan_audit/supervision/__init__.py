"""Supervision sampling (监督抽样): the on-site review sample by the manual's quotas.

- :mod:`~postloan_audit.supervision.quotas`: :func:`draw_sample` (现场检查抽样, the quotas of
  ``001_…`` 篇三), :class:`SamplingPolicy`, :class:`SupervisionSample`;
- :mod:`~postloan_audit.supervision.planning`: the sub-branch review plan
  (:func:`plan_branch_reviews`) and the new-customer check (:func:`draw_new_customer_check`);
- :mod:`~postloan_audit.supervision.workpaper`: the on-site workpaper (工作底稿);
- :mod:`~postloan_audit.supervision.new_customers`: the workpaper of the monthly new-customer
  check (:func:`write_new_customer_workpaper`, 新增客户现场核查底稿).
"""

from postloan_audit.supervision.new_customers import write_new_customer_workpaper
from postloan_audit.supervision.planning import draw_new_customer_check, plan_branch_reviews
from postloan_audit.supervision.quotas import SamplingPolicy, SupervisionSample, draw_sample
from postloan_audit.supervision.workpaper import write_sample_workpaper

__all__ = [
    "SamplingPolicy",
    "SupervisionSample",
    "draw_new_customer_check",
    "draw_sample",
    "plan_branch_reviews",
    "write_new_customer_workpaper",
    "write_sample_workpaper",
]
