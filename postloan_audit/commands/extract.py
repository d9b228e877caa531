"""``postloan-audit validate EXTRACT``: load a file and print what was read (读取核对)."""

from __future__ import annotations

import argparse

import pandas as pd

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
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.max_colwidth", 120, "display.max_rows", 200):
        print()
        print(accounting_table(extract).to_string(index=False))
        issues = extract.issues
        if not args.all_issues:
            issues = issues[issues["severity"] != "info"]
        if len(issues):
            print()
            shown = issues_table(extract).loc[issues.index]
            print(shown.to_string(index=False, na_rep=""))
    return 0
