"""The borrower's file (借款人档案): collateral register, guarantees, statements, credit reports
and name lists, with their planted breaches.

Everything here comes from the generator's third stream
(:func:`~postloan_audit.synth.draws.third_stream`), so the ledger, its inspections and its
collections keep the values the first two streams give them. Two stages:

- :func:`draw_file_facts`, once per network (a later snapshot carries them): each loan's
  contract (借款合同; a corporate borrower's working-capital loans often draw on one) and its
  borrower's group (集团客户); each mortgage/pledge loan's main collateral type (住房, 商业用房,
  土地, 厂房, 机器设备 for mortgages; 存单, 国债, 股权, 应收账款 for pledges, by product), a second
  lien (二押) on a few real-estate collateral, the certificate (他项权证) number, and, for some
  borrowers with two secured loans, one collateral securing both; each guaranteed loan's
  guarantors (one to three: companies, half of them other corporate borrowers of the branch
  (互保), the borrower's people, guarantee companies of the county).
- :func:`plant_borrower_file`, per snapshot: the sheets at the check date, clean, and the
  planted breaches of the rules that read them; then :func:`watch_direct_listings`, over the
  network's frames, LIST-WATCH.

What keeps the sheets clean (every threshold from the policy): the ledger's collateral value,
initial value and appraisal date are the main collateral's appraised value, previous value and
appraisal date, so ``COLLAT-REVAL`` and ``COLLAT-DROP`` flag the same loans with the register as
without it; plant and equipment (``collateral.third_party_types``) are revalued by a third party
within ``third_party_months`` (:func:`align_appraisals`: the one ledger column a new rule forces
to change); a loan whose collateral, after prior claims and each type's maximum loan-to-value,
does not cover its balance with a margin gets a second collateral (追加押品) that does; insurable
collateral is insured past the check date; guarantors that are rated were rated in the fiscal
year asked for; a corporate borrower's statements of every period arrive before their deadline
(half-year and annual statements audited); a borrower on a watch or monitor list is in key
mode; exit, reduce and restrict listings come after the borrower's last loan; every exit-list
client of the ledger has an exit listing in force (so the lists sheet alone tells ``EXIT-VISIT``
the same clients).

Planted (each loan breaching its rule only), with clean controls on both sides of each
threshold: ``COLLAT-COVER`` a yuan below the cover (a control exactly at it), ``COLLAT-INSURE``
expired the day before the check date (a control expiring on it), ``COLLAT-RELEASE`` released
while outstanding, ``COLLAT-REVAL`` a plant revalued a day too early for the half-year or by an
internal valuer (both seen only with the register) or another collateral a day too early for
the year (a control on each boundary day), ``COLLAT-DROP`` a yuan below 90% of the previous value
(a control at exactly 90%), ``GUAR-RATING`` a company guarantor rated on 31 December (a control on
1 January), ``FIN-STATEMENTS`` a half-year or annual statement missing, unaudited or received
after the check date (controls: one received on the check date, one not required of a borrower
whose first loan came after the period), ``LIST-MODE`` a regular-mode borrower listed (one on the
check date; a control removed on it), ``LIST-NEWCREDIT`` a loan disbursed the day after a reduce
or restrict listing (a control disbursed on the listing day), ``LIST-WATCH`` a borrower meeting
a direct-listing case not on the watch list (:func:`watch_direct_listings`: every other such
borrower is watch-listed; a borrower made overdue at another bank for exactly the policy's days,
a control a day short).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules.context import CheckContext
from postloan_audit.compliance.rules.triggers import (
    DIRECT_CASES,
    direct_listing,
    direct_listing_available,
)
from postloan_audit.core.schema import COLLATERAL_TYPE_ZH
from postloan_audit.synth.derive import rating_year_start
from postloan_audit.synth.draws import (
    CLEAN_MARGIN,
    MONTH_MIN_DAYS,
    NAT_DAY,
    add_months_in_days,
    rand_int,
    strcat,
    zfill,
)
from postloan_audit.synth.network import (
    COMPANY_BODIES,
    credit_codes,
    fake_company_ids,
    fake_person_ids,
    person_names,
)
from postloan_audit.synth.vocabulary import CORP_KINDS, NORMAL, SM, SUB, TRADE

#: Collateral types in the order the state codes them (``schema.COLLATERAL_TYPE_ZH``).
COLLATERAL_TYPES: tuple[str, ...] = tuple(COLLATERAL_TYPE_ZH)
_T = {name: code for code, name in enumerate(COLLATERAL_TYPES)}
#: Real estate, which can carry a second lien (二押).
_REAL_ESTATE = np.array([_T[t] for t in ("residential", "commercial", "land", "plant")])
#: The main collateral by product (network.PRODUCTS order) and guarantee: (type, share) pairs.
_MAIN_TYPES: tuple[tuple[int, str, tuple[tuple[str, float], ...]], ...] = (
    (0, "mortgage", (("residential", 1.0),)),
    (2, "mortgage", (("residential", 0.55), ("commercial", 0.35), ("vehicle", 0.10))),
    (2, "pledge", (("deposit", 0.7), ("bond", 0.3))),
    (3, "mortgage", (("commercial", 0.3), ("plant", 0.3), ("land", 0.25), ("equipment", 0.15))),
    (3, "pledge", (("deposit", 0.35), ("receivable", 0.35), ("equity", 0.2), ("bond", 0.1))),
    (4, "mortgage", (("land", 0.4), ("plant", 0.45), ("equipment", 0.15))),
    (4, "pledge", (("equity", 0.5), ("receivable", 0.3), ("deposit", 0.2))),
)
#: Guarantor kinds in the order the state codes them.
GUARANTOR_KINDS: tuple[str, ...] = ("corporate", "individual", "guarantee_company")
CORPORATE, INDIVIDUAL, COMPANY = range(3)
#: The county's guarantee companies (融资担保公司), after the county's name.
_GUARANTEE_COMPANIES = ("融资担保有限公司", "中小企业融资担保有限公司", "农业信贷融资担保有限公司",
                        "兴农融资担保有限公司", "信用融资担保有限公司", "城乡建设融资担保有限公司")
_COMPANY_RATINGS = np.array(["AAA", "AA", "A", "BBB"])
_GUARANTEE_COMPANY_RATINGS = np.array(["AAA", "AA+", "AA"])
#: Statement periods of a year: (month, period type, months the figures cover).
_PERIODS = ((3, "quarter", 3), (6, "half", 6), (9, "quarter", 9), (12, "year", 12))
_LIST_REASONS = {
    "watch": ("他行逾期", "担保人代偿能力下降", "主要股东涉诉", "经营指标连续下滑"),
    "monitor": ("经营指标连续三个月不佳", "行业风险上升", "关联企业出现风险"),
    "exit": ("经营持续恶化,逐步退出", "不符合授信政策,择机退出"),
    "reduce": ("贷款风险分类下调,压缩授信", "押品价值下降,压缩敞口"),
    "restrict": ("列入限制类客户,暂停新增授信", "涉及诉讼,限制新增授信"),
}


# --------------------------------------------------------------------------- helpers


def on_time_from(as_of: np.datetime64, months: int) -> np.datetime64:
    """The earliest day whose date + ``months`` calendar months is not before ``as_of``: a
    valuation (or visit) that day is still on time at ``as_of``, one the day before is late.

    Month-end clamping makes it the day after ``as_of`` − ``months`` when that lands on a
    shorter month's end (2026-03-31 − 1 month = 02-28, and 02-28 + 1 month = 03-28 is late).
    """
    day = add_months_in_days(np.array([as_of]), -months)[0]
    while add_months_in_days(np.array([day]), months)[0] < as_of:
        day += 1
    while add_months_in_days(np.array([day - 1]), months)[0] >= as_of:
        day -= 1
    return day


def _month_end(year: int, month: int) -> np.datetime64:
    return (np.datetime64(f"{year:04d}-{month:02d}", "M") + 1).astype("datetime64[D]") - 1


def due_period_end(as_of: np.datetime64, month: int, months_after: int) -> np.datetime64:
    """The end of the latest period ending on the last day of ``month`` whose statement was due
    (``months_after`` months after it) before ``as_of``: what FIN-STATEMENTS asks for."""
    year = int(as_of.astype("datetime64[Y]").astype(np.int64)) + 1970
    for y in (year, year - 1, year - 2):
        end = _month_end(y, month)
        if add_months_in_days(np.array([end]), months_after)[0] < as_of:
            return end
    raise AssertionError("a statement due within two years")  # pragma: no cover


def _choose(rng: np.random.Generator, size: int, groups: list[tuple[np.ndarray, Any]]
            ) -> np.ndarray:
    """One uniform per row mapped through each group's cumulative shares: (mask, pairs)."""
    u = rng.random(size)
    out = np.full(size, -1, np.int64)
    for mask, pairs in groups:
        codes = np.array([_T[t] for t, _ in pairs])
        edges = np.cumsum([p for _, p in pairs])
        pick = np.minimum(np.searchsorted(edges, u * edges[-1], side="right"), len(codes) - 1)
        out = np.where(mask, codes[pick], out)
    return out


def _per_borrower(s: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each borrower's first loan, loan counts, first and last disbursement, worst class."""
    bor = s["borrower"]
    nb = int(bor.max()) + 1
    first = np.full(nb, -1, np.int64)
    first[bor[::-1]] = np.arange(len(bor))[::-1]
    disb = s["disbursement"].astype(np.int64)
    lo = np.full(nb, np.iinfo(np.int64).max)
    hi = np.full(nb, np.iinfo(np.int64).min)
    np.minimum.at(lo, bor, disb)
    np.maximum.at(hi, bor, disb)
    worst = np.zeros(nb, np.int64)
    np.maximum.at(worst, bor, s["class"])
    active = s["balance"] > 0
    return {"first": first, "count": np.bincount(bor, minlength=nb),
            "active": np.bincount(bor, weights=active, minlength=nb).astype(np.int64),
            "first_disb": lo.astype("datetime64[D]"), "last_disb": hi.astype("datetime64[D]"),
            "worst": worst, "corporate": s["corporate"][first],
            "balance": np.bincount(bor, weights=s["balance"], minlength=nb)}


# --------------------------------------------------------------------------- once per network


def draw_file_facts(rng: np.random.Generator, s: dict[str, Any]) -> None:
    """The facts of the borrower's file that do not change from quarter to quarter.

    Adds to the state: ``contract_of`` (the loan whose contract each loan draws on),
    ``group`` (the borrower's group, -1 for none); per loan ``c_type`` (main collateral type
    code, -1 without collateral), ``c_topup_type`` (the type of a second collateral, if one is
    needed), ``c_lien2`` and ``c_prior_share`` (a second lien and the prior claims as a share of
    the value), ``c_cert`` (the certificate number), ``c_shared_from`` (the loan whose main
    collateral secures this loan too, -1); per guarantor row ``g_loan``, ``g_kind``,
    ``g_party`` (the borrower a guarantor is, -1), ``g_id``, ``g_name``, ``g_idnum``.
    """
    n = len(s["class"])
    bor, corp, product = s["borrower"], s["corporate"], s["product"]
    per = _per_borrower(s)
    nb = len(per["first"])

    # Contracts: a corporate borrower's later working-capital loans often draw on its first.
    working = corp & (product == 3)
    first_working = np.full(nb, -1, np.int64)
    idx = np.flatnonzero(working)
    first_working[bor[idx[::-1]]] = idx[::-1]
    share = working & (rng.random(n) < 0.5) & (first_working[bor] != np.arange(n))
    s["contract_of"] = np.where(share, first_working[bor], np.arange(n))
    # Groups (集团客户): half the key-mode corporate borrowers, about three to a group. Only
    # key-mode borrowers, so that a group's contagion (集团性风险蔓延, a direct-listing case of
    # LIST-WATCH) reaches only borrowers that can be watch-listed without breaching LIST-MODE.
    # The group draw keeps the bound it always had (a quarter of all corporate borrowers), so
    # that the stream's later draws keep their values.
    key = s["key_mode"][per["first"]]
    u = rng.random(nb)
    bound = max(1, int((per["corporate"] & (u < 0.25)).sum()) // 3)
    grouped = per["corporate"] & key & (u < 0.5)
    groups = max(1, int(grouped.sum()) // 3)
    s["group"] = np.where(grouped, rng.integers(0, bound, nb) % groups, -1)[bor]

    # Collateral (押品).
    guarantee = s["guarantee"]
    s["c_type"] = _choose(rng, n, [((product == k) & (guarantee == g), pairs)
                                   for k, g, pairs in _MAIN_TYPES])
    s["c_topup_type"] = _choose(rng, n, [(corp, (("land", 0.5), ("commercial", 0.5))),
                                         (~corp, (("residential", 0.7), ("deposit", 0.3)))])
    s["c_lien2"] = np.isin(s["c_type"], _REAL_ESTATE) & (rng.random(n) < 0.08)
    s["c_prior_share"] = rng.uniform(0.15, 0.35, n)
    s["c_cert"] = rng.integers(0, 10**7, n)
    # One collateral securing a borrower's first two secured loans (loans of a borrower are
    # consecutive): a third of such pairs.
    secured = np.flatnonzero(s["c_type"] >= 0)
    owner = bor[secured]
    first = np.r_[True, owner[1:] != owner[:-1]]
    second = np.r_[False, first[:-1] & (owner[1:] == owner[:-1])]
    shared_from = np.full(n, -1, np.int64)
    pairs = np.flatnonzero(second)
    pick = rng.random(len(pairs)) < 1 / 3
    shared_from[secured[pairs[pick]]] = secured[pairs[pick] - 1]
    s["c_shared_from"] = shared_from

    # Guarantors (保证人) of every loan guaranteed in part or whole (保证, 抵押+保证, 质押+保证).
    guaranteed = np.char.find(s["guarantee_label"].astype(str), "保证") >= 0
    gl = np.flatnonzero(guaranteed)
    k = 1 + (rng.random(len(gl)) < 0.45) + (rng.random(len(gl)) < 0.15)
    g_loan = np.repeat(gl, k)
    m = len(g_loan)
    u = rng.random(m)
    kind = np.where(corp[g_loan], np.select([u < 0.5, u < 0.75], [CORPORATE, COMPANY],
                                            INDIVIDUAL),
                    np.where(u < 0.7, INDIVIDUAL, COMPANY))
    # Half the company guarantors are other corporate borrowers of the branch (互保).
    b_branch = s["branch_idx"][per["first"]]
    corp_b = np.flatnonzero(per["corporate"])
    corp_b = corp_b[np.argsort(b_branch[corp_b], kind="stable")]
    nbr = len(s["branch_names"])
    start = np.searchsorted(b_branch[corp_b], np.arange(nbr))
    count = np.searchsorted(b_branch[corp_b], np.arange(nbr), side="right") - start
    rank = np.full(nb, 0, np.int64)
    rank[corp_b] = np.arange(len(corp_b)) - start[b_branch[corp_b]]
    own, branch = bor[g_loan], s["branch_idx"][g_loan]
    inside = (kind == CORPORATE) & (rng.random(m) < 0.5) & (count[branch] >= 2)
    r = (rng.random(m) * np.maximum(count[branch] - 1, 1)).astype(np.int64)
    r = np.where(r >= rank[own], r + 1, r)
    party = np.where(inside, corp_b[np.minimum(start[branch] + r, max(len(corp_b) - 1, 0))]
                     if len(corp_b) else -1, -1)
    first_loan = per["first"][np.maximum(party, 0)]
    county = s["county"]
    company = rng.integers(0, len(_GUARANTEE_COMPANIES), m)
    outside_name = strcat(county, TRADE[rng.integers(0, len(TRADE), m)],
                          CORP_KINDS[rng.integers(0, len(CORP_KINDS), m)], "有限公司")
    names = np.select(
        [inside, kind == CORPORATE, kind == INDIVIDUAL],
        [s["borrower_name"][first_loan], outside_name, person_names(rng, m)],
        strcat(county, np.array(_GUARANTEE_COMPANIES)[company]))
    idnums = np.select(
        [inside, kind == CORPORATE, kind == INDIVIDUAL],
        [s["id_number"][first_loan], fake_company_ids(rng, m, "outside"),
         fake_person_ids(rng, m)],
        credit_codes(zfill(COMPANY_BODIES["guarantee_company"][0] + company, 8)))
    ids = np.select([inside, kind == COMPANY],
                    [s["borrower_id"][first_loan], zfill(8_000_000_001 + company, 10)],
                    zfill(5_000_000_001 + np.arange(m), 10))
    s.update(g_loan=g_loan, g_kind=kind.astype(np.int64), g_party=party.astype(np.int64),
             g_id=ids, g_name=names, g_idnum=idnums)


def align_appraisals(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
                     policy: Policy) -> None:
    """Plant and equipment (``collateral.third_party_types``) revalued by a third party within
    ``third_party_months`` (``000_…`` 计划8): their loans' appraisal date, drawn by
    :func:`~postloan_audit.synth.derive.derive_state` within the year, is redrawn inside the
    half-year. Run after every ``derive_state``."""
    p = policy.collateral
    third = np.isin(s["c_type"], [_T[t] for t in p.third_party_types])
    days = rand_int(rng, 3, p.third_party_months * MONTH_MIN_DAYS - CLEAN_MARGIN,
                    size=len(third))
    s["appraisal"] = np.where(third, as_of - days, s["appraisal"])


# --------------------------------------------------------------------------- per snapshot


@dataclass
class BorrowerFile:
    """The sheets of the borrower's file as row arrays (loan and borrower indices, not ids):
    turned into frames by :func:`file_frames`."""

    collateral: dict[str, np.ndarray]
    guarantees: dict[str, np.ndarray]
    financials: dict[str, np.ndarray]
    external: dict[str, np.ndarray]
    lists: dict[str, np.ndarray]


@dataclass
class _Stage:
    """What the planting of the borrower's file shares (see ``plant._Planting``)."""

    rng: np.random.Generator
    s: dict[str, Any]
    as_of: np.datetime64
    policy: Policy
    want: int
    taken: np.ndarray
    per: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def active(self) -> np.ndarray:
        return self.s["balance"] > 0

    def take(self, pool: np.ndarray, count: int) -> np.ndarray:
        """Up to ``count`` loans of ``pool`` not taken yet, at random, sorted; now taken."""
        idx = np.flatnonzero(pool & ~self.taken)
        idx = np.sort(idx[np.argsort(self.rng.random(len(idx)), kind="stable")[:max(count, 0)]])
        self.taken[idx] = True
        return idx

    def free_borrowers(self) -> np.ndarray:
        """Borrowers none of whose loans is taken and who have an outstanding loan."""
        bor = self.s["borrower"]
        busy = np.bincount(bor, weights=self.taken, minlength=len(self.per["first"]))
        return (busy == 0) & (self.per["active"] > 0)

    def take_borrowers(self, pool: np.ndarray, loans: int) -> np.ndarray:
        """Borrowers of ``pool`` (a mask over borrowers) at random whose outstanding loans add up
        to at most ``loans`` (one borrower at least, if any); all their loans are taken."""
        cand = np.flatnonzero(pool & self.free_borrowers())
        cand = cand[np.argsort(self.rng.random(len(cand)), kind="stable")]
        size = self.per["active"][cand]
        cand, size = cand[size <= max(loans, 1)], size[size <= max(loans, 1)]
        keep = np.cumsum(size) <= max(loans, 1)
        keep[:1] = len(keep) > 0
        chosen = np.sort(cand[keep])
        self.taken[np.isin(self.s["borrower"], chosen)] = True
        return chosen

    def loans_of(self, borrowers: np.ndarray) -> np.ndarray:
        """The outstanding loans of ``borrowers``."""
        return np.flatnonzero(np.isin(self.s["borrower"], borrowers) & self.active)


def plant_borrower_file(rng: np.random.Generator, s: dict[str, Any], as_of: np.datetime64,
                        policy: Policy, planted: list[tuple[str, np.ndarray]],
                        taken: np.ndarray, want: int
                        ) -> tuple[BorrowerFile, list[tuple[str, np.ndarray]],
                                   list[tuple[str, np.ndarray, str]]]:
    """The borrower's file at ``as_of`` and its planted breaches.

    ``planted`` and ``taken`` are the earlier stages' answer key and the loans they planted or
    used as controls; ``want`` the loans planted per rule. Returns the file, the answer key
    (the earlier pairs, COLLAT-REVAL and COLLAT-DROP revised, and the new rules') and the
    planted loans only a sheet shows: ``(rule_id, loan indices, sheet)``.
    """
    st = _Stage(rng, s, as_of, policy, want, taken, _per_borrower(s))
    key = dict(planted)
    sheet_only: list[tuple[str, np.ndarray, str]] = []
    internal = _revise_valuations(st, key, sheet_only)
    collateral, sharing = _collateral(st, internal)
    collateral, found = _plant_collateral(st, collateral, sharing)
    key.update(found)
    guarantees, key["GUAR-RATING"] = _guarantees(st)
    financials, key["FIN-STATEMENTS"] = _financials(st)
    lists, key["LIST-MODE"], key["LIST-NEWCREDIT"] = _lists(st)
    external = _external(st, guarantees)
    file = BorrowerFile(collateral=collateral, guarantees=guarantees, financials=financials,
                        external=external, lists=lists)
    return file, list(key.items()), sheet_only


# --------------------------------------------------------------------------- collateral


def _clean_appraisal(st: _Stage, loans: np.ndarray) -> np.ndarray:
    """A valuation date inside the type's interval for each of ``loans``."""
    p = st.policy.collateral
    third = np.isin(st.s["c_type"][loans], [_T[t] for t in p.third_party_types])
    limit = np.where(third, p.third_party_months, p.revaluation_months) * MONTH_MIN_DAYS
    return st.as_of - rand_int(st.rng, 3, limit - CLEAN_MARGIN)


def _revise_valuations(st: _Stage, key: dict[str, np.ndarray],
                       sheet_only: list[tuple[str, np.ndarray, str]]) -> np.ndarray:
    """COLLAT-REVAL and COLLAT-DROP on their thresholds, in the ledger and the register alike.

    A few of the earlier stages' plants are given back (revalued, or their value restored) and
    as many loans take their place (COLLAT-REVAL: a third of its plants, none where fewer than
    three are planted): a plant or equipment collateral revalued the day before the
    half-year allows and one revalued by an internal valuer (only the register shows them), a
    collateral revalued the day before the year allows; a value a yuan below 90% of the
    previous one. Controls: each boundary day, and a value at exactly 90%. Returns the loans
    whose main collateral was valued internally.
    """
    s, D, p = st.s, st.as_of, st.policy.collateral
    active = st.active
    has = s["c_type"] >= 0
    third = np.isin(s["c_type"], [_T[t] for t in p.third_party_types])
    free = active & has & (s["c_shared_from"] < 0)

    picked = key["COLLAT-REVAL"]
    # a third of them at most, so that a ledger alone still shows most of them
    back = np.sort(st.rng.permutation(picked)[:min(len(picked), st.want // 3)])
    s["appraisal"][back] = _clean_appraisal(st, back)
    kinds = ("third_party_late", "internal", "year_late")[:len(back)]
    half_year = on_time_from(D, p.third_party_months)
    year = on_time_from(D, p.revaluation_months)
    new: dict[str, np.ndarray] = {}
    for kind in kinds:
        pool = free & (~third if kind == "year_late" else third)
        idx = st.take(pool, 1)
        if not len(idx) and kind != "year_late":  # no plant or equipment free: a late year
            idx = st.take(free & ~third, 1)
            kind = "year_late"
        new[kind] = np.concatenate([new.get(kind, np.empty(0, np.int64)), idx])
        s["appraisal"][idx] = {"third_party_late": half_year - 1, "year_late": year - 1,
                               "internal": D - 30}[kind]
    key["COLLAT-REVAL"] = np.sort(np.concatenate([np.setdiff1d(picked, back), *new.values()]))
    register = np.concatenate([new.get("third_party_late", []), new.get("internal", [])])
    if len(register):
        sheet_only.append(("COLLAT-REVAL", np.sort(register.astype(np.int64)), "collateral"))
    ctrl = st.take(free & third, 1)
    s["appraisal"][ctrl] = half_year
    ctrl = st.take(free & ~third, 1)
    s["appraisal"][ctrl] = year

    picked = key["COLLAT-DROP"]
    back = st.rng.permutation(picked)[:1]
    initial = s["collateral_initial"]
    s["collateral_value"][back] = np.round(initial[back] * st.rng.uniform(0.95, 1.3, len(back)),
                                           -2)
    floor = 1 - p.value_drop_share
    idx = st.take(free & ~s["additional_guarantee"], len(back))
    s["collateral_value"][idx] = np.round(initial[idx] * floor, 2) - 1
    key["COLLAT-DROP"] = np.sort(np.concatenate([np.setdiff1d(picked, back), idx]))
    ctrl = st.take(free & ~s["additional_guarantee"], 1)
    s["collateral_value"][ctrl] = np.round(initial[ctrl] * floor, 2)
    return new.get("internal", np.empty(0, np.int64))


def _ltv(policy: Policy) -> np.ndarray:
    """The maximum loan-to-value of each collateral type code (read field by field)."""
    return np.array([getattr(policy.collateral, f"max_ltv_{t}") for t in COLLATERAL_TYPES])


def _collateral(st: _Stage, internal: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The register, clean: one row per main collateral (the ledger's values and dates), one
    per collateral securing a second loan of its borrower, and a second collateral where the
    first does not cover the balance with a margin. Returns the rows and the loans sharing a
    collateral."""
    s, D, rng, policy = st.s, st.as_of, st.rng, st.policy
    p = policy.collateral
    active, taken = st.active, st.taken
    third_codes = [_T[t] for t in p.third_party_types]
    insurable_codes = [_T[t] for t in p.insurable_types]
    main = np.flatnonzero(s["c_type"] >= 0)
    k = len(main)
    appraised = s["appraisal"][main]
    appraised = np.where(np.isnat(appraised), D - rng.integers(400, 701, k), appraised)
    third = np.isin(s["c_type"][main], third_codes)
    external = third | (rng.random(k) < 0.6)
    external[np.isin(main, internal)] = False
    lien2 = s["c_lien2"][main]
    value = s["collateral_value"][main]
    released = np.maximum(D - rng.integers(0, 85, k), s["disbursement"][main])
    rows = {
        "loan": main, "owner": main, "slot": np.ones(k, np.int64), "type": s["c_type"][main],
        "value": value, "previous": s["collateral_initial"][main], "appraised": appraised,
        "previous_date": appraised - rng.integers(150, 400, k), "external": external,
        "lien": np.where(lien2, 2, 1).astype(np.int64),
        "prior": np.where(lien2, np.round(value * s["c_prior_share"][main], -2), np.nan),
        "insurance": np.where(np.isin(s["c_type"][main], insurable_codes),
                              D + rng.integers(5, 361, k), NAT_DAY),
        "cert": s["c_cert"][main],
        "release": np.where(active[main], NAT_DAY, released),
        "inspection": s["collateral_inspection"][main],
    }
    # A main collateral securing a second loan of its borrower: both outstanding, neither
    # planted nor a control, the value not down (its second loan may have no more security).
    second = np.flatnonzero(s["c_shared_from"] >= 0)
    first = s["c_shared_from"][second]
    ok = (active[first] & active[second] & ~taken[first] & ~taken[second]
          & (s["collateral_value"][first] > (1 - p.value_drop_share) * 1.01
             * s["collateral_initial"][first]))
    second, first = second[ok], first[ok]
    at = np.searchsorted(main, first)
    shared = {name: values[at] for name, values in rows.items()}
    shared.update(loan=second, slot=np.full(len(second), 3, np.int64))
    rows = {name: np.concatenate([rows[name], shared[name]]) for name in rows}
    sharing = np.zeros(len(active), bool)
    sharing[np.concatenate([first, second])] = True

    # A second collateral (追加押品) where the first does not cover 110% of the balance.
    ltv = _ltv(policy)
    cover = _cover(rows, s["balance"], ltv)
    need = np.flatnonzero(active & (s["c_type"] >= 0) & (cover < 1.1 * s["balance"]))
    m = len(need)
    kind = s["c_topup_type"][need]
    worth = np.ceil((1.25 * s["balance"][need] - cover[need]) / ltv[kind] / 100) * 100
    third = np.isin(kind, third_codes)
    dated = D - rand_int(rng, 10, np.where(third, p.third_party_months, p.revaluation_months)
                         * MONTH_MIN_DAYS - CLEAN_MARGIN)
    topup = {
        "loan": need, "owner": need, "slot": np.full(m, 2, np.int64), "type": kind,
        "value": worth, "previous": np.round(worth * rng.uniform(0.95, 1.08, m), -2),
        "appraised": dated, "previous_date": dated - rng.integers(150, 400, m),
        "external": third | (rng.random(m) < 0.6), "lien": np.ones(m, np.int64),
        "prior": np.full(m, np.nan),
        "insurance": np.where(np.isin(kind, insurable_codes), D + rng.integers(5, 361, m),
                              NAT_DAY),
        "cert": (s["c_cert"][need] + 1) % 10**7, "release": np.full(m, NAT_DAY),
        "inspection": s["collateral_inspection"][need],
    }
    rows = {name: np.concatenate([rows[name], topup[name]]) for name in rows}
    return rows, sharing


def collateral_key(rows: dict[str, np.ndarray]) -> np.ndarray:
    """One number per collateral: its owner loan, and whether it is that loan's second
    collateral (a shared row names its first loan's main collateral)."""
    return rows["owner"] * 2 + (rows["slot"] == 2)


def _cover(rows: dict[str, np.ndarray], balance: np.ndarray, ltv: np.ndarray) -> np.ndarray:
    """Each loan's collateral value after prior claims and LTV, shared pro rata (COLLAT-COVER),
    over the rows not released."""
    live = np.isnat(rows["release"]) & (balance[rows["loan"]] > 0)
    codes, _ = pd.factorize(collateral_key(rows)[live])
    loan = rows["loan"][live]
    total = np.bincount(codes, weights=balance[loan])
    share = np.divide(balance[loan], total[codes], out=np.zeros(len(loan)),
                      where=total[codes] > 0)
    worth = np.maximum(rows["value"][live] - np.nan_to_num(rows["prior"][live]), 0)
    return np.bincount(loan, weights=worth * ltv[rows["type"][live]] * share,
                       minlength=len(balance))


def _drop_rows(rows: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    return {name: values[keep] for name, values in rows.items()}


def _main_rows(rows: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Each loan's main-collateral row (-1 for none)."""
    out = np.full(n, -1, np.int64)
    first = rows["slot"] == 1
    out[rows["loan"][first]] = np.flatnonzero(first)
    return out


def _plant_collateral(st: _Stage, rows: dict[str, np.ndarray], sharing: np.ndarray
                      ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """COLLAT-COVER, COLLAT-INSURE, COLLAT-RELEASE on loans whose collateral is their own;
    returns the rows (ordered by loan) and the planted loans per rule."""
    s, D, rng = st.s, st.as_of, st.rng
    p = st.policy.collateral
    n = len(s["class"])
    ltv = _ltv(st.policy)
    out: dict[str, np.ndarray] = {}

    # COLLAT-COVER: a second lien whose prior claims leave the collateral a yuan short of the
    # balance after its LTV (a second collateral, if any, no longer held); a control exactly at
    # the balance (the value after prior claims a whole number of cents).
    main = _main_rows(rows, n)
    own = st.active & (main >= 0) & ~sharing
    row = np.maximum(main, 0)
    value = np.where(main >= 0, rows["value"][row], 0.0)
    rate = np.where(main >= 0, ltv[rows["type"][row]], 1.0)
    cents = np.round(s["balance"] * 100)
    covers = own & (value * rate >= s["balance"] + 1)
    exact = covers & (np.abs(cents / rate - np.round(cents / rate)) < 1e-6)
    plant = st.take(covers, st.want)
    ctrl = st.take(exact, 1)
    loans = np.concatenate([plant, ctrl])
    target = np.concatenate([cents[plant] - 100, cents[ctrl]])
    r = main[loans]
    rows["prior"][r] = (np.round(rows["value"][r] * 100) - np.round(target / rate[loans])) / 100
    rows["lien"][r] = 2
    rows = _drop_rows(rows, ~(np.isin(rows["loan"], loans) & (rows["slot"] == 2)))
    out["COLLAT-COVER"] = plant

    # COLLAT-INSURE: insurance expired the day before D (one) or earlier; a control on D.
    main = _main_rows(rows, n)
    insurable = own & np.isin(s["c_type"], [_T[t] for t in p.insurable_types])
    plant = st.take(insurable, st.want)
    days = rng.integers(1, 201, len(plant))
    days[:1] = 1
    rows["insurance"][main[plant]] = D - days
    ctrl = st.take(insurable, 1)
    rows["insurance"][main[ctrl]] = D
    out["COLLAT-INSURE"] = plant

    # COLLAT-RELEASE: the only collateral of an outstanding loan released on D (one) or before.
    alone = own & (np.bincount(rows["loan"], minlength=n) == 1)
    plant = st.take(alone, st.want)
    days = rng.integers(0, 121, len(plant))
    days[:1] = 0
    rows["release"][main[plant]] = np.maximum(D - days, s["disbursement"][plant])
    out["COLLAT-RELEASE"] = plant
    return _drop_rows(rows, np.lexsort((rows["slot"], rows["loan"]))), out


# --------------------------------------------------------------------------- guarantees


def _guarantees(st: _Stage) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Guarantee contracts (保证合同) and GUAR-RATING.

    Company and guarantee-company guarantors are rated in the fiscal year asked for at D (a
    guarantor that is one of the bank's borrowers carries its rating as a borrower when that
    was renewed in the year); individuals are not rated (a few carry an old rating, which the
    rule does not judge). Planted: a company guarantor (not a borrower) rated on 31 December of
    the year before (one at least), never, or earlier; a control rated on 1 January.
    """
    s, D, rng = st.s, st.as_of, st.rng
    loan, kind, party = s["g_loan"], s["g_kind"], s["g_party"]
    m, n = len(loan), len(s["class"])
    start = rating_year_start(D, st.policy)
    span = int((D - start).astype(np.int64))
    date = D - rng.integers(30, 301, m)
    date = np.where(date >= start, date, start + rng.integers(0, span + 1, m))
    nat = np.iinfo(np.int64).min
    latest = np.full(len(st.per["first"]), nat)
    np.maximum.at(latest, s["borrower"], s["rating_date"].astype(np.int64))
    own = np.where(party >= 0, latest[np.maximum(party, 0)], nat)
    rated_as_borrower = (own >= start.astype(np.int64)) & (own <= D.astype(np.int64))
    date = np.where(rated_as_borrower, own.astype("datetime64[D]"), date)
    individual = kind == INDIVIDUAL
    old = D - rng.integers(400, 2001, m)
    date = np.where(individual, np.where(rng.random(m) < 0.3, old, NAT_DAY), date)
    rating = np.where(kind == COMPANY,
                      _GUARANTEE_COMPANY_RATINGS[rng.integers(0, 3, m)],
                      _COMPANY_RATINGS[rng.integers(0, 4, m)])
    amount = np.round(np.maximum(s["balance"][loan], 1000.0) * rng.uniform(1.0, 1.3, m), -2)

    outside = np.flatnonzero((kind == CORPORATE) & (party < 0))
    row_of = np.full(n, -1, np.int64)
    row_of[loan[outside[::-1]]] = outside[::-1]
    pool = st.active & (row_of >= 0)
    plant = st.take(pool, st.want)
    late = _at_least(len(plant), rng.random(len(plant)) < 0.5)
    never = ~late & (np.arange(len(plant)) == len(plant) - 1) & (len(plant) >= 3)
    date[row_of[plant]] = np.where(late, start - 1, np.where(
        never, NAT_DAY, start - 1 - rng.integers(1, 400, len(plant))))
    ctrl = st.take(pool, 1)
    date[row_of[ctrl]] = start
    rows = {"loan": loan, "kind": kind, "id": s["g_id"], "name": s["g_name"],
            "idnum": s["g_idnum"], "amount": amount,
            "rating": np.where(individual, "", rating), "rating_date": date}
    return rows, plant


def _at_least(count: int, flags: np.ndarray) -> np.ndarray:
    """``flags`` with the first one set (each kind of plant once at least)."""
    flags = flags.copy()
    flags[:1] = count > 0
    return flags


# --------------------------------------------------------------------------- statements


def _financials(st: _Stage) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Financial statements (财务报表) of corporate borrowers, and FIN-STATEMENTS.

    From two years before the borrower's first loan (the last five years at most) to D: the
    half-year and annual statements, and the quarterly ones of three borrowers in five; each
    received before its deadline (``financials.half_year_months`` and ``annual_months``;
    quarterly ones within 45 days), those not received by D absent. Annual statements of the
    year due at D and later are audited, nine in ten earlier ones. Figures (元) follow each
    borrower's size, leverage, turnover and margin, worse for special-mention and NPL
    borrowers; income statements are year to date.

    Planted: borrowers whose due half-year statement is missing, whose due annual statement is
    missing, received after D, or (with ``financials.annual_audit_required``) unaudited. Controls: a due statement received on D, and a
    half-year statement missing for a borrower whose first loan came after that half-year.
    """
    D, rng = st.as_of, st.rng
    fp = st.policy.financials
    per = st.per
    corp_b = np.flatnonzero(per["corporate"])
    k = len(corp_b)
    year_d = int(D.astype("datetime64[Y]").astype(np.int64)) + 1970
    first_year = per["first_disb"][corp_b].astype("datetime64[Y]").astype(np.int64) + 1970
    y0 = np.maximum(first_year - 2, year_d - 4)
    quarterly = rng.random(k) < 0.6
    reps = (year_d - y0 + 1) * 4
    b = np.repeat(np.arange(k), reps)
    j = np.arange(len(b)) - np.repeat(np.cumsum(reps) - reps, reps)
    year = y0[b] + j // 4
    slot = j % 4
    month = np.array([m for m, _, _ in _PERIODS])[slot]
    covers = np.array([c for _, _, c in _PERIODS])[slot]
    kind = np.array([t for _, t, _ in _PERIODS])[slot]
    end = ((year - 1970) * 12 + month).astype("datetime64[M]").astype("datetime64[D]") - 1
    allowed = np.select(
        [kind == "half", kind == "year"],
        [(add_months_in_days(end, fp.half_year_months) - end).astype(np.int64),
         (add_months_in_days(end, fp.annual_months) - end).astype(np.int64)], 45 + CLEAN_MARGIN)
    received = end + rand_int(rng, np.where(kind == "year", 45, 15), allowed - CLEAN_MARGIN)
    # sizes and ratios per borrower, drifting a little from period to period
    worse = per["worst"][corp_b] >= SM
    assets0 = np.maximum(per["balance"][corp_b], 1e6) * rng.uniform(2.5, 6.0, k)
    growth = rng.uniform(-0.03, 0.10, k)
    leverage = rng.uniform(0.35, 0.7, k) + 0.15 * worse
    current = rng.uniform(0.35, 0.6, k)
    short = rng.uniform(0.55, 0.8, k)
    turnover = rng.uniform(0.6, 1.4, k)
    cost = rng.uniform(0.72, 0.88, k)
    margin = np.where(worse, rng.uniform(-0.08, 0.01, k), rng.uniform(0.02, 0.07, k))
    r = len(b)
    t = (end - D).astype(np.int64) / 365.25
    assets = assets0[b] * (1 + growth[b]) ** t * rng.uniform(0.98, 1.02, r)
    liabilities = assets * leverage[b] * rng.uniform(0.97, 1.03, r)
    revenue = assets * turnover[b] * covers / 12 * rng.uniform(0.95, 1.05, r)
    profit = revenue * margin[b]
    due_year = int(due_period_end(D, 12, fp.annual_months).astype("datetime64[Y]")
                   .astype(np.int64)) + 1970
    audited = (kind == "year") & ((year >= due_year) | (rng.random(r) < 0.9))
    rows = {
        "borrower": corp_b[b], "end": end, "kind": kind,
        "total_assets": np.round(assets, -2), "total_liabilities": np.round(liabilities, -2),
        "current_assets": np.round(assets * current[b], -2),
        "current_liabilities": np.round(liabilities * short[b], -2),
        "revenue": np.round(revenue, -2), "cost_of_sales": np.round(revenue * cost[b], -2),
        "net_profit": np.round(profit, -2),
        "operating_cash_flow": np.round(profit * rng.uniform(0.6, 1.4, r), -2),
        "audited": audited, "received": received,
    }
    keep = (quarterly[b] | (kind != "quarter")) & (received <= D)

    half_end = due_period_end(D, 6, fp.half_year_months)
    year_end = due_period_end(D, 12, fp.annual_months)
    required = per["corporate"] & (per["first_disb"] <= half_end) & (per["first_disb"]
                                                                    <= year_end)
    chosen = st.take_borrowers(required, st.want)
    # missing half-year, missing annual, late annual, and unaudited annual when required
    ways = np.array([0, 1, 3, 2] if fp.annual_audit_required else [0, 1, 3])
    how = np.full(len(per["first"]), -1, np.int64)
    how[chosen] = ways[np.arange(len(chosen)) % len(ways)]
    owner = how[rows["borrower"]]
    half = (end == half_end) & (kind == "half")
    annual = (end == year_end) & (kind == "year")
    keep &= ~((owner == 0) & half) & ~((owner == 1) & annual)
    rows["audited"] = rows["audited"] & ~((owner == 2) & annual)
    late = (owner == 3) & annual
    rows["received"] = np.where(late, D + rng.integers(1, 11, len(b)), rows["received"])
    ctrl = st.take_borrowers(required, 1)
    rows["received"] = np.where(np.isin(rows["borrower"], ctrl) & half, D, rows["received"])
    fresh = per["corporate"] & (per["first_disb"] > half_end)
    ctrl = st.take_borrowers(fresh, 1)
    keep &= ~(np.isin(rows["borrower"], ctrl) & half)
    return _drop_rows(rows, keep), st.loans_of(chosen)


# --------------------------------------------------------------------------- lists


def _lists(st: _Stage) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Name lists (名单制管理), LIST-MODE and LIST-NEWCREDIT.

    Every exit-list client of the ledger listed ``exit`` after its last loan; half the key-mode
    corporate borrowers in special mention or worse on the watch list (授信风险监控名单), some
    key-mode normal ones on the monitor list (重点监测); some NPL borrowers on the reduce or
    restrict list after their last loan; some regular borrowers once watched and removed, some
    once listed exit and removed (after their last loan). Planted: regular-mode borrowers on
    the watch or monitor list (one listed on D), and a loan disbursed after a reduce or
    restrict listing (one the day after it), some of those listings removed since. Controls: a
    regular borrower removed from the watch list on D, a loan disbursed on its listing day.
    """
    s, D, rng = st.s, st.as_of, st.rng
    per = st.per
    nb = len(per["first"])
    first = per["first"]
    exit_b, key_b = s["exit_list"][first], s["key_mode"][first]
    corp, worst, last = per["corporate"], per["worst"], per["last_disb"]
    room = np.maximum((D - last).astype(np.int64), 0)
    u = rng.random((7, nb))
    after_last = last + (u[0] * (room + 1)).astype(np.int64)
    recently = D - rng.integers(0, 401, nb)
    parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, kind: str, listed: np.ndarray, removed: np.ndarray | None = None
            ) -> None:
        idx = np.flatnonzero(mask)
        parts.append((idx, kind, listed[idx] if listed.ndim else np.full(len(idx), listed),
                      np.full(len(idx), NAT_DAY) if removed is None else
                      (removed[idx] if removed.ndim else np.full(len(idx), removed))))

    add(exit_b, "exit", after_last)
    add(key_b & corp & (worst >= SM) & (u[1] < 0.5), "watch", recently)
    add(key_b & corp & (worst == NORMAL) & (u[1] < 0.3), "monitor", recently)
    npl = (worst >= SUB) & np.where(corp, u[2] < 0.4, u[2] < 0.2)
    reduce = corp & (u[3] < 0.6)
    add(npl & reduce, "reduce", after_last)
    add(npl & ~reduce, "restrict", after_last)
    once = D - rng.integers(200, 701, nb)
    add(~key_b & corp & (worst == NORMAL) & (u[4] < 0.03), "watch", once,
        np.minimum(once + rng.integers(30, 181, nb), D))
    listed = last + (u[5] * np.maximum(room - 1, 0)).astype(np.int64)
    removed = listed + 1 + (u[6] * np.maximum((D - listed).astype(np.int64) - 1, 0)
                            ).astype(np.int64)
    add(~exit_b & corp & (u[4] > 0.98) & (room >= 2), "exit", listed, removed)

    # LIST-MODE: regular-mode borrowers listed (one on D); a control removed on D.
    free = ~key_b
    chosen = st.take_borrowers(free, st.want)
    days = rng.integers(1, 301, len(chosen))
    days[:1] = 0
    listed = np.full(nb, NAT_DAY)
    listed[chosen] = D - days
    watch = np.zeros(nb, bool)
    watch[chosen] = np.arange(len(chosen)) % 2 == 0
    add(watch, "watch", listed)
    add(np.isin(np.arange(nb), chosen) & ~watch, "monitor", listed)
    mode = st.loans_of(chosen)
    ctrl = st.take_borrowers(free, 1)
    add(np.isin(np.arange(nb), ctrl), "watch", D - rng.integers(100, 301, nb), D)

    # LIST-NEWCREDIT: a borrower's latest loan (the others earlier) disbursed after a reduce
    # or restrict listing (one the day after); some listings removed after that loan.
    bor, disb = s["borrower"], s["disbursement"]
    latest = disb == last[bor]
    ties = np.bincount(bor, weights=latest, minlength=nb)
    nat = np.iinfo(np.int64).min
    before = np.full(nb, nat)
    np.maximum.at(before, bor, np.where(latest, nat, disb.astype(np.int64)))
    pool = st.active & latest & (ties[bor] == 1)
    plant = st.take(pool, st.want)
    b = bor[plant]
    gap = rng.integers(1, 121, len(plant))
    gap[:1] = 1
    day = disb[plant].astype(np.int64)
    on = np.maximum(day - gap, np.where(before[b] == nat, day - gap, before[b]))
    on = on.astype("datetime64[D]")
    left = (D - disb[plant]).astype(np.int64)
    off = np.where((rng.random(len(plant)) < 0.4) & (left >= 1),
                   disb[plant] + 1 + (rng.random(len(plant)) * left).astype(np.int64), NAT_DAY)
    kind = np.where(np.arange(len(plant)) % 2 == 0, "reduce", "restrict")
    for name in ("reduce", "restrict"):
        sel = kind == name
        parts.append((b[sel], name, on[sel], off[sel]))
    ctrl = st.take(pool, 1)
    parts.append((bor[ctrl], "reduce", disb[ctrl], np.full(len(ctrl), NAT_DAY)))

    borrower = np.concatenate([p[0] for p in parts])
    kinds = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    reasons = np.empty(len(borrower), dtype=object)
    pick = rng.random(len(borrower))
    for name, options in _LIST_REASONS.items():
        sel = kinds == name
        reasons[sel] = np.asarray(options)[(pick[sel] * len(options)).astype(int)]
    order = np.lexsort((np.concatenate([p[2] for p in parts]), borrower))
    rows = {"borrower": borrower, "kind": kinds,
            "listed": np.concatenate([p[2] for p in parts]),
            "removed": np.concatenate([p[3] for p in parts]),
            "reason": reasons.astype(str), "officer": s["loan_officer"][first[borrower]]}
    return _drop_rows(rows, order), mode, plant


def watch_direct_listings(rng: np.random.Generator, s: dict[str, Any],
                          file: BorrowerFile, sheets: dict[str, pd.DataFrame],
                          as_of: np.datetime64, policy: Policy, taken: np.ndarray, want: int
                          ) -> np.ndarray:
    """LIST-WATCH: the borrowers meeting a direct-listing case on the watch list, but a few.

    ``sheets`` are the network's frames (``loans``, ``guarantees``, ``external``, ``lists``)
    as :func:`file_frames` and :func:`~postloan_audit.synth.frames.to_frames` made them. The
    borrowers meeting a case of ``003_…`` 第三篇 多选题10 (the rule's own
    :func:`~postloan_audit.compliance.rules.triggers.direct_listing` over those frames: group
    contagion, other-bank overdue or arrears, suit) and not on a watch list in force at
    ``as_of`` are listed ``watch`` in the last quarter (after their first loan, not removed),
    except ``want`` of them (one of each case at least, as far as there are borrowers), none
    of whose loans is ``taken`` (planted or a control of another rule): the plants, now taken.
    Where too few such borrowers meet a case, free key-mode borrowers outside any group who
    guarantee nobody are made overdue at another bank in their latest report, the first for
    exactly ``warning.other_bank_overdue_days`` days (``file.external`` changes), and a control
    a day short of it. All of them are in key mode (:func:`_external`, :func:`draw_file_facts`), so
    watch-listing them breaches no ``LIST-MODE``. Adds the rows to ``file.lists`` (in the
    order :func:`_lists` keeps) and returns the plants' outstanding loans: LIST-WATCH flags
    each of them.
    """
    ctx = CheckContext(sheets["loans"], as_of=pd.Timestamp(as_of).date(), policy=policy,
                       guarantees=sheets["guarantees"], external=sheets["external"],
                       lists=sheets["lists"])
    facts = direct_listing(ctx)
    listed = ctx.active_listings
    watched = listed.loc[listed["list_type"] == "watch", "borrower"].to_numpy(np.int64)
    due = np.setdiff1d(facts.borrowers, watched)
    per = _per_borrower(s)
    first = per["first"]
    b = pd.Index(s["borrower_id"][first]).get_indexer(ctx.borrower_ids.take(due))
    assert (b >= 0).all() and s["key_mode"][first[b]].all(), "a regular borrower to watch"
    names = [name for name, ok in direct_listing_available(ctx).items() if ok]
    cases = np.array([np.isin(due, DIRECT_CASES[name][0](ctx).borrowers) for name in names]
                     ).reshape(len(names), len(due))

    # The plants: the first borrower of each case in a random order, then the next ones.
    busy = np.bincount(s["borrower"], weights=taken, minlength=len(first))[b] > 0
    order = np.argsort(rng.random(len(due)), kind="stable")
    order = order[~busy[order]]
    plant = np.zeros(len(due), bool)
    for met in cases:
        pick = order[met[order] & ~plant[order]][:1]
        plant[pick] = plant.sum() < want
    plant[order[~plant[order]][:max(want - int(plant.sum()), 0)]] = True

    nb = len(first)
    free = (np.bincount(s["borrower"], weights=taken, minlength=nb) == 0) & (per["active"] > 0)
    grouped = np.bincount(s["borrower"], weights=s["group"] >= 0, minlength=nb) > 0
    guarantor = np.zeros(nb, bool)
    guarantor[s["g_party"][s["g_party"] >= 0]] = True
    seen = np.zeros(nb, bool)
    seen[b] = True
    seen[pd.Index(s["borrower_id"][first]).get_indexer(ctx.borrower_ids.take(watched))] = True
    cand = np.flatnonzero(free & _may_be_red(s, per) & ~grouped & ~guarantor & ~seen)
    cand = cand[np.argsort(rng.random(len(cand)), kind="stable")]
    made = cand[:max(want - int(plant.sum()), 0)]
    ctrl = cand[len(made):len(made) + 1]
    days = policy.warning.other_bank_overdue_days
    x = file.external  # a borrower's latest report is its row (rows of borrowers first)
    x["overdue"][made] = days + np.where(np.arange(len(made)) == 0, 0,
                                         rng.integers(0, 61, len(made)))
    x["overdue"][ctrl] = days - 1
    both = np.concatenate([made, ctrl])
    x["new_overdue"][both] = np.maximum(x["new_overdue"][both], 1)
    taken[np.isin(s["borrower"], ctrl)] = True

    rest = b[~plant]
    m = len(rest)
    day = np.maximum(as_of - rng.integers(0, 91, m), per["first_disb"][rest])
    reasons = np.asarray([DIRECT_CASES[name][1] for name in names] or [""])
    reason = reasons[np.argmax(cases[:, ~plant], axis=0)] if len(names) else np.full(m, "")
    li = file.lists
    rows = {"borrower": np.concatenate([li["borrower"], rest]),
            "kind": np.concatenate([li["kind"], np.full(m, "watch")]),
            "listed": np.concatenate([li["listed"], day]),
            "removed": np.concatenate([li["removed"], np.full(m, NAT_DAY)]),
            "reason": np.concatenate([li["reason"], reason]).astype(str),
            "officer": np.concatenate([li["officer"], s["loan_officer"][first[rest]]])}
    file.lists = _drop_rows(rows, np.lexsort((rows["listed"], rows["borrower"])))
    mine = np.isin(s["borrower"], np.concatenate([b[plant], made]))
    taken[mine] = True
    return np.flatnonzero(mine & (s["balance"] > 0))


# --------------------------------------------------------------------------- credit reports


def _external(st: _Stage, guarantees: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Credit-bureau and public-record facts (征信、他行、被执行) of every borrower and guarantor:
    a query in the last four months, and for half of them one a year earlier. Mostly clean:
    normal borrowers and guarantors rarely show a few days overdue at another bank; NPL
    borrowers are mostly overdue there too (some past 90 days, NPL, sued), special-mention ones
    sometimes.

    The facts that make a borrower a direct-listing case of ``LIST-WATCH`` (overdue or in
    arrears at another bank for ``warning.other_bank_overdue_days`` days or more, sued by
    another bank) are drawn only for the parties :func:`_may_be_red` allows: key-mode
    borrowers guaranteeing no regular-mode borrower. Anyone else's days past due at another
    bank are folded below the policy's days (the same draws, no 90-day debt), and no other bank
    sues them; so every borrower meeting a case is in key mode, and can be watch-listed
    (:func:`watch_direct_listings`) without breaching ``LIST-MODE``."""
    s, D, rng = st.s, st.as_of, st.rng
    per = st.per
    days = st.policy.warning.other_bank_overdue_days
    g_outside = guarantees["id"][s["g_party"] < 0]
    _, at = np.unique(g_outside, return_index=True)
    at = np.sort(at)
    party = np.concatenate([s["borrower_id"][per["first"]], g_outside[at]])
    p = len(party)
    worst = np.concatenate([per["worst"], np.zeros(len(at), np.int64)])
    corp = np.concatenate([per["corporate"],
                           guarantees["kind"][s["g_party"] < 0][at] != INDIVIDUAL])
    size = np.concatenate([per["balance"], np.zeros(len(at))])
    twice = rng.random(p) < 0.5
    who = np.concatenate([np.arange(p), np.flatnonzero(twice)])
    recent = np.r_[np.ones(p, bool), np.zeros(int(twice.sum()), bool)]
    r = len(who)
    date = np.where(recent, D - rng.integers(0, 121, r), D - rng.integers(300, 451, r))
    w = worst[who]
    u = rng.random((6, r))
    overdue = np.select(
        [(w >= SUB) & (u[0] < 0.7), (w >= SUB) & (u[0] < 0.9), (w == SM) & (u[0] < 0.5),
         u[0] < 0.03],
        [rand_int(rng, 91, 400, size=r), rand_int(rng, 30, 90, size=r),
         rand_int(rng, 1, 60, size=r), rand_int(rng, 1, 15, size=r)], 0)
    overdue = np.where(recent, overdue, np.minimum(overdue, rand_int(rng, 0, 20, size=r)))
    red = np.concatenate([_may_be_red(s, per), np.zeros(len(at), bool)])[who]
    folded = 1 + (overdue - 1) % max(days - 1, 1) if days > 1 else np.zeros_like(overdue)
    overdue = np.where(red | (overdue < days), overdue, folded)
    arrears = np.where(overdue > 0, np.minimum(overdue, rand_int(rng, 0, 90, size=r)), 0)
    balance = np.where(corp[who], np.maximum(size[who], 5e5) * rng.uniform(0.0, 1.5, r),
                       np.where(u[1] < 0.4, rng.lognormal(np.log(1e5), 0.8, r), 0.0))
    balance = np.where(u[2] < 0.3, 0.0, np.round(balance, -2))
    over90 = np.where(overdue > 90, np.round(balance * rng.uniform(0.2, 0.8, r), -2), 0.0)
    return {
        "party": party[who], "date": date, "overdue": overdue.astype(np.int64),
        "arrears": arrears.astype(np.int64), "balance": balance, "over90": over90,
        "npl": (overdue > 90) & (balance > 0), "litigation": red & (w >= SUB) & (u[3] < 0.3),
        "new_overdue": np.where(overdue > 0, rand_int(rng, 1, 3, size=r), 0).astype(np.int64),
        "enforcement": (w >= SUB + 2) & (u[4] < 0.3),
    }


def _may_be_red(s: dict[str, Any], per: dict[str, np.ndarray]) -> np.ndarray:
    """Per borrower: whether its credit report may show a direct-listing fact, i.e. it is in
    key mode and every borrower whose loan it guarantees (互保) is in key mode too (a
    guarantor's facts count for the borrowers it guarantees)."""
    key = s["key_mode"][per["first"]]
    party = s["g_party"]
    inside = party >= 0
    regular = np.zeros(len(key), bool)
    np.logical_or.at(regular, party[inside], ~s["key_mode"][s["g_loan"][inside]])
    return key & ~regular


# --------------------------------------------------------------------------- frames


def _text(values: Any) -> pd.Series:
    out = pd.Series(values, dtype="str")
    return out.mask(out == "")


def _days(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]").astype("datetime64[ns]")


def file_frames(file: BorrowerFile, s: dict[str, Any], loan_id: np.ndarray
                ) -> dict[str, pd.DataFrame]:
    """The five sheets in canonical form (the columns and dtypes the loader returns)."""
    from postloan_audit.core.schema import SHEETS

    c, g, f, x, li = (file.collateral, file.guarantees, file.financials, file.external,
                      file.lists)
    borrower_id = s["borrower_id"]
    first = np.full(int(s["borrower"].max()) + 1, -1, np.int64)
    first[s["borrower"][::-1]] = np.arange(len(s["borrower"]))[::-1]
    real_estate = np.isin(c["type"], [_T[t] for t in ("residential", "commercial", "land",
                                                      "plant")])
    year = c["appraised"].astype("datetime64[Y]").astype(np.int64) + 1970
    disb_year = s["disbursement"].astype("datetime64[Y]").astype(np.int64) + 1970
    cert = np.select(
        [real_estate, c["type"] == _T["deposit"], c["type"] == _T["vehicle"]],
        [strcat("(", year, ")", s["county"], "不动产证明第", zfill(c["cert"], 7), "号"),
         strcat("CD", zfill(c["cert"], 12)), strcat("JDC", zfill(c["cert"], 9))], "")
    frames = {
        "collateral": pd.DataFrame({
            "collateral_id": _text(strcat("YP", disb_year[c["owner"]],
                                          zfill(s["loan_seq"][c["owner"]], 8),
                                          np.where(c["slot"] == 2, "02", "01"))),
            "loan_id": _text(loan_id[c["loan"]]),
            "borrower_id": _text(borrower_id[c["loan"]]),
            "collateral_type": _text(np.asarray(COLLATERAL_TYPES)[c["type"]]),
            "appraised_value": c["value"].astype(np.float64),
            "appraisal_date": _days(c["appraised"]),
            "appraiser": _text(np.where(c["external"], "external", "internal")),
            "previous_value": c["previous"].astype(np.float64),
            "previous_appraisal_date": _days(c["previous_date"]),
            "lien_rank": c["lien"].astype(np.int64),
            "prior_claims": c["prior"].astype(np.float64),
            "insurance_expiry": _days(c["insurance"]),
            "title_certificate": _text(cert),
            "release_date": _days(c["release"]),
            "inspection_date": _days(c["inspection"]),
        }),
        "guarantees": pd.DataFrame({
            "loan_id": _text(loan_id[g["loan"]]), "guarantor_id": _text(g["id"]),
            "guarantor_name": _text(g["name"]),
            "guarantor_type": _text(np.asarray(GUARANTOR_KINDS)[g["kind"]]),
            "guaranteed_amount": g["amount"].astype(np.float64),
            "guarantor_rating": _text(g["rating"]),
            "guarantor_rating_date": _days(g["rating_date"]), "id_number": _text(g["idnum"]),
        }),
        "financials": pd.DataFrame({
            "borrower_id": _text(borrower_id[first[f["borrower"]]]),
            "period_end": _days(f["end"]), "period_type": _text(f["kind"]),
            **{name: f[name].astype(np.float64) for name in (
                "total_assets", "total_liabilities", "current_assets", "current_liabilities",
                "revenue", "cost_of_sales", "net_profit", "operating_cash_flow")},
            "audited": f["audited"].astype(bool), "received_date": _days(f["received"]),
        }),
        "external": pd.DataFrame({
            "party_id": _text(x["party"]), "report_date": _days(x["date"]),
            "other_bank_overdue_days": x["overdue"], "other_bank_arrears_days": x["arrears"],
            "other_bank_balance": x["balance"].astype(np.float64),
            "other_bank_overdue90_balance": x["over90"].astype(np.float64),
            "other_bank_npl": x["npl"].astype(bool),
            "other_bank_litigation": x["litigation"].astype(bool),
            "new_overdue_count": x["new_overdue"], "enforcement": x["enforcement"].astype(bool),
        }),
        "lists": pd.DataFrame({
            "borrower_id": _text(borrower_id[first[li["borrower"]]]),
            "list_type": _text(li["kind"]), "listed_date": _days(li["listed"]),
            "removed_date": _days(li["removed"]), "reason": _text(li["reason"]),
            "officer": _text(li["officer"]),
        }),
    }
    for name, frame in frames.items():
        assert list(frame.columns) == [col.name for col in SHEETS[name].columns], name
    return frames
