"""The audit-trail store on SQLite and on a real PostgreSQL server: runs, comparison, follow-up,
the append-only change log, migrations, who."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from checks_factory import make_loans

from postloan_audit.compliance.checks import run_checks
from postloan_audit.compliance.policy import Policy
from postloan_audit.trail import TrailError, open_store
from postloan_audit.trail import schema as t
from postloan_audit.trail.followup import finding_keys

#: L1 overdue 100 days but classed normal (CLS-OVERDUE, high); L2 not inspected since January
#: (INSP-FREQ, medium, due 2026-07-01); L3 clean.
BASE = {"L1": {"overdue_days": 100}, "L2": {"last_inspection_date": "2026-01-01"}, "L3": {}}


def report(cases=None, *, as_of="2026-09-30", policy=None, rules=None):
    return run_checks(make_loans(cases or BASE), as_of=as_of, policy=policy, rules=rules)


def test_first_run_records_every_finding_as_pending_with_its_deadline(db_url):
    store = open_store(db_url, user="张三")
    rec = store.record_run(report(), branches=pd.Series(["城关支行"]))
    assert rec.run_id == 1 and rec.scope == "城关支行"
    assert rec.line() == ("与上次相比: 新增 2 / 延续 0 / 消失 0"
                          "(本范围首次记录 / first recorded run of this scope)")
    f = store.followup(today=dt.date(2026, 10, 1))
    assert f["finding_key"].tolist() == ["CLS-OVERDUE|L1|", "INSP-FREQ|L2|2026-07-01"]
    assert f["status"].tolist() == ["待整改", "待整改"]
    assert f["deadline"].tolist() == [dt.date(2026, 10, 30)] * 2
    assert f["updated_by"].tolist() == ["张三", "张三"]
    runs = store.runs()
    assert runs[["run_id", "recorded_by", "findings_count", "new_count"]].values.tolist() == [
        [1, "张三", 2, 2]]
    assert runs["as_of"].tolist() == [dt.date(2026, 9, 30)]
    store.close()


def test_run_records_the_export_profile_the_extract_was_read_with(db_url):
    import dataclasses

    store = open_store(db_url, user="张三")
    plain = store.record_run(report(), branches=pd.Series(["城关支行"]))
    profiled = dataclasses.replace(report(), profile_name="XX农商行 贷款余额表")
    second = store.record_run(profiled, branches=pd.Series(["城关支行"]))
    runs = store.runs().set_index("run_id")
    assert runs.loc[plain.run_id, "profile"] == ""
    assert runs.loc[second.run_id, "profile"] == "XX农商行 贷款余额表"
    store.close()


def test_deadline_by_severity_follows_the_policy(db_url):
    store = open_store(db_url, user="u")
    pol = Policy.from_dict({"rectification": {"days_high": 10, "days_medium": 45}})
    store.record_run(report(policy=pol))
    f = store.followup().set_index("finding_key")["deadline"]
    assert f["CLS-OVERDUE|L1|"] == dt.date(2026, 10, 10)
    assert f["INSP-FREQ|L2|2026-07-01"] == dt.date(2026, 11, 14)
    store.close()


def test_second_run_classifies_new_carried_gone_and_never_closes(db_url):
    store = open_store(db_url, user="u")
    store.record_run(report())
    # L1 corrected; L2 still late; L3 now overdue and classed normal (new)
    rec = store.record_run(report({"L1": {}, "L2": {"last_inspection_date": "2026-01-01"},
                                   "L3": {"overdue_days": 95}}, as_of="2026-10-31"))
    c = rec.comparison
    assert (c.previous_run_id, c.new, c.carried, c.gone) == (
        1, ("CLS-OVERDUE|L3|",), ("INSP-FREQ|L2|2026-07-01",), ("CLS-OVERDUE|L1|",))
    assert rec.line() == "与上次相比: 新增 1 / 延续 1 / 消失 1"
    status = store.followup().set_index("finding_key")["status"].to_dict()
    assert status == {"CLS-OVERDUE|L1|": "已整改(待核实)", "INSP-FREQ|L2|2026-07-01": "待整改",
                      "CLS-OVERDUE|L3|": "待整改"}
    log = store.changes("CLS-OVERDUE|L1|")
    assert log[["field", "old", "new"]].values.tolist() == [
        ["status", None, "待整改"], ["status", "待整改", "已整改(待核实)"]]
    assert log["note"].iloc[1].startswith("第 2 次检查中不再出现,建议核实后销号")
    store.close()


def test_a_rule_not_run_this_time_makes_nothing_gone(db_url):
    store = open_store(db_url, user="u")
    store.record_run(report())
    rec = store.record_run(report(rules=["INSP-FREQ"]))
    assert (rec.comparison.new, rec.comparison.gone) == ((), ())
    assert rec.line() == "与上次相比: 新增 0 / 延续 1 / 消失 0"
    assert store.followup().set_index("finding_key")["status"]["CLS-OVERDUE|L1|"] == "待整改"
    store.close()


def test_runs_are_compared_within_their_scope(db_url):
    store = open_store(db_url, user="u")
    store.record_run(report(), scope="城关支行")
    other = store.record_run(report({"L9": {"overdue_days": 100}}), scope="南城支行")
    assert other.comparison.previous_run_id is None
    again = store.record_run(report(), scope="城关支行")
    assert again.comparison.previous_run_id == 1
    assert again.line() == "与上次相比: 新增 0 / 延续 2 / 消失 0"
    store.close()


def test_rectified_but_still_found_goes_back_to_in_progress(db_url, tmp_path):
    store = open_store(db_url, user="u")
    store.record_run(report())
    with store._write() as conn:  # a branch claimed it rectified (as an import would)
        conn.execute(t.rectifications.update().where(
            t.rectifications.c.finding_key == "CLS-OVERDUE|L1|").values(status="已整改(待核实)"))
    store.record_run(report())
    assert store.followup().set_index("finding_key")["status"]["CLS-OVERDUE|L1|"] == "整改中"
    store.close()


def test_periodic_rule_key_carries_the_period():
    f = report().findings
    assert finding_keys(f).tolist() == ["INSP-FREQ|L2|2026-07-01", "CLS-OVERDUE|L1|"]


def test_change_log_is_append_only(db_url):
    store = open_store(db_url, user="u")
    store.record_run(report())
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with store._write() as conn:
            conn.execute(t.change_log.update().values(who="someone else"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with store._write() as conn:
            conn.execute(t.change_log.delete())
    assert set(store.changes()["who"]) == {"u"}
    store.close()


def test_newer_schema_is_refused_with_a_clear_message(db_url):
    store = open_store(db_url, user="u")
    assert store.schema_version() == t.SCHEMA_VERSION == 2
    with store._write() as conn:
        conn.execute(t.schema_migrations.insert().values(
            version=99, name="from the future", applied_at=dt.datetime(2030, 1, 1),
            applied_by="later release"))
    store.close()
    with pytest.raises(TrailError) as info:
        open_store(db_url, user="u")
    assert "结构版本为 99,高于本程序" in info.value.message
    assert "schema version 99, newer than the 2" in info.value.message


def test_reopening_keeps_everything(db_url):
    store = open_store(db_url, user="u")
    store.record_run(report())
    store.close()
    again = open_store(db_url, user="v")
    assert len(again.runs()) == 1 and len(again.followup()) == 2
    assert again.schema_version() == 2
    again.close()


def test_who_is_the_proxy_user_else_the_os_user(db_url, monkeypatch):
    import getpass

    monkeypatch.setenv("HTTP_X_REMOTE_USER", "li.si")
    store = open_store(db_url)
    assert store.user == "li.si"
    store.record_run(report())
    assert store.runs()["recorded_by"].tolist() == ["li.si"]
    store.close()
    monkeypatch.delenv("HTTP_X_REMOTE_USER")
    monkeypatch.delenv("HTTP_X_FORWARDED_USER", raising=False)
    assert open_store(db_url).user == getpass.getuser()


def test_the_user_is_read_at_each_write_not_when_the_store_opens(db_url, monkeypatch):
    """A page's kernel may open its store before the visitor signs in (a pre-heated kernel,
    docs/deploy.md): the user recorded is the one signed in at the write."""
    monkeypatch.setenv("HTTP_X_REMOTE_USER", "early.kernel")
    store = open_store(db_url)
    monkeypatch.setenv("HTTP_X_REMOTE_USER", "wang.wu")
    store.record_run(report())
    assert store.runs()["recorded_by"].tolist() == ["wang.wu"]
    given = open_store(db_url, user="zhao.liu")
    monkeypatch.setenv("HTTP_X_REMOTE_USER", "someone.else")
    assert given.user == "zhao.liu"
    store.close()
    given.close()


def test_sqlite_store_uses_wal_and_a_busy_timeout(tmp_path):
    store = open_store(tmp_path / "a.db", user="u")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000
    store.close()


def test_db_path_from_the_environment(tmp_path, monkeypatch):
    from postloan_audit.trail.store import resolve_url

    monkeypatch.setenv("POSTLOAN_AUDIT_DB", str(tmp_path / "env.db"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://a@h:5/d") == "postgresql+psycopg://a@h:5/d"
    monkeypatch.delenv("POSTLOAN_AUDIT_DB")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_url(None) == f"sqlite:///{tmp_path / '.postloan-audit' / 'audit.db'}"


def test_report_is_rebuilt_from_the_store(db_url):
    store = open_store(db_url, user="u")
    original = report()
    store.record_run(original)
    run_id, rebuilt = store.report_for()
    assert run_id == 1
    pd.testing.assert_frame_equal(rebuilt.findings, original.findings)
    assert rebuilt.rules_run == original.rules_run
    assert rebuilt.policy.to_dict() == original.policy.to_dict()
    assert (rebuilt.as_of, rebuilt.fingerprint, rebuilt.loans_checked) == (
        original.as_of, original.fingerprint, original.loans_checked)
    store.close()


def test_a_closed_finding_that_reappears_is_reopened_and_in_progress_is_proposed(db_url):
    store = open_store(db_url, user="u")
    store.record_run(report())
    with store._write() as conn:
        conn.execute(t.rectifications.update().where(
            t.rectifications.c.finding_key == "CLS-OVERDUE|L1|").values(status="已销号"))
        conn.execute(t.rectifications.update().where(
            t.rectifications.c.finding_key == "INSP-FREQ|L2|2026-07-01").values(status="整改中"))
    rec = store.record_run(report({"L1": {"overdue_days": 100}, "L2": {}, "L3": {}}))
    assert rec.comparison.gone == ("INSP-FREQ|L2|2026-07-01",)
    status = store.followup().set_index("finding_key")["status"].to_dict()
    assert status == {"CLS-OVERDUE|L1|": "待整改", "INSP-FREQ|L2|2026-07-01": "已整改(待核实)"}
    reopened = store.changes("CLS-OVERDUE|L1|").iloc[-1]
    assert (reopened["old"], reopened["new"]) == ("已销号", "待整改")
    assert reopened["note"].startswith("已销号的问题在第 2 次检查再次出现")
    store.close()
