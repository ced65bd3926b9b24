"""What the report charts and tables show a reader: legends in words, labelled rules,
progress in the Gantt bars, neutral colours for index series, the curated EVM table and
the notebooks' appendix. Assertions are on the Vega-Lite specs (``chart.to_dict()``)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_evm import demo_project

import pmkit
from pmkit.charts import _theme
from pmkit.charts.evm import performance_trend
from pmkit.charts.leveling import leveling_comparison, nothing_delayed_sentence
from pmkit.charts.montecarlo import distribution_chart
from pmkit.charts.schedule import gantt, resource_loading_chart
from pmkit.errors import PmkitError
from pmkit.project.evm import EVM_SUMMARY_LABELS, earned_value, evm_summary

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _layers(spec: dict) -> list[dict]:
    """Every unit spec of a (layered, concatenated, faceted) chart spec."""
    out = []
    for key in ("layer", "vconcat", "hconcat"):
        for sub in spec.get(key, []):
            out += _layers(sub)
    if "spec" in spec:
        out += _layers(spec["spec"])
    if "mark" in spec:
        out.append(spec)
    return out


def _mark(layer: dict) -> str:
    m = layer["mark"]
    return m if isinstance(m, str) else m["type"]


def _rows(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


# --------------------------------------------------------------------------- schedule

def _schedule() -> pd.DataFrame:
    """Two tasks and a milestone; T1 is half done over its 4 days (5-8 Jan 2026)."""
    df = pd.DataFrame({
        "task_id": ["T1", "T2", "M1"], "name": ["Design", "Build", "Done"],
        "summary": [False, False, False], "milestone": [False, False, True], "critical": [True, False, True],
        "early_start": pd.to_datetime(["2026-01-05", "2026-01-09", "2026-01-16"]),
        "early_finish": pd.to_datetime(["2026-01-08", "2026-01-15", "2026-01-16"]),
        "percent_complete": [50.0, 0.0, 0.0], "total_float_days": [0.0, 2.0, 0.0],
    })
    df.attrs.update(project_id="P", status_date=pd.Timestamp("2026-01-06"))
    return df


def test_gantt_draws_the_deadline_and_the_status_date_as_labelled_rules():
    spec = gantt(_schedule(), deadline="2026-01-20").to_dict()
    rules = {r["what"]: r for layer in _layers(spec) if _mark(layer) == "rule" for r in _rows(spec, layer)}
    assert set(rules) == {"status date", "deadline"}
    # at the end of the dated day, like the bars, which end after their finish day
    assert pd.Timestamp(rules["deadline"]["at"]) == pd.Timestamp("2026-01-21")
    assert pd.Timestamp(rules["status date"]["at"]) == pd.Timestamp("2026-01-07")
    labels = {r["label"] for layer in _layers(spec) if _mark(layer) == "text" for r in _rows(spec, layer)}
    assert labels == {"deadline 2026-01-20", "status date 2026-01-06"}
    assert all("tooltip" in layer["encoding"] for layer in _layers(spec))
    # no deadline given, no status date known: no rule at all
    bare = _schedule()
    bare.attrs.pop("status_date")
    assert [x for x in _layers(gantt(bare).to_dict()) if _mark(x) in ("rule", "text")] == []


def test_gantt_draws_the_done_part_inside_each_bar():
    spec = gantt(_schedule()).to_dict()
    done = [layer for layer in _layers(spec) if layer["encoding"].get("x2", {}).get("field") == "done_end"]
    assert len(done) == 1 and done[0]["mark"]["color"] == _theme.PROGRESS
    rows = _rows(spec, done[0])
    assert [r["task_id"] for r in rows] == ["T1"]  # T2 and the milestone have no progress
    # 50 % of the span 5 Jan 00:00 .. 9 Jan 00:00 (end of the 8th) is 7 Jan 00:00
    assert pd.Timestamp(rows[0]["done_end"]) == pd.Timestamp("2026-01-07")
    assert {"field": "percent_complete", "type": "quantitative"} in done[0]["encoding"]["tooltip"]


def test_resource_loading_legend_says_within_and_over_capacity():
    loading = pd.DataFrame({"role_id": ["DEV", "DEV"], "period_start": pd.to_datetime(["2026-01-05", "2026-01-12"]),
                            "demand_days": [4.0, 7.0], "capacity_days": [5.0, 5.0], "utilization": [0.8, 1.4],
                            "overloaded": [False, True]})
    spec = resource_loading_chart(loading).to_dict()
    bars = next(x for x in _layers(spec) if _mark(x) == "bar")
    color = bars["encoding"]["color"]
    assert color["scale"]["domain"] == ["within capacity", "over capacity"]
    assert color["scale"]["range"] == [_theme.PLANNED, _theme.CRITICAL] and color.get("title") is None
    data = spec["datasets"][spec["data"]["name"]]
    assert [r["capacity"] for r in data] == ["within capacity", "over capacity"]


# --------------------------------------------------------------------------- earned value

def test_performance_trend_draws_cpi_in_a_neutral_colour_with_a_reference_at_one():
    evm = pd.DataFrame({"status_date": pd.to_datetime(["2026-01-30", "2026-02-27"]),
                        "cpi": [0.85, 1.05], "spi_t": [0.97, 0.99], "spi": [0.96, 1.0]})
    spec = performance_trend(evm).to_dict()
    lines = next(x for x in _layers(spec) if _mark(x) == "line")
    scale = lines["encoding"]["color"]["scale"]
    cpi = dict(zip(scale["domain"], scale["range"], strict=True))["CPI"]
    reds = {_theme.RAG_COLORS["red"], _theme.CRITICAL, "#d62728"}
    assert cpi not in reds and not set(scale["range"]) & reds
    rule = next(x for x in _layers(spec) if _mark(x) == "rule")
    one = next(r for r in _rows(spec, rule) if r["value"] == 1.0)
    assert one["level"] == "1.0 on plan" and one["color"] == _theme.REFERENCE and one["dash"] == "solid"


def test_evm_summary_is_the_earned_value_table_cut_to_ten_columns():
    prj = demo_project()
    full = earned_value(prj)
    summary = evm_summary(prj)
    assert list(summary.columns) == list(EVM_SUMMARY_LABELS) and len(summary.columns) == 10
    pd.testing.assert_frame_equal(summary, full[list(EVM_SUMMARY_LABELS)].reset_index(drop=True))
    # hand-checked first status (Fri 10 Jan 2025): A done (1,000), B 20 % of 2,000; PV is A's 1,000
    first = summary.iloc[0]
    assert first["pv"] == pytest.approx(1000.0) and first["ev"] == pytest.approx(1400.0)
    assert first["ac"] == pytest.approx(1520.0) and first["percent_complete"] == pytest.approx(40.0)
    assert first["cpi"] == pytest.approx(1400 / 1520) and first["spi"] == pytest.approx(1.4)
    pd.testing.assert_frame_equal(evm_summary(prj, evm=full), summary)
    assert EVM_SUMMARY_LABELS["spi_t"] == "SPI(t)" and EVM_SUMMARY_LABELS["percent_complete"] == "% complete"
    with pytest.raises(PmkitError, match="evm_summary of P: .*forecast_finish"):
        evm_summary(prj, evm=full.drop(columns=["forecast_finish"]))
    empty = evm_summary(demo_project(status_rows=[]))
    assert empty.empty and list(empty.columns) == list(EVM_SUMMARY_LABELS)


# --------------------------------------------------------------------------- Monte Carlo, leveling

def test_distribution_chart_labels_p50_and_p80_with_their_values():
    res = pmkit.simulate(pmkit.synth.project(15, seed=1), 200, seed=1, criticality=False)
    pct = res.percentiles([50, 80]).set_index("percentile")
    for what, shown in (("finish", lambda p: f"{pd.Timestamp(pct.loc[p, 'finish_date']):%Y-%m-%d}"),
                        ("cost", lambda p: f"{pct.loc[p, 'cost']:,.0f}")):
        spec = distribution_chart(res, what).to_dict()
        texts = [r["label"] for x in _layers(spec) if _mark(x) == "text" for r in _rows(spec, x)]
        assert texts == [f"P50 {shown('P50')}", f"P80 {shown('P80')}"], what
        assert all("tooltip" in x["encoding"] for x in _layers(spec))


def test_leveling_that_delays_nothing_is_one_sentence_not_identical_charts():
    res = pmkit.level(pmkit.synth.project(30, seed=2, progress=None), max_schedules=100, seed=1)
    assert len(res.delayed) > 0 and nothing_delayed_sentence(res) is None
    assert len(leveling_comparison(res).to_dict()["vconcat"]) == 2
    calm = dataclasses.replace(res, schedule=res.schedule.assign(delay_days=0.0),
                               loading=res.loading.assign(load_after=res.loading["load_before"]))
    sentence = nothing_delayed_sentence(calm)
    assert sentence.startswith("Leveling delays no task") and f"{res.finish:%Y-%m-%d}" in sentence
    spec = leveling_comparison(calm).to_dict()
    assert "vconcat" not in spec and " ".join(r["line"] for r in _rows(spec, spec)) == sentence
    no_work = dataclasses.replace(calm, loading=res.loading.iloc[:0])
    assert nothing_delayed_sentence(no_work) == "No resource or role assignments: nothing to level."


# --------------------------------------------------------------------------- notebooks

@pytest.fixture(scope="module")
def builder():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import build_notebooks
    finally:
        sys.path.remove(str(NOTEBOOKS))
    return build_notebooks


def _appendix_split(cells) -> tuple[list, list]:
    at = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Appendix" in c.source)
    return cells[:at], cells[at:]


def test_monitoring_notebook_shows_the_summary_and_puts_the_raw_table_in_the_appendix(builder):
    main, appendix = _appendix_split(builder.MONITORING)
    main_code = "\n".join(c.source for c in main if c.cell_type == "code")
    assert "rp.show_table(evm_summary(prj, evm=evm), labels=EVM_SUMMARY_LABELS)" in main_code
    assert "rp.show_table(evm)" not in main_code and "show_table(evm." not in main_code
    tail = "\n".join(c.source for c in appendix if c.cell_type == "code")
    assert "rp.show_table(evm.drop(columns=list(SCHEDULE_COLUMNS)))" in tail
    assert "rp.show_table(evm[['status_date', *SCHEDULE_COLUMNS]])" in tail
    assert "deadline=prj.deadline" in main_code


def test_portfolio_notebook_keeps_board_tables_in_the_main_flow_and_charts_before_the_appendix(builder):
    main, appendix = _appendix_split(builder.PORTFOLIO)
    count = sum(c.source.count("show_table(") for c in main if c.cell_type == "code")
    assert 6 <= count <= 10, count
    assert not any("pch." in c.source for c in appendix if c.cell_type == "code")
    tail = "\n".join(c.source for c in appendix)
    for detail in ("pf.summary()", "rag.rag_rules()", "pmkit.utilization(pf)", "all_project_kpis(pf)",
                   "cmp.projects", "sel.constraints"):
        assert detail in tail, detail


def test_planning_notebook_draws_leveling_charts_only_when_a_task_is_delayed(builder):
    src = "\n".join(c.source for c in builder.PLANNING if c.cell_type == "code")
    assert "leveling_charts.nothing_delayed_sentence(lev)" in src
    assert "leveled_loading(lev)" not in src and src.count("leveling_comparison(lev)") == 1
    assert "gantt(sched, deadline=prj.deadline)" in src
