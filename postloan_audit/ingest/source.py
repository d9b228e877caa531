"""The bytes of a source (来源文件): the one place in the package that opens input files.

Every reader starts here: :func:`~postloan_audit.ingest.loader.load_extract`, the profile
template (:mod:`~postloan_audit.ingest.template`), the returned workbooks
(:mod:`~postloan_audit.ingest.returned`), the uploaded workpapers
(:mod:`~postloan_audit.ingest.workpapers`), export profiles
(:mod:`~postloan_audit.ingest.profile`) and the Parquet store
(:mod:`~postloan_audit.ingest.parquet_store`).

- :func:`read_source`: a path, ``bytes`` or a binary file-like object (a browser upload) →
  :class:`SourceBytes` (the bytes and the name messages use), a missing or unreadable path
  refused with an :class:`~postloan_audit.core.errors.ExtractError` in Chinese and English;
- :func:`detect_kind`: which reader the bytes need, told by content
  (:mod:`~postloan_audit.ingest.sniff`), the extension only a hint for the message;
- :func:`file_bytes`, :func:`file_text`, :func:`parquet_table`: the raw reads of the
  package's own input files (profiles, a store's manifest and parts), errors passed through for
  their caller to word.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, NamedTuple

from postloan_audit.core.errors import ExtractError
from postloan_audit.ingest import sniff

if TYPE_CHECKING:
    import pyarrow as pa

Source = str | os.PathLike | bytes | bytearray | IO[bytes]
#: The readers a source can need: a zip workbook, a BIFF workbook, an HTML table, an Excel
#: 2003 XML Spreadsheet, delimited text.
Kind = Literal["xlsx", "xls", "html", "xml2003", "text"]

#: The name messages use for bytes or a buffer that came without one (a browser upload).
UPLOAD_NAME = "上传文件"
#: File extensions the loader reads (by content; the extension is only a hint).
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
SUPPORTED_FORMATS_ZH = ".xlsx、.xlsm、.xls(含网页/XML 格式)、.csv、.txt、.tsv"
SUPPORTED_FORMATS_EN = ".xlsx, .xlsm, .xls (incl. HTML/XML exports), .csv, .txt, .tsv"


class SourceBytes(NamedTuple):
    """A source's bytes and the name messages call it by."""

    data: bytes
    name: str


def read_source(source: Source, filename: str | None = None) -> SourceBytes:
    """The bytes of ``source`` and its name (``filename``, else the path's or buffer's name,
    else :data:`UPLOAD_NAME`).

    Raises
    ------
    ExtractError
        ``problem="unreadable"``: the path does not exist or cannot be read.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return SourceBytes(bytes(source), filename or UPLOAD_NAME)
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return SourceBytes(bytes(data), filename or Path(getattr(source, "name", UPLOAD_NAME)).name)
    path = Path(source)
    try:
        data = file_bytes(path)
    except FileNotFoundError:
        raise ExtractError(
            f"找不到文件 {path}。请检查路径。 / File not found: {path}.",
            source_name=str(path), problem="unreadable",
        ) from None
    except OSError as exc:
        raise ExtractError(
            f"无法读取文件 {path}:{exc.strerror}。 / Cannot read file {path}: {exc.strerror}.",
            source_name=str(path), problem="unreadable",
        ) from None
    return SourceBytes(data, filename or path.name)


def is_blank(data: bytes) -> bool:
    """True for no bytes or white space only (no copy of the buffer, as ``strip`` makes)."""
    return not data or data.isspace()


def detect_kind(data: bytes, name: str) -> Kind:
    """The reader for ``data``, told by content (see :mod:`~postloan_audit.ingest.sniff`).

    Raises
    ------
    ExtractError
        ``problem="encrypted"`` for a password-protected workbook; ``"unreadable"`` for
        content of no supported kind, or text named ``.xlsx``/``.xlsm``.
    """
    suffix = Path(name).suffix.lower()
    kind = sniff.sniff(data)
    if kind == "encrypted":
        raise ExtractError(
            f"文件 {name} 已加密(设置了打开密码),无法读取。请在 Excel 中输入密码打开,"
            f"在“文件 > 信息 > 保护工作簿 > 用密码进行加密”中清除密码,再另存为不加密的 .xlsx 后上传。"
            f" / {name} is password-protected (encrypted). Open it in Excel with the password,"
            f" remove the password and save it as an unencrypted .xlsx.",
            source_name=name, problem="encrypted",
        )
    if (kind == "text" and suffix in {".xlsx", ".xlsm"}) or (
            kind == "unknown" and suffix in {".xlsx", ".xlsm", ".xls"}):
        raise ExtractError(
            f"文件 {name} 的扩展名是 {suffix},但内容不是 Excel 工作簿(可能已损坏或只是改了扩展名)。"
            f"请在 Excel 中打开后另存为 .xlsx,或直接上传 CSV。"
            f" / {name} has the extension {suffix} but is not an Excel workbook (damaged, or"
            f" renamed). Open it in Excel and save as .xlsx, or upload a CSV.",
            source_name=name, problem="unreadable",
        )
    if kind == "unknown":
        raise ExtractError(
            f"文件 {name} 不是支持的格式(支持 {SUPPORTED_FORMATS_ZH})。"
            f" / {name} is not a supported file type ({SUPPORTED_FORMATS_EN}).",
            source_name=name, problem="unreadable",
        )
    return kind


# --------------------------------------------------------------------------- raw reads


def file_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of the file at ``path``; :class:`OSError` passes through to the caller."""
    return Path(path).read_bytes()


def file_text(path: str | os.PathLike) -> str:
    """The UTF-8 text of the file at ``path``; :class:`OSError` and
    :class:`UnicodeDecodeError` pass through to the caller."""
    return Path(path).read_text(encoding="utf-8")


def parquet_table(path: str | os.PathLike, columns: list[str] | None = None) -> pa.Table:
    """The Parquet file at ``path`` (only ``columns`` when given); :class:`OSError` and
    pyarrow's errors pass through to the caller."""
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns)
