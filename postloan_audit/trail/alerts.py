"""Alerts of the watch list (预警处置跟踪): states, legal transitions, deadlines, validation.

Each borrower on the watch list (:attr:`postloan_audit.SignalReport.watchlist`) is an alert
carried across scans until it is lifted: 发起 (raised by a scan) → 认定 (confirmed by a person)
or 排除 (set aside, with the reason) → 处置 (measures, a responsible person and a deadline) →
解除 (lifted, with the reason). The seeds ask for exactly this: a 风险预警台账 kept "一户一策" with a
responsible person and a deadline (``000_…`` 计划5), a 风险预警信号处理表 reported upward
(``001_…`` 篇四 3), and 预控性处置 after the warning is reported (``003_…`` 第三篇 单选题12). No
state is reached without 认定: a raised alert set straight to 处置 or 解除 is refused (须先认定).
An alert raised again after 解除 is a new alert.

Everything here is pure pandas; :mod:`postloan_audit.trail.store` does the storing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import WarningPolicy

RAISED = "发起"
CONFIRMED = "认定"
EXCLUDED = "排除"
DISPOSING = "处置"
LIFTED = "解除"

#: Every state, in the order of the workbook's drop-down.
STATES: tuple[str, ...] = (RAISED, CONFIRMED, EXCLUDED, DISPOSING, LIFTED)
#: States of an alert still to be dealt with (exported, counted when past the deadline).
OPEN_STATES: frozenset[str] = frozenset({RAISED, CONFIRMED, DISPOSING})
#: Legal state changes (预警状态的合法变更). Staying in a state is always allowed (to change the
#: measures, the person or the deadline). 解除 is final: the borrower watched again later is a
#: new alert; a set-aside alert may be confirmed after all.
TRANSITIONS: dict[str, frozenset[str]] = {
    RAISED: frozenset({CONFIRMED, EXCLUDED}),
    CONFIRMED: frozenset({DISPOSING, EXCLUDED, LIFTED}),
    DISPOSING: frozenset({LIFTED}),
    EXCLUDED: frozenset({CONFIRMED}),
    LIFTED: frozenset(),
}
#: States whose reason goes in 说明.
NEEDS_REASON: frozenset[str] = frozenset({EXCLUDED, LIFTED})
#: Disposal measures (处置措施): 追加担保 (``000_…`` 计划8, ``001_…`` 篇五), 压缩退出 and 提前收回
#: (``001_…`` 篇五 退出/压缩类), 重组, 诉讼 (``003_…`` 第三篇 单选题12 预控性处置), and the bank's
#: 加强监控 and 其他. Several are joined by 、 or ,.
MEASURES: tuple[str, ...] = ("追加担保", "压缩退出", "提前收回", "重组", "诉讼", "加强监控", "其他")

#: Columns of the refused-rows table (as :class:`~postloan_audit.core.errors.ImportRefused`
#: reads them; ``finding_key`` holds the 预警编号).
REFUSED_COLUMNS: list[str] = ["excel_row", "finding_key", "problem"]
#: Fields a person may change, in the order of the workbook's columns.
UPDATE_FIELDS: tuple[str, ...] = ("status", "measures", "responsible", "deadline", "note")


def deadlines(raised_on: pd.Series, level: pd.Series, policy: WarningPolicy) -> pd.Series:
    """Raised on + ``warning.disposal_days_<level>`` calendar days (处置期限), as dates."""
    days = level.map({lv: policy.disposal_days(lv) for lv in ("red", "orange", "yellow")})
    if days.isna().any():
        bad = sorted(set(level[days.isna()].astype(str)))
        raise ValueError(f"未知预警等级:{bad} / unknown warning level: {bad}")
    due = pd.to_datetime(raised_on) + pd.to_timedelta(days.astype("int64"), unit="D")
    return due.dt.date


def overdue(frame: pd.DataFrame, today: dt.date) -> pd.Series:
    """Open alerts past their deadline on ``today`` (逾期未处置)."""
    open_ = frame["status"].isin(sorted(OPEN_STATES)).to_numpy()
    late = (pd.to_datetime(frame["deadline"]) < pd.Timestamp(today)).to_numpy()
    return pd.Series(open_ & late, index=frame.index)


def transition_problem(old: pd.Series, new: pd.Series) -> pd.Series:
    """Why ``old → new`` is refused, ``""`` where it is legal (the same state counts as legal).

    >>> transition_problem(pd.Series(["发起", "发起", "认定"]), pd.Series(["处置", "认定", "发起"])).tolist()
    ['状态为「发起」,不能直接改为「处置」:须先认定 / 发起 → 处置 skips 认定: confirm the alert first', '', '不能从「认定」改为「发起」 / illegal state change 认定 → 发起']
    """
    pairs = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    pairs |= {(s, s) for s in STATES}
    o, n = old.astype(str), new.astype(str)
    legal = np.asarray(pd.MultiIndex.from_arrays([o, n]).isin(sorted(pairs)), dtype=bool)
    skips = ((o == RAISED) & n.isin([DISPOSING, LIFTED])).to_numpy()
    text = np.where(
        skips, "状态为「" + o + "」,不能直接改为「" + n + "」:须先认定 / " + o + " → " + n
        + " skips 认定: confirm the alert first",
        "不能从「" + o + "」改为「" + n + "」 / illegal state change " + o + " → " + n)
    return pd.Series(np.where(legal, "", text), index=old.index, dtype=object)


def as_text(series: pd.Series) -> pd.Series:
    """Values as text for comparing and logging; a missing value is ``""``."""
    return series.astype(object).astype("str").fillna("")


def _text(series: pd.Series) -> pd.Series:
    from postloan_audit.ingest.parsing import clean_text

    return clean_text(series.astype(object).where(series.notna(), None))


def _measures(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The measures of each cell joined by 、 in :data:`MEASURES` order, and the unknown ones
    (``""`` when none)."""
    parts = cells.fillna("").str.replace(r"[,,;;/\s]+", "、", regex=True).str.split("、")
    known, unknown = [], []
    for items in parts:
        named = [m for m in items if m]
        known.append("、".join(m for m in MEASURES if m in named) or None)
        unknown.append("、".join(m for m in named if m not in MEASURES))
    return (pd.Series(known, index=cells.index, dtype=object),
            pd.Series(unknown, index=cells.index, dtype=object))


def validate_alert_updates(updates: pd.DataFrame, current: pd.DataFrame
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check changes to alerts against the store; nothing is decided row by row later.

    Parameters
    ----------
    updates:
        ``excel_row``, ``alert_id`` and ``borrower_id`` as written, and the raw cells
        ``status``, ``measures``, ``responsible``, ``deadline``, ``note``; a blank cell keeps
        the stored value.
    current:
        The store's alerts (``alert_id``, ``borrower_id``, ``raised_on`` and
        :data:`UPDATE_FIELDS`).

    Returns
    -------
    (changes, refused)
        ``changes``: one row per alert whose values differ from the store (``alert_id``,
        ``excel_row``, the old ``*_old`` and new values of :data:`UPDATE_FIELDS`);
        ``refused``: :data:`REFUSED_COLUMNS`, one row per problem, by spreadsheet row.
    """
    from postloan_audit.ingest.parsing import parse_dates

    u = updates.reset_index(drop=True)
    raw_id = _text(u["alert_id"])
    number = pd.to_numeric(raw_id, errors="coerce")
    whole = number.notna() & (number == number.round())
    alert_id = number.where(whole).astype("Int64")
    cur = current.set_index("alert_id")
    in_store = alert_id.isin(cur.index).fillna(False).to_numpy(dtype=bool)
    # a number comes back from a spreadsheet as 12.0: messages name it as written, 12
    key = alert_id.astype("str").where(whole, raw_id).fillna("")
    rows = u["excel_row"].astype("int64")
    problems: list[pd.DataFrame] = []

    def refuse(mask, text) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            msg = text if isinstance(text, pd.Series) else pd.Series(text, index=u.index)
            problems.append(pd.DataFrame({"excel_row": rows[mask].to_numpy(),
                                          "finding_key": key[mask].to_numpy(),
                                          "problem": msg[mask].astype(str).to_numpy()}))

    def stored(column: str) -> pd.Series:
        values = alert_id.astype(object).map(cur[column].astype(object))
        return values.astype(object).where(values.notna(), None)

    refuse(raw_id.isna(), "缺少预警编号(行被改动),请使用本系统导出的工作簿 / 预警编号 is missing: use "
                          "the workbook exported by this system")
    refuse(raw_id.notna() & ~whole, "预警编号「" + key + "」无效 / invalid 预警编号")
    unknown = whole.to_numpy() & ~in_store
    refuse(unknown, "预警编号 " + key + " 不在本记录库中(工作簿来自其他记录库?) / alert " + key
           + " is not in this store")
    ok = in_store
    shown = _text(u["borrower_id"]).fillna("")
    owner = as_text(stored("borrower_id"))
    refuse(ok & (shown != owner).to_numpy(), "客户号「" + shown + "」与预警编号 " + key + " 的客户 "
           + owner + " 不一致(行被改动) / 客户号 differs from the alert's borrower " + owner)
    ok = ok & (shown == owner).to_numpy()
    dup = (alert_id.notna() & alert_id.duplicated(keep="first")).to_numpy()
    first_row = pd.Series(rows.to_numpy(), index=alert_id).groupby(level=0).first()
    refuse(ok & dup, "与第 " + alert_id.astype(object).map(first_row).astype(str)
           + " 行是同一预警(重复行) / duplicate of row "
           + alert_id.astype(object).map(first_row).astype(str))
    ok = ok & ~dup

    status = _text(u["status"])
    old_status = stored("status")
    new_status = status.where(status.notna(), old_status)
    bad_status = ok & status.notna().to_numpy() & ~status.isin(STATES).to_numpy()
    refuse(bad_status, "状态「" + status.fillna("") + "」无效,应为 " + "、".join(STATES)
           + " / invalid state")
    problem = transition_problem(as_text(old_status), as_text(new_status))
    illegal = ok & ~bad_status & (problem != "").to_numpy()
    refuse(illegal, "预警 " + key + " " + problem)

    measures_cell = _text(u["measures"])
    named, unknown_measures = _measures(measures_cell)
    refuse(ok & (unknown_measures != "").to_numpy(), "处置措施「" + unknown_measures + "」无效,应为 "
           + "、".join(MEASURES) + " / unknown measure")
    new_measures = named.where(measures_cell.notna(), stored("measures"))
    responsible = _text(u["responsible"])
    new_resp = responsible.where(responsible.notna(), stored("responsible"))
    note = _text(u["note"])
    new_note = note.where(note.notna(), stored("note"))
    raw_date = _text(u["deadline"])
    parsed, bad_date = parse_dates(raw_date)
    refuse(ok & bad_date.to_numpy(), "处置期限「" + raw_date.fillna("") + "」无法识别,应为 YYYY-MM-DD "
           "/ deadline not understood")
    old_deadline = pd.to_datetime(stored("deadline")).astype("datetime64[ns]")
    new_deadline = parsed.where(parsed.notna(), old_deadline)
    raised = pd.to_datetime(stored("raised_on")).astype("datetime64[ns]")
    early = ok & (new_deadline < raised).fillna(False).to_numpy()
    refuse(early, "处置期限 " + new_deadline.dt.strftime("%Y-%m-%d").fillna("") + " 早于发起日期 "
           + raised.dt.strftime("%Y-%m-%d").fillna("") + " / deadline before the alert was raised")

    legal = ok & ~bad_status & ~illegal
    disposing = legal & (new_status == DISPOSING).to_numpy()
    refuse(disposing & new_measures.isna().to_numpy() & (unknown_measures == "").to_numpy(),
           "「处置」须填写处置措施(" + "、".join(MEASURES) + ") / 处置 needs 处置措施")
    refuse(disposing & new_resp.isna().to_numpy(), "「处置」须填写责任人 / 处置 needs 责任人")
    changed_state = (as_text(old_status) != as_text(new_status)).to_numpy()
    # a reason is written when the state is entered; the stored note of an earlier state is
    # not one
    reason = note.where(pd.Series(changed_state, index=u.index), new_note)
    refuse(legal & new_status.isin(sorted(NEEDS_REASON)).to_numpy() & reason.isna().to_numpy(),
           "「" + as_text(new_status) + "」须在「说明」中写明原因 / " + as_text(new_status)
           + " needs the reason in 说明")

    refused = (pd.concat(problems, ignore_index=True) if problems
               else pd.DataFrame({c: pd.Series([], dtype="object") for c in REFUSED_COLUMNS}))
    refused = refused.sort_values("excel_row", kind="stable").reset_index(drop=True)
    frame = pd.DataFrame({
        "alert_id": alert_id, "excel_row": rows,
        "status_old": old_status, "status": new_status,
        "measures_old": stored("measures"), "measures": new_measures,
        "responsible_old": stored("responsible"), "responsible": new_resp,
        "deadline_old": old_deadline.dt.date, "deadline": new_deadline.dt.date,
        "note_old": stored("note"), "note": new_note,
    })
    frame = frame.loc[ok]
    changed = np.zeros(len(frame), dtype=bool)
    for name in UPDATE_FIELDS:
        changed |= (as_text(frame[f"{name}_old"]) != as_text(frame[name])).to_numpy()
    out = frame.loc[changed].reset_index(drop=True)
    out["alert_id"] = out["alert_id"].astype("int64")
    return out, refused
