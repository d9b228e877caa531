"""The command line (命令行): ``postloan-audit``; :mod:`~postloan_audit.commands.cli` builds the
parser and each sibling module registers one group of sub-commands (``register(subparsers)``)."""
