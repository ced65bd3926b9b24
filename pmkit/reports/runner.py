"""Batch reports: run the pmkit notebooks for every project and the portfolio, write HTML.

:func:`run_reports` (also ``pmkit report PATH --out DIR``) picks the notebook that fits each
project's life-cycle state, executes it with papermill on the ``python3`` kernel in
parallel worker processes, and writes, in ``DIR``:

- ``<report>.html``: the report with the code hidden, self-contained (charts are static
  SVG, no script or style is fetched from the network);
- ``notebooks/<report>.ipynb``: the executed notebook, for audit;
- ``notebooks/<report>.headline.json``: the headline figures the notebook recorded with
  :func:`save_headline`;
- ``index.html``: one row per report with its headline KPIs and red/amber/green status.

A run is a transaction: every file is written to a staging folder and moved into place at
the end, the index last, so an interrupted or failed run leaves the previous reports as they
were (see :func:`run_reports`). A failing notebook does not stop the others; the run's
:class:`ReportRun` (and the command's exit status) names each failure with its project and
the failing cell's error.

The notebooks also call the small display helpers of this module (:func:`project_card`,
:func:`show_table`, ...), which escape every user-supplied text.

Examples
--------
>>> from pmkit.reports.runner import run_reports
>>> run = run_reports(pmkit.sample_path(), "reports", jobs=2)     # doctest: +SKIP
>>> run.ok, run.index_path                                           # doctest: +SKIP
(True, PosixPath('reports/index.html'))
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import stat
import sys
import time
import zlib
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import PmkitError
from .index import write_index
from .markup import publish

#: Notebook (file stem in the notebooks folder) for each project life-cycle state.
NOTEBOOK_FOR_STATE: dict[str, str] = {
    "proposed": "01_project_planning",
    "active": "02_project_monitoring",
    "on_hold": "02_project_monitoring",
    "closed": "04_project_closing",
}


#: Notebook of the portfolio review.
PORTFOLIO_NOTEBOOK = "03_portfolio_review"


#: States that get no report (and why).
SKIPPED_STATES: dict[str, str] = {"cancelled": "cancelled projects get no report"}


_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.html.j2"


# references that would make a report depend on the network
_EXTERNAL_RE = re.compile(
    r"""<(?:script|link|img|iframe|embed|source|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]+"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//[^"')\s]+"""
    r"""|url\(\s*["']?(?:https?:)?//[^"')\s]+""",
    re.IGNORECASE,
)


def notebooks_dir() -> Path:
    """The folder of the pmkit notebooks (``notebooks/`` of the source tree, or of the cwd)."""
    for root in (Path(__file__).resolve().parents[2], Path.cwd()):
        d = root / "notebooks"
        if (d / f"{PORTFOLIO_NOTEBOOK}.ipynb").exists():
            return d
    raise PmkitError("pmkit notebooks not found: expected notebooks/03_portfolio_review.ipynb in the "
                     "source tree or the current folder; pass notebooks=DIR (--notebooks DIR)")


def report_id(kind: str, project_id: str | None = None) -> str:
    """File stem of a report: ``portfolio`` or ``project-<id>``.

    Ids are free text; characters that are unsafe in file names are replaced and a short
    checksum keeps two ids that differ only in such characters apart.
    """
    if kind == "portfolio":
        return "portfolio"
    pid = str(project_id)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", pid)[:60].lstrip(".")
    if safe != pid:
        safe = f"{safe}-{zlib.crc32(pid.encode('utf-8')):08x}"
    return f"project-{safe}"


def plan_reports(portfolio, project_ids: Iterable[str] | None = None, include_portfolio: bool = True,
                 notebooks: str | os.PathLike | None = None) -> pd.DataFrame:
    """Which notebook reports on what: one row per project (and the portfolio).

    Parameters
    ----------
    portfolio : Portfolio
    project_ids : iterable of str, optional
        Only these projects (default: all). Unknown ids raise :class:`PmkitError`.
    include_portfolio : bool
        Add the portfolio review.
    notebooks : path, optional
        Folder of the notebooks (default :func:`notebooks_dir`).

    Returns
    -------
    DataFrame
        ``report_id, kind, project_id, name, state, notebook`` (path, blank when skipped)
        and ``skip_reason`` (blank unless the project gets no report).
    """
    nb_dir = Path(notebooks) if notebooks is not None else notebooks_dir()
    projects = portfolio.projects
    if project_ids is not None:
        wanted = [str(p) for p in project_ids]
        unknown = [p for p in wanted if p not in set(portfolio.project_ids)]
        if unknown:
            raise PmkitError(f"unknown project id(s) {', '.join(map(repr, unknown))}; known: "
                             f"{', '.join(portfolio.project_ids[:20])}")
        projects = projects[projects["project_id"].astype(str).isin(wanted)]
    rows = []
    if include_portfolio:
        rows.append({"report_id": "portfolio", "kind": "portfolio", "project_id": "", "name": portfolio.name,
                     "state": "", "notebook": str(nb_dir / f"{PORTFOLIO_NOTEBOOK}.ipynb"), "skip_reason": ""})
    for pid, name, state in zip(projects["project_id"].astype(str), projects["name"].astype(str),
                                projects["state"].astype(str), strict=True):
        stem = NOTEBOOK_FOR_STATE.get(state)
        rows.append({"report_id": report_id("project", pid), "kind": "project", "project_id": pid,
                     "name": name, "state": state,
                     "notebook": str(nb_dir / f"{stem}.ipynb") if stem else "",
                     "skip_reason": "" if stem else SKIPPED_STATES.get(state, f"no notebook for state {state}")})
    plan = pd.DataFrame(rows, columns=["report_id", "kind", "project_id", "name", "state", "notebook",
                                       "skip_reason"])
    for nb in plan.loc[plan["notebook"] != "", "notebook"].unique():
        if not Path(nb).exists():
            raise PmkitError(f"notebook {nb} not found")
    return plan


@dataclass
class ReportRun:
    """Outcome of :func:`run_reports`.

    ``results`` has one row per planned report: ``report_id, kind, project_id, name, state,
    notebook, status`` (``ok``, ``failed``, ``timeout`` or ``skipped``), ``seconds``,
    ``html`` and ``executed_notebook`` (paths relative to ``out_dir``, blank when absent),
    ``rag``, ``error`` (the failing cell's exception), ``cell`` (its execution count) and
    ``headline`` (dict of figures). ``committed`` is False when nothing was published
    because every report failed; ``executed_notebook`` then points into
    ``notebooks/.pmkit-failed-run/`` and ``index_path`` is the previous, unchanged index.
    """

    out_dir: Path
    results: pd.DataFrame
    index_path: Path
    seconds: float = 0.0
    jobs: int = 1
    #: False when nothing was published (every report failed): ``out_dir`` is as it was
    committed: bool = True

    @property
    def failures(self) -> pd.DataFrame:
        return self.results[self.results["status"].isin(["failed", "timeout"])]

    @property
    def ok(self) -> bool:
        return self.failures.empty

    def summary(self) -> str:
        """Readable summary: counts, then every failure with its project and error."""
        r = self.results
        counts = r["status"].value_counts()
        done = int(counts.get("ok", 0))
        lines = [f"{done} report{'s' if done != 1 else ''} written to {self.out_dir} in {self.seconds:.1f} s "
                 f"({self.jobs} job{'s' if self.jobs != 1 else ''}); index: {self.index_path}"]
        if not self.committed:
            lines = [f"no report succeeded: nothing was published, the reports in {self.out_dir} are unchanged "
                     f"({self.seconds:.1f} s)"]
        for row in r[r["status"] == "skipped"].itertuples():
            lines.append(f"skipped {row.project_id} ({row.name}): {row.error}")
        for row in self.failures.itertuples():
            what = "portfolio review" if row.kind == "portfolio" else f"project {row.project_id} ({row.name})"
            cell = f" in cell [{int(row.cell)}]" if row.cell is not None and not pd.isna(row.cell) else ""
            lines.append(f"FAILED {what}, notebook {Path(row.notebook).name}{cell}: {row.error}")
            if row.executed_notebook:
                lines.append(f"    executed notebook: {self.out_dir / row.executed_notebook}")
        if not self.ok:
            lines.append(f"{len(self.failures)} of {len(r[r['status'] != 'skipped'])} reports failed")
        return "\n".join(lines)


def run_reports(path: str | os.PathLike, out: str | os.PathLike, project_ids: Iterable[str] | None = None,
                jobs: int | None = None, timeout: float = 600.0, include_portfolio: bool = True,
                notebooks: str | os.PathLike | None = None, progress: bool = True) -> ReportRun:
    """Execute the right notebook for every project and the portfolio; write HTML reports.

    A run is a transaction. Reports are written to a staging folder
    (``out/notebooks/.pmkit-staging-<pid>``, same filesystem) and moved into place only at
    the end, the index last. A run that is interrupted (SIGTERM, Ctrl-C, an exception),
    that cannot write (disk full, permission denied: :class:`PmkitError`) or in which no
    report succeeded publishes nothing: the previous index, pages and notebooks are left
    as they were (the executed notebooks of a run where all failed are kept for audit in
    ``out/notebooks/.pmkit-failed-run/``). A run with some failures is published; a failed
    report gets no page (an earlier one is removed after the new index is in place).

    Reports not re-run this time: in a subset run (``project_ids=`` or
    ``include_portfolio=False``) the existing reports of the projects (and the portfolio)
    outside the selection are kept, page, notebook and index row, and the index marks them
    with the time of their run (read from ``notebooks/index.json``, the machine-readable
    index every run writes). Reports of projects no longer in the portfolio, and in a full
    run every earlier report not re-run, are removed with their index row; only files an
    earlier run listed in ``notebooks/index.json`` are ever removed.

    A lock file ``out/.pmkit-report.lock`` (holding the pid) refuses a second run into the
    same folder; the lock of a dead process is taken over. Workers (and their kernels)
    stop when the runner dies, even by SIGKILL.

    Parameters
    ----------
    path : path
        Portfolio data (folder of CSV files or workbook), passed to each notebook.
    out : path
        Output folder (created).
    project_ids : iterable of str, optional
        Only these projects (default: all; cancelled projects are skipped).
    jobs : int, optional
        Parallel worker processes (default: the number of CPUs).
    timeout : float
        Seconds one notebook may take in all (kernel start included) before it is stopped.
    include_portfolio : bool
        Also run the portfolio review.
    notebooks : path, optional
        Folder with the notebooks (default :func:`notebooks_dir`).
    progress : bool
        Report progress on stderr: a bar on a terminal, else one line per finished report.

    Returns
    -------
    ReportRun
        Per-report results, the index path and :meth:`ReportRun.summary`.

    Raises
    ------
    PmkitError
        The output folder is read-only, locked by another run, or could not be written
        (disk full, permission denied, ...); nothing was published.
    """
    from ..data.io import load

    t0 = time.perf_counter()
    data = Path(path).resolve()
    out_dir = Path(out).resolve()
    pf = load(data)
    plan = plan_reports(pf, project_ids, include_portfolio, notebooks)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    _prepare_out(out_dir)
    previous = _raise_on_sigterm()  # SIGTERM at any point below cleans up like Ctrl-C
    try:
        return _run_locked(t0, data, out_dir, pf, plan, project_ids, jobs, timeout, include_portfolio, progress)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run_locked(t0, data, out_dir, pf, plan, project_ids, jobs, timeout, include_portfolio, progress):
    with _RunLock(out_dir):
        _remove_partials(out_dir)
        stage = _make_staging(out_dir)
        try:
            tasks = [_job(row, data, stage, out_dir, timeout) for row in plan.itertuples() if row.notebook]
            outcomes: dict[str, dict] = {}
            running = _execute_all(tasks, jobs, progress, str(stage / "notebooks" / "kernels.log"))
            try:
                for r in running:
                    if r.get("write_error"):  # disk full or no permission: the next reports fail too
                        raise PmkitError(f"{r['error']} (report {r['report_id']}); nothing was published, the "
                                         f"reports in {out_dir} are unchanged")
                    outcomes[r["report_id"]] = r
            finally:
                running.close()  # stops the workers at once if we leave early
            results = _results_frame(plan, outcomes)
            if tasks and not (results["status"] == "ok").any():
                # nothing succeeded: publish nothing, keep the failed notebooks for audit
                kept = _keep_failed_run(out_dir, stage)
                results["executed_notebook"] = [f"{kept.relative_to(out_dir).as_posix()}/{p}" if p else ""
                                                for p in results["executed_notebook"]]
                return ReportRun(out_dir, results, out_dir / "index.html", time.perf_counter() - t0, jobs,
                                 committed=False)
            selection = None if project_ids is None else {str(p) for p in project_ids}
            index_path = _commit(out_dir, stage, results, pf, selection, include_portfolio, str(data))
            return ReportRun(out_dir, results, index_path, time.perf_counter() - t0, jobs)
        except OSError as exc:
            raise PmkitError(f"{describe_os_error(exc)}; nothing was published, the reports in {out_dir} "
                             "are unchanged") from exc
        finally:
            with _signals_blocked():
                shutil.rmtree(stage, ignore_errors=True)


#: Lock file in the output folder, holding the pid of the run writing into it.
LOCK_NAME = ".pmkit-report.lock"
#: Machine-readable index of the published reports (relative to the output folder).
MANIFEST = "notebooks/index.json"
_STAGING_PREFIX = ".pmkit-staging-"
_FAILED_RUN = ".pmkit-failed-run"
_WRITE_ERRNOS = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded",
                 errno.EACCES: "permission denied", errno.EPERM: "permission denied",
                 errno.EROFS: "read-only file system"}


def describe_os_error(exc: OSError, doing: str = "writing") -> str:
    """One line for a failed file operation: ``disk full writing /x/y.html (No space left on device)``."""
    what = _WRITE_ERRNOS.get(exc.errno or 0)
    where = f" {exc.filename}" if exc.filename else ""
    detail = exc.strerror or str(exc) or type(exc).__name__
    return f"{what} {doing}{where} ({detail})" if what else f"error {doing}{where}: {detail}"


def _write_error(exc: BaseException) -> OSError | None:
    """The OSError of a failed write in ``exc`` or its causes (disk full, permission, read-only)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _prepare_out(out_dir: Path) -> None:
    """Create the output folder; refuse a read-only one before any notebook runs."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PmkitError(f"cannot create the output folder {out_dir}: {describe_os_error(exc)}") from exc
    for folder in (out_dir, out_dir / "notebooks"):
        if not folder.exists():
            continue
        if not folder.is_dir():
            raise PmkitError(f"{folder} is not a folder")
        mode = stat.S_IMODE(folder.stat().st_mode)
        # the mode bits too: root may write anywhere, but a folder made read-only is meant to stay so
        if not mode & 0o222 or not os.access(folder, os.W_OK | os.X_OK):
            raise PmkitError(f"output folder {folder} is read-only (mode {mode:04o}); make it writable or "
                             "choose another --out folder")
    try:
        (out_dir / "notebooks").mkdir(exist_ok=True)
    except OSError as exc:
        raise PmkitError(f"cannot write to the output folder {out_dir}: {describe_os_error(exc)}") from exc


class _RunLock:
    """``out/.pmkit-report.lock``: one run per output folder (flock; pid for the message).

    The flock is released by the kernel when its process dies, so the lock file of a dead
    run is simply taken over. Without flock (some network filesystems) the pid decides.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.path = out_dir / LOCK_NAME
        self.fd: int | None = None

    def _refuse(self, pid: int | None):
        who = f"pid {pid}" if pid else "pid unknown"
        raise PmkitError(f"another pmkit report run ({who}) is writing to {self.out_dir}; wait for it to finish "
                         f"or choose another --out folder (lock file {self.path})")

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text(encoding="ascii").split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def __enter__(self) -> _RunLock:
        try:
            self._acquire()
        except OSError as exc:
            raise PmkitError(f"cannot lock the output folder {self.out_dir}: {describe_os_error(exc)}") from exc
        return self

    def _acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            fcntl = None
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if fcntl is not None:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        self._refuse(self._holder())
                    except OSError as exc:
                        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
                            raise
                        self._check_pid()
                else:
                    self._check_pid()
                try:  # the holder we waited on may have removed the file: lock the one that is there
                    if os.stat(self.path).st_ino != os.fstat(fd).st_ino:
                        continue
                except FileNotFoundError:
                    continue
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode("ascii"))
                self.fd, fd = fd, None
                return
            finally:
                if fd is not None:
                    os.close(fd)
        self._refuse(self._holder())

    def _check_pid(self) -> None:
        pid = self._holder()
        if pid and pid != os.getpid() and _pid_alive(pid):
            self._refuse(pid)

    def __exit__(self, *exc) -> None:
        if self.fd is None:
            return
        with _signals_blocked():
            try:
                if os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                    self.path.unlink()
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _signals_blocked:
    """Defer SIGINT/SIGTERM while files are moved (a signal then acts when the moves are done)."""

    def __enter__(self):
        self.mask = None
        if hasattr(signal, "pthread_sigmask"):
            self.mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        return self

    def __exit__(self, *exc):
        if self.mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)


def _make_staging(out_dir: Path) -> Path:
    import tempfile

    try:
        stage = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=out_dir / "notebooks"))
        os.chmod(stage, 0o755)
        (stage / "notebooks").mkdir()
    except OSError as exc:
        raise PmkitError(f"cannot write to the output folder {out_dir}: {describe_os_error(exc)}") from exc
    return stage


def _keep_failed_run(out_dir: Path, stage: Path) -> Path:
    """Move the staging folder of a run where every report failed to ``notebooks/.pmkit-failed-run``."""
    target = out_dir / "notebooks" / _FAILED_RUN
    with _signals_blocked():
        shutil.rmtree(target, ignore_errors=True)
        os.replace(stage, target)
    return target


def _read_manifest(out_dir: Path) -> list[dict]:
    try:
        doc = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return [r for r in doc.get("reports", []) if isinstance(r, dict) and r.get("report_id")]
    except (OSError, ValueError, AttributeError):
        return []


def _report_files(rid: str) -> list[str]:
    return [f"{rid}.html", f"notebooks/{rid}.ipynb", f"notebooks/{rid}.headline.json"]


def _commit(out_dir: Path, stage: Path, results: pd.DataFrame, pf, selection: set[str] | None,
            include_portfolio: bool, data_path: str) -> Path:
    """Write the index into staging, then move this run's files into place, the index last."""
    from datetime import datetime

    from ..data.io import atomic_write_text
    from .markup import json_value

    now = datetime.now().strftime("%Y-%m-%d %H:%M")
    planned = set(results["report_id"])
    known = {str(p) for p in pf.project_ids}
    kept, obsolete = [], []
    for row in _read_manifest(out_dir):
        rid = str(row["report_id"])
        if rid in planned:
            continue
        outside = (not include_portfolio if row.get("kind") == "portfolio"
                   else selection is not None and str(row.get("project_id")) in known - selection)
        if outside:
            for key, rel in (("html", row.get("html")), ("executed_notebook", row.get("executed_notebook"))):
                if rel and not (out_dir / rel).is_file():
                    row[key] = ""
            defaults = {c: "" for c in results.columns} | {"headline": {}, "cell": None, "seconds": 0.0}
            kept.append(defaults | {k: v for k, v in row.items() if v is not None or k == "cell"}
                        | {"generated": str(row.get("generated") or "")})
        else:
            obsolete.append(rid)
    this = results.assign(generated=now, earlier_run="")
    rows = this.to_dict("records") + [{**r, "earlier_run": r.get("generated") or "an unknown date"} for r in kept]
    manifest = {"version": 1, "title": pf.name, "data_path": data_path, "generated": now,
                "reports": [{k: (v if isinstance(v, dict) else json_value(v)) for k, v in r.items()
                             if k != "earlier_run"} for r in rows]}
    atomic_write_text(stage / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False), mode=0o644)
    index_frame = pd.DataFrame(rows, columns=list(this.columns))
    write_index(stage, index_frame, title=pf.name, data_path=data_path)
    # what moves: this run's files (every name it staged), then the manifest, the index last
    moves = [rel for rid in results["report_id"] for rel in _report_files(rid) if (stage / rel).exists()]
    moves += [rel for rel in ("notebooks/kernels.log", MANIFEST, "index.html") if (stage / rel).exists()]
    # what goes after: earlier files of reports that produced none this time, and obsolete reports
    removals = [rel for rid in results["report_id"] for rel in _report_files(rid) if not (stage / rel).exists()]
    removals += [rel for rid in obsolete for rel in _report_files(str(rid))]
    backup = stage / ".previous"
    done: list[tuple[Path, Path | None]] = []
    with _signals_blocked():
        try:
            for rel in moves:
                dst = out_dir / rel
                saved = None
                if dst.exists():
                    saved = backup / rel
                    saved.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(dst, saved)
                    except OSError:
                        saved = None
                os.replace(stage / rel, dst)
                done.append((dst, saved))
        except OSError:
            for dst, saved in reversed(done):  # put the previous run back
                try:
                    if saved is not None:
                        os.replace(saved, dst)
                    else:
                        dst.unlink(missing_ok=True)
                except OSError:
                    pass
            raise
        for rel in removals:
            try:
                (out_dir / rel).unlink(missing_ok=True)
            except OSError:
                pass
        shutil.rmtree(out_dir / "notebooks" / _FAILED_RUN, ignore_errors=True)
    return out_dir / "index.html"


def _job(row, data: Path, stage: Path, out_dir: Path, timeout: float) -> dict:
    rid = row.report_id
    params: dict[str, Any] = {"data_path": str(data), "offline": True,
                              "headline_path": str(stage / "notebooks" / f"{rid}.headline.json")}
    if row.kind == "project":
        params["project_id"] = row.project_id
    title = f"{row.name} - portfolio review" if row.kind == "portfolio" else f"{row.project_id} {row.name}"
    return {"report_id": rid, "input": row.notebook, "parameters": params, "timeout": float(timeout),
            "cwd": str(Path(row.notebook).parent), "title": title,
            "html": str(stage / f"{rid}.html"), "executed": str(stage / "notebooks" / f"{rid}.ipynb"),
            "partial_dir": str(out_dir / "notebooks")}


def _execute_all(tasks: list[dict], jobs: int, progress: bool, log_path: str | None = None):
    """Yield each task's outcome as it completes, from a pool of warm worker processes."""
    if not tasks:
        return
    import multiprocessing as mp

    from tqdm.auto import tqdm

    # a bar on a terminal; one line per finished report in a log or a pipe (CI, cron)
    lines = bool(progress) and not sys.stderr.isatty()
    bar = tqdm(total=len(tasks), desc="reports", unit="report", disable=not progress or lines, file=sys.stderr)
    finished = 0
    # spawn: clean workers without the parent's threads; each imports papermill/nbconvert once
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=mp.get_context("spawn"),
                               initializer=_worker_init, initargs=(log_path, os.getpid()))
    previous = _raise_on_sigterm()
    pending: set[Future] = set()
    interrupted = False
    try:
        futures = {pool.submit(execute_report, t): t for t in tasks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task = futures[fut]
                try:
                    outcome = fut.result()
                except Exception as exc:  # the worker process itself died
                    outcome = _outcome(task, "failed", 0.0, error=f"worker crashed: {exc!r}")
                bar.update(1)
                finished += 1
                if lines:
                    why = f": {outcome['error']}" if outcome["status"] != "ok" else ""
                    print(f"[{finished}/{len(tasks)}] {outcome['status']} {task['title']} "
                          f"({outcome['seconds']:.1f} s){why}", file=sys.stderr, flush=True)
                elif outcome["status"] != "ok":
                    bar.write(f"{outcome['status']}: {task['title']}: {outcome['error']}", file=sys.stderr)
                yield outcome
    except BaseException:
        # Ctrl-C or kill: stop the workers; each removes its temporary files and kernel
        for fut in pending:
            fut.cancel()
        procs = [p for p in list((getattr(pool, "_processes", None) or {}).values()) if p.is_alive()]
        for proc in procs:
            proc.terminate()
        for proc in procs:  # a worker stuck in kernel shutdown gets 10 s, then is killed
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        interrupted = True
        raise
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        signal.signal(signal.SIGTERM, previous) if previous is not None else None
        bar.close()


class ReportInterrupted(KeyboardInterrupt):
    """The run was stopped by SIGTERM (treated like Ctrl-C so clean-up code runs)."""


def _on_sigterm(signum, frame):
    raise ReportInterrupted(f"stopped by signal {signum}")


def _raise_on_sigterm():
    """Turn SIGTERM into an exception (main thread only) so finally-blocks clean up."""
    try:
        return signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        return None


# the partial notebook a worker is writing, deleted when the worker is stopped
_WORKER_FILES: set[str] = set()
_PR_SET_PDEATHSIG = 1


def _worker_init(log_path: str | None = None, parent_pid: int | None = None) -> None:
    # Stop with the runner: SIGTERM (from the runner, or from the kernel when the runner dies)
    # kills this worker's kernels and removes its partial files at once. Then import once per
    # worker what every report needs (warm workers).
    signal.signal(signal.SIGTERM, _worker_stop)
    parent_pid = parent_pid or os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog below still works
            pass
    if os.getppid() != parent_pid:  # the runner died before the death signal was armed
        _worker_stop()
    import threading

    def watchdog():  # any platform, and a backstop should the main thread be stuck in C code
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                _worker_stop()

    threading.Thread(target=watchdog, name="pmkit-runner-watchdog", daemon=True).start()
    if log_path:
        # kernels inherit stderr: their start-up chatter goes to the log, not over the progress bar
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


def _worker_stop(signum: int = signal.SIGTERM, frame=None) -> None:
    """Kill this worker's kernels (and what they started), delete its partial files, exit now."""
    try:
        _kill_descendants()
    finally:
        for f in list(_WORKER_FILES):
            try:
                os.unlink(f)
            except OSError:
                pass
        os._exit(128 + int(signum))


def _descendants(pid: int) -> list[int]:
    """Pids of every process below ``pid`` (psutil when installed, else /proc)."""
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - psutil.Error: the process is gone
        return []
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _connection_file(pid: int) -> str | None:
    """The jupyter connection file of a kernel (``-f FILE`` on its command line)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return None
    for i, a in enumerate(args[:-1]):
        if a == "-f" and args[i + 1].endswith(".json"):
            return args[i + 1]
    return None


def _kill_descendants() -> None:
    me, my_group = os.getpid(), os.getpgid(0)
    for pid in _descendants(me):
        conn = _connection_file(pid)
        try:
            # kernels run in a session of their own: kill the whole group (what the kernel started)
            if os.getpgid(pid) == pid and pid != my_group:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        if conn and os.path.basename(conn).startswith("kernel-"):
            try:
                os.unlink(conn)
            except OSError:
                pass


def _outcome(task: dict, status: str, seconds: float, error: str = "", cell=None, headline=None,
             html_written: bool = False, executed: bool = False, write_error: bool = False) -> dict:
    return {"report_id": task["report_id"], "status": status, "seconds": round(seconds, 3), "error": error,
            "cell": cell, "headline": headline or {}, "html_written": html_written, "executed": executed,
            "write_error": write_error}


_KERNEL_WRITE_ERROR = re.compile(r"\[Errno (28|30|122)\]")  # ENOSPC, EROFS, EDQUOT inside the notebook


#: How a kernel that never came up shows (jupyter_client): nothing of the notebook ran yet.
_KERNEL_START_FAILED = re.compile(r"Kernel died before replying to kernel_info|Kernel didn't respond")


def _execute_retrying_kernel_start(*args, attempts: int = 3, **kwargs):
    """papermill's execute_notebook, started again when the kernel dies before it answers.

    Kernels started side by side by parallel workers can lose the race for a free port and
    die at start-up; nothing of the notebook has run then, so starting again is safe.
    """
    import papermill as pm

    for attempt in range(attempts):
        try:
            return pm.execute_notebook(*args, **kwargs)
        except RuntimeError as exc:
            if attempt + 1 == attempts or not _KERNEL_START_FAILED.search(str(exc)):
                raise
            time.sleep(0.5 * (attempt + 1))


def execute_report(task: dict) -> dict:
    """Execute one notebook and export its HTML (runs in a worker process).

    ``task`` holds ``report_id, input, parameters, timeout, cwd, title, html, executed``
    and optionally ``partial_dir`` (where papermill saves its progress; default the folder
    of ``executed``), see :func:`run_reports`. Returns a dict with ``status`` (``ok``,
    ``failed``, ``timeout``), ``error``, ``cell``, ``seconds``, ``headline`` and
    ``write_error`` (true when a file could not be written: disk full, permission denied,
    read-only file system; ``error`` says which). Never raises for an error inside the
    notebook.
    """
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    t0 = time.monotonic()
    executed = Path(task["executed"])
    html_path = Path(task["html"])
    headline_path = Path(task["parameters"]["headline_path"])
    partial_dir = Path(task.get("partial_dir") or executed.parent)
    tmp_nb = partial_dir / f".{executed.stem}.{os.getpid()}.partial.ipynb"
    deadline = t0 + float(task["timeout"])
    status, error, cell, write_error = "ok", "", None, False
    _WORKER_FILES.add(str(tmp_nb))
    try:
        for stale in (headline_path, html_path):  # never show an earlier run's figures as this run's
            stale.unlink(missing_ok=True)
        try:
            _execute_retrying_kernel_start(
                task["input"], str(tmp_nb), parameters=task["parameters"], kernel_name="python3",
                progress_bar=False, log_output=False, cwd=task["cwd"],
                start_timeout=max(60.0, float(task["timeout"])),
                # one budget for the whole notebook: each cell gets what is left of it
                timeout_func=lambda _cell: max(1.0, deadline - time.monotonic()),
                shutdown_kernel="immediate",  # the notebook is done; do not wait for a polite exit
            )
        except pm.PapermillExecutionError as exc:
            status, error, cell = "failed", f"{exc.ename}: {exc.evalue}", exc.exec_count
            if _KERNEL_WRITE_ERROR.search(str(exc.evalue)):
                write_error = True
                error = f"{'disk full' if 'Errno 28' in str(exc.evalue) else 'cannot write'} in the notebook: {error}"
        except CellTimeoutError:
            status, error = "timeout", f"notebook did not finish within {task['timeout']:g} s"
        except DeadKernelError as exc:
            status, error = "failed", f"kernel died: {exc}"
        except Exception as exc:  # papermill/nbclient raise many kinds (bad parameters, kernel start)
            oserr = _write_error(exc)
            if oserr is not None:
                status, error, write_error = "failed", describe_os_error(oserr), True
            else:
                status, error = "failed", f"{type(exc).__name__}: {exc}"
        headline = _read_headline(headline_path) if status == "ok" else {}
        html_written = False
        if tmp_nb.exists() and not write_error:
            try:
                nb = nbformat.read(tmp_nb, as_version=4)
            except (OSError, ValueError) as exc:  # nbformat's NotJSONError is a ValueError
                nb = None
                status, error = "failed", f"the executed notebook could not be read back ({type(exc).__name__})"
            try:
                if nb is not None and status == "ok":
                    page = export_html(nb, task["title"])
                    refs = external_references(page)
                    if refs:
                        status, error = "failed", "report would load from the network: " + ", ".join(refs[:3])
                    else:
                        publish(html_path, page)
                        html_written = True
                if nb is not None:
                    os.replace(tmp_nb, executed)
            except OSError as exc:
                status, error, write_error, html_written = "failed", describe_os_error(exc), True, False
        return _outcome(task, status, time.monotonic() - t0, error, cell, headline, html_written,
                        executed.exists(), write_error)
    except OSError as exc:  # the stale files could not be removed
        return _outcome(task, "failed", time.monotonic() - t0, describe_os_error(exc, "removing"),
                        write_error=True)
    finally:
        try:
            tmp_nb.unlink(missing_ok=True)
        except OSError:
            pass
        _WORKER_FILES.discard(str(tmp_nb))


def _read_headline(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _remove_partials(out_dir: Path) -> None:
    """Delete temporary files a killed earlier run may have left."""
    # ours only: .<name>.<pid>.partial.ipynb, and atomic_write_text's .<name>.<random>
    # and the staging folders of runs that were killed (the lock is ours: they are dead)
    for folder in (out_dir, out_dir / "notebooks"):
        for pattern in (".*.partial.ipynb", ".*.html.*", ".*.headline.json.*", ".index.json.*"):
            for f in folder.glob(pattern):
                f.unlink(missing_ok=True)
    for stage in (out_dir / "notebooks").glob(f"{_STAGING_PREFIX}*"):
        shutil.rmtree(stage, ignore_errors=True)


def _results_frame(plan: pd.DataFrame, outcomes: Mapping[str, dict]) -> pd.DataFrame:
    rows = []
    for row in plan.itertuples(index=False):
        rec = row._asdict()
        o = outcomes.get(row.report_id)
        if not row.notebook:
            rec.update(status="skipped", seconds=0.0, html="", executed_notebook="", rag="", error=row.skip_reason,
                       cell=None, headline={})
        elif o is None:  # not reached (interrupted)
            rec.update(status="failed", seconds=0.0, html="", executed_notebook="", rag="", error="not run",
                       cell=None, headline={})
        else:
            head = o["headline"] or {}
            rec.update(status=o["status"], seconds=o["seconds"],
                       html=f"{row.report_id}.html" if o["html_written"] else "",
                       executed_notebook=f"notebooks/{row.report_id}.ipynb" if o["executed"] else "",
                       rag=str(head.get("rag", "")), error=o["error"], cell=o["cell"], headline=head)
        rec.pop("skip_reason")
        rows.append(rec)
    return pd.DataFrame(rows)


def export_html(nb, title: str = "") -> str:
    """A notebook as a self-contained HTML page with the code hidden.

    Uses nbconvert's JupyterLab look through pmkit's template, which drops the CDN
    references (require.js, MathJax, Mermaid, widgets) and sets a Content Security Policy
    that blocks scripts and network fetches. Cells tagged ``report-hide`` are left out.

    Parameters
    ----------
    nb : NotebookNode or path
        Executed notebook.
    title : str
        Page title (escaped).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    if not hasattr(nb, "cells"):
        nb = nbformat.read(str(nb), as_version=4)
    cfg = Config()
    cfg.TagRemovePreprocessor.remove_cell_tags = {"report-hide"}
    cfg.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=cfg, template_name="lab", template_file=str(_TEMPLATE), exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(config=cfg), enabled=True)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return body


def external_references(page: str) -> list[str]:
    """Every reference in an HTML page that would be fetched from the network.

    Scripts, styles, images or frames with an ``http(s)://`` or protocol-relative
    source, CSS ``@import`` and ``url(...)``. Namespace URIs (``xmlns``) and plain
    links (``<a href>``) are not fetched and not listed.
    """
    return [m.group(0)[:160] for m in _EXTERNAL_RE.finditer(page)]
