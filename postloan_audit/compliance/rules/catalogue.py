"""The rule catalogue (规则目录): every rule registered explicitly, in one place.

The order here is the order of the findings table and of every listing. A duplicate id is an
error at import time.
"""

from __future__ import annotations

from collections.abc import Iterable

from postloan_audit.compliance.policy import RULE_IDS
from postloan_audit.compliance.rules.accountability import OFFICER_ONE
from postloan_audit.compliance.rules.base import Rule
from postloan_audit.compliance.rules.borrower import FIN_STATEMENTS, GUAR_RATING
from postloan_audit.compliance.rules.classification import CLS_BORROWER, CLS_OVERDUE, CLS_RESTRUCT
from postloan_audit.compliance.rules.collateral import (
    COLLAT_COVER,
    COLLAT_DROP,
    COLLAT_INSP,
    COLLAT_INSURE,
    COLLAT_RELEASE,
    COLLAT_REVAL,
)
from postloan_audit.compliance.rules.collection import (
    COLL_NPL,
    COLL_TIER,
    DATA_OVERDUE,
    INT_COLLECT,
    MAT_COLLECT,
    MAT_NOTICE,
)
from postloan_audit.compliance.rules.inspection import (
    CALLBACK_FIRST,
    EXIT_VISIT,
    INSP_FIRST,
    INSP_FREQ,
    INSP_REPORT,
)
from postloan_audit.compliance.rules.lending import (
    EXT_INDIVIDUAL,
    EXT_LIMIT,
    FUND_USE,
    RATING_STALE,
    REFI_INDIVIDUAL,
)
from postloan_audit.compliance.rules.lists import LIST_MODE, LIST_NEWCREDIT, LIST_WATCH


def build_catalogue(rules: Iterable[Rule]) -> dict[str, Rule]:
    """An id → rule mapping in the given order.

    Raises
    ------
    ValueError
        When two rules share an id.
    """
    catalogue: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in catalogue:
            raise ValueError(f"规则编号重复 / duplicate rule id: {rule.id}")
        catalogue[rule.id] = rule
    return catalogue


CATALOGUE: dict[str, Rule] = build_catalogue([
    INSP_FREQ,
    INSP_FIRST,
    INSP_REPORT,
    CLS_OVERDUE,
    CLS_BORROWER,
    CLS_RESTRUCT,
    EXT_LIMIT,
    EXT_INDIVIDUAL,
    REFI_INDIVIDUAL,
    COLL_TIER,
    COLL_NPL,
    MAT_NOTICE,
    MAT_COLLECT,
    INT_COLLECT,
    COLLAT_INSP,
    COLLAT_REVAL,
    COLLAT_DROP,
    COLLAT_COVER,
    COLLAT_INSURE,
    COLLAT_RELEASE,
    RATING_STALE,
    GUAR_RATING,
    FIN_STATEMENTS,
    EXIT_VISIT,
    LIST_MODE,
    LIST_NEWCREDIT,
    LIST_WATCH,
    FUND_USE,
    CALLBACK_FIRST,
    OFFICER_ONE,
    DATA_OVERDUE,
])

if tuple(CATALOGUE) != RULE_IDS:  # pragma: no cover - a registration mistake, caught on import
    raise ImportError("规则目录与参数表的规则编号不一致 / the catalogue's rule ids differ from "
                      f"compliance.policy.RULE_IDS: {tuple(CATALOGUE)} != {RULE_IDS}")
