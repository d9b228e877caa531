"""``postloan-audit sample``, ``plan-reviews`` and ``new-customer-check`` (督导检查抽样、年度检查计划、
新增客户现场核查).

``sample --out`` and ``new-customer-check --out`` write workpapers the inspector fills in; an
existing one is not replaced without ``--force``.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from postloan_audit.commands.files import check_output
from postloan_audit.commands.tables import format_table, wrap_text


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sample", help="按督导检查配额抽取现场检查样本 / draw an on-site review sample")
    parser.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    parser.add_argument("--branch", default=None,
                        help="被查机构(台账只有一个机构时可省略) / branch to review")
    parser.add_argument("--seed", type=int, required=True, help="随机种子 / random seed")
    parser.add_argument("--min-borrowers", type=int, default=None,
                        help="最低抽查户数(默认10) / minimum number of borrowers (default 10)")
    parser.add_argument("--out", default=None,
                        help="现场检查工作底稿 (.xlsx) / write the workpaper here")
    parser.add_argument("--force", action="store_true",
                        help="--out 的工作底稿已存在时覆盖(其中已填写的内容将丢失) / replace an "
                             "existing workpaper (what was filled in is lost)")
    parser.add_argument("--record", action="store_true",
                        help="记入检查记录库 / record the sample in the audit trail")
    from postloan_audit.commands.followup import add_db_option

    add_db_option(parser)
    parser.add_argument("--profile", default=None,
                        help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")
    parser.set_defaults(func=run_sample)

    plan = subparsers.add_parser(
        "plan-reviews", help="编制年度辖内行现场检查计划 / plan this year's on-site reviews")
    plan.add_argument("extract", help="含机构表的台账文件 (.xlsx) / extract with a branches sheet")
    plan.add_argument("--year", type=int, required=True, help="计划年度 / plan year")
    plan.add_argument("--use-trail", action="store_true",
                      help="机构表未填最近现场检查日期时,用检查记录库中已导入的现场检查 / fill empty "
                           "review dates from the audit trail's recorded on-site reviews")
    add_db_option(plan)
    plan.add_argument("--profile", default=None,
                      help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")
    plan.set_defaults(func=run_plan_reviews)

    check = subparsers.add_parser(
        "new-customer-check",
        help="抽取上月新增客户现场核查名单(每位客户经理不低于10%%) / draw the monthly on-site check"
             " of last month's new customers")
    check.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    check.add_argument("--month", default=None,
                       help="新增客户月份 YYYY-MM(默认为数据日期的上一个月) / month of the new"
                            " customers (default: the month before the data date)")
    check.add_argument("--seed", type=int, required=True, help="随机种子 / random seed")
    check.add_argument("--out", default=None,
                       help="新增客户现场核查底稿 (.xlsx) / write the workpaper here")
    check.add_argument("--force", action="store_true",
                       help="覆盖已有的底稿文件 / replace an existing workpaper file")
    check.add_argument("--profile", default=None,
                       help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")
    check.set_defaults(func=run_new_customer_check)


def run_sample(args: argparse.Namespace) -> int:
    from postloan_audit.core.schema import CLASSIFICATION_ZH
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.supervision.quotas import REASON_ZH, SamplingPolicy, draw_sample
    from postloan_audit.supervision.workpaper import write_sample_workpaper

    if args.out:  # a workpaper is filled in on site: never replaced without --force
        check_output(args.out, force=args.force)
    policy = (SamplingPolicy() if args.min_borrowers is None
              else SamplingPolicy(min_borrowers=args.min_borrowers))
    from postloan_audit.ingest.overview import no_loans_message, reading_summary

    extract = load_extract(args.extract, profile=args.profile)
    if not len(extract.loans):
        print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
        return 2
    if len(extract.rejected):
        print(reading_summary(extract, where_listed="postloan-audit validate 的输出"))
    sample = draw_sample(extract, seed=args.seed, branch=args.branch, policy=policy)
    print(sample.summary())
    strata = pd.DataFrame({
        "配额": sample.strata["quota"].map(REASON_ZH),
        "应抽": sample.strata["required"],
        "可抽": sample.strata["available"],
        "已抽": sample.strata["selected"],
    })
    bor = sample.borrowers
    loans = sample.loans.groupby("borrower_id", sort=False)["loan_id"].agg("、".join)
    table = pd.DataFrame({
        "客户号": bor["borrower_id"],
        "客户名称": bor["borrower_name"].fillna(""),
        "五级分类": bor["classification"].astype(object).map(CLASSIFICATION_ZH),
        "余额合计(元)": bor["total_balance"].map("{:,.2f}".format),
        "排名": bor["balance_rank"],
        "抽样理由": bor["reasons"].map(lambda rs: "、".join(REASON_ZH[r] for r in rs)),
        "借据号": bor["borrower_id"].map(loans),
    })
    print()
    print("分层统计 / strata")
    print(format_table(strata))
    print()
    print("抽样结果 / sample")
    print(format_table(table))
    if args.record:
        from postloan_audit.trail.store import open_store

        sample_id = open_store(args.db).record_sample(sample)
        print(f"样本已记录为第 {sample_id} 次抽样 / sample recorded as sample {sample_id}")
    if args.out:
        write_sample_workpaper(sample, args.out)
        print(f"现场检查工作底稿已写入 / workpaper written: {args.out}")
    return 0


def run_plan_reviews(args: argparse.Namespace) -> int:
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.supervision.planning import plan_branch_reviews

    extract = load_extract(args.extract, profile=args.profile)
    if extract.branches is None:
        raise ValueError(
            f"文件 {extract.source_name} 没有机构表(需包含「机构」「最近现场检查日期」两列)。"
            f" / {extract.source_name} has no branches sheet (columns 机构, 最近现场检查日期).")
    reviews = None
    if args.use_trail or args.db:
        from postloan_audit.trail.store import open_store

        reviews = open_store(args.db).last_onsite_reviews()
    plan = plan_branch_reviews(extract.branches, year=args.year, loans=extract.loans,
                               reviews=reviews)
    chosen = int(plan["selected"].sum())
    print(f"{args.year}年现场检查计划:辖内 {len(plan)} 个机构,必查 {int(plan['must'].sum())} 个,"
          f"计划检查 {chosen} 个")
    table = pd.DataFrame({
        "机构": plan["branch"],
        "最近现场检查": plan["last_onsite_review_date"].dt.strftime("%Y-%m-%d").fillna("无"),
        "必查": plan["must"].map({True: "是", False: "否"}),
        "计划检查": plan["selected"].map({True: "是", False: "否"}),
        "理由": plan["reason"],
    })
    print(format_table(table))
    return 0


def run_new_customer_check(args: argparse.Namespace) -> int:
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.ingest.overview import no_loans_message, reading_summary
    from postloan_audit.supervision.new_customers import (
        new_customer_table,
        officer_table,
        write_new_customer_workpaper,
    )
    from postloan_audit.supervision.planning import draw_new_customer_check, new_customer_month

    if args.out:  # a workpaper is filled in on site: never replaced without --force
        check_output(args.out, force=args.force)
    extract = load_extract(args.extract, profile=args.profile)
    if not len(extract.loans):
        print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
        return 2
    if len(extract.rejected):
        print(reading_summary(extract, where_listed="postloan-audit validate 的输出"))
    month = args.month
    if month is None:
        if extract.as_of is None:
            raise ValueError(f"文件 {extract.source_name} 未识别数据日期,请用 --month 指定新增客户月份"
                             f"(YYYY-MM)。 / {extract.source_name} carries no data date: give"
                             " --month.")
        month = new_customer_month(extract.as_of)
    check = draw_new_customer_check(extract, month=month, seed=args.seed)
    attrs = check.attrs
    day = f"{extract.as_of:%Y-%m-%d}" if extract.as_of else "未识别"
    print(f"新增客户现场核查:{month} 新增个人客户 {attrs['new_customers']} 户,应抽 "
          f"{attrs['required']} 户,抽取 {len(check)} 户(随机种子 {attrs['seed']})")
    print(f"文件 {extract.source_name}(指纹 {extract.fingerprint[:12]},数据日期 {day})")
    print(wrap_text(attrs["note"]))
    officers = officer_table(check)
    if len(officers):
        print()
        print("按客户经理 / by loan officer")
        print(format_table(officers))
    table = new_customer_table(check, on_site=False)
    table["首笔发放日"] = pd.Series(table["首笔发放日"]).dt.strftime("%Y-%m-%d").to_numpy()
    table["本月借据号"] = table["本月借据号"].map("、".join)
    print()
    if len(table):
        print("核查名单 / customers to check on site")
        print(format_table(table))
    else:
        print(f"核查名单 / customers to check on site:{month} 没有新增个人客户(无 / none)")
    if args.out:
        write_new_customer_workpaper(check, args.out, provenance=extract.provenance)
        print(f"新增客户现场核查底稿已写入 / workpaper written: {args.out}")
    return 0
