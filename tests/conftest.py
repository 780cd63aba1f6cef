"""Shared fixtures."""

from __future__ import annotations

import gc
import os
import sys
import tomllib
from pathlib import Path

import pytest

# The suite keeps bytecode caches even where PYTHONDONTWRITEBYTECODE is set (this machine sets
# it): without them each of the three workers, and each `drill` or Python subprocess a test
# starts, compiles drill and rewrites the tests' assertions again, a fifth of the suite's CPU
# time here (174 s against 140 s).  The caches go in __pycache__, which git ignores.  Set
# before drill is imported, and in the environment the workers and subprocesses inherit.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

from drill.engine.scenario import Scenario  # noqa: E402
from drill.engine.simulation import CompiledScenario  # noqa: E402

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


def pytest_collection_finish(session: pytest.Session) -> None:
    # The TUI tests make garbage by the million, and the collector's walks were a quarter of
    # their CPU time.  Everything imported and collected so far lives until the end: frozen, the
    # full collections stop walking it.  Collecting young objects every 10,000 allocations
    # rather than 700 halves the rest (measured on tests/tui: 9.3 s of GC down to 2.7 s).
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.fixture(autouse=True)
def fresh_textual_style_cache():
    """Textual keeps the last 1,024 widgets' style caches (every line they drew) alive in an
    ``lru_cache`` on ``StylesCache.get_inner_outer``, long after their app has gone; each test
    starts without them, as a new process would, so the collector does not walk them all again."""
    yield
    styles_cache = sys.modules.get("textual._styles_cache")
    cached = getattr(getattr(styles_cache, "StylesCache", None), "get_inner_outer", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()


def load_fixture(name: str) -> Scenario:
    """A scenario from tests/fixtures, parsed without the file-loading shell."""
    with open(FIXTURES / name, "rb") as handle:
        return Scenario.model_validate(tomllib.load(handle))


@pytest.fixture
def tiny() -> CompiledScenario:
    """The tiny fixture scenario, compiled."""
    return CompiledScenario.build(load_fixture("tiny.toml"))
