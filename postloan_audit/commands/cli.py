"""The ``postloan-audit`` command line (命令行).

Each sub-command lives in :mod:`postloan_audit.commands` and registers itself; this module
only builds the parser and turns expected errors into a readable message with exit code 2:
argparse's own messages in Chinese first (:mod:`~postloan_audit.commands.parser`), and an
operating-system error as a sentence naming the path and what to do
(:func:`~postloan_audit.commands.files.os_error_message`).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from postloan_audit.commands.files import os_error_message, output_paths
from postloan_audit.commands.parser import ChineseArgumentParser
from postloan_audit.core.errors import ExtractError, PostloanAuditError, short_missing_columns

#: Sub-command modules under ``postloan_audit.commands``, each exposing ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = ("extract", "check", "generate", "sample", "profile_template",
                                   "statistical", "followup", "publish", "convert", "lists",
                                   "warn", "alerts", "analytics")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="postloan-audit",
        description="贷后管理检查工作台 / post-loan supervision audit workbench",
    )
    parser.add_argument("--verbose", action="store_true",
                        help="错误信息列出全部可用列名等细节 / full details in error messages "
                             "(e.g. every accepted header)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"postloan_audit.commands.{name}").register(sub)
    return parser


#: Python keyword arguments named in the package's messages → the CLI option a user types.
CLI_OPTIONS: dict[str, str] = {
    "branch": "--branch", "seed": "--seed", "min_borrowers": "--min-borrowers",
    "as_of": "--as-of", "rules": "--rules", "policy": "--policy", "year": "--year",
    "tier1_capital": "--tier1-capital", "capital": "--capital",
}
_KEYWORD = re.compile(r"\b(" + "|".join(CLI_OPTIONS) + r")=(?=[\s.,;)]|$)")


def cli_message(message: str) -> str:
    """A package message as the CLI user needs it: ``branch=`` hints become ``--branch``."""
    message = _KEYWORD.sub(lambda m: CLI_OPTIONS[m.group(1)], message)
    message = re.sub(r"\bmin_borrowers\b", "--min-borrowers", message)
    return message.replace("请指定被查机构。", "请用 --branch 指定被查机构。")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 done, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # -h printed (0), or a usage error printed (2)
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return int(args.func(args) or 0)
    except OSError as exc:
        print(f"错误 / Error: {os_error_message(exc, outputs=output_paths(args))}",
              file=sys.stderr)
        return 2
    except (PostloanAuditError, ValueError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, ExtractError) and not args.verbose:
            message = short_missing_columns(exc, more="加 --verbose 列出全部可用列名",
                                            more_en="add --verbose to list every accepted "
                                                    "header") or message
        print(f"错误 / Error: {cli_message(message)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
