"""Columns handled on two cores: the loader returns exactly what it returns on one.

The loader cleans, parses and (for GB18030 text) decodes columns in threads
(``postloan_audit.ingest.threads``). These tests load the same bytes with one thread and with
two and require the same loans, rejected rows, issues (in the same order) and accounting,
whatever the columns hold: unreadable values in several columns of a row, damaged bytes in two
columns of one line, control characters, summary rows. And every file of the bad-input corpus
gives the same result or the same message either way.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from extract_reads import assert_same_read, frames
from hypothesis import given, settings
from hypothesis import strategies as st

import postloan_audit as pa
from postloan_audit.ingest import threads

CORPUS = Path(__file__).resolve().parents[1] / "data"

HEADER = ("借据号,客户号,经营机构,贷款余额(元),五级分类,担保方式,客户类型,还款方式,发放日期,到期日期,"
          "逾期天数,最近检查日期,展期月数,借新还旧,押品价值(元)")
#: Per column: values that parse, and values that do not (each gives a warning or a rejection).
CELLS = [
    (["L{n:04d}"], ["", "L{n:04d}E+12"]),
    (["C{n:03d}"], [""]),
    (["城关支行", "东城支行"], ["城关\x00支行"]),
    (["{n}000.50", "\"1,{n:03d}.00\""], ["壹万", "#N/A"]),
    (["正常", "关注", "次级"], ["好"]),
    (["信用", "抵押", "保证"], ["其他方式"]),
    (["个人", "公司"], ["外星人"]),
    (["分期还款", "到期一次还本"], ["随缘"]),
    (["2025-01-15", "2025/3/1", "20240601"], ["2025-02-30"]),
    (["2027-01-15", "2028/3/1"], ["明年"]),
    (["0", "45", "120"], ["-3", "很久"]),
    (["2026-06-30", ""], ["上周"]),
    (["0", "6"], ["1.5"]),
    (["是", "否", ""], ["也许"]),
    (["150000.00", ""], ["不详"]),
]


def _load(source, monkeypatch, workers: int, **kwargs):
    with monkeypatch.context() as patch:
        patch.setattr(threads, "COLUMN_THREADS", workers)
        try:
            return frames(pa.load_extract(source, **kwargs))
        except pa.ExtractError as err:
            return str(err)


def test_map_columns_keeps_the_order_and_uses_the_threads(monkeypatch):
    seen: set[int] = set()
    barrier = threading.Barrier(2, timeout=30)

    def work(n: int) -> int:
        seen.add(threading.get_ident())
        if n < 2:
            barrier.wait()  # the first two items run at the same time, or this times out
        return n * n

    assert list(threads.map_columns(work, iter(range(8)))) == [n * n for n in range(8)]
    assert threading.get_ident() not in seen
    assert len(seen) == 2


def test_map_columns_on_one_core_runs_in_the_caller(monkeypatch):
    monkeypatch.setattr(threads, "COLUMN_THREADS", 1)
    seen: set[int] = set()

    def work(n: int) -> int:
        seen.add(threading.get_ident())
        return -n

    assert list(threads.map_columns(work, range(5))) == [0, -1, -2, -3, -4]
    assert seen == {threading.get_ident()}


def test_map_columns_on_a_one_core_machine_runs_in_the_caller(monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 1)
    seen: set[int] = set()
    assert list(threads.map_columns(lambda n: seen.add(threading.get_ident()) or n,
                                    range(3))) == [0, 1, 2]
    assert seen == {threading.get_ident()}


@pytest.mark.parametrize("workers", [1, 2])
def test_an_error_in_one_column_reaches_the_caller(monkeypatch, workers):
    monkeypatch.setattr(threads, "COLUMN_THREADS", workers)

    def work(n: int) -> int:
        if n == 3:
            raise ValueError("column 3")
        return n

    with pytest.raises(ValueError, match="column 3"):
        list(threads.map_columns(work, range(6)))


def _file(rows: list[list[tuple[int, int]]], *, encoding: str, damaged: set[tuple[int, int]]
          ) -> bytes:
    """A CSV of the chosen cells: ``rows[i][j] = (good?, k)`` picks CELLS[j]'s k-th value;
    ``damaged`` holds (row, column) cells given a byte GB18030 and UTF-8 cannot decode."""
    lines = ["台账".encode(encoding), HEADER.encode(encoding)]
    for n, row in enumerate(rows, start=1):
        fields = []
        for j, (bad, k) in enumerate(row):
            good_values, bad_values = CELLS[j]
            values = bad_values if bad else good_values
            cell = values[k % len(values)].format(n=n).encode(encoding)
            if (n - 1, j) in damaged and j in (2, 6):  # text columns: the byte reaches decoding
                cell += b"\xff"
            fields.append(cell)
        lines.append(b",".join(fields))
    return b"\n".join(lines) + b"\n"


_ROWS = st.lists(
    st.tuples(*[st.tuples(st.integers(0, 9).map(lambda v: v == 0), st.integers(0, 2))
                for _ in CELLS]).map(list),
    min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(rows=_ROWS, encoding=st.sampled_from(["utf-8", "gb18030"]),
       damaged=st.sets(st.tuples(st.integers(0, 29), st.sampled_from([2, 6])), max_size=6))
def test_two_threads_read_what_one_reads(rows, encoding, damaged):
    monkeypatch = pytest.MonkeyPatch()
    data = _file(rows, encoding=encoding, damaged=damaged)
    assert_same_read(_load(data, monkeypatch, 2, filename="台账.csv"),
          _load(data, monkeypatch, 1, filename="台账.csv"))


def test_two_damaged_cells_of_one_line_are_listed_in_column_order(monkeypatch):
    rows = [[(False, 0)] * len(CELLS) for _ in range(3)]
    data = _file(rows, encoding="gb18030", damaged={(1, 2), (1, 6)})
    data = data.replace("城关支行".encode("gb18030") + b"\xff", "城关支行".encode("gb18030") + b"\xfe",
                        1)
    read = _load(data, monkeypatch, 2, filename="台账.csv")
    assert read["loans"]["loan_id"].tolist() == ["L0001", "L0003"]
    assert read["rejected"]["row"].tolist() == [4]
    assert read["rejected"]["reason"].tolist() == [
        "第 4 行含无法识别的字节(0xFE 0xFF),该行内容不可信 / line 4 holds undecodable bytes"
        " (0xFE 0xFF)"]
    assert_same_read(read, _load(data, monkeypatch, 1, filename="台账.csv"))


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.iterdir() if p.is_file()
                                        and p.suffix in (".csv", ".xlsx", ".xls", ".txt")),
                         ids=lambda p: p.name)
def test_every_corpus_file_reads_the_same_on_two_threads(monkeypatch, path):
    assert_same_read(_load(path, monkeypatch, 2), _load(path, monkeypatch, 1))
