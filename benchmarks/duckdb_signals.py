"""The early-warning signals in DuckDB SQL: the yardstick of ``benchmarks/bench_warning.py``.

Each signal is one SQL query over the tables ``loans`` (with ``pos``), ``prev`` (the earlier
snapshot's loans), ``external``, ``guarantees``, ``collateral``, ``financials`` and ``lists``
(each with ``row``, its position in the frame). A query returns ``signal_id``, ``borrower_id``
and ``loan_id`` (NULL for a borrower-level signal), one row per hit: the message-independent
fields of :attr:`postloan_audit.warning.SignalReport.signals`. Every query reproduces
``postloan_audit/warning/signals.py`` and ``postloan_audit/compliance/rules/triggers.py``
including their NULL handling: a missing class is not NPL, a missing flag is False, a missing
count is 0, a statement or report after D is not known, a ratio over a denominator of 0 or less
is not judged.

:func:`watchlist_sql` aggregates the hits per borrower as :func:`scan_signals` does (the
distinct signals, the highest level, the counts by level and the balance), so that both sides
do the same work.
"""

from __future__ import annotations

import pandas as pd

from postloan_audit.compliance.policy import Policy

LOAN_COLUMNS = ["loan_id", "borrower_id", "balance", "classification", "overdue_days", "rating",
                "group_id", "exit_list", "borrower_name", "branch"]
PREV_COLUMNS = ["loan_id", "borrower_id", "balance", "classification", "rating"]
NPL = "('substandard', 'doubtful', 'loss')"
CLASS_CODE = ("CASE {c} WHEN 'normal' THEN 0 WHEN 'special_mention' THEN 1 WHEN 'substandard' "
              "THEN 2 WHEN 'doubtful' THEN 3 WHEN 'loss' THEN 4 END")


def load(con, loans: pd.DataFrame, prev: pd.DataFrame, sheets: dict[str, pd.DataFrame],
         policy: Policy) -> None:
    """Copy the frames into DuckDB tables (dates as DATE, the class as VARCHAR)."""
    con.register("loans_df", loans[LOAN_COLUMNS])
    con.execute("CREATE OR REPLACE TABLE loans AS SELECT (row_number() OVER () - 1) AS pos, "
                "loan_id, borrower_id, balance, CAST(classification AS VARCHAR) AS "
                "classification, overdue_days, rating, group_id, exit_list, borrower_name, branch"
                " FROM loans_df")
    con.register("prev_df", prev[PREV_COLUMNS])
    con.execute("CREATE OR REPLACE TABLE prev AS SELECT loan_id, borrower_id, balance, "
                "CAST(classification AS VARCHAR) AS classification, rating FROM prev_df")
    for name, frame in sheets.items():
        con.register(f"{name}_df", frame)
        dates = [c for c in frame.columns if c.endswith(("_date", "_end"))]
        cols = ", ".join(f"CAST({c} AS DATE) AS {c}" if c in dates else c for c in frame.columns)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT (row_number() OVER () - 1) AS row,"
                    f" {cols} FROM {name}_df")
    scale = pd.DataFrame({"grade": list(policy.warning.rating_scale),
                          "rnk": range(len(policy.warning.rating_scale))})
    con.register("scale_df", scale)
    con.execute("CREATE OR REPLACE TABLE scale AS SELECT * FROM scale_df")
    for name in ["loans_df", "prev_df", "scale_df", *(f"{n}_df" for n in sheets)]:
        con.unregister(name)


def _f(x: float) -> str:
    return f"CAST('{x!r}' AS DOUBLE)"


def prepare_sql(policy: Policy, as_of: str) -> list[str]:
    """Shared views: active borrowers, latest reports, party links, collateral in force."""
    D = f"DATE '{as_of}'"
    return [
        "CREATE OR REPLACE TEMP TABLE act_b AS SELECT DISTINCT borrower_id FROM loans "
        "WHERE balance > 0 AND borrower_id IS NOT NULL",
        "CREATE OR REPLACE TEMP TABLE latest AS SELECT * EXCLUDE (rn) FROM (SELECT *, "
        "row_number() OVER (PARTITION BY party_id ORDER BY report_date DESC, row DESC) AS rn "
        f"FROM external WHERE report_date <= {D} AND party_id IS NOT NULL) WHERE rn = 1",
        # own record of every active borrower, and the guarantors of its outstanding loans
        "CREATE OR REPLACE TEMP TABLE links AS SELECT borrower_id, borrower_id AS party_id, "
        "TRUE AS own FROM act_b UNION SELECT DISTINCT l.borrower_id, g.guarantor_id, FALSE "
        "FROM guarantees g JOIN loans l ON g.loan_id = l.loan_id WHERE l.balance > 0 AND "
        "l.borrower_id IS NOT NULL AND g.guarantor_id IS NOT NULL",
        "CREATE OR REPLACE TEMP TABLE in_force AS SELECT * FROM (SELECT c.*, l.pos, "
        "l.loan_id AS lid, l.borrower_id AS bid, row_number() OVER (PARTITION BY "
        "c.collateral_id, l.pos ORDER BY c.row) AS rn FROM collateral c JOIN loans l ON "
        f"c.loan_id = l.loan_id WHERE l.balance > 0 AND (c.release_date IS NULL OR "
        f"c.release_date > {D})) WHERE rn = 1",
    ]


def signal_sql(policy: Policy, as_of: str) -> dict[str, str]:
    """One SQL query per signal id, in catalogue order (each after :func:`prepare_sql`)."""
    D = f"DATE '{as_of}'"
    w = policy.warning
    eps = "(1 + 1e-12)"
    neps = "(1 - 1e-12)"

    def party(signal: str, condition: str, own_only: bool = False) -> str:
        own = "AND k.own" if own_only else ""
        return (f"SELECT DISTINCT '{signal}' AS signal_id, k.borrower_id, NULL AS loan_id FROM "
                f"links k JOIN latest e ON k.party_id = e.party_id WHERE {condition} {own}")

    overdue = (f"(coalesce(e.other_bank_overdue_days, 0) >= {w.other_bank_overdue_days} OR "
               f"coalesce(e.other_bank_arrears_days, 0) >= {w.other_bank_overdue_days})")
    npl90 = f"""
        WITH b AS (SELECT borrower_id, sum(coalesce(balance, 0)) AS ours,
                          sum(CASE WHEN balance > 0 AND (classification IS NULL OR
                              classification NOT IN {NPL}) THEN balance ELSE 0 END) AS perf
                   FROM loans WHERE borrower_id IS NOT NULL GROUP BY borrower_id)
        SELECT 'EW-OB-NPL90' AS signal_id, b.borrower_id, NULL AS loan_id
        FROM b JOIN act_b USING (borrower_id) JOIN latest e ON e.party_id = b.borrower_id
        WHERE b.ours + coalesce(e.other_bank_balance, 0) > 0
          AND coalesce(e.other_bank_overdue90_balance, 0)
              / (b.ours + coalesce(e.other_bank_balance, 0)) > {_f(w.other_bank_npl90_share)} * {eps}
          AND b.perf > 0"""
    red = {
        "EW-OB-OVERDUE": party("EW-OB-OVERDUE", overdue),
        "EW-OB-SUIT": party("EW-OB-SUIT", "coalesce(e.other_bank_litigation, FALSE)"),
        "EW-ENFORCE": party("EW-ENFORCE", "coalesce(e.enforcement, FALSE)"),
        "EW-OB-NPL90": npl90,
    }
    red_union = " UNION ".join(f"SELECT borrower_id FROM ({q})" for q in red.values())
    group = f"""
        WITH members AS (SELECT DISTINCT borrower_id, group_id FROM loans
                         WHERE borrower_id IS NOT NULL AND group_id IS NOT NULL),
        bad AS (SELECT borrower_id FROM loans WHERE balance > 0 AND classification IN {NPL}
                UNION SELECT borrower_id FROM loans WHERE balance > 0 AND exit_list
                UNION SELECT s.borrower_id FROM lists s WHERE s.list_type = 'exit'
                      AND s.listed_date <= {D} AND (s.removed_date IS NULL OR s.removed_date > {D})
                      AND s.borrower_id IN (SELECT borrower_id FROM loans)
                UNION {red_union})
        SELECT DISTINCT 'EW-GROUP' AS signal_id, m.borrower_id, NULL AS loan_id
        FROM members m JOIN members o ON m.group_id = o.group_id AND m.borrower_id <> o.borrower_id
        JOIN bad ON o.borrower_id = bad.borrower_id JOIN act_b ON act_b.borrower_id = m.borrower_id"""
    known = (f"f.period_end <= {D} AND (f.received_date IS NULL OR f.received_date <= {D}) "
             "AND f.borrower_id IN (SELECT borrower_id FROM act_b)")
    s, q = w.financial_change_share, w.financial_quarters
    steps = []
    for name, up in (("debt", True), ("cur", False), ("margin", False)):
        conds = []
        for j in range(q):
            new, old = f"t{j}.{name}", f"t{j + 1}.{name}"
            conds.append(f"({old} > 0 AND {new} > {old} * (1 + {_f(s)}) * {eps})" if up
                         else f"({old} > 0 AND {new} < {old} * (1 - {_f(s)}) * {neps})")
        steps.append("(" + " AND ".join(conds) + ")")
    joins = " ".join(f"JOIN qs t{j} ON t{j}.borrower_id = t0.borrower_id AND t{j}.qi = t0.qi - {j}"
                     for j in range(1, q + 1))
    trend = f"""
        WITH qs0 AS (SELECT f.*, (year(f.period_end) * 12 + month(f.period_end) - 1) // 3 AS qi,
                            row_number() OVER (PARTITION BY f.borrower_id,
                                (year(f.period_end) * 12 + month(f.period_end) - 1) // 3
                                ORDER BY f.row DESC) AS rn
                     FROM financials f
                     WHERE {known} AND f.period_end = last_day(f.period_end)
                       AND month(f.period_end) % 3 = 0
                       AND (f.period_type IS NULL OR f.period_type IN ('quarter', 'half', 'year'))),
        qs AS (SELECT borrower_id, qi,
                      CASE WHEN total_assets > 0 THEN total_liabilities / total_assets END AS debt,
                      CASE WHEN current_liabilities > 0 THEN current_assets / current_liabilities
                           END AS cur,
                      CASE WHEN revenue > 0 THEN (revenue - cost_of_sales) / revenue END AS margin
               FROM qs0 WHERE rn = 1),
        last AS (SELECT borrower_id, max(qi) AS qi FROM qs GROUP BY borrower_id)
        SELECT 'EW-FIN-TREND' AS signal_id, t0.borrower_id, NULL AS loan_id
        FROM last JOIN qs t0 ON t0.borrower_id = last.borrower_id AND t0.qi = last.qi {joins}
        WHERE {" OR ".join(steps)}"""
    m = w.operating_months
    mjoins = " ".join(
        f"JOIN ms c{j} ON c{j}.borrower_id = last.borrower_id AND c{j}.mi = last.mi - {j} "
        f"JOIN ms p{j} ON p{j}.borrower_id = last.borrower_id AND p{j}.mi = last.mi - {j + 12}"
        for j in range(m))
    fin3m = f"""
        WITH ms0 AS (SELECT f.*, year(f.period_end) * 12 + month(f.period_end) - 1 AS mi,
                            row_number() OVER (PARTITION BY f.borrower_id,
                                year(f.period_end) * 12 + month(f.period_end) - 1
                                ORDER BY f.row DESC) AS rn
                     FROM financials f WHERE {known} AND f.period_type = 'month'),
        ms AS (SELECT borrower_id, mi, revenue, net_profit FROM ms0 WHERE rn = 1),
        last AS (SELECT borrower_id, max(mi) AS mi FROM ms GROUP BY borrower_id)
        SELECT 'EW-FIN-3M' AS signal_id, last.borrower_id, NULL AS loan_id FROM last {mjoins}
        WHERE ({" AND ".join(f"c{j}.revenue < p{j}.revenue" for j in range(m))})
           OR ({" AND ".join(f"c{j}.net_profit < p{j}.net_profit" for j in range(m))})"""
    drop = f"""
        SELECT DISTINCT 'EW-COLLAT-DROP' AS signal_id, bid AS borrower_id, lid AS loan_id
        FROM in_force WHERE bid IS NOT NULL AND previous_value > 0
          AND appraised_value < previous_value * (1 - {_f(w.collateral_drop_share)}) * {neps}"""
    lien2 = f"""
        SELECT 'EW-LIEN2' AS signal_id, any_value(bid) AS borrower_id, lid AS loan_id
        FROM in_force WHERE bid IS NOT NULL GROUP BY pos, lid
        HAVING min(coalesce(lien_rank, 0)) >= {w.second_lien_rank}"""
    class_down = f"""
        SELECT 'EW-CLASS-DOWN' AS signal_id, l.borrower_id, l.loan_id FROM loans l
        JOIN (SELECT loan_id, any_value(classification) AS classification FROM prev
              GROUP BY loan_id) p ON l.loan_id = p.loan_id
        WHERE l.balance > 0 AND l.borrower_id IS NOT NULL
          AND {CLASS_CODE.format(c="l.classification")} > {CLASS_CODE.format(c="p.classification")}"""
    rating = """
        WITH now AS (SELECT l.borrower_id, max(s.rnk) AS rnk FROM loans l
                     JOIN scale s ON s.grade = trim(l.rating)
                     WHERE l.balance > 0 AND l.borrower_id IS NOT NULL GROUP BY l.borrower_id),
        before AS (SELECT p.borrower_id, max(s.rnk) AS rnk FROM prev p
                   JOIN scale s ON s.grade = trim(p.rating)
                   WHERE p.balance > 0 AND p.borrower_id IS NOT NULL GROUP BY p.borrower_id)
        SELECT 'EW-RATING-DOWN' AS signal_id, now.borrower_id, NULL AS loan_id
        FROM now JOIN before USING (borrower_id) WHERE now.rnk > before.rnk"""
    return {
        "EW-OB-OVERDUE": red["EW-OB-OVERDUE"],
        "EW-OB-SUIT": red["EW-OB-SUIT"],
        "EW-GROUP": group,
        "EW-OB-NPL90": npl90,
        "EW-FIN-TREND": trend,
        "EW-FIN-3M": fin3m,
        "EW-COLLAT-DROP": drop,
        "EW-LIEN2": lien2,
        "EW-NEW-OVERDUE": party("EW-NEW-OVERDUE", f"coalesce(e.new_overdue_count, 0) >= "
                                                  f"{w.new_overdue_count}", own_only=True),
        "EW-ENFORCE": red["EW-ENFORCE"],
        "EW-CLASS-DOWN": class_down,
        "EW-OVERDUE": "SELECT 'EW-OVERDUE' AS signal_id, borrower_id, loan_id FROM loans "
                      "WHERE balance > 0 AND coalesce(overdue_days, 0) > 0 AND borrower_id IS NOT"
                      " NULL",
        "EW-RATING-DOWN": rating,
    }


def watchlist_sql(policy: Policy, signals_table: str = "hits") -> str:
    """Per borrower with a hit: its distinct signals, the highest level after escalation, the
    balance and the name of its largest loan (the work :func:`scan_signals` does after the
    signals). ``signals_table`` holds ``signal_id``, ``borrower_id``, ``loan_id``, ``rank``."""
    w = policy.warning
    return f"""
        WITH per AS (SELECT borrower_id, signal_id, max(rank) AS rank FROM {signals_table}
                     GROUP BY borrower_id, signal_id),
        agg AS (SELECT borrower_id, count(*) AS n, max(rank) AS top,
                       sum(CASE WHEN rank = 1 THEN 1 ELSE 0 END) AS yellow,
                       sum(CASE WHEN rank = 2 THEN 1 ELSE 0 END) AS orange,
                       string_agg(signal_id, ',' ORDER BY signal_id) AS ids
                FROM per GROUP BY borrower_id),
        big AS (SELECT borrower_id, arg_max(borrower_name, balance) AS name,
                       arg_max(branch, balance) AS branch, sum(balance) AS balance
                FROM loans WHERE borrower_id IN (SELECT borrower_id FROM agg)
                GROUP BY borrower_id)
        SELECT agg.*, big.name, big.branch, big.balance,
               CASE WHEN {w.orange_to_red_count} > 0 AND orange >= {w.orange_to_red_count} THEN 3
                    WHEN {w.yellow_to_orange_count} > 0 AND yellow >= {w.yellow_to_orange_count}
                    THEN greatest(top, 2) ELSE top END AS level
        FROM agg JOIN big USING (borrower_id) ORDER BY level DESC, big.balance DESC"""
