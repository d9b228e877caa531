"""Benford tests on data drawn from Benford's law and on uniform data; χ² equal to SciPy's;
bunching on a planted pile below 500万."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from postloan_audit import AnalyticsError, bunching_test, digit_test
from postloan_audit.analytics import loans_in_bands, loans_in_digits
from postloan_audit.analytics.digits import leading_digits


def _benford_amounts(n: int, seed: int) -> np.ndarray:
    # 10^U with U uniform over whole decades is exactly Benford-distributed
    rng = np.random.default_rng(seed)
    return 10 ** rng.uniform(3, 8, n)


def test_benford_data_conforms_closely():
    test = digit_test(_benford_amounts(20_000, 1))
    assert test.n == 20_000 and test.df == 8
    assert test.conformity == "close" and test.conformity_zh == "高度符合"
    assert test.mad < 0.006
    assert test.p_value > 0.001


def test_uniform_data_does_not_conform():
    rng = np.random.default_rng(2)
    test = digit_test(rng.uniform(10_000, 100_000, 20_000))
    assert test.conformity == "nonconformity"
    assert test.p_value < 1e-100
    # each digit about 1/9: above Benford's share from 4 on (log10(1 + 1/4) = 0.097)
    assert test.suspicious_digits == [4, 5, 6, 7, 8, 9]


def test_chi2_is_scipy_s():
    values = _benford_amounts(5_000, 3)
    for digits in (1, 2):
        test = digit_test(values, digits=digits)
        cells = np.arange(10 ** (digits - 1), 10 ** digits)
        observed = np.array([(leading_digits(values, digits) == c).sum() for c in cells])
        p = np.log10(1 + 1 / cells)
        expected = p / p.sum() * len(values)
        chi2, p_value = stats.chisquare(observed, f_exp=expected)
        assert (test.chi2, test.p_value, test.df) == (chi2, p_value, len(cells) - 1)
        assert test.table["observed"].tolist() == observed.tolist()


def test_first_two_digits_bands_are_nigrini_s():
    test = digit_test(_benford_amounts(200_000, 4), digits=2)
    assert test.df == 89 and test.conformity == "close" and test.mad < 0.0012


def test_small_non_positive_and_missing_amounts_are_excluded_and_counted():
    test = digit_test([5.0, 9.99, 0.0, -100.0, np.nan, 10.0, 123.0, 99.0], digits=1)
    assert test.n == 3
    assert test.excluded == {"below_minimum": 2, "not_positive": 2, "missing": 1}
    assert digit_test([99.0, 100.0, 1234.0], digits=2).excluded["below_minimum"] == 1


def test_leading_digits_are_exact_near_powers_of_ten():
    values = np.array([10.0, 99.999999, 100.0, 999.99, 1000.0, 1e12, 12.5])
    assert leading_digits(values, 1).tolist() == [1, 9, 1, 9, 1, 1, 1]
    assert leading_digits(values, 2).tolist() == [10, 99, 10, 99, 10, 10, 12]


def test_digits_must_be_one_or_two():
    with pytest.raises(AnalyticsError, match="digits"):
        digit_test([100.0], digits=3)


def test_the_loans_behind_a_suspicious_digit():
    loans = pd.DataFrame({"loan_id": [f"L{i}" for i in range(4)],
                          "balance": [900.0, 950.0, 150.0, 5.0]})
    test = digit_test(loans)
    got = loans_in_digits(loans, test, cells=[9])
    assert got[["digit", "loan_id"]].to_dict("records") == [
        {"digit": 9, "loan_id": "L0"}, {"digit": 9, "loan_id": "L1"}]


def _planted_pile(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    smooth = 10 ** rng.uniform(5, 7.5, 20_000)            # 10万 … 3162万, log-uniform
    pile = rng.uniform(4_800_000, 4_999_999, 120)         # steered just below 500万
    balance = np.concatenate([smooth, pile])
    return pd.DataFrame({"loan_id": [f"L{i:05d}" for i in range(len(balance))],
                         "balance": balance})


def test_bunching_flags_the_planted_pile_below_5_million_only():
    loans = _planted_pile()
    result = bunching_test(loans, limits=[1_000_000, 5_000_000, 10_000_000])
    assert result["limit"].tolist() == [1_000_000.0, 5_000_000.0, 10_000_000.0]
    assert result["flagged"].tolist() == [False, True, False]
    row = result.set_index("limit").loc[5_000_000.0]
    balance = loans["balance"].to_numpy()
    assert row["below"] == ((balance >= 4_750_000) & (balance < 5_000_000)).sum()
    assert row["above"] == ((balance >= 5_000_000) & (balance < 5_250_000)).sum()
    assert row["ratio"] == row["below"] / row["above"]


def test_the_loans_in_a_flagged_band():
    loans = _planted_pile()
    result = bunching_test(loans, limits="1000000,5000000")
    got = loans_in_bands(loans, result)
    assert set(got["limit"]) == {5_000_000.0}
    assert len(got) == int(result.set_index("limit").loc[5_000_000.0, "below"])
    assert got["balance"].between(4_750_000, 5_000_000, inclusive="left").all()


def test_limits_must_be_positive_amounts():
    with pytest.raises(AnalyticsError, match="阈值"):
        bunching_test([1.0], limits="五百万")
    with pytest.raises(AnalyticsError, match="band"):
        bunching_test([1.0], limits=[100.0], band=1.5)
