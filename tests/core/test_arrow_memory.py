"""The allocator pyarrow uses: jemalloc unless the deployment names one."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow
import pytest

from postloan_audit.core import arrow_memory

_SHOW = "import postloan_audit, pyarrow; print(pyarrow.default_memory_pool().backend_name)"


def _backend_in_fresh_process(pool: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != arrow_memory.POOL_ENVIRONMENT_VARIABLE}
    if pool is not None:
        env[arrow_memory.POOL_ENVIRONMENT_VARIABLE] = pool
    return subprocess.run([sys.executable, "-c", _SHOW], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_importing_the_package_makes_jemalloc_the_default():
    assert _backend_in_fresh_process(None) == "jemalloc"


@pytest.mark.parametrize("pool", ["system", "mimalloc"])
def test_the_deployment_s_choice_wins(pool):
    assert _backend_in_fresh_process(pool) == pool


def _record(monkeypatch):
    calls: list[tuple[str, object]] = []
    monkeypatch.delenv(arrow_memory.POOL_ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(pyarrow, "set_memory_pool", lambda pool: calls.append(
        ("pool", pool.backend_name)))
    monkeypatch.setattr(pyarrow, "jemalloc_set_decay_ms", lambda ms: calls.append(("decay", ms)))
    return calls


def test_jemalloc_returns_freed_pages_after_the_documented_delay(monkeypatch):
    calls = _record(monkeypatch)
    assert arrow_memory.choose_memory_pool() == "jemalloc"
    assert calls == [("pool", "jemalloc"), ("decay", arrow_memory.RETURN_PAGES_AFTER_MS)]
    assert arrow_memory.RETURN_PAGES_AFTER_MS == 100


def test_a_pyarrow_without_jemalloc_keeps_its_default(monkeypatch):
    calls = _record(monkeypatch)

    def missing():
        raise NotImplementedError("built without jemalloc")

    monkeypatch.setattr(pyarrow, "jemalloc_memory_pool", missing)
    assert arrow_memory.choose_memory_pool() == pyarrow.default_memory_pool().backend_name
    assert calls == []


def test_a_named_allocator_is_left_alone(monkeypatch):
    calls = _record(monkeypatch)
    monkeypatch.setenv(arrow_memory.POOL_ENVIRONMENT_VARIABLE, "system")
    assert arrow_memory.choose_memory_pool() == pyarrow.default_memory_pool().backend_name
    assert calls == []
