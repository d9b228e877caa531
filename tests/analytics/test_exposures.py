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


# ---------------------------------------------------------------- both sides of each threshold

TIER1 = 1_000_000.0
CAPITAL = 1_250_000.0


def _edges() -> pd.DataFrame:
    """Clients at and one cent beyond each share of 一级资本净额 (1,000,000) and 资本净额
    (1,250,000); groups of four at and one cent beyond 20%."""
    clients = {"at10": 100_000.00, "below10": 99_999.99, "at15": 150_000.00,
               "over15": 150_000.01, "at10cap": 125_000.00}
    ids, balances, groups = list(clients), list(clients.values()), [None] * len(clients)
    for group, last in (("G-at20", 50_000.00), ("G-over20", 50_000.01), ("G-below10", 24_999.99)):
        for i in range(4):
            ids.append(f"{group}-{i}")
            balances.append(last if i == 3 else (50_000.00 if group != "G-below10"
                                                 else 25_000.00))
            groups.append(group)
    return pd.DataFrame({"loan_id": [f"L-{b}" for b in ids], "borrower_id": ids,
                         "customer_type": "corporate", "group_id": groups,
                         "balance": balances})


def test_each_limit_is_met_at_its_share_and_breached_one_cent_beyond():
    got = large_exposures(_edges(), tier1_capital=TIER1, capital=CAPITAL)
    rows = {(r["kind"], r["id"]): (r["large_exposure"], r["breach"])
            for r in got.to_dict("records")}
    assert rows == {
        # 大额风险暴露 from 10% of 一级资本净额; 15% allowed, 15% + 1 分 a breach
        ("非同业单一客户", "at10"): (True, False),
        ("非同业单一客户", "at15"): (True, False),
        ("非同业单一客户", "over15"): (True, True),
        ("非同业单一客户", "at10cap"): (True, False),
        # groups: 20% allowed
        ("非同业集团客户或关联客户", "G-at20"): (True, False),
        ("非同业集团客户或关联客户", "G-over20"): (True, True),
        # 《商业银行法》: 10% of 资本净额 (125,000) allowed, 12% (at15) and beyond a breach
        ("单一借款人贷款", "at15"): (False, True),
        ("单一借款人贷款", "over15"): (False, True),
    }
    # below10 (one cent under 10%), the group below 10%, and at10cap's exactly 10% of 资本净额
    # are not listed
    assert got.loc[got["id"] == "over15", "ratio"].tolist() == [
        pytest.approx(0.15000001), pytest.approx(150_000.01 / CAPITAL)]


def test_exposure_rows_come_breaches_first_then_by_ratio():
    got = large_exposures(_edges(), tier1_capital=TIER1, capital=CAPITAL)
    assert got[["kind", "id"]].values.tolist() == [
        ["非同业集团客户或关联客户", "G-over20"],
        ["非同业单一客户", "over15"],
        ["单一借款人贷款", "over15"],
        ["单一借款人贷款", "at15"],
        ["非同业集团客户或关联客户", "G-at20"],
        ["非同业单一客户", "at15"],
        ["非同业单一客户", "at10cap"],
        ["非同业单一客户", "at10"]]
    assert got.loc[got["kind"] == "非同业集团客户或关联客户", "borrower_ids"].tolist() == [
        "G-over20-0、G-over20-1、G-over20-2、G-over20-3",
        "G-at20-0、G-at20-1、G-at20-2、G-at20-3"]


def test_settled_loans_do_not_count_towards_an_exposure():
    loans = pd.DataFrame({"loan_id": ["a", "b"], "borrower_id": ["X", "X"],
                          "balance": [100_000.00, 0.0]})
    got = large_exposures(loans, tier1_capital=TIER1, capital=CAPITAL)
    assert got[["id", "amount", "ratio"]].to_dict("records") == [
        {"id": "X", "amount": 100_000.0, "ratio": 0.1}]


def test_hhi_is_one_for_a_single_value_and_one_over_n_for_n_equal_values():
    one = concentration(pd.DataFrame({"branch": ["甲", "甲"], "balance": [1.0, 2.0]}),
                        by="branch")
    assert (one.hhi, one.top_n_share) == (1.0, 1.0)
    equal = concentration(pd.DataFrame({"branch": list("ABCDE"), "balance": [7.0] * 5}),
                          by="branch", top_n=2)
    assert equal.hhi == pytest.approx(0.2, abs=1e-15)
    assert equal.top_n_share == pytest.approx(0.4, abs=1e-15)
    assert equal.table["value"].tolist() == list("ABCDE")  # ties by name


def test_blank_values_are_a_value_and_settled_loans_are_left_out():
    frame = pd.DataFrame({"industry": ["制造业", None, None, "建筑业"],
                          "balance": [50.0, 30.0, 20.0, 0.0]})
    result = concentration(frame, by="industry", top_n=1)
    assert result.table[["value", "loans", "balance", "share"]].to_dict("records") == [
        {"value": "制造业", "loans": 1, "balance": 50.0, "share": 0.5},
        {"value": "未填写", "loans": 2, "balance": 50.0, "share": 0.5}]
    assert result.hhi == 0.5 and result.top_n_share == 0.5 and result.total == 100.0


def test_top_n_comes_from_the_policy_and_must_be_positive():
    from postloan_audit.compliance.policy import Policy

    policy = Policy.default()
    frame = pd.DataFrame({"branch": list("ABCDEFGHIJKL"), "balance": [1.0] * 12})
    assert concentration(frame, by="branch", policy=policy).top_n == policy.analytics.top_n
    assert concentration(frame, by="branch").top_n_share == pytest.approx(10 / 12)
    with pytest.raises(AnalyticsError, match="top_n must be positive"):
        concentration(frame, by="branch", top_n=0)
