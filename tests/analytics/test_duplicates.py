"""Shared collateral beyond its value, shared id numbers, identical loans."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from postloan_audit import Extract, find_duplicates


def _extract() -> Extract:
    loans = pd.DataFrame({
        "loan_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
        "borrower_id": ["A", "B", "C", "D", "E", "E", "A2"],
        "borrower_name": ["甲", "乙", "丙", "丁", "戊", "戊", "甲"],
        "id_number": ["11010519491231002X", "440524188001010014", "91350100M000100Y44",
                      "91350100M000100Y44", None, None, "110105491231002"],
        "customer_type": ["individual", "individual", "corporate", "corporate", "corporate",
                          "corporate", "individual"],
        "balance": [300.0, 300.0, 100.0, 50.0, 80.0, 80.0, 0.0],
        "disbursement_date": pd.to_datetime(["2026-01-05"] * 4 + ["2026-03-01"] * 2
                                            + ["2020-01-01"])})
    collateral = pd.DataFrame({
        # K1 and K2 are one house (one certificate): for A and B, 600 against 500
        "collateral_id": ["K1", "K2", "K3", "K3", "K4"],
        "loan_id": ["L1", "L2", "L3", "L4", "L5"],
        "appraised_value": [500.0, 500.0, 1000.0, 1000.0, 10.0],
        "title_certificate": ["闽(2024)福州市不动产权第0001号", "闽(2024)福州市不动产权第0001号",
                              None, None, None],
        "release_date": pd.to_datetime([None, None, None, None, None])})
    return Extract(loans=loans, collateral=collateral, as_of=dt.date(2026, 9, 30))


def test_one_house_for_two_debtors_beyond_its_value():
    found = find_duplicates(_extract()).collateral
    assert found[["collateral_ids", "parties", "party_ids", "loans", "balance",
                  "appraised_value", "excess"]].to_dict("records") == [{
        "collateral_ids": "K1、K2", "parties": 2, "party_ids": "A、B", "loans": 2,
        "balance": 600.0, "appraised_value": 500.0, "excess": 100.0}]


def test_a_released_collateral_does_not_count():
    e = _extract()
    e.collateral.loc[1, "release_date"] = pd.Timestamp("2026-06-30")
    assert find_duplicates(e).collateral.empty


def test_one_id_number_under_several_borrower_ids():
    found = find_duplicates(_extract()).id_numbers
    assert found.to_dict("records") == [
        {"id_number": "11010519491231002X", "valid": True, "borrower_ids": "A、A2",
         "names": "甲"},
        {"id_number": "91350100M000100Y44", "valid": False, "borrower_ids": "C、D",
         "names": "丙、丁"}]


def test_identical_loans():
    found = find_duplicates(_extract()).loans
    assert found[["group", "loan_id", "borrower_id", "balance"]].to_dict("records") == [
        {"group": 1, "loan_id": "L5", "borrower_id": "E", "balance": 80.0},
        {"group": 1, "loan_id": "L6", "borrower_id": "E", "balance": 80.0}]


def test_without_a_collateral_sheet_the_check_says_it_was_not_made():
    e = _extract()
    e.collateral = None
    assert find_duplicates(e).collateral.attrs["note"].startswith("台账无押品表")


def _collateral_book(values: list[float], borrowers: list[str], balances: list[float],
                     **columns) -> Extract:
    n = len(borrowers)
    loans = pd.DataFrame({"loan_id": [f"L{i}" for i in range(n)], "borrower_id": borrowers,
                          "balance": balances})
    collateral = pd.DataFrame({"collateral_id": columns.pop("collateral_id", ["K"] * n),
                               "loan_id": [f"L{i}" for i in range(n)],
                               "appraised_value": values, **columns})
    return Extract(loans=loans, collateral=collateral, as_of=dt.date(2026, 9, 30))


def test_a_collateral_shared_up_to_its_value_is_not_listed_one_cent_more_is():
    at_value = _collateral_book([500.0, 500.0], ["A", "B"], [200.0, 300.0])
    assert find_duplicates(at_value).collateral.empty
    beyond = _collateral_book([500.0, 500.0], ["A", "B"], [200.0, 300.01])
    found = find_duplicates(beyond).collateral
    assert found[["collateral_ids", "party_ids", "loan_ids", "balance", "excess"]].to_dict(
        "records") == [{"collateral_ids": "K", "party_ids": "A、B", "loan_ids": "L0、L1",
                        "balance": 500.01, "excess": pytest.approx(0.01)}]


def test_one_debtors_loans_on_one_collateral_are_not_a_shared_collateral():
    # two loans of A beyond the value: one debtor, so not 一物多押 across debtors
    assert find_duplicates(_collateral_book([500.0, 500.0], ["A", "A"],
                                            [400.0, 400.0])).collateral.empty


def test_two_borrower_ids_of_one_party_count_as_one_debtor():
    book = _collateral_book([500.0, 500.0], ["A", "A-old"], [400.0, 400.0])
    book.loans["id_number"] = "11010519491231002X"  # one person under two customer numbers
    assert find_duplicates(book).collateral.empty


def test_settled_loans_do_not_use_up_a_collateral():
    assert find_duplicates(_collateral_book([500.0, 500.0, 500.0], ["A", "B", "C"],
                                            [300.0, 200.0, 0.0])).collateral.empty


def test_the_largest_appraisal_recorded_is_the_value():
    found = find_duplicates(_collateral_book([900.0, 1000.0], ["A", "B"],
                                             [600.0, 500.0])).collateral
    assert found[["appraised_value", "excess"]].to_dict("records") == [
        {"appraised_value": 1000.0, "excess": 100.0}]


def test_identical_loans_need_the_same_borrower_balance_and_day():
    loans = pd.DataFrame({
        "loan_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "borrower_id": ["X", "X", "X", "Y", "X", "Z", "Z", "X"],
        "balance": [100.0, 100.0, 100.0, 100.0, 100.01, 5.0, 5.0, 100.0],
        "disbursement_date": pd.to_datetime(["2026-01-05"] * 5 + ["2026-02-01"] * 2
                                            + ["2026-01-06"])})
    found = find_duplicates(loans).loans
    # a, b, c: one group of three; d another borrower, e one cent more, h another day
    assert found[["group", "loan_id", "borrower_id"]].values.tolist() == [
        [1, "a", "X"], [1, "b", "X"], [1, "c", "X"], [2, "f", "Z"], [2, "g", "Z"]]


def test_an_id_number_written_two_ways_is_one_number():
    loans = pd.DataFrame({"loan_id": ["a", "b", "c"], "borrower_id": ["P", "Q", "R"],
                          "borrower_name": ["张三", "张三", "李四"],
                          "id_number": ["11010519491231002x", " 11010519491231002X ",
                                        "440524188001010014"],
                          "balance": [1.0, 2.0, 3.0]})
    assert find_duplicates(loans).id_numbers.to_dict("records") == [
        {"id_number": "11010519491231002X", "valid": True, "borrower_ids": "P、Q",
         "names": "张三"}]
