"""``postloan-audit check EXTRACT`` and ``postloan-audit rules`` (合规检查、规则目录)."""

from __future__ import annotations

import argparse
import sys

from postloan_audit.commands.tables import format_table, wrap_text
from postloan_audit.core.severity import SEVERITY_ZH

BY_RULE_HEADERS: dict[str, str] = {"title_zh": "规则名称", "rule_id": "规则编号",
                                   "severity": "严重程度", "findings": "问题数",
                                   "loans": "涉及借据数", "branches": "涉及机构数"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="对贷款台账执行合规检查 / run the compliance rules over an extract")
    parser.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    parser.add_argument("--as-of", required=True, help="检查日期 YYYY-MM-DD / check date")
    parser.add_argument("--policy", default=None, help="参数文件 (TOML) / policy file")
    parser.add_argument("--profile", default=None,
                        help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")
    parser.add_argument("--rules", default=None,
                        help="只执行这些规则,逗号分隔 / rule ids to run, comma-separated")
    parser.add_argument("--out", default=None,
                        help="问题清单工作簿 (.xlsx) / write the findings workbook here")
    parser.add_argument("--record", action="store_true",
                        help="记入检查记录库并与上次比较 / record the run in the audit trail")
    from postloan_audit.commands.followup import add_db_option

    add_db_option(parser)
    parser.set_defaults(func=run_check)

    rules = subparsers.add_parser("rules", help="列出检查规则目录 / print the rule catalogue")
    rules.add_argument("--policy", default=None, help="参数文件 (TOML) / policy file")
    rules.set_defaults(func=run_rules)


def _rule_label(rule_id: str) -> str:
    from postloan_audit.compliance.rules import CATALOGUE

    rule = CATALOGUE.get(rule_id)
    return f"{rule.title_zh}({rule_id})" if rule is not None else rule_id


def run_check(args: argparse.Namespace) -> int:
    from postloan_audit.compliance.checks import run_checks
    from postloan_audit.compliance.findings_workbook import write_findings_workbook
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.ingest.overview import no_loans_message, reading_summary

    extract = load_extract(args.extract, as_of=args.as_of, profile=args.profile)
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
    if report.profile_name:
        print(f"导出配置 / export profile: {report.profile_name}"
              f"(sha256 {report.profile_sha256[:12]})")
    by_rule = report.summary_by_rule()
    by_rule = by_rule.assign(severity=by_rule["severity"].map(SEVERITY_ZH).fillna(
        by_rule["severity"]))[list(BY_RULE_HEADERS)]
    by_branch = report.summary_by_branch()
    by_branch.columns = ["机构", *[_rule_label(c) for c in by_branch.columns[1:-1]], "合计"]
    print()
    print("按规则 / by rule")
    print(format_table(by_rule, headers=BY_RULE_HEADERS))
    print()
    print("按机构 / by branch")
    print(format_table(by_branch, transpose_if_wide=True))
    if len(report.not_run):
        not_run = report.not_run.assign(rule_id=report.not_run["rule_id"].map(_rule_label))
        print()
        print("未执行规则 / rules not run")
        print(format_table(not_run, headers={"rule_id": "规则", "reason": "未执行原因"}))
    for warning in report.warnings:
        print(wrap_text(f"注意 / warning: {warning}"))
    store = None
    if args.record:
        from postloan_audit.trail.store import open_store

        store = open_store(args.db)
        record = store.record_run(report, branches=extract.loans["branch"])
        print(f"已记录为第 {record.run_id} 次检查(范围 {record.scope}) / recorded as run "
              f"{record.run_id}")
        print(record.line())
    if args.out:
        if store is not None:
            from postloan_audit.trail.exchange import export_findings_workbook

            export_findings_workbook(store, args.out, run_id=record.run_id,
                                     rejected=extract.rejected)
        else:
            write_findings_workbook(report, args.out, rejected=extract.rejected)
        print(f"问题清单已写入 / findings workbook written: {args.out}")
    return 0


def run_rules(args: argparse.Namespace) -> int:
    from postloan_audit.compliance.checks import list_rules
    from postloan_audit.compliance.policy import Policy

    table = list_rules(Policy.coerce(args.policy))
    for rec in table.to_dict("records"):
        severity = SEVERITY_ZH.get(str(rec["severity"]), rec["severity"])
        print(f"{rec['title_zh']}({rec['rule_id']})[严重程度:{severity}] {rec['title_en']}")
        print(f"    依据 / source: {rec['citation']}")
        if rec["parameters"]:
            print(f"    参数 / parameters: {rec['parameters']}")
        print(f"    所需数据 / needs: {rec['needs']}")
    return 0
