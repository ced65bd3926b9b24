"""Loading, saving and validating portfolios: formats, round trips and every kind of bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit import synth
from pmkit.cli import main as cli_main
from pmkit.errors import LoadError, ValidationError

FILES = {
    "portfolio.csv": "name,currency,discount_rate\nAcme <Holdings> & Co,EUR,0.07\n",
    "programs.csv": "program_id,name\nPG1,Growth\n",
    "projects.csv": (
        "project_id,name,program_id,state,start_date,status_date,budget\n"
        "007,\"Portal <script>alert(1)</script>\",PG1,active,2025-01-06,2025-02-28,100000\n"
        "P2,Café Ünïcødé 🚀 — “quotes”,PG1,proposed,2025-03-03,,50000\n"
    ),
    "tasks.csv": (
        "project_id,task_id,name,duration_days,optimistic_days,most_likely_days,pessimistic_days,budget_cost,milestone\n"
        "007,A,Design,5,4,5,8,5000,false\n"
        "007,B,Build,10.5,8,10.5,15,12000,false\n"
        "007,C,Done,0,,,,0,true\n"
        "P2,A,Plan,3,,,,1000,\n"
    ),
    "dependencies.csv": (
        "project_id,predecessor_id,successor_id,type,lag_days\n"
        "007,A,B,FS,0\n007,B,C,FF,-1.5\n"
    ),
    "roles.csv": "role_id,name,cost_rate_per_day\nDEV,Developer,700\n",
    "resources.csv": "resource_id,name,role_id,capacity_units\nU1,Ana,DEV,1\n",
    "assignments.csv": "project_id,task_id,resource_id,role_id,units\n007,B,U1,,1\n007,A,,DEV,0.5\n",
    "status.csv": (
        "project_id,status_date,task_id,percent_complete,actual_start,actual_finish,actual_cost\n"
        "007,2025-01-31,A,100,2025-01-06,2025-01-10,5200\n"
        "007,2025-01-31,B,40,2025-01-13,,4000\n"
    ),
    "risks.csv": "project_id,risk_id,description,probability,cost_impact,schedule_impact_days,task_id\n007,K1,Vendor late,0.3,2000,4,B\n",
}


def write_dir(path: Path, files: dict[str, str] = FILES) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    return write_dir(tmp_path / "pf")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(LoadError) as exc:
        pmkit.load(path)
    return [str(p) for p in exc.value.problems]


def edited(tmp_path: Path, **changes: str) -> Path:
    files = dict(FILES)
    for name, text in changes.items():
        key = name.replace("__", ".")
        if text is None:
            files.pop(key)
        else:
            files[key] = text
    return write_dir(tmp_path / "bad", files)


# ----------------------------------------------------------------------------- good input

def test_load_csv_folder_types_and_text(good_dir):
    pf = pmkit.load(good_dir)
    assert pf.project_ids == ["007", "P2"]  # ids stay text
    assert pf.name == "Acme <Holdings> & Co"
    assert pf.projects.loc[0, "name"] == "Portal <script>alert(1)</script>"
    assert pf.projects.loc[1, "name"] == "Café Ünïcødé 🚀 — “quotes”"
    assert pf.tasks["duration_days"].tolist() == [5.0, 10.5, 0.0, 3.0]
    assert pf.tasks["milestone"].tolist() == [False, False, True, False]  # blank -> default False
    assert pf.dependencies["lag_days"].tolist() == [0.0, -1.5]
    assert pf.tasks["constraint_type"].unique().tolist() == ["ASAP"]  # default
    assert pf.projects.loc[0, "start_date"] == pd.Timestamp("2025-01-06")
    assert pd.isna(pf.projects.loc[1, "status_date"])
    assert pf.discount_rate == pytest.approx(0.07)


def test_project_view(good_dir):
    prj = pmkit.load(good_dir).project("007")
    assert len(prj.tasks) == 3 and len(prj.dependencies) == 2
    assert prj.status_date == pd.Timestamp("2025-02-28")
    assert prj.bac == pytest.approx(17000.0)  # no baseline: sum of task budgets
    assert prj.status_at()["task_id"].tolist() == ["A", "B"]
    with pytest.raises(KeyError, match="unknown project 'P9'"):
        pmkit.load(good_dir).project("P9")


def _assert_same(a: pmkit.Portfolio, b: pmkit.Portfolio) -> None:
    for name, df in a.tables().items():
        pd.testing.assert_frame_equal(df.reset_index(drop=True), b.tables()[name].reset_index(drop=True),
                                      check_dtype=True, obj=name)


@pytest.mark.parametrize("target", ["copy", "copy.xlsx"])
def test_round_trip_loses_nothing(good_dir, tmp_path, target):
    pf = pmkit.load(good_dir)
    out = pmkit.save(pf, tmp_path / target)
    _assert_same(pf, pmkit.load(out))


def test_round_trip_synthetic_portfolio_csv_and_excel(tmp_path):
    pf = synth.portfolio(6, 15, seed=3)
    # floats with many digits, extra user columns and awkward text survive both formats
    projects = pf.projects.assign(budget=pf.projects["budget"] + 0.1234567890123,
                                  note=["x\ny", "=1+1", "😀", "", "a,b", '"q"'])
    pf = pf.with_tables(projects=projects)
    for target in ("csv_copy", "copy.xlsx"):
        back = pmkit.load(pmkit.save(pf, tmp_path / target))
        _assert_same(pf, back)
        assert back.projects["note"].tolist() == ["x\ny", "=1+1", "😀", "", "a,b", '"q"']


def test_excel_and_csv_load_the_same(good_dir, tmp_path):
    pf = pmkit.load(good_dir)
    xlsx = pmkit.save(pf, tmp_path / "pf.xlsx")
    _assert_same(pmkit.load(good_dir), pmkit.load(xlsx))


def test_month_dates_and_bool_spellings(tmp_path):
    path = edited(tmp_path, capacity__csv="role_id,month,capacity_days\nDEV,2025-03,40\n",
                  tasks__csv=FILES["tasks.csv"].replace("false", "no").replace("true", "Yes"))
    pf = pmkit.load(path)
    assert pf.capacity.loc[0, "month"] == pd.Timestamp("2025-03-01")
    assert pf.tasks["milestone"].tolist() == [False, False, True, False]


# ----------------------------------------------------------------------------- bad input

def test_missing_required_file(tmp_path):
    msgs = problems_of(edited(tmp_path, tasks__csv=None))
    assert any("tasks.csv: required file is missing" in m for m in msgs)


def test_missing_sheet_in_workbook(good_dir, tmp_path):
    pf = pmkit.load(good_dir)
    xlsx = pmkit.save(pf, tmp_path / "pf.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    del wb["tasks"]
    wb.save(xlsx)
    msgs = problems_of(xlsx)
    assert any("sheet 'tasks'" in m and "required sheet is missing" in m for m in msgs)


def test_bad_cells_in_workbook_name_sheet_and_row(good_dir, tmp_path):
    xlsx = pmkit.save(pmkit.load(good_dir), tmp_path / "pf.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    ws = wb["tasks"]
    col = [c.value for c in ws[1]].index("duration_days") + 1
    ws.cell(row=3, column=col, value="ten")
    wb.save(xlsx)
    msgs = problems_of(xlsx)
    assert msgs == ["pf.xlsx, sheet 'tasks', row 3, column 'duration_days' (007/B): 'ten' is not a number"]


def test_missing_required_column(tmp_path):
    msgs = problems_of(edited(tmp_path, tasks__csv="project_id,task_id,name\n007,A,Design\n"))
    assert any("column 'duration_days'" in m and "required column 'duration_days' is missing" in m for m in msgs)


def test_unparseable_number_and_date(tmp_path):
    tasks = FILES["tasks.csv"].replace("007,B,Build,10.5", "007,B,Build,ten")
    projects = FILES["projects.csv"].replace("2025-02-28", "28/02/2025x")
    msgs = problems_of(edited(tmp_path, tasks__csv=tasks, projects__csv=projects))
    assert any(m.endswith("tasks.csv, row 3, column 'duration_days' (007/B): 'ten' is not a number") for m in msgs)
    assert any("projects.csv, row 2, column 'status_date' (007): '28/02/2025x' is not a date" in m for m in msgs)
    assert not any("required value is blank" in m for m in msgs)  # one message per bad cell


def test_duplicate_ids(tmp_path):
    msgs = problems_of(edited(tmp_path, tasks__csv=FILES["tasks.csv"] + "007,A,Again,1,,,,0,\n"))
    assert any("tasks.csv, row 6, column 'task_id' (007/A): duplicate id: '007/A' already appears on row 2" in m
               for m in msgs)


def test_unknown_references(tmp_path):
    deps = FILES["dependencies.csv"] + "007,B,ZZ,FS,0\n"
    asg = FILES["assignments.csv"] + "007,C,U9,,1\n"
    risks = FILES["risks.csv"] + "P404,K2,Ghost,0.1,0,0,\n"
    msgs = problems_of(edited(tmp_path, dependencies__csv=deps, assignments__csv=asg, risks__csv=risks))
    assert any("dependencies.csv, row 4, column 'successor_id'" in m and "unknown task 'ZZ' in this project" in m
               for m in msgs)
    assert any("assignments.csv, row 4, column 'resource_id'" in m and "unknown resource 'U9'" in m for m in msgs)
    assert any("risks.csv, row 3, column 'project_id'" in m and "unknown project 'P404'" in m for m in msgs)


def test_task_reference_is_scoped_to_the_project(tmp_path):
    # task C exists in project 007 but not in P2
    msgs = problems_of(edited(tmp_path, dependencies__csv=FILES["dependencies.csv"] + "P2,A,C,FS,0\n"))
    assert any("unknown task 'C' in this project" in m for m in msgs)


def test_negative_duration_and_estimate_order(tmp_path):
    tasks = FILES["tasks.csv"].replace("007,A,Design,5,4,5,8", "007,A,Design,-5,9,5,3")
    msgs = problems_of(edited(tmp_path, tasks__csv=tasks))
    assert any("column 'duration_days' (007/A): -5 is below the minimum 0 (durations cannot be negative)" in m
               for m in msgs)
    assert any("(007/A): three-point estimate out of order" in m and "9 / 5 / 3" in m for m in msgs)


def test_percent_and_probability_ranges(tmp_path):
    status = FILES["status.csv"].replace(",40,", ",140,")
    risks = FILES["risks.csv"].replace(",0.3,", ",1.3,")
    msgs = problems_of(edited(tmp_path, status__csv=status, risks__csv=risks))
    assert any("status.csv, row 3, column 'percent_complete'" in m and "140 is above the maximum 100" in m for m in msgs)
    assert any("risks.csv, row 2, column 'probability'" in m and "1.3 is above the maximum 1" in m for m in msgs)


def test_cycle_names_its_tasks(tmp_path):
    deps = FILES["dependencies.csv"] + "007,C,A,SS,0\n"
    msgs = problems_of(edited(tmp_path, dependencies__csv=deps))
    cyc = [m for m in msgs if "dependency cycle" in m]
    assert len(cyc) == 1
    assert "A -> B -> C -> A" in cyc[0] and "(007)" in cyc[0]


def test_self_dependency_is_a_cycle(tmp_path):
    msgs = problems_of(edited(tmp_path, dependencies__csv=FILES["dependencies.csv"] + "007,B,B,FS,0\n"))
    assert any("task 'B' depends on itself" in m for m in msgs)


def test_status_date_before_start(tmp_path):
    projects = FILES["projects.csv"].replace("2025-02-28", "2024-12-31")
    status = FILES["status.csv"] + "007,2024-12-20,C,0,,,0\n"
    msgs = problems_of(edited(tmp_path, projects__csv=projects, status__csv=status))
    assert any("projects.csv, row 2, column 'status_date' (007): status date 2024-12-31 is before the project "
               "start 2025-01-06" in m for m in msgs)
    assert any("status.csv, row 4, column 'status_date'" in m and "before the project start" in m for m in msgs)


def test_empty_file(tmp_path):
    msgs = problems_of(edited(tmp_path, risks__csv=""))
    assert any("risks.csv: file is empty" in m for m in msgs)


def test_unknown_link_type(tmp_path):
    msgs = problems_of(edited(tmp_path, dependencies__csv=FILES["dependencies.csv"].replace("FF", "XF")))
    assert msgs == [m for m in msgs if "unknown value 'XF' (expected one of FS, SS, FF, SF)" in m]
    assert len(msgs) == 1 and "dependencies.csv, row 3, column 'type'" in msgs[0]


def test_link_type_case_is_forgiven(tmp_path):
    pf = pmkit.load(edited(tmp_path, dependencies__csv=FILES["dependencies.csv"].replace("FF", "ff")))
    assert pf.dependencies["type"].tolist() == ["FS", "FF"]


def test_all_problems_reported_together(tmp_path):
    tasks = FILES["tasks.csv"].replace("10.5,8,10.5", "abc,8,10.5")
    status = FILES["status.csv"].replace(",40,", ",-3,")
    deps = FILES["dependencies.csv"].replace("FF", "QQ")
    msgs = problems_of(edited(tmp_path, tasks__csv=tasks, status__csv=status, dependencies__csv=deps))
    assert len(msgs) == 3
    files = sorted(m.split(",")[0].rsplit("/", 1)[-1] for m in msgs)
    assert files == ["dependencies.csv", "status.csv", "tasks.csv"]


def test_not_utf8_and_malformed_csv(tmp_path):
    path = edited(tmp_path)
    (path / "programs.csv").write_bytes("program_id,name\nPG1,Gr\xf6\xdfe\n".encode("latin-1"))
    (path / "roles.csv").write_text('role_id,name\nDEV,"unterminated\n', encoding="utf-8")
    msgs = problems_of(path)
    assert any("programs.csv: not UTF-8 text" in m for m in msgs)
    assert any("roles.csv" in m for m in msgs)


def test_load_missing_path_and_wrong_kind(tmp_path):
    with pytest.raises(LoadError, match="no such file or folder"):
        pmkit.load(tmp_path / "nope")
    f = tmp_path / "x.txt"
    f.write_text("hi")
    with pytest.raises(LoadError, match="expected a folder of CSV files or an .xlsx workbook"):
        pmkit.load(f)


def test_building_in_code_validates_too():
    with pytest.raises(ValidationError, match="unknown value 'XX'"):
        pmkit.Project("X", "x", "2025-01-01", tasks=pd.DataFrame({"task_id": ["A", "B"], "name": ["a", "b"],
                                                                  "duration_days": [1.0, 2.0]}),
                      dependencies=pd.DataFrame({"predecessor_id": ["A"], "successor_id": ["B"], "type": ["XX"]}))


# ----------------------------------------------------------------------------- CLI

def test_cli_validate_ok_and_errors(good_dir, tmp_path, capsys):
    assert cli_main(["validate", str(good_dir)]) == 0
    out = capsys.readouterr().out
    assert "projects      2 (1 active, 1 proposed)" in out and "tasks         4 with 2 dependencies" in out
    bad = edited(tmp_path, dependencies__csv=FILES["dependencies.csv"] + "007,C,A,FS,0\n")
    assert cli_main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "1 problem found" in err and "dependency cycle between tasks A -> B -> C -> A" in err


def test_cli_summary_formats(good_dir, capsys):
    assert cli_main(["summary", str(good_dir), "--format", "csv"]) == 0
    df = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out), dtype={"project_id": str})
    assert df["project_id"].tolist() == ["007", "P2"] and df["tasks"].tolist() == [3, 1]
    assert cli_main(["summary", str(good_dir), "--format", "json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert rows[0]["status_dates"] == 1 and rows[0]["last_status_date"] == "2025-01-31"


def test_console_script_exits_nonzero_without_traceback(tmp_path):
    bad = edited(tmp_path, tasks__csv=FILES["tasks.csv"].replace("10.5,8", "x,8"))
    exe = Path(sys.executable).with_name("pmkit")
    if not exe.exists():
        pytest.skip("pmkit console script not installed")
    res = subprocess.run([str(exe), "validate", str(bad)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and "'x' is not a number" in res.stderr


# ----------------------------------------------------------------------------- synth + samples

def test_synth_is_reproducible_and_uses_all_link_types():
    a = synth.project(300, seed=5)
    b = synth.project(300, seed=5)
    pd.testing.assert_frame_equal(a.dependencies, b.dependencies)
    assert set(a.dependencies["type"]) == {"FS", "SS", "FF", "SF"}
    lag = a.dependencies["lag_days"]
    assert (lag > 0).any() and (lag < 0).any()
    assert a.tasks["milestone"].any() and (a.tasks["duration_days"] % 1 == 0.5).any()
    assert len(a.calendar.holidays) > 0 and (a.tasks["calendar_id"] == "site").any()
    assert len(a.status) > 0 and len(a.risks) > 0 and len(a.assignments) > 0
    # the generated data passes full validation
    pmkit.Project(a.project_id, a.name, a.start_date, tasks=a.tasks, dependencies=a.dependencies,
                  calendar=a.calendar, calendars=a.calendars, roles=a.roles, resources=a.resources,
                  assignments=a.assignments, baseline=a.baseline, status=a.status, risks=a.risks)


def test_synth_network_is_acyclic_and_sized():
    from pmkit.data.network import topological_levels

    tasks, deps = synth.network(5000, seed=2, links_per_task=3)
    idx = pd.Index(tasks["task_id"])
    lv = topological_levels(len(tasks), idx.get_indexer(deps["predecessor_id"]), idx.get_indexer(deps["successor_id"]))
    assert len(lv.order) == 5000 and 2.5 < len(deps) / 5000 < 3.1
    assert not deps.duplicated(["predecessor_id", "successor_id"]).any()


def test_synth_portfolio_validates():
    pf = synth.portfolio(8, 12, seed=1)
    assert len(pf.projects) == 8 and len(pf.capacity) > 0 and len(pf.cash_flows) > 0
    pmkit.Portfolio(**pf.tables())  # full validation passes


def test_topological_levels_cycle_found():
    from pmkit.data.network import CycleFound, topological_levels

    with pytest.raises(CycleFound) as exc:
        topological_levels(5, np.array([0, 1, 2, 3, 4]), np.array([1, 2, 3, 1, 0]))
    assert exc.value.nodes == [1, 2, 3]


def test_sample_portfolio_loads_both_forms():
    csv_path, xlsx_path = pmkit.sample_path("csv"), pmkit.sample_path("xlsx")
    pf = pmkit.load(csv_path)
    _assert_same(pf, pmkit.load(xlsx_path))
    p = pf.projects
    assert len(pf.programs) >= 3 and len(p) >= 12
    assert set(p["kind"]) >= {"IT", "construction", "marketing", "R&D"}
    assert (p["state"] == "proposed").sum() >= 3 and (p["state"] == "closed").sum() >= 1
    assert len(pf.lessons[pf.lessons["project_id"].isin(p.loc[p["state"] == "closed", "project_id"])]) > 0
    for pid in p.loc[p["state"] == "active", "project_id"]:
        prj = pf.project(pid)
        assert 20 <= len(prj.tasks) <= 80, pid
        assert set(prj.dependencies["type"]) == {"FS", "SS", "FF", "SF"}, pid
        assert (prj.dependencies["lag_days"] != 0).any(), pid
        assert len(prj.status_dates) >= 6, pid
        assert len(prj.baseline) == len(prj.tasks) and len(prj.risks) and len(prj.deliverables) and len(prj.surveys)
        assert prj.tasks["optimistic_days"].notna().all()
    links = pf.dependencies
    assert set(links["type"]) == {"FS", "SS", "FF", "SF"}
    assert (links["lag_days"] > 0).any() and (links["lag_days"] < 0).any()
    assert len(pf.strategic_objectives) and len(pf.alignment) and len(pf.cash_flows) and len(pf.capacity)


def test_sample_copy_is_writable(tmp_path):
    dst = tmp_path / "nw"
    shutil.copytree(pmkit.sample_path(), dst)
    assert pmkit.load(dst).name == "Northwind Group"
