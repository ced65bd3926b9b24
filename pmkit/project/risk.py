"""Risk register analytics: probability x impact scores, expected monetary value, exposure.

* **Probability-impact scoring** rates probability and impact 1 (very low) to 5 (very
  high) on the scales of :class:`RiskScales`, and scores ``probability rating x impact
  rating`` (1-25) into low / medium / high zones (PMBOK Guide 6th ed., 11.3.2.6
  "probability and impact matrix"; PMI *Practice Standard for Project Risk Management*,
  2009). Impact is the worse of the cost impact (share of BAC) and the schedule impact
  (share of the planned duration).
* **Expected monetary value** ``EMV = probability x impact`` for cost and for days
  (PMBOK Guide 6th ed., 11.4.2.5); opportunities (negative impacts) reduce exposure.
* **Exposure over time**: the EMV of the risks open at each status date.

The Monte Carlo simulation of the same register on the network is in
:mod:`pmkit.project.montecarlo`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.model import Project
from ..errors import PmkitError

ZONES = ("low", "medium", "high")


@dataclass(frozen=True)
class RiskScales:
    """Bounds of the 1-5 ratings and of the score zones.

    A value up to ``bounds[0]`` rates 1, up to ``bounds[1]`` rates 2, ... above
    ``bounds[3]`` rates 5. Cost impact is a fraction of BAC, schedule impact a fraction of
    the planned duration (the PMI practice standard's example scale uses 1 %, 5 %, 10 %,
    20 %). A score (1-25) of at least ``high_score`` is high, at least ``medium_score``
    medium.

    Examples
    --------
    >>> from pmkit.project.risk import RiskScales
    >>> RiskScales().probability
    (0.1, 0.3, 0.5, 0.7)
    """

    probability: tuple[float, float, float, float] = (0.1, 0.3, 0.5, 0.7)
    cost_fraction: tuple[float, float, float, float] = (0.01, 0.05, 0.10, 0.20)
    schedule_fraction: tuple[float, float, float, float] = (0.01, 0.05, 0.10, 0.20)
    medium_score: int = 5
    high_score: int = 12

    def __post_init__(self) -> None:
        for name in ("probability", "cost_fraction", "schedule_fraction"):
            v = tuple(float(x) for x in getattr(self, name))
            if len(v) != 4 or any(b <= a for a, b in zip(v, v[1:], strict=False)):
                raise PmkitError(f"RiskScales.{name} needs four increasing bounds, not {v}")
            object.__setattr__(self, name, v)
        if not 1 <= self.medium_score <= self.high_score <= 25:
            raise PmkitError("RiskScales: need 1 <= medium_score <= high_score <= 25")


def _rate(values: np.ndarray, bounds: tuple[float, ...]) -> np.ndarray:
    """1-5 rating: 1 + the number of bounds strictly below the value."""
    return 1 + np.searchsorted(np.asarray(bounds), values, side="left")


def _planned_days(project: Project) -> float:
    bl = project.baseline
    if len(bl):
        start = min(bl["baseline_start"].min(), project.start_date)
        return float(project.calendar.working_days_between(start, bl["baseline_finish"].max()
                                                           + pd.Timedelta(days=1)))
    return float(project.tasks["duration_days"].sum())


def risk_register(project: Project, scales: RiskScales | None = None) -> pd.DataFrame:
    """The risk register with ratings, score, zone and expected monetary value.

    Returns
    -------
    DataFrame
        The ``risks`` columns plus ``probability_rating``, ``cost_rating``,
        ``schedule_rating``, ``impact_rating`` (worse of the two), ``score`` (probability
        rating x impact rating, 1-25), ``zone`` (low/medium/high), ``emv_cost``
        (probability x cost impact) and ``emv_days`` (probability x schedule impact).
        Opportunities (negative impacts) keep a rating of 1 and a negative EMV.

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.risk import risk_register
    >>> reg = risk_register(pmkit.synth.project(100, seed=1))
    >>> bool(((reg["score"] >= 1) & (reg["score"] <= 25)).all())
    True
    """
    sc = scales or RiskScales()
    r = project.risks.copy()
    bac = project.bac
    days = _planned_days(project)
    prob = r["probability"].to_numpy(dtype=float)
    cost = r["cost_impact"].fillna(0.0).to_numpy(dtype=float)
    delay = r["schedule_impact_days"].fillna(0.0).to_numpy(dtype=float)
    r["probability_rating"] = _rate(prob, sc.probability)
    r["cost_rating"] = _rate(np.maximum(cost, 0) / bac if bac else np.zeros(len(r)), sc.cost_fraction)
    r["schedule_rating"] = _rate(np.maximum(delay, 0) / days if days else np.zeros(len(r)), sc.schedule_fraction)
    r["impact_rating"] = np.maximum(r["cost_rating"], r["schedule_rating"])
    r["score"] = r["probability_rating"] * r["impact_rating"]
    r["zone"] = np.where(r["score"] >= sc.high_score, "high", np.where(r["score"] >= sc.medium_score,
                                                                       "medium", "low"))
    r["emv_cost"] = prob * cost
    r["emv_days"] = prob * delay
    return r.reset_index(drop=True)


def top_risks(project: Project, n: int = 10, by: str = "emv_cost", open_only: bool = True,
              scales: RiskScales | None = None) -> pd.DataFrame:
    """The ``n`` largest risks by ``"emv_cost"``, ``"emv_days"`` or ``"score"`` (ties: EMV)."""
    if by not in ("emv_cost", "emv_days", "score"):
        raise PmkitError(f"top_risks: by must be 'emv_cost', 'emv_days' or 'score', not {by!r}")
    reg = risk_register(project, scales)
    if open_only:
        reg = reg[reg["status"] != "closed"]
    keys = [by] + [k for k in ("emv_cost", "emv_days") if k != by]
    return reg.sort_values(keys, ascending=False, kind="stable").head(n).reset_index(drop=True)


def risk_summary(project: Project, by: str = "status", scales: RiskScales | None = None) -> pd.DataFrame:
    """Counts and EMV totals per ``status`` (open vs closed), ``category`` or ``zone``."""
    if by not in ("status", "category", "zone", "owner", "strategy"):
        raise PmkitError(f"risk_summary: cannot group by {by!r}")
    reg = risk_register(project, scales)
    g = reg.groupby(by, sort=True)
    out = pd.DataFrame({"risks": g.size(), "emv_cost": g["emv_cost"].sum(), "emv_days": g["emv_days"].sum(),
                        "max_score": g["score"].max()})
    return out.reset_index()


def heat_map(project: Project, open_only: bool = True, scales: RiskScales | None = None) -> pd.DataFrame:
    """Probability x impact matrix: every cell 1-5 x 1-5 with its risk count, score and zone."""
    sc = scales or RiskScales()
    reg = risk_register(project, sc)
    if open_only:
        reg = reg[reg["status"] != "closed"]
    p, i = np.meshgrid(np.arange(1, 6), np.arange(1, 6), indexing="ij")
    cells = pd.DataFrame({"probability_rating": p.ravel(), "impact_rating": i.ravel()})
    cells["score"] = cells["probability_rating"] * cells["impact_rating"]
    cells["zone"] = np.where(cells["score"] >= sc.high_score, "high",
                             np.where(cells["score"] >= sc.medium_score, "medium", "low"))
    counts = reg.groupby(["probability_rating", "impact_rating"]).agg(
        risks=("risk_id", "size"), risk_ids=("risk_id", lambda s: ", ".join(map(str, s))))
    cells = cells.merge(counts.reset_index(), on=["probability_rating", "impact_rating"], how="left")
    cells["risks"] = cells["risks"].fillna(0).astype(int)
    cells["risk_ids"] = cells["risk_ids"].fillna("")
    return cells


def exposure(project: Project, dates=None) -> pd.DataFrame:
    """Risks open and their EMV at each date (default: the status dates).

    A risk is open at ``d`` when it was identified on or before ``d`` (blank: from the
    start) and not closed by ``d``: ``closed_date`` after ``d``, or blank while its status
    is open. A closed risk without a ``closed_date`` counts as closed at every date
    (its closing date is unknown).

    Returns
    -------
    DataFrame
        ``date``, ``open_risks``, ``emv_cost``, ``emv_days``.
    """
    if dates is None:
        dates = project.status_dates or ([project.status_date] if project.status_date is not None else [])
    dates = pd.to_datetime(pd.Index(dates)).to_numpy(dtype="datetime64[ns]")
    r = project.risks
    ident = r["identified_date"].to_numpy(dtype="datetime64[ns]")
    closed = r["closed_date"].to_numpy(dtype="datetime64[ns]")
    is_closed = (r["status"].astype(str) == "closed").to_numpy()
    d = dates[:, None]
    opened = np.isnat(ident)[None, :] | (ident[None, :] <= d)
    still = np.where(np.isnat(closed)[None, :], ~is_closed[None, :], closed[None, :] > d)
    live = opened & still
    prob = r["probability"].to_numpy(dtype=float)
    emv_c = prob * r["cost_impact"].fillna(0.0).to_numpy(dtype=float)
    emv_d = prob * r["schedule_impact_days"].fillna(0.0).to_numpy(dtype=float)
    return pd.DataFrame({"date": pd.to_datetime(dates), "open_risks": live.sum(axis=1),
                         "emv_cost": live @ emv_c, "emv_days": live @ emv_d})


__all__ = ["ZONES", "RiskScales", "exposure", "heat_map", "risk_register", "risk_summary", "top_risks"]
