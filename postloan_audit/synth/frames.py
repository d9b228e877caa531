"""From the generator's state to canonical frames (规范化数据表): :class:`SyntheticNetwork`.

:func:`to_frames` builds the loans, inspections (贷后检查记录, with each inspection's report:
its period and completion date), collections (催收记录) and branches (机构) sheets in the shape
and dtypes :func:`postloan_audit.load_extract` returns (``docs/extract-format.md``), the planted
answer key in catalogue order, and the display labels (sub-grades such as 正常一级, guarantee
combinations such as 抵押+保证) the writer shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules import CATALOGUE
from postloan_audit.compliance.rules.context import CheckContext
from postloan_audit.core.extract import OPTIONAL_SHEETS
from postloan_audit.core.schema import CLASSIFICATION_ZH, CLASSIFICATIONS, LOAN_COLUMNS
from postloan_audit.synth.borrower_file import BorrowerFile, file_frames
from postloan_audit.synth.draws import NAT_DAY, strcat, zfill
from postloan_audit.synth.plant import PLANTED_RULES
from postloan_audit.synth.vocabulary import (
    BUSINESS_INDUSTRY,
    COLL_METHODS,
    CORP_INDUSTRY,
    CORP_RATINGS,
    PRODUCTS,
    SM,
    SUBGRADE,
)


@dataclass
class SyntheticNetwork:
    """A generated network in canonical form (the shape :func:`load_extract` returns).

    Attributes
    ----------
    loans, inspections, collections, branches:
        Canonical frames with the dtypes of ``docs/extract-format.md``; every optional loan
        column is present.
    planted:
        ``rule_id``, ``loan_id`` of every deliberately planted rule breach at :attr:`as_of`
        under the default policy (``Policy.default()``); every other loan breaches
        no rule. :meth:`planted_in` gives the part an extract of fewer sheets shows.
    collateral, guarantees, financials, external, lists:
        The borrower's file (押品, 保证, 财务报表, 外部信息, 名单) in canonical form
        (:mod:`~postloan_audit.synth.borrower_file`).
    shown_by_sheet:
        ``rule_id``, ``loan_id``, ``sheet``: the planted breaches only that sheet shows (a
        plant revalued a day too late for the half-year is a COLLAT-REVAL breach with the
        collateral register, not by the ledger's yearly test).
    labels:
        Display labels aligned with :attr:`loans`: ``classification`` (五级分类 words or
        sub-grades such as 正常一级) and ``guarantee`` (combinations such as 抵押+保证).
    as_of, seed, county:
        What made it.
    """

    loans: pd.DataFrame
    inspections: pd.DataFrame
    collections: pd.DataFrame
    branches: pd.DataFrame
    planted: pd.DataFrame
    labels: pd.DataFrame
    as_of: dt.date
    seed: int
    county: str = ""
    collateral: pd.DataFrame | None = None
    guarantees: pd.DataFrame | None = None
    financials: pd.DataFrame | None = None
    external: pd.DataFrame | None = None
    lists: pd.DataFrame | None = None
    shown_by_sheet: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: pd.Series(dtype="str")
                                              for c in ("rule_id", "loan_id", "sheet")}))
    state: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: The state as published (planted breaches included): the next snapshot starts from it.
    final_state: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def planted_in(self, sheets: Sequence[str]) -> pd.DataFrame:
        """The answer key of an extract holding only ``sheets`` (``loans`` always among them).

        The rows of :attr:`planted` whose rule can run on those sheets, less those only a
        sheet not among them shows (:attr:`shown_by_sheet`): a CSV extract holds the loans
        alone, so INSP-REPORT (the inspection reports) and the rules of the borrower's file
        (COLLAT-COVER, GUAR-RATING, FIN-STATEMENTS, LIST-MODE …) are not run on it, and
        COLLAT-REVAL reads the ledger's yearly appraisal date instead of the register (every
        other rule reads the loan-level columns when a sheet is missing).
        """
        frames = {name: None if name not in sheets or getattr(self, name) is None
                  else getattr(self, name).head(0) for name in OPTIONAL_SHEETS}
        ctx = CheckContext(self.loans.head(0), as_of=self.as_of, policy=Policy.default(),
                           **frames)
        runnable = [rule_id for rule_id, rule in CATALOGUE.items() if not rule.missing(ctx)]
        key = self.planted[self.planted["rule_id"].isin(runnable)]
        hidden = self.shown_by_sheet[~self.shown_by_sheet["sheet"].isin(list(sheets))]
        if len(hidden):
            pairs = pd.MultiIndex.from_frame(key[["rule_id", "loan_id"]])
            key = key[~pairs.isin(pd.MultiIndex.from_frame(hidden[["rule_id", "loan_id"]]))]
        return key.reset_index(drop=True)



def _str(values: Any) -> pd.Series:
    return pd.Series(values, dtype="str")


def _dates(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]").astype("datetime64[ns]")


def _blank_missing(values: np.ndarray) -> pd.Series:
    """Text with empty strings as missing values (a blank cell, as the loader reads it)."""
    out = _str(values)
    return out.mask(out == "")


def report_periods(dates: np.ndarray, months: np.ndarray) -> pd.Series:
    """Canonical report periods (``2026-03``, ``2026Q1``, ``2026H1``, ``2026``) of the periods
    of ``months`` months (1, 3, 6, 12; 0: none, missing) holding ``dates``."""
    month = np.asarray(dates, dtype="datetime64[M]").astype(np.int64)
    year = (month // 12 + 1970).astype(str)
    within = month % 12
    text = np.select(
        [months == 1, months == 3, months == 6, months == 12],
        [strcat(year, "-", zfill(within + 1, 2)), strcat(year, "Q", within // 3 + 1),
         strcat(year, "H", within // 6 + 1), year], "")
    return _blank_missing(text)


def answer_key(planted: list[tuple[str, np.ndarray]], loan_id: np.ndarray) -> pd.DataFrame:
    """``rule_id``, ``loan_id`` of each planted ``(rule_id, loan indices)``, in catalogue
    order and by loan id."""
    rules = np.concatenate([np.full(len(idx), rule, dtype=object) for rule, idx in planted]
                           or [np.empty(0, object)])
    loan_idx = np.concatenate([idx for _, idx in planted] or [np.empty(0, np.int64)])
    rank = {rule: i for i, rule in enumerate(PLANTED_RULES)}
    key = pd.DataFrame({"rule_id": _str(rules), "loan_id": _str(loan_id[loan_idx])})
    return (key.assign(_r=key["rule_id"].map(rank))
            .sort_values(["_r", "loan_id"], kind="stable").drop(columns="_r")
            .reset_index(drop=True))


def to_frames(s: dict[str, Any], as_of: np.datetime64, seed: int,
              planted: list[tuple[str, np.ndarray]], rng: np.random.Generator, *,
              file: BorrowerFile | None = None,
              sheet_only: list[tuple[str, np.ndarray, str]] | None = None
              ) -> SyntheticNetwork:
    n = len(s["class"])
    corp = s["corporate"]
    cls = s["class"]
    branch_names = s["branch_names"]
    branch = branch_names[s["branch_idx"]]
    disb_year = s["disbursement"].astype("datetime64[Y]").astype(np.int64) + 1970
    loan_id = strcat(zfill(s["branch_idx"] + 1, 3), disb_year, zfill(s["loan_seq"], 8))
    products = np.array([p[0] for p in PRODUCTS])
    industry = np.where(corp, CORP_INDUSTRY[s["industry_kind"]],
                        np.select([s["product"] == 0, s["product"] == 1], ["个人住房", "个人消费"],
                                  BUSINESS_INDUSTRY[s["industry_kind"] % 5]))
    rating = np.full(n, np.nan, dtype=object)
    for c, options in enumerate(CORP_RATINGS):
        m = corp & (cls == c)
        rating[m] = np.asarray(options)[(s["rating_pick"][m] * len(options)).astype(int)]
    method = np.where(s["last_collection_method"] >= 0,
                      COLL_METHODS[np.maximum(s["last_collection_method"], 0)], None)
    loans = pd.DataFrame({
        "loan_id": _str(loan_id),
        "borrower_id": _str(s["borrower_id"]),
        "branch": _str(branch),
        "balance": s["balance"].astype(np.float64),
        "classification": pd.Categorical.from_codes(cls, categories=list(CLASSIFICATIONS),
                                                    ordered=True),
        "guarantee_type": _str(s["guarantee"]),
        "borrower_name": _str(s["borrower_name"]),
        "customer_type": _str(np.where(corp, "corporate", "individual")),
        "product": _str(products[s["product"]]),
        "disbursement_date": _dates(s["disbursement"]),
        "maturity_date": _dates(s["maturity"]),
        "repayment_method": _str(np.where(s["installment"], "installment", "bullet")),
        "payment_method": _str(np.where(s["self_pay"], "self", "entrusted")),
        "overdue_days": s["overdue"].astype(np.int64),
        "management_mode": _str(np.where(s["key_mode"], "key", "regular")),
        "last_inspection_date": _dates(s["last_inspection"]),
        "first_inspection_date": _dates(s["first_inspection"]),
        "extension_months": s["extension"].astype(np.int64),
        "refinanced": s["refinanced"].astype(bool),
        "restructured": s["restructured"].astype(bool),
        "restructure_date": _dates(s["restructure_date"]),
        "collateral_value": s["collateral_value"].astype(np.float64),
        "collateral_initial_value": s["collateral_initial"].astype(np.float64),
        "collateral_appraisal_date": _dates(s["appraisal"]),
        "collateral_inspection_date": _dates(s["collateral_inspection"]),
        "additional_guarantee": s["additional_guarantee"].astype(bool),
        "rating": _str(rating),
        "rating_date": _dates(s["rating_date"]),
        "maturity_notice_date": _dates(s["maturity_notice"]),
        "collection_notice_date": _dates(s["collection_notice"]),
        "guarantor_notice_date": _dates(s["guarantor_notice"]),
        "last_collection_date": _dates(s["last_collection"]),
        "last_collection_method": _str(method),
        "fund_use_check_date": _dates(s["fund_use_check"]),
        "exit_list": s["exit_list"].astype(bool),
        "litigation": s["litigation"].astype(bool),
        "industry": _str(industry),
        "loan_officer": _blank_missing(s["loan_officer"]),
        "id_number": _str(s["id_number"]),
        "last_onsite_inspection_date": _dates(s["last_onsite"]),
        "interest_overdue_since": _dates(s["interest_since"]),
        # a callback still ahead of as_of has not happened yet
        "callback_date": _dates(np.where(s["callback"] <= as_of, s["callback"], NAT_DAY)),
        "group_id": _blank_missing(np.where(s["group"] >= 0,
                                            strcat("JT", zfill(s["group"] + 1, 5)), "")),
        "contract_id": _str(strcat("HT", loan_id[s["contract_of"]])),
    })
    loans = loans[[c.name for c in LOAN_COLUMNS]]
    loans["secured"] = np.isin(s["guarantee"], ("guarantee", "mortgage", "pledge"))
    loans["source_row"] = np.arange(2, n + 2, dtype=np.int64)

    order = np.lexsort((s["insp_date"], s["insp_loan"]))
    il = s["insp_loan"][order]
    inspections = pd.DataFrame({
        "loan_id": _str(loan_id[il]),
        "inspection_date": _dates(s["insp_date"][order]),
        "inspection_type": _str(np.where(s["insp_onsite"][order], "onsite", "offsite")),
        "inspector": _blank_missing(s["loan_officer"][il]),
        "report_date": _dates(s["insp_report"][order]),
        "report_period": report_periods(s["insp_date"][order], s["insp_period"][order]),
    })
    order = np.lexsort((s["coll_date"], s["coll_loan"]))
    collections = pd.DataFrame({
        "loan_id": _str(loan_id[s["coll_loan"][order]]),
        "collection_date": _dates(s["coll_date"][order]),
        "method": _str(COLL_METHODS[s["coll_method"][order]]),
    })
    nbr = len(branch_names)
    review_age = np.where(np.arange(nbr) == nbr - 1, rng.integers(400, 700, nbr),
                          rng.integers(20, 360, nbr)) if nbr > 1 else rng.integers(20, 360, nbr)
    branches = pd.DataFrame({
        "branch": _str(branch_names),
        "last_onsite_review_date": _dates(as_of - review_age),
    })
    planted_df = answer_key(planted, loan_id)
    # Display labels: some loans carry sub-grades (正常一级 …), guarantees their combination.
    cls_label = np.array([CLASSIFICATION_ZH[c] for c in CLASSIFICATIONS])[cls].astype(object)
    sub = (rng.random(n) < 0.25) & (cls <= SM)
    pick = rng.random(n)
    for c, grades in SUBGRADE.items():
        m = sub & (cls == c)
        cls_label[m] = np.asarray(grades)[(pick[m] * len(grades)).astype(int)]
    labels = pd.DataFrame({"classification": _str(cls_label),
                           "guarantee": _str(s["guarantee_label"])})
    sheets = {} if file is None else file_frames(file, s, loan_id)
    only = [(rule, idx, sheet) for rule, idx, sheet in (sheet_only or []) if len(idx)]
    shown_by_sheet = pd.DataFrame({
        "rule_id": _str(np.concatenate([np.full(len(i), r, dtype=object) for r, i, _ in only]
                                       or [np.empty(0, object)])),
        "loan_id": _str(np.concatenate([loan_id[i] for _, i, _ in only]
                                       or [np.empty(0, object)])),
        "sheet": _str(np.concatenate([np.full(len(i), sh, dtype=object) for _, i, sh in only]
                                     or [np.empty(0, object)]))})
    return SyntheticNetwork(loans=loans, inspections=inspections, collections=collections,
                            branches=branches, planted=planted_df, labels=labels,
                            as_of=pd.Timestamp(as_of).date(), seed=seed, county=s["county"],
                            shown_by_sheet=shown_by_sheet, state=s, **sheets)

