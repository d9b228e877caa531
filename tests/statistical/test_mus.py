"""Monetary-unit sampling: the draw, the top stratum, exclusions, and a worked Stringer example."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from postloan_audit import (
    MUSEvaluation,
    MUSSample,
    SamplingError,
    draw_mus_sample,
    evaluate_mus,
    plan_mus,
)


def _worked_population() -> pd.DataFrame:
    """V = 3,000,000 yuan: two large loans (80,000 and 50,000) and 287 loans of 10,000."""
    small = pd.DataFrame({"loan_id": [f"L{i:04d}" for i in range(287)], "balance": 10_000.0})
    large = pd.DataFrame({"loan_id": ["T-80", "T-50"], "balance": [80_000.0, 50_000.0]})
    return pd.concat([large, small], ignore_index=True)


def test_worked_stringer_example():
    """A textbook Stringer evaluation, worked by hand.

    n = 100 units over V = 3,000,000 gives the interval J = 30,000. The two loans of 80,000 and
    50,000 are at or above J: the top stratum, examined in full; the 80,000 loan is overstated by
    2,000, added exactly. Three sampled loans of 10,000 are audited at 9,000, 5,000 and 7,000:
    taints 0.10, 0.50, 0.30, ordered 0.50, 0.30, 0.10.

    Poisson upper-limit factors at 95% (tables): λ0 = 2.995732, λ1 = 4.743865, λ2 = 6.295794,
    λ3 = 7.753657 (six decimals, so the hand totals agree with the exact ones to 0.05 yuan).

    * basic precision      = 30,000 × 2.995732                              = 89,871.96
    * projected            = 30,000 × (0.50 + 0.30 + 0.10)                  = 27,000.00
    * incremental allowance = 30,000 × [(4.743865 − 2.995732 − 1) × 0.50
                                      + (6.295794 − 4.743865 − 1) × 0.30
                                      + (7.753657 − 6.295794 − 1) × 0.10]
                           = 30,000 × (0.3740665 + 0.1655787 + 0.0457863)   = 17,562.94
    * top stratum          = 2,000.00
    * upper misstatement limit = 89,871.96 + 27,000 + 17,562.94 + 2,000     = 136,434.90
      (4.5478% of V)
    """
    sample = draw_mus_sample(_worked_population(), 100, seed=7)
    assert sample.interval == 30_000
    assert sample.top_stratum["loan_id"].tolist() == ["T-50", "T-80"]
    sampled = sample.sampled["loan_id"].tolist()
    assert set(sample.sampled["hits"]) == {1}
    audited = dict(zip(sample.loans["loan_id"], sample.loans["book_value"], strict=True))
    audited["T-80"] = 78_000.0
    # Listed out of order: the evaluation must order the taints itself.
    audited[sampled[0]], audited[sampled[1]], audited[sampled[2]] = 9_000.0, 5_000.0, 7_000.0
    result = evaluate_mus(sample, audited, confidence=0.95)
    assert isinstance(result, MUSEvaluation)
    assert result.basic_precision == pytest.approx(89_871.96, abs=0.01)
    assert result.projected_misstatement == pytest.approx(27_000 + 2_000, abs=1e-6)
    assert result.incremental_allowance == pytest.approx(17_562.94, abs=0.05)
    assert result.top_stratum_misstatement == 2_000
    assert result.upper_misstatement == pytest.approx(136_434.90, abs=0.05)
    assert result.upper_limit == pytest.approx(136_434.90 / 3_000_000, abs=2e-8)
    assert result.understatement == 0
    found = result.misstatements.set_index("loan_id")
    assert found.loc[sampled[:3], "taint"].tolist() == pytest.approx([0.1, 0.5, 0.3])
    assert found.loc["T-80", "projected_misstatement"] == 2_000
    assert result.accepts(0.05) and not result.accepts(0.045)
    assert "136,434.90 元" in result.conclusion(0.05)
    assert "不超过可容忍错报 150,000.00 元" in result.conclusion(150_000)
    assert "超过可容忍错报 135,000.00 元" in result.conclusion(0.045)


def test_poisson_evaluation_of_the_same_example():
    """Poisson bound: J × Gamma⁻¹(0.95; 1 + 0.9) + 2,000 = 30,000 × 4.5808 + 2,000."""
    sample = draw_mus_sample(_worked_population(), 100, seed=7)
    sampled = sample.sampled["loan_id"].tolist()
    audited = dict(zip(sample.loans["loan_id"], sample.loans["book_value"], strict=True))
    audited["T-80"] = 78_000.0
    audited[sampled[0]], audited[sampled[1]], audited[sampled[2]] = 9_000.0, 5_000.0, 7_000.0
    result = evaluate_mus(sample, audited, confidence=0.95, method="poisson")
    from scipy import stats

    assert result.upper_misstatement == pytest.approx(
        30_000 * stats.gamma.ppf(0.95, 1.9) + 2_000, rel=1e-12)
    assert 30_000 * 4.5808 + 2_000 < result.upper_misstatement < 30_000 * 4.5809 + 2_000


def test_no_misstatement_gives_basic_precision_only():
    sample = draw_mus_sample(_worked_population(), 100, seed=1)
    audited = pd.DataFrame({"loan_id": sample.loans["loan_id"],
                            "audited_value": sample.loans["book_value"]})
    result = evaluate_mus(sample, audited, confidence=0.95)
    assert result.upper_misstatement == pytest.approx(30_000 * 2.995732, abs=0.01)
    assert result.incremental_allowance == 0 and result.projected_misstatement == 0


def test_understatements_are_reported_apart():
    sample = draw_mus_sample(_worked_population(), 100, seed=1)
    audited = dict(zip(sample.loans["loan_id"], sample.loans["book_value"], strict=True))
    first = sample.sampled["loan_id"].iloc[0]
    audited[first] = 12_000.0  # understated by 2,000: taint -0.2
    result = evaluate_mus(sample, audited, confidence=0.95)
    assert result.understatement == pytest.approx(0.2 * 30_000)
    assert result.upper_misstatement == pytest.approx(30_000 * 2.995732, abs=0.01)
    assert "少计错报" in result.summary()


def test_missing_and_unknown_audited_values_are_named():
    sample = draw_mus_sample(_worked_population(), 100, seed=1)
    audited = dict(zip(sample.loans["loan_id"], sample.loans["book_value"], strict=True))
    gone = sample.loans["loan_id"].iloc[0]
    del audited[gone]
    with pytest.raises(SamplingError, match=f"以下选中贷款没有审定值:{gone}"):
        evaluate_mus(sample, audited, confidence=0.95)
    audited[gone] = 1.0
    audited["X-1"] = 5.0
    with pytest.raises(SamplingError, match="以下借据号不在样本中:X-1"):
        evaluate_mus(sample, audited, confidence=0.95)
    audited.pop("X-1")
    audited[gone] = "abc"
    with pytest.raises(SamplingError, match=f"审定值缺失或不是数字:{gone}"):
        evaluate_mus(sample, audited, confidence=0.95)


def test_zero_negative_and_missing_values_are_listed_as_excluded():
    loans = pd.DataFrame({
        "loan_id": ["A", "B", "C", "D", None, "F"],
        "balance": [100.0, 0.0, -5.0, np.nan, 40.0, 100.0],
    })
    sample = draw_mus_sample(loans, 2, seed=3)
    assert sample.excluded[["loan_id", "reason"]].astype(object).where(
        sample.excluded[["loan_id", "reason"]].notna(), None).values.tolist() == [
        ["B", "not_positive"], ["C", "not_positive"], ["D", "no_value"], [None, "no_loan_id"]]
    assert sample.population_loans == 2 and sample.population_value == 200
    assert sample.interval == 100
    assert sample.loans["loan_id"].tolist() == ["A", "F"]
    assert sample.top_stratum["loan_id"].tolist() == ["A", "F"]
    assert "剔除 4 笔" in sample.summary()


def test_a_repeated_index_does_not_matter():
    loans = _worked_population()
    relabelled = loans.set_axis([0] * len(loans))
    same = draw_mus_sample(relabelled, 100, seed=3)
    pd.testing.assert_frame_equal(same.loans, draw_mus_sample(loans, 100, seed=3).loans)


def test_fixed_interval_selection_for_a_seed():
    """Exact selection: four loans, interval 25; the start comes from default_rng(0)."""
    loans = pd.DataFrame({"loan_id": ["D", "C", "B", "A"], "balance": [30.0, 10.0, 20.0, 40.0]})
    sample = draw_mus_sample(loans, 4, seed=0)
    start = np.random.default_rng(0).uniform(0, 2500)  # in cents
    assert sample.start == np.floor(start) / 100
    assert sample.interval == 25
    # Laid end to end by loan_id: A [0, 40), B [40, 60), C [60, 70), D [70, 100).
    points = (start + np.arange(4) * 2500) / 100
    owners = np.searchsorted([40, 60, 70, 100], np.floor(points * 100) / 100, side="right")
    expected = sorted({"ABCD"[i] for i in owners} | {"A", "D"})
    assert sample.loans["loan_id"].tolist() == expected
    assert sample.top_stratum["loan_id"].tolist() == ["A", "D"]
    assert int(sample.loans["hits"].sum()) == 4


@pytest.mark.parametrize("method", ["fixed_interval", "cell", "random"])
def test_every_method_uses_n_units_and_keeps_the_top_stratum(method):
    loans = _worked_population()
    sample = draw_mus_sample(loans, 100, seed=11, method=method)
    assert isinstance(sample, MUSSample)
    assert int(sample.loans["hits"].sum()) == 100
    assert sample.top_stratum["loan_id"].tolist() == ["T-50", "T-80"]
    assert (sample.sampled["book_value"] < sample.interval).all()
    assert (sample.sampled["hits"] >= 1).all()
    assert sample.method == method and sample.seed == 11


def test_plan_accepts_amounts_or_fractions():
    by_rate = plan_mus(confidence=0.95, tolerable=0.05, expected=0.01, population_value=2e6)
    by_amount = plan_mus(confidence=0.95, tolerable=100_000, expected=20_000,
                         population_value=2e6)
    assert by_rate.n == by_amount.n == 93
    assert by_rate.interval == pytest.approx(2e6 / 93)
    assert by_rate.expected_taints == pytest.approx(0.93)
    assert "样本量 93 个货币单元" in by_rate.summary()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"confidence": 1.2, "tolerable": 0.05}, "可信赖程度 confidence 须为 0 与 1 之间"),
    ({"confidence": 0.95, "tolerable": 0.05, "expected": 0.05}, "预计错报(5.00%)须低于可容忍错报"),
    ({"confidence": 0.95, "tolerable": 3e6}, "须小于总体金额"),
    ({"confidence": 0.95, "tolerable": -1}, "可容忍错报 tolerable 须为总体金额的比例"),
])
def test_bad_plan_inputs_get_clear_messages(kwargs, message):
    with pytest.raises(SamplingError, match=re.escape(message)):
        plan_mus(population_value=2e6, **kwargs)


def test_bad_draw_inputs_get_clear_messages():
    loans = _worked_population()
    with pytest.raises(SamplingError, match="选样方法 method 须为 fixed_interval、cell、random 之一"):
        draw_mus_sample(loans, 10, seed=1, method="systematic")
    with pytest.raises(SamplingError, match="贷款数据缺少列:principal"):
        draw_mus_sample(loans, 10, seed=1, value="principal")
    with pytest.raises(SamplingError, match="借据号重复:L0001"):
        draw_mus_sample(pd.concat([loans, loans.iloc[[3]]]), 10, seed=1)
    with pytest.raises(SamplingError, match="随机种子 seed 须为非负整数"):
        draw_mus_sample(loans, 10, seed=-1)


def test_textbook_example_upper_limit_on_misstatements():
    """The textbook problem "Upper Limit on Misstatements Calculation: Monetary Unit Sampling"
    (Jordan Thomas, accounts receivable; from the audit-sampling chapter of Messier, Glover &
    Prawitt, *Auditing & Assurance Services*; the question as reproduced at
    justaaa.com/accounting/331542): risk of incorrect acceptance 5%, tolerable misstatement
    65,000, n = 100, interval 12,300. (The answer posted there subtracts the recorded and
    audited totals without projecting; the textbook method projects each taint by the interval.)

    ======  ===============  =============  ==================================================
    item    recorded value   audited value  treatment
    ======  ===============  =============  ==================================================
    1       15,000           12,500         at or above the interval: 2,500 added exactly
    2       10,000            4,000         taint 0.60 → projected 0.60 × 12,300 = 7,380
    3        3,000            2,000         taint 1/3 → projected 12,300 / 3 = 4,100
    ======  ===============  =============  ==================================================

    Worked by hand with the book's factors (3.00, 4.75, 6.30):

    * projected misstatement = 2,500 + 7,380 + 4,100                        = 13,980
    * basic precision        = 12,300 × 3.00                                = 36,900
    * incremental allowance  = (4.75 − 3.00 − 1) × 7,380 + (6.30 − 4.75 − 1) × 4,100
                             = 5,535 + 2,255                                = 7,790
    * upper limit            = 13,980 + 36,900 + 7,790                      = 58,670 ≤ 65,000

    With the exact factors (2.995732, 4.743865, 6.295794) the same steps give
    36,847.50 + (0.748133 × 7,380 + 0.551929 × 4,100 = 7,784.13) + 13,980 = 58,611.63.
    The population here: the three items and 601 loans of 2,000 (V = 1,230,000); seed 2 selects
    all three.
    """
    filler = pd.DataFrame({"loan_id": [f"R{i:03d}" for i in range(601)], "balance": 2_000.0})
    items = pd.DataFrame({"loan_id": ["AR-1", "AR-2", "AR-3"],
                          "balance": [15_000.0, 10_000.0, 3_000.0]})
    sample = draw_mus_sample(pd.concat([filler, items], ignore_index=True), 100, seed=2)
    assert sample.interval == 12_300 and len(sample.loans) == 100
    assert sample.top_stratum["loan_id"].tolist() == ["AR-1"]
    assert {"AR-2", "AR-3"} <= set(sample.sampled["loan_id"])
    audited = dict(zip(sample.loans["loan_id"], sample.loans["book_value"], strict=True))
    audited.update({"AR-1": 12_500.0, "AR-2": 4_000.0, "AR-3": 2_000.0})
    result = evaluate_mus(sample, audited, confidence=0.95)
    assert result.projected_misstatement == pytest.approx(13_980, abs=1e-6)
    assert result.top_stratum_misstatement == 2_500
    assert result.basic_precision == pytest.approx(36_847.50, abs=0.01)
    assert result.incremental_allowance == pytest.approx(7_784.13, abs=0.02)
    assert result.upper_misstatement == pytest.approx(58_611.63, abs=0.03)
    # The book's two-decimal factors overstate the limit by 58,670 − 58,611.63 = 58.37.
    book = 13_980 + 12_300 * 3.00 + (4.75 - 3.00 - 1) * 7_380 + (6.30 - 4.75 - 1) * 4_100
    assert book == pytest.approx(58_670)
    assert result.accepts(65_000)
    assert "不超过可容忍错报 65,000.00 元" in result.conclusion(65_000)
