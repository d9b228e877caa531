"""The Parquet store (``postloan-audit convert EXTRACT --to DIR``): read back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

from postloan_audit import load_extract, run_checks
from postloan_audit.commands.cli import main
from postloan_audit.core.errors import ExtractError
from postloan_audit.ingest.parquet_store import (
    is_parquet_store,
    read_parquet_store,
    write_parquet_store,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(ROOT.glob("sample_extracts/*.xlsx")) + [
    ROOT / "sample_extracts/head_office_6_branches_20260930.csv"]
CORPUS = [ROOT / "tests/data" / n for n in (
    "duplicate_loan_ids.csv", "gbk.csv", "mixed_dates.csv", "negative_balance.csv",
    "sub_grades.csv", "unparseable_dates.csv", "wan_yuan.csv", "blank_rows.xlsx",
    "total_row.xlsx", "title_rows.xlsx")]
FRAMES = ("loans", "inspections", "collections", "branches", "rejected", "issues", "accounting")


def assert_same_extract(a, b) -> None:
    for name in FRAMES:
        left, right = getattr(a, name), getattr(b, name)
        if left is None:
            assert right is None, name
        else:
            pd.testing.assert_frame_equal(left, right, check_exact=True, obj=name)
    assert (a.fingerprint, a.source_name, a.as_of) == (b.fingerprint, b.source_name, b.as_of)
    assert (a.profile_name, a.profile_sha256) == (b.profile_name, b.profile_sha256)


@pytest.mark.parametrize("path", SAMPLES + CORPUS, ids=lambda p: p.name)
def test_store_reads_back_the_same_frames_and_fingerprint(path, tmp_path):
    original = load_extract(path)
    write_parquet_store(original, tmp_path / "store")
    assert is_parquet_store(tmp_path / "store")
    assert_same_extract(load_extract(tmp_path / "store"), original)
    assert_same_extract(load_extract(str(tmp_path / "store")), original)


def test_store_keeps_the_export_profile_the_ledger_was_read_with(tmp_path):
    profiles = ROOT / "tests/data/profiles"
    original = load_extract(profiles / "rcb_balance.xlsx", profile=profiles / "rcb_balance.toml")
    assert original.profile_name
    write_parquet_store(original, tmp_path / "store")
    back = load_extract(tmp_path / "store")
    assert_same_extract(back, original)
    report = run_checks(tmp_path / "store", as_of=original.as_of or "2026-09-30")
    assert report.profile_name == original.profile_name


def test_convert_command_partitions_by_branch_and_checks_agree(tmp_path, capsys):
    source = ROOT / "sample_extracts/head_office_6_branches_20260930.csv"
    target = tmp_path / "book"
    assert main(["convert", str(source), "--to", str(target)]) == 0
    out = capsys.readouterr().out
    original = load_extract(source)
    assert f"已转存 {source.name}(指纹 {original.fingerprint[:12]})到 {target}" in out
    branches = sorted(original.loans["branch"].unique())
    assert len(branches) == 6
    assert sorted(p.name for p in (target / "loans").iterdir()) == sorted(
        "branch-" + quote(b, safe="") for b in branches)
    for branch in branches:
        part = pd.read_parquet(target / "loans" / ("branch-" + quote(branch, safe="")))
        assert set(part["branch"]) == {branch}
        assert len(part) == int((original.loans["branch"] == branch).sum())
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fingerprint"] == original.fingerprint
    assert manifest["rows"]["loans"] == len(original.loans) == 3000
    stored = load_extract(target)
    a = run_checks(stored, as_of="2026-09-30")
    b = run_checks(original, as_of="2026-09-30")
    pd.testing.assert_frame_equal(a.findings, b.findings)
    assert a.fingerprint == b.fingerprint == original.fingerprint


def test_convert_a_store_again_replaces_it(tmp_path):
    one = load_extract(ROOT / "sample_extracts/network_snapshot_20260630.xlsx")
    two = load_extract(ROOT / "sample_extracts/branch_chengguan_20260930.xlsx")
    write_parquet_store(one, tmp_path / "s")
    write_parquet_store(two, tmp_path / "s")
    assert_same_extract(read_parquet_store(tmp_path / "s"), two)
    stale = [p for p in (tmp_path / "s" / "loans").iterdir()
             if p.name not in {"branch-" + quote(b, safe="") for b in two.loans["branch"]}]
    assert stale == []


def test_convert_refuses_a_directory_holding_other_files(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    source = ROOT / "sample_extracts/branch_chengguan_20260930.xlsx"
    assert main(["convert", str(source), "--to", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"目录 {tmp_path} 已有其他文件,不能写入 Parquet 数据集;请指定一个空目录。" in err
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_a_store_with_a_missing_file_or_rows_says_so(tmp_path):
    extract = load_extract(ROOT / "sample_extracts/head_office_6_branches_20260930.csv")
    root = write_parquet_store(extract, tmp_path / "s")
    victim = next((root / "loans").iterdir()) / "part-0.parquet"
    victim.unlink()
    with pytest.raises(ExtractError, match="的 loans 文件无法读取"):
        load_extract(root)
    (root / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ExtractError, match=r"不是有效的 Parquet 数据集\(清单 manifest.json 无法读取"):
        load_extract(root)


def test_a_store_written_in_pieces_reads_back_as_the_whole_book(tmp_path):
    from postloan_audit import Extract
    from postloan_audit.ingest.parquet_store import ParquetStoreWriter
    whole = load_extract(ROOT / "sample_extracts/network_snapshot_20260930.xlsx")
    loans = whole.loans
    halves = [loans.iloc[:500], loans.iloc[500:]]
    with ParquetStoreWriter(tmp_path / "s", fingerprint=whole.fingerprint,
                            source_name=whole.source_name, as_of=whole.as_of) as writer:
        for i, half in enumerate(halves):
            ids = set(half["loan_id"])
            piece = Extract(
                loans=half.reset_index(drop=True),
                inspections=whole.inspections[whole.inspections["loan_id"].isin(ids)],
                collections=whole.collections[whole.collections["loan_id"].isin(ids)],
                branches=whole.branches if i == 0 else None,
                rejected=whole.rejected if i == 0 else None,
                issues=whole.issues if i == 0 else None,
                accounting=whole.accounting if i == 0 else None)
            writer.add(piece)
    back = read_parquet_store(tmp_path / "s")
    pd.testing.assert_frame_equal(back.loans, whole.loans)
    for name in ("inspections", "collections"):
        original = getattr(whole, name)
        ids = set(halves[0]["loan_id"])
        expected = pd.concat([original[original["loan_id"].isin(ids)],
                              original[~original["loan_id"].isin(ids)]], ignore_index=True)
        pd.testing.assert_frame_equal(getattr(back, name), expected)
    pd.testing.assert_frame_equal(back.accounting, whole.accounting)
    assert (back.fingerprint, back.as_of) == (whole.fingerprint, whole.as_of)
    names = {f.name for d in (tmp_path / "s/loans").iterdir() for f in d.iterdir()}
    assert names == {"part-0.parquet", "part-1.parquet"}


def test_pieces_of_one_store_must_have_the_same_columns(tmp_path):
    from postloan_audit.ingest.parquet_store import ParquetStoreWriter
    whole = load_extract(ROOT / "sample_extracts/network_snapshot_20260930.xlsx")
    writer = ParquetStoreWriter(tmp_path / "s", fingerprint="f", source_name="x", as_of=None)
    writer.add(whole)
    from postloan_audit import Extract
    with pytest.raises(ExtractError, match=r"第 2 部分的 loans 列与第 1 部分不同.*\['rating'\]"):
        writer.add(Extract(loans=whole.loans.drop(columns=["rating"])))
