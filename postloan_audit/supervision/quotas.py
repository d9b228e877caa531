"""Supervision sampling (督导检查抽样): a branch's on-site review sample by the manual's quotas.

The rules are those of `001_…` 篇三 "五、贷后组织督导" (现场督导检查要求):

1. 现场抽查的总户数不低于10户,每户不低于1-2笔贷款 (at least 10 borrowers, 1–2 loans each);
2. 正常类、关注类、次级及以下类贷款户分别不低于3户、4户、3户;如次级及以下类贷款户不足3户,不足部分
   按比例分摊到正常类、关注类贷款户 (class quotas, NPL shortfall spread in proportion);
3. 被查行贷款排名较前的借款人不低于3户 (at least 3 of the largest borrowers);
4. 保证、抵(质)押类贷款户不低于5户 (at least 5 guaranteed or collateral-secured borrowers).

How the sample is drawn
-----------------------
The unit is the borrower (户). Each borrower has a *type*: its class group (normal, special
mention, NPL), whether it is among the ``largest_pool`` largest borrowers and whether it is
secured. Every quota is a minimum ("不低于"); a borrower counts toward every quota it fits.

* **Priority.** Borrowers are sorted by ``borrower_id`` and given a random priority, a
  permutation drawn from ``numpy.random.default_rng(seed)``. Row order of the input therefore
  never matters, and the same seed gives the same priorities whatever the policy.
* **Quota core.** The core is the fewest borrowers meeting the class, largest and secured
  quotas together (its size ``K0`` is computed exactly by a small dynamic programme over the
  twelve borrower types). Among the many cores of that size, the one chosen is the
  lexicographically first in priority order: borrowers are considered by priority and each is
  kept when a core of size ``K0`` containing it and the ones already kept still exists. Any
  borrower belonging to some minimal core is therefore picked with probability at least
  ``1 / n`` (whenever it comes first), so no eligible borrower is unreachable, and the result
  is never "always the top ones".
* **Fill.** When the core has fewer than ``min_borrowers`` borrowers, the rest of the branch
  fills it up in priority order (reason ``fill``). The core does not depend on
  ``min_borrowers`` and the fill is a priority-order prefix, so raising ``min_borrowers``
  with the same seed only adds borrowers (nesting).

The size is thus ``max(K0, min(min_borrowers, n))``: exactly as many borrowers as the quotas
force and no more.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from postloan_audit.core.citations import Citation, cite
from postloan_audit.core.errors import PolicyError, SamplingError
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.provenance import Provenance
from postloan_audit.core.schema import CLASSIFICATIONS, SECURED_GUARANTEE_TYPES

#: Source of the quotas, printed in the workpaper (seed `001_…` 篇三).
_SOURCE = cite("work_plan", "篇三 五、贷后组织督导 现场督导检查要求")

#: Quota names, in the order of :attr:`SupervisionSample.strata`.
QUOTAS: tuple[str, ...] = ("normal", "special_mention", "npl", "largest", "secured", "total")
#: Reasons a borrower can carry, in the order they are listed.
REASONS: tuple[str, ...] = ("normal", "special_mention", "npl", "largest", "secured", "fill")
#: Chinese labels of quotas and reasons (抽样理由).
REASON_ZH: dict[str, str] = {
    "normal": "正常类",
    "special_mention": "关注类",
    "npl": "不良类(次级及以下)",
    "largest": "贷款余额排名靠前",
    "secured": "保证/抵质押担保",
    "fill": "补足总户数",
    "total": "合计",
}
#: Why a loan of a sampled borrower was taken (``loans.loan_basis``).
LOAN_BASIS_ZH: dict[str, str] = {
    "worst_class": "该户分类最差的贷款",
    "secured": "该户有担保的贷款",
    "largest_balance": "余额最大",
}
#: Reason a loan of the branch is set aside (``excluded.reason``).
EXCLUSION_ZH: dict[str, str] = {
    "no_borrower": "客户号缺失",
    "no_class": "五级分类缺失或无法识别",
    "no_balance": "贷款余额缺失",
    "zero_balance": "贷款余额不大于0(已结清或无余额)",
}

# Class groups of the quotas: 0 normal, 1 special mention, 2 NPL (substandard or worse).
_GROUPS: tuple[str, ...] = ("normal", "special_mention", "npl")
_GROUP_OF_CODE = np.array([0, 1, 2, 2, 2], dtype=np.int64)  # five-tier code -> group
# A borrower type is group * 4 + largest * 2 + secured (twelve types).
_TYPE_GROUP = np.repeat(np.arange(3), 4)
_TYPE_LARGEST = np.tile([False, False, True, True], 3)
_TYPE_SECURED = np.tile([False, True, False, True], 3)


def _policy_field(default: int, zh: str, source: Citation) -> int:
    return field(default=default, metadata={"zh": zh, "source": source})


@dataclass(frozen=True)
class SamplingPolicy:
    """The quotas of an on-site supervision sample (现场督导检查抽样参数).

    Every value is a bank policy setting; the defaults are those of `001_…` 篇三
    "五、贷后组织督导" (现场督导检查要求), which the first-tier branch may change.

    Attributes
    ----------
    min_borrowers : int, default 10
        现场抽查的总户数不低于10户 (item 1).
    min_normal : int, default 3
        正常类贷款户不低于3户 (item 2).
    min_special_mention : int, default 4
        关注类贷款户不低于4户 (item 2).
    min_npl : int, default 3
        次级及以下类贷款户不低于3户 (item 2); a shortfall is spread over normal and special
        mention in proportion to their borrower counts.
    largest_pool : int, default 10
        How many of the largest borrowers count as "贷款排名较前" (item 3). The manual gives no
        number; 10 is the workbench's reading of 排名较前, to be set by the bank.
    min_largest : int, default 3
        被查行贷款排名较前的借款人不低于3户 (item 3).
    min_secured : int, default 5
        保证、抵(质)押类贷款户不低于5户 (item 4).
    loans_per_borrower : int, default 2
        每户不低于1-2笔贷款 (item 1): up to this many loans of each sampled borrower.
    """

    min_borrowers: int = _policy_field(10, "最低抽查户数", _SOURCE.then(" 第1项"))
    min_normal: int = _policy_field(3, "正常类最低户数", _SOURCE.then(" 第2项"))
    min_special_mention: int = _policy_field(4, "关注类最低户数", _SOURCE.then(" 第2项"))
    min_npl: int = _policy_field(3, "次级及以下类最低户数", _SOURCE.then(" 第2项"))
    largest_pool: int = _policy_field(
        10, "余额排名靠前范围(前N户)", _SOURCE.then(" 第3项(户数由本行确定,默认前10户)"))
    min_largest: int = _policy_field(3, "余额排名靠前最低户数", _SOURCE.then(" 第3项"))
    min_secured: int = _policy_field(5, "保证/抵质押最低户数", _SOURCE.then(" 第4项"))
    loans_per_borrower: int = _policy_field(2, "每户抽查贷款笔数上限", _SOURCE.then(" 第1项"))

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise PolicyError(
                    f"抽样参数 {f.name}({f.metadata['zh']})须为非负整数,收到 {value!r}。"
                    f" / Sampling policy value {f.name} must be a non-negative integer,"
                    f" got {value!r}."
                )
        if self.loans_per_borrower < 1:
            raise PolicyError(
                f"抽样参数 loans_per_borrower 须至少为1,收到 {self.loans_per_borrower}。"
                f" / loans_per_borrower must be at least 1, got {self.loans_per_borrower}."
            )

    def describe(self) -> list[tuple[str, str, int, Citation]]:
        """``(name, Chinese label, value, source)`` for every policy value, in field order."""
        return [(f.name, f.metadata["zh"], getattr(self, f.name), f.metadata["source"])
                for f in fields(self)]


def allocate_largest_remainder(total: int, weights: Sequence[int], *,
                               tie_order: Sequence[int] | None = None) -> np.ndarray:
    """Split ``total`` units over items in proportion to integer ``weights`` (最大余数法).

    Each item first gets the integer part of ``total * w / sum(w)``; the units left over go one
    each to the items with the largest remainders. The counts always add up to ``total``.
    Arithmetic is exact (integers), so equal remainders are truly equal; ties go to the item
    listed first in ``tie_order`` (default: the items' order). When every weight is zero the
    items are weighted equally.

    Parameters
    ----------
    total : int
        Non-negative number of units to allocate.
    weights : sequence of int
        Non-negative integer weights (here: borrower counts of the classes).
    tie_order : sequence of int, optional
        A permutation of the item positions giving the precedence among equal remainders.

    Returns
    -------
    numpy.ndarray
        int64 counts, one per weight, summing to ``total``.

    Examples
    --------
    >>> allocate_largest_remainder(2, [20, 10]).tolist()   # 1.33 / 0.67
    [1, 1]
    >>> allocate_largest_remainder(1, [10, 10], tie_order=[1, 0]).tolist()
    [0, 1]
    """
    w = np.asarray(weights)
    if w.ndim != 1 or len(w) == 0 or not np.issubdtype(w.dtype, np.integer) or (w < 0).any():
        raise ValueError(
            f"权重须为非负整数序列,收到 {list(weights)!r}。 / weights must be non-negative"
            f" integers, got {list(weights)!r}."
        )
    if isinstance(total, bool) or not isinstance(total, int | np.integer) or total < 0:
        raise ValueError(f"待分配数须为非负整数,收到 {total!r}。 / total must be a non-negative"
                         f" integer, got {total!r}.")
    order = np.arange(len(w)) if tie_order is None else np.asarray(tie_order)
    if sorted(order.tolist()) != list(range(len(w))):
        raise ValueError(f"tie_order {list(order)!r} 不是 0..{len(w) - 1} 的排列。"
                         f" / tie_order {list(order)!r} is not a permutation of 0..{len(w) - 1}.")
    w = w.astype(object)  # Python ints: no overflow
    if sum(w) == 0:
        w = np.ones(len(w), dtype=object)
    weight_sum = sum(w)
    scaled = w * int(total)
    counts = np.array([int(s // weight_sum) for s in scaled], dtype=np.int64)
    remainders = np.array([int(s % weight_sum) for s in scaled], dtype=object)
    left = int(total) - int(counts.sum())
    precedence = np.empty(len(w), dtype=np.int64)
    precedence[order] = np.arange(len(w))
    # Largest remainder first, then precedence.
    ranked = sorted(range(len(w)), key=lambda i: (-remainders[i], precedence[i]))
    counts[ranked[:left]] += 1
    return counts


# =========================================================================== the result


@dataclass(frozen=True, eq=False)
class SupervisionSample:
    """An on-site supervision sample (现场督导检查样本) and the provenance that made it.

    Attributes
    ----------
    borrowers : DataFrame
        One row per sampled borrower, by ``balance_rank``: ``borrower_id``, ``borrower_name``,
        ``classification`` (worst class of its loans), ``total_balance`` (yuan),
        ``balance_rank`` (1 = largest; ties by ``borrower_id``), ``secured``, ``loan_count``
        (its loans in the population) and ``reasons``: a tuple of every quota the borrower
        counts toward among ``normal``/``special_mention``/``npl`` (its class group),
        ``largest`` (rank within ``largest_pool``) and ``secured`` (only quotas with a
        positive requirement are listed), followed by ``fill`` when it was drawn only to reach
        ``min_borrowers`` after the quotas were met.
    loans : DataFrame
        The selected loan rows (all columns of the extract) with the borrower's ``reasons``
        and ``loan_basis`` (``worst_class``, ``secured`` or ``largest_balance``).
    strata : DataFrame
        One row per quota of :data:`QUOTAS`: ``quota``, ``required`` (after reallocation and
        capping at what exists), ``available``, ``selected`` and ``note`` (Chinese).
    excluded : DataFrame
        The branch's loans set aside (zero balance, missing borrower or class) with ``reason``.
    seed, branch, policy :
        How the sample was drawn.
    provenance :
        A :class:`~postloan_audit.core.provenance.Provenance`: the extract's fingerprint, file
        name, date and export profile when drawn from an :class:`~postloan_audit.Extract`
        (None for a bare DataFrame), when the sample was drawn and by which version.
        ``fingerprint``, ``source_name``, ``as_of``, ``drawn_at``, ``profile_name`` and
        ``profile_sha256`` are read-only aliases of its fields.
    population_loans, population_borrowers, excluded_loans : int
        Loans and borrowers of the branch eligible for sampling, and loans set aside.
    quota_core_size : int
        The fewest borrowers meeting all class, largest and secured quotas together.
    """

    borrowers: pd.DataFrame
    loans: pd.DataFrame
    strata: pd.DataFrame
    excluded: pd.DataFrame
    seed: int
    branch: str
    policy: SamplingPolicy
    population_loans: int
    population_borrowers: int
    excluded_loans: int
    quota_core_size: int
    provenance: Provenance

    @property
    def fingerprint(self) -> str | None:
        """The extract's sha256 (``provenance.fingerprint``), None for a bare DataFrame."""
        return self.provenance.fingerprint

    @property
    def source_name(self) -> str | None:
        """The extract's file name (``provenance.source_name``)."""
        return self.provenance.source_name

    @property
    def as_of(self) -> dt.date | None:
        """The extract's date (``provenance.as_of``)."""
        return self.provenance.as_of

    @property
    def drawn_at(self) -> dt.datetime:
        """When the sample was drawn (``provenance.created_at``)."""
        return self.provenance.created_at

    @property
    def profile_name(self) -> str | None:
        return self.provenance.profile_name

    @property
    def profile_sha256(self) -> str | None:
        return self.provenance.profile_sha256

    @property
    def size(self) -> int:
        """Number of sampled borrowers."""
        return len(self.borrowers)

    def summary(self) -> str:
        """The sample in a few Chinese lines (抽样说明)."""
        lines = [f"现场督导检查抽样:{self.branch}"]
        if self.source_name:
            fp = f"(指纹 {self.fingerprint[:12]})" if self.fingerprint else ""
            lines.append(f"数据文件:{self.source_name}{fp}")
        if self.as_of is not None:
            lines.append(f"数据日期:{self.as_of:%Y-%m-%d}")
        if self.profile_name:
            lines.append(f"导出配置:{self.profile_name}(sha256 {self.profile_sha256[:12]})")
        lines.append(
            f"抽样总体:贷款 {self.population_loans} 笔,借款人 {self.population_borrowers} 户;"
            f"剔除 {self.excluded_loans} 笔")
        lines.append(f"随机种子:{self.seed};抽取借款人 {self.size} 户,贷款 {len(self.loans)} 笔")
        for rec in self.strata.to_dict("records"):
            text = (f"  {REASON_ZH[rec['quota']]}:应抽 {rec['required']} 户,可抽"
                    f" {rec['available']} 户,已抽 {rec['selected']} 户")
            if rec["note"]:
                text += f"({rec['note']})"
            lines.append(text)
        return "\n".join(lines)


# =========================================================================== drawing


def draw_sample(data: Extract | pd.DataFrame, *, seed: int, branch: str | None = None,
                policy: SamplingPolicy | None = None) -> SupervisionSample:
    """Draw a branch's on-site supervision sample by the manual's quotas (现场督导检查抽样).

    Implements `001_…` 篇三 "五、贷后组织督导" (现场督导检查要求 items 1–4); see the module
    docstring for the method and :class:`SamplingPolicy` for the quotas.

    Parameters
    ----------
    data : Extract or DataFrame
        A loaded extract or a canonical loans frame (``loan_id``, ``borrower_id``, ``branch``,
        ``balance``, ``classification`` and ``secured`` or ``guarantee_type``).
    seed : int
        Non-negative seed of :func:`numpy.random.default_rng`; the only source of randomness.
    branch : str, optional
        The branch to sample; may be omitted only when the data holds a single branch.
    policy : SamplingPolicy, optional
        Quotas; defaults to :class:`SamplingPolicy()`.

    Returns
    -------
    SupervisionSample

    Raises
    ------
    ValueError
        The branch is missing or ambiguous, a required column is missing, the branch has no
        loan with a positive balance, or the seed is not a non-negative integer.
    """
    policy = SamplingPolicy() if policy is None else policy
    if not isinstance(policy, SamplingPolicy):
        raise TypeError(f"policy must be a SamplingPolicy, got {type(policy).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SamplingError(f"随机种子须为非负整数,收到 {seed!r}。 / seed must be a non-negative"
                         f" integer, got {seed!r}.")
    seed = int(seed)
    extract = as_extract(data)
    loans = extract.loans
    provenance = Provenance(fingerprint=extract.fingerprint or None,
                            source_name=extract.source_name or None, as_of=extract.as_of,
                            profile=extract.provenance.profile)
    branch, population, excluded = _population(loans, branch)
    bor, owner = _borrowers(population)
    n = len(bor)

    largest = bor["balance_rank"].to_numpy() <= policy.largest_pool
    secured = bor["secured"].to_numpy()
    group = bor["_group"].to_numpy()
    types = group * 4 + largest.astype(np.int64) * 2 + secured.astype(np.int64)
    required, notes, available = _required(group, largest, secured, policy)

    priority = np.random.default_rng(seed).permutation(n)
    core = _select_core(types, priority, required[:5])
    target = max(len(core), int(required[5]))
    in_core = np.zeros(n, dtype=bool)
    in_core[core] = True
    rest = np.flatnonzero(~in_core)
    fill = rest[np.argsort(priority[rest], kind="stable")][: target - len(core)]
    chosen = np.zeros(n, dtype=bool)
    chosen[core] = True
    chosen[fill] = True
    is_fill = np.zeros(n, dtype=bool)
    is_fill[fill] = True

    selected_counts = np.array([
        (chosen & (group == 0)).sum(), (chosen & (group == 1)).sum(),
        (chosen & (group == 2)).sum(), (chosen & largest).sum(), (chosen & secured).sum(),
        chosen.sum()])
    if target > required[5]:
        notes[5] = _join(notes[5], f"各配额无法在{required[5]}户内同时满足,最少需抽{target}户")
    elif len(fill):
        notes[5] = _join(notes[5], f"各配额以{len(core)}户即可满足,另按随机顺序补足{len(fill)}户")
    strata = pd.DataFrame({
        "quota": pd.Series(QUOTAS, dtype="str"),
        "required": required.astype(np.int64),
        "available": available.astype(np.int64),
        "selected": selected_counts.astype(np.int64),
        "note": pd.Series(notes, dtype="str"),
    })

    # Reasons: every quota with a positive requirement the borrower fits, then `fill`.
    flags = np.column_stack([group == 0, group == 1, group == 2, largest, secured, is_fill])
    flags &= np.append(required[:5] > 0, True)
    reasons = np.empty(n, dtype=object)
    names = np.array(REASONS)
    reasons[chosen] = np.fromiter((tuple(names[row].tolist()) for row in flags[chosen]),
                                  dtype=object, count=int(chosen.sum()))
    rank = bor["balance_rank"].to_numpy()
    positions, basis = _pick_loans(population, owner, chosen, rank, flags[:, 4],
                                   policy.loans_per_borrower)
    sample_loans = population.iloc[positions].reset_index(drop=True)
    sample_loans["reasons"] = reasons[owner[positions]]
    sample_loans["loan_basis"] = pd.Series(
        np.array(["worst_class", "secured", "largest_balance"])[basis], dtype="str")
    picked = bor.loc[chosen].drop(columns=["_group"])
    picked["reasons"] = reasons[chosen]
    picked = picked.sort_values("balance_rank", kind="stable").reset_index(drop=True)

    return SupervisionSample(
        borrowers=picked,
        loans=sample_loans,
        strata=strata,
        excluded=excluded,
        seed=seed,
        branch=branch,
        policy=policy,
        population_loans=len(population),
        population_borrowers=n,
        excluded_loans=len(excluded),
        quota_core_size=len(core),
        provenance=provenance,
    )


def _join(a: str, b: str) -> str:
    return f"{a};{b}" if a else b


def _classification(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.ordered and \
            list(values.cat.categories) == list(CLASSIFICATIONS):
        return values
    return pd.Series(pd.Categorical(values.astype(object), categories=list(CLASSIFICATIONS),
                                    ordered=True), index=values.index)


def _population(loans: pd.DataFrame, branch: str | None
                ) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Split the branch's loans into the population and the loans set aside."""
    required = ["loan_id", "borrower_id", "branch", "balance", "classification"]
    missing = [c for c in required if c not in loans.columns]
    if "secured" not in loans.columns and "guarantee_type" not in loans.columns:
        if not missing:
            raise SamplingError(
                "贷款台账没有担保方式(guarantee_type)列,无法按“保证、抵(质)押类贷款户不低于5户”"
                "的配额抽样。请在导出配置中映射担保方式列([headers.loans] \"担保方式列名\" ="
                " \"guarantee_type\"),或由担保人信息生成([derive.loans] secured = { nonblank ="
                " \"担保人证件号码\" })。"
                " / The loans have no guarantee_type column, so the secured-borrower quota cannot"
                " be met. Map the column in the export profile ([headers.loans] ... ="
                " \"guarantee_type\") or derive it ([derive.loans] secured = { nonblank = ... }).")
        missing.append("secured/guarantee_type")
    if missing:
        raise SamplingError(f"贷款台账缺少抽样所需的列:{'、'.join(missing)}。"
                         f" / The loans frame lacks columns needed for sampling: {missing}.")
    found = sorted(loans["branch"].dropna().unique().tolist())
    if branch is None:
        if len(found) != 1:
            raise SamplingError(
                f"数据包含 {len(found)} 个机构({'、'.join(found) or '无'}),请指定被查机构。"
                f" / The data holds {len(found)} branches ({', '.join(found) or 'none'});"
                f" choose one with branch=.")
        branch = found[0]
    elif branch not in found:
        raise SamplingError(
            f"数据中没有机构「{branch}」;数据中的机构:{'、'.join(found) or '无'}。"
            f" / Branch {branch!r} is not in the data; branches found: {found}.")
    frame = loans.loc[loans["branch"] == branch].copy()
    frame["classification"] = _classification(frame["classification"])
    if "secured" not in frame.columns:
        frame["secured"] = frame["guarantee_type"].isin(SECURED_GUARANTEE_TYPES).to_numpy()
    frame["secured"] = frame["secured"].fillna(False).astype(bool)
    balance = frame["balance"].astype("float64")
    reason_key = np.select(
        [frame["borrower_id"].isna().to_numpy(), frame["classification"].isna().to_numpy(),
         balance.isna().to_numpy(), (balance <= 0).to_numpy()],
        ["no_borrower", "no_class", "no_balance", "zero_balance"], default="")
    keep = reason_key == ""
    sort_cols = ["borrower_id", "loan_id"] + (["source_row"] if "source_row" in frame else [])
    population = frame.loc[keep].sort_values(sort_cols, kind="stable").reset_index(drop=True)
    excluded = frame.loc[~keep].copy()
    excluded["reason"] = pd.Series(
        pd.Series(reason_key[~keep]).map(EXCLUSION_ZH).to_numpy(), index=excluded.index,
        dtype="str")
    excluded = excluded.sort_values(["loan_id"], kind="stable").reset_index(drop=True)
    if population.empty:
        raise SamplingError(
            f"机构「{branch}」没有余额大于0的贷款(共 {len(frame)} 笔,均被剔除),无法抽样。"
            f" / Branch {branch!r} has no loan with a positive balance ({len(frame)} loans,"
            f" all set aside); nothing to sample.")
    return branch, population, excluded


def _borrowers(population: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per borrower, in ``borrower_id`` order, and each loan's borrower position.

    ``population`` must be sorted by ``borrower_id``.
    """
    ids = population["borrower_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    codes = population["classification"].cat.codes.to_numpy().astype(np.int64)
    balance = population["balance"].to_numpy(dtype="float64")
    worst = np.maximum.reduceat(codes, starts)
    total = np.add.reduceat(balance, starts)
    secured = np.logical_or.reduceat(population["secured"].to_numpy(dtype=bool), starts)
    counts = np.diff(np.r_[starts, len(ids)])
    names = np.full(len(starts), np.nan, dtype=object)
    if "borrower_name" in population.columns:
        # The first non-blank name among the borrower's loans (in loan_id order).
        all_names = population["borrower_name"].to_numpy(dtype=object)
        position = np.where(population["borrower_name"].notna().to_numpy(),
                            np.arange(len(ids)), len(ids))
        first = np.minimum.reduceat(position, starts)
        named = first < len(ids)
        names[named] = all_names[first[named]]
    n = len(starts)
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), -total))] = np.arange(1, n + 1)
    owner = np.repeat(np.arange(n), counts)
    return pd.DataFrame({
        "borrower_id": pd.Series(ids[starts], dtype="str"),
        "borrower_name": pd.Series(names, dtype="str"),
        "classification": pd.Categorical.from_codes(worst, categories=list(CLASSIFICATIONS),
                                                    ordered=True),
        "total_balance": total,
        "balance_rank": rank,
        "secured": secured,
        "loan_count": counts.astype(np.int64),
        "_group": _GROUP_OF_CODE[worst],
    }), owner


def _required(group: np.ndarray, largest: np.ndarray, secured: np.ndarray,
              policy: SamplingPolicy) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Quota requirements after the NPL reallocation and capping, with Chinese notes."""
    n = len(group)
    n_normal, n_sm, n_npl = (int((group == g).sum()) for g in range(3))
    pool = int(largest.sum())
    n_secured = int(secured.sum())
    notes = [""] * 6
    req_npl = min(policy.min_npl, n_npl)
    shortfall = policy.min_npl - req_npl
    add = np.zeros(2, dtype=np.int64)
    if shortfall:
        # A tie of remainders goes to special mention (关注类, the larger risk).
        add = allocate_largest_remainder(shortfall, [n_normal, n_sm], tie_order=[1, 0])
        notes[2] = (f"不良类仅{n_npl}户,不足{policy.min_npl}户,全部抽取;差额{shortfall}户按正常类与"
                    f"关注类户数比例({n_normal}:{n_sm})分配(最大余数法):正常类+{add[0]}户,"
                    f"关注类+{add[1]}户")
    wanted = [policy.min_normal + int(add[0]), policy.min_special_mention + int(add[1])]
    req = []
    for i, (name, have) in enumerate((("正常类", n_normal), ("关注类", n_sm))):
        if add[i]:
            notes[i] = f"含不良类差额分摊{add[i]}户,应抽{wanted[i]}户"
        if wanted[i] > have:
            notes[i] = _join(notes[i], f"{name}仅{have}户,不足{wanted[i]}户,全部抽取,"
                                       "差额由其余借款人补足总户数")
        req.append(min(wanted[i], have))
    req_largest = min(policy.min_largest, pool)
    notes[3] = f"余额排名前{policy.largest_pool}户为排名靠前借款人"
    if pool < policy.min_largest:
        notes[3] = _join(notes[3], f"仅{pool}户,不足{policy.min_largest}户,全部抽取")
    req_secured = min(policy.min_secured, n_secured)
    if n_secured < policy.min_secured:
        notes[4] = f"保证/抵质押借款人仅{n_secured}户,不足{policy.min_secured}户,全部抽取"
    req_total = min(policy.min_borrowers, n)
    if n < policy.min_borrowers:
        notes[5] = f"机构仅{n}户,不足{policy.min_borrowers}户,全部抽取"
    required = np.array([req[0], req[1], req_npl, req_largest, req_secured, req_total],
                        dtype=np.int64)
    available = np.array([n_normal, n_sm, n_npl, pool, n_secured, n], dtype=np.int64)
    return required, notes, available


# --------------------------------------------------------------------------- the quota core


def _class_table(need_l: int, need_s: int, cap: np.ndarray, count_needed: int) -> np.ndarray:
    """Fewest extra borrowers of one class giving >= l largest and >= s secured picks.

    ``cap`` holds the class's remaining borrowers by type offset (0 plain, 1 secured,
    2 largest, 3 both); at least ``count_needed`` extras are taken for the class quota itself.
    Entry ``[l, s]`` is inf when unreachable.
    """
    top = min(int(cap[3]), max(need_l, need_s))
    l_idx = np.arange(need_l + 1)[:, None, None]
    s_idx = np.arange(need_s + 1)[None, :, None]
    both = np.arange(top + 1)[None, None, :]
    only_l = np.maximum(0, l_idx - both)
    only_s = np.maximum(0, s_idx - both)
    cost = (both + only_l + only_s).astype(float)
    cost[(only_l > cap[2]) | (only_s > cap[1])] = np.inf
    return np.maximum(cost.min(axis=2), count_needed)


def _min_cover_size(chosen: np.ndarray, counts: np.ndarray, required: np.ndarray) -> float:
    """Fewest borrowers of a quota-meeting set containing ``chosen`` (counts by type).

    ``required`` = (normal, special mention, NPL, largest, secured). Exact: a dynamic programme
    over the three classes on the (largest, secured) coverage still needed, capped at the
    requirement; tables are monotone ("at least"), so capping is a plain shift.
    """
    need_l = max(0, int(required[3]) - int(chosen[_TYPE_LARGEST].sum()))
    need_s = max(0, int(required[4]) - int(chosen[_TYPE_SECURED].sum()))
    remaining = counts - chosen
    best = np.full((need_l + 1, need_s + 1), np.inf)
    best[0, 0] = 0.0
    for g in range(3):
        have = int(chosen[_TYPE_GROUP == g].sum())
        table = _class_table(need_l, need_s, remaining[g * 4: g * 4 + 4],
                             max(0, int(required[g]) - have))
        merged = np.full_like(best, np.inf)
        for dl, ds in zip(*np.nonzero(np.isfinite(table)), strict=True):
            merged[dl:, ds:] = np.minimum(merged[dl:, ds:],
                                          best[: need_l + 1 - dl, : need_s + 1 - ds]
                                          + table[dl, ds])
        best = merged
    return float(chosen.sum()) + float(best[need_l, need_s])


def _select_core(types: np.ndarray, priority: np.ndarray, required: np.ndarray) -> np.ndarray:
    """The priority-first minimal set meeting the class, largest and secured quotas.

    Borrowers are taken in priority order, each kept when a minimal quota-meeting set still
    contains the ones kept so far. Only the borrower type matters to that test, so the loop
    runs over at most ``K0 + 12`` candidates (a type, once refused, stays refused), never over
    the whole branch. Returns positions into ``types``.
    """
    counts = np.bincount(types, minlength=12).astype(np.int64)
    order = np.lexsort((priority, types))  # by type, then priority
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    chosen = np.zeros(12, dtype=np.int64)
    target = _min_cover_size(chosen, counts, required)
    if not math.isfinite(target):  # pragma: no cover - requirements are capped at availability
        raise AssertionError("quota requirements exceed the population")
    open_types = counts > 0
    picked: list[int] = []
    while len(picked) < target:
        candidates = np.flatnonzero(open_types & (chosen < counts))
        nexts = order[starts[candidates] + chosen[candidates]]
        t = int(candidates[np.argmin(priority[nexts])])
        chosen[t] += 1
        if _min_cover_size(chosen, counts, required) == target:
            picked.append(int(order[starts[t] + chosen[t] - 1]))
        else:
            chosen[t] -= 1
            open_types[t] = False
    return np.array(picked, dtype=np.int64)


# --------------------------------------------------------------------------- loans


def _first_of_runs(order: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The elements of ``order`` that start a run of equal ``keys[order]``."""
    k = keys[order]
    return order[np.r_[True, k[1:] != k[:-1]]] if len(order) else order


def _pick_loans(population: pd.DataFrame, owner: np.ndarray, chosen: np.ndarray,
                rank: np.ndarray, wants_secured: np.ndarray, per_borrower: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``per_borrower`` loans per sampled borrower: worst class, secured, then largest.

    ``population`` is sorted by ``borrower_id`` then ``loan_id``, so a loan's position is the
    final tie-break. Returns the loan positions (by borrower rank, then pick order) and each
    one's basis code (0 worst class, 1 secured, 2 largest balance).
    """
    idx = np.flatnonzero(chosen[owner])
    r = rank[owner[idx]]
    code = population["classification"].cat.codes.to_numpy()[idx]
    bal = population["balance"].to_numpy(dtype="float64")[idx]
    sec = population["secured"].to_numpy(dtype=bool)[idx]

    worst = np.zeros(len(idx), dtype=bool)
    worst[_first_of_runs(np.lexsort((idx, -bal, -code, r)), r)] = True
    worst_secured = np.zeros(int(rank.max()) + 1, dtype=bool)
    worst_secured[r[worst]] = sec[worst]
    cand = np.flatnonzero(sec & ~worst)
    secured_pick = np.zeros(len(idx), dtype=bool)
    secured_pick[cand[_first_of_runs(np.lexsort((idx[cand], -bal[cand], r[cand])), r[cand])]] = True
    secured_pick &= wants_secured[owner[idx]] & ~worst_secured[r]
    basis = np.where(worst, 0, np.where(secured_pick, 1, 2))
    order = np.lexsort((idx, -bal, basis, r))
    rs = r[order]
    group_start = np.flatnonzero(np.r_[True, rs[1:] != rs[:-1]])
    within = np.arange(len(order)) - np.repeat(group_start, np.diff(np.r_[group_start,
                                                                         len(order)]))
    keep = order[within < per_borrower]
    return idx[keep], basis[keep]

