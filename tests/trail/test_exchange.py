"""Round trips: check → export → fill (openpyxl) → import → status; workpaper → fill → import →
on-site findings and review date; tampered or wrong-run workbooks refused, naming the row."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from checks_factory import make_loans

from postloan_audit.compliance.checks import run_checks
from postloan_audit.supervision.planning import plan_branch_reviews
from postloan_audit.supervision.quotas import SamplingPolicy, draw_sample
from postloan_audit.supervision.workpaper import write_sample_workpaper
from postloan_audit.trail import (
    ImportRefused,
    export_findings_workbook,
    import_findings_workbook,
    import_workpaper,
    open_store,
)

BASE = {"L1": {"overdue_days": 100}, "L2": {"last_inspection_date": "2026-01-01"}, "L3": {}}
TODAY = dt.date(2026, 10, 20)


def recorded(db_url, cases=BASE, scope=None):
    store = open_store(db_url, user="总行合规")
    store.record_run(run_checks(make_loans(cases), as_of="2026-09-30"), scope=scope)
    return store


def exported(store, run_id=None) -> openpyxl.Workbook:
    buf = io.BytesIO()
    export_findings_workbook(store, buf, run_id=run_id)
    return openpyxl.load_workbook(io.BytesIO(buf.getvalue()))


def columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1]}


def fill(ws, excel_row: int, **values) -> None:
    col = columns(ws)
    for header, value in values.items():
        ws.cell(row=excel_row, column=col[header]).value = value  # None clears the cell


def checklist_rows(ws) -> list[int]:
    """Spreadsheet rows of the checklist table (a 借据号 filled in), not the sign-off below."""
    col = columns(ws)["借据号"]
    rows = []
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=col).value in (None, ""):
            break
        rows.append(r)
    return rows


def saved(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_exported_workbook_has_followup_columns_a_dropdown_and_a_hidden_key(db_url):
    store = recorded(db_url)
    ws = exported(store)["问题清单"]
    col = columns(ws)
    headers = [c.value for c in ws[1]]
    assert headers[-5:] == ["整改状态", "整改措施", "完成日期", "责任人", "整改键"]
    key_letter = openpyxl.utils.get_column_letter(col["整改键"])
    assert ws.column_dimensions[key_letter].hidden is True
    assert [ws.cell(row=r, column=col["整改键"]).value for r in (2, 3)] == [
        "1#INSP-FREQ|L2|2026-07-01", "1#CLS-OVERDUE|L1|"]
    assert [ws.cell(row=r, column=col["整改状态"]).value for r in (2, 3)] == ["待整改", "待整改"]
    rules = ws.data_validations.dataValidation
    assert len(rules) == 1
    assert rules[0].formula1 == '"待整改,整改中,已整改(待核实),已销号,不予整改"'
    assert str(rules[0].sqref) == f"{openpyxl.utils.get_column_letter(col['整改状态'])}2:" \
                                  f"{openpyxl.utils.get_column_letter(col['整改状态'])}3"
    store.close()


def test_round_trip_updates_status_and_logs_each_change(db_url):
    store = recorded(db_url)
    wb = exported(store)
    ws = wb["问题清单"]
    fill(ws, 2, 整改状态="整改中", 整改措施="已安排补做贷后检查", 责任人="王五")
    fill(ws, 3, 整改状态="已整改(待核实)", 整改措施="已重新分类为次级", 完成日期=dt.date(2026, 10, 15),
         责任人="赵六")
    result = import_findings_workbook(store, saved(wb), filename="城关支行回传.xlsx", today=TODAY)
    assert (result.rows, result.changed) == (2, 2)
    assert result.line().startswith("已导入 城关支行回传.xlsx:2 行,更新整改情况 2 条")
    f = store.followup().set_index("finding_key")
    assert f.loc["INSP-FREQ|L2|2026-07-01", ["status", "measures", "responsible"]].tolist() == [
        "整改中", "已安排补做贷后检查", "王五"]
    assert f.loc["CLS-OVERDUE|L1|", ["status", "completed_on"]].tolist() == [
        "已整改(待核实)", dt.date(2026, 10, 15)]
    log = store.changes("CLS-OVERDUE|L1|")
    assert log[["field", "old", "new"]].values.tolist()[1:] == [
        ["status", "待整改", "已整改(待核实)"], ["measures", None, "已重新分类为次级"],
        ["completed_on", None, "2026-10-15"], ["responsible", None, "赵六"]]
    assert set(log["who"]) == {"总行合规"}
    assert store.imports()[["kind", "file_name", "rows_applied"]].values.tolist() == [
        ["findings", "城关支行回传.xlsx", 2]]
    # the next export shows the state; importing it unchanged changes nothing
    again = exported(store)
    assert again["问题清单"].cell(row=3, column=columns(again["问题清单"])["整改状态"]).value == \
        "已整改(待核实)"
    assert import_findings_workbook(store, saved(again), today=TODAY).changed == 0
    store.close()


def test_refused_rows_are_listed_and_nothing_is_applied(db_url):
    store = recorded(db_url)
    wb = exported(store)
    ws = wb["问题清单"]
    fill(ws, 2, 整改状态="已销号")  # 待整改 → 已销号 skips verification
    fill(ws, 3, 整改状态="已整改(待核实)", 完成日期=dt.date(2026, 12, 1))  # in the future
    before = store.changes()
    with pytest.raises(ImportRefused) as info:
        import_findings_workbook(store, saved(wb), filename="回传.xlsx", today=TODAY)
    err = info.value
    assert err.refused["excel_row"].unique().tolist() == [2, 3]
    assert err.message.splitlines()[0] == ("文件 回传.xlsx 有 2 行未通过校验,未导入任何内容,请改正后"
                                           "重新上传 / 2 row(s) of 回传.xlsx refused, nothing applied:")
    assert "问题清单 第 2 行:整改状态不能从「待整改」改为「已销号」" in err.message
    assert "问题清单 第 3 行:完成日期 2026-12-01 晚于今天 2026-10-20" in err.message
    assert set(store.followup()["status"]) == {"待整改"}
    assert len(store.changes()) == len(before) and store.imports().empty
    store.close()


@pytest.mark.parametrize("edit,problem", [
    ({"整改键": "1#INSP-FREQ|L9|2026-07-01"}, "整改键 INSP-FREQ|L9|2026-07-01 不属于第 1 次检查的问题清单"),
    ({"借据号": "L9"}, "规则编号或借据号与隐藏的整改键不一致"),
    ({"整改键": None}, "缺少整改键"),
    ({"整改状态": "已完成"}, "整改状态「已完成」无效"),
    ({"整改状态": "已整改(待核实)"}, "状态「已整改(待核实)」须填写完成日期"),
    ({"整改状态": "已整改(待核实)", "完成日期": "十月中旬"}, "完成日期「十月中旬」无法识别"),
    ({"整改状态": "不予整改"}, "不予整改须在「整改措施」中写明原因"),
])
def test_tampered_rows_are_refused_naming_the_row(db_url, edit, problem):
    store = recorded(db_url)
    wb = exported(store)
    fill(wb["问题清单"], 3, **edit)
    with pytest.raises(ImportRefused) as info:
        import_findings_workbook(store, saved(wb), filename="回传.xlsx", today=TODAY)
    assert info.value.refused["excel_row"].tolist() == [3]
    assert f"问题清单 第 3 行:{problem}" in info.value.message
    assert set(store.followup()["status"]) == {"待整改"}
    store.close()


def test_wrong_run_workbook_is_refused(db_url, tmp_path):
    store = recorded(db_url, scope="城关支行")
    store.record_run(run_checks(make_loans({"N1": {"overdue_days": 100}}), as_of="2026-09-30"),
                     scope="南城支行")
    wb = exported(store, run_id=1)
    ws = wb["问题清单"]
    fill(ws, 3, 整改键="2#CLS-OVERDUE|L1|")  # a row pointing at the other branch's run
    with pytest.raises(ImportRefused, match="第 3 行:整改键 CLS-OVERDUE|L1| 不属于第 2 次检查"):
        import_findings_workbook(store, saved(wb), today=TODAY)
    # a workbook of another store: its run is unknown here
    other = open_store(tmp_path / "other.db", user="x")
    with pytest.raises(ImportRefused, match="第 2 行:工作簿所属的第 1 次检查不在本记录库中"):
        import_findings_workbook(other, saved(exported(store, run_id=1)), today=TODAY)
    store.close()


def test_a_workbook_without_the_followup_columns_is_refused(db_url):
    store = recorded(db_url)
    wb = exported(store)
    ws = wb["问题清单"]
    ws.delete_cols(columns(ws)["整改状态"], 5)
    with pytest.raises(ImportRefused, match="缺少列「整改状态」「整改措施」「完成日期」「责任人」「整改键」"):
        import_findings_workbook(store, saved(wb), today=TODAY)
    store.close()


# --------------------------------------------------------------------------- workpaper


def ledger() -> pd.DataFrame:
    classes = ["normal"] * 4 + ["special_mention"] * 4 + ["substandard"] * 4
    cases = {f"W{i:02d}": {"classification": c, "balance": 1_000_000.0 + i * 1000}
             for i, c in enumerate(classes, start=1)}
    return make_loans(cases)


def test_workpaper_round_trip_records_items_findings_and_the_review_date(db_url):
    store = open_store(db_url, user="检查组")
    sample = draw_sample(ledger(), seed=7, branch="城关支行", policy=SamplingPolicy(min_borrowers=3))
    sample_id = store.record_sample(sample)
    buf = io.BytesIO()
    write_sample_workpaper(sample, buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["现场检查清单"]
    col = columns(ws)
    rows = checklist_rows(ws)
    for r in rows:
        ws.cell(row=r, column=col["检查结论"], value="符合")
        ws.cell(row=r, column=col["检查人"], value="钱七")
        ws.cell(row=r, column=col["检查日期"], value=dt.date(2026, 10, 12))
    ws.cell(row=2, column=col["检查结论"], value="不符合")
    ws.cell(row=2, column=col["问题描述"], value="贷款资金流入股市")
    # sign-off lines under the table, after a blank row, are not checklist rows
    ws.cell(row=ws.max_row + 2, column=1, value="检查人(签字):          复核人(签字):")
    first_loan = ws.cell(row=2, column=col["借据号"]).value
    first_item = ws.cell(row=2, column=col["检查项目"]).value
    result = import_workpaper(store, saved(wb), filename="底稿.xlsx", today=TODAY)
    n_items = len(rows)
    assert (result.branch, result.review_date, result.items, result.nonconforming,
            result.sample_id) == ("城关支行", dt.date(2026, 10, 12), n_items, 1, sample_id)
    onsite = store.onsite_results()
    assert len(onsite) == n_items and set(onsite["inspector"]) == {"钱七"}
    f = store.followup()
    assert f[["rule_id", "loan_id", "status", "branch", "deadline"]].values.tolist() == [
        ["ONSITE", first_loan, "待整改", "城关支行", dt.date(2026, 11, 11)]]
    assert f["message"].iloc[0] == f"{first_item}:贷款资金流入股市"
    reviews = store.last_onsite_reviews()
    assert reviews.values.tolist() == [["城关支行", pd.Timestamp("2026-10-12")]]
    branches = pd.DataFrame({"branch": ["城关支行", "南城支行"],
                             "last_onsite_review_date": [pd.NaT, pd.Timestamp("2025-03-01")]})
    plan = plan_branch_reviews(branches, year=2026, reviews=reviews).set_index("branch")
    assert plan.loc["城关支行", "last_onsite_review_date"] == pd.Timestamp("2026-10-12")
    assert not plan.loc["城关支行", "must"]
    # a date in the branches sheet still wins
    branches.loc[0, "last_onsite_review_date"] = pd.Timestamp("2024-01-05")
    plan = plan_branch_reviews(branches, year=2026, reviews=reviews).set_index("branch")
    assert plan.loc["城关支行", "last_onsite_review_date"] == pd.Timestamp("2024-01-05")
    store.close()


def test_incomplete_or_tampered_workpaper_is_refused_and_nothing_recorded(db_url):
    store = open_store(db_url, user="检查组")
    sample = draw_sample(ledger(), seed=7, branch="城关支行", policy=SamplingPolicy(min_borrowers=3))
    store.record_sample(sample)
    buf = io.BytesIO()
    write_sample_workpaper(sample, buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["现场检查清单"]
    col = columns(ws)
    for r in checklist_rows(ws):
        ws.cell(row=r, column=col["检查结论"], value="符合")
        ws.cell(row=r, column=col["检查日期"], value="2026-10-12")
    ws.cell(row=3, column=col["检查结论"], value="不符合")          # no description
    ws.cell(row=4, column=col["借据号"], value="X99")              # not in the sample
    ws.cell(row=5, column=col["检查日期"], value="2026-11-30")      # future
    ws.cell(row=6, column=col["检查结论"]).value = None            # blank
    with pytest.raises(ImportRefused) as info:
        import_workpaper(store, saved(wb), filename="底稿.xlsx", today=TODAY)
    msg = info.value.message
    assert info.value.refused["excel_row"].tolist() == [3, 4, 5, 6]
    assert "现场检查清单 第 3 行:检查结论为不符合,须填写问题描述" in msg
    assert "现场检查清单 第 4 行:借据号 X99 不在第 1 次抽样的样本中" in msg
    assert "现场检查清单 第 5 行:检查日期 2026-11-30 晚于今天 2026-10-20" in msg
    assert "现场检查清单 第 6 行:检查结论未填写" in msg
    assert store.onsite_results().empty and store.last_onsite_reviews().empty
    assert store.followup().empty
    store.close()


def test_a_run_without_findings_round_trips_to_nothing(db_url):
    store = open_store(db_url, user="u")
    rec = store.record_run(run_checks(make_loans({"L3": {}}), as_of="2026-09-30"),
                           branches=pd.Series(["城关支行"]))
    assert rec.line().startswith("与上次相比: 新增 0 / 延续 0 / 消失 0")
    result = import_findings_workbook(store, saved(exported(store)), today=TODAY)
    assert (result.rows, result.changed) == (0, 0)
    assert store.followup().empty and store.imports().empty
    store.close()
