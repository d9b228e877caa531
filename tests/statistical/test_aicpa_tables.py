"""The AICPA Audit Sampling Guide's tables, reproduced cell for cell.

Tables A-1/A-2 (attribute sample sizes), A-3/A-4 (upper deviation limits) and C-1 (monetary
unit sample sizes) are typed in ``aicpa_tables.py`` as published. Every cell is compared
exactly. The only published cells that exact arithmetic contradicts are listed in
:data:`PUBLISHED_ERRATA` with the arithmetic; they are compared against the corrected value and
the published value is asserted to be the one in the table, so an erratum cannot hide a change.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from aicpa_tables import (
    C1_TOLERABLE_PCT,
    EXPECTED_RATES_PCT,
    TABLE_A1,
    TABLE_A2,
    TABLE_A3,
    TABLE_A4,
    TABLE_C1,
    UPPER_LIMIT_SIZES,
)
from scipy import stats

from postloan_audit import evaluate_attribute_sample, plan_attribute_sample, plan_mus

#: (table, tolerable %, expected %) -> (published n, n by exact arithmetic).
#:
#: Table A-2 (10% risk), tolerable 7%, expected 3.25% and 3.50%: the table prints 112. With
#: n = 112 the expected deviations are ceil(112 × 0.0325) = ceil(3.64) = 4 and
#: ceil(112 × 0.035) = ceil(3.92) = 4, and P(X ≤ 4 | n = 112, p = 0.07) = 0.10071 > 0.10: 112
#: does not reach the 10% risk. With n = 113 (x = 4 again) P = 0.09659 ≤ 0.10. jfa's test suite
#: records the same two cells ("AICPA gives 112 but sum(dbinom(0:4, size = 112, prob = 0.07)) >
#: 0.10").
PUBLISHED_ERRATA: dict[tuple[str, int, str], tuple[int, int]] = {
    ("A-2", 7, "3.25"): (112, 113),
    ("A-2", 7, "3.50"): (112, 113),
}


def _cells(name: str, table: dict[int, list[int]], confidence: float):
    for tolerable, column in table.items():
        for expected, published in zip(EXPECTED_RATES_PCT, column, strict=False):
            yield pytest.param(name, confidence, tolerable, expected, published,
                               id=f"{name}-T{tolerable}-E{expected}")


@pytest.mark.parametrize(("name", "confidence", "tolerable", "expected", "published"),
                         [*_cells("A-1", TABLE_A1, 0.95), *_cells("A-2", TABLE_A2, 0.90)])
def test_attribute_sample_sizes_equal_tables_a1_a2(name, confidence, tolerable, expected,
                                                    published):
    plan = plan_attribute_sample(confidence=confidence, tolerable_rate=tolerable / 100,
                                 expected_rate=float(expected) / 100)
    erratum = PUBLISHED_ERRATA.get((name, tolerable, expected))
    if erratum is None:
        assert plan.n == published
    else:
        assert erratum[0] == published
        assert plan.n == erratum[1]


def test_the_errata_arithmetic():
    """The arithmetic behind :data:`PUBLISHED_ERRATA`, from scipy's binomial."""
    assert math.ceil(Fraction(112) * Fraction("0.0325")) == 4
    assert math.ceil(Fraction(112) * Fraction("0.035")) == 4
    assert stats.binom.cdf(4, 112, 0.07) == pytest.approx(0.100712, abs=1e-6)
    assert stats.binom.cdf(4, 113, 0.07) == pytest.approx(0.096593, abs=1e-6)


def test_sizes_use_exact_expected_deviations():
    """Table A-2, 5% tolerable, 3.5% expected: 400 × 0.035 is 14 deviations, not 15.

    In floating point 400 * 0.035 = 14.000000000000002, whose ceiling is 15 and would give 423;
    the table's 400 is right: P(X ≤ 14 | 400, 0.05) = 0.0990 ≤ 0.10, while n = 399 (x = 14)
    gives 0.1009. Likewise 8% / 7%: 1300 × 0.07 = 91 exactly (P = 0.0989).
    """
    assert 400 * 0.035 > 14  # the floating-point trap
    plan = plan_attribute_sample(confidence=0.90, tolerable_rate=0.05, expected_rate=0.035)
    assert (plan.n, plan.expected_deviations) == (400, 14)
    assert stats.binom.cdf(14, 399, 0.05) > 0.10 >= stats.binom.cdf(14, 400, 0.05)
    plan = plan_attribute_sample(confidence=0.90, tolerable_rate=0.08, expected_rate=0.07)
    assert (plan.n, plan.expected_deviations) == (1300, 91)


def _limit_cells(name: str, table, confidence: float):
    for n, row in zip(UPPER_LIMIT_SIZES, table, strict=True):
        for k, published in enumerate(row):
            yield pytest.param(confidence, n, k, published, id=f"{name}-n{n}-k{k}")


def _round_up_tenth_pct(fraction: float) -> Fraction:
    """Round a fraction up to 0.1 percentage point, as the tables do (0.05912 -> 6.0)."""
    return Fraction(math.ceil(fraction * 1000), 10)


@pytest.mark.parametrize(("confidence", "n", "k", "published"),
                         [*_limit_cells("A-3", TABLE_A3, 0.95), *_limit_cells("A-4", TABLE_A4, 0.90)])
def test_upper_limits_equal_tables_a3_a4(confidence, n, k, published):
    evaluation = evaluate_attribute_sample(n=n, deviations=k, confidence=confidence)
    assert _round_up_tenth_pct(evaluation.upper_limit) == Fraction(str(published))


def _c1_cells():
    for risk, ratio, sizes, _taints in TABLE_C1:
        for tolerable, published in zip(C1_TOLERABLE_PCT, sizes, strict=True):
            yield pytest.param(risk, ratio, tolerable, published,
                               id=f"C-1-R{risk}-r{ratio}-T{tolerable}")


@pytest.mark.parametrize(("risk", "ratio", "tolerable", "published"), list(_c1_cells()))
def test_mus_sample_sizes_equal_table_c1(risk, ratio, tolerable, published):
    t = Fraction(tolerable) / 100
    plan = plan_mus(confidence=1 - risk / 100, tolerable=float(t),
                    expected=float(t * Fraction(ratio)), population_value=1_000_000)
    assert plan.n == published


@pytest.mark.parametrize(("risk", "ratio", "published"),
                         [pytest.param(r, q, x, id=f"C-1-R{r}-r{q}") for r, q, _, x in TABLE_C1])
def test_mus_expected_taints_equal_table_c1(risk, ratio, published):
    """The table's expected taints at 0.5% tolerable: ``n × E`` rounded up to 0.01.

    E.g. 10% risk, ratio 0.2: 682 × 0.001 = 0.682, printed 0.69; 10% risk, ratio 0.5:
    1597 × 0.0025 = 3.9925, printed 4.00.
    """
    t = Fraction("0.005")
    plan = plan_mus(confidence=1 - risk / 100, tolerable=float(t),
                    expected=float(t * Fraction(ratio)), population_value=1_000_000)
    exact_taints = plan.n * t * Fraction(ratio)
    assert plan.expected_taints == pytest.approx(float(exact_taints), rel=1e-12)
    assert Fraction(math.ceil(exact_taints * 100), 100) == Fraction(published)
