"""Branch scorecard (百分制考核) and rectification rate: exact points on both sides of the line."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from postloan_audit.compliance.policy import Policy, RectificationPolicy
from postloan_audit.trail.scorecard import branch_scorecard, rectification_summary


def followup(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["branch", "severity", "status", "deadline"])


ROWS = [
    # 城关: 4 high open (20) → 80.0, exactly on the line: not below
    *[("城关支行", "high", "待整改", dt.date(2026, 10, 30))] * 4,
    # 南城: 4 high + 1 low open (21) → 79.0, below; one closed and one waived not counted
    *[("南城支行", "high", "整改中", dt.date(2026, 11, 30))] * 3,
    ("南城支行", "high", "已整改(待核实)", dt.date(2026, 11, 30)),
    ("南城支行", "low", "待整改", dt.date(2026, 11, 30)),
    ("南城支行", "medium", "已销号", dt.date(2026, 10, 1)),
    ("南城支行", "medium", "不予整改", dt.date(2026, 10, 1)),
]


def test_scorecard_deducts_per_open_finding_and_marks_the_80_point_line():
    card = branch_scorecard(followup(ROWS), Policy.default().rectification, branches=["西关支行"])
    assert card.values.tolist() == [
        ["南城支行", 4, 0, 1, 21.0, 79.0, True],
        ["城关支行", 4, 0, 0, 20.0, 80.0, False],
        ["西关支行", 0, 0, 0, 0.0, 100.0, False],
    ]


def test_scorecard_points_are_bank_settings_and_never_below_zero():
    pol = RectificationPolicy(deduct_high=30.0, pass_score=60.0)
    card = branch_scorecard(followup(ROWS), pol).set_index("branch")
    assert card.loc["城关支行", "score"] == 0.0 and card.loc["南城支行", "score"] == 0.0
    assert card["below_pass"].all()


def test_defaults_are_documented_bank_settings():
    r = Policy.default().rectification
    assert (r.days_high, r.days_medium, r.days_low) == (30, 30, 30)
    assert (r.full_score, r.pass_score) == (100.0, 80.0)
    assert (r.deduct_high, r.deduct_medium, r.deduct_low) == (5.0, 2.0, 1.0)


def test_rectification_rate_and_overdue_by_branch():
    s = rectification_summary(followup(ROWS), today=dt.date(2026, 11, 1)).set_index("branch")
    assert s.loc["城关支行", ["total", "closed", "open", "overdue"]].tolist() == [4, 0, 4, 4]
    assert s.loc["南城支行", ["total", "closed", "rectified", "waived", "open", "overdue"]] \
        .tolist() == [7, 1, 1, 1, 4, 0]
    assert s.loc["南城支行", "rate"] == 1 / 6
    assert s.loc["合计", "total"] == 11 and s.loc["合计", "rate"] == 1 / 10
    # the day of the deadline is not yet overdue
    s = rectification_summary(followup(ROWS), today=dt.date(2026, 10, 30)).set_index("branch")
    assert s.loc["城关支行", "overdue"] == 0
