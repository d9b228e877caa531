"""Export-profile values (导出配置的取值与派生列): what a bank's profile adds to its columns.

An :class:`~postloan_audit.ingest.profile.ExportProfile` (``docs/export-profiles.md``) can
declare units for headers that carry none (:func:`profile_units`), map the bank's own values
onto the canonical ones (``[values]``), and build columns from others (``[derive]``):
``copy``, ``nonblank``, ``negative_of`` and ``days_since``. :func:`derivation_sources` finds
each derivation's source column (or refuses the file naming it), :func:`apply_profile` applies
values and derivations to a sheet's text, and :func:`finish_days_since` turns ``days_since``
dates into days once the extract date is known (:class:`DaysSince` carries them there).
Without a profile every function here leaves the sheet as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.ingest import parsing
from postloan_audit.ingest import profile as profiles
from postloan_audit.ingest.profile import ExportProfile
from postloan_audit.ingest.sheets import RawSheet
from postloan_audit.ingest.tally import Tally


@dataclass
class DaysSince:
    """The ``days_since`` targets read as dates, by canonical sheet, waiting for the extract
    date: ``(target, source header)``."""

    targets: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(self, sheet: str, target: str, argument: str) -> None:
        self.targets.setdefault(sheet, []).append((target, argument))


def derivation_sources(profile: ExportProfile | None, sheet: schema.Sheet, headers: list,
                       mapping: dict[str, list[int]], raw: RawSheet, source_name: str
                       ) -> dict[str, tuple[profiles.Derivation, object]]:
    """Each ``[derive.<sheet>]`` target with its source: a canonical column or a position."""
    if profile is None:
        return {}
    out: dict[str, tuple[profiles.Derivation, object]] = {}
    keys = [schema.split_header(h)[0] if str(h).strip() else "" for h in headers]
    for rule in profile.derive.get(sheet.name, ()):
        if rule.form == "copy":
            if rule.argument not in mapping:
                raise ExtractError.from_facts(
                    Problem.MISSING_COLUMNS, "profile_copy", source_name=source_name,
                    sheet=raw.name, is_text=raw.is_text, canonical_sheet=sheet.name,
                    missing=[rule.argument], profile=profile.name, line=rule.line,
                    target=rule.target, argument=rule.argument)
            out[rule.target] = (rule, rule.argument)
            continue
        wanted = schema.split_header(rule.argument)[0]
        if wanted not in keys:
            raise ExtractError.from_facts(
                Problem.MISSING_COLUMNS, "profile_column", source_name=source_name,
                sheet=raw.name, is_text=raw.is_text, canonical_sheet=sheet.name,
                missing=[rule.argument], headers=[str(h) for h in headers],
                profile=profile.name, line=rule.line, target=rule.target,
                argument=rule.argument, form=rule.form)
        out[rule.target] = (rule, keys.index(wanted))
    return out


def profile_units(profile: ExportProfile | None, sheet: schema.Sheet, headers: list,
                  mapping: dict[str, list[int]], units: dict[int, str | None], sheet_name: str,
                  tally: Tally) -> dict[int, str | None]:
    """``[units.<sheet>]`` for the mapped columns whose header carries no unit."""
    if profile is None:
        return units
    out = dict(units)
    for column, unit in profile.units.get(sheet.name, {}).items():
        for position in mapping.get(column, [])[:1]:
            own = units.get(position)
            if own is None:
                out[position] = unit
            elif own != unit:
                tally.note(
                    "warning", sheet_name, None, column, own,
                    f"列「{headers[position]}」的表头单位为{own},导出配置写的是{unit},按表头单位读取"
                    f" / column '{headers[position]}' says {own}, the profile says {unit};"
                    f" the header's unit is used")
    return out


def apply_profile(profile: ExportProfile | None, sheet: schema.Sheet, data: pd.DataFrame,
                  mapping: dict[str, list[int]], derived: dict, sheet_name: str,
                  rows: np.ndarray, tally: Tally, pending: DaysSince
                  ) -> tuple[pd.DataFrame, dict[str, list[int]], dict[str, object]]:
    """Profile values and derivations on the data rows' text.

    Returns the (copied) text, the mapping including ``copy`` derivations, and the
    columns set after parsing (flags, ``negative_of`` and ``days_since`` results).
    """
    after: dict[str, object] = {}
    if profile is None:
        return data, mapping, after
    data = data.copy()
    mapping = dict(mapping)
    for column, positions in mapping.items():
        if column in profile.values and positions[0] in data.columns:
            data[positions[0]] = profile.map_values(column, data[positions[0]])
    for target, (rule, source) in derived.items():
        if target in mapping:
            tally.note(
                "info", sheet_name, None, target, None,
                f"{target} 按导出配置由 {rule.argument} 生成({rule.form}),文件中的同名列未采用"
                f" / {target} is built by the profile ({rule.form} {rule.argument});"
                f" the file's own column is not used")
            del mapping[target]
        if rule.form == "copy":
            mapping[target] = mapping[source][:1]
            continue
        raw = data[source] if source in data.columns else pd.Series(
            np.nan, index=data.index, dtype="str")
        if rule.form == "nonblank":
            after[target] = profiles.nonblank(raw)
            continue
        if rule.form == "days_since":
            values, invalid = parsing.parse_dates(raw)
            label = ("日期", "date")
        else:
            values, invalid = parsing.parse_amounts(raw)
            label = ("数字", "number")
        bad = invalid.to_numpy(dtype=bool)
        for row_no, value in zip(rows[bad], raw[bad].tolist(), strict=True):
            tally.note(
                "warning", sheet_name, int(row_no), rule.argument, value,
                f"无法识别的{label[0]}「{value}」,{target} 按空值处理(导出配置 {rule.form})"
                f" / unparseable {label[1]} '{value}' in {rule.argument}, {target} treated"
                f" as empty (profile {rule.form})")
        values = values.where(~invalid)
        if rule.form == "days_since":
            pending.add(sheet.name, target, rule.argument)
            after[target] = values.to_numpy()
        else:
            after[target] = profiles.negative_of(values).to_numpy()
    return data, mapping, after


def finish_days_since(profile: ExportProfile | None, pending: DaysSince,
                      frames: dict[str, pd.DataFrame | None], as_of: dt.date | None,
                      source_name: str) -> None:
    """Turn the ``days_since`` dates of ``pending`` into whole days to the extract date."""
    for sheet_name, targets in pending.targets.items():
        frame = frames.get(sheet_name)
        if frame is None:
            continue
        for target, argument in targets:
            if as_of is None:
                raise ExtractError.from_facts(Problem.NO_AS_OF, "days_since",
                                              source_name=source_name, profile=profile.name,
                                              target=target, argument=argument)
            frame[target] = profiles.days_since(
                pd.Series(frame[target], dtype="datetime64[ns]"), as_of).to_numpy()
