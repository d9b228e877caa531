"""Properties of the statistical plans and the monetary-unit selection (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from postloan_audit import (
    draw_mus_sample,
    evaluate_attribute_sample,
    plan_attribute_sample,
    plan_mus,
)

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

confidences = st.sampled_from([0.80, 0.85, 0.90, 0.95, 0.975, 0.99])
percent = st.integers(min_value=1, max_value=30)
likelihoods = st.sampled_from(["binomial", "poisson"])


@SETTINGS
@given(confidence=confidences, low=percent, step=st.integers(1, 10), expected=st.integers(0, 10),
       likelihood=likelihoods)
def test_attribute_n_does_not_grow_as_the_tolerable_rate_rises(confidence, low, step, expected,
                                                               likelihood):
    expected_rate = min(expected, low - 1) / 400  # below the smaller tolerable rate
    small = plan_attribute_sample(confidence=confidence, tolerable_rate=low / 100,
                                  expected_rate=expected_rate, likelihood=likelihood)
    large = plan_attribute_sample(confidence=confidence, tolerable_rate=(low + step) / 100,
                                  expected_rate=expected_rate, likelihood=likelihood)
    assert large.n <= small.n


@SETTINGS
@given(tolerable=percent, expected=st.integers(0, 10), likelihood=likelihoods,
       pair=st.lists(confidences, min_size=2, max_size=2, unique=True).map(sorted))
def test_attribute_n_grows_with_confidence(tolerable, expected, likelihood, pair):
    expected_rate = min(expected, tolerable - 1) / 400
    low, high = (plan_attribute_sample(confidence=c, tolerable_rate=tolerable / 100,
                                       expected_rate=expected_rate, likelihood=likelihood)
                 for c in pair)
    assert low.n <= high.n


@SETTINGS
@given(confidence=confidences, tolerable=percent, expected=st.integers(0, 10))
def test_an_attribute_plan_is_the_smallest_size_that_works(confidence, tolerable, expected):
    """With the planned deviations found, n relies on the control and n − 1 does not."""
    expected_rate = min(expected, tolerable - 1) / 400
    plan = plan_attribute_sample(confidence=confidence, tolerable_rate=tolerable / 100,
                                 expected_rate=expected_rate)
    x = plan.expected_deviations
    assert evaluate_attribute_sample(n=plan.n, deviations=x, confidence=confidence).relies(
        tolerable / 100)
    if plan.n - 1 > x:
        import math
        from fractions import Fraction

        x_less = math.ceil((plan.n - 1) * Fraction(repr(expected_rate)))
        assert not evaluate_attribute_sample(n=plan.n - 1, deviations=x_less,
                                             confidence=confidence).relies(tolerable / 100)


@SETTINGS
@given(tolerable=percent, population=st.integers(50, 5000), confidence=confidences)
def test_hypergeometric_n_never_exceeds_the_binomial_or_the_population(tolerable, population,
                                                                       confidence):
    finite = plan_attribute_sample(confidence=confidence, tolerable_rate=tolerable / 100,
                                   population=population, likelihood="hypergeometric")
    infinite = plan_attribute_sample(confidence=confidence, tolerable_rate=tolerable / 100)
    assert finite.n <= min(population, infinite.n)


@SETTINGS
@given(confidence=confidences, low=st.integers(1, 40), step=st.integers(1, 20),
       ratio=st.sampled_from([0, 0.1, 0.2, 0.3, 0.5]))
def test_mus_n_falls_as_tolerable_rises_and_grows_with_confidence(confidence, low, step, ratio):
    plans = [plan_mus(confidence=c, tolerable=t / 100, expected=ratio * t / 100,
                      population_value=1e8)
             for c, t in ((confidence, low), (confidence, low + step), (min(0.995, confidence + 0.01), low))]
    assert plans[1].n <= plans[0].n <= plans[2].n


loan_tables = st.lists(
    st.tuples(st.integers(0, 5_000_000), st.booleans()), min_size=1, max_size=60,
).map(lambda rows: pd.DataFrame({
    "loan_id": [f"J{i:03d}" for i in range(len(rows))],
    # Some loans large enough to be in the top stratum, some zero (excluded).
    "balance": [(v * 100.0 if big else v / 100.0) for v, big in rows],
}))


@SETTINGS
@given(loans=loan_tables, n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1),
       method=st.sampled_from(["fixed_interval", "cell", "random"]), shuffle=st.randoms())
def test_mus_selection_top_stratum_reproducibility_and_row_order(loans, n, seed, method,
                                                                  shuffle):
    assume((loans["balance"] > 0).any())
    sample = draw_mus_sample(loans, n, seed=seed, method=method)
    positive = loans[loans["balance"] > 0]
    # The top stratum is exactly the loans at or above the interval, all taken.
    top = set(positive.loc[positive["balance"] >= sample.interval, "loan_id"])
    assert set(sample.top_stratum["loan_id"]) == top
    assert (sample.sampled["book_value"] < sample.interval).all()
    assert int(sample.loans["hits"].sum()) == n
    assert set(sample.excluded["loan_id"]) == set(loans.loc[loans["balance"] <= 0, "loan_id"])
    assert len(sample.excluded) + sample.population_loans == len(loans)
    if method == "fixed_interval":
        # A loan of value b holds floor(b/J) or ceil(b/J) of the fixed-interval units.
        ratio = sample.loans["book_value"].to_numpy() / sample.interval
        hits = sample.loans["hits"].to_numpy()
        assert ((hits >= np.floor(ratio) - 1e-9) & (hits <= np.ceil(ratio) + 1e-9)).all()
    # The same seed gives the same sample, whatever the row order.
    order = list(range(len(loans)))
    shuffle.shuffle(order)
    again = draw_mus_sample(loans.iloc[order], n, seed=seed, method=method)
    pd.testing.assert_frame_equal(sample.loans, again.loans)
    assert sample.population_fingerprint == again.population_fingerprint
    assert sample.start == again.start


@SETTINGS
@given(data=st.data(), population=st.integers(1, 400), confidence=confidences)
def test_hypergeometric_limit_is_the_largest_count_not_rejected(data, population, confidence):
    """Against brute force over every population deviation count K."""
    from scipy import stats

    n = data.draw(st.integers(1, population))
    k = data.draw(st.integers(0, n))
    result = evaluate_attribute_sample(n=n, deviations=k, confidence=confidence,
                                       population=population, likelihood="hypergeometric")
    counts = np.arange(k, population - (n - k) + 1)
    kept = counts[stats.hypergeom.cdf(k, population, counts, n) > 1 - confidence]
    assert result.upper_limit == kept.max() / population
