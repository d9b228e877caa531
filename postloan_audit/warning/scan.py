"""Scan an extract for early-warning signals and build the watch list (风险预警与监控名单):
:func:`scan_signals`.

Like a compliance run, a scan evaluates every signal of the catalogue and gathers the hits in one
tidy table with fixed columns (:data:`SIGNAL_COLUMNS`); a signal that cannot run (its data
missing) is listed in ``not_run`` with the reason, never passed silently. The watch list has
one row per borrower with a signal (:data:`WATCHLIST_COLUMNS`): its highest level, raised by
the count of its signals (``warning.yellow_to_orange_count``, ``warning.orange_to_red_count``),
whether it is a direct-listing case and already listed, and how it moved since the earlier
snapshot. The report carries its provenance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.compliance.evaluation import unpack_data
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.dates import coerce_date
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.lookup import positions_in
from postloan_audit.core.provenance import Provenance
from postloan_audit.core.schema import LIST_TYPE_ZH
from postloan_audit.core.severity import LEVEL_RANK, LEVEL_ZH, LEVELS
from postloan_audit.warning.base import Signal, SignalHits, describe_need
from postloan_audit.warning.catalogue import SIGNALS
from postloan_audit.warning.context import SignalContext

#: Columns of :attr:`SignalReport.signals`, in order.
SIGNAL_COLUMNS: list[str] = ["signal_id", "borrower_id", "loan_id", "level", "message",
                             "citation"]
#: Columns of :attr:`SignalReport.watchlist`, in order.
WATCHLIST_COLUMNS: list[str] = ["borrower_id", "borrower_name", "branch", "officer", "balance",
                                "level", "signal_ids", "signal_count", "listed", "list_types",
                                "direct_listing", "movement"]
#: Columns of :attr:`SignalReport.not_run`.
NOT_RUN_COLUMNS: list[str] = ["signal_id", "reason"]
#: Columns of :func:`list_signals`.
CATALOGUE_COLUMNS: list[str] = ["signal_id", "title_zh", "title_en", "level", "citation",
                                "parameters", "needs", "direct_listing"]
#: How a borrower moved on the watch list since the earlier snapshot, and in Chinese.
MOVEMENT_ZH: dict[str, str] = {"new": "新增", "up": "升级", "down": "降级", "same": "不变",
                               "exit": "移出"}
MOVEMENTS: tuple[str, ...] = tuple(MOVEMENT_ZH)
#: Lists whose entry in force makes a borrower ``listed``: 授信风险监控名单 and 重点监测企业名单.
WATCH_LIST_TYPES: tuple[str, ...] = ("watch", "monitor")
#: What the scan date is called in messages.
SCAN_DATE = ("预警日期", "scan date")


@dataclass(frozen=True)
class SignalReport:
    """The result of :func:`scan_signals` (预警结果).

    Attributes
    ----------
    signals:
        One row per borrower × signal (a loan-level signal: per loan), columns
        :data:`SIGNAL_COLUMNS`; ``loan_id`` is NA for a borrower-level signal, ``level`` is
        ``red`` / ``orange`` / ``yellow``, ``message`` the facts in Chinese. Catalogue order,
        then the ledger's order.
    watchlist:
        One row per borrower with a signal, columns :data:`WATCHLIST_COLUMNS`, sorted by level
        (red first), then balance (largest first); with an earlier snapshot, the borrowers that
        were on its watch list and have no signal now follow with ``movement`` ``exit`` and an
        empty level. ``movement`` is NA without an earlier snapshot.
    not_run:
        Signals that did not run (``signal_id``, ``reason``): data missing.
    provenance:
        A :class:`~postloan_audit.core.provenance.Provenance`: the extract's fingerprint, file
        name and export profile, ``as_of`` the scan date.
    policy:
        The :class:`~postloan_audit.compliance.policy.Policy` used.
    signals_run:
        Ids of the signals that ran, in catalogue order.
    warnings:
        Notes the reader must see (a guarantor path or an indicator not judged for lack of data).
    previous:
        The earlier snapshot's provenance (its ``as_of`` its data date), or None.
    """

    signals: pd.DataFrame
    watchlist: pd.DataFrame
    not_run: pd.DataFrame
    provenance: Provenance
    policy: Policy
    signals_run: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    previous: Provenance | None = None

    @property
    def as_of(self) -> dt.date:
        """The scan date (``provenance.as_of``)."""
        return self.provenance.as_of

    def counts_by_level(self) -> pd.DataFrame:
        """Borrowers on the watch list per level, red first: ``level``, ``borrowers``,
        ``balance`` (yuan); every level listed, exits left out."""
        w = self.watchlist.loc[self.watchlist["level"].notna()]
        grouped = w.groupby("level", sort=False).agg(borrowers=("borrower_id", "size"),
                                                     balance=("balance", "sum"))
        out = grouped.reindex(list(LEVELS)).rename_axis("level").reset_index()
        out["borrowers"] = out["borrowers"].fillna(0).astype(np.int64)
        out["balance"] = out["balance"].fillna(0.0).astype(float)
        return out.astype({"level": "str"})

    def counts_by_movement(self) -> pd.DataFrame:
        """Borrowers per movement since the earlier snapshot (``movement``, ``borrowers``), in
        :data:`MOVEMENTS` order; empty without an earlier snapshot."""
        moved = self.watchlist["movement"].dropna()
        if self.previous is None:
            return pd.DataFrame({"movement": pd.Series([], dtype="str"),
                                 "borrowers": pd.Series([], dtype=np.int64)})
        counts = moved.value_counts().reindex(list(MOVEMENTS), fill_value=0)
        return pd.DataFrame({"movement": pd.Series(list(MOVEMENTS), dtype="str"),
                             "borrowers": counts.to_numpy(dtype=np.int64)})

    def summary(self) -> str:
        """A short Chinese summary (预警结果摘要)."""
        w = self.watchlist
        on = w.loc[w["level"].notna()]
        levels = "、".join(f"{LEVEL_ZH[r['level']]}色 {r['borrowers']} 户"
                          for r in self.counts_by_level().to_dict("records"))
        lines = [f"预警日期 {self.as_of:%Y-%m-%d},执行信号 {len(self.signals_run)} 个,预警信号 "
                 f"{len(self.signals)} 条,预警名单 {len(on)} 户({levels}),其中直接列入情形 "
                 f"{int(on['direct_listing'].sum())} 户、尚未列入名单 {int((~on['listed']).sum())} 户"]
        if self.previous is not None:
            moved = "、".join(f"{MOVEMENT_ZH[r['movement']]} {r['borrowers']} 户"
                             for r in self.counts_by_movement().to_dict("records"))
            lines.append(f"  较上期({self.previous.as_of:%Y-%m-%d}):{moved}")
        for rec in self.not_run.to_dict("records"):
            lines.append(f"  未执行 {rec['signal_id']}:{rec['reason']}")
        lines += [f"  注意:{w}" for w in self.warnings]
        return "\n".join(lines)


def list_signals(policy: Policy | None = None) -> pd.DataFrame:
    """The signal catalogue as a table (:data:`CATALOGUE_COLUMNS`); ``parameters`` shows each
    policy key with its value under ``policy`` (defaults if None), ``level`` every level a hit
    can have."""
    policy = policy or Policy.default()
    records = [{
        "signal_id": s.id, "title_zh": s.title_zh, "title_en": s.title_en,
        "level": "/".join(str(v) for v in s.levels), "citation": s.citation,
        "parameters": "; ".join(f"{k}={_fmt_value(policy.value(k))}" for k in s.params),
        "needs": "; ".join(s.needs), "direct_listing": s.direct_listing,
    } for s in SIGNALS.values()]
    return pd.DataFrame.from_records(records, columns=CATALOGUE_COLUMNS).astype(
        {c: "str" for c in CATALOGUE_COLUMNS if c != "direct_listing"})


def _fmt_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _as_extract(data: Any, argument: str) -> Extract:
    """An Extract, a loans frame, or a path :func:`~postloan_audit.load_extract` reads."""
    if isinstance(data, str | PathLike):
        from postloan_audit.ingest.loader import load_extract

        return load_extract(data)
    return as_extract(data, argument=argument)


def scan_signals(extract: Extract | pd.DataFrame | str | PathLike, *,
                 as_of: dt.date | str | None,
                 previous: Extract | pd.DataFrame | str | PathLike | None = None,
                 policy: Policy | str | PathLike | None = None) -> SignalReport:
    """Scan an extract for early-warning signals and build the watch list (风险预警扫描).

    Parameters
    ----------
    extract:
        An :class:`~postloan_audit.core.extract.Extract` (its borrower's-file sheets are read:
        ``external``, ``guarantees``, ``collateral``, ``financials``, ``lists``), a canonical
        loans DataFrame, or a file :func:`~postloan_audit.load_extract` reads.
    as_of:
        The scan date D (a date or ``'YYYY-MM-DD'``); None takes the extract's data date.
    previous:
        The earlier snapshot (an Extract, a loans frame or a file), for the signals that compare
        (EW-CLASS-DOWN, EW-RATING-DOWN) and the watch list's ``movement``. It is scanned at its
        own data date, which it must carry (a title row or the file name, or
        ``load_extract(..., as_of=...)``).
    policy:
        A :class:`~postloan_audit.compliance.policy.Policy`, a TOML path, or None for the
        defaults (the ``[warning]`` section).

    Returns
    -------
    SignalReport
        Signals, watch list, signals not run (and why) and provenance.

    Raises
    ------
    ValueError
        No scan date, an invalid date, or an earlier snapshot without a data date or dated
        after the scan date.
    PolicyError
        An invalid policy file.
    """
    data = _as_extract(extract, "extract")
    loans, sheets, fingerprint, source_name, data_as_of = unpack_data(data)
    if as_of is None:
        as_of = data_as_of
    if as_of is None:
        raise ValueError("未给出预警日期,且台账没有数据日期 / as_of is required (the extract "
                         "carries no date)")
    day = coerce_date(as_of, what=SCAN_DATE)
    pol = Policy.coerce(policy)
    before = None
    if previous is not None:
        before = _as_extract(previous, "previous")
        if before.as_of is None:
            raise ValueError(
                "上期台账没有数据日期(标题行和文件名中都没有):请用 load_extract(..., as_of=...) 读入并"
                "指定其数据日期。 / the previous snapshot carries no data date: load it with "
                "load_extract(..., as_of=...).")
        before_day = coerce_date(before.as_of, what=("上期数据日期", "previous data date"))
        if before_day > day:
            raise ValueError(
                f"上期台账的数据日期 {before_day:%Y-%m-%d} 晚于预警日期 {day:%Y-%m-%d} / the "
                f"previous snapshot's date {before_day:%Y-%m-%d} is after the scan date "
                f"{day:%Y-%m-%d}")
    ctx = SignalContext(loans, as_of=day, policy=pol,
                        previous=None if before is None else before.loans,
                        previous_as_of=None if before is None else before_day, **sheets)
    ctx.extract = data  # the analytics (guarantee circles) read the extract itself
    parts, ran, not_run = _evaluate(ctx)
    signals, rows = _assemble(ctx, parts)
    watchlist = _watchlist(ctx, rows)
    warnings = list(ctx.notes)
    if ctx.lists is None:
        warnings.append("未提供名单表,预警名单的“已列入名单”均为否 / no lists sheet: no borrower "
                        "counts as listed")
    if before is not None:
        earlier = scan_signals(before, as_of=before_day, policy=pol).watchlist
        watchlist = _with_movement(ctx, watchlist, earlier)
    else:
        watchlist["movement"] = pd.Series(pd.NA, index=watchlist.index, dtype="str")
    profile = data.provenance.profile
    return SignalReport(
        signals=signals, watchlist=_sorted(watchlist)[WATCHLIST_COLUMNS],
        not_run=pd.DataFrame(not_run, columns=NOT_RUN_COLUMNS).astype("str"),
        provenance=Provenance(fingerprint=fingerprint, source_name=source_name, as_of=day,
                              profile=profile),
        policy=pol, signals_run=tuple(ran), warnings=tuple(warnings),
        previous=None if before is None else replace(before.provenance, as_of=before_day),
    )


def _evaluate(ctx: SignalContext) -> tuple[list[tuple[Signal, SignalHits]], list[str],
                                           list[dict[str, str]]]:
    """Every signal of the catalogue on ``ctx``: (signal, hits) pairs, ids run, signals not run."""
    parts, ran, not_run = [], [], []
    for signal in SIGNALS.values():
        missing = signal.missing(ctx)
        if missing:
            zh = ";".join(describe_need(m)[0] for m in missing)
            en = "; ".join(describe_need(m)[1] for m in missing)
            not_run.append({"signal_id": signal.id,
                            "reason": f"缺少所需数据:{zh} / missing data: {en}"})
            continue
        parts.append((signal, signal.evaluate(ctx)))
        ran.append(signal.id)
    return parts, ran, not_run


def _text(codes: np.ndarray, labels: list[str]) -> pd.Series:
    """``labels[codes]`` as a ``str`` Series, through a categorical (no Python object per row)."""
    return pd.Series(pd.Categorical.from_codes(codes, categories=labels)).astype("str")


def _assemble(ctx: SignalContext, parts: list[tuple[Signal, SignalHits]]
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The signals table, and per row its borrower code, catalogue index and level rank."""
    codes = ctx.borrower_codes[0]
    order = {sid: i for i, sid in enumerate(SIGNALS)}
    sig, borrower, loan, rank, message = [], [], [], [], []
    for signal, hits in parts:
        n = len(hits.positions)
        if not n:
            continue
        pos = np.asarray(hits.positions, dtype=np.int64)
        if signal.scope == "loan":
            borrower.append(codes[pos])
            loan.append(pos)
        else:
            borrower.append(pos)
            loan.append(np.full(n, -1, dtype=np.int64))
        sig.append(np.full(n, order[signal.id], dtype=np.int64))
        rank.append(np.full(n, signal.level.rank, dtype=np.int64) if hits.level is None
                    else pd.Series(hits.level).map(LEVEL_RANK).to_numpy(dtype=np.int64))
        message.append(hits.message.reset_index(drop=True).astype("str"))
    if not sig:
        empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in SIGNAL_COLUMNS})
        return empty, pd.DataFrame({"borrower": np.empty(0, np.int64),
                                    "signal": np.empty(0, np.int64),
                                    "rank": np.empty(0, np.int64)})
    s, b, p = np.concatenate(sig), np.concatenate(borrower), np.concatenate(loan)
    r = np.concatenate(rank)
    keep = b >= 0
    texts = pd.concat(message, ignore_index=True)
    if not keep.all():
        s, b, p, r, texts = s[keep], b[keep], p[keep], r[keep], texts[keep].reset_index(
            drop=True)
    levels = list(LEVELS)  # red, orange, yellow: code = 3 - rank
    loan_ids = ctx.loans["loan_id"].iloc[np.maximum(p, 0)].reset_index(drop=True).astype("str")
    signals = pd.DataFrame({
        "signal_id": _text(s, list(SIGNALS)),
        "borrower_id": pd.Series(ctx.borrower_ids.take(b), dtype="str"),
        "loan_id": loan_ids.mask(p < 0),
        "level": _text(LEVEL_RANK["red"] - r, levels),
        "message": texts,
        "citation": _text(s, [x.citation for x in SIGNALS.values()]),
    })
    return signals, pd.DataFrame({"borrower": b, "signal": s, "rank": r})


def _escalated(highest: np.ndarray, yellow: np.ndarray, orange: np.ndarray,
               policy: Policy) -> np.ndarray:
    """The watch-list rank: the highest signal's, raised to orange by
    ``warning.yellow_to_orange_count`` yellow signals and to red by
    ``warning.orange_to_red_count`` orange ones (0: never); each signal counts once, at its
    highest level for the borrower."""
    p = policy.warning
    rank = highest.copy()
    if p.yellow_to_orange_count:
        rank = np.where(yellow >= p.yellow_to_orange_count,
                        np.maximum(rank, LEVEL_RANK["orange"]), rank)
    if p.orange_to_red_count:
        rank = np.where(orange >= p.orange_to_red_count, LEVEL_RANK["red"], rank)
    return rank


def _join(values: np.ndarray, first: np.ndarray, sep: str) -> pd.Series:
    """``values`` (text) joined by ``sep`` within the groups starting at ``first``."""
    if not len(first):
        return pd.Series([], dtype="str")
    joined = np.add.reduceat(np.char.add(values.astype(str), sep).astype(object), first)
    return pd.Series(joined, dtype="str").str[:-len(sep)]


def _borrower_columns(ctx: SignalContext, borrowers: np.ndarray) -> pd.DataFrame:
    """Name, branch, officer, balance and listings of borrower codes (all >= 0).

    Name, branch and officer are those of the borrower's loan with the largest balance (the
    first in the ledger on a tie); ``listed``: a ``watch`` or ``monitor`` entry in force at D;
    ``list_types``: every list in force for it, comma-joined in the schema's order.
    """
    codes, k = ctx.borrower_codes
    wanted = np.zeros(k, dtype=bool)
    wanted[borrowers] = True
    pos = np.flatnonzero((codes >= 0) & wanted[np.maximum(codes, 0)])
    balance = np.nan_to_num(ctx.amount("balance"), nan=0.0)
    order = pos[np.lexsort((pos, -balance[pos], codes[pos]))]
    c = codes[order]
    head = order[np.r_[True, c[1:] != c[:-1]]] if len(c) else order
    which = np.full(k, -1, dtype=np.int64)
    which[codes[head]] = head
    at = which[borrowers]

    def column(name: str) -> pd.Series:
        if name not in ctx.loans.columns:
            return pd.Series(pd.NA, index=range(len(at)), dtype="str")
        return ctx.loans[name].iloc[at].reset_index(drop=True).astype("str")

    listed = np.zeros(len(borrowers), dtype=bool)
    types = pd.Series(np.full(len(borrowers), "", dtype=object), dtype="str")
    if ctx.lists is not None:
        entries = ctx.active_listings
        for kind in LIST_TYPE_ZH:
            mask = np.zeros(k, dtype=bool)
            mask[entries.loc[entries["list_type"] == kind, "borrower"].to_numpy(np.int64)] = True
            on = mask[borrowers]
            if kind in WATCH_LIST_TYPES:
                listed |= on
            types = types + pd.Series(np.where(on, kind + ",", ""), dtype="str")
        types = types.str.rstrip(",")
    return pd.DataFrame({
        "borrower_id": pd.Series(ctx.borrower_ids.take(borrowers), dtype="str"),
        "borrower_name": column("borrower_name"), "branch": column("branch"),
        "officer": column("loan_officer"),
        "balance": ctx.borrower_balance[borrowers].astype(float),
        "listed": listed, "list_types": types,
    })


def _watchlist(ctx: SignalContext, rows: pd.DataFrame) -> pd.DataFrame:
    """One row per borrower with a signal (movement added later)."""
    n_signals = len(SIGNALS)
    key = rows["borrower"].to_numpy(dtype=np.int64) * n_signals + rows["signal"].to_numpy(
        dtype=np.int64)
    rank = rows["rank"].to_numpy(dtype=np.int64)
    order = np.argsort(key, kind="stable")
    key, rank = key[order], rank[order]
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
    pair_rank = np.maximum.reduceat(rank, start) if len(key) else rank
    pair = key[start]
    borrower, signal = pair // n_signals, pair % n_signals
    first = np.flatnonzero(np.r_[True, borrower[1:] != borrower[:-1]]) if len(pair) else pair
    b = borrower[first]
    if len(pair):
        highest = np.maximum.reduceat(pair_rank, first)
        yellow = np.add.reduceat((pair_rank == LEVEL_RANK["yellow"]).astype(np.int64), first)
        orange = np.add.reduceat((pair_rank == LEVEL_RANK["orange"]).astype(np.int64), first)
        count = np.add.reduceat(np.ones(len(pair), dtype=np.int64), first)
        direct_flag = np.array([s.direct_listing for s in SIGNALS.values()], dtype=np.int64)
        direct = np.add.reduceat(direct_flag[signal], first) > 0
    else:
        highest = yellow = orange = count = np.empty(0, dtype=np.int64)
        direct = np.empty(0, dtype=bool)
    level_rank = _escalated(highest, yellow, orange, ctx.policy)
    by_rank = {r: name for name, r in LEVEL_RANK.items()}
    ids = np.asarray(list(SIGNALS), dtype=object)
    out = _borrower_columns(ctx, b)
    out["level"] = pd.Series([by_rank[r] for r in level_rank.tolist()], dtype="str")
    out["signal_ids"] = _join(ids[signal], first, ",")
    out["signal_count"] = count.astype(np.int64)
    out["direct_listing"] = direct
    return out


def _with_movement(ctx: SignalContext, watchlist: pd.DataFrame,
                   earlier: pd.DataFrame) -> pd.DataFrame:
    """``movement`` against the earlier snapshot's watch list, and its borrowers without a
    signal now as ``exit`` rows (level empty; name, branch and officer from the ledger when the
    borrower is still in it, else from the earlier list; balance and listings as of now)."""
    before = earlier.loc[earlier["level"].notna()].reset_index(drop=True)
    was = positions_in(watchlist["borrower_id"], before["borrower_id"])
    ranks = before["level"].map(LEVEL_RANK).to_numpy(dtype=np.int64)
    then = np.where(was >= 0, ranks[np.maximum(was, 0)] if len(ranks) else 0, 0)
    now = watchlist["level"].map(LEVEL_RANK).to_numpy(dtype=np.int64)
    movement = np.select([was < 0, now > then, now < then], ["new", "up", "down"], "same")
    watchlist = watchlist.assign(movement=pd.Series(movement, index=watchlist.index, dtype="str"))
    still = positions_in(before["borrower_id"], watchlist["borrower_id"]) >= 0
    gone = before.loc[~still].set_index("borrower_id")
    if not len(gone):
        return watchlist
    codes = positions_in(pd.Series(gone.index, dtype="str"), ctx.borrower_ids)
    kept = np.flatnonzero(codes >= 0)
    columns = {name: gone[name].to_numpy(dtype=object)
               for name in ("borrower_name", "branch", "officer")}
    columns["balance"] = np.zeros(len(gone))
    columns["listed"] = np.zeros(len(gone), dtype=bool)
    columns["list_types"] = np.full(len(gone), "", dtype=object)
    if len(kept):
        current = _borrower_columns(ctx, codes[kept])
        for name, values in columns.items():
            now = current[name].to_numpy(dtype=values.dtype)
            if values.dtype == object and name != "list_types":
                now = np.where(pd.isna(now), values[kept], now)  # the ledger's, else the list's
            values[kept] = now
    exits = pd.DataFrame({"borrower_id": gone.index.to_numpy(dtype=object), **columns})
    exits = exits.astype({"balance": float, "listed": bool})
    exits["level"] = pd.Series(pd.NA, index=exits.index, dtype="str")
    exits["signal_ids"] = ""
    exits["signal_count"] = np.zeros(len(exits), dtype=np.int64)
    exits["direct_listing"] = False
    exits["movement"] = "exit"
    exits = exits.astype({c: "str" for c in ("borrower_id", "borrower_name", "branch", "officer",
                                              "level", "signal_ids", "list_types", "movement")})
    return pd.concat([watchlist, exits[watchlist.columns]], ignore_index=True)


def _sorted(watchlist: pd.DataFrame) -> pd.DataFrame:
    """Red first, then orange, yellow and exits; within a level the largest balance first (the
    borrower id breaks ties)."""
    rank = watchlist["level"].map(LEVEL_RANK).fillna(0).to_numpy(dtype=np.int64)
    order = np.lexsort((watchlist["borrower_id"].to_numpy(dtype=object),
                        -watchlist["balance"].to_numpy(dtype=float), -rank))
    return watchlist.iloc[order].reset_index(drop=True)
