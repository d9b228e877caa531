"""Deterministic synthetic loan networks (合成样例数据) and the bundled sample extracts.

:func:`generate_network` builds a county-level (县域) network of sub-branches (城关支行,
XX镇支行 …) with corporate (对公) and individual (个人) loans, a believable five-tier mix
(五级分类), heavy-tailed balances, borrowers holding several loans, guarantee combinations
(抵押+保证 …), inspection (贷后检查) and collection (催收) histories, collateral (押品) data,
synthetic Chinese names and obviously fake id numbers (region code ``990000``, which no
real person or company can hold).

A modest share of loans deliberately breaches one rule each of the compliance catalogue
(the catalogue of ``postloan_audit.compliance.rules``); :attr:`SyntheticNetwork.planted`
lists every planted ``(rule_id, loan_id)``. Every other loan is kept comfortably inside
each rule's *default* threshold at ``as_of``, so a correct rule engine finds exactly the
planted breaches. The thresholds relied on are read from ``Policy.default()`` and the rule
ids are ``RULE_IDS``, both of :mod:`postloan_audit.compliance.policy`, whose fields cite
the sources (``001_…`` 篇三 二、(七)贷后检查报告, 篇三 二(二)–(五); ``003_…`` 第一篇
第四十四条、第四十五条、第四十九条 and 第三篇; ``000_…`` 计划 8;
《商业银行金融资产风险分类办法》(2023); 《贷款通则》第十二条; 《商业银行押品管理指引》(2017)).

Everything is vectorised over loans with three ``numpy.random.Generator`` streams from the
seed (the first makes the draws of the first release, the second everything added to the ledger
since, the third the borrower's file, so that the earlier streams' columns keep their values):
the same arguments give the same frames, and :func:`write_extract` the same bytes. The stages
are: :mod:`~postloan_audit.synth.network` (the primary draw) →
:mod:`~postloan_audit.synth.derive` → :mod:`~postloan_audit.synth.plant` →
:mod:`~postloan_audit.synth.borrower_file` (collateral, guarantees, statements, credit reports,
lists, and their plants) → :mod:`~postloan_audit.synth.frames`, and for later snapshots
:mod:`~postloan_audit.synth.migrate` before deriving again;
:mod:`~postloan_audit.synth.writer` writes the files.

Run ``python -m postloan_audit.synth.generator [DIRECTORY]`` to regenerate ``sample_extracts/``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from postloan_audit.compliance.policy import Policy
from postloan_audit.core.schema import BORROWER_FILE_SHEETS
from postloan_audit.synth.borrower_file import (
    align_appraisals,
    draw_file_facts,
    file_frames,
    plant_borrower_file,
    watch_direct_listings,
)
from postloan_audit.synth.derive import derive_state
from postloan_audit.synth.draws import second_stream, third_stream, to_day
from postloan_audit.synth.frames import SyntheticNetwork, answer_key, to_frames
from postloan_audit.synth.migrate import carry_forward, migrate
from postloan_audit.synth.network import draw_callbacks, draw_loan_sequence, draw_primary
from postloan_audit.synth.plant import PLANTED_RULES, plant_breaches
from postloan_audit.synth.writer import write_extract

__all__ = [
    "PLANTED_RULES",
    "SyntheticNetwork",
    "generate_network",
    "generate_snapshots",
    "write_extract",
    "write_sample_extracts",
]


def _check_args(loans: int, branches: int) -> None:
    if loans < 1:
        raise ValueError(f"贷款笔数必须为正 / loans must be positive, got {loans}")
    if branches < 1:
        raise ValueError(f"机构数必须为正 / branches must be positive, got {branches}")
    if branches > loans:
        raise ValueError(f"机构数 {branches} 多于贷款笔数 {loans} / more branches than loans")


def generate_network(*, loans: int, branches: int, seed: int, as_of: dt.date | str,
                     inspections_per_loan: float = 3.0, breach_rate: float = 0.003,
                     min_breaches: int = 1, _horizon_months: int = 0) -> SyntheticNetwork:
    """Generate a county-level loan network with planted rule breaches.

    Parameters
    ----------
    loans, branches:
        Number of loans (借据) and sub-branches (支行; the first is 城关支行).
    seed:
        Seed of the random streams (:func:`~postloan_audit.synth.draws.second_stream`): same
        arguments, same frames.
    as_of:
        The extract date (数据日期); every date in the network is on or before it, except
        maturities.
    inspections_per_loan:
        Average rows per loan in :attr:`SyntheticNetwork.inspections` (first and last
        inspection plus Poisson-distributed ones in between; about 3 by default).
    breach_rate, min_breaches:
        Loans planted per rule: ``max(min_breaches, round(breach_rate * loans))``, fewer when
        too few loans qualify (a small network may lack e.g. matured bullet loans). The
        borrower rules count borrowers: CLS-BORROWER plants on half as many, OFFICER-ONE on
        half as many with two loans each, and on two borrowers at least (one with two
        officers, one with none).

    Returns
    -------
    SyntheticNetwork
        Canonical frames; ``planted`` lists every planted breach (catalogue rule ids).

    Notes
    -----
    The thresholds clean loans are kept inside of, and planted loans pushed outside of, are
    read from ``Policy.default()`` at each call, the policy :func:`postloan_audit.run_checks`
    uses when given none.
    """
    _check_args(loans, branches)
    policy = Policy.default()
    D = to_day(as_of)
    rng = np.random.default_rng(seed)
    extra = second_stream(seed)
    third = third_stream(seed)
    s = draw_primary(rng, loans, branches, D, _horizon_months)
    s["loan_seq"] = draw_loan_sequence(rng, s)
    draw_callbacks(extra, s, policy)
    draw_file_facts(third, s)
    return _snapshot(rng, extra, third, s, D, seed, inspections_per_loan, breach_rate,
                     min_breaches, policy)


def _snapshot(rng: np.random.Generator, extra: np.random.Generator,
              third: np.random.Generator, s: dict[str, Any], D: np.datetime64, seed: int,
              inspections_per_loan: float, breach_rate: float, min_breaches: int,
              policy: Policy) -> SyntheticNetwork:
    """Derive, plant (the ledger's rules, then the borrower's file's) and frame one date."""
    derive_state(rng, extra, s, D, inspections_per_loan, policy)
    align_appraisals(third, s, D, policy)
    clean = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
    planted, taken = plant_breaches(rng, extra, s, D, breach_rate, min_breaches, policy)
    want = max(min_breaches, int(round(breach_rate * len(s["class"]))))
    file, planted, sheet_only = plant_borrower_file(third, s, D, policy, planted, taken, want)
    net = to_frames(s, D, seed, planted, rng, file=file, sheet_only=sheet_only)
    # LIST-WATCH reads the frames themselves (the rule's own direct-listing cases).
    loan_id = net.loans["loan_id"].to_numpy(dtype=object)
    sheets = {"loans": net.loans, "guarantees": net.guarantees, "external": net.external,
              "lists": net.lists}
    planted.append(("LIST-WATCH", watch_direct_listings(third, s, file, sheets, D, policy,
                                                        taken, want)))
    frames = file_frames(file, s, loan_id)
    net.lists, net.external = frames["lists"], frames["external"]
    net.planted = answer_key(planted, loan_id)
    net.state = clean
    net.final_state = s
    return net


def generate_snapshots(*, loans: int, branches: int, seed: int,
                       as_of: Sequence[dt.date | str], inspections_per_loan: float = 3.0,
                       breach_rate: float = 0.003, min_breaches: int = 1
                       ) -> list[SyntheticNetwork]:
    """Quarter-end snapshots of one network, for migration analysis (迁徙率).

    The first snapshot is :func:`generate_network` at ``as_of[0]``. Each later one keeps
    every loan id, amortises installment balances, repays most loans that matured in
    between (balance 0), lets arrears grow on matured bullet loans, and migrates classes
    along a realistic transition matrix (most stay; some normal → special mention; special
    mention → substandard or back to normal; NPL stays or worsens), then re-derives the
    histories at its own date and plants fresh breaches (listed in its ``planted``).
    """
    dates = [to_day(d) for d in as_of]
    if not dates or any(b <= a for a, b in zip(dates, dates[1:], strict=False)):
        raise ValueError(f"快照日期须递增 / snapshot dates must increase: {list(as_of)}")
    first = generate_network(loans=loans, branches=branches, seed=seed, as_of=as_of[0],
                             inspections_per_loan=inspections_per_loan,
                             breach_rate=breach_rate, min_breaches=min_breaches,
                             _horizon_months=int((dates[-1] - dates[0]).astype(np.int64)) // 28)
    policy = Policy.default()
    out = [first]
    for k, D in enumerate(dates[1:], start=1):
        rng = np.random.default_rng([seed, k])
        state = carry_forward(out[-1])
        state = migrate(rng, state, dates[k - 1], D, policy)
        out.append(_snapshot(rng, second_stream(seed, k), third_stream(seed, k), state, D, seed,
                             inspections_per_loan, breach_rate, min_breaches, policy))
    return out




# --------------------------------------------------------------------------- sample extracts

SAMPLE_SEED = 20260930


def write_sample_extracts(directory: str | PathLike = "sample_extracts") -> list[Path]:
    """(Re)write the bundled sample extracts into ``directory``; byte-identical every time.

    * ``branch_chengguan_20260930.xlsx``: one sub-branch (城关支行), Chinese headers, title
      row and 合计 row, sheets 贷款台账/贷后检查记录/催收记录 and the borrower's file
      押品/保证/财务报表/外部信息/名单;
    * ``head_office_6_branches_20260930.csv``: six branches, about 3,000 loans, GBK (the
      loans alone);
    * ``network_snapshot_20260630.xlsx`` and ``network_snapshot_20260930.xlsx``: two
      quarter-end snapshots of one network (same loan ids) with every sheet, 机构 among them.

    Each extract's planted breaches are written beside it as ``*.planted.csv`` (UTF-8): those
    its sheets show (:meth:`SyntheticNetwork.planted_in`; the CSV holds no inspection reports
    and no borrower's file, so its key leaves out INSP-REPORT and the rules of the file, and
    its COLLAT-REVAL breaches are those the ledger's yearly test finds).
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def emit(net: SyntheticNetwork, name: str, **kwargs: Any) -> None:
        path = out / name
        write_extract(net, path, **kwargs)
        planted = out / (Path(name).stem + ".planted.csv")
        sheets = ("loans",) if path.suffix == ".csv" else kwargs["sheets"]
        planted.write_bytes(net.planted_in(sheets).to_csv(index=False, lineterminator="\n")
                            .encode("utf-8"))
        written.extend([path, planted])

    branch = generate_network(loans=260, branches=1, seed=SAMPLE_SEED, as_of="2026-09-30")
    ledger = ("loans", "inspections", "collections", *BORROWER_FILE_SHEETS)
    emit(branch, "branch_chengguan_20260930.xlsx", title=True, total_row=True, sheets=ledger)
    head = generate_network(loans=3000, branches=6, seed=SAMPLE_SEED + 1, as_of="2026-09-30")
    emit(head, "head_office_6_branches_20260930.csv", encoding="gbk")
    q2, q3 = generate_snapshots(loans=1200, branches=4, seed=SAMPLE_SEED + 2,
                                as_of=("2026-06-30", "2026-09-30"))
    sheets = ("loans", "inspections", "collections", "branches", *BORROWER_FILE_SHEETS)
    emit(q2, "network_snapshot_20260630.xlsx", sheets=sheets)
    emit(q3, "network_snapshot_20260930.xlsx", sheets=sheets)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m postloan_audit.synth.generator [DIRECTORY]``: regenerate the sample extracts."""
    args = list(sys.argv[1:] if argv is None else argv)
    for path in write_sample_extracts(args[0] if args else "sample_extracts"):
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
