"""The RAG rules of pmkit.rag, checked by hand at their boundaries."""

from __future__ import annotations

import pandas as pd
import pytest

from pmkit.errors import PmkitError
from pmkit.rag import (
    RAG_RULES,
    Band,
    ShareRule,
    portfolio_rag,
    program_rag,
    project_rag,
    rag_status,
    worst_rag,
)


def test_band_edges_scalar_and_vector():
    cpi = Band(0.95, 0.90)
    assert [rag_status(v, cpi) for v in (0.95, 0.9499, 0.90, 0.8999)] == ["green", "amber", "amber", "red"]
    assert rag_status([0.95, 0.90, 0.5, float("nan")], cpi).tolist() == ["green", "amber", "red", "grey"]
    lower = Band(0.05, 0.10, higher_is_better=False)
    assert [rag_status(v, lower) for v in (0.05, 0.0501, 0.10, 0.1001)] == ["green", "amber", "amber", "red"]
    assert rag_status(None, cpi) == "grey"
    assert cpi.describe() == "green >= 0.95, red < 0.9" and lower.describe() == "green <= 0.05, red > 0.1"


def test_band_refuses_contradictions():
    with pytest.raises(PmkitError, match="must not be below"):
        Band(0.8, 0.9)
    with pytest.raises(PmkitError, match="must not exceed"):
        Band(0.2, 0.1, higher_is_better=False)
    with pytest.raises(PmkitError, match="numbers"):
        Band(float("nan"), 0.1)
    with pytest.raises(PmkitError, match="red_share"):
        ShareRule(red_share=0.0)


def test_worst_ignores_grey():
    assert worst_rag(["green", "grey", "amber"]) == "amber"
    assert worst_rag(s for s in ["red", "green"]) == "red"
    assert worst_rag(["grey", "grey"]) == "grey" and worst_rag([]) == "grey"


def test_project_rule_is_the_worst_kpi_and_names_it():
    k = pd.DataFrame({"kpi": ["On-time delivery", "On budget", "Client satisfaction"],
                      "status": ["amber", "red", "grey"]})
    v = project_rag(k)
    assert (v.status, v.reason, v.level) == ("red", "On budget red", "project")
    assert v.rule == RAG_RULES["project"] and str(v) == "red"
    green = project_rag(k.assign(status=["green", "green", "grey"]))
    assert green.status == "green" and green.reason == "all 2 assessed KPIs green"
    assert project_rag(k.assign(status="grey")).status == "grey"


@pytest.mark.parametrize(("rags", "expected"), [
    (["red", "green", "green", "green"], "red"),            # 1 of 4 = 25 % red
    (["red", "green", "green", "green", "green"], "amber"),  # 1 of 5 = 20 % red: any red is amber
    (["amber", "green", "green", "green"], "amber"),         # 25 % amber
    (["amber", "green", "green", "green", "green"], "green"),  # 20 % amber
    (["grey", "grey"], "grey"),
])
def test_share_rule_boundaries(rags, expected):
    assert program_rag(rags).status == expected
    assert portfolio_rag(rags).status == expected


def test_group_rule_takes_the_worst_of_delivery_and_measures():
    v = portfolio_rag(["green", "green"], {"roi": "amber", "cpi": "green"})
    assert (v.status, v.reason, v.level) == ("amber", "roi amber", "portfolio")
    v = program_rag(["red", "green", "green"], {"cpi": "red", "spi": "green"})
    assert v.status == "red" and v.reason == "1 of 3 projects red (>= 25%); cpi red"
    assert program_rag([], {"cpi": "grey"}).status == "grey"
    strict = ShareRule(red_share=0.5)
    assert program_rag(["red", "green", "green"], rule=strict).status == "amber"
