"""Who is writing (操作人): the signed-in user from the sign-in proxy, else the OS user."""

from __future__ import annotations

import getpass
import os

#: Environment variables holding the signed-in user, first non-empty wins. Voila turns each
#: request header listed in ``VoilaConfiguration.http_header_envs`` into ``HTTP_`` + the header
#: name upper-cased with ``-`` → ``_``, so the proxy's ``X-Remote-User`` arrives as
#: ``HTTP_X_REMOTE_USER`` (``docs/deploy.md``) and oauth2-proxy's ``X-Forwarded-User`` as
#: ``HTTP_X_FORWARDED_USER``.
USER_ENV_VARS: tuple[str, ...] = ("HTTP_X_REMOTE_USER", "HTTP_X_FORWARDED_USER")


def current_user() -> str:
    """The signed-in user when served behind the sign-in proxy, else the OS user name."""
    for name in USER_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry (containers): fall back to the uid
        return f"uid{os.getuid()}"
