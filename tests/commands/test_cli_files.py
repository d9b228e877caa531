"""Files on the command line: an operating-system error is one sentence naming the path and
what to do (never ``[Errno 2]``), checked before the work where it can be; and a file a person
fills in (a workpaper, a findings workbook with 整改情况) is never replaced without ``--force``
(``postloan_audit.commands.files``)."""

from __future__ import annotations

import errno

import openpyxl
import pandas as pd
import pytest

from postloan_audit.commands.cli import main
from postloan_audit.commands.files import os_error_message

HEADERS = ["借据号", "客户号", "客户名称", "经营机构", "贷款余额", "五级分类", "担保方式", "逾期天数"]


def ledger(path, first: int = 1, overdue: int = 100):
    """Four loans of 城关支行, the first ``overdue`` days late (a CLS-OVERDUE finding)."""
    rows = [[f"L{i:03d}", f"C{i:03d}", f"客户{i}", "城关支行", "100,000", "正常", "抵押",
             overdue if i == first else 0] for i in range(first, first + 4)]
    pd.DataFrame(rows, columns=HEADERS).to_csv(path, index=False)
    return str(path)


# ---------------------------------------------------------------- operating-system errors


def test_a_missing_output_folder_is_named_before_any_work(tmp_path, capsys):
    src = ledger(tmp_path / "台账.csv")
    out = tmp_path / "no" / "such" / "问题清单.xlsx"
    assert main(["check", src, "--as-of", "2026-09-30", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"错误 / Error: 输出目录不存在:{out.parent}。请先创建该目录,或换一个输出路径。 / output "
        f"folder does not exist: {out.parent}; create it first or choose another path.\n")


def test_a_file_open_in_another_program_says_close_it(tmp_path, capsys, monkeypatch):
    import postloan_audit.compliance.findings_workbook as fw

    def locked(report, target, **_):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(fw, "write_findings_workbook", locked)
    src = ledger(tmp_path / "台账.csv")
    out = tmp_path / "问题清单.xlsx"
    assert main(["check", src, "--as-of", "2026-09-30", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"错误 / Error: 无法写入 {out}:没有写入权限,或该文件正在其他程序(如 Excel、WPS)中打开。"
        f"请关闭该文件,或换一个文件名后重试。 / cannot write {out}: permission denied, or the file"
        " is open in another program (Excel, WPS); close it or choose another name, then try"
        " again.\n")


def test_a_recorded_run_whose_workbook_cannot_be_written_says_how_to_export_it(
        tmp_path, capsys, monkeypatch):
    import postloan_audit.trail.exchange as ex

    def locked(store, target, **_):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr(ex, "export_findings_workbook", locked)
    db, out = str(tmp_path / "audit.db"), tmp_path / "问题清单.xlsx"
    assert main(["check", ledger(tmp_path / "台账.csv"), "--as-of", "2026-09-30", "--record",
                 "--db", db, "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"第 1 次检查已记录,问题清单未写出;处理下面的问题后可用 postloan-audit followup export FILE "
        f"--run 1 --db {db} 重新导出。 / run 1 is recorded but its workbook was not written; once "
        f"the problem below is fixed, export it with postloan-audit followup export FILE --run 1 "
        f"--db {db}.")
    assert err[1].startswith(f"错误 / Error: 无法写入 {out}:")


def test_a_missing_input_file_is_named_without_errno(tmp_path, capsys):
    src = ledger(tmp_path / "台账.csv")
    assert main(["check", src, "--as-of", "2026-09-30", "--policy", "没有这个文件.toml"]) == 2
    assert capsys.readouterr().err == (
        "错误 / Error: 找不到文件:没有这个文件.toml。请检查路径和文件名。 / file not found: "
        "没有这个文件.toml; check the path and the file name.\n")


def test_a_folder_given_as_the_output_file(tmp_path, capsys):
    src = ledger(tmp_path / "台账.csv")
    assert main(["check", src, "--as-of", "2026-09-30", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"错误 / Error: {tmp_path} 是文件夹,不是文件:请给出要写入的文件名。 / {tmp_path} is a "
        "folder, not a file: give the name of the file to write.\n")


@pytest.mark.parametrize(("exc", "message"), [
    (PermissionError(errno.EACCES, "Permission denied", "台账.xlsx"),
     "无法访问 台账.xlsx:没有权限,或该文件正被其他程序占用。请检查权限,或关闭占用该文件的程序后重试。 / "
     "cannot access 台账.xlsx: permission denied, or the file is in use by another program; "
     "check the permissions or close that program, then try again."),
    (OSError(errno.ENOSPC, "No space left on device", "out.xlsx"),
     "磁盘空间不足,无法写入 out.xlsx。请清理磁盘或换一个位置后重试。 / no space left on the disk to "
     "write out.xlsx; free some space or choose another place."),
    (OSError(errno.EIO, "Input/output error", "u.xlsx"),
     "文件操作失败(u.xlsx)。请检查路径、权限和磁盘后重试。 / file operation failed on u.xlsx: "
     "Input/output error"),
])
def test_other_os_errors_name_the_path_and_keep_the_system_s_words_last(exc, message):
    assert os_error_message(exc) == message
    assert "[Errno" not in os_error_message(exc)


# ---------------------------------------------------------------- files people fill in


def test_a_workpaper_is_not_replaced_without_force(tmp_path, capsys):
    wb = openpyxl.Workbook()
    wb.active.append(["检查结论"])
    wb.active.append(["已填写"])
    paper = tmp_path / "底稿.xlsx"
    wb.save(paper)
    before = paper.read_bytes()
    src = ledger(tmp_path / "台账.csv")
    assert main(["sample", src, "--seed", "7", "--out", str(paper)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"错误 / Error: 文件已存在:{paper},未覆盖。如确需替换,请加 --force(原文件中已填写的内容将丢失),"
        f"或换一个文件名。 / {paper} exists and was not replaced: add --force to replace it (what "
        "was filled in is lost), or choose another name.\n")
    assert paper.read_bytes() == before
    assert main(["stat-sample", src, "--test", "control", "--n", "2", "--seed", "7", "--out",
                 str(paper)]) == 2
    assert "请加 --force" in capsys.readouterr().err and paper.read_bytes() == before
    assert main(["sample", src, "--seed", "7", "--out", str(paper), "--force"]) == 0
    assert "现场检查工作底稿已写入" in capsys.readouterr().out
    assert "现场检查清单" in openpyxl.load_workbook(paper).sheetnames


def test_a_plain_findings_report_is_made_again_in_place(tmp_path, capsys):
    src, out = ledger(tmp_path / "台账.csv"), tmp_path / "问题清单.xlsx"
    out.write_bytes(b"an earlier report")
    assert main(["check", src, "--as-of", "2026-09-30", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "汇总"
