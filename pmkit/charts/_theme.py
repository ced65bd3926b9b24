"""Colours and small helpers shared by every chart module.

Red means bad and nothing else: the critical path, over-capacity demand, a red status. Data
series that are neither good nor bad (actual cost, CPI, "before leveling") use the neutral
colours below, so a reader never takes a plain line for an alarm.
"""

from __future__ import annotations

#: Red / amber / green status colours (colour-blind friendly variants).
RAG_COLORS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}
RAG_SCALE = {"domain": list(RAG_COLORS), "range": list(RAG_COLORS.values())}

PLANNED = "#1f77b4"    # planned value, baseline, plan
EARNED = "#2ca02c"     # earned value, progress
ACTUAL = "#9467bd"     # actual cost (neutral purple: spending is not bad in itself)
FORECAST = "#7f7f7f"   # forecasts
CRITICAL = "#c62828"   # critical path, over capacity: bad
NORMAL = "#4c78a8"     # non-critical work
PROGRESS = "#1b3a5c"   # the done part of a Gantt bar (darker than NORMAL and CRITICAL bars)
REFERENCE = "#333333"  # reference rules and their labels: deadline, 1.0, P50 / P80

#: Neutral colours of index series (CPI, SPI(t), SPI): none of them is a status colour.
INDEX_COLORS = {"CPI": "#4c78a8", "SPI(t)": "#9467bd", "SPI": "#7f7f7f"}
