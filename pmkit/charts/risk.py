"""Risk register charts: the probability-impact heat map and the exposure over time.

Both take tables of :mod:`pmkit.project.risk` (:func:`~pmkit.project.risk.heat_map`,
:func:`~pmkit.project.risk.exposure`).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ._theme import CRITICAL, RAG_COLORS

_ZONE_SCALE = alt.Scale(domain=["low", "medium", "high"],
                        range=[RAG_COLORS["green"], RAG_COLORS["amber"], RAG_COLORS["red"]])


def heat_map_chart(cells: pd.DataFrame, title: str = "Risk heat map (open risks)") -> alt.Chart:
    """5 x 5 probability-impact matrix coloured by zone, with the risk count in each cell.

    ``cells`` is :func:`pmkit.project.risk.heat_map` output.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.risk import heat_map
    >>> from pmkit.charts.risk import heat_map_chart
    >>> spec = heat_map_chart(heat_map(pmkit.synth.project(100, seed=1))).to_dict()
    >>> spec["layer"][0]["mark"]["type"]
    'rect'
    """
    base = alt.Chart(cells).encode(
        x=alt.X("impact_rating:O", title="Impact (1 very low - 5 very high)"),
        y=alt.Y("probability_rating:O", title="Probability (1 - 5)", sort="descending"),
    )
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color("zone:N", scale=_ZONE_SCALE, title="Zone"),
        opacity=alt.condition("datum.risks > 0", alt.value(1.0), alt.value(0.35)),
        tooltip=["probability_rating:O", "impact_rating:O", "score:Q", "risks:Q", "risk_ids:N"],
    )
    text = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text=alt.condition("datum.risks > 0", alt.Text("risks:Q"), alt.value("")))
    return alt.layer(rect, text).properties(title=title, width=300, height=300)


def exposure_chart(exposure: pd.DataFrame, title: str = "Risk exposure (EMV of open risks)") -> alt.Chart:
    """EMV of the open risks per date (:func:`pmkit.project.risk.exposure`), with the count in the tooltip."""
    return alt.Chart(exposure).mark_line(point=True, color=CRITICAL).encode(
        x=alt.X("date:T", title="Date"), y=alt.Y("emv_cost:Q", title="Expected monetary value"),
        tooltip=[alt.Tooltip("date:T"), "open_risks:Q", alt.Tooltip("emv_cost:Q", format=",.0f"),
                 alt.Tooltip("emv_days:Q", format=".1f")],
    ).properties(title=title, width=500, height=220)


__all__ = ["exposure_chart", "heat_map_chart"]
