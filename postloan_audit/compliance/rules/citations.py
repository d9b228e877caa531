"""Citation texts shared by the rules (出处). One place, so the catalogue and docs agree.

Each is a :class:`~postloan_audit.core.citations.Citation` of a source of
:data:`~postloan_audit.core.citations.SOURCES` (the table a bank's policy file may rename) at a
clause, as the document numbers it. Seed documents (``shared/seeds/``): ``000_…``
贷后管理工作计划(通用10篇); ``001_…`` 贷后管理工作计划【优秀5篇】(篇三 is a corporate post-loan
manual); ``003_…`` 第一篇 个人贷后管理 (第八章, 第四十四条–第五十一条), 第三篇 合规教育考试题库——
贷后管理部分 and 第四篇 贷后管理实施细则; ``004_…`` 贷后管理培训与贷款回收分析.
"""

from __future__ import annotations

from postloan_audit.core.citations import Citation, cite, cites

__all__ = ["Citation", "cite", "cites"]

SEED_000_PLAN8 = cite("work_plans_general", "计划8 三、抵押物专项管理")
SEED_001_CHECK_REPORT = cite("work_plan", "篇三 二、(七)贷后检查报告")
SEED_001_REPAYMENT = cite("work_plan", "篇三 二、(二)还本付息")
SEED_001_NPL = cite("work_plan", "篇三 二、(三)移交前的不良贷款管理")
SEED_001_COLLATERAL = cite("work_plan", "篇三 二、(四)抵(质)押管理")
SEED_001_RATING = cite("work_plan", "篇三 一、(五)信用评级更新与调整")
SEED_003_ART44 = cite("personal_manual", "第八章 第四十四条(三)")
SEED_003_ART45 = cite("personal_manual", "第八章 第四十五条")
SEED_003_ART49 = cite("personal_manual", "第八章 第四十九条")
SEED_003_EXAM = cite("exam_bank")
SEED_003_CALLBACK = cite("implementing_rules", "一、(二)1 首次检查")
SEED_001_OFFICER = cites(cite("work_plan", "篇五 (一)二 每个企业明确一名客户经理"),
                         cite("work_plan", "篇四 5 不得将一个客户的档案分散由不同的客户经理管理"))
REG_CLASSIFICATION = cite("risk_classification")
REG_LOAN_RULES = cite("general_loan_rules", "第十二条")
REG_COLLATERAL = cite("collateral_guideline")
REG_PERSONAL_LOANS = cite("personal_loan_measures")
# The borrower's file and early warning.
SEED_000_PLAN5 = cite("work_plans_general", "计划5 二、风险监测与预警(连续2个季度10%以上)")
SEED_000_PLAN9 = cite("work_plans_general", "计划9 二、线上化贷后监测与提醒(征信新增逾期)")
SEED_001_BORROWER_INFO = cite("work_plan", "篇三 一、(一)借款人基本信息及财务状况")
SEED_001_MONITOR = cite("work_plan", "篇五 重点监测企业名单")
SEED_001_ZONES = cite("work_plan", "篇四 2 三大区间管理(限制、严格限制、坚决退出)")
SEED_003_ART46 = cite("personal_manual", "第八章 第四十六条")
SEED_003_ART48 = cite("personal_manual", "第八章 第四十八条(风险信号与分类形态的人工干预)")
SEED_003_WATCHLIST = cite("exam_bank", "多选题10(授信风险监控名单)")
SEED_004_LIEN2 = cite("post_loan_training", "三、(四)1(3) 二押")
SEED_001_GUARANTOR = cite("work_plan", "篇五 担保人担保能力发生变化的,要求追加保证担保人")
REG_CREDIT_RISK_2016 = cite("credit_risk_notice_2016", " 担保圈风险")
#: Signals a bank sets itself (本行实践), with no seed or regulation behind the threshold.
BANK_PRACTICE = cite("bank_practice")
