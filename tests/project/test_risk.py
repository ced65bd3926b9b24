"""Risk register analytics (hand-worked ratings, EMV, exposure), charts and ``pmkit risk``."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_evm import demo_project, rebuild
from test_montecarlo import chain

import pmkit
from pmkit.charts.montecarlo import distribution_chart, distribution_data, tornado_chart
from pmkit.charts.risk import exposure_chart, heat_map_chart
from pmkit.cli import main
from pmkit.errors import PmkitError
from pmkit.project.montecarlo import simulate
from pmkit.project.risk import (
    RiskScales,
    exposure,
    heat_map,
    risk_register,
    risk_summary,
    top_risks,
)

T = pd.Timestamp


@pytest.fixture(scope="module")
def prj():
    # BAC 3500, planned duration 15 working days (demo project of test_evm)
    base = demo_project()
    risks = pd.DataFrame({
        "risk_id": ["R1", "R2", "R3", "R4"], "description": ["a", "b", "c", "d"],
        "category": ["technical", "external", "technical", "commercial"],
        "probability": [0.6, 0.1, 0.35, 0.5],
        "cost_impact": [400.0, 50.0, 0.0, -200.0],        # 11.4 %, 1.4 %, 0, opportunity
        "schedule_impact_days": [0.0, 4.0, 1.0, 0.0],     # 0, 26.7 %, 6.7 %, 0
        "task_id": ["B", "C", "", ""], "status": ["open", "open", "closed", "open"],
        "identified_date": pd.to_datetime(["2025-01-06", "2025-01-13", None, "2025-01-20"]),
        "closed_date": pd.to_datetime([None, None, "2025-01-15", None]),
    })
    return rebuild(tasks=base.tasks, baseline=base.baseline, status=base.status, risks=risks)


def test_register_ratings_scores_and_emv(prj):
    r = risk_register(prj).set_index("risk_id")
    assert r["probability_rating"].tolist() == [4, 1, 3, 3]
    assert r["cost_rating"].tolist() == [4, 2, 1, 1]
    assert r["schedule_rating"].tolist() == [1, 5, 3, 1]
    assert r["impact_rating"].tolist() == [4, 5, 3, 1]
    assert r["score"].tolist() == [16, 5, 9, 3]
    assert r["zone"].tolist() == ["high", "medium", "medium", "low"]
    assert r["emv_cost"].tolist() == pytest.approx([240.0, 5.0, 0.0, -100.0])
    assert r["emv_days"].tolist() == pytest.approx([0.0, 0.4, 0.35, 0.0])


def test_top_summary_heat_map(prj):
    assert top_risks(prj, 2)["risk_id"].tolist() == ["R1", "R2"]
    assert top_risks(prj, 3, by="score", open_only=False)["risk_id"].tolist() == ["R1", "R3", "R2"]
    s = risk_summary(prj).set_index("status")
    assert s.loc["open", "risks"] == 3 and s.loc["closed", "risks"] == 1
    assert s.loc["open", "emv_cost"] == pytest.approx(145.0)
    cells = heat_map(prj)
    assert len(cells) == 25 and cells["risks"].sum() == 3
    assert cells.query("probability_rating == 4 and impact_rating == 4")["risk_ids"].item() == "R1"
    strict = risk_register(prj, RiskScales(high_score=20)).set_index("risk_id")
    assert strict.loc["R1", "zone"] == "medium"
    with pytest.raises(PmkitError):
        RiskScales(probability=(0.5, 0.4, 0.6, 0.7))
    with pytest.raises(PmkitError):
        top_risks(prj, by="mood")


def test_exposure_over_time(prj):
    e = exposure(prj, ["2025-01-10", "2025-01-14", "2025-01-17", "2025-01-31"]).set_index("date")
    # 10 Jan: R1 and R3 (no identified date); 14 Jan: + R2; 17 Jan: R3 closed on the 15th; 31 Jan: + R4
    assert e["open_risks"].tolist() == [2, 3, 2, 3]
    assert e["emv_cost"].tolist() == pytest.approx([240, 245, 245, 145])
    assert e["emv_days"].tolist() == pytest.approx([0.35, 0.75, 0.4, 0.4])
    assert exposure(prj)["date"].tolist() == prj.status_dates


def test_charts_build(prj):
    assert heat_map_chart(heat_map(prj)).to_dict()["layer"][1]["mark"]["type"] == "text"
    assert exposure_chart(exposure(prj)).to_dict()["mark"]["type"] == "line"
    res = simulate(chain(), 400, seed=1)
    d = distribution_data(res, "finish")
    assert d["count"].sum() == 400 and d["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert distribution_chart(res, "finish").to_dict()["layer"][0]["mark"]["type"] == "bar"
    tor = tornado_chart(res, n=3).to_dict()
    labels = [row["label"] for row in tor["datasets"][tor["data"]["name"]]]
    assert labels[0] == "B B" and len(labels) == 3
    with pytest.raises(ValueError):
        distribution_data(res, "quality")


def test_cli_risk(tmp_path, capsys):
    pf = pmkit.synth.portfolio(2, 30, seed=4)
    path = tmp_path / "pf"
    pmkit.save(pf, path)
    pid = [p for p, s in zip(pf.project_ids, pf.projects["state"], strict=True) if s == "active"][0]
    args = ["risk", str(path), "--project", pid, "--iterations", "300", "--seed", "3"]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["percentile"] for r in rows] == ["deterministic", "P10", "P50", "P80", "P90", "mean"]
    assert rows[1]["finish_days"] <= rows[2]["finish_days"] <= rows[4]["finish_days"]
    assert main([*args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == rows  # same seed, same answer
    assert main(args) == 0
    assert "chance to finish by" in capsys.readouterr().out
    assert main([*args, "--tasks", "--format", "csv"]) == 0
    assert "criticality_index,sensitivity" in capsys.readouterr().out.splitlines()[0]
    assert main(["risk", str(path), "--project", pid, "--register", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("risk_id,description")
    assert main([*args, "--correlation", "1.5"]) == 1
    assert "correlation" in capsys.readouterr().err
