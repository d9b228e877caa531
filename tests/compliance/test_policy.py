"""Policy: defaults, TOML overrides, errors that name the key, disabling rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from postloan_audit import Policy, PolicyError
from postloan_audit.compliance.policy import MAX_POLICY_BYTES

REPO = Path(__file__).resolve().parents[2]


def test_defaults_are_the_issue_values():
    p = Policy.default()
    assert (p.inspection.corporate_regular_normal_months,
            p.inspection.corporate_regular_special_mention_months,
            p.inspection.corporate_key_normal_months,
            p.inspection.corporate_key_special_mention_months,
            p.inspection.corporate_key_npl_months,
            p.inspection.individual_months) == (6, 3, 3, 1, 1, 6)
    assert (p.classification.special_mention_overdue_days,
            p.classification.substandard_overdue_days,
            p.classification.doubtful_overdue_days,
            p.classification.loss_overdue_days,
            p.classification.borrower_npl_share) == (7, 90, 270, 360, 0.10)
    assert (p.maturity.notice_months_before, p.maturity.collection_notice_working_days) == (1, 10)
    assert (p.collateral.value_drop_share, p.collateral.revaluation_months) == (0.10, 12)
    assert p.disabled == ()


def test_policy_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Policy.default().inspection.individual_months = 3  # type: ignore[misc]


def test_from_toml_overrides_and_disables(tmp_path):
    path = tmp_path / "bank.toml"
    path.write_text('[inspection]\nindividual_months = 3\n\n[collateral]\nvalue_drop_share = 0.2\n'
                    '\n[disabled]\n"RATING-STALE" = "评级由总行统一更新"\n', encoding="utf-8")
    p = Policy.from_toml(path)
    assert p.inspection.individual_months == 3
    assert p.inspection.corporate_regular_normal_months == 6
    assert p.collateral.value_drop_share == 0.2
    assert p.disabled_reason("RATING-STALE") == "评级由总行统一更新"
    assert p.disabled_reason("INSP-FREQ") is None
    assert p.source == "bank.toml"


@pytest.mark.parametrize("text,key", [
    ("[inspection]\nindividual_month = 3\n", "inspection.individual_month"),
    ("[inspections]\nindividual_months = 3\n", "[inspections]"),
    ('[inspection]\nindividual_months = "6"\n', "inspection.individual_months"),
    ("[inspection]\nindividual_months = 6.5\n", "inspection.individual_months"),
    ("[inspection]\nexempt_litigation = 1\n", "inspection.exempt_litigation"),
    ("[collateral]\nvalue_drop_share = true\n", "collateral.value_drop_share"),
    ("[inspection]\nindividual_months = -1\n", "inspection.individual_months"),
    ('[disabled]\n"NO-SUCH-RULE" = "x"\n', "disabled.NO-SUCH-RULE"),
    ('[disabled]\n"INSP-FREQ" = 1\n', "disabled.INSP-FREQ"),
])
def test_unknown_key_or_wrong_type_names_the_key(tmp_path, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(path)
    assert key in str(info.value)


def test_invalid_toml_and_inconsistent_thresholds_are_policy_errors(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[inspection\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="broken.toml"):
        Policy.from_toml(path)
    with pytest.raises(PolicyError, match="non-decreasing"):
        Policy.from_dict({"classification": {"substandard_overdue_days": 400}})


def test_invalid_toml_names_the_line_in_chinese_and_keeps_the_parser_s_words_last(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[inspection\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(path)
    chinese, english = str(info.value).split(" / ", 1)
    assert chinese == ("参数文件 broken.toml 不是有效的 TOML(第 1 行第 12 列),请检查该处的方括号、"
                       "引号和等号。")
    assert english.startswith("policy file broken.toml is not valid TOML: ")


def test_the_trail_time_zone_is_a_time_zone_name():
    assert Policy.default().trail.time_zone == "Asia/Shanghai"
    assert Policy.from_dict({"trail": {"time_zone": "UTC"}}).value("trail.time_zone") == "UTC"
    with pytest.raises(PolicyError) as info:
        Policy.from_dict({"trail": {"time_zone": "Beijing"}})
    assert str(info.value) == (
        "参数 trail.time_zone 的取值 'Beijing' 不是时区名称,应为 IANA 时区名,如 \"Asia/Shanghai\"(北京时间)"
        " / policy key trail.time_zone: 'Beijing' is not a time zone; use an IANA name such as"
        " \"Asia/Shanghai\"")
    with pytest.raises(PolicyError, match="trail.time_zone: expected a string"):
        Policy.from_dict({"trail": {"time_zone": 8}})


def test_integer_accepted_for_a_share():
    assert Policy.from_dict({"collateral": {"value_drop_share": 0}}).collateral.value_drop_share \
        == 0.0


def test_example_file_is_the_defaults_plus_nothing_unknown():
    p = Policy.from_toml(REPO / "policy.example.toml")
    assert dataclasses.replace(p, source="default") == Policy.default()


def test_items_and_value_lookup():
    p = Policy.default()
    pairs = dict(p.items())
    assert pairs["inspection.individual_months"] == 6
    assert p.value("maturity.collection_notice_working_days") == 10
    with pytest.raises(PolicyError, match="nope.x"):
        p.value("nope.x")


def test_every_policy_key_is_documented_with_its_default_and_in_the_example_file():
    doc = (REPO / "docs" / "policy.md").read_text(encoding="utf-8")
    example = (REPO / "policy.example.toml").read_text(encoding="utf-8")
    missing = []
    for key, value in Policy.default().items():
        section, name = key.split(".", 1)
        shown = ("true" if value else "false") if isinstance(value, bool) else (
            "[" + ", ".join(f'"{v}"' for v in value) + "]" if isinstance(value, tuple)
            else f"{value:g}" if isinstance(value, float) else str(value))
        if f"| `{name}` | {shown} |" not in doc or f"### `[{section}]`" not in doc:
            missing.append(f"docs: {key} = {shown}")
        if not any(line.split("=")[0].strip() == name for line in example.splitlines()):
            missing.append(f"example: {key}")
    assert missing == []


def test_a_list_of_products_is_a_list_of_strings():
    p = Policy.from_dict({"inspection": {"low_risk_products": ["存单质押贷款"]}})
    assert p.inspection.low_risk_products == ("存单质押贷款",)
    with pytest.raises(PolicyError) as info:
        Policy.from_dict({"inspection": {"low_risk_products": "存单质押贷款"}})
    assert str(info.value) == (
        "参数 inspection.low_risk_products 的类型错误:应为文字列表(如 [\"a\", \"b\"]),实际为"
        " '存单质押贷款' / policy key inspection.low_risk_products: expected a list of strings"
        " ([\"a\", \"b\"]), got '存单质押贷款'")


def test_from_toml_bytes_reads_an_upload_up_to_the_size_limit():
    policy = Policy.from_toml_bytes(b"\xef\xbb\xbf[fund_use]\ncheck_months = 2\n", "p.toml")
    assert policy.value("fund_use.check_months") == 2
    assert policy.source == "p.toml"
    assert Policy.from_toml_bytes(b"#" * MAX_POLICY_BYTES, "max.toml") == dataclasses.replace(
        Policy.default(), source="max.toml")


def test_from_toml_bytes_refuses_a_large_or_non_utf8_file_naming_it():
    with pytest.raises(PolicyError) as info:
        Policy.from_toml_bytes(b"#" * (MAX_POLICY_BYTES + 1), "big.toml")
    assert str(info.value) == ("参数文件 big.toml 过大(1,048,577 字节),应为几 KB 的 TOML 文本 / "
                               "policy file big.toml is too large (1,048,577 bytes)")
    with pytest.raises(PolicyError) as info:
        Policy.from_toml_bytes("[inspection]\n# 注释\n".encode("gbk"), "gbk.toml")
    assert str(info.value).startswith("参数文件 gbk.toml 不是 UTF-8 编码的文本,请用 UTF-8 保存后重新上传 / "
                                      "policy file gbk.toml is not UTF-8 text: 'utf-8' codec")
