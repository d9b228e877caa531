"""The command line with an export profile: validate, check, sample, plan-reviews, profile-template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook, load_workbook

import postloan_audit as pa
from postloan_audit.commands.cli import COMMAND_MODULES, main

DATA = Path(__file__).resolve().parents[1] / "data" / "profiles"
LEDGER = DATA / "rcb_balance.xlsx"
PROFILE = DATA / "rcb_balance.toml"
SHA = pa.ExportProfile.from_toml(PROFILE).sha256


def _pairs(path: Path, sheet: str) -> dict:
    ws = load_workbook(path, read_only=True)[sheet]
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}


def test_profile_template_is_a_registered_command():
    assert "profile_template" in COMMAND_MODULES


def test_validate_with_profile_reads_the_ledger_and_names_the_profile(capsys):
    assert main(["validate", str(LEDGER), "--profile", str(PROFILE)]) == 0
    out = capsys.readouterr().out
    assert f"导出配置 XX农商行 信贷系统 贷款余额表(sha256 {SHA[:12]})" in out.splitlines()
    assert "loans(贷款余额表):读取 6 行,保留 5 行,拒绝 0 行,合计行 1 行" in out


def test_validate_without_profile_fails_cleanly(capsys):
    assert main(["validate", str(LEDGER)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 / Error: 文件 rcb_balance.xlsx 中找不到贷款台账工作表。")


def test_validate_with_an_invalid_profile_names_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[units.loans]\nbalance = "斤"\n', encoding="utf-8")
    assert main(["validate", str(LEDGER), "--profile", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 / Error: 导出配置 bad.toml 第 2 行,units.loans.balance:未知的单位 斤;")


def test_check_with_profile_writes_it_into_the_findings_workbook(tmp_path, capsys):
    out = tmp_path / "findings.xlsx"
    assert main(["check", str(LEDGER), "--profile", str(PROFILE), "--as-of", "2026-09-30",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"导出配置 / export profile: XX农商行 信贷系统 贷款余额表(sha256 {SHA[:12]})" in text
    pairs = _pairs(out, "参数")
    assert pairs["导出配置 export profile"] == "XX农商行 信贷系统 贷款余额表"
    assert pairs["导出配置指纹 profile sha256"] == SHA
    # Without guarantee_type the collateral rules are listed as not run.
    ws = load_workbook(out, read_only=True)["未执行规则"]
    not_run = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert "列 guarantee_type(担保方式)" in not_run["COLLAT-INSP"]
    assert "列 guarantee_type(担保方式)" in not_run["COLLAT-REVAL"]


def test_sample_with_profile_uses_the_derived_secured_flag(tmp_path, capsys):
    out = tmp_path / "workpaper.xlsx"
    assert main(["sample", str(LEDGER), "--profile", str(PROFILE), "--branch", "城关支行",
                 "--seed", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"导出配置:XX农商行 信贷系统 贷款余额表(sha256 {SHA[:12]})" in text.splitlines()
    assert "  保证/抵质押担保:应抽 1 户,可抽 1 户,已抽 1 户(保证/抵质押借款人仅1户,不足5户,全部抽取)" \
        in text.splitlines()
    pairs = _pairs(out, "抽样参数")
    assert pairs["导出配置"] == "XX农商行 信贷系统 贷款余额表"
    assert pairs["导出配置指纹(SHA-256)"] == SHA


def test_sample_without_guarantee_column_refuses_naming_the_profile_fix(capsys):
    ledger = Path(__file__).resolve().parents[1] / "data" / "missing_required_column.csv"
    assert main(["sample", str(ledger), "--seed", "1"]) == 2
    assert capsys.readouterr().err == (
        "错误 / Error: 贷款台账没有担保方式(guarantee_type)列,无法按“保证、抵(质)押类贷款户不低于5户”"
        "的配额抽样。请在导出配置中映射担保方式列([headers.loans] \"担保方式列名\" ="
        " \"guarantee_type\"),或由担保人信息生成([derive.loans] secured = { nonblank ="
        " \"担保人证件号码\" })。 / The loans have no guarantee_type column, so the"
        " secured-borrower quota cannot be met. Map the column in the export profile"
        " ([headers.loans] ... = \"guarantee_type\") or derive it ([derive.loans] secured ="
        " { nonblank = ... }).\n")


def test_plan_reviews_with_profile_reads_the_banks_branch_sheet(tmp_path, capsys):
    wb = Workbook()
    loans = wb.active
    loans.title = "贷款余额表"
    loans.append(["借据号", "证件号码", "开户机构", "贷款形态", "核心余额", "担保方式"])
    loans.append(["L1", "110101198001010011", "城东支行", "正常", "10", "信用"])
    loans.append(["L2", "110101198001010022", "城西支行", "正常", "20", "保证"])
    branches = wb.create_sheet("网点督导表")
    branches.append(["网点名称", "上次督导日"])
    branches.append(["城东支行", dt.date(2024, 12, 31)])
    branches.append(["城西支行", dt.date(2025, 1, 1)])
    ledger = tmp_path / "ledger.xlsx"
    wb.save(ledger)
    profile = tmp_path / "bank.toml"
    profile.write_text(
        '[profile]\nname = "督导用"\n[sheets]\nloans = ["贷款余额表"]\nbranches = ["网点督导表"]\n'
        '[headers.loans]\n"开户机构" = "branch"\n"贷款形态" = "classification"\n'
        '"核心余额" = "balance"\n"证件号码" = "id_number"\n'
        '[headers.branches]\n"网点名称" = "branch"\n"上次督导日" = "last_onsite_review_date"\n'
        '[derive.loans]\nborrower_id = { copy = "id_number" }\n', encoding="utf-8")
    assert main(["plan-reviews", str(ledger), "--year", "2026"]) == 2
    capsys.readouterr()
    assert main(["plan-reviews", str(ledger), "--year", "2026", "--profile", str(profile)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("2026年现场检查计划:辖内 2 个机构")


def test_profile_template_lists_every_header_and_loads_once_completed(tmp_path, capsys):
    target = tmp_path / "template.toml"
    assert main(["profile-template", str(LEDGER), "--out", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[1] == "# 文件 rcb_balance.xlsx,工作表「贷款余额表」,表头在第 3 行 / header row 3"
    assert '"借据号" = "loan_id"  # 已识别 / recognised' in lines
    assert '"证件号码" = "id_number"  # 已识别 / recognised' in lines
    assert '# "开户机构" = "?"  # 可能是 / might be: branch(经营机构)' in lines
    assert '# "核心余额" = "?"  # 可能是 / might be: balance(贷款余额)' in lines
    assert '"最小欠息日" = "interest_overdue_since"  # 已识别 / recognised' in lines
    assert ("# 仍缺少的必填列 / required columns still missing: borrower_id(客户号)、branch(经营机构)、"
            "balance(贷款余额)、classification(五级分类)") in lines
    start = lines.index("[headers.loans]") + 1
    headers = lines[start:lines.index("", start)]
    assert [h.split('"')[1] for h in headers] == [  # every header, recognised or commented
        "借据号", "证件号码", "户名", "开户机构", "贷款形态", "核心余额", "借款日期", "到期日期",
        "最小欠息日", "担保人证件号码", "还款期限"]
    template = pa.ExportProfile.from_toml(target)
    assert template.sheets == {"loans": ("贷款余额表",)}
    completed = (text.replace('# "开户机构" = "?"', '"开户机构" = "branch"')
                 .replace('# "贷款形态" = "?"', '"贷款形态" = "classification"')
                 .replace('# "核心余额" = "?"', '"核心余额" = "balance"')
                 .replace('# [derive.loans]', '[derive.loans]')
                 .replace('# borrower_id = { copy', 'borrower_id = { copy')
                 .replace('# [values.classification]', '[values.classification]\n"逾期" = "substandard"\n"呆滞" = "doubtful"\n"呆账" = "loss"\n#'))
    extract = pa.load_extract(LEDGER, profile=pa.ExportProfile.from_toml_text(completed))
    assert extract.loans["loan_id"].tolist() == ["RCB0001", "RCB0002", "RCB0003", "RCB0004",
                                                 "RCB0005"]
    assert main(["profile-template", str(LEDGER), "--out", str(target)]) == 2
    assert "已存在" in capsys.readouterr().err


def test_profile_template_to_screen(capsys):
    assert main(["profile-template", str(DATA / "personal_monthly.csv")]) == 0
    out = capsys.readouterr().out
    assert '# "机构代码" = "?"  # 可能是 / might be: borrower_id(客户号)、branch(经营机构)、id_number(证件号码)' \
        in out.splitlines()
    assert "# 仍缺少的必填列 / required columns still missing: branch(经营机构)" in out.splitlines()


def test_profile_template_drafts_the_borrowers_file_sheets_too(tmp_path, capsys):
    """Besides the loans: a sheet the loader knows by name gets its headers drafted; one with
    another name is told by its headers and named in [sheets]; a cover page is left out."""
    wb = Workbook()
    cover = wb.active
    cover.title = "封面"
    cover.append(["某农商行 贷款台账 2026年9月"])
    loans = wb.create_sheet("贷款余额表")
    loans.append(["借据号", "客户号", "经营机构", "贷款余额", "五级分类"])
    loans.append(["L1", "C1", "城关支行", 1000, "正常"])
    pledges = wb.create_sheet("抵质押物清单")
    pledges.append(["押品编号", "借据号", "评估价值", "评估日期", "经办人"])
    pledges.append(["P1", "L1", 2000, dt.date(2026, 6, 30), "王五"])
    guarantors = wb.create_sheet("保证")
    guarantors.append(["借据号", "保证人编号", "保证人名称"])
    guarantors.append(["L1", "G1", "丙公司"])
    ledger = tmp_path / "ledger.xlsx"
    wb.save(ledger)
    assert main(["profile-template", str(ledger)]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("[sheets]")
    assert lines[start + 1:start + 4] == ['loans = ["贷款余额表"]', 'collateral = ["抵质押物清单"]', ""]
    block = lines.index("[headers.collateral]")
    assert lines[block - 1] == "# 工作表「抵质押物清单」,表头在第 1 行 / sheet 抵质押物清单, header row 1"
    assert lines[block + 1:block + 6] == [
        '"押品编号" = "collateral_id"  # 已识别 / recognised',
        '"借据号" = "loan_id"  # 已识别 / recognised',
        '"评估价值" = "appraised_value"  # 已识别 / recognised',
        '"评估日期" = "appraisal_date"  # 已识别 / recognised',
        lines[block + 5]]
    assert lines[block + 5].startswith('# "经办人" = "?"')
    guar = lines.index("[headers.guarantees]")
    assert lines[guar + 1:guar + 4] == ['"借据号" = "loan_id"  # 已识别 / recognised',
                                        '"保证人编号" = "guarantor_id"  # 已识别 / recognised',
                                        '"保证人名称" = "guarantor_name"  # 已识别 / recognised']
    assert not any("封面" in line for line in lines[2:])
    profile = pa.ExportProfile.from_toml_text("\n".join(lines))
    assert profile.sheets == {"loans": ("贷款余额表",), "collateral": ("抵质押物清单",)}
    extract = pa.load_extract(ledger, profile=profile)
    assert extract.collateral["collateral_id"].tolist() == ["P1"]
    assert extract.guarantees["guarantor_id"].tolist() == ["G1"]
