"""Reports: the batch runner, the headline of each report, the index page and the helpers
the report notebooks call.

Rooms:

- :mod:`.runner`: plan which notebook reports on what, execute them with papermill in
  parallel, export each to a self-contained HTML page (:func:`run_reports`);
- :mod:`.headline`: the headline figures and RAG of each report (:func:`project_headline`,
  :func:`portfolio_headline`), recorded for the index by :func:`save_headline`;
- :mod:`.index`: the ``index.html`` page (:func:`write_index`);
- :mod:`.notebook`: display helpers for notebooks (:func:`show_table`, :func:`note`, cards);
- :mod:`.markup`: escaped HTML pieces and value formatting shared by all of them;
- ``templates/``: the nbconvert template of the HTML pages.

The notebooks use it as ``from pmkit import reports as rp``.
"""

from __future__ import annotations

from ..rag import RAG_LEVELS
from .headline import PORTFOLIO_HEADLINE_KPIS, portfolio_headline, project_headline, save_headline
from .index import write_index
from .markup import format_value, rag_badge
from .notebook import (
    check_answer,
    note,
    pick_project,
    portfolio_card,
    project_card,
    recorded_updates,
    show_table,
)
from .runner import (
    NOTEBOOK_FOR_STATE,
    PORTFOLIO_NOTEBOOK,
    SKIPPED_STATES,
    ReportInterrupted,
    ReportRun,
    execute_report,
    export_html,
    external_references,
    notebooks_dir,
    plan_reports,
    report_id,
    run_reports,
)

__all__ = [
    "NOTEBOOK_FOR_STATE", "PORTFOLIO_HEADLINE_KPIS", "PORTFOLIO_NOTEBOOK", "RAG_LEVELS", "SKIPPED_STATES",
    "ReportInterrupted", "ReportRun", "check_answer", "execute_report", "export_html", "external_references",
    "format_value", "note", "notebooks_dir", "pick_project", "plan_reports", "portfolio_card",
    "portfolio_headline", "project_card", "project_headline", "rag_badge", "recorded_updates", "report_id",
    "run_reports",
    "save_headline", "show_table", "write_index",
]
