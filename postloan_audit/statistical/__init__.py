"""Statistical audit sampling (统计抽样): attribute and monetary-unit samples.

Plan → draw → evaluate, as 《第2108号内部审计具体准则——审计抽样》 describes and as the AICPA
Audit Sampling Guide's tables (Appendix A, Appendix C Table C-1) publish:

- :func:`plan_attribute_sample`, :func:`evaluate_attribute_sample` (属性抽样, tests of controls);
- :func:`plan_mus`, :func:`draw_mus_sample`, :func:`evaluate_mus` (货币单元抽样, amounts such
  as the balance misclassified below NPL, 五级分类偏离度);
- :mod:`postloan_audit.statistical.workpaper`: the workpapers users fill in (控制测试 with
  是否偏差, 五级分类准确性 with 应划为不良的余额), written and read back.

This subpackage stands on ``core`` and ``ingest`` only.
"""

from postloan_audit.statistical.attribute import (
    AttributeEvaluation,
    AttributePlan,
    evaluate_attribute_sample,
    plan_attribute_sample,
)
from postloan_audit.statistical.mus import (
    MUSEvaluation,
    MUSPlan,
    MUSSample,
    draw_mus_sample,
    evaluate_mus,
    plan_mus,
)

__all__ = [
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
]
