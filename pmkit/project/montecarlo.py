"""Monte Carlo schedule and cost risk analysis on the project network.

Each iteration draws a duration for every unfinished task from its three-point estimate
(triangular or PERT-beta), fires each open risk of the register with its probability
(adding its delay to the affected task and its cost to the project), and schedules the
network with the CPM passes of :mod:`pmkit.project.scheduling` (all link types, lags, constraints,
calendars, progress), compiled by numba in :mod:`pmkit.project._cpm_numba`: each iteration walks the
tasks once in topological order and iterations run in parallel. Memory is a few arrays of
one row per thread plus the results, whatever the number of iterations.

Sampling is by inverse CDF from normal scores ``z`` (a Gaussian copula, which with
``correlation = 0`` gives independent draws): the duration is ``a + (b - a) Q(Phi(z))``
where ``Q`` is the standard quantile function of the task's shape, read from a table per
distinct shape (mode position ``(m - a) / (b - a)``) at 1,025 normal scores in
``[-8.5, 8.5]`` with linear interpolation. Triangular tables are exact at the nodes;
PERT-beta tables come from the beta CDF integrated on 4,096 cells (error below 1.3e-4 of
the range ``b - a`` against ``scipy.special.betaincinv``, tested). The random numbers come
from a counter-based generator keyed by seed, iteration and task: reproducible from the
seed, independent of the number of threads.

From a status date only remaining work varies: finished tasks keep their actual dates and
cost; the remaining duration of a task in progress is scaled by ``sample / most likely``.

Sources: PERT-beta with ``alpha = 1 + 4 (m - a) / (b - a)``, ``beta = 1 + 4 (b - m) / (b - a)``
(Malcolm, Roseboom, Clark & Fazar 1959; Vose, *Risk Analysis*, 3rd ed. 2008, 10.5);
triangular inverse CDF (Vose 2008); criticality index (Van Slyke, "Monte Carlo methods and
the PERT problem", *Operations Research* 11, 1963); tornado by Spearman rank correlation of
task duration with project finish (Vanhoucke, *Measuring Time*, 2010, ch. 5; the
"duration sensitivity" of Primavera Risk Analysis). Correlation between task durations is
a one-factor Gaussian copula: every pair of varying tasks has normal-scores correlation
``rho`` (rank correlation ``6/pi asin(rho/2)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.model import Project
from ..errors import PmkitError
from .evm import _date_of_days, _progress_at

DISTRIBUTIONS = ("pert", "triangular")


# --------------------------------------------------------------------------- sampling

def sample_three_point(a, m, b, u=None, distribution: str = "pert", rng=None, size=None) -> np.ndarray:
    """Draw durations from three-point estimates.

    Parameters
    ----------
    a, m, b : array-like
        Optimistic, most likely and pessimistic durations (``a <= m <= b``).
    u : array-like, optional
        Uniform(0, 1) quantiles to transform (inverse CDF; used for correlated draws).
        Without ``u``, ``rng`` draws ``size`` independent samples.
    distribution : {"pert", "triangular"}
        PERT-beta (mean ``(a + 4m + b) / 6``) or triangular (mean ``(a + m + b) / 3``).

    Examples
    --------
    >>> import numpy as np
    >>> from pmkit.project.montecarlo import sample_three_point
    >>> x = sample_three_point(2.0, 4.0, 12.0, u=np.array([0.0, 0.2, 1.0]), distribution="triangular")
    >>> [round(float(v), 3) for v in x]
    [2.0, 4.0, 12.0]
    """
    if distribution not in DISTRIBUTIONS:
        raise PmkitError(f"distribution must be 'pert' or 'triangular', not {distribution!r}")
    a, m, b = (np.asarray(v, dtype=float) for v in (a, m, b))
    span = b - a
    safe = np.where(span > 0, span, 1.0)
    if u is None:
        rng = rng if rng is not None else np.random.default_rng()
        shape = size if size is not None else np.broadcast(a, m, b).shape
        if distribution == "pert":
            alpha = 1.0 + 4.0 * (m - a) / safe
            beta = 1.0 + 4.0 * (b - m) / safe
            x = rng.beta(np.broadcast_to(alpha, shape), np.broadcast_to(beta, shape))
            return np.where(span > 0, a + span * x, m)
        u = rng.random(shape)
    u = np.asarray(u, dtype=float)
    if distribution == "pert":
        from scipy.special import betaincinv

        alpha = 1.0 + 4.0 * (m - a) / safe
        beta = 1.0 + 4.0 * (b - m) / safe
        return np.where(span > 0, a + span * betaincinv(alpha, beta, u), m)
    c = (m - a) / safe  # mode's CDF value
    left = a + np.sqrt(u * span * (m - a))
    right = b - np.sqrt((1.0 - u) * span * (b - m))
    return np.where(span > 0, np.where(u < c, left, right), m)


# --------------------------------------------------------------------------- result

#: States whose simulation is not a forecast of running work, and what the result means then.
_NOT_RUNNING = {
    "closed": "its work is done, so the simulation only replays the recorded outcome",
    "cancelled": "its work will not be done, so the simulated finish and cost are hypothetical",
    "on_hold": "its work is stopped, so the simulation assumes it resumes at once",
}


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Outcome of :func:`simulate`.

    Attributes
    ----------
    finish_days : ndarray (iterations,)
        Project length in working days of the project calendar from the project start.
    finish_dates : ndarray of datetime64
        The finish date of each iteration.
    cost : ndarray (iterations,)
        Total project cost (actual to date + remaining + fired risks).
    tasks : DataFrame
        Per task: ``task_id``, ``name``, ``deterministic_days``, ``mean_days``,
        ``criticality_index`` (share of iterations with zero total float),
        ``sensitivity`` (Spearman correlation of the task's duration with the finish).
    deterministic_finish_days, deterministic_cost : float
        The plan without uncertainty (CPM with planned/remaining durations, no risks).
    """

    project_id: str
    iterations: int
    seed: int | None
    distribution: str
    finish_days: np.ndarray
    finish_dates: np.ndarray
    cost: np.ndarray
    tasks: pd.DataFrame
    deterministic_finish_days: float
    deterministic_finish_date: pd.Timestamp
    deterministic_cost: float
    target_date: pd.Timestamp | None = None
    budget: float | None = None
    risks_fired: pd.DataFrame = field(default=None, repr=False)

    def __repr__(self) -> str:
        p = self.percentiles((50, 80))
        return (f"MonteCarloResult({self.project_id!r}: {self.iterations} iterations, {self.distribution}; "
                f"finish P50 {p['finish_date'].iloc[0]:%Y-%m-%d}, P80 {p['finish_date'].iloc[1]:%Y-%m-%d}; "
                f"cost P50 {p['cost'].iloc[0]:,.0f}, P80 {p['cost'].iloc[1]:,.0f})")

    def _repr_html_(self) -> str:
        from .._display import summary_html

        return summary_html(f"Monte Carlo of {self.project_id}", [
            ("iterations", self.iterations), ("durations", self.distribution), ("seed", self.seed),
            ("deterministic finish", self.deterministic_finish_date),
            ("deterministic cost", float(self.deterministic_cost))], self.percentiles())

    def percentiles(self, q=(10, 50, 80, 90)) -> pd.DataFrame:
        """P-values of the finish (days and date) and of the cost.

        A date percentile is the date of the day percentile (dates are monotone in days).
        """
        q = np.asarray(q, dtype=float)
        days = np.percentile(self.finish_days, q, method="inverted_cdf")
        cost = np.percentile(self.cost, q, method="inverted_cdf")
        dates = np.sort(self.finish_dates)[np.clip(np.ceil(q / 100 * self.iterations).astype(int) - 1, 0,
                                                   self.iterations - 1)]
        return pd.DataFrame({"percentile": [f"P{int(v) if v == int(v) else v}" for v in q],
                             "finish_days": days, "finish_date": pd.to_datetime(dates), "cost": cost})

    def probability_finish_by(self, date) -> float:
        """Share of iterations finishing on or before ``date``."""
        return float(np.mean(self.finish_dates <= np.datetime64(pd.Timestamp(date), "D")))

    def probability_within_budget(self, amount: float) -> float:
        """Share of iterations costing at most ``amount``."""
        return float(np.mean(self.cost <= amount))

    def summary(self) -> pd.DataFrame:
        """Percentiles plus the deterministic plan, and the chance of meeting date and budget."""
        pct = self.percentiles()
        det = pd.DataFrame({"percentile": ["deterministic"], "finish_days": [self.deterministic_finish_days],
                            "finish_date": [self.deterministic_finish_date], "cost": [self.deterministic_cost]})
        mean = pd.DataFrame({"percentile": ["mean"], "finish_days": [float(self.finish_days.mean())],
                             "finish_date": [pd.NaT], "cost": [float(self.cost.mean())]})
        out = pd.concat([det, pct, mean], ignore_index=True)
        if self.target_date is not None:
            out.attrs["p_finish_by_target"] = self.probability_finish_by(self.target_date)
        if self.budget is not None:
            out.attrs["p_within_budget"] = self.probability_within_budget(self.budget)
        return out

    def chances(self) -> pd.DataFrame:
        """Probability of meeting the target date and the budget, as a small table."""
        rows = []
        if self.target_date is not None:
            rows.append({"target": "finish by", "value": self.target_date.strftime("%Y-%m-%d"),
                         "probability": self.probability_finish_by(self.target_date)})
        if self.budget is not None:
            rows.append({"target": "cost within", "value": f"{self.budget:,.2f}",
                         "probability": self.probability_within_budget(self.budget)})
        return pd.DataFrame(rows, columns=["target", "value", "probability"])


# --------------------------------------------------------------------------- simulation

def simulate(project: Project, iterations: int = 1000, seed: int | None = 0, distribution: str = "pert",
             correlation: float = 0.0, risks: bool = True, status_date=None, criticality: bool = True,
             sensitivity_sample: int = 1000, target_date=None, budget: float | None = None,
             cost_follows_duration: bool = True) -> MonteCarloResult:
    """Monte Carlo simulation of the project's finish date and cost.

    Parameters
    ----------
    project : Project
        Tasks with ``optimistic_days``/``most_likely_days``/``pessimistic_days`` vary;
        tasks without them keep their planned duration.
    iterations : int
        Number of iterations.
    seed : int or None
        Same seed, same project: same result.
    distribution : {"pert", "triangular"}
        Shape of the three-point estimates.
    correlation : float in [0, 1)
        Pairwise correlation between task durations (one-factor Gaussian copula).
    risks : bool
        Fire the open risks of the register (each with its probability, per iteration);
        a risk's ``schedule_impact_days`` extends its task (or, without a task, the project
        finish) and its ``cost_impact`` adds to the cost.
    status_date : date-like, optional
        Only work remaining after this date varies (default: the project's status date).
    criticality : bool
        Compute the criticality index (a backward pass per iteration; about doubles the time).
    sensitivity_sample : int
        Iterations (the first ones) used for the Spearman sensitivity (bounded memory).
    target_date, budget : optional
        For :meth:`MonteCarloResult.chances`; default the project deadline (or baseline
        finish) and the project budget (or BAC).
    cost_follows_duration : bool
        Remaining budget of a task scales with its sampled / planned remaining duration.

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.project.montecarlo import simulate
    >>> res = simulate(pmkit.synth.project(60, seed=4), iterations=500, seed=1)
    >>> p = res.percentiles()
    >>> bool(p["finish_days"].is_monotonic_increasing and p["cost"].is_monotonic_increasing)
    True
    """
    from . import _cpm_numba as _cpm
    from .scheduling import CRITICAL_TOLERANCE, compile_network, forward_pass

    if distribution not in DISTRIBUTIONS:
        raise PmkitError(f"distribution must be 'pert' or 'triangular', not {distribution!r}")
    if project.state in _NOT_RUNNING:
        from ..errors import DataWarning, warn_user

        warn_user(f"project {project.project_id} is {project.state.replace('_', ' ')}: "
                  f"{_NOT_RUNNING[project.state]}", DataWarning)
    if not 0.0 <= correlation < 1.0:
        raise PmkitError(f"correlation must be in [0, 1), not {correlation}")
    iterations = int(iterations)
    if iterations < 1:
        raise PmkitError(f"iterations must be at least 1, not {iterations}")
    net = compile_network(project, status_date)
    n = net.n
    tasks = project.tasks
    row = pd.Index(tasks["task_id"].astype(str)).get_indexer(pd.Index(net.task_ids.astype(str)))
    leaf = tasks.iloc[row]
    planned = leaf["duration_days"].to_numpy(dtype=float)
    m = leaf["most_likely_days"].fillna(leaf["duration_days"]).to_numpy(dtype=float)
    a = leaf["optimistic_days"].fillna(leaf["most_likely_days"]).fillna(leaf["duration_days"]).to_numpy(dtype=float)
    b = leaf["pessimistic_days"].fillna(leaf["most_likely_days"]).fillna(leaf["duration_days"]).to_numpy(dtype=float)
    bad = ~((a <= m + 1e-9) & (m <= b + 1e-9))
    if bad.any():
        raise PmkitError(f"project {project.project_id}, task {net.task_ids[np.argmax(bad)]}: three-point "
                         "estimate must satisfy optimistic <= most likely <= pessimistic")
    finished = ~np.isnan(net.actual_finish)
    started = ~finished & ~np.isnan(net.actual_start)
    det = net.durations.astype(float)
    # which tasks vary, and how a draw maps to a duration for this iteration
    varies = ~finished & (b > a)
    scale = np.where(started & (m > 0), det / np.where(m > 0, m, 1.0), 1.0)
    vi = np.flatnonzero(varies)

    # cost model: actual to date + remaining budget (scaled with duration) + fired risks
    budget_i = _task_budgets(project, net.task_ids)
    sd = _status_for(project, status_date, net)
    pct, ac = _progress_at(project, sd, net.task_ids) if sd is not None else (np.zeros(n), np.zeros(n))
    pct = np.where(finished, 100.0, pct)
    remaining_budget = budget_i * (1.0 - pct / 100.0)
    det_cost = float(ac.sum() + remaining_budget.sum())

    rk = _risk_events(project, net.task_ids, finished) if risks else None
    es0, ef0 = forward_pass(net)
    det_days = float(net.project_length(ef0))

    # durations a + (b - a) q, q read from the table of standard quantiles by mode position
    span = (b - a)[vi]
    shape, shape_frac = _cpm.shape_position((m - a)[vi] / np.where(span > 0, span, 1.0))
    sens_n = min(iterations, max(int(sensitivity_sample), 0))
    no_risk = (np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int64))
    out = _cpm.simulate(
        _cpm.Kernel(net), iterations, seed, correlation, det, vi.astype(np.int64), shape, shape_frac,
        _cpm.quantile_table(distribution), a[vi] * scale[vi], span * scale[vi], remaining_budget,
        float(ac.sum() + remaining_budget[~varies].sum()), cost_follows_duration,
        no_risk if rk is None else (rk["prob"], rk["delay"], rk["cost"], rk["pos"].astype(np.int64)),
        criticality, CRITICAL_TOLERANCE, sens_n)
    finish, cost = out["finish"], out["cost"]
    crit = out["crit"].sum(axis=0).astype(float)
    crit[finished] = 0.0  # finished work cannot drive the remaining schedule
    dur_sum = out["dsum"].sum(axis=0)
    fired_count = out["fired"].sum(axis=0)
    sens = np.full(n, np.nan)
    if vi.size and sens_n > 2:
        sens[vi] = _cpm.spearman_rows(out["sens"], finish[:sens_n])
    origin = np.datetime64(net.origin, "D")
    dates = _date_of_days(project.calendar, origin, finish)
    table = pd.DataFrame({
        "task_id": net.task_ids.astype(str), "name": leaf["name"].to_numpy(), "wbs": leaf["wbs"].to_numpy(),
        "state": np.where(finished, "finished", np.where(started, "in progress", "not started")),
        "planned_days": planned, "deterministic_days": det, "mean_days": dur_sum / iterations,
        "criticality_index": crit / iterations if criticality else np.nan, "sensitivity": sens,
    })
    fired_df = None
    if rk is not None:
        fired_df = rk["frame"].assign(fired_share=fired_count / iterations)
    if target_date is None:
        target_date = project.deadline
        if target_date is None and len(project.baseline):
            target_date = project.baseline["baseline_finish"].max()
    if budget is None:
        budget = project.budget or (project.bac or None)
    return MonteCarloResult(
        project_id=project.project_id, iterations=iterations, seed=seed, distribution=distribution,
        finish_days=finish, finish_dates=dates.astype("datetime64[D]"), cost=cost, tasks=table,
        deterministic_finish_days=det_days,
        deterministic_finish_date=pd.Timestamp(_date_of_days(project.calendar, origin, det_days).item()),
        deterministic_cost=det_cost,
        target_date=None if target_date is None else pd.Timestamp(target_date),
        budget=None if budget is None else float(budget), risks_fired=fired_df)


def _status_for(project: Project, status_date, net) -> pd.Timestamp | None:
    if status_date is not None:
        return pd.Timestamp(status_date)
    if project.status_date is not None:
        return project.status_date
    dates = project.status_dates
    return dates[-1] if dates else None


def _task_budgets(project: Project, task_ids: np.ndarray) -> np.ndarray:
    """Baseline cost of each task, else its ``budget_cost``."""
    ids = pd.Index(task_ids.astype(str))
    budget = project.tasks.set_index(project.tasks["task_id"].astype(str))["budget_cost"].reindex(ids)
    out = budget.fillna(0.0).to_numpy(dtype=float)
    if len(project.baseline):
        bl = project.baseline.set_index(project.baseline["task_id"].astype(str))["baseline_cost"].reindex(ids)
        out = np.where(bl.notna(), bl.to_numpy(dtype=float, na_value=np.nan), out)
    return out


def _risk_events(project: Project, task_ids: np.ndarray, finished: np.ndarray) -> dict:
    """Open risks as arrays: probability, delay, cost, node position (-1: project level).

    Risks on finished tasks cannot occur any more and are left out.
    """
    r = project.risks
    r = r[r["status"].astype(str) != "closed"]
    pos = pd.Index(task_ids.astype(str)).get_indexer(pd.Index(r["task_id"].fillna("").astype(str)))
    has_task = r["task_id"].fillna("").astype(str).to_numpy() != ""
    unknown = has_task & (pos < 0)
    if unknown.any():
        raise PmkitError(f"project {project.project_id}, risk {r['risk_id'].iloc[np.argmax(unknown)]}: "
                         f"task {r['task_id'].iloc[np.argmax(unknown)]!r} is not a task of the network")
    live = ~(has_task & finished[np.maximum(pos, 0)])
    r = r[live]
    pos = pos[live]
    return {"prob": r["probability"].to_numpy(dtype=float), "delay": r["schedule_impact_days"].fillna(0.0)
            .to_numpy(dtype=float), "cost": r["cost_impact"].fillna(0.0).to_numpy(dtype=float), "pos": pos,
            "frame": r[["risk_id", "description", "task_id", "probability", "schedule_impact_days",
                        "cost_impact"]].reset_index(drop=True)}


__all__ = ["DISTRIBUTIONS", "MonteCarloResult", "sample_three_point", "simulate"]
