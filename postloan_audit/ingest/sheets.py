"""Raw sheets (原始工作表): a source's cells as read, and which sheet is which.

A workbook (``.xlsx``/``.xlsm``, ``.xls``; an HTML table or an Excel 2003 XML Spreadsheet saved
as ``.xls``) becomes one :class:`RawSheet` per sheet: every cell as read (Python objects, text
only later, for the columns the loader maps), merged ranges filled, and, for an ``.xlsx``, the
Excel error values and uncalculated formulas that python-calamine reads as empty put back into
the cells; a sheet whose used range is absurd (a note typed into ``XFD1048576``) is read
sparsely (:mod:`~postloan_audit.ingest.xlsx_stream`) after the safety scan
(:mod:`~postloan_audit.ingest.workbook_guard`). Delimited text becomes one ``loans`` sheet
(:mod:`~postloan_audit.ingest.delimited`).

:func:`assign_sheets` then decides which sheets are the loans (every visible qualifying sheet:
one per branch is common), the inspections, the collections and the branches (one each), by
name or by columns, and refuses a workbook without a loans sheet with a summary of every
sheet's best header row (:func:`sheet_summary`), naming a summary report
(:func:`is_summary_report`) as such.

:func:`open_workbook` gives the returned-workbook readers (:mod:`~postloan_audit.ingest.returned`,
:mod:`~postloan_audit.ingest.workpapers`) the rows of named sheets, with python-calamine's
many exception types turned into one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.core.messages import (  # noqa: F401 - the advice is re-exported
    SUMMARY_REPORT_ADVICE,
    SUMMARY_REPORT_ADVICE_EN,
    SUMMARY_REPORT_ADVICE_ZH,
)
from postloan_audit.ingest import delimited, markup, workbook_guard, xlsx_stream
from postloan_audit.ingest.header import (
    HEADER_SEARCH_ROWS,
    Match,
    best_candidate_row,
    find_header_row,
    head_rows,
)
from postloan_audit.ingest.profile import ExportProfile
from postloan_audit.ingest.source import Kind
from postloan_audit.ingest.tally import Tally

MARKUP_NOTES = {
    "html": "文件内容为网页表格(HTML),已按表格读取 / the file is an HTML table; read as a sheet",
    "xml2003": "文件内容为 Excel 2003 XML 表格,已按工作簿读取"
               " / the file is an Excel 2003 XML Spreadsheet; read as a workbook",
}


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
    #: Rows of ``cells`` that span more than one spreadsheet row, with the rows they add: a
    #: text file's header cell holding a quoted line break (Alt+Enter in Excel) is one row of
    #: cells over two lines of the file. The rows after it are numbered on from its last line.
    spans: dict[int, int] = field(default_factory=dict)

    def row_number(self, position: int) -> int:
        """The spreadsheet row number (a text file's line) of the row at ``position``."""
        return self.first_row + position + sum(
            extra for at, extra in self.spans.items() if at < position)

    def row_numbers(self, start: int, count: int) -> np.ndarray:
        """The row numbers of ``count`` rows from ``position`` ``start`` on (int64)."""
        numbers = np.arange(count, dtype="int64") + self.first_row + start
        for at, extra in self.spans.items():
            numbers[max(at + 1 - start, 0):] += extra
        return numbers


# =========================================================================== reading


def read_sheets(data: bytes, name: str, kind: Kind, tally: Tally,
                profile: ExportProfile | None = None,
                text: delimited.TextOptions | None = None) -> dict[str, list[RawSheet]]:
    """The raw sheets of a source by canonical sheet (``loans``, ``inspections`` …): the
    one ``loans`` sheet of a text file, or the workbook's sheets as :func:`assign_sheets`
    assigns them."""
    if kind == "text":
        match = profile.match_header if profile is not None else schema.match_header
        return {"loans": [read_text_sheet(data, name, tally, match, text)]}
    return assign_sheets(read_workbook(data, name, kind, tally), name, tally, profile)


def read_text_sheet(data: bytes, name: str, tally: Tally, match: Match = schema.match_header,
                    text: delimited.TextOptions | None = None) -> RawSheet:
    """Delimited text as the one ``loans`` sheet (its notes, such as the encoding, noted)."""
    table = delimited.read_text_table(data, name, match, text)
    for severity, message in table.notes:
        tally.note(severity, None, None, None, None, message)
    return RawSheet(name="loans", cells=table.grid, bad_rows=table.bad_rows, is_text=True,
                    may_hold_controls=table.may_hold_controls,
                    may_hold_errors=table.may_hold_errors,
                    plain_columns=frozenset(table.plain_columns), spans=table.spans)


def read_workbook(data: bytes, name: str, kind: Kind, tally: Tally) -> list[RawSheet]:
    """Every sheet of a workbook (xlsx, xls, HTML table, XML 2003) as read, merges filled;
    a sheet whose used range is absurd is read sparsely, Excel error cells and uncalculated
    formulas are put into its cells."""
    if kind in ("html", "xml2003"):
        tables = markup.read_html(data, name) if kind == "html" else markup.read_xml2003(data, name)
        tally.note("info", None, None, None, None, MARKUP_NOTES[kind])
        out = []
        for table in tables:
            width = max((len(r) for r in table.rows), default=0)
            frame = pd.DataFrame([r + [None] * (width - len(r)) for r in table.rows],
                                 dtype=object) if width else pd.DataFrame(dtype="str")
            out.append(RawSheet(name=table.name, cells=fill_merges(frame, table.merges),
                                merges=table.merges))
        return out
    scans = workbook_guard.scan_xlsx(data, name) if kind == "xlsx" else {}
    import python_calamine

    out = []
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = {m.name: str(m.visible).endswith("Visible") for m in workbook.sheets_metadata}
        if kind == "xls":
            scans = _scan_xls(data, workbook.sheet_names, tally)
        for sheet_name in workbook.sheet_names:
            scan = scans.get(sheet_name)
            kept_columns = None
            if scan is not None and scan.rectangle > workbook_guard.MAX_RECTANGLE_CELLS:
                if workbook_guard.count_cells(data, scan) > workbook_guard.MAX_SPARSE_CELLS:
                    raise _too_large(name, sheet_name, scan)
                frame, kept_columns = xlsx_stream.read_sparse_sheet(data, scan, name)
                merges = scan.merges
                tally.note(
                    "info", sheet_name, None, None, None,
                    f"工作表的已用区域很大(到 {workbook_guard.column_letters(scan.max_col)}"
                    f"{scan.max_row + 1}),已按实际有内容的单元格读取 / the sheet's used range"
                    f" reaches {workbook_guard.column_letters(scan.max_col)}{scan.max_row + 1};"
                    " only the cells that hold content were read")
            else:
                sheet = workbook.get_sheet_by_name(sheet_name)
                rows = sheet.to_python(skip_empty_area=False)
                merges = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
                # Cells stay Python objects here; only the columns the loader maps are turned
                # into text (see columns.as_text), which matters for wide sheets.
                frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype="str")
            if scan is not None:
                frame = _overlay_cell_states(frame, scan, kept_columns)
            if kept_columns is not None:
                remap = {c: i for i, c in enumerate(kept_columns)}
                merges = [(r1, remap[c1], r2, remap.get(c2, remap[c1])) for r1, c1, r2, c2 in merges
                          if c1 in remap]
            out.append(RawSheet(name=sheet_name, cells=fill_merges(frame, merges),
                                merges=merges, hidden=not visible.get(sheet_name, True)))
    except ExtractError:
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises unrelated types and panics
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise ExtractError.from_facts(Problem.UNREADABLE, "workbook", source_name=name,
                                      error=str(exc)) from None
    return out


def _scan_xls(data: bytes, sheet_names: list[str], tally: Tally) -> dict:
    """Error cells of a legacy ``.xls``, which python-calamine reads as empty (see
    :func:`~postloan_audit.ingest.workbook_guard.scan_xls`); a note when they cannot be found."""
    scans, failure = workbook_guard.scan_xls(data, sheet_names)
    if failure is not None:
        tally.note(
            "warning", None, None, None, None,
            f"未能检查该 .xls 文件中的 Excel 错误值(#N/A、#DIV/0! 等),错误值单元格可能按空值读出;"
            f"如需识别请在 Excel 中另存为 .xlsx({failure})"
            f" / the Excel error cells (#N/A, #DIV/0! …) of this .xls could not be checked and"
            f" may read as empty; save it as .xlsx in Excel to have them named ({failure})")
    return scans


def _too_large(name: str, sheet_name: str, scan: workbook_guard.SheetScan) -> ExtractError:
    return ExtractError.from_facts(
        Problem.TOO_LARGE, "sheet_cells", source_name=name, sheet=sheet_name, cells=scan.cells,
        used_range=f"{workbook_guard.column_letters(scan.max_col)}{scan.max_row + 1}")


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


def fill_merges(frame: pd.DataFrame, merges: list[tuple[int, int, int, int]]) -> pd.DataFrame:
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


def merge_notes(raw: RawSheet, body_start: int, tally: Tally) -> None:
    """Note each merged range whose value was filled down into data rows."""
    for r1, c1, r2, c2 in raw.merges:
        if r2 > r1 and r2 >= body_start and c1 == c2 or (r2 > r1 and r1 >= body_start):
            ref = (f"{workbook_guard.column_letters(c1)}{r1 + 1}:"
                   f"{workbook_guard.column_letters(c2)}{r2 + 1}")
            tally.note(
                "info", raw.name, r1 + 1, None, ref,
                f"合并单元格 {ref} 的值已填入合并范围内的每一行"
                f" / merged cells {ref}: the value was filled into every row of the merge")


# =========================================================================== assignment


def _sheet_candidates(raw: RawSheet, profile: ExportProfile | None = None
                      ) -> dict[str, tuple[int | None, set]]:
    """For each canonical sheet: the header row found in ``raw`` and the columns it maps
    (with an export profile: its headers, and the columns its derivations can build)."""
    match = profile.match_header if profile is not None else schema.match_header
    head = head_rows(raw.cells)
    out = {}
    for sheet_name in schema.SHEETS:
        idx = find_header_row(head, (sheet_name,), match)
        found = set() if idx is None else {match(sheet_name, h)[0] for h in head[idx]}
        found.discard(None)
        if profile is not None and idx is not None:
            found |= profile.derivable(sheet_name, head[idx], found)
        out[sheet_name] = (idx, found)
    return out


def assign_sheets(raw_sheets: list[RawSheet], name: str, tally: Tally,
                  profile: ExportProfile | None = None) -> dict[str, list[RawSheet]]:
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
                tally.note("info", raw.name, None, None, None,
                           "隐藏的工作表未读取(已有可见的同类工作表)"
                           " / hidden sheet skipped: a visible sheet of the same kind"
                           " was read")
        if sheet_name == "loans":
            assigned[sheet_name] = [raw for _, raw in chosen]
        else:
            top = max(chosen, key=lambda e: e[0])[1]
            assigned[sheet_name] = [top]
            for _, raw in chosen:
                if raw is not top:
                    tally.note("warning", raw.name, None, None, None,
                               f"已有工作表「{top.name}」作为{schema.SHEETS[sheet_name].zh},"
                               f"此表未读取 / sheet not read: '{top.name}' is used as"
                               f" {sheet_name}")
        for raw in assigned[sheet_name]:
            if sheet_for_name(raw.name) != sheet_name:
                tally.note("info", raw.name, None, None, None,
                           f"工作表「{raw.name}」按列识别为{schema.SHEETS[sheet_name].zh}"
                           f" / sheet '{raw.name}' recognised as {sheet_name} by its"
                           " columns")
    if "loans" not in assigned:
        if len(named_without_columns) == 1 and len(raw_sheets) == 1:
            assigned["loans"] = named_without_columns  # canonicalise names what is missing
            return assigned
        raise ExtractError.from_facts(
            Problem.NO_LOANS_SHEET, "workbook", source_name=name,
            sheets=[sheet_facts(raw, profile) for raw in raw_sheets])
    return assigned


#: Headers of a report of counts and sums by category (户数, 笔数, 金额, 占比): with two of them and
#: no loan id, a sheet is a summary report, not the loan-level detail (借据明细) the checks need
#: (``shared/domain.md``, "Real exports": a branch NPL-structure report).
SUMMARY_REPORT_HEADERS: tuple[str, ...] = ("户数", "笔数", "金额", "占比", "比例", "比重")
SUMMARY_REPORT_MIN_HEADERS = 2


def is_summary_report(headers: list, recognised: set) -> bool:
    """True for a header row of counts and sums by category without a loan id column."""
    if "loan_id" in recognised:
        return False
    keys = [schema.split_header(h)[0] for h in headers if str(h).strip()]
    hits = sum(any(word in key for word in SUMMARY_REPORT_HEADERS) for key in keys)
    return hits >= SUMMARY_REPORT_MIN_HEADERS


def sheet_facts(raw: RawSheet, profile: ExportProfile | None = None) -> dict:
    """One sheet of a "no loans sheet" message, as facts (rendered by
    :func:`postloan_audit.core.messages.sheet_summary`): its best candidate header row (never a
    blank or title row) and headers, the required loan columns it lacks (an export profile's
    headers and derivations count), and whether it is a summary report."""
    match = profile.match_header if profile is not None else schema.match_header
    head = head_rows(raw.cells)
    idx, _ = best_candidate_row(head, "loans", match)
    facts = {"name": raw.name, "hidden": raw.hidden, "header_row": None, "headers": [],
             "missing": [], "summary_report": False}
    if idx is None:
        return facts
    headers = [str(h).strip() for h in head[idx] if str(h).strip()]
    recognised = {match("loans", h)[0] for h in headers} - {None}
    if profile is not None:
        recognised |= profile.derivable("loans", headers, recognised)
    facts.update(header_row=raw.row_number(idx), headers=headers,
                 missing=[c for c in schema.SHEETS["loans"].required if c not in recognised],
                 summary_report=is_summary_report(headers, recognised))
    return facts


# =========================================================================== returned workbooks


class UnreadableWorkbook(Exception):
    """python-calamine could not open a workbook or read a sheet (any of its exception
    types); ``str()`` is python-calamine's own text, which messages quote."""


class WorkbookRows:
    """A workbook opened for the rows of its sheets by name (python-calamine).

    ``sheet_names``: the sheets, in order; :meth:`rows`: a sheet's rows as Python values
    (empty area kept). Every failure of python-calamine is an :class:`UnreadableWorkbook`.
    """

    def __init__(self, data: bytes) -> None:
        import python_calamine

        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheet_names: list[str] = list(self._book.sheet_names)
        except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
            raise UnreadableWorkbook(str(exc)) from None

    def rows(self, sheet: str) -> list[list]:
        try:
            return self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
            raise UnreadableWorkbook(str(exc)) from None


def open_workbook(data: bytes) -> WorkbookRows:
    """The workbook in ``data``, for :mod:`~postloan_audit.ingest.returned` and
    :mod:`~postloan_audit.ingest.workpapers` (the loader reads workbooks with
    :func:`read_workbook`, which also guards their size)."""
    return WorkbookRows(data)
