"""Run the compliance rule catalogue over an extract (合规检查): :func:`run_checks`.

Like a lazy pandera validation, a run evaluates every selected rule and gathers all findings in
one tidy table with fixed columns (:data:`FINDING_COLUMNS`); a rule that cannot run (a column or
sheet missing, or disabled by the bank's policy) is listed in ``not_run`` with the reason, never
passed silently. The report carries its provenance: check date, policy, extract fingerprint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from os import PathLike
from typing import Any

import pandas as pd

from postloan_audit.compliance.evaluation import (  # noqa: F401  (re-exported)
    CATALOGUE_COLUMNS,
    ENGINES,
    FINDING_COLUMNS,
    NOT_RUN_COLUMNS,
    CheckReport,
    _assemble,
    _empty_findings,
    _frame_fingerprint,
    _select_rules,
    evaluate_rules,
    prepare_run,
    profile_of,
    unpack_data,
)
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules import CATALOGUE, CheckContext
from postloan_audit.core.citations import render_citation
from postloan_audit.core.extract import Extract
from postloan_audit.core.workdays import fallback_warning


def list_rules(policy: Policy | None = None) -> pd.DataFrame:
    """The catalogue as a table: ``rule_id``, titles, severity, citation, parameters, needs.

    ``parameters`` shows each policy key with its value under ``policy`` (defaults if None);
    ``citation`` reads with the policy's source titles (``[sources]``).
    """
    policy = policy or Policy.default()
    titles = policy.source_titles()
    records = []
    for rule in CATALOGUE.values():
        records.append({
            "rule_id": rule.id,
            "title_zh": rule.title_zh,
            "title_en": rule.title_en,
            "severity": str(rule.severity),
            "citation": render_citation(rule.citation, titles),
            "parameters": "; ".join(f"{k}={_fmt_value(policy.value(k))}" for k in rule.params),
            "needs": "; ".join(rule.needs),
        })
    return pd.DataFrame.from_records(records, columns=CATALOGUE_COLUMNS).astype("str")


def _fmt_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_checks(data: Extract | pd.DataFrame, *, as_of: dt.date | str | None,
               policy: Policy | str | PathLike | None = None,
               rules: Iterable[str] | str | None = None, engine: str = "pandas",
               client: Any = None) -> CheckReport:
    """Run the rule catalogue over an extract (执行合规检查).

    Parameters
    ----------
    data:
        An :class:`~postloan_audit.core.extract.Extract` (its ``inspections`` and ``collections``
        sheets are used when present), a canonical loans DataFrame, or the directory of a
        Parquet store written by ``postloan-audit convert``.
    as_of:
        The check date D (a date or ``'YYYY-MM-DD'``); None takes the extract's date.
    policy:
        A :class:`~postloan_audit.compliance.policy.Policy`, a path to a TOML policy file, or None for
        the defaults.
    rules:
        Rule ids to run (a list or a comma-separated string); default all, in catalogue order.
    engine:
        ``"pandas"`` (the default): in memory, in this process. ``"dask"``: the same catalogue
        on each partition of a Dask DataFrame partitioned by a borrower hash, loans and their
        sheets co-partitioned (:mod:`~postloan_audit.compliance.distributed`); the findings
        are identical. For a book larger than one machine's memory, give a Parquet store
        directory that every worker can read.
    client:
        With ``engine="dask"``: a ``dask.distributed.Client`` to run on (None: Dask's local
        threaded scheduler).

    Returns
    -------
    CheckReport
        Findings, rules not run (and why), summaries and provenance.

    Raises
    ------
    ValueError
        An unknown rule id, an invalid date or an unknown engine.
    PolicyError
        An invalid policy file.
    """
    if engine not in ENGINES:
        raise ValueError(f"未知计算引擎:{engine!r},可用:{', '.join(ENGINES)} / unknown engine "
                         f"{engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "dask":
        from postloan_audit.compliance import distributed
        return distributed.run_checks_dask(data, as_of=as_of, policy=policy, rules=rules,
                                           client=client)
    if isinstance(data, str | PathLike):
        from postloan_audit.ingest.parquet_store import read_parquet_store
        data = read_parquet_store(data)
    loans, sheets, fingerprint, source_name, data_as_of = unpack_data(data)
    profile = profile_of(data)
    if as_of is None:
        as_of = data_as_of
    day, pol, selected = prepare_run(as_of, policy, rules)
    ctx = CheckContext(loans, as_of=day, policy=pol, **sheets)

    parts, ran, not_run = evaluate_rules(ctx, selected, pol)
    findings = _assemble(loans, parts, pol)
    warnings = list(ctx.notes)
    if ctx.uncovered_years:
        warnings.insert(0, fallback_warning(sorted(ctx.uncovered_years)))
    return CheckReport(
        findings=findings,
        not_run=pd.DataFrame(not_run, columns=NOT_RUN_COLUMNS).astype("str"),
        as_of=day, policy=pol, fingerprint=fingerprint, source_name=source_name,
        rules_run=tuple(ran), warnings=tuple(warnings), loans_checked=len(loans), **profile,
    )


