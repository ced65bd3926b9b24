"""Altair charts, one module per topic, each taking what its analysis returns.

===================  ===================================================  ===========================
module               charts                                               input
===================  ===================================================  ===========================
``schedule``         ``gantt``, ``resource_loading_chart``                :func:`pmkit.schedule`,
                                                                          :func:`pmkit.resource_loading` tables
``leveling``         ``leveled_loading``, ``leveled_gantt``               :func:`pmkit.level` result
``evm``              ``s_curve``, ``performance_trend``                   :func:`pmkit.s_curve_table`,
                                                                          :func:`pmkit.earned_value` tables
``risk``             ``heat_map_chart``, ``exposure_chart``               risk register tables
``montecarlo``       ``distribution_chart``, ``tornado_chart``            :func:`pmkit.simulate` result
``portfolio``        ``dashboard_chart``, ``alignment_heatmap``, ...      portfolio lens tables
``health``           ``health_chart``                                     :func:`pmkit.health` result
``changes``          ``windows_waterfall``, ``change_counts_chart``       :func:`pmkit.windows_analysis`,
                                                                          :func:`pmkit.compare` results
``history``          ``trend_chart``                                      :func:`pmkit.project_trend` and roll-ups
===================  ===================================================  ===========================

Nothing is computed here that an analysis function should compute. Colours shared by all
charts are in :mod:`._theme`; :mod:`.render` sets up notebook and report rendering. The
topic modules load on first use, so ``pmkit.charts.schedule`` works right after
``import pmkit``.
"""

from __future__ import annotations

import importlib

_TOPICS = ("schedule", "leveling", "evm", "risk", "montecarlo", "portfolio", "health", "history", "changes", "render")


def __getattr__(name: str):
    if name in _TOPICS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'pmkit.charts' has no attribute {name!r}; topics: {', '.join(_TOPICS)}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TOPICS))


__all__ = list(_TOPICS)
