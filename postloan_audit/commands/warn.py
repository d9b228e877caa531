"""``postloan-audit warn EXTRACT`` (风险预警与预警名单).

The extract is scanned as of ``--as-of`` (:func:`~postloan_audit.warning.scan.scan_signals`),
against the earlier snapshot ``--previous`` when given (classification and rating moved down,
and each borrower's movement on the watch list). Prints the borrowers per level and per
movement, the watch list and the signals not run; ``--out`` writes the watch-list workbook (预警名单,
预警信号), which is not replaced without ``--force``: the branches annotate it. ``--record`` (with
``--db``, like the other audit-trail commands) records the watch list as alerts: new ones 发起,
still-watched ones carried (``postloan-audit alerts …`` follows them up).

Without ``--as-of`` the scan date is the data date the file carries, and the output says so.
"""

from __future__ import annotations

import argparse
import sys

from postloan_audit.commands.files import FORCE_HELP, check_output
from postloan_audit.commands.followup import add_db_option
from postloan_audit.commands.tables import format_table, wrap_text

#: The watch list as printed: Chinese headers.
WATCHLIST_PRINT_HEADERS: dict[str, str] = {
    "level": "等级", "borrower_id": "客户号", "borrower_name": "客户名称", "branch": "经营机构",
    "balance": "贷款余额(元)", "signal_ids": "预警信号", "direct_listing": "直接列入",
    "listed": "已列入名单", "movement": "变动",
}
LEVEL_HEADERS: dict[str, str] = {"level": "预警等级", "borrowers": "户数", "balance": "贷款余额(元)"}
MOVEMENT_HEADERS: dict[str, str] = {"movement": "较上期变动", "borrowers": "户数"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "warn", help="风险预警扫描并生成预警名单 / scan for early-warning signals, build the "
                     "watch list")
    parser.add_argument("extract", help="贷款台账文件 (.xlsx/.csv),含外部信息、保证、押品、财务报表、名单等表"
                                        " / the extract with its borrower's-file sheets")
    parser.add_argument("--previous", default=None,
                        help="上期台账,用于分类、评级下调和名单变动 / the earlier snapshot")
    parser.add_argument("--as-of", default=None,
                        help="预警日期 YYYY-MM-DD;省略时取台账的数据日期 / scan date; default the "
                             "extract's data date")
    parser.add_argument("--policy", default=None, help="参数文件 (TOML) / policy file")
    parser.add_argument("--profile", default=None,
                        help="导出配置 (TOML),两期台账共用 / export profile (TOML), for both files")
    parser.add_argument("--out", default=None,
                        help="预警名单工作簿 (.xlsx) / write the watch-list workbook here")
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)
    parser.add_argument("--record", action="store_true",
                        help="将预警名单记入检查记录库(新名单发起预警,仍在名单的延续) / record the "
                             "watch list as alerts in the audit trail")
    add_db_option(parser)
    parser.set_defaults(func=run_warn)


def _load(path: str, args: argparse.Namespace, as_of: str | None = None):
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.ingest.overview import no_loans_message, reading_summary

    extract = load_extract(path, as_of=as_of, profile=args.profile)
    if not len(extract.loans):
        print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
        return None
    if len(extract.rejected):
        print(f"{extract.source_name}:"
              + reading_summary(extract, where_listed="postloan-audit validate 的输出"))
    return extract


def run_warn(args: argparse.Namespace) -> int:
    from postloan_audit.core.severity import LEVEL_ZH
    from postloan_audit.warning.scan import MOVEMENT_ZH, scan_signals
    from postloan_audit.warning.workbook import write_watchlist_workbook

    if args.out:
        check_output(args.out, force=args.force)
    extract = _load(args.extract, args, args.as_of)
    if extract is None:
        return 2
    as_of = args.as_of
    if as_of is None:
        if extract.as_of is None:
            raise ValueError(
                f"未指定预警日期,而文件 {extract.source_name} 的标题行和文件名中都没有数据日期:请用 "
                f"--as-of YYYY-MM-DD 指定。 / No scan date: {extract.source_name} carries no data "
                "date; pass it with --as-of YYYY-MM-DD.")
        as_of = extract.as_of
        print(f"预警日期取数据日期 {as_of:%Y-%m-%d}(未指定 --as-of) / scan date: the data date "
              f"{as_of:%Y-%m-%d} (no --as-of given)")
    previous = None
    if args.previous:
        previous = _load(args.previous, args)
        if previous is None:
            return 2
    report = scan_signals(extract, as_of=as_of, previous=previous, policy=args.policy)
    p = report.provenance
    watch = report.watchlist
    on = watch.loc[watch["level"].notna()]
    print(f"文件 {p.source_name}(指纹 {(p.fingerprint or '')[:12]}),预警日期 {report.as_of:%Y-%m-%d},"
          f"预警信号 {len(report.signals)} 条,预警名单 {len(on)} 户,其中直接列入情形 "
          f"{int(on['direct_listing'].sum())} 户")
    if report.previous is not None:
        print(f"较上期 {report.previous.source_name}(数据日期 {report.previous.as_of:%Y-%m-%d})")
    levels = report.counts_by_level()
    levels["level"] = levels["level"].map(LEVEL_ZH)
    print()
    print("按等级 / by level")
    print(format_table(levels, headers=LEVEL_HEADERS))
    if report.previous is not None:
        moved = report.counts_by_movement()
        moved["movement"] = moved["movement"].map(MOVEMENT_ZH)
        print()
        print("较上期变动 / movement")
        print(format_table(moved, headers=MOVEMENT_HEADERS))
    if len(watch):
        table = watch.assign(
            level=watch["level"].map(LEVEL_ZH),
            direct_listing=watch["direct_listing"].map({True: "是", False: ""}),
            listed=watch["listed"].map({True: "是", False: ""}),
            movement=watch["movement"].map(MOVEMENT_ZH))[list(WATCHLIST_PRINT_HEADERS)]
        print()
        print("预警名单 / watch list")
        print(format_table(table, headers=WATCHLIST_PRINT_HEADERS))
    if len(report.not_run):
        print()
        print("未执行信号 / signals not run")
        for sid, reason in zip(report.not_run["signal_id"], report.not_run["reason"],
                               strict=True):
            print(wrap_text(f"{sid}:{reason}"))
    for warning in report.warnings:
        print(wrap_text(f"注意 / warning: {warning}"))
    if args.out:
        write_watchlist_workbook(report, args.out)
        print(f"预警名单已写入 / watch list written: {args.out}")
    if args.record:
        from postloan_audit.trail.store import open_store

        record = open_store(args.db).record_alerts(
            report.watchlist, report.signals, as_of=report.as_of, source_name=p.source_name,
            fingerprint=p.fingerprint or "", policy=report.policy)
        print(record.line())
    return 0
