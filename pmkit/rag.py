"""Red / amber / green: one status rule per level, defined here and nowhere else.

Every page, table and chart of pmkit that shows a RAG colour for a project, a program or
the portfolio gets it from the rule of that level below, and says which rule it is
(:data:`RAG_RULES`, shown beside the colour).

**Measure statuses.** A single measure is rated against a :class:`Band`: for a "higher is
better" measure a value ``>= green`` is green, ``>= red`` amber, below ``red`` red; for a
"lower is better" one a value ``<= green`` is green, ``<= red`` amber, above red; a missing
value is grey (not assessed). Project KPIs take their bands from
:class:`pmkit.project.kpi.KpiThresholds`, portfolio measures from
:class:`pmkit.portfolio.kpi.PortfolioThresholds`.

**Project rule** (:func:`project_rag`): the worst status among the project's KPIs
(:func:`pmkit.project.kpi.project_kpis`: on-time delivery, milestones on time, on budget,
meeting specifications, client satisfaction, net promoter score). KPIs without data are
ignored; grey when none has data, and grey for a project with no progress recorded yet
(:func:`pmkit.project.kpi.project_status` applies the rule to a project). It answers "is this project being delivered well?".
Whether it is the right project (alignment, ROI) is the portfolio lens's question, rated
per measure in the dashboard but not folded into the project's colour.

**Program rule** and **portfolio rule** (:func:`program_rag`, :func:`portfolio_rag`): the
worst of two parts, each shown in the reason:

1. delivery of the member projects (their project-rule colours, grey ones ignored) by
   :class:`ShareRule`: red when at least 25 % of the projects are red; amber when any
   project is red or at least 25 % are amber; else green;
2. the group's own measures rated against their bands (program: CPI, SPI, ROI, strategic
   alignment and risk exposure from sums; portfolio: the same plus resource utilization,
   see :func:`pmkit.portfolio.kpi.portfolio_kpis`).

The thresholds are pmkit's defaults (CPI/SPI bands 0.95 / 0.90 follow common EVM practice,
e.g. the US DoD and NASA EVM guides; the others are starting points to tune) and every one
can be changed by the user.

Examples
--------
>>> from pmkit.rag import Band, portfolio_rag, rag_status
>>> rag_status(0.93, Band(0.95, 0.90))
'amber'
>>> verdict = portfolio_rag(["green", "green", "red", "green"], {"cpi": "green", "roi": "amber"})
>>> verdict.status, verdict.reason
('red', '1 of 4 projects red (>= 25%)')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

#: The colours, worst last; ``grey`` means not assessed (no data).
RAG_LEVELS = ("green", "amber", "red", "grey")
_ORDER = {"grey": 0, "green": 1, "amber": 2, "red": 3}

#: The rule of each level in one line, shown beside every RAG colour pmkit draws.
RAG_RULES: dict[str, str] = {
    "project": "project rule: worst of the project's KPIs (on-time delivery, milestones, on budget, "
               "specifications, satisfaction, NPS)",
    "program": "program rule: worst of its projects' delivery (red if >= 25% red; amber if any red or "
               ">= 25% amber) and its CPI, SPI, ROI, alignment, risk exposure",
    "portfolio": "portfolio rule: worst of its projects' delivery (red if >= 25% red; amber if any red or "
                 ">= 25% amber) and the portfolio KPIs",
}


def rag_rules():
    """The rule of each level as a table (``level``, ``rule``), for a report or notebook.

    >>> rag_rules()["level"].tolist()
    ['project', 'program', 'portfolio']
    """
    import pandas as pd

    return pd.DataFrame({"level": list(RAG_RULES), "rule": list(RAG_RULES.values())})


@dataclass(frozen=True)
class Band:
    """Where a measure turns amber and red.

    ``higher_is_better``: green when ``value >= green``, amber when ``>= red``, else red.
    Otherwise green when ``value <= green``, amber when ``<= red``, else red.
    """

    green: float
    red: float
    higher_is_better: bool = True

    def __post_init__(self) -> None:
        from .errors import PmkitError

        if not (np.isfinite(self.green) and np.isfinite(self.red)):
            raise PmkitError(f"Band: green and red must be numbers, not {self.green!r} and {self.red!r}")
        if self.higher_is_better and self.green < self.red:
            raise PmkitError(f"Band: green ({self.green:g}) must not be below red ({self.red:g}) when higher is better")
        if not self.higher_is_better and self.green > self.red:
            raise PmkitError(f"Band: green ({self.green:g}) must not exceed red ({self.red:g}) when lower is better")

    def describe(self) -> str:
        """``'green >= 0.95, red < 0.9'`` (or ``<=``/``>`` when lower is better)."""
        if self.higher_is_better:
            return f"green >= {self.green:g}, red < {self.red:g}"
        return f"green <= {self.green:g}, red > {self.red:g}"


def rag_status(value, band: Band):
    """Status of one value (a str) or of an array of values (an object array) in a band.

    Examples
    --------
    >>> from pmkit.rag import Band, rag_status
    >>> rag_status([1.0, 0.92, 0.8, float("nan")], Band(0.95, 0.90)).tolist()
    ['green', 'amber', 'red', 'grey']
    >>> rag_status(12.0, Band(5, 10, higher_is_better=False))
    'red'
    """
    scalar = np.ndim(value) == 0
    v = np.asarray(value if value is not None else np.nan, dtype=float)
    with np.errstate(invalid="ignore"):
        if band.higher_is_better:
            out = np.where(v >= band.green, "green", np.where(v >= band.red, "amber", "red"))
        else:
            out = np.where(v <= band.green, "green", np.where(v <= band.red, "amber", "red"))
    out = np.where(np.isnan(v), "grey", out).astype(object)
    return str(out[()]) if scalar else out


def worst_rag(statuses: Iterable[str]) -> str:
    """The worst of red / amber / green statuses; ``grey`` when none is assessed.

    >>> worst_rag(["green", "grey", "amber"]), worst_rag(["grey"])
    ('amber', 'grey')
    """
    worst = "grey"
    for s in statuses:
        if _ORDER.get(str(s), 0) > _ORDER[worst]:
            worst = str(s)
    return worst


@dataclass(frozen=True)
class RagVerdict:
    """A level's colour and why: ``status`` and a short ``reason`` naming what set it."""

    level: str
    status: str
    reason: str

    @property
    def rule(self) -> str:
        """The one-line rule of this level (:data:`RAG_RULES`)."""
        return RAG_RULES[self.level]

    def __str__(self) -> str:
        return self.status


def project_rag(kpi_table) -> RagVerdict:
    """The project rule: the worst status of the table :func:`pmkit.project_kpis` returns.

    The reason names the KPIs at that status.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmkit.rag import project_rag
    >>> k = pd.DataFrame({"kpi": ["On budget", "On-time delivery"], "status": ["amber", "green"]})
    >>> v = project_rag(k)
    >>> v.status, v.reason
    ('amber', 'On budget amber')
    """
    statuses = [str(s) for s in kpi_table["status"]]
    status = worst_rag(statuses)
    if status == "grey":
        return RagVerdict("project", "grey", "no KPI has data yet")
    if status == "green":
        n = sum(s == "green" for s in statuses)
        return RagVerdict("project", status, f"all {n} assessed KPIs green")
    names = [str(k) for k, s in zip(kpi_table["kpi"], statuses, strict=True) if s == status]
    return RagVerdict("project", status, ", ".join(names) + f" {status}")


@dataclass(frozen=True)
class ShareRule:
    """Delivery part of the program and portfolio rules: shares of red and amber projects.

    Red when ``red share >= red_share``; amber when any project is red or
    ``amber share >= amber_share``; else green. Grey projects (not assessed) do not count.
    """

    red_share: float = 0.25
    amber_share: float = 0.25

    def __post_init__(self) -> None:
        from .errors import PmkitError

        for name in ("red_share", "amber_share"):
            v = getattr(self, name)
            if not (0.0 < v <= 1.0):
                raise PmkitError(f"ShareRule.{name} must be in (0, 1], not {v!r}")


def _group_rag(level: str, project_rags: Iterable[str], measures: Mapping[str, str] | None,
               rule: ShareRule | None) -> RagVerdict:
    rule = rule or ShareRule()
    rags = [str(r) for r in project_rags if str(r) in ("red", "amber", "green")]
    parts: list[tuple[str, str]] = []  # (status, why)
    if rags:
        n_red, n_amber = rags.count("red"), rags.count("amber")
        if n_red / len(rags) >= rule.red_share:
            parts.append(("red", f"{n_red} of {len(rags)} projects red (>= {rule.red_share:.0%})"))
        elif n_red:
            parts.append(("amber", f"{n_red} of {len(rags)} projects red"))
        elif n_amber / len(rags) >= rule.amber_share:
            parts.append(("amber", f"{n_amber} of {len(rags)} projects amber (>= {rule.amber_share:.0%})"))
        else:
            parts.append(("green", f"{len(rags) - n_amber} of {len(rags)} projects green"))
    for name, s in (measures or {}).items():
        if str(s) in ("red", "amber", "green"):
            parts.append((str(s), f"{name} {s}"))
    if not parts:
        return RagVerdict(level, "grey", "no project or measure assessed yet")
    status = worst_rag(s for s, _ in parts)
    return RagVerdict(level, status, "; ".join(why for s, why in parts if s == status))


def program_rag(project_rags: Iterable[str], measures: Mapping[str, str] | None = None,
                rule: ShareRule | None = None) -> RagVerdict:
    """The program rule: worst of its projects' delivery (:class:`ShareRule`) and the
    statuses of its own measures (``{"cpi": "green", ...}``)."""
    return _group_rag("program", project_rags, measures, rule)


def portfolio_rag(project_rags: Iterable[str], measures: Mapping[str, str] | None = None,
                  rule: ShareRule | None = None) -> RagVerdict:
    """The portfolio rule: worst of its running projects' delivery (:class:`ShareRule`) and
    the statuses of the portfolio KPIs (``{"roi": "amber", ...}``)."""
    return _group_rag("portfolio", project_rags, measures, rule)


__all__ = ["RAG_LEVELS", "RAG_RULES", "Band", "rag_rules", "RagVerdict", "ShareRule", "portfolio_rag", "program_rag",
           "project_rag", "rag_status", "worst_rag"]
