"""``run_checks(..., engine="dask")``: the same report as the in-memory run, partition by
borrower hash, on Dask's local scheduler and on a ``dask.distributed`` cluster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from postloan_audit import Extract, run_checks
from postloan_audit.compliance import distributed
from postloan_audit.ingest.parquet_store import write_parquet_store
from postloan_audit.synth.generator import generate_network

AS_OF = "2026-09-30"
#: The sheets these extracts hold (the Dask engine partitions the loans and their inspections
#: and collections; it does not take the borrower's file).
LEDGER_SHEETS = ("loans", "inspections", "collections", "branches")


def assert_same_report(a, b) -> None:
    pd.testing.assert_frame_equal(a.findings, b.findings, check_exact=True)
    pd.testing.assert_frame_equal(a.not_run, b.not_run)
    assert a.rules_run == b.rules_run
    assert a.warnings == b.warnings
    assert a.loans_checked == b.loans_checked
    assert (a.fingerprint, a.source_name, a.as_of) == (b.fingerprint, b.source_name, b.as_of)


@pytest.fixture(scope="module")
def network():
    net = generate_network(loans=12_000, branches=5, seed=21, as_of=AS_OF)
    return Extract(loans=net.loans, inspections=net.inspections, collections=net.collections,
                   branches=net.branches, fingerprint="f" * 64, source_name="book.csv",
                   as_of=pd.Timestamp(AS_OF).date()), net


@pytest.fixture
def small_partitions(monkeypatch):
    monkeypatch.setattr(distributed, "LOANS_PER_PARTITION", 1_500)  # 8 partitions


def test_dask_engine_in_memory_matches_pandas(network, small_partitions):
    extract, net = network
    pandas_report = run_checks(extract, as_of=None)
    dask_report = run_checks(extract, as_of=None, engine="dask")
    assert_same_report(dask_report, pandas_report)
    # the extract holds no borrower's file: its rules' planted breaches are not seen
    assert len(pandas_report.findings) == len(net.planted_in(LEDGER_SHEETS)) > 0


def test_dask_engine_from_a_parquet_store_matches_pandas(network, small_partitions, tmp_path):
    extract, _ = network
    write_parquet_store(extract, tmp_path / "store")
    assert_same_report(run_checks(tmp_path / "store", as_of=None, engine="dask"),
                       run_checks(extract, as_of=None))


def test_dask_engine_merges_notes_with_their_loan_counts(network, small_partitions):
    """Missing optional columns: each partition notes its own count; the report has the sum."""
    extract, net = network
    loans = net.loans.drop(columns=["repayment_method", "management_mode"])
    reduced = Extract(loans=loans, inspections=net.inspections, collections=net.collections)
    a = run_checks(reduced, as_of=AS_OF)
    b = run_checks(reduced, as_of=AS_OF, engine="dask", rules="INSP-FREQ,CLS-BORROWER")
    individual = int(((loans["customer_type"] == "individual") & (loans["balance"] > 0)).sum())
    note = (f"INSP-FREQ:未提供还款方式列,{individual}笔个人贷款无法判断是否分期还款,未检查 / "
            "no repayment_method column: individual loans not checked")
    assert a.warnings[0] == note and b.warnings[0] == note
    assert a.warnings == b.warnings
    rules = ["INSP-FREQ", "CLS-BORROWER"]
    pd.testing.assert_frame_equal(b.findings, run_checks(reduced, as_of=AS_OF,
                                                         rules=rules).findings)


def test_merge_notes_keeps_order_and_sums_loan_counts():
    merged = distributed.merge_notes([
        ["A:3笔无日期 / 3 loans", "B:按常规 / regular"],
        ["B:按常规 / regular", "C:12笔 / x"],
        ["A:4笔无日期 / 3 loans", "C:1笔 / x"],
    ])
    assert merged == ["A:7笔无日期 / 3 loans", "B:按常规 / regular", "C:13笔 / x"]


def test_unknown_engine_is_refused(network):
    extract, _ = network
    with pytest.raises(ValueError, match="未知计算引擎:'spark',可用:pandas, dask"):
        run_checks(extract, as_of=AS_OF, engine="spark")


def test_partition_key_is_stable_and_keeps_a_borrower_together():
    ids = pd.Series(["B1", "B2", "B1", None, "B3"], dtype="str")
    key = distributed.partition_key(ids, 4)
    assert key.tolist() == distributed.partition_key(ids.copy(), 4).tolist()
    assert key[0] == key[2] and set(key.tolist()) <= {0, 1, 2, 3}


@pytest.mark.slow
def test_one_million_loans_on_a_two_worker_local_cluster(tmp_path):
    """1,000,000 generated loans from a Parquet store on LocalCluster(2 workers) = in memory."""
    from dask.distributed import Client, LocalCluster

    net = generate_network(loans=1_000_000, branches=40, seed=2026, as_of=AS_OF)
    extract = Extract(loans=net.loans, inspections=net.inspections,
                      collections=net.collections, branches=net.branches,
                      fingerprint="a" * 64, source_name="book.csv")
    expected = run_checks(extract, as_of=AS_OF)
    assert len(expected.findings) == len(net.planted_in(LEDGER_SHEETS)) > 50_000
    store = write_parquet_store(extract, tmp_path / "book")
    del net
    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="3GiB",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        from_store = run_checks(store, as_of=AS_OF, engine="dask", client=client)
        assert_same_report(from_store, expected)
        in_memory = run_checks(extract, as_of=AS_OF, engine="dask", client=client)
        assert_same_report(in_memory, expected)


def test_book_wide_facts_are_the_whole_books(network, small_partitions, tmp_path):
    """INSP-FIRST judges loans against the inspections sheet's first date, a fact of the whole
    sheet: every partition uses the book's date, not its own, and the note says so once."""
    _, net = network
    loans = net.loans.drop(columns=["first_inspection_date"])
    sheet = net.inspections[net.inspections["inspection_date"] >= "2024-07-01"]
    book = Extract(loans=loans, inspections=sheet, collections=net.collections)
    start = sheet["inspection_date"].min()
    expected = run_checks(book, as_of=AS_OF, rules="INSP-FIRST")
    notes = [w for w in expected.warnings if w.startswith("INSP-FIRST:")]
    assert len(notes) == 1 and f"最早日期{start:%Y-%m-%d}之前" in notes[0]
    assert_same_report(run_checks(book, as_of=AS_OF, rules="INSP-FIRST", engine="dask"),
                       expected)
    write_parquet_store(book, tmp_path / "s")
    stored = run_checks(tmp_path / "s", as_of=AS_OF, rules="INSP-FIRST", engine="dask")
    pd.testing.assert_frame_equal(stored.findings, expected.findings)
    assert stored.warnings == expected.warnings


NETWORK_SAMPLE = Path(__file__).resolve().parents[2] / "sample_extracts" / \
    "network_snapshot_20260930.xlsx"


@pytest.fixture(scope="module")
def borrowers_file():
    from postloan_audit import load_extract
    return load_extract(NETWORK_SAMPLE)


def test_dask_engine_with_the_borrowers_file_matches_pandas(borrowers_file, monkeypatch):
    """The sample with collateral, guarantees, statements, external reports and lists, in four
    partitions: the rules reading across borrowers run once on the driver, the rest per
    partition; the report is the in-memory one, every rule run."""
    monkeypatch.setattr(distributed, "LOANS_PER_PARTITION", 300)
    pandas_report = run_checks(borrowers_file, as_of=None)
    dask_report = run_checks(borrowers_file, as_of=None, engine="dask")
    assert_same_report(dask_report, pandas_report)
    assert dask_report.not_run.empty and len(dask_report.rules_run) == 31
    assert distributed.whole_book_rules(dask_report.rules_run) == [
        "CLS-BORROWER", "COLLAT-INSP", "COLLAT-REVAL", "COLLAT-DROP", "COLLAT-COVER",
        "COLLAT-INSURE", "COLLAT-RELEASE", "GUAR-RATING", "FIN-STATEMENTS", "EXIT-VISIT",
        "LIST-MODE", "LIST-NEWCREDIT", "LIST-WATCH"]


def test_dask_engine_from_a_store_with_the_borrowers_file_says_which_rules_it_left(
        borrowers_file, monkeypatch, tmp_path):
    monkeypatch.setattr(distributed, "LOANS_PER_PARTITION", 300)
    write_parquet_store(borrowers_file, tmp_path / "store")
    report = run_checks(tmp_path / "store", as_of=None, engine="dask")
    left = ["COLLAT-INSP", "COLLAT-REVAL", "COLLAT-DROP", "COLLAT-COVER", "COLLAT-INSURE",
            "COLLAT-RELEASE", "GUAR-RATING", "FIN-STATEMENTS", "EXIT-VISIT", "LIST-MODE",
            "LIST-NEWCREDIT", "LIST-WATCH"]
    assert report.not_run["rule_id"].tolist() == left
    assert report.not_run["reason"].iloc[0].startswith(
        "分布式引擎从 Parquet 存储检查时尚不读取借款人档案表(collateral、guarantees、")
    in_memory = run_checks(borrowers_file, as_of=None)
    kept = in_memory.findings[~in_memory.findings["rule_id"].isin(left)].reset_index(drop=True)
    pd.testing.assert_frame_equal(report.findings, kept, check_exact=True)
