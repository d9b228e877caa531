"""Reading extracts (读取提取文件): the only code that opens input files.

- :mod:`~postloan_audit.ingest.loader`: :func:`load_extract`, workbook and CSV reading, header
  detection and row accounting;
- :mod:`~postloan_audit.ingest.parsing`: vectorised parsing of amounts, dates, codes and
  vocabularies into the canonical types;
- :mod:`~postloan_audit.ingest.profile`: :class:`ExportProfile`, a bank's export declared once
  (导出配置);
- :mod:`~postloan_audit.ingest.overview`: the accounting and issue tables shown to users.
"""

from postloan_audit.ingest.loader import load_extract
from postloan_audit.ingest.profile import ExportProfile

__all__ = ["ExportProfile", "load_extract"]
