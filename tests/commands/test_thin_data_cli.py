"""check and sample say how many rows were rejected; with no loan kept they exit 2."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from postloan_audit.commands.cli import main

DATA = Path(__file__).parents[1] / "data"
ALL_REJECTED = ("借据号,客户号,经营机构,贷款余额,五级分类,担保方式\n"
                "L001,C001,城关支行,abc,正常,信用\n"
                "L002,C002,城关支行,1000,不良,信用\n")


def damaged_sample(tmp_path: Path) -> tuple[Path, str]:
    """The head-office sample extract with control characters in one name and an ``inf``
    balance in the next row; returns the file and the first row's branch."""
    sample = Path(__file__).parents[2] / "sample_extracts" / "head_office_6_branches_20260930.csv"
    lines = sample.read_bytes().decode("gb18030").split("\n")
    fields = lines[1].split(",")
    fields[6] = "\x00" + fields[6] + "\x07\x1b"  # 客户名称 with NUL, BEL and ESC
    lines[1] = ",".join(fields)
    second = lines[2].split(",")
    second[3] = "inf"  # 贷款余额(元)
    lines[2] = ",".join(second)
    source = tmp_path / "damaged.csv"
    source.write_bytes("\n".join(lines).encode("gb18030"))
    return source, fields[2]


def test_check_reports_rejected_rows_and_lists_them_in_the_findings_workbook(tmp_path, capsys):
    source, _ = damaged_sample(tmp_path)
    out = tmp_path / "findings.xlsx"
    code = main(["check", str(source), "--as-of", "2026-09-30", "--out", str(out)])
    assert code == 0
    stdout = capsys.readouterr().out
    assert stdout.splitlines()[0] == (
        f"贷款台账读取 3,000 行:保留 2,999 笔,拒绝 1 行,合计/汇总行 0 行 / loans: 3,000 rows read,"
        f" 2,999 kept, 1 rejected, 0 summary rows。被拒绝的行见问题清单工作簿的「拒绝行」表({out})")
    rows = list(load_workbook(out)["拒绝行"].iter_rows(values_only=True))
    assert rows == [("工作表", "行号", "列", "原值", "拒绝原因"),
                    ("loans", 3, "balance", "inf", "无法识别的金额「inf」(列 贷款余额),应为数字金额(如"
                     " 1,234.56) / unparseable amount 'inf' in balance")]


def test_check_with_no_loan_kept_exits_2_and_writes_nothing(tmp_path, capsys):
    source = tmp_path / "all_rejected.csv"
    source.write_text(ALL_REJECTED, encoding="utf-8")
    out = tmp_path / "findings.xlsx"
    assert main(["check", str(source), "--as-of", "2026-09-30", "--out", str(out)]) == 2
    assert not out.exists()
    assert capsys.readouterr().err == (
        "错误 / Error: 文件 all_rejected.csv 没有可用的贷款:读取 2 行,全部被拒绝或列为合计行,未进行检查。"
        "请运行 postloan-audit validate 查看拒绝原因并修正文件。 / all_rejected.csv has no usable"
        " loan: all 2 rows were rejected or set aside, nothing was checked. Run postloan-audit"
        " validate for the reasons.\n")


def test_sample_out_survives_control_characters_in_the_data(tmp_path, capsys):
    source, branch = damaged_sample(tmp_path)
    workpaper = tmp_path / "workpaper.xlsx"
    assert main(["sample", str(source), "--branch", branch, "--seed", "1",
                 "--out", str(workpaper)]) == 0
    assert workpaper.exists()
    assert "拒绝 1 行" in capsys.readouterr().out


def test_sample_says_how_many_rows_were_rejected(capsys):
    assert main(["sample", str(DATA / "guarantee_words.csv"), "--seed", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "贷款台账读取 10 行:保留 8 笔,拒绝 2 行,合计/汇总行 0 行 / loans: 10 rows read, 8 kept,"
        " 2 rejected, 0 summary rows。被拒绝的行见postloan-audit validate 的输出")


def test_sample_with_no_loan_kept_exits_2(tmp_path, capsys):
    source = tmp_path / "all_rejected.csv"
    source.write_text(ALL_REJECTED, encoding="utf-8")
    assert main(["sample", str(source), "--seed", "1"]) == 2
    assert "没有可用的贷款" in capsys.readouterr().err


def test_check_on_a_file_with_only_the_required_columns_runs_no_rule_and_still_reports(
        tmp_path, capsys):
    out = tmp_path / "findings.xlsx"
    assert main(["check", str(DATA / "infinite_amounts.csv"), "--as-of", "2026-09-30",
                 "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "贷款 1 笔,发现问题 0 条" in stdout
    assert "未执行规则 / rules not run" in stdout
    assert load_workbook(out)["拒绝行"].max_row == 5
