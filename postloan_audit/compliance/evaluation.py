"""The parts of a compliance run shared by every engine (合规检查的公共部分).

The report (:class:`CheckReport`, :data:`FINDING_COLUMNS`), the preparation of a run (check
date, policy, rule selection), the evaluation of the selected rules on one
:class:`~postloan_audit.compliance.rules.context.CheckContext`, and the assembly of their hits
into the findings table. :func:`~postloan_audit.compliance.checks.run_checks` runs them in
memory; :mod:`~postloan_audit.compliance.distributed` runs them on each partition of a Dask
DataFrame.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules import CATALOGUE, CheckContext, Rule
from postloan_audit.compliance.rules.base import describe_requirement
from postloan_audit.core.citations import render_citation
from postloan_audit.core.dates import coerce_date
from postloan_audit.core.extract import Extract, as_extract
from postloan_audit.core.provenance import Provenance, with_legacy

#: Columns of :attr:`CheckReport.findings`, in order.
FINDING_COLUMNS: list[str] = ["rule_id", "severity", "loan_id", "borrower_id", "borrower_name",
                              "branch", "message", "due_date", "days_late", "citation"]
#: What the check date is called in messages.
CHECK_DATE = ("检查日期", "check date")
#: Columns of :attr:`CheckReport.not_run`.
NOT_RUN_COLUMNS: list[str] = ["rule_id", "reason"]
#: Columns of :func:`list_rules`.
CATALOGUE_COLUMNS: list[str] = ["rule_id", "title_zh", "title_en", "severity", "citation",
                                "parameters", "needs"]


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame({
        "rule_id": pd.Series([], dtype="str"), "severity": pd.Series([], dtype="str"),
        "loan_id": pd.Series([], dtype="str"), "borrower_id": pd.Series([], dtype="str"),
        "borrower_name": pd.Series([], dtype="str"), "branch": pd.Series([], dtype="str"),
        "message": pd.Series([], dtype="str"), "due_date": pd.Series([], dtype="datetime64[ns]"),
        "days_late": pd.Series([], dtype="Int64"), "citation": pd.Series([], dtype="str"),
    })


@dataclass(frozen=True, init=False)
class CheckReport:
    """The result of :func:`run_checks` (检查结果).

    Attributes
    ----------
    findings:
        One row per rule × loan, columns :data:`FINDING_COLUMNS`; ``due_date`` and
        ``days_late`` where the rule has a deadline.
    not_run:
        Rules that did not run (``rule_id``, ``reason``): data missing, or disabled.
    policy:
        The :class:`~postloan_audit.compliance.policy.Policy` used.
    rules_run:
        Ids of the rules that ran, in catalogue order.
    warnings:
        Notes the reader must see: working-day calendar fallback, assumptions for missing
        optional columns.
    loans_checked:
        Number of loans in the extract.
    provenance:
        A :class:`~postloan_audit.core.provenance.Provenance`: ``fingerprint`` (sha256 of the
        extract's source bytes, or of the loans frame when given a frame), ``source_name``
        (the extract's file name, '' for a frame), ``as_of`` (the check date), ``profile``
        (the export profile (导出配置) the extract was read with), ``created_at`` (when the
        run finished, local time) and ``version``.
    as_of, fingerprint, source_name, created, profile_name, profile_sha256:
        Read-only aliases of the provenance fields (the constructor still takes them).
    """

    findings: pd.DataFrame
    not_run: pd.DataFrame
    policy: Policy
    rules_run: tuple[str, ...]
    warnings: tuple[str, ...]
    loans_checked: int
    provenance: Provenance

    def __init__(self, findings: pd.DataFrame, not_run: pd.DataFrame,
                 as_of: dt.date | None = None, policy: Policy | None = None, *,
                 rules_run: tuple[str, ...] = (), warnings: tuple[str, ...] = (),
                 loans_checked: int = 0, provenance: Provenance | None = None,
                 **legacy: Any) -> None:
        unknown = set(legacy) - {"fingerprint", "source_name", "created", "profile_name",
                                 "profile_sha256"}
        if unknown:
            raise TypeError(f"CheckReport() got unexpected keyword arguments {sorted(unknown)}")
        if as_of is not None:
            legacy["as_of"] = as_of
        provenance = with_legacy(provenance, legacy)
        if provenance.as_of is None:
            raise TypeError("CheckReport() needs the check date (as_of)")
        for name, value in (("findings", findings), ("not_run", not_run),
                            ("policy", policy if policy is not None else Policy.default()),
                            ("rules_run", tuple(rules_run)), ("warnings", tuple(warnings)),
                            ("loans_checked", loans_checked), ("provenance", provenance)):
            object.__setattr__(self, name, value)

    @property
    def as_of(self) -> dt.date:
        """The check date (``provenance.as_of``)."""
        return self.provenance.as_of

    @property
    def fingerprint(self) -> str:
        """sha256 of the extract's source (``provenance.fingerprint``)."""
        return self.provenance.fingerprint

    @property
    def source_name(self) -> str:
        """The extract's file name (``provenance.source_name``)."""
        return self.provenance.source_name

    @property
    def created(self) -> dt.datetime:
        """When the run finished (``provenance.created_at``)."""
        return self.provenance.created_at

    @property
    def profile_name(self) -> str | None:
        return self.provenance.profile_name

    @property
    def profile_sha256(self) -> str | None:
        return self.provenance.profile_sha256

    def summary_by_rule(self) -> pd.DataFrame:
        """Per rule that ran: ``rule_id``, ``title_zh``, ``severity``, ``findings``, ``loans``,
        ``branches`` (counts), in catalogue order; rules with no finding show 0."""
        f = self.findings
        counts = f.groupby("rule_id", sort=False).agg(
            findings=("loan_id", "size"), loans=("loan_id", "nunique"),
            branches=("branch", "nunique"))
        rows = pd.DataFrame({"rule_id": pd.Series(list(self.rules_run), dtype="str")})
        rows["title_zh"] = [CATALOGUE[r].title_zh for r in self.rules_run]
        rows["severity"] = [str(CATALOGUE[r].severity) for r in self.rules_run]
        out = rows.merge(counts, left_on="rule_id", right_index=True, how="left")
        for col in ("findings", "loans", "branches"):
            out[col] = out[col].fillna(0).astype(np.int64)
        return out.astype({"rule_id": "str", "title_zh": "str", "severity": "str"})

    def summary_by_branch(self) -> pd.DataFrame:
        """Branch × rule finding counts: ``branch``, one column per rule run, ``total``.

        Branches sorted by name; a rule with no finding still has its (zero) column.
        """
        f = self.findings
        table = pd.crosstab(f["branch"], f["rule_id"]) if len(f) else \
            pd.DataFrame(index=pd.Index([], name="branch", dtype="str"))
        table = table.reindex(columns=list(self.rules_run), fill_value=0).sort_index()
        table = table.fillna(0).astype(np.int64)
        table["total"] = table.sum(axis=1).astype(np.int64)
        table.columns.name = None
        out = table.reset_index()
        out["branch"] = out["branch"].astype("str")
        return out

    def summary(self) -> str:
        """A short Chinese summary (检查结果摘要)."""
        by_rule = self.summary_by_rule()
        lines = [f"检查日 {self.as_of:%Y-%m-%d},贷款 {self.loans_checked} 笔,执行规则 "
                 f"{len(self.rules_run)} 条,发现问题 {len(self.findings)} 条,未执行规则 "
                 f"{len(self.not_run)} 条"]
        for rec in by_rule.to_dict("records"):
            lines.append(f"  {rec['rule_id']:<16}{rec['title_zh']}:{rec['findings']} 条")
        for rec in self.not_run.to_dict("records"):
            lines.append(f"  未执行 {rec['rule_id']}:{rec['reason']}")
        lines += [f"  注意:{w}" for w in self.warnings]
        return "\n".join(lines)


def _frame_fingerprint(loans: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(loans, index=False).to_numpy()
    digest = hashlib.sha256(",".join(map(str, loans.columns)).encode("utf-8"))
    digest.update(hashed.tobytes())
    return digest.hexdigest()


def _select_rules(rules: Iterable[str] | str | None) -> list[Rule]:
    if rules is None:
        return list(CATALOGUE.values())
    if isinstance(rules, str):
        rules = [r for r in rules.split(",")]
    wanted = [r.strip().upper() for r in rules if r and r.strip()]
    unknown = [r for r in wanted if r not in CATALOGUE]
    if unknown:
        raise ValueError(f"未知规则编号:{', '.join(unknown)};可用:{', '.join(CATALOGUE)} / "
                         f"unknown rule id(s): {', '.join(unknown)}")
    return [rule for rid, rule in CATALOGUE.items() if rid in set(wanted)]


#: Values of ``run_checks(engine=...)``.
ENGINES: tuple[str, ...] = ("pandas", "dask")


def unpack_data(data: Extract | pd.DataFrame
                ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame | None], str, str, Any]:
    """Loans, optional sheets, fingerprint, source name and extract date of ``data`` (a loans
    frame is fingerprinted by its content, see :func:`_frame_fingerprint`)."""
    extract = as_extract(data)
    sheets = extract.sheets
    if extract.fingerprint is None:  # a bare loans frame
        return extract.loans, sheets, _frame_fingerprint(extract.loans), "", None
    return extract.loans, sheets, extract.fingerprint, extract.source_name, extract.as_of


def profile_of(data: Extract | pd.DataFrame) -> dict[str, str | None]:
    """The export profile fields of a :class:`CheckReport` for ``data`` (none for a frame)."""
    if isinstance(data, Extract):
        return {"profile_name": data.profile_name, "profile_sha256": data.profile_sha256}
    return {}


def prepare_run(as_of: Any, policy: Policy | str | PathLike | None,
                rules: Iterable[str] | str | None) -> tuple[dt.date, Policy, list[Rule]]:
    """The check date, the policy and the selected rules of a run (validated)."""
    if as_of is None:
        raise ValueError("未给出检查日期 / as_of is required (the extract carries no date)")
    return (coerce_date(as_of, what=CHECK_DATE), Policy.coerce(policy), _select_rules(rules))


def evaluate_rules(ctx: CheckContext, selected: list[Rule], pol: Policy
                   ) -> tuple[list[tuple[Rule, Any]], list[str], list[dict[str, str]]]:
    """Evaluate each selected rule on ``ctx``: (rule, hits) pairs, ids run, rules not run."""
    not_run: list[dict[str, str]] = []
    ran: list[str] = []
    parts: list[tuple[Rule, Any]] = []
    for rule in selected:
        reason = pol.disabled_reason(rule.id)
        if reason is not None:
            text = reason or "未说明原因 / no reason given"
            not_run.append({"rule_id": rule.id,
                            "reason": f"本行参数配置停用:{text} / disabled by policy: {text}"})
            continue
        missing = rule.missing(ctx)
        if missing:
            zh = ";".join(describe_requirement(m)[0] for m in missing)
            en = "; ".join(describe_requirement(m)[1] for m in missing)
            not_run.append({"rule_id": rule.id,
                            "reason": f"缺少所需数据:{zh} / missing data: {en}"})
            continue
        parts.append((rule, rule.evaluate(ctx)))
        ran.append(rule.id)
    return parts, ran, not_run


def _assemble(loans: pd.DataFrame, parts: list[tuple[Rule, Any]],
              policy: Policy | None = None) -> pd.DataFrame:
    """One findings frame from every rule's hits: loan columns taken once, by position; the
    citations read with the policy's source titles."""
    parts = [(rule, hits) for rule, hits in parts if len(hits.positions)]
    if not parts:
        return _empty_findings()
    counts = np.array([len(h.positions) for _, h in parts])
    positions = np.concatenate([h.positions for _, h in parts])

    def repeat(values: list[str]) -> pd.Series:
        codes = np.repeat(np.arange(len(values)), counts)
        return pd.Series(np.asarray(values, dtype=object)[codes], dtype="str")

    def loan_column(name: str) -> pd.Series:
        if name not in loans.columns:
            return pd.Series(np.full(len(positions), np.nan), dtype="str")
        return loans[name].iloc[positions].reset_index(drop=True).astype("str")

    nat = np.datetime64("NaT", "ns")
    due = np.concatenate([
        h.due_date.astype("datetime64[ns]") if h.due_date is not None
        else np.full(len(h.positions), nat) for _, h in parts])
    late = np.concatenate([
        np.asarray(h.days_late, dtype=float) if h.days_late is not None
        else np.full(len(h.positions), np.nan) for _, h in parts])
    late_series = pd.Series(late).round().astype("Int64")
    late_series = late_series.mask(np.isnat(due))
    return pd.DataFrame({
        "rule_id": repeat([r.id for r, _ in parts]),
        "severity": repeat([str(r.severity) for r, _ in parts]),
        "loan_id": loan_column("loan_id"),
        "borrower_id": loan_column("borrower_id"),
        "borrower_name": loan_column("borrower_name"),
        "branch": loan_column("branch"),
        "message": pd.concat([h.message.reset_index(drop=True) for _, h in parts],
                             ignore_index=True).astype("str"),
        "due_date": pd.Series(due, dtype="datetime64[ns]"),
        "days_late": late_series,
        "citation": repeat([render_citation(r.citation, policy) for r, _ in parts]),
    }, columns=FINDING_COLUMNS)
