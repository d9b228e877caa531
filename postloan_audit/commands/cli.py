"""The ``postloan-audit`` command line (命令行).

Each sub-command lives in :mod:`postloan_audit.commands` and registers itself; this module
only builds the parser and turns expected errors into a readable message with exit code 2.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys

from postloan_audit.core.errors import ExtractError, PostloanAuditError

#: Sub-command modules under ``postloan_audit.commands``, each exposing ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = ("extract", "check", "generate", "sample", "profile_template",
                                   "statistical", "followup", "publish")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
}
_KEYWORD = re.compile(r"\b(" + "|".join(CLI_OPTIONS) + r")=(?=[\s.,;)]|$)")
#: Accepted headers shown per missing column without ``--verbose``.
CLOSEST_HEADERS = 3


def cli_message(message: str) -> str:
    """A package message as the CLI user needs it: ``branch=`` hints become ``--branch``."""
    message = _KEYWORD.sub(lambda m: CLI_OPTIONS[m.group(1)], message)
    message = re.sub(r"\bmin_borrowers\b", "--min-borrowers", message)
    return message.replace("请指定被查机构。", "请用 --branch 指定被查机构。")


def short_missing_columns(exc: ExtractError) -> str | None:
    """A missing-columns message with only the few accepted headers closest to the headers
    found (the full alias list is behind ``--verbose``); None if not such an error."""
    from postloan_audit.core import schema

    missing = exc.details.get("missing") if exc.problem == "missing_columns" else None
    if not missing:
        return None
    found = [h for h in exc.details.get("headers", []) if str(h).strip()]
    sheet = next((s for s in schema.SHEETS.values()
                  if all(c in s.column_index for c in missing)), None)
    if sheet is None:
        return None
    where = exc.message.split("缺少必填列:")[0]
    parts = []
    for column in missing:
        accepted = schema.accepted_headers(sheet.name, column)
        close: list[str] = []
        for header in found:
            close += difflib.get_close_matches(str(header), accepted, n=CLOSEST_HEADERS,
                                               cutoff=0.3)
        shown = list(dict.fromkeys(close + [sheet.column_index[column].zh]))[:CLOSEST_HEADERS]
        parts.append(f"{sheet.column_index[column].zh}({column}),可用列名如 / accepted e.g. "
                     + "、".join(f"「{h}」" for h in shown))
    headers = "、".join(f"「{h}」" for h in found) or "(无 / none)"
    return (f"{where}缺少必填列:{';'.join(parts)}。读到的表头:{headers}。请把列名改为可识别的名称;"
            f"加 --verbose 列出全部可用列名。 / Missing required column(s) {', '.join(missing)};"
            " add --verbose to list every accepted header.")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 done, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (PostloanAuditError, ValueError, FileNotFoundError, OSError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, ExtractError) and not args.verbose:
            message = short_missing_columns(exc) or message
        print(f"错误 / Error: {cli_message(message)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
