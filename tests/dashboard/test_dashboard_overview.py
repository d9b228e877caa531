"""The extract overview page's headline facts (台账概况)."""

from __future__ import annotations

from pathlib import Path

import postloan_audit as pa
from postloan_audit.dashboard.overview import facts_html

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"


def test_the_headline_balance_is_in_wan_and_never_adds_foreign_currency():
    # currencies.csv: 4,000.00 元 in CNY, HKD 4,000.00 and USD 7,000.00 (15,000.00 in all).
    page = facts_html(pa.load_extract(DATA / "currencies.csv"))
    assert "<th>贷款余额(人民币;外币按原币另列)</th>" in page
    assert "<td>0.40 万元(另有外币:HKD 4,000.00、USD 7,000.00)</td>" in page
    assert "1.50 万元" not in page


def test_a_file_in_cny_shows_one_total_in_wan():
    extract = pa.load_extract(DATA / "bad_byte.csv")
    page = facts_html(extract)
    total = extract.loans["balance"].sum()
    assert f"<th>贷款余额</th><td>{total / 10_000:,.2f} 万元</td>" in page
    assert "<th>文件指纹(SHA-256)</th>" in page


def test_page_00_lists_the_notes_it_counts_and_says_which_loans_it_counts():
    from postloan_audit.dashboard.overview import ExtractOverviewDashboard

    dash = ExtractOverviewDashboard()
    assert dash.source.load_files([((DATA / "html_table_gbk.xls").read_bytes(),
                                    "html_table_gbk.xls")])
    listed = dash.source.issues.value
    assert "html_table_gbk.xls 的读取问题与提示(错误 0 条,警告 0 条,提示 3 条)" in listed
    assert "文件内容为网页表格(HTML),已按表格读取" in listed
    assert "合并单元格 D3:D4 的值已填入合并范围内的每一行" in listed
    assert "<th>错误 / 警告 / 提示</th><td>0 / 0 / 3</td>" in dash.facts.value
    assert dash.source.load_files([((DATA / "total_row.xlsx").read_bytes(), "total_row.xlsx")])
    assert "合计/小计行,已单独列出,未作为贷款读取" in dash.source.issues.value


def test_page_00_counts_every_loan_and_the_outstanding_ones_apart():
    # The page 03 KPI (在贷借据笔数) counts the 1,161 outstanding loans of these 1,200.
    page = facts_html(pa.load_extract(ROOT / "sample_extracts" / "network_snapshot_20260930.xlsx"))
    assert "<th>全部借据笔数(含已结清)</th><td>1,200</td>" in page
    assert "<th>其中在贷借据笔数(余额大于0)</th><td>1,161</td>" in page
