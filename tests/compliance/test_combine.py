"""Several extracts checked together (compliance.combine): each file on its own, refused when
they share loan ids, then one report with the notes on dates and borrowers across files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from postloan_audit import (
    Extract,
    Policy,
    PostloanAuditError,
    SharedLoansError,
    load_extract,
    run_checks,
)
from postloan_audit.compliance.combine import (
    check_distinct_loans,
    check_each,
    check_extracts,
    combine_reports,
    combined_rejected,
    common_as_of,
    cross_file_notes,
)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_extracts"
CHENGGUAN = "branch_chengguan_20260930.xlsx"
HEAD_OFFICE = "head_office_6_branches_20260930.csv"
NO_SHEET_WARNING = ("INSP-FREQ:未提供贷后检查记录表,仅能判断最近一次检查是否超期,未逐期核对检查频率 / "
                    "no inspections sheet: only the latest inspection could be judged, not every "
                    "period of the review window")
SPREAD_NOTE = ("有 190 个客户号出现在多个文件中;同一借款人分类一致性(CLS-BORROWER)按文件分别检查,"
               "未跨文件比较。")


@pytest.fixture(scope="module")
def chengguan():
    return load_extract(SAMPLES / CHENGGUAN)


@pytest.fixture(scope="module")
def head_office():
    return load_extract(SAMPLES / HEAD_OFFICE)


def planted(name: str) -> set[tuple[str, str]]:
    frame = pd.read_csv(SAMPLES / f"{Path(name).stem}.planted.csv", dtype=str)
    return set(zip(frame["rule_id"], frame["loan_id"], strict=True))


def test_two_files_give_each_files_findings_in_file_order_and_one_provenance(chengguan,
                                                                           head_office):
    report = check_extracts([chengguan, head_office], as_of="2026-09-30")
    alone = [run_checks(e, as_of="2026-09-30") for e in (chengguan, head_office)]
    pd.testing.assert_frame_equal(
        report.findings, pd.concat([r.findings for r in alone], ignore_index=True),
        check_exact=True)
    assert set(zip(report.findings["rule_id"], report.findings["loan_id"], strict=True)) \
        == planted(CHENGGUAN) | planted(HEAD_OFFICE)
    assert len(report.findings) == 35 + 174  # the two answer keys (planted.csv)
    assert report.loans_checked == 260 + 3000
    assert report.as_of == dt.date(2026, 9, 30)
    assert report.source_name == f"{CHENGGUAN}; {HEAD_OFFICE}"
    assert report.fingerprint == (f"{CHENGGUAN}: {chengguan.fingerprint}; "
                                  f"{HEAD_OFFICE}: {head_office.fingerprint}")
    assert report.rules_run == alone[0].rules_run
    # the head-office CSV has no inspections sheet and no borrower's file: INSP-REPORT and the
    # rules of the file cannot run for it
    assert report.not_run["rule_id"].tolist() == [
        "INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE", "GUAR-RATING",
        "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]
    assert report.not_run["reason"].str.startswith(f"〔{HEAD_OFFICE}〕缺少所需数据:").all()
    assert report.warnings == (f"〔{HEAD_OFFICE}〕{NO_SHEET_WARNING}", SPREAD_NOTE)


def test_one_file_gives_exactly_its_run_checks_report(head_office):
    report = check_extracts([head_office], as_of="2026-09-30")
    alone = run_checks(head_office, as_of="2026-09-30")
    pd.testing.assert_frame_equal(report.findings, alone.findings, check_exact=True)
    pd.testing.assert_frame_equal(report.not_run, alone.not_run, check_exact=True)
    assert (report.source_name, report.fingerprint, report.warnings, report.loans_checked) == (
        HEAD_OFFICE, head_office.fingerprint, (NO_SHEET_WARNING,), 3000)


def test_files_sharing_loan_ids_are_refused_naming_them_and_nothing_is_checked(chengguan,
                                                                             head_office):
    twin = Extract(loans=head_office.loans, provenance=dataclasses.replace(
        head_office.provenance, source_name="copy.csv"))
    checked = []
    with pytest.raises(SharedLoansError) as info:
        check_extracts([head_office, chengguan, twin], as_of="2026-09-30",
                       progress=lambda i, e: checked.append(i))
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, PostloanAuditError)
    examples = ("001199700000038", "001199700000052", "001199700000070", "001199800000099",
                "001199800000107")
    assert (error.source_names, error.shared, error.examples) == (
        (HEAD_OFFICE, "copy.csv"), 3000, examples)
    listed = "、".join(examples)
    assert str(error) == error.message == (
        f"文件 {HEAD_OFFICE}、copy.csv 含有相同的借据号 3,000 笔(如 {listed}),为避免重复计数,未进行检查。"
        "请确认是否重复上传了同一机构的台账,去掉重复的文件后重新上传。"
        f" / The files {HEAD_OFFICE}, copy.csv share 3,000 loan ids (e.g. {listed}); they were "
        "not checked, to avoid counting these loans twice. Remove the duplicate file and upload "
        "again.")
    assert checked == []
    assert check_distinct_loans([head_office]) is None
    assert check_distinct_loans([chengguan, head_office]) is None


def test_different_data_dates_are_noted_and_no_date_takes_the_latest(chengguan, head_office):
    earlier = load_extract(SAMPLES / CHENGGUAN, as_of="2026-09-29")
    assert common_as_of([earlier, head_office]) == dt.date(2026, 9, 30)
    report = check_extracts([earlier, head_office], as_of=None)
    assert report.as_of == dt.date(2026, 9, 30)
    assert report.warnings == (
        f"〔{HEAD_OFFICE}〕{NO_SHEET_WARNING}",
        f"各文件的数据日期不同({CHENGGUAN} 2026-09-29;{HEAD_OFFICE} 2026-09-30),均按检查日 "
        "2026-09-30 检查。",
        SPREAD_NOTE)
    assert cross_file_notes([head_office], dt.date(2026, 9, 30)) == []
    assert common_as_of([]) is None


def test_rules_not_run_keep_one_row_per_file_named_in_the_reason(chengguan, head_office):
    policy = Policy.default().replace(disabled={"RATING-STALE": "总行统一评级"})
    report = check_extracts([chengguan, head_office], as_of="2026-09-30", policy=policy,
                            rules=["RATING-STALE", "CLS-OVERDUE"])
    assert report.rules_run == ("CLS-OVERDUE",)
    assert report.not_run.to_dict("list") == {
        "rule_id": ["RATING-STALE", "RATING-STALE"],
        "reason": [f"〔{CHENGGUAN}〕本行参数配置停用:总行统一评级 / disabled by policy: 总行统一评级",
                   f"〔{HEAD_OFFICE}〕本行参数配置停用:总行统一评级 / disabled by policy: 总行统一评级"]}
    assert report.findings["rule_id"].value_counts().to_dict() == {"CLS-OVERDUE": 10}


def test_check_each_reports_progress_before_each_file_and_checks_at_one_date(chengguan,
                                                                           head_office):
    seen = []
    reports = check_each([head_office, chengguan], as_of=None, rules="CLS-OVERDUE",
                         progress=lambda i, e: seen.append((i, e.source_name)))
    assert seen == [(1, HEAD_OFFICE), (2, CHENGGUAN)]
    assert [(r.source_name, r.as_of, len(r.findings)) for r in reports] == [
        (HEAD_OFFICE, dt.date(2026, 9, 30), 9), (CHENGGUAN, dt.date(2026, 9, 30), 1)]


def test_combine_reports_of_one_report_adds_notes_only(chengguan):
    report = run_checks(chengguan, as_of="2026-09-30")
    assert combine_reports([report]) is report
    assert combine_reports([report], notes=["x"]).warnings == (*report.warnings, "x")
    with pytest.raises(ValueError, match="没有可合并的检查结果 / no reports to combine"):
        combine_reports([])
    with pytest.raises(ValueError, match="没有可合并的检查结果 / no reports to combine"):
        check_extracts([], as_of="2026-09-30")


def test_combined_rejected_names_the_file_only_when_several_were_checked(chengguan):
    data = Path(__file__).resolve().parents[1] / "data" / "negative_balance.csv"
    negative = load_extract(data)
    assert combined_rejected([chengguan]) is None
    pd.testing.assert_frame_equal(combined_rejected([negative]), negative.rejected,
                                  check_exact=True)
    both = combined_rejected([chengguan, negative])
    assert both.astype(object).to_dict("list") == {
        "sheet": ["negative_balance.csv · loans"], "row": [3], "column": ["balance"],
        "value": ["-500"], "reason": ["贷款余额为负数 / negative balance"]}
