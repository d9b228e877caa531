"""The text reader: neither the engine nor cutting a file into blocks changes what is read.

Delimited text in UTF-8 or GB18030 is decoded and parsed in blocks cut at line ends
(``TextOptions.block_bytes``), each read by pyarrow's engine or, when it declines, by the exact
line-by-line one. These tests read the same bytes with blocks of a few dozen bytes and with
the whole file as one block, with either engine, and with the whole text decoded first, and
require the same loans, rejected rows, issues and accounting, whatever falls on a block
boundary: a blank line, an unclosed quote, a damaged byte, a CR, a footer. The reference read
is the whole text decoded first and read line by line by the exact engine.
"""

from __future__ import annotations

from extract_reads import assert_same_read, frames
from hypothesis import given, settings
from hypothesis import strategies as st

import postloan_audit as pa
from postloan_audit.ingest.delimited import TextOptions

HEADER = "借据号,客户号,经营机构,贷款余额,五级分类,担保方式,发放日期,到期日期"
GOOD = [
    "L{n:04d},C{n:03d},城关支行,{n}000.50,正常,信用,2025-01-15,2027-01-15",
    "L{n:04d},C{n:03d},\"东城支行\",\"1,{n:03d}.00\",关注,抵押,2025/3/1,2028/3/1",
    "L{n:04d},C{n:03d},西城支行,{n}.00,次级,保证,20240601,20260601",
]
ODD = [
    "",  # a blank line
    "\r",  # a blank CRLF line
    "L{n:04d},C{n:03d},\"城关支行,{n}.00,正常,信用,2025-01-15,2027-01-15",  # quote never closed
    "L{n:04d},C{n:03d},城关\x00支行,{n}.00,正常,信用,2025-01-15,2027-01-15",  # NUL in a name
    "L{n:04d},C{n:03d},城关\u200b支行,{n}.00,正常,信用,2025-01-15,2027-01-15",  # zero-width space
    "L{n:04d},C{n:03d},城关\r支行,{n}.00,正常,信用,2025-01-15,2027-01-15",  # a lone CR in a field
    "城关支行 小计,,,{n}.00,,,,",  # a summary row
    "L{n:04d},C{n:03d},城关支行,{n}.00,正常,信用,2025-01-15,2027-01-15,多余",  # an extra field
    "L{n:04d},C{n:03d},城关支行,#N/A,正常,信用,2025-01-15,2027-01-15",  # an Excel error
    "L{n:04d},C{n:03d},城关支行,{n}.00,#N/A,信用,2025-01-15,2027-01-15",  # in a Chinese column
    " L{n:04d} ,C{n:03d},城关支行\u3000,{n}.00,正常 ,信用,2025-01-15,2027-01-15",  # padded cells
    'L{n:04d},"",城关支行,{n}.00,正常,信用,"",2027-01-15',  # quoted empty fields
    "L{n:04d}\x7f,C{n:03d},城关支行,{n}.00,正常,信用,2025-01-15,2027-01-15",  # DEL in an id
    "L{n:04d},C{n:03d},城关支行,\t{n}.00,正常,信用,2025-01-15,2027-01-15",  # a tab (no control)
    # A quote inside a field is a literal; the next one opens a field that spans two lines,
    # each with an even number of quotes.
    'L{n:04d},C{n:03d},城关"支行,"{n}.00\n",正常"类,信用,2025-01-15,2027-01-15',
]


#: The reference read: the whole text decoded first, then read line by line (csv module).
WHOLE = TextOptions(engine="exact", stream=False)


def _read(data: bytes, options: TextOptions | None = None):
    try:
        return frames(pa.load_extract(data, filename="台账.csv", text=options))
    except pa.ExtractError as err:
        return str(err)


def _file(kinds: list[int], *, encoding: str, crlf: bool, damaged_at: int | None) -> bytes:
    lines = ["全行贷款台账", HEADER]
    for n, kind in enumerate(kinds):
        pattern = GOOD[kind] if kind < len(GOOD) else ODD[kind - len(GOOD)]
        lines.append(pattern.format(n=n + 1))
    end = "\r\n" if crlf else "\n"
    rows = [line.encode(encoding) for line in lines]
    if damaged_at is not None and damaged_at + 2 < len(rows):
        rows[damaged_at + 2] += b"\xff"  # a byte neither UTF-8 nor GB18030 can decode
    return end.encode().join(rows) + end.encode()


@settings(max_examples=120, deadline=None)
@given(kinds=st.lists(st.integers(0, len(GOOD) + len(ODD) - 1), min_size=1, max_size=40),
       encoding=st.sampled_from(["utf-8", "gb18030"]), crlf=st.booleans(),
       damaged=st.one_of(st.none(), st.integers(0, 39)), block=st.integers(1, 400))
def test_blocks_read_as_the_whole_file(kinds, encoding, crlf, damaged, block):
    data = _file(kinds, encoding=encoding, crlf=crlf, damaged_at=damaged)
    whole = _read(data, WHOLE)
    assert_same_read(_read(data, TextOptions(block_bytes=block)), whole)
    assert_same_read(_read(data, TextOptions(engine="exact", block_bytes=block)), whole)
    assert_same_read(_read(data), whole)
    assert_same_read(_read(data, TextOptions(stream=False)), whole)


def test_a_blank_line_at_a_block_boundary_keeps_every_row_number():
    # Each line is 60-odd bytes: with 64-byte blocks every line is a block of its own, so the
    # blank line is a block's last line and the next block's first.
    body = [GOOD[0].format(n=n) for n in range(1, 4)]
    data = "\n".join(["全行贷款台账", HEADER, body[0], "", body[1], "", "", body[2], ""]).encode()
    read = _read(data, TextOptions(block_bytes=64))
    assert read["loans"]["source_row"].tolist() == [3, 5, 8]
    assert read["loans"]["loan_id"].tolist() == ["L0001", "L0002", "L0003"]
    assert_same_read(read, _read(data, WHOLE))


def test_a_damaged_byte_in_a_later_block_rejects_its_line_only():
    lines = ["全行贷款台账", HEADER, *(GOOD[0].format(n=n) for n in range(1, 7))]
    rows = [line.encode("gb18030") for line in lines]
    rows[6] += b"\xff"  # line 7
    data = b"\n".join(rows) + b"\n"
    read = _read(data, TextOptions(block_bytes=100))
    assert read["loans"]["loan_id"].tolist() == ["L0001", "L0002", "L0003", "L0004", "L0006"]
    rejected = read["rejected"]
    assert rejected["row"].tolist() == [7]
    assert rejected["reason"].tolist() == [
        "第 7 行含无法识别的字节(0xFF),该行内容不可信 / line 7 holds undecodable bytes (0xFF)"]
    assert_same_read(read, _read(data, WHOLE))


def test_a_file_that_turns_gbk_after_an_ascii_start_is_decoded_whole():
    # The encoding sample (200 bytes here) is plain ASCII, so the stream starts as UTF-8; the
    # GBK names further down are not damage but the file's real encoding.
    header = "loan_id,borrower_id,branch,balance,classification,guarantee_type"
    lines = [header, *(f"A{n:03d},C{n:03d},HQ,{n}.00,normal,credit" for n in range(1, 9)),
             *(f"B{n:03d},C{n:03d},城关支行,{n}.00,正常,信用" for n in range(1, 9))]
    data = "\n".join(lines).encode("gbk") + b"\n"
    read = _read(data, TextOptions(block_bytes=64, sample_bytes=200))
    assert len(read["loans"]) == 16
    assert read["rejected"].empty
    assert read["loans"]["branch"].tolist()[-1] == "城关支行"
    assert "文本编码识别为 gb18030" in " ".join(read["issues"]["message"])


def test_a_lone_carriage_return_inside_a_field_is_read_as_a_space():
    lines = [HEADER, GOOD[0].format(n=1), "L0002,C002,城关\r支行,5.00,正常,信用,2025-01-15,2027-01-15"]
    data = "\n".join(lines).encode("gb18030") + b"\n"
    for read in (_read(data), _read(data, WHOLE)):
        assert read["loans"]["branch"].tolist() == ["城关支行", "城关 支行"]
        assert read["loans"]["source_row"].tolist() == [2, 3]
