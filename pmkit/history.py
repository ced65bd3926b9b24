"""The store of status updates: every project's data at every data date, append-only.

A *status update* is the whole of one project (tasks, links, baseline, progress, costs,
risks, quality data and its row of the ``projects`` table) as it stood at a data date,
plus the measures computed from it when it was recorded (forecast finish, float, SPI(t),
CPI, BEI, DCMA checks, risk exposure). Updates are kept in an embedded DuckDB database,
by default a file beside the data (``northwind/`` -> ``northwind.history.duckdb``,
``plan.xlsx`` -> ``plan.history.duckdb``), or in a folder of Parquet files
(``backend="parquet"``) that a team can share.

Rules (the audit trail rules of a change log: ISO 21502:2020 §4.4.6 "Information and
documentation management" asks that project records be retained and kept traceable):

* append-only: nothing recorded is ever overwritten or deleted; recording the same project
  and data date again adds version 2, 3 ...; loading returns the latest version unless a
  version is asked for;
* one write is one transaction: it completes, or the store is left exactly as it was
  (DuckDB ``BEGIN``/``COMMIT``; for Parquet, every file of a recording is written into a
  temporary folder that is renamed into place in one step);
* :func:`load_update` gives back a :class:`~pmkit.data.model.Project` equal to what was
  recorded: the same tables (columns, order, dtypes, values, text such as ``"NA"`` or
  ``""``) and the same fields.

The measures and their roll-ups are documented in ``docs/history.md`` and computed by
:func:`update_measures`; the trends over updates are :func:`project_trend`,
:func:`program_trend` and :func:`portfolio_trend`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .data.calendars import STANDARD, calendars_from_tables
from .data.model import PROJECT_TABLES, Portfolio, Project
from .errors import PmkitError, UnknownIdError, did_you_mean

#: The two storage backends: one DuckDB file, or a folder of Parquet files read with DuckDB.
BACKENDS = ("duckdb", "parquet")

#: Portfolio-level tables kept once per recording (shared by the projects recorded together).
CONTEXT_TABLES = ("roles", "resources", "calendars", "holidays", "portfolio", "programs",
                  "strategic_objectives", "capacity", "budgets", "relations", "criteria", "pairwise")

#: Measure groups of ``record_update(measures=...)``; ``True`` means all of them.
MEASURE_GROUPS = ("evm", "schedule", "risk", "dcma")

#: Measure columns (SQL type) stored per update, by group.
MEASURE_COLUMNS: dict[str, dict[str, str]] = {
    "evm": {"bac": "DOUBLE", "pv": "DOUBLE", "ev": "DOUBLE", "ac": "DOUBLE", "spi": "DOUBLE", "cpi": "DOUBLE",
            "spi_t": "DOUBLE", "eac": "DOUBLE", "percent_complete": "DOUBLE", "es_forecast_finish": "TIMESTAMP_NS",
            "tasks_due": "DOUBLE", "tasks_completed": "DOUBLE", "bei": "DOUBLE"},
    "schedule": {"forecast_finish": "TIMESTAMP_NS", "baseline_finish": "TIMESTAMP_NS",
                 "finish_slip_days": "DOUBLE", "remaining_tasks": "DOUBLE", "min_total_float_days": "DOUBLE",
                 "mean_total_float_days": "DOUBLE"},
    "risk": {"open_risks": "DOUBLE", "risk_exposure_cost": "DOUBLE", "risk_exposure_days": "DOUBLE"},
    "dcma": {"dcma_checks": "DOUBLE", "dcma_passed": "DOUBLE", "dcma_failed": "VARCHAR"},
}

_UPDATE_COLUMNS = {"update_id": "BIGINT", "recording_id": "BIGINT", "project_id": "VARCHAR",
                   "data_date": "TIMESTAMP_NS", "version": "BIGINT", "recorded_at": "TIMESTAMP_NS",
                   "source": "VARCHAR", "program_id": "VARCHAR", "project_name": "VARCHAR", "state": "VARCHAR",
                   "task_count": "BIGINT", "dependency_count": "BIGINT", "status_rows": "BIGINT",
                   "risk_count": "BIGINT", "measures": "VARCHAR"}
_RECORDING_COLUMNS = {"recording_id": "BIGINT", "recorded_at": "TIMESTAMP_NS", "source": "VARCHAR",
                      "kind": "VARCHAR", "projects": "BIGINT", "pmkit_version": "VARCHAR"}
_MANIFEST_COLUMNS = {"recording_id": "BIGINT", "table_name": "VARCHAR", "position": "BIGINT",
                     "column_name": "VARCHAR", "dtype": "VARCHAR", "missing": "VARCHAR"}

# internal key columns of the stored tables (a user column of the same name is refused)
_UID, _RID, _ROW = "_update_id", "_recording_id", "_row_no"
_NA_PREFIX = "_missing__"
# how the missing cells of a text column are written back: one kind for the column, or per cell
_MISSING_KINDS = {"none": None, "nan": np.nan, "na": pd.NA, "nat": pd.NaT}

_DTYPE_SQL = {"object": "VARCHAR", "str": "VARCHAR", "string": "VARCHAR", "float64": "DOUBLE", "float32": "FLOAT",
              "int64": "BIGINT", "int32": "INTEGER", "Int64": "BIGINT", "Int32": "INTEGER", "bool": "BOOLEAN",
              "boolean": "BOOLEAN", "Float64": "DOUBLE", "datetime64[ns]": "TIMESTAMP_NS",
              "datetime64[us]": "TIMESTAMP", "datetime64[ms]": "TIMESTAMP_MS", "datetime64[s]": "TIMESTAMP_S"}


# --------------------------------------------------------------------------- the store
@dataclass(frozen=True)
class UpdateStore:
    """Where status updates are kept: a DuckDB file or a folder of Parquet files.

    Parameters
    ----------
    path : path
        The ``.duckdb`` file, or the folder of the Parquet backend. Nothing is created
        until the first update is recorded.
    backend : {"duckdb", "parquet"}, optional
        Default: ``"parquet"`` for an existing folder or a path without a ``.duckdb``
        suffix that ends in ``.history``, else ``"duckdb"``.

    Examples
    --------
    >>> from pmkit.history import UpdateStore
    >>> UpdateStore("plan.history.duckdb").backend
    'duckdb'
    >>> UpdateStore("team/northwind.history", backend="parquet").backend
    'parquet'
    """

    path: Path
    backend: str | None = field(default=None)

    def __post_init__(self) -> None:
        p = Path(self.path)
        object.__setattr__(self, "path", p)
        backend = self.backend
        if backend is None:
            backend = "parquet" if p.is_dir() or (p.suffix.lower() != ".duckdb" and p.suffix == ".history") \
                else "duckdb"
        if backend not in BACKENDS:
            raise PmkitError(f"update store {p}: backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        if backend == "duckdb" and p.is_dir():
            raise PmkitError(f"update store {p} is a folder; a DuckDB store is one file "
                             f"(use backend='parquet' for a folder of Parquet files)")
        if backend == "parquet" and p.exists() and not p.is_dir():
            raise PmkitError(f"update store {p} is a file; the Parquet backend needs a folder")
        object.__setattr__(self, "backend", backend)

    @classmethod
    def beside(cls, data_path: str | os.PathLike, backend: str = "duckdb") -> UpdateStore:
        """The default store of a data folder or workbook (see :func:`default_store_path`)."""
        return cls(default_store_path(data_path, backend), backend)

    def _repr_html_(self) -> str:
        from html import escape

        n = len(list_updates(self))
        return (f"<b>UpdateStore</b> ({escape(str(self.backend))}) <code>{escape(str(self.path))}</code>: "
                f"{n} updates")


def default_store_path(data_path: str | os.PathLike, backend: str = "duckdb") -> Path:
    """The store beside the data: ``northwind/`` -> ``northwind.history.duckdb`` next to the
    folder, ``plan.xlsx`` -> ``plan.history.duckdb``; ``northwind.history/`` for Parquet.

    Examples
    --------
    >>> from pmkit.history import default_store_path
    >>> default_store_path("data/plan.xlsx").name
    'plan.history.duckdb'
    >>> default_store_path("data/plan.xlsx", backend="parquet").name
    'plan.history'
    """
    p = Path(data_path)
    stem = p.name if p.is_dir() or not p.suffix else p.stem
    stem = stem.rstrip("/") or "portfolio"
    return p.parent / (f"{stem}.history.duckdb" if backend == "duckdb" else f"{stem}.history")


def _as_store(store) -> UpdateStore:
    return store if isinstance(store, UpdateStore) else UpdateStore(store)


# --------------------------------------------------------------------------- backends
def _duckdb():
    import duckdb

    return duckdb


def _recording_dirs(store: UpdateStore) -> list[Path]:
    root = store.path / "recordings"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


@contextlib.contextmanager
def _reader(store: UpdateStore) -> Iterator[object | None]:
    """A DuckDB connection where every stored table has its name, or None for an empty store."""
    duckdb = _duckdb()
    if store.backend == "duckdb":
        if not store.path.is_file():
            yield None
            return
        try:
            con = duckdb.connect(str(store.path), read_only=True)
        except duckdb.Error as exc:
            raise PmkitError(f"cannot read update store {store.path}: {exc}") from None
    else:
        dirs = _recording_dirs(store)
        if not dirs:
            yield None
            return
        con = duckdb.connect()
        _parquet_views(con, dirs)
    try:
        yield con
    finally:
        con.close()


def _parquet_views(con, dirs: list[Path]) -> None:
    files: dict[str, list[str]] = {}
    for d in dirs:
        for f in d.glob("*.parquet"):
            files.setdefault(f.stem, []).append(str(f))
    for name, paths in files.items():
        listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        # union_by_name: recordings with different extra columns read as one table
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM read_parquet([{listed}], '
                    f"union_by_name = true)")


def _tables_in(con) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {r[0] for r in rows}


class _Part:
    """One table to append: its frame and the SQL type of every column."""

    def __init__(self, name: str, frame: pd.DataFrame, types: dict[str, str]):
        self.name, self.frame, self.types = name, frame, types


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _select_typed(part: _Part) -> str:
    # explicit casts: an all-missing or empty text column would otherwise arrive as type NULL
    return ", ".join(f"CAST({_quote(c)} AS {t}) AS {_quote(c)}" for c, t in part.types.items())


def _columns_in(con) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for table, col in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        out.setdefault(table, set()).add(col)
    return out


def _append(con, part: _Part, existing: dict[str, set[str]]) -> None:
    """Append one part inside the open transaction (DuckDB backend)."""
    name = _quote(part.name)
    if part.name not in existing:
        cols = ", ".join(f"{_quote(c)} {t}" for c, t in part.types.items())
        con.execute(f"CREATE TABLE {name} ({cols})")
        existing[part.name] = set(part.types)
    else:
        have = existing[part.name]
        for c, t in part.types.items():
            if c not in have:  # a new extra column: older rows read it as missing
                con.execute(f"ALTER TABLE {name} ADD COLUMN {_quote(c)} {t}")
                have.add(c)
    con.register("_pmkit_part", part.frame)
    try:
        con.execute(f"INSERT INTO {name} BY NAME SELECT {_select_typed(part)} FROM _pmkit_part")
    finally:
        con.unregister("_pmkit_part")


def _write_parquet(con, part: _Part, folder: Path) -> None:
    con.register("_pmkit_part", part.frame)
    try:
        target = str(folder / f"{part.name}.parquet").replace("'", "''")
        con.execute(f"COPY (SELECT {_select_typed(part)} FROM _pmkit_part) TO '{target}' (FORMAT parquet)")
    finally:
        con.unregister("_pmkit_part")


@contextlib.contextmanager
def _parquet_lock(store: UpdateStore):
    # one writer at a time computes the next ids; flock is released even if the process dies
    store.path.mkdir(parents=True, exist_ok=True)
    fh = open(store.path / ".lock", "a+b")  # noqa: SIM115 - held for the whole block
    try:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: the rename below still refuses a clash
            pass
        yield
    finally:
        fh.close()


def _commit(store: UpdateStore, build) -> object:
    """Run ``build(con) -> (parts, result)`` and append the parts as one transaction."""
    duckdb = _duckdb()
    if store.backend == "duckdb":
        store.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(store.path))
        except duckdb.Error as exc:
            raise PmkitError(f"cannot open update store {store.path} for writing: {exc}") from None
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                parts, result = build(con)
                existing = _columns_in(con)
                for part in parts:
                    _append(con, part, existing)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()
        return result
    with _parquet_lock(store):
        dirs = _recording_dirs(store)
        con = duckdb.connect()
        tmp = store.path / f".tmp-{uuid.uuid4().hex}"
        try:
            if dirs:
                _parquet_views(con, dirs)
            parts, result = build(con)
            tmp.mkdir()
            for part in parts:
                _write_parquet(con, part, tmp)
            final = store.path / "recordings" / f"{int(result['recording_id']):09d}"
            final.parent.mkdir(exist_ok=True)
            # one rename publishes the whole recording; readers never see half of it
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            con.close()
        return result


# --------------------------------------------------------------------------- encoding frames
def _column_types(df: pd.DataFrame, table: str) -> tuple[dict[str, str], list[dict], pd.DataFrame]:
    """SQL types, manifest rows and the frame to store (text missing-kinds made explicit)."""
    types: dict[str, str] = {}
    manifest: list[dict] = []
    extra: dict[str, pd.Series] = {}
    if len(set(map(str, df.columns))) != df.shape[1]:
        raise PmkitError(f"cannot record table {table}: it has duplicate column names")
    for pos, col in enumerate(df.columns):
        if not isinstance(col, str) or col.startswith(("_update_id", "_recording_id", "_row_no", _NA_PREFIX)):
            raise PmkitError(f"cannot record table {table}: column {col!r} is not a plain text name "
                             f"(names starting with _update_id, _recording_id, _row_no are reserved)")
        dtype = str(df[col].dtype)
        sql = _DTYPE_SQL.get(dtype)
        if sql is None:
            raise PmkitError(f"cannot record table {table}: column {col!r} has dtype {dtype}, which the "
                             f"update store does not keep (text, numbers, booleans and dates are kept)")
        missing = ""
        if dtype == "object":
            s = df[col]
            na = s.isna().to_numpy()
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind not in ("string", "empty"):
                raise PmkitError(f"cannot record table {table}: column {col!r} holds {kind} values, not text")
            if na.any():
                codes = _missing_codes(s[na])
                if len(set(codes)) == 1:
                    missing = codes[0]
                else:  # mixed None / NaN in one column: remember each cell's kind
                    missing = "cell"
                    code = pd.Series(pd.NA, index=df.index, dtype=object)
                    code[na] = codes
                    extra[_NA_PREFIX + col] = code
                    types[_NA_PREFIX + col] = "VARCHAR"
        types[col] = sql
        manifest.append({"table_name": table, "position": pos, "column_name": col, "dtype": dtype,
                         "missing": missing})
    frame = df.assign(**extra) if extra else df
    return types, manifest, frame


def _missing_codes(values: pd.Series) -> list[str]:
    out = []
    for v in values:
        if v is None:
            out.append("none")
        elif v is pd.NA:
            out.append("na")
        elif v is pd.NaT:
            out.append("nat")
        else:
            out.append("nan")
    return out


def _decode(raw: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Rebuild a stored frame: the recorded columns, in order, with the recorded dtypes."""
    cols = {}
    for m in manifest.itertuples(index=False):
        s = raw[m.column_name] if m.column_name in raw.columns else pd.Series(pd.NA, index=raw.index)
        dtype = m.dtype
        if dtype == "object":
            s = s.astype(object)
            na = s.isna().to_numpy()
            if na.any():
                if m.missing == "cell":
                    code = raw[_NA_PREFIX + m.column_name].astype(object)
                    s = s.where(~na, code.map(_MISSING_KINDS))
                    s[na & code.isna().to_numpy()] = None
                else:
                    s = s.where(~na, _MISSING_KINDS.get(m.missing or "none"))
                    if m.missing in ("", "none"):
                        s[na] = None
        elif dtype in ("bool",) and s.isna().any():
            raise PmkitError(f"stored column {m.column_name} of dtype bool has missing values")
        else:
            s = s.astype(dtype)
        cols[m.column_name] = s.reset_index(drop=True)
    return pd.DataFrame(cols, index=pd.RangeIndex(len(raw)))


# --------------------------------------------------------------------------- recording
def record_update(store: UpdateStore | str | os.PathLike, data: Portfolio | Project, as_of,
                  project_ids: Iterable[str] | None = None, measures: bool | Iterable[str] = True,
                  source: str = "") -> pd.DataFrame:
    """Record the status update of a project, or of every project of a portfolio, at ``as_of``.

    The project's data is kept as given (its progress records after ``as_of`` included,
    so a past data date can be recorded from today's file); the measures are computed at
    ``as_of``. Nothing recorded earlier changes: recording the same project and data date
    again adds a new version. The whole call is one transaction.

    Parameters
    ----------
    store : UpdateStore or path
        Where to record (created on first use).
    data : Portfolio or Project
    as_of : date-like
        The data date of the update.
    project_ids : list of str, optional
        Only these projects of a portfolio (default: all).
    measures : bool or list of {"evm", "schedule", "risk", "dcma"}
        Measures to compute now (:func:`update_measures`); ``False`` records the data
        only, which is much faster for large portfolios. ``"dcma"`` needs
        :mod:`pmkit.project.health`; when that module is missing the DCMA columns stay empty.
    source : str
        Where the data came from (a path), kept with the update.

    Returns
    -------
    DataFrame
        The new updates, as :func:`list_updates` lists them.

    Examples
    --------
    >>> import pmkit, tempfile, pathlib
    >>> from pmkit.history import record_update, load_update
    >>> prj = pmkit.synth.project(20, seed=1)
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "demo.history.duckdb"
    >>> record_update(store, prj, "2025-03-03", measures=False)["version"].tolist()
    [1]
    >>> load_update(store, prj.project_id).tasks.equals(prj.tasks)
    True
    """
    st = _as_store(store)
    when = pd.Timestamp(as_of)
    if pd.isna(when):
        raise PmkitError("record_update: as_of must be a date")
    groups = _measure_groups(measures)
    if isinstance(data, Portfolio):
        pf = data
        ids = pf.project_ids if project_ids is None else [str(p) for p in project_ids]
        unknown = [p for p in ids if p not in set(pf.project_ids)]
        if unknown:
            raise UnknownIdError(f"unknown project {unknown[0]!r}{did_you_mean(unknown[0], pf.project_ids)} "
                                 f"in record_update")
        keep = set(ids)
        info = pf.projects[pf.projects["project_id"].astype(str).isin(keep)].reset_index(drop=True)
        project_tables = {t: _rows_of(getattr(pf, t), keep) for t in PROJECT_TABLES}
        context = {t: getattr(pf, t) for t in CONTEXT_TABLES}
        kind = "portfolio"
        projects = _iter_projects(pf, ids) if groups else iter(())
    elif isinstance(data, Project):
        prj = data
        info = prj.info_frame()
        project_tables = {t: getattr(prj, t) for t in PROJECT_TABLES}
        cal_rows, hol_rows = zip(*(c.to_frame() for c in prj.calendars.values()), strict=True)
        context = {"roles": prj.roles, "resources": prj.resources,
                   "calendars": pd.concat(cal_rows, ignore_index=True),
                   "holidays": pd.concat(hol_rows, ignore_index=True)}
        kind = "project"
        projects = iter([prj]) if groups else iter(())
    else:
        raise PmkitError(f"record_update needs a pmkit Portfolio or Project, not {type(data).__name__}")
    info = info.reset_index(drop=True)
    pids = info["project_id"].astype(str).to_numpy()
    if len(set(pids)) != len(pids):
        raise PmkitError("record_update: the projects table lists a project id twice")
    # measures before the transaction: a slow or failing computation never holds the store
    measured = _measure_frame([_measure_row(p, when, groups) for p in projects]) if groups else None
    recorded_at = pd.Timestamp(_dt.datetime.now()).floor("us")

    def build(con):
        have = _tables_in(con) if con is not None else set()
        rid = _next_id(con, "recordings", "recording_id", have)
        uid0 = _next_id(con, "updates", "update_id", have)
        uids = np.arange(uid0, uid0 + len(pids), dtype=np.int64)
        prior = _prior_versions(con, have, pids, when)
        uid_of = dict(zip(pids, uids, strict=True))
        counts = {t: project_tables[t]["project_id"].astype(str).value_counts() for t in
                  ("tasks", "dependencies", "status", "risks")}
        updates = pd.DataFrame({
            "update_id": uids, "recording_id": rid, "project_id": pids,
            "data_date": pd.Series(when, index=range(len(pids))).astype("datetime64[ns]"),
            "version": prior + 1, "recorded_at": recorded_at, "source": str(source),
            "program_id": info["program_id"].astype(str).to_numpy(), "project_name": info["name"].astype(str).to_numpy(),
            "state": info["state"].astype(str).to_numpy(),
            **{col: counts[t].reindex(pids).fillna(0).astype("int64").to_numpy() for col, t in
               (("task_count", "tasks"), ("dependency_count", "dependencies"), ("status_rows", "status"),
                ("risk_count", "risks"))},
            "measures": ",".join(groups),
        })
        from . import __version__

        parts = [_Part("recordings", pd.DataFrame([{"recording_id": rid, "recorded_at": recorded_at,
                                                    "source": str(source), "kind": kind, "projects": len(pids),
                                                    "pmkit_version": __version__}]), _RECORDING_COLUMNS),
                 _Part("updates", updates, _UPDATE_COLUMNS)]
        manifest: list[dict] = []
        for t, df in (("projects", info), *project_tables.items()):
            types, rows, frame = _column_types(df, t)
            manifest += rows
            key = frame["project_id"].astype(str)
            frame = frame.assign(**{_UID: key.map(uid_of).to_numpy(dtype=np.int64),
                                    _ROW: frame.groupby(key, sort=False).cumcount().to_numpy(dtype=np.int64)})
            parts.append(_Part(f"snap_{t}", frame, {_UID: "BIGINT", _ROW: "BIGINT", **types}))
        for t, df in context.items():
            types, rows, frame = _column_types(df.reset_index(drop=True), t)
            manifest += rows
            frame = frame.assign(**{_RID: rid, _ROW: np.arange(len(frame), dtype=np.int64)})
            parts.append(_Part(f"ctx_{t}", frame, {_RID: "BIGINT", _ROW: "BIGINT", **types}))
        parts.append(_Part("manifest", pd.DataFrame(manifest).assign(recording_id=rid)[list(_MANIFEST_COLUMNS)],
                           _MANIFEST_COLUMNS))
        if measured is not None:
            m = measured.assign(update_id=measured["project_id"].map(uid_of).astype("int64"))
            cols = {"update_id": "BIGINT", **{c: t for g in MEASURE_GROUPS for c, t in MEASURE_COLUMNS[g].items()}}
            parts.append(_Part("measures", m.reindex(columns=list(cols)), cols))
        return parts, {"recording_id": rid, "update_ids": uids}

    result = _commit(st, build)
    listed = list_updates(st)
    return listed[listed["update_id"].isin(result["update_ids"])].reset_index(drop=True)


def _rows_of(df: pd.DataFrame, keep: set[str]) -> pd.DataFrame:
    return df[df["project_id"].astype(str).isin(keep)].reset_index(drop=True)


def _next_id(con, table: str, col: str, have: set[str]) -> int:
    if con is None or table not in have:
        return 1
    v = con.execute(f"SELECT max({col}) FROM {table}").fetchone()[0]
    return 1 if v is None else int(v) + 1


def _prior_versions(con, have: set[str], pids: np.ndarray, when: pd.Timestamp) -> np.ndarray:
    if con is None or "updates" not in have:
        return np.zeros(len(pids), dtype=np.int64)
    df = con.execute("SELECT project_id, max(version) AS v FROM updates WHERE data_date = ? GROUP BY project_id",
                     [when.to_pydatetime()]).df()
    return pd.Series(pids).map(df.set_index("project_id")["v"]).fillna(0).astype("int64").to_numpy()


def _iter_projects(pf: Portfolio, ids: list[str]) -> Iterator[Project]:
    """The portfolio's projects, split once per table (``Portfolio.project`` filters every
    table for every project, which is quadratic over a large portfolio)."""
    cals = MappingProxyType(pf.calendar_map())
    positions = {t: getattr(pf, t).groupby(getattr(pf, t)["project_id"].astype(str), sort=False).indices
                 for t in PROJECT_TABLES}
    info = pf.projects.set_index(pf.projects["project_id"].astype(str))
    for pid in ids:
        r = info.loc[pid]
        tables = {}
        for t in PROJECT_TABLES:
            df = getattr(pf, t)
            idx = positions[t].get(pid)
            tables[t] = df.iloc[0:0] if idx is None else df.take(idx).reset_index(drop=True)
        yield _project_from_row(r, tables, cals, pf.roles, pf.resources)


def _project_from_row(info, tables: dict, cals, roles, resources) -> Project:
    # the same fields Portfolio.project gives, so a loaded update equals pf.project(id)
    return Project(
        project_id=str(info["project_id"]), name=str(info["name"]), state=str(info["state"]),
        start_date=info["start_date"],
        status_date=None if pd.isna(info["status_date"]) else info["status_date"],
        deadline=None if pd.isna(info["deadline"]) else info["deadline"],
        finish_date=None if pd.isna(info["finish_date"]) else info["finish_date"],
        budget=float(info["budget"]), program_id=str(info["program_id"]), kind=str(info["kind"]),
        manager=str(info["manager"]), sponsor=str(info["sponsor"]), client=str(info["client"]),
        description=str(info["description"]), calendar=cals.get(str(info["calendar_id"]), STANDARD),
        calendars=cals, roles=roles, resources=resources, validate=False, **tables)


def _measure_groups(measures) -> tuple[str, ...]:
    if measures is True:
        return MEASURE_GROUPS
    if measures is False or measures is None:
        return ()
    groups = tuple(str(m) for m in ([measures] if isinstance(measures, str) else measures))
    bad = [g for g in groups if g not in MEASURE_GROUPS]
    if bad:
        raise PmkitError(f"unknown measure group {bad[0]!r}{did_you_mean(bad[0], MEASURE_GROUPS)}; "
                         f"groups: {', '.join(MEASURE_GROUPS)}")
    return tuple(g for g in MEASURE_GROUPS if g in groups)


# --------------------------------------------------------------------------- measures
# The store spans both lenses: it keeps the data layer's tables and computes the project
# lens's measures (imported when measures are computed, so recording without them stays light).
def update_measures(project: Project, as_of, groups: Iterable[str] = MEASURE_GROUPS) -> pd.DataFrame:
    """The measures of one status update: one row, a column per measure.

    * ``evm``: BAC, PV, EV, AC, SPI, CPI, SPI(t), EAC, % complete and the earned schedule
      forecast finish (IEAC(t) with PF = SPI(t)) at the latest status date on or before
      ``as_of`` (:func:`pmkit.project.evm.earned_value`; PMBOK Guide 7th ed. 2.7; Lipke
      2003, 2009); the baseline execution index ``BEI = tasks completed / tasks with a
      baseline finish on or before as_of`` over non-summary tasks (DCMA 14-Point Assessment,
      check 14, DCMA-EA PAM 200.1, 2012).
    * ``schedule``: the CPM forecast finish at ``as_of`` (:func:`pmkit.schedule`, Kelley &
      Walker 1959), the baseline finish, ``finish_slip_days`` (working days of the project
      calendar from baseline to forecast finish, positive = late) and the float of the
      remaining work (unfinished non-summary tasks): ``min_total_float_days`` and
      ``mean_total_float_days``. Float *erosion* is the fall of the minimum from one update
      to the next (see :func:`project_trend`).
    * ``risk``: open risks and their expected monetary value in cost and days at ``as_of``
      (:func:`pmkit.project.risk.exposure`; PMBOK Guide 7th ed. 4.6.6).
    * ``dcma``: the schedule checks of :func:`pmkit.project.health.health` at ``as_of``:
      checks evaluated (a check lacking its inputs is not), checks passed, failed check
      names (DCMA 14-Point Assessment, DCMA-EA PAM 200.1, 2012).

    Examples
    --------
    >>> import pmkit
    >>> from pmkit.history import update_measures
    >>> m = update_measures(pmkit.synth.project(30, seed=4), "2025-02-14", ["schedule"])
    >>> bool(m["forecast_finish"].iloc[0] >= m["baseline_finish"].iloc[0] - pd.Timedelta(days=400))
    True
    """
    return _measure_frame([_measure_row(project, pd.Timestamp(as_of), _measure_groups(list(groups)))])


def _measure_frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["project_id", *(c for g in MEASURE_GROUPS for c in MEASURE_COLUMNS[g])])
    for g in MEASURE_GROUPS:
        for c, t in MEASURE_COLUMNS[g].items():
            out[c] = out[c].astype("datetime64[ns]" if t.startswith("TIMESTAMP") else object if t == "VARCHAR"
                                   else "float64")
    return out


def _measure_row(project: Project, when: pd.Timestamp, groups: tuple[str, ...]) -> dict:
    row: dict = {"project_id": project.project_id}
    for g in MEASURE_GROUPS:
        for c, t in MEASURE_COLUMNS[g].items():
            row[c] = pd.NaT if t.startswith("TIMESTAMP") else ("" if t == "VARCHAR" else np.nan)
    try:
        if "evm" in groups:
            row.update(_evm_measures(project, when))
        if "schedule" in groups:
            row.update(_schedule_measures(project, when))
        if "risk" in groups:
            from pmkit.project.risk import exposure

            e = exposure(project, dates=[when]).iloc[0]
            row.update(open_risks=float(e["open_risks"]), risk_exposure_cost=float(e["emv_cost"]),
                       risk_exposure_days=float(e["emv_days"]))
        if "dcma" in groups:
            row.update(_dcma_measures(project, when))
    except PmkitError as exc:
        raise PmkitError(f"project {project.project_id}: cannot compute its measures at {when:%Y-%m-%d}: {exc}") \
            from None
    return row


def _leaf_mask(project: Project) -> np.ndarray:
    t = project.tasks
    parents = set(t["parent_id"].astype(str)) - {""}
    return ~t["task_id"].astype(str).isin(parents).to_numpy()


def _evm_measures(project: Project, when: pd.Timestamp) -> dict:
    out: dict = {}
    dates = [d for d in project.status_dates if d <= when]
    if len(project.baseline) and dates:
        from pmkit.project.evm import earned_value

        ev = earned_value(project, status_dates=dates[-1:]).iloc[0]
        out.update({c: float(ev[c]) for c in ("bac", "pv", "ev", "ac", "spi", "cpi", "spi_t", "eac",
                                              "percent_complete")})
        out["es_forecast_finish"] = ev["forecast_finish"]
    elif len(project.baseline):
        out["bac"] = project.bac
    # BEI (DCMA check 14): all tasks finished by as_of over those baselined to finish by then
    t = project.tasks.loc[_leaf_mask(project), "task_id"].astype(str)
    if len(project.baseline) and len(t):
        bl = project.baseline.set_index(project.baseline["task_id"].astype(str))["baseline_finish"]
        due = int((bl.reindex(t.to_numpy()) <= when).sum())
        st = project.status[project.status["status_date"] <= when]
        st = st.sort_values("status_date", kind="stable").drop_duplicates("task_id", keep="last")
        done = st[st["task_id"].astype(str).isin(set(t)) & (st["actual_finish"].notna()
                                                            | (st["percent_complete"] >= 100))]
        out.update(tasks_due=float(due), tasks_completed=float(len(done)),
                   bei=len(done) / due if due else np.nan)
    return out


def _schedule_measures(project: Project, when: pd.Timestamp) -> dict:
    from pmkit.project.scheduling import schedule

    if not len(project.tasks):
        return {}
    sch = schedule(project, status_date=when)
    finish = pd.Timestamp(sch.attrs["project_finish"])
    b_finish = project.baseline["baseline_finish"].max() if len(project.baseline) else pd.NaT
    remaining = sch[(~sch["summary"].astype(bool)) & (sch["progress"] != "finished")]
    tf = remaining["total_float_days"].to_numpy(dtype=float)
    slip = float(project.calendar.working_days_between(b_finish, finish)) if pd.notna(b_finish) else np.nan
    return {"forecast_finish": finish, "baseline_finish": b_finish, "finish_slip_days": slip,
            "remaining_tasks": float(len(remaining)),
            "min_total_float_days": float(tf.min()) if tf.size else np.nan,
            "mean_total_float_days": float(tf.mean()) if tf.size else np.nan}


def _dcma_measures(project: Project, when: pd.Timestamp) -> dict:
    import importlib.util

    if importlib.util.find_spec("pmkit.project.health") is None:  # written alongside; optional until it lands
        return {}
    from pmkit.project.health import health

    checks = health(project, status_date=when).checks
    # a check without its inputs (no baseline, no status date) is not evaluated: <NA>
    evaluated = checks["passed"].notna().to_numpy()
    passed = checks["passed"].fillna(False).astype(bool).to_numpy()
    return {"dcma_checks": float(evaluated.sum()), "dcma_passed": float(passed.sum()),
            "dcma_failed": ", ".join(checks.loc[evaluated & ~passed, "check"].astype(str))}


# --------------------------------------------------------------------------- reading
def list_updates(store: UpdateStore | str | os.PathLike, project_id: str | None = None) -> pd.DataFrame:
    """Every recorded update, oldest first: one row per project, data date and version.

    Returns
    -------
    DataFrame
        ``update_id``, ``project_id``, ``project_name``, ``program_id``, ``state``,
        ``data_date``, ``version``, ``latest`` (the newest version of its data date),
        ``recorded_at``, ``source``, ``task_count``, ``dependency_count``,
        ``status_rows``, ``risk_count``, ``measures`` (groups computed). Empty (with
        these columns) for a store that does not exist yet.

    Examples
    --------
    >>> from pmkit.history import list_updates
    >>> list_updates("nowhere.history.duckdb").empty
    True
    """
    st = _as_store(store)
    cols = ["update_id", "project_id", "project_name", "program_id", "state", "data_date", "version", "latest",
            "recorded_at", "source", "task_count", "dependency_count", "status_rows", "risk_count", "measures"]
    with _reader(st) as con:
        if con is None or "updates" not in _tables_in(con):
            df = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("update_id", "version") else "object")
                               for c in cols})
            df["latest"] = df["latest"].astype(bool)
            for c in ("data_date", "recorded_at"):
                df[c] = df[c].astype("datetime64[ns]")
            return df
        where, params = ("WHERE project_id = ?", [str(project_id)]) if project_id is not None else ("", [])
        df = con.execute(f"SELECT * FROM updates {where} ORDER BY update_id", params).df()
    df["latest"] = df["version"] == df.groupby(["project_id", "data_date"])["version"].transform("max")
    for c in ("project_id", "project_name", "program_id", "state", "source", "measures"):
        df[c] = df[c].astype(object)
    return df[cols].reset_index(drop=True)


def _pick(updates: pd.DataFrame, project_id: str, as_of=None, version: int | None = None) -> pd.Series:
    mine = updates[updates["project_id"] == str(project_id)]
    if mine.empty:
        known = sorted(updates["project_id"].unique())
        raise UnknownIdError(f"no update of project {project_id!r} in the store"
                             f"{did_you_mean(str(project_id), known)} (recorded: {', '.join(known[:15]) or 'none'})")
    if as_of is not None:
        when = pd.Timestamp(as_of)
        on = mine[mine["data_date"] <= when]
        if on.empty:
            raise PmkitError(f"project {project_id} has no update on or before {when:%Y-%m-%d} (first: "
                             f"{mine['data_date'].min():%Y-%m-%d})")
        mine = on[on["data_date"] == on["data_date"].max()]
    else:
        mine = mine[mine["data_date"] == mine["data_date"].max()]
    if version is not None:
        hit = mine[mine["version"] == int(version)]
        if hit.empty:
            raise PmkitError(f"project {project_id} has no version {version} at {mine['data_date'].iloc[0]:%Y-%m-%d}"
                             f" (versions: {', '.join(map(str, mine['version']))})")
        return hit.iloc[0]
    return mine.sort_values("version").iloc[-1]


def _fetch(con, table: str, key: str, ids: list[int], manifest: pd.DataFrame) -> pd.DataFrame:
    listed = ", ".join(str(int(i)) for i in ids)
    wanted = manifest["column_name"].tolist() + [c for c in (_NA_PREFIX + n for n in manifest.loc[
        manifest["missing"] == "cell", "column_name"])]
    cols = ", ".join(_quote(c) for c in [key, *wanted])
    return con.execute(f"SELECT {cols} FROM {_quote(table)} WHERE {_quote(key)} IN ({listed}) "
                       f"ORDER BY {_quote(key)}, {_ROW}").df()


def _manifests(con, recording_ids) -> dict[tuple[int, str], pd.DataFrame]:
    listed = ", ".join(str(int(i)) for i in set(recording_ids))
    m = con.execute(f"SELECT * FROM manifest WHERE recording_id IN ({listed}) ORDER BY recording_id, table_name, "
                    f"position").df()
    m["missing"] = m["missing"].fillna("").astype(object)
    return {(int(r), t): g.reset_index(drop=True) for (r, t), g in m.groupby(["recording_id", "table_name"])}


def load_update(store: UpdateStore | str | os.PathLike, project_id: str, as_of=None,
                version: int | None = None) -> Project:
    """The project exactly as recorded in one update.

    Parameters
    ----------
    store : UpdateStore or path
    project_id : str
    as_of : date-like, optional
        The update of the latest data date on or before this date (default: the latest).
    version : int, optional
        Which version of that data date (default: the latest).

    Returns
    -------
    Project
        Every table equal to the recorded one (columns, dtypes, values), every field too.

    Examples
    --------
    >>> from pmkit.history import load_update
    >>> load_update("nowhere.history.duckdb", "P01")
    Traceback (most recent call last):
    pmkit.errors.UnknownIdError: no update of project 'P01' in the store (recorded: none)
    """
    st = _as_store(store)
    upd = _pick(list_updates(st), project_id, as_of, version)
    uid, rid = int(upd["update_id"]), int(upd["recording_id"]) if "recording_id" in upd else None
    with _reader(st) as con:
        rid = int(con.execute("SELECT recording_id FROM updates WHERE update_id = ?", [uid]).fetchone()[0])
        man = _manifests(con, [rid])
        tables = {t: _decode(_fetch(con, f"snap_{t}", _UID, [uid], man[(rid, t)]), man[(rid, t)])
                  for t in ("projects", *PROJECT_TABLES)}
        ctx = {t: _decode(_fetch(con, f"ctx_{t}", _RID, [rid], man[(rid, t)]), man[(rid, t)])
               for t in ("roles", "resources", "calendars", "holidays")}
    info = tables.pop("projects").iloc[0]
    cals = MappingProxyType(calendars_from_tables(ctx["calendars"], ctx["holidays"]))
    return _project_from_row(info, tables, cals, ctx["roles"], ctx["resources"])


def load_portfolio_update(store: UpdateStore | str | os.PathLike, as_of=None) -> Portfolio:
    """The portfolio as it stood at ``as_of``: each project's latest update on or before it.

    Project tables come from each project's update (latest version); the portfolio-level
    tables (programs, roles, calendars, capacity ...) from the newest of those updates'
    recordings. The result is not validated again (it was data when it was recorded).

    Examples
    --------
    >>> from pmkit.history import load_portfolio_update
    >>> load_portfolio_update("nowhere.history.duckdb")
    Traceback (most recent call last):
    pmkit.errors.PmkitError: the update store nowhere.history.duckdb holds no updates
    """
    st = _as_store(store)
    ups = list_updates(st)
    if as_of is not None:
        ups = ups[ups["data_date"] <= pd.Timestamp(as_of)]
    if ups.empty:
        raise PmkitError(f"the update store {st.path} holds no updates"
                         + (f" on or before {pd.Timestamp(as_of):%Y-%m-%d}" if as_of is not None else ""))
    ups = ups.sort_values(["data_date", "version", "update_id"]).groupby("project_id").tail(1)
    ups = ups.sort_values("update_id")
    uids = ups["update_id"].tolist()
    with _reader(st) as con:
        rec = con.execute(f"SELECT update_id, recording_id FROM updates WHERE update_id IN "
                          f"({', '.join(map(str, uids))})").df().set_index("update_id")["recording_id"]
        rids = rec.reindex(uids).astype("int64").tolist()
        man = _manifests(con, rids)
        newest = max(rids)
        tables: dict[str, pd.DataFrame] = {}
        for t in ("projects", *PROJECT_TABLES):
            frames = []
            for r in sorted(set(rids)):
                mine = [u for u, rr in zip(uids, rids, strict=True) if rr == r]
                raw = _fetch(con, f"snap_{t}", _UID, mine, man[(r, t)])
                frames.append(_decode(raw, man[(r, t)]))
            tables[t] = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        for t in CONTEXT_TABLES:
            if (newest, t) in man:
                tables[t] = _decode(_fetch(con, f"ctx_{t}", _RID, [newest], man[(newest, t)]), man[(newest, t)])
    return Portfolio(**tables, validate=False)


def stored_measures(store: UpdateStore | str | os.PathLike, project_id: str | None = None,
                    latest_only: bool = True) -> pd.DataFrame:
    """The measures recorded with each update: one row per update (wide).

    ``latest_only`` keeps, per project and data date, the newest version recorded with
    measures (updates recorded with ``measures=False`` have no row here).
    """
    st = _as_store(store)
    ups = list_updates(st, project_id)
    cols = [c for g in MEASURE_GROUPS for c in MEASURE_COLUMNS[g]]
    with _reader(st) as con:
        if con is None or "measures" not in _tables_in(con):
            m = pd.DataFrame(columns=["update_id", *cols])
        else:
            m = con.execute("SELECT * FROM measures").df()
    m["update_id"] = m["update_id"].astype("int64")
    out = ups[["update_id", "project_id", "program_id", "data_date", "version"]].merge(m, on="update_id", how="inner")
    if latest_only:  # the newest version that was measured (a data-only re-recording has none)
        out = out.sort_values("version").groupby(["project_id", "data_date"]).tail(1)
    for g in MEASURE_GROUPS:
        for c, t in MEASURE_COLUMNS[g].items():
            out[c] = out[c].astype("datetime64[ns]" if t.startswith("TIMESTAMP") else object if t == "VARCHAR"
                                   else "float64")
    return out.sort_values(["project_id", "data_date", "version"]).reset_index(drop=True)


# --------------------------------------------------------------------------- trends
#: How each measure rolls up over a program or the portfolio (see docs/history.md).
ROLLUP_RULES = {
    "forecast_finish": "latest (max) forecast finish of the members",
    "finish_slip_days": "worst (max) finish slip of the members",
    "min_total_float_days": "smallest remaining float of any member",
    "mean_total_float_days": "mean over all remaining tasks (weighted by remaining tasks)",
    "spi": "sum EV / sum PV", "cpi": "sum EV / sum AC",
    "spi_t": "BAC-weighted mean of the members' SPI(t)",
    "bei": "sum of tasks completed / sum of tasks due",
    "open_risks": "sum", "risk_exposure_cost": "sum", "risk_exposure_days": "worst (max) member",
    "dcma_passed": "sum", "dcma_checks": "sum", "projects_failing_dcma": "members with a failed check",
    "bac": "sum", "pv": "sum", "ev": "sum", "ac": "sum",
}


def project_trend(store: UpdateStore | str | os.PathLike, project_id: str | None = None) -> pd.DataFrame:
    """The measures of each project over its updates (newest version per data date).

    Adds ``float_erosion_days``: the previous update's minimum total float of remaining
    work minus this one's (positive when float was consumed; empty at the first update).

    Returns
    -------
    DataFrame
        ``level`` ("project"), ``id`` (the project id), ``program_id``, ``data_date``,
        ``update_id``, ``version`` and the measure columns of :func:`update_measures`.
    """
    m = stored_measures(store, project_id)
    m = m.sort_values(["project_id", "data_date"]).reset_index(drop=True)
    m["float_erosion_days"] = m.groupby("project_id")["min_total_float_days"].shift(1) - m["min_total_float_days"]
    m.insert(0, "level", "project")
    m.insert(1, "id", m.pop("project_id").astype(object))
    return m


def _rollup(m: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """Carry each project's latest update forward to every data date of its group, then roll up."""
    if m.empty:
        return pd.DataFrame(columns=["level", "id", "data_date", "projects", *ROLLUP_RULES, "float_erosion_days"])
    group = m["program_id"] if key else pd.Series("portfolio", index=m.index)
    m = m.assign(_group=group.astype(str).to_numpy())
    frames = []
    for g, part in m.groupby("_group", sort=True):
        dates = np.sort(part["data_date"].unique())
        members = part["project_id"].unique()
        # the grid is data dates x members of this group: each member's last update carries forward
        grid = pd.DataFrame({"data_date": np.repeat(dates, len(members)),
                             "project_id": pd.Series(np.tile(members, len(dates)), dtype=object)}
                            ).sort_values("data_date", kind="stable")
        carried = pd.merge_asof(grid, part.sort_values("data_date").drop(columns=["_group"]),
                                on="data_date", by="project_id", direction="backward")
        carried = carried[carried["update_id"].notna()]
        frames.append(_aggregate(carried).assign(id=g))
    out = pd.concat(frames, ignore_index=True)
    out["float_erosion_days"] = out.groupby("id")["min_total_float_days"].shift(1) - out["min_total_float_days"]
    out.insert(0, "level", "program" if key else "portfolio")
    out.insert(1, "id", out.pop("id"))
    return out


def _aggregate(c: pd.DataFrame) -> pd.DataFrame:
    g = c.assign(_tf=c["mean_total_float_days"] * c["remaining_tasks"],
                 _tfw=c["remaining_tasks"].where(c["mean_total_float_days"].notna()),
                 _st=c["spi_t"] * c["bac"], _stw=c["bac"].where(c["spi_t"].notna()),
                 _fail=(c["dcma_passed"] < c["dcma_checks"]).astype(float).where(c["dcma_checks"].notna()))
    by = g.groupby("data_date", sort=True)

    def total(col):
        return by[col].sum(min_count=1)

    out = pd.DataFrame({
        "projects": by["project_id"].nunique(),
        "forecast_finish": by["forecast_finish"].max(), "finish_slip_days": by["finish_slip_days"].max(),
        "min_total_float_days": by["min_total_float_days"].min(),
        "mean_total_float_days": total("_tf") / total("_tfw"),
        "spi": total("ev") / total("pv"), "cpi": total("ev") / total("ac"), "spi_t": total("_st") / total("_stw"),
        "bei": total("tasks_completed") / total("tasks_due"),
        "open_risks": total("open_risks"), "risk_exposure_cost": total("risk_exposure_cost"),
        "risk_exposure_days": by["risk_exposure_days"].max(),
        "dcma_passed": total("dcma_passed"), "dcma_checks": total("dcma_checks"),
        "projects_failing_dcma": total("_fail"),
        "bac": total("bac"), "pv": total("pv"), "ev": total("ev"), "ac": total("ac"),
    })
    # a sum over nothing is not zero: no member reported it
    return out.replace([np.inf, -np.inf], np.nan).reset_index()


def program_trend(store: UpdateStore | str | os.PathLike, program_id: str | None = None) -> pd.DataFrame:
    """The measures rolled up per program at each data date of its projects.

    At each data date every member's latest update on or before it counts (a project that
    reports monthly is carried between its updates); the roll-up rules are
    :data:`ROLLUP_RULES` (sums first, then ratios: PMI Practice Standard for EVM, 2011).
    """
    m = stored_measures(store)
    if program_id is not None:
        if not (m["program_id"] == str(program_id)).any():
            known = sorted(m["program_id"].astype(str).unique())
            raise UnknownIdError(f"no update of program {program_id!r} in the store"
                                 f"{did_you_mean(str(program_id), known)} (programs: {', '.join(known) or 'none'})")
        m = m[m["program_id"] == str(program_id)]
    return _rollup(m, "program_id")


def project_updates(store: UpdateStore | str | os.PathLike, project_id: str) -> list[Project]:
    """Every recorded update of a project, oldest first (the latest version of each data date).

    The input of :func:`pmkit.windows_analysis` and :func:`pmkit.compare` over a project's history.

    Examples
    --------
    >>> import pmkit, tempfile, pathlib
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "h.duckdb"
    >>> prj = pmkit.synth.project(12, seed=1)
    >>> _ = record_update(store, prj, prj.start_date, measures=False)
    >>> [u.project_id for u in project_updates(store, prj.project_id)]
    ['SYN']
    """
    listed = list_updates(store, project_id)
    if listed.empty:
        raise UnknownIdError(f"no update of project {project_id!r} is recorded in {_as_store(store).path}")
    dates = sorted(listed.loc[listed["latest"], "data_date"].unique())
    return [load_update(store, project_id, as_of=d) for d in dates]


def portfolio_trend(store: UpdateStore | str | os.PathLike) -> pd.DataFrame:
    """The measures rolled up over every project of the store at each data date (see :func:`program_trend`)."""
    return _rollup(stored_measures(store), None)


def project_as_portfolio(project: Project) -> Portfolio:
    """A one-project :class:`Portfolio` (to save a loaded update with :func:`pmkit.save`)."""
    cal_rows, hol_rows = zip(*(c.to_frame() for c in project.calendars.values()), strict=True)
    cal = pd.concat(cal_rows, ignore_index=True)
    programs = pd.DataFrame({"program_id": [project.program_id] if project.program_id else [],
                             "name": [project.program_id] if project.program_id else []})
    return Portfolio(projects=project.info_frame(), roles=project.roles, resources=project.resources,
                     programs=programs, calendars=cal,
                     holidays=pd.concat(hol_rows, ignore_index=True),
                     **{t: getattr(project, t) for t in PROJECT_TABLES}, validate=False)


__all__ = ["BACKENDS", "CONTEXT_TABLES", "MEASURE_COLUMNS", "MEASURE_GROUPS", "ROLLUP_RULES", "UpdateStore",
           "default_store_path", "list_updates", "load_portfolio_update", "load_update", "portfolio_trend",
           "program_trend", "project_as_portfolio", "project_trend", "record_update",
           "stored_measures", "update_measures"]


# --------------------------------------------------------------------------- the sample's history

def sample_updates(project) -> list:
    """The monthly status updates of a sample project, as its team recorded them.

    One update per status date of ``project``, each with the progress known at that date
    and the plan as it stood then. The plan changed four times along the way, so the
    history has real revisions to find (:func:`pmkit.compare`, the windows analysis):

    1. from the 2nd update: added work (a not-started task that earlier updates lack);
    2. from the 3rd: changed logic (a redundant link earlier updates had is removed);
    3. from the 4th: a changed duration (earlier updates planned two thirds of it);
    4. from the 5th: a constraint lifted (earlier updates held a start-no-earlier-than
       constraint 14 days after the task's forecast start).

    The last update is the project exactly as given. Each revision touches a different
    task, chosen among those not started when the revision was made, critical ones first.
    """
    import dataclasses

    import numpy as np
    import pandas as pd

    from .project.scheduling import schedule

    dates = list(project.status_dates)
    if not dates:
        return []
    final = schedule(project)
    order = final.sort_values(["critical", "early_start"], ascending=[False, True], kind="stable")
    summary = set(final.loc[final["summary"], "task_id"]) if "summary" in final else set()
    deps = project.dependencies
    used: set[str] = set()

    def not_started(when) -> list[str]:
        st = project.status[project.status["status_date"] <= when]
        started = set(st.loc[st["actual_start"].notna() | (st["percent_complete"] > 0), "task_id"])
        return [t for t in order["task_id"] if t not in started and t not in summary and t not in used]

    def pick(when, test) -> str | None:
        task = next((t for t in not_started(when) if test(t)), None)
        if task is not None:
            used.add(task)
        return task

    revisions: list[tuple[int, str, object]] = []  # (first update index with it, kind, detail)
    if len(dates) > 1:
        preds, succs = set(deps["successor_id"]), set(deps["predecessor_id"])
        added = pick(dates[1], lambda t: t in preds and t in succs)
        if added:
            revisions.append((1, "added", added))
    if len(dates) > 2:
        avoid = set(used)  # the added task is absent from the updates that hold the extra link

        def has_grandparent(t):
            return bool(_redundant_link(deps, t, avoid))
        b = pick(dates[2], has_grandparent)
        if b:
            revisions.append((2, "logic", (_redundant_link(deps, b, avoid), b)))
    if len(dates) > 3:
        d = pick(dates[3], lambda t: float(project.tasks.set_index("task_id").at[t, "duration_days"]) >= 3)
        if d:
            revisions.append((3, "duration", d))
    if len(dates) > 4:
        c = pick(dates[4], lambda t: True)
        if c:
            start = final.set_index("task_id").at[c, "early_start"]
            revisions.append((4, "constraint", (c, pd.Timestamp(start).normalize() + pd.Timedelta(days=14))))

    updates = []
    for k, when in enumerate(dates):
        tasks, links = project.tasks.copy(), deps.copy()
        tables = {"status": project.status[project.status["status_date"] <= when],
                  "baseline": project.baseline, "assignments": project.assignments, "risks": project.risks}
        for first, kind, detail in revisions:
            if k >= first:
                continue  # this revision was already made at this update
            if kind == "added":
                ins = links.loc[links["successor_id"] == detail, "predecessor_id"]
                outs = links.loc[links["predecessor_id"] == detail, "successor_id"]
                links = links[(links["predecessor_id"] != detail) & (links["successor_id"] != detail)]
                bridge = pd.DataFrame([(a, b) for a in ins for b in outs], columns=["predecessor_id", "successor_id"])
                bridge = bridge.merge(links[["predecessor_id", "successor_id"]], how="left", indicator=True)
                bridge = bridge[bridge["_merge"] == "left_only"].drop(columns="_merge")
                links = pd.concat([links, bridge.assign(project_id=project.project_id, type="FS", lag_days=0.0)],
                                  ignore_index=True)
                tasks = tasks[tasks["task_id"] != detail]
                for name in ("status", "baseline", "assignments"):
                    tables[name] = tables[name][tables[name]["task_id"] != detail]
                risks = tables["risks"].copy()
                risks.loc[risks["task_id"] == detail, "task_id"] = None
                tables["risks"] = risks
            elif kind == "logic":
                a, b = detail
                links = pd.concat([links, pd.DataFrame({"project_id": [project.project_id], "predecessor_id": [a],
                                                        "successor_id": [b], "type": ["FS"], "lag_days": [0.0]})],
                                  ignore_index=True)
            elif kind == "duration":
                row = tasks["task_id"] == detail
                tasks.loc[row, "duration_days"] = np.maximum(1.0, np.round(tasks.loc[row, "duration_days"] * 2 / 3))
            elif kind == "constraint":
                task, date = detail
                row = tasks["task_id"] == task
                tasks.loc[row, "constraint_type"] = "SNET"
                tasks.loc[row, "constraint_date"] = date
        links = links.drop_duplicates(["predecessor_id", "successor_id"])  # a bridge may equal the extra link
        updates.append(dataclasses.replace(project, tasks=tasks.reset_index(drop=True),
                                           dependencies=links.reset_index(drop=True), status_date=when,
                                           **{n: df.reset_index(drop=True) for n, df in tables.items()}))
    return updates


def _redundant_link(deps, task: str, avoid: set[str]) -> str | None:
    """A task two links before ``task`` that has no direct link to it (a redundant link)."""
    parents = set(deps.loc[deps["successor_id"] == task, "predecessor_id"])
    grand = deps.loc[deps["successor_id"].isin(parents), "predecessor_id"]
    grand = [g for g in grand if g not in parents and g != task and g not in avoid]
    return sorted(grand)[0] if grand else None


def build_sample_history(data_path=None, store_path=None, states=("active", "on_hold"), project_ids=None):
    """Record the sample's updates (:func:`sample_updates`) of every running project in a store.

    The store is the default one beside the data (``data/samples/northwind.history.duckdb``)
    unless ``store_path`` is given; ``project_ids`` limits it to those projects. The store
    is append-only, so an existing one is replaced
    as a whole: the new file is built beside it and renamed over it in one step.
    Returns the :class:`pmkit.UpdateStore`.
    """
    import os

    from .data.io import load
    from .data.samples import sample_path

    data_path = Path(data_path) if data_path is not None else sample_path()
    final = Path(store_path) if store_path is not None else default_store_path(data_path)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    store = UpdateStore(tmp, "duckdb")
    pf = load(data_path)
    try:
        for project in pf.iter_projects(states):
            if project_ids is not None and project.project_id not in project_ids:
                continue
            for update in sample_updates(project):
                record_update(store, update, update.status_date, source=f"{data_path.name} (sample history)")
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)  # a failed build leaves the previous store, and no partial file
    return UpdateStore(final, "duckdb")


if __name__ == "__main__":  # python -m pmkit.history: build the sample's store of updates
    print(build_sample_history().path)
