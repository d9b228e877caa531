"""Headless tests of the branch sampling dashboard (支行抽样看板).

The dashboard is driven the way its widgets drive it (control values, button clicks, the
upload widget's value) and through its plain methods; the tables it shows are asserted
exactly. Hand-built extracts make the expected samples obvious: in 测试支行 the ten live
borrowers are exactly the quotas (3 normal, 4 special mention, 3 NPL), so every seed picks all
ten.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import postloan_audit.dashboard.sampling as sampling_dashboard
from postloan_audit import draw_sample, load_extract, plan_branch_reviews
from postloan_audit.core.extract import Extract
from postloan_audit.core.schema import CLASSIFICATIONS
from postloan_audit.dashboard import BranchSamplingDashboard
from postloan_audit.dashboard.sampling import SEED_PROPOSAL_RANGE

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_extracts"

# (loan_id, borrower_id, name, branch, balance, class, guarantee)
_LOANS = [
    ("L01", "B01", "甲公司", "测试支行", 900.0, "normal", "mortgage"),
    ("L01b", "B01", "甲公司", "测试支行", 50.0, "normal", "pledge"),
    ("L02", "B02", "乙公司", "测试支行", 800.0, "normal", "mortgage"),
    ("L03", "B03", "丙公司", "测试支行", 700.0, "normal", "mortgage"),
    ("L04", "B04", "张三", "测试支行", 600.0, "special_mention", "guarantee"),
    ("L05", "B05", "李四", "测试支行", 500.0, "special_mention", "guarantee"),
    ("L06", "B06", "王五", "测试支行", 400.0, "special_mention", "credit"),
    ("L07", "B07", "赵六", "测试支行", 300.0, "special_mention", "credit"),
    ("L08", "B08", "钱七", "测试支行", 200.0, "substandard", "credit"),
    ("L09", "B09", "孙八", "测试支行", 150.0, "doubtful", "credit"),
    ("L10", "B10", "周九", "测试支行", 100.0, "loss", "credit"),
    # Settled: set aside, not part of the population.
    ("L11", "B11", "吴十", "测试支行", 0.0, "normal", "credit"),
    # 第二支行: 12 borrowers of 4 normal, 4 special mention, 4 NPL (all secured).
    *[(f"M{i:02d}", f"C{i:02d}", f"客户{i:02d}", "第二支行", 1000.0 - 10 * i,
       CLASSIFICATIONS[min(i // 4, 2)], "mortgage") for i in range(12)],
    # 空支行: its only loan is settled, so it cannot be sampled.
    ("Z01", "Z01", "郑十一", "空支行", 0.0, "normal", "credit"),
]


def make_extract(*, branches: pd.DataFrame | None = None, name: str = "手工台账.xlsx"
                 ) -> Extract:
    """A canonical extract of three branches (see the module docstring)."""
    frame = pd.DataFrame(_LOANS, columns=["loan_id", "borrower_id", "borrower_name", "branch",
                                          "balance", "classification", "guarantee_type"])
    loans = pd.DataFrame({
        "loan_id": frame["loan_id"].astype("str"),
        "borrower_id": frame["borrower_id"].astype("str"),
        "borrower_name": frame["borrower_name"].astype("str"),
        "branch": frame["branch"].astype("str"),
        "balance": frame["balance"].astype("float64"),
        "classification": pd.Categorical(frame["classification"], categories=CLASSIFICATIONS,
                                         ordered=True),
        "guarantee_type": frame["guarantee_type"].astype("str"),
        "secured": frame["guarantee_type"].isin(["guarantee", "mortgage", "pledge"]).to_numpy(),
        "source_row": np.arange(2, len(frame) + 2, dtype=np.int64),
    })
    return Extract(loans=loans, branches=branches, fingerprint="ab" * 32, source_name=name,
                   as_of=dt.date(2026, 9, 30))


def make_branches() -> pd.DataFrame:
    """机构 sheet: 空支行 never reviewed, 测试支行 in 2024 (overdue), 第二支行 in 2026."""
    return pd.DataFrame({
        "branch": pd.Series(["测试支行", "第二支行", "空支行"], dtype="str"),
        "last_onsite_review_date": pd.to_datetime(["2024-06-30", "2026-03-01", None]),
    })


@pytest.fixture
def dash() -> BranchSamplingDashboard:
    board = BranchSamplingDashboard(seed=20260930)
    assert board.set_extract(make_extract(branches=make_branches()))
    return board


def _ids(frame: pd.DataFrame, column: str = "borrower_id") -> list[str]:
    return frame[column].tolist()


# --------------------------------------------------------------------------- the sample


def test_branch_picker_lists_the_extract_branches_with_loan_counts(dash):
    assert dash.branch_picker.options == (("测试支行(12笔贷款)", "测试支行"),
                                          ("空支行(1笔贷款)", "空支行"),
                                          ("第二支行(12笔贷款)", "第二支行"))
    assert dash.branch_picker.value == "测试支行"


def test_strata_table_shows_required_available_selected_and_notes(dash):
    assert list(dash.strata.columns) == ["配额", "应抽户数", "可抽户数", "已抽户数", "说明"]
    assert dash.strata["配额"].tolist() == ["正常类", "关注类", "不良类(次级及以下)",
                                           "贷款余额排名靠前", "保证/抵质押担保", "合计"]
    assert dash.strata["应抽户数"].tolist() == [3, 4, 3, 3, 5, 10]
    assert dash.strata["可抽户数"].tolist() == [3, 4, 3, 10, 5, 10]
    # Every borrower counts toward every quota it fits: all ten are among the largest ten.
    assert dash.strata["已抽户数"].tolist() == [3, 4, 3, 10, 5, 10]
    assert dash.strata["说明"].tolist()[3] == "余额排名前10户为排名靠前借款人"
    assert "id='pa-sampling-strata'" in dash.strata_html.value


def test_sampled_borrowers_carry_their_reasons_in_chinese(dash):
    bor = dash.borrowers
    assert _ids(bor) == [f"B{i:02d}" for i in range(1, 11)]  # by balance rank; B11 settled
    assert bor["seq"].tolist() == list(range(1, 11))
    assert bor["balance_rank"].tolist() == list(range(1, 11))
    assert bor["total_balance"].tolist()[0] == 950.0  # B01: 900 + 50
    assert bor["loan_count"].tolist()[0] == 2
    assert bor["classification"].tolist() == ["正常"] * 3 + ["关注"] * 4 + ["次级", "可疑",
                                                                          "损失"]
    assert bor["secured"].tolist() == ["是"] * 5 + ["否"] * 5
    reasons = dict(zip(bor["borrower_id"], bor["reasons"], strict=True))
    assert reasons["B01"] == "正常类、贷款余额排名靠前、保证/抵质押担保"
    assert reasons["B04"] == "关注类、贷款余额排名靠前、保证/抵质押担保"
    assert reasons["B06"] == "关注类、贷款余额排名靠前"
    assert reasons["B10"] == "不良类(次级及以下)、贷款余额排名靠前"
    assert "抽样理由" in dash.borrowers_html.value and "甲公司" in dash.borrowers_html.value


def test_selected_loans_are_the_workpaper_rows(dash):
    # Two loans of B01 (loans_per_borrower = 2), one of every other borrower.
    assert dash.loans["借据号"].tolist() == ["L01", "L01b"] + [f"L{i:02d}" for i in range(2, 11)]
    assert dash.loans["选取依据"].tolist()[:2] == ["该户分类最差的贷款", "余额最大"]
    # On screen the borrower-level columns (shown in the borrowers table) are left out.
    shown = dash.loans_html.value
    assert "L01b" in shown and "<th>选取依据</th>" in shown and "<th>抽样理由</th>" not in shown


def test_summary_shows_the_seed_and_population(dash):
    text = dash.summary_html.value
    assert "抽样总体 10 户、11 笔贷款(剔除 1 笔)" in text
    assert "抽中 <b>10 户、11 笔</b>" in text
    assert "随机种子 <b class='pa-seed-used'>20260930</b>" in text
    assert dash.sample.seed == 20260930 and dash.seed_input.value == 20260930


def test_population_mix_counts_borrowers_by_worst_class_and_strongest_guarantee(dash):
    mix = dash.mix
    assert mix["category"].tolist() == ["正常", "关注", "次级", "可疑", "损失",
                                        "信用", "保证", "抵押", "质押"]
    assert mix["population"].tolist() == [3, 4, 1, 1, 1, 5, 2, 2, 1]  # B01 is 质押 (L01b)
    assert mix["sample"].tolist() == [3, 4, 1, 1, 1, 5, 2, 2, 1]
    assert mix["population_share"].tolist()[:2] == [0.3, 0.4]


def test_mix_of_a_larger_branch_compares_population_and_sample(dash):
    assert dash.set_branch("第二支行") and dash.set_min_borrowers(10)
    mix = dash.mix.set_index("category")
    assert mix.loc[["正常", "关注", "次级"], "population"].tolist() == [4, 4, 4]
    # The class quotas 3 + 4 + 3 already make the ten borrowers: no fill.
    assert mix.loc[["正常", "关注", "次级"], "sample"].tolist() == [3, 4, 3]
    assert mix.loc["抵押", "population_share"] == 1.0 and mix.loc["抵押", "sample"] == 10
    fig = dash.figure
    assert [t.name for t in fig.data] == ["总体", "样本", "总体", "样本"]
    assert list(fig.data[1].y) == [0.3, 0.4, 0.3, 0.0, 0.0]


def test_the_sample_is_the_library_sample_for_the_seed():
    extract = load_extract(SAMPLES / "branch_chengguan_20260930.xlsx")
    board = BranchSamplingDashboard(seed=4242)
    assert board.set_extract(extract)
    expected = draw_sample(extract, seed=4242, branch="城关支行")
    assert _ids(board.borrowers) == _ids(expected.borrowers)
    assert board.loans["借据号"].tolist() == _ids(expected.loans, "loan_id")


# --------------------------------------------------------------------------- controls


def test_widget_callbacks_redraw_the_sample(dash):
    dash.branch_picker.value = "第二支行"
    assert dash.sample.branch == "第二支行" and dash.sample.size == 10
    dash.min_input.value = 12
    assert _ids(dash.borrowers) == [f"C{i:02d}" for i in range(12)]
    dash.seed_input.value = 7
    assert dash.sample.seed == 7 and "随机种子 <b class='pa-seed-used'>7</b>" in \
        dash.summary_html.value


def test_raising_min_borrowers_only_adds_borrowers(dash):
    dash.set_branch("第二支行")
    ten = set(_ids(dash.borrowers))
    assert len(ten) == 10
    assert dash.set_min_borrowers(11)
    eleven = set(_ids(dash.borrowers))
    assert len(eleven) == 11 and ten < eleven


def test_same_seed_same_sample_and_new_seed_button_proposes_a_fresh_one(dash, monkeypatch):
    dash.set_branch("第二支行")
    first = _ids(dash.borrowers)
    assert dash.set_seed(20260930) and _ids(dash.borrowers) == first
    monkeypatch.setattr(sampling_dashboard, "propose_seed", lambda: 31415)
    dash.new_seed_button.click()
    assert dash.seed_input.value == 31415 and dash.sample.seed == 31415
    assert _ids(dash.borrowers) == _ids(draw_sample(dash.extract, seed=31415,
                                                    branch="第二支行").borrowers)


def test_a_fresh_seed_is_proposed_and_shown_when_none_is_given():
    board = BranchSamplingDashboard()
    assert 0 <= board.seed_input.value < SEED_PROPOSAL_RANGE
    board.set_extract(make_extract())
    assert board.sample.seed == board.seed_input.value
    assert f"<b class='pa-seed-used'>{board.seed_input.value}</b>" in board.summary_html.value


def test_min_borrowers_defaults_to_the_policy_value():
    assert BranchSamplingDashboard(seed=1).min_input.value == 10
    assert BranchSamplingDashboard(seed=1, min_borrowers=12).min_input.value == 12


# --------------------------------------------------------------------------- workpaper


def test_download_is_the_workpaper_of_the_sample_on_screen(dash):
    dash.set_branch("第二支行")
    wb = load_workbook(io.BytesIO(dash.workpaper), read_only=True)
    assert wb.sheetnames == ["抽样结果", "分层统计", "抽样参数", "现场检查清单"]
    rows = list(wb["抽样结果"].iter_rows(values_only=True))
    loan_col = rows[0].index("借据号")
    assert [r[loan_col] for r in rows[1:]] == dash.loans["借据号"].tolist()
    params = {r[0]: r[1] for r in wb["抽样参数"].iter_rows(values_only=True)}
    assert params["随机种子"] == 20260930 and params["被查机构"] == "第二支行"
    wb.close()
    link = dash.download_html.value
    assert "class='pa-download'" in link
    assert "download='现场检查工作底稿_第二支行_20260930_种子20260930.xlsx'" in link


def test_workpaper_is_regenerated_when_the_sample_changes(dash):
    before = dash.workpaper
    dash.set_seed(99)
    params = {r[0]: r[1] for r in load_workbook(io.BytesIO(dash.workpaper), read_only=True)
              ["抽样参数"].iter_rows(values_only=True)}
    assert dash.workpaper != before and params["随机种子"] == 99
    assert "种子99.xlsx" in dash.download_html.value


# --------------------------------------------------------------------------- review plan


def test_review_plan_from_the_branches_sheet(dash):
    plan = dash.plan
    # 2026 plan, 2-year cycle: 空支行 never reviewed and 测试支行 (2024) must be reviewed;
    # ceil(40% x 3) = 2, so 第二支行 (2026) is not needed.
    assert plan["branch"].tolist() == ["空支行", "测试支行", "第二支行"]
    assert plan["must"].tolist() == [True, True, False]
    assert plan["selected"].tolist() == [True, True, False]
    text = dash.plan_html.value
    assert "2026 年:辖内 3 家机构,本年安排现场检查 <b>2</b> 家(其中两年内未检查必查 2 家)" in text
    assert "<td>是</td>" in text and "id='pa-sampling-plan'" in text


def test_without_a_branches_sheet_the_plan_says_so(dash):
    assert dash.set_extract(make_extract())
    assert dash.plan is None
    assert "本台账没有「机构」工作表" in dash.plan_html.value


# --------------------------------------------------------------------------- errors


def test_negative_seed_shows_the_error_and_keeps_the_previous_sample(dash):
    previous = dash.sample
    assert not dash.set_seed(-1)
    assert dash.sample is previous
    assert "pa-error" in dash.error.value and "随机种子须为非负整数,收到 -1" in dash.error.value
    assert "当前仍显示上一次的抽样结果:手工台账.xlsx 测试支行,随机种子 20260930" in \
        dash.error.value
    assert dash.set_seed(5) and dash.error.value == ""


def test_negative_min_borrowers_is_a_policy_error_panel(dash):
    previous = dash.workpaper
    dash.min_input.value = -3
    assert "min_borrowers(最低抽查户数)须为非负整数,收到 -3" in dash.error.value
    assert dash.workpaper is previous


def test_a_branch_without_live_loans_shows_why(dash):
    previous = dash.borrowers
    assert not dash.set_branch("空支行")
    assert "机构「空支行」没有余额大于0的贷款" in dash.error.value
    assert dash.borrowers is previous and dash.sample.branch == "测试支行"


def test_an_unknown_branch_is_refused(dash):
    assert not dash.set_branch("不存在支行")
    assert "台账中没有机构「不存在支行」" in dash.error.value
    assert dash.branch_picker.value == "测试支行"


# --------------------------------------------------------------------------- uploads


def _upload(board: BranchSamplingDashboard, content: bytes, name: str) -> None:
    """What the browser's file chooser does: set the FileUpload widget's value."""
    board.source.upload.value = ({"name": name, "type": "", "size": len(content),
                                  "content": memoryview(content),
                                  "last_modified": dt.datetime(2026, 10, 8, 9, 0)},)


@pytest.fixture
def started() -> BranchSamplingDashboard:
    board = BranchSamplingDashboard(seed=11)
    board.start()
    return board


def test_start_loads_the_bundled_branch_extract(started):
    assert started.extract.source_name == "branch_chengguan_20260930.xlsx"
    assert started.branch_picker.options == (("城关支行(260笔贷款)", "城关支行"),)
    assert started.sample.size == 10 and started.plan is None
    assert "branch_chengguan_20260930.xlsx" in started.source.status.value


def test_garbage_xlsx_upload_shows_the_error_and_keeps_the_previous_data(started):
    sample, extract = started.sample, started.extract
    _upload(started, b"not a workbook at all" * 10, "坏文件.xlsx")
    error = started.source.error.value
    assert "pa-error" in error and "文件无法读取" in error
    assert "坏文件.xlsx 的扩展名是 .xlsx,但内容不是 Excel 工作簿" in error
    assert "当前仍显示上一次成功读取的数据:branch_chengguan_20260930.xlsx" in error
    assert started.sample is sample and started.extract is extract
    assert started.branch_picker.value == "城关支行"


def test_csv_missing_required_columns_is_refused_and_the_sample_stays(started):
    borrowers = started.borrowers
    assert not started.load_files([("借据号,客户号\nL1,C1\n".encode(), "缺列.csv")])
    error = started.source.error.value
    assert "文件 缺列.csv 缺少必填列:经营机构(branch)" in error
    assert started.borrowers is borrowers
    assert started.sample.source_name == "branch_chengguan_20260930.xlsx"


def test_uploading_the_network_snapshot_brings_its_branches_and_review_plan(started):
    content = (SAMPLES / "network_snapshot_20260930.xlsx").read_bytes()
    _upload(started, content, "network_snapshot_20260930.xlsx")
    assert started.source.error.value == ""
    assert [v for _, v in started.branch_picker.options] == ["城关支行", "河口镇支行",
                                                            "石桥镇支行", "青山镇支行"]
    # The branch on screen is kept when the new extract has it.
    assert started.sample.branch == "城关支行"
    assert started.sample.source_name == "network_snapshot_20260930.xlsx"
    expected = plan_branch_reviews(started.extract.branches, year=2026,
                                   loans=started.extract.loans)
    pd.testing.assert_frame_equal(started.plan, expected)
    assert sorted(started.plan["branch"]) == ["城关支行", "河口镇支行", "石桥镇支行", "青山镇支行"]
    assert "辖内 4 家机构" in started.plan_html.value
    assert started.set_branch("河口镇支行") and started.sample.branch == "河口镇支行"


# --------------------------------------------------------------------------- new customers

#: 测试支行's individuals: borrower -> (first disbursement, loan officer). In August 2026:
#: B04 (first day), B05 (last day), B06 of 张伟, B07 of 李娜, B10 of none; B08 (July 31) and
#: B09 (September 1) are not new in August.
_NEW = {"B04": ("2026-08-01", "张伟"), "B05": ("2026-08-31", "张伟"),
        "B06": ("2026-08-15", "张伟"), "B07": ("2026-08-20", "李娜"),
        "B08": ("2026-07-31", "李娜"), "B09": ("2026-09-01", "李娜"),
        "B10": ("2026-08-10", None)}


def make_new_customer_extract(*, as_of: dt.date | None = dt.date(2026, 9, 30)) -> Extract:
    """:func:`make_extract` with customer types, disbursement dates and loan officers."""
    base = make_extract(branches=make_branches())
    ids = base.loans["borrower_id"]
    loans = base.loans.assign(
        customer_type=pd.Series(np.where(ids.isin(list(_NEW)), "individual", "corporate"),
                                dtype="str"),
        disbursement_date=pd.to_datetime(ids.map({b: d for b, (d, _) in _NEW.items()})
                                         .fillna("2025-01-01")),
        loan_officer=pd.Series(ids.map({b: o for b, (_, o) in _NEW.items()}), dtype="str"))
    return Extract(loans=loans, branches=base.branches, fingerprint="cd" * 32,
                   source_name="新增客户台账.xlsx", as_of=as_of)


@pytest.fixture
def nc_dash() -> BranchSamplingDashboard:
    board = BranchSamplingDashboard(seed=20260930, new_customer_seed=1)
    assert board.set_extract(make_new_customer_extract())
    return board


def test_the_new_customer_check_defaults_to_the_month_before_the_data_date(nc_dash):
    assert nc_dash.month_input.value == "2026-08"
    assert ("新增客户月份默认为台账数据日期 2026-09-30 的上一个月(2026-08)"
            in nc_dash.month_note.value)
    check = nc_dash.new_customer_check
    # 张伟 3 new -> 1 drawn (seed 1: B05, first-loan on the month's last day); 李娜 1; none 1
    assert check["borrower_id"].tolist() == ["B05", "B07", "B10"]
    assert (check.attrs["new_customers"], check.attrs["required"]) == (5, 3)
    assert nc_dash.nc_error.value == ""


def test_the_new_customer_tables_on_screen(nc_dash):
    assert nc_dash.new_customers.to_dict("list") == {
        "序号": [1, 2, 3], "客户号": ["B05", "B07", "B10"], "客户名称": ["李四", "赵六", "周九"],
        "机构": ["测试支行"] * 3, "客户经理": ["张伟", "李娜", "(未登记客户经理)"],
        "首笔发放日": [pd.Timestamp("2026-08-31"), pd.Timestamp("2026-08-20"),
                  pd.Timestamp("2026-08-10")],
        "本月借据号": [("L05",), ("L07",), ("L10",)], "贷款余额(元)": [500.0, 300.0, 100.0]}
    assert nc_dash.new_customer_officers.to_dict("list") == {
        "客户经理": ["(未登记客户经理)", "张伟", "李娜"], "新增客户数": [1, 3, 1], "应抽户数": [1, 1, 1]}
    summary = nc_dash.nc_summary_html.value
    assert ("文件 新增客户台账.xlsx:2026-08 新增个人客户 <b>5</b> 户(首笔贷款在该月发放),应抽 3 户,"
            "抽中 <b>3 户</b>;随机种子 <b class='pa-nc-seed-used'>1</b>。") in summary
    assert "按客户经理分别抽查:3名客户经理,每人不低于其新增客户的10%,至少1户" in summary
    assert "<td>2026-08-31</td>" not in nc_dash.nc_table_html.value  # dates are right-aligned
    assert "<td class='num'>2026-08-31</td>" in nc_dash.nc_table_html.value
    assert "id='pa-nc-officers'" in nc_dash.nc_officers_html.value


def test_the_new_customer_download_is_the_workpaper_of_the_check_on_screen(nc_dash):
    link = nc_dash.nc_download_html.value
    assert "download='新增客户现场核查底稿_2026-08_种子1.xlsx'" in link
    wb = load_workbook(io.BytesIO(nc_dash.new_customer_workpaper), read_only=True)
    assert wb.sheetnames == ["核查名单", "按客户经理", "抽样参数"]
    rows = list(wb["核查名单"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:4]] == ["B05", "B07", "B10"]
    params = {r[0]: r[1] for r in wb["抽样参数"].iter_rows(values_only=True)}
    assert (params["数据文件"], params["文件指纹(SHA-256)"]) == ("新增客户台账.xlsx", "cd" * 32)
    wb.close()
    # the review sample's download is still the first link of the page
    assert "现场检查工作底稿_测试支行_20260930" in nc_dash.download_html.value


@pytest.mark.parametrize(("month", "drawn"), [("2026-07", ["B08"]), ("2026-09", ["B09"]),
                                              ("2026-06", [])])
def test_another_month_is_drawn_on_both_sides_of_its_edges(nc_dash, month, drawn):
    assert nc_dash.set_month(month)
    assert nc_dash.new_customer_check["borrower_id"].tolist() == drawn
    assert f"download='新增客户现场核查底稿_{month}_种子1.xlsx'" in nc_dash.nc_download_html.value


def test_the_seed_and_the_month_box_redraw_the_check(nc_dash):
    assert nc_dash.set_new_customer_seed(0)
    assert nc_dash.new_customer_check["borrower_id"].tolist() == ["B04", "B07", "B10"]
    nc_dash.nc_seed_input.value = 3  # the widget's callback
    assert nc_dash.new_customer_check["borrower_id"].tolist() == ["B06", "B07", "B10"]
    nc_dash.month_input.value = "2026-09"
    assert nc_dash.new_customer_check["borrower_id"].tolist() == ["B09"]
    nc_dash.nc_run_button.click()
    assert nc_dash.new_customer_check.attrs["seed"] == 3


def test_a_bad_month_shows_the_error_and_keeps_the_previous_check(nc_dash):
    previous = nc_dash.new_customer_check
    assert not nc_dash.set_month("2026/08")
    assert "月份须为 YYYY-MM 格式,收到 &#x27;2026/08&#x27;。" in nc_dash.nc_error.value
    assert "当前仍显示上一次的核查名单:2026-08,随机种子 1" in nc_dash.nc_error.value
    assert nc_dash.new_customer_check is previous
    assert nc_dash.error.value == ""  # the review sample is not concerned
    assert nc_dash.set_month("2026-08") and nc_dash.nc_error.value == ""


def test_without_a_data_date_the_month_before_today_is_proposed_and_said():
    board = BranchSamplingDashboard(seed=20260930, new_customer_seed=1)
    board.set_extract(make_new_customer_extract(as_of=None))
    today = dt.date.today()
    expected = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    assert board.month_input.value == expected
    assert (f"台账未识别数据日期,新增客户月份默认为今天 {today:%Y-%m-%d} 的上一个月({expected})"
            in board.month_note.value)


def test_a_ledger_without_customer_types_says_what_the_check_needs(dash):
    # the review sample is drawn; the new-customer section names the missing columns
    assert dash.sample is not None and dash.error.value == ""
    assert dash.new_customer_check is None and dash.nc_summary_html.value == ""
    assert "贷款台账缺少新增客户核查所需的列:customer_type、disbursement_date" in dash.nc_error.value


def test_a_new_file_replaces_the_check_of_the_previous_one(nc_dash):
    assert nc_dash.new_customer_check is not None
    nc_dash.set_extract(make_extract())
    assert nc_dash.new_customer_check is None and nc_dash.nc_download_html.value == ""
    assert "当前仍显示上一次" not in nc_dash.nc_error.value
