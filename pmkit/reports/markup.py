"""Small HTML pieces shared by the reports, the index and the notebook helpers: value
formatting, RAG badges and headline cards. Every user-supplied text is escaped here.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.io import atomic_write_text


def json_value(v):
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
    from ..charts._theme import RAG_COLORS

    rag = str(rag or "grey")
    colour = RAG_COLORS.get(rag, RAG_COLORS["grey"])
    text_colour = "#000" if rag == "amber" else "#fff"
    return (f'<span class="pmkit-rag rag-{html.escape(rag)}" style="background:{colour};color:{text_colour};'
            f'padding:0.05rem 0.6rem;border-radius:0.8rem;font-weight:600">{html.escape(rag)}</span>')


def figures_html(figures: Mapping[str, Any]) -> str:
    items = "".join(f"<li><b>{html.escape(str(k))}</b>: {html.escape(format_value(v))}</li>"
                    for k, v in figures.items())
    return f'<ul class="pmkit-figures">{items}</ul>'


def rag_note(reason: str, rule: str) -> str:
    """HTML of why a RAG colour is what it is and which rule set it (escaped)."""
    if not (reason or rule):
        return ""
    why = html.escape(str(reason)) if reason else ""
    rule_html = f' <span class="pmkit-rag-rule">({html.escape(str(rule))})</span>' if rule else ""
    return f'<div class="pmkit-rag-why" style="font-size:0.85rem;color:#555">{why}{rule_html}</div>'


def headline_card(head: Mapping[str, Any]) -> str:
    return (f'<div class="pmkit-card"><h3>{html.escape(str(head.get("title", "")))} '
            f'{rag_badge(str(head.get("rag", "grey")))}</h3>'
            f'{rag_note(str(head.get("rag_reason", "")), str(head.get("rag_rule", "")))}'
            f'{figures_html(head.get("figures", {}))}</div>')


def display_html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def publish(path: Path, text: str) -> None:
    """Write a report file completely or not at all, readable by all (it is meant to be shared)."""
    atomic_write_text(path, text)
    os.chmod(path, 0o644)

