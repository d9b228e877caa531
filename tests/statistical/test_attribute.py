"""Attribute sampling: the models beside the binomial, conclusions, provenance and messages."""

from __future__ import annotations

import dataclasses
import re

import pytest
from scipy import stats

from postloan_audit import (
    AttributeEvaluation,
    AttributePlan,
    SamplingError,
    evaluate_attribute_sample,
    plan_attribute_sample,
)


def test_plan_carries_its_provenance_and_is_frozen():
    plan = plan_attribute_sample(confidence=0.95, tolerable_rate=0.05, expected_rate=0.01)
    assert isinstance(plan, AttributePlan)
    assert (plan.n, plan.expected_deviations) == (93, 1)
    assert dict(plan.inputs) == {"confidence": 0.95, "tolerable_rate": 0.05,
                                 "expected_rate": 0.01, "population": None,
                                 "likelihood": "binomial"}
    assert plan.seed is None and plan.population_fingerprint is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.n = 1
    assert plan.summary().splitlines()[-1] == (
        "样本量 93 项;样本中偏差不超过 1 项时,可以在 95.0% 的可信赖程度下认为总体偏差率不超过 5.00%。")


def test_poisson_plan_is_the_smallest_n_with_the_poisson_cdf_at_the_risk():
    plan = plan_attribute_sample(confidence=0.95, tolerable_rate=0.05, likelihood="poisson")
    # 0 deviations: e^(−0.05 n) ≤ 0.05  ⇔  n ≥ ln 20 / 0.05 = 59.9
    assert plan.n == 60
    assert stats.poisson.cdf(0, 59 * 0.05) > 0.05 >= stats.poisson.cdf(0, 60 * 0.05)


def test_hypergeometric_plan_for_a_small_population():
    """N = 200, 5% tolerable: K = 10 deviant items; n = 51 is the first with P(X = 0) ≤ 5%."""
    plan = plan_attribute_sample(confidence=0.95, tolerable_rate=0.05, population=200,
                                 likelihood="hypergeometric")
    assert plan.n == 51
    assert stats.hypergeom.cdf(0, 200, 10, 50) > 0.05 >= stats.hypergeom.cdf(0, 200, 10, 51)


def test_evaluation_limits_and_conclusions():
    e = evaluate_attribute_sample(n=100, deviations=2, confidence=0.95)
    assert isinstance(e, AttributeEvaluation)
    assert e.upper_limit == pytest.approx(stats.beta.ppf(0.95, 3, 98), rel=1e-12)
    assert round(e.upper_limit, 4) == 0.0616
    assert e.relies(0.07) and not e.relies(0.06)
    assert e.conclusion(0.07) == (
        "在 95.0% 的可信赖程度下,总体偏差率上限为 6.16%(样本 100 项中发现偏差 2 项),"
        "不超过可容忍偏差率 7.00%:在计划的信赖过度风险 5.0% 下,可以信赖该项控制。")
    assert e.conclusion(0.06) == (
        "在 95.0% 的可信赖程度下,总体偏差率上限为 6.16%(样本 100 项中发现偏差 2 项),"
        "超过可容忍偏差率 6.00%:在计划的信赖过度风险 5.0% 下,不能信赖该项控制;"
        "应扩大样本、实施替代程序或调整实质性程序。")
    assert evaluate_attribute_sample(n=5, deviations=5, confidence=0.9).upper_limit == 1.0


def test_poisson_and_hypergeometric_limits():
    poisson = evaluate_attribute_sample(n=100, deviations=2, confidence=0.95, likelihood="poisson")
    assert poisson.upper_limit == pytest.approx(stats.gamma.ppf(0.95, 3) / 100, rel=1e-12)
    finite = evaluate_attribute_sample(n=100, deviations=2, confidence=0.95, population=1000,
                                       likelihood="hypergeometric")
    # The largest K not rejected: P(X ≤ 2 | 1000, 59, 100) > 0.05 ≥ P(X ≤ 2 | 1000, 60, 100).
    assert finite.upper_limit == 0.059
    assert stats.hypergeom.cdf(2, 1000, 59, 100) > 0.05 >= stats.hypergeom.cdf(2, 1000, 60, 100)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"confidence": 95, "tolerable_rate": 0.05}, "可信赖程度 confidence 须为 0 与 1 之间的小数"),
    ({"confidence": 0.95, "tolerable_rate": 5}, "可容忍偏差率 tolerable_rate 须为 0(不含) 与 1 之间"),
    ({"confidence": 0.95, "tolerable_rate": 0.05, "expected_rate": 0.06},
     "预计总体偏差率(6.00%)须低于可容忍偏差率(5.00%)"),
    ({"confidence": 0.95, "tolerable_rate": 0.05, "likelihood": "hypergeometric"},
     "超几何分布需要总体数量 population"),
    ({"confidence": 0.95, "tolerable_rate": 0.05, "likelihood": "normal"},
     "likelihood 须为 binomial、poisson、hypergeometric 之一"),
    ({"confidence": 0.95, "tolerable_rate": 0.01, "expected_rate": 0.009, "population": 300},
     "在总体 300 项以内找不到满足要求的样本量"),
])
def test_bad_plan_inputs_get_clear_messages(kwargs, message):
    with pytest.raises(SamplingError, match=re.escape(message)):
        plan_attribute_sample(**kwargs)


def test_bad_evaluation_inputs_get_clear_messages():
    with pytest.raises(SamplingError, match=re.escape("偏差数(6)不能大于样本量(5)")):
        evaluate_attribute_sample(n=5, deviations=6, confidence=0.95)
    with pytest.raises(SamplingError, match=re.escape("样本量(60)不能大于总体数量(50)")):
        evaluate_attribute_sample(n=60, deviations=0, confidence=0.95, population=50)
