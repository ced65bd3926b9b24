"""Compact HTML summaries of pmkit objects in a notebook (``_repr_html_``).

One helper so that a Portfolio, a Project and every result object look alike: a title,
a few labelled facts, and at most a short table. All text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

_STYLE = ("font-family:system-ui,sans-serif;font-size:13px;border-left:3px solid #4c78a8;"
          "padding:4px 10px;margin:2px 0")


def fact(value: object) -> str:
    """A value as a reader wants it: dates as YYYY-MM-DD, money and counts with separators."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return str(value)


def summary_html(title: str, facts: Sequence[tuple[str, object]], table: pd.DataFrame | None = None,
                 max_rows: int = 8) -> str:
    """``<div>`` with a bold title, ``label: value`` facts and the head of ``table``."""
    items = " &middot; ".join(f"{html.escape(label)}: <b>{html.escape(fact(value))}</b>"
                              for label, value in facts)
    out = [f'<div style="{_STYLE}"><div style="font-weight:600">{html.escape(title)}</div>',
           f"<div>{items}</div>"]
    if table is not None and len(table):
        shown = table.head(max_rows)
        out.append(shown.to_html(index=False, escape=True, border=0, na_rep="-",
                                 float_format=lambda v: f"{v:,.2f}"))
        if len(table) > max_rows:
            out.append(f"<div>... {len(table) - max_rows:,} more rows</div>")
    out.append("</div>")
    return "".join(out)
