"""One colour per project, program and portfolio on every page: index headline, reports,
dashboard table and chart, and the CLI all follow the rules of pmkit.rag."""

from __future__ import annotations

import pytest

import pmkit
from pmkit import reports as rp
from pmkit.cli import main
from pmkit.portfolio.kpi import portfolio_dashboard, portfolio_status, project_rags
from pmkit.project.kpi import project_kpis, project_status
from pmkit.rag import RAG_RULES, program_rag, project_rag


@pytest.fixture(scope="module")
def pf():
    return pmkit.load(pmkit.sample_path())


@pytest.fixture(scope="module")
def dash(pf):
    return portfolio_dashboard(pf)


def test_project_colour_is_the_same_in_headline_dashboard_and_cli(pf, dash, capsys):
    rows = dash[dash["level"] == "project"].set_index("id")
    assert len(rows) >= 10
    for pid, row in rows.iterrows():
        prj = pf.project(pid)
        head = rp.project_headline(prj)
        assert head["rag"] == row["rag"], pid
        assert head["rag_reason"] == row["rag_reason"] and head["rag_rule"] == RAG_RULES["project"]
        if len(prj.status):  # the rule itself: worst of the project's KPIs
            assert row["rag"] == project_rag(project_kpis(prj)).status
        else:
            assert row["rag"] == "grey"
        assert main(["kpi", str(pmkit.sample_path()), "--project", pid]) == 0
        assert f"project RAG: {row['rag']} " in capsys.readouterr().out
    # the sample has projects of every colour, so the comparison means something
    assert {"red", "green", "grey"} <= set(rows["rag"])


def test_closed_project_headline_uses_the_project_rule(pf):
    closed = pf.projects.loc[pf.projects["state"] == "closed", "project_id"].astype(str)
    assert len(closed)
    for pid in closed:
        assert rp.project_headline(pf.project(pid))["rag"] == project_status(pf.project(pid)).status


def test_program_and_portfolio_colours_follow_their_rules(pf, dash):
    rags = project_rags(pf)
    for row in dash[dash["level"] == "program"].itertuples():
        members = rags.loc[rags["program_id"] == row.id, "rag"]
        measures = {m: getattr(row, f"{m}_rag") for m in ("cpi", "spi", "roi", "alignment_index", "risk_exposure")}
        assert row.rag == program_rag(members, measures).status, row.id
        assert row.rag_rule == RAG_RULES["program"]
    top = dash[dash["level"] == "portfolio"].iloc[0]
    verdict = portfolio_status(pf)
    head = rp.portfolio_headline(pf)
    assert top["rag"] == verdict.status == head["rag"] and top["rag_reason"] == head["rag_reason"]
    counts = rags["rag"].value_counts()
    for colour in ("red", "amber", "green"):
        assert head["figures"][f"{colour} projects (project rule)"] == int(counts.get(colour, 0))


def test_dashboard_chart_draws_the_rule_colour(dash):
    spec = pmkit.charts.portfolio.dashboard_chart(dash).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    drawn = {(v["row"], v["status"]) for v in values if v["kpi"] == "RAG (rule of its level)"}
    expected = {(f"{r.level} {r.id}", r.rag) for r in dash.itertuples()}
    assert drawn == expected


def test_index_shows_each_report_colour_and_states_the_rules(pf, tmp_path):
    import pandas as pd

    heads = {pid: rp.project_headline(pf.project(pid)) for pid in ("P01", "P02", "P09")}
    results = pd.DataFrame([{"report_id": f"project-{pid}", "kind": "project", "project_id": pid, "name": pid,
                             "state": "", "notebook": "", "status": "ok", "seconds": 0.0,
                             "html": f"project-{pid}.html", "executed_notebook": "", "rag": h["rag"], "error": "",
                             "cell": None, "headline": h} for pid, h in heads.items()])
    page = rp.write_index(tmp_path, results).read_text(encoding="utf-8")
    assert RAG_RULES["project"].split(":")[0] in page and "portfolio rule" in page
    for h in heads.values():
        assert f'rag-{h["rag"]}' in page and h["rag_reason"] in page


def test_cli_dashboard_prints_the_rule_colours_and_states_the_rules(dash, capsys):
    assert main(["portfolio", str(pmkit.sample_path()), "dashboard"]) == 0
    out = capsys.readouterr().out
    assert "RAG colours: project rule" in out and "program rule" in out and "portfolio rule" in out
    assert main(["portfolio", str(pmkit.sample_path()), "dashboard", "--format", "csv"]) == 0
    import io

    import pandas as pd

    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert table["rag"].tolist() == dash["rag"].tolist() and "rag_rule" in table.columns
