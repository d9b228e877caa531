"""The shared source panel: which data is in use, errors that clear, alias lists folded away,
sheet and column names in Chinese."""

from __future__ import annotations

from pathlib import Path

from postloan_audit.dashboard.common import SourcePanel, zh_names

ROOT = Path(__file__).resolve().parents[2]
BAD_HEADERS = "借据,客户编号,贷款余额,五级分类,担保方式,经营机构\nL1,C1,100,正常,信用,城关支行\n"


def test_the_panel_names_the_upload_and_a_success_clears_the_old_error():
    loaded = []
    panel = SourcePanel(loaded.append)
    panel.start()
    assert "当前数据(样例台账):<b>branch_chengguan_20260930.xlsx</b>" in panel.current.value
    assert panel.load_files([(b"not a workbook" * 10, "坏文件.xlsx")]) is False
    assert "不是 Excel 工作簿" in panel.error.value
    content = (ROOT / "sample_extracts" / "network_snapshot_20260930.xlsx").read_bytes()
    assert panel.load_files([(content, "network_snapshot_20260930.xlsx")]) is True
    assert panel.error.value == ""
    assert "当前数据(上传的文件):<b>network_snapshot_20260930.xlsx</b>" in panel.current.value
    assert panel.sample_picker.value is None  # the picker no longer names another file
    assert len(loaded) == 2  # the sample, then the upload; clearing the picker loaded nothing
    # Choosing a sample again loads it.
    panel.sample_picker.value = panel.samples[0].path.as_posix()
    assert "当前数据(样例台账)" in panel.current.value and len(loaded) == 3


def test_a_missing_column_shows_the_closest_headers_and_folds_the_whole_list():
    panel = SourcePanel(lambda extracts: None)
    assert panel.load_files([(BAD_HEADERS.encode("utf-8"), "坏表头.csv")]) is False
    text = panel.error.value
    short, folded = text.split("<details class='pa-aliases'>")
    assert "可用列名如 / accepted e.g. 「借据号」、「借据编号」、「借据号码」" in short
    assert "全部可用列名见下方「全部可用列名」" in short
    assert "贷款账号" not in short and "贷款账号" in folded  # the full alias list, folded


def test_sheet_and_column_names_in_chinese():
    import pandas as pd

    frame = pd.DataFrame({"工作表": ["loans", "inspections", "其他"],
                          "列": ["balance", "inspection_date", "x"]})
    out = zh_names(frame, sheet="工作表", column="列")
    assert out["工作表"].tolist() == ["贷款台账", "贷后检查记录", "其他"]
    assert out["列"].tolist() == ["贷款余额", "检查日期", "x"]
