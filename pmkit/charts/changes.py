"""Charts of update comparisons and windows analysis.

:func:`windows_waterfall` takes a :func:`pmkit.project.windows.windows_analysis` result,
:func:`change_counts_chart` a :func:`pmkit.project.changes.compare` result.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ._theme import EARNED, PLANNED, REFERENCE

#: Colours of the two halves of a window (AACE RP 29R-03 MIP 3.4 half-step split).
_HALF_COLORS = {"progress": EARNED, "revisions": PLANNED}


def windows_waterfall(result, title: str = "Finish movement per window: progress and revisions") -> alt.Chart:
    """Waterfall of the forecast finish, window by window, split into progress and revisions.

    Each window contributes two bars: the progress effect (half-step minus the earlier
    update) and the revision effect (later update minus the half-step); each bar starts
    where the previous one ended, so the top of the last bar is the total movement since
    the first update. Positive = the finish moved later (working days lost).

    Parameters
    ----------
    result : WindowsAnalysis
        :func:`pmkit.project.windows.windows_analysis` result.

    Examples
    --------
    >>> from pmkit import synth
    >>> from pmkit.project.windows import windows_analysis
    >>> from pmkit.charts.changes import windows_waterfall
    >>> ups = synth.update_series(synth.project(30, seed=1, progress=None), n_updates=3)
    >>> len(windows_waterfall(windows_analysis(ups)).to_dict()["layer"])
    2
    """
    w = result.windows
    steps = pd.DataFrame({
        "window": w["window"].repeat(2).to_numpy(),
        "half": ["progress", "revisions"] * len(w),
        "days": w[["progress_effect_days", "revision_effect_days"]].to_numpy().ravel(),
        "to_status_date": w["to_status_date"].repeat(2).dt.strftime("%Y-%m-%d").to_numpy(),
    })
    steps["end"] = steps["days"].cumsum()
    steps["start"] = steps["end"] - steps["days"]
    steps["step"] = "W" + steps["window"].astype(str) + " " + steps["half"]
    order = steps["step"].tolist()
    bars = alt.Chart(steps).mark_bar().encode(
        x=alt.X("step:N", sort=order, title="Window (to status date) and half"),
        y=alt.Y("start:Q", title="Finish movement since the first update (working days)"),
        y2="end:Q",
        color=alt.Color("half:N", title=None, scale=alt.Scale(domain=list(_HALF_COLORS),
                                                              range=list(_HALF_COLORS.values()))),
        tooltip=["window:O", "to_status_date:N", "half:N", alt.Tooltip("days:Q", format="+.2f"),
                 alt.Tooltip("end:Q", title="cumulative", format="+.2f")],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=REFERENCE).encode(y="y:Q")
    return alt.layer(bars, zero).properties(title=title, width=max(300, 40 * len(steps)), height=300)


def change_counts_chart(comparison, title: str | None = None) -> alt.Chart:
    """Bars of the number of items per kind of change of a :func:`pmkit.project.changes.compare` result.

    Examples
    --------
    >>> import dataclasses, pmkit
    >>> from pmkit.project.changes import compare
    >>> from pmkit.charts.changes import change_counts_chart
    >>> old = pmkit.synth.project(20, seed=1, progress=None)
    >>> chart = change_counts_chart(compare(old, dataclasses.replace(old, dependencies=old.dependencies.iloc[:-1])))
    >>> chart.to_dict()["mark"]["type"]
    'bar'
    """
    s = comparison.summary
    s = s[s["count"] > 0]
    return alt.Chart(s).mark_bar(color=PLANNED).encode(
        x=alt.X("count:Q", title="Items changed"),
        y=alt.Y("kind:N", sort=None, title=None),
        tooltip=["kind:N", "count:Q"],
    ).properties(title=title or f"Changes in project {comparison.project_id}", width=420,
                 height=max(60, 22 * len(s)))
