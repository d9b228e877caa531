"""``postloan-audit validate EXTRACT``: load a file and print what was read (读取核对)."""

from __future__ import annotations

import argparse

from postloan_audit.commands.tables import format_table
from postloan_audit.ingest.loader import load_extract
from postloan_audit.ingest.overview import accounting_table, issues_table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="读取并核对贷款台账 / load an extract and report rows and problems")
    parser.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    parser.add_argument("--as-of", default=None, help="数据日期 YYYY-MM-DD")
    parser.add_argument("--profile", default=None,
                        help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")
    parser.add_argument("--all-issues", action="store_true", help="列出全部提示(默认只列错误和警告)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    extract = load_extract(args.extract, as_of=args.as_of, profile=args.profile)
    print(extract.summary())
    print()
    print(format_table(accounting_table(extract)))
    issues = extract.issues
    if not args.all_issues:
        issues = issues[issues["severity"] != "info"]
    if len(issues):
        print()
        print(format_table(issues_table(extract).loc[issues.index]))
    return 0
