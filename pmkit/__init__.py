"""pmkit: project and portfolio management analytics for JupyterLab and batch reports.

Project management delivers one project well (objectives, schedule, earned value, risk,
closing); portfolio management chooses and steers the set of projects for the most
strategic value (alignment, prioritization, selection under budget and capacity,
portfolio risk). pmkit covers both on the same data.

>>> import pmkit
>>> pf = pmkit.load(pmkit.sample_path())
>>> len(pf.projects) >= 12
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Public name -> module that defines it. Imported lazily so `import pmkit` stays fast and
# heavy dependencies (altair, scipy) load only when used.
_EXPORTS: dict[str, str] = {
    "load": "pmkit.io",
    "save": "pmkit.io",
    "Portfolio": "pmkit.model",
    "Program": "pmkit.model",
    "Project": "pmkit.model",
    "Calendar": "pmkit.calendars",
    "ValidationError": "pmkit.errors",
    "LoadError": "pmkit.errors",
    "CycleError": "pmkit.errors",
    "UnknownIdError": "pmkit.errors",
    "PmkitError": "pmkit.errors",
    "sample_path": "pmkit.samples",
    "synth": "pmkit.synth",
    # analytics (added by their modules)
    "schedule": "pmkit.scheduling",
    "critical_path": "pmkit.scheduling",
    "longest_path": "pmkit.scheduling",
    "project_finish": "pmkit.scheduling",
    "resource_loading": "pmkit.scheduling",
    "compile_network": "pmkit.scheduling",
    "earned_value": "pmkit.evm",
    "planned_value": "pmkit.evm",
    "earned_schedule": "pmkit.evm",
    "kpis": "pmkit.kpi",
    "KpiThresholds": "pmkit.kpi",
    "smart_check": "pmkit.kpi",
    "risk_register": "pmkit.risk",
    "simulate": "pmkit.montecarlo",
    "closing_summary": "pmkit.closing",
    "level": "pmkit.leveling",
    "select": "pmkit.selection",
    "run_reports": "pmkit.report",
    "frontier": "pmkit.selection",
    "compare_scenarios": "pmkit.selection",
    "ahp": "pmkit.portfolio",
    "alignment": "pmkit.portfolio",
    "alignment_matrix": "pmkit.portfolio",
    "spend_by_objective": "pmkit.portfolio",
    "weighted_scores": "pmkit.portfolio",
    "ranking_sensitivity": "pmkit.portfolio",
    "financials": "pmkit.portfolio",
    "portfolio_financials": "pmkit.portfolio",
    "npv": "pmkit.portfolio",
    "irr": "pmkit.portfolio",
    "capacity_plan": "pmkit.capacity",
    "role_demand": "pmkit.capacity",
    "utilization": "pmkit.capacity",
    "portfolio_kpis": "pmkit.portfolio_kpi",
    "portfolio_dashboard": "pmkit.portfolio_kpi",
    "delay_project": "pmkit.whatif",
    "delay_effects": "pmkit.whatif",
    "budget_scenarios": "pmkit.whatif",
    "schedule_baseline": "pmkit.evm",
    # interop: MS Project XML, Primavera XER
    "read_project_file": "pmkit.interop",
    "read_mspdi": "pmkit.interop.mspdi",
    "write_mspdi": "pmkit.interop.mspdi",
    "read_xer": "pmkit.interop.xer",
}

if TYPE_CHECKING:  # pragma: no cover
    from .calendars import Calendar  # noqa: F401
    from .errors import CycleError, LoadError, PmkitError, UnknownIdError, ValidationError  # noqa: F401
    from .io import load, save  # noqa: F401
    from .model import Portfolio, Program, Project  # noqa: F401
    from .samples import sample_path  # noqa: F401


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pmkit' has no attribute {name!r}")
    mod = importlib.import_module(module)
    value = mod if module.endswith("." + name) else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = sorted(_EXPORTS)
