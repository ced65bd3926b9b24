"""Hostile and careless tables (issue 17): text stays text, root causes first, strict formats,
limits and zip bombs. Every fixture is built here, from a synthetic portfolio."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pmkit
from pmkit.data import schema
from pmkit.data.schema import LIMITS, Limits, format_reference
from pmkit.errors import NOT_CHECKED, ROOT, DataWarning, LoadError

NA_STRINGS = ["NA", "None", "null", "n/a", "#N/A", "nan", "NaN", "NULL", "N/A", "-"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """A valid CSV folder of a small synthetic portfolio (3 projects of 10 tasks)."""
    return pmkit.save(pmkit.synth.portfolio(3, 10, seed=1), tmp_path_factory.mktemp("clean") / "pf")


@pytest.fixture
def folder(clean, tmp_path) -> Path:
    return Path(shutil.copytree(clean, tmp_path / "pf"))


def load_problems(path: Path):
    with pytest.raises(LoadError) as exc:
        pmkit.load(path)
    return exc.value.problems


def read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write(folder: Path, table: str, df: pd.DataFrame) -> None:
    df.to_csv(folder / f"{table}.csv", index=False, lineterminator="\n")


def task_references(folder: Path) -> int:
    """Non-blank values in other tables that name a task (what a broken tasks.csv would cascade into)."""
    n = 0
    for name, spec in schema.TABLES.items():
        if name == "tasks" or not (folder / spec.filename).exists():
            continue
        df = read(folder, name)
        for col in spec.columns:
            if col.ref == "tasks.task_id" and col.name in df.columns:
                n += int((df[col.name] != "").sum())
    return n


def assert_root_first(problems, *fragments: str, table: str = "tasks") -> None:
    """The first problem is the root cause; nothing cascades from it."""
    first = problems[0]
    assert first.rank == ROOT, [str(p) for p in problems[:5]]
    for f in fragments:
        assert f in str(first), str(first)
    assert not any(f"unknown {table[:-1]}" in p.message for p in problems), [str(p) for p in problems[:5]]
    assert len(problems) < 20, [str(p) for p in problems[:30]]


# ----------------------------------------------------------------------------- 1. text stays text

def _with_clients(folder: Path, values: list[str]) -> list[str]:
    projects = read(folder, "projects")
    clients = (values * len(projects))[: len(projects)]
    write(folder, "projects", projects.assign(client=clients))
    return clients


@pytest.mark.parametrize("value", NA_STRINGS)
def test_na_strings_stay_text_in_csv_excel_and_round_trips(folder, tmp_path, value):
    clients = _with_clients(folder, [value])
    pf = pmkit.load(folder)
    assert pf.projects["client"].tolist() == clients
    # an Excel workbook typed by hand (text cells), pmkit's own workbook, and a CSV round trip
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, df in pf.tables().items():
        ws = wb.create_sheet(name)
        text = pmkit.data.io._text_frame(df, name)
        ws.append(list(text.columns))
        for row in text.itertuples(index=False):
            ws.append([None if v == "" else v for v in row])
    wb.save(tmp_path / "typed.xlsx")
    assert pmkit.load(tmp_path / "typed.xlsx").projects["client"].tolist() == clients
    for target in ("copy.xlsx", "copy"):
        back = pmkit.load(pmkit.save(pf, tmp_path / target))
        assert back.projects["client"].tolist() == clients, target


def test_na_strings_in_typed_columns_are_problems_not_blanks(folder):
    projects = read(folder, "projects")
    write(folder, "projects", projects.assign(budget=["NA"] + projects["budget"].tolist()[1:]))
    tasks = read(folder, "tasks")
    write(folder, "tasks", tasks.assign(milestone=["null"] + tasks["milestone"].tolist()[1:]))
    msgs = [str(p) for p in load_problems(folder)]
    assert any("projects.csv, row 2, column 'budget'" in m and "'NA' is not a number" in m for m in msgs)
    assert any("tasks.csv, row 2, column 'milestone'" in m and "'null' is not true or false" in m for m in msgs)


def _workbook_with_formula(clean: Path, tmp_path: Path, cells: dict[str, object]) -> Path:
    """pmkit's workbook with formulas typed into sheet 'projects' by openpyxl (no saved value)."""
    import openpyxl

    xlsx = pmkit.save(pmkit.load(clean), tmp_path / "pf.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["projects"]
    header = [c.value for c in ws[1]]
    for column, value in cells.items():
        ws.cell(row=3, column=header.index(column) + 1, value=value)
    wb.save(xlsx)
    return xlsx


def test_formula_without_saved_value_is_reported_by_cell(clean, tmp_path):
    xlsx = _workbook_with_formula(clean, tmp_path, {"client": "=1+1", "budget": "=2*3"})
    problems = load_problems(xlsx)
    msgs = sorted(str(p) for p in problems)
    expected = "formula without a saved value: open and save the workbook in Excel, or type the value"
    assert len(msgs) == 2, msgs
    assert msgs[0].startswith("pf.xlsx, sheet 'projects', row 3, column 'budget'") and expected in msgs[0]
    assert msgs[1].startswith("pf.xlsx, sheet 'projects', row 3, column 'client'") and expected in msgs[1]
    assert "'=1+1': formula" in msgs[1] and "'=2*3': formula" in msgs[0]


def test_formula_with_a_saved_value_reads_the_value(clean, tmp_path):
    xlsx = _workbook_with_formula(clean, tmp_path, {"client": "=1+1", "budget": "=2*3"})
    # give the formulas the values Excel would have saved with them
    patched = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if b"<f>1+1</f>" in data:
                data = data.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
                data = data.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
                data = data.replace(b"<f>2*3</f><v></v>", b"<f>2*3</f><v>6</v>")
                data = data.replace(b"<f>2*3</f><v />", b"<f>2*3</f><v>6</v>")
                assert b"<v>2</v>" in data and b"<v>6</v>" in data
            dst.writestr(info, data)
    pf = pmkit.load(patched)
    assert pf.projects.loc[1, "client"] == "2" and pf.projects.loc[1, "budget"] == 6.0


# ----------------------------------------------------------------------------- 2. root causes first

def test_missing_required_column_leads_and_suppresses_the_cascade(folder):
    n = task_references(folder)
    write(folder, "tasks", read(folder, "tasks").drop(columns="duration_days"))
    problems = load_problems(folder)
    assert_root_first(problems, "tasks.csv", "required column 'duration_days' is missing")
    notes = [p for p in problems if p.rank == NOT_CHECKED]
    assert [p.message for p in notes] == [f"{n} references to tasks and dependency cycles not checked "
                                          "because tasks.csv cannot be used"]
    assert problems[1] is notes[0]


@pytest.mark.parametrize("content, fragment", [
    (b"", "file is empty"),
    (b"\n\n  \n", "file is empty"),
    ("project_id,task_id,name,duration_days\n".encode("utf-16"), "the file is UTF-16"),
    ("project_id,task_id,name,duration_days\n".encode("utf-16-le"), "looks like UTF-16"),
    (b"project_id;task_id;name;duration_days\nP01;T1;Design;5\n", "separated by semicolons"),
    (b"project_id\ttask_id\tname\tduration_days\nP01\tT1\tDesign\t5\n", "separated by tabs"),
    ("project_id,task_id,name,duration_days\nP01,T1,Entwürfe,5\n".encode("cp1252"), "Windows-1252"),
    (b'project_id,task_id,name,duration_days\nP01,T1,"unterminated,5\n', "quoted value is not closed"),
])
def test_unusable_tasks_file_is_the_first_problem(folder, content, fragment):
    n = task_references(folder)
    (folder / "tasks.csv").write_bytes(content)
    problems = load_problems(folder)
    assert_root_first(problems, "tasks.csv", fragment)
    assert any(p.rank == NOT_CHECKED and p.message.startswith(f"{n} references to tasks") for p in problems)


def test_header_only_tasks_file(folder):
    (folder / "tasks.csv").write_text("project_id,task_id,name,duration_days\n", encoding="utf-8")
    problems = load_problems(folder)
    assert_root_first(problems, "tasks.csv", "has a header but no data rows")
    assert problems[1].rank == NOT_CHECKED and "because tasks.csv has no rows" in problems[1].message


def test_row_with_extra_fields_names_the_row(folder):
    lines = (folder / "tasks.csv").read_text(encoding="utf-8").splitlines()
    header_fields = len(lines[0].split(","))
    lines[4] += ",surplus"
    (folder / "tasks.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = load_problems(folder)
    assert_root_first(problems, "tasks.csv, row 5", f"row has {header_fields + 1} fields but the header "
                      f"has {header_fields}")


def test_duplicate_header_names(folder):
    text = (folder / "tasks.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    (folder / "tasks.csv").write_text(header.replace("wbs", "name", 1) + "\n" + rest, encoding="utf-8")
    problems = load_problems(folder)
    assert_root_first(problems, "tasks.csv, column 'name'", "appears 2 times in the header")


@pytest.mark.parametrize("wrong", ["task.csv", "Tasks.CSV", "tasks_.csv"])
def test_misspelled_file_name(folder, wrong):
    (folder / "tasks.csv").rename(folder / wrong)
    problems = load_problems(folder)
    assert_root_first(problems, "tasks.csv: required file is missing", f"found {wrong}, did you mean tasks.csv?")


def test_misspelled_optional_file_is_not_silently_ignored(folder):
    (folder / "risks.csv").rename(folder / "risk.csv")
    problems = load_problems(folder)
    assert len(problems) == 1 and problems[0].rank == ROOT
    assert "found risk.csv, did you mean risks.csv?" in str(problems[0])


def test_misspelled_sheet_name(clean, tmp_path):
    import openpyxl

    xlsx = pmkit.save(pmkit.load(clean), tmp_path / "pf.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    wb["tasks"].title = "Task"
    wb.save(xlsx)
    problems = load_problems(xlsx)
    assert_root_first(problems, "pf.xlsx, sheet 'tasks'", "did you mean 'tasks' for 'Task'?")


def test_missing_optional_table_that_others_refer_to(folder):
    n = int((read(folder, "assignments")["resource_id"] != "").sum())
    (folder / "resources.csv").unlink()
    problems = load_problems(folder)
    assert_root_first(problems, "resources.csv: file is missing", f"while {n} values refer to it",
                      table="resources")


def test_unknown_column_warns_with_the_closest_name(folder):
    deps = read(folder, "dependencies")
    write(folder, "dependencies", deps.rename(columns={"lag_days": "lag_day"}))
    with pytest.warns(DataWarning) as record:
        pf = pmkit.load(folder)
    msgs = [str(w.message) for w in record if issubclass(w.category, DataWarning)]
    assert len(msgs) == 1 and "\n" not in msgs[0]
    assert "dependencies.csv: column 'lag_day' is not a dependencies column (did you mean lag_days?)" in msgs[0]
    assert record[0].filename == __file__  # points at the caller of load, not at pmkit
    shown = warnings.formatwarning(record[0].message, DataWarning, record[0].filename, record[0].lineno)
    assert shown == f"warning: {msgs[0]}\n"  # one line, no source line
    assert (pf.dependencies["lag_days"] == 0).all() and "lag_day" in pf.dependencies.columns


def test_cli_prints_the_root_cause_first(folder, capsys):
    from pmkit.cli import main as cli_main

    write(folder, "tasks", read(folder, "tasks").drop(columns="duration_days"))
    assert cli_main(["validate", str(folder)]) == 1
    lines = capsys.readouterr().err.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("- "))
    assert "required column 'duration_days' is missing" in lines[first]
    assert "references to tasks" in lines[first + 1] and "not checked" in lines[first + 1]


# ----------------------------------------------------------------------------- 3. formats and limits

@pytest.mark.parametrize("value, fragment", [
    ("2026", "'2026' is not a date: a number or year alone is not read as a date; use YYYY-MM-DD"),
    ("01/12/2025", "'01/12/2025' is not a date: day and month order is ambiguous; use YYYY-MM-DD"),
    ("2025-01-01T08:00+02:00", "'2025-01-01T08:00+02:00' has a time zone offset"),
    ("2025-01-01T08:00Z", "has a time zone offset"),
    ("1500-01-01", "'1500-01-01' is outside the accepted dates 1900-01-01..2199-12-31"),
    ("2999-01-01", "'2999-01-01' is outside the accepted dates"),
    ("9999-99-99", "'9999-99-99' is outside the accepted dates"),
    ("2025-02-30", "'2025-02-30' is not a date (use YYYY-MM-DD"),
    ("2025-1-5", "'2025-1-5' is not a date (use YYYY-MM-DD"),
])
def test_dates_outside_the_documented_format_are_located_problems(folder, value, fragment):
    projects = read(folder, "projects")
    write(folder, "projects", projects.assign(start_date=[value] + projects["start_date"].tolist()[1:]))
    problems = load_problems(folder)
    pid = projects["project_id"].iloc[0]
    hit = [str(p) for p in problems if p.row == 2 and p.column == "start_date"]
    assert hit and f"projects.csv, row 2, column 'start_date' ({pid}): " in hit[0] and fragment in hit[0], hit
    assert not any("required value is blank" in p.message for p in problems)


def test_dates_in_the_documented_formats_are_read(folder):
    projects = read(folder, "projects")
    write(folder, "projects", projects.assign(deadline=["2030-06", "2030-06-30T17:30", "2030-06-30 17:30:15"]))
    pf = pmkit.load(folder)
    assert pf.projects["deadline"].tolist() == [pd.Timestamp("2030-06-01"), pd.Timestamp("2030-06-30 17:30"),
                                                pd.Timestamp("2030-06-30 17:30:15")]


def test_dates_as_text_in_a_workbook_follow_the_same_format(clean, tmp_path):
    import openpyxl

    xlsx = pmkit.save(pmkit.load(clean), tmp_path / "pf.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["projects"]
    col = [c.value for c in ws[1]].index("start_date") + 1
    ws.cell(row=2, column=col, value="01/12/2025")
    ws.cell(row=3, column=col, value=2026).number_format = "General"  # a number, not a date cell
    wb.save(xlsx)
    msgs = [str(p) for p in load_problems(xlsx)]
    assert any("row 2, column 'start_date'" in m and "day and month order is ambiguous" in m for m in msgs)
    assert any("row 3, column 'start_date'" in m and "'2026' is not a date" in m for m in msgs)


def test_unknown_enum_codes_are_problems(folder):
    projects = read(folder, "projects")
    write(folder, "projects", projects.assign(state=["activ"] + projects["state"].tolist()[1:]))
    msgs = [str(p) for p in load_problems(folder)]
    assert len(msgs) == 1 and "row 2, column 'state'" in msgs[0] and "unknown value 'activ'" in msgs[0]


@pytest.mark.parametrize("value", ["1e7", "123456789", "1e9"])
def test_durations_beyond_the_limit(folder, value):
    tasks = read(folder, "tasks")
    write(folder, "tasks", tasks.assign(duration_days=[value] + tasks["duration_days"].tolist()[1:]))
    problems = load_problems(folder)
    ident = f"{tasks['project_id'].iloc[0]}/{tasks['task_id'].iloc[0]}"
    hit = [str(p) for p in problems if p.column == "duration_days"]
    assert len(hit) == 1, [str(p) for p in problems]
    assert hit[0].startswith(f"{folder / 'tasks.csv'}, row 2, column 'duration_days' ({ident}): ")
    assert f"{float(value):g} working days is beyond the duration limit of 36525 (LIMITS.max_duration_days)" in hit[0]


@pytest.mark.parametrize("value", ["1e8", "-1e8"])
def test_lags_beyond_the_limit(folder, value):
    deps = read(folder, "dependencies")
    write(folder, "dependencies", deps.assign(lag_days=[value] + deps["lag_days"].tolist()[1:]))
    msgs = [str(p) for p in load_problems(folder)]
    assert len(msgs) == 1 and "dependencies.csv, row 2, column 'lag_days'" in msgs[0]
    assert "beyond the lag limit of 36525 (LIMITS.max_lag_days)" in msgs[0]


def test_limits_apply_to_tables_built_in_code_before_scheduling():
    tasks = pd.DataFrame({"task_id": ["A", "B"], "name": ["a", "b"], "duration_days": [1e9, 2.0]})
    with pytest.raises(pmkit.errors.ValidationError, match=r"row 0, column 'duration_days' \(X/A\): 1e\+09 "
                       "working days is beyond the duration limit"):
        pmkit.Project("X", "x", "2025-01-06", tasks=tasks)


def _progress(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read(folder, "projects"), read(folder, "status")


def test_percent_complete_going_back_is_reported_with_its_rows(folder):
    projects, status = _progress(folder)
    pid = projects["project_id"].iloc[0]
    tid = read(folder, "tasks").query("project_id == @pid")["task_id"].iloc[0]
    start = projects["start_date"].iloc[0]
    d1 = (pd.Timestamp(start) + pd.Timedelta(days=7)).strftime("%Y-%m-%d")
    d2 = (pd.Timestamp(start) + pd.Timedelta(days=14)).strftime("%Y-%m-%d")
    extra = pd.DataFrame({"project_id": [pid, pid], "status_date": [d1, d2], "task_id": [tid, tid],
                          "percent_complete": ["100", "10"]})
    keep = ~((status["project_id"] == pid) & (status["task_id"] == tid))
    status = pd.concat([status[keep], extra], ignore_index=True).fillna("")
    projects = projects.assign(status_date=[max(d2, projects["status_date"].iloc[0] or d2)]
                               + projects["status_date"].tolist()[1:])
    write(folder, "status", status)
    write(folder, "projects", projects)
    msgs = [str(p) for p in load_problems(folder)]
    n = len(status)
    assert msgs == [f"{folder / 'status.csv'}, row {n + 1}, column 'percent_complete' ({pid}/{d2}/{tid}): "
                    f"percent complete goes back: 10 on {d2} after 100 on {d1} (row {n})"]


def test_progress_after_the_project_status_date_or_before_its_start(folder):
    projects, status = _progress(folder)
    pid = projects["project_id"].iloc[0]
    tid = read(folder, "tasks").query("project_id == @pid")["task_id"].iloc[-1]
    late = (pd.Timestamp(projects["status_date"].iloc[0]) + pd.Timedelta(days=30)).strftime("%Y-%m-%d")
    early = (pd.Timestamp(projects["start_date"].iloc[0]) - pd.Timedelta(days=30)).strftime("%Y-%m-%d")
    extra = pd.DataFrame({"project_id": [pid, pid], "status_date": [late, early], "task_id": [tid, tid],
                          "percent_complete": ["0", "0"]})
    status = pd.concat([status, extra], ignore_index=True).fillna("")
    write(folder, "status", status)
    msgs = [str(p) for p in load_problems(folder)]
    n = len(status)
    assert any(f"row {n}, column 'status_date'" in m and f"progress dated {late} is after the project's status "
               f"date {projects['status_date'].iloc[0]} (projects.csv)" in m for m in msgs), msgs
    assert any(f"row {n + 1}, column 'status_date'" in m and "before the project start" in m for m in msgs), msgs


# ----------------------------------------------------------------------------- 4. sizes and zip bombs

def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)  # no disk space used, no memory


def test_csv_file_above_the_size_limit_is_refused_unread(folder):
    _sparse(folder / "tasks.csv", LIMITS.max_input_bytes + 1)
    problems = load_problems(folder)
    assert_root_first(problems, "tasks.csv: file is", "above the limit of 209.7 MB (LIMITS.max_input_bytes)")


def test_workbook_above_the_size_limit_is_refused_unread(tmp_path):
    xlsx = tmp_path / "big.xlsx"
    _sparse(xlsx, LIMITS.max_input_bytes + 1)
    problems = load_problems(xlsx)
    assert len(problems) == 1 and "above the limit of 209.7 MB (LIMITS.max_input_bytes)" in str(problems[0])


def _bomb(clean: Path, tmp_path: Path, part: str, size: int, replace: bool = False) -> Path:
    """pmkit's workbook with a part of ``size`` bytes of repeated sheet rows (replacing ``part``
    or added beside the others)."""
    xlsx = pmkit.save(pmkit.load(clean), tmp_path / "pf.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if not (replace and info.filename == part):
                dst.writestr(info, src.read(info))
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as fh:
            head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            fh.write(head)
            chunk = row * (1 << 14)
            for _ in range(size // len(chunk) + 1):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")
    return bomb


@pytest.mark.parametrize("part, replace", [("xl/worksheets/sheet7.xml", True), ("xl/media/filler.xml", False)])
def test_zip_bomb_is_refused_before_it_is_opened(clean, tmp_path, part, replace):
    import tracemalloc

    bomb = _bomb(clean, tmp_path, part, 60_000_000, replace)
    assert bomb.stat().st_size < 2_000_000
    tracemalloc.start()
    try:
        problems = load_problems(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(problems) == 1, [str(p) for p in problems]
    msg = str(problems[0])
    assert msg.startswith(str(bomb)) and f"workbook part {part} expands" in msg
    assert "above the limit of 200 (LIMITS.max_zip_ratio)" in msg
    assert peak < 20_000_000


def test_workbook_too_large_once_uncompressed(clean, tmp_path, monkeypatch):
    xlsx = pmkit.save(pmkit.load(clean), tmp_path / "pf.xlsx")
    total = sum(i.file_size for i in zipfile.ZipFile(xlsx).infolist())
    monkeypatch.setattr(schema, "LIMITS", Limits(max_unzipped_bytes=total - 1))
    problems = load_problems(xlsx)
    assert len(problems) == 1 and "LIMITS.max_unzipped_bytes" in str(problems[0])
    monkeypatch.setattr(schema, "LIMITS", Limits(max_unzipped_bytes=total))
    pmkit.load(xlsx)


def test_not_a_zip_named_xlsx(tmp_path):
    (tmp_path / "fake.xlsx").write_text("project_id,name\n", encoding="utf-8")
    problems = load_problems(tmp_path / "fake.xlsx")
    assert len(problems) == 1 and "not an .xlsx workbook" in str(problems[0])


# ----------------------------------------------------------------------------- row numbers, docs

def test_blank_lines_keep_spreadsheet_row_numbers(folder):
    lines = (folder / "tasks.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[3].split(",")
    fields[lines[0].split(",").index("duration_days")] = "ten"
    lines[3] = ",".join(fields)
    lines.insert(2, "")  # a blank row 3: the bad cell moves to row 5
    (folder / "tasks.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    msgs = [str(p) for p in load_problems(folder)]
    assert len(msgs) == 1 and "tasks.csv, row 5, column 'duration_days'" in msgs[0], msgs


def test_reference_documents_the_reading_rules():
    doc = format_reference()
    assert "## Reading rules" in doc
    assert "`YYYY-MM-DD`" in doc and "`YYYY-MM`" in doc and "`YYYY-MM-DDTHH:MM`" in doc
    assert "Only an empty cell is missing" in doc and "`#N/A`" in doc
    for f in ("max_duration_days", "max_lag_days", "earliest_date", "latest_date", "max_input_bytes",
              "max_unzipped_bytes", "max_zip_ratio"):
        value = getattr(LIMITS, f)
        assert f"| `{f}` | {value if isinstance(value, str) else f'{value:,}'} |" in doc
    assert "Order of problems" in doc and "not checked because tasks.csv cannot be used" in doc


def test_no_warning_for_a_clean_load(clean):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pf = pmkit.load(clean)
    assert len(pf.tasks) == 30 and np.isfinite(pf.tasks["duration_days"]).all()
