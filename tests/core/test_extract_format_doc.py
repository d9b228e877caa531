"""docs/extract-format.md is the contract; it must list every sheet, column and alias of schema."""

from pathlib import Path

from postloan_audit.core import schema
from postloan_audit.core.errors import Problem

DOC = (Path(__file__).parents[2] / "docs" / "extract-format.md").read_text(encoding="utf-8")


def test_every_sheet_column_and_alias_is_documented():
    missing = []
    for sheet in schema.SHEETS.values():
        if f"### `{sheet.name}` ({sheet.zh})" not in DOC:
            missing.append(sheet.name)
        for column in sheet.columns:
            row = next((line for line in DOC.splitlines()
                        if line.startswith(f"| `{column.name}` | {column.zh} |")), None)
            if row is None:
                missing.append(f"{sheet.name}.{column.name}")
                continue
            missing.extend(f"{column.name}:{a}" for a in column.aliases if a not in row)
    assert missing == []


def test_every_problem_is_documented_with_what_to_do():
    section = DOC.split("## Problems / 文件级问题", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in section.splitlines()
            if line.startswith("| `")}
    assert set(rows) == {f"`{problem.value}`" for problem in Problem}
    assert all(line.count("|") == 4 and line.split("|")[3].strip() for line in rows.values())
