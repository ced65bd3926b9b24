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

Every file is written to a temporary name and renamed when complete, so an interrupted run
never leaves a half-written report. A failing notebook does not stop the others; the run's
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

import json
import os
import re
import signal
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
    ``headline`` (dict of figures).
    """

    out_dir: Path
    results: pd.DataFrame
    index_path: Path
    seconds: float = 0.0
    jobs: int = 1

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
        Show a progress bar on stderr.

    Returns
    -------
    ReportRun
        Per-report results, the index path and :meth:`ReportRun.summary`.
    """
    from ..data.io import load

    t0 = time.perf_counter()
    data = Path(path).resolve()
    out_dir = Path(out).resolve()
    pf = load(data)
    plan = plan_reports(pf, project_ids, include_portfolio, notebooks)
    (out_dir / "notebooks").mkdir(parents=True, exist_ok=True)
    _remove_partials(out_dir)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    tasks = [_job(row, data, out_dir, timeout) for row in plan.itertuples() if row.notebook]
    outcomes: dict[str, dict] = {}
    log_path = out_dir / "notebooks" / "kernels.log"
    log_path.unlink(missing_ok=True)
    for r in _execute_all(tasks, jobs, progress, str(log_path)):
        outcomes[r["report_id"]] = r
    results = _results_frame(plan, outcomes)
    index_path = write_index(out_dir, results, title=pf.name, data_path=str(data))
    return ReportRun(out_dir, results, index_path, time.perf_counter() - t0, jobs)


def _job(row, data: Path, out_dir: Path, timeout: float) -> dict:
    rid = row.report_id
    params: dict[str, Any] = {"data_path": str(data), "offline": True,
                              "headline_path": str(out_dir / "notebooks" / f"{rid}.headline.json")}
    if row.kind == "project":
        params["project_id"] = row.project_id
    title = f"{row.name} - portfolio review" if row.kind == "portfolio" else f"{row.project_id} {row.name}"
    return {"report_id": rid, "input": row.notebook, "parameters": params, "timeout": float(timeout),
            "cwd": str(Path(row.notebook).parent), "title": title,
            "html": str(out_dir / f"{rid}.html"), "executed": str(out_dir / "notebooks" / f"{rid}.ipynb")}


def _execute_all(tasks: list[dict], jobs: int, progress: bool, log_path: str | None = None):
    """Yield each task's outcome as it completes, from a pool of warm worker processes."""
    if not tasks:
        return
    import multiprocessing as mp

    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), desc="reports", unit="report", disable=not progress, file=sys.stderr)
    # spawn: clean workers without the parent's threads; each imports papermill/nbconvert once
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=mp.get_context("spawn"),
                               initializer=_worker_init, initargs=(log_path,))
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
                if outcome["status"] != "ok":
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


def _worker_init(log_path: str | None = None) -> None:
    # Import once per worker what every report needs (warm workers), and stop cleanly on SIGTERM.
    _raise_on_sigterm()
    if log_path:
        # kernels inherit stderr: their start-up chatter goes to the log, not over the progress bar
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


def _outcome(task: dict, status: str, seconds: float, error: str = "", cell=None, headline=None,
             html_written: bool = False, executed: bool = False) -> dict:
    return {"report_id": task["report_id"], "status": status, "seconds": round(seconds, 3), "error": error,
            "cell": cell, "headline": headline or {}, "html_written": html_written, "executed": executed}


def execute_report(task: dict) -> dict:
    """Execute one notebook and export its HTML (runs in a worker process).

    ``task`` holds ``report_id, input, parameters, timeout, cwd, title, html, executed``
    (see :func:`run_reports`). Returns a dict with ``status`` (``ok``, ``failed``,
    ``timeout``), ``error``, ``cell``, ``seconds`` and ``headline``. Never raises for an
    error inside the notebook.
    """
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    t0 = time.monotonic()
    executed = Path(task["executed"])
    html_path = Path(task["html"])
    headline_path = Path(task["parameters"]["headline_path"])
    tmp_nb = executed.with_name(f".{executed.stem}.{os.getpid()}.partial.ipynb")
    for stale in (headline_path, html_path):  # never show an earlier run's figures as this run's
        stale.unlink(missing_ok=True)
    deadline = t0 + float(task["timeout"])
    status, error, cell = "ok", "", None
    try:
        try:
            pm.execute_notebook(
                task["input"], str(tmp_nb), parameters=task["parameters"], kernel_name="python3",
                progress_bar=False, log_output=False, cwd=task["cwd"],
                start_timeout=max(60.0, float(task["timeout"])),
                # one budget for the whole notebook: each cell gets what is left of it
                timeout_func=lambda _cell: max(1.0, deadline - time.monotonic()),
                shutdown_kernel="immediate",  # the notebook is done; do not wait for a polite exit
            )
        except pm.PapermillExecutionError as exc:
            status, error, cell = "failed", f"{exc.ename}: {exc.evalue}", exc.exec_count
        except CellTimeoutError:
            status, error = "timeout", f"notebook did not finish within {task['timeout']:g} s"
        except DeadKernelError as exc:
            status, error = "failed", f"kernel died: {exc}"
        except Exception as exc:  # papermill/nbclient raise many kinds (bad parameters, kernel start)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        headline = _read_headline(headline_path) if status == "ok" else {}
        html_written = False
        if tmp_nb.exists():
            nb = nbformat.read(tmp_nb, as_version=4)
            if status == "ok":
                page = export_html(nb, task["title"])
                refs = external_references(page)
                if refs:
                    status, error = "failed", "report would load from the network: " + ", ".join(refs[:3])
                else:
                    publish(html_path, page)
                    html_written = True
            os.replace(tmp_nb, executed)
        return _outcome(task, status, time.monotonic() - t0, error, cell, headline, html_written,
                        executed.exists())
    finally:
        tmp_nb.unlink(missing_ok=True)



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
    for folder in (out_dir, out_dir / "notebooks"):
        for pattern in (".*.partial.ipynb", ".*.html.*", ".*.headline.json.*"):
            for f in folder.glob(pattern):
                f.unlink(missing_ok=True)


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
