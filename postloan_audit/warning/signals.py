"""The early-warning signals (预警信号): each a cited, frozen declaration around one vectorised
function, as a compliance rule is.

Borrower-level signals (a borrower's other-bank record, its group, its statements, its rating)
return borrower codes; loan-level signals (a collateral, a lien, a classification, an overdue)
return loan positions. The direct-listing cases (``003_…`` 第三篇 多选题10 ABD) and the other red
other-bank facts are computed in :mod:`postloan_audit.compliance.rules.triggers`, which the rule
``LIST-WATCH`` reads too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.analytics import guarantee_circles
from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules import triggers
from postloan_audit.compliance.rules.context import (
    by_loan,
    fmt_date,
    fmt_fixed,
    fmt_int,
    wan,
)
from postloan_audit.core.lookup import positions_in
from postloan_audit.core.schema import CLASSIFICATION_ZH, CLASSIFICATIONS
from postloan_audit.core.severity import Level
from postloan_audit.warning.base import Signal, SignalHits
from postloan_audit.warning.context import PERIOD_TYPES, SignalContext

#: Statement types read as quarter-end statements when dated at a quarter's end (季报, and
#: 半年报 / 年报 falling on one); a blank type counts too. Monthly statements never do.
QUARTER_END_TYPES: tuple[str, ...] = ("quarter", "half", "year")
#: Statement type of the monthly statements EW-FIN-3M compares with the same month a year before.
MONTH_TYPE = "month"
MONTHS_PER_QUARTER = 3
MONTHS_PER_YEAR = 12
#: Relative tolerance so that exactly the policy's share is not "more than" it.
_EPS = 1e-12


def _from_facts(facts: triggers.BorrowerFacts) -> SignalHits:
    return SignalHits(facts.borrowers, facts.message.reset_index(drop=True))


def _note_guarantors(ctx: SignalContext, signal_id: str) -> None:
    if ctx.guarantees is None:
        ctx.note(signal_id, "未提供保证表,只判断借款人本人的外部信息,未判断保证人 / no guarantees "
                            "sheet: the borrower's own record only, guarantors not judged")


# --------------------------------------------------------------------------- other banks, public records

def _ob_overdue(ctx: SignalContext) -> SignalHits:
    """The borrower or a guarantor overdue or in interest arrears at another bank for
    ``warning.other_bank_overdue_days`` days or more (latest report per party dated on or
    before D): ``003_…`` 第三篇 多选题10 B."""
    _note_guarantors(ctx, "EW-OB-OVERDUE")
    return _from_facts(triggers.other_bank_overdue(ctx))


def _ob_suit(ctx: SignalContext) -> SignalHits:
    """The borrower or a guarantor sued by another bank: ``003_…`` 第三篇 多选题10 D."""
    _note_guarantors(ctx, "EW-OB-SUIT")
    return _from_facts(triggers.other_bank_suit(ctx))


def _enforce(ctx: SignalContext) -> SignalHits:
    """The borrower or a guarantor under enforcement or on the 失信 list (bank practice)."""
    _note_guarantors(ctx, "EW-ENFORCE")
    return _from_facts(triggers.enforcement(ctx))


def _ob_npl90(ctx: SignalContext) -> SignalHits:
    """Other banks' 90-day overdue balance above ``warning.other_bank_npl90_share`` of the
    borrower's debt at all banks while a loan of ours is not NPL (2023 分类办法)."""
    return _from_facts(triggers.other_bank_npl90(ctx))


def _group(ctx: SignalContext) -> SignalHits:
    """Another borrower of the same group NPL, exit-listed or red: ``003_…`` 多选题10 A."""
    if ctx.external is None:
        ctx.note("EW-GROUP", "未提供外部信息表,未判断集团成员的红色预警情形 / no external sheet: "
                             "red group members not judged")
    return _from_facts(triggers.group_contagion(ctx))


def _guar_circle(ctx: SignalContext) -> SignalHits:
    """A borrower in a guarantee circle (担保圈: guarantors and borrowers guaranteeing each
    other round a cycle, :func:`~postloan_audit.analytics.guarantee_circles` over resolved
    parties) in which any member has a non-performing outstanding loan: the circle's risk
    spreads through the guarantees (银监发〔2016〕42号 担保圈风险; ``001_…`` 篇五 担保人担保能力
    发生变化 → 追加保证担保人)."""
    circles = guarantee_circles(ctx.extract, policy=ctx.policy)
    members = circles.assign(borrower_id=circles["borrower_ids"].str.split("、")).explode(
        "borrower_id")
    members = members.loc[members["borrower_id"].fillna("").astype(bool)]
    codes = ctx.borrower_code_of(members["borrower_id"].astype("str"))
    known = codes >= 0
    members, codes = members.loc[known], codes[known]
    npl_borrower = np.zeros(ctx.borrower_codes[1] + 1, dtype=bool)
    npl_codes = ctx.borrower_codes[0][ctx.active & ctx.npl]
    npl_borrower[npl_codes[npl_codes >= 0]] = True
    members = members.assign(code=codes, npl=npl_borrower[codes])
    bad = members.loc[members["npl"]]
    if not len(bad):
        return SignalHits(np.empty(0, dtype=np.int64), pd.Series([], dtype="str"))
    named = bad.groupby("circle_id", sort=False)["borrower_id"].agg("、".join)
    size = circles.groupby("circle_id", sort=False).size()
    hit = members.loc[members["circle_id"].isin(named.index)].drop_duplicates("code")
    hit = hit.sort_values("code", kind="stable")
    message = ("所在担保圈" + hit["circle_id"] + "(" + hit["circle_id"].map(size).astype("str")
               + "方互保或循环担保)中客户" + hit["circle_id"].map(named) + "有不良贷款;担保圈内风险"
               "可能沿担保关系蔓延,应评估保证人的担保能力并追加担保")
    return SignalHits(hit["code"].to_numpy(dtype=np.int64), message.reset_index(drop=True))


def _new_overdue(ctx: SignalContext) -> SignalHits:
    """The borrower's latest credit report shows ``warning.new_overdue_count`` or more new
    overdue records (征信新增逾期): ``000_…`` 计划9."""
    least = ctx.policy.warning.new_overdue_count
    count = ctx.latest_external["new_overdue_count"].fillna(0).to_numpy(dtype=np.int64)
    hit = count >= least
    fact = "征信新增逾期" + fmt_int(count[hit]) + "笔"
    return _from_facts(triggers.party_facts(ctx, hit, fact, guarantors=False))


# --------------------------------------------------------------------------- financial statements

def _one_per_period(table: pd.DataFrame, period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One statement per borrower and period (the last row of several): the sorted keys
    ``borrower * span + period`` and the table row of each."""
    span = int(period.max()) + 2 if len(period) else 1
    key = table["borrower"].to_numpy(dtype=np.int64) * span + period
    order = np.lexsort((np.arange(len(key)), key))
    k = key[order]
    last = np.r_[k[1:] != k[:-1], True] if len(k) else np.zeros(0, dtype=bool)
    return k[last], order[last]


def _lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index of each ``wanted`` key in the sorted ``keys`` (-1 when absent)."""
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, at, -1)


def _column(table: pd.DataFrame, name: str) -> np.ndarray:
    if name not in table.columns:
        return np.full(len(table), np.nan)
    return table[name].to_numpy(dtype=float, na_value=np.nan)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


#: EW-FIN-TREND's indicators: name, the ``financials`` columns, the worse direction (+1 up),
#: shown as a percentage or as a plain ratio.
TREND_INDICATORS: tuple[tuple[str, tuple[str, str], int, bool], ...] = (
    ("资产负债率", ("total_liabilities", "total_assets"), +1, True),
    ("流动比率", ("current_assets", "current_liabilities"), -1, False),
    ("毛利率", ("revenue", "cost_of_sales"), -1, True),
)


def indicator_values(table: pd.DataFrame, columns: tuple[str, str]) -> np.ndarray:
    a, b = (_column(table, c) for c in columns)
    if columns == ("revenue", "cost_of_sales"):
        return _ratio(a - b, a)  # 毛利率 = (营业收入 − 营业成本) ÷ 营业收入
    return _ratio(a, b)


def _fin_trend(ctx: SignalContext) -> SignalHits:
    """资产负债率 up, or 流动比率 or 毛利率 down, by more than ``warning.financial_change_share``
    (relative to the quarter before) in each of ``warning.financial_quarters`` consecutive
    quarters, the latest ending at the borrower's latest quarter-end statement known at D:
    ``000_…`` 计划5 (当指标出现异常波动(如连续 2 个季度下降 10% 以上)时,启动预警程序).

    Quarter-end statements are those dated at a quarter's last day of type 季报, 半年报 or 年报
    (or blank); monthly statements are not. A change from a ratio of 0 or less is not judged.
    """
    p = ctx.policy.warning
    share, quarters = p.financial_change_share, p.financial_quarters
    table, month_end = ctx.statements
    month = table["month"].to_numpy(dtype=np.int64)
    at_quarter_end = month_end & (month % MONTHS_PER_QUARTER == MONTHS_PER_QUARTER - 1)
    kind = table["kind"].to_numpy(dtype=np.int64)
    at_quarter_end &= (kind == -1) | np.isin(kind, [PERIOD_TYPES.index(t)
                                                    for t in QUARTER_END_TYPES])
    table = table.loc[at_quarter_end].reset_index(drop=True)
    quarter = table["month"].to_numpy(dtype=np.int64) // MONTHS_PER_QUARTER
    keys, rows = _one_per_period(table, quarter)
    table = table.iloc[rows].reset_index(drop=True)
    quarter = quarter[rows]
    span = int(quarter.max()) + 2 if len(quarter) else 1
    borrower = table["borrower"].to_numpy(dtype=np.int64)
    latest = np.r_[borrower[1:] != borrower[:-1], True] if len(borrower) else borrower.astype(bool)
    b, q = borrower[latest], quarter[latest]
    # at[j]: row of the statement j quarters before the latest (-1 when missing)
    at = [_lookup(keys, b * span + q - j) for j in range(quarters + 1)]
    ends = pd.to_datetime(table["period_end"]).to_numpy(dtype="datetime64[ns]")
    parts_b, parts_t = [], []
    for name, columns, direction, percent in TREND_INDICATORS:
        if not all(c in table.columns for c in columns):
            ctx.note("EW-FIN-TREND", f"财务报表缺少{'、'.join(columns)}列,未判断{name} / "
                                     f"financials lack {', '.join(columns)}: {name} not judged")
            continue
        value = indicator_values(table, columns)
        worse = np.ones(len(b), dtype=bool)
        for j in range(quarters):
            new, old = at[j], at[j + 1]
            ok = (new >= 0) & (old >= 0)
            v_new = np.where(ok, value[np.maximum(new, 0)], np.nan)
            v_old = np.where(ok, value[np.maximum(old, 0)], np.nan)
            with np.errstate(invalid="ignore"):
                step = (v_old > 0) & ((v_new > v_old * (1 + share) * (1 + _EPS)) if direction > 0
                                      else (v_new < v_old * (1 - share) * (1 - _EPS)))
            worse &= step
        hit = np.flatnonzero(worse)
        if not len(hit):
            continue
        chain = pd.Series(np.full(len(hit), "", dtype=object), dtype="str")
        for j in range(quarters, -1, -1):
            row = at[j][hit]
            v = value[row]
            shown = (fmt_fixed(v * 100, 2) + "%") if percent else fmt_fixed(v, 2)
            text = fmt_date(ends[row]) + " " + shown
            if j < quarters:
                before = value[at[j + 1][hit]]
                change = (v / before - 1) * 100
                sign = pd.Series(np.where(change >= 0, "+", ""), dtype="str")
                text = "→" + text + "(" + sign + fmt_fixed(change, 2) + "%)"
            chain = chain + text
        verb = "上升" if direction > 0 else "下降"
        parts_b.append(b[hit])
        parts_t.append((f"{name}连续{quarters}个季度{verb}超过{share * 100:g}%:" + chain)
                       .to_numpy(dtype=object))
    if not parts_b:
        return SignalHits(np.empty(0, np.int64), pd.Series([], dtype="str"))
    positions, message, _ = by_loan(np.concatenate(parts_b), np.concatenate(parts_t))
    return SignalHits(positions, message)


#: EW-FIN-3M's operating indicators: name and ``financials`` column.
OPERATING_INDICATORS: tuple[tuple[str, str], ...] = (("营业收入", "revenue"), ("净利润", "net_profit"))


def _fin_3m(ctx: SignalContext) -> SignalHits:
    """营业收入 or 净利润 below the same month of the previous year in each of the
    ``warning.operating_months`` months up to the borrower's latest monthly statement known at
    D (monthly statements, ``period_type`` month): ``001_…`` 篇五 (企业一些经营状况指标连续三个月不
    理想的 … 列入重点监测企业名单进行跟踪监测). A month without its statement, or without the one a
    year before, breaks the run."""
    months = ctx.policy.warning.operating_months
    table, _ = ctx.statements
    table = table.loc[table["kind"].to_numpy() == PERIOD_TYPES.index(MONTH_TYPE)
                      ].reset_index(drop=True)
    month = table["month"].to_numpy(dtype=np.int64)
    keys, rows = _one_per_period(table, month)
    table = table.iloc[rows].reset_index(drop=True)
    month = month[rows]
    span = int(month.max()) + 2 if len(month) else 1
    borrower = table["borrower"].to_numpy(dtype=np.int64)
    latest = np.r_[borrower[1:] != borrower[:-1], True] if len(borrower) else borrower.astype(bool)
    b, m = borrower[latest], month[latest]
    now = [_lookup(keys, b * span + m - j) for j in range(months)]
    before = [_lookup(keys, b * span + m - j - MONTHS_PER_YEAR) for j in range(months)]
    parts_b, parts_t = [], []
    for name, column in OPERATING_INDICATORS:
        if column not in table.columns:
            continue
        value = _column(table, column)
        below = np.ones(len(b), dtype=bool)
        for j in range(months):
            ok = (now[j] >= 0) & (before[j] >= 0)
            cur = np.where(ok, value[np.maximum(now[j], 0)], np.nan)
            old = np.where(ok, value[np.maximum(before[j], 0)], np.nan)
            with np.errstate(invalid="ignore"):
                below &= cur < old
        hit = np.flatnonzero(below)
        if not len(hit):
            continue
        listed = pd.Series(np.full(len(hit), "", dtype=object), dtype="str")
        for j in range(months - 1, -1, -1):
            row, old_row = now[j][hit], before[j][hit]
            label = pd.Series(np.datetime_as_string(
                month[row].astype("datetime64[M]"), unit="M"), dtype="str")
            listed = (listed + ("" if j == months - 1 else "、") + label + " " + wan(value[row])
                      + "万元(上年同月" + wan(value[old_row]) + "万元)")
        parts_b.append(b[hit])
        parts_t.append((f"{name}连续{months}个月低于上年同月:" + listed).to_numpy(dtype=object))
    if not parts_b:
        return SignalHits(np.empty(0, np.int64), pd.Series([], dtype="str"))
    positions, message, _ = by_loan(np.concatenate(parts_b), np.concatenate(parts_t))
    return SignalHits(positions, message)


# --------------------------------------------------------------------------- collateral

def _collat_drop(ctx: SignalContext) -> SignalHits:
    """A collateral in force for an outstanding loan whose ``appraised_value`` is down more than
    ``warning.collateral_drop_share`` from its ``previous_value``: ``000_…`` 计划8 (若抵押物价值
    下跌超过 10%,要求客户追加担保). Exactly the share is not "more than"."""
    share = ctx.policy.warning.collateral_drop_share
    rows = ctx.collateral_rows
    value = rows["appraised_value"].to_numpy(dtype=float, na_value=np.nan)
    previous = rows["previous_value"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        down = (previous > 0) & (value < previous * (1 - share) * (1 - _EPS))
    r = rows.loc[down].reset_index(drop=True)
    appraised = pd.to_datetime(r["appraisal_date"]).to_numpy(dtype="datetime64[ns]")
    text = ("押品" + r["collateral_id"].astype("str") + "评估价值" + wan(value[down]) + "万元("
            + fmt_date(appraised).fillna("评估日期未填") + "),较上次评估" + wan(previous[down]) + "万元")
    if "previous_appraisal_date" in r.columns:
        before = fmt_date(pd.to_datetime(r["previous_appraisal_date"]).to_numpy(
            dtype="datetime64[ns]"))
        text = text + ("(" + before + ")").fillna("")
    text = (text + "下降" + fmt_fixed((1 - value[down] / previous[down]) * 100, 2)
            + f"%,超过{share * 100:g}%")
    positions, message, _ = by_loan(r["loan"].to_numpy(dtype=np.int64), text.to_numpy())
    return SignalHits(positions, message)


def _lien2(ctx: SignalContext) -> SignalHits:
    """An outstanding loan secured only by second-or-later liens: ``lien_rank`` of at least
    ``warning.second_lien_rank`` on every collateral row in force for it (``004_…`` 三(四)
    二押). A row of blank rank (0) is not a second lien."""
    least = ctx.policy.warning.second_lien_rank
    rows = ctx.collateral_rows
    loan = rows["loan"].to_numpy(dtype=np.int64)
    rank = rows["lien_rank"].fillna(0).to_numpy(dtype=np.int64)
    lowest = np.full(ctx.n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest, loan, rank)
    flagged = (lowest >= least) & (lowest < np.iinfo(np.int64).max)
    sel = flagged[loan]
    text = ("押品" + rows.loc[sel, "collateral_id"].astype("str").reset_index(drop=True) + "为第"
            + fmt_int(rank[sel]) + "顺位抵押")
    positions, message, _ = by_loan(loan[sel], text.to_numpy())
    return SignalHits(positions, message + f";贷款仅有第{least}顺位及以后的抵押(二押)")


# --------------------------------------------------------------------------- our own book

def _class_down(ctx: SignalContext) -> SignalHits:
    """An outstanding loan whose five-tier class is worse than in the earlier snapshot (分类下调):
    ``003_…`` 第四十八条 (风险信号与分类形态)."""
    before = ctx.previous_class_code
    now = ctx.class_code.astype(np.int64)
    sel = np.flatnonzero(ctx.active & (before >= 0) & (now > before))
    names = np.array([CLASSIFICATION_ZH[c] for c in CLASSIFICATIONS], dtype=object)
    message = ("五级分类由" + pd.Series(names[before[sel]], dtype="str") + "下调为"
               + pd.Series(names[now[sel]], dtype="str") + f"({ctx.previous_day})")
    return SignalHits(sel, message)


def _overdue(ctx: SignalContext) -> SignalHits:
    """An outstanding loan of ours overdue: up to ``warning.overdue_yellow_max_days`` days
    yellow, more orange (``001_…`` 篇三 二、(二) 还本付息)."""
    limit = ctx.policy.warning.overdue_yellow_max_days
    days = ctx.integer("overdue_days")
    sel = np.flatnonzero(ctx.active & (days > 0))
    d = days[sel]
    level = np.where(d > limit, Level.ORANGE.value, Level.YELLOW.value).astype(object)
    return SignalHits(sel, "本行贷款逾期" + fmt_int(d) + "天", level)


def _rating_down(ctx: SignalContext) -> SignalHits:
    """A borrower whose internal rating (``rating``, the worst on ``warning.rating_scale`` among
    its outstanding loans) is lower than in the earlier snapshot. Not a direct-listing case:
    ``003_…`` 第三篇 多选题10 leaves out C (信用等级下降). Ratings not on the scale are not judged
    (a note counts them)."""
    codes, k = ctx.borrower_codes
    rank = ctx.rating_rank(ctx.loans["rating"])
    unknown = ctx.loans["rating"].notna().to_numpy() & (rank < 0)
    keep = ctx.active & (codes >= 0) & (rank >= 0)
    now = np.full(k, -1, dtype=np.int64)
    np.maximum.at(now, codes[keep], rank[keep])
    prev = ctx.previous
    prev_rank = ctx.rating_rank(prev["rating"])
    unknown_prev = prev["rating"].notna().to_numpy() & (prev_rank < 0)
    if "balance" in prev.columns:
        outstanding = np.nan_to_num(prev["balance"].to_numpy(dtype=float, na_value=np.nan)) > 0
    else:
        outstanding = np.ones(len(prev), dtype=bool)
    # each earlier row's borrower among today's (one pass over the earlier snapshot's ids)
    owner = positions_in(prev["borrower_id"], ctx.borrower_ids)
    keep_prev = outstanding & (owner >= 0) & (prev_rank >= 0)
    then = np.full(k, -1, dtype=np.int64)  # -1: not rated, or not in the earlier snapshot
    np.maximum.at(then, owner[keep_prev], prev_rank[keep_prev])
    if unknown.any() or unknown_prev.any():
        values = sorted(set(ctx.loans["rating"][unknown].astype("str"))
                        | set(prev["rating"][unknown_prev].astype("str")))
        ctx.note("EW-RATING-DOWN", f"{int(unknown.sum() + unknown_prev.sum())}笔贷款的信用等级"
                                   f"不在等级表中,未判断:{'、'.join(values[:5])} / ratings not on "
                                   "warning.rating_scale not judged")
    b = np.flatnonzero(ctx.borrower_active & (then >= 0) & (now > then))
    scale = np.asarray(ctx.policy.warning.rating_scale, dtype=object)
    message = ("信用等级由" + pd.Series(scale[then[b]], dtype="str") + "下调为"
               + pd.Series(scale[now[b]], dtype="str") + f"({ctx.previous_day})")
    return SignalHits(b, message)


# --------------------------------------------------------------------------- declarations

EW_OB_OVERDUE = Signal(
    id="EW-OB-OVERDUE",
    title_zh="借款人或保证人他行逾期欠息",
    title_en="Borrower or guarantor overdue or in arrears at another bank",
    level=Level.RED,
    citation=cite.SEED_003_WATCHLIST.then(" B"),
    params=("warning.other_bank_overdue_days",),
    needs=("external.other_bank_overdue_days|external.other_bank_arrears_days",),
    evaluate=_ob_overdue,
    direct_listing=True,
)

EW_OB_SUIT = Signal(
    id="EW-OB-SUIT",
    title_zh="借款人或保证人被他行起诉",
    title_en="Borrower or guarantor sued by another bank",
    level=Level.RED,
    citation=cite.SEED_003_WATCHLIST.then(" D"),
    params=(),
    needs=("external.other_bank_litigation",),
    evaluate=_ob_suit,
    direct_listing=True,
)

EW_GROUP = Signal(
    id="EW-GROUP",
    title_zh="集团成员风险蔓延",
    title_en="Another member of the borrower's group NPL, exit-listed or red",
    level=Level.ORANGE,
    citation=cite.SEED_003_WATCHLIST.then(" A"),
    params=("warning.other_bank_overdue_days", "warning.other_bank_npl90_share"),
    needs=("group_id",),
    evaluate=_group,
    direct_listing=True,
)

EW_GUAR_CIRCLE = Signal(
    id="EW-GUAR-CIRCLE",
    title_zh="担保圈成员出现不良",
    title_en="A member of the borrower's guarantee circle is non-performing",
    level=Level.ORANGE,
    citation=cite.cites(cite.REG_CREDIT_RISK_2016, cite.SEED_001_GUARANTOR),
    params=(),
    needs=("guarantees.guarantor_id",),
    evaluate=_guar_circle,
)

EW_OB_NPL90 = Signal(
    id="EW-OB-NPL90",
    title_zh="他行逾期90天以上债务占比超限",
    title_en="Over 20% of the borrower's debt at all banks 90+ days overdue elsewhere",
    level=Level.RED,
    citation=cite.REG_CLASSIFICATION.then(" 第七条"),
    params=("warning.other_bank_npl90_share",),
    needs=("external.other_bank_overdue90_balance+external.other_bank_balance",),
    evaluate=_ob_npl90,
)

EW_FIN_TREND = Signal(
    id="EW-FIN-TREND",
    title_zh="财务指标连续两个季度恶化",
    title_en="Debt ratio, current ratio or gross margin worse by over 10% two quarters running",
    level=Level.ORANGE,
    citation=cite.SEED_000_PLAN5,
    params=("warning.financial_change_share", "warning.financial_quarters"),
    needs=("financials.total_assets+financials.total_liabilities"
           "|financials.current_assets+financials.current_liabilities"
           "|financials.revenue+financials.cost_of_sales",),
    evaluate=_fin_trend,
)

EW_FIN_3M = Signal(
    id="EW-FIN-3M",
    title_zh="经营指标连续三个月低于上年同期",
    title_en="Revenue or net profit below the same month a year before three months running",
    level=Level.YELLOW,
    citation=cite.SEED_001_MONITOR.then("(连续三个月不理想)"),
    params=("warning.operating_months",),
    needs=("financials.period_type", "financials.revenue|financials.net_profit"),
    evaluate=_fin_3m,
)

EW_COLLAT_DROP = Signal(
    id="EW-COLLAT-DROP",
    title_zh="押品价值较上次评估下跌超过10%",
    title_en="Collateral value down over 10% from its previous valuation",
    level=Level.ORANGE,
    citation=cite.SEED_000_PLAN8,
    params=("warning.collateral_drop_share",),
    needs=("collateral.previous_value",),
    evaluate=_collat_drop,
    scope="loan",
)

EW_LIEN2 = Signal(
    id="EW-LIEN2",
    title_zh="仅有二押及以后顺位抵押",
    title_en="Loan secured only by second-or-later liens",
    level=Level.YELLOW,
    citation=cite.SEED_004_LIEN2,
    params=("warning.second_lien_rank",),
    needs=("collateral.lien_rank",),
    evaluate=_lien2,
    scope="loan",
)

EW_NEW_OVERDUE = Signal(
    id="EW-NEW-OVERDUE",
    title_zh="征信新增逾期",
    title_en="New overdue records in the credit report",
    level=Level.ORANGE,
    citation=cite.SEED_000_PLAN9,
    params=("warning.new_overdue_count",),
    needs=("external.new_overdue_count",),
    evaluate=_new_overdue,
)

EW_ENFORCE = Signal(
    id="EW-ENFORCE",
    title_zh="借款人或保证人被执行或失信",
    title_en="Borrower or guarantor under enforcement or on the dishonest-debtor list",
    level=Level.RED,
    citation=cite.BANK_PRACTICE,
    params=(),
    needs=("external.enforcement",),
    evaluate=_enforce,
)

EW_CLASS_DOWN = Signal(
    id="EW-CLASS-DOWN",
    title_zh="五级分类下调",
    title_en="Loan classification moved down since the previous snapshot",
    level=Level.ORANGE,
    citation=cite.SEED_003_ART48,
    params=(),
    needs=("previous",),
    evaluate=_class_down,
    scope="loan",
)

EW_OVERDUE = Signal(
    id="EW-OVERDUE",
    title_zh="本行贷款逾期",
    title_en="Our loan overdue (up to 30 days yellow, more orange)",
    level=Level.YELLOW,
    citation=cite.SEED_001_REPAYMENT,
    params=("warning.overdue_yellow_max_days",),
    needs=("overdue_days",),
    evaluate=_overdue,
    scope="loan",
    levels=(Level.YELLOW, Level.ORANGE),
)

EW_RATING_DOWN = Signal(
    id="EW-RATING-DOWN",
    title_zh="内部信用等级下调",
    title_en="Internal rating lower than in the previous snapshot",
    level=Level.YELLOW,
    citation=cite.SEED_003_WATCHLIST.then(" C(信用等级下降不属直接列入情形)"),
    params=("warning.rating_scale",),
    needs=("rating", "previous.rating"),
    evaluate=_rating_down,
)
