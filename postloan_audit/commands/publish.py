"""``postloan-audit publish BEFORE AFTER --out report.html`` (管理层看板发布版)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "publish", help="把管理层看板导出为一个独立的 HTML 文件(已脱敏,含图表) / export the "
                        "management page as one self-contained HTML file")
    parser.add_argument("before", help="期初快照 (.xlsx/.csv) / the earlier snapshot")
    parser.add_argument("after", help="期末快照 (.xlsx/.csv) / the later snapshot")
    parser.add_argument("--out", required=True, help="输出的 HTML 文件 / the HTML file to write")
    parser.add_argument("--policy", default=None, help="参数文件 (TOML) / policy file")
    parser.add_argument("--user", default=None,
                        help="发布人(写入文件) / who publishes it (written into the file)")
    parser.set_defaults(func=run_publish)


def run_publish(args: argparse.Namespace) -> int:
    from postloan_audit.dashboard.publish import publish_html
    from postloan_audit.ingest.loader import load_extract

    before = load_extract(args.before)
    after = load_extract(args.after)
    page = publish_html(after, before, policy=args.policy, user=args.user)
    out = Path(args.out)
    out.write_text(page, encoding="utf-8")
    print(f"管理层看板已导出 / management page written: {out}({out.stat().st_size / 1e6:.1f} MB,"
          "无需服务器即可打开 / opens without a server)")
    return 0
