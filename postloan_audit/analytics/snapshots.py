"""Two snapshots of one book compared (两期台账比对): :func:`compare_snapshots`.

Loans are matched by ``loan_id``. **New** loans are in the later snapshot only, **settled**
ones in the earlier only; a loan in both contributes its balance change. The
**reconciliation** adds up to the yuan, in integer cents (分):

    before + new − settled + change of the continuing loans = after

**Changes** an auditor reads, one row per loan and field:

* ``classification``: 上调 (better) or 下调 (worse) — a loan moved up while overdue grows is the
  classic 分类偏离 (《商业银行金融资产风险分类办法》);
* ``balance``: up on a loan that is NPL in either snapshot (不良贷款余额增加: new money into a bad
  loan, 借新还旧 or capitalised interest);
* ``maturity_date``: moved later while ``extension_months`` did not change (到期日延后但未登记
  展期: an extension outside the 《贷款通则》 第十二条 process);
* ``guarantee_type``: weaker (担保弱化: pledge > mortgage > guarantee > credit);
* ``management_mode``: key → regular (管理方式由重点改为常规).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.analytics._common import CENTS, cents, extract_of, provenance_of, require, text
from postloan_audit.core import schema
from postloan_audit.core.errors import AnalyticsError
from postloan_audit.core.extract import Extract
from postloan_audit.core.provenance import Provenance, ProvenanceAliases

#: Strength of a guarantee type (担保强度): the schema's order of a combination's strongest part.
GUARANTEE_STRENGTH: dict[str, int] = {"credit": 0, "guarantee": 1, "mortgage": 2, "pledge": 3}
CHANGE_COLUMNS = ["loan_id", "field", "before", "after", "change"]
COMPARISON_HEADERS: dict[str, str] = {
    "loan_id": "借据号", "field": "字段", "before": "上期", "after": "本期", "change": "变动",
    "borrower_id": "客户号", "borrower_name": "客户名称", "branch": "经营机构",
    "balance": "贷款余额(元)", "item": "项目", "loans": "笔数"}
FIELD_ZH: dict[str, str] = {"classification": "五级分类", "balance": "贷款余额",
                            "maturity_date": "到期日期", "guarantee_type": "担保方式",
                            "management_mode": "管理方式"}
RECONCILIATION_ZH: dict[str, str] = {"before": "上期余额", "new": "加:新发放", "settled": "减:结清",
                                     "changed": "加:存续借据余额变动", "after": "本期余额"}


@dataclass(frozen=True)
class SnapshotComparison(ProvenanceAliases):
    """Two snapshots compared (see the module).

    Attributes
    ----------
    new, settled:
        The loans in the later / earlier snapshot only: ``loan_id``, ``borrower_id``,
        ``balance`` (and ``branch``, ``borrower_name`` when present), by loan id.
    changed:
        One row per loan and changed field: ``loan_id``, ``field``, ``before``, ``after``
        (as text), ``change`` (in Chinese).
    reconciliation:
        Rows ``before``, ``new``, ``settled``, ``changed``, ``after`` (index), columns
        ``balance`` (yuan; settled counted negative) and ``loans``; the balances add up
        exactly in cents.
    provenance:
        The later snapshot's provenance; :attr:`before_provenance` the earlier's.
    """

    new: pd.DataFrame
    settled: pd.DataFrame
    changed: pd.DataFrame
    reconciliation: pd.DataFrame
    provenance: Provenance
    before_provenance: Provenance

    @property
    def reconciles(self) -> bool:
        """before + new − settled + changed == after, in cents."""
        c = cents(self.reconciliation["balance"].to_numpy())
        return bool(c[0] + c[1] + c[2] + c[3] == c[4])


def _loans(data: Extract | pd.DataFrame, argument: str) -> tuple[pd.DataFrame, Extract]:
    extract = extract_of(data, argument=argument)
    loans = extract.loans
    require(loans, ["loan_id", "balance"], (f"{'上期' if argument == 'before' else '本期'}台账",
                                            f"the {argument} loans"))
    ids = loans["loan_id"].astype("str")
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        raise AnalyticsError(f"{'上期' if argument == 'before' else '本期'}台账中借据号重复:"
                             f"{'、'.join(map(str, repeated[:5]))}{' 等' if len(repeated) > 5 else ''}"
                             f",无法逐笔比对。 / {argument}: loan ids repeat ({len(repeated)}).")
    return loans.reset_index(drop=True), extract


def _listing(loans: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    cols = [c for c in ("loan_id", "borrower_id", "borrower_name", "branch") if c in loans.columns]
    # the rows first, then as objects: a listing is a few percent of a million loans
    out = pd.DataFrame({c: text(loans[c].take(rows).to_numpy(dtype=object)) for c in cols})
    out["balance"] = pd.to_numeric(loans["balance"], errors="coerce").fillna(0.0).to_numpy(
        dtype=np.float64)[rows]
    return out.sort_values("loan_id", ignore_index=True)


def _mapped(column: pd.Series, mapping: dict, dtype) -> np.ndarray:
    """``column.astype("str").map(mapping).to_numpy(dtype=dtype)``, each distinct value
    looked up once (a per-value ``map`` over a million strings costs seconds)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = pd.concat([pd.Series(np.asarray(uniques, dtype=object)).astype("str"),
                        pd.Series([np.nan], dtype="str")], ignore_index=True)
    looked_up = values.map(mapping).to_numpy(dtype=dtype)
    return looked_up[np.where(codes < 0, len(uniques), codes)]


def _as_text(values: np.ndarray) -> np.ndarray:
    out = pd.Series(values).astype("str").to_numpy(dtype=object)
    return np.where(pd.isna(out), "", out)


def _yuan(cents_: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Amounts in cents as yuan text with two decimals (``450.50``), only where ``rows`` (a
    few among a million: formatting them all would cost a second)."""
    out = np.full(len(cents_), "", dtype=object)
    out[rows] = [f"{c // CENTS}.{c % CENTS:02d}" if c >= 0 else f"-{-c // CENTS}.{-c % CENTS:02d}"
                 for c in cents_[rows].tolist()]
    return out


def compare_snapshots(before: Extract | pd.DataFrame, after: Extract | pd.DataFrame
                      ) -> SnapshotComparison:
    """Compare two snapshots of one book, the earlier first (see the module).

    Raises
    ------
    AnalyticsError
        A snapshot lacks ``loan_id`` or ``balance``, or repeats a loan id.
    """
    b, b_extract = _loans(before, "before")
    a, a_extract = _loans(after, "after")
    a_ids = a["loan_id"].astype("str")
    # one factorisation of both id columns (each without repeats: _loans refuses them)
    codes, _ = pd.factorize(pd.concat([b["loan_id"].astype("str"), a_ids], ignore_index=True),
                            use_na_sentinel=False)
    b_codes, a_codes = codes[:len(b)], codes[len(b):]
    before_row = np.full(int(codes.max()) + 1 if len(codes) else 0, -1, dtype=np.int64)
    before_row[b_codes] = np.arange(len(b))
    in_before = before_row[a_codes]  # per after row: its before row, -1 when new
    in_after = np.zeros(len(before_row), dtype=bool)
    in_after[a_codes] = True
    new_rows = np.flatnonzero(in_before < 0)
    settled_rows = np.flatnonzero(~in_after[b_codes])
    both_a = np.flatnonzero(in_before >= 0)
    both_b = in_before[both_a]

    b_cents = cents(np.nan_to_num(pd.to_numeric(b["balance"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)))
    a_cents = cents(np.nan_to_num(pd.to_numeric(a["balance"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)))
    totals = np.array([b_cents.sum(), a_cents[new_rows].sum(), -b_cents[settled_rows].sum(),
                       (a_cents[both_a] - b_cents[both_b]).sum(), a_cents.sum()], dtype=np.int64)
    counts = np.array([len(b), len(new_rows), len(settled_rows), len(both_a), len(a)],
                      dtype=np.int64)
    reconciliation = pd.DataFrame({"balance": totals / CENTS, "loans": counts},
                                  index=pd.Index(list(RECONCILIATION_ZH), name="item"))

    parts: list[pd.DataFrame] = []

    def add(mask: np.ndarray, field: str, before_v, after_v, change) -> None:
        if mask.any():
            parts.append(pd.DataFrame({
                "loan_id": a_ids.take(both_a[mask]).to_numpy(dtype=object), "field": field, "before": _as_text(before_v[mask]),
                "after": _as_text(after_v[mask]),
                "change": np.broadcast_to(np.asarray(change, dtype=object), mask.shape)[mask]}))

    if "classification" in a.columns and "classification" in b.columns:
        order = {c: i for i, c in enumerate(schema.CLASSIFICATIONS)}
        bc = _mapped(b["classification"], order, np.float64)[both_b]
        ac = _mapped(a["classification"], order, np.float64)[both_a]
        zh_b = _mapped(b["classification"], schema.CLASSIFICATION_ZH, object)[both_b]
        zh_a = _mapped(a["classification"], schema.CLASSIFICATION_ZH, object)[both_a]
        moved = ~np.isnan(bc) & ~np.isnan(ac) & (bc != ac)
        add(moved, "classification", zh_b, zh_a,
            np.where(ac < bc, "分类上调(好转)", "分类下调(劣变)"))
        npl = schema.CLASSIFICATIONS.index("substandard")
        was_npl = (bc >= npl) | (ac >= npl)
    else:
        was_npl = np.zeros(len(both_a), dtype=bool)
    npl_up = (a_cents[both_a] > b_cents[both_b]) & was_npl
    add(npl_up, "balance", _yuan(b_cents[both_b], npl_up), _yuan(a_cents[both_a], npl_up),
        "不良贷款余额增加")
    if "maturity_date" in a.columns and "maturity_date" in b.columns:
        bm = pd.to_datetime(b["maturity_date"]).to_numpy(dtype="datetime64[ns]")[both_b]
        am = pd.to_datetime(a["maturity_date"]).to_numpy(dtype="datetime64[ns]")[both_a]
        be = (b["extension_months"].fillna(0).to_numpy(dtype=np.int64)[both_b]
              if "extension_months" in b.columns else np.zeros(len(both_b), np.int64))
        ae = (a["extension_months"].fillna(0).to_numpy(dtype=np.int64)[both_a]
              if "extension_months" in a.columns else np.zeros(len(both_a), np.int64))
        later = ~np.isnat(bm) & ~np.isnat(am) & (am > bm) & (ae == be)
        add(later, "maturity_date", np.datetime_as_string(bm.astype("datetime64[D]")),
            np.datetime_as_string(am.astype("datetime64[D]")), "到期日延后但未登记展期")
    if "guarantee_type" in a.columns and "guarantee_type" in b.columns:
        bg = _mapped(b["guarantee_type"], GUARANTEE_STRENGTH, np.float64)[both_b]
        ag = _mapped(a["guarantee_type"], GUARANTEE_STRENGTH, np.float64)[both_a]
        zh = lambda f, rows: _mapped(f["guarantee_type"], schema.GUARANTEE_ZH,  # noqa: E731
                                     object)[rows]
        add(~np.isnan(bg) & ~np.isnan(ag) & (ag < bg), "guarantee_type", zh(b, both_b),
            zh(a, both_a), "担保方式弱化")
    if "management_mode" in a.columns and "management_mode" in b.columns:
        bk = (b["management_mode"] == "key").fillna(False).to_numpy(dtype=bool)[both_b]
        ar = (a["management_mode"] == "regular").fillna(False).to_numpy(dtype=bool)[both_a]
        add(bk & ar, "management_mode", np.full(len(both_a), "重点", dtype=object),
            np.full(len(both_a), "常规", dtype=object), "管理方式由重点改为常规")
    fields = list(FIELD_ZH)
    if parts:
        changed = pd.concat(parts, ignore_index=True)
        changed["_f"] = changed["field"].map({f: i for i, f in enumerate(fields)})
        changed = changed.sort_values(["loan_id", "_f"], ignore_index=True).drop(columns="_f")
        changed = changed.astype({c: "str" for c in CHANGE_COLUMNS})
    else:
        changed = pd.DataFrame({c: text([]) for c in CHANGE_COLUMNS})
    return SnapshotComparison(new=_listing(a, new_rows), settled=_listing(b, settled_rows),
                              changed=changed, reconciliation=reconciliation,
                              provenance=provenance_of(a_extract),
                              before_provenance=provenance_of(b_extract))
