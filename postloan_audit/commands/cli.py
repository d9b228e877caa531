"""The ``postloan-audit`` command line (命令行).

Each sub-command lives in :mod:`postloan_audit.commands` and registers itself; this module
only builds the parser and turns expected errors into a readable message with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from postloan_audit.core.errors import PostloanAuditError

#: Sub-command modules under ``postloan_audit.commands``, each exposing ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = ("extract", "check", "generate", "sample", "convert")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="postloan-audit",
        description="贷后管理检查工作台 / post-loan supervision audit workbench",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"postloan_audit.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 done, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (PostloanAuditError, ValueError, FileNotFoundError, OSError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        print(f"错误 / Error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
