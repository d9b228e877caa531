"""The on-site review workpaper (现场检查工作底稿) of a supervision sample.

One workbook, four sheets, written with the helpers of :mod:`postloan_audit.core.workbooks` (frozen
headers, fitted widths, thousands separators, formula-injection safety):

* 抽样结果 — the sampled borrowers and their loans, with the reasons in Chinese;
* 分层统计 — the strata table (required, available, selected per quota, with notes);
* 抽样参数 — seed, every policy value with its source, the extract's name and fingerprint,
  population counts, time and package version (the sample's provenance);
* 现场检查清单 — for every sampled loan, the on-site checklist items that apply to it
  (:data:`CHECKLIST`, chosen by :func:`checklist_items`): the personal items of `003_…` 第一篇
  第四十五条 for individuals, its business item (五) only for business loans, the guarantor
  item only for guaranteed loans and the collateral item only for mortgaged or pledged ones;
  corporate borrowers get the corporate checklist of `001_…` 篇三 (basic information,
  financial statements, fund flows, guarantor, collateral). 检查结论 is a drop-down list
  (符合 / 不符合 / 不适用), with 问题描述, 检查人 and 检查日期 columns beside it and a
  sign-off block (检查人 / 复核人 / 日期) below; uploaded back filled in, it is recorded by
  the audit trail (:mod:`postloan_audit.trail`).

Every sheet prints on A4 (portrait or landscape by its width), its header row repeated on each
page, a page header naming the branch, the data date and the seed, page numbers, widths and row
heights from its contents (:class:`postloan_audit.core.workbooks.PrintSetup`). Dates are stored
as dates. Citations (依据) read as the documents name themselves
(:mod:`postloan_audit.core.citations`), with a bank's own titles when given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from postloan_audit.core.citations import Citation, cite, render_citation, source_titles
from postloan_audit.core.schema import CLASSIFICATION_ZH, GUARANTEE_ZH
from postloan_audit.core.workbooks import (
    PrintSetup,
    Target,
    add_choice_list,
    new_workbook,
    save_workbook,
    write_table,
)
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

#: The answers allowed in 检查结论 (a drop-down list in the workbook).
CONCLUSIONS: tuple[str, ...] = ("符合", "不符合", "不适用")
#: Words in 贷款品种 that make an individual's loan a business loan (经营类业务, `003_…`
#: 第一篇 第四十五条(五)), e.g. 个人经营贷款.
BUSINESS_PRODUCT_WORDS: tuple[str, ...] = ("经营",)

_003 = cite("personal_manual", "第八章 第四十五条")
_001 = cite("work_plan", "篇三 ")


@dataclass(frozen=True)
class ChecklistItem:
    """One on-site checklist item and the loans it applies to.

    ``customer`` is ``individual`` or ``corporate``; ``needs`` is ``""`` (every loan of that
    customer type), ``business`` (individual business loans), ``guarantor`` (guaranteed
    loans) or ``collateral`` (mortgaged or pledged loans).
    """

    text: str
    source: Citation
    customer: str
    needs: str = ""


#: The on-site checklist (现场检查内容), in the order printed for a loan.
CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(CHECKLIST_ITEMS[0], _003.then("(一)"), "individual"),
    ChecklistItem(CHECKLIST_ITEMS[1], _003.then("(二)"), "individual"),
    ChecklistItem(CHECKLIST_ITEMS[2], _003.then("(三)"), "individual"),
    ChecklistItem("(四)担保人保证能力是否发生变化", _003.then("(四)"), "individual", "guarantor"),
    ChecklistItem("(四)抵质押物的完整性和安全性是否发生变化,抵质押物的价值是否减少,抵质押权是否"
                  "受到侵害,抵质押物的保管是否符合规定", _003.then("(四)"), "individual", "collateral"),
    ChecklistItem(CHECKLIST_ITEMS[4], _003.then("(五)"), "individual", "business"),
    ChecklistItem("客户基本信息:借款人名称、机构代码、税务代码、注册金额、注册地址、经营范围、法定代表人"
                  "是否发生变化;经营风险、管理状况、行业风险和银行往来是否正常",
                  _001.then("一(一)"), "corporate"),
    ChecklistItem("财务报表:是否取得资产负债表、损益表和现金流量表(至少半年报和年报,复印件加盖公章),"
                  "是否取得审计报告;财务状况是否发生不利变化", _001.then("一(一)"), "corporate"),
    ChecklistItem("资金流向:贷款资金是否按约定用途使用、有无挪用,资金流向监控表是否记录完整",
                  _001.then("一(二)3"), "corporate"),
    ChecklistItem("保证人:保证人信用评级是否已更新,保证能力是否发生变化", _001.then("一(五)"),
                  "corporate", "guarantor"),
    ChecklistItem("抵(质)押物:是否按期现场检查(每年至少1次),抵(质)押物是否完整、价值是否减少、"
                  "权证与保管是否符合规定", _001.then("二(四)"), "corporate", "collateral"),
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


def parameter_table(sample: SupervisionSample, *, sources: Any = None) -> pd.DataFrame:
    """The 抽样参数 sheet: ``项目``, ``内容``, ``依据`` (provenance of the sample); the 依据 of
    the policy values read with the titles of ``sources`` (a
    :class:`~postloan_audit.compliance.policy.Policy` or a mapping of source key → title;
    :func:`~postloan_audit.core.citations.source_titles`)."""
    from postloan_audit.core.version import __version__

    titles = source_titles(sources)

    rows: list[tuple[str, object, str]] = [
        ("被查机构", sample.branch, ""),
        ("随机种子", sample.seed, "numpy.random.default_rng"),
    ]
    rows += [(f"{zh}({name})", value, render_citation(source, titles))
             for name, zh, value, source in sample.policy.describe()]
    rows += [
        ("数据文件", sample.source_name or "", ""),
        ("文件指纹(SHA-256)", sample.fingerprint or "", ""),
        ("数据日期", sample.as_of if sample.as_of else "", ""),
        ("导出配置", sample.profile_name or "无(按内置表头读取)", "docs/export-profiles.md"),
        ("导出配置指纹(SHA-256)", sample.profile_sha256 or "", ""),
        ("抽样总体贷款笔数", sample.population_loans, "余额大于0"),
        ("抽样总体借款人户数", sample.population_borrowers, ""),
        ("剔除贷款笔数", sample.excluded_loans, "余额不大于0、客户号或五级分类缺失"),
        ("满足各配额的最少户数", sample.quota_core_size, ""),
        ("抽取借款人户数", sample.size, ""),
        ("抽取贷款笔数", len(sample.loans), ""),
        ("抽样时间", sample.drawn_at.replace(microsecond=0), ""),
        ("软件版本", f"postloan-audit {__version__}", ""),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容", "依据"], dtype=object)


def checklist_items(loans: pd.DataFrame) -> np.ndarray:
    """Which :data:`CHECKLIST` items apply to each loan: a boolean array, loans × items.

    A loan is corporate when ``customer_type`` says so, otherwise it is checked as an
    individual's (the column is optional); guarantor and collateral items follow
    ``guarantee_type`` (保证 / 抵押、质押; without the column, ``secured`` loans get both);
    the business item needs a 贷款品种 naming a business loan (:data:`BUSINESS_PRODUCT_WORDS`).
    """
    n = len(loans)
    corporate = (loans["customer_type"].astype(object).eq("corporate").to_numpy(bool)
                 if "customer_type" in loans else np.zeros(n, bool))
    if "guarantee_type" in loans:
        kind = loans["guarantee_type"].astype(object)
        guarantor = kind.eq("guarantee").to_numpy(bool)
        collateral = kind.isin(["mortgage", "pledge"]).to_numpy(bool)
    else:
        secured = loans["secured"].to_numpy(bool) if "secured" in loans else np.zeros(n, bool)
        guarantor = collateral = secured
    business = (loans["product"].astype("str").str.contains(
        "|".join(BUSINESS_PRODUCT_WORDS), regex=True, na=False).to_numpy(bool)
        if "product" in loans else np.zeros(n, bool))
    needs = {"": np.ones(n, bool), "business": business, "guarantor": guarantor,
             "collateral": collateral}
    columns = [(corporate if item.customer == "corporate" else ~corporate) & needs[item.needs]
               for item in CHECKLIST]
    return np.column_stack(columns) if columns else np.zeros((n, 0), bool)


#: Headers of 现场检查清单, in order.
CHECKLIST_HEADERS: tuple[str, ...] = ("笔序号", "客户号", "客户名称", "借据号", "客户类型",
                                      "贷款品种", "担保方式", "贷款余额(元)", "检查项目", "依据",
                                      "检查结论", "问题描述", "检查人", "检查日期")


def checklist_table(sample: SupervisionSample, *, sources: Any = None) -> pd.DataFrame:
    """The 现场检查清单 sheet: for each sampled loan, the checklist items that apply to it
    (:func:`checklist_items`), with empty 检查结论 and 问题描述 to fill in on site; 依据 reads
    with the titles of ``sources`` (as for :func:`parameter_table`)."""
    from postloan_audit.core.schema import CUSTOMER_TYPE_ZH

    titles = source_titles(sources)

    loans = sample.loans.reset_index(drop=True)
    applies = checklist_items(loans)
    rep, item = np.nonzero(applies)  # row-major: a loan's items together, in CHECKLIST order
    texts = np.array([c.text for c in CHECKLIST], dtype=object)
    cited = np.array([render_citation(c.source, titles) for c in CHECKLIST], dtype=object)

    def column(name: str, mapping: dict[str, str] | None = None) -> np.ndarray:
        if name not in loans:
            return np.full(len(rep), None, dtype=object)
        values = loans[name].astype(object)
        if mapping is not None:
            values = values.map(mapping).where(values.isin(list(mapping)), values)
        return values.to_numpy()[rep]

    guarantee = (column("guarantee_type", GUARANTEE_ZH) if "guarantee_type" in loans
                 else np.where(loans["secured"].to_numpy(bool), "有担保", "信用")[rep])
    empty = np.full(len(rep), None, dtype=object)
    return pd.DataFrame({
        "笔序号": rep + 1,
        "客户号": loans["borrower_id"].astype(object).to_numpy()[rep],
        "客户名称": column("borrower_name"),
        "借据号": loans["loan_id"].astype(object).to_numpy()[rep],
        "客户类型": column("customer_type", CUSTOMER_TYPE_ZH),
        "贷款品种": column("product"),
        "担保方式": guarantee,
        "贷款余额(元)": loans["balance"].to_numpy(dtype="float64")[rep],
        "检查项目": texts[item],
        "依据": cited[item],
        "检查结论": empty,
        "问题描述": empty.copy(),
        "检查人": empty.copy(),
        "检查日期": empty.copy(),
    }, columns=list(CHECKLIST_HEADERS))


#: Widths of the columns filled in on site: room to write by hand.
ON_SITE_WIDTHS: dict[str, float] = {"检查结论": 9.0, "问题描述": 24.0, "检查人": 10.0, "检查日期": 12.0}
#: The columns a printable view of the checklist keeps, should the sheet ever be too wide to
#: print (:meth:`~postloan_audit.core.workbooks.PrintSetup.apply`).
CHECKLIST_PRINTED: tuple[str, ...] = ("笔序号", "客户名称", "借据号", "检查项目", "依据", "检查结论",
                                      "问题描述", "检查人", "检查日期")


def print_setup(sample: SupervisionSample) -> PrintSetup:
    """The page header of every sheet: the workpaper, the branch, the data date, the seed."""
    date = sample.as_of.isoformat() if sample.as_of else "未识别"
    return PrintSetup("现场检查工作底稿", (f"被查机构:{sample.branch}", f"数据日期:{date}",
                                   f"随机种子:{sample.seed}"))


def write_sample_workpaper(sample: SupervisionSample, target: Target, *,
                           sources: Any = None) -> None:
    """Write the on-site review workpaper (现场检查工作底稿) of ``sample`` as .xlsx.

    Parameters
    ----------
    sample : SupervisionSample
        From :func:`postloan_audit.draw_sample`.
    target : path or binary buffer
        Where the workbook goes.
    sources : Policy or mapping, optional
        The titles the citations (依据) read with: a
        :class:`~postloan_audit.compliance.policy.Policy` (its ``[sources]``) or a mapping of
        source key → title; default those of :data:`~postloan_audit.core.citations.SOURCES`.

    Notes
    -----
    Sheets :data:`SHEETS`; the checklist items are those of `003_…` 第一篇 第四十五条. Every
    sheet prints through :class:`~postloan_audit.core.workbooks.PrintSetup` (A4, a page header
    naming the branch, the data date and the seed, page numbers; the checklist with a sign-off
    block). Text
    starting with ``=``, ``+``, ``-`` or ``@`` (a borrower name, say) is written as literal
    text, never as a formula (:func:`postloan_audit.core.workbooks.write_cell`).
    """
    wb = new_workbook()
    setup = print_setup(sample)
    frames = (sample_table(sample), strata_table(sample),
              parameter_table(sample, sources=sources), checklist_table(sample, sources=sources))
    for title, frame in zip(SHEETS, frames, strict=True):
        ws = wb.create_sheet(title)
        next_row = write_table(ws, frame, autofilter=title in {"抽样结果", "现场检查清单"},
                               number_formats={"内容": "General"} if title == "抽样参数"
                               else None)
        wrap = [c for c in frame.columns if c in ("检查项目", "问题描述", "抽样理由", "说明", "依据")]
        if title != "现场检查清单":
            setup.apply(ws, wrap=wrap)
            continue
        conclusion = list(frame.columns).index("检查结论") + 1
        add_choice_list(ws, conclusion, 2, max(next_row - 1, 2), CONCLUSIONS,
                        title="检查结论", prompt="请选择:符合 / 不符合 / 不适用;"
                        "不符合时在「问题描述」写明情况。")
        setup.apply(ws, wrap=wrap, widths=ON_SITE_WIDTHS, sign_off=("检查人", "复核人", "日期"),
                    key_columns=CHECKLIST_PRINTED)
    save_workbook(wb, target)
