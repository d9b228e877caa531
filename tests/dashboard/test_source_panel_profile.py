"""The upload panel with an export profile (导出配置) beside the ledger, driven headless."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook

import postloan_audit as pa
from postloan_audit.dashboard import BranchSamplingDashboard
from postloan_audit.dashboard.common import NO_PROFILE_TEXT

DATA = Path(__file__).resolve().parents[1] / "data" / "profiles"
LEDGER = (DATA / "rcb_balance.xlsx").read_bytes()
PROFILE = (DATA / "rcb_balance.toml").read_bytes()
SHA = pa.ExportProfile.from_toml(DATA / "rcb_balance.toml").sha256


def _board() -> BranchSamplingDashboard:
    board = BranchSamplingDashboard(seed=1)
    board.start()
    return board


def test_no_profile_is_shown_at_start():
    board = _board()
    assert NO_PROFILE_TEXT in board.source.profile_status.value
    assert board.source.profile is None


def test_a_ledger_that_fails_loads_once_its_profile_is_given():
    board = _board()
    assert board.source.load_files([(LEDGER, "rcb_balance.xlsx")]) is False
    assert "找不到贷款台账工作表" in board.source.error.value
    assert board.extract.source_name == "branch_chengguan_20260930.xlsx"  # previous data stays

    assert board.source.load_profile(PROFILE, "rcb_balance.toml") is True
    assert board.source.error.value == ""
    assert board.extract.source_name == "rcb_balance.xlsx"
    assert (board.extract.profile_name, board.extract.profile_sha256) == (
        "XX农商行 信贷系统 贷款余额表", SHA)
    assert (f"导出配置:XX农商行 信贷系统 贷款余额表(文件 rcb_balance.toml,sha256 {SHA[:12]})"
            in board.source.profile_status.value)
    assert f"导出配置:XX农商行 信贷系统 贷款余额表(sha256 {SHA[:12]})" in board.source.status.value
    assert [label for label, _ in board.branch_picker.options][0].startswith("城关支行")
    pairs = {row[0]: row[1] for row in load_workbook(io.BytesIO(board.workpaper))["抽样参数"]
             .iter_rows(values_only=True)}
    assert pairs["导出配置"] == "XX农商行 信贷系统 贷款余额表"
    assert pairs["导出配置指纹(SHA-256)"] == SHA


def test_an_invalid_profile_shows_its_key_and_line_and_keeps_the_previous_one():
    board = _board()
    assert board.source.load_profile(PROFILE, "rcb_balance.toml") is True
    bad = b'[units.loans]\nbalance = "\xe6\x96\xa4"\n'  # 斤
    assert board.source.load_profile(bad, "bad.toml") is False
    assert "导出配置 bad.toml 第 2 行,units.loans.balance:未知的单位 斤" in board.source.error.value
    assert board.source.profile.name == "XX农商行 信贷系统 贷款余额表"
    board.source.clear_profile()
    assert NO_PROFILE_TEXT in board.source.profile_status.value
    assert board.source.load_files([(LEDGER, "rcb_balance.xlsx")]) is False


def test_profile_upload_widget_value_drives_the_panel():
    board = _board()
    board.source.profile_upload.value = ({"name": "rcb_balance.toml", "type": "",
                                          "size": len(PROFILE), "content": memoryview(PROFILE),
                                          "last_modified": dt.datetime(2026, 9, 30)},)
    assert board.source.profile.name == "XX农商行 信贷系统 贷款余额表"
    assert board.source.profile_upload.value == ()
