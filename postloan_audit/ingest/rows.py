"""Canonical rows (行): which rows of a sheet are loans, which are set aside, which rejected.

Every data row below the header is accounted for (``docs/extract-format.md``, "Rows"):

- blank rows are skipped and counted (:func:`blank_rows`);
- summary rows are set aside with their reason (:func:`summary_rows`): 合计/小计 lines (also
  spaced out to centre the word: 合  计), found by byte needles derived from the schema's
  summary vocabulary (:data:`SUMMARY_NEEDLES`), a
  repeated header and the title above it, a row with content only in unread columns, and the
  sign-off lines below the data;
- the rows that cannot be kept are rejected, one line per problem (:func:`row_rules`): a
  required value missing or unreadable, an Excel error value, an id damaged by Excel, a
  negative balance, a maturity before disbursement, a duplicate loan id (also across sheets,
  :func:`drop_cross_sheet_duplicates`), a text line that cannot be trusted
  (:func:`untrusted_lines`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from postloan_audit.core import schema
from postloan_audit.ingest import kernels, parsing
from postloan_audit.ingest import profile as profiles
from postloan_audit.ingest.columns import HINTS, KIND_LABEL, REQUIRED_WHEN_PRESENT
from postloan_audit.ingest.tally import Tally
from postloan_audit.ingest.threads import map_columns


def select_rows(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame[mask]`` with a fresh index; a leading run of True rows (the usual case: only
    trailing summary rows set aside) is taken as a slice instead of copying every column."""
    keep = int(mask.argmin()) if not mask.all() else len(mask)
    if not mask[keep:].any():
        return frame.iloc[:keep].reset_index(drop=True)
    return frame.loc[mask].reset_index(drop=True)


def blank_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows with no content in any column (empty or whitespace-only cells)."""
    candidates = np.arange(len(body))
    for position in body.columns:  # column-wise, on the shrinking set of candidate rows
        if not len(candidates):
            break
        column = body[position]
        if len(candidates) < len(body):
            column = column.iloc[candidates]
        candidates = candidates[kernels.blank_cells(column)]
    blank = np.zeros(len(body), dtype=bool)
    blank[candidates] = True
    return blank


# =========================================================================== summary rows


def _longest_common(words: Sequence[str]) -> str:
    """The longest substring every word holds (the first found, for equal lengths)."""
    first = min(words, key=len)
    for size in range(len(first), 0, -1):
        for start in range(len(first) - size + 1):
            piece = first[start:start + size]
            if all(piece in word for word in words):
                return piece
    return ""


def summary_needles(words: Sequence[str]) -> tuple[tuple[bytes, ...], str]:
    """The byte needles every summary word holds one of, and a short pattern every one
    matches, derived from the vocabulary (case-folded: ``Total`` is ``total``).

    The words are grouped by a shared character: repeatedly, the character held by the most
    words not yet grouped (two at least; on a tie, the one that comes first in the first
    such word) groups those words, so that one short needle finds several words (计 for
    合计/总计/小计/本页合计/累计, t for subtotal/total/grandtotal); a word that shares no
    character is a group of its own and its own needle (其中: a needle as distinguishing as
    the word, where 中 alone would mark most branch names; an ASCII word, its first letter,
    since the search is on bytes and must find it in any case). The needle of a group is its
    character (an ASCII letter in both cases); its part of the pattern, the longest substring
    all its words hold (``(?i:total)``), so that the pattern stays as selective as the words.

    >>> summary_needles(["合计", "小计", "其中", "total", "subtotal"])
    ((b'\\xe8\\xae\\xa1', b't', b'T', b'\\xe5\\x85\\xb6\\xe4\\xb8\\xad'), '计|(?i:total)|其中')
    """
    remaining = list(dict.fromkeys(word.lower() for word in words))
    groups: list[tuple[str, list[str]]] = []
    while remaining:
        counts: dict[str, int] = {}
        for word in remaining:
            for ch in dict.fromkeys(word):
                counts[ch] = counts.get(ch, 0) + 1
        best = max(counts.values())
        if best < 2:
            groups.extend((word, [word]) for word in remaining)
            break
        tied = {ch for ch, n in counts.items() if n == best}
        holder = next(word for word in remaining if tied & set(word))
        ch = next(c for c in holder if c in tied)
        groups.append((ch, [word for word in remaining if ch in word]))
        remaining = [word for word in remaining if ch not in word]
    needles: list[bytes] = []
    pattern: list[str] = []
    for needle, members in groups:
        if needle.isascii():
            # The search is on bytes, case and all: only one letter in both cases finds
            # every way a word can be typed (Total, TOTAL, total).
            needle = needle[0]
        forms = [needle, needle.upper()] if needle.upper() != needle else [needle]
        needles.extend(form.encode("utf-8") for form in forms)
        common = re.escape(_longest_common(members))
        pattern.append(f"(?i:{common})" if common.isascii() else common)
    return tuple(needles), "|".join(pattern)


#: Bytes one of which every summary-row candidate holds, and the short pattern every one
#: matches (the fallback when the needles hit too many cells), derived from
#: ``schema.SUMMARY_WORDS`` and ``schema.SUMMARY_PREFIXES``.
SUMMARY_NEEDLES, SUMMARY_CANDIDATE_PATTERN = summary_needles(
    (*schema.SUMMARY_WORDS, *schema.SUMMARY_PREFIXES))
#: Spaces typed between the characters of a summary word to centre it in its cell (合  计,
#: 小\u3000计): ASCII and full-width spaces, tabs, no-break spaces. Every such word still
#: holds its needle (计).
INNER_SPACE = "[ \t\u00a0\u3000]*"
_WORDS = "|".join(INNER_SPACE.join(map(re.escape, word)) for word in schema.SUMMARY_WORDS)
_PREFIXES = "|".join(schema.SUMMARY_PREFIXES)
#: A summary cell of the first column or an id/branch column: a word anywhere, or a prefix.
_ANYWHERE_PATTERN = f"(?:{_WORDS})|^\\s*(?i:{_PREFIXES})"
#: A summary cell of a name column: a word at the end (张三合计 is no name), or a prefix.
_NAME_PATTERN = f"(?:{_WORDS})\\s*$|^\\s*(?i:{_PREFIXES})"


def summary_mask(body: pd.DataFrame, mapping: dict[str, list[int]]) -> np.ndarray:
    """Rows with 合计/总计/小计 anywhere in the first column or an id/branch cell (at the end
    of a name cell), or a cell starting with 本页合计/累计/其中/Subtotal/Total."""
    anywhere = {0}
    for col in ("loan_id", "borrower_id", "branch"):
        anywhere.update(mapping.get(col, [])[:1])
    names = set(mapping.get("borrower_name", [])[:1]) - anywhere
    mask = np.zeros(len(body), dtype=bool)

    def rows_of(pos: int) -> np.ndarray:
        column = body[pos]
        text = kernels.arrow_text(column)
        # The cells holding a needle (计, t or T, 其中), found in the column's bytes; or, when
        # the storage is not pyarrow's or such cells are many, one pass of a short pattern
        # (RE2 on the whole column). The full pattern then only sees the candidates.
        candidate = None if text is None else kernels.needle_cells(text, SUMMARY_NEEDLES)
        if candidate is None:
            candidate = column.str.contains(SUMMARY_CANDIDATE_PATTERN, regex=True).fillna(
                False).to_numpy(dtype=bool)
        if not candidate.any():
            return candidate
        pattern = _NAME_PATTERN if pos in names else _ANYWHERE_PATTERN
        hit = column[candidate].str.contains(pattern, regex=True).fillna(False)
        rows = np.zeros(len(candidate), dtype=bool)
        rows[candidate] = hit.to_numpy(dtype=bool)
        return rows

    # The columns are tested in threads (RE2 releases the GIL); the union is order-free.
    positions = [pos for pos in sorted(anywhere | names)
                 if pos < body.shape[1] or pos in body.columns]
    for hit in map_columns(rows_of, positions):
        mask |= hit
    return mask


def summary_rows(sheet: schema.Sheet, text: pd.DataFrame, mapping: dict[str, list[int]],
                 headers: list, blank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Summary rows: 合计/小计 lines, sign-off lines below the data, repeated headers and
    the title row above a repeated header. Returns the mask and a reason per row."""
    n = len(text)
    reasons = np.full(n, "", dtype=object)
    mask = summary_mask(text, mapping) & ~blank
    reasons[mask] = ("合计/小计行,已单独列出,未作为贷款读取"
                     " / summary row set aside, not read as a loan")
    # Repeated header rows (two exports pasted together): cells that read as this
    # column's own header (the same text, or an accepted alias of the same column). A
    # repeated header repeats the first required column's header, so only those rows are
    # compared column by column.
    def header_names(name: str, pos: int) -> set:
        return {str(headers[pos]).strip(), *schema.accepted_headers(sheet.name, name)}

    matched = np.zeros(n, dtype=np.int64)
    key = sheet.required[0]
    key_pos = mapping[key][0]
    if key_pos in text.columns and key_pos < len(headers):
        names = header_names(key, key_pos)
        if kernels.lengths_outside(text[key_pos], names):
            candidates = np.zeros(0, dtype=np.int64)  # no cell as long as a header name
        else:
            candidates = np.flatnonzero(text[key_pos].isin(names).to_numpy(dtype=bool))
        for name, positions in mapping.items():
            pos = positions[0]
            if not len(candidates) or pos not in text.columns or pos >= len(headers):
                continue
            hit = text[pos].iloc[candidates].isin(header_names(name, pos))
            matched[candidates] += hit.to_numpy(dtype=np.int64)
    repeated = (matched >= 2) & ~blank & ~mask
    reasons[repeated] = ("重复的表头行(多个导出文件拼接),已单独列出"
                         " / repeated header row (exports pasted together) set aside")
    mask |= repeated
    # The title row above a repeated header: one non-empty cell, directly above.
    for idx in np.flatnonzero(repeated):
        above = idx - 1
        while above >= 0 and blank[above]:
            above -= 1
        if above >= 0 and not mask[above] and int(text.iloc[above].notna().sum()) == 1:
            mask[above] = True
            reasons[above] = ("重复表头上方的标题行,已单独列出"
                              " / title row above a repeated header set aside")
    # Rows whose only content is in columns the loader does not read (a note far right).
    candidates = np.flatnonzero(~blank & ~mask)
    for position in text.columns:  # column-wise, on the shrinking set of candidate rows
        if not len(candidates):
            break
        # The column's blanks read off its validity (no copy of the cells), then indexed.
        candidates = candidates[text[position].isna().to_numpy(dtype=bool)[candidates]]
    unmapped_only = np.zeros(n, dtype=bool)
    unmapped_only[candidates] = True
    reasons[unmapped_only] = ("该行只在未识别的列中有内容(如备注),没有贷款数据,已单独列出"
                              " / row with content only in unrecognised columns set aside")
    mask |= unmapped_only
    # Sign-off lines (制表人 / 复核人 / 打印时间 / 备注) below the last data row: walk back
    # from the last non-blank row while rows are sign-offs (only the trailing rows).
    signoff = re.compile("^(?:" + "|".join(schema.SIGNOFF_WORDS) + ")")
    for idx in np.flatnonzero(~blank & ~mask)[::-1]:
        row = text.iloc[int(idx)].dropna()
        if not len(row) or not signoff.match(re.sub(r"\s+", "", str(row.iloc[0]))):
            break
        mask[idx] = True
        reasons[idx] = ("表尾签字/落款行(制表人、复核人、打印时间、备注等),已单独列出"
                        " / sign-off line below the data set aside")
    return mask, reasons


def row_rules(sheet: schema.Sheet, frame: pd.DataFrame,
              problems: dict[str, tuple[pd.Series, pd.Series | None]], sheet_name: str,
              rows: np.ndarray, cell_errors: dict | None = None) -> list[pd.DataFrame]:
    """Rows that cannot be kept: required values missing or unparseable, Excel error
    values in required columns, damaged ids, and sheet rules."""
    out: list[pd.DataFrame] = []
    cell_errors = cell_errors or {}

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

    for name, (hit, reasons, shown) in cell_errors.items():
        reject(hit, name, shown, reasons)
    present = [c for c in REQUIRED_WHEN_PRESENT.get(sheet.name, ()) if c in problems]
    for name in (*sheet.required, *present):
        col = sheet.column_index[name]
        invalid, raw = problems[name]
        missing = raw.isna().to_numpy()
        if name in cell_errors:
            missing = missing & ~cell_errors[name][0]
        reject(missing, name, raw,
               f"必填值缺失:{col.zh} / required value missing: {name}")
        label = KIND_LABEL.get(col.kind.split(":")[0], ("值", "value"))
        bad = invalid.to_numpy() & ~missing
        if not bad.any():
            continue
        shown = raw.astype("str").fillna("")
        if col.kind == "classification":
            four = bad & profiles.is_four_tier(raw).to_numpy(dtype=bool)
            if four.any():
                words = [w for w in profiles.FOUR_TIER_WORDS
                         if w in set(parsing.normalise_values(shown[four]))]
                lines = profiles.four_tier_lines(words)
                reject(four, name, raw,
                       ("「" + shown + "」是四级分类(一逾两呆:正常/逾期/呆滞/呆账)的取值,不是五级分类;"
                        "四级如何对应五级由本行确定,请在导出配置中写明:" + lines
                        + " / '" + shown + "' is on the four-tier scale (一逾两呆), not a"
                        " five-tier class; the bank decides the mapping: add the"
                        " [values.classification] lines above to the export profile"
                        ).to_numpy())
                bad = bad & ~four
                if not bad.any():
                    continue
        if col.kind == "id":
            reject(bad, name, raw,
                   ("编号已被 Excel 损坏(科学计数法或超过 15 位的数字已丢失位数)「" + shown
                    + f"」(列 {col.zh}):请把该列设为文本格式后重新导出"
                    f" / id damaged by Excel (scientific notation or digits lost) '" + shown
                    + f"' in {name}: export the column as text").to_numpy())
            continue
        reject(bad, name, raw,
               (f"无法识别的{label[0]}「" + shown + f"」(列 {col.zh}){HINTS.get(col.kind, '')}"
                f" / unparseable {label[1]} '" + shown + f"' in {name}").to_numpy())
    if sheet.name == "loans":
        balance = frame["balance"]
        reject((balance < 0).to_numpy(), "balance", problems["balance"][1],
               "贷款余额为负数 / negative balance")
        if "maturity_date" in frame and "disbursement_date" in frame:
            before = (frame["maturity_date"] < frame["disbursement_date"]).to_numpy()
            if before.any():  # dates are formatted only when a row is rejected
                reject(before, "maturity_date",
                       frame["maturity_date"].dt.strftime("%Y-%m-%d"),
                       "到期日早于发放日 / maturity date before disbursement date")
        ids = frame["loan_id"]
        dup = pd.Series(parsing.duplicated_ids(ids), index=ids.index) & ids.notna()
        if dup.any():
            first_row = pd.Series(rows).groupby(ids.to_numpy(), sort=False).transform("first")
            reason = ("借据号重复,与第 " + first_row.astype("str") + " 行相同"
                      " / duplicate loan_id, first seen in row " + first_row.astype("str"))
            reject(dup.to_numpy(), "loan_id", ids, reason.to_numpy())
    return out


def drop_cross_sheet_duplicates(loans: pd.DataFrame, tally: Tally) -> pd.DataFrame:
    """Reject a loan id already kept from an earlier sheet (one sheet per branch)."""
    dup = parsing.duplicated_ids(loans["loan_id"])
    if not dup.any():
        return loans
    first = loans.groupby("loan_id", sort=False)[["source_sheet", "source_row"]].transform(
        "first")
    where = ("借据号重复,与工作表「" + first["source_sheet"] + "」第 "
             + first["source_row"].astype("str") + " 行相同 / duplicate loan_id, first seen"
             " in sheet " + first["source_sheet"] + " row " + first["source_row"].astype("str"))
    rej = pd.DataFrame({
        "sheet": loans.loc[dup, "source_sheet"].to_numpy(),
        "row": loans.loc[dup, "source_row"].to_numpy(),
        "column": "loan_id", "value": loans.loc[dup, "loan_id"].to_numpy(),
        "reason": where[dup].to_numpy()})
    tally.rejected.append(rej)
    per_sheet = rej["sheet"].value_counts()
    for rec in tally.accounting:
        if rec["sheet"] == "loans" and rec["source_sheet"] in per_sheet:
            moved = int(per_sheet[rec["source_sheet"]])
            rec["kept"] -= moved
            rec["rejected"] += moved
    return loans.loc[~dup].reset_index(drop=True)


def untrusted_lines(reject: list[pd.DataFrame], rows: np.ndarray, bad_rows: dict[int, str],
                    sheet_name: str) -> list[pd.DataFrame]:
    """The rejections with each line that cannot be trusted (an undecodable byte, an unclosed
    quote) rejected by its own reason instead of its per-column ones."""
    if not bad_rows:
        return reject
    bad = np.isin(rows, np.fromiter(bad_rows, dtype="int64"))
    if not bad.any():
        return reject
    reject = [r[~r["row"].isin(rows[bad])] for r in reject]
    reject.append(pd.DataFrame({
        "sheet": sheet_name, "row": rows[bad], "column": "",
        "value": "", "reason": [bad_rows[int(r)] for r in rows[bad]]}))
    return reject


#: Sheets whose rows name a loan (``loan_id``) and sheets whose rows name a borrower
#: (``borrower_id``): their ids should be found in the loans sheet.
LOAN_KEYED_SHEETS: tuple[str, ...] = ("inspections", "collections", "collateral", "guarantees")
BORROWER_KEYED_SHEETS: tuple[str, ...] = ("financials", "lists")


def cross_check(frames: dict[str, pd.DataFrame | None], tally: Tally,
                source_sheets: dict[str, str]) -> None:
    """Warn (once per sheet) about rows whose loan, borrower or party id matches nothing:
    inspections, collections, collateral and guarantees rows for loans not in the ledger;
    financial statements and list entries for borrowers not in it; external facts for a
    party that is neither a borrower nor a guarantor. Each warning counts the rows and names
    up to ten ids."""
    loans = frames["loans"]
    if loans is None:
        return
    known = {"loan_id": pd.Index(loans["loan_id"]), "borrower_id": pd.Index(loans["borrower_id"])}
    guarantees = frames.get("guarantees")
    parties = known["borrower_id"]
    if guarantees is not None and len(guarantees):
        parties = parties.append(pd.Index(guarantees["guarantor_id"]))
    checks = ([(name, "loan_id", known["loan_id"], "借据号不在贷款台账中", "loans not in the loans sheet")
               for name in LOAN_KEYED_SHEETS]
              + [(name, "borrower_id", known["borrower_id"], "客户号不在贷款台账中",
                  "borrowers not in the loans sheet") for name in BORROWER_KEYED_SHEETS]
              + [("external", "party_id", parties, "客户号既不是借款人也不是保证人",
                  "parties that are neither a borrower nor a guarantor")])
    for name, column, index, zh, en in checks:
        frame = frames.get(name)
        if frame is None or not len(frame):
            continue
        unknown = ~frame[column].isin(index)
        if unknown.any():
            ids = frame.loc[unknown, column].drop_duplicates().head(10).tolist()
            tally.note(
                "warning", source_sheets.get(name, name), None, column, None,
                f"{schema.SHEETS[name].zh}中有 {int(unknown.sum())} 行的{zh}(如"
                f" {', '.join(ids)}) / {int(unknown.sum())} {name} rows refer to {en}")


def note_set_aside(sheet: schema.Sheet, raw_name: str, rows: np.ndarray, blank: np.ndarray,
                   summary: np.ndarray, reasons: np.ndarray, tally: Tally) -> np.ndarray:
    """Note the summary rows (each with its reason), the blank rows and a sheet without data
    rows; the mask of the data rows. A loans sheet without data rows is for the caller to
    refuse."""
    data_mask = ~blank & ~summary
    if not data_mask.any() and sheet.name != "loans":
        tally.note(
            "info", raw_name, None, None, None,
            f"{sheet.zh}只有表头,没有数据行:按本期没有记录处理"
            f" / the {sheet.name} sheet has a header and no data rows: read as empty")
    for row_no, reason in zip(rows[summary], reasons[summary], strict=True):
        tally.note("info", raw_name, int(row_no), None, None, reason)
    if blank.any():
        tally.note(
            "info", raw_name, None, None, None,
            f"跳过空行 {int(blank.sum())} 行 / skipped {int(blank.sum())} blank rows: "
            + ", ".join(str(r) for r in rows[blank][:20])
            + (" …" if blank.sum() > 20 else ""),
        )
    return data_mask
