"""Reading loan-ledger extracts (贷款台账) as banks export them: :func:`load_extract`.

It turns a workbook (``.xlsx``/``.xlsm``/``.xls``; an HTML table or an Excel 2003 XML
Spreadsheet saved as ``.xls``) or delimited text (CSV, TSV, UTF-16 "Unicode text"; UTF-8,
GBK / GB18030) into an :class:`~postloan_audit.core.extract.Extract` in the canonical format
of ``docs/extract-format.md``, and it never loses a row: every data row is kept, rejected
(with its spreadsheet row number and the reason) or set aside as a summary row (合计/小计,
sign-off lines, repeated headers), and ``Extract.accounting`` proves it.

This module orchestrates the stages; each lives in a module of its own (see the package
docstring, :mod:`postloan_audit.ingest`)::

    source bytes (source) → raw sheets (sheets; delimited for text) → header (header)
      → columns and units (columns) · rows (rows) · profile values (profile_values)
      → Extract, with the tally (tally) of issues, rejected rows and accounting
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.dates import coerce_date
from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.core.extract import OPTIONAL_SHEETS, Extract
from postloan_audit.ingest import columns, rows, sheets
from postloan_audit.ingest.delimited import ENCODING_SAMPLE_BYTES, TextOptions
from postloan_audit.ingest.header import (
    HEADER_SEARCH_ROWS,
    Match,
    best_candidate_row,
    head_rows,
    locate_header,
    map_headers,
)
from postloan_audit.ingest.parquet_store import is_parquet_store, read_parquet_store
from postloan_audit.ingest.profile import ExportProfile
from postloan_audit.ingest.profile_values import (
    DaysSince,
    apply_profile,
    derivation_sources,
    finish_days_since,
    profile_units,
)
from postloan_audit.ingest.sheets import (
    SUMMARY_REPORT_ADVICE,
    SUMMARY_REPORT_ADVICE_EN,
    SUMMARY_REPORT_ADVICE_ZH,
    RawSheet,
    is_summary_report,
)
from postloan_audit.ingest.source import (
    SUPPORTED_EXTENSIONS,
    SUPPORTED_FORMATS_EN,
    SUPPORTED_FORMATS_ZH,
    Source,
    detect_kind,
    is_blank,
    read_source,
)
from postloan_audit.ingest.tally import Tally
from postloan_audit.ingest.threads import map_columns

#: The loader's public names, several of them defined by its stages and re-exported here.
__all__ = [
    "ENCODING_SAMPLE_BYTES", "HEADER_SEARCH_ROWS", "SUMMARY_REPORT_ADVICE",
    "SUMMARY_REPORT_ADVICE_EN", "SUMMARY_REPORT_ADVICE_ZH", "SUPPORTED_EXTENSIONS",
    "SUPPORTED_FORMATS_EN", "SUPPORTED_FORMATS_ZH", "RawSheet", "Source", "TextOptions",
    "best_candidate_row", "is_summary_report", "load_extract",
]

#: What ``as_of`` is called in a message about it (Chinese, English).
AS_OF = ("数据日期", "data date")
_TITLE_DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_COMPACT_TITLE_DATE_RE = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")


def load_extract(source: Source, *, profile: ExportProfile | str | os.PathLike | None = None,
                 filename: str | None = None, as_of=None,
                 text: TextOptions | None = None) -> Extract:
    """Load a loan-ledger extract into canonical form.

    Parameters
    ----------
    source:
        A path, ``bytes``, or a binary file-like object (e.g. a browser upload); or the
        directory of a Parquet store written by ``postloan-audit convert``
        (:mod:`~postloan_audit.ingest.parquet_store`), read back exactly as it was loaded.
    profile:
        The bank's export profile (导出配置, see ``docs/export-profiles.md``): an
        :class:`~postloan_audit.ingest.profile.ExportProfile` or the path of its TOML file. Its
        headers, sheet names and values add to the built-in ones and win over them; its units
        and derivations apply. The extract records its name and sha256.
    filename:
        The file name, used in messages. Defaults to the path's name. The format is told by
        content (see :mod:`postloan_audit.ingest.sniff`), not by the extension.
    as_of:
        The extract date: a ``date``, a ``Timestamp`` or text such as ``2026-09-30``,
        ``2026/9/30``, ``2026年9月30日`` or ``20260930``
        (:func:`~postloan_audit.core.dates.coerce_date`). When None, a date in a title row
        ("截至2026年9月30日") or in the file name is used, else ``Extract.as_of`` is None.
    text:
        How delimited text is read (:class:`~postloan_audit.ingest.delimited.TextOptions`:
        the engine, the block size); every choice reads the same rows. The defaults when None.

    Returns
    -------
    Extract
        See :class:`~postloan_audit.core.extract.Extract`.

    Raises
    ------
    ExtractError
        When the file as a whole cannot be used: empty, unreadable, encrypted, too large to
        read safely, of the wrong type, no loans sheet, required columns missing, no data
        rows. The message is in Chinese and English and names the file, the sheet and what
        was found; ``problem`` tells why (``docs/extract-format.md``, "Problems").
    DateError
        When ``as_of`` is not a date (``2026-02-30``); a :class:`ValueError`.
    ProfileError
        When ``profile`` is a path to an invalid profile.
    """
    if isinstance(source, str | os.PathLike) and is_parquet_store(source):
        return read_parquet_store(source)  # written by postloan-audit convert
    # A date that is not one is refused before the file is read.
    given_day = None if as_of is None else coerce_date(as_of, what=AS_OF)
    profile = ExportProfile.coerce(profile)
    match = profile.match_header if profile is not None else schema.match_header
    data, name = read_source(source, filename)
    if is_blank(data):
        raise ExtractError.from_facts(Problem.EMPTY, "file", source_name=name)
    kind = detect_kind(data, name)
    tally = Tally()
    sheet_map = sheets.read_sheets(data, name, kind, tally, profile, text)
    # hashlib releases the GIL on large buffers: the fingerprint is computed beside the
    # checks of the cells, whose first steps leave a core idle (reading the cells keeps both
    # busy already).
    hashing = ThreadPoolExecutor(max_workers=1)
    fingerprint = hashing.submit(lambda buffer: hashlib.sha256(buffer).hexdigest(), data)
    hashing.shutdown(wait=False)
    del data  # every cell is in sheet_map now (the caller may still hold its own bytes)

    pending = DaysSince()
    frames: dict[str, pd.DataFrame | None] = {}
    title_texts: list[str] = []
    for sheet_name in schema.SHEETS:
        raws = sheet_map.get(sheet_name)
        if not raws:
            frames[sheet_name] = None
            continue
        parts = []
        for raw in raws:
            frame, titles = _canonicalise(schema.SHEETS[sheet_name], raw, name, match, profile,
                                          tally, pending)
            if sheet_name == "loans":
                frame["source_sheet"] = raw.name
            parts.append(frame)
            title_texts.extend(titles)
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        if len(parts) > 1 and sheet_name == "loans":
            frame = rows.drop_cross_sheet_duplicates(frame, tally)
        frames[sheet_name] = frame
    rows.cross_check(frames, tally, {k: v[0].name for k, v in sheet_map.items() if v})
    if frames["loans"] is not None:
        columns.currency_note(frames["loans"], tally)
    day = given_day if given_day is not None else _date_in_titles(title_texts, name)
    finish_days_since(profile, pending, frames, day, name)

    return Extract(
        loans=frames["loans"],
        **{name: frames[name] for name in OPTIONAL_SHEETS},
        rejected=tally.rejected_frame(),
        issues=tally.issues_frame(),
        accounting=tally.accounting_frame(),
        fingerprint=fingerprint.result(),
        source_name=name,
        as_of=day,
        profile_name=profile.name if profile is not None else None,
        profile_sha256=profile.sha256 if profile is not None else None,
    )


def _canonicalise(sheet: schema.Sheet, raw: RawSheet, source_name: str, match: Match,
                  profile: ExportProfile | None, tally: Tally, pending: DaysSince
                  ) -> tuple[pd.DataFrame, list[str]]:
    """One raw sheet through the stages: header, columns and rows set aside, cleaned text,
    cell errors, profile values, parsed columns, row rules. Returns the kept rows and the
    title texts above the header (for the extract date)."""
    cells = raw.cells
    header = locate_header(head_rows(cells, extra=1), sheet, match)
    headers, header_row = header.headers, raw.row_number(header.index)
    mapping, units = map_headers(sheet, headers, match, raw.name, header_row, tally)
    derived = derivation_sources(profile, sheet, headers, mapping, raw, source_name)
    missing = [c for c in sheet.required if c not in mapping and c not in derived]
    if missing:
        recognised = {match(sheet.name, h)[0] for h in headers if str(h).strip()}
        raise ExtractError.from_facts(
            Problem.MISSING_COLUMNS, "required", source_name=source_name, sheet=raw.name,
            missing=missing, headers=[str(h) for h in headers], is_text=raw.is_text,
            canonical_sheet=sheet.name, searched=header.searched, header_row=header_row,
            summary_report=sheet.name == "loans" and is_summary_report(headers, recognised))
    units = profile_units(profile, sheet, headers, mapping, units, raw.name, tally)
    units = columns.resolve_units(sheet, headers, mapping, units, header.titles, raw,
                                  source_name, tally)

    body_start = header.body_start
    body = cells.iloc[body_start:].reset_index(drop=True)
    # A sheet is canonicalised once: drop the sheet's own reference so that each raw
    # column is freed as soon as its cleaned text exists (peak memory: one copy + a column).
    del cells
    raw.cells = None
    body_rows = len(body)
    row_numbers = raw.row_numbers(body_start, body_rows)
    used = sorted({0, *(p for positions in mapping.values() for p in positions),
                   *(p for _, p in derived.values() if isinstance(p, int))}
                  & set(body.columns))
    blank = rows.blank_rows(body)
    body = body[used]
    # One counter of cells with control characters per column (the columns are cleaned
    # in threads), None when the bytes hold none.
    counters = [np.zeros(1, dtype=np.int64) if raw.may_hold_controls else None
                for _ in used]
    text = pd.DataFrame(
        dict(zip(used, map_columns(lambda job: columns.as_text(*job), (
            (body.pop(p), counter, p in raw.plain_columns)
            for p, counter in zip(used, counters, strict=True))), strict=True)),
        index=pd.RangeIndex(body_rows))
    del body
    controls = sum(int(c[0]) for c in counters if c is not None)
    if controls:
        tally.note(
            "warning", raw.name, None, None, None,
            f"已从 {controls} 个单元格中删除控制字符或不可见字符(如 NUL、零宽空格)"
            f" / control or invisible characters (NUL, zero-width space …) removed from"
            f" {controls} cells")
    sheets.merge_notes(raw, body_start, tally)
    summary, reasons = rows.summary_rows(sheet, text, mapping, headers, blank)
    data_mask = rows.note_set_aside(sheet, raw.name, row_numbers, blank, summary, reasons,
                                    tally)
    if not data_mask.any() and sheet.name == "loans":
        raise ExtractError.from_facts(Problem.NO_DATA_ROWS, "loans", source_name=source_name,
                                      sheet=raw.name, is_text=raw.is_text,
                                      header_row=header_row)

    data = rows.select_rows(text, data_mask)
    del text  # ``data`` alone holds the cells now: parse_columns frees them as it goes
    row_numbers = row_numbers[data_mask]
    cell_errors: dict = {}
    if raw.may_hold_errors:
        data, cell_errors = columns.cell_errors(sheet, data, mapping, headers, raw.name,
                                                row_numbers, tally)
    data, mapping, after = apply_profile(profile, sheet, data, mapping, derived, raw.name,
                                         row_numbers, tally, pending)
    frame, problems = columns.parse_columns(sheet, data, mapping, units, raw.name,
                                            row_numbers, tally)
    del data
    for column, values in after.items():
        frame[column] = values
    reject = rows.row_rules(sheet, frame, problems, raw.name, row_numbers, cell_errors)
    reject = rows.untrusted_lines(reject, row_numbers, raw.bad_rows, raw.name)
    rejected_rows = np.zeros(len(frame), dtype=bool)
    if reject:
        rej = pd.concat(reject, ignore_index=True)
        tally.rejected.append(rej)
        rejected_rows = np.isin(row_numbers, rej["row"].to_numpy())
    frame["source_row"] = row_numbers
    columns.guarantee_note(sheet, frame, raw.name, tally)
    kept = rows.select_rows(frame, ~rejected_rows)
    tally.accounting.append({
        "sheet": sheet.name, "source_sheet": raw.name,
        "rows_read": int(body_rows - blank.sum()), "kept": int(len(kept)),
        "rejected": int(rejected_rows.sum()), "summary_rows": int(summary.sum()),
        "blank_rows": int(blank.sum()),
    })
    return kept, header.titles


def _date_in_titles(titles: list[str], name: str) -> dt.date | None:
    """The extract date a title row ("截至2026年9月30日") or the file name gives, else None."""
    for text in [*titles, Path(name).stem]:
        for regex in (_TITLE_DATE_RE, _COMPACT_TITLE_DATE_RE):
            match = regex.search(str(text))
            if match:
                try:
                    return pd.Timestamp(int(match[1]), int(match[2]), int(match[3])).date()
                except ValueError:
                    continue
    return None
