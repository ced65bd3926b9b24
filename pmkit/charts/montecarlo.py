"""Monte Carlo charts: distributions of finish and cost with P50 / P80, and the tornado of
task sensitivities.

Every function takes the :class:`pmkit.project.montecarlo.MonteCarloResult` of
:func:`pmkit.simulate`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ._theme import CRITICAL, NORMAL, PLANNED, REFERENCE


def distribution_data(result, what: str = "finish") -> pd.DataFrame:
    """Histogram bins and cumulative probability of the finish (dates) or the cost."""
    if what == "finish":
        values = pd.to_datetime(result.finish_dates).value_counts().sort_index()
        x = values.index
    elif what == "cost":
        counts, edges = np.histogram(result.cost, bins=40)
        values = pd.Series(counts, index=(edges[:-1] + edges[1:]) / 2)
        x = values.index
    else:
        raise ValueError("what must be 'finish' or 'cost'")
    return pd.DataFrame({"x": x, "count": values.to_numpy(),
                         "cumulative": np.cumsum(values.to_numpy()) / result.iterations})


def distribution_chart(result, what: str = "finish", title: str | None = None) -> alt.Chart:
    """Histogram with the cumulative probability (S-curve) and labelled P50 / P80 rules.

    Each percentile rule carries its label, ``"P50 2026-11-05"`` (finish) or
    ``"P80 467,943"`` (cost): the values a plan is set on (AACE International
    Recommended Practice 41R-08, risk analysis and contingency by range estimating).

    ``result`` is a :class:`pmkit.project.montecarlo.MonteCarloResult`; ``what`` is ``"finish"``
    (finish dates) or ``"cost"``.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.montecarlo import simulate
    >>> from pmkit.charts.montecarlo import distribution_chart
    >>> res = simulate(pmkit.synth.project(40, seed=1), 300, seed=1, criticality=False)
    >>> len(distribution_chart(res, "cost").to_dict()["layer"])
    5
    """
    data = distribution_data(result, what)
    xtype = "T" if what == "finish" else "Q"
    xtitle = "Finish date" if what == "finish" else "Project cost"
    bars = alt.Chart(data).mark_bar(color=NORMAL, opacity=0.7).encode(
        x=alt.X(f"x:{xtype}", title=xtitle), y=alt.Y("count:Q", title="Iterations"),
        tooltip=[alt.Tooltip(f"x:{xtype}", title=xtitle), "count:Q",
                 alt.Tooltip("cumulative:Q", format=".0%", title="P(<= x)")])
    line = alt.Chart(data).mark_line(color=REFERENCE).encode(
        x=f"x:{xtype}", y=alt.Y("cumulative:Q", title="Cumulative probability", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip(f"x:{xtype}", title=xtitle), alt.Tooltip("cumulative:Q", format=".0%",
                                                                       title="P(<= x)")])
    pct = result.percentiles([50, 80])
    col = "finish_date" if what == "finish" else "cost"
    shown = pd.to_datetime(pct[col]).dt.strftime("%Y-%m-%d") if what == "finish" else pct[col].map("{:,.0f}".format)
    # P50 labelled left of its rule, P80 right and lower: close percentiles do not overprint
    marks = pct.assign(x=pct[col], label=pct["percentile"] + " " + shown,
                       align=["right", "left"], dx=[-4, 4], y=[0, 14])
    tips = ["percentile:N", alt.Tooltip(f"x:{xtype}", title=xtitle)]
    rules = alt.Chart(marks).mark_rule(color=REFERENCE, strokeDash=[4, 3]).encode(x=f"x:{xtype}", tooltip=tips)
    texts = [alt.Chart(marks.iloc[[k]]).mark_text(
        align=marks["align"].iloc[k], dx=int(marks["dx"].iloc[k]), baseline="top", color=REFERENCE,
        fontWeight="bold").encode(x=f"x:{xtype}", y=alt.value(int(marks["y"].iloc[k])), text="label:N",
                                  tooltip=tips) for k in range(len(marks))]
    chart = alt.layer(bars, rules, *texts, line).resolve_scale(y="independent")
    name = "finish date" if what == "finish" else "cost"
    return chart.properties(title=title or f"{result.project_id}: {name} distribution "
                            f"({result.iterations} iterations)", width=500, height=260)


def tornado_chart(result, n: int = 15, title: str | None = None, min_abs: float = 0.0) -> alt.Chart:
    """The ``n`` tasks whose duration correlates most with the finish (Spearman), as bars.

    Bars are coloured by criticality index when it was computed. When no task's duration
    varies any more (every task is finished, or the ones left have no spread or no
    three-point estimate; typical at or near completion), the chart says so in words
    instead of drawing an empty axis: the finish then has no remaining duration
    uncertainty to rank.

    Parameters
    ----------
    result : MonteCarloResult
    n : int
        Number of tasks shown.
    title : str, optional
    min_abs : float
        Leave out tasks whose absolute sensitivity is below this.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.montecarlo import simulate
    >>> from pmkit.charts.montecarlo import tornado_chart
    >>> res = simulate(pmkit.synth.project(40, seed=1), 300, seed=1, criticality=False)
    >>> tornado_chart(res).to_dict()["mark"]["type"]
    'bar'
    """
    t = result.tasks.dropna(subset=["sensitivity"])
    t = t[t["sensitivity"].abs() >= min_abs]
    title = title or f"{result.project_id}: schedule sensitivity (tornado)"
    if t.empty:
        return no_uncertainty_chart(result, title)
    t = t.reindex(t["sensitivity"].abs().sort_values(ascending=False).index).head(n)
    t = t.assign(label=t["task_id"] + " " + t["name"].astype(str))
    color = (alt.Color("criticality_index:Q", scale=alt.Scale(domain=[0, 1], range=[PLANNED, CRITICAL]),
                       title="Criticality") if t["criticality_index"].notna().any() else alt.value(NORMAL))
    return alt.Chart(t).mark_bar().encode(
        x=alt.X("sensitivity:Q", title="Rank correlation of duration with finish",
                scale=alt.Scale(domain=[-1, 1])),
        y=alt.Y("label:N", sort=list(t["label"]), title=None),
        color=color,
        tooltip=["task_id:N", "name:N", alt.Tooltip("sensitivity:Q", format=".3f"),
                 alt.Tooltip("criticality_index:Q", format=".0%"), alt.Tooltip("mean_days:Q", format=".1f")],
    ).properties(title=title, width=420, height=max(120, 18 * len(t)))


def no_uncertainty_reason(result) -> str:
    """Why a Monte Carlo result has no task to rank by sensitivity, in one sentence."""
    t = result.tasks
    state = t["state"].astype(str) if "state" in t else pd.Series("", index=t.index)
    left = int((state != "finished").sum())
    if left == 0:
        return f"No remaining uncertainty: all {len(t)} tasks are finished, so the finish date is known."
    which = "the one unfinished task has" if left == 1 else f"the {left} unfinished tasks have"
    return (f"No remaining duration uncertainty: {which} no spread in the three-point estimates "
            "(or no duration to vary), so no task drives the finish date.")


def no_uncertainty_chart(result, title: str | None = None) -> alt.Chart:
    """A small chart that states, in words, that there is no remaining uncertainty to rank."""
    lines = _wrap(no_uncertainty_reason(result), 70)
    data = pd.DataFrame({"line": lines, "y": range(len(lines))})
    return alt.Chart(data).mark_text(align="left", baseline="middle", fontSize=13, color="#333").encode(
        x=alt.value(5), y=alt.Y("y:O", axis=None), text="line:N",
    ).properties(title=title or f"{result.project_id}: schedule sensitivity (tornado)", width=420,
                 height=24 * len(lines) + 10)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [text]


__all__ = ["distribution_chart", "distribution_data", "no_uncertainty_chart", "no_uncertainty_reason", "tornado_chart"]
