"""The report index ``index.html``: one row per report with its link, headline and RAG."""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..rag import RAG_RULES
from .markup import figures_html, publish, rag_badge, rag_note

_INDEX_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ddd; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .pmkit-figures { margin: 0; padding-left: 1rem; font-size: 0.9rem; }
.status-failed, .status-timeout { color: #c62828; font-weight: 600; } .status-skipped { color: #777; }
.earlier { color: #777; font-size: 0.85rem; }
.error { color: #c62828; font-family: monospace; font-size: 0.85rem; white-space: pre-wrap; }
"""


def _row_rag_note(head: Mapping) -> str:
    # the row names its rule briefly; the legend above the table states each rule in full
    rule = str(head.get("rag_rule", "")).split(":", 1)[0]
    return rag_note(str(head.get("rag_reason", "")), rule)


def _rules_legend() -> str:
    return "RAG colours: " + "; ".join(html.escape(RAG_RULES[level]) for level in ("project", "portfolio")) + "."


def write_index(out_dir: str | os.PathLike, results: pd.DataFrame, title: str = "Portfolio",
                data_path: str = "") -> Path:
    """Write ``index.html``: one row per report with its link, headline KPIs and RAG status.

    Self-contained (inline CSS, no script) and every text escaped. Returns its path.
    A row with a non-blank ``earlier_run`` (optional column: the time of that run) is a
    report kept from an earlier run (a subset run did not re-run it) and says so.
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
        earlier = getattr(r, "earlier_run", "")
        if isinstance(earlier, str) and earlier:
            err += f'<div class="earlier">from the run of {html.escape(earlier)}</div>'
        head = r.headline if isinstance(r.headline, Mapping) else {}
        rows.append(
            f'<tr class="report-row" data-status="{status}"><td>{link}{audit}</td><td>{html.escape(r.kind)}</td>'
            f"<td>{html.escape(str(r.project_id))}</td><td>{html.escape(str(r.name))}</td>"
            f"<td>{html.escape(str(r.state))}</td><td>{rag_badge(r.rag) + _row_rag_note(head) if r.rag else ''}</td>"
            f"<td>{figures_html(head.get('figures', {})) if head else ''}</td>"
            f'<td class="status-{status}">{status}{err}</td></tr>')
    counts = results["status"].value_counts()
    meta = ", ".join(f"{n} {s}" for s, n in counts.items())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - reports</title><style>{_INDEX_CSS}</style></head>
<body><h1>{html.escape(title)}</h1>
<p class="meta">{_rules_legend()}</p>
<p class="meta">Reports generated {datetime.now():%Y-%m-%d %H:%M} from {html.escape(data_path)}: {html.escape(meta)}.</p>
<table><thead><tr><th>Report</th><th>Kind</th><th>Project</th><th>Name</th><th>State</th><th>RAG</th>
<th>Headline</th><th>Status</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    path = out / "index.html"
    publish(path, page)
    return path
