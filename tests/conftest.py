"""Shared fixtures."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from drill.engine.scenario import Scenario
from drill.engine.simulation import CompiledScenario

TESTS = Path(__file__).parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
SHARED_BUILDS = {"wheel", "fresh_runs"}
"""Module-scoped fixtures that build something slow: every test using one runs in the same
xdist worker, so the build happens once per run and not once per worker."""


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups from the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The TUI tests are the slow ones: started first, the quick ones fill in at the end and the
    # workers finish together.
    items.sort(key=lambda item: not item.nodeid.startswith("tests/tui/"))
    for item in items:
        for name in SHARED_BUILDS.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group(name))


def load_fixture(name: str) -> Scenario:
    """A scenario from tests/fixtures, parsed without the file-loading shell."""
    with open(FIXTURES / name, "rb") as handle:
        return Scenario.model_validate(tomllib.load(handle))


@pytest.fixture
def tiny() -> CompiledScenario:
    """The tiny fixture scenario, compiled."""
    return CompiledScenario.build(load_fixture("tiny.toml"))
