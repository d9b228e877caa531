"""Several extracts checked together (多个台账合并检查): :func:`check_extracts`.

Head office receives a ledger from each branch and checks them as one book (the compliance
page, ``notebooks/02_compliance_checks.ipynb``, and ``postloan-audit check A.xlsx B.csv``).
Each file is checked on its own with :func:`~postloan_audit.compliance.checks.run_checks`
(:func:`check_each`), so a rule that needs a column one file lacks is "not run" for that file
only, and never sees blanks that the file did not provide; the reports are then joined by
:func:`combine_reports` into one report: findings concatenated, ``not_run`` reasons prefixed
with the file name, provenance listing every file with its own sha256.

Two files that share a loan id (借据号) are refused with a readable message instead of being
double counted (:func:`check_distinct_loans`). Rules that compare a borrower's loans
(``CLS-BORROWER``, 《商业银行金融资产风险分类办法》 第七条第二款) see one file at a time; when a
borrower id appears in several files the report says so (:func:`cross_file_notes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from os import PathLike

import numpy as np
import pandas as pd

from postloan_audit.compliance.checks import CheckReport, run_checks
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules import CATALOGUE
from postloan_audit.core.errors import SharedLoansError
from postloan_audit.core.extract import Extract


def common_as_of(extracts: Sequence[Extract]) -> dt.date | None:
    """The latest extract date among ``extracts`` (None when no file carries one): the check
    date several files are checked at when none is given."""
    days = [e.as_of for e in extracts if e.as_of is not None]
    return max(days) if days else None


def check_distinct_loans(extracts: Sequence[Extract]) -> None:
    """Refuse files that share loan ids (借据号), which would be counted twice.

    Raises
    ------
    SharedLoansError
        Naming the files, the number of shared loan ids and a few of them.
    """
    if len(extracts) < 2:
        return
    ids = pd.concat([e.loans["loan_id"] for e in extracts], ignore_index=True)
    file_no = np.repeat(np.arange(len(extracts)), [len(e.loans) for e in extracts])
    files_per_id = pd.Series(file_no).groupby(ids.to_numpy()).nunique()
    shared = files_per_id.index[files_per_id.to_numpy() > 1]
    if not len(shared):
        return
    involved = np.unique(file_no[ids.isin(shared).to_numpy()])
    names = [extracts[i].source_name for i in involved]
    examples = sorted(shared)[:5]
    example = "、".join(map(str, examples))
    raise SharedLoansError(
        f"文件 {'、'.join(names)} 含有相同的借据号 {len(shared):,} 笔(如 {example}),为避免重复计数,"
        "未进行检查。请确认是否重复上传了同一机构的台账,去掉重复的文件后重新上传。"
        f" / The files {', '.join(names)} share {len(shared):,} loan ids (e.g. {example}); "
        "they were not checked, to avoid counting these loans twice. Remove the duplicate file "
        "and upload again.",
        source_names=tuple(names), shared=len(shared), examples=tuple(map(str, examples)))


def cross_file_notes(extracts: Sequence[Extract], as_of: dt.date) -> list[str]:
    """Notes the reader must see when several files are checked together."""
    if len(extracts) < 2:
        return []
    notes = []
    dates = {e.source_name: e.as_of for e in extracts}
    if len(set(dates.values())) > 1:
        listed = ";".join(f"{name} {day or '未识别'}" for name, day in dates.items())
        notes.append(f"各文件的数据日期不同({listed}),均按检查日 {as_of:%Y-%m-%d} 检查。")
    borrowers = pd.concat([e.loans["borrower_id"] for e in extracts], ignore_index=True)
    file_no = np.repeat(np.arange(len(extracts)), [len(e.loans) for e in extracts])
    files_per_borrower = pd.Series(file_no).groupby(borrowers.to_numpy()).nunique()
    spread = int((files_per_borrower.to_numpy() > 1).sum())
    if spread:
        notes.append(f"有 {spread:,} 个客户号出现在多个文件中;同一借款人分类一致性(CLS-BORROWER)"
                     "按文件分别检查,未跨文件比较。")
    return notes


def combine_reports(reports: Sequence[CheckReport], *, notes: Sequence[str] = ()) -> CheckReport:
    """One report from the per-file reports of the same check date and policy.

    Findings are concatenated in file order; a rule counts as run when it ran for at least one
    file, and each file's rules not run keep their own row with the file named in the reason;
    ``source_name`` and ``fingerprint`` list every file (``name: sha256``), so the workbook's
    参数 sheet traces each finding back to its file. A single report is returned unchanged
    (apart from ``notes``).
    """
    if not reports:
        raise ValueError("没有可合并的检查结果 / no reports to combine")
    first = reports[0]
    if len(reports) == 1:
        return replace(first, warnings=(*first.warnings, *notes)) if notes else first
    ran = {rid for r in reports for rid in r.rules_run}
    not_run = pd.concat(
        [r.not_run.assign(reason=f"〔{r.source_name}〕" + r.not_run["reason"]) for r in reports],
        ignore_index=True).astype("str")
    warnings: list[str] = []
    for r in reports:
        warnings += [f"〔{r.source_name}〕{w}" for w in r.warnings]
    return CheckReport(
        findings=pd.concat([r.findings for r in reports], ignore_index=True),
        not_run=not_run,
        as_of=first.as_of,
        policy=first.policy,
        fingerprint="; ".join(f"{r.source_name}: {r.fingerprint}" for r in reports),
        source_name="; ".join(r.source_name for r in reports),
        rules_run=tuple(rid for rid in CATALOGUE if rid in ran),
        warnings=(*warnings, *notes),
        loans_checked=sum(r.loans_checked for r in reports),
        profile_name=first.profile_name,
        profile_sha256=first.profile_sha256,
    )


def combined_rejected(extracts: Sequence[Extract]) -> pd.DataFrame | None:
    """The rejected rows of every file, for the findings workbook's 拒绝行 sheet (so the reader
    sees which rows the findings do not cover); with several files the ``sheet`` column names
    the file too (``name · sheet``). None when no file rejected a row."""
    several = len(extracts) > 1  # name the file in 拒绝行 when several were checked
    rejected = [e.rejected.assign(sheet=e.source_name + " · " + e.rejected["sheet"].astype(str))
                if several else e.rejected for e in extracts if len(e.rejected)]
    return pd.concat(rejected, ignore_index=True) if rejected else None


def check_each(extracts: Sequence[Extract], *, as_of: dt.date | str | None,
               policy: Policy | str | PathLike | None = None,
               rules: Iterable[str] | str | None = None,
               progress: Callable[[int, Extract], None] | None = None) -> list[CheckReport]:
    """Each extract checked on its own, at one check date (the per-file reports).

    Parameters
    ----------
    extracts:
        The files, in the order their findings are to be listed.
    as_of:
        The check date (a date or ``'YYYY-MM-DD'``); None takes the latest extract date
        (:func:`common_as_of`), so every file is checked at the same date.
    policy, rules:
        As for :func:`~postloan_audit.compliance.checks.run_checks`.
    progress:
        Called with ``(i, extract)`` before the ``i``-th file (from 1) is checked.

    This does not refuse files sharing loan ids; :func:`check_extracts` does.
    """
    day = as_of if as_of is not None else common_as_of(extracts)
    reports = []
    for i, extract in enumerate(extracts, start=1):
        if progress is not None:
            progress(i, extract)
        reports.append(run_checks(extract, as_of=day, policy=policy, rules=rules))
    return reports


def check_extracts(extracts: Sequence[Extract], *, as_of: dt.date | str | None,
                   policy: Policy | str | PathLike | None = None,
                   rules: Iterable[str] | str | None = None,
                   progress: Callable[[int, Extract], None] | None = None) -> CheckReport:
    """Check several extracts together as one book (多个台账合并检查), as the compliance page does.

    Files sharing loan ids are refused (:func:`check_distinct_loans`); each file is checked on
    its own (:func:`check_each`) and the reports are combined (:func:`combine_reports`) with
    the notes the reader must see (:func:`cross_file_notes`: data dates that differ, borrowers
    in several files). One extract gives exactly its :func:`run_checks` report.

    Parameters
    ----------
    extracts:
        The files, in the order their findings are to be listed.
    as_of:
        The check date; None takes the latest extract date (:func:`common_as_of`).
    policy, rules:
        As for :func:`~postloan_audit.compliance.checks.run_checks`.
    progress:
        As for :func:`check_each`.

    Raises
    ------
    SharedLoansError
        Two files share loan ids; nothing was checked.
    ValueError
        No extract, or as :func:`run_checks` (an invalid date, an unknown rule id).
    """
    extracts = list(extracts)
    check_distinct_loans(extracts)
    reports = check_each(extracts, as_of=as_of, policy=policy, rules=rules, progress=progress)
    notes = cross_file_notes(extracts, reports[0].as_of) if reports else []
    return combine_reports(reports, notes=notes)
