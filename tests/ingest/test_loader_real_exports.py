"""Files shaped like real core-system exports (tests/data/, made by make_corpus.real_exports):
the exact outcome of each — kept, rejected, set aside, the values and the message text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import postloan_audit as pa
from postloan_audit.core import schema

DATA = Path(__file__).parents[1] / "data"


def load(name: str) -> pa.Extract:
    extract = pa.load_extract(DATA / name)
    acc = extract.accounting
    assert (acc["rows_read"] == acc["kept"] + acc["rejected"] + acc["summary_rows"]).all()
    loans = acc[acc["sheet"] == "loans"]
    assert loans["kept"].sum() == len(extract.loans)
    rejected_loans = extract.rejected[extract.rejected["sheet"].isin(loans["source_sheet"])]
    assert loans["rejected"].sum() == len(rejected_loans[["sheet", "row"]].drop_duplicates())
    return extract


def counts(extract: pa.Extract) -> list[tuple]:
    return [tuple(r) for r in extract.accounting[
        ["source_sheet", "rows_read", "kept", "rejected", "summary_rows", "blank_rows"]
    ].itertuples(index=False, name=None)]


def rejected(extract: pa.Extract) -> list[tuple]:
    return list(extract.rejected[["row", "column", "value", "reason"]].itertuples(
        index=False, name=None))


def messages(extract: pa.Extract, severity: str | None = None) -> list[str]:
    issues = extract.issues
    if severity:
        issues = issues[issues["severity"] == severity]
    return issues["message"].tolist()


def refused(name: str) -> pa.ExtractError:
    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(DATA / name)
    assert "Traceback" not in str(err.value)
    return err.value


# ----------------------------------------------------------------------------- amounts and units


@pytest.mark.parametrize("header, unit", [
    ("贷款余额(万元)", "万元"), ("贷款余额（万）", "万元"), ("贷款余额(人民币万元)", "万元"),
    ("贷款余额（单位：万元）", "万元"), ("贷款余额(千元)", "千元"), ("贷款余额(亿元)", "亿元"),
    ("贷款余额(元)", "元"), ("贷款余额（人民币元）", "元"), ("贷款余额", None),
])
def test_every_header_form_of_an_amount_unit(header, unit):
    assert schema.match_header("loans", header) == ("balance", unit)


def test_units_in_headers_convert_to_yuan():
    extract = load("unit_forms.csv")
    loan = extract.loans.iloc[0]
    assert (loan["balance"], loan["collateral_value"], loan["collateral_initial_value"]) == (
        125_000.0, 30_000_000.0, 500_000.0)


def test_title_unit_line_applies_to_columns_without_a_unit_and_a_column_unit_wins():
    extract = load("unit_title_line.xlsx")
    assert extract.loans["balance"].tolist() == [125_000.0]
    assert extract.loans["collateral_value"].tolist() == [300_000.0]
    assert messages(extract, "warning") == [
        "列「押品价值(元)」的单位(元)与标题行的单位(万元)不一致,按列自身的单位(元)读取"
        " / column '押品价值(元)' says 元, the title says 万元; the column's own unit is used"]
    assert ("列「贷款余额」没有标注单位,按标题行的“单位:万元”读取 / column '贷款余额' has no unit of"
            " its own; the title's unit line (万元) applies") in messages(extract, "info")


def test_a_days_duration_is_never_read_as_months():
    extract = load("duration_days.csv")
    assert extract.loans["extension_days"].tolist() == [30, 0, 45, 365]
    assert extract.loans["extension_months"].tolist() == [1, 0, 1, 12]
    assert messages(extract, "info") == [
        "列 展期月数 的单位为天:原天数保留在 extension_days,按每月 30.4375 天折合为整月(不足一个月计 1 个月)"
        " / extension_months is in days: the days are kept in extension_days and converted to"
        " whole months at 30.4375 days a month (at least 1)"]


def test_a_years_duration_is_twelve_months_a_year():
    extract = load("duration_years.csv")
    assert extract.loans["extension_months"].tolist() == [12, 6]
    assert "extension_days" not in extract.loans


def test_a_unit_the_column_cannot_take_names_the_column():
    err = refused("duration_bad_unit.csv")
    assert str(err) == (
        "文件 duration_bad_unit.csv 的列「展期期限（万元）」(展期月数)标注的单位「万元」不适用于该列"
        "(可用单位:天、月、年)。请改正表头后重试。 / file duration_bad_unit.csv: column"
        " '展期期限（万元）' (extension_months) carries the unit '万元', which it cannot take"
        " (allowed: 天, 月, 年).")
    assert err.problem == "bad_unit"


def test_infinite_and_nan_amounts_are_rejected_and_1e5_is_kept():
    extract = load("infinite_amounts.csv")
    assert extract.loans["loan_id"].tolist() == ["L005"]
    assert extract.loans["balance"].tolist() == [100_000.0]
    hint = ",应为数字金额(如 1,234.56)"
    assert rejected(extract) == [
        (row, "balance", value, f"无法识别的金额「{value}」(列 贷款余额){hint} / unparseable amount"
                                f" '{value}' in balance")
        for row, value in [(2, "inf"), (3, "Infinity"), (4, "1e400"), (5, "nan")]]


def test_loans_not_in_cny_are_kept_marked_and_counted():
    extract = load("currencies.csv")
    assert extract.loans["currency"].tolist() == ["CNY", "USD", "CNY", "HKD", "USD"]
    assert extract.loans["foreign_currency"].tolist() == [False, True, False, True, True]
    assert messages(extract, "warning") == [
        "3 笔贷款的币种不是人民币(USD 2 笔、HKD 1 笔):金额按原币读取,未折算为人民币元,已在 foreign_currency"
        " 列标记;按元汇总时请先折算或剔除 / 3 loans are not in CNY (USD 2, HKD 1): their amounts are in"
        " their own currency, not converted to yuan, and marked in foreign_currency"]


# ----------------------------------------------------------------------------- values


def test_guarantee_whole_words_and_no_guessing_from_a_substring():
    extract = load("guarantee_words.csv")
    assert extract.loans["guarantee_type"].tolist() == ["credit"] * 5 + ["pledge"] * 3
    assert extract.loans["secured"].tolist() == [False] * 5 + [True] * 3
    assert [r[:3] for r in rejected(extract)] == [(10, "guarantee_type", "无抵押"),
                                                  (11, "guarantee_type", "其他")]


def test_excel_error_cells_and_uncalculated_formulas_in_a_workbook():
    extract = load("excel_errors.xlsx")
    assert extract.loans["loan_id"].tolist() == ["L001", "L003", "L005"]
    assert extract.loans["disbursement_date"].isna().tolist() == [False, True, False]
    assert extract.loans["collateral_value"].isna().tolist() == [False, False, True]
    assert rejected(extract) == [
        (3, "balance", "#N/A", "单元格为 Excel 错误值 #N/A(列 贷款余额) / Excel error value #N/A in"
                               " balance"),
        (5, "balance", schema.FORMULA_NOT_CALCULATED,
         "公式未计算(列 贷款余额):请在 Excel 中打开并保存该文件后重新上传 / formula not calculated in"
         " balance: open and save the file in Excel"),
    ]
    assert messages(extract, "warning") == [
        "单元格为 Excel 错误值 #DIV/0!,按空值处理(列 发放日期) / Excel error value #DIV/0! in"
        " disbursement_date, treated as empty",
        "列「押品价值」有 2 个公式未计算(公式未计算,文件由程序生成且未在 Excel 中打开过),按空值处理:请在 Excel"
        " 中打开并保存该文件 / 2 formulas not calculated in collateral_value, treated as empty:"
        " open and save the file in Excel"]
    warning = extract.issues[extract.issues["severity"] == "warning"].iloc[0]
    assert (warning["row"], warning["column"], warning["value"]) == (
        4, "disbursement_date", "#DIV/0!")


def test_excel_error_text_in_a_csv():
    extract = load("excel_errors.csv")
    assert extract.loans["loan_id"].tolist() == ["L002"]
    assert [r[:3] for r in rejected(extract)] == [(2, "balance", "#VALUE!"),
                                                  (4, "loan_id", "#NAME?")]


def test_excel_error_cells_in_a_legacy_biff_xls():
    # python-calamine reads these cells as empty; the loader finds them with xlrd. I6 (#NUM!)
    # is a formula, =SQRT(-1), whose cached result is the error; the others are error cells.
    extract = load("excel_errors_biff.xls")
    assert counts(extract) == [("贷款台账", 5, 3, 2, 0, 0)]
    assert extract.loans["loan_id"].tolist() == ["L001", "L003", "L005"]
    clean = extract.loans.iloc[0]
    assert (clean["balance"], clean["classification"], clean["collateral_value"]) == (
        1000.0, "normal", 500.0)
    assert clean["disbursement_date"] == pd.Timestamp("2025-01-15")
    assert extract.loans["disbursement_date"].isna().tolist() == [False, True, False]
    assert extract.loans["collateral_value"].isna().tolist() == [False, False, True]
    assert rejected(extract) == [
        (3, "balance", "#N/A", "单元格为 Excel 错误值 #N/A(列 贷款余额) / Excel error value #N/A in"
                               " balance"),
        (5, "classification", "#REF!", "单元格为 Excel 错误值 #REF!(列 五级分类) / Excel error value"
                                       " #REF! in classification"),
    ]
    warnings = extract.issues[extract.issues["severity"] == "warning"]
    assert [tuple(r) for r in warnings[["row", "column", "value", "message"]].itertuples(
        index=False, name=None)] == [
        (4, "disbursement_date", "#DIV/0!", "单元格为 Excel 错误值 #DIV/0!,按空值处理(列 发放日期) /"
                                            " Excel error value #DIV/0! in disbursement_date,"
                                            " treated as empty"),
        (5, "collateral_value", "#VALUE!", "单元格为 Excel 错误值 #VALUE!,按空值处理(列 押品价值) /"
                                           " Excel error value #VALUE! in collateral_value,"
                                           " treated as empty"),
        (6, "collateral_value", "#NUM!", "单元格为 Excel 错误值 #NUM!,按空值处理(列 押品价值) /"
                                         " Excel error value #NUM! in collateral_value,"
                                         " treated as empty"),
    ]


def test_a_biff_xls_that_xlrd_cannot_read_keeps_calamines_view_with_a_note(monkeypatch):
    import xlrd

    def broken(**kwargs):
        raise xlrd.XLRDError("Unsupported format, or corrupt file")

    monkeypatch.setattr(xlrd, "open_workbook", broken)
    extract = load("excel_errors_biff.xls")
    # error cells are then read as calamine gives them (empty), and the user is told so
    assert extract.loans["loan_id"].tolist() == ["L001", "L003", "L005"]
    assert rejected(extract) == [
        (3, "balance", "", "必填值缺失:贷款余额 / required value missing: balance"),
        (5, "classification", "", "必填值缺失:五级分类 / required value missing: classification")]
    assert messages(extract, "warning") == [
        "未能检查该 .xls 文件中的 Excel 错误值(#N/A、#DIV/0! 等),错误值单元格可能按空值读出;如需识别请在"
        " Excel 中另存为 .xlsx(XLRDError: Unsupported format, or corrupt file) / the Excel error"
        " cells (#N/A, #DIV/0! …) of this .xls could not be checked and may read as empty; save"
        " it as .xlsx in Excel to have them named (XLRDError: Unsupported format, or corrupt"
        " file)"]


def test_ids_damaged_by_excel_are_rejected_as_damaged_not_as_duplicates():
    extract = load("damaged_ids.xlsx")
    assert extract.loans["loan_id"].tolist() == ["1001"]
    reason = ("编号已被 Excel 损坏(科学计数法或超过 15 位的数字已丢失位数)「{0}」(列 借据号):请把该列设为文本格式后重新导出"
              " / id damaged by Excel (scientific notation or digits lost) '{0}' in loan_id:"
              " export the column as text")
    assert rejected(extract) == [
        (2, "loan_id", "1.23457E+17", reason.format("1.23457E+17")),
        (3, "loan_id", "1.234567890123457e+17", reason.format("1.234567890123457e+17")),
        (5, "loan_id", "1.23457E+17", reason.format("1.23457E+17")),
    ]


def test_excel_text_id_markers_mean_the_digits():
    assert load("quoted_ids.csv").loans["loan_id"].tolist() == ["00123", "00124"]


def test_control_characters_are_removed_and_counted(tmp_path):
    extract = load("control_characters.csv")
    assert extract.loans["borrower_name"].tolist() == ["张三", "李四"]
    assert messages(extract, "warning") == [
        "已从 2 个单元格中删除控制字符或不可见字符(如 NUL、零宽空格) / control or invisible characters"
        " (NUL, zero-width space …) removed from 2 cells"]
    # every workbook the package writes can now be written
    extract.loans.to_excel(tmp_path / "out.xlsx", engine="openpyxl")


# ----------------------------------------------------------------------------- accounting


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it():
    extract = load("unclosed_quote.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L003", "L004"]
    assert rejected(extract) == [(3, "", "", "第 3 行的引号未闭合,该行已按行尾截断 / line 3 opens a quote"
                                             " that is never closed; the field was cut at the line end")]
    assert counts(extract) == [("loans", 4, 3, 1, 0, 0)]


def test_a_field_longer_than_the_csv_limit_is_read():
    extract = load("long_field.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002"]


def test_a_bad_byte_rejects_its_line_only():
    extract = load("bad_byte.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L003"]
    assert rejected(extract) == [(3, "", "", "第 3 行含无法识别的字节(0xFF),该行内容不可信 / line 3 holds"
                                             " undecodable bytes (0xFF)")]


def test_cr_only_line_endings_are_read():
    extract = load("cr_only.csv")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002"]
    assert extract.loans["source_row"].tolist() == [2, 3]


def test_footers_sign_offs_and_a_repeated_header_are_summary_rows():
    extract = load("footers.xlsx")
    assert extract.loans["loan_id"].tolist() == ["L001", "L002", "L003"]
    assert extract.loans["source_row"].tolist() == [3, 5, 12]
    assert extract.rejected.empty
    assert counts(extract) == [("贷款台账", 13, 3, 0, 10, 1)]
    summary = "合计/小计行,已单独列出,未作为贷款读取 / summary row set aside, not read as a loan"
    signoff = ("表尾签字/落款行(制表人、复核人、打印时间、备注等),已单独列出"
               " / sign-off line below the data set aside")
    info = extract.issues[extract.issues["row"].notna()]
    assert list(zip(info["row"].tolist(), info["message"].tolist(), strict=True)) == [
        (4, summary), (6, summary), (7, summary), (8, summary), (9, summary),
        (10, "重复表头上方的标题行,已单独列出 / title row above a repeated header set aside"),
        (11, "重复的表头行(多个导出文件拼接),已单独列出 / repeated header row (exports pasted together)"
             " set aside"),
        (14, signoff), (15, signoff), (16, signoff)]


def test_every_visible_branch_sheet_is_read_into_one_loans_frame():
    extract = load("branch_sheets.xlsx")
    assert extract.loans[["loan_id", "source_sheet", "source_row"]].values.tolist() == [
        ["L001", "城关支行", 2], ["L002", "城关支行", 3], ["L003", "东街支行", 2]]
    assert counts(extract) == [("城关支行", 2, 2, 0, 0, 0), ("东街支行", 2, 1, 1, 0, 0)]
    assert rejected(extract) == [(3, "loan_id", "L001", "借据号重复,与工作表「城关支行」第 2 行相同"
                                                        " / duplicate loan_id, first seen in sheet"
                                                        " 城关支行 row 2")]
    assert extract.rejected["sheet"].tolist() == ["东街支行"]
    assert ("隐藏的工作表未读取(已有可见的同类工作表) / hidden sheet skipped: a visible sheet of the same"
            " kind was read") in messages(extract, "info")


def test_a_ledger_named_sheet_without_loan_columns_does_not_stop_the_search():
    extract = load("ledger_named_without_columns.xlsx")
    assert extract.loans["source_sheet"].tolist() == ["Sheet2"]


def test_no_loans_sheet_names_every_sheet_and_what_it_lacks():
    err = refused("ledger_named_nowhere.xlsx")
    assert err.problem == "no_loans_sheet"
    assert str(err).endswith(
        "Sheets and headers found: 「贷款台账」第 1 行表头:借据号、客户号、经营机构,缺少必填列"
        " 贷款余额(balance)、五级分类(classification); 「Sheet2」第 1 行表头:姓名、电话,缺少必填列"
        " 借据号(loan_id)、客户号(borrower_id)、经营机构(branch)、贷款余额(balance)、五级分类(classification)")


def test_two_level_header_and_a_branch_merged_down_its_rows():
    extract = load("two_level_header.xlsx")
    assert extract.loans["branch"].tolist() == ["城关支行"] * 3 + ["东街支行"]
    assert extract.loans["maturity_date"].tolist() == list(pd.to_datetime(
        ["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"]))
    assert extract.loans["source_row"].tolist() == [3, 4, 5, 6]
    assert counts(extract) == [("贷款台账", 4, 4, 0, 0, 0)]
    assert messages(extract, "info") == [
        "合并单元格 D3:D5 的值已填入合并范围内的每一行 / merged cells D3:D5: the value was filled"
        " into every row of the merge"]


def test_a_sub_header_row_without_merge_information_is_not_a_data_row():
    text = ("借据号,客户号,经营机构,贷款余额,五级分类,担保方式,期限,\n"
            ",,,,,,发放日期,到期日期\n"
            "L001,C001,城关支行,1000,正常,信用,2025-01-15,2026-01-15\n")
    extract = pa.load_extract(text.encode(), filename="two_level.csv")
    assert extract.loans["maturity_date"].tolist() == [pd.Timestamp("2026-01-15")]
    assert extract.loans["source_row"].tolist() == [3]
    assert extract.rejected.empty


def test_zero_width_characters_and_boms_in_headers_are_ignored():
    extract = load("invisible_headers.csv")
    assert extract.loans[["loan_id", "borrower_id", "borrower_name"]].values.tolist() == [
        ["L001", "C001", "张三"]]


def test_no_header_found_says_how_many_rows_were_searched():
    err = refused("no_header.csv")
    assert "(在前 2 行中没有找到表头行 / no header row found in the first 2 rows searched)" in str(err)
    assert err.problem == "missing_columns"


# ----------------------------------------------------------------------------- formats


@pytest.mark.parametrize("name, sheet", [("html_table_gbk.xls", "表1"),
                                         ("html_table_utf8.xls", "表1"),
                                         ("xml_spreadsheet_2003.xls", "贷款台账")])
def test_markup_workbooks_saved_as_xls(name, sheet):
    extract = load(name)
    assert extract.loans[["loan_id", "borrower_name", "branch", "balance", "guarantee_type"]
                         ].values.tolist() == [["L001", "张三", "城关支行", 1000.0, "credit"],
                                               ["L002", "李四", "城关支行", 2000.0, "mortgage"]]
    assert extract.loans["source_sheet"].tolist() == [sheet, sheet]


@pytest.mark.parametrize("name, loans", [("tab_separated.xls", ["L001"]),
                                         ("unicode_text.txt", ["L001", "L002"])])
def test_text_exports_saved_as_xls_or_unicode_text(name, loans):
    assert load(name).loans["loan_id"].tolist() == loans


def test_an_encrypted_workbook_is_named_as_such():
    err = refused("encrypted.xlsx")
    assert str(err) == (
        "文件 encrypted.xlsx 已加密(设置了打开密码),无法读取。请在 Excel 中输入密码打开,在“文件 > 信息 > 保护工作簿"
        " > 用密码进行加密”中清除密码,再另存为不加密的 .xlsx 后上传。 / encrypted.xlsx is"
        " password-protected (encrypted). Open it in Excel with the password, remove the"
        " password and save it as an unencrypted .xlsx.")
    assert err.problem == "encrypted"


def test_upload_widgets_accept_every_format_the_loader_reads():
    from postloan_audit.dashboard.common import UPLOAD_ACCEPT
    from postloan_audit.ingest.loader import SUPPORTED_EXTENSIONS

    assert UPLOAD_ACCEPT.split(",") == list(SUPPORTED_EXTENSIONS)


# ----------------------------------------------------------------------------- thin data


def test_an_optional_sheet_with_only_a_header_is_present_and_empty():
    extract = load("empty_collections.xlsx")
    assert extract.collections is not None
    assert len(extract.collections) == 0
    assert {"loan_id", "collection_date", "method"} <= set(extract.collections.columns)
    assert counts(extract)[1] == ("催收记录", 0, 0, 0, 0, 0)
    assert messages(extract, "info") == [
        "催收记录只有表头,没有数据行:按本期没有记录处理 / the collections sheet has a header and no"
        " data rows: read as empty"]


def test_the_overview_never_sums_foreign_currency_as_yuan():
    from postloan_audit.ingest.overview import overview_html

    page = overview_html(load("currencies.csv"))
    assert "贷款余额(人民币元;外币按原币另列)" in page
    assert "4,000.00(另有外币:HKD 4,000.00、USD 7,000.00)" in page
    assert "15,000.00" not in page
