"""Duplicates an auditor looks for (重复与共用): :func:`find_duplicates`.

* **One collateral for several debtors beyond its value** (一物多押、超值抵押): a collateral,
  known by its ``collateral_id`` or its ``title_certificate`` (权证编号; two ids with one
  certificate are one thing, joined as connected components by scipy's ``csgraph``), securing
  outstanding loans of two or more parties whose balances together exceed its appraised value.
  Rows released by the data date (``release_date``) do not count.
* **One id number under several borrower ids** (同一证件号码多个客户号): any id number, valid or
  not, normalised as :mod:`postloan_audit.parties.ids` does, carried by two or more borrower ids
  (a valid one joins them into one party; an invalid one is worth a look all the same).
* **Identical loans** (疑似重复借据): two or more loan ids with the same borrower id, balance and
  disbursement date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.analytics._common import (
    balances,
    extract_of,
    loan_parties,
    positions,
    provenance_of,
    require,
    text,
)
from postloan_audit.core.extract import Extract
from postloan_audit.core.provenance import Provenance, ProvenanceAliases
from postloan_audit.parties.ids import check_id_numbers
from postloan_audit.parties.resolve import PartyResolution

DUPLICATE_HEADERS: dict[str, str] = {
    "collateral_ids": "押品编号", "title_certificates": "权证编号", "parties": "债务人数",
    "party_ids": "债务人编号", "loans": "借据笔数", "loan_ids": "借据号", "balance": "贷款余额合计(元)",
    "appraised_value": "评估价值(元)", "excess": "超出评估价值(元)", "id_number": "证件号码",
    "valid": "证件号码有效", "borrower_ids": "客户号", "names": "名称", "group": "组号",
    "loan_id": "借据号", "borrower_id": "客户号", "disbursement_date": "发放日期",
    "branch": "经营机构", "borrower_name": "客户名称"}


@dataclass(frozen=True)
class Duplicates(ProvenanceAliases):
    """What :func:`find_duplicates` finds.

    Attributes
    ----------
    collateral:
        One row per collateral securing loans of two or more parties beyond its value:
        ``collateral_ids``, ``title_certificates``, ``parties``, ``party_ids``, ``loans``,
        ``loan_ids``, ``balance``, ``appraised_value`` (the largest recorded), ``excess``.
        Empty without a collateral sheet (``attrs["note"]`` says so).
    id_numbers:
        One row per id number under two or more borrower ids: ``id_number``, ``valid``,
        ``borrower_ids``, ``names``.
    loans:
        The loans of each group of identical loans: ``group`` (1, 2, …), ``loan_id``,
        ``borrower_id``, ``balance``, ``disbursement_date``, and ``branch`` / ``borrower_name``
        when the ledger has them.
    """

    collateral: pd.DataFrame
    id_numbers: pd.DataFrame
    loans: pd.DataFrame
    provenance: Provenance


#: Python's ``\s`` in a ``str`` pattern (the characters ``str.isspace`` accepts) for RE2,
#: whose own ``\s`` is ASCII only; a test holds it to Python's.
WHITESPACE_RE2 = (r"[\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}"
                  r"\x{2029}\x{202f}\x{205f}\x{3000}]")


def _without_spaces(values: pd.Series) -> pd.Series:
    r"""``values.str.replace(r"\s+", "", regex=True)``, the Python replacement run only on the
    values pyarrow finds a space in (nearly none: 560,000 Python calls took a second)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    spaced = pc.match_substring_regex(pa.array(values), WHITESPACE_RE2)
    spaced = spaced.fill_null(False).to_numpy(zero_copy_only=False)
    if not spaced.any():
        return values
    out = values.copy()
    out.loc[spaced] = values[spaced].str.replace(r"\s+", "", regex=True)
    return out


def _join(values: pd.Series, by: np.ndarray) -> pd.Series:
    frame = pd.DataFrame({"by": by, "v": values.astype("str").to_numpy(dtype=object)})
    frame = frame.dropna().drop_duplicates().sort_values(["by", "v"])
    return frame.groupby("by", sort=True)["v"].agg("、".join)


def shared_collateral(extract: Extract, *, parties: PartyResolution | None = None
                      ) -> pd.DataFrame:
    """One collateral securing loans of several parties beyond its value (see the module);
    ``parties`` as :func:`find_duplicates` takes them."""
    columns = ["collateral_ids", "title_certificates", "parties", "party_ids", "loans",
               "loan_ids", "balance", "appraised_value", "excess"]
    empty = pd.DataFrame({c: (pd.Series([], dtype=np.int64) if c in ("parties", "loans")
                              else pd.Series([], dtype=np.float64)
                              if c in ("balance", "appraised_value", "excess") else text([]))
                          for c in columns})
    sheet = extract.collateral
    if sheet is None:
        empty.attrs["note"] = ("台账无押品表(collateral),未检查一物多押。 / no collateral sheet:"
                               " shared collateral not checked.")
        return empty
    require(sheet, ["collateral_id", "loan_id", "appraised_value"], ("押品表", "the collateral"))
    loans = extract.loans
    lp = loan_parties(loans, parties)
    balance = balances(loans)
    rows = sheet.reset_index(drop=True)
    pos = positions(loans["loan_id"].astype("str"), rows["loan_id"].astype("str"))
    keep = pos >= 0
    keep[keep] = balance[pos[keep]] > 0
    if "release_date" in rows.columns and extract.as_of is not None:
        released = pd.to_datetime(rows["release_date"]).to_numpy(dtype="datetime64[ns]")
        keep &= ~(~np.isnat(released) & (released <= np.datetime64(extract.as_of, "ns")))
    rows, pos = rows.loc[keep].reset_index(drop=True), pos[keep]
    if not len(rows):
        return empty
    # one thing: collateral ids linked by a shared title certificate
    ids, id_uniques = pd.factorize(rows["collateral_id"].astype("str"))
    nodes = len(id_uniques)
    comp = np.arange(nodes)
    if "title_certificate" in rows.columns:
        cert = _without_spaces(rows["title_certificate"].astype("str"))
        has = cert.notna() & (cert != "")
        cert_codes, certs = pd.factorize(cert[has])
        if len(certs):
            from scipy.sparse import coo_matrix
            from scipy.sparse.csgraph import connected_components

            src = ids[has.to_numpy()]
            dst = nodes + cert_codes
            graph = coo_matrix((np.ones(len(src), np.int8), (src, dst)),
                               shape=(nodes + len(certs),) * 2).tocsr()
            _, labels = connected_components(graph, directed=False)
            comp = labels[:nodes]
    thing = comp[ids]
    party = lp.code[pos]
    frame = pd.DataFrame({"thing": thing, "party": party, "pos": pos,
                          "value": pd.to_numeric(rows["appraised_value"], errors="coerce")})
    per_thing = frame.groupby("thing").agg(parties=("party", "nunique"),
                                           value=("value", "max"))
    loans_of = frame.drop_duplicates(["thing", "pos"])
    secured = pd.Series(balance[loans_of["pos"].to_numpy()]).groupby(
        loans_of["thing"].to_numpy()).sum()
    per_thing["balance"] = secured.reindex(per_thing.index).to_numpy()
    hit = per_thing.loc[(per_thing["parties"] >= 2) & (per_thing["balance"] > per_thing["value"])]
    if not len(hit):
        return empty
    wanted = frame["thing"].isin(hit.index).to_numpy()
    things = thing[wanted]
    out = pd.DataFrame({
        "collateral_ids": _join(rows["collateral_id"][wanted], things),
        "title_certificates": (_join(rows["title_certificate"][wanted], things)
                               if "title_certificate" in rows.columns else None),
        "parties": hit["parties"].astype(np.int64),
        "party_ids": _join(pd.Series(lp.party_id[party[wanted]]), things),
        "loans": loans_of.loc[loans_of["thing"].isin(hit.index)].groupby("thing").size(),
        "loan_ids": _join(loans["loan_id"].iloc[pos[wanted]].reset_index(drop=True), things),
        "balance": hit["balance"].astype(np.float64),
        "appraised_value": hit["value"].astype(np.float64)})
    out["excess"] = out["balance"] - out["appraised_value"]
    out["title_certificates"] = out["title_certificates"].fillna("").astype("str")
    out = out.sort_values(["excess", "collateral_ids"], ascending=[False, True],
                          ignore_index=True)
    return out[columns].astype({"loans": np.int64})


def shared_id_numbers(extract: Extract) -> pd.DataFrame:
    """Id numbers under two or more borrower ids (see the module)."""
    loans = extract.loans
    columns = {"id_number": text([]), "valid": pd.Series([], dtype=bool),
               "borrower_ids": text([]), "names": text([])}
    if "id_number" not in loans.columns:
        return pd.DataFrame(columns)
    # each distinct number checked once: its normalised key and validity do not depend on
    # the customer type (which only chooses the standard of an invalid number's reason)
    number_codes, numbers = pd.factorize(loans["id_number"].astype("str").reset_index(drop=True))
    checks = check_id_numbers(pd.Series(numbers))
    key = checks["id_key"]
    # the distinct (number, borrower id) pairs as integers: only the rows of the numbers under
    # two or more borrower ids (a few percent) go on as text
    borrower = loans["borrower_id"].astype("str").reset_index(drop=True)
    distinct_key_codes, key_values = pd.factorize(key)
    distinct_key_codes[(key == "").to_numpy(dtype=bool)] = -1
    key_codes = np.append(distinct_key_codes, -1)[number_codes]  # a missing number: -1
    borrower_codes, borrower_values = pd.factorize(borrower)
    rows = np.flatnonzero((key_codes >= 0) & (borrower_codes >= 0))
    width = max(len(borrower_values), 1)
    pair = key_codes[rows].astype(np.int64) * width + borrower_codes[rows]
    distinct, first = np.unique(pair, return_index=True)
    per_key = np.bincount(distinct // width, minlength=len(key_values))
    rows = np.sort(rows[first[per_key[distinct // width] >= 2]])
    pairs = pd.DataFrame({
        "key": key.take(number_codes[rows]).to_numpy(dtype=object),
        "valid": checks["valid"].to_numpy(dtype=bool)[number_codes[rows]],
        "borrower_id": borrower.take(rows).to_numpy(dtype=object),
        "name": (loans["borrower_name"].astype("str").reset_index(drop=True).take(rows)
                 .to_numpy() if "borrower_name" in loans else None)})
    pairs = pairs.astype({"key": "str", "borrower_id": "str"}).sort_values(["key", "borrower_id"])
    if not len(pairs):
        return pd.DataFrame(columns)
    # pairs are sorted by number: each number is a run of rows
    key = pairs["key"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(key)]))
    # a number's names: each name once, in borrower-id order, missing ones left out
    names = pd.DataFrame({"group": group, "name": pairs["name"].to_numpy(dtype=object)})
    names = names.loc[names["name"].notna().to_numpy(dtype=bool)]  # text or missing
    names = names.loc[~names.duplicated()]
    joined_names = np.full(len(starts), "", dtype=object)
    if len(names):
        name_group = names["group"].to_numpy()
        name_starts = np.flatnonzero(np.r_[True, name_group[1:] != name_group[:-1]])
        joined_names[name_group[name_starts]] = _join_runs(
            name_starts, names["name"].to_numpy(dtype=object))
    return pd.DataFrame({
        "id_number": text(key[starts]),
        "valid": pairs["valid"].to_numpy(dtype=bool)[starts],
        "borrower_ids": text(_join_runs(starts, pairs["borrower_id"].to_numpy(dtype=object))),
        "names": text(joined_names)})


def _join_runs(starts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The values of each run (from each of ``starts`` to the next) joined by ``、``: one
    ``reduceat`` over the strings, not a Python call per group."""
    ends = np.r_[starts[1:], len(values)] - 1
    parts = values.astype(object) + "、"
    parts[ends] = values[ends]
    return np.add.reduceat(parts, starts)


def identical_loans(extract: Extract) -> pd.DataFrame:
    """Loan ids with the same borrower id, balance and disbursement date (see the module)."""
    loans = extract.loans
    keys = ["borrower_id", "balance", "disbursement_date"]
    extra = [c for c in ("branch", "borrower_name") if c in loans.columns]
    if any(k not in loans.columns for k in keys):
        out = pd.DataFrame({"group": pd.Series([], dtype=np.int64), "loan_id": text([]),
                            **{k: text([]) for k in keys + extra}})
        out.attrs["note"] = "台账缺少客户号、贷款余额或发放日期,未检查重复借据。"
        return out
    frame = loans[["loan_id", *keys, *extra]].reset_index(drop=True)
    frame = frame.loc[frame[keys].notna().all(axis=1)]
    dup = frame.duplicated(keys, keep=False)
    found = frame.loc[dup].sort_values([*keys, "loan_id"], kind="stable", ignore_index=True)
    group = found.groupby(keys, sort=False, dropna=False).ngroup().to_numpy() + 1
    found.insert(0, "group", group.astype(np.int64))
    return found


def find_duplicates(data: Extract | pd.DataFrame, *,
                    parties: PartyResolution | None = None) -> Duplicates:
    """Shared collateral beyond its value, shared id numbers and identical loans of ``data``
    (see the module).

    ``parties``: the extract's parties, resolved once
    (:func:`~postloan_audit.parties.resolve_parties` of ``data``) and passed to each analysis
    that needs them; resolved here when None (and only when there is a collateral sheet).
    """
    extract = extract_of(data)
    require(extract.loans, ["loan_id", "borrower_id", "balance"], ("贷款台账", "the loans"))
    return Duplicates(collateral=shared_collateral(extract, parties=parties),
                      id_numbers=shared_id_numbers(extract), loans=identical_loans(extract),
                      provenance=provenance_of(extract))
