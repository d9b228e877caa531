"""Monthly lists (月度名单): next month's maturities and the loans settled since the last snapshot.

* :func:`maturity_list` — the maturity prompt list (贷款到期提示表): `001_…` 篇四 3
  "提前一个月将次月到期贷款以文字附表的形式通知各所,发出提示函"; 篇五 "每月固定时间下发本月贷款到期
  提示表". Made in one month for the month after (:data:`MATURITY_LIST_MONTHS_AHEAD`,
  :func:`maturity_month`).
* :func:`settled_list` — the settled-loan list (贷款结清名单): `003_…` 第一篇 第四十四条(二)
  "按月提取贷款结清名单并为借款人提供贷款结清的相关手续". Two snapshots, the earlier first: a loan
  active (balance > 0) in the earlier one and gone from the later one, or at balance 0 in it,
  was settled in between. Made from month-end snapshots, it is the month's list.

Both take an :class:`~postloan_audit.core.extract.Extract`, a loans frame or several extracts
of one date (one file per branch: one book, :func:`as_book`), return one row
per loan with fixed columns (an optional column the ledger lacks is present and empty, and
``attrs["missing"]`` names it), and refuse bad input with a
:class:`~postloan_audit.core.errors.ListError` that names the argument.
:func:`write_maturity_list` and :func:`write_settled_list` write them as workbooks to send to
the branches: a title row with the month and the data date, Chinese headers, a per-branch
summary sheet, printed through :class:`~postloan_audit.core.workbooks.PrintSetup` with a
sign-off block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.citations import cite, cites, render_citation
from postloan_audit.core.dates import month_of, month_span
from postloan_audit.core.errors import ListError
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.provenance import Provenance
from postloan_audit.core.schema import CLASSIFICATION_ZH, GUARANTEE_ZH, REPAYMENT_METHOD_ZH
from postloan_audit.core.workbooks import (
    PrintSetup,
    Target,
    new_workbook,
    save_workbook,
    write_cell,
    write_table,
)
from postloan_audit.portfolio._common import ACTIVE_MIN_BALANCE

#: The maturity list is made one month ahead (提前一个月将次月到期贷款…通知各所, `001_…` 篇四 3).
MATURITY_LIST_MONTHS_AHEAD = 1

#: Columns of :func:`maturity_list`.
MATURITY_LIST_COLUMNS: list[str] = [
    "branch", "loan_id", "borrower_id", "borrower_name", "loan_officer", "balance",
    "maturity_date", "guarantee_type", "classification", "repayment_method",
    "maturity_notice_date", "notice_recorded"]
#: Columns of :func:`settled_list`.
SETTLED_LIST_COLUMNS: list[str] = [
    "branch", "loan_id", "borrower_id", "borrower_name", "loan_officer", "disbursement_date",
    "maturity_date", "balance_before", "balance_after", "settled_as"]
#: How a loan of :func:`settled_list` left the book (``settled_as``).
SETTLED_AS_ZH: dict[str, str] = {"gone": "本期台账中已无", "zero": "本期余额为0"}

#: Chinese headers of the lists, as the workbooks and the pages show them.
LIST_HEADERS: dict[str, str] = {
    "branch": "经营机构", "loan_id": "借据号", "borrower_id": "客户号",
    "borrower_name": "客户名称", "loan_officer": "客户经理", "balance": "贷款余额(元)",
    "maturity_date": "到期日期", "guarantee_type": "担保方式", "classification": "五级分类",
    "repayment_method": "还款方式", "maturity_notice_date": "到期通知日期",
    "notice_recorded": "已登记到期通知", "disbursement_date": "发放日期",
    "balance_before": "上期余额(元)", "balance_after": "本期余额(元)", "settled_as": "结清情形",
}
#: ``notice_recorded`` as shown: recorded, not recorded, the ledger has no such column.
NOTICE_ZH: tuple[str, str, str] = ("是", "否", "台账无此列")

_TEXT = ("borrower_name", "loan_officer", "guarantee_type", "repayment_method")
_SHEET_SUMMARY = "按机构汇总"
#: What the lists cite (`001_…` 篇四 3 and 篇五; `003_…` 第一篇 第四十四条(二)).
MATURITY_SOURCE = cites(cite("work_plan", "篇四 3 提前一个月将次月到期贷款通知各所"),
                        cite("work_plan", "篇五 每月下发本月贷款到期提示表"))
SETTLED_SOURCE = cite("personal_manual", "第八章 第四十四条(二) 按月提取贷款结清名单并为借款人提供"
                                         "贷款结清的相关手续")
#: The sign-off block of a list sent to the branches (编制 at head office, 复核, the date).
LIST_SIGN_OFF: tuple[str, ...] = ("编制人", "复核人", "日期")


def maturity_month(check_day: dt.date) -> str:
    """The month whose maturities a list made on ``check_day`` announces (``'YYYY-MM'``):
    :data:`MATURITY_LIST_MONTHS_AHEAD` months on (次月).

    >>> maturity_month(dt.date(2026, 12, 31))
    '2027-01'
    """
    return month_of(check_day, MATURITY_LIST_MONTHS_AHEAD)


#: What the lists take: an extract, a loans frame, or several extracts making one book.
Book = Extract | pd.DataFrame | Sequence[Extract]


def as_book(data: Book, *, argument: str = "data") -> Extract:
    """``data`` as one extract: several extracts (one file per branch, as head office gets
    them) become one whose loans are all of theirs, whose data date is the latest of theirs
    and whose provenance lists every file (``name: sha256``, ``; ``-separated)."""
    if not isinstance(data, list | tuple):
        return as_extract(data, argument=argument)
    extracts = [as_extract(item, argument=argument) for item in data]
    if not extracts:
        raise ListError(f"{argument} 中没有任何台账。 / {argument} holds no extract.")
    if len(extracts) == 1:
        return extracts[0]
    days = [e.as_of for e in extracts if e.as_of is not None]
    return Extract(loans=pd.concat([e.loans for e in extracts], ignore_index=True),
                   provenance=Provenance(
                       fingerprint="; ".join(f"{e.source_name}: {e.fingerprint}"
                                             for e in extracts),
                       source_name="; ".join(str(e.source_name) for e in extracts),
                       as_of=max(days) if days else None))


def _require(loans: pd.DataFrame, columns: tuple[str, ...], what: tuple[str, str]) -> None:
    missing = [c for c in columns if c not in loans.columns]
    if missing:
        raise ListError(f"{what[0]}缺少所需的列:{'、'.join(missing)}。 / {what[1]} lacks the"
                        f" columns it needs: {missing}.")
    dates = [c for c in columns if c.endswith("_date")
             and not pd.api.types.is_datetime64_any_dtype(loans[c].dtype)]
    if dates:
        raise ListError(f"{what[0]}的列 {'、'.join(dates)} 不是日期类型。 / {what[1]}: column(s)"
                        f" {dates} must hold dates (datetime64).")


def _span(month: object) -> tuple[np.datetime64, np.datetime64]:
    """``[first day, first day of the next month)`` of ``month``, or a ListError."""
    span = month_span(month)
    if span is None:
        raise ListError(f"月份须为 YYYY-MM 格式(如 2026-10),收到 {month!r}。 / month must look"
                        f" like 'YYYY-MM', got {month!r}.")
    first, last = span
    return (np.datetime64(first, "ns"), np.datetime64(last + dt.timedelta(days=1), "ns"))


def _column(rows: pd.DataFrame, name: str) -> pd.Series:
    """``rows[name]`` as the list holds it; an absent optional column comes out empty."""
    if name in rows.columns:
        values = rows[name]
        if name.endswith("_date"):
            return pd.Series(pd.to_datetime(values).to_numpy(dtype="datetime64[ns]"),
                             dtype="datetime64[ns]")
        if name == "classification":
            return pd.Series(values.astype(object).to_numpy(), dtype="str")
        return pd.Series(values.to_numpy(), dtype="str" if name in _TEXT else values.dtype)
    if name.endswith("_date"):
        return pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]")
    return pd.Series(np.nan, index=range(len(rows)), dtype="str")


def _balances(loans: pd.DataFrame) -> np.ndarray:
    return pd.to_numeric(loans["balance"], errors="coerce").to_numpy(dtype=np.float64,
                                                                     na_value=np.nan)


def _optional_missing(loans: pd.DataFrame, columns: list[str]) -> tuple[str, ...]:
    return tuple(c for c in columns if c not in loans.columns)


# =========================================================================== maturities


def maturity_list(data: Book, *, month: str) -> pd.DataFrame:
    """The loans maturing in ``month`` (贷款到期提示表), for the branches to notify borrowers.

    `001_…` 篇四 3: 提前一个月将次月到期贷款以文字附表的形式通知各所; 篇五: 每月固定时间下发本月贷款到期
    提示表. Outstanding loans (balance > 0) whose ``maturity_date`` (the current maturity,
    after any extension) falls on a day of ``month``, first and last day included.

    Parameters
    ----------
    data : Extract, DataFrame or several extracts
        Canonical loans with ``loan_id``, ``borrower_id``, ``branch``, ``balance`` and
        ``maturity_date``; several extracts are one book (:func:`as_book`).
    month : str
        ``'YYYY-MM'``, normally the month after the list is made (:func:`maturity_month`).

    Returns
    -------
    DataFrame
        :data:`MATURITY_LIST_COLUMNS`, one row per loan, sorted by branch, maturity date and
        loan id: the borrower, the branch, the officer, the balance, the maturity date, the
        guarantee type, classification and repayment method (canonical codes; Chinese in
        :func:`maturity_table`), the recorded maturity notice date and ``notice_recorded``
        (a nullable boolean: whether a 到期通知 is on record, ``<NA>`` when the ledger has no
        such column). ``attrs``: ``month``, ``count``, ``balance`` (the total), ``as_of`` and
        ``source_name`` (the extract's), ``missing`` (optional columns the ledger lacks).

    Raises
    ------
    ListError
        ``month`` is not ``'YYYY-MM'``; a needed column is missing or holds no dates.
    ExtractTypeError
        ``data`` is neither an extract nor a frame.
    """
    extract = as_book(data)
    start, end = _span(month)
    loans = extract.loans
    _require(loans, ("loan_id", "borrower_id", "branch", "balance", "maturity_date"),
             ("贷款台账(到期提示表)", "the loans (maturity list)"))
    maturity = loans["maturity_date"].to_numpy(dtype="datetime64[ns]")
    keep = (np.nan_to_num(_balances(loans), nan=0.0) > ACTIVE_MIN_BALANCE) \
        & (maturity >= start) & (maturity < end)
    rows = loans.loc[keep].reset_index(drop=True)
    out = pd.DataFrame({c: _column(rows, c) for c in MATURITY_LIST_COLUMNS[:-1]})
    out["loan_id"] = out["loan_id"].astype("str")
    out["borrower_id"] = out["borrower_id"].astype("str")
    out["branch"] = out["branch"].astype("str")
    out["balance"] = _balances(rows)
    recorded = (out["maturity_notice_date"].notna().to_numpy()
                if "maturity_notice_date" in loans.columns else None)
    out["notice_recorded"] = pd.array(
        recorded if recorded is not None else [pd.NA] * len(out), dtype="boolean")
    out = out.sort_values(["branch", "maturity_date", "loan_id"], kind="stable",
                          ignore_index=True)
    out.attrs.update({
        "month": month, "count": len(out), "balance": round(float(out["balance"].sum()), 2),
        "as_of": extract.as_of, "source_name": extract.source_name,
        "missing": _optional_missing(loans, MATURITY_LIST_COLUMNS[3:-1]),
    })
    return out


def maturity_table(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`maturity_list` as shown and printed: 序号 first, Chinese headers and values."""
    recorded = frame["notice_recorded"]
    notice = np.where(recorded.isna().to_numpy(), NOTICE_ZH[2],
                      np.where(recorded.fillna(False).to_numpy(dtype=bool), NOTICE_ZH[0],
                               NOTICE_ZH[1]))
    shown = pd.DataFrame({"序号": np.arange(1, len(frame) + 1, dtype=np.int64)})
    for column in MATURITY_LIST_COLUMNS:
        values = frame[column].reset_index(drop=True)
        mapping = {"guarantee_type": GUARANTEE_ZH, "classification": CLASSIFICATION_ZH,
                   "repayment_method": REPAYMENT_METHOD_ZH}.get(column)
        if mapping is not None:
            values = values.astype(object).map(mapping).where(
                values.astype(object).isin(list(mapping)), values.astype(object))
        if column == "notice_recorded":
            values = pd.Series(notice, dtype=object)
        shown[LIST_HEADERS[column]] = values.to_numpy()
    return shown


# =========================================================================== settled loans


def _unique_ids(loans: pd.DataFrame, which: tuple[str, str]) -> pd.Series:
    ids = loans["loan_id"].astype("str")
    duplicated = ids.duplicated(keep=False).to_numpy()
    if duplicated.any():
        shown = sorted(set(ids[duplicated]))[:5]
        raise ListError(f"{which[0]}中借据号重复:{'、'.join(shown)}。 / duplicate loan ids in"
                        f" {which[1]}: {shown}.")
    return ids


def settled_list(before: Book, after: Book) -> pd.DataFrame:
    """The loans settled between two snapshots (贷款结清名单).

    `003_…` 第一篇 第四十四条(二): 按月提取贷款结清名单并为借款人提供贷款结清的相关手续. A loan active
    in ``before`` (balance > 0) is settled when ``after`` no longer holds its loan id
    (``settled_as = "gone"``) or holds it at a balance of 0 (``"zero"``). Loans are matched
    on ``loan_id`` only, whatever branch ``after`` files them under.

    A loan gone from ``after`` whose branch ``after`` does not hold at all is not listed:
    the later file does not cover that branch, so its absence says nothing (a whole-network
    earlier snapshot beside one branch's later file). ``attrs["out_of_scope"]`` counts them
    and ``attrs["note"]`` says so.

    Parameters
    ----------
    before, after : Extract, DataFrame or several extracts
        The earlier and the later snapshot (canonical loans with ``loan_id``, ``borrower_id``,
        ``branch`` and ``balance``; ``after`` needs ``loan_id``, ``branch`` and ``balance``);
        several extracts are one book (:func:`as_book`).

    Returns
    -------
    DataFrame
        :data:`SETTLED_LIST_COLUMNS`, sorted by branch and loan id: the borrower, branch,
        officer, disbursement and maturity dates of ``before``, ``balance_before``,
        ``balance_after`` (NaN when gone) and ``settled_as``. ``attrs``: ``as_of_before``,
        ``as_of_after``, ``source_before``, ``source_after``, ``count``, ``gone``, ``zero``,
        ``balance_before`` (the total), ``out_of_scope``, ``note`` and ``missing``.

    Raises
    ------
    ListError
        A needed column is missing; a snapshot holds a loan id twice; both carry data dates
        and ``after``'s is not later than ``before``'s; the two share no loan id at all (not
        two dates of one book).
    """
    b = as_book(before, argument="before")
    a = as_book(after, argument="after")
    _require(b.loans, ("loan_id", "borrower_id", "branch", "balance"),
             ("上期台账", "the earlier snapshot (before)"))
    _require(a.loans, ("loan_id", "branch", "balance"), ("本期台账", "the later snapshot (after)"))
    if b.as_of is not None and a.as_of is not None and a.as_of <= b.as_of:
        raise ListError(f"上期台账的数据日期({b.as_of:%Y-%m-%d})须早于本期台账({a.as_of:%Y-%m-%d});"
                        f"请先给上期、后给本期。 / the earlier snapshot ({b.as_of}) must be dated"
                        f" before the later one ({a.as_of}): give the earlier first.")
    b_ids = _unique_ids(b.loans, ("上期台账", "the earlier snapshot"))
    a_ids = _unique_ids(a.loans, ("本期台账", "the later snapshot"))
    codes, _ = pd.factorize(pd.concat([b_ids, a_ids], ignore_index=True), use_na_sentinel=False)
    b_codes, a_codes = codes[:len(b_ids)], codes[len(b_ids):]
    # the position in ``after`` of each loan of ``before``; -1 when after does not hold it
    position = np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64)
    position[a_codes] = np.arange(len(a_codes))
    where = position[b_codes]
    gone = where < 0
    if len(b_ids) and len(a_ids) and gone.all():
        raise ListError(f"上期台账({b.source_name or '数据框'})与本期台账({a.source_name or '数据框'})"
                        "没有一个相同的借据号,不是同一账簿的两期,无法编制结清名单。 / the two"
                        " snapshots share no loan id: they are not two dates of one book.")
    a_balance = _balances(a.loans)
    balance_after = np.where(gone, np.nan, a_balance[np.maximum(where, 0)] if len(a_balance)
                             else np.nan)
    zero = ~gone & ~(np.nan_to_num(balance_after, nan=0.0) > ACTIVE_MIN_BALANCE)
    b_balance = _balances(b.loans)
    active = np.nan_to_num(b_balance, nan=0.0) > ACTIVE_MIN_BALANCE
    covered = b.loans["branch"].isin(a.loans["branch"].dropna().unique()).to_numpy()
    out_of_scope = active & gone & ~covered
    keep = active & ((gone & covered) | zero)
    rows = b.loans.loc[keep].reset_index(drop=True)
    out = pd.DataFrame({c: _column(rows, c) for c in SETTLED_LIST_COLUMNS[:7]})
    for column in ("branch", "loan_id", "borrower_id"):
        out[column] = out[column].astype("str")
    out["balance_before"] = b_balance[keep]
    out["balance_after"] = balance_after[keep]
    out["settled_as"] = pd.Series(np.where(gone[keep], "gone", "zero"), dtype="str")
    out = out.sort_values(["branch", "loan_id"], kind="stable", ignore_index=True)
    left_out = int(out_of_scope.sum())
    note = (f"上期台账中有 {left_out} 笔在贷贷款所属机构不在本期台账中,本期台账未覆盖这些机构,未列入结清名单。"
            f" / {left_out} active loan(s) of branches the later snapshot does not cover were"
            " left out." if left_out else "")
    out.attrs.update({
        "as_of_before": b.as_of, "as_of_after": a.as_of,
        "source_before": b.source_name, "source_after": a.source_name,
        "count": len(out), "gone": int((out["settled_as"] == "gone").sum()),
        "zero": int((out["settled_as"] == "zero").sum()),
        "balance_before": round(float(out["balance_before"].sum()), 2),
        "out_of_scope": left_out,
        "note": note, "missing": _optional_missing(b.loans, SETTLED_LIST_COLUMNS[3:7]),
    })
    return out


def settled_table(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`settled_list` as shown and printed: 序号 first, Chinese headers and values."""
    shown = pd.DataFrame({"序号": np.arange(1, len(frame) + 1, dtype=np.int64)})
    for column in SETTLED_LIST_COLUMNS:
        values = frame[column].reset_index(drop=True)
        if column == "settled_as":
            values = values.map(SETTLED_AS_ZH)
        shown[LIST_HEADERS[column]] = values.to_numpy()
    return shown


# =========================================================================== summaries


def list_by_branch(frame: pd.DataFrame, *, balance: str = "balance") -> pd.DataFrame:
    """Loans and balance per branch of a list (按机构汇总): ``branch``, ``loans``, ``balance``,
    by branch name; ``balance`` names the list's balance column (``balance_before`` for the
    settled list)."""
    grouped = frame.groupby("branch", sort=True)
    return pd.DataFrame({
        "branch": pd.Series(grouped.size().index.to_numpy(), dtype="str"),
        "loans": grouped.size().to_numpy().astype(np.int64),
        "balance": grouped[balance].sum().round(2).to_numpy(dtype=np.float64),
    })


def _summary_table(by_branch: pd.DataFrame) -> pd.DataFrame:
    total = pd.DataFrame({"branch": ["合计"], "loans": [int(by_branch["loans"].sum())],
                          "balance": [round(float(by_branch["balance"].sum()), 2)]})
    both = pd.concat([by_branch, total], ignore_index=True)
    return pd.DataFrame({"经营机构": both["branch"].astype(object).to_numpy(),
                         "笔数": both["loans"].to_numpy(dtype=np.int64),
                         "贷款余额(元)": both["balance"].to_numpy(dtype=np.float64)})


def _date_text(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day is not None else "未识别"


def maturity_title(frame: pd.DataFrame) -> str:
    """The title of a maturity list: its month and data date."""
    month = frame.attrs["month"]
    return (f"{month[:4]}年{int(month[5:])}月贷款到期提示表(数据日期 "
            f"{_date_text(frame.attrs.get('as_of'))})")


def settled_title(frame: pd.DataFrame) -> str:
    """The title of a settled list: both data dates."""
    return (f"贷款结清名单(上期 {_date_text(frame.attrs.get('as_of_before'))} 至本期 "
            f"{_date_text(frame.attrs.get('as_of_after'))})")


def _write_list(title: str, sheet: str, table: pd.DataFrame, by_branch: pd.DataFrame,
                notes: list[str], target: Target, *, details: tuple[str, ...]) -> None:
    wb = new_workbook()
    setup = PrintSetup(title, details)
    for name, frame in ((sheet, table), (_SHEET_SUMMARY, _summary_table(by_branch))):
        ws = wb.create_sheet(name)
        write_cell(ws, 1, 1, title)
        write_table(ws, frame, start_row=2, freeze=False, autofilter=name == sheet)
        ws.freeze_panes = ws.cell(row=3, column=1)
        if name == sheet:
            setup.apply(ws, header_row=2, notes=notes, sign_off=LIST_SIGN_OFF)
        else:
            setup.apply(ws, header_row=2)
    save_workbook(wb, target)


def write_maturity_list(frame: pd.DataFrame, target: Target, *, sources: Any = None) -> None:
    """Write :func:`maturity_list` as a workbook (贷款到期提示表.xlsx): 到期提示表 (title row with
    the month and the data date, then the list with Chinese headers) and 按机构汇总 (loans and
    balance per branch, with a 合计 row), printed through
    :class:`~postloan_audit.core.workbooks.PrintSetup` with the title and header rows repeated
    on every page and a sign-off block (编制人 / 复核人 / 日期). The note citing the source
    reads with the titles of ``sources`` (a policy or a mapping of source key → title)."""
    notes = [f"依据:{render_citation(MATURITY_SOURCE, sources)}。"
             f"数据文件:{frame.attrs.get('source_name') or '未知'}。"]
    missing = frame.attrs.get("missing") or ()
    if missing:
        notes.append("台账无以下列,表中相应栏为空:"
                     + "、".join(LIST_HEADERS[c] for c in missing) + "。")
    _write_list(maturity_title(frame), "到期提示表", maturity_table(frame),
                list_by_branch(frame), notes, target,
                details=(f"到期月份:{frame.attrs['month']}",
                         f"数据日期:{_date_text(frame.attrs.get('as_of'))}"))


def write_settled_list(frame: pd.DataFrame, target: Target, *, sources: Any = None) -> None:
    """Write :func:`settled_list` as a workbook (贷款结清名单.xlsx): 结清名单 (title row with both
    data dates, then the list with Chinese headers and the note on loans left out) and
    按机构汇总 (loans and earlier balance per branch, with a 合计 row); printed as
    :func:`write_maturity_list`."""
    notes = [f"依据:{render_citation(SETTLED_SOURCE, sources)}。"
             f"上期:{frame.attrs.get('source_before') or '未知'};"
             f"本期:{frame.attrs.get('source_after') or '未知'}。"]
    if frame.attrs.get("note"):
        notes.append(frame.attrs["note"])
    _write_list(settled_title(frame), "结清名单", settled_table(frame),
                list_by_branch(frame, balance="balance_before"), notes, target,
                details=(f"上期数据日期:{_date_text(frame.attrs.get('as_of_before'))}",
                         f"本期数据日期:{_date_text(frame.attrs.get('as_of_after'))}"))
