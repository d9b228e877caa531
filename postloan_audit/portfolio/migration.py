"""Migration between two snapshots (五级分类迁徙): :func:`migration_matrix` and
:func:`special_mention_migration_rate`.

`001_…` 篇三 "五、贷后组织督导" 2. 关注类贷款迁移趋势. Loans are matched on ``loan_id`` among
the active loans of each snapshot; loans in one snapshot only are counted and listed, never
dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from postloan_audit.core.schema import CLASSIFICATIONS
from postloan_audit.portfolio._common import _NPL_CODE, _SM_CODE, _active, _balances, _ratio

#: Columns of :attr:`Migration.only_before` / :attr:`Migration.only_after`.
SNAPSHOT_LOAN_COLUMNS: list[str] = ["loan_id", "borrower_id", "branch", "classification",
                                    "balance"]
#: Rows of :attr:`Migration.accounting`.
MIGRATION_ACCOUNTING_ROWS: tuple[str, ...] = ("matched", "only_before", "only_after")


@dataclass(frozen=True)
class Migration:
    """A five-by-five migration matrix between two snapshots (五级分类迁徙矩阵).

    Attributes
    ----------
    matrix : DataFrame
        Index = class at the earlier snapshot (``before``), columns = class at the later one
        (``after``), all five in order; int64 counts (``by="count"``) or float64 yuan of the
        **earlier** balance (``by="balance"``). Matched loans only.
    by : {"balance", "count"}
    accounting : DataFrame
        Index ``matched``, ``only_before`` (paid off or otherwise gone: 收回/退出),
        ``only_after`` (new: 新发放); columns ``loans`` (int64), ``balance_before``,
        ``balance_after`` (float64; 0 where the loan is not in that snapshot). Active loans
        before = matched + only_before; after = matched + only_after.
    only_before, only_after : DataFrame
        The loans in one snapshot only, columns :data:`SNAPSHOT_LOAN_COLUMNS`, by ``loan_id``.
    """

    matrix: pd.DataFrame
    by: str
    accounting: pd.DataFrame
    only_before: pd.DataFrame
    only_after: pd.DataFrame

    def rates(self) -> pd.DataFrame:
        """Row shares of :attr:`matrix` (迁徙率矩阵): each row sums to 1; NaN for an empty row."""
        m = self.matrix.astype("float64")
        sums = m.sum(axis=1)
        return m.div(sums.where(sums > 0), axis=0)


def _duplicate_check(ids: pd.Series, codes: np.ndarray, n_ids: int, which: str) -> None:
    counts = np.bincount(codes, minlength=n_ids)
    dup = counts[codes] > 1
    if dup.any():
        shown = sorted(set(ids[dup].tolist()))[:5]
        raise ValueError(f"{which}快照中借据号重复:{'、'.join(shown)} / duplicate loan_id in "
                         f"the {which} snapshot: {', '.join(shown)}")


def _match(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, np.ndarray | pd.DataFrame]:
    """Active loans of both snapshots matched on loan_id, with positions and class codes.

    One factorisation of both id columns gives integer codes; matching is then array
    indexing (hash joins on arrow strings cost several times more).
    """
    b, bc = _active(before, "期初快照")
    a, ac = _active(after, "期末快照")
    b_ids, a_ids = b["loan_id"].astype("str"), a["loan_id"].astype("str")
    codes, uniques = pd.factorize(pd.concat([b_ids, a_ids], ignore_index=True),
                                  use_na_sentinel=False)
    n_ids = len(uniques)
    cb, ca = codes[:len(b)], codes[len(b):]
    _duplicate_check(b_ids, cb, n_ids, "期初")
    _duplicate_check(a_ids, ca, n_ids, "期末")
    position_in_a = np.full(n_ids, -1, dtype=np.int64)
    position_in_a[ca] = np.arange(len(a), dtype=np.int64)
    a_pos = position_in_a[cb]  # -1: not in after
    in_b = np.zeros(n_ids, dtype=bool)
    in_b[cb] = True
    return {"b": b.assign(loan_id=b_ids), "a": a.assign(loan_id=a_ids), "bc": bc, "ac": ac,
            "a_pos": a_pos, "matched_b": a_pos >= 0, "only_a": ~in_b[ca]}


def _loan_list(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "loan_id": frame["loan_id"].astype("str"),
        "borrower_id": frame["borrower_id"].astype("str"),
        "branch": frame["branch"].astype("str"),
        "classification": pd.Categorical(frame["classification"].astype("str"),
                                          categories=CLASSIFICATIONS, ordered=True),
        "balance": frame["balance"].astype(np.float64),
    }, columns=SNAPSHOT_LOAN_COLUMNS)
    return out.sort_values("loan_id", ignore_index=True)


def migration_matrix(before: pd.DataFrame, after: pd.DataFrame, *,
                     by: Literal["balance", "count"] = "balance") -> Migration:
    """Five-by-five migration matrix between two snapshots (五级分类迁徙矩阵).

    Loans are matched on ``loan_id`` among the **active** loans of each snapshot; a loan whose
    later balance is 0 is paid off. Loans in one snapshot only are never dropped silently:
    they are counted in :attr:`Migration.accounting` and listed in ``only_before`` (收回/退出)
    and ``only_after`` (新发放). By balance the matrix weighs each loan by its **earlier**
    balance: 迁徙率 are computed on the beginning-of-period balance (期初余额; 原银监会
    《非现场监管报表指标体系》 迁徙类指标), so each row of the matrix splits the beginning balance
    of a class over the classes it ended in. `001_…` 篇三 五、贷后组织督导 2. 关注类贷款迁移趋势.

    Parameters
    ----------
    before, after : DataFrame
        Canonical loans at the earlier and the later date.
    by : {"balance", "count"}, default "balance"

    Returns
    -------
    Migration

    Raises
    ------
    ValueError
        Unknown ``by``, duplicate ``loan_id`` in a snapshot, or an invalid classification.
    """
    if by not in ("balance", "count"):
        raise ValueError(f"by 应为 'balance' 或 'count',收到 {by!r} / by must be 'balance' or "
                         f"'count', got {by!r}")
    m = _match(before, after)
    b, a, bc, ac = m["b"], m["a"], m["bc"], m["ac"]
    a_pos, matched = m["a_pos"], m["matched_b"]
    k = len(CLASSIFICATIONS)
    key = bc[matched] * k + ac[a_pos[matched]]
    b_bal, a_bal = _balances(b), _balances(a)
    if by == "balance":
        cells = np.bincount(key, weights=b_bal[matched], minlength=k * k)
    else:
        cells = np.bincount(key, minlength=k * k).astype(np.int64)
    matrix = pd.DataFrame(cells.reshape(k, k),
                          index=pd.Index(list(CLASSIFICATIONS), name="before", dtype="str"),
                          columns=pd.Index(list(CLASSIFICATIONS), name="after", dtype="str"))
    only_a = m["only_a"]
    accounting = pd.DataFrame({
        "loans": np.array([matched.sum(), (~matched).sum(), only_a.sum()], dtype=np.int64),
        "balance_before": np.array([b_bal[matched].sum(), b_bal[~matched].sum(), 0.0]),
        "balance_after": np.array([a_bal[a_pos[matched]].sum(), 0.0, a_bal[only_a].sum()]),
    }, index=pd.Index(list(MIGRATION_ACCOUNTING_ROWS), dtype="str"))
    return Migration(matrix=matrix, by=by, accounting=accounting,
                     only_before=_loan_list(b.loc[~matched]), only_after=_loan_list(a.loc[only_a]))


@dataclass(frozen=True)
class SpecialMentionMigration:
    """The special-mention migration rate (关注类贷款迁徙率) and its parts.

    Attributes
    ----------
    rate : float or None
        ``downgraded_balance / (beginning_balance − decrease)``; None when the denominator
        is not positive.
    beginning_balance : float
        期初关注类贷款余额: earlier balance of the loans special mention at the earlier date.
    decrease : float
        期初关注类贷款期间减少金额: Σ max(0, earlier − later balance) over those loans; a loan
        gone from (or at 0 in) the later snapshot decreases by its whole balance.
    downgraded_balance : float
        期初关注类贷款向下迁徙金额: balance of those loans classified NPL at the later date.
    numerator : {"ending", "beginning"}
        Which balance ``downgraded_balance`` sums.
    loans, downgraded_loans, repaid_loans : int
        Beginning special-mention loans; those NPL at the later date; those paid off fully.
    count_rate : float or None
        ``downgraded_loans / (loans − repaid_loans)`` (by count; None when no loan remains).
    """

    rate: float | None
    beginning_balance: float
    decrease: float
    downgraded_balance: float
    numerator: str
    loans: int
    downgraded_loans: int
    repaid_loans: int
    count_rate: float | None

    def to_frame(self) -> pd.DataFrame:
        """``key``, ``label_zh``, ``value`` (float, NaN for None): the rate and its parts."""
        rows = [
            ("rate", "关注类贷款迁徙率(按余额)", self.rate),
            ("beginning_balance", "期初关注类贷款余额(元)", self.beginning_balance),
            ("decrease", "期初关注类贷款期间减少金额(元)", self.decrease),
            ("downgraded_balance", "期初关注类贷款向下迁徙金额(元)", self.downgraded_balance),
            ("count_rate", "关注类贷款迁徙率(按笔数)", self.count_rate),
            ("loans", "期初关注类贷款笔数", self.loans),
            ("downgraded_loans", "迁徙为不良的笔数", self.downgraded_loans),
            ("repaid_loans", "期间结清笔数", self.repaid_loans),
        ]
        return pd.DataFrame({
            "key": pd.Series([r[0] for r in rows], dtype="str"),
            "label_zh": pd.Series([r[1] for r in rows], dtype="str"),
            "value": pd.Series([np.nan if r[2] is None else float(r[2]) for r in rows],
                               dtype="float64"),
        })


def special_mention_migration_rate(before: pd.DataFrame, after: pd.DataFrame, *,
                                   numerator: Literal["ending", "beginning"] = "ending"
                                   ) -> SpecialMentionMigration:
    """The special-mention migration rate (关注类贷款迁徙率).

    Regulator's definition (原银监会《非现场监管报表指标体系》, 迁徙类指标)::

        关注类贷款迁徙率 = 期初关注类贷款向下迁徙金额
                           / (期初关注类贷款余额 − 期初关注类贷款期间减少金额) × 100%

    where 向下迁徙金额 is, among the loans special mention at the start, the balance of those
    classified substandard, doubtful or loss at the end of the period (报告期末 … 贷款余额之和),
    and 期间减少金额 is how much those loans decreased during the period. Here, per loan
    special mention and active at the earlier date: ``decrease = max(0, earlier − later
    balance)``, a loan paid off (absent from the later snapshot or at 0) decreasing by its
    whole balance. A loan written off or sold also leaves the later extract and so counts as
    a decrease; the extract cannot tell these apart.

    Parameters
    ----------
    before, after : DataFrame
        Canonical loans at the start and the end of the period.
    numerator : {"ending", "beginning"}, default "ending"
        ``"ending"`` sums the downgraded loans' end-of-period balance, as the regulator's
        definition reads; ``"beginning"`` their beginning balance (the variant that weighs
        every cell of :func:`migration_matrix` by the beginning balance).

    Returns
    -------
    SpecialMentionMigration
        With the count-based rate beside it: downgraded loans over beginning special-mention
        loans not paid off.
    """
    if numerator not in ("ending", "beginning"):
        raise ValueError(f"numerator 应为 'ending' 或 'beginning',收到 {numerator!r} / "
                         f"numerator must be 'ending' or 'beginning', got {numerator!r}")
    m = _match(before, after)
    b, a, bc, ac = m["b"], m["a"], m["bc"], m["ac"]
    a_pos, matched = m["a_pos"], m["matched_b"]
    sm = bc == _SM_CODE
    b_bal = _balances(b)
    end_bal = np.where(matched, _balances(a)[np.where(matched, a_pos, 0)], 0.0) if len(a) \
        else np.zeros(len(b))
    end_cls = np.where(matched, ac[np.where(matched, a_pos, 0)], -1) if len(a) \
        else np.full(len(b), -1)
    down = sm & (end_cls >= _NPL_CODE)
    beginning = float(b_bal[sm].sum())
    decrease = float(np.maximum(0.0, b_bal[sm] - end_bal[sm]).sum())
    down_balance = float((end_bal if numerator == "ending" else b_bal)[down].sum())
    loans, repaid, n_down = int(sm.sum()), int((sm & ~matched).sum()), int(down.sum())
    return SpecialMentionMigration(
        rate=_ratio(down_balance, beginning - decrease), beginning_balance=beginning,
        decrease=decrease, downgraded_balance=down_balance, numerator=numerator, loans=loans,
        downgraded_loans=n_down, repaid_loans=repaid, count_rate=_ratio(n_down, loans - repaid))
