"""Reading loan-ledger extracts (贷款台账) as banks export them.

This is the only module that touches source files, python-calamine and CSV decoding. It turns
an ``.xlsx``/``.xlsm``/``.xls`` workbook or a ``.csv`` file (UTF-8, UTF-8 with BOM, GBK /
GB18030) into an :class:`~postloan_audit.core.extract.Extract` in the canonical format of
``docs/extract-format.md``, and it never loses a row: every data row is kept, rejected (with
its spreadsheet row number and the reason) or set aside as a summary row (合计/总计/小计), and
``Extract.accounting`` proves it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.core.errors import ExtractError
from postloan_audit.core.extract import (
    ACCOUNTING_COLUMNS,
    ISSUE_COLUMNS,
    REJECTED_COLUMNS,
    Extract,
)
from postloan_audit.ingest import parsing
from postloan_audit.ingest.parquet_store import is_parquet_store, read_parquet_store

Source = str | os.PathLike | bytes | bytearray | IO[bytes]

#: How many rows at the top of a sheet are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: Bytes of a non-UTF-8 CSV given to charset-normalizer to guess the encoding.
ENCODING_SAMPLE_BYTES = 256 * 1024
_CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "cp936", "hz", "big5", "big5hkscs", "cp950"}
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TITLE_DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_COMPACT_TITLE_DATE_RE = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")


@dataclass
class RawSheet:
    """A sheet as read: every cell as text (NaN when empty), in spreadsheet order."""

    name: str
    cells: pd.DataFrame  # columns 0..n-1, one row per spreadsheet row from row 1
    first_row: int = 1  # spreadsheet row number of cells' first row


# =========================================================================== entry point


def load_extract(source: Source, *, filename: str | None = None, as_of=None) -> Extract:
    """Load a loan-ledger extract into canonical form.

    Parameters
    ----------
    source:
        A path, ``bytes``, or a binary file-like object (e.g. a browser upload); or the
        directory of a Parquet store written by ``postloan-audit convert``
        (:mod:`~postloan_audit.ingest.parquet_store`), read back exactly as it was loaded.
    filename:
        The file name, used to tell the type (``.xlsx``/``.xlsm``/``.xls``/``.csv``) and in
        messages. Defaults to the path's name.
    as_of:
        The extract date. When None, a date in a title row ("截至2026年9月30日") or in the file
        name is used, else ``Extract.as_of`` is None.

    Returns
    -------
    Extract
        See :class:`~postloan_audit.core.extract.Extract`.

    Raises
    ------
    ExtractError
        When the file as a whole cannot be used: empty, unreadable or of the wrong type, no
        loans sheet, required columns missing, no data rows. The message is in Chinese and
        English and names the file, the sheet and what was found.
    """
    if isinstance(source, str | os.PathLike) and is_parquet_store(source):
        return read_parquet_store(source)  # written by postloan-audit convert
    data, name = _read_bytes(source, filename)
    if not data.strip():
        raise ExtractError(
            f"文件 {name} 是空文件,没有任何内容。请重新从信贷系统导出贷款台账。"
            f" / The file {name} is empty. Please export the loan ledger again.",
            source_name=name, problem="empty",
        )
    kind = _detect_kind(data, name)
    issues: list[dict] = []
    if kind == "csv":
        raw_sheets = [_read_csv(data, name, issues)]
        sheet_map = {"loans": raw_sheets[0]}
    else:
        raw_sheets = _read_workbook(data, name, kind)
        sheet_map = _assign_sheets(raw_sheets, name, issues)

    builder = _Builder(name, issues)
    frames: dict[str, pd.DataFrame | None] = {}
    title_texts: list[str] = []
    for sheet_name in schema.SHEETS:
        raw = sheet_map.get(sheet_name)
        if raw is None:
            frames[sheet_name] = None
            continue
        frame, titles = builder.canonicalise(schema.SHEETS[sheet_name], raw)
        frames[sheet_name] = frame
        title_texts.extend(titles)
    _cross_check(frames, builder, {k: v.name for k, v in sheet_map.items()})

    return Extract(
        loans=frames["loans"],
        inspections=frames["inspections"],
        collections=frames["collections"],
        branches=frames["branches"],
        rejected=builder.rejected_frame(),
        issues=builder.issues_frame(),
        accounting=pd.DataFrame(builder.accounting, columns=ACCOUNTING_COLUMNS),
        fingerprint=hashlib.sha256(data).hexdigest(),
        source_name=name,
        as_of=_resolve_as_of(as_of, title_texts, name),
    )


# =========================================================================== bytes and type


def _read_bytes(source: Source, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename or "上传文件"
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data), filename or Path(getattr(source, "name", "上传文件")).name
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractError(
            f"找不到文件 {path}。请检查路径。 / File not found: {path}.",
            source_name=str(path), problem="unreadable",
        ) from None
    except OSError as exc:
        raise ExtractError(
            f"无法读取文件 {path}:{exc.strerror}。 / Cannot read file {path}: {exc.strerror}.",
            source_name=str(path), problem="unreadable",
        ) from None
    return data, filename or path.name


def _detect_kind(data: bytes, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"
    if data.startswith(_XLS_MAGIC):
        return "xls"
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        raise ExtractError(
            f"文件 {name} 的扩展名是 {suffix},但内容不是 Excel 工作簿(可能已损坏或只是改了扩展名)。"
            f"请在 Excel 中打开后另存为 .xlsx,或直接上传 CSV。"
            f" / {name} has the extension {suffix} but is not an Excel workbook (damaged, or"
            f" renamed). Open it in Excel and save as .xlsx, or upload a CSV.",
            source_name=name, problem="unreadable",
        )
    if suffix in {".csv", ".txt", ""}:
        return "csv"
    if b"\x00" in data[:4096]:
        raise ExtractError(
            f"文件 {name} 不是支持的格式(支持 .xlsx、.xlsm、.xls、.csv)。"
            f" / {name} is not a supported file type (.xlsx, .xlsm, .xls, .csv).",
            source_name=name, problem="unreadable",
        )
    return "csv"


# =========================================================================== CSV


def _decode(data: bytes, name: str, issues: list[dict]) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    sample = data[:ENCODING_SAMPLE_BYTES]
    if len(data) > ENCODING_SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]
    best = from_bytes(sample).best()
    guess = (best.encoding if best is not None else "gb18030").lower().replace("-", "_")
    # GBK and GB2312 are subsets of GB18030: decode with the superset.
    encoding = "gb18030" if guess.replace("_", "") in _CHINESE_ENCODINGS | {"gb18030"} else guess
    for candidate in dict.fromkeys([encoding, "gb18030"]):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        issues.append(_issue("info", None, None, None, None,
                             f"CSV 编码识别为 {candidate} / CSV decoded as {candidate}"))
        return text
    raise ExtractError(
        f"无法识别文件 {name} 的字符编码(已尝试 UTF-8、GB18030 与 {encoding})。"
        f"请另存为 UTF-8 或 GBK 编码的 CSV。 / Cannot decode {name} (tried UTF-8, GB18030 and"
        f" {encoding}). Save it as a UTF-8 or GBK CSV.",
        source_name=name, problem="unreadable",
    )


def _read_csv(data: bytes, name: str, issues: list[dict]) -> RawSheet:
    text = _decode(data, name, issues)
    if not text.strip():
        raise ExtractError(
            f"文件 {name} 是空文件,没有任何内容。 / The file {name} is empty.",
            source_name=name, problem="empty",
        )
    head_lines = text[: _line_offset(text, HEADER_SEARCH_ROWS)].splitlines()
    try:
        dialect = csv.Sniffer().sniff("\n".join(head_lines[:10]), delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    head = list(csv.reader(head_lines, delimiter=delimiter))
    header_idx = _find_header_row(head, ("loans",))
    if header_idx is None:
        header_idx = 0
    header = head[header_idx] if head else []
    ncols = max(len(header), 1)
    body_start = _line_offset(text, header_idx + 1)
    body = text[body_start:]
    cells = _parse_csv_body(body, delimiter, ncols)
    top = pd.DataFrame(
        [(r + [""] * ncols)[:ncols] if len(r) <= ncols else r for r in head[: header_idx + 1]]
    )
    top = top.reindex(columns=range(max(ncols, top.shape[1] if len(top) else 0)))
    if cells.shape[1] > top.shape[1]:
        top = top.reindex(columns=cells.columns)
    elif cells.shape[1] < top.shape[1]:
        cells = cells.reindex(columns=top.columns)
    # Cells stay as read; canonicalise() cleans only the columns it maps (see _as_text).
    grid = pd.concat([parsing.clean_text_frame(top), cells], ignore_index=True)
    return RawSheet(name="loans", cells=grid)


def _line_offset(text: str, line_number: int) -> int:
    """Character offset of the start of line ``line_number`` (0-based)."""
    offset = 0
    for _ in range(line_number):
        nxt = text.find("\n", offset)
        if nxt < 0:
            return len(text)
        offset = nxt + 1
    return offset


def _parse_csv_body(body: str, delimiter: str, ncols: int) -> pd.DataFrame:
    """Parse the rows below the header as text, one DataFrame row per line."""
    if not body.strip():
        return pd.DataFrame(columns=range(ncols), dtype="str")
    names = list(range(ncols))
    try:
        # Fast path: pyarrow's reader. It skips blank lines, which would shift spreadsheet row
        # numbers, so it is used only for bodies without them.
        trimmed = body.rstrip()
        if "\n\n" in trimmed or "\n\r\n" in trimmed or body[:1] in ("\n", "\r"):
            raise ValueError("blank lines")
        frame = pd.read_csv(
            io.BytesIO(body.encode("utf-8")), header=None, names=names, dtype="str",
            sep=delimiter, engine="pyarrow", keep_default_na=False, na_values=[""],
        )
        return frame
    except Exception:  # noqa: BLE001 - any failure of the fast path falls back to the exact one
        pass
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    width = max([ncols, *[len(r) for r in rows]])
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")
    return frame


# =========================================================================== workbooks


def _read_workbook(data: bytes, name: str, kind: str) -> list[RawSheet]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            sheets.append((sheet_name, rows))
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise ExtractError(
            f"无法打开 Excel 文件 {name}(文件可能已损坏、加密或不是 Excel 格式):{exc}。"
            f"请在 Excel 中打开并另存为 .xlsx 后重试。"
            f" / Cannot open the workbook {name} (damaged, encrypted or not Excel): {exc}."
            f" Open it in Excel, save as .xlsx and try again.",
            source_name=name, problem="unreadable",
        ) from None
    out = []
    for sheet_name, rows in sheets:
        if rows:
            # Cells stay Python objects here; only the columns the loader maps are turned
            # into text (see _as_text), which matters for wide sheets.
            frame = pd.DataFrame(rows, dtype=object)
        else:
            frame = pd.DataFrame(dtype="str")
        out.append(RawSheet(name=sheet_name, cells=frame))
    return out


def _as_text(column: pd.Series) -> pd.Series:
    """One sheet column → clean text; empty cells → NaN. Dates keep ISO text."""
    return parsing.clean_text(column)


def _assign_sheets(raw_sheets: list[RawSheet], name: str, issues: list[dict]) -> dict:
    """Decide which workbook sheet is loans, inspections, collections, branches."""
    assigned: dict[str, RawSheet] = {}
    by_columns: list[RawSheet] = []
    for raw in raw_sheets:
        canonical = schema.sheet_for_name(raw.name)
        if canonical is None or canonical in assigned:
            by_columns.append(raw)
        else:
            assigned[canonical] = raw
    for raw in by_columns:
        head = raw.cells.head(HEADER_SEARCH_ROWS).fillna("").to_numpy().tolist()
        best, best_score = None, 0
        for sheet_name, sheet in schema.SHEETS.items():
            idx = _find_header_row(head, (sheet_name,))
            if idx is None:
                continue
            found = {schema.match_header(sheet_name, h)[0] for h in head[idx]}
            if set(sheet.required) <= found and len(found) > best_score:
                best, best_score = sheet_name, len(found)
        if best is not None and best not in assigned:
            assigned[best] = raw
        elif raw.cells.notna().to_numpy().any():
            issues.append(_issue(
                "warning", raw.name, None, None, None,
                f"工作表「{raw.name}」未被识别为贷款台账、贷后检查记录、催收记录或机构表,未读取"
                f" / sheet '{raw.name}' was not recognised as loans, inspections, collections or"
                f" branches and was not read",
            ))
    if "loans" not in assigned:
        found = "; ".join(
            f"「{r.name}」: " + ", ".join(_header_preview(r)) for r in raw_sheets
        ) or "(无工作表 / no sheets)"
        raise ExtractError(
            f"文件 {name} 中找不到贷款台账工作表。工作表应命名为「贷款台账」「借据明细」或 loans,"
            f"或至少包含必填列 {_required_list('loans')}。找到的工作表及表头:{found}"
            f" / No loans sheet in {name}: name it 贷款台账, 借据明细 or loans, or give it the"
            f" required columns. Sheets and headers found: {found}",
            source_name=name, problem="no_loans_sheet",
        )
    return assigned


def _header_preview(raw: RawSheet) -> list[str]:
    head = raw.cells.head(HEADER_SEARCH_ROWS).fillna("").to_numpy().tolist()
    idx = _find_header_row(head, tuple(schema.SHEETS)) or 0
    return [str(h) for h in (head[idx] if head else []) if str(h)][:20]


def _required_list(sheet: str) -> str:
    sheet_def = schema.SHEETS[sheet]
    return "、".join(f"{sheet_def.column_index[c].zh}({c})" for c in sheet_def.required)


# =========================================================================== header


def _find_header_row(rows: list[list], sheets: tuple[str, ...]) -> int | None:
    """Index of the row with the most recognised headers (at least two), or None."""
    best_idx, best = None, 1
    for idx, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for sheet in sheets:
            matched = {schema.match_header(sheet, cell)[0] for cell in row if str(cell).strip()}
            matched.discard(None)
            if len(matched) > best:
                best_idx, best = idx, len(matched)
    return best_idx


# =========================================================================== canonical form


class _Builder:
    """Accumulates rejected rows, issues and accounting while sheets are canonicalised."""

    def __init__(self, source_name: str, issues: list[dict]) -> None:
        self.source_name = source_name
        self.issues = issues
        self.rejected: list[pd.DataFrame] = []
        self.accounting: list[dict] = []

    # ------------------------------------------------------------------ outputs

    def rejected_frame(self) -> pd.DataFrame:
        if not self.rejected:
            return pd.DataFrame({c: pd.Series(dtype="str") for c in REJECTED_COLUMNS}).astype(
                {"row": "int64"})
        out = pd.concat(self.rejected, ignore_index=True)
        return out.sort_values(["sheet", "row"], kind="stable").reset_index(drop=True)

    def issues_frame(self) -> pd.DataFrame:
        frames = [pd.DataFrame(self.issues, columns=ISSUE_COLUMNS)]
        for rej in self.rejected:
            frames.append(pd.DataFrame({
                "severity": "error", "sheet": rej["sheet"], "row": rej["row"],
                "column": rej["column"], "value": rej["value"],
                "message": "该行已拒绝:" + rej["reason"],
            }))
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=ISSUE_COLUMNS)
        out = pd.concat(frames, ignore_index=True)
        out["row"] = out["row"].astype("Int64")
        return out

    # ------------------------------------------------------------------ the work

    def canonicalise(self, sheet: schema.Sheet, raw: RawSheet) -> tuple[pd.DataFrame, list[str]]:
        cells = raw.cells
        head = cells.head(HEADER_SEARCH_ROWS).fillna("").to_numpy().tolist()
        header_idx = _find_header_row(head, (sheet.name,))
        if header_idx is None:
            header_idx = 0
        headers = head[header_idx] if head else []
        titles = [" ".join(str(c) for c in row if str(c)) for row in head[:header_idx]]
        where = self._where(raw)

        mapping, units = self._map_headers(sheet, headers, raw.name, raw.first_row + header_idx)
        missing = [c for c in sheet.required if c not in mapping]
        if missing:
            self._raise_missing(sheet, raw, headers, missing, where)

        body = cells.iloc[header_idx + 1:].reset_index(drop=True)
        rows = np.arange(len(body), dtype="int64") + raw.first_row + header_idx + 1
        used = sorted({0, *(p for positions in mapping.values() for p in positions)}
                      & set(body.columns))
        text = pd.DataFrame({p: _as_text(body[p]) for p in used}, index=body.index)
        blank = _blank_rows(body)
        summary = self._summary_mask(text, mapping) & ~blank
        data_mask = ~blank & ~summary
        if not data_mask.any():
            raise ExtractError(
                f"{where}只有表头,没有数据行(表头在第 {raw.first_row + header_idx} 行)。"
                f"请确认导出时选择了数据范围。 / {self._where_en(raw)} has a header row (row"
                f" {raw.first_row + header_idx}) but no data rows.",
                source_name=self.source_name, sheet=raw.name, problem="no_data_rows",
            )
        for row_no in rows[summary]:
            self.issues.append(_issue("info", raw.name, int(row_no), None, None,
                                      "合计/小计行,已单独列出,未作为贷款读取"
                                      " / summary row set aside, not read as a loan"))
        if blank.any():
            self.issues.append(_issue(
                "info", raw.name, None, None, None,
                f"跳过空行 {int(blank.sum())} 行 / skipped {int(blank.sum())} blank rows: "
                + ", ".join(str(r) for r in rows[blank][:20])
                + (" …" if blank.sum() > 20 else ""),
            ))

        data = _select_rows(text, data_mask)
        rows = rows[data_mask]
        frame, problems = self._parse_columns(sheet, data, mapping, units, raw.name, rows)
        reject = self._row_rules(sheet, frame, problems, raw.name, rows)
        rejected_rows = np.zeros(len(frame), dtype=bool)
        if reject:
            rej = pd.concat(reject, ignore_index=True)
            self.rejected.append(rej)
            rejected_rows = np.isin(rows, rej["row"].to_numpy())
        frame["source_row"] = rows
        kept = _select_rows(frame, ~rejected_rows)
        self.accounting.append({
            "sheet": sheet.name, "source_sheet": raw.name,
            "rows_read": int(len(body) - blank.sum()), "kept": int(len(kept)),
            "rejected": int(rejected_rows.sum()), "summary_rows": int(summary.sum()),
            "blank_rows": int(blank.sum()),
        })
        return kept, titles

    def _where(self, raw: RawSheet) -> str:
        if raw.name == "loans" and self.source_name.lower().endswith((".csv", ".txt")):
            return f"文件 {self.source_name} "
        return f"文件 {self.source_name} 的工作表「{raw.name}」"

    def _where_en(self, raw: RawSheet) -> str:
        if raw.name == "loans" and self.source_name.lower().endswith((".csv", ".txt")):
            return f"file {self.source_name}"
        return f"sheet '{raw.name}' of {self.source_name}"

    def _map_headers(self, sheet: schema.Sheet, headers: list, sheet_name: str, header_row: int):
        mapping: dict[str, list[int]] = {}
        units: dict[int, str | None] = {}
        for j, header in enumerate(headers):
            if not str(header).strip():
                continue
            canonical, unit = schema.match_header(sheet.name, header)
            if canonical is None:
                self.issues.append(_issue("info", sheet_name, header_row, str(header), None,
                                          f"未识别的列「{header}」,已忽略"
                                          f" / unrecognised column '{header}' ignored"))
                continue
            units[j] = unit
            mapping.setdefault(canonical, []).append(j)
        for canonical, positions in mapping.items():
            if len(positions) > 1 and canonical != "overdue_days":
                used, *ignored = positions
                names = "、".join(f"「{headers[p]}」" for p in ignored)
                self.issues.append(_issue(
                    "warning", sheet_name, header_row, canonical, None,
                    f"列 {names} 与「{headers[used]}」都对应 {canonical},采用「{headers[used]}」"
                    f" / several columns map to {canonical}; the first one is used"))
        return mapping, units

    def _raise_missing(self, sheet, raw, headers, missing, where):
        found = "、".join(f"「{h}」" for h in headers if str(h).strip()) or "(无 / none)"
        wanted = ";".join(
            f"{sheet.column_index[c].zh}({c}),可用列名 / accepted: "
            + "、".join(schema.accepted_headers(sheet.name, c))
            for c in missing
        )
        raise ExtractError(
            f"{where}缺少必填列:{wanted}。读到的表头:{found}。请在导出模板中加上这些列,或把列名改为可识别的名称。"
            f" / {self._where_en(raw)} is missing required column(s)"
            f" {', '.join(missing)}. Headers found: {found}.",
            source_name=self.source_name, sheet=raw.name, problem="missing_columns",
            details={"missing": missing, "headers": [str(h) for h in headers]},
        )

    @staticmethod
    def _summary_mask(body: pd.DataFrame, mapping: dict[str, list[int]]) -> np.ndarray:
        """Rows whose first column or an id/name/branch cell says 合计/总计/小计."""
        positions = {0}
        for col in ("loan_id", "borrower_id", "borrower_name", "branch"):
            positions.update(mapping.get(col, [])[:1])
        mask = np.zeros(len(body), dtype=bool)
        pattern = "^\\s*(?:" + "|".join(r"\s*".join(w) for w in schema.SUMMARY_WORDS) + ")"
        for pos in sorted(positions):
            if pos >= body.shape[1]:
                continue
            column = body[pos]
            # A plain substring test first: the regex then only sees the few candidate cells.
            candidate = column.str.contains("计", regex=False).fillna(False).to_numpy(dtype=bool)
            if candidate.any():
                hit = column[candidate].str.contains(pattern, regex=True).fillna(False)
                mask[candidate] |= hit.to_numpy(dtype=bool)
        return mask

    def _parse_columns(self, sheet, data, mapping, units, sheet_name, rows):
        """Parse every mapped column; return the canonical frame and the problem masks."""
        out: dict[str, pd.Series] = {}
        problems: dict[str, tuple[pd.Series, pd.Series]] = {}  # column -> (invalid, raw)
        for col in sheet.columns:
            if col.name not in mapping:
                continue
            positions = mapping[col.name]
            raw = data[positions[0]] if positions[0] in data.columns else pd.Series(
                np.nan, index=data.index, dtype="str")
            kind = col.kind
            if kind in ("id",):
                values, invalid = parsing.parse_ids(raw), pd.Series(False, index=raw.index)
            elif kind == "text":
                values, invalid = raw, pd.Series(False, index=raw.index)
            elif kind == "amount":
                factor = schema.AMOUNT_UNITS.get(units.get(positions[0]) or "元", 1.0)
                values, invalid = parsing.parse_amounts(raw, factor)
                if factor != 1.0:
                    self.issues.append(_issue(
                        "info", sheet_name, None, col.name, units.get(positions[0]),
                        f"列 {col.zh} 的单位为{units.get(positions[0])},已换算为元"
                        f" / {col.name} converted from {units.get(positions[0])} to yuan"))
            elif kind == "date":
                values, invalid = parsing.parse_dates(raw)
            elif kind == "int":
                values, invalid = parsing.parse_ints(raw)
                for extra in positions[1:]:  # 逾期天数 vs 欠息天数: the larger counts
                    other, other_invalid = parsing.parse_ints(data[extra])
                    values = np.maximum(values, other)
                    invalid = invalid | other_invalid
                    raw = raw.where(~other_invalid, data[extra])
            elif kind == "bool":
                values, invalid = parsing.parse_bools(raw)
            elif kind == "classification":
                values, invalid = parsing.parse_classification(raw)
            elif kind == "guarantee":
                values, invalid, secured = parsing.parse_guarantee(raw)
                out[col.name] = values
                out["secured"] = secured
                problems[col.name] = (invalid, raw)
                continue
            elif kind.startswith("vocab:"):
                values, invalid = parsing.parse_vocabulary(raw, kind.split(":", 1)[1])
            else:  # pragma: no cover - schema and parser kinds are declared together
                raise AssertionError(f"unknown column kind {kind}")
            out[col.name] = values
            problems[col.name] = (invalid, raw)
        frame = pd.DataFrame(out)
        for name, (invalid, raw) in problems.items():
            col = sheet.column_index[name]
            if col.required or not invalid.any():
                continue
            bad = invalid.to_numpy(dtype=bool)
            label = _KIND_LABEL.get(col.kind.split(":")[0], ("值", "value"))
            for row_no, value in zip(rows[bad], raw[bad].tolist(), strict=True):
                self.issues.append(_issue(
                    "warning", sheet_name, int(row_no), name, value,
                    f"无法识别的{label[0]}「{value}」,按空值处理(列 {col.zh})"
                    f" / unparseable {label[1]} '{value}' in {name}, treated as empty"))
        return frame, problems

    def _row_rules(self, sheet, frame, problems, sheet_name, rows) -> list[pd.DataFrame]:
        """Rows that cannot be kept: required values missing or unparseable, and sheet rules."""
        out: list[pd.DataFrame] = []

        def reject(mask, column, values, reason):
            mask = np.asarray(mask, dtype=bool)
            if not mask.any():
                return
            vals = pd.Series(values).reset_index(drop=True)[mask]
            out.append(pd.DataFrame({
                "sheet": sheet_name, "row": rows[mask], "column": column,
                "value": vals.astype("str").fillna("").to_numpy(),
                "reason": reason if isinstance(reason, str) else np.asarray(reason)[mask],
            }))

        for name in sheet.required:
            col = sheet.column_index[name]
            invalid, raw = problems[name]
            missing = raw.isna().to_numpy()
            reject(missing, name, raw,
                   f"必填值缺失:{col.zh} / required value missing: {name}")
            label = _KIND_LABEL.get(col.kind.split(":")[0], ("值", "value"))
            bad = invalid.to_numpy() & ~missing
            if not bad.any():
                continue
            shown = raw.astype("str").fillna("")
            reject(bad, name, raw,
                   (f"无法识别的{label[0]}「" + shown + f"」(列 {col.zh}){_HINTS.get(col.kind, '')}"
                    f" / unparseable {label[1]} '" + shown + f"' in {name}").to_numpy())
        if sheet.name == "loans":
            balance = frame["balance"]
            reject((balance < 0).to_numpy(), "balance", problems["balance"][1],
                   "贷款余额为负数 / negative balance")
            if "maturity_date" in frame and "disbursement_date" in frame:
                before = (frame["maturity_date"] < frame["disbursement_date"]).to_numpy()
                reject(before, "maturity_date", frame["maturity_date"].dt.strftime("%Y-%m-%d"),
                       "到期日早于发放日 / maturity date before disbursement date")
            ids = frame["loan_id"]
            dup = ids.duplicated(keep="first") & ids.notna()
            if dup.any():
                first_row = pd.Series(rows).groupby(ids.to_numpy(), sort=False).transform("first")
                reason = ("借据号重复,与第 " + first_row.astype("str") + " 行相同"
                          " / duplicate loan_id, first seen in row " + first_row.astype("str"))
                reject(dup.to_numpy(), "loan_id", ids, reason.to_numpy())
        return out


_KIND_LABEL = {
    "id": ("编号", "id"), "text": ("文本", "text"), "amount": ("金额", "amount"),
    "date": ("日期", "date"), "int": ("整数", "whole number"), "bool": ("是否标志", "yes/no flag"),
    "classification": ("五级分类", "classification"), "guarantee": ("担保方式", "guarantee type"),
    "vocab": ("代码", "code"),
}


_HINTS = {
    "classification": ",应为 正常/关注/次级/可疑/损失、代码 1–5 或子级(如 正常一级、关注3)",
    "guarantee": ",应为 信用/保证/抵押/质押 或其组合(如 抵押+保证)",
    "amount": ",应为数字金额(如 1,234.56)",
    "id": "",
}


def _select_rows(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame[mask]`` with a fresh index; a leading run of True rows (the usual case: only
    trailing summary rows set aside) is taken as a slice instead of copying every column."""
    keep = int(mask.argmin()) if not mask.all() else len(mask)
    if not mask[keep:].any():
        return frame.iloc[:keep].reset_index(drop=True)
    return frame.loc[mask].reset_index(drop=True)


def _blank_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows with no content in any column (empty or whitespace-only cells)."""
    candidates = np.arange(len(body))
    for position in body.columns:  # column-wise, on the shrinking set of candidate rows
        if not len(candidates):
            break
        column = body[position].iloc[candidates]
        text = column.astype("str").str.strip()
        empty = text.isna() | (text == "")
        candidates = candidates[empty.to_numpy(dtype=bool)]
    blank = np.zeros(len(body), dtype=bool)
    blank[candidates] = True
    return blank


def _cross_check(frames: dict[str, pd.DataFrame | None], builder: _Builder,
                 source_sheets: dict[str, str]) -> None:
    """Warn (once per sheet) about inspection/collection rows for loans not in the ledger."""
    loans = frames["loans"]
    if loans is None:
        return
    known = pd.Index(loans["loan_id"])
    for name in ("inspections", "collections"):
        frame = frames[name]
        if frame is None or not len(frame):
            continue
        unknown = ~frame["loan_id"].isin(known)
        if unknown.any():
            ids = frame.loc[unknown, "loan_id"].drop_duplicates().head(10).tolist()
            builder.issues.append(_issue(
                "warning", source_sheets.get(name, name), None, "loan_id", None,
                f"{schema.SHEETS[name].zh}中有 {int(unknown.sum())} 行的借据号不在贷款台账中(如"
                f" {', '.join(ids)}) / {int(unknown.sum())} {name} rows refer to loans not in"
                f" the loans sheet"))


def _issue(severity, sheet, row, column, value, message) -> dict:
    return {"severity": severity, "sheet": sheet, "row": row, "column": column,
            "value": value, "message": message}


def _resolve_as_of(as_of, titles: list[str], name: str):
    if as_of is not None:
        try:
            return pd.Timestamp(as_of).date()
        except (ValueError, TypeError):
            raise ValueError(f"数据日期无效:{as_of!r},应为 YYYY-MM-DD / invalid as_of {as_of!r}:"
                             " expected YYYY-MM-DD") from None
    for text in [*titles, Path(name).stem]:
        for regex in (_TITLE_DATE_RE, _COMPACT_TITLE_DATE_RE):
            match = regex.search(str(text))
            if match:
                try:
                    return pd.Timestamp(int(match[1]), int(match[2]), int(match[3])).date()
                except ValueError:
                    continue
    return None
