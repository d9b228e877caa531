"""The management view (portfolio.management) without the page: which sections a pair of
snapshots supports, the notes for those it does not, and that nothing here draws."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from postloan_audit import Extract, load_extract
from postloan_audit.portfolio.management import SECTION_ZH, build_view, display_tables

SAMPLES = Path(__file__).resolve().parents[2] / "sample_extracts"
NO_DATE = ("期末快照未识别出数据日期(标题行或文件名中的日期,如 …_20260930.xlsx),无法按日期检查 / "
           "the later snapshot carries no date")
NO_BEFORE = "未提供期初快照,无法计算迁徙 / no earlier snapshot"
ALL_TABLES = ["buckets", "class_balance", "concentration", "coverage", "coverage_overdue",
              "findings", "kpis", "migration_accounting", "migration_balance", "migration_count",
              "special_mention", "timeliness"]


@pytest.fixture(scope="module")
def before() -> Extract:
    return load_extract(SAMPLES / "network_snapshot_20260630.xlsx")


@pytest.fixture(scope="module")
def after() -> Extract:
    return load_extract(SAMPLES / "network_snapshot_20260930.xlsx")


def test_two_dated_snapshots_with_a_branches_sheet_fill_every_section(before, after) -> None:
    view = build_view(after, before)
    assert view.notes == {}
    assert sorted(display_tables(view)) == ALL_TABLES
    assert view.report is not None and view.report.as_of == after.as_of


def test_a_snapshot_without_date_or_predecessor_leaves_those_sections_out_with_a_note(
        after) -> None:
    undated = Extract(loans=after.loans, branches=None,
                      provenance=dataclasses.replace(after.provenance, as_of=None))
    view = build_view(undated)
    assert view.notes == {"findings": [NO_DATE], "timeliness": [NO_DATE],
                          "coverage": [NO_DATE], "migration": [NO_BEFORE]}
    assert (view.report, view.findings, view.timeliness, view.coverage,
            view.migration_balance, view.special_mention) == (None,) * 6
    assert sorted(display_tables(view)) == ["buckets", "class_balance", "concentration", "kpis"]
    assert set(view.notes) <= set(SECTION_ZH)


def test_swapped_snapshots_are_noted(before, after) -> None:
    view = build_view(before, after)
    assert view.notes == {"migration": [
        "期初快照日期 2026-09-30 不早于期末快照日期 2026-06-30,请检查两个文件是否放反 / the earlier "
        "snapshot is not earlier than the later one"]}


def test_an_invalid_policy_is_a_note_on_the_sections_that_check_not_an_error(after) -> None:
    view = build_view(after, policy={"inspection": {"bogus_months": 1}})
    findings_note, = view.notes["findings"]
    assert findings_note.startswith("未知参数 inspection.bogus_months / unknown policy key "
                                    "inspection.bogus_months; 可用 / known: ")
    assert view.notes["timeliness"] == [findings_note]
    assert (view.report, view.findings, view.timeliness) == (None, None, None)
    assert view.coverage is not None


def test_the_view_imports_nothing_that_draws() -> None:
    code = ("import sys, postloan_audit.portfolio.management\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('ipywidgets', 'plotly') or m.startswith('postloan_audit.dashboard'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.strip() == ""
