"""Bad options get one-line errors with the accepted format and the closest valid choice."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pmkit
from pmkit.cli import main

SAMPLE = str(pmkit.sample_path())


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-02-30", "'2026-02-30' is not a date: day is out of range for month (use YYYY-MM-DD)"),
    ("tomorrow", "'tomorrow' is not a date in the accepted format YYYY-MM-DD (e.g. 2026-10-30)"),
    ("30/10/2026", "day and month order is ambiguous, write it as YYYY-MM-DD"),
    ("2026", "'2026' is not a date in the accepted format YYYY-MM-DD"),
])
def test_date_options_accept_only_iso_dates(value, expected, capsys):
    for argv in (["kpi", SAMPLE, "--project", "P04", "--status-date", value],
                 ["risk", SAMPLE, "--project", "P04", "--target-date", value],
                 ["schedule", SAMPLE, "--project", "P04", "--status-date", value]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"error: {argv[-2]} ") and expected in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1


def test_a_valid_date_option_is_used(capsys):
    assert main(["kpi", SAMPLE, "--project", "P04", "--status-date", "2026-01-30", "--format", "csv"]) == 0
    assert "On budget" in capsys.readouterr().out


def test_unknown_command_and_project_suggest_the_closest(capsys):
    assert main(["scedule", SAMPLE]) == 2
    assert "unknown command 'scedule' (did you mean 'schedule'?)" in capsys.readouterr().err
    assert main(["kpi", SAMPLE, "--project", "p02"]) == 1
    assert "unknown project 'p02' (did you mean 'P02'?)" in capsys.readouterr().err


def test_python_dash_m_pmkit_is_the_cli():
    out = subprocess.run([sys.executable, "-m", "pmkit", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == f"pmkit {pmkit.__version__}"
    out = subprocess.run([sys.executable, "-m", "pmkit", "kpi", SAMPLE, "--project", "P02"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "project RAG:" in out.stdout


def test_help_does_not_import_pandas():
    # `pmkit --help` must answer at once: no command imports pandas until it runs
    code = "import sys; from pmkit.cli import build_parser; build_parser(); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_first_use_of_compiled_kernels_is_announced_once(tmp_path, monkeypatch, capsys):
    from pmkit.project import _first_use

    (tmp_path / "kernels_new.py").write_text("")
    (tmp_path / "kernels_old.py").write_text("")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "kernels_old.forward-12.py311.nbi").write_bytes(b"")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert _first_use.is_compiled("kernels_old") and not _first_use.is_compiled("kernels_new")
    assert not _first_use.first_use_notice("kernels_old", "the old kernels")
    assert _first_use.first_use_notice("kernels_new", "the new kernels")
    assert not _first_use.first_use_notice("kernels_new", "the new kernels")  # once per process
    err = capsys.readouterr().err
    assert err == "pmkit: compiling the new kernels for this machine (first use only, up to a minute)...\n"
