"""Export profiles (导出配置): reading, and the exact message of every validation error."""

from __future__ import annotations

import pandas as pd
import pytest

import postloan_audit as pa
from postloan_audit.core import schema
from postloan_audit.core.errors import PolicyError, ProfileError
from postloan_audit.ingest.profile import (
    ExportProfile,
    _value_columns,
    days_since,
    negative_of,
    nonblank,
)

FULL = """\
[profile]
name = "XX农商行 信贷系统 贷款余额表"

[sheets]
loans = ["贷款余额表"]

[headers.loans]
"开户机构" = "branch"
"贷款形态（五级）" = "classification"
"借款日期" = "disbursement_date"

[values.classification]
"呆滞" = "doubtful"

[values.repayment_method]
"按月付息到期还本" = "bullet"

[units.loans]
balance = "万元"
extension_months = "天"

[derive.loans]
borrower_id = { copy = "id_number" }
overdue_days = { days_since = "最小欠息日" }
secured = { nonblank = "担保人证件号码" }
"""


def _error(text: str) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        ExportProfile.from_toml_text(text, source="bank.toml")
    return info.value


def test_full_profile_is_read_with_name_hash_and_every_table(tmp_path):
    path = tmp_path / "bank.toml"
    path.write_text(FULL, encoding="utf-8")
    profile = pa.ExportProfile.from_toml(path)
    assert profile.name == "XX农商行 信贷系统 贷款余额表"
    assert profile.source == "bank.toml"
    import hashlib
    assert profile.sha256 == hashlib.sha256(FULL.encode("utf-8")).hexdigest()
    assert profile.sheets == {"loans": ("贷款余额表",)}
    # Header keys are normalised as built-in aliases are: brackets and width go.
    assert profile.headers == {"loans": {"开户机构": "branch", "贷款形态": "classification",
                                         "借款日期": "disbursement_date"}}
    assert profile.values == {"classification": {"呆滞": "doubtful"},
                              "repayment_method": {"按月付息到期还本": "bullet"}}
    assert profile.units == {"loans": {"balance": "万元", "extension_months": "天"}}
    assert [(d.target, d.form, d.argument, d.line) for d in profile.derive["loans"]] == [
        ("borrower_id", "copy", "id_number", 23),
        ("overdue_days", "days_since", "最小欠息日", 24),
        ("secured", "nonblank", "担保人证件号码", 25),
    ]
    assert profile.match_header("loans", "开 户 机 构") == ("branch", None)
    assert profile.match_header("loans", "贷款余额（万元）") == ("balance", "万元")
    assert profile.sheet_for_name("贷款余额表") == "loans"
    assert profile.sheet_for_name("借据明细") == "loans"
    assert ExportProfile.coerce(path) == profile
    assert ExportProfile.coerce(None) is None


def test_profile_without_name_is_named_after_its_file():
    profile = ExportProfile.from_toml_text('[headers.loans]\n"开户机构" = "branch"\n',
                                           source="农商行余额表.toml")
    assert profile.name == "农商行余额表"


def test_profile_error_is_a_policy_error_with_key_line_and_allowed():
    err = _error('[profile]\nname = "x"\n\n[sheet]\nloans = ["a"]\n')
    assert isinstance(err, PolicyError)
    assert (err.key, err.line, err.allowed) == (
        "sheet", 4, ("profile", "sheets", "headers", "values", "units", "derive"))


def test_unknown_table():
    assert _error('[profile]\nname = "x"\n\n[sheet]\nloans = ["a"]\n').message == (
        "导出配置 bank.toml 第 4 行,sheet:未知的表 [sheet];"
        "可用值:profile、sheets、headers、values、units、derive"
        " / export profile bank.toml, line 4, sheet: unknown table [sheet];"
        " allowed: profile, sheets, headers, values, units, derive")


def test_unknown_profile_key():
    assert _error('[profile]\nname = "x"\nowner = "me"\n').message == (
        "导出配置 bank.toml 第 3 行,profile.owner:未知的键 owner;可用值:name"
        " / export profile bank.toml, line 3, profile.owner: unknown key owner; allowed: name")


def test_unknown_sheet_in_sheets():
    assert _error('[sheets]\nloan = ["贷款余额表"]\n').message == (
        "导出配置 bank.toml 第 2 行,sheets.loan:未知的工作表 loan;"
        "可用值:loans、inspections、collections、branches、collateral、guarantees、financials、"
        "external、lists / export profile bank.toml, line 2, sheets.loan: unknown sheet loan;"
        " allowed: loans, inspections, collections, branches, collateral, guarantees,"
        " financials, external, lists")


def test_sheet_names_must_be_a_list_of_text():
    assert _error('[sheets]\nloans = 3\n').message == (
        "导出配置 bank.toml 第 2 行,sheets.loans:应为工作表名称列表(如 [\"贷款余额表\"]),实际为 3"
        " / export profile bank.toml, line 2, sheets.loans: must be a list of sheet names, got 3")


def test_unknown_sheet_in_headers():
    assert _error('[headers.loan]\n"开户机构" = "branch"\n').message == (
        "导出配置 bank.toml 第 1 行,headers.loan:未知的工作表 loan;"
        "可用值:loans、inspections、collections、branches、collateral、guarantees、financials、"
        "external、lists / export profile bank.toml, line 1, headers.loan: unknown sheet loan;"
        " allowed: loans, inspections, collections, branches, collateral, guarantees,"
        " financials, external, lists")


def test_unknown_canonical_column_in_headers():
    message = _error('[headers.branches]\n"机构代码" = "branch"\n"检查日" = "review"\n').message
    assert message == (
        '导出配置 bank.toml 第 3 行,headers.branches."检查日":未知的标准列 review;'
        "可用值:branch、last_onsite_review_date"
        ' / export profile bank.toml, line 3, headers.branches."检查日": unknown canonical'
        " column review; allowed: branch, last_onsite_review_date")


def test_unknown_column_in_values():
    allowed = list(_value_columns())
    assert allowed[:7] == ["classification", "guarantee_type", "customer_type",
                           "repayment_method", "payment_method", "management_mode", "refinanced"]
    assert _error('[values.branch]\n"城关" = "城关支行"\n').message == (
        "导出配置 bank.toml 第 1 行,values.branch:列 branch 没有可映射的取值;可用值:"
        + "、".join(allowed)
        + " / export profile bank.toml, line 1, values.branch: column branch has no value"
        " vocabulary to map; allowed: " + ", ".join(allowed))


def test_unknown_canonical_value():
    assert _error('[values.classification]\n"逾期" = "overdue"\n').message == (
        '导出配置 bank.toml 第 2 行,values.classification."逾期":未知的标准取值 overdue;'
        "可用值:normal、special_mention、substandard、doubtful、loss"
        ' / export profile bank.toml, line 2, values.classification."逾期": unknown canonical'
        " value overdue; allowed: normal, special_mention, substandard, doubtful, loss")


def test_unknown_unit():
    assert _error('[units.loans]\nextension_months = "周"\n').message == (
        "导出配置 bank.toml 第 2 行,units.loans.extension_months:未知的单位 周;可用值:天、月、年"
        " / export profile bank.toml, line 2, units.loans.extension_months: unknown unit 周;"
        " allowed: 天, 月, 年")


def test_unit_on_a_column_without_units():
    assert _error('[units.collections]\nmethod = "元"\n').message == (
        "导出配置 bank.toml 第 2 行,units.collections.method:列 method 不能指定单位"
        " / export profile bank.toml, line 2, units.collections.method: column method takes"
        " no unit")


def test_unknown_derive_form():
    assert _error('[derive.loans]\nsecured = { guess = "担保人" }\n').message == (
        "导出配置 bank.toml 第 2 行,derive.loans.secured:未知的派生写法 guess;"
        "可用值:copy、days_since、negative_of、nonblank"
        " / export profile bank.toml, line 2, derive.loans.secured: unknown derive form guess;"
        " allowed: copy, days_since, negative_of, nonblank")


def test_unknown_derived_column():
    message = _error('[derive.collections]\nlate = { nonblank = "x" }\n').message
    assert message == (
        "导出配置 bank.toml 第 2 行,derive.collections.late:未知的派生列 late;"
        "可用值:loan_id、collection_date、method"
        " / export profile bank.toml, line 2, derive.collections.late: unknown derived column"
        " late; allowed: loan_id, collection_date, method")


def test_derive_with_two_forms():
    assert _error('[derive.loans]\noverdue_days = { days_since = "a", negative_of = "b" }\n'
                  ).message == (
        "导出配置 bank.toml 第 2 行,derive.loans.overdue_days:应写成 { 写法 = \"列\" } 且只有一种写法,"
        "实际为 {'days_since': 'a', 'negative_of': 'b'};可用值:copy、days_since、negative_of、nonblank"
        " / export profile bank.toml, line 2, derive.loans.overdue_days: must be"
        " { form = \"column\" } with one form, got {'days_since': 'a', 'negative_of': 'b'};"
        " allowed: copy, days_since, negative_of, nonblank")


def test_copy_of_a_file_column_is_refused():
    columns = list(schema.SHEETS["loans"].column_index)
    assert _error('[derive.loans]\nborrower_id = { copy = "证件号码" }\n').message == (
        "导出配置 bank.toml 第 2 行,derive.loans.borrower_id:copy 的来源应为标准列,证件号码 不是;"
        "可用值:" + "、".join(columns)
        + " / export profile bank.toml, line 2, derive.loans.borrower_id: copy takes a canonical"
        " column, 证件号码 is not one; allowed: " + ", ".join(columns))


def test_copy_onto_itself_is_refused():
    assert _error('[derive.loans]\nbranch = { copy = "branch" }\n').message == (
        "导出配置 bank.toml 第 2 行,derive.loans.branch:copy 的来源不能是它自己"
        " / export profile bank.toml, line 2, derive.loans.branch: copy cannot copy a column"
        " onto itself")


def test_days_since_must_build_a_whole_number_column():
    assert _error('[derive.loans]\nbranch = { days_since = "最小欠息日" }\n').message == (
        "导出配置 bank.toml 第 2 行,derive.loans.branch:days_since 只能生成整数列,branch 不是;"
        "可用值:overdue_days、extension_months、extension_days"
        " / export profile bank.toml, line 2, derive.loans.branch: days_since builds a"
        " whole-number column, branch is not one; allowed: overdue_days, extension_months,"
        " extension_days")


def test_nonblank_must_build_a_flag():
    assert _error('[derive.loans]\nbalance = { nonblank = "担保人证件号码" }\n').message == (
        "导出配置 bank.toml 第 2 行,derive.loans.balance:nonblank 只能生成是否标志列,balance 不是;"
        "可用值:secured、refinanced、restructured、additional_guarantee、exit_list、litigation"
        " / export profile bank.toml, line 2, derive.loans.balance: nonblank builds a yes/no"
        " column, balance is not one; allowed: secured, refinanced, restructured,"
        " additional_guarantee, exit_list, litigation")


def test_derive_argument_must_be_text():
    assert _error('[derive.loans]\nsecured = { nonblank = 3 }\n').message == (
        "导出配置 bank.toml 第 2 行,derive.loans.secured:应为非空文字,实际为 3"
        " / export profile bank.toml, line 2, derive.loans.secured: must be non-empty text, got 3")


def test_a_table_written_as_a_value():
    assert _error('headers = "开户机构"\n').message == (
        "导出配置 bank.toml 第 1 行,headers:应为表 [headers] / export profile bank.toml, line 1,"
        " headers: must be a table [headers]")


def test_profile_name_must_be_text():
    assert _error('[profile]\nname = 12\n').message == (
        "导出配置 bank.toml 第 2 行,profile.name:应为非空文字,实际为 12"
        " / export profile bank.toml, line 2, profile.name: must be non-empty text, got 12")


def test_unknown_value_of_a_yes_no_column():
    assert _error('[values.litigation]\n"已诉" = "yes"\n').message == (
        '导出配置 bank.toml 第 2 行,values.litigation."已诉":未知的标准取值 yes;可用值:true、false'
        ' / export profile bank.toml, line 2, values.litigation."已诉": unknown canonical value'
        " yes; allowed: true, false")


def test_invalid_toml_names_the_file_and_line():
    assert _error('[headers.loans]\n"开户机构" = branch\n').message == (
        "导出配置 bank.toml 不是有效的 TOML(第 2 行第 10 列),请检查该处的方括号、引号和等号。"
        " / export profile bank.toml is not valid TOML: Invalid value (at line 2, column 10)")


def test_missing_file(tmp_path):
    with pytest.raises(ProfileError) as info:
        ExportProfile.from_toml(tmp_path / "none.toml")
    path = tmp_path / "none.toml"
    assert info.value.message == (f"无法读取导出配置 {path}:No such file or directory"
                                  f" / cannot read export profile {path}: No such file or directory")


def test_a_file_not_in_utf8(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes('[headers.loans]\n"开户机构" = "branch"\n'.encode("gbk"))
    with pytest.raises(ProfileError) as info:
        ExportProfile.from_toml(path)
    assert info.value.message == ("导出配置 gbk.toml 不是 UTF-8 编码,请用记事本另存为 UTF-8"
                                  " / export profile gbk.toml is not UTF-8; save it as UTF-8")


def test_derive_forms_on_both_sides_of_zero():
    dates = pd.Series(pd.to_datetime(["2026-09-01", "2026-09-30", "2026-10-05", None]))
    assert days_since(dates, "2026-09-30").tolist() == [29, 0, 0, 0]
    assert negative_of(pd.Series([-37.0, 0.0, 12.0, float("nan")])).tolist() == [37, 0, 0, 0]
    assert nonblank(pd.Series(["110101", "  ", None, "x"], dtype="str")).tolist() == [
        True, False, False, True]
