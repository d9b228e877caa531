"""Building blocks shared by the Voila dashboards (看板公共组件).

Every dashboard is a class that builds ipywidgets and can be driven without a browser (tests
call the same methods the widgets' callbacks call). This module holds what they share:

* :class:`SourcePanel`: choose a bundled sample extract or upload one or more files; the load
  result (rows read / kept / rejected / summary rows and the issues table) is shown at once;
  a bad file shows a readable error panel, and the previous data stays loaded and shown.
* HTML helpers for tables, the error panel, KPI cards and download links (``data:`` URLs,
  so a download needs no server-side file and nothing is written to the served folder).
* :func:`plot_output`: a plotly figure in an ``Output`` widget, rendered by the plotly
  mimetype renderer that ships with plotly (no CDN).

CSS classes used by the browser tests: ``pa-error`` (error panel), ``pa-table`` (tables),
``pa-download`` (download links), ``pa-load-summary`` (the load result).
"""

from __future__ import annotations

import base64
import html
import json
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from postloan_audit.core.errors import ExtractError, PostloanAuditError
from postloan_audit.core.extract import Extract
from postloan_audit.ingest.loader import load_extract
from postloan_audit.ingest.overview import accounting_table, issues_table

#: Largest upload accepted (bytes); Voila's websocket limit is raised to match in voila.json.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
UPLOAD_ACCEPT = ".xlsx,.xlsm,.xls,.csv,.txt,.tsv"
#: Rows shown in an on-screen table before "… 共 N 行" (the workbook download has them all).
MAX_TABLE_ROWS = 200
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_extracts"

_STYLE = """
<style>
.pa-table { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px 0; }
.pa-table th { background: #ddebf7; padding: 4px 8px; text-align: left; position: sticky; top: 0; }
.pa-table td { padding: 3px 8px; border-bottom: 1px solid #e5e5e5; }
.pa-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pa-error { border: 2px solid #c0392b; background: #fdecea; color: #7b241c; padding: 10px 14px;
            border-radius: 4px; margin: 8px 0; white-space: pre-wrap; }
.pa-ok { border-left: 4px solid #2e7d32; background: #f1f8e9; padding: 6px 12px; margin: 6px 0; }
.pa-kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.pa-kpi { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.pa-kpi .label { color: #57606a; font-size: 12px; }
.pa-kpi .value { font-size: 20px; font-weight: 600; }
a.pa-download { display: inline-block; background: #1f6feb; color: white !important;
                padding: 6px 14px; border-radius: 4px; text-decoration: none; margin: 6px 0; }
.pa-note { color: #57606a; font-size: 12px; }
</style>
"""


def style_widget() -> widgets.HTML:
    """The dashboards' CSS, as a widget to place once at the top of a dashboard."""
    return widgets.HTML(_STYLE)


# --------------------------------------------------------------------------- HTML helpers


def table_html(frame: pd.DataFrame, *, headers: dict[str, str] | None = None,
               max_rows: int = MAX_TABLE_ROWS, number_format: str = "{:,.2f}",
               css_id: str | None = None) -> str:
    """An escaped HTML table with Chinese headers; floats with thousands separators.

    Only the first ``max_rows`` rows are shown, followed by a note with the full count.
    """
    shown = frame.head(max_rows)
    headers = headers or {}
    cols = list(shown.columns)
    head = "".join(f"<th>{html.escape(str(headers.get(c, c)))}</th>" for c in cols)
    body_rows = []
    formats = {}
    for c in cols:
        if pd.api.types.is_float_dtype(shown[c].dtype):
            formats[c] = number_format
        elif pd.api.types.is_datetime64_any_dtype(shown[c].dtype):
            formats[c] = "{:%Y-%m-%d}"
    records = shown.astype(object).where(shown.notna(), None).to_numpy().tolist()
    for record in records:
        cells = []
        for c, value in zip(cols, record, strict=True):
            if value is None:
                cells.append("<td></td>")
            elif c in formats:
                cells.append(f"<td class='num'>{html.escape(formats[c].format(value))}</td>")
            elif isinstance(value, tuple | list):
                cells.append(f"<td>{html.escape('、'.join(map(str, value)))}</td>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f"<td class='num'>{value:,}</td>")
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    ident = f" id='{html.escape(css_id)}'" if css_id else ""
    more = ""
    if len(frame) > max_rows:
        more = (f"<p class='pa-note'>仅显示前 {max_rows} 行,共 {len(frame):,} 行;"
                f"完整内容请下载工作簿。</p>")
    if not len(frame):
        return f"<table class='pa-table'{ident}><tr>{head}</tr></table><p class='pa-note'>(无)</p>"
    return (f"<table class='pa-table'{ident}><thead><tr>{head}</tr></thead><tbody>"
            + "".join(body_rows) + "</tbody></table>" + more)


def error_html(title: str, message: str, *, hint: str | None = None) -> str:
    """A readable error panel (no traceback): what is wrong and how to fix it."""
    parts = [f"<b>{html.escape(title)}</b>", html.escape(message)]
    if hint:
        parts.append(html.escape(hint))
    return "<div class='pa-error'>" + "<br>".join(parts) + "</div>"


def kpi_cards_html(items: Sequence[tuple[str, str]]) -> str:
    """KPI cards: (label, formatted value) pairs."""
    cards = "".join(
        f"<div class='pa-kpi'><div class='label'>{html.escape(label)}</div>"
        f"<div class='value'>{html.escape(value)}</div></div>"
        for label, value in items
    )
    return f"<div class='pa-kpis'>{cards}</div>"


def download_link_html(data: bytes, filename: str, label: str, *, mime: str = XLSX_MIME) -> str:
    """A link that downloads ``data`` as ``filename`` (a ``data:`` URL; no file on the server)."""
    payload = base64.b64encode(data).decode("ascii")
    return (f"<a class='pa-download' download='{html.escape(filename)}' "
            f"href='data:{mime};base64,{payload}'>{html.escape(label)}</a>")


def plot_output(figure=None) -> widgets.Output:
    """A plotly figure in an Output widget, rendered by plotly's mimetype renderer."""
    out = widgets.Output()
    show_figure(out, figure)
    return out


def show_figure(out: widgets.Output, figure) -> None:
    """Show ``figure`` in ``out`` by setting the widget's ``outputs`` state (None clears it).

    The figure travels as widget state (the ``application/vnd.plotly.v1+json`` mimetype, drawn
    by the jupyterlab-plotly renderer that ships with plotly; no CDN), not as a display message
    captured by the Output widget. Voila executes the notebook through nbclient, which mimics
    the Output widget's capture with comm messages while the cell runs; with several Output
    widgets filled during that first execution the cell's execute reply was intermittently
    lost and the page never finished loading (seen with voila 0.5.13, nbclient 0.11,
    ipykernel 7.4: 3 hangs in 8 loads; none in 14 with this approach).
    """
    if figure is None:
        out.outputs = ()
        return
    bundle = {"application/vnd.plotly.v1+json": json.loads(figure.to_json()),
              "text/plain": "<plotly figure>"}
    out.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)


def user_error_message(exc: BaseException) -> tuple[str, str]:
    """(title, message) for an exception raised while handling a user's action."""
    if isinstance(exc, ExtractError):
        return "文件无法读取 / The file cannot be read", exc.message
    if isinstance(exc, PostloanAuditError | ValueError):
        return "输入有误 / Invalid input", str(exc)
    return ("处理失败 / Something went wrong",
            f"{type(exc).__name__}: {exc}。请把此信息告知系统管理员。 / Please report this message.")


# --------------------------------------------------------------------------- source panel


@dataclass(frozen=True)
class Sample:
    """A bundled sample extract offered in the source picker."""

    label: str
    path: Path


def bundled_samples() -> list[Sample]:
    """The sample extracts shipped in ``sample_extracts/``."""
    names = [
        ("样例:城关支行台账 2026-09-30", "branch_chengguan_20260930.xlsx"),
        ("样例:总行6家支行 2026-09-30(CSV)", "head_office_6_branches_20260930.csv"),
        ("样例:全辖快照 2026-09-30", "network_snapshot_20260930.xlsx"),
        ("样例:全辖快照 2026-06-30", "network_snapshot_20260630.xlsx"),
    ]
    return [Sample(label, SAMPLE_DIR / name) for label, name in names]


class SourcePanel:
    """Pick a bundled sample or upload files; show the load result; keep data on errors.

    Parameters
    ----------
    on_loaded:
        Called with the list of loaded extracts after every successful load (a sample
        choice or an upload). Not called when a load fails: the error panel shows what is
        wrong and the previous extracts stay in :attr:`extracts`.
    default:
        File name of the bundled sample loaded at start.
    multiple:
        Accept several uploaded files at once (head office).
    validate:
        Optional check of a set of freshly loaded extracts before they replace the current
        ones (e.g. two uploaded files sharing loan ids); raising ``ValueError`` or
        :class:`~postloan_audit.core.errors.PostloanAuditError` shows the error panel and keeps
        the previous data, exactly as a file that cannot be read.
    """

    def __init__(self, on_loaded: Callable[[list[Extract]], None], *,
                 default: str = "branch_chengguan_20260930.xlsx", multiple: bool = False,
                 samples: Sequence[Sample] | None = None, title: str = "数据来源",
                 validate: Callable[[list[Extract]], None] | None = None) -> None:
        self.on_loaded = on_loaded
        self.validate = validate
        self.samples = list(samples or bundled_samples())
        self.extracts: list[Extract] = []
        options = [(s.label, str(s.path)) for s in self.samples]
        default_path = next((str(s.path) for s in self.samples if s.path.name == default),
                            options[0][1])
        self.sample_picker = widgets.Dropdown(options=options, value=default_path,
                                              description="样例台账",
                                              layout=widgets.Layout(width="420px"))
        self.upload = widgets.FileUpload(accept=UPLOAD_ACCEPT, multiple=multiple,
                                         description="上传台账", button_style="info")
        self.status = widgets.HTML()
        self.error = widgets.HTML()
        self.issues = widgets.HTML()
        self.widget = widgets.VBox([
            widgets.HTML(f"<h3>{html.escape(title)}</h3>"
                         "<p class='pa-note'>可直接使用样例台账,或上传本行导出的贷款台账"
                         "(.xlsx / .csv,单个文件不超过 100 MB)。</p>"),
            widgets.HBox([self.sample_picker, self.upload]),
            self.error, self.status, self.issues,
        ])
        self.sample_picker.observe(self._on_sample, names="value")
        self.upload.observe(self._on_upload, names="value")

    # ------------------------------------------------------------------ driving

    def start(self) -> None:
        """Load the default sample (called once the dashboard is built)."""
        self.load_paths([Path(self.sample_picker.value)])

    def load_paths(self, paths: Sequence[Path]) -> bool:
        """Load bundled or local files; True when they loaded."""
        return self._load([(p.read_bytes(), p.name) for p in paths])

    def load_files(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Load uploaded ``(content, filename)`` pairs; True when all loaded."""
        return self._load(list(files))

    def _on_sample(self, change) -> None:
        self.load_paths([Path(change["new"])])

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        contents = [(bytes(f["content"]), f["name"]) for f in files]
        # Drop the widget's copy of the upload (up to 100 MB, kept in the kernel and the
        # browser otherwise); the extracts hold what is needed.
        self.upload.value = ()
        self.load_files(contents)

    def _load(self, files: list[tuple[bytes, str]]) -> bool:
        try:
            too_big = [name for content, name in files if len(content) > MAX_UPLOAD_BYTES]
            if too_big:
                raise ValueError(
                    f"文件 {'、'.join(too_big)} 超过 100 MB,请按机构拆分后分别上传。"
                    f" / {', '.join(too_big)} is larger than 100 MB; split it by branch.")
            extracts = [load_extract(content, filename=name) for content, name in files]
            if self.validate is not None:
                self.validate(extracts)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.show_error(exc)
            return False
        self.error.value = ""
        self.extracts = extracts
        self._show_result(extracts)
        try:
            self.on_loaded(extracts)
        except Exception as exc:  # noqa: BLE001
            self.show_error(exc)
            return False
        return True

    # ------------------------------------------------------------------ display

    def show_error(self, exc: BaseException) -> None:
        """Show ``exc`` as a readable panel; the previous data stays as it was."""
        title, message = user_error_message(exc)
        hint = None
        if self.extracts:
            names = "、".join(e.source_name for e in self.extracts)
            hint = f"当前仍显示上一次成功读取的数据:{names}。 / Still showing the previous data."
        self.error.value = error_html(title, message, hint=hint)
        if not isinstance(exc, PostloanAuditError | ValueError):
            # Unexpected: keep the details in the server log for the administrator.
            traceback.print_exception(exc)

    def _show_result(self, extracts: list[Extract]) -> None:
        blocks, issue_blocks = [], []
        for extract in extracts:
            acc = extract.accounting
            loans = acc.loc[acc["sheet"] == "loans", ["rows_read", "kept", "rejected",
                                                      "summary_rows"]].sum()  # every loans sheet
            blocks.append(
                f"<div class='pa-ok pa-load-summary'><b>{html.escape(extract.source_name)}</b>"
                f"(数据日期 {extract.as_of or '未识别'}):贷款台账读取 {int(loans['rows_read']):,} 行,"
                f"保留 {int(loans['kept']):,} 行,拒绝 {int(loans['rejected']):,} 行,"
                f"合计行 {int(loans['summary_rows']):,} 行;各工作表见下表</div>"
                + table_html(accounting_table(extract))
            )
            shown = extract.issues[extract.issues["severity"] != "info"]
            if len(shown):
                issue_blocks.append(
                    f"<h4>{html.escape(extract.source_name)} 的问题清单"
                    f"(错误 {int((shown['severity'] == 'error').sum())} 条,"
                    f"警告 {int((shown['severity'] == 'warning').sum())} 条)</h4>"
                    + table_html(issues_table(extract).loc[shown.index]))
        self.status.value = "".join(blocks)
        self.issues.value = "".join(issue_blocks)
