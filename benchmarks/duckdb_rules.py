"""The whole rule catalogue in DuckDB SQL: the yardstick of ``benchmarks/bench_checks.py``.

Each rule is one SQL query over three tables (``loans`` with a ``pos`` column, ``inspections``,
``collections``) and a working-day calendar table (``workdays``: ``d`` DATE, ``rn`` its 1-based
rank) built from the package's own calendar (:func:`postloan_audit.core.workdays.working_day_calendar`).
A query returns ``pos`` (the loan's row in the loans frame), ``due_date`` (DATE or NULL) and
``days_late`` (BIGINT or NULL), one row per flagged loan: the message-independent fields of a
finding. Every query reproduces ``postloan_audit/compliance/rules/*.py`` including its NULL
handling: a missing customer type is neither individual nor corporate, a missing class is not
judged where the rule says so, a missing flag is False, a missing integer is 0.

With the borrower's file (``load(..., sheets)``: tables ``collateral``, ``guarantees``,
``external`` with a ``row`` column, ``financials`` and ``lists``, and ``group_id`` on the loans)
:func:`rule_sql` gives the eight rules of the file too, and ``COLLAT-REVAL``, ``COLLAT-DROP`` and
``EXIT-VISIT`` in the form ``run_checks`` takes when the sheets are there: the two collateral
rules read the register instead of the loan's collateral columns, and an ``exit`` entry of the
lists in force at D makes an exit-list client as the loan's ``exit_list`` flag does. The file's
SQL reads the columns the generator writes (:data:`SHEET_COLUMNS`).

Month arithmetic: DuckDB's ``date + to_months(n)`` clamps to the month end like
:func:`~postloan_audit.compliance.rules.context.add_months`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules.lists import KEY_MODE_LISTS, NO_NEW_CREDIT_LISTS
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
    "last_onsite_inspection_date", "interest_overdue_since", "callback_date", "group_id",
]
_DATE_COLUMNS = [c for c in LOAN_COLUMNS
                 if c.endswith("_date") or c == "interest_overdue_since"]
#: inspections columns read by the SQL
INSPECTION_COLUMNS = ["loan_id", "inspection_date", "inspection_type", "report_date",
                      "report_period"]
#: the borrower's-file sheets and the columns the SQL reads of each
SHEET_COLUMNS: dict[str, list[str]] = {
    "collateral": ["collateral_id", "loan_id", "collateral_type", "appraised_value",
                   "appraisal_date", "appraiser", "previous_value", "prior_claims",
                   "insurance_expiry", "release_date"],
    "guarantees": ["loan_id", "guarantor_id", "guarantor_type", "guarantor_rating_date"],
    "financials": ["borrower_id", "period_end", "period_type", "received_date", "audited"],
    "external": ["party_id", "report_date", "other_bank_overdue_days",
                 "other_bank_arrears_days", "other_bank_balance", "other_bank_overdue90_balance",
                 "other_bank_litigation", "enforcement"],
    "lists": ["borrower_id", "list_type", "listed_date", "removed_date"],
}
FILE_SHEETS: tuple[str, ...] = tuple(SHEET_COLUMNS)


def load(con, loans: pd.DataFrame, inspections: pd.DataFrame, collections: pd.DataFrame,
         sheets: dict[str, pd.DataFrame] | None = None) -> None:
    """Copy the frames into DuckDB tables (typed: dates as DATE, class as VARCHAR); ``sheets``
    are the borrower's file (:data:`SHEET_COLUMNS`), each with ``row``, its frame position."""
    lo = loans[[c for c in LOAN_COLUMNS if c in loans.columns or c != "group_id"]]
    con.register("loans_df", lo)
    con.register("insp_df", inspections[INSPECTION_COLUMNS])
    con.register("coll_df", collections[["loan_id", "collection_date", "method"]])
    cols = ", ".join(
        f"CAST({c} AS DATE) AS {c}" if c in _DATE_COLUMNS
        else f"CAST({c} AS VARCHAR) AS {c}" if c == "classification" else c
        for c in lo.columns)
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
    for name, frame in (sheets or {}).items():
        columns = SHEET_COLUMNS[name]
        con.register(f"{name}_df", frame[columns])
        cols = ", ".join(f"CAST({c} AS DATE) AS {c}" if c.endswith(("_date", "_end", "_expiry"))
                         else c for c in columns)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT (row_number() OVER () - 1) AS row,"
                    f" {cols} FROM {name}_df")
        con.unregister(f"{name}_df")


def _f(x: float) -> str:
    return f"CAST('{x!r}' AS DOUBLE)"


def rule_sql(policy: Policy, as_of: str, *, file: bool = True) -> dict[str, str]:
    """One SQL query per rule id; with ``file`` (the borrower's-file tables are loaded) the
    rules of the file too, and COLLAT-REVAL, COLLAT-DROP and EXIT-VISIT as they read it."""
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

    def among(x: str, values: tuple[str, ...] | list[str]) -> str:  # NULL-safe IN, () is false
        if not values:
            return "false"
        return f"coalesce({x} IN (" + ", ".join(f"'{v}'" for v in values) + "), false)"

    # a sheet row's loan: the first position of its loan id (CheckContext.loan_positions)
    first_pos = "(SELECT loan_id, min(pos) AS pos FROM loans GROUP BY loan_id)"

    def in_force(kinds: tuple[str, ...] | list[str]) -> str:  # borrowers with such an entry at D
        return (f"(SELECT DISTINCT borrower_id FROM lists WHERE {among('list_type', kinds)} "
                f"AND listed_date <= {D} AND (removed_date IS NULL OR removed_date > {D}) "
                "AND borrower_id IS NOT NULL)")

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

    fiscal_year = f"""y AS (SELECT CASE WHEN {year_deadline(year)} < {D} THEN {year}
                                ELSE {year - 1} END AS yr,
                           CASE WHEN {year_deadline(year)} < {D} THEN {year_deadline(year)}
                                ELSE {year_deadline(year - 1)} END AS dl)"""
    q["RATING-STALE"] = f"""
        WITH {fiscal_year}
        SELECT l.pos, y.dl AS due_date, {dl('y.dl')} AS days_late FROM loans l CROSS JOIN y
        WHERE {active} AND {corp}
          AND coalesce({le_d('rating_date')} < make_date(y.yr, 1, 1), true)"""

    # ---------------------------------------------------------------- EXIT-VISIT
    n = ins.exit_visit_months
    exit_client = fl("exit_list")
    if file:
        exit_client = (f"({exit_client} OR coalesce(l.borrower_id IN {in_force(['exit'])}, "
                       "false))")
    q["EXIT-VISIT"] = f"""
        WITH s AS (SELECT loan_id, max(inspection_date) AS d FROM inspections
                   WHERE inspection_type = 'onsite' AND inspection_date <= {D} GROUP BY loan_id),
        b AS (SELECT l.pos, coalesce(s.d, {le_d('last_onsite_inspection_date')}) AS last
              FROM loans l LEFT JOIN s USING (loan_id) WHERE {active} AND {exit_client})
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
    if file:
        q.update(_file_sql(policy, as_of, active=active, corp=corp, npl=npl, key=key, fl=fl,
                           among=among, first_pos=first_pos, in_force=in_force, am=am, dl=dl,
                           none=none, fiscal_year=fiscal_year))
    return q


def _file_sql(policy: Policy, as_of: str, *, active: str, corp: str, npl: str, key: str,
              fl, among, first_pos: str, in_force, am, dl, none: str,
              fiscal_year: str) -> dict[str, str]:
    """The rules of the borrower's file, and COLLAT-REVAL and COLLAT-DROP as they read the
    collateral register (``postloan_audit/compliance/rules/collateral.py``, ``borrower.py``,
    ``lists.py``, ``triggers.py``); the helpers are :func:`rule_sql`'s."""
    D = f"DATE '{as_of}'"
    clt, fp, w = policy.collateral, policy.financials, policy.warning
    q: dict[str, str] = {}
    # CheckContext.collateral_rows: rows of outstanding loans not released by D, one per
    # (collateral, loan), the first in sheet order; a blank type is 'other'
    rows = f"""cr AS (
            SELECT * EXCLUDE (rn) FROM (
                SELECT c.*, f.pos, coalesce(c.collateral_type, 'other') AS type,
                       row_number() OVER (PARTITION BY c.collateral_id, f.pos ORDER BY c.row)
                       AS rn
                FROM collateral c JOIN {first_pos} f USING (loan_id) JOIN loans l ON l.pos = f.pos
                WHERE {active} AND NOT coalesce(c.release_date <= {D}, false)) WHERE rn = 1)"""

    # ---------------------------------------------------------------- COLLAT-REVAL (register)
    third = among("type", clt.third_party_types)
    q["COLLAT-REVAL"] = f"""
        WITH {rows},
        r AS (SELECT pos, CASE WHEN {third} THEN {am('appraisal_date', clt.third_party_months)}
                               ELSE {am('appraisal_date', clt.revaluation_months)} END AS due,
                     {third} AND coalesce(appraiser = 'internal', false) AS internal FROM cr),
        f AS (SELECT pos, CASE WHEN due < {D} THEN due END AS stale_due, internal FROM r)
        SELECT pos, min(stale_due) AS due_date, {dl('min(stale_due)')} AS days_late FROM f
        WHERE stale_due IS NOT NULL OR internal GROUP BY pos"""

    # ---------------------------------------------------------------- COLLAT-DROP (register)
    q["COLLAT-DROP"] = f"""
        WITH {rows}
        SELECT DISTINCT cr.pos, {none} FROM cr JOIN loans l ON l.pos = cr.pos
        WHERE cr.previous_value > 0 AND cr.appraised_value < cr.previous_value
              * {_f(1 - clt.value_drop_share)} * {_f(1 - 1e-12)}
          AND NOT {fl('additional_guarantee')}"""

    # ---------------------------------------------------------------- COLLAT-COVER
    ltv = ("(CASE type " + " ".join(f"WHEN '{t}' THEN {_f(clt.max_ltv(t))}"
                                    for t in schema.COLLATERAL_TYPE_ZH)
           + f" ELSE {_f(clt.max_ltv_other)} END)")
    q["COLLAT-COVER"] = f"""
        WITH {rows},
        b AS (SELECT cr.pos, cr.collateral_id, coalesce(cr.appraised_value, 0) AS v,
                     coalesce(cr.prior_claims, 0) AS pc, {ltv} AS ltv,
                     coalesce(l.balance, 0) AS bal
              FROM cr JOIN loans l ON l.pos = cr.pos),
        t AS (SELECT collateral_id, sum(bal) AS total FROM b GROUP BY collateral_id),
        s AS (SELECT b.pos, sum(greatest(b.v - b.pc, 0) * b.ltv
                                * CASE WHEN t.total > 0 THEN b.bal / t.total ELSE 0 END) AS cover
              FROM b JOIN t ON t.collateral_id IS NOT DISTINCT FROM b.collateral_id
              GROUP BY b.pos)
        SELECT s.pos, {none} FROM s JOIN loans l ON l.pos = s.pos
        WHERE {active} AND s.cover < coalesce(l.balance, 0) * {_f(1 - 1e-12)}"""

    # ---------------------------------------------------------------- COLLAT-INSURE
    q["COLLAT-INSURE"] = f"""
        WITH {rows}
        SELECT pos, min(insurance_expiry) AS due_date, {dl('min(insurance_expiry)')} AS days_late
        FROM cr WHERE {among('type', clt.insurable_types)} AND insurance_expiry < {D}
        GROUP BY pos"""

    # ---------------------------------------------------------------- COLLAT-RELEASE
    q["COLLAT-RELEASE"] = f"""
        SELECT DISTINCT f.pos, {none} FROM collateral c JOIN {first_pos} f USING (loan_id)
        JOIN loans l ON l.pos = f.pos WHERE c.release_date <= {D} AND {active}"""

    # ---------------------------------------------------------------- GUAR-RATING
    q["GUAR-RATING"] = f"""
        WITH {fiscal_year},
        g AS (SELECT f.pos, CASE WHEN g.guarantor_rating_date <= {D}
                                 THEN g.guarantor_rating_date END AS rated
              FROM guarantees g JOIN {first_pos} f USING (loan_id) JOIN loans l ON l.pos = f.pos
              WHERE {active} AND NOT coalesce(g.guarantor_type = 'individual', false))
        SELECT DISTINCT g.pos, y.dl AS due_date, {dl('y.dl')} AS days_late FROM g CROSS JOIN y
        WHERE coalesce(g.rated < make_date(y.yr, 1, 1), true)"""

    # ---------------------------------------------------------------- FIN-STATEMENTS
    year = int(as_of[:4])
    audit = "true" if fp.annual_audit_required else "false"
    q["FIN-STATEMENTS"] = f"""
        WITH cand AS (
            SELECT s.shape, yy.y, last_day(make_date(yy.y, s.m, 1)) AS pend,
                   {am('last_day(make_date(yy.y, s.m, 1))', 's.a')} AS dl
            FROM (VALUES ('half', 6, {fp.half_year_months}),
                         ('year', 12, {fp.annual_months})) s(shape, m, a),
                 (VALUES ({year}), ({year - 1}), ({year - 2})) yy(y)),
        due AS (SELECT shape, arg_max(pend, y) AS pend, arg_max(dl, y) AS dl FROM cand
                WHERE dl < {D} GROUP BY shape),
        bor AS (SELECT l.borrower_id, bool_or({active} AND {corp}) AS scope,
                       min(l.disbursement_date) AS first
                FROM loans l WHERE l.borrower_id IS NOT NULL GROUP BY l.borrower_id),
        st AS (SELECT f.borrower_id, d.shape, bool_or(coalesce(f.audited, false)) AS audited
               FROM financials f JOIN due d ON f.period_end = d.pend
                    AND (f.period_type IS NULL OR f.period_type = d.shape)
               WHERE f.received_date IS NULL OR f.received_date <= {D}
               GROUP BY f.borrower_id, d.shape),
        p AS (SELECT b.borrower_id, d.dl, s.shape IS NOT NULL AS has,
                     coalesce(s.audited, false) AS audited, d.shape
              FROM bor b CROSS JOIN due d
              LEFT JOIN st s ON s.borrower_id = b.borrower_id AND s.shape = d.shape
              WHERE b.scope AND b.first <= d.pend),
        bad AS (SELECT borrower_id, min(dl) AS dl FROM p
                WHERE NOT has OR (shape = 'year' AND {audit} AND NOT audited)
                GROUP BY borrower_id)
        SELECT l.pos, bad.dl AS due_date, {dl('bad.dl')} AS days_late
        FROM loans l JOIN bad USING (borrower_id) WHERE {active} AND {corp}"""

    # ---------------------------------------------------------------- LIST-MODE
    q["LIST-MODE"] = (f"SELECT l.pos, {none} FROM loans l WHERE {active} AND NOT {key} "
                      f"AND l.borrower_id IN {in_force(KEY_MODE_LISTS)}")

    # ---------------------------------------------------------------- LIST-NEWCREDIT
    q["LIST-NEWCREDIT"] = f"""
        WITH e AS (SELECT borrower_id, listed_date AS listed, removed_date AS removed
                   FROM lists WHERE {among('list_type', NO_NEW_CREDIT_LISTS)}
                     AND listed_date <= {D} AND borrower_id IS NOT NULL)
        SELECT DISTINCT l.pos, {none} FROM loans l JOIN e USING (borrower_id)
        WHERE {active} AND l.disbursement_date > e.listed
          AND (e.removed IS NULL OR l.disbursement_date < e.removed)"""

    # ---------------------------------------------------------------- LIST-WATCH
    # triggers.direct_listing: the borrower's own latest report at D or a guarantor's of an
    # outstanding loan overdue at another bank or sued by one (B, D), or another borrower of
    # one of its groups NPL, exit-listed or red (A); not on the watch list at D
    days = w.other_bank_overdue_days
    q["LIST-WATCH"] = f"""
        WITH latest AS (
            SELECT * EXCLUDE (rn) FROM (
                SELECT e.*, row_number() OVER (PARTITION BY party_id
                                               ORDER BY report_date DESC, row DESC) AS rn
                FROM external e WHERE report_date <= {D} AND party_id IS NOT NULL)
            WHERE rn = 1),
        bl AS (SELECT l.borrower_id, bool_or({active}) AS act, bool_or({active} AND {npl}) AS npl,
                      bool_or({active} AND {fl('exit_list')}) AS exit_flag,
                      sum(coalesce(l.balance, 0)) AS ours,
                      sum(CASE WHEN {active} AND NOT {npl} THEN l.balance ELSE 0 END) AS perf
               FROM loans l WHERE l.borrower_id IS NOT NULL GROUP BY l.borrower_id),
        links AS (SELECT borrower_id, borrower_id AS party_id FROM bl WHERE act
                  UNION SELECT l.borrower_id, g.guarantor_id FROM guarantees g
                  JOIN {first_pos} f USING (loan_id) JOIN loans l ON l.pos = f.pos
                  WHERE {active} AND l.borrower_id IS NOT NULL),
        hits AS (SELECT k.borrower_id,
                        bool_or(coalesce(e.other_bank_overdue_days, 0) >= {days}
                                OR coalesce(e.other_bank_arrears_days, 0) >= {days}) AS overdue,
                        bool_or(coalesce(e.other_bank_litigation, false)) AS suit,
                        bool_or(coalesce(e.enforcement, false)) AS enforced
                 FROM links k JOIN latest e USING (party_id) GROUP BY k.borrower_id),
        npl90 AS (SELECT b.borrower_id FROM bl b JOIN latest e ON e.party_id = b.borrower_id
                  WHERE b.act AND b.perf > 0 AND (CASE WHEN b.ours + coalesce(e.other_bank_balance, 0) > 0
                        THEN coalesce(e.other_bank_overdue90_balance, 0)
                             / (b.ours + coalesce(e.other_bank_balance, 0)) ELSE 0 END)
                        > {_f(w.other_bank_npl90_share)} * {_f(1 + 1e-12)}),
        members AS (SELECT DISTINCT borrower_id, group_id FROM loans
                    WHERE borrower_id IS NOT NULL AND group_id IS NOT NULL),
        bad AS (SELECT borrower_id FROM bl WHERE npl OR exit_flag
                UNION SELECT borrower_id FROM {in_force(['exit'])}
                UNION SELECT borrower_id FROM hits WHERE overdue OR suit OR enforced
                UNION SELECT borrower_id FROM npl90),
        grp AS (SELECT DISTINCT m.borrower_id FROM members m
                JOIN members o ON o.group_id = m.group_id AND o.borrower_id <> m.borrower_id
                JOIN bad ON bad.borrower_id = o.borrower_id
                JOIN bl ON bl.borrower_id = m.borrower_id WHERE bl.act),
        flagged AS (SELECT borrower_id FROM hits WHERE overdue OR suit
                    UNION SELECT borrower_id FROM grp)
        SELECT l.pos, {none} FROM loans l JOIN flagged USING (borrower_id)
        WHERE {active} AND l.borrower_id NOT IN {in_force(['watch'])}"""
    return q
