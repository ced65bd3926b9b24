"""Hand-worked schedules: link types, lags, calendars, constraints, progress, floats.

Unless said otherwise the project starts on Monday 2025-01-06 on a Mon-Fri calendar, so
working-day offset 0 is Mon 6 Jan, 4 is Fri 10 Jan, 5 is Mon 13 Jan.
"""

from __future__ import annotations

import pandas as pd
import pytest

import pmkit
from pmkit.data.calendars import Calendar
from pmkit.data.model import Project
from pmkit.errors import CycleError, PmkitError
from pmkit.project.scheduling import (
    compile_network,
    critical_path,
    longest_path,
    project_finish,
    resource_loading,
    schedule,
)


def make(tasks, links=(), start="2025-01-06", holidays=(), calendars=(), deadline=None, status=None,
         status_date=None, validate=True, **kw) -> Project:
    cal = Calendar("standard", holidays=holidays)
    rows = [{"name": t["task_id"], **t} for t in tasks]
    deps = pd.DataFrame([dict(zip(("predecessor_id", "successor_id", "type", "lag_days"), link, strict=False))
                         for link in links], columns=["predecessor_id", "successor_id", "type", "lag_days"])
    return Project(project_id="P", name="test", start_date=pd.Timestamp(start), calendar=cal,
                   calendars={c.calendar_id: c for c in (cal, *calendars)}, deadline=deadline,
                   tasks=pd.DataFrame(rows), dependencies=deps,
                   status=None if status is None else pd.DataFrame(status), status_date=status_date,
                   validate=validate, **kw)


def row(df, task):
    return df.set_index("task_id").loc[task]


def d(s):
    return pd.Timestamp(s)


def dates(df, task):
    r = row(df, task)
    return str(r.early_start.date()), str(r.early_finish.date())


# ----------------------------------------------------------------------------- link types

@pytest.mark.parametrize("kind, lag, b_start, b_finish", [
    ("FS", 0, "2025-01-09", "2025-01-10"),   # A ends Wed 8 (offset 3): B offsets 3..5
    ("FS", 2, "2025-01-13", "2025-01-14"),   # + 2 working days over the weekend
    ("FS", -1, "2025-01-08", "2025-01-09"),  # lead of one day
    ("SS", 1, "2025-01-07", "2025-01-08"),
    ("FF", 0, "2025-01-07", "2025-01-08"),   # B finishes with A: EF_B = 3, ES_B = 1
    ("FF", 2, "2025-01-09", "2025-01-10"),
    ("SF", 4, "2025-01-08", "2025-01-09"),   # EF_B >= ES_A + 4 = 4
    ("SF", 0, "2025-01-06", "2025-01-07"),   # would start before the project: held at its start
])
def test_link_types_and_lags(kind, lag, b_start, b_finish):
    prj = make([{"task_id": "A", "duration_days": 3}, {"task_id": "B", "duration_days": 2}],
               [("A", "B", kind, lag)])
    df = schedule(prj)
    assert dates(df, "A") == ("2025-01-06", "2025-01-08")
    assert dates(df, "B") == (b_start, b_finish)


def test_negative_start_to_start_lag():
    prj = make([{"task_id": "X", "duration_days": 2}, {"task_id": "A", "duration_days": 3},
                {"task_id": "B", "duration_days": 1}], [("X", "A", "FS", 0), ("A", "B", "SS", -1)])
    df = schedule(prj)
    assert dates(df, "B") == ("2025-01-07", "2025-01-07")   # ES_A = 2, ES_B = 1
    assert row(df, "B").total_float_days == pytest.approx(3.0)  # may finish with A at offset 5


# ----------------------------------------------------------------------------- floats

def diamond():
    #  A(3) ---------> C(2)
    #  B(1) -> D(1) -->/
    return make([{"task_id": t, "duration_days": x} for t, x in (("A", 3), ("B", 1), ("D", 1), ("C", 2))],
                [("A", "C", "FS", 0), ("B", "D", "FS", 0), ("D", "C", "FS", 0)])


def test_total_and_free_float_and_driving_predecessor():
    df = schedule(diamond())
    tf = row(df, "B").total_float_days, row(df, "D").total_float_days, row(df, "A").total_float_days
    assert tf == (1.0, 1.0, 0.0)
    assert row(df, "B").free_float_days == 0.0      # delaying B delays D
    assert row(df, "D").free_float_days == 1.0
    assert row(df, "C").driving_predecessor == "A"
    assert row(df, "D").driving_predecessor == "B"
    assert row(df, "A").driving_predecessor == ""
    assert df["critical"].tolist() == [True, False, False, True]
    assert (row(df, "B").late_start, row(df, "B").late_finish) == (d("2025-01-07"), d("2025-01-07"))
    assert df.attrs["project_finish"] == d("2025-01-10")
    assert df.attrs["project_length_days"] == 5.0


def test_critical_and_longest_path():
    prj = diamond()
    cp = critical_path(prj)
    assert cp["task_id"].tolist() == ["A", "C"] and cp["path"].tolist() == [1, 1]
    assert longest_path(prj)["task_id"].tolist() == ["A", "C"]
    assert project_finish(prj) == d("2025-01-10")


def test_two_critical_paths_are_numbered():
    prj = make([{"task_id": t, "duration_days": 2} for t in "ABCD"], [("A", "B", "FS", 0), ("C", "D", "FS", 0)])
    cp = critical_path(prj)
    assert sorted(cp.groupby("path")["task_id"].apply(list).tolist()) == [["A", "B"], ["C", "D"]]


# ----------------------------------------------------------------------------- calendars

def test_weekend_and_holiday():
    # starts Thu 2 Jan 2025; Mon 6 Jan is a holiday
    prj = make([{"task_id": "A", "duration_days": 3}, {"task_id": "B", "duration_days": 1}],
               [("A", "B", "FS", 0)], start="2025-01-02", holidays=("2025-01-06",))
    df = schedule(prj)
    assert dates(df, "A") == ("2025-01-02", "2025-01-07")  # Thu, Fri, (weekend, holiday) Tue
    assert dates(df, "B") == ("2025-01-08", "2025-01-08")


def test_task_calendar_and_lag_in_successor_calendar():
    six = Calendar("six", workdays=(True,) * 6 + (False,), holidays=("2025-01-06",))
    prj = make([{"task_id": "A", "duration_days": 2}, {"task_id": "B", "duration_days": 2, "calendar_id": "six"},
                {"task_id": "C", "duration_days": 1}, {"task_id": "E", "duration_days": 1},
                {"task_id": "F", "duration_days": 1, "calendar_id": "six"}],
               [("A", "B", "FS", 0), ("B", "C", "FS", 0), ("E", "F", "FS", 1)],
               start="2025-01-02", holidays=("2025-01-06",), calendars=(six,))
    df = schedule(prj)
    assert dates(df, "A") == ("2025-01-02", "2025-01-03")
    assert dates(df, "B") == ("2025-01-04", "2025-01-07")   # Sat 4 and (Mon 6 holiday) Tue 7
    assert row(df, "B").calendar_id == "six" and row(df, "A").calendar_id == "standard"
    assert dates(df, "C") == ("2025-01-08", "2025-01-08")
    # E ends Thu 2; one day of lag in F's Mon-Sat calendar skips Fri 3: F works Sat 4
    assert dates(df, "F") == ("2025-01-04", "2025-01-04")
    assert row(df, "B").total_float_days == 0.0 and row(df, "C").critical


def test_fractional_durations():
    prj = make([{"task_id": "A", "duration_days": 1.5}, {"task_id": "B", "duration_days": 1}], [("A", "B", "FS", 0)])
    df = schedule(prj)
    assert dates(df, "A") == ("2025-01-06", "2025-01-07")
    assert dates(df, "B") == ("2025-01-07", "2025-01-08")   # starts mid-Tuesday
    assert df.attrs["project_length_days"] == 2.5


def test_milestones():
    prj = make([{"task_id": "A", "duration_days": 3}, {"task_id": "M", "duration_days": 0, "milestone": True},
                {"task_id": "B", "duration_days": 2}, {"task_id": "K", "duration_days": 0, "milestone": True}],
               [("A", "M", "FS", 0), ("M", "B", "FS", 0)])
    df = schedule(prj)
    assert dates(df, "M") == ("2025-01-08", "2025-01-08")   # at A's finish, like MS Project
    assert dates(df, "B") == ("2025-01-09", "2025-01-10")
    assert dates(df, "K") == ("2025-01-06", "2025-01-06")   # kick-off at the project start
    assert row(df, "M").milestone and row(df, "M").critical
    assert row(df, "K").total_float_days == 5.0


# ----------------------------------------------------------------------------- constraints

@pytest.mark.parametrize("ctype, cdate, start, finish", [
    ("SNET", "2025-01-08", "2025-01-08", "2025-01-09"),
    ("FNET", "2025-01-10", "2025-01-09", "2025-01-10"),
    ("MSO", "2025-01-13", "2025-01-13", "2025-01-14"),
    ("MFO", "2025-01-10", "2025-01-09", "2025-01-10"),
])
def test_start_and_finish_constraints(ctype, cdate, start, finish):
    prj = make([{"task_id": "A", "duration_days": 2, "constraint_type": ctype, "constraint_date": cdate}])
    df = schedule(prj)
    assert dates(df, "A") == (start, finish)
    assert row(df, "A").total_float_days == 0.0


def test_finish_no_later_than_gives_float_to_its_date():
    prj = make([{"task_id": "A", "duration_days": 2},
                {"task_id": "B", "duration_days": 2, "constraint_type": "FNLT", "constraint_date": "2025-01-14"},
                {"task_id": "C", "duration_days": 10}], [("A", "B", "FS", 0)])
    df = schedule(prj)
    assert row(df, "B").total_float_days == 3.0     # may finish Tue 14 (offset 7) instead of offset 4
    assert row(df, "B").late_finish == d("2025-01-14")
    assert row(df, "A").total_float_days == 3.0


def test_start_no_later_than_conflict_gives_negative_float():
    prj = make([{"task_id": "A", "duration_days": 5},
                {"task_id": "B", "duration_days": 1, "constraint_type": "SNLT", "constraint_date": "2025-01-08"}],
               [("A", "B", "FS", 0)])
    df = schedule(prj)
    assert dates(df, "B") == ("2025-01-08", "2025-01-08")    # the constraint wins over the link
    assert row(df, "A").total_float_days == -3.0              # A should finish by Tue 7
    assert row(df, "A").critical and row(df, "B").critical


def test_finish_no_later_than_conflict_and_mso_conflict():
    prj = make([{"task_id": "A", "duration_days": 5, "constraint_type": "FNLT", "constraint_date": "2025-01-08"},
                {"task_id": "X", "duration_days": 4},
                {"task_id": "Y", "duration_days": 1, "constraint_type": "MSO", "constraint_date": "2025-01-08"}],
               [("X", "Y", "FS", 0)])
    df = schedule(prj)
    assert dates(df, "A") == ("2025-01-06", "2025-01-10")    # cannot start before the project
    assert row(df, "A").total_float_days == -2.0
    assert dates(df, "Y") == ("2025-01-08", "2025-01-08")    # mandatory date kept
    assert row(df, "X").total_float_days == -2.0


def test_as_late_as_possible():
    prj = make([{"task_id": "A", "duration_days": 3}, {"task_id": "B", "duration_days": 1, "constraint_type": "ALAP"},
                {"task_id": "C", "duration_days": 2}], [("A", "C", "FS", 0), ("B", "C", "FS", 0)])
    df = schedule(prj)
    assert dates(df, "B") == ("2025-01-08", "2025-01-08")
    assert row(df, "B").total_float_days == 0.0 and row(df, "B").free_float_days == 0.0


@pytest.mark.parametrize("deadline, tf", [("2025-01-08", -2.0), ("2025-01-31", 0.0)])
def test_deadline(deadline, tf):
    prj = make([{"task_id": "A", "duration_days": 5}], deadline=pd.Timestamp(deadline))
    df = schedule(prj)
    assert row(df, "A").total_float_days == tf
    assert row(df, "A").critical


def test_missing_constraint_date_is_a_clear_error():
    # validation reports it for pmkit data; projects built unvalidated (interop) reach the scheduler
    prj = make([{"task_id": "A", "duration_days": 2, "constraint_type": "SNET"}], validate=False)
    with pytest.raises(PmkitError, match="constraint_date.*A"):
        schedule(prj)


# ----------------------------------------------------------------------------- progress

def chain(status, status_date="2025-01-10"):
    return make([{"task_id": "A", "duration_days": 4}, {"task_id": "B", "duration_days": 4},
                 {"task_id": "C", "duration_days": 2}, {"task_id": "D", "duration_days": 1}],
                [("A", "B", "FS", 0), ("B", "C", "FS", 0)],
                status=[{"project_id": "P", "status_date": d(status_date), **s} for s in status],
                status_date=d(status_date))


def test_progress_finished_in_progress_not_started():
    prj = chain([{"task_id": "A", "percent_complete": 100, "actual_start": d("2025-01-06"),
                  "actual_finish": d("2025-01-09")},
                 {"task_id": "B", "percent_complete": 25, "actual_start": d("2025-01-10")}])
    df = schedule(prj)
    assert dates(df, "A") == ("2025-01-06", "2025-01-09")
    assert row(df, "A").progress == "finished" and not row(df, "A").critical
    assert dates(df, "B") == ("2025-01-10", "2025-01-15")     # 3 days remain from Mon 13
    assert row(df, "B").remaining_days == 3.0
    assert dates(df, "C") == ("2025-01-16", "2025-01-17")
    assert dates(df, "D") == ("2025-01-13", "2025-01-13")     # not started: after the status date
    assert df.attrs["status_date"] == d("2025-01-10")


@pytest.mark.parametrize("mode, b_finish", [("retained_logic", "2025-01-16"), ("progress_override", "2025-01-14")])
def test_retained_logic_and_progress_override(mode, b_finish):
    # B started out of sequence while A is half done
    prj = chain([{"task_id": "A", "percent_complete": 50, "actual_start": d("2025-01-06")},
                 {"task_id": "B", "percent_complete": 50, "actual_start": d("2025-01-09")}])
    df = schedule(prj, progress=mode)
    assert dates(df, "A") == ("2025-01-06", "2025-01-14")
    assert dates(df, "B") == ("2025-01-09", b_finish)


def test_explicit_remaining_and_status_date_argument():
    prj = chain([{"task_id": "A", "percent_complete": 50, "actual_start": d("2025-01-06"), "remaining_days": 1}])
    df = schedule(prj)
    assert dates(df, "A") == ("2025-01-06", "2025-01-13")
    later = schedule(prj, status_date="2025-01-17")   # same records, later data date
    assert dates(later, "A") == ("2025-01-06", "2025-01-20")


# ----------------------------------------------------------------------------- structure

def test_cycle_error_names_tasks():
    prj = make([{"task_id": t, "duration_days": 1} for t in "ABCD"],
               [("A", "B", "FS", 0), ("B", "C", "FS", 0), ("C", "A", "SS", 0), ("C", "D", "FS", 0)],
               validate=False)
    with pytest.raises(CycleError, match=r"project P: dependency cycle between tasks A -> B -> C -> A"):
        schedule(prj)


def test_summary_tasks_roll_up_and_links_to_summaries_expand():
    prj = make([{"task_id": "S", "duration_days": 0}, {"task_id": "A", "duration_days": 2, "parent_id": "S"},
                {"task_id": "B", "duration_days": 3, "parent_id": "S"}, {"task_id": "Z", "duration_days": 1},
                {"task_id": "Y", "duration_days": 1}],
               [("A", "B", "FS", 0), ("S", "Z", "FS", 0), ("Y", "S", "FS", 0)])
    df = schedule(prj)
    s = row(df, "S")
    assert s.summary and (s.early_start, s.early_finish) == (d("2025-01-07"), d("2025-01-13"))
    assert s.duration_days == 5 and s.critical
    assert dates(df, "Z") == ("2025-01-14", "2025-01-14")   # after the whole summary
    assert dates(df, "A") == ("2025-01-07", "2025-01-08")   # the link into S holds its children


def test_empty_project():
    prj = make([])
    assert schedule(prj).empty


# ----------------------------------------------------------------------------- resource loading

def test_resource_loading_hand_worked():
    prj = make([{"task_id": "A", "duration_days": 5}, {"task_id": "B", "duration_days": 2}], [("A", "B", "FS", 0)],
               assignments=pd.DataFrame({"task_id": ["A", "B"], "role_id": ["dev", "dev"], "units": [2.0, 0.5]}),
               roles=pd.DataFrame({"role_id": ["dev"]}),
               resources=pd.DataFrame({"resource_id": ["u1"], "name": ["Ann"], "role_id": ["dev"],
                                       "capacity_units": [1.0]}))
    load = resource_loading(prj, freq="W")
    assert load["period_start"].tolist() == [d("2025-01-06"), d("2025-01-13")]
    assert load["demand_days"].tolist() == [10.0, 1.0]         # 2 x 5 days; 0.5 x 2 days
    assert load["capacity_days"].tolist() == [5.0, 5.0]
    assert load["overloaded"].tolist() == [True, False]
    assert load["utilization"].tolist() == [2.0, 0.2]


def test_sample_like_synthetic_project():
    prj = pmkit.synth.project(120, seed=9)
    df = pmkit.schedule(prj)
    leaf = df[df["progress"] != "finished"]
    assert (leaf["early_finish"] >= leaf["early_start"]).all()
    assert (df["total_float_days"] >= df["free_float_days"] - 1e-9).all()
    assert df["critical"].any()
    lp = longest_path(prj)
    assert lp["early_finish"].max() == df.attrs["project_finish"]


# ----------------------------------------------------------------------------- manual tasks
# A manually scheduled task (MS Project) keeps the start it was given, its constraint_date.
# In the backward pass, links that leave its start (SS, SF) do not limit its late finish:
# MS Project gives it the project finish through them (saved MSPDI files; MPXJ's
# MicrosoftScheduler does the same for SS). X (10 days) makes the project finish at offset
# 10, Fri 17 Jan; offset 7 is Wed 15 Jan.

def _manual_pair(kind, lag, manual, dur_b):
    a = {"task_id": "A", "duration_days": 2, "manual": manual}
    if manual:
        a["constraint_date"] = d("2025-01-06")
    return make([a, {"task_id": "B", "duration_days": dur_b}, {"task_id": "X", "duration_days": 10}],
                [("A", "B", kind, lag)])


@pytest.mark.parametrize("kind, lag, dur_b, auto, manual", [
    # B offsets 1..4, LS_B = 7: automatic LF_A = LS_B - 1 + d_A = 8 (Wed 15), TF 6; manual LF 10, TF 8
    ("SS", 1, 3, ("2025-01-15", 6.0), ("2025-01-17", 8.0)),
    # EF_B >= ES_A + 4: automatic LF_A = LF_B - 4 + d_A = 8, TF 6; manual LF 10, TF 8
    ("SF", 4, 1, ("2025-01-15", 6.0), ("2025-01-17", 8.0)),
    # links from the finish bind a manual task too: LF_A = LF_B - 2 = 8
    ("FF", 2, 3, ("2025-01-15", 6.0), ("2025-01-15", 6.0)),
    # LF_A = LS_B = 10 - 3 = 7 (Tue 14), TF 5
    ("FS", 0, 3, ("2025-01-14", 5.0), ("2025-01-14", 5.0)),
])
def test_manual_task_late_finish_through_start_links(kind, lag, dur_b, auto, manual):
    for is_manual, want in ((False, auto), (True, manual)):
        r = row(schedule(_manual_pair(kind, lag, is_manual, dur_b)), "A")
        assert (str(r.late_finish.date()), r.total_float_days) == want, (kind, is_manual)
        assert dates(schedule(_manual_pair(kind, lag, is_manual, dur_b)), "A") == ("2025-01-06", "2025-01-07")


def test_manual_task_keeps_its_start_against_logic():
    # A runs 0..3; M (manual, 2 days) was put on Tue 7 Jan: it stays there (offsets 1..3).
    # Project finish 3: LF_M = 3, TF_M = 0; LF_A = LS_M = 1, so A shows TF = 1 - 3 = -2.
    prj = make([{"task_id": "A", "duration_days": 3},
                {"task_id": "M", "duration_days": 2, "manual": True, "constraint_date": d("2025-01-07")}],
               [("A", "M", "FS", 0)])
    df = schedule(prj)
    assert dates(df, "M") == ("2025-01-07", "2025-01-08")
    assert row(df, "M").total_float_days == 0.0
    assert row(df, "A").total_float_days == -2.0


def test_manual_task_ignores_its_constraint_type_and_without_a_date_follows_logic():
    # Manual "MSO Wed 8 Jan": starts Wed 8 but keeps its float (10 - 3 = 7); an automatic MSO
    # task would be pinned in the backward pass too (LS = 2, TF 0).
    tasks = [{"task_id": "M", "duration_days": 1, "manual": True, "constraint_type": "MSO",
              "constraint_date": d("2025-01-08")},
             {"task_id": "C", "duration_days": 1, "constraint_type": "MSO", "constraint_date": d("2025-01-08")},
             {"task_id": "A", "duration_days": 3},
             {"task_id": "N", "duration_days": 2, "manual": True},
             {"task_id": "X", "duration_days": 10}]
    df = schedule(make(tasks, [("A", "N", "FS", 0)]))
    assert dates(df, "M") == dates(df, "C") == ("2025-01-08", "2025-01-08")
    assert (row(df, "M").total_float_days, row(df, "C").total_float_days) == (7.0, 0.0)
    assert dates(df, "N") == ("2025-01-09", "2025-01-10")  # no date: placed by its link from A
    net = compile_network(make(tasks))
    assert net.manual.tolist() == [True, False, False, True, False]
