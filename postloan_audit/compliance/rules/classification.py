"""Classification rules (风险分类): ``CLS-OVERDUE``, ``CLS-BORROWER``, ``CLS-RESTRUCT``."""

from __future__ import annotations

import numpy as np

from postloan_audit.compliance.rules import citations as cite
from postloan_audit.compliance.rules.base import Hits, Rule, Severity
from postloan_audit.compliance.rules.context import (
    CheckContext,
    fmt_date,
    fmt_fixed,
    fmt_int,
    pick,
    wan,
)
from postloan_audit.core import schema
from postloan_audit.core.dates import add_months

_CLASS_ZH = tuple(schema.CLASSIFICATION_ZH[c] for c in schema.CLASSIFICATIONS)


def overdue_floor(ctx: CheckContext) -> np.ndarray:
    """The least severe class ``overdue_days`` allows (0 normal … 4 loss).

    > 7 days special mention, > 90 substandard, > 270 doubtful, > 360 loss
    (风险分类办法 2023; ``003_…`` 第三篇 多选题12).
    """
    p = ctx.policy.classification
    days = ctx.integer("overdue_days")
    return np.select(
        [days > p.loss_overdue_days, days > p.doubtful_overdue_days,
         days > p.substandard_overdue_days, days > p.special_mention_overdue_days],
        [4, 3, 2, 1], 0)


def _cls_overdue(ctx: CheckContext) -> Hits:
    """Active loan classified better than the floor set by ``overdue_days``."""
    p = ctx.policy.classification
    floor = overdue_floor(ctx)
    code = ctx.class_code
    mask = ctx.active & (code >= 0) & (code < floor)
    sel = np.flatnonzero(mask)
    thresholds = ["", f"逾期超过{p.special_mention_overdue_days}天应至少为关注类",
                  f"逾期超过{p.substandard_overdue_days}天应至少为次级类",
                  f"逾期超过{p.doubtful_overdue_days}天应至少为可疑类",
                  f"逾期超过{p.loss_overdue_days}天应为损失类"]
    message = ("逾期" + fmt_int(ctx.integer("overdue_days")[sel]) + "天,五级分类为"
               + pick(_CLASS_ZH, code[sel]) + ";" + pick(thresholds, floor[sel]))
    return Hits(sel, message)


def _cls_borrower(ctx: CheckContext) -> Hits:
    """Loans not classified NPL of a corporate debtor with > 10% of its balance NPL.

    The debtor is the party (:attr:`CheckContext.party_codes`): borrower ids carrying the
    same valid id number, or the same normalised name with one id number missing, are one
    debtor (第七条第二款 speaks of the debtor, not of a customer number); the message then
    names the borrower ids joined and why. Without joins the party is the borrower id.
    """
    share_limit = ctx.policy.classification.borrower_npl_share
    scope = ctx.active & ctx.corporate
    balance = np.where(scope, np.nan_to_num(ctx.amount("balance")), 0.0)
    npl_balance = np.where(ctx.npl, balance, 0.0)
    # group on integer borrower codes (an Arrow hash pass), not on Python strings; a missing
    # borrower id stays ungrouped (NaN key), as grouping on the ids themselves leaves it
    codes, k = ctx.party_codes
    grouped = codes >= 0
    safe = np.where(grouped, codes, 0)
    # per-borrower sums by bincount (in row order, as the grouped sum adds them)
    total = np.where(grouped, np.bincount(codes[grouped], weights=balance[grouped],
                                          minlength=k)[safe], np.nan)
    npl_total = np.where(grouped, np.bincount(codes[grouped], weights=npl_balance[grouped],
                                              minlength=k)[safe], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, npl_total / total, 0.0)
    code = ctx.class_code
    mask = scope & (share > share_limit) & (code >= 0) & ~ctx.npl
    sel = np.flatnonzero(mask)
    limit_text = f"{share_limit * 100:g}"
    message = ("借款人在本行不良贷款余额" + wan(npl_total[sel]) + "万元,占其贷款余额"
               + wan(total[sel]) + "万元的" + fmt_fixed(share[sel] * 100, 2) + "%,超过"
               + limit_text + "%;该笔贷款分类为" + pick(_CLASS_ZH, code[sel])
               + ",应归为不良")
    joined = ctx.party_members_text(sel)
    message = message.where(joined == "", message + ";" + joined)
    return Hits(sel, message)


def _cls_restruct(ctx: CheckContext) -> Hits:
    """Active restructured loan classified normal within its observation period.

    With a ``restructure_date``, only within restructure_date + ``restructure_observation_months``
    (风险分类办法 2023 第三章: 重组观察期不得低于1年); the message says when it ends. Without it (the
    column absent or blank) the period cannot be checked: every restructured normal loan is
    flagged and the message says so.
    """
    months = ctx.policy.classification.restructure_observation_months
    restructured = ctx.active & ctx.flag("restructured") & (ctx.class_code == 0)
    when = ctx.date("restructure_date")
    dated = ~np.isnat(when)
    ends = add_months(when, months)
    observing = ~dated | (ends >= ctx.as_of)
    sel = np.flatnonzero(restructured & observing)
    rule = "五级分类为正常;重组资产在重组观察期内应至少归为关注类"
    known = ("重组贷款(重组日期" + fmt_date(when[sel]) + f",观察期{months}个月,至"
             + fmt_date(ends[sel]) + "),")
    message = (known + rule).where(
        dated[sel], "重组贷款," + rule + "(未提供重组日期,无法核实是否仍在重组观察期内)")
    return Hits(sel, message)


CLS_OVERDUE = Rule(
    id="CLS-OVERDUE",
    title_zh="逾期贷款分类偏高",
    title_en="Classification better than overdue days allow",
    severity=Severity.HIGH,
    citation=cite.cites(cite.REG_CLASSIFICATION.then(" 第二章 风险分类(逾期天数标准)"),
                        cite.SEED_003_EXAM.then("多选题12")),
    params=("classification.special_mention_overdue_days",
            "classification.substandard_overdue_days",
            "classification.doubtful_overdue_days",
            "classification.loss_overdue_days"),
    needs=("balance", "classification", "overdue_days"),
    evaluate=_cls_overdue,
)

CLS_BORROWER = Rule(
    id="CLS-BORROWER",
    title_zh="同一借款人分类不一致",
    title_en="Borrower with over 10% NPL: other loans not NPL",
    severity=Severity.HIGH,
    citation=cite.REG_CLASSIFICATION.then(" 第七条第二款"),
    params=("classification.borrower_npl_share",),
    needs=("balance", "classification", "customer_type"),
    uses=("borrower_name", "id_number"),
    evaluate=_cls_borrower,
)

CLS_RESTRUCT = Rule(
    id="CLS-RESTRUCT",
    title_zh="重组贷款分类为正常",
    title_en="Restructured loan classified normal",
    severity=Severity.HIGH,
    citation=cite.REG_CLASSIFICATION.then(" 第三章 重组资产的风险分类"),
    params=("classification.restructure_observation_months",),
    needs=("balance", "classification", "restructured"),
    uses=("restructure_date",),
    evaluate=_cls_restruct,
)
