"""Workbooks to and from the branches (工作簿往返): the findings workbook with its 整改情况 columns,
and the filled on-site checklist (现场检查清单).

* :func:`export_findings_workbook` writes a recorded run's findings workbook with the current
  follow-up state in the 整改情况 columns and the hidden 整改键;
* :func:`import_findings_workbook` reads a returned one back: every row is validated against the
  store (unknown keys, another run's rows, edited rule or loan ids, illegal status changes,
  future or unreadable dates) and either every change is applied in one transaction or, when
  any row is refused, none (:class:`~postloan_audit.trail.store.ImportRefused` lists the rows);
* :func:`import_workpaper` reads a filled checklist: each item's 检查结论 and 问题描述 are
  recorded, every 不符合 becomes an on-site finding in the follow-up, and the review counts as
  done for the branch on the checklist's date (``001_…`` 篇三 五、贷后组织督导 5).

What follows the tables in the printed workbooks (the sign-off blocks) is not data: a checklist
ends at its first blank row, and a row of 问题清单 naming no finding is not read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from postloan_audit.compliance.findings_followup import KEY_HEADER, FollowupColumns
from postloan_audit.compliance.findings_workbook import write_findings_workbook
from postloan_audit.core.dates import coerce_optional_date
from postloan_audit.core.workbooks import Target
from postloan_audit.ingest.loader import Source
from postloan_audit.ingest.parsing import clean_text, parse_dates
from postloan_audit.ingest.returned import ROW_COLUMN, read_returned_sheets
from postloan_audit.supervision.workpaper import CONCLUSIONS
from postloan_audit.trail import followup as fu
from postloan_audit.trail.store import AuditStore, ImportRefused

#: The findings sheet of the workbook.
FINDINGS_SHEET = "问题清单"
#: Columns of 问题清单 read back: header → field.
_RETURNED = {"规则编号": "rule_id", "借据号": "loan_id", "整改状态": "status",
             "整改措施": "measures", "完成日期": "completed_on", "责任人": "responsible",
             KEY_HEADER: "key"}
CHECKLIST_SHEET = "现场检查清单"
PARAMETER_SHEET = "抽样参数"
_CHECKLIST = {"客户号": "borrower_id", "客户名称": "borrower_name", "借据号": "loan_id",
              "检查项目": "item", "检查结论": "conclusion", "问题描述": "description",
              "检查人": "inspector", "检查日期": "inspected_on"}


def followup_columns(store: AuditStore, run_id: int, findings: pd.DataFrame) -> FollowupColumns:
    """The 整改情况 values of a run's findings (current status, measures, date, person)."""
    keys = fu.finding_keys(findings)
    state = store.followup().set_index("finding_key")
    values = pd.DataFrame({
        "key": (str(run_id) + "#" + keys).to_numpy(),
        "status": keys.map(state["status"]).to_numpy(),
        "measures": keys.map(state["measures"]).to_numpy(),
        "completed_on": keys.map(state["completed_on"]).to_numpy(),
        "responsible": keys.map(state["responsible"]).to_numpy(),
    })
    return FollowupColumns(values=values, statuses=fu.STATUSES)


def export_findings_workbook(store: AuditStore, target: Target, *,
                             run_id: int | None = None,
                             rejected: pd.DataFrame | None = None) -> int:
    """Write the findings workbook of a recorded run (default the latest) with 整改情况 columns;
    ``rejected`` (the extract's rejected rows, when the extract is at hand) adds the 拒绝行 sheet.

    Returns the run id written.
    """
    run_id, report = store.report_for(run_id)
    write_findings_workbook(report, target,
                            followup=followup_columns(store, run_id, report.findings),
                            rejected=rejected)
    return run_id


@dataclass(frozen=True)
class ImportResult:
    """An accepted returned workbook: how many findings changed."""

    file_name: str
    rows: int
    changed: int

    def line(self) -> str:
        return (f"已导入 {self.file_name}:{self.rows} 行,更新整改情况 {self.changed} 条"
                f" / imported {self.file_name}: {self.rows} rows, {self.changed} findings updated")


def _refuse_file(name: str, sheet: str, problem: str) -> ImportRefused:
    return ImportRefused(name, pd.DataFrame({"excel_row": [1], "finding_key": [""],
                                             "problem": [problem]}), sheet=sheet)


def import_findings_workbook(store: AuditStore, source: Source, *, filename: str | None = None,
                             today: dt.date | None = None) -> ImportResult:
    """Validate a returned findings workbook and apply its 整改情况, all or nothing.

    Raises
    ------
    ImportRefused
        Any row refused (the message names each row and why); nothing applied.
    ExtractError
        Not a readable workbook, or no 问题清单 sheet.
    """
    frames, name, data = read_returned_sheets(source, (FINDINGS_SHEET,), filename=filename)
    sheet = frames[FINDINGS_SHEET]
    missing = [h for h in _RETURNED if h not in sheet.columns]
    if missing:
        raise _refuse_file(name, FINDINGS_SHEET, f"缺少列「{'」「'.join(missing)}」:请上传本系统导出"
                           f"(check --record 或 followup export)的问题清单 / missing column(s) "
                           f"{', '.join(missing)}: upload a workbook exported by this system")
    s = sheet.rename(columns=_RETURNED)
    # A row naming no finding (no 整改键, 规则编号 or 借据号) is not one: the sign-off block under
    # the table, or a column filled down past it.
    s = s.loc[s[["key", "rule_id", "loan_id"]].notna().any(axis=1)].reset_index(drop=True)
    key = clean_text(s["key"].astype(object).where(s["key"].notna(), None))
    parts = key.fillna("").str.split("#", n=1, expand=True).reindex(columns=[0, 1])
    run_id = pd.to_numeric(parts[0], errors="coerce")
    updates = pd.DataFrame({
        "excel_row": s[ROW_COLUMN].to_numpy(), "run_id": run_id.to_numpy(),
        "finding_key": parts[1].where(run_id.notna()).to_numpy(),
        "rule_id": s["rule_id"].to_numpy(), "loan_id": s["loan_id"].to_numpy(),
        "status": s["status"].to_numpy(), "measures": s["measures"].to_numpy(),
        "completed_on": s["completed_on"].to_numpy(), "responsible": s["responsible"].to_numpy(),
    })
    changed = store.apply_updates(updates, file_name=name,
                                  file_sha=hashlib.sha256(data).hexdigest(), sheet=FINDINGS_SHEET,
                                  today=today)
    return ImportResult(file_name=name, rows=len(updates), changed=changed)


@dataclass(frozen=True)
class OnsiteImport:
    """An accepted on-site checklist: branch, review date, items and on-site findings."""

    file_name: str
    branch: str
    review_date: dt.date
    items: int
    nonconforming: int
    sample_id: int | None

    def line(self) -> str:
        return (f"已导入现场检查清单 {self.file_name}:{self.branch} {self.review_date:%Y-%m-%d},"
                f"检查项目 {self.items} 项,不符合 {self.nonconforming} 项(已列入整改跟踪)"
                f" / on-site review recorded: {self.items} items, {self.nonconforming} "
                "non-conforming")


def import_workpaper(store: AuditStore, source: Source, *, filename: str | None = None,
                     today: dt.date | None = None) -> OnsiteImport:
    """Record a filled on-site workpaper (现场检查工作底稿回传), all or nothing.

    Every checklist row needs a 检查结论 of :data:`~postloan_audit.supervision.workpaper.CONCLUSIONS`
    and a 检查日期 not after ``today``; a 不符合 needs a 问题描述; with a recorded sample, every
    借据号 must be one of its loans. The review date is the latest 检查日期.

    Raises
    ------
    ImportRefused
        Any row refused; nothing recorded.
    """
    today = coerce_optional_date(today, what=("检查日期", "inspection date")) or dt.date.today()
    frames, name, data = read_returned_sheets(source, (PARAMETER_SHEET, CHECKLIST_SHEET),
                                              filename=filename, tables=(CHECKLIST_SHEET,))
    params = frames[PARAMETER_SHEET]
    if not {"项目", "内容"} <= set(params.columns):
        raise _refuse_file(name, PARAMETER_SHEET, "抽样参数表缺少「项目」「内容」列 / the 抽样参数 "
                           "sheet lacks 项目/内容")
    pairs = dict(zip(params["项目"].astype(str), params["内容"], strict=True))
    branch = pairs.get("被查机构")
    seed = pd.to_numeric(pd.Series([pairs.get("随机种子")]), errors="coerce")[0]
    if branch is None or pd.isna(seed):
        raise _refuse_file(name, PARAMETER_SHEET, "抽样参数表缺少「被查机构」或「随机种子」:请上传本系统"
                           "生成的工作底稿 / 被查机构 or 随机种子 missing")
    branch = str(branch)
    fingerprint = pairs.get("文件指纹(SHA-256)") or None
    sample_id = store.find_sample(branch=branch, seed=int(seed), fingerprint=fingerprint)

    sheet = frames[CHECKLIST_SHEET]
    missing = [h for h in _CHECKLIST if h not in sheet.columns]
    if missing:
        raise _refuse_file(name, CHECKLIST_SHEET, f"缺少列「{'」「'.join(missing)}」/ missing "
                           f"column(s) {', '.join(missing)}")
    c = sheet.rename(columns=_CHECKLIST)
    text = {f: clean_text(c[f].astype(object).where(c[f].notna(), None))
            for f in ("borrower_id", "borrower_name", "loan_id", "item", "conclusion",
                      "description", "inspector")}
    raw_date = clean_text(c["inspected_on"].astype(object).where(c["inspected_on"].notna(), None))
    day, bad_day = parse_dates(raw_date)
    rows = c[ROW_COLUMN].astype("int64")
    problems = []

    def refuse(mask, message) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            msg = message if isinstance(message, pd.Series) else pd.Series(message, index=c.index)
            problems.append(pd.DataFrame({"excel_row": rows[mask].to_numpy(),
                                          "finding_key": text["loan_id"][mask].fillna("").to_numpy(),
                                          "problem": msg[mask].astype(str).to_numpy()}))

    refuse(text["loan_id"].isna() | text["item"].isna(),
           "借据号或检查项目为空(行被改动) / loan id or item missing")
    concl = text["conclusion"]
    refuse(concl.isna(), "检查结论未填写,应为 " + "、".join(CONCLUSIONS) + " / conclusion missing")
    refuse(concl.notna() & ~concl.isin(CONCLUSIONS),
           "检查结论「" + concl.fillna("") + "」无效,应为 " + "、".join(CONCLUSIONS)
           + " / invalid conclusion")
    refuse((concl == "不符合") & text["description"].isna(),
           "检查结论为不符合,须填写问题描述 / 不符合 needs a 问题描述")
    refuse(raw_date.isna(), "检查日期未填写 / inspection date missing")
    refuse(raw_date.notna() & bad_day, "检查日期「" + raw_date.fillna("") + "」无法识别,应为 "
           "YYYY-MM-DD / inspection date not understood")
    refuse((day > pd.Timestamp(today)).fillna(False),
           "检查日期 " + day.dt.strftime("%Y-%m-%d").fillna("") + f" 晚于今天 {today:%Y-%m-%d} / "
           "inspection date in the future")
    if sample_id is not None:
        drawn = set(store.sample_loans(sample_id)["loan_id"])
        refuse(text["loan_id"].notna() & ~text["loan_id"].isin(drawn),
               "借据号 " + text["loan_id"].fillna("") + f" 不在第 {sample_id} 次抽样的样本中(工作底稿被改动?)"
               " / loan not in the recorded sample")
    if len(c) == 0:
        raise _refuse_file(name, CHECKLIST_SHEET, "现场检查清单没有任何检查项目 / the checklist is empty")
    if problems:
        refused = pd.concat(problems, ignore_index=True).sort_values("excel_row", kind="stable")
        raise ImportRefused(name, refused.reset_index(drop=True), sheet=CHECKLIST_SHEET)
    results = pd.DataFrame({
        "loan_id": text["loan_id"], "borrower_id": text["borrower_id"],
        "borrower_name": text["borrower_name"], "item": text["item"],
        "conclusion": concl, "description": text["description"],
        "inspector": text["inspector"], "inspected_on": day.dt.date,
    })
    review_date = day.max().date()
    store.record_onsite(results, branch=branch, review_date=review_date, sample_id=sample_id,
                        file_name=name, file_sha=hashlib.sha256(data).hexdigest())
    return OnsiteImport(file_name=name, branch=branch, review_date=review_date,
                        items=len(results), nonconforming=int((concl == "不符合").sum()),
                        sample_id=sample_id)
