"""Tornado chart regressions: a project at completion gets an explicit note, not an empty chart."""

from __future__ import annotations

from test_evm import demo_project

import pmkit
from pmkit.charts.montecarlo import no_uncertainty_reason, tornado_chart
from pmkit.project.montecarlo import simulate


def test_finished_project_tornado_says_there_is_no_remaining_uncertainty():
    done = demo_project(status_date="2025-01-31")  # every task 100 % at the last status date
    res = simulate(done, 200, seed=1)
    assert res.tasks["sensitivity"].isna().all()
    spec = tornado_chart(res).to_dict()
    assert spec["mark"]["type"] == "text"  # drawn words, not an empty axis
    text = " ".join(r["line"] for r in spec["datasets"][spec["data"]["name"]])
    assert "all 4 tasks are finished" in text
    assert no_uncertainty_reason(res).startswith("No remaining uncertainty")


def test_tornado_with_uncertain_tasks_draws_bars_sorted_by_strength():
    res = simulate(pmkit.synth.project(40, seed=1), 300, seed=1, criticality=False)
    spec = tornado_chart(res, n=5).to_dict()
    assert spec["mark"]["type"] == "bar"
    rows = spec["datasets"][spec["data"]["name"]]
    strengths = [abs(r["sensitivity"]) for r in rows]
    assert len(rows) == 5 and strengths == sorted(strengths, reverse=True)
