"""Fuzz driver: random mutations of small pmkit tables, MS Project XML and Primavera XER files.

Run by tests/test_fuzz.py in a subprocess (so its peak memory is its own):

    python tests/fuzz_driver.py --seed 1 --cases 120 --workdir DIR

Each case writes a mutated copy of a clean input, loads it and, when it loads, schedules
every project. An outcome is acceptable when it is a clean load or a PmkitError whose
message locates the problem (names the file, or a row, task, activity or link). Any other
exception is a failure. Prints one JSON line: ``{"cases", "clean", "located", "failures",
"peak_rss_mb"}`` with each failure's case, mutation and traceback tail.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

#: Values a hostile or careless user puts in a cell.
HOSTILE = ["", "1e12", "-1e12", "1e308", "nan", "inf", "-0", "abc", "2026", "01/12/2025", "9999-99-99",
           "1500-01-01", "2999-12-31", "2025-01-01T08:00+02:00", "NA", "#N/A", "=1+1", "@SUM(A1)",
           "x" * 5000, "\u202e\u0000evil", "<script>alert(1)</script>", "0x10", "1,5", "true", "-1"]
LOCATED = re.compile(r"row|task|activit|link|column|line|sheet|table|field|cell|\.csv|\.xml|\.xer|\.xlsx",
                     re.IGNORECASE)


def _sources(workdir: Path):
    import pmkit
    from pmkit.interop.mspdi import write_mspdi

    pf = pmkit.synth.portfolio(3, 15, seed=11)
    csv_dir = pmkit.save(pf, workdir / "clean_csv")
    prj = pmkit.synth.project(20, seed=3, progress=None)
    xml = write_mspdi(prj, workdir / "clean.xml")
    xer = workdir / "clean.xer"
    xer.write_text(_mini_xer(), encoding="utf-8")
    return csv_dir, xml, xer


def _mini_xer() -> str:
    """A small valid XER export: one project, a calendar, three activities, two links."""
    def table(name, fields, rows):
        lines = [f"%T\t{name}", "%F\t" + "\t".join(fields)]
        lines += ["%R\t" + "\t".join(str(v) for v in r) for r in rows]
        return "\n".join(lines)

    day = "(0||{d}()(0||0(s|08:00|f|16:00)()))"
    week = "(0||CalendarData()((0||DaysOfWeek()(" + "".join(day.format(d=d) for d in range(2, 7)) + "))))"
    parts = [
        "ERMHDR\t19.12\t2024-01-01\tProject\tadmin\tadmin\tdbxDatabaseNoName\tProject Management\tUSD",
        table("CALENDAR", ["clndr_id", "clndr_name", "day_hr_cnt", "clndr_data"], [[1, "Standard", 8, week]]),
        table("PROJECT", ["proj_id", "proj_short_name", "plan_start_date", "last_recalc_date", "clndr_id"],
              [[10, "DEMO", "2025-01-06 08:00", "2025-01-06 08:00", 1]]),
        table("PROJWBS", ["wbs_id", "proj_id", "parent_wbs_id", "wbs_short_name", "wbs_name", "proj_node_flag"],
              [[100, 10, "", "DEMO", "Demo", "Y"], [101, 10, 100, "A", "Area A", "N"]]),
        table("TASK", ["task_id", "proj_id", "wbs_id", "clndr_id", "task_code", "task_name", "task_type",
                       "status_code", "target_drtn_hr_cnt", "remain_drtn_hr_cnt", "cstr_type", "cstr_date"],
              [[1, 10, 101, 1, "A100", "Design", "TT_Task", "TK_NotStart", 40, 40, "", ""],
               [2, 10, 101, 1, "A200", "Build", "TT_Task", "TK_NotStart", 80, 80, "CS_MSOA", "2025-01-20 08:00"],
               [3, 10, 101, 1, "A300", "Done", "TT_FinMile", "TK_NotStart", 0, 0, "", ""]]),
        table("TASKPRED", ["task_pred_id", "task_id", "pred_task_id", "proj_id", "pred_proj_id", "pred_type",
                           "lag_hr_cnt"],
              [[1, 2, 1, 10, 10, "PR_FS", 0], [2, 3, 2, 10, 10, "PR_FS", 8]]),
        "%E",
    ]
    return "\n".join(parts) + "\n"


def _mutate_text(text: str, rng: np.random.Generator, sep: str) -> tuple[str, str]:
    lines = text.split("\n")
    kind = rng.choice(["cell", "cell", "cell", "drop_line", "dup_line", "truncate", "flip", "drop_field",
                       "header", "empty"])
    if kind == "empty":
        return "", kind
    if kind == "truncate":
        return text[: int(rng.integers(0, max(1, len(text))))], kind
    if kind == "flip":
        b = bytearray(text.encode("utf-8"))
        for _ in range(int(rng.integers(1, 6))):
            b[int(rng.integers(0, len(b)))] = int(rng.integers(0, 256))
        return b.decode("utf-8", errors="replace"), kind
    i = int(rng.integers(0, len(lines)))
    if kind == "drop_line":
        del lines[i]
    elif kind == "dup_line":
        lines.insert(i, lines[i])
    elif kind == "header":
        lines[0] = lines[0].replace("_", "", 1) if rng.random() < 0.5 else lines[0].replace(sep, ";")
    else:
        fields = lines[i].split(sep)
        j = int(rng.integers(0, len(fields)))
        if kind == "drop_field":
            del fields[j]
        else:
            fields[j] = str(rng.choice(HOSTILE))
        lines[i] = sep.join(fields)
    return "\n".join(lines), kind


def _mutate_xml(text: str, rng: np.random.Generator) -> tuple[str, str]:
    values = list(re.finditer(r">([^<>]{1,40})<", text))
    if values and rng.random() < 0.7:
        m = values[int(rng.integers(0, len(values)))]
        return text[: m.start(1)] + str(rng.choice(HOSTILE)).replace("<", "&lt;") + text[m.end(1):], "value"
    return _mutate_text(text, rng, "\n")


def _outcome(run) -> tuple[str, str]:
    from pmkit.errors import PmkitError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run()
    except PmkitError as exc:
        msg = str(exc)
        return ("located", "") if msg and LOCATED.search(msg) else ("unlocated", msg[:300])
    except Exception:  # noqa: BLE001 - any other exception is what the fuzz test looks for
        return "failure", "".join(traceback.format_exc().splitlines(keepends=True)[-6:])
    return "clean", ""


def _schedule_all(pf) -> None:
    import pmkit

    for pid in pf.project_ids:
        pmkit.schedule(pf.project(pid))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    import pmkit
    from pmkit.interop import read_project_file

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    csv_dir, xml, xer = _sources(work)
    rng = np.random.default_rng(args.seed)
    counts = {"clean": 0, "located": 0}
    failures = []
    for case in range(args.cases):
        target = rng.choice(["csv", "csv", "xml", "xer"])
        if target == "csv":
            folder = work / f"case{case}"
            shutil.copytree(csv_dir, folder)
            files = sorted(folder.glob("*.csv"))
            f = files[int(rng.integers(0, len(files)))]
            text, kind = _mutate_text(f.read_text(encoding="utf-8"), rng, ",")
            f.write_text(text, encoding="utf-8")
            what = f"{f.name}: {kind}"
            status, detail = _outcome(lambda folder=folder: _schedule_all(pmkit.load(folder)))
            shutil.rmtree(folder, ignore_errors=True)
        else:
            src = xml if target == "xml" else xer
            text = src.read_text(encoding="utf-8")
            text, kind = _mutate_xml(text, rng) if target == "xml" else _mutate_text(text, rng, "\t")
            f = work / f"case{case}{src.suffix}"
            f.write_text(text, encoding="utf-8")
            what = f"{src.name}: {kind}"
            status, detail = _outcome(lambda f=f: pmkit.schedule(read_project_file(f)))
            f.unlink(missing_ok=True)
        if status in counts:
            counts[status] += 1
        else:
            failures.append({"case": case, "mutation": what, "status": status, "detail": detail})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cases": args.cases, **counts, "failures": failures, "peak_rss_mb": round(peak_mb, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
