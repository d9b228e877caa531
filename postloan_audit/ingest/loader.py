"""Reading loan-ledger extracts (贷款台账) as banks export them.

This is the only module that opens source files. It turns a workbook (``.xlsx``/``.xlsm``/
``.xls``; an HTML table or an Excel 2003 XML Spreadsheet saved as ``.xls``) or delimited text
(CSV, TSV, UTF-16 "Unicode text"; UTF-8, GBK / GB18030) into an
:class:`~postloan_audit.core.extract.Extract` in the canonical format of
``docs/extract-format.md``, and it never loses a row: every data row is kept, rejected (with
its spreadsheet row number and the reason) or set aside as a summary row (合计/小计, sign-off
lines, repeated headers), and ``Extract.accounting`` proves it.

The concerns around it live beside it: :mod:`~postloan_audit.ingest.sniff` (what a file is),
:mod:`~postloan_audit.ingest.workbook_guard` (zip bombs and absurd used ranges, checked before
any reader allocates), :mod:`~postloan_audit.ingest.xlsx_stream` (the sparse reader),
:mod:`~postloan_audit.ingest.markup` (HTML and XML 2003), :mod:`~postloan_audit.ingest.delimited`
(text decoding and CSV parsing).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError
from postloan_audit.core.extract import (
    ACCOUNTING_COLUMNS,
    ISSUE_COLUMNS,
    REJECTED_COLUMNS,
    Extract,
)
from postloan_audit.ingest import (
    delimited,
    kernels,
    markup,
    parsing,
    workbook_guard,
    xlsx_stream,
)
from postloan_audit.ingest import profile as profiles
from postloan_audit.ingest.parquet_store import is_parquet_store, read_parquet_store
from postloan_audit.ingest.profile import ExportProfile
from postloan_audit.ingest.source import (  # noqa: F401 - re-exported: the loader's public names
    SUPPORTED_EXTENSIONS,
    SUPPORTED_FORMATS_EN,
    SUPPORTED_FORMATS_ZH,
    Source,
    detect_kind,
    is_blank,
    read_source,
)
from postloan_audit.ingest.threads import map_columns

#: How many rows at the top of a sheet are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: Bytes of a non-UTF-8 CSV given to charset-normalizer to guess the encoding.
ENCODING_SAMPLE_BYTES = delimited.ENCODING_SAMPLE_BYTES
_MARKUP_NOTES = {
    "html": "文件内容为网页表格(HTML),已按表格读取 / the file is an HTML table; read as a sheet",
    "xml2003": "文件内容为 Excel 2003 XML 表格,已按工作簿读取"
               " / the file is an Excel 2003 XML Spreadsheet; read as a workbook",
}
_TITLE_DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_COMPACT_TITLE_DATE_RE = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")


@dataclass
class RawSheet:
    """A sheet as read: every cell as text (NaN when empty), in spreadsheet order."""

    name: str
    cells: pd.DataFrame  # columns 0..n-1, one row per spreadsheet row from row 1
    first_row: int = 1  # spreadsheet row number of cells' first row
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive
    hidden: bool = False
    bad_rows: dict[int, str] = field(default_factory=dict)  # row number -> rejection reason
    is_text: bool = False  # delimited text: messages say "file", not "sheet"
    may_hold_controls: bool = True  # False: the bytes hold no control character (checks skipped)
    may_hold_errors: bool = True  # False: no "#" anywhere, so no Excel error value
    #: Columns known to hold no cell to clean (no control, edge whitespace or empty string).
    plain_columns: frozenset = frozenset()


# =========================================================================== entry point


def load_extract(source: Source, *, profile: ExportProfile | str | os.PathLike | None = None,
                 filename: str | None = None, as_of=None) -> Extract:
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
        The extract date. When None, a date in a title row ("截至2026年9月30日") or in the file
        name is used, else ``Extract.as_of`` is None.

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
        was found.
    ProfileError
        When ``profile`` is a path to an invalid profile.
    """
    if isinstance(source, str | os.PathLike) and is_parquet_store(source):
        return read_parquet_store(source)  # written by postloan-audit convert
    profile = ExportProfile.coerce(profile)
    match = profile.match_header if profile is not None else schema.match_header
    data, name = read_source(source, filename)
    if is_blank(data):
        raise ExtractError(
            f"文件 {name} 是空文件,没有任何内容。请重新从信贷系统导出贷款台账。"
            f" / The file {name} is empty. Please export the loan ledger again.",
            source_name=name, problem="empty",
        )
    kind = detect_kind(data, name)
    issues: list[dict] = []
    if kind == "text":
        grid, notes, bad_rows, flags = delimited.read_text_table(
            data, name, lambda rows, sheets: _find_header_row(rows, sheets, match),
            HEADER_SEARCH_ROWS)
        issues.extend(_issue(sev, None, None, None, None, msg) for sev, msg in notes)
        sheet_map = {"loans": [RawSheet(name="loans", cells=grid, bad_rows=bad_rows,
                                        is_text=True, may_hold_controls=flags["controls"],
                                        may_hold_errors=flags["errors"],
                                        plain_columns=frozenset(flags["plain"]))]}
        del grid  # the RawSheet holds the cells; canonicalise frees them as it goes
    else:
        raw_sheets = _read_workbook(data, name, kind, issues)
        sheet_map = _assign_sheets(raw_sheets, name, issues, profile)
        del raw_sheets
    # hashlib releases the GIL on large buffers: the fingerprint is computed beside the
    # checks of the cells, whose first steps leave a core idle (reading the cells keeps both
    # busy already).
    hashing = ThreadPoolExecutor(max_workers=1)
    fingerprint = hashing.submit(lambda buffer: hashlib.sha256(buffer).hexdigest(), data)
    hashing.shutdown(wait=False)
    del data  # every cell is in sheet_map now (the caller may still hold its own bytes)

    builder = _Builder(name, issues, profile)
    frames: dict[str, pd.DataFrame | None] = {}
    title_texts: list[str] = []
    for sheet_name in schema.SHEETS:
        raws = sheet_map.get(sheet_name)
        if not raws:
            frames[sheet_name] = None
            continue
        parts = []
        for raw in raws:
            frame, titles = builder.canonicalise(schema.SHEETS[sheet_name], raw)
            if sheet_name == "loans":
                frame["source_sheet"] = raw.name
            parts.append(frame)
            title_texts.extend(titles)
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        if len(parts) > 1 and sheet_name == "loans":
            frame = builder.drop_cross_sheet_duplicates(frame)
        frames[sheet_name] = frame
    _cross_check(frames, builder, {k: v[0].name for k, v in sheet_map.items() if v})
    if frames["loans"] is not None:
        _currency_note(frames["loans"], builder)
    day = _resolve_as_of(as_of, title_texts, name)
    builder.finish_days_since(frames, day)

    return Extract(
        loans=frames["loans"],
        inspections=frames["inspections"],
        collections=frames["collections"],
        branches=frames["branches"],
        rejected=builder.rejected_frame(),
        issues=builder.issues_frame(),
        accounting=pd.DataFrame(builder.accounting, columns=ACCOUNTING_COLUMNS),
        fingerprint=fingerprint.result(),
        source_name=name,
        as_of=day,
        profile_name=profile.name if profile is not None else None,
        profile_sha256=profile.sha256 if profile is not None else None,
    )


# =========================================================================== workbooks


def _unreadable_workbook(name: str, exc: BaseException) -> ExtractError:
    return ExtractError(
        f"无法打开 Excel 文件 {name}(文件可能已损坏、加密或不是 Excel 格式):{exc}。"
        f"请在 Excel 中打开并另存为 .xlsx 后重试。"
        f" / Cannot open the workbook {name} (damaged, encrypted or not Excel): {exc}."
        f" Open it in Excel, save as .xlsx and try again.",
        source_name=name, problem="unreadable",
    )


def _read_workbook(data: bytes, name: str, kind: str, issues: list[dict]) -> list[RawSheet]:
    if kind in ("html", "xml2003"):
        tables = markup.read_html(data, name) if kind == "html" else markup.read_xml2003(data, name)
        issues.append(_issue("info", None, None, None, None, _MARKUP_NOTES[kind]))
        out = []
        for table in tables:
            width = max((len(r) for r in table.rows), default=0)
            frame = pd.DataFrame([r + [None] * (width - len(r)) for r in table.rows],
                                 dtype=object) if width else pd.DataFrame(dtype="str")
            out.append(RawSheet(name=table.name, cells=_fill_merges(frame, table.merges),
                                merges=table.merges))
        return out
    scans = workbook_guard.scan_xlsx(data, name) if kind == "xlsx" else {}
    import python_calamine

    out = []
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = {m.name: str(m.visible).endswith("Visible") for m in workbook.sheets_metadata}
        if kind == "xls":
            scans = _scan_xls(data, workbook.sheet_names, issues)
        for sheet_name in workbook.sheet_names:
            scan = scans.get(sheet_name)
            kept_columns = None
            if scan is not None and scan.rectangle > workbook_guard.MAX_RECTANGLE_CELLS:
                if workbook_guard.count_cells(data, scan) > workbook_guard.MAX_SPARSE_CELLS:
                    raise _too_large(name, sheet_name, scan)
                frame, kept_columns = xlsx_stream.read_sparse_sheet(data, scan, name)
                merges = scan.merges
                issues.append(_issue(
                    "info", sheet_name, None, None, None,
                    f"工作表的已用区域很大(到 {workbook_guard.column_letters(scan.max_col)}"
                    f"{scan.max_row + 1}),已按实际有内容的单元格读取 / the sheet's used range"
                    f" reaches {workbook_guard.column_letters(scan.max_col)}{scan.max_row + 1};"
                    " only the cells that hold content were read"))
            else:
                sheet = workbook.get_sheet_by_name(sheet_name)
                rows = sheet.to_python(skip_empty_area=False)
                merges = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
                # Cells stay Python objects here; only the columns the loader maps are turned
                # into text (see _as_text), which matters for wide sheets.
                frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype="str")
            if scan is not None:
                frame = _overlay_cell_states(frame, scan, kept_columns)
            if kept_columns is not None:
                remap = {c: i for i, c in enumerate(kept_columns)}
                merges = [(r1, remap[c1], r2, remap.get(c2, remap[c1])) for r1, c1, r2, c2 in merges
                          if c1 in remap]
            out.append(RawSheet(name=sheet_name, cells=_fill_merges(frame, merges),
                                merges=merges, hidden=not visible.get(sheet_name, True)))
    except ExtractError:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises unrelated types and panics
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise _unreadable_workbook(name, exc) from None
    return out


def _scan_xls(data: bytes, sheet_names: list[str], issues: list[dict]) -> dict:
    """Error cells of a legacy ``.xls``, which python-calamine reads as empty (see
    :func:`~postloan_audit.ingest.workbook_guard.scan_xls`); a note when they cannot be found."""
    scans, failure = workbook_guard.scan_xls(data, sheet_names)
    if failure is not None:
        issues.append(_issue(
            "warning", None, None, None, None,
            f"未能检查该 .xls 文件中的 Excel 错误值(#N/A、#DIV/0! 等),错误值单元格可能按空值读出;"
            f"如需识别请在 Excel 中另存为 .xlsx({failure})"
            f" / the Excel error cells (#N/A, #DIV/0! …) of this .xls could not be checked and"
            f" may read as empty; save it as .xlsx in Excel to have them named ({failure})"))
    return scans


def _too_large(name: str, sheet_name: str, scan) -> ExtractError:
    return ExtractError(
        f"文件 {name} 的工作表「{sheet_name}」单元格过多({scan.cells:,} 个,已用区域到"
        f" {workbook_guard.column_letters(scan.max_col)}{scan.max_row + 1}),无法安全读取。"
        f"请删除多余的行和列,或分成几个文件导出。 / Sheet '{sheet_name}' of {name} holds too many"
        f" cells ({scan.cells:,}) to read safely. Delete the unused rows and columns, or"
        f" export it in several files.",
        source_name=name, sheet=sheet_name, problem="too_large",
    )


def _overlay_cell_states(frame: pd.DataFrame, scan, kept_columns) -> pd.DataFrame:
    """Put Excel error values and the "formula not calculated" marker into the cells."""
    marks = [(r, c, v) for r, c, v in scan.errors]
    marks += [(r, c, schema.FORMULA_NOT_CALCULATED) for r, c in scan.uncached_formulas]
    if not marks:
        return frame
    remap = {c: i for i, c in enumerate(kept_columns)} if kept_columns is not None else None
    needed_rows = max(r for r, _, _ in marks) + 1
    if remap is None:
        needed_cols = max(c for _, c, _ in marks) + 1
        if needed_cols > frame.shape[1] or needed_rows > frame.shape[0]:
            frame = frame.reindex(index=range(max(needed_rows, frame.shape[0])),
                                  columns=range(max(needed_cols, frame.shape[1])))
    for r, c, value in marks:
        col = remap.get(c) if remap is not None else c
        if col is None or r >= frame.shape[0]:
            continue
        frame.iat[r, col] = value
    return frame


def _fill_merges(frame: pd.DataFrame, merges: list[tuple[int, int, int, int]]) -> pd.DataFrame:
    """Fill each merged range with its top-left value: down a column everywhere, across only
    in the rows searched for headers (group headers over sub-headers, titles)."""
    if not merges or frame.empty:
        return frame
    nrows, ncols = frame.shape
    for r1, c1, r2, c2 in merges:
        if r1 >= nrows or c1 >= ncols:
            continue
        r2, c2 = min(r2, nrows - 1), min(c2, ncols - 1)
        if r1 >= HEADER_SEARCH_ROWS:
            c2 = c1
        value = frame.iat[r1, c1]
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            continue
        frame.iloc[r1:r2 + 1, c1:c2 + 1] = value
    return frame


def _as_text(column: pd.Series, controls: np.ndarray | None = None,
             plain: bool = False) -> pd.Series:
    """One sheet column → clean text; empty cells → NaN. Dates keep ISO text. ``plain``: the
    reader found no cell to clean in the column."""
    if plain and column.dtype == "str":
        return column
    return parsing.clean_text(column, controls)


def _sheet_candidates(raw: RawSheet, profile: ExportProfile | None = None
                      ) -> dict[str, tuple[int | None, set]]:
    """For each canonical sheet: the header row found in ``raw`` and the columns it maps
    (with an export profile: its headers, and the columns its derivations can build)."""
    match = profile.match_header if profile is not None else schema.match_header
    head = raw.cells.head(HEADER_SEARCH_ROWS).fillna("").to_numpy().tolist()
    out = {}
    for sheet_name in schema.SHEETS:
        idx = _find_header_row(head, (sheet_name,), match)
        found = set() if idx is None else {match(sheet_name, h)[0] for h in head[idx]}
        found.discard(None)
        if profile is not None and idx is not None:
            found |= profile.derivable(sheet_name, head[idx], found)
        out[sheet_name] = (idx, found)
    return out


def _assign_sheets(raw_sheets: list[RawSheet], name: str, issues: list[dict],
                   profile: ExportProfile | None = None) -> dict:
    """Which workbook sheets are loans (every visible qualifying sheet), inspections,
    collections, branches (one each). An export profile adds sheet names and headers."""
    sheet_for_name = profile.sheet_for_name if profile is not None else schema.sheet_for_name
    qualified: dict[str, list[tuple[int, RawSheet]]] = {s: [] for s in schema.SHEETS}
    named_without_columns: list[RawSheet] = []
    for raw in raw_sheets:
        candidates = _sheet_candidates(raw, profile)
        canonical = sheet_for_name(raw.name)
        if canonical is not None:
            idx, found = candidates[canonical]
            if set(schema.SHEETS[canonical].required) <= found or (
                    canonical != "loans" and idx is not None and found):
                qualified[canonical].append((2, raw))
                continue
            if canonical == "loans":
                named_without_columns.append(raw)
                continue
        best, best_score = None, 0
        for sheet_name, (idx, found) in candidates.items():
            if idx is None:
                continue
            if set(schema.SHEETS[sheet_name].required) <= found and len(found) > best_score:
                best, best_score = sheet_name, len(found)
        if best is not None:
            qualified[best].append((1, raw))
    assigned: dict[str, list[RawSheet]] = {}
    for sheet_name, entries in qualified.items():
        if not entries:
            continue
        visible = [e for e in entries if not e[1].hidden]
        chosen = visible or entries
        for _, raw in entries:
            if raw.hidden and visible:
                issues.append(_issue("info", raw.name, None, None, None,
                                     "隐藏的工作表未读取(已有可见的同类工作表)"
                                     " / hidden sheet skipped: a visible sheet of the same kind"
                                     " was read"))
        if sheet_name == "loans":
            assigned[sheet_name] = [raw for _, raw in chosen]
        else:
            top = max(chosen, key=lambda e: e[0])[1]
            assigned[sheet_name] = [top]
            for _, raw in chosen:
                if raw is not top:
                    issues.append(_issue("warning", raw.name, None, None, None,
                                         f"已有工作表「{top.name}」作为{schema.SHEETS[sheet_name].zh},"
                                         f"此表未读取 / sheet not read: '{top.name}' is used as"
                                         f" {sheet_name}"))
        for raw in assigned[sheet_name]:
            if sheet_for_name(raw.name) != sheet_name:
                issues.append(_issue("info", raw.name, None, None, None,
                                     f"工作表「{raw.name}」按列识别为{schema.SHEETS[sheet_name].zh}"
                                     f" / sheet '{raw.name}' recognised as {sheet_name} by its"
                                     " columns"))
    if "loans" not in assigned:
        if len(named_without_columns) == 1 and len(raw_sheets) == 1:
            assigned["loans"] = named_without_columns  # canonicalise names what is missing
            return assigned
        found = "; ".join(_sheet_summary(raw, profile) for raw in raw_sheets) \
            or "(无工作表 / no sheets)"
        raise ExtractError(
            f"文件 {name} 中找不到贷款台账工作表。工作表应命名为「贷款台账」「借据明细」或 loans,"
            f"或至少包含必填列 {_required_list('loans')}。找到的工作表及表头:{found}"
            f" / No loans sheet in {name}: name it 贷款台账, 借据明细 or loans, or give it the"
            f" required columns. Sheets and headers found: {found}",
            source_name=name, problem="no_loans_sheet",
        )
    return assigned


#: Headers of a report of counts and sums by category (户数, 笔数, 金额, 占比): with two of them and
#: no loan id, a sheet is a summary report, not the loan-level detail (借据明细) the checks need
#: (``shared/domain.md``, "Real exports": a branch NPL-structure report).
SUMMARY_REPORT_HEADERS: tuple[str, ...] = ("户数", "笔数", "金额", "占比", "比例", "比重")
SUMMARY_REPORT_MIN_HEADERS = 2
#: Headers shown per sheet in a "no loans sheet" message.
PREVIEW_HEADERS = 20
SUMMARY_REPORT_ADVICE_ZH = ("这是汇总报表(按类别统计的户数、笔数、金额、占比),不是逐笔贷款明细;"
                            "请从信贷系统导出借据明细(每笔贷款一行)")
SUMMARY_REPORT_ADVICE_EN = ("this is a summary report (counts and sums by category), not"
                            " loan-level data: export the loan-level detail (借据明细) instead")
SUMMARY_REPORT_ADVICE = f"{SUMMARY_REPORT_ADVICE_ZH} / {SUMMARY_REPORT_ADVICE_EN}"


def is_summary_report(headers: list, recognised: set) -> bool:
    """True for a header row of counts and sums by category without a loan id column."""
    if "loan_id" in recognised:
        return False
    keys = [schema.split_header(h)[0] for h in headers if str(h).strip()]
    hits = sum(any(word in key for word in SUMMARY_REPORT_HEADERS) for key in keys)
    return hits >= SUMMARY_REPORT_MIN_HEADERS


def _sheet_summary(raw: RawSheet, profile: ExportProfile | None = None) -> str:
    """One sheet of a "no loans sheet" message: its best candidate header row (never a blank
    or title row), the required loan columns it lacks (an export profile's headers and
    derivations count), and whether it is a summary report."""
    match = profile.match_header if profile is not None else schema.match_header
    head = raw.cells.head(HEADER_SEARCH_ROWS).fillna("").to_numpy().tolist()
    hidden = "(隐藏 / hidden)" if raw.hidden else ""
    idx, _ = best_candidate_row(head, "loans", match)
    if idx is None:
        return f"「{raw.name}」{hidden}:空工作表 / empty sheet"
    headers = [str(h).strip() for h in head[idx] if str(h).strip()]
    recognised = {match("loans", h)[0] for h in headers} - {None}
    if profile is not None:
        recognised |= profile.derivable("loans", headers, recognised)
    missing = [c for c in schema.SHEETS["loans"].required if c not in recognised]
    text = (f"「{raw.name}」{hidden}第 {raw.first_row + idx} 行表头:"
            + "、".join(headers[:PREVIEW_HEADERS])
            + (" …" if len(headers) > PREVIEW_HEADERS else ""))
    if missing:
        sheet = schema.SHEETS["loans"]
        text += ",缺少必填列 " + "、".join(f"{sheet.column_index[c].zh}({c})" for c in missing)
    if is_summary_report(headers, recognised):
        text += "," + SUMMARY_REPORT_ADVICE
    return text


def _required_list(sheet: str) -> str:
    sheet_def = schema.SHEETS[sheet]
    return "、".join(f"{sheet_def.column_index[c].zh}({c})" for c in sheet_def.required)


# =========================================================================== header


def _find_header_row(rows: list[list], sheets: tuple[str, ...],
                     match=schema.match_header) -> int | None:
    """Index of the row with the most recognised headers (at least two), or None.

    ``match`` maps a header to its canonical column (an export profile's, or the built-in one).
    """
    best_idx, best = None, 1
    for idx, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for sheet in sheets:
            matched = {match(sheet, cell)[0] for cell in row if str(cell).strip()}
            matched.discard(None)
            if len(matched) > best:
                best_idx, best = idx, len(matched)
    return best_idx


def best_candidate_row(rows: list[list], sheet: str, match=schema.match_header
                       ) -> tuple[int | None, int]:
    """The row most like a header of ``sheet`` and how many of its cells are recognised.

    The row with the most recognised headers wins; with none recognised, the row with the
    most text (non-number) cells, so a blank row or a data row is never offered as "the
    header found". ``(None, 0)`` when every searched row is blank.
    """
    best_idx, best = None, (0, 0)
    for idx, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [str(c).strip() for c in row if str(c).strip() and str(c) != "nan"]
        if not cells:
            continue
        recognised = len({match(sheet, c)[0] for c in cells} - {None})
        texts = sum(not _NUMBER_RE.match(c) for c in cells)
        if (recognised, texts) > best:
            best_idx, best = idx, (recognised, texts)
    return best_idx, best[0]


_NUMBER_RE = re.compile(r"^[-+]?[\d,.%]+$")


# =========================================================================== canonical form


class _Builder:
    """Accumulates rejected rows, issues and accounting while sheets are canonicalised."""

    def __init__(self, source_name: str, issues: list[dict],
                 profile: ExportProfile | None = None) -> None:
        self.source_name = source_name
        self.issues = issues
        self.profile = profile
        self.match = profile.match_header if profile is not None else schema.match_header
        self.pending_days: dict[str, list[tuple[str, str]]] = {}
        self.rejected: list[pd.DataFrame] = []
        self.accounting: list[dict] = []

    # ------------------------------------------------------------------ outputs

    def rejected_frame(self) -> pd.DataFrame:
        if not self.rejected:
            return pd.DataFrame({c: pd.Series(dtype="str") for c in REJECTED_COLUMNS}).astype(
                {"row": "int64"})
        out = pd.concat(self.rejected, ignore_index=True)
        return out.sort_values(["sheet", "row"], kind="stable").reset_index(drop=True)

    def issues_frame(self) -> pd.DataFrame:
        frames = [pd.DataFrame(self.issues, columns=ISSUE_COLUMNS)]
        for rej in self.rejected:
            frames.append(pd.DataFrame({
                "severity": "error", "sheet": rej["sheet"], "row": rej["row"],
                "column": rej["column"], "value": rej["value"],
                "message": "该行已拒绝:" + rej["reason"],
            }))
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=ISSUE_COLUMNS)
        out = pd.concat(frames, ignore_index=True)
        out["row"] = out["row"].astype("Int64")
        return out

    # ------------------------------------------------------------------ the work

    def canonicalise(self, sheet: schema.Sheet, raw: RawSheet) -> tuple[pd.DataFrame, list[str]]:
        cells = raw.cells
        head = cells.head(HEADER_SEARCH_ROWS + 1).fillna("").to_numpy().tolist()
        header_idx = _find_header_row(head, (sheet.name,), self.match)
        searched = min(len(head), HEADER_SEARCH_ROWS)
        no_header = header_idx is None
        if header_idx is None:
            # No row with two known headers: the best candidate (never a blank row) is what
            # the missing-columns message shows.
            header_idx = best_candidate_row(head, sheet.name, self.match)[0] or 0
        headers = [schema.INVISIBLE_RE.sub("", str(h)) for h in (head[header_idx] if head else [])]
        sub_rows = self._sub_header_rows(sheet, headers, head, header_idx, self.match)
        if sub_rows:
            lower = head[header_idx + 1]
            for j, cell in enumerate(lower):
                if j < len(headers) and self.match(sheet.name, cell)[0] is not None:
                    headers[j] = schema.INVISIBLE_RE.sub("", str(cell))
        titles = [" ".join(str(c) for c in row if str(c)) for row in head[:header_idx]]
        where = self._where(raw)

        mapping, units = self._map_headers(sheet, headers, raw.name, raw.first_row + header_idx)
        derived = self._derivation_sources(sheet, headers, mapping, raw)
        missing = [c for c in sheet.required if c not in mapping and c not in derived]
        if missing:
            self._raise_missing(sheet, raw, headers, missing, where,
                                searched if no_header else None, raw.first_row + header_idx)
        units = self._profile_units(sheet, headers, mapping, units, raw.name)
        units = self._resolve_units(sheet, headers, mapping, units, titles, raw)

        body_start = header_idx + 1 + sub_rows
        body = cells.iloc[body_start:].reset_index(drop=True)
        # A sheet is canonicalised once: drop the sheet's own reference so that each raw
        # column is freed as soon as its cleaned text exists (peak memory: one copy + a column).
        del cells
        raw.cells = None
        body_rows = len(body)
        rows = np.arange(body_rows, dtype="int64") + raw.first_row + body_start
        used = sorted({0, *(p for positions in mapping.values() for p in positions),
                       *(p for _, p in derived.values() if isinstance(p, int))}
                      & set(body.columns))
        blank = _blank_rows(body)
        body = body[used]
        # One counter of cells with control characters per column (the columns are cleaned
        # in threads), None when the bytes hold none.
        counters = [np.zeros(1, dtype=np.int64) if raw.may_hold_controls else None
                    for _ in used]
        text = pd.DataFrame(
            dict(zip(used, map_columns(lambda job: _as_text(*job), (
                (body.pop(p), counter, p in raw.plain_columns)
                for p, counter in zip(used, counters, strict=True))), strict=True)),
            index=pd.RangeIndex(body_rows))
        del body
        controls = sum(int(c[0]) for c in counters if c is not None)
        if controls:
            self.issues.append(_issue(
                "warning", raw.name, None, None, None,
                f"已从 {controls} 个单元格中删除控制字符或不可见字符(如 NUL、零宽空格)"
                f" / control or invisible characters (NUL, zero-width space …) removed from"
                f" {controls} cells"))
        self._merge_notes(raw, body_start)
        summary, reasons = self._summary_rows(sheet, text, mapping, headers, blank)
        data_mask = ~blank & ~summary
        if not data_mask.any() and sheet.name == "loans":
            raise ExtractError(
                f"{where}只有表头,没有数据行(表头在第 {raw.first_row + header_idx} 行)。"
                f"请确认导出时选择了数据范围。 / {self._where_en(raw)} has a header row (row"
                f" {raw.first_row + header_idx}) but no data rows.",
                source_name=self.source_name, sheet=raw.name, problem="no_data_rows",
            )
        if not data_mask.any():
            self.issues.append(_issue(
                "info", raw.name, None, None, None,
                f"{sheet.zh}只有表头,没有数据行:按本期没有记录处理"
                f" / the {sheet.name} sheet has a header and no data rows: read as empty"))
        for row_no, reason in zip(rows[summary], reasons[summary], strict=True):
            self.issues.append(_issue("info", raw.name, int(row_no), None, None, reason))
        if blank.any():
            self.issues.append(_issue(
                "info", raw.name, None, None, None,
                f"跳过空行 {int(blank.sum())} 行 / skipped {int(blank.sum())} blank rows: "
                + ", ".join(str(r) for r in rows[blank][:20])
                + (" …" if blank.sum() > 20 else ""),
            ))

        data = _select_rows(text, data_mask)
        del text  # ``data`` alone holds the cells now: _parse_columns frees them as it goes
        rows = rows[data_mask]
        cell_errors: dict = {}
        if raw.may_hold_errors:
            data, cell_errors = self._cell_errors(sheet, data, mapping, headers, raw.name, rows)
        data, mapping, after = self._apply_profile(sheet, data, mapping, derived, raw.name, rows)
        frame, problems = self._parse_columns(sheet, data, mapping, units, raw.name, rows)
        del data
        for column, values in after.items():
            frame[column] = values
        reject = self._row_rules(sheet, frame, problems, raw.name, rows, cell_errors)
        if raw.bad_rows:
            bad = np.isin(rows, np.fromiter(raw.bad_rows, dtype="int64"))
            if bad.any():
                # The line cannot be trusted: its own reason replaces the per-column ones.
                reject = [r[~r["row"].isin(rows[bad])] for r in reject]
                reject.append(pd.DataFrame({
                    "sheet": raw.name, "row": rows[bad], "column": "",
                    "value": "", "reason": [raw.bad_rows[int(r)] for r in rows[bad]]}))
        rejected_rows = np.zeros(len(frame), dtype=bool)
        if reject:
            rej = pd.concat(reject, ignore_index=True)
            self.rejected.append(rej)
            rejected_rows = np.isin(rows, rej["row"].to_numpy())
        frame["source_row"] = rows
        if sheet.name == "loans" and "secured" not in frame.columns:
            self.issues.append(_issue(
                "warning", raw.name, None, "guarantee_type", None,
                "文件没有担保方式(guarantee_type)列:需要担保方式的检查规则列为未执行,督导抽样无法按"
                "保证/抵质押配额抽取。若文件有担保信息,请在导出配置中写明,如 [headers.loans]"
                " \"担保方式列名\" = \"guarantee_type\",或 [derive.loans] secured = { nonblank ="
                " \"担保人证件号码\" }"
                " / no guarantee_type column: the rules that need it are not run and sampling"
                " cannot meet the secured quota; map it in the export profile ([headers.loans] or"
                " [derive.loans] secured = { nonblank = ... })"))
        kept = _select_rows(frame, ~rejected_rows)
        self.accounting.append({
            "sheet": sheet.name, "source_sheet": raw.name,
            "rows_read": int(body_rows - blank.sum()), "kept": int(len(kept)),
            "rejected": int(rejected_rows.sum()), "summary_rows": int(summary.sum()),
            "blank_rows": int(blank.sum()),
        })
        return kept, titles

    def drop_cross_sheet_duplicates(self, loans: pd.DataFrame) -> pd.DataFrame:
        """Reject a loan id already kept from an earlier sheet (one sheet per branch)."""
        dup = parsing.duplicated_ids(loans["loan_id"])
        if not dup.any():
            return loans
        first = loans.groupby("loan_id", sort=False)[["source_sheet", "source_row"]].transform(
            "first")
        where = ("借据号重复,与工作表「" + first["source_sheet"] + "」第 "
                 + first["source_row"].astype("str") + " 行相同 / duplicate loan_id, first seen"
                 " in sheet " + first["source_sheet"] + " row " + first["source_row"].astype("str"))
        rej = pd.DataFrame({
            "sheet": loans.loc[dup, "source_sheet"].to_numpy(),
            "row": loans.loc[dup, "source_row"].to_numpy(),
            "column": "loan_id", "value": loans.loc[dup, "loan_id"].to_numpy(),
            "reason": where[dup].to_numpy()})
        self.rejected.append(rej)
        per_sheet = rej["sheet"].value_counts()
        for rec in self.accounting:
            if rec["sheet"] == "loans" and rec["source_sheet"] in per_sheet:
                moved = int(per_sheet[rec["source_sheet"]])
                rec["kept"] -= moved
                rec["rejected"] += moved
        return loans.loc[~dup].reset_index(drop=True)

    # ------------------------------------------------------------------ header helpers

    @staticmethod
    def _sub_header_rows(sheet, headers, head, header_idx, match=schema.match_header) -> int:
        """1 when the row below the header is a sub-header row (two-level header), else 0.

        It is one when it holds recognised headers only where the header row has none (a
        group cell such as 期限 over 发放日期 / 到期日期) and nothing in the header's columns.
        """
        if header_idx + 1 >= len(head):
            return 0
        lower = head[header_idx + 1]
        new, clash = 0, 0
        for j, cell in enumerate(lower):
            if not str(cell).strip():
                continue
            upper = headers[j] if j < len(headers) else ""
            known_lower = match(sheet.name, cell)[0] is not None
            known_upper = match(sheet.name, upper)[0] is not None
            if known_lower and not known_upper:
                new += 1
            elif str(cell).strip() != str(upper).strip():
                clash += 1
        return 1 if new and not clash else 0

    def _resolve_units(self, sheet, headers, mapping, units, titles, raw):
        """Each mapped column's unit: its own, else the title's unit line for amounts."""
        title_unit = None
        for title in titles:
            match = schema.TITLE_UNIT_RE.search(unicodedata_nfkc(title))
            if match:
                title_unit = schema.UNIT_SPELLINGS[match.group(1)]
                break
        out = dict(units)
        for name, positions in mapping.items():
            col = sheet.column_index[name]
            pos = positions[0]
            own = units.get(pos)
            allowed = (tuple(schema.AMOUNT_UNITS) if col.kind == "amount"
                       else schema.UNITS_BY_COLUMN.get(name, ()))
            if own is not None and col.kind in ("amount", "int") and own not in allowed:
                raise ExtractError(
                    f"{self._where(raw)}的列「{headers[pos]}」({col.zh})标注的单位「{own}」不适用于该列"
                    f"(可用单位:{'、'.join(allowed) or '无'})。请改正表头后重试。"
                    f" / {self._where_en(raw)}: column '{headers[pos]}' ({name}) carries the unit"
                    f" '{own}', which it cannot take (allowed: {', '.join(allowed) or 'none'}).",
                    source_name=self.source_name, sheet=raw.name, problem="bad_unit",
                    details={"column": name, "header": headers[pos], "unit": own},
                )
            if col.kind != "amount" or title_unit is None:
                continue
            if own is None:
                out[pos] = title_unit
                if title_unit != "元":
                    self.issues.append(_issue(
                        "info", raw.name, None, name, title_unit,
                        f"列「{headers[pos]}」没有标注单位,按标题行的“单位:{title_unit}”读取"
                        f" / column '{headers[pos]}' has no unit of its own; the title's unit"
                        f" line ({title_unit}) applies"))
            elif own != title_unit:
                self.issues.append(_issue(
                    "warning", raw.name, None, name, own,
                    f"列「{headers[pos]}」的单位({own})与标题行的单位({title_unit})不一致,"
                    f"按列自身的单位({own})读取 / column '{headers[pos]}' says {own}, the title"
                    f" says {title_unit}; the column's own unit is used"))
        return out

    def _merge_notes(self, raw: RawSheet, body_start: int) -> None:
        for r1, c1, r2, c2 in raw.merges:
            if r2 > r1 and r2 >= body_start and c1 == c2 or (r2 > r1 and r1 >= body_start):
                ref = (f"{workbook_guard.column_letters(c1)}{r1 + 1}:"
                       f"{workbook_guard.column_letters(c2)}{r2 + 1}")
                self.issues.append(_issue(
                    "info", raw.name, r1 + 1, None, ref,
                    f"合并单元格 {ref} 的值已填入合并范围内的每一行"
                    f" / merged cells {ref}: the value was filled into every row of the merge"))

    # ------------------------------------------------------------------ rows set aside

    def _summary_rows(self, sheet, text, mapping, headers, blank):
        """Summary rows: 合计/小计 lines, sign-off lines below the data, repeated headers and
        the title row above a repeated header. Returns the mask and a reason per row."""
        n = len(text)
        reasons = np.full(n, "", dtype=object)
        mask = self._summary_mask(text, mapping) & ~blank
        reasons[mask] = ("合计/小计行,已单独列出,未作为贷款读取"
                         " / summary row set aside, not read as a loan")
        # Repeated header rows (two exports pasted together): cells that read as this
        # column's own header (the same text, or an accepted alias of the same column). A
        # repeated header repeats the first required column's header, so only those rows are
        # compared column by column.
        def header_names(name: str, pos: int) -> set:
            return {str(headers[pos]).strip(), *schema.accepted_headers(sheet.name, name)}

        matched = np.zeros(n, dtype=np.int64)
        key = sheet.required[0]
        key_pos = mapping[key][0]
        if key_pos in text.columns and key_pos < len(headers):
            names = header_names(key, key_pos)
            if kernels.lengths_outside(text[key_pos], names):
                candidates = np.zeros(0, dtype=np.int64)  # no cell as long as a header name
            else:
                candidates = np.flatnonzero(text[key_pos].isin(names).to_numpy(dtype=bool))
            for name, positions in mapping.items():
                pos = positions[0]
                if not len(candidates) or pos not in text.columns or pos >= len(headers):
                    continue
                hit = text[pos].iloc[candidates].isin(header_names(name, pos))
                matched[candidates] += hit.to_numpy(dtype=np.int64)
        repeated = (matched >= 2) & ~blank & ~mask
        reasons[repeated] = ("重复的表头行(多个导出文件拼接),已单独列出"
                             " / repeated header row (exports pasted together) set aside")
        mask |= repeated
        # The title row above a repeated header: one non-empty cell, directly above.
        for idx in np.flatnonzero(repeated):
            above = idx - 1
            while above >= 0 and blank[above]:
                above -= 1
            if above >= 0 and not mask[above] and int(text.iloc[above].notna().sum()) == 1:
                mask[above] = True
                reasons[above] = ("重复表头上方的标题行,已单独列出"
                                  " / title row above a repeated header set aside")
        # Rows whose only content is in columns the loader does not read (a note far right).
        candidates = np.flatnonzero(~blank & ~mask)
        for position in text.columns:  # column-wise, on the shrinking set of candidate rows
            if not len(candidates):
                break
            # The column's blanks read off its validity (no copy of the cells), then indexed.
            candidates = candidates[text[position].isna().to_numpy(dtype=bool)[candidates]]
        unmapped_only = np.zeros(n, dtype=bool)
        unmapped_only[candidates] = True
        reasons[unmapped_only] = ("该行只在未识别的列中有内容(如备注),没有贷款数据,已单独列出"
                                  " / row with content only in unrecognised columns set aside")
        mask |= unmapped_only
        # Sign-off lines (制表人 / 复核人 / 打印时间 / 备注) below the last data row: walk back
        # from the last non-blank row while rows are sign-offs (only the trailing rows).
        signoff = re.compile("^(?:" + "|".join(schema.SIGNOFF_WORDS) + ")")
        for idx in np.flatnonzero(~blank & ~mask)[::-1]:
            row = text.iloc[int(idx)].dropna()
            if not len(row) or not signoff.match(re.sub(r"\s+", "", str(row.iloc[0]))):
                break
            mask[idx] = True
            reasons[idx] = ("表尾签字/落款行(制表人、复核人、打印时间、备注等),已单独列出"
                            " / sign-off line below the data set aside")
        return mask, reasons

    # ------------------------------------------------------------------ Excel cell errors

    def _cell_errors(self, sheet, data, mapping, headers, sheet_name, rows):
        """Excel error values (#N/A …) and uncalculated formulas in the mapped columns.

        Optional columns: the value becomes empty, with a warning (one per cell for errors, one
        per column with a count for formulas). Required columns: returned for rejection.
        """
        errors = set(schema.EXCEL_ERRORS) | {schema.FORMULA_NOT_CALCULATED}
        out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for name, positions in mapping.items():
            col = sheet.column_index[name]
            for pos in positions[:1] if name != "overdue_days" else positions:
                if pos not in data.columns:
                    continue
                column = data[pos]
                candidate = column.str.startswith("#").fillna(False).to_numpy(dtype=bool)
                if not candidate.any():
                    continue
                hit = np.zeros(len(column), dtype=bool)
                hit[candidate] = column[candidate].str.upper().isin(errors).to_numpy(dtype=bool)
                if not hit.any():
                    continue
                values = column[hit].tolist()
                formula = np.asarray([v == schema.FORMULA_NOT_CALCULATED for v in values])
                if col.required:
                    reasons = np.where(
                        formula,
                        f"公式未计算(列 {col.zh}):请在 Excel 中打开并保存该文件后重新上传"
                        f" / formula not calculated in {name}: open and save the file in Excel",
                        np.asarray([f"单元格为 Excel 错误值 {v}(列 {col.zh})"
                                    f" / Excel error value {v} in {name}" for v in values],
                                   dtype=object))
                    full = np.full(len(column), "", dtype=object)
                    full[hit] = reasons
                    shown = np.full(len(column), "", dtype=object)
                    shown[hit] = values
                    out[name] = (hit, full, shown)
                else:
                    for row_no, value in zip(rows[hit][~formula], np.asarray(values)[~formula],
                                             strict=True):
                        self.issues.append(_issue(
                            "warning", sheet_name, int(row_no), name, value,
                            f"单元格为 Excel 错误值 {value},按空值处理(列 {col.zh})"
                            f" / Excel error value {value} in {name}, treated as empty"))
                    if formula.any():
                        self.issues.append(_issue(
                            "warning", sheet_name, None, name, None,
                            f"列「{headers[pos]}」有 {int(formula.sum())} 个公式未计算(公式未计算,"
                            f"文件由程序生成且未在 Excel 中打开过),按空值处理:请在 Excel 中打开并保存该文件"
                            f" / {int(formula.sum())} formulas not calculated in {name}, treated"
                            f" as empty: open and save the file in Excel"))
                data = data.copy() if data is not None else data
                data[pos] = column.mask(hit)
        return data, out

    # ------------------------------------------------------------------ export profile

    def _derivation_sources(self, sheet: schema.Sheet, headers: list, mapping: dict,
                            raw: RawSheet) -> dict[str, tuple[profiles.Derivation, object]]:
        """Each ``[derive.<sheet>]`` target with its source: a canonical column or a position."""
        if self.profile is None:
            return {}
        out: dict[str, tuple[profiles.Derivation, object]] = {}
        keys = [schema.split_header(h)[0] if str(h).strip() else "" for h in headers]
        for rule in self.profile.derive.get(sheet.name, ()):
            line = f"第 {rule.line} 行" if rule.line else ""
            line_en = f" line {rule.line}" if rule.line else ""
            if rule.form == "copy":
                if rule.argument not in mapping:
                    raise ExtractError(
                        f"导出配置「{self.profile.name}」{line}要求 {rule.target} 复制自"
                        f" {rule.argument},但{self._where(raw)}没有 {rule.argument} 列。"
                        f"请在 [headers.{sheet.name}] 中写明哪一列是 {rule.argument}。"
                        f" / export profile '{self.profile.name}'{line_en} copies {rule.target}"
                        f" from {rule.argument}, but {self._where_en(raw)} has no"
                        f" {rule.argument} column; map it in [headers.{sheet.name}].",
                        source_name=self.source_name, sheet=raw.name, problem="missing_columns",
                        details={"missing": [rule.argument]})
                out[rule.target] = (rule, rule.argument)
                continue
            wanted = schema.split_header(rule.argument)[0]
            if wanted not in keys:
                found = "、".join(f"「{h}」" for h in headers if str(h).strip()) or "(无 / none)"
                raise ExtractError(
                    f"导出配置「{self.profile.name}」{line}要求由「{rule.argument}」列生成"
                    f" {rule.target}({rule.form}),但{self._where(raw)}没有这一列。读到的表头:"
                    f"{found}。 / export profile '{self.profile.name}'{line_en} builds"
                    f" {rule.target} from the column '{rule.argument}' ({rule.form}), which"
                    f" {self._where_en(raw)} does not have. Headers found: {found}.",
                    source_name=self.source_name, sheet=raw.name, problem="missing_columns",
                    details={"missing": [rule.argument]})
            out[rule.target] = (rule, keys.index(wanted))
        return out

    def _profile_units(self, sheet: schema.Sheet, headers: list, mapping: dict, units: dict,
                       sheet_name: str) -> dict:
        """``[units.<sheet>]`` for the mapped columns whose header carries no unit."""
        if self.profile is None:
            return units
        out = dict(units)
        for column, unit in self.profile.units.get(sheet.name, {}).items():
            for position in mapping.get(column, [])[:1]:
                own = units.get(position)
                if own is None:
                    out[position] = unit
                elif own != unit:
                    self.issues.append(_issue(
                        "warning", sheet_name, None, column, own,
                        f"列「{headers[position]}」的表头单位为{own},导出配置写的是{unit},按表头单位读取"
                        f" / column '{headers[position]}' says {own}, the profile says {unit};"
                        f" the header's unit is used"))
        return out

    def _apply_profile(self, sheet: schema.Sheet, data: pd.DataFrame, mapping: dict,
                       derived: dict, sheet_name: str, rows: np.ndarray):
        """Profile values and derivations on the data rows' text.

        Returns the (copied) text, the mapping including ``copy`` derivations, and the
        columns set after parsing (flags, ``negative_of`` and ``days_since`` results).
        """
        after: dict[str, object] = {}
        if self.profile is None:
            return data, mapping, after
        data = data.copy()
        mapping = dict(mapping)
        for column, positions in mapping.items():
            if column in self.profile.values and positions[0] in data.columns:
                data[positions[0]] = self.profile.map_values(column, data[positions[0]])
        for target, (rule, source) in derived.items():
            if target in mapping:
                self.issues.append(_issue(
                    "info", sheet_name, None, target, None,
                    f"{target} 按导出配置由 {rule.argument} 生成({rule.form}),文件中的同名列未采用"
                    f" / {target} is built by the profile ({rule.form} {rule.argument});"
                    f" the file's own column is not used"))
                del mapping[target]
            if rule.form == "copy":
                mapping[target] = mapping[source][:1]
                continue
            raw = data[source] if source in data.columns else pd.Series(
                np.nan, index=data.index, dtype="str")
            if rule.form == "nonblank":
                after[target] = profiles.nonblank(raw)
                continue
            if rule.form == "days_since":
                values, invalid = parsing.parse_dates(raw)
                label = ("日期", "date")
            else:
                values, invalid = parsing.parse_amounts(raw)
                label = ("数字", "number")
            bad = invalid.to_numpy(dtype=bool)
            for row_no, value in zip(rows[bad], raw[bad].tolist(), strict=True):
                self.issues.append(_issue(
                    "warning", sheet_name, int(row_no), rule.argument, value,
                    f"无法识别的{label[0]}「{value}」,{target} 按空值处理(导出配置 {rule.form})"
                    f" / unparseable {label[1]} '{value}' in {rule.argument}, {target} treated"
                    f" as empty (profile {rule.form})"))
            values = values.where(~invalid)
            if rule.form == "days_since":
                self.pending_days.setdefault(sheet.name, []).append((target, rule.argument))
                after[target] = values.to_numpy()
            else:
                after[target] = profiles.negative_of(values).to_numpy()
        return data, mapping, after

    def finish_days_since(self, frames: dict, as_of) -> None:
        """Turn ``days_since`` dates into whole days to the extract date."""
        for sheet_name, targets in self.pending_days.items():
            frame = frames.get(sheet_name)
            if frame is None:
                continue
            for target, argument in targets:
                if as_of is None:
                    raise ExtractError(
                        f"导出配置「{self.profile.name}」由「{argument}」计算 {target},需要数据日期,"
                        f"但文件标题和文件名中都没有日期。请指定数据日期(命令行 --as-of YYYY-MM-DD)。"
                        f" / export profile '{self.profile.name}' computes {target} from"
                        f" '{argument}' and needs the extract date, which neither a title row"
                        f" nor the file name gives: pass as_of (--as-of YYYY-MM-DD).",
                        source_name=self.source_name, problem="no_as_of")
                frame[target] = profiles.days_since(
                    pd.Series(frame[target], dtype="datetime64[ns]"), as_of).to_numpy()

    def _where(self, raw: RawSheet) -> str:
        if raw.is_text:
            return f"文件 {self.source_name} "
        return f"文件 {self.source_name} 的工作表「{raw.name}」"

    def _where_en(self, raw: RawSheet) -> str:
        if raw.is_text:
            return f"file {self.source_name}"
        return f"sheet '{raw.name}' of {self.source_name}"

    def _map_headers(self, sheet: schema.Sheet, headers: list, sheet_name: str, header_row: int):
        mapping: dict[str, list[int]] = {}
        units: dict[int, str | None] = {}
        for j, header in enumerate(headers):
            if not str(header).strip():
                continue
            canonical, unit = self.match(sheet.name, header)
            if canonical is None:
                self.issues.append(_issue("info", sheet_name, header_row, str(header), None,
                                          f"未识别的列「{header}」,已忽略"
                                          f" / unrecognised column '{header}' ignored"))
                continue
            units[j] = unit
            mapping.setdefault(canonical, []).append(j)
        for canonical, positions in mapping.items():
            if len(positions) > 1 and canonical != "overdue_days":
                used, *ignored = positions
                names = "、".join(f"「{headers[p]}」" for p in ignored)
                self.issues.append(_issue(
                    "warning", sheet_name, header_row, canonical, None,
                    f"列 {names} 与「{headers[used]}」都对应 {canonical},采用「{headers[used]}」"
                    f" / several columns map to {canonical}; the first one is used"))
        return mapping, units

    def _raise_missing(self, sheet, raw, headers, missing, where, searched=None,
                       header_row=None):
        found = "、".join(f"「{h}」" for h in headers if str(h).strip()) or "(无 / none)"
        recognised = {self.match(sheet.name, h)[0] for h in headers if str(h).strip()}
        if searched is not None:
            found += (f"(在前 {searched} 行中没有找到表头行 / no header row found in the first"
                      f" {searched} rows searched)(以上是最接近表头的第 {header_row} 行 / the"
                      f" closest is row {header_row})")
        elif header_row is not None:
            found += f"(表头在第 {header_row} 行 / header row {header_row})"
        advice = advice_en = ""
        if sheet.name == "loans" and is_summary_report(headers, recognised):
            advice = SUMMARY_REPORT_ADVICE_ZH + "。"
            advice_en = " " + SUMMARY_REPORT_ADVICE_EN + "."
        wanted = ";".join(
            f"{sheet.column_index[c].zh}({c}),可用列名 / accepted: "
            + "、".join(schema.accepted_headers(sheet.name, c))
            for c in missing
        )
        raise ExtractError(
            f"{where}缺少必填列:{wanted}。读到的表头:{found}。{advice}"
            f"请在导出模板中加上这些列,把列名改为可识别的名称,或在导出配置中写明(见 docs/export-profiles.md)。"
            f" / {self._where_en(raw)} is missing required column(s)"
            f" {', '.join(missing)}. Headers found: {found}.{advice_en}",
            source_name=self.source_name, sheet=raw.name, problem="missing_columns",
            details={"missing": missing, "headers": [str(h) for h in headers]},
        )

    @staticmethod
    def _summary_mask(body: pd.DataFrame, mapping: dict[str, list[int]]) -> np.ndarray:
        """Rows with 合计/总计/小计 anywhere in the first column or an id/branch cell (at the end
        of a name cell), or a cell starting with 本页合计/累计/其中/Subtotal/Total."""
        anywhere = {0}
        for col in ("loan_id", "borrower_id", "branch"):
            anywhere.update(mapping.get(col, [])[:1])
        names = set(mapping.get("borrower_name", [])[:1]) - anywhere
        mask = np.zeros(len(body), dtype=bool)
        words = "|".join(schema.SUMMARY_WORDS)
        prefixes = "|".join(schema.SUMMARY_PREFIXES)
        patterns = {
            "anywhere": f"(?:{words})|^\\s*(?i:{prefixes})",
            "name": f"(?:{words})\\s*$|^\\s*(?i:{prefixes})",
        }

        def rows_of(pos: int) -> np.ndarray:
            column = body[pos]
            text = kernels.arrow_text(column)
            # The cells holding 计, 其中, t or T, found in the column's bytes; or, when the
            # storage is not pyarrow's or such cells are many, one pass of a short pattern
            # (RE2 on the whole column). The full pattern then only sees the candidates.
            candidate = None if text is None else kernels.needle_cells(text, _SUMMARY_NEEDLES)
            if candidate is None:
                candidate = column.str.contains("计|其中|(?i:otal)", regex=True).fillna(
                    False).to_numpy(dtype=bool)
            if not candidate.any():
                return candidate
            pattern = patterns["name" if pos in names else "anywhere"]
            hit = column[candidate].str.contains(pattern, regex=True).fillna(False)
            rows = np.zeros(len(candidate), dtype=bool)
            rows[candidate] = hit.to_numpy(dtype=bool)
            return rows

        # The columns are tested in threads (RE2 releases the GIL); the union is order-free.
        positions = [pos for pos in sorted(anywhere | names)
                     if pos < body.shape[1] or pos in body.columns]
        for hit in map_columns(rows_of, positions):
            mask |= hit
        return mask

    def _parse_columns(self, sheet, data, mapping, units, sheet_name, rows):
        """Parse every mapped column; return the canonical frame and the problem masks.

        ``data`` is consumed: each text column is dropped from it once the last canonical
        column reading it is parsed, and a column's raw text is kept (in the problems) only
        when a row rule or a warning needs it (required columns, or a cell that did not
        parse), so the text and the parsed frame are not held side by side in full.
        """
        out: dict[str, pd.Series] = {}
        # column -> (invalid, raw text or None when nothing needs it)
        problems: dict[str, tuple[pd.Series, pd.Series | None]] = {}
        needs_raw = {c.name for c in sheet.columns if c.required} | set(
            _REQUIRED_WHEN_PRESENT.get(sheet.name, ()))
        parsed = [c for c in sheet.columns if c.name in mapping]
        last_use = {p: i for i, c in enumerate(parsed) for p in mapping[c.name]}

        def done(i: int, col) -> None:
            for p in mapping[col.name]:
                if last_use.get(p) == i and p in data.columns:
                    del data[p]
            invalid, raw = problems[col.name]
            if col.name not in needs_raw and not invalid.any():
                problems[col.name] = (invalid, None)

        def column_text(position) -> pd.Series:
            return data[position] if position in data.columns else pd.Series(
                np.nan, index=data.index, dtype="str")

        # Each column is parsed on its own, in threads (ingest/threads.py); its values, its
        # notes and the freeing of its text are taken in column order.
        jobs = ((col, mapping[col.name], column_text(mapping[col.name][0]),
                 [data[extra] for extra in mapping[col.name][1:]]) for col in parsed)
        results = map_columns(lambda job: self._parse_column(*job, units, sheet_name), jobs)
        for i, (col, (values, invalid, raw, notes)) in enumerate(
                zip(parsed, results, strict=True)):
            out.update(values)
            self.issues.extend(notes)
            problems[col.name] = (invalid, raw)
            done(i, col)
        frame = pd.DataFrame(out, copy=False)  # the parsed columns are new: no copy
        for name, (invalid, raw) in problems.items():
            col = sheet.column_index[name]
            if col.required or name in _REQUIRED_WHEN_PRESENT.get(sheet.name, ()) \
                    or not invalid.any():
                continue
            bad = invalid.to_numpy(dtype=bool)
            label = _KIND_LABEL.get(col.kind.split(":")[0], ("值", "value"))
            for row_no, value in zip(rows[bad], raw[bad].tolist(), strict=True):
                self.issues.append(_issue(
                    "warning", sheet_name, int(row_no), name, value,
                    f"无法识别的{label[0]}「{value}」,按空值处理(列 {col.zh})"
                    f" / unparseable {label[1]} '{value}' in {name}, treated as empty"))
        return frame, problems

    def _parse_column(self, col, positions, raw, extras, units, sheet_name):
        """One mapped column's text → ``(values, invalid, raw, notes)``.

        ``values`` maps canonical column names to their parsed Series (a guarantee column also
        gives ``secured``, a duration in days also ``extension_days``); ``raw`` is the text
        that the warnings quote; ``notes`` are the issues to record. Reads nothing but its
        arguments, so that columns can be parsed in threads.
        """
        kind = col.kind
        notes: list[dict] = []
        values: dict[str, pd.Series] = {}
        if kind in ("id",):
            parsed, invalid = parsing.parse_ids(raw)
        elif kind == "currency":
            parsed, invalid = parsing.parse_currency(raw)
        elif kind == "text":
            parsed, invalid = raw, pd.Series(False, index=raw.index)
        elif kind == "amount":
            factor = schema.AMOUNT_UNITS.get(units.get(positions[0]) or "元", 1.0)
            parsed, invalid = parsing.parse_amounts(raw, factor)
            if factor != 1.0:
                notes.append(_issue(
                    "info", sheet_name, None, col.name, units.get(positions[0]),
                    f"列 {col.zh} 的单位为{units.get(positions[0])},已换算为元"
                    f" / {col.name} converted from {units.get(positions[0])} to yuan"))
        elif kind == "date":
            parsed, invalid = parsing.parse_dates(raw)
        elif kind == "int" and units.get(positions[0]) in ("天", "年") and (
                col.name == "extension_months"):
            parsed, invalid = self._duration_months(col, raw, units.get(positions[0]),
                                                    sheet_name, values, notes)
        elif kind == "int":
            parsed, invalid = parsing.parse_ints(raw)
            for extra in extras:  # 逾期天数 vs 欠息天数: the larger counts
                other, other_invalid = parsing.parse_ints(extra)
                parsed = np.maximum(parsed, other)
                invalid = invalid | other_invalid
                raw = raw.where(~other_invalid, extra)
        elif kind == "bool":
            parsed, invalid = parsing.parse_bools(raw)
        elif kind == "classification":
            parsed, invalid = parsing.parse_classification(raw)
        elif kind == "guarantee":
            parsed, invalid, secured = parsing.parse_guarantee(raw)
            values[col.name] = parsed
            values["secured"] = secured
            return values, invalid, raw, notes
        elif kind.startswith("vocab:"):
            parsed, invalid = parsing.parse_vocabulary(raw, kind.split(":", 1)[1])
        else:  # pragma: no cover - schema and parser kinds are declared together
            raise AssertionError(f"unknown column kind {kind}")
        values[col.name] = parsed
        return values, invalid, raw, notes

    def _duration_months(self, col, raw, unit, sheet_name, out, notes):
        """A duration column in days or years → whole months (days also carried exactly)."""
        if unit == "天":
            days, invalid = parsing.parse_ints(raw)
            out["extension_days"] = days
            months = np.rint(days.to_numpy() / schema.DAYS_PER_MONTH).astype("int64")
            months = np.where((days.to_numpy() > 0) & (months == 0), 1, months)
            notes.append(_issue(
                "info", sheet_name, None, col.name, unit,
                f"列 {col.zh} 的单位为天:原天数保留在 extension_days,按每月"
                f" {schema.DAYS_PER_MONTH} 天折合为整月(不足一个月计 1 个月)"
                f" / {col.name} is in days: the days are kept in extension_days and converted to"
                f" whole months at {schema.DAYS_PER_MONTH} days a month (at least 1)"))
            return pd.Series(months, index=raw.index), invalid
        years, invalid = parsing.parse_amounts(raw)
        months = years * 12
        bad = invalid | (months < 0) | (months.notna() & (months != np.floor(months)))
        notes.append(_issue(
            "info", sheet_name, None, col.name, unit,
            f"列 {col.zh} 的单位为年,已换算为月(× 12) / {col.name} converted from years to months"))
        return months.where(~bad).fillna(0).astype("int64"), bad

    def _row_rules(self, sheet, frame, problems, sheet_name, rows,
                   cell_errors=None) -> list[pd.DataFrame]:
        """Rows that cannot be kept: required values missing or unparseable, Excel error
        values in required columns, damaged ids, and sheet rules."""
        out: list[pd.DataFrame] = []
        cell_errors = cell_errors or {}

        def reject(mask, column, values, reason):
            mask = np.asarray(mask, dtype=bool)
            if not mask.any():
                return
            vals = pd.Series(values).reset_index(drop=True)[mask]
            out.append(pd.DataFrame({
                "sheet": sheet_name, "row": rows[mask], "column": column,
                "value": vals.astype("str").fillna("").to_numpy(),
                "reason": reason if isinstance(reason, str) else np.asarray(reason)[mask],
            }))

        for name, (hit, reasons, shown) in cell_errors.items():
            reject(hit, name, shown, reasons)
        present = [c for c in _REQUIRED_WHEN_PRESENT.get(sheet.name, ()) if c in problems]
        for name in (*sheet.required, *present):
            col = sheet.column_index[name]
            invalid, raw = problems[name]
            missing = raw.isna().to_numpy()
            if name in cell_errors:
                missing = missing & ~cell_errors[name][0]
            reject(missing, name, raw,
                   f"必填值缺失:{col.zh} / required value missing: {name}")
            label = _KIND_LABEL.get(col.kind.split(":")[0], ("值", "value"))
            bad = invalid.to_numpy() & ~missing
            if not bad.any():
                continue
            shown = raw.astype("str").fillna("")
            if col.kind == "classification":
                four = bad & profiles.is_four_tier(raw).to_numpy(dtype=bool)
                if four.any():
                    words = [w for w in profiles.FOUR_TIER_WORDS
                             if w in set(parsing.normalise_values(shown[four]))]
                    lines = profiles.four_tier_lines(words)
                    reject(four, name, raw,
                           ("「" + shown + "」是四级分类(一逾两呆:正常/逾期/呆滞/呆账)的取值,不是五级分类;"
                            "四级如何对应五级由本行确定,请在导出配置中写明:" + lines
                            + " / '" + shown + "' is on the four-tier scale (一逾两呆), not a"
                            " five-tier class; the bank decides the mapping: add the"
                            " [values.classification] lines above to the export profile"
                            ).to_numpy())
                    bad = bad & ~four
                    if not bad.any():
                        continue
            if col.kind == "id":
                reject(bad, name, raw,
                       ("编号已被 Excel 损坏(科学计数法或超过 15 位的数字已丢失位数)「" + shown
                        + f"」(列 {col.zh}):请把该列设为文本格式后重新导出"
                        f" / id damaged by Excel (scientific notation or digits lost) '" + shown
                        + f"' in {name}: export the column as text").to_numpy())
                continue
            reject(bad, name, raw,
                   (f"无法识别的{label[0]}「" + shown + f"」(列 {col.zh}){_HINTS.get(col.kind, '')}"
                    f" / unparseable {label[1]} '" + shown + f"' in {name}").to_numpy())
        if sheet.name == "loans":
            balance = frame["balance"]
            reject((balance < 0).to_numpy(), "balance", problems["balance"][1],
                   "贷款余额为负数 / negative balance")
            if "maturity_date" in frame and "disbursement_date" in frame:
                before = (frame["maturity_date"] < frame["disbursement_date"]).to_numpy()
                if before.any():  # dates are formatted only when a row is rejected
                    reject(before, "maturity_date",
                           frame["maturity_date"].dt.strftime("%Y-%m-%d"),
                           "到期日早于发放日 / maturity date before disbursement date")
            ids = frame["loan_id"]
            dup = pd.Series(parsing.duplicated_ids(ids), index=ids.index) & ids.notna()
            if dup.any():
                first_row = pd.Series(rows).groupby(ids.to_numpy(), sort=False).transform("first")
                reason = ("借据号重复,与第 " + first_row.astype("str") + " 行相同"
                          " / duplicate loan_id, first seen in row " + first_row.astype("str"))
                reject(dup.to_numpy(), "loan_id", ids, reason.to_numpy())
        return out


#: Bytes one of which every summary-row candidate ("计|其中|(?i:otal)") holds.
_SUMMARY_NEEDLES = ("计".encode(), "其中".encode(), b"t", b"T")

#: Optional columns whose values, when the column is there, must be present and readable: a
#: blank or unknown guarantee is rejected, never guessed (an absent column is a warning).
_REQUIRED_WHEN_PRESENT: dict[str, tuple[str, ...]] = {"loans": ("guarantee_type",)}

_KIND_LABEL = {
    "id": ("编号", "id"), "text": ("文本", "text"), "amount": ("金额", "amount"),
    "date": ("日期", "date"), "int": ("整数", "whole number"), "bool": ("是否标志", "yes/no flag"),
    "classification": ("五级分类", "classification"), "guarantee": ("担保方式", "guarantee type"),
    "vocab": ("代码", "code"),
}


_HINTS = {
    "classification": ",应为 正常/关注/次级/可疑/损失、代码 1–5 或子级(如 正常一级、关注3)",
    "guarantee": ",应为 信用/保证/抵押/质押 或其组合(如 抵押+保证)",
    "amount": ",应为数字金额(如 1,234.56)",
    "id": "",
}


def unicodedata_nfkc(text: str) -> str:
    """NFKC form of ``text`` (full-width colons and letters → ASCII)."""
    import unicodedata

    return unicodedata.normalize("NFKC", text)


def _currency_note(loans: pd.DataFrame, builder: _Builder) -> None:
    """Mark and count loans not in CNY: their amounts are in their own currency."""
    if "currency" not in loans:
        return
    foreign = (loans["currency"].notna() & (loans["currency"] != schema.HOME_CURRENCY)).to_numpy()
    loans["foreign_currency"] = foreign
    if not foreign.any():
        return
    counts = loans.loc[foreign, "currency"].value_counts()
    listed = "、".join(f"{code} {n} 笔" for code, n in counts.items())
    listed_en = ", ".join(f"{code} {n}" for code, n in counts.items())
    builder.issues.append(_issue(
        "warning", None, None, "currency", None,
        f"{int(foreign.sum())} 笔贷款的币种不是人民币({listed}):金额按原币读取,未折算为人民币元,"
        f"已在 foreign_currency 列标记;按元汇总时请先折算或剔除"
        f" / {int(foreign.sum())} loans are not in CNY ({listed_en}): their amounts are in"
        f" their own currency, not converted to yuan, and marked in foreign_currency"))


def _select_rows(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame[mask]`` with a fresh index; a leading run of True rows (the usual case: only
    trailing summary rows set aside) is taken as a slice instead of copying every column."""
    keep = int(mask.argmin()) if not mask.all() else len(mask)
    if not mask[keep:].any():
        return frame.iloc[:keep].reset_index(drop=True)
    return frame.loc[mask].reset_index(drop=True)


def _blank_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows with no content in any column (empty or whitespace-only cells)."""
    candidates = np.arange(len(body))
    for position in body.columns:  # column-wise, on the shrinking set of candidate rows
        if not len(candidates):
            break
        column = body[position]
        if len(candidates) < len(body):
            column = column.iloc[candidates]
        candidates = candidates[kernels.blank_cells(column)]
    blank = np.zeros(len(body), dtype=bool)
    blank[candidates] = True
    return blank


def _cross_check(frames: dict[str, pd.DataFrame | None], builder: _Builder,
                 source_sheets: dict[str, str]) -> None:
    """Warn (once per sheet) about inspection/collection rows for loans not in the ledger."""
    loans = frames["loans"]
    if loans is None:
        return
    known = pd.Index(loans["loan_id"])
    for name in ("inspections", "collections"):
        frame = frames[name]
        if frame is None or not len(frame):
            continue
        unknown = ~frame["loan_id"].isin(known)
        if unknown.any():
            ids = frame.loc[unknown, "loan_id"].drop_duplicates().head(10).tolist()
            builder.issues.append(_issue(
                "warning", source_sheets.get(name, name), None, "loan_id", None,
                f"{schema.SHEETS[name].zh}中有 {int(unknown.sum())} 行的借据号不在贷款台账中(如"
                f" {', '.join(ids)}) / {int(unknown.sum())} {name} rows refer to loans not in"
                f" the loans sheet"))


def _issue(severity, sheet, row, column, value, message) -> dict:
    return {"severity": severity, "sheet": sheet, "row": row, "column": column,
            "value": value, "message": message}


def _resolve_as_of(as_of, titles: list[str], name: str):
    if as_of is not None:
        try:
            return pd.Timestamp(as_of).date()
        except (ValueError, TypeError):
            raise ValueError(f"数据日期无效:{as_of!r},应为 YYYY-MM-DD / invalid as_of {as_of!r}:"
                             " expected YYYY-MM-DD") from None
    for text in [*titles, Path(name).stem]:
        for regex in (_TITLE_DATE_RE, _COMPACT_TITLE_DATE_RE):
            match = regex.search(str(text))
            if match:
                try:
                    return pd.Timestamp(int(match[1]), int(match[2]), int(match[3])).date()
                except ValueError:
                    continue
    return None
