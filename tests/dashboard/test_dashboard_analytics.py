"""The 审计分析 section of pages 02 and 05 (``dashboard/analytics.py``): run on the button, over
the page's book (page 02: the files checked as one book), with the capital the user enters."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from postloan_audit.dashboard import ComplianceDashboard
from postloan_audit.dashboard.warning import WatchListDashboard
from postloan_audit.parties import is_valid_credit_code, is_valid_id_number

SAMPLES = Path(__file__).resolve().parents[2] / "sample_extracts"
HEAD_OFFICE = "head_office_6_branches_20260930.csv"


def head_office() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / HEAD_OFFICE, encoding="gbk", dtype=str, keep_default_na=False)


def csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("gbk")


def two_branch_files() -> tuple[list[tuple[bytes, str]], str, str]:
    """Two branches' files; one borrower of the first reappears in the second under a new
    customer number with the same (valid) id number: one party under two ids."""
    frame = head_office()
    branches = sorted(frame["经营机构"].unique())
    first = frame[frame["经营机构"] == branches[0]].copy()
    second = frame[frame["经营机构"] == branches[1]].copy()
    valid = first["证件号码"].map(lambda v: is_valid_id_number(v) or is_valid_credit_code(v))
    ids = first.loc[valid, ["客户号", "客户名称", "证件号码"]]
    ids = ids[~ids["证件号码"].isin(second["证件号码"])].iloc[0]
    row = second.index[0]
    second.loc[row, ["客户号", "客户名称", "证件号码"]] = ["9900000001", ids["客户名称"],
                                                     ids["证件号码"]]
    files = [(csv(first), "branch_a_20260930.csv"), (csv(second), "branch_b_20260930.csv")]
    return files, ids["客户号"], "9900000001"


@pytest.fixture(scope="module")
def page02() -> ComplianceDashboard:
    board = ComplianceDashboard(trail=False)
    board.start()
    return board


def test_the_section_waits_for_the_button_and_then_shows_every_analysis(page02):
    panel = page02.analytics
    assert panel.review is None and panel.counts_html.value == ""
    assert panel.run()
    items = [c[0] for c in panel.review.counts]
    assert items == ["同一债务人(合并的客户号组)", "证件号码无效", "行业集中度 HHI",
                     "经营机构集中度 HHI", "首位数字检验", "阈值下方堆积", "一物多押超值",
                     "同一证件号码多个客户号", "疑似重复借据"]
    # the head-office CSV has no guarantees sheet, no capital was given, no 上期台账
    assert [n[0] for n in panel.review.not_run] == ["担保圈与担保链", "大额风险暴露", "两期比对"]
    assert "一级资本净额和资本净额" in panel.review.not_run[1][1]
    assert "id='pa-analytics-counts'" in panel.counts_html.value
    assert "下载审计分析工作簿" in panel.download.value
    wb = openpyxl.load_workbook(io.BytesIO(panel.workbook_bytes))
    assert wb.sheetnames[0] == "说明"
    assert "同一债务人" in wb.sheetnames and "首位数字检验" in wb.sheetnames


def test_capital_entered_runs_large_exposures_and_a_bad_amount_is_refused(page02):
    panel = page02.analytics
    panel.set_capital(5e9, 6e9)
    assert panel.run()
    assert "大额风险暴露" in [c[0] for c in panel.review.counts]
    assert "大额风险暴露" not in [n[0] for n in panel.review.not_run]
    before = panel.review
    panel.tier1_capital.value = "五十亿"
    assert not panel.run()
    assert "一级资本净额须为正的金额(元)" in panel.error.value
    assert "下方仍为上一次的审计分析结果" in panel.error.value
    assert panel.review is before  # the last results stay
    panel.tier1_capital.value = "5,000,000,000"
    assert panel.run() and panel.error.value == ""


def test_one_party_under_two_ids_in_two_files_is_found_across_the_files():
    board = ComplianceDashboard(trail=False)
    files, old_id, new_id = two_branch_files()
    assert board.load_files(files)
    assert board.analytics.run()
    groups = board.analytics.review.sections[0].frame
    assert board.analytics.review.sections[0].sheet == "同一债务人"
    assert groups["borrower_ids"].tolist() == ["、".join(sorted([old_id, new_id]))]
    assert groups["why"].tolist() == ["同一证件号码"]
    # the second file alone holds one id of the party: nothing to join
    assert board.load_files(files[1:])
    assert "请重新运行审计分析" in board.analytics.status.value
    assert board.analytics.review is None
    assert board.analytics.run()
    assert board.analytics.review.sections[0].frame.empty


def test_page_05_analyses_the_scanned_extract_against_its_earlier_snapshot():
    board = WatchListDashboard(trail=False)
    board.start()
    assert board.analytics.run()
    review = board.analytics.review
    assert review.provenance.source_name == "network_snapshot_20260930.xlsx"
    counts = {c[0]: c[1] for c in review.counts}
    assert counts["两期比对:余额勾稽"] == "平"
    assert counts["担保圈"] == "0"
    assert [n[0] for n in review.not_run] == ["大额风险暴露"]
    board.clear_previous()
    assert board.analytics.run()
    assert [n[0] for n in board.analytics.review.not_run] == ["大额风险暴露", "两期比对"]
