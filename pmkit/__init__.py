"""pmkit: project and portfolio management analytics for JupyterLab and batch reports.

Project management delivers one project well (objectives, schedule, earned value, risk,
closing); portfolio management chooses and steers the set of projects for the most
strategic value (alignment, prioritization, selection under budget and capacity,
portfolio risk). pmkit covers both on the same data, in two lenses over one data layer:

- ``pmkit.data``: the model, schema, validation, calendars, loading and saving;
- ``pmkit.project``: one project (schedule, leveling, earned value, KPIs, risk, closing);
- ``pmkit.portfolio``: the set (alignment, prioritization, financials, selection,
  capacity, portfolio risk, portfolio KPIs, what-if);
- ``pmkit.rag``: the red / amber / green rule of each level;
- ``pmkit.reports``, ``pmkit.charts``, ``pmkit.interop``, ``pmkit.cli``.

The most used functions are also here, at the top: ``pmkit.schedule``, ``pmkit.select`` ...

>>> import pmkit
>>> pf = pmkit.load(pmkit.sample_path())
>>> len(pf.projects) >= 12
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Public name -> module that defines it, grouped by the room it lives in. Imported lazily so
# `import pmkit` stays fast and heavy dependencies (altair, scipy, numba) load only when used.
_EXPORTS: dict[str, str] = {
    # shared data layer (pmkit.data) and errors
    "load": "pmkit.data.io",
    "save": "pmkit.data.io",
    "Portfolio": "pmkit.data.model",
    "Program": "pmkit.data.model",
    "Project": "pmkit.data.model",
    "Calendar": "pmkit.data.calendars",
    "sample_path": "pmkit.data.samples",
    "ValidationError": "pmkit.errors",
    "LoadError": "pmkit.errors",
    "CycleError": "pmkit.errors",
    "UnknownIdError": "pmkit.errors",
    "PmkitError": "pmkit.errors",
    # interop: MS Project XML, Primavera XER and P6 XML
    "read_project_file": "pmkit.interop",
    "read_mspdi": "pmkit.interop.mspdi",
    "write_mspdi": "pmkit.interop.mspdi",
    "read_xer": "pmkit.interop.xer",
    "write_xer": "pmkit.interop.xer",
    "read_pmxml": "pmkit.interop.pmxml",
    # project lens (pmkit.project)
    "schedule": "pmkit.project.scheduling",
    "critical_path": "pmkit.project.scheduling",
    "longest_path": "pmkit.project.scheduling",
    "project_finish": "pmkit.project.scheduling",
    "resource_loading": "pmkit.project.scheduling",
    "compile_network": "pmkit.project.scheduling",
    "level": "pmkit.project.leveling",
    "schedule_baseline": "pmkit.project.evm",
    "planned_value": "pmkit.project.evm",
    "earned_value": "pmkit.project.evm",
    "earned_schedule": "pmkit.project.evm",
    "s_curve_table": "pmkit.project.evm",
    "evm_summary": "pmkit.project.evm",
    "project_kpis": "pmkit.project.kpi",
    "project_status": "pmkit.project.kpi",
    "KpiThresholds": "pmkit.project.kpi",
    "smart_check": "pmkit.project.kpi",
    "risk_register": "pmkit.project.risk",
    "simulate": "pmkit.project.montecarlo",
    "closing_summary": "pmkit.project.closing",
    "compare": "pmkit.project.changes",
    "ScheduleComparison": "pmkit.project.changes",
    "windows_analysis": "pmkit.project.windows",
    "WindowsAnalysis": "pmkit.project.windows",
    "half_step": "pmkit.project.windows",
    "health": "pmkit.project.health",
    "DcmaThresholds": "pmkit.project.health",
    "ScheduleHealth": "pmkit.project.health",
    # portfolio lens (pmkit.portfolio)
    "alignment": "pmkit.portfolio.alignment",
    "alignment_matrix": "pmkit.portfolio.alignment",
    "spend_by_objective": "pmkit.portfolio.alignment",
    "ahp": "pmkit.portfolio.prioritization",
    "weighted_scores": "pmkit.portfolio.prioritization",
    "ranking_sensitivity": "pmkit.portfolio.prioritization",
    "financials": "pmkit.portfolio.financials",
    "portfolio_financials": "pmkit.portfolio.financials",
    "npv": "pmkit.portfolio.financials",
    "irr": "pmkit.portfolio.financials",
    "select": "pmkit.portfolio.selection",
    "frontier": "pmkit.portfolio.selection",
    "compare_scenarios": "pmkit.portfolio.selection",
    "capacity_plan": "pmkit.portfolio.capacity",
    "role_demand": "pmkit.portfolio.capacity",
    "utilization": "pmkit.portfolio.capacity",
    "simulate_portfolio": "pmkit.portfolio.risk",
    "portfolio_kpis": "pmkit.portfolio.kpi",
    "portfolio_status": "pmkit.portfolio.kpi",
    "portfolio_dashboard": "pmkit.portfolio.kpi",
    "PortfolioThresholds": "pmkit.portfolio.kpi",
    "delay_project": "pmkit.portfolio.whatif",
    "delay_effects": "pmkit.portfolio.whatif",
    "budget_scenarios": "pmkit.portfolio.whatif",
    # the store of status updates and trends over them (both lenses)
    "UpdateStore": "pmkit.history",
    "record_update": "pmkit.history",
    "list_updates": "pmkit.history",
    "load_update": "pmkit.history",
    "load_portfolio_update": "pmkit.history",
    "project_updates": "pmkit.history",
    "project_trend": "pmkit.history",
    "program_trend": "pmkit.history",
    "portfolio_trend": "pmkit.history",
    # reports
    "run_reports": "pmkit.reports.runner",
}

# Sub-packages and modules reachable as attributes after `import pmkit`.
_MODULES: dict[str, str] = {
    "data": "pmkit.data", "project": "pmkit.project", "portfolio": "pmkit.portfolio",
    "reports": "pmkit.reports", "charts": "pmkit.charts", "interop": "pmkit.interop", "rag": "pmkit.rag", "history": "pmkit.history",
    "synth": "pmkit.data.synth",
}

# Round-one short names kept working; each is the same object as its full name.
_ALIASES: dict[str, str] = {"kpis": "project_kpis"}

if TYPE_CHECKING:  # pragma: no cover
    from .data.calendars import Calendar  # noqa: F401
    from .data.io import load, save  # noqa: F401
    from .data.model import Portfolio, Program, Project  # noqa: F401
    from .data.samples import sample_path  # noqa: F401
    from .errors import CycleError, LoadError, PmkitError, UnknownIdError, ValidationError  # noqa: F401


def __getattr__(name: str):
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _ALIASES:
        value = getattr(importlib.import_module("pmkit"), _ALIASES[name])
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'pmkit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | set(_MODULES))


__all__ = sorted(_EXPORTS)
