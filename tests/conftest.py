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


def load_fixture(name: str) -> Scenario:
    """A scenario from tests/fixtures, parsed without the file-loading shell."""
    with open(FIXTURES / name, "rb") as handle:
        return Scenario.model_validate(tomllib.load(handle))


@pytest.fixture
def tiny() -> CompiledScenario:
    """The tiny fixture scenario, compiled."""
    return CompiledScenario.build(load_fixture("tiny.toml"))
