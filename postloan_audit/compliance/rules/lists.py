"""Rules of name lists (名单制管理): ``LIST-MODE``, ``LIST-NEWCREDIT``, ``LIST-WATCH``.

The ``lists`` sheet holds each borrower's entries (监控名单 ``watch``, 重点监测 ``monitor``,
退出 ``exit``, 压缩 ``reduce``, 限制 ``restrict``) with the day listed and removed. An entry is in
force at D when it was listed on or before D and not removed by D.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.context import CheckContext, fmt_date, pick
from postloan_audit.compliance.rules.triggers import (
    DIRECT_CASES,
    direct_listing,
    direct_listing_available,
)
from postloan_audit.core.schema import LIST_TYPE_ZH, MANAGEMENT_MODE_ZH

#: Lists whose borrowers are managed in key mode (重点管理): the 授信风险监控名单 and the
#: 重点监测企业名单.
KEY_MODE_LISTS: tuple[str, ...] = ("watch", "monitor")
#: Lists after which no new credit is granted: 退出, 压缩, 限制 (三大区间: 限制、严格限制、坚决退出).
NO_NEW_CREDIT_LISTS: tuple[str, ...] = ("exit", "reduce", "restrict")


def _list_mode(ctx: CheckContext) -> Hits:
    """Active loan of a borrower on a watch or monitor list in force at D whose management
    mode is not key (a blank mode counts as regular): ``003_…`` 第三篇 多选题10 (授信风险监控
    名单); ``001_…`` 篇五 (列入重点监测企业名单进行跟踪监测)."""
    codes, k = ctx.borrower_codes
    listed = ctx.active_listings
    listed = listed.loc[listed["list_type"].isin(KEY_MODE_LISTS)].sort_values(
        ["borrower", "listed_date"], kind="stable").drop_duplicates("borrower")
    entry = np.full(k + 1, -1, dtype=np.int64)
    entry[listed["borrower"].to_numpy(np.int64)] = np.arange(len(listed))
    which = entry[np.where(codes < 0, k, codes)]
    mask = ctx.active & (which >= 0) & ~ctx.equals("management_mode", "key")
    sel = np.flatnonzero(mask)
    rows = listed.iloc[which[sel]]
    kinds = rows["list_type"].map(LIST_TYPE_ZH).astype("str").reset_index(drop=True)
    mode = ctx.loans["management_mode"].iloc[sel].map(MANAGEMENT_MODE_ZH).fillna("未填写") \
        .astype("str").reset_index(drop=True)
    message = ("客户已列入" + kinds + "(" + fmt_date(rows["listed_date"].to_numpy()) + "列入),该笔贷款"
               "管理方式为" + mode + ";列入授信风险监控名单或重点监测名单的客户应实行重点管理")
    return Hits(sel, message)


def _list_newcredit(ctx: CheckContext) -> Hits:
    """Active loan disbursed to a borrower after its exit, reduce or restrict listing and
    before the listing was removed: ``001_…`` 篇四 2 (三大区间管理: 限制、严格限制及坚决退出类客户)
    — no new credit to a client being reduced or exited. The earliest such listing is named."""
    codes, k = ctx.borrower_codes
    frame = ctx.lists
    owner = ctx.borrower_code_of(frame["borrower_id"])
    listed = pd.to_datetime(frame["listed_date"]).to_numpy(dtype="datetime64[ns]")
    removed = (pd.to_datetime(frame["removed_date"]).to_numpy(dtype="datetime64[ns]")
               if "removed_date" in frame.columns else np.full(len(frame), np.datetime64("NaT")))
    keep = (owner >= 0) & frame["list_type"].isin(NO_NEW_CREDIT_LISTS).to_numpy(bool) & (
        listed <= ctx.as_of)
    entries = pd.DataFrame({"borrower": owner[keep], "listed": listed[keep],
                            "removed": removed[keep],
                            "kind": frame["list_type"].to_numpy(dtype=object)[keep]})
    disb = ctx.date("disbursement_date")
    loans = pd.DataFrame({"pos": np.flatnonzero(ctx.active & (codes >= 0) & ~np.isnat(disb))})
    loans["borrower"] = codes[loans["pos"].to_numpy()]
    loans["disb"] = disb[loans["pos"].to_numpy()]
    pairs = loans.merge(entries, on="borrower", how="inner")
    late = (pairs["disb"] > pairs["listed"]) & (pairs["removed"].isna()
                                               | (pairs["disb"] < pairs["removed"]))
    pairs = pairs.loc[late].sort_values(["pos", "listed"], kind="stable").drop_duplicates("pos")
    sel = pairs["pos"].to_numpy(np.int64)
    kinds = pick(list(LIST_TYPE_ZH.values()),
                 pd.Index(list(LIST_TYPE_ZH)).get_indexer(pairs["kind"]))
    message = ("客户于" + fmt_date(pairs["listed"].to_numpy()) + "列入" + kinds + "名单,本笔贷款于"
               + fmt_date(pairs["disb"].to_numpy()) + "发放;列入退出、压缩或限制类名单后不得新增授信")
    return Hits(sel, message)


def _list_watch(ctx: CheckContext) -> Hits:
    """Every outstanding loan of a borrower that meets a direct-listing case of ``003_…`` 第三篇
    多选题10 (A 集团性风险蔓延, B 授信主体或担保主体他行逾期或欠息30天以上, D 被他行起诉:
    :func:`~postloan_audit.compliance.rules.triggers.direct_listing`) and has no ``watch``
    entry (授信风险监控名单) in force at D. A case whose data is absent (a column of the
    ``external`` sheet, ``group_id``) is not judged, with a note."""
    available = direct_listing_available(ctx)
    missing = [DIRECT_CASES[name][1] for name, ok in available.items() if not ok]
    if missing:
        ctx.note("LIST-WATCH", f"缺少所需数据,未判断:{'、'.join(missing)} / not judged for lack of"
                               " data: " + ", ".join(n for n, ok in available.items() if not ok))
    facts = direct_listing(ctx)
    codes, k = ctx.borrower_codes
    listed = ctx.active_listings
    watched = np.zeros(k + 1, dtype=bool)
    watched[listed.loc[listed["list_type"] == "watch", "borrower"].to_numpy(np.int64)] = True
    which = np.full(k + 1, -1, dtype=np.int64)
    keep = ~watched[facts.borrowers]
    which[facts.borrowers[keep]] = np.flatnonzero(keep)
    row = which[np.where(codes < 0, k, codes)]
    sel = np.flatnonzero(ctx.active & (row >= 0))
    message = (facts.message.iloc[row[sel]].reset_index(drop=True)
               + ";客户未列入授信风险监控名单;授信主体或担保主体在他行贷款逾期或欠息"
               + f"{ctx.policy.warning.other_bank_overdue_days}天以上、在其他银行的借款被诉讼,或关联企业、"
               "主要股东出现问题导致集团性风险蔓延的,原则上应直接列入授信风险监控名单")
    return Hits(sel, message)


LIST_MODE = Rule(
    id="LIST-MODE",
    title_zh="监控名单客户未实行重点管理",
    title_en="Watch-listed borrower not in key management mode",
    severity=Severity.MEDIUM,
    citation=cite.cites(cite.SEED_003_WATCHLIST, cite.SEED_001_MONITOR),
    params=(),
    needs=("balance", "lists"),
    uses=("management_mode",),
    evaluate=_list_mode,
)

LIST_NEWCREDIT = Rule(
    id="LIST-NEWCREDIT",
    title_zh="退出或压缩类客户新增授信",
    title_en="New loan to a borrower on an exit, reduce or restrict list",
    severity=Severity.HIGH,
    citation=cite.SEED_001_ZONES,
    params=(),
    needs=("balance", "lists", "disbursement_date"),
    evaluate=_list_newcredit,
)

LIST_WATCH = Rule(
    id="LIST-WATCH",
    title_zh="应直接列入监控名单而未列入",
    title_en="Borrower meeting a direct-listing case not on the watch list",
    severity=Severity.HIGH,
    citation=cite.SEED_003_WATCHLIST,
    params=("warning.other_bank_overdue_days", "warning.other_bank_npl90_share"),
    needs=("balance", "lists", "external"),
    uses=("group_id", "exit_list"),
    evaluate=_list_watch,
)
