"""Monte Carlo invariants: percentiles ordered, deterministic case equals CPM, seeds,
risk events, correlation, criticality and sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import pmkit
from pmkit.data.model import Project
from pmkit.errors import PmkitError
from pmkit.project._cpm_numba import normal_scores
from pmkit.project.montecarlo import sample_three_point, simulate
from pmkit.project.scheduling import compile_network, forward_pass

T = pd.Timestamp


def chain(risks=None, three_point=True, **kw) -> Project:
    """A(5) -> B(5) -> C(5) plus D(2) parallel to B (A -> D -> C): B is critical, D has 3 days float."""
    tasks = pd.DataFrame({
        "task_id": ["A", "B", "C", "D"], "name": ["A", "B", "C", "D"], "wbs": ["1", "2", "3", "4"],
        "duration_days": [5.0, 5.0, 5.0, 2.0], "budget_cost": [500.0, 500.0, 500.0, 200.0],
    })
    if three_point:
        tasks["optimistic_days"] = [4.0, 4.0, 4.0, 1.0]
        tasks["most_likely_days"] = [5.0, 5.0, 5.0, 2.0]
        tasks["pessimistic_days"] = [8.0, 9.0, 7.0, 3.0]
    deps = pd.DataFrame({"predecessor_id": ["A", "B", "A", "D"], "successor_id": ["B", "C", "D", "C"]})
    return Project("P", "Chain", start_date=T("2025-01-06"), tasks=tasks, dependencies=deps, risks=risks, **kw)


def test_three_point_samplers():
    rng = np.random.default_rng(0)
    tri = sample_three_point(2.0, 4.0, 12.0, distribution="triangular", rng=rng, size=200_000)
    assert tri.mean() == pytest.approx((2 + 4 + 12) / 3, rel=5e-3)
    assert tri.min() >= 2 and tri.max() <= 12
    pert = sample_three_point(2.0, 4.0, 12.0, distribution="pert", rng=rng, size=200_000)
    assert pert.mean() == pytest.approx((2 + 4 * 4 + 12) / 6, rel=5e-3)
    # inverse-CDF path (used with correlation) has the same PERT mean and the exact median of a symmetric case
    u = rng.random(200_000)
    assert sample_three_point(2.0, 4.0, 12.0, u=u).mean() == pytest.approx(5.0, rel=5e-3)
    assert float(sample_three_point(0.0, 5.0, 10.0, u=0.5)) == pytest.approx(5.0)
    # triangular CDF at the mode is (m - a) / (b - a) = 0.2
    assert float(sample_three_point(2.0, 4.0, 12.0, u=0.2, distribution="triangular")) == pytest.approx(4.0)
    assert float(sample_three_point(3.0, 3.0, 3.0, u=0.7)) == 3.0
    with pytest.raises(PmkitError):
        sample_three_point(1, 2, 3, distribution="uniform")


def test_copula_rank_correlation():
    z = normal_scores(1, 50_000, 2, 0.8)
    rho_s = spearmanr(z[:, 0], z[:, 1]).statistic
    assert rho_s == pytest.approx(6 / np.pi * np.arcsin(0.4), abs=0.01)
    assert z.mean() == pytest.approx(0, abs=0.01) and z.std() == pytest.approx(1, abs=0.01)
    # without correlation the scores are independent standard normals
    free = normal_scores(1, 50_000, 2)
    assert abs(np.corrcoef(free.T)[0, 1]) < 0.015 and free.std() == pytest.approx(1, abs=0.01)


def test_percentiles_ordered_and_reproducible():
    prj = pmkit.synth.project(80, seed=4)
    r1 = simulate(prj, 600, seed=7, criticality=False)
    p = r1.percentiles()
    assert p["percentile"].tolist() == ["P10", "P50", "P80", "P90"]
    for c in ("finish_days", "finish_date", "cost"):
        assert p[c].is_monotonic_increasing
    r2 = simulate(prj, 600, seed=7, criticality=False)
    assert np.array_equal(r1.finish_days, r2.finish_days) and np.array_equal(r1.cost, r2.cost)
    r3 = simulate(prj, 600, seed=8, criticality=False)
    assert not np.array_equal(r1.finish_days, r3.finish_days)


def test_deterministic_case_equals_cpm():
    prj = pmkit.synth.project(120, seed=9)
    tasks = prj.tasks.assign(optimistic_days=prj.tasks["duration_days"], most_likely_days=prj.tasks["duration_days"],
                             pessimistic_days=prj.tasks["duration_days"])
    from dataclasses import replace
    prj = replace(prj, tasks=tasks, validate=False)
    res = simulate(prj, 50, seed=1, risks=False)
    net = compile_network(prj)
    cpm = float(net.project_length(forward_pass(net)[1]))
    assert np.allclose(res.finish_days, cpm) and res.deterministic_finish_days == pytest.approx(cpm)
    assert np.allclose(res.cost, res.deterministic_cost)
    assert (res.percentiles()["finish_date"] == res.deterministic_finish_date).all()


def test_risk_with_probability_one_on_critical_task():
    base = simulate(chain(three_point=False), 20, seed=0)
    assert np.allclose(base.finish_days, 15) and base.deterministic_finish_date == T("2025-01-24")
    risks = pd.DataFrame({"risk_id": ["K1"], "description": ["vendor late"], "probability": [1.0],
                          "cost_impact": [1000.0], "schedule_impact_days": [3.0], "task_id": ["B"]})
    hit = simulate(chain(risks, three_point=False), 20, seed=0)
    assert np.allclose(hit.finish_days, 18)
    assert np.allclose(hit.cost, 1700 + 1000)
    assert hit.risks_fired["fired_share"].tolist() == [1.0]
    # the same delay on D (3 days of float) does not move the finish
    off_path = simulate(chain(risks.assign(task_id="D"), three_point=False), 20, seed=0)
    assert np.allclose(off_path.finish_days, 15)
    # a project-level risk adds its delay to the finish
    project_level = simulate(chain(risks.assign(task_id=""), three_point=False), 20, seed=0)
    assert np.allclose(project_level.finish_days, 18)
    # closed risks do not fire
    closed = simulate(chain(risks.assign(status="closed"), three_point=False), 20, seed=0)
    assert np.allclose(closed.finish_days, 15)


def test_risk_fires_with_its_probability():
    risks = pd.DataFrame({"risk_id": ["K1"], "description": ["x"], "probability": [0.3],
                          "schedule_impact_days": [3.0], "task_id": ["B"]})
    res = simulate(chain(risks, three_point=False), 20_000, seed=3, criticality=False)
    assert res.risks_fired["fired_share"].iloc[0] == pytest.approx(0.3, abs=0.015)
    assert np.mean(res.finish_days == 18) == pytest.approx(0.3, abs=0.015)
    assert res.percentiles([50, 90])["finish_days"].tolist() == [15, 18]


def test_criticality_and_sensitivity():
    res = simulate(chain(), 3000, seed=2)
    t = res.tasks.set_index("task_id")
    # A and C are on every path; D (2 days vs B's 4-9) can never drive the finish
    assert t.loc["A", "criticality_index"] == 1.0 and t.loc["C", "criticality_index"] == 1.0
    assert t.loc["B", "criticality_index"] == 1.0 and t.loc["D", "criticality_index"] == 0.0
    # B has the widest range on the critical path: the most sensitive
    assert t["sensitivity"].idxmax() == "B" and abs(t.loc["D", "sensitivity"]) < 0.1
    assert res.finish_days.min() >= 12 - 1e-9 and res.finish_days.max() <= 24 + 1e-9


def test_only_remaining_work_varies():
    prj = pmkit.synth.project(150, seed=11)
    res = simulate(prj, 300, seed=1)
    t = res.tasks
    done = t["state"] == "finished"
    assert done.any() and (~done).any()
    assert np.allclose(t.loc[done, "mean_days"], t.loc[done, "deterministic_days"])
    assert (t.loc[done, "criticality_index"] == 0).all() and t.loc[done, "sensitivity"].isna().all()
    assert res.cost.min() >= prj.status["actual_cost"].sum() - 1e-6


def test_correlation_widens_the_spread():
    prj = pmkit.synth.project(150, seed=12, progress=None)
    free = simulate(prj, 800, seed=1, risks=False, criticality=False)
    tied = simulate(prj, 800, seed=1, risks=False, criticality=False, correlation=0.9)
    assert tied.finish_days.std() > 1.5 * free.finish_days.std()
    assert tied.cost.std() > 2 * free.cost.std()


def test_chances_and_summary():
    risks = pd.DataFrame({"risk_id": ["K1"], "description": ["x"], "probability": [0.5],
                          "schedule_impact_days": [5.0], "cost_impact": [100.0], "task_id": ["B"]})
    res = simulate(chain(risks, three_point=False, deadline=T("2025-01-24"), budget=1750.0), 4000, seed=5)
    c = res.chances().set_index("target")["probability"]
    assert c["finish by"] == pytest.approx(0.5, abs=0.03) and c["cost within"] == pytest.approx(0.5, abs=0.03)
    assert res.probability_finish_by("2025-01-31") == 1.0
    s = res.summary()
    assert s["percentile"].tolist() == ["deterministic", "P10", "P50", "P80", "P90", "mean"]


def test_bad_inputs():
    with pytest.raises(PmkitError, match="correlation"):
        simulate(chain(), 10, correlation=1.0)
    with pytest.raises(PmkitError, match="iterations"):
        simulate(chain(), 0)
    bad = chain()
    tasks = bad.tasks.copy()
    tasks.loc[0, "optimistic_days"] = 9.0
    from dataclasses import replace
    with pytest.raises(PmkitError, match="task A: three-point"):
        simulate(replace(bad, tasks=tasks, validate=False), 10)
    risks = pd.DataFrame({"risk_id": ["K1"], "description": ["x"], "probability": [0.5], "task_id": ["ZZ"]})
    with pytest.raises(PmkitError, match="risk K1"):
        simulate(replace(bad, risks=risks.assign(project_id="P"), validate=False), 10)
