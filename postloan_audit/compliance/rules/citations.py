"""Citation texts shared by the rules (出处). One place, so the catalogue and docs agree.

Seed documents (``shared/seeds/``): ``000_…`` 贷后管理工作计划(通用10篇); ``001_…``
贷后管理工作计划【优秀5篇】(篇三 is a corporate post-loan manual); ``003_…`` 第一篇 个人贷后管理
(第八章, 第四十四条–第五十一条) and 第三篇 合规教育考试题库——贷后管理部分.
"""

from __future__ import annotations

SEED_000_PLAN5 = "000《贷后管理工作计划》计划5 二、风险监测与预警(连续2个季度10%以上)"
SEED_000_PLAN8 = "000《贷后管理工作计划》计划8 三、抵押物专项管理"
SEED_000_PLAN9 = "000《贷后管理工作计划》计划9 二、线上化贷后监测与提醒(征信新增逾期)"
SEED_001_CHECK_REPORT = "001《贷后管理工作计划》篇三 二、(七)贷后检查报告"
SEED_001_REPAYMENT = "001《贷后管理工作计划》篇三 二、(二)还本付息"
SEED_001_NPL = "001《贷后管理工作计划》篇三 二、(三)移交前的不良贷款管理"
SEED_001_COLLATERAL = "001《贷后管理工作计划》篇三 二、(四)抵(质)押管理"
SEED_001_BORROWER_INFO = "001《贷后管理工作计划》篇三 一、(一)借款人基本信息及财务状况"
SEED_001_RATING = "001《贷后管理工作计划》篇三 一、(五)信用评级更新与调整"
SEED_003_ART44 = "003 第一篇《个人贷后管理》第四十四条(三)"
SEED_003_ART45 = "003 第一篇《个人贷后管理》第四十五条"
SEED_003_ART46 = "003 第一篇《个人贷后管理》第四十六条"
SEED_003_ART49 = "003 第一篇《个人贷后管理》第四十九条"
SEED_003_EXAM = "003 第三篇《合规教育考试题库——贷后管理部分》"
SEED_003_WATCHLIST = "003 第三篇《合规教育考试题库——贷后管理部分》多选题10(授信风险监控名单)"
SEED_001_MONITOR = "001《贷后管理工作计划》篇五 重点监测企业名单"
SEED_001_ZONES = "001《贷后管理工作计划》篇四 2 三大区间管理(限制、严格限制、坚决退出)"
SEED_003_ART48 = "003 第一篇《个人贷后管理》第四十八条(风险信号与分类形态的人工干预)"
SEED_004_LIEN2 = "004《贷后管理培训》三、(四)1(3) 二押"
SEED_003_CALLBACK = "003 第四篇《贷后管理实施细则》一、(二)1 首次检查"
SEED_001_OFFICER = ("001《贷后管理工作计划》篇五 (一)二 每个企业明确一名客户经理;"
                    "篇四 5 不得将一个客户的档案分散由不同的客户经理管理")
REG_CLASSIFICATION = "《商业银行金融资产风险分类办法》(银保监会 人民银行令〔2023〕第1号)"
REG_LOAN_RULES = "《贷款通则》第十二条"
REG_COLLATERAL = "《商业银行押品管理指引》(银监发〔2017〕16号)"
#: Signals a bank sets itself (本行实践), with no seed or regulation behind the threshold.
BANK_PRACTICE = "本行实践(银行设定)"
REG_PERSONAL_LOANS = "《个人贷款管理办法》(2024)"
