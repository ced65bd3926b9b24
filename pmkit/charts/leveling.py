"""Leveling charts: resource loading and Gantt, before and after leveling."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ._theme import CRITICAL, FORECAST, NORMAL, PLANNED, REFERENCE

_ONE_DAY = pd.Timedelta(days=1)
#: Above this many step points the loading chart draws weekly peaks (Altair embeds the data).
_MAX_POINTS = 4000


def leveled_loading(result, ids: list[str] | None = None, max_resources: int = 8, width: int = 600,
            height: int = 110) -> alt.FacetChart | alt.Chart:
    """Load per working day of each resource/role before and after leveling, with capacity.

    Parameters
    ----------
    result : pmkit.project.leveling.LevelingResult
        What :func:`pmkit.level` returned (its ``loading`` table is drawn).
    ids : list of str, optional
        Resources/roles to show. Default: the ``max_resources`` most overloaded before
        leveling (peak load over capacity), so the chart shows what leveling changed.
    max_resources : int
        How many resources/roles to show by default.

    Notes
    -----
    The lines are steps, so only the days where a load changes are drawn (the chart stays
    small on long projects); beyond 4,000 such points the load is drawn per week (its peak).
    A project without resource or role assignments gets a one-line chart that says so.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.charts.leveling import leveled_loading
    >>> res = pmkit.level(pmkit.synth.project(30, seed=2, progress=None), max_schedules=200)
    >>> leveled_loading(res).to_dict()["facet"]["row"]["field"]
    'resource'
    """
    if result.loading.empty:
        return alt.Chart(pd.DataFrame({"text": ["No resource or role assignments: nothing to level."]})
                         ).mark_text(align="left").encode(text="text:N").properties(width=width, height=20)
    df = result.loading.assign(resource=lambda d: d["kind"] + " " + d["id"])
    if ids is not None:
        df = df[df["id"].isin(ids)]
        order = list(dict.fromkeys(df["resource"]))
    else:
        peak = (df["load_before"] / df["capacity"].where(df["capacity"] > 0)).groupby(df["resource"], sort=False).max()
        order = peak.sort_values(ascending=False, kind="stable").index[:max_resources].tolist()
        df = df[df["resource"].isin(order)]
    long = df.melt(id_vars=["resource", "date", "capacity"], value_vars=["load_before", "load_after"],
                   var_name="when", value_name="load")
    long["when"] = long["when"].map({"load_before": "before leveling", "load_after": "after leveling"})
    steps = _change_points(long)
    if len(steps) > _MAX_POINTS:  # very long plans: the weekly peak
        weekly = long.assign(date=long["date"].dt.to_period("W").dt.start_time)
        steps = _change_points(weekly.groupby(["resource", "when", "date"], as_index=False)
                               .agg(load=("load", "max"), capacity=("capacity", "first")))
    base = alt.Chart(steps).encode(
        x=alt.X("date:T", title=None), y=alt.Y("load:Q", title="units"),
        color=alt.Color("when:N", title=None, scale=alt.Scale(
            domain=["before leveling", "after leveling"], range=[FORECAST, PLANNED])),
        tooltip=["resource", "date:T", "when", "load:Q", "capacity:Q"])
    # before dashed underneath, after solid on top: where leveling changed nothing both show
    before = base.transform_filter(alt.datum.when == "before leveling").mark_line(
        interpolate="step-after", strokeDash=[4, 2])
    after = base.transform_filter(alt.datum.when == "after leveling").mark_line(interpolate="step-after")
    cap = alt.Chart(steps).mark_rule(strokeDash=[2, 2], color=REFERENCE).encode(
        y="max(capacity):Q", tooltip=["resource", alt.Tooltip("max(capacity):Q", title="capacity")])
    return alt.layer(before, after, cap).properties(width=width, height=height).facet(
        row=alt.Row("resource:N", title=None, sort=order)
    ).resolve_scale(y="independent")


def _change_points(long: pd.DataFrame) -> pd.DataFrame:
    """Rows of each (resource, when) series where the load changes, plus its last row."""
    long = long.sort_values(["resource", "when", "date"], kind="stable")
    series = long["resource"] + "|" + long["when"]
    first = series.ne(series.shift())
    last = series.ne(series.shift(-1))
    changed = long["load"].ne(long["load"].shift())
    return long[first | last | changed].reset_index(drop=True)


def leveled_gantt(result, max_tasks: int = 200, width: int = 650) -> alt.LayerChart:
    """Gantt chart of the leveled schedule with each task's unleveled (early) bar beside it.

    Leveled bars are red for the driving tasks (zero resource float), blue otherwise; the
    thin grey bar is where the task would run without resource limits.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.charts.leveling import leveled_gantt
    >>> res = pmkit.level(pmkit.synth.project(30, seed=2, progress=None), max_schedules=200)
    >>> leveled_gantt(res).to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    s = result.schedule.sort_values(["start", "finish"], kind="stable").head(max_tasks)
    s = s.assign(label=s["task_id"] + "  " + s["name"].astype(str),
                 end=s["finish"] + _ONE_DAY, early_end=s["early_finish"] + _ONE_DAY,
                 kind=s["driving"].map({True: "driving", False: "leveled"}))
    y = alt.Y("label:N", sort=s["label"].tolist(), title=None)
    tooltip = ["task_id", "name", "early_start:T", "start:T", "finish:T", "delay_days:Q",
               "resource_float_days:Q", "driving", "leveled"]
    after = alt.Chart(s).mark_bar(height=9).encode(
        x=alt.X("start:T", title=None), x2="end:T", y=y, tooltip=tooltip,
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["driving", "leveled", "before leveling"], range=[CRITICAL, NORMAL, FORECAST])))
    before = alt.Chart(s.assign(kind="before leveling")).mark_bar(height=3, yOffset=8).encode(
        x="early_start:T", x2="early_end:T", y=y, color="kind:N", tooltip=tooltip)
    return alt.layer(after, before).properties(width=width, height=max(120, 14 * len(s)))


def nothing_delayed_sentence(result) -> str | None:
    """One sentence when leveling delayed no task (``result.delayed`` is empty), else None.

    Then the loads before and after are the same and the leveled Gantt chart is the
    critical-path one, so a report says this instead of drawing identical charts.
    """
    if len(result.delayed):
        return None
    if result.loading.empty:
        return "No resource or role assignments: nothing to level."
    over = result.overloaded
    tail = (f" {over['id'].nunique()} resource(s) or role(s) stay over capacity on some days (see the problems "
            "above)." if len(over) else " No resource or role is loaded above its capacity on any day.")
    return (f"Leveling delays no task: the critical-path dates already fit the capacities, so the leveled "
            f"finish is the critical-path finish ({result.finish:%Y-%m-%d}) and the loads before and after "
            f"leveling are the same.{tail}")


def leveling_comparison(result, max_resources: int = 8, max_tasks: int = 200):
    """The loads before and after leveling above the leveled Gantt chart, or one sentence.

    When leveling delayed no task (:func:`nothing_delayed_sentence`), before and after
    are identical, so the sentence is shown instead of the charts; otherwise
    :func:`leveled_loading` and :func:`leveled_gantt` stacked.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.charts.leveling import leveling_comparison
    >>> res = pmkit.level(pmkit.synth.project(30, seed=2, progress=None), max_schedules=200)
    >>> sorted(leveling_comparison(res).to_dict())[-1]
    'vconcat'
    """
    sentence = nothing_delayed_sentence(result)
    if sentence is not None:
        lines = _wrap(sentence, 90)
        data = pd.DataFrame({"line": lines, "y": range(len(lines))})
        return alt.Chart(data).mark_text(align="left", baseline="middle", fontSize=13, color="#333").encode(
            x=alt.value(5), y=alt.Y("y:O", axis=None), text="line:N", tooltip=alt.value(sentence),
        ).properties(title=f"{result.project_id}: resource leveling", width=650, height=22 * len(lines) + 10)
    return alt.vconcat(leveled_loading(result, max_resources=max_resources),
                       leveled_gantt(result, max_tasks=max_tasks)).resolve_scale(
        color="independent").properties(title=f"{result.project_id}: resource leveling")  # two legends


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [text]


__all__ = ["leveled_gantt", "leveled_loading", "leveling_comparison", "nothing_delayed_sentence"]
