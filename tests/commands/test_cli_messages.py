"""argparse's own messages on the command line: Chinese first, English after, usage errors
with exit code 2 (``postloan_audit.commands.parser``)."""

from __future__ import annotations

import argparse
import inspect

import pytest

from postloan_audit.commands import parser as zh
from postloan_audit.commands.cli import main


@pytest.fixture(autouse=True)
def _narrow_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps the usage to the terminal


# ---------------------------------------------------------------- argparse, Chinese first

SAMPLE_USAGE = (
    "用法 / usage: postloan-audit sample [-h] [--branch BRANCH] --seed SEED\n"
    "                                    [--min-borrowers MIN_BORROWERS]\n"
    "                                    [--out OUT] [--force] [--record]\n"
    "                                    [--db PATH] [--profile PROFILE]\n"
    "                                    extract\n")
TOP_USAGE = "用法 / usage: postloan-audit [-h] [--verbose] COMMAND ...\n"


def test_a_missing_required_option_is_named_in_chinese_then_english(capsys):
    assert main(["sample", "台账.xlsx"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == SAMPLE_USAGE + (
        "错误 / Error: 缺少必需的参数:--seed。运行 postloan-audit sample -h 查看用法。 / the "
        "following arguments are required: --seed; postloan-audit sample -h shows the usage.\n")


def test_an_invalid_integer_names_the_option_and_the_value(capsys):
    assert main(["sample", "台账.xlsx", "--seed", "x"]) == 2
    assert capsys.readouterr().err == SAMPLE_USAGE + (
        "错误 / Error: 参数 --seed:「x」不是有效的整数。运行 postloan-audit sample -h 查看用法。 / "
        "argument --seed: invalid int value: 'x'; postloan-audit sample -h shows the usage.\n")


def test_an_unknown_option_is_named(capsys):
    assert main(["validate", "台账.xlsx", "--frobnicate"]) == 2
    assert capsys.readouterr().err == TOP_USAGE + (
        "错误 / Error: 无法识别的参数:--frobnicate。运行 postloan-audit -h 查看用法。 / "
        "unrecognized arguments: --frobnicate; postloan-audit -h shows the usage.\n")


def test_no_command_asks_for_one(capsys):
    assert main([]) == 2
    assert capsys.readouterr().err == TOP_USAGE + (
        "错误 / Error: 缺少必需的参数:COMMAND。运行 postloan-audit -h 查看用法。 / the following "
        "arguments are required: COMMAND; postloan-audit -h shows the usage.\n")


def test_an_invalid_choice_lists_the_choices(capsys):
    assert main(["stat-plan", "--test", "controls", "--tolerable", "0.05"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "错误 / Error: 参数 --test:「controls」不是可选的值,可选:'control', 'classification'。运行 "
        "postloan-audit stat-plan -h 查看用法。 / argument --test: invalid choice: 'controls' "
        "(choose from 'control', 'classification'); postloan-audit stat-plan -h shows the usage.")


def test_help_headings_are_bilingual_and_exit_0(capsys):
    assert main(["rules", "-h"]) == 0
    assert capsys.readouterr().out == (
        "用法 / usage: postloan-audit rules [-h] [--policy POLICY]\n"
        "\n"
        "选项 / options:\n"
        "  -h, --help       显示本帮助并退出 / show this help message and exit\n"
        "  --policy POLICY  参数文件 (TOML) / policy file\n")
    assert main(["followup", "-h"]) == 0
    out = capsys.readouterr().out
    assert "\n位置参数 / positional arguments:\n" in out and "usage:" not in out.replace(
        "用法 / usage:", "")


def test_the_translation_table_holds_argparse_s_own_templates():
    # Each key is one of argparse's gettext message ids, as this Python's argparse has it.
    source = inspect.getsource(argparse)
    assert [en for en, _ in zh.MESSAGES_ZH if f"'{en}'" not in source] == []


def test_a_message_the_table_does_not_know_keeps_a_chinese_line():
    assert zh.translate("something new in Python 3.99") == zh.UNKNOWN_ZH
    assert zh.translate("argument --n: expected one argument") == "参数 --n:需要给出一个值"
    assert zh.translate("argument --x: invalid percent value: '5%'") == \
        "参数 --x:「5%」不是有效的 percent 值"


def test_other_parsers_keep_argparse_s_english(capsys):
    plain = argparse.ArgumentParser(prog="other")
    plain.add_argument("--n", type=int, required=True)
    with pytest.raises(SystemExit):
        plain.parse_args([])
    assert capsys.readouterr().err == ("usage: other [-h] --n N\n"
                                       "other: error: the following arguments are required: --n\n")
