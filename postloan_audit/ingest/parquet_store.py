"""A loaded extract stored as Parquet (Parquet 数据集), partitioned by branch.

A head office loads its whole book once from the core system's CSV or workbook and keeps it as
a Parquet store: reading it back takes a fraction of the CSV time, and the Dask engine of
:func:`~postloan_audit.compliance.checks.run_checks` reads it on many workers at once. The store
holds *everything* the loader returned, so ``load_extract(DIR)`` gives the same
:class:`~postloan_audit.core.extract.Extract` (same frames, same fingerprint of the original
source bytes) as loading the original file:

.. code-block:: text

    DIR/
      manifest.json                     # format, fingerprint, source name, date, file list
      loans/branch-<branch>/part-<k>.parquet
      inspections/branch-<branch>/part-<k>.parquet   # each row under its loan's branch
      collections/branch-<branch>/part-<k>.parquet
      collateral/…  guarantees/…              # loan-level sheets of the borrower's file, likewise
      branches/part-0.parquet  financials/…  external/…  lists/…   # one file each
      rejected/part-0.parquet  issues/part-0.parquet  accounting/part-0.parquet

``<branch>`` is the branch name percent-encoded (``urllib.parse.quote``), so any name is a
safe directory name; ``<k>`` numbers the pieces of a store written in pieces
(:class:`ParquetStoreWriter`, one piece for ``convert``); sheet rows whose loan is not in the loans sheet go under
``branch-__none__``. Every file carries a ``__row__`` column, the row's position in the loaded
frame, so reading restores the original order exactly; the column is dropped on read.
"""

from __future__ import annotations

import datetime as dt
import json
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.core.extract import OPTIONAL_SHEETS, Extract
from postloan_audit.ingest.source import file_text, parquet_table

#: Name of the store's manifest file.
MANIFEST = "manifest.json"
#: Format tag written to and required in the manifest.
STORE_FORMAT = "postloan-audit-parquet/1"
#: The sheets of an extract partitioned by branch (loan-level rows).
BRANCH_SHEETS: tuple[str, ...] = ("loans", "inspections", "collections", "collateral",
                                  "guarantees")
#: The other frames of an extract, each stored as one file (the borrower-level sheets of the
#: borrower's file among them).
PLAIN_FRAMES: tuple[str, ...] = ("branches", "financials", "external", "lists", "rejected",
                                 "issues", "accounting")
#: Column holding each row's position in the loaded frame.
ROW_COLUMN = "__row__"
#: Directory of sheet rows whose loan is not in the loans sheet.
NO_BRANCH = "__none__"


def is_parquet_store(path: str | PathLike) -> bool:
    """Whether ``path`` is a directory written by :func:`write_parquet_store`."""
    p = Path(path)
    return p.is_dir() and (p / MANIFEST).is_file()


def _branch_dir(name: object) -> str:
    return "branch-" + (NO_BRANCH if name is None or name is pd.NA or name != name
                        else quote(str(name), safe=""))


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd")


def write_parquet_store(extract: Extract, directory: str | PathLike) -> Path:
    """Write ``extract`` (all sheets, accounting, issues, provenance) as a Parquet store.

    Parameters
    ----------
    extract:
        A loaded extract.
    directory:
        The store directory; created if needed. It must be empty or an earlier store (which
        is replaced).

    Returns
    -------
    Path
        The store directory.

    Raises
    ------
    ExtractError
        When ``directory`` exists and holds files that are not a store.
    """
    with ParquetStoreWriter(directory, fingerprint=extract.fingerprint,
                            source_name=extract.source_name, as_of=extract.as_of,
                            profile_name=extract.profile_name,
                            profile_sha256=extract.profile_sha256) as writer:
        writer.add(extract)
    return Path(directory)


class ParquetStoreWriter:
    """Write a store in pieces: a book too large to hold at once, added extract by extract.

    Each :meth:`add` appends one piece (its loans with *their* inspection and collection rows)
    as ``part-<k>.parquet`` files under each branch; rows keep their order across pieces.
    The manifest is written on :meth:`close` (a ``with`` block closes on success only, so an
    interrupted write leaves no readable store). The optional frames (branches, rejected,
    issues, accounting) of every piece are concatenated.
    """

    def __init__(self, directory: str | PathLike, *, fingerprint: str, source_name: str,
                 as_of: dt.date | None, profile_name: str | None = None,
                 profile_sha256: str | None = None) -> None:
        root = Path(directory)
        if root.exists() and any(root.iterdir()) and not is_parquet_store(root):
            raise ExtractError.from_facts(Problem.STORE_TARGET, "target", source_name=str(root))
        if is_parquet_store(root):
            _remove_store(root)
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.provenance = {"fingerprint": fingerprint, "source_name": source_name,
                           "as_of": None if as_of is None else as_of.isoformat(),
                           "profile_name": profile_name, "profile_sha256": profile_sha256}
        self.files: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[str, int] = {}
        self.pieces = 0
        self.plain: dict[str, list[pd.DataFrame]] = {}
        self.columns: dict[str, list[str]] = {}

    def __enter__(self) -> ParquetStoreWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()

    def add(self, extract: Extract) -> None:
        """Append one piece of the book."""
        k = self.pieces
        loans = extract.loans
        loan_branch = pd.Series(loans["branch"].to_numpy(), index=pd.Index(loans["loan_id"]))
        loan_branch = loan_branch[~loan_branch.index.duplicated(keep="last")]
        for sheet in BRANCH_SHEETS:
            frame = getattr(extract, sheet)
            if frame is None:
                continue
            columns = self.columns.setdefault(sheet, list(frame.columns))
            if list(frame.columns) != columns:
                raise ExtractError.from_facts(
                    Problem.STORE_COLUMNS, "columns", source_name=str(self.root), sheet=sheet,
                    piece=k + 1, differ=sorted(set(frame.columns) ^ set(columns)))
            if sheet == "loans":
                branch = frame["branch"]
            else:
                branch = pd.Series(loan_branch.reindex(frame["loan_id"]).to_numpy())
            offset = self.rows.get(sheet, 0)
            framed = frame.assign(**{ROW_COLUMN: np.arange(offset, offset + len(frame),
                                                           dtype=np.int64)})
            codes, names = pd.factorize(branch.to_numpy(dtype=object), use_na_sentinel=True)
            groups: list[tuple[int | None, Any]] = [(i, names[i]) for i in range(len(names))]
            if (codes < 0).any():
                groups.append((-1, None))
            if not len(frame):
                groups = [(None, None)]
            entries = self.files.setdefault(sheet, [])
            for code, name in groups:
                part = framed if code is None else framed[codes == code]
                rel = Path(sheet) / _branch_dir(name) / f"part-{k}.parquet"
                _write(part, self.root / rel)
                entries.append({"branch": None if name is None else str(name), "piece": k,
                                "path": rel.as_posix()})
            self.rows[sheet] = offset + len(frame)
        for name in PLAIN_FRAMES:
            frame = getattr(extract, name)
            if frame is not None:
                self.plain.setdefault(name, []).append(frame)
        self.pieces += 1

    def close(self) -> None:
        """Write the optional frames and the manifest."""
        for name, frames in self.plain.items():
            frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
            rel = Path(name) / "part-0.parquet"
            _write(frame.assign(**{ROW_COLUMN: np.arange(len(frame), dtype=np.int64)}),
                   self.root / rel)
            self.files[name] = [{"branch": None, "piece": 0, "path": rel.as_posix()}]
            self.rows[name] = len(frame)
        manifest = {"format": STORE_FORMAT, **self.provenance, "pieces": self.pieces,
                    "rows": self.rows, "files": self.files}
        (self.root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                          encoding="utf-8")


def _remove_store(root: Path) -> None:
    manifest = read_manifest(root)
    for entries in manifest["files"].values():
        for entry in entries:
            path = root / entry["path"]
            if path.is_file():
                path.unlink()
    for sub in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()
    (root / MANIFEST).unlink()


def read_manifest(directory: str | PathLike) -> dict:
    """The store's manifest (format checked).

    Raises
    ------
    ExtractError
        When the manifest is missing, unreadable or of another format.
    """
    root = Path(directory)
    try:
        manifest = json.loads(file_text(root / MANIFEST))
    except (OSError, ValueError) as exc:
        raise ExtractError.from_facts(Problem.STORE_MANIFEST, "unreadable", source_name=str(root),
                                      manifest=MANIFEST, error=str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
        raise ExtractError.from_facts(Problem.STORE_MANIFEST, "format", source_name=str(root),
                                      store_format=STORE_FORMAT)
    return manifest


def store_paths(directory: str | PathLike, sheet: str) -> list[Path]:
    """The Parquet files of one sheet of a store, in manifest order ([] when absent)."""
    root = Path(directory)
    return [root / e["path"] for e in read_manifest(root)["files"].get(sheet, [])]


def read_part(path: str | PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """One file of a store as pandas (``__row__`` kept, so callers can restore order)."""
    return parquet_table(path, columns=columns).to_pandas()


def _read_frame(root: Path, entries: list[dict[str, str]]) -> pd.DataFrame:
    parts = [parquet_table(root / e["path"]) for e in entries]
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    if len(parts) > 1:  # back to the loaded order, in Arrow (multi-threaded, before pandas)
        table = table.take(pc.sort_indices(table[ROW_COLUMN]))
    return table.drop_columns([ROW_COLUMN]).to_pandas()


def read_parquet_store(directory: str | PathLike) -> Extract:
    """The :class:`Extract` a store holds (as :func:`write_parquet_store` received it).

    Raises
    ------
    ExtractError
        When the directory is not a store or a file of it is missing or unreadable.
    """
    root = Path(directory)
    manifest = read_manifest(root)
    frames: dict[str, pd.DataFrame] = {}
    for sheet, entries in manifest["files"].items():
        try:
            frames[sheet] = _read_frame(root, entries)
        except (OSError, pa.ArrowException) as exc:
            raise ExtractError.from_facts(Problem.STORE_FILE, "unreadable", source_name=str(root),
                                          frame=sheet, error=str(exc)) from exc
        expected = manifest.get("rows", {}).get(sheet)
        if expected is not None and expected != len(frames[sheet]):
            raise ExtractError.from_facts(Problem.STORE_ROWS, "rows", source_name=str(root),
                                          frame=sheet, expected=expected,
                                          read=len(frames[sheet]))
    as_of = manifest.get("as_of")
    extras = {name: frames[name] for name in ("rejected", "issues", "accounting")
              if name in frames}
    return Extract(
        loans=frames["loans"],
        **{name: frames.get(name) for name in OPTIONAL_SHEETS},
        fingerprint=manifest.get("fingerprint", ""),
        source_name=manifest.get("source_name", ""),
        as_of=None if as_of is None else dt.date.fromisoformat(as_of),
        profile_name=manifest.get("profile_name"),
        profile_sha256=manifest.get("profile_sha256"),
        **extras,
    )
