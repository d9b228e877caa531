"""``postloan-audit check EXTRACT…`` and ``postloan-audit rules`` (合规检查、规则目录).

One file is read as of ``--as-of`` and checked
(:func:`~postloan_audit.compliance.checks.run_checks`). Several files are checked together
exactly as the compliance page checks its uploads
(:func:`~postloan_audit.compliance.combine.check_extracts`): each is read as the page reads an
upload (its own data date, from a title row or the file name; ``--as-of`` only for a file whose
export profile needs a date it does not carry), files sharing loan ids are refused, each is
checked on its own at ``--as-of`` and the reports are combined, with the notes on data dates
that differ and borrowers found in several files. ``--out`` writes the combined findings with
every file's rejected rows; ``--record`` records the combined run, its scope every file's
branches, as the page's 记入检查记录 does.

Without ``--as-of`` the check date is the data date the file carries (a title row or the file
name; of several files the latest, as the page's first check date), and the output says so; a
file without a data date is refused, naming ``--as-of``: the check date is never guessed.
With ``--record``, ``--out`` is the workbook the branches fill in (整改情况), so an existing
file is not replaced without ``--force``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from postloan_audit.commands.files import check_output
from postloan_audit.commands.tables import format_table, wrap_text
from postloan_audit.core.severity import SEVERITY_ZH

BY_RULE_HEADERS: dict[str, str] = {"title_zh": "规则名称", "rule_id": "规则编号",
                                   "severity": "严重程度", "findings": "问题数",
                                   "loans": "涉及借据数", "branches": "涉及机构数"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="对贷款台账执行合规检查 / run the compliance rules over an extract")
    parser.add_argument("extract", nargs="+",
                        help="贷款台账文件 (.xlsx/.csv);可给多个文件合并检查(如各机构的台账) / "
                             "the extract; several files are checked together")
    parser.add_argument("--as-of", default=None,
                        help="检查日期 YYYY-MM-DD;省略时取台账的数据日期(标题行或文件名中的日期) / "
                             "check date; default the extract's data date")
    parser.add_argument("--policy", default=None, help="参数文件 (TOML) / policy file")
    parser.add_argument("--profile", default=None,
                        help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")
    parser.add_argument("--rules", default=None,
                        help="只执行这些规则,逗号分隔 / rule ids to run, comma-separated")
    parser.add_argument("--out", default=None,
                        help="问题清单工作簿 (.xlsx) / write the findings workbook here")
    parser.add_argument("--record", action="store_true",
                        help="记入检查记录库并与上次比较 / record the run in the audit trail")
    parser.add_argument("--force", action="store_true",
                        help="与 --record 同用:--out 文件已存在时覆盖(其中已填写的整改情况将丢失) / "
                             "with --record: replace an existing --out file")
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
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.ingest.overview import no_loans_message, reading_summary

    if args.out:
        check_output(args.out, force=args.force if args.record else None)
    if len(args.extract) > 1:
        return _check_several(args)
    extract = load_extract(args.extract[0], as_of=args.as_of, profile=args.profile)
    if not len(extract.loans):
        print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
        return 2
    as_of = args.as_of if args.as_of is not None else _data_date([extract])
    if len(extract.rejected):
        print(reading_summary(extract, where_listed=_where_listed(args)))
    report = run_checks(extract, as_of=as_of, policy=args.policy, rules=args.rules)
    print(f"文件 {report.source_name}(指纹 {report.fingerprint[:12]}),检查日 "
          f"{report.as_of:%Y-%m-%d},贷款 {report.loans_checked} 笔,发现问题 "
          f"{len(report.findings)} 条")
    if report.profile_name:
        print(f"导出配置 / export profile: {report.profile_name}"
              f"(sha256 {report.profile_sha256[:12]})")
    _print_report(report)
    _record_and_write(args, report, branches=extract.loans["branch"],
                      rejected=extract.rejected)
    return 0


def _check_several(args: argparse.Namespace) -> int:
    """Several files checked together, as the compliance page checks its uploads."""
    import pandas as pd

    from postloan_audit.compliance.combine import check_extracts, combined_rejected
    from postloan_audit.ingest.overview import no_loans_message, reading_summary

    extracts = [_read_as_the_page_does(path, args) for path in args.extract]
    for extract in extracts:
        if not len(extract.loans):
            print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
            return 2
    as_of = args.as_of if args.as_of is not None else _data_date(extracts)
    report = check_extracts(extracts, as_of=as_of, policy=args.policy, rules=args.rules)
    for extract in extracts:
        if len(extract.rejected):
            print(f"{extract.source_name}:"
                  + reading_summary(extract, where_listed=_where_listed(args)))
    print(f"{len(extracts)} 个文件合并检查,检查日 {report.as_of:%Y-%m-%d},贷款 "
          f"{report.loans_checked} 笔,发现问题 {len(report.findings)} 条 / {len(extracts)} "
          "files checked together")
    for extract in extracts:
        day = f"{extract.as_of:%Y-%m-%d}" if extract.as_of is not None else "未识别"
        profile = (f",导出配置 {extract.profile_name}(sha256 {extract.profile_sha256[:12]})"
                   if extract.profile_name else "")
        print(f"  文件 {extract.source_name}(指纹 {extract.fingerprint[:12]},数据日期 {day}"
              f"{profile}):贷款 {len(extract.loans)} 笔")
    _print_report(report)
    _record_and_write(args, report, branches=pd.concat([e.loans["branch"] for e in extracts]),
                      rejected=combined_rejected(extracts))
    return 0


def _data_date(extracts) -> dt.date:
    """The check date when ``--as-of`` is not given: the data date of the file (of several, the
    latest, :func:`~postloan_audit.compliance.combine.common_as_of`), said on the output;
    refused when no file carries one."""
    from postloan_audit.compliance.combine import common_as_of

    day = common_as_of(extracts)
    if day is None:
        names = "、".join(e.source_name for e in extracts)
        names_en = ", ".join(e.source_name for e in extracts)
        raise ValueError(
            f"未指定检查日期,而文件 {names} 的标题行和文件名中都没有数据日期:请用 --as-of YYYY-MM-DD "
            f"指定检查日期。 / No check date: {names_en} carries no data date (neither a title row"
            " nor the file name gives one); pass the check date with --as-of YYYY-MM-DD.")
    if len(extracts) == 1:
        print(f"检查日期取数据日期 {day:%Y-%m-%d}(未指定 --as-of) / check date: the data date "
              f"{day:%Y-%m-%d} (no --as-of given)")
    else:
        print(f"检查日期取各文件中最晚的数据日期 {day:%Y-%m-%d}(未指定 --as-of) / check date: the "
              f"latest data date of the files, {day:%Y-%m-%d} (no --as-of given)")
    return day


def _read_as_the_page_does(path: str, args: argparse.Namespace):
    """An extract read as the compliance page reads an upload: its own data date (title row or
    file name); ``--as-of`` only when the export profile needs a date the file does not give."""
    from postloan_audit.core.errors import ExtractError, Problem
    from postloan_audit.ingest.loader import load_extract

    try:
        return load_extract(path, profile=args.profile)
    except ExtractError as exc:
        if exc.problem != Problem.NO_AS_OF:
            raise
        return load_extract(path, as_of=args.as_of, profile=args.profile)


def _where_listed(args: argparse.Namespace) -> str:
    return (f"问题清单工作簿的「拒绝行」表({args.out})" if args.out
            else "postloan-audit validate 的输出,或用 --out 写出的问题清单工作簿的「拒绝行」表")


def _print_report(report) -> None:
    """The findings by rule and by branch, the rules not run and the warnings."""
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
        # One wrapped paragraph per rule: a reason names columns and sheets and is too long
        # for a table column on a narrow terminal.
        for rule, reason in zip(not_run["rule_id"], not_run["reason"], strict=True):
            print(wrap_text(f"{rule}:{reason}"))
    for warning in report.warnings:
        print(wrap_text(f"注意 / warning: {warning}"))


def _record_and_write(args: argparse.Namespace, report, *, branches, rejected) -> None:
    """``--record``: record the run (scope: ``branches``); ``--out``: write the findings
    workbook (with the follow-up columns when recorded) and the ``rejected`` rows."""
    from postloan_audit.compliance.findings_workbook import write_findings_workbook

    store = None
    if args.record:
        from postloan_audit.trail.store import open_store

        store = open_store(args.db)
        record = store.record_run(report, branches=branches)
        print(f"已记录为第 {record.run_id} 次检查(范围 {record.scope}) / recorded as run "
              f"{record.run_id}")
        print(record.line())
    if args.out:
        if store is not None:
            from postloan_audit.trail.exchange import export_findings_workbook

            try:
                export_findings_workbook(store, args.out, run_id=record.run_id,
                                         rejected=rejected)
            except OSError:
                # The run is recorded: say how to get its workbook once the file can be written.
                again = (f"postloan-audit followup export FILE --run {record.run_id}"
                         + (f" --db {args.db}" if args.db else ""))
                print(f"第 {record.run_id} 次检查已记录,问题清单未写出;处理下面的问题后可用 {again} "
                      f"重新导出。 / run {record.run_id} is recorded but its workbook was not "
                      f"written; once the problem below is fixed, export it with {again}.",
                      file=sys.stderr)
                raise
        else:
            write_findings_workbook(report, args.out, rejected=rejected)
        print(f"问题清单已写入 / findings workbook written: {args.out}")


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
