"""Workpapers of a statistical sample (统计抽样工作底稿): written, filled in, read back.

Two tests are offered to users (:data:`TESTS`):

* ``control`` (控制测试, attribute sampling): items drawn with equal probability; the
  workpaper has a column 是否偏差 (是/否) and a remark column;
* ``classification`` (五级分类准确性, monetary-unit sampling of the loans reported as
  performing, normal or special mention): the workpaper asks for 应划为不良的余额 (the part of
  the balance that should have been NPL, 0 when correctly classified). The audited value is the
  balance less that amount, so the misstatement is the balance misclassified below NPL.

The sheet names and headers are a data contract with the user's filled file: the reader finds
columns by their titles and names the row of every bad cell. Both sheets print through
:class:`~postloan_audit.core.workbooks.PrintSetup` (a page header naming the test, the branch,
the seed and the data file; page numbers); the sample table ends with a sign-off block
(检查人 / 复核人 / 日期), which the reader leaves out: the table ends at its first blank row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.errors import SamplingError, WorkpaperError
from postloan_audit.core.schema import CLASSIFICATION_ZH, NPL_CLASSES
from postloan_audit.core.workbooks import (
    PrintSetup,
    Target,
    new_workbook,
    save_workbook,
    write_key_values,
    write_table,
)
from postloan_audit.ingest.workpapers import read_workpaper_sheet
from postloan_audit.statistical._common import check_count, check_seed
from postloan_audit.statistical.mus import MUS_METHOD_ZH, STRATUM_ZH, MUSPlan, MUSSample

#: The tests a user can choose (选择测试).
TESTS: dict[str, str] = {
    "control": "控制测试(属性抽样):检查某项控制是否执行,如贷后检查报告是否附最新财务资料",
    "classification": "五级分类准确性(货币单元抽样):检查应划为不良而未划为不良的贷款余额",
}
SAMPLE_SHEET = "样本"
PARAMETER_SHEET = "参数"
#: Headers of the sample sheet (the filled file is read by these titles).
H_LOAN_ID = "借据号"
H_BOOK = "账面余额(元)"
H_DEVIATION = "是否偏差(是/否)"
H_REMARK = "检查说明"
H_MISCLASSIFIED = "应划为不良的余额(元)"
YES = ("是", "y", "yes", "1", "true", "偏差")
NO = ("否", "n", "no", "0", "false", "无")

_COMMON = [("loan_id", H_LOAN_ID), ("borrower_name", "客户名称"), ("branch", "经营机构"),
           ("classification", "五级分类")]


def performing_loans(loans: pd.DataFrame) -> pd.DataFrame:
    """Loans reported as performing (正常、关注): the population of the classification test."""
    return loans[~loans["classification"].astype(object).isin(NPL_CLASSES)
                 & loans["classification"].notna()]


def draw_control_items(loans: pd.DataFrame, n: int, *, seed: int) -> pd.DataFrame:
    """Draw ``n`` loans with equal probability, without replacement, for a control test.

    Loans are sorted by ``loan_id`` first (row order never matters) and a permutation comes from
    ``numpy.random.default_rng(seed)``; the result is in ``loan_id`` order.
    """
    n = check_count("n", "样本量", n, minimum=1)
    seed = check_seed(seed)
    if n > len(loans):
        raise SamplingError(
            f"样本量 {n} 大于总体 {len(loans)} 笔;请对总体全部检查或调整方案。"
            f" / n = {n} exceeds the population of {len(loans)} loans.")
    ordered = loans.sort_values("loan_id", kind="stable").reset_index(drop=True)
    chosen = np.sort(np.random.default_rng(seed).permutation(len(ordered))[:n])
    return ordered.iloc[chosen].reset_index(drop=True)


def _base_columns(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for col, title in _COMMON:
        if col in frame.columns:
            values = frame[col]
            if col == "classification":
                values = values.astype(object).map(CLASSIFICATION_ZH)
            out[title] = values.astype(object).to_numpy()
    return out


def control_workpaper_table(items: pd.DataFrame) -> pd.DataFrame:
    """The sample sheet of a control test: one row per item, 是否偏差 left blank."""
    table = _base_columns(items)
    if "balance" in items.columns:
        table[H_BOOK] = items["balance"].to_numpy(np.float64)
    table[H_DEVIATION] = None
    table[H_REMARK] = None
    return table.reset_index(drop=True)


def mus_workpaper_table(sample: MUSSample) -> pd.DataFrame:
    """The sample sheet of the classification test: 应划为不良的余额 left blank."""
    loans = sample.loans
    table = _base_columns(loans)
    table[H_BOOK] = loans["book_value"].to_numpy(np.float64)
    table["抽样层"] = loans["stratum"].map(STRATUM_ZH).to_numpy()
    table["选中单元数"] = loans["hits"].to_numpy(np.int64)
    table[H_MISCLASSIFIED] = None
    table[H_REMARK] = None
    return table.reset_index(drop=True)


#: The sign-off block under the sample table.
SIGN_OFF: tuple[str, ...] = ("检查人", "复核人", "日期")
#: Widths of the columns filled in: room to write by hand.
FILLED_WIDTHS: dict[str, float] = {H_DEVIATION: 10.0, H_MISCLASSIFIED: 14.0, H_REMARK: 24.0}


def _write(title: str, table: pd.DataFrame, parameters: list[tuple[str, Any]],
           target: Target) -> None:
    """The two sheets, printed with a page header from the parameters (随机种子, 数据文件) and
    the items' branch."""
    given = dict(parameters)
    branches = (sorted(set(table["经营机构"].dropna().astype("str")))
                if "经营机构" in table.columns else [])
    details = [f"经营机构:{branches[0]}" if len(branches) == 1 else
               f"经营机构:{len(branches)}个" if branches else "",
               f"随机种子:{given['随机种子']}" if given.get("随机种子") is not None else "",
               f"数据文件:{given['数据文件']}" if given.get("数据文件") else ""]
    setup = PrintSetup(title, [d for d in details if d])
    wb = new_workbook()
    ws = wb.create_sheet(SAMPLE_SHEET)
    write_table(ws, table, autofilter=True)
    setup.apply(ws, wrap=(H_REMARK,), widths=FILLED_WIDTHS, sign_off=SIGN_OFF)
    ws = wb.create_sheet(PARAMETER_SHEET)
    write_key_values(ws, parameters)
    setup.apply(ws)
    save_workbook(wb, target)


def write_control_workpaper(items: pd.DataFrame, target: Target, *,
                            parameters: Sequence[tuple[str, Any]]) -> None:
    """Write the control-test workpaper (控制测试工作底稿): sheets 样本 and 参数."""
    _write("控制测试工作底稿", control_workpaper_table(items), list(parameters), target)


def mus_parameters(sample: MUSSample, plan: MUSPlan | None = None) -> list[tuple[str, Any]]:
    """The provenance rows of the 参数 sheet."""
    rows: list[tuple[str, Any]] = [("测试", TESTS["classification"])]
    if plan is not None:
        rows += [("可信赖程度", f"{plan.confidence:.1%}"),
                 ("可容忍错报(元)", round(plan.tolerable_amount, 2)),
                 ("预计错报(元)", round(plan.expected_amount, 2))]
    rows += [
        ("选样方法", MUS_METHOD_ZH[sample.method]), ("随机种子", sample.seed),
        ("样本量(货币单元)", sample.n), ("选样间距(元)", round(sample.interval, 2)),
        ("总体金额(元)", round(sample.population_value, 2)),
        ("总体笔数", sample.population_loans), ("剔除笔数", len(sample.excluded)),
        ("总体指纹", sample.population_fingerprint),
        ("数据文件", sample.source_name or ""), ("文件指纹", sample.source_fingerprint or ""),
        ("软件版本", sample.version), ("抽样时间", sample.created_at),
        ("填写说明", f"请在「{H_MISCLASSIFIED}」列填写每笔贷款应划为不良的余额(元),分类正确填 0;"
                     "不要增删行或改动借据号。"),
    ]
    return rows


def write_mus_workpaper(sample: MUSSample, target: Target, *, plan: MUSPlan | None = None) -> None:
    """Write the classification-test workpaper (五级分类准确性工作底稿): 样本 and 参数."""
    _write("五级分类准确性工作底稿", mus_workpaper_table(sample), mus_parameters(sample, plan),
           target)


def _sample_sheet(source: Any, filename: str | None, needed: Sequence[str]) -> pd.DataFrame:
    sheet = read_workpaper_sheet(source, SAMPLE_SHEET, filename=filename)
    missing = [c for c in needed if c not in sheet.columns]
    if missing:
        raise WorkpaperError(
            f"工作底稿「{SAMPLE_SHEET}」表缺少列:{'、'.join(missing)}。请使用本系统下载的底稿,不要改动表头。"
            f" / The {SAMPLE_SHEET} sheet lacks column(s): {', '.join(missing)}; use the downloaded"
            f" workpaper without changing its headers.")
    # The table ends at its first blank row, or at the first row without a 借据号 (a column
    # filled down past the table): the sign-off block below it holds no sample item.
    ids = sheet[H_LOAN_ID].astype("string").str.strip()
    ended = (sheet["row"].diff().fillna(1).ne(1) | ids.isna() | ids.eq("")).to_numpy(bool)
    sheet = sheet.loc[~np.maximum.accumulate(ended)].reset_index(drop=True)
    sheet[H_LOAN_ID] = sheet[H_LOAN_ID].astype(str).str.strip()
    return sheet


def _rows(sheet: pd.DataFrame, mask: pd.Series, sep: str = "、") -> str:
    return sep.join(str(r) for r in sheet.loc[mask, "row"].head(10))


def read_control_workpaper(source: Any, *, filename: str | None = None,
                           expected_ids: Sequence[str] | None = None) -> tuple[int, int]:
    """Read a filled control-test workpaper; return ``(n, deviations)``.

    Every row needs 是 or 否 in 是否偏差; a blank or other answer is reported with its row.
    """
    sheet = _sample_sheet(source, filename, [H_LOAN_ID, H_DEVIATION])
    answer = sheet[H_DEVIATION].astype("string").str.strip().str.lower()
    yes = answer.isin(YES)
    no = answer.isin(NO)
    bad = ~(yes | no)
    if bad.any():
        raise WorkpaperError(
            f"「{H_DEVIATION}」列须填写“是”或“否”,第 {_rows(sheet, bad)} 行未填或无法识别。"
            f" / Column {H_DEVIATION} must be 是 or 否; rows {_rows(sheet, bad, ', ')} are blank or unclear.")
    _check_ids(sheet, expected_ids)
    return len(sheet), int(yes.sum())


def _check_ids(sheet: pd.DataFrame, expected_ids: Sequence[str] | None) -> None:
    if expected_ids is None:
        return
    expected = set(map(str, expected_ids))
    found = set(sheet[H_LOAN_ID])
    if found != expected:
        lost = sorted(expected - found)[:10]
        extra = sorted(found - expected)[:10]
        raise WorkpaperError(
            f"回传底稿的借据号与样本不一致:缺少 {'、'.join(lost) or '无'},多出 {'、'.join(extra) or '无'}。"
            f"请使用本次下载的底稿。 / The workpaper's loan ids differ from the sample: missing"
            f" {', '.join(lost) or 'none'}, extra {', '.join(extra) or 'none'}.")


def read_mus_workpaper(source: Any, sample: MUSSample, *,
                       filename: str | None = None) -> pd.DataFrame:
    """Read a filled classification-test workpaper; return ``loan_id`` and ``audited_value``.

    The audited value is the book value less 应划为不良的余额; that amount must be a number
    between 0 and the book value (a blank cell, text or an amount above the balance is reported
    with its row).
    """
    sheet = _sample_sheet(source, filename, [H_LOAN_ID, H_MISCLASSIFIED])
    _check_ids(sheet, sample.loans["loan_id"].astype(str).tolist())
    if sheet[H_LOAN_ID].duplicated().any():
        dup = sheet[H_LOAN_ID].duplicated(keep=False)
        raise WorkpaperError(f"回传底稿中借据号重复(第 {_rows(sheet, dup)} 行)。"
                          f" / Duplicate loan ids in rows {_rows(sheet, dup, ', ')}.")
    text = sheet[H_MISCLASSIFIED].astype("string").str.replace(",", "", regex=False).str.strip()
    amount = pd.to_numeric(text, errors="coerce")
    bad = amount.isna()
    if bad.any():
        raise WorkpaperError(
            f"「{H_MISCLASSIFIED}」列须填写金额(分类正确填 0),第 {_rows(sheet, bad)} 行未填或不是数字。"
            f" / Column {H_MISCLASSIFIED} needs an amount (0 when correct); rows"
            f" {_rows(sheet, bad, ', ')} are blank or not numbers.")
    book = sheet[H_LOAN_ID].map(dict(zip(sample.loans["loan_id"].astype(str),
                                         sample.loans["book_value"], strict=True)))
    out_of_range = (amount < 0) | (amount > book + 0.005)
    if out_of_range.any():
        raise WorkpaperError(
            f"「{H_MISCLASSIFIED}」须在 0 与账面余额之间,第 {_rows(sheet, out_of_range)} 行超出范围。"
            f" / Column {H_MISCLASSIFIED} must lie between 0 and the book value; rows"
            f" {_rows(sheet, out_of_range, ', ')} do not.")
    return pd.DataFrame({"loan_id": sheet[H_LOAN_ID].to_numpy(),
                         "audited_value": (book - amount).round(2).to_numpy(np.float64)})


def items_fingerprint(items: pd.DataFrame) -> str:
    """sha256 of the drawn items' loan ids (provenance of a control-test sample)."""
    return hashlib.sha256("\x1f".join(items["loan_id"].astype(str)).encode("utf-8")).hexdigest()
