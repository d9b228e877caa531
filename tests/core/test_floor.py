"""The shared floor every capability stands on: one date coercer, one month arithmetic, one
provenance type, one identity helper, one severity vocabulary, one error tree."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import postloan_audit as pa
from postloan_audit.core.dates import add_months, coerce_date
from postloan_audit.core.errors import DateError, ExtractTypeError, PostloanAuditError
from postloan_audit.core.extract import as_extract
from postloan_audit.core.identity import current_user, signed_in_user
from postloan_audit.core.provenance import ProfileStamp, Provenance

SAMPLE = "sample_extracts/branch_chengguan_20260930.xlsx"
DAY = dt.date(2026, 9, 30)


@pytest.mark.parametrize("value", [
    "2026-09-30", "2026/9/30", "2026/09/30", "2026.9.30", "2026年9月30日", "20260930",
    " 2026-09-30 ", "２０２６－０９－３０", "2026-09-30 00:00:00", dt.date(2026, 9, 30),
    dt.datetime(2026, 9, 30, 15, 30), pd.Timestamp("2026-09-30 08:00"),
    np.datetime64("2026-09-30"),
])
def test_a_date_is_read_the_way_the_loader_reads_a_date_cell(value):
    assert coerce_date(value) == DAY


@pytest.mark.parametrize("value", [
    "2026-02-30", "2026-13-01", "30/09/2026", "0001-01-01", "", "明天", 20260930, None,
    pd.NaT, 3.5,
])
def test_what_is_not_a_date_is_refused_naming_the_value(value):
    with pytest.raises(DateError) as info:
        coerce_date(value, what=("检查日期", "check date"))
    assert isinstance(info.value, ValueError) and isinstance(info.value, PostloanAuditError)
    assert str(info.value) == (
        f"检查日期无效:{value!r},应为日期,如 2026-09-30、2026/9/30、2026年9月30日 或 20260930"
        f" / invalid check date {value!r}: expected a date such as 2026-09-30, 2026/9/30,"
        " 2026年9月30日 or 20260930")


def test_the_loader_and_run_checks_take_the_same_dates():
    extract = pa.load_extract(SAMPLE, as_of="2026年9月30日")
    assert extract.as_of == DAY
    report = pa.run_checks(extract, as_of="2026/9/30", rules=["INSP-FIRST"])
    assert report.as_of == DAY
    with pytest.raises(DateError):
        pa.run_checks(extract, as_of="2026-02-30")


def test_month_arithmetic_clamps_to_the_month_end_both_ways():
    days = np.array(["2026-01-31", "2026-03-31", "2024-02-29", "NaT"], dtype="datetime64[D]")
    assert add_months(days, 1).astype("datetime64[D]").astype(str).tolist() == [
        "2026-02-28", "2026-04-30", "2024-03-29", "NaT"]
    assert add_months(days, -1).astype("datetime64[D]").astype(str).tolist() == [
        "2025-12-31", "2026-02-28", "2024-01-29", "NaT"]
    assert add_months(days, np.array([12, -12, 12, 1])).astype("datetime64[D]").astype(
        str).tolist() == ["2027-01-31", "2025-03-31", "2025-02-28", "NaT"]


def test_every_result_holds_one_provenance_with_the_same_fields():
    extract = pa.load_extract(SAMPLE)
    report = pa.run_checks(extract, as_of=DAY, rules=["INSP-FIRST"])
    sample = pa.draw_sample(extract, seed=7)
    mus = pa.draw_mus_sample(extract, 30, seed=7)
    plan = pa.plan_attribute_sample(confidence=0.95, tolerable_rate=0.05)
    mus_plan = pa.plan_mus(confidence=0.95, tolerable=0.05, population_value=1e8)
    evaluation = pa.evaluate_attribute_sample(n=59, deviations=0, confidence=0.95)
    names = [f.name for f in dataclasses.fields(Provenance)]
    assert names == ["fingerprint", "source_name", "as_of", "profile", "created_at", "version"]
    for result in (extract, report, sample, mus, plan, mus_plan, evaluation):
        assert isinstance(result.provenance, Provenance), type(result).__name__
        assert result.provenance.version == pa.__version__
        assert isinstance(result.provenance.created_at, dt.datetime)
    for result in (extract, sample, mus):
        assert result.provenance.fingerprint == extract.fingerprint
        assert result.provenance.source_name == "branch_chengguan_20260930.xlsx"
        assert result.provenance.as_of == DAY
    assert report.provenance.fingerprint == extract.fingerprint and report.provenance.as_of == DAY
    assert plan.provenance.fingerprint is None and plan.provenance.source_name is None
    # the old names read the same values
    assert (sample.drawn_at, report.created, mus.created_at) == (
        sample.provenance.created_at, report.provenance.created_at, mus.provenance.created_at)
    assert mus.source_fingerprint == extract.fingerprint and plan.version == pa.__version__
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.provenance.as_of = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        sample.drawn_at = dt.datetime.now()  # type: ignore[misc]


def test_the_old_constructor_keywords_still_build_the_provenance():
    extract = pa.Extract(loans=pd.DataFrame(), fingerprint="ab" * 32, source_name="台账.xlsx",
                         as_of=DAY, profile_name="XX 导出", profile_sha256="cd" * 32)
    assert extract.provenance.profile == ProfileStamp("XX 导出", "cd" * 32)
    assert (extract.fingerprint, extract.source_name, extract.as_of) == ("ab" * 32, "台账.xlsx",
                                                                         DAY)
    changed = dataclasses.replace(extract, loans=pd.DataFrame({"a": [1]}))
    assert changed.provenance == extract.provenance
    report = pa.run_checks(pa.load_extract(SAMPLE), as_of=DAY, rules=["INSP-FIRST"])
    renamed = dataclasses.replace(report, profile_name="XX农商行 贷款余额表")
    assert renamed.profile_name == "XX农商行 贷款余额表" and renamed.as_of == DAY


def test_an_extract_or_a_frame_and_nothing_else():
    frame = pd.DataFrame({"loan_id": ["L1"]})
    wrapped = as_extract(frame)
    assert wrapped.loans is frame and wrapped.fingerprint is None
    for call in (lambda: pa.draw_sample(3, seed=1), lambda: pa.draw_mus_sample("x", 3, seed=1),
                 lambda: pa.run_checks([1], as_of=DAY)):
        with pytest.raises(ExtractTypeError) as info:
            call()
        assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
        assert "须为 Extract(load_extract 的结果)或贷款 DataFrame" in str(info.value)


@pytest.mark.parametrize("call", [
    lambda e: pa.draw_sample(e, seed=-1),
    lambda e: pa.draw_mus_sample(e, 30, seed=-1),
    lambda e: pa.draw_new_customer_check(e, month="2026-09", seed=-1),
    lambda e: pa.draw_sample(e, seed=1, branch="没有的支行"),
    lambda e: pa.plan_attribute_sample(confidence=95, tolerable_rate=0.05),
])
def test_bad_sampling_arguments_are_sampling_errors(call):
    with pytest.raises(pa.SamplingError) as info:
        call(pa.load_extract(SAMPLE))
    assert isinstance(info.value, ValueError) and isinstance(info.value, PostloanAuditError)


def test_the_trails_errors_are_in_the_error_tree():
    assert issubclass(pa.TrailError, PostloanAuditError) and issubclass(pa.TrailError, ValueError)
    assert issubclass(pa.ImportRefused, pa.TrailError)
    from postloan_audit.trail import ImportRefused, TrailError
    assert (ImportRefused, TrailError) == (pa.ImportRefused, pa.TrailError)


def test_the_problem_of_an_extract_error_is_a_member_equal_to_its_text():
    with pytest.raises(pa.ExtractError) as info:
        pa.load_extract(b"", filename="x.csv")
    assert info.value.problem is pa.Problem.EMPTY and info.value.problem == "empty"


def test_who_is_working_is_read_one_way():
    proxy = {"HTTP_X_REMOTE_USER": " zhang.san ", "POSTLOAN_AUDIT_USER": "li.si"}
    assert signed_in_user(proxy) == current_user(proxy) == "zhang.san"
    assert signed_in_user({"POSTLOAN_AUDIT_USER": "li.si"}) is None
    assert current_user({"POSTLOAN_AUDIT_USER": " li.si "}) == "li.si"
    assert current_user({}) != ""


def test_one_severity_vocabulary():
    from postloan_audit.compliance.rules.base import Severity as RuleSeverity
    from postloan_audit.core.severity import SEVERITY_ZH, Severity

    assert RuleSeverity is Severity
    assert [s.zh for s in Severity] == ["高", "中", "低"] == list(SEVERITY_ZH.values())
