"""Portfolio KPIs, the roll-up by program and the red / amber / green dashboard.

Roll-ups add up the underlying quantities and compute ratios from the sums, never
averages of project ratios: ``CPI = sum(EV) / sum(AC)``, ``SPI = sum(EV) / sum(PV)``,
``ROI = sum(benefit - cost) / sum(cost)`` (PMI *Practice Standard for Earned Value
Management*, 2nd ed., 2011, on summarizing EVM data; PMI *Standard for Portfolio
Management*, 4th ed., 2017, on portfolio performance). Earned value comes from
:func:`pmkit.project.evm.earned_value` at each project's latest status date.

The KPIs named in pmkit's mission: ROI, strategic alignment, resource utilization and
portfolio risk, with cost and schedule performance from the EVM roll-up. Each measure is
rated in its :class:`PortfolioThresholds` band; the colour of a project, a program and the
portfolio follows the rule of its level in :mod:`pmkit.rag`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from ..errors import PmkitError
from ..rag import (
    RAG_RULES,
    Band,
    RagVerdict,
    ShareRule,
    portfolio_rag,
    program_rag,
    rag_status,
)
from .capacity import OPEN_STATES


@dataclass(frozen=True)
class PortfolioThresholds:
    """Bands of the portfolio measures (see :class:`pmkit.rag.Band`).

    CPI/SPI bands follow common practice (0.95 / 0.90, e.g. the US DoD and NASA EVM
    guides); the others are defaults to tune.

    Examples
    --------
    >>> from pmkit.portfolio.kpi import PortfolioThresholds
    >>> from pmkit.rag import Band
    >>> PortfolioThresholds(roi=Band(0.10, 0.0)).roi.describe()
    'green >= 0.1, red < 0'
    """

    cpi: Band = Band(0.95, 0.90)                       #: EV / AC from sums
    spi: Band = Band(0.95, 0.90)                       #: EV / PV from sums
    roi: Band = Band(0.20, 0.0)                        #: (benefit - cost) / cost
    alignment: Band = Band(0.50, 0.30)                 #: cost-weighted alignment index 0-1
    utilization: Band = Band(0.70, 0.50)               #: demand / capacity of all roles
    utilization_over: Band = Band(0.0, 0.05, False)    #: person-days over capacity / capacity
    risk_exposure: Band = Band(0.05, 0.10, False)      #: EMV of open risks / budget

    def __post_init__(self) -> None:
        for f in fields(self):
            if not isinstance(getattr(self, f.name), Band):
                raise PmkitError(f"PortfolioThresholds.{f.name} must be a pmkit.rag.Band")


def _program_key(program_id) -> str:
    """Program id as the roll-up shows it: ``(none)`` for projects outside any program."""
    return "(none)" if pd.isna(program_id) or str(program_id).strip() == "" else str(program_id)


#: Measure columns of the roll-up and the band each is rated in.
_MEASURES = {"cpi": "cpi", "spi": "spi", "roi": "roi", "alignment_index": "alignment",
             "risk_exposure": "risk_exposure"}


def _evm_latest(portfolio, ids: list[str]) -> pd.DataFrame:
    """``project_id, status_date, bac, pv, ev, ac`` at each project's latest status date."""
    from ..project.evm import earned_value

    rows = []
    with_status = set(portfolio.status["project_id"].astype(str))
    with_base = set(portfolio.baseline["project_id"].astype(str))
    for pid in ids:
        if pid not in with_status or pid not in with_base:
            continue
        try:
            ev = earned_value(portfolio.project(pid))
        except PmkitError:
            continue  # a project whose EVM cannot be computed stays grey, not fatal for the portfolio
        if len(ev):
            last = ev.iloc[-1]
            rows.append({"project_id": pid, "status_date": last["status_date"], "bac": last["bac"],
                         "pv": last["pv"], "ev": last["ev"], "ac": last["ac"]})
    return pd.DataFrame(rows, columns=["project_id", "status_date", "bac", "pv", "ev", "ac"])


def portfolio_scorecard(portfolio, states: tuple[str, ...] | None = OPEN_STATES) -> pd.DataFrame:
    """The portfolio's measures of each project, one row per project: EVM at its latest
    status date, financials, alignment, risk.

    Columns ``project_id, name, program_id, state, budget, bac, pv, ev, ac, cpi, spi, cost,
    benefit, npv, roi, alignment_index, emv`` (expected monetary value of open risks,
    ``sum(probability * cost_impact)``) and ``risk_exposure = emv / budget``.
    """
    from .alignment import alignment
    from .financials import financials, project_costs

    p = portfolio.projects
    keep = p["state"].isin(states) if states is not None else pd.Series(True, index=p.index)
    p = p[keep]
    ids = p["project_id"].astype(str).tolist()
    out = pd.DataFrame({"project_id": ids, "name": p["name"].to_numpy(), "program_id": p["program_id"].to_numpy(),
                        "state": p["state"].to_numpy(), "budget": p["budget"].to_numpy(dtype=float)})
    evm = _evm_latest(portfolio, ids).set_index("project_id")
    for c in ("bac", "pv", "ev", "ac"):
        out[c] = evm[c].reindex(ids).to_numpy(dtype=float) if len(evm) else np.nan
    fin = financials(portfolio).set_index("project_id")
    for c in ("cost", "benefit", "npv"):
        out[c] = fin[c].reindex(ids).to_numpy(dtype=float) if len(fin) else np.nan
    out["cost"] = out["cost"].fillna(project_costs(portfolio).reindex(ids).reset_index(drop=True))
    try:
        out["alignment_index"] = alignment(portfolio).set_index("project_id")["alignment_index"].reindex(ids).to_numpy()
    except PmkitError:
        out["alignment_index"] = np.nan
    r = portfolio.risks
    r = r[r["status"].astype(str) != "closed"]
    emv = (r["probability"] * r["cost_impact"]).groupby(r["project_id"].astype(str)).sum()
    out["emv"] = emv.reindex(ids).fillna(0.0).to_numpy()
    return _ratios(out)


def _ratios(df: pd.DataFrame) -> pd.DataFrame:
    """CPI, SPI, ROI and risk exposure of rows that hold sums."""
    with np.errstate(divide="ignore", invalid="ignore"):
        df["cpi"] = np.where(df["ac"] > 0, df["ev"] / df["ac"], np.nan)
        df["spi"] = np.where(df["pv"] > 0, df["ev"] / df["pv"], np.nan)
        df["roi"] = np.where(df["cost"] > 0, (df["benefit"] - df["cost"]) / df["cost"], np.nan)
        df["risk_exposure"] = np.where(df["budget"] > 0, df["emv"] / df["budget"], np.nan)
    return df


def portfolio_rollup(portfolio, states: tuple[str, ...] | None = OPEN_STATES,
                     scorecard: pd.DataFrame | None = None) -> pd.DataFrame:
    """Program and portfolio totals of :func:`portfolio_scorecard`, ratios from sums.

    ``alignment_index`` of a group is the cost-weighted mean of its projects' indices
    (the share of money that goes to aligned work), not a plain mean. Pass ``scorecard``
    to reuse one already computed.
    """
    k = portfolio_scorecard(portfolio, states) if scorecard is None else scorecard
    sums = ["budget", "bac", "pv", "ev", "ac", "cost", "benefit", "npv", "emv"]
    k = k.assign(_wa=k["alignment_index"] * k["cost"], _w=np.where(k["alignment_index"].notna(), k["cost"], 0.0))
    groups = [("program", pid, g) for pid, g in k.groupby(k["program_id"].map(_program_key), sort=True)]
    groups.append(("portfolio", "", k))
    rows = []
    for level, gid, g in groups:
        row = {"level": level, "id": gid, "projects": len(g)}
        # min_count=1: a group without any EVM data stays NaN (grey), not 0
        row.update({c: g[c].sum(min_count=1) for c in sums})
        row["alignment_index"] = g["_wa"].sum() / g["_w"].sum() if g["_w"].sum() > 0 else np.nan
        rows.append(row)
    return _ratios(pd.DataFrame(rows))


def project_rags(portfolio, states: tuple[str, ...] | None = OPEN_STATES, kpi_thresholds=None) -> pd.DataFrame:
    """Each project's colour by the project rule (:func:`pmkit.project.kpi.project_status`).

    Returns ``project_id, program_id, state, rag, rag_reason``; projects without data are
    grey. Every page that colours a project takes it from here or from the same rule.
    """
    from ..project.kpi import project_status

    p = portfolio.projects
    if states is not None:
        p = p[p["state"].isin(states)]
    rows = []
    for pid, prog, state in zip(p["project_id"].astype(str), p["program_id"].map(_program_key),
                                p["state"].astype(str), strict=True):
        v = project_status(portfolio.project(pid), kpi_thresholds)
        rows.append({"project_id": pid, "program_id": prog, "state": state, "rag": v.status,
                     "rag_reason": v.reason})
    return pd.DataFrame(rows, columns=["project_id", "program_id", "state", "rag", "rag_reason"])


def _headline_rows(portfolio, total: pd.Series, states, th: PortfolioThresholds) -> pd.DataFrame:
    rows = [
        ("roi", total["roi"], "fraction", "roi"),
        ("npv", total["npv"], "currency", None),
        ("strategic_alignment", total["alignment_index"], "index 0-1", "alignment"),
        ("cpi", total["cpi"], "ratio", "cpi"),
        ("spi", total["spi"], "ratio", "spi"),
        ("risk_exposure", total["risk_exposure"], "fraction of budget", "risk_exposure"),
    ]
    if len(portfolio.capacity):
        from .capacity import utilization

        u = utilization(portfolio, states=states).set_index("role_id").loc["(all roles)"]
        rows.insert(3, ("resource_utilization", u["utilization"], "fraction", "utilization"))
        over = u["over_days"] / u["capacity_days"] if u["capacity_days"] > 0 else np.nan
        rows.insert(4, ("over_allocated_share", over, "fraction of capacity", "utilization_over"))
    out = pd.DataFrame(rows, columns=["kpi", "value", "unit", "_m"])
    bands = [getattr(th, m) if isinstance(m, str) else None for m in out["_m"]]
    out["status"] = [rag_status(float(v), b) if b else "grey" for v, b in zip(out["value"], bands, strict=True)]
    out["band"] = [b.describe() if b else "" for b in bands]
    return out.drop(columns="_m")


def portfolio_kpis(portfolio, states: tuple[str, ...] | None = OPEN_STATES,
                   thresholds: PortfolioThresholds | None = None) -> pd.DataFrame:
    """The portfolio's headline KPIs with their RAG status.

    Rows: ``roi`` (from sums), ``npv``, ``strategic_alignment`` (cost-weighted alignment
    index), ``resource_utilization`` (sum of demand / sum of capacity over the capacity
    horizon), ``over_allocated_share`` (person-days above capacity / capacity),
    ``cpi`` and ``spi`` (EVM roll-up), ``risk_exposure`` (EMV of open risks / budget).
    Columns ``kpi, value, unit, status, band`` (the thresholds in words). The KPIs of one
    project are :func:`pmkit.project.kpi.project_kpis`.
    """
    top = portfolio_rollup(portfolio, states)
    total = top[top["level"] == "portfolio"].iloc[0]
    return _headline_rows(portfolio, total, states, thresholds or PortfolioThresholds())


def _verdict(rags: pd.DataFrame, headline: pd.DataFrame, rule: ShareRule | None) -> RagVerdict:
    measures = dict(zip(headline["kpi"], headline["status"], strict=True))
    return portfolio_rag(rags["rag"], measures, rule)


def portfolio_status(portfolio, states: tuple[str, ...] | None = OPEN_STATES,
                     thresholds: PortfolioThresholds | None = None, kpi_thresholds=None,
                     rule: ShareRule | None = None) -> RagVerdict:
    """The portfolio's colour by the portfolio rule (:func:`pmkit.rag.portfolio_rag`).

    Delivery of the projects in ``states`` (their project-rule colours) and the statuses
    of :func:`portfolio_kpis`. The index page, the portfolio report and the dashboard all
    show this verdict.
    """
    return _verdict(project_rags(portfolio, states, kpi_thresholds),
                    portfolio_kpis(portfolio, states, thresholds), rule)


def portfolio_dashboard(portfolio, states: tuple[str, ...] | None = OPEN_STATES,
                        thresholds: PortfolioThresholds | None = None, kpi_thresholds=None,
                        rule: ShareRule | None = None) -> pd.DataFrame:
    """Red / amber / green table: the portfolio, each program and each project.

    Columns ``level, id, name, cpi, spi, roi, alignment_index, risk_exposure``, one
    ``<measure>_rag`` column each (the measure in its :class:`PortfolioThresholds` band),
    and the row's colour by the rule of its level (:mod:`pmkit.rag`): ``rag``,
    ``rag_reason`` (what set it) and ``rag_rule`` (the rule in one line). A project's
    ``rag`` is its delivery (project rule), so a well-run project of low alignment is
    green with a red ``alignment_index_rag``: the two lenses, side by side.
    """
    th = thresholds or PortfolioThresholds()
    card = portfolio_scorecard(portfolio, states)
    top = portfolio_rollup(portfolio, states, scorecard=card).assign(name="")
    proj = card.assign(level="project", id=lambda d: d["project_id"])
    cols = ["level", "id", "name", *_MEASURES]
    out = pd.concat([top[cols], proj[cols]], ignore_index=True)
    for col, band in _MEASURES.items():
        out[f"{col}_rag"] = rag_status(out[col].to_numpy(dtype=float), getattr(th, band))
    rags = project_rags(portfolio, states, kpi_thresholds)
    by_project = rags.set_index("project_id")
    total = top[top["level"] == "portfolio"].iloc[0]
    headline = _headline_rows(portfolio, total, states, th)
    verdicts = []
    for row in out.itertuples(index=False):
        if row.level == "project":
            verdicts.append(RagVerdict("project", by_project.at[row.id, "rag"], by_project.at[row.id, "rag_reason"]))
        elif row.level == "program":
            members = rags.loc[rags["program_id"] == row.id, "rag"]
            measures = {col: getattr(row, f"{col}_rag") for col in _MEASURES}
            verdicts.append(program_rag(members, measures, rule))
        else:
            verdicts.append(_verdict(rags, headline, rule))
    out["rag"] = [v.status for v in verdicts]
    out["rag_reason"] = [v.reason for v in verdicts]
    out["rag_rule"] = [RAG_RULES[v.level] for v in verdicts]
    return out


__all__ = ["PortfolioThresholds", "portfolio_dashboard", "portfolio_kpis", "portfolio_rollup", "portfolio_scorecard",
           "portfolio_status", "project_rags"]
