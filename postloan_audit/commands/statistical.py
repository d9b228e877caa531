"""``postloan-audit stat-plan``, ``stat-sample`` and ``stat-evaluate`` (统计抽样).

Two tests (``--test``): ``control`` (控制测试, attribute sampling) and ``classification``
(五级分类准确性, monetary-unit sampling of the loans reported as performing). A sample is
reproducible from the extract, the seed, the size and the method, so ``stat-evaluate`` draws it
again and reads the filled workpaper against it. ``stat-sample --out`` does not replace an
existing workpaper (it may be filled in) without ``--force``.
"""

from __future__ import annotations

import argparse
import dataclasses

from postloan_audit.commands.files import check_output

_TESTS = ("control", "classification")


def _common_plan(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--confidence", type=float, default=0.95,
                        help="可信赖程度(默认 0.95) / confidence, 1 - risk (default 0.95)")
    parser.add_argument("--tolerable", type=float, required=True,
                        help="可容忍偏差率或可容忍错报(比例如 0.05,或金额元) / tolerable rate or amount")
    parser.add_argument("--expected", type=float, default=0.0,
                        help="预计偏差率或预计错报(默认 0) / expected rate or amount (default 0)")


def register(subparsers) -> None:
    plan = subparsers.add_parser(
        "stat-plan", help="统计抽样:确定样本量 / plan a statistical sample")
    plan.add_argument("--test", choices=_TESTS, required=True,
                      help="control 控制测试(属性抽样);classification 五级分类准确性(货币单元抽样)")
    _common_plan(plan)
    plan.add_argument("--population", type=int, default=None,
                      help="控制测试:总体项目数(超几何分布需要) / items in the population")
    plan.add_argument("--likelihood", choices=("binomial", "poisson", "hypergeometric"),
                      default="binomial", help="控制测试的分布(默认 binomial)")
    plan.add_argument("--extract", default=None,
                      help="五级分类准确性:贷款台账(总体金额取正常、关注类余额合计)")
    plan.add_argument("--population-value", type=float, default=None,
                      help="五级分类准确性:总体金额(元),不给台账时必填")
    plan.set_defaults(func=run_plan)

    sample = subparsers.add_parser(
        "stat-sample", help="统计抽样:选取样本并写出工作底稿 / draw a statistical sample")
    sample.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    sample.add_argument("--test", choices=_TESTS, required=True)
    sample.add_argument("--n", type=int, required=True, help="样本量(stat-plan 的结果)")
    sample.add_argument("--seed", type=int, required=True, help="随机种子 / random seed")
    sample.add_argument("--method", choices=("fixed_interval", "cell", "random"),
                        default="fixed_interval", help="货币单元选样方法(默认 fixed_interval)")
    sample.add_argument("--out", default=None, help="工作底稿 (.xlsx) / workpaper to write")
    sample.add_argument("--force", action="store_true",
                        help="--out 的工作底稿已存在时覆盖(其中已填写的内容将丢失) / replace an "
                             "existing workpaper (what was filled in is lost)")
    sample.set_defaults(func=run_sample)

    evaluate = subparsers.add_parser(
        "stat-evaluate", help="统计抽样:评价样本结果 / evaluate a statistical sample")
    evaluate.add_argument("--test", choices=_TESTS, required=True)
    evaluate.add_argument("--confidence", type=float, default=0.95)
    evaluate.add_argument("--tolerable", type=float, default=None,
                          help="可容忍偏差率或错报:给出时输出能否信赖/接受的结论")
    evaluate.add_argument("--n", type=int, default=None, help="样本量")
    evaluate.add_argument("--deviations", type=int, default=None,
                          help="控制测试:发现的偏差数(不给时从 --workpaper 读取)")
    evaluate.add_argument("--population", type=int, default=None)
    evaluate.add_argument("--likelihood", choices=("binomial", "poisson", "hypergeometric"),
                          default="binomial")
    evaluate.add_argument("--extract", default=None, help="五级分类准确性:抽样用的贷款台账")
    evaluate.add_argument("--seed", type=int, default=None, help="五级分类准确性:抽样用的随机种子")
    evaluate.add_argument("--method", choices=("fixed_interval", "cell", "random"),
                          default="fixed_interval")
    evaluate.add_argument("--evaluation", choices=("stringer", "poisson"), default="stringer",
                          help="货币单元评价方法(默认 stringer)")
    evaluate.add_argument("--workpaper", default=None, help="已填写的工作底稿 (.xlsx)")
    evaluate.set_defaults(func=run_evaluate)


def _missing(*names: str) -> ValueError:
    flags = "、".join(names)
    return ValueError(f"缺少参数 {flags}。 / Missing option(s): {', '.join(names)}.")


def _performing_extract(path: str):
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.statistical.workpaper import performing_loans

    extract = load_extract(path)
    return dataclasses.replace(extract, loans=performing_loans(extract.loans))


def run_plan(args: argparse.Namespace) -> int:
    from postloan_audit.statistical import plan_attribute_sample, plan_mus

    if args.test == "control":
        plan = plan_attribute_sample(confidence=args.confidence, tolerable_rate=args.tolerable,
                                     expected_rate=args.expected, population=args.population,
                                     likelihood=args.likelihood)
    else:
        if args.extract:
            value = float(_performing_extract(args.extract).loans["balance"].clip(lower=0).sum())
        elif args.population_value is not None:
            value = args.population_value
        else:
            raise _missing("--extract", "--population-value")
        plan = plan_mus(confidence=args.confidence, tolerable=args.tolerable,
                        expected=args.expected, population_value=value)
    print(plan.summary())
    return 0


def run_sample(args: argparse.Namespace) -> int:
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.statistical import draw_mus_sample
    from postloan_audit.statistical import workpaper as wp

    if args.out:  # the auditor fills the workpaper in: never replaced without --force
        check_output(args.out, force=args.force)
    if args.test == "control":
        extract = load_extract(args.extract)
        items = wp.draw_control_items(extract.loans, args.n, seed=args.seed)
        print(f"控制测试样本:总体 {len(extract.loans)} 笔,随机种子 {args.seed},抽取 {len(items)} 笔")
        print("借据号:" + "、".join(items["loan_id"].astype(str)))
        if args.out:
            wp.write_control_workpaper(items, args.out, parameters=[
                ("测试", wp.TESTS["control"]), ("数据文件", extract.source_name),
                ("文件指纹", extract.fingerprint), ("随机种子", args.seed), ("样本量", args.n),
                ("样本指纹", wp.items_fingerprint(items))])
    else:
        sample = draw_mus_sample(_performing_extract(args.extract), args.n, seed=args.seed,
                                 method=args.method)
        print(sample.summary())
        print("借据号:" + "、".join(sample.loans["loan_id"].astype(str)))
        if args.out:
            wp.write_mus_workpaper(sample, args.out)
    if args.out:
        print(f"工作底稿已写入 / workpaper written: {args.out}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.statistical import (
        draw_mus_sample,
        evaluate_attribute_sample,
        evaluate_mus,
    )
    from postloan_audit.statistical import workpaper as wp

    if args.test == "control":
        expected_ids = None
        if args.deviations is None:
            if not args.workpaper:
                raise _missing("--deviations", "--workpaper")
            if args.extract and args.seed is not None and args.n is not None:
                items = wp.draw_control_items(load_extract(args.extract).loans, args.n,
                                              seed=args.seed)
                expected_ids = items["loan_id"].astype(str).tolist()
            n, deviations = wp.read_control_workpaper(args.workpaper, expected_ids=expected_ids)
        else:
            if args.n is None:
                raise _missing("--n")
            n, deviations = args.n, args.deviations
        result = evaluate_attribute_sample(n=n, deviations=deviations, confidence=args.confidence,
                                           population=args.population, likelihood=args.likelihood)
    else:
        need = [f for f, v in (("--extract", args.extract), ("--seed", args.seed), ("--n", args.n),
                               ("--workpaper", args.workpaper)) if v is None]
        if need:
            raise _missing(*need)
        sample = draw_mus_sample(_performing_extract(args.extract), args.n, seed=args.seed,
                                 method=args.method)
        audited = wp.read_mus_workpaper(args.workpaper, sample)
        result = evaluate_mus(sample, audited, confidence=args.confidence,
                              method=args.evaluation)
    print(result.summary(args.tolerable))
    return 0
