"""Schedule charts: Gantt chart and resource loading against capacity."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ._theme import CRITICAL, FORECAST, NORMAL, PLANNED, PROGRESS, REFERENCE

_ONE_DAY = pd.Timedelta(days=1)


def gantt(schedule_df: pd.DataFrame, baseline: pd.DataFrame | None = None, status_date=None,
          max_tasks: int = 300, width: int = 700, deadline=None) -> alt.LayerChart:
    """Gantt chart of a :func:`pmkit.schedule` table.

    Bars run from each task's early start to the end of its early finish day, red on the
    critical path; milestones are diamonds; summary tasks are thin dark bars. The done
    part of each bar (``percent_complete`` of its span, as MS Project's progress bar
    draws it) is a darker bar inside it. With a ``baseline`` table (``task_id,
    baseline_start, baseline_finish``) each task gets a thin grey baseline bar beside its
    current bar. Labelled rules mark the status date (default
    ``schedule_df.attrs["status_date"]``) and, when given, the project ``deadline``, both
    at the end of their day. Only the first ``max_tasks`` tasks by start are drawn (a
    chart of 10,000 bars helps nobody).

    Parameters
    ----------
    schedule_df : DataFrame
        :func:`pmkit.schedule` output.
    baseline : DataFrame, optional
        The project's ``baseline`` table.
    status_date, deadline : date, optional
        Drawn as labelled vertical rules (``Project.status_date``, ``Project.deadline``).
    max_tasks, width : int
        Tasks drawn and chart width in pixels.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.charts.schedule import gantt
    >>> prj = pmkit.synth.project(30, seed=1)
    >>> chart = gantt(pmkit.schedule(prj), prj.baseline, deadline="2031-01-31")
    >>> chart.to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    df = schedule_df.sort_values(["early_start", "early_finish"], kind="stable").head(max_tasks)
    df = df.assign(label=df["task_id"] + "  " + df["name"].astype(str),
                   end=df["early_finish"] + _ONE_DAY,
                   kind=(df["summary"].map({True: "summary", False: ""}) + df["critical"].map(
                       {True: "critical", False: ""})).replace({"": "non-critical", "summarycritical": "summary"}),
                   series="current")
    order = df["label"].tolist()
    y = alt.Y("label:N", sort=order, title=None)
    tooltip = ["task_id", "name", "early_start:T", "early_finish:T", "late_start:T", "late_finish:T",
               "total_float_days:Q", "free_float_days:Q", "percent_complete:Q", "driving_predecessor"]
    tooltip = [t for t in tooltip if t.split(":")[0] in df.columns]
    color = alt.Color("kind:N", title=None, scale=alt.Scale(
        domain=["critical", "non-critical", "summary", "baseline"],
        range=[CRITICAL, NORMAL, "#333333", FORECAST]))
    y_offset = alt.YOffset("series:N", sort=["current", "baseline"])
    bars_df = df[~df["milestone"] | df["summary"]]
    if baseline is not None and len(baseline):
        bl = baseline.assign(task_id=baseline["task_id"].astype(str)).merge(df[["task_id", "label"]], on="task_id")
        bl = bl.assign(early_start=bl["baseline_start"], end=bl["baseline_finish"] + _ONE_DAY,
                       kind="baseline", series="baseline")
        bars_df = pd.concat([bars_df, bl[["task_id", "label", "early_start", "end", "kind", "series",
                                          "baseline_start", "baseline_finish"]]], ignore_index=True)
    bar_tips = [t for t in [*tooltip, "baseline_start:T", "baseline_finish:T"] if t.split(":")[0] in bars_df]
    bars = alt.Chart(bars_df).mark_bar(height={"band": 0.45}).encode(
        x=alt.X("early_start:T", title=None), x2="end:T", y=y, yOffset=y_offset, color=color, tooltip=bar_tips)
    layers = [bars]
    if "percent_complete" in df:
        # the done part: percent complete of the bar's span from its start (a drawing, not a forecast)
        work = df[~df["milestone"] & ~df["summary"] & (df["percent_complete"].fillna(0) > 0)]
        done = work.assign(done_end=work["early_start"] + (work["end"] - work["early_start"])
                           * (work["percent_complete"].clip(0, 100) / 100.0))
        layers.append(alt.Chart(done).mark_bar(height={"band": 0.2}, color=PROGRESS).encode(
            x="early_start:T", x2="done_end:T", y=y, yOffset=y_offset, tooltip=tooltip))
    layers.append(alt.Chart(df[df["milestone"] & ~df["summary"]]).mark_point(
        shape="diamond", filled=True, size=120).encode(x="early_finish:T", y=y, color=color, tooltip=tooltip))
    sd = schedule_df.attrs.get("status_date") if status_date is None else pd.Timestamp(status_date)
    layers += date_rules({"status date": sd, "deadline": deadline})
    return alt.layer(*layers).properties(width=width, height=max(120, 18 * len(df)),
                                         title=f"Schedule {schedule_df.attrs.get('project_id', '')}".strip())


#: How each dated rule of :func:`date_rules` is drawn: colour and dash.
_RULE_STYLE = {"status date": (FORECAST, [4, 3]), "deadline": (REFERENCE, [1, 0])}


def date_rules(dates: dict) -> list[alt.Chart]:
    """Vertical rules at the end of each dated day, labelled ``"<what> <yyyy-mm-dd>"`` on top.

    ``dates`` maps ``"status date"`` / ``"deadline"`` to a date or None (None draws nothing).
    Returns the rule and text layers to add to a time-axis chart.
    """
    rows = [(what, pd.Timestamp(d)) for what, d in dates.items() if d is not None and not pd.isna(d)]
    layers = []
    for line, (what, day) in enumerate(rows):
        colour, dash = _RULE_STYLE.get(what, (REFERENCE, [1, 0]))
        data = pd.DataFrame({"what": [what], "date": [day], "at": [day + _ONE_DAY],
                             "label": [f"{what} {day:%Y-%m-%d}"]})
        tips = [alt.Tooltip("what:N", title="rule"), alt.Tooltip("date:T", title="date")]
        layers.append(alt.Chart(data).mark_rule(color=colour, strokeDash=dash, size=2).encode(
            x="at:T", tooltip=tips))
        # inside the plot, left of the rule (the rules sit at the late, emptier end of a Gantt
        # chart), one line each so close dates do not overprint
        layers.append(alt.Chart(data).mark_text(
            align="right", dx=-4, baseline="top", color=colour, fontWeight="bold").encode(
            x="at:T", y=alt.value(3 + 14 * line), text="label:N", tooltip=tips))
    return layers


def resource_loading_chart(loading: pd.DataFrame, width: int = 600) -> alt.FacetChart:
    """Demand per role and period (bars, red where over capacity) against capacity (line).

    ``loading`` is the table of :func:`pmkit.project.scheduling.resource_loading`; one panel per role.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.scheduling import resource_loading
    >>> from pmkit.charts.schedule import resource_loading_chart
    >>> chart = resource_loading_chart(resource_loading(pmkit.synth.project(40, seed=1)))
    >>> "facet" in chart.to_dict()
    True
    """
    # a legend says what the colour means, not the raw flag ("over capacity false/true")
    data = loading.assign(capacity=np.where(loading["overloaded"], "over capacity", "within capacity"))
    base = alt.Chart(data).encode(x=alt.X("period_start:T", title=None))
    tips = ["role_id", "period_start:T", "demand_days:Q", "capacity_days:Q",
            alt.Tooltip("utilization:Q", format=".0%"), alt.Tooltip("capacity:N", title="demand")]
    bars = base.mark_bar().encode(
        y=alt.Y("demand_days:Q", title="person-days"),
        color=alt.Color("capacity:N", title=None,
                        scale=alt.Scale(domain=["within capacity", "over capacity"], range=[PLANNED, CRITICAL])),
        tooltip=tips)
    cap = base.mark_line(color="black", interpolate="step-after").encode(y="capacity_days:Q", tooltip=tips)
    return alt.layer(bars, cap, data=data).properties(width=width, height=110).facet(
        row=alt.Row("role_id:N", title=None)).properties(title="Resource loading by role")


__all__ = ["date_rules", "gantt", "resource_loading_chart"]
