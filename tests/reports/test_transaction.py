"""A report run is a transaction: interrupted, failed, concurrent, killed and unwritable runs
leave the previously published reports as they were (issue 17)."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path

import nbformat
import pytest

import pmkit
from pmkit.cli import main
from pmkit.errors import PmkitError
from pmkit.reports import runner

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
RUNNER = "import sys; from pmkit.cli import main; sys.exit(main())"


def _data(folder: Path, states=("proposed", "active")) -> Path:
    pf = pmkit.synth.portfolio(len(states), 8, seed=17)
    pf = pf.with_tables(projects=pf.projects.assign(state=list(states)))
    pmkit.save(pf, folder)
    return folder


def _previous_run(out: Path, report_ids=("project-S0001", "project-S0002", "portfolio")) -> dict[str, bytes]:
    """What an earlier run published (index, pages, notebooks, headlines, manifest); returns the files."""
    (out / "notebooks").mkdir(parents=True)
    rows = []
    for rid in report_ids:
        (out / f"{rid}.html").write_text(f"<!DOCTYPE html><html><body>old {rid}</body></html>\n")
        nbformat.write(nbformat.v4.new_notebook(), out / "notebooks" / f"{rid}.ipynb")
        head = {"title": rid, "rag": "green", "figures": {"old": 1}}
        (out / "notebooks" / f"{rid}.headline.json").write_text(json.dumps(head))
        kind = "portfolio" if rid == "portfolio" else "project"
        rows.append({"report_id": rid, "kind": kind, "project_id": rid.removeprefix("project-") if kind == "project"
                     else "", "name": rid, "state": "", "notebook": "", "status": "ok", "seconds": 1.0,
                     "html": f"{rid}.html", "executed_notebook": f"notebooks/{rid}.ipynb", "rag": "green",
                     "error": "", "cell": None, "headline": head, "generated": "2020-01-02 03:04"})
    links = "".join(f'<a href="{rid}.html">{rid}</a>' for rid in report_ids)
    (out / "index.html").write_text(f"<!DOCTYPE html><html><body>old index {links}</body></html>\n")
    (out / runner.MANIFEST).write_text(json.dumps({"version": 1, "reports": rows}))
    return _published(out)


def _published(out: Path) -> dict[str, bytes]:
    """Every published (not hidden) file below ``out`` with its content."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)}


def _tree(out: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``out``, hidden ones too, with size and mtime."""
    return {p.relative_to(out).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file()}


def _start(data: Path, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RUNNER, "report", str(data), "--out", str(out), "--no-progress",
                             "--no-portfolio", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_for_kernel(proc: subprocess.Popen, out: Path) -> list[int]:
    """Wait until a notebook is executing in a kernel; return the runner's descendants."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        pids = runner._descendants(proc.pid)
        if list(out.glob("notebooks/.*.partial.ipynb")) and any(_is_kernel(p) for p in pids):
            return pids
        time.sleep(0.05)
    raise AssertionError(f"no kernel started (runner exit {proc.poll()})")


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")  # a zombie has stopped; only its exit status is left


def test_sigterm_leaves_the_previous_reports_intact(tmp_path):
    data, out = _data(tmp_path / "data"), tmp_path / "out"
    before = _previous_run(out)
    proc = _start(data, out, "--jobs", "2")
    _wait_for_kernel(proc, out)
    os.kill(proc.pid, signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert _published(out) == before, "the interrupted run changed published files"
    assert [p.name for p in out.rglob(".*")] == [], "staging, lock or partial files left behind"


def _broken_notebooks(folder: Path) -> Path:
    folder.mkdir()
    for stem in ("01_project_planning", "02_project_monitoring", "03_portfolio_review", "04_project_closing"):
        nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell("raise RuntimeError('deliberate')"))
        nbformat.write(nb, folder / f"{stem}.ipynb")
    return folder


def test_a_run_where_every_report_fails_publishes_nothing(tmp_path):
    data, out = _data(tmp_path / "data"), tmp_path / "out"
    before = _previous_run(out)
    run = runner.run_reports(data, out, jobs=2, include_portfolio=False, progress=False,
                             notebooks=_broken_notebooks(tmp_path / "nb"))
    assert not run.ok and not run.committed
    assert set(run.results["status"]) == {"failed"}
    assert _published(out) == before, "a failed run changed published files"
    assert "nothing was published" in run.summary() and "RuntimeError: deliberate" in run.summary()
    for rel in run.results["executed_notebook"]:  # kept for audit, outside the published files
        assert "/.pmkit-failed-run/" in rel and (out / rel).is_file()
    assert not (out / runner.LOCK_NAME).exists()


def test_second_run_is_refused_and_sigkill_of_the_runner_stops_workers_and_kernels(tmp_path):
    data, out = _data(tmp_path / "data"), tmp_path / "out"
    before = _previous_run(out)
    proc = _start(data, out, "--jobs", "2")
    try:
        pids = _wait_for_kernel(proc, out)
        with pytest.raises(PmkitError) as refused:
            runner.run_reports(data, out, jobs=1, include_portfolio=False, progress=False)
        assert f"pid {proc.pid}" in str(refused.value) and str(out) in str(refused.value)
        pids = sorted(set(pids) | set(runner._descendants(proc.pid)))
        assert any(_is_kernel(p) for p in pids)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    assert [p for p in pids if _alive(p)] == [], "workers or kernels outlived the runner"
    settled = _tree(out)
    time.sleep(3)
    assert _tree(out) == settled, "files changed in the output folder after the runner died"
    assert _published(out) == before


def test_stale_lock_of_a_dead_run_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / runner.LOCK_NAME).write_text(f"{dead.pid}\n")
    with runner._RunLock(out):
        assert (out / runner.LOCK_NAME).read_text().split()[0] == str(os.getpid())
        with pytest.raises(PmkitError, match=f"another pmkit report run \\(pid {os.getpid()}\\) is writing to"):
            runner._RunLock(out).__enter__()
    assert not (out / runner.LOCK_NAME).exists()


def test_subset_run_keeps_the_other_reports_and_takes_over_a_stale_lock(tmp_path):
    data, out = _data(tmp_path / "data"), tmp_path / "out"
    before = _previous_run(out)
    (out / runner.LOCK_NAME).write_text("999999999\n")  # no such process
    run = runner.run_reports(data, out, project_ids=["S0001"], jobs=1, include_portfolio=False, progress=False)
    assert run.ok and run.committed, run.summary()
    after = _published(out)
    for rel in ("project-S0002.html", "notebooks/project-S0002.ipynb", "portfolio.html"):
        assert after[rel] == before[rel], f"{rel} of a report not re-run was changed"
    assert after["project-S0001.html"] != before["project-S0001.html"]
    index = (out / "index.html").read_text()
    assert 'href="project-S0001.html"' in index and 'href="project-S0002.html"' in index
    assert 'href="portfolio.html"' in index and index.count("from the run of 2020-01-02 03:04") == 2
    manifest = json.loads((out / runner.MANIFEST).read_text())
    assert sorted(r["report_id"] for r in manifest["reports"]) == ["portfolio", "project-S0001", "project-S0002"]
    assert [p.name for p in out.rglob(".*")] == [], "lock or staging left behind"


def test_disk_full_while_writing_the_index_is_one_clear_error_and_keeps_the_old_index(tmp_path, monkeypatch):
    from pmkit.reports import index

    data, out = _data(tmp_path / "data", states=("proposed",)), tmp_path / "out"
    before = _previous_run(out)

    def full(path, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(index, "publish", full)
    with pytest.raises(PmkitError) as exc:
        runner.run_reports(data, out, jobs=1, include_portfolio=False, progress=False)
    message = str(exc.value)
    assert message.startswith("disk full writing ") and "index.html" in message and "\n" not in message
    assert f"the reports in {out} are unchanged" in message
    assert _published(out) == before
    assert [p.name for p in out.rglob(".*")] == []


def test_disk_full_in_a_worker_says_disk_full_not_notjsonerror(tmp_path, monkeypatch):
    import papermill

    def truncated(_input, output, **_kw):  # what papermill does on a full disk: half a file, then OSError
        Path(output).write_text('{"cells": [')
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), output)

    monkeypatch.setattr(papermill, "execute_notebook", truncated)
    (tmp_path / "notebooks").mkdir()
    task = {"report_id": "project-X", "input": str(NOTEBOOKS / "01_project_planning.ipynb"), "timeout": 10.0,
            "parameters": {"headline_path": str(tmp_path / "notebooks" / "project-X.headline.json")},
            "cwd": str(tmp_path), "title": "X", "html": str(tmp_path / "project-X.html"),
            "executed": str(tmp_path / "notebooks" / "project-X.ipynb")}
    outcome = runner.execute_report(task)
    assert outcome["status"] == "failed" and outcome["write_error"]
    assert outcome["error"].startswith("disk full writing ") and "NotJSONError" not in outcome["error"]
    assert list(tmp_path.rglob("*.ipynb")) == []


def test_read_only_output_folder_is_refused_before_any_notebook_runs(tmp_path):
    data, out = _data(tmp_path / "data"), tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        t0 = time.monotonic()
        with pytest.raises(PmkitError, match=r"output folder .*out is read-only \(mode 0555\)"):
            runner.run_reports(data, out, jobs=1, include_portfolio=False, progress=False)
        assert time.monotonic() - t0 < 5
        err = io.StringIO()
        with redirect_stderr(err):
            code = main(["report", str(data), "--out", str(out), "--no-progress"])
        assert code == 1 and err.getvalue().startswith("error: output folder ") and "Traceback" not in err.getvalue()
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


def test_read_only_file_system_is_refused_before_any_notebook_runs(tmp_path, monkeypatch):
    import tempfile

    data, out = _data(tmp_path / "data"), tmp_path / "out"

    def erofs(*_a, **_kw):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(out / "notebooks"))

    monkeypatch.setattr(tempfile, "mkdtemp", erofs)
    monkeypatch.setattr(runner, "_execute_all", lambda *a, **k: pytest.fail("a notebook ran"))
    with pytest.raises(PmkitError, match="read-only file system"):
        runner.run_reports(data, out, jobs=1, include_portfolio=False, progress=False)
    assert not (out / runner.LOCK_NAME).exists()
