"""The synthetic generator (样例数据): a county bank network, its snapshots and extracts.

- :mod:`~postloan_audit.synth.generator`: :func:`generate_network`, :func:`generate_snapshots`,
  :func:`write_extract`, :func:`write_sample_extracts`, with planted breaches and clean controls.
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
