"""The audit-trail store (检查记录库): the only module that speaks SQL.

:func:`open_store` opens (and creates or migrates) a store: SQLite by default, at the path
from ``--db``, else ``POSTLOAN_AUDIT_DB``, else ``~/.postloan-audit/audit.db``; or PostgreSQL
through a ``postgresql://`` URL for a shared deployment. The same SQLAlchemy Core statements
run on both; the dialect layer is three small things: connection set-up (SQLite: WAL journal,
busy timeout, ``BEGIN IMMEDIATE`` for writes), the writers' lock (PostgreSQL: one transaction-
scoped advisory lock) and the append-only triggers of ``change_log`` (:mod:`.schema`).

Every write runs in one transaction under the writers' lock, names who and when, and appends
to ``change_log``; history is never rewritten. See ``docs/audit-trail.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event

from postloan_audit.compliance.checks import FINDING_COLUMNS, CheckReport
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.dates import coerce_optional_date
from postloan_audit.core.errors import ImportRefused, TrailError
from postloan_audit.core.identity import current_user
from postloan_audit.core.lookup import positions_in
from postloan_audit.trail import alerts as al
from postloan_audit.trail import followup as fu
from postloan_audit.trail import schema as t

#: Environment variable naming the store (a path or a database URL).
DB_ENV_VAR = "POSTLOAN_AUDIT_DB"
#: The store used when neither ``--db`` nor :data:`DB_ENV_VAR` is given.
DEFAULT_DB_PATH = Path("~/.postloan-audit/audit.db")
#: How long a writer waits for another writer to finish (SQLite busy timeout), in seconds.
BUSY_TIMEOUT_SECONDS = 60
#: What the reference day of deadlines is called in messages.
TODAY = ("基准日期", "reference date")
#: Key of the PostgreSQL advisory lock every write transaction takes.
_PG_LOCK_KEY = 0x504C4141  # "PLAA"


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL of ``db`` (a path or URL), else of ``POSTLOAN_AUDIT_DB``, else the
    default path. A bare ``postgresql://`` URL uses the psycopg (3) driver."""
    value = db if db not in (None, "") else os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH
    text = os.fspath(value)
    if "://" in text:
        if text.startswith(("postgresql://", "postgres://")):
            text = "postgresql+psycopg://" + text.split("://", 1)[1]
        return text
    path = Path(text).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def local_times(utc: pd.Series, time_zone: str) -> pd.Series:
    """Stored times (UTC, as :func:`_now` writes them) as the bank reads them: text
    ``2026-09-30 14:05`` in ``time_zone`` (the policy's ``trail.time_zone``); a missing time is
    ``""``.

    >>> local_times(pd.Series([dt.datetime(2026, 9, 30, 6, 5), None]), "Asia/Shanghai").tolist()
    ['2026-09-30 14:05', '']
    """
    times = pd.to_datetime(utc).dt.tz_localize("UTC").dt.tz_convert(time_zone)
    return times.dt.strftime("%Y-%m-%d %H:%M").fillna("").astype(object)


def _shown(url: str) -> str:
    """``url`` for a message: a database URL with its password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record) -> None:  # pragma: no cover - exercised via engine
            # SQLAlchemy issues BEGIN itself (below); the driver must not.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # pragma: no cover - exercised via engine
            # Writers take the write lock at BEGIN, so two writers queue on the busy timeout
            # instead of failing on a lock upgrade; readers use a deferred BEGIN (WAL snapshot).
            readonly = conn.get_execution_options().get("readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    try:
        return sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise TrailError(f"记录库地址无效:{_shown(url)}。请检查 --db 或 POSTLOAN_AUDIT_DB 的地址,如 "
                         f"postgresql://用户@主机:5432/库名。 / invalid store URL {_shown(url)}: "
                         f"{exc}") from None


@dataclass(frozen=True)
class RunRecord:
    """A recorded check run: its id and its comparison with the previous run of its scope."""

    run_id: int
    scope: str
    comparison: fu.Comparison

    def line(self) -> str:
        """``与上次相比: 新增 N / 延续 M / 消失 K``."""
        return self.comparison.line()


@dataclass(frozen=True)
class AlertRecord:
    """A recorded early-warning scan: its id, the alerts raised (发起) and carried, and the
    borrowers whose alert is not yet 解除 but who are no longer watched."""

    run_id: int
    raised: int
    carried: int
    unwatched: int

    def line(self) -> str:
        """``已记录预警: 新发起 N / 延续 M / 不再在名单 K``."""
        return (f"已记录为第 {self.run_id} 次预警扫描:新发起 {self.raised} / 延续 {self.carried} / "
                f"不再在名单(待解除) {self.unwatched} / recorded as scan {self.run_id}: "
                f"{self.raised} raised, {self.carried} carried, {self.unwatched} no longer watched")


def policy_text(policy: Policy) -> str:
    """The policy as canonical JSON (what is stored, and hashed)."""
    return json.dumps(policy.to_dict(), ensure_ascii=False, sort_keys=True)


class AuditStore:
    """An open audit-trail store (检查记录库). Build it with :func:`open_store`.

    Attributes
    ----------
    url:
        The SQLAlchemy URL (password hidden in ``repr``).
    user:
        Who is recorded on every write (the user given, else the sign-in proxy's user or the
        OS user at the time of the write).
    """

    def __init__(self, engine: sa.Engine, *, user: str | None = None) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self._user = user or None
        self._ensure_schema()

    @property
    def user(self) -> str:
        """Who is recorded on a write: the user given, else :func:`current_user` read at each
        write (a page's kernel may be started before its visitor signs in, docs/deploy.md)."""
        return self._user or current_user()

    def __repr__(self) -> str:
        return f"AuditStore({self.url!r}, user={self.user!r})"

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    # ------------------------------------------------------------------ transactions

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            yield conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine.connect().execution_options(readonly=True) as conn:
            yield conn

    def _schema_version(self, conn: sa.Connection) -> int:
        if not sa.inspect(conn).has_table("schema_migrations"):
            return 0
        return int(conn.execute(sa.select(sa.func.max(t.schema_migrations.c.version)))
                   .scalar() or 0)

    def _refuse_newer(self, version: int) -> None:
        if version > t.SCHEMA_VERSION:
            from postloan_audit.core.version import __version__

            raise TrailError(
                f"记录库 {self.url} 的结构版本为 {version},高于本程序(postloan-audit {__version__})"
                f"支持的版本 {t.SCHEMA_VERSION}:请升级 postloan-audit 后再打开,切勿用旧版本写入。"
                f" / The store {self.url} has schema version {version}, newer than the "
                f"{t.SCHEMA_VERSION} this postloan-audit {__version__} knows: upgrade "
                "postloan-audit to open it.")

    def _ensure_schema(self) -> None:
        with self._read() as conn:
            version = self._schema_version(conn)
        self._refuse_newer(version)
        if version == t.SCHEMA_VERSION:
            return
        with self._write() as conn:
            t.schema_migrations.create(conn, checkfirst=True)
            version = self._schema_version(conn)  # another process may have migrated
            self._refuse_newer(version)
            for number, name, step in t.MIGRATIONS:
                if number > version:
                    step(conn)
                    conn.execute(t.schema_migrations.insert().values(
                        version=number, name=name, applied_at=_now(), applied_by=self.user))

    def schema_version(self) -> int:
        """The store's schema version."""
        with self._read() as conn:
            return self._schema_version(conn)

    def _log(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
        if rows:
            at = _now()
            conn.execute(t.change_log.insert(), [
                {"at": at, "who": self.user, "note": None, **r} for r in rows])

    # ------------------------------------------------------------------ runs

    def record_run(self, report: CheckReport, *, scope: str | None = None,
                   branches: pd.Series | None = None, profile: str = "") -> RunRecord:
        """Record a check run and its findings; update the follow-up (记录检查结果).

        New keys get status 待整改 and a deadline (first seen + ``rectification.days_*``);
        keys seen again while 已整改(待核实) go back to 整改中 (the data still shows them), and
        a 已销号 key seen again is reopened as 待整改. Keys of the previous run of the same scope
        that are gone (for rules run this time) and still 待整改/整改中 are proposed as
        已整改(待核实): never closed.

        Parameters
        ----------
        report:
            From :func:`postloan_audit.run_checks`.
        scope:
            What the run covers; default the extract's branches (``branches``) sorted and
            joined. Runs are compared with the previous run of the same scope.
        branches:
            The extract's ``branch`` column (for the default scope).
        profile:
            The export profile used to read the extract, if any (default: the one the report
            records, ``CheckReport.profile_name``).
        """
        from postloan_audit.core.version import __version__

        scope = scope or fu.scope_of(branches if branches is not None
                                     else report.findings["branch"])
        f = report.findings.reset_index(drop=True)
        keys = fu.finding_keys(f)
        ptext = policy_text(report.policy)
        with self._write() as conn:
            prev = conn.execute(sa.select(t.runs.c.run_id).where(t.runs.c.scope == scope)
                                .order_by(t.runs.c.run_id.desc()).limit(1)).scalar()
            prev_f = None
            if prev is not None:
                prev_f = pd.DataFrame(conn.execute(
                    sa.select(t.findings.c.finding_key, t.findings.c.rule_id)
                    .where(t.findings.c.run_id == prev)).all(), columns=["finding_key", "rule_id"])
            cmp = fu.compare_runs(keys, prev_f, report.rules_run, prev)
            run_id = conn.execute(t.runs.insert().values(
                recorded_at=_now(), recorded_by=self.user, as_of=report.as_of, scope=scope,
                profile=profile or report.profile_name or "", source_name=report.source_name, fingerprint=report.fingerprint,
                policy_sha=hashlib.sha256(ptext.encode("utf-8")).hexdigest(),
                policy_text=ptext, rules_run=",".join(report.rules_run),
                not_run=report.not_run.to_json(orient="records", force_ascii=False),
                warnings=json.dumps(list(report.warnings), ensure_ascii=False),
                loans_checked=int(report.loans_checked), findings_count=len(f),
                previous_run_id=prev, new_count=len(cmp.new), carried_count=len(cmp.carried),
                gone_count=len(cmp.gone), version=__version__,
            ).returning(t.runs.c.run_id)).scalar_one()
            rows = _records(f.assign(run_id=run_id, seq=range(len(f)), finding_key=keys),
                            ["run_id", "seq", "finding_key", *FINDING_COLUMNS])
            if rows:
                conn.execute(t.findings.insert(), rows)
            self._log(conn, [{"entity": "run", "entity_key": str(run_id), "field": "recorded",
                              "old": None, "new": f"{report.source_name} {report.as_of} "
                              f"{scope} findings={len(f)}"}])
            self._update_followup(conn, run_id, report, f, keys, cmp)
        return RunRecord(run_id=run_id, scope=scope, comparison=cmp)

    def _update_followup(self, conn: sa.Connection, run_id: int, report: CheckReport,
                         f: pd.DataFrame, keys: pd.Series, cmp: fu.Comparison) -> None:
        current = pd.DataFrame(conn.execute(
            sa.select(t.rectifications.c.finding_key, t.rectifications.c.status)).all(),
            columns=["finding_key", "status"]).set_index("finding_key")["status"]
        now = _now()
        first = ~keys.duplicated()
        fresh = f.loc[first.to_numpy() & ~keys.isin(current.index).to_numpy()].copy()
        fresh_keys = keys[fresh.index]
        log: list[dict[str, Any]] = []
        if len(fresh):
            due = fu.deadlines(pd.Series(pd.Timestamp(report.as_of), index=fresh.index),
                               fresh["severity"], report.policy.rectification)
            fresh = fresh.assign(finding_key=fresh_keys, origin="check", first_seen=report.as_of,
                                 first_run_id=run_id, last_run_id=run_id, deadline=due.dt.date,
                                 status=fu.PENDING, updated_at=now, updated_by=self.user)
            conn.execute(t.rectifications.insert(), _records(fresh, [
                "finding_key", "origin", "rule_id", "severity", "loan_id", "borrower_id",
                "borrower_name", "branch", "message", "first_seen", "first_run_id",
                "last_run_id", "deadline", "status", "updated_at", "updated_by"]))
            log += [{"entity": "rectification", "entity_key": k, "field": "status", "old": None,
                     "new": fu.PENDING, "note": f"第 {run_id} 次检查首次发现 / first seen in run {run_id}"}
                    for k in fresh_keys]
        seen = pd.Index(keys[first.to_numpy()]).intersection(current.index)
        if len(seen):
            conn.execute(t.rectifications.update()
                         .where(t.rectifications.c.finding_key == sa.bindparam("k"))
                         .values(last_run_id=run_id), [{"k": k} for k in seen])
        moves = [(seen[current[seen].to_numpy() == fu.RECTIFIED], fu.RECTIFIED, fu.IN_PROGRESS,
                  f"第 {run_id} 次检查仍发现该问题,整改未完成 / still found in run {run_id}"),
                 (seen[current[seen].to_numpy() == fu.CLOSED], fu.CLOSED, fu.PENDING,
                  f"已销号的问题在第 {run_id} 次检查再次出现 / reappeared in run {run_id}")]
        gone = pd.Index(cmp.gone).intersection(current.index)
        for old in (fu.PENDING, fu.IN_PROGRESS):
            moves.append((gone[current[gone].to_numpy() == old], old, fu.RECTIFIED,
                          f"第 {run_id} 次检查中不再出现,建议核实后销号 / gone in run {run_id}: "
                          "verify, then close"))
        for targets, old, new, note in moves:
            if not len(targets):
                continue
            conn.execute(t.rectifications.update()
                         .where(t.rectifications.c.finding_key == sa.bindparam("k"))
                         .values(status=new, updated_at=now, updated_by=self.user),
                         [{"k": k} for k in targets])
            log += [{"entity": "rectification", "entity_key": k, "field": "status", "old": old,
                     "new": new, "note": note} for k in targets]
        self._log(conn, log)

    def compare(self, report: CheckReport, *, scope: str | None = None,
                branches: pd.Series | None = None) -> tuple[str, fu.Comparison]:
        """What :meth:`record_run` would report, without writing: ``(scope, comparison)``."""
        scope = scope or fu.scope_of(branches if branches is not None
                                     else report.findings["branch"])
        keys = fu.finding_keys(report.findings.reset_index(drop=True))
        with self._read() as conn:
            prev = conn.execute(sa.select(t.runs.c.run_id).where(t.runs.c.scope == scope)
                                .order_by(t.runs.c.run_id.desc()).limit(1)).scalar()
            prev_f = None
            if prev is not None:
                prev_f = pd.DataFrame(conn.execute(
                    sa.select(t.findings.c.finding_key, t.findings.c.rule_id)
                    .where(t.findings.c.run_id == prev)).all(), columns=["finding_key", "rule_id"])
        return scope, fu.compare_runs(keys, prev_f, report.rules_run, prev)

    def runs(self) -> pd.DataFrame:
        """Every recorded run, newest first (检查记录)."""
        cols = ["run_id", "recorded_at", "recorded_by", "as_of", "scope", "source_name",
                "fingerprint", "profile", "policy_sha", "rules_run", "loans_checked", "findings_count",
                "previous_run_id", "new_count", "carried_count", "gone_count"]
        with self._read() as conn:
            rows = conn.execute(sa.select(*[t.runs.c[c] for c in cols])
                                .order_by(t.runs.c.run_id.desc())).all()
        return pd.DataFrame(rows, columns=cols)

    def run_findings(self, run_id: int) -> pd.DataFrame:
        """The findings of a run, in their original order, with ``finding_key``."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.findings).where(t.findings.c.run_id == run_id)
                                .order_by(t.findings.c.seq)).all()
        frame = pd.DataFrame(rows, columns=[c.name for c in t.findings.columns])
        return frame

    def report_for(self, run_id: int | None = None) -> tuple[int, CheckReport]:
        """The :class:`CheckReport` of a recorded run (default the latest), rebuilt."""
        with self._read() as conn:
            q = sa.select(t.runs)
            q = q.where(t.runs.c.run_id == run_id) if run_id is not None else \
                q.order_by(t.runs.c.run_id.desc()).limit(1)
            row = conn.execute(q).mappings().first()
        if row is None:
            raise TrailError("记录库中没有检查记录,请先用 check --record 记录一次检查 / no "
                             "recorded run: record one with check --record" if run_id is None
                             else f"记录库中没有第 {run_id} 次检查 / no run {run_id}")
        f = self.run_findings(row["run_id"])
        findings = pd.DataFrame({
            c: f[c].astype("str") if c not in ("due_date", "days_late") else f[c]
            for c in FINDING_COLUMNS})
        findings["due_date"] = pd.to_datetime(findings["due_date"]).astype("datetime64[ns]")
        findings["days_late"] = pd.array(findings["days_late"], dtype="Int64")
        not_run = pd.DataFrame(json.loads(row["not_run"]), columns=["rule_id", "reason"])
        report = CheckReport(
            findings=findings, not_run=not_run.astype("str"), as_of=row["as_of"],
            policy=Policy.from_dict(json.loads(row["policy_text"]), source=row["source_name"]
                                    and f"run {row['run_id']}" or "default"),
            fingerprint=row["fingerprint"], source_name=row["source_name"],
            rules_run=tuple(r for r in row["rules_run"].split(",") if r),
            warnings=tuple(json.loads(row["warnings"])), loans_checked=row["loans_checked"],
            created=row["recorded_at"])
        return row["run_id"], report

    # ------------------------------------------------------------------ follow-up

    def followup(self, *, branch: str | None = None, rule: str | None = None,
                 status: str | None = None, overdue: bool | None = None,
                 today: dt.date | None = None) -> pd.DataFrame:
        """The follow-up list (整改台账): one row per stable finding key, filtered.

        ``overdue`` (True/False) keeps findings past / not past their deadline on ``today``
        (default today) that are still 待整改 or 整改中. Sorted by branch, deadline, key.
        """
        with self._read() as conn:
            rows = conn.execute(sa.select(t.rectifications)).all()
        frame = pd.DataFrame(rows, columns=[c.name for c in t.rectifications.columns])
        today = coerce_optional_date(today, what=TODAY) or dt.date.today()
        frame["overdue"] = fu.overdue(frame, today) if len(frame) else \
            pd.Series([], dtype=bool)
        mask = pd.Series(True, index=frame.index)
        if branch:
            mask &= frame["branch"] == branch
        if rule:
            mask &= frame["rule_id"] == rule
        if status:
            mask &= frame["status"] == status
        if overdue is not None:
            mask &= frame["overdue"] == bool(overdue)
        out = frame.loc[mask.to_numpy()]
        return out.sort_values(["branch", "deadline", "finding_key"], kind="stable") \
            .reset_index(drop=True)

    def changes(self, entity_key: str | None = None) -> pd.DataFrame:
        """The change log (变更记录), oldest first; one key's history with ``entity_key``."""
        q = sa.select(t.change_log).order_by(t.change_log.c.change_id)
        if entity_key is not None:
            q = q.where(t.change_log.c.entity_key == entity_key)
        with self._read() as conn:
            rows = conn.execute(q).all()
        frame = pd.DataFrame(rows, columns=[c.name for c in t.change_log.columns])
        for name in ("old", "new", "note"):  # an absent value stays None, not NaN
            frame[name] = pd.Series([r[name] for r in (row._mapping for row in rows)],
                                    dtype=object, index=frame.index)
        return frame

    def apply_updates(self, updates: pd.DataFrame, *, file_name: str, file_sha: str,
                      sheet: str, today: dt.date | None = None) -> int:
        """Validate returned follow-up rows and apply them all, or none (导入整改情况).

        The validation (:func:`postloan_audit.trail.followup.validate_updates`) runs inside
        the write transaction against the store's current state, so two imports at once
        cannot both pass on a stale status.

        Returns
        -------
        int
            The number of findings changed.

        Raises
        ------
        ImportRefused
            Any row refused; the store is unchanged.
        """
        today = coerce_optional_date(today, what=TODAY) or dt.date.today()
        if updates.empty:  # a workbook without findings rows: nothing to apply
            return 0
        with self._write() as conn:
            current = pd.DataFrame(conn.execute(sa.select(
                t.rectifications.c.finding_key, t.rectifications.c.status,
                t.rectifications.c.measures, t.rectifications.c.completed_on,
                t.rectifications.c.responsible)).all(),
                columns=["finding_key", "status", "measures", "completed_on", "responsible"])
            run_ids = sorted({int(r) for r in pd.to_numeric(updates["run_id"], errors="coerce")
                              .dropna()})
            known = {int(r) for r in conn.execute(
                sa.select(t.runs.c.run_id).where(t.runs.c.run_id.in_(run_ids))).scalars()}
            run_keys = pd.DataFrame(conn.execute(
                sa.select(t.findings.c.run_id, t.findings.c.finding_key)
                .where(t.findings.c.run_id.in_(sorted(known)))).all(),
                columns=["run_id", "finding_key"])
            changes, refused = fu.validate_updates(updates, current, run_keys, known, today=today)
            if len(refused):
                raise ImportRefused(file_name, refused, sheet=sheet)
            import_id = conn.execute(t.imports.insert().values(
                at=_now(), who=self.user, kind="findings", file_name=file_name,
                file_sha=file_sha, rows_applied=len(changes)).returning(
                t.imports.c.import_id)).scalar_one()
            self._apply_changes(conn, changes, note=f"导入 {file_name}(第 {import_id} 次导入)")
        return len(changes)

    def _apply_changes(self, conn: sa.Connection, changes: pd.DataFrame, *, note: str) -> None:
        if not len(changes):
            return
        now = _now()
        params = [{f"b_{k}": v for k, v in r.items()}
                  for r in _records(changes, ["finding_key", *fu.UPDATE_FIELDS])]
        conn.execute(t.rectifications.update()
                     .where(t.rectifications.c.finding_key == sa.bindparam("b_finding_key"))
                     .values(status=sa.bindparam("b_status"), measures=sa.bindparam("b_measures"),
                             completed_on=sa.bindparam("b_completed_on"),
                             responsible=sa.bindparam("b_responsible"),
                             updated_at=now, updated_by=self.user), params)
        log = []
        for name in fu.UPDATE_FIELDS:
            old, new = fu.as_text(changes[f"{name}_old"]), fu.as_text(changes[name])
            differ = (old != new).to_numpy()
            log += [{"entity": "rectification", "entity_key": k, "field": name,
                     "old": o or None, "new": v or None, "note": note}
                    for k, o, v in zip(changes["finding_key"][differ], old[differ], new[differ],
                                       strict=True)]
        self._log(conn, log)

    # ------------------------------------------------------------------ early-warning alerts

    def record_alerts(self, watchlist: pd.DataFrame, signals: pd.DataFrame, *,
                      as_of: dt.date, source_name: str, fingerprint: str,
                      policy: Policy) -> AlertRecord:
        """Record a scan's watch list as alerts (记录预警名单), in one transaction.

        A watched borrower (a ``watchlist`` row with a level) without an alert that is not yet
        解除 gets a new alert in state 发起 with the deadline of its level
        (``warning.disposal_days_*`` from ``as_of``); one with such an alert carries it: its
        level, name, branch, officer, balance and signal ids are today's, and a level that rose
        brings an open alert's deadline forward to what the new level allows from ``as_of``.
        The borrower's ``signals`` are kept with the alert for this run. Borrowers no longer
        watched keep their alert as it is: lifting one is a person's decision (解除).

        Parameters
        ----------
        watchlist, signals:
            :attr:`SignalReport.watchlist` and :attr:`SignalReport.signals`.
        as_of:
            The scan date (the 发起 date of new alerts).
        source_name, fingerprint:
            The extract scanned.
        policy:
            The policy of the scan (its ``warning.disposal_days_*``).
        """
        from postloan_audit.core.version import __version__

        as_of = coerce_optional_date(as_of, what=("预警日期", "scan date"))
        watched = watchlist.loc[watchlist["level"].notna().to_numpy()].reset_index(drop=True)
        ids = watched["borrower_id"].astype("str")
        if ids.isna().any() or ids.duplicated().any():
            raise ValueError("预警名单的客户号须唯一且不为空 / the watch list must name each borrower "
                             "once")
        ptext = policy_text(policy)
        now = _now()
        with self._write() as conn:
            open_ = pd.DataFrame(conn.execute(
                sa.select(t.alerts.c.alert_id, t.alerts.c.borrower_id, t.alerts.c.status,
                          t.alerts.c.level, t.alerts.c.deadline)
                .where(t.alerts.c.status != al.LIFTED)).all(),
                columns=["alert_id", "borrower_id", "status", "level", "deadline"])
            where = positions_in(ids, open_["borrower_id"].astype("str"))
            fresh = where < 0
            run_id = conn.execute(t.alert_runs.insert().values(
                recorded_at=now, recorded_by=self.user, as_of=as_of, source_name=source_name,
                fingerprint=fingerprint or "",
                policy_sha=hashlib.sha256(ptext.encode("utf-8")).hexdigest(),
                watched=len(watched), raised_count=int(fresh.sum()),
                carried_count=int((~fresh).sum()), version=__version__,
            ).returning(t.alert_runs.c.run_id)).scalar_one()
            columns = {"borrower_id": ids, "level": watched["level"].astype("str")}
            for name in ("borrower_name", "branch", "officer", "signal_ids"):
                columns[name] = (watched[name] if name in watched.columns
                                 else pd.Series(None, index=watched.index, dtype=object))
            columns["balance"] = pd.to_numeric(watched.get("balance"), errors="coerce")
            rows = pd.DataFrame(columns)
            log: list[dict[str, Any]] = []
            new = rows.loc[fresh]
            if len(new):
                new = new.assign(raised_on=as_of, first_run_id=run_id, last_run_id=run_id,
                                 status=al.RAISED,
                                 deadline=al.deadlines(pd.Series(as_of, index=new.index),
                                                       new["level"], policy.warning),
                                 updated_at=now, updated_by=self.user)
                conn.execute(t.alerts.insert(), _records(new, [
                    "borrower_id", "borrower_name", "branch", "officer", "level", "balance",
                    "signal_ids", "raised_on", "first_run_id", "last_run_id", "status",
                    "deadline", "updated_at", "updated_by"]))
            alert_of = {b: int(a) for b, a in conn.execute(
                sa.select(t.alerts.c.borrower_id, t.alerts.c.alert_id)
                .where(t.alerts.c.status != al.LIFTED)).all()}
            alert_ids = ids.map(alert_of).astype("int64")
            log += [{"entity": "alert", "entity_key": str(a), "field": "status", "old": None,
                     "new": al.RAISED, "note": f"第 {run_id} 次预警扫描({as_of:%Y-%m-%d})发起 / "
                     f"raised by scan {run_id}"} for a in alert_ids[fresh]]
            carried = rows.loc[~fresh].assign(alert_id=alert_ids[~fresh])
            if len(carried):
                before = open_.iloc[where[~fresh]].reset_index(drop=True)
                carried = carried.reset_index(drop=True)
                rank = {"red": 3, "orange": 2, "yellow": 1}
                rose = (carried["level"].map(rank) > before["level"].map(rank)).to_numpy()
                sooner = pd.Series(al.deadlines(pd.Series(as_of, index=carried.index),
                                                carried["level"], policy.warning))
                old_deadline = pd.to_datetime(before["deadline"]).dt.date
                tighten = rose & before["status"].isin(sorted(al.OPEN_STATES)).to_numpy() \
                    & (sooner < old_deadline).to_numpy()
                deadline = np.where(tighten, sooner, old_deadline)
                conn.execute(
                    t.alerts.update().where(t.alerts.c.alert_id == sa.bindparam("b_alert_id"))
                    .values(level=sa.bindparam("b_level"), borrower_name=sa.bindparam("b_name"),
                            branch=sa.bindparam("b_branch"), officer=sa.bindparam("b_officer"),
                            balance=sa.bindparam("b_balance"),
                            signal_ids=sa.bindparam("b_signal_ids"),
                            deadline=sa.bindparam("b_deadline"), last_run_id=run_id),
                    [{"b_alert_id": r["alert_id"], "b_level": r["level"],
                      "b_name": r["borrower_name"], "b_branch": r["branch"],
                      "b_officer": r["officer"], "b_balance": r["balance"],
                      "b_signal_ids": r["signal_ids"], "b_deadline": d}
                     for r, d in zip(_records(carried, ["alert_id", "level", "borrower_name",
                                                        "branch", "officer", "balance",
                                                        "signal_ids"]),
                                     deadline, strict=True)])
                moved = (carried["level"] != before["level"]).to_numpy()
                note = f"第 {run_id} 次预警扫描({as_of:%Y-%m-%d}) / scan {run_id}"
                log += [{"entity": "alert", "entity_key": str(a), "field": "level", "old": o,
                         "new": n, "note": note}
                        for a, o, n in zip(carried["alert_id"][moved], before["level"][moved],
                                           carried["level"][moved], strict=True)]
                log += [{"entity": "alert", "entity_key": str(a), "field": "deadline",
                         "old": f"{o:%Y-%m-%d}", "new": f"{n:%Y-%m-%d}", "note": note}
                        for a, o, n in zip(carried["alert_id"][tighten],
                                           old_deadline[tighten], sooner[tighten], strict=True)]
            sig = signals.loc[signals["borrower_id"].isin(ids).to_numpy()].reset_index(drop=True)
            if len(sig):
                sig = sig.assign(alert_id=sig["borrower_id"].astype("str").map(alert_of)
                                 .astype("int64"), run_id=run_id)
                sig["seq"] = sig.groupby("alert_id").cumcount()
                conn.execute(t.alert_signals.insert(), _records(sig, [
                    "alert_id", "run_id", "seq", "signal_id", "loan_id", "level", "message",
                    "citation"]))
            self._log(conn, [{"entity": "alert_run", "entity_key": str(run_id),
                              "field": "recorded", "old": None,
                              "new": f"{source_name} {as_of} watched={len(watched)}"}] + log)
        return AlertRecord(run_id=run_id, raised=int(fresh.sum()), carried=int((~fresh).sum()),
                           unwatched=len(set(open_["borrower_id"]) - set(ids)))

    def alerts(self, *, open_only: bool = False, branch: str | None = None,
               status: str | None = None, today: dt.date | None = None) -> pd.DataFrame:
        """The alerts (预警台账), with ``overdue`` on ``today`` (default today), by branch,
        deadline and id; ``open_only`` keeps 发起, 认定 and 处置."""
        today = coerce_optional_date(today, what=TODAY) or dt.date.today()
        q = sa.select(t.alerts).order_by(t.alerts.c.alert_id)
        if open_only:
            q = q.where(t.alerts.c.status.in_(sorted(al.OPEN_STATES)))
        if branch:
            q = q.where(t.alerts.c.branch == branch)
        if status:
            q = q.where(t.alerts.c.status == status)
        with self._read() as conn:
            rows = conn.execute(q).all()
        frame = pd.DataFrame(rows, columns=[c.name for c in t.alerts.columns])
        frame["overdue"] = al.overdue(frame, today) if len(frame) else pd.Series([], dtype=bool)
        return frame.sort_values(["branch", "deadline", "alert_id"], kind="stable") \
            .reset_index(drop=True)

    def alert_signals(self, alert_ids: list[int] | None = None) -> pd.DataFrame:
        """The signals of each alert in the latest run that watched it (``alert_id``,
        ``signal_id``, ``loan_id``, ``level``, ``message``, ``citation``)."""
        latest = sa.select(t.alerts.c.alert_id, t.alerts.c.last_run_id)
        if alert_ids is not None:
            latest = latest.where(t.alerts.c.alert_id.in_([int(a) for a in alert_ids]))
        latest = latest.subquery()
        s = t.alert_signals.c
        q = (sa.select(s.alert_id, s.signal_id, s.loan_id, s.level, s.message, s.citation)
             .join(latest, sa.and_(latest.c.alert_id == s.alert_id,
                                   latest.c.last_run_id == s.run_id))
             .order_by(s.alert_id, s.seq))
        with self._read() as conn:
            rows = conn.execute(q).all()
        return pd.DataFrame(rows, columns=["alert_id", "signal_id", "loan_id", "level",
                                           "message", "citation"])

    def alert_history(self, alert_id: int) -> pd.DataFrame:
        """One alert's history from the change log (who, when, what, old → new), oldest
        first."""
        log = self.changes(str(int(alert_id)))
        return log.loc[(log["entity"] == "alert").to_numpy()].reset_index(drop=True)

    def alert_runs(self) -> pd.DataFrame:
        """Every recorded early-warning scan."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.alert_runs).order_by(t.alert_runs.c.run_id)).all()
        return pd.DataFrame(rows, columns=[c.name for c in t.alert_runs.columns])

    def overdue_alerts_by_branch(self, today: dt.date | None = None) -> pd.DataFrame:
        """Per branch: open alerts (``open``) and those past their deadline (``overdue``),
        branches with an open alert only, by branch (逾期未处置预警)."""
        frame = self.alerts(open_only=True, today=today)
        out = frame.assign(branch=frame["branch"].fillna("")).groupby("branch", sort=True) \
            .agg(open=("alert_id", "size"), overdue=("overdue", "sum")).reset_index()
        return out.astype({"open": "int64", "overdue": "int64"})

    def transition_alert(self, alert_id: int, status: str | None = None, *,
                         measures: str | None = None, responsible: str | None = None,
                         deadline: dt.date | str | None = None,
                         note: str | None = None) -> None:
        """Move one alert to ``status`` and/or change its measures, person, deadline or note
        (a value left None keeps the stored one), as the workbook import does.

        Raises
        ------
        TrailError
            The change is refused (the message says why, Chinese first: 须先认定 for a raised
            alert sent straight to 处置 or 解除); nothing changed.
        """
        with self._write() as conn:
            current = self._alert_state(conn)
            row = current.loc[current["alert_id"] == int(alert_id), "borrower_id"]
            updates = pd.DataFrame({
                "excel_row": [0], "alert_id": [str(alert_id)],
                "borrower_id": [row.iloc[0] if len(row) else None], "status": [status],
                "measures": [measures], "responsible": [responsible],
                "deadline": [None if deadline is None else str(deadline)], "note": [note]},
                dtype=object)
            changes, refused = al.validate_alert_updates(updates, current)
            if len(refused):
                raise TrailError(";".join(refused["problem"]))
            self._apply_alert_changes(conn, changes, note=note)

    def apply_alert_updates(self, updates: pd.DataFrame, *, file_name: str, file_sha: str,
                            sheet: str) -> int:
        """Validate returned alert rows and apply them all, or none (导入预警处理表); the
        validation (:func:`postloan_audit.trail.alerts.validate_alert_updates`) runs inside
        the write transaction. Returns the number of alerts changed.

        Raises
        ------
        ImportRefused
            Any row refused; the store is unchanged.
        """
        if updates.empty:
            return 0
        with self._write() as conn:
            changes, refused = al.validate_alert_updates(updates, self._alert_state(conn))
            if len(refused):
                raise ImportRefused(file_name, refused, sheet=sheet)
            import_id = conn.execute(t.imports.insert().values(
                at=_now(), who=self.user, kind="alerts", file_name=file_name,
                file_sha=file_sha, rows_applied=len(changes)).returning(
                t.imports.c.import_id)).scalar_one()
            self._apply_alert_changes(conn, changes,
                                      note=f"导入 {file_name}(第 {import_id} 次导入)")
        return len(changes)

    def _alert_state(self, conn: sa.Connection) -> pd.DataFrame:
        a = t.alerts.c
        return pd.DataFrame(conn.execute(sa.select(
            a.alert_id, a.borrower_id, a.raised_on, a.status, a.measures, a.responsible,
            a.deadline, a.note)).all(), columns=["alert_id", "borrower_id", "raised_on", "status",
                                                 "measures", "responsible", "deadline", "note"])

    def _apply_alert_changes(self, conn: sa.Connection, changes: pd.DataFrame, *,
                             note: str | None) -> None:
        if not len(changes):
            return
        params = [{f"b_{k}": v for k, v in r.items()}
                  for r in _records(changes, ["alert_id", *al.UPDATE_FIELDS])]
        conn.execute(t.alerts.update()
                     .where(t.alerts.c.alert_id == sa.bindparam("b_alert_id"))
                     .values(status=sa.bindparam("b_status"), measures=sa.bindparam("b_measures"),
                             responsible=sa.bindparam("b_responsible"),
                             deadline=sa.bindparam("b_deadline"), note=sa.bindparam("b_note"),
                             updated_at=_now(), updated_by=self.user), params)
        log = []
        for name in al.UPDATE_FIELDS:
            old, new = al.as_text(changes[f"{name}_old"]), al.as_text(changes[name])
            differ = (old != new).to_numpy()
            log += [{"entity": "alert", "entity_key": str(k), "field": name,
                     "old": o or None, "new": v or None, "note": note}
                    for k, o, v in zip(changes["alert_id"][differ], old[differ], new[differ],
                                       strict=True)]
        self._log(conn, log)

    # ------------------------------------------------------------------ samples, on-site

    def record_sample(self, sample: Any) -> int:
        """Record a :class:`~postloan_audit.SupervisionSample` and the loans drawn (记录抽样)."""
        from dataclasses import asdict

        with self._write() as conn:
            sample_id = conn.execute(t.samples.insert().values(
                recorded_at=_now(), recorded_by=self.user, seed=int(sample.seed),
                branch=str(sample.branch),
                policy_text=json.dumps(asdict(sample.policy), ensure_ascii=False, sort_keys=True,
                                       default=str),
                fingerprint=sample.fingerprint, source_name=sample.source_name,
                as_of=sample.as_of, drawn_at=sample.drawn_at.replace(microsecond=0),
                borrowers=int(sample.size), loans=len(sample.loans),
            ).returning(t.samples.c.sample_id)).scalar_one()
            loans = sample.loans.reset_index(drop=True)
            names = loans["borrower_name"] if "borrower_name" in loans else None
            conn.execute(t.sample_loans.insert(), [
                {"sample_id": sample_id, "loan_id": str(lid), "borrower_id": str(bid),
                 "borrower_name": None if names is None or pd.isna(names[i]) else str(names[i]),
                 "reasons": ",".join(r)}
                for i, (lid, bid, r) in enumerate(zip(loans["loan_id"], loans["borrower_id"],
                                                      loans["reasons"], strict=True))])
            self._log(conn, [{"entity": "sample", "entity_key": str(sample_id),
                              "field": "recorded", "old": None,
                              "new": f"{sample.branch} seed={sample.seed} loans={len(loans)}"}])
        return sample_id

    def find_sample(self, *, branch: str, seed: int, fingerprint: str | None) -> int | None:
        """The latest recorded sample of ``branch`` with this seed and extract fingerprint."""
        q = sa.select(t.samples.c.sample_id).where(
            t.samples.c.branch == branch, t.samples.c.seed == int(seed))
        if fingerprint:
            q = q.where(t.samples.c.fingerprint == fingerprint)
        with self._read() as conn:
            return conn.execute(q.order_by(t.samples.c.sample_id.desc()).limit(1)).scalar()

    def sample_loans(self, sample_id: int) -> pd.DataFrame:
        """The loans of a recorded sample (``loan_id``, ``borrower_id``, ``borrower_name``)."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.sample_loans.c.loan_id, t.sample_loans.c.borrower_id,
                                          t.sample_loans.c.borrower_name)
                                .where(t.sample_loans.c.sample_id == sample_id)).all()
        return pd.DataFrame(rows, columns=["loan_id", "borrower_id", "borrower_name"])

    def record_onsite(self, results: pd.DataFrame, *, branch: str, review_date: dt.date,
                      sample_id: int | None, file_name: str, file_sha: str,
                      policy: Policy | None = None) -> int:
        """Record a returned on-site checklist in one transaction (记录现场检查结果).

        ``results``: ``loan_id``, ``borrower_id``, ``borrower_name``, ``item``, ``conclusion``,
        ``description``, ``inspector``, ``inspected_on``. Every 不符合 item becomes an on-site
        finding (``ONSITE|loan|date#item``) with status 待整改 in the follow-up, and the review
        counts as done for ``branch`` on ``review_date``. Returns the import id.
        """
        policy = policy or Policy.default()
        now = _now()
        with self._write() as conn:
            import_id = conn.execute(t.imports.insert().values(
                at=now, who=self.user, kind="workpaper", file_name=file_name, file_sha=file_sha,
                rows_applied=len(results)).returning(t.imports.c.import_id)).scalar_one()
            rows = _records(results.assign(import_id=import_id, sample_id=sample_id,
                                           branch=branch),
                            ["import_id", "sample_id", "branch", "loan_id", "borrower_id", "item",
                             "conclusion", "description", "inspector", "inspected_on"])
            conn.execute(t.onsite_results.insert(), rows)
            conn.execute(t.branch_reviews.insert().values(
                branch=branch, review_date=review_date, sample_id=sample_id,
                import_id=import_id, recorded_at=now, recorded_by=self.user))
            bad = results.loc[results["conclusion"] == "不符合"]
            keys = onsite_keys(bad)
            existing = set(conn.execute(sa.select(t.rectifications.c.finding_key)
                                        .where(t.rectifications.c.finding_key.in_(list(keys))))
                           .scalars())
            bad = bad.assign(finding_key=keys.to_numpy()).loc[~keys.isin(existing).to_numpy()]
            log = [{"entity": "onsite", "entity_key": f"{branch}|{review_date}", "field":
                    "review", "old": None, "new": f"{file_name} items={len(results)} "
                    f"不符合={len(bad)}"}]
            if len(bad):
                due = fu.deadlines(pd.Series(pd.Timestamp(review_date), index=bad.index),
                                   pd.Series(fu.ONSITE_SEVERITY, index=bad.index),
                                   policy.rectification)
                fresh = bad.assign(
                    origin="onsite", rule_id=fu.ONSITE_RULE, severity=fu.ONSITE_SEVERITY,
                    branch=branch, message=bad["item"] + ":" + bad["description"].fillna(""),
                    first_seen=review_date, first_run_id=None, last_run_id=None,
                    deadline=due.dt.date, status=fu.PENDING, updated_at=now,
                    updated_by=self.user)
                conn.execute(t.rectifications.insert(), _records(fresh, [
                    "finding_key", "origin", "rule_id", "severity", "loan_id", "borrower_id",
                    "borrower_name", "branch", "message", "first_seen", "first_run_id",
                    "last_run_id", "deadline", "status", "updated_at", "updated_by"]))
                log += [{"entity": "rectification", "entity_key": k, "field": "status",
                         "old": None, "new": fu.PENDING,
                         "note": f"现场检查 {review_date} 发现 / found on site"}
                        for k in fresh["finding_key"]]
            self._log(conn, log)
        return import_id

    def onsite_results(self) -> pd.DataFrame:
        """Every recorded checklist item."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.onsite_results)
                                .order_by(t.onsite_results.c.result_id)).all()
        return pd.DataFrame(rows, columns=[c.name for c in t.onsite_results.columns])

    def last_onsite_reviews(self) -> pd.DataFrame:
        """``branch``, ``last_onsite_review_date`` (datetime64) of every recorded review."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.branch_reviews.c.branch,
                                          sa.func.max(t.branch_reviews.c.review_date))
                                .group_by(t.branch_reviews.c.branch)
                                .order_by(t.branch_reviews.c.branch)).all()
        frame = pd.DataFrame(rows, columns=["branch", "last_onsite_review_date"])
        frame["last_onsite_review_date"] = pd.to_datetime(frame["last_onsite_review_date"]) \
            .astype("datetime64[ns]")
        frame["branch"] = frame["branch"].astype("str")
        return frame

    def imports(self) -> pd.DataFrame:
        """Every accepted returned workbook."""
        with self._read() as conn:
            rows = conn.execute(sa.select(t.imports).order_by(t.imports.c.import_id)).all()
        return pd.DataFrame(rows, columns=[c.name for c in t.imports.columns])


def onsite_keys(results: pd.DataFrame) -> pd.Series:
    """Stable keys of on-site findings: ``ONSITE|loan id|date#item`` (item as a short hash)."""
    codes, items = pd.factorize(results["item"].astype("str"))
    hashed = np.asarray([hashlib.sha256(s.encode("utf-8")).hexdigest()[:8] for s in items],
                        dtype=object)  # distinct checklist items only
    item = pd.Series(hashed[codes], index=results.index, dtype="str")
    day = pd.to_datetime(results["inspected_on"]).dt.strftime("%Y-%m-%d")
    return (fu.ONSITE_RULE + "|" + results["loan_id"].astype("str") + "|" + day + "#" + item) \
        .astype("str")


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as plain Python values for the driver: NaN/NaT/NA → None, Timestamps → date."""
    out = frame[columns].astype(object)
    for c in columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.date.astype(object)
    out = out.where(frame[columns].notna(), None)
    return out.to_dict("records")


def open_store(db: str | os.PathLike | None = None, *, user: str | None = None) -> AuditStore:
    """Open the audit-trail store, creating or migrating its schema (打开检查记录库).

    Parameters
    ----------
    db:
        A SQLite file path or a database URL (``postgresql://user@host:port/name``); default
        ``POSTLOAN_AUDIT_DB``, else ``~/.postloan-audit/audit.db``.
    user:
        Who writes; default the sign-in proxy's user, else the OS user.

    Raises
    ------
    TrailError
        The store's schema is newer than this release, or the URL is invalid.
    """
    url = resolve_url(db)
    try:
        return AuditStore(_make_engine(url), user=user)
    except sa.exc.OperationalError as exc:
        raise TrailError(f"无法打开记录库 {_shown(url)}。请检查地址、数据库服务与网络是否可用,以及是否有"
                         f"访问权限。 / cannot open the store {_shown(url)}: {exc.orig}") from None
