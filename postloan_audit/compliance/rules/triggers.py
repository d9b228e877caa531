"""Cases for direct listing on the 授信风险监控名单 (直接列入情形), and the other-bank facts that
make a warning red.

``003_…`` 第三篇 多选题10 (answer ABD; the key stands before the question's number): a credit client
is in principle listed directly when (A) 关联企业、主要股东出现问题导致集团性风险蔓延, (B) 授信主体或
担保主体在他行贷款逾期或欠息30天以上, (D) 授信主体或担保主体在其他银行的借款被诉讼; (C) 信用等级下降
alone is not such a case.

Each function returns :class:`BorrowerFacts`: the borrowers with an outstanding loan (codes of
:attr:`~postloan_audit.compliance.rules.context.CheckContext.borrower_codes`) meeting a case, and
the facts behind each in Chinese (the numbers, dates and parties). The rule ``LIST-WATCH`` reads
:func:`direct_listing`; the warning signals of :mod:`postloan_audit.warning` (EW-OB-OVERDUE,
EW-OB-SUIT, EW-GROUP, EW-ENFORCE, EW-OB-NPL90) read the same functions, so that a direct-listing
signal and the compliance finding never disagree. Each is computed once per context.

A party's record is its latest report in the ``external`` sheet dated on or before D
(:attr:`~postloan_audit.compliance.rules.context.CheckContext.latest_external`); a guarantor's
record counts for every borrower whose outstanding loan it guarantees
(:attr:`~postloan_audit.compliance.rules.context.CheckContext.guarantor_rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules.context import (
    CheckContext,
    by_loan,
    fmt_date,
    fmt_fixed,
    fmt_int,
    wan,
)

#: The ``external`` columns each case reads (any one of a tuple will do).
OTHER_BANK_OVERDUE_COLUMNS: tuple[str, ...] = ("other_bank_overdue_days",
                                               "other_bank_arrears_days")
OTHER_BANK_NPL90_COLUMNS: tuple[str, ...] = ("other_bank_overdue90_balance", "other_bank_balance")
#: Red cases of a group member (EW-GROUP's "red"): the facts of the red signals, by name.
RED_CASES_ZH: dict[str, str] = {
    "other_bank_overdue": "他行逾期或欠息",
    "other_bank_suit": "被他行起诉",
    "enforcement": "被执行或失信",
    "other_bank_npl90": "他行逾期90天以上债务占比超限",
}


@dataclass(frozen=True)
class BorrowerFacts:
    """Borrowers meeting a case: sorted borrower codes and one Chinese message per borrower."""

    borrowers: np.ndarray
    message: pd.Series

    def __len__(self) -> int:
        return len(self.borrowers)

    @classmethod
    def empty(cls) -> BorrowerFacts:
        return cls(np.empty(0, dtype=np.int64), pd.Series([], dtype="str"))


def _memo(ctx: CheckContext, key: str, build: Callable[[], BorrowerFacts]) -> BorrowerFacts:
    """``build()`` once per context (LIST-WATCH and every signal share it)."""
    cache = ctx.__dict__.setdefault("_listing_facts", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def has_external(ctx: CheckContext, columns: tuple[str, ...], *, every: bool = False) -> bool:
    """Whether the ``external`` sheet holds any (or ``every``) of ``columns``."""
    if ctx.external is None:
        return False
    found = [c in ctx.external.columns for c in columns]
    return all(found) if every else any(found)


def _ints(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    return frame[column].fillna(0).to_numpy(dtype=np.int64)


def _flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].fillna(False).to_numpy(dtype=bool)


def _amounts(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def party_facts(ctx: CheckContext, hit: np.ndarray, fact: pd.Series, *,
                guarantors: bool = True) -> BorrowerFacts:
    """Borrowers whose own latest report, or (``guarantors``) a guarantor's, has ``hit``.

    ``hit`` is a mask over :attr:`CheckContext.latest_external`; ``fact`` the text of each hit
    report, in row order. Each borrower's message names the party and its report's date before
    each fact (``借款人(2026-09-15征信):…``, ``保证人某公司(G1,2026-09-15征信):…``), the borrower
    first, joined by ``;``.
    """
    latest = ctx.latest_external
    hits = np.flatnonzero(hit)
    slot = np.full(len(latest), -1, dtype=np.int64)
    slot[hits] = np.arange(len(hits))
    dates = pd.to_datetime(latest["report_date"]).to_numpy(dtype="datetime64[ns]")[hits]
    told = fmt_date(dates) + "征信):" + fact.reset_index(drop=True)  # one per hit report
    own = ctx.external_of_borrower
    mine = own >= 0
    mine[mine] = hit[own[mine]]
    mine &= ctx.borrower_active
    borrowers = [np.flatnonzero(mine)]
    texts = [("借款人(" + told.iloc[slot[own[borrowers[0]]]].reset_index(drop=True)
              ).to_numpy(dtype=object)]
    if guarantors and ctx.guarantees is not None:
        g = ctx.guarantor_rows
        report = g["report"].to_numpy(dtype=np.int64)
        sel = hit[report] if len(report) else np.zeros(0, dtype=bool)
        gs = g.loc[sel].reset_index(drop=True)
        name, gid = gs["guarantor_name"], gs["guarantor_id"]
        who = ("保证人" + name + "(" + gid + ",").where(name.notna(), "保证人" + gid + "(")
        borrowers.append(gs["borrower"].to_numpy(dtype=np.int64))
        texts.append((who + told.iloc[slot[report[sel]]].reset_index(drop=True)
                      ).to_numpy(dtype=object))
    positions, message, _ = by_loan(np.concatenate(borrowers), np.concatenate(texts))
    return BorrowerFacts(positions, message)


def other_bank_overdue(ctx: CheckContext) -> BorrowerFacts:
    """多选10 B: the borrower or a guarantor overdue or in interest arrears at another bank for
    ``warning.other_bank_overdue_days`` days or more (他行逾期或欠息30天以上)."""
    def build() -> BorrowerFacts:
        days = ctx.policy.warning.other_bank_overdue_days
        latest = ctx.latest_external
        overdue = _ints(latest, "other_bank_overdue_days")
        arrears = _ints(latest, "other_bank_arrears_days")
        hit = (overdue >= days) | (arrears >= days)
        o, a = overdue[hit], arrears[hit]
        parts = (pd.Series(np.where(o >= days, "他行逾期", ""), dtype="str")
                 + fmt_int(np.where(o >= days, o, np.nan)).fillna("")
                 + pd.Series(np.where(o >= days, "天", ""), dtype="str")
                 + pd.Series(np.where((o >= days) & (a >= days), "、", ""), dtype="str")
                 + pd.Series(np.where(a >= days, "他行欠息", ""), dtype="str")
                 + fmt_int(np.where(a >= days, a, np.nan)).fillna("")
                 + pd.Series(np.where(a >= days, "天", ""), dtype="str"))
        return party_facts(ctx, hit, parts + f"(标准:{days}天以上)")
    return _memo(ctx, "other_bank_overdue", build)


def other_bank_suit(ctx: CheckContext) -> BorrowerFacts:
    """多选10 D: the borrower or a guarantor sued by another bank (``other_bank_litigation``)."""
    def build() -> BorrowerFacts:
        hit = _flags(ctx.latest_external, "other_bank_litigation")
        fact = pd.Series(np.full(int(hit.sum()), "在他行的借款被起诉", dtype=object), dtype="str")
        return party_facts(ctx, hit, fact)
    return _memo(ctx, "other_bank_suit", build)


def enforcement(ctx: CheckContext) -> BorrowerFacts:
    """The borrower or a guarantor under enforcement or on the 失信 list (``enforcement``): a
    red warning by bank practice; not a direct-listing case of 多选10."""
    def build() -> BorrowerFacts:
        hit = _flags(ctx.latest_external, "enforcement")
        fact = pd.Series(np.full(int(hit.sum()), "被列为被执行人或失信被执行人", dtype=object),
                         dtype="str")
        return party_facts(ctx, hit, fact)
    return _memo(ctx, "enforcement", build)


def other_bank_npl90(ctx: CheckContext) -> BorrowerFacts:
    """《商业银行金融资产风险分类办法》(2023): the borrower's debt overdue more than 90 days at other
    banks is more than ``warning.other_bank_npl90_share`` of its debt at all banks (our
    outstanding balance plus ``other_bank_balance``), while a loan of ours is not NPL. Exactly
    the share is not "more than". The borrower's own report only."""
    def build() -> BorrowerFacts:
        share = ctx.policy.warning.other_bank_npl90_share
        latest = ctx.latest_external
        own = ctx.external_of_borrower
        has = (own >= 0) & ctx.borrower_active
        b = np.flatnonzero(has)
        rows = own[b]
        o90 = np.nan_to_num(_amounts(latest, "other_bank_overdue90_balance")[rows], nan=0.0)
        other = np.nan_to_num(_amounts(latest, "other_bank_balance")[rows], nan=0.0)
        ours = ctx.borrower_balance[b]
        total = ours + other
        performing = ctx.per_borrower(
            np.where(ctx.active & ~ctx.npl, np.nan_to_num(ctx.amount("balance"), nan=0.0),
                     0.0), "sum")[b]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(total > 0, o90 / total, 0.0)
        hit = (ratio > share * (1 + 1e-12)) & (performing > 0)
        dates = fmt_date(pd.to_datetime(latest["report_date"]).to_numpy(
            dtype="datetime64[ns]")[rows[hit]])
        message = ("借款人(" + dates + "征信):他行逾期90天以上余额" + wan(o90[hit])
                   + "万元,占其在各银行债务" + wan(total[hit]) + "万元(本行" + wan(ours[hit])
                   + "万元、他行" + wan(other[hit]) + "万元)的" + fmt_fixed(ratio[hit] * 100, 2)
                   + f"%,超过{share * 100:g}%;本行尚有非不良贷款余额" + wan(performing[hit])
                   + "万元")
        return BorrowerFacts(b[hit], message)
    return _memo(ctx, "other_bank_npl90", build)


#: The red cases by name (:data:`RED_CASES_ZH`): each function and the ``external`` columns it
#: needs (any one of them).
RED_CASES: dict[str, tuple[Callable[[CheckContext], BorrowerFacts], tuple[str, ...], bool]] = {
    "other_bank_overdue": (other_bank_overdue, OTHER_BANK_OVERDUE_COLUMNS, False),
    "other_bank_suit": (other_bank_suit, ("other_bank_litigation",), False),
    "enforcement": (enforcement, ("enforcement",), False),
    "other_bank_npl90": (other_bank_npl90, OTHER_BANK_NPL90_COLUMNS, True),
}


def red_cases(ctx: CheckContext) -> dict[str, np.ndarray]:
    """Per red case whose data is present: a mask over borrower codes."""
    k = ctx.borrower_codes[1]
    out = {}
    for name, (function, columns, every) in RED_CASES.items():
        if has_external(ctx, columns, every=every):
            mask = np.zeros(k, dtype=bool)
            mask[function(ctx).borrowers] = True
            out[name] = mask
    return out


def _first_names(ctx: CheckContext, borrowers: np.ndarray) -> pd.Series:
    """The ``borrower_name`` (else the id) of each borrower code, from its first loan."""
    codes, k = ctx.borrower_codes
    first = np.full(k, -1, dtype=np.int64)
    valid = np.flatnonzero(codes >= 0)[::-1]
    first[codes[valid]] = valid
    pos = first[borrowers]
    ids = pd.Series(ctx.borrower_ids.take(borrowers), dtype="str")
    if "borrower_name" not in ctx.loans.columns:
        return ids
    names = ctx.loans["borrower_name"].iloc[pos].reset_index(drop=True).astype("str")
    return (names + "(" + ids + ")").where(names.notna(), ids)


def group_contagion(ctx: CheckContext) -> BorrowerFacts:
    """多选10 A: another borrower of the same group (``group_id``, 集团客户 / 关联集团) is NPL (an
    outstanding NPL loan), on an exit list (an ``exit`` entry of the ``lists`` sheet in force at
    D, or ``exit_list`` on an outstanding loan), or meets a red case (:func:`red_cases`: its own
    or a guarantor's other-bank overdue or suit, enforcement, other-bank 90-day debt share) —
    the group's risk spreading (集团性风险蔓延). A borrower is in every group named on any of its
    loans."""
    def build() -> BorrowerFacts:
        codes, k = ctx.borrower_codes
        group, names = pd.factorize(ctx.loans["group_id"])
        keep = (codes >= 0) & (group >= 0)
        pairs = np.unique(codes[keep].astype(np.int64) * max(len(names), 1) + group[keep])
        member = pairs // max(len(names), 1)
        gcode = pairs % max(len(names), 1)
        exit_listed = ctx.per_borrower(ctx.active & ctx.flag("exit_list"))
        if ctx.lists is not None:
            listed = ctx.active_listings
            exit_listed[listed.loc[listed["list_type"] == "exit", "borrower"]
                        .to_numpy(np.int64)] = True
        reasons = {"npl": ctx.borrower_npl, "exit": exit_listed}
        red = red_cases(ctx)
        any_red = np.zeros(k, dtype=bool)
        for mask in red.values():
            any_red |= mask
        bad = reasons["npl"] | reasons["exit"] | any_red
        sick = np.flatnonzero(bad[member])
        left = pd.DataFrame({"group": gcode, "borrower": member})
        left = left.loc[ctx.borrower_active[member]]
        right = pd.DataFrame({"group": gcode[sick], "other": member[sick]})
        pairs = left.merge(right, on="group", how="inner")
        pairs = pairs.loc[pairs["borrower"] != pairs["other"]].sort_values(
            ["borrower", "group", "other"], kind="stable")
        other = pairs["other"].to_numpy(dtype=np.int64)
        why = pd.Series(np.full(len(other), "", dtype=object), dtype="str")
        for flag, text in ((reasons["npl"], "有不良贷款"), (reasons["exit"], "已列入退出名单")):
            why = why + pd.Series(np.where(flag[other], text + "、", ""), dtype="str")
        red_text = pd.Series(np.full(len(other), "", dtype=object), dtype="str")
        for name, mask in red.items():
            red_text = red_text + pd.Series(np.where(mask[other], RED_CASES_ZH[name] + "、", ""),
                                            dtype="str")
        red_text = red_text.str[:-1]
        why = why + ("存在红色预警情形(" + red_text + ")、").where(red_text != "", "")
        text = ("同一集团(" + pd.Series(names.to_numpy(dtype=object)[pairs["group"].to_numpy()],
                                     dtype="str")
                + ")成员" + _first_names(ctx, other) + why.str[:-1])
        positions, message, _ = by_loan(pairs["borrower"].to_numpy(dtype=np.int64),
                                        text.to_numpy(dtype=object))
        return BorrowerFacts(positions, message)
    return _memo(ctx, "group_contagion", build)


#: The direct-listing cases of 多选10 (ABD), by name: function, needs (a loans column or
#: ``external`` columns, any one), and the case's words.
DIRECT_CASES: dict[str, tuple[Callable[[CheckContext], BorrowerFacts], str]] = {
    "other_bank_overdue": (other_bank_overdue, "他行逾期或欠息"),
    "other_bank_suit": (other_bank_suit, "被他行起诉"),
    "group_contagion": (group_contagion, "集团性风险蔓延"),
}


def direct_listing_available(ctx: CheckContext) -> dict[str, bool]:
    """Which direct-listing cases the data lets us judge."""
    return {"other_bank_overdue": has_external(ctx, OTHER_BANK_OVERDUE_COLUMNS),
            "other_bank_suit": has_external(ctx, ("other_bank_litigation",)),
            "group_contagion": ctx.has("group_id")}


def direct_listing(ctx: CheckContext) -> BorrowerFacts:
    """Borrowers meeting any direct-listing case of 多选10 (A, B or D) that the data lets us
    judge (:func:`direct_listing_available`), the facts of every case met joined by ``;``."""
    def build() -> BorrowerFacts:
        positions, texts = [], []
        for name, ok in direct_listing_available(ctx).items():
            if ok:
                facts = DIRECT_CASES[name][0](ctx)
                positions.append(facts.borrowers)
                texts.append(facts.message.to_numpy(dtype=object))
        if not positions:
            return BorrowerFacts.empty()
        pos, message, _ = by_loan(np.concatenate(positions), np.concatenate(texts))
        return BorrowerFacts(pos, message)
    return _memo(ctx, "direct_listing", build)
