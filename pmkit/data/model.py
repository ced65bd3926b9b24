"""The data classes: :class:`Portfolio`, :class:`Program` and :class:`Project`.

They are thin, frozen and validated. Tables stay pandas DataFrames (columnar, so a
million tasks is fine); the classes only hold them, check them and hand out views.
The columns of every table are documented in ``docs/data-format.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field, fields
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..errors import UnknownIdError, ValidationError, did_you_mean
from .calendars import STANDARD, Calendar, calendars_from_tables
from .schema import TABLES
from .validation import check_tables, normalize_table

#: Tables that belong to one project (filtered by project_id in :meth:`Portfolio.project`).
PROJECT_TABLES = ("objectives", "tasks", "dependencies", "assignments", "baseline", "status", "risks",
                  "deliverables", "surveys", "lessons", "cash_flows", "alignment", "scores")


def _frozen_frame(df: pd.DataFrame) -> pd.DataFrame:
    # pandas has no read-only frame; we hand out the frame as is and never mutate it ourselves.
    return df


@dataclass(frozen=True, eq=False)
class Portfolio:
    """A portfolio: the organization's programs and projects with all their data.

    Every field is a DataFrame following the table of the same name in
    ``docs/data-format.md``; absent tables are empty frames with the right columns.
    Construction validates every table and their references and raises
    :class:`pmkit.errors.ValidationError` listing all problems.

    Examples
    --------
    >>> import pmkit
    >>> pf = pmkit.load(pmkit.sample_path())          # doctest: +SKIP
    >>> pf.project("P01").tasks.head()                # doctest: +SKIP
    """

    projects: pd.DataFrame
    tasks: pd.DataFrame | None = None
    portfolio: pd.DataFrame | None = None
    programs: pd.DataFrame | None = None
    objectives: pd.DataFrame | None = None
    calendars: pd.DataFrame | None = None
    holidays: pd.DataFrame | None = None
    dependencies: pd.DataFrame | None = None
    roles: pd.DataFrame | None = None
    resources: pd.DataFrame | None = None
    assignments: pd.DataFrame | None = None
    capacity: pd.DataFrame | None = None
    baseline: pd.DataFrame | None = None
    status: pd.DataFrame | None = None
    risks: pd.DataFrame | None = None
    deliverables: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    lessons: pd.DataFrame | None = None
    strategic_objectives: pd.DataFrame | None = None
    pairwise: pd.DataFrame | None = None
    alignment: pd.DataFrame | None = None
    criteria: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    cash_flows: pd.DataFrame | None = None
    budgets: pd.DataFrame | None = None
    relations: pd.DataFrame | None = None
    validate: InitVar[bool] = True

    def __post_init__(self, validate: bool) -> None:
        for name in TABLES:
            object.__setattr__(self, name, _frozen_frame(normalize_table(name, getattr(self, name))))
        if validate:
            problems = check_tables(self.tables())
            if problems:
                raise ValidationError(problems, "invalid portfolio")

    # ------------------------------------------------------------------ access
    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name, in the documented order."""
        return {name: getattr(self, name) for name in TABLES}

    @property
    def name(self) -> str:
        return str(self.portfolio["name"].iloc[0]) if len(self.portfolio) else "Portfolio"

    @property
    def currency(self) -> str:
        return str(self.portfolio["currency"].iloc[0]) if len(self.portfolio) else "EUR"

    @property
    def discount_rate(self) -> float:
        """Yearly discount rate (fraction) for net present value."""
        return float(self.portfolio["discount_rate"].iloc[0]) if len(self.portfolio) else 0.08

    @property
    def project_ids(self) -> list[str]:
        return self.projects["project_id"].astype(str).tolist()

    @property
    def program_ids(self) -> list[str]:
        return self.programs["program_id"].astype(str).tolist()

    def calendar_map(self) -> dict[str, Calendar]:
        """Calendars by id, including the built-in ``standard`` (Mon-Fri)."""
        return calendars_from_tables(self.calendars, self.holidays)

    def project(self, project_id: str) -> Project:
        """The :class:`Project` with this id, with its rows of every project-level table."""
        pid = str(project_id)
        rows = self.projects[self.projects["project_id"].astype(str) == pid]
        if rows.empty:
            known = ", ".join(self.project_ids[:20])
            raise UnknownIdError(f"unknown project {pid!r}{did_you_mean(pid, self.project_ids)} (known: {known})")
        info = rows.iloc[0]
        tables = {}
        for t in PROJECT_TABLES:
            df = getattr(self, t)
            tables[t] = df[df["project_id"].astype(str) == pid].reset_index(drop=True)
        cals = self.calendar_map()
        return Project(
            project_id=pid, name=str(info["name"]), state=str(info["state"]),
            start_date=info["start_date"],
            status_date=None if pd.isna(info["status_date"]) else info["status_date"],
            deadline=None if pd.isna(info["deadline"]) else info["deadline"],
            finish_date=None if pd.isna(info["finish_date"]) else info["finish_date"],
            budget=float(info["budget"]), program_id=str(info["program_id"]), kind=str(info["kind"]),
            manager=str(info["manager"]), sponsor=str(info["sponsor"]), client=str(info["client"]),
            description=str(info["description"]),
            calendar=cals.get(str(info["calendar_id"]), STANDARD),
            calendars=MappingProxyType(cals),
            roles=self.roles, resources=self.resources,
            validate=False, **tables,
        )

    def iter_projects(self, states: tuple[str, ...] | None = None):
        """Yield every :class:`Project` (optionally only those in the given states)."""
        for pid, state in zip(self.project_ids, self.projects["state"], strict=True):
            if states is None or state in states:
                yield self.project(pid)

    def program(self, program_id: str) -> Program:
        pid = str(program_id)
        rows = self.programs[self.programs["program_id"].astype(str) == pid]
        if rows.empty:
            raise UnknownIdError(f"unknown program {pid!r}{did_you_mean(pid, self.program_ids)} "
                                 f"(known: {', '.join(self.program_ids)})")
        r = rows.iloc[0]
        members = self.projects.loc[self.projects["program_id"].astype(str) == pid, "project_id"]
        return Program(pid, str(r["name"]), str(r["manager"]), str(r["sponsor"]), str(r["description"]),
                       tuple(members.astype(str)))

    def status_dates(self, project_id: str | None = None) -> list[pd.Timestamp]:
        """Sorted distinct status dates (of one project, or of all)."""
        st = self.status
        if project_id is not None:
            st = st[st["project_id"].astype(str) == str(project_id)]
        return sorted(pd.to_datetime(st["status_date"].dropna().unique()))

    def summary(self) -> pd.DataFrame:
        """One row per project: program, state, tasks, links, status dates, budget."""
        p = self.projects
        n_tasks = self.tasks.groupby("project_id").size()
        n_links = self.dependencies.groupby("project_id").size()
        n_status = self.status.groupby("project_id")["status_date"].nunique()
        last = self.status.groupby("project_id")["status_date"].max()
        out = pd.DataFrame({
            "project_id": p["project_id"], "name": p["name"], "program_id": p["program_id"],
            "state": p["state"], "start_date": p["start_date"],
            "tasks": p["project_id"].map(n_tasks).fillna(0).astype(int),
            "dependencies": p["project_id"].map(n_links).fillna(0).astype(int),
            "status_dates": p["project_id"].map(n_status).fillna(0).astype(int),
            "last_status_date": p["project_id"].map(last),
            "budget": p["budget"],
        })
        return out.reset_index(drop=True)

    def with_tables(self, **tables: pd.DataFrame) -> Portfolio:
        """A copy with some tables replaced (validated again)."""
        current = self.tables()
        current.update(tables)
        return Portfolio(**current)

    def __repr__(self) -> str:
        return (f"Portfolio({self.name!r}: {len(self.programs)} programs, {len(self.projects)} projects, "
                f"{len(self.tasks)} tasks, {self.status['status_date'].nunique()} status dates)")

    def _repr_html_(self) -> str:
        from .._display import summary_html

        p = self.projects
        states = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in p["state"].value_counts().items())
        dates = self.status["status_date"]
        return summary_html(f"Portfolio {self.name}", [
            ("programs", len(self.programs)), ("projects", f"{len(p)} ({states})"), ("tasks", len(self.tasks)),
            ("latest status date", dates.max() if len(dates) else None),
            (f"total budget ({self.currency})", float(p["budget"].sum()))],
            p[["project_id", "name", "program_id", "state", "budget"]])


@dataclass(frozen=True)
class Program:
    """A program: related projects managed together."""

    program_id: str
    name: str
    manager: str = ""
    sponsor: str = ""
    description: str = ""
    project_ids: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Project:
    """One project with its plan, baseline, progress, risks and quality data.

    Dates are ``pandas.Timestamp``; ``budget`` is in the portfolio currency. The tables
    are the project's rows of the portfolio tables of the same names (see
    ``docs/data-format.md``). Build one directly (for example from an MS Project file)
    or get it from :meth:`Portfolio.project`.
    """

    project_id: str
    name: str
    start_date: pd.Timestamp
    state: str = "active"
    status_date: pd.Timestamp | None = None
    deadline: pd.Timestamp | None = None
    finish_date: pd.Timestamp | None = None
    budget: float = 0.0
    program_id: str = ""
    kind: str = ""
    manager: str = ""
    sponsor: str = ""
    client: str = ""
    description: str = ""
    calendar: Calendar = STANDARD
    calendars: Mapping[str, Calendar] = field(default_factory=lambda: MappingProxyType({"standard": STANDARD}))
    tasks: pd.DataFrame | None = None
    dependencies: pd.DataFrame | None = None
    assignments: pd.DataFrame | None = None
    baseline: pd.DataFrame | None = None
    status: pd.DataFrame | None = None
    risks: pd.DataFrame | None = None
    deliverables: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    lessons: pd.DataFrame | None = None
    objectives: pd.DataFrame | None = None
    cash_flows: pd.DataFrame | None = None
    alignment: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    roles: pd.DataFrame | None = None
    resources: pd.DataFrame | None = None
    validate: InitVar[bool] = True

    def __post_init__(self, validate: bool) -> None:
        object.__setattr__(self, "project_id", str(self.project_id))
        object.__setattr__(self, "start_date", pd.Timestamp(self.start_date))
        for name in ("status_date", "deadline", "finish_date"):
            v = getattr(self, name)
            object.__setattr__(self, name, None if v is None or pd.isna(v) else pd.Timestamp(v))
        cals = dict(self.calendars)
        cals.setdefault(self.calendar.calendar_id, self.calendar)
        cals.setdefault("standard", STANDARD)
        object.__setattr__(self, "calendars", MappingProxyType(cals))
        for f in fields(self):
            if f.name in PROJECT_TABLES:
                df = getattr(self, f.name)
                if df is not None and "project_id" not in df.columns:
                    df = df.assign(project_id=self.project_id)
                object.__setattr__(self, f.name, normalize_table(f.name, df))
        object.__setattr__(self, "roles", normalize_table("roles", self.roles))
        object.__setattr__(self, "resources", normalize_table("resources", self.resources))
        if validate:
            problems = check_tables(self._tables_for_check())
            if problems:
                raise ValidationError(problems, f"invalid project {self.project_id}")

    def _tables_for_check(self) -> dict[str, pd.DataFrame]:
        tables = {t: getattr(self, t) for t in PROJECT_TABLES}
        tables["projects"] = self.info_frame()
        tables["roles"] = self.roles
        tables["resources"] = self.resources
        cal_rows, hol_rows = zip(*(c.to_frame() for c in self.calendars.values()), strict=True)
        tables["calendars"] = pd.concat(cal_rows, ignore_index=True)
        tables["holidays"] = pd.concat(hol_rows, ignore_index=True)
        # a standalone project may reference strategic objectives, a program and scoring
        # criteria it does not carry (they belong to its portfolio, which checked them)
        tables["alignment"] = tables["alignment"].iloc[0:0]
        tables["projects"] = tables["projects"].assign(program_id="")
        tables["scores"] = tables["scores"].iloc[0:0]
        obj = tables["objectives"].copy()
        obj["strategic_objective_id"] = ""
        tables["objectives"] = obj
        return {k: normalize_table(k, v) for k, v in tables.items()}

    def info_frame(self) -> pd.DataFrame:
        """The project's row of the ``projects`` table."""
        return normalize_table("projects", pd.DataFrame([{
            "project_id": self.project_id, "name": self.name, "program_id": self.program_id,
            "kind": self.kind, "manager": self.manager, "sponsor": self.sponsor, "client": self.client,
            "state": self.state, "start_date": self.start_date, "status_date": self.status_date,
            "deadline": self.deadline, "finish_date": self.finish_date, "budget": self.budget,
            "calendar_id": self.calendar.calendar_id, "description": self.description,
        }]))

    @property
    def bac(self) -> float:
        """Budget at completion: the sum of baseline task costs (or of task budgets without a baseline)."""
        if len(self.baseline):
            return float(self.baseline["baseline_cost"].sum())
        return float(self.tasks["budget_cost"].sum())

    @property
    def status_dates(self) -> list[pd.Timestamp]:
        return sorted(pd.to_datetime(self.status["status_date"].dropna().unique()))

    def status_at(self, status_date=None) -> pd.DataFrame:
        """Progress records of one status date (default: the latest on or before ``status_date``)."""
        if not len(self.status):
            return self.status
        dates = np.array(self.status_dates, dtype="datetime64[ns]")
        target = self.status_date if status_date is None else pd.Timestamp(status_date)
        if target is None:
            target = pd.Timestamp(dates[-1])
        eligible = dates[dates <= np.datetime64(target)]
        if not len(eligible):
            return self.status.iloc[0:0]
        return self.status[self.status["status_date"] == eligible[-1]].reset_index(drop=True)

    def task_calendar(self, task_calendar_id: str) -> Calendar:
        """The calendar of a task (its own, or the project's when blank)."""
        if not task_calendar_id:
            return self.calendar
        return self.calendars[task_calendar_id]

    def __repr__(self) -> str:
        return (f"Project({self.project_id!r}, {self.name!r}, state={self.state}, "
                f"{len(self.tasks)} tasks, {len(self.dependencies)} links)")

    def _repr_html_(self) -> str:
        from .._display import summary_html

        return summary_html(f"Project {self.project_id}: {self.name}", [
            ("state", self.state.replace("_", " ")), ("program", self.program_id or None),
            ("start", self.start_date), ("status date", self.status_date), ("deadline", self.deadline),
            ("budget", float(self.budget)), ("tasks", len(self.tasks)), ("links", len(self.dependencies)),
            ("status dates", len(self.status_dates))])
