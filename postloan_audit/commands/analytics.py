"""The audit analytics on the command line (审计分析): ``parties``, ``circles``, ``exposures``,
``benford``, ``duplicates``, ``compare``.

Each loads the file(s), prints what :mod:`postloan_audit.analytics` finds as aligned tables,
Chinese first, and with ``--out`` writes the analytics workbook (Chinese headers, the
package's print layout, a 说明 sheet with the file's fingerprint and the parameters).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from postloan_audit.commands.files import check_output
from postloan_audit.commands.tables import format_table, wrap_text

#: Rows printed per table (the workbook holds them all).
SHOWN_ROWS = 20


def _common(parser: argparse.ArgumentParser, *, out_help: str) -> None:
    parser.add_argument("--out", default=None, help=out_help)
    parser.add_argument("--policy", default=None,
                        help="参数文件 (TOML),[analytics] 节 / policy file (TOML), [analytics]")
    parser.add_argument("--profile", default=None,
                        help="导出配置 (TOML),说明本行导出的表头 / export profile (TOML)")


def register(subparsers) -> None:
    parties = subparsers.add_parser(
        "parties", help="同一债务人识别与证件号码校验 / borrower ids that are one party, invalid"
                        " id numbers")
    parties.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    _common(parties, out_help="审计分析工作簿 (.xlsx) / write the workbook here")
    parties.set_defaults(func=run_parties)

    circles = subparsers.add_parser(
        "circles", help="担保圈与担保链(需保证人表) / guarantee circles and chains (guarantees sheet)")
    circles.add_argument("extract", help="含保证人表的贷款台账 (.xlsx)")
    circles.add_argument("--depth", type=int, default=None,
                         help="担保链层数阈值(默认取参数 analytics.chain_depth) / chain depth")
    _common(circles, out_help="审计分析工作簿 (.xlsx) / write the workbook here")
    circles.set_defaults(func=run_circles)

    exposures = subparsers.add_parser(
        "exposures", help="大额风险暴露与集中度 / large exposures, limits and concentration")
    exposures.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    exposures.add_argument("--tier1-capital", type=float, default=None,
                           help="一级资本净额(元),必填 / tier-1 capital in yuan (required)")
    exposures.add_argument("--capital", type=float, default=None,
                           help="资本净额(元),必填 / capital in yuan (required)")
    _common(exposures, out_help="审计分析工作簿 (.xlsx) / write the workbook here")
    exposures.set_defaults(func=run_exposures)

    benford = subparsers.add_parser(
        "benford", help="贷款余额首位数字检验与阈值下方堆积 / first-digit test and bunching")
    benford.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    benford.add_argument("--digits", type=int, choices=(1, 2), default=1,
                         help="1 首位数字,2 前两位数字 / first digit or first two digits")
    benford.add_argument("--limits", default=None,
                         help="阈值(元),逗号分隔,如 5000000,10000000 / limits in yuan")
    benford.add_argument("--band", type=float, default=0.05,
                         help="阈值上下区间宽度(占阈值的比例,默认 0.05) / band around a limit")
    _common(benford, out_help="审计分析工作簿 (.xlsx) / write the workbook here")
    benford.set_defaults(func=run_benford)

    duplicates = subparsers.add_parser(
        "duplicates", help="一物多押、同一证件号码多个客户号、疑似重复借据 / duplicates")
    duplicates.add_argument("extract", help="贷款台账文件 (.xlsx/.csv)")
    _common(duplicates, out_help="审计分析工作簿 (.xlsx) / write the workbook here")
    duplicates.set_defaults(func=run_duplicates)

    compare = subparsers.add_parser(
        "compare", help="两期台账比对与余额勾稽 / two snapshots compared and reconciled")
    compare.add_argument("before", help="上期台账 (.xlsx/.csv) / the earlier snapshot")
    compare.add_argument("after", help="本期台账 (.xlsx/.csv) / the later snapshot")
    _common(compare, out_help="审计分析工作簿 (.xlsx) / write the workbook here")
    compare.set_defaults(func=run_compare)


# --------------------------------------------------------------------------- helpers

def _load(path: str, args: argparse.Namespace):
    from postloan_audit.ingest.loader import load_extract
    from postloan_audit.ingest.overview import no_loans_message

    extract = load_extract(path, profile=args.profile)
    if not len(extract.loans):
        print(f"错误 / Error: {no_loans_message(extract)}", file=sys.stderr)
        return None
    return extract


def _policy(args: argparse.Namespace):
    from postloan_audit.compliance.policy import Policy

    return Policy.coerce(args.policy)


def _header(extract) -> str:
    day = f"{extract.as_of:%Y-%m-%d}" if extract.as_of is not None else "未识别"
    return (f"文件 {extract.source_name}(指纹 {extract.fingerprint[:12]},数据日期 {day}):"
            f"贷款 {len(extract.loans):,} 笔")


def _show(title: str, english: str, frame: pd.DataFrame, headers: dict[str, str]) -> None:
    """``title / english`` with the row count and the first :data:`SHOWN_ROWS` rows, or 无."""
    print()
    if not len(frame):
        print(f"{title} / {english}:无 / none")
        return
    print(f"{title} / {english}({len(frame):,} 行 / rows)")
    shown = frame.head(SHOWN_ROWS).copy()
    for c in shown.columns:  # a day, not a timestamp at midnight
        if pd.api.types.is_datetime64_any_dtype(shown[c].dtype):
            shown[c] = shown[c].dt.strftime("%Y-%m-%d").fillna("")
    print(format_table(shown, headers=headers))
    if len(frame) > SHOWN_ROWS:
        rest = len(frame) - SHOWN_ROWS
        print(f"…… 其余 {rest:,} 行见 --out 工作簿 / {rest:,} more rows in the --out workbook")


def _positive(option: str, value: float | None) -> None:
    """Refuse a capital that is not a positive amount before any file is read."""
    if value is not None and not value > 0:
        raise ValueError(f"{option} 须为正的金额(元),收到 {value:g}。 / {option} must be a"
                         f" positive amount in yuan, got {value:g}.")


def _percent(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.2%}")
    return out


def _yes_no(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_bool_dtype(out[c].dtype):
            out[c] = out[c].map({True: "是", False: "否"})
    return out


def _write(args: argparse.Namespace, sections, *, title: str, provenance,
           parameters: list[tuple[str, Any]], sources: list[str]) -> None:
    from postloan_audit.analytics.workbook import write_analytics_workbook

    write_analytics_workbook(args.out, sections, title=title, provenance=provenance,
                             parameters=parameters, sources=sources)
    print(f"审计分析工作簿已写入 / analytics workbook written: {args.out}")


def _policy_pairs(policy, keys: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(f"参数 analytics.{k}", getattr(policy.analytics, k)) for k in keys]


# --------------------------------------------------------------------------- commands

def run_parties(args: argparse.Namespace) -> int:
    from postloan_audit.analytics.workbook import Section
    from postloan_audit.parties.resolve import PARTY_HEADERS, resolve_parties

    if args.out:
        check_output(args.out)
    policy = _policy(args)
    extract = _load(args.extract, args)
    if extract is None:
        return 2
    result = resolve_parties(extract, look_alikes=True,
                             look_alike_score=policy.analytics.look_alike_score)
    groups = result.groups()
    print(_header(extract))
    print(wrap_text(f"客户号 {len(result.parties):,} 个,识别为债务人 "
                    f"{result.parties['party_id'].nunique():,} 户;合并 {len(groups):,} 组;"
                    f"证件号码无效 {len(result.invalid_ids):,} 个;名称相近未合并 "
                    f"{len(result.look_alikes):,} 对"))
    _show("合并为同一债务人的客户号", "borrower ids joined into one party", groups, PARTY_HEADERS)
    _show("无效证件号码", "invalid id numbers", result.invalid_ids, PARTY_HEADERS)
    _show("名称相近但未合并(供复核)", "look-alike names not joined, to review",
          result.look_alikes, PARTY_HEADERS)
    if args.out:
        _write(args, [Section("同一债务人", "合并为同一债务人的客户号", groups, PARTY_HEADERS),
                      Section("客户号对应", "客户号与债务人对应表", result.parties, PARTY_HEADERS),
                      Section("无效证件号码", "证件号码校验未通过", result.invalid_ids,
                              PARTY_HEADERS),
                      Section("名称相近", "名称相近但未合并(供复核)", result.look_alikes,
                              PARTY_HEADERS)],
               title="同一债务人识别", provenance=result.provenance,
               parameters=_policy_pairs(policy, ("look_alike_score",)),
               sources=["GB 11643-1999 公民身份号码", "GB 32100-2015 法人和其他组织统一社会信用代码编码规则",
                        "GB 11714-1997 全国组织机构代码编制规则",
                        "《商业银行金融资产风险分类办法》第七条第二款(债务人)"])
    return 0


def run_circles(args: argparse.Namespace) -> int:
    from postloan_audit.analytics.circles import CIRCLE_HEADERS, guarantee_network
    from postloan_audit.analytics.workbook import Section

    if args.depth is not None and args.depth < 1:
        raise ValueError(f"--depth 须为不小于 1 的整数(担保链的层数),收到 {args.depth}。 / --depth"
                         f" must be a whole number of links, at least 1, got {args.depth}.")
    if args.out:
        check_output(args.out)
    policy = _policy(args)
    extract = _load(args.extract, args)
    if extract is None:
        return 2
    network = guarantee_network(extract, policy=policy, depth=args.depth)
    summary = network.circle_summary()
    print(_header(extract))
    print(wrap_text(f"担保关系 {len(network.edges):,} 条,涉及债务人 {len(network.parties):,} 户;"
                    f"担保圈 {len(summary):,} 个;超过 {network.depth} 层的担保链 "
                    f"{len(network.chains):,} 条"))
    _show("担保圈", "guarantee circles", summary, CIRCLE_HEADERS)
    _show(f"担保链(超过 {network.depth} 层)", f"chains of more than {network.depth} links",
          network.chains, CIRCLE_HEADERS)
    if args.out:
        _write(args, [Section("担保圈", "担保圈汇总", summary, CIRCLE_HEADERS),
                      Section("担保圈成员", "担保圈成员(债务人)", network.circles, CIRCLE_HEADERS),
                      Section("担保链", f"担保链(超过 {network.depth} 层)", network.chains,
                              CIRCLE_HEADERS),
                      Section("担保关系", "担保关系(保证人 → 借款人)", network.edges,
                              {"guarantor": "保证人", "borrower": "借款人", "loans": "担保借据笔数"})],
               title="担保圈与担保链", provenance=network.provenance,
               parameters=[("担保链层数阈值", network.depth)],
               sources=["银监发〔2016〕42号《关于进一步加强信用风险管理的通知》(担保圈、担保链风险)"])
    return 0


def run_exposures(args: argparse.Namespace) -> int:
    from postloan_audit.analytics.exposures import (
        CAPITAL_HELP,
        CITATIONS,
        CONCENTRATION_BY,
        CONCENTRATION_HEADERS,
        EXPOSURE_HEADERS,
        concentration,
        large_exposures,
    )
    from postloan_audit.analytics.workbook import Section
    from postloan_audit.parties.resolve import resolve_parties

    missing = [name for name, value in (("--tier1-capital", args.tier1_capital),
                                        ("--capital", args.capital)) if value is None]
    if missing:
        print(f"错误 / Error: 缺少 {'、'.join(missing)}。{CAPITAL_HELP}", file=sys.stderr)
        return 2
    _positive("--tier1-capital", args.tier1_capital)
    _positive("--capital", args.capital)
    if args.out:
        check_output(args.out)
    policy = _policy(args)
    extract = _load(args.extract, args)
    if extract is None:
        return 2
    # resolved once for every analysis of this extract that reads the parties
    parties = resolve_parties(extract)
    exposures = large_exposures(extract, tier1_capital=args.tier1_capital,
                                capital=args.capital, policy=policy, parties=parties)
    print(_header(extract))
    print(wrap_text(f"一级资本净额 {args.tier1_capital:,.2f} 元,资本净额 {args.capital:,.2f} 元;"
                    f"大额风险暴露 {int(exposures['large_exposure'].sum()):,} 项,超过限额 "
                    f"{int(exposures['breach'].sum()):,} 项"))
    shown = _yes_no(_percent(exposures.drop(columns=["citation", "basis", "capital"]),
                             ("ratio", "limit")))
    _show("大额风险暴露与限额", "large exposures and limits", shown, EXPOSURE_HEADERS)
    sections = [Section("大额风险暴露", "大额风险暴露与限额", exposures, EXPOSURE_HEADERS)]
    for by in ("industry", "branch"):
        if by not in extract.loans.columns:
            continue
        c = concentration(extract, by=by, policy=policy, parties=parties)
        print()
        print(wrap_text(f"{CONCENTRATION_BY[by]}集中度 / concentration by {by}:HHI {c.hhi:.4f}(×10000 = {c.hhi * 1e4:,.0f}),"
                        f"前{c.top_n}大占比 {c.top_n_share:.2%}"))
        print(format_table(_percent(c.table.head(c.top_n), ("share", "cumulative_share")),
                           headers={**CONCENTRATION_HEADERS, "value": CONCENTRATION_BY[by]}))
        sections.append(Section(f"{CONCENTRATION_BY[by]}集中度",
                                f"{CONCENTRATION_BY[by]}集中度(HHI {c.hhi:.4f},前{c.top_n}大占比"
                                f" {c.top_n_share:.2%})", c.table,
                                {**CONCENTRATION_HEADERS, "value": CONCENTRATION_BY[by]}))
    if args.out:
        _write(args, sections, title="大额风险暴露与集中度", provenance=exposures.attrs["provenance"],
               parameters=[("一级资本净额(元)", args.tier1_capital), ("资本净额(元)", args.capital),
                           *_policy_pairs(policy, ("large_exposure_share", "single_client_limit",
                                                   "group_limit", "single_borrower_loan_limit",
                                                   "top_n"))],
               sources=list(CITATIONS.values()))
    return 0


def run_benford(args: argparse.Namespace) -> int:
    from postloan_audit.analytics.digits import (
        BUNCHING_HEADERS,
        DIGIT_HEADERS,
        bunching_test,
        digit_test,
        loans_in_bands,
        loans_in_digits,
        parse_limits,
    )
    from postloan_audit.analytics.workbook import Section

    if not 0 < args.band < 1:
        raise ValueError(f"--band 须在 0 与 1 之间(占阈值的比例),收到 {args.band:g}。 / --band must"
                         f" be a share of the limit between 0 and 1, got {args.band:g}.")
    limits = parse_limits(args.limits) if args.limits else None
    if args.out:
        check_output(args.out)
    policy = _policy(args)
    extract = _load(args.extract, args)
    if extract is None:
        return 2
    test = digit_test(extract, digits=args.digits, policy=policy)
    print(_header(extract))
    print(wrap_text(test.summary()))
    table = _yes_no(_percent(test.table, ("observed_share", "expected_share")))
    _show("各数字实际与期望", "observed and expected per digit", table, DIGIT_HEADERS)
    loan_headers = {"digit": "首位数字", "limit": "阈值(元)", "loan_id": "借据号",
                    "borrower_id": "客户号", "borrower_name": "客户名称", "branch": "经营机构",
                    "balance": "贷款余额(元)"}
    columns = [c for c in ("loan_id", "borrower_id", "borrower_name", "branch", "balance")
               if c in extract.loans.columns]
    suspicious = loans_in_digits(extract, test)[["digit", *columns]]
    sections = [Section("首位数字检验", test.summary(), test.table, DIGIT_HEADERS),
                Section("显著偏多数字的借据", "首位为显著偏多数字的借据", suspicious, loan_headers)]
    parameters: list[tuple[str, Any]] = [("检验位数", args.digits),
                                         *_policy_pairs(policy, ("benford_z",))]
    if limits is not None:
        bunching = bunching_test(extract, limits=limits, band=args.band, policy=policy)
        print()
        print(wrap_text(f"阈值下方堆积(区间 ±{args.band:.0%})/ bunching below limits:标记 "
                        f"{int(bunching['flagged'].sum())} 个阈值"))
        print(format_table(_yes_no(bunching), headers=BUNCHING_HEADERS))
        inside = loans_in_bands(extract, bunching)[["limit", *columns]]
        sections += [Section("阈值下方堆积", f"阈值下方堆积(区间 ±{args.band:.0%})", bunching,
                             BUNCHING_HEADERS),
                     Section("堆积区间借据", "被标记阈值下方区间内的借据", inside, loan_headers)]
        parameters += [("阈值(元)", args.limits), ("区间宽度", args.band),
                       *_policy_pairs(policy, ("bunching_ratio", "bunching_min_count"))]
    if args.out:
        _write(args, sections, title="首位数字检验与阈值堆积", provenance=test.provenance,
               parameters=parameters,
               sources=["Nigrini, Benford's Law (Wiley, 2012): MAD 判定标准 Table 7.1, z 检验"])
    return 0


def run_duplicates(args: argparse.Namespace) -> int:
    from postloan_audit.analytics.duplicates import DUPLICATE_HEADERS, find_duplicates
    from postloan_audit.analytics.workbook import Section

    if args.out:
        check_output(args.out)
    extract = _load(args.extract, args)
    if extract is None:
        return 2
    found = find_duplicates(extract)
    print(_header(extract))
    note = found.collateral.attrs.get("note")
    if note:
        print(wrap_text(note))
    _show("一物多押且超过评估价值", "collateral pledged beyond its value", found.collateral,
          DUPLICATE_HEADERS)
    _show("同一证件号码对应多个客户号", "one id number under several borrower ids",
          _yes_no(found.id_numbers), DUPLICATE_HEADERS)
    loan_headers = {**DUPLICATE_HEADERS, "balance": "贷款余额(元)"}
    _show("疑似重复借据(客户号、余额、发放日期相同)", "identical loans", found.loans,
          loan_headers)
    if args.out:
        _write(args, [Section("一物多押", "一物多押且超过评估价值", found.collateral,
                              DUPLICATE_HEADERS, notes=[note] if note else ()),
                      Section("证件号码重复", "同一证件号码对应多个客户号", found.id_numbers,
                              DUPLICATE_HEADERS),
                      Section("疑似重复借据", "疑似重复借据", found.loans, loan_headers)],
               title="重复与共用", provenance=found.provenance, parameters=[], sources=[])
    return 0


def _repaid_in_place(before: pd.DataFrame, after: pd.DataFrame) -> int:
    """Loans with a balance before that stay in the later file at a zero balance."""
    b = pd.to_numeric(before["balance"], errors="coerce").fillna(0).set_axis(
        before["loan_id"].astype("str"))
    a = pd.to_numeric(after["balance"], errors="coerce").fillna(0).set_axis(
        after["loan_id"].astype("str"))
    was = b.reindex(a.index)
    return int(((a == 0) & (was > 0)).sum())


def run_compare(args: argparse.Namespace) -> int:
    from postloan_audit.analytics.snapshots import (
        COMPARISON_HEADERS,
        FIELD_ZH,
        RECONCILIATION_ZH,
        compare_snapshots,
    )
    from postloan_audit.analytics.workbook import Section

    if args.out:
        check_output(args.out)
    before = _load(args.before, args)
    if before is None:
        return 2
    after = _load(args.after, args)
    if after is None:
        return 2
    result = compare_snapshots(before, after)
    print(f"上期 {_header(before)}")
    print(f"本期 {_header(after)}")
    rec = result.reconciliation.reset_index()
    rec["item"] = rec["item"].map(RECONCILIATION_ZH)
    print()
    print("余额勾稽(元) / reconciliation" + ("" if result.reconciles
                                             else "  !! 不平 / does not add up"))
    print(format_table(rec, headers=COMPARISON_HEADERS))
    changed = result.changed.assign(field=result.changed["field"].map(FIELD_ZH))
    paid = _repaid_in_place(before.loans, after.loans)
    if paid:
        print(wrap_text(f"注意 / note: 本期余额为 0 但仍在台账中的借据 {paid:,} 笔,计入存续借据余额变动"
                        f"而非结清(结清指本期台账中已无该借据) / {paid:,} loans at a zero balance are"
                        " still in the later file: counted as continuing, not settled"))
    _show("新发放借据", "new loans", result.new, COMPARISON_HEADERS)
    _show("结清借据", "settled loans", result.settled, COMPARISON_HEADERS)
    _show("重要变动", "changes to review", changed, COMPARISON_HEADERS)
    if args.out:
        _write(args, [Section("余额勾稽", "余额勾稽:上期 + 新发放 − 结清 ± 存续变动 = 本期", rec,
                              COMPARISON_HEADERS),
                      Section("重要变动", "重要变动(分类、不良余额、到期日、担保、管理方式)", changed,
                              COMPARISON_HEADERS),
                      Section("新发放", "新发放借据", result.new, COMPARISON_HEADERS),
                      Section("结清", "结清借据", result.settled, COMPARISON_HEADERS)],
               title="两期台账比对", provenance=result.provenance,
               parameters=[("上期文件", before.source_name),
                           ("上期指纹", before.fingerprint)],
               sources=["《商业银行金融资产风险分类办法》", "《贷款通则》第十二条"])
    return 0
