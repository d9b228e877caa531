"""``postloan-audit check A B … --as-of D``: several files checked together exactly as the
compliance page (page 02) checks its uploads: the same report, the same notes, the same
refusal of files sharing loan ids, the same recorded run."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from postloan_audit.commands.cli import main
from postloan_audit.compliance import combine
from postloan_audit.dashboard import ComplianceDashboard
from postloan_audit.trail.store import open_store

ROOT = Path(__file__).resolve().parents[2]
CHENGGUAN = ROOT / "sample_extracts" / "branch_chengguan_20260930.xlsx"
HEAD_OFFICE = ROOT / "sample_extracts" / "head_office_6_branches_20260930.csv"
NEGATIVE = ROOT / "tests" / "data" / "negative_balance.csv"
NO_SHEET_WARNING = ("INSP-FREQ:未提供贷后检查记录表,仅能判断最近一次检查是否超期,未逐期核对检查频率 / "
                    "no inspections sheet: only the latest inspection could be judged, not every "
                    "period of the review window")
SPREAD_NOTE = ("有 190 个客户号出现在多个文件中;同一借款人分类一致性(CLS-BORROWER)按文件分别检查,"
               "未跨文件比较。")
REPORT_FIELDS = ("as_of", "source_name", "fingerprint", "rules_run", "warnings", "loans_checked",
                 "policy", "profile_name", "profile_sha256")


def page_with(*paths: Path, db: Path, undated: bool = False) -> ComplianceDashboard:
    """The compliance page after uploading ``paths`` (it checks them at their data date; with
    an ``undated`` file among them the page asks, and the user confirms the date)."""
    dash = ComplianceDashboard(sample=CHENGGUAN.name, db=db)
    dash.start()
    loaded = dash.load_files([(p.read_bytes(), p.name) for p in paths])
    if undated:
        assert not loaded and "台账未识别出数据日期" in dash.confirm_note.value
        assert dash.confirm_as_of()
    else:
        assert loaded
    return dash


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> ComplianceDashboard:
    return page_with(CHENGGUAN, HEAD_OFFICE, db=tmp_path_factory.mktemp("page") / "audit.db")


@pytest.fixture
def cli_reports(monkeypatch) -> list:
    """The combined reports the command computes, as it computes them."""
    reports = []
    original = combine.check_extracts

    def spy(*args, **kwargs):
        reports.append(original(*args, **kwargs))
        return reports[-1]

    monkeypatch.setattr(combine, "check_extracts", spy)
    return reports


def assert_same_report(cli, shown) -> None:
    pd.testing.assert_frame_equal(cli.findings, shown.findings, check_exact=True)
    pd.testing.assert_frame_equal(cli.not_run, shown.not_run, check_exact=True)
    for name in REPORT_FIELDS:
        assert getattr(cli, name) == getattr(shown, name), name


def sheets(content) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(content)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_two_files_give_the_pages_combined_report_findings_and_workbook(
        page, cli_reports, tmp_path, capsys):
    out = tmp_path / "findings.xlsx"
    assert main(["check", str(CHENGGUAN), str(HEAD_OFFICE), "--as-of", "2026-09-30",
                 "--out", str(out)]) == 0
    (report,) = cli_reports
    assert_same_report(report, page.report)
    assert len(report.findings) == 35 + 174  # the two answer keys (planted.csv)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "2 个文件合并检查,检查日 2026-09-30,贷款 3260 笔,发现问题 209 条 / 2 files checked together",
        f"  文件 {CHENGGUAN.name}(指纹 {page.extracts[0].fingerprint[:12]},数据日期 2026-09-30)"
        ":贷款 260 笔",
        f"  文件 {HEAD_OFFICE.name}(指纹 {page.extracts[1].fingerprint[:12]},数据日期 2026-09-30)"
        ":贷款 3000 笔"]
    assert lines[-3:] == [f"注意 / warning: 〔{HEAD_OFFICE.name}〕{NO_SHEET_WARNING}",
                          f"注意 / warning: {SPREAD_NOTE}",
                          f"问题清单已写入 / findings workbook written: {out}"]
    row = next(line for line in lines if line.startswith("逾期贷款分类偏高"))
    assert row.split() == ["逾期贷款分类偏高", "CLS-OVERDUE", "高", "10", "10", "5"]
    # The workbook is the page's download, but for the time each was made.
    mine, theirs = sheets(out), sheets(io.BytesIO(page.workbook_bytes))
    assert list(mine) == list(theirs) == ["汇总", "问题清单", "未执行规则", "规则目录", "参数"]
    for title in ("汇总", "问题清单", "未执行规则", "规则目录"):
        assert mine[title] == theirs[title], title
    listed = mine["问题清单"]
    blank = listed.index((None,) * len(listed[0]))  # the sign-off block follows a blank row
    assert blank == 1 + 209
    assert [r[0] for r in listed[blank + 1:]] == ["检查人:", "复核人:", "日期:"]
    differ = [(a, b) for a, b in zip(mine["参数"], theirs["参数"], strict=True) if a != b]
    assert [a[0] for a, _ in differ] == ["生成时间 created"]


def test_files_sharing_loan_ids_are_refused_with_the_pages_message_and_exit_2(
        tmp_path, capsys):
    copy = tmp_path / "copy.csv"
    shutil.copyfile(HEAD_OFFICE, copy)
    out = tmp_path / "findings.xlsx"
    assert main(["check", str(HEAD_OFFICE), str(copy), "--as-of", "2026-09-30",
                 "--out", str(out), "--record", "--db", str(tmp_path / "audit.db")]) == 2
    captured = capsys.readouterr()
    examples = "001199700000038、001199700000052、001199700000070、001199800000099、001199800000107"
    assert captured.out == ""
    assert captured.err == (
        f"错误 / Error: 文件 {HEAD_OFFICE.name}、copy.csv 含有相同的借据号 3,000 笔(如 {examples}),"
        "为避免重复计数,未进行检查。请确认是否重复上传了同一机构的台账,去掉重复的文件后重新上传。"
        f" / The files {HEAD_OFFICE.name}, copy.csv share 3,000 loan ids (e.g. {examples}); "
        "they were not checked, to avoid counting these loans twice. Remove the duplicate file "
        "and upload again.\n")
    assert not out.exists()
    assert not (tmp_path / "audit.db").exists()
    page = ComplianceDashboard(sample=CHENGGUAN.name, trail=False)
    page.start()
    assert not page.load_files([(HEAD_OFFICE.read_bytes(), HEAD_OFFICE.name),
                                (copy.read_bytes(), "copy.csv")])
    assert (f"文件 {HEAD_OFFICE.name}、copy.csv 含有相同的借据号 3,000 笔(如 {examples})"
            in page.source.error.value)


def test_per_file_notes_rules_not_run_and_rejected_rows_name_their_file(
        cli_reports, tmp_path, capsys):
    out = tmp_path / "findings.xlsx"
    assert main(["check", str(CHENGGUAN), str(NEGATIVE), "--as-of", "2026-09-30",
                 "--out", str(out)]) == 0
    (report,) = cli_reports
    page = page_with(CHENGGUAN, NEGATIVE, db=tmp_path / "page.db", undated=True)
    assert_same_report(report, page.report)
    date_note = (f"各文件的数据日期不同({CHENGGUAN.name} 2026-09-30;negative_balance.csv 未识别),"
                 "均按检查日 2026-09-30 检查。")
    assert report.warnings == (date_note,)
    assert report.not_run["rule_id"].tolist() == list(report.rules_run)
    assert report.not_run["reason"].str.startswith("〔negative_balance.csv〕缺少所需数据:").all()
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "negative_balance.csv:贷款台账读取 3 行:保留 2 笔,拒绝 1 行,合计/汇总行 0 行 / loans: "
        "3 rows read, 2 kept, 1 rejected, 0 summary rows。被拒绝的行见问题清单工作簿的「拒绝行」表"
        f"({out})",
        "2 个文件合并检查,检查日 2026-09-30,贷款 262 笔,发现问题 35 条 / 2 files checked together",
        f"  文件 {CHENGGUAN.name}(指纹 {page.extracts[0].fingerprint[:12]},数据日期 2026-09-30)"
        ":贷款 260 笔",
        f"  文件 negative_balance.csv(指纹 {page.extracts[1].fingerprint[:12]},数据日期 未识别)"
        ":贷款 2 笔"]
    assert lines[-2] == f"注意 / warning: {date_note}"
    rejected = sheets(out)["拒绝行"]
    assert rejected[1:] == [("negative_balance.csv · loans", 3, "balance", "-500",
                             "贷款余额为负数 / negative balance")]
    assert rejected == sheets(io.BytesIO(page.workbook_bytes))["拒绝行"]


def test_record_stores_the_combined_run_as_the_pages_record_button_does(page, tmp_path, capsys):
    db = tmp_path / "audit.db"
    assert main(["check", str(CHENGGUAN), str(HEAD_OFFICE), "--as-of", "2026-09-30",
                 "--record", "--db", str(db)]) == 0
    scope = "城关支行、柳林镇支行、河口镇支行、白沙镇支行、石桥镇支行、青山镇支行"
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == [f"已记录为第 1 次检查(范围 {scope}) / recorded as run 1",
                          "与上次相比: 新增 209 / 延续 0 / 消失 0(本范围首次记录 / first recorded "
                          "run of this scope)"]
    assert page.trail.record()
    compared = ["as_of", "scope", "source_name", "fingerprint", "policy_sha", "rules_run",
                "loans_checked", "findings_count", "new_count"]
    mine, theirs = open_store(db).runs(), page.trail.store.runs()
    assert mine[compared].to_dict("records") == theirs[compared].to_dict("records")
    assert mine.loc[0, "scope"] == scope and mine.loc[0, "findings_count"] == 209
    keys = ["finding_key", "rule_id", "loan_id", "branch", "deadline", "status"]
    assert open_store(db).followup()[keys].equals(page.trail.store.followup()[keys])


def test_a_file_whose_profile_needs_a_date_it_lacks_is_read_as_of_the_check_date(
        cli_reports, tmp_path, capsys):
    """The page refuses such an upload (no date to count days to); the command, given
    ``--as-of``, reads it as of that date, as it reads a single file."""
    from postloan_audit import load_extract, run_checks

    profiles = ROOT / "tests" / "data" / "profiles"
    profile = profiles / "rcb_balance.toml"
    book = openpyxl.load_workbook(profiles / "rcb_balance.xlsx")
    book["贷款余额表"].delete_rows(1, 2)  # the title rows, which carry the date
    undated = tmp_path / "rcb.xlsx"
    book.save(undated)
    book = openpyxl.load_workbook(profiles / "rcb_balance.xlsx")
    for row in book["贷款余额表"].iter_rows(min_row=4, max_col=1):
        row[0].value = row[0].value.replace("RCB", "RCX")  # another branch's loans
    dated = tmp_path / "rcx_balance.xlsx"
    book.save(dated)
    assert main(["check", str(undated), str(dated), "--profile", str(profile),
                 "--as-of", "2026-09-30"]) == 0
    (report,) = cli_reports
    alone = [run_checks(load_extract(path, profile=profile, as_of="2026-09-30"),
                        as_of="2026-09-30") for path in (undated, dated)]
    pd.testing.assert_frame_equal(
        report.findings, pd.concat([r.findings for r in alone], ignore_index=True),
        check_exact=True)
    assert len(alone[0].findings) > 0
    lines = capsys.readouterr().out.splitlines()
    profile_text = f"导出配置 XX农商行 信贷系统 贷款余额表(sha256 {alone[0].profile_sha256[:12]})"
    assert [line.split(",", 1)[1] for line in lines[1:3]] == [
        f"数据日期 2026-09-30,{profile_text}):贷款 5 笔"] * 2
    assert lines[1].startswith("  文件 rcb.xlsx(指纹 ")
