"""compare(): hand-built networks whose added/removed/changed items and path turnover are known."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import pmkit
import pmkit.cli
from pmkit.data.calendars import STANDARD, Calendar
from pmkit.data.model import Portfolio, Project
from pmkit.errors import PmkitError
from pmkit.project.changes import CHANGE_KINDS, compare

SITE = Calendar("site", "Mon-Sat", (True,) * 6 + (False,))
CALS = {"standard": STANDARD, "site": SITE}


def make(tasks, links, status=None, status_date=None, pid="H") -> Project:
    """tasks: (id, duration, extra dict); links: (pred, succ, type, lag)."""
    rows = []
    for tid, dur, extra in tasks:
        r = {"task_id": tid, "name": f"Task {tid}", "duration_days": float(dur), "budget_cost": 1000.0}
        r.update(extra)
        rows.append(r)
    deps = pd.DataFrame(links, columns=["predecessor_id", "successor_id", "type", "lag_days"])
    st = None if status is None else pd.DataFrame(status)
    return Project(project_id=pid, name="Hand-built", start_date=pd.Timestamp("2025-01-06"), calendar=STANDARD,
                   calendars=CALS, tasks=pd.DataFrame(rows), dependencies=deps, status=st, status_date=status_date)


@pytest.fixture(scope="module")
def versions():
    # old: A5 -> B5 -> D5 and A -> C3 -> D (critical A, B, D; C has 2 days of float),
    # plus a redundant link A -> D and a side task F after A
    old = make([("A", 5, {}), ("B", 5, {}), ("C", 3, {}), ("D", 5, {}), ("F", 2, {})],
               [("A", "B", "FS", 0), ("B", "D", "FS", 0), ("A", "C", "FS", 0), ("C", "D", "FS", 0),
                ("A", "D", "FS", 0), ("A", "F", "FS", 0)])
    # new: C 3 -> 9 days, lag C -> D 0 -> 1, B -> D becomes FF, B gets an SNET on its own early
    # start and the site calendar, D's budget 1000 -> 1500, F and A -> D removed, E added after D
    new = make([("A", 5, {}), ("B", 5, {"constraint_type": "SNET", "constraint_date": pd.Timestamp("2025-01-13"),
                                       "calendar_id": "site"}),
                ("C", 9, {}), ("D", 5, {"budget_cost": 1500.0}), ("E", 2, {})],
               [("A", "B", "FS", 0), ("B", "D", "FF", 0), ("A", "C", "FS", 0), ("C", "D", "FS", 1),
                ("D", "E", "FS", 0)])
    return old, new


def test_added_removed_and_changed_items_are_found(versions):
    c = compare(*versions)
    counts = dict(zip(c.summary["kind"], c.summary["count"], strict=True))
    assert list(c.summary["kind"]) == list(CHANGE_KINDS)
    assert {k: v for k, v in counts.items() if k in (
        "activity_added", "activity_removed", "link_added", "link_removed", "link_type_changed", "lag_changed",
        "duration_changed", "constraint_changed", "calendar_changed", "cost_changed")} == {
        "activity_added": 1, "activity_removed": 1, "link_added": 1, "link_removed": 2, "link_type_changed": 1,
        "lag_changed": 1, "duration_changed": 1, "constraint_changed": 1, "calendar_changed": 1, "cost_changed": 1}
    assert c.activities.set_index("task_id")["change"].to_dict() == {"E": "added", "F": "removed"}
    links = c.links.set_index(["predecessor_id", "successor_id"])["change"].to_dict()
    assert links == {("D", "E"): "added", ("A", "D"): "removed", ("A", "F"): "removed",
                     ("B", "D"): "type changed", ("C", "D"): "lag changed"}
    assert c.durations[["task_id", "old_duration_days", "new_duration_days", "change_days"]].values.tolist() == [
        ["C", 3.0, 9.0, 6.0]]
    assert c.constraints.iloc[0][["task_id", "old_constraint_type", "new_constraint_type"]].tolist() == [
        "B", "ASAP", "SNET"]
    assert c.calendars[["task_id", "old_calendar_id", "new_calendar_id"]].values.tolist() == [
        ["B", "standard", "site"]]
    assert c.costs[["task_id", "old_budget_cost", "new_budget_cost"]].values.tolist() == [["D", 1000.0, 1500.0]]
    assert c.progress.empty


def test_critical_and_longest_path_turnover(versions):
    c = compare(*versions)
    turn = {(p, ch): sorted(g["task_id"]) for (p, ch), g in c.critical.groupby(["path", "change"])}
    # old path A-B-D; new path A-C-D-E (C: 9 days + 1 lag beats B)
    assert turn == {("critical", "joined"): ["C", "E"], ("critical", "left"): ["B"],
                    ("longest", "joined"): ["C", "E"], ("longest", "left"): ["B"]}
    assert c.count("critical_joined") == 2 and c.count("longest_path_left") == 1


def test_finish_and_dates_moved_by_hand(versions):
    c = compare(*versions)
    f = c.finish.iloc[0]
    # old: D ends after 15 working days (Fri 24 Jan); new: C 5-14, lag 1, D 15-20, E 20-22 (Tue 4 Feb)
    assert f["old_finish"] == pd.Timestamp("2025-01-24") and f["new_finish"] == pd.Timestamp("2025-02-04")
    assert c.finish_moved_working_days == pytest.approx(7.0)
    assert f["finish_moved_calendar_days"] == 11
    d = c.dates.set_index("task_id")
    assert d.loc["C", "finish_moved_calendar_days"] == 8      # Wed 15 Jan -> Thu 23 Jan
    assert d.loc["D", "start_moved_calendar_days"] == 7       # Mon 20 Jan -> Mon 27 Jan
    assert "B" not in d.index                                  # same dates on its new calendar


def test_long_table_and_summary_agree(versions):
    c = compare(*versions)
    per_kind = c.changes.drop_duplicates(["kind", "task_id", "predecessor_id", "successor_id"])["kind"].value_counts()
    assert all(per_kind.get(k, 0) == n for k, n in zip(c.summary["kind"], c.summary["count"], strict=True))
    row = c.changes[c.changes["kind"] == "duration_changed"].iloc[0]
    assert (row["task_id"], row["old_value"], row["new_value"]) == ("C", "3", "9")
    assert "ScheduleComparison(project H" in repr(c) and "<table" in c._repr_html_()


def test_identical_versions_have_no_changes(versions):
    c = compare(versions[0], versions[0])
    assert c.summary["count"].sum() == 0 and c.finish_moved_working_days == 0


def test_progress_changes_between_two_status_dates():
    plan = [("A", 5, {}), ("B", 5, {})]
    links = [("A", "B", "FS", 0)]
    rec1 = {"project_id": "H", "status_date": pd.Timestamp("2025-01-08"), "task_id": "A", "percent_complete": 40.0,
            "actual_start": pd.Timestamp("2025-01-06"), "actual_cost": 400.0}
    rec2 = {**rec1, "status_date": pd.Timestamp("2025-01-10"), "percent_complete": 100.0,
            "actual_finish": pd.Timestamp("2025-01-10"), "actual_cost": 1100.0}
    u1 = make(plan, links, [rec1], pd.Timestamp("2025-01-08"))
    u2 = make(plan, links, [rec1, rec2], pd.Timestamp("2025-01-10"))
    c = compare(u1, u2)
    p = c.progress.iloc[0]
    assert (p["task_id"], p["old_percent_complete"], p["new_percent_complete"]) == ("A", 40.0, 100.0)
    assert p["new_actual_finish"] == pd.Timestamp("2025-01-10")
    assert c.costs.iloc[0][["old_actual_cost", "new_actual_cost"]].tolist() == [400.0, 1100.0]
    assert c.count("progress_changed") == 1


def test_bad_input_is_a_clear_error(versions):
    other = dataclasses.replace(versions[0], project_id="Z", validate=False)
    with pytest.raises(PmkitError, match="different projects"):
        compare(versions[0], other)
    with pytest.raises(PmkitError, match="must be a pmkit.Project"):
        compare(versions[0], "not a project")
    with pytest.raises(PmkitError, match="unknown kind"):
        compare(*versions).count("nonsense")


def test_large_versions_diff_fast():
    import time

    old = pmkit.synth.project(20_000, seed=3, with_risks=False, with_resources=False)
    t = old.tasks.copy()
    t.loc[t.index[::100], "duration_days"] += 1.0
    new = dataclasses.replace(old, tasks=t, dependencies=old.dependencies.iloc[10:], validate=False)
    t0 = time.perf_counter()
    c = compare(old, new, schedules=False)
    assert time.perf_counter() - t0 < 2.0
    assert c.count("duration_changed") == 200 and c.count("link_removed") == 10


# ------------------------------------------------------------------------------ update_series

@pytest.fixture(scope="module")
def series():
    return pmkit.synth.update_series(pmkit.synth.project(40, seed=1, progress=None), n_updates=6, seed=0)


def test_update_series_is_valid_and_progress_never_goes_back(series):
    assert len(series) == 6
    dates = [u.status_date for u in series]
    assert dates == sorted(dates) and len(set(dates)) == 6
    for u in series:
        dataclasses.replace(u)  # validates every table again (raises on a bad update)
        assert u.status["status_date"].max() == u.status_date
    for a, b in zip(series, series[1:], strict=False):
        pa = a.status_at().set_index("task_id")
        pb = b.status_at().set_index("task_id")
        assert set(pa.index) <= set(pb.index)
        assert (pb.loc[pa.index, "percent_complete"] >= pa["percent_complete"] - 1e-9).all()
        started = pa["actual_start"].notna()
        assert (pb.loc[pa.index[started], "actual_start"] == pa.loc[started, "actual_start"]).all()
        # earlier updates' progress blocks are carried unchanged
        pd.testing.assert_frame_equal(b.status[b.status["status_date"] <= a.status_date].reset_index(drop=True),
                                      a.status.reset_index(drop=True), check_dtype=False)


def test_update_series_revisions_are_found_by_compare(series):
    kinds = [compare(a, b, schedules=False).summary.set_index("kind")["count"] for a, b in zip(series, series[1:],
                                                                                               strict=False)]
    assert kinds[0]["activity_added"] == 1 and kinds[0]["link_added"] == 2   # X2 inserted into a link
    assert kinds[1]["link_removed"] == 1
    assert kinds[2]["constraint_changed"] == 1
    assert kinds[3]["duration_changed"] == 1
    assert all(k["progress_changed"] > 0 for k in kinds[:4])


def test_update_series_rejects_zero_updates():
    with pytest.raises(PmkitError, match="at least 1"):
        pmkit.synth.update_series(pmkit.synth.project(10, seed=1, progress=None), n_updates=0)


# ------------------------------------------------------------------------------ CLI

def _save(project: Project, path) -> str:
    cal_rows, hol_rows = zip(*(c.to_frame() for c in project.calendars.values()), strict=True)
    pf = Portfolio(projects=project.info_frame(), tasks=project.tasks, dependencies=project.dependencies,
                   status=project.status, calendars=pd.concat(cal_rows, ignore_index=True),
                   holidays=pd.concat(hol_rows, ignore_index=True))
    pmkit.save(pf, path)
    return str(path)


@pytest.fixture()
def cli(monkeypatch):
    monkeypatch.setitem(pmkit.cli.COMMANDS, "diff", ("pmkit.cli.diff", "what changed between two updates"))
    return pmkit.cli.main


def test_cli_diff_summary_and_json(versions, tmp_path, cli, capsys):
    old, new = _save(versions[0], tmp_path / "old"), _save(versions[1], tmp_path / "new")
    assert cli(["diff", old, new]) == 0
    out = capsys.readouterr().out
    assert "duration_changed" in out and "+7 working days" in out and "2025-02-04" in out
    assert cli(["diff", old, new, "--table", "links", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["predecessor_id"], r["successor_id"], r["change"]) for r in rows} >= {("D", "E", "added")}
    assert cli(["diff", old, new, "--table", "critical", "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0] == "task_id,name,path,change" and len(csv) == 7


def test_cli_diff_unknown_project_is_an_error(versions, tmp_path, cli, capsys):
    old = _save(versions[0], tmp_path / "old")
    assert cli(["diff", old, old, "--project", "NOPE"]) == 1
    assert "NOPE" in capsys.readouterr().err


def test_cli_diff_no_schedule(versions, tmp_path, cli, capsys):
    old, new = _save(versions[0], tmp_path / "old"), _save(versions[1], tmp_path / "new")
    assert cli(["diff", old, new, "--no-schedule", "--table", "changes", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert not any(line.startswith(("start_changed", "critical_")) for line in lines)
    assert any(line.startswith("lag_changed,,C,D,lag_days,0,1") for line in lines)


def test_chart_of_counts(versions):
    from pmkit.charts.changes import change_counts_chart

    spec = change_counts_chart(compare(*versions)).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert {v["kind"]: v["count"] for v in values}["link_removed"] == 2
    assert np.all([v["count"] > 0 for v in values])
