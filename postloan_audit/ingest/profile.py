"""Export profiles (导出配置): how one bank's export maps onto the extract format, declared once.

No built-in alias list knows every core system's headers (``开户机构``, ``贷款形态``, ``核心余额``,
``最小欠息日``…). A bank writes a small TOML file saying, once, how its export maps to the
canonical columns of ``docs/extract-format.md``; :func:`postloan_audit.load_extract` takes it
(``profile=``) and every command and dashboard passes it on. The format is documented in
``docs/export-profiles.md``:

``[profile]``
    ``name``: shown in messages, workbooks and dashboards.
``[sheets]``
    Extra sheet names per canonical sheet (``loans = ["贷款余额表"]``).
``[headers.<sheet>]``
    Header text as in the file = canonical column. Keys are matched the way the built-in
    aliases are (full/half width, spaces, unit suffixes) and win over them.
``[values.<column>]``
    Value as in the file = canonical value (``"呆滞" = "doubtful"``), before the built-in
    vocabularies, which they override.
``[units.<sheet>]``
    Canonical column = unit of the file (``balance = "万元"``, ``extension_months = "天"``),
    for columns whose header carries no unit.
``[derive.<sheet>]``
    Columns built from others, a closed list of forms: ``copy`` (a canonical column),
    ``days_since`` (days from a file date column to the extract date, 0 when blank or later),
    ``negative_of`` (``max(0, -x)`` of a file number column), ``nonblank`` (true when a file
    column is not blank).

Every table, key and value is checked when the file is read: anything unknown is a
:class:`~postloan_audit.core.errors.ProfileError` naming the key, its line and the allowed
values, in Chinese and English. The loan classification vocabulary is the five tiers (五级分类)
of 《商业银行金融资产风险分类办法》(2023); a four-tier scale (一逾两呆) is for the bank to map (see
``shared/domain.md``, "Real exports, as they were seen").
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.errors import ProfileError
from postloan_audit.core.messages import toml_where
from postloan_audit.ingest.source import file_bytes

#: The tables a profile may hold.
TABLES: tuple[str, ...] = ("profile", "sheets", "headers", "values", "units", "derive")
#: Keys of the ``[profile]`` table.
PROFILE_KEYS: tuple[str, ...] = ("name",)
#: The derive forms (派生列的写法), a closed list.
DERIVE_FORMS: tuple[str, ...] = ("copy", "days_since", "negative_of", "nonblank")
#: The derived flag a ``nonblank`` form may build besides the bool columns.
DERIVED_FLAGS: dict[str, tuple[str, ...]] = {"loans": ("secured",)}
#: Canonical words of the bool columns in ``[values.*]``.
BOOL_VALUES: tuple[str, ...] = ("true", "false")
#: The four-tier scale (一逾两呆: 正常/逾期/呆滞/呆账) used before the five-tier reform; only a
#: profile can say how its words map onto the five tiers.
FOUR_TIER_WORDS: tuple[str, ...] = ("逾期", "呆滞", "呆账")


def _value_vocabulary(column: schema.Column) -> tuple[str, ...] | None:
    """Canonical values a ``[values.<column>]`` table may map to, or None when it has none."""
    if column.kind == "classification":
        return schema.CLASSIFICATIONS
    if column.kind == "guarantee":
        return schema.GUARANTEE_TYPES
    if column.kind == "bool":
        return BOOL_VALUES
    if column.kind.startswith("vocab:"):
        pairs = schema.VOCABULARIES[column.kind.split(":", 1)[1]]
        return tuple(dict.fromkeys(canonical for _, canonical in pairs))
    return None


def _units_for(column: schema.Column) -> tuple[str, ...] | None:
    if column.kind == "amount":
        return tuple(schema.AMOUNT_UNITS)
    # Duration columns take the units their header may carry (converted by the loader as a
    # header unit would be: 展期期限（天） is never read as months).
    return schema.UNITS_BY_COLUMN.get(column.name)


def _value_columns() -> dict[str, schema.Column]:
    out: dict[str, schema.Column] = {}
    for sheet in schema.SHEETS.values():
        for col in sheet.columns:
            if _value_vocabulary(col) is not None:
                out.setdefault(col.name, col)
    return out


@dataclass(frozen=True)
class Derivation:
    """One ``[derive.<sheet>]`` entry: ``target = { form = argument }``."""

    target: str
    form: str
    argument: str
    line: int | None = None


@dataclass(frozen=True)
class ExportProfile:
    """A bank's export profile (导出配置), validated.

    Build it with :meth:`from_toml` or :meth:`from_toml_text`; pass it (or its path) to
    :func:`postloan_audit.load_extract` as ``profile=``.

    Attributes
    ----------
    name:
        The profile's name (``[profile] name``), else the file name.
    sheets:
        Extra sheet names per canonical sheet.
    headers:
        Per canonical sheet: normalised header key → canonical column.
    values:
        Per canonical column: normalised file value → canonical value.
    units:
        Per canonical sheet: canonical column → unit of the file.
    derive:
        Per canonical sheet: the derivations, in file order.
    source:
        The file name the profile was read from.
    text:
        The TOML text as read.
    sha256:
        sha256 of the text (UTF-8), recorded in every extract and workbook made with it.
    raw_headers, raw_values:
        The header and value keys as written in the file (for messages and templates).
    """

    name: str
    sheets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    units: dict[str, dict[str, str]] = field(default_factory=dict)
    derive: dict[str, tuple[Derivation, ...]] = field(default_factory=dict)
    source: str = ""
    text: str = ""
    sha256: str = ""
    raw_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    raw_values: dict[str, dict[str, str]] = field(default_factory=dict)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_toml(cls, path: str | PathLike) -> ExportProfile:
        """Read and validate a profile file.

        Raises
        ------
        ProfileError
            The file cannot be read, is not valid TOML, or holds an unknown table, sheet,
            canonical column, value, unit or derive form.
        """
        p = Path(path)
        try:
            raw = file_bytes(p)
        except OSError as exc:
            raise ProfileError(
                f"无法读取导出配置 {p}:{exc.strerror or exc} / cannot read export profile {p}:"
                f" {exc.strerror or exc}", source=p.name) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ProfileError(
                f"导出配置 {p.name} 不是 UTF-8 编码,请用记事本另存为 UTF-8"
                f" / export profile {p.name} is not UTF-8; save it as UTF-8",
                source=p.name) from None
        return cls.from_toml_text(text, source=p.name)

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "导出配置") -> ExportProfile:
        """A profile from TOML text (e.g. an uploaded file's content); ``source`` names it."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(
                f"导出配置 {source} 不是有效的 TOML{toml_where(exc)},请检查该处的方括号、引号和等号。"
                f" / export profile {source} is not valid TOML: {exc}", source=source) from None
        return _Validator(text, source).build(data)

    @classmethod
    def coerce(cls, profile: ExportProfile | str | PathLike | None) -> ExportProfile | None:
        """Accept a profile, a path to one, or None."""
        if profile is None or isinstance(profile, ExportProfile):
            return profile
        return cls.from_toml(profile)

    # ------------------------------------------------------------------ use by the loader

    def match_header(self, sheet: str, header: object) -> tuple[str | None, str | None]:
        """``(canonical column, unit)`` for a raw header: the profile first, then built-ins."""
        key, unit = schema.split_header(header)
        mapped = self.headers.get(sheet, {}).get(key)
        if mapped is not None:
            return mapped, unit
        return schema.match_header(sheet, header)

    def sheet_for_name(self, sheet_name: str) -> str | None:
        """The canonical sheet a workbook sheet name stands for (profile names first)."""
        key = schema.normalise_text(sheet_name)
        for canonical, names in self.sheets.items():
            if key in {schema.normalise_text(n) for n in names}:
                return canonical
        return schema.sheet_for_name(sheet_name)

    def map_values(self, column: str, raw: pd.Series) -> pd.Series:
        """Replace file values the profile maps for ``column`` by their canonical value."""
        table = self.values.get(column)
        if not table or not raw.notna().any():
            return raw
        from postloan_audit.ingest.parsing import normalise_values

        # On the distinct values (a code column repeats few), broadcast back by position.
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        distinct = pd.Series(uniques, dtype="str")
        mapped = normalise_values(distinct).map(table)
        if not mapped.notna().any():
            return raw
        distinct = distinct.where(mapped.isna(), mapped)
        out = pd.Series(pd.api.extensions.take(distinct.array, codes, allow_fill=True),
                        index=raw.index, dtype="str")
        return out

    def derivable(self, sheet: str, headers: list, found: set) -> set[str]:
        """The ``[derive.<sheet>]`` targets a header row can build (their sources present)."""
        keys = {schema.split_header(h)[0] for h in headers if str(h).strip()}
        out = set()
        for rule in self.derive.get(sheet, ()):
            if (rule.argument in found if rule.form == "copy"
                    else schema.split_header(rule.argument)[0] in keys):
                out.add(rule.target)
        return out

    def describe(self) -> str:
        """``name(sha256 前12位)`` as shown in messages and dashboards."""
        return f"{self.name}(sha256 {self.sha256[:12]})"


def coerce_profile(profile: ExportProfile | str | PathLike | None) -> ExportProfile | None:
    """:meth:`ExportProfile.coerce` as a function (for the loader's ``profile=``)."""
    return ExportProfile.coerce(profile)


# =========================================================================== derivations


def days_since(dates: pd.Series, as_of) -> pd.Series:
    """Whole days from each date to ``as_of``; 0 when blank or on/after ``as_of``."""
    day = pd.Timestamp(as_of).normalize()
    days = (day - dates).dt.days
    return days.where(days > 0, 0).fillna(0).astype("int64")


def negative_of(numbers: pd.Series) -> pd.Series:
    """``max(0, -x)``, blank → 0 (e.g. 剩余天数 −37 → 37 overdue days)."""
    return (-numbers).clip(lower=0).fillna(0).round().astype("int64")


def nonblank(raw: pd.Series) -> pd.Series:
    """True where the cell holds anything but blanks."""
    return raw.astype("str").str.strip().fillna("").ne("").to_numpy(dtype=bool)


def four_tier_lines(found: list[str]) -> str:
    """The ``[values.classification]`` lines a bank must fill in for four-tier words."""
    allowed = "/".join(schema.CLASSIFICATIONS)
    lines = ["[values.classification]"]
    lines += [f'"{word}" = "…"  # {allowed}' for word in found]
    return "\n".join(lines)


# =========================================================================== validation

_TABLE_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY_PART = r"(?:\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_\-]+)"
_KEY_RE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_PART_RE = re.compile(_KEY_PART)


def _split_key(text: str) -> tuple[str, ...]:
    parts = []
    for match in _PART_RE.finditer(text):
        part = match.group(0)
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _locate(text: str) -> dict[tuple[str, ...], int]:
    """1-based line of every table header and key of a TOML text (first occurrence)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_RE.match(line)
        if header and not line.lstrip().startswith("[["):
            table = _split_key(header.group(1))
            lines.setdefault(table, number)
            continue
        key = _KEY_RE.match(line)
        if key:
            lines.setdefault(table + _split_key(key.group(1)), number)
    return lines


def _show_key(path: tuple[str, ...]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_\-]+", p) else f'"{p}"' for p in path)


class _Validator:
    """Checks a parsed profile table by table; the first problem raises."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.lines = _locate(text)

    def line_of(self, path: tuple[str, ...]) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def fail(self, path: tuple[str, ...], zh: str, en: str, allowed=()) -> None:
        line = self.line_of(path)
        where_zh = f"第 {line} 行" if line else "(行号未知)"
        where_en = f"line {line}" if line else "line unknown"
        key = _show_key(path)
        allowed = tuple(allowed)
        allowed_zh = f";可用值:{'、'.join(allowed)}" if allowed else ""
        allowed_en = f"; allowed: {', '.join(allowed)}" if allowed else ""
        raise ProfileError(
            f"导出配置 {self.source} {where_zh},{key}:{zh}{allowed_zh}"
            f" / export profile {self.source}, {where_en}, {key}: {en}{allowed_en}",
            source=self.source, key=key, line=line, allowed=allowed)

    def table(self, data, path: tuple[str, ...]) -> dict:
        if not isinstance(data, dict):
            self.fail(path, f"应为表 [{_show_key(path)}]", f"must be a table [{_show_key(path)}]")
        return data

    def sheet(self, name: str, path: tuple[str, ...]) -> schema.Sheet:
        if name not in schema.SHEETS:
            self.fail(path, f"未知的工作表 {name}", f"unknown sheet {name}", schema.SHEETS)
        return schema.SHEETS[name]

    def string(self, value, path: tuple[str, ...]) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"应为非空文字,实际为 {value!r}",
                      f"must be non-empty text, got {value!r}")
        return value

    # ------------------------------------------------------------------ tables

    def build(self, data: dict) -> ExportProfile:
        for table in data:
            if table not in TABLES:
                self.fail((table,), f"未知的表 [{table}]", f"unknown table [{table}]", TABLES)
        name = self.profile(data.get("profile", {}))
        sheets = self.sheets(data.get("sheets", {}))
        headers, raw_headers = self.headers(data.get("headers", {}))
        values, raw_values = self.values(data.get("values", {}))
        units = self.units(data.get("units", {}))
        derive = self.derive(data.get("derive", {}))
        return ExportProfile(
            name=name or Path(self.source).stem, sheets=sheets, headers=headers, values=values,
            units=units, derive=derive, source=self.source, text=self.text,
            sha256=hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            raw_headers=raw_headers, raw_values=raw_values)

    def profile(self, data) -> str:
        data = self.table(data, ("profile",))
        for key in data:
            if key not in PROFILE_KEYS:
                self.fail(("profile", key), f"未知的键 {key}", f"unknown key {key}", PROFILE_KEYS)
        if "name" in data:
            return self.string(data["name"], ("profile", "name")).strip()
        return ""

    def sheets(self, data) -> dict[str, tuple[str, ...]]:
        data = self.table(data, ("sheets",))
        out = {}
        for sheet, names in data.items():
            path = ("sheets", sheet)
            self.sheet(sheet, path)
            if isinstance(names, str):
                names = [names]
            if not isinstance(names, list) or not all(
                    isinstance(n, str) and n.strip() for n in names):
                self.fail(path, f"应为工作表名称列表(如 [\"贷款余额表\"]),实际为 {names!r}",
                          f"must be a list of sheet names, got {names!r}")
            out[sheet] = tuple(n.strip() for n in names)
        return out

    def headers(self, data):
        data = self.table(data, ("headers",))
        out, raw = {}, {}
        for sheet_name, table in data.items():
            sheet = self.sheet(sheet_name, ("headers", sheet_name))
            table = self.table(table, ("headers", sheet_name))
            mapping, shown = {}, {}
            for header, column in table.items():
                path = ("headers", sheet_name, header)
                key = schema.split_header(header)[0]
                if not key:
                    self.fail(path, "表头文字为空", "empty header text")
                column = self.string(column, path)
                if column not in sheet.column_index:
                    self.fail(path, f"未知的标准列 {column}", f"unknown canonical column {column}",
                              sheet.column_index)
                mapping[key] = column
                shown[header] = column
            out[sheet_name], raw[sheet_name] = mapping, shown
        return out, raw

    def values(self, data):
        data = self.table(data, ("values",))
        columns = _value_columns()
        out, raw = {}, {}
        from postloan_audit.ingest.parsing import normalise_values

        for column, table in data.items():
            path = ("values", column)
            if column not in columns:
                self.fail(path, f"列 {column} 没有可映射的取值", f"column {column} has no value"
                          " vocabulary to map", columns)
            allowed = _value_vocabulary(columns[column])
            table = self.table(table, path)
            shown = {}
            for value, canonical in table.items():
                vpath = (*path, value)
                if isinstance(canonical, bool) and columns[column].kind == "bool":
                    canonical = "true" if canonical else "false"
                canonical = self.string(canonical, vpath)
                if canonical not in allowed:
                    self.fail(vpath, f"未知的标准取值 {canonical}",
                              f"unknown canonical value {canonical}", allowed)
                if not value.strip():
                    self.fail(vpath, "文件取值为空", "empty file value")
                shown[value] = canonical
            keys = normalise_values(pd.Series(list(shown), dtype="str")).tolist()
            out[column] = dict(zip(keys, shown.values(), strict=True))
            raw[column] = shown
        return out, raw

    def units(self, data):
        data = self.table(data, ("units",))
        out = {}
        for sheet_name, table in data.items():
            sheet = self.sheet(sheet_name, ("units", sheet_name))
            table = self.table(table, ("units", sheet_name))
            unit_columns = [c.name for c in sheet.columns if _units_for(c)]
            mapping = {}
            for column, unit in table.items():
                path = ("units", sheet_name, column)
                if column not in sheet.column_index or not _units_for(sheet.column_index[column]):
                    self.fail(path, f"列 {column} 不能指定单位", f"column {column} takes no unit",
                              unit_columns)
                allowed = _units_for(sheet.column_index[column])
                unit = self.string(unit, path)
                if unit not in allowed:
                    self.fail(path, f"未知的单位 {unit}", f"unknown unit {unit}", allowed)
                mapping[column] = unit
            out[sheet_name] = mapping
        return out

    def derive(self, data):
        data = self.table(data, ("derive",))
        out = {}
        for sheet_name, table in data.items():
            sheet = self.sheet(sheet_name, ("derive", sheet_name))
            table = self.table(table, ("derive", sheet_name))
            flags = DERIVED_FLAGS.get(sheet_name, ())
            targets = (*sheet.column_index, *flags)
            entries = []
            for target, spec in table.items():
                path = ("derive", sheet_name, target)
                if target not in targets:
                    self.fail(path, f"未知的派生列 {target}", f"unknown derived column {target}",
                              targets)
                if not isinstance(spec, dict) or len(spec) != 1:
                    self.fail(path, f"应写成 {{ 写法 = \"列\" }} 且只有一种写法,实际为 {spec!r}",
                              f"must be {{ form = \"column\" }} with one form, got {spec!r}",
                              DERIVE_FORMS)
                (form, argument), = spec.items()
                fpath = (*path, form)
                if form not in DERIVE_FORMS:
                    self.fail(path, f"未知的派生写法 {form}", f"unknown derive form {form}",
                              DERIVE_FORMS)
                argument = self.string(argument, path)
                self.check_form(sheet, target, form, argument, path, flags)
                entries.append(Derivation(target, form, argument, self.line_of(fpath)))
            out[sheet_name] = tuple(entries)
        return out

    def check_form(self, sheet, target, form, argument, path, flags) -> None:
        column = sheet.column_index.get(target)
        if form == "copy":
            if argument not in sheet.column_index:
                self.fail(path, f"copy 的来源应为标准列,{argument} 不是",
                          f"copy takes a canonical column, {argument} is not one",
                          sheet.column_index)
            if argument == target:
                self.fail(path, "copy 的来源不能是它自己", "copy cannot copy a column onto itself")
            return
        if form in ("days_since", "negative_of"):
            allowed = [c.name for c in sheet.columns if c.kind == "int"]
            if column is None or column.kind != "int":
                self.fail(path, f"{form} 只能生成整数列,{target} 不是",
                          f"{form} builds a whole-number column, {target} is not one", allowed)
            return
        allowed = [*flags, *(c.name for c in sheet.columns if c.kind == "bool")]
        if target not in allowed:
            self.fail(path, f"nonblank 只能生成是否标志列,{target} 不是",
                      f"nonblank builds a yes/no column, {target} is not one", allowed)


def is_four_tier(values: pd.Series) -> pd.Series:
    """True where a classification cell holds a four-tier word (逾期/呆滞/呆账)."""
    from postloan_audit.ingest.parsing import normalise_values

    return normalise_values(values.astype("str")).isin(FOUR_TIER_WORDS).fillna(False)


__all__ = ["DERIVE_FORMS", "Derivation", "ExportProfile", "TABLES", "coerce_profile",
           "days_since", "four_tier_lines", "is_four_tier",
           "negative_of", "nonblank"]
