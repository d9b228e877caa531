"""Every audit analysis of one book at once (审计分析概览): what the pages show and print.

:func:`review_book` runs the analyses of :mod:`postloan_audit.analytics` that the book's sheets
allow — 同一债务人 and invalid id numbers, 担保圈/担保链 (with the ``guarantees`` sheet), 大额风险
暴露 (once the bank's capital is given), concentration, the first-digit and bunching tests,
duplicates, and the comparison with an earlier snapshot (when one is given) — and returns
:class:`AnalyticsReview`: headline counts, the tables as workbook
:class:`~postloan_audit.analytics.workbook.Section` s, and for each analysis not run the
reason, in Chinese with English alongside. An analysis that cannot run on this book (a sheet
or column missing) is listed with its reason; it never stops the others.

Page 02 runs it on the files checked (several files as one book, so that one party under ids
in two branches is found), page 05 on the extract scanned, where the circles feed the
EW-GUAR-CIRCLE signal.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from postloan_audit.analytics.circles import CIRCLE_HEADERS, guarantee_network
from postloan_audit.analytics.digits import (
    BUNCHING_HEADERS,
    DEFAULT_LIMITS,
    DIGIT_HEADERS,
    bunching_test,
    digit_test,
    loans_in_bands,
)
from postloan_audit.analytics.duplicates import DUPLICATE_HEADERS, find_duplicates
from postloan_audit.analytics.exposures import (
    CITATIONS,
    CONCENTRATION_BY,
    CONCENTRATION_HEADERS,
    EXPOSURE_HEADERS,
    concentration,
    large_exposures,
)
from postloan_audit.analytics.snapshots import (
    COMPARISON_HEADERS,
    FIELD_ZH,
    RECONCILIATION_ZH,
    compare_snapshots,
)
from postloan_audit.analytics.workbook import Section, write_analytics_workbook
from postloan_audit.compliance.policy import Policy
from postloan_audit.core.extract import Extract
from postloan_audit.core.provenance import Provenance
from postloan_audit.core.workbooks import Target
from postloan_audit.parties.resolve import PARTY_HEADERS, PartyResolution, resolve_parties

#: The sheets a book of several files stacks (each file's rows, in file order).
STACKED_SHEETS = ("loans", "inspections", "collections", "collateral", "guarantees",
                  "financials", "external", "lists")
#: The loans listed with a flagged bunching limit.
LOAN_HEADERS: dict[str, str] = {"limit": "阈值(元)", "loan_id": "借据号", "borrower_id": "客户号",
                                "borrower_name": "客户名称", "branch": "经营机构",
                                "balance": "贷款余额(元)"}
#: Why the large exposures were not analysed (the workbench sets no capital).
NO_CAPITAL = ("未填写本行数据日期的一级资本净额和资本净额(元),本工具不设默认值;填写后即分析大额风险暴露"
              "与限额。 / Give the bank's tier-1 capital and capital at the data date, in yuan "
              "(there is no default), to analyse large exposures.")
SOURCES = ["GB 11643-1999 公民身份号码", "GB 32100-2015 法人和其他组织统一社会信用代码编码规则",
           "《商业银行金融资产风险分类办法》第七条第二款(债务人)",
           "银监发〔2016〕42号《关于进一步加强信用风险管理的通知》(担保圈、担保链风险)",
           *CITATIONS.values(),
           "Nigrini, Benford's Law (Wiley, 2012): MAD 判定标准 Table 7.1, z 检验"]


@dataclasses.dataclass(frozen=True)
class AnalyticsReview:
    """The analyses of one book (see the module).

    Attributes
    ----------
    counts:
        Headline figures as ``(label, value, note)``: parties joined, invalid id numbers,
        circles, chains, large exposures and breaches, digit-test conformity, flagged limits,
        duplicates, and with an earlier snapshot whether the balances reconcile.
    sections:
        The tables, in page order (the analytics workbook's sheets).
    not_run:
        ``(analysis, reason)`` for each analysis this book could not have.
    parameters:
        ``(name, value)`` pairs in force (the 说明 sheet).
    provenance:
        The book's provenance.
    """

    counts: list[tuple[str, str, str]]
    sections: list[Section]
    not_run: list[tuple[str, str]]
    parameters: list[tuple[str, Any]]
    provenance: Provenance

    def write(self, target: Target) -> None:
        """The analytics workbook of the review (说明 first, one sheet per table)."""
        write_analytics_workbook(target, self.sections, title="审计分析",
                                 provenance=self.provenance, parameters=self.parameters,
                                 sources=SOURCES)


def book_of(extracts: Sequence[Extract]) -> Extract:
    """Several files as one book: each sheet's rows stacked in file order; the provenance lists
    the files (``a; b``), its fingerprint is the sha256 of theirs, its date their common one."""
    if len(extracts) == 1:
        return extracts[0]
    if not extracts:
        raise ValueError("没有可分析的台账。 / No extract to analyse.")
    sheets: dict[str, pd.DataFrame | None] = {}
    for name in STACKED_SHEETS:
        frames = [getattr(e, name) for e in extracts if getattr(e, name) is not None]
        sheets[name] = pd.concat(frames, ignore_index=True) if frames else None
    dates = {e.as_of for e in extracts}
    fingerprint = hashlib.sha256("".join(e.fingerprint or "" for e in extracts)
                                 .encode()).hexdigest()
    provenance = Provenance(fingerprint=fingerprint,
                            source_name="; ".join(e.source_name or "" for e in extracts),
                            as_of=dates.pop() if len(dates) == 1 else None)
    loans = sheets.pop("loans")
    return Extract(loans=loans, provenance=provenance, **sheets)


def review_book(extract: Extract, *, previous: Extract | None = None,
                policy: Policy | None = None, tier1_capital: float | None = None,
                capital: float | None = None,
                limits: Sequence[float] = DEFAULT_LIMITS) -> AnalyticsReview:
    """Run every analysis the book allows (see the module).

    Parameters
    ----------
    extract:
        The book (several files: :func:`book_of`).
    previous:
        An earlier snapshot to compare with (两期比对); None skips the comparison.
    policy:
        The ``[analytics]`` policy values (defaults when None).
    tier1_capital, capital:
        The bank's 一级资本净额 and 资本净额 in yuan; the large-exposure analysis runs only with
        both (the workbench sets no default).
    limits:
        The approval limits (yuan) the bunching test looks below.
    """
    policy = Policy.coerce(policy)
    p = policy.analytics
    counts: list[tuple[str, str, str]] = []
    sections: list[Section] = []
    not_run: list[tuple[str, str]] = []
    resolved: dict[str, PartyResolution] = {}  # the parties, resolved once for every analysis

    def party_args() -> dict[str, PartyResolution]:
        return {"parties": resolved["parties"]} if "parties" in resolved else {}

    def attempt(what: str, run) -> None:
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - an analysis the book cannot have is listed
            not_run.append((what, str(exc)))

    def parties() -> None:
        result = resolve_parties(extract, look_alikes=True,
                                 look_alike_score=p.look_alike_score)
        resolved["parties"] = result
        groups = result.groups()
        counts.append(("同一债务人(合并的客户号组)", f"{len(groups):,}",
                       f"客户号 {len(result.parties):,} 个,识别为债务人 "
                       f"{result.parties['party_id'].nunique():,} 户"))
        counts.append(("证件号码无效", f"{len(result.invalid_ids):,}", "GB 11643 / GB 32100"))
        sections.extend([
            Section("同一债务人", "合并为同一债务人的客户号", groups, PARTY_HEADERS),
            Section("无效证件号码", "证件号码校验未通过", result.invalid_ids, PARTY_HEADERS),
            Section("名称相近", "名称相近但未合并(供复核)", result.look_alikes, PARTY_HEADERS)])

    def circles() -> None:
        network = guarantee_network(extract, policy=policy, **party_args())
        summary = network.circle_summary()
        counts.append(("担保圈", f"{len(summary):,}",
                       f"担保关系 {len(network.edges):,} 条"))
        counts.append((f"担保链(超过 {network.depth} 层)", f"{len(network.chains):,}", ""))
        sections.extend([
            Section("担保圈", "担保圈汇总", summary, CIRCLE_HEADERS),
            Section("担保圈成员", "担保圈成员(债务人)", network.circles, CIRCLE_HEADERS),
            Section("担保链", f"担保链(超过 {network.depth} 层)", network.chains,
                    CIRCLE_HEADERS)])

    def exposures() -> None:
        if tier1_capital is None or capital is None:
            raise ValueError(NO_CAPITAL)
        found = large_exposures(extract, tier1_capital=tier1_capital, capital=capital,
                                policy=policy, **party_args())
        counts.append(("大额风险暴露", f"{int(found['large_exposure'].sum()):,}",
                       f"超过限额 {int(found['breach'].sum()):,} 项"))
        shown = found.drop(columns=[c for c in ("citation", "basis", "capital")
                                    if c in found.columns])
        sections.append(Section("大额风险暴露", "大额风险暴露与限额", shown, EXPOSURE_HEADERS))

    def concentrations() -> None:
        for by in ("industry", "branch"):
            if by not in extract.loans.columns:
                not_run.append((f"{CONCENTRATION_BY[by]}集中度",
                                f"台账没有“{CONCENTRATION_BY[by]}”列。 / The ledger has no "
                                f"{by} column."))
                continue
            c = concentration(extract, by=by, policy=policy, **party_args())
            counts.append((f"{CONCENTRATION_BY[by]}集中度 HHI", f"{c.hhi:.4f}",
                           f"前{c.top_n}大占比 {c.top_n_share:.2%}"))
            sections.append(Section(
                f"{CONCENTRATION_BY[by]}集中度",
                f"{CONCENTRATION_BY[by]}集中度(HHI {c.hhi:.4f},前{c.top_n}大占比 "
                f"{c.top_n_share:.2%})", c.table,
                {**CONCENTRATION_HEADERS, "value": CONCENTRATION_BY[by]}))

    def digits() -> None:
        test = digit_test(extract, digits=1, policy=policy)
        counts.append(("首位数字检验", test.conformity_zh, f"MAD {test.mad:.4f},{test.n:,} 笔"))
        sections.append(Section("首位数字检验", test.summary(), test.table, DIGIT_HEADERS))
        bunching = bunching_test(extract, limits=limits, policy=policy)
        counts.append(("阈值下方堆积", f"{int(bunching['flagged'].sum()):,}",
                       f"检验的阈值 {len(bunching)} 个"))
        columns = [c for c in LOAN_HEADERS if c != "limit" and c in extract.loans.columns]
        inside = loans_in_bands(extract, bunching)[["limit", *columns]]
        sections.extend([Section("阈值下方堆积", "阈值下方堆积", bunching, BUNCHING_HEADERS),
                         Section("堆积区间借据", "被标记阈值下方区间内的借据", inside,
                                 LOAN_HEADERS)])

    def duplicates() -> None:
        found = find_duplicates(extract, **party_args())
        note = found.collateral.attrs.get("note")
        counts.append(("一物多押超值", f"{len(found.collateral):,}", note or ""))
        counts.append(("同一证件号码多个客户号", f"{len(found.id_numbers):,}", ""))
        counts.append(("疑似重复借据", f"{len(found.loans):,}", "客户号、余额、发放日期相同"))
        sections.extend([
            Section("一物多押", "一物多押且超过评估价值", found.collateral, DUPLICATE_HEADERS,
                    notes=[note] if note else ()),
            Section("证件号码重复", "同一证件号码对应多个客户号", found.id_numbers,
                    DUPLICATE_HEADERS),
            Section("疑似重复借据", "疑似重复借据", found.loans,
                    {**DUPLICATE_HEADERS, "balance": "贷款余额(元)"})])

    def snapshots() -> None:
        if previous is None:
            raise ValueError("未上传上期台账。 / No earlier snapshot was given.")
        result = compare_snapshots(previous, extract)
        rec = result.reconciliation.reset_index()
        rec["item"] = rec["item"].map(RECONCILIATION_ZH)
        changed = result.changed.assign(field=result.changed["field"].map(FIELD_ZH))
        counts.append(("两期比对:余额勾稽", "平" if result.reconciles else "不平",
                       f"新发放 {len(result.new):,} 笔,结清 {len(result.settled):,} 笔,"
                       f"重要变动 {len(changed):,} 项"))
        sections.extend([
            Section("余额勾稽", "余额勾稽:上期 + 新发放 − 结清 ± 存续变动 = 本期", rec,
                    COMPARISON_HEADERS),
            Section("重要变动", "重要变动(分类、不良余额、到期日、担保、管理方式)", changed,
                    COMPARISON_HEADERS),
            Section("新发放", "新发放借据", result.new, COMPARISON_HEADERS),
            Section("结清", "结清借据", result.settled, COMPARISON_HEADERS)])

    attempt("同一债务人识别与证件号码校验", parties)
    attempt("担保圈与担保链", circles)
    attempt("大额风险暴露", exposures)
    attempt("集中度", concentrations)
    attempt("首位数字检验与阈值下方堆积", digits)
    attempt("重复与共用", duplicates)
    attempt("两期比对", snapshots)
    parameters: list[tuple[str, Any]] = [
        ("一级资本净额(元)", "未填写" if tier1_capital is None else tier1_capital),
        ("资本净额(元)", "未填写" if capital is None else capital),
        ("堆积检验阈值(元)", "、".join(f"{v:,.0f}" for v in limits)),
        *[(f"参数 analytics.{f.name}", getattr(p, f.name)) for f in dataclasses.fields(p)]]
    if previous is not None:
        parameters += [("上期文件", previous.source_name), ("上期指纹", previous.fingerprint)]
    return AnalyticsReview(counts=counts, sections=sections, not_run=not_run,
                           parameters=parameters, provenance=extract.provenance)


__all__ = ["AnalyticsReview", "book_of", "review_book"]
