"""Shared test set-up: this folder is on ``sys.path`` (pytest's rootdir conftest rule), so the
test folders, which mirror the package's subpackages, share ``checks_factory``."""


def pytest_configure(config) -> None:
    """Keep the audit-trail store of the dashboards (and of Voila and notebook kernels, which
    inherit the environment) out of the home directory: a throwaway store per test session."""
    import os
    import tempfile

    if not os.environ.get("POSTLOAN_AUDIT_DB"):
        os.environ["POSTLOAN_AUDIT_DB"] = os.path.join(
            tempfile.mkdtemp(prefix="postloan-audit-tests-"), "audit.db")
