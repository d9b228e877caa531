"""Monetary-unit sampling (货币单元抽样): plan, draw and evaluate.

《第2108号内部审计具体准则——审计抽样》 describes 货币单元抽样 for amounts: each yuan of the
population is a sampling unit, a loan is examined when a selected yuan falls in it, and the
result is an upper limit on the misstatement (可容忍错报 tolerable, 预计错报 expected). The
reference for sample sizes is the AICPA Audit Sampling Guide, Appendix C, Table C-1.

Method
------
Plan (Poisson model, Table C-1): the smallest ``n`` with
``Gamma⁻¹(confidence; 1 + n × E) / n ≤ T``, with ``T`` and ``E`` the tolerable and expected
misstatement as fractions of the population value; the expected taints are ``n × E``; the
sampling interval is ``population_value / n``.

Draw: loans are sorted by ``loan_id`` (so row order never matters) and laid end to end in
cents; ``J = V / n`` is the interval. ``fixed_interval`` takes the units ``r + kJ`` for a random
start ``r`` in ``[0, J)``; ``cell`` one random unit in each of the ``n`` cells ``[kJ, (k+1)J)``;
``random`` ``n`` units uniformly over ``[0, V)``. Every loan whose book value is at least ``J``
is taken whatever the units (top stratum, 高额项目层, reported apart). Zero, negative and missing
values are not sampling units and are listed as excluded.

Evaluate: for a sampled loan, taint ``t = (book − audited) / book``, projected misstatement
``t × J`` per hit. ``stringer``: basic precision ``J × λ₀``, incremental allowance
``J × Σ (λᵢ − λᵢ₋₁ − 1) × tᵢ`` with overstatement taints in descending order, ``λᵢ`` the Poisson
upper-limit factor for ``i`` misstatements (``Gamma⁻¹(confidence; i + 1)``). ``poisson``:
``J × Gamma⁻¹(confidence; 1 + Σ t)``. Top-stratum misstatements are added exactly, never
projected. Understatements are reported apart and do not reduce the overstatement limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from postloan_audit.core.errors import SamplingError
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.provenance import Provenance, ProvenanceAliases
from postloan_audit.statistical._common import (
    MAX_SAMPLE_SIZE,
    VERSION,
    check_confidence,
    check_count,
    check_seed,
    fingerprint_of,
    frozen_inputs,
    now,
    pct,
)

MUS_METHODS: tuple[str, ...] = ("fixed_interval", "cell", "random")
MUS_METHOD_ZH: dict[str, str] = {"fixed_interval": "固定间距选样", "cell": "分段随机选样",
                                 "random": "简单随机选样"}
EVALUATION_METHODS: tuple[str, ...] = ("stringer", "poisson")
EVALUATION_METHOD_ZH: dict[str, str] = {"stringer": "Stringer 界限", "poisson": "泊松界限"}
#: ``MUSSample.loans.stratum``: top stratum (高额项目) or sampled by monetary unit.
STRATUM_ZH: dict[str, str] = {"top": "高额项目(全部检查)", "sample": "货币单元选中"}
#: Reason a loan is not a sampling unit (``MUSSample.excluded.reason``).
EXCLUSION_ZH: dict[str, str] = {
    "no_loan_id": "借据号缺失",
    "no_value": "金额缺失",
    "not_positive": "金额不大于0(不构成货币单元)",
}
#: Columns added to the selected loans.
SAMPLE_COLUMNS: tuple[str, ...] = ("book_value", "stratum", "hits")
#: Columns of :attr:`MUSEvaluation.items`.
ITEM_COLUMNS: tuple[str, ...] = ("loan_id", "stratum", "hits", "book_value", "audited_value",
                                 "misstatement", "taint", "projected_misstatement")


# =========================================================================== plan


@dataclass(frozen=True, eq=False)
class MUSPlan(ProvenanceAliases):
    """A monetary-unit sample plan (货币单元抽样方案).

    Attributes
    ----------
    n : int
        Sample size (selected monetary units).
    interval : float
        Sampling interval (选样间距), ``population_value / n`` yuan.
    expected_taints : float
        ``n × expected`` (as a fraction of the population value): the taints the sample may
        show while the upper limit stays within the tolerable misstatement.
    tolerable_rate, expected_rate : float
        Tolerable and expected misstatement as fractions of the population value.
    tolerable_amount, expected_amount : float
        The same in yuan.
    confidence, population_value :
        The inputs.
    inputs, method, seed, population_fingerprint, provenance :
        Provenance (no seed, no file).
    """

    n: int
    interval: float
    expected_taints: float
    tolerable_rate: float
    expected_rate: float
    tolerable_amount: float
    expected_amount: float
    confidence: float
    population_value: float
    inputs: Mapping[str, Any]
    method: str
    seed: int | None
    population_fingerprint: str | None
    provenance: Provenance

    def summary(self) -> str:
        """The plan in plain Chinese (抽样方案说明)."""
        return "\n".join([
            "货币单元抽样方案(泊松模型)",
            f"总体金额 {self.population_value:,.2f} 元;可信赖程度 {pct(self.confidence)}"
            f"(误受风险 {pct(1 - self.confidence)})",
            f"可容忍错报 {self.tolerable_amount:,.2f} 元({pct(self.tolerable_rate, 2)}),"
            f"预计错报 {self.expected_amount:,.2f} 元({pct(self.expected_rate, 2)})",
            f"样本量 {self.n} 个货币单元,选样间距 {self.interval:,.2f} 元,"
            f"预计错报比例(taint)合计 {self.expected_taints:.2f}",
        ])


def _as_fraction(name: str, zh: str, value: Any, population_value: float, *,
                 allow_zero: bool) -> float:
    bad = (isinstance(value, bool) or not isinstance(value, int | float | np.number)
           or not math.isfinite(float(value)) or float(value) < 0
           or (float(value) == 0 and not allow_zero))
    if bad:
        raise SamplingError(
            f"{zh} {name} 须为总体金额的比例(0 与 1 之间,如 0.05)或金额(元,不小于1),收到 {value!r}。"
            f" / {name} must be a fraction of the population value (below 1, e.g. 0.05) or an"
            f" amount in yuan (1 or more), got {value!r}.")
    value = float(value)
    rate = value if value < 1 else value / population_value
    if rate >= 1:
        raise SamplingError(
            f"{zh} {name}({value:,.2f} 元)须小于总体金额({population_value:,.2f} 元)。"
            f" / {name} ({value:,.2f}) must be below the population value ({population_value:,.2f}).")
    return rate


def plan_mus(*, confidence: float, tolerable: float, expected: float = 0.0,
             population_value: float) -> MUSPlan:
    """Plan a monetary-unit sample (货币单元抽样:确定样本量).

    Parameters
    ----------
    confidence : float
        可信赖程度, ``1 −`` the risk of incorrect acceptance (误受风险).
    tolerable : float
        可容忍错报: a fraction of the population value when below 1 (0.05 for 5%), otherwise
        an amount in yuan.
    expected : float, default 0
        预计错报, the same way; must be below ``tolerable``.
    population_value : float
        The book value of the population (yuan, positive).

    Returns
    -------
    MUSPlan
        ``n`` equals AICPA Table C-1 across its risks and ratios of expected to tolerable
        misstatement.
    """
    confidence = check_confidence(confidence)
    if (isinstance(population_value, bool)
            or not isinstance(population_value, int | float | np.number)
            or not math.isfinite(float(population_value)) or float(population_value) <= 0):
        raise SamplingError(
            f"总体金额 population_value 须为正数(元),收到 {population_value!r}。"
            f" / population_value must be a positive amount, got {population_value!r}.")
    population_value = float(population_value)
    t = _as_fraction("tolerable", "可容忍错报", tolerable, population_value, allow_zero=False)
    e = _as_fraction("expected", "预计错报", expected, population_value, allow_zero=True)
    if e >= t:
        raise SamplingError(
            f"预计错报({pct(e, 2)})须低于可容忍错报({pct(t, 2)})。"
            f" / expected ({e}) must be below tolerable ({t}).")
    found = None
    for start in range(1, MAX_SAMPLE_SIZE + 1, 2048):
        n = np.arange(start, min(start + 2048, MAX_SAMPLE_SIZE + 1), dtype=np.float64)
        ok = stats.gamma.cdf(n * t, 1 + n * e) >= confidence
        hits = np.flatnonzero(ok)
        if len(hits):
            found = int(n[hits[0]])
            break
    if found is None:
        raise SamplingError(
            f"在 {MAX_SAMPLE_SIZE} 个单元以内找不到满足要求的样本量;请提高可容忍错报或降低预计错报。"
            f" / No sample size up to {MAX_SAMPLE_SIZE} meets the plan; raise tolerable or"
            f" lower expected.")
    return MUSPlan(
        n=found, interval=population_value / found, expected_taints=found * e,
        tolerable_rate=t, expected_rate=e, tolerable_amount=t * population_value,
        expected_amount=e * population_value, confidence=confidence,
        population_value=population_value,
        inputs=frozen_inputs(confidence=confidence, tolerable=tolerable, expected=expected,
                             population_value=population_value),
        method="MUS plan, Poisson: smallest n with GammaInv(confidence; 1 + n*E) / n <= T",
        seed=None, population_fingerprint=None, provenance=Provenance())


# =========================================================================== draw


@dataclass(frozen=True, eq=False)
class MUSSample(ProvenanceAliases):
    """A monetary-unit sample (货币单元样本) and its provenance.

    Attributes
    ----------
    loans : DataFrame
        The selected loans in ``loan_id`` order: every column of the input plus ``book_value``
        (the sampled value), ``stratum`` (``top``: book value at least the interval, all taken;
        ``sample``: hit by a selected unit) and ``hits`` (selected units falling in the loan).
    excluded : DataFrame
        Loans that are not sampling units: ``loan_id``, ``value``, ``reason``
        (:data:`EXCLUSION_ZH`).
    n : int
        Requested selected units.
    interval, population_value : float
        ``J = V / n`` and ``V`` (yuan, positive values only).
    population_loans : int
        Loans that are sampling units.
    method, seed, value, start :
        How it was drawn (``start`` the random start in yuan for ``fixed_interval``).
    population_fingerprint : str
        sha256 of the population's (``loan_id``, value in cents) pairs in ``loan_id`` order.
    inputs, provenance :
        Provenance: the inputs, and a :class:`~postloan_audit.core.provenance.Provenance`
        (the extract file's fingerprint and name, None for a bare DataFrame; its date and
        export profile; when and by which version the sample was drawn). ``source_fingerprint``,
        ``source_name``, ``version`` and ``created_at`` are read-only aliases of it.
    """

    loans: pd.DataFrame
    excluded: pd.DataFrame
    n: int
    interval: float
    population_value: float
    population_loans: int
    method: str
    seed: int
    value: str
    start: float | None
    population_fingerprint: str
    inputs: Mapping[str, Any]
    provenance: Provenance

    @property
    def top_stratum(self) -> pd.DataFrame:
        """Loans at or above the interval (高额项目层), examined in full."""
        return self.loans[self.loans["stratum"] == "top"]

    @property
    def sampled(self) -> pd.DataFrame:
        """Loans selected by a monetary unit below the interval."""
        return self.loans[self.loans["stratum"] == "sample"]

    def summary(self) -> str:
        """The sample in plain Chinese (抽样说明)."""
        lines = ["货币单元抽样样本"]
        if self.source_name:
            fp = f"(指纹 {self.source_fingerprint[:12]})" if self.source_fingerprint else ""
            lines.append(f"数据文件:{self.source_name}{fp}")
        lines += [
            f"总体:{self.population_loans} 笔,金额 {self.population_value:,.2f} 元"
            f"(总体指纹 {self.population_fingerprint[:12]});不构成抽样单元而剔除 {len(self.excluded)} 笔",
            f"方法:{MUS_METHOD_ZH[self.method]},随机种子 {self.seed},样本量 {self.n} 个货币单元,"
            f"选样间距 {self.interval:,.2f} 元",
            f"选中贷款 {len(self.loans)} 笔:高额项目 {len(self.top_stratum)} 笔(全部检查),"
            f"货币单元选中 {len(self.sampled)} 笔",
        ]
        return "\n".join(lines)


def draw_mus_sample(loans: Extract | pd.DataFrame, n: int, *, seed: int,
                    method: str = "fixed_interval", value: str = "balance") -> MUSSample:
    """Draw a monetary-unit sample of loans (货币单元抽样:选取样本).

    Parameters
    ----------
    loans : Extract or DataFrame
        The population; needs ``loan_id`` and the ``value`` column.
    n : int
        Selected monetary units (the plan's ``n``).
    seed : int
        Seed of :func:`numpy.random.default_rng`, the only source of randomness.
    method : {"fixed_interval", "cell", "random"}
        See the module docstring.
    value : str, default "balance"
        The amount column (yuan).

    Returns
    -------
    MUSSample
    """
    extract = as_extract(loans, argument="loans")
    frame = extract.loans
    provenance = Provenance(fingerprint=extract.fingerprint or None,
                            source_name=extract.source_name or None, as_of=extract.as_of,
                            profile=extract.provenance.profile)
    n = check_count("n", "样本量", n, minimum=1)
    seed = check_seed(seed)
    if method not in MUS_METHODS:
        raise SamplingError(
            f"选样方法 method 须为 {'、'.join(MUS_METHODS)} 之一,收到 {method!r}。"
            f" / method must be one of {', '.join(MUS_METHODS)}, got {method!r}.")
    missing = [c for c in ("loan_id", value) if c not in frame.columns]
    if missing:
        raise SamplingError(
            f"贷款数据缺少列:{'、'.join(missing)}。 / The loans lack column(s): {', '.join(missing)}.")
    # Positional masks throughout: the caller's index may repeat labels.
    amounts = pd.to_numeric(frame[value], errors="coerce").to_numpy(np.float64)
    ids = frame["loan_id"]
    no_id = (ids.isna() | (ids.astype("string").str.strip() == "")).to_numpy(bool)
    reason = np.full(len(frame), None, dtype=object)
    reason[amounts <= 0] = "not_positive"
    reason[np.isnan(amounts)] = "no_value"
    reason[no_id] = "no_loan_id"
    keep = np.equal(reason, None)
    excluded = pd.DataFrame({"loan_id": ids.to_numpy(dtype=object)[~keep],
                             "value": amounts[~keep], "reason": reason[~keep]})
    population = frame[keep].copy()
    population["loan_id"] = population["loan_id"].astype(str)
    population = population.sort_values("loan_id", kind="stable").reset_index(drop=True)
    sorted_ids = population["loan_id"].to_numpy(dtype=object)
    # Sorted, a repeated id sits next to itself.
    repeated = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
    if len(repeated):
        dupes = list(dict.fromkeys(sorted_ids[repeated].tolist()))
        raise SamplingError(
            f"借据号重复:{'、'.join(dupes[:10])};每笔贷款须只出现一次。"
            f" / Duplicate loan_id: {', '.join(dupes[:10])}; each loan must appear once.")
    if population.empty:
        raise SamplingError(
            "没有金额为正的贷款,无法进行货币单元抽样。 / No loan has a positive value to sample.")
    book = pd.to_numeric(population[value]).to_numpy(np.float64)
    cents = np.round(book * 100).astype(np.int64)
    total_cents = int(cents.sum())
    cumulative = np.cumsum(cents)
    interval_cents = total_cents / n
    rng = np.random.default_rng(seed)
    start = None
    if method == "fixed_interval":
        start_cents = rng.uniform(0, interval_cents)
        units = np.floor(start_cents + np.arange(n) * interval_cents)
        start = float(math.floor(start_cents)) / 100
    elif method == "cell":
        units = np.floor((np.arange(n) + rng.uniform(0, 1, n)) * interval_cents)
    else:
        units = rng.integers(0, total_cents, size=n).astype(np.float64)
    units = np.clip(units, 0, total_cents - 1).astype(np.int64)
    position = np.searchsorted(cumulative, units, side="right")
    hits = np.bincount(position, minlength=len(population))
    interval = total_cents / n / 100
    top = book >= interval
    chosen = top | (hits > 0)
    selected = population[chosen].copy()
    selected["book_value"] = book[chosen]
    selected["stratum"] = np.where(top[chosen], "top", "sample")
    selected["hits"] = hits[chosen].astype(np.int64)
    return MUSSample(
        loans=selected.reset_index(drop=True), excluded=excluded, n=n, interval=interval,
        population_value=total_cents / 100, population_loans=len(population), method=method,
        seed=seed, value=value, start=start,
        population_fingerprint=fingerprint_of(population["loan_id"].to_numpy(), cents),
        inputs=frozen_inputs(n=n, seed=seed, method=method, value=value),
        provenance=provenance)


# =========================================================================== evaluate


@dataclass(frozen=True, eq=False)
class MUSEvaluation(ProvenanceAliases):
    """The evaluation of a monetary-unit sample (货币单元抽样结果评价).

    Attributes
    ----------
    upper_limit : float
        Upper misstatement limit as a fraction of the population value.
    upper_misstatement : float
        The same in yuan: ``projected + basic_precision + incremental_allowance`` (the sampled
        part) plus the top stratum's overstatements, added exactly.
    projected_misstatement : float
        Projected overstatement of the sampled part (``Σ t × J``) plus the top stratum's.
    basic_precision, incremental_allowance : float
        ``J × λ₀`` and the allowance for the misstatements found (yuan).
    top_stratum_misstatement : float
        Overstatements found in the top stratum (yuan), not projected.
    understatement : float
        Projected understatements (sampled: ``Σ |t| × J``; top stratum exactly), reported apart.
    items : DataFrame
        One row per selected loan: :data:`ITEM_COLUMNS`, in ``loan_id`` order.
    confidence, method, n, interval, population_value :
        How it was evaluated.
    seed, population_fingerprint, source_fingerprint, inputs, provenance :
        Provenance (the sample's seed and fingerprints).
    """

    upper_limit: float
    upper_misstatement: float
    projected_misstatement: float
    basic_precision: float
    incremental_allowance: float
    top_stratum_misstatement: float
    understatement: float
    items: pd.DataFrame
    confidence: float
    method: str
    n: int
    interval: float
    population_value: float
    seed: int
    population_fingerprint: str
    inputs: Mapping[str, Any]
    provenance: Provenance

    @property
    def misstatements(self) -> pd.DataFrame:
        """The selected loans with a misstatement."""
        return self.items[self.items["misstatement"] != 0]

    def accepts(self, tolerable: float) -> bool:
        """Whether the upper limit stays within ``tolerable`` (fraction below 1, else yuan)."""
        rate = _as_fraction("tolerable", "可容忍错报", tolerable, self.population_value,
                            allow_zero=False)
        return self.upper_limit <= rate

    def conclusion(self, tolerable: float) -> str:
        """The plain-language conclusion (审计结论) against the tolerable misstatement."""
        rate = _as_fraction("tolerable", "可容忍错报", tolerable, self.population_value,
                            allow_zero=False)
        amount = rate * self.population_value
        head = (f"在 {pct(self.confidence)} 的可信赖程度下,总体错报上限为"
                f" {self.upper_misstatement:,.2f} 元(占总体 {pct(self.upper_limit, 2)})")
        if self.upper_limit <= rate:
            return (f"{head},不超过可容忍错报 {amount:,.2f} 元:"
                    f"可以认为总体错报不超过可容忍错报。")
        return (f"{head},超过可容忍错报 {amount:,.2f} 元:"
                f"不能认为总体错报在可容忍范围内;应扩大样本、要求被查机构调整或实施进一步程序。")

    def summary(self, tolerable: float | None = None) -> str:
        """The evaluation in plain Chinese; with ``tolerable``, the conclusion too."""
        found = self.misstatements
        lines = [
            f"货币单元抽样结果评价({EVALUATION_METHOD_ZH[self.method]})",
            f"选中贷款 {len(self.items)} 笔,其中有错报 {len(found)} 笔;选样间距 {self.interval:,.2f} 元",
            f"推断错报 {self.projected_misstatement:,.2f} 元(含高额项目错报"
            f" {self.top_stratum_misstatement:,.2f} 元)",
            f"基本精确度 {self.basic_precision:,.2f} 元,增量允许值 {self.incremental_allowance:,.2f} 元",
            f"在 {pct(self.confidence)} 的可信赖程度下,错报上限 {self.upper_misstatement:,.2f} 元"
            f"(占总体 {pct(self.upper_limit, 2)})",
        ]
        if self.understatement:
            lines.append(f"另有少计错报(推断){self.understatement:,.2f} 元,单独报告,未抵减上限。")
        if tolerable is not None:
            lines.append(self.conclusion(tolerable))
        return "\n".join(lines)


def _audited_series(audited: Any) -> pd.Series:
    if isinstance(audited, pd.DataFrame):
        missing = [c for c in ("loan_id", "audited_value") if c not in audited.columns]
        if missing:
            raise SamplingError(
                f"审定值表缺少列:{'、'.join(missing)}。 / The audited table lacks column(s):"
                f" {', '.join(missing)}.")
        series = pd.Series(audited["audited_value"].to_numpy(),
                           index=audited["loan_id"].astype(str))
    elif isinstance(audited, pd.Series):
        series = audited.copy()
        series.index = series.index.astype(str)
    elif isinstance(audited, Mapping):
        series = pd.Series(dict(audited), dtype=object)
        series.index = series.index.astype(str)
    else:
        raise SamplingError(
            f"audited 须为借据号到审定值的映射、Series 或含 loan_id、audited_value 列的表,收到"
            f" {type(audited).__name__}。 / audited must be a mapping loan_id -> audited value, a"
            f" Series or a frame with loan_id and audited_value, got {type(audited).__name__}.")
    dupes = series.index[series.index.duplicated()].unique().tolist()
    if dupes:
        raise SamplingError(f"审定值中借据号重复:{'、'.join(dupes[:10])}。"
                          f" / Duplicate loan_id in audited: {', '.join(dupes[:10])}.")
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.astype(float))
    if bad.any():
        ids = values.index[bad].tolist()
        raise SamplingError(
            f"以下贷款的审定值缺失或不是数字:{'、'.join(ids[:10])}。请填写审定金额(元)。"
            f" / Audited value missing or not a number for: {', '.join(ids[:10])}.")
    return values.astype(np.float64)


def evaluate_mus(sample: MUSSample, audited: Any, *, confidence: float,
                 method: str = "stringer") -> MUSEvaluation:
    """Evaluate a monetary-unit sample (货币单元抽样:评价样本结果).

    Parameters
    ----------
    sample : MUSSample
        From :func:`draw_mus_sample`.
    audited : mapping, Series or DataFrame
        The audited (correct) value of every selected loan, by ``loan_id``; a frame needs
        ``loan_id`` and ``audited_value``. For classification accuracy (五级分类偏离度) the
        audited value of a loan reported as performing is its balance less the balance that
        should have been NPL, so the misstatement is the balance misclassified below NPL.
    confidence : float
        可信赖程度 (``1 −`` risk of incorrect acceptance).
    method : {"stringer", "poisson"}

    Returns
    -------
    MUSEvaluation
    """
    if not isinstance(sample, MUSSample):
        raise SamplingError(f"sample 须为 draw_mus_sample 的结果,收到 {type(sample).__name__}。"
                          f" / sample must come from draw_mus_sample, got {type(sample).__name__}.")
    confidence = check_confidence(confidence)
    if method not in EVALUATION_METHODS:
        raise SamplingError(
            f"评价方法 method 须为 {'、'.join(EVALUATION_METHODS)} 之一,收到 {method!r}。"
            f" / method must be one of {', '.join(EVALUATION_METHODS)}, got {method!r}.")
    values = _audited_series(audited)
    ids = sample.loans["loan_id"].astype(str)
    absent = ids[~ids.isin(values.index)].tolist()
    if absent:
        raise SamplingError(
            f"以下选中贷款没有审定值:{'、'.join(absent[:10])}{' 等' if len(absent) > 10 else ''}"
            f"(共 {len(absent)} 笔)。请为每笔选中贷款填写审定值。 / No audited value for"
            f" {len(absent)} selected loan(s): {', '.join(absent[:10])}.")
    extra = values.index[~values.index.isin(ids)].tolist()
    if extra:
        raise SamplingError(
            f"以下借据号不在样本中:{'、'.join(extra[:10])}(共 {len(extra)} 笔)。"
            f" / {len(extra)} loan_id(s) are not in the sample: {', '.join(extra[:10])}.")
    book = sample.loans["book_value"].to_numpy(np.float64)
    audit = values.reindex(ids).to_numpy(np.float64)
    stratum = sample.loans["stratum"].to_numpy()
    hits = sample.loans["hits"].to_numpy(np.int64)
    misstatement = np.round(book - audit, 2)
    J = sample.interval
    is_top = stratum == "top"
    taint = np.where(is_top, np.nan, misstatement / book)
    projected = np.where(is_top, misstatement, np.nan_to_num(taint) * hits * J)

    top_over = float(misstatement[is_top & (misstatement > 0)].sum())
    top_under = float(-misstatement[is_top & (misstatement < 0)].sum())
    sampled = ~is_top
    over = np.repeat(taint[sampled], hits[sampled])
    under = -over[over < 0]
    over = np.sort(over[over > 0])[::-1]
    factors = stats.gamma.ppf(confidence, np.arange(len(over) + 1) + 1)
    basic = J * float(factors[0])
    sample_projected = J * float(over.sum())
    if method == "stringer":
        allowance = J * float(((np.diff(factors) - 1) * over).sum())
    else:
        allowance = J * float(stats.gamma.ppf(confidence, 1 + over.sum())) - basic - sample_projected
    upper = sample_projected + basic + allowance + top_over
    items = pd.DataFrame({
        "loan_id": ids.to_numpy(), "stratum": stratum, "hits": hits, "book_value": book,
        "audited_value": audit, "misstatement": misstatement, "taint": taint,
        "projected_misstatement": projected})
    return MUSEvaluation(
        upper_limit=upper / sample.population_value, upper_misstatement=upper,
        projected_misstatement=sample_projected + top_over, basic_precision=basic,
        incremental_allowance=allowance, top_stratum_misstatement=top_over,
        understatement=J * float(under.sum()) + top_under, items=items,
        confidence=confidence, method=method, n=sample.n, interval=J,
        population_value=sample.population_value, seed=sample.seed,
        population_fingerprint=sample.population_fingerprint,
        inputs=frozen_inputs(confidence=confidence, method=method, sample_n=sample.n,
                             sample_method=sample.method, sample_seed=sample.seed),
        provenance=replace(sample.provenance, created_at=now(), version=VERSION))
