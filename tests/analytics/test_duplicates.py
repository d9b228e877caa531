"""Shared collateral beyond its value, shared id numbers, identical loans."""

from __future__ import annotations

import datetime as dt

import pandas as pd

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
