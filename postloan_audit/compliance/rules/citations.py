"""Citation texts shared by the rules (出处). One place, so the catalogue and docs agree.

Each is a :class:`~postloan_audit.core.citations.Citation` of a source of
:data:`~postloan_audit.core.citations.SOURCES` (the table a bank's policy file may rename) at a
clause, as the document numbers it. Seed documents (``shared/seeds/``): ``000_…``
贷后管理工作计划(通用10篇); ``001_…`` 贷后管理工作计划【优秀5篇】(篇三 is a corporate post-loan
manual); ``003_…`` 第一篇 个人贷后管理 (第八章, 第四十四条–第五十一条), 第三篇 合规教育考试题库——
贷后管理部分 and 第四篇 贷后管理实施细则.
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
