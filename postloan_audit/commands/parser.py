"""argparse in Chinese first, English after (命令行参数解析的中文提示).

argparse writes its own messages in English: the usage heading, the group titles of ``-h``,
and every usage error ("the following arguments are required", "invalid int value",
"unrecognized arguments"). :class:`ChineseArgumentParser` gives each of them as
"中文 / English", without touching argparse's module state (other parsers in the same process,
a notebook's, keep their English):

- the headings are set where argparse sets them (the group titles, the ``-h`` help, the usage
  prefix of :class:`ChineseHelpFormatter`);
- an error message, built by argparse from its English templates, is matched against
  :data:`MESSAGES_ZH`, a table keyed by those templates exactly as argparse passes them to
  gettext (``tests/commands/test_cli_messages.py`` checks that argparse still has each one), and
  the Chinese is put first; a message the table does not know keeps a general Chinese line.

Subparsers are built with the parent's class (argparse's default), so every sub-command speaks
the same way. The exit code of a usage error stays 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from postloan_audit.commands.tables import display_width

#: The usage heading (argparse: ``usage: ``).
USAGE_ZH = "用法 / usage: "
#: Group titles and the ``-h`` help, argparse's English after the Chinese.
POSITIONALS_ZH = "位置参数 / positional arguments"
OPTIONALS_ZH = "选项 / options"
HELP_ZH = "显示本帮助并退出 / show this help message and exit"

#: argparse's error templates (its gettext msgids, Python 3.11-3.13) → the Chinese, in the order
#: they are tried (the specific before the general: ``expected one argument`` before
#: ``expected %s argument``). Placeholders of the Chinese are the template's names, or ``0``,
#: ``1`` for its positional ``%s``/``%r``.
MESSAGES_ZH: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: %s", "缺少必需的参数:{0}"),
    ("unrecognized arguments: %s", "无法识别的参数:{0}"),
    ("argument %(argument_name)s: %(message)s", "参数 {argument_name}:{message}"),
    ("invalid %(type)s value: %(value)r", "{value}不是有效的{type}"),
    ("invalid choice: %(value)r (choose from %(choices)s)", "{value}不是可选的值,可选:{choices}"),
    ("expected one argument", "需要给出一个值"),
    ("expected at most one argument", "最多给出一个值"),
    ("expected at least one argument", "至少需要给出一个值"),
    ("expected %s argument", "需要给出 {0} 个值"),
    ("expected %s arguments", "需要给出 {0} 个值"),
    ("ambiguous option: %(option)s could match %(matches)s", "选项 {option} 不明确,可能是 {matches}"),
    ("not allowed with argument %s", "不能与参数 {0} 同时使用"),
    ("one of the arguments %s is required", "须给出以下参数之一:{0}"),
    ("ignored explicit argument %r", "该选项不接受值 {0}"),
)
#: When argparse says something :data:`MESSAGES_ZH` does not know (a later Python's new text).
UNKNOWN_ZH = "命令行参数有误"
#: Value types argparse names in "invalid %(type)s value".
TYPES_ZH: dict[str, str] = {"int": "整数", "float": "数值"}

_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)[sr]|%[sr]")


def _pattern(template: str) -> re.Pattern[str]:
    """The regular expression matching what ``template`` renders to."""
    counter = iter(range(10))

    def group(match: re.Match[str]) -> str:
        name = match.group(1) or f"_{next(counter)}"
        return f"(?P<{name}>.*?)"

    return re.compile("^" + _PLACEHOLDER.sub(group, re.escape(template)) + "$", re.S)


_PATTERNS = [(_pattern(en), zh) for en, zh in MESSAGES_ZH]


def _quoted(value: str) -> str:
    """``'x'`` (a repr, as argparse shows a value) → ``「x」``."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return f"「{value[1:-1]}」"
    return value


def translate(message: str) -> str:
    """The Chinese of one of argparse's English error messages (:data:`UNKNOWN_ZH` when the
    table does not know it).

    >>> translate("argument --seed: invalid int value: 'x'")
    '参数 --seed:「x」不是有效的整数'
    """
    for pattern, zh in _PATTERNS:
        match = pattern.match(message)
        if match is None:
            continue
        facts = match.groupdict()
        if "message" in facts:
            facts["message"] = translate(facts["message"])
        if "type" in facts:
            facts["type"] = TYPES_ZH.get(facts["type"], f" {facts['type']} 值")
        if "value" in facts:
            facts["value"] = _quoted(facts["value"])
        positional = [facts[f"_{i}"] for i in range(10) if f"_{i}" in facts]
        return zh.format(*positional, **facts)
    return UNKNOWN_ZH


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with the bilingual usage heading :data:`USAGE_ZH`."""

    def _format_usage(self, usage, actions, groups, prefix):  # noqa: ANN001 - argparse's
        if prefix is not None:  # a sub-command's prog is built with prefix ""
            return super()._format_usage(usage, actions, groups, prefix)
        # argparse indents wrapped usage lines by len(prefix); a Chinese prefix is wider on the
        # screen than it is long, so the usage is laid out behind blanks of its display width.
        pad = " " * display_width(USAGE_ZH)
        return USAGE_ZH + super()._format_usage(usage, actions, groups, pad)[len(pad):]


class ChineseArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose headings and errors read "中文 / English".

    A usage error prints the usage, then one line ``错误 / Error: 中文 / English`` naming
    ``PROG -h``, and exits with code 2 (as argparse does).
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = POSITIONALS_ZH
        self._optionals.title = OPTIONALS_ZH
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=HELP_ZH)
        self.add_help = add_help

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"错误 / Error: {translate(message)}。运行 {self.prog} -h 查看用法。 / "
                     f"{message}; {self.prog} -h shows the usage.\n")
