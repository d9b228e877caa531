"""No file can take the process down: hostile workbooks are loaded in a child process under a
memory limit, which must end with a clean result or a clean ExtractError, never a signal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data"
sys.path.insert(0, str(DATA))
import make_corpus  # noqa: E402

#: Address-space limit of the child (bytes): the loader must stay within about 2 GB.
MEMORY_LIMIT = 2 * 1024**3

CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
import postloan_audit as pa
try:
    extract = pa.load_extract(sys.argv[1])
except pa.ExtractError as err:
    print("ExtractError", err.problem)
else:
    acc = extract.accounting
    print("loaded", int(acc["kept"].sum()), int(acc["rejected"].sum()),
          int(acc["summary_rows"].sum()))
"""


def load_in_child(path: Path) -> str:
    result = subprocess.run([sys.executable, "-c", CHILD.format(limit=MEMORY_LIMIT), str(path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("hostile")
    make_corpus.stray_note_ledger(directory)
    make_corpus.zip_bomb(directory, inflated_mib=256)
    html = ("<table><tr>" + "".join(f"<th>{h}</th>" for h in make_corpus.HEADER.split(","))
            + "</tr><tr><td rowspan=65534 colspan=1000>x</td></tr></table>")
    (directory / "huge_span.xls").write_text(html, encoding="utf-8")
    (directory / "far_index.xls").write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"'
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="贷款台账">'
        '<Table><Row ss:Index="1048576"><Cell ss:Index="16384"><Data ss:Type="String">x</Data>'
        "</Cell></Row></Table></Worksheet></Workbook>", encoding="utf-8")
    (directory / "entities.xls").write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2'
        ' "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Workbook'
        ' xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell>'
        "<Data>&lol2;</Data></Cell></Row></Table></Worksheet></Workbook>", encoding="utf-8")
    return directory


def test_one_cell_in_xfd1048576_loads_the_ledger():
    assert load_in_child(DATA / "far_cell.xlsx") == "loaded 2 0 1"


def test_a_20000_row_ledger_with_a_note_in_xfd1_loads_completely(hostile):
    assert load_in_child(hostile / "stray_note_ledger.xlsx") == "loaded 20000 0 0"


def test_a_zip_bomb_is_refused_before_it_is_inflated(hostile):
    assert load_in_child(hostile / "zip_bomb.xlsx") == "ExtractError too_large"


def test_an_html_cell_spanning_a_huge_area_is_read_without_blowing_up(hostile):
    assert load_in_child(hostile / "huge_span.xls") == "loaded 0 1 0"


def test_an_xml_spreadsheet_cell_at_the_last_index_is_refused(hostile):
    assert load_in_child(hostile / "far_index.xls") == "ExtractError too_large"


def test_an_xml_spreadsheet_declaring_entities_is_refused(hostile):
    assert load_in_child(hostile / "entities.xls") == "ExtractError unreadable"


def test_an_encrypted_workbook_is_refused_cleanly():
    assert load_in_child(DATA / "encrypted.xlsx") == "ExtractError encrypted"


def test_a_zip_bomb_in_process_names_the_part(hostile):
    import postloan_audit as pa

    with pytest.raises(pa.ExtractError) as err:
        pa.load_extract(hostile / "zip_bomb.xlsx")
    assert str(err.value) == (
        "文件 zip_bomb.xlsx 解压后体积异常(部件 xl/worksheets/sheet1.xml 超过安全上限,疑似“压缩炸弹”),"
        "为保护系统未读取。请在 Excel 中打开确认内容后另存为 .xlsx 再上传。 / zip_bomb.xlsx inflates"
        " beyond the safety limit (part xl/worksheets/sheet1.xml; a zip bomb?) and was not read."
        " Open it in Excel, check it and save it again as .xlsx.")
