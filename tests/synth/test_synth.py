"""Tests of the synthetic network generator and the bundled sample extracts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postloan_audit import Extract, load_extract, run_checks
from postloan_audit.commands.cli import main as cli_main
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules.context import CheckContext
from postloan_audit.compliance.rules.inspection import individual_products
from postloan_audit.core.schema import CLASSIFICATIONS, LOAN_COLUMNS
from postloan_audit.core.workbooks import append_table, new_write_only_workbook, save_workbook
from postloan_audit.core.workdays import add_working_days
from postloan_audit.parties import is_valid_credit_code, is_valid_id_number
from postloan_audit.synth.draws import add_months_in_days
from postloan_audit.synth.generator import (
    PLANTED_RULES,
    generate_network,
    generate_snapshots,
    write_extract,
    write_sample_extracts,
)

SAMPLES = Path(__file__).resolve().parents[2] / "sample_extracts"
SAMPLE_FILES = ("branch_chengguan_20260930.xlsx", "head_office_6_branches_20260930.csv",
                "network_snapshot_20260630.xlsx", "network_snapshot_20260930.xlsx")
NPL = ["substandard", "doubtful", "loss"]


@pytest.fixture(scope="module")
def network():
    return generate_network(loans=3000, branches=6, seed=11, as_of="2026-09-30")


#: Rules a loans-only extract (a CSV) cannot run: INSP-REPORT reads the inspection reports,
#: the others the borrower's file.
LOANS_ONLY_NOT_RUN = ["INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE",
                      "GUAR-RATING", "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT",
                      "LIST-WATCH"]
#: Every sheet a generated network has.
ALL_SHEETS = ("loans", "inspections", "collections", "branches", "collateral", "guarantees",
              "financials", "external", "lists")


def _extract(net, sheets=ALL_SHEETS) -> Extract:
    return Extract(loans=net.loans, **{name: getattr(net, name) for name in sheets
                                       if name != "loans"})


def _found(extract: Extract, as_of, not_run=()) -> pd.DataFrame:
    report = run_checks(extract, as_of=as_of)
    assert report.not_run["rule_id"].tolist() == list(not_run)
    found = report.findings[["rule_id", "loan_id"]].drop_duplicates().astype(str)
    return found.sort_values(["rule_id", "loan_id"]).reset_index(drop=True)


def _planted(net, sheets=ALL_SHEETS) -> pd.DataFrame:
    return (net.planted_in(sheets).astype(str).sort_values(["rule_id", "loan_id"])
            .reset_index(drop=True))


# --------------------------------------------------------------------------- date arithmetic


def test_add_months_clamps_to_month_end_in_days():
    dates = np.array(["2026-01-31", "2026-03-31", "2024-02-29", "2026-09-15", "NaT"],
                     dtype="datetime64[D]")
    out = add_months_in_days(dates, np.array([1, -1, 12, -9, 1]))
    assert out.dtype == "datetime64[D]"
    assert out[:4].astype(str).tolist() == ["2026-02-28", "2026-02-28", "2025-02-28",
                                            "2025-12-15"]
    assert np.isnat(out[4])


# --------------------------------------------------------------------------- canonical shape


def test_loans_have_every_canonical_column_in_canonical_dtypes(network):
    loans = network.loans
    assert list(loans.columns) == [c.name for c in LOAN_COLUMNS] + ["secured", "source_row"]
    for col in LOAN_COLUMNS:
        dtype = loans[col.name].dtype
        if col.kind in ("id", "text", "guarantee") or col.kind.startswith("vocab"):
            assert dtype == "str", col.name
        elif col.kind == "amount":
            assert dtype == np.float64, col.name
        elif col.kind == "date":
            assert dtype == "datetime64[ns]", col.name
        elif col.kind == "int":
            assert dtype == np.int64, col.name
        elif col.kind == "bool":
            assert dtype == np.dtype(bool), col.name
    assert list(loans["classification"].cat.categories) == list(CLASSIFICATIONS)
    assert loans["classification"].cat.ordered
    assert loans["loan_id"].is_unique
    assert network.inspections["inspection_date"].dtype == "datetime64[ns]"
    assert set(network.inspections["inspection_type"]) == {"onsite", "offsite"}
    assert set(network.collections["method"]) <= {"sms", "phone", "letter", "visit", "legal"}


def test_dates_never_lie_after_as_of_except_maturity(network):
    as_of = pd.Timestamp(network.as_of)
    for name in ("disbursement_date", "last_inspection_date", "first_inspection_date",
                 "collateral_appraisal_date", "collateral_inspection_date", "rating_date",
                 "maturity_notice_date", "collection_notice_date", "last_collection_date",
                 "fund_use_check_date", "last_onsite_inspection_date",
                 "interest_overdue_since", "callback_date"):
        assert (network.loans[name].dropna() <= as_of).all(), name
    assert (network.inspections["inspection_date"] <= as_of).all()
    assert (network.inspections["report_date"].dropna() <= as_of).all()
    assert (network.collections["collection_date"] <= as_of).all()
    assert (network.loans["maturity_date"] > network.loans["disbursement_date"]).all()


def test_id_numbers_are_obviously_fake(network):
    ids = network.loans["id_number"]
    assert (ids.str.len() == 18).all()
    individual = network.loans["customer_type"] == "individual"
    assert ids[individual].str.startswith("990000").all()
    assert ids[~individual].str.startswith("91990000").all()
    # fake regions, but check characters as the standards compute them (GB 11643, GB 32100)
    assert ids[individual].map(is_valid_id_number).all()
    assert ids[~individual].map(is_valid_credit_code).all()


def test_branch_names_are_county_style():
    net = generate_network(loans=400, branches=4, seed=3, as_of="2026-09-30")
    assert net.branches["branch"].tolist() == ["城关支行", "青山镇支行", "石桥镇支行",
                                               "河口镇支行"]
    corporate = net.loans.loc[net.loans["customer_type"] == "corporate", "borrower_name"]
    assert corporate.str.match(rf"^{net.county}.+有限公司$").all()


# --------------------------------------------------------------------------- portfolio mix


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_class_mix_stays_in_the_target_ranges(seed):
    net = generate_network(loans=2000, branches=3, seed=seed, as_of="2026-09-30")
    cls = net.loans["classification"]
    npl_share = cls.isin(NPL).mean()
    sm_share = (cls == "special_mention").mean()
    assert 0.015 <= npl_share <= 0.03
    assert 0.02 <= sm_share <= 0.05


def test_portfolio_has_multi_loan_borrowers_combinations_and_heavy_tail(network):
    loans = network.loans
    per_borrower = loans.groupby("borrower_id").size()
    assert (per_borrower >= 3).sum() > 50
    labels = set(network.labels["guarantee"])
    assert {"抵押+保证", "质押+保证", "信用", "保证", "抵押", "质押"} <= labels
    combo = network.labels["guarantee"] == "抵押+保证"
    assert (loans.loc[combo, "guarantee_type"] == "mortgage").all()
    assert loans.loc[combo, "secured"].all()
    assert set(loans["product"]) == {"个人住房按揭贷款", "个人消费贷款", "个人经营贷款",
                                     "流动资金贷款", "固定资产贷款"}
    balance = loans["balance"]
    assert balance.max() > 50 * balance.median()
    collateral = loans["guarantee_type"].isin(["mortgage", "pledge"])
    assert loans.loc[collateral, "collateral_initial_value"].notna().all()
    assert loans.loc[~collateral, "collateral_value"].isna().all()
    assert 2.5 <= len(network.inspections) / len(loans) <= 3.2


def test_same_arguments_same_frames_different_seed_different():
    a = generate_network(loans=500, branches=2, seed=5, as_of="2026-09-30")
    b = generate_network(loans=500, branches=2, seed=5, as_of="2026-09-30")
    c = generate_network(loans=500, branches=2, seed=6, as_of="2026-09-30")
    pd.testing.assert_frame_equal(a.loans, b.loans)
    pd.testing.assert_frame_equal(a.inspections, b.inspections)
    pd.testing.assert_frame_equal(a.planted, b.planted)
    assert not a.loans["balance"].equals(c.loans["balance"])


# --------------------------------------------------------------------------- planted breaches


def test_planted_table_lists_each_rule_on_known_loans_once(network):
    planted = network.planted
    assert list(planted.columns) == ["rule_id", "loan_id"]
    assert list(dict.fromkeys(planted["rule_id"])) == list(PLANTED_RULES)
    assert planted["loan_id"].isin(network.loans["loan_id"]).all()
    # each planted loan breaches exactly one rule
    assert planted["loan_id"].is_unique
    counts = planted["rule_id"].value_counts()
    # round(0.003 * 3000) = 9 per rule, fewer only where too few loans qualify; LIST-WATCH
    # counts borrowers (each with every outstanding loan in the key)
    assert (counts.drop(["CLS-BORROWER", "LIST-WATCH"]) <= 9).all()
    watch = planted.loc[planted["rule_id"] == "LIST-WATCH", "loan_id"]
    assert 1 <= network.loans.set_index("loan_id").loc[watch, "borrower_id"].nunique() <= 9
    assert (counts == 9).sum() >= 15
    assert 0.04 <= len(planted) / len(network.loans) <= 0.1


@pytest.mark.parametrize("as_of", ["2026-09-30", "2026-02-28", "2025-10-08", "2026-01-15"])
def test_checks_find_exactly_the_planted_breaches(as_of):
    net = generate_network(loans=2500, branches=4, seed=21, as_of=as_of)
    pd.testing.assert_frame_equal(_found(_extract(net), net.as_of), _planted(net))
    # a loans-only extract (a CSV) tells the same story through the loan-level columns, except
    # for the inspection reports and the borrower's file it does not hold
    pd.testing.assert_frame_equal(
        _found(Extract(loans=net.loans), net.as_of, not_run=LOANS_ONLY_NOT_RUN),
        _planted(net, ("loans",)))


# --------------------------------------------------------------------------- controls


def _keyed(net, rule: str) -> pd.Series:
    return net.loans["loan_id"].isin(net.planted.loc[net.planted["rule_id"] == rule, "loan_id"])


@pytest.fixture(scope="module")
def network21():
    """A network with personal products that have no new NPL in some branches."""
    return generate_network(loans=2500, branches=4, seed=21, as_of="2026-09-30")


def test_each_borrower_has_one_officer_but_the_planted_ones(network):
    loans = network.loans[network.loans["balance"] > 0]
    officers = loans.groupby("borrower_id")["loan_officer"].nunique()
    planted = _keyed(network, "OFFICER-ONE")[loans.index]
    flagged = loans.loc[planted, "borrower_id"].unique()
    assert (officers.drop(flagged) == 1).all()
    assert set(officers[flagged]) == {0, 2}
    # every outstanding loan of a planted borrower is in the answer key
    assert planted[loans["borrower_id"].isin(flagged)].all()


def test_callbacks_come_within_the_callback_period_or_not_yet(network):
    loans = network.loans
    as_of = pd.Timestamp(network.as_of)
    personal = loans["customer_type"] == "individual"
    assert loans.loc[~personal, "callback_date"].isna().all()
    limit = pd.to_timedelta(np.where(loans["payment_method"] == "self", 3, 7), unit="D")
    due = loans["disbursement_date"] + limit
    clean = personal & ~_keyed(network, "CALLBACK-FIRST")
    called = loans["callback_date"]
    on_time = (called >= loans["disbursement_date"]) & (called <= due)
    assert (on_time | (called.isna() & (due >= as_of)))[clean].all()
    assert (called.isna() & (due >= as_of))[clean].any()  # recent loans not called back yet
    assert (called == loans["disbursement_date"])[clean].any()  # a callback on the day counts
    planted = _keyed(network, "CALLBACK-FIRST")
    assert (called.isna() | (called < loans["disbursement_date"]))[planted].all()
    assert (due > as_of - pd.Timedelta(days=30))[planted].any()  # just past the limit


@pytest.mark.parametrize("as_of,year", [("2026-06-30", 2026), ("2026-09-30", 2026),
                                        ("2026-01-15", 2025)])
def test_ratings_are_renewed_in_the_fiscal_year_the_check_date_asks_for(as_of, year):
    net = generate_network(loans=2000, branches=3, seed=31, as_of=as_of)
    loans = net.loans
    corporate = (loans["customer_type"] == "corporate") & (loans["balance"] > 0)
    start = pd.Timestamp(f"{year}-01-01")
    stale = _keyed(net, "RATING-STALE")
    assert (loans["rating_date"] >= start)[corporate & ~stale].all()
    assert (loans["rating_date"] == start)[corporate & ~stale].any()
    rated = loans.loc[stale, "rating_date"]
    assert (rated.isna() | (rated < start)).all()
    assert (rated == start - pd.Timedelta(days=1)).any()


def test_interest_arrears_start_when_the_arrears_began(network):
    loans = network.loans
    as_of = pd.Timestamp(network.as_of)
    behind = (loans["overdue_days"] > 0) & (loans["balance"] > 0) & ~_keyed(network,
                                                                           "MAT-COLLECT")
    since = as_of - pd.to_timedelta(loans["overdue_days"], unit="D")
    assert (loans["interest_overdue_since"] == since)[behind].all()
    # (a DATA-OVERDUE loan's overdue days were never updated: its arrears began at maturity)
    settled = (loans["overdue_days"] == 0) & ~_keyed(network, "DATA-OVERDUE")
    assert loans.loc[settled, "interest_overdue_since"].isna().all()
    # clean corporate notices: from that day to the 5th working day after it, some on that day
    judged = behind & (loans["customer_type"] == "corporate") & ~_keyed(network, "INT-COLLECT")
    deadline = add_working_days(loans["interest_overdue_since"], 5)[0]
    judged &= deadline < as_of
    notice = loans["collection_notice_date"]
    assert ((notice >= loans["interest_overdue_since"]) & (notice <= deadline))[judged].all()
    assert (notice == deadline)[judged].any()


def test_personal_held_to_the_frequency_only_in_products_with_new_npl(network21):
    net = network21
    loans = net.loans
    held, ratio, _ = individual_products(CheckContext(loans, as_of=net.as_of,
                                                      policy=Policy.default()))
    personal = loans["customer_type"] == "individual"
    planted = _keyed(net, "INSP-FREQ")
    assert (planted & personal).any() and held[planted & personal].all()
    # stale personal bullet loans of products without new NPL are clean controls
    half_year_ago = pd.Timestamp(net.as_of) - pd.DateOffset(months=6)
    stale = (personal & (loans["repayment_method"] == "bullet") & (loans["balance"] > 0)
             & (loans["last_inspection_date"] < half_year_ago))
    assert (stale & ~held).sum() >= 2
    assert not (stale & ~held & planted).any()


def test_exit_list_planted_loans_were_checked_off_site_lately(network):
    loans = network.loans
    as_of = pd.Timestamp(network.as_of)
    exit_list = loans["exit_list"] & (loans["balance"] > 0)
    planted = _keyed(network, "EXIT-VISIT")
    month_ago = as_of - pd.DateOffset(months=1)
    assert (loans["last_onsite_inspection_date"] >= month_ago)[exit_list & ~planted].all()
    assert (loans["last_onsite_inspection_date"] == month_ago)[exit_list & ~planted].any()
    assert (loans["last_onsite_inspection_date"] < month_ago)[planted].all()
    assert (loans["last_inspection_date"] > month_ago)[planted].any()


def test_personal_notices_come_a_day_before_maturity_or_are_planted(network):
    loans = network.loans
    personal_bullet = ((loans["customer_type"] == "individual")
                       & (loans["repayment_method"] == "bullet"))
    notice, maturity = loans["maturity_notice_date"], loans["maturity_date"]
    planted = _keyed(network, "MAT-NOTICE")
    assert (notice == maturity)[personal_bullet & planted].any()
    clean = personal_bullet & ~planted & notice.notna()
    assert (notice <= maturity - pd.Timedelta(days=1))[clean].all()
    assert (notice == maturity - pd.Timedelta(days=1))[clean].any()


def test_personal_loans_facing_the_corporate_manuals_rules_are_clean_controls(network):
    """MAT-COLLECT and COLL-NPL come from the corporate manual: personal loans matured without
    a timely collection notice, or NPL and not collected monthly, are in the network and
    flagged by nothing (COLL-TIER holds them and is met)."""
    loans = network.loans
    as_of = pd.Timestamp(network.as_of)
    personal = (loans["customer_type"] == "individual") & (loans["balance"] > 0)
    deadline = add_working_days(loans["maturity_date"], 10)[0]
    notice = loans["collection_notice_date"]
    untimely = ~((notice >= loans["maturity_date"]) & (notice <= deadline))
    matured = personal & (deadline < as_of) & untimely
    npl = loans["classification"].isin(NPL)
    collected = loans["last_collection_date"] + pd.DateOffset(months=1)
    uncollected = personal & npl & ~(collected >= as_of)
    keyed = loans["loan_id"].isin(network.planted["loan_id"])
    assert (matured & ~keyed).sum() >= 3 and (uncollected & ~keyed).sum() >= 3
    assert (loans.loc[matured | uncollected, "customer_type"] == "individual").all()
    planted = network.planted.set_index("loan_id")["rule_id"]
    corporate = loans.loc[loans["loan_id"].isin(planted.index[planted.isin(
        ["MAT-COLLECT", "COLL-NPL"])]), "customer_type"]
    assert (corporate == "corporate").all()


def test_late_reports_and_interest_notices_are_one_working_day_late(network):
    extract = Extract(loans=network.loans, inspections=network.inspections,
                      collections=network.collections)
    findings = run_checks(extract, as_of=network.as_of).findings
    reports = findings.loc[findings["rule_id"] == "INSP-REPORT", "message"]
    assert len(reports) == 9 and reports.str.contains("晚1个工作日;").all()
    late = findings[findings["rule_id"] == "INT-COLLECT"].merge(
        network.loans[["loan_id", "collection_notice_date"]], on="loan_id")
    notice = late["collection_notice_date"]
    next_day = add_working_days(late["due_date"], 1)[0]
    assert (notice.isna() | (notice == next_day)).all() and notice.notna().any()
    # clean reports finished on their deadline day: 15 working days after a half-year
    rows = network.inspections
    half = rows["report_period"].isin(["2025H2", "2026H1"])
    ends = pd.to_datetime(rows.loc[half, "report_period"].map(
        {"2025H2": "2025-12-31", "2026H1": "2026-06-30"}))
    on_deadline = rows.loc[half, "report_date"] == add_working_days(ends, 15)[0]
    assert on_deadline.sum() >= 10


def test_reports_are_written_with_their_period_as_a_ledger_writes_it():
    net = generate_network(loans=400, branches=2, seed=4, as_of="2026-09-30")
    buf = io.BytesIO()
    write_extract(net, buf)
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["贷后检查记录"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("借据号", "检查日期", "检查方式", "检查人", "报告完成日期", "所属期间")
    periods = pd.Series([r[5] for r in rows[1:]]).dropna()
    shapes = periods.str.extract(r"^\d{4}年(?:(一|二|三|四)季度|([上下])半年|(\d{1,2})月|(度))$")
    assert shapes.notna().any(axis=1).all()
    assert shapes.notna().any(axis=0).all()  # quarters, half-years, months and years
    loaded = load_extract(io.BytesIO(buf.getvalue())).inspections
    for name in ("report_date", "report_period"):
        pd.testing.assert_series_equal(loaded[name].reset_index(drop=True),
                                       net.inspections[name].reset_index(drop=True))


# --------------------------------------------------------------------------- snapshots


@pytest.fixture(scope="module")
def snapshots():
    return generate_snapshots(loans=3000, branches=4, seed=9,
                              as_of=("2026-06-30", "2026-09-30"))


def test_snapshots_share_loan_ids_and_migrate(snapshots):
    q2, q3 = snapshots
    assert q2.loans["loan_id"].tolist() == q3.loans["loan_id"].tolist()
    active = q3.loans["balance"] > 0
    moves = pd.crosstab(q2.loans["classification"], q3.loans.loc[active, "classification"])
    assert moves.loc["normal", "normal"] / moves.loc["normal"].sum() > 0.95
    assert moves.loc["normal", "special_mention"] > 0
    assert moves.loc["special_mention", "normal"] > 0
    assert moves.loc["special_mention", "substandard"] > 0
    # NPL mostly stays NPL or worsens
    npl_rows = moves.loc[NPL]
    assert npl_rows[NPL].to_numpy().sum() / npl_rows.to_numpy().sum() > 0.8
    for name in NPL:
        worse = CLASSIFICATIONS[CLASSIFICATIONS.index(name):]
        assert moves.loc[name, list(worse)].sum() >= 0.8 * moves.loc[name].sum()


def test_snapshots_amortise_installment_balances(snapshots):
    q2, q3 = snapshots
    inst = (q2.loans["repayment_method"] == "installment") & (q3.loans["balance"] > 0)
    assert (q3.loans.loc[inst, "balance"] < q2.loans.loc[inst, "balance"]).all()
    bullet = (q2.loans["repayment_method"] == "bullet") & (q3.loans["balance"] > 0)
    assert (q3.loans.loc[bullet, "balance"] == q2.loans.loc[bullet, "balance"]).all()
    assert q3.loans["balance"].sum() < q2.loans["balance"].sum()


def test_each_snapshot_plants_breaches_the_checks_find(snapshots):
    for net in snapshots:
        pd.testing.assert_frame_equal(_found(_extract(net), net.as_of), _planted(net))


def test_snapshot_dates_must_increase():
    with pytest.raises(ValueError, match="snapshot dates must increase"):
        generate_snapshots(loans=10, branches=1, seed=1, as_of=("2026-09-30", "2026-06-30"))


# --------------------------------------------------------------------------- writing


def test_write_extract_is_byte_identical_for_same_arguments():
    net = generate_network(loans=300, branches=2, seed=2, as_of="2026-09-30")
    other = generate_network(loans=300, branches=2, seed=3, as_of="2026-09-30")
    for fmt in ("xlsx", "csv"):
        outs = []
        for n in (net, net, other):
            buf = io.BytesIO()
            write_extract(n, buf, format=fmt, title=True, total_row=True)
            outs.append(buf.getvalue())
        assert outs[0] == outs[1]
        assert outs[0] != outs[2]


def test_xlsx_looks_like_a_bank_export():
    net = generate_network(loans=200, branches=1, seed=4, as_of="2026-09-30")
    buf = io.BytesIO()
    write_extract(net, buf, title=True, total_row=True)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ["贷款台账", "贷后检查记录", "催收记录"]
    ws = wb["贷款台账"]
    assert ws["A1"].value == "城关支行贷款台账 截至2026年9月30日"
    assert [c.value for c in ws[2]][:6] == ["借据号", "客户号", "经营机构", "贷款余额(元)",
                                          "五级分类", "担保方式"]
    assert ws.freeze_panes == "A3"
    last = ws.max_row
    assert last == 200 + 3
    assert ws.cell(last, 1).value == "合计"
    assert ws.cell(last, 4).value == pytest.approx(net.loans["balance"].sum(), abs=0.01)
    assert ws.cell(3, 4).number_format == "#,##0.00"
    assert ws.cell(3, 10).is_date
    values = {c.value for c in ws["E"][2:last - 1]}
    assert values <= {"正常", "关注", "次级", "可疑", "损失", "正常一级", "正常二级",
                      "关注一级", "关注二级", "关注三级"}


def test_csv_is_gbk_with_iso_dates():
    net = generate_network(loans=100, branches=1, seed=4, as_of="2026-09-30")
    buf = io.BytesIO()
    write_extract(net, buf, format="csv")
    text = buf.getvalue().decode("gbk")
    header = text.splitlines()[0].split(",")
    assert header[:4] == ["借据号", "客户号", "经营机构", "贷款余额(元)"]
    first = pd.read_csv(io.StringIO(text), dtype=str).iloc[0]
    assert first["发放日期"] == f"{net.loans['disbursement_date'].iloc[0]:%Y-%m-%d}"


def test_write_extract_rejects_bad_arguments():
    net = generate_network(loans=20, branches=1, seed=4, as_of="2026-09-30")
    with pytest.raises(ValueError, match="headers must be 'zh' or 'en'"):
        write_extract(net, io.BytesIO(), headers="fr")
    with pytest.raises(ValueError, match="unsupported format 'txt'"):
        write_extract(net, "x.txt")
    with pytest.raises(ValueError, match="sheets must include 'loans'"):
        write_extract(net, io.BytesIO(), sheets=("inspections",))


def test_append_table_keeps_formula_like_text_literal():
    wb = new_write_only_workbook()
    ws = wb.create_sheet("t")
    append_table(ws, pd.DataFrame({"a": ["=1+1", "ok"], "b": [1.5, 2.0]}))
    buf = io.BytesIO()
    save_workbook(wb, buf, deterministic=True)
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["t"]
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].number_format == "#,##0.00"
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).infolist()
    assert {i.date_time for i in names} == {(2000, 1, 1, 0, 0, 0)}


# --------------------------------------------------------------------------- CLI


def test_cli_generate_writes_a_loadable_extract(tmp_path, capsys):
    out = tmp_path / "g.csv"
    planted = tmp_path / "p.csv"
    code = cli_main(["generate", "--loans", "300", "--branches", "2", "--seed", "7",
                     "--as-of", "2026-09-30", "--out", str(out), "--planted", str(planted)])
    assert code == 0
    assert "300 笔贷款" in capsys.readouterr().out
    extract = load_extract(out)
    assert len(extract.loans) == 300 and extract.rejected.empty
    net = generate_network(loans=300, branches=2, seed=7, as_of="2026-09-30")
    # a CSV holds no inspection reports and no borrower's file: its answer key leaves out
    # INSP-REPORT and the rules of the file
    key = pd.read_csv(planted, dtype="str")
    pd.testing.assert_frame_equal(key, net.planted_in(("loans",)))
    assert set(net.planted["rule_id"]) - set(key["rule_id"]) == set(LOANS_ONLY_NOT_RUN)


def test_cli_generate_without_known_suffix_exits_2(tmp_path, capsys):
    code = cli_main(["generate", "--loans", "10", "--branches", "1", "--seed", "1",
                     "--as-of", "2026-09-30", "--out", str(tmp_path / "x.dat")])
    assert code == 2
    assert "cannot tell the format from 'x.dat'" in capsys.readouterr().err


# --------------------------------------------------------------------------- sample extracts


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_extract_loads_cleanly_and_accounts_for_every_row(name):
    extract = load_extract(SAMPLES / name)
    assert extract.rejected.empty
    acc = extract.accounting
    assert (acc["rows_read"] == acc["kept"] + acc["rejected"] + acc["summary_rows"]).all()
    planted = pd.read_csv(SAMPLES / (Path(name).stem + ".planted.csv"), dtype=str)
    not_run = LOANS_ONLY_NOT_RUN if name.endswith(".csv") else []
    found = _found(extract, extract.as_of, not_run=not_run)
    pd.testing.assert_frame_equal(found, planted.sort_values(["rule_id", "loan_id"])
                                  .reset_index(drop=True))
    # every rule is planted in every sample the extract's sheets can show it in
    assert set(planted["rule_id"]) == set(PLANTED_RULES) - set(not_run)


def test_branch_sample_supports_a_meaningful_supervision_sample():
    loans = load_extract(SAMPLES / "branch_chengguan_20260930.xlsx").loans
    assert loans["branch"].unique().tolist() == ["城关支行"]
    assert 150 <= len(loans) <= 300
    borrowers = loans.groupby("borrower_id").agg(cls=("classification", "max"),
                                                 secured=("secured", "any"))
    assert len(borrowers) >= 40
    assert (borrowers["cls"] == "normal").sum() >= 3
    assert (borrowers["cls"] == "special_mention").sum() >= 4
    assert borrowers["cls"].isin(NPL).sum() >= 3
    assert borrowers["secured"].sum() >= 5


def test_snapshot_samples_share_loan_ids():
    q2 = load_extract(SAMPLES / "network_snapshot_20260630.xlsx")
    q3 = load_extract(SAMPLES / "network_snapshot_20260930.xlsx")
    assert set(q2.loans["loan_id"]) == set(q3.loans["loan_id"])
    assert q2.branches is not None and q3.branches is not None


def test_sample_extracts_regenerate_byte_identically(tmp_path):
    written = write_sample_extracts(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        p.name for p in SAMPLES.iterdir() if p.suffix in (".xlsx", ".csv"))
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), path.name
    head = (tmp_path / "head_office_6_branches_20260930.csv").read_bytes()
    head.decode("gbk")
    assert len(load_extract(tmp_path / "head_office_6_branches_20260930.csv").loans) == 3000


def test_snapshots_never_make_a_transition_the_matrix_forbids():
    """Each snapshot starts from the previous one as published (planted breaches included),
    so every class change between two extracts has a non-zero probability in the generator's
    transition matrix: no substandard → normal, no doubtful → special mention, …"""
    from postloan_audit.portfolio.measures import migration_matrix
    from postloan_audit.synth.migrate import MIGRATION

    snaps = generate_snapshots(loans=20_000, branches=6, seed=2026,
                               as_of=("2026-03-31", "2026-06-30", "2026-09-30"))
    forbidden = pd.DataFrame(MIGRATION == 0, index=list(CLASSIFICATIONS),
                             columns=list(CLASSIFICATIONS))
    assert int(forbidden.to_numpy().sum()) == 11  # the matrix's zero cells
    for before, after in zip(snaps, snaps[1:], strict=False):
        counts = migration_matrix(before.loans, after.loans, by="count").matrix
        assert int(counts.to_numpy().sum()) > 15_000
        assert int(counts.to_numpy()[forbidden.to_numpy()].sum()) == 0, counts
        # every loan is compared, repaid ones included (their class does not move)
        i = before.loans["classification"].cat.codes.to_numpy()
        j = after.loans["classification"].cat.codes.to_numpy()
        assert int(MIGRATION[i, j].__eq__(0).sum()) == 0


def test_committed_snapshot_samples_move_no_substandard_loan_back_to_normal():
    from postloan_audit.portfolio.measures import migration_matrix
    q2 = load_extract(SAMPLES / "network_snapshot_20260630.xlsx")
    q3 = load_extract(SAMPLES / "network_snapshot_20260930.xlsx")
    matrix = migration_matrix(q2.loans, q3.loans, by="count").matrix
    assert int(matrix.loc["substandard", "normal"]) == 0
    assert int(matrix.loc["doubtful", ["normal", "special_mention", "substandard"]].sum()) == 0
    assert int(matrix.loc["loss"].drop("loss").sum()) == 0
    assert int(matrix.loc["normal", "normal"]) > 0
