"""Shared fixtures: small portfolios built in code (never copies of public test data)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Tests mirror the package: data/, project/, portfolio/, reports/, interop/. A few modules
# share builders across those folders (test_evm.demo_project, test_psplib.SMALL,
# test_report_support.sample_reports), so every folder is importable from any other.
for _folder in ("data", "project", "portfolio", "reports", "interop"):
    sys.path.insert(0, str(Path(__file__).resolve().parent / _folder))


@pytest.fixture(autouse=True)
def _no_network_env(monkeypatch):
    # Reports and charts must never need the network; make accidental use visible.
    monkeypatch.setenv("PMKIT_TESTING", "1")


def pytest_configure(config):
    os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_sessionfinish(session, exitstatus):
    # Nothing a test started (kernels, report workers) may outlive the run and hold CI's output open.
    try:
        from pmkit.reports import runner
    except Exception:  # noqa: BLE001 - the package itself failed to import; nothing was started
        return
    runner._kill_descendants()
