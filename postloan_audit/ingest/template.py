"""A starting export profile (导出配置模板) for a file the loader cannot read as it is.

:func:`profile_template` reads the file with the loader's stages (its bytes with
:mod:`~postloan_audit.ingest.source`, its sheets once with :mod:`~postloan_audit.ingest.sheets`,
the header with :mod:`~postloan_audit.ingest.header`), picks the best candidate sheet and header
row, and writes a TOML profile listing every header: those already recognised filled in, the
others commented with the canonical columns they might be (by the longest run of characters
they share with a column's Chinese name or aliases). The bank then edits the few lines left; ``docs/export-profiles.md`` explains each table.
"""

from __future__ import annotations

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
    sheet = schema.SHEETS["loans"]
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
    if kind != "text" and schema.sheet_for_name(raw.name) is None:
        lines += ["[sheets]", f'loans = ["{_escape(raw.name)}"]', ""]
    lines.append("[headers.loans]")
    found = set()
    for header in headers:
        text = str(header).strip()
        if not text:
            continue
        canonical, _ = schema.match_header("loans", text)
        if canonical is not None:
            found.add(canonical)
            lines.append(f'"{_escape(text)}" = "{canonical}"  # 已识别 / recognised')
            continue
        guesses = suggest_columns("loans", text)
        hint = ("可能是 / might be: " + "、".join(
            f"{g}({sheet.column_index[g].zh})" for g in guesses)) if guesses else \
            "未识别 / not recognised"
        lines.append(f'# "{_escape(text)}" = "?"  # {hint}')
    missing = [c for c in sheet.required if c not in found]
    lines.append("")
    if missing:
        lines.append("# 仍缺少的必填列 / required columns still missing: " + "、".join(
            f"{c}({sheet.column_index[c].zh})" for c in missing))
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


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
