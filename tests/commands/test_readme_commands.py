"""Every ``postloan-audit`` line of the README works as written, in order, on a fresh clone.

The ```bash blocks of ``README.md`` are read top to bottom and each ``postloan-audit …`` line is
run (``sys.executable -m postloan_audit.commands.cli``) in a temporary folder holding a copy of
``sample_extracts/``, with its own audit-trail store (``POSTLOAN_AUDIT_DB``). The README's
markers, defined here and explained in the README:

- a comment starting ``exit N`` gives the exit code the line is meant to end with (a refusal the
  README shows on purpose); every other line must end with 0;
- ``# 示例 / example:`` marks a line about the reader's own file: not run, and it must name a
  file the clone does not have (so the marker cannot hide a line that should run);
- ``# 手工 / by hand:`` is a step the reader does between two commands (filling a workpaper in
  Excel): the test does it with the function :data:`BY_HAND` registers for the file the step
  names, and fails on a step it does not know.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXAMPLE = "# 示例 / example:"
BY_HAND = "# 手工 / by hand:"
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)
_EXIT = re.compile(r"^exit (\d+)\b")
_FILE = re.compile(r"[\w./-]+\.(?:xlsx|xls|csv|toml)\b")


def _fill_mus_workpaper(folder: Path) -> None:
    """What the README asks of the reader for ``mus.xlsx``: every loan's 应划为不良的余额(元), 0
    when its class is right (the first loan gets 1,000 of misclassified balance)."""
    from postloan_audit.statistical.workpaper import H_MISCLASSIFIED, SAMPLE_SHEET

    path = folder / "mus.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb[SAMPLE_SHEET]
    column = [c.value for c in ws[1]].index(H_MISCLASSIFIED) + 1
    for row in range(2, ws.max_row + 1):
        ws.cell(row, column, 1000 if row == 2 else 0)
    wb.save(path)


#: The by-hand steps the README names, by the file the step is about.
BY_HAND_STEPS: dict[str, Callable[[Path], None]] = {"mus.xlsx": _fill_mus_workpaper}


def readme_steps() -> list[tuple[str, str, str]]:
    """``(kind, line, comment)`` for every step of the README's bash blocks, in order: kind is
    ``run``, ``example`` or ``by hand``."""
    steps = []
    for block in _BLOCK.findall(README.read_text(encoding="utf-8")):
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith(BY_HAND):
                steps.append(("by hand", line, line[len(BY_HAND):].strip()))
            elif line.startswith("postloan-audit"):
                command, _, comment = line.partition(" #")
                kind = "example" if ("#" + comment).startswith(EXAMPLE) else "run"
                steps.append((kind, command.strip(), comment.strip()))
    return steps


def test_the_readme_has_commands_examples_and_by_hand_steps():
    kinds = [kind for kind, _, _ in readme_steps()]
    assert kinds.count("run") >= 20 and "example" in kinds and "by hand" in kinds


def test_every_readme_command_works_as_written(tmp_path):
    shutil.copytree(ROOT / "sample_extracts", tmp_path / "sample_extracts")
    env = {**os.environ, "POSTLOAN_AUDIT_DB": str(tmp_path / "audit.db"),
           "POSTLOAN_AUDIT_USER": "readme", "COLUMNS": "120",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                       os.environ.get("PYTHONPATH")]))}
    failures = []
    for kind, line, comment in readme_steps():
        if kind == "example":
            absent = [f for f in _FILE.findall(line) if not (tmp_path / f).exists()]
            assert absent, f"an example line must name a file the clone lacks: {line}"
            continue
        if kind == "by hand":
            named = [f for f in _FILE.findall(line) if f in BY_HAND_STEPS]
            if not named:
                pytest.fail(f"the README asks for a step this test does not know: {line}")
            BY_HAND_STEPS[named[0]](tmp_path)
            continue
        expected = int(m.group(1)) if (m := _EXIT.match(comment)) else 0
        argv = shlex.split(line)
        done = subprocess.run([sys.executable, "-m", "postloan_audit.commands.cli", *argv[1:]],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != expected:
            failures.append(f"{line}\n  exit {done.returncode}, expected {expected}:\n"
                            f"  {done.stderr.strip()[-600:]}")
    assert failures == [], "\n".join(failures)
