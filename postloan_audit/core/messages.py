"""The messages of the package's errors, rendered from their facts (错误信息目录).

An :class:`~postloan_audit.core.errors.ExtractError` carries *why* (a :class:`Problem`), a
``cause`` naming the exact situation, and the facts (file, sheet, headers, missing columns,
unit …) in ``details``; its message is rendered here, once, Chinese first and English after,
so that a raise site passes facts, and a door (the command line, a page) that wants a shorter
message renders it from the same facts (:func:`short_missing_columns`), never by cutting the
long one apart. :data:`CAUSES` lists the causes of each problem; ``docs/extract-format.md``
("Problems") explains each problem to users.

Dates typed by a user have their own message (:func:`date_message`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any


class Problem(StrEnum):
    """Why a file cannot be read as an extract (``ExtractError.problem``).

    A member compares equal to its value (``Problem.EMPTY == "empty"``), so code that tested
    the old free strings keeps working. ``docs/extract-format.md`` documents each one.
    """

    #: The file holds no bytes, or only white space.
    EMPTY = "empty"
    #: Not a workbook or text the readers understand, damaged, or in no known encoding.
    UNREADABLE = "unreadable"
    #: A password-protected (encrypted) workbook.
    ENCRYPTED = "encrypted"
    #: Too many cells, too large an archive member or table to read safely.
    TOO_LARGE = "too_large"
    #: No sheet is a loan ledger (by name or by columns).
    NO_LOANS_SHEET = "no_loans_sheet"
    #: The loans sheet lacks required columns (``details["missing"]``).
    MISSING_COLUMNS = "missing_columns"
    #: The loans sheet has a header row but no data rows.
    NO_DATA_ROWS = "no_data_rows"
    #: A header carries a unit its column cannot take (展期期限（万元）).
    BAD_UNIT = "bad_unit"
    #: A profile computes days to the extract date, and no date is known.
    NO_AS_OF = "no_as_of"
    #: A returned workbook lacks one of its sheets.
    MISSING_SHEET = "missing_sheet"
    #: A Parquet store's manifest is missing or not one this version reads.
    STORE_MANIFEST = "store_manifest"
    #: A Parquet store's file is missing or changed.
    STORE_FILE = "store_file"
    #: A Parquet store's file holds other columns than its manifest says.
    STORE_COLUMNS = "store_columns"
    #: A Parquet store's file holds another number of rows than its manifest says.
    STORE_ROWS = "store_rows"
    #: The directory a Parquet store is to be written to cannot take it.
    STORE_TARGET = "store_target"


#: The formats the loader reads, for messages.
SUPPORTED_FORMATS_ZH = ".xlsx、.xlsm、.xls(含网页/XML 格式)、.csv、.txt、.tsv"
SUPPORTED_FORMATS_EN = ".xlsx, .xlsm, .xls (incl. HTML/XML exports), .csv, .txt, .tsv"
#: How a date may be written, for messages.
DATE_FORMS_ZH = "2026-09-30、2026/9/30、2026年9月30日 或 20260930"
DATE_FORMS_EN = "2026-09-30, 2026/9/30, 2026年9月30日 or 20260930"
#: The advice given for a summary report offered as a ledger (Chinese, English).
SUMMARY_REPORT_ADVICE_ZH = ("这是汇总报表(按类别统计的户数、笔数、金额、占比),不是逐笔贷款明细;"
                            "请从信贷系统导出借据明细(每笔贷款一行)")
SUMMARY_REPORT_ADVICE_EN = ("this is a summary report (counts and sums by category), not"
                            " loan-level data: export the loan-level detail (借据明细) instead")
SUMMARY_REPORT_ADVICE = f"{SUMMARY_REPORT_ADVICE_ZH} / {SUMMARY_REPORT_ADVICE_EN}"
#: Headers shown per sheet in a "no loans sheet" message.
PREVIEW_HEADERS = 20
#: Accepted headers shown per missing column in a short message (the rest behind
#: ``--verbose`` or an expander).
CLOSEST_HEADERS = 3


def date_message(value: Any, what: tuple[str, str]) -> str:
    """A value given as ``what`` (Chinese, English) is not a date."""
    return (f"{what[0]}无效:{value!r},应为日期,如 {DATE_FORMS_ZH}"
            f" / invalid {what[1]} {value!r}: expected a date such as {DATE_FORMS_EN}")


def where(file: str, sheet: str | None, is_text: bool) -> tuple[str, str]:
    """Where a problem is, as a message's subject: the file of a text export, the sheet of a
    workbook (Chinese, English)."""
    if is_text:
        return f"文件 {file} ", f"file {file}"
    return f"文件 {file} 的工作表「{sheet}」", f"sheet '{sheet}' of {file}"


def _columns(canonical_sheet: str, columns: list[str]) -> str:
    """``借据号(loan_id)、客户号(borrower_id)`` for canonical columns of a sheet."""
    from postloan_audit.core import schema

    sheet = schema.SHEETS[canonical_sheet]
    return "、".join(f"{sheet.column_index[c].zh}({c})" for c in columns)


# =========================================================================== one per problem


def _empty(cause: str, *, file: str, sheet: str | None = None, **_: Any) -> str:
    match cause:
        case "file":
            return (f"文件 {file} 是空文件,没有任何内容。请重新从信贷系统导出贷款台账。"
                    f" / The file {file} is empty. Please export the loan ledger again.")
        case "text":
            return f"文件 {file} 是空文件,没有任何内容。 / The file {file} is empty."
        case "template":
            return f"文件 {file} 是空文件 / the file {file} is empty"
        case "workpaper_sheet":
            return f"工作底稿 {file} 的「{sheet}」工作表是空的。 / Sheet {sheet!r} of {file} is empty."
    raise KeyError(cause)


def _unreadable(cause: str, *, file: str, error: str = "", suffix: str = "",
                encoding: str = "", damaged: str = "", **_: Any) -> str:
    match cause:
        case "not_found":
            return f"找不到文件 {file}。请检查路径。 / File not found: {file}."
        case "os_error":
            return (f"无法读取文件 {file}(文件可能正被其他程序打开、没有读取权限或已被移走)。"
                    f" / Cannot read file {file}: {error}.")
        case "not_a_workbook":
            return (f"文件 {file} 的扩展名是 {suffix},但内容不是 Excel 工作簿(可能已损坏或只是改了扩展名)。"
                    f"请在 Excel 中打开后另存为 .xlsx,或直接上传 CSV。"
                    f" / {file} has the extension {suffix} but is not an Excel workbook (damaged,"
                    f" or renamed). Open it in Excel and save as .xlsx, or upload a CSV.")
        case "unsupported":
            return (f"文件 {file} 不是支持的格式(支持 {SUPPORTED_FORMATS_ZH})。"
                    f" / {file} is not a supported file type ({SUPPORTED_FORMATS_EN}).")
        case "workbook":
            return (f"无法打开 Excel 文件 {file}(文件可能已损坏、加密或不是 Excel 格式)。"
                    f"请在 Excel 中打开并另存为 .xlsx 后重试。"
                    f" / Cannot open the workbook {file} (damaged, encrypted or not Excel):"
                    f" {error}. Open it in Excel, save as .xlsx and try again.")
        case "returned_workbook":
            return (f"无法打开 Excel 文件 {file}(文件可能已损坏、加密或不是 Excel 格式)。"
                    f" / Cannot open the workbook {file} (damaged, encrypted or not Excel):"
                    f" {error}.")
        case "workpaper":
            return (f"无法打开工作底稿 {file}(文件可能已损坏或不是 Excel 格式)。"
                    f"请上传下载的 .xlsx 底稿。"
                    f" / Cannot open the workpaper {file} (damaged or not Excel): {error}.")
        case "encoding":
            return (f"无法识别文件 {file} 的字符编码(已尝试 UTF-8、GB18030 与 {encoding})。"
                    f"请另存为 UTF-8 或 GBK 编码的 CSV。 / Cannot decode {file} (tried UTF-8,"
                    f" GB18030 and {encoding}). Save it as a UTF-8 or GBK CSV.")
        case "html_without_table":
            return (f"文件 {file} 是网页(HTML)格式,但其中没有表格。请从信贷系统重新导出贷款台账。"
                    f" / {file} is an HTML page without a table. Export the loan ledger again.")
        case "xml_entities":
            return (f"文件 {file} 含有 DTD/实体声明,出于安全原因不予读取。请在 Excel 中另存为 .xlsx。"
                    f" / {file} declares a DTD or entities and is not read, for safety. Save it"
                    f" as .xlsx in Excel.")
        case "xml_damaged":
            return (f"文件 {file} 是 Excel 2003 XML 格式,但内容已损坏。"
                    f"请在 Excel 中打开并另存为 .xlsx。 / {file} is an Excel 2003 XML"
                    f" Spreadsheet but is damaged ({error}). Open it in Excel and save it as"
                    f" .xlsx.")
        case "damaged_sheet":
            return (f"文件 {file} 的工作表「{damaged}」已损坏,无法读取。请在 Excel 中打开并另存为 .xlsx。"
                    f" / {file} has a damaged sheet '{damaged}'. Open it in Excel and save it"
                    f" again as .xlsx.")
        case "damaged_part":
            return (f"文件 {file} 的部件 {damaged} 已损坏,无法读取。请在 Excel 中打开并另存为 .xlsx。"
                    f" / {file} has a damaged part {damaged}. Open it in Excel and save it"
                    f" again as .xlsx.")
    raise KeyError(cause)


def _encrypted(cause: str, *, file: str, **_: Any) -> str:
    match cause:
        case "workbook":
            return (f"文件 {file} 已加密(设置了打开密码),无法读取。请在 Excel 中输入密码打开,"
                    f"在“文件 > 信息 > 保护工作簿 > 用密码进行加密”中清除密码,再另存为不加密的 .xlsx 后上传。"
                    f" / {file} is password-protected (encrypted). Open it in Excel with the"
                    f" password, remove the password and save it as an unencrypted .xlsx.")
    raise KeyError(cause)


def _too_large(cause: str, *, file: str, sheet: str | None = None, cells: int = 0,
               used_range: str = "", rows: int = 0, columns: int = 0, part: str = "",
               **_: Any) -> str:
    match cause:
        case "sheet_cells":
            return (f"文件 {file} 的工作表「{sheet}」单元格过多({cells:,} 个,已用区域到"
                    f" {used_range}),无法安全读取。请删除多余的行和列,或分成几个文件导出。"
                    f" / Sheet '{sheet}' of {file} holds too many cells ({cells:,}) to read"
                    f" safely. Delete the unused rows and columns, or export it in several"
                    f" files.")
        case "markup_sheet":
            return (f"文件 {file} 的工作表「{sheet}」数据区域过大,无法安全读取。请删除多余的行和列后另存为 .xlsx。"
                    f" / Sheet '{sheet}' of {file} is too large to read safely. Delete the"
                    f" unused rows and columns and save it as .xlsx.")
        case "sparse_sheet":
            return (f"文件 {file} 的工作表「{sheet}」数据区域过大({rows} 行 × {columns} 列),"
                    f"无法安全读取。请删除多余的行和列后另存。 / Sheet '{sheet}' of {file} is too"
                    f" large to read safely ({rows} rows × {columns} columns). Delete the unused"
                    f" rows and columns and save it again.")
        case "zip_bomb":
            return (f"文件 {file} 解压后体积异常(部件 {part} 超过安全上限,疑似“压缩炸弹”),为保护系统未读取。"
                    f"请在 Excel 中打开确认内容后另存为 .xlsx 再上传。 / {file} inflates beyond the"
                    f" safety limit (part {part}; a zip bomb?) and was not read. Open it in"
                    f" Excel, check it and save it again as .xlsx.")
    raise KeyError(cause)


def sheet_summary(name: str, hidden: bool, header_row: int | None, headers: list[str],
                  missing: list[str], summary_report: bool) -> str:
    """One sheet of a "no loans sheet" message: its best candidate header row, the required
    loan columns it lacks, and whether it is a summary report (the facts of
    :func:`postloan_audit.ingest.sheets.sheet_facts`)."""
    shown = "(隐藏 / hidden)" if hidden else ""
    if header_row is None:
        return f"「{name}」{shown}:空工作表 / empty sheet"
    text = (f"「{name}」{shown}第 {header_row} 行表头:" + "、".join(headers[:PREVIEW_HEADERS])
            + (" …" if len(headers) > PREVIEW_HEADERS else ""))
    if missing:
        text += ",缺少必填列 " + _columns("loans", missing)
    if summary_report:
        text += "," + SUMMARY_REPORT_ADVICE
    return text


def _no_loans_sheet(cause: str, *, file: str, sheet: str | None = None,
                    sheets: list = (), **_: Any) -> str:
    match cause:
        case "workbook":
            found = "; ".join(sheet_summary(**facts) for facts in sheets) \
                or "(无工作表 / no sheets)"
            return (f"文件 {file} 中找不到贷款台账工作表。工作表应命名为「贷款台账」「借据明细」或 loans,"
                    f"或至少包含必填列 {_columns('loans', _required('loans'))}。"
                    f"找到的工作表及表头:{found} / No loans sheet in {file}: name it 贷款台账,"
                    f" 借据明细 or loans, or give it the required columns. Sheets and headers"
                    f" found: {found}")
        case "template":
            return (f"文件 {file} 中没有找到表头行,无法生成导出配置模板"
                    f" / no header row found in {file}")
        case "workpaper_sheet":
            return (f"工作底稿 {file} 中没有「{sheet}」工作表(现有:{'、'.join(sheets)})。"
                    f"请上传本系统下载的底稿。 / The workpaper {file} has no sheet {sheet!r}"
                    f" (found: {', '.join(sheets)}).")
    raise KeyError(cause)


def _required(canonical_sheet: str) -> list[str]:
    from postloan_audit.core import schema

    return list(schema.SHEETS[canonical_sheet].required)


def _missing_columns(cause: str, *, file: str, sheet: str | None = None,
                     canonical_sheet: str = "loans", missing: list[str] = (),
                     headers: list[str] = (), is_text: bool = False,
                     searched: int | None = None, header_row: int | None = None,
                     summary_report: bool = False, profile: str = "", line: int | None = None,
                     target: str = "", argument: str = "", form: str = "", **_: Any) -> str:
    from postloan_audit.core import schema

    zh, en = where(file, sheet, is_text)
    found = "、".join(f"「{h}」" for h in headers if str(h).strip()) or "(无 / none)"
    at = f"第 {line} 行" if line else ""
    at_en = f" line {line}" if line else ""
    match cause:
        case "required":
            if searched is not None:
                found += (f"(在前 {searched} 行中没有找到表头行 / no header row found in the"
                          f" first {searched} rows searched)(以上是最接近表头的第 {header_row} 行"
                          f" / the closest is row {header_row})")
            elif header_row is not None:
                found += f"(表头在第 {header_row} 行 / header row {header_row})"
            advice = advice_en = ""
            if summary_report:
                advice = SUMMARY_REPORT_ADVICE_ZH + "。"
                advice_en = " " + SUMMARY_REPORT_ADVICE_EN + "."
            columns = schema.SHEETS[canonical_sheet].column_index
            wanted = ";".join(
                f"{columns[c].zh}({c}),可用列名 / accepted: "
                + "、".join(schema.accepted_headers(canonical_sheet, c)) for c in missing)
            return (f"{zh}缺少必填列:{wanted}。读到的表头:{found}。{advice}"
                    f"请在导出模板中加上这些列,把列名改为可识别的名称,或在导出配置中写明(见 docs/export-profiles.md)。"
                    f" / {en} is missing required column(s) {', '.join(missing)}. Headers found:"
                    f" {found}.{advice_en}")
        case "profile_copy":
            return (f"导出配置「{profile}」{at}要求 {target} 复制自 {argument},但{zh}没有"
                    f" {argument} 列。请在 [headers.{canonical_sheet}] 中写明哪一列是 {argument}。"
                    f" / export profile '{profile}'{at_en} copies {target} from {argument}, but"
                    f" {en} has no {argument} column; map it in [headers.{canonical_sheet}].")
        case "profile_column":
            return (f"导出配置「{profile}」{at}要求由「{argument}」列生成 {target}({form}),"
                    f"但{zh}没有这一列。读到的表头:{found}。 / export profile '{profile}'{at_en}"
                    f" builds {target} from the column '{argument}' ({form}), which {en} does"
                    f" not have. Headers found: {found}.")
    raise KeyError(cause)


def _no_data_rows(cause: str, *, file: str, sheet: str | None = None, is_text: bool = False,
                  header_row: int = 1, **_: Any) -> str:
    zh, en = where(file, sheet, is_text)
    match cause:
        case "loans":
            return (f"{zh}只有表头,没有数据行(表头在第 {header_row} 行)。请确认导出时选择了数据范围。"
                    f" / {en} has a header row (row {header_row}) but no data rows.")
    raise KeyError(cause)


def _bad_unit(cause: str, *, file: str, sheet: str | None = None, is_text: bool = False,
              column: str = "", zh_column: str = "", header: str = "", unit: str = "",
              allowed: tuple[str, ...] = (), **_: Any) -> str:
    zh, en = where(file, sheet, is_text)
    match cause:
        case "column":
            return (f"{zh}的列「{header}」({zh_column})标注的单位「{unit}」不适用于该列"
                    f"(可用单位:{'、'.join(allowed) or '无'})。请改正表头后重试。"
                    f" / {en}: column '{header}' ({column}) carries the unit '{unit}', which it"
                    f" cannot take (allowed: {', '.join(allowed) or 'none'}).")
    raise KeyError(cause)


def _no_as_of(cause: str, *, profile: str = "", target: str = "", argument: str = "",
              **_: Any) -> str:
    match cause:
        case "days_since":
            return (f"导出配置「{profile}」由「{argument}」计算 {target},需要数据日期,"
                    f"但文件标题和文件名中都没有日期。请指定数据日期(命令行 --as-of YYYY-MM-DD)。"
                    f" / export profile '{profile}' computes {target} from '{argument}' and"
                    f" needs the extract date, which neither a title row nor the file name"
                    f" gives: pass as_of (--as-of YYYY-MM-DD).")
    raise KeyError(cause)


def _missing_sheet(cause: str, *, file: str, missing: list[str] = (), **_: Any) -> str:
    match cause:
        case "returned":
            return (f"文件 {file} 缺少工作表「{'」「'.join(missing)}」,请上传由本系统导出并填写的工作簿。"
                    f" / {file} lacks the sheet(s) {', '.join(missing)}: upload the workbook"
                    f" this system exported, filled in.")
    raise KeyError(cause)


def _store_manifest(cause: str, *, file: str, manifest: str = "", error: str = "",
                    store_format: str = "", **_: Any) -> str:
    match cause:
        case "unreadable":
            return (f"目录 {file} 不是有效的 Parquet 数据集(清单 {manifest} 无法读取)。"
                    f"请用 postloan-audit convert 重新生成。 / {file} is not a valid Parquet store"
                    f" ({manifest} unreadable: {error}); write it again with postloan-audit"
                    f" convert.")
        case "format":
            return (f"目录 {file} 的清单格式不是 {store_format},无法读取。请用 postloan-audit convert "
                    f"重新生成。 / The manifest of {file} is not {store_format}; write the store"
                    f" again with postloan-audit convert.")
    raise KeyError(cause)


def _store_file(cause: str, *, file: str, frame: str = "", error: str = "", **_: Any) -> str:
    match cause:
        case "unreadable":
            return (f"Parquet 数据集 {file} 的 {frame} 文件无法读取。请用 postloan-audit "
                    f"convert 重新生成。 / The {frame} files of the Parquet store {file} cannot be"
                    f" read: {error}; write the store again with postloan-audit convert.")
    raise KeyError(cause)


def _store_rows(cause: str, *, file: str, frame: str = "", expected: int = 0, read: int = 0,
                **_: Any) -> str:
    match cause:
        case "rows":
            return (f"Parquet 数据集 {file} 的 {frame} 应有 {expected} 行,读到 {read} 行;"
                    f"文件不完整,请重新生成。 / The Parquet store {file} should hold {expected}"
                    f" {frame} rows but {read} were read; write it again.")
    raise KeyError(cause)


def _store_target(cause: str, *, file: str, **_: Any) -> str:
    match cause:
        case "target":
            return (f"目录 {file} 已有其他文件,不能写入 Parquet 数据集;请指定一个空目录。 / "
                    f"The directory {file} holds other files; choose an empty directory for the"
                    " Parquet store.")
    raise KeyError(cause)


def _store_columns(cause: str, *, sheet: str | None = None, piece: int = 0,
                   differ: list[str] = (), **_: Any) -> str:
    match cause:
        case "columns":
            return (f"第 {piece} 部分的 {sheet} 列与第 1 部分不同,不能写入同一 Parquet 数据集。 / "
                    f"Piece {piece} has other {sheet} columns than piece 1: {differ}")
    raise KeyError(cause)


#: The causes of each problem (the situations a raise site names).
CAUSES: dict[Problem, tuple[str, ...]] = {
    Problem.EMPTY: ("file", "text", "template", "workpaper_sheet"),
    Problem.UNREADABLE: ("not_found", "os_error", "not_a_workbook", "unsupported", "workbook",
                         "returned_workbook", "workpaper", "encoding", "html_without_table",
                         "xml_entities", "xml_damaged", "damaged_sheet", "damaged_part"),
    Problem.ENCRYPTED: ("workbook",),
    Problem.TOO_LARGE: ("sheet_cells", "markup_sheet", "sparse_sheet", "zip_bomb"),
    Problem.NO_LOANS_SHEET: ("workbook", "template", "workpaper_sheet"),
    Problem.MISSING_COLUMNS: ("required", "profile_copy", "profile_column"),
    Problem.NO_DATA_ROWS: ("loans",),
    Problem.BAD_UNIT: ("column",),
    Problem.NO_AS_OF: ("days_since",),
    Problem.MISSING_SHEET: ("returned",),
    Problem.STORE_MANIFEST: ("unreadable", "format"),
    Problem.STORE_FILE: ("unreadable",),
    Problem.STORE_COLUMNS: ("columns",),
    Problem.STORE_ROWS: ("rows",),
    Problem.STORE_TARGET: ("target",),
}

#: The renderer of each problem: ``renderer(cause, file=..., sheet=..., **facts)``.
CATALOGUE: dict[Problem, Callable[..., str]] = {
    Problem.EMPTY: _empty,
    Problem.UNREADABLE: _unreadable,
    Problem.ENCRYPTED: _encrypted,
    Problem.TOO_LARGE: _too_large,
    Problem.NO_LOANS_SHEET: _no_loans_sheet,
    Problem.MISSING_COLUMNS: _missing_columns,
    Problem.NO_DATA_ROWS: _no_data_rows,
    Problem.BAD_UNIT: _bad_unit,
    Problem.NO_AS_OF: _no_as_of,
    Problem.MISSING_SHEET: _missing_sheet,
    Problem.STORE_MANIFEST: _store_manifest,
    Problem.STORE_FILE: _store_file,
    Problem.STORE_COLUMNS: _store_columns,
    Problem.STORE_ROWS: _store_rows,
    Problem.STORE_TARGET: _store_target,
}


def extract_message(problem: Problem | str, cause: str, *, file: str | None,
                    sheet: str | None = None, **facts: Any) -> str:
    """The bilingual message of an extract problem from its facts.

    >>> extract_message(Problem.EMPTY, "text", file="台账.csv")
    '文件 台账.csv 是空文件,没有任何内容。 / The file 台账.csv is empty.'
    """
    return CATALOGUE[Problem(problem)](cause, file=file, sheet=sheet, **facts)


def short_missing_columns(details: Mapping[str, Any], *, file: str | None, sheet: str | None,
                          more: str, more_en: str) -> str | None:
    """A missing-columns message with only the :data:`CLOSEST_HEADERS` accepted headers
    closest to the headers found, ending with ``more`` / ``more_en`` (where the full list of
    aliases is); None when ``details`` are not those of missing columns of a known sheet."""
    import difflib

    from postloan_audit.core import schema

    missing = details.get("missing")
    cause = details.get("cause")
    if not missing or cause is None:
        return None
    found = [h for h in details.get("headers", []) if str(h).strip()]
    canonical = next((s for s in schema.SHEETS.values()
                      if all(c in s.column_index for c in missing)), None)
    if canonical is None:
        return None
    if cause == "required":
        subject = where(file, sheet, bool(details.get("is_text")))[0]
    else:  # an export profile's derivation: its whole message leads
        subject = extract_message(Problem.MISSING_COLUMNS, cause, file=file, sheet=sheet,
                                  **{k: v for k, v in details.items() if k != "cause"})
    parts = []
    for column in missing:
        accepted = schema.accepted_headers(canonical.name, column)
        close: list[str] = []
        for header in found:
            close += difflib.get_close_matches(str(header), accepted, n=CLOSEST_HEADERS,
                                               cutoff=0.3)
        shown = list(dict.fromkeys(close + [canonical.column_index[column].zh]))[:CLOSEST_HEADERS]
        parts.append(f"{canonical.column_index[column].zh}({column}),可用列名如 / accepted e.g. "
                     + "、".join(f"「{h}」" for h in shown))
    headers = "、".join(f"「{h}」" for h in found) or "(无 / none)"
    return (f"{subject}缺少必填列:{';'.join(parts)}。读到的表头:{headers}。请把列名改为可识别的名称;"
            f"{more}。 / Missing required column(s) {', '.join(missing)}; {more_en}.")


def toml_where(exc: Exception) -> str:
    """``(第 2 行第 10 列)`` from a TOML parser's ``(at line 2, column 10)``, or ``""``: the
    place of a TOML error in a Chinese sentence (the parser's English text goes after the
    ``/``)."""
    match = re.search(r"at line (\d+), column (\d+)", str(exc))
    return f"(第 {match.group(1)} 行第 {match.group(2)} 列)" if match else ""
