"""The public API: every exported name resolves, and every CLI command is registered."""

from __future__ import annotations

import pytest

import pmkit
from pmkit.cli import COMMANDS, build_parser


@pytest.mark.parametrize("name", sorted(pmkit._EXPORTS))
def test_every_export_resolves(name):
    obj = getattr(pmkit, name)
    assert obj is not None
    assert name in dir(pmkit)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pmkit.nope  # noqa: B018


def test_every_listed_command_is_available():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)


def test_objects_show_a_compact_escaped_summary_in_a_notebook():
    import dataclasses
    import warnings

    pf = pmkit.load(pmkit.sample_path())
    page = pf._repr_html_()
    assert "Portfolio Northwind Group" in page and "16 (7 active, 6 proposed, 1 closed, 1 on hold" in page
    assert page.count("<tr>") <= 9 and "more rows" in page  # the head of the project list, not all of it
    prj = dataclasses.replace(pf.project("P02"), name="<script>alert(1)</script> & Co")
    card = prj._repr_html_()
    assert "<script>" not in card and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in card
    assert "status date: <b>2026-10-30</b>" in card and "budget: <b>562,000</b>" in card
    mc = pmkit.simulate(prj, 200, seed=1, criticality=False)
    assert repr(mc).startswith("MonteCarloResult('P02': 200 iterations, pert; finish P50 20")
    assert "array" not in repr(mc) and "P80" in mc._repr_html_()
    sel = pmkit.select(pf)
    assert f"selected: <b>{len(sel.selected_ids)} of {len(sel.projects)}</b>" in sel._repr_html_()
    closed = pf.project(pf.projects.loc[pf.projects["state"] == "closed", "project_id"].iloc[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pmkit.simulate(closed, 50, criticality=False)
    assert [str(w.message) for w in caught if issubclass(w.category, pmkit.errors.DataWarning)] == [
        f"project {closed.project_id} is closed: its work is done, so the simulation only replays the "
        "recorded outcome"]
