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
>>> import pmkit.report as rp
>>> run = rp.run_reports(pmkit.sample_path(), "reports", jobs=2)     # doctest: +SKIP
>>> run.ok, run.index_path                                           # doctest: +SKIP
(True, PosixPath('reports/index.html'))
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import sys
import time
import zlib
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import PmkitError
from .io import atomic_write_text

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

RAG_LEVELS = ("green", "amber", "red", "grey")
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.html.j2"
# references that would make a report depend on the network
_EXTERNAL_RE = re.compile(
    r"""<(?:script|link|img|iframe|embed|source|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]+"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//[^"')\s]+"""
    r"""|url\(\s*["']?(?:https?:)?//[^"')\s]+""",
    re.IGNORECASE,
)


# ----------------------------------------------------------------------------- planning

def notebooks_dir() -> Path:
    """The folder of the pmkit notebooks (``notebooks/`` of the source tree, or of the cwd)."""
    for root in (Path(__file__).resolve().parent.parent, Path.cwd()):
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


# ----------------------------------------------------------------------------- running

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
    from .io import load

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
                    _publish(html_path, page)
                    html_written = True
            os.replace(tmp_nb, executed)
        return _outcome(task, status, time.monotonic() - t0, error, cell, headline, html_written,
                        executed.exists())
    finally:
        tmp_nb.unlink(missing_ok=True)


def _publish(path: Path, text: str) -> None:
    """Write a report file completely or not at all, readable by all (it is meant to be shared)."""
    atomic_write_text(path, text)
    os.chmod(path, 0o644)


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


# ----------------------------------------------------------------------------- HTML export

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


# ----------------------------------------------------------------------------- headline and index

def save_headline(path: str | os.PathLike | None, headline: Mapping[str, Any]):
    """Record a report's headline figures for the index page (and show them).

    The runner passes ``headline_path`` to each notebook; when it is blank (a notebook
    opened in JupyterLab) nothing is written.

    Parameters
    ----------
    path : path or None
        JSON file to write (atomically).
    headline : mapping
        ``{"title": str, "rag": "green"|"amber"|"red"|"grey", "figures": {label: value}}``.

    Returns
    -------
    IPython.display.HTML
        The headline as an escaped card.
    """
    rag = str(headline.get("rag", "grey"))
    if rag not in RAG_LEVELS:
        raise PmkitError(f"headline rag must be one of {', '.join(RAG_LEVELS)}, not {rag!r}")
    clean = {"title": str(headline.get("title", "")), "rag": rag,
             "figures": {str(k): _json_value(v) for k, v in dict(headline.get("figures", {})).items()}}
    if path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        _publish(p, json.dumps(clean, indent=2, ensure_ascii=False))
    return _html(_headline_card(clean))


def _json_value(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp | datetime | np.datetime64):
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if isinstance(v, bool | int | float | str):
        return v
    return str(v)


def format_value(v) -> str:
    """A headline figure as short text: thousands separators, 2 decimals for ratios."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def rag_badge(rag: str) -> str:
    """HTML of a red/amber/green badge (escaped)."""
    from .charts._theme import RAG_COLORS

    rag = str(rag or "grey")
    colour = RAG_COLORS.get(rag, RAG_COLORS["grey"])
    text_colour = "#000" if rag == "amber" else "#fff"
    return (f'<span class="pmkit-rag rag-{html.escape(rag)}" style="background:{colour};color:{text_colour};'
            f'padding:0.05rem 0.6rem;border-radius:0.8rem;font-weight:600">{html.escape(rag)}</span>')


def _figures_html(figures: Mapping[str, Any]) -> str:
    items = "".join(f"<li><b>{html.escape(str(k))}</b>: {html.escape(format_value(v))}</li>"
                    for k, v in figures.items())
    return f'<ul class="pmkit-figures">{items}</ul>'


def _headline_card(head: Mapping[str, Any]) -> str:
    return (f'<div class="pmkit-card"><h3>{html.escape(str(head.get("title", "")))} '
            f'{rag_badge(str(head.get("rag", "grey")))}</h3>{_figures_html(head.get("figures", {}))}</div>')


_INDEX_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ddd; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .pmkit-figures { margin: 0; padding-left: 1rem; font-size: 0.9rem; }
.status-failed, .status-timeout { color: #c62828; font-weight: 600; } .status-skipped { color: #777; }
.error { color: #c62828; font-family: monospace; font-size: 0.85rem; white-space: pre-wrap; }
"""


def write_index(out_dir: str | os.PathLike, results: pd.DataFrame, title: str = "Portfolio",
                data_path: str = "") -> Path:
    """Write ``index.html``: one row per report with its link, headline KPIs and RAG status.

    Self-contained (inline CSS, no script) and every text escaped. Returns its path.
    """
    out = Path(out_dir)
    rows = []
    for r in results.itertuples(index=False):
        link = (f'<a href="{html.escape(r.html, quote=True)}">{html.escape(r.report_id)}</a>' if r.html
                else html.escape(r.report_id))
        audit = (f' (<a href="{html.escape(r.executed_notebook, quote=True)}">notebook</a>)'
                 if r.executed_notebook else "")
        status = html.escape(r.status)
        err = f'<div class="error">{html.escape(str(r.error))}</div>' if r.error else ""
        head = r.headline if isinstance(r.headline, Mapping) else {}
        rows.append(
            f'<tr class="report-row" data-status="{status}"><td>{link}{audit}</td><td>{html.escape(r.kind)}</td>'
            f"<td>{html.escape(str(r.project_id))}</td><td>{html.escape(str(r.name))}</td>"
            f"<td>{html.escape(str(r.state))}</td><td>{rag_badge(r.rag) if r.rag else ''}</td>"
            f"<td>{_figures_html(head.get('figures', {})) if head else ''}</td>"
            f'<td class="status-{status}">{status}{err}</td></tr>')
    counts = results["status"].value_counts()
    meta = ", ".join(f"{n} {s}" for s, n in counts.items())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - reports</title><style>{_INDEX_CSS}</style></head>
<body><h1>{html.escape(title)}</h1>
<p class="meta">Reports generated {datetime.now():%Y-%m-%d %H:%M} from {html.escape(data_path)}: {html.escape(meta)}.</p>
<table><thead><tr><th>Report</th><th>Kind</th><th>Project</th><th>Name</th><th>State</th><th>RAG</th>
<th>Headline</th><th>Status</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    path = out / "index.html"
    _publish(path, page)
    return path


_RAG_ORDER = {"red": 3, "amber": 2, "green": 1, "grey": 0}


def worst_rag(statuses: Iterable[str]) -> str:
    """The worst of red/amber/green statuses (``grey`` when none is known)."""
    ranked = [(_RAG_ORDER.get(str(s), 0), str(s)) for s in statuses]
    best = max(ranked, default=(0, "grey"))
    return best[1] if best[0] else "grey"


def portfolio_rag(project_rags: Iterable[str]) -> str:
    """Portfolio RAG from its running projects' RAGs (pmkit's convention, not a standard).

    Red when at least a quarter of the projects are red; amber when any is red or at least
    a quarter are amber; green otherwise; grey without assessed projects.
    """
    rags = [r for r in project_rags if r in ("red", "amber", "green")]
    if not rags:
        return "grey"
    share = {k: rags.count(k) / len(rags) for k in ("red", "amber")}
    if share["red"] >= 0.25:
        return "red"
    if share["red"] > 0 or share["amber"] >= 0.25:
        return "amber"
    return "green"


def project_headline(project) -> dict:
    """Headline figures of a project report for the index: ``{"title", "rag", "figures"}``.

    Before execution (no progress yet): planned finish from the critical path schedule,
    budget at completion and how many objectives are SMART; RAG grey (not assessed).
    Closed: actual finish and cost against the baseline (:func:`pmkit.closing_summary`).
    Otherwise: CPI, SPI(t), EAC, forecast finish and percent complete at the latest
    status date (:func:`pmkit.earned_value`). RAG: the worst of the project's KPIs.
    """
    from .evm import earned_value
    from .kpi import kpis, smart_check
    from .scheduling import project_finish

    title = f"{project.project_id} {project.name}"
    if not len(project.status):
        smart = smart_check(project)
        figures = {"planned finish": _json_value(project_finish(project)), "BAC": project.bac,
                   "tasks": len(project.tasks),
                   "SMART objectives": f"{int(smart['smart'].sum())} of {len(smart)}"}
        return {"title": title, "rag": "grey", "figures": figures}
    if project.state == "closed":
        from .closing import closing_summary

        cs = closing_summary(project)
        v = cs.variances.set_index("measure")
        figures = {"actual finish": _json_value(v.at["finish date", "actual"]),
                   "finish variance (working days)": float(v.at["finish date", "variance"]),
                   "actual cost": float(v.at["cost", "actual"]),
                   "cost variance %": float(v.at["cost", "variance_pct"]),
                   "lessons": len(cs.lessons), "red KPIs": int((cs.kpis["status"] == "red").sum())}
        return {"title": title, "rag": worst_rag(cs.kpis["status"]), "figures": figures}
    k = kpis(project)
    last = earned_value(project).iloc[-1]
    figures = {"status date": _json_value(last["status_date"]), "percent complete": float(last["percent_complete"]),
               "CPI": float(last["cpi"]), "SPI(t)": _json_value(last.get("spi_t")), "EAC": float(last["eac"]),
               # earned schedule columns are absent when EVM cannot compute them
               "forecast finish": _json_value(last.get("forecast_finish")),
               "red KPIs": int((k["status"] == "red").sum())}
    return {"title": title, "rag": worst_rag(k["status"]), "figures": figures}


#: Portfolio KPIs (:func:`pmkit.portfolio_kpi.portfolio_kpis`) shown in the index, with their labels.
PORTFOLIO_HEADLINE_KPIS = {"roi": "ROI", "npv": "NPV", "strategic_alignment": "strategic alignment",
                           "resource_utilization": "resource utilization", "risk_exposure": "risk exposure",
                           "cpi": "CPI", "spi": "SPI"}


def portfolio_headline(portfolio) -> dict:
    """Headline figures of the portfolio review: projects by state and by RAG, budget, and
    the portfolio KPIs (ROI, NPV, strategic alignment, resource utilization, risk exposure,
    CPI, SPI from :func:`pmkit.portfolio_kpi.portfolio_kpis`).

    A project's RAG is the worst of its :func:`pmkit.kpi.portfolio_kpis` statuses; the
    portfolio's follows :func:`portfolio_rag`.
    """
    from .kpi import portfolio_kpis
    from .portfolio_kpi import portfolio_kpis as portfolio_level_kpis

    k = portfolio_kpis(portfolio)
    per_project = k.groupby("project_id")["status"].agg(worst_rag)
    states = portfolio.projects["state"].value_counts()
    pk = portfolio_level_kpis(portfolio).set_index("kpi")["value"]
    figures = {"projects": len(portfolio.projects),
               **{f"{s} projects": int(n) for s, n in states.items()},
               **{f"{r} projects (KPIs)": int((per_project == r).sum()) for r in ("red", "amber", "green")},
               "total budget": float(portfolio.projects["budget"].sum()),
               **{label: _json_value(float(pk[key])) for key, label in PORTFOLIO_HEADLINE_KPIS.items()
                  if key in pk.index}}
    return {"title": portfolio.name, "rag": portfolio_rag(per_project), "figures": figures}


def pick_project(portfolio, project_id: str = "", states: Iterable[str] = ()):
    """The project with this id; with a blank id the first project in one of ``states``.

    Notebooks call it with their ``project_id`` parameter, so they run on any portfolio.
    """
    if project_id:
        return portfolio.project(project_id)  # an unknown id raises a PmkitError
    wanted = tuple(states)
    p = portfolio.projects
    rows = p[p["state"].isin(wanted)] if wanted else p
    if rows.empty:
        raise PmkitError(f"portfolio {portfolio.name!r} has no project in state {' or '.join(wanted)}; "
                         "set project_id")
    return portfolio.project(str(rows["project_id"].iloc[0]))


# ----------------------------------------------------------------------------- notebook display helpers

def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


@dataclass(frozen=True)
class _Field:
    label: str
    value: Any = field(default=None)


def _card(title: str, subtitle: str, fields: Iterable[_Field], text: str = "") -> str:
    cells = "".join(f"<tr><th>{html.escape(f.label)}</th><td>{html.escape(format_value(f.value))}</td></tr>"
                    for f in fields if f.value not in (None, ""))
    body = f"<p>{html.escape(text)}</p>" if text else ""
    return (f'<div class="pmkit-card"><h2>{html.escape(title)}</h2><p><i>{html.escape(subtitle)}</i></p>'
            f"<table>{cells}</table>{body}</div>")


def project_card(project):
    """An escaped HTML card of a project's identity: name, state, people, dates and budget."""
    fields = [_Field("State", project.state), _Field("Program", project.program_id),
              _Field("Kind", project.kind), _Field("Manager", project.manager),
              _Field("Sponsor", project.sponsor), _Field("Client", project.client),
              _Field("Start", _json_value(project.start_date)),
              _Field("Status date", _json_value(project.status_date)),
              _Field("Deadline", _json_value(project.deadline)),
              _Field("Finish", _json_value(project.finish_date)),
              _Field("Budget", float(project.budget)), _Field("Tasks", len(project.tasks))]
    return _html(_card(f"{project.project_id} - {project.name}", "Project", fields, project.description))


def portfolio_card(portfolio):
    """An escaped HTML card of a portfolio: name, currency, programs, projects by state."""
    states = portfolio.projects["state"].value_counts()
    fields = [_Field("Currency", portfolio.currency), _Field("Programs", len(portfolio.programs)),
              _Field("Projects", len(portfolio.projects)),
              *[_Field(f"  {s}", int(n)) for s, n in states.items()],
              _Field("Tasks", len(portfolio.tasks)),
              _Field("Strategic objectives", len(portfolio.strategic_objectives))]
    desc = str(portfolio.portfolio["description"].iloc[0]) if len(portfolio.portfolio) else ""
    return _html(_card(portfolio.name, "Portfolio", fields, desc))


def show_table(df: pd.DataFrame, rag_column: str | None = None, max_rows: int = 60, digits: int = 2,
               empty: str | None = None):
    """A DataFrame as an escaped HTML table, with RAG cells drawn as coloured badges.

    pandas' own HTML escapes text too; this helper adds the badges, number formatting and
    a row limit (a report stays readable with thousands of tasks). ``empty``: a sentence
    shown instead of a table without rows.
    """
    if empty is not None and df.empty:
        return _html(f"<p><i>{html.escape(empty)}</i></p>")
    shown = df.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = []
    for rec in shown.itertuples(index=False):
        cells = []
        for col, v in zip(shown.columns, rec, strict=True):
            if rag_column is not None and col == rag_column:
                cells.append(f"<td>{rag_badge(str(v))}</td>")
            else:
                cells.append(f"<td>{html.escape(_cell(v, digits))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p><i>{len(df) - max_rows:,} more rows not shown.</i></p>" if len(df) > max_rows else ""
    return _html(f'<table class="dataframe pmkit-table"><thead><tr>{head}</tr></thead>'
                 f"<tbody>{''.join(body)}</tbody></table>{more}")


def _cell(v, digits: int) -> str:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float | np.floating):
        return f"{v:,.{digits}f}"
    return str(v)


def note(text: str, kind: str = "info"):
    """A short escaped message box (``info`` or ``warning``) for a notebook output."""
    colour = "#f9a825" if kind == "warning" else "#1f77b4"
    return _html(f'<div class="pmkit-card" style="border-left:4px solid {colour}">{html.escape(text)}</div>')




def check_answer(answer, expected, tolerance: float = 1e-9):
    """Feedback on an exercise answer: not answered yet, correct, or not quite (escaped)."""
    if answer is None:
        return note("Not answered yet: set `answer` and run the cell again.", "warning")
    try:
        right = abs(float(answer) - float(expected)) <= tolerance
    except (TypeError, ValueError):
        right = str(answer).strip().lower() == str(expected).strip().lower()
    return note("Correct." if right else f"Not quite: {answer!r} is not the answer. Look again.",
                "info" if right else "warning")


__all__ = ["NOTEBOOK_FOR_STATE", "PORTFOLIO_NOTEBOOK", "ReportRun", "check_answer", "execute_report", "export_html",
           "external_references", "format_value", "note", "notebooks_dir", "pick_project", "plan_reports",
           "portfolio_card", "portfolio_headline", "portfolio_rag", "project_card", "project_headline", "rag_badge", "report_id", "run_reports", "save_headline", "show_table", "worst_rag", "write_index"]
