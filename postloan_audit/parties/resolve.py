"""Which borrower ids are one party (同一债务人识别): :func:`resolve_parties`.

A bank's ledger keys loans by customer number (客户号), but one debtor can hold several: a
second number opened at another branch, a company re-registered under a new number, a
traditional-character name typed at one counter and a simplified one at another. Rules about
"a debtor" (《商业银行金融资产风险分类办法》 第七条第二款, ``CLS-BORROWER``; the large-exposure
limits of 《商业银行大额风险暴露管理办法》) must see the debtor, not the number.

Two borrower ids are joined when

1. **同一证件号码**: they carry the same *valid* id number (居民身份证号码 GB 11643 or 统一社会信用代码
   GB 32100, :mod:`~postloan_audit.parties.ids`; normalised: upper case, half-width, spaces
   removed, a 15-digit number upgraded to 18); or
2. **同名且一方缺少证件号码**: one has no id number at all, and its name, normalised
   (:mod:`~postloan_audit.parties.names`: half-width, simplified (OpenCC t2s), no spaces or
   brackets, one company-form suffix), is the name of parties carrying exactly one valid id
   number: the id-less record joins that party.

and never otherwise. In particular:

- two records with the same name and *different* valid id numbers are two parties (华兴实业
  有限公司 and 华兴实业股份有限公司 with two valid credit codes), and an id-less record whose name
  belongs to several valid id numbers is joined to none of them (it cannot be told which);
- two records with the same name and *no* id number at all are not joined: a name alone is not
  an identity (a ledger may name two firms 某某公司, two people share a name);
- a record whose id number is present but invalid is joined to nothing: its number is listed
  in :attr:`PartyResolution.invalid_ids` with the reason, for correction at the source.

The joins are the edges of a graph over borrower ids; parties are its connected components
(``scipy.sparse.csgraph.connected_components``), and a party's id (``party_id``) is the
smallest borrower id among its members. rapidfuzz is used only to list, for the auditor,
look-alike names that were *not* joined (:attr:`PartyResolution.look_alikes`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from postloan_audit.core.errors import AnalyticsError
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.provenance import Provenance, ProvenanceAliases, now
from postloan_audit.core.uniques import sorted_unique
from postloan_audit.parties.ids import check_id_numbers
from postloan_audit.parties.names import normalise_names

#: ``why`` of a borrower id joined by the same valid id number.
WHY_ID = "同一证件号码"
#: ``why`` of an id-less borrower id joined by its name.
WHY_NAME = "同名且一方缺少证件号码"
#: Reason in :attr:`PartyResolution.invalid_ids` for a borrower id carrying several numbers.
REASON_SEVERAL = "同一客户号下有多个不同证件号码(按台账中第一个识别)"
#: Similarity (rapidfuzz ``fuzz.ratio``, 0–100) from which two names not joined are listed as
#: look-alikes; the policy value ``analytics.look_alike_score`` passes the bank's.
LOOK_ALIKE_SCORE = 90.0
#: Look-alike names are compared within blocks of this many leading characters (names that
#: differ there are not compared: the number of pairs stays near linear in the names).
LOOK_ALIKE_BLOCK_CHARS = 2

PARTY_COLUMNS = ["borrower_id", "party_id", "why"]
INVALID_COLUMNS = ["borrower_id", "id_number", "reason"]
LOOK_ALIKE_COLUMNS = ["party_a", "name_a", "party_b", "name_b", "score", "note"]
#: Chinese headers of the tables (pages, workbooks, the command line).
PARTY_HEADERS: dict[str, str] = {
    "borrower_id": "客户号", "party_id": "债务人编号", "why": "合并依据", "id_number": "证件号码",
    "reason": "问题", "borrower_ids": "客户号", "members": "客户号个数",
    "party_a": "债务人甲", "name_a": "名称甲", "party_b": "债务人乙", "name_b": "名称乙",
    "score": "相似度", "note": "未合并原因",
}


@dataclass(frozen=True)
class BorrowerParties:
    """The parties of a loans frame's borrowers, node by node (one node per distinct
    ``borrower_id``, numbered as :func:`pandas.factorize` numbers them: first appearance).

    Attributes
    ----------
    codes:
        Per loan, its borrower's node (-1 when the borrower id is missing).
    borrower_ids:
        The borrower id of each node.
    labels:
        Per node, its party (0 … ``parties - 1``).
    parties:
        The number of parties.
    by_id, by_name:
        Per node, whether a join by id number / by name touches it.
    names, id_numbers, checks:
        Per node, its first non-blank name and id number in ledger order, their normalised
        forms (``name_key``) and :func:`~postloan_audit.parties.ids.check_id_numbers` of the
        id numbers.
    several_ids:
        Per node, whether its loans carry more than one distinct id number.
    ambiguous:
        Per node, True for an id-less record whose name belongs to several valid id numbers.
    """

    codes: np.ndarray
    borrower_ids: np.ndarray
    labels: np.ndarray
    parties: int
    by_id: np.ndarray
    by_name: np.ndarray
    names: np.ndarray
    name_keys: np.ndarray
    id_numbers: np.ndarray
    checks: pd.DataFrame
    several_ids: np.ndarray
    ambiguous: np.ndarray
    individual: np.ndarray

    @property
    def joined(self) -> bool:
        """Whether any two borrower ids were joined."""
        return self.parties < len(self.borrower_ids)

    @cached_property
    def text_ranks(self) -> np.ndarray:
        """Per node, the dense rank (0, 1, …; equal texts equal) of its borrower id as text,
        in the order pandas sorts text (code points); one string sort, computed once."""
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pa.array(pd.Series(self.borrower_ids, dtype="str"))
        return pc.rank(text, sort_keys="ascending", tiebreaker="dense").to_numpy().astype(
            np.int64) - 1

    @cached_property
    def node_party_ids(self) -> np.ndarray:
        """Per node, its party's id (:func:`party_ids`; computed once)."""
        return party_ids(self)

    @cached_property
    def members(self) -> PartyMembers:
        """Per party, its id, member borrower ids and name (:class:`PartyMembers`; computed
        once, whichever analyses of the extract ask)."""
        return _party_members(self)

    def why(self) -> np.ndarray:
        """Per node, which rule joined it (``""`` when it stands alone)."""
        table = np.array(["", WHY_NAME, WHY_ID, f"{WHY_ID};{WHY_NAME}"], dtype=object)
        return table[2 * self.by_id + self.by_name]


def _first_per_node(codes: np.ndarray, k: int, column: pd.Series | None) -> np.ndarray:
    """Each node's first non-blank value of ``column`` in row order (None when none)."""
    out = np.full(k, None, dtype=object)
    if column is None or not k:
        return out
    text = column.astype("str")
    present = (text.notna() & (text.str.strip() != "")).fillna(False).to_numpy(dtype=bool)
    present = present & (codes >= 0)
    rows = np.flatnonzero(present)
    nodes, first = np.unique(codes[rows], return_index=True)
    out[nodes] = text.to_numpy(dtype=object)[rows[first]]
    return out


def _several(codes: np.ndarray, k: int, column: pd.Series | None) -> np.ndarray:
    """Per node, whether its rows carry more than one distinct non-blank value."""
    out = np.zeros(k, dtype=bool)
    if column is None or not k:
        return out
    text = column.astype("str").str.strip()
    present = (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool) & (codes >= 0)
    values, uniques = pd.factorize(text[present])
    # distinct (node, value) pairs as one integer each
    pairs = sorted_unique(codes[present] * max(len(uniques), 1) + values)
    counts = np.bincount(pairs // max(len(uniques), 1), minlength=k)
    return counts > 1


def borrower_parties(loans: pd.DataFrame, *, codes: np.ndarray | None = None,
                     borrower_ids: pd.Index | np.ndarray | None = None) -> BorrowerParties:
    """Resolve the borrowers of ``loans`` into parties (the rules of the module).

    ``codes`` and ``borrower_ids`` (a factorisation of ``loans["borrower_id"]``, as the
    compliance context already holds) are computed here when not given.
    """
    if codes is None or borrower_ids is None:
        codes, uniques = pd.factorize(loans["borrower_id"])
        borrower_ids = np.asarray(uniques, dtype=object)
    codes = np.asarray(codes, dtype=np.int64)
    ids = np.asarray(borrower_ids, dtype=object)
    k = len(ids)
    names = _first_per_node(codes, k, loans.get("borrower_name"))
    id_numbers = _first_per_node(codes, k, loans.get("id_number"))
    kinds = _first_per_node(codes, k, loans.get("customer_type"))
    checks = check_id_numbers(pd.Series(id_numbers, dtype="str"),
                              customer_type=pd.Series(kinds, dtype="str"))
    valid = checks["valid"].to_numpy(dtype=bool)
    blank = (checks["id_key"] == "").to_numpy(dtype=bool)
    several = _several(codes, k, loans.get("id_number"))
    individual = pd.Series(kinds, dtype="str").eq("individual").fillna(False).to_numpy(bool)

    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    by_id = np.zeros(k, dtype=bool)
    by_name = np.zeros(k, dtype=bool)
    ambiguous = np.zeros(k, dtype=bool)
    name_keys = np.full(k, "", dtype=object)

    # 1. the same valid id number: every node to the first node of its number
    valid_nodes = np.flatnonzero(valid)
    id_code = np.full(k, -1, dtype=np.int64)
    if len(valid_nodes):
        id_code[valid_nodes], _ = pd.factorize(checks["id_key"].to_numpy(dtype=object)[valid_nodes])
        _, first = np.unique(id_code[valid_nodes], return_index=True)
        first_node = valid_nodes[first]  # by id code
        target = first_node[id_code[valid_nodes]]
        moved = valid_nodes != target
        src.append(valid_nodes[moved])
        dst.append(target[moved])
        by_id[valid_nodes[moved]] = True
        by_id[target[moved]] = True

    # 2. an id-less node joins the one valid id number its name belongs to
    if blank.any() and valid.any():
        named = np.flatnonzero((blank | valid) & (names != None))  # noqa: E711 - object array
        name_keys[named] = normalise_names(pd.Series(names[named], dtype="str"))
        name_code = np.full(k, -1, dtype=np.int64)
        usable = named[name_keys[named] != ""]
        name_code[usable], _ = pd.factorize(name_keys[usable])
        with_id = usable[valid[usable]]
        if len(with_id):
            # distinct (name, id number) pairs as one integer each
            n_ids = int(id_code.max()) + 1
            pairs = sorted_unique(name_code[with_id] * n_ids + id_code[with_id])
            n_names = int(name_code.max()) + 1
            ids_per_name = np.bincount(pairs // n_ids, minlength=n_names)
            # the first node with a valid number, by name code
            rep = np.full(n_names, -1, dtype=np.int64)
            rep[name_code[with_id][::-1]] = with_id[::-1]
            idless = usable[blank[usable]]
            counts = ids_per_name[name_code[idless]]
            join = idless[counts == 1]
            ambiguous[idless[counts > 1]] = True
            src.append(join)
            dst.append(rep[name_code[join]])
            by_name[join] = True
            by_name[rep[name_code[join]]] = True

    edges_src = np.concatenate(src) if src else np.zeros(0, np.int64)
    if len(edges_src):
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        edges_dst = np.concatenate(dst)
        graph = coo_matrix((np.ones(len(edges_src), dtype=np.int8), (edges_src, edges_dst)),
                           shape=(k, k)).tocsr()
        parties, labels = connected_components(graph, directed=False)
        labels = labels.astype(np.int64)
    else:
        parties, labels = k, np.arange(k, dtype=np.int64)
    return BorrowerParties(codes=codes, borrower_ids=ids, labels=labels, parties=int(parties),
                           by_id=by_id, by_name=by_name, names=names, name_keys=name_keys,
                           id_numbers=id_numbers, checks=checks, several_ids=several,
                           ambiguous=ambiguous, individual=individual)


def party_ids(resolved: BorrowerParties) -> np.ndarray:
    """Per node, its party's id: the smallest borrower id (as text) among the members (the
    member of the smallest :attr:`~BorrowerParties.text_ranks`: integers, not strings)."""
    text = pd.Series(resolved.borrower_ids, dtype="str").to_numpy(dtype=object)
    if not len(text):
        return text
    labels, rank = resolved.labels, resolved.text_ranks
    smallest = np.full(int(labels.max()) + 1, len(text), dtype=np.int64)
    np.minimum.at(smallest, labels, rank)
    holder = np.empty(len(smallest), dtype=np.int64)
    nodes = np.flatnonzero(rank == smallest[labels])
    holder[labels[nodes]] = nodes
    return text[holder[labels]]


@dataclass(frozen=True)
class PartyMembers:
    """Per party (indexed by :attr:`BorrowerParties.labels`): ``party_id``, ``members`` (its
    borrower ids, sorted, joined by ``、``) and ``names`` (the first member's name, in
    borrower-id order, that is not missing)."""

    party_id: np.ndarray
    members: np.ndarray
    names: np.ndarray


def _party_members(resolved: BorrowerParties) -> PartyMembers:
    labels = resolved.labels
    k = resolved.parties
    party_id = np.empty(k, dtype=object)
    party_id[labels] = resolved.node_party_ids
    # a party of one borrower id (nearly all) is that id and its name; only the few joined
    # parties go through a grouped join (a Python call per group: 45 s for 700,000 groups)
    members = np.empty(k, dtype=object)
    members[labels] = np.asarray(resolved.borrower_ids, dtype=object).astype(str)
    names = np.full(k, None, dtype=object)
    names[labels] = resolved.names
    joined_nodes = np.flatnonzero(np.bincount(labels, minlength=k)[labels] > 1)
    if len(joined_nodes):
        frame = pd.DataFrame({
            "label": labels[joined_nodes],
            "borrower_id": pd.Series(resolved.borrower_ids[joined_nodes], dtype="str"),
            "name": pd.Series(resolved.names[joined_nodes], dtype="str")})
        frame = frame.sort_values(["label", "borrower_id"], kind="stable")
        grouped = frame.groupby("label", sort=True)
        joined = grouped["borrower_id"].agg("、".join)
        members[joined.index.to_numpy()] = joined.to_numpy(dtype=object)
        first = grouped["name"].first()
        names[first.index.to_numpy()] = first.to_numpy(dtype=object)
    return PartyMembers(party_id=party_id, members=members, names=names)


@dataclass(frozen=True)
class PartyResolution(ProvenanceAliases):
    """Which borrower ids are one party (同一债务人), and the id numbers that could not be used.

    Attributes
    ----------
    parties:
        One row per borrower id: ``borrower_id``, ``party_id`` (the smallest borrower id of its
        party), ``why`` (which rule joined it: 同一证件号码 / 同名且一方缺少证件号码, both joined by
        ``;``; ``""`` when it stands alone). Sorted by party, then borrower id.
    invalid_ids:
        ``borrower_id``, ``id_number`` (as in the ledger), ``reason`` (位数不对, 含非法字符,
        校验位不符, 出生日期无效, 组织机构代码校验位不符; or several numbers under one borrower id).
    look_alikes:
        Names that look alike but were **not** joined, for the auditor to look at: ``party_a``,
        ``name_a``, ``party_b``, ``name_b``, ``score`` (rapidfuzz ``fuzz.ratio`` of the
        normalised names, 100 when equal), ``note`` (why not joined). Non-individual parties
        only (people sharing a name mean nothing). A name's first party (in party-id order)
        stands for it: a name shared by n parties is n − 1 rows, each of the others against
        the first; two look-alike names are one row, their first parties. None unless asked
        for.
    provenance:
        The extract's provenance, made now.
    borrowers:
        The resolution node by node (:class:`BorrowerParties`), which the audit analytics
        take instead of resolving the loans again (their ``parties=`` argument); None in a
        resolution made by hand.
    loans:
        The loans frame resolved (the very object: an analysis given this resolution checks
        that it reads the same loans).
    """

    parties: pd.DataFrame
    invalid_ids: pd.DataFrame
    look_alikes: pd.DataFrame | None
    provenance: Provenance
    borrowers: BorrowerParties | None = field(default=None, repr=False, compare=False)
    loans: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def groups(self) -> pd.DataFrame:
        """The parties of more than one borrower id: ``party_id``, ``borrower_ids`` (joined by
        ``、``), ``members`` and ``why`` (every rule that joined one of them)."""
        frame = self.parties
        size = frame.groupby("party_id")["borrower_id"].transform("size")
        joined = frame.loc[size > 1]
        if not len(joined):
            return pd.DataFrame({"party_id": pd.Series([], dtype="str"),
                                 "borrower_ids": pd.Series([], dtype="str"),
                                 "members": pd.Series([], dtype=np.int64),
                                 "why": pd.Series([], dtype="str")})
        grouped = joined.groupby("party_id", sort=True)
        whys = grouped["why"].agg(lambda w: ";".join(
            r for r in (WHY_ID, WHY_NAME) if w.str.contains(r, regex=False).any()))
        return pd.DataFrame({
            "party_id": pd.Series(grouped.size().index.to_numpy(), dtype="str"),
            "borrower_ids": pd.Series(grouped["borrower_id"].agg("、".join).to_numpy(),
                                      dtype="str"),
            "members": grouped.size().to_numpy(dtype=np.int64),
            "why": pd.Series(whys.to_numpy(), dtype="str")})

    def party_of(self, borrower_ids: pd.Series) -> pd.Series:
        """The party id of each borrower id (NaN for an id not in the ledger)."""
        lookup = pd.Series(self.parties["party_id"].to_numpy(),
                           index=self.parties["borrower_id"].to_numpy())
        return pd.Series(lookup.reindex(borrower_ids.astype("str").to_numpy()).to_numpy(),
                         index=borrower_ids.index, dtype="str")


def resolve_parties(data: Extract | pd.DataFrame, *, look_alikes: bool = False,
                    look_alike_score: float = LOOK_ALIKE_SCORE) -> PartyResolution:
    """Group the borrower ids of ``data`` that are one party (同一债务人), by the rules of the
    module (the same valid id number; the same normalised name with one id number missing).

    Parameters
    ----------
    data:
        An extract or a loans frame with ``borrower_id``; ``borrower_name``, ``id_number`` and
        ``customer_type`` are read when present (without ``id_number`` nothing is joined).
    look_alikes:
        Also list look-alike names not joined (:attr:`PartyResolution.look_alikes`).
    look_alike_score:
        From which similarity (0–100) two names are look-alikes (policy value
        ``analytics.look_alike_score``).

    Returns
    -------
    PartyResolution

    Raises
    ------
    AnalyticsError
        The loans have no ``borrower_id`` column.
    """
    extract = as_extract(data)
    loans = extract.loans
    if "borrower_id" not in loans.columns:
        raise AnalyticsError("贷款台账缺少客户号列(borrower_id),无法识别同一债务人。 / the loans "
                             "lack borrower_id: parties cannot be resolved.")
    resolved = borrower_parties(loans)
    pids = resolved.node_party_ids
    parties = pd.DataFrame({"borrower_id": pd.Series(resolved.borrower_ids, dtype="str"),
                            "party_id": pd.Series(pids, dtype="str"),
                            "why": pd.Series(resolved.why(), dtype="str")})
    parties = parties.take(_by_party(resolved.text_ranks, resolved.labels)
                           ).reset_index(drop=True)
    checks = resolved.checks
    bad = (~checks["valid"] & (checks["id_key"] != "")).to_numpy(dtype=bool)
    rows = np.flatnonzero(bad | resolved.several_ids)
    reason = np.where(bad[rows], checks["reason"].to_numpy(dtype=object)[rows], "")
    reason = np.where(resolved.several_ids[rows],
                      np.where(reason == "", REASON_SEVERAL,
                               reason.astype(object) + ";" + REASON_SEVERAL), reason)
    invalid = pd.DataFrame({
        "borrower_id": pd.Series(resolved.borrower_ids[rows], dtype="str"),
        "id_number": pd.Series(resolved.id_numbers[rows], dtype="str"),
        "reason": pd.Series(reason, dtype="str")}).sort_values("borrower_id",
                                                               ignore_index=True)
    alikes = _look_alikes(resolved, pids, look_alike_score) if look_alikes else None
    return PartyResolution(parties=parties, invalid_ids=invalid, look_alikes=alikes,
                           provenance=dataclasses.replace(extract.provenance,
                                                          created_at=now()),
                           borrowers=resolved, loans=loans)


def _by_party(rank: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The order of a stable sort of the nodes by party id, then borrower id (as text).

    A party's id is its smallest borrower id, so the borrower ids' text ranks
    (:attr:`BorrowerParties.text_ranks`) order both; the rest is integer work (a two-column
    sort of the strings took seconds on a million loans).
    """
    party_rank = np.full(int(labels.max()) + 1 if len(labels) else 0, len(rank), np.int64)
    np.minimum.at(party_rank, labels, rank)
    return np.lexsort((np.arange(len(rank)), rank, party_rank[labels]))


def _look_alikes(resolved: BorrowerParties, pids: np.ndarray, score: float) -> pd.DataFrame:
    """Look-alike names of non-individual parties not joined (see :class:`PartyResolution`)."""
    from rapidfuzz import fuzz, process

    keys = resolved.name_keys.copy()
    missing_key = (keys == "") & (resolved.names != None)  # noqa: E711 - object array
    if missing_key.any():
        keys[missing_key] = normalise_names(pd.Series(resolved.names[missing_key], dtype="str"))
    nodes = np.flatnonzero(~resolved.individual & (keys != ""))
    if not len(nodes):
        return pd.DataFrame({c: pd.Series([], dtype=np.float64 if c == "score" else "str")
                             for c in LOOK_ALIKE_COLUMNS})
    # one entry per (party, normalised name): the first record's name shows it
    entries = pd.DataFrame({"party": pids[nodes], "key": keys[nodes],
                            "name": resolved.names[nodes], "node": nodes})
    entries = entries.drop_duplicates(["party", "key"], ignore_index=True)
    checks = resolved.checks
    valid = checks["valid"].to_numpy(dtype=bool)
    blank = (checks["id_key"] == "").to_numpy(dtype=bool)
    pairs: list[tuple[int, int, float]] = []
    distinct = pd.Series(entries["key"].unique(), dtype="str")
    for _, block in distinct.groupby(distinct.str[:LOOK_ALIKE_BLOCK_CHARS], sort=False):
        names = block.tolist()
        if len(names) < 2:
            continue
        scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=score,
                               dtype=np.uint8)
        a, b = np.nonzero(np.triu(scores, k=1))
        pairs += [(names[i], names[j], float(scores[i, j])) for i, j in zip(a, b, strict=True)]
    # Each name's first party (smallest party id) stands for it: a name shared by n parties
    # gives n - 1 rows (each against the first), two look-alike names one row (their first
    # parties), so the table grows with the parties, never with their pairs (a ledger naming
    # 500 firms alike would otherwise list 124,750 pairs of one name).
    entries = entries.sort_values(["key", "party"], kind="stable", ignore_index=True)
    first = entries.drop_duplicates("key")
    left = first.rename(columns=lambda c: f"{c}_a")
    right = entries.rename(columns=lambda c: f"{c}_b")
    same = left.merge(right, left_on="key_a", right_on="key_b")
    same = same.loc[same["party_a"] != same["party_b"]].assign(score=100.0)
    key_pairs = pd.DataFrame(pairs, columns=["key_a", "key_b", "score"])
    similar = key_pairs.merge(left, on="key_a").merge(
        first.rename(columns=lambda c: f"{c}_b"), on="key_b")
    swap = (similar["party_a"] > similar["party_b"]).to_numpy()
    for column in ("party", "key", "name", "node"):
        a, b = similar[f"{column}_a"].to_numpy().copy(), similar[f"{column}_b"].to_numpy()
        similar[f"{column}_a"] = np.where(swap, b, a)
        similar[f"{column}_b"] = np.where(swap, a, b)
    similar = similar.loc[similar["party_a"] != similar["party_b"]]
    found = pd.concat([same, similar], ignore_index=True)
    if not len(found):
        return pd.DataFrame({c: pd.Series([], dtype=np.float64 if c == "score" else "str")
                             for c in LOOK_ALIKE_COLUMNS})
    na, nb = found["node_a"].to_numpy(), found["node_b"].to_numpy()
    equal = found["score"].to_numpy() >= 100
    note = np.select(
        [~equal,
         (blank[na] & blank[nb]),
         (blank[na] & resolved.ambiguous[na]) | (blank[nb] & resolved.ambiguous[nb]),
         (~valid[na] & ~blank[na]) | (~valid[nb] & ~blank[nb])],
        ["名称相近但不相同,未合并", "双方均无证件号码,仅凭名称不合并",
         "同名而有多个不同的有效证件号码,无法确定归属,未合并", "证件号码无效,未合并"],
        "证件号码不同,未合并")
    out = pd.DataFrame({
        "party_a": pd.Series(found["party_a"].to_numpy(), dtype="str"),
        "name_a": pd.Series(found["name_a"].to_numpy(), dtype="str"),
        "party_b": pd.Series(found["party_b"].to_numpy(), dtype="str"),
        "name_b": pd.Series(found["name_b"].to_numpy(), dtype="str"),
        "score": found["score"].to_numpy(dtype=np.float64),
        "note": pd.Series(note, dtype="str")})
    return out.sort_values(["score", "party_a", "party_b"], ascending=[False, True, True],
                           ignore_index=True)
