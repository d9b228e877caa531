"""Each early-warning signal on both sides of its threshold, with hand-built sheets: the exact
borrowers (or loans) flagged and the facts said. Scan date 2026-09-30."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from checks_factory import AS_OF, make_loans

from postloan_audit import Extract, Policy, PolicyError, scan_signals
from postloan_audit.warning import SIGNALS, build_signals

INTS = ("other_bank_overdue_days", "other_bank_arrears_days", "new_overdue_count", "lien_rank")
AMOUNTS = ("other_bank_balance", "other_bank_overdue90_balance", "appraised_value",
           "previous_value", "total_assets", "total_liabilities", "current_assets",
           "current_liabilities", "revenue", "cost_of_sales", "net_profit")
BOOLS = ("other_bank_litigation", "enforcement")


NO_LISTS = "未提供名单表,预警名单的“已列入名单”均为否 / no lists sheet: no borrower counts as listed"


def sheet(rows: list[dict]) -> pd.DataFrame:
    """A canonical borrower-file sheet from dicts (dates, integers, amounts, flags typed)."""
    frame = pd.DataFrame(rows)
    for name in frame.columns:
        if name.endswith(("_date", "_end")):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        elif name in INTS:
            frame[name] = frame[name].fillna(0).astype(np.int64)
        elif name in AMOUNTS:
            frame[name] = frame[name].astype("float64")
        elif name in BOOLS:
            frame[name] = frame[name].fillna(False).astype(bool)
        else:
            frame[name] = frame[name].astype("str")
    return frame


def ext(party: str, date: str = "2026-09-15", **facts) -> dict:
    row = {"party_id": party, "report_date": date, "other_bank_overdue_days": 0,
           "other_bank_arrears_days": 0, "other_bank_litigation": False, "enforcement": False,
           "new_overdue_count": 0}
    row.update(facts)
    return row


def hits(report, signal_id: str) -> dict[str, str]:
    """``borrower_id`` (or ``loan_id`` of a loan-level signal) → message."""
    assert signal_id in report.signals_run, report.not_run
    s = report.signals.loc[report.signals["signal_id"] == signal_id]
    key = "loan_id" if SIGNALS[signal_id].scope == "loan" else "borrower_id"
    return dict(zip(s[key], s["message"], strict=True))


def scan(**sheets) -> object:
    loans = sheets.pop("loans")
    previous = sheets.pop("previous", None)
    policy = sheets.pop("policy", None)
    return scan_signals(Extract(loans=loans, **sheets), as_of=AS_OF, previous=previous,
                        policy=policy)


# --------------------------------------------------------------------------- other banks

def test_ob_overdue_at_30_days_not_29_latest_report_per_party_and_known_by_d():
    loans = make_loans({f"L{b}": {"borrower_id": b} for b in
                        ("at30", "at29", "arrears30", "cured", "future", "repaid")})
    loans.loc[loans["borrower_id"] == "repaid", "balance"] = 0.0
    external = sheet([
        ext("at30", other_bank_overdue_days=30), ext("at29", other_bank_overdue_days=29),
        ext("arrears30", other_bank_arrears_days=30),
        ext("cured", "2026-06-01", other_bank_overdue_days=60), ext("cured", "2026-09-01"),
        ext("future", "2026-10-01", other_bank_overdue_days=90),
        ext("repaid", other_bank_overdue_days=90),
    ])
    got = hits(scan(loans=loans, external=external), "EW-OB-OVERDUE")
    assert got == {
        "at30": "借款人(2026-09-15征信):他行逾期30天(标准:30天以上)",
        "arrears30": "借款人(2026-09-15征信):他行欠息30天(标准:30天以上)",
    }
    policy = Policy.default().replace(warning={"other_bank_overdue_days": 29})
    assert set(hits(scan(loans=loans, external=external, policy=policy), "EW-OB-OVERDUE")) == {
        "at30", "at29", "arrears30"}


def test_a_guarantors_record_flags_the_borrowers_it_guarantees():
    loans = make_loans({"L1": {"borrower_id": "B1"}, "L2": {"borrower_id": "B2"},
                        "L3": {"borrower_id": "B3", "balance": 0.0}})
    guarantees = sheet([
        {"loan_id": "L1", "guarantor_id": "G1", "guarantor_name": "某担保公司"},
        {"loan_id": "L2", "guarantor_id": "G2", "guarantor_name": None},
        {"loan_id": "L3", "guarantor_id": "G1", "guarantor_name": "某担保公司"},
    ])
    external = sheet([ext("G1", other_bank_overdue_days=45, other_bank_arrears_days=31,
                          other_bank_litigation=True),
                      ext("G2", enforcement=True), ext("B1", other_bank_litigation=True)])
    report = scan(loans=loans, external=external, guarantees=guarantees)
    assert hits(report, "EW-OB-OVERDUE") == {
        "B1": "保证人某担保公司(G1,2026-09-15征信):他行逾期45天、他行欠息31天(标准:30天以上)"}
    assert hits(report, "EW-OB-SUIT") == {
        "B1": "借款人(2026-09-15征信):在他行的借款被起诉;保证人某担保公司(G1,2026-09-15征信):"
              "在他行的借款被起诉"}
    assert hits(report, "EW-ENFORCE") == {
        "B2": "保证人G2(2026-09-15征信):被列为被执行人或失信被执行人"}
    assert report.warnings == (NO_LISTS,)
    # without the guarantees sheet only the borrower's own record is read, and it says so
    alone = scan(loans=loans, external=external)
    assert set(hits(alone, "EW-OB-SUIT")) == {"B1"} and hits(alone, "EW-OB-OVERDUE") == {}
    assert alone.warnings[0].startswith("EW-OB-OVERDUE:未提供保证表,只判断借款人本人的外部信息")


def test_guar_circle_when_a_member_of_a_circle_is_npl_not_a_chain_nor_a_performing_circle():
    # A ↔ B (a circle, B non-performing); C → D (a chain, D non-performing);
    # E → F → G → E (a circle of three, all performing).
    people = {"A": "normal", "B": "substandard", "C": "normal", "D": "doubtful", "E": "normal",
              "F": "normal", "G": "special_mention"}
    loans = make_loans({f"L{b}": {"borrower_id": b, "classification": c}
                        for b, c in people.items()})
    guarantees = sheet([
        {"loan_id": "LA", "guarantor_id": "B"}, {"loan_id": "LB", "guarantor_id": "A"},
        {"loan_id": "LD", "guarantor_id": "C"},
        {"loan_id": "LF", "guarantor_id": "E"}, {"loan_id": "LG", "guarantor_id": "F"},
        {"loan_id": "LE", "guarantor_id": "G"},
    ])
    report = scan(loans=loans, guarantees=guarantees)
    message = ("所在担保圈{}(2方互保或循环担保)中客户B有不良贷款;担保圈内风险可能沿担保关系蔓延,"
               "应评估保证人的担保能力并追加担保")
    circle = report.signals.loc[report.signals["signal_id"] == "EW-GUAR-CIRCLE"]
    assert sorted(circle["borrower_id"]) == ["A", "B"]
    assert set(circle["level"]) == {"orange"}
    (cid,) = set(circle["message"].str.extract(r"担保圈(C\d+)")[0])
    assert hits(report, "EW-GUAR-CIRCLE") == {"A": message.format(cid), "B": message.format(cid)}
    # B performing: no circle has a non-performing member, no signal
    loans.loc[loans["borrower_id"] == "B", "classification"] = "normal"
    assert hits(scan(loans=loans, guarantees=guarantees), "EW-GUAR-CIRCLE") == {}
    # without a guarantees sheet the signal is not run, with its reason
    assert "EW-GUAR-CIRCLE" in set(scan(loans=loans).not_run["signal_id"])


def test_ob_npl90_above_20_percent_of_all_debt_while_ours_performs():
    loans = make_loans({"L1": {"borrower_id": "over"}, "L2": {"borrower_id": "exact"},
                        "L3": {"borrower_id": "ours_npl", "classification": "substandard"}})
    external = sheet([
        # 1,000,000 ours + 1,500,000 elsewhere: 500,001 overdue 90+ is over 20%, 500,000 is not
        ext("over", other_bank_balance=1_500_000, other_bank_overdue90_balance=500_001),
        ext("exact", other_bank_balance=1_500_000, other_bank_overdue90_balance=500_000),
        ext("ours_npl", other_bank_balance=1_500_000, other_bank_overdue90_balance=900_000),
    ])
    assert hits(scan(loans=loans, external=external), "EW-OB-NPL90") == {
        "over": "借款人(2026-09-15征信):他行逾期90天以上余额50.00万元,占其在各银行债务250.00万元(本行"
                "100.00万元、他行150.00万元)的20.00%,超过20%;本行尚有非不良贷款余额100.00万元"}


def test_new_overdue_records_of_the_borrower():
    loans = make_loans({"L1": {"borrower_id": "one"}, "L2": {"borrower_id": "none"}})
    external = sheet([ext("one", new_overdue_count=1), ext("none")])
    assert hits(scan(loans=loans, external=external), "EW-NEW-OVERDUE") == {
        "one": "借款人(2026-09-15征信):征信新增逾期1笔"}


# --------------------------------------------------------------------------- the group

def test_group_contagion_from_a_red_an_npl_and_an_exit_listed_member():
    loans = make_loans({
        "R": {"borrower_id": "red", "group_id": "G1", "borrower_name": "红公司"},
        "A": {"borrower_id": "a", "group_id": "G1"},
        "N": {"borrower_id": "npl", "group_id": "G2", "classification": "doubtful",
              "borrower_name": "坏公司"},
        "B": {"borrower_id": "b", "group_id": "G2"},
        "E": {"borrower_id": "exit", "group_id": "G3", "borrower_name": "退出公司"},
        "C": {"borrower_id": "c", "group_id": "G3"},
        "S": {"borrower_id": "solo", "group_id": "G4", "classification": "loss"},
        "X": {"borrower_id": "x", "group_id": None},
    })
    external = sheet([ext("red", other_bank_overdue_days=40)])
    lists = sheet([{"borrower_id": "exit", "list_type": "exit", "listed_date": "2026-01-01"}])
    report = scan(loans=loans, external=external, lists=lists)
    assert hits(report, "EW-GROUP") == {
        "a": "同一集团(G1)成员红公司(red)存在红色预警情形(他行逾期或欠息)",
        "b": "同一集团(G2)成员坏公司(npl)有不良贷款",
        "c": "同一集团(G3)成员退出公司(exit)已列入退出名单",
    }
    # a red member's own red signal, and the group members' orange ones: both direct listings
    w = report.watchlist.set_index("borrower_id")
    assert w.loc[["red", "a", "b", "c"], "direct_listing"].tolist() == [True] * 4
    assert w.loc[["red", "a"], "level"].tolist() == ["red", "orange"]


# --------------------------------------------------------------------------- statements

def _quarter(borrower: str, end: str, assets: float, liabilities: float, kind="quarter",
             **more) -> dict:
    return {"borrower_id": borrower, "period_end": end, "period_type": kind,
            "total_assets": assets, "total_liabilities": liabilities, **more}


def test_fin_trend_over_10_percent_two_quarters_running_not_one_nor_exactly_10():
    loans = make_loans({f"L{b}": {"borrower_id": b} for b in ("two", "one", "exact", "gap")})
    rows = []
    for b, ratios in {"two": (0.50, 0.56, 0.62), "one": (0.50, 0.50, 0.60),
                      "exact": (0.50, 0.55, 0.605)}.items():
        for end, r in zip(("2026-03-31", "2026-06-30", "2026-09-30"), ratios, strict=True):
            rows.append(_quarter(b, end, 1000.0, 1000.0 * r, "half" if end.endswith("06-30")
                                 else "quarter"))
    # a monthly statement at a quarter end is not a quarter-end statement
    rows += [_quarter("gap", "2026-03-31", 1000, 500), _quarter("gap", "2026-06-30", 1000, 560,
                                                                "month"),
             _quarter("gap", "2026-09-30", 1000, 630)]
    financials = sheet(rows)
    got = hits(scan(loans=loans, financials=financials), "EW-FIN-TREND")
    assert got == {"two": "资产负债率连续2个季度上升超过10%:2026-03-31 50.00%→2026-06-30 56.00%(+12.00%)"
                          "→2026-09-30 62.00%(+10.71%)"}
    policy = Policy.default().replace(warning={"financial_quarters": 1})
    assert set(hits(scan(loans=loans, financials=financials, policy=policy),
                    "EW-FIN-TREND")) == {"two", "one"}


def test_fin_trend_current_ratio_and_gross_margin_down():
    loans = make_loans({"L1": {"borrower_id": "liquid"}, "L2": {"borrower_id": "margin"}})
    rows = []
    for end, ca, margin_cost in (("2025-12-31", 200.0, 60.0), ("2026-03-31", 170.0, 70.0),
                                 ("2026-06-30", 150.0, 75.0)):
        rows.append({"borrower_id": "liquid", "period_end": end, "period_type": "quarter",
                     "current_assets": ca, "current_liabilities": 100.0,
                     "revenue": 100.0, "cost_of_sales": 50.0})
        rows.append({"borrower_id": "margin", "period_end": end, "period_type": "quarter",
                     "current_assets": 100.0, "current_liabilities": 100.0,
                     "revenue": 100.0, "cost_of_sales": margin_cost})
    got = hits(scan(loans=loans, financials=sheet(rows)), "EW-FIN-TREND")
    assert got == {
        "liquid": "流动比率连续2个季度下降超过10%:2025-12-31 2.00→2026-03-31 1.70(-15.00%)→2026-06-30"
                  " 1.50(-11.76%)",
        "margin": "毛利率连续2个季度下降超过10%:2025-12-31 40.00%→2026-03-31 30.00%(-25.00%)→"
                  "2026-06-30 25.00%(-16.67%)",
    }


def test_fin_trend_the_same_with_object_columns_and_an_unknown_type_is_no_quarter():
    loans = make_loans({"L1": {"borrower_id": "two"}, "L2": {"borrower_id": "odd"}})
    rows = [_quarter(b, end, 1000.0, 1000.0 * r, kind)
            for b, kind in (("two", "quarter"), ("odd", "weekly"))
            for end, r in (("2026-03-31", 0.50), ("2026-06-30", 0.56), ("2026-09-30", 0.62))]
    typed = sheet(rows)
    expected = {"two": "资产负债率连续2个季度上升超过10%:2026-03-31 50.00%→2026-06-30 56.00%(+12.00%)"
                       "→2026-09-30 62.00%(+10.71%)"}
    assert hits(scan(loans=loans, financials=typed), "EW-FIN-TREND") == expected
    assert hits(scan(loans=loans, financials=typed.astype(object)), "EW-FIN-TREND") == expected


def _months(borrower: str, year: int, months: range, revenue: float, profit: float) -> list:
    ends = pd.date_range(f"{year}-01-31", periods=12, freq="ME")
    return [{"borrower_id": borrower, "period_end": str(ends[m - 1].date()),
             "period_type": "month", "revenue": revenue, "net_profit": profit} for m in months]


def test_fin_3m_below_last_years_month_three_months_running_not_two():
    loans = make_loans({"L1": {"borrower_id": "three"}, "L2": {"borrower_id": "two"}})
    rows = (_months("three", 2025, range(7, 10), 1e6, 1e5)
            + _months("three", 2026, range(7, 10), 8e5, 1.2e5)
            + _months("two", 2025, range(7, 10), 1e6, 1e5)
            + _months("two", 2026, range(7, 9), 8e5, 1e5)
            + _months("two", 2026, range(9, 10), 1e6, 1e5))
    got = hits(scan(loans=loans, financials=sheet(rows)), "EW-FIN-3M")
    assert got == {"three": "营业收入连续3个月低于上年同月:2026-07 80.00万元(上年同月100.00万元)、2026-08 "
                            "80.00万元(上年同月100.00万元)、2026-09 80.00万元(上年同月100.00万元)"}
    policy = Policy.default().replace(warning={"operating_months": 2})
    assert set(hits(scan(loans=loans, financials=sheet(rows), policy=policy),
                    "EW-FIN-3M")) == {"three"}  # two's latest month (September) is not below
    rows = [r for r in rows if not (r["borrower_id"] == "two" and r["period_end"] > "2026-08-31")]
    assert set(hits(scan(loans=loans, financials=sheet(rows), policy=policy),
                    "EW-FIN-3M")) == {"three", "two"}


# --------------------------------------------------------------------------- collateral

def test_collat_drop_more_than_10_percent_from_the_previous_valuation():
    loans = make_loans({"more": {}, "exact": {}, "none": {}, "repaid": {"balance": 0.0}})
    collateral = sheet([
        {"collateral_id": "C1", "loan_id": "more", "appraised_value": 899_999,
         "appraisal_date": "2026-06-01", "previous_value": 1_000_000,
         "previous_appraisal_date": "2025-06-01"},
        {"collateral_id": "C2", "loan_id": "exact", "appraised_value": 900_000,
         "appraisal_date": "2026-06-01", "previous_value": 1_000_000,
         "previous_appraisal_date": "2025-06-01"},
        {"collateral_id": "C3", "loan_id": "none", "appraised_value": 900_000,
         "appraisal_date": "2026-06-01", "previous_value": None,
         "previous_appraisal_date": None},
        {"collateral_id": "C4", "loan_id": "repaid", "appraised_value": 100,
         "appraisal_date": "2026-06-01", "previous_value": 1_000_000,
         "previous_appraisal_date": "2025-06-01"},
    ])
    assert hits(scan(loans=loans, collateral=collateral), "EW-COLLAT-DROP") == {
        "more": "押品C1评估价值90.00万元(2026-06-01),较上次评估100.00万元(2025-06-01)下降10.00%,"
                "超过10%"}


def test_lien2_when_every_collateral_of_the_loan_is_a_second_or_later_lien():
    loans = make_loans({"second": {}, "mixed": {}, "blank": {}})
    collateral = sheet([
        {"collateral_id": "C1", "loan_id": "second", "appraised_value": 1e6,
         "appraisal_date": "2026-06-01", "lien_rank": 2},
        {"collateral_id": "C2", "loan_id": "second", "appraised_value": 1e6,
         "appraisal_date": "2026-06-01", "lien_rank": 3},
        {"collateral_id": "C3", "loan_id": "mixed", "appraised_value": 1e6,
         "appraisal_date": "2026-06-01", "lien_rank": 1},
        {"collateral_id": "C4", "loan_id": "mixed", "appraised_value": 1e6,
         "appraisal_date": "2026-06-01", "lien_rank": 2},
        {"collateral_id": "C5", "loan_id": "blank", "appraised_value": 1e6,
         "appraisal_date": "2026-06-01", "lien_rank": None},
    ])
    assert hits(scan(loans=loans, collateral=collateral), "EW-LIEN2") == {
        "second": "押品C1为第2顺位抵押;押品C2为第3顺位抵押;贷款仅有第2顺位及以后的抵押(二押)"}
    policy = Policy.default().replace(warning={"second_lien_rank": 3})
    assert hits(scan(loans=loans, collateral=collateral, policy=policy), "EW-LIEN2") == {}


# --------------------------------------------------------------------------- our own book

def test_overdue_yellow_up_to_30_days_orange_beyond():
    loans = make_loans({"d1": {"overdue_days": 1}, "d30": {"overdue_days": 30},
                        "d31": {"overdue_days": 31}, "d0": {}})
    s = scan(loans=loans).signals
    s = s.loc[s["signal_id"] == "EW-OVERDUE"]
    assert s[["loan_id", "level", "message"]].values.tolist() == [
        ["d1", "yellow", "本行贷款逾期1天"], ["d30", "yellow", "本行贷款逾期30天"],
        ["d31", "orange", "本行贷款逾期31天"]]


def test_class_down_against_the_previous_snapshot():
    loans = make_loans({"down": {"classification": "special_mention"},
                        "same": {"classification": "special_mention"},
                        "up": {"classification": "normal"}, "new": {"classification": "loss"}})
    before = make_loans({"down": {}, "same": {"classification": "special_mention"},
                         "up": {"classification": "substandard"}})
    previous = Extract(loans=before, as_of=pd.Timestamp("2026-06-30").date())
    assert hits(scan(loans=loans, previous=previous), "EW-CLASS-DOWN") == {
        "down": "五级分类由正常下调为关注(上期2026-06-30)"}


def test_rating_down_on_the_policy_scale_not_up_and_unknown_grades_noted():
    loans = make_loans({"L1": {"borrower_id": "down", "rating": "A"},
                        "L2": {"borrower_id": "up", "rating": "AA"},
                        "L3": {"borrower_id": "odd", "rating": "甲级"}})
    before = make_loans({"L1": {"borrower_id": "down", "rating": "AA"},
                         "L2": {"borrower_id": "up", "rating": "A"},
                         "L3": {"borrower_id": "odd", "rating": "AAA"}})
    previous = Extract(loans=before, as_of=pd.Timestamp("2026-06-30").date())
    report = scan(loans=loans, previous=previous)
    assert hits(report, "EW-RATING-DOWN") == {"down": "信用等级由AA下调为A(上期2026-06-30)"}
    assert report.warnings[0].startswith("EW-RATING-DOWN:1笔贷款的信用等级不在等级表中,未判断:甲级")
    # a rating downgrade alone is no direct-listing case (多选10 C)
    assert not report.watchlist.set_index("borrower_id").loc["down", "direct_listing"]
    scale = Policy.default().replace(warning={"rating_scale": ["A", "AA"]})  # worst first: odd
    assert set(hits(scan(loans=loans, previous=previous, policy=scale), "EW-RATING-DOWN")) == {
        "up"}


# --------------------------------------------------------------------------- the catalogue

def test_catalogue_order_levels_and_duplicate_ids():
    assert list(SIGNALS) == ["EW-OB-OVERDUE", "EW-OB-SUIT", "EW-GROUP", "EW-GUAR-CIRCLE", "EW-OB-NPL90",
                             "EW-FIN-TREND", "EW-FIN-3M", "EW-COLLAT-DROP", "EW-LIEN2",
                             "EW-NEW-OVERDUE", "EW-ENFORCE", "EW-CLASS-DOWN", "EW-OVERDUE",
                             "EW-RATING-DOWN"]
    assert {s.id for s in SIGNALS.values() if s.direct_listing} == {
        "EW-OB-OVERDUE", "EW-OB-SUIT", "EW-GROUP"}
    assert {s.id: str(s.level) for s in SIGNALS.values()}["EW-GROUP"] == "orange"
    assert str(SIGNALS["EW-GUAR-CIRCLE"].level) == "orange"
    signal = SIGNALS["EW-LIEN2"]
    with pytest.raises(ValueError, match="duplicate signal id: EW-LIEN2"):
        build_signals([signal, dataclasses.replace(signal, title_zh="另一个")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        signal.id = "X"  # type: ignore[misc]
    for key in (k for s in SIGNALS.values() for k in s.params):
        Policy.default().value(key)


def test_warning_policy_values_are_checked():
    with pytest.raises(PolicyError, match="warning.second_lien_rank"):
        Policy.from_dict({"warning": {"second_lien_rank": 1}})
    with pytest.raises(PolicyError, match="repeated: AA"):
        Policy.from_dict({"warning": {"rating_scale": ["AA", "A", "AA"]}})
    with pytest.raises(PolicyError, match="warning.other_bank_npl90_share"):
        Policy.from_dict({"warning": {"other_bank_npl90_share": 1.5}})
