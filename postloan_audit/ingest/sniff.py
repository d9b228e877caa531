"""Telling what a file is by its content (文件格式识别), not by its extension.

Core banking systems (核心系统/信贷系统) routinely save an HTML table, an Excel 2003 XML
Spreadsheet or tab-separated text under a ``.xls`` name, and Windows "Unicode text" exports
are UTF-16. :func:`sniff` looks at the first bytes and returns one of:

``xlsx``
    an OOXML zip package (``.xlsx``/``.xlsm``);
``xls``
    a legacy BIFF workbook in an OLE/CFB container;
``encrypted``
    an OLE/CFB container holding an ``EncryptedPackage`` stream: a password-protected
    workbook (Excel stores every encrypted ``.xlsx`` this way);
``html``
    an HTML document with a ``<table>``;
``xml2003``
    an Excel 2003 XML Spreadsheet (``urn:schemas-microsoft-com:office:spreadsheet``);
``text``
    delimited text (CSV, TSV, UTF-16 "Unicode text");
``unknown``
    binary content of no supported kind.
"""

from __future__ import annotations

import re

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The CFB directory entry name of an encrypted OOXML package (MS-OFFCRYPTO 2.3.4).
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: How many leading bytes are decoded to look for markup.
SNIFF_BYTES = 4096

_HTML_RE = re.compile(r"<\s*(?:!doctype\s+html|html|table|head|body|meta)\b", re.IGNORECASE)
_XML2003_RE = re.compile(r"urn:schemas-microsoft-com:office:spreadsheet|<\s*(?:ss:)?Workbook\b")


def _head_text(data: bytes) -> str:
    head = data[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    # ASCII markup reads the same in UTF-8, GBK and GB18030.
    return head.decode("latin-1")


def is_encrypted_cfb(data: bytes) -> bool:
    """True for an OLE/CFB file whose directory names an ``EncryptedPackage`` stream."""
    return data.startswith(CFB_MAGIC) and ENCRYPTED_STREAM in data


def sniff(data: bytes) -> str:
    """The kind of ``data`` (see the module docstring)."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(CFB_MAGIC):
        return "encrypted" if is_encrypted_cfb(data) else "xls"
    text = _head_text(data).lstrip()
    if text.startswith("<"):
        if _XML2003_RE.search(text):
            return "xml2003"
        if _HTML_RE.search(text):
            return "html"
    if _HTML_RE.search(text[:1024]) and "<table" in text.lower():
        return "html"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if b"\x00" in data[:SNIFF_BYTES]:
        # UTF-16 without a BOM: every other byte of ASCII text is NUL.
        head = data[:SNIFF_BYTES]
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            return "text"
        if head.count(0) <= max(1, len(head) // 100):
            return "text"  # a stray NUL typed into a text export: the loader removes it
        return "unknown"
    return "text"
