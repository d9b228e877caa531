"""Follow-up of findings (整改跟踪): stable keys, statuses, legal transitions, deadlines, and the
comparison of a run with the previous run of the same scope.

Each finding is sent back to its branch with a deadline (限期整改通知书) and followed until it is
closed (整改销号): ``000_…`` 计划 2 and 7, ``001_…`` 篇四 "下发限期整改通知书,督促限期整改". A
finding that is no longer in the data is only *proposed* as rectified (已整改(待核实)); closing it
(已销号) is a person's decision, never automatic.

Everything here is pure pandas; :mod:`postloan_audit.trail.store` does the storing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import RectificationPolicy

PENDING = "待整改"
IN_PROGRESS = "整改中"
RECTIFIED = "已整改(待核实)"
CLOSED = "已销号"
WAIVED = "不予整改"

#: Every status, in the order of the workbook's drop-down.
STATUSES: tuple[str, ...] = (PENDING, IN_PROGRESS, RECTIFIED, CLOSED, WAIVED)
#: Statuses that still count against a branch (未销号的问题).
OPEN_STATUSES: frozenset[str] = frozenset({PENDING, IN_PROGRESS, RECTIFIED})

#: Legal status changes a person may make (整改状态的合法变更). Staying in the same status is
#: always allowed (to update the measures or the person responsible). 已销号 is final; a
#: waived finding may be reopened; a claimed rectification that fails verification goes back
#: to 整改中.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({IN_PROGRESS, RECTIFIED, WAIVED}),
    IN_PROGRESS: frozenset({RECTIFIED, WAIVED}),
    RECTIFIED: frozenset({CLOSED, IN_PROGRESS}),
    CLOSED: frozenset(),
    WAIVED: frozenset({PENDING}),
}
#: Statuses that need a completion date (完成日期).
NEEDS_DATE: frozenset[str] = frozenset({RECTIFIED, CLOSED})

#: Rules whose findings recur per inspection period: their stable key carries the period (the
#: due date of the missed inspection, collection, revaluation or rating), so that a missed
#: period stays one finding until it is made good and the next missed period is a new one.
PERIODIC_RULES: frozenset[str] = frozenset({
    "INSP-FREQ", "COLL-NPL", "COLLAT-INSP", "COLLAT-REVAL", "RATING-STALE", "EXIT-VISIT"})

#: Rule id of findings from the on-site checklist (现场检查发现的问题).
ONSITE_RULE = "ONSITE"
#: Severity of an on-site 不符合 item: the checklist items of ``003_…`` 第四十五条 are each a
#: substantive post-loan duty, weighed like the medium rules of the catalogue.
ONSITE_SEVERITY = "medium"

#: Comparison classes of :func:`compare_runs`.
NEW, CARRIED, GONE = "new", "carried", "gone"


def finding_keys(findings: pd.DataFrame) -> pd.Series:
    """The stable key of each finding: ``rule id|loan id|period``.

    The period is the due date (``YYYY-MM-DD``) for :data:`PERIODIC_RULES` and empty
    otherwise, so the same breach on the same loan has the same key in every run.
    """
    rule = findings["rule_id"].astype("str")
    loan = findings["loan_id"].astype("str").fillna("")
    due = pd.to_datetime(findings["due_date"]).dt.strftime("%Y-%m-%d").fillna("")
    period = due.where(rule.isin(PERIODIC_RULES).to_numpy(), "")
    return (rule + "|" + loan + "|" + period).astype("str")


def deadlines(first_seen: pd.Series, severity: pd.Series,
              policy: RectificationPolicy) -> pd.Series:
    """First seen + ``rectification.days_<severity>`` calendar days (整改期限)."""
    days = severity.map({s: policy.days(s) for s in ("high", "medium", "low")})
    if days.isna().any():
        bad = sorted(set(severity[days.isna()].astype(str)))
        raise ValueError(f"未知严重程度:{bad} / unknown severity: {bad}")
    return pd.to_datetime(first_seen) + pd.to_timedelta(days.astype("int64"), unit="D")


@dataclass(frozen=True)
class Comparison:
    """A run against the previous run of the same scope (与上次相比).

    Attributes
    ----------
    previous_run_id:
        The run compared with (None for the first run of a scope).
    new, carried, gone:
        Stable keys: in this run only; in both; in the previous run only (for rules that ran
        this time: a rule not run now proves nothing).
    """

    previous_run_id: int | None
    new: tuple[str, ...]
    carried: tuple[str, ...]
    gone: tuple[str, ...]

    def line(self) -> str:
        """``与上次相比: 新增 N / 延续 M / 消失 K`` (首次检查 when there is no previous run)."""
        text = f"与上次相比: 新增 {len(self.new)} / 延续 {len(self.carried)} / 消失 {len(self.gone)}"
        if self.previous_run_id is None:
            text += "(本范围首次记录 / first recorded run of this scope)"
        return text


def compare_runs(current: pd.Series, previous: pd.DataFrame | None,
                 rules_run: tuple[str, ...], previous_run_id: int | None) -> Comparison:
    """Classify keys as new, carried over or gone.

    Parameters
    ----------
    current:
        Stable keys of this run.
    previous:
        The previous run's findings (``finding_key``, ``rule_id``), or None.
    rules_run:
        Rules run this time.
    """
    now = pd.Index(current.unique())
    if previous is None or previous.empty:
        return Comparison(previous_run_id, tuple(now), (), ())
    before = pd.Index(previous["finding_key"].unique())
    judged = previous.loc[previous["rule_id"].isin(rules_run), "finding_key"].unique()
    new = now.difference(before, sort=False)
    carried = now.intersection(before, sort=False)
    gone = pd.Index(judged).difference(now, sort=False)
    return Comparison(previous_run_id, tuple(new), tuple(carried), tuple(sorted(gone)))


def scope_of(branches: pd.Series | None) -> str:
    """The scope of a run: its branches, sorted and joined (``全部`` when unknown)."""
    if branches is None:
        return "全部"
    names = sorted({str(b) for b in branches.dropna().unique()})
    return "、".join(names) if names else "全部"


def overdue(frame: pd.DataFrame, today: dt.date) -> pd.Series:
    """Open findings past their deadline on ``today`` (逾期未整改)."""
    open_ = frame["status"].isin([PENDING, IN_PROGRESS]).to_numpy()
    late = (pd.to_datetime(frame["deadline"]) < pd.Timestamp(today)).to_numpy()
    return pd.Series(open_ & late, index=frame.index)


def check_transitions(old: pd.Series, new: pd.Series) -> pd.Series:
    """True where ``old → new`` is legal (the same status counts as legal)."""
    pairs = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    pairs |= {(s, s) for s in STATUSES}
    ok = pd.MultiIndex.from_arrays([old.astype(str), new.astype(str)]).isin(sorted(pairs))
    return pd.Series(np.asarray(ok, dtype=bool), index=old.index)


#: Columns of the refused-rows table of :func:`validate_updates`.
REFUSED_COLUMNS: list[str] = ["excel_row", "finding_key", "problem"]
#: Fields a returned workbook may change, in the order of the 整改情况 columns.
UPDATE_FIELDS: tuple[str, ...] = ("status", "measures", "completed_on", "responsible")


def as_text(series: pd.Series) -> pd.Series:
    """Values as text for comparing and logging; a missing value is ``""``."""
    return series.astype(object).astype("str").fillna("")


def _text(series: pd.Series) -> pd.Series:
    from postloan_audit.ingest.parsing import clean_text

    return clean_text(series.astype(object).where(series.notna(), None))


def validate_updates(updates: pd.DataFrame, current: pd.DataFrame, run_keys: pd.DataFrame,
                     known_runs: set[int], *, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check returned follow-up rows against the store; nothing is decided row by row later.

    Parameters
    ----------
    updates:
        ``excel_row``, ``run_id`` and ``finding_key`` (from the hidden key column), ``rule_id``
        and ``loan_id`` as shown, and the raw cells ``status``, ``measures``, ``completed_on``,
        ``responsible``.
    current:
        The store's rectifications (``finding_key``, ``status``, ``measures``,
        ``completed_on``, ``responsible``).
    run_keys:
        ``run_id``, ``finding_key`` of every finding of the runs the workbook names.
    known_runs:
        Run ids present in the store.
    today:
        Completion dates after this day are refused.

    Returns
    -------
    (changes, refused)
        ``changes``: one row per key whose values differ from the store (``finding_key``,
        ``excel_row``, the old ``*_old`` and new values of :data:`UPDATE_FIELDS`);
        ``refused``: :data:`REFUSED_COLUMNS`, one row per problem, by spreadsheet row.
    """
    u = updates.reset_index(drop=True)
    key = _text(u["finding_key"])
    status = _text(u["status"])
    measures = _text(u["measures"])
    responsible = _text(u["responsible"])
    from postloan_audit.ingest.parsing import parse_dates

    raw_date = _text(u["completed_on"])
    completed, bad_date = parse_dates(raw_date)
    run = pd.to_numeric(u["run_id"], errors="coerce")

    cur = current.set_index("finding_key")
    in_store = key.isin(cur.index).to_numpy()
    pairs = pd.MultiIndex.from_arrays([run_keys["run_id"].astype("int64"),
                                       run_keys["finding_key"].astype("str")])
    run_int = run.fillna(-1).astype("int64")
    in_run = pd.MultiIndex.from_arrays([run_int, key.fillna("")]).isin(pairs)
    def stored(column: str) -> pd.Series:
        return key.map(cur[column].astype(object)).astype("str")

    old_status = stored("status")
    new_status = status.fillna(old_status)
    key_parts = key.fillna("").str.split("|", n=2, expand=True).reindex(columns=[0, 1, 2])
    shown_rule = _text(u["rule_id"]).fillna("")
    shown_loan = _text(u["loan_id"]).fillna("")
    dup = key.notna() & key.duplicated(keep="first")
    first_row = pd.Series(u["excel_row"].to_numpy(), index=key).groupby(level=0).first()

    rows = u["excel_row"].astype("int64")
    problems: list[pd.DataFrame] = []

    def refuse(mask, text) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            msg = text if isinstance(text, pd.Series) else pd.Series(text, index=u.index)
            problems.append(pd.DataFrame({"excel_row": rows[mask].to_numpy(),
                                          "finding_key": key[mask].fillna("").to_numpy(),
                                          "problem": msg[mask].astype(str).to_numpy()}))

    no_key = key.isna().to_numpy() | run.isna().to_numpy()
    refuse(no_key, "缺少整改键(隐藏列「整改键」被删除或改动),请使用本系统导出的工作簿 / the hidden "
                   "key is missing or damaged: use the workbook exported by this system")
    has_key = ~no_key
    unknown_run = has_key & ~run_int.isin(list(known_runs)).to_numpy()
    refuse(unknown_run, "工作簿所属的第 " + run_int.astype(str) + " 次检查不在本记录库中(工作簿来自其他"
           "记录库?) / run " + run_int.astype(str) + " is not in this store")
    ok = has_key & ~unknown_run
    not_in_run = ok & ~in_run
    refuse(not_in_run, "整改键 " + key.fillna("") + " 不属于第 " + run_int.astype(str)
           + " 次检查的问题清单(行被改动或来自另一次检查)/ key not among the findings of run "
           + run_int.astype(str) + " (tampered row or another run's workbook)")
    unknown = ok & in_run & ~in_store
    refuse(unknown, "整改键 " + key.fillna("") + " 在记录库中没有整改记录 / unknown key "
           + key.fillna(""))
    ok = ok & in_run & in_store
    mismatch = ok & ((shown_rule != key_parts[0].fillna("")) | (shown_loan != key_parts[1].fillna(""))).to_numpy()
    refuse(mismatch, "规则编号或借据号与隐藏的整改键不一致(行被改动),应为 " + key_parts[0].fillna("")
           + " / " + key_parts[1].fillna("") + " / rule id or loan id differs from the hidden key")
    refuse(ok & dup.to_numpy(), "与第 " + key.map(first_row).astype(str) + " 行是同一问题(重复行) / "
           "duplicate of row " + key.map(first_row).astype(str))
    bad_status = ok & status.notna().to_numpy() & ~status.isin(STATUSES).to_numpy()
    refuse(bad_status, "整改状态「" + status.fillna("") + "」无效,应为 " + "、".join(STATUSES)
           + " / invalid status")
    legal = check_transitions(old_status.fillna(""), new_status.fillna("")).to_numpy()
    illegal = ok & ~bad_status & ~legal
    refuse(illegal, "整改状态不能从「" + old_status.fillna("") + "」改为「" + new_status.fillna("")
           + "」/ illegal status change " + old_status.fillna("") + " → " + new_status.fillna(""))
    refuse(ok & bad_date.to_numpy(), "完成日期「" + raw_date.fillna("") + "」无法识别,应为 YYYY-MM-DD "
           "/ completion date not understood")
    future = ok & (completed > pd.Timestamp(today)).fillna(False).to_numpy()
    refuse(future, "完成日期 " + completed.dt.strftime("%Y-%m-%d").fillna("") + f" 晚于今天 {today:%Y-%m-%d}"
           " / completion date in the future")
    old_date = pd.to_datetime(key.map(cur["completed_on"].astype(object))).astype("datetime64[ns]")
    new_date = completed.fillna(old_date)
    no_date = ok & new_status.isin(NEEDS_DATE).to_numpy() & new_date.isna().to_numpy() \
        & ~bad_date.to_numpy()
    refuse(no_date, "状态「" + new_status.fillna("") + "」须填写完成日期 / a completion date is "
           "required for this status")
    old_measures = stored("measures")
    new_measures = measures.fillna(old_measures)
    no_reason = ok & (new_status == WAIVED).to_numpy() & new_measures.isna().to_numpy()
    refuse(no_reason, "不予整改须在「整改措施」中写明原因 / 不予整改 needs the reason in 整改措施")

    refused = (pd.concat(problems, ignore_index=True) if problems
               else pd.DataFrame({c: pd.Series([], dtype="object") for c in REFUSED_COLUMNS}))
    refused = refused.sort_values("excel_row", kind="stable").reset_index(drop=True)

    old_resp = stored("responsible")
    new_resp = responsible.fillna(old_resp)
    frame = pd.DataFrame({
        "finding_key": key, "excel_row": rows,
        "status_old": old_status, "status": new_status,
        "measures_old": old_measures, "measures": new_measures,
        "completed_on_old": old_date.dt.date,
        "completed_on": new_date.dt.date,
        "responsible_old": old_resp, "responsible": new_resp,
    })
    valid = ok & ~dup.to_numpy()
    frame = frame.loc[valid]
    changed = np.zeros(len(frame), dtype=bool)
    for name in UPDATE_FIELDS:
        changed |= (as_text(frame[f"{name}_old"]) != as_text(frame[name])).to_numpy()
    return frame.loc[changed].reset_index(drop=True), refused
