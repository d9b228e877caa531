"""``postloan-audit maturities`` and ``postloan-audit settled`` (贷款到期提示表、贷款结清名单).

The monthly lists of :mod:`postloan_audit.portfolio.lists`: each prints a summary (how many
loans, what balance, per branch) and, with ``--out``, writes the workbook to send to the
branches.
"""

from __future__ import annotations

import argparse
import sys

from postloan_audit.commands.tables import format_table, wrap_text

BY_BRANCH_HEADERS: dict[str, str] = {"branch": "经营机构", "loans": "笔数", "balance": "贷款余额(元)"}


def register(subparsers) -> None:
    maturities = subparsers.add_parser(
        "maturities", help="次月贷款到期提示表 / the loans maturing next month, to notify branches")
    maturities.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    maturities.add_argument("--month", default=None,
                            help="到期月份 YYYY-MM(默认为数据日期的下一个月) / month of maturity"
                                 " (default: the month after the data date)")
    maturities.add_argument("--out", default=None,
                            help="到期提示表 (.xlsx) / write the list here")
    maturities.add_argument("--profile", default=None,
                            help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")
    maturities.set_defaults(func=run_maturities)

    settled = subparsers.add_parser(
        "settled", help="贷款结清名单(两期台账之间) / loans settled between two snapshots")
    settled.add_argument("before", help="上期台账 (.xlsx/.csv) / the earlier snapshot")
    settled.add_argument("after", help="本期台账 (.xlsx/.csv) / the later snapshot")
    settled.add_argument("--out", default=None, help="结清名单 (.xlsx) / write the list here")
    settled.add_argument("--profile", default=None,
                         help="导出配置 (TOML),两期台账共用 / export profile (TOML), for both")
    settled.set_defaults(func=run_settled)


def _load(path: str, profile: str | None):
    """The extract of ``path``, or None (the reason printed) when it keeps no loan."""
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.ingest.overview import no_loans_message, reading_summary

    extract = load_extract(path, profile=profile)
    if not len(extract.loans):
        print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
        return None
    if len(extract.rejected):
        print(f"{extract.source_name}:"
              + reading_summary(extract, where_listed="postloan-audit validate 的输出"))
    return extract


def _day(extract) -> str:
    return f"{extract.as_of:%Y-%m-%d}" if extract.as_of is not None else "未识别"


def run_maturities(args: argparse.Namespace) -> int:
    from postloan_audit.core.dates import month_span
    from postloan_audit.portfolio.lists import (
        LIST_HEADERS,
        list_by_branch,
        maturity_list,
        maturity_month,
        maturity_title,
        write_maturity_list,
    )

    extract = _load(args.extract, args.profile)
    if extract is None:
        return 2
    month = args.month
    if month is None:
        if extract.as_of is None:
            raise ValueError(f"文件 {extract.source_name} 未识别数据日期,请用 --month 指定到期月份"
                             f"(YYYY-MM)。 / {extract.source_name} carries no data date: give"
                             " --month.")
        month = maturity_month(extract.as_of)
    listed = maturity_list(extract, month=month)
    first, last = month_span(month)
    recorded = listed["notice_recorded"]
    notices = ("台账无到期通知日期列" if recorded.isna().all() and len(listed)
               else f"已登记到期通知 {int(recorded.sum())} 笔")
    print(maturity_title(listed))
    print(wrap_text(
        f"文件 {extract.source_name}(指纹 {extract.fingerprint[:12]},数据日期 {_day(extract)}):"
        f"余额大于0、到期日在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 的贷款 {len(listed)} 笔,"
        f"余额 {listed.attrs['balance']:,.2f} 元;{notices}"))
    missing = listed.attrs["missing"]
    if missing:
        print(wrap_text("台账无以下列,表中相应栏为空:"
                        + "、".join(LIST_HEADERS[c] for c in missing)))
    if len(listed):
        print()
        print("按机构 / by branch")
        print(format_table(list_by_branch(listed), headers=BY_BRANCH_HEADERS))
    if args.out:
        write_maturity_list(listed, args.out)
        print(f"到期提示表已写入 / maturity list written: {args.out}")
    return 0


def run_settled(args: argparse.Namespace) -> int:
    from postloan_audit.portfolio.lists import (
        SETTLED_AS_ZH,
        list_by_branch,
        settled_list,
        settled_title,
        write_settled_list,
    )

    before = _load(args.before, args.profile)
    if before is None:
        return 2
    after = _load(args.after, args.profile)
    if after is None:
        return 2
    listed = settled_list(before, after)
    attrs = listed.attrs
    print(settled_title(listed))
    print(wrap_text(
        f"上期 {before.source_name}(数据日期 {_day(before)})→ 本期 {after.source_name}(数据日期 "
        f"{_day(after)}):结清 {attrs['count']} 笔,上期余额 {attrs['balance_before']:,.2f} 元"
        f"({SETTLED_AS_ZH['gone']} {attrs['gone']} 笔,{SETTLED_AS_ZH['zero']} "
        f"{attrs['zero']} 笔)"))
    if attrs["note"]:
        print(wrap_text(f"注意 / note: {attrs['note']}"))
    if len(listed):
        print()
        print("按机构 / by branch")
        print(format_table(list_by_branch(listed, balance="balance_before"),
                           headers={**BY_BRANCH_HEADERS, "balance": "上期余额(元)"}))
    if args.out:
        write_settled_list(listed, args.out)
        print(f"结清名单已写入 / settled list written: {args.out}")
    return 0
