"""Every notebook executed with papermill: the batch runner on the (hostile) sample
portfolio, each notebook with its defaults, the teaching notebook with injected
parameters, failures, timeouts and interruption."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
import pytest
from test_report_support import IMG, XSS, hostile_project_id, sample_reports

import pmkit
from pmkit import reports as rp
from pmkit.cli import main

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STEMS = ["00_project_vs_portfolio", "01_project_planning", "02_project_monitoring", "03_portfolio_review",
         "04_project_closing"]
HAS_SAMPLE = (NOTEBOOKS.parent / "data" / "samples" / "northwind" / "projects.csv").exists()


@pytest.fixture(scope="module")
def run() -> rp.ReportRun:
    return sample_reports()


def test_committed_notebooks_match_their_builder_and_have_no_outputs(tmp_path):
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import build_notebooks
    finally:
        sys.path.remove(str(NOTEBOOKS))
    for built in build_notebooks.build(tmp_path):
        committed = nbformat.read(NOTEBOOKS / built.name, as_version=4)
        assert committed == nbformat.read(built, as_version=4), f"{built.name}: run notebooks/build_notebooks.py"
        params = [c for c in committed.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1 and "data_path: str = '../data/samples/northwind'" in params[0].source
        assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


def test_every_report_runs_and_cancelled_projects_are_skipped(run):
    r = run.results
    assert run.ok, run.summary()
    skipped = r[r["status"] == "skipped"]
    assert set(skipped["state"]) <= {"cancelled"} and not skipped.empty
    assert "skipped" in run.summary() and "cancelled" in run.summary()
    done = r[r["status"] == "ok"]
    assert len(done) == len(r) - len(skipped) and "portfolio" in set(done["report_id"])
    for row in done.itertuples():
        assert (run.out_dir / row.html).is_file() and (run.out_dir / row.executed_notebook).is_file()
        assert Path(row.notebook).stem == (rp.PORTFOLIO_NOTEBOOK if row.kind == "portfolio"
                                           else rp.NOTEBOOK_FOR_STATE[row.state])
    leftovers = [p.name for p in run.out_dir.rglob(".*")]
    assert leftovers == [], "temporary files left behind"


def test_reports_are_self_contained_and_escape_user_text(run):
    pid = hostile_project_id(sample_reports.__globals__["_CACHE"]["portfolio"])
    for row in run.results[run.results["status"] == "ok"].itertuples():
        page = (run.out_dir / row.html).read_text(encoding="utf-8")
        assert rp.external_references(page) == [], row.html
        assert "<script" not in page.lower(), f"{row.html} holds a script"
        assert XSS not in page and IMG not in page, f"{row.html} shows user text unescaped"
        assert "Northwind <b>Group</b>" not in page
    hostile = (run.out_dir / f"{rp.report_id('project', pid)}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile and "&lt;img src=x" in hostile
    index = (run.out_dir / "index.html").read_text(encoding="utf-8")
    assert XSS not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "Northwind &lt;b&gt;Group&lt;/b&gt;" in index


def test_runner_injects_parameters_and_collects_headlines(run):
    for row in run.results[run.results["status"] == "ok"].itertuples():
        nb = nbformat.read(run.out_dir / row.executed_notebook, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        src = injected[0].source
        assert "offline = True" in src and str(run.out_dir / "notebooks") in src
        if row.kind == "project":
            assert f'project_id = {json.dumps(row.project_id)}' in src
        head = row.headline
        assert head["rag"] in rp.RAG_LEVELS and head["figures"], row.report_id
        saved = json.loads((run.out_dir / "notebooks" / f"{row.report_id}.headline.json").read_text())
        assert saved == head
    index = (run.out_dir / "index.html").read_text(encoding="utf-8")
    for row in run.results.itertuples():
        if row.html:
            assert f'href="{row.html}"' in index


def _papermill(args: tuple[str, str, dict]) -> str:
    from pmkit.reports.runner import _execute_retrying_kernel_start

    stem, out, params = args
    _execute_retrying_kernel_start(str(NOTEBOOKS / f"{stem}.ipynb"), out, parameters=params, kernel_name="python3",
                                   cwd=str(NOTEBOOKS), progress_bar=False, execution_timeout=300,
                                   start_timeout=120)
    return out


def _defaults(stem: str) -> dict:
    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    values: dict = {}
    exec(cell.source, {}, values)  # plain typed assignments
    return values


@pytest.mark.skipif(not HAS_SAMPLE, reason="sample data (data/samples/northwind) not built")
def test_default_parameters_point_at_the_sample_and_a_project_in_the_right_state():
    pf = pmkit.load(pmkit.sample_path())
    for stem in STEMS:
        values = _defaults(stem)
        assert (NOTEBOOKS / values["data_path"]).resolve() == pmkit.sample_path().resolve()
        assert values["offline"] is False and values.get("headline_path", "") == ""
        if stem in rp.NOTEBOOK_FOR_STATE.values():
            state = pf.project(values["project_id"]).state
            assert rp.NOTEBOOK_FOR_STATE[state] == stem


@pytest.mark.skipif(not HAS_SAMPLE, reason="sample data (data/samples/northwind) not built")
def test_teaching_notebook_runs_with_defaults_and_with_injected_parameters(tmp_path):
    # 01-04 run in the batch runner above with injected parameters; their defaults are checked
    # above. The teaching notebook is not a report, so it runs here: once as JupyterLab would
    # (defaults), once on another portfolio and project.
    small = pmkit.synth.portfolio(5, 12, seed=2)
    small = small.with_tables(projects=small.projects.assign(state=["active", "proposed", "closed", "active",
                                                                    "proposed"]))
    pmkit.save(small, tmp_path / "small")
    jobs = [("00_project_vs_portfolio", str(tmp_path / "teach-default.ipynb"), {}),
            ("00_project_vs_portfolio", str(tmp_path / "teach-small.ipynb"),
             {"data_path": str(tmp_path / "small"), "project_id": "S0004", "offline": True})]
    outs = [_papermill(job) for job in jobs]  # one after the other: nothing shared, every wait bounded
    for out in outs:
        nb = nbformat.read(out, as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert errors == [], out
    teach = json.dumps([c.get("outputs", []) for c in nbformat.read(outs[1], as_version=4).cells])
    assert "S0004" in teach and "Synthetic portfolio (5 projects)" in teach


def _broken_notebooks(folder: Path) -> Path:
    """Copies of the notebooks: planning raises in its third cell, closing never ends."""
    folder.mkdir()
    for stem in STEMS[1:]:
        nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        if stem == "01_project_planning":
            nb.cells.insert(2, nbformat.v4.new_code_cell("raise ValueError(f'deliberate failure in {project_id}')"))
        if stem == "04_project_closing":
            nb.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
        nbformat.write(nb, folder / f"{stem}.ipynb")
    return folder


def test_failures_and_timeouts_are_reported_and_do_not_stop_the_rest(tmp_path):
    pf = pmkit.synth.portfolio(4, 10, seed=4)
    pf = pf.with_tables(projects=pf.projects.assign(state=["proposed", "active", "closed", "cancelled"]))
    pmkit.save(pf, tmp_path / "data")
    nb_dir = _broken_notebooks(tmp_path / "nb")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["report", str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--notebooks", str(nb_dir),
                     "--jobs", "2", "--timeout", "15", "--no-portfolio", "--format", "json"])
    assert code == 1
    rows = {r["project_id"]: r for r in json.loads(out.getvalue())}
    assert rows["S0002"]["status"] == "ok" and (tmp_path / "out" / rows["S0002"]["html"]).is_file()
    assert rows["S0001"]["status"] == "failed" and rows["S0001"]["error"] == "ValueError: deliberate failure in S0001"
    assert rows["S0003"]["status"] == "timeout" and "15 s" in rows["S0003"]["error"]
    assert rows["S0004"]["status"] == "skipped"
    summary = err.getvalue()
    # cell [1] is the parameters cell, [2] papermill's injected parameters, [3] the failing one
    assert "FAILED project S0001 (Project 1), notebook 01_project_planning.ipynb in cell [3]: " \
           "ValueError: deliberate failure in S0001" in summary
    assert "FAILED project S0003 (Project 3), notebook 04_project_closing.ipynb" in summary
    assert "2 of 3 reports failed" in summary
    # not a terminal: one line per finished report, as it finishes, instead of a bar
    progress = [line for line in summary.splitlines() if line.startswith("[")]
    assert sorted(line.split("]")[0] for line in progress) == ["[1/3", "[2/3", "[3/3"]
    assert any(line.endswith("ValueError: deliberate failure in S0001") and " failed S0001 " in line
               for line in progress), progress
    # failed notebooks are kept for audit, but no HTML report pretends to be complete
    assert (tmp_path / "out" / "notebooks" / "project-S0001.ipynb").is_file()
    assert not (tmp_path / "out" / "project-S0001.html").exists()
    assert not (tmp_path / "out" / "project-S0003.html").exists()
    index = (tmp_path / "out" / "index.html").read_text()
    assert index.count('data-status="failed"') == 1 and index.count('data-status="timeout"') == 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_leaves_only_complete_files(tmp_path, sig):
    pf = pmkit.synth.portfolio(6, 10, seed=6)
    pf = pf.with_tables(projects=pf.projects.assign(state="proposed"))
    pmkit.save(pf, tmp_path / "data")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from pmkit.cli import main; sys.exit(main())",
                             "report", str(tmp_path / "data"), "--out", str(out), "--jobs", "2", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not list(out.glob("notebooks/.*.partial.ipynb")):
        time.sleep(0.05)  # wait until notebooks are being written
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.kill(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert [p.name for p in out.rglob(".*")] == [], "temporary files left behind"
    assert not (out / "index.html").exists()
    for page in out.glob("*.html"):
        assert page.read_text().rstrip().endswith("</html>")
    for nb in out.glob("notebooks/*.ipynb"):
        nbformat.read(nb, as_version=4)  # complete JSON


def test_monitoring_reports_show_schedule_quality_and_the_history_of_updates(run):
    pf = sample_reports.__globals__["_CACHE"]["portfolio"]
    pid = hostile_project_id(pf)
    hostile = nbformat.read(run.out_dir / "notebooks" / f"{rp.report_id('project', pid)}.ipynb", as_version=4)
    text = json.dumps([c.get("outputs", []) for c in hostile.cells])
    assert "Schedule quality (DCMA 14-point assessment)" in "".join(c.source for c in hostile.cells)
    assert "critical_path_test" in text and "bei" in text  # the checks table
    windows = pmkit.windows_analysis(pmkit.project_updates(pmkit.UpdateStore.beside(sample_reports.__globals__["_CACHE"]["data"]), pid))
    assert len(windows.windows) == len(pf.project(pid).status_dates) - 1
    assert "progress_effect_days" in text and "revision_effect_days" in text and "record each status" not in text
    other = next(r for r in run.results.itertuples() if r.kind == "project" and r.state == "active"
                 and r.project_id != pid and r.status == "ok")
    other_nb = nbformat.read(run.out_dir / other.executed_notebook, as_version=4)
    assert "record each status update with `pmkit history add" in json.dumps(
        [c.get("outputs", []) for c in other_nb.cells])


def test_every_report_headline_has_the_colour_of_the_dashboard(run):
    from pmkit.portfolio.kpi import portfolio_dashboard
    from pmkit.project.kpi import project_status

    pf = sample_reports.__globals__["_CACHE"]["portfolio"]
    dash = portfolio_dashboard(pf)
    by_id = dict(zip(dash["level"] + ":" + dash["id"].astype(str), dash["rag"], strict=True))
    ok = run.results[run.results["status"] == "ok"]
    for row in ok.itertuples():
        if row.kind == "portfolio":
            assert row.rag == by_id["portfolio:"], "portfolio"
        elif f"project:{row.project_id}" in by_id:
            assert row.rag == by_id[f"project:{row.project_id}"], row.project_id
        else:  # closed projects are not on the dashboard of running work
            assert row.rag == project_status(pf.project(row.project_id)).status, row.project_id
