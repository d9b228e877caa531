"""The primary draw (主数据): branches, borrowers, loans, products, classes, arrears and dates.

:func:`draw_primary` draws the state every later stage starts from, clean: a county (县域)
network of sub-branches (城关支行, XX镇支行 …), borrowers (户) holding one or several loans
(笔), corporate (对公) and individual (个人) products with heavy-tailed balances and guarantee
combinations (抵押+保证 …), a five-tier class (五级分类) exact by loan count, overdue days inside
each class's floors, and collateral (押品) values. Bullet loans in arrears matured exactly that
long before ``as_of``; every other loan matures after it. :func:`draw_loan_sequence` numbers the
loans in disbursement order, as a core system issues them; :func:`draw_callbacks` (from the
second stream) dates the first callback of each personal loan.

Names are synthetic and id numbers obviously fake (region code ``990000``, which no real person
or company can hold).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.synth.draws import (
    MONTH_MIN_DAYS,
    NAT_DAY,
    add_months_in_days,
    rand_int,
    strcat,
    to_day,
    zfill,
)
from postloan_audit.synth.vocabulary import (
    CLASS_SHARES,
    CORP_KINDS,
    CORP_PRODUCT_P,
    COUNTIES,
    GIVEN,
    GUARANTEE_CANON,
    GUARANTEE_LABELS,
    IND_PRODUCT_P,
    NORMAL,
    OVERDUE_RANGES,
    OVERDUE_SHARE,
    PRODUCTS,
    SM,
    SURNAMES,
    TOWNS,
    TRADE,
)


def _pick(rng: np.random.Generator, labels: Sequence[Any], probs: Sequence[float],
          size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(labels)[rng.choice(len(p), size=size, p=p / p.sum())]


def _branch_names(count: int) -> list[str]:
    names = ["城关支行"]
    i = 0
    while len(names) < count:
        town = TOWNS[i % len(TOWNS)]
        rnd = i // len(TOWNS)
        names.append(f"{town}镇支行" if rnd == 0 else f"{town}镇第{rnd + 1}支行")
        i += 1
    return names[:count]


def person_names(rng: np.random.Generator, size: int) -> np.ndarray:
    surname = SURNAMES[rng.integers(0, len(SURNAMES), size)]
    g1 = GIVEN[rng.integers(0, len(GIVEN), size)]
    g2 = np.where(rng.random(size) < 0.65, GIVEN[rng.integers(0, len(GIVEN), size)], "")
    return strcat(surname, g1, g2)


def _id_check_digits(body: np.ndarray) -> np.ndarray:
    """GB 11643 check characters for an (n, 17) digit matrix (makes the fakes well formed)."""
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    codes = np.array(list("10X98765432"))
    return codes[(body * weights).sum(axis=1) % 11]


def fake_person_ids(rng: np.random.Generator, size: int) -> np.ndarray:
    # Region 990000 is not an administrative division code: these can never be real.
    birth = to_day("1955-01-01") + rng.integers(0, 45 * 365, size)
    ymd = pd.DatetimeIndex(birth.astype("datetime64[ns]")).strftime("%Y%m%d").to_numpy(str)
    seq = zfill(rng.integers(0, 1000, size), 3)
    body = strcat("990000", ymd, seq)
    digits = np.frombuffer("".join(body.tolist()).encode("ascii"), dtype=np.uint8)
    digits = (digits.reshape(size, 17) - ord("0")).astype(np.int64) if size else np.zeros(
        (0, 17), np.int64)
    return strcat(body, _id_check_digits(digits)) if size else body


def credit_codes(bodies: np.ndarray) -> np.ndarray:
    """统一社会信用代码 with valid check characters (GB 32100-2015, GB 11714-1997) for 8-digit
    组织机构代码 bodies: ``91`` (enterprise), region ``990000`` (not an administrative division
    code: these can never be real), the body, its GB 11714 check, the MOD 31 check."""
    from postloan_audit.parties.ids import (
        _ORG_WEIGHTS,
        _USCC_VALUE,
        _USCC_WEIGHTS,
        USCC_ALPHABET,
    )

    size = len(bodies)
    if not size:
        return np.asarray(bodies, dtype=str)
    digits = (np.frombuffer("".join(bodies.tolist()).encode("ascii"), dtype=np.uint8)
              .reshape(size, 8).astype(np.int64) - ord("0"))
    org = 11 - (digits * _ORG_WEIGHTS).sum(axis=1) % 11
    org_char = np.where(org == 10, "X", np.where(org == 11, "0", org.astype(str)))
    head = strcat("91990000", bodies, org_char)
    chars = np.frombuffer("".join(head.tolist()).encode("ascii"), dtype=np.uint8).reshape(
        size, 17)
    check = (31 - (_USCC_VALUE[chars] * _USCC_WEIGHTS).sum(axis=1) % 31) % 31
    return strcat(head, np.array(list(USCC_ALPHABET))[check])


#: 组织机构代码 bodies of the generated companies, by kind, so that two kinds never share one:
#: borrowers, guarantor companies outside the book, guarantee companies (担保公司).
COMPANY_BODIES = {"borrower": (0, 50_000_000), "outside": (50_000_000, 40_000_000),
                  "guarantee_company": (90_000_000, 10_000_000)}


def distinct_in_span(values: np.ndarray, span: int) -> np.ndarray:
    """``values`` (in ``[0, span)``) made pairwise distinct by moving each repeat up to the
    next free value, in place order kept (``len(values)`` at most ``span``)."""
    order = np.argsort(values, kind="stable")
    steps = np.arange(len(values), dtype=np.int64)
    moved = np.maximum.accumulate(values[order].astype(np.int64) - steps) + steps
    over = moved >= span  # the few pushed past the end take the free values at the start
    if over.any():
        free = np.setdiff1d(np.arange(span, dtype=np.int64), moved[~over])[:over.sum()]
        moved[over] = free
    out = np.empty(len(values), dtype=np.int64)
    out[order] = moved
    return out


def fake_company_ids(rng: np.random.Generator, size: int, kind: str = "borrower"
                     ) -> np.ndarray:
    """统一社会信用代码 of ``size`` generated companies of one kind (:data:`COMPANY_BODIES`),
    all different, with valid check characters (:func:`credit_codes`). The draws are the same
    as ever, so the rest of the book does not move."""
    base, span = COMPANY_BODIES[kind]
    draws = rng.integers(0, 10**9, size) % span
    return credit_codes(zfill(base + distinct_in_span(draws, span), 8))


def draw_primary(rng: np.random.Generator, n: int, n_branches: int, as_of: np.datetime64,
                 horizon_months: int = 0) -> dict[str, np.ndarray]:
    """Loans, borrowers, products, classes, overdue days, terms and dates (clean)."""
    s: dict[str, Any] = {}
    county = str(COUNTIES[rng.integers(0, len(COUNTIES))])
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
    officer_names = person_names(rng, n_branches * officers_per_branch)
    b_officer = officer_names[b_branch * officers_per_branch
                              + rng.integers(0, officers_per_branch, nb)]
    # Each branch's officers (客户经理), one row per branch: OFFICER-ONE plants from them.
    s["officer_roster"] = officer_names.reshape(n_branches, officers_per_branch)
    kind = rng.integers(0, len(CORP_KINDS), nb)
    corp_names = strcat(county, TRADE[rng.integers(0, len(TRADE), nb)], CORP_KINDS[kind],
                        "有限公司")
    b_name = np.where(b_corp, corp_names, person_names(rng, nb))
    b_idnum = np.where(b_corp, fake_company_ids(rng, nb), fake_person_ids(rng, nb))
    b_ids = zfill(rng.permutation(nb) + 10_000, 10)

    # Five-tier class per borrower, exact by loan count (a shuffled walk over borrowers).
    order = rng.permutation(nb)
    before = np.empty(nb, np.int64)
    before[order] = np.concatenate([[0], np.cumsum(counts[order])[:-1]])
    edges = np.cumsum(CLASS_SHARES[::-1])[:-1] * n  # worst class first
    b_class = 4 - np.searchsorted(edges, before, side="right")
    b_key = rng.random(nb) < np.where(b_class == NORMAL, np.where(b_corp, 0.10, 0.03),
                                      np.where(b_corp, 0.6, 0.3))
    b_exit = b_corp & (rng.random(nb) < np.where(b_class == SM, 0.25,
                                                 np.where(b_class == NORMAL, 0.03, 0.0)))

    corp = b_corp[b_of]
    cls = b_class[b_of].astype(np.int64)
    s.update(borrower=b_of, borrower_id=b_ids[b_of], borrower_name=b_name[b_of],
             id_number=b_idnum[b_of], corporate=corp, branch_idx=b_branch[b_of],
             loan_officer=b_officer[b_of], key_mode=b_key[b_of], exit_list=b_exit[b_of],
             industry_kind=kind[b_of])

    # Products and their attributes.
    product = np.where(corp, 3 + rng.choice(2, n, p=CORP_PRODUCT_P),
                       rng.choice(3, n, p=IND_PRODUCT_P))
    installment = np.zeros(n, bool)
    term = np.zeros(n, np.int64)
    balance = np.zeros(n)
    self_pay = np.zeros(n, bool)
    g_code = np.zeros(n, np.int64)
    for k, (_, _, inst_p, terms, median, sigma, self_p, mix) in enumerate(PRODUCTS):
        m = product == k
        c = int(m.sum())
        installment[m] = rng.random(c) < inst_p
        term[m] = np.asarray(terms)[rng.integers(0, len(terms), c)]
        balance[m] = rng.lognormal(np.log(median), sigma, c)
        self_pay[m] = rng.random(c) < self_p
        codes = [int(np.flatnonzero(GUARANTEE_LABELS == g)[0]) for g, _ in mix]
        g_code[m] = _pick(rng, codes, [p for _, p in mix], c)
    g_label = GUARANTEE_LABELS[g_code]
    g_canon = GUARANTEE_CANON[g_code]
    s.update(product=product, installment=installment, self_pay=self_pay,
             guarantee_label=g_label, guarantee=g_canon)
    s["balance"] = np.round(np.maximum(balance, 1_000.0), 2)

    # Clean extensions (corporate bullet loans, within half the limit), refinancing,
    # restructuring (never on a normal loan).
    ext = np.where(corp & ~installment & (rng.random(n) < 0.06),
                   np.where(term <= 6, 3, rng.choice([3, 6], n)), 0)
    s["extension"] = ext.astype(np.int64)
    s["refinanced"] = corp & (rng.random(n) < 0.03)
    s["restructured"] = corp & (cls >= SM) & (rng.random(n) < 0.25)

    # Overdue days consistent with the class.
    lo = np.array([r[0] for r in OVERDUE_RANGES])[cls]
    hi = np.array([r[1] for r in OVERDUE_RANGES])[cls]
    od = np.where(rng.random(n) < OVERDUE_SHARE[cls], rand_int(rng, lo, hi), 0)
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
    m_min = np.where(installment & (od > 0), -(-(od + 60) // MONTH_MIN_DAYS) + 1, 0)
    too_short = installment & (term + ext <= m_min + 1)
    term = np.where(too_short, (m_min // 12 + 2) * 12, term)
    total = term + ext
    dd = rng.integers(1, 29, n)
    # For snapshot series most loans outlive the last snapshot (a few still mature between).
    horizon = np.where(rng.random(n) < 0.9, horizon_months, 0)
    m = rand_int(rng, m_min, np.maximum(total - 1 - horizon, m_min))
    disb = (d_month - m).astype("datetime64[D]") + (dd - 1)
    late = disb > D
    disb = np.where(late, (d_month - m - 1).astype("datetime64[D]") + (dd - 1), disb)
    maturity = add_months_in_days(disb, total)
    # Bullet arrears: matured od days ago (moved back to day 28 at most).
    target = D - od
    t_month = target.astype("datetime64[M]")
    t_day = np.minimum((target - t_month.astype("datetime64[D]")).astype(np.int64), 27)
    mat_od = t_month.astype("datetime64[D]") + t_day
    maturity = np.where(bullet_od, mat_od, maturity)
    disb = np.where(bullet_od, add_months_in_days(maturity, -total), disb)
    od = np.where(bullet_od, (D - maturity).astype(np.int64), od)
    s.update(term=term, disbursement=disb, maturity=maturity, overdue=od.astype(np.int64))



def draw_loan_sequence(rng: np.random.Generator, s: dict[str, Any]) -> np.ndarray:
    """Distinct 8-digit sequence numbers in disbursement order (as a core system issues them)."""
    n = len(s["class"])
    order = np.lexsort((rng.random(n), s["disbursement"]))
    seq = np.empty(n, np.int64)
    seq[order] = np.arange(n) * 7 + rng.integers(0, 7, n)
    return seq + 1


def draw_callbacks(rng: np.random.Generator, s: dict[str, Any], policy: Policy) -> None:
    """The first callback (首次回访) of each personal loan, from the second stream.

    Dated from the disbursement day to the last day of the callback period
    (``policy.callback.days``; ``self_payment_days`` for self-paid loans), so it is never late;
    :func:`~postloan_audit.synth.frames.to_frames` blanks the callbacks still after ``as_of``
    (a loan disbursed a few days before ``as_of`` has not been called back yet, which
    CALLBACK-FIRST allows). Corporate loans have none. Drawn once per network: the callback of
    a loan is the same in every snapshot.
    """
    p = policy.callback
    limit = np.where(s["self_pay"], p.self_payment_days, p.days)
    days = rand_int(rng, 0, limit)
    s["callback"] = np.where(s["corporate"], NAT_DAY, s["disbursement"] + days)
