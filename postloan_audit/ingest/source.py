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

from postloan_audit.core.errors import ExtractError, Problem
from postloan_audit.core.messages import SUPPORTED_FORMATS_EN, SUPPORTED_FORMATS_ZH
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
# SUPPORTED_FORMATS_ZH/EN (the formats named in messages) come from the message catalogue.
__all__ = ["SUPPORTED_EXTENSIONS", "SUPPORTED_FORMATS_EN", "SUPPORTED_FORMATS_ZH", "UPLOAD_NAME",
           "Kind", "Source", "SourceBytes", "detect_kind", "file_bytes", "file_text",
           "is_blank", "parquet_table", "read_source"]


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
        raise ExtractError.from_facts(Problem.UNREADABLE, "not_found",
                                      source_name=str(path)) from None
    except OSError as exc:
        raise ExtractError.from_facts(Problem.UNREADABLE, "os_error", source_name=str(path),
                                      error=exc.strerror) from None
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
        raise ExtractError.from_facts(Problem.ENCRYPTED, "workbook", source_name=name)
    if (kind == "text" and suffix in {".xlsx", ".xlsm"}) or (
            kind == "unknown" and suffix in {".xlsx", ".xlsm", ".xls"}):
        raise ExtractError.from_facts(Problem.UNREADABLE, "not_a_workbook", source_name=name,
                                      suffix=suffix)
    if kind == "unknown":
        raise ExtractError.from_facts(Problem.UNREADABLE, "unsupported", source_name=name)
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
