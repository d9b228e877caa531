"""Accountability rules (管户责任): ``OFFICER-ONE``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.context import CheckContext


def _officer_one(ctx: CheckContext) -> Hits:
    """Every outstanding loan of a borrower whose outstanding loans name more than one
    distinct ``loan_officer``, or none.

    ``001_…`` 篇五: "每个企业明确一名客户经理,客户经理为第一责任人"; 篇四 5: "不得将一个客户的档案
    分散由不同的客户经理管理". A loan with a blank officer does not count as another officer; a
    borrower none of whose loans names one has no responsible manager. The message lists the
    officers (sorted).
    """
    codes, k = ctx.borrower_codes
    active = ctx.active & (codes >= 0)
    officers = ctx.loans["loan_officer"].astype("str")
    officer_codes, names = pd.factorize(officers)
    named = active & (officer_codes >= 0)
    width = max(len(names), 1)
    pairs = np.unique(codes[named].astype(np.int64) * width + officer_codes[named])
    pair_borrower, pair_officer = pairs // width, pairs % width
    count = np.bincount(pair_borrower, minlength=k)
    outstanding = np.bincount(codes[active], minlength=k) > 0
    flagged = outstanding & (count != 1)
    mask = active & flagged[np.where(codes < 0, 0, codes)]
    sel = np.flatnonzero(mask)
    # Officer names per flagged borrower, sorted, joined with 、 in one reduction.
    several = flagged[pair_borrower]
    pair_borrower, pair_officer = pair_borrower[several], pair_officer[several]
    listing = pd.Series(np.full(k, "", dtype=object), dtype="str")
    if len(pair_borrower):
        order = np.lexsort((np.asarray(names, dtype=object)[pair_officer].astype(str),
                            pair_borrower))
        pair_borrower, pair_officer = pair_borrower[order], pair_officer[order]
        first = np.flatnonzero(np.r_[True, pair_borrower[1:] != pair_borrower[:-1]])
        text = np.char.add(np.asarray(names, dtype=object)[pair_officer].astype(str), "、")
        joined = pd.Series(np.add.reduceat(text.astype(object), first), dtype="str").str[:-1]
        listing.iloc[pair_borrower[first]] = joined.to_numpy()
    b = codes[sel]
    n_officers = count[b]
    message = ("客户名下在贷借据由" + pd.Series(n_officers).astype("str") + "名客户经理管理:"
               + listing.iloc[b].reset_index(drop=True)).where(
        n_officers > 1, "客户名下在贷借据均未登记客户经理")
    message = message + ";每个客户应明确一名客户经理作为第一责任人,客户档案不得分散由不同的客户经理管理"
    return Hits(sel, message.reset_index(drop=True))


OFFICER_ONE = Rule(
    id="OFFICER-ONE",
    title_zh="客户未明确唯一客户经理",
    title_en="Borrower without exactly one loan officer",
    severity=Severity.LOW,
    citation=cite.SEED_001_OFFICER,
    params=(),
    needs=("balance", "loan_officer"),
    evaluate=_officer_one,
)
