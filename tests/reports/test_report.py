"""Report building blocks without running kernels: planning, HTML export, index, escaping."""

from __future__ import annotations

import json

import altair as alt
import nbformat
import pandas as pd
import pytest

import pmkit
from pmkit import reports as rp
from pmkit.charts.render import chart_svg, use_interactive_renderer, use_offline_renderer
from pmkit.cli import build_parser
from pmkit.errors import PmkitError

XSS = "<script>alert(1)</script>"


def _portfolio(states=("proposed", "active", "on_hold", "closed", "cancelled")):
    pf = pmkit.synth.portfolio(len(states), 8, seed=5)
    projects = pf.projects.assign(state=list(states))
    projects.loc[1, "name"] = XSS
    return pf.with_tables(projects=projects)


def test_report_id_is_a_safe_unique_file_stem():
    assert rp.report_id("portfolio") == "portfolio"
    assert rp.report_id("project", "P01") == "project-P01"
    a, b = rp.report_id("project", "a/b"), rp.report_id("project", "a?b")
    assert a != b and "/" not in a and "?" not in b
    assert rp.report_id("project", "../../etc").startswith("project-_")
    assert "/" not in rp.report_id("project", "../../etc")


def test_plan_picks_notebook_by_state_and_skips_cancelled(tmp_path):
    for stem in ("01_project_planning", "02_project_monitoring", "03_portfolio_review", "04_project_closing"):
        (tmp_path / f"{stem}.ipynb").write_text("{}")
    pf = _portfolio()
    plan = rp.plan_reports(pf, notebooks=tmp_path)
    assert plan["report_id"].iloc[0] == "portfolio"
    by_state = dict(zip(plan["state"], plan["notebook"].map(lambda p: p.rsplit("/", 1)[-1]), strict=True))
    assert by_state == {"": "03_portfolio_review.ipynb", "proposed": "01_project_planning.ipynb",
                        "active": "02_project_monitoring.ipynb", "on_hold": "02_project_monitoring.ipynb",
                        "closed": "04_project_closing.ipynb", "cancelled": ""}
    assert plan.loc[plan["state"] == "cancelled", "skip_reason"].iloc[0].startswith("cancelled")
    only = rp.plan_reports(pf, ["S0002"], include_portfolio=False, notebooks=tmp_path)
    assert only["project_id"].tolist() == ["S0002"]
    with pytest.raises(PmkitError, match="'NOPE'"):
        rp.plan_reports(pf, ["S0001", "NOPE"], notebooks=tmp_path)
    (tmp_path / "04_project_closing.ipynb").unlink()
    with pytest.raises(PmkitError, match="04_project_closing.ipynb not found"):
        rp.plan_reports(pf, notebooks=tmp_path)


def test_pick_project_by_id_or_first_in_state():
    pf = _portfolio()
    assert rp.pick_project(pf, "S0003").project_id == "S0003"
    assert rp.pick_project(pf, "", ("closed",)).project_id == "S0004"
    with pytest.raises(PmkitError, match="unknown project 'X'"):
        rp.pick_project(pf, "X")
    with pytest.raises(PmkitError, match="no project in state"):
        rp.pick_project(_portfolio(("active", "proposed")), "", ("closed",))


def test_external_references_finds_cdn_loads_but_not_namespaces_or_links():
    page = ('<svg xmlns="http://www.w3.org/2000/svg"></svg><a href="https://example.com">x</a>'
            '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
            "<link rel=stylesheet href='//fonts.googleapis.com/css'>"
            '<style>@import url("https://x.org/a.css"); .a{background:url(http://x.org/i.png)}</style>'
            '<img src="data:image/png;base64,AAAA">')
    refs = rp.external_references(page)
    assert len(refs) == 4
    assert any("cdn.jsdelivr" in r for r in refs) and any("fonts.googleapis" in r for r in refs)
    assert rp.external_references('<svg xmlns="http://www.w3.org/2000/svg"><a href="http://a.b">') == []


def _executed_notebook() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: code with outputs (HTML, SVG, stream)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    md = nbformat.v4.new_markdown_cell("# Title of the report")
    c1 = nbformat.v4.new_code_cell("secret_source_code = 42")
    c1.outputs = [nbformat.v4.new_output("display_data", {"text/html": pd.DataFrame({"name": [XSS]}).to_html(),
                                                          "text/plain": "df"})]
    c2 = nbformat.v4.new_code_cell("chart")
    svg = chart_svg(alt.Chart(pd.DataFrame({"n": [XSS, "b"], "v": [1, 2]})).mark_bar().encode(x="v:Q", y="n:N"))
    c2.outputs = [nbformat.v4.new_output("display_data", {"image/svg+xml": svg, "text/plain": "chart"})]
    hidden = nbformat.v4.new_code_cell("print('exercise answer')")
    hidden.metadata["tags"] = ["report-hide"]
    hidden.outputs = [nbformat.v4.new_output("stream", name="stdout", text="exercise answer 1234\n")]
    nb.cells = [md, c1, c2, hidden]
    return nb


def test_export_html_hides_code_needs_no_network_and_escapes():
    page = rp.export_html(_executed_notebook(), title=f"P1 {XSS}")
    assert "secret_source_code" not in page                   # code hidden
    assert "Title of the report" in page
    assert "exercise answer 1234" not in page                 # report-hide cells dropped
    assert rp.external_references(page) == []
    assert "<script" not in page.lower()                      # no script at all: nothing to load or run
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<svg") >= 1 and 'class="mark-rect role-mark' in page  # the chart's bars are inline


def test_chart_svg_escapes_text_and_refuses_urls():
    svg = chart_svg(alt.Chart(pd.DataFrame({"n": [XSS], "v": [1]})).mark_bar().encode(x="v:Q", y="n:N"))
    assert svg.startswith("<svg") and XSS not in svg and "&lt;script&gt;" in svg
    with pytest.raises(ValueError, match="not allowed"):
        chart_svg(alt.Chart("https://example.com/data.csv").mark_bar().encode(x="x:Q"))


def test_offline_renderer_gives_svg_only_and_can_be_undone():
    chart = alt.Chart(pd.DataFrame({"v": [1, 2]})).mark_bar().encode(x="v:Q")
    try:
        use_offline_renderer()
        bundle = chart._repr_mimebundle_()
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        assert set(bundle) == {"image/svg+xml", "text/plain"}
        assert bundle["image/svg+xml"].startswith("<svg")
    finally:
        use_interactive_renderer()
    assert alt.renderers.active == "default"


def test_display_helpers_escape_user_text():
    pf = _portfolio()
    prj = pf.project("S0002")
    assert prj.name == XSS
    card = rp.project_card(prj).data
    assert XSS not in card and "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    table = rp.show_table(pf.projects[["project_id", "name", "state"]].assign(rag="red"), rag_column="rag").data
    assert XSS not in table and table.count("rag-red") == len(pf.projects)
    assert "3 more rows" in rp.show_table(pf.projects, max_rows=2).data
    # an empty table can say so in a sentence (escaped); without one it keeps its header
    none = rp.show_table(pf.projects.head(0), empty=f"Nothing for {XSS}").data
    assert "<table" not in none and "Nothing for &lt;script&gt;" in none
    assert '<th style="text-align:left">project_id</th>' in rp.show_table(pf.projects.head(0)).data
    assert XSS not in rp.note(XSS).data
    assert XSS not in pf.projects.to_html()  # pandas escapes by default, which the notebooks rely on


def test_save_headline_writes_clean_json_and_rejects_bad_rag(tmp_path):
    path = tmp_path / "sub" / "h.json"
    shown = rp.save_headline(path, {"title": XSS, "rag": "amber",
                                    "figures": {"CPI": 0.91234, "finish": pd.Timestamp("2026-05-04"),
                                                "tasks": pd.Series([3]).iloc[0], "EAC": float("nan")}})
    data = json.loads(path.read_text())
    assert data == {"title": XSS, "rag": "amber",
                    "figures": {"CPI": 0.91234, "finish": "2026-05-04", "tasks": 3, "EAC": None}}
    assert XSS not in shown.data
    rp.save_headline("", {"title": "x"})  # blank path: shown only, nothing written
    with pytest.raises(PmkitError, match="rag must be one of"):
        rp.save_headline(None, {"rag": "blue"})


def test_format_value():
    assert rp.format_value(1234567) == "1,234,567"
    assert rp.format_value(0.9123) == "0.91"
    assert rp.format_value(2_452_000.4) == "2,452,000"
    assert rp.format_value(None) == "-" and rp.format_value(float("nan")) == "-"
    assert rp.format_value(True) == "yes"


def _results(**over) -> pd.DataFrame:
    base = {"report_id": ["portfolio", "project-P1", "project-P2", "project-P3"],
            "kind": ["portfolio", "project", "project", "project"], "project_id": ["", "P1", "P2", "P3"],
            "name": ["Org", XSS, "Beta", "Gamma"], "state": ["", "active", "proposed", "cancelled"],
            "notebook": ["/n/03_portfolio_review.ipynb", "/n/02_project_monitoring.ipynb",
                         "/n/01_project_planning.ipynb", ""],
            "status": ["ok", "ok", "failed", "skipped"], "seconds": [1.0, 2.0, 3.0, 0.0],
            "html": ["portfolio.html", "project-P1.html", "", ""],
            "executed_notebook": ["notebooks/portfolio.ipynb", "notebooks/project-P1.ipynb",
                                  "notebooks/project-P2.ipynb", ""],
            "rag": ["green", "red", "", ""], "error": ["", "", "ValueError: bad <b>input</b>", "cancelled"],
            "cell": [None, None, 7, None],
            "headline": [{"figures": {"projects": 3}}, {"figures": {"CPI": 0.8, XSS: XSS}}, {}, {}]}
    base.update(over)
    return pd.DataFrame(base)


def test_index_links_reports_with_kpis_and_escapes(tmp_path):
    path = rp.write_index(tmp_path, _results(), title=f"Org {XSS}", data_path="/d")
    page = path.read_text()
    assert XSS not in page and "<b>input</b>" not in page
    # title (h1 and <title>), project name, KPI label and value
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    assert 'href="project-P1.html"' in page and 'href="portfolio.html"' in page
    assert 'href="notebooks/project-P2.ipynb"' in page and 'href="project-P2.html"' not in page
    assert "rag-red" in page and "rag-green" in page and "<b>CPI</b>: 0.80" in page
    assert 'data-status="failed"' in page and 'data-status="skipped"' in page
    assert rp.external_references(page) == [] and "<script" not in page


def test_summary_names_each_failure_with_project_cell_and_error(tmp_path):
    run = rp.ReportRun(tmp_path, _results(), tmp_path / "index.html", seconds=4.2, jobs=2)
    assert not run.ok and run.failures["project_id"].tolist() == ["P2"]
    text = run.summary()
    assert "2 reports written" in text
    assert "FAILED project P2 (Beta), notebook 01_project_planning.ipynb in cell [7]: ValueError: bad" in text
    assert "skipped P3 (Gamma): cancelled" in text
    assert "1 of 3 reports failed" in text
    ok = rp.ReportRun(tmp_path, _results(status=["ok", "ok", "ok", "skipped"]), tmp_path / "index.html")
    assert ok.ok and "FAILED" not in ok.summary()


def test_cli_report_arguments():
    parser = build_parser()
    args = parser.parse_args(["report", "data", "--out", "r", "--projects", "P1", "P2", "--jobs", "3",
                              "--timeout", "30"])
    assert (args.projects, args.jobs, args.timeout, args.no_portfolio) == (["P1", "P2"], 3, 30.0, False)
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "data", "--out", "r", "--jobs", "0"])
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "data"])  # --out is required


def test_unique_ids_keeps_two_inline_charts_apart():
    from pmkit.charts.render import unique_svg_ids

    svg = ('<svg><defs><linearGradient id="gradient_0"/><clipPath id="clip1"/></defs>'
           '<path fill="url(#gradient_0)" clip-path="url(#clip1)"/><use href="#clip1"/><g id="clip10"/></svg>')
    a, b = unique_svg_ids(svg, "a-"), unique_svg_ids(svg, "b-")
    assert 'id="a-gradient_0"' in a and 'url(#a-gradient_0)' in a and 'url(#a-clip1)' in a
    assert 'href="#a-clip1"' in a and 'id="a-clip10"' in a and 'id="clip1"' not in a
    assert a.replace("a-", "b-") == b
    assert unique_svg_ids("<svg><rect/></svg>") == "<svg><rect/></svg>"


def test_a_kernel_that_dies_at_start_is_started_again(monkeypatch):
    import papermill

    from pmkit.reports import runner

    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) < 2:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "done"

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    monkeypatch.setattr(runner.time, "sleep", lambda s: None)
    assert runner._execute_retrying_kernel_start("in.ipynb", "out.ipynb") == "done" and len(calls) == 2
    calls.clear()

    def broken(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("something else")

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    with pytest.raises(RuntimeError, match="something else"):
        runner._execute_retrying_kernel_start("in.ipynb", "out.ipynb")
    assert len(calls) == 1  # only a kernel that never started is retried


def test_tables_align_text_left_numbers_right_and_show_money_in_whole_units():
    df = pd.DataFrame({"project_id": ["P1"], "budget": [1234567.891], "cpi": [0.98765], "emv_cost": [999.5],
                       "done": [True]})
    page = rp.show_table(df, labels={"cpi": "CPI"}).data
    assert '<td style="text-align:left">P1</td>' in page
    assert '<td style="text-align:right">1,234,568</td>' in page  # money: whole units
    assert '<td style="text-align:right">1,000</td>' in page      # emv_cost is money too
    assert '<td style="text-align:right">0.99</td>' in page       # a ratio keeps its decimals
    assert '<th style="text-align:right">CPI</th>' in page and '<td style="text-align:left">True</td>' in page
