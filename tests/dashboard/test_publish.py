"""``postloan-audit publish BEFORE AFTER --out report.html``: one self-contained HTML file of
the management page, charts included, nothing personal unmasked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import postloan_audit as pa
from postloan_audit.commands.cli import main

ROOT = Path(__file__).resolve().parents[2]
BEFORE = ROOT / "sample_extracts" / "network_snapshot_20260630.xlsx"
AFTER = ROOT / "sample_extracts" / "network_snapshot_20260930.xlsx"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("publish") / "report.html"
    assert main(["publish", str(BEFORE), str(AFTER), "--out", str(out),
                 "--user", "zhang.san"]) == 0
    return out.read_text(encoding="utf-8")


def test_the_report_is_self_contained_with_its_charts(report):
    assert report.startswith("<!DOCTYPE html>")
    # plotly.js embedded once, four charts drawn by it; no script or stylesheet fetched.
    assert report.count("Plotly.newPlot(") == 4
    assert re.search(r"<script[^>]+src=", report) is None
    assert re.search(r"<link[^>]+href=['\"]https?:", report) is None
    for title in ("一、资产质量", "四、前十大客户集中度", "八、五级分类迁徙"):
        assert f"<h2>{title}</h2>" in report
    assert "发布人:zhang.san" in report
    assert "期末快照:network_snapshot_20260930.xlsx" in report
    assert "data:application/vnd.openxmlformats" not in report  # no workbook inside


def test_no_personal_name_or_id_number_is_unmasked(report):
    seen = 0
    for path in (BEFORE, AFTER):
        loans = pa.load_extract(path).loans
        personal = loans[loans["customer_type"].astype("str") != "corporate"]
        names = set(personal["borrower_name"].dropna().astype("str"))
        ids = set(loans["id_number"].dropna().astype("str")) if "id_number" in loans else set()
        assert names
        for value in names | {i for i in ids if len(i) >= 8}:
            assert value not in report, f"unmasked in report.html: {value}"
            seen += 1
    assert seen > 100
    assert "个人客户姓名与证件号码已脱敏" in report
