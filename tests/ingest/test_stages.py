"""The reader's stages keep to their jobs: only ``source`` opens input files, the template
reads a workbook once, and the summary-row needles come from the schema's vocabulary."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook

from postloan_audit.core import schema
from postloan_audit.ingest import kernels, rows, sheets
from postloan_audit.ingest.template import profile_template

INGEST = Path(sheets.__file__).parent

#: Calls that open a file by its path (or read one through pyarrow).
FILE_OPENERS = {"open", "read_bytes", "read_text", "read_table", "ParquetFile", "memory_map",
                "OSFile"}


def test_only_the_source_module_opens_input_files():
    openers = {}
    for path in sorted(INGEST.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = func.value if isinstance(func, ast.Attribute) else None
                # zip members are read from bytes already in memory, not opened from disk
                in_zip = isinstance(owner, ast.Name) and owner.id == "archive"
                if name in FILE_OPENERS and not in_zip:
                    openers.setdefault(path.name, set()).add(name)
    # The Parquet store writes its manifest (write_text) and files; it reads through source.
    assert openers == {"source.py": {"read_bytes", "read_text", "read_table"}}


def test_the_template_reads_a_workbook_once(monkeypatch):
    workbook = Workbook()
    workbook.active.title = "隐藏"
    workbook.active.append(["借据号", "客户号"])
    workbook.active.sheet_state = "hidden"
    visible = workbook.create_sheet("明细")
    visible.append(["借据号", "客户号", "经营机构", "本金余额", "风险等级"])
    visible.append(["L1", "C1", "城关支行", 100, "正常"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    calls = []
    real = sheets.read_workbook

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(sheets, "read_workbook", counted)
    text = profile_template(buffer.getvalue(), filename="台账.xlsx")
    assert calls == ["台账.xlsx"]
    assert '[sheets]\nloans = ["明细"]' in text
    assert '"本金余额" = "balance"  # 已识别 / recognised' in text


def _forms(word: str) -> set[str]:
    return {word, word.upper(), word.title(), word.capitalize()}


def test_every_summary_word_and_prefix_holds_a_needle_and_matches_the_short_pattern():
    words = [form for word in (*schema.SUMMARY_WORDS, *schema.SUMMARY_PREFIXES)
             for form in sorted(_forms(word))]
    # A total word spaced out to centre it (合  计, 小\u3000计) is still found.
    words += [space.join(word) for word in schema.SUMMARY_WORDS for space in ("  ", "\u3000")]
    for word in words:
        assert any(needle in word.encode("utf-8") for needle in rows.SUMMARY_NEEDLES), word
        assert re.search(rows.SUMMARY_CANDIDATE_PATTERN, word), word
    # The same through the byte kernel and pyarrow's RE2, as a column of cells.
    column = pa.array([f"城关支行 {word}" for word in words], pa.large_string())
    assert kernels.needle_cells(column, rows.SUMMARY_NEEDLES).all()
    assert pc.all(pc.match_substring_regex(column, rows.SUMMARY_CANDIDATE_PATTERN)).as_py()


def test_the_needles_are_the_shortest_that_tell_the_vocabulary():
    assert rows.SUMMARY_NEEDLES == ("计".encode(), b"t", b"T", "其中".encode())
    assert rows.SUMMARY_CANDIDATE_PATTERN == "计|(?i:total)|其中"


def test_a_new_summary_word_gets_a_needle_of_its_own_or_shares_one():
    assert rows.summary_needles(["合计", "汇总", "总额"]) == (
        ("总".encode(), "合计".encode()), "总|合计")
    # A word of its own: its first letter in both cases when ASCII (any case must be found).
    assert rows.summary_needles(["Total", "小计"]) == (
        (b"t", b"T", "小计".encode()), "(?i:total)|小计")
