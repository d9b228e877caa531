"""Which borrower ids are one party: a corpus of look-alike names, merged and not merged."""

from __future__ import annotations

import pandas as pd
import pytest

from postloan_audit import AnalyticsError, Extract, resolve_parties
from postloan_audit.parties import normalise_name

CODE_A = "91350100M000100Y43"
CODE_B = "91110000600037341L"
PERSON = "11010519491231002X"


def _loans(rows: list[tuple[str, str | None, str | None, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "loan_id": [f"L{i}" for i in range(len(rows))],
        "borrower_id": [r[0] for r in rows],
        "borrower_name": pd.Series([r[1] for r in rows], dtype="str"),
        "id_number": pd.Series([r[2] for r in rows], dtype="str"),
        "customer_type": [r[3] for r in rows],
        "balance": 1.0})


def _party_of(resolution) -> dict[str, str]:
    return dict(zip(resolution.parties["borrower_id"], resolution.parties["party_id"],
                    strict=True))


def _why(resolution) -> dict[str, str]:
    return dict(zip(resolution.parties["borrower_id"], resolution.parties["why"], strict=True))


@pytest.mark.parametrize("a,b", [
    ("某某建材有限公司", "某某建材有限责任公司"),
    ("华兴实业股份有限公司", "华兴实业有限公司"),
    ("華興實業有限公司", "华兴实业有限公司"),
    ("福州华兴（集团）有限公司", "福州华兴(集团)有限公司"),
    ("福州华兴【集团】有限公司", "福州 华兴 集团 有限公司"),
    ("ＡＢＣ贸易有限公司", "abc贸易有限公司"),
])
def test_names_that_normalise_alike(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_same_valid_id_number_joins_whatever_the_names():
    r = resolve_parties(_loans([("B1", "某某建材有限公司", CODE_A, "corporate"),
                                ("B2", "另一个名字有限公司", CODE_A.lower(), "corporate")]))
    assert _party_of(r) == {"B1": "B1", "B2": "B1"}
    assert _why(r) == {"B1": "同一证件号码", "B2": "同一证件号码"}


def test_a_15_digit_number_joins_its_18_digit_form():
    r = resolve_parties(_loans([("P1", "张三", PERSON, "individual"),
                                ("P2", "张三", "110105491231002", "individual")]))
    assert _party_of(r) == {"P1": "P1", "P2": "P1"}


def test_same_name_with_one_id_missing_joins():
    r = resolve_parties(_loans([("B1", "某某建材有限公司", CODE_A, "corporate"),
                                ("B2", "某某建材有限责任公司", None, "corporate")]))
    assert _party_of(r) == {"B1": "B1", "B2": "B1"}
    assert _why(r) == {"B1": "同名且一方缺少证件号码", "B2": "同名且一方缺少证件号码"}
    assert r.groups().to_dict("records") == [{"party_id": "B1", "borrower_ids": "B1、B2",
                                              "members": 2, "why": "同名且一方缺少证件号码"}]


def test_a_traditional_character_name_joins():
    r = resolve_parties(_loans([("B1", "华兴实业有限公司", CODE_A, "corporate"),
                                ("B2", "華興實業有限公司", None, "corporate")]))
    assert _party_of(r) == {"B1": "B1", "B2": "B1"}


def test_similar_names_with_two_different_valid_codes_are_never_joined():
    r = resolve_parties(_loans([("B1", "华兴实业有限公司", CODE_B, "corporate"),
                                ("B2", "华兴实业股份有限公司", CODE_A, "corporate")]),
                        look_alikes=True)
    assert _party_of(r) == {"B1": "B1", "B2": "B2"}
    assert r.look_alikes.to_dict("records") == [{
        "party_a": "B1", "name_a": "华兴实业有限公司", "party_b": "B2",
        "name_b": "华兴实业股份有限公司", "score": 100.0, "note": "证件号码不同,未合并"}]


def test_an_id_less_name_of_two_valid_codes_joins_neither():
    r = resolve_parties(_loans([("B1", "华兴实业有限公司", CODE_B, "corporate"),
                                ("B2", "华兴实业股份有限公司", CODE_A, "corporate"),
                                ("B3", "華興實業有限公司", None, "corporate")]),
                        look_alikes=True)
    assert _party_of(r) == {"B1": "B1", "B2": "B2", "B3": "B3"}
    notes = {(row["party_a"], row["party_b"]): row["note"]
             for row in r.look_alikes.to_dict("records")}
    assert notes[("B1", "B3")] == "同名而有多个不同的有效证件号码,无法确定归属,未合并"


def test_same_name_without_any_id_number_is_not_joined():
    r = resolve_parties(_loans([("B1", "某某公司", None, "corporate"),
                                ("B2", "某某公司", None, "corporate")]), look_alikes=True)
    assert _party_of(r) == {"B1": "B1", "B2": "B2"}
    assert r.look_alikes["note"].tolist() == ["双方均无证件号码,仅凭名称不合并"]


def test_an_invalid_number_joins_nothing_and_is_reported_with_its_reason():
    r = resolve_parties(_loans([("B1", "某某建材有限公司", CODE_A, "corporate"),
                                ("B2", "某某建材有限公司", "91350100M000100Y44", "corporate"),
                                ("B3", "某某建材有限公司", "91350100M00010", "corporate"),
                                ("P1", "张三", "110105194912310021", "individual"),
                                ("P2", "李四", "110105194902310025", "individual")]))
    assert _party_of(r) == {"B1": "B1", "B2": "B2", "B3": "B3", "P1": "P1", "P2": "P2"}
    assert r.invalid_ids.to_dict("records") == [
        {"borrower_id": "B2", "id_number": "91350100M000100Y44", "reason": "校验位不符"},
        {"borrower_id": "B3", "id_number": "91350100M00010", "reason": "位数不对"},
        {"borrower_id": "P1", "id_number": "110105194912310021", "reason": "校验位不符"},
        {"borrower_id": "P2", "id_number": "110105194902310025",
         "reason": "校验位不符、出生日期无效"}]


def test_similar_but_different_names_are_listed_not_joined():
    r = resolve_parties(_loans([("B1", "某某县华兴建材有限公司", CODE_A, "corporate"),
                                ("B2", "某某县华兴建筑有限公司", None, "corporate")]),
                        look_alikes=True, look_alike_score=80)
    assert _party_of(r) == {"B1": "B1", "B2": "B2"}
    [row] = r.look_alikes.to_dict("records")
    assert (row["party_a"], row["party_b"], row["note"]) == ("B1", "B2", "名称相近但不相同,未合并")
    assert 80 <= row["score"] < 100


def test_without_id_numbers_nothing_is_joined():
    loans = _loans([("B1", "某某公司", None, "corporate"), ("B2", "某某公司", None, "corporate")])
    r = resolve_parties(loans.drop(columns=["id_number"]))
    assert r.groups().empty
    assert r.look_alikes is None


def test_several_numbers_under_one_borrower_id_are_reported():
    r = resolve_parties(_loans([("B1", "某某建材有限公司", CODE_A, "corporate"),
                                ("B1", "某某建材有限公司", CODE_B, "corporate")]))
    assert r.invalid_ids.to_dict("records") == [{
        "borrower_id": "B1", "id_number": CODE_A,
        "reason": "同一客户号下有多个不同证件号码(按台账中第一个识别)"}]


def test_the_result_carries_the_extract_s_provenance():
    loans = _loans([("B1", "某某公司", CODE_A, "corporate")])
    extract = Extract(loans=loans, fingerprint="abc", source_name="x.csv")
    r = resolve_parties(extract)
    assert (r.provenance.fingerprint, r.provenance.source_name) == ("abc", "x.csv")


def test_a_frame_without_borrower_ids_is_refused():
    with pytest.raises(AnalyticsError, match="borrower_id"):
        resolve_parties(pd.DataFrame({"loan_id": ["L1"]}))


def test_look_alike_names_are_listed_whichever_party_id_comes_first():
    # the later name in the text order has the smaller party id: listed all the same, with
    # party_a the smaller id
    r = resolve_parties(_loans([("B9", "某某县华兴建材有限公司", CODE_A, "corporate"),
                                ("B1", "某某县华兴建筑有限公司", None, "corporate")]),
                        look_alikes=True, look_alike_score=80)
    assert r.look_alikes[["party_a", "name_a", "party_b", "name_b", "note"]].to_dict(
        "records") == [{"party_a": "B1", "name_a": "某某县华兴建筑有限公司", "party_b": "B9",
                        "name_b": "某某县华兴建材有限公司", "note": "名称相近但不相同,未合并"}]


def test_a_name_shared_by_many_parties_lists_each_once_against_the_first():
    rows = [(f"B{i}", "某某公司", None, "corporate") for i in range(1, 6)]
    rows.append(("C1", "某某公丝", None, "corporate"))
    r = resolve_parties(_loans(rows), look_alikes=True, look_alike_score=70)
    assert r.look_alikes[["party_a", "party_b", "score"]].values.tolist() == [
        ["B1", "B2", 100.0], ["B1", "B3", 100.0], ["B1", "B4", 100.0], ["B1", "B5", 100.0],
        ["B1", "C1", 75.0]]
