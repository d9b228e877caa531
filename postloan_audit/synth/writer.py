"""Writing a network the way a bank's credit system exports a ledger: :func:`write_extract`.

xlsx (Chinese or canonical headers and values, an optional title row and 合计 row, the sheets
asked for, the borrower's file among them) or CSV (loans only, GBK by default). Workbooks go through
:mod:`postloan_audit.core.workbooks` with fixed zip timestamps, so the same arguments give the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from postloan_audit.core.dates import period_span
from postloan_audit.core.schema import (
    APPRAISER_ZH,
    COLLATERAL_TYPE_ZH,
    COLLECTION_METHOD_ZH,
    CUSTOMER_TYPE_ZH,
    GUARANTOR_TYPE_ZH,
    INSPECTION_TYPE_ZH,
    LIST_TYPE_ZH,
    LOAN_COLUMNS,
    MANAGEMENT_MODE_ZH,
    PAYMENT_METHOD_ZH,
    PERIOD_TYPE_ZH,
    REPAYMENT_METHOD_ZH,
    SHEETS,
)
from postloan_audit.synth.frames import SyntheticNetwork

Target = str | PathLike | IO[bytes]

#: Header texts a bank's export uses where they differ from :attr:`schema.Column.zh` (the
#: loader knows them as aliases).
_HEADERS_ZH: dict[tuple[str, str], str] = {("inspections", "report_date"): "报告完成日期"}
#: Value words of the borrower's file's sheets as a credit system writes them (the schema's
#: words, which the loader's vocabularies know): 住房/厂房…, 内部评估/外部评估, 企业/个人/担保公司,
#: 季报/半年报/年报, 监控名单/重点监测/退出/压缩/限制.
_SHEET_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "collateral": {"collateral_type": COLLATERAL_TYPE_ZH, "appraiser": APPRAISER_ZH},
    "guarantees": {"guarantor_type": GUARANTOR_TYPE_ZH},
    "financials": {"period_type": PERIOD_TYPE_ZH},
    "lists": {"list_type": LIST_TYPE_ZH},
}
_QUARTERS_ZH = ("一", "二", "三", "四")


def _period_words(values: pd.Series) -> pd.Series:
    """Canonical report periods as a ledger writes them: ``2026年一季度``, ``2026年3月``,
    ``2026年上半年``, ``2026年度`` (each distinct period spelt once)."""
    codes, uniques = pd.factorize(values)
    words = []
    for period in uniques:
        start, _, shape = period_span(str(period))
        if shape == "month":
            words.append(f"{start.year}年{start.month}月")
        elif shape == "quarter":
            words.append(f"{start.year}年{_QUARTERS_ZH[(start.month - 1) // 3]}季度")
        elif shape == "half":
            words.append(f"{start.year}年{'上' if start.month == 1 else '下'}半年")
        else:
            words.append(f"{start.year}年度")
    table = np.array([*words, None], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object)


def _display_frame(net: SyntheticNetwork, sheet: str, headers: str, fmt: str
                   ) -> tuple[pd.DataFrame, list[str]]:
    """The sheet as a bank export shows it: column order, header texts and value words."""
    if sheet == "loans":
        frame = net.loans[[c.name for c in LOAN_COLUMNS]].copy()
        columns = LOAN_COLUMNS
    else:
        frame = getattr(net, sheet).copy()
        columns = SHEETS[sheet].columns
    zh = headers == "zh"
    titles = [(f"{c.zh}(元)" if c.kind == "amount" else _HEADERS_ZH.get((sheet, c.name), c.zh)) if zh
              else c.name for c in columns]
    if zh:
        words = {"customer_type": CUSTOMER_TYPE_ZH, "management_mode": MANAGEMENT_MODE_ZH,
                 "repayment_method": REPAYMENT_METHOD_ZH, "payment_method": PAYMENT_METHOD_ZH,
                 "last_collection_method": COLLECTION_METHOD_ZH,
                 "inspection_type": INSPECTION_TYPE_ZH}
        words.update(_SHEET_WORDS.get(sheet, {}))
        if sheet == "collections":
            words = {"method": COLLECTION_METHOD_ZH}
        for name, mapping in words.items():
            if name in frame:
                frame[name] = frame[name].map(mapping)
        if sheet == "loans":
            frame["classification"] = net.labels["classification"].to_numpy(object)
            frame["guarantee_type"] = net.labels["guarantee"].to_numpy(object)
    elif sheet == "loans":
        frame["classification"] = frame["classification"].astype(object)
    for col in columns:
        values = frame[col.name]
        if col.kind == "bool":
            yes, no = ("是", "否") if zh else ("Y", "N")
            frame[col.name] = np.where(values.to_numpy(bool), yes, no)
        elif col.kind == "date":
            arr = values.to_numpy("datetime64[D]")
            if fmt == "csv":
                text = np.datetime_as_string(arr, unit="D").astype(object)
                text[np.isnat(arr)] = None
                frame[col.name] = text
            else:
                frame[col.name] = _as_date_objects(arr)
        elif col.kind == "period" and zh:
            frame[col.name] = _period_words(values)
        elif col.kind in ("id", "text", "period") or col.kind.startswith("vocab"):
            frame[col.name] = values.astype(object).where(values.notna(), None)
    frame.columns = [c.name for c in columns]
    return frame, titles


def _as_date_objects(arr: np.ndarray) -> np.ndarray:
    out = np.full(len(arr), None, dtype=object)
    ok = ~np.isnat(arr)
    out[ok] = arr[ok].astype(dt.date)
    return out


def _sheet_title(net: SyntheticNetwork, headers: str) -> str:
    names = net.branches["branch"].tolist()
    who = names[0] if len(names) == 1 else f"{net.county}辖内{len(names)}家支行"
    if headers == "zh":
        return f"{who}贷款台账 截至{net.as_of.year}年{net.as_of.month}月{net.as_of.day}日"
    return f"Loan ledger as of {net.as_of:%Y-%m-%d}"


def write_extract(network: SyntheticNetwork, target: Target, *, format: str | None = None,
                  headers: str = "zh", title: str | bool | None = None, total_row: bool = False,
                  encoding: str = "gbk",
                  sheets: Sequence[str] = ("loans", "inspections", "collections")) -> None:
    """Write ``network`` the way a bank's credit system exports a ledger.

    Parameters
    ----------
    target:
        A path or a binary buffer.
    format:
        ``"xlsx"`` or ``"csv"``; default from the file suffix (xlsx for buffers).
    headers:
        ``"zh"``: Chinese headers (:attr:`schema.Column.zh`, amounts as ``贷款余额(元)``) and
        Chinese values (正常/关注…, sub-grades such as 正常一级, 抵押+保证, 对公/个人, 是/否,
        现场/非现场, report periods 2026年一季度/2026年3月/2026年上半年/2026年度 …) and the
        report date headed 报告完成日期; ``"en"``: canonical names and values.
    title:
        A title row above the header of the loans sheet, e.g. "城关支行贷款台账
        截至2026年9月30日"; ``True`` builds that text, a string is used as given.
    total_row:
        Append a 合计 row with the balance sum to the loans sheet.
    encoding:
        CSV encoding (GBK by default, as Chinese core systems export).
    sheets:
        Sheets to write (xlsx): any of ``loans``, ``inspections``, ``collections``,
        ``branches`` and the borrower's file, ``collateral`` (押品), ``guarantees`` (保证),
        ``financials`` (财务报表), ``external`` (外部信息), ``lists`` (名单). A CSV file holds only
        ``loans``.

    The same arguments give the same bytes (fixed zip timestamps, no wall-clock data).
    """
    if headers not in ("zh", "en"):
        raise ValueError(f"headers 只能为 zh 或 en / headers must be 'zh' or 'en', got {headers!r}")
    fmt = format or (Path(target).suffix.lower().lstrip(".")
                     if isinstance(target, str | PathLike) else "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"不支持的格式 {fmt!r}(仅 xlsx/csv)/ unsupported format {fmt!r}")
    unknown = [s for s in sheets if s not in SHEETS or (s != "loans"
                                                        and getattr(network, s) is None)]
    if unknown or "loans" not in sheets:
        raise ValueError(f"工作表须包含 loans,且只能为 {list(SHEETS)} / "
                         f"sheets must include 'loans' and be among {list(SHEETS)}: {list(sheets)}")
    title_text = _sheet_title(network, headers) if title is True else (title or None)
    if fmt == "csv":
        _write_csv(network, target, headers=headers, title=title_text, total_row=total_row,
                   encoding=encoding)
    else:
        _write_xlsx(network, target, headers=headers, title=title_text, total_row=total_row,
                    sheets=sheets)


def _total_row(frame: pd.DataFrame, headers: str) -> list[Any]:
    row: list[Any] = [None] * frame.shape[1]
    row[0] = "合计" if headers == "zh" else "合计 Total"
    row[list(frame.columns).index("balance")] = round(float(frame["balance"].sum()), 2)
    return row


def _write_csv(net: SyntheticNetwork, target: Target, *, headers: str, title: str | None,
               total_row: bool, encoding: str) -> None:
    frame, titles = _display_frame(net, "loans", headers, "csv")
    buffer = io.StringIO()
    if title:
        buffer.write(title + "\n")
    out = frame.copy()
    out.columns = titles
    out.to_csv(buffer, index=False, lineterminator="\n", float_format="%.2f")
    if total_row:
        row = _total_row(frame, headers)
        buffer.write(",".join("" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
                              for v in row) + "\n")
    data = buffer.getvalue().encode(encoding)
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)


def _write_xlsx(net: SyntheticNetwork, target: Target, *, headers: str, title: str | None,
                total_row: bool, sheets: Sequence[str]) -> None:
    from postloan_audit.core.workbooks import append_table, new_write_only_workbook, save_workbook

    wb = new_write_only_workbook()
    for sheet in sheets:
        frame, titles = _display_frame(net, sheet, headers, "xlsx")
        ws = wb.create_sheet(SHEETS[sheet].zh if headers == "zh" else sheet)
        extra = [_total_row(frame, headers)] if total_row and sheet == "loans" else []
        append_table(ws, frame, headers=titles,
                     title=title if sheet == "loans" else None, trailing_rows=extra)
    save_workbook(wb, target, deterministic=True)

