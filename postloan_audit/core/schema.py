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
}

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
