"""write_findings_workbook: sheets, contents, formula-injection safety, buffers."""

from __future__ import annotations

import io

from checks_factory import AS_OF, make_loans
from openpyxl import load_workbook

from postloan_audit import Policy, run_checks, write_findings_workbook
from postloan_audit.compliance.rules import CATALOGUE


def _report():
    loans = make_loans({
        "late": {"last_inspection_date": "2026-03-29", "borrower_name": "=HYPERLINK(\"x\")"},
        "overdue": {"overdue_days": 100, "branch": "东关支行"},
    }, drop=["rating_date"])
    policy = Policy.from_dict({"disabled": {"EXIT-VISIT": "无退出类名单"}})
    return run_checks(loans, as_of=AS_OF, policy=policy)


def test_workbook_sheets_and_contents(tmp_path):
    report = _report()
    path = tmp_path / "f.xlsx"
    write_findings_workbook(report, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "问题清单", "未执行规则", "规则目录", "参数"]
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    assert header == ["规则名称", "规则编号", "严重程度", "借据号", "客户号", "客户名称",
                      "经营机构", "问题描述", "应完成日期", "逾期天数", "依据"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    rows = rows[:[r[0] for r in rows].index(None)]  # above the blank row and the sign-off
    assert [(r[1], r[3]) for r in rows] == [("INSP-FREQ", "late"), ("CLS-OVERDUE", "overdue")]
    assert [r[2] for r in rows] == ["中", "高"]  # severity in Chinese
    assert ws.auto_filter.ref == "A1:K3"
    assert ws.freeze_panes == "A2"
    name_cell = ws.cell(row=2, column=6)
    assert name_cell.value == "=HYPERLINK(\"x\")" and name_cell.data_type == "s"
    assert name_cell.quotePrefix
    not_run = [[c.value for c in r] for r in wb["未执行规则"].iter_rows(min_row=2)]
    # INSP-REPORT needs the inspections sheet's reports, RATING-STALE its dropped column, the
    # rules of the borrower's file its sheets; EXIT-VISIT is disabled
    assert [r[0] for r in not_run] == ["INSP-REPORT", "COLLAT-COVER", "COLLAT-INSURE",
                                       "COLLAT-RELEASE", "RATING-STALE", "GUAR-RATING",
                                       "FIN-STATEMENTS", "EXIT-VISIT", "LIST-MODE",
                                       "LIST-NEWCREDIT", "LIST-WATCH"]
    summary = [[c.value for c in r] for r in wb["汇总"].iter_rows(min_row=1, max_row=3)]
    assert summary[0][:2] == ["经营机构", "合计"]  # the total second, the rules after it
    # Rules by their Chinese title, the id on a second line.
    assert summary[0][2:] == [f"{CATALOGUE[r].title_zh}\n{r}" for r in report.rules_run]
    by_rule = [[c.value for c in r] for r in wb["汇总"].iter_rows(min_row=5)]
    assert by_rule[0][:3] == ["规则编号", "规则名称", "严重程度"]
    zh = {"high": "高", "medium": "中", "low": "低"}
    assert [r[2] for r in by_rule[1:]] == [zh[str(CATALOGUE[r].severity)]
                                           for r in report.rules_run]
    assert by_rule[3][:3] == ["CLS-OVERDUE", "逾期贷款分类偏高", "高"]
    catalogue = [[c.value for c in r] for r in wb["规则目录"].iter_rows(min_row=2)]
    assert [r[3] for r in catalogue] == [zh[str(CATALOGUE[r[0]].severity)] for r in catalogue]
    # MAT-NOTICE, RATING-STALE, GUAR-RATING, INSP-REPORT, CALLBACK-FIRST, OFFICER-ONE
    assert sorted(r[3] for r in catalogue).count("低") == 6
    assert summary[1][:2] == ["东关支行", 1]
    assert wb["规则目录"].max_row == 32  # 31 rules under the header
    params = {r[0].value: r[1].value for r in wb["参数"].iter_rows(min_row=2)}
    assert params["文件指纹 fingerprint (sha256)"] == report.fingerprint
    assert params["参数 inspection.individual_months"] == 6
    assert params["参数 disabled.EXIT-VISIT"] == "无退出类名单"


def test_workbook_to_buffer_is_deterministic():
    report = _report()
    first, second = io.BytesIO(), io.BytesIO()
    write_findings_workbook(report, first, deterministic=True)
    write_findings_workbook(report, second, deterministic=True)
    assert first.getvalue() == second.getvalue()
    assert load_workbook(io.BytesIO(first.getvalue())).sheetnames[0] == "汇总"
