"""CLI and charts of the scheduling module."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import pmkit
from pmkit.charts.schedule import gantt, resource_loading_chart
from pmkit.cli import main
from pmkit.project.scheduling import resource_loading


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("pf") / "pf"
    pmkit.save(pmkit.synth.portfolio(3, 15, seed=2), path)
    return path


def test_cli_table_csv_json(folder, capsys):
    assert main(["schedule", str(folder), "--project", "S0001"]) == 0
    out = capsys.readouterr().out
    assert "total_float_days" in out and "project S0001: finishes" in out
    assert main(["schedule", str(folder), "--project", "S0001", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    expected = pmkit.schedule(pmkit.load(folder).project("S0001"))
    assert [r["task_id"] for r in rows] == expected["task_id"].tolist()
    assert rows[0]["early_start"] == f"{expected['early_start'].iloc[0]:%Y-%m-%d}"
    assert main(["schedule", str(folder), "--project", "S0001", "--format", "csv", "--critical"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0].startswith("task_id,name") and len(csv) - 1 == int(expected["critical"].sum())


def test_cli_errors_are_messages(folder, capsys):
    assert main(["schedule", str(folder)]) == 1
    assert "choose one with --project" in capsys.readouterr().err
    assert main(["schedule", str(folder), "--project", "S0001", "--status-date", "soon"]) == 1
    assert "--status-date 'soon' is not a date" in capsys.readouterr().err


def test_charts_build():
    prj = pmkit.synth.project(25, seed=3)
    sched = pmkit.schedule(prj)
    spec = gantt(sched, prj.baseline).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks[0] == "bar" and {"point", "rule", "text"} <= set(marks)           # bars, milestone diamonds, status date
    kinds = {v["kind"] for v in spec["datasets"].values() for v in v if "kind" in v}
    assert {"baseline", "critical"} <= kinds
    load = resource_loading(prj, sched, freq="M")
    assert set(load["role_id"]) <= set(prj.roles["role_id"])
    assert "facet" in resource_loading_chart(load).to_dict()


def test_resource_loading_with_capacity_table():
    prj = pmkit.synth.project(40, seed=1)
    sched = pmkit.schedule(prj)
    months = pd.date_range("2024-12-01", periods=12, freq="MS")
    cap = pd.DataFrame({"role_id": "R1", "month": months, "capacity_days": 7.0})
    load = resource_loading(prj, sched, freq="M", capacity=cap)
    r1 = load[load["role_id"] == "R1"]
    assert (r1["capacity_days"] == 7.0).all()
    # splitting into months conserves the demand: units x working days from start to finish day
    asg = prj.assignments.merge(sched, on="task_id")
    days = prj.calendar.working_days_between(asg["early_start"], asg["early_finish"] + pd.Timedelta(days=1))
    assert load["demand_days"].sum() == pytest.approx(float((asg["units"] * days).sum()))
    weekly = resource_loading(prj, sched, freq="W")
    assert weekly["demand_days"].sum() == pytest.approx(load["demand_days"].sum())
