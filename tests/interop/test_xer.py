"""Primavera P6 XER: tables, calendars, links, progress and the quirks of real exports.

The fixture is a small two-project export written here (tab-separated, Windows-1252);
expected values are worked by hand from P6's units (hours, 8 or 10 hours a day).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from pmkit.errors import PmkitError
from pmkit.interop import InteropWarning, read_project_file
from pmkit.interop.xer import (
    parse_clndr_data,
    parse_xer_tables,
    read_xer,
    read_xer_projects,
    xer_project_ids,
)

STD = ("(0||CalendarData()((0||DaysOfWeek()((0||1()())"
       + "".join(f"(0||{d}()((0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())))" for d in range(2, 7))
       + "(0||7()())))(0||Exceptions()((0||0(d|46016)())(0||1(d|46017)())"
       "(0||2(d|46024)((0||0(s|08:00|f|12:00)())))))))")
# 10-hour days Monday to Thursday, written finish-first as some P6 versions do; no exceptions
LONG = ("(0||CalendarData()((0||DaysOfWeek()((0||1()())"
        + "".join(f"(0||{d}()((0||0(f|17:00|s|07:00)())))" for d in range(2, 6))
        + "(0||6()())(0||7()())))))")


def _table(name, fields, rows):
    lines = [f"%T\t{name}", "%F\t" + "\t".join(fields)]
    lines += ["%R\t" + "\t".join(r) for r in rows]
    return lines


def _xer(*, pred_rows=None, with_wbs=True, with_rsrc=True, sched_lag="rcal_Predecessor") -> str:
    lines = ["ERMHDR\t8.4\t2025-01-01\tProject\tadmin\tAdmin\tdbx\tProject Management\tUSD"]
    lines += _table("PROJECT", ["proj_id", "proj_short_name", "clndr_id", "plan_start_date", "last_recalc_date"],
                    [["101", "BRIDGE", "1", "2025-12-01 08:00", "2025-12-03 00:00"],
                     ["202", "TUNNEL", "2", "2026-01-05 07:00", ""]])
    lines += _table("CALENDAR", ["clndr_id", "default_flag", "clndr_name", "proj_id", "base_clndr_id",
                                 "clndr_type", "day_hr_cnt", "clndr_data"],
                    [["1", "Y", "Standard", "", "", "CA_Base", "8", STD],
                     ["2", "N", "Long days", "202", "", "CA_Project", "10", LONG],
                     ["3", "N", "Ann's", "", "1", "CA_Rsrc", "", ""]])
    if sched_lag:
        lines += _table("SCHEDOPTIONS", ["schedoptions_id", "proj_id", "sched_calendar_on_relationship_lag"],
                        [["1", "101", sched_lag]])
    if with_wbs:
        lines += _table("PROJWBS", ["wbs_id", "proj_id", "proj_node_flag", "wbs_short_name", "wbs_name",
                                    "parent_wbs_id"],
                        [["10", "101", "Y", "BRIDGE", "Caf\u00e9 \u2013 Br\u00fccke", ""],
                         ["11", "101", "N", "CIV", "Civil", "10"], ["12", "101", "N", "FND", "Foundations", "11"]])
    task_fields = ["task_id", "proj_id", "wbs_id", "clndr_id", "phys_complete_pct", "complete_pct_type",
                   "task_type", "status_code", "task_code", "task_name", "remain_drtn_hr_cnt",
                   "act_work_qty", "remain_work_qty", "target_drtn_hr_cnt", "cstr_date", "act_start_date",
                   "act_end_date", "target_start_date", "target_end_date", "cstr_type"]
    lines += _table("TASK", task_fields, [
        ["1", "101", "12", "1", "0", "CP_Drtn", "TT_Task", "TK_Complete", "A100", "Excavate", "0", "", "", "16",
         "", "2025-12-01 08:00", "2025-12-02 17:00", "2025-12-01 08:00", "2025-12-02 17:00", ""],
        ["2", "101", "12", "1", "40", "CP_Phys", "TT_Task", "TK_Active", "A110", "Pour", "12", "", "", "24",
         "2025-12-03 08:00", "2025-12-03 08:00", "", "2025-12-03 08:00", "2025-12-05 17:00", "CS_MSOA"],
        ["3", "101", "11", "1", "0", "CP_Units", "TT_Task", "TK_Active", "A120", "Cure", "20", "10", "30", "20",
         "2025-12-19 17:00", "2025-12-03 08:00", "", "", "", "CS_MEOB"],
        ["4", "101", "11", "", "", "", "TT_FinMile", "TK_NotStart", "A130", "Handover", "0", "", "", "0",
         "2025-12-22 17:00", "", "", "", "", "CS_MANDFIN"],
        ["5", "101", "11", "1", "", "CP_Drtn", "TT_Task", "TK_NotStart", "A140", "Paint", "8", "", "", "8",
         "", "", "", "", "", "CS_ALAP"],
        # a short row: trailing empty fields left out, as some exports do
        ["6", "101", "11", "1", "", "CP_Drtn", "TT_Task", "TK_NotStart", "A150", "Tidy up", "8", "", "", "8"],
        ["7", "202", "", "2", "0", "CP_Drtn", "TT_Task", "TK_NotStart", "T10", "Bore", "50", "", "", "50",
         "", "", "", "", "", ""],
        ["8", "202", "", "2", "0", "CP_Drtn", "TT_Mile", "TK_NotStart", "T20", "Breakthrough", "0", "", "",
         "0", "", "", "", "", "", ""],
    ])
    if pred_rows is None:
        pred_rows = [["1", "2", "1", "101", "101", "PR_FS", "4.5"],    # fractional hours
                     ["2", "3", "2", "101", "101", "PR_SS", "-8"],     # a lead
                     ["3", "4", "3", "101", "101", "PR_FF", ""],       # empty lag
                     ["4", "5", "1", "101", "101", "PR_SF", "16"],
                     ["5", "6", "5", "101", "101", "PR_FS", "0"],
                     ["6", "8", "7", "202", "202", "PR_FS", "5"],      # 5 h of a 10-hour day
                     ["7", "7", "6", "202", "101", "PR_FS", "0"]]      # across projects
    lines += _table("TASKPRED", ["task_pred_id", "task_id", "pred_task_id", "proj_id", "pred_proj_id",
                                 "pred_type", "lag_hr_cnt"], pred_rows)
    if with_rsrc:
        lines += _table("ROLES", ["role_id", "role_short_name", "role_name"], [["900", "ENG", "Engineer"]])
        lines += _table("RSRC", ["rsrc_id", "rsrc_short_name", "rsrc_name", "clndr_id", "def_qty_per_hr"],
                        [["50", "ANN", "Ann Example", "3", "1"]])
        lines += _table("RSRCRATE", ["rsrc_rate_id", "rsrc_id", "cost_per_qty"], [["1", "50", "60"]])
        lines += _table("TASKRSRC", ["taskrsrc_id", "task_id", "proj_id", "rsrc_id", "role_id",
                                     "target_qty_per_hr", "target_cost", "act_reg_cost", "act_ot_cost"],
                        [["1", "1", "101", "50", "", "0.5", "960", "900", "60"],
                         ["2", "2", "101", "", "900", "2", "1500.5", "", ""]])
    lines.append("%E")
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture()
def xer_path(tmp_path):
    path = tmp_path / "export.xer"
    path.write_bytes(_xer().encode("cp1252"))
    return path


def _read(path, pid="BRIDGE"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        return read_xer(path, pid)


def test_clndr_data_weekdays_holidays_and_working_exceptions():
    week, holidays, working = parse_clndr_data(STD)
    assert week == [480.0] * 5 + [0.0, 0.0]
    assert [str(h) for h in holidays] == ["2025-12-25", "2025-12-26"]  # 46016 days after 1899-12-30
    assert working == 1                                                  # 2026-01-02 worked 08-12
    week, holidays, _ = parse_clndr_data(LONG)
    assert week == [600.0] * 4 + [0.0] * 3 and holidays == []
    assert parse_clndr_data("") == (None, [], 0)


def test_several_projects_listed_and_chosen(xer_path):
    assert xer_project_ids(xer_path) == ["BRIDGE", "TUNNEL"]
    with pytest.raises(PmkitError, match=r"export\.xer holds 2 projects; choose one .*: BRIDGE, TUNNEL"):
        read_xer(xer_path)
    with pytest.raises(PmkitError, match=r"no project 'ROAD' in the file \(it holds: BRIDGE, TUNNEL\)"):
        read_xer(xer_path, "ROAD")
    assert _read(xer_path, "202").project_id == "TUNNEL"  # the internal number works too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        both = read_xer_projects(xer_path)
        via_dispatch = read_project_file(xer_path, "TUNNEL")
    assert [p.project_id for p in both] == ["BRIDGE", "TUNNEL"]
    assert via_dispatch.tasks["task_id"].tolist() == ["T10", "T20"]


def test_project_header_wbs_and_encoding(xer_path):
    p = _read(xer_path)
    assert p.name == "Caf\u00e9 \u2013 Br\u00fccke"  # read from Windows-1252
    assert p.start_date == pd.Timestamp("2025-12-01") and p.status_date == pd.Timestamp("2025-12-03")
    t = p.tasks.set_index("task_id")
    assert t.loc["A100", "wbs"] == "CIV.FND" and t.loc["A130", "wbs"] == "CIV"
    assert t.loc["A150", "name"] == "Tidy up"


def test_durations_milestones_constraints(xer_path):
    p = _read(xer_path)
    t = p.tasks.set_index("task_id")
    assert t["duration_days"].to_dict() == {"A100": 2.0, "A110": 3.0, "A120": 2.5, "A130": 0.0, "A140": 1.0,
                                            "A150": 1.0}
    assert bool(t.loc["A130", "milestone"]) and not bool(t.loc["A100", "milestone"])
    assert t["constraint_type"].to_dict() == {"A100": "ASAP", "A110": "SNET", "A120": "FNLT", "A130": "MFO",
                                              "A140": "ALAP", "A150": "ASAP"}
    assert t.loc["A110", "constraint_date"] == pd.Timestamp("2025-12-03")
    tunnel = _read(xer_path, "TUNNEL")
    assert tunnel.calendar.calendar_id == "Long days" and tunnel.calendar.hours_per_day == 10
    assert tunnel.tasks["duration_days"].tolist() == [5.0, 0.0]  # 50 h of 10-hour days


def test_links_types_and_lags(xer_path):
    p = _read(xer_path)
    d = {(r.predecessor_id, r.successor_id): (r.type, r.lag_days) for r in p.dependencies.itertuples()}
    assert d == {("A100", "A110"): ("FS", 4.5 / 8), ("A110", "A120"): ("SS", -1.0), ("A120", "A130"): ("FF", 0.0),
                 ("A100", "A140"): ("SF", 2.0), ("A140", "A150"): ("FS", 0.0)}
    with pytest.warns(InteropWarning, match=r"1 link\(s\) from activities of other projects ignored"):
        tunnel = read_xer(xer_path, "TUNNEL")
    assert tunnel.dependencies[["predecessor_id", "successor_id", "type", "lag_days"]].values.tolist() == [
        ["T10", "T20", "FS", 0.5]]


def test_lag_calendar_option(tmp_path):
    # P6 counts lag hours on the calendar named by the project's scheduling option;
    # Cure (A120) and Pour (A110) are both on the 8-hour standard calendar
    rows = [["1", "3", "2", "101", "101", "PR_FS", "48"]]
    for option, expected in [("rcal_24Hour", 2.0), ("rcal_Successor", 6.0), ("rcal_Predecessor", 6.0),
                             ("", 6.0)]:
        path = tmp_path / f"lag{option}.xer"
        path.write_bytes(_xer(pred_rows=rows, sched_lag=option).encode("cp1252"))
        assert _read(path).dependencies["lag_days"].tolist() == [expected], option


def test_calendars_holidays_and_inheritance(xer_path):
    with pytest.warns(InteropWarning, match="1 working exception"):
        p = read_xer(xer_path, "BRIDGE")
    std = p.calendars["Standard"]
    assert std is p.calendar or std == p.calendar
    assert [str(h) for h in std.holidays] == ["2025-12-25", "2025-12-26"]
    ann = p.calendars["Ann's"]  # a resource calendar without data inherits its base
    assert ann.workdays == std.workdays and ann.holidays == std.holidays


def test_progress_by_percent_complete_type(xer_path):
    p = _read(xer_path)
    s = p.status.set_index("task_id")
    assert list(s.index) == ["A100", "A110", "A120"]
    assert s.loc["A100", "percent_complete"] == 100                    # complete
    assert s.loc["A110", "percent_complete"] == 40                     # physical
    assert s.loc["A120", "percent_complete"] == 25                     # units: 10 / (10 + 30)
    assert s.loc["A110", "remaining_days"] == 1.5
    assert s.loc["A100", "actual_finish"] == pd.Timestamp("2025-12-02")
    assert s.loc["A100", "actual_cost"] == 960 and s.loc["A110", "actual_cost"] == 0
    assert (s["status_date"] == pd.Timestamp("2025-12-03")).all()
    b = p.baseline.set_index("task_id")
    assert list(b.index) == ["A100", "A110"]  # planned dates where present
    assert b.loc["A110", "baseline_finish"] == pd.Timestamp("2025-12-05") and b.loc["A110", "baseline_cost"] == 1500.5


def test_resources_roles_assignments(xer_path):
    p = _read(xer_path)
    r = p.resources.iloc[0]
    assert (r["resource_id"], r["name"], r["capacity_units"], r["cost_rate_per_day"], r["calendar_id"]) == (
        "ANN", "Ann Example", 1.0, 480.0, "Ann's")
    assert p.roles[["role_id", "name"]].values.tolist() == [["ENG", "Engineer"]]
    assert p.assignments[["task_id", "resource_id", "role_id", "units"]].values.tolist() == [
        ["A100", "ANN", "", 0.5], ["A110", "", "ENG", 2.0]]
    assert p.tasks.set_index("task_id").loc["A100", "budget_cost"] == 960


def test_missing_optional_tables(tmp_path):
    path = tmp_path / "bare.xer"
    text = _xer(with_wbs=False, with_rsrc=False, sched_lag=None, pred_rows=[])
    path.write_bytes(text.encode("utf-8"))  # UTF-8 exports read as well
    p = _read(path)
    assert p.name == "BRIDGE" and p.tasks["wbs"].eq("").all()
    assert len(p.dependencies) == 0 and len(p.resources) == 0 and len(p.assignments) == 0
    # no TASKPRED table at all
    no_pred = "\r\n".join(ln for ln in text.split("\r\n") if "TASKPRED" not in ln and "pred_task_id" not in ln)
    path.write_text(no_pred, encoding="utf-8")
    assert len(_read(path).dependencies) == 0


def test_not_an_xer_file(tmp_path):
    path = tmp_path / "notes.xer"
    path.write_text("hello\tworld\n", encoding="utf-8")
    with pytest.raises(PmkitError, match=r"notes\.xer: not a Primavera XER file"):
        read_xer(path)
    with pytest.raises(PmkitError, match=r"row of table 'TASK' before its %F field list"):
        parse_xer_tables("ERMHDR\t8\n%T\tTASK\n%R\t1\n", "x.xer")
    no_task = tmp_path / "empty.xer"
    no_task.write_text("ERMHDR\t8.4\n%T\tPROJECT\n%F\tproj_id\n%R\t1\n%E\n", encoding="utf-8")
    with pytest.raises(PmkitError, match=r"empty\.xer: the XER file has no TASK table"):
        read_xer(no_task)


def test_rows_longer_than_fields_are_cut():
    t = parse_xer_tables("ERMHDR\t8\n%T\tX\n%F\ta\tb\n%R\t1\t2\t3\n%R\t4\n%E\n")["X"]
    assert t.values.tolist() == [["1", "2"], ["4", ""]]
    assert np.all(t.columns == ["a", "b"])
