"""The workpaper of the monthly new-customer check (新增客户现场核查底稿).

`003_…` 第四篇 (贷后管理实施细则) 一、(二) 2. 抽查比例: 业务代表(含渠道)每月要按上月新增客户总数不低于
10%的比例进行现场核查,如发现挪用资金的情况将在第一时间要求客户结清贷款. The draw is
:func:`~postloan_audit.supervision.planning.draw_new_customer_check`; this module writes what
a business representative carries on site and brings back, as the review sample's workpaper
(:mod:`~postloan_audit.supervision.workpaper`) does:

* 核查名单 — one row per drawn customer: 序号, 客户号, 客户名称, 机构, 客户经理 (when the
  ledger names one), 首笔发放日, 本月借据号, 贷款余额(元), and the columns filled in on site:
  核查结论 (a drop-down list 符合 / 不符合 / 不适用), 发现问题/挪用情况, 核查人, 核查日期, with a
  sign-off block (核查人 / 复核人 / 日期) below;
* 按客户经理 — per officer: 客户经理, 新增客户数, 应抽户数 (one row for the whole file when the
  ledger has no 客户经理 column);
* 抽样参数 — the month, the rate and its source, the seed, the counts, the note on how the
  draw was made, the data file, its fingerprint and data date (from the extract's
  provenance when the caller passes it), time and package version.

Every sheet prints through :class:`~postloan_audit.core.workbooks.PrintSetup`: A4, the header
row repeated, a page header naming the month, the data date and the seed, page numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.citations import cite, render_citation
from postloan_audit.core.errors import SamplingError
from postloan_audit.core.provenance import Provenance, now
from postloan_audit.core.workbooks import (
    PrintSetup,
    Target,
    add_choice_list,
    new_workbook,
    save_workbook,
    write_table,
)
from postloan_audit.supervision.planning import NEW_CUSTOMER_COLUMNS
from postloan_audit.supervision.workpaper import CONCLUSIONS

#: Sheet names, in workbook order.
NEW_CUSTOMER_SHEETS = ("核查名单", "按客户经理", "抽样参数")
#: The columns of 核查名单 filled in on site.
ON_SITE_HEADERS: tuple[str, ...] = ("核查结论", "发现问题/挪用情况", "核查人", "核查日期")
#: Where the rate comes from.
NEW_CUSTOMER_SOURCE = cite("implementing_rules", "一、(二)2 抽查比例:每月按上月新增客户总数不低于10%现场核查")
#: The row of 按客户经理 when the ledger names no officer.
WHOLE_FILE = "(台账无客户经理列:全部新增客户)"
#: Widths of the columns of 核查名单 filled in on site: room to write by hand.
ON_SITE_WIDTHS: dict[str, float] = {"核查结论": 9.0, "发现问题/挪用情况": 30.0, "核查人": 10.0,
                                    "核查日期": 12.0}
_ATTRS = ("month", "rate", "seed", "new_customers", "required", "by_officer", "note")


def _checked(check: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(check, pd.DataFrame):
        raise SamplingError(
            f"check 须为 draw_new_customer_check 的结果,收到 {type(check).__name__}。 / check must"
            f" be the result of draw_new_customer_check, got {type(check).__name__}.")
    missing = [a for a in _ATTRS if a not in check.attrs]
    missing += [c for c in NEW_CUSTOMER_COLUMNS if c not in check.columns]
    if missing:
        raise SamplingError(
            f"check 不是 draw_new_customer_check 的结果(缺少 {'、'.join(missing)})。 / check is"
            f" not the result of draw_new_customer_check (it lacks {missing}).")
    return check


def new_customer_table(check: pd.DataFrame, *, on_site: bool = True) -> pd.DataFrame:
    """The 核查名单 sheet as a frame with Chinese headers: one row per drawn customer, in the
    draw's order (by 客户号); ``on_site`` adds the empty columns filled in on site
    (:data:`ON_SITE_HEADERS`)."""
    check = _checked(check).reset_index(drop=True)
    table = pd.DataFrame({
        "序号": np.arange(1, len(check) + 1, dtype=np.int64),
        "客户号": check["borrower_id"].astype(object).to_numpy(),
        "客户名称": check["borrower_name"].astype(object).to_numpy(),
        "机构": check["branch"].astype(object).to_numpy(),
    })
    if "loan_officer" in check.columns:
        table["客户经理"] = check["loan_officer"].astype(object).to_numpy()
    table["首笔发放日"] = check["first_disbursement_date"].to_numpy()
    table["本月借据号"] = check["loan_ids"].to_numpy()
    table["贷款余额(元)"] = check["total_balance"].to_numpy(dtype="float64")
    if on_site:
        for header in ON_SITE_HEADERS:
            table[header] = np.full(len(check), None, dtype=object)
    return table


def officer_table(check: pd.DataFrame) -> pd.DataFrame:
    """The 按客户经理 sheet: 客户经理, 新增客户数, 应抽户数; one row (:data:`WHOLE_FILE`) when
    the ledger has no 客户经理 column and the draw was made over the whole file."""
    attrs = _checked(check).attrs
    by = attrs["by_officer"]
    if len(by) == 0 and attrs["new_customers"] > 0:
        by = pd.DataFrame({"loan_officer": [WHOLE_FILE], "new_customers": [attrs["new_customers"]],
                           "required": [attrs["required"]]})
    return pd.DataFrame({
        "客户经理": by["loan_officer"].astype(object).to_numpy(),
        "新增客户数": by["new_customers"].to_numpy(dtype=np.int64),
        "应抽户数": by["required"].to_numpy(dtype=np.int64),
    })


def new_customer_parameters(check: pd.DataFrame, *, provenance: Provenance | None = None,
                            made_at: dt.datetime | None = None,
                            sources: Any = None) -> pd.DataFrame:
    """The 抽样参数 sheet: ``项目``, ``内容``, ``依据`` (how the draw was made, from what); the
    rate's source reads with the titles of ``sources`` (a policy or a mapping of source key →
    title, :func:`~postloan_audit.core.citations.source_titles`)."""
    from postloan_audit.core.version import __version__

    attrs = _checked(check).attrs
    prov = provenance if provenance is not None else Provenance()
    rows: list[tuple[str, object, str]] = [
        ("新增客户月份(首笔贷款发放月份)", attrs["month"], "每月核查上月新增的客户"),
        ("抽查比例", f"{attrs['rate'] * 100:g}%", render_citation(NEW_CUSTOMER_SOURCE, sources)),
        ("随机种子", attrs["seed"], "numpy.random.default_rng"),
        ("新增个人客户户数", attrs["new_customers"], "首笔贷款在核查月份发放的个人客户"),
        ("应抽户数", attrs["required"], "按客户经理分别向上取整,每人至少1户"
         if len(attrs["by_officer"]) else "按全部新增客户向上取整"),
        ("抽取户数", len(check), ""),
        ("抽样说明", attrs["note"], ""),
        ("数据文件", prov.source_name or "", ""),
        ("文件指纹(SHA-256)", prov.fingerprint or "", ""),
        ("数据日期", prov.as_of if prov.as_of else "", ""),
        ("导出配置", prov.profile_name or "无(按内置表头读取)", "docs/export-profiles.md"),
        ("生成时间", made_at or now(), ""),
        ("软件版本", f"postloan-audit {__version__}", ""),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容", "依据"], dtype=object)


def write_new_customer_workpaper(check: pd.DataFrame, target: Target, *,
                                 provenance: Provenance | None = None,
                                 sources: Any = None) -> None:
    """Write the workpaper of the monthly new-customer check (新增客户现场核查底稿) as .xlsx.

    Parameters
    ----------
    check : DataFrame
        From :func:`postloan_audit.draw_new_customer_check` (its ``attrs`` are printed).
    target : path or binary buffer
        Where the workbook goes.
    provenance : Provenance, optional
        The extract's (``extract.provenance``): its file name, fingerprint and data date go
        on 抽样参数 and the data date in the page header.
    sources : Policy or mapping, optional
        The titles the rate's source reads with (a policy's ``[sources]`` or a mapping of
        source key → title); default those of :data:`~postloan_audit.core.citations.SOURCES`.

    Notes
    -----
    Sheets :data:`NEW_CUSTOMER_SHEETS`. Text starting with ``=``, ``+``, ``-`` or ``@`` is
    written as literal text (:func:`postloan_audit.core.workbooks.write_cell`).

    Raises
    ------
    SamplingError
        ``check`` is not the result of :func:`~postloan_audit.draw_new_customer_check`.
    """
    check = _checked(check)
    as_of = provenance.as_of if provenance is not None else None
    date = as_of.isoformat() if as_of else "未识别"
    setup = PrintSetup("新增客户现场核查底稿", (f"新增客户月份:{check.attrs['month']}",
                                       f"数据日期:{date}", f"随机种子:{check.attrs['seed']}"))
    wb = new_workbook()
    frames = (new_customer_table(check), officer_table(check),
              new_customer_parameters(check, provenance=provenance, sources=sources))
    for title, frame in zip(NEW_CUSTOMER_SHEETS, frames, strict=True):
        ws = wb.create_sheet(title)
        next_row = write_table(ws, frame, autofilter=title == "核查名单",
                               number_formats={"内容": "General"} if title == "抽样参数"
                               else None)
        columns = list(frame.columns)
        wrap = [c for c in columns if c in ("依据", "内容")]
        if title != "核查名单":
            setup.apply(ws, wrap=wrap)
            continue
        add_choice_list(ws, columns.index("核查结论") + 1, 2, max(next_row - 1, 2),
                        CONCLUSIONS, title="核查结论",
                        prompt="请选择:符合 / 不符合 / 不适用;发现挪用资金等问题时在"
                               "「发现问题/挪用情况」写明。")
        setup.apply(ws, widths=ON_SITE_WIDTHS, sign_off=("核查人", "复核人", "日期"))
    save_workbook(wb, target)
