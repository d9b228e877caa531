"""The watch-list workbook (预警名单.xlsx): :func:`write_watchlist_workbook`.

Two sheets, Chinese headers, printed A4 landscape with the title and header rows on every page
(:class:`~postloan_audit.core.workbooks.PrintSetup`, with the scan date, the file and the earlier
snapshot in the page header):

* 预警名单 — one row per borrower (:attr:`SignalReport.watchlist`), red first, the level cell
  coloured; below it the signals not run and the notes;
* 预警信号 — every signal (:attr:`SignalReport.signals`) with the borrower's name and branch.

The first row of each names the scan date, the file and its fingerprint (and the earlier
snapshot), so a printed page says where it came from.
"""

from __future__ import annotations

import pandas as pd
from openpyxl.styles import PatternFill

from postloan_audit.core.schema import LIST_TYPE_ZH
from postloan_audit.core.severity import LEVEL_ZH
from postloan_audit.core.workbooks import (
    HEADER_FONT,
    PrintSetup,
    Target,
    new_workbook,
    save_workbook,
    write_cell,
    write_table,
)
from postloan_audit.warning.catalogue import SIGNALS
from postloan_audit.warning.scan import MOVEMENT_ZH, SignalReport

SHEET_WATCHLIST = "预警名单"
SHEET_SIGNALS = "预警信号"
#: 预警名单's headers, in column order.
WATCHLIST_HEADERS: dict[str, str] = {
    "level": "预警等级", "borrower_id": "客户号", "borrower_name": "客户名称", "branch": "经营机构",
    "officer": "客户经理", "balance": "贷款余额(元)", "signal_titles": "预警信号",
    "signal_ids": "信号编号", "signal_count": "信号数", "direct_listing": "直接列入情形",
    "listed": "已列入监控或重点监测名单", "list_types": "在列名单", "movement": "较上期变动",
}
#: 预警信号's headers, in column order.
SIGNAL_HEADERS: dict[str, str] = {
    "level": "预警等级", "signal_id": "信号编号", "title": "信号名称", "borrower_id": "客户号",
    "borrower_name": "客户名称", "loan_id": "借据号", "branch": "经营机构", "message": "预警事实",
    "citation": "依据",
}
#: The level cell's colour (红/橙/黄).
LEVEL_FILLS: dict[str, PatternFill] = {
    "red": PatternFill("solid", fgColor="F8CBAD"),
    "orange": PatternFill("solid", fgColor="FCE4D6"),
    "yellow": PatternFill("solid", fgColor="FFF2CC"),
}
_YES_NO = {True: "是", False: "否"}


def _titles(ids: pd.Series) -> pd.Series:
    """Comma-joined signal ids as their Chinese titles joined by 、."""
    zh = {sid: s.title_zh for sid, s in SIGNALS.items()}
    parts = ids.fillna("").str.split(",").explode()
    return parts.map(zh).fillna("").groupby(level=0).agg("、".join).reindex(ids.index,
                                                                            fill_value="")


def _list_names(types: pd.Series) -> pd.Series:
    parts = types.fillna("").str.split(",").explode()
    return parts.map(LIST_TYPE_ZH).fillna("").groupby(level=0).agg("、".join).reindex(
        types.index, fill_value="")


def watchlist_table(report: SignalReport) -> pd.DataFrame:
    """The watch list as printed (Chinese values, :data:`WATCHLIST_HEADERS` order)."""
    w = report.watchlist.reset_index(drop=True)
    return pd.DataFrame({
        "level": w["level"].map(LEVEL_ZH),
        "borrower_id": w["borrower_id"], "borrower_name": w["borrower_name"],
        "branch": w["branch"], "officer": w["officer"], "balance": w["balance"],
        "signal_titles": _titles(w["signal_ids"]), "signal_ids": w["signal_ids"],
        "signal_count": w["signal_count"],
        "direct_listing": w["direct_listing"].map(_YES_NO),
        "listed": w["listed"].map(_YES_NO), "list_types": _list_names(w["list_types"]),
        "movement": w["movement"].map(MOVEMENT_ZH),
    })[list(WATCHLIST_HEADERS)]


def signals_table(report: SignalReport) -> pd.DataFrame:
    """The signals as printed, with each borrower's name and branch from the watch list."""
    s = report.signals.reset_index(drop=True)
    who = report.watchlist.drop_duplicates("borrower_id").set_index("borrower_id")
    return pd.DataFrame({
        "level": s["level"].map(LEVEL_ZH), "signal_id": s["signal_id"],
        "title": s["signal_id"].map({sid: x.title_zh for sid, x in SIGNALS.items()}),
        "borrower_id": s["borrower_id"],
        "borrower_name": s["borrower_id"].map(who["borrower_name"]),
        "loan_id": s["loan_id"], "branch": s["borrower_id"].map(who["branch"]),
        "message": s["message"], "citation": s["citation"],
    })[list(SIGNAL_HEADERS)]


def _title(report: SignalReport) -> str:
    p = report.provenance
    text = (f"风险预警名单:预警日期 {report.as_of:%Y-%m-%d},文件 {p.source_name or '未知'}"
            f"(指纹 {(p.fingerprint or '')[:12]})")
    if report.previous is not None:
        text += f",较上期 {report.previous.source_name or ''}({report.previous.as_of:%Y-%m-%d})"
    return text


def _write_sheet(wb, name: str, title: str, frame: pd.DataFrame, headers: dict[str, str],
                 notes: list[str], wrap: list[str], setup: PrintSetup) -> None:
    ws = wb.create_sheet(name)
    cell = write_cell(ws, 1, 1, title)
    cell.font = HEADER_FONT
    write_table(ws, frame, headers=list(headers.values()), start_row=2, freeze=False,
                autofilter=True)
    ws.freeze_panes = ws.cell(row=3, column=1)
    for i, level in enumerate(frame["level"].tolist(), start=3):  # a cell per row: a printed list
        fill = LEVEL_FILLS.get({zh: en for en, zh in LEVEL_ZH.items()}.get(level, ""))
        if fill is not None:
            ws.cell(row=i, column=1).fill = fill
    setup.apply(ws, header_row=2, wrap=[headers[c] for c in wrap], notes=notes, sheet=name)


def write_watchlist_workbook(report: SignalReport, target: Target) -> None:
    """Write a :class:`SignalReport` as the watch-list workbook (预警名单, 预警信号) to a path or
    a binary buffer."""
    title = _title(report)
    notes = [f"未执行信号 {r['signal_id']}:{r['reason']}"
             for r in report.not_run.to_dict("records")]
    notes += [f"注意:{w}" for w in report.warnings]
    notes.append(f"预警等级:信号的最高等级;同一客户{report.policy.warning.yellow_to_orange_count}个"
                 f"黄色信号升为橙色,{report.policy.warning.orange_to_red_count}个橙色信号升为红色"
                 "(参数 [warning],0 为不升级)。直接列入情形:003 第三篇 多选题10(ABD)。")
    wb = new_workbook()
    p = report.provenance
    details = [f"预警日期:{report.as_of:%Y-%m-%d}", f"文件:{p.source_name or '未知'}"]
    if report.previous is not None:
        details.append(f"较上期:{report.previous.source_name or ''}"
                       f"({report.previous.as_of:%Y-%m-%d})")
    setup = PrintSetup("风险预警名单", details)
    _write_sheet(wb, SHEET_WATCHLIST, title, watchlist_table(report), WATCHLIST_HEADERS, notes,
                 wrap=["signal_titles"], setup=setup)
    _write_sheet(wb, SHEET_SIGNALS, title, signals_table(report), SIGNAL_HEADERS, [],
                 wrap=["message"], setup=setup)
    save_workbook(wb, target)
