"""Shared fixtures: small portfolios built in code (never copies of public test data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_network_env(monkeypatch):
    # Reports and charts must never need the network; make accidental use visible.
    monkeypatch.setenv("PMKIT_TESTING", "1")


def pytest_configure(config):
    os.environ.setdefault("MPLBACKEND", "Agg")
