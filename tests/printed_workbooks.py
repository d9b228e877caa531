"""Every workbook the package writes, from small hand-built data, for the printing tests.

:func:`write_all` writes them into a folder and returns a :class:`Printed` per workbook: its
path, its page header (title and details, as every printed page must show them), the long texts
that must print whole, and the page bound of each sheet for its row count. Nothing here depends
on the bundled sample extracts or on planted breaches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from checks_factory import AS_OF, make_loans

from postloan_audit import Extract, Policy, draw_sample, run_checks
from postloan_audit.compliance.findings_workbook import write_findings_workbook
from postloan_audit.core.provenance import Provenance
from postloan_audit.portfolio.lists import (
    maturity_list,
    settled_list,
    write_maturity_list,
    write_settled_list,
)
from postloan_audit.portfolio.management import build_view, write_management_workbook
from postloan_audit.statistical import workpaper as stat
from postloan_audit.statistical.mus import draw_mus_sample
from postloan_audit.supervision.new_customers import write_new_customer_workpaper
from postloan_audit.supervision.planning import draw_new_customer_check
from postloan_audit.supervision.workpaper import checklist_table, write_sample_workpaper
from postloan_audit.trail import export_findings_workbook, open_store
from postloan_audit.trail.alert_exchange import export_alerts_workbook
from postloan_audit.warning import scan_signals, write_watchlist_workbook

DATA_DATE = dt.date(2026, 9, 30)
#: Company names of every length a ledger holds, and individuals' names.
COMPANIES = ("宏达食品有限公司", "石门县同心农业开发有限公司", "鑫源物流有限公司",
             "湖南省石门县利民商贸股份有限公司第二分公司", "恒通机械制造有限公司")
PEOPLE = ("曹春伟", "胡俊", "汪霞", "苏强建", "陈桂超", "杨梅", "欧阳明月", "李四")


@dataclass
class Printed:
    """A written workbook and what its print must show."""

    path: Path
    title: str
    details: tuple[str, ...]
    #: sheet → the most pages it may print on (for its rows)
    page_bounds: dict[str, int]
    #: texts that must print whole (a finding's 问题描述, a checklist item, a citation)
    whole: list[str] = field(default_factory=list)
    #: sheet → the labels of its sign-off block
    sign_off: dict[str, tuple[str, ...]] = field(default_factory=dict)


def ledger(n_borrowers: int = 24) -> pd.DataFrame:
    """A branch's loans: companies and individuals, every class and guarantee type, two loans
    for every third borrower, some business loans."""
    rows = []
    classes = ["normal", "special_mention", "substandard", "doubtful", "loss"]
    guarantees = ["mortgage", "guarantee", "credit", "pledge"]
    for b in range(n_borrowers):
        corporate = b % 3 == 0
        name = (f"{COMPANIES[b % len(COMPANIES)]}" if corporate else PEOPLE[b % len(PEOPLE)])
        for k in range(2 if b % 3 == 1 else 1):
            rows.append({
                "loan_id": f"0012026{b:04d}{k:04d}", "borrower_id": f"00000{10000 + b}",
                "borrower_name": name, "branch": "城关支行",
                "customer_type": "corporate" if corporate else "individual",
                "product": ("流动资金贷款" if corporate else
                            ("个人经营贷款" if b % 4 == 1 else "个人住房按揭贷款")),
                "balance": float(40_000_000 / (b + 1) + 1234.56 * k),
                "classification": classes[b % 5], "guarantee_type": guarantees[b % 4],
                "disbursement_date": f"2025-{1 + b % 12:02d}-15",
                "maturity_date": f"2026-10-{1 + b % 28:02d}" if b % 2 else "2028-03-31",
                "overdue_days": 0 if b % 5 < 2 else 30 * (b % 5),
            })
    f = pd.DataFrame(rows)
    for column in ("disbursement_date", "maturity_date"):
        f[column] = pd.to_datetime(f[column]).astype("datetime64[ns]")
    for column in ("loan_id", "borrower_id", "borrower_name", "branch", "customer_type",
                   "product", "guarantee_type"):
        f[column] = f[column].astype("str")
    f["classification"] = pd.Categorical(f["classification"], categories=classes, ordered=True)
    f["secured"] = (f["guarantee_type"] != "credit").to_numpy()
    f["overdue_days"] = f["overdue_days"].astype("int64")
    return f


def extract(loans: pd.DataFrame | None = None, *, name: str = "城关支行贷款台账_20260930.xlsx",
            as_of: dt.date = DATA_DATE) -> Extract:
    return Extract(loans=ledger() if loans is None else loans, fingerprint="ab" * 32,
                   source_name=name, as_of=as_of)


def findings_report(n: int = 19):
    """A check run of ``n`` findings over two branches: overdue loans left normal
    (CLS-OVERDUE) and loans whose last inspection is long past (INSP-FREQ)."""
    cases = {}
    for i in range(n):
        branch = "城关支行" if i % 2 else "河口镇支行"
        name = COMPANIES[i % len(COMPANIES)]
        cases[f"0012025{i:08d}"] = ({"overdue_days": 100 + i, "branch": branch,
                                     "borrower_name": name} if i % 2 else
                                    {"last_inspection_date": "2025-10-10", "branch": branch,
                                     "borrower_name": name})
    report = run_checks(make_loans(cases), as_of=AS_OF, rules=["CLS-OVERDUE", "INSP-FREQ"],
                        policy=Policy.default())
    assert len(report.findings) == n
    return report


def write_all(folder: Path) -> dict[str, Printed]:
    """Every workbook, written into ``folder``."""
    out: dict[str, Printed] = {}
    book = extract()
    date = f"数据日期:{DATA_DATE:%Y-%m-%d}"

    sample = draw_sample(book, seed=7)
    path = folder / "现场检查工作底稿.xlsx"
    write_sample_workpaper(sample, path)
    checklist = checklist_table(sample)
    out["workpaper"] = Printed(
        path, "现场检查工作底稿", ("被查机构:城关支行", date, "随机种子:7"),
        {"抽样结果": 2, "分层统计": 1, "抽样参数": 2,
         # items of 3–7 wrapped lines: about 8 a landscape page
         "现场检查清单": 1 + len(checklist) // 7},
        whole=sorted(set(checklist["检查项目"]) | set(checklist["依据"])),
        sign_off={"现场检查清单": ("检查人", "复核人", "日期")})

    new = ledger()
    new["disbursement_date"] = pd.to_datetime(
        [f"2026-08-{1 + i % 28:02d}" for i in range(len(new))]).astype("datetime64[ns]")
    new["customer_type"] = "individual"
    new["loan_officer"] = pd.Series(
        np.where(np.arange(len(new)) % 2, "张伟", "李娜"), dtype="str").to_numpy()
    check = draw_new_customer_check(new, month="2026-08", seed=8)
    path = folder / "新增客户现场核查底稿.xlsx"
    write_new_customer_workpaper(check, path, provenance=Provenance(
        fingerprint="ab" * 32, source_name="城关支行台账_20260930.xlsx", as_of=DATA_DATE))
    out["new_customers"] = Printed(
        path, "新增客户现场核查底稿", ("新增客户月份:2026-08", date, "随机种子:8"),
        {"核查名单": 1, "按客户经理": 1, "抽样参数": 1},
        sign_off={"核查名单": ("核查人", "复核人", "日期")})

    report = findings_report()
    path = folder / "问题清单.xlsx"
    write_findings_workbook(report, path)
    details = ("经营机构:2个", "检查日期:2026-09-30")
    whole = sorted(set(report.findings["message"]) | set(report.findings["citation"]))
    bounds = {"汇总": 2, "问题清单": 3, "未执行规则": 1, "规则目录": 5, "参数": 4}
    signed = {"问题清单": ("检查人", "复核人", "日期")}
    out["findings"] = Printed(path, "问题清单工作簿", details, bounds, whole=whole, sign_off=signed)

    store = open_store(folder / "audit.db", user="检查员")
    run = store.record_run(report, branches=report.findings["branch"])
    path = folder / "整改跟踪.xlsx"
    export_findings_workbook(store, path, run_id=run.run_id)
    # four columns more to fill in (整改状态, 整改措施, 完成日期, 责任人): a page more
    out["followup"] = Printed(path, "问题清单工作簿", (*details, f"运行编号:{run.run_id}"),
                              {**bounds, "问题清单": 4}, whole=whole, sign_off=signed)

    loans = book.loans
    items = stat.draw_control_items(loans, 25, seed=3)
    path = folder / "控制测试工作底稿.xlsx"
    stat.write_control_workpaper(items, path, parameters=[
        ("测试", stat.TESTS["control"]), ("数据文件", book.source_name), ("随机种子", 3),
        ("样本量", 25)])
    out["control"] = Printed(path, "控制测试工作底稿",
                             ("经营机构:城关支行", "随机种子:3", f"数据文件:{book.source_name}"),
                             {"样本": 2, "参数": 1}, sign_off={"样本": stat.SIGN_OFF})

    mus = draw_mus_sample(stat.performing_loans(loans), 20, seed=9)
    path = folder / "五级分类准确性工作底稿.xlsx"
    stat.write_mus_workpaper(mus, path)
    out["mus"] = Printed(path, "五级分类准确性工作底稿", ("随机种子:9",),
                         {"样本": 2, "参数": 1}, sign_off={"样本": stat.SIGN_OFF})

    earlier = ledger()
    earlier["classification"] = pd.Categorical(
        ["normal"] * len(earlier), categories=earlier["classification"].cat.categories,
        ordered=True)
    view = build_view(book, extract(earlier, name="城关支行贷款台账_20260630.xlsx",
                                    as_of=dt.date(2026, 6, 30)))
    path = folder / "管理层看板数据.xlsx"
    write_management_workbook(view, path, user="行长")
    out["management"] = Printed(path, "管理层看板数据",
                                ("经营机构:城关支行", date, "期初:2026-06-30"),
                                # 参数: 32 rows, most of them notes of two to six lines
                                {"参数": 3, "主要指标": 1, "五级分类": 1, "前十大客户": 1})

    maturities = maturity_list(book, month="2026-10")
    path = folder / "贷款到期提示表.xlsx"
    write_maturity_list(maturities, path)
    out["maturities"] = Printed(path, f"2026年10月贷款到期提示表(数据日期 {DATA_DATE:%Y-%m-%d})",
                                ("到期月份:2026-10", date), {"到期提示表": 2, "按机构汇总": 1},
                                sign_off={"到期提示表": ("编制人", "复核人", "日期")})

    later = ledger().iloc[5:].reset_index(drop=True)
    settled = settled_list(extract(name="0831.xlsx", as_of=dt.date(2026, 8, 31)),
                           extract(later, name="0930.xlsx"))
    path = folder / "贷款结清名单.xlsx"
    write_settled_list(settled, path)
    out["settled"] = Printed(path, "贷款结清名单(上期 2026-08-31 至本期 2026-09-30)",
                             ("上期数据日期:2026-08-31", "本期数据日期:2026-09-30"),
                             {"结清名单": 1, "按机构汇总": 1},
                             sign_off={"结清名单": ("编制人", "复核人", "日期")})

    scan = scan_signals(book, as_of=DATA_DATE)
    path = folder / "预警名单.xlsx"
    write_watchlist_workbook(scan, path)
    out["watchlist"] = Printed(path, "风险预警名单",
                               (f"预警日期:{DATA_DATE:%Y-%m-%d}", f"文件:{book.source_name}"),
                               {"预警名单": 2, "预警信号": 3})
    store.record_alerts(scan.watchlist, scan.signals, as_of=DATA_DATE,
                        source_name=book.source_name, fingerprint=book.fingerprint,
                        policy=Policy.default())
    path = folder / "风险预警信号处理表.xlsx"
    export_alerts_workbook(store, path, today=DATA_DATE)
    out["alerts"] = Printed(path, "风险预警信号处理表",
                            ("机构:全部", f"导出日期:{DATA_DATE:%Y-%m-%d}"), {"预警处理": 3},
                            sign_off={"预警处理": ("填报人", "复核人", "日期")})
    return out
