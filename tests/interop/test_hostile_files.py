"""Hostile and damaged schedule files (issue 17): bounded work, clear errors, no tracebacks.

Every fixture is a small file written here. Values beyond ``pmkit.data.schema.LIMITS``
must be refused by name before anything is sized by them; damaged files must give a
``PmkitError`` naming the file (and the activity or link) or load with a one-line warning.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings

import pandas as pd
import pytest

import pmkit
from pmkit.data.calendars import Calendar
from pmkit.errors import PmkitError
from pmkit.interop import InteropWarning, read_project_file
from pmkit.interop.mspdi import read_mspdi
from pmkit.interop.psplib import parse_psplib
from pmkit.interop.xer import read_xer

GB = 1024 ** 3
HDR = "ERMHDR\t8.4\t2025-01-01\tProject\tadmin\tAdmin\tdbx\tProject Management\tUSD"
TASK_FIELDS = ["task_id", "proj_id", "wbs_id", "task_code", "task_name", "task_type", "target_drtn_hr_cnt",
               "remain_drtn_hr_cnt", "cstr_type", "cstr_date", "status_code", "act_start_date"]


# --------------------------------------------------------------------------- fixtures

def _table(name, fields, rows):
    return [f"%T\t{name}", "%F\t" + "\t".join(fields)] + ["%R\t" + "\t".join(r) for r in rows]


def _xer(*, dur="16", lag="8", ptype="PR_FS", cstr="", cdate="", start="2025-12-01 08:00", rem="16",
         act_start="", wbs=None, end=True) -> str:
    lines = [HDR]
    lines += _table("PROJECT", ["proj_id", "proj_short_name", "plan_start_date"], [["1", "BRIDGE", start]])
    if wbs:
        lines += _table("PROJWBS", ["wbs_id", "proj_id", "proj_node_flag", "wbs_short_name", "wbs_name",
                                    "parent_wbs_id"], wbs)
    lines += _table("TASK", TASK_FIELDS, [
        ["1", "1", "11", "A100", "Excavate", "TT_Task", dur, rem, cstr, cdate, "TK_NotStart", act_start],
        ["2", "1", "12", "A110", "Pour", "TT_Task", "8", "8", "", "", "TK_NotStart", ""],
    ])
    lines += _table("TASKPRED", ["task_pred_id", "task_id", "pred_task_id", "proj_id", "pred_proj_id",
                                 "pred_type", "lag_hr_cnt"], [["1", "2", "1", "1", "1", ptype, lag]])
    if end:
        lines.append("%E")
    return "\r\n".join(lines) + "\r\n"


def _task(uid, name, dur="PT8H0M0S", links="", level=1, extra=""):
    return (f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>{level}</OutlineLevel>"
            f"<Duration>{dur}</Duration>{extra}{links}</Task>")


def _link(pred, typ="1", lag="0", fmt="7"):
    return (f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{typ}</Type>"
            f"<LinkLag>{lag}</LinkLag><LagFormat>{fmt}</LagFormat></PredecessorLink>")


def _mspdi(tasks="", start="2025-12-01T08:00:00", encoding="UTF-8", header="") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            f'<Project xmlns="http://schemas.microsoft.com/project"><Name>plan.xml</Name>'
            f"<StartDate>{start}</StartDate><MinutesPerDay>480</MinutesPerDay>{header}"
            f"<Tasks>{tasks}</Tasks></Project>")


def _two(links="", first_extra="", dur="PT8H0M0S"):
    return _task(1, "Dig", dur=dur, extra=first_extra) + _task(2, "Pour", links=links)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _read_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        return read_project_file(path)


# --------------------------------------------------------------------------- 1. bounded work

_CHILD = textwrap.dedent("""
    import json, resource, sys, warnings
    warnings.simplefilter("ignore")
    import pmkit
    from pmkit.interop import read_project_file
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        pmkit.schedule(read_project_file(sys.argv[1]))
        out = {"error": None}
    except pmkit.errors.PmkitError as exc:
        out = {"error": str(exc)}
    except BaseException as exc:  # anything else is a failure the test reports
        out = {"error": None, "crash": f"{type(exc).__name__}: {exc}"}
    out["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["before_kb"] = before
    print(json.dumps(out))
""")


def _limit_memory():  # a regression must fail the test, not take the machine down
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (8 * GB, 8 * GB))


def _run_isolated(path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                          timeout=300, preexec_fn=_limit_memory)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "crash" not in out, out["crash"]
    assert out["peak_kb"] * 1024 < GB, f"peak memory {out['peak_kb'] / 1024:.0f} MB"
    return out


BEYOND_LIMITS = {
    # 1.5 KB of MSPDI with a lag of 1e12 minutes (LinkLag is in tenths of minutes)
    "mspdi_lag_1e12_minutes": ("plan.xml", _mspdi(_two(links=_link(1, lag="10000000000000"))),
                               ["plan.xml", "link task 1 (Dig) -> task 2 (Pour)", "LinkLag", "10000000000000"]),
    "mspdi_duration": ("plan.xml", _mspdi(_two(dur="PT99999999999H0M0S")),
                       ["plan.xml", "task 1 (Dig)", "Duration", "PT99999999999H0M0S"]),
    "mspdi_remaining": ("plan.xml", _mspdi(_two(first_extra="<PercentComplete>10</PercentComplete>"
                                                "<RemainingDuration>PT80000000000H0M0S</RemainingDuration>")),
                        ["plan.xml", "task 1 (Dig)", "RemainingDuration"]),
    "xer_duration_1e9_days": ("export.xer", _xer(dur="8e9"),
                              ["export.xer", "activity A100 (Excavate)", "target_drtn_hr_cnt", "8e+09"]),
    "xer_lag_1e7_days": ("export.xer", _xer(lag="80000000"),
                         ["export.xer", "link A100 (Excavate) -> A110 (Pour)", "lag_hr_cnt", "8e+07"]),
    "xer_remaining_1e8_days": ("export.xer", _xer(rem="800000000"),
                               ["export.xer", "activity A100 (Excavate)", "remain_drtn_hr_cnt"]),
}


@pytest.mark.parametrize("case", list(BEYOND_LIMITS))
def test_values_beyond_limits_are_refused_by_name_with_bounded_memory(tmp_path, case):
    name, text, expected = BEYOND_LIMITS[case]
    out = _run_isolated(_write(tmp_path, name, text))
    assert out["error"] is not None, "the file was accepted"
    for part in expected:
        assert part in out["error"], (part, out["error"])
    assert "LIMITS" in out["error"] and "\n" not in out["error"]


def _chain(calendar_of_last=""):
    tasks = pd.DataFrame({"task_id": ["A", "B", "C"], "name": ["Dig", "Pour", "Cure"],
                          "duration_days": [5.0, 30_000.0, 30_000.0], "calendar_id": ["", "", calendar_of_last]})
    deps = pd.DataFrame({"predecessor_id": ["A", "B"], "successor_id": ["B", "C"], "type": ["FS", "FS"],
                         "lag_days": [0.0, 20_000.0]})
    cals = {"night": Calendar("night", "Night", (True,) * 7)} if calendar_of_last else {}
    return pmkit.Project(project_id="X", name="X", start_date=pd.Timestamp("2025-01-06"), tasks=tasks,
                         dependencies=deps, calendars=cals)


@pytest.mark.parametrize("calendar", ["", "night"], ids=["one_calendar", "two_calendars"])
def test_schedule_refuses_dates_beyond_the_limits(calendar):
    # each value is within its limit, but together they run past 2199-12-31
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(PmkitError, match=r"project X: task C \(Cure\) would be scheduled outside the dates .*"
                                         r"1900-01-01 to 2199-12-31"):
        pmkit.schedule(_chain(calendar))
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    assert grown < GB


def test_schedule_refuses_a_project_built_in_code_beyond_the_limits():
    tasks = pd.DataFrame({"task_id": ["A", "B"], "name": ["Dig", "Pour"], "duration_days": [1e9, 1.0]})
    deps = pd.DataFrame({"predecessor_id": ["A"], "successor_id": ["B"], "type": ["FS"], "lag_days": [0.0]})
    prj = pmkit.Project(project_id="X", name="X", start_date=pd.Timestamp("2025-01-06"), tasks=tasks,
                        dependencies=deps, validate=False)
    with pytest.raises(PmkitError, match=r"project X: task A \(Dig\): duration_days 1e\+09 is beyond the limit"):
        pmkit.schedule(prj)
    prj = pmkit.Project(project_id="X", name="X", start_date=pd.Timestamp("2025-01-06"),
                        tasks=tasks.assign(duration_days=[1.0, 1.0]),
                        dependencies=deps.assign(lag_days=[-5e7]), validate=False)
    with pytest.raises(PmkitError, match=r"project X: link A -> B: lag_days -5e\+07 is beyond the limit"):
        pmkit.schedule(prj)


def test_calendar_offsets_beyond_the_limits_are_refused():
    with pytest.raises(PmkitError, match="calendar standard: an offset of 1e\\+12 working days"):
        pmkit.data.calendars.STANDARD.add_working_days("2025-01-06", 10 ** 12)
    assert str(pmkit.data.calendars.STANDARD.add_working_days("2025-01-06", 5)) == "2025-01-13"


def test_psplib_beyond_limits():
    with pytest.raises(PmkitError, match=r"j\.sm: the header announces 1000000000000 jobs"):
        parse_psplib("jobs (incl. supersource/sink ):  1000000000000\n", "j.sm")


# --------------------------------------------------------------------------- 2. no tracebacks

def test_truncated_xer_in_the_middle_of_a_row(tmp_path):
    text = _xer(end=False)
    cut = text[: text.rindex("PR_FS") + 3]  # the last TASKPRED row loses its last cells
    path = _write(tmp_path, "cut.xer", cut)
    with pytest.warns(InteropWarning, match=r"cut\.xer: the file ends without the %E end line.* table TASKPRED "
                                            r"\(line \d+\) is incomplete and was left out"):
        prj = read_xer(path)
    assert len(prj.tasks) == 2 and prj.dependencies.empty


def test_truncated_xer_in_the_middle_of_a_table(tmp_path):
    text = _xer()
    path = _write(tmp_path, "cut.xer", text[: text.index("%T\tTASK\r\n") + 8])  # TASK has its %T line only
    with pytest.warns(InteropWarning, match="ends without the %E end line"):
        prj = read_xer(path)
    assert prj.tasks.empty  # loads empty, with the warnings
    path = _write(tmp_path, "cut2.xer", text[: text.index("%T\tTASK")])
    with pytest.raises(PmkitError, match=r"cut2\.xer: the XER file has no TASK table"):
        read_xer(path)


def test_xer_table_without_fields(tmp_path):
    rows = [HDR, "%T\tPROJECT", "%R\t1\tBRIDGE", "%E"]
    with pytest.raises(PmkitError, match=r"nofields\.xer, line 3: row of table 'PROJECT' before its %F"):
        read_xer(_write(tmp_path, "nofields.xer", "\r\n".join(rows)))
    rows = [HDR, *_table("PROJECT", ["proj_id", "proj_short_name", "plan_start_date"],
                         [["1", "BRIDGE", "2025-12-01 08:00"]]), "%T\tTASK", "%E"]
    with pytest.warns(InteropWarning, match=r"table\(s\) TASK have a %T line but no %F field list"):
        prj = read_xer(_write(tmp_path, "nofields2.xer", "\r\n".join(rows)))
    assert prj.tasks.empty


def test_unknown_xml_encoding(tmp_path):
    path = _write(tmp_path, "enc.xml", _mspdi(_two(), encoding="x-unknown"))
    with pytest.raises(PmkitError, match=r"enc\.xml: cannot read the XML: unknown encoding: x-unknown"):
        read_mspdi(path)


@pytest.mark.parametrize("kind", ["mspdi", "xer"])
def test_file_without_tasks_loads_with_a_warning(tmp_path, kind):
    if kind == "mspdi":
        path = _write(tmp_path, "empty.xml", _mspdi(""))
    else:
        rows = [HDR, *_table("PROJECT", ["proj_id", "proj_short_name", "plan_start_date"],
                             [["1", "BRIDGE", "2025-12-01 08:00"]]), *_table("TASK", TASK_FIELDS, []), "%E"]
        path = _write(tmp_path, "empty.xer", "\r\n".join(rows))
    with pytest.warns(InteropWarning, match=rf"{path.name}: project \w+ has no tasks"):
        prj = read_project_file(path)
    assert prj.tasks.empty
    assert pmkit.schedule(prj).empty


def test_project_built_in_code_without_tasks():
    prj = pmkit.Project(project_id="E", name="Empty", start_date=pd.Timestamp("2025-01-06"), tasks=pd.DataFrame())
    assert pmkit.schedule(prj).empty
    assert pmkit.earned_value(prj).empty


DATES = {
    "mspdi_before_1900": ("plan.xml", _mspdi(_two(), start="1500-12-01T08:00:00"),
                          r"plan\.xml: project: StartDate '1500-12-01T08:00:00' is outside the dates"),
    "mspdi_after_2262": ("plan.xml", _mspdi(_two(), start="2500-01-01T08:00:00"),
                         r"plan\.xml: project: StartDate '2500-01-01T08:00:00' is outside the dates"),
    "mspdi_actual_start": ("plan.xml", _mspdi(_two(first_extra="<ActualStart>9999-01-01T08:00:00</ActualStart>"
                                                   "<PercentComplete>5</PercentComplete>")),
                           r"plan\.xml: task 1 \(Dig\): ActualStart '9999-01-01T08:00:00' is outside"),
    "xer_start": ("export.xer", _xer(start="2500-01-01 08:00"),
                  r"export\.xer: project BRIDGE: plan_start_date '2500-01-01 08:00' is outside the dates"),
    "xer_constraint": ("export.xer", _xer(cstr="CS_MSOA", cdate="1500-01-01 08:00"),
                       r"export\.xer: activity A100 \(Excavate\): cstr_date '1500-01-01 08:00' is outside"),
    "xer_actual": ("export.xer", _xer(act_start="3000-01-01 08:00"),
                   r"export\.xer: activity A100 \(Excavate\): act_start_date '3000-01-01 08:00' is outside"),
}


@pytest.mark.parametrize("case", list(DATES))
def test_dates_outside_the_limits(tmp_path, case):
    name, text, message = DATES[case]
    with pytest.raises(PmkitError, match=message + r".*1900-01-01 to 2199-12-31"):
        _read_quietly(_write(tmp_path, name, text))


@pytest.mark.parametrize("kind", ["mspdi", "xer"])
def test_dates_with_time_zone_offsets(tmp_path, kind):
    if kind == "mspdi":
        path = _write(tmp_path, "tz.xml", _mspdi(_two(), start="2025-12-01T08:00:00+02:00"))
    else:
        path = _write(tmp_path, "tz.xer", _xer(start="2025-12-01T08:00:00-05:00"))
    with pytest.warns(InteropWarning, match=r"1 date\(s\) carry a time zone offset .*offsets ignored"):
        prj = read_project_file(path)
    assert prj.start_date == pd.Timestamp("2025-12-01")
    assert pmkit.schedule(prj)["early_start"].min() == pd.Timestamp("2025-12-01")


def test_mspdi_outline_inconsistencies(tmp_path):
    tasks = (_task(1, "Dig", level=3, extra="<OutlineNumber>1.1.1</OutlineNumber>")
             + _task(2, "Phase", level=1, extra="<Summary>1</Summary><OutlineNumber>2</OutlineNumber>")
             + _task(3, "Pour", level=2, extra="<OutlineNumber>7</OutlineNumber>"))
    path = _write(tmp_path, "outline.xml", _mspdi(tasks))
    with pytest.warns(InteropWarning, match=r"outline\.xml: 2 task\(s\) with an OutlineLevel or OutlineNumber .*"
                                            r"first: task 1 \(Dig\)"):
        prj = read_mspdi(path)
    assert prj.tasks.set_index("task_id")["parent_id"].to_dict() == {"1": "", "2": "", "3": "2"}
    assert len(pmkit.schedule(prj)) == 3


def test_xer_wbs_parent_cycle(tmp_path):
    wbs = [["10", "1", "Y", "BRIDGE", "Bridge", ""], ["11", "1", "N", "CIV", "Civil", "12"],
           ["12", "1", "N", "FND", "Foundations", "11"]]
    path = _write(tmp_path, "cycle.xer", _xer(wbs=wbs))
    with pytest.warns(InteropWarning, match=r"cycle\.xer: WBS parent cycle 11 -> 12 -> 11"):
        prj = read_xer(path)
    assert len(pmkit.schedule(prj)) == 2


# --------------------------------------------------------------------------- 3. unknown codes

CODES = {
    "mspdi_link_type_9": ("plan.xml", _mspdi(_two(links=_link(1, typ="9"))),
                          r"plan\.xml: link task 1 \(Dig\) -> task 2 \(Pour\).*unknown Type '9' "
                          r"\(known codes: 0 FF, 1 FS, 2 SF, 3 SS\)"),
    "mspdi_constraint_42": ("plan.xml", _mspdi(_two(first_extra="<ConstraintType>42</ConstraintType>")),
                            r"plan\.xml: task 1 \(Dig\): unknown ConstraintType '42' \(known codes: 0 ASAP, "
                            r"1 ALAP, .*7 FNLT\)"),
    "mspdi_lag_abc": ("plan.xml", _mspdi(_two(links=_link(1, lag="abc"))),
                      r"plan\.xml: link task 1 \(Dig\) -> task 2 \(Pour\): LinkLag 'abc' is not a number"),
    "xer_pred_type": ("export.xer", _xer(ptype="PR_XY"),
                      r"export\.xer: link A100 \(Excavate\) -> A110 \(Pour\): unknown pred_type 'PR_XY' "
                      r"\(known: PR_FS, PR_SS, PR_FF, PR_SF\)"),
    "xer_cstr_type": ("export.xer", _xer(cstr="CS_BOGUS", cdate="2025-12-05 08:00"),
                      r"export\.xer: activity A100 \(Excavate\): unknown cstr_type 'CS_BOGUS' \(known: CS_ALAP, "
                      r".*CS_MSOB, or blank for none\)"),
    "xer_lag_abc": ("export.xer", _xer(lag="abc"),
                    r"export\.xer: link A100 \(Excavate\) -> A110 \(Pour\): lag_hr_cnt 'abc' is not a number"),
}


@pytest.mark.parametrize("case", list(CODES))
def test_unknown_codes_are_errors(tmp_path, case):
    name, text, message = CODES[case]
    with pytest.raises(PmkitError, match=message):
        _read_quietly(_write(tmp_path, name, text))


# --------------------------------------------------------------------------- 4. warnings

def test_warnings_are_one_line_with_ids(tmp_path):
    wbs = [["10", "1", "Y", "BRIDGE", "Bridge", ""], ["11", "1", "N", "CIV", "Civil", "12"],
           ["12", "1", "N", "FND", "Foundations", "11"]]
    path = _write(tmp_path, "w.xer", _xer(wbs=wbs, start="2025-12-01T08:00:00+01:00", end=False))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_xer(path)
    shown = [warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line) for w in caught
             if issubclass(w.category, InteropWarning)]
    assert len(shown) == 3
    for line in shown:
        assert line.startswith("warning: w.xer: ") and line.endswith("\n") and line.count("\n") == 1
    assert any("11 -> 12 -> 11" in line for line in shown)
    assert any("project BRIDGE, plan_start_date" in line for line in shown)


def test_a_lost_table_line_is_a_located_error(tmp_path):
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import fuzz_driver

    text = fuzz_driver._mini_xer().replace("%T\tTASK\n", "")
    f = tmp_path / "lost.xer"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(PmkitError, match=r"lost\.xer, line \d+: a second %F field list for table 'PROJWBS'"):
        read_xer(f)
