"""Update store benchmark: recording a portfolio's status update against a plain DuckDB insert.

Usage::

    python benchmarks/bench_history.py [--projects 1000] [--tasks 50] [--measured 40]

Builds :func:`pmkit.synth.portfolio` and times, in the same process:

* ``record_update(measures=False)``: the whole portfolio into a fresh DuckDB store and a
  fresh Parquet folder (every project table, context tables, manifest, versions, one
  transaction), then ``load_update`` of one project and ``load_portfolio_update``;
* the plain alternative a competent user would write: ``duckdb`` ``CREATE TABLE AS`` of
  every raw portfolio table in one transaction (no versions, no exact round trip);
* ``record_update(measures=True)`` on the first ``--measured`` projects (CPM, EVM, risk,
  DCMA per project), reported per project as well.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def plain_insert(pf, path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("BEGIN TRANSACTION")
    for name, df in pf.tables().items():
        con.register("frame", df)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame')
        con.unregister("frame")
    con.execute("COMMIT")
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--tasks", type=int, default=50)
    ap.add_argument("--measured", type=int, default=40)
    a = ap.parse_args()

    import pmkit
    from pmkit import history as h

    t = time.perf_counter()
    pf = pmkit.synth.portfolio(a.projects, a.tasks, seed=1)
    print(f"synthetic portfolio: {a.projects} projects x {a.tasks} tasks, {len(pf.dependencies):,} links, "
          f"{len(pf.status):,} status rows (built in {time.perf_counter() - t:.1f} s)\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        plain_insert(pf, tmp / "plain.duckdb")
        base = time.perf_counter() - t
        rows.append(("plain duckdb CREATE TABLE AS of the raw tables", base))
        for backend, name in (("duckdb", "s.history.duckdb"), ("parquet", "s.history")):
            store = h.UpdateStore(tmp / name, backend)
            t = time.perf_counter()
            h.record_update(store, pf, "2025-06-30", measures=False)
            rows.append((f"record_update {backend}, measures=False", time.perf_counter() - t))
            t = time.perf_counter()
            h.record_update(store, pf, "2025-06-30", measures=False)
            rows.append((f"record_update {backend}, again (version 2)", time.perf_counter() - t))
            t = time.perf_counter()
            h.load_update(store, pf.project_ids[0])
            rows.append((f"load_update {backend}, one project", time.perf_counter() - t))
            t = time.perf_counter()
            h.load_portfolio_update(store)
            rows.append((f"load_portfolio_update {backend}", time.perf_counter() - t))
        ids = pf.project_ids[: a.measured]
        store = h.UpdateStore(tmp / "m.history.duckdb")
        t = time.perf_counter()
        h.record_update(store, pf, "2025-06-30", project_ids=ids, measures=True)
        measured = time.perf_counter() - t
        rows.append((f"record_update duckdb, measures=True, {len(ids)} projects", measured))
        t = time.perf_counter()
        h.record_update(store, pf, "2025-06-30", project_ids=ids, measures=False)
        rows.append((f"record_update duckdb, measures=False, {len(ids)} projects", time.perf_counter() - t))
    width = max(len(r[0]) for r in rows)
    print(f"{'operation':<{width}}  {'seconds':>8}  {'x plain':>8}")
    for label, sec in rows:
        print(f"{label:<{width}}  {sec:8.2f}  {sec / base:8.1f}")
    print(f"\nmeasures cost {measured / len(ids) * 1000:.0f} ms per project "
          f"(about {measured / len(ids) * a.projects:.0f} s for all {a.projects})")


if __name__ == "__main__":
    main()
