"""Closing summary of a project: final KPIs against the baseline, variances, lessons learned.

PMBOK Guide 7th ed. (4.4 "Close project or phase"; 2.7 measurement) asks at closure for
the final performance against the baselines (scope, schedule, cost, quality), the client's
acceptance and satisfaction, and the lessons learned, grouped so the next project can
reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.model import Project
from ..errors import PmkitError
from .kpi import KpiThresholds, on_budget, on_time_delivery, project_kpis


@dataclass(frozen=True, eq=False)
class ClosingSummary:
    """Tables of :func:`closing_summary`: ``kpis``, ``variances``, ``lessons``, ``lessons_by_category``."""

    project_id: str
    name: str
    kpis: pd.DataFrame
    variances: pd.DataFrame
    lessons: pd.DataFrame
    lessons_by_category: pd.DataFrame


def closing_summary(project: Project, thresholds: KpiThresholds | None = None,
                    require_closed: bool = True) -> ClosingSummary:
    """Final KPIs, baseline-vs-actual variances and lessons learned of a closed project.

    Parameters
    ----------
    project : Project
        A project in state ``closed`` (set ``require_closed=False`` to preview one that is not).
    thresholds : KpiThresholds, optional
        RAG thresholds of the KPI table.

    Returns
    -------
    ClosingSummary
        ``variances`` has one row per measure (finish date, duration, cost) with
        ``baseline``, ``actual``, ``variance`` and ``variance_pct``; ``lessons_by_category``
        counts positive / negative lessons per category.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.closing import closing_summary
    >>> s = closing_summary(pmkit.synth.project(30, seed=1), require_closed=False)
    >>> s.variances["measure"].tolist()
    ['finish date', 'duration (working days)', 'cost']
    """
    if require_closed and project.state != "closed":
        raise PmkitError(f"project {project.project_id} is {project.state}, not closed; "
                         "pass require_closed=False for a preview")
    t = on_time_delivery(project)
    b = on_budget(project)
    start = project.start_date
    cal = project.calendar

    def days(end) -> float:
        return float(cal.working_days_between(start, end + pd.Timedelta(days=1))) if pd.notna(end) else np.nan

    base_days, act_days = days(t["baseline_finish"]), days(t["finish"])
    variances = pd.DataFrame({
        "measure": ["finish date", "duration (working days)", "cost"],
        "baseline": [t["baseline_finish"], base_days, b["bac"]],
        "actual": [t["finish"], act_days, b["eac"]],
        "variance": [t["delay_days"], act_days - base_days, b["eac"] - b["bac"]],
        "variance_pct": [t["delay_pct"], 100 * (act_days / base_days - 1) if base_days else np.nan,
                         b["cost_overrun_pct"]],
        "basis": [t["finish_kind"], t["finish_kind"], "actual cost" if project.state == "closed" else "EAC"],
    })
    lessons = project.lessons[["lesson_id", "category", "impact", "description", "recommendation"]] \
        .sort_values(["category", "impact", "lesson_id"], kind="stable").reset_index(drop=True)
    imp = lessons["impact"].replace("", "unrated")
    by_cat = pd.crosstab(lessons["category"], imp).reindex(columns=["positive", "negative", "unrated"],
                                                            fill_value=0)
    by_cat["lessons"] = by_cat.sum(axis=1)
    return ClosingSummary(project.project_id, project.name, project_kpis(project, thresholds), variances, lessons,
                          by_cat.reset_index().rename_axis(columns=None))


__all__ = ["ClosingSummary", "closing_summary"]
