"""``postloan-audit followup …`` and ``postloan-audit history`` (整改跟踪、检查记录).

Every command takes ``--db PATH`` (a SQLite file or a ``postgresql://`` URL; default
``POSTLOAN_AUDIT_DB``, else ``~/.postloan-audit/audit.db``).
"""

from __future__ import annotations

import argparse

import pandas as pd

_DISPLAY = {"display.width": 220, "display.max_columns": 40, "display.max_colwidth": 60,
            "display.max_rows": 1000, "display.unicode.east_asian_width": True}
DB_HELP = ("检查记录库:SQLite 文件路径或 postgresql:// 地址(默认 POSTLOAN_AUDIT_DB,否则 "
           "~/.postloan-audit/audit.db) / the audit-trail store")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """The ``--db PATH`` option every audit-trail command takes."""
    parser.add_argument("--db", default=None, metavar="PATH", help=DB_HELP)


def register(subparsers) -> None:
    parser = subparsers.add_parser("followup", help="整改跟踪 / follow-up of findings")
    sub = parser.add_subparsers(dest="followup_command", required=True, metavar="ACTION")

    listing = sub.add_parser("list", help="列出整改台账 / list the follow-up")
    add_db_option(listing)
    listing.add_argument("--branch", default=None, help="机构 / branch")
    listing.add_argument("--rule", default=None, help="规则编号 / rule id")
    listing.add_argument("--status", default=None, help="整改状态 / status")
    listing.add_argument("--overdue", action="store_true", help="只列逾期未整改 / overdue only")
    listing.set_defaults(func=run_list)

    export = sub.add_parser("export", help="导出含整改情况栏的问题清单 / export the findings "
                                           "workbook with 整改情况 columns")
    export.add_argument("file", metavar="FILE.xlsx")
    add_db_option(export)
    export.add_argument("--run", type=int, default=None, help="检查记录编号(默认最近一次) / run id")
    export.set_defaults(func=run_export)

    imp = sub.add_parser("import", help="导入分支机构回传的问题清单 / import a returned workbook")
    imp.add_argument("file", metavar="FILE.xlsx")
    add_db_option(imp)
    imp.set_defaults(func=run_import)

    wp = sub.add_parser("import-workpaper", help="导入填写后的现场检查工作底稿 / import a filled "
                                                 "on-site workpaper")
    wp.add_argument("file", metavar="FILE.xlsx")
    add_db_option(wp)
    wp.set_defaults(func=run_import_workpaper)

    history = subparsers.add_parser("history", help="检查记录 / recorded check runs")
    add_db_option(history)
    history.add_argument("--changes", action="store_true", help="列出变更记录 / the change log")
    history.set_defaults(func=run_history)


def _print(frame: pd.DataFrame) -> None:
    with pd.option_context(*[i for pair in _DISPLAY.items() for i in pair]):
        print(frame.to_string(index=False) if len(frame) else "(无 / none)")


def followup_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The follow-up list with Chinese headers (整改台账)."""
    from postloan_audit.core.severity import SEVERITY_ZH

    return pd.DataFrame({
        "机构": frame["branch"], "规则编号": frame["rule_id"], "借据号": frame["loan_id"],
        "客户名称": frame["borrower_name"], "严重程度": frame["severity"].map(SEVERITY_ZH),
        "首次发现": frame["first_seen"], "整改期限": frame["deadline"], "整改状态": frame["status"],
        "逾期": frame["overdue"].map({True: "是", False: ""}), "责任人": frame["responsible"],
        "整改措施": frame["measures"],
    })


def run_list(args: argparse.Namespace) -> int:
    from postloan_audit.trail.store import open_store

    store = open_store(args.db)
    frame = store.followup(branch=args.branch, rule=args.rule, status=args.status,
                           overdue=True if args.overdue else None)
    print(f"整改台账 / follow-up: {len(frame)} 条,逾期 {int(frame['overdue'].sum())} 条")
    _print(followup_table(frame))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from postloan_audit.trail.exchange import export_findings_workbook
    from postloan_audit.trail.store import open_store

    run_id = export_findings_workbook(open_store(args.db), args.file, run_id=args.run)
    print(f"第 {run_id} 次检查的问题清单(含整改情况)已写入 / findings workbook of run {run_id} "
          f"written: {args.file}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from postloan_audit.trail.exchange import import_findings_workbook
    from postloan_audit.trail.store import open_store

    print(import_findings_workbook(open_store(args.db), args.file).line())
    return 0


def run_import_workpaper(args: argparse.Namespace) -> int:
    from postloan_audit.trail.exchange import import_workpaper
    from postloan_audit.trail.store import open_store

    print(import_workpaper(open_store(args.db), args.file).line())
    return 0


def run_history(args: argparse.Namespace) -> int:
    from postloan_audit.trail.store import open_store

    store = open_store(args.db)
    if args.changes:
        log = store.changes()
        _print(pd.DataFrame({"时间(UTC)": log["at"], "操作人": log["who"], "对象": log["entity"],
                             "键": log["entity_key"], "项目": log["field"], "原值": log["old"],
                             "新值": log["new"], "说明": log["note"]}))
        return 0
    runs = store.runs()
    print(f"检查记录 / recorded runs: {len(runs)} 次")
    _print(pd.DataFrame({
        "编号": runs["run_id"], "记录时间(UTC)": runs["recorded_at"], "操作人": runs["recorded_by"],
        "检查日": runs["as_of"], "范围": runs["scope"], "文件": runs["source_name"],
        "指纹": runs["fingerprint"].str.slice(0, 12), "问题数": runs["findings_count"],
        "新增": runs["new_count"], "延续": runs["carried_count"], "消失": runs["gone_count"],
    }))
    return 0
