"""DCMA 14-point assessment: hand-counted networks, thresholds, offenders, chart and CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import pmkit
import pmkit.cli
from pmkit.charts.health import health_chart
from pmkit.data.model import Project
from pmkit.errors import PmkitError
from pmkit.project.health import DcmaThresholds, ScheduleHealth, health

D = pd.Timestamp


def demo_project(**changes) -> Project:
    """The worked example of docs/health.md (Mon-Fri calendar, status date Fri 2025-01-17).

    A 5 d finished, B 10 d half done, C 60 d, D 3 d (SNLT 2025-02-14, no budget, no resource),
    E the handover milestone, F a stray 2 d task without links (the table in the docs).
    """
    tasks = pd.DataFrame({
        "task_id": ["A", "B", "C", "D", "E", "F"],
        "name": ["Design", "Build", "Test", "Permit", "Handover", "Stray"],
        "duration_days": [5.0, 10, 60, 3, 0, 2],
        "milestone": [False, False, False, False, True, False],
        "constraint_type": ["ASAP", "ASAP", "ASAP", "SNLT", "ASAP", "ASAP"],
        "constraint_date": [pd.NaT, pd.NaT, pd.NaT, D("2025-02-14"), pd.NaT, pd.NaT],
        "budget_cost": [1000.0, 2000, 6000, 0, 0, 500],
    })
    deps = pd.DataFrame({"predecessor_id": ["A", "B", "A", "C", "D"], "successor_id": ["B", "C", "D", "E", "E"],
                         "type": ["FS", "FS", "SS", "FS", "FF"], "lag_days": [0.0, 2, 0, 0, -1]})
    baseline = pd.DataFrame({
        "task_id": ["A", "B", "C", "D", "E", "F"],
        "baseline_start": pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-27", "2025-01-13", "2025-04-18",
                                          "2025-01-06"]),
        "baseline_finish": pd.to_datetime(["2025-01-10", "2025-01-24", "2025-04-18", "2025-01-15", "2025-04-18",
                                           "2025-01-07"]),
        "baseline_cost": [1000.0, 2000, 6000, 0, 0, 500]})
    status = pd.DataFrame({"status_date": D("2025-01-17"), "task_id": ["A", "B"], "percent_complete": [100.0, 50],
                           "actual_start": pd.to_datetime(["2025-01-06", "2025-01-13"]),
                           "actual_finish": pd.to_datetime(["2025-01-10", None])})
    resources = pd.DataFrame({"resource_id": ["U1"], "name": ["Ann"]})
    assignments = pd.DataFrame({"task_id": ["B", "C"], "resource_id": ["U1", "U1"]})
    kw = dict(project_id="DEMO", name="Demo", start_date=D("2025-01-06"), status_date=D("2025-01-17"),
              tasks=tasks, dependencies=deps, baseline=baseline, status=status, resources=resources,
              assignments=assignments)
    kw.update(changes)
    return Project(**kw)


@pytest.fixture(scope="module")
def demo() -> ScheduleHealth:
    return health(demo_project())


# number: (count, denominator, value, passed), counted by hand in docs/health.md
EXPECTED = {
    1: (2, 5, 40.0, False),       # E no successor, F no logic at all
    2: (1, 5, 20.0, False),       # D -> E FF -1
    3: (1, 5, 20.0, False),       # B -> C lag 2
    4: (3, 5, 60.0, False),       # A->B, B->C, C->E are FS (A->B counts: B is open)
    5: (1, 5, 20.0, False),       # D SNLT
    6: (1, 5, 20.0, False),       # F: no successor, float to the project finish
    7: (0, 5, 0.0, True),
    8: (1, 5, 20.0, False),       # C: 60 working days of baseline
    9: (0, 6, 0.0, True),
    10: (1, 4, 25.0, False),      # D: no assignment, no budget (E is a milestone)
    11: (2, 3, 100 * 2 / 3, False),  # due A, D, F: D and F not finished
    12: (1, 1, 1.0, True),        # B delayed 600 d: finish moves 600 d
    14: (1, 3, 1 / 3, False),     # finished A / due A, D, F
}


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_each_check_counts_by_hand(demo, number):
    row = demo.checks.set_index("number").loc[number]
    count, den, value, passed = EXPECTED[number]
    assert (row["count"], row["denominator"]) == (count, den)
    assert row["value"] == pytest.approx(value)
    assert bool(row["passed"]) is passed


def test_cpli_both_definitions_by_hand(demo):
    # forecast: B's last 5 d 01-20..01-24, lag 2 d, C 60 d 01-29..04-22; baseline finish 04-18
    # CPL = working days (01-17, 04-22] = 67; TF = -(working days (04-18, 04-22]) = -2
    row = demo.checks.set_index("number").loc[13]
    assert row["value"] == pytest.approx(65 / 67) and bool(row["passed"]) is True
    cp = demo.cpli.set_index("definition")
    assert cp.loc["dcma", "critical_path_length_days"] == 67
    assert cp.loc["dcma", "total_float_days"] == -2
    assert cp.loc["baseline_remaining", "critical_path_length_days"] == 65   # (01-17, 04-18]
    assert cp.loc["baseline_remaining", "cpli"] == pytest.approx(63 / 65)
    assert cp.loc["dcma", "target_date"] == D("2025-04-18")


def test_summary_counts(demo):
    assert (demo.n_passed, demo.n_failed, demo.n_not_evaluated) == (4, 10, 0)
    assert list(demo.checks["number"]) == list(range(1, 15))
    assert "10 failed" in repr(demo) and "FAIL" in repr(demo)
    assert "<table" in demo._repr_html_() and "DEMO" in demo._repr_html_()


def test_offenders_name_the_right_tasks_and_links(demo):
    off = demo.offenders
    by = {n: g for n, g in off.groupby("number")}
    assert dict(zip(by[1]["task_id"], by[1]["why"], strict=True)) == {
        "E": "no successor", "F": "no predecessor and no successor"}
    assert by[2][["predecessor_id", "successor_id", "value"]].values.tolist() == [["D", "E", -1.0]]
    assert by[3][["predecessor_id", "successor_id", "value"]].values.tolist() == [["B", "C", 2.0]]
    assert sorted(zip(by[4]["predecessor_id"], by[4]["successor_id"], strict=True)) == [("A", "D"), ("D", "E")]
    assert by[5]["task_id"].tolist() == ["D"] and by[5]["why"].item() == "SNLT constraint"
    assert by[6]["task_id"].tolist() == ["F"] and by[6]["value"].item() > 44
    assert by[8]["task_id"].tolist() == ["C"] and by[8]["value"].item() == 60
    assert by[10]["task_id"].tolist() == ["D"]
    assert sorted(by[11]["task_id"]) == ["D", "F"]
    assert sorted(by[14]["task_id"]) == ["D", "F"]
    assert not {7, 9, 12, 13} & set(by)
    assert list(off.columns) == ["number", "check", "task_id", "predecessor_id", "successor_id", "name", "value",
                                 "why"]


def test_thresholds_change_the_verdicts():
    loose = DcmaThresholds(missing_logic_pct=50, high_float_days=100, bei_min=0.3, critical_path_delay_days=10)
    h = health(demo_project(), thresholds=loose)
    c = h.checks.set_index("number")
    assert bool(c.loc[1, "passed"]) and bool(c.loc[14, "passed"])
    assert c.loc[6, "count"] == 0  # F's float is below 100 working days
    assert "delayed 10 working days: finish moved 10" in c.loc[12, "note"]
    assert "100 working days" in c.loc[6, "metric"]


@pytest.mark.parametrize("bad", [dict(lags_pct=101), dict(high_float_days=0), dict(cpli_min=float("nan")),
                                 dict(bei_min="x")])
def test_thresholds_are_validated(bad):
    with pytest.raises(PmkitError, match="DcmaThresholds"):
        DcmaThresholds(**bad)


def test_bad_input_is_a_clear_error():
    with pytest.raises(PmkitError, match="DcmaThresholds"):
        health(demo_project(), thresholds={"lags_pct": 1})
    with pytest.raises(PmkitError, match="pmkit.Project"):
        health("not a project")


def test_negative_float_from_a_deadline():
    h = health(demo_project(deadline=D("2025-04-10")))
    row = h.checks.set_index("number").loc[7]
    # B, C, E run to 04-22: past the deadline; D and F keep float
    assert (row["count"], row["denominator"]) == (3, 5)
    assert sorted(h.offenders.loc[h.offenders["number"] == 7, "task_id"]) == ["B", "C", "E"]


def test_invalid_dates_actual_after_status_date_and_forecast_before():
    prj = demo_project()
    st = prj.status.copy()
    st.loc[st["task_id"] == "A", "actual_finish"] = D("2025-01-20")  # after the status date
    tasks = prj.tasks.copy()
    tasks.loc[tasks["task_id"] == "F", ["constraint_type", "constraint_date"]] = ["MSO", D("2025-01-08")]
    bad = Project(project_id="DEMO", name="Demo", start_date=prj.start_date, status_date=prj.status_date,
                  tasks=tasks, dependencies=prj.dependencies, baseline=prj.baseline, status=st, validate=False)
    h = health(bad)
    row = h.checks.set_index("number").loc[9]
    assert (row["count"], row["denominator"]) == (2, 6)
    why = h.offenders[h.offenders["number"] == 9].set_index("task_id")["why"]
    assert why["A"].startswith("actual date after") and why["F"].startswith("forecast date before")
    assert h.checks.set_index("number").loc[5, "count"] == 2  # D SNLT and F MSO


def test_critical_path_test_fails_when_a_constraint_holds_the_finish():
    # X -> Z; Z must finish no later than its own early finish: delaying X cannot move the end
    tasks = pd.DataFrame({"task_id": ["X", "Z"], "name": ["x", "z"], "duration_days": [5.0, 5.0],
                          "constraint_type": ["ASAP", "FNLT"], "constraint_date": [pd.NaT, D("2025-01-17")]})
    deps = pd.DataFrame({"predecessor_id": ["X"], "successor_id": ["Z"]})
    prj = Project(project_id="C", name="c", start_date=D("2025-01-06"), tasks=tasks, dependencies=deps)
    h = health(prj)
    row = h.checks.set_index("number").loc[12]
    assert bool(row["passed"]) is False and row["value"] < 1
    assert h.offenders.loc[h.offenders["number"] == 12, "task_id"].tolist() == ["X"]


def test_summary_links_count_for_their_tasks_and_summaries_are_not_counted():
    tasks = pd.DataFrame({"task_id": ["S", "S1", "S2", "Y"], "name": ["sum", "a", "b", "y"],
                          "parent_id": ["", "S", "S", ""], "duration_days": [0.0, 2, 3, 1]})
    deps = pd.DataFrame({"predecessor_id": ["S1", "S"], "successor_id": ["S2", "Y"]})
    h = health(Project(project_id="S", name="s", start_date=D("2025-01-06"), tasks=tasks, dependencies=deps))
    row = h.checks.set_index("number").loc[1]
    # S1 (no predecessor), Y (no successor); S2 gets its successor from S; S itself is not counted
    assert (row["count"], row["denominator"]) == (2, 3)
    assert sorted(h.offenders.loc[h.offenders["number"] == 1, "task_id"]) == ["S1", "Y"]
    assert h.checks.set_index("number").loc[11, "passed"] is pd.NA  # no status date, no baseline


@pytest.fixture(scope="module")
def samples():
    pf = pmkit.load(pmkit.sample_path())
    return [health(p) for p in pf.iter_projects()]


def test_sample_projects_invariants(samples):
    for h in samples:
        c = h.checks.set_index("number")
        assert len(c) == 14 and h.n_passed + h.n_failed + h.n_not_evaluated == 14
        pct = c[c["unit"] == "%"].dropna(subset=["value"])
        assert (pct["count"] <= pct["denominator"]).all()
        assert np.allclose(pct["value"], 100 * pct["count"].astype(float) / pct["denominator"].astype(float))
        n_off = h.offenders.groupby("number").size()
        for n in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11):
            if not pd.isna(c.loc[n, "count"]):
                assert n_off.get(n, 0) == c.loc[n, "count"], (h.project_id, n)
        if not pd.isna(c.loc[4, "count"]):
            assert n_off.get(4, 0) == c.loc[4, "denominator"] - c.loc[4, "count"]
        # a pass never sits beyond its threshold
        ok = c[c["passed"].fillna(False).astype(bool)]
        assert ((ok["comparison"] != "<=") | (ok["value"] <= ok["threshold"])).all()
        assert ((ok["comparison"] != ">=") | (ok["value"] >= ok["threshold"])).all()
        if h.status_date is None:
            assert c.loc[[11, 14], "passed"].isna().all()


def test_sample_relationship_denominator_is_the_links(samples):
    pf = pmkit.load(pmkit.sample_path())
    h = next(x for x in samples if x.project_id == "P09")  # proposed: no progress, every link counts
    assert h.checks.set_index("number").loc[2, "denominator"] == len(pf.project("P09").dependencies)


def test_chart_from_result_and_table(demo):
    spec = health_chart(demo).to_dict()
    assert len(spec["vconcat"]) == 2
    values = [v for d in spec["datasets"].values() for v in d]
    assert {v["status"] for v in values} == {"pass", "fail"}
    assert health_chart(demo.checks).to_dict()["vconcat"][0]["layer"][0]["mark"]["type"] == "bar"
    with pytest.raises(PmkitError):
        health_chart(pd.DataFrame({"a": [1]}))


# ----------------------------------------------------------------------------- CLI

@pytest.fixture()
def cli(monkeypatch):
    if "health" not in pmkit.cli.COMMANDS:
        monkeypatch.setitem(pmkit.cli.COMMANDS, "health", ("pmkit.cli.health", "DCMA 14-point schedule assessment"))
    return pmkit.cli.main


def test_cli_table_csv_json(cli, capsys):
    path = str(pmkit.sample_path())
    expected = health(pmkit.load(path).project("P02"))
    assert cli(["health", path, "--project", "P02"]) == 0
    out = capsys.readouterr().out
    assert "relationship_types" in out and expected.headline in out
    assert cli(["health", path, "--project", "P02", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("number,check,metric,count,denominator,value") and len(lines) == 15
    assert cli(["health", path, "--project", "P02", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["count"] for r in rows] == [None if pd.isna(v) else int(v) for v in expected.checks["count"]]
    assert [r["passed"] for r in rows] == [None if pd.isna(v) else bool(v) for v in expected.checks["passed"]]


def test_cli_offenders_thresholds_strict(cli, capsys):
    path = str(pmkit.sample_path())
    assert cli(["health", path, "--project", "P02", "--offenders", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {"number", "task_id", "why"} <= set(rows[0])
    assert cli(["health", path, "--project", "P02", "--strict"]) == 1
    capsys.readouterr()
    assert cli(["health", path, "--project", "P02", "--threshold", "lags_pct=100", "--format", "json"]) == 0
    lags = json.loads(capsys.readouterr().out)[2]
    assert lags["threshold"] == 100 and lags["passed"] is True
    assert cli(["health", path, "--project", "P02", "--threshold", "lag_pct=1"]) == 1
    assert "unknown name 'lag_pct'" in capsys.readouterr().err
    assert cli(["health", path, "--project", "P02", "--threshold", "lags_pct=abc"]) == 1
    assert "not a number" in capsys.readouterr().err


def test_replace_keeps_checks_consistent():
    prj = demo_project()
    # dropping the stray task F removes one logic, one high-float and one missed-task offender
    smaller = dataclasses.replace(prj, tasks=prj.tasks[prj.tasks["task_id"] != "F"],
                                  baseline=prj.baseline[prj.baseline["task_id"] != "F"])
    c = health(smaller).checks.set_index("number")
    assert (c.loc[1, "count"], c.loc[6, "count"], c.loc[11, "count"]) == (1, 0, 1)
