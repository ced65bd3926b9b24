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
