"""The 风险预警信号处理表 workbook, out to the branches and back (预警处理表往返).

* :func:`export_alerts_workbook` writes the open alerts (发起, 认定, 处置) of the store, one row
  each on the sheet 预警处理 with its signals and their facts, its current 状态 and the columns
  a branch fills in (状态 from a drop-down, 处置措施, 责任人, 处置期限, 说明);
* :func:`import_alerts_workbook` reads a returned one back: every row is validated against the
  store (unknown 预警编号, an edited 客户号, a duplicate row, an illegal change of state — a 发起
  alert set straight to 处置 or 解除 needs 认定 first —, a 处置 without measures or person, an
  排除 or 解除 without its reason, an unreadable deadline) and either every change is applied in
  one transaction or, when any row is refused, none
  (:class:`~postloan_audit.core.errors.ImportRefused` names each row and why).

The table starts on row 1 so that the returned sheet is read like the findings workbook
(:func:`~postloan_audit.ingest.returned.read_returned_sheets`); the page header says what the
sheet is, for whom and as of when.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd

from postloan_audit.core.dates import coerce_optional_date
from postloan_audit.core.severity import LEVEL_ZH
from postloan_audit.core.workbooks import (
    PrintSetup,
    Target,
    add_choice_list,
    new_workbook,
    save_workbook,
    write_table,
)
from postloan_audit.ingest.loader import Source
from postloan_audit.ingest.returned import ROW_COLUMN, read_returned_sheets
from postloan_audit.trail import alerts as al
from postloan_audit.trail.store import AuditStore, ImportRefused

#: The workbook's title (风险预警信号处理表, ``001_…`` 篇四 3).
TITLE = "风险预警信号处理表"
#: The one sheet of the workbook.
ALERT_SHEET = "预警处理"
#: 预警处理's columns: header → field, in column order.
ALERT_HEADERS: dict[str, str] = {
    "预警编号": "alert_id", "客户号": "borrower_id", "客户名称": "borrower_name",
    "经营机构": "branch", "客户经理": "officer", "预警等级": "level", "贷款余额(元)": "balance",
    "预警信号": "signal_ids", "预警事实": "facts", "发起日期": "raised_on", "状态": "status",
    "处置措施": "measures", "责任人": "responsible", "处置期限": "deadline", "说明": "note",
}
#: Columns read back: header → field.
_RETURNED = {h: ALERT_HEADERS[h] for h in ("预警编号", "客户号", "状态", "处置措施", "责任人",
                                           "处置期限", "说明")}


def _facts(signals: pd.DataFrame, alert_ids: pd.Series) -> pd.Series:
    """Per alert: its signals as ``EW-…:facts`` lines."""
    if not len(signals):
        return pd.Series("", index=alert_ids.index, dtype=object)
    line = signals["signal_id"].astype("str") + ":" + signals["message"].astype("str").fillna("")
    joined = line.groupby(signals["alert_id"].to_numpy()).agg("\n".join)
    return alert_ids.map(joined).fillna("").astype(object)


def export_alerts_workbook(store: AuditStore, target: Target, *, branch: str | None = None,
                           today: dt.date | None = None) -> int:
    """Write the open alerts (of ``branch``, default all) as 风险预警信号处理表; return how many.

    Parameters
    ----------
    store:
        The audit trail.
    target:
        A path or a binary buffer.
    branch:
        Only this branch's alerts.
    today:
        The day named in the page header (default today).
    """
    today = coerce_optional_date(today, what=("导出日期", "export date")) or dt.date.today()
    frame = store.alerts(open_only=True, branch=branch, today=today)
    signals = store.alert_signals(frame["alert_id"].tolist())
    dates = {c: pd.to_datetime(frame[c]).dt.date.astype(object) for c in ("raised_on", "deadline")}
    table = pd.DataFrame({
        "alert_id": frame["alert_id"].astype("int64"),
        "borrower_id": frame["borrower_id"].astype(object),
        "borrower_name": frame["borrower_name"].astype(object),
        "branch": frame["branch"].astype(object), "officer": frame["officer"].astype(object),
        "level": frame["level"].map(LEVEL_ZH).astype(object),
        "balance": pd.to_numeric(frame["balance"], errors="coerce").astype(float),
        "signal_ids": frame["signal_ids"].astype(object),
        "facts": _facts(signals, frame["alert_id"]),
        "raised_on": dates["raised_on"], "status": frame["status"].astype(object),
        "measures": frame["measures"].astype(object),
        "responsible": frame["responsible"].astype(object),
        "deadline": dates["deadline"], "note": frame["note"].astype(object),
    })
    table = table.astype({c: object for c in table.columns if c not in ("alert_id", "balance")})
    table = table.where(table.notna(), None)
    wb = new_workbook()
    ws = wb.create_sheet(ALERT_SHEET)
    write_table(ws, table, headers=list(ALERT_HEADERS), autofilter=True, max_width=40)
    headers = list(ALERT_HEADERS)
    last = max(len(table) + 1, 2)
    add_choice_list(ws, headers.index("状态") + 1, 2, last, al.STATES, title="状态",
                    prompt="发起 → 认定(或排除,须写说明)→ 处置(填处置措施、责任人、处置期限)→ 解除(须写"
                           "说明)。发起不能直接改为处置或解除:须先认定。")
    details = [f"机构:{branch}" if branch else "机构:全部", f"导出日期:{today:%Y-%m-%d}",
               f"未解除预警 {len(table)} 户"]
    # The branch fills 状态 … 说明 by hand and signs: room to write, a sign-off block.
    PrintSetup(TITLE, details).apply(ws, wrap=("预警事实", "处置措施", "说明"),
                                     widths={"处置措施": 20, "说明": 24},
                                     sign_off=("填报人", "复核人", "日期"))
    save_workbook(wb, target)
    return len(table)


@dataclass(frozen=True)
class AlertImport:
    """An accepted 风险预警信号处理表: rows read and alerts changed."""

    file_name: str
    rows: int
    changed: int

    def line(self) -> str:
        return (f"已导入 {self.file_name}:{self.rows} 行,更新预警 {self.changed} 条"
                f" / imported {self.file_name}: {self.rows} rows, {self.changed} alerts updated")


def import_alerts_workbook(store: AuditStore, source: Source, *,
                           filename: str | None = None) -> AlertImport:
    """Validate a returned 风险预警信号处理表 and apply it, all or nothing.

    Raises
    ------
    ImportRefused
        A column is missing, or any row is refused (the message names each row and why);
        nothing applied.
    ExtractError
        Not a readable workbook, or no 预警处理 sheet.
    """
    frames, name, data = read_returned_sheets(source, (ALERT_SHEET,), filename=filename,
                                              tables=(ALERT_SHEET,))
    sheet = frames[ALERT_SHEET]
    missing = [h for h in _RETURNED if h not in sheet.columns]
    if missing:
        raise ImportRefused(name, pd.DataFrame({
            "excel_row": [1], "finding_key": [""],
            "problem": [f"缺少列「{'」「'.join(missing)}」:请上传本系统导出(alerts export)的"
                        f"{TITLE} / missing column(s) {', '.join(missing)}: upload a workbook "
                        "exported by this system"]}), sheet=ALERT_SHEET)
    s = sheet.rename(columns=_RETURNED)
    updates = pd.DataFrame({"excel_row": s[ROW_COLUMN].to_numpy(),
                            **{f: s[f].to_numpy() for f in _RETURNED.values()}})
    changed = store.apply_alert_updates(updates, file_name=name,
                                        file_sha=hashlib.sha256(data).hexdigest(),
                                        sheet=ALERT_SHEET)
    return AlertImport(file_name=name, rows=len(updates), changed=changed)
