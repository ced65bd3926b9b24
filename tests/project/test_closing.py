"""Closing summary of the finished demo project (one week late, 150 over budget)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from test_evm import demo_project, rebuild

from pmkit.errors import PmkitError
from pmkit.project.closing import closing_summary

T = pd.Timestamp


def closed_project():
    base = demo_project()
    lessons = pd.DataFrame({
        "lesson_id": ["L1", "L2", "L3"], "category": ["vendors", "planning", "vendors"],
        "description": ["late parts", "good estimates", "clear contract"], "impact": ["negative", "positive", ""],
    })
    prj = rebuild(tasks=base.tasks, baseline=base.baseline, status=base.status, lessons=lessons)
    return replace(prj, state="closed", finish_date=T("2025-01-31"), validate=False)


def test_variances_against_baseline():
    s = closing_summary(closed_project())
    v = s.variances.set_index("measure")
    assert v.loc["finish date", "baseline"] == T("2025-01-24") and v.loc["finish date", "actual"] == T("2025-01-31")
    assert v.loc["finish date", "variance"] == 5
    assert (v.loc["duration (working days)", "baseline"], v.loc["duration (working days)", "actual"]) == (15, 20)
    assert v.loc["cost", "variance"] == pytest.approx(150) and v.loc["cost", "basis"] == "actual cost"
    assert v.loc["cost", "variance_pct"] == pytest.approx(150 / 35)
    k = s.kpis.set_index("kpi")["status"]
    assert k["On budget"] == "green" and k["On-time delivery"] == "red"


def test_lessons_by_category():
    s = closing_summary(closed_project())
    by = s.lessons_by_category.set_index("category")
    assert by.loc["vendors", ["positive", "negative", "unrated", "lessons"]].tolist() == [0, 1, 1, 2]
    assert by.loc["planning", "positive"] == 1
    assert s.lessons["lesson_id"].tolist() == ["L2", "L3", "L1"]


def test_requires_closed():
    with pytest.raises(PmkitError, match="not closed"):
        closing_summary(demo_project())
