"""Ledgers shaped like real bank exports load with their export profile, and only with it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import postloan_audit as pa

DATA = Path(__file__).resolve().parents[1] / "data" / "profiles"
COLUMNS = ["loan_id", "borrower_id", "branch", "balance", "classification", "overdue_days",
           "secured"]


def frame(extract: pa.Extract, extra: tuple[str, ...] = ()) -> list[tuple]:
    loans = extract.loans[[*COLUMNS, *extra]].astype(object)
    return list(loans.itertuples(index=False, name=None))


@pytest.mark.parametrize("ledger", ["rcb_balance.xlsx", "personal_monthly.csv",
                                    "branch_loan_data.xlsx"])
def test_each_ledger_does_not_load_without_its_profile(ledger):
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / ledger)
    assert err.value.problem in {"no_loans_sheet", "missing_columns"}


def test_rural_commercial_bank_balance_sheet():
    extract = pa.load_extract(DATA / "rcb_balance.xlsx", profile=DATA / "rcb_balance.toml")
    assert frame(extract, ("repayment_method", "disbursement_date")) == [
        ("RCB0001", "110101198001010011", "城关支行", 125000.0, "normal", 0, True, "bullet",
         pd.Timestamp("2025-03-01")),
        ("RCB0002", "110101198001010011", "城关支行", 32000.0, "substandard", 60, False,
         "bullet", pd.Timestamp("2024-06-15")),
        ("RCB0003", "110101198502020033", "河西支行", 400000.0, "doubtful", 628, True,
         "installment", pd.Timestamp("2023-01-10")),
        ("RCB0004", "110101199003030055", "河西支行", 7500.0, "loss", 863, False, "installment",
         pd.Timestamp("2022-05-20")),
        ("RCB0005", "110101199104040066", "城关支行", 1000000.0, "normal", 0, False, "bullet",
         pd.Timestamp("2026-01-05")),
    ]
    assert "guarantee_type" not in extract.loans.columns
    assert extract.as_of == pd.Timestamp("2026-09-30").date()
    assert extract.accounting[["source_sheet", "rows_read", "kept", "rejected",
                               "summary_rows"]].values.tolist() == [["贷款余额表", 6, 5, 0, 1]]
    profile = pa.ExportProfile.from_toml(DATA / "rcb_balance.toml")
    assert (extract.profile_name, extract.profile_sha256) == (
        "XX农商行 信贷系统 贷款余额表", profile.sha256)
    assert extract.rejected.empty


def test_days_since_counts_to_the_given_extract_date():
    extract = pa.load_extract(DATA / "rcb_balance.xlsx", profile=DATA / "rcb_balance.toml",
                              as_of="2026-08-02")
    # 2026-08-01 → 1 day; 2026-10-15 is after the date → 0.
    assert extract.loans["overdue_days"].tolist() == [0, 1, 569, 804, 0]


def test_monthly_personal_loan_export():
    extract = pa.load_extract(DATA / "personal_monthly.csv",
                              profile=DATA / "personal_monthly.toml")
    assert frame(extract, ("extension_months", "repayment_method", "guarantee_type")) == [
        ("6210001", "P001", "0101", 50000.0, "normal", 0, False, 0, "installment", "credit"),
        ("6210002", "P002", "0101", 8000.5, "special_mention", 37, True, 3, "bullet",
         "guarantee"),
        ("6210003", "P003", "0102", 200000.0, "substandard", 95, True, 1, "installment",
         "mortgage"),
        ("6210004", "P001", "0101", 1200.0, "normal", 0, False, 0, "installment", "credit"),
    ]
    # The profile's 天 is read as a 天 header would be: days kept, months at 30.4375 a month.
    assert extract.loans["extension_days"].tolist() == [0, 90, 31, 0]
    assert extract.profile_name == "个贷月度导出"


def test_branch_loan_data_workbook_beside_a_summary_sheet():
    extract = pa.load_extract(DATA / "branch_loan_data.xlsx",
                              profile=DATA / "branch_loan_data.toml")
    assert frame(extract, ("guarantee_type", "loan_officer")) == [
        ("D-01", "K01", "开发区支行", 300000.0, "substandard", 120, True, "pledge", "张经理"),
        ("D-02", "K02", "开发区支行", 700000.0, "doubtful", 400, True, "mortgage", "李经理"),
        ("D-03", "K02", "开发区支行", 1500.0, "normal", 0, False, "credit", "李经理"),
    ]
    assert extract.accounting["source_sheet"].tolist() == ["贷款数据"]


def test_profile_object_and_path_give_the_same_extract():
    profile = pa.ExportProfile.from_toml(DATA / "personal_monthly.toml")
    by_object = pa.load_extract(DATA / "personal_monthly.csv", profile=profile)
    by_path = pa.load_extract(DATA / "personal_monthly.csv",
                              profile=str(DATA / "personal_monthly.toml"))
    pd.testing.assert_frame_equal(by_object.loans, by_path.loans)
    assert by_object.profile_sha256 == by_path.profile_sha256 == profile.sha256


def test_four_tier_scale_without_a_mapping_is_rejected_showing_the_lines():
    text = (DATA / "rcb_balance.toml").read_text(encoding="utf-8")
    start = text.index("[values.classification]")
    text = text[:start] + text[text.index("[values.repayment_method]"):]
    profile = pa.ExportProfile.from_toml_text(text, source="no_scale.toml")
    extract = pa.load_extract(DATA / "rcb_balance.xlsx", profile=profile)
    assert extract.loans["loan_id"].tolist() == ["RCB0001", "RCB0005"]
    assert extract.rejected[["row", "column", "value"]].values.tolist() == [
        [5, "classification", "逾期"], [6, "classification", "呆滞"],
        [7, "classification", "呆账"]]
    lines = ('[values.classification]\n'
             '"逾期" = "…"  # normal/special_mention/substandard/doubtful/loss\n'
             '"呆滞" = "…"  # normal/special_mention/substandard/doubtful/loss\n'
             '"呆账" = "…"  # normal/special_mention/substandard/doubtful/loss')
    assert extract.rejected["reason"].iloc[1] == (
        "「呆滞」是四级分类(一逾两呆:正常/逾期/呆滞/呆账)的取值,不是五级分类;四级如何对应五级由本行确定,"
        "请在导出配置中写明:" + lines + " / '呆滞' is on the four-tier scale (一逾两呆), not a"
        " five-tier class; the bank decides the mapping: add the [values.classification] lines"
        " above to the export profile")


def test_a_derivation_whose_file_column_is_absent_names_it():
    profile = pa.ExportProfile.from_toml_text(
        '[profile]\nname = "余额表"\n[headers.loans]\n"机构代码" = "branch"\n'
        '[derive.loans]\noverdue_days = { negative_of = "剩余天数" }\n', source="x.toml")
    data = "贷款账号,客户编号,机构代码,五级分类,余额\n1,P1,0101,正常,5\n".encode()
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(data, filename="m.csv", profile=profile)
    assert err.value.message == (
        "导出配置「余额表」第 6 行要求由「剩余天数」列生成 overdue_days(negative_of),但文件 m.csv"
        " 没有这一列。读到的表头:「贷款账号」、「客户编号」、「机构代码」、「五级分类」、「余额」。"
        " / export profile '余额表' line 6 builds overdue_days from the column '剩余天数'"
        " (negative_of), which file m.csv does not have. Headers found: 「贷款账号」、「客户编号」、"
        "「机构代码」、「五级分类」、「余额」.")


def test_days_since_without_an_extract_date_asks_for_one():
    profile = pa.ExportProfile.from_toml_text(
        '[derive.loans]\noverdue_days = { days_since = "最小欠息日" }\n', source="d.toml")
    data = "借据号,客户号,经营机构,五级分类,余额,最小欠息日\n1,P1,城关,正常,5,2026-01-01\n".encode()
    with pytest.raises(pa.ExtractError, match="需要数据日期") as err:
        pa.load_extract(data, filename="m.csv", profile=profile)
    assert err.value.problem == "no_as_of"
    loaded = pa.load_extract(data, filename="m.csv", profile=profile, as_of="2026-01-31")
    assert loaded.loans["overdue_days"].tolist() == [30]


def test_profile_values_win_over_the_builtin_vocabulary():
    # Built in, 个体工商户 is an individual (个体); this bank books them as corporate
    # customers, and 已诉 is its yes for litigation.
    profile = pa.ExportProfile.from_toml_text(
        '[values.customer_type]\n"个体工商户" = "corporate"\n[values.litigation]\n"已诉" = true\n',
        source="v.toml")
    data = ("借据号,客户号,经营机构,五级分类,余额,担保方式,客户类型,是否诉讼\n"
            "1,P1,城关,正常,5,保证,个体工商户,已诉\n2,P2,城关,正常,5,保证,个人,否\n").encode()
    extract = pa.load_extract(data, filename="v.csv", profile=profile)
    assert extract.loans[["customer_type", "litigation"]].values.tolist() == [
        ["corporate", True], ["individual", False]]
    plain = pa.load_extract(data, filename="v.csv")
    assert plain.loans[["customer_type", "litigation"]].values.tolist() == [
        ["individual", False], ["individual", False]]
    assert plain.issues.loc[plain.issues["severity"] == "warning", "value"].tolist() == ["已诉"]


def test_profile_header_wins_over_the_builtin_alias():
    profile = pa.ExportProfile.from_toml_text('[headers.loans]\n"余额" = "collateral_value"\n'
                                              '"核心余额" = "balance"\n', source="w.toml")
    data = "借据号,客户号,经营机构,五级分类,余额,核心余额\n1,P1,城关,正常,5,7\n".encode()
    extract = pa.load_extract(data, filename="w.csv", profile=profile)
    assert extract.loans[["balance", "collateral_value"]].values.tolist() == [[7.0, 5.0]]


# ----------------------------------------------------------------------------- no loans sheet

REQUIRED = ("借据号(loan_id)、客户号(borrower_id)、经营机构(branch)、贷款余额(balance)、"
            "五级分类(classification)")
SUMMARY_ZH = ("这是汇总报表(按类别统计的户数、笔数、金额、占比),不是逐笔贷款明细;"
              "请从信贷系统导出借据明细(每笔贷款一行)")
SUMMARY_EN = ("this is a summary report (counts and sums by category), not loan-level data:"
              " export the loan-level detail (借据明细) instead")


def test_no_loans_sheet_names_each_sheet_its_header_row_and_missing_columns():
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / "branch_loan_data.xlsx")
    found = (f"「不良结构」第 1 行表头:贷款类别、户数、笔数、金额、占比,缺少必填列 {REQUIRED},"
             f"{SUMMARY_ZH} / {SUMMARY_EN}; 「贷款数据」第 1 行表头:借据编号、客户代码、客户名称、"
             "经营机构、风险分类、贷款本金（千元）、担保类型、主客户经理、欠息天数、到期日,"
             "缺少必填列 贷款余额(balance)")
    assert err.value.message == (
        "文件 branch_loan_data.xlsx 中找不到贷款台账工作表。工作表应命名为「贷款台账」「借据明细」或"
        f" loans,或至少包含必填列 {REQUIRED}。找到的工作表及表头:{found}"
        " / No loans sheet in branch_loan_data.xlsx: name it 贷款台账, 借据明细 or loans, or give"
        f" it the required columns. Sheets and headers found: {found}")


def test_the_best_candidate_header_row_is_named_not_a_title_or_blank_row():
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / "rcb_balance.xlsx")
    assert ("「贷款余额表」第 3 行表头:借据号、证件号码、户名、开户机构、贷款形态、核心余额、借款日期、"
            "到期日期、最小欠息日、担保人证件号码、还款期限,缺少必填列 客户号(borrower_id)、经营机构(branch)、"
            "贷款余额(balance)、五级分类(classification)") in err.value.message


def test_a_csv_summary_report_is_called_one_with_the_advice():
    data = "\n\n类别,户数,笔数,金额,占比\n次级,1,1,300,30%\n".encode()
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(data, filename="npl.csv")
    message = err.value.message
    found = ("「类别」、「户数」、「笔数」、「金额」、「占比」(在前 4 行中没有找到表头行 / no header row found in"
             " the first 4 rows searched)(以上是最接近表头的第 3 行 / the closest is row 3)")
    assert f"读到的表头:{found}。{SUMMARY_ZH}。" in message
    assert message.endswith(f"Headers found: {found}. {SUMMARY_EN}.")


def test_a_ledger_with_counts_and_a_loan_id_is_not_a_summary_report():
    from postloan_audit.ingest.loader import is_summary_report
    assert is_summary_report(["类别", "户数", "金额"], set()) is True
    assert is_summary_report(["类别", "户数"], set()) is False  # one such header is not enough
    assert is_summary_report(["借据号", "户数", "金额"], {"loan_id"}) is False


def test_no_loans_sheet_with_a_profile_counts_its_headers_and_derivations():
    profile = pa.ExportProfile.from_toml_text(
        '[headers.loans]\n"开户机构" = "branch"\n"贷款形态" = "classification"\n'
        '[derive.loans]\nborrower_id = { copy = "id_number" }\n', source="partial.toml")
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / "rcb_balance.xlsx", profile=profile)
    # Only 核心余额 is still unknown: the profile's headers and its copy of 证件号码 count.
    assert ("「贷款余额表」第 3 行表头:借据号、证件号码、户名、开户机构、贷款形态、核心余额、借款日期、"
            "到期日期、最小欠息日、担保人证件号码、还款期限,缺少必填列 贷款余额(balance)") in err.value.message
