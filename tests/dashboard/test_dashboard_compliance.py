"""Headless tests of the compliance-check dashboard (合规检查看板).

The dashboard is built and driven exactly as its widget callbacks drive it; the expected
findings come from the planted breaches beside each bundled sample (``*.planted.csv``: every
other loan breaches no rule under the default policy at the extract's date).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from postloan_audit import Policy, load_extract, run_checks
from postloan_audit.compliance.rules import CATALOGUE
from postloan_audit.core.extract import Extract
from postloan_audit.dashboard import ComplianceDashboard, common, compliance
from postloan_audit.dashboard.common import MAX_TABLE_ROWS
from postloan_audit.dashboard.compliance import ALL, findings_heatmap, rules_by_branch

SAMPLES = Path(__file__).resolve().parents[2] / "sample_extracts"
HEAD_OFFICE = "head_office_6_branches_20260930.csv"
CHENGGUAN = "branch_chengguan_20260930.xlsx"
#: Rules the head-office CSV cannot run: it holds no inspection reports and no borrower's file.
CSV_NOT_RUN = ["INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE", "GUAR-RATING",
               "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]


def planted(name: str) -> set[tuple[str, str]]:
    frame = pd.read_csv(SAMPLES / f"{Path(name).stem}.planted.csv", dtype=str)
    return set(zip(frame["rule_id"], frame["loan_id"], strict=True))


def pairs(findings: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(findings["rule_id"], findings["loan_id"], strict=True))


def listed_rows(ws) -> int:
    """Rows of a 问题清单 sheet above the blank row that opens its sign-off block."""
    values = list(ws.iter_rows(values_only=True))
    blank = values.index((None,) * ws.max_column)
    assert [r[0] for r in values[blank + 1:]] == ["检查人:", "复核人:", "日期:"]
    return blank


def raw(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def head_office_csv_without(column: str, *, name_suffix: str = "") -> bytes:
    """The head-office CSV (GBK) with one column removed."""
    frame = pd.read_csv(io.BytesIO(raw(HEAD_OFFICE)), encoding="gbk", dtype=str,
                        keep_default_na=False)
    return frame.drop(columns=[column]).to_csv(index=False).encode("gbk")


def upload_value(content: bytes, name: str) -> tuple[dict, ...]:
    """What ipywidgets 8 FileUpload.value holds after the user picks one file."""
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": dt.datetime(2026, 10, 8)},)


_LOADED: dict[tuple[bytes, str], Extract] = {}


@pytest.fixture(autouse=True)
def cached_loader(monkeypatch):
    """Load each sample once per test session (the loader has its own tests; this keeps the
    file fast). Failures are not cached, so bad files still reach the real loader."""
    def load(content: bytes, *, filename: str) -> Extract:
        key = (hashlib.sha256(content).digest(), filename)
        if key not in _LOADED:
            _LOADED[key] = load_extract(content, filename=filename)
        return _LOADED[key]

    monkeypatch.setattr(common, "load_extract", load)


@pytest.fixture
def dash() -> ComplianceDashboard:
    board = ComplianceDashboard()
    board.start()
    return board


# --------------------------------------------------------------------------- start / sample


def test_start_checks_the_head_office_sample_and_finds_exactly_the_planted_breaches(dash):
    assert [e.source_name for e in dash.extracts] == [HEAD_OFFICE]
    assert dash.report.as_of == dt.date(2026, 9, 30)
    assert dash.as_of_picker.value == dt.date(2026, 9, 30)
    assert dash.report.loans_checked == 3000
    assert pairs(dash.findings) == planted(HEAD_OFFICE)
    assert len(dash.findings) == 174
    # a CSV holds no inspections sheet and no borrower's file: the inspection reports and the
    # rules of the file cannot be judged
    assert dash.not_run["rule_id"].tolist() == CSV_NOT_RUN
    assert "全部规则均已执行" not in dash.not_run_html.value
    assert dash.run_error.value == "" and dash.source.error.value == ""
    assert dash.progress.value == dash.progress.max == 1
    assert dash.progress_label.value.startswith("检查完成:1 个文件")


def test_summary_by_rule_has_every_rule_with_chinese_headers_and_citation(dash):
    counts = dict(zip(dash.by_rule["rule_id"], dash.by_rule["findings"], strict=True))
    assert list(counts) == [rid for rid in CATALOGUE if rid not in CSV_NOT_RUN]
    # 9 per rule (0.003 × 3,000), fewer where the six branches hold too few corporate
    # arrears, matured or NPL loans; OFFICER-ONE on 4 borrowers of 2 loans; COLLAT-REVAL less
    # the two plants only the collateral register shows (revalued too late for the half-year,
    # or by an internal valuer)
    fewer = {"CLS-BORROWER": 7, "COLL-NPL": 4, "MAT-COLLECT": 3, "INT-COLLECT": 1,
             "OFFICER-ONE": 8, "COLLAT-REVAL": 7}
    assert counts == {rid: fewer.get(rid, 9) for rid in counts}
    assert dash.by_rule.loc[dash.by_rule["rule_id"] == "CLS-OVERDUE", "severity"].item() == "高"
    assert dash.by_rule["citation"].tolist() == [CATALOGUE[rid].citation for rid in counts]
    html = dash.by_rule_html.value
    for header in ("规则编号", "规则名称", "严重程度", "问题数", "涉及借据数", "涉及机构数", "依据"):
        assert f"<th>{header}</th>" in html


def test_summary_by_branch_counts_each_branch(dash):
    totals = dict(zip(dash.by_branch["branch"], dash.by_branch["total"], strict=True))
    assert totals == {"城关支行": 44, "柳林镇支行": 22, "河口镇支行": 31, "白沙镇支行": 18,
                      "石桥镇支行": 33, "青山镇支行": 26}
    expected = dash.findings.groupby("branch").size().to_dict()
    assert totals == expected
    # Rules as rows, the branches as columns, the 合计 row last: it fits a 1366 px page.
    table = rules_by_branch(dash.by_branch, dash.report.rules_run)
    assert table.columns.tolist() == ["title_zh", "rule_id", "城关支行", "柳林镇支行", "河口镇支行",
                                      "白沙镇支行", "石桥镇支行", "青山镇支行"]
    assert table["rule_id"].tolist() == [*dash.report.rules_run, ""]
    assert table.iloc[-1, :3].tolist() == ["合计", "", 44]
    counts = dash.findings.groupby(["rule_id", "branch"]).size()
    assert int(table.set_index("rule_id").at["CLS-OVERDUE", "城关支行"]) == int(
        counts.get(("CLS-OVERDUE", "城关支行"), 0))
    page = dash.by_branch_html.value
    assert "<th>规则名称</th><th>规则编号</th><th>城关支行</th>" in page
    assert "<td>合计</td>" in page


def test_heatmap_is_branch_by_rule_counts(dash):
    figure = findings_heatmap(dash.report)
    (trace,) = figure.data
    # Rules run, by their Chinese titles; the id travels along for the hover text.
    ran = list(dash.report.rules_run)
    assert ran == [rid for rid in CATALOGUE if rid not in CSV_NOT_RUN]
    assert list(trace.x) == [CATALOGUE[rid].title_zh for rid in ran]
    assert [row[0] for row in np.asarray(trace.customdata).T] == ran
    assert list(trace.y) == dash.by_branch["branch"].tolist()
    np.testing.assert_array_equal(np.asarray(trace.z), dash.by_branch[ran].to_numpy())
    assert figure.layout.title.text == "各机构 × 规则 问题数"


def test_heatmap_of_a_clean_report_says_no_findings():
    loans = load_extract(SAMPLES / CHENGGUAN).loans
    clean = loans[~loans["loan_id"].isin([lid for _, lid in planted(CHENGGUAN)])]
    report = run_checks(clean, as_of="2026-09-30")
    assert report.findings.empty
    figure = findings_heatmap(report)
    assert figure.data == ()
    assert figure.layout.annotations[0].text == "未发现问题"


def test_download_is_the_findings_workbook_of_the_current_report(dash):
    html = dash.download.value
    assert "class='pa-download'" in html
    assert "download='合规检查问题清单_20260930.xlsx'" in html
    book = openpyxl.load_workbook(io.BytesIO(dash.workbook_bytes))
    assert book.sheetnames == ["汇总", "问题清单", "未执行规则", "规则目录", "参数"]
    assert listed_rows(book["问题清单"]) == 1 + 174


@pytest.mark.parametrize(("limit", "eager"), [(174, True), (173, False)])
def test_workbook_is_built_with_the_run_up_to_the_limit_else_on_demand(monkeypatch, limit, eager):
    monkeypatch.setattr(compliance, "EAGER_WORKBOOK_MAX_FINDINGS", limit)
    dash = ComplianceDashboard()
    dash.start()
    assert len(dash.findings) == 174
    assert (dash.workbook_bytes != b"") is eager
    assert ("class='pa-download'" in dash.download.value) is eager
    assert (dash.workbook_button.layout.display == "none") is eager
    if not eager:
        assert "问题较多(174 条),工作簿需点击左侧按钮生成后下载" in dash.download.value
        dash.workbook_button.click()
        assert dash.workbook_button.layout.display == "none"
        assert "download='合规检查问题清单_20260930.xlsx'" in dash.download.value
    book = openpyxl.load_workbook(io.BytesIO(dash.workbook_bytes))
    assert listed_rows(book["问题清单"]) == 1 + 174


# --------------------------------------------------------------------------- uploads


def test_upload_of_the_chengguan_workbook_replaces_the_results(dash):
    assert dash.load_files([(raw(CHENGGUAN), CHENGGUAN)])
    assert [e.source_name for e in dash.extracts] == [CHENGGUAN]
    assert pairs(dash.findings) == planted(CHENGGUAN)
    assert dash.findings["branch"].unique().tolist() == ["城关支行"]
    assert dash.by_branch["branch"].tolist() == ["城关支行"]
    assert "001202200000344" in dash.findings_html.value
    assert dash.branch_filter.options == (("全部", ALL), ("城关支行(35)", "城关支行"))


def test_upload_through_the_file_upload_widget(dash):
    dash.source.upload.value = upload_value(raw(CHENGGUAN), CHENGGUAN)
    assert pairs(dash.findings) == planted(CHENGGUAN)


def test_two_files_are_checked_each_on_its_own_and_combined(dash):
    assert dash.load_files([(raw(CHENGGUAN), CHENGGUAN), (raw(HEAD_OFFICE), HEAD_OFFICE)])
    assert pairs(dash.findings) == planted(CHENGGUAN) | planted(HEAD_OFFICE)
    assert len(dash.findings) == 35 + 174
    assert dash.report.loans_checked == 260 + 3000
    by_source = dash.findings.groupby("source_name").size().to_dict()
    assert by_source == {CHENGGUAN: 35, HEAD_OFFICE: 174}
    assert "<th>来源文件</th>" in dash.findings_html.value
    assert dash.report.source_name == f"{CHENGGUAN}; {HEAD_OFFICE}"
    fingerprints = dash.report.fingerprint.split("; ")
    assert fingerprints == [f"{e.source_name}: {e.fingerprint}" for e in dash.extracts]
    assert ("有 190 个客户号出现在多个文件中;同一借款人分类一致性(CLS-BORROWER)按文件分别检查,"
            "未跨文件比较。") in dash.report.warnings
    assert dash.progress.max == 2 and dash.progress_label.value.startswith("检查完成:2 个文件")
    book = openpyxl.load_workbook(io.BytesIO(dash.workbook_bytes))
    assert listed_rows(book["问题清单"]) == 1 + 209


def test_a_rule_not_run_for_one_file_is_listed_with_that_file():
    dash = ComplianceDashboard(sample=CHENGGUAN)
    dash.start()
    no_method = head_office_csv_without("最近催收方式")
    assert dash.load_files([(raw(CHENGGUAN), CHENGGUAN), (no_method, "ho_20260930.csv")])
    # the CSV cannot show inspection reports or the borrower's file either
    assert dash.not_run["rule_id"].tolist() == [
        "INSP-REPORT", "COLL-TIER", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE",
        "GUAR-RATING", "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]
    assert dash.not_run["reason"].str.startswith("〔ho_20260930.csv〕缺少所需数据:").all()
    assert dash.not_run["title_zh"].tolist()[:2] == ["贷后检查报告未按期完成", "逾期催收方式不到位"]
    # COLL-TIER still ran for the Chengguan file, so it is both run and (for one file) not run.
    assert "COLL-TIER" in dash.report.rules_run
    assert set(dash.findings.loc[dash.findings["rule_id"] == "COLL-TIER", "source_name"]) \
        == {CHENGGUAN}
    assert "未执行原因" in dash.not_run_html.value


def test_files_sharing_loan_ids_are_refused_and_the_previous_results_stay(dash):
    before = dash.findings.copy()
    ok = dash.load_files([(raw(HEAD_OFFICE), HEAD_OFFICE), (raw(HEAD_OFFICE), "copy.csv")])
    assert not ok
    panel = dash.source.error.value
    assert "class='pa-error'" in panel
    assert f"文件 {HEAD_OFFICE}、copy.csv 含有相同的借据号 3,000 笔" in panel
    assert "为避免重复计数,未进行检查" in panel
    assert f"当前仍显示上一次成功读取的数据:{HEAD_OFFICE}" in panel
    assert [e.source_name for e in dash.extracts] == [HEAD_OFFICE]
    assert [e.source_name for e in dash.source.extracts] == [HEAD_OFFICE]
    pd.testing.assert_frame_equal(dash.findings, before)


def test_garbage_named_xlsx_shows_the_error_panel_and_keeps_the_data(dash):
    before = dash.report
    assert not dash.load_files([(b"\x00\x01 not a workbook" * 50, "garbage.xlsx")])
    panel = dash.source.error.value
    assert "文件无法读取 / The file cannot be read" in panel
    assert "文件 garbage.xlsx 的扩展名是 .xlsx,但内容不是 Excel 工作簿" in panel
    assert "Traceback" not in panel
    assert dash.report is before
    assert pairs(dash.findings) == planted(HEAD_OFFICE)
    # The dashboard stays usable: the next good upload works and clears the panel.
    assert dash.load_files([(raw(CHENGGUAN), CHENGGUAN)])
    assert dash.source.error.value == ""
    assert pairs(dash.findings) == planted(CHENGGUAN)


def test_a_multi_file_upload_keeps_the_good_files_and_lists_each_refused_one(dash):
    garbage = (b"\x00\x01 not a workbook" * 50, "garbage.xlsx")
    columns = ("借据号,客户号\nL1,B1\n".encode(), "cols.csv")
    assert dash.load_files([garbage, (raw(CHENGGUAN), CHENGGUAN), columns])
    assert [e.source_name for e in dash.extracts] == [CHENGGUAN]
    assert pairs(dash.findings) == planted(CHENGGUAN)
    assert dash.source.refused == ["garbage.xlsx", "cols.csv"]
    panel = dash.source.error.value
    assert panel.count("class='pa-error'") == 2
    assert "文件无法读取 / The file cannot be read:garbage.xlsx" in panel
    assert "文件 cols.csv 缺少必填列:经营机构(branch)" in panel
    assert f"此文件未使用;其余文件已读取并使用:{CHENGGUAN}。" in panel
    # The next clean upload clears the list.
    assert dash.load_files([(raw(HEAD_OFFICE), HEAD_OFFICE)])
    assert dash.source.refused == [] and dash.source.error.value == ""


def test_an_upload_where_no_file_reads_lists_every_file_and_keeps_the_data(dash):
    before = dash.report
    assert not dash.load_files([(b"\x00" * 100, "a.xlsx"), (b"\x00" * 100, "b.xlsx")])
    panel = dash.source.error.value
    assert "a.xlsx" in panel and "b.xlsx" in panel
    assert f"当前仍显示上一次成功读取的数据:{HEAD_OFFICE}" in panel
    assert dash.report is before


def test_csv_missing_required_columns_shows_the_error_panel_and_keeps_the_data(dash):
    assert not dash.load_files([("借据号,客户号\nL1,B1\n".encode(), "cols.csv")])
    panel = dash.source.error.value
    assert "文件 cols.csv 缺少必填列:经营机构(branch)" in panel
    assert "Traceback" not in panel
    assert pairs(dash.findings) == planted(HEAD_OFFICE)
    assert "城关支行" in dash.by_branch_html.value


# --------------------------------------------------------------------------- as-of date


def test_changing_the_date_reruns_the_checks_at_that_date(dash):
    extract = dash.extracts[0]
    assert dash.set_as_of("2026-12-31")
    expected = run_checks(extract, as_of="2026-12-31")
    assert dash.report.as_of == dt.date(2026, 12, 31)
    assert pairs(dash.findings) == pairs(expected.findings)
    assert len(dash.findings) == len(expected.findings) > 169
    assert "检查日 <b>2026-12-31</b>" in dash.result_header.value
    assert "合规检查问题清单_20261231.xlsx" in dash.download.value


def test_the_date_picker_widget_reruns(dash):
    dash.as_of_picker.value = dt.date(2026, 10, 31)
    assert dash.report.as_of == dt.date(2026, 10, 31)


def test_initial_as_of_parameter_is_used_for_the_first_load_only():
    dash = ComplianceDashboard(sample=CHENGGUAN, as_of="2026-10-31")
    dash.start()
    assert dash.report.as_of == dt.date(2026, 10, 31)
    dash.load_files([(raw(HEAD_OFFICE), HEAD_OFFICE)])
    assert dash.report.as_of == dt.date(2026, 9, 30)


def test_a_file_without_a_date_asks_for_the_check_date_never_today():
    dash = ComplianceDashboard(sample=CHENGGUAN)
    dash.start()
    before = dash.report
    assert not dash.load_files([(raw(HEAD_OFFICE), "ledger.csv")])
    assert dash.as_of_picker.value is None
    assert dash.report is before  # nothing checked as of today
    note = dash.confirm_note.value
    assert "台账未识别出数据日期:ledger.csv。请在上方选择检查日期(台账的截止日期)。" in note
    assert f"下方仍为上一次的检查结果({CHENGGUAN},检查日 2026-09-30)。" in note
    assert dash.confirm_button.layout.display == "none"
    # A picked date is still the user's to confirm: the file says nothing about it.
    assert not dash.set_as_of("2026-09-30")
    assert dash.report is before
    assert ("检查日期现为 2026-09-30:如是台账的截止日期,请点击「仍按此日期检查」;否则请改选日期。"
            in dash.confirm_note.value)
    assert dash.confirm_button.layout.display is None
    assert dash.confirm_as_of()
    assert dash.report.as_of == dt.date(2026, 9, 30)
    assert dash.report.source_name == "ledger.csv"
    assert dash.confirm_note.value == ""


def test_cleared_date_shows_an_error_and_keeps_the_results(dash):
    before = dash.report
    dash.as_of_picker.value = None
    assert "请选择检查日期 / please pick the check date" in dash.run_error.value
    assert "下方仍为上一次的检查结果" in dash.run_error.value
    assert dash.report is before
    assert dash.progress.bar_style == "danger"
    assert dash.set_as_of("2026-09-30")
    assert dash.run_error.value == ""


def test_run_button_reruns(dash):
    first = dash.report
    dash.run_button.click()
    assert dash.report is not first
    assert pairs(dash.findings) == planted(HEAD_OFFICE)


# --------------------------------------------------------------------------- policy


DISABLE_RATING = '[disabled]\n"RATING-STALE" = "评级由总行统一更新"\n'.encode()


def test_policy_toml_disables_a_rule(dash):
    assert dash.load_policy(DISABLE_RATING, "bank.toml")
    assert dash.policy.source == "bank.toml"
    assert "RATING-STALE" not in dash.report.rules_run
    assert "RATING-STALE" not in set(dash.findings["rule_id"])
    assert len(dash.findings) == 174 - 9
    assert [r for r in dash.not_run.to_dict("records") if r["rule_id"] not in CSV_NOT_RUN] == [{
        "rule_id": "RATING-STALE", "title_zh": "信用评级未按年更新",
        "reason": "本行参数配置停用:评级由总行统一更新 / disabled by policy: 评级由总行统一更新"}]
    assert dash.not_run["rule_id"].tolist() == [
        "INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE", "RATING-STALE",
        "GUAR-RATING", "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]
    assert "当前参数:参数文件 bank.toml;停用规则:RATING-STALE(评级由总行统一更新)" \
        in dash.policy_status.value
    assert "参数:参数文件 bank.toml" in dash.result_header.value


def test_policy_toml_threshold_changes_the_findings(dash):
    content = b"[inspection]\ncorporate_regular_normal_months = 3\n"
    assert dash.load_policy(content, "strict.toml")
    expected = run_checks(dash.extracts[0], as_of="2026-09-30",
                          policy=Policy.from_dict({"inspection": {
                              "corporate_regular_normal_months": 3}}))
    assert pairs(dash.findings) == pairs(expected.findings)
    assert len(dash.findings) > 174


def test_policy_upload_widget_and_reset(dash):
    dash.policy_upload.value = upload_value(DISABLE_RATING, "bank.toml")
    assert dash.not_run["rule_id"].tolist() == [
        "INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE", "RATING-STALE",
        "GUAR-RATING", "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]
    dash.policy_reset.click()
    assert dash.policy.source == "default"
    assert dash.not_run["rule_id"].tolist() == CSV_NOT_RUN and len(dash.findings) == 174
    assert "当前参数:默认参数" in dash.policy_status.value


@pytest.mark.parametrize(("content", "expected"), [
    (b"[inspection]\nbogus_months = 3\n", "未知参数 inspection.bogus_months"),
    (b'[inspection]\nindividual_months = "six"\n',
     "参数 inspection.individual_months 的类型错误:应为整数"),
    (b"[inspection\nindividual_months = 3\n", "参数文件 bad.toml 不是有效的 TOML"),
    ("[inspection]\n# 注释\n".encode("gbk"), "参数文件 bad.toml 不是 UTF-8 编码的文本"),
])
def test_bad_policy_file_names_the_problem_and_keeps_the_current_policy(dash, content, expected):
    before = dash.report
    assert not dash.load_policy(content, "bad.toml")
    panel = dash.policy_error.value
    assert "参数文件有误 / Invalid policy file" in panel
    assert expected in panel
    assert "参数文件未采用,仍使用当前参数:默认参数" in panel
    assert dash.policy.source == "default"
    assert dash.report is before
    # A good file afterwards clears the panel.
    assert dash.load_policy(DISABLE_RATING, "bank.toml")
    assert dash.policy_error.value == ""


# --------------------------------------------------------------------------- filters


def test_rule_filter_shows_exactly_that_rules_findings(dash):
    view = dash.set_filters(rule="INSP-FREQ")
    assert set(view["loan_id"]) == {lid for rid, lid in planted(HEAD_OFFICE) if rid == "INSP-FREQ"}
    assert len(view) == 9
    assert dash.findings_note.value == "<p class='pa-note'>筛选结果 9 条,共 174 条。</p>"
    assert dash.findings_html.value.count("<tr>") == 1 + 9


def test_branch_and_severity_filters_combine(dash):
    view = dash.set_filters(branch="柳林镇支行", severity="high")
    f = dash.findings
    expected = f[(f["branch"] == "柳林镇支行") & (f["severity"] == "high")]
    assert set(view["loan_id"]) == set(expected["loan_id"])
    assert set(view["rule_id"]) == {"CLS-BORROWER", "CLS-OVERDUE", "CLS-RESTRUCT", "COLLAT-DROP"}
    assert len(view) == 5
    assert set(view["rule_id"]) <= {r.id for r in CATALOGUE.values() if str(r.severity) == "high"}
    assert "<td>高</td>" in dash.findings_html.value
    view = dash.set_filters(branch=ALL, severity=ALL)
    assert len(view) == 174


def test_filter_with_no_match_shows_none(dash):
    view = dash.set_filters(rule="EXIT-VISIT", branch="柳林镇支行")
    assert view.empty
    assert "(无)" in dash.findings_html.value


def test_filter_dropdown_widgets_fire(dash):
    dash.severity_filter.value = "low"
    assert set(dash.findings_view["severity"]) == {"low"}
    dash.rule_filter.value = "DATA-OVERDUE"
    assert len(dash.findings_view) == len(
        dash.findings[(dash.findings["severity"] == "low")
                      & (dash.findings["rule_id"] == "DATA-OVERDUE")])


def test_filter_options_list_rules_and_branches_with_counts(dash):
    assert dash.rule_filter.options[0] == ("全部", ALL)
    assert dash.rule_filter.options[1] == ("贷后检查频率不足 · INSP-FREQ(9)", "INSP-FREQ")
    assert [v for _, v in dash.rule_filter.options[1:]] == [
        rid for rid in CATALOGUE if rid not in CSV_NOT_RUN]
    assert dash.branch_filter.options == (
        ("全部", ALL), ("城关支行(44)", "城关支行"), ("柳林镇支行(22)", "柳林镇支行"),
        ("河口镇支行(31)", "河口镇支行"), ("白沙镇支行(18)", "白沙镇支行"),
        ("石桥镇支行(33)", "石桥镇支行"), ("青山镇支行(26)", "青山镇支行"))
    assert [v for _, v in dash.severity_filter.options] == [ALL, "high", "medium", "low"]


def test_filters_survive_a_rerun_when_still_available_else_reset(dash):
    dash.set_filters(branch="柳林镇支行")
    dash.set_as_of("2026-10-31")
    assert dash.branch_filter.value == "柳林镇支行"
    assert set(dash.findings_view["branch"]) == {"柳林镇支行"}
    dash.load_files([(raw(CHENGGUAN), CHENGGUAN)])
    assert dash.branch_filter.value == ALL
    assert len(dash.findings_view) == 35


def test_findings_table_shows_at_most_max_table_rows_with_a_count_note():
    dash = ComplianceDashboard(sample=CHENGGUAN)
    dash.start()
    assert dash.set_as_of("2027-06-30") is False  # 273 days after the data: confirm first
    assert dash.confirm_as_of() is True
    total = len(dash.findings)
    assert total > MAX_TABLE_ROWS
    assert dash.findings_html.value.count("<tr>") == 1 + MAX_TABLE_ROWS
    assert f"仅显示前 {MAX_TABLE_ROWS} 行,共 {total:,} 行" in dash.findings_html.value
    assert (f"筛选结果 {total:,} 条,共 {total:,} 条;屏幕上最多显示 {MAX_TABLE_ROWS} 行"
            in dash.findings_note.value)
    book = openpyxl.load_workbook(io.BytesIO(dash.workbook_bytes))
    assert listed_rows(book["问题清单"]) == 1 + total


def test_the_confirmation_bound_is_the_policy_value_check_date_confirm_days():
    dash = ComplianceDashboard(sample=CHENGGUAN,
                               policy=Policy.default().replace(check_date={"confirm_days": 30}))
    dash.start()
    assert dash.confirm_days == 30
    assert dash.set_as_of("2026-10-30") is True   # 30 days after the data date: runs
    assert dash.set_as_of("2026-10-31") is False  # 31 days: asks first


def test_a_check_date_far_from_the_extract_date_asks_for_confirmation_first():
    dash = ComplianceDashboard(sample=CHENGGUAN)
    dash.start()
    before = dash.report
    assert dash.confirm_days == 92
    # 92 days after the data date (2026-09-30): runs at once.
    assert dash.set_as_of("2026-12-31") is True
    assert dash.report.as_of == dt.date(2026, 12, 31) and dash.confirm_note.value == ""
    assert dash.confirm_button.layout.display == "none"
    # 93 days after: nothing runs, the previous results stay, the page says why.
    shown = dash.report
    assert dash.set_as_of("2027-01-01") is False
    assert dash.report is shown
    note = dash.confirm_note.value
    assert "检查日期 2027-01-01 与台账数据日期相差超过 92 天" in note
    assert "branch_chengguan_20260930.xlsx(数据日期 2026-09-30,相差 93 天)" in note
    assert "问题数会成倍增加" in note
    assert dash.confirm_button.layout.display is None
    assert dash.confirm_as_of() is True
    assert dash.report.as_of == dt.date(2027, 1, 1) and dash.confirm_note.value == ""
    # 93 days before asks too; 92 days before does not.
    assert dash.set_as_of("2026-06-29") is False
    assert dash.set_as_of("2026-06-30") is True
    assert before is not dash.report


def test_download_lists_the_rejected_rows_of_the_checked_file():
    """The page's findings workbook carries the 拒绝行 sheet, as ``check --out`` does, so the
    reader sees which rows the findings do not cover."""
    data = (Path(__file__).resolve().parents[1] / "data" / "negative_balance.csv").read_bytes()
    dash = ComplianceDashboard(as_of="2026-09-30")
    dash.start()
    assert not dash.load_files([(data, "negative_balance.csv")])  # no data date: asks
    assert not dash.set_as_of("2026-09-30")
    assert dash.confirm_as_of()
    assert dash.prepare_workbook()
    book = openpyxl.load_workbook(io.BytesIO(dash.workbook_bytes))
    assert "拒绝行" in book.sheetnames
    rows = list(book["拒绝行"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][1] == 3 and "贷款余额为负数" in rows[0][4]


def test_rule_ids_sit_beside_their_chinese_titles_in_the_smaller_secondary_style():
    frame = pd.DataFrame({"title_zh": ["贷后检查频率不足"], "rule_id": ["INSP-FREQ"],
                          "findings": [3]})
    html = common.table_html(frame, headers={"title_zh": "规则名称", "rule_id": "规则编号"})
    assert "<td>贷后检查频率不足</td><td class='pa-rule-id'>INSP-FREQ</td>" in html
    assert ".pa-table .pa-rule-id { color: #57606a; font-size: 11px; }" in common._STYLE
