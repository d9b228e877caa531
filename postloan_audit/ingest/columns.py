"""Canonical columns and units (列与单位): a sheet's mapped columns from text to typed values.

After the header is found (:mod:`~postloan_audit.ingest.header`) and the rows set aside
(:mod:`~postloan_audit.ingest.rows`), each mapped column is:

- turned into clean text (:func:`as_text`: whitespace, control characters, empty strings);
- checked for Excel error values and uncalculated formulas (:func:`cell_errors`: an optional
  column's cell becomes empty with a warning, a required column's row is rejected);
- given its unit (:func:`resolve_units`: the header's own unit, else the title's unit line for
  amounts; a unit the column cannot take is refused);
- parsed by its kind (:func:`parse_columns`, one column per thread, with
  :mod:`~postloan_audit.ingest.parsing`): amounts in yuan, dates, whole numbers, flags, codes;
  a duration in days or years becomes months (:func:`duration_months`).

Unparseable values of optional columns are warnings here; required columns' are row
rejections (:func:`postloan_audit.ingest.rows.row_rules`).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.ingest import parsing
from postloan_audit.ingest.sheets import RawSheet
from postloan_audit.ingest.tally import Tally, issue
from postloan_audit.ingest.threads import map_columns

#: Optional columns whose values, when the column is there, must be present and readable: a
#: blank or unknown guarantee is rejected, never guessed (an absent column is a warning).
REQUIRED_WHEN_PRESENT: dict[str, tuple[str, ...]] = {"loans": ("guarantee_type",)}

#: How a value of each column kind is named in messages (Chinese, English).
KIND_LABEL = {
    "id": ("编号", "id"), "text": ("文本", "text"), "amount": ("金额", "amount"),
    "date": ("日期", "date"), "int": ("整数", "whole number"), "bool": ("是否标志", "yes/no flag"),
    "classification": ("五级分类", "classification"), "guarantee": ("担保方式", "guarantee type"),
    "vocab": ("代码", "code"), "period": ("报告期次", "reporting period"),
}

#: What a value of a kind should look like, appended to a rejection's reason.
HINTS = {
    "classification": ",应为 正常/关注/次级/可疑/损失、代码 1–5 或子级(如 正常一级、关注3)",
    "guarantee": ",应为 信用/保证/抵押/质押 或其组合(如 抵押+保证)",
    "amount": ",应为数字金额(如 1,234.56)",
    "id": "",
    "period": ",应为 2026Q1、2026年一季度、2026-03、2026年3月、2026H1、2026年上半年 或 2026年度",
}


def as_text(column: pd.Series, controls: np.ndarray | None = None,
            plain: bool = False) -> pd.Series:
    """One sheet column → clean text; empty cells → NaN. Dates keep ISO text. ``plain``: the
    reader found no cell to clean in the column."""
    if plain and column.dtype == "str":
        return column
    return parsing.clean_text(column, controls)


def resolve_units(sheet: schema.Sheet, headers: list, mapping: dict[str, list[int]],
                  units: dict[int, str | None], titles: list[str], raw: RawSheet,
                  source_name: str, tally: Tally) -> dict[int, str | None]:
    """Each mapped column's unit: its own, else the title's unit line for amounts."""
    title_unit = None
    for title in titles:
        match = schema.TITLE_UNIT_RE.search(unicodedata.normalize("NFKC", title))
        if match:
            title_unit = schema.UNIT_SPELLINGS[match.group(1)]
            break
    out = dict(units)
    for name, positions in mapping.items():
        col = sheet.column_index[name]
        pos = positions[0]
        own = units.get(pos)
        allowed = (tuple(schema.AMOUNT_UNITS) if col.kind == "amount"
                   else schema.UNITS_BY_COLUMN.get(name, ()))
        if own is not None and col.kind in ("amount", "int") and own not in allowed:
            raise ExtractError.from_facts(
                Problem.BAD_UNIT, "column", source_name=source_name, sheet=raw.name,
                is_text=raw.is_text, column=name, zh_column=col.zh, header=headers[pos],
                unit=own, allowed=allowed)
        if col.kind != "amount" or title_unit is None:
            continue
        if own is None:
            out[pos] = title_unit
            if title_unit != "元":
                tally.note(
                    "info", raw.name, None, name, title_unit,
                    f"列「{headers[pos]}」没有标注单位,按标题行的“单位:{title_unit}”读取"
                    f" / column '{headers[pos]}' has no unit of its own; the title's unit"
                    f" line ({title_unit}) applies")
        elif own != title_unit:
            tally.note(
                "warning", raw.name, None, name, own,
                f"列「{headers[pos]}」的单位({own})与标题行的单位({title_unit})不一致,"
                f"按列自身的单位({own})读取 / column '{headers[pos]}' says {own}, the title"
                f" says {title_unit}; the column's own unit is used")
    return out


def cell_errors(sheet: schema.Sheet, data: pd.DataFrame, mapping: dict[str, list[int]],
                headers: list, sheet_name: str, rows: np.ndarray, tally: Tally
                ) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Excel error values (#N/A …) and uncalculated formulas in the mapped columns.

    Optional columns: the value becomes empty, with a warning (one per cell for errors, one
    per column with a count for formulas). Required columns: returned for rejection.
    """
    errors = set(schema.EXCEL_ERRORS) | {schema.FORMULA_NOT_CALCULATED}
    out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for name, positions in mapping.items():
        col = sheet.column_index[name]
        for pos in positions[:1] if name != "overdue_days" else positions:
            if pos not in data.columns:
                continue
            column = data[pos]
            candidate = column.str.startswith("#").fillna(False).to_numpy(dtype=bool)
            if not candidate.any():
                continue
            hit = np.zeros(len(column), dtype=bool)
            hit[candidate] = column[candidate].str.upper().isin(errors).to_numpy(dtype=bool)
            if not hit.any():
                continue
            values = column[hit].tolist()
            formula = np.asarray([v == schema.FORMULA_NOT_CALCULATED for v in values])
            if col.required:
                reasons = np.where(
                    formula,
                    f"公式未计算(列 {col.zh}):请在 Excel 中打开并保存该文件后重新上传"
                    f" / formula not calculated in {name}: open and save the file in Excel",
                    np.asarray([f"单元格为 Excel 错误值 {v}(列 {col.zh})"
                                f" / Excel error value {v} in {name}" for v in values],
                               dtype=object))
                full = np.full(len(column), "", dtype=object)
                full[hit] = reasons
                shown = np.full(len(column), "", dtype=object)
                shown[hit] = values
                out[name] = (hit, full, shown)
            else:
                for row_no, value in zip(rows[hit][~formula], np.asarray(values)[~formula],
                                         strict=True):
                    tally.note(
                        "warning", sheet_name, int(row_no), name, value,
                        f"单元格为 Excel 错误值 {value},按空值处理(列 {col.zh})"
                        f" / Excel error value {value} in {name}, treated as empty")
                if formula.any():
                    tally.note(
                        "warning", sheet_name, None, name, None,
                        f"列「{headers[pos]}」有 {int(formula.sum())} 个公式未计算(公式未计算,"
                        f"文件由程序生成且未在 Excel 中打开过),按空值处理:请在 Excel 中打开并保存该文件"
                        f" / {int(formula.sum())} formulas not calculated in {name}, treated"
                        f" as empty: open and save the file in Excel")
            data = data.copy() if data is not None else data
            data[pos] = column.mask(hit)
    return data, out


def parse_columns(sheet: schema.Sheet, data: pd.DataFrame, mapping: dict[str, list[int]],
                  units: dict[int, str | None], sheet_name: str, rows: np.ndarray,
                  tally: Tally) -> tuple[pd.DataFrame, dict[str, tuple[pd.Series, pd.Series | None]]]:
    """Parse every mapped column; return the canonical frame and the problem masks.

    ``data`` is consumed: each text column is dropped from it once the last canonical
    column reading it is parsed, and a column's raw text is kept (in the problems) only
    when a row rule or a warning needs it (required columns, or a cell that did not
    parse), so the text and the parsed frame are not held side by side in full.
    """
    out: dict[str, pd.Series] = {}
    # column -> (invalid, raw text or None when nothing needs it)
    problems: dict[str, tuple[pd.Series, pd.Series | None]] = {}
    needs_raw = {c.name for c in sheet.columns if c.required} | set(
        REQUIRED_WHEN_PRESENT.get(sheet.name, ()))
    parsed = [c for c in sheet.columns if c.name in mapping]
    last_use = {p: i for i, c in enumerate(parsed) for p in mapping[c.name]}

    def done(i: int, col) -> None:
        for p in mapping[col.name]:
            if last_use.get(p) == i and p in data.columns:
                del data[p]
        invalid, raw = problems[col.name]
        if col.name not in needs_raw and not invalid.any():
            problems[col.name] = (invalid, None)

    def column_text(position) -> pd.Series:
        return data[position] if position in data.columns else pd.Series(
            np.nan, index=data.index, dtype="str")

    # Each column is parsed on its own, in threads (ingest/threads.py); its values, its
    # notes and the freeing of its text are taken in column order.
    jobs = ((col, mapping[col.name], column_text(mapping[col.name][0]),
             [data[extra] for extra in mapping[col.name][1:]]) for col in parsed)
    results = map_columns(lambda job: parse_column(*job, units, sheet_name), jobs)
    for i, (col, (values, invalid, raw, notes)) in enumerate(
            zip(parsed, results, strict=True)):
        out.update(values)
        tally.issues.extend(notes)
        problems[col.name] = (invalid, raw)
        done(i, col)
    frame = pd.DataFrame(out, copy=False)  # the parsed columns are new: no copy
    for name, (invalid, raw) in problems.items():
        col = sheet.column_index[name]
        if col.required or name in REQUIRED_WHEN_PRESENT.get(sheet.name, ()) \
                or not invalid.any():
            continue
        bad = invalid.to_numpy(dtype=bool)
        label = KIND_LABEL.get(col.kind.split(":")[0], ("值", "value"))
        for row_no, value in zip(rows[bad], raw[bad].tolist(), strict=True):
            tally.note(
                "warning", sheet_name, int(row_no), name, value,
                f"无法识别的{label[0]}「{value}」,按空值处理(列 {col.zh})"
                f" / unparseable {label[1]} '{value}' in {name}, treated as empty")
    return frame, problems


def parse_column(col: schema.Column, positions: list[int], raw: pd.Series, extras: list[pd.Series],
                 units: dict[int, str | None], sheet_name: str
                 ) -> tuple[dict[str, pd.Series], pd.Series, pd.Series, list[dict]]:
    """One mapped column's text → ``(values, invalid, raw, notes)``.

    ``values`` maps canonical column names to their parsed Series (a guarantee column also
    gives ``secured``, a duration in days also ``extension_days``); ``raw`` is the text
    that the warnings quote; ``notes`` are the issues to record. Reads nothing but its
    arguments, so that columns can be parsed in threads.
    """
    kind = col.kind
    notes: list[dict] = []
    values: dict[str, pd.Series] = {}
    if kind in ("id",):
        parsed, invalid = parsing.parse_ids(raw)
    elif kind == "currency":
        parsed, invalid = parsing.parse_currency(raw)
    elif kind == "text":
        parsed, invalid = raw, pd.Series(False, index=raw.index)
    elif kind == "amount":
        factor = schema.AMOUNT_UNITS.get(units.get(positions[0]) or "元", 1.0)
        parsed, invalid = parsing.parse_amounts(raw, factor)
        if factor != 1.0:
            notes.append(issue(
                "info", sheet_name, None, col.name, units.get(positions[0]),
                f"列 {col.zh} 的单位为{units.get(positions[0])},已换算为元"
                f" / {col.name} converted from {units.get(positions[0])} to yuan"))
    elif kind == "date":
        parsed, invalid = parsing.parse_dates(raw)
    elif kind == "int" and units.get(positions[0]) in ("天", "年") and (
            col.name == "extension_months"):
        parsed, invalid = duration_months(col, raw, units.get(positions[0]),
                                                sheet_name, values, notes)
    elif kind == "int":
        parsed, invalid = parsing.parse_ints(raw)
        for extra in extras:  # 逾期天数 vs 欠息天数: the larger counts
            other, other_invalid = parsing.parse_ints(extra)
            parsed = np.maximum(parsed, other)
            invalid = invalid | other_invalid
            raw = raw.where(~other_invalid, extra)
    elif kind == "bool":
        parsed, invalid = parsing.parse_bools(raw)
    elif kind == "classification":
        parsed, invalid = parsing.parse_classification(raw)
    elif kind == "guarantee":
        parsed, invalid, secured = parsing.parse_guarantee(raw)
        values[col.name] = parsed
        values["secured"] = secured
        return values, invalid, raw, notes
    elif kind == "period":
        parsed, invalid = parsing.parse_periods(raw)
    elif kind.startswith("vocab:"):
        parsed, invalid = parsing.parse_vocabulary(raw, kind.split(":", 1)[1])
    else:  # pragma: no cover - schema and parser kinds are declared together
        raise AssertionError(f"unknown column kind {kind}")
    values[col.name] = parsed
    return values, invalid, raw, notes


def duration_months(col: schema.Column, raw: pd.Series, unit: str, sheet_name: str,
                    out: dict[str, pd.Series], notes: list[dict]) -> tuple[pd.Series, pd.Series]:
    """A duration column in days or years → whole months (days also carried exactly)."""
    if unit == "天":
        days, invalid = parsing.parse_ints(raw)
        out["extension_days"] = days
        months = np.rint(days.to_numpy() / schema.DAYS_PER_MONTH).astype("int64")
        months = np.where((days.to_numpy() > 0) & (months == 0), 1, months)
        notes.append(issue(
            "info", sheet_name, None, col.name, unit,
            f"列 {col.zh} 的单位为天:原天数保留在 extension_days,按每月"
            f" {schema.DAYS_PER_MONTH} 天折合为整月(不足一个月计 1 个月)"
            f" / {col.name} is in days: the days are kept in extension_days and converted to"
            f" whole months at {schema.DAYS_PER_MONTH} days a month (at least 1)"))
        return pd.Series(months, index=raw.index), invalid
    years, invalid = parsing.parse_amounts(raw)
    months = years * 12
    bad = invalid | (months < 0) | (months.notna() & (months != np.floor(months)))
    notes.append(issue(
        "info", sheet_name, None, col.name, unit,
        f"列 {col.zh} 的单位为年,已换算为月(× 12) / {col.name} converted from years to months"))
    return months.where(~bad).fillna(0).astype("int64"), bad


def guarantee_note(sheet: schema.Sheet, frame: pd.DataFrame, sheet_name: str,
                   tally: Tally) -> None:
    """Warn that a loans sheet without a guarantee type leaves rules unrun and quotas unmet."""
    if sheet.name == "loans" and "secured" not in frame.columns:
        tally.note(
            "warning", sheet_name, None, "guarantee_type", None,
            "文件没有担保方式(guarantee_type)列:需要担保方式的检查规则列为未执行,督导抽样无法按"
            "保证/抵质押配额抽取。若文件有担保信息,请在导出配置中写明,如 [headers.loans]"
            " \"担保方式列名\" = \"guarantee_type\",或 [derive.loans] secured = { nonblank ="
            " \"担保人证件号码\" }"
            " / no guarantee_type column: the rules that need it are not run and sampling"
            " cannot meet the secured quota; map it in the export profile ([headers.loans] or"
            " [derive.loans] secured = { nonblank = ... })")


def currency_note(loans: pd.DataFrame, tally: Tally) -> None:
    """Mark and count loans not in CNY: their amounts are in their own currency."""
    if "currency" not in loans:
        return
    foreign = (loans["currency"].notna() & (loans["currency"] != schema.HOME_CURRENCY)).to_numpy()
    loans["foreign_currency"] = foreign
    if not foreign.any():
        return
    counts = loans.loc[foreign, "currency"].value_counts()
    listed = "、".join(f"{code} {n} 笔" for code, n in counts.items())
    listed_en = ", ".join(f"{code} {n}" for code, n in counts.items())
    tally.note(
        "warning", None, None, "currency", None,
        f"{int(foreign.sum())} 笔贷款的币种不是人民币({listed}):金额按原币读取,未折算为人民币元,"
        f"已在 foreign_currency 列标记;按元汇总时请先折算或剔除"
        f" / {int(foreign.sum())} loans are not in CNY ({listed_en}): their amounts are in"
        f" their own currency, not converted to yuan, and marked in foreign_currency")
