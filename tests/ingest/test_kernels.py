"""Each byte kernel of ``ingest/kernels.py`` gives what its plain per-cell twin gives.

The twins below are the loops a reader would write without the kernels: one Python object per
cell (or per line). Each kernel is compared with its twin on every layout the readers produce:
one array, a sliced array (offsets not starting at 0), a chunked column, nulls and empty
strings. The kernel module's docstring lists which twin belongs to which kernel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from postloan_audit.ingest import kernels

#: The control and invisible characters the readers remove (``parsing.CONTROL_RE``).
CONTROLS = {*map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]),
            *map(chr, range(0x200B, 0x2010)), "\u2060", "\ufeff"}


def _chunks(cells: list, pieces: int) -> list:
    """``cells`` as up to ``pieces`` slices of one large_string array (the CSV reader's
    layout: chunks that share buffers)."""
    whole = pa.array(cells, pa.large_string())
    step = max(1, len(cells) // pieces)
    return [whole.slice(i, step) for i in range(0, len(cells), step)]


def _arrays(cells: list, pieces: int, start: int = 2) -> list:
    """The same cells as one array, as a slice of a longer ``string`` array, and chunked."""
    layouts = [pa.array(cells, pa.large_string()),
               pa.array(["\u3000x"] * start + cells, pa.string()).slice(start)]
    if cells:
        layouts.append(pa.chunked_array(_chunks(cells, pieces), pa.large_string()))
    return layouts


def _layouts(cells: list, pieces: int, *, objects: bool = False) -> list[pd.Series]:
    """The same cells as a ``str`` Series, as one over chunked Arrow storage (when there are
    cells) and, with ``objects``, as an object Series (no Arrow storage at all)."""
    layouts = [pd.Series(cells, dtype="str")]
    if objects:
        layouts.append(pd.Series(cells, dtype=object))
    if cells:
        layouts.append(pd.Series(pd.arrays.ArrowStringArray(
            pa.chunked_array(_chunks(cells, pieces), pa.large_string())), dtype="str"))
    return layouts


# --------------------------------------------------------------------------- the twins


def twin_edge_cells(cells: list) -> list[bool]:
    return [cell is not None and cell != cell.strip() for cell in cells]


def twin_no_space(cells: list) -> bool:
    return not any(ch.isspace() for cell in cells if cell for ch in cell)


def twin_empty(cells: list) -> list[bool]:
    return [cell == "" for cell in cells]


def twin_needs_cleaning(cells: list) -> bool:
    return any(cell is not None and (cell == "" or cell != cell.strip()) for cell in cells)


def twin_blank(cells: list) -> list[bool]:
    return [cell is None or cell.strip() == "" for cell in cells]


def twin_lengths_outside(cells: list, words) -> bool:
    lengths = [len(cell.encode()) for cell in cells if cell is not None]
    if not lengths:
        return False
    return not any(min(lengths) <= len(word.encode()) <= max(lengths) for word in words)


def twin_plain_ascii(cells: list, marks: bytes) -> bool:
    return all(cell.isascii() and not any(bytes([m]) in cell.encode() for m in marks)
               for cell in cells if cell is not None)


def twin_needle_cells(chunks: list, needles: tuple[bytes, ...]) -> list[bool]:
    """A cell holding a needle, or one where a needle starts and runs into the next cell of
    its chunk (the byte search sees a chunk's cells as one run of bytes)."""
    marked = []
    for chunk in chunks:
        values = [cell or "" for cell in chunk.to_pylist()]
        for k, cell in enumerate(values):
            holds = any(needle in cell.encode() for needle in needles)
            rest = "".join(values[k:]).encode()
            straddles = any(rest.find(needle) in range(len(cell.encode())) for needle in needles)
            marked.append(holds or straddles)
    return marked


def twin_digit_ids(cells: list) -> list[int] | None:
    if not cells or any(cell is None for cell in cells):
        return None
    widths = {len(cell) for cell in cells}
    if len(widths) != 1 or not 0 < widths.pop() <= kernels.MAX_INTEGER_ID_DIGITS:
        return None
    if not all(cell.isascii() and cell.isdigit() for cell in cells):
        return None
    return [int(cell) for cell in cells]


def twin_controls(text: str) -> bool:
    return any(ch in CONTROLS for ch in text)


def twin_ascii_and_controls(cells: list) -> tuple[bool, bool, bool, bool]:
    text = "".join(cell for cell in cells if cell is not None)
    if not text.isascii():
        return False, False, False, False
    controls = any(ch in CONTROLS for ch in text)
    return True, controls, "#" in text, all(0x21 <= ord(ch) <= 0x7E for ch in text)


def twin_odd_quote_lines(data: bytes) -> list[int]:
    return [i for i, line in enumerate(data.split(b"\n")) if line.count(b'"') % 2]


def twin_line_ends(data: bytes, start: int, block: int, end: int) -> list[int]:
    """Whole lines taken until a block holds ``block`` bytes; the last block ends at ``end``."""
    cuts, size, position = [start], 0, start
    for line in data[start:end].splitlines(keepends=True):
        position += len(line)
        size += len(line)
        if size > block and line.endswith(b"\n"):
            cuts.append(position)
            size = 0
    if cuts[-1] != end:
        cuts.append(end)
    return cuts


# --------------------------------------------------------------------------- buffers

text_cell = st.one_of(st.none(), st.text(alphabet=st.sampled_from(
    list("aB1#-中文 \t\u3000\x85\xa0\x01\x7f\u200b\ufeffé\U00020000")), max_size=5))


@settings(max_examples=200, deadline=None)
@given(st.lists(text_cell, max_size=20), st.integers(1, 4))
def test_value_buffers_and_cell_bytes_are_the_cells_utf8(cells, pieces):
    for layout in _arrays(cells, pieces):
        chunks = layout.chunks if isinstance(layout, pa.ChunkedArray) else [layout]
        for chunk in chunks:
            values = [cell or "" for cell in chunk.to_pylist()]
            buffers = kernels.value_buffers(chunk)
            if buffers is None:
                assert "".join(values) == ""
                continue
            offsets, data = buffers
            assert np.diff(offsets).tolist() == [len(v.encode()) for v in values]
            assert data[offsets[0]:offsets[-1]].tobytes() == "".join(values).encode()
        joined = b"".join(body.tobytes() for body in kernels.cell_bytes(layout))
        assert joined == "".join(cell or "" for cell in cells).encode()


def test_arrow_text_is_the_storage_of_a_str_series_only():
    series = pd.Series(["a", None], dtype="str")
    assert kernels.arrow_text(series).to_pylist() == ["a", None]
    assert kernels.arrow_text(pd.Series(["a"], dtype=object)) is None


# --------------------------------------------------------------------------- whitespace


def test_the_strip_test_matches_exactly_what_strip_removes():
    # Every code point, at the end and at the start of a cell: clean_text strips a column
    # only when this pattern finds a cell, so it must find each one strip would change.
    points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for cells in (["a" + chr(c) for c in points], [chr(c) + "a" for c in points]):
        array = pa.array(cells, pa.large_string())
        changed = np.asarray(pc.not_equal(pc.utf8_trim_whitespace(array), array))
        found = np.asarray(pc.match_substring_regex(array, kernels.EDGE_SPACE_RE2))
        assert (found == changed).all()
        # The byte test picks every cell the pattern matches (a superset, never fewer), and
        # the code-point test keeps exactly those.
        assert (kernels.edge_candidates(array) | ~found).all()
        assert (kernels.edge_cells(array) == found).all()
        assert (kernels.edge_cells(pa.array(["中" + cell + "文" for cell in cells],
                                            pa.large_string())) == 0).all()
    assert int(changed.sum()) == 29  # tab … U+3000, the set pyarrow documents as whitespace
    # The whole-chunk byte test never passes a chunk holding one of them, anywhere in a cell.
    for ch in kernels.EDGE_SPACE_CHARS:
        assert not kernels.no_space_byte(pa.array(["中", "文" + ch + "字"], pa.large_string()))
    assert kernels.no_space_byte(pa.array(["中文", "2026-09-30", None, "、"[:0]],
                                          pa.large_string()))
    assert sorted(kernels.EDGE_SPACE_CHARS) == sorted(
        chr(c) for c, hit in zip(points, changed, strict=True) if hit)


edge_cell = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("aB1-中文\u3000 \t\x85\xa0\u2029\u3001€é\U00020000\u1680")),
            max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(edge_cell, max_size=20), st.integers(0, 5), st.integers(1, 4))
def test_the_edge_space_test_is_the_patterns_answer_on_any_layout(cells, start, pieces):
    """Sliced and chunked arrays, nulls and empty cells: the same answer as the pattern."""
    whole = pa.array(cells, pa.large_string())
    expected = bool(pc.any(pc.match_substring_regex(whole, kernels.EDGE_SPACE_RE2)).as_py())
    assert expected == any(twin_edge_cells(cells))
    sliced = pa.array(["\u3000x"] * start + cells, pa.string()).slice(start)
    step = max(1, len(cells) // pieces)
    chunked = pa.chunked_array([whole.slice(i, step) for i in range(0, len(cells), step)]
                               or [whole], pa.large_string())
    for layout in (whole, sliced, chunked):
        assert kernels.has_edge_space(layout) is expected


@settings(max_examples=300, deadline=None)
@given(st.lists(edge_cell, max_size=20), st.integers(0, 5))
def test_edge_cells_and_no_space_byte_are_their_twins(cells, start):
    sliced = pa.array(["\u3000x"] * start + cells, pa.string()).slice(start)
    for chunk in (pa.array(cells, pa.large_string()), sliced):
        assert kernels.edge_cells(chunk).tolist() == twin_edge_cells(cells)
        candidates = kernels.edge_candidates(chunk)
        assert all(candidates[k] for k, hit in enumerate(twin_edge_cells(cells)) if hit)
        if kernels.no_space_byte(chunk):  # a promise in one direction: no space anywhere
            assert twin_no_space(cells)


@settings(max_examples=200, deadline=None)
@given(st.lists(edge_cell, max_size=20), st.integers(1, 4))
def test_empty_cells_and_needs_cleaning_are_their_twins(cells, pieces):
    for layout in _arrays(cells, pieces):
        assert kernels.empty_cells(layout).tolist() == twin_empty(cells)
        assert kernels.needs_cleaning(layout) is twin_needs_cleaning(cells)


blank_cell = st.one_of(st.none(), st.text(alphabet=st.sampled_from(
    [" ", "\t", "\u3000", "\xa0", "\u2003", "a", "合", "\x85", "\ufeff"]), max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.lists(blank_cell, max_size=30), st.integers(1, 4))
def test_blank_cells_is_strip_then_empty_on_any_layout(cells, pieces):
    for series in _layouts(cells, pieces, objects=True):
        assert kernels.blank_cells(series).tolist() == twin_blank(cells)


# --------------------------------------------------------------------------- searches


def test_lengths_outside_tells_only_when_no_cell_can_be_a_word():
    ids = pd.Series(["003202503261183", "001202503256142", None], dtype="str")
    assert kernels.lengths_outside(ids, {"借据号", "loan_id"})  # 9 and 7 bytes, cells 15
    assert not kernels.lengths_outside(ids, {"借据号", "借据号码备"})  # 15 bytes, as the cells
    assert not kernels.lengths_outside(pd.Series(["借据号", "L1"], dtype="str"), {"借据号"})
    assert not kernels.lengths_outside(pd.Series([None, None], dtype="str"), {"借据号"})
    assert not kernels.lengths_outside(pd.Series(["a"], dtype=object), {"借据号"})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="借据号L1", max_size=4)), max_size=10),
       st.integers(1, 3))
def test_lengths_outside_is_its_twin(cells, pieces):
    words = {"借据号", "loan_id"}
    for series in _layouts(cells, pieces):
        assert kernels.lengths_outside(series, words) is twin_lengths_outside(cells, words)


id_text = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("0129.=eE'L中")),
                                       max_size=5))


@settings(max_examples=300, deadline=None)
@given(st.lists(id_text, max_size=20), st.integers(1, 4))
def test_plain_ascii_is_its_twin(cells, pieces):
    for layout in _arrays(cells, pieces):
        for marks in (b"", b".='eE"):
            assert kernels.plain_ascii(layout, marks) is twin_plain_ascii(cells, marks)


summary_cell = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("合计其中tTo a1")),
                                            max_size=4))


@settings(max_examples=300, deadline=None)
@given(st.lists(summary_cell, max_size=30), st.integers(1, 4))
def test_needle_cells_marks_every_cell_holding_a_needle_on_any_layout(cells, pieces):
    """Every cell holding 计, 其中, t or T is marked; a marked cell holds one, or a needle
    starts in it and runs into the next cell of its chunk."""
    needles = ("计".encode(), "其中".encode(), b"t", b"T")
    chunks = _chunks(cells, pieces)
    mask = kernels.needle_cells(pa.chunked_array(chunks, pa.large_string()), needles)
    assert mask.tolist() == twin_needle_cells(chunks, needles)


def test_needle_cells_gives_up_past_its_limit():
    text = pa.array(["合计", "t", "x", "其中tT"], pa.large_string())
    assert kernels.needle_cells(text, ("计".encode(), b"t")).tolist() == [True, True, False, True]
    assert kernels.needle_cells(text, ("计".encode(), b"t", b"T"), limit=3) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("0123 +a")),
                                             min_size=0, max_size=3)), max_size=20),
       st.integers(1, 4))
def test_digit_id_numbers_is_its_twin(cells, pieces):
    for series in _layouts(cells, pieces):
        numbers = kernels.digit_id_numbers(series)
        expected = twin_digit_ids(cells)
        assert (None if numbers is None else numbers.tolist()) == expected


def test_digit_id_numbers_reads_eighteen_digits_and_no_more():
    assert kernels.digit_id_numbers(pd.Series(["9" * 18, "0" * 18], dtype="str")).tolist() == [
        10**18 - 1, 0]
    assert kernels.digit_id_numbers(pd.Series(["9" * 19], dtype="str")) is None


# --------------------------------------------------------------------------- text bytes

control_text = st.text(alphabet=st.sampled_from(
    list("a,中\t\r\n#\x00\x01\x1f\x7f\u200b\u200f\u2060\ufeff\u00ad é")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(control_text)
def test_control_tests_are_their_twin(text):
    utf8 = text.encode("utf-8")
    assert kernels.has_controls(utf8) is twin_controls(text)
    # The whole-file test skips a leading BOM (the encoding's mark, not a character).
    assert kernels.may_hold_controls(utf8) is twin_controls(text.removeprefix("\ufeff"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), control_text), max_size=12), st.integers(1, 4))
def test_ascii_and_controls_is_its_twin(cells, pieces):
    for layout in _arrays(cells, pieces):
        assert kernels.ascii_and_controls(layout) == twin_ascii_and_controls(cells)


quote_text = st.text(alphabet=st.sampled_from(list('a,"\n中\r')), max_size=40)


@settings(max_examples=300, deadline=None)
@given(quote_text, st.integers(0, 5))
def test_odd_quote_lines_is_its_twin(text, start):
    data = b"x" * start + text.encode("utf-8")
    if b'"' not in data[start:]:
        return  # the caller asks only when it has found a quote
    expected = twin_odd_quote_lines(data[start:])
    assert kernels.odd_quote_lines(data, start, len(data)).tolist() == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\n中")), max_size=60), st.integers(0, 3),
       st.integers(1, 20))
def test_line_ends_is_its_twin(text, start, block):
    data = text.encode("utf-8")
    start = min(start, len(data))
    assert kernels.line_ends(data, start, block) == twin_line_ends(data, start, block, len(data))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n",
                                               blacklist_categories=("Cs",)), max_size=4),
                max_size=12), st.integers(0, 3))
def test_distinct_values_are_joined_and_split_from_their_buffers(values, skip):
    """The decoder joins a dictionary's values by line feeds and rebuilds the decoded values
    from the UTF-8 bytes, on a sliced array too: what ``b"\\n".join`` and ``str.split``
    give."""
    encoded = pa.array([v.encode("gb18030") for v in values], pa.binary()).slice(
        min(skip, len(values)))
    expected = b"\n".join(encoded.to_pylist())
    assert kernels.joined(encoded) == expected
    text = expected.decode("gb18030")
    split = kernels.split_text(text, max(len(encoded), 1))
    split.validate(full=True)
    assert split.to_pylist() == text.split("\n")


def test_the_kernel_map_lists_every_kernel_and_a_twin_that_exists():
    import inspect
    import sys

    rows = [line.split() for line in kernels.__doc__.splitlines() if line.startswith(":func:")]
    listed = {row[0].removeprefix(":func:`").removesuffix("`") for row in rows}
    public = {name for name, obj in vars(kernels).items()
              if inspect.isfunction(obj) and not name.startswith("_")
              and obj.__module__ == kernels.__name__}
    assert listed == public - {"digits_only"}  # a helper of plain_ascii and digit_id_numbers
    here = sys.modules[__name__]
    twins = {row[-1].strip("`") for row in rows if row[-1].startswith("``twin_")}
    assert twins and all(callable(getattr(here, twin)) for twin in twins)
