"""Deterministic synthetic loan networks (合成样例数据) and the bundled sample extracts.

:func:`generate_network` builds a county-level (县域) network of sub-branches (城关支行,
XX镇支行 …) with corporate (对公) and individual (个人) loans, a believable five-tier mix
(五级分类), heavy-tailed balances, borrowers holding several loans, guarantee combinations
(抵押+保证 …), inspection (贷后检查) and collection (催收) histories, collateral (押品) data,
synthetic Chinese names and obviously fake id numbers (region code ``990000``, which no
real person or company can hold).

A modest share of loans deliberately breaches one rule each of the compliance catalogue
(the catalogue of ``postloan_audit.compliance.rules``); :attr:`SyntheticNetwork.planted` lists every planted ``(rule_id, loan_id)``.
Every other loan is kept comfortably inside each rule's *default* threshold at ``as_of``,
so a correct rule engine finds exactly the planted breaches. The thresholds relied on are
gathered in :data:`DEFAULT_THRESHOLDS` (they mirror ``Policy.default()``; sources:
``001_…`` 篇三 二、(七)贷后检查报告, 篇三 二(二)–(五); ``003_…`` 第一篇 第四十四条、第四十五条、
第四十九条 and 第三篇; ``000_…`` 计划 8; 《商业银行金融资产风险分类办法》(2023);
《贷款通则》第十二条; 《商业银行押品管理指引》(2017)).

Everything is vectorised over loans with one ``numpy.random.Generator(seed)``: the same
arguments give the same frames, and :func:`write_extract` the same bytes.

Run ``python -m postloan_audit.synth.generator [DIRECTORY]`` to regenerate ``sample_extracts/``.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from postloan_audit.core.schema import (
    BRANCH_COLUMNS,
    CLASSIFICATION_ZH,
    CLASSIFICATIONS,
    COLLECTION_COLUMNS,
    COLLECTION_METHOD_ZH,
    CUSTOMER_TYPE_ZH,
    INSPECTION_COLUMNS,
    INSPECTION_TYPE_ZH,
    LOAN_COLUMNS,
    MANAGEMENT_MODE_ZH,
    PAYMENT_METHOD_ZH,
    REPAYMENT_METHOD_ZH,
    SHEETS,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PLANTED_RULES",
    "SyntheticNetwork",
    "generate_network",
    "generate_snapshots",
    "write_extract",
    "write_sample_extracts",
]

# --------------------------------------------------------------------------- policy defaults

#: The rule thresholds the generator keeps clean loans inside of (and planted loans outside
#: of). They MIRROR the policy defaults (``Policy.default()``); if the bank policy defaults
#: change, change them here too. Months are calendar months with month-end clamping.
DEFAULT_THRESHOLDS: dict[str, Any] = {
    # 001_… 篇三 二、(七)贷后检查报告 1-2; 003_… 第四十五条: inspection intervals (months)
    "insp_corporate_regular": {"normal": 6, "special_mention": 3, "npl": 1},
    "insp_corporate_key": {"normal": 3, "special_mention": 1, "npl": 1},
    "insp_individual": 6,
    # 001_… 篇三 二、(七): every calendar period ending in the 12 months before the check date
    # holds an inspection, unless the loan was disbursed 2 months or less before its end
    "insp_review_months": 12, "insp_period_exempt_months": 2,
    "first_inspection_months": 1,  # 001_… 篇三 (七): first inspection within 1 month
    # 风险分类办法 2023; 003_… 第三篇: overdue-days floors (> days → at least class)
    "overdue_floors": ((7, "special_mention"), (90, "substandard"), (270, "doubtful"),
                       (360, "loss")),
    "borrower_npl_share": 0.10,  # 风险分类办法 2023: non-retail borrower NPL contagion
    # 贷款通则 第十二条: extension limits by original term (months)
    "extension_short_term": 12, "extension_mid_term": 60, "extension_long_cap": 36,
    # 003_… 第四十九条(六): collection tiers (overdue days)
    "collection_visit_after": 60, "collection_legal_after": 90,
    "npl_collection_months": 1,  # 001_… 篇三 二(三)
    "maturity_notice_months": 1,  # 001_… 篇三 二(二)
    "collection_notice_working_days": 10,  # 001_… 篇三 二(二)
    "collateral_inspection_months": 12, "collateral_short_term_months": 12,  # 篇三 二(四)
    "revaluation_months": 12,  # 押品管理指引 2017
    "collateral_drop_ratio": 0.90,  # 000_… 计划 8
    "rating_months": 12,  # 001_… 篇三 一(五)
    "exit_visit_months": 1,  # 003_… 第三篇
    "fund_use_months": 1,  # 003_… 第四十四条(三)
}

#: Rule ids (a public contract, ``compliance.policy.RULE_IDS``) in catalogue order; each is planted by the generator.
PLANTED_RULES: tuple[str, ...] = (
    "INSP-FREQ", "INSP-FIRST", "CLS-OVERDUE", "CLS-BORROWER", "CLS-RESTRUCT", "EXT-LIMIT",
    "EXT-INDIVIDUAL", "REFI-INDIVIDUAL", "COLL-TIER", "COLL-NPL", "MAT-NOTICE", "MAT-COLLECT",
    "COLLAT-INSP", "COLLAT-REVAL", "COLLAT-DROP", "RATING-STALE", "EXIT-VISIT", "FUND-USE",
    "DATA-OVERDUE",
)

# Safety margins (days) that keep clean loans comfortably inside the thresholds above and
# planted loans clearly outside. A calendar month is at least 28 days, a year at least 365.
_MONTH_MIN_DAYS = 28
_CLEAN_MARGIN = 5

# --------------------------------------------------------------------------- vocabularies

_NORMAL, _SM, _SUB, _DOUBT, _LOSS = range(5)
_COLL_METHODS = np.array(["sms", "phone", "letter", "visit", "legal"])
_COLL_STRENGTH = np.array([0, 0, 0, 1, 2])  # sms = phone = letter < visit < legal
_SMS, _PHONE, _LETTER, _VISIT, _LEGAL = range(5)

_COUNTIES = np.array(["青溪县", "云岭县", "河阳县", "桐川县", "石门县", "安平县", "柳江县",
                      "白水县"])
_TOWNS = ["青山", "石桥", "河口", "柳林", "白沙", "新店", "黄土", "龙泉", "马坊", "东关",
          "西岭", "南湖", "北塘", "杨庄", "李集", "高桥", "大营", "双河", "清水", "三里",
          "五里", "红星", "太平", "永安", "长兴", "兴隆", "和平", "官庄", "平安", "金鸡"]
_TOWNS += [a + b for a in "东西南北上下前后" for b in "营庄店集桥湾坪坝"]
_SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
                          "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"))
_GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红萍建国志文"
                       "海燕春梅鹏飞宇浩然晨欣怡子涵俊峰斌凤琴云"))
_TRADE = np.array(["华盛", "鑫源", "宏达", "金穗", "丰泽", "恒通", "润田", "兴农", "德顺", "永昌",
                   "瑞丰", "嘉禾", "盛源", "聚福", "同心", "利民", "康达", "新禾", "天和", "顺安"])
_CORP_KINDS = np.array(["商贸", "农业开发", "建材", "食品", "物流", "农机", "纺织", "生态养殖",
                        "茶业", "机械制造"])
_CORP_INDUSTRY = np.array(["批发和零售业", "农、林、牧、渔业", "制造业", "制造业",
                           "交通运输、仓储和邮政业", "制造业", "制造业", "农、林、牧、渔业",
                           "农、林、牧、渔业", "制造业"])
_BUSINESS_INDUSTRY = np.array(["批发和零售业", "农、林、牧、渔业", "住宿和餐饮业",
                               "交通运输、仓储和邮政业", "居民服务业"])

# Products: (zh name, customer type, repayment installment share, terms in months,
# balance median yuan, lognormal sigma, self-payment share, guarantee mix).
_PRODUCTS = (
    ("个人住房按揭贷款", "individual", 1.00, (120, 180, 240, 300, 360), 350_000, 0.55, 0.0,
     (("抵押", 0.8), ("抵押+保证", 0.2))),
    ("个人消费贷款", "individual", 0.85, (12, 24, 36, 60), 60_000, 0.8, 0.7,
     (("信用", 0.6), ("保证", 0.4))),
    ("个人经营贷款", "individual", 0.45, (12, 24, 36), 250_000, 0.8, 0.6,
     (("保证", 0.4), ("抵押", 0.35), ("抵押+保证", 0.2), ("质押", 0.05))),
    ("流动资金贷款", "corporate", 0.15, (6, 12, 12, 12, 24, 36), 3_000_000, 1.0, 0.3,
     (("保证", 0.4), ("抵押", 0.3), ("抵押+保证", 0.15), ("质押", 0.1), ("信用", 0.05))),
    ("固定资产贷款", "corporate", 1.00, (36, 60, 84, 120), 15_000_000, 1.0, 0.0,
     (("抵押", 0.6), ("抵押+保证", 0.3), ("质押+保证", 0.1))),
)
_IND_PRODUCT_P = np.array([0.30, 0.30, 0.40])
_CORP_PRODUCT_P = np.array([0.75, 0.25])
_GUARANTEE_LABELS = np.array(["信用", "保证", "抵押", "质押", "抵押+保证", "质押+保证"])
_GUARANTEE_CANON = np.array(["credit", "guarantee", "mortgage", "pledge", "mortgage", "pledge"])

#: Class mix by loan count (NPL 2.5%, special mention 3.5%).
_CLASS_SHARES = np.array([0.940, 0.035, 0.011, 0.008, 0.006])
#: Clean overdue-day ranges by class (inside the floors with margins), and the share overdue.
_OVERDUE_RANGES = ((1, 3), (10, 80), (95, 255), (275, 350), (365, 1100))
_OVERDUE_SHARE = np.array([0.02, 0.6, 0.8, 0.85, 0.9])
_CORP_RATINGS = (("AAA", "AA", "A", "BBB"), ("BBB", "BB"), ("B", "CCC"), ("CC",), ("C",))

_SUBGRADE = {0: ("正常一级", "正常二级"), 1: ("关注一级", "关注二级", "关注三级")}


# --------------------------------------------------------------------------- dataclass


@dataclass
class SyntheticNetwork:
    """A generated network in canonical form (the shape :func:`load_extract` returns).

    Attributes
    ----------
    loans, inspections, collections, branches:
        Canonical frames with the dtypes of ``docs/extract-format.md``; every optional loan
        column is present.
    planted:
        ``rule_id``, ``loan_id`` of every deliberately planted rule breach at :attr:`as_of`
        under the default thresholds (:data:`DEFAULT_THRESHOLDS`); every other loan breaches
        no rule.
    labels:
        Display labels aligned with :attr:`loans`: ``classification`` (五级分类 words or
        sub-grades such as 正常一级) and ``guarantee`` (combinations such as 抵押+保证).
    as_of, seed, county:
        What made it.
    """

    loans: pd.DataFrame
    inspections: pd.DataFrame
    collections: pd.DataFrame
    branches: pd.DataFrame
    planted: pd.DataFrame
    labels: pd.DataFrame
    as_of: dt.date
    seed: int
    county: str = ""
    state: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: The state as published (planted breaches included): the next snapshot starts from it.
    final_state: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


# --------------------------------------------------------------------------- date helpers

_NAT = np.datetime64("NaT", "D")


def _day(value: dt.date | str) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "D")


def add_months(dates: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """``dates + months`` calendar months, clamped to month end (2026-01-31 + 1 → 02-28).

    Vectorised over ``datetime64[D]`` arrays; NaT stays NaT.
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    start = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - start).astype(np.int64)
    out = start + np.minimum(day, length - 1)
    return np.where(np.isnat(dates), _NAT, out)


def _rand_int(rng: np.random.Generator, lo: Any, hi: Any, size: int | None = None) -> np.ndarray:
    """Uniform integers in ``[lo, hi]`` (inclusive, broadcasting, hi clipped up to lo)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    if size is None:
        size = np.broadcast(lo, hi).shape
    return rng.integers(lo, hi + 1, size=size)


def _pick(rng: np.random.Generator, labels: Sequence[Any], probs: Sequence[float],
          size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(labels)[rng.choice(len(p), size=size, p=p / p.sum())]


def _strcat(*parts: Any) -> np.ndarray:
    out = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        out = np.char.add(out, np.asarray(part).astype(str))
    return out


def _zfill(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(np.asarray(values, dtype=np.int64).astype(str), width)


# --------------------------------------------------------------------------- primary state


def _branch_names(count: int) -> list[str]:
    names = ["城关支行"]
    i = 0
    while len(names) < count:
        town = _TOWNS[i % len(_TOWNS)]
        rnd = i // len(_TOWNS)
        names.append(f"{town}镇支行" if rnd == 0 else f"{town}镇第{rnd + 1}支行")
        i += 1
    return names[:count]


def _person_names(rng: np.random.Generator, size: int) -> np.ndarray:
    surname = _SURNAMES[rng.integers(0, len(_SURNAMES), size)]
    g1 = _GIVEN[rng.integers(0, len(_GIVEN), size)]
    g2 = np.where(rng.random(size) < 0.65, _GIVEN[rng.integers(0, len(_GIVEN), size)], "")
    return _strcat(surname, g1, g2)


def _id_check_digits(body: np.ndarray) -> np.ndarray:
    """GB 11643 check characters for an (n, 17) digit matrix (makes the fakes well formed)."""
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    codes = np.array(list("10X98765432"))
    return codes[(body * weights).sum(axis=1) % 11]


def _fake_person_ids(rng: np.random.Generator, size: int) -> np.ndarray:
    # Region 990000 is not an administrative division code: these can never be real.
    birth = _day("1955-01-01") + rng.integers(0, 45 * 365, size)
    ymd = pd.DatetimeIndex(birth.astype("datetime64[ns]")).strftime("%Y%m%d").to_numpy(str)
    seq = _zfill(rng.integers(0, 1000, size), 3)
    body = _strcat("990000", ymd, seq)
    digits = np.frombuffer("".join(body.tolist()).encode("ascii"), dtype=np.uint8)
    digits = (digits.reshape(size, 17) - ord("0")).astype(np.int64) if size else np.zeros(
        (0, 17), np.int64)
    return _strcat(body, _id_check_digits(digits)) if size else body


def _fake_company_ids(rng: np.random.Generator, size: int) -> np.ndarray:
    # 统一社会信用代码 shape: 91 + region 990000 (fake) + 9-digit organisation code + check.
    return _strcat("91990000", _zfill(rng.integers(0, 10**9, size), 9), "X")


def _primary(rng: np.random.Generator, n: int, n_branches: int, as_of: np.datetime64,
             horizon_months: int = 0) -> dict[str, np.ndarray]:
    """Loans, borrowers, products, classes, overdue days, terms and dates (clean)."""
    s: dict[str, Any] = {}
    county = str(_COUNTIES[rng.integers(0, len(_COUNTIES))])
    s["county"] = county
    branch_names = np.array(_branch_names(n_branches))
    s["branch_names"] = branch_names

    # Borrowers (户) with one or several loans (笔).
    counts = 1 + rng.geometric(0.72, size=n + 1) - 1
    counts = np.minimum(counts, 8)
    nb = int(np.searchsorted(np.cumsum(counts), n) + 1)
    counts = counts[:nb].copy()
    counts[-1] -= counts.sum() - n
    b_of = np.repeat(np.arange(nb), counts)
    b_corp = rng.random(nb) < 0.16
    weights = np.concatenate([[2.5], rng.lognormal(0.0, 0.35, max(n_branches - 1, 0))])
    b_branch = rng.choice(n_branches, size=nb, p=weights / weights.sum())
    officers_per_branch = 6
    officer_names = _person_names(rng, n_branches * officers_per_branch)
    b_officer = officer_names[b_branch * officers_per_branch
                              + rng.integers(0, officers_per_branch, nb)]
    kind = rng.integers(0, len(_CORP_KINDS), nb)
    corp_names = _strcat(county, _TRADE[rng.integers(0, len(_TRADE), nb)], _CORP_KINDS[kind],
                         "有限公司")
    b_name = np.where(b_corp, corp_names, _person_names(rng, nb))
    b_idnum = np.where(b_corp, _fake_company_ids(rng, nb), _fake_person_ids(rng, nb))
    b_ids = _zfill(rng.permutation(nb) + 10_000, 10)

    # Five-tier class per borrower, exact by loan count (a shuffled walk over borrowers).
    order = rng.permutation(nb)
    before = np.empty(nb, np.int64)
    before[order] = np.concatenate([[0], np.cumsum(counts[order])[:-1]])
    edges = np.cumsum(_CLASS_SHARES[::-1])[:-1] * n  # worst class first
    b_class = 4 - np.searchsorted(edges, before, side="right")
    b_key = rng.random(nb) < np.where(b_class == _NORMAL, np.where(b_corp, 0.10, 0.03),
                                      np.where(b_corp, 0.6, 0.3))
    b_exit = b_corp & (rng.random(nb) < np.where(b_class == _SM, 0.25,
                                                 np.where(b_class == _NORMAL, 0.03, 0.0)))

    corp = b_corp[b_of]
    cls = b_class[b_of].astype(np.int64)
    s.update(borrower=b_of, borrower_id=b_ids[b_of], borrower_name=b_name[b_of],
             id_number=b_idnum[b_of], corporate=corp, branch_idx=b_branch[b_of],
             loan_officer=b_officer[b_of], key_mode=b_key[b_of], exit_list=b_exit[b_of],
             industry_kind=kind[b_of])

    # Products and their attributes.
    product = np.where(corp, 3 + rng.choice(2, n, p=_CORP_PRODUCT_P),
                       rng.choice(3, n, p=_IND_PRODUCT_P))
    installment = np.zeros(n, bool)
    term = np.zeros(n, np.int64)
    balance = np.zeros(n)
    self_pay = np.zeros(n, bool)
    g_code = np.zeros(n, np.int64)
    for k, (_, _, inst_p, terms, median, sigma, self_p, mix) in enumerate(_PRODUCTS):
        m = product == k
        c = int(m.sum())
        installment[m] = rng.random(c) < inst_p
        term[m] = np.asarray(terms)[rng.integers(0, len(terms), c)]
        balance[m] = rng.lognormal(np.log(median), sigma, c)
        self_pay[m] = rng.random(c) < self_p
        codes = [int(np.flatnonzero(_GUARANTEE_LABELS == g)[0]) for g, _ in mix]
        g_code[m] = _pick(rng, codes, [p for _, p in mix], c)
    g_label = _GUARANTEE_LABELS[g_code]
    g_canon = _GUARANTEE_CANON[g_code]
    s.update(product=product, installment=installment, self_pay=self_pay,
             guarantee_label=g_label, guarantee=g_canon)
    s["balance"] = np.round(np.maximum(balance, 1_000.0), 2)

    # Clean extensions (corporate bullet loans, within half the limit), refinancing,
    # restructuring (never on a normal loan).
    ext = np.where(corp & ~installment & (rng.random(n) < 0.06),
                   np.where(term <= 6, 3, rng.choice([3, 6], n)), 0)
    s["extension"] = ext.astype(np.int64)
    s["refinanced"] = corp & (rng.random(n) < 0.03)
    s["restructured"] = corp & (cls >= _SM) & (rng.random(n) < 0.25)

    # Overdue days consistent with the class.
    lo = np.array([r[0] for r in _OVERDUE_RANGES])[cls]
    hi = np.array([r[1] for r in _OVERDUE_RANGES])[cls]
    od = np.where(rng.random(n) < _OVERDUE_SHARE[cls], _rand_int(rng, lo, hi), 0)
    s["class"] = cls
    s["term"] = term
    _place_dates(rng, s, od, as_of, horizon_months)

    # Collateral (押品) for mortgage/pledge loans: initial value at an LTV of 40–70%.
    has_coll = np.isin(g_canon, ("mortgage", "pledge"))
    initial = np.where(has_coll, np.round(s["balance"] / rng.uniform(0.4, 0.7, n), -2), np.nan)
    ratio = np.where(rng.random(n) < 0.08, rng.uniform(0.70, 0.85, n), rng.uniform(0.95, 1.3, n))
    s["collateral_initial"] = initial
    s["collateral_value"] = np.where(has_coll, np.round(initial * ratio, -2), np.nan)
    s["rating_pick"] = rng.random(n)
    return s


def _place_dates(rng: np.random.Generator, s: dict[str, Any], od: np.ndarray,
                 as_of: np.datetime64, horizon_months: int = 0) -> None:
    """Disbursement and maturity (whole months apart, day of month <= 28) and overdue days.

    Bullet loans that are overdue matured ``od`` days before ``as_of``; every other loan
    matures after ``as_of``. Installment loans with arrears get a term long enough for them.
    """
    n = len(od)
    installment = s["installment"]
    term = s["term"].copy()
    ext = s["extension"]
    D = as_of
    d_month = D.astype("datetime64[M]")
    bullet_od = ~installment & (od > 0)
    # Installment arrears need elapsed time: at least od + 60 days before as_of.
    m_min = np.where(installment & (od > 0), -(-(od + 60) // _MONTH_MIN_DAYS) + 1, 0)
    too_short = installment & (term + ext <= m_min + 1)
    term = np.where(too_short, (m_min // 12 + 2) * 12, term)
    total = term + ext
    dd = rng.integers(1, 29, n)
    # For snapshot series most loans outlive the last snapshot (a few still mature between).
    horizon = np.where(rng.random(n) < 0.9, horizon_months, 0)
    m = _rand_int(rng, m_min, np.maximum(total - 1 - horizon, m_min))
    disb = (d_month - m).astype("datetime64[D]") + (dd - 1)
    late = disb > D
    disb = np.where(late, (d_month - m - 1).astype("datetime64[D]") + (dd - 1), disb)
    maturity = add_months(disb, total)
    # Bullet arrears: matured od days ago (moved back to day 28 at most).
    target = D - od
    t_month = target.astype("datetime64[M]")
    t_day = np.minimum((target - t_month.astype("datetime64[D]")).astype(np.int64), 27)
    mat_od = t_month.astype("datetime64[D]") + t_day
    maturity = np.where(bullet_od, mat_od, maturity)
    disb = np.where(bullet_od, add_months(maturity, -total), disb)
    od = np.where(bullet_od, (D - maturity).astype(np.int64), od)
    s.update(term=term, disbursement=disb, maturity=maturity, overdue=od.astype(np.int64))


# --------------------------------------------------------------------------- derived state


def _intervals(s: dict[str, Any]) -> np.ndarray:
    """Inspection interval in months per loan (the INSP-FREQ policy defaults)."""
    t = DEFAULT_THRESHOLDS
    cls = s["class"]
    reg, key = t["insp_corporate_regular"], t["insp_corporate_key"]
    corp_reg = np.select([cls == _NORMAL, cls == _SM], [reg["normal"], reg["special_mention"]],
                         reg["npl"])
    corp_key = np.select([cls == _NORMAL, cls == _SM], [key["normal"], key["special_mention"]],
                         key["npl"])
    return np.where(s["corporate"], np.where(s["key_mode"], corp_key, corp_reg),
                    t["insp_individual"])


def _derive(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
            inspections_per_loan: float) -> None:
    """Every date, flag and history row that follows from the primary state, kept clean."""
    n = len(s["class"])
    D = as_of
    cls, od = s["class"], s["overdue"]
    corp, inst = s["corporate"], s["installment"]
    disb, mat = s["disbursement"], s["maturity"]
    active = s["balance"] > 0
    npl = cls >= _SUB
    # Individual loans over 90 days overdue or doubtful are pursued at law (003_… 第四十九条(六)).
    s["litigation"] = active & ((~corp & ((od > DEFAULT_THRESHOLDS["collection_legal_after"])
                                          | (cls == _DOUBT)))
                                | (corp & (cls >= _DOUBT) & (rng.random(n) < 0.5)))

    # --- inspections: first within [disb+3, disb+20]; the last recent enough; some between.
    first = disb + rng.integers(3, 21, n)
    # An exit-list client is visited on site from the start (EXIT-VISIT has no grace period).
    first = np.where(s["exit_list"], np.minimum(first, np.maximum(disb, D)), first)
    has = first <= D
    interval = _intervals(s)
    r_max = np.where(~corp & inst, 300, interval * _MONTH_MIN_DAYS - _CLEAN_MARGIN)
    r_max = np.where(s["exit_list"], DEFAULT_THRESHOLDS["exit_visit_months"] * _MONTH_MIN_DAYS
                     - _CLEAN_MARGIN, r_max)
    last = np.maximum(first, D - _rand_int(rng, 0, r_max))
    two = has & (last > first)
    span = (last - first).astype(np.int64)
    mids = np.where(has & (span > 30), rng.poisson(max(inspections_per_loan - 2.0, 0.0), n), 0)
    loan_first = np.flatnonzero(has)
    loan_last = np.flatnonzero(two)
    loan_mid = np.repeat(np.arange(n), mids)
    mid_dates = first[loan_mid] + (rng.random(len(loan_mid)) * span[loan_mid]).astype(np.int64)
    i_loan = np.concatenate([loan_first, loan_mid, loan_last])
    i_date = np.concatenate([first[loan_first], mid_dates, last[loan_last]])
    onsite_last = s["exit_list"][loan_last] | (rng.random(len(loan_last)) < 0.5)
    i_onsite = np.concatenate([np.ones(len(loan_first), bool),
                               rng.random(len(loan_mid)) < 0.4, onsite_last])
    s["insp_loan"], s["insp_date"], s["insp_onsite"] = i_loan, i_date, i_onsite

    # --- collections for loans in arrears or NPL: all since the arrears began.
    need = active & ((od > 0) | npl)
    lo = np.where(od > 0, D - od + 1, D - 25)
    span_c = np.maximum((D - lo).astype(np.int64), 0)
    visit_after = DEFAULT_THRESHOLDS["collection_visit_after"]
    legal_after = DEFAULT_THRESHOLDS["collection_legal_after"]
    tier = np.select([s["litigation"] | (~corp & (od > legal_after)),
                      (~corp & (od > visit_after)) | (corp & npl)], [_LEGAL, _VISIT], -1)
    a = np.flatnonzero(need)
    b = np.flatnonzero(need & (od > 3))
    c = np.flatnonzero(need & (tier >= 0))
    c_loan = np.concatenate([a, b, c])
    c_date = np.concatenate([
        D - _rand_int(rng, 0, np.minimum(20, span_c[a])),
        lo[b] + _rand_int(rng, 0, np.minimum(5, span_c[b])),
        lo[c] + _rand_int(rng, 0, span_c[c]),
    ])
    # The latest collection carries the strongest method needed, so a loans-only extract
    # (last_collection_date/method, no collections sheet) tells the same story.
    routine = rng.choice([_SMS, _PHONE, _LETTER], len(a), p=[0.3, 0.5, 0.2])
    c_method = np.concatenate([np.where(tier[a] >= 0, tier[a], routine),
                               np.full(len(b), _SMS), tier[c]]).astype(np.int64)
    s["coll_loan"], s["coll_date"], s["coll_method"] = c_loan, c_date, c_method

    # --- loan-level dates.
    past = active & (mat < D)
    notice_gap = np.minimum(rng.integers(1, 4, n), np.maximum((D - mat).astype(np.int64), 0))
    s["collection_notice"] = np.where(past, mat + notice_gap, _NAT)
    # 履行担保责任通知书 to the guarantor of a guaranteed loan, the same day (001_… 篇三 二、(二)).
    s["guarantor_notice"] = np.where(past & (s["guarantee"] == "guarantee"), mat + notice_gap,
                                     _NAT)
    m_notice = add_months(mat, -DEFAULT_THRESHOLDS["maturity_notice_months"]) - rng.integers(
        3, 16, n)
    # Corporate loans (bullet or instalment) and individual bullet loans get a maturity notice.
    s["maturity_notice"] = np.where((~inst | corp) & (m_notice <= D), m_notice, _NAT)
    has_coll = ~np.isnan(s["collateral_initial"])
    appraisal = np.where(disb > D - 300, disb - rng.integers(5, 31, n),
                         D - rng.integers(10, 301, n))
    s["appraisal"] = np.where(has_coll, appraisal, _NAT)
    original = s["term"]
    c_insp = np.maximum(D - rng.integers(0, 301, n), disb)
    short = original <= DEFAULT_THRESHOLDS["collateral_short_term_months"]
    # Only a normal loan without arrears is exempt "正常情况下" (001_… 篇三 二、(四)).
    exempt = short & (cls == _NORMAL) & (od == 0)
    s["collateral_inspection"] = np.where(has_coll & ~(exempt & (rng.random(n) < 0.5))
                                          & (disb <= D), c_insp, _NAT)
    s["additional_guarantee"] = has_coll & (
        s["collateral_value"] < DEFAULT_THRESHOLDS["collateral_drop_ratio"]
        * s["collateral_initial"])
    s["rating_date"] = np.where(corp, D - rng.integers(30, 301, n), _NAT)
    fund = disb + rng.integers(10, 26, n)
    s["fund_use_check"] = np.where(s["self_pay"] & (fund <= D), fund, _NAT)
    # Restructured (never normal) loans: restructured between disbursement and D.
    r_date = disb + (rng.random(n) * np.maximum((D - disb).astype(np.int64), 0)).astype(np.int64)
    s["restructure_date"] = np.where(s["restructured"], r_date, _NAT)
    _cover_periods(rng, s, D)
    _refresh_last(s)


def _cover_periods(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
                   skip: np.ndarray | None = None) -> None:
    """Add an inspection to every period of the review window that holds none (INSP-FREQ).

    For each active loan (individual instalment loans aside, they are exempt) with inspection
    interval L months, every calendar period of L months that ended within the 12 months before
    ``as_of`` and that the loan has to cover (disbursed more than 2 months before the period's
    end) gets one inspection if it has none, dated after the first month from disbursement
    (so that INSP-FIRST stays as it is) and within the period. ``skip`` are loan indices left
    alone (planted INSP-FREQ breaches).
    """
    t = DEFAULT_THRESHOLDS
    D = as_of
    interval = _intervals(s)
    disb = s["disbursement"]
    need = (s["balance"] > 0) & ~(~s["corporate"] & s["installment"]) & (disb <= D)
    if skip is not None:
        need[skip] = False
    lo = add_months(np.array([D]), -t["insp_review_months"])[0]
    d_month = int(D.astype("datetime64[M]").astype(np.int64))
    lo_month = int(lo.astype("datetime64[M]").astype(np.int64))
    shift = np.int64(1 << 24)
    il, idate = s["insp_loan"], s["insp_date"]
    months = idate.astype("datetime64[M]").astype(np.int64)
    have = np.sort(il * shift + months // interval[il])
    earliest = add_months(disb, t["first_inspection_months"]) + _CLEAN_MARGIN + 1
    for length in np.unique(interval[need]):
        length = int(length)
        periods = np.arange(lo_month // length, d_month // length + 1, dtype=np.int64)
        starts = (periods * length).astype("datetime64[M]").astype("datetime64[D]")
        ends = ((periods + 1) * length).astype("datetime64[M]").astype("datetime64[D]") - 1
        keep = (ends > lo) & (ends < D)
        periods, starts, ends = periods[keep], starts[keep], ends[keep]
        idx = np.flatnonzero(need & (interval == length))
        if not len(periods) or not len(idx):
            continue
        k = len(periods)
        loan = np.repeat(idx, k)
        slot = np.tile(np.arange(k), len(idx))
        required = disb[loan] < add_months(ends, -t["insp_period_exempt_months"])[slot]
        keys = loan * shift + periods[slot]
        at = np.minimum(np.searchsorted(have, keys), max(len(have) - 1, 0))
        found = (have[at] == keys) if len(have) else np.zeros(len(keys), bool)
        gap = required & ~found
        loan, slot = loan[gap], slot[gap]
        first_day = np.maximum(starts[slot], earliest[loan])
        span = (ends[slot] - first_day).astype(np.int64)
        dates = first_day + (rng.random(len(loan)) * (span + 1)).astype(np.int64)
        _append_rows(s, "insp", loan, dates, onsite=rng.random(len(loan)) < 0.4)


def _refresh_last(s: dict[str, Any], loans: np.ndarray | None = None) -> None:
    """Recompute first/last inspection and last collection columns from the history rows."""
    n = len(s["class"])
    nat = np.datetime64("NaT", "D").astype(np.int64)
    last_i = np.full(n, nat, np.int64)
    first_i = np.full(n, np.iinfo(np.int64).max, np.int64)
    di = s["insp_date"].astype(np.int64)
    np.maximum.at(last_i, s["insp_loan"], di)
    np.minimum.at(first_i, s["insp_loan"], di)
    first_i[first_i == np.iinfo(np.int64).max] = nat
    last_c = np.full(n, nat, np.int64)
    dc = s["coll_date"].astype(np.int64)
    np.maximum.at(last_c, s["coll_loan"], dc)
    # Method of the latest collection (the strongest when several share that date).
    method = np.full(n, -1, np.int64)
    order = np.lexsort((_COLL_STRENGTH[s["coll_method"]] if len(dc) else dc, dc, s["coll_loan"]))
    method[s["coll_loan"][order]] = s["coll_method"][order]
    s["last_inspection"] = last_i.astype("datetime64[D]")
    s["first_inspection"] = first_i.astype("datetime64[D]")
    s["last_collection"] = last_c.astype("datetime64[D]")
    s["last_collection_method"] = method


# --------------------------------------------------------------------------- planting


def _plant(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64, rate: float,
           minimum: int) -> list[tuple[str, np.ndarray]]:
    """Make a few loans breach exactly one rule each; return ``(rule_id, loan indices)``.

    Each modification is chosen so that it cannot push the loan over another rule's
    threshold (e.g. lowering ``overdue_days`` never raises a classification floor).
    """
    n = len(s["class"])
    D = as_of
    t = DEFAULT_THRESHOLDS
    taken = np.zeros(n, bool)
    planted: list[tuple[str, np.ndarray]] = []
    active = s["balance"] > 0
    corp, inst = s["corporate"], s["installment"]
    want = max(minimum, int(round(rate * n)))

    def take(rule: str, pool: np.ndarray, count: int = want) -> np.ndarray:
        idx = np.flatnonzero(pool & ~taken)
        idx = np.sort(rng.permutation(idx)[:count])
        taken[idx] = True
        return idx

    # CLS-BORROWER: a corporate borrower's largest loan turns NPL, the others stay non-NPL.
    bor = s["borrower"]
    nloans = np.bincount(bor, minlength=bor.max() + 1)
    nactive = np.bincount(bor, weights=active, minlength=bor.max() + 1)
    worst = np.zeros(bor.max() + 1, np.int64)
    np.maximum.at(worst, bor, s["class"])
    total = np.bincount(bor, weights=s["balance"], minlength=bor.max() + 1)
    top = np.full(bor.max() + 1, -1.0)
    np.maximum.at(top, bor, s["balance"])
    is_max = (s["balance"] == top[bor]) & (top[bor] > 0.2 * total[bor])
    # Only borrowers whose loans are all active: a repaid loan's status is left undecided.
    cand = corp & active & (nloans[bor] >= 2) & (nactive[bor] == nloans[bor]) & (
        worst[bor] <= _SM) & is_max
    chosen = take("CLS-BORROWER", cand, max(1, want // 2))
    chosen = chosen[np.unique(bor[chosen], return_index=True)[1]]
    s["class"][chosen] = _SUB
    flagged = np.flatnonzero(np.isin(bor, bor[chosen]) & (s["class"] <= _SM))
    taken[np.isin(bor, bor[chosen])] = True
    # The new NPL loan gets its monthly collection and inspection (COLL-NPL, INSP-FREQ).
    _append_rows(s, "insp", chosen, D - rng.integers(0, 21, len(chosen)),
                 onsite=np.ones(len(chosen), bool))
    _append_rows(s, "coll", chosen, D - rng.integers(0, 21, len(chosen)),
                 method=np.full(len(chosen), _PHONE))
    _inspect_collateral(rng, s, chosen, D)  # COLLAT-INSP: an NPL loan is no longer exempt
    planted.append(("CLS-BORROWER", flagged))

    # COLL-TIER: an individual 61+ days overdue whose visits/lawsuits are missing.
    pool = active & ~corp & (s["overdue"] > t["collection_visit_after"])
    idx = take("COLL-TIER", pool)
    rows = np.isin(s["coll_loan"], idx) & (s["coll_method"] >= _VISIT)
    s["coll_method"][rows] = _PHONE
    s["litigation"][idx] = False
    planted.append(("COLL-TIER", idx))

    # MAT-COLLECT: matured 40+ days ago, no collection notice within 10 working days.
    days_past = (D - s["maturity"]).astype(np.int64)
    idx = take("MAT-COLLECT", active & (days_past >= 40))
    late = s["maturity"][idx] + _rand_int(rng, 30, days_past[idx] - 3)
    s["collection_notice"][idx] = np.where(rng.random(len(idx)) < 0.5, _NAT, late)
    planted.append(("MAT-COLLECT", idx))

    # DATA-OVERDUE: a matured bullet loan whose overdue days were never updated.
    idx = take("DATA-OVERDUE", active & ~inst & (days_past > 0))
    s["overdue"][idx] = 0
    planted.append(("DATA-OVERDUE", idx))

    # CLS-OVERDUE: special mention loans overdue 8–90 days reported normal; corporate
    # normal loans with 20–55 days of arrears left normal.
    floor_sm = t["overdue_floors"][0][0]
    a = take("CLS-OVERDUE", active & (s["class"] == _SM) & (s["overdue"] > floor_sm)
             & (s["overdue"] <= t["overdue_floors"][1][0]) & ~s["restructured"],
             max(1, want // 2))
    s["class"][a] = _NORMAL
    b = take("CLS-OVERDUE", active & corp & (s["class"] == _NORMAL) & (s["overdue"] == 0)
             & (s["maturity"] > D + 60), want - len(a))
    s["overdue"][b] = rng.integers(20, 56, len(b))
    _inspect_collateral(rng, s, b, D)  # COLLAT-INSP: an overdue loan is no longer exempt
    planted.append(("CLS-OVERDUE", np.sort(np.concatenate([a, b]))))

    # COLL-NPL: NPL loans (corporate, or individual without arrears) not collected for 45+ days.
    idx = take("COLL-NPL", active & (s["class"] >= _SUB) & (corp | (s["overdue"] == 0)))
    cutoff = np.full(n, np.iinfo(np.int64).max)
    cutoff[idx] = (add_months(np.full(len(idx), D), -t["npl_collection_months"])
                   - rng.integers(15, 61, len(idx))).astype(np.int64)
    keep = s["coll_date"].astype(np.int64) <= cutoff[s["coll_loan"]]
    for key in ("coll_loan", "coll_date", "coll_method"):
        s[key] = s[key][keep]
    planted.append(("COLL-NPL", idx))

    # EXIT-VISIT: exit-list loan last visited (on site) 45+ days ago, still within its
    # inspection interval of 3 or 6 months, so INSP-FREQ stays clean.
    interval = _intervals(s)
    idx = take("EXIT-VISIT", active & s["exit_list"] & (interval >= 3)
               & (s["disbursement"] <= D - 180))
    last = D - _rand_int(rng, 45, interval[idx] * _MONTH_MIN_DAYS - 2 * _CLEAN_MARGIN)
    cut = np.full(n, np.datetime64("2999-12-31", "D"))
    cut[idx] = last - 1
    keep = s["insp_date"] <= cut[s["insp_loan"]]
    for key in ("insp_loan", "insp_date", "insp_onsite"):
        s[key] = s[key][keep]
    _append_rows(s, "insp", idx, last, onsite=np.ones(len(idx), bool))
    planted.append(("EXIT-VISIT", idx))

    # MAT-NOTICE: corporate loan due within a month (or matured) without a timely notice.
    due = add_months(s["maturity"], -t["maturity_notice_months"])
    idx = take("MAT-NOTICE", active & corp & (due < D - 2))
    late = due[idx] + rng.integers(1, 11, len(idx))
    s["maturity_notice"][idx] = np.where((rng.random(len(idx)) < 0.5) & (late <= D), late, _NAT)
    planted.append(("MAT-NOTICE", idx))

    # CLS-RESTRUCT: a restructured loan still classified normal.
    idx = take("CLS-RESTRUCT", active & (s["class"] == _NORMAL) & ~s["restructured"])
    s["restructured"][idx] = True
    # restructured 30–300 days ago: inside the 12-month observation period (风险分类办法 第三章)
    s["restructure_date"][idx] = np.maximum(D - rng.integers(30, 301, len(idx)),
                                            s["disbursement"][idx])
    planted.append(("CLS-RESTRUCT", idx))

    # EXT-LIMIT: corporate loan extended by more than the original term allows.
    total_m = s["term"] + s["extension"]
    idx = take("EXT-LIMIT", active & corp & (s["extension"] == 0) & (total_m >= 12))
    s["extension"][idx] = total_m[idx] // 2 + 1
    s["term"][idx] = total_m[idx] - s["extension"][idx]
    planted.append(("EXT-LIMIT", idx))

    # EXT-INDIVIDUAL / REFI-INDIVIDUAL: personal loans are not extended nor refinanced.
    idx = take("EXT-INDIVIDUAL", active & ~corp & (s["term"] >= 9) & (s["extension"] == 0))
    s["extension"][idx] = 3
    s["term"][idx] -= 3
    planted.append(("EXT-INDIVIDUAL", idx))
    idx = take("REFI-INDIVIDUAL", active & ~corp & ~s["refinanced"])
    s["refinanced"][idx] = True
    planted.append(("REFI-INDIVIDUAL", idx))

    # INSP-FIRST: corporate loan first inspected 45–75 days after disbursement.
    disb = s["disbursement"]
    idx = take("INSP-FIRST", active & corp & (disb <= D - 150)
               & (s["last_inspection"] >= disb + 90))
    window = np.full(n, np.datetime64("1900-01-01", "D"))
    window[idx] = add_months(disb[idx], t["first_inspection_months"]) + _CLEAN_MARGIN
    drop = s["insp_date"] <= window[s["insp_loan"]]
    for key in ("insp_loan", "insp_date", "insp_onsite"):
        s[key] = s[key][~drop]
    _append_rows(s, "insp", idx, disb[idx] + rng.integers(45, 76, len(idx)),
                 onsite=np.ones(len(idx), bool))
    planted.append(("INSP-FIRST", idx))

    # INSP-FREQ: inspections stopped one interval plus 20–80 days ago (not exempt loans).
    interval = _intervals(s)
    idx = take("INSP-FREQ", active & ~(~corp & inst) & ~s["litigation"] & ~s["exit_list"]
               & (disb <= D - 420))
    cut = np.full(n, np.datetime64("2999-12-31", "D"))
    cut[idx] = add_months(np.full(len(idx), D), -interval[idx]) - rng.integers(20, 81, len(idx))
    keep = s["insp_date"] <= cut[s["insp_loan"]]
    for key in ("insp_loan", "insp_date", "insp_onsite"):
        s[key] = s[key][keep]
    planted.append(("INSP-FREQ", idx))

    # Collateral: inspection and revaluation overdue, value dropped without more security.
    has_coll = ~np.isnan(s["collateral_initial"])
    idx = take("COLLAT-INSP", active & has_coll & (s["term"] > t["collateral_short_term_months"])
               & (disb <= D - 420))
    old = np.maximum(disb[idx] + 5, D - rng.integers(400, 521, len(idx)))
    s["collateral_inspection"][idx] = np.where(rng.random(len(idx)) < 0.5, _NAT, old)
    planted.append(("COLLAT-INSP", idx))
    idx = take("COLLAT-REVAL", active & has_coll)
    s["appraisal"][idx] = np.where(rng.random(len(idx)) < 0.3, _NAT,
                                   D - rng.integers(400, 701, len(idx)))
    planted.append(("COLLAT-REVAL", idx))
    idx = take("COLLAT-DROP", active & has_coll & ~s["additional_guarantee"])
    s["collateral_value"][idx] = np.round(
        s["collateral_initial"][idx] * rng.uniform(0.55, 0.8, len(idx)), -2)
    planted.append(("COLLAT-DROP", idx))

    # RATING-STALE / FUND-USE.
    idx = take("RATING-STALE", active & corp)
    s["rating_date"][idx] = np.where(rng.random(len(idx)) < 0.3, _NAT,
                                     D - rng.integers(400, 701, len(idx)))
    planted.append(("RATING-STALE", idx))
    idx = take("FUND-USE", active & s["self_pay"] & (disb <= D - 60))
    s["fund_use_check"][idx] = _NAT
    planted.append(("FUND-USE", idx))

    # Loans whose class or inspections changed above still hold an inspection in every period.
    _cover_periods(rng, s, D, skip=dict(planted)["INSP-FREQ"])
    _refresh_last(s)
    return planted


def _inspect_collateral(rng: np.random.Generator, s: dict[str, Any], idx: np.ndarray,
                        as_of: np.datetime64) -> None:
    """Give collateral loans in ``idx`` a recent on-site collateral check where they lack one."""
    has_coll = ~np.isnan(s["collateral_initial"][idx]) & (s["disbursement"][idx] <= as_of)
    missing = np.isnat(s["collateral_inspection"][idx])
    when = np.maximum(as_of - rng.integers(0, 301, len(idx)), s["disbursement"][idx])
    s["collateral_inspection"][idx] = np.where(has_coll & missing, when,
                                               s["collateral_inspection"][idx])


def _append_rows(s: dict[str, Any], table: str, loans: np.ndarray, dates: np.ndarray, *,
                 onsite: np.ndarray | None = None, method: np.ndarray | None = None) -> None:
    s[f"{table}_loan"] = np.concatenate([s[f"{table}_loan"], loans])
    s[f"{table}_date"] = np.concatenate([s[f"{table}_date"], dates.astype("datetime64[D]")])
    if table == "insp":
        s["insp_onsite"] = np.concatenate([s["insp_onsite"], onsite])
    else:
        s["coll_method"] = np.concatenate([s["coll_method"], method])


# --------------------------------------------------------------------------- frames


def _str(values: Any) -> pd.Series:
    return pd.Series(values, dtype="str")


def _dates(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]").astype("datetime64[ns]")


def _frames(s: dict[str, Any], as_of: np.datetime64, seed: int,
            planted: list[tuple[str, np.ndarray]], rng: np.random.Generator) -> SyntheticNetwork:
    n = len(s["class"])
    corp = s["corporate"]
    cls = s["class"]
    branch_names = s["branch_names"]
    branch = branch_names[s["branch_idx"]]
    disb_year = s["disbursement"].astype("datetime64[Y]").astype(np.int64) + 1970
    loan_id = _strcat(_zfill(s["branch_idx"] + 1, 3), disb_year, _zfill(s["loan_seq"], 8))
    products = np.array([p[0] for p in _PRODUCTS])
    industry = np.where(corp, _CORP_INDUSTRY[s["industry_kind"]],
                        np.select([s["product"] == 0, s["product"] == 1], ["个人住房", "个人消费"],
                                  _BUSINESS_INDUSTRY[s["industry_kind"] % 5]))
    rating = np.full(n, np.nan, dtype=object)
    for c, options in enumerate(_CORP_RATINGS):
        m = corp & (cls == c)
        rating[m] = np.asarray(options)[(s["rating_pick"][m] * len(options)).astype(int)]
    method = np.where(s["last_collection_method"] >= 0,
                      _COLL_METHODS[np.maximum(s["last_collection_method"], 0)], None)
    loans = pd.DataFrame({
        "loan_id": _str(loan_id),
        "borrower_id": _str(s["borrower_id"]),
        "branch": _str(branch),
        "balance": s["balance"].astype(np.float64),
        "classification": pd.Categorical.from_codes(cls, categories=list(CLASSIFICATIONS),
                                                    ordered=True),
        "guarantee_type": _str(s["guarantee"]),
        "borrower_name": _str(s["borrower_name"]),
        "customer_type": _str(np.where(corp, "corporate", "individual")),
        "product": _str(products[s["product"]]),
        "disbursement_date": _dates(s["disbursement"]),
        "maturity_date": _dates(s["maturity"]),
        "repayment_method": _str(np.where(s["installment"], "installment", "bullet")),
        "payment_method": _str(np.where(s["self_pay"], "self", "entrusted")),
        "overdue_days": s["overdue"].astype(np.int64),
        "management_mode": _str(np.where(s["key_mode"], "key", "regular")),
        "last_inspection_date": _dates(s["last_inspection"]),
        "first_inspection_date": _dates(s["first_inspection"]),
        "extension_months": s["extension"].astype(np.int64),
        "refinanced": s["refinanced"].astype(bool),
        "restructured": s["restructured"].astype(bool),
        "restructure_date": _dates(s["restructure_date"]),
        "collateral_value": s["collateral_value"].astype(np.float64),
        "collateral_initial_value": s["collateral_initial"].astype(np.float64),
        "collateral_appraisal_date": _dates(s["appraisal"]),
        "collateral_inspection_date": _dates(s["collateral_inspection"]),
        "additional_guarantee": s["additional_guarantee"].astype(bool),
        "rating": _str(rating),
        "rating_date": _dates(s["rating_date"]),
        "maturity_notice_date": _dates(s["maturity_notice"]),
        "collection_notice_date": _dates(s["collection_notice"]),
        "guarantor_notice_date": _dates(s["guarantor_notice"]),
        "last_collection_date": _dates(s["last_collection"]),
        "last_collection_method": _str(method),
        "fund_use_check_date": _dates(s["fund_use_check"]),
        "exit_list": s["exit_list"].astype(bool),
        "litigation": s["litigation"].astype(bool),
        "industry": _str(industry),
        "loan_officer": _str(s["loan_officer"]),
        "id_number": _str(s["id_number"]),
    })
    loans["secured"] = np.isin(s["guarantee"], ("guarantee", "mortgage", "pledge"))
    loans["source_row"] = np.arange(2, n + 2, dtype=np.int64)

    order = np.lexsort((s["insp_date"], s["insp_loan"]))
    il = s["insp_loan"][order]
    inspections = pd.DataFrame({
        "loan_id": _str(loan_id[il]),
        "inspection_date": _dates(s["insp_date"][order]),
        "inspection_type": _str(np.where(s["insp_onsite"][order], "onsite", "offsite")),
        "inspector": _str(s["loan_officer"][il]),
    })
    order = np.lexsort((s["coll_date"], s["coll_loan"]))
    collections = pd.DataFrame({
        "loan_id": _str(loan_id[s["coll_loan"][order]]),
        "collection_date": _dates(s["coll_date"][order]),
        "method": _str(_COLL_METHODS[s["coll_method"][order]]),
    })
    nbr = len(branch_names)
    review_age = np.where(np.arange(nbr) == nbr - 1, rng.integers(400, 700, nbr),
                          rng.integers(20, 360, nbr)) if nbr > 1 else rng.integers(20, 360, nbr)
    branches = pd.DataFrame({
        "branch": _str(branch_names),
        "last_onsite_review_date": _dates(as_of - review_age),
    })
    rules = np.concatenate([np.full(len(idx), rule, dtype=object) for rule, idx in planted]
                           or [np.empty(0, object)])
    loan_idx = np.concatenate([idx for _, idx in planted] or [np.empty(0, np.int64)])
    rank = {rule: i for i, rule in enumerate(PLANTED_RULES)}
    planted_df = pd.DataFrame({"rule_id": _str(rules), "loan_id": _str(loan_id[loan_idx])})
    planted_df = (planted_df.assign(_r=planted_df["rule_id"].map(rank))
                  .sort_values(["_r", "loan_id"], kind="stable").drop(columns="_r")
                  .reset_index(drop=True))
    # Display labels: some loans carry sub-grades (正常一级 …), guarantees their combination.
    cls_label = np.array([CLASSIFICATION_ZH[c] for c in CLASSIFICATIONS])[cls].astype(object)
    sub = (rng.random(n) < 0.25) & (cls <= _SM)
    pick = rng.random(n)
    for c, grades in _SUBGRADE.items():
        m = sub & (cls == c)
        cls_label[m] = np.asarray(grades)[(pick[m] * len(grades)).astype(int)]
    labels = pd.DataFrame({"classification": _str(cls_label),
                           "guarantee": _str(s["guarantee_label"])})
    return SyntheticNetwork(loans=loans, inspections=inspections, collections=collections,
                            branches=branches, planted=planted_df, labels=labels,
                            as_of=pd.Timestamp(as_of).date(), seed=seed, county=s["county"],
                            state=s)


# --------------------------------------------------------------------------- public API


def _check_args(loans: int, branches: int) -> None:
    if loans < 1:
        raise ValueError(f"贷款笔数必须为正 / loans must be positive, got {loans}")
    if branches < 1:
        raise ValueError(f"机构数必须为正 / branches must be positive, got {branches}")
    if branches > loans:
        raise ValueError(f"机构数 {branches} 多于贷款笔数 {loans} / more branches than loans")


def generate_network(*, loans: int, branches: int, seed: int, as_of: dt.date | str,
                     inspections_per_loan: float = 3.0, breach_rate: float = 0.003,
                     min_breaches: int = 1, _horizon_months: int = 0) -> SyntheticNetwork:
    """Generate a county-level loan network with planted rule breaches.

    Parameters
    ----------
    loans, branches:
        Number of loans (借据) and sub-branches (支行; the first is 城关支行).
    seed:
        Seed of the one ``numpy.random.Generator``: same arguments, same frames.
    as_of:
        The extract date (数据日期); every date in the network is on or before it, except
        maturities.
    inspections_per_loan:
        Average rows per loan in :attr:`SyntheticNetwork.inspections` (first and last
        inspection plus Poisson-distributed ones in between; about 3 by default).
    breach_rate, min_breaches:
        Loans planted per rule: ``max(min_breaches, round(breach_rate * loans))``, fewer when
        too few loans qualify (a small network may lack e.g. matured bullet loans).

    Returns
    -------
    SyntheticNetwork
        Canonical frames; ``planted`` lists every planted breach (catalogue rule ids).
    """
    _check_args(loans, branches)
    D = _day(as_of)
    rng = np.random.default_rng(seed)
    s = _primary(rng, loans, branches, D, _horizon_months)
    s["loan_seq"] = _loan_sequence(rng, s)
    _derive(rng, s, D, inspections_per_loan)
    clean = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
    planted = _plant(rng, s, D, breach_rate, min_breaches)
    net = _frames(s, D, seed, planted, rng)
    net.state = clean
    net.final_state = s
    return net


def _loan_sequence(rng: np.random.Generator, s: dict[str, Any]) -> np.ndarray:
    """Distinct 8-digit sequence numbers in disbursement order (as a core system issues them)."""
    n = len(s["class"])
    order = np.lexsort((rng.random(n), s["disbursement"]))
    seq = np.empty(n, np.int64)
    seq[order] = np.arange(n) * 7 + rng.integers(0, 7, n)
    return seq + 1


def generate_snapshots(*, loans: int, branches: int, seed: int,
                       as_of: Sequence[dt.date | str], inspections_per_loan: float = 3.0,
                       breach_rate: float = 0.003, min_breaches: int = 1
                       ) -> list[SyntheticNetwork]:
    """Quarter-end snapshots of one network, for migration analysis (迁徙率).

    The first snapshot is :func:`generate_network` at ``as_of[0]``. Each later one keeps
    every loan id, amortises installment balances, repays most loans that matured in
    between (balance 0), lets arrears grow on matured bullet loans, and migrates classes
    along a realistic transition matrix (most stay; some normal → special mention; special
    mention → substandard or back to normal; NPL stays or worsens), then re-derives the
    histories at its own date and plants fresh breaches (listed in its ``planted``).
    """
    dates = [_day(d) for d in as_of]
    if not dates or any(b <= a for a, b in zip(dates, dates[1:], strict=False)):
        raise ValueError(f"快照日期须递增 / snapshot dates must increase: {list(as_of)}")
    first = generate_network(loans=loans, branches=branches, seed=seed, as_of=as_of[0],
                             inspections_per_loan=inspections_per_loan,
                             breach_rate=breach_rate, min_breaches=min_breaches,
                             _horizon_months=int((dates[-1] - dates[0]).astype(np.int64)) // 28)
    out = [first]
    for k, D in enumerate(dates[1:], start=1):
        rng = np.random.default_rng([seed, k])
        state = _carried(out[-1])
        state = _migrate(rng, state, dates[k - 1], D)
        _derive(rng, state, D, inspections_per_loan)
        clean = {key: (v.copy() if isinstance(v, np.ndarray) else v) for key, v in state.items()}
        planted = _plant(rng, state, D, breach_rate, min_breaches)
        net = _frames(state, D, seed, planted, rng)
        net.state = clean
        net.final_state = state
        out.append(net)
    return out


#: Contract terms a planted lending breach (EXT-LIMIT, EXT-INDIVIDUAL, REFI-INDIVIDUAL)
#: rewrites; the next quarter starts from the record as it was before the breach (the branch
#: corrects the ledger), so no unplanted breach carries over.
_CORRECTED_NEXT_QUARTER: tuple[str, ...] = ("extension", "term", "refinanced")


def _carried(previous: SyntheticNetwork) -> dict[str, Any]:
    """The state the next snapshot starts from: the previous snapshot *as published* (its
    classes, arrears and balances after the planted breaches), so the migration between the
    two extracts is the one the transition matrix draws; contract terms planted as lending
    breaches are corrected (:data:`_CORRECTED_NEXT_QUARTER`)."""
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v)
             for k, v in previous.final_state.items()}
    for key in _CORRECTED_NEXT_QUARTER:
        state[key] = previous.state[key].copy()
    return state


#: Quarterly transition probabilities (rows: from class; columns: to class).
_MIGRATION = np.array([
    [0.9855, 0.0140, 0.0005, 0.000, 0.000],
    [0.300, 0.665, 0.030, 0.005, 0.000],
    [0.000, 0.050, 0.820, 0.120, 0.010],
    [0.000, 0.000, 0.000, 0.800, 0.200],
    [0.000, 0.000, 0.000, 0.000, 1.000],
])


def _migrate(rng: np.random.Generator, prev: dict[str, Any], d1: np.datetime64,
             d2: np.datetime64) -> dict[str, Any]:
    s = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in prev.items()}
    n = len(s["class"])
    mat, inst = s["maturity"], s["installment"]
    active = s["balance"] > 0
    cls = s["class"]
    od = s["overdue"]
    matured_now = active & (mat > d1) & (mat <= d2)
    # Bullet loans are mostly repaid at maturity; the weaker the class, the less often.
    repay_at_maturity = np.array([0.98, 0.80, 0.50, 0.40, 0.30])[cls]
    repaid = matured_now & (inst | (rng.random(n) < repay_at_maturity))
    # Arrears are partly collected, and some NPL is disposed of (清收/核销) each quarter.
    repaid |= active & ~inst & (mat <= d1) & (cls <= _SM) & (rng.random(n) < 0.7)
    repaid |= active & (cls >= _SUB) & (rng.random(n) < 0.25)
    # Class transitions (cumulative-probability draw per loan).
    cum = np.cumsum(_MIGRATION, axis=1)[cls]
    new = (rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 4)
    new = np.where(active & ~repaid, new, cls)
    # Arrears after the quarter.
    gap = int((d2 - d1).astype(np.int64))
    lo = np.array([r[0] for r in _OVERDUE_RANGES])[new]
    hi = np.array([r[1] for r in _OVERDUE_RANGES])[new]
    drawn = np.where(rng.random(n) < _OVERDUE_SHARE[new], _rand_int(rng, lo, hi), 0)
    carried = np.where((new == cls) & (od > 0) & (rng.random(n) < 0.25), od + gap, drawn)
    head = np.maximum((d2 - s["disbursement"]).astype(np.int64) - 30, 0)
    od_new = np.where(inst, np.minimum(np.where(new == _NORMAL, 0, carried), head), 0)
    od_new = np.where(~inst & (mat < d2), (d2 - mat).astype(np.int64), od_new)
    od_new = np.where(active & ~repaid, od_new, 0)
    # Installment arrears must leave the maturity ahead; they are capped by elapsed time.
    floors = np.zeros(n, np.int64)
    for days, _ in DEFAULT_THRESHOLDS["overdue_floors"]:
        floors += od_new > days
    new = np.maximum(new, floors)
    new = np.where(s["restructured"] & (new == _NORMAL), _SM, new)
    # Non-retail borrower contagion: one NPL loan makes all the borrower's loans NPL.
    worst = np.zeros(s["borrower"].max() + 1, np.int64)
    np.maximum.at(worst, s["borrower"], np.where(s["corporate"], new, 0))
    new = np.where(s["corporate"] & (worst[s["borrower"]] >= _SUB), np.maximum(new, _SUB), new)
    # Balances: installment loans amortise linearly over the remaining months.
    remaining1 = np.maximum((mat - d1).astype(np.int64), 1)
    remaining2 = np.maximum((mat - d2).astype(np.int64), 0)
    factor = np.where(inst, remaining2 / remaining1, 1.0)
    bal = np.where(repaid, 0.0, np.round(s["balance"] * np.clip(factor, 0.05, 1.0), 2))
    s.update(**{"class": new.astype(np.int64), "overdue": od_new.astype(np.int64),
                "balance": bal})
    # Collateral values drift a little.
    s["collateral_value"] = np.round(s["collateral_value"] * rng.uniform(0.99, 1.01, n), -2)
    return s


# --------------------------------------------------------------------------- writing

Target = str | PathLike | IO[bytes]


def _display_frame(net: SyntheticNetwork, sheet: str, headers: str, fmt: str
                   ) -> tuple[pd.DataFrame, list[str]]:
    """The sheet as a bank export shows it: column order, header texts and value words."""
    if sheet == "loans":
        frame = net.loans[[c.name for c in LOAN_COLUMNS]].copy()
        columns = LOAN_COLUMNS
    else:
        frame = getattr(net, sheet).copy()
        columns = {"inspections": INSPECTION_COLUMNS, "collections": COLLECTION_COLUMNS,
                   "branches": BRANCH_COLUMNS}[sheet]
    zh = headers == "zh"
    titles = [(f"{c.zh}(元)" if c.kind == "amount" else c.zh) if zh else c.name
              for c in columns]
    if zh:
        words = {"customer_type": CUSTOMER_TYPE_ZH, "management_mode": MANAGEMENT_MODE_ZH,
                 "repayment_method": REPAYMENT_METHOD_ZH, "payment_method": PAYMENT_METHOD_ZH,
                 "last_collection_method": COLLECTION_METHOD_ZH,
                 "inspection_type": INSPECTION_TYPE_ZH}
        if sheet == "collections":
            words = {"method": COLLECTION_METHOD_ZH}
        for name, mapping in words.items():
            if name in frame:
                frame[name] = frame[name].map(mapping)
        if sheet == "loans":
            frame["classification"] = net.labels["classification"].to_numpy(object)
            frame["guarantee_type"] = net.labels["guarantee"].to_numpy(object)
    elif sheet == "loans":
        frame["classification"] = frame["classification"].astype(object)
    for col in columns:
        values = frame[col.name]
        if col.kind == "bool":
            yes, no = ("是", "否") if zh else ("Y", "N")
            frame[col.name] = np.where(values.to_numpy(bool), yes, no)
        elif col.kind == "date":
            arr = values.to_numpy("datetime64[D]")
            if fmt == "csv":
                text = np.datetime_as_string(arr, unit="D").astype(object)
                text[np.isnat(arr)] = None
                frame[col.name] = text
            else:
                frame[col.name] = _as_date_objects(arr)
        elif col.kind in ("id", "text") or col.kind.startswith("vocab"):
            frame[col.name] = values.astype(object).where(values.notna(), None)
    frame.columns = [c.name for c in columns]
    return frame, titles


def _as_date_objects(arr: np.ndarray) -> np.ndarray:
    out = np.full(len(arr), None, dtype=object)
    ok = ~np.isnat(arr)
    out[ok] = arr[ok].astype(dt.date)
    return out


def _sheet_title(net: SyntheticNetwork, headers: str) -> str:
    names = net.branches["branch"].tolist()
    who = names[0] if len(names) == 1 else f"{net.county}辖内{len(names)}家支行"
    if headers == "zh":
        return f"{who}贷款台账 截至{net.as_of.year}年{net.as_of.month}月{net.as_of.day}日"
    return f"Loan ledger as of {net.as_of:%Y-%m-%d}"


def write_extract(network: SyntheticNetwork, target: Target, *, format: str | None = None,
                  headers: str = "zh", title: str | bool | None = None, total_row: bool = False,
                  encoding: str = "gbk",
                  sheets: Sequence[str] = ("loans", "inspections", "collections")) -> None:
    """Write ``network`` the way a bank's credit system exports a ledger.

    Parameters
    ----------
    target:
        A path or a binary buffer.
    format:
        ``"xlsx"`` or ``"csv"``; default from the file suffix (xlsx for buffers).
    headers:
        ``"zh"``: Chinese headers (:attr:`schema.Column.zh`, amounts as ``贷款余额(元)``) and
        Chinese values (正常/关注…, sub-grades such as 正常一级, 抵押+保证, 对公/个人, 是/否,
        现场/非现场 …); ``"en"``: canonical names and values.
    title:
        A title row above the header of the loans sheet, e.g. "城关支行贷款台账
        截至2026年9月30日"; ``True`` builds that text, a string is used as given.
    total_row:
        Append a 合计 row with the balance sum to the loans sheet.
    encoding:
        CSV encoding (GBK by default, as Chinese core systems export).
    sheets:
        Sheets to write (xlsx): any of ``loans``, ``inspections``, ``collections``,
        ``branches``. A CSV file holds only ``loans``.

    The same arguments give the same bytes (fixed zip timestamps, no wall-clock data).
    """
    if headers not in ("zh", "en"):
        raise ValueError(f"headers 只能为 zh 或 en / headers must be 'zh' or 'en', got {headers!r}")
    fmt = format or (Path(target).suffix.lower().lstrip(".")
                     if isinstance(target, str | PathLike) else "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"不支持的格式 {fmt!r}(仅 xlsx/csv)/ unsupported format {fmt!r}")
    unknown = [s for s in sheets if s not in SHEETS]
    if unknown or "loans" not in sheets:
        raise ValueError(f"工作表须包含 loans,且只能为 {list(SHEETS)} / "
                         f"sheets must include 'loans' and be among {list(SHEETS)}: {list(sheets)}")
    title_text = _sheet_title(network, headers) if title is True else (title or None)
    if fmt == "csv":
        _write_csv(network, target, headers=headers, title=title_text, total_row=total_row,
                   encoding=encoding)
    else:
        _write_xlsx(network, target, headers=headers, title=title_text, total_row=total_row,
                    sheets=sheets)


def _total_row(frame: pd.DataFrame, headers: str) -> list[Any]:
    row: list[Any] = [None] * frame.shape[1]
    row[0] = "合计" if headers == "zh" else "合计 Total"
    row[list(frame.columns).index("balance")] = round(float(frame["balance"].sum()), 2)
    return row


def _write_csv(net: SyntheticNetwork, target: Target, *, headers: str, title: str | None,
               total_row: bool, encoding: str) -> None:
    frame, titles = _display_frame(net, "loans", headers, "csv")
    buffer = io.StringIO()
    if title:
        buffer.write(title + "\n")
    out = frame.copy()
    out.columns = titles
    out.to_csv(buffer, index=False, lineterminator="\n", float_format="%.2f")
    if total_row:
        row = _total_row(frame, headers)
        buffer.write(",".join("" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
                              for v in row) + "\n")
    data = buffer.getvalue().encode(encoding)
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)


def _write_xlsx(net: SyntheticNetwork, target: Target, *, headers: str, title: str | None,
                total_row: bool, sheets: Sequence[str]) -> None:
    from postloan_audit.core.workbooks import append_table, new_write_only_workbook, save_workbook

    wb = new_write_only_workbook()
    for sheet in sheets:
        frame, titles = _display_frame(net, sheet, headers, "xlsx")
        ws = wb.create_sheet(SHEETS[sheet].zh if headers == "zh" else sheet)
        extra = [_total_row(frame, headers)] if total_row and sheet == "loans" else []
        append_table(ws, frame, headers=titles,
                     title=title if sheet == "loans" else None, trailing_rows=extra)
    save_workbook(wb, target, deterministic=True)


# --------------------------------------------------------------------------- sample extracts

SAMPLE_SEED = 20260930


def write_sample_extracts(directory: str | PathLike = "sample_extracts") -> list[Path]:
    """(Re)write the bundled sample extracts into ``directory``; byte-identical every time.

    * ``branch_chengguan_20260930.xlsx``: one sub-branch (城关支行), Chinese headers, title
      row and 合计 row, sheets 贷款台账/贷后检查记录/催收记录;
    * ``head_office_6_branches_20260930.csv``: six branches, about 3,000 loans, GBK;
    * ``network_snapshot_20260630.xlsx`` and ``network_snapshot_20260930.xlsx``: two
      quarter-end snapshots of one network (same loan ids) with all four sheets.

    Each extract's planted breaches are written beside it as ``*.planted.csv`` (UTF-8).
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def emit(net: SyntheticNetwork, name: str, **kwargs: Any) -> None:
        path = out / name
        write_extract(net, path, **kwargs)
        planted = out / (Path(name).stem + ".planted.csv")
        planted.write_bytes(net.planted.to_csv(index=False, lineterminator="\n")
                            .encode("utf-8"))
        written.extend([path, planted])

    branch = generate_network(loans=260, branches=1, seed=SAMPLE_SEED, as_of="2026-09-30")
    emit(branch, "branch_chengguan_20260930.xlsx", title=True, total_row=True)
    head = generate_network(loans=3000, branches=6, seed=SAMPLE_SEED + 1, as_of="2026-09-30")
    emit(head, "head_office_6_branches_20260930.csv", encoding="gbk")
    q2, q3 = generate_snapshots(loans=1200, branches=4, seed=SAMPLE_SEED + 2,
                                as_of=("2026-06-30", "2026-09-30"))
    sheets = ("loans", "inspections", "collections", "branches")
    emit(q2, "network_snapshot_20260630.xlsx", sheets=sheets)
    emit(q3, "network_snapshot_20260930.xlsx", sheets=sheets)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m postloan_audit.synth.generator [DIRECTORY]``: regenerate the sample extracts."""
    args = list(sys.argv[1:] if argv is None else argv)
    for path in write_sample_extracts(args[0] if args else "sample_extracts"):
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
