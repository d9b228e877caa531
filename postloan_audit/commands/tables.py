"""Tables for the terminal (命令行表格): aligned by display width, fitted to the terminal.

Chinese characters take two terminal columns; :func:`format_table` measures every cell with
``wcwidth`` so that columns line up, numbers right-aligned. A table wider than the terminal
is split into column blocks that fit (the first column repeated in each), or with
``transpose_if_wide`` first turned on its side (a branch × rule table becomes rule × branch),
so a narrow terminal never gets 200-character lines.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence

import pandas as pd
from wcwidth import wcswidth

GAP = "  "


def terminal_width() -> int | None:
    """The terminal's width in columns: ``$COLUMNS`` if set, else the terminal's size when
    standard output is a terminal, else None (output to a file or a pipe is not cut)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit():
        return int(columns)
    if sys.stdout is not None and sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (CJK two each); unprintable characters count one."""
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def wrap_text(text: str, width: int | None = None) -> str:
    """``text`` broken into lines of at most ``width`` terminal columns (default: the
    terminal's width; unlimited when output goes to a file). Breaks at a space when one is
    near, else between characters, which is how Chinese text wraps."""
    width = terminal_width() if width is None else width
    if not width or display_width(text) <= width:
        return text
    lines: list[str] = []
    line = ""
    for char in text:
        if display_width(line + char) > width:
            cut = line.rfind(" ")
            if cut > len(line) // 2:
                lines.append(line[:cut].rstrip())
                line = line[cut + 1:]
            else:
                lines.append(line)
                line = ""
        line += char
    lines.append(line)
    return "\n".join(lines)


def _text(value) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):  # None NaN NaT NA
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _render(header: Sequence[str], rows: list[list[str]], numeric: list[bool]) -> list[str]:
    widths = [max([display_width(h)] + [display_width(r[j]) for r in rows])
              for j, h in enumerate(header)]
    lines = [GAP.join(_pad(h, w, n) for h, w, n in zip(header, widths, numeric, strict=True))]
    lines += [GAP.join(_pad(c, w, n) for c, w, n in zip(r, widths, numeric, strict=True))
              for r in rows]
    return [line.rstrip() for line in lines]


def format_table(frame: pd.DataFrame, *, headers: dict[str, str] | None = None,
                 width: int | None = None, transpose_if_wide: bool = False) -> str:
    """``frame`` as aligned text no wider than ``width`` (default: :func:`terminal_width`).

    Headers are renamed through ``headers``. Too wide: with ``transpose_if_wide`` the table
    is transposed first (its first column becomes the header row); what is still too wide is
    split into blocks of columns, the first column repeated in each.
    """
    width = terminal_width() if width is None else width
    width = width if width is not None else 10**9
    headers = headers or {}
    header = [headers.get(c, str(c)) for c in frame.columns]
    records = frame.astype(object).to_numpy().tolist()
    numeric = [pd.api.types.is_numeric_dtype(frame[c].dtype)
               and not pd.api.types.is_bool_dtype(frame[c].dtype) for c in frame.columns]
    rows = [[_text(v) for v in r] for r in records]
    lines = _render(header, rows, numeric)
    if max(map(display_width, lines), default=0) <= width:
        return "\n".join(lines)
    if transpose_if_wide and len(frame.columns) > 1:
        first = [r[0] for r in rows]
        t_header = ["", *first]
        t_rows = [[header[j], *[r[j] for r in rows]] for j in range(1, len(header))]
        t_numeric = [False, *([all(numeric[1:])] * len(first))]
        lines = _render(t_header, t_rows, t_numeric)
        if max(map(display_width, lines), default=0) <= width:
            return "\n".join(lines)
        header, rows, numeric = t_header, t_rows, t_numeric
    return "\n\n".join(_blocks(header, rows, numeric, width))


def _blocks(header: list[str], rows: list[list[str]], numeric: list[bool],
            width: int) -> list[str]:
    """Split columns 1… into blocks that fit ``width`` beside column 0."""
    col_width = [max([display_width(header[j])] + [display_width(r[j]) for r in rows])
                 for j in range(len(header))]
    blocks, current, used = [], [], col_width[0]
    for j in range(1, len(header)):
        need = display_width(GAP) + col_width[j]
        if current and used + need > width:
            blocks.append(current)
            current, used = [], col_width[0]
        current.append(j)
        used += need
    if current:
        blocks.append(current)
    out = []
    for block in blocks:
        cols = [0, *block]
        out.append("\n".join(_render([header[j] for j in cols], [[r[j] for j in cols]
                                                                  for r in rows],
                                     [numeric[j] for j in cols])))
    return out
