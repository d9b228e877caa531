"""``postloan-audit generate``: write a synthetic loan extract (合成样例台账).

See :func:`postloan_audit.synth.generator.generate_network` for what is generated and
:func:`postloan_audit.synth.generator.write_extract` for the file layout.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate", help="生成合成贷款台账 / write a deterministic synthetic loan extract")
    parser.add_argument("--loans", type=int, required=True, help="贷款笔数 / number of loans")
    parser.add_argument("--branches", type=int, required=True, help="支行数 / number of branches")
    parser.add_argument("--seed", type=int, required=True, help="随机种子 / random seed")
    parser.add_argument("--as-of", required=True, help="数据日期 YYYY-MM-DD / extract date")
    parser.add_argument("--out", required=True, help="输出文件 (.xlsx/.csv) / output file")
    parser.add_argument("--format", choices=("xlsx", "csv"), default=None,
                        help="文件格式,默认按扩展名 / file format (default: from the suffix)")
    parser.add_argument("--headers", choices=("zh", "en"), default="zh",
                        help="表头语言 / header language (default zh)")
    parser.add_argument("--title", action="store_true",
                        help="在表头上方加标题行 / add a title row above the header")
    parser.add_argument("--total-row", action="store_true",
                        help="在末尾加合计行 / append a 合计 row")
    parser.add_argument("--inspections-per-loan", type=float, default=3.0,
                        help="每笔贷款平均检查记录数 / average inspection rows per loan")
    parser.add_argument("--planted", default=None,
                        help="另存预置违规清单 (CSV) / also write the planted breaches here")
    parser.set_defaults(func=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    from postloan_audit.core.schema import BORROWER_FILE_SHEETS
    from postloan_audit.synth.generator import generate_network, write_extract

    out = Path(args.out)
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"无法从文件名 {out.name} 判断格式,请用 --format xlsx|csv / "
                         f"cannot tell the format from {out.name!r}; pass --format xlsx|csv")
    network = generate_network(loans=args.loans, branches=args.branches, seed=args.seed,
                               as_of=args.as_of, inspections_per_loan=args.inspections_per_loan)
    sheets = ("loans", "inspections", "collections", "branches", *BORROWER_FILE_SHEETS)
    write_extract(network, out, format=fmt, headers=args.headers, title=args.title or None,
                  total_row=args.total_row, sheets=sheets)
    # a CSV holds the loans sheet alone: its answer key is what that sheet shows
    planted = network.planted_in(("loans",) if fmt == "csv" else sheets)
    if args.planted:
        planted.to_csv(args.planted, index=False, lineterminator="\n")
    print(f"已生成 {out}:{len(network.loans)} 笔贷款,{network.loans['borrower_id'].nunique()} 户,"
          f"{len(network.inspections)} 条检查记录,{len(network.collections)} 条催收记录,"
          f"预置违规 {len(planted)} 条 / wrote {out}")
    return 0
