"""Guarantee circles and chains (担保圈、担保链): :func:`guarantee_circles`, :func:`guarantee_chains`.

The guarantees sheet (保证合同: one row per loan and guarantor) is a directed graph over parties:
an edge **guarantor → borrower** for every guarantee of an outstanding loan (balance > 0). The
borrowers are the resolved parties of :func:`postloan_audit.parties.resolve_parties`; a
guarantor is mapped to

1. the party of the borrower whose customer number it carries (``guarantor_id`` is a
   ``borrower_id``: 保证人客户号 and 客户号 number the same customers), else
2. the party of the borrower whose valid id number it carries (``guarantees.id_number``), else
3. a party of its own, keyed by its valid id number (several guarantor ids with one number are
   one guarantor), else by its ``guarantor_id``.

**Circles** (担保圈, mutual and circular guarantees: A guarantees B and B guarantees A; A → B → C
→ A) are the strongly connected components of two or more parties
(``scipy.sparse.csgraph.connected_components(connection="strong")``): within one, every party
guarantees, directly or not, every other, so one default can run round the circle.

**Chains** (担保链) are paths of guarantees through the graph with each circle collapsed to one
node (the condensation, a graph without cycles): a chain ending at a borrower that guarantees
no one, longer than the policy's ``analytics.chain_depth`` links, is listed with its longest
path. The longest path is found by relaxing every edge at once until nothing changes (one
array operation per link of the longest chain), not by searching the graph node by node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.analytics._common import (
    balances,
    extract_of,
    loan_parties,
    policy_of,
    positions,
    provenance_of,
    require,
    text,
)
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.extract import Extract
from postloan_audit.core.provenance import Provenance, ProvenanceAliases
from postloan_audit.core.uniques import sorted_unique
from postloan_audit.parties.ids import check_id_numbers
from postloan_audit.parties.resolve import BorrowerParties, PartyResolution

CIRCLE_COLUMNS = ["circle_id", "party_id", "borrower_ids", "balance", "name"]
CHAIN_COLUMNS = ["chain_id", "links", "path", "start", "end", "balance"]
CIRCLE_HEADERS: dict[str, str] = {
    "circle_id": "担保圈编号", "party_id": "债务人编号", "borrower_ids": "客户号",
    "balance": "贷款余额(元)", "name": "名称", "chain_id": "担保链编号", "links": "担保层数",
    "path": "担保路径(保证人 → 借款人)", "start": "链首(保证人)", "end": "链尾(借款人)",
    "parties": "债务人数"}


@dataclass(frozen=True)
class GuaranteeNetwork(ProvenanceAliases):
    """The guarantee graph of an extract over resolved parties.

    Attributes
    ----------
    parties:
        One row per party in the graph: ``party_id``, ``borrower_ids`` (``""`` for a guarantor
        that borrows nothing here), ``name``, ``balance`` (its outstanding loans, yuan).
    edges:
        One row per distinct guarantee link: ``guarantor`` and ``borrower`` (party ids),
        ``loans`` (how many outstanding loans it guarantees).
    circles:
        :func:`guarantee_circles`' frame.
    chains:
        :func:`guarantee_chains`' frame (chains of more than ``depth`` links).
    depth:
        The chain depth in force.
    """

    parties: pd.DataFrame
    edges: pd.DataFrame
    circles: pd.DataFrame
    chains: pd.DataFrame
    depth: int
    provenance: Provenance

    def circle_summary(self) -> pd.DataFrame:
        """One row per circle: ``circle_id``, ``parties``, ``borrower_ids`` (of all its
        parties), ``balance``."""
        c = self.circles
        if not len(c):
            return pd.DataFrame({"circle_id": text([]), "parties": pd.Series([], dtype=np.int64),
                                 "borrower_ids": text([]), "balance": pd.Series([], dtype=float)})
        grouped = c.groupby("circle_id", sort=False)
        ids = grouped["borrower_ids"].agg(lambda s: "、".join(x for x in s if x))
        return pd.DataFrame({"circle_id": text(grouped.size().index),
                             "parties": grouped.size().to_numpy(dtype=np.int64),
                             "borrower_ids": text(ids.to_numpy()),
                             "balance": grouped["balance"].sum().to_numpy(dtype=np.float64)})


def _valid_key_to_party(resolved: BorrowerParties) -> pd.Series:
    """The party of each valid id number of the borrowers (its first node's)."""
    checks = resolved.checks
    valid_nodes = np.flatnonzero(checks["valid"].to_numpy(dtype=bool))
    valid_key_to_party = pd.Series(
        resolved.labels[valid_nodes].astype(np.float64),
        index=checks["id_key"].to_numpy(dtype=object)[valid_nodes])
    return valid_key_to_party[~valid_key_to_party.index.duplicated()]


def _guarantor_keys(guarantees: pd.DataFrame, resolved: BorrowerParties
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per guarantees row: the party code of a guarantor mapped to a borrower (-1 otherwise)
    and, for the others, their own key (valid id number or guarantor id)."""
    gid = guarantees["guarantor_id"].astype("str")
    borrower_ids = resolved.borrower_ids
    if pd.api.types.infer_dtype(borrower_ids, skipna=False) == "string":
        # text ids (as every loaded extract has): one factorisation, not an object index
        pos = positions(pd.Series(borrower_ids, dtype="str"), gid)
    else:  # ids of other types match a guarantor id's text only if equal as objects
        pos = pd.Index(borrower_ids).get_indexer(gid)
    party = np.where(pos >= 0, resolved.labels[np.where(pos < 0, 0, pos)], -1)
    key = ("G:" + gid).to_numpy(dtype=object)
    if "id_number" in guarantees.columns:
        valid_key_to_party = _valid_key_to_party(resolved)
        kinds = guarantees["guarantor_type"] if "guarantor_type" in guarantees.columns else None
        checks = check_id_numbers(guarantees["id_number"].astype("str").reset_index(drop=True),
                                  customer_type=None if kinds is None else kinds.map(
                                      {"individual": "individual"}).reset_index(drop=True))
        valid = checks["valid"].to_numpy(dtype=bool)
        id_key = checks["id_key"].to_numpy(dtype=object)
        by_number = valid_key_to_party.reindex(id_key).to_numpy(dtype=np.float64)
        mapped = (party < 0) & valid & ~np.isnan(by_number)
        party = np.where(mapped, np.nan_to_num(by_number, nan=-1).astype(np.int64), party)
        key = np.where(valid, "ID:" + id_key.astype(str), key).astype(object)
    return party, key


def guarantee_network(data: Extract, *, policy: Policy | None = None,
                      depth: int | None = None,
                      parties: PartyResolution | None = None,
                      chains: bool = True) -> GuaranteeNetwork:
    """The guarantee graph of ``data`` with its circles and chains (see the module).

    Parameters
    ----------
    data:
        An extract with a ``guarantees`` sheet (``loan_id``, ``guarantor_id``; ``id_number``,
        ``guarantor_name`` read when present) and loans with ``loan_id``, ``borrower_id``,
        ``balance``.
    policy, depth:
        The chain depth: ``depth`` when given, else the policy's ``analytics.chain_depth``.
    parties:
        The extract's parties, resolved once (:func:`~postloan_audit.parties.resolve_parties`
        of ``data``) and passed to each analysis that needs them; resolved here when None.
    chains:
        False leaves the chains out (an empty table), for a caller that wants the circles
        only: the longest paths are the dearest part on a large book.

    Raises
    ------
    AnalyticsError
        No guarantees sheet, a column missing, or ``parties`` resolved from other loans.
    """
    extract = extract_of(data)
    p = policy_of(policy).analytics
    depth = p.chain_depth if depth is None else int(depth)
    loans = extract.loans
    require(loans, ["loan_id", "borrower_id", "balance"], ("贷款台账", "the loans"))
    guarantees = extract.guarantees
    require(guarantees, ["loan_id", "guarantor_id"], ("保证人表(guarantees)", "the guarantees sheet"))
    lp = loan_parties(loans, parties)
    resolved = lp.resolved
    k = resolved.parties
    balance = balances(loans)
    party_balance = np.bincount(lp.code[lp.code >= 0], weights=balance[lp.code >= 0],
                                minlength=k)

    # each guarantee row's loan (outstanding loans only) and the loan's party
    g = guarantees.reset_index(drop=True)
    loan_pos = positions(loans["loan_id"].astype("str"), g["loan_id"].astype("str"))
    active = balance > 0
    ok = loan_pos >= 0
    ok[ok] = active[loan_pos[ok]] & (lp.code[loan_pos[ok]] >= 0)
    g = g.loc[ok].reset_index(drop=True)
    borrower_party = lp.code[loan_pos[ok]]
    guarantor_party, key = _guarantor_keys(g, resolved)
    # guarantors outside the borrowers: parties k, k+1, … by their key
    outside = guarantor_party < 0
    extra_codes, extra_keys = pd.factorize(pd.Series(key[outside], dtype=object))
    guarantor_party[outside] = k + extra_codes
    n = k + len(extra_keys)

    # names and ids of the outside guarantors: first row of each
    first_rows = np.flatnonzero(outside)
    _, first = np.unique(extra_codes, return_index=True)
    outside_ids = np.empty(0, dtype=object)
    outside_names = (g["guarantor_name"].astype("str").to_numpy(dtype=object)[first_rows[first]]
                     if "guarantor_name" in g.columns and len(first)
                     else np.full(len(first), None, dtype=object))
    # an outside guarantor's party id: the smallest guarantor id under its key
    if len(extra_keys):
        smallest = pd.Series(g["guarantor_id"].astype("str").to_numpy(dtype=object)[outside],
                             dtype="str").groupby(extra_codes).min()
        outside_ids = smallest.reindex(np.arange(len(extra_keys))).to_numpy(dtype=object)
    party_id = np.concatenate([lp.party_id, outside_ids]).astype(object)
    members = np.concatenate([lp.members, np.full(len(extra_keys), "", dtype=object)])
    names = np.concatenate([lp.names, outside_names]).astype(object)
    node_balance = np.concatenate([party_balance, np.zeros(len(extra_keys))])

    src, dst = guarantor_party, borrower_party
    keep = src != dst  # a party guaranteeing its own loan is no link
    src, dst = src[keep], dst[keep]
    pair = pd.DataFrame({"s": src, "d": dst})
    edge_counts = pair.value_counts(sort=False).reset_index(name="loans")
    es = edge_counts["s"].to_numpy(dtype=np.int64)
    ed = edge_counts["d"].to_numpy(dtype=np.int64)

    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(es), dtype=np.int8), (es, ed)), shape=(n, n)).tocsr()
    n_comp, comp = connected_components(graph, directed=True, connection="strong")
    # int64: SciPy's int32 labels overflow in the condensation's pair codes (c · n_comp + d)
    # from 46,341 components on, which made cycles of an acyclic graph
    comp = comp.astype(np.int64)
    size = np.bincount(comp, minlength=n_comp)

    in_graph = np.zeros(n, dtype=bool)
    in_graph[es] = True
    in_graph[ed] = True
    nodes = np.flatnonzero(in_graph)
    party_text = text(party_id)  # once: the tables below take from it
    graph_parties = pd.DataFrame({"party_id": party_text.take(nodes).reset_index(drop=True),
                                  "borrower_ids": text(members[nodes]),
                                  "name": text(names[nodes]),
                                  "balance": node_balance[nodes].astype(np.float64)})
    edges = pd.DataFrame({"guarantor": party_text.take(es).reset_index(drop=True),
                          "borrower": party_text.take(ed).reset_index(drop=True),
                          "loans": edge_counts["loans"].to_numpy(dtype=np.int64)})
    edges = edges.take(_by_text(party_text, es, ed)).reset_index(drop=True)

    circles = _circles(comp, size, party_id, members, names, node_balance)
    circle_name = dict(zip(circles["_comp"].to_numpy(), circles["circle_id"].to_numpy(),
                           strict=False)) if len(circles) else {}
    circles = circles.drop(columns=["_comp"])
    found = (_chains(es, ed, comp, n_comp, size, party_id, node_balance, circle_name, depth)
             if chains else _no_chains())
    return GuaranteeNetwork(parties=graph_parties, edges=edges, circles=circles, chains=found,
                            depth=depth, provenance=provenance_of(extract))


def _no_chains() -> pd.DataFrame:
    """The chains table without rows (:data:`CHAIN_COLUMNS`, their dtypes)."""
    return pd.DataFrame({"chain_id": text([]), "links": pd.Series([], dtype=np.int64),
                         "path": text([]), "start": text([]), "end": text([]),
                         "balance": pd.Series([], dtype=np.float64)})


def _by_text(labels: pd.Series, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The order of a stable sort of the pairs (``labels[first]``, ``labels[second]``) as text,
    as ``sort_values`` orders text (code points; missing last): one dense ranking of the
    labels by pyarrow, then integers (sorting a million pairs of strings took 4 s)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # pyarrow places missing values last by default
    rank = pc.rank(pa.array(labels), sort_keys="ascending",
                   tiebreaker="dense").to_numpy().astype(np.int64)
    return np.lexsort((rank[second], rank[first]))


def _circles(comp: np.ndarray, size: np.ndarray, party_id: np.ndarray, members: np.ndarray,
             names: np.ndarray, node_balance: np.ndarray) -> pd.DataFrame:
    """The circle frame: components of two or more parties, the largest balance first."""
    in_circle = np.flatnonzero(size[comp] >= 2)
    frame = pd.DataFrame({"_comp": comp[in_circle], "party_id": text(party_id[in_circle]),
                          "borrower_ids": text(members[in_circle]),
                          "balance": node_balance[in_circle].astype(np.float64),
                          "name": text(names[in_circle])})
    if not len(frame):
        return pd.DataFrame({"_comp": pd.Series([], dtype=np.int64),
                             **{c: (pd.Series([], dtype=np.float64) if c == "balance"
                                    else text([])) for c in CIRCLE_COLUMNS}})
    totals = frame.groupby("_comp").agg(total=("balance", "sum"), first=("party_id", "min"))
    totals = totals.sort_values(["total", "first"], ascending=[False, True])
    number = pd.Series(np.arange(1, len(totals) + 1), index=totals.index)
    frame["circle_id"] = text("C" + number.reindex(frame["_comp"]).astype(str).str.zfill(
        max(3, len(str(len(totals))))).to_numpy())
    frame = frame.sort_values(["circle_id", "party_id"], ignore_index=True)
    return frame[["_comp", *CIRCLE_COLUMNS]]


def _chains(es: np.ndarray, ed: np.ndarray, comp: np.ndarray, n_comp: int, size: np.ndarray,
            party_id: np.ndarray, node_balance: np.ndarray, circle_name: dict[int, str],
            depth: int) -> pd.DataFrame:
    """Longest chains of the condensation ending at a sink, longer than ``depth`` links."""
    empty = _no_chains()
    cs, cd = comp[es], comp[ed]
    keep = cs != cd
    cs, cd = cs[keep], cd[keep]
    if not len(cs):
        return empty
    pairs = sorted_unique(cs * n_comp + cd)
    cs, cd = pairs // n_comp, pairs % n_comp
    # longest path (in links) ending at each component: relax every edge at once, repeatedly
    longest = np.zeros(n_comp, dtype=np.int64)
    previous = longest
    for _ in range(n_comp):
        best = longest.copy()
        np.maximum.at(best, cd, longest[cs] + 1)
        if np.array_equal(best, longest):
            break
        previous, longest = longest, best
    # one predecessor achieving the best, the smallest component number (deterministic), as
    # of the last round that changed anything: every component with an edge in was given one
    # then, from the lengths before that round (one pass here instead of one per round)
    pred = np.full(n_comp, -1, dtype=np.int64)
    improved = previous[cs] + 1 == longest[cd]
    order = np.lexsort((cs[improved], cd[improved]))
    targets, first = np.unique(cd[improved][order], return_index=True)
    pred[targets] = cs[improved][order][first]
    has_out = np.zeros(n_comp, dtype=bool)
    has_out[cs] = True
    ends = np.flatnonzero(~has_out & (longest > depth))
    if not len(ends):
        return empty
    comp_balance = np.bincount(comp, weights=node_balance, minlength=n_comp)
    # a component's label on a path: its party, or its circle
    first_member = np.full(n_comp, -1, dtype=np.int64)
    first_member[comp[::-1]] = np.arange(len(comp))[::-1]
    label = party_id[first_member].astype(object)
    for c, name in circle_name.items():  # the circles: a few
        label[c] = f"{name}(担保圈)"
    # trace every chain back at once, one step per link
    width = int(longest[ends].max()) + 1
    path = np.full((len(ends), width), -1, dtype=np.int64)
    current = ends.copy()
    for step in range(width):
        path[:, step] = current
        current = np.where(current >= 0, pred[np.where(current < 0, 0, current)], -1)
    on = path >= 0
    safe = np.where(on, path, 0)
    joined = np.full(len(ends), "", dtype=object)
    start = np.full(len(ends), "", dtype=object)
    for step in range(width - 1, -1, -1):  # from the chain's start to its end
        here = label[safe[:, step]]
        joined = np.where(on[:, step], np.where(joined == "", here, joined + " → " + here),
                          joined)
        start = np.where(on[:, step] & (start == ""), here, start)
    rows = {"links": longest[ends].astype(np.int64), "path": joined, "start": start,
            "end": label[ends], "balance": (comp_balance[safe] * on).sum(axis=1)}
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["links", "balance", "path"], ascending=[False, False, True],
                              ignore_index=True)
    frame.insert(0, "chain_id", text([f"L{i:03d}" for i in range(1, len(frame) + 1)]))
    return frame.astype({"path": "str", "start": "str", "end": "str"})


def guarantee_circles(data: Extract, *, policy: Policy | None = None,
                      parties: PartyResolution | None = None) -> pd.DataFrame:
    """Every guarantee circle (担保圈) of ``data``: the strongly connected components of two or
    more parties of its guarantee graph (see the module).

    Returns
    -------
    DataFrame
        One row per party in a circle: ``circle_id`` (``C001`` … by total balance, largest
        first), ``party_id``, ``borrower_ids`` (the party's borrower ids, ``、``-joined; ``""``
        for a guarantor that borrows nothing here), ``balance`` (the party's outstanding
        loans, yuan), ``name``. ``attrs["provenance"]`` is the extract's provenance.

    Raises
    ------
    AnalyticsError
        No guarantees sheet, or a column missing.

    ``parties``: as :func:`guarantee_network` takes it.
    """
    network = guarantee_network(data, policy=policy, parties=parties, chains=False)
    frame = network.circles
    frame.attrs["provenance"] = network.provenance
    return frame


def guarantee_chains(data: Extract, *, policy: Policy | None = None,
                     depth: int | None = None,
                     parties: PartyResolution | None = None) -> pd.DataFrame:
    """Guarantee chains (担保链) longer than ``depth`` links (default: the policy's
    ``analytics.chain_depth``): ``chain_id``, ``links``, ``path`` (guarantor → … → borrower,
    a circle shown as ``C001(担保圈)``), ``start``, ``end``, ``balance`` (the outstanding loans
    of every party on the path). ``parties``: as :func:`guarantee_network` takes it."""
    network = guarantee_network(data, policy=policy, depth=depth, parties=parties)
    frame = network.chains
    frame.attrs["provenance"] = network.provenance
    return frame
