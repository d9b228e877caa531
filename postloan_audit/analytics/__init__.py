"""Audit analytics (审计分析)."""
