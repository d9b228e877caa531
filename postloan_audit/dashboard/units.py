"""Amounts as bank users read them (金额单位): 万元 or 亿元 with two decimals and thousands
separators, never 元 with fen on a headline, never plotly's ``k`` suffix on an axis."""

from __future__ import annotations

import math

import plotly.graph_objects as go

#: Yuan per 万元 and per 亿元.
WAN: float = 1e4
YI: float = 1e8
#: From this many yuan on, a headline amount reads better in 亿元 (1 亿元 = 10 000 万元).
YI_FROM: float = YI


def format_wan(yuan: float | None, *, allow_yi: bool = True) -> str:
    """``12,345.68 万元`` (or ``1.23 亿元`` from :data:`YI_FROM` on); ``—`` for a missing value."""
    if yuan is None or (isinstance(yuan, float) and math.isnan(yuan)):
        return "—"
    if allow_yi and abs(yuan) >= YI_FROM:
        return f"{yuan / YI:,.2f} 亿元"
    return f"{yuan / WAN:,.2f} 万元"


def wan_axis(fig: go.Figure, axis: str = "yaxis") -> go.Figure:
    """Label ``axis`` of ``fig`` in 万元 with thousands separators (no SI ``k`` suffix)."""
    fig.update_layout({axis: {"tickformat": ",.0f"}}, separators=".,")
    return fig
