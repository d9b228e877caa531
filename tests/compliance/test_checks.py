"""The engine: catalogue, run_checks contract, summaries, generator round trip, CLI."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from checks_factory import AS_OF, make_loans

from postloan_audit import CheckReport, Extract, list_rules, run_checks
from postloan_audit.commands.cli import main
from postloan_audit.compliance.checks import FINDING_COLUMNS
from postloan_audit.compliance.rules import CATALOGUE, build_catalogue
from postloan_audit.core.extract import OPTIONAL_SHEETS

RULE_IDS = ["INSP-FREQ", "INSP-FIRST", "INSP-REPORT", "CLS-OVERDUE", "CLS-BORROWER",
            "CLS-RESTRUCT", "EXT-LIMIT", "EXT-INDIVIDUAL", "REFI-INDIVIDUAL", "COLL-TIER",
            "COLL-NPL", "MAT-NOTICE", "MAT-COLLECT", "INT-COLLECT", "COLLAT-INSP",
            "COLLAT-REVAL", "COLLAT-DROP", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE",
            "RATING-STALE", "GUAR-RATING", "FIN-STATEMENTS", "EXIT-VISIT", "LIST-MODE",
            "LIST-NEWCREDIT", "LIST-WATCH", "FUND-USE", "CALLBACK-FIRST", "OFFICER-ONE", "DATA-OVERDUE"]
#: Rules a loans frame alone cannot run: the inspection reports and the borrower's file.
SHEET_RULES = ["INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE", "COLLAT-RELEASE", "GUAR-RATING",
               "FIN-STATEMENTS", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]
#: Why each of them is not run on a loans frame.
SHEET_REASONS = [
    ["INSP-REPORT", "缺少所需数据:贷后检查记录(inspections)的列 report_date(报告日期)+贷后检查记录"
                    "(inspections)的列 report_period(所属期间) / missing data: column report_date "
                    "of sheet inspections and column report_period of sheet inspections"],
    ["COLLAT-COVER", "缺少所需数据:押品表(collateral) / missing data: sheet collateral"],
    ["COLLAT-INSURE", "缺少所需数据:押品(collateral)的列 insurance_expiry(保险到期日) / missing data:"
                      " column insurance_expiry of sheet collateral"],
    ["COLLAT-RELEASE", "缺少所需数据:押品(collateral)的列 release_date(解押日期) / missing data: "
                       "column release_date of sheet collateral"],
    ["GUAR-RATING", "缺少所需数据:保证(guarantees)的列 guarantor_rating_date(保证人评级日期) / missing"
                    " data: column guarantor_rating_date of sheet guarantees"],
    ["FIN-STATEMENTS", "缺少所需数据:财务报表表(financials) / missing data: sheet financials"],
    ["LIST-MODE", "缺少所需数据:名单表(lists) / missing data: sheet lists"],
    ["LIST-NEWCREDIT", "缺少所需数据:名单表(lists) / missing data: sheet lists"],
    ["LIST-WATCH", "缺少所需数据:名单表(lists);外部信息表(external) / missing data: sheet lists; "
                   "sheet external"],
]


NO_SHEET_WARNING = ("INSP-FREQ:未提供贷后检查记录表,仅能判断最近一次检查是否超期,未逐期核对检查频率 / "
                    "no inspections sheet: only the latest inspection could be judged, not every "
                    "period of the review window")

def test_catalogue_holds_exactly_the_contract_ids():
    assert list(CATALOGUE) == RULE_IDS
    table = list_rules()
    assert list(table["rule_id"]) == RULE_IDS
    assert list(table.columns) == ["rule_id", "title_zh", "title_en", "severity", "citation",
                                   "parameters", "needs"]
    assert set(table["severity"]) <= {"high", "medium", "low"}
    assert (table["citation"].str.len() > 0).all()
    row = table.set_index("rule_id").loc["MAT-COLLECT"]
    assert row["parameters"] == ("maturity.collection_notice_working_days=10; "
                                 "maturity.collect_individual=false")


def test_duplicate_rule_id_is_an_error():
    rule = CATALOGUE["CLS-RESTRUCT"]
    with pytest.raises(ValueError, match="duplicate rule id: CLS-RESTRUCT"):
        build_catalogue([rule, dataclasses.replace(rule, title_zh="另一个")])


def test_rule_objects_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATALOGUE["INSP-FREQ"].id = "X"  # type: ignore[misc]


def test_clean_loan_raises_nothing_and_every_rule_runs():
    report = run_checks(make_loans({"clean": {}}), as_of=AS_OF)
    assert isinstance(report, CheckReport)
    # INSP-REPORT reads the inspections sheet's reports, the rules of the borrower's file its
    # sheets, which a loans frame lacks
    assert report.rules_run == tuple(r for r in RULE_IDS if r not in SHEET_RULES)
    assert len(report.findings) == 0
    assert list(report.findings.columns) == FINDING_COLUMNS
    assert list(report.not_run.columns) == ["rule_id", "reason"]
    assert report.not_run["rule_id"].tolist() == SHEET_RULES
    # a loans frame alone: INSP-FREQ can judge only the latest inspection, and says so
    assert report.warnings == (NO_SHEET_WARNING,)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_is_not_run_when_its_data_is_missing(rule_id):
    rule = CATALOGUE[rule_id]
    needed = {part for req in rule.needs for alt in req.split("|") for part in alt.split("+")
              if "." not in part and part not in OPTIONAL_SHEETS}
    loans = make_loans({"a": {}}, drop=sorted(needed - {"loan_id"}))
    report = run_checks(loans, as_of=AS_OF, rules=[rule_id])
    assert report.rules_run == ()
    assert list(report.not_run["rule_id"]) == [rule_id]
    assert report.not_run["reason"].iloc[0].startswith("缺少所需数据:")


def test_findings_table_contract():
    loans = make_loans({
        "late": {"last_inspection_date": "2026-03-29", "borrower_name": "=cmd|' /C calc'!A0"},
        "overdue": {"overdue_days": 100, "branch": "东关支行"},
    })
    report = run_checks(loans, as_of="2026-09-30", rules="insp-freq, CLS-OVERDUE")
    f = report.findings
    assert list(f.columns) == FINDING_COLUMNS
    assert f[["rule_id", "loan_id", "borrower_id", "branch", "severity"]].values.tolist() == [
        ["INSP-FREQ", "late", "B-late", "城关支行", "medium"],
        ["CLS-OVERDUE", "overdue", "B-overdue", "东关支行", "high"]]
    assert str(f["due_date"].dtype) == "datetime64[ns]"
    assert str(f["days_late"].dtype) == "Int64"
    assert f["days_late"].iloc[0] == 1 and pd.isna(f["days_late"].iloc[1])
    assert f["citation"].iloc[1] == CATALOGUE["CLS-OVERDUE"].citation
    for name in ("rule_id", "loan_id", "message", "citation"):
        assert f[name].dtype == "str"
    assert report.as_of.isoformat() == "2026-09-30"
    assert len(report.fingerprint) == 64


def test_summaries():
    loans = make_loans({
        "a": {"overdue_days": 100}, "b": {"overdue_days": 100, "branch": "东关支行"},
        "c": {"overdue_days": 100, "last_inspection_date": "2025-01-01"},
    })
    report = run_checks(loans, as_of=AS_OF, rules=["CLS-OVERDUE", "INSP-FREQ", "COLL-NPL"])
    by_rule = report.summary_by_rule()
    assert by_rule[["rule_id", "findings", "loans", "branches"]].values.tolist() == [
        ["INSP-FREQ", 1, 1, 1], ["CLS-OVERDUE", 3, 3, 2], ["COLL-NPL", 0, 0, 0]]
    by_branch = report.summary_by_branch()
    assert list(by_branch.columns) == ["branch", "INSP-FREQ", "CLS-OVERDUE", "COLL-NPL", "total"]
    assert by_branch.values.tolist() == [["东关支行", 0, 1, 0, 1], ["城关支行", 1, 2, 0, 3]]
    assert "发现问题 4 条" in report.summary()


def test_bad_arguments_are_value_errors():
    loans = make_loans({"a": {}})
    with pytest.raises(ValueError, match="NOPE"):
        run_checks(loans, as_of=AS_OF, rules=["NOPE"])
    with pytest.raises(ValueError, match="2026/13/01"):
        run_checks(loans, as_of="2026/13/01")
    with pytest.raises(ValueError, match="as_of"):
        run_checks(Extract(loans=loans), as_of=None)


def test_policy_path_is_accepted(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[disabled]\n"INSP-FREQ" = "试点"\n', encoding="utf-8")
    report = run_checks(make_loans({"a": {"last_inspection_date": "2024-01-01"}}), as_of=AS_OF,
                        policy=path)
    assert "INSP-FREQ" not in report.rules_run
    assert report.not_run.values.tolist() == [
        ["INSP-FREQ", "本行参数配置停用:试点 / disabled by policy: 试点"], *SHEET_REASONS]
    assert report.policy.source == "p.toml"


def test_planted_breaches_all_found_and_clean_loans_raise_nothing():
    from postloan_audit.synth.generator import generate_network

    net = generate_network(loans=2000, branches=4, seed=7, as_of="2026-09-30")
    extract = Extract(loans=net.loans, inspections=net.inspections,
                      collections=net.collections, branches=net.branches,
                      **{name: getattr(net, name) for name in OPTIONAL_SHEETS
                         if name not in ("inspections", "collections", "branches")})
    report = run_checks(extract, as_of="2026-09-30")
    assert report.rules_run == tuple(RULE_IDS)
    got = set(map(tuple, report.findings[["rule_id", "loan_id"]].to_numpy().tolist()))
    planted = set(map(tuple, net.planted[["rule_id", "loan_id"]].to_numpy().tolist()))
    assert set(net.planted["rule_id"]) == set(RULE_IDS)
    assert got == planted


def test_cli_check_and_rules(tmp_path, capsys):
    from postloan_audit.synth.generator import generate_network, write_extract

    net = generate_network(loans=300, branches=2, seed=3, as_of="2026-09-30")
    source = tmp_path / "ledger.xlsx"
    write_extract(net, source)
    out = tmp_path / "findings.xlsx"
    assert main(["check", str(source), "--as-of", "2026-09-30", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "按规则 / by rule" in printed and "INSP-FREQ" in printed
    assert out.exists()
    assert main(["check", str(source), "--as-of", "2026-09-30", "--rules", "CLS-OVERDUE"]) == 0
    assert main(["rules"]) == 0
    assert "DATA-OVERDUE" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text("[inspection]\nwhatever = 1\n", encoding="utf-8")
    assert main(["check", str(source), "--as-of", "2026-09-30", "--policy", str(bad)]) == 2
    assert "inspection.whatever" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing.xlsx"), "--as-of", "2026-09-30"]) == 2
    assert main(["check", str(source), "--as-of", "2026-09-30", "--rules", "NOPE"]) == 2


SAMPLES = [("branch_chengguan_20260930.xlsx", "2026-09-30"),
           ("network_snapshot_20260630.xlsx", "2026-06-30"),
           ("head_office_6_branches_20260930.csv", "2026-09-30")]


@pytest.mark.parametrize("name,as_of", SAMPLES)
def test_bundled_sample_extracts_through_the_loader_find_exactly_the_planted_breaches(name, as_of):
    from pathlib import Path

    from postloan_audit import load_extract

    folder = Path(__file__).resolve().parents[2] / "sample_extracts"
    report = run_checks(load_extract(folder / name), as_of=as_of)
    planted = pd.read_csv(folder / name.replace(".xlsx", ".planted.csv").replace(
        "20260930.csv", "20260930.planted.csv"), dtype="str")
    got = set(map(tuple, report.findings[["rule_id", "loan_id"]].to_numpy().tolist()))
    assert got == set(map(tuple, planted[["rule_id", "loan_id"]].to_numpy().tolist()))
    # the CSV extract has no inspections sheet: the report says only the latest was judged,
    # and the inspection reports and the borrower's file cannot be judged at all
    expected = (NO_SHEET_WARNING,) if name.endswith(".csv") else ()
    assert report.warnings == expected
    assert report.not_run["rule_id"].tolist() == (SHEET_RULES if name.endswith(".csv") else [])
