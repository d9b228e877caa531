"""Building blocks shared by the Voila dashboards (看板公共组件).

Every dashboard is a class that builds ipywidgets and can be driven without a browser (tests
call the same methods the widgets' callbacks call). This module holds what they share:

* :class:`SourcePanel`: choose a bundled sample extract or upload one or more files, with an
  optional export profile (导出配置, ``docs/export-profiles.md``) beside them; the load result
  (rows read / kept / rejected / summary rows and the issues table) and the profile in force
  are shown at once; a bad file shows a readable error panel, and the previous data stays
  loaded and shown.
* HTML helpers for tables, the error panel, KPI cards and download links (``data:`` URLs,
  so a download needs no server-side file and nothing is written to the served folder).
* :func:`plot_output`: a plotly figure in an ``Output`` widget, rendered by the plotly
  mimetype renderer that ships with plotly (no CDN).

CSS classes used by the browser tests: ``pa-error`` (error panel), ``pa-table`` (tables),
``pa-download`` (download links), ``pa-load-summary`` (the load result), ``pa-profile`` (the
export profile in force).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from postloan_audit.core.errors import ExtractError, PostloanAuditError, short_missing_columns
from postloan_audit.core.extract import Extract
from postloan_audit.core.schema import SHEETS
from postloan_audit.ingest.loader import load_extract
from postloan_audit.ingest.overview import accounting_table, issues_table
from postloan_audit.ingest.profile import ExportProfile

#: Largest upload accepted (bytes); Voila's websocket limit is raised to match in voila.json.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
UPLOAD_ACCEPT = ".xlsx,.xlsm,.xls,.csv,.txt,.tsv"
#: An export profile (导出配置) is a small TOML file.
PROFILE_ACCEPT = ".toml,.txt"
MAX_PROFILE_BYTES = 1024 * 1024
NO_PROFILE_TEXT = "导出配置:未使用(按内置表头读取) / export profile: none (built-in headers)"
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
.pa-kpi .why { color: #b35900; font-size: 12px; max-width: 260px; }
a.pa-download { display: inline-block; background: #1f6feb; color: white !important;
                padding: 6px 14px; border-radius: 4px; text-decoration: none; margin: 6px 0; }
.pa-note { color: #57606a; font-size: 12px; }
/* Wide tables scroll inside their own box at the page width, never the page sideways. */
.pa-scroll { max-width: 100%; overflow-x: auto; }
.pa-table .pa-rule-id { color: #57606a; font-size: 11px; }
.widget-html, .widget-html-content, .widget-box { max-width: 100%; min-width: 0; }
.widget-html-content { overflow-x: auto; }
</style>
"""


def style_widget() -> widgets.HTML:
    """The dashboards' CSS, as a widget to place once at the top of a dashboard."""
    return widgets.HTML(_STYLE)


# --------------------------------------------------------------------------- HTML helpers


#: Columns shown in the smaller secondary style (a rule's id sits beside its Chinese title).
SECONDARY_COLUMNS: frozenset[str] = frozenset({"rule_id"})


def table_html(frame: pd.DataFrame, *, headers: dict[str, str] | None = None,
               max_rows: int = MAX_TABLE_ROWS, number_format: str = "{:,.2f}",
               css_id: str | None = None, scroll: bool = True,
               subheaders: dict[str, str] | None = None) -> str:
    """An escaped HTML table with Chinese headers; floats with thousands separators.

    Only the first ``max_rows`` rows are shown, followed by a note with the full count.
    With ``scroll`` the table sits in its own sideways-scrolling box (``pa-scroll``) at the
    page width; pass False when the caller puts it in a scroll box of its own (one box, not a
    box inside a box). ``subheaders`` adds a smaller second line under a header (a rule's
    id under its Chinese title).
    """
    shown = frame.head(max_rows)
    headers = headers or {}
    cols = list(shown.columns)
    subheaders = subheaders or {}
    head = "".join(
        f"<th>{html.escape(str(headers.get(c, c)))}"
        + (f"<br><span class='pa-rule-id'>{html.escape(subheaders[c])}</span>"
           if c in subheaders else "") + "</th>" for c in cols)
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
            elif c in SECONDARY_COLUMNS:  # a rule's id: beside its Chinese title, smaller
                cells.append(f"<td class='pa-rule-id'>{html.escape(str(value))}</td>")
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
    box, end = ("<div class='pa-scroll'>", "</div>") if scroll else ("", "")
    if not len(frame):
        return (f"{box}<table class='pa-table'{ident}><tr>{head}</tr></table>{end}"
                "<p class='pa-note'>(无)</p>")
    return (f"{box}<table class='pa-table'{ident}><thead><tr>{head}</tr></thead><tbody>"
            + "".join(body_rows) + f"</tbody></table>{end}" + more)


def error_html(title: str, message: str, *, hint: str | None = None) -> str:
    """A readable error panel (no traceback): what is wrong and how to fix it."""
    parts = [f"<b>{html.escape(title)}</b>", html.escape(message)]
    if hint:
        parts.append(html.escape(hint))
    return "<div class='pa-error'>" + "<br>".join(parts) + "</div>"


def kpi_cards_html(items: Sequence[tuple[str, str] | tuple[str, str, str]]) -> str:
    """KPI cards: (label, formatted value) pairs, or (label, value, why) when the figure cannot
    be read as it stands (the value is then "—" and the reason sits on the card)."""
    cards = "".join(
        f"<div class='pa-kpi'><div class='label'>{html.escape(item[0])}</div>"
        f"<div class='value'>{html.escape(item[1])}</div>"
        + (f"<div class='why'>{html.escape(item[2])}</div>" if len(item) > 2 and item[2] else "")
        + "</div>"
        for item in items
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
            "处理时发生意外错误,请把下面的英文信息告知系统管理员。 / Please report this message: "
            f"{type(exc).__name__}: {exc}")


def zh_names(frame: pd.DataFrame, *, sheet: str, column: str | None = None) -> pd.DataFrame:
    """``frame`` with the canonical sheet names in column ``sheet`` (``loans`` …) and the
    canonical column names in ``column`` (``balance`` …) replaced by their Chinese names
    (贷款台账 / 贷后检查记录 / 催收记录, 贷款余额 …), as users know them from their files."""
    out = frame.copy()
    sheets = out[sheet].astype(object)
    if column is not None and column in out.columns:
        zh = {(s.name, c.name): c.zh for s in SHEETS.values() for c in s.columns}
        cols = out[column].astype(object)
        mapped = pd.Series([zh.get(k) for k in zip(sheets, cols, strict=True)],
                           index=out.index, dtype=object)
        out[column] = mapped.where(mapped.notna(), cols)
    out[sheet] = sheets.map({s.name: s.zh for s in SHEETS.values()}).where(
        sheets.isin(list(SHEETS)), sheets)
    return out


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

    Export profile: the "上传导出配置" button takes the bank's profile (TOML); it applies to
    every uploaded ledger from then on (bundled samples are read with the built-in headers),
    and an upload that failed before the profile was given is read again with it. The line
    above the load result (``pa-profile``) says which profile is in force.
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
        #: The data in use now (当前数据), so an upload is never mistaken for the sample.
        self.current = widgets.HTML()
        self.error = widgets.HTML()
        self.issues = widgets.HTML()
        self.profile: ExportProfile | None = None
        self._unread: list[tuple[bytes, str]] = []  # an upload that failed, kept for a profile
        #: Names of the files of the last upload that could not be read (the others were used).
        self.refused: list[str] = []
        self.profile_upload = widgets.FileUpload(accept=PROFILE_ACCEPT, multiple=False,
                                                 description="上传导出配置")
        self.profile_clear = widgets.Button(description="不用导出配置",
                                            layout=widgets.Layout(width="120px"))
        self.profile_status = widgets.HTML(self._profile_html())
        self.widget = widgets.VBox([
            widgets.HTML(f"<h3>{html.escape(title)}</h3>"
                         "<p class='pa-note'>可直接使用样例台账,或上传本行导出的贷款台账"
                         "(.xlsx / .csv,单个文件不超过 100 MB)。表头不被识别时,可在旁边上传本行的"
                         "导出配置(.toml,见 docs/export-profiles.md)。</p>"),
            widgets.HBox([self.sample_picker, self.upload, self.profile_upload,
                          self.profile_clear]),
            self.current, self.profile_status, self.error, self.status, self.issues,
        ])
        self.sample_picker.observe(self._on_sample, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.profile_upload.observe(self._on_profile_upload, names="value")
        self.profile_clear.on_click(lambda _: self.clear_profile())

    # ------------------------------------------------------------------ driving

    def start(self) -> None:
        """Load the default sample (called once the dashboard is built)."""
        self.load_paths([Path(self.sample_picker.value)])

    def load_paths(self, paths: Sequence[Path]) -> bool:
        """Load bundled or local files; True when they loaded."""
        return self._load([(p.read_bytes(), p.name) for p in paths])

    def load_files(self, files: Sequence[tuple[bytes, str]]) -> bool:
        """Load uploaded ``(content, filename)`` pairs with the profile in force; True when
        the files that could be read were loaded and used. A failed upload is kept until the
        next one, so a profile can read it.

        Partial success: the files that read are used, and each refused one is listed in the
        error panel with its message (:attr:`refused`); only when none reads does the previous
        data stay. On success the sample picker is cleared (it no longer names the data
        shown) and :attr:`current` names the uploaded files.
        """
        files = list(files)
        loaded = self._load(files, uploaded=True, profile=self.profile)
        self._unread = files if (not loaded or self.refused) else []
        return loaded

    def load_profile(self, content: bytes, name: str) -> bool:
        """Use the export profile ``content`` (TOML named ``name``) for uploads; True when valid.

        An invalid profile shows the error panel (naming the key and line) and the profile in
        force stays. An upload that failed before is read again with the new profile.
        """
        try:
            if len(content) > MAX_PROFILE_BYTES:
                raise ValueError(f"导出配置 {name} 超过 1 MB,不像是导出配置文件"
                                 f" / {name} is larger than 1 MB; not an export profile")
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValueError(f"导出配置 {name} 不是 UTF-8 编码,请另存为 UTF-8"
                                 f" / export profile {name} is not UTF-8") from None
            profile = ExportProfile.from_toml_text(text, source=name)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.show_error(exc)
            return False
        self.profile = profile
        self.profile_status.value = self._profile_html()
        self.error.value = ""
        if self._unread:
            return self.load_files(self._unread)
        return True

    def clear_profile(self) -> None:
        """Read later uploads with the built-in headers only."""
        self.profile = None
        self.profile_status.value = self._profile_html()

    def _profile_html(self) -> str:
        if self.profile is None:
            text = NO_PROFILE_TEXT
        else:
            text = (f"导出配置:{self.profile.name}(文件 {self.profile.source},sha256"
                    f" {self.profile.sha256[:12]})/ export profile in force")
        return f"<div class='pa-note pa-profile'>{html.escape(text)}</div>"

    def _on_profile_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        content, name = bytes(files[0]["content"]), files[0]["name"]
        self.profile_upload.value = ()
        self.load_profile(content, name)

    def _on_sample(self, change) -> None:
        if change["new"] is None:  # cleared after an upload
            return
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

    def _read_each(self, files: list[tuple[bytes, str]], profile: ExportProfile | None
                   ) -> tuple[list[Extract], list[tuple[str, BaseException]]]:
        """Each file read on its own: the extracts that read, and (name, error) of the rest."""
        extra = {"profile": profile} if profile is not None else {}
        extracts, refused = [], []
        for content, name in files:  # files, not rows: a handful per upload
            try:
                if len(content) > MAX_UPLOAD_BYTES:
                    raise ValueError(f"文件 {name} 超过 100 MB,请按机构拆分后分别上传。"
                                     f" / {name} is larger than 100 MB; split it by branch.")
                extracts.append(load_extract(content, filename=name, **extra))
            except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
                refused.append((name, exc))
        return extracts, refused

    def _refused_html(self, refused: list[tuple[str, BaseException]],
                      extracts: list[Extract]) -> str:
        """One panel per refused file, saying which files were used instead."""
        used = "、".join(e.source_name for e in extracts)
        panels = []
        for name, exc in refused:
            title, message = user_error_message(exc)
            panels.append(error_html(
                f"{title}:{name}", message,
                hint=(f"此文件未使用;其余文件已读取并使用:{used}。 / This file was not used; "
                      "the other files were.") if used else None))
            if not isinstance(exc, PostloanAuditError | ValueError):
                traceback.print_exception(exc)
        return "".join(panels)

    def _load(self, files: list[tuple[bytes, str]], *, uploaded: bool = False,
              profile: ExportProfile | None = None) -> bool:
        extracts, refused = self._read_each(files, profile)
        try:
            if not extracts:
                raise refused[0][1]
            if self.validate is not None:
                self.validate(extracts)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable panel
            self.refused = []
            self.show_error(exc)
            if len(refused) > 1:  # none read: every file's reason, the first above
                self.error.value += self._refused_html(refused[1:], [])
            return False
        self.refused = [name for name, _ in refused]
        self.error.value = self._refused_html(refused, extracts) if refused else ""
        self.extracts = extracts
        self._show_current(extracts, uploaded=uploaded)
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
        short = (short_missing_columns(exc, more="全部可用列名见下方「全部可用列名」",
                                       more_en="every accepted header is listed below")
                 if isinstance(exc, ExtractError) else None)
        if short is None:
            self.error.value = error_html(title, message, hint=hint)
        else:  # the few closest accepted headers; the whole alias list behind an expander
            self.error.value = error_html(title, short, hint=hint).replace(
                "</div>", "<details class='pa-aliases'><summary>全部可用列名 / every accepted "
                f"header</summary>{html.escape(message)}</details></div>")
        if not isinstance(exc, PostloanAuditError | ValueError):
            # Unexpected: keep the details in the server log for the administrator.
            traceback.print_exception(exc)

    def _show_current(self, extracts: list[Extract], *, uploaded: bool) -> None:
        if uploaded and self.sample_picker.value is not None:
            # Without a callback: clearing the picker must not load anything.
            self.sample_picker.unobserve(self._on_sample, names="value")
            try:
                self.sample_picker.value = None
            finally:
                self.sample_picker.observe(self._on_sample, names="value")
        names = "、".join(e.source_name for e in extracts)
        kind = "上传的文件" if uploaded else "样例台账"
        self.current.value = (f"<p class='pa-source-current'>当前数据({kind}):"
                              f"<b>{html.escape(names)}</b></p>")

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
                f"合计行 {int(loans['summary_rows']):,} 行;各工作表见下表"
                + (f"<br>导出配置:{html.escape(extract.profile_name)}"
                   f"(sha256 {extract.profile_sha256[:12]})" if extract.profile_name else "")
                + "</div>"
                + table_html(zh_names(accounting_table(extract), sheet="数据表"))
            )
            shown = extract.issues  # errors, warnings and notes: every count is listed
            if len(shown):
                issue_blocks.append(
                    f"<h4>{html.escape(extract.source_name)} 的读取问题与提示"
                    f"(错误 {int((shown['severity'] == 'error').sum())} 条,"
                    f"警告 {int((shown['severity'] == 'warning').sum())} 条,"
                    f"提示 {int((shown['severity'] == 'info').sum())} 条)</h4>"
                    + table_html(zh_names(issues_table(extract),
                                          sheet="工作表", column="列")))
        self.status.value = "".join(blocks)
        self.issues.value = "".join(issue_blocks)


# --------------------------------------------------------------------------- the date a page runs at


@dataclass(frozen=True)
class DateWords:
    """How a page names the date it runs at and what a wrong one would do: ``noun`` and
    ``noun_en`` (检查日期 / check date, 预警日期 / scan date), the confirm button's label, and
    the consequence of a date far from the data's (Chinese, English)."""

    noun: str
    noun_en: str
    button: str
    far_zh: str
    far_en: str


class DateConfirmation:
    """The date a page runs at, confirmed by the user when the data cannot vouch for it.

    A file without a data date (数据日期未识别) never runs at a date nobody chose: the page asks
    for one and, once picked, for its confirmation (the button); a picked date more than
    ``confirm_days`` from a file's data date asks for confirmation too (deadlines after the
    extract would all look missed). A confirmation holds for that date and those files only.
    Pages 02 and 05 share it.

    Attributes
    ----------
    note, button:
        The question (a ``pa-error pa-confirm`` panel; empty when nothing is asked) and the
        confirm button (hidden unless a confirmation is asked).
    """

    def __init__(self, words: DateWords) -> None:
        self.words = words
        self.note = widgets.HTML()
        self.button = widgets.Button(description=words.button, button_style="warning",
                                     layout=widgets.Layout(display="none", width="200px"))
        self._confirmed: tuple | None = None

    @staticmethod
    def _key(day: dt.date | None, extracts: Sequence[Extract]) -> tuple:
        return (day, tuple(e.fingerprint for e in extracts))

    def confirm(self, day: dt.date | None, extracts: Sequence[Extract]) -> None:
        """The user vouches for ``day`` with these files (the button, or the page's
        parameter for its first load)."""
        self._confirmed = self._key(day, extracts)

    def clear(self) -> None:
        """Nothing asked (no files)."""
        self.note.value = ""
        self.button.layout.display = "none"

    def waits(self, day: dt.date | None, extracts: Sequence[Extract], *, confirm_days: int,
              stale: str = "") -> bool:
        """True (with the question shown) while the page must not run at ``day``; ``stale``
        says which earlier results stay on screen meanwhile."""
        w = self.words
        confirmed = self._confirmed == self._key(day, extracts)
        undated = [] if confirmed else [e.source_name for e in extracts if e.as_of is None]
        if undated:
            names = html.escape("、".join(undated))
            if day is None:
                self.button.layout.display = "none"
                ask = (f"请在上方选择{w.noun}(台账的截止日期)。 / No data date was found in the "
                       f"file: pick the {w.noun_en} (the date the ledger was extracted) above.")
            else:
                self.button.layout.display = None
                ask = (f"{w.noun}现为 {day:%Y-%m-%d}:如是台账的截止日期,请点击「{w.button}」;"
                       f"否则请改选日期。 / No data date was found in the file: confirm "
                       f"{day:%Y-%m-%d} as its date, or pick another.")
            self.note.value = (
                f"<div class='pa-error pa-confirm'><b>请确认{w.noun} / Please confirm the "
                f"{w.noun_en}</b><br>台账未识别出数据日期:{names}。{ask}{html.escape(stale)}</div>")
            return True
        far = [] if confirmed or day is None else [
            (e.source_name, e.as_of, abs((day - e.as_of).days)) for e in extracts
            if e.as_of is not None and abs((day - e.as_of).days) > confirm_days]
        self.button.layout.display = None if far else "none"
        if not far:
            self.note.value = ""
            return False
        listed = "、".join(f"{name}(数据日期 {as_of:%Y-%m-%d},相差 {days} 天)"
                          for name, as_of, days in far)
        self.note.value = (
            f"<div class='pa-error pa-confirm'><b>请确认{w.noun} / Please confirm the "
            f"{w.noun_en}</b><br>{w.noun} {day:%Y-%m-%d} 与台账数据日期相差超过 {confirm_days} 天:"
            f"{html.escape(listed)}。{w.far_zh}请改为台账的数据日期,或确认后点击「{w.button}」。 / "
            f"{w.far_en}</div>")
        return True
