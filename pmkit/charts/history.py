"""Trend charts of the update store: each measure over data dates, one panel per measure.

Takes the tables of :func:`pmkit.history.project_trend`,
:func:`~pmkit.history.program_trend` or :func:`~pmkit.history.portfolio_trend`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

#: Measures drawn by default, with their axis titles.
TREND_MEASURES = {
    "finish_slip_days": "Finish slip (working days)",
    "min_total_float_days": "Min total float of remaining work (days)",
    "spi_t": "SPI(t)",
    "cpi": "CPI",
    "bei": "BEI",
    "dcma_passed": "DCMA checks passed",
    "risk_exposure_cost": "Risk exposure (EMV cost)",
}


def trend_chart(trend: pd.DataFrame, measures: list[str] | None = None,
                title: str = "Status updates: trends") -> alt.Chart:
    """Lines of each measure over data dates, one panel per measure, one colour per project/program.

    Parameters
    ----------
    trend : DataFrame
        A trend table (``id``, ``data_date`` and measure columns).
    measures : list of str, optional
        Columns to draw (default :data:`TREND_MEASURES` that have data).

    Examples
    --------
    >>> import pandas as pd
    >>> from pmkit.charts.history import trend_chart
    >>> t = pd.DataFrame({"id": ["P1", "P1"], "data_date": pd.to_datetime(["2025-01-31", "2025-02-28"]),
    ...                   "cpi": [1.0, 0.9], "spi_t": [0.95, 0.9]})
    >>> spec = trend_chart(t).to_dict()
    >>> spec["facet"]["row"]["field"]
    'measure'
    """
    wanted = measures or [m for m in TREND_MEASURES if m in trend.columns and trend[m].notna().any()]
    missing = [m for m in wanted if m not in trend.columns]
    if missing:
        from ..errors import PmkitError

        raise PmkitError(f"trend_chart: no column {missing[0]!r} in the trend table "
                         f"(columns: {', '.join(map(str, trend.columns))})")
    long = trend.melt(id_vars=["id", "data_date"], value_vars=wanted, var_name="measure", value_name="value")
    long = long[long["value"].notna()]
    long["value"] = long["value"].astype(float)
    long["measure"] = long["measure"].map(lambda m: TREND_MEASURES.get(m, m))
    order = [TREND_MEASURES.get(m, m) for m in wanted]
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("data_date:T", title="Data date"),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("id:N", title=None),
        tooltip=["id:N", "measure:N", alt.Tooltip("data_date:T"), alt.Tooltip("value:Q", format=",.3f")],
    ).properties(width=560, height=110).facet(
        row=alt.Row("measure:N", title=None, sort=order, header=alt.Header(labelAngle=0, labelAlign="left")),
    ).resolve_scale(y="independent").properties(title=title)


__all__ = ["TREND_MEASURES", "trend_chart"]
