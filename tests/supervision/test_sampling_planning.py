"""Review planning and the monthly new-customer check.

Sources: `001_…` 篇三 五、贷后组织督导 item 5 (two-year full coverage, 40% a year) and `003_…`
第四篇 一、(二) 2. 抽查比例 (10% of last month's new customers verified on site).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postloan_audit import PolicyError, draw_new_customer_check, plan_branch_reviews
from postloan_audit.supervision.planning import ReviewPlanPolicy, ceil_share

CLASSES = ["normal", "special_mention", "substandard", "doubtful", "loss"]


def branch_table(pairs: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({
        "branch": pd.Series([b for b, _ in pairs], dtype="str"),
        "last_onsite_review_date": pd.to_datetime(pd.Series([d for _, d in pairs])),
    })


@pytest.mark.parametrize(("rate", "count", "expected"), [
    (0.1, 30, 3), (0.1, 31, 4), (0.1, 1, 1), (0.1, 0, 0), (0.4, 15, 6), (0.4, 5, 2),
    (0.4, 6, 3), (0.4, 10, 4), (1.0, 7, 7),
])
def test_ceil_share_has_no_float_noise(rate, count, expected):
    assert ceil_share(rate, count) == expected


def test_reviews_older_than_two_years_are_a_must_on_both_sides_of_the_cutoff():
    plan = plan_branch_reviews(branch_table([
        ("A支行", "2024-12-31"), ("B支行", "2025-01-01"), ("C支行", None),
        ("D支行", "2026-03-01"), ("E支行", "2025-06-30")]), year=2026)
    assert plan["branch"].tolist() == ["C支行", "A支行", "B支行", "E支行", "D支行"]
    assert plan["must"].tolist() == [True, True, False, False, False]
    assert plan["selected"].tolist() == [True, True, False, False, False]
    assert plan["reason"].tolist() == [
        "无现场检查记录,须于本年检查(2年内全覆盖)",
        "最近现场检查 2024-12-31,早于 2025-01-01,须于本年检查(2年内全覆盖)",
        "最近现场检查 2025-01-01,本年非必查",
        "最近现场检查 2025-06-30,本年非必查",
        "最近现场检查 2026-03-01,本年非必查",
    ]
    assert list(plan.columns) == ["branch", "last_onsite_review_date", "must", "selected",
                                  "reason"]


def test_forty_percent_is_rounded_up_and_filled_by_longest_unreviewed():
    dates = [f"2025-{m:02d}-15" for m in range(1, 13)] + ["2026-01-10", "2026-02-10",
                                                          "2026-03-10"]
    plan = plan_branch_reviews(branch_table([(f"网点{i:02d}", d) for i, d in enumerate(dates)]),
                               year=2026)
    assert not plan["must"].any()
    assert plan.loc[plan["selected"], "branch"].tolist() == [f"网点{i:02d}" for i in range(6)]
    assert plan["reason"][0] == "补足年度覆盖率40%(共需 6 家):最近现场检查 2025-01-15"


def test_more_musts_than_forty_percent_are_all_selected():
    plan = plan_branch_reviews(branch_table([
        ("A", "2020-01-01"), ("B", "2021-01-01"), ("C", "2022-01-01"), ("D", "2026-01-01"),
        ("E", "2026-01-01")]), year=2026)
    assert plan.loc[plan["selected"], "branch"].tolist() == ["A", "B", "C"]


def test_equal_dates_are_broken_by_npl_ratio_and_loan_only_branches_are_musts():
    branches = branch_table([("甲", "2025-05-01"), ("乙", "2025-05-01"), ("丙", "2025-05-01"),
                             ("丁", "2026-01-01"), ("戊", "2026-01-01")])
    loans = pd.DataFrame({
        "branch": pd.Series(["甲", "甲", "乙", "乙", "丙", "己"], dtype="str"),
        "balance": [90.0, 10.0, 50.0, 50.0, 100.0, 10.0],
        "classification": pd.Categorical(
            ["normal", "loss", "normal", "substandard", "normal", "normal"],
            categories=CLASSES, ordered=True),
    })
    plan = plan_branch_reviews(branches, year=2026, loans=loans)
    # 6 branches -> ceil(2.4) = 3: 己 (never reviewed, only in the ledger), then 乙 (50% NPL)
    # and 甲 (10%) before 丙 (0%).
    assert plan.loc[plan["selected"], "branch"].tolist() == ["己", "乙", "甲"]
    assert plan["reason"].tolist()[:3] == [
        "无现场检查记录,须于本年检查(2年内全覆盖)",
        "补足年度覆盖率40%(共需 3 家):最近现场检查 2025-05-01,不良率 50.00%",
        "补足年度覆盖率40%(共需 3 家):最近现场检查 2025-05-01,不良率 10.00%",
    ]


def test_review_plan_policy_values_are_checked():
    with pytest.raises(PolicyError, match="min_annual_coverage must be within"):
        ReviewPlanPolicy(min_annual_coverage=1.5)
    with pytest.raises(PolicyError, match="review_cycle_years must be a positive integer"):
        ReviewPlanPolicy(review_cycle_years=0)
    plan = plan_branch_reviews(branch_table([("A", "2024-06-01"), ("B", "2026-01-01")]),
                               year=2026, policy=ReviewPlanPolicy(review_cycle_years=3))
    assert plan["must"].tolist() == [False, False]  # a 3-year cycle: 2024 still counts


def test_branch_table_without_dates_is_refused():
    with pytest.raises(ValueError, match=r"\['last_onsite_review_date'\]"):
        plan_branch_reviews(pd.DataFrame({"branch": ["A"]}), year=2026)


# --------------------------------------------------------------------------- new customers


def customers(n_new: int, *, month: str = "2026-08") -> pd.DataFrame:
    """``n_new`` new individual borrowers in ``month`` plus distractors."""
    rows = []
    for i in range(n_new):
        rows.append((f"N{i:03d}a", f"P{i:03d}", "individual", f"{month}-03", 1000.0 + i))
        if i % 3 == 0:
            rows.append((f"N{i:03d}b", f"P{i:03d}", "individual", f"{month}-20", 500.0))
    rows += [
        ("X1", "OLD1", "individual", "2026-07-31", 100.0),  # first loan before the month
        ("X2", "OLD1", "individual", f"{month}-05", 100.0),
        ("X3", "CORP", "corporate", f"{month}-05", 100.0),  # not a personal loan
        ("X4", "NEXT", "individual", "2026-09-01", 100.0),  # the month after
    ]
    frame = pd.DataFrame(rows, columns=["loan_id", "borrower_id", "customer_type",
                                        "disbursement_date", "balance"])
    return pd.DataFrame({
        "loan_id": frame["loan_id"].astype("str"),
        "borrower_id": frame["borrower_id"].astype("str"),
        "borrower_name": ("客户" + frame["borrower_id"]).astype("str"),
        "branch": pd.Series(["城东支行"] * len(frame), dtype="str"),
        "customer_type": frame["customer_type"].astype("str"),
        "disbursement_date": pd.to_datetime(frame["disbursement_date"]),
        "balance": frame["balance"].astype("float64"),
    })


@pytest.mark.parametrize(("n_new", "expected"), [(30, 3), (31, 4), (1, 1), (9, 1), (11, 2)])
def test_new_customer_check_takes_ten_percent_rounded_up(n_new, expected):
    check = draw_new_customer_check(customers(n_new), month="2026-08", seed=5)
    assert len(check) == expected
    assert set(check["borrower_id"]) <= {f"P{i:03d}" for i in range(n_new)}
    assert check.attrs["new_customers"] == n_new


def test_new_customer_check_lists_the_months_loans():
    check = draw_new_customer_check(customers(1), month="2026-08", seed=0)
    row = check.iloc[0]
    assert (row["borrower_id"], row["borrower_name"], row["branch"]) == ("P000", "客户P000",
                                                                         "城东支行")
    assert row["loan_ids"] == ("N000a", "N000b")
    assert row["balances"] == (1000.0, 500.0)
    assert (row["loan_count"], row["total_balance"]) == (2, 1500.0)
    assert row["first_disbursement_date"] == pd.Timestamp("2026-08-03")


def test_new_customer_check_without_new_customers_is_empty():
    check = draw_new_customer_check(customers(0), month="2026-08", seed=0)
    assert check.empty and check.attrs["new_customers"] == 0
    assert list(check.columns) == ["borrower_id", "borrower_name", "branch",
                                   "first_disbursement_date", "loan_count", "loan_ids",
                                   "balances", "total_balance"]


def test_new_customer_check_is_reproducible_and_seeded():
    loans = customers(40)
    shuffled = loans.sample(frac=1.0, random_state=1).reset_index(drop=True)
    a = draw_new_customer_check(loans, month="2026-08", seed=3)
    b = draw_new_customer_check(shuffled, month="2026-08", seed=3)
    pd.testing.assert_frame_equal(a, b)
    picks = {tuple(draw_new_customer_check(loans, month="2026-08", seed=s)["borrower_id"])
             for s in range(20)}
    assert len(picks) > 1
    seen = set().union(*picks)
    assert len(seen) > 4  # not always the same customers


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"month": "2026/08"}, "month must look like 'YYYY-MM', got '2026/08'."),
    ({"month": "2026-13"}, "month must look like 'YYYY-MM', got '2026-13'."),
    ({"month": "2026-08", "rate": 0}, "rate must be within (0, 1], got 0."),
])
def test_new_customer_check_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        draw_new_customer_check(customers(3), seed=1, **kwargs)
    assert str(info.value).endswith(message)


def test_new_customer_check_needs_customer_type_and_dates():
    loans = customers(3).drop(columns=["customer_type"])
    with pytest.raises(ValueError, match=r"\['customer_type'\]"):
        draw_new_customer_check(loans, month="2026-08", seed=1)


def test_ceil_share_matches_numpy_ceil_on_exact_products():
    counts = np.arange(0, 200)
    assert [ceil_share(0.1, int(c)) for c in counts] == [-(-int(c) // 10) for c in counts]


def officer_customers() -> pd.DataFrame:
    """16 new customers of three loan officers (12, 3, 1) and one without an officer."""
    officers = ["张伟"] * 12 + ["李娜"] * 3 + ["王芳"] + [None]
    ids = [f"C{i:02d}" for i in range(16)] + ["C99"]
    return pd.DataFrame({
        "loan_id": pd.Series([f"L{c[1:]}" for c in ids], dtype="str"),
        "borrower_id": pd.Series(ids, dtype="str"),
        "branch": pd.Series(["城东支行"] * 17, dtype="str"),
        "customer_type": pd.Series(["individual"] * 17, dtype="str"),
        "disbursement_date": pd.to_datetime(["2026-08-05"] * 16 + ["2026-08-06"]),
        "balance": pd.Series([1000.0] * 17, dtype="float64"),
        "loan_officer": pd.Series(officers, dtype="str"),
    })


def test_new_customer_check_takes_ten_percent_of_each_loan_officer():
    # 003 第四篇: 业务代表(含渠道)每月要按上月新增客户总数不低于10%的比例进行现场核查
    check = draw_new_customer_check(officer_customers(), month="2026-08", seed=7)
    # seed 7 priorities: C06 0, C04 1 (张伟: ceil(1.2) = 2); C12 2 (李娜: ceil(0.3) = 1);
    # C15 (王芳, her only customer); C99 (no officer, a group of its own)
    assert check["borrower_id"].tolist() == ["C04", "C06", "C12", "C15", "C99"]
    assert check.attrs["required"] == 5 and check.attrs["new_customers"] == 17
    by_officer = check.attrs["by_officer"]
    assert by_officer.to_dict("list") == {
        "loan_officer": ["(未登记客户经理)", "张伟", "李娜", "王芳"],
        "new_customers": [1, 12, 3, 1], "required": [1, 2, 1, 1]}
    assert check.attrs["note"] == ("按客户经理分别抽查:4名客户经理,每人不低于其新增客户的10%,至少1户"
                                   " / drawn per loan officer")


def test_new_customer_check_without_loan_officer_draws_over_the_whole_file_with_a_note():
    check = draw_new_customer_check(officer_customers().drop(columns="loan_officer"),
                                    month="2026-08", seed=7)
    # ceil(10% × 17) = 2: the two lowest priorities of the same seed
    assert check["borrower_id"].tolist() == ["C04", "C06"]
    assert check.attrs["required"] == 2
    assert check.attrs["by_officer"].empty
    assert check.attrs["note"] == ("未提供客户经理列,按全部新增客户统一抽查;办法要求按每位业务代表的新增客户"
                                   "分别抽查 / no loan_officer column: drawn over the whole file, "
                                   "not per business representative")


def test_new_customer_check_per_officer_is_independent_of_row_order():
    loans = officer_customers()
    a = draw_new_customer_check(loans, month="2026-08", seed=11)
    b = draw_new_customer_check(loans.iloc[::-1].reset_index(drop=True), month="2026-08",
                                seed=11)
    pd.testing.assert_frame_equal(a, b)
    assert (a.attrs["by_officer"]["required"] == [1, 2, 1, 1]).all()
