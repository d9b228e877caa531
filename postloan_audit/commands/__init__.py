"""Sub-commands of ``postloan-audit``; each module has ``register(subparsers)``."""
