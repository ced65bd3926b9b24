"""Optimal project selection under budget, capacity and dependency rules.

Microsoft Project's portfolio analysis ranks projects by priority and, in its resource
constraint analysis, fills the portfolio greedily in that order. pmkit solves the
selection as a mixed-integer program and proves the optimum:

    maximize    sum_p sum_s v_ps y_ps                      (value of the chosen projects)
    subject to  sum_s y_ps = x_p <= 1                      (one start per chosen project)
                sum_ps cost_psy y_ps <= budget_y           (each budget year)
                sum_ps demand_psrm y_ps <= capacity_rm     (each role and month)
                x_A <= x_B                                 (A requires B)
                x_A + x_B <= 1                             (A excludes B)
                x_p = 1 / x_p = 0                          (forced in / out)
                y_ps in {0, 1}

``y_ps`` = 1 when project ``p`` is chosen and starts ``s`` months after its planned start
(``s = 0`` only, unless a start window is allowed). The program is solved by HiGHS through
:func:`scipy.optimize.milp` with relative gap 0, so "optimal" means proven optimal
(HiGHS also stops at an absolute gap of 1e-6). Multi-dimensional knapsack models of
this kind are the classic capital-budgeting formulation (Weingartner 1963, *Mathematical
Programming and the Analysis of Capital Budgeting Problems*; Lorie & Savage 1955).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ..data.network import gather_ranges
from ..errors import PmkitError
from .capacity import month_number, month_start, role_demand

try:  # the HiGHS binding scipy ships: incumbents and targets, which milp() does not expose
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - other scipy builds: milp() only
    _highs = None

#: Project states that are candidates for selection by default.
CANDIDATE_STATES = ("proposed", "active", "on_hold")

#: Built-in value measures (``objective=``).
OBJECTIVES = ("alignment", "npv", "score", "priority")

_TOL = 1e-6


class SelectionInfeasible(PmkitError, ValueError):
    """No selection satisfies the forced decisions, rules, budget and capacity."""


# ============================================================================ problem

@dataclass(frozen=True)
class _Problem:
    """Selection model in arrays: projects, variables (project x start shift), resource rows."""

    ids: np.ndarray
    names: np.ndarray
    programs: np.ndarray
    states: np.ndarray
    planned_start: np.ndarray
    value: np.ndarray
    priority: np.ndarray
    forced_in: np.ndarray
    forced_out: np.ndarray
    out_reason: np.ndarray          # why a project cannot be chosen ("" if it can)
    req_a: np.ndarray
    req_b: np.ndarray
    exc_a: np.ndarray
    exc_b: np.ndarray
    var_project: np.ndarray
    var_shift: np.ndarray
    var_value: np.ndarray
    var_cost: np.ndarray
    var_start: np.ndarray            # index of each project's first variable (length n + 1)
    row_kind: np.ndarray
    row_key: np.ndarray
    row_limit: np.ndarray
    usage: sp.csc_matrix             # rows x variables
    objective: str
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.ids)



def _base_vars(pb: _Problem) -> np.ndarray:
    """Each project's variable at its planned start (shift 0; its first one if 0 is not allowed)."""
    first = pb.var_start[:-1].copy()
    zero = np.flatnonzero(pb.var_shift == 0)
    # reversed assignment keeps the first shift-0 variable of each project
    first[pb.var_project[zero][::-1]] = zero[::-1]
    return first


def _values(portfolio, objective, ids: list[str]) -> tuple[np.ndarray, str]:
    """Value per candidate project for an objective name, a weights dict or a Series."""
    from .alignment import alignment
    from .financials import financials
    from .prioritization import weighted_scores

    def one(name: str) -> np.ndarray:
        if name == "alignment":
            a = alignment(portfolio)
            return a.set_index("project_id")["alignment_index"].reindex(ids).fillna(0.0).to_numpy()
        if name == "npv":
            f = financials(portfolio)
            return f.set_index("project_id")["npv"].reindex(ids).fillna(0.0).to_numpy()
        if name == "score":
            s = weighted_scores(portfolio)
            return s.set_index("project_id")["weighted_score"].reindex(ids).fillna(0.0).to_numpy()
        if name == "priority":
            p = portfolio.projects.set_index(portfolio.projects["project_id"].astype(str))["priority"]
            return p.reindex(ids).fillna(0.0).to_numpy(dtype=float)
        raise PmkitError(f"unknown objective {name!r}: use one of {', '.join(OBJECTIVES)}, "
                         "a dict of weights over them, or a Series of values by project_id")

    if isinstance(objective, str):
        return one(objective), objective
    if isinstance(objective, pd.Series):
        s = objective.copy()
        s.index = s.index.astype(str)
        return s.reindex(ids).fillna(0.0).to_numpy(dtype=float), str(objective.name or "value")
    if isinstance(objective, Mapping):
        total = np.zeros(len(ids))
        wsum = sum(float(w) for w in objective.values())
        if not wsum > 0:
            raise PmkitError("objective weights must sum to a positive number")
        for name, w in objective.items():
            v = one(str(name))
            span = v.max() - v.min() if v.size else 0.0
            # min-max to 0..1 so measures in money and in points can be mixed
            total += float(w) / wsum * ((v - v.min()) / span if span > 0 else np.ones_like(v))
        return total, "+".join(f"{w:g}*{k}" for k, w in objective.items())
    raise PmkitError(f"objective must be a name, a dict or a Series, not {type(objective).__name__}")


def _budget_year(month: np.ndarray, fiscal_start: int) -> np.ndarray:
    """Budget year (the calendar year it starts in) of each month number."""
    year, m0 = np.divmod(month, 12)
    return year - (m0 + 1 < fiscal_start)


def _closure(n: int, a: np.ndarray, b: np.ndarray) -> list[list[int]]:
    """Projects each project requires, directly or through others (depth-first)."""
    succ: dict[int, list[int]] = {}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        succ.setdefault(x, []).append(y)
    out: list[list[int]] = [[] for _ in range(n)]
    for start in succ:
        seen, stack = {start}, list(succ[start])
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            stack.extend(succ.get(v, ()))
        out[start] = sorted(seen - {start})
    return out


def _as_of_month(portfolio, as_of) -> int | None:
    """Month number from which budgets and capacity bind (None: every month)."""
    if as_of is None:
        return None
    if isinstance(as_of, str) and as_of == "auto":
        dates = portfolio.projects["status_date"].dropna()
        if not len(dates):
            return None
        as_of = dates.max()
    try:
        stamp = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise PmkitError(f"as_of: {as_of!r} is not a date") from None
    return int(month_number(pd.DatetimeIndex([stamp]))[0])


def _build(portfolio, budget, objective, capacity: bool, relations: bool, force_in, force_out,
           shift_months, states, as_of="auto") -> _Problem:
    p = portfolio.projects
    cut = _as_of_month(portfolio, as_of)
    all_ids = p["project_id"].astype(str).to_numpy()
    cand = p["state"].isin(states).to_numpy()
    ids = all_ids[cand]
    n = len(ids)
    if n == 0:
        raise PmkitError(f"no candidate projects: none is in state {', '.join(states)}")
    idx = pd.Index(ids)
    notes: list[str] = []
    value, obj_name = _values(portfolio, objective, list(ids))
    force_in = [str(x) for x in ([force_in] if isinstance(force_in, str) else force_in or [])]
    force_out = [str(x) for x in ([force_out] if isinstance(force_out, str) else force_out or [])]
    if both_args := sorted(set(force_in) & set(force_out)):
        raise SelectionInfeasible(f"{', '.join(both_args)} is both forced in and forced out")
    forced = p["forced"].astype(str).to_numpy()[cand]
    f_in, f_out = forced == "in", forced == "out"
    for label, extra, arr in (("force_in", force_in, f_in), ("force_out", force_out, f_out)):
        pos = idx.get_indexer(extra)
        if (pos < 0).any():
            bad = [e for e, q in zip(extra, pos, strict=True) if q < 0]
            raise PmkitError(f"{label}: {', '.join(bad)} is not a candidate project (unknown, or not in "
                             f"state {', '.join(states)})")
        arr[pos] = True
    both = f_in & f_out
    if both.any():
        # an argument overrides the table: force_in=[X] beats forced=out in projects.csv and vice versa
        for k in np.flatnonzero(both):
            if ids[k] in force_in:
                f_out[k] = False
            else:
                f_in[k] = False
    out_reason = np.full(n, "", dtype=object)
    # relations
    req_a = req_b = exc_a = exc_b = np.empty(0, dtype=np.int64)
    rel = portfolio.relations if relations else portfolio.relations.iloc[0:0]
    if len(rel):
        state_of = dict(zip(all_ids, p["state"].astype(str), strict=True))
        ra, rb = rel["project_id"].astype(str).to_numpy(), rel["other_project_id"].astype(str).to_numpy()
        kind = rel["relation"].astype(str).to_numpy()
        ia, ib = idx.get_indexer(ra), idx.get_indexer(rb)
        # A requires a closed project: already delivered, satisfied. Requires a cancelled
        # (or otherwise non-candidate) project: A cannot be done.
        for k in np.flatnonzero((kind == "requires") & (ia >= 0) & (ib < 0)):
            if state_of.get(rb[k]) != "closed":
                out_reason[ia[k]] = f"requires {rb[k]} ({state_of.get(rb[k], 'unknown')})"
        ok = (ia >= 0) & (ib >= 0)
        req = ok & (kind == "requires")
        exc = ok & (kind == "excludes")
        req_a, req_b, exc_a, exc_b = ia[req], ib[req], ia[exc], ib[exc]
    # start shifts: only projects not started yet may move
    lo, hi = (0, int(shift_months)) if np.isscalar(shift_months) else map(int, shift_months)
    if lo > hi:
        raise PmkitError(f"shift_months: the window ({lo}, {hi}) is empty")
    movable = p["state"].astype(str).to_numpy()[cand] == "proposed"
    nshift = np.where(movable, hi - lo + 1, 1)
    var_start = np.r_[0, np.cumsum(nshift)]
    var_project = np.repeat(np.arange(n), nshift)
    var_shift = np.where(movable[var_project], lo + (np.arange(var_project.size) - var_start[var_project]), 0)
    if not (lo <= 0 <= hi):
        notes.append("the start window excludes the planned start; projects not yet proposed stay at theirs")
    var_value = value[var_project].astype(float)
    if obj_name == "npv":  # delaying every cash flow by s months scales its present value
        var_value = var_value * (1.0 + portfolio.discount_rate) ** (-var_shift / 12.0)
    planned = p["start_date"].to_numpy()[cand]
    # money per project and month (cash-flow costs; the budget in the start month without them)
    cf = portfolio.cash_flows
    cf = cf[cf["project_id"].astype(str).isin(ids) & (cf["cost"] > 0)]
    c_proj = idx.get_indexer(cf["project_id"].astype(str))
    c_month = month_number(cf["period_start"])
    c_amt = cf["cost"].to_numpy(dtype=float)
    no_cf = np.ones(n, bool)
    no_cf[c_proj] = False
    if no_cf.any():
        c_proj = np.r_[c_proj, np.flatnonzero(no_cf)]
        c_month = np.r_[c_month, month_number(planned[no_cf])]
        c_amt = np.r_[c_amt, p["budget"].to_numpy(dtype=float)[cand][no_cf]]
    rows_kind, rows_key, rows_limit, entries = [], [], [], []

    def expand(t_proj: np.ndarray, t_month: np.ndarray, t_amt: np.ndarray):
        """Entries of every (project, month, amount) for every start shift of its project."""
        cnt = nshift[t_proj]
        t = np.repeat(np.arange(t_proj.size), cnt)
        v = gather_ranges(var_start, t_proj)
        return v, t_month[t] + var_shift[v], t_amt[t], t

    v, mon, amt, _ = expand(c_proj, c_month, c_amt)
    if cut is not None:
        # a decision taken now cannot change money already spent: only months from as_of
        # bind, and a project's cost is what it still costs from as_of on
        future = mon >= cut
        v, mon, amt = v[future], mon[future], amt[future]
    var_cost = np.bincount(v, weights=amt, minlength=var_project.size)
    fiscal = int(portfolio.portfolio["fiscal_year_start_month"].iloc[0]) if len(portfolio.portfolio) else 1
    if budget is None and len(portfolio.budgets):
        budget = dict(zip(portfolio.budgets["year"].astype(int), portfolio.budgets["budget"].astype(float),
                          strict=True))
    if isinstance(budget, pd.Series):
        budget = budget.to_dict()
    if isinstance(budget, Mapping):
        years = np.array(sorted(int(y) for y in budget))
        limits = {y: float(budget[y]) for y in years}
        if cut is not None:
            # past budget years are closed; the current one keeps what is not yet spent
            cut_year = int(_budget_year(np.array([cut]), fiscal)[0])
            years = years[years >= cut_year]
            all_cf = portfolio.cash_flows
            m_all = month_number(all_cf["period_start"])
            spent = float(all_cf["cost"].to_numpy(dtype=float)[(m_all < cut) & (_budget_year(m_all, fiscal) == cut_year)].sum())
            if cut_year in limits:
                limits[cut_year] = max(limits[cut_year] - spent, 0.0)
                notes.append(f"budget {cut_year}: {spent:,.0f} already spent before {month_start([cut])[0]:%Y-%m}; "
                             f"{limits[cut_year]:,.0f} left")
        row_of_year = pd.Index(years).get_indexer(_budget_year(mon, fiscal))
        keep = row_of_year >= 0
        entries.append((row_of_year[keep], v[keep], amt[keep]))
        rows_kind += ["budget"] * len(years)
        rows_key += [f"budget {y}" for y in years]
        rows_limit += [limits[y] for y in years]
        outside = amt[~keep & (var_shift[v] == 0)].sum()
        if outside > 0:
            notes.append(f"{outside:,.0f} of candidate cost falls in years without a budget row "
                         f"({years.min()}-{years.max()} budgeted) and is not limited")
    elif budget is not None and np.isfinite(float(budget)):
        entries.append((np.zeros(v.size, dtype=np.int64), v, amt))
        rows_kind.append("budget")
        rows_key.append("budget total")
        rows_limit.append(float(budget))
    # capacity per role and month
    if capacity and len(portfolio.capacity):
        cap = portfolio.capacity.groupby([portfolio.capacity["role_id"].astype(str),
                                          month_number(portfolio.capacity["month"])])["capacity_days"].sum()
        if cut is not None:  # past months' work is done; only months from as_of bind
            cap = cap[cap.index.get_level_values(1) >= cut]
        cells = cap.index
        dem = role_demand(portfolio, list(ids))
        if dem.attrs.get("undated"):
            notes.append("no task dates (baseline or schedule) for " + ", ".join(dem.attrs["undated"][:10])
                         + ": their resource demand is not counted")
        d_proj = idx.get_indexer(dem["project_id"])
        v, mon, amt, t = expand(d_proj, month_number(dem["month"]), dem["demand_days"].to_numpy(dtype=float))
        cell = cells.get_indexer(pd.MultiIndex.from_arrays([dem["role_id"].to_numpy()[t], mon]))
        keep = cell >= 0
        base = len(rows_kind)
        entries.append((base + cell[keep], v[keep], amt[keep]))
        rows_kind += ["capacity"] * len(cells)
        rows_key += [f"{r} {month_start([m])[0]:%Y-%m}" for r, m in cells]
        rows_limit += cap.to_numpy(dtype=float).tolist()
    m = len(rows_kind)
    if entries:
        r = np.concatenate([e[0] for e in entries])
        c = np.concatenate([e[1] for e in entries])
        d = np.concatenate([e[2] for e in entries])
        usage = sp.csc_matrix((d, (r, c)), shape=(m, var_project.size))
    else:
        usage = sp.csc_matrix((0, var_project.size))
    prio = p["priority"].to_numpy(dtype=float)[cand]
    return _Problem(
        ids=ids, names=p["name"].to_numpy()[cand], programs=p["program_id"].to_numpy()[cand],
        states=p["state"].to_numpy()[cand], planned_start=planned, value=value, priority=prio,
        forced_in=f_in, forced_out=f_out, out_reason=out_reason,
        req_a=req_a, req_b=req_b, exc_a=exc_a, exc_b=exc_b, var_project=var_project, var_shift=var_shift,
        var_value=var_value, var_cost=var_cost, var_start=var_start, row_kind=np.array(rows_kind, dtype=object),
        row_key=np.array(rows_key, dtype=object), row_limit=np.array(rows_limit, dtype=float), usage=usage,
        objective=obj_name, notes=tuple(notes))


# ============================================================================ checks

def _contradiction(pb: _Problem, a: int, required: list[int], excl: set) -> str | None:
    """Message when ``a`` together with what it requires holds a pair that excludes each other."""
    ids = pb.ids
    direct = set(pb.req_b[pb.req_a == a].tolist())
    group = [a, *required]

    def via(q: int) -> str:
        if q == a:
            return ""
        return f"{ids[a]} requires {ids[q]}" + ("" if q in direct else " (through other requirements)")

    for i, x in enumerate(group):
        for y in group[i + 1:]:
            if (x, y) in excl:
                rules = [r for r in (via(x), via(y)) if r] + [f"{ids[x]} excludes {ids[y]}"]
                return f"{ids[a]} can never be selected: " + "; ".join(rules)
    return None


def _check(pb: _Problem) -> None:
    """Raise :class:`SelectionInfeasible` naming the rules that cannot all hold."""
    ids = pb.ids
    clos = _closure(pb.n, pb.req_a, pb.req_b)
    excl = {(int(a), int(b)) for a, b in zip(pb.exc_a, pb.exc_b, strict=True)}
    excl |= {(b, a) for a, b in excl}
    problems = [m for a in range(pb.n) if clos[a] and (m := _contradiction(pb, a, clos[a], excl))]
    if problems:
        raise SelectionInfeasible("contradictory project relations:\n  - " + "\n  - ".join(problems[:20]))
    fin = np.flatnonzero(pb.forced_in)
    need = set(fin.tolist())
    for a in fin:
        for q in clos[a]:
            need.add(q)
            if pb.forced_out[q]:
                raise SelectionInfeasible(f"{ids[a]} is forced in and requires {ids[q]}, which is forced out")
            if pb.out_reason[q]:
                raise SelectionInfeasible(f"{ids[a]} is forced in and requires {ids[q]}, which cannot be "
                                          f"selected: {pb.out_reason[q]}")
        if pb.out_reason[a]:
            raise SelectionInfeasible(f"{ids[a]} is forced in but cannot be selected: {pb.out_reason[a]}")
    for x, y in excl:
        if x < y and x in need and y in need:
            why = lambda q: "forced in" if pb.forced_in[q] else "required by a forced-in project"  # noqa: E731
            raise SelectionInfeasible(f"{ids[x]} ({why(x)}) and {ids[y]} ({why(y)}) exclude each other")
    if len(pb.row_limit) and need and (pb.var_start[1:] - pb.var_start[:-1] == 1).all():
        # every start is fixed: the forced set alone must fit
        cols = pb.var_start[np.array(sorted(need))]
        used = np.asarray(pb.usage[:, cols].sum(axis=1)).ravel()
        over = np.flatnonzero(used > pb.row_limit + _TOL * np.maximum(1.0, np.abs(pb.row_limit)))
        if over.size:
            lines = []
            for r in over[:10]:
                contrib = pb.usage[r, cols].toarray().ravel()
                top = np.argsort(-contrib)[:5]
                who = ", ".join(f"{ids[sorted(need)[k]]} {contrib[k]:,.0f}" for k in top if contrib[k] > 0)
                unit = "" if pb.row_kind[r] == "budget" else " person-days"
                lines.append(f"{pb.row_key[r]}: limit {pb.row_limit[r]:,.2f}{unit}, forced-in projects (and what "
                             f"they require) need {used[r]:,.2f} ({who})")
            raise SelectionInfeasible("the forced-in projects do not fit:\n  - " + "\n  - ".join(lines))


# ============================================================================ solving

@dataclass(frozen=True)
class _Solution:
    status: str
    message: str
    y: np.ndarray | None
    value: float
    bound: float
    gap: float
    seconds: float


def _solve_milp(c, A, row_hi, lb, ub, time_limit: float) -> tuple[str, str, np.ndarray | None, float, float]:
    """scipy's public :func:`~scipy.optimize.milp` (no incumbent, no target): the fallback path."""
    cons = [LinearConstraint(A, -np.inf, row_hi)] if A.shape[0] else []
    res = milp(c, integrality=np.ones(c.size), bounds=Bounds(lb, ub), constraints=cons,
               options={"time_limit": float(time_limit), "mip_rel_gap": 0.0, "disp": False})
    status = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded"}.get(res.status, "error")
    bound = -float(getattr(res, "mip_dual_bound", np.nan) or np.nan)
    gap = getattr(res, "mip_gap", None)
    return status, str(res.message), res.x, bound, float(np.nan if gap is None else gap)


class _Mip:
    """The selection MILP, built once; between solves only the row limits (budget levels) change.

    Rows: the resource rows of the problem (budget years, role-months), each scaled by its
    largest coefficient so money (1e7) and person-days (1e1) rows have the same magnitude,
    which keeps HiGHS's LP numerics well conditioned and does not depend on the limit;
    then one start per project, requires, excludes. HiGHS is driven through the binding
    scipy ships (``scipy.optimize._highspy``) so that a known feasible selection can be
    handed over as incumbent and a known upper bound as target; when that binding is
    missing (another scipy) :func:`scipy.optimize.milp` solves the same model.
    """

    def __init__(self, pb: _Problem, fix_in: int | None = None):
        nv = pb.var_project.size
        x_of = sp.csr_matrix((np.ones(nv), (pb.var_project, np.arange(nv))), shape=(pb.n, nv))
        self.lb, self.ub = np.zeros(nv), np.ones(nv)
        out = pb.forced_out | (pb.out_reason != "")
        self.ub[out[pb.var_project]] = 0.0
        f_in = pb.forced_in.copy()
        if fix_in is not None:
            f_in[fix_in] = True
            self.ub[pb.var_project == fix_in] = 1.0
        single_in = f_in & (np.diff(pb.var_start) == 1)
        self.lb[pb.var_start[:-1][single_in]] = 1.0
        self.m = len(pb.row_limit)
        peak = np.asarray(abs(pb.usage).max(axis=1).todense()).ravel() if self.m else np.zeros(0)
        self.scale = 1.0 / np.where(peak > 0, peak, 1.0)
        multi = np.flatnonzero(np.diff(pb.var_start) > 1)
        blocks = [sp.diags(self.scale) @ pb.usage, -x_of[multi], x_of[multi],
                  x_of[pb.req_a] - x_of[pb.req_b], x_of[pb.exc_a] + x_of[pb.exc_b]]
        self.A = sp.vstack(blocks).tocsc()
        self.hi = np.r_[pb.row_limit * self.scale, -f_in[multi].astype(float), np.ones(multi.size),
                        np.zeros(pb.req_a.size), np.ones(pb.exc_a.size)]
        self.c = -pb.var_value.astype(float)
        self.highs = None
        if _highs is not None:
            try:
                self.highs = self._load()
            except Exception:  # noqa: BLE001 - a private binding that changed: use the public path
                self.highs = None

    def _load(self):
        nv, nr = self.c.size, self.A.shape[0]
        lp = _highs.HighsLp()
        lp.num_col_, lp.num_row_ = nv, nr
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = nv, nr
        lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = self.c, self.lb, self.ub
        lp.row_lower_, lp.row_upper_ = np.full(nr, -np.inf), np.where(np.isfinite(self.hi), self.hi, np.inf)
        lp.a_matrix_.start_, lp.a_matrix_.index_ = self.A.indptr, self.A.indices
        lp.a_matrix_.value_ = self.A.data
        lp.integrality_ = [_highs.HighsVarType.kInteger] * nv
        h = _highs._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        if h.passModel(lp) == _highs.HighsStatus.kError:
            raise RuntimeError("HiGHS rejected the model")
        return h

    def set_limits(self, row_limit: np.ndarray) -> None:
        """New limits of the resource rows (e.g. another budget level)."""
        hi = row_limit * self.scale
        for r in np.flatnonzero(hi != self.hi[:self.m]):
            if self.highs is not None:
                self.highs.changeRowBounds(int(r), -np.inf, float(hi[r]) if np.isfinite(hi[r]) else np.inf)
        self.hi[:self.m] = hi

    def run(self, pb: _Problem, time_limit: float, incumbent: np.ndarray | None = None,
            upper: float | None = None) -> _Solution:
        """Solve. ``incumbent``: a feasible ``y`` to start from. ``upper``: a proven upper bound
        on the value (the optimum of a relaxation); a selection reaching it (within HiGHS's
        absolute gap 1e-6) is optimal, so the search stops there."""
        t0 = time.perf_counter()
        if self.highs is None:
            status, msg, x, bound, gap = _solve_milp(self.c, self.A, self.hi, self.lb, self.ub, time_limit)
        else:
            h = self.highs
            h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
            h.setOptionValue("objective_target", -upper + 1e-6 if upper is not None else -np.inf)
            if incumbent is not None:
                s = _highs.HighsSolution()
                s.col_value = incumbent.astype(float).tolist()
                s.value_valid = True
                h.setSolution(s)
            h.run()
            ms, info = h.getModelStatus(), h.getInfo()
            MS = _highs.HighsModelStatus
            has_x = info.objective_function_value < _highs.kHighsInf and ms in (
                MS.kOptimal, MS.kObjectiveTarget, MS.kTimeLimit, MS.kIterationLimit, MS.kSolutionLimit)
            x = np.asarray(h.getSolution().col_value) if has_x else None
            status = {MS.kOptimal: "optimal", MS.kObjectiveTarget: "optimal", MS.kTimeLimit: "time limit",
                      MS.kInfeasible: "infeasible", MS.kUnbounded: "unbounded"}.get(ms, "error")
            msg = h.modelStatusToString(ms)
            if ms == MS.kObjectiveTarget:
                msg, bound, gap = f"reached the proven upper bound {upper:,.6g}", float(upper), 0.0
            else:
                bound, gap = -float(info.mip_dual_bound), float(info.mip_gap)
            if status == "time limit" and x is None:
                status = "time limit (no selection found)"
        secs = time.perf_counter() - t0
        y = None if x is None else np.round(x).astype(bool)
        value = float(pb.var_value[y].sum()) if y is not None else float("nan")
        if status == "optimal":
            gap = 0.0 if not np.isfinite(gap) else gap
        elif y is not None and upper is not None and not bound <= upper:
            # the known bound is tighter than the one this search proved: report the tighter gap
            bound = float(upper)
            gap = (bound - value) / abs(bound) if bound else float("nan")
        return _Solution(status, msg, y, value, bound, gap, secs)


def _solve(pb: _Problem, time_limit: float, fix_in: int | None = None) -> _Solution:
    return _Mip(pb, fix_in).run(pb, time_limit)


def _prune(pb: _Problem, y: np.ndarray) -> np.ndarray:
    """Drop chosen projects that add no value and that nothing needs (ties in the optimum)."""
    x = np.bincount(pb.var_project[y], minlength=pb.n) > 0
    needed = np.zeros(pb.n, bool)
    needed[pb.req_b[x[pb.req_a]]] = True
    drop = x & (pb.value <= 0) & ~pb.forced_in & ~needed
    if drop.any():
        y = y & ~drop[pb.var_project]
    return y


# ============================================================================ results

@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`select`.

    Attributes
    ----------
    method : str
        ``"milp"`` (optimal) or ``"greedy"`` (priority order, as Microsoft Project).
    status : str
        ``optimal``, ``time limit`` (best found; see ``gap``), ``infeasible``, or ``greedy``.
    value : float
        Total value of the chosen projects (of ``objective``).
    bound : float
        Best proven upper bound on the value (equals ``value`` when optimal).
    gap : float
        Relative gap ``(bound - value) / |bound|`` reported by the solver.
    projects : DataFrame
        One row per candidate: ``project_id, name, program_id, state, selected, forced,
        value, cost, start_shift_months, planned_start, start, priority, reason,
        value_lost_if_forced``. ``reason`` says what kept a project out;
        ``value_lost_if_forced`` is the optimum minus the best value of a portfolio that
        includes it (from a re-solve; NaN when not computed).
    constraints : DataFrame
        One row per budget year / role-month: ``kind, key, limit, used, slack,
        utilization, binding`` (no slack left) and ``blocking`` (how many left-out projects
        would overrun it if added at their planned start).
    """

    method: str
    objective: str
    status: str
    message: str
    value: float
    bound: float
    gap: float
    solve_seconds: float
    projects: pd.DataFrame
    constraints: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    @property
    def selected_ids(self) -> list[str]:
        return self.projects.loc[self.projects["selected"], "project_id"].tolist()

    @property
    def cost(self) -> float:
        return float(self.projects.loc[self.projects["selected"], "cost"].sum())

    @property
    def binding(self) -> pd.DataFrame:
        """Constraints with no slack or that keep at least one project out."""
        c = self.constraints
        return c[c["binding"] | (c["blocking"] > 0)]

    def summary(self) -> pd.DataFrame:
        """One row: method, status, value, bound, gap, projects chosen, cost, seconds."""
        return pd.DataFrame([{
            "method": self.method, "objective": self.objective, "status": self.status, "value": self.value,
            "bound": self.bound, "gap": self.gap, "selected": len(self.selected_ids),
            "candidates": len(self.projects), "cost": self.cost, "solve_seconds": self.solve_seconds,
        }])

    def __repr__(self) -> str:
        return (f"Selection({self.method}, {self.status}: {len(self.selected_ids)} of {len(self.projects)} projects, "
                f"{self.objective} = {self.value:,.4g}, cost {self.cost:,.0f})")

    def _repr_html_(self) -> str:
        from .._display import summary_html

        cols = [c for c in ("project_id", "name", "state", "selected", "value", "cost", "reason")
                if c in self.projects.columns]
        return summary_html(f"Selection ({self.method}, {self.status})", [
            ("selected", f"{len(self.selected_ids)} of {len(self.projects)}"), (self.objective, self.value),
            ("cost", self.cost), ("gap", self.gap)],
            self.projects[cols].sort_values("selected", ascending=False, kind="stable"), max_rows=12)


def _constraint_table(pb: _Problem, y: np.ndarray, x: np.ndarray, over: np.ndarray | None) -> pd.DataFrame:
    used = pb.usage @ y.astype(float) if len(pb.row_limit) else np.zeros(0)
    slack = pb.row_limit - used
    tol = _TOL * np.maximum(1.0, np.abs(pb.row_limit))
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(pb.row_limit > 0, used / pb.row_limit, np.nan)
    return pd.DataFrame({
        "kind": pb.row_kind, "key": pb.row_key, "limit": pb.row_limit, "used": used, "slack": slack,
        "utilization": util, "binding": slack <= tol,
        "blocking": over.sum(axis=1) if over is not None and over.size else np.zeros(len(pb.row_limit), int),
    })


def _explain(pb: _Problem, y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reason per project left out, and the rows x projects matrix of overruns."""
    ids = pb.ids
    reason = np.full(pb.n, "", dtype=object)
    used = pb.usage @ y.astype(float) if len(pb.row_limit) else np.zeros(0)
    room = pb.row_limit - used
    base = _base_vars(pb)
    clos = _closure(pb.n, pb.req_a, pb.req_b)
    left = np.flatnonzero(~x)
    over = np.zeros((len(pb.row_limit), pb.n), bool)
    add = pb.usage[:, base].toarray() if len(pb.row_limit) else np.zeros((0, pb.n))
    for a in left:
        extra = [q for q in clos[a] if not x[q]]
        if extra:
            add[:, a] += np.asarray(pb.usage[:, base[extra]].sum(axis=1)).ravel()
    short = add - room[:, None]
    over[:, left] = short[:, left] > _TOL * np.maximum(1.0, np.abs(pb.row_limit))[:, None]
    selected = set(np.flatnonzero(x).tolist())
    for a in left:
        parts = []
        if pb.forced_out[a]:
            reason[a] = "forced out"
            continue
        if pb.out_reason[a]:
            reason[a] = pb.out_reason[a]
            continue
        blockers = [int(b) for b in pb.exc_b[pb.exc_a == a]] + [int(b) for b in pb.exc_a[pb.exc_b == a]]
        blockers += [int(b) for q in clos[a] for b in [*pb.exc_b[pb.exc_a == q], *pb.exc_a[pb.exc_b == q]]]
        hit = sorted({b for b in blockers if b in selected})
        if hit:
            parts.append("excludes " + ", ".join(ids[hit]) + " (selected)")
        bad_req = [q for q in clos[a] if pb.forced_out[q] or pb.out_reason[q]]
        if bad_req:
            parts.append("requires " + ", ".join(ids[bad_req]) + " (cannot be selected)")
        if pb.value[a] <= 0 and not parts:
            parts.append("no value (value <= 0)")
        rows = np.flatnonzero(over[:, a])
        if rows.size:
            rel = short[rows, a] / np.maximum(np.abs(pb.row_limit[rows]), 1.0)
            top = rows[np.argsort(-rel)][:3]
            need = [q for q in clos[a] if not x[q]]
            with_req = f" (with required {', '.join(ids[need])})" if need else ""
            txt = "; ".join(f"{pb.row_key[r]} short by {short[r, a]:,.1f}" for r in top)
            more = f" (+{rows.size - 3} more)" if rows.size > 3 else ""
            parts.append(f"adding it{with_req} at its planned start exceeds {txt}{more}")
        reason[a] = "; ".join(parts) if parts else "fits, but a better combination uses the room"
    return reason, over


def _result(pb: _Problem, sol: _Solution, method: str, explain_lost: dict[int, float] | None = None) -> Selection:
    if sol.y is None:
        raise SelectionInfeasible(f"the solver found no feasible selection ({sol.status}: {sol.message})")
    y = sol.y
    x = np.bincount(pb.var_project[y], minlength=pb.n) > 0
    chosen_var = np.full(pb.n, -1)
    chosen_var[pb.var_project[y]] = np.flatnonzero(y)
    shift = np.where(x, pb.var_shift[np.maximum(chosen_var, 0)], 0)
    base_cost = pb.var_cost[pb.var_start[:-1]]
    reason, over = _explain(pb, y, x)
    planned = pd.to_datetime(pb.planned_start)
    start = pd.DatetimeIndex([d + pd.DateOffset(months=int(s)) if pd.notna(d) else d
                              for d, s in zip(planned, shift, strict=True)])
    lost = np.full(pb.n, np.nan)
    for k, v in (explain_lost or {}).items():
        lost[k] = v
    forced = np.where(pb.forced_in, "in", np.where(pb.forced_out, "out", ""))
    projects = pd.DataFrame({
        "project_id": pb.ids, "name": pb.names, "program_id": pb.programs, "state": pb.states,
        "selected": x, "forced": forced, "value": np.where(x, pb.var_value[np.maximum(chosen_var, 0)], pb.value),
        "cost": np.where(x, pb.var_cost[np.maximum(chosen_var, 0)], base_cost), "start_shift_months": shift,
        "planned_start": planned, "start": start, "priority": pb.priority, "reason": reason,
        "value_lost_if_forced": lost,
    })
    projects = projects.sort_values(["selected", "value"], ascending=[False, False], kind="stable")
    return Selection(method=method, objective=pb.objective, status=sol.status, message=sol.message,
                     value=float(pb.var_value[y].sum()), bound=sol.bound, gap=sol.gap, solve_seconds=sol.seconds,
                     projects=projects.reset_index(drop=True), constraints=_constraint_table(pb, y, x, over),
                     notes=pb.notes)


def _greedy(pb: _Problem) -> _Solution:
    """Priority order: take each project (with what it requires) if everything still fits."""
    t0 = time.perf_counter()
    base = _base_vars(pb)
    use = pb.usage[:, base].toarray() if len(pb.row_limit) else np.zeros((0, pb.n))
    room = pb.row_limit.copy()
    tol = _TOL * np.maximum(1.0, np.abs(pb.row_limit))
    clos = _closure(pb.n, pb.req_a, pb.req_b)
    excl: dict[int, set[int]] = {}
    for a, b in zip(pb.exc_a.tolist(), pb.exc_b.tolist(), strict=True):
        excl.setdefault(a, set()).add(b)
        excl.setdefault(b, set()).add(a)
    blocked = pb.forced_out | (pb.out_reason != "")
    prio = np.where(np.isnan(pb.priority), -np.inf, pb.priority)
    key = prio if np.isfinite(prio).any() else pb.value
    order = np.lexsort((pb.ids, -pb.value, -key))
    order = np.r_[np.flatnonzero(pb.forced_in), order[~pb.forced_in[order]]]
    x = np.zeros(pb.n, bool)
    for a in order:
        if x[a] or blocked[a]:
            continue
        group = [q for q in [a, *clos[a]] if not x[q]]
        if any(blocked[q] for q in group):
            continue
        chosen = set(np.flatnonzero(x).tolist()) | set(group)
        if any(excl.get(q, set()) & chosen for q in group):
            continue
        need = use[:, group].sum(axis=1)
        if pb.forced_in[a] or np.all(need <= room + tol):
            x[group] = True
            room -= need
    y = np.zeros(pb.var_project.size, bool)
    y[base[x]] = True
    return _Solution("greedy", "priority order (resource constraint analysis of Microsoft Project)", y,
                     float(pb.var_value[y].sum()), float("nan"), float("nan"), time.perf_counter() - t0)


def select(portfolio, budget=None, objective="alignment", *, capacity: bool = True, relations: bool = True,
           force_in: Iterable[str] | str = (), force_out: Iterable[str] | str = (), shift_months=0,
           states: tuple[str, ...] = CANDIDATE_STATES, method: str = "milp", time_limit: float = 60.0,
           explain="auto", as_of="auto") -> Selection:
    """Choose the projects that maximize value under budget, capacity and rules.

    Parameters
    ----------
    portfolio : Portfolio
    budget : None, float or mapping year -> amount
        None: the ``budgets`` table (per budget year; years without a row are not
        limited), or no limit without that table. A number: one total budget for all
        cost of the chosen projects. A mapping (or Series): budget per year. A project's
        cost per year comes from its ``cash_flows`` (its ``budget`` in its start month when
        it has none); the year of a month follows ``portfolio.fiscal_year_start_month``.
    objective : str, dict or Series
        ``"alignment"`` (weighted alignment index), ``"npv"``, ``"score"`` (weighted
        criteria score), ``"priority"``; a dict of weights over these (each measure
        min-max normalized to 0-1 first); or a Series of values by project_id.
    capacity : bool
        Limit demand per role and month to the ``capacity`` table (role-months absent from
        it are not limited). Demand: see :func:`pmkit.portfolio.capacity.role_demand`.
    relations : bool
        Apply the ``relations`` table (A requires B: ``x_A <= x_B``; A excludes B:
        ``x_A + x_B <= 1``). Requiring a closed project is satisfied; requiring a
        cancelled one rules A out.
    force_in, force_out : project ids
        Added to the ``forced`` column of ``projects`` (and override it).
    shift_months : int or (int, int)
        Start window of projects not yet started (state ``proposed``): ``3`` lets each
        start up to 3 months late, ``(-2, 4)`` from 2 months early to 4 late. Cost and
        demand move with the start; an NPV objective is discounted for the delay.
    states : tuple of str
        Project states that are candidates; other projects are left out entirely.
    method : {"milp", "greedy"}
        ``milp``: exact optimum (HiGHS, relative gap 0). ``greedy``: Microsoft Project's
        resource constraint analysis: priority order (``priority`` column, else value),
        each project taken if it and what it requires still fit.
    time_limit : float
        Seconds for the solver; on time-out the best selection found is returned with
        ``status="time limit"`` and the gap to the proven bound.
    explain : "auto", bool or int
        Re-solve with each left-out project forced in to report ``value_lost_if_forced``:
        True for all, an int for the N most valuable, "auto" when at most 25 are left out.
    as_of : date, "auto" or None
        Decisions look forward: budgets and capacity bind only from the month of
        ``as_of``; money spent and work done before it are sunk, and a project's
        ``cost`` is what it still costs from then on. ``"auto"``: the
        portfolio's latest project status date (every month when there is none);
        None: every month.

    Returns
    -------
    Selection

    Raises
    ------
    SelectionInfeasible
        Contradictory rules (A requires B and A excludes B, also through chains of
        requirements), forced-in projects that require forced-out ones or exclude each
        other, or forced-in projects that alone exceed a budget year or a role-month; the
        message names the rules, projects, years and roles involved.

    Examples
    --------
    >>> import pmkit
    >>> pf = pmkit.synth.portfolio(10, 8, seed=4)
    >>> sel = pmkit.select(pf, objective="npv")
    >>> sel.status
    'optimal'
    >>> greedy = pmkit.select(pf, objective="npv", method="greedy")
    >>> bool(sel.value >= greedy.value - 1e-6)
    True
    """
    if method not in ("milp", "greedy"):
        raise PmkitError(f"unknown method {method!r}: use 'milp' or 'greedy'")
    pb = _build(portfolio, budget, objective, capacity, relations, force_in, force_out, shift_months, states,
                as_of)
    _check(pb)
    if method == "greedy":
        return _result(pb, _greedy(pb), "greedy")
    sol = _solve(pb, time_limit)
    if sol.status == "infeasible":
        raise SelectionInfeasible("no selection satisfies the forced-in projects within budget and capacity at any "
                                  "allowed start; force fewer projects in or widen shift_months")
    if sol.y is not None:
        sol = replace(sol, y=_prune(pb, sol.y))
    lost = {}
    if sol.y is not None and explain:
        x = np.bincount(pb.var_project[sol.y], minlength=pb.n) > 0
        cand = np.flatnonzero(~x & ~pb.forced_out & (pb.out_reason == "") & (pb.value > 0))
        cand = cand[np.argsort(-pb.value[cand], kind="stable")]
        limit = (len(cand) if explain is True else 25 if explain == "auto" else int(explain))
        if explain != "auto" or len(cand) <= limit:
            for k in cand[:limit]:
                s = _solve(pb, time_limit, fix_in=int(k))
                lost[int(k)] = sol.value - s.value if s.y is not None else np.inf
    return _result(pb, sol, "milp", lost)


def greedy(portfolio, budget=None, objective="alignment", **kwargs) -> Selection:
    """Microsoft Project's priority-order selection; see :func:`select` with ``method="greedy"``."""
    return select(portfolio, budget, objective, method="greedy", **kwargs)


# ============================================================================ frontier, scenarios

def frontier(portfolio, levels=20, objective="alignment", *, scale: str = "total", greedy_too: bool = True,
             time_limit: float = 60.0, total_time_limit: float | None = None, **kwargs) -> pd.DataFrame:
    """Efficient frontier: the best value reachable at each budget level.

    Parameters
    ----------
    levels : int or list of float
        Budget levels, or how many evenly spaced levels from the cost of the forced-in
        projects up to the cost of all candidates.
    scale : {"total", "yearly"}
        ``total``: each level is one budget for all cost (the frontier of Microsoft
        Project's cost constraint analysis). ``yearly``: each level is the total of the
        ``budgets`` table, scaled in proportion year by year.
    greedy_too : bool
        Also run the greedy priority order at each level and report ``value_lost_by_greedy``.
    time_limit : float
        Solver seconds at most per level (and for the unbudgeted solve).
    total_time_limit : float, optional
        Seconds for the whole frontier. Each level gets what is left shared over the
        levels still to solve (three even shares, the last one all of it); time a
        level does not use rolls over. A level stopped by it reports ``time limit``
        with its gap.
    **kwargs
        Passed to :func:`select` (capacity, relations, force_in, ...; not ``budget``).

    Returns
    -------
    DataFrame
        One row per level, in increasing budget: ``budget, value, cost, selected``
        (count), ``status, gap, projects`` (ids, comma separated), ``added``/``removed``
        versus the previous level, ``greedy_value, value_lost_by_greedy, solve_seconds,
        message``. ``attrs`` holds ``unbudgeted_value`` (the optimum with no budget, an
        upper bound at every level), ``unbudgeted_status``, ``unbudgeted_seconds`` and
        ``seconds`` (wall time of the solves).

    Notes
    -----
    The levels share one model whose budget rows change. The unbudgeted optimum is
    solved first: it is reused at every level it fits in, and its proven bound is an
    upper bound everywhere, so a level whose search reaches it stops there, proven
    optimal. Levels are then solved from the lowest budget up, each search starting
    from the previous level's optimum, which fits the higher budget.
    """
    kwargs = {k: v for k, v in kwargs.items() if k not in ("budget", "method", "explain")}
    if scale == "yearly":
        if not len(portfolio.budgets):
            raise PmkitError("frontier(scale='yearly') needs a budgets table")
        table = dict(zip(portfolio.budgets["year"].astype(int), portfolio.budgets["budget"].astype(float), strict=True))
        template = _build(portfolio, table, objective, kwargs.get("capacity", True), kwargs.get("relations", True),
                          kwargs.get("force_in", ()), kwargs.get("force_out", ()), kwargs.get("shift_months", 0),
                          kwargs.get("states", CANDIDATE_STATES), kwargs.get("as_of", "auto"))
        share = np.array([table[int(k.split()[1])] for k in template.row_key[template.row_kind == "budget"]])
        share = share / share.sum() if share.sum() > 0 else np.full(share.size, 1.0 / max(share.size, 1))
    elif scale == "total":
        template = _build(portfolio, 0.0, objective, kwargs.get("capacity", True), kwargs.get("relations", True),
                          kwargs.get("force_in", ()), kwargs.get("force_out", ()), kwargs.get("shift_months", 0),
                          kwargs.get("states", CANDIDATE_STATES), kwargs.get("as_of", "auto"))
        share = np.ones(1)
    else:
        raise PmkitError(f"scale must be 'total' or 'yearly', not {scale!r}")
    is_budget = template.row_kind == "budget"
    if np.isscalar(levels):
        budget_use = template.usage[np.flatnonzero(is_budget)]
        base = template.var_start[:-1]
        col_cost = np.asarray(budget_use[:, base].sum(axis=0)).ravel()
        lo = float(col_cost[template.forced_in].sum())
        hi = float(col_cost[~template.forced_out].sum())
        levels = np.linspace(lo, hi, int(levels) + 1)[1:] if int(levels) > 1 else np.array([hi])
    # Levels are solved from the lowest budget up, on one model whose budget rows change:
    # - the best selection without any budget is the best at every level it fits in, and
    #   its proven bound is an upper bound at every level, so a level whose search reaches
    #   it is optimal there and then;
    # - the optimum of a lower level fits every higher one (budgets only grow), so it
    #   starts each search as incumbent.
    levels = np.sort(np.asarray(levels, dtype=float))
    t_start = time.perf_counter()
    deadline = t_start + (float(total_time_limit) if total_time_limit is not None else np.inf)
    mip = _Mip(template)
    budget_rows = np.flatnonzero(is_budget)
    unlimited = template.row_limit.copy()
    unlimited[is_budget] = np.inf
    mip.set_limits(unlimited)
    free = mip.run(template, min(time_limit, max(deadline - time.perf_counter(), 0.0)))
    free_y = _prune(template, free.y) if free.status == "optimal" and free.y is not None else None
    free_need = template.usage[budget_rows] @ free_y.astype(float) if free_y is not None else None
    upper = free.bound if np.isfinite(free.bound) else None
    limits = levels[:, None] * share[None, :]
    fits = (free_need[None, :] <= limits * (1 + 1e-9) + 1e-9).all(axis=1) if free_need is not None \
        else np.zeros(len(levels), bool)
    rows, prev, incumbent = [], set(), None
    for i, level in enumerate(levels):
        limit = template.row_limit.copy()
        limit[is_budget] = limits[i]
        pb = replace(template, row_limit=limit)
        try:
            _check(pb)
        except SelectionInfeasible as exc:
            rows.append({"budget": level, "value": np.nan, "cost": np.nan, "selected": 0,
                         "status": "infeasible", "gap": np.nan, "projects": "", "added": "", "removed": "",
                         "greedy_value": np.nan, "value_lost_by_greedy": np.nan, "solve_seconds": 0.0,
                         "message": str(exc).splitlines()[0]})
            continue
        if fits[i]:
            sol = replace(free, y=free_y, seconds=0.0)
        else:
            mip.set_limits(limit)
            # what is left of the total time, three even shares of it per level still to
            # solve (the last one all of it); time a level does not use rolls over
            left = deadline - time.perf_counter()
            share_s = min(left, 3.0 * left / (~fits[i:]).sum()) if np.isfinite(left) else np.inf
            sol = mip.run(pb, min(time_limit, max(share_s, 0.0)), incumbent=incumbent, upper=upper)
        y = _prune(pb, sol.y) if sol.y is not None else np.zeros(pb.var_project.size, bool)
        if sol.y is not None:
            incumbent = sol.y
        chosen = set(pb.ids[pb.var_project[y]].tolist())
        g = _greedy(pb) if greedy_too else None
        rows.append({
            "budget": level, "value": float(pb.var_value[y].sum()), "cost": float(pb.var_cost[y].sum()),
            "selected": len(chosen), "status": sol.status, "gap": sol.gap, "projects": ", ".join(sorted(chosen)),
            "added": ", ".join(sorted(chosen - prev)), "removed": ", ".join(sorted(prev - chosen)),
            "greedy_value": g.value if g else np.nan,
            "value_lost_by_greedy": float(pb.var_value[y].sum()) - g.value if g else np.nan,
            "solve_seconds": sol.seconds, "message": sol.message if sol.status != "optimal" else "",
        })
        prev = chosen
    out = pd.DataFrame(rows)
    out.attrs.update(unbudgeted_value=free.value, unbudgeted_status=free.status,
                     unbudgeted_seconds=free.seconds, seconds=time.perf_counter() - t_start)
    return out


@dataclass(frozen=True)
class ScenarioComparison:
    """Scenarios side by side: ``summary`` (one row per scenario) and ``projects``
    (one row per project, one boolean column per scenario, ``in_scenarios`` count)."""

    summary: pd.DataFrame
    projects: pd.DataFrame
    selections: dict

    def __repr__(self) -> str:
        return f"ScenarioComparison({', '.join(self.selections)})"


def compare_scenarios(portfolio, scenarios: Mapping[str, Mapping]) -> ScenarioComparison:
    """Run :func:`select` once per scenario and compare the outcomes.

    Parameters
    ----------
    scenarios : mapping name -> keyword arguments of :func:`select`
        e.g. ``{"base": {}, "tight": {"budget": 2e6}, "npv": {"objective": "npv"},
        "greedy": {"method": "greedy"}}``.

    Returns
    -------
    ScenarioComparison
        ``summary`` has per scenario the status, value (in its own objective), the number
        chosen, total cost, and the chosen portfolio's total alignment index, NPV and
        weighted score where the data allow, so scenarios with different objectives
        compare on the same measures.
    """
    from .alignment import alignment
    from .financials import financials
    from .prioritization import weighted_scores

    sels = {name: select(portfolio, **dict(kw)) for name, kw in scenarios.items()}
    measures = {}
    for name, fn, col in (("alignment", alignment, "alignment_index"), ("npv", financials, "npv"),
                          ("score", weighted_scores, "weighted_score")):
        try:
            measures[name] = fn(portfolio).set_index("project_id")[col]
        except PmkitError:
            continue
    rows = []
    for name, s in sels.items():
        ids = s.selected_ids
        row = {"scenario": name, "method": s.method, "objective": s.objective, "status": s.status, "value": s.value,
               "selected": len(ids), "cost": s.cost}
        for m, ser in measures.items():
            row[f"total_{m}"] = float(ser.reindex(ids).fillna(0.0).sum())
        rows.append(row)
    ids = portfolio.projects["project_id"].astype(str)
    proj = pd.DataFrame({"project_id": ids.to_numpy(), "name": portfolio.projects["name"].to_numpy()})
    for name, s in sels.items():
        proj[name] = proj["project_id"].isin(set(s.selected_ids))
    proj["in_scenarios"] = proj[list(sels)].sum(axis=1)
    proj = proj.sort_values(["in_scenarios", "project_id"], ascending=[False, True], kind="stable")
    return ScenarioComparison(pd.DataFrame(rows), proj.reset_index(drop=True), sels)


__all__ = ["CANDIDATE_STATES", "OBJECTIVES", "ScenarioComparison", "Selection", "SelectionInfeasible",
           "compare_scenarios", "frontier", "greedy", "select"]
