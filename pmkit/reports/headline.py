"""Headline figures of each report, recorded by the notebooks for the index page."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import PmkitError
from ..rag import RAG_LEVELS, RAG_RULES
from .markup import display_html, headline_card, json_value, publish


def save_headline(path: str | os.PathLike | None, headline: Mapping[str, Any]):
    """Record a report's headline figures for the index page (and show them).

    The runner passes ``headline_path`` to each notebook; when it is blank (a notebook
    opened in JupyterLab) nothing is written.

    Parameters
    ----------
    path : path or None
        JSON file to write (atomically).
    headline : mapping
        ``{"title": str, "rag": "green"|"amber"|"red"|"grey", "figures": {label: value}}``,
        optionally ``"rag_reason"`` (what set the colour) and ``"rag_rule"`` (the level's
        rule, :data:`pmkit.rag.RAG_RULES`).

    Returns
    -------
    IPython.display.HTML
        The headline as an escaped card.
    """
    rag = str(headline.get("rag", "grey"))
    if rag not in RAG_LEVELS:
        raise PmkitError(f"headline rag must be one of {', '.join(RAG_LEVELS)}, not {rag!r}")
    clean = {"title": str(headline.get("title", "")), "rag": rag,
             **{k: str(headline[k]) for k in ("rag_reason", "rag_rule") if headline.get(k)},
             "figures": {str(k): json_value(v) for k, v in dict(headline.get("figures", {})).items()}}
    if path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        publish(p, json.dumps(clean, indent=2, ensure_ascii=False))
    return display_html(headline_card(clean))


def project_headline(project) -> dict:
    """Headline figures of a project report for the index: ``{"title", "rag", "figures"}``.

    Before execution (no progress yet): planned finish from the critical path schedule,
    budget at completion and how many objectives are SMART; RAG grey (not assessed).
    Closed: actual finish and cost against the baseline (:func:`pmkit.closing_summary`).
    Otherwise: CPI, SPI(t), EAC, forecast finish and percent complete at the latest
    status date (:func:`pmkit.earned_value`). RAG: the project rule
    (:func:`pmkit.project.kpi.project_status`), the same colour as in the dashboard.
    """
    from ..project.evm import earned_value
    from ..project.kpi import project_kpis, project_status, smart_check
    from ..project.scheduling import project_finish

    title = f"{project.project_id} {project.name}"
    verdict = project_status(project)
    rag = {"rag": verdict.status, "rag_reason": verdict.reason, "rag_rule": RAG_RULES["project"]}
    if not len(project.status):
        smart = smart_check(project)
        figures = {"planned finish": json_value(project_finish(project)), "BAC": project.bac,
                   "tasks": len(project.tasks),
                   "SMART objectives": f"{int(smart['smart'].sum())} of {len(smart)}"}
        return {"title": title, **rag, "figures": figures}
    if project.state == "closed":
        from ..project.closing import closing_summary

        cs = closing_summary(project)
        v = cs.variances.set_index("measure")
        figures = {"actual finish": json_value(v.at["finish date", "actual"]),
                   "finish variance (working days)": float(v.at["finish date", "variance"]),
                   "actual cost": float(v.at["cost", "actual"]),
                   "cost variance %": float(v.at["cost", "variance_pct"]),
                   "lessons": len(cs.lessons), "red KPIs": int((cs.kpis["status"] == "red").sum())}
        return {"title": title, **rag, "figures": figures}
    k = project_kpis(project)
    last = earned_value(project).iloc[-1]
    figures = {"status date": json_value(last["status_date"]), "percent complete": float(last["percent_complete"]),
               "CPI": float(last["cpi"]), "SPI(t)": json_value(last.get("spi_t")), "EAC": float(last["eac"]),
               # earned schedule columns are absent when EVM cannot compute them
               "forecast finish": json_value(last.get("forecast_finish")),
               "red KPIs": int((k["status"] == "red").sum())}
    return {"title": title, **rag, "figures": figures}


#: Portfolio KPIs (:func:`pmkit.portfolio.kpi.portfolio_kpis`) shown in the index, with their labels.
PORTFOLIO_HEADLINE_KPIS = {"roi": "ROI", "npv": "NPV", "strategic_alignment": "strategic alignment",
                           "resource_utilization": "resource utilization", "risk_exposure": "risk exposure",
                           "cpi": "CPI", "spi": "SPI"}


def portfolio_headline(portfolio) -> dict:
    """Headline figures of the portfolio review: projects by state and by RAG, budget, and
    the portfolio KPIs (ROI, NPV, strategic alignment, resource utilization, risk exposure,
    CPI, SPI from :func:`pmkit.portfolio.kpi.portfolio_kpis`).

    Each project's colour follows the project rule and the portfolio's the portfolio rule
    (:func:`pmkit.portfolio.kpi.project_rags`, :func:`pmkit.portfolio.kpi.portfolio_status`),
    the same functions the dashboard uses.
    """
    from ..portfolio.kpi import _verdict, portfolio_kpis, project_rags

    rags = project_rags(portfolio)
    headline = portfolio_kpis(portfolio)
    verdict = _verdict(rags, headline, None)
    states = portfolio.projects["state"].value_counts()
    pk = headline.set_index("kpi")["value"]
    figures = {"projects": len(portfolio.projects),
               **{f"{s} projects": int(n) for s, n in states.items()},
               **{f"{r} projects (project rule)": int((rags["rag"] == r).sum()) for r in ("red", "amber", "green")},
               "total budget (all projects)": float(portfolio.projects["budget"].sum()),
               **{label: json_value(float(pk[key])) for key, label in PORTFOLIO_HEADLINE_KPIS.items()
                  if key in pk.index}}
    return {"title": portfolio.name, "rag": verdict.status, "rag_reason": verdict.reason,
            "rag_rule": RAG_RULES["portfolio"], "figures": figures}
