"""Bank policy (检查参数): every threshold of the compliance rule catalogue.

A :class:`Policy` is a frozen dataclass of frozen sections, one per group of rules. Every field
is a policy value with the default the source documents give (or, where they leave it to the
bank, the workbench default documented in ``docs/policy.md``), and its citation in
the field's comment. Banks set many of these numbers themselves ("由一级分行自行确定"), so a bank
overrides any of them in a TOML file (see ``policy.example.toml`` and ``docs/policy.md``)::

    [inspection]
    corporate_regular_normal_months = 3

    [disabled]
    "RATING-STALE" = "评级由总行统一更新"

    [sources]
    work_plan = "《XX银行公司信贷贷后管理办法》"

An unknown key or a value of the wrong type is a :class:`postloan_audit.PolicyError` naming the
key. A rule listed under ``[disabled]`` is not run and shows in ``CheckReport.not_run`` with the
bank's reason. ``[sources]`` renames a source of :data:`~postloan_audit.core.citations.SOURCES`
(or points it to the bank's own 制度): every citation of it (the rule catalogue, the findings)
reads with that title.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from os import PathLike
from typing import Any

from postloan_audit.core.citations import SOURCES
from postloan_audit.core.errors import PolicyError
from postloan_audit.core.messages import toml_where
from postloan_audit.core.schema import COLLATERAL_TYPE_ZH, GUARANTEE_TYPES

#: Every rule id a policy may name (``[disabled]``), in catalogue order. The ids live with the
#: policy schema so that a policy file is validated when it is read, without importing the rules;
#: :data:`postloan_audit.compliance.rules.catalogue.CATALOGUE` must register exactly these ids
#: (checked at import of the catalogue and by the tests).
RULE_IDS: tuple[str, ...] = (
    "INSP-FREQ", "INSP-FIRST", "INSP-REPORT", "CLS-OVERDUE", "CLS-BORROWER", "CLS-RESTRUCT",
    "EXT-LIMIT", "EXT-INDIVIDUAL", "REFI-INDIVIDUAL", "COLL-TIER", "COLL-NPL", "MAT-NOTICE",
    "MAT-COLLECT", "INT-COLLECT", "COLLAT-INSP", "COLLAT-REVAL", "COLLAT-DROP", "COLLAT-COVER",
    "COLLAT-INSURE", "COLLAT-RELEASE", "RATING-STALE", "GUAR-RATING", "FIN-STATEMENTS",
    "EXIT-VISIT", "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH", "FUND-USE", "CALLBACK-FIRST",
    "OFFICER-ONE", "DATA-OVERDUE",
)
#: Largest policy file :meth:`Policy.from_toml_bytes` accepts (a policy TOML is a few kilobytes).
MAX_POLICY_BYTES: int = 1024 * 1024
#: Longest title ``[sources]`` accepts for a source.
MAX_SOURCE_TITLE: int = 100


@dataclass(frozen=True)
class InspectionPolicy:
    """Inspection frequency and reports (贷后检查频率与报告): ``INSP-FREQ``, ``INSP-FIRST``,
    ``INSP-REPORT``, ``EXIT-VISIT``.

    Sources: ``001_…`` 篇三 二、(七)贷后检查报告 1–2 (corporate intervals, first inspection within
    one month of disbursement; the exemptions for short new loans and for loans disbursed 2 months
    or less before a period's end; reports due 15 working days after a quarter or half-year, 10
    after a month, 20 after the fiscal year); ``003_…`` 第一篇 第四十五条 (personal loans: the
    "其他个贷业务" of products whose 近三年新增贷款不良率, per operating unit, exceeds a ratio the
    bank sets, at least half-yearly; instalment loans, NPL personal loans in litigation and
    低信用风险个贷业务 have no fixed frequency); ``003_…`` 第三篇 单选题 4/11 (exit-list clients
    visited on site at least monthly).
    """

    #: 常规方式 正常类 ≥ 每半年1次 — ``001_…`` 篇三 二、(七)1.
    corporate_regular_normal_months: int = 6
    #: 常规方式 关注类 ≥ 每季1次 — ``001_…`` 篇三 二、(七)1.
    corporate_regular_special_mention_months: int = 3
    #: 常规方式 不良类: the manual is silent; 1 month, as for key mode (``001_…`` 篇三 二、(七)2).
    corporate_regular_npl_months: int = 1
    #: 重点方式 正常类 ≥ 每季1次 — ``001_…`` 篇三 二、(七)2.
    corporate_key_normal_months: int = 3
    #: 重点方式 关注类 ≥ 每月1次 — ``001_…`` 篇三 二、(七)2.
    corporate_key_special_mention_months: int = 1
    #: 重点方式 不良类 ≥ 每月1次 — ``001_…`` 篇三 二、(七)2.
    corporate_key_npl_months: int = 1
    #: 其他个贷业务 ... 的个贷业务产品至少每半年检查一次 — ``003_…`` 第四十五条.
    individual_months: int = 6
    #: 以经营行为单位、近三年新增贷款不良率超过一定比例 的个贷产品才须按固定频率检查: the ratio
    #: (NPL balance ÷ balance of the personal loans a branch disbursed in the look-back window,
    #: per product). "具体比例由单项产品管理办法或一级分行确定": a bank setting; the default 0
    #: holds every product with any NPL among its new loans to the half-yearly frequency —
    #: ``003_…`` 第四十五条.
    individual_product_npl_ratio: float = 0.0
    #: 近三年: the look-back window of the ratio above, in months up to D — ``003_…`` 第四十五条.
    individual_npl_lookback_months: int = 36
    #: 低信用风险个贷业务 (由一级分行根据需要确定检查频率): products (``product`` values) the bank
    #: declares low-risk; they have no fixed frequency here — ``003_…`` 第四十五条.
    low_risk_products: tuple[str, ...] = ()
    #: 低信用风险个贷业务 by guarantee type (e.g. ``["pledge"]`` for 存单质押): personal loans
    #: with these ``guarantee_type`` values have no fixed frequency — ``003_…`` 第四十五条.
    low_risk_guarantee_types: tuple[str, ...] = ()
    #: 分期还款方式个贷业务 不要求固定的贷后检查频次 — ``003_…`` 第四十五条.
    exempt_individual_installment: bool = True
    #: 已进入诉讼程序的不良个人贷款 不要求固定的贷后检查频率 — ``003_…`` 第四十五条 (only NPL
    #: individual loans; corporate or performing loans in litigation are checked).
    exempt_litigation: bool = True
    #: 检查期间: the calendar periods (half-year, quarter, month) ending within this many months
    #: up to D must each hold an inspection — ``001_…`` 篇三 二、(七)1–2 (frequency per period).
    review_months: int = 12
    #: 常规方式 贷款期限在6个月以内(含6个月)的新发放正常类贷款 可不形成贷后检查报告 —
    #: ``001_…`` 篇三 二、(七)1.
    new_loan_exempt_regular_months: int = 6
    #: 重点方式 贷款期限在3个月以内(含3个月)的新发放正常类贷款 可不形成贷后检查报告 —
    #: ``001_…`` 篇三 二、(七)2.
    new_loan_exempt_key_months: int = 3
    #: 贷款发放日离检查时点不满2个月(含2个月)时 当期可不形成贷后检查报告 — ``001_…`` 篇三 二、(七)1–2.
    period_exempt_disbursed_months: int = 2
    #: 贷款发放后的1个月内 完成一次贷后检查 — ``001_…`` 篇三 二、(七)1–2.
    first_inspection_months: int = 1
    #: 退出类客户 实地调查 每月至少一次 — ``003_…`` 第三篇 单选题 4.
    exit_visit_months: int = 1
    #: 月度检查报告 (重点方式) 于月后10个工作日内完成 — ``001_…`` 篇三 二、(七)2.
    report_month_working_days: int = 10
    #: 季度检查报告 于季后15个工作日内完成 — ``001_…`` 篇三 二、(七)1–2.
    report_quarter_working_days: int = 15
    #: 半年检查报告 于半年后15个工作日内完成 — ``001_…`` 篇三 二、(七)1.
    report_half_year_working_days: int = 15
    #: 年度检查报告 于会计年度后20个工作日内完成 — ``001_…`` 篇三 二、(七)1–2.
    report_year_working_days: int = 20


@dataclass(frozen=True)
class ClassificationPolicy:
    """Risk classification floors (风险分类): ``CLS-OVERDUE``, ``CLS-BORROWER``, ``CLS-RESTRUCT``.

    Source: 《商业银行金融资产风险分类办法》(2023) 第二章 (overdue > 90 days at least
    substandard, > 270 doubtful, > 360 loss; overdue at least special mention, a technical
    grace of up to 7 days allowed); 第七条第二款 (a non-retail borrower with more than 10% of its
    claims at the bank non-performing: all its claims non-performing); 第三章 (restructured assets
    at least special mention through an observation period of at least 1 year); ``003_…`` 第三篇
    多选题 12 (overdue 1–3 years at least doubtful).
    """

    #: 逾期超过该天数至少为关注类 (technical grace ≤ 7 days) — 风险分类办法 2023 第二章(逾期天数标准).
    special_mention_overdue_days: int = 7
    #: 逾期超过90天至少为次级类 — 风险分类办法 2023 第二章(逾期天数标准).
    substandard_overdue_days: int = 90
    #: 逾期超过270天至少为可疑类 — 风险分类办法 2023 第二章(逾期天数标准).
    doubtful_overdue_days: int = 270
    #: 逾期超过360天应为损失类 — 风险分类办法 2023 第二章(逾期天数标准).
    loss_overdue_days: int = 360
    #: 非零售债务人不良债权超过其债权总额的该比例 → 全部债权为不良 — 风险分类办法 2023 第七条第二款.
    borrower_npl_share: float = 0.10
    #: 重组观察期(月) 不得低于1年 (read with ``restructure_date``) — 风险分类办法 2023 第三章
    #: 重组资产的风险分类.
    restructure_observation_months: int = 12


@dataclass(frozen=True)
class ExtensionPolicy:
    """Extension limits (展期期限): ``EXT-LIMIT``.

    Source: 《贷款通则》第十二条 (short-term loans: cumulative extension ≤ original term;
    medium-term: ≤ half the original term; long-term: ≤ 3 years); ``003_…`` 第三篇 单选题 17/27.
    """

    #: 短期贷款: 原期限不超过该月数 — 贷款通则 第十二条 / 第九条.
    short_term_months: int = 12
    #: 中期贷款: 原期限不超过该月数 — 贷款通则 第九条.
    medium_term_months: int = 60
    #: 中期贷款 展期不得超过原期限的该比例 — 贷款通则 第十二条.
    medium_term_fraction: float = 0.5
    #: 长期贷款 展期累计不得超过该月数 — 贷款通则 第十二条.
    long_term_limit_months: int = 36


@dataclass(frozen=True)
class CollectionPolicy:
    """Collection (催收): ``COLL-TIER``, ``COLL-NPL``.

    Sources: ``003_…`` 第四十九条(六) (personal loans: overdue ≤ 60 days: SMS, phone or letter;
    60–90 days: meeting or on-site collection; over 90 days and doubtful: legal action);
    ``001_…`` 篇三 二、(三) (the corporate manual: NPL collection at least monthly).
    """

    #: 逾期60(含)天以内 短信、电话或催收函 — ``003_…`` 第四十九条(六).
    any_collection_max_days: int = 60
    #: 逾期60–90天(含) 约见借款人、实地催收 — ``003_…`` 第四十九条(六).
    visit_max_days: int = 90
    #: 逾期90天以上的和按规定划为可疑类的贷款 原则上采用法律手段清收 — ``003_…`` 第四十九条(六):
    #: doubtful loans require legal action whatever their overdue days.
    doubtful_requires_legal: bool = True
    #: 不良贷款 催收频度不低于每月一次 — ``001_…`` 篇三 二、(三).
    npl_collection_months: int = 1
    #: COLL-NPL comes from the corporate manual (``001_…`` 篇三 二、(三)) and applies to corporate
    #: loans (and loans of unknown customer type); true extends it to personal loans, which are
    #: otherwise held to COLL-TIER (``003_…`` 第四十九条(六)).
    npl_individual: bool = False


@dataclass(frozen=True)
class MaturityPolicy:
    """Maturity and interest notices (到期通知、催收通知): ``MAT-NOTICE``, ``MAT-COLLECT``,
    ``INT-COLLECT``.

    Sources: ``001_…`` 篇三 二、(二)还本付息 (corporate loans: maturity notice one month before
    maturity; collection notice to the borrower and 履行担保责任通知书 to the guarantor within 10
    working days after a missed maturity; a collection notice within 5 working days after a
    missed interest day); ``003_…`` 第四十九条(一) (individual bullet loans: a notice before
    maturity).
    """

    #: 贷款到期日前1个月 发送贷款到期通知书 (corporate loans, final maturity) — ``001_…`` 篇三 二、(二).
    notice_months_before: int = 1
    #: 一次性还本的个人贷款 "在每笔信贷业务到期前" 通知借款人、担保人: at least this many days
    #: before maturity (a notice dated on the maturity day is not "before") — ``003_…``
    #: 第四十九条(一).
    individual_notice_days_before: int = 1
    #: 到期日后10个工作日内 发送贷款催收通知书 — ``001_…`` 篇三 二、(二).
    collection_notice_working_days: int = 10
    #: MAT-COLLECT comes from the corporate manual (``001_…`` 篇三 二、(二)) and applies to
    #: corporate loans (and loans of unknown customer type); true extends it to personal loans.
    collect_individual: bool = False
    #: 收息日后5个工作日内 向借款人发送贷款催收通知书 — ``001_…`` 篇三 二、(二).
    interest_notice_working_days: int = 5


@dataclass(frozen=True)
class CollateralPolicy:
    """Collateral (押品): ``COLLAT-INSP``, ``COLLAT-REVAL``, ``COLLAT-DROP``, ``COLLAT-COVER``,
    ``COLLAT-INSURE``, ``COLLAT-RELEASE``.

    Sources: ``001_…`` 篇三 二、(四) (on-site inspection of collateral at least yearly; not needed
    for loans of one year or less; 抵押物的保险有效性); 《商业银行押品管理指引》(2017) 第三十四条
    (revaluation at least yearly); ``000_…`` 贷后管理工作计划 8 三、(抵押物价值下跌超过10% 要求追加
    担保; 厂房、机器设备 每半年由第三方评估一次); ``003_…`` 第四十六条(一) (抵质押价值的充足性). The
    maximum loan-to-value per collateral type (抵押率) is the bank's: the seeds give none, and
    the defaults below are common ceilings, documented as bank settings in ``docs/policy.md``.
    """

    #: 抵(质)押物现场检查 每年至少1次 — ``001_…`` 篇三 二、(四).
    inspection_months: int = 12
    #: 贷款期限在该月数以内的(正常情况下: 正常类且未逾期)无需现场检查抵(质)押物 —
    #: ``001_…`` 篇三 二、(四).
    inspection_min_term_months: int = 12
    #: 押品价值 至少每年重估一次 — 押品管理指引 2017 第三十四条.
    revaluation_months: int = 12
    #: 押品价值下跌超过该比例 要求追加担保 — ``000_…`` 计划 8.
    value_drop_share: float = 0.10
    #: 厂房、机器设备 每半年由第三方评估一次 (with the collateral sheet): the types held to it —
    #: ``000_…`` 计划 8.
    third_party_types: tuple[str, ...] = ("plant", "equipment")
    #: …every this many months, by a third party (``appraiser`` external) — ``000_…`` 计划 8.
    third_party_months: int = 6
    #: 保险有效性: the collateral types that must be insured (buildings, plant, machines,
    #: vehicles) — ``001_…`` 篇三 二、(四).
    insurable_types: tuple[str, ...] = ("residential", "commercial", "plant", "equipment",
                                        "vehicle")
    #: 抵押率上限 住房 (maximum loan-to-value of residential property): a bank setting — ``003_…``
    #: 第四十六条(一) 抵质押价值的充足性.
    max_ltv_residential: float = 0.7
    #: 抵押率上限 商业用房: a bank setting.
    max_ltv_commercial: float = 0.6
    #: 抵押率上限 土地使用权: a bank setting.
    max_ltv_land: float = 0.7
    #: 抵押率上限 厂房: a bank setting.
    max_ltv_plant: float = 0.6
    #: 抵押率上限 机器设备: a bank setting.
    max_ltv_equipment: float = 0.5
    #: 质押率上限 存单: a bank setting.
    max_ltv_deposit: float = 0.9
    #: 质押率上限 国债: a bank setting.
    max_ltv_bond: float = 0.9
    #: 质押率上限 股权: a bank setting.
    max_ltv_equity: float = 0.5
    #: 质押率上限 应收账款: a bank setting.
    max_ltv_receivable: float = 0.6
    #: 抵押率上限 车辆: a bank setting.
    max_ltv_vehicle: float = 0.5
    #: 抵押率上限 其他 (and collateral of unknown type): a bank setting.
    max_ltv_other: float = 0.5

    def max_ltv(self, collateral_type: str) -> float:
        """The maximum loan-to-value of a collateral type (``other`` for an unknown one)."""
        return float(getattr(self, f"max_ltv_{collateral_type}", self.max_ltv_other))


@dataclass(frozen=True)
class RatingPolicy:
    """Credit rating refresh (信用评级更新): ``RATING-STALE``.

    Source: ``001_…`` 篇三 一、(五) ("借款人和保证人信用评级的更新": ratings renewed in each new
    fiscal year, the calendar year in China). A rating dated before 1 January of a year is stale
    once the grace below has passed in that year.
    """

    #: 新的会计年度 完成信用评级更新: the working days after the fiscal year's start allowed for
    #: it. The manual names no number; a bank setting, defaulting to the 20 working days the same
    #: manual gives for the annual inspection report (``001_…`` 篇三 二、(七)).
    grace_working_days: int = 20


@dataclass(frozen=True)
class FundUsePolicy:
    """Fund-use verification (资金用途核查): ``FUND-USE``.

    Source: ``003_…`` 第四十四条(三) (self-paid loans: periodic verification of the use of funds
    after disbursement; "核查频率与比例由一级分行自行确定": the frequency is a bank setting);
    《个人贷款管理办法》(2024) 第三十九条.
    """

    #: 自主支付贷款 发放后该月数内应完成资金用途核查: a workbench default, the frequency is set by
    #: the tier-1 branch ("核查频率与比例由一级分行自行确定") — ``003_…`` 第四十四条(三).
    check_months: int = 1


@dataclass(frozen=True)
class FinancialsPolicy:
    """Financial statements (财务报表): ``FIN-STATEMENTS``.

    Source: ``001_…`` 篇三 一、(一) ("借款人提供的财务报表……至少包括借款人的半年报表和年度报表,原则上,
    应要求借款人提供经我行认可的会计师事务所审计的完整审计报告"). The manual names no deadline: the
    months after a period's end allowed for its statement are bank settings, defaulting to the
    generous side (the half-year statement by 30 September, the annual one by 31 May, the
    deadline of the annual tax filing).
    """

    #: 半年报表 须在半年度结束后该月数内报送: a bank setting — ``001_…`` 篇三 一、(一).
    half_year_months: int = 3
    #: 年度报表 须在会计年度结束后该月数内报送: a bank setting — ``001_…`` 篇三 一、(一).
    annual_months: int = 5
    #: 年度报表 原则上应经会计师事务所审计 — ``001_…`` 篇三 一、(一).
    annual_audit_required: bool = True


#: The internal rating scale (信用等级), best first: the default of ``warning.rating_scale``.
RATING_SCALE: tuple[str, ...] = ("AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB",
                                 "BBB-", "BB", "B", "CCC", "CC", "C")


@dataclass(frozen=True)
class WarningPolicy:
    """Early warning (风险预警) and the watch list (授信风险监控名单): the ``EW-…`` signals of
    :func:`postloan_audit.scan_signals` and the rule ``LIST-WATCH``.

    Sources: ``003_…`` 第三篇 多选题10 (answer ABD: direct listing on the 授信风险监控名单 when a
    related firm or major shareholder's trouble spreads group risk, when the borrower or a
    guarantor is overdue or in interest arrears 30 days or more at another bank, or sued by
    another bank; not a rating downgrade alone); 《商业银行金融资产风险分类办法》(2023)
    (more than 20% of a debtor's debt at all banks overdue 90+ days: non-performing at every
    bank); ``000_…`` 计划5 (资产负债率、流动比率、毛利率 two quarters running beyond 10%), 计划8
    (collateral value down more than 10%), 计划9 (征信新增逾期; 轻度逾期 1–30 days);
    ``001_…`` 篇五 (operating indicators poor three months running: 重点监测企业名单);
    ``004_…`` 三(四) (二押). The rating scale and the escalation counts are the bank's.
    """

    #: 授信主体或担保主体在他行贷款逾期或欠息30天以上的 原则上直接列入授信风险监控名单 (红色预警)
    #: — ``003_…`` 第三篇 多选题10 B.
    other_bank_overdue_days: int = 30
    #: 债务人在所有银行的债务中,逾期超过90天的债务占比超过20% 的,各银行均应将其债权归为不良
    #: (他行逾期90天以上余额 ÷ (本行余额 + 他行余额)) — 风险分类办法 2023 第七条.
    other_bank_npl90_share: float = 0.20
    #: 资产负债率、流动比率、毛利率 等核心指标 连续 2 个季度 变动 10% 以上(相对变动) 启动预警程序 —
    #: ``000_…`` 计划5.
    financial_change_share: float = 0.10
    #: …连续该数量的季度 — ``000_…`` 计划5 (连续 2 个季度).
    financial_quarters: int = 2
    #: 企业经营状况指标(营业收入、净利润 低于上年同月)连续三个月不理想的 列入重点监测企业名单 —
    #: ``001_…`` 篇五 (四)三.
    operating_months: int = 3
    #: 抵押物价值较上次评估下跌超过该比例 (预警; 合规规则 COLLAT-DROP 另用
    #: ``collateral.value_drop_share``) — ``000_…`` 计划8.
    collateral_drop_share: float = 0.10
    #: 二押: 押品抵押顺位不小于该值 (1 为第一顺位) — ``004_…`` 三(四).
    second_lien_rank: int = 2
    #: 征信新增逾期笔数 达到该数即预警 — ``000_…`` 计划9 (征信新增逾期).
    new_overdue_count: int = 1
    #: 本行贷款逾期不超过该天数为黄色信号,超过为橙色 — ``001_…`` 篇三 二、(二); ``000_…`` 计划9
    #: (轻度逾期 1-30 天).
    overdue_yellow_max_days: int = 30
    #: 内部信用等级 由高到低 (a bank setting): a rating below its previous one is EW-RATING-DOWN;
    #: a rating not on the scale is not judged.
    rating_scale: tuple[str, ...] = RATING_SCALE
    #: 同一客户该数量(及以上)的黄色信号 升为橙色; 0 不升级 — a bank setting.
    yellow_to_orange_count: int = 3
    #: 同一客户该数量(及以上)的橙色信号 升为红色; 0 不升级 — a bank setting.
    orange_to_red_count: int = 3
    #: 红色预警 处置期限(自发起之日起的日历天数): 风险预警台账 "一户一策", 落实责任人和期限 —
    #: ``000_…`` 计划5; 预警报告后、决策部门处置前的 预控性处置 — ``003_…`` 第三篇 单选题12. The
    #: days are the bank's.
    disposal_days_red: int = 15
    #: 橙色预警 处置期限(日历天数) — ``000_…`` 计划5 (一户一策, 期限), a bank setting.
    disposal_days_orange: int = 30
    #: 黄色预警 处置期限(日历天数) — ``000_…`` 计划5 (一户一策, 期限), a bank setting.
    disposal_days_yellow: int = 60

    def disposal_days(self, level: str) -> int:
        """The disposal deadline in calendar days of an alert at ``level`` (red/orange/yellow)."""
        return int(getattr(self, f"disposal_days_{level}"))


@dataclass(frozen=True)
class CallbackPolicy:
    """The first callback after disbursement (首次回访): ``CALLBACK-FIRST``.

    Source: ``003_…`` 第四篇 一、(二)1 ("一般由客服在贷款发放后的7天后回访。自主支付的客户,在3天后
    回访,回访率为100%"): every personal loan gets a callback, after 7 days, after 3 for
    self-paid loans.
    """

    #: 贷款发放后的7天后回访 — ``003_…`` 第四篇 一、(二)1.
    days: int = 7
    #: 自主支付的客户,在3天后回访 — ``003_…`` 第四篇 一、(二)1.
    self_payment_days: int = 3


@dataclass(frozen=True)
class CheckDatePolicy:
    """The check date against the data date (检查日期与数据日期).

    Every deadline rule counts from the check date: checked at a date far from the extract's
    date (数据日期), every inspection, collection and notice deadline looks missed and the
    findings explode. Extracts are reported quarterly (the 关注类迁徙率 and migration tables of
    the management page compare quarter-end snapshots), so a quarter is the natural bound.
    """

    #: 检查日期与台账数据日期相差超过该天数时先请用户确认: one quarter (92 days, the longest
    #: quarter), a workbench default, set by the bank.
    confirm_days: int = 92


@dataclass(frozen=True)
class RectificationPolicy:
    """Follow-up of findings (整改跟踪) and the branch scorecard (百分制考核).

    Source: ``001_…`` 篇四 (四是建立处罚机制: "百分制考核计分 … 得分低于80分的单位 … 下发限期整改通知书,
    督促限期整改"); ``000_…`` 计划 2 and 7 (限期整改, 本周内完成整改). The manuals leave the deadline and
    the points per finding to the bank: the values below are workbench defaults, documented as
    bank settings in ``docs/policy.md``.
    """

    #: 高风险问题 整改期限(自首次发现起的日历天数) — bank setting, ``001_…`` 篇四 限期整改.
    days_high: int = 30
    #: 中风险问题 整改期限(日历天数) — bank setting, ``001_…`` 篇四 限期整改.
    days_medium: int = 30
    #: 低风险问题 整改期限(日历天数) — bank setting, ``001_…`` 篇四 限期整改.
    days_low: int = 30
    #: 考核满分 — ``001_…`` 篇四 百分制考核计分.
    full_score: float = 100.0
    #: 考核合格线: 得分低于该分数的单位受处罚 — ``001_…`` 篇四 得分低于80分的单位.
    pass_score: float = 80.0
    #: 每个未销号的高风险问题 扣分 — bank setting, ``001_…`` 篇四 量化考核.
    deduct_high: float = 5.0
    #: 每个未销号的中风险问题 扣分 — bank setting.
    deduct_medium: float = 2.0
    #: 每个未销号的低风险问题 扣分 — bank setting.
    deduct_low: float = 1.0

    def days(self, severity: str) -> int:
        """The deadline in calendar days for a finding of ``severity`` (high/medium/low)."""
        return int(getattr(self, f"days_{severity}"))

    def deduction(self, severity: str) -> float:
        """Points deducted per open finding of ``severity``."""
        return float(getattr(self, f"deduct_{severity}"))


@dataclass(frozen=True)
class TrailPolicy:
    """The audit trail as people read it (检查记录的显示).

    The trail stores every time in UTC (``docs/audit-trail.md``), so that stores shared by
    offices and servers in different zones agree; the command line and the pages show them in
    the bank's time zone.
    """

    #: 检查记录中的时间(记录时间、变更时间)按该时区显示,存储仍为 UTC — an IANA time-zone name;
    #: China Standard Time (北京时间) by default, a workbench default.
    time_zone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class AnalyticsPolicy:
    """Audit analytics (审计分析): parties, guarantee chains, large exposures, concentration,
    first-digit and bunching tests (``postloan_audit.analytics``, ``docs/analytics.md``).

    Sources: 《商业银行大额风险暴露管理办法》(中国银保监会令2018年第1号: a non-interbank single
    client's exposure at most 15% of 一级资本净额, a group of connected non-interbank clients at
    most 20%); 《中华人民共和国商业银行法》 第三十九条 (loans to one borrower at most 10% of 资本净额);
    Nigrini, *Benford's Law* (Wiley, 2012) for the digit tests. The look-alike score, the
    chain depth, the top-N count and the bunching thresholds are workbench defaults, bank
    settings documented in ``docs/policy.md``.
    """

    #: 名称相似度(rapidfuzz fuzz.ratio, 0–100) 达到该值而未合并的两个债务人列为"名称相近", 供审计
    #: 人员复核; never a reason to join — a workbench default.
    look_alike_score: float = 90.0
    #: 担保链: a chain of guarantees (A 为 B 担保, B 为 C 担保 …) of more than this many links is
    #: listed; a bank setting (监管要求识别担保圈、担保链风险, 银监发〔2016〕42号).
    chain_depth: int = 2
    #: 大额风险暴露: a client's or group's exposure of at least this share of 一级资本净额 —
    #: 《商业银行大额风险暴露管理办法》; Basel LEX20.1 (10%). A bank reporting by another
    #: definition sets its own.
    large_exposure_share: float = 0.10
    #: 非同业单一客户 风险暴露 不得超过一级资本净额的15% — 《商业银行大额风险暴露管理办法》.
    single_client_limit: float = 0.15
    #: 一组非同业关联客户(集团客户) 风险暴露 不得超过一级资本净额的20% — 《商业银行大额风险暴露
    #: 管理办法》.
    group_limit: float = 0.20
    #: 对同一借款人的贷款余额与商业银行资本余额的比例不得超过百分之十 — 《商业银行法》 第三十九条.
    single_borrower_loan_limit: float = 0.10
    #: 集中度: the top-N share reported (前N大占比), a workbench default (前十大客户, ``001_…`` 篇三
    #: 五、3 大额贷款整体情况).
    top_n: int = 10
    #: 首位数字检验: a digit whose z-statistic reaches this value and whose count exceeds the
    #: expected one is listed as suspicious (1.96: 5% two-sided) — Nigrini (2012) ch. 4.
    benford_z: float = 1.96
    #: 阈值下方堆积: a limit is flagged when the loans in the band just below it outnumber those
    #: just above by at least this ratio — a workbench default (Nigrini 2012, amounts just below
    #: authorisation limits).
    bunching_ratio: float = 1.5
    #: …and the band below holds at least this many loans (fewer is noise) — a workbench default.
    bunching_min_count: int = 10


SECTIONS: dict[str, type] = {
    "inspection": InspectionPolicy,
    "classification": ClassificationPolicy,
    "extension": ExtensionPolicy,
    "collection": CollectionPolicy,
    "maturity": MaturityPolicy,
    "collateral": CollateralPolicy,
    "rating": RatingPolicy,
    "fund_use": FundUsePolicy,
    "financials": FinancialsPolicy,
    "callback": CallbackPolicy,
    "warning": WarningPolicy,
    "rectification": RectificationPolicy,
    "check_date": CheckDatePolicy,
    "trail": TrailPolicy,
    "analytics": AnalyticsPolicy,
}

_TYPE_NAMES = {int: "integer", float: "number", bool: "boolean (true/false)",
               tuple: "list of strings ([\"a\", \"b\"])", str: "string (\"…\")"}
_TYPE_NAMES_ZH = {int: "整数", float: "数值", bool: "布尔值(true/false)",
                  tuple: "文字列表(如 [\"a\", \"b\"])", str: "文字(加引号,如 \"…\")"}


def _coerce(key: str, value: Any, kind: type) -> Any:
    """Check ``value`` against the field type ``kind``; raise :class:`PolicyError` naming ``key``."""
    if kind is tuple:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise PolicyError(
                f"参数 {key} 的类型错误:应为{_TYPE_NAMES_ZH[kind]},实际为 {value!r}"
                f" / policy key {key}: expected a {_TYPE_NAMES[kind]}, got {value!r}")
        return tuple(value)
    if kind is str:
        if not isinstance(value, str):
            raise PolicyError(
                f"参数 {key} 的类型错误:应为{_TYPE_NAMES_ZH[kind]},实际为 {value!r}"
                f" / policy key {key}: expected a {_TYPE_NAMES[kind]}, got {value!r}")
        return value
    ok = (
        isinstance(value, bool) if kind is bool
        else isinstance(value, int) and not isinstance(value, bool) if kind is int
        else isinstance(value, int | float) and not isinstance(value, bool)
    )
    if not ok:
        raise PolicyError(
            f"参数 {key} 的类型错误:应为{_TYPE_NAMES_ZH[kind]},"
            f"实际为 {value!r} / policy key {key}: expected {_TYPE_NAMES[kind]}, got {value!r}"
        )
    if kind is float:
        value = float(value)
    if kind is not bool and value < 0:
        raise PolicyError(f"参数 {key} 不能为负数:{value!r} / policy key {key} must not be "
                          f"negative, got {value!r}")
    return value


def _field_types(section: type) -> dict[str, type]:
    kinds = {"int": int, "float": float, "bool": bool, "tuple[str, ...]": tuple, "str": str}
    return {f.name: kinds[f.type] for f in fields(section)}


@dataclass(frozen=True)
class Policy:
    """The bank's check policy (检查参数): one frozen section per group of rules.

    Build it with :meth:`default`, :meth:`from_toml`, :meth:`from_toml_bytes` (an upload) or
    :meth:`from_dict`; every section and field is documented in ``docs/policy.md`` with its
    source.

    Attributes
    ----------
    inspection, classification, extension, collection, maturity, collateral, rating, fund_use,
    financials, callback:
        The thresholds (see the section classes).
    warning:
        Early-warning signals and the watch list (:class:`WarningPolicy`).
    rectification:
        Follow-up deadlines and scorecard points (:class:`RectificationPolicy`).
    check_date:
        When a check date far from the data date asks for confirmation (:class:`CheckDatePolicy`).
    trail:
        How the audit trail's times are shown (:class:`TrailPolicy`).
    analytics:
        The audit analytics' thresholds (:class:`AnalyticsPolicy`).
    disabled:
        ``(rule_id, reason)`` pairs of rules the bank has switched off; they appear in
        ``CheckReport.not_run`` with the reason.
    sources:
        ``(source key, title)`` pairs: the bank's titles of sources of
        :data:`~postloan_audit.core.citations.SOURCES` (:meth:`source_titles`).
    source:
        Where the policy came from (``default`` or the TOML file name).
    """

    inspection: InspectionPolicy = field(default_factory=InspectionPolicy)
    classification: ClassificationPolicy = field(default_factory=ClassificationPolicy)
    extension: ExtensionPolicy = field(default_factory=ExtensionPolicy)
    collection: CollectionPolicy = field(default_factory=CollectionPolicy)
    maturity: MaturityPolicy = field(default_factory=MaturityPolicy)
    collateral: CollateralPolicy = field(default_factory=CollateralPolicy)
    rating: RatingPolicy = field(default_factory=RatingPolicy)
    fund_use: FundUsePolicy = field(default_factory=FundUsePolicy)
    financials: FinancialsPolicy = field(default_factory=FinancialsPolicy)
    callback: CallbackPolicy = field(default_factory=CallbackPolicy)
    warning: WarningPolicy = field(default_factory=WarningPolicy)
    rectification: RectificationPolicy = field(default_factory=RectificationPolicy)
    check_date: CheckDatePolicy = field(default_factory=CheckDatePolicy)
    trail: TrailPolicy = field(default_factory=TrailPolicy)
    analytics: AnalyticsPolicy = field(default_factory=AnalyticsPolicy)
    disabled: tuple[tuple[str, str], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    source: str = "default"

    def __post_init__(self) -> None:
        c = self.classification
        days = [c.special_mention_overdue_days, c.substandard_overdue_days,
                c.doubtful_overdue_days, c.loss_overdue_days]
        if days != sorted(days):
            raise PolicyError(
                "classification 的逾期天数阈值须递增(关注 ≤ 次级 ≤ 可疑 ≤ 损失) / classification "
                f"overdue-day thresholds must be non-decreasing, got {days}")
        w = self.warning
        if c.borrower_npl_share > 1 or self.collateral.value_drop_share > 1 \
                or self.extension.medium_term_fraction > 1 \
                or self.inspection.individual_product_npl_ratio > 1 \
                or w.other_bank_npl90_share > 1 or w.financial_change_share > 1 \
                or w.collateral_drop_share > 1:
            raise PolicyError("比例参数不能大于1 / share parameters must be at most 1 "
                              "(classification.borrower_npl_share, collateral.value_drop_share, "
                              "extension.medium_term_fraction, "
                              "inspection.individual_product_npl_ratio, "
                              "warning.other_bank_npl90_share, warning.financial_change_share, "
                              "warning.collateral_drop_share)")
        _check_warning(w)
        col_types = set(COLLATERAL_TYPE_ZH)
        for key in ("third_party_types", "insurable_types"):
            wrong = set(getattr(self.collateral, key)) - col_types
            if wrong:
                raise PolicyError(
                    f"collateral.{key} 的取值 {sorted(wrong)} 不是押品类型代码,可用:"
                    f"{', '.join(COLLATERAL_TYPE_ZH)} / collateral.{key}: {sorted(wrong)} are not"
                    f" collateral types; known: {', '.join(COLLATERAL_TYPE_ZH)}")
        if any(getattr(self.collateral, f"max_ltv_{t}") > 1 for t in COLLATERAL_TYPE_ZH):
            raise PolicyError("collateral.max_ltv_* 抵押率不能大于1 / collateral.max_ltv_* must"
                              " be at most 1")
        unknown = set(self.inspection.low_risk_guarantee_types) - set(GUARANTEE_TYPES)
        if unknown:
            raise PolicyError(
                f"inspection.low_risk_guarantee_types 的取值 {sorted(unknown)} 不是担保方式代码,"
                f"可用:{', '.join(GUARANTEE_TYPES)} / inspection.low_risk_guarantee_types:"
                f" {sorted(unknown)} are not guarantee types; known: {', '.join(GUARANTEE_TYPES)}")
        if self.collection.any_collection_max_days > self.collection.visit_max_days:
            raise PolicyError("collection.any_collection_max_days 不能大于 visit_max_days / "
                              "collection.any_collection_max_days must not exceed visit_max_days")
        if c.restructure_observation_months < 12:
            raise PolicyError(
                "classification.restructure_observation_months 不得低于12个月(风险分类办法:重组观察期"
                f"不得低于1年),实际为 {c.restructure_observation_months} / classification."
                "restructure_observation_months must be at least 12 (the observation period is at "
                f"least one year), got {c.restructure_observation_months}")
        r = self.rectification
        if r.pass_score > r.full_score:
            raise PolicyError("rectification.pass_score 不能大于 full_score / "
                              "rectification.pass_score must not exceed full_score")
        if self.extension.short_term_months > self.extension.medium_term_months:
            raise PolicyError("extension.short_term_months 不能大于 medium_term_months / "
                              "extension.short_term_months must not exceed medium_term_months")
        _check_time_zone(self.trail.time_zone)
        a = self.analytics
        if max(a.large_exposure_share, a.single_client_limit, a.group_limit,
               a.single_borrower_loan_limit) > 1 or a.look_alike_score > 100:
            raise PolicyError("analytics 的比例参数不能大于1,look_alike_score 不能大于100 / analytics"
                              " shares must be at most 1 and look_alike_score at most 100")
        if a.top_n < 1:
            raise PolicyError(f"analytics.top_n 须至少为1,实际为 {a.top_n} / analytics.top_n must"
                              f" be at least 1, got {a.top_n}")

    # ------------------------------------------------------------------ construction

    @classmethod
    def default(cls) -> Policy:
        """The defaults of the source documents and of ``docs/policy.md``."""
        return cls()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "dict") -> Policy:
        """Defaults overridden by ``data`` (``{section: {key: value}, "disabled": {id: reason}}``).

        Raises
        ------
        PolicyError
            On an unknown section, key or rule id, or a value of the wrong type; the message
            names the key (e.g. ``inspection.individual_months``).
        """
        if not isinstance(data, Mapping):
            raise PolicyError(f"参数配置应为表(键值对) / policy must be a table, got {data!r}")
        kwargs: dict[str, Any] = {}
        for name, values in data.items():
            if name == "disabled":
                kwargs["disabled"] = _parse_disabled(values)
                continue
            if name == "sources":
                kwargs["sources"] = _parse_sources(values)
                continue
            if name not in SECTIONS:
                raise PolicyError(
                    f"未知参数节 [{name}] / unknown policy section [{name}]; "
                    f"可用 / known: {', '.join([*SECTIONS, 'disabled', 'sources'])}")
            if not isinstance(values, Mapping):
                raise PolicyError(f"参数 {name} 应为表 [{name}] / policy key {name} must be a "
                                  f"table [{name}], got {values!r}")
            section = SECTIONS[name]
            types = _field_types(section)
            checked = {}
            for key, value in values.items():
                if key not in types:
                    raise PolicyError(
                        f"未知参数 {name}.{key} / unknown policy key {name}.{key}; "
                        f"可用 / known: {', '.join(types)}")
                checked[key] = _coerce(f"{name}.{key}", value, types[key])
            kwargs[name] = section(**checked)
        return cls(**kwargs, source=source)

    @classmethod
    def from_toml(cls, path: str | PathLike) -> Policy:
        """Read a policy TOML file (see ``policy.example.toml``).

        Raises
        ------
        PolicyError
            The file is not valid TOML, or holds an unknown key or a wrongly typed value.
        """
        from pathlib import Path

        p = Path(path)
        return cls.from_toml_text(p.read_text(encoding="utf-8"), source=p.name)

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "TOML") -> Policy:
        """A policy from TOML text (e.g. an uploaded file's content); ``source`` names it.

        Raises
        ------
        PolicyError
            The text is not valid TOML, or holds an unknown key or a wrongly typed value.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"参数文件 {source} 不是有效的 TOML{toml_where(exc)},请检查该处的"
                              f"方括号、引号和等号。 / policy file {source} is not valid TOML: "
                              f"{exc}") from exc
        return cls.from_dict(data, source=source)

    @classmethod
    def from_toml_bytes(cls, content: bytes, name: str) -> Policy:
        """A policy from an uploaded TOML file's bytes; ``name`` (the file name) names it.

        Nothing is written to disk (uploads stay out of the served folder). Same rules as
        :meth:`from_toml`: an unknown key or a wrongly typed value is a
        :class:`~postloan_audit.core.errors.PolicyError` naming the key.

        Raises
        ------
        PolicyError
            Larger than :data:`MAX_POLICY_BYTES`, not UTF-8 text, not valid TOML, or an
            invalid key or value.
        """
        if len(content) > MAX_POLICY_BYTES:
            raise PolicyError(f"参数文件 {name} 过大({len(content):,} 字节),应为几 KB 的 TOML 文本 / "
                              f"policy file {name} is too large ({len(content):,} bytes)")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PolicyError(f"参数文件 {name} 不是 UTF-8 编码的文本,请用 UTF-8 保存后重新上传 / "
                              f"policy file {name} is not UTF-8 text: {exc}") from exc
        return cls.from_toml_text(text, source=name)

    @classmethod
    def coerce(cls, policy: Policy | str | PathLike | Mapping | None) -> Policy:
        """Accept a Policy, a TOML path, a mapping or None (defaults)."""
        if policy is None:
            return cls.default()
        if isinstance(policy, Policy):
            return policy
        if isinstance(policy, Mapping):
            return cls.from_dict(policy)
        return cls.from_toml(policy)

    # ------------------------------------------------------------------ access

    def value(self, key: str) -> Any:
        """A value by its dotted key, e.g. ``policy.value("inspection.individual_months")``."""
        section, _, name = key.partition(".")
        if section not in SECTIONS or name not in _field_types(SECTIONS[section]):
            raise PolicyError(f"未知参数 {key} / unknown policy key {key}")
        return getattr(getattr(self, section), name)

    def disabled_reason(self, rule_id: str) -> str | None:
        """The bank's reason for disabling ``rule_id``, or None when it is enabled."""
        for rid, reason in self.disabled:
            if rid == rule_id:
                return reason
        return None

    def source_titles(self) -> dict[str, str]:
        """Every source's title in force: :data:`~postloan_audit.core.citations.SOURCES` with
        the bank's ``[sources]`` over it (what citations read with)."""
        return {**SOURCES, **dict(self.sources)}

    def to_dict(self) -> dict[str, Any]:
        """All values as ``{section: {key: value}}`` plus ``disabled`` and, when the bank
        renamed a source, ``sources`` (TOML-shaped)."""
        out: dict[str, Any] = {name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS}
        out["disabled"] = dict(self.disabled)
        if self.sources:  # absent otherwise: a default policy keeps the text (and hash) it had
            out["sources"] = dict(self.sources)
        return out

    def items(self) -> list[tuple[str, Any]]:
        """Flat ``(dotted key, value)`` pairs, in declaration order (for the 参数 sheet)."""
        pairs = [(f"{name}.{f.name}", getattr(getattr(self, name), f.name))
                 for name, section in SECTIONS.items() for f in fields(section)]
        pairs += [(f"disabled.{rid}", reason) for rid, reason in self.disabled]
        pairs += [(f"sources.{key}", title) for key, title in self.sources]
        return pairs

    def replace(self, **sections: Mapping[str, Any]) -> Policy:
        """A copy with some values changed: ``policy.replace(inspection={"individual_months": 3})``."""
        data = {name: dict(values) for name, values in sections.items()}
        merged: dict[str, Any] = {}
        for name in SECTIONS:
            current = dataclasses.asdict(getattr(self, name))
            current.update(data.pop(name, {}))
            merged[name] = current
        if "disabled" in data:
            merged["disabled"] = data.pop("disabled")
        else:
            merged["disabled"] = dict(self.disabled)
        merged["sources"] = data.pop("sources", dict(self.sources))
        if data:
            merged.update(data)  # unknown sections: let from_dict name them
        return Policy.from_dict(merged, source=self.source)


def _check_warning(w: WarningPolicy) -> None:
    """Refuse ``[warning]`` values no signal can use: a period count or lien rank below its
    meaning, a new-overdue count of 0 (every report would warn), a rating scale empty or
    naming a grade twice."""
    for key, least in (("financial_quarters", 1), ("operating_months", 1),
                       ("second_lien_rank", 2), ("new_overdue_count", 1),
                       ("other_bank_overdue_days", 1), ("disposal_days_red", 1),
                       ("disposal_days_orange", 1), ("disposal_days_yellow", 1)):
        value = getattr(w, key)
        if value < least:
            raise PolicyError(f"参数 warning.{key} 不能小于 {least},实际为 {value} / policy key "
                              f"warning.{key} must be at least {least}, got {value}")
    scale = w.rating_scale
    twice = sorted({g for g in scale if scale.count(g) > 1})
    if not scale or twice:
        raise PolicyError(
            "参数 warning.rating_scale 应按由高到低列出各信用等级,且不得重复"
            + (f"(重复:{'、'.join(twice)})" if twice else "(不能为空)")
            + " / policy key warning.rating_scale must list each grade once, best first"
            + (f" (repeated: {', '.join(twice)})" if twice else " (it is empty)"))


def _check_time_zone(name: str) -> None:
    """Refuse a ``trail.time_zone`` that is not an IANA time-zone name (``Asia/Shanghai``)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(
            f"参数 trail.time_zone 的取值 {name!r} 不是时区名称,应为 IANA 时区名,如 \"Asia/Shanghai\""
            f"(北京时间) / policy key trail.time_zone: {name!r} is not a time zone; use an IANA"
            " name such as \"Asia/Shanghai\"") from None


def _parse_disabled(values: Any) -> tuple[tuple[str, str], ...]:
    """``[disabled]`` is a table ``rule id = reason``; a list of ids gets a generic reason."""
    if isinstance(values, list | tuple):
        values = {rid: "" for rid in values}
    if not isinstance(values, Mapping):
        raise PolicyError(f"参数 disabled 应为表(规则编号 = 停用原因) / policy key disabled must "
                          f"be a table of rule id = reason, got {values!r}")
    out = []
    for rid, reason in values.items():
        if rid not in RULE_IDS:
            raise PolicyError(f"未知规则编号 disabled.{rid} / unknown rule id disabled.{rid}; "
                              f"可用 / known: {', '.join(RULE_IDS)}")
        if not isinstance(reason, str):
            raise PolicyError(f"参数 disabled.{rid} 的停用原因应为文字 / policy key "
                              f"disabled.{rid}: the reason must be a string, got {reason!r}")
        out.append((rid, reason))
    return tuple(out)


def _parse_sources(values: Any) -> tuple[tuple[str, str], ...]:
    """``[sources]`` is a table ``source key = title`` over
    :data:`~postloan_audit.core.citations.SOURCES`."""
    if not isinstance(values, Mapping):
        raise PolicyError(f"参数 sources 应为表(出处代码 = 文件名称) / policy key sources must be a "
                          f"table of source key = title, got {values!r}")
    out = []
    for key, title in values.items():
        if key not in SOURCES:
            raise PolicyError(f"未知出处代码 sources.{key} / unknown source key sources.{key}; "
                              f"可用 / known: {', '.join(SOURCES)}")
        if not isinstance(title, str) or not title.strip() or "\n" in title \
                or len(title) > MAX_SOURCE_TITLE:
            raise PolicyError(
                f"参数 sources.{key} 应为一行文字(文件名称,不超过 {MAX_SOURCE_TITLE} 字),实际为 "
                f"{title!r} / policy key sources.{key}: the title must be one line of text of at "
                f"most {MAX_SOURCE_TITLE} characters, got {title!r}")
        out.append((key, title.strip()))
    return tuple(out)
