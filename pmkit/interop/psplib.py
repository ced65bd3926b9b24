"""Reader of PSPLIB single-mode RCPSP instances (``.sm`` files).

PSPLIB (Kolisch & Sprecher 1996, "PSPLIB - A project scheduling problem library",
European Journal of Operational Research 96(1), 205-216) is the standard benchmark library
of the resource-constrained project scheduling problem (RCPSP). An ``.sm`` file holds one
project: jobs with integer durations, finish-to-start precedence without lags, and
renewable resources with a constant availability per period. Jobs 1 and N are dummy
source and sink jobs of zero duration.

Two forms are offered:

* :func:`read_psplib_instance` gives the raw arrays (:class:`PsplibInstance`), for
  algorithms and benchmarks;
* :func:`read_psplib` gives a :class:`pmkit.Project`: jobs become tasks ``J1..JN``,
  precedence becomes FS links, each renewable resource ``R k`` becomes a role and a
  resource ``Rk`` whose ``capacity_units`` is its availability, and each positive demand
  becomes an assignment of that resource with ``units`` = demand. PSPLIB time is abstract
  periods, so the project uses a calendar in which every day is worked and there are no
  holidays: one working day is one period.

Examples
--------
>>> from pmkit.interop.psplib import read_psplib             # doctest: +SKIP
>>> prj = read_psplib("j30/j301_1.sm")                       # doctest: +SKIP
>>> len(prj.tasks), prj.resources["capacity_units"].tolist()  # doctest: +SKIP
(32, [12.0, 13.0, 4.0, 12.0])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.calendars import Calendar
from ..data.model import Project
from ..data.schema import LIMITS
from ..errors import PmkitError
from . import check_input_file

#: Calendar of PSPLIB projects: every day is a working day, so working days == periods.
PERIOD_CALENDAR = Calendar("periods", "Every day worked (abstract periods)", (True,) * 7)


@dataclass(frozen=True, eq=False)
class PsplibInstance:
    """One single-mode RCPSP instance as arrays (jobs numbered from 0 here, 1 in the file).

    Attributes
    ----------
    name : str
        File name without directory (``j301_1.sm``).
    durations : ndarray of int, shape (n,)
        Duration of each job in periods (jobs ``0`` and ``n - 1`` are the dummies).
    successors : tuple of ndarray of int
        Successor jobs of each job (0-based).
    demands : ndarray of int, shape (n, r)
        Per-period demand of each job for each renewable resource.
    capacities : ndarray of int, shape (r,)
        Availability of each renewable resource per period.
    resource_names : tuple of str
        ``"R1"``, ``"R2"``, ...
    horizon : int
        The header's horizon (sum of durations; an upper bound on the makespan).
    mpm_time : int or None
        The header's ``MPM-Time``: critical-path length without resource limits.
    due_date : int or None
        The header's due date.
    """

    name: str
    durations: np.ndarray
    successors: tuple[np.ndarray, ...]
    demands: np.ndarray
    capacities: np.ndarray
    resource_names: tuple[str, ...]
    horizon: int
    mpm_time: int | None = None
    due_date: int | None = None

    @property
    def n_jobs(self) -> int:
        return int(self.durations.size)

    @property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Precedence links as two arrays ``(predecessor, successor)`` (0-based)."""
        counts = np.array([s.size for s in self.successors], dtype=np.int64)
        pred = np.repeat(np.arange(self.n_jobs, dtype=np.int64), counts)
        succ = np.concatenate(self.successors).astype(np.int64) if counts.sum() else np.empty(0, np.int64)
        return pred, succ


class _Lines:
    """The file's lines with a cursor; errors name the file and the line number."""

    def __init__(self, text: str, source: str):
        self.lines = text.splitlines()
        self.source = source
        self.i = 0

    def error(self, message: str, line: int | None = None) -> PmkitError:
        where = self.i + 1 if line is None else line + 1
        return PmkitError(f"{self.source}, line {where}: {message}")

    def find(self, prefix: str) -> int:
        """Move to the line starting with ``prefix`` (case-insensitive) and return its index."""
        p = prefix.lower()
        for k in range(self.i, len(self.lines)):
            if self.lines[k].strip().lower().startswith(p):
                self.i = k
                return k
        raise PmkitError(f"{self.source}: section '{prefix}' not found (is this a PSPLIB .sm file?)")

    def header_int(self, label: str) -> int | None:
        """Integer after ``label ... :`` anywhere in the header, or None when absent."""
        for line in self.lines:
            if line.strip().lower().startswith(label):
                m = re.search(r":\s*(-?\d+)", line)
                if m:
                    return int(m.group(1))
        return None

    def table(self, min_fields: int) -> list[tuple[int, list[int]]]:
        """Rows of integers after the current line up to the next ``****`` line."""
        rows = []
        k = self.i + 1
        while k < len(self.lines) and not self.lines[k].startswith("*"):
            text = self.lines[k].strip()
            if text and not text.startswith("-") and text[0].isdigit():
                try:
                    values = [int(x) for x in text.split()]
                except ValueError:
                    raise self.error(f"expected whole numbers, got {text!r}", k) from None
                if len(values) < min_fields:
                    raise self.error(f"expected at least {min_fields} numbers, got {text!r}", k)
                rows.append((k, values))
            k += 1
        self.i = k
        return rows


def parse_psplib(text: str, name: str = "<text>") -> PsplibInstance:
    """Parse the text of a PSPLIB ``.sm`` file (see :func:`read_psplib_instance`)."""
    src = _Lines(text, name)
    n = src.header_int("jobs")
    if n is None or n < 2:
        raise PmkitError(f"{name}: header line 'jobs (incl. supersource/sink ): N' missing or invalid")
    if n > len(src.lines):  # every job needs its own lines: a bigger count cannot be true (and would size arrays)
        raise PmkitError(f"{name}: the header announces {n} jobs but the file has only {len(src.lines)} lines")
    horizon = src.header_int("horizon") or 0
    n_renew = src.header_int("- renewable")
    mpm = due = None
    src.find("PROJECT INFORMATION")
    info = src.table(min_fields=6)
    if info:
        _, vals = info[0]
        due, mpm = vals[3], vals[5]

    src.find("PRECEDENCE RELATIONS")
    successors: list[np.ndarray | None] = [None] * n
    for k, vals in src.table(min_fields=3):
        job, modes, count = vals[0], vals[1], vals[2]
        if not 1 <= job <= n:
            raise src.error(f"job {job} outside 1..{n}", k)
        if modes != 1:
            raise src.error(f"job {job} has {modes} modes; only single-mode (.sm) instances are supported", k)
        succ = vals[3:]
        if len(succ) != count:
            raise src.error(f"job {job} announces {count} successors but lists {len(succ)}", k)
        bad = [s for s in succ if not 1 <= s <= n]
        if bad:
            raise src.error(f"job {job}: successor {bad[0]} outside 1..{n}", k)
        successors[job - 1] = np.asarray(succ, dtype=np.int64) - 1
    missing = [j + 1 for j, s in enumerate(successors) if s is None]
    if missing:
        raise PmkitError(f"{name}: PRECEDENCE RELATIONS lacks job(s) {missing[:10]}")

    src.find("REQUESTS/DURATIONS")
    header_line = src.lines[src.i + 1] if src.i + 1 < len(src.lines) else ""
    res_cols = re.findall(r"([RND])\s*(\d+)", header_line.split("duration", 1)[-1])
    if n_renew is None:
        n_renew = sum(1 for kind, _ in res_cols if kind == "R")
    durations = np.zeros(n, dtype=np.int64)
    demands = np.zeros((n, n_renew), dtype=np.int64)
    seen = np.zeros(n, dtype=bool)
    for k, vals in src.table(min_fields=3 + n_renew):
        job, dur = vals[0], vals[2]
        if not 1 <= job <= n:
            raise src.error(f"job {job} outside 1..{n}", k)
        if dur < 0 or min(vals[3:3 + n_renew], default=0) < 0:
            raise src.error(f"job {job}: negative duration or demand", k)
        if dur > LIMITS.max_duration_days or max(vals[3:3 + n_renew], default=0) >= 2**62:
            raise src.error(f"job {job}: duration {dur} is beyond the limit of {LIMITS.max_duration_days:,.0f} "
                            "working days (pmkit.data.schema.LIMITS)" if dur > LIMITS.max_duration_days
                            else f"job {job}: demand beyond any resource", k)
        durations[job - 1] = dur
        demands[job - 1] = vals[3:3 + n_renew]  # nonrenewable columns (if any) follow; unused
        seen[job - 1] = True
    if not seen.all():
        raise PmkitError(f"{name}: REQUESTS/DURATIONS lacks job(s) {(np.flatnonzero(~seen) + 1)[:10].tolist()}")

    src.find("RESOURCEAVAILABILITIES")
    avail = src.table(min_fields=n_renew)
    if not avail:
        raise src.error("no availability numbers after RESOURCEAVAILABILITIES")
    k, vals = avail[0]
    capacities = np.asarray(vals[:n_renew], dtype=np.int64)
    too_big = np.flatnonzero((demands > capacities).any(axis=1))
    if too_big.size:
        j = int(too_big[0])
        raise PmkitError(f"{name}: job {j + 1} demands more of a resource than is available "
                         f"({demands[j].tolist()} > {capacities.tolist()}); the instance has no solution")
    return PsplibInstance(
        name=name, durations=durations, successors=tuple(successors),  # type: ignore[arg-type]
        demands=demands, capacities=capacities,
        resource_names=tuple(f"R{i + 1}" for i in range(n_renew)),
        horizon=int(horizon), mpm_time=mpm, due_date=due)


def read_psplib_instance(path: str | Path) -> PsplibInstance:
    """Read a PSPLIB single-mode ``.sm`` file into arrays.

    Parameters
    ----------
    path : str or Path
        The ``.sm`` file.

    Returns
    -------
    PsplibInstance
        Durations, successors, demands, capacities and the header's horizon and MPM-Time.

    Raises
    ------
    PmkitError
        When the file cannot be read or is not a valid single-mode PSPLIB file; the message
        names the file and line.
    """
    p = Path(path)
    if p.is_file():
        check_input_file(p)  # the size limit (PSPLIB files are a few kB)
    try:
        text = p.read_text(encoding="latin-1")
    except OSError as exc:
        raise PmkitError(f"{p}: cannot read PSPLIB file ({exc.strerror or exc})") from None
    return parse_psplib(text, p.name)


def instance_to_project(inst: PsplibInstance, start: str = "2025-01-06",
                        project_id: str | None = None) -> Project:
    """A :class:`pmkit.Project` of a PSPLIB instance (see the module docstring for the mapping)."""
    pid = project_id or Path(inst.name).stem
    n = inst.n_jobs
    ids = np.array([f"J{j + 1}" for j in range(n)], dtype=object)
    names = np.array([f"Job {j + 1}" for j in range(n)], dtype=object)
    names[0], names[-1] = "Project start (dummy source)", "Project finish (dummy sink)"
    tasks = pd.DataFrame({"task_id": ids, "name": names,
                          "duration_days": inst.durations.astype(float),
                          "milestone": inst.durations == 0})
    pred, succ = inst.edges
    deps = pd.DataFrame({"predecessor_id": ids[pred], "successor_id": ids[succ],
                         "type": "FS", "lag_days": 0.0})
    roles = pd.DataFrame({"role_id": list(inst.resource_names),
                          "name": [f"Renewable resource {r[1:]}" for r in inst.resource_names]})
    resources = pd.DataFrame({"resource_id": list(inst.resource_names),
                              "name": [f"Resource {r[1:]}" for r in inst.resource_names],
                              "role_id": list(inst.resource_names),
                              "capacity_units": inst.capacities.astype(float),
                              "calendar_id": PERIOD_CALENDAR.calendar_id})
    job, res = np.nonzero(inst.demands)
    assignments = pd.DataFrame({"task_id": ids[job], "resource_id": np.asarray(inst.resource_names, dtype=object)[res],
                                "role_id": "", "units": inst.demands[job, res].astype(float)})
    return Project(project_id=pid, name=f"PSPLIB {inst.name}", start_date=pd.Timestamp(start),
                   state="proposed", calendar=PERIOD_CALENDAR,
                   calendars={PERIOD_CALENDAR.calendar_id: PERIOD_CALENDAR},
                   description=(f"PSPLIB instance {inst.name}: horizon {inst.horizon}, "
                                f"MPM-Time {inst.mpm_time}, capacities {inst.capacities.tolist()}"),
                   tasks=tasks, dependencies=deps, roles=roles, resources=resources,
                   assignments=assignments)


def read_psplib(path: str | Path, start: str = "2025-01-06", project_id: str | None = None) -> Project:
    """Read a PSPLIB single-mode ``.sm`` file as a :class:`pmkit.Project`.

    Parameters
    ----------
    path : str or Path
        The ``.sm`` file (Kolisch & Sprecher 1996 format).
    start : str
        Date of period 0.
    project_id : str, optional
        Id of the project (default: the file name without extension).

    Returns
    -------
    Project
        Tasks ``J1..JN`` (durations in periods = working days of a 7-day calendar without
        holidays), FS links, one role and one resource per renewable resource
        (``capacity_units`` = availability) and one assignment per positive demand.

    Examples
    --------
    >>> prj = read_psplib("j301_1.sm")                     # doctest: +SKIP
    >>> prj.assignments.head(2)                             # doctest: +SKIP
    """
    return instance_to_project(read_psplib_instance(path), start=start, project_id=project_id)


__all__ = ["PERIOD_CALENDAR", "PsplibInstance", "instance_to_project", "parse_psplib", "read_psplib",
           "read_psplib_instance"]
