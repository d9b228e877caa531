"""Amounts cast by pyarrow and ISO dates read by one format are what the general parser reads;
dates never overflow.

``parse_amounts`` casts a column of plain numbers with pyarrow and sends any other column the
general way (pandas' to_numeric and the clean-up of separators and units). The property test
draws cells around the edges (signs, exponents, inf and nan, separators, full-width digits)
and compares with the general parser cell by cell. Dates in a year outside the datetime64[ns]
range are unreadable dates, not an overflow.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import postloan_audit as pa
from postloan_audit.ingest import parsing


def _chunks(cells: list, pieces: int) -> list:
    """``cells`` as up to ``pieces`` slices of one large_string array (the CSV reader's
    layout: chunks that share buffers)."""
    import pyarrow as pa_

    whole = pa_.array(cells, pa_.large_string())
    step = max(1, len(cells) // pieces)
    return [whole.slice(i, step) for i in range(0, len(cells), step)]


def _layouts(cells: list, pieces: int, *, objects: bool = False) -> list[pd.Series]:
    """The same cells as a ``str`` Series, as one over chunked Arrow storage (when there are
    cells) and, with ``objects``, as an object Series (no Arrow storage at all)."""
    import pyarrow as pa_

    layouts = [pd.Series(cells, dtype="str")]
    if objects:
        layouts.append(pd.Series(cells, dtype=object))
    if cells:
        layouts.append(pd.Series(pd.arrays.ArrowStringArray(
            pa_.chunked_array(_chunks(cells, pieces), pa_.large_string())), dtype="str"))
    return layouts


number_cell = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**20, 10**20).map(str),
    st.sampled_from(["+1.5", "-0", ".5", "5.", "1e400", "-1e400", "inf", "Infinity", "nan",
                     "1,000.00", "1_000", "0x10", "１２３", "12元", "1e5", "-", "."]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(number_cell, min_size=1, max_size=30))
def test_fast_amounts_are_the_general_parsers_amounts(cells):
    series = pd.Series(cells, dtype="str")
    values, invalid = parsing.parse_amounts(series)
    # The same cells in python-backed strings take the general way (pandas' to_numeric).
    expected, expected_invalid = parsing.parse_amounts(
        series.astype(pd.StringDtype("python", na_value=np.nan)))
    np.testing.assert_array_equal(values.to_numpy(), expected.to_numpy())
    assert invalid.tolist() == expected_invalid.tolist()


def test_impossible_dates_and_years_out_of_range_are_unreadable_not_a_crash():
    series = pd.Series(["2026-02-30", "0001-01-01", "2300-01-01", "2026-09-30", None],
                       dtype="str")
    values, invalid = parsing.parse_dates(series)
    assert values.isna().tolist() == [True, True, True, False, True]
    assert invalid.tolist() == [True, True, True, False, False]
    assert values[3] == pd.Timestamp("2026-09-30")


def test_a_ledger_with_a_year_one_date_loads_and_warns():
    data = ("借据号,客户号,经营机构,贷款余额,五级分类,担保方式,发放日期,到期日期\n"
            "L1,C1,城关支行,100.00,正常,信用,0001-01-01,2027-01-15\n"
            "L2,C2,城关支行,200.00,正常,信用,2025-01-15,2027-01-15\n").encode()
    extract = pa.load_extract(data, filename="台账.csv")
    assert extract.loans["loan_id"].tolist() == ["L1", "L2"]
    assert extract.loans["disbursement_date"].isna().tolist() == [True, False]
    warnings = extract.issues.loc[extract.issues["column"] == "disbursement_date"]
    assert warnings["row"].tolist() == [2]
    assert warnings["value"].tolist() == ["0001-01-01"]


edge_cell = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list("aB1-中文\u3000 \t\x85\xa0\u2029\u3001€é\U00020000\u1680")),
            max_size=6),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(edge_cell, max_size=20), st.integers(1, 4))
def test_clean_text_on_any_layout_is_strip_then_empty_to_missing(cells, pieces):
    """Chunked Arrow columns (as the CSV reader gives them): the cells str.strip gives, an
    empty result missing, and nothing else changed."""
    import pyarrow as pa_

    whole = pa_.array(cells, pa_.large_string())
    step = max(1, len(cells) // pieces)
    chunked = pa_.chunked_array([whole.slice(i, step) for i in range(0, len(cells), step)],
                                pa_.large_string())
    series = pd.Series(pd.arrays.ArrowStringArray(chunked), dtype="str") if cells else \
        pd.Series([], dtype="str")
    expected = [None if c is None or not c.strip() else c.strip() for c in cells]
    got = parsing.clean_text(series)
    assert [None if pd.isna(v) else v for v in got.tolist()] == expected


def test_clean_text_strips_a_column_with_one_padded_cell_and_keeps_a_clean_one():
    padded = pd.Series(["A1", "\u3000B2 ", "C3", "  ", None], dtype="str")
    assert parsing.clean_text(padded).tolist()[:3] == ["A1", "B2", "C3"]
    assert parsing.clean_text(padded).isna().tolist() == [False, False, False, True, True]
    clean = pd.Series(["A1", "B2", None], dtype="str")
    assert parsing.clean_text(clean).tolist()[:2] == ["A1", "B2"]


iso_cell = st.builds(
    lambda y, m, d, time: f"{y:04d}-{m:02d}-{d:02d}{time}",
    st.integers(0, 9999) | st.sampled_from([1677, 1678, 2261, 2262]),
    st.integers(0, 19), st.integers(0, 39),
    st.sampled_from(["", " 00:00:00", " 13:45:07", " 99:99:99"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(iso_cell | st.none() | st.sampled_from(["2026/9/30", "20260930", "46295"]),
                min_size=1, max_size=30))
def test_iso_dates_read_by_one_format_are_the_general_parsers_dates(cells):
    series = pd.Series(cells, dtype="str")
    values, invalid = parsing.parse_dates(series)
    with mock.patch.object(parsing, "_iso_dates", return_value=None), \
            mock.patch.object(parsing, "_cast_dates", return_value=None):  # the general way
        expected, expected_invalid = parsing.parse_dates(series)
    assert values.tolist() == expected.tolist()
    assert invalid.tolist() == expected_invalid.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(iso_cell | st.none(), min_size=1, max_size=30), st.integers(1, 4))
def test_dates_cast_by_pyarrow_are_the_general_parsers_dates(cells, pieces):
    """The cast reads a column only when every cell is a real date of the readable years; on
    any layout of chunks what it reads is what the general parser reads."""
    for series in _layouts(cells, pieces):
        cast = parsing._cast_dates(series)
        with mock.patch.object(parsing, "_cast_dates", return_value=None):
            expected, expected_invalid = parsing.parse_dates(series)
        if cast is not None:
            assert cast.tolist() == expected.tolist()
            assert not expected_invalid.any()
        else:  # a cell the cast cannot read, one outside the years, or no date at all
            assert expected_invalid.any() or expected.isna().all() or any(
                len(cell) > 10 for cell in cells if cell is not None)
        values, invalid = parsing.parse_dates(series)
        assert values.tolist() == expected.tolist()
        assert invalid.tolist() == expected_invalid.tolist()


def test_the_cast_reads_only_real_dates_written_year_month_day():
    dates = pd.Series(["2026-09-30", None, "2024-02-29"], dtype="str")
    assert parsing._cast_dates(dates).tolist() == [
        pd.Timestamp("2026-09-30"), pd.NaT, pd.Timestamp("2024-02-29")]
    for other in ["2026-02-29", "2026-9-30", "2026-09-30 00:00:00", "0001-01-01", "2262-05-01",
                  "1678-01-01 ", "20260930"]:
        assert parsing._cast_dates(pd.Series(["2026-09-30", other], dtype="str")) is None
    assert parsing._cast_dates(pd.Series(["1678-01-01", "2261-12-31"], dtype="str")).tolist() \
        == [pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")]
    assert parsing._cast_dates(pd.Series([None, None], dtype="str")) is None


def test_the_iso_shape_takes_the_one_format_way_and_others_do_not():
    iso = pd.Series(["2026-02-28", "2026-02-30 00:00:00"], dtype="str")
    assert parsing._iso_dates(iso).tolist() == [pd.Timestamp("2026-02-28"), pd.NaT]
    assert parsing._iso_dates(pd.Series(["2026-02-28", "2026/2/28"], dtype="str")) is None
    assert parsing._iso_dates(pd.Series(["2026-02-28", " 2026-02-28"], dtype="str")) is None


id_cell = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("0123456789+- a")),
                                       min_size=0, max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.lists(id_cell, max_size=30), st.integers(1, 4))
def test_duplicated_ids_is_pandas_duplicated_on_any_column(cells, pieces):
    """Digit-only ids of one length go the integer way; "01" and "1", "+1" and "1", blanks,
    nulls and chunked columns must give pandas' answer all the same."""
    for series in _layouts(cells, pieces):
        expected = series.duplicated(keep="first").to_numpy()
        assert (parsing.duplicated_ids(series) == expected).all()


def test_duplicated_ids_compares_fixed_width_digit_ids_as_numbers():
    ids = pd.Series(["003202503261183", "001202503256142", "003202503261183",
                     "999999999999999"], dtype="str")
    assert parsing.duplicated_ids(ids).tolist() == [False, False, True, False]
    # Same digits, other widths: text, so 01 and 1 differ.
    assert parsing.duplicated_ids(pd.Series(["01", "1", "01"], dtype="str")).tolist() == [
        False, False, True]


raw_id_cell = st.one_of(st.none(), st.text(
    alphabet=st.sampled_from(list("0123456789.=\"'eE+-Ａ１ L")), max_size=8))


@settings(max_examples=300, deadline=None)
@given(st.lists(raw_id_cell, max_size=20))
def test_parse_ids_byte_test_gives_the_patterns_answer(cells):
    """A column whose bytes hold no mark skips the repair; any other is repaired as the
    pattern says: Arrow-backed text gives what Python-backed text gives."""
    arrow = pd.Series(cells, dtype="str")
    python = pd.Series(cells, dtype=pd.StringDtype("python", na_value=np.nan))
    got, got_invalid = parsing.parse_ids(arrow)
    want, want_invalid = parsing.parse_ids(python)
    assert got.isna().tolist() == want.isna().tolist()
    assert got.dropna().tolist() == want.dropna().tolist()
    assert got_invalid.tolist() == want_invalid.tolist()


def test_parse_ids_leaves_plain_ids_and_repairs_excel_damage():
    ids = pd.Series(["003202503261183", "L-2026-01"], dtype="str")
    assert parsing.parse_ids(ids)[0].tolist() == ["003202503261183", "L-2026-01"]
    damaged = pd.Series(["1001.0", "1.23457E+17", '="00123"', "'00456", "L7"], dtype="str")
    values, invalid = parsing.parse_ids(damaged)
    assert values.tolist()[:1] + values.tolist()[2:] == ["1001", "00123", "00456", "L7"]
    assert invalid.tolist() == [False, True, False, False, False]


def test_parse_classification_tiers_from_the_distinct_values():
    cells = pd.Series(["正常一级", None, "次级", "关注3", "5", "bogus", "正常一级", "Pass"],
                      dtype="str")
    values, invalid = parsing.parse_classification(cells)
    assert values.dtype == parsing.CLASSIFICATION_DTYPE
    assert [None if pd.isna(v) else v for v in values.tolist()] == [
        "normal", None, "substandard", "special_mention", "loss", None, "normal", "normal"]
    assert invalid.tolist() == [False, False, False, False, False, True, False, False]
    empty, nothing = parsing.parse_classification(pd.Series([None, None], dtype="str"))
    assert empty.isna().all() and not nothing.any() and empty.dtype == parsing.CLASSIFICATION_DTYPE


@pytest.mark.parametrize("word", ["Total", "TOTAL", "Subtotal", "合计", "其中:逾期"])
def test_a_summary_word_in_an_ascii_id_column_is_still_a_summary_row(word):
    """The ASCII byte test skips an id column only when no t/T (nor any Chinese) is in it."""
    data = ("借据号,客户号,经营机构,贷款余额,五级分类,担保方式,发放日期,到期日期\n"
            "1001,2001,城关支行,100.00,正常,信用,2025-01-15,2027-01-15\n"
            "1002,2002,城关支行,200.00,正常,信用,2025-01-15,2027-01-15\n"
            f"{word},,,300.00,,,,\n").encode()
    extract = pa.load_extract(data, filename="台账.csv")
    assert extract.loans["loan_id"].tolist() == ["1001", "1002"]
    assert extract.rejected.empty
    rows = extract.issues.loc[extract.issues["message"].str.startswith("合计/小计行"), "row"]
    assert rows.tolist() == [4]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.sampled_from(["是", "否", "", " 否", "Y", "n"]), max_size=30),
       st.integers(1, 4))
def test_factorize_text_is_pandas_factorize_on_any_layout(cells, pieces):
    for series in _layouts(cells, pieces, objects=True):
        codes, uniques = parsing.factorize_text(series)
        expected_codes, expected_uniques = pd.factorize(series, use_na_sentinel=True)
        assert codes.tolist() == expected_codes.tolist()
        assert uniques.tolist() == list(expected_uniques)
        assert str(uniques.dtype) == "str"
