"""Shared test set-up: this folder is on ``sys.path`` (pytest's rootdir conftest rule), so the
test folders, which mirror the package's subpackages, share ``checks_factory``."""
