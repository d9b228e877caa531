"""Working days: Chinese holidays and make-up days (调休) from chinese-calendar; 2027 fallback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postloan_audit.core.workdays import add_working_days, covered_years, working_day_calendar


def _days(*dates: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(dates)))


def test_national_day_2026_is_off_and_saturday_oct_10_is_on():
    days, uncovered = working_day_calendar(np.datetime64("2026-09-28"),
                                           np.datetime64("2026-10-13"))
    assert [str(d) for d in days] == ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-08",
                                      "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13"]
    assert uncovered == []


def test_spring_festival_2026_make_up_saturdays_count():
    days, _ = working_day_calendar(np.datetime64("2026-02-12"), np.datetime64("2026-03-02"))
    assert [str(d) for d in days] == ["2026-02-12", "2026-02-13", "2026-02-14", "2026-02-24",
                                      "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28",
                                      "2026-03-02"]


@pytest.mark.parametrize("start,n,expected", [
    ("2026-09-30", 10, "2026-10-20"),
    ("2026-09-30", 1, "2026-10-08"),
    ("2026-10-09", 1, "2026-10-10"),
    ("2026-02-12", 10, "2026-03-04"),
    ("2026-02-13", 1, "2026-02-14"),
    ("2026-02-14", 1, "2026-02-24"),
])
def test_add_working_days_inside_the_calendar(start, n, expected):
    result, uncovered = add_working_days(_days(start), n)
    assert str(result.iloc[0].date()) == expected
    assert uncovered == []


def test_2027_falls_back_to_monday_to_friday_and_reports_the_year():
    assert covered_years()[1] == 2026
    result, uncovered = add_working_days(_days("2026-12-28", "2026-12-18", "2026-09-30"), 10)
    # 2027-01-01 (New Year) counts as a working day in the fallback
    assert [str(d.date()) for d in result] == ["2027-01-11", "2027-01-01", "2026-10-20"]
    assert uncovered == [2027]


def test_nat_stays_nat_and_index_is_kept():
    series = pd.Series(pd.to_datetime(["2026-09-30", None]), index=[10, 20])
    result, _ = add_working_days(series, 10)
    assert list(result.index) == [10, 20]
    assert pd.isna(result.loc[20])
    with pytest.raises(ValueError):
        add_working_days(series, 0)
