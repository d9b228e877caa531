"""``postloan-audit check EXTRACT`` and ``postloan-audit rules`` (合规检查、规则目录)."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

_DISPLAY = {"display.width": 200, "display.max_columns": 40, "display.max_colwidth": 80,
            "display.max_rows": 500, "display.unicode.east_asian_width": True}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="对贷款台账执行合规检查 / run the compliance rules over an extract")
    parser.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    parser.add_argument("--as-of", required=True, help="检查日期 YYYY-MM-DD / check date")
    parser.add_argument("--policy", default=None, help="参数文件 (TOML) / policy file")
    parser.add_argument("--rules", default=None,
                        help="只执行这些规则,逗号分隔 / rule ids to run, comma-separated")
    parser.add_argument("--out", default=None,
                        help="问题清单工作簿 (.xlsx) / write the findings workbook here")
    parser.set_defaults(func=run_check)

    rules = subparsers.add_parser("rules", help="列出检查规则目录 / print the rule catalogue")
    rules.add_argument("--policy", default=None, help="参数文件 (TOML) / policy file")
    rules.set_defaults(func=run_rules)


def _options() -> list:
    return [item for pair in _DISPLAY.items() for item in pair]


def run_check(args: argparse.Namespace) -> int:
    from postloan_audit.compliance.checks import run_checks
    from postloan_audit.compliance.findings_workbook import write_findings_workbook
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.ingest.overview import no_loans_message, reading_summary

    extract = load_extract(args.extract, as_of=args.as_of)
    if not len(extract.loans):
        print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
        return 2
    if len(extract.rejected):
        print(reading_summary(extract, where_listed=(
            f"问题清单工作簿的「拒绝行」表({args.out})" if args.out
            else "postloan-audit validate 的输出,或用 --out 写出的问题清单工作簿的「拒绝行」表")))
    report = run_checks(extract, as_of=args.as_of, policy=args.policy, rules=args.rules)
    print(f"文件 {report.source_name}(指纹 {report.fingerprint[:12]}),检查日 "
          f"{report.as_of:%Y-%m-%d},贷款 {report.loans_checked} 笔,发现问题 "
          f"{len(report.findings)} 条")
    with pd.option_context(*_options()):
        print()
        print("按规则 / by rule")
        print(report.summary_by_rule().to_string(index=False))
        print()
        print("按机构 / by branch")
        print(report.summary_by_branch().to_string(index=False))
        if len(report.not_run):
            print()
            print("未执行规则 / rules not run")
            print(report.not_run.to_string(index=False))
    for warning in report.warnings:
        print(f"注意 / warning: {warning}")
    if args.out:
        write_findings_workbook(report, args.out, rejected=extract.rejected)
        print(f"问题清单已写入 / findings workbook written: {args.out}")
    return 0


def run_rules(args: argparse.Namespace) -> int:
    from postloan_audit.compliance.checks import list_rules
    from postloan_audit.compliance.policy import Policy

    table = list_rules(Policy.coerce(args.policy))
    for rec in table.to_dict("records"):
        print(f"{rec['rule_id']:<16}{rec['title_zh']}({rec['title_en']})[{rec['severity']}]")
        print(f"    依据 / source: {rec['citation']}")
        if rec["parameters"]:
            print(f"    参数 / parameters: {rec['parameters']}")
        print(f"    所需数据 / needs: {rec['needs']}")
    return 0
