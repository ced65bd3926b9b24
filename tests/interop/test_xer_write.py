"""Primavera P6 XER writing: the file P6 needs, and ``read_xer(write_xer(p))`` gives ``p`` back.

Each value either survives unchanged (compared with ``pandas.testing.assert_frame_equal``)
or follows the documented rule of :func:`pmkit.interop.xer.write_xer` (tested here).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit.data.calendars import Calendar
from pmkit.errors import PmkitError
from pmkit.interop import InteropWarning, read_project_file
from pmkit.interop.xer import XER_WRITTEN_FIELDS, parse_xer_tables, read_xer, write_xer

THREE_POINT = ["optimistic_days", "most_likely_days", "pessimistic_days"]


def _round_trip(p, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        out = write_xer(p, path)
        return read_xer(out)


def _expected_status(p):
    """The documented rule: the latest status date only, started tasks, remaining inferred."""
    st = p.status_at()
    started = st["actual_start"].notna() | (st["percent_complete"] > 0)
    st = st[started].reset_index(drop=True)
    dur = st["task_id"].map(p.tasks.set_index("task_id")["duration_days"])
    finished = st["actual_finish"].notna()
    pct = st["percent_complete"].where(~finished, 100.0)
    remaining = st["remaining_days"].fillna(dur * (1 - st["percent_complete"] / 100))
    return st.assign(percent_complete=pct, remaining_days=remaining.where(~finished, 0.0))


def _expected_assignments(p):
    a = p.assignments
    return a.assign(role_id=a["role_id"].where(a["resource_id"] == "", ""))


def _same_calendars(p, q):
    assert set(q.calendars) == set(p.calendars)
    for cid, cal in p.calendars.items():
        other = q.calendars[cid]
        assert (other.workdays, other.holidays, other.hours_per_day) == (cal.workdays, cal.holidays,
                                                                          cal.hours_per_day), cid
        assert other.name == cid  # the id is written as clndr_name; the display name is lost


def _check(p, q):
    keep = [c for c in p.tasks.columns if c not in THREE_POINT]
    # tabs and line breaks in names are written as spaces (they would split the XER row)
    want = p.tasks[keep].assign(name=p.tasks["name"].str.replace(r"[\t\r\n]+", " ", regex=True))
    pd.testing.assert_frame_equal(q.tasks[keep], want)
    assert q.tasks[THREE_POINT].isna().all().all()
    pd.testing.assert_frame_equal(q.dependencies, p.dependencies)
    pd.testing.assert_frame_equal(q.baseline, p.baseline.assign(
        baseline_cost=p.baseline["task_id"].map(p.tasks.set_index("task_id")["budget_cost"])))
    pd.testing.assert_frame_equal(q.resources, p.resources)
    pd.testing.assert_frame_equal(q.assignments, _expected_assignments(p))
    _same_calendars(p, q)
    if len(p.status):
        pd.testing.assert_frame_equal(q.status[p.status.columns], _expected_status(p))
        assert q.status_date == p.status_at()["status_date"].iloc[0]
    else:
        assert len(q.status) == 0 and q.status_date is None
    assert q.calendar.calendar_id == p.calendar.calendar_id
    assert (q.project_id, q.name, q.start_date) == (p.project_id, p.name, p.start_date)


@pytest.fixture(scope="module")
def portfolio():
    return pmkit.load(pmkit.sample_path())


@pytest.mark.parametrize("pid", ["P02", "P04"])
def test_sample_projects_read_back_identically(portfolio, pid, tmp_path):
    # P02: progress over 9 status dates; P04: tasks on the Mon-Sat site calendar
    p = portfolio.project(pid)
    q = _round_trip(p, tmp_path / f"{pid}.xer")
    _check(p, q)
    # the dates agree; floats may not, as the deadline (P6's must-finish-by) is not read back
    cols = ["task_id", "early_start", "early_finish", "late_finish" if p.deadline is None else "task_id"]
    pd.testing.assert_frame_equal(pmkit.schedule(q)[cols], pmkit.schedule(p)[cols])


def test_every_sample_project_round_trips(portfolio, tmp_path):
    # among them P09: a proposal without baseline or progress
    for pid in portfolio.project_ids:
        p = portfolio.project(pid)
        _check(p, _round_trip(p, tmp_path / f"{pid}.xer"))


def _small():
    """4 tasks on two calendars (8 h and 10 h days), every link type, fractional lags."""
    long_days = Calendar("long", "Four long days", (True, True, True, True, False, False, False),
                         (np.datetime64("2026-03-12"),), 10.0)
    tasks = pd.DataFrame({
        "task_id": ["A", "B", "C", "M"], "name": ["Dig", "Pour", "Cure\tand dry", "Done"],
        "wbs": ["1", "1.2", "", "2"], "duration_days": [3.0, 2.5, 1.0 / 3.0, 0.0],
        "budget_cost": [1200.5, 0.0, 333.25, 0.0], "milestone": [False, False, False, True],
        "constraint_type": ["ASAP", "SNET", "FNLT", "ASAP"],
        "constraint_date": [None, pd.Timestamp("2026-03-04"), pd.Timestamp("2026-03-20"), None],
        "calendar_id": ["", "long", "", ""],
    })
    deps = pd.DataFrame({"predecessor_id": ["A", "A", "B", "C"], "successor_id": ["B", "C", "C", "M"],
                         "type": ["FS", "SS", "FF", "SF"], "lag_days": [0.25, -1.0, 0.1, 2.0]})
    baseline = pd.DataFrame({"task_id": ["A", "B"], "baseline_start": pd.to_datetime(["2026-03-02", "2026-03-05"]),
                             "baseline_finish": pd.to_datetime(["2026-03-04", "2026-03-09"]),
                             "baseline_cost": [1200.5, 0.0]})
    status = pd.DataFrame({"status_date": pd.Timestamp("2026-03-06"), "task_id": ["A", "B"],
                           "percent_complete": [100.0, 37.5],
                           "actual_start": pd.to_datetime(["2026-03-02", "2026-03-05"]),
                           "actual_finish": pd.to_datetime(["2026-03-04", None]),
                           "actual_cost": [1100.0, 12.5], "remaining_days": [np.nan, 1.75]})
    resources = pd.DataFrame({"resource_id": ["ANN"], "name": ["Ann Lee"], "role_id": ["ENG"],
                              "capacity_units": [0.5], "cost_rate_per_day": [410.0], "calendar_id": ["long"]})
    roles = pd.DataFrame({"role_id": ["ENG", "CREW"], "name": ["Engineer", "Crew"], "cost_rate_per_day": [400.0, 300.0]})
    assignments = pd.DataFrame({"task_id": ["A", "A", "B"], "resource_id": ["ANN", "", ""],
                                "role_id": ["ENG", "CREW", "CREW"], "units": [0.5, 2.0, 1.0]})
    return pmkit.Project(project_id="SMALL", name="Small works", start_date=pd.Timestamp("2026-03-02"),
                         status_date=pd.Timestamp("2026-03-06"), calendar=pmkit.data.calendars.STANDARD,
                         calendars={"long": long_days}, tasks=tasks, dependencies=deps, baseline=baseline,
                         status=status, resources=resources, roles=roles, assignments=assignments)


def test_hand_built_project_round_trips(tmp_path):
    p = _small()
    q = _round_trip(p, tmp_path / "small.xer")
    _check(p, q)
    t = q.tasks.set_index("task_id")
    assert t.loc["C", "name"] == "Cure and dry"  # a tab in a cell would split the row: written as a space
    # A finished with a blank remaining duration: 0; B: its own 1.75 days
    s = q.status.set_index("task_id")
    assert s.loc["A", "remaining_days"] == 0.0 and s.loc["B", "remaining_days"] == 1.75
    assert s.loc["A", "actual_cost"] == 1100.0 and s.loc["B", "actual_cost"] == 12.5
    assert q.resources.loc[0, "cost_rate_per_day"] == pytest.approx(410.0)


def test_file_holds_the_tables_and_fields_p6_needs(tmp_path):
    p = _small()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        out = write_xer(p, tmp_path / "small.xer")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("ERMHDR\t19.12\t") and text.rstrip().endswith("%E")
    tables = parse_xer_tables(text)
    assert list(tables) == ["CURRTYPE", "ROLES", "CALENDAR", "RSRC", "RSRCRATE", "PROJECT", "PROJWBS", "TASK",
                            "TASKPRED", "TASKRSRC", "PROJCOST"]
    for name, df in tables.items():
        assert list(df.columns) == XER_WRITTEN_FIELDS[name]
    task = tables["TASK"].set_index("task_code")
    # durations in hours of the task's calendar: B is 2.5 days of 10 h
    assert task.loc["B", "target_drtn_hr_cnt"] == "25" and task.loc["A", "target_drtn_hr_cnt"] == "24"
    assert task.loc["M", "task_type"] == "TT_FinMile" and task.loc["B", "cstr_type"] == "CS_MSOA"
    assert task.loc["A", "status_code"] == "TK_Complete" and task.loc["B", "status_code"] == "TK_Active"
    assert task.loc["C", "status_code"] == "TK_NotStart" and task.loc["C", "remain_drtn_hr_cnt"] == task.loc[
        "C", "target_drtn_hr_cnt"]
    pred = tables["TASKPRED"]
    # lag hours on the successor's calendar: A -> B 0.25 day of 10 h = 2.5 h; A -> C -1 day and
    # B -> C 0.1 day of C's 8 h = -8 h and 0.8 h; C -> M 2 days of 8 h = 16 h
    assert pred["lag_hr_cnt"].tolist() == ["2.5", "-8", "0.8", "16"]
    assert pred["pred_type"].tolist() == ["PR_FS", "PR_SS", "PR_FF", "PR_SF"]
    # C has no assignment: its budget is an expense
    assert tables["PROJCOST"]["target_cost"].tolist() == ["333.25"]
    assert tables["PROJECT"].loc[0, "last_recalc_date"] == "2026-03-06 00:00"


def test_refuses_to_overwrite_unless_asked(tmp_path):
    p = _small()
    target = tmp_path / "plan.xer"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(PmkitError, match=r"exists; pass overwrite=True"):
        write_xer(p, target)
    assert target.read_text(encoding="utf-8") == "keep me"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        write_xer(p, target, overwrite=True)
    assert read_project_file(target).project_id == "SMALL"
    assert [f.name for f in tmp_path.iterdir()] == ["plan.xer"]  # no temporary file left behind


def test_what_cannot_survive_is_warned_and_follows_the_rule(portfolio, tmp_path):
    base = portfolio.project("P02")
    tasks = base.tasks.copy()
    tasks.loc[tasks.index[1], ["manual", "constraint_date"]] = [True, pd.Timestamp("2026-02-04")]
    p = pmkit.Project(project_id="P02", name=base.name, start_date=base.start_date, calendar=base.calendar,
                      calendars=base.calendars, tasks=tasks, dependencies=base.dependencies)
    with pytest.warns(InteropWarning, match=r"optimistic_days.*manual \(written as Start On"):
        out = write_xer(p, tmp_path / "p.xer")
    q = read_xer(out)
    t = q.tasks.set_index("task_id").loc[tasks["task_id"].iloc[1]]
    assert (bool(t["manual"]), t["constraint_type"], t["constraint_date"]) == (False, "MSO",
                                                                             pd.Timestamp("2026-02-04"))
    assert pmkit.schedule(q).set_index("task_id").loc[tasks["task_id"].iloc[1], "early_start"] == \
        pmkit.schedule(p).set_index("task_id").loc[tasks["task_id"].iloc[1], "early_start"]
