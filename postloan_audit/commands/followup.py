"""``postloan-audit followup …`` and ``postloan-audit history`` (整改跟踪、检查记录).

Every command takes ``--db PATH`` (a SQLite file or a ``postgresql://`` URL; default
``POSTLOAN_AUDIT_DB``, else ``~/.postloan-audit/audit.db``). Tables are aligned for Chinese
text (:func:`~postloan_audit.commands.tables.format_table`), an empty cell is blank, and the
times the trail stores in UTC are shown in the bank's time zone (the policy's
``trail.time_zone``, default Asia/Shanghai; ``--policy``). ``followup export`` never replaces
an existing file without ``--force``: it may be a workbook a branch has filled in.
"""

from __future__ import annotations

import argparse

import pandas as pd

from postloan_audit.commands.files import FORCE_HELP, check_output
from postloan_audit.commands.tables import format_table

DB_HELP = ("检查记录库:SQLite 文件路径或 postgresql:// 地址(默认 POSTLOAN_AUDIT_DB,否则 "
           "~/.postloan-audit/audit.db) / the audit-trail store")
POLICY_HELP = "参数文件 (TOML),其中 [trail] time_zone 为显示时间的时区 / policy file (time zone)"


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
    export.add_argument("out", metavar="FILE.xlsx")
    add_db_option(export)
    export.add_argument("--run", type=int, default=None, help="检查记录编号(默认最近一次) / run id")
    export.add_argument("--force", action="store_true", help=FORCE_HELP)
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
    history.add_argument("--policy", default=None, help=POLICY_HELP)
    history.set_defaults(func=run_history)


def _print(frame: pd.DataFrame) -> None:
    print(format_table(frame) if len(frame) else "(无 / none)")


def _text(values: pd.Series) -> pd.Series:
    """Values as shown: a missing one blank."""
    return values.astype(object).where(values.notna(), "")


def _days(values: pd.Series) -> pd.Series:
    """Dates as ``2026-09-30``; a missing one blank."""
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("").astype(object)


def _time_zone(args: argparse.Namespace) -> str:
    from postloan_audit.compliance.policy import Policy

    return Policy.coerce(args.policy).trail.time_zone


def followup_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The follow-up list with Chinese headers (整改台账), every cell text, blank when empty."""
    from postloan_audit.core.severity import SEVERITY_ZH

    return pd.DataFrame({
        "机构": _text(frame["branch"]), "规则编号": _text(frame["rule_id"]),
        "借据号": _text(frame["loan_id"]), "客户名称": _text(frame["borrower_name"]),
        "严重程度": _text(frame["severity"].map(SEVERITY_ZH)),
        "首次发现": _days(frame["first_seen"]), "整改期限": _days(frame["deadline"]),
        "整改状态": _text(frame["status"]), "逾期": frame["overdue"].map({True: "是", False: ""}),
        "责任人": _text(frame["responsible"]), "整改措施": _text(frame["measures"]),
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

    check_output(args.out, force=args.force)
    run_id = export_findings_workbook(open_store(args.db), args.out, run_id=args.run)
    print(f"第 {run_id} 次检查的问题清单(含整改情况)已写入 / findings workbook of run {run_id} "
          f"written: {args.out}")
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
    from postloan_audit.trail.store import local_times, open_store

    store = open_store(args.db)
    zone = _time_zone(args)
    shown_in = f"时间为 {zone} 时间 / times in {zone}"
    if args.changes:
        log = store.changes()
        print(f"变更记录 / change log: {len(log)} 条({shown_in})")
        _print(pd.DataFrame({
            "时间": local_times(log["at"], zone), "操作人": _text(log["who"]),
            "对象": _text(log["entity"]), "键": _text(log["entity_key"]),
            "项目": _text(log["field"]), "原值": _text(log["old"]), "新值": _text(log["new"]),
            "说明": _text(log["note"])}))
        return 0
    runs = store.runs()
    print(f"检查记录 / recorded runs: {len(runs)} 次({shown_in})")
    _print(pd.DataFrame({
        "编号": runs["run_id"].astype(str), "记录时间": local_times(runs["recorded_at"], zone),
        "操作人": _text(runs["recorded_by"]), "检查日": _days(runs["as_of"]),
        "范围": _text(runs["scope"]), "文件": _text(runs["source_name"]),
        "指纹": _text(runs["fingerprint"].str.slice(0, 12)), "问题数": runs["findings_count"],
        "新增": runs["new_count"], "延续": runs["carried_count"], "消失": runs["gone_count"],
    }))
    return 0
