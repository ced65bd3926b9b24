"""Colours and small helpers shared by every chart module."""

from __future__ import annotations

#: Red / amber / green status colours (colour-blind friendly variants).
RAG_COLORS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}
RAG_SCALE = {"domain": list(RAG_COLORS), "range": list(RAG_COLORS.values())}

PLANNED = "#1f77b4"    # planned value, baseline, plan
EARNED = "#2ca02c"     # earned value, progress
ACTUAL = "#d62728"     # actual cost
FORECAST = "#7f7f7f"   # forecasts
CRITICAL = "#c62828"   # critical path
NORMAL = "#4c78a8"     # non-critical work
