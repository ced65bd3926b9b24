"""Primavera P6 XML (PMXML): reading tasks, links, calendars, progress, resources and the baseline.

The fixture is a small PMXML document written here; the expected values are worked by hand
from PMXML's units (hours, percentages as fractions, WorkTime finishes at the last minute).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit.errors import PmkitError
from pmkit.interop import InteropWarning, read_project_file
from pmkit.interop.pmxml import pmxml_project_ids, read_pmxml


def _week(spans: str, days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")) -> str:
    out = []
    for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        body = spans if d in days else ""
        out.append(f"<StandardWorkHours><DayOfWeek>{d}</DayOfWeek>{body}</StandardWorkHours>")
    return "<StandardWorkWeek>" + "".join(out) + "</StandardWorkWeek>"


def _wt(start: str, finish: str) -> str:
    return f"<WorkTime><Start>{start}</Start><Finish>{finish}</Finish></WorkTime>"


CALENDARS = (
    "<Calendar><ObjectId>1</ObjectId><Name>Standard</Name><HoursPerDay>8</HoursPerDay><IsDefault>1</IsDefault>"
    f"{_week(_wt('08:00:00', '11:59:00') + _wt('13:00:00', '16:59:00'))}"
    "<HolidayOrExceptions><HolidayOrException><Date>2026-03-13T00:00:00</Date></HolidayOrException>"
    f"<HolidayOrException><Date>2026-03-14T00:00:00</Date>{_wt('08:00:00', '11:59:00')}</HolidayOrException>"
    "</HolidayOrExceptions></Calendar>"
    "<Calendar><ObjectId>2</ObjectId><Name>Long days</Name><HoursPerDay>10</HoursPerDay>"
    f"{_week(_wt('07:00:00', '11:59:00') + _wt('13:00:00', '17:59:00'), days=('Monday', 'Tuesday', 'Wednesday', 'Thursday'))}"
    "</Calendar>"
)

RESOURCES = (
    "<Role><ObjectId>50</ObjectId><Id>ENG</Id><Name>Engineer</Name></Role>"
    "<Resource><ObjectId>7</ObjectId><Id>ANN</Id><Name>Ann Lee</Name><CalendarObjectId>2</CalendarObjectId>"
    "<DefaultUnitsPerTime>0.5</DefaultUnitsPerTime><PrimaryRoleObjectId>50</PrimaryRoleObjectId></Resource>"
    "<ResourceRate><ResourceObjectId>7</ResourceObjectId><PricePerUnit>50</PricePerUnit>"
    "<EffectiveDate>2027-01-01T00:00:00</EffectiveDate></ResourceRate>"
    "<ResourceRate><ResourceObjectId>7</ResourceObjectId><PricePerUnit>41</PricePerUnit>"
    "<EffectiveDate>2026-01-01T00:00:00</EffectiveDate></ResourceRate>"
)


def _activity(oid, code, name, wbs, hours, *, kind="Task Dependent", cal="", status="Not Started",
              extra="") -> str:
    cal_xml = f"<CalendarObjectId>{cal}</CalendarObjectId>" if cal else ""
    return (f"<Activity><ObjectId>{oid}</ObjectId><Id>{code}</Id><Name>{name}</Name><WBSObjectId>{wbs}</WBSObjectId>"
            f"<Type>{kind}</Type>{cal_xml}<PlannedDuration>{hours}</PlannedDuration><Status>{status}</Status>"
            f"{extra}</Activity>")


def _link(pred, succ, kind="Finish to Start", lag=0) -> str:
    return (f"<Relationship><PredecessorActivityObjectId>{pred}</PredecessorActivityObjectId>"
            f"<SuccessorActivityObjectId>{succ}</SuccessorActivityObjectId><Type>{kind}</Type><Lag>{lag}</Lag>"
            "</Relationship>")


def _planned(start, finish) -> str:
    return f"<PlannedStartDate>{start}T08:00:00</PlannedStartDate><PlannedFinishDate>{finish}T17:00:00</PlannedFinishDate>"


ACTIVITIES = "".join([
    _activity(1001, "A1", "Excavate", 11, 24, status="Completed", extra=_planned("2026-03-02", "2026-03-04")
              + "<ActualStartDate>2026-03-02T08:00:00</ActualStartDate>"
                "<ActualFinishDate>2026-03-04T17:00:00</ActualFinishDate><RemainingDuration>0</RemainingDuration>"),
    _activity(1002, "A2", "Pour", 11, 25, cal=2, status="In Progress", extra=_planned("2026-03-05", "2026-03-09")
              + "<PercentCompleteType>Physical</PercentCompleteType><PhysicalPercentComplete>0.4</PhysicalPercentComplete>"
                "<ActualStartDate>2026-03-05T07:00:00</ActualStartDate><RemainingDuration>15</RemainingDuration>"
                "<PrimaryConstraintType>Start On or After</PrimaryConstraintType>"
                "<PrimaryConstraintDate>2026-03-05T07:00:00</PrimaryConstraintDate>"),
    _activity(1003, "A3", "Inspect", 10, 8, extra="<PrimaryConstraintType>Finish On or Before</PrimaryConstraintType>"
              "<PrimaryConstraintDate>2026-03-20T17:00:00</PrimaryConstraintDate>"),
    _activity(1004, "M1", "Handover", 10, 0, kind="Finish Milestone"),
])

ASSIGNMENTS = (
    "<ResourceAssignment><ObjectId>1</ObjectId><ActivityObjectId>1001</ActivityObjectId>"
    "<ResourceObjectId>7</ResourceObjectId><PlannedUnitsPerTime>0.5</PlannedUnitsPerTime>"
    "<PlannedCost>1000</PlannedCost><ActualCost>950</ActualCost></ResourceAssignment>"
    "<ResourceAssignment><ObjectId>2</ObjectId><ActivityObjectId>1002</ActivityObjectId>"
    "<RoleObjectId>50</RoleObjectId><PlannedUnitsPerTime>2</PlannedUnitsPerTime>"
    "<PlannedCost>500</PlannedCost><ActualCost>100</ActualCost></ResourceAssignment>"
    "<ActivityExpense><ObjectId>1</ObjectId><ActivityObjectId>1003</ActivityObjectId><PlannedCost>300</PlannedCost>"
    "</ActivityExpense>"
    "<ActivityExpense><ObjectId>2</ObjectId><ActivityObjectId>1001</ActivityObjectId><PlannedCost>200</PlannedCost>"
    "<ActualCost>150</ActualCost></ActivityExpense>"
)

WBS = ("<WBS><ObjectId>10</ObjectId><ParentObjectId>100</ParentObjectId><Code>CIV</Code><Name>Civil</Name></WBS>"
       "<WBS><ObjectId>11</ObjectId><ParentObjectId>10</ParentObjectId><Code>FND</Code><Name>Foundations</Name></WBS>")

BASELINE = (
    "<BaselineProject><ObjectId>200</ObjectId><Id>BRIDGE-B1</Id><Name>Bridge baseline</Name>"
    + _activity(2001, "A1", "Excavate", 0, 24, extra=_planned("2026-02-23", "2026-02-25"))
    + _activity(2002, "A2", "Pour", 0, 24, extra=_planned("2026-02-26", "2026-03-02"))
    + _activity(2004, "M1", "Handover", 0, 0, kind="Finish Milestone", extra=_planned("2026-03-10", "2026-03-10"))
    + "<ResourceAssignment><ObjectId>9</ObjectId><ActivityObjectId>2001</ActivityObjectId>"
      "<ResourceObjectId>7</ResourceObjectId><PlannedCost>900</PlannedCost></ResourceAssignment>"
      "<ActivityExpense><ObjectId>9</ObjectId><ActivityObjectId>2001</ActivityObjectId>"
      "<PlannedCost>150</PlannedCost></ActivityExpense>"
    + "</BaselineProject>"
)


def _project(pid="BRIDGE", oid=100, links=None, activities=ACTIVITIES, baseline_ref="200", extra="") -> str:
    links = links if links is not None else (_link(1001, 1002, lag=4) + _link(1002, 1003, "Start to Start", 8)
                                              + _link(1003, 1004))
    ref = f"<CurrentBaselineProjectObjectId>{baseline_ref}</CurrentBaselineProjectObjectId>" if baseline_ref else ""
    return (f"<Project><ObjectId>{oid}</ObjectId><Id>{pid}</Id><Name>Bridge</Name>"
            "<PlannedStartDate>2026-03-02T08:00:00</PlannedStartDate><DataDate>2026-03-06T17:00:00</DataDate>"
            f"<ActivityDefaultCalendarObjectId>1</ActivityDefaultCalendarObjectId>{ref}{extra}"
            f"{WBS}{activities}{links}{ASSIGNMENTS}</Project>")


def _doc(projects=None, baseline=BASELINE, head='<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    projects = projects if projects is not None else _project()
    return (f'{head}<APIBusinessObjects xmlns="http://xmlns.oracle.com/Primavera/P6/V19.12/API/BusinessObjects">'
            f"{CALENDARS}{RESOURCES}{projects}{baseline}</APIBusinessObjects>")


@pytest.fixture()
def bridge(tmp_path):
    path = tmp_path / "bridge.xml"
    path.write_text(_doc(), encoding="utf-8")
    with pytest.warns(InteropWarning, match=r"1 working exception"):
        return path, read_pmxml(path)


def test_tasks_durations_constraints_and_wbs(bridge):
    _, p = bridge
    assert (p.project_id, p.name, p.start_date) == ("BRIDGE", "Bridge", pd.Timestamp("2026-03-02"))
    t = p.tasks.set_index("task_id")
    # A2: 25 h on the 10-hour calendar = 2.5 days; A1 24 h / 8 = 3; M1 a milestone
    assert t["duration_days"].tolist() == [3.0, 2.5, 1.0, 0.0]
    assert t["wbs"].tolist() == ["CIV.FND", "CIV.FND", "CIV", "CIV"]
    assert t["milestone"].tolist() == [False, False, False, True]
    assert t["constraint_type"].tolist() == ["ASAP", "SNET", "FNLT", "ASAP"]
    assert t.loc["A2", "constraint_date"] == pd.Timestamp("2026-03-05")
    assert t["calendar_id"].tolist() == ["", "Long days", "", ""]
    # budget: assignments' PlannedCost plus expenses: A1 1000 + 200, A2 500, A3 300 (an expense)
    assert t["budget_cost"].tolist() == [1200.0, 500.0, 300.0, 0.0]


def test_links_lags_on_the_successor_calendar(bridge):
    _, p = bridge
    expected = pd.DataFrame({"predecessor_id": ["A1", "A2", "A3"], "successor_id": ["A2", "A3", "M1"],
                             "type": ["FS", "SS", "FS"], "lag_days": [0.4, 1.0, 0.0]})  # 4 h of 10, 8 h of 8
    pd.testing.assert_frame_equal(p.dependencies.drop(columns="project_id"), expected, check_dtype=False)


def test_calendars_from_work_weeks_and_exceptions(bridge):
    _, p = bridge
    std, long_days = p.calendars["Standard"], p.calendars["Long days"]
    assert p.calendar is std or p.calendar.calendar_id == "Standard"
    assert std.workdays == (True,) * 5 + (False,) * 2 and std.hours_per_day == 8.0
    assert std.holidays == (np.datetime64("2026-03-13"),)  # 14 March has working time: ignored (warned)
    assert long_days.workdays == (True,) * 4 + (False,) * 3 and long_days.hours_per_day == 10.0


def test_progress_at_the_data_date(bridge):
    _, p = bridge
    assert p.status_date == pd.Timestamp("2026-03-06") and p.state == "active"
    expected = pd.DataFrame({
        "status_date": pd.Timestamp("2026-03-06"), "task_id": ["A1", "A2"], "percent_complete": [100.0, 40.0],
        "actual_start": pd.to_datetime(["2026-03-02", "2026-03-05"]),
        "actual_finish": pd.to_datetime(["2026-03-04", None]),
        "actual_cost": [1100.0, 100.0],  # 950 + expense 150; 100
        "remaining_days": [0.0, 1.5],  # 15 h of the 10-hour calendar
    })
    expected = expected.astype({c: "datetime64[ns]" for c in ("status_date", "actual_start", "actual_finish")})
    pd.testing.assert_frame_equal(p.status[expected.columns], expected, check_dtype=False)


def test_resources_and_assignments(bridge):
    _, p = bridge
    r = p.resources.iloc[0]
    assert (r["resource_id"], r["name"], r["role_id"], r["capacity_units"], r["calendar_id"]) == (
        "ANN", "Ann Lee", "ENG", 0.5, "Long days")
    assert r["cost_rate_per_day"] == pytest.approx(410.0)  # the first rate (2026) 41/h x 10 h
    assert p.roles[["role_id", "name"]].values.tolist() == [["ENG", "Engineer"]]
    assert p.assignments[["task_id", "resource_id", "role_id", "units"]].values.tolist() == [
        ["A1", "ANN", "", 0.5], ["A2", "", "ENG", 2.0]]


def test_baseline_from_the_current_baseline_project(bridge):
    _, p = bridge
    expected = pd.DataFrame({"task_id": ["A1", "A2", "M1"],
                             "baseline_start": pd.to_datetime(["2026-02-23", "2026-02-26", "2026-03-10"]),
                             "baseline_finish": pd.to_datetime(["2026-02-25", "2026-03-02", "2026-03-10"]),
                             "baseline_cost": [1050.0, 0.0, 0.0]})  # A1: 900 + expense 150
    expected = expected.astype({c: "datetime64[ns]" for c in ("baseline_start", "baseline_finish")})
    pd.testing.assert_frame_equal(p.baseline.drop(columns="project_id"), expected, check_dtype=False)
    assert p.bac == 1050.0
    # it schedules like any project; the finished A1 keeps its actual dates
    s = pmkit.schedule(p).set_index("task_id")
    assert s.loc["A1", "early_finish"] == pd.Timestamp("2026-03-04")


def test_without_a_baseline_project_the_planned_dates_are_the_baseline(tmp_path):
    path = tmp_path / "plain.xml"
    path.write_text(_doc(_project(baseline_ref=""), baseline=""), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        p = read_pmxml(path)
    assert p.baseline["task_id"].tolist() == ["A1", "A2"]
    assert p.baseline["baseline_cost"].tolist() == [1200.0, 500.0]  # the budget, as for XER
    path.write_text(_doc(_project(baseline_ref="999"), baseline=""), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)  # the calendar's warning, re-emitted by pytest.warns
        with pytest.warns(InteropWarning, match=r"baseline project 999 .* not in the file"):
            assert read_pmxml(path).baseline["task_id"].tolist() == ["A1", "A2"]


def test_several_projects_and_read_project_file(tmp_path):
    path = tmp_path / "two.xml"
    path.write_text(_doc(_project() + _project("OTHER", 101, links="", baseline_ref="")), encoding="utf-8")
    assert pmxml_project_ids(path) == ["BRIDGE", "OTHER"]
    with pytest.raises(PmkitError, match=r"holds 2 projects.*BRIDGE, OTHER"):
        read_pmxml(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        assert read_pmxml(path, "101").project_id == "OTHER"
        # .xml: told apart from MS Project XML by the root element
        assert read_project_file(path, "BRIDGE").baseline["baseline_cost"].sum() == 1050.0
        mspdi = pmkit.write_mspdi(read_pmxml(path, "BRIDGE"), tmp_path / "ms.xml")
        assert read_project_file(mspdi).tasks["task_id"].tolist() == ["A1", "A2", "A3", "M1"]
    with pytest.raises(PmkitError, match=r"no project 'NOPE' in the file \(it holds: BRIDGE, OTHER\)"):
        read_pmxml(path, "NOPE")


@pytest.mark.parametrize(("doc", "message"), [
    (_doc(head='<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n'), r"refused to parse"),
    (_doc().replace("</APIBusinessObjects>", ""), r"malformed XML"),
    (_doc().replace("Finish On or Before", "Finish Sometime"),
     r"activity A3 \(Inspect\): unknown PrimaryConstraintType 'Finish Sometime'"),
    (_doc().replace("<Type>Start to Start</Type>", "<Type>Start to Middle</Type>"),
     r"link A2 -> A3: unknown Relationship Type 'Start to Middle'"),
    (_doc().replace("<Lag>4</Lag>", "<Lag>4e12</Lag>"), r"link A1 -> A2: Lag 4e\+12 hours .* beyond the limit"),
    (_doc().replace("<PlannedDuration>8</PlannedDuration>", "<PlannedDuration>eight</PlannedDuration>"),
     r"activity A3 \(Inspect\): PlannedDuration 'eight' is not a number"),
    ('<?xml version="1.0"?><Project><Name>x</Name></Project>', r"not a Primavera P6 XML file \(root element is <Project>"),
])
def test_bad_files_are_clear_errors(tmp_path, doc, message):
    path = tmp_path / "bad.xml"
    path.write_text(doc, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        with pytest.raises(PmkitError, match=message):
            read_pmxml(path)


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.xml"
    path.write_text(_doc(), encoding="utf-8")
    with pytest.raises(PmkitError, match=r"above the limit"):
        read_pmxml(path, max_bytes=100)


def test_docs_example(tmp_path):
    # docs/interop.md, "Primavera P6 XML (PMXML)": the example's figures
    path = tmp_path / "bridge.xml"
    path.write_text(_doc(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        p = pmkit.interop.read_project_file(path)
    assert p.tasks.loc[p.tasks["task_id"] == "A2", "duration_days"].item() == 2.5
    assert p.baseline.set_index("task_id").loc["A1", ["baseline_start", "baseline_cost"]].tolist() == [
        pd.Timestamp("2026-02-23"), 1050.0]
    assert p.status.set_index("task_id").loc["A2", ["percent_complete", "remaining_days"]].tolist() == [40.0, 1.5]
