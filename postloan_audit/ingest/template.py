"""A starting export profile (导出配置模板) for a file the loader cannot read as it is.

:func:`profile_template` reads the file with the loader's stages (its bytes with
:mod:`~postloan_audit.ingest.source`, its sheets once with :mod:`~postloan_audit.ingest.sheets`,
the header with :mod:`~postloan_audit.ingest.header`), picks the best candidate sheet and header
row, and writes a TOML profile listing every header: those already recognised filled in, the
others commented with the canonical columns they might be (by the longest run of characters
they share with a column's Chinese name or aliases). The bank then edits the few lines left; ``docs/export-profiles.md`` explains each table.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.ingest import sheets
from postloan_audit.ingest.header import best_candidate_row, head_rows
from postloan_audit.ingest.sheets import RawSheet
from postloan_audit.ingest.source import Kind, Source, detect_kind, is_blank, read_source
from postloan_audit.ingest.tally import Tally

#: Canonical columns suggested per unrecognised header.
SUGGESTIONS = 3
#: Shortest shared run of characters that makes a suggestion (one character says nothing).
MIN_SHARED = 2
#: Recognised headers that make a sheet with an unknown name one of the canonical sheets.
MIN_RECOGNISED = 2


def suggest_columns(sheet: str, header: object, limit: int = SUGGESTIONS) -> list[str]:
    """Canonical columns of ``sheet`` an unrecognised ``header`` might be, best first."""
    key = schema.split_header(header)[0]
    scores: dict[str, int] = {}
    for col in schema.SHEETS[sheet].columns:
        for alias in (col.zh, *col.aliases):
            other = schema.normalise_text(alias)
            match = SequenceMatcher(None, key, other).find_longest_match(
                0, len(key), 0, len(other))
            if match.size >= MIN_SHARED:
                scores[col.name] = max(scores.get(col.name, 0), match.size)
    ranked = sorted(scores, key=lambda c: (-scores[c], list(schema.SHEETS[sheet].column_index)
                                           .index(c)))
    return ranked[:limit]


def _candidates(source: Source, filename: str | None) -> tuple[str, Kind, list[RawSheet]]:
    """The file's name, kind and the sheets a header is looked for in (the visible ones of a
    workbook, or all when every one is hidden; the one sheet of a text file), each read once
    by the loader's stages."""
    data, name = read_source(source, filename)
    if is_blank(data):
        raise ExtractError.from_facts(Problem.EMPTY, "template", source_name=name)
    kind = detect_kind(data, name)
    if kind == "text":
        return name, kind, [sheets.read_text_sheet(data, name, Tally())]
    raws = sheets.read_workbook(data, name, kind, Tally())
    return name, kind, [raw for raw in raws if not raw.hidden] or raws


def profile_template(source: Source, *, filename: str | None = None) -> str:
    """The TOML text of a starting profile for ``source`` (a path, bytes or a file object).

    Raises
    ------
    ExtractError
        The file is empty, unreadable, or has no sheet with a header row.
    """
    name, kind, raws = _candidates(source, filename)
    best = None
    for raw in raws:
        head = head_rows(raw.cells)
        idx, recognised = best_candidate_row(head, "loans")
        if idx is None:
            continue
        score = (recognised, sum(bool(str(c).strip()) for c in head[idx]))
        if best is None or score > best[0]:
            best = (score, raw, idx, head[idx])
    if best is None:
        raise ExtractError.from_facts(Problem.NO_LOANS_SHEET, "template", source_name=name)
    _, raw, idx, headers = best
    others = _other_sheets([r for r in raws if r is not raw]) if kind != "text" else []
    lines = [
        "# 导出配置模板(由 postloan-audit profile-template 生成)/ export profile template",
        f"# 文件 {name}" + ("" if kind == "text" else f",工作表「{raw.name}」")
        + f",表头在第 {raw.row_number(idx)} 行 / header row {raw.row_number(idx)}",
        "# 已识别的列已填好;以 # 开头的行请核对后去掉 #,并把 \"?\" 改为标准列名",
        "# (见 docs/export-profiles.md)。",
        "",
        "[profile]",
        f'name = "{Path(name).stem} 导出"',
        "",
    ]
    named: dict[str, list[str]] = {}
    if kind != "text" and schema.sheet_for_name(raw.name) is None:
        named["loans"] = [raw.name]
    for other in others:
        if other.by_content:
            named.setdefault(other.sheet, []).append(other.raw.name)
    if named:
        lines.append("[sheets]")
        lines += [f"{sheet} = [" + ", ".join(f'"{_escape(n)}"' for n in names) + "]"
                  for sheet, names in named.items()]
        lines.append("")
    lines += _headers_block("loans", headers)
    for other in others:
        row = other.raw.row_number(other.idx)
        lines += [f"# 工作表「{other.raw.name}」,表头在第 {row} 行 / sheet "
                      f"{other.raw.name}, header row {row}"]
        lines += _headers_block(other.sheet, other.headers)
    lines += [
        "",
        "# [values.classification]      # 文件中的取值 = 标准取值,如四级分类(一逾两呆)",
        '# "逾期" = "?"                   # normal/special_mention/substandard/doubtful/loss',
        "",
        "# [units.loans]                # 表头没有写单位的金额列",
        '# balance = "万元"',
        "",
        "# [derive.loans]               # 由其他列生成:copy、days_since、negative_of、nonblank",
        '# borrower_id = { copy = "id_number" }',
        '# overdue_days = { days_since = "最小欠息日" }',
        '# secured = { nonblank = "担保人证件号码" }',
        "",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Other:
    """A sheet besides the loans: its canonical ``sheet``, whether that was told by its
    content rather than its name (it then goes into ``[sheets]``), its header row."""

    raw: RawSheet
    sheet: str
    by_content: bool
    idx: int
    headers: list


def _other_sheets(raws: list[RawSheet]) -> list[_Other]:
    """The borrower's-file and other sheets of a workbook besides its loans sheet: by name
    when the name is one the loader knows (押品, 保证人…), else the canonical sheet whose
    columns its header row matches best (at least :data:`MIN_RECOGNISED` headers); sheets
    matching none, or matching the loans' columns at least as well, are left out (a cover page,
    one branch's sheet of a ledger split by branch)."""
    found = []
    for raw in raws:
        head = head_rows(raw.cells)
        sheet = schema.sheet_for_name(raw.name)
        if sheet == "loans":
            continue  # a second loans sheet reads with the same headers
        if sheet is not None:
            idx, _ = best_candidate_row(head, sheet)
            if idx is not None:
                found.append(_Other(raw, sheet, False, idx, head[idx]))
            continue
        best = None
        _, as_loans = best_candidate_row(head, "loans")
        for candidate in schema.SHEETS:
            if candidate == "loans":
                continue
            idx, recognised = best_candidate_row(head, candidate)
            if recognised <= as_loans:
                continue  # more like the loans (one branch's sheet of a split ledger)
            if idx is not None and recognised >= MIN_RECOGNISED and (
                    best is None or recognised > best[0]):
                best = (recognised, candidate, idx)
        if best is not None:
            found.append(_Other(raw, best[1], True, best[2], head[best[2]]))
    return found


def _headers_block(sheet_name: str, headers: list) -> list[str]:
    """``[headers.<sheet>]``: every header of the row, the recognised ones filled in, the
    others commented with suggestions; then the required columns still missing."""
    sheet = schema.SHEETS[sheet_name]
    lines = [f"[headers.{sheet_name}]"]
    found = set()
    for header in headers:
        text = str(header).strip()
        if not text:
            continue
        canonical, _ = schema.match_header(sheet_name, text)
        if canonical is not None:
            found.add(canonical)
            lines.append(f'"{_escape(text)}" = "{canonical}"  # 已识别 / recognised')
            continue
        guesses = suggest_columns(sheet_name, text)
        hint = ("可能是 / might be: " + "、".join(
            f"{g}({sheet.column_index[g].zh})" for g in guesses)) if guesses else \
            "未识别 / not recognised"
        lines.append(f'# "{_escape(text)}" = "?"  # {hint}')
    missing = [c for c in sheet.required if c not in found]
    lines.append("")
    if missing:
        lines.append("# 仍缺少的必填列 / required columns still missing: " + "、".join(
            f"{c}({sheet.column_index[c].zh})" for c in missing))
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
