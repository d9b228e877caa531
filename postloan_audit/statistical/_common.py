"""Shared pieces of statistical sampling: validation, exact rates, provenance.

Every number a user passes (confidence, rates, amounts) is checked here with a message in
Chinese first and English alongside that names the argument, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np

from postloan_audit.core.errors import SamplingError
from postloan_audit.core.provenance import now  # noqa: F401 - one clock for every result
from postloan_audit.core.version import __version__

#: The model names a plan or an evaluation may use (``likelihood=``).
LIKELIHOODS: tuple[str, ...] = ("binomial", "poisson", "hypergeometric")
LIKELIHOOD_ZH: dict[str, str] = {
    "binomial": "二项分布",
    "poisson": "泊松分布",
    "hypergeometric": "超几何分布",
}
#: The largest sample size a plan searches (beyond it no audit sample is practicable).
MAX_SAMPLE_SIZE = 100_000
#: Rates are turned into exact fractions with at most this denominator, so that
#: ``ceil(n * expected_rate)`` is exact (0.035 × 400 is 14, not 14.000000000000002).
_MAX_DENOMINATOR = 10**9


def frozen_inputs(**inputs: Any) -> Mapping[str, Any]:
    """A read-only copy of the arguments a result was made from (its provenance)."""
    return MappingProxyType(dict(inputs))



def exact(value: float) -> Fraction:
    """The decimal a user typed, as an exact fraction (``0.035`` → ``7/200``)."""
    return Fraction(repr(float(value))).limit_denominator(_MAX_DENOMINATOR)


def ceil_times(n: np.ndarray, rate: Fraction) -> np.ndarray:
    """``ceil(n * rate)`` computed exactly in integers, for an array of sample sizes."""
    num, den = rate.numerator, rate.denominator
    return -((-n.astype(np.int64) * num) // den)


def pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%"


def check_confidence(confidence: Any) -> float:
    if (isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating)
            or not 0 < float(confidence) < 1):
        raise SamplingError(
            f"可信赖程度 confidence 须为 0 与 1 之间的小数(如 0.95 表示 95%),收到 {confidence!r}。"
            f" / confidence must be a fraction strictly between 0 and 1 (0.95 for 95%),"
            f" got {confidence!r}.")
    return float(confidence)


def check_rate(name: str, zh: str, value: Any, *, allow_zero: bool) -> float:
    ok = (not isinstance(value, bool) and isinstance(value, int | float | np.floating)
          and math.isfinite(float(value)) and (0 <= float(value) < 1 if allow_zero
                                               else 0 < float(value) < 1))
    if not ok:
        low = "0(含)" if allow_zero else "0(不含)"
        raise SamplingError(
            f"{zh} {name} 须为 {low} 与 1 之间的小数(如 0.05 表示 5%),收到 {value!r}。"
            f" / {name} must be a fraction in {'[0, 1)' if allow_zero else '(0, 1)'}"
            f" (0.05 for 5%), got {value!r}.")
    return float(value)


def check_likelihood(likelihood: Any, population: Any) -> int | None:
    if likelihood not in LIKELIHOODS:
        raise SamplingError(
            f"likelihood 须为 {'、'.join(LIKELIHOODS)} 之一,收到 {likelihood!r}。"
            f" / likelihood must be one of {', '.join(LIKELIHOODS)}, got {likelihood!r}.")
    if population is None:
        if likelihood == "hypergeometric":
            raise SamplingError(
                "超几何分布需要总体数量 population(总体中的项目数)。"
                " / The hypergeometric likelihood needs population (the number of items).")
        return None
    if (isinstance(population, bool) or not isinstance(population, int | np.integer)
            or population < 1):
        raise SamplingError(
            f"总体数量 population 须为正整数,收到 {population!r}。"
            f" / population must be a positive integer, got {population!r}.")
    return int(population)


def check_count(name: str, zh: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise SamplingError(
            f"{zh} {name} 须为不小于 {minimum} 的整数,收到 {value!r}。"
            f" / {name} must be an integer of at least {minimum}, got {value!r}.")
    return int(value)


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SamplingError(
            f"随机种子 seed 须为非负整数,收到 {seed!r}。"
            f" / seed must be a non-negative integer, got {seed!r}.")
    return int(seed)


def fingerprint_of(ids: np.ndarray, cents: np.ndarray) -> str:
    """sha256 of a population's (id, amount in cents) pairs in ``loan_id`` order."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, ids)).encode("utf-8"))
    digest.update(b"\x1e")
    digest.update(np.ascontiguousarray(cents, dtype="<i8").tobytes())
    return digest.hexdigest()


VERSION = __version__
