"""Portfolio charts: alignment heat map, spend vs strategy, efficient frontier, capacity
heat map, risk-value bubbles. Each takes the DataFrame the analysis function returned."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ._theme import ACTUAL, FORECAST, PLANNED, RAG_COLORS

#: Program colours: categorical, with no red, amber or green (those mean a status).
PROGRAM_COLORS = ["#4c78a8", "#9467bd", "#72b7b2", "#b279a2", "#9d755d", "#17becf", "#bab0ac", "#1f3a5f"]


def alignment_heatmap(matrix: pd.DataFrame) -> alt.Chart:
    """Projects x strategic objectives, coloured by score 0-5 (from :func:`pmkit.portfolio.alignment.alignment_matrix`)."""
    base = alt.Chart(matrix).encode(
        x=alt.X("objective:N", title="Strategic objective", sort=None),
        y=alt.Y("project_id:N", title="Project", sort=None),
        tooltip=["project_id", "name", "objective", "score", alt.Tooltip("weight:Q", format=".2f")],
    )
    cells = base.mark_rect().encode(color=alt.Color("score:Q", title="Score (0-5)",
                                                    scale=alt.Scale(domain=[0, 5], scheme="blues")))
    text = base.mark_text(fontSize=10).encode(text=alt.Text("score:Q", format=".0f"))
    return (cells + text).properties(title="Strategic alignment matrix")


def spend_chart(spend: pd.DataFrame) -> alt.Chart:
    """Share of spend per objective beside its weight (from :func:`pmkit.portfolio.alignment.spend_by_objective`)."""
    long = spend.melt(id_vars=["objective"], value_vars=["spend_share", "weight"], var_name="measure",
                      value_name="share")
    long["measure"] = long["measure"].map({"spend_share": "share of spend", "weight": "strategic weight"})
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("objective:N", title=None, sort=None), x=alt.X("share:Q", axis=alt.Axis(format="%"), title="Share"),
        yOffset="measure:N",
        color=alt.Color("measure:N", scale=alt.Scale(range=[ACTUAL, PLANNED]), title=None),
        tooltip=["objective", "measure", alt.Tooltip("share:Q", format=".1%")],
    ).properties(title="Does money follow strategy?")


def frontier_chart(frontier: pd.DataFrame) -> alt.Chart:
    """Best value per budget level, and the greedy priority order's (from :func:`pmkit.portfolio.selection.frontier`)."""
    cols = ["budget", "value", "selected", "status"]
    long = frontier[cols].assign(method="optimal (pmkit)")
    if "greedy_value" in frontier:
        g = frontier[["budget", "greedy_value", "selected", "status"]].rename(columns={"greedy_value": "value"})
        long = pd.concat([long, g.assign(method="greedy priority order")], ignore_index=True)
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("budget:Q", title="Budget"), y=alt.Y("value:Q", title="Portfolio value"),
        color=alt.Color("method:N", scale=alt.Scale(domain=["optimal (pmkit)", "greedy priority order"],
                                                    range=[PLANNED, FORECAST]), title=None),
        tooltip=["method", alt.Tooltip("budget:Q", format=",.0f"), alt.Tooltip("value:Q", format=",.4g"),
                 "selected", "status"],
    ).properties(title="Efficient frontier")


def capacity_heatmap(plan: pd.DataFrame) -> alt.Chart:
    """Role x month utilization; over-allocated cells outlined red (from :func:`pmkit.portfolio.capacity.capacity_plan`)."""
    df = plan.assign(month=pd.to_datetime(plan["month"]).dt.strftime("%Y-%m"),
                     utilization=plan["utilization"].clip(upper=2.0))
    base = alt.Chart(df).encode(
        x=alt.X("month:O", title="Month"), y=alt.Y("role_id:N", title="Role"),
        tooltip=["role_id", "month", alt.Tooltip("demand_days:Q", format=",.1f"),
                 alt.Tooltip("capacity_days:Q", format=",.1f"), alt.Tooltip("utilization:Q", format=".0%"), "status"],
    )
    cells = base.mark_rect().encode(color=alt.Color(
        "utilization:Q", title="Demand / capacity",
        scale=alt.Scale(domain=[0, 0.7, 1, 2], range=["#f7fbff", "#9ecae1", RAG_COLORS["amber"], RAG_COLORS["red"]])))
    over = base.transform_filter(alt.datum.status == "over").mark_rect(
        fill=None, stroke=RAG_COLORS["red"], strokeWidth=2)
    return (cells + over).properties(title="Capacity: over- and under-allocation")


def risk_value_chart(risk_value: pd.DataFrame) -> alt.Chart:
    """Bubble chart: value (mean NPV) against risk (its standard deviation), size = cost
    (from :func:`pmkit.portfolio.risk.risk_value`)."""
    return alt.Chart(risk_value).mark_circle(opacity=0.7, stroke="white").encode(
        x=alt.X("risk:Q", title="Risk (std. dev. of NPV)"), y=alt.Y("value:Q", title="Value (mean NPV)"),
        size=alt.Size("cost:Q", title="Cost"),
        color=alt.Color("program_id:N", title="Program", scale=alt.Scale(range=PROGRAM_COLORS)),
        tooltip=["project_id", "name", "program_id", alt.Tooltip("value:Q", format=",.0f"),
                 alt.Tooltip("risk:Q", format=",.0f"), alt.Tooltip("cost:Q", format=",.0f"),
                 alt.Tooltip("emv:Q", format=",.0f")],
    ).properties(title="Risk and value of the portfolio's projects")


def dashboard_chart(dashboard: pd.DataFrame) -> alt.Chart:
    """RAG grid: rows = portfolio, programs, projects; columns = measures, then the row's
    colour by the rule of its level (from :func:`pmkit.portfolio.kpi.portfolio_dashboard`).

    The last column, "RAG (rule of its level)", is the colour every other page shows for
    that project, program or portfolio; its tooltip says what set it and by which rule.
    """
    rag_cols = [c for c in dashboard.columns if c.endswith("_rag")]
    df = dashboard.assign(row=dashboard["level"] + " " + dashboard["id"].astype(str),
                          RAG=dashboard["rag"], why=dashboard["rag_reason"],
                          rule=dashboard["rag_rule"].str.split(":").str[0])
    long = df.melt(id_vars=["row", "why", "rule"], value_vars=[*rag_cols, "RAG"], var_name="kpi",
                   value_name="status")
    long["kpi"] = long["kpi"].str.replace("_rag", "", regex=False).replace({"RAG": "RAG (rule of its level)"})
    measure = long["kpi"] != "RAG (rule of its level)"
    long.loc[measure, "why"] = ""
    long.loc[measure, "rule"] = "measure band"
    return alt.Chart(long).mark_rect(stroke="white").encode(
        x=alt.X("kpi:N", sort=None, title=None), y=alt.Y("row:N", sort=None, title=None),
        color=alt.Color("status:N", scale=alt.Scale(domain=list(RAG_COLORS), range=list(RAG_COLORS.values())),
                        title="Status"),
        tooltip=["row", "kpi", "status", alt.Tooltip("why:N", title="why"), alt.Tooltip("rule:N", title="rule")],
    ).properties(title=alt.TitleParams("Portfolio dashboard", subtitle=[
        "Measures in their bands; last column: project, program or portfolio rule (pmkit.rag)"]))


__all__ = ["alignment_heatmap", "capacity_heatmap", "dashboard_chart", "frontier_chart", "risk_value_chart",
           "spend_chart"]
