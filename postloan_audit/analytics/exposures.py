"""Large exposures and concentration (大额风险暴露与集中度): :func:`large_exposures`,
:func:`concentration`.

* 《商业银行大额风险暴露管理办法》(中国银保监会令2018年第1号): a 大额风险暴露 is an exposure to one
  client or a group of connected clients of at least ``analytics.large_exposure_share`` (10%)
  of 一级资本净额; a non-interbank single client's exposure may not exceed 15% of 一级资本净额,
  a group of connected non-interbank clients' 20%.
* 《中华人民共和国商业银行法》 第三十九条: 对同一借款人的贷款余额与商业银行资本余额的比例不得超过
  百分之十 (loans to one borrower at most 10% of 资本净额).

The client is the resolved party (:func:`postloan_audit.parties.resolve_parties`: borrower ids
carrying one valid id number, or one name with an id number missing); the group is the
ledger's ``group_id`` (集团客户 / 关联集团), a party's group being the first ``group_id`` its
loans carry. The exposure measured is the outstanding loan balance of the ledger (贷款余额):
the 办法's exposure also counts off-balance-sheet items and other assets a loan ledger does not
hold, and every ledger client is taken as non-interbank (非同业). The capital amounts are the
bank's, at the data date, and have no default: a call without them is refused, naming what to
set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.analytics._common import (
    balances,
    extract_of,
    loan_parties,
    policy_of,
    provenance_of,
    require,
    text,
)
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.errors import AnalyticsError
from postloan_audit.core.extract import Extract
from postloan_audit.core.provenance import Provenance, ProvenanceAliases
from postloan_audit.parties.resolve import PartyResolution

#: ``kind`` of :func:`large_exposures` rows.
KIND_CLIENT = "非同业单一客户"
KIND_GROUP = "非同业集团客户或关联客户"
KIND_BORROWER = "单一借款人贷款"
#: The regulation behind each kind.
CITATIONS: dict[str, str] = {
    KIND_CLIENT: "《商业银行大额风险暴露管理办法》:非同业单一客户风险暴露不得超过一级资本净额的15%",
    KIND_GROUP: "《商业银行大额风险暴露管理办法》:一组非同业关联客户风险暴露不得超过一级资本净额的20%",
    KIND_BORROWER: "《商业银行法》第三十九条:对同一借款人的贷款余额与资本余额的比例不得超过10%",
}
EXPOSURE_COLUMNS = ["kind", "id", "name", "borrower_ids", "amount", "basis", "capital", "ratio",
                    "limit", "large_exposure", "breach", "citation"]
EXPOSURE_HEADERS: dict[str, str] = {
    "kind": "类别", "id": "客户/集团编号", "name": "名称", "borrower_ids": "客户号",
    "amount": "贷款余额(元)", "basis": "资本口径", "capital": "资本金额(元)", "ratio": "占比",
    "limit": "限额比例", "large_exposure": "大额风险暴露", "breach": "超过限额", "citation": "依据"}
#: What a caller is told when a capital amount is missing (the page and the command line too).
CAPITAL_HELP = ("请填写本行数据日期的一级资本净额(--tier1-capital)和资本净额(--capital),单位:元;"
                "本工具不设默认值。 / give the bank's tier-1 capital (--tier1-capital) and capital"
                " (--capital) at the data date, in yuan; there is no default.")
CONCENTRATION_HEADERS: dict[str, str] = {
    "rank": "排名", "value": "类别", "loans": "笔数", "balance": "贷款余额(元)", "share": "占比",
    "cumulative_share": "累计占比"}
#: What ``by`` may name in :func:`concentration`, in Chinese.
CONCENTRATION_BY: dict[str, str] = {"industry": "行业", "branch": "经营机构", "party": "债务人",
                                    "group_id": "集团", "product": "贷款品种"}


def _capital(value: float | None, name: str, zh: str) -> float:
    if value is None or isinstance(value, bool) or not np.isfinite(float(value)) \
            or float(value) <= 0:
        raise AnalyticsError(f"未提供{zh}(或不为正数:{value!r})。{CAPITAL_HELP}"
                             f" ({name}={value!r})")
    return float(value)


def large_exposures(data: Extract | pd.DataFrame, *, tier1_capital: float, capital: float,
                    policy: Policy | None = None,
                    parties: PartyResolution | None = None) -> pd.DataFrame:
    """Large exposures and limit breaches (大额风险暴露与集中度限额), see the module.

    Parameters
    ----------
    data:
        An extract or a loans frame with ``borrower_id`` and ``balance`` (``group_id``,
        ``borrower_name``, ``id_number`` read when present).
    tier1_capital:
        一级资本净额 in yuan, at the data date (no default).
    capital:
        资本净额 in yuan (no default).
    policy:
        The ``[analytics]`` shares and limits (defaults when None).
    parties:
        The extract's parties, resolved once (:func:`~postloan_audit.parties.resolve_parties`
        of ``data``) and passed to each analysis that needs them; resolved here when None.

    Returns
    -------
    DataFrame
        One row per client or group that is a large exposure or breaches a limit, and per
        client whose loans exceed 10% of 资本净额: ``kind`` (非同业单一客户 / 非同业集团客户或关联客户
        / 单一借款人贷款), ``id`` (party id or group id), ``name``, ``borrower_ids``, ``amount``
        (outstanding balance, yuan), ``basis`` (一级资本净额 / 资本净额), ``capital``, ``ratio``
        (amount ÷ capital), ``limit`` (the share allowed), ``large_exposure`` (≥ the large
        share of 一级资本净额), ``breach`` (ratio > limit), ``citation``. Breaches first, then
        by ratio. ``attrs``: ``provenance``, ``tier1_capital``, ``capital``.

    Raises
    ------
    AnalyticsError
        A capital amount missing or not positive (the message says what to set), a column
        missing, or ``parties`` resolved from other loans.
    """
    tier1 = _capital(tier1_capital, "tier1_capital", "一级资本净额")
    total_capital = _capital(capital, "capital", "资本净额")
    p = policy_of(policy).analytics
    extract = extract_of(data)
    loans = extract.loans
    require(loans, ["borrower_id", "balance"], ("贷款台账", "the loans"))
    lp = loan_parties(loans, parties)
    k = len(lp.party_id)
    balance = balances(loans)
    active = (balance > 0) & (lp.code >= 0)
    amount = np.bincount(lp.code[active], weights=balance[active], minlength=k)
    frames = []

    def rows(kind: str, ids, names, members, amounts, basis: str, cap: float, limit: float,
             keep: np.ndarray) -> pd.DataFrame:
        ratio = amounts / cap
        return pd.DataFrame({
            "kind": text([kind] * int(keep.sum())), "id": text(np.asarray(ids)[keep]),
            "name": text(np.asarray(names)[keep]), "borrower_ids": text(np.asarray(members)[keep]),
            "amount": amounts[keep].astype(np.float64), "basis": text([basis] * int(keep.sum())),
            "capital": np.full(int(keep.sum()), cap), "ratio": ratio[keep],
            "limit": np.full(int(keep.sum()), limit),
            "large_exposure": (amounts[keep] >= p.large_exposure_share * tier1)
            if basis == "一级资本净额" else np.zeros(int(keep.sum()), bool),
            "breach": ratio[keep] > limit, "citation": text([CITATIONS[kind]] * int(keep.sum()))})

    large = amount >= p.large_exposure_share * tier1
    client_breach = amount / tier1 > p.single_client_limit
    frames.append(rows(KIND_CLIENT, lp.party_id, lp.names, lp.members, amount, "一级资本净额",
                       tier1, p.single_client_limit, large | client_breach))
    if "group_id" in loans.columns:
        group = loans["group_id"].astype("str")
        has = group.notna().to_numpy(dtype=bool) & active
        # a party's group: the first group id its loans carry
        party_group = pd.Series(group.to_numpy(dtype=object)[has]).groupby(
            lp.code[has], sort=True).first()
        if len(party_group):
            gcodes, gids = pd.factorize(party_group.to_numpy(dtype=object))
            gamount = np.bincount(gcodes, weights=amount[party_group.index.to_numpy()],
                                  minlength=len(gids))
            gmembers = pd.Series(lp.members[party_group.index.to_numpy()]).groupby(
                gcodes).agg("、".join).reindex(np.arange(len(gids))).to_numpy(dtype=object)
            gnames = pd.Series(lp.names[party_group.index.to_numpy()], dtype="str").groupby(
                gcodes).first().reindex(np.arange(len(gids))).to_numpy(dtype=object)
            keep = (gamount >= p.large_exposure_share * tier1) | (gamount / tier1 > p.group_limit)
            frames.append(rows(KIND_GROUP, np.asarray(gids, dtype=object), gnames, gmembers,
                               gamount, "一级资本净额", tier1, p.group_limit, keep))
    frames.append(rows(KIND_BORROWER, lp.party_id, lp.names, lp.members, amount, "资本净额",
                       total_capital, p.single_borrower_loan_limit,
                       amount / total_capital > p.single_borrower_loan_limit))
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["breach", "ratio", "kind", "id"], ascending=[False, False, True, True],
                          ignore_index=True)[EXPOSURE_COLUMNS]
    out.attrs.update(provenance=provenance_of(extract), tier1_capital=tier1,
                     capital=total_capital)
    return out


@dataclass(frozen=True)
class Concentration(ProvenanceAliases):
    """Concentration of outstanding balance by one dimension (集中度).

    Attributes
    ----------
    by:
        The dimension (``industry``, ``branch``, ``party``, ``group_id``, ``product``).
    table:
        One row per value, the largest balance first: ``rank``, ``value``, ``loans``,
        ``balance``, ``share`` (of the total), ``cumulative_share``.
    hhi:
        Herfindahl–Hirschman index Σ share² (0–1; ×10,000 for the points antitrust practice
        quotes): 1 when one value holds everything, 1/n for n equal values.
    top_n, top_n_share:
        N (policy ``analytics.top_n``) and the share of the N largest values.
    total:
        The total outstanding balance.
    """

    by: str
    table: pd.DataFrame
    hhi: float
    top_n: int
    top_n_share: float
    total: float
    provenance: Provenance


def concentration(data: Extract | pd.DataFrame, *, by: str = "industry",
                  top_n: int | None = None, policy: Policy | None = None,
                  parties: PartyResolution | None = None) -> Concentration:
    """Concentration of the outstanding balance by ``by`` (行业、机构、债务人、集团、品种集中度),
    with the HHI and the top-N share.

    A blank value is a value of its own (``未填写``), so the shares add up to 1. ``parties``
    (by party only): the extract's parties resolved once, as :func:`large_exposures` takes
    them.

    Raises
    ------
    AnalyticsError
        ``by`` is not one of :data:`CONCENTRATION_BY`, or the loans lack its column.
    """
    if by not in CONCENTRATION_BY:
        raise AnalyticsError(f"集中度维度须为 {'、'.join(CONCENTRATION_BY)} 之一,收到 {by!r}。 / by"
                             f" must be one of {list(CONCENTRATION_BY)}, got {by!r}.")
    n = policy_of(policy).analytics.top_n if top_n is None else int(top_n)
    if n < 1:
        raise AnalyticsError(f"前N大的N须为正整数,收到 {top_n!r}。 / top_n must be positive.")
    extract = extract_of(data)
    loans = extract.loans
    require(loans, ["balance"] + ([] if by == "party" else [by]), ("贷款台账", "the loans"))
    balance = balances(loans)
    if by == "party":
        lp = loan_parties(loans, parties)
        values = pd.Series(np.where(lp.code >= 0, lp.party_id[np.where(lp.code < 0, 0, lp.code)],
                                    None), dtype="str")
    else:
        values = loans[by].astype("str").reset_index(drop=True)
    active = balance > 0
    frame = pd.DataFrame({"value": values.fillna("未填写")[active].to_numpy(dtype=object),
                          "balance": balance[active]})
    grouped = frame.groupby("value", sort=True).agg(loans=("balance", "size"),
                                                    balance=("balance", "sum")).reset_index()
    total = float(grouped["balance"].sum())
    order = np.lexsort((grouped["value"].to_numpy(dtype=object).astype(str),
                        -grouped["balance"].to_numpy()))
    grouped = grouped.iloc[order].reset_index(drop=True)
    share = grouped["balance"] / total if total > 0 else grouped["balance"] * np.nan
    table = pd.DataFrame({"rank": np.arange(1, len(grouped) + 1, dtype=np.int64),
                          "value": text(grouped["value"]),
                          "loans": grouped["loans"].to_numpy(dtype=np.int64),
                          "balance": grouped["balance"].to_numpy(dtype=np.float64),
                          "share": share.to_numpy(dtype=np.float64),
                          "cumulative_share": share.cumsum().to_numpy(dtype=np.float64)})
    hhi = float((share ** 2).sum()) if total > 0 else float("nan")
    top = float(share.iloc[:n].sum()) if total > 0 else float("nan")
    return Concentration(by=by, table=table, hhi=hhi, top_n=n, top_n_share=top, total=total,
                         provenance=provenance_of(extract))
