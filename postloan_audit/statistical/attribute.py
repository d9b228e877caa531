"""Attribute sampling for tests of controls (属性抽样,控制测试).

《第2108号内部审计具体准则——审计抽样》 describes attribute sampling for tests of controls in
terms of 可信赖程度 (confidence = 1 − risk of overreliance), 可容忍偏差率 (tolerable deviation
rate) and 预计总体偏差率 (expected population deviation rate). The reference tables every audit
tool is checked against are those of the AICPA Audit Sampling Guide, Appendix A: Tables A-1/A-2
(sample sizes at 5% and 10% risk of overreliance) and A-3/A-4 (one-sided upper deviation limits).

Method
------
Plan: the smallest ``n`` such that, with ``x = ceil(n × expected_rate)`` deviations found (the
expected deviations, a whole number), the upper limit stays at or below the tolerable rate:

* binomial: ``P(X ≤ x | n, tolerable_rate) ≤ 1 − confidence`` (Appendix A);
* poisson: ``P(X ≤ x | λ = n × tolerable_rate) ≤ 1 − confidence``;
* hypergeometric: ``P(X ≤ x | N, K, n) ≤ 1 − confidence`` with ``K = ceil(tolerable_rate × N)``
  deviations in a population of ``N`` items, ``n ≤ N``.

``x`` is computed in exact rational arithmetic from the rate as typed (0.035 × 400 = 14), which
is what the published tables do.

Evaluate: the one-sided upper deviation limit at ``confidence``:

* binomial: exact Clopper–Pearson, ``Beta⁻¹(confidence; k + 1, n − k)`` (1 when ``k = n``);
* poisson: ``Gamma⁻¹(confidence; k + 1) / n`` (capped at 1);
* hypergeometric: the largest ``K`` with ``P(X ≤ k | N, K, n) > 1 − confidence``, over ``N``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from postloan_audit.core.errors import SamplingError
from postloan_audit.core.provenance import Provenance, ProvenanceAliases
from postloan_audit.statistical._common import (
    LIKELIHOOD_ZH,
    MAX_SAMPLE_SIZE,
    ceil_times,
    check_confidence,
    check_count,
    check_likelihood,
    check_rate,
    exact,
    frozen_inputs,
    pct,
)

_CHUNK = 2048


@dataclass(frozen=True, eq=False)
class AttributePlan(ProvenanceAliases):
    """An attribute sample plan (属性抽样方案).

    Attributes
    ----------
    n : int
        The sample size (样本量).
    expected_deviations : int
        Deviations the sample may show and still support reliance (``ceil(n × expected_rate)``).
    confidence, tolerable_rate, expected_rate, population, likelihood :
        The inputs.
    inputs, method, seed, population_fingerprint, provenance :
        Provenance; a plan is not random (``seed`` None) and knows no population file
        (``population_fingerprint`` None).
    """

    n: int
    expected_deviations: int
    confidence: float
    tolerable_rate: float
    expected_rate: float
    population: int | None
    likelihood: str
    inputs: Mapping[str, Any]
    method: str
    seed: int | None
    population_fingerprint: str | None
    provenance: Provenance

    def summary(self) -> str:
        """The plan in plain Chinese (抽样方案说明)."""
        pop = f",总体 {self.population} 项" if self.population is not None else ""
        return "\n".join([
            f"属性抽样方案({LIKELIHOOD_ZH[self.likelihood]}{pop})",
            f"可信赖程度 {pct(self.confidence)}(信赖过度风险 {pct(1 - self.confidence)}),"
            f"可容忍偏差率 {pct(self.tolerable_rate, 2)},预计总体偏差率 {pct(self.expected_rate, 2)}",
            f"样本量 {self.n} 项;样本中偏差不超过 {self.expected_deviations} 项时,"
            f"可以在 {pct(self.confidence)} 的可信赖程度下认为总体偏差率不超过"
            f" {pct(self.tolerable_rate, 2)}。",
        ])


@dataclass(frozen=True, eq=False)
class AttributeEvaluation(ProvenanceAliases):
    """The evaluation of an attribute sample (属性抽样结果评价).

    Attributes
    ----------
    upper_limit : float
        The one-sided upper deviation limit at ``confidence`` (a fraction: 0.059 for 5.9%).
    sample_rate : float
        ``deviations / n``.
    n, deviations, confidence, population, likelihood :
        The inputs.
    inputs, method, seed, population_fingerprint, provenance :
        Provenance (``seed`` and ``population_fingerprint`` None: nothing random, no file).
    """

    upper_limit: float
    sample_rate: float
    n: int
    deviations: int
    confidence: float
    population: int | None
    likelihood: str
    inputs: Mapping[str, Any]
    method: str
    seed: int | None
    population_fingerprint: str | None
    provenance: Provenance

    def relies(self, tolerable_rate: float) -> bool:
        """Whether the control can be relied on: the upper limit does not exceed the tolerable rate."""
        tolerable_rate = check_rate("tolerable_rate", "可容忍偏差率", tolerable_rate, allow_zero=False)
        return self.upper_limit <= tolerable_rate

    def conclusion(self, tolerable_rate: float) -> str:
        """The plain-language conclusion (审计结论) against the tolerable rate of the plan."""
        risk = pct(1 - self.confidence)
        head = (f"在 {pct(self.confidence)} 的可信赖程度下,总体偏差率上限为"
                f" {pct(self.upper_limit, 2)}(样本 {self.n} 项中发现偏差 {self.deviations} 项)")
        if self.relies(tolerable_rate):
            return (f"{head},不超过可容忍偏差率 {pct(tolerable_rate, 2)}:"
                    f"在计划的信赖过度风险 {risk} 下,可以信赖该项控制。")
        return (f"{head},超过可容忍偏差率 {pct(tolerable_rate, 2)}:"
                f"在计划的信赖过度风险 {risk} 下,不能信赖该项控制;"
                f"应扩大样本、实施替代程序或调整实质性程序。")

    def summary(self, tolerable_rate: float | None = None) -> str:
        """The evaluation in plain Chinese; with ``tolerable_rate``, the conclusion too."""
        pop = f",总体 {self.population} 项" if self.population is not None else ""
        lines = [
            f"属性抽样结果评价({LIKELIHOOD_ZH[self.likelihood]}{pop})",
            f"样本量 {self.n} 项,偏差 {self.deviations} 项,样本偏差率 {pct(self.sample_rate, 2)}",
            f"在 {pct(self.confidence)} 的可信赖程度下,总体偏差率上限 {pct(self.upper_limit, 2)}",
        ]
        if tolerable_rate is not None:
            lines.append(self.conclusion(tolerable_rate))
        return "\n".join(lines)


def _first(ok: np.ndarray) -> int | None:
    hits = np.flatnonzero(ok)
    return int(hits[0]) if len(hits) else None


def plan_attribute_sample(*, confidence: float, tolerable_rate: float, expected_rate: float = 0.0,
                          population: int | None = None,
                          likelihood: str = "binomial") -> AttributePlan:
    """Plan an attribute sample for a test of controls (属性抽样:确定样本量).

    Parameters
    ----------
    confidence : float
        可信赖程度, ``1 −`` the risk of overreliance (0.95 or 0.90 in the AICPA tables).
    tolerable_rate : float
        可容忍偏差率, a fraction (0.05 for 5%).
    expected_rate : float, default 0
        预计总体偏差率, a fraction below ``tolerable_rate``.
    population : int, optional
        Number of items in the population; required for ``likelihood="hypergeometric"``, and
        caps the sample size otherwise.
    likelihood : {"binomial", "poisson", "hypergeometric"}
        The model (module docstring). Binomial sizes equal AICPA Appendix A Tables A-1/A-2.

    Returns
    -------
    AttributePlan
    """
    confidence = check_confidence(confidence)
    tolerable_rate = check_rate("tolerable_rate", "可容忍偏差率", tolerable_rate, allow_zero=False)
    expected_rate = check_rate("expected_rate", "预计总体偏差率", expected_rate, allow_zero=True)
    population = check_likelihood(likelihood, population)
    if expected_rate >= tolerable_rate:
        raise SamplingError(
            f"预计总体偏差率({pct(expected_rate, 2)})须低于可容忍偏差率({pct(tolerable_rate, 2)}),"
            f"否则任何样本量都不能支持信赖控制。 / expected_rate ({expected_rate}) must be below"
            f" tolerable_rate ({tolerable_rate}); no sample size can support reliance otherwise.")
    alpha = 1 - confidence
    rate = exact(expected_rate)
    limit = MAX_SAMPLE_SIZE if population is None else min(population, MAX_SAMPLE_SIZE)
    tolerated = (math.ceil(exact(tolerable_rate) * population)
                 if likelihood == "hypergeometric" else None)
    found = None
    for start in range(1, limit + 1, _CHUNK):
        n = np.arange(start, min(start + _CHUNK, limit + 1), dtype=np.int64)
        x = ceil_times(n, rate)
        if likelihood == "binomial":
            p = stats.binom.cdf(x, n, tolerable_rate)
        elif likelihood == "poisson":
            p = stats.poisson.cdf(x, n * tolerable_rate)
        else:
            p = stats.hypergeom.cdf(x, population, tolerated, n)
        i = _first((x < n) & (p <= alpha))
        if i is not None:
            found = (int(n[i]), int(x[i]))
            break
    if found is None:
        where = (f"总体 {population} 项" if population is not None and population < MAX_SAMPLE_SIZE
                 else f" {MAX_SAMPLE_SIZE} 项")
        raise SamplingError(
            f"在{where}以内找不到满足要求的样本量(可信赖程度 {pct(confidence)},可容忍偏差率"
            f" {pct(tolerable_rate, 2)},预计偏差率 {pct(expected_rate, 2)});请提高可容忍偏差率或"
            f"降低预计偏差率,或对总体全部检查。 / No sample size up to {limit} meets confidence"
            f" {confidence}, tolerable_rate {tolerable_rate}, expected_rate {expected_rate};"
            f" raise the tolerable rate, lower the expected rate, or test the whole population.")
    n, x = found
    return AttributePlan(
        n=n, expected_deviations=x, confidence=confidence, tolerable_rate=tolerable_rate,
        expected_rate=expected_rate, population=population, likelihood=likelihood,
        inputs=frozen_inputs(confidence=confidence, tolerable_rate=tolerable_rate,
                             expected_rate=expected_rate, population=population,
                             likelihood=likelihood),
        method=f"attribute plan, {likelihood}: smallest n with P(X <= ceil(n*expected)) <= 1-confidence",
        seed=None, population_fingerprint=None, provenance=Provenance())


def _upper_limit(n: int, k: int, confidence: float, likelihood: str, population: int | None) -> float:
    if likelihood == "binomial":
        return 1.0 if k >= n else float(stats.beta.ppf(confidence, k + 1, n - k))
    if likelihood == "poisson":
        return min(1.0, float(stats.gamma.ppf(confidence, k + 1)) / n)
    # The largest population deviation count K not rejected at 1 − confidence. P(X ≤ k | K)
    # falls as K rises, so K is found by bisection (K = k is never rejected).
    low, high = k, population - (n - k)
    while low < high:
        mid = (low + high + 1) // 2
        if stats.hypergeom.cdf(k, population, mid, n) > 1 - confidence:
            low = mid
        else:
            high = mid - 1
    return low / population


def evaluate_attribute_sample(*, n: int, deviations: int, confidence: float,
                              population: int | None = None,
                              likelihood: str = "binomial") -> AttributeEvaluation:
    """Evaluate an attribute sample (属性抽样:评价样本结果).

    Parameters
    ----------
    n : int
        Items examined.
    deviations : int
        Deviations found (偏差数), ``0 ≤ deviations ≤ n``.
    confidence : float
        可信赖程度 (``1 −`` risk of overreliance).
    population : int, optional
        Items in the population (required for hypergeometric; ``n`` may not exceed it).
    likelihood : {"binomial", "poisson", "hypergeometric"}

    Returns
    -------
    AttributeEvaluation
        ``upper_limit`` is the one-sided upper deviation limit (exact Clopper–Pearson for the
        binomial); rounded up to 0.1 percentage point it equals AICPA Appendix A Tables A-3/A-4.
        :meth:`AttributeEvaluation.conclusion` states whether the control can be relied on.
    """
    confidence = check_confidence(confidence)
    n = check_count("n", "样本量", n, minimum=1)
    deviations = check_count("deviations", "偏差数", deviations, minimum=0)
    population = check_likelihood(likelihood, population)
    if deviations > n:
        raise SamplingError(
            f"偏差数({deviations})不能大于样本量({n})。 / deviations ({deviations}) cannot"
            f" exceed n ({n}).")
    if population is not None and n > population:
        raise SamplingError(
            f"样本量({n})不能大于总体数量({population})。 / n ({n}) cannot exceed"
            f" population ({population}).")
    upper = _upper_limit(n, deviations, confidence, likelihood, population)
    return AttributeEvaluation(
        upper_limit=upper, sample_rate=deviations / n, n=n, deviations=deviations,
        confidence=confidence, population=population, likelihood=likelihood,
        inputs=frozen_inputs(n=n, deviations=deviations, confidence=confidence,
                             population=population, likelihood=likelihood),
        method={"binomial": "one-sided exact Clopper-Pearson upper limit (beta quantile)",
                "poisson": "one-sided Poisson upper limit (gamma quantile) / n",
                "hypergeometric": "largest K not rejected by the hypergeometric cdf, / N"}[likelihood],
        seed=None, population_fingerprint=None, provenance=Provenance())
