"""The package is shaped like the discipline: a shared data layer, a project lens and a
portfolio lens, one public name per concept."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pmkit

PKG = Path(pmkit.__file__).resolve().parent

#: Protocol names every CLI command module defines (one meaning: the command's hooks).
PROTOCOL = {"add_arguments", "run"}


def _public_modules():
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        if any(part.startswith("_") and part != "__init__" for part in rel.parts):
            continue  # private modules (numba kernels, helpers)
        yield ".".join(p for p in rel.parts if p != "__init__"), path


def test_every_lens_and_room_exists():
    for room in ("data", "project", "portfolio", "reports", "charts", "cli", "interop"):
        assert (PKG / room / "__init__.py").is_file(), room
    for module in ("data/model.py", "data/schema.py", "data/validation.py", "data/calendars.py", "data/io.py",
                   "data/synth.py", "project/scheduling.py", "project/leveling.py", "project/evm.py",
                   "project/kpi.py", "project/risk.py", "project/montecarlo.py", "project/closing.py",
                   "portfolio/alignment.py", "portfolio/prioritization.py", "portfolio/financials.py",
                   "portfolio/selection.py", "portfolio/capacity.py", "portfolio/risk.py", "portfolio/kpi.py",
                   "reports/runner.py", "reports/headline.py", "reports/notebook.py", "rag.py"):
        assert (PKG / module).is_file(), module
    # the old flat modules are gone, not kept as second homes of the same names
    for old in ("kpi.py", "portfolio_kpi.py", "portfolio_risk.py", "report.py", "scheduling.py", "model.py"):
        assert not (PKG / old).exists(), old


def test_no_public_name_is_defined_in_two_public_modules():
    where = defaultdict(list)
    for name, path in _public_modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = []
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            for n in names:
                if not n.startswith("_") and n not in PROTOCOL:
                    where[n].append(name)
    twice = {n: mods for n, mods in where.items() if len(mods) > 1}
    assert twice == {}, twice


def test_project_and_portfolio_kpis_have_lens_names():
    from pmkit.portfolio import kpi as portfolio_kpi
    from pmkit.project import kpi as project_kpi

    assert pmkit.project_kpis is project_kpi.project_kpis
    assert pmkit.portfolio_kpis is portfolio_kpi.portfolio_kpis
    assert not hasattr(project_kpi, "portfolio_kpis") and not hasattr(portfolio_kpi, "project_kpis")
    assert pmkit.kpis is pmkit.project_kpis  # round-one short name keeps working


def test_short_api_and_charts_topics_work_right_after_import():
    code = ("import pmkit\n"
            "for n in pmkit.__all__: getattr(pmkit, n)\n"
            "for t in ('schedule', 'leveling', 'evm', 'risk', 'montecarlo', 'portfolio'):\n"
            "    getattr(pmkit.charts, t)\n"
            "assert callable(pmkit.charts.schedule.gantt) and callable(pmkit.schedule)\n"
            "assert pmkit.synth.project(5, seed=1).tasks.shape[0] == 5\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_lenses_depend_on_data_not_on_each_other_backwards():
    # the project lens never imports the portfolio lens, reports or charts; data imports no lens
    for folder, banned in (("project", ("..portfolio", "..reports", "..charts")),
                           ("data", ("..project", "..portfolio", "..reports", "..charts"))):
        for path in (PKG / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            for b in banned:
                assert f"from {b}" not in text, f"{path.name} imports {b}"
