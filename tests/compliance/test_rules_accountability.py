"""OFFICER-ONE: one named loan officer per borrower (``001_…`` 篇五; 篇四 5)."""

from __future__ import annotations

from checks_factory import AS_OF, flagged, make_loans, messages

from postloan_audit import run_checks

RULE = ";每个客户应明确一名客户经理作为第一责任人,客户档案不得分散由不同的客户经理管理"


def _loan(borrower: str, officer: str | None, **more) -> dict:
    return {"borrower_id": borrower, "loan_officer": officer, **more}


def test_officer_one_flags_every_outstanding_loan_of_a_borrower_with_two_officers_or_none():
    loans = make_loans({
        "two_a": _loan("B1", "张三"), "two_b": _loan("B1", "李四"),
        "same_a": _loan("B2", "王五"), "same_b": _loan("B2", "王五"),
        "none_a": _loan("B3", None), "none_b": _loan("B3", None),
        "one_and_blank_a": _loan("B4", "张三"), "one_and_blank_b": _loan("B4", None),
        "repaid_other_a": _loan("B5", "张三"),
        "repaid_other_b": _loan("B5", "李四", balance=0.0),
        "only_repaid": _loan("B6", None, balance=0.0),
        "three_a": _loan("B7", "赵六"), "three_b": _loan("B7", "李四"),
        "three_c": _loan("B7", "张三"), "three_d": _loan("B7", "李四"),
    })
    got = messages(loans, "OFFICER-ONE")
    assert set(got) == {"two_a", "two_b", "none_a", "none_b", "three_a", "three_b", "three_c",
                        "three_d"}
    assert got["two_a"] == got["two_b"] == "客户名下在贷借据由2名客户经理管理:张三、李四" + RULE
    assert got["none_a"] == "客户名下在贷借据均未登记客户经理" + RULE
    assert got["three_d"] == "客户名下在贷借据由3名客户经理管理:张三、李四、赵六" + RULE


def test_officer_one_not_run_without_the_column():
    report = run_checks(make_loans({"a": {}}, drop=["loan_officer"]), as_of=AS_OF,
                        rules=["OFFICER-ONE"])
    assert report.not_run["reason"].tolist() == [
        "缺少所需数据:列 loan_officer(客户经理) / missing data: column loan_officer"]
    assert flagged(make_loans({"a": {}}), "OFFICER-ONE") == set()
