"""Large exposures, limit breaches and concentration on hand-built books."""

from __future__ import annotations

import pandas as pd
import pytest

from postloan_audit import AnalyticsError, concentration, large_exposures

CODE = "91350100M000100Y43"


def _loans() -> pd.DataFrame:
    return pd.DataFrame({
        "loan_id": ["A1", "A2", "B1", "C1", "D1", "E1"],
        # A1/A2 two borrower ids, one credit code: one client of 160
        "borrower_id": ["A", "A-2", "B", "C", "D", "E"],
        "borrower_name": ["甲公司", "甲公司", "乙公司", "丙公司", "丁公司", "戊公司"],
        "id_number": [CODE, CODE, None, None, None, None],
        "customer_type": "corporate",
        "group_id": [None, None, "G1", "G1", None, None],
        "industry": ["制造业", "制造业", "建筑业", "建筑业", "批发和零售业", None],
        "branch": ["城关支行", "城关支行", "城关支行", "东城支行", "东城支行", "东城支行"],
        "balance": [100.0, 60.0, 90.0, 90.0, 40.0, 0.0]})


def test_exposures_per_party_and_group_against_tier1_and_capital():
    # tier-1 1000: large from 100; client limit 150; group limit 200; capital 1200: 10% = 120
    got = large_exposures(_loans(), tier1_capital=1000, capital=1200)
    rows = got[["kind", "id", "borrower_ids", "amount", "ratio", "limit", "large_exposure",
                "breach"]].to_dict("records")
    assert rows == [
        {"kind": "非同业单一客户", "id": "A", "borrower_ids": "A、A-2", "amount": 160.0,
         "ratio": 0.16, "limit": 0.15, "large_exposure": True, "breach": True},
        {"kind": "单一借款人贷款", "id": "A", "borrower_ids": "A、A-2", "amount": 160.0,
         "ratio": 160 / 1200, "limit": 0.10, "large_exposure": False, "breach": True},
        {"kind": "非同业集团客户或关联客户", "id": "G1", "borrower_ids": "B、C", "amount": 180.0,
         "ratio": 0.18, "limit": 0.20, "large_exposure": True, "breach": False}]
    assert got.attrs["tier1_capital"] == 1000.0 and got.attrs["capital"] == 1200.0


@pytest.mark.parametrize("kwargs", [{"tier1_capital": None, "capital": 1.0},
                                    {"tier1_capital": 1.0, "capital": 0},
                                    {"tier1_capital": -5.0, "capital": 1.0}])
def test_capital_has_no_default_and_the_message_says_what_to_set(kwargs):
    with pytest.raises(AnalyticsError) as info:
        large_exposures(_loans(), **kwargs)
    assert "--tier1-capital" in str(info.value) and "--capital" in str(info.value)
    assert "本工具不设默认值" in str(info.value)


def test_concentration_by_industry_with_hhi_and_top_n():
    result = concentration(_loans(), by="industry", top_n=1)
    assert result.table[["rank", "value", "loans", "balance"]].to_dict("records") == [
        {"rank": 1, "value": "建筑业", "loans": 2, "balance": 180.0},
        {"rank": 2, "value": "制造业", "loans": 2, "balance": 160.0},
        {"rank": 3, "value": "批发和零售业", "loans": 1, "balance": 40.0}]
    shares = [180 / 380, 160 / 380, 40 / 380]
    assert result.hhi == pytest.approx(sum(s * s for s in shares), abs=1e-15)
    assert result.top_n_share == pytest.approx(180 / 380, abs=1e-15)
    assert result.table["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_concentration_by_branch_and_by_party():
    by_branch = concentration(_loans(), by="branch")
    assert by_branch.table["value"].tolist() == ["城关支行", "东城支行"]
    assert by_branch.top_n == 10 and by_branch.top_n_share == pytest.approx(1.0)
    by_party = concentration(_loans(), by="party")
    assert by_party.table["value"].tolist()[0] == "A"


def test_concentration_refuses_an_unknown_dimension():
    with pytest.raises(AnalyticsError, match="industry"):
        concentration(_loans(), by="colour")
