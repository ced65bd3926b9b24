"""MS Project XML (MSPDI): reading, safety, the saved schedule and the write -> read round trip.

Fixtures are small MSPDI documents written here; expected values are worked by hand
from the MSPDI units (durations in minutes, lags in tenths of minutes, 480 minutes a day).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit.errors import PmkitError
from pmkit.interop import InteropWarning, read_project_file
from pmkit.interop.mspdi import (
    mspdi_saved_schedule,
    parse_duration_minutes,
    read_mspdi,
    write_mspdi,
)

STD_DAY = ("<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
           "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes>")


def _week(day_xml: str = STD_DAY, weekend=(1, 7)) -> str:
    days = []
    for dt in range(1, 8):
        if dt in weekend:
            days.append(f"<WeekDay><DayType>{dt}</DayType><DayWorking>0</DayWorking></WeekDay>")
        else:
            days.append(f"<WeekDay><DayType>{dt}</DayType><DayWorking>1</DayWorking>{day_xml}</WeekDay>")
    return "<WeekDays>" + "".join(days) + "</WeekDays>"


CALENDARS = f"""
<Calendars>
  <Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
    {_week()}
    <Exceptions>
      <Exception><EnteredByOccurrences>0</EnteredByOccurrences>
        <TimePeriod><FromDate>2025-12-24T00:00:00</FromDate><ToDate>2025-12-26T23:59:00</ToDate></TimePeriod>
        <Occurrences>1</Occurrences><Name>Christmas</Name><Type>1</Type><DayWorking>0</DayWorking></Exception>
      <Exception><EnteredByOccurrences>1</EnteredByOccurrences>
        <TimePeriod><FromDate>2026-05-01T00:00:00</FromDate><ToDate>2028-05-01T23:59:00</ToDate></TimePeriod>
        <Occurrences>3</Occurrences><Name>May Day</Name><Type>2</Type><Month>4</Month><MonthDay>1</MonthDay>
        <DayWorking>0</DayWorking></Exception>
    </Exceptions>
  </Calendar>
  <Calendar><UID>2</UID><Name>Long days</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
    {_week("<WorkingTimes><WorkingTime><FromTime>20:00:00</FromTime><ToTime>06:00:00</ToTime></WorkingTime></WorkingTimes>", weekend=(1,))}
    <WeekDays><WeekDay><DayType>0</DayType><DayWorking>0</DayWorking>
      <TimePeriod><FromDate>2026-01-02T00:00:00</FromDate><ToDate>2026-01-02T23:59:00</ToDate></TimePeriod></WeekDay></WeekDays>
  </Calendar>
  <Calendar><UID>3</UID><Name>Ann</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID></Calendar>
</Calendars>"""


def _task(uid, name, minutes=480, level=1, summary=0, milestone=0, cal=-1, constraint=0, cdate=None,
          links=(), extra=""):
    h, m = divmod(minutes, 60)
    xml = (f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><WBS>{uid}</WBS>"
           f"<OutlineLevel>{level}</OutlineLevel><Duration>PT{h}H{m}M0S</Duration><DurationFormat>7</DurationFormat>"
           f"<Milestone>{milestone}</Milestone><Summary>{summary}</Summary><CalendarUID>{cal}</CalendarUID>"
           f"<ConstraintType>{constraint}</ConstraintType>")
    if cdate:
        xml += f"<ConstraintDate>{cdate}</ConstraintDate>"
    for pred, typ, lag, fmt in links:
        xml += (f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{typ}</Type>"
                f"<CrossProject>0</CrossProject><LinkLag>{lag}</LinkLag><LagFormat>{fmt}</LagFormat></PredecessorLink>")
    return xml + extra + "</Task>"


TASKS = "".join([
    _task(0, "Whole project", 4800, level=0, summary=1),
    _task(1, "Phase A", 2400, summary=1),
    _task(2, "Dig", 960, level=2,
          extra="<Baseline><Number>0</Number><Start>2025-12-01T08:00:00</Start><Finish>2025-12-02T17:00:00</Finish>"
                "<Cost>1000</Cost></Baseline><Baseline><Number>1</Number><Start>2025-11-01T08:00:00</Start>"
                "<Finish>2025-11-02T17:00:00</Finish><Cost>5</Cost></Baseline>"
                "<PercentComplete>50</PercentComplete><ActualStart>2025-12-01T08:00:00</ActualStart>"
                "<ActualCost>400</ActualCost><RemainingDuration>PT8H0M0S</RemainingDuration>"),
    _task(3, "Pour", 480, level=2, links=[(2, 1, 9600, 7)]),                # FS +2 d
    _task(4, "Cure", 240, level=2, links=[(3, 3, -4800, 7)]),               # SS -1 d (lead), half a day
    _task(5, "Inspect", 0, milestone=1, constraint=7, cdate="2025-12-19T17:00:00",
          links=[(4, 0, 2400, 5)]),                                          # FF +4 h = 0.5 d
    _task(6, "Night shift", 600, cal=2, constraint=4, cdate="2025-12-03T08:00:00",
          links=[(2, 2, 500, 19)]),                                          # SF +50 % of Dig (2 d)
    _task(7, "Paperwork", 480, constraint=2, cdate="2025-12-08T08:00:00",
          links=[(6, 1, 14400, 8)]),                                         # FS +1 elapsed day
    _task(8, "Sign-off", 480, constraint=3, cdate="2025-12-22T17:00:00"),
    _task(9, "Late", 480, constraint=1),
    _task(10, "Snlt", 480, constraint=5, cdate="2025-12-05T08:00:00"),
    _task(11, "Fnet", 480, constraint=6, cdate="2025-12-10T17:00:00"),
])

RESOURCES = """
<Resources>
  <Resource><UID>0</UID><ID>0</ID><Type>1</Type><IsNull>0</IsNull></Resource>
  <Resource><UID>1</UID><ID>1</ID><Name>Ann</Name><Type>1</Type><Group>ENG</Group><MaxUnits>1.00</MaxUnits>
    <StandardRate>50</StandardRate><CalendarUID>3</CalendarUID></Resource>
  <Resource><UID>2</UID><ID>2</ID><Name>Welder</Name><Type>1</Type><IsGeneric>1</IsGeneric><Group>WLD</Group></Resource>
</Resources>
<Assignments>
  <Assignment><UID>1</UID><TaskUID>2</TaskUID><ResourceUID>1</ResourceUID><Units>0.5</Units></Assignment>
  <Assignment><UID>2</UID><TaskUID>3</TaskUID><ResourceUID>2</ResourceUID><Units>2</Units></Assignment>
  <Assignment><UID>3</UID><TaskUID>4</TaskUID><ResourceUID>-65535</ResourceUID><Units>1</Units></Assignment>
</Assignments>"""


def _doc(tasks=TASKS, calendars=CALENDARS, resources=RESOURCES, header="") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Project xmlns="http://schemas.microsoft.com/project"><SaveVersion>14</SaveVersion>'
            f"<Name>bridge.xml</Name><Title>Bridge</Title><StartDate>2025-12-01T08:00:00</StartDate>"
            f"<CalendarUID>1</CalendarUID><MinutesPerDay>480</MinutesPerDay>"
            f"<StatusDate>2025-12-02T17:00:00</StatusDate>{header}"
            f"{calendars}<Tasks>{tasks}</Tasks>{resources}</Project>")


@pytest.fixture()
def bridge(tmp_path):
    path = tmp_path / "bridge.xml"
    path.write_text(_doc(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)  # the 10 h / 8 h mix is reported
        return path, read_mspdi(path)


def _deps(project):
    return {(r.predecessor_id, r.successor_id): (r.type, r.lag_days) for r in project.dependencies.itertuples()}


def test_parse_duration_minutes():
    assert parse_duration_minutes("PT8H0M0S") == 480
    assert parse_duration_minutes("PT1H30M30S") == 90.5
    assert parse_duration_minutes("P1DT2H") == 26 * 60
    assert parse_duration_minutes("-PT4H0M0S") == -240
    assert np.isnan(parse_duration_minutes(""))
    with pytest.raises(ValueError):
        parse_duration_minutes("8 hours")


def test_project_header_and_tasks(bridge):
    _, p = bridge
    assert p.project_id == "bridge" and p.name == "Bridge"
    assert p.start_date == pd.Timestamp("2025-12-01")
    t = p.tasks.set_index("task_id")
    assert "0" not in t.index  # the project summary task is the project itself
    assert t.loc["2", "parent_id"] == "1" and t.loc["1", "parent_id"] == "" and t.loc["5", "parent_id"] == ""
    assert t.loc["2", "duration_days"] == 2.0 and t.loc["4", "duration_days"] == 0.5
    assert bool(t.loc["5", "milestone"]) and t.loc["5", "duration_days"] == 0
    # 600 minutes on a calendar of 10-hour days is one working day of that calendar
    assert t.loc["6", "duration_days"] == pytest.approx(1.0)
    assert t.loc["6", "calendar_id"] == "Long days" and t.loc["2", "calendar_id"] == ""


def test_each_link_type_and_lag_unit(bridge):
    _, p = bridge
    d = _deps(p)
    assert d[("2", "3")] == ("FS", 2.0)            # 9600 tenths of minutes = 960 min = 2 days
    assert d[("3", "4")] == ("SS", -1.0)           # a lead
    assert d[("4", "5")] == ("FF", 0.5)            # 4 hours of an 8-hour day
    assert d[("2", "6")] == ("SF", pytest.approx(1.0))  # 50 % of Dig's 2 days
    assert d[("6", "7")][0] == "FS"
    assert d[("6", "7")][1] == pytest.approx(5 / 7)  # 1 elapsed day ~ 5/7 of a working day


def test_constraints_mapped(bridge):
    _, p = bridge
    t = p.tasks.set_index("task_id")
    expect = {"2": "ASAP", "5": "FNLT", "6": "SNET", "7": "MSO", "8": "MFO", "9": "ALAP", "10": "SNLT",
              "11": "FNET"}
    assert t.loc[list(expect), "constraint_type"].to_dict() == expect
    assert t.loc["5", "constraint_date"] == pd.Timestamp("2025-12-19")
    assert pd.isna(t.loc["9", "constraint_date"])


def test_calendars_with_exceptions(bridge):
    _, p = bridge
    std = p.calendar
    assert std.calendar_id == "Standard" and std.hours_per_day == 8
    hol = {str(h) for h in std.holidays}
    assert {"2025-12-24", "2025-12-25", "2025-12-26"} <= hol
    assert {"2026-05-01", "2027-05-01", "2028-05-01"} <= hol   # yearly recurring exception
    assert "2026-05-02" not in hol and len(hol) == 6
    night = p.calendars["Long days"]
    assert night.workdays == (True, True, True, True, True, True, False)  # Saturday worked
    assert night.hours_per_day == 10                     # 20:00 -> 06:00 crosses midnight
    assert [str(h) for h in night.holidays] == ["2026-01-02"]  # pre-2007 exception format
    # the resource calendar only inherits Standard, so it maps to it instead of a copy
    assert "Ann" not in p.calendars


def test_resources_roles_assignments(bridge):
    _, p = bridge
    r = p.resources.set_index("resource_id")
    assert list(r.index) == ["1"]
    assert r.loc["1", "name"] == "Ann" and r.loc["1", "role_id"] == "ENG"
    assert r.loc["1", "cost_rate_per_day"] == 400  # 50 per hour, 8 hours
    assert set(p.roles["role_id"]) == {"ENG", "WLD"}
    a = p.assignments.set_index("task_id")
    assert a.loc["2", "resource_id"] == "1" and a.loc["2", "units"] == 0.5
    assert a.loc["3", "role_id"] == "WLD" and a.loc["3", "resource_id"] == ""  # generic resource = role
    assert "4" not in a.index  # unassigned placeholder


def test_baseline_and_progress(bridge):
    _, p = bridge
    assert len(p.baseline) == 1
    b = p.baseline.iloc[0]
    assert (b["task_id"], b["baseline_start"], b["baseline_finish"], b["baseline_cost"]) == (
        "2", pd.Timestamp("2025-12-01"), pd.Timestamp("2025-12-02"), 1000)
    assert p.status_date == pd.Timestamp("2025-12-02") and p.state == "active"
    s = p.status.iloc[0]
    assert s["task_id"] == "2" and s["percent_complete"] == 50 and s["actual_cost"] == 400
    assert s["actual_start"] == pd.Timestamp("2025-12-01") and pd.isna(s["actual_finish"])
    assert s["remaining_days"] == 1.0
    assert p.bac == 1000


def test_hours_mix_is_reported(tmp_path):
    path = tmp_path / "mix.xml"
    path.write_text(_doc(calendars=CALENDARS.replace(
        "<DayType>4</DayType><DayWorking>1</DayWorking>" + STD_DAY,
        "<DayType>4</DayType><DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime>"
        "<ToTime>12:00:00</ToTime></WorkingTime></WorkingTimes>", 1)), encoding="utf-8")
    with pytest.warns(InteropWarning, match="different hours on different weekdays"):
        p = read_mspdi(path)
    assert p.calendar.hours_per_day == pytest.approx((4 * 8 + 4) / 5)


def test_namespace_free_file_and_dispatch(tmp_path):
    path = tmp_path / "plain.xml"
    path.write_text(_doc().replace(' xmlns="http://schemas.microsoft.com/project"', ""), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        p = read_project_file(path)
    assert len(p.tasks) == 11 and len(p.dependencies) == 5


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project><Name>&lol3;</Name></Project>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project><Name>&xxe;</Name></Project>"""


@pytest.mark.parametrize("text", [BOMB, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_attacks_are_refused(tmp_path, text):
    path = tmp_path / "evil.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PmkitError, match=r"evil\.xml: refused to parse.*DTD"):
        read_mspdi(path)


def test_bad_files_give_clear_errors(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<Project><Tasks><Task></Tasks></Project>", encoding="utf-8")
    with pytest.raises(PmkitError, match=r"broken\.xml: malformed XML: mismatched tag: line 1"):
        read_mspdi(broken)
    other = tmp_path / "other.xml"
    other.write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(PmkitError, match=r"not an MS Project XML file \(root element is <html>"):
        read_mspdi(other)
    big = tmp_path / "big.xml"
    big.write_text(_doc(), encoding="utf-8")
    with pytest.raises(PmkitError, match="above the limit"):
        read_mspdi(big, max_bytes=1000)
    with pytest.raises(PmkitError, match="file not found"):
        read_mspdi(tmp_path / "missing.xml")
    bad_duration = tmp_path / "dur.xml"
    bad_duration.write_text(_doc(tasks=_task(1, "A").replace("PT8H0M0S", "eight hours")), encoding="utf-8")
    with pytest.raises(PmkitError, match=r"dur\.xml: cannot read MS Project XML: not an ISO 8601 duration"):
        read_mspdi(bad_duration)
    with pytest.raises(PmkitError, match="unknown schedule file type '.mpp'"):
        read_project_file(tmp_path / "plan.mpp")


def test_saved_schedule_working_time_offsets(tmp_path):
    # MS Project writes the end of a working day either as 17:00 or as 08:00 of the next
    # working day; both are offset 1.0 from a Thursday start (Friday 08:00 vs Thursday 17:00)
    tasks = _task(1, "A", extra="<EarlyStart>2025-12-04T08:00:00</EarlyStart><EarlyFinish>2025-12-04T17:00:00"
                               "</EarlyFinish><LateStart>2025-12-05T08:00:00</LateStart><LateFinish>"
                               "2025-12-08T08:00:00</LateFinish><TotalSlack>4800</TotalSlack>"
                               "<FreeSlack>2400</FreeSlack>")
    tasks += _task(2, "B", extra="<EarlyStart>2025-12-04T13:00:00</EarlyStart>")
    path = tmp_path / "saved.xml"
    path.write_text(_doc(tasks=tasks, resources="").replace("2025-12-01T08:00:00</StartDate>",
                                                            "2025-12-04T08:00:00</StartDate>"), encoding="utf-8")
    s = mspdi_saved_schedule(path).set_index("task_id")
    a = s.loc["1"]
    assert (a["early_start_offset_days"], a["early_finish_offset_days"]) == (0.0, 1.0)
    assert (a["late_start_offset_days"], a["late_finish_offset_days"]) == (1.0, 2.0)  # Monday 08:00 = Friday 17:00
    assert (a["total_slack_days"], a["free_slack_days"]) == (1.0, 0.5)
    assert s.loc["2", "early_start_offset_days"] == 0.5  # after the morning's 4 of 8 hours


def _same_calendars(a, b):
    for cid, cal in a.calendars.items():
        if cid == "standard" and cid not in b.calendars:
            continue
        other = b.calendars[cid]
        assert other.workdays == cal.workdays, cid
        assert other.holidays == cal.holidays, cid
        assert other.hours_per_day == pytest.approx(cal.hours_per_day), cid


def test_round_trip_read_write_read(bridge, tmp_path):
    _, p = bridge
    out = write_mspdi(p, tmp_path / "again.xml", schedule=pd.DataFrame(columns=["task_id"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        q = read_mspdi(out, project_id=p.project_id)
    cols = ["task_id", "name", "parent_id", "duration_days", "milestone", "constraint_type", "constraint_date",
            "calendar_id"]
    pd.testing.assert_frame_equal(q.tasks[cols], p.tasks[cols])
    assert _deps(q).keys() == _deps(p).keys()
    for k, (typ, lag) in _deps(p).items():
        # LinkLag is a whole number of tenths of minutes: 1/4800 of an 8-hour day
        assert _deps(q)[k][0] == typ and _deps(q)[k][1] == pytest.approx(lag, abs=1 / 4800)
    _same_calendars(p, q)
    pd.testing.assert_frame_equal(q.baseline, p.baseline)
    assert q.assignments[["task_id", "resource_id", "role_id", "units"]].values.tolist() == \
        p.assignments[["task_id", "resource_id", "role_id", "units"]].values.tolist()
    assert q.resources.loc[0, "cost_rate_per_day"] == pytest.approx(400)
    assert q.status_date == p.status_date
    assert q.status[["task_id", "percent_complete", "actual_start", "actual_cost"]].values.tolist() == \
        p.status[["task_id", "percent_complete", "actual_start", "actual_cost"]].values.tolist()


def test_round_trip_of_a_pmkit_project_keeps_its_ids(tmp_path):
    p = pmkit.synth.project(30, seed=3)
    out = write_mspdi(p, tmp_path / "synth.xml", schedule=pd.DataFrame(columns=["task_id"]))
    text = out.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"')
    assert 'xmlns="http://schemas.microsoft.com/project"' in text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        q = read_mspdi(out)
    assert q.tasks["task_id"].tolist() == p.tasks["task_id"].tolist()  # non-numeric ids kept in Text1
    np.testing.assert_allclose(q.tasks["duration_days"], p.tasks["duration_days"], atol=1e-6)
    a = p.dependencies.sort_values(["predecessor_id", "successor_id"]).reset_index(drop=True)
    b = q.dependencies.sort_values(["predecessor_id", "successor_id"]).reset_index(drop=True)
    assert a[["predecessor_id", "successor_id", "type"]].equals(b[["predecessor_id", "successor_id", "type"]])
    np.testing.assert_allclose(b["lag_days"], a["lag_days"], atol=1e-4)  # whole tenths of minutes
    _same_calendars(p, q)
    assert len(q.assignments) == len(p.assignments)
    pd.testing.assert_series_equal(q.baseline["baseline_cost"], p.baseline["baseline_cost"], check_names=False)


def test_manual_tasks_read_scheduled_and_written_back(tmp_path):
    # Task 1 is manual, put on Wed 3 Dec (its Start, offset 2); its SS +1 d successor 2
    # (2 days) runs Thu 4 - Fri 5 Dec (offsets 3..5). Task 3 (5 days) also ends at offset 5.
    # Through its SS link the manual task gets the project finish as late finish (Fri 5 Dec):
    # TF = 5 - 3 = 2 (an automatic task would get LF = LS_2 - 1 + 1 = 3, TF 0).
    tasks = "".join([
        _task(1, "Manual", 480, extra="<Manual>1</Manual><Start>2025-12-03T08:00:00</Start>"
                                      "<ManualStart>2025-12-03T08:00:00</ManualStart>"),
        _task(2, "Auto", 960, links=[(1, 3, 4800, 7)]),
        _task(3, "Long", 2400),
    ])
    path = tmp_path / "manual.xml"
    path.write_text(_doc(tasks, resources=""), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        p = read_mspdi(path)
    t = p.tasks.set_index("task_id")
    assert t["manual"].tolist() == [True, False, False]
    assert t.loc["1", "constraint_date"] == pd.Timestamp("2025-12-03")
    s = pmkit.schedule(p).set_index("task_id")
    assert s.loc["1", "early_start"] == pd.Timestamp("2025-12-03")
    assert s.loc["2", "early_start"] == pd.Timestamp("2025-12-04")
    assert s.loc["1", "late_finish"] == pd.Timestamp("2025-12-05")
    assert s.loc["1", "total_float_days"] == 2.0
    out = write_mspdi(p, tmp_path / "again.xml")
    assert out.read_text(encoding="utf-8").count("<Manual>1</Manual>") == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        q = read_mspdi(out, project_id=p.project_id)
    cols = ["task_id", "manual", "constraint_type", "constraint_date"]
    pd.testing.assert_frame_equal(q.tasks[cols], p.tasks[cols])


def test_manual_tasks_and_milestones_do_not_move_over_round_trips(tmp_path):
    # Manual milestones at the start of a day (Wed 3 Dec 08:00) and at its end (Fri 5 Dec
    # 17:00, and Tue 23 Dec 17:00 before the Christmas holidays 24-26 Dec), a manual task, and
    # automatic tasks and a milestone after it. A Start at the end of the working day is the
    # same point of working time as the start of the next working day, which pmkit keeps as
    # the manual task's constraint_date (Mon 8 Dec; Mon 29 Dec after the holidays and the
    # weekend). Before the fix the writer wrote the schedule's display date of a pinned
    # milestone (the day before, at its end) at 08:00, and each round trip moved it one
    # working day earlier.
    manual = "<Manual>1</Manual><Start>{}</Start>"
    tasks = "".join([
        _task(1, "Kick-off", 0, milestone=1, extra=manual.format("2025-12-03T08:00:00")),
        _task(2, "Sign-off", 0, milestone=1, extra=manual.format("2025-12-05T17:00:00")),
        _task(3, "Manual work", 960, extra=manual.format("2025-12-09T08:00:00")),
        _task(4, "Auto work", 480, links=[(3, 1, 0, 7)]),
        _task(5, "Auto done", 0, milestone=1, links=[(4, 1, 0, 7)]),
        _task(6, "Before the break", 0, milestone=1, extra=manual.format("2025-12-23T17:00:00")),
    ])
    path = tmp_path / "manual.xml"
    path.write_text(_doc(tasks, resources=""), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        first = read_mspdi(path, project_id="M")
    t = first.tasks.set_index("task_id")
    assert t["constraint_date"].loc[["1", "2", "3", "6"]].tolist() == [
        pd.Timestamp("2025-12-03"), pd.Timestamp("2025-12-08"), pd.Timestamp("2025-12-09"),
        pd.Timestamp("2025-12-29")]
    sched = pmkit.schedule(first)
    s = sched.set_index("task_id")
    assert s.loc["3", "early_start"] == pd.Timestamp("2025-12-09")
    assert s.loc["4", "early_start"] == pd.Timestamp("2025-12-11")  # after 2 days Tue-Wed
    assert s.loc["5", "early_start"] == pd.Timestamp("2025-12-11")  # at the end of Thursday
    # a pinned milestone at the start of Mon 8 Dec is shown at the end of Fri 5 Dec (17:00 as written)
    assert s.loc["2", "early_start"] == pd.Timestamp("2025-12-05")
    project, starts = first, None
    for k in range(4):
        out = write_mspdi(project, tmp_path / f"trip{k}.xml")
        text = out.read_text(encoding="utf-8")
        written = re.findall(r"<Manual>1</Manual><Start>([^<]+)</Start><Finish>([^<]+)</Finish>", text)
        assert len(written) == 4
        if starts is not None:
            assert written == starts  # the file itself no longer changes
        starts = written
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InteropWarning)
            project = read_mspdi(out, project_id="M")
        pd.testing.assert_frame_equal(project.tasks, first.tasks)
        pd.testing.assert_frame_equal(pmkit.schedule(project), sched)
    # a manual milestone starts and finishes at the same instant, the start of its day
    assert starts[0] == ("2025-12-03T08:00:00", "2025-12-03T08:00:00")
    assert starts[1] == ("2025-12-08T08:00:00", "2025-12-08T08:00:00")
