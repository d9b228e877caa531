"""``postloan-audit profile-template FILE``: a starting export profile (导出配置模板) for a file."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "profile-template",
        help="为无法读取的台账生成导出配置模板 / write a starting export profile for a ledger")
    parser.add_argument("extract", metavar="FILE", help="贷款台账文件 (.xlsx/.xls/.csv)")
    parser.add_argument("--out", default=None,
                        help="模板写入此文件 (.toml);省略时输出到屏幕 / write the template here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from postloan_audit.ingest.template import profile_template

    text = profile_template(args.extract)
    if args.out is None:
        print(text)
        return 0
    out = Path(args.out)
    if out.exists():
        raise ValueError(f"文件 {out} 已存在,未覆盖;请换一个文件名 / {out} exists; not overwritten")
    out.write_text(text, encoding="utf-8")
    print(f"导出配置模板已写入 / profile template written: {out}")
    return 0
