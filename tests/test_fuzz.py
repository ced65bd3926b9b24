"""Random mutations of small tables, MS Project XML and XER files: never a traceback, never
a memory blow-up; a clean load or a message that locates the problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parent / "fuzz_driver.py"


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_inputs_load_cleanly_or_fail_with_a_located_message(seed, tmp_path):
    out = subprocess.run([sys.executable, str(DRIVER), "--seed", str(seed), "--cases", "150",
                          "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["failures"] == [], json.dumps(result["failures"], indent=1)[:4000]
    # the mutations really bite: both outcomes occur in every run
    assert result["clean"] > 10 and result["located"] > 10
    assert result["peak_rss_mb"] < 1024
