"""The management view (管理层看板数据): what the management page and its workbook show.

`001_…` 篇三 "五、贷后组织督导" asks the supervising departments to follow 辖内行贷款资产质量及
变动情况, 关注类贷款迁移趋势, 大额贷款整体情况, 贷后管理检查发现的问题 and 现场检查覆盖面.
:func:`build_view` computes all of them for a later snapshot (期末) and, for the migration, an
earlier one (期初) from the portfolio measures and :func:`~postloan_audit.run_checks`, leaving
out with a note every section the data cannot support; :func:`display_tables` names the
tables in Chinese and :func:`write_management_workbook` writes them with their provenance.
The management page (``postloan_audit.dashboard.management``) and the published file
(``postloan-audit publish``) draw this view; neither computes anything of its own.

Personal data is masked here, once (《个人信息保护法》 第五十一条 去标识化): the only table
holding borrower names (the top-10 concentration) goes through
:func:`~postloan_audit.portfolio.masking.mask_personal_data`, and no other table carries
names or id numbers (findings are counts per branch and rule family).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from os import PathLike

import numpy as np
import pandas as pd

from postloan_audit.compliance.checks import CheckReport, run_checks
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules.families import TOTAL, findings_by_family
from postloan_audit.core.errors import PostloanAuditError
from postloan_audit.core.extract import Extract
from postloan_audit.core.identity import NO_USER_TEXT
from postloan_audit.core.schema import (
    CLASSIFICATION_ZH,
    CLASSIFICATIONS,
    CUSTOMER_TYPE_ZH,
    NPL_CLASSES,
)
from postloan_audit.core.workbooks import (
    PrintSetup,
    new_workbook,
    save_workbook,
    write_key_values,
    write_table,
)
from postloan_audit.portfolio.masking import mask_personal_data
from postloan_audit.portfolio.migration import (
    Migration,
    SpecialMentionMigration,
    migration_matrix,
    special_mention_migration_rate,
)
from postloan_audit.portfolio.quality import (
    BorrowerConcentration,
    PortfolioKPIs,
    balance_by_class,
    overdue_buckets,
    portfolio_kpis,
    top_borrower_concentration,
)
from postloan_audit.portfolio.timeliness import (
    InspectionTimeliness,
    ReviewCoverage,
    inspection_timeliness,
    review_coverage,
)
from postloan_audit.supervision.planning import ReviewPlanPolicy

#: Section names (for notes in the workbook).
SECTION_ZH: dict[str, str] = {
    "kpis": "资产质量", "buckets": "逾期分段", "findings": "检查发现",
    "timeliness": "检查及时率", "coverage": "现场检查覆盖", "migration": "五级分类迁徙",
}
_YES_NO = {True: "是", False: "否"}


# --------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class ManagementView:
    """Everything the management page shows, computed from the later snapshot (期末) and,
    for the migration, the earlier one (期初).

    A section whose data is missing (no ``overdue_days`` column, no branches sheet, no
    extract date, no earlier snapshot) is None and its reason is in ``notes[section]``.
    ``special_mention_unavailable`` says why the special-mention migration rate cannot be read
    (no earlier snapshot, snapshots in the wrong order, no loan in both); the page shows "—"
    with that reason instead of a rate computed from nothing.
    """

    after: Extract
    before: Extract | None
    as_of: dt.date | None
    kpis: PortfolioKPIs
    class_balance: pd.DataFrame
    buckets: pd.DataFrame | None
    concentration: BorrowerConcentration
    report: CheckReport | None
    findings: pd.DataFrame | None
    timeliness: InspectionTimeliness | None
    coverage: ReviewCoverage | None
    migration_balance: Migration | None
    migration_count: Migration | None
    special_mention: SpecialMentionMigration | None
    review_policy: ReviewPlanPolicy = field(default_factory=ReviewPlanPolicy)
    notes: dict[str, list[str]] = field(default_factory=dict)
    special_mention_unavailable: str | None = None
    created: dt.datetime = field(
        default_factory=lambda: dt.datetime.now().replace(microsecond=0))


def build_view(after: Extract, before: Extract | None = None, *,
               policy: Policy | str | PathLike | None = None,
               review_policy: ReviewPlanPolicy | None = None) -> ManagementView:
    """Compute the management view (管理层看板数据) of ``after`` (and the migration from
    ``before``).

    Sections that need data the extract lacks are left out with a note, never guessed:
    findings, timeliness and coverage need the extract date (数据日期); coverage needs the
    branches sheet (机构表); buckets need ``overdue_days``; the migration needs ``before``.
    Unexpected errors propagate (the dashboard then keeps its previous view).

    ``policy`` is the bank's check policy (:class:`~postloan_audit.compliance.policy.Policy`);
    ``review_policy`` the on-site review coverage rules (两年全覆盖、每年不低于40%,
    :class:`~postloan_audit.supervision.planning.ReviewPlanPolicy`).
    """
    review_policy = ReviewPlanPolicy() if review_policy is None else review_policy
    notes: dict[str, list[str]] = {}

    def note(section: str, text: str) -> None:
        notes.setdefault(section, []).append(text)

    loans = after.loans
    kpis = portfolio_kpis(loans)
    for text in kpis.notes:
        note("kpis", text)
    class_balance = balance_by_class(loans)
    concentration = top_borrower_concentration(loans)
    concentration = BorrowerConcentration(
        table=mask_personal_data(concentration.table), share=concentration.share,
        total_balance=concentration.total_balance, n=concentration.n)
    buckets = None
    try:
        buckets = overdue_buckets(loans)
    except ValueError as exc:
        note("buckets", str(exc))

    as_of = after.as_of
    report = findings = timeliness = coverage = None
    if as_of is None:
        text = ("期末快照未识别出数据日期(标题行或文件名中的日期,如 …_20260930.xlsx),"
                "无法按日期检查 / the later snapshot carries no date")
        for section in ("findings", "timeliness", "coverage"):
            note(section, text)
    else:
        try:
            report = run_checks(after, as_of=as_of, policy=policy)
            findings = findings_by_family(report, after.branch_names)
            for rec in report.not_run.to_dict("records"):
                note("findings", f"未执行 {rec['rule_id']}:{rec['reason']}")
        except (ValueError, PostloanAuditError) as exc:
            note("findings", str(exc))
        try:
            timeliness = inspection_timeliness(after, as_of=as_of, policy=policy)
            if timeliness.not_run_reason:
                note("timeliness", timeliness.not_run_reason)
            for text in timeliness.warnings:
                note("timeliness", text)
        except (ValueError, PostloanAuditError) as exc:
            note("timeliness", str(exc))
        if after.branches is None:
            note("coverage", "期末快照没有机构表(机构、最近现场检查日期),无法计算现场检查覆盖率 / "
                             "no branches sheet: coverage cannot be computed")
        else:
            try:
                coverage = review_coverage(after.branches, as_of=as_of, loans=loans,
                                           policy=review_policy)
                for text in coverage.notes:
                    note("coverage", text)
            except ValueError as exc:
                note("coverage", str(exc))

    mig_balance = mig_count = sm = None
    unavailable: str | None = None
    if before is None:
        unavailable = "未提供期初快照,无法计算迁徙 / no earlier snapshot"
        note("migration", unavailable)
    else:
        if before.as_of is not None and as_of is not None and before.as_of >= as_of:
            unavailable = (f"期初快照日期 {before.as_of:%Y-%m-%d} 不早于期末快照日期 "
                           f"{as_of:%Y-%m-%d},请检查两个文件是否放反 / the earlier snapshot "
                           "is not earlier than the later one")
            note("migration", unavailable)
        try:
            mig_balance = migration_matrix(before.loans, loans, by="balance")
            mig_count = migration_matrix(before.loans, loans, by="count")
            sm = special_mention_migration_rate(before.loans, loans)
            if int(mig_balance.accounting.loc["matched", "loans"]) == 0:
                unavailable = unavailable or (
                    "两个快照没有相同借据号的在贷贷款,迁徙矩阵为空:请确认是同一机构的两期台账 / "
                    "no loan in both snapshots")
                note("migration", "两个快照没有相同借据号的在贷贷款,迁徙矩阵为空:请确认是同一机构"
                                  "的两期台账 / no loan in both snapshots")
            elif sm.rate is None:
                unavailable = unavailable or ("期初快照没有关注类贷款,迁徙率无分母 / no "
                                              "special-mention loan in the earlier snapshot")
        except ValueError as exc:
            mig_balance = mig_count = sm = None
            unavailable = str(exc)
            note("migration", str(exc))

    return ManagementView(
        after=after, before=before, as_of=as_of, kpis=kpis, class_balance=class_balance,
        buckets=buckets, concentration=concentration, report=report, findings=findings,
        timeliness=timeliness, coverage=coverage, migration_balance=mig_balance,
        migration_count=mig_count, special_mention=sm, review_policy=review_policy,
        notes=notes, special_mention_unavailable=unavailable)


# --------------------------------------------------------------------------- display tables


def percent_text(value: float | None) -> str:
    """A share as a percentage with two decimals (``12.34%``); "—" for None or NaN."""
    return "—" if value is None or pd.isna(value) else f"{value:.2%}"


def _class_headers() -> dict[str, str]:
    return {c: CLASSIFICATION_ZH[c] for c in CLASSIFICATIONS}


def _matrix_table(migration: Migration) -> pd.DataFrame:
    m = migration.matrix.rename(index=CLASSIFICATION_ZH, columns=CLASSIFICATION_ZH)
    m[TOTAL] = m.sum(axis=1)
    m.loc[TOTAL] = m.sum(axis=0)
    m.columns.name = None
    out = m.rename_axis("期初\\期末").reset_index()
    out["期初\\期末"] = out["期初\\期末"].astype("str")
    return out


def display_tables(view: ManagementView) -> dict[str, pd.DataFrame]:
    """The tables of the page and of the workbook, with Chinese headers (在页面和工作簿中展示的表).

    Keys: ``kpis``, ``class_balance``, ``buckets``, ``concentration``, ``findings``,
    ``timeliness``, ``coverage``, ``coverage_overdue``, ``migration_balance``,
    ``migration_count``, ``migration_accounting``, ``special_mention``; a section without data
    is absent. Ratios are float shares (shown as percentages); amounts in yuan (元).
    Borrower names are masked (:func:`~postloan_audit.portfolio.masking.mask_personal_data`).
    """
    tables: dict[str, pd.DataFrame] = {}
    k = view.kpis.to_frame()
    tables["kpis"] = pd.DataFrame({"指标": k["label_zh"], "数值": k["value"], "显示": k["text"]})

    cb = view.class_balance
    npl = cb[list(NPL_CLASSES)].sum(axis=1)
    cls = cb.rename(columns={"branch": "机构", **_class_headers(), "total": "合计(元)"})
    cls["不良率"] = (npl / cb["total"].where(cb["total"] > 0)).astype("float64")
    tables["class_balance"] = cls

    if view.buckets is not None:
        tables["buckets"] = view.buckets.rename(
            columns={"bucket": "逾期天数", "count": "笔数", "balance": "余额(元)"})

    ct = view.concentration.table
    conc = pd.DataFrame({"排名": ct["rank"], "客户号": ct["borrower_id"]})
    if "borrower_name" in ct.columns:
        conc["客户名称"] = ct["borrower_name"]
    if "customer_type" in ct.columns:
        conc["客户类型"] = ct["customer_type"].map(CUSTOMER_TYPE_ZH).fillna(ct["customer_type"])
    conc["笔数"] = ct["loans"]
    conc["余额(元)"] = ct["balance"]
    conc["占比"] = ct["share"]
    conc["累计占比"] = ct["cumulative_share"]
    tables["concentration"] = conc

    if view.findings is not None:
        tables["findings"] = view.findings.rename(columns={"branch": "机构"})

    if view.timeliness is not None:
        t = view.timeliness
        by = t.by_branch.rename(columns={"branch": "机构", "loans": "在贷笔数",
                                         "overdue": "检查超期笔数", "share": "及时率"})
        total = pd.DataFrame({"机构": [TOTAL], "在贷笔数": [t.loans], "检查超期笔数": [t.overdue],
                              "及时率": [np.nan if t.share is None else t.share]})
        tables["timeliness"] = pd.concat([by, total], ignore_index=True).astype(
            {"机构": "str", "在贷笔数": "int64", "检查超期笔数": "int64", "及时率": "float64"})

    if view.coverage is not None:
        cov = view.coverage
        tab = cov.table
        tables["coverage"] = pd.DataFrame({
            "机构": tab["branch"],
            "最近现场检查日期": tab["last_onsite_review_date"],
            f"{view.review_policy.review_cycle_years}年内已现场检查": tab["in_cycle"].map(_YES_NO).astype("str"),
            f"{cov.as_of.year}年已现场检查": tab["this_year"].map(_YES_NO).astype("str"),
        })
        tables["coverage_overdue"] = cov.overdue.rename(columns={
            "branch": "机构", "last_onsite_review_date": "最近现场检查日期",
            "due_date": "应检查日期", "days_overdue": "超期天数", "reason": "说明"})

    if view.migration_balance is not None and view.migration_count is not None:
        tables["migration_balance"] = _matrix_table(view.migration_balance)
        tables["migration_count"] = _matrix_table(view.migration_count)
        acc = view.migration_balance.accounting
        tables["migration_accounting"] = pd.DataFrame({
            "项目": ["两期均在贷", "期末已结清或退出", "期末新发放"],
            "笔数": acc["loans"].to_numpy(),
            "期初余额(元)": acc["balance_before"].to_numpy(),
            "期末余额(元)": acc["balance_after"].to_numpy(),
        }).astype({"项目": "str"})
    if view.special_mention is not None:
        s = view.special_mention.to_frame()
        shown = [percent_text(v) if key in ("rate", "count_rate") else
                 (f"{v:,.2f}" if key.endswith("balance") or key == "decrease" else f"{v:,.0f}")
                 for key, v in zip(s["key"], s["value"], strict=True)]
        tables["special_mention"] = pd.DataFrame({"指标": s["label_zh"], "数值": s["value"],
                                                  "显示": pd.Series(shown, dtype="str")})
    return tables


# --------------------------------------------------------------------------- workbook

_SHEETS: tuple[tuple[str, str], ...] = (
    ("kpis", "主要指标"), ("class_balance", "五级分类"), ("buckets", "逾期分段"),
    ("concentration", "前十大客户"), ("findings", "检查发现"), ("timeliness", "检查及时率"),
    ("coverage", "现场检查覆盖"), ("coverage_overdue", "超期未现场检查机构"),
    ("migration_balance", "迁徙矩阵(余额)"), ("migration_count", "迁徙矩阵(笔数)"),
    ("migration_accounting", "迁徙核对"), ("special_mention", "关注类迁徙率"),
)


def _source_text(extract: Extract | None) -> str:
    if extract is None:
        return "(未提供)"
    date = f"{extract.as_of:%Y-%m-%d}" if extract.as_of else "未识别"
    profile = (f",导出配置 {extract.profile_name}(sha256 {extract.profile_sha256[:16]})"
               if extract.profile_name else "")
    return f"{extract.source_name}(数据日期 {date},指纹 {extract.fingerprint[:16]}{profile})"


def write_management_workbook(view: ManagementView, target, *, user: str | None = None) -> None:
    """Write the management workbook (管理层看板数据.xlsx): a parameter sheet (参数: 当前用户,
    generation time, both snapshots with their fingerprints, check date, policy) and one sheet
    per table of :func:`display_tables` (masked, as on screen; ratios as percentages), each
    printed through :class:`~postloan_audit.core.workbooks.PrintSetup` (a page header naming the
    branch and the data dates, page numbers).

    ``target`` is a path or a binary buffer (:func:`postloan_audit.core.workbooks.save_workbook`).
    """
    wb = new_workbook()
    ws = wb.create_sheet("参数")
    params: list[tuple[str, object]] = [
        ("报表", "管理层看板数据"),
        ("当前用户", user or NO_USER_TEXT),
        ("生成时间", view.created),
        ("期末快照", _source_text(view.after)),
        ("期初快照", _source_text(view.before)),
        ("检查日", view.as_of if view.as_of else "(未识别)"),
        ("检查参数", view.report.policy.source if view.report is not None else "(未执行)"),
        ("个人信息", "个人客户姓名、证件号码已脱敏(姓名保留首字,证件号保留前4位和后4位)"),
    ]
    for section, texts in view.notes.items():
        params += [(f"说明({SECTION_ZH.get(section, section)})", text) for text in texts]
    write_key_values(ws, params)
    setup = print_setup(view)
    setup.apply(ws)
    tables = display_tables(view)
    for key, title in _SHEETS:
        if key not in tables:
            continue
        frame = tables[key]
        formats = {c: "0.00%" for c in frame.columns
                   if str(c).endswith(("率", "占比")) and frame[c].dtype == np.float64}
        if key in ("kpis", "special_mention"):
            formats["数值"] = "General"
        ws = wb.create_sheet(title)
        write_table(ws, frame, number_formats=formats)
        setup.apply(ws)
    save_workbook(wb, target)


def print_setup(view: ManagementView) -> PrintSetup:
    """The page header of the management workbook: the later snapshot's branch (or how many),
    its data date and, with an earlier one, the period."""
    branches = sorted(set(view.after.loans["branch"].dropna().astype("str"))) \
        if "branch" in view.after.loans.columns else []
    details = [f"经营机构:{branches[0]}" if len(branches) == 1 else
               f"经营机构:{len(branches)}个" if branches else "",
               f"数据日期:{view.as_of:%Y-%m-%d}" if view.as_of else "数据日期:未识别"]
    if view.before is not None and view.before.as_of is not None:
        details.append(f"期初:{view.before.as_of:%Y-%m-%d}")
    return PrintSetup("管理层看板数据", [d for d in details if d])
