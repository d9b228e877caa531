"""A store that cannot be opened: the Chinese says what to check, the driver's own words come
only after the English, and a password in the URL is never shown."""

from __future__ import annotations

from postloan_audit.commands.cli import main


def test_a_store_that_cannot_be_reached_hides_the_password_and_keeps_the_driver_last(capsys):
    assert main(["history", "--db", "postgresql://audit:secret@127.0.0.1:1/postloan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "错误 / Error: 无法打开记录库 postgresql+psycopg://audit:***@127.0.0.1:1/postloan。请检查地址、"
        "数据库服务与网络是否可用,以及是否有访问权限。 / cannot open the store "
        "postgresql+psycopg://audit:***@127.0.0.1:1/postloan: ")
    assert "secret" not in err


def test_an_invalid_store_url_says_what_a_url_looks_like(capsys):
    assert main(["history", "--db", "nosuch+driver://host/db"]) == 2
    assert capsys.readouterr().err.startswith(
        "错误 / Error: 记录库地址无效:nosuch+driver://host/db。请检查 --db 或 POSTLOAN_AUDIT_DB 的地址,"
        "如 postgresql://用户@主机:5432/库名。 / invalid store URL nosuch+driver://host/db: ")
