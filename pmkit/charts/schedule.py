"""Schedule charts: Gantt chart and resource loading against capacity."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ._theme import CRITICAL, FORECAST, NORMAL, PLANNED, RAG_COLORS

_ONE_DAY = pd.Timedelta(days=1)


def gantt(schedule_df: pd.DataFrame, baseline: pd.DataFrame | None = None, status_date=None,
          max_tasks: int = 300, width: int = 700) -> alt.LayerChart:
    """Gantt chart of a :func:`pmkit.schedule` table.

    Bars run from each task's early start to the end of its early finish day, red on the
    critical path; milestones are diamonds; summary tasks are thin dark bars. With a
    ``baseline`` table (``task_id, baseline_start, baseline_finish``) each task gets a
    thin grey baseline bar beside its current bar. A rule marks the status date (default
    ``schedule_df.attrs["status_date"]``). Only the first ``max_tasks`` tasks by start are
    drawn (a chart of 10,000 bars helps nobody).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.charts.schedule import gantt
    >>> prj = pmkit.synth.project(30, seed=1)
    >>> chart = gantt(pmkit.schedule(prj), prj.baseline)
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
               "total_float_days:Q", "free_float_days:Q", "driving_predecessor"]
    color = alt.Color("kind:N", title=None, scale=alt.Scale(
        domain=["critical", "non-critical", "summary", "baseline"],
        range=[CRITICAL, NORMAL, "#333333", FORECAST]))
    bars_df = df[~df["milestone"] | df["summary"]]
    if baseline is not None and len(baseline):
        bl = baseline.assign(task_id=baseline["task_id"].astype(str)).merge(df[["task_id", "label"]], on="task_id")
        bl = bl.assign(early_start=bl["baseline_start"], end=bl["baseline_finish"] + _ONE_DAY,
                       kind="baseline", series="baseline")
        bars_df = pd.concat([bars_df, bl[["label", "early_start", "end", "kind", "series"]]], ignore_index=True)
    bars = alt.Chart(bars_df).mark_bar(height={"band": 0.45}).encode(
        x=alt.X("early_start:T", title=None), x2="end:T", y=y,
        yOffset=alt.YOffset("series:N", sort=["current", "baseline"]), color=color,
        tooltip=[t for t in tooltip if t.split(":")[0] in bars_df.columns or t == "task_id"])
    ms = alt.Chart(df[df["milestone"] & ~df["summary"]]).mark_point(
        shape="diamond", filled=True, size=120).encode(
        x="early_finish:T", y=y, color=color, tooltip=tooltip)
    layers = [bars, ms]
    sd = schedule_df.attrs.get("status_date") if status_date is None else pd.Timestamp(status_date)
    if sd is not None:
        layers.append(alt.Chart(pd.DataFrame({"status_date": [sd + _ONE_DAY]})).mark_rule(
            color=RAG_COLORS["amber"], strokeDash=[4, 3], size=2).encode(x="status_date:T"))
    return alt.layer(*layers).properties(width=width, height=max(120, 18 * len(df)),
                                         title=f"Schedule {schedule_df.attrs.get('project_id', '')}".strip())


def resource_loading_chart(loading: pd.DataFrame, width: int = 600) -> alt.FacetChart:
    """Demand per role and period (bars, red where overloaded) against capacity (line).

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
    base = alt.Chart(loading).encode(x=alt.X("period_start:T", title=None))
    bars = base.mark_bar().encode(
        y=alt.Y("demand_days:Q", title="person-days"),
        color=alt.Color("overloaded:N", title="over capacity",
                        scale=alt.Scale(domain=[False, True], range=[PLANNED, CRITICAL])),
        tooltip=["role_id", "period_start:T", "demand_days:Q", "capacity_days:Q", "utilization:Q"])
    cap = base.mark_line(color="black", interpolate="step-after").encode(y="capacity_days:Q")
    return alt.layer(bars, cap, data=loading).properties(width=width, height=110).facet(
        row=alt.Row("role_id:N", title=None)).properties(title="Resource loading by role")
