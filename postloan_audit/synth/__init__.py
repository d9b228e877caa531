"""The synthetic generator (样例数据): a county bank network, its snapshots and extracts.

It stands above :mod:`postloan_audit.compliance` (it plants breaches of that catalogue, with the
thresholds of ``Policy.default()`` and the ids of ``RULE_IDS``) and below the commands; no
capability imports it.

- :mod:`~postloan_audit.synth.generator`: the public face, :func:`generate_network`,
  :func:`generate_snapshots`, :func:`write_sample_extracts` (re-exports :func:`write_extract`
  and :class:`SyntheticNetwork`); the stages in order:
- :mod:`~postloan_audit.synth.network`: the primary draw (branches, borrowers, loans, classes,
  arrears, dates);
- :mod:`~postloan_audit.synth.derive`: the dates, flags and history rows that follow, kept
  inside every policy threshold;
- :mod:`~postloan_audit.synth.plant`: planted breaches, one rule each, and the answer key;
- :mod:`~postloan_audit.synth.borrower_file`: the borrower's file (押品, 保证, 财务报表, 外部信息,
  名单) from the third stream, with the planted breaches of the rules that read it;
- :mod:`~postloan_audit.synth.frames`: canonical frames (loans, inspections, collections,
  branches, the borrower's file, planted, labels) in :class:`SyntheticNetwork`;
- :mod:`~postloan_audit.synth.migrate`: from one quarter-end snapshot to the next;
- :mod:`~postloan_audit.synth.writer`: :func:`write_extract`, xlsx and CSV as a bank exports
  them;
- :mod:`~postloan_audit.synth.vocabulary` (codes, names, products, the class mix) and
  :mod:`~postloan_audit.synth.draws` (days, month arithmetic in days, integers, strings) under
  all of them.
"""

from postloan_audit.synth.generator import (
    SyntheticNetwork,
    generate_network,
    generate_snapshots,
    write_extract,
    write_sample_extracts,
)

__all__ = [
    "SyntheticNetwork",
    "generate_network",
    "generate_snapshots",
    "write_extract",
    "write_sample_extracts",
]
