"""The schema is the single source of truth: docs and empty frames follow it."""

from __future__ import annotations

from pathlib import Path

import pmkit
from pmkit.data.schema import TABLES, empty_frame, format_reference

ROOT = Path(__file__).resolve().parents[2]


def test_data_format_doc_is_generated_from_schema():
    doc = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert doc.strip() == format_reference().strip(), "run: python -m pmkit.data.schema > docs/data-format.md"


def test_every_table_documented_with_units_and_defaults():
    doc = format_reference()
    for name, table in TABLES.items():
        assert f"## {name}" in doc
        for col in table.columns:
            assert f"| `{col.name}` |" in doc
    assert "| `duration_days` | float | working days | yes |" in doc


def test_empty_portfolio_has_every_table_with_schema_columns():
    pf = pmkit.Portfolio(projects=None)
    for name, table in TABLES.items():
        assert list(pf.tables()[name].columns) == table.column_names
        assert list(empty_frame(name).columns) == table.column_names
