"""``postloan-audit alerts list | export FILE | import FILE`` (预警处置跟踪).

The alerts are the watch lists recorded by ``postloan-audit warn … --record`` (see
:mod:`postloan_audit.trail.alerts`). Every command takes ``--db`` like the other audit-trail
commands; ``export`` never replaces an existing file without ``--force`` (a branch may have
filled it in).
"""

from __future__ import annotations

import argparse

import pandas as pd

from postloan_audit.commands.files import FORCE_HELP, check_output
from postloan_audit.commands.followup import _days, _print, _text, add_db_option


def register(subparsers) -> None:
    parser = subparsers.add_parser("alerts", help="预警处置跟踪 / early-warning alerts")
    sub = parser.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")

    listing = sub.add_parser("list", help="列出预警台账 / list the alerts")
    add_db_option(listing)
    listing.add_argument("--branch", default=None, help="机构 / branch")
    listing.add_argument("--status", default=None, help="状态(发起/认定/排除/处置/解除) / state")
    listing.add_argument("--all", action="store_true", help="含已排除、已解除 / closed ones too")
    listing.set_defaults(func=run_list)

    export = sub.add_parser("export", help="导出风险预警信号处理表 / export the open alerts")
    export.add_argument("out", metavar="FILE.xlsx")
    add_db_option(export)
    export.add_argument("--branch", default=None, help="只导出该机构 / only this branch")
    export.add_argument("--force", action="store_true", help=FORCE_HELP)
    export.set_defaults(func=run_export)

    imp = sub.add_parser("import", help="导入回传的风险预警信号处理表 / import a returned workbook")
    imp.add_argument("file", metavar="FILE.xlsx")
    add_db_option(imp)
    imp.set_defaults(func=run_import)


def alerts_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The alerts with Chinese headers (预警台账), every cell text, blank when empty."""
    from postloan_audit.core.severity import LEVEL_ZH

    return pd.DataFrame({
        "预警编号": frame["alert_id"].astype(str), "机构": _text(frame["branch"]),
        "客户号": _text(frame["borrower_id"]), "客户名称": _text(frame["borrower_name"]),
        "等级": _text(frame["level"].map(LEVEL_ZH)), "发起日期": _days(frame["raised_on"]),
        "状态": _text(frame["status"]), "处置期限": _days(frame["deadline"]),
        "逾期": frame["overdue"].map({True: "是", False: ""}),
        "责任人": _text(frame["responsible"]), "处置措施": _text(frame["measures"]),
        "说明": _text(frame["note"]),
    })


def run_list(args: argparse.Namespace) -> int:
    from postloan_audit.trail.store import open_store

    store = open_store(args.db)
    frame = store.alerts(open_only=not args.all and not args.status, branch=args.branch,
                         status=args.status)
    what = "预警" if args.all or args.status else "未解除预警"
    print(f"{what} / alerts: {len(frame)} 条,逾期未处置 {int(frame['overdue'].sum())} 条")
    _print(alerts_table(frame))
    by_branch = store.overdue_alerts_by_branch()
    if args.branch:
        by_branch = by_branch.loc[by_branch["branch"] == args.branch]
    if len(by_branch):
        print()
        print("按机构 / by branch")
        _print(pd.DataFrame({"机构": _text(by_branch["branch"]),
                             "未解除": by_branch["open"].astype(str),
                             "逾期未处置": by_branch["overdue"].astype(str)}))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from postloan_audit.trail.alert_exchange import export_alerts_workbook
    from postloan_audit.trail.store import open_store

    check_output(args.out, force=args.force)
    n = export_alerts_workbook(open_store(args.db), args.out, branch=args.branch)
    print(f"风险预警信号处理表已写入({n} 条未解除预警) / alerts workbook written ({n} open "
          f"alerts): {args.out}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from postloan_audit.trail.alert_exchange import import_alerts_workbook
    from postloan_audit.trail.store import open_store

    print(import_alerts_workbook(open_store(args.db), args.file).line())
    return 0
