"""The whole rule catalogue in DuckDB SQL: the yardstick of ``benchmarks/bench_checks.py``.

Each rule is one SQL query over three tables (``loans`` with a ``pos`` column, ``inspections``,
``collections``) and a working-day calendar table (``workdays``: ``d`` DATE, ``rn`` its 1-based
rank) built from the package's own calendar (:func:`postloan_audit.core.workdays.working_day_calendar`).
A query returns ``pos`` (the loan's row in the loans frame), ``due_date`` (DATE or NULL) and
``days_late`` (BIGINT or NULL), one row per flagged loan: the message-independent fields of a
finding. Every query reproduces ``postloan_audit/compliance/rules/*.py`` including its NULL
handling: a missing customer type is neither individual nor corporate, a missing class is not
judged where the rule says so, a missing flag is False, a missing integer is 0.

Month arithmetic: DuckDB's ``date + to_months(n)`` clamps to the month end like
:func:`~postloan_audit.compliance.rules.context.add_months`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.core import schema
from postloan_audit.core.workdays import working_day_calendar

#: loans columns read by the SQL (all present in the generated book)
LOAN_COLUMNS = [
    "loan_id", "borrower_id", "balance", "classification", "guarantee_type", "customer_type",
    "disbursement_date", "maturity_date", "repayment_method", "payment_method", "overdue_days",
    "management_mode", "last_inspection_date", "first_inspection_date", "extension_months",
    "refinanced", "restructured", "restructure_date", "collateral_value",
    "collateral_initial_value", "collateral_appraisal_date", "collateral_inspection_date",
    "additional_guarantee", "rating_date", "maturity_notice_date", "collection_notice_date",
    "guarantor_notice_date", "last_collection_date", "last_collection_method",
    "fund_use_check_date", "exit_list", "litigation", "branch", "product", "loan_officer",
    "last_onsite_inspection_date", "interest_overdue_since", "callback_date",
]
_DATE_COLUMNS = [c for c in LOAN_COLUMNS
                 if c.endswith("_date") or c == "interest_overdue_since"]
#: inspections columns read by the SQL
INSPECTION_COLUMNS = ["loan_id", "inspection_date", "inspection_type", "report_date",
                      "report_period"]


def load(con, loans: pd.DataFrame, inspections: pd.DataFrame, collections: pd.DataFrame) -> None:
    """Copy the frames into DuckDB tables (typed: dates as DATE, class as VARCHAR)."""
    lo = loans[LOAN_COLUMNS]
    con.register("loans_df", lo)
    con.register("insp_df", inspections[INSPECTION_COLUMNS])
    con.register("coll_df", collections[["loan_id", "collection_date", "method"]])
    cols = ", ".join(
        f"CAST({c} AS DATE) AS {c}" if c in _DATE_COLUMNS
        else f"CAST({c} AS VARCHAR) AS {c}" if c == "classification" else c
        for c in LOAN_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE loans AS SELECT (row_number() OVER () - 1) AS pos, "
                f"{cols} FROM loans_df")
    con.execute("CREATE OR REPLACE TABLE inspections AS SELECT (row_number() OVER () - 1) AS row,"
                " loan_id, CAST(inspection_date AS DATE) AS inspection_date, inspection_type,"
                " CAST(report_date AS DATE) AS report_date, report_period FROM insp_df")
    con.execute("CREATE OR REPLACE TABLE collections AS SELECT loan_id, CAST(collection_date AS "
                "DATE) AS collection_date, method FROM coll_df")
    days, _ = working_day_calendar(np.datetime64("1990-01-01"), np.datetime64("2040-12-31"))
    workdays = pd.DataFrame({"d": days.astype("datetime64[ns]"),
                             "rn": np.arange(1, len(days) + 1, dtype=np.int64)})
    con.register("workdays_df", workdays)
    con.execute("CREATE OR REPLACE TABLE workdays AS SELECT CAST(d AS DATE) AS d, rn "
                "FROM workdays_df")
    for name in ("loans_df", "insp_df", "coll_df", "workdays_df"):
        con.unregister(name)


def _f(x: float) -> str:
    return f"CAST('{x!r}' AS DOUBLE)"


def rule_sql(policy: Policy, as_of: str) -> dict[str, str]:
    """One SQL query per rule id, in catalogue order."""
    D = f"DATE '{as_of}'"
    ins, cls, col = policy.inspection, policy.classification, policy.collection
    mat, clt, ext, fu = policy.maturity, policy.collateral, policy.extension, policy.fund_use

    def am(d: str, n: str | int) -> str:  # add_months, NULL stays NULL
        return f"CAST({d} + to_months(CAST({n} AS INTEGER)) AS DATE)"

    def mi(d: str) -> str:  # months since 1970-01
        return f"((year({d}) - 1970) * 12 + month({d}) - 1)"

    active = "coalesce(l.balance, 0) > 0"
    code = ("(CASE l.classification WHEN 'normal' THEN 0 WHEN 'special_mention' THEN 1 "
            "WHEN 'substandard' THEN 2 WHEN 'doubtful' THEN 3 WHEN 'loss' THEN 4 ELSE -1 END)")
    indiv = "coalesce(l.customer_type = 'individual', false)"
    corp = "coalesce(l.customer_type = 'corporate', false)"
    npl = f"({code} >= 2)"
    ext_m = "coalesce(l.extension_months, 0)"
    od = "coalesce(l.overdue_days, 0)"
    secured = ("coalesce(l.guarantee_type IN ("
               + ", ".join(f"'{t}'" for t in schema.COLLATERAL_GUARANTEE_TYPES) + "), false)")
    key = "coalesce(l.management_mode = 'key', false)"

    def fl(c: str) -> str:
        return f"coalesce(l.{c}, false)"

    def le_d(c: str) -> str:  # a date column, NULL when after D
        return f"(CASE WHEN l.{c} <= {D} THEN l.{c} END)"

    def dl(due: str, end: str = D) -> str:
        return f"date_diff('day', {due}, {end})"

    q: dict[str, str] = {}

    def period_end(rp: str) -> str:  # a canonical report period's last day (NULL without one)
        month = (f"(CASE WHEN length({rp}) = 4 THEN 12 "
                 f"WHEN substr({rp}, 5, 1) = 'Q' THEN 3 * CAST(substr({rp}, 6, 1) AS INTEGER) "
                 f"WHEN substr({rp}, 5, 1) = 'H' THEN 6 * CAST(substr({rp}, 6, 1) AS INTEGER) "
                 f"ELSE CAST(substr({rp}, 6, 2) AS INTEGER) END)")
        return (f"(CASE WHEN {rp} IS NOT NULL THEN last_day(make_date(CAST(substr({rp}, 1, 4) "
                f"AS INTEGER), {month}, 1)) END)")

    def period_months(rp: str) -> str:
        return (f"(CASE WHEN length({rp}) = 4 THEN 12 WHEN substr({rp}, 5, 1) = 'Q' THEN 3 "
                f"WHEN substr({rp}, 5, 1) = 'H' THEN 6 ELSE 1 END)")

    # ---------------------------------------------------------------- INSP-FREQ
    # Personal loans are held to a frequency when their (branch, product) NPL ratio among the
    # personal loans disbursed in the look-back window exceeds the policy's ratio.
    low_risk = ["false"]
    if ins.low_risk_products:
        low_risk.append("coalesce(l.product IN ("
                        + ", ".join("'" + v.replace("'", "''") + "'"
                                    for v in ins.low_risk_products) + "), false)")
    if ins.low_risk_guarantee_types:
        low_risk.append("coalesce(l.guarantee_type IN ("
                        + ", ".join(f"'{v}'" for v in ins.low_risk_guarantee_types)
                        + "), false)")
    new_loan = (f"({indiv} AND l.disbursement_date IS NOT NULL AND l.disbursement_date > "
                f"{am(D, -ins.individual_npl_lookback_months)} AND l.disbursement_date <= {D})")
    held_cte = f"""held AS (
            SELECT branch, product,
                   sum(CASE WHEN new AND npl THEN bal ELSE 0 END) AS npl_bal,
                   sum(CASE WHEN new THEN bal ELSE 0 END) AS total
            FROM (SELECT l.branch, l.product, coalesce(l.balance, 0) AS bal, {new_loan} AS new,
                         {npl} AS npl FROM loans l) GROUP BY branch, product)"""
    held = (f"(h.total > 0 AND h.npl_bal / h.total > {_f(ins.individual_product_npl_ratio)} "
            f"AND NOT ({' OR '.join(low_risk)}))")
    months = (f"CASE WHEN {indiv} THEN (CASE WHEN {held} THEN {ins.individual_months} ELSE -1 "
              f"END) WHEN {code} < 0 THEN -1 "
              f"WHEN {key} THEN (CASE WHEN {code} = 0 THEN {ins.corporate_key_normal_months} "
              f"WHEN {code} = 1 THEN {ins.corporate_key_special_mention_months} "
              f"ELSE {ins.corporate_key_npl_months} END) "
              f"ELSE (CASE WHEN {code} = 0 THEN {ins.corporate_regular_normal_months} "
              f"WHEN {code} = 1 THEN {ins.corporate_regular_special_mention_months} "
              f"ELSE {ins.corporate_regular_npl_months} END) END")
    longest = max(ins.new_loan_exempt_key_months, ins.new_loan_exempt_regular_months)
    limit = (f"(CASE WHEN {key} THEN {ins.new_loan_exempt_key_months} "
             f"ELSE {ins.new_loan_exempt_regular_months} END)")
    short_new = (f"coalesce(NOT {indiv} AND {code} = 0 AND l.disbursement_date IS NOT NULL "
                 f"AND l.maturity_date IS NOT NULL AND date_diff('day', l.disbursement_date, "
                 f"l.maturity_date) <= ({longest} + {ext_m}) * 31 AND "
                 f"{am('l.maturity_date', '-' + ext_m)} <= {am('l.disbursement_date', limit)}, "
                 "false)")
    exempt = [short_new]
    if ins.exempt_individual_installment:
        exempt.append(f"({indiv} AND coalesce(l.repayment_method = 'installment', false))")
    if ins.exempt_litigation:
        exempt.append(f"({fl('litigation')} AND {indiv} AND {npl})")
    lengths = sorted({ins.individual_months, ins.corporate_key_normal_months,
                      ins.corporate_key_special_mention_months, ins.corporate_key_npl_months,
                      ins.corporate_regular_normal_months,
                      ins.corporate_regular_special_mention_months,
                      ins.corporate_regular_npl_months} - {0})
    d_month = f"{mi(D)}"
    window_lo = am(D, -ins.review_months)
    q["INSP-FREQ"] = f"""
        WITH last_sheet AS (
            SELECT loan_id, max(inspection_date) AS d FROM inspections
            WHERE inspection_date <= {D} GROUP BY loan_id),
        {held_cte},
        b AS (
            SELECT l.pos, l.loan_id, l.disbursement_date AS disb, ({months}) AS iv,
                   coalesce(s.d, {le_d('last_inspection_date')}) AS last,
                   {active} AND NOT ({' OR '.join(exempt)}) AND ({months}) >= 0 AS judged
            FROM loans l LEFT JOIN last_sheet s USING (loan_id)
            LEFT JOIN held h ON h.branch IS NOT DISTINCT FROM l.branch
                            AND h.product IS NOT DISTINCT FROM l.product),
        j AS (SELECT pos, loan_id, disb, iv, last, coalesce(last, disb) AS base FROM b
              WHERE judged),
        periods AS (
            SELECT L, p, CAST(DATE '1970-01-01' + to_months(CAST((p + 1) * L AS INTEGER))
                              - INTERVAL 1 DAY AS DATE) AS pend
            FROM (SELECT unnest({lengths}) AS L) lens,
                 LATERAL generate_series(CAST({mi(window_lo)} // L AS BIGINT),
                                         CAST({d_month} // L AS BIGINT)) AS g(p)),
        win AS (SELECT * FROM periods WHERE pend > {window_lo} AND pend <= {D}),
        counted AS (SELECT loan_id, inspection_date,
                           coalesce({period_end('report_period')}, inspection_date) AS d
                    FROM inspections),
        cov AS (
            SELECT DISTINCT j.pos, {mi('i.d')} // j.iv AS p
            FROM counted i JOIN j USING (loan_id) WHERE i.inspection_date <= {D}
              AND i.d <= {D}
            UNION
            SELECT pos, {mi('last')} // iv AS p FROM j WHERE last IS NOT NULL),
        gaps AS (
            SELECT j.pos, min(w.pend) AS first_end FROM j JOIN win w ON w.L = j.iv
            LEFT JOIN cov c ON c.pos = j.pos AND c.p = w.p
            WHERE c.pos IS NULL
              AND j.disb < CAST(w.pend - to_months({ins.period_exempt_disbursed_months}) AS DATE)
            GROUP BY j.pos),
        r AS (
            SELECT j.pos, CASE WHEN j.base IS NOT NULL AND {am('j.base', 'j.iv')} < {D}
                               THEN {am('j.base', 'j.iv')} ELSE g.first_end END AS due_date
            FROM j LEFT JOIN gaps g USING (pos))
        SELECT pos, due_date, {dl('due_date')} AS days_late FROM r WHERE due_date IS NOT NULL"""

    # ---------------------------------------------------------------- INSP-FIRST
    n = ins.first_inspection_months
    q["INSP-FIRST"] = f"""
        WITH cs AS (SELECT min(inspection_date) AS start FROM inspections
                    WHERE inspection_date <= {D}),
        sheet AS (
            SELECT l.pos, bool_or(i.inspection_date <= {D}) AS inspected,
                   min(CASE WHEN i.inspection_date >= l.disbursement_date
                            AND i.inspection_date <= {D} THEN i.inspection_date END) AS earliest
            FROM loans l JOIN inspections i USING (loan_id) GROUP BY l.pos),
        b AS (
            SELECT l.pos, l.first_inspection_date AS fid, {am('l.disbursement_date', n)} AS due,
                   coalesce(l.disbursement_date >= cs.start, false) AS covered,
                   CASE WHEN coalesce(s.inspected, false) AND
                             coalesce(l.disbursement_date >= cs.start, false) THEN s.earliest
                        WHEN {le_d('first_inspection_date')} < l.disbursement_date THEN NULL
                        ELSE {le_d('first_inspection_date')} END AS first
            FROM loans l CROSS JOIN cs LEFT JOIN sheet s USING (pos)
            WHERE {active} AND {corp} AND l.disbursement_date IS NOT NULL
              AND {am('l.disbursement_date', n)} < {D})
        SELECT pos, due AS due_date, {dl('due', f'coalesce(first, {D})')} AS days_late FROM b
        WHERE NOT (NOT covered AND fid IS NULL) AND (first IS NULL OR first > due)"""

    # ---------------------------------------------------------------- INSP-REPORT
    allowed = (f"(CASE months WHEN 1 THEN {ins.report_month_working_days} "
               f"WHEN 3 THEN {ins.report_quarter_working_days} "
               f"WHEN 6 THEN {ins.report_half_year_working_days} "
               f"ELSE {ins.report_year_working_days} END)")
    q["INSP-REPORT"] = f"""
        WITH r AS (
            SELECT l.pos, i.row, i.report_date AS done, {period_end('i.report_period')} AS pend,
                   {period_months('i.report_period')} AS months
            FROM inspections i JOIN (SELECT loan_id, min(pos) AS pos FROM loans
                                     GROUP BY loan_id) l USING (loan_id)
            WHERE i.report_period IS NOT NULL AND i.report_date IS NOT NULL
              AND i.report_date <= {D}),
        e AS (SELECT r.*, coalesce(w.rn, 0) AS rn FROM r ASOF LEFT JOIN workdays w
              ON r.pend >= w.d WHERE r.pend <= {D}),
        late AS (SELECT e.pos, e.row, e.pend, e.done, w2.d AS dl FROM e
                 JOIN workdays w2 ON w2.rn = e.rn + {allowed} WHERE e.done > w2.d),
        first AS (SELECT pos, arg_min(dl, (pend, row)) AS dl, arg_min(done, (pend, row)) AS done
                  FROM late GROUP BY pos)
        SELECT f.pos, f.dl AS due_date, date_diff('day', f.dl, f.done) AS days_late
        FROM first f JOIN loans l USING (pos) WHERE {active} AND NOT {indiv}"""

    # ---------------------------------------------------------------- CLS-OVERDUE
    floor = (f"(CASE WHEN {od} > {cls.loss_overdue_days} THEN 4 "
             f"WHEN {od} > {cls.doubtful_overdue_days} THEN 3 "
             f"WHEN {od} > {cls.substandard_overdue_days} THEN 2 "
             f"WHEN {od} > {cls.special_mention_overdue_days} THEN 1 ELSE 0 END)")
    none = "CAST(NULL AS DATE) AS due_date, CAST(NULL AS BIGINT) AS days_late"
    q["CLS-OVERDUE"] = (f"SELECT pos, {none} FROM loans l WHERE {active} AND {code} >= 0 "
                        f"AND {code} < {floor}")

    # ---------------------------------------------------------------- CLS-BORROWER
    q["CLS-BORROWER"] = f"""
        WITH b AS (
            SELECT l.pos, l.borrower_id, {code} AS code, {active} AND {corp} AS scope,
                   CASE WHEN {active} AND {corp} THEN coalesce(l.balance, 0) ELSE 0 END AS bal,
                   {npl} AS npl FROM loans l),
        t AS (SELECT borrower_id, sum(bal) AS total,
                     sum(CASE WHEN npl THEN bal ELSE 0 END) AS npl_total
              FROM b WHERE borrower_id IS NOT NULL GROUP BY borrower_id)
        SELECT b.pos, {none} FROM b JOIN t USING (borrower_id)
        WHERE b.scope AND t.total > 0 AND t.npl_total / t.total > {_f(cls.borrower_npl_share)}
          AND b.code >= 0 AND NOT b.npl"""

    # ---------------------------------------------------------------- CLS-RESTRUCT
    obs = cls.restructure_observation_months
    q["CLS-RESTRUCT"] = (
        f"SELECT pos, {none} FROM loans l WHERE {active} AND {fl('restructured')} "
        f"AND {code} = 0 AND (l.restructure_date IS NULL OR "
        f"{am('l.restructure_date', obs)} >= {D})")

    # ---------------------------------------------------------------- EXT-LIMIT
    orig = am("l.maturity_date", "-" + ext_m)
    q["EXT-LIMIT"] = f"""
        WITH b AS (
            SELECT l.pos, {ext_m} AS ext, l.disbursement_date AS disb, {orig} AS orig
            FROM loans l WHERE {active} AND {ext_m} > 0),
        k AS (SELECT *, {mi('orig')} - {mi('disb')} AS k0 FROM b
              WHERE disb IS NOT NULL AND orig IS NOT NULL),
        t AS (SELECT *, CASE WHEN {am('disb', 'k0')} > orig THEN k0 - 1 ELSE k0 END AS term,
                     CASE WHEN orig <= {am('disb', ext.short_term_months)} THEN 0
                          WHEN orig <= {am('disb', ext.medium_term_months)} THEN 1 ELSE 2 END
                     AS band FROM k)
        SELECT pos, {none} FROM t WHERE term >= 0 AND ext > (CASE band
            WHEN 0 THEN CAST(term AS DOUBLE)
            WHEN 1 THEN term * {_f(ext.medium_term_fraction)}
            ELSE CAST({ext.long_term_limit_months} AS DOUBLE) END)"""

    # ---------------------------------------------------------------- EXT-INDIVIDUAL, REFI
    q["EXT-INDIVIDUAL"] = (f"SELECT pos, {none} FROM loans l WHERE {active} AND {indiv} "
                           f"AND {ext_m} > 0")
    q["REFI-INDIVIDUAL"] = (f"SELECT pos, {none} FROM loans l WHERE {active} AND {indiv} "
                            f"AND {fl('refinanced')}")

    # ---------------------------------------------------------------- COLL-TIER
    need = (f"(CASE WHEN {od} > {col.visit_max_days} THEN 3 "
            f"WHEN {od} > {col.any_collection_max_days} THEN 2 WHEN {od} > 0 THEN 1 ELSE 0 END)")
    if col.doubtful_requires_legal:
        need = f"(CASE WHEN {code} = 3 THEN 3 ELSE {need} END)"

    def strength(m: str) -> str:
        return (f"(CASE {m} WHEN 'sms' THEN 1 WHEN 'phone' THEN 1 WHEN 'letter' THEN 1 "
                f"WHEN 'visit' THEN 2 WHEN 'legal' THEN 3 ELSE 1 END)")

    start = (f"(CASE WHEN {od} > 0 THEN CAST({D} - to_days(CAST({od} AS INTEGER)) AS DATE) "
             "ELSE DATE '1678-01-01' END)")
    q["COLL-TIER"] = f"""
        WITH b AS (
            SELECT l.pos, l.loan_id, {need} AS need, {start} AS start, {fl('litigation')} AS lit,
                   CASE WHEN {le_d('last_collection_date')} >= {start}
                        THEN {strength('l.last_collection_method')} ELSE 0 END AS fallback
            FROM loans l WHERE {active} AND {indiv} AND {need} > 0),
        s AS (
            SELECT b.pos, bool_or(c.collection_date <= {D}) AS collected,
                   max(CASE WHEN c.collection_date >= b.start AND c.collection_date <= {D}
                            THEN {strength('c.method')} ELSE 0 END) AS best
            FROM b JOIN collections c USING (loan_id) GROUP BY b.pos),
        h AS (
            SELECT b.pos, b.need, CASE WHEN coalesce(s.collected, false) THEN s.best
                                       ELSE b.fallback END AS have0, b.lit
            FROM b LEFT JOIN s USING (pos))
        SELECT pos, {none} FROM h
        WHERE (CASE WHEN lit THEN greatest(have0, 3) ELSE have0 END) < need"""

    # ---------------------------------------------------------------- COLL-NPL
    n = col.npl_collection_months
    q["COLL-NPL"] = f"""
        WITH s AS (SELECT loan_id, max(collection_date) AS d FROM collections
                   WHERE collection_date <= {D} GROUP BY loan_id),
        b AS (SELECT l.pos, coalesce(s.d, {le_d('last_collection_date')}) AS last
              FROM loans l LEFT JOIN s USING (loan_id) WHERE {active} AND {npl}
                AND {'true' if col.npl_individual else f'NOT {indiv}'})
        SELECT pos, {am('last', n)} AS due_date, {dl(am('last', n))} AS days_late FROM b
        WHERE last IS NULL OR {am('last', n)} < {D}"""

    # ---------------------------------------------------------------- MAT-NOTICE
    due = (f"(CASE WHEN {indiv} THEN CAST(l.maturity_date - to_days("
           f"{mat.individual_notice_days_before}) AS DATE) "
           f"ELSE {am('l.maturity_date', -mat.notice_months_before)} END)")
    q["MAT-NOTICE"] = f"""
        WITH b AS (
            SELECT l.pos, {due} AS due, l.maturity_notice_date AS nt FROM loans l
            WHERE {active} AND (NOT {indiv} OR coalesce(l.repayment_method = 'bullet', false))
              AND l.maturity_date IS NOT NULL AND {due} < {D})
        SELECT pos, due AS due_date,
               {dl('due', f'CASE WHEN nt IS NOT NULL AND nt < {D} THEN nt ELSE {D} END')}
               AS days_late
        FROM b WHERE nt IS NULL OR nt > due"""

    # ---------------------------------------------------------------- MAT-COLLECT
    n = mat.collection_notice_working_days

    def end(x: str) -> str:
        return f"(CASE WHEN {x} IS NOT NULL AND {x} > dl AND {x} < {D} THEN {x} ELSE {D} END)"

    q["MAT-COLLECT"] = f"""
        WITH m AS (SELECT l.pos, l.maturity_date AS mat, l.collection_notice_date AS nt,
                          l.guarantor_notice_date AS gn,
                          coalesce(l.guarantee_type = 'guarantee', false) AS guaranteed
                   FROM loans l WHERE {active} AND l.maturity_date IS NOT NULL
                     AND l.maturity_date < {D}
                     AND {'true' if mat.collect_individual else f'NOT {indiv}'}),
        p AS (SELECT m.*, coalesce(w.rn, 0) AS rn FROM m ASOF LEFT JOIN workdays w
              ON m.mat >= w.d),
        d AS (SELECT p.*, w2.d AS dl FROM p JOIN workdays w2 ON w2.rn = p.rn + {n}),
        f AS (SELECT *, NOT coalesce(nt >= mat AND nt <= dl, false) AS b_bad,
                     guaranteed AND NOT coalesce(gn >= mat AND gn <= dl, false) AS g_bad
              FROM d WHERE dl < {D})
        SELECT pos, dl AS due_date, date_diff('day', dl, CASE
                   WHEN b_bad AND g_bad THEN greatest({end('nt')}, {end('gn')})
                   WHEN b_bad THEN {end('nt')} ELSE {end('gn')} END) AS days_late
        FROM f WHERE b_bad OR g_bad"""

    # ---------------------------------------------------------------- INT-COLLECT
    n = mat.interest_notice_working_days
    q["INT-COLLECT"] = f"""
        WITH m AS (SELECT l.pos, l.interest_overdue_since AS since, l.collection_notice_date AS nt
                   FROM loans l WHERE {active} AND NOT {indiv}
                     AND l.interest_overdue_since IS NOT NULL
                     AND l.interest_overdue_since <= {D}),
        p AS (SELECT m.*, coalesce(w.rn, 0) AS rn FROM m ASOF LEFT JOIN workdays w
              ON m.since >= w.d),
        d AS (SELECT p.*, w2.d AS dl FROM p JOIN workdays w2 ON w2.rn = p.rn + {n})
        SELECT pos, dl AS due_date, date_diff('day', dl, {end('nt')}) AS days_late FROM d
        WHERE dl < {D} AND NOT coalesce(nt >= since AND nt <= dl, false)"""

    # ---------------------------------------------------------------- COLLAT-INSP
    n, mt = clt.inspection_months, clt.inspection_min_term_months
    q["COLLAT-INSP"] = f"""
        WITH b AS (
            SELECT l.pos, l.collateral_inspection_date AS chk, l.disbursement_date AS disb,
                   coalesce({orig} > {am('l.disbursement_date', mt)}, false) AS long_term,
                   ({code} = 0 AND {od} <= 0) AS normal_case
            FROM loans l WHERE {active} AND {secured}
              AND {am('l.disbursement_date', n)} < {D}),
        f AS (SELECT pos, coalesce({am('chk', n)}, {am('disb', n)}) AS due FROM b
              WHERE (long_term OR NOT normal_case) AND (chk IS NULL OR {am('chk', n)} < {D}))
        SELECT pos, due AS due_date, {dl('due')} AS days_late FROM f"""

    # ---------------------------------------------------------------- dated-review rules
    def review(column: str, months_: int, scope: str) -> str:
        return (f"SELECT pos, {am('l.' + column, months_)} AS due_date, "
                f"{dl(am('l.' + column, months_))} AS days_late FROM loans l "
                f"WHERE {active} AND {scope} AND (l.{column} IS NULL OR "
                f"{am('l.' + column, months_)} < {D})")

    q["COLLAT-REVAL"] = review("collateral_appraisal_date", clt.revaluation_months, secured)

    # ---------------------------------------------------------------- COLLAT-DROP
    q["COLLAT-DROP"] = (
        f"SELECT pos, {none} FROM loans l WHERE {active} AND {secured} "
        f"AND l.collateral_initial_value > 0 AND l.collateral_value < "
        f"l.collateral_initial_value * {_f(1 - clt.value_drop_share)} * {_f(1 - 1e-12)} "
        f"AND NOT {fl('additional_guarantee')}")

    grace = policy.rating.grace_working_days
    year = int(as_of[:4])

    def year_deadline(y: int) -> str:  # the grace-th working day after 31 December of y - 1
        return (f"(SELECT d FROM workdays WHERE rn = (SELECT max(rn) FROM workdays "
                f"WHERE d <= DATE '{y - 1}-12-31') + {grace})")

    q["RATING-STALE"] = f"""
        WITH y AS (SELECT CASE WHEN {year_deadline(year)} < {D} THEN {year} ELSE {year - 1}
                          END AS yr,
                          CASE WHEN {year_deadline(year)} < {D} THEN {year_deadline(year)}
                               ELSE {year_deadline(year - 1)} END AS dl)
        SELECT l.pos, y.dl AS due_date, {dl('y.dl')} AS days_late FROM loans l CROSS JOIN y
        WHERE {active} AND {corp}
          AND coalesce({le_d('rating_date')} < make_date(y.yr, 1, 1), true)"""

    # ---------------------------------------------------------------- EXIT-VISIT
    n = ins.exit_visit_months
    q["EXIT-VISIT"] = f"""
        WITH s AS (SELECT loan_id, max(inspection_date) AS d FROM inspections
                   WHERE inspection_type = 'onsite' AND inspection_date <= {D} GROUP BY loan_id),
        b AS (SELECT l.pos, coalesce(s.d, {le_d('last_onsite_inspection_date')}) AS last
              FROM loans l LEFT JOIN s USING (loan_id) WHERE {active} AND {fl('exit_list')})
        SELECT pos, {am('last', n)} AS due_date, {dl(am('last', n))} AS days_late FROM b
        WHERE last IS NULL OR {am('last', n)} < {D}"""

    # ---------------------------------------------------------------- FUND-USE
    n = fu.check_months
    q["FUND-USE"] = (
        f"SELECT pos, {am('l.disbursement_date', n)} AS due_date, "
        f"{dl(am('l.disbursement_date', n))} AS days_late FROM loans l "
        f"WHERE {active} AND coalesce(l.payment_method = 'self', false) "
        f"AND l.disbursement_date IS NOT NULL AND {am('l.disbursement_date', n)} < {D} "
        f"AND NOT coalesce(l.fund_use_check_date >= l.disbursement_date "
        f"AND l.fund_use_check_date <= {D}, false)")

    # ---------------------------------------------------------------- CALLBACK-FIRST
    cb = policy.callback
    q["CALLBACK-FIRST"] = f"""
        WITH b AS (SELECT l.pos, CAST(l.disbursement_date + to_days(CAST(CASE WHEN
                              coalesce(l.payment_method = 'self', false) THEN {cb.self_payment_days}
                              ELSE {cb.days} END AS INTEGER)) AS DATE) AS due,
                          l.disbursement_date AS disb, l.callback_date AS called
                   FROM loans l WHERE {active} AND {indiv} AND l.disbursement_date IS NOT NULL)
        SELECT pos, due AS due_date, {dl('due')} AS days_late FROM b
        WHERE due < {D} AND NOT coalesce(called >= disb AND called <= {D}, false)"""

    # ---------------------------------------------------------------- OFFICER-ONE
    q["OFFICER-ONE"] = f"""
        WITH a AS (SELECT l.pos, l.borrower_id, l.loan_officer FROM loans l
                   WHERE {active} AND l.borrower_id IS NOT NULL),
        c AS (SELECT borrower_id, count(DISTINCT loan_officer) AS officers FROM a
              GROUP BY borrower_id)
        SELECT a.pos, {none} FROM a JOIN c USING (borrower_id) WHERE c.officers <> 1"""

    # ---------------------------------------------------------------- DATA-OVERDUE
    q["DATA-OVERDUE"] = (
        f"SELECT pos, {none} FROM loans l WHERE {active} "
        f"AND coalesce(l.repayment_method = 'bullet', false) AND l.maturity_date IS NOT NULL "
        f"AND l.maturity_date < {D} AND {od} < date_diff('day', l.maturity_date, {D})")
    return q
