"""Helpers for the tests of the bundled scenarios and their play scripts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.record import RunRecord
from drill.engine.simulation import CompiledScenario
from drill.loading import load_playscript, load_scenario

REPO = Path(__file__).resolve().parent.parent
BUNDLED = ("black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline", "s3-us-east-1",
           "deleted-sites")
EXAMPLES = ("mixed-version-deploy",)
"""Incidents in docs/examples, with their play scripts beside them (``<id>.<play>.toml``)."""
DIMENSIONS = ("communication", "help", "rollback", "estimates")
OFF_PLAYS = tuple(f"off-{dimension}" for dimension in DIMENSIONS)
"""The shipped plays that are the good play with one dimension broken."""


def scenario_path(scenario_id: str) -> Path:
    if scenario_id in EXAMPLES:
        return REPO / "docs" / "examples" / f"{scenario_id}.toml"
    return REPO / "scenarios" / f"{scenario_id}.toml"


def script_path(scenario_id: str, name: str) -> Path:
    if scenario_id in EXAMPLES:
        return REPO / "docs" / "examples" / f"{scenario_id}.{name}.toml"
    return REPO / "tests" / "plays" / scenario_id / f"{name}.toml"


@lru_cache(maxsize=None)
def compiled_scenario(scenario_id: str) -> CompiledScenario:
    """A bundled scenario, loaded through the real loader and compiled once per test session."""
    return CompiledScenario.build(load_scenario(scenario_path(scenario_id)))


def script(scenario_id: str, name: str) -> PlayScript:
    return load_playscript(script_path(scenario_id, name))


def played(scenario_id: str, name: str, seed: int | None = None) -> RunRecord:
    """A shipped play script played headless, as `drill run` does."""
    steps = script(scenario_id, name)
    return play(compiled_scenario(scenario_id), steps.seed if seed is None else seed, steps.steps)


def rejected(run: RunRecord) -> list[str]:
    """The steps the run refused, readable in an assertion message."""
    return [f"T+{entry.time:g} {entry.ref}: {entry.text}" for entry in run.log
            if entry.kind == "rejected"]
