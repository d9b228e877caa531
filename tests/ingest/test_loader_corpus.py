"""The bad-input corpus (tests/data/): the exact outcome of each messy or broken file."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

import postloan_audit as pa
from postloan_audit.core.errors import DateError

DATA = Path(__file__).parents[1] / "data"
CLASS_HINT = ",应为 正常/关注/次级/可疑/损失、代码 1–5 或子级(如 正常一级、关注3)"


def load(name: str) -> pa.Extract:
    extract = pa.load_extract(DATA / name)
    assert_accounting(extract)
    return extract


def assert_accounting(extract: pa.Extract) -> None:
    acc = extract.accounting
    assert (acc["rows_read"] == acc["kept"] + acc["rejected"] + acc["summary_rows"]).all()
    loans = acc.set_index("sheet").loc["loans"]
    assert loans["kept"] == len(extract.loans)
    assert loans["rejected"] == extract.rejected.loc[
        extract.rejected["sheet"] == loans["source_sheet"], "row"].nunique()


def rejected(extract: pa.Extract) -> list[tuple]:
    return list(extract.rejected[["row", "column", "value", "reason"]].itertuples(index=False,
                                                                                  name=None))


def accounting(extract: pa.Extract) -> dict:
    rec = extract.accounting.iloc[0]
    return {k: int(rec[k]) for k in ("rows_read", "kept", "rejected", "summary_rows",
                                     "blank_rows")}


# ----------------------------------------------------------------------------- file problems


def test_empty_file_is_refused_with_a_clear_message():
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / "empty.csv")
    assert str(err.value) == (
        "文件 empty.csv 是空文件,没有任何内容。请重新从信贷系统导出贷款台账。"
        " / The file empty.csv is empty. Please export the loan ledger again.")
    assert err.value.problem == "empty"


def test_text_file_renamed_xlsx_is_refused():
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / "not_a_workbook.xlsx")
    assert str(err.value) == (
        "文件 not_a_workbook.xlsx 的扩展名是 .xlsx,但内容不是 Excel 工作簿(可能已损坏或只是改了扩展名)。"
        "请在 Excel 中打开后另存为 .xlsx,或直接上传 CSV。 / not_a_workbook.xlsx has the extension"
        " .xlsx but is not an Excel workbook (damaged, or renamed). Open it in Excel and save as"
        " .xlsx, or upload a CSV.")
    assert err.value.problem == "unreadable"


def test_header_only_csv_has_no_data_rows():
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / "header_only.csv")
    assert str(err.value) == (
        "文件 header_only.csv 只有表头,没有数据行(表头在第 1 行)。请确认导出时选择了数据范围。"
        " / file header_only.csv has a header row (row 1) but no data rows.")
    assert err.value.problem == "no_data_rows"


def test_missing_required_column_names_it_its_aliases_and_the_headers_found():
    data = "借据号,客户号,客户名称,经营机构,贷款余额,担保方式\nL001,C001,张三,城关支行,1000,信用\n"
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(data.encode("utf-8"), filename="no_class.csv")
    assert str(err.value) == (
        "文件 no_class.csv 缺少必填列:五级分类(classification),可用列名 / accepted: "
        "classification、五级分类、风险分类、五级分类结果、分类结果、资产分类、十二级分类、贷款五级分类。"
        "读到的表头:「借据号」、「客户号」、「客户名称」、「经营机构」、「贷款余额」、「担保方式」"
        "(表头在第 1 行 / header row 1)。"
        "请在导出模板中加上这些列,把列名改为可识别的名称,或在导出配置中写明(见 docs/export-profiles.md)。"
        " / file no_class.csv is missing required column(s) classification."
        " Headers found: 「借据号」、「客户号」、「客户名称」、「经营机构」、「贷款余额」、「担保方式」"
        "(表头在第 1 行 / header row 1).")
    assert err.value.problem == "missing_columns"
    assert err.value.details["missing"] == ["classification"]


def test_ledger_without_guarantee_type_loads_and_says_what_it_costs():
    extract = pa.load_extract(DATA / "missing_required_column.csv")
    assert extract.loans["loan_id"].tolist() == ["L001"]
    assert "guarantee_type" not in extract.loans.columns
    assert "secured" not in extract.loans.columns
    warnings = extract.issues.loc[extract.issues["column"] == "guarantee_type", "message"]
    assert warnings.tolist() == [
        "文件没有担保方式(guarantee_type)列:需要担保方式的检查规则列为未执行,督导抽样无法按"
        "保证/抵质押配额抽取。若文件有担保信息,请在导出配置中写明,如 [headers.loans]"
        " \"担保方式列名\" = \"guarantee_type\",或 [derive.loans] secured = { nonblank ="
        " \"担保人证件号码\" }"
        " / no guarantee_type column: the rules that need it are not run and sampling"
        " cannot meet the secured quota; map it in the export profile ([headers.loans] or"
        " [derive.loans] secured = { nonblank = ... })"]


def test_workbook_without_a_loans_sheet_lists_sheets_and_headers():
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / "no_loans_sheet.xlsx")
    message = str(err.value)
    assert message.startswith("文件 no_loans_sheet.xlsx 中找不到贷款台账工作表。")
    required = "借据号(loan_id)、客户号(borrower_id)、经营机构(branch)、贷款余额(balance)、五级分类(classification)"
    assert f"「说明」第 1 行表头:本文件为检查说明,缺少必填列 {required}; " in message
    assert f"「Sheet2」第 1 行表头:姓名、电话,缺少必填列 {required} / " in message
    assert "No loans sheet in no_loans_sheet.xlsx" in message
    assert err.value.problem == "no_loans_sheet"


def test_missing_path_is_an_extract_error_not_a_traceback(tmp_path):
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(tmp_path / "nope.csv")
    assert str(err.value).startswith("找不到文件 ")


# ----------------------------------------------------------------------------- row problems


def test_duplicate_loan_ids_reject_later_rows_naming_the_first():
    extract = load("duplicate_loan_ids.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002"]
    reason = "借据号重复,与第 2 行相同 / duplicate loan_id, first seen in row 2"
    assert rejected(extract) == [(4, "loan_id", "L001", reason), (5, "loan_id", "L001", reason)]
    assert accounting(extract) == {"rows_read": 4, "kept": 2, "rejected": 2, "summary_rows": 0,
                                   "blank_rows": 0}


def test_negative_balance_is_rejected_and_zero_is_kept():
    extract = load("negative_balance.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L003"]
    assert rejected(extract) == [(3, "balance", "-500", "贷款余额为负数 / negative balance")]


def test_unknown_and_missing_classification_are_rejected_with_the_value():
    extract = load("unknown_classification.csv")
    assert extract.loans["loan_id"].tolist() == ["L001"]
    assert rejected(extract) == [
        (3, "classification", "不良",
         f"无法识别的五级分类「不良」(列 五级分类){CLASS_HINT} / unparseable classification '不良'"
         " in classification"),
        (4, "classification", "6",
         f"无法识别的五级分类「6」(列 五级分类){CLASS_HINT} / unparseable classification '6'"
         " in classification"),
        (5, "classification", "", "必填值缺失:五级分类 / required value missing: classification"),
    ]


def test_maturity_before_disbursement_is_rejected_same_day_is_kept():
    extract = load("maturity_before_disbursement.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L003"]
    assert rejected(extract) == [
        (3, "maturity_date", "2025-06-29",
         "到期日早于发放日 / maturity date before disbursement date")]


def test_unparseable_optional_dates_are_warnings_and_left_empty():
    extract = load("unparseable_dates.csv")
    assert extract.rejected.empty
    assert extract.loans["disbursement_date"].tolist()[0] == pd.Timestamp("2025-01-15")
    assert extract.loans["disbursement_date"].isna().tolist() == [False, True, True]
    assert extract.loans["maturity_date"].isna().tolist() == [False, True, False]
    warnings = extract.issues[extract.issues["severity"] == "warning"]
    assert list(warnings[["row", "column", "value"]].itertuples(index=False, name=None)) == [
        (3, "disbursement_date", "2025-02-30"),
        (4, "disbursement_date", "15/01/2025"),
        (3, "maturity_date", "明年"),
    ]
    assert warnings["message"].iloc[2] == (
        "无法识别的日期「明年」,按空值处理(列 到期日期) / unparseable date '明年' in maturity_date,"
        " treated as empty")


def test_unknown_guarantee_type_is_rejected():
    extract = load("guarantee_combinations.csv")
    assert extract.loans["guarantee_type"].tolist() == [
        "mortgage", "pledge", "credit", "guarantee", "guarantee"]
    assert extract.loans["secured"].tolist() == [True, True, False, True, True]
    assert [r[:3] for r in rejected(extract)] == [(7, "guarantee_type", "无")]


def test_booleans_in_all_spellings_and_an_unknown_flag_warned():
    extract = load("booleans.csv")
    assert extract.loans["refinanced"].tolist() == [True, False, True, False]
    assert extract.loans["restructured"].tolist() == [True, False, False, False]
    assert extract.loans["litigation"].tolist() == [True, False, False, False]
    assert extract.loans["refinanced"].dtype == bool
    warnings = extract.issues[extract.issues["severity"] == "warning"]
    assert list(warnings[["row", "column", "value"]].itertuples(index=False, name=None)) == [
        (5, "refinanced", "也许")]


# ----------------------------------------------------------------------------- layouts


def test_title_rows_above_the_header_and_as_of_from_the_title():
    extract = load("title_rows.xlsx")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002"]
    assert extract.loans["source_row"].tolist() == [4, 5]
    assert extract.as_of == dt.date(2026, 9, 30)
    assert extract.accounting.iloc[0]["source_sheet"] == "贷款台账"


def test_total_row_is_set_aside_and_reported():
    extract = load("total_row.xlsx")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002"]
    assert accounting(extract) == {"rows_read": 3, "kept": 2, "rejected": 0, "summary_rows": 1,
                                   "blank_rows": 0}
    info = extract.issues[extract.issues["row"] == 4]
    assert info["message"].tolist() == [
        "合计/小计行,已单独列出,未作为贷款读取 / summary row set aside, not read as a loan"]


def test_blank_rows_are_counted_and_row_numbers_stay_true():
    extract = load("blank_rows.xlsx")
    assert extract.loans["source_row"].tolist() == [2, 4]
    assert accounting(extract) == {"rows_read": 2, "kept": 2, "rejected": 0, "summary_rows": 0,
                                   "blank_rows": 1}


def test_wan_yuan_headers_convert_amounts_to_yuan():
    extract = load("wan_yuan.csv")
    assert extract.loans["balance"].tolist() == [125_000.0, 12_002_500.0]
    assert extract.loans["collateral_value"].tolist()[0] == 300_000.0
    assert extract.loans["collateral_value"].isna().tolist() == [False, True]


def test_gbk_csv_is_decoded():
    extract = load("gbk.csv")
    assert extract.loans["borrower_name"].tolist() == ["城关支行建材有限公司", "欧阳娜"]
    assert extract.loans["customer_type"].tolist() == ["corporate", "individual"]


def test_utf8_bom_csv_is_decoded():
    extract = load("utf8_bom.csv")
    assert extract.loans["loan_id"].tolist() == ["L001"]
    assert extract.loans["borrower_name"].tolist() == ["张三"]


def test_mixed_date_formats_all_parse_to_the_same_day():
    extract = load("mixed_dates.csv")
    assert extract.loans["disbursement_date"].tolist() == [pd.Timestamp("2026-09-30")] * 6


def test_excel_serial_dates_and_datetimes():
    extract = load("excel_serial_dates.xlsx")
    assert extract.loans["disbursement_date"].tolist() == [pd.Timestamp("2025-01-01")] * 2
    assert extract.loans["maturity_date"].tolist() == [pd.Timestamp("2026-09-30")] * 2
    assert extract.loans["classification"].tolist() == ["normal", "special_mention"]


def test_full_width_digits_and_trailing_yuan():
    extract = load("full_width_digits.csv")
    assert extract.loans["balance"].tolist() == [1234.5, 2000.0]
    assert extract.loans["overdue_days"].tolist() == [0, 15]


def test_sub_grades_codes_and_english_names_map_to_five_tiers():
    extract = load("sub_grades.csv")
    assert extract.loans["classification"].tolist() == [
        "normal", "special_mention", "substandard", "doubtful", "loss", "doubtful",
        "special_mention"]
    assert extract.loans["classification"].cat.ordered


# ----------------------------------------------------------------------------- sources


def test_bytes_and_file_like_sources_give_the_same_extract():
    data = (DATA / "gbk.csv").read_bytes()
    from_path = pa.load_extract(DATA / "gbk.csv")
    from_bytes = pa.load_extract(data, filename="gbk.csv")
    from_buffer = pa.load_extract(io.BytesIO(data), filename="gbk.csv")
    pd.testing.assert_frame_equal(from_path.loans, from_bytes.loans)
    pd.testing.assert_frame_equal(from_path.loans, from_buffer.loans)
    assert from_path.fingerprint == from_bytes.fingerprint == from_buffer.fingerprint
    assert len(from_path.fingerprint) == 64


def test_as_of_argument_wins_over_title_and_file_name():
    extract = pa.load_extract(DATA / "title_rows.xlsx", as_of="2026-06-30")
    assert extract.as_of == dt.date(2026, 6, 30)


def test_canonical_dtypes():
    extract = load("booleans.csv")
    loans = extract.loans
    assert loans["loan_id"].dtype == "str"
    assert loans["balance"].dtype == "float64"
    assert loans["source_row"].dtype == "int64"
    assert list(loans["classification"].cat.categories) == [
        "normal", "special_mention", "substandard", "doubtful", "loss"]


def test_corpus_has_at_least_fifteen_files():
    files = [p for p in DATA.iterdir() if p.suffix in {".csv", ".xlsx"}]
    assert len(files) >= 15


def test_empty_lines_in_a_csv_keep_true_row_numbers():
    text = ("借据号,客户号,经营机构,贷款余额,五级分类,担保方式\n"
            "L1,C1,城关支行,1,正常,信用\n\n"
            "L2,C2,城关支行,1,正常,信用\n   \n"
            "L3,C3,城关支行,-1,正常,信用\n")
    extract = pa.load_extract(text.encode("utf-8"), filename="gaps.csv")
    assert extract.loans["source_row"].tolist() == [2, 4]
    assert extract.rejected["row"].tolist() == [6]
    assert accounting(extract) == {"rows_read": 3, "kept": 2, "rejected": 1, "summary_rows": 0,
                                   "blank_rows": 2}


@pytest.mark.parametrize("as_of", ["2026-13-01", "2026-02-30", "9/30/2026", ""])
def test_an_impossible_as_of_is_a_date_error_before_the_file_is_read(as_of, tmp_path):
    for source in (DATA / "gbk.csv", tmp_path / "nope.csv"):  # the date is checked first
        with pytest.raises(DateError) as err:
            pa.load_extract(source, as_of=as_of)
        assert isinstance(err.value, ValueError)
        assert str(err.value) == (
            f"数据日期无效:{as_of!r},应为日期,如 2026-09-30、2026/9/30、2026年9月30日 或 20260930"
            f" / invalid data date {as_of!r}: expected a date such as 2026-09-30, 2026/9/30,"
            " 2026年9月30日 or 20260930")


@pytest.mark.parametrize("as_of", ["2026-09-30", "2026/9/30", "2026年9月30日", "20260930",
                                   dt.date(2026, 9, 30), pd.Timestamp("2026-09-30 15:00")])
def test_as_of_is_read_in_every_form_a_date_cell_takes(as_of):
    assert pa.load_extract(DATA / "gbk.csv", as_of=as_of).as_of == dt.date(2026, 9, 30)
