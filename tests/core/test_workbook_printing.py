"""Every workbook the package writes prints as a bank workpaper, read back from LibreOffice's PDF.

The workbooks of :mod:`printed_workbooks` (hand-built data) are converted once, by one headless
LibreOffice with a private profile (parallel runs do not share one), and read back with
poppler's ``pdftotext`` and ``pdfinfo``: the pages each sheet takes for its rows, the page header
(title, branch, data date, seed or run) and 「第 x 页,共 y 页」 on every page, every cell's text
printed whole (``pdftotext -raw`` keeps a wrapped cell's lines together; LibreOffice drops the
lines a row is too low for and prints ``###`` for a number too wide), no word printed over
another, the header clear of the first row, 11 pt text on every cell printed at no less than
the scale floor, the sign-off blocks, and no file name of the source documents.

LibreOffice (``libreoffice-calc``) and poppler (``poppler-utils``) are Debian packages that
``.ci/run`` installs: without them these tests fail, they never skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from printed_workbooks import Printed, write_all

from postloan_audit.core import workbooks as wbk

TOOLS = {"pdftotext": "poppler-utils", "pdfinfo": "poppler-utils"}
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"([^<]*)</word>")
CJK = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Printed, Path]]:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    missing = sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None}
                     | ({"libreoffice-calc"} if office is None else set()))
    if missing:
        pytest.fail("打印测试需要 LibreOffice 与 poppler / the printing tests need soffice, "
                    f"pdftotext and pdfinfo: apt-get install -y {' '.join(missing)} "
                    "(.ci/run installs them)")
    folder = tmp_path_factory.mktemp("printed")
    books = write_all(folder)
    out = folder / "pdf"
    profile = (folder / "libreoffice-profile").as_uri()
    done = subprocess.run(
        [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *[str(b.path) for b in books.values()]],
        capture_output=True, text=True, timeout=600)
    result = {}
    for name, book in books.items():
        pdf = out / f"{book.path.stem}.pdf"
        if not pdf.exists():
            pytest.fail(f"LibreOffice did not convert {book.path.name}: {done.stdout}{done.stderr}")
        result[name] = (book, pdf)
    return result


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path, mode: str = "-layout") -> list[str]:
    """The text of each page (``-raw``: in drawing order, a wrapped cell's lines together)."""
    pages = _run("pdftotext", mode, str(pdf), "-").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))


def _sheet_of(book: Printed, page: str) -> str | None:
    squeezed = _squeeze(page)
    for sheet in load_workbook(book.path, read_only=True).sheetnames:
        if _squeeze(f"{book.title} · {sheet}") in squeezed:
            return sheet
    return None


def _words(pdf: Path) -> list[tuple[float, np.ndarray, list[str]]]:
    """Per page: its height, the word boxes (xMin, yMin, xMax, yMax) and the words."""
    xml = _run("pdftotext", "-bbox", str(pdf), "-")
    pages = []
    for page in xml.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        found = WORD.findall(page)
        boxes = np.array([[float(v) for v in w[:4]] for w in found]).reshape(-1, 4)
        pages.append((height, boxes, [w[4] for w in found]))
    return pages


NAMES = ["workpaper", "new_customers", "findings", "followup", "control", "mus", "management",
         "maturities", "settled", "watchlist", "alerts"]


@pytest.mark.parametrize("name", NAMES)
def test_every_page_carries_the_page_header_and_its_page_number(printed, name):
    book, pdf = printed[name]
    pages = _pages(pdf)
    total = _page_count(pdf)
    assert len(pages) == total
    for number, page in enumerate(pages, start=1):
        squeezed = _squeeze(page)
        assert _squeeze(book.title) in squeezed, (number, page[:200])
        for detail in book.details:
            assert _squeeze(detail) in squeezed, (number, detail)
        assert f"第{number}页,共{total}页" in squeezed, number


@pytest.mark.parametrize("name", NAMES)
def test_every_page_repeats_its_sheets_title_and_column_headers(printed, name):
    book, pdf = printed[name]
    sheets = load_workbook(book.path)
    for number, page in enumerate(_pages(pdf, "-raw"), start=1):
        ws = sheets[_sheet_of(book, page)]
        last = int(re.search(r"(\d+)$", ws.print_title_rows).group(1))
        hidden = {k for k, d in ws.column_dimensions.items() if d.hidden}
        squeezed = _squeeze(page)
        for row in ws.iter_rows(min_row=1, max_row=last):
            for cell in row:
                if cell.value is not None and cell.column_letter not in hidden:
                    if cell.alignment.text_rotation:  # printed upright: its lines in turn
                        assert all(_squeeze(line) in squeezed
                                   for line in str(cell.value).split("\n")), (number, cell.value)
                    else:
                        assert _squeeze(str(cell.value)) in squeezed, (number, cell.value)


@pytest.mark.parametrize("name", NAMES)
def test_each_sheet_prints_within_the_pages_its_rows_allow(printed, name):
    book, pdf = printed[name]
    counts: dict[str, int] = {}
    for page in _pages(pdf):
        sheet = _sheet_of(book, page)
        assert sheet is not None, page[:200]
        counts[sheet] = counts.get(sheet, 0) + 1
    for sheet, bound in book.page_bounds.items():
        assert 1 <= counts.get(sheet, 0) <= bound, (sheet, counts)


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_prints_whole(printed, name):
    book, pdf = printed[name]
    raw = _squeeze(_run("pdftotext", "-raw", str(pdf), "-"))
    assert "###" not in raw  # a number too wide for its column
    expected = list(book.whole)
    for ws in load_workbook(book.path).worksheets:
        hidden = {k for k, d in ws.column_dimensions.items() if d.hidden}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or cell.column_letter in hidden:
                    continue
                if isinstance(cell.value, float) and cell.number_format == "General":
                    continue  # General decimals print as LibreOffice rounds them
                expected.append(wbk.display_text(cell.value, cell.number_format)
                                if not isinstance(cell.value, str) else cell.value)
    cut = [text for text in expected if _squeeze(text) not in raw]
    assert cut == []


@pytest.mark.parametrize("name", NAMES)
def test_no_word_prints_over_another_and_the_header_clears_the_first_row(printed, name):
    book, pdf = printed[name]
    for number, (height, boxes, words) in enumerate(_words(pdf), start=1):
        x0, y0, x1, y1 = boxes.T
        w = np.maximum(0, np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0))
        h = np.maximum(0, np.minimum(y1[:, None], y1) - np.maximum(y0[:, None], y0))
        area = (x1 - x0) * (y1 - y0)
        overlap = w * h / np.maximum(np.minimum(area[:, None], area), 1e-9)
        np.fill_diagonal(overlap, 0)
        i, j = np.unravel_index(overlap.argmax(), overlap.shape)
        assert overlap.max() < 0.2, (number, words[i], words[j])
        # the page header: its two lines are the first words of the page
        header = set(_squeeze(book.title + "·").split("·")) | set(book.details)
        top = [k for k, word in enumerate(words) if word in header and y0[k] < 72]
        body = [k for k in range(len(words)) if k not in top and y0[k] > y1[top].min()
                and y1[k] < height - 72 * wbk.MARGINS["bottom"]]
        assert top and body
        assert y1[top].max() + 2 < y0[body].min(), (number, [words[k] for k in body[:5]])


@pytest.mark.parametrize("name", NAMES)
def test_text_is_11pt_arial_on_every_cell_and_prints_no_smaller_than_the_scale_floor(printed,
                                                                                     name):
    book, pdf = printed[name]
    for ws in load_workbook(book.path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert (cell.font.name, cell.font.sz) in {
                        ("Arial", wbk.BODY_SIZE), ("Arial", wbk.TITLE_SIZE)}, cell.coordinate
    floor = wbk.BODY_SIZE * wbk.MIN_PRINT_SCALE - 0.15
    for number, (height, boxes, words) in enumerate(_words(pdf), start=1):
        # a Chinese character is one em wide: a word's width per character is its size
        sizes = [(boxes[k, 2] - boxes[k, 0]) / len(word) for k, word in enumerate(words)
                 if CJK.match(word) and 72 < boxes[k, 1] < height - 72]
        assert sizes and float(np.median(sizes)) >= floor, (number, np.median(sizes))
        header = [(boxes[k, 2] - boxes[k, 0]) / len(word) for k, word in enumerate(words)
                  if CJK.match(word) and boxes[k, 1] < 60]
        assert min(header) >= 9 - 0.15, number  # the page header does not shrink


@pytest.mark.parametrize("name", NAMES)
def test_sign_off_blocks_print_where_a_person_signs(printed, name):
    book, pdf = printed[name]
    last: dict[str, str] = {}
    for page in _pages(pdf):
        last[_sheet_of(book, page)] = _squeeze(page)
    for sheet, labels in book.sign_off.items():
        for label in labels:
            assert f"{label}:" in last[sheet], (sheet, label)


@pytest.mark.parametrize("name", NAMES)
def test_no_source_file_name_prints(printed, name):
    _, pdf = printed[name]
    text = _run("pdftotext", "-raw", str(pdf), "-")
    assert re.findall(r"00[0-4]_|`|seed", text, flags=re.IGNORECASE) == []
