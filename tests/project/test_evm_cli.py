"""``pmkit evm`` on a saved portfolio, and the EVM charts."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_evm import demo_project

import pmkit
from pmkit.charts.evm import performance_trend, s_curve
from pmkit.cli import main
from pmkit.project.evm import earned_value, s_curve_table


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    prj = demo_project()
    pf = pmkit.Portfolio(
        projects=pd.DataFrame({"project_id": ["P", "Q"], "name": ["Demo", "Idle"], "state": ["active", "proposed"],
                               "start_date": pd.to_datetime(["2025-01-06", "2025-01-06"])}),
        tasks=pd.concat([prj.tasks, prj.tasks.assign(project_id="Q")]),
        baseline=pd.concat([prj.baseline, prj.baseline.assign(project_id="Q")]), status=prj.status)
    path = tmp_path_factory.mktemp("evm") / "pf"
    pmkit.save(pf, path)
    return path


def test_cli_json_matches_function(folder, capsys):
    assert main(["evm", str(folder), "--project", "P", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["status_date"] for r in rows] == ["2025-01-10", "2025-01-17", "2025-01-31"]
    assert rows[1]["ev"] == pytest.approx(2100) and rows[1]["spi_t"] == pytest.approx(0.866667, rel=1e-5)
    assert rows[2]["forecast_finish"] == "2025-01-31"


def test_cli_wbs_csv_and_table(folder, capsys):
    assert main(["evm", str(folder), "--project", "P", "--by", "wbs", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("status_date,wbs,bac,pv,ev,ac") and len(out) == 1 + 3 * 2
    assert main(["evm", str(folder), "--project", "P"]) == 0
    assert "2025-01-17" in capsys.readouterr().out


def test_cli_errors_and_empty(folder, capsys):
    assert main(["evm", str(folder)]) == 1
    assert "--project" in capsys.readouterr().err
    assert main(["evm", str(folder), "--project", "NOPE"]) == 1
    assert "unknown project 'NOPE'" in capsys.readouterr().err
    assert main(["evm", str(folder), "--project", "Q"]) == 0
    assert "no status records" in capsys.readouterr().out


def test_s_curve_data_and_charts():
    prj = demo_project()
    data = s_curve_table(prj)
    fc = data[data["dashed"]]
    assert fc["value"].tolist() == pytest.approx([3650, 3650])  # finished: EAC = AC
    assert data.loc[data["series"] == "Planned value (PV)", "value"].max() == pytest.approx(3500)
    spec = s_curve(s_curve_table(prj)).to_dict()
    assert len(spec["layer"]) == 3
    trend = performance_trend(earned_value(prj)).to_dict()
    values = {r["index"] for r in trend["datasets"][trend["layer"][0]["data"]["name"]]}
    assert values == {"CPI", "SPI(t)", "SPI"}
