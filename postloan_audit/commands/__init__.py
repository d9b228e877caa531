"""The command line (命令行): ``postloan-audit``; :mod:`~postloan_audit.commands.cli` builds the
parser and each sibling module registers one group of sub-commands (``register(subparsers)``).

A command parses its arguments, calls the capabilities and prints; what it computes is what the
dashboards show (``check A.xlsx B.csv …`` checks several files through
:func:`~postloan_audit.compliance.combine.check_extracts`, as the compliance page does;
``new-customer-check``, ``maturities`` and ``settled`` make the monthly check and lists of the
sampling and compliance pages).
"""
