"""What the portfolio measures share (组合指标公共部分): the active loans and their class codes.

Unless said otherwise a measure looks only at **active loans** (在贷贷款): ``balance > 0``, the
same definition the compliance rules use. Ratios are by balance, as the regulator's
不良贷款率 is (不良贷款余额 / 各项贷款余额, 《商业银行风险监管核心指标(试行)》, 2005); a ratio
whose denominator is zero is ``None``, never 0 and never NaN (:func:`_ratio`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.core.schema import CLASSIFICATIONS, NPL_CLASSES

#: A loan is active (在贷) when its balance is above this many yuan (余额大于零), as in the
#: compliance rules (``CheckContext.active``).
ACTIVE_MIN_BALANCE: float = 0.0

_REQUIRED_LOAN_COLUMNS: tuple[str, ...] = ("loan_id", "borrower_id", "branch", "balance",
                                           "classification")
_NPL_CODE: int = CLASSIFICATIONS.index(NPL_CLASSES[0])
_SM_CODE: int = CLASSIFICATIONS.index("special_mention")


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den > 0 else None


def _check_columns(loans: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in loans.columns]
    if missing:
        raise ValueError(f"{what}缺少列:{'、'.join(missing)} / {what} lacks columns: "
                         f"{', '.join(missing)}")


def _class_codes(classification: pd.Series) -> np.ndarray:
    """0 normal … 4 loss, -1 missing or unknown."""
    col = classification
    if not (isinstance(col.dtype, pd.CategoricalDtype)
            and list(col.cat.categories) == list(CLASSIFICATIONS)):
        col = pd.Series(pd.Categorical(col.astype("str"), categories=CLASSIFICATIONS,
                                       ordered=True), index=col.index)
    return col.cat.codes.to_numpy(dtype=np.int64)


def _active(loans: pd.DataFrame, what: str = "贷款台账", extra: tuple[str, ...] = ()
            ) -> tuple[pd.DataFrame, np.ndarray]:
    """Active loans (balance > 0), the required columns plus those of ``extra`` present (so
    a wide ledger is not copied whole), and their class codes.

    Raises ValueError when a required column is missing or an active loan has no valid
    classification: the loader rejects such rows, so this is a broken contract, and leaving
    the loan out would misstate every ratio.
    """
    _check_columns(loans, _REQUIRED_LOAN_COLUMNS, what)
    balance = loans["balance"].to_numpy(dtype=np.float64, na_value=np.nan)
    keep = [*_REQUIRED_LOAN_COLUMNS, *(c for c in extra if c in loans.columns)]
    active = loans.loc[np.nan_to_num(balance, nan=0.0) > ACTIVE_MIN_BALANCE, keep]
    codes = _class_codes(active["classification"])
    bad = codes < 0
    if bad.any():
        ids = active["loan_id"].to_numpy(dtype=object)[bad]
        shown = "、".join(map(str, ids[:5])) + ("…" if len(ids) > 5 else "")
        raise ValueError(f"{what}中{int(bad.sum())}笔在贷贷款无有效五级分类:{shown} / "
                         f"{int(bad.sum())} active loan(s) without a valid classification: "
                         f"{', '.join(map(str, ids[:5]))}")
    return active, codes


def _branch_codes(active: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Codes into the sorted branch names; a blank branch keeps its own (last) code."""
    return pd.factorize(active["branch"].astype("str"), sort=True, use_na_sentinel=False)


def _balances(frame: pd.DataFrame) -> np.ndarray:
    return frame["balance"].to_numpy(dtype=np.float64, na_value=np.nan)
