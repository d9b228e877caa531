"""``parties``, ``circles``, ``exposures``, ``benford``, ``duplicates`` and ``compare`` on the
command line: exact output on the sample extracts and on one small hand-made workbook (loans,
guarantors, collateral), the workbooks they write, exit 2 with one bilingual message and
nothing else on bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from postloan_audit.commands.cli import COMMAND_MODULES, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_extracts"
JUNE = SAMPLES / "network_snapshot_20260630.xlsx"
SEPTEMBER = SAMPLES / "network_snapshot_20260930.xlsx"
HEAD_OFFICE = SAMPLES / "head_office_6_branches_20260930.csv"
COMMANDS = ("parties", "circles", "exposures", "benford", "duplicates", "compare")


@pytest.fixture(autouse=True)
def unlimited_width(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)


def sha12(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """Ten loans of nine customer numbers: B1 and B2 guarantee each other (a circle), B4 → B5
    → B6 → B7 is a chain of three links, B3 and B4 share collateral K1 worth 500,000 against
    750,000 of loans, B8 and B9 carry one id number (GB 11643's published example), and L1,
    L1b are one loan twice (same customer, amount and day)."""
    loans = pd.DataFrame({
        "借据号": ["L1", "L1b", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9"],
        "客户号": ["B1", "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"],
        "客户名称": ["东方机械有限公司", "东方机械有限公司", "西山物流有限公司", "南湖茶业有限公司",
                 "北岭建材有限公司", "一号农场", "二号农场", "三号农场", "张三", "张三"],
        "经营机构": ["城东支行"] * 5 + ["城西支行"] * 5,
        "贷款余额": [600000, 600000, 300000, 400000, 350000, 100000, 100000, 100000, 50000, 60000],
        "五级分类": ["正常", "正常", "次级", "正常", "关注", "正常", "正常", "正常", "正常", "正常"],
        "担保方式": ["保证", "保证", "保证", "抵押", "抵押", "保证", "保证", "保证", "信用", "信用"],
        "客户类型": ["对公"] * 8 + ["个人"] * 2,
        "发放日期": ["2026-01-05", "2026-01-05", "2026-02-01", "2026-03-01", "2026-03-02",
                 "2026-04-01", "2026-04-01", "2026-04-01", "2026-05-01", "2026-05-02"],
        "到期日期": ["2027-01-05"] * 10,
        "证件号码": [""] * 8 + ["11010519491231002X"] * 2})
    guarantees = pd.DataFrame({"借据号": ["L1", "L2", "L6", "L7", "L5"],
                               "保证人编号": ["B2", "B1", "B5", "B6", "B4"]})
    collateral = pd.DataFrame({"押品编号": ["K1", "K1"], "借据号": ["L3", "L4"],
                               "评估价值": [500000, 500000],
                               "评估日期": ["2026-03-01", "2026-03-01"]})
    path = tmp_path / "城东城西_20260930.xlsx"
    with pd.ExcelWriter(path) as writer:
        loans.to_excel(writer, sheet_name="贷款台账", index=False)
        guarantees.to_excel(writer, sheet_name="保证人", index=False)
        collateral.to_excel(writer, sheet_name="押品", index=False)
    return path


def head(path: Path, loans: str) -> str:
    return f"文件 {path.name}(指纹 {sha12(path)},数据日期 {path.stem[-8:-4]}-{path.stem[-4:-2]}-" \
           f"{path.stem[-2:]}):贷款 {loans} 笔"


def sheets(path: Path) -> list[str]:
    return openpyxl.load_workbook(path, read_only=True).sheetnames


def test_the_commands_are_registered():
    assert "analytics" in COMMAND_MODULES
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(COMMANDS) <= set(commands)


# ---------------------------------------------------------------- parties

def test_parties_joins_one_id_number_and_writes_the_workbook(book, tmp_path, capsys):
    out = tmp_path / "parties.xlsx"
    assert main(["parties", str(book), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        head(book, "10"),
        "客户号 9 个,识别为债务人 8 户;合并 1 组;证件号码无效 0 个;名称相近未合并 0 对",
        "",
        "合并为同一债务人的客户号 / borrower ids joined into one party(1 行 / rows)",
        "债务人编号  客户号  客户号个数  合并依据",
        "B8          B8、B9           2  同一证件号码",
        "",
        "无效证件号码 / invalid id numbers:无 / none",
        "",
        "名称相近但未合并(供复核) / look-alike names not joined, to review:无 / none",
        f"审计分析工作簿已写入 / analytics workbook written: {out}",
    ]
    assert sheets(out) == ["说明", "同一债务人", "客户号对应", "无效证件号码", "名称相近"]


def test_parties_on_the_sample_finds_every_id_valid_and_lists_look_alike_names(capsys):
    """The sample's id numbers are fake (region 990000) but carry valid check characters;
    companies of one name with different credit codes are listed, never joined."""
    assert main(["parties", str(SEPTEMBER)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:10] == [
        head(SEPTEMBER, "1,200"),
        "客户号 848 个,识别为债务人 848 户;合并 0 组;证件号码无效 0 个;名称相近未合并 56 对",
        "",
        "合并为同一债务人的客户号 / borrower ids joined into one party:无 / none",
        "",
        "无效证件号码 / invalid id numbers:无 / none",
        "",
        "名称相近但未合并(供复核) / look-alike names not joined, to review(56 行 / rows)",
        "债务人甲    名称甲                      债务人乙    名称乙                      相似度  未合并原因",
        "0000010012  石门县新禾茶业有限公司      0000010189  石门县新禾茶业有限公司      100.00  证件号码不同,未合并",
    ]
    assert "…… 其余 36 行见 --out 工作簿 / 36 more rows in the --out workbook" in lines


# ---------------------------------------------------------------- circles

def test_circles_lists_the_circle_and_the_chain_beyond_the_depth(book, capsys):
    assert main(["circles", str(book)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        head(book, "10"),
        "担保关系 5 条,涉及债务人 6 户;担保圈 1 个;超过 2 层的担保链 1 条",
        "",
        "担保圈 / guarantee circles(1 行 / rows)",
        "担保圈编号  债务人数  客户号  贷款余额(元)",
        "C001               2  B1、B2  1,500,000.00",
        "",
        "担保链(超过 2 层) / chains of more than 2 links(1 行 / rows)",
        "担保链编号  担保层数  担保路径(保证人 → 借款人)  链首(保证人)  链尾(借款人)  贷款余额(元)",
        "L001               3  B4 → B5 → B6 → B7          B4            B7              650,000.00",
    ]


def test_circles_with_a_depth_of_three_lists_no_chain(book, tmp_path, capsys):
    out = tmp_path / "circles.xlsx"
    assert main(["circles", str(book), "--depth", "3", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "担保关系 5 条,涉及债务人 6 户;担保圈 1 个;超过 3 层的担保链 0 条"
    assert "担保链(超过 3 层) / chains of more than 3 links:无 / none" in lines
    assert sheets(out) == ["说明", "担保圈", "担保圈成员", "担保链", "担保关系"]


def test_circles_without_a_guarantees_sheet_is_refused(capsys):
    assert main(["circles", str(HEAD_OFFICE)]) == 2  # a one-sheet CSV
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("错误 / Error: 缺少保证人表(guarantees),无法分析。 / the guarantees"
                            " sheet is missing.\n")


@pytest.mark.parametrize("depth", ["0", "-1"])
def test_circles_refuses_a_depth_below_one_before_reading(depth, capsys):
    assert main(["circles", "无此文件.xlsx", "--depth", depth]) == 2
    assert capsys.readouterr().err == (
        f"错误 / Error: --depth 须为不小于 1 的整数(担保链的层数),收到 {depth}。 / --depth must be"
        f" a whole number of links, at least 1, got {depth}.\n")


# ---------------------------------------------------------------- exposures

def test_exposures_on_both_sides_of_the_limits(book, tmp_path, capsys):
    # 一级资本净额 4,000,000: B1 1,200,000 = 30% (≥ 10% and over 15%), B3 400,000 = exactly 10%
    # (large, within 15%), B2 300,000 = 7.5% (not listed); 资本净额 5,000,000: B1 24% > 10%.
    out = tmp_path / "exposures.xlsx"
    assert main(["exposures", str(book), "--tier1-capital", "4000000", "--capital", "5000000",
                 "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        head(book, "10"),
        "一级资本净额 4,000,000.00 元,资本净额 5,000,000.00 元;大额风险暴露 2 项,超过限额 2 项",
        "",
        "大额风险暴露与限额 / large exposures and limits(3 行 / rows)",
        "类别            客户/集团编号  名称              客户号  贷款余额(元)  占比    限额比例  大额风险暴露"
        "  超过限额",
        "非同业单一客户  B1             东方机械有限公司  B1      1,200,000.00  30.00%  15.00%    是      "
        "      是",
        "单一借款人贷款  B1             东方机械有限公司  B1      1,200,000.00  24.00%  10.00%    否      "
        "      是",
        "非同业单一客户  B3             南湖茶业有限公司  B3        400,000.00  10.00%  15.00%    是      "
        "      否",
        "",
        "经营机构集中度 / concentration by branch:HHI 0.7392(×10000 = 7,392),前10大占比 100.00%",
        "排名  经营机构  笔数  贷款余额(元)  占比    累计占比",
        "   1  城东支行     5  2,250,000.00  84.59%  84.59%",
        "   2  城西支行     5    410,000.00  15.41%  100.00%",
        f"审计分析工作簿已写入 / analytics workbook written: {out}",
    ]
    assert sheets(out) == ["说明", "大额风险暴露", "经营机构集中度"]


def test_exposures_without_the_capitals_says_what_to_set(capsys):
    assert main(["exposures", str(SEPTEMBER), "--capital", "6e8"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "错误 / Error: 缺少 --tier1-capital。请填写本行数据日期的一级资本净额(--tier1-capital)和资本"
        "净额(--capital),单位:元;本工具不设默认值。 / give the bank's tier-1 capital"
        " (--tier1-capital) and capital (--capital) at the data date, in yuan; there is no"
        " default.\n")


def test_exposures_refuses_a_capital_that_is_not_positive(capsys):
    assert main(["exposures", str(SEPTEMBER), "--tier1-capital", "0", "--capital", "6e8"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("错误 / Error: --tier1-capital 须为正的金额(元),收到 0。 /"
                            " --tier1-capital must be a positive amount in yuan, got 0.\n")


# ---------------------------------------------------------------- benford

def test_benford_on_the_head_office_file_with_two_limits(tmp_path, capsys):
    out = tmp_path / "benford.xlsx"
    assert main(["benford", str(HEAD_OFFICE), "--limits", "5000000,1000000",
                 "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        head(HEAD_OFFICE, "3,000"),
        "首位数字检验:检验 3,000 笔(剔除 0 笔),χ²=79.31(自由度 8,p=6.74e-14),MAD=0.0170,按 "
        "Nigrini(2012)标准判定为「不符合」",
        "",
        "各数字实际与期望 / observed and expected per digit(9 行 / rows)",
        "首位数字  实际笔数  期望笔数  实际占比  期望占比  z 值  显著偏多",
        "       1       727    903.09  24.23%    30.10%    6.99  否",
        "       2       616    528.27  20.53%    17.61%    4.18  是",
        "       3       444    374.82  14.80%    12.49%    3.79  是",
        "       4       321    290.73  10.70%    9.69%     1.84  否",
        "       5       279    237.54  9.30%     7.92%     2.77  是",
        "       6       202    200.84  6.73%     6.69%     0.05  否",
        "       7       154    173.98  5.13%     5.80%     1.52  否",
        "       8       127    153.46  4.23%     5.12%     2.15  否",
        "       9       130    137.27  4.33%     4.58%     0.59  否",
        "",
        "阈值下方堆积(区间 ±5%)/ bunching below limits:标记 0 个阈值",
        "    阈值(元)  阈值下方笔数  阈值上方笔数  下方/上方  疑似堆积",
        "1,000,000.00            14            12       1.17  否",
        "5,000,000.00             5            10       0.50  否",
        f"审计分析工作簿已写入 / analytics workbook written: {out}",
    ]
    assert sheets(out) == ["说明", "首位数字检验", "显著偏多数字的借据", "阈值下方堆积", "堆积区间借据"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--limits", "abc"], "阈值须为金额(元),以逗号分隔(如 5000000,10000000),收到 'abc'。 / limits"
                          " must be amounts in yuan separated by commas, got 'abc'."),
    (["--limits", "5000000,-5"], "阈值须为正的金额(元),收到 -5.00。 / limits must be positive"
                                 " amounts in yuan, got -5.00."),
    (["--limits", ","], "阈值须为正的金额(元),收到 无。 / limits must be positive amounts in"
                        " yuan, got none."),
    (["--limits", "5000000", "--band", "2"], "--band 须在 0 与 1 之间(占阈值的比例),收到 2。 /"
                                             " --band must be a share of the limit between 0 and"
                                             " 1, got 2."),
])
def test_benford_refuses_bad_limits_before_printing_anything(arguments, message, capsys):
    assert main(["benford", str(HEAD_OFFICE), *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"错误 / Error: {message}\n"


# ---------------------------------------------------------------- duplicates

def test_duplicates_lists_shared_collateral_shared_id_numbers_and_identical_loans(
        book, tmp_path, capsys):
    out = tmp_path / "duplicates.xlsx"
    assert main(["duplicates", str(book), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        head(book, "10"),
        "",
        "一物多押且超过评估价值 / collateral pledged beyond its value(1 行 / rows)",
        "押品编号  权证编号  债务人数  债务人编号  借据笔数  借据号  贷款余额合计(元)  评估价值(元)"
        "  超出评估价值(元)",
        "K1                         2  B3、B4             2  L3、L4        750,000.00    500,000.00"
        "        250,000.00",
        "",
        "同一证件号码对应多个客户号 / one id number under several borrower ids(1 行 / rows)",
        "证件号码            证件号码有效  客户号  名称",
        "11010519491231002X  是            B8、B9  张三",
        "",
        "疑似重复借据(客户号、余额、发放日期相同) / identical loans(2 行 / rows)",
        "组号  借据号  客户号  贷款余额(元)  发放日期    经营机构  客户名称",
        "   1  L1      B1        600,000.00  2026-01-05  城东支行  东方机械有限公司",
        "   1  L1b     B1        600,000.00  2026-01-05  城东支行  东方机械有限公司",
        f"审计分析工作簿已写入 / analytics workbook written: {out}",
    ]
    assert sheets(out) == ["说明", "一物多押", "证件号码重复", "疑似重复借据"]


def test_duplicates_without_a_collateral_sheet_says_it_was_not_checked(capsys):
    assert main(["duplicates", str(HEAD_OFFICE)]) == 0  # a one-sheet CSV
    assert capsys.readouterr().out.splitlines() == [
        head(HEAD_OFFICE, "3,000"),
        "台账无押品表(collateral),未检查一物多押。 / no collateral sheet: shared collateral not"
        " checked.",
        "",
        "一物多押且超过评估价值 / collateral pledged beyond its value:无 / none",
        "",
        "同一证件号码对应多个客户号 / one id number under several borrower ids:无 / none",
        "",
        "疑似重复借据(客户号、余额、发放日期相同) / identical loans:无 / none",
    ]


# ---------------------------------------------------------------- compare

def test_compare_reconciles_the_two_samples_and_notes_loans_repaid_in_place(tmp_path, capsys):
    out = tmp_path / "compare.xlsx"
    assert main(["compare", str(JUNE), str(SEPTEMBER), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:16] == [
        f"上期 {head(JUNE, '1,200')}",
        f"本期 {head(SEPTEMBER, '1,200')}",
        "",
        "余额勾稽(元) / reconciliation",
        "项目                     贷款余额(元)   笔数",
        "上期余额             2,240,707,314.95  1,200",
        "加:新发放                        0.00      0",
        "减:结清                          0.00      0",
        "加:存续借据余额变动   -296,043,910.46  1,200",
        "本期余额             1,944,663,404.49  1,200",
        "注意 / note: 本期余额为 0 但仍在台账中的借据 39 笔,计入存续借据余额变动而非结清(结清指本期台账中已无"
        "该借据) / 39 loans at a zero balance are still in the later file: counted as continuing,"
        " not settled",
        "",
        "新发放借据 / new loans:无 / none",
        "",
        "结清借据 / settled loans:无 / none",
        "",
    ]
    assert lines[16] == "重要变动 / changes to review(50 行 / rows)"
    assert lines[18] == "001200500000222  五级分类  关注  正常  分类上调(好转)"
    assert lines[-2:] == ["…… 其余 30 行见 --out 工作簿 / 30 more rows in the --out workbook",
                          f"审计分析工作簿已写入 / analytics workbook written: {out}"]
    assert sheets(out) == ["说明", "余额勾稽", "重要变动", "新发放", "结清"]


def test_compare_of_hand_made_snapshots_lists_new_settled_and_changed(tmp_path, capsys):
    header = "借据号,客户号,经营机构,贷款余额,五级分类,担保方式,客户类型,发放日期,到期日期\n"
    before = tmp_path / "台账_20260630.csv"
    after = tmp_path / "台账_20260930.csv"
    before.write_text(header + "A1,P1,城东支行,1000.10,正常,抵押,个人,2026-01-01,2027-01-01\n"
                               "A2,P2,城东支行,500.00,次级,保证,个人,2026-01-01,2027-01-01\n"
                               "A3,P3,城东支行,250.25,正常,信用,个人,2026-01-01,2027-01-01\n",
                      encoding="utf-8")
    after.write_text(header + "A1,P1,城东支行,900.05,正常,信用,个人,2026-01-01,2027-01-01\n"
                              "A2,P2,城东支行,600.00,次级,保证,个人,2026-01-01,2027-01-01\n"
                              "A4,P4,城东支行,77.77,正常,信用,个人,2026-08-01,2027-08-01\n",
                     encoding="utf-8")
    assert main(["compare", str(before), str(after)]) == 0
    assert capsys.readouterr().out.splitlines()[3:] == [
        "余额勾稽(元) / reconciliation",
        "项目                 贷款余额(元)  笔数",
        "上期余额                 1,750.35     3",
        "加:新发放                   77.77     1",
        "减:结清                   -250.25     1",
        "加:存续借据余额变动         -0.05     2",
        "本期余额                 1,577.82     3",
        "",
        "新发放借据 / new loans(1 行 / rows)",
        "借据号  客户号  经营机构  贷款余额(元)",
        "A4      P4      城东支行         77.77",
        "",
        "结清借据 / settled loans(1 行 / rows)",
        "借据号  客户号  经营机构  贷款余额(元)",
        "A3      P3      城东支行        250.25",
        "",
        "重要变动 / changes to review(2 行 / rows)",
        "借据号  字段      上期    本期    变动",
        "A1      担保方式  抵押    信用    担保方式弱化",
        "A2      贷款余额  500.00  600.00  不良贷款余额增加",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_file_is_one_sentence_without_a_traceback(command, capsys):
    arguments = {"exposures": ["无此文件.xlsx", "--tier1-capital", "1e9", "--capital", "1.2e9"],
                 "compare": [str(JUNE), "无此文件.xlsx"]}.get(command, ["无此文件.xlsx"])
    assert main([command, *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "错误 / Error: 找不到文件 无此文件.xlsx。请检查路径。 / File not found: 无此文件.xlsx.\n"
