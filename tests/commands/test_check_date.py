"""``check`` without ``--as-of``: the data date the file carries, said on the output; no date,
no check (exit 2, naming ``--as-of``)."""

from __future__ import annotations

import pandas as pd

from postloan_audit.commands.cli import main

HEADERS = ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式", "逾期天数"]


def ledger(path, first: int = 1, overdue: int = 100):
    """Four loans of 城关支行, the first ``overdue`` days late (a CLS-OVERDUE finding)."""
    rows = [[f"L{i:03d}", f"C{i:03d}", f"客户{i}", "城关支行", "100,000", "正常", "抵押",
             overdue if i == first else 0] for i in range(first, first + 4)]
    pd.DataFrame(rows, columns=HEADERS).to_csv(path, index=False)
    return str(path)


def test_check_without_as_of_and_without_a_data_date_is_refused_naming_as_of(tmp_path, capsys):
    src = ledger(tmp_path / "台账.csv")
    assert main(["check", src]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "错误 / Error: 未指定检查日期,而文件 台账.csv 的标题行和文件名中都没有数据日期:请用 --as-of "
        "YYYY-MM-DD 指定检查日期。 / No check date: 台账.csv carries no data date (neither a "
        "title row nor the file name gives one); pass the check date with --as-of YYYY-MM-DD.\n")


def test_check_without_as_of_takes_the_data_date_and_says_so(tmp_path, capsys):
    src = ledger(tmp_path / "台账_20260930.csv")
    assert main(["check", src, "--as-of", "2026-09-30"]) == 0
    given = capsys.readouterr().out
    assert main(["check", src]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("检查日期取数据日期 2026-09-30(未指定 --as-of) / check date: the data date "
                        "2026-09-30 (no --as-of given)")
    assert lines[1:] == given.splitlines()  # the rest exactly as with --as-of


def test_several_files_without_as_of_are_checked_at_the_latest_data_date(tmp_path, capsys):
    first = ledger(tmp_path / "城关_20260831.csv", first=1)
    second = ledger(tmp_path / "城关_20260930.csv", first=11)
    assert main(["check", first, second, "--as-of", "2026-09-30"]) == 0
    given = capsys.readouterr().out
    assert main(["check", first, second]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("检查日期取各文件中最晚的数据日期 2026-09-30(未指定 --as-of) / check date: "
                        "the latest data date of the files, 2026-09-30 (no --as-of given)")
    assert lines[1:] == given.splitlines()
