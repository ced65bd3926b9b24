"""Display helpers the report notebooks call: cards, tables with RAG badges, notes.

Every user-supplied text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import PmkitError
from .markup import display_html, format_value, json_value, rag_badge


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
              _Field("Start", json_value(project.start_date)),
              _Field("Status date", json_value(project.status_date)),
              _Field("Deadline", json_value(project.deadline)),
              _Field("Finish", json_value(project.finish_date)),
              _Field("Budget", float(project.budget)), _Field("Tasks", len(project.tasks))]
    return display_html(_card(f"{project.project_id} - {project.name}", "Project", fields, project.description))


def portfolio_card(portfolio):
    """An escaped HTML card of a portfolio: name, currency, programs, projects by state."""
    states = portfolio.projects["state"].value_counts()
    fields = [_Field("Currency", portfolio.currency), _Field("Programs", len(portfolio.programs)),
              _Field("Projects", len(portfolio.projects)),
              *[_Field(f"  {s}", int(n)) for s, n in states.items()],
              _Field("Tasks", len(portfolio.tasks)),
              _Field("Strategic objectives", len(portfolio.strategic_objectives))]
    desc = str(portfolio.portfolio["description"].iloc[0]) if len(portfolio.portfolio) else ""
    return display_html(_card(portfolio.name, "Portfolio", fields, desc))


#: Column-name words that mark money: shown in whole currency units.
MONEY_WORDS = frozenset({"cost", "costs", "budget", "bac", "eac", "etc", "vac", "pv", "ev", "ac", "cv", "sv",
                         "npv", "benefit", "benefits", "spend", "emv", "cash", "capex", "opex", "price"})

_LEFT = ' style="text-align:left"'
_RIGHT = ' style="text-align:right"'


def is_money_column(name: object) -> bool:
    """True when a column holds money, by its name (``budget``, ``emv_cost``, ``eac_cpi`` ...).

    >>> [is_money_column(c) for c in ("budget", "emv_cost", "eac_cpi", "cpi", "duration_days")]
    [True, True, True, False, False]
    """
    return any(word in MONEY_WORDS for word in str(name).lower().split("_"))


def show_table(df: pd.DataFrame, rag_column: str | None = None, max_rows: int = 60, digits: int = 2,
               empty: str | None = None, labels: dict[str, str] | None = None):
    """A DataFrame as an escaped HTML table, with RAG cells drawn as coloured badges.

    pandas' own HTML escapes text too; this helper adds the badges, number formatting and
    a row limit (a report stays readable with thousands of tasks). Numbers are right-aligned
    and text left-aligned; money columns (see :func:`is_money_column`) show whole currency
    units, other decimals ``digits`` places. ``labels`` renames columns for the reader.
    ``empty``: a sentence shown instead of a table without rows.
    """
    if empty is not None and df.empty:
        return display_html(f"<p><i>{html.escape(empty)}</i></p>")
    shown = df.head(max_rows)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
               for c in shown.columns]
    places = [0 if is_money_column(c) else digits for c in shown.columns]
    labels = labels or {}
    head = "".join(f"<th{_RIGHT if num else _LEFT}>{html.escape(str(labels.get(c, c)))}</th>"
                   for c, num in zip(shown.columns, numeric, strict=True))
    body = []
    for rec in shown.itertuples(index=False):
        cells = []
        for col, v, num, dp in zip(shown.columns, rec, numeric, places, strict=True):
            if rag_column is not None and col == rag_column:
                cells.append(f"<td{_LEFT}>{rag_badge(str(v))}</td>")
            else:
                cells.append(f"<td{_RIGHT if num else _LEFT}>{html.escape(_cell(v, dp))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p><i>{len(df) - max_rows:,} more rows not shown.</i></p>" if len(df) > max_rows else ""
    return display_html(f'<table class="dataframe pmkit-table"><thead><tr>{head}</tr></thead>'
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
    return display_html(f'<div class="pmkit-card" style="border-left:4px solid {colour}">{html.escape(text)}</div>')


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


def recorded_updates(data_path, project_id: str | None = None, history_path: str = ""):
    """The store of updates of the data and, for a project, its recorded updates, oldest first.

    ``history_path`` names the store; blank: the one beside the data (``pmkit history``).
    Returns ``(store, updates)``; ``updates`` is empty when nothing is recorded (or no
    ``project_id`` is given), so a notebook can say so instead of failing.
    """
    from ..history import UpdateStore, list_updates, project_updates

    store = UpdateStore(history_path) if history_path else UpdateStore.beside(data_path)
    if not store.path.exists() or project_id is None or list_updates(store, project_id).empty:
        return store, []
    return store, project_updates(store, project_id)
