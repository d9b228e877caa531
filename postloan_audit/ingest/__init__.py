"""Reading extracts (读取提取文件): the only code that opens input files.

:func:`~postloan_audit.ingest.loader.load_extract` reads a file in stages, each a module with
one job and a typed interface::

    source.py         path / bytes / upload → SourceBytes (bytes + name); kind by content (sniff)
        │             the one module that opens input files (also for profiles, returned
        │             workbooks, workpapers and the Parquet store)
    sheets.py         bytes → RawSheet per sheet: workbooks (sparse path, error-cell overlay,
        │             merges; workbook_guard, xlsx_stream, markup), text (delimited); sheet
        │             assignment and the "no loans sheet" facts
    header.py         RawSheet → HeaderArea: header row, sub-header, titles; header → column map
    columns.py        cleaned text, Excel error cells, units, typed columns (parsing), durations
    rows.py           blank, summary, sign-off and repeated-header rows; row rules, duplicates
    profile_values.py an export profile's units, values and derived columns (days_since …)
    tally.py          issues, rejected rows and accounting, in order
    loader.py         load_extract: the stages in order, per sheet, and the Extract

Delimited text (:mod:`~postloan_audit.ingest.delimited`) is decoded and read in blocks by two
engines behind one interface (``read_block``: ``"pyarrow"``, ``"exact"``), chosen by argument
(:class:`~postloan_audit.ingest.delimited.TextOptions`). Every byte-level kernel (Arrow and
numpy buffers) is in :mod:`~postloan_audit.ingest.kernels`, each with a plain twin in the tests;
:mod:`~postloan_audit.ingest.parsing` turns text columns into canonical values. Messages of
the errors are rendered from their facts by :mod:`postloan_audit.core.messages`.

Beside the loader: :mod:`~postloan_audit.ingest.profile` (:class:`ExportProfile`, a bank's
export declared once, 导出配置), :mod:`~postloan_audit.ingest.template` (a starting profile),
:mod:`~postloan_audit.ingest.parquet_store` (a loaded extract kept as Parquet),
:mod:`~postloan_audit.ingest.returned` and :mod:`~postloan_audit.ingest.workpapers` (workbooks
that come back from the branches), :mod:`~postloan_audit.ingest.overview` (the accounting and
issue tables shown to users).
"""

from postloan_audit.ingest.loader import load_extract
from postloan_audit.ingest.profile import ExportProfile

__all__ = ["ExportProfile", "load_extract"]
