"""Headless tests of the management dashboard (管理层看板): build it, feed it
snapshots, fire the widgets' callbacks, and assert the tables it shows and exports.

Most tests use two small hand-built snapshots (2026-06-30 → 2026-09-30, :data:`BEFORE` and
:data:`AFTER`) whose every figure is worked out in the comments; a few go through the bundled
sample extracts and the loader, as the page does.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from checks_factory import make_loans
from openpyxl import load_workbook

from postloan_audit import load_extract, portfolio
from postloan_audit.core.extract import Extract
from postloan_audit.dashboard import ManagementDashboard
from postloan_audit.dashboard import management as mgmt
from postloan_audit.dashboard.common import SAMPLE_DIR

AS_OF = dt.date(2026, 9, 30)
GARBAGE_XLSX = (b"PK\x03\x04 this is not really a workbook", "台账.xlsx")
MISSING_COLUMNS_CSV = ("借据号,客户号\n1,2\n".encode(), "缺列.csv")

# Later snapshot (期末, 2026-09-30). Every loan is CLEAN (breaches nothing) unless said:
#   c1, c2  corporate 公司甲 (borrower B1), 城关支行, normal, 6,000,000 + 2,000,000
#   p1      individual 张三丰, 河口镇支行, special mention, 1,000,000
#   p2      individual 欧阳娜娜, 河口镇支行, substandard, 500,000, 100 days overdue and never
#           collected → COLL-TIER and COLL-NPL
#   late    corporate, 河口镇支行, normal, 1,500,000, last inspected 2026-03-29 → INSP-FREQ
#   s1      corporate, 城关支行, special mention, 500,000
#   zero    paid off (balance 0): not active, counted nowhere
AFTER_LOANS = {
    "c1": {"borrower_id": "B1", "borrower_name": "公司甲", "balance": 6_000_000.0},
    "c2": {"borrower_id": "B1", "borrower_name": "公司甲", "balance": 2_000_000.0},
    "p1": {"borrower_name": "张三丰", "customer_type": "individual", "branch": "河口镇支行",
           "classification": "special_mention", "balance": 1_000_000.0,
           "id_number": "990000199001011234"},
    "p2": {"borrower_name": "欧阳娜娜", "customer_type": "individual", "branch": "河口镇支行",
           "classification": "substandard", "balance": 500_000.0, "overdue_days": 100,
           "id_number": "990000198502023456"},
    "late": {"branch": "河口镇支行", "balance": 1_500_000.0,
             "last_inspection_date": "2026-03-29"},
    "s1": {"classification": "special_mention", "balance": 500_000.0},
    "zero": {"balance": 0.0},
}
# Earlier snapshot (期初, 2026-06-30): p1 was normal, p2 special mention (600,000), c2 was
# 2,500,000, and "gone" (special mention, 400,000) is repaid by 2026-09-30.
BEFORE_LOANS = {
    "c1": {"borrower_id": "B1", "borrower_name": "公司甲", "balance": 6_000_000.0},
    "c2": {"borrower_id": "B1", "borrower_name": "公司甲", "balance": 2_500_000.0},
    "p1": {"borrower_name": "张三丰", "customer_type": "individual", "branch": "河口镇支行",
           "balance": 1_200_000.0, "id_number": "990000199001011234"},
    "p2": {"borrower_name": "欧阳娜娜", "customer_type": "individual", "branch": "河口镇支行",
           "classification": "special_mention", "balance": 600_000.0,
           "id_number": "990000198502023456"},
    "late": {"branch": "河口镇支行", "balance": 1_500_000.0},
    "s1": {"classification": "special_mention", "balance": 500_000.0},
    "gone": {"classification": "special_mention", "balance": 400_000.0},
}
INDIVIDUALS = {"张三丰": "990000199001011234", "欧阳娜娜": "990000198502023456"}
FAMILIES = ["贷后检查", "风险分类", "展期与借新还旧", "催收", "到期管理", "押品", "评级",
            "退出类", "资金用途", "管户责任", "数据质量"]


def branches_sheet(rows: dict[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame({
        "branch": pd.Series(list(rows), dtype="str"),
        "last_onsite_review_date": pd.to_datetime(pd.Series(list(rows.values()))).astype(
            "datetime64[ns]"),
    })


# 城关 reviewed 2025-09-30 (in the 2-year cycle, not this year); 河口镇 2024-09-29 (due
# 2026-09-29: one day overdue at 2026-09-30); 青山镇 2026-01-01 (this year).
BRANCHES = {"城关支行": "2025-09-30", "河口镇支行": "2024-09-29", "青山镇支行": "2026-01-01"}


def snapshot(cases: dict, *, as_of: dt.date | None, name: str, branches: bool = True,
             drop: tuple[str, ...] = ()) -> Extract:
    loans = make_loans(cases, drop=drop)
    if "id_number" not in drop:
        loans["id_number"] = loans["id_number"].astype("str")
    return Extract(loans=loans, branches=branches_sheet(BRANCHES) if branches else None,
                   fingerprint="0" * 64, source_name=name, as_of=as_of)


def after_extract(**kwargs) -> Extract:
    kwargs.setdefault("as_of", AS_OF)
    return snapshot(AFTER_LOANS, name="期末_20260930.xlsx", **kwargs)


def before_extract(**kwargs) -> Extract:
    kwargs.setdefault("as_of", dt.date(2026, 6, 30))
    return snapshot(BEFORE_LOANS, name="期初_20260630.xlsx", **kwargs)


def hand_built() -> ManagementDashboard:
    board = ManagementDashboard(user="王审计")
    assert board.show_extracts(after=after_extract(), before=before_extract())
    return board


@pytest.fixture(scope="module")
def shown() -> ManagementDashboard:
    """The hand-built snapshots on one dashboard, for the tests that only read it."""
    return hand_built()


@pytest.fixture
def dash() -> ManagementDashboard:
    """A fresh dashboard for the tests that upload or break something."""
    return hand_built()


@pytest.fixture(scope="module")
def sample_dash() -> ManagementDashboard:
    board = ManagementDashboard()
    board.start()
    return board


def upload_value(content: bytes, name: str) -> tuple[dict, ...]:
    """What ipywidgets 8's FileUpload holds after the browser sends one file."""
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": dt.datetime(2026, 10, 8, 9, 0)},)


def td_cells(page_html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", page_html)


# --------------------------------------------------------------------------- helpers


def test_current_user_takes_the_proxy_header_variables_in_order() -> None:
    assert mgmt.current_user({"HTTP_X_REMOTE_USER": " zhang.san ",
                              "HTTP_X_FORWARDED_USER": "other"}) == "zhang.san"
    assert mgmt.current_user({"HTTP_X_REMOTE_USER": "  ",
                              "HTTP_X_FORWARDED_USER": "li.si"}) == "li.si"
    assert mgmt.current_user({"REMOTE_USER": "x"}) is None


def test_dashboard_reads_the_signed_in_user_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("HTTP_X_REMOTE_USER", "zhao.liu@bank")
    board = ManagementDashboard()
    assert board.user == "zhao.liu@bank"
    assert "当前用户:zhao.liu@bank" in board.header.value
    monkeypatch.delenv("HTTP_X_REMOTE_USER")
    monkeypatch.delenv("HTTP_X_FORWARDED_USER", raising=False)
    assert "当前用户:未经统一登录(本机运行)" in ManagementDashboard().header.value


# --------------------------------------------------------------------------- hand-built tables


def test_kpis_of_the_later_snapshot(shown: ManagementDashboard) -> None:
    # Active: c1 c2 p1 p2 late s1 = 11,500,000; NPL p2 500,000; SM p1 + s1 1,500,000.
    kpis = shown.tables["kpis"]
    assert kpis["指标"].tolist() == ["在贷借据笔数", "在贷客户户数", "贷款余额(元)", "不良贷款率",
                                    "关注类贷款占比", "逾期90天以上贷款占比"]
    assert kpis["显示"].tolist() == ["6", "5", "11,500,000.00", "4.35%", "13.04%", "4.35%"]
    # The headline amount in 万元 (or 亿元) with two decimals, not 元 with fen.
    assert "<div class='label'>贷款余额</div><div class='value'>1,150.00 万元</div>" in shown.kpis.value
    # Timeliness 5/6 and the special-mention migration rate 50% are cards too.
    assert "贷后检查及时率</div><div class='value'>83.33%" in shown.kpis.value
    assert "关注类贷款迁徙率</div><div class='value'>50.00%" in shown.kpis.value


def test_balance_by_class_per_branch_with_npl_ratio(shown: ManagementDashboard) -> None:
    table = shown.tables["class_balance"]
    assert table.columns.tolist() == ["机构", "正常", "关注", "次级", "可疑", "损失", "合计(元)",
                                      "不良率"]
    assert table["机构"].tolist() == ["城关支行", "河口镇支行"]
    assert table["正常"].tolist() == [8_000_000.0, 1_500_000.0]
    assert table["关注"].tolist() == [500_000.0, 1_000_000.0]
    assert table["次级"].tolist() == [0.0, 500_000.0]
    assert table["合计(元)"].tolist() == [8_500_000.0, 3_000_000.0]
    assert table["不良率"].tolist() == [0.0, pytest.approx(1 / 6)]
    assert "<td class='num'>8,500,000.00</td>" in shown.class_table.value
    (chart,) = shown.class_plot.outputs
    bars = chart["data"]["application/vnd.plotly.v1+json"]["data"]
    assert [b["name"] for b in bars] == ["正常", "关注", "次级", "可疑", "损失"]
    assert bars[0]["x"] == ["城关支行", "河口镇支行"] and bars[0]["y"] == [800.0, 150.0]
    assert "<td>16.67%</td>" in shown.class_table.value


def test_overdue_buckets_hold_the_one_overdue_loan(shown: ManagementDashboard) -> None:
    table = shown.tables["buckets"]
    assert table["逾期天数"].tolist() == ["1–30", "31–60", "61–90", "91–180", "181–270",
                                        "271–360", ">360"]
    assert table["笔数"].tolist() == [0, 0, 0, 1, 0, 0, 0]
    assert table["余额(元)"].tolist() == [0, 0, 0, 500_000.0, 0, 0, 0]


def test_concentration_masks_individuals_and_keeps_companies(shown: ManagementDashboard) -> None:
    table = shown.tables["concentration"]
    # B1 8,000,000 (two loans); then 1,500,000; 1,000,000; and a 500,000 tie broken by id.
    assert table["客户号"].tolist() == ["B1", "B-late", "B-p1", "B-p2", "B-s1"]
    assert table["客户名称"].tolist() == ["公司甲", "某某公司", "张**", "欧***", "某某公司"]
    assert table["客户类型"].tolist() == ["对公", "对公", "个人", "个人", "对公"]
    assert table["笔数"].tolist() == [2, 1, 1, 1, 1]
    assert table["占比"].tolist() == pytest.approx([8 / 11.5, 1.5 / 11.5, 1 / 11.5,
                                                   0.5 / 11.5, 0.5 / 11.5])
    assert "前10户贷款余额占全部在贷余额的 <b>100.00%</b>" in shown.concentration_table.value


def test_no_displayed_or_exported_table_shows_an_individual_name_or_id(
        shown: ManagementDashboard) -> None:
    page = shown.displayed_html()
    cells = td_cells(page)
    assert "张**" in cells and "欧***" in cells
    for name, id_number in INDIVIDUALS.items():
        assert name not in page and id_number not in page
        for frame in shown.tables.values():
            assert not frame.astype("str").isin([name, id_number]).any().any()
    book = load_workbook(io.BytesIO(shown.workbook_bytes))
    values = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
              for c in row if c is not None}
    assert "张**" in values
    assert not values & (set(INDIVIDUALS) | set(INDIVIDUALS.values()))


def test_findings_by_branch_and_rule_family(shown: ManagementDashboard) -> None:
    # late → INSP-FREQ, p1 and p2 → CALLBACK-FIRST (贷后检查: no callback recorded); p2 →
    # COLL-TIER (催收; COLL-NPL is the corporate manual's); all in 河口镇支行.
    table = shown.tables["findings"]
    assert table.columns.tolist() == ["机构", *FAMILIES, "合计"]
    assert table["机构"].tolist() == ["城关支行", "河口镇支行", "合计"]
    assert table["贷后检查"].tolist() == [0, 3, 3]
    assert table["催收"].tolist() == [0, 1, 1]
    assert table["合计"].tolist() == [0, 4, 4]
    assert table[FAMILIES].to_numpy().sum() == 8
    assert "执行规则 22 条,发现问题 4 条" in shown.findings_table.value


def test_inspection_timeliness_by_branch(shown: ManagementDashboard) -> None:
    table = shown.tables["timeliness"]
    assert table["机构"].tolist() == ["城关支行", "河口镇支行", "合计"]
    assert table["在贷笔数"].tolist() == [3, 3, 6]
    assert table["检查超期笔数"].tolist() == [0, 1, 1]
    assert table["及时率"].tolist() == pytest.approx([1.0, 2 / 3, 5 / 6])
    assert "检查超期 1 笔,贷后检查及时率 <b>83.33%</b>" in shown.timeliness_table.value


def test_review_coverage_two_year_and_forty_percent_rules(shown: ManagementDashboard) -> None:
    table = shown.tables["coverage"]
    assert table["机构"].tolist() == ["城关支行", "河口镇支行", "青山镇支行"]
    assert table["2年内已现场检查"].tolist() == ["是", "否", "是"]
    assert table["2026年已现场检查"].tolist() == ["否", "否", "是"]
    late = shown.tables["coverage_overdue"]
    assert late["机构"].tolist() == ["河口镇支行"]
    assert late["超期天数"].tolist() == [1]
    text = shown.coverage_table.value
    assert "2年内已现场检查 2 家(66.67%,要求全覆盖)" in text
    assert "2026年已现场检查 1 家(33.33%),年度要求不低于 40%(至少 2 家),<b>未达标</b>" in text


def test_migration_matrices_by_count_and_balance(shown: ManagementDashboard) -> None:
    count = shown.tables["migration_count"].set_index("期初\\期末")
    assert count.columns.tolist() == ["正常", "关注", "次级", "可疑", "损失", "合计"]
    expected = pd.DataFrame(0, index=["正常", "关注", "次级", "可疑", "损失"],
                            columns=["正常", "关注", "次级", "可疑", "损失"], dtype=np.int64)
    expected.loc["正常", "正常"] = 3  # c1 c2 late
    expected.loc["正常", "关注"] = 1  # p1
    expected.loc["关注", "关注"] = 1  # s1
    expected.loc["关注", "次级"] = 1  # p2
    assert count.loc[expected.index, expected.columns].to_numpy().tolist() == \
        expected.to_numpy().tolist()
    assert count.loc["合计", "合计"] == 6
    balance = shown.tables["migration_balance"].set_index("期初\\期末")
    assert balance.loc["正常", "正常"] == 10_000_000.0  # 6,000,000 + 2,500,000 + 1,500,000
    assert balance.loc["正常", "关注"] == 1_200_000.0
    assert balance.loc["关注", "次级"] == 600_000.0
    acc = shown.tables["migration_accounting"]
    assert acc["项目"].tolist() == ["两期均在贷", "期末已结清或退出", "期末新发放"]
    assert acc["笔数"].tolist() == [6, 1, 0]
    assert acc["期初余额(元)"].tolist()[1] == 400_000.0


def test_special_mention_migration_rate(shown: ManagementDashboard) -> None:
    # Beginning SM: p2 600,000 + s1 500,000 + gone 400,000 = 1,500,000; decrease 100,000 +
    # 0 + 400,000 = 500,000; downgraded (p2, ending balance) 500,000 → 500,000 / 1,000,000.
    sm = shown.tables["special_mention"].set_index("指标")
    assert sm.loc["关注类贷款迁徙率(按余额)", "显示"] == "50.00%"
    assert sm.loc["期初关注类贷款余额(元)", "数值"] == 1_500_000.0
    assert sm.loc["期初关注类贷款期间减少金额(元)", "显示"] == "500,000.00"
    assert sm.loc["关注类贷款迁徙率(按笔数)", "显示"] == "50.00%"  # 1 of 3 − 1 repaid
    assert "关注类贷款迁徙率(按余额):<b>50.00%</b>" in shown.migration_table.value


def test_workbook_holds_every_table_and_the_parameters(shown: ManagementDashboard) -> None:
    book = load_workbook(io.BytesIO(shown.workbook_bytes))
    assert book.sheetnames == ["参数", "主要指标", "五级分类", "逾期分段", "前十大客户",
                               "检查发现", "检查及时率", "现场检查覆盖", "超期未现场检查机构",
                               "迁徙矩阵(余额)", "迁徙矩阵(笔数)", "迁徙核对", "关注类迁徙率"]
    params = {row[0]: row[1] for row in book["参数"].iter_rows(min_row=2, values_only=True)}
    assert params["当前用户"] == "王审计"
    assert params["检查日"] == dt.datetime(2026, 9, 30)  # a date cell
    assert params["期末快照"].startswith("期末_20260930.xlsx(数据日期 2026-09-30")
    findings = list(book["检查发现"].iter_rows(values_only=True))
    assert findings[0] == ("机构", *FAMILIES, "合计")
    assert findings[2][0] == "河口镇支行" and findings[2][-1] == 4
    assert book["五级分类"]["H2"].number_format == "0.00%"
    assert 'download=\'管理层看板数据.xlsx\'' in shown.download.value


# --------------------------------------------------------------------------- missing data


def test_sections_without_their_data_say_why_and_the_rest_is_shown() -> None:
    board = ManagementDashboard()
    after = after_extract(as_of=None, branches=False, drop=("overdue_days",))
    assert board.show_extracts(after=after)
    assert set(board.tables) == {"kpis", "class_balance", "concentration"}
    assert "台账未提供逾期天数列" in board.bucket_table.value
    assert "期末快照未识别出数据日期" in board.findings_table.value
    assert "期末快照未识别出数据日期" in board.timeliness_table.value
    assert "期末快照未识别出数据日期" in board.coverage_table.value
    assert "未提供期初快照,无法计算迁徙" in board.migration_table.value
    assert board.bucket_plot.outputs == () and board.migration_plot.outputs == ()
    assert board.tables["kpis"]["显示"].tolist()[-1] == "—"
    book = load_workbook(io.BytesIO(board.workbook_bytes))
    params = [row for row in book["参数"].iter_rows(min_row=2, values_only=True)]
    assert ("说明(五级分类迁徙)", "未提供期初快照,无法计算迁徙 / no earlier snapshot") in params


def test_no_branches_sheet_leaves_coverage_out_with_a_note() -> None:
    board = ManagementDashboard()
    assert board.show_extracts(after=after_extract(branches=False), before=before_extract())
    assert "coverage" not in board.tables and "findings" in board.tables
    assert "期末快照没有机构表" in board.coverage_table.value


def test_snapshots_in_the_wrong_order_are_flagged() -> None:
    board = ManagementDashboard()
    late_before = before_extract(as_of=dt.date(2026, 12, 31))
    assert board.show_extracts(after=after_extract(), before=late_before)
    why = "期初快照日期 2026-12-31 不早于期末快照日期 2026-09-30,请检查两个文件是否放反"
    assert why in board.migration_table.value
    # The KPI card shows no rate, but the reason, where the rate would be.
    card = ("<div class='label'>关注类贷款迁徙率</div><div class='value'>—</div>"
            f"<div class='why'>{why}")
    assert card in board.kpis.value
    assert "关注类贷款迁徙率</div><div class='value'>0.00%" not in board.kpis.value


# --------------------------------------------------------------------------- bad uploads


def test_garbage_xlsx_upload_shows_the_error_and_keeps_the_page(
        dash: ManagementDashboard) -> None:
    view, page = dash.view, dash.displayed_html()
    dash.after_source.upload.value = upload_value(*GARBAGE_XLSX)
    error = dash.after_source.error.value
    assert "class='pa-error'" in error
    assert "文件无法读取" in error
    assert "无法打开 Excel 文件 台账.xlsx(文件可能已损坏、加密或不是 Excel 格式)" in error
    assert dash.view is view
    assert dash.displayed_html().replace(error, "") == page
    assert not dash.load_after([GARBAGE_XLSX])


def test_csv_missing_columns_upload_shows_the_error_and_keeps_the_page(
        dash: ManagementDashboard) -> None:
    view = dash.view
    assert not dash.load_before([MISSING_COLUMNS_CSV])
    error = dash.before_source.error.value
    assert "缺少必填列:经营机构(branch)" in error and "读到的表头:「借据号」、「客户号」" in error
    assert dash.view is view and dash.view.before.source_name == "期初_20260630.xlsx"
    assert dash.tables["migration_count"].set_index("期初\\期末").loc["合计", "合计"] == 6


def test_a_failure_after_loading_keeps_the_previous_page(monkeypatch,
                                                         dash: ManagementDashboard) -> None:
    view, tables = dash.view, dash.tables

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(mgmt, "build_view", broken)
    content = (SAMPLE_DIR / "branch_chengguan_20260930.xlsx").read_bytes()
    assert not dash.load_after([(content, "branch_chengguan_20260930.xlsx")])
    assert "处理失败" in dash.error.value and "RuntimeError: boom" in dash.error.value
    assert "当前仍显示上一次的结果:期末 期末_20260930.xlsx" in dash.error.value
    assert "Traceback" not in dash.displayed_html()
    assert dash.view is view and dash.tables is tables
    assert dash.after_source.extracts[0] is view.after


# --------------------------------------------------------------------------- the samples


def test_start_shows_the_bundled_snapshots_as_the_package_computes_them(
        sample_dash: ManagementDashboard) -> None:
    view = sample_dash.view
    assert view.after.source_name == "network_snapshot_20260930.xlsx"
    assert view.before.source_name == "network_snapshot_20260630.xlsx"
    assert view.notes == {}
    after, before = view.after.loans, view.before.loans
    assert sample_dash.tables["kpis"]["显示"].tolist() == \
        portfolio.portfolio_kpis(after).to_frame()["text"].tolist()
    expected = portfolio.migration_matrix(before, after, by="count").matrix
    shown = sample_dash.tables["migration_count"].set_index("期初\\期末")
    assert shown.iloc[:5, :5].to_numpy().tolist() == expected.to_numpy().tolist()
    assert sample_dash.tables["class_balance"]["机构"].tolist() == \
        portfolio.balance_by_class(after)["branch"].tolist()
    assert sample_dash.error.value == "" and sample_dash.after_source.error.value == ""
    assert len(sample_dash.tables) == 12


def test_sample_page_shows_no_individual_name_or_id_number(
        sample_dash: ManagementDashboard) -> None:
    loans = sample_dash.view.after.loans
    people = loans[loans["customer_type"] != "corporate"]
    names = set(people["borrower_name"].dropna())
    ids = set(loans["id_number"].dropna())
    assert len(names) > 100 and len(ids) > 100
    page = sample_dash.displayed_html()
    assert not set(td_cells(page)) & names
    assert not any(i in page for i in ids)


def test_uploading_a_later_snapshot_replaces_it(sample_dash: ManagementDashboard) -> None:
    board = ManagementDashboard()
    board.show_extracts(after=sample_dash.view.after, before=sample_dash.view.before)
    path = SAMPLE_DIR / "branch_chengguan_20260930.xlsx"
    board.after_source.upload.value = upload_value(path.read_bytes(), path.name)
    assert board.view.after.source_name == path.name
    assert board.tables["class_balance"]["机构"].tolist() == ["城关支行"]
    assert "两个快照没有相同借据号的在贷贷款" in board.migration_table.value
    assert ("<div class='label'>关注类贷款迁徙率</div><div class='value'>—</div>"
            "<div class='why'>两个快照没有相同借据号的在贷贷款,迁徙矩阵为空") in board.kpis.value
    assert "期末快照没有机构表" in board.coverage_table.value
    assert board.after_source.error.value == ""


def test_choosing_another_bundled_sample_reloads_the_earlier_snapshot(
        sample_dash: ManagementDashboard) -> None:
    board = ManagementDashboard()
    board.show_extracts(after=sample_dash.view.after, before=sample_dash.view.before)
    same = str(SAMPLE_DIR / "network_snapshot_20260930.xlsx")
    board.before_source.sample_picker.value = same
    # The same snapshot twice: nothing migrates, and the dates are flagged.
    count = board.tables["migration_count"].set_index("期初\\期末")
    assert (np.triu(count.iloc[:5, :5].to_numpy(), 1) == 0).all()
    assert "不早于期末快照日期" in board.migration_table.value


def test_notebook_parameters_match_the_dashboard_defaults() -> None:
    import nbformat

    nb = nbformat.read(Path(__file__).parents[2] / "notebooks" / "03_management_dashboard.ipynb",
                       as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    # None: the publisher's environment variables, else the bundled defaults.
    assert "before_file = None" in params[0].source
    assert "after_file = None" in params[0].source
    assert "published = None" in params[0].source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert load_extract(SAMPLE_DIR / mgmt.DEFAULT_BEFORE).as_of == dt.date(2026, 6, 30)


# --------------------------------------------------------------------------- published mode


def _widgets(root):
    stack = [root]
    while stack:
        w = stack.pop()
        yield w
        stack.extend(getattr(w, "children", ()))


def test_published_mode_is_read_only_with_the_publishers_files(monkeypatch):
    import ipywidgets as widgets

    branch = str(mgmt.SAMPLE_DIR / "branch_chengguan_20260930.xlsx")
    monkeypatch.setenv(mgmt.PUBLISHED_ENV, "1")
    monkeypatch.setenv(mgmt.AFTER_ENV, branch)
    monkeypatch.delenv(mgmt.BEFORE_ENV, raising=False)
    board = mgmt.ManagementDashboard(before=None, after=None)
    board.start()
    assert board.published is True
    shown = list(_widgets(board.widget))
    assert not any(isinstance(w, widgets.FileUpload | widgets.Dropdown) for w in shown)
    assert board.view.after.source_name == "branch_chengguan_20260930.xlsx"
    assert board.view.before.source_name == "network_snapshot_20260630.xlsx"
    assert ("数据由发布人固定为期末快照 branch_chengguan_20260930.xlsx、期初快照 "
            "network_snapshot_20260630.xlsx") in board.displayed_html()


def test_published_mode_follows_the_environment_and_is_off_by_default():
    assert mgmt.published_mode({}) is False
    assert mgmt.published_mode({mgmt.PUBLISHED_ENV: "0"}) is False
    assert mgmt.published_mode({mgmt.PUBLISHED_ENV: " TRUE "}) is True
    assert mgmt.published_mode({mgmt.PUBLISHED_ENV: "1"}) is True


def test_default_snapshots_come_from_the_environment_else_the_bundled_samples(monkeypatch):
    monkeypatch.delenv(mgmt.PUBLISHED_ENV, raising=False)
    monkeypatch.delenv(mgmt.BEFORE_ENV, raising=False)
    monkeypatch.setenv(mgmt.AFTER_ENV, str(SAMPLE_DIR / "branch_chengguan_20260930.xlsx"))
    board = mgmt.ManagementDashboard(before=None, after=None)
    assert board.published is False
    board.start()
    assert board.view.after.source_name == "branch_chengguan_20260930.xlsx"
    assert board.view.before.source_name == mgmt.DEFAULT_BEFORE


def test_the_watch_list_card_counts_by_level_new_and_alerts_past_deadline(tmp_path) -> None:
    from postloan_audit.warning import scan_signals

    board = ManagementDashboard(db=str(tmp_path / "audit.db"))
    board.start()
    view = board.view
    report = scan_signals(view.after, as_of=view.as_of, previous=view.before)
    current = report.watchlist.loc[report.watchlist["movement"] != "exit"]
    counts = current["level"].value_counts()
    card = board.watch_cards.value
    for level, name in (("red", "红"), ("orange", "橙"), ("yellow", "黄")):
        assert (f"<div class='label'>{name}色预警(户)</div>"
                f"<div class='value'>{int(counts.get(level, 0)):,}</div>") in card
    new = int((current["movement"] == "new").sum())
    assert f"<div class='label'>本期新增预警(户)</div><div class='value'>{new:,}</div>" in card
    assert "<div class='label'>逾期未处置预警(户)</div><div class='value'>0</div>" in card
    # Without the earlier snapshot "new" cannot be read: — and the reason.
    alone = ManagementDashboard(trail=False)
    assert alone.show_extracts(after=view.after)
    assert ("<div class='label'>本期新增预警(户)</div><div class='value'>—</div>"
            "<div class='why'>未提供期初快照</div>") in alone.watch_cards.value
    assert "逾期未处置预警" not in alone.watch_cards.value
