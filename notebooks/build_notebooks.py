"""Write the pmkit notebooks (``notebooks/*.ipynb``) from the cell lists below.

The notebooks are generated so they stay reviewable (this file diffs well) and
regenerable; they are committed without outputs. Run from anywhere::

    .venv/bin/python notebooks/build_notebooks.py

Rules every notebook follows: a first code cell tagged ``parameters`` with typed defaults
pointing at the sample data (papermill injects other values after it); cells only load,
call pmkit, show and explain; nothing non-trivial is computed in a cell. The ``offline``
parameter renders charts as static SVG for the HTML reports; ``headline_path`` is where
``pmkit report`` collects the headline figures for its index page.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat as nbf

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(text: str) -> nbf.NotebookNode:
    return nbf.v4.new_markdown_cell(dedent(text).strip())


def code(src: str, *tags: str) -> nbf.NotebookNode:
    cell = nbf.v4.new_code_cell(dedent(src).strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def parameters(**defaults) -> nbf.NotebookNode:
    """The papermill ``parameters`` cell: one typed assignment per line with a comment."""
    lines = ["# Parameters (papermill and `pmkit report` replace them; edit them to explore)"]
    for name, (value, comment) in defaults.items():
        kind = type(value).__name__
        lines.append(f"{name}: {kind} = {value!r}  # {comment}")
    return code("\n".join(lines), "parameters")


def notebook(title: str, cells: list[nbf.NotebookNode], stem: str) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["title"] = title
    nb.cells = cells
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating gives the same file
        cell["id"] = f"{stem[:2]}-{i:02d}"
    return nb


DATA = ("../data/samples/northwind", "portfolio folder or .xlsx workbook")
OFFLINE = (False, "True: charts as static SVG (offline HTML reports)")
HEADLINE = ("", "file for the headline figures of the report index (blank: none)")


def project_setup(states: str) -> nbf.NotebookNode:
    return code(f"""
        import pmkit
        from pmkit import report as rp
        from pmkit.charts.render import setup_notebook

        setup_notebook(offline)
        pf = pmkit.load(data_path)
        prj = rp.pick_project(pf, project_id, {states})
        rp.project_card(prj)
    """)


HEADLINE_PROJECT = code("rp.save_headline(headline_path, rp.project_headline(prj))")

# --------------------------------------------------------------------------- 01 planning
PLANNING = [
    md("""
        # Project planning

        A proposed project, before work starts: what it must achieve, the plan of work, who
        does it, what it costs and how sure its dates are. Change `project_id` in the next
        cell to plan another project.
    """),
    parameters(data_path=DATA, project_id=("P09", "project to plan (blank: the first proposed one)"),
               offline=OFFLINE, headline_path=HEADLINE),
    project_setup('("proposed",)'),
    md("""
        ## Objectives

        Each objective should be **SMART**: specific (what), measurable (a metric and a
        target), achievable (the owner confirms it is feasible), relevant (it serves a
        strategic objective of the organization) and time-bound (a deadline).
    """),
    code("rp.show_table(prj.objectives.drop(columns=['project_id']))"),
    md("""
        ## Work plan

        The activities of the work breakdown with their planned durations (working days of
        the project calendar) and budgeted costs, and the logical links between them.
    """),
    code("rp.show_table(prj.tasks.drop(columns=['project_id']))"),
    code("rp.show_table(prj.dependencies.drop(columns=['project_id']))"),
    md("""
        ## Resources

        Who (a named resource) or which role works on each activity, and at what rate
        (`units`: 1 = one person full time).
    """),
    code("rp.show_table(prj.assignments.drop(columns=['project_id']))"),
    md("""
        ## Risks

        The risk register: probability of each risk event and its impact on cost and
        schedule if it happens.
    """),
    code("rp.show_table(prj.risks.drop(columns=['project_id']))"),
    md("## Headline"),
    HEADLINE_PROJECT,
]

# --------------------------------------------------------------------------- 02 monitoring
MONITORING = [
    md("""
        # Project monitoring

        Where an active project stands at its status date: how much of the planned work is
        done, what it cost, whether it is late, and where it is heading.
    """),
    parameters(data_path=DATA, project_id=("P01", "project to monitor (blank: the first active one)"),
               offline=OFFLINE, headline_path=HEADLINE),
    project_setup('("active", "on_hold")'),
    md("""
        ## Progress records

        The latest progress reported per task: percent complete, actual dates and actual cost.
    """),
    code("rp.show_table(prj.status_at().drop(columns=['project_id']))"),
    md("## Open risks"),
    code("rp.show_table(prj.risks[prj.risks['status'] == 'open'].drop(columns=['project_id']))"),
    md("## Headline"),
    HEADLINE_PROJECT,
]

# --------------------------------------------------------------------------- 03 portfolio
PORTFOLIO = [
    md("""
        # Portfolio review

        The whole set of projects and candidates: how well they serve the strategy, which to
        run within the budget and the people available, and how the running ones perform.
    """),
    parameters(data_path=DATA, offline=OFFLINE, headline_path=HEADLINE),
    code("""
        import pmkit
        from pmkit import report as rp
        from pmkit.charts.render import setup_notebook

        setup_notebook(offline)
        pf = pmkit.load(data_path)
        rp.portfolio_card(pf)
    """),
    md("## Projects"),
    code("rp.show_table(pf.summary())"),
    md("## Headline"),
    code("rp.save_headline(headline_path, rp.portfolio_headline(pf))"),
]

# --------------------------------------------------------------------------- 04 closing
CLOSING = [
    md("""
        # Project closing

        A finished project against its baseline: did it deliver on time, on budget, to
        specification and to the client's satisfaction, and what should the next project
        learn from it?
    """),
    parameters(data_path=DATA, project_id=("P06", "project to close (blank: the first closed one)"),
               offline=OFFLINE, headline_path=HEADLINE),
    project_setup('("closed",)'),
    md("## Deliverables and acceptance"),
    code("rp.show_table(prj.deliverables.drop(columns=['project_id']))"),
    md("## Client satisfaction"),
    code("rp.show_table(prj.surveys.drop(columns=['project_id']))"),
    md("## Lessons learned"),
    code("rp.show_table(prj.lessons.drop(columns=['project_id']))"),
    md("## Headline"),
    HEADLINE_PROJECT,
]

# --------------------------------------------------------------------------- 00 teaching
TEACHING = [
    md("""
        # Project management and portfolio management

        Two disciplines look at the same organization. This notebook shows both lenses on
        the sample data.
    """),
    parameters(data_path=DATA, project_id=("P01", "project to follow (blank: the first active one)"),
               offline=OFFLINE),
    code("""
        import pmkit
        from pmkit import report as rp
        from pmkit.charts.render import setup_notebook

        setup_notebook(offline)
        pf = pmkit.load(data_path)
        prj = rp.pick_project(pf, project_id, ("active",))
        rp.portfolio_card(pf)
    """),
    code("rp.project_card(prj)"),
]

NOTEBOOKS = {
    "00_project_vs_portfolio": ("Project management and portfolio management", TEACHING),
    "01_project_planning": ("Project planning", PLANNING),
    "02_project_monitoring": ("Project monitoring", MONITORING),
    "03_portfolio_review": ("Portfolio review", PORTFOLIO),
    "04_project_closing": ("Project closing", CLOSING),
}


def build(folder: Path = HERE) -> list[Path]:
    """Write every notebook into ``folder``; returns their paths."""
    paths = []
    for stem, (title, cells) in NOTEBOOKS.items():
        nb = notebook(title, [nbf.from_dict(c) for c in cells], stem)
        nbf.validate(nb)
        path = folder / f"{stem}.ipynb"
        nbf.write(nb, path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build():
        print(p)
