"""What the generator draws from (词表): codes, names, products and the portfolio mix.

Plain constants, no randomness: the five-tier class codes (五级分类) and collection methods in
the order the state stores them, county, town, person and company name parts, the products with
their terms, balances and guarantee mixes (担保方式), the class mix by loan count and the clean
overdue-day range of each class. The clean ranges sit inside the overdue-day floors of
``Policy.default().classification`` (a test checks them against the policy).
"""

from __future__ import annotations

import numpy as np

NORMAL, SM, SUB, DOUBT, LOSS = range(5)
COLL_METHODS = np.array(["sms", "phone", "letter", "visit", "legal"])
COLL_STRENGTH = np.array([0, 0, 0, 1, 2])  # sms = phone = letter < visit < legal
SMS, PHONE, LETTER, VISIT, LEGAL = range(5)

COUNTIES = np.array(["青溪县", "云岭县", "河阳县", "桐川县", "石门县", "安平县", "柳江县",
                      "白水县"])
TOWNS = ["青山", "石桥", "河口", "柳林", "白沙", "新店", "黄土", "龙泉", "马坊", "东关",
          "西岭", "南湖", "北塘", "杨庄", "李集", "高桥", "大营", "双河", "清水", "三里",
          "五里", "红星", "太平", "永安", "长兴", "兴隆", "和平", "官庄", "平安", "金鸡"]
TOWNS += [a + b for a in "东西南北上下前后" for b in "营庄店集桥湾坪坝"]
SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
                          "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"))
GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红萍建国志文"
                       "海燕春梅鹏飞宇浩然晨欣怡子涵俊峰斌凤琴云"))
TRADE = np.array(["华盛", "鑫源", "宏达", "金穗", "丰泽", "恒通", "润田", "兴农", "德顺", "永昌",
                   "瑞丰", "嘉禾", "盛源", "聚福", "同心", "利民", "康达", "新禾", "天和", "顺安"])
CORP_KINDS = np.array(["商贸", "农业开发", "建材", "食品", "物流", "农机", "纺织", "生态养殖",
                        "茶业", "机械制造"])
CORP_INDUSTRY = np.array(["批发和零售业", "农、林、牧、渔业", "制造业", "制造业",
                           "交通运输、仓储和邮政业", "制造业", "制造业", "农、林、牧、渔业",
                           "农、林、牧、渔业", "制造业"])
BUSINESS_INDUSTRY = np.array(["批发和零售业", "农、林、牧、渔业", "住宿和餐饮业",
                               "交通运输、仓储和邮政业", "居民服务业"])

# Products: (zh name, customer type, repayment installment share, terms in months,
# balance median yuan, lognormal sigma, self-payment share, guarantee mix).
PRODUCTS = (
    ("个人住房按揭贷款", "individual", 1.00, (120, 180, 240, 300, 360), 350_000, 0.55, 0.0,
     (("抵押", 0.8), ("抵押+保证", 0.2))),
    ("个人消费贷款", "individual", 0.85, (12, 24, 36, 60), 60_000, 0.8, 0.7,
     (("信用", 0.6), ("保证", 0.4))),
    ("个人经营贷款", "individual", 0.45, (12, 24, 36), 250_000, 0.8, 0.6,
     (("保证", 0.4), ("抵押", 0.35), ("抵押+保证", 0.2), ("质押", 0.05))),
    ("流动资金贷款", "corporate", 0.15, (6, 12, 12, 12, 24, 36), 3_000_000, 1.0, 0.3,
     (("保证", 0.4), ("抵押", 0.3), ("抵押+保证", 0.15), ("质押", 0.1), ("信用", 0.05))),
    ("固定资产贷款", "corporate", 1.00, (36, 60, 84, 120), 15_000_000, 1.0, 0.0,
     (("抵押", 0.6), ("抵押+保证", 0.3), ("质押+保证", 0.1))),
)
IND_PRODUCT_P = np.array([0.30, 0.30, 0.40])
CORP_PRODUCT_P = np.array([0.75, 0.25])
GUARANTEE_LABELS = np.array(["信用", "保证", "抵押", "质押", "抵押+保证", "质押+保证"])
GUARANTEE_CANON = np.array(["credit", "guarantee", "mortgage", "pledge", "mortgage", "pledge"])

#: Class mix by loan count (NPL 2.5%, special mention 3.5%).
CLASS_SHARES = np.array([0.940, 0.035, 0.011, 0.008, 0.006])
#: Clean overdue-day ranges by class (inside the floors with margins), and the share overdue.
OVERDUE_RANGES = ((1, 3), (10, 80), (95, 255), (275, 350), (365, 1100))
OVERDUE_SHARE = np.array([0.02, 0.6, 0.8, 0.85, 0.9])
CORP_RATINGS = (("AAA", "AA", "A", "BBB"), ("BBB", "BB"), ("B", "CCC"), ("CC",), ("C",))

SUBGRADE = {0: ("正常一级", "正常二级"), 1: ("关注一级", "关注二级", "关注三级")}
