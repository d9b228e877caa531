"""Digit and threshold tests of amounts (首位数字检验与阈值堆积): :func:`digit_test`,
:func:`bunching_test`.

**First-digit test (Benford).** In many naturally occurring amounts the first digit d appears
with probability log10(1 + 1/d) (d = 1…9), the first two digits D with log10(1 + 1/D)
(D = 10…99). Loan balances made up, split or steered to limits depart from it. Following
Nigrini, *Benford's Law: Applications for Forensic Accounting, Auditing, and Fraud Detection*
(Wiley, 2012): amounts below 10 (10^digits in general: they have too few digits to test) and
non-positive or missing amounts are excluded and counted; the conformity of the whole set is
judged by the mean absolute deviation (MAD) of the digit shares, against Nigrini's bands
(2012, Table 7.1: first digit close < 0.006, acceptable < 0.012, marginal < 0.015, else
nonconformity; first two digits 0.0012, 0.0018, 0.0022); each digit's own departure by its
z-statistic with the continuity correction. The χ² statistic and its p-value are SciPy's
(``scipy.stats.chisquare``); with many amounts χ² rejects small, harmless departures, which is
why Nigrini judges conformity by the MAD.

**Bunching below limits.** Amounts steered just under an approval authority or a reporting
threshold pile up in the band below it: for each limit L, the loans in [L·(1−band), L) are
counted against those in [L, L·(1+band)); a limit is flagged when the ratio below/above reaches
the policy's ``analytics.bunching_ratio`` with at least ``analytics.bunching_min_count`` loans
below (workbench defaults). :func:`loans_in_bands` and :func:`loans_in_digits` give the loans
behind a flagged band or a suspicious digit, for the workbook.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.analytics._common import extract_of, policy_of, provenance_of
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.errors import AnalyticsError
from postloan_audit.core.extract import Extract
from postloan_audit.core.provenance import Provenance, ProvenanceAliases

#: Nigrini (2012) Table 7.1: MAD upper bounds of close conformity, acceptable conformity and
#: marginally acceptable conformity; above the last: nonconformity. Keyed by ``digits``.
MAD_BANDS: dict[int, tuple[float, float, float]] = {1: (0.006, 0.012, 0.015),
                                                    2: (0.0012, 0.0018, 0.0022)}
CONFORMITY_ZH: dict[str, str] = {"close": "高度符合", "acceptable": "可接受的符合",
                                 "marginal": "勉强可接受", "nonconformity": "不符合"}
DIGIT_HEADERS: dict[str, str] = {
    "digit": "首位数字", "observed": "实际笔数", "expected": "期望笔数", "observed_share": "实际占比",
    "expected_share": "期望占比", "z": "z 值", "suspicious": "显著偏多"}
BUNCHING_HEADERS: dict[str, str] = {
    "limit": "阈值(元)", "below": "阈值下方笔数", "above": "阈值上方笔数", "ratio": "下方/上方",
    "flagged": "疑似堆积"}
#: Default limits shown on the page: round amounts a bank's approval authorities often use
#: (a UI default; the bank enters its own).
DEFAULT_LIMITS: tuple[float, ...] = (1_000_000.0, 3_000_000.0, 5_000_000.0, 10_000_000.0)


def _amounts(values: Extract | pd.DataFrame | Sequence[float] | np.ndarray | pd.Series
             ) -> tuple[np.ndarray, Extract | None]:
    """The amounts to test and the extract they came from (None for bare values)."""
    if isinstance(values, Extract | pd.DataFrame):
        extract = extract_of(values, argument="values")
        if "balance" not in extract.loans.columns:
            raise AnalyticsError("贷款台账缺少贷款余额列(balance)。 / the loans lack balance.")
        return pd.to_numeric(extract.loans["balance"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan), extract
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan), None


def leading_digits(values: np.ndarray, digits: int = 1) -> np.ndarray:
    """The first ``digits`` digits of each amount ≥ 10^(digits−1) (from its integer part,
    exactly, in integer arithmetic); -1 for the others.

    >>> leading_digits(np.array([1234.5, 99.99, 10.0, 7.0]), 2).tolist()
    [12, 99, 10, -1]
    """
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v) & (v >= 10 ** (digits - 1)) & (v < 9e18)
    whole = np.floor(np.where(ok, v, 10 ** (digits - 1))).astype(np.int64)
    power = np.floor(np.log10(whole.astype(np.float64))).astype(np.int64) - (digits - 1)
    power = np.maximum(power, 0)
    scale = (10 ** power).astype(np.int64)
    lead = whole // scale
    # float log10 may be one off near powers of ten: correct in integers
    high = lead >= 10 ** digits
    lead = np.where(high, whole // (scale * 10), lead)
    low = (lead < 10 ** (digits - 1)) & (power > 0)
    lead = np.where(low, whole // np.maximum(scale // 10, 1), lead)
    return np.where(ok, lead, -1)


@dataclass(frozen=True)
class DigitTest(ProvenanceAliases):
    """A first-digit (``digits=1``) or first-two-digits (``digits=2``) test (首位数字检验).

    Attributes
    ----------
    digits:
        1 or 2.
    n:
        Amounts tested.
    excluded:
        Amounts left out: ``below_minimum`` (positive but < 10^digits), ``not_positive``
        (zero, negative) and ``missing`` (blank or unreadable).
    chi2, df, p_value:
        Pearson's χ² of the digit counts against Benford's (``scipy.stats.chisquare``), its
        degrees of freedom (8 or 89) and p-value.
    mad:
        Mean absolute deviation of the digit shares from Benford's.
    conformity:
        ``close``, ``acceptable``, ``marginal`` or ``nonconformity`` by Nigrini's MAD bands
        (:data:`MAD_BANDS`); :attr:`conformity_zh` in Chinese.
    table:
        One row per digit: ``digit``, ``observed``, ``expected`` (count), ``observed_share``,
        ``expected_share``, ``z`` (Nigrini's z with the continuity correction),
        ``suspicious`` (z ≥ the policy's ``analytics.benford_z`` and more than expected).
    provenance:
        The extract's provenance (an empty one for bare values).
    """

    digits: int
    n: int
    excluded: dict[str, int]
    chi2: float
    df: int
    p_value: float
    mad: float
    conformity: str
    table: pd.DataFrame
    provenance: Provenance

    @property
    def conformity_zh(self) -> str:
        return CONFORMITY_ZH[self.conformity]

    @property
    def suspicious_digits(self) -> list[int]:
        """The digits over-represented beyond the z threshold."""
        return self.table.loc[self.table["suspicious"], "digit"].astype(int).tolist()

    def summary(self) -> str:
        """One line in Chinese: n, χ², p, MAD and the conformity."""
        which = "首位数字" if self.digits == 1 else "前两位数字"
        left_out = sum(self.excluded.values())
        return (f"{which}检验:检验 {self.n:,} 笔(剔除 {left_out:,} 笔),χ²={self.chi2:.2f}"
                f"(自由度 {self.df},p={self.p_value:.4g}),MAD={self.mad:.4f},"
                f"按 Nigrini(2012)标准判定为「{self.conformity_zh}」")


def digit_test(values: Extract | pd.DataFrame | Sequence[float] | np.ndarray | pd.Series, *,
               digits: int = 1, policy: Policy | None = None) -> DigitTest:
    """Test the first digit(s) of ``values`` against Benford's law (see the module).

    Parameters
    ----------
    values:
        Amounts, or an extract / loans frame (its ``balance``).
    digits:
        1 (first digit, 9 cells) or 2 (first two digits, 90 cells).
    policy:
        The z threshold of a suspicious digit (``analytics.benford_z``).

    Raises
    ------
    AnalyticsError
        ``digits`` not 1 or 2, or no amount left to test.
    """
    from scipy import stats

    if digits not in MAD_BANDS:
        raise AnalyticsError(f"digits 须为 1(首位)或 2(前两位),收到 {digits!r}。 / digits must"
                             f" be 1 or 2, got {digits!r}.")
    z_limit = policy_of(policy).analytics.benford_z
    amounts, extract = _amounts(values)
    missing = ~np.isfinite(amounts)
    not_positive = ~missing & (amounts <= 0)
    minimum = 10 ** digits
    below = ~missing & ~not_positive & (amounts < minimum)
    tested = ~missing & ~not_positive & ~below
    n = int(tested.sum())
    if n == 0:
        raise AnalyticsError(f"没有可检验的金额(须为不小于 {minimum} 的正数)。 / no amount of at"
                             f" least {minimum} to test.")
    cells = np.arange(10 ** (digits - 1), 10 ** digits)
    lead = leading_digits(amounts[tested], digits)
    observed = np.bincount(lead - cells[0], minlength=len(cells)).astype(np.int64)
    expected_share = np.log10(1 + 1 / cells)
    expected_share = expected_share / expected_share.sum()  # exactly 1 (log10 telescopes)
    expected = expected_share * n
    chi2, p_value = stats.chisquare(observed, f_exp=expected)
    observed_share = observed / n
    deviation = np.abs(observed_share - expected_share)
    correction = 1 / (2 * n)
    z = np.where(deviation > correction, deviation - correction, deviation) / np.sqrt(
        expected_share * (1 - expected_share) / n)
    mad = float(deviation.mean())
    close, acceptable, marginal = MAD_BANDS[digits]
    conformity = ("close" if mad < close else "acceptable" if mad < acceptable
                  else "marginal" if mad < marginal else "nonconformity")
    table = pd.DataFrame({"digit": cells.astype(np.int64), "observed": observed,
                          "expected": expected, "observed_share": observed_share,
                          "expected_share": expected_share, "z": z,
                          "suspicious": (z >= z_limit) & (observed > expected)})
    provenance = provenance_of(extract) if extract is not None else Provenance()
    return DigitTest(digits=digits, n=n,
                     excluded={"below_minimum": int(below.sum()),
                               "not_positive": int(not_positive.sum()),
                               "missing": int(missing.sum())},
                     chi2=float(chi2), df=len(cells) - 1, p_value=float(p_value), mad=mad,
                     conformity=conformity, table=table, provenance=provenance)


def parse_limits(limits: Sequence[float] | str) -> np.ndarray:
    """The limits of :func:`bunching_test` as sorted distinct positive yuan amounts; text is
    split at commas (either width), semicolons, 、 or spaces.

    >>> parse_limits("5000000，1000000;5000000").tolist()
    [1000000.0, 5000000.0]

    Raises
    ------
    AnalyticsError
        A part is not a number, or none is given, or one is not a positive finite amount.
    """
    if isinstance(limits, str):
        parts = [p for p in re.split(r"[,，;；、\s]+", limits) if p]
        try:
            limits = [float(p) for p in parts]
        except ValueError as exc:
            raise AnalyticsError(f"阈值须为金额(元),以逗号分隔(如 5000000,10000000),收到 {limits!r}。"
                                 f" / limits must be amounts in yuan separated by commas, got"
                                 f" {limits!r}.") from exc
    out = np.asarray(list(limits), dtype=np.float64)
    if not len(out) or not np.isfinite(out).all() or (out <= 0).any():
        bad = "、".join(f"{v:,.2f}" for v in out[~(np.isfinite(out) & (out > 0))]) or "无"
        raise AnalyticsError(f"阈值须为正的金额(元),收到 {bad}。 / limits must be positive"
                             f" amounts in yuan, got {bad if len(out) else 'none'}.")
    return np.unique(out)


def bunching_test(values: Extract | pd.DataFrame | Sequence[float] | np.ndarray | pd.Series, *,
                  limits: Sequence[float] | str, band: float = 0.05,
                  policy: Policy | None = None) -> pd.DataFrame:
    """Loans piled up just below each limit (阈值下方堆积), see the module.

    Parameters
    ----------
    values:
        Amounts, or an extract / loans frame (its ``balance``).
    limits:
        The bank's limits in yuan (approval authorities, reporting thresholds), or text of
        amounts separated by commas (``5000000,10000000``).
    band:
        Width of the bands below and above each limit, as a share of the limit (0 < band < 1).

    Returns
    -------
    DataFrame
        One row per limit (ascending): ``limit``, ``below`` (loans in [L·(1−band), L)),
        ``above`` (in [L, L·(1+band))), ``ratio`` (below ÷ above; inf when none above and
        some below, NaN when neither), ``flagged`` (ratio ≥ ``analytics.bunching_ratio`` and
        below ≥ ``analytics.bunching_min_count``). ``attrs``: ``band``, ``provenance``.
    """
    if not 0 < band < 1:
        raise AnalyticsError(f"band 须在 0 与 1 之间,收到 {band!r}。 / band must be in (0, 1).")
    p = policy_of(policy).analytics
    amounts, extract = _amounts(values)
    lim = parse_limits(limits)
    amounts = np.sort(amounts[np.isfinite(amounts)])
    count = lambda lo, hi: np.searchsorted(amounts, hi, "left") - np.searchsorted(  # noqa: E731
        amounts, lo, "left")
    below = count(lim * (1 - band), lim).astype(np.int64)
    above = count(lim, lim * (1 + band)).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(above > 0, below / np.maximum(above, 1),
                         np.where(below > 0, np.inf, np.nan))
    flagged = (below >= p.bunching_min_count) & (ratio >= p.bunching_ratio)
    out = pd.DataFrame({"limit": lim, "below": below, "above": above, "ratio": ratio,
                        "flagged": flagged})
    out.attrs.update(band=band, provenance=provenance_of(extract) if extract is not None
                     else Provenance())
    return out


def loans_in_bands(data: Extract | pd.DataFrame, bunching: pd.DataFrame, *,
                   flagged_only: bool = True) -> pd.DataFrame:
    """The loans in the band just below each (flagged) limit of a :func:`bunching_test`:
    the loans' rows with ``limit`` in front, by limit and balance."""
    extract = extract_of(data)
    loans = extract.loans.reset_index(drop=True)
    band = float(bunching.attrs.get("band", 0.05))
    rows = bunching.loc[bunching["flagged"]] if flagged_only else bunching
    balance = pd.to_numeric(loans["balance"], errors="coerce").to_numpy(dtype=np.float64,
                                                                        na_value=np.nan)
    parts = []
    for limit in rows["limit"].to_numpy(dtype=np.float64):  # a few limits
        inside = (balance >= limit * (1 - band)) & (balance < limit)
        parts.append(loans.loc[inside].assign(limit=limit))
    if not parts:
        return loans.head(0).assign(limit=pd.Series([], dtype=np.float64))[
            ["limit", *loans.columns]]
    out = pd.concat(parts, ignore_index=True)
    out = out[["limit", *loans.columns]]
    return out.sort_values(["limit", "balance"], kind="stable", ignore_index=True)


def loans_in_digits(data: Extract | pd.DataFrame, test: DigitTest, *,
                    cells: Sequence[int] | None = None) -> pd.DataFrame:
    """The loans whose balance starts with a suspicious digit of ``test`` (or with ``cells``):
    the loans' rows with ``digit`` in front, by digit and balance."""
    extract = extract_of(data)
    loans = extract.loans.reset_index(drop=True)
    wanted = test.suspicious_digits if cells is None else [int(c) for c in cells]
    balance = pd.to_numeric(loans["balance"], errors="coerce").to_numpy(dtype=np.float64,
                                                                        na_value=np.nan)
    lead = leading_digits(np.where(balance >= 10 ** test.digits, balance, np.nan), test.digits)
    inside = np.isin(lead, wanted) & (lead >= 0)
    out = loans.loc[inside].assign(digit=lead[inside])
    out = out[["digit", *loans.columns]]
    return out.sort_values(["digit", "balance"], kind="stable", ignore_index=True)


def benford_probabilities(digits: int = 1) -> pd.Series:
    """Benford's probability of each first digit (``digits=1``) or first two digits."""
    cells = np.arange(10 ** (digits - 1), 10 ** digits)
    return pd.Series(np.log10(1 + 1 / cells), index=cells, name="p")


