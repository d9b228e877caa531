"""The extract overview page's headline facts (台账概况)."""

from __future__ import annotations

from pathlib import Path

import postloan_audit as pa
from postloan_audit.dashboard.overview import facts_html

DATA = Path(__file__).parents[1] / "data"


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
