"""Stores for the audit-trail tests: a SQLite file, and a throwaway PostgreSQL server.

The PostgreSQL server is Debian's package (``.ci/run`` installs it when missing): a cluster is
made with ``initdb`` in a temporary directory and started with ``pg_ctl`` on a free port of
127.0.0.1, once per test session, and stopped at the end. PostgreSQL refuses to run as root,
so under root the server runs as the ``postgres`` system user. When the server binaries are
missing the PostgreSQL tests FAIL (they are never skipped).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

_counter = itertools.count(1)


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_server_user() -> None:
    """Under root, the server runs as the ``postgres`` system user (made if missing)."""
    import pwd

    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/false",
                        "postgres"], check=True, capture_output=True)


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def pg_server():
    """A running PostgreSQL server on 127.0.0.1: yields its base URL (no database name)."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.fail("未找到 PostgreSQL(initdb)。请运行 bash .ci/run 或 apt-get install postgresql"
                    " / PostgreSQL server binaries not found: run .ci/run (installs postgresql)")
    _ensure_server_user()
    root = Path(tempfile.mkdtemp(prefix="postloan-pg-"))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                    "--auth=trust", "-E", "UTF8", "--no-locale"]),
                   check=True, capture_output=True)
    start = subprocess.run(_as_server_user([
        str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]),
        capture_output=True, text=True)
    if start.returncode != 0:
        text = log.read_text() if log.exists() else ""
        pytest.fail(f"PostgreSQL failed to start: {start.stderr}\n{text}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                        "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _new_pg_database(base: str) -> str:
    import psycopg

    name = f"trail_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh empty store location: a SQLite file path, or a new PostgreSQL database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "audit.db")
    return _new_pg_database(request.getfixturevalue("pg_server"))
