"""A streaming, sparse reader for ``.xlsx`` worksheets whose used range is huge but whose cells are few.

A 20,000-row ledger with a note typed into ``XFD1`` has a used range of 20,000 × 16,384 cells;
a reader that allocates the rectangle needs gigabytes. This reader streams the worksheet XML
with :func:`xml.etree.ElementTree.iterparse`, keeps only the cells that exist and builds the
grid from the columns that hold at least one cell, so memory follows the content. Columns
keep their order; empty columns between them are dropped (the loader finds columns by header,
never by letter). See :mod:`postloan_audit.ingest.workbook_guard` for when it is used.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from postloan_audit.ingest.workbook_guard import MAX_SPARSE_CELLS, SheetScan, column_index

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        stream = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    with stream:
        for _, elem in ElementTree.iterparse(stream, events=("end",)):
            if elem.tag == f"{_NS}si":
                # Rich text runs (<r><t>) are concatenated; phonetic runs (<rPh>) are not text.
                parts = [t.text or "" for t in elem.iter(f"{_NS}t")]
                for ph in elem.iter(f"{_NS}rPh"):
                    for t in ph.iter(f"{_NS}t"):
                        if t.text:
                            parts.remove(t.text)
                out.append("".join(parts))
                elem.clear()
    return out


def _split_ref(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]) - 1, column_index(letters)


def read_sparse_sheet(data: bytes, scan: SheetScan,
                      source_name: str) -> tuple[pd.DataFrame, list[int]]:
    """The cells of one worksheet as an object DataFrame (rows from spreadsheet row 1), and the
    0-based spreadsheet column index of each of its columns.

    Raises :class:`~postloan_audit.core.errors.ExtractError` when even the existing cells
    exceed :data:`~postloan_audit.ingest.workbook_guard.MAX_SPARSE_CELLS`.
    """
    from postloan_audit.core.errors import ExtractError, Problem

    errors = {(r, c): v for r, c, v in scan.errors}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        strings = _shared_strings(archive)
        columns: dict[int, tuple[list[int], list[object]]] = {}
        count = 0
        next_row = 0
        with archive.open(scan.part) as stream:
            for _, elem in ElementTree.iterparse(stream, events=("end",)):
                tag = elem.tag
                if tag == f"{_NS}row":
                    elem.clear()
                    continue
                if tag != f"{_NS}c":
                    continue
                ref = elem.get("r")
                if ref:
                    row, col = _split_ref(ref)
                else:  # pragma: no cover - every known writer sets r on sparse sheets
                    row, col = next_row, 0
                kind = elem.get("t", "n")
                value_elem = elem.find(f"{_NS}v")
                raw = value_elem.text if value_elem is not None else None
                if kind == "inlineStr":
                    value: object = "".join(t.text or "" for t in elem.iter(f"{_NS}t"))
                elif raw is None:
                    value = None
                elif kind == "s":
                    value = strings[int(raw)] if raw.isdigit() and int(raw) < len(strings) else None
                elif kind == "b":
                    value = raw == "1"
                elif kind == "e":
                    value = errors.get((row, col), raw)
                elif kind in ("str", "d"):
                    value = raw
                else:
                    try:
                        value = float(raw)
                    except ValueError:
                        value = raw
                elem.clear()
                if value is None or value == "":
                    continue
                rows, values = columns.setdefault(col, ([], []))
                rows.append(row)
                values.append(value)
                count += 1
                next_row = row
    height = scan.max_row + 1
    if height * max(len(columns), 1) > MAX_SPARSE_CELLS:
        raise ExtractError.from_facts(Problem.TOO_LARGE, "sparse_sheet", source_name=source_name,
                                      sheet=scan.name, rows=height, columns=len(columns))
    frame = {}
    for new_col, col in enumerate(sorted(columns)):
        rows, values = columns[col]
        column = np.full(height, None, dtype=object)
        column[np.asarray(rows, dtype=np.int64)] = np.asarray(values + [None], dtype=object)[:-1]
        frame[new_col] = column
    kept = sorted(columns)
    return (pd.DataFrame(frame, dtype=object) if frame else pd.DataFrame(dtype="str")), kept
