"""The Dask engine of :func:`~postloan_audit.compliance.checks.run_checks` (分布式检查).

A book too large for one machine is checked partition by partition. The loans are split by a
hash of the borrower (``borrower_id``) into partitions of about :data:`LOANS_PER_PARTITION`
loans, and every inspection and collection row goes to the partition of its loan, so each
partition holds *whole borrowers with all their history*: ``CLS-BORROWER`` (one borrower, one
class) and every per-loan aggregate (last inspection, strongest collection) see exactly what
they see in memory. Each partition then runs the unchanged pandas catalogue
(:func:`~postloan_audit.compliance.checks.evaluate_rules`), so this engine does not depend on
any rule's logic; the driver only concatenates the findings in catalogue order and original
loan order, and merges the warnings. The findings are identical to the in-memory run.

Input is an :class:`~postloan_audit.core.extract.Extract` (or a loans frame) already in memory,
or — for a book that does not fit — the directory of a Parquet store written by
``postloan-audit convert`` (:mod:`~postloan_audit.ingest.parquet_store`): then the workers
read the branch files themselves (the directory must be readable by every worker, e.g. a
shared file system), map each sheet row to its loan's borrower within the branch file, and
shuffle by borrower hash. See ``docs/deploy.md`` for running on an existing cluster.

What crosses borrowers — a collateral securing loans of several borrowers, a guarantor who
borrows too, a party's external report and listing, one debtor under several customer numbers
(CLS-BORROWER) — is judged once over the whole book: for an extract in memory the driver runs
those rules (:func:`whole_book_rules`) on every sheet, exactly as the in-memory engine does,
while the partitions run the rest. From a Parquet store the workers do not read the
borrower's-file sheets yet: the rules needing them are listed as not run with that reason
(:data:`STORE_REFUSAL`), never as "missing sheet"; CLS-BORROWER then runs per partition, by
customer number, and does not join one debtor's customer numbers across partitions.

Loans with duplicate ``loan_id`` under different borrowers land in different partitions; the
loader reports duplicate ids as an error, and such rows should be resolved before a check.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.compliance.evaluation import (
    FINDING_COLUMNS,
    NOT_RUN_COLUMNS,
    CheckReport,
    _assemble,
    evaluate_rules,
    prepare_run,
    profile_of,
    unpack_data,
)
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules import CATALOGUE, CheckContext
from postloan_audit.compliance.rules.context import BOOK_WIDE_FACTS, BOOK_WIDE_SOURCES
from postloan_audit.core.extract import Extract
from postloan_audit.core.workdays import fallback_warning

#: Target number of loans per Dask partition (a partition, its sheets and the rule
#: intermediates take roughly 1 GiB per 250,000 loans on a worker).
LOANS_PER_PARTITION = 250_000
#: Column carrying each row's borrower-hash partition key.
PART = "__part__"
#: Column carrying each loan's position in the whole loans frame (the findings' order).
POSITION = "__row__"
#: Sheets that follow their loan into its partition.
LOAN_SHEETS: tuple[str, ...] = ("inspections", "collections")
#: The borrower's-file sheets: what they hold crosses borrowers (a collateral securing loans of
#: several borrowers, a guarantor who borrows too, a party's external report and listing).
BORROWER_FILE_SHEETS: tuple[str, ...] = ("collateral", "guarantees", "financials", "external",
                                         "lists")
#: Rules that read beyond one borrower's loans and records whatever their ``needs`` say: the
#: debtor of CLS-BORROWER is the party (borrower ids joined by id number or name), COLLAT-INSP
#: reads the collateral register when there is one.
WHOLE_BOOK_EXTRA: frozenset[str] = frozenset({"CLS-BORROWER", "COLLAT-INSP"})
#: A loan count in a rule's note (``12笔``): summed over partitions when notes are merged.
_COUNT = re.compile(r"\d+(?=笔)")


def partition_key(borrower_ids: pd.Series, partitions: int) -> np.ndarray:
    """Partition of each loan: a stable hash of ``borrower_id`` modulo ``partitions``."""
    hashed = pd.util.hash_array(borrower_ids.astype("str").to_numpy(dtype=object,
                                                                    na_value=""))
    return (hashed % np.uint64(partitions)).astype(np.int64)


def _keyed_sheet(sheet: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Sheet rows with their loan's partition key (rows of unknown loans dropped: they match
    no loan in memory either)."""
    keys = keys.drop_duplicates()
    return sheet.merge(keys, on="loan_id", how="inner", sort=False)


# --------------------------------------------------------------------------- readers

def _read_loans(path: str, partitions: int) -> pd.DataFrame:
    from postloan_audit.ingest.parquet_store import read_part
    frame = read_part(path)
    frame[PART] = partition_key(frame["borrower_id"], partitions)
    return frame


def _read_sheet(pair: tuple[str, str | None], partitions: int) -> pd.DataFrame:
    from postloan_audit.ingest.parquet_store import ROW_COLUMN, read_part
    sheet_path, loans_path = pair
    sheet = read_part(sheet_path).drop(columns=[ROW_COLUMN])
    if loans_path is None:
        return sheet.iloc[:0].assign(**{PART: np.zeros(0, dtype=np.int64)})
    loans = read_part(loans_path, columns=["loan_id", "borrower_id"])
    keys = pd.DataFrame({"loan_id": loans["loan_id"],
                         PART: partition_key(loans["borrower_id"], partitions)})
    return _keyed_sheet(sheet, keys)


def _store_frames(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Lazy Dask frames of a Parquet store, each row keyed by its borrower's partition."""
    import dask.dataframe as dd

    from postloan_audit.ingest.parquet_store import read_manifest

    manifest = read_manifest(root)
    files = manifest["files"]
    n = int(manifest["rows"]["loans"])
    partitions = max(1, math.ceil(n / LOANS_PER_PARTITION))
    loan_files = {(e["branch"], e.get("piece", 0)): str(root / e["path"])
                  for e in files["loans"]}
    meta_loans = _read_loans(next(iter(loan_files.values())), partitions).iloc[:0]
    frames: dict[str, Any] = {
        "loans": dd.from_map(_read_loans, list(loan_files.values()), partitions=partitions,
                             meta=meta_loans, enforce_metadata=False)}
    for sheet in LOAN_SHEETS:
        if sheet not in files:
            frames[sheet] = None
            continue
        pairs = [(str(root / e["path"]), loan_files.get((e["branch"], e.get("piece", 0))))
                 for e in files[sheet]]
        meta = _read_sheet(pairs[0], partitions).iloc[:0]
        frames[sheet] = dd.from_map(_read_sheet, pairs, partitions=partitions, meta=meta,
                                    enforce_metadata=False)
    info = {"partitions": partitions, "fingerprint": manifest.get("fingerprint", ""),
            "source_name": manifest.get("source_name", ""), "as_of": manifest.get("as_of"),
            "profile": {"profile_name": manifest.get("profile_name"),
                        "profile_sha256": manifest.get("profile_sha256")},
            "loans": n, "loans_meta": meta_loans.drop(columns=[PART, POSITION]),
            "sheet_files": {sheet: [str(root / e["path"]) for e in files.get(sheet, [])]
                            for sheet in LOAN_SHEETS if sheet in files},
            "loan_files": list(loan_files.values()), "stored_sheets": sorted(files)}
    branches = None
    if "branches" in files:
        from postloan_audit.ingest.parquet_store import ROW_COLUMN, read_part
        branches = read_part(root / files["branches"][0]["path"]).drop(columns=[ROW_COLUMN])
    info["branches"] = branches
    return frames, info


def _memory_parts(data: Extract | pd.DataFrame
                  ) -> tuple[list[tuple[pd.DataFrame, ...]], dict[str, Any]]:
    """An in-memory extract split by borrower hash: (loans, inspections, collections) per
    partition, each row keyed by its borrower's partition (no shuffle needed: the driver
    already holds every row)."""
    loans, sheets, fingerprint, source_name, as_of = unpack_data(data)
    n = len(loans)
    partitions = max(1, math.ceil(n / LOANS_PER_PARTITION))
    keyed = loans.assign(**{POSITION: np.arange(n, dtype=np.int64),
                            PART: partition_key(loans["borrower_id"], partitions)})
    split: dict[str, list[pd.DataFrame] | None] = {"loans": _split(keyed, partitions)}
    keys = keyed[["loan_id", PART]]
    for sheet in LOAN_SHEETS:
        frame = sheets[sheet]
        split[sheet] = None if frame is None else _split(_keyed_sheet(frame, keys), partitions)
    parts = [(split["loans"][i],
              None if split["inspections"] is None else split["inspections"][i],
              None if split["collections"] is None else split["collections"][i])
             for i in range(partitions)]
    info = {"partitions": partitions, "fingerprint": fingerprint, "source_name": source_name,
            "as_of": as_of, "loans": n, "profile": profile_of(data), "branches": sheets["branches"],
            "loans_meta": loans.iloc[:0], "sheets": sheets, "loans_frame": loans}
    return parts, info


def _split(frame: pd.DataFrame, partitions: int) -> list[pd.DataFrame]:
    """Rows of ``frame`` grouped by partition key, one frame per partition (empty ones too)."""
    key = frame[PART].to_numpy()
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(partitions + 1))
    return [frame.take(order[bounds[i]:bounds[i + 1]]) for i in range(partitions)]


# --------------------------------------------------------------------------- one partition

def whole_book_rules(rule_ids: Iterable[str]) -> list[str]:
    """The rules of ``rule_ids`` that must see the whole book at once: those reading a
    borrower's-file sheet (:data:`BORROWER_FILE_SHEETS`) and :data:`WHOLE_BOOK_EXTRA`."""
    def reads_file(rule_id: str) -> bool:
        parts = {p.split(".", 1)[0] for need in CATALOGUE[rule_id].needs
                 for alt in need.split("|") for p in alt.split("+")}
        return bool(parts & set(BORROWER_FILE_SHEETS))

    return [r for r in rule_ids if r in WHOLE_BOOK_EXTRA or reads_file(r)]


def _evaluate(ctx: CheckContext, loans: pd.DataFrame, positions: np.ndarray,
              rule_ids: list[str], policy: Policy) -> dict[str, Any]:
    """The rules on ``ctx``: findings keyed by catalogue index (``__rule__``) and book
    position (``__row__``), the rules run and not run, notes and uncovered years."""
    selected = [CATALOGUE[r] for r in rule_ids]
    hits, ran, not_run = evaluate_rules(ctx, selected, policy)
    findings = _assemble(loans, hits, policy)
    order = {rid: i for i, rid in enumerate(CATALOGUE)}
    counts = [len(h.positions) for _, h in hits if len(h.positions)]
    findings["__rule__"] = np.repeat(
        [order[r.id] for r, h in hits if len(h.positions)], counts).astype(np.int64) \
        if counts else np.zeros(0, dtype=np.int64)
    findings[POSITION] = positions[np.concatenate([h.positions for _, h in hits])] \
        if counts else np.zeros(0, dtype=np.int64)
    return {"findings": findings, "ran": ran, "not_run": not_run, "notes": list(ctx.notes),
            "uncovered": sorted(ctx.uncovered_years), "loans": len(loans)}


def check_partition(loans: pd.DataFrame, inspections: pd.DataFrame | None,
                    collections: pd.DataFrame | None, branches: pd.DataFrame | None,
                    day: dt.date, policy: Policy, rule_ids: list[str],
                    facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the pandas catalogue on one partition (whole borrowers, all their sheet rows).

    ``facts`` are the book-wide facts (:data:`BOOK_WIDE_FACTS`) of the whole book.

    Returns the findings (with ``__rule__``, the rule's catalogue index, and ``__row__``, the
    loan's position in the whole book), the rules run and not run, notes and uncovered years.
    """
    loans = loans.sort_values(POSITION, kind="stable")
    parts = set(np.unique(loans[PART].to_numpy()).tolist())
    for sheet in (inspections, collections):
        if sheet is not None and len(sheet) and not set(
                np.unique(sheet[PART].to_numpy()).tolist()) <= parts:
            raise RuntimeError("贷款与检查/催收记录未按借款人同分区 / loans and their sheet rows "
                               "are not co-partitioned by borrower")
    positions = loans[POSITION].to_numpy()
    loans = loans.drop(columns=[PART, POSITION]).reset_index(drop=True)
    sheets = {name: None if frame is None else
              frame.drop(columns=[PART]).reset_index(drop=True)
              for name, frame in (("inspections", inspections), ("collections", collections))}
    ctx = CheckContext(loans, as_of=day, policy=policy, branches=branches, facts=facts,
                       **sheets)
    return _evaluate(ctx, loans, positions, rule_ids, policy)


def check_whole_book(loans: pd.DataFrame, sheets: dict[str, pd.DataFrame | None], day: dt.date,
                     policy: Policy, rule_ids: list[str]) -> dict[str, Any]:
    """The whole-book rules (:func:`whole_book_rules`) on the driver, over every sheet, as the
    in-memory engine runs them."""
    ctx = CheckContext(loans, as_of=day, policy=policy, **sheets)
    return _evaluate(ctx, loans, np.arange(len(loans), dtype=np.int64), rule_ids, policy)


def _check_scattered(part: list[pd.DataFrame | None], *args: Any) -> dict[str, Any]:
    return check_partition(*part, *args)


def sheet_facts(loans_meta: pd.DataFrame, sheet: str, frame: pd.DataFrame | None,
                day: dt.date, policy: Policy) -> dict[str, Any]:
    """The book-wide facts of one piece of one sheet, or of the loans (``sheet="loans"``):
    those whose source (:data:`BOOK_WIDE_SOURCES`) it is (NaT / NaN where it has none)."""
    if frame is not None:
        frame = frame.drop(columns=[c for c in (PART, POSITION) if c in frame.columns])
    if sheet == "loans":
        ctx = CheckContext(frame if frame is not None else loans_meta.iloc[:0], as_of=day,
                           policy=policy)
    else:
        ctx = CheckContext(loans_meta.iloc[:0], as_of=day, policy=policy, **{sheet: frame})
    return {name: getattr(ctx, name) for name in BOOK_WIDE_FACTS
            if BOOK_WIDE_SOURCES[name] == sheet}


def combine_facts(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """Book-wide facts from every piece's, each by its rule in :data:`BOOK_WIDE_FACTS`: the
    earliest or latest value, or (``sum``) the pieces' tables added up by their keys."""
    out: dict[str, Any] = {}
    for name, how in BOOK_WIDE_FACTS.items():
        given = [p[name] for p in pieces if name in p]
        if how == "sum":
            tables = [t for t in given if t is not None and len(t)]
            if tables:
                keys = [c for c in tables[0].columns if tables[0][c].dtype == object
                        or str(tables[0][c].dtype) == "str"]
                out[name] = pd.concat(tables, ignore_index=True).groupby(
                    keys, sort=False, as_index=False).sum()
            elif given:
                out[name] = given[0]
            continue
        values = [v for v in given if not pd.isna(v)]
        if values:
            out[name] = min(values) if how == "min" else max(values)
        elif given:
            out[name] = given[0]
    return {k: v for k, v in out.items() if v is not None}


#: Why a whole-book rule is not run from a Parquet store holding the borrower's file.
STORE_REFUSAL = ("分布式引擎从 Parquet 存储检查时尚不读取借款人档案表({sheets}),本规则未执行;请用内存引擎"
                 "(engine=\"pandas\")或 postloan-audit check 检查 / the Dask engine does not read "
                 "the borrower's-file sheets of a Parquet store ({en}) yet: run this rule in memory")


# --------------------------------------------------------------------------- the driver

def merge_notes(per_partition: list[list[str]]) -> list[str]:
    """One list of notes from every partition's, as the in-memory run would have written it.

    Notes keep their relative order (a merge of the partitions' orders); a note that differs
    between partitions only in its loan counts (``N笔``) is one note with the counts summed.
    """
    templates: dict[str, list[int]] = {}
    after: dict[str, set[str]] = {}
    first: dict[str, int] = {}
    for notes in per_partition:
        previous = None
        for note in notes:
            key = _COUNT.sub("#", note)
            numbers = [int(m) for m in _COUNT.findall(note)]
            if key in templates:
                templates[key] = [a + b for a, b in zip(templates[key], numbers, strict=True)]
            else:
                templates[key] = numbers
                first[key] = len(first)
                after[key] = set()
            if previous is not None and previous != key:
                after[key].add(previous)
            previous = key
    ordered: list[str] = []
    pending = sorted(templates, key=first.__getitem__)
    while pending:  # topological order of "came after", ties by first appearance
        ready = [k for k in pending if not (after[k] - set(ordered))] or pending[:1]
        ordered.append(ready[0])
        pending.remove(ready[0])

    def render(key: str) -> str:
        numbers = iter(templates[key])
        return re.sub("#(?=笔)", lambda _m: str(next(numbers)), key)

    return [render(k) for k in ordered]


def _read_sheet_file(path: str) -> pd.DataFrame:
    from postloan_audit.ingest.parquet_store import ROW_COLUMN, read_part
    return read_part(path).drop(columns=[ROW_COLUMN])


def _book_facts(info: dict[str, Any], day: dt.date, pol: Policy, client: Any
                ) -> dict[str, Any]:
    """Book-wide facts over every row of the sheets (rows of unknown loans included, as in
    memory): on the driver for an in-memory extract, per store file on the workers."""
    meta = info["loans_meta"]
    if "sheets" in info:
        return combine_facts([sheet_facts(meta, name, info["sheets"][name], day, pol)
                              for name in LOAN_SHEETS]
                             + [sheet_facts(meta, "loans", info["loans_frame"], day, pol)])
    import dask
    pieces = [sheet_facts(meta, name, None, day, pol) for name in (*LOAN_SHEETS, "loans")]
    read = dask.delayed(_read_sheet_file, pure=False)
    read_loans = dask.delayed(_read_loans, pure=False)
    facts = dask.delayed(sheet_facts, pure=False)
    tasks = [facts(meta, name, read(path), day, pol)
             for name, paths in info["sheet_files"].items() for path in paths]
    tasks += [facts(meta, "loans", read_loans(path, info["partitions"]), day, pol)
              for path in info["loan_files"]]
    if tasks:
        pieces += (client.gather(client.compute(tasks)) if client is not None
                   else list(dask.compute(*tasks)))
    return combine_facts(pieces)


def run_checks_dask(data: Any, *, as_of: dt.date | str | None,
                    policy: Policy | str | PathLike | None = None,
                    rules: Iterable[str] | str | None = None, client: Any = None
                    ) -> CheckReport:
    """:func:`~postloan_audit.compliance.checks.run_checks` with ``engine="dask"``."""
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError as exc:
        raise ValueError("未安装 Dask:请安装 pip install 'postloan-audit[dask]' 后再用 engine=\"dask\" / "
                         "Dask is not installed: pip install 'postloan-audit[dask]' to use "
                         "engine=\"dask\"") from exc

    if isinstance(data, str | PathLike):
        frames, info = _store_frames(Path(data))
    else:
        parts, info = _memory_parts(data)
    if as_of is None and info["as_of"] is not None:
        as_of = info["as_of"]
    day, pol, selected = prepare_run(as_of, policy, rules)
    rule_ids = [r.id for r in selected]
    from_store = isinstance(data, str | PathLike)
    whole = whole_book_rules(rule_ids)
    refused: list[dict[str, str]] = []
    if from_store:
        # the workers read the store's loans and records; its borrower's-file sheets are not
        # read yet, so the rules needing them say so instead of "missing sheet"
        held = [s for s in BORROWER_FILE_SHEETS if s in info["stored_sheets"]]
        if held:
            refused = [{"rule_id": r, "reason": STORE_REFUSAL.format(sheets="、".join(held),
                                                                     en=", ".join(held))}
                       for r in whole if r != "CLS-BORROWER"]
        part_ids = [r for r in rule_ids if r not in {x["rule_id"] for x in refused}]
    else:
        part_ids = [r for r in rule_ids if r not in whole]
    facts = _book_facts(info, day, pol, client)
    args = (info["branches"], day, pol, part_ids, facts)
    if from_store:
        partitions = info["partitions"]
        shuffled = {name: None if frame is None else
                    frame.shuffle(on=PART, npartitions=partitions).to_delayed()
                    for name, frame in frames.items()}
        parts = [tuple(None if shuffled[name] is None else shuffled[name][i]
                       for name in ("loans", *LOAN_SHEETS)) for i in range(partitions)]
        check = dask.delayed(check_partition, pure=False)
        tasks = [check(*part, *args) for part in parts]
        results = (client.gather(client.compute(tasks)) if client is not None
                   else list(dask.compute(*tasks)))
    elif client is not None:
        scattered = client.scatter([list(part) for part in parts])
        futures = [client.submit(_check_scattered, part, *args, pure=False)
                   for part in scattered]
        results = client.gather(futures)
    else:
        check = dask.delayed(check_partition, pure=False)
        results = list(dask.compute(*[check(*part, *args) for part in parts]))
    loans_checked = sum(r["loans"] for r in results)
    # every partition runs the same rules: the first one's lists stand for all
    ran, not_run = list(results[0]["ran"]), [*results[0]["not_run"], *refused]
    if not from_store and whole:
        # the driver holds the whole book: what crosses borrowers is judged over all of it
        driver = check_whole_book(info["loans_frame"], info["sheets"], day, pol, whole)
        results = [driver, *results]
        ran += driver["ran"]
        not_run += driver["not_run"]
    order = {rid: i for i, rid in enumerate(CATALOGUE)}
    ran.sort(key=order.__getitem__)
    not_run.sort(key=lambda x: order[x["rule_id"]])
    found = pd.concat([r["findings"] for r in results], ignore_index=True)
    found = found.sort_values(["__rule__", POSITION], kind="stable")
    findings = found[FINDING_COLUMNS].reset_index(drop=True)
    uncovered = sorted({y for r in results for y in r["uncovered"]})
    warnings = merge_notes([r["notes"] for r in results])
    if uncovered:
        warnings.insert(0, fallback_warning(uncovered))
    return CheckReport(
        findings=findings,
        not_run=pd.DataFrame(not_run, columns=NOT_RUN_COLUMNS).astype("str"),
        as_of=day, policy=pol, fingerprint=info["fingerprint"],
        source_name=info["source_name"], rules_run=tuple(ran),
        warnings=tuple(warnings), loans_checked=loans_checked,
        **info["profile"],
    )

