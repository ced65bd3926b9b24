"""Schedule quality chart: the DCMA 14 checks at a glance (:func:`pmkit.project.health.health`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ._theme import RAG_COLORS

_STATUS_SCALE = alt.Scale(domain=["pass", "fail", "not evaluated"],
                          range=[RAG_COLORS["green"], RAG_COLORS["red"], RAG_COLORS["grey"]])


def health_chart(result, title: str | None = None, width: int = 420) -> alt.VConcatChart:
    """Each check's value against its threshold, coloured pass / fail / not evaluated.

    Two panels share the rows' look: checks 1-11 as a percentage of their denominator,
    checks 12-14 as ratios and indices (critical path test 1.0, CPLI and BEI 0.95 by
    default). The black tick is the threshold; the tooltip shows the count, denominator,
    comparison and note of the check.

    Parameters
    ----------
    result : ScheduleHealth or DataFrame
        What :func:`pmkit.project.health.health` returns, or its ``checks`` table.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.health import health
    >>> from pmkit.charts.health import health_chart
    >>> spec = health_chart(health(pmkit.synth.project(60, seed=2))).to_dict()
    >>> len(spec["vconcat"])
    2
    """
    checks = result.checks if hasattr(result, "checks") else result
    if not isinstance(checks, pd.DataFrame) or not {"number", "check", "value", "threshold", "passed"} <= set(checks):
        from ..errors import PmkitError

        raise PmkitError("health_chart takes the result of pmkit.project.health.health() or its checks table "
                         "(columns number, check, value, threshold, passed)")
    data = checks.copy()
    data["label"] = data["number"].astype(str).str.rjust(2) + " " + data["check"].astype(str)
    data["status"] = data["passed"].map(lambda v: "not evaluated" if pd.isna(v) else ("pass" if v else "fail"))
    data["passed"] = data["status"]  # JSON-safe (a nullable boolean does not serialize)
    for c in ("count", "denominator"):
        if c in data:
            data[c] = data[c].astype("Float64").astype(float)
    tooltip = ["number:Q", "check:N", "metric:N", "count:Q", "denominator:Q",
               alt.Tooltip("value:Q", format=".3g"), "comparison:N", "threshold:Q", "status:N", "note:N"]
    tooltip = [t for t in tooltip if (t.shorthand if hasattr(t, "shorthand") else t).split(":")[0] in data.columns]

    def panel(part: pd.DataFrame, axis_title: str) -> alt.LayerChart:
        y = alt.Y("label:N", sort=alt.SortField("number"), title=None)
        base = alt.Chart(part).encode(y=y)
        bar = base.mark_bar(height=12).encode(
            x=alt.X("value:Q", title=axis_title),
            color=alt.Color("status:N", scale=_STATUS_SCALE, title="Check"), tooltip=tooltip)
        tick = base.mark_tick(color="black", thickness=2, size=18).encode(x="threshold:Q", tooltip=tooltip)
        return alt.layer(bar, tick).properties(width=width, height=22 * max(len(part), 1))

    pct = data[data["unit"] == "%"] if "unit" in data else data[data["number"] <= 11]
    idx = data[data["unit"] != "%"] if "unit" in data else data[data["number"] > 11]
    chart = alt.vconcat(panel(pct, "% of the check's denominator (tick: threshold)"),
                        panel(idx, "ratio / index (tick: threshold)"))
    return chart.properties(title=title or "DCMA 14-point schedule assessment")


__all__ = ["health_chart"]
