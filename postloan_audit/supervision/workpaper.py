"""The on-site review workpaper (现场检查工作底稿) of a supervision sample.

One workbook, four sheets, written with the helpers of :mod:`postloan_audit.core.workbooks` (frozen
headers, fitted widths, thousands separators, formula-injection safety):

* 抽样结果 — the sampled borrowers and their loans, with the reasons in Chinese;
* 分层统计 — the strata table (required, available, selected per quota, with notes);
* 抽样参数 — seed, every policy value with its source, the extract's name and fingerprint,
  population counts, time and package version (the sample's provenance);
* 现场检查清单 — for every sampled loan, the on-site checklist items of `003_…` 第一篇
  第四十五条 (个贷业务贷后检查的主要内容), with empty columns for 检查结论, 检查人, 检查日期.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.core.schema import CLASSIFICATION_ZH, GUARANTEE_ZH
from postloan_audit.core.workbooks import Target, new_workbook, save_workbook, write_table
from postloan_audit.supervision.quotas import LOAN_BASIS_ZH, REASON_ZH, SupervisionSample

#: Sheet names, in workbook order.
SHEETS = ("抽样结果", "分层统计", "抽样参数", "现场检查清单")

#: On-site checklist (现场检查内容), `003_…` 第一篇 第四十五条 个贷业务贷后检查的主要内容 (一)–(五).
CHECKLIST_ITEMS: tuple[str, ...] = (
    "(一)借款人是否按照合同约定用途使用信贷资金",
    "(二)借款人的资产、职业、收入、家庭、健康状况等是否有较大变化",
    "(三)借款人是否有违法行为,是否卷入经济纠纷",
    "(四)担保人保证能力、抵质押物的完整性和安全性是否发生变化,抵质押物的价值是否减少,"
    "抵质押权是否受到侵害,抵质押物的保管是否符合规定",
    "(五)经营类业务:借款人生产经营、财务状况是否正常,主要产品的市场状况是否有较大变化,"
    "借款人与其他债权人、债务人的合作关系是否正常",
)

#: Optional loan columns shown on 抽样结果 when the extract has them: (column, header).
_OPTIONAL_LOAN_COLUMNS = (("product", "贷款品种"), ("disbursement_date", "发放日期"),
                          ("maturity_date", "到期日期"), ("overdue_days", "逾期天数"))


def _zh(values: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return pd.Series(values.astype(object).map(mapping).to_numpy(), dtype=object)


def _reasons_zh(reasons: pd.Series) -> pd.Series:
    return pd.Series(["、".join(REASON_ZH[r] for r in rs) for rs in reasons], dtype=object)


def sample_table(sample: SupervisionSample) -> pd.DataFrame:
    """The 抽样结果 sheet as a frame with Chinese headers: one row per sampled loan."""
    bor = sample.borrowers.reset_index(drop=True)
    seq = pd.Series(np.arange(1, len(bor) + 1), index=bor["borrower_id"].to_numpy())
    loans = sample.loans.merge(
        bor[["borrower_id", "classification", "total_balance", "balance_rank"]].rename(
            columns={"classification": "borrower_class"}), on="borrower_id", how="left")
    loans = loans.reset_index(drop=True)
    table = pd.DataFrame({
        "序号": loans["borrower_id"].map(seq).to_numpy().astype(np.int64),
        "客户号": loans["borrower_id"].astype(object).to_numpy(),
        "客户名称": (loans["borrower_name"].astype(object).to_numpy()
                 if "borrower_name" in loans else None),
        "借款人五级分类": _zh(loans["borrower_class"], CLASSIFICATION_ZH),
        "客户贷款余额合计(元)": loans["total_balance"].to_numpy(dtype="float64"),
        "余额排名": loans["balance_rank"].to_numpy().astype(np.int64),
        "抽样理由": _reasons_zh(loans["reasons"]),
        "借据号": loans["loan_id"].astype(object).to_numpy(),
        "贷款五级分类": _zh(loans["classification"], CLASSIFICATION_ZH),
        "担保方式": (_zh(loans["guarantee_type"], GUARANTEE_ZH) if "guarantee_type" in loans
                 else np.where(loans["secured"].to_numpy(), "有担保", "信用")),
        "贷款余额(元)": loans["balance"].to_numpy(dtype="float64"),
    })
    for column, header in _OPTIONAL_LOAN_COLUMNS:
        if column in loans.columns:
            table[header] = loans[column].to_numpy()
    table["选取依据"] = _zh(loans["loan_basis"], LOAN_BASIS_ZH).to_numpy()
    return table


def strata_table(sample: SupervisionSample) -> pd.DataFrame:
    """The 分层统计 sheet as a frame with Chinese headers."""
    s = sample.strata
    return pd.DataFrame({
        "配额": _zh(s["quota"], REASON_ZH),
        "应抽户数": s["required"].to_numpy(),
        "可抽户数": s["available"].to_numpy(),
        "已抽户数": s["selected"].to_numpy(),
        "说明": s["note"].astype(object).to_numpy(),
    })


def parameter_table(sample: SupervisionSample) -> pd.DataFrame:
    """The 抽样参数 sheet: ``项目``, ``内容``, ``依据`` (provenance of the sample)."""
    from postloan_audit.core.version import __version__

    rows: list[tuple[str, object, str]] = [
        ("被查机构", sample.branch, ""),
        ("随机种子", sample.seed, "numpy.random.default_rng"),
    ]
    rows += [(f"{zh}({name})", value, source) for name, zh, value, source in
             sample.policy.describe()]
    rows += [
        ("数据文件", sample.source_name or "", ""),
        ("文件指纹(SHA-256)", sample.fingerprint or "", ""),
        ("数据日期", sample.as_of.isoformat() if sample.as_of else "", ""),
        ("导出配置", sample.profile_name or "无(按内置表头读取)", "docs/export-profiles.md"),
        ("导出配置指纹(SHA-256)", sample.profile_sha256 or "", ""),
        ("抽样总体贷款笔数", sample.population_loans, "余额大于0"),
        ("抽样总体借款人户数", sample.population_borrowers, ""),
        ("剔除贷款笔数", sample.excluded_loans, "余额不大于0、客户号或五级分类缺失"),
        ("满足各配额的最少户数", sample.quota_core_size, ""),
        ("抽取借款人户数", sample.size, ""),
        ("抽取贷款笔数", len(sample.loans), ""),
        ("抽样时间", sample.drawn_at.strftime("%Y-%m-%d %H:%M:%S"), ""),
        ("软件版本", f"postloan-audit {__version__}", ""),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容", "依据"], dtype=object)


def checklist_table(sample: SupervisionSample) -> pd.DataFrame:
    """The 现场检查清单 sheet: one block of checklist rows per sampled loan."""
    loans = sample.loans.reset_index(drop=True)
    k = len(CHECKLIST_ITEMS)
    rep = np.repeat(np.arange(len(loans)), k)
    names = (loans["borrower_name"].astype(object).to_numpy()[rep]
             if "borrower_name" in loans else None)
    empty = np.full(len(rep), None, dtype=object)
    return pd.DataFrame({
        "笔序号": rep + 1,
        "客户号": loans["borrower_id"].astype(object).to_numpy()[rep],
        "客户名称": names,
        "借据号": loans["loan_id"].astype(object).to_numpy()[rep],
        "贷款余额(元)": loans["balance"].to_numpy(dtype="float64")[rep],
        "检查项目": np.tile(np.array(CHECKLIST_ITEMS, dtype=object), len(loans)),
        "检查结论": empty,
        "检查人": empty.copy(),
        "检查日期": empty.copy(),
    })


def write_sample_workpaper(sample: SupervisionSample, target: Target) -> None:
    """Write the on-site review workpaper (现场检查工作底稿) of ``sample`` as .xlsx.

    Parameters
    ----------
    sample : SupervisionSample
        From :func:`postloan_audit.draw_sample`.
    target : path or binary buffer
        Where the workbook goes.

    Notes
    -----
    Sheets :data:`SHEETS`; the checklist items are those of `003_…` 第一篇 第四十五条. Text
    starting with ``=``, ``+``, ``-`` or ``@`` (a borrower name, say) is written as literal
    text, never as a formula (:func:`postloan_audit.core.workbooks.write_cell`).
    """
    wb = new_workbook()
    for title, frame in zip(SHEETS, (sample_table(sample), strata_table(sample),
                                     parameter_table(sample), checklist_table(sample)),
                            strict=True):
        ws = wb.create_sheet(title)
        write_table(ws, frame, autofilter=title in {"抽样结果", "现场检查清单"})
    save_workbook(wb, target)
