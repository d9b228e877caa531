"""Rules over the borrower's file (押品, 保证, 财务报表, 名单): exact loans flagged on both sides
of each threshold. Check date 2026-09-30; balances 1,000,000 yuan unless stated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from checks_factory import AS_OF, flagged, make_loans, messages

from postloan_audit import Extract, Policy, PolicyError, run_checks


def sheet(rows: list[dict]) -> pd.DataFrame:
    """A canonical borrower-file sheet from dicts: dates and amounts typed, ids as text."""
    frame = pd.DataFrame(rows)
    for name in frame.columns:
        if name.endswith(("_date", "_end", "_expiry")):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        elif name in ("appraised_value", "previous_value", "prior_claims", "guaranteed_amount",
                      "total_assets", "revenue"):
            frame[name] = frame[name].astype("float64")
        elif name in ("audited",):
            frame[name] = frame[name].astype(bool)
        elif name == "lien_rank":
            frame[name] = frame[name].astype(np.int64)
        else:
            frame[name] = frame[name].astype("str")
    return frame


def _c(collateral_id: str, loan_id: str, value: float, kind: str = "residential",
       appraised: str = "2026-06-01", **more) -> dict:
    return {"collateral_id": collateral_id, "loan_id": loan_id, "collateral_type": kind,
            "appraised_value": value, "appraisal_date": appraised, **more}


# --------------------------------------------------------------------------- collateral

def test_collat_cover_counts_prior_claims_ltv_and_shared_collateral_pro_rata():
    loans = make_loans({
        "enough": {}, "short": {}, "equal": {"balance": 700_000.0},
        "shared_big": {"balance": 1_500_000.0}, "shared_small": {"balance": 600_000.0},
        "prior": {}, "two": {}, "untyped": {}, "released": {}, "no_rows": {},
    })
    collateral = sheet([
        _c("C1", "enough", 1_500_000), _c("C2", "short", 1_400_000),
        _c("C8", "equal", 1_000_000),
        _c("C3", "shared_big", 4_000_000, "plant"), _c("C3", "shared_small", 4_000_000, "plant"),
        _c("C4", "prior", 2_000_000, "commercial", prior_claims=500_000),
        _c("C6", "two", 600_000, "deposit"), _c("C7", "two", 1_000_000, "vehicle"),
        _c("C9", "untyped", 1_900_000, None),
        _c("C5", "released", 100_000, release_date="2026-09-01"),
    ])
    extract = Extract(loans=loans, collateral=collateral)
    got = messages(extract, "COLLAT-COVER")
    assert set(got) == {"short", "prior", "untyped"}
    assert got["short"] == ("押品可担保价值98.00万元(评估价值140.00万元,扣除优先受偿0.00万元后按各类押品"
                            "抵押率折算;共用押品按贷款余额分摊),低于贷款余额100.00万元;抵质押价值应足以覆盖贷款")
    assert got["prior"].startswith("押品可担保价值90.00万元(评估价值200.00万元,扣除优先受偿50.00万元")
    assert got["untyped"].startswith("押品可担保价值95.00万元")  # other: 50%
    policy = Policy.default().replace(collateral={"max_ltv_residential": 0.72,
                                                  "max_ltv_other": 0.53})
    assert flagged(extract, "COLLAT-COVER", policy=policy) == {"prior"}
    with pytest.raises(PolicyError, match="max_ltv"):
        Policy.default().replace(collateral={"max_ltv_plant": 1.2})


def test_collat_cover_takes_a_row_without_a_collateral_id_on_its_own():
    """A frame given in code may hold a blank collateral id (the loader refuses such rows):
    the row stands alone, never shared with another blank one."""
    loans = make_loans({"a": {}, "b": {}})
    collateral = sheet([_c("", "a", 1_500_000), _c("", "b", 1_400_000)])
    collateral["collateral_id"] = pd.Series([None, None], dtype="str")
    assert flagged(Extract(loans=loans, collateral=collateral), "COLLAT-COVER") == {"b"}


def test_collat_insure_expired_before_d_on_insurable_types_only():
    loans = make_loans({"expired": {}, "expires_on_d": {}, "deposit": {}, "blank": {},
                        "repaid": {"balance": 0.0}})
    collateral = sheet([
        _c("C1", "expired", 2e6, insurance_expiry="2026-09-29"),
        _c("C2", "expires_on_d", 2e6, insurance_expiry="2026-09-30"),
        _c("C3", "deposit", 2e6, "deposit", insurance_expiry="2026-01-01"),
        _c("C4", "blank", 2e6, insurance_expiry=None),
        _c("C5", "repaid", 2e6, insurance_expiry="2025-01-01"),
    ])
    report = run_checks(Extract(loans=loans, collateral=collateral), as_of=AS_OF,
                        rules=["COLLAT-INSURE"])
    assert dict(zip(report.findings["loan_id"], report.findings["message"], strict=True)) == {
        "expired": "押品C1(住房)保险已于2026-09-29到期;押品保险应在贷款存续期内保持有效"}
    assert report.findings["days_late"].tolist() == [1]
    assert report.warnings == ("COLLAT-INSURE:1项应投保押品无保险到期日,未检查 / insurable"
                               " collateral without insurance_expiry not judged",)


def test_collat_release_while_the_loan_is_outstanding():
    loans = make_loans({"released": {}, "after_d": {}, "repaid": {"balance": 0.0}})
    collateral = sheet([
        _c("C1", "released", 2e6, release_date="2026-09-01"),
        _c("C2", "after_d", 2e6, release_date="2026-10-01"),
        _c("C3", "repaid", 2e6, release_date="2026-09-01"),
    ])
    assert messages(Extract(loans=loans, collateral=collateral), "COLLAT-RELEASE") == {
        "released": "押品C1已于2026-09-01解押,贷款仍有余额100.00万元;贷款结清前不得解除抵质押"}


def test_collat_reval_by_type_with_the_register():
    loans = make_loans({"plant_in": {}, "plant_out": {}, "plant_internal": {},
                        "house_in": {}, "house_out": {}})
    collateral = sheet([
        _c("P1", "plant_in", 2e6, "plant", "2026-03-30", appraiser="external"),
        _c("P2", "plant_out", 2e6, "equipment", "2026-03-29", appraiser="external"),
        _c("P3", "plant_internal", 2e6, "plant", "2026-06-01", appraiser="internal"),
        _c("H1", "house_in", 2e6, "residential", "2025-09-30", appraiser="internal"),
        _c("H2", "house_out", 2e6, "residential", "2025-09-29", appraiser="external"),
    ])
    got = messages(Extract(loans=loans, collateral=collateral), "COLLAT-REVAL")
    assert got == {
        "plant_out": "押品P2(机器设备)最近一次评估2026-03-29,距检查日185天,厂房、机器设备应每6个月由第三方评估一次",
        "plant_internal": "押品P3(厂房)最近一次评估2026-06-01,为内部评估,厂房、机器设备应每6个月由第三方评估一次",
        "house_out": "押品H2(住房)最近一次评估2025-09-29,距检查日366天,押品价值应每12个月至少重估一次",
    }


def test_collat_drop_from_the_previous_valuation():
    loans = make_loans({"ninety": {}, "below": {}, "secured_more": {"additional_guarantee": True}})
    collateral = sheet([
        _c("C1", "ninety", 900_000, previous_value=1_000_000),
        _c("C2", "below", 899_999, previous_value=1_000_000),
        _c("C3", "secured_more", 500_000, previous_value=1_000_000),
    ])
    assert messages(Extract(loans=loans, collateral=collateral), "COLLAT-DROP") == {
        "below": "押品C2评估价值90.00万元,较上次评估100.00万元下降10.00%,超过10%;未追加担保"}


# --------------------------------------------------------------------------- guarantors, statements

def test_guar_rating_in_the_new_fiscal_year():
    loans = make_loans({"renewed": {}, "stale": {}, "person": {}, "repaid": {"balance": 0.0}})
    guarantees = sheet([
        {"loan_id": "renewed", "guarantor_id": "G1", "guarantor_name": "甲公司",
         "guarantor_type": "corporate", "guarantor_rating_date": "2026-01-01"},
        {"loan_id": "stale", "guarantor_id": "G2", "guarantor_name": "乙担保公司",
         "guarantor_type": "guarantee_company", "guarantor_rating_date": "2025-12-31"},
        {"loan_id": "person", "guarantor_id": "G3", "guarantor_name": "张某",
         "guarantor_type": "individual", "guarantor_rating_date": "2020-01-01"},
        {"loan_id": "repaid", "guarantor_id": "G2", "guarantor_name": "乙担保公司",
         "guarantor_type": "guarantee_company", "guarantor_rating_date": "2025-12-31"},
    ])
    assert messages(Extract(loans=loans, guarantees=guarantees), "GUAR-RATING") == {
        "stale": ("保证人乙担保公司最近一次信用评级2025-12-31;2026年度的保证人信用评级应不晚于2026-01-29"
                  "(新年度第20个工作日)完成,保证人信用评级应在每个新的会计年度内更新")}


def _statement(borrower: str, end: str, kind: str | None, audited: bool = True,
               received: str | None = None) -> dict:
    return {"borrower_id": borrower, "period_end": end, "period_type": kind,
            "audited": audited, "received_date": received}


def test_fin_statements_last_half_year_and_annual_due_and_audited():
    # At 2026-09-30: the 2025 half-year statement (due 2025-09-30) and the 2025 annual one
    # (due 2026-05-31) are due; the 2026 half-year one is due only after 2026-09-30.
    old = {"disbursement_date": "2024-06-01"}
    loans = make_loans({
        "full": {**old, "borrower_id": "F"}, "full_2": {**old, "borrower_id": "F"},
        "no_half": {**old, "borrower_id": "N"}, "unaudited": {**old, "borrower_id": "U"},
        "late_annual": {**old, "borrower_id": "L"}, "quarterly": {**old, "borrower_id": "Q"},
        "new_client": {"disbursement_date": "2026-03-01", "borrower_id": "NEW"},
        "person": {**old, "borrower_id": "P", "customer_type": "individual"},
    })
    financials = sheet([
        _statement("F", "2025-06-30", "half"), _statement("F", "2025-12-31", "year"),
        _statement("N", "2025-12-31", "year"),
        _statement("U", "2025-06-30", None), _statement("U", "2025-12-31", "year", False),
        _statement("L", "2025-06-30", "half"),
        _statement("L", "2025-12-31", "year", received="2026-10-05"),
        _statement("Q", "2025-06-30", "quarter"), _statement("Q", "2025-12-31", "year"),
    ])
    report = run_checks(Extract(loans=loans, financials=financials), as_of=AS_OF,
                        rules=["FIN-STATEMENTS"])
    tail = "借款人应至少按半年、年度报送财务报表,年度报表原则上应经会计师事务所审计"
    assert dict(zip(report.findings["loan_id"], report.findings["message"], strict=True)) == {
        "no_half": "缺少2025年半年报表(应于2025-09-30前报送);" + tail,
        "unaudited": "2025年度报表未经审计;" + tail,
        "late_annual": "缺少2025年度报表(应于2026-05-31前报送);" + tail,
        "quarterly": "缺少2025年半年报表(应于2025-09-30前报送);" + tail,
    }
    assert dict(zip(report.findings["loan_id"], report.findings["due_date"].dt.date.astype(str),
                    strict=True))["late_annual"] == "2026-05-31"
    # one day after the 2026 half-year deadline, that statement is due instead
    assert flagged(Extract(loans=loans, financials=financials), "FIN-STATEMENTS",
                   as_of="2026-10-01") >= {"full", "full_2"}


def test_fin_statements_deadline_is_a_policy_value():
    # On 2026-06-15 the 2025 annual statement is due by 2026-05-31 (5 months); with 6 months
    # it is not due yet, and the 2024 one is.
    loans = make_loans({"a": {"disbursement_date": "2024-06-01"}})
    financials = sheet([_statement("B-a", "2025-06-30", "half"),
                        _statement("B-a", "2024-12-31", "year")])
    extract = Extract(loans=loans, financials=financials)
    assert messages(extract, "FIN-STATEMENTS", as_of="2026-06-15") == {
        "a": "缺少2025年度报表(应于2026-05-31前报送);借款人应至少按半年、年度报送财务报表,"
             "年度报表原则上应经会计师事务所审计"}
    longer = Policy.from_dict({"financials": {"annual_months": 6}})
    assert flagged(extract, "FIN-STATEMENTS", as_of="2026-06-15", policy=longer) == set()


# --------------------------------------------------------------------------- lists

def _entry(borrower: str, kind: str, listed: str, removed: str | None = None) -> dict:
    return {"borrower_id": borrower, "list_type": kind, "listed_date": listed,
            "removed_date": removed}


def test_list_mode_watch_and_monitor_borrowers_in_key_mode():
    loans = make_loans({
        "watched": {"borrower_id": "W"}, "watched_key": {"borrower_id": "W",
                                                         "management_mode": "key"},
        "monitored": {"borrower_id": "M"}, "removed": {"borrower_id": "R"},
        "future": {"borrower_id": "FU"}, "exit": {"borrower_id": "E"},
    })
    lists = sheet([_entry("W", "watch", "2026-03-01"), _entry("M", "monitor", "2026-05-01"),
                   _entry("R", "watch", "2026-01-01", "2026-09-01"),
                   _entry("FU", "watch", "2026-10-01"), _entry("E", "exit", "2026-01-01")])
    assert messages(Extract(loans=loans, lists=lists), "LIST-MODE") == {
        "watched": ("客户已列入监控名单(2026-03-01列入),该笔贷款管理方式为常规;列入授信风险监控名单或"
                    "重点监测名单的客户应实行重点管理"),
        "monitored": ("客户已列入重点监测(2026-05-01列入),该笔贷款管理方式为常规;列入授信风险监控名单或"
                      "重点监测名单的客户应实行重点管理"),
    }


def test_list_newcredit_after_an_exit_reduce_or_restrict_listing():
    loans = make_loans({
        "after": {"borrower_id": "E", "disbursement_date": "2026-03-01"},
        "same_day": {"borrower_id": "E", "disbursement_date": "2026-01-15"},
        "after_removal": {"borrower_id": "R", "disbursement_date": "2026-03-01"},
        "watch_only": {"borrower_id": "W", "disbursement_date": "2026-03-01"},
        "reduce": {"borrower_id": "C", "disbursement_date": "2026-08-01"},
    })
    lists = sheet([_entry("E", "exit", "2026-01-15"), _entry("R", "restrict", "2026-01-01",
                                                             "2026-02-01"),
                   _entry("W", "watch", "2026-01-01"), _entry("C", "reduce", "2026-07-31")])
    assert messages(Extract(loans=loans, lists=lists), "LIST-NEWCREDIT") == {
        "after": "客户于2026-01-15列入退出名单,本笔贷款于2026-03-01发放;列入退出、压缩或限制类名单后不得新增授信",
        "reduce": "客户于2026-07-31列入压缩名单,本笔贷款于2026-08-01发放;列入退出、压缩或限制类名单后不得新增授信",
    }


def test_an_exit_listing_makes_an_exit_list_client_for_exit_visit():
    loans = make_loans({"listed": {"borrower_id": "E"}, "flagged_by_ledger": {"exit_list": True},
                        "not_listed": {}}, drop=["exit_list"])
    lists = sheet([_entry("E", "exit", "2026-01-15")])
    assert flagged(Extract(loans=loans, lists=lists), "EXIT-VISIT") == {"listed"}


def test_ids_that_match_nothing_are_counted_and_named_by_the_loader(tmp_path):
    import openpyxl

    import postloan_audit as pa

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "贷款台账"
    ws.append(["借据号", "客户号", "经营机构", "贷款余额", "五级分类", "担保方式"])
    ws.append(["L1", "C1", "城关支行", 1000, "正常", "抵押"])
    ws = book.create_sheet("押品")
    ws.append(["押品编号", "借据号", "押品类型", "评估价值", "评估日期"])
    ws.append(["P1", "L1", "住房", 2000, "2026-06-01"])
    ws.append(["P2", "L9", "商铺", 2000, "2026-06-01"])
    ws = book.create_sheet("名单")
    ws.append(["客户号", "名单类型", "列入日期"])
    ws.append(["C8", "退出", "2026-01-01"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    extract = pa.load_extract(path)
    assert extract.collateral["collateral_type"].tolist() == ["residential", "commercial"]
    warnings = extract.issues.loc[extract.issues["severity"] == "warning", "message"].tolist()
    assert warnings == ["押品中有 1 行的借据号不在贷款台账中(如 L9) / 1 collateral rows refer to loans"
                        " not in the loans sheet",
                        "名单中有 1 行的客户号不在贷款台账中(如 C8) / 1 lists rows refer to borrowers"
                        " not in the loans sheet"]
