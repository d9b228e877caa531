"""The audit trail's tables and their numbered migrations (记录库结构与版本).

One SQLAlchemy Core :class:`~sqlalchemy.MetaData` describes every table; :data:`MIGRATIONS` is
the ordered list of steps that bring a store from version *n* to *n+1*, recorded in
``schema_migrations``. A store whose recorded version is above :data:`SCHEMA_VERSION` was
written by a newer release and is refused (see :func:`postloan_audit.trail.store.open_store`).

Tables
------
runs
    One row per recorded check run: who, when, check date, extract name and fingerprint, scope,
    profile, policy (JSON text and its sha256), rules run and not run, counts.
findings
    One row per finding per run, with its stable key (:func:`postloan_audit.trail.followup.finding_keys`).
rectifications
    The follow-up state of each stable finding key (整改状态): status, deadline, branch, measures.
change_log
    Append-only history of every write (who, when, what, old → new); database triggers refuse
    UPDATE and DELETE on it.
samples, sample_loans
    Each recorded supervision sample (seed, branch, policy, fingerprint) and the loans drawn.
onsite_results
    Each checklist item of a returned on-site workpaper (结论, 问题描述).
branch_reviews
    On-site reviews done (机构, 检查日期), used by the review plan.
imports
    Each accepted returned workbook (file name, sha256, rows applied).
alert_runs
    One row per recorded early-warning scan (``warn --record``): who, when, scan date, extract
    name and fingerprint, borrowers watched, alerts raised and carried (version 2).
alerts
    One row per alert (预警): a watched borrower followed from 发起 to 解除; its state, level,
    measures, responsible person, deadline and note; at most one not yet 解除 per borrower.
    Its history is in ``change_log`` (entity ``alert``) (version 2).
alert_signals
    The signals (with their facts) of each alert in each run that watched it (version 2).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

metadata = sa.MetaData()

_text = sa.Text

runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("recorded_by", _text, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("scope", _text, nullable=False),
    sa.Column("profile", _text, nullable=False, server_default=""),
    sa.Column("source_name", _text, nullable=False),
    sa.Column("fingerprint", _text, nullable=False),
    sa.Column("policy_sha", _text, nullable=False),
    sa.Column("policy_text", _text, nullable=False),
    sa.Column("rules_run", _text, nullable=False),
    sa.Column("not_run", _text, nullable=False),
    sa.Column("warnings", _text, nullable=False),
    sa.Column("loans_checked", sa.Integer, nullable=False),
    sa.Column("findings_count", sa.Integer, nullable=False),
    sa.Column("previous_run_id", sa.Integer, nullable=True),
    sa.Column("new_count", sa.Integer, nullable=False),
    sa.Column("carried_count", sa.Integer, nullable=False),
    sa.Column("gone_count", sa.Integer, nullable=False),
    sa.Column("version", _text, nullable=False),
)

findings = sa.Table(
    "findings", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("finding_key", _text, nullable=False),
    sa.Column("rule_id", _text, nullable=False),
    sa.Column("severity", _text, nullable=False),
    sa.Column("loan_id", _text),
    sa.Column("borrower_id", _text),
    sa.Column("borrower_name", _text),
    sa.Column("branch", _text),
    sa.Column("message", _text),
    sa.Column("due_date", sa.Date),
    sa.Column("days_late", sa.Integer),
    sa.Column("citation", _text),
    sa.Index("ix_findings_key", "finding_key"),
)

rectifications = sa.Table(
    "rectifications", metadata,
    sa.Column("finding_key", _text, primary_key=True),
    sa.Column("origin", _text, nullable=False),  # check | onsite
    sa.Column("rule_id", _text, nullable=False),
    sa.Column("severity", _text, nullable=False),
    sa.Column("loan_id", _text),
    sa.Column("borrower_id", _text),
    sa.Column("borrower_name", _text),
    sa.Column("branch", _text),
    sa.Column("message", _text),
    sa.Column("first_seen", sa.Date, nullable=False),
    sa.Column("first_run_id", sa.Integer),
    sa.Column("last_run_id", sa.Integer),
    sa.Column("deadline", sa.Date, nullable=False),
    sa.Column("status", _text, nullable=False),
    sa.Column("measures", _text),
    sa.Column("completed_on", sa.Date),
    sa.Column("responsible", _text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", _text, nullable=False),
    sa.Index("ix_rect_branch", "branch"),
)

change_log = sa.Table(
    "change_log", metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", _text, nullable=False),
    sa.Column("entity", _text, nullable=False),
    sa.Column("entity_key", _text, nullable=False),
    sa.Column("field", _text, nullable=False),
    sa.Column("old", _text),
    sa.Column("new", _text),
    sa.Column("note", _text),
    sa.Index("ix_change_key", "entity_key"),
)

samples = sa.Table(
    "samples", metadata,
    sa.Column("sample_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("recorded_by", _text, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("branch", _text, nullable=False),
    sa.Column("policy_text", _text, nullable=False),
    sa.Column("fingerprint", _text),
    sa.Column("source_name", _text),
    sa.Column("as_of", sa.Date),
    sa.Column("drawn_at", sa.DateTime, nullable=False),
    sa.Column("borrowers", sa.Integer, nullable=False),
    sa.Column("loans", sa.Integer, nullable=False),
)

sample_loans = sa.Table(
    "sample_loans", metadata,
    sa.Column("sample_id", sa.Integer, sa.ForeignKey("samples.sample_id"), primary_key=True),
    sa.Column("loan_id", _text, primary_key=True),
    sa.Column("borrower_id", _text, nullable=False),
    sa.Column("borrower_name", _text),
    sa.Column("reasons", _text, nullable=False),
)

onsite_results = sa.Table(
    "onsite_results", metadata,
    sa.Column("result_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.import_id"), nullable=False),
    sa.Column("sample_id", sa.Integer, sa.ForeignKey("samples.sample_id")),
    sa.Column("branch", _text, nullable=False),
    sa.Column("loan_id", _text, nullable=False),
    sa.Column("borrower_id", _text),
    sa.Column("item", _text, nullable=False),
    sa.Column("conclusion", _text, nullable=False),
    sa.Column("description", _text),
    sa.Column("inspector", _text),
    sa.Column("inspected_on", sa.Date, nullable=False),
)

branch_reviews = sa.Table(
    "branch_reviews", metadata,
    sa.Column("review_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("branch", _text, nullable=False),
    sa.Column("review_date", sa.Date, nullable=False),
    sa.Column("sample_id", sa.Integer, sa.ForeignKey("samples.sample_id")),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.import_id")),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("recorded_by", _text, nullable=False),
)

imports = sa.Table(
    "imports", metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", _text, nullable=False),
    sa.Column("kind", _text, nullable=False),  # findings | workpaper
    sa.Column("file_name", _text, nullable=False),
    sa.Column("file_sha", _text, nullable=False),
    sa.Column("rows_applied", sa.Integer, nullable=False),
)

#: The tables of version 2 (early-warning alerts): their own MetaData, so that version 1's
#: ``create_all`` stays what it was.
alert_metadata = sa.MetaData()

alert_runs = sa.Table(
    "alert_runs", alert_metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("recorded_by", _text, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("source_name", _text, nullable=False),
    sa.Column("fingerprint", _text, nullable=False),
    sa.Column("policy_sha", _text, nullable=False),
    sa.Column("watched", sa.Integer, nullable=False),
    sa.Column("raised_count", sa.Integer, nullable=False),
    sa.Column("carried_count", sa.Integer, nullable=False),
    sa.Column("version", _text, nullable=False),
)

alerts = sa.Table(
    "alerts", alert_metadata,
    sa.Column("alert_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", _text, nullable=False),
    sa.Column("borrower_name", _text),
    sa.Column("branch", _text),
    sa.Column("officer", _text),
    sa.Column("level", _text, nullable=False),
    sa.Column("balance", sa.Float),
    sa.Column("signal_ids", _text),
    sa.Column("raised_on", sa.Date, nullable=False),
    sa.Column("first_run_id", sa.Integer, sa.ForeignKey("alert_runs.run_id"), nullable=False),
    sa.Column("last_run_id", sa.Integer, sa.ForeignKey("alert_runs.run_id"), nullable=False),
    sa.Column("status", _text, nullable=False),
    sa.Column("measures", _text),
    sa.Column("responsible", _text),
    sa.Column("deadline", sa.Date, nullable=False),
    sa.Column("note", _text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", _text, nullable=False),
    sa.Index("ix_alerts_borrower", "borrower_id"),
    sa.Index("ix_alerts_branch", "branch"),
)

alert_signals = sa.Table(
    "alert_signals", alert_metadata,
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.alert_id"), primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("alert_runs.run_id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("signal_id", _text, nullable=False),
    sa.Column("loan_id", _text),
    sa.Column("level", _text, nullable=False),
    sa.Column("message", _text),
    sa.Column("citation", _text),
)

schema_migrations = sa.Table(
    "schema_migrations", sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", _text, nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
    sa.Column("applied_by", _text, nullable=False),
)

_APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log "
    "BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END",
    "CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log "
    "BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END",
)
_APPEND_ONLY_POSTGRES = (
    "CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'change_log is append-only'; END $$",
    "CREATE TRIGGER change_log_no_change BEFORE UPDATE OR DELETE ON change_log "
    "FOR EACH ROW EXECUTE FUNCTION change_log_append_only()",
)


def _v1_initial(conn: sa.Connection) -> None:
    """Version 1: every table of this module, and the append-only triggers on change_log."""
    metadata.create_all(conn)
    statements = (_APPEND_ONLY_POSTGRES if conn.dialect.name == "postgresql"
                  else _APPEND_ONLY_SQLITE)
    for statement in statements:
        conn.exec_driver_sql(statement)


def _v2_alerts(conn: sa.Connection) -> None:
    """Version 2: the early-warning alerts (alert_runs, alerts, alert_signals)."""
    for table in (alert_runs, alerts, alert_signals):
        table.create(conn)


#: The numbered migrations: (version, name, step). A later release appends steps written as
#: explicit DDL (``ALTER TABLE …``, ``CREATE TABLE``); version 1 is never changed.
MIGRATIONS: tuple[tuple[int, str, Callable[[sa.Connection], None]], ...] = (
    (1, "initial tables", _v1_initial),
    (2, "early-warning alerts", _v2_alerts),
)

#: The schema version this release writes and reads.
SCHEMA_VERSION: int = MIGRATIONS[-1][0]
