"""Earned value charts: the S-curve with forecasts, and CPI / SPI(t) trends.

Both take tables of :mod:`pmkit.project.evm`: :func:`s_curve` the
:func:`~pmkit.project.evm.s_curve_table`, :func:`performance_trend` the
:func:`~pmkit.project.evm.earned_value` table.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..project.evm import S_CURVE_SERIES as _SERIES
from ._theme import ACTUAL, EARNED, FORECAST, INDEX_COLORS, PLANNED, RAG_COLORS, REFERENCE

_COLORS = [PLANNED, EARNED, ACTUAL, FORECAST]


def s_curve(curve: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """Cumulative PV, EV and AC over time with the cost forecast to completion.

    Parameters
    ----------
    curve : DataFrame
        :func:`pmkit.project.evm.s_curve_table` of the project.
    title : str, optional
        Chart title.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.charts.evm import s_curve
    >>> chart = s_curve(pmkit.s_curve_table(pmkit.synth.project(40, seed=3)))
    >>> chart.to_dict()["layer"][0]["mark"]["type"]
    'line'
    """
    data = curve
    # the legend lists only the series there is data for (a proposed project has PV only)
    shown = [k for k, name in enumerate(_SERIES) if (data["series"] == name).any()] or [0]
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=[_SERIES[k] for k in shown],
                                                              range=[_COLORS[k] for k in shown]))
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title="Date"),
        y=alt.Y("value:Q", title="Cumulative cost"),
        color=color,
        tooltip=["series:N", alt.Tooltip("date:T"), alt.Tooltip("value:Q", format=",.0f")],
    )
    # daily PV as a plain line; the few status dates and the forecast ends as points
    planned = base.transform_filter(f"datum.series == '{_SERIES[0]}'").mark_line()
    progress = base.transform_filter(f"datum.series != '{_SERIES[0]}' && !datum.dashed").mark_line(point=True)
    forecast = base.transform_filter("datum.dashed").mark_line(strokeDash=[6, 4], point=True)
    return alt.layer(planned, progress, forecast).properties(
        title=title or "Earned value S-curve", width=600, height=320)


def performance_trend(evm: pd.DataFrame, green: float = 0.95, red: float = 0.9,
                      title: str = "Cost and schedule performance") -> alt.LayerChart:
    """CPI and SPI(t) per status date with 1.0 and the amber / red thresholds.

    The series are drawn in neutral colours (:data:`._theme.INDEX_COLORS`): red means bad
    only, and a CPI above 1 is good. A solid reference rule marks 1.0 (on plan, PMBOK
    Guide 7th ed. 2.7); dotted rules mark the amber and red thresholds of the project rule
    (``docs/rag.md``), each labelled.

    Parameters
    ----------
    evm : DataFrame
        :func:`pmkit.project.evm.earned_value` output (``status_date``, ``cpi``, ``spi_t``, ``spi``).
    green, red : float
        Index at or above ``green`` is on track; below ``red`` needs action; between is amber.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.evm import earned_value
    >>> from pmkit.charts.evm import performance_trend
    >>> chart = performance_trend(earned_value(pmkit.synth.project(40, seed=3)))
    >>> len(chart.to_dict()["layer"])
    3
    """
    cols = [c for c in ("cpi", "spi_t", "spi") if c in evm.columns]
    names = {"cpi": "CPI", "spi_t": "SPI(t)", "spi": "SPI"}
    long = evm.melt(id_vars=["status_date"], value_vars=cols, var_name="index", value_name="value")
    long["index"] = long["index"].map(names)
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("status_date:T", title="Status date"),
        y=alt.Y("value:Q", title="Index", scale=alt.Scale(zero=False)),
        color=alt.Color("index:N", scale=alt.Scale(domain=list(INDEX_COLORS), range=list(INDEX_COLORS.values())),
                        title=None),
        strokeDash=alt.condition("datum.index == 'SPI'", alt.value([4, 3]), alt.value([1, 0])),
        tooltip=["index:N", alt.Tooltip("status_date:T"), alt.Tooltip("value:Q", format=".3f")],
    )
    rules = pd.DataFrame({"value": [1.0, green, red], "level": ["1.0 on plan", "amber below", "red below"],
                          "color": [REFERENCE, RAG_COLORS["amber"], RAG_COLORS["red"]],
                          "dash": ["solid", "dotted", "dotted"]})
    rule = alt.Chart(rules).mark_rule().encode(
        y="value:Q", color=alt.Color("color:N", scale=None),
        strokeDash=alt.StrokeDash("dash:N", scale=alt.Scale(domain=["solid", "dotted"], range=[[1, 0], [2, 2]]),
                                  legend=None),
        size=alt.condition("datum.dash == 'solid'", alt.value(1.5), alt.value(1)),
        tooltip=["level:N", "value:Q"])
    label = alt.Chart(rules).mark_text(align="left", dx=4, dy=-6).encode(
        y="value:Q", x=alt.value(0), text="level:N", color=alt.Color("color:N", scale=None),
        tooltip=["level:N", "value:Q"])
    return alt.layer(lines, rule, label).properties(title=title, width=600, height=260)


__all__ = ["performance_trend", "s_curve"]
