"""Tests of the portfolio measures: exact figures on small hand-built canonical frames."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import postloan_audit as pa
from postloan_audit import portfolio as pf
from postloan_audit.core.errors import DateError
from postloan_audit.core.schema import CLASSIFICATIONS
from postloan_audit.portfolio import _common, masking, measures, migration, quality, timeliness
from postloan_audit.portfolio.migration import SNAPSHOT_LOAN_COLUMNS
from postloan_audit.portfolio.quality import OVERDUE_BUCKET_LABELS
from postloan_audit.supervision.planning import ReviewPlanPolicy

CLASSES = list(CLASSIFICATIONS)
BUCKETS = ["1–30", "31–60", "61–90", "91–180", "181–270", "271–360", ">360"]


def make_loans(rows: list[dict[str, Any]], **columns: Any) -> pd.DataFrame:
    """A canonical loans frame: defaults for the required columns, dtypes as the loader's."""
    defaults = {"borrower_id": None, "branch": "A支行", "classification": "normal"}
    records = [{**defaults, **r} for r in rows]
    for i, r in enumerate(records):
        r.setdefault("loan_id", f"L{i + 1}")
        if r["borrower_id"] is None:
            r["borrower_id"] = f"B{i + 1}"
    keys = ["loan_id", "borrower_id", "branch", "balance", "classification"]
    keys += [k for k in dict.fromkeys(k for r in records for k in r) if k not in keys]
    frame = pd.DataFrame({k: [r.get(k) for r in records] for k in keys})
    if not records:
        frame = pd.DataFrame({k: [] for k in keys})
    for k in ("loan_id", "borrower_id", "branch", "borrower_name", "customer_type", "id_number",
              "management_mode", "repayment_method"):
        if k in frame.columns:
            frame[k] = frame[k].astype("str")
    frame["balance"] = frame["balance"].astype("float64")
    frame["classification"] = pd.Categorical(frame["classification"], categories=CLASSES,
                                             ordered=True)
    if "overdue_days" in frame.columns:
        frame["overdue_days"] = frame["overdue_days"].astype("int64")
    for k in ("disbursement_date", "last_inspection_date"):
        if k in frame.columns:
            frame[k] = pd.to_datetime(frame[k]).astype("datetime64[ns]")
    for k, v in columns.items():
        frame[k] = v
    return frame


# =========================================================================== KPIs


def kpi_loans(**extra: Any) -> pd.DataFrame:
    return make_loans([
        {"balance": 100.0, "borrower_id": "B1", "overdue_days": 0},
        {"balance": 200.0, "borrower_id": "B1", "classification": "special_mention",
         "overdue_days": 10},
        {"balance": 300.0, "borrower_id": "B2", "classification": "substandard",
         "overdue_days": 91},
        {"balance": 400.0, "borrower_id": "B3", "classification": "loss", "overdue_days": 90},
        {"balance": 0.0, "borrower_id": "B4", "classification": "doubtful", "overdue_days": 400},
    ], **extra)


def test_kpis_count_active_loans_and_ratios_by_balance() -> None:
    k = pf.portfolio_kpis(kpi_loans())
    assert (k.loans, k.borrowers, k.balance) == (4, 3, 1000.0)
    assert (k.npl_balance, k.special_mention_balance) == (700.0, 200.0)
    assert k.npl_ratio == pytest.approx(0.7)
    assert k.special_mention_ratio == pytest.approx(0.2)
    # 91 days counts, 90 does not, the paid-off loan 400 days overdue does not
    assert k.overdue_90_balance == 300.0
    assert k.overdue_90_ratio == pytest.approx(0.3)
    assert k.notes == ()


def test_kpis_to_frame_shows_formatted_values() -> None:
    frame = pf.portfolio_kpis(kpi_loans()).to_frame()
    assert frame["key"].tolist() == ["loans", "borrowers", "balance", "npl_ratio",
                                     "special_mention_ratio", "overdue_90_ratio"]
    assert frame["text"].tolist() == ["4", "3", "1,000.00", "70.00%", "20.00%", "30.00%"]
    assert frame["label_zh"].tolist()[3:] == ["不良贷款率", "关注类贷款占比", "逾期90天以上贷款占比"]


def test_kpis_without_overdue_days_report_none_and_say_so() -> None:
    k = pf.portfolio_kpis(kpi_loans().drop(columns="overdue_days"))
    assert k.overdue_90_balance is None and k.overdue_90_ratio is None
    assert k.npl_ratio == pytest.approx(0.7)
    assert k.notes == ("台账未提供逾期天数列,无法计算逾期90天以上贷款占比 / overdue_days not "
                       "provided: the >90-day overdue ratio cannot be computed",)
    assert pf.portfolio_kpis(kpi_loans().drop(columns="overdue_days")).to_frame()["text"].iloc[5] \
        == "—"


def test_kpis_of_empty_ledger_are_zero_and_ratios_none() -> None:
    k = pf.portfolio_kpis(make_loans([], overdue_days=pd.Series([], dtype="int64")))
    assert (k.loans, k.borrowers, k.balance) == (0, 0, 0.0)
    assert (k.npl_ratio, k.special_mention_ratio, k.overdue_90_ratio) == (None, None, None)
    assert k.notes == ("无在贷贷款(余额大于零),各项占比无法计算 / no active loans: ratios undefined",)


def test_active_loan_without_classification_is_an_error_naming_it() -> None:
    loans = make_loans([{"balance": 1.0}, {"balance": 2.0, "loan_id": "X9"}])
    loans["classification"] = pd.Categorical(["normal", None], categories=CLASSES, ordered=True)
    with pytest.raises(ValueError, match="贷款台账中1笔在贷贷款无有效五级分类:X9 / 1 active loan"):
        pf.portfolio_kpis(loans)


def test_missing_required_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="贷款台账缺少列:classification / .* lacks columns: "
                                         "classification"):
        pf.portfolio_kpis(kpi_loans().drop(columns="classification"))


def test_plain_string_classification_is_accepted() -> None:
    loans = kpi_loans()
    loans["classification"] = loans["classification"].astype("str")
    assert pf.portfolio_kpis(loans).npl_balance == 700.0


# =========================================================================== balance by class


def test_balance_by_class_has_every_class_column_and_sorted_branches() -> None:
    loans = make_loans([
        {"branch": "乙支行", "balance": 10.0},
        {"branch": "乙支行", "balance": 5.0, "classification": "doubtful"},
        {"branch": "甲支行", "balance": 7.0, "classification": "special_mention"},
        {"branch": "甲支行", "balance": 1.0},
        {"branch": "丙支行", "balance": 0.0, "classification": "loss"},  # paid off: no row
    ])
    out = pf.balance_by_class(loans)
    assert out.columns.tolist() == ["branch", *CLASSES, "total"]
    assert out["branch"].tolist() == sorted(["乙支行", "甲支行"])
    by = out.set_index("branch")
    assert by.loc["乙支行"].tolist() == [10.0, 0.0, 0.0, 5.0, 0.0, 15.0]
    assert by.loc["甲支行"].tolist() == [1.0, 7.0, 0.0, 0.0, 0.0, 8.0]
    assert str(out["branch"].dtype) == "str"


def test_balance_by_class_of_empty_ledger_has_columns_and_no_rows() -> None:
    out = pf.balance_by_class(make_loans([]))
    assert out.columns.tolist() == ["branch", *CLASSES, "total"]
    assert len(out) == 0


# =========================================================================== overdue buckets

EDGE_DAYS = [0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 270, 271, 360, 361, 5000]


def bucket_loans() -> pd.DataFrame:
    # balance 2**i tells which loans landed in a bucket
    rows = [{"balance": float(2 ** i), "overdue_days": d, "branch": "甲" if i % 2 else "乙"}
            for i, d in enumerate(EDGE_DAYS)]
    rows.append({"balance": 0.0, "overdue_days": 45, "branch": "甲"})  # not active
    return make_loans(rows)


def test_bucket_labels_are_exact() -> None:
    assert list(OVERDUE_BUCKET_LABELS) == BUCKETS


def test_overdue_buckets_put_each_edge_day_on_its_side() -> None:
    out = pf.overdue_buckets(bucket_loans())
    assert out.columns.tolist() == ["bucket", "count", "balance"]
    assert out["bucket"].tolist() == BUCKETS
    assert out["count"].tolist() == [2, 2, 2, 2, 2, 2, 2]
    # 1,30 | 31,60 | 61,90 | 91,180 | 181,270 | 271,360 | 361,5000 (day 0 in no bucket)
    pairs = [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14)]
    assert out["balance"].tolist() == [float(2 ** a + 2 ** b) for a, b in pairs]
    assert out["count"].dtype == np.int64 and out["balance"].dtype == np.float64


def test_overdue_buckets_by_branch_show_every_bucket_of_every_branch() -> None:
    out = pf.overdue_buckets(bucket_loans(), by_branch=True)
    assert out.columns.tolist() == ["branch", "bucket", "count", "balance"]
    assert out["branch"].tolist() == ["乙"] * 7 + ["甲"] * 7
    assert out["bucket"].tolist() == BUCKETS * 2
    # odd positions (甲) are the smaller day of each pair, even (乙) the larger
    assert out["count"].tolist() == [1] * 14
    assert out.loc[out["branch"] == "甲", "balance"].tolist() == [
        float(2 ** i) for i in (1, 3, 5, 7, 9, 11, 13)]


def test_overdue_buckets_of_a_ledger_with_no_overdue_loan_are_all_zero() -> None:
    out = pf.overdue_buckets(make_loans([{"balance": 5.0, "overdue_days": 0}]), by_branch=True)
    assert out["branch"].tolist() == ["A支行"] * 7
    assert out["count"].tolist() == [0] * 7 and out["balance"].tolist() == [0.0] * 7
    empty = pf.overdue_buckets(make_loans([], overdue_days=pd.Series([], dtype="int64")))
    assert empty["bucket"].tolist() == BUCKETS and empty["count"].sum() == 0


def test_overdue_buckets_need_overdue_days() -> None:
    with pytest.raises(ValueError, match="^台账未提供逾期天数列,无法分段 / overdue_days not "
                                         "provided: no overdue buckets$"):
        pf.overdue_buckets(make_loans([{"balance": 1.0}]))


def test_custom_bucket_edges_relabel_and_validate() -> None:
    out = pf.overdue_buckets(bucket_loans(), edges=(90,))
    assert out["bucket"].tolist() == ["1–90", ">90"]
    assert out["count"].tolist() == [6, 8]
    with pytest.raises(ValueError, match="递增正整数"):
        pf.overdue_buckets(bucket_loans(), edges=(60, 30))


# =========================================================================== concentration


def concentration_loans() -> pd.DataFrame:
    rows = [{"borrower_id": f"C{i:02d}", "balance": float(10 * i), "borrower_name": f"公司{i}",
             "customer_type": "corporate"} for i in range(1, 13)]
    rows += [
        {"borrower_id": "C12", "balance": 5.0, "borrower_name": "公司12",
         "customer_type": "corporate"},                          # C12: 125 in two loans
        {"borrower_id": "P1", "balance": 125.0, "borrower_name": "张三",
         "customer_type": "individual"},                         # tie with C12
        {"borrower_id": "C01", "balance": 0.0},                  # paid off: not counted
    ]
    return make_loans(rows)


def test_top_borrowers_ranked_by_balance_ties_by_id() -> None:
    c = pf.top_borrower_concentration(concentration_loans(), n=4)
    t = c.table
    assert t.columns.tolist() == ["rank", "borrower_id", "borrower_name", "customer_type",
                                  "loans", "balance", "share", "cumulative_share"]
    assert t["borrower_id"].tolist() == ["C12", "P1", "C11", "C10"]
    assert t["rank"].tolist() == [1, 2, 3, 4]
    assert t["loans"].tolist() == [2, 1, 1, 1]
    assert t["balance"].tolist() == [125.0, 125.0, 110.0, 100.0]
    total = 10.0 * sum(range(1, 13)) + 5.0 + 125.0  # 910
    assert c.total_balance == total
    np.testing.assert_allclose(t["share"], [125 / 910, 125 / 910, 110 / 910, 100 / 910])
    np.testing.assert_allclose(t["cumulative_share"], [125 / 910, 250 / 910, 360 / 910, 460 / 910])
    assert c.share == pytest.approx(460 / 910)


def test_top_ten_by_default_and_all_when_fewer() -> None:
    c = pf.top_borrower_concentration(concentration_loans())
    assert c.n == 10 and len(c.table) == 10
    few = pf.top_borrower_concentration(make_loans([{"balance": 3.0}, {"balance": 1.0}]))
    assert few.table["borrower_id"].tolist() == ["B1", "B2"]
    assert few.share == pytest.approx(1.0)
    assert few.table.columns.tolist() == ["rank", "borrower_id", "loans", "balance", "share",
                                          "cumulative_share"]


def test_top_borrowers_of_empty_ledger() -> None:
    c = pf.top_borrower_concentration(make_loans([]))
    assert len(c.table) == 0 and c.share is None and c.total_balance == 0.0


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_top_borrowers_reject_bad_n(n: Any) -> None:
    with pytest.raises(ValueError, match="前N户的N须为正整数"):
        pf.top_borrower_concentration(concentration_loans(), n=n)


# =========================================================================== timeliness

AS_OF = dt.date(2026, 9, 30)


def timeliness_loans() -> pd.DataFrame:
    """Regular-mode corporate loans: normal every 6 months, special mention every 3."""
    base = {"customer_type": "corporate", "management_mode": "regular",
            "disbursement_date": "2025-01-15"}
    return make_loans([
        {**base, "branch": "甲", "balance": 1.0, "last_inspection_date": "2026-03-30"},  # due 9-30
        {**base, "branch": "甲", "balance": 1.0, "last_inspection_date": "2026-03-29"},  # late
        {**base, "branch": "乙", "balance": 1.0, "classification": "special_mention",
         "last_inspection_date": "2026-06-30"},                                        # due 9-30
        {**base, "branch": "乙", "balance": 1.0, "classification": "special_mention",
         "last_inspection_date": "2026-06-29"},                                        # late
        {**base, "branch": "乙", "balance": 1.0, "last_inspection_date": "2026-09-01"},
        {**base, "branch": "乙", "balance": 0.0, "last_inspection_date": "2020-01-01"},  # paid off
    ])


def test_timeliness_agrees_with_insp_freq() -> None:
    loans = timeliness_loans()
    t = pf.inspection_timeliness(loans, as_of=AS_OF)
    flagged = pa.run_checks(loans, as_of=AS_OF, rules=["INSP-FREQ"]).findings["loan_id"]
    assert sorted(flagged) == ["L2", "L4"]
    assert (t.loans, t.overdue) == (5, 2)
    assert t.share == pytest.approx(0.6)
    assert t.not_run_reason is None and t.as_of == AS_OF
    assert t.by_branch["branch"].tolist() == ["乙", "甲"]
    assert t.by_branch["loans"].tolist() == [3, 2]
    assert t.by_branch["overdue"].tolist() == [1, 1]
    np.testing.assert_allclose(t.by_branch["share"], [2 / 3, 0.5])


def test_timeliness_without_the_data_says_why_and_gives_none() -> None:
    t = pf.inspection_timeliness(timeliness_loans().drop(columns="last_inspection_date"),
                                 as_of=AS_OF)
    assert t.share is None and t.overdue == 0 and t.loans == 5
    assert t.not_run_reason is not None and t.not_run_reason.startswith("缺少所需数据:")
    assert t.by_branch["share"].isna().all()


# =========================================================================== review coverage


def coverage_branches() -> pd.DataFrame:
    return pd.DataFrame({
        "branch": pd.Series(["A", "A", "B", "C", "D", "E"], dtype="str"),
        "last_onsite_review_date": pd.to_datetime(
            ["2023-01-01", "2024-09-30", "2024-09-29", None, "2026-01-01", "2025-12-31"]),
    })


def test_review_coverage_two_year_and_annual_rules() -> None:
    c = pf.review_coverage(coverage_branches(), as_of="2026-09-30")
    assert c.as_of == dt.date(2026, 9, 30)
    assert c.branches == 5
    # A (2024-09-30, due on as_of: still in time), D, E; B one day late; C never
    assert c.reviewed_in_cycle == 3 and c.cycle_share == pytest.approx(0.6)
    assert c.table["branch"].tolist() == ["A", "B", "C", "D", "E"]
    assert c.table["in_cycle"].tolist() == [True, False, False, True, True]
    # this year: D (2026-01-01) yes, E (2025-12-31) no
    assert c.table["this_year"].tolist() == [False, False, False, True, False]
    assert c.reviewed_this_year == 1 and c.year_share == pytest.approx(0.2)
    assert (c.target_share, c.required_this_year, c.meets_annual_target) == (0.4, 2, False)
    assert c.overdue["branch"].tolist() == ["C", "B"]
    assert c.overdue["days_overdue"].tolist()[1] == 1
    assert pd.isna(c.overdue["days_overdue"].iloc[0])
    assert c.overdue["due_date"].iloc[1] == pd.Timestamp("2026-09-29")
    assert c.overdue["reason"].tolist() == [
        "无现场检查记录;应2年内至少现场检查一次",
        "最近现场检查 2024-09-29,已超过2年未现场检查(应于 2026-09-29 前检查)"]
    assert c.notes == ()


def test_review_coverage_meets_target_at_exactly_forty_percent() -> None:
    branches = coverage_branches()
    branches.loc[5, "last_onsite_review_date"] = pd.Timestamp("2026-01-01")  # E this year
    c = pf.review_coverage(branches, as_of=dt.date(2026, 9, 30))
    assert (c.reviewed_this_year, c.required_this_year, c.meets_annual_target) == (2, 2, True)
    strict = pf.review_coverage(branches, as_of="2026-09-30",
                                policy=ReviewPlanPolicy(min_annual_coverage=0.41))
    assert (strict.required_this_year, strict.meets_annual_target) == (3, False)


def test_review_coverage_adds_branches_known_only_from_loans() -> None:
    loans = make_loans([{"branch": "A", "balance": 1.0}, {"branch": "F", "balance": 2.0},
                        {"branch": "G", "balance": 0.0}])
    c = pf.review_coverage(coverage_branches(), as_of="2026-09-30", loans=loans)
    assert c.branches == 6 and c.table["branch"].tolist() == ["A", "B", "C", "D", "E", "F"]
    assert c.overdue["branch"].tolist() == ["C", "F", "B"]
    assert c.notes == ("1家机构有在贷贷款但不在机构表中,按从未现场检查计:F / 1 branch(es) with "
                       "loans missing from the branches sheet counted as never reviewed",)


def test_review_coverage_of_no_branch_and_bad_date() -> None:
    empty = pd.DataFrame({"branch": pd.Series([], dtype="str"),
                          "last_onsite_review_date": pd.Series([], dtype="datetime64[ns]")})
    c = pf.review_coverage(empty, as_of="2026-09-30")
    assert (c.branches, c.cycle_share, c.year_share, c.required_this_year) == (0, None, None, 0)
    with pytest.raises(DateError) as info:
        pf.review_coverage(empty, as_of="not a date")
    assert str(info.value) == (
        "统计日期无效:'not a date',应为日期,如 2026-09-30、2026/9/30、2026年9月30日 或 20260930 / "
        "invalid as_of 'not a date': expected a date such as 2026-09-30, 2026/9/30, "
        "2026年9月30日 or 20260930")
    with pytest.raises(ValueError, match="机构表缺少列:last_onsite_review_date"):
        pf.review_coverage(empty.drop(columns="last_onsite_review_date"), as_of="2026-09-30")


# =========================================================================== migration


def snapshots() -> tuple[pd.DataFrame, pd.DataFrame]:
    before = make_loans([
        {"loan_id": "L1", "balance": 100.0},
        {"loan_id": "L2", "balance": 200.0, "classification": "special_mention"},
        {"loan_id": "L3", "balance": 300.0, "classification": "special_mention"},
        {"loan_id": "L4", "balance": 400.0, "classification": "substandard"},
        {"loan_id": "L5", "balance": 50.0, "classification": "special_mention"},  # repaid
        {"loan_id": "L6", "balance": 10.0},                                       # 0 after
    ])
    after = make_loans([
        {"loan_id": "L7", "balance": 500.0},                                      # new
        {"loan_id": "L1", "balance": 90.0, "classification": "special_mention"},
        {"loan_id": "L2", "balance": 150.0, "classification": "substandard"},
        {"loan_id": "L3", "balance": 280.0, "classification": "special_mention"},
        {"loan_id": "L4", "balance": 400.0, "classification": "doubtful"},
        {"loan_id": "L6", "balance": 0.0},
    ])
    return before, after


def expected_matrix(cells: dict[tuple[str, str], float]) -> np.ndarray:
    m = np.zeros((5, 5))
    for (a, b), v in cells.items():
        m[CLASSES.index(a), CLASSES.index(b)] = v
    return m


def test_migration_by_balance_weighs_the_earlier_balance() -> None:
    before, after = snapshots()
    m = pf.migration_matrix(before, after)
    assert m.by == "balance"
    assert m.matrix.index.tolist() == CLASSES and m.matrix.columns.tolist() == CLASSES
    assert (m.matrix.index.name, m.matrix.columns.name) == ("before", "after")
    np.testing.assert_array_equal(m.matrix.to_numpy(), expected_matrix({
        ("normal", "special_mention"): 100.0, ("special_mention", "substandard"): 200.0,
        ("special_mention", "special_mention"): 300.0, ("substandard", "doubtful"): 400.0}))


def test_migration_by_count_and_rates() -> None:
    before, after = snapshots()
    m = pf.migration_matrix(before, after, by="count")
    assert m.matrix.to_numpy().dtype == np.int64
    np.testing.assert_array_equal(m.matrix.to_numpy(), expected_matrix({
        ("normal", "special_mention"): 1, ("special_mention", "substandard"): 1,
        ("special_mention", "special_mention"): 1, ("substandard", "doubtful"): 1}))
    rates = m.rates()
    assert rates.loc["special_mention"].tolist() == [0.0, 0.5, 0.5, 0.0, 0.0]
    assert rates.loc["loss"].isna().all()


def test_migration_accounts_for_new_and_paid_off_loans() -> None:
    before, after = snapshots()
    m = pf.migration_matrix(before, after)
    acc = m.accounting
    assert acc.index.tolist() == ["matched", "only_before", "only_after"]
    assert acc["loans"].tolist() == [4, 2, 1]
    assert acc["balance_before"].tolist() == [1000.0, 60.0, 0.0]
    assert acc["balance_after"].tolist() == [920.0, 0.0, 500.0]
    assert m.only_before["loan_id"].tolist() == ["L5", "L6"]
    assert m.only_before["balance"].tolist() == [50.0, 10.0]
    assert m.only_before["classification"].astype("str").tolist() == ["special_mention",
                                                                      "normal"]
    assert m.only_after["loan_id"].tolist() == ["L7"]
    assert m.only_after.columns.tolist() == SNAPSHOT_LOAN_COLUMNS


def test_migration_of_empty_snapshots() -> None:
    m = pf.migration_matrix(make_loans([]), make_loans([]), by="count")
    assert m.matrix.shape == (5, 5) and int(m.matrix.to_numpy().sum()) == 0
    assert m.accounting["loans"].tolist() == [0, 0, 0]
    before, _ = snapshots()
    gone = pf.migration_matrix(before, make_loans([]))
    assert gone.accounting["loans"].tolist() == [0, 6, 0]
    assert gone.matrix.to_numpy().sum() == 0.0


def test_migration_rejects_duplicate_ids_and_bad_by() -> None:
    before, after = snapshots()
    dup = pd.concat([after, after.iloc[[1]]], ignore_index=True)
    with pytest.raises(ValueError, match="^期末快照中借据号重复:L1 / duplicate loan_id in the 期末 "
                                         "snapshot: L1$"):
        pf.migration_matrix(before, dup)
    with pytest.raises(ValueError, match="by 应为 'balance' 或 'count'"):
        pf.migration_matrix(before, after, by="amount")  # type: ignore[arg-type]


def test_special_mention_migration_rate_regulator_definition() -> None:
    before, after = snapshots()
    r = pf.special_mention_migration_rate(before, after)
    # 期初关注: L2 200, L3 300, L5 50; decrease 50 + 20 + 50; L2 ends substandard at 150
    assert (r.beginning_balance, r.decrease, r.downgraded_balance) == (550.0, 120.0, 150.0)
    assert r.rate == pytest.approx(150 / 430)
    assert (r.loans, r.downgraded_loans, r.repaid_loans) == (3, 1, 1)
    assert r.count_rate == pytest.approx(0.5)
    assert r.numerator == "ending"
    assert pf.special_mention_migration_rate(before, after, numerator="beginning").rate == \
        pytest.approx(200 / 430)
    frame = r.to_frame()
    assert frame["key"].tolist()[:4] == ["rate", "beginning_balance", "decrease",
                                         "downgraded_balance"]
    assert frame["value"].tolist()[1:4] == [550.0, 120.0, 150.0]


def test_special_mention_migration_rate_reproduces_the_textbook_example() -> None:
    # 期初关注类4500, 期间回收减少1000, 期末转为不良600 → 600 / (4500 − 1000) = 17.1%
    before = make_loans([
        {"loan_id": "X", "balance": 1000.0, "classification": "special_mention"},
        {"loan_id": "Y", "balance": 600.0, "classification": "special_mention"},
        {"loan_id": "Z", "balance": 2900.0, "classification": "special_mention"},
        {"loan_id": "N", "balance": 9999.0},
    ])
    after = make_loans([
        {"loan_id": "Y", "balance": 600.0, "classification": "doubtful"},
        {"loan_id": "Z", "balance": 2900.0, "classification": "special_mention"},
        {"loan_id": "N", "balance": 9999.0, "classification": "loss"},
    ])
    r = pf.special_mention_migration_rate(before, after)
    assert round(r.rate, 3) == 0.171
    assert (r.beginning_balance, r.decrease, r.downgraded_balance) == (4500.0, 1000.0, 600.0)


def test_special_mention_migration_rate_without_special_mention_is_none() -> None:
    r = pf.special_mention_migration_rate(make_loans([{"balance": 1.0}]), make_loans([]))
    assert (r.rate, r.count_rate, r.loans) == (None, None, 0)
    with pytest.raises(ValueError, match="numerator 应为"):
        pf.special_mention_migration_rate(make_loans([]), make_loans([]),
                                          numerator="x")  # type: ignore[arg-type]


# =========================================================================== masking


def test_mask_name_one_two_three_and_more_characters() -> None:
    names = pd.Series(["张", "张三", "王小明", "欧阳娜娜", "", None, " 李四 "], dtype="str")
    out = pf.mask_name(names)
    assert out.iloc[:5].tolist() == ["*", "张*", "王**", "欧***", ""]
    assert pd.isna(out.iloc[5])
    assert out.iloc[6] == "李*"
    assert str(out.dtype) == "str"


def test_mask_name_keeps_corporate_names_and_masks_unknown_type() -> None:
    names = pd.Series(["张三", "某某有限公司", "李四"], dtype="str", index=[5, 6, 7])
    types = pd.Series(["individual", "corporate", None], dtype="str", index=[5, 6, 7])
    out = pf.mask_name(names, types)
    assert out.tolist() == ["张*", "某某有限公司", "李*"]
    assert out.index.tolist() == [5, 6, 7]


def test_mask_id_number_keeps_first_and_last_four() -> None:
    ids = pd.Series(["110101199001011234", "123456789", "12345678", "1234", "", None],
                    dtype="str")
    out = pf.mask_id_number(ids)
    assert out.iloc[:5].tolist() == ["1101**********1234", "1234*6789", "********", "****", ""]
    assert pd.isna(out.iloc[5])


def test_masking_empty_series_and_frames() -> None:
    empty = pd.Series([], dtype="str")
    assert pf.mask_name(empty).tolist() == [] and pf.mask_id_number(empty).tolist() == []
    frame = pd.DataFrame({"borrower_name": empty, "customer_type": empty, "id_number": empty})
    assert pf.mask_personal_data(frame).columns.tolist() == frame.columns.tolist()


def test_mask_personal_data_masks_individuals_only() -> None:
    frame = pd.DataFrame({
        "loan_id": pd.Series(["L1", "L2", "L3"], dtype="str"),
        "borrower_name": pd.Series(["张三", "某某有限公司", "王小明"], dtype="str"),
        "customer_type": pd.Series(["individual", "corporate", None], dtype="str"),
        "id_number": pd.Series(["110101199001011234", "91110000MA01ABCDE1", "330102198001015678"],
                               dtype="str"),
    })
    original = frame.copy()
    out = pf.mask_personal_data(frame)
    assert out["borrower_name"].tolist() == ["张*", "某某有限公司", "王**"]
    assert out["id_number"].tolist() == ["1101**********1234", "91110000MA01ABCDE1",
                                         "3301**********5678"]
    assert out["loan_id"].tolist() == ["L1", "L2", "L3"]
    pd.testing.assert_frame_equal(frame, original)


def test_mask_personal_data_without_customer_type_masks_everyone() -> None:
    frame = pd.DataFrame({"borrower_name": pd.Series(["某某有限公司"], dtype="str")})
    assert pf.mask_personal_data(frame)["borrower_name"].tolist() == ["某*****"]
    assert pf.mask_personal_data(pd.DataFrame({"x": [1]})).columns.tolist() == ["x"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="张王李欧阳0123456789X ", max_size=20), max_size=20))
def test_masking_never_shows_a_whole_value_and_keeps_length(values: list[str]) -> None:
    series = pd.Series(values, dtype="str")
    stripped = series.str.strip()
    for masked, head, tail in ((pf.mask_name(series), 1, 0), (pf.mask_id_number(series), 4, 4)):
        assert masked.str.len().tolist() == stripped.str.len().tolist()
        for m, s in zip(masked, stripped, strict=True):
            if s:
                assert m != s or set(s) == {"*"}
            if len(s) > head + tail:
                assert m[:head] == s[:head] and m[len(m) - tail:] == s[len(s) - tail:]
                assert set(m[head:len(m) - tail]) == {"*"}


# =========================================================================== properties


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 4), st.integers(0, 1000),
                          st.integers(0, 4), st.integers(0, 1000)),
                max_size=12, unique_by=lambda t: t[0]),
       st.lists(st.integers(8, 11), max_size=3, unique=True))
def test_migration_accounting_adds_up(shared: list[tuple[int, int, int, int, int]],
                                      new_ids: list[int]) -> None:
    before = make_loans([{"loan_id": f"L{i}", "classification": CLASSES[c0], "balance": float(b0)}
                         for i, c0, b0, _, _ in shared])
    after = make_loans([{"loan_id": f"L{i}", "classification": CLASSES[c1], "balance": float(b1)}
                        for i, _, _, c1, b1 in shared]
                       + [{"loan_id": f"L{i}", "balance": 1.0} for i in new_ids])
    by_bal = pf.migration_matrix(before, after)
    by_cnt = pf.migration_matrix(before, after, by="count")
    acc = by_bal.accounting
    active_before = [t for t in shared if t[2] > 0]
    assert acc.loc["matched", "loans"] + acc.loc["only_before", "loans"] == len(active_before)
    assert int(by_cnt.matrix.to_numpy().sum()) == acc.loc["matched", "loans"]
    assert by_bal.matrix.to_numpy().sum() == pytest.approx(acc.loc["matched", "balance_before"])
    assert acc.loc["matched", "balance_before"] + acc.loc["only_before", "balance_before"] == \
        pytest.approx(sum(t[2] for t in active_before))
    active_after = [t for t in shared if t[4] > 0]
    assert acc.loc["matched", "loans"] + acc.loc["only_after", "loans"] == \
        len(active_after) + len(new_ids)
    # a loan at 0 before and drawn again after is new, not matched
    assert acc.loc["only_after", "loans"] == \
        len(new_ids) + sum(1 for t in shared if t[2] == 0 and t[4] > 0)


# =========================================================================== integration


def test_sample_snapshots_through_the_loader() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "sample_extracts"
    before = pa.load_extract(root / "network_snapshot_20260630.xlsx")
    after = pa.load_extract(root / "network_snapshot_20260930.xlsx")
    m = pf.migration_matrix(before.loans, after.loans, by="count")
    active_before = int((before.loans["balance"] > 0).sum())
    acc = m.accounting["loans"]
    assert acc["matched"] + acc["only_before"] == active_before
    k = pf.portfolio_kpis(after.loans)
    by_class = pf.balance_by_class(after.loans)
    assert by_class["total"].sum() == pytest.approx(k.balance)
    assert pf.overdue_buckets(after.loans)["bucket"].tolist() == BUCKETS
    t = pf.inspection_timeliness(after)
    report = pa.run_checks(after, as_of=None, rules=["INSP-FREQ"])
    assert t.overdue == report.findings["loan_id"].nunique()


def test_review_coverage_takes_its_date_as_a_date_a_timestamp_or_iso_text() -> None:
    branches = pd.DataFrame({"branch": pd.Series(["A", "B"], dtype="str"),
                             "last_onsite_review_date": pd.to_datetime(
                                 pd.Series(["2024-09-30", "2024-09-29"])).astype("datetime64[ns]")})
    days = ["2026-09-30", dt.date(2026, 9, 30), dt.datetime(2026, 9, 30, 15, 0),
            pd.Timestamp("2026-09-30 15:00"), np.datetime64("2026-09-30")]
    results = [pf.review_coverage(branches, as_of=day) for day in days]
    assert {(c.as_of, c.reviewed_in_cycle, c.branches) for c in results} == {
        (dt.date(2026, 9, 30), 1, 2)}
    assert results[0].overdue["branch"].tolist() == ["B"]


def test_inspection_timeliness_names_a_bad_check_date() -> None:
    with pytest.raises(DateError) as info:
        pf.inspection_timeliness(make_loans([{"balance": 1.0}]), as_of="2026-02-30")
    assert str(info.value) == (
        "检查日期无效:'2026-02-30',应为日期,如 2026-09-30、2026/9/30、2026年9月30日 或 20260930 / "
        "invalid check date '2026-02-30': expected a date such as 2026-09-30, 2026/9/30, "
        "2026年9月30日 or 20260930")


def test_the_former_measures_module_re_exports_every_public_name_unchanged() -> None:
    """``portfolio.measures`` keeps the public names it had before the split, each the very
    object of the module that now defines it."""
    homes = {"ACTIVE_MIN_BALANCE": _common, "BorrowerConcentration": quality,
             "ID_KEEP_HEAD": masking, "ID_KEEP_TAIL": masking,
             "InspectionTimeliness": timeliness, "MASK_CHAR": masking,
             "MIGRATION_ACCOUNTING_ROWS": migration, "Migration": migration,
             "NAME_KEEP_HEAD": masking, "OVERDUE_BUCKET_EDGES": quality,
             "OVERDUE_BUCKET_LABELS": quality, "OVERDUE_RATIO_DAYS": quality,
             "PortfolioKPIs": quality, "ReviewCoverage": timeliness,
             "SNAPSHOT_LOAN_COLUMNS": migration, "SpecialMentionMigration": migration,
             "TOP_BORROWERS_N": quality, "balance_by_class": quality,
             "inspection_timeliness": timeliness, "mask_id_number": masking,
             "mask_name": masking, "mask_personal_data": masking,
             "migration_matrix": migration, "overdue_bucket_labels": quality,
             "overdue_buckets": quality, "portfolio_kpis": quality,
             "review_coverage": timeliness, "special_mention_migration_rate": migration,
             "top_borrower_concentration": quality}
    assert sorted(measures.__all__) == sorted(homes)
    for name, home in homes.items():
        assert getattr(measures, name) is getattr(home, name), name
    assert set(pf.__all__) <= set(measures.__all__)
