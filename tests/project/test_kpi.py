"""Project KPIs, RAG thresholds, NPS and the SMART check, against hand-worked numbers.

Uses the earned value demo project of ``test_evm`` (baseline finish Friday 24 Jan 2025,
15 working days, BAC 3500) plus deliverables, surveys and objectives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_evm import demo_project, rebuild

import pmkit
from pmkit.cli import main
from pmkit.errors import PmkitError
from pmkit.project.kpi import (
    KpiThresholds,
    all_project_kpis,
    client_satisfaction,
    meeting_specifications,
    net_promoter_score,
    on_budget,
    on_time_delivery,
    project_kpis,
    smart_check,
)
from pmkit.rag import Band, rag_status

T = pd.Timestamp


def kpi_project(state="active", finish_date=None):
    base = demo_project()
    status = base.status.copy()
    status["actual_finish"] = pd.NaT
    status.loc[(status["status_date"] == T("2025-01-31")) & (status["task_id"] == "M"), "actual_finish"] = \
        T("2025-01-31")
    deliverables = pd.DataFrame({
        "deliverable_id": ["D1", "D2", "D3", "D4"], "name": ["Spec", "Prototype", "Manual", "Release"],
        "due_date": pd.to_datetime(["2025-01-10", "2025-01-17", "2025-01-15", "2025-01-24"]),
        "accepted": pd.array([True, False, pd.NA, True], dtype="boolean"),
    })
    surveys = pd.DataFrame({
        "survey_date": pd.to_datetime(["2025-01-10", "2025-01-15", "2025-01-16", "2025-01-30"]),
        "satisfaction": [4.0, 5.0, 3.0, 1.0], "recommend": [9.0, 10.0, 6.0, 0.0],
    })
    objectives = pd.DataFrame({
        "objective_id": ["O1", "O2", "O3"],
        "what": ["Cut order handling time", "Be better", "Launch the partner portal"],
        "metric": ["median minutes per order", "", "portal live"],
        "target": ["under 10", "", "yes"],
        "deadline": pd.to_datetime(["2025-06-30", None, "2025-03-31"]),
        "owner": ["Ann", "", "Bob"],
        "achievable": pd.array([True, pd.NA, False], dtype="boolean"),
        "strategic_objective_id": ["SO1", "", "SO2"],
    })
    prj = rebuild(tasks=base.tasks, baseline=base.baseline, status=status, deliverables=deliverables,
                  surveys=surveys, objectives=objectives)
    if state != "active":
        from dataclasses import replace
        prj = replace(prj, state=state, finish_date=finish_date, validate=False)
    return prj


@pytest.fixture(scope="module")
def prj():
    return kpi_project()


def test_on_time_delivery_late_forecast(prj):
    t = on_time_delivery(prj, "2025-01-17")
    assert t["finish_kind"] == "forecast" and t["finish"] == T("2025-01-29")
    assert t["baseline_finish"] == T("2025-01-24")
    assert t["delay_days"] == 3  # 24, 27, 28 January
    assert t["delay_pct"] == pytest.approx(20.0)
    assert t["milestones_due"] == 0 and np.isnan(t["milestones_on_time_pct"])


def test_milestone_finished_late(prj):
    t = on_time_delivery(prj, "2025-01-31")
    assert t["finish"] == T("2025-01-31") and t["delay_days"] == 5
    assert (t["milestones_due"], t["milestones_on_time"], t["milestones_on_time_pct"]) == (1, 0, 0.0)


def test_on_budget(prj):
    b = on_budget(prj, "2025-01-17")
    assert b["eac"] == pytest.approx(3500 / (2100 / 2350))
    assert b["cost_overrun_pct"] == pytest.approx((3500 * 2350 / 2100 / 3500 - 1) * 100)
    assert on_budget(prj, "2025-01-17", eac_method="budget_rate")["eac"] == pytest.approx(3750)
    # before any progress the forecast is the budget
    assert on_budget(prj, "2025-01-03")["cost_overrun_pct"] == 0


def test_closed_project_uses_actuals():
    closed = kpi_project("closed", T("2025-01-31"))
    t = on_time_delivery(closed)
    assert t["finish_kind"] == "actual" and t["delay_days"] == 5
    b = on_budget(closed)
    assert b["eac"] == pytest.approx(3650) and b["cost_overrun_pct"] == pytest.approx(150 / 35)


def test_meeting_specifications(prj):
    s = meeting_specifications(prj, "2025-01-17")
    assert (s["deliverables_due"], s["accepted"], s["rejected"], s["pending"], s["accepted_early"]) == (3, 1, 1, 1, 1)
    assert s["acceptance_pct"] == pytest.approx(100 / 3)
    assert meeting_specifications(prj, "2025-01-31")["acceptance_pct"] == pytest.approx(50.0)


def test_client_satisfaction_and_nps(prj):
    c = client_satisfaction(prj, "2025-01-17")
    assert c["responses"] == 3 and c["satisfaction_avg"] == pytest.approx(4.0)
    assert c["nps"] == pytest.approx(100 * (2 / 3 - 1 / 3))
    assert net_promoter_score([10, 9, 8, 7, 6, 3, 10, 9, 9, 5]) == pytest.approx(20.0)
    assert net_promoter_score([7, 8]) == 0 and np.isnan(net_promoter_score([]))
    assert net_promoter_score([np.nan, 0.0]) == -100


def test_kpi_table_and_rag(prj):
    t = project_kpis(prj, status_date="2025-01-17").set_index("kpi")
    assert t["status"].to_dict() == {
        "On-time delivery": "red", "Milestones on time": "grey", "On budget": "red",
        "Meeting specifications": "red", "Client satisfaction": "green", "Net promoter score": "green"}
    assert "forecast finish 2025-01-29 vs baseline 2025-01-24 (+3 working days)" in t.loc["On-time delivery", "detail"]
    loose = project_kpis(prj, KpiThresholds(cost_overrun_green=15, cost_overrun_red=20), status_date="2025-01-17")
    assert loose.set_index("kpi").loc["On budget", "status"] == "green"
    mid = project_kpis(prj, KpiThresholds(cost_overrun_green=10, cost_overrun_red=15), status_date="2025-01-17")
    assert mid.set_index("kpi").loc["On budget", "status"] == "amber"


def test_rag_edges_and_threshold_validation():
    b = Band(90, 75)
    assert rag_status(90.0, b) == "green" and rag_status(75.0, b) == "amber" and rag_status(74.9, b) == "red"
    low = Band(5, 10, higher_is_better=False)
    assert rag_status(5.0, low) == "green" and rag_status(10.0, low) == "amber"
    assert rag_status(float("nan"), Band(1, 0)) == "grey"
    with pytest.raises(PmkitError, match="cost_overrun_green"):
        KpiThresholds(cost_overrun_green=20, cost_overrun_red=10)
    with pytest.raises(PmkitError, match="nps_green"):
        KpiThresholds(nps_green=-10)


def test_smart_check(prj):
    s = smart_check(prj).set_index("objective_id")
    assert s.loc["O1", "smart"] and s.loc["O1", "missing"] == ""
    o2 = s.loc["O2"]
    assert not o2["specific"] and not o2["measurable"] and not o2["relevant"] and not o2["time_bound"]
    assert o2["missing"] == ("specific (state what in a few words), measurable (no metric or target), "
                             "achievable (not assessed), relevant (no strategic objective), "
                             "time-bound (no deadline), no owner")
    assert s.loc["O3", "missing"] == "achievable (owner says no)" and not s.loc["O3", "smart"]


def test_all_project_kpis_and_cli(tmp_path, capsys):
    pf = pmkit.synth.portfolio(4, 25, seed=3)
    table = all_project_kpis(pf)
    active = [p for p, s in zip(pf.project_ids, pf.projects["state"], strict=True) if s != "proposed"]
    assert sorted(table["project_id"].unique()) == sorted(active) and len(table) == 6 * len(active)
    assert set(table["status"]) <= {"green", "amber", "red", "grey"}
    pmkit.save(pf, tmp_path / "pf")
    assert main(["kpi", str(tmp_path / "pf"), "--project", active[0], "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "kpi,value,unit,green,red,status,detail" and len(out) == 7
    assert main(["kpi", str(tmp_path / "pf"), "--project", active[0], "--smart"]) == 0
    assert main(["kpi", str(tmp_path / "pf"), "--project", active[0], "--cost-overrun", "1", "0"]) == 1
    assert "cost_overrun_green" in capsys.readouterr().err


def test_project_without_baseline_or_status_is_grey(prj):
    bare = rebuild("B", tasks=prj.tasks.assign(milestone=[False, False, False, True]))
    t = project_kpis(bare, status_date="2025-01-17").set_index("kpi")
    assert t.loc["On-time delivery", "status"] == "grey" and t.loc["Milestones on time", "status"] == "grey"
    assert t.loc["On budget", "value"] == 0  # no progress: EAC = BAC (from task budgets)


def test_active_project_with_baseline_and_milestones_but_no_progress():
    # regression: _milestones cast an empty datetime lookup to float (TypeError), and
    # earned value indexed an empty status table
    prj = demo_project(status_rows=[])
    t = project_kpis(prj, status_date="2025-01-31").set_index("kpi")
    assert t.loc["Milestones on time", "value"] == 0  # M was due on the 24th and is not done
    assert t.loc["Milestones on time", "status"] == "red"
    assert t.loc["On-time delivery", "detail"].startswith("baseline finish 2025-01-24")
    assert t.loc["On budget", "value"] == 0


@pytest.mark.skipif(not pmkit.sample_path().joinpath("projects.csv").exists(), reason="sample data not built")
def test_every_sample_project_gets_kpis():
    pf = pmkit.load(pmkit.sample_path())
    for p in pf.iter_projects():
        t = project_kpis(p)
        assert len(t) == 6, p.project_id
    proposed = project_kpis(pf.project("P09")).set_index("kpi")  # no baseline, no progress
    assert proposed.loc[["On-time delivery", "Milestones on time", "Client satisfaction"], "status"].eq("grey").all()
    assert proposed.loc["On budget", "value"] == 0  # EAC = BAC before any progress
