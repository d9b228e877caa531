"""The header finder (表头识别): which row of a sheet is its header, and what its cells mean.

A bank's export may start with title rows (``全行贷款台账``, ``截至2026年9月30日``, ``单位:万元``),
put a group header over sub-headers (``期限`` over ``发放日期`` / ``到期日期``), and name its
columns in its own words. The first :data:`HEADER_SEARCH_ROWS` rows are searched; the header is
the row with the most recognised headers (at least two). ``match`` maps a header text to its
canonical column and unit: :func:`postloan_audit.core.schema.match_header`, or an export
profile's :meth:`~postloan_audit.ingest.profile.ExportProfile.match_header`, passed as data.

Used by the workbook sheets (:mod:`~postloan_audit.ingest.sheets`), the text reader
(:mod:`~postloan_audit.ingest.delimited`), the loader and the profile template.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from postloan_audit.core import schema
from postloan_audit.ingest.tally import Tally

#: How many rows at the top of a sheet are searched for the header row.
HEADER_SEARCH_ROWS = 30

#: A header text → (canonical column or None, unit or None), for one canonical sheet.
Match = Callable[[str, object], tuple[str | None, str | None]]

_NUMBER_RE = re.compile(r"^[-+]?[\d,.%]+$")


def head_rows(cells: pd.DataFrame, extra: int = 0) -> list[list]:
    """The searched rows of a sheet's cells as lists of values ("" for an empty cell)."""
    return cells.head(HEADER_SEARCH_ROWS + extra).fillna("").to_numpy().tolist()


def recognised_columns(row: list, sheet: str, match: Match = schema.match_header) -> int:
    """How many canonical columns of ``sheet`` the cells of ``row`` name."""
    matched = {match(sheet, cell)[0] for cell in row if str(cell).strip()}
    matched.discard(None)
    return len(matched)


def find_header_row(rows: list[list], sheets: tuple[str, ...],
                    match: Match = schema.match_header) -> int | None:
    """Index of the row with the most recognised headers (at least two), or None.

    ``match`` maps a header to its canonical column (an export profile's, or the built-in one).
    """
    best_idx, best = None, 1
    for idx, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for sheet in sheets:
            found = recognised_columns(row, sheet, match)
            if found > best:
                best_idx, best = idx, found
    return best_idx


def best_candidate_row(rows: list[list], sheet: str, match: Match = schema.match_header
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


def sub_header_rows(sheet: schema.Sheet, headers: list, head: list[list], header_idx: int,
                    match: Match = schema.match_header) -> int:
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


@dataclass(frozen=True)
class HeaderArea:
    """Where a sheet's header is and what it says.

    ``index``: the header row's position in the sheet's cells; ``headers``: its texts
    (invisible characters removed; a sub-header's recognised texts in its place);
    ``sub_rows``: 1 for a two-level header; ``titles``: the rows above, joined (for a date or
    a unit line); ``searched``: the rows searched when no row had two recognised headers (the
    best candidate is then shown), else None.
    """

    index: int
    headers: list[str]
    sub_rows: int
    titles: list[str]
    searched: int | None

    @property
    def body_start(self) -> int:
        """Position of the first row below the header (and its sub-header row)."""
        return self.index + 1 + self.sub_rows


def locate_header(head: list[list], sheet: schema.Sheet, match: Match) -> HeaderArea:
    """The header of ``sheet`` in the rows ``head`` (:func:`head_rows` with one extra row,
    for a sub-header below the last searched row)."""
    header_idx = find_header_row(head, (sheet.name,), match)
    searched = min(len(head), HEADER_SEARCH_ROWS)
    no_header = header_idx is None
    if header_idx is None:
        # No row with two known headers: the best candidate (never a blank row) is what
        # the missing-columns message shows.
        header_idx = best_candidate_row(head, sheet.name, match)[0] or 0
    headers = [schema.INVISIBLE_RE.sub("", str(h)) for h in (head[header_idx] if head else [])]
    sub_rows = sub_header_rows(sheet, headers, head, header_idx, match)
    if sub_rows:
        lower = head[header_idx + 1]
        for j, cell in enumerate(lower):
            if j < len(headers) and match(sheet.name, cell)[0] is not None:
                headers[j] = schema.INVISIBLE_RE.sub("", str(cell))
    titles = [" ".join(str(c) for c in row if str(c)) for row in head[:header_idx]]
    return HeaderArea(header_idx, headers, sub_rows, titles, searched if no_header else None)


def map_headers(sheet: schema.Sheet, headers: list, match: Match, sheet_name: str,
                header_row: int, tally: Tally) -> tuple[dict[str, list[int]], dict[int, str | None]]:
    """Each canonical column's positions in the header (the first one is read; 逾期天数 and
    欠息天数 are both read) and each mapped position's unit. Unrecognised headers and columns
    mapped twice are noted."""
    mapping: dict[str, list[int]] = {}
    units: dict[int, str | None] = {}
    for j, header in enumerate(headers):
        if not str(header).strip():
            continue
        canonical, unit = match(sheet.name, header)
        if canonical is None:
            tally.note("info", sheet_name, header_row, str(header), None,
                       f"未识别的列「{header}」,已忽略 / unrecognised column '{header}' ignored")
            continue
        units[j] = unit
        mapping.setdefault(canonical, []).append(j)
    for canonical, positions in mapping.items():
        if len(positions) > 1 and canonical != "overdue_days":
            used, *ignored = positions
            names = "、".join(f"「{headers[p]}」" for p in ignored)
            tally.note(
                "warning", sheet_name, header_row, canonical, None,
                f"列 {names} 与「{headers[used]}」都对应 {canonical},采用「{headers[used]}」"
                f" / several columns map to {canonical}; the first one is used")
    return mapping, units
