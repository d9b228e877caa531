"""The extract format: sheets, canonical columns, header aliases and value vocabularies.

This module is the single declaration of the data contract described in
``docs/extract-format.md`` (提取文件格式). The loader (:mod:`postloan_audit.ingest.loader`), the
generator (:mod:`postloan_audit.synth.generator`) and the documentation all read it; nothing else
hard-codes a header or a code.

Header variants follow ``shared/domain.md`` ("What real extracts look like"), i.e. the
column names seen in exports of Chinese banks' credit management systems (信贷管理系统).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- value vocabularies

#: Five-tier classification (五级分类), best to worst. ``substandard``, ``doubtful`` and ``loss``
#: are non-performing (不良). Source: 《商业银行金融资产风险分类办法》 (2023).
CLASSIFICATIONS: tuple[str, ...] = ("normal", "special_mention", "substandard", "doubtful", "loss")
NPL_CLASSES: tuple[str, ...] = ("substandard", "doubtful", "loss")
CLASSIFICATION_ZH: dict[str, str] = {
    "normal": "正常",
    "special_mention": "关注",
    "substandard": "次级",
    "doubtful": "可疑",
    "loss": "损失",
}

#: Guarantee types (担保方式), weakest to strongest. A combination such as 抵押+保证 keeps the
#: strongest in ``guarantee_type`` and sets the derived ``secured`` flag.
GUARANTEE_TYPES: tuple[str, ...] = ("credit", "guarantee", "mortgage", "pledge")
GUARANTEE_ZH: dict[str, str] = {
    "credit": "信用",
    "guarantee": "保证",
    "mortgage": "抵押",
    "pledge": "质押",
}
SECURED_GUARANTEE_TYPES: tuple[str, ...] = ("guarantee", "mortgage", "pledge")
COLLATERAL_GUARANTEE_TYPES: tuple[str, ...] = ("mortgage", "pledge")

CUSTOMER_TYPE_ZH = {"corporate": "对公", "individual": "个人"}
MANAGEMENT_MODE_ZH = {"regular": "常规", "key": "重点"}
REPAYMENT_METHOD_ZH = {"installment": "分期还款", "bullet": "到期一次还本"}
PAYMENT_METHOD_ZH = {"entrusted": "受托支付", "self": "自主支付"}
COLLECTION_METHOD_ZH = {
    "sms": "短信",
    "phone": "电话",
    "letter": "信函",
    "visit": "上门",
    "legal": "诉讼",
}
INSPECTION_TYPE_ZH = {"onsite": "现场", "offsite": "非现场"}
#: Collateral types (押品类型), as a collateral register (押品管理系统) exports them.
COLLATERAL_TYPE_ZH = {
    "residential": "住房", "commercial": "商业用房", "land": "土地", "plant": "厂房",
    "equipment": "机器设备", "deposit": "存单", "bond": "国债", "equity": "股权",
    "receivable": "应收账款", "vehicle": "车辆", "other": "其他",
}
APPRAISER_ZH = {"internal": "内部评估", "external": "外部评估"}
GUARANTOR_TYPE_ZH = {"corporate": "企业", "individual": "个人", "guarantee_company": "担保公司"}
PERIOD_TYPE_ZH = {"month": "月报", "quarter": "季报", "half": "半年报", "year": "年报"}
#: Name lists (名单制管理): 授信风险监控名单, 重点监测企业名单, 退出/压缩/限制类.
LIST_TYPE_ZH = {"watch": "监控名单", "monitor": "重点监测", "exit": "退出", "reduce": "压缩",
                "restrict": "限制"}

#: Ordered (keyword, canonical) pairs for free-text vocabularies: the first keyword found in a
#: normalised cell decides. Order matters where one keyword contains another (非现场 ⊃ 现场).
VOCABULARIES: dict[str, tuple[tuple[str, str], ...]] = {
    "customer_type": (
        ("corporate", "corporate"),
        ("company", "corporate"),
        ("individual", "individual"),
        ("personal", "individual"),
        ("retail", "individual"),
        ("对公", "corporate"),
        ("公司", "corporate"),
        ("企业", "corporate"),
        ("法人", "corporate"),
        ("单位", "corporate"),
        ("个人", "individual"),
        ("零售", "individual"),
        ("自然人", "individual"),
        ("个体", "individual"),
    ),
    "management_mode": (
        ("regular", "regular"),
        ("normal", "regular"),
        ("key", "key"),
        ("常规", "regular"),
        ("一般", "regular"),
        ("重点", "key"),
    ),
    "repayment_method": (
        ("installment", "installment"),
        ("instalment", "installment"),
        ("amortiz", "installment"),
        ("bullet", "bullet"),
        ("到期一次", "bullet"),
        ("一次性", "bullet"),
        ("一次还本", "bullet"),
        ("到期还本", "bullet"),
        ("利随本清", "bullet"),
        ("分期", "installment"),
        ("等额", "installment"),
        ("按月还本", "installment"),
        ("按季还本", "installment"),
    ),
    "payment_method": (
        ("entrusted", "entrusted"),
        ("self", "self"),
        ("受托", "entrusted"),
        ("自主", "self"),
    ),
    "collection_method": (
        ("sms", "sms"),
        ("phone", "phone"),
        ("letter", "letter"),
        ("visit", "visit"),
        ("legal", "legal"),
        ("短信", "sms"),
        ("电话", "phone"),
        ("律师函", "legal"),
        ("诉讼", "legal"),
        ("起诉", "legal"),
        ("法律", "legal"),
        ("司法", "legal"),
        ("信函", "letter"),
        ("函", "letter"),
        ("上门", "visit"),
        ("面谈", "visit"),
        ("现场", "visit"),
        ("走访", "visit"),
    ),
    "collateral_type": (
        ("residential", "residential"), ("commercial", "commercial"), ("land", "land"),
        ("plant", "plant"), ("equipment", "equipment"), ("deposit", "deposit"),
        ("bond", "bond"), ("equity", "equity"), ("receivable", "receivable"),
        ("vehicle", "vehicle"), ("other", "other"),
        ("商业用房", "commercial"), ("商铺", "commercial"), ("商业", "commercial"),
        ("写字楼", "commercial"), ("办公", "commercial"),
        ("住房", "residential"), ("住宅", "residential"), ("房产", "residential"),
        ("土地", "land"), ("国有土地使用权", "land"),
        ("厂房", "plant"), ("仓库", "plant"), ("工业用房", "plant"),
        ("机器", "equipment"), ("设备", "equipment"),
        ("存单", "deposit"), ("保证金", "deposit"),
        ("国债", "bond"), ("债券", "bond"),
        ("股权", "equity"), ("股票", "equity"),
        ("应收账款", "receivable"), ("应收", "receivable"),
        ("车辆", "vehicle"), ("机动车", "vehicle"), ("汽车", "vehicle"),
        ("其他", "other"),
    ),
    "appraiser": (
        ("internal", "internal"), ("external", "external"), ("third", "external"),
        ("内部", "internal"), ("行内", "internal"), ("本行", "internal"),
        ("外部", "external"), ("第三方", "external"), ("评估机构", "external"),
    ),
    "guarantor_type": (
        ("guarantee_company", "guarantee_company"), ("corporate", "corporate"),
        ("individual", "individual"),
        ("担保公司", "guarantee_company"), ("融资担保", "guarantee_company"),
        ("担保机构", "guarantee_company"),
        ("企业", "corporate"), ("公司", "corporate"), ("法人", "corporate"),
        ("单位", "corporate"),
        ("个人", "individual"), ("自然人", "individual"),
    ),
    "period_type": (
        ("month", "month"), ("quarter", "quarter"), ("half", "half"), ("year", "year"),
        ("annual", "year"),
        ("半年", "half"), ("中报", "half"), ("季", "quarter"), ("年", "year"),
        ("月", "month"),
    ),
    "list_type": (
        ("watch", "watch"), ("monitor", "monitor"), ("exit", "exit"), ("reduce", "reduce"),
        ("restrict", "restrict"),
        ("重点监测", "monitor"), ("监测", "monitor"),
        ("监控", "watch"), ("预警", "watch"),
        ("退出", "exit"), ("压缩", "reduce"), ("限制", "restrict"),
    ),
    "inspection_type": (
        ("offsite", "offsite"),
        ("off-site", "offsite"),
        ("onsite", "onsite"),
        ("on-site", "onsite"),
        ("非现场", "offsite"),
        ("现场", "onsite"),
    ),
}

#: Reporting periods (报告期次) as banks write them → canonical text: a month ``2026-03``, a
#: quarter ``2026Q1``, a half-year ``2026H1``, a year ``2026``. Quarter and half-year words:
QUARTER_WORDS: dict[str, int] = {"一季度": 1, "第一季度": 1, "二季度": 2, "第二季度": 2,
                                 "三季度": 3, "第三季度": 3, "四季度": 4, "第四季度": 4}
HALF_YEAR_WORDS: dict[str, int] = {"上半年": 1, "下半年": 2}
PERIOD_FORMS = ("2026Q1", "2026年一季度", "2026-03", "2026年3月", "2026H1", "2026年上半年",
                "2026年度")

TRUE_WORDS: frozenset[str] = frozenset({"是", "y", "yes", "1", "true", "t", "有", "√"})
FALSE_WORDS: frozenset[str] = frozenset({"否", "n", "no", "0", "false", "f", "无", "×", ""})

#: Words that make a row a summary row (合计行) wherever they stand in an id or branch cell
#: (``城关支行 小计``), or at the end of a name cell.
SUMMARY_WORDS: tuple[str, ...] = ("合计", "总计", "小计")
#: Words that make a row a summary row when a cell of it starts with them.
SUMMARY_PREFIXES: tuple[str, ...] = ("本页合计", "累计", "其中", "subtotal", "total", "grandtotal")
#: Sign-off lines below the data (制表人/复核人 …): set aside as summary rows, not loans.
SIGNOFF_WORDS: tuple[str, ...] = ("制表人", "制表", "复核人", "复核", "审核人", "审核", "审批人",
                                  "打印时间", "打印日期", "打印人", "制表日期", "备注", "说明",
                                  "负责人", "经办人签字", "报送日期")

#: Header units and their factor to yuan (元).
AMOUNT_UNITS: dict[str, float] = {"亿元": 100_000_000.0, "万元": 10_000.0, "千元": 1_000.0,
                                  "元": 1.0}
#: Spellings of a unit in a header or title line → the canonical unit.
UNIT_SPELLINGS: dict[str, str] = {
    "亿元": "亿元", "亿": "亿元", "万元": "万元", "万": "万元", "千元": "千元", "元": "元",
    "人民币亿元": "亿元", "人民币万元": "万元", "人民币千元": "千元", "人民币元": "元",
    "天": "天", "日": "天", "个月": "月", "月": "月", "年": "年",
}
#: Duration units and their factor to days (exact for days; months/years are calendar units).
DURATION_UNITS: tuple[str, ...] = ("天", "月", "年")
#: Average days per month used to express a days column as whole months (365.25 / 12).
DAYS_PER_MONTH = 30.4375
#: The units each column kind may carry in its header; any other unit is an error.
UNITS_BY_COLUMN: dict[str, tuple[str, ...]] = {
    "extension_months": DURATION_UNITS,
    "overdue_days": ("天",),
}

#: Currency words and codes (GB/T 12406 / ISO 4217 numeric) → ISO 4217 alphabetic code.
CURRENCY_CODES: dict[str, str] = {
    "cny": "CNY", "rmb": "CNY", "人民币": "CNY", "156": "CNY", "本币": "CNY", "¥": "CNY",
    "usd": "USD", "美元": "USD", "840": "USD",
    "hkd": "HKD", "港币": "HKD", "港元": "HKD", "344": "HKD",
    "eur": "EUR", "欧元": "EUR", "978": "EUR",
    "jpy": "JPY", "日元": "JPY", "392": "JPY",
    "gbp": "GBP", "英镑": "GBP", "826": "GBP",
    "mop": "MOP", "澳门元": "MOP", "446": "MOP",
    "twd": "TWD", "新台币": "TWD", "901": "TWD",
    "aud": "AUD", "澳元": "AUD", "036": "AUD",
    "cad": "CAD", "加元": "CAD", "124": "CAD",
    "sgd": "SGD", "新加坡元": "SGD", "702": "SGD",
    "chf": "CHF", "瑞士法郎": "CHF", "756": "CHF",
}
HOME_CURRENCY = "CNY"

#: Excel error values (单元格错误值). Never read as 0 or blank.
EXCEL_ERRORS: tuple[str, ...] = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!",
                                 "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!")
#: What the loader puts in a formula cell saved without a cached value (公式未计算).
FORMULA_NOT_CALCULATED = "#公式未计算"

# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One canonical column of a sheet.

    ``kind`` is one of ``id`` (string, leading zeros kept), ``text``, ``amount`` (float64
    yuan), ``date`` (datetime64), ``int``, ``bool``, ``classification`` (ordered
    categorical), ``guarantee`` (guarantee type with combinations), ``period`` (a reporting
    period, see :data:`PERIOD_FORMS`) or ``vocab:<name>`` (a value of :data:`VOCABULARIES`).
    """

    name: str
    kind: str
    required: bool
    zh: str
    aliases: tuple[str, ...] = ()
    doc: str = ""


def _c(name, kind, zh, aliases=(), required=False, doc=""):
    return Column(name=name, kind=kind, required=required, zh=zh, aliases=tuple(aliases), doc=doc)


LOAN_COLUMNS: tuple[Column, ...] = (
    _c("loan_id", "id", "借据号",
       ["借据编号", "借据号码", "贷款账号", "贷款编号", "业务编号", "借据id", "loan", "loanno"],
       required=True, doc="Loan (借据) identifier; unique within the extract."),
    _c("borrower_id", "id", "客户号",
       ["客户编号", "客户代码", "借款人编号", "客户编码", "客户id", "borrower", "customerid"],
       required=True, doc="Borrower (客户/户) identifier."),
    _c("branch", "text", "经营机构",
       ["机构名称", "所属机构", "经办机构", "支行", "网点", "营业机构", "机构"],
       required=True, doc="Sub-branch (支行/网点) holding the loan."),
    _c("balance", "amount", "贷款余额",
       ["余额", "借据余额", "本金余额", "当前余额", "贷款余额元"],
       required=True, doc="Outstanding principal in yuan (元); a 万元/千元 header is converted."),
    _c("classification", "classification", "五级分类",
       ["风险分类", "五级分类结果", "分类结果", "资产分类", "十二级分类", "贷款五级分类"],
       required=True, doc="Five-tier classification; words, codes 1–5 and sub-grades accepted."),
    _c("guarantee_type", "guarantee", "担保方式",
       ["主要担保方式", "担保类型", "guarantee"],
       doc="Strongest guarantee: pledge/mortgage before guarantee before credit. Optional: "
           "without it (and without a profile's ``secured`` derivation) the rules that need it "
           "are not run and sampling refuses, naming the column."),
    _c("borrower_name", "text", "客户名称",
       ["借款人", "借款人名称", "客户姓名", "户名", "name", "customername"]),
    _c("customer_type", "vocab:customer_type", "客户类型", ["客户类别", "业务条线"]),
    _c("product", "text", "贷款品种", ["产品名称", "业务品种", "贷款产品", "产品"]),
    _c("disbursement_date", "date", "发放日期",
       ["发放日", "放款日期", "借据起始日", "起息日", "贷款发放日"]),
    _c("maturity_date", "date", "到期日期",
       ["到期日", "借据到期日", "合同到期日", "贷款到期日"],
       doc="Current maturity, after any extension (展期)."),
    _c("repayment_method", "vocab:repayment_method", "还款方式", []),
    _c("payment_method", "vocab:payment_method", "支付方式", []),
    _c("overdue_days", "int", "逾期天数", ["本金逾期天数", "欠息天数", "利息逾期天数"],
       doc="Days past due; when several overdue-day columns appear the larger is taken."),
    _c("management_mode", "vocab:management_mode", "管理方式", ["贷后管理方式"]),
    _c("last_inspection_date", "date", "最近检查日期",
       ["最近一次贷后检查日期", "上次检查日期", "最近贷后检查日期"]),
    _c("first_inspection_date", "date", "首次检查日期", ["首次贷后检查日期", "首次跟踪检查日期"]),
    _c("last_onsite_inspection_date", "date", "最近现场检查日期",
       ["最近一次现场检查日期", "上次现场检查日期", "最近实地调查日期"],
       doc="Latest on-site inspection (现场检查, 实地调查) of the loan; EXIT-VISIT reads it when "
           "the inspections sheet has no ``inspection_type``."),
    _c("extension_months", "int", "展期月数", ["累计展期月数", "展期期限"],
       doc="Cumulative months of extension (展期), 0 = none. A header in days (展期期限（天）)"
           " is converted to whole months and the days are carried in ``extension_days``;"
           " a header in years (年) is × 12."),
    _c("refinanced", "bool", "借新还旧", ["是否借新还旧"]),
    _c("restructured", "bool", "重组", ["是否重组", "重组贷款"]),
    _c("restructure_date", "date", "重组日期", [],
       doc="Date of the restructuring (重组); starts the observation period of CLS-RESTRUCT."),
    _c("collateral_value", "amount", "押品价值", ["抵质押物价值", "押品评估价值", "押品现值"]),
    _c("collateral_initial_value", "amount", "押品初始价值",
       ["押品初始评估价值", "抵质押物初始价值", "押品原值"]),
    _c("collateral_appraisal_date", "date", "押品评估日期", ["押品重估日期", "最近评估日期"]),
    _c("collateral_inspection_date", "date", "押品检查日期", ["押品现场检查日期"]),
    _c("additional_guarantee", "bool", "已追加担保", ["追加担保", "是否追加担保"]),
    _c("rating", "text", "信用等级", ["客户评级", "评级结果", "信用评级"]),
    _c("rating_date", "date", "评级日期", ["评级生效日", "评级时间"]),
    _c("maturity_notice_date", "date", "到期通知日期", ["到期提示日期", "到期通知书日期"]),
    _c("collection_notice_date", "date", "催收通知日期", ["逾期催收通知日期", "催收通知书日期"]),
    _c("interest_overdue_since", "date", "欠息起始日", ["最小欠息日", "欠息日期", "欠息开始日期"],
       doc="The first interest day missed and still unpaid (欠息起始日); INT-COLLECT reads it."),
    _c("guarantor_notice_date", "date", "担保责任通知日期", ["履行担保责任通知书日期", "担保人通知日期"],
       doc="Date the 履行担保责任通知书 was sent to the guarantor (保证人)."),
    _c("last_collection_date", "date", "最近催收日期", ["上次催收日期"]),
    _c("last_collection_method", "vocab:collection_method", "最近催收方式", ["上次催收方式"]),
    _c("fund_use_check_date", "date", "资金用途检查日期", ["用途检查日期", "贷款用途核查日期"]),
    _c("callback_date", "date", "回访日期", ["首次回访日期", "客服回访日期"],
       doc="The first callback to the borrower after disbursement (首次回访); CALLBACK-FIRST."),
    _c("exit_list", "bool", "退出类客户", ["是否退出类", "列入退出名单"]),
    _c("litigation", "bool", "诉讼", ["是否诉讼", "已起诉"]),
    _c("industry", "text", "行业", ["行业分类", "所属行业", "贷款投向"]),
    _c("loan_officer", "text", "客户经理", ["管户经理", "经办人"]),
    _c("id_number", "id", "证件号码", ["身份证号", "证件号", "统一社会信用代码", "身份证号码"]),
    _c("group_id", "id", "集团编号", ["关联集团", "集团客户编号", "所属集团", "集团号"],
       doc="The group (集团客户, 关联集团) the borrower belongs to."),
    _c("contract_id", "id", "合同编号", ["借款合同编号", "合同号", "授信合同编号"],
       doc="The loan contract (借款合同) the loan draws on."),
)

#: Loan columns the loader reads and derives beyond those the generator writes: the currency
#: (币种) of a multi-currency ledger, and the exact days of a days-denominated extension column.
LOAN_EXTRA_COLUMNS: tuple[Column, ...] = (
    _c("currency", "currency", "币种", ["货币", "币别", "币种代码", "货币代码", "币种名称"],
       doc="ISO 4217 code (CNY, USD, HKD …); amounts of a non-CNY loan are in that currency,"
           " and the derived bool ``foreign_currency`` marks it."),
    _c("extension_days", "int", "展期天数", ["累计展期天数"],
       doc="Cumulative days of extension, exactly as a days column (展期期限（天）) gives them;"
           " ``extension_months`` then holds the whole months."),
)

INSPECTION_COLUMNS: tuple[Column, ...] = (
    _c("loan_id", "id", "借据号", ["借据编号", "贷款账号", "贷款编号", "业务编号"], required=True),
    _c("inspection_date", "date", "检查日期", ["贷后检查日期", "检查时间"], required=True),
    _c("inspection_type", "vocab:inspection_type", "检查方式", ["检查类型"]),
    _c("inspector", "text", "检查人", ["检查人员"]),
    _c("report_date", "date", "报告日期", ["报告完成日期", "检查报告日期"],
       doc="When the inspection report (贷后检查报告) was completed; INSP-REPORT."),
    _c("report_period", "period", "所属期间", ["报告期次", "报告期间", "检查期间"],
       doc="The period the report covers: 2026Q1 / 2026年一季度, 2026-03 / 2026年3月, 2026H1 /"
           " 2026年上半年, 2026年度; canonical ``2026-03`` (month), ``2026Q1``, ``2026H1``,"
           " ``2026`` (year). A report counts for this period, not the one its date falls in."),
)

COLLECTION_COLUMNS: tuple[Column, ...] = (
    _c("loan_id", "id", "借据号", ["借据编号", "贷款账号", "贷款编号", "业务编号"], required=True),
    _c("collection_date", "date", "催收日期", ["催收时间"], required=True),
    _c("method", "vocab:collection_method", "催收方式", ["催收手段"], required=True),
)

#: The loan id and borrower id as every sheet of a credit system's export names them.
_LOAN_ID_ALIASES = ("借据编号", "借据号码", "贷款账号", "贷款编号", "业务编号", "借据id", "loan", "loanno")
_BORROWER_ID_ALIASES = ("客户编号", "客户代码", "借款人编号", "客户编码", "客户id", "borrower",
                        "customerid")

COLLATERAL_COLUMNS: tuple[Column, ...] = (
    _c("collateral_id", "id", "押品编号", ["押品号", "抵质押物编号", "押品代码"], required=True,
       doc="One collateral; a collateral securing several loans appears once per loan."),
    _c("loan_id", "id", "借据号", _LOAN_ID_ALIASES, required=True),
    _c("borrower_id", "id", "客户号", _BORROWER_ID_ALIASES),
    _c("collateral_type", "vocab:collateral_type", "押品类型", ["押品种类", "抵质押物类型", "押品类别"]),
    _c("appraised_value", "amount", "评估价值", ["押品评估价值", "评估金额", "认定价值", "押品价值"],
       required=True),
    _c("appraisal_date", "date", "评估日期", ["押品评估日期", "价值评估日期", "重估日期"],
       required=True),
    _c("appraiser", "vocab:appraiser", "评估方式", ["评估类型", "评估机构类型"]),
    _c("previous_value", "amount", "上次评估价值", ["前次评估价值", "原评估价值"]),
    _c("previous_appraisal_date", "date", "上次评估日期", ["前次评估日期"]),
    _c("lien_rank", "int", "抵押顺位", ["抵押顺序", "顺位"],
       doc="1 = first lien (一押); 2 or more: second or later (二押)."),
    _c("prior_claims", "amount", "优先受偿金额", ["优先受偿权金额", "已设定优先权金额"]),
    _c("insurance_expiry", "date", "保险到期日", ["保险到期日期", "保单到期日"]),
    _c("title_certificate", "id", "权证编号", ["权证号", "他项权证号", "产权证号"]),
    _c("release_date", "date", "解押日期", ["解除抵押日期", "出库日期"]),
    _c("inspection_date", "date", "押品检查日期", ["押品现场检查日期", "检查日期"]),
)

GUARANTEE_COLUMNS: tuple[Column, ...] = (
    _c("loan_id", "id", "借据号", _LOAN_ID_ALIASES, required=True),
    _c("guarantor_id", "id", "保证人编号", ["保证人客户号", "担保人编号", "担保人客户号"],
       required=True),
    _c("guarantor_name", "text", "保证人名称", ["保证人", "担保人", "担保人名称"]),
    _c("guarantor_type", "vocab:guarantor_type", "保证人类型", ["担保人类型", "保证人类别"]),
    _c("guaranteed_amount", "amount", "担保金额", ["保证金额", "担保责任金额"]),
    _c("guarantor_rating", "text", "保证人信用等级", ["担保人评级", "保证人评级"]),
    _c("guarantor_rating_date", "date", "保证人评级日期", ["担保人评级日期"]),
    _c("id_number", "id", "保证人证件号码", ["担保人证件号码", "保证人身份证号", "保证人统一社会信用代码"]),
)

FINANCIAL_COLUMNS: tuple[Column, ...] = (
    _c("borrower_id", "id", "客户号", _BORROWER_ID_ALIASES, required=True),
    _c("period_end", "date", "报表日期", ["报表截止日", "报告期末", "会计期末"], required=True),
    _c("period_type", "vocab:period_type", "报表类型", ["报表周期", "报表期间类型"]),
    _c("total_assets", "amount", "资产总额", ["总资产", "资产合计"]),
    _c("total_liabilities", "amount", "负债总额", ["总负债", "负债合计"]),
    _c("current_assets", "amount", "流动资产", ["流动资产合计"]),
    _c("current_liabilities", "amount", "流动负债", ["流动负债合计"]),
    _c("revenue", "amount", "营业收入", ["主营业务收入", "销售收入", "营业总收入"]),
    _c("cost_of_sales", "amount", "营业成本", ["主营业务成本", "销售成本"]),
    _c("net_profit", "amount", "净利润", ["净利"]),
    _c("operating_cash_flow", "amount", "经营活动现金流量净额", ["经营现金流", "经营活动产生的现金流量净额"]),
    _c("audited", "bool", "是否审计", ["经审计", "审计报表"]),
    _c("received_date", "date", "报送日期", ["报表报送日期", "收到日期"]),
)

EXTERNAL_COLUMNS: tuple[Column, ...] = (
    _c("party_id", "id", "客户号", ["主体编号", "客户编号", "保证人编号", "客户代码"], required=True,
       doc="A borrower's or a guarantor's id."),
    _c("report_date", "date", "查询日期", ["报告日期", "征信查询日期", "信息日期"], required=True),
    _c("other_bank_overdue_days", "int", "他行逾期天数", ["他行最长逾期天数"]),
    _c("other_bank_arrears_days", "int", "他行欠息天数", ["他行最长欠息天数"]),
    _c("other_bank_balance", "amount", "他行贷款余额", ["他行余额", "他行融资余额"]),
    _c("other_bank_overdue90_balance", "amount", "他行逾期90天以上余额", ["他行逾期90天以上贷款余额"]),
    _c("other_bank_npl", "bool", "他行不良", ["他行是否不良", "他行不良贷款"]),
    _c("other_bank_litigation", "bool", "他行起诉", ["他行诉讼", "被他行起诉"]),
    _c("new_overdue_count", "int", "征信新增逾期", ["新增逾期笔数", "征信新增逾期笔数"]),
    _c("enforcement", "bool", "被执行", ["失信被执行", "被执行人", "失信"]),
)

LIST_COLUMNS: tuple[Column, ...] = (
    _c("borrower_id", "id", "客户号", _BORROWER_ID_ALIASES, required=True),
    _c("list_type", "vocab:list_type", "名单类型", ["名单类别", "名单"], required=True),
    _c("listed_date", "date", "列入日期", ["纳入日期", "列名日期"], required=True),
    _c("removed_date", "date", "移出日期", ["退出名单日期", "解除日期"]),
    _c("reason", "text", "列入原因", ["原因", "纳入原因"]),
    _c("officer", "text", "负责人", ["责任人", "客户经理"]),
)

BRANCH_COLUMNS: tuple[Column, ...] = (
    _c("branch", "text", "机构", ["机构名称", "经营机构", "支行", "网点"], required=True),
    _c("last_onsite_review_date", "date", "最近现场检查日期",
       ["上次现场检查日期", "最近现场督导日期"], required=True),
)


@dataclass(frozen=True)
class Sheet:
    """A sheet of an extract, recognised by name or, failing that, by its columns."""

    name: str
    zh: str
    names: tuple[str, ...]
    columns: tuple[Column, ...]
    optional: bool = True
    column_index: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_index", {c.name: c for c in self.columns})

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


SHEETS: dict[str, Sheet] = {
    "loans": Sheet("loans", "贷款台账",
                   ("loans", "loan", "贷款台账", "借据明细", "贷款明细", "台账", "借据"),
                   LOAN_COLUMNS + LOAN_EXTRA_COLUMNS, optional=False),
    "inspections": Sheet("inspections", "贷后检查记录",
                         ("inspections", "inspection", "贷后检查记录", "检查记录", "贷后检查"),
                         INSPECTION_COLUMNS),
    "collections": Sheet("collections", "催收记录",
                         ("collections", "collection", "催收记录", "催收"),
                         COLLECTION_COLUMNS),
    "branches": Sheet("branches", "机构",
                      ("branches", "branch", "机构", "机构清单", "支行", "网点"),
                      BRANCH_COLUMNS),
    "collateral": Sheet("collateral", "押品",
                        ("collateral", "押品", "押品清单", "押品台账", "抵质押物", "抵质押品"),
                        COLLATERAL_COLUMNS),
    "guarantees": Sheet("guarantees", "保证",
                        ("guarantees", "guarantee", "保证", "保证人", "担保", "保证担保", "担保人"),
                        GUARANTEE_COLUMNS),
    "financials": Sheet("financials", "财务报表",
                        ("financials", "财务报表", "财务数据", "报表", "财务指标"),
                        FINANCIAL_COLUMNS),
    "external": Sheet("external", "外部信息",
                      ("external", "外部信息", "征信", "征信信息", "外部数据", "他行信息"),
                      EXTERNAL_COLUMNS),
    "lists": Sheet("lists", "名单",
                   ("lists", "名单", "名单管理", "客户名单", "监控名单"),
                   LIST_COLUMNS),
}
#: The sheets of the borrower's file (beyond the ledger and its inspections, collections and
#: branches), in the order ``Extract`` holds them.
BORROWER_FILE_SHEETS: tuple[str, ...] = ("collateral", "guarantees", "financials", "external",
                                         "lists")

# --------------------------------------------------------------------------- normalisation

_UNIT_RE = re.compile(r"[(\[{<（【]?(?:单位[:：]?)?(万元|千元|亿元|元|天|月|个月|%)[)\]}>）】]?$")
#: A unit in brackets in a header: (万元), （万）, (人民币万元), （单位：万元）, (天), (个月) ...
_BRACKET_UNIT_RE = re.compile(
    r"[(\[（【]\s*(?:金额)?(?:单位\s*[:：]?\s*)?(人民币亿元|人民币万元|人民币千元|人民币元|亿元|万元|千元|"
    r"元|亿|万|个月|天|日|月|年)\s*[)\]）】]")
#: A unit line in a title row: 单位:万元, 金额单位：万元, 单位：人民币元.
TITLE_UNIT_RE = re.compile(
    r"(?:金额)?单位\s*[:：]\s*(人民币亿元|人民币万元|人民币千元|人民币元|亿元|万元|千元|元|亿|万)")
#: Invisible characters removed from headers and text: zero-width spaces and joiners, BOMs.
INVISIBLE_RE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_BRACKETS_RE = re.compile(r"[(\[{<（【][^)\]}>）】]*[)\]}>）】]")
_STRIP_RE = re.compile(r"[\s_\-./\\:：*#]+")


def normalise_text(value: str) -> str:
    """NFKC (full-width → half-width), lower case, no whitespace or separators."""
    text = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", str(value)))
    return _STRIP_RE.sub("", text.strip().lower())


def split_header(header: object) -> tuple[str, str | None]:
    """Return the normalised header key and the unit it carries, if any.

    ``"贷款余额（万元）"`` → ``("贷款余额", "万元")``; ``"Balance"`` → ``("balance", None)``.
    """
    text = INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", "" if header is None else str(header)))
    text = text.strip()
    unit = None
    match = _BRACKET_UNIT_RE.search(text)
    if match:
        unit = UNIT_SPELLINGS[match.group(1)]
    else:
        for candidate in AMOUNT_UNITS:
            if text.endswith(candidate) and len(text) > len(candidate):
                unit = candidate
                break
    key = _BRACKETS_RE.sub("", text)
    key = normalise_text(key)
    key = _UNIT_RE.sub("", key) if _UNIT_RE.sub("", key) else key
    return key, unit


def _alias_index(sheet: Sheet) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in sheet.columns:
        for alias in (col.name, col.name.replace("_", " "), col.zh, *col.aliases):
            key = normalise_text(alias)
            index.setdefault(key, col.name)
    return index


ALIAS_INDEX: dict[str, dict[str, str]] = {name: _alias_index(s) for name, s in SHEETS.items()}


def match_header(sheet: str, header: object) -> tuple[str | None, str | None]:
    """Map a raw header to ``(canonical column, unit)`` for ``sheet``; ``(None, unit)`` if unknown."""
    key, unit = split_header(header)
    index = ALIAS_INDEX[sheet]
    if key in index:
        return index[key], unit
    return None, unit


def sheet_for_name(sheet_name: str) -> str | None:
    """The canonical sheet a workbook sheet name stands for, or None."""
    key = normalise_text(sheet_name)
    for name, sheet in SHEETS.items():
        if key in {normalise_text(n) for n in sheet.names}:
            return name
    return None


def accepted_headers(sheet: str, column: str) -> tuple[str, ...]:
    """Every header accepted for ``column`` of ``sheet``: canonical, Chinese and aliases."""
    col = SHEETS[sheet].column_index[column]
    return (col.name, col.zh, *col.aliases)
