"""Where scenarios are found, and how a SCENARIO argument becomes a file.

Bundled scenarios live in the package as ``drill/_bundled_scenarios`` when drill is installed
from a wheel (pyproject.toml force-includes the top-level ``scenarios/`` there), and in the
repository's ``scenarios/`` in a checkout or an editable install.  A facilitator's own
scenarios are any ``*.toml`` files in ``./scenarios`` of the current directory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal, Sequence, TypeVar

from .engine.text import escaped

PACKAGE = Path(__file__).resolve().parent
"""The installed drill package's folder."""

if TYPE_CHECKING:
    from .engine.scenario import Scenario
    from .engine.simulation import CompiledScenario
    from .loading import Problem

Item = TypeVar("Item")
Origin = Literal["bundled", "local"]
LOCAL_DIR = "scenarios"
"""Directory, relative to the current one, searched for a facilitator's own scenarios."""


class UnknownScenario(LookupError):
    """A SCENARIO argument that is neither an existing file nor a known scenario id."""


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario opened by reference: loaded, checked and compiled, with the hash saves keep."""

    reference: str
    """What a save stores to find it again: a bundled id, or the file's full path."""
    path: Path
    scenario: Scenario
    compiled: CompiledScenario
    sha256: str
    """The SHA-256 of the exact bytes that were loaded."""

    @classmethod
    def open(cls, reference: str, cwd: Path | None = None) -> ScenarioSource:
        """Open a scenario by bundled id or path: the one way the shell does it (`drill play`,
        `run`, `check`, resuming and comparing saves, the picker).

        Raises:
            UnknownScenario: neither a file nor a known id (the message lists the known ids).
            LoadError: the file cannot be read or is not a valid scenario (every problem).
        """
        from .loading import load_playable
        from .saves import content_hash

        path = resolve(reference, cwd)
        scenario, compiled, data = load_playable(path)
        if looks_like_path(reference) or ((cwd or Path.cwd()) / reference).is_file():
            # A file of the facilitator's: saves keep its full path, so `drill resume` finds it
            # from any folder.  Bundled ids stay ids, so they survive an upgrade's new path.
            reference = str(path.resolve())
        return cls(reference, path, scenario, compiled, content_hash(data))


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One scenario file that loaded, with what a picker or `drill list` shows of it."""

    id: str
    title: str
    unit: str
    """The clock unit: 'minutes' or 'days'."""
    play_minutes: int
    """Expected real play time at the default pace."""
    difficulty: str
    summary: str
    path: Path
    origin: Origin
    replaces: bool = False
    """A local file with the id of a bundled scenario, listed in its place."""


def one_per_id(items: Sequence[Item], id_of: Callable[[Item], str],
               bundled: Callable[[Item], bool]) -> list[tuple[Item, bool]]:
    """Each scenario id listed once: a file of the facilitator's (``./scenarios`` or the command
    line) with the id of a bundled scenario replaces it.  The picker and `drill list` both use
    this, and say which file replaced a bundled one.

    Returns the items kept, in order, each with whether it replaces a bundled scenario.
    """
    local = {id_of(item) for item in items if not bundled(item)}
    shipped = {id_of(item) for item in items if bundled(item)}
    return [(item, not bundled(item) and id_of(item) in shipped) for item in items
            if not (bundled(item) and id_of(item) in local)]


def bundled_dir() -> Path | None:
    """The directory of the scenarios shipped with drill, or None if there is none."""
    # A wheel installs as plain files, so the package's data is a real directory beside this
    # module (importlib.resources would find the same, and costs start-up time to import).
    packaged = PACKAGE / "_bundled_scenarios"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "scenarios"
    return checkout if checkout.is_dir() else None


def scenario_files(cwd: Path | None = None, include_local: bool = True) -> list[tuple[Path, Origin]]:
    """Every scenario file: bundled first, then ``./scenarios/*.toml``, each path once."""
    found: list[tuple[Path, Origin]] = []
    seen: set[Path] = set()
    directories: list[tuple[Path | None, Origin]] = [(bundled_dir(), "bundled")]
    if include_local:
        directories.append(((cwd or Path.cwd()) / LOCAL_DIR, "local"))
    for directory, origin in directories:
        if directory is None or not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            # In a checkout ./scenarios *is* the bundled directory: list it once.
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append((path, origin))
    return found


def list_scenarios(
    cwd: Path | None = None, include_local: bool = True
) -> tuple[list[CatalogEntry], list[Problem]]:
    """Load every scenario file; return the ones that loaded and the problems of the others."""
    from .loading import LoadError, load_scenario

    entries: list[CatalogEntry] = []
    problems: list[Problem] = []
    for path, origin in scenario_files(cwd, include_local):
        try:
            scenario = load_scenario(path)
        except LoadError as error:
            problems.extend(error.problems)
            continue
        meta = scenario.meta
        entries.append(
            CatalogEntry(meta.id, meta.title, scenario.clock.unit, meta.play_minutes,
                         meta.difficulty, meta.summary, path, origin)
        )
    kept = one_per_id(entries, lambda e: e.id, lambda e: e.origin == "bundled")
    return [dataclasses.replace(entry, replaces=True) if replaces else entry
            for entry, replaces in kept], problems


DOCS = ("scenario-format.md", "scoring.md", "play-scripts.md", "facilitator.md")
"""The documents shipped with drill (pyproject.toml force-includes them as ``drill/_docs``)."""


def docs_path(name: str) -> Path | None:
    """Where one of :data:`DOCS` is on this machine: inside the installed package, or in the
    checkout's ``docs/``; None if it is in neither."""
    packaged = PACKAGE / "_docs" / name
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "docs" / name
    return checkout if checkout.is_file() else None


def looks_like_path(spec: str) -> bool:
    """Whether a SCENARIO argument is meant as a file rather than an id."""
    return spec.endswith(".toml") or "/" in spec or "\\" in spec or spec.startswith(".")


def resolve(spec: str, cwd: Path | None = None) -> Path:
    """The file a SCENARIO argument names: an existing path, or a scenario id.

    An id is looked up among bundled then local scenarios, first by file name (``<id>.toml``,
    the convention, so that nothing else is parsed) and then by the ``meta.id`` inside each file.
    Raises :class:`UnknownScenario` with the known ids when nothing matches.
    """
    base = cwd or Path.cwd()
    candidate = Path(spec) if Path(spec).is_absolute() else base / spec
    if candidate.is_file() or looks_like_path(spec):
        # A path that does not exist is left for the loader to report precisely.
        return candidate
    # A local file replaces a bundled scenario of the same id (see one_per_id): look there first.
    files = sorted(scenario_files(base), key=lambda found: found[1] == "bundled")
    for path, _ in files:
        if path.stem == spec:
            return path
    entries, _ = list_scenarios(base)
    for entry in entries:
        if entry.id == spec:
            return entry.path
    known = ", ".join(known_ids(entries)) or "none found"
    raise UnknownScenario(f"unknown scenario '{escaped(spec)}' (known ids: {known})")


def known_ids(entries: Sequence[CatalogEntry]) -> list[str]:
    """The ids of catalog entries, sorted."""
    return sorted({entry.id for entry in entries})
