"""The generated borrower's file (押品, 保证, 财务报表, 外部信息, 名单): plausible, consistent with
the ledger, clean but for the planted breaches, with controls on both sides of each threshold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from postloan_audit import Extract, run_checks
from postloan_audit.compliance.policy import Policy
from postloan_audit.compliance.rules.context import CheckContext
from postloan_audit.compliance.rules.triggers import direct_listing
from postloan_audit.core.dates import add_months
from postloan_audit.synth.borrower_file import on_time_from
from postloan_audit.synth.generator import generate_network

AS_OF = pd.Timestamp("2026-09-30")
SHEETS = ("inspections", "collections", "branches", "collateral", "guarantees", "financials",
          "external", "lists")


@pytest.fixture(scope="module")
def net():
    return generate_network(loans=3000, branches=6, seed=11, as_of="2026-09-30")


def _keyed(net, rule: str) -> set[str]:
    return set(net.planted.loc[net.planted["rule_id"] == rule, "loan_id"])


def _day(value) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(value, "D"))


def _main_rows(net) -> pd.DataFrame:
    """Each loan's own main collateral (``YP`` + the loan's number + ``01``)."""
    c = net.collateral
    own = c["collateral_id"].str[2:-2] == c["loan_id"].str[3:]
    return c[own & c["collateral_id"].str.endswith("01")]


def test_every_secured_loan_has_its_main_collateral_as_the_ledger_shows_it(net):
    loans = net.loans.set_index("loan_id")
    main = _main_rows(net).set_index("loan_id")
    secured = loans["guarantee_type"].isin(["mortgage", "pledge"])
    assert set(main.index) == set(loans.index[secured])
    ledger = loans.loc[main.index]
    assert (main["appraised_value"] == ledger["collateral_value"]).all()
    assert (main["previous_value"] == ledger["collateral_initial_value"]).all()
    dated = ledger["collateral_appraisal_date"].notna()
    assert (main.loc[dated, "appraisal_date"] == ledger.loc[dated, "collateral_appraisal_date"]).all()
    assert (main["borrower_id"] == ledger["borrower_id"]).all()


def test_collateral_types_follow_the_product_and_the_guarantee(net):
    main = _main_rows(net).merge(net.loans[["loan_id", "customer_type", "guarantee_type"]],
                                 on="loan_id")
    pledged = {"deposit", "bond", "equity", "receivable"}
    assert set(main.loc[main["guarantee_type"] == "pledge", "collateral_type"]) <= pledged
    assert not set(main.loc[main["guarantee_type"] == "mortgage", "collateral_type"]) & pledged
    assert set(main.loc[main["customer_type"] == "individual", "collateral_type"]) == {
        "residential", "commercial", "vehicle", "deposit", "bond"}
    assert set(main.loc[main["customer_type"] == "corporate", "collateral_type"]) == {
        "commercial", "plant", "land", "equipment", "deposit", "receivable", "equity", "bond"}


def test_some_collateral_secures_two_loans_of_one_borrower(net):
    c = net.collateral
    shared = c[c.duplicated("collateral_id", keep=False)]
    assert shared["collateral_id"].nunique() >= 20
    assert (shared.groupby("collateral_id")["borrower_id"].nunique() == 1).all()
    assert (shared.groupby("collateral_id")["appraised_value"].nunique() == 1).all()
    assert (shared.groupby("collateral_id")["loan_id"].nunique() == 2).all()


def test_second_liens_carry_prior_claims_and_only_they(net):
    c = net.collateral
    assert (c["lien_rank"] >= 1).all()
    assert (c["prior_claims"].notna() == (c["lien_rank"] >= 2)).all()
    assert ((c["lien_rank"] >= 2).sum() >= 20) and (c["prior_claims"].dropna() > 0).all()


def _cover(net, policy: Policy) -> pd.Series:
    """COLLAT-COVER's cover per loan, computed here with pandas."""
    c = net.collateral
    live = c["release_date"].isna() | (c["release_date"] > AS_OF)
    rows = c[live].merge(net.loans[["loan_id", "balance"]], on="loan_id")
    rows = rows[rows["balance"] > 0]
    total = rows.groupby("collateral_id")["balance"].transform("sum")
    ltv = rows["collateral_type"].map(lambda t: getattr(policy.collateral, f"max_ltv_{t}"))
    worth = (rows["appraised_value"] - rows["prior_claims"].fillna(0)).clip(lower=0)
    return (worth * ltv * rows["balance"] / total).groupby(rows["loan_id"]).sum()


def test_cover_a_yuan_short_is_planted_and_exactly_the_balance_is_clean(net):
    cover = _cover(net, Policy.default())
    balance = net.loans.set_index("loan_id")["balance"].reindex(cover.index)
    planted = cover.index.isin(list(_keyed(net, "COLLAT-COVER")))
    gap = balance - cover
    assert ((gap[planted] > 0.99) & (gap[planted] < 1.01)).all() and planted.sum() == 9
    clean = gap[~planted]
    assert (clean <= 1e-9 * balance[~planted]).all()
    assert (clean.abs() <= 1e-9 * balance[~planted]).sum() == 1  # the control, at the limit


def test_revaluation_controls_and_plants_on_each_boundary_day(net):
    p = Policy.default().collateral
    D = np.datetime64("2026-09-30", "D")
    half, year = on_time_from(D, p.third_party_months), on_time_from(D, p.revaluation_months)
    for day, months in ((half, 6), (year, 12)):
        assert add_months(np.array([day]), months)[0] >= D.astype("datetime64[ns]")
        assert add_months(np.array([day - 1]), months)[0] < D.astype("datetime64[ns]")
    c = net.collateral
    third = c["collateral_type"].isin(p.third_party_types)
    planted = c["loan_id"].isin(list(_keyed(net, "COLLAT-REVAL")))
    assert (c.loc[third & ~planted, "appraisal_date"] >= _day(half)).all()
    assert (c.loc[third & ~planted, "appraiser"] == "external").all()
    assert (c.loc[~third & ~planted, "appraisal_date"] >= _day(year)).all()
    assert (c.loc[third & ~planted, "appraisal_date"] == _day(half)).sum() == 1
    assert (c.loc[~third & ~planted, "appraisal_date"] == _day(year)).sum() == 1
    assert (c.loc[third & planted, "appraisal_date"] == _day(half - 1)).sum() == 1
    assert (c.loc[third & planted, "appraiser"] == "internal").sum() == 1
    assert (c.loc[~third & planted, "appraisal_date"] == _day(year - 1)).sum() == 1


def test_a_plant_revalued_by_the_half_year_rule_only_the_register_shows(net):
    only = net.shown_by_sheet
    assert only["sheet"].tolist() == ["collateral", "collateral"]
    assert set(only["rule_id"]) == {"COLLAT-REVAL"}
    ledger = run_checks(Extract(loans=net.loans), as_of=net.as_of, rules=["COLLAT-REVAL"])
    register = run_checks(Extract(loans=net.loans, collateral=net.collateral), as_of=net.as_of,
                          rules=["COLLAT-REVAL"])
    assert set(register.findings["loan_id"]) == _keyed(net, "COLLAT-REVAL")
    assert set(register.findings["loan_id"]) - set(ledger.findings["loan_id"]) == set(
        only["loan_id"])
    assert set(net.planted_in(("loans",))["loan_id"]).isdisjoint(only["loan_id"])


def test_values_at_ninety_percent_are_clean_and_a_yuan_below_planted(net):
    c = net.collateral
    ratio_gap = c["appraised_value"] - 0.9 * c["previous_value"]
    planted = c["loan_id"].isin(list(_keyed(net, "COLLAT-DROP")))
    at = ratio_gap.abs() < 1e-6
    assert at.sum() == 1 and not planted[at].any()
    below = (ratio_gap + 1).abs() < 1e-6
    assert below.sum() == 1 and planted[below].all()


def test_insurance_expiring_on_the_check_date_is_clean_the_day_before_planted(net):
    c = net.collateral
    insurable = c["collateral_type"].isin(Policy.default().collateral.insurable_types)
    assert c.loc[insurable, "insurance_expiry"].notna().all()
    assert c.loc[~insurable, "insurance_expiry"].isna().all()
    planted = c["loan_id"].isin(list(_keyed(net, "COLLAT-INSURE")))
    assert (c.loc[insurable & ~planted, "insurance_expiry"] >= AS_OF).all()
    assert (c.loc[insurable & ~planted, "insurance_expiry"] == AS_OF).sum() == 1
    assert (c.loc[planted, "insurance_expiry"] == AS_OF - pd.Timedelta(days=1)).sum() >= 1
    assert (c.loc[planted & insurable, "insurance_expiry"] < AS_OF).sum() == 9


def test_released_collateral_of_outstanding_loans_is_planted(net):
    released = net.collateral.dropna(subset=["release_date"])
    assert set(released["loan_id"]) == _keyed(net, "COLLAT-RELEASE")
    assert (released["release_date"] == AS_OF).sum() == 1


def test_guarantors_companies_rated_in_the_year_people_not(net):
    g = net.guarantees
    planted = g["loan_id"].isin(list(_keyed(net, "GUAR-RATING")))
    rated = g["guarantor_type"] != "individual"
    start = pd.Timestamp("2026-01-01")
    assert (g.loc[rated & ~planted, "guarantor_rating_date"] >= start).all()
    assert (g.loc[rated & ~planted, "guarantor_rating_date"] == start).sum() >= 1
    assert (g.loc[planted, "guarantor_rating_date"] == start - pd.Timedelta(days=1)).sum() >= 1
    people = g.loc[~rated, "guarantor_rating_date"]
    assert people.isna().mean() > 0.5 and (people.dropna() < start).all()
    assert set(g["guarantor_type"]) == {"corporate", "individual", "guarantee_company"}
    # some guarantors are other borrowers of the bank (互保), never the borrower itself
    loans = net.loans.set_index("loan_id")
    inside = g[g["guarantor_id"].isin(net.loans["borrower_id"])]
    assert len(inside) >= 20
    assert (inside["guarantor_id"].to_numpy()
            != loans.loc[inside["loan_id"], "borrower_id"].to_numpy()).all()
    guaranteed = net.labels["guarantee"].str.contains("保证").to_numpy()
    assert set(g["loan_id"]) == set(net.loans.loc[guaranteed, "loan_id"])


def test_statements_of_corporate_borrowers_due_ones_received_and_audited(net):
    f = net.financials
    loans = net.loans
    corporate = set(loans.loc[loans["customer_type"] == "corporate", "borrower_id"])
    assert set(f["borrower_id"]) == corporate
    assert set(f["period_type"]) == {"quarter", "half", "year"}
    planted_borrowers = set(loans.loc[loans["loan_id"].isin(list(_keyed(net, "FIN-STATEMENTS"))),
                                      "borrower_id"])
    clean = f[~f["borrower_id"].isin(planted_borrowers)]
    annual = clean[(clean["period_end"] == "2025-12-31") & (clean["period_type"] == "year")]
    assert annual["audited"].all()
    assert (clean["received_date"] <= AS_OF).all()
    assert (clean["received_date"] == AS_OF).sum() == 1  # received on D: clean
    late = f[f["borrower_id"].isin(planted_borrowers) & (f["received_date"] > AS_OF)]
    assert len(late) >= 1 and (late["period_type"] == "year").all()
    assert (f["total_liabilities"] < f["total_assets"] * 1.2).all()
    # a borrower whose first loan came after the 2025 half-year is not asked for it
    first = loans.groupby("borrower_id")["disbursement_date"].min()
    new = set(first.index[first > "2025-06-30"]) & corporate
    halves = set(f.loc[(f["period_end"] == "2025-06-30"), "borrower_id"])
    assert len(new - halves) == 1


def test_lists_agree_with_the_ledger_but_for_the_planted(net):
    loans, lists = net.loans, net.lists
    in_force = lists[(lists["listed_date"] <= AS_OF)
                     & (lists["removed_date"].isna() | (lists["removed_date"] > AS_OF))]
    exits = set(in_force.loc[in_force["list_type"] == "exit", "borrower_id"])
    assert exits == set(loans.loc[loans["exit_list"], "borrower_id"])
    watched = set(in_force.loc[in_force["list_type"].isin(["watch", "monitor"]), "borrower_id"])
    mode = loans[loans["borrower_id"].isin(watched)]
    planted = mode["loan_id"].isin(list(_keyed(net, "LIST-MODE")))
    assert (mode.loc[~planted, "management_mode"] == "key").all()
    assert (mode.loc[planted, "management_mode"] == "regular").all()
    assert (in_force["listed_date"] == AS_OF).sum() == 1
    assert ((lists["removed_date"] == AS_OF) & (lists["list_type"] == "watch")).sum() >= 1
    # LIST-NEWCREDIT: the day after the listing planted, the listing day itself clean
    stop = lists[lists["list_type"].isin(["reduce", "restrict", "exit"])].merge(
        loans[["loan_id", "borrower_id", "disbursement_date"]], on="borrower_id")
    after = stop["disbursement_date"] - stop["listed_date"]
    newcredit = stop["loan_id"].isin(list(_keyed(net, "LIST-NEWCREDIT")))
    assert (after[newcredit] > pd.Timedelta(0)).all()
    assert (after[newcredit] == pd.Timedelta(days=1)).sum() >= 1
    assert (after[~newcredit] <= pd.Timedelta(0)).all()
    assert (after[~newcredit] == pd.Timedelta(0)).sum() >= 1


def test_the_lists_sheet_alone_names_the_exit_clients_for_exit_visit(net):
    with_flag = run_checks(Extract(loans=net.loans, inspections=net.inspections),
                           as_of=net.as_of, rules=["EXIT-VISIT"])
    by_list = run_checks(Extract(loans=net.loans.drop(columns=["exit_list"]),
                                 inspections=net.inspections, lists=net.lists),
                         as_of=net.as_of, rules=["EXIT-VISIT"])
    pd.testing.assert_frame_equal(by_list.findings, with_flag.findings)
    assert set(by_list.findings["loan_id"]) == _keyed(net, "EXIT-VISIT")


def test_credit_reports_of_borrowers_and_guarantors_mostly_clean(net):
    x = net.external
    parties = set(net.loans["borrower_id"]) | set(net.guarantees["guarantor_id"])
    assert set(x["party_id"]) == parties
    assert (x["report_date"] <= AS_OF).all()
    normal = set(net.loans.groupby("borrower_id")["classification"].max().loc[
        lambda c: c == "normal"].index)
    clean = x[x["party_id"].isin(normal)]
    assert (clean["other_bank_overdue_days"] == 0).mean() > 0.9
    assert not clean["other_bank_npl"].any() and not clean["enforcement"].any()
    assert (x["other_bank_overdue90_balance"] <= x["other_bank_balance"]).all()


def test_contracts_and_groups(net):
    loans = net.loans
    per_contract = loans.groupby("contract_id")["borrower_id"].nunique()
    assert (per_contract == 1).all() and (loans.groupby("contract_id").size() > 1).sum() >= 10
    grouped = loans.dropna(subset=["group_id"])
    assert (grouped["customer_type"] == "corporate").all()
    assert (grouped.groupby("group_id")["borrower_id"].nunique() >= 2).mean() > 0.5


def test_every_borrower_file_sheet_in_the_checks(net):
    report = run_checks(Extract(loans=net.loans, **{s: getattr(net, s) for s in SHEETS}),
                        as_of=net.as_of)
    assert report.not_run.empty and report.warnings == ()
    found = report.findings[["rule_id", "loan_id"]].drop_duplicates()
    assert len(found) == len(net.planted) and found["loan_id"].is_unique


def test_direct_listing_cases_only_in_key_mode_and_watch_listed_but_the_plants(net):
    ctx = CheckContext(net.loans, as_of=net.as_of, policy=Policy.default(),
                       guarantees=net.guarantees, external=net.external, lists=net.lists)
    cases = pd.Index(ctx.borrower_ids.take(direct_listing(ctx).borrowers))
    modes = net.loans.groupby("borrower_id")["management_mode"].agg(set)
    assert len(cases) > 9 and all(m == {"key"} for m in modes.loc[cases])
    lists = net.lists
    watched = set(lists.loc[(lists["list_type"] == "watch") & (lists["listed_date"] <= AS_OF)
                            & lists["removed_date"].isna(), "borrower_id"])
    owner = net.loans.set_index("loan_id")["borrower_id"]
    plants = set(owner.loc[sorted(_keyed(net, "LIST-WATCH"))])
    assert set(cases) - watched == plants and 1 <= len(plants) <= 9
    # every outstanding loan of a plant is in the key
    outstanding = net.loans[(net.loans["balance"] > 0) & net.loans["borrower_id"].isin(plants)]
    assert set(outstanding["loan_id"]) == _keyed(net, "LIST-WATCH")
    # guarantors who are not borrowers never meet a case; groups are of key-mode borrowers
    days = Policy.default().warning.other_bank_overdue_days
    x = net.external[~net.external["party_id"].isin(net.loans["borrower_id"])]
    assert (x["other_bank_overdue_days"] < days).all()
    assert (x["other_bank_arrears_days"] < days).all() and not x["other_bank_litigation"].any()
    assert (net.loans.dropna(subset=["group_id"])["management_mode"] == "key").all()
