"""Who is working (操作人/当前用户), read one way for the whole package.

Behind the sign-in proxy (``docs/deploy.md``) the user's name arrives in a request header that
Voila turns into an environment variable: each header listed in
``VoilaConfiguration.http_header_envs`` becomes ``HTTP_`` + the header name upper-cased with
``-`` → ``_`` (``voila/handler.py``, RFC 3875 §4.1.18), so the proxy's ``X-Remote-User``
arrives as ``HTTP_X_REMOTE_USER`` and oauth2-proxy's ``X-Forwarded-User`` as
``HTTP_X_FORWARDED_USER``. On a command line a user names themselves with
:data:`USER_ENV_VAR`.

- :func:`signed_in_user`: the proxy's user or None (what a published page shows);
- :func:`current_user`: who is recorded on a write: the proxy's user, else
  ``POSTLOAN_AUDIT_USER``, else the operating-system account.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping

#: Environment variables holding the signed-in user, first non-empty wins.
USER_ENV_VARS: tuple[str, ...] = ("HTTP_X_REMOTE_USER", "HTTP_X_FORWARDED_USER")
#: The name a command-line user gives themselves (the audit trail records it).
USER_ENV_VAR = "POSTLOAN_AUDIT_USER"
#: Shown when no signed-in user reached the kernel (local ``make dashboards``).
NO_USER_TEXT: str = "未经统一登录(本机运行)"


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    return None


def signed_in_user(environ: Mapping[str, str] | None = None) -> str | None:
    """The signed-in user passed in by the reverse proxy, or None (``environ`` defaults to
    ``os.environ``)."""
    return _first(os.environ if environ is None else environ, USER_ENV_VARS)


def current_user(environ: Mapping[str, str] | None = None) -> str:
    """Who is working: the signed-in user, else :data:`USER_ENV_VAR`, else the OS user name."""
    env = os.environ if environ is None else environ
    named = _first(env, (*USER_ENV_VARS, USER_ENV_VAR))
    if named is not None:
        return named
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry (containers): fall back to the uid
        return f"uid{os.getuid()}"
