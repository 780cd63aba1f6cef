"""What the picker shows, read cheaply: scenario headers and save summaries.

The picker must paint fast, so it reads only the ``[meta]`` and ``[clock]`` tables of each
scenario (within the limits of :mod:`drill.bounded_toml`, so a hostile file cannot hang it) and
checks every field of each save but its steps, without pydantic.  Full validation happens when a
scenario is chosen or a save resumed.  Every value is treated as untrusted text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import bounded_toml
from ..catalog import one_per_id, scenario_files
from ..saves import SaveError, read_save
from ..storage import UnreadableFile, read_small_file, regular_files, shown


@dataclass(frozen=True)
class ScenarioCard:
    """A scenario as the picker lists it."""

    reference: str
    """Bundled id or path, as ScenarioSource.open takes it."""
    id: str
    title: str
    source: str
    summary: str
    unit: str
    difficulty: str
    play_minutes: str
    severity: str
    origin: str
    problem: str = ""
    replaces: bool = False
    """A local file with the id of a bundled scenario, listed in its place."""


@dataclass(frozen=True)
class SaveCard:
    """A save as the picker lists it."""

    path: Path
    scenario_id: str
    clock: float
    finished: bool
    started_at: str
    seed: str
    problem: str = ""
    overall: float | None = None
    """The overall score of a finished run, as recorded in the save."""
    ending_kind: str = ""
    unfinished: bool = False
    """The facilitator ended the run before the incident was over: never a best run."""


def _text(table: object, key: str, default: str = "?") -> str:
    value = table.get(key, default) if isinstance(table, dict) else default
    return str(value)[:300]


def _meta_and_clock(text: str) -> dict:
    """Parse only the [meta] and [clock] tables: a fifth of the time of the whole file.

    Falls back to the whole file when the cut-down text does not parse (a multi-line string
    with a line that looks like a table header, say).  Either way within the limits of
    :mod:`drill.bounded_toml`; raises its ``TomlRefused``.
    """
    kept, keep = [], False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            keep = stripped.split("#")[0].strip() in ("[meta]", "[clock]")
        if keep:
            kept.append(line)
    try:
        data = bounded_toml.parse("".join(kept))
        if isinstance(data.get("meta"), dict):
            return data
    except bounded_toml.TomlRefused:
        pass
    return bounded_toml.parse(text)


def peek_scenario(path: Path, reference: str, origin: str) -> ScenarioCard:
    """The picker's view of a scenario file; a broken file gives a card with its problem."""
    try:
        data = _meta_and_clock(read_small_file(path, bounded_toml.MAX_BYTES, "TOML file")
                               .decode("utf-8"))
    except bounded_toml.TomlRefused as refused:
        where = f"line {refused.line}: " if refused.line else ""
        return _broken(path, reference, origin, where + refused.message)
    except (UnreadableFile, UnicodeDecodeError) as error:
        return _broken(path, reference, origin, str(error) or type(error).__name__)
    meta, clock = data.get("meta", {}), data.get("clock", {})
    return ScenarioCard(
        reference=reference,
        id=_text(meta, "id", path.stem),
        title=_text(meta, "title", path.stem),
        source=_text(meta, "source", ""),
        summary=_text(meta, "summary", ""),
        unit=_text(clock, "unit", "minutes"),
        difficulty=_text(meta, "difficulty"),
        play_minutes=_text(meta, "play_minutes"),
        severity=_text(meta, "severity", "SEV1"),
        origin=origin,
    )


def _broken(path: Path, reference: str, origin: str, problem: str) -> ScenarioCard:
    return ScenarioCard(reference, path.stem, path.name, "", "", "", "", "", "", origin,
                        problem=problem.splitlines()[0][:200] if problem else "cannot be read")


def best_run(saves: list[SaveCard], scenario_id: str) -> tuple[SaveCard | None, int]:
    """The best-scored finished run of a scenario among ``saves``, and how many finished."""
    finished = [s for s in saves if s.scenario_id == scenario_id and s.finished
                and not s.problem and s.overall is not None and not s.unfinished]
    best = max(finished, key=lambda s: (s.overall, s.started_at), default=None)
    return best, len(finished)


def scenario_cards(extra: list[str], cwd: Path | None = None) -> list[ScenarioCard]:
    """Bundled scenarios, then ./scenarios, then paths from the command line; each id once, a
    local file replacing the bundled scenario of the same id (:func:`drill.catalog.one_per_id`).
    """
    cards = []
    for path, origin in scenario_files(cwd):
        reference = path.stem if origin == "bundled" else str(path)
        cards.append(peek_scenario(path, reference, origin))
    for item in extra:
        cards.append(peek_scenario(Path(item), item, "command line"))
    kept = one_per_id(cards, lambda card: card.id, lambda card: card.origin == "bundled")
    return [replace(card, replaces=True) if replaces else card for card, replaces in kept]


def save_cards(folder: Path) -> list[SaveCard]:
    """Saves in ``folder``, newest first; a damaged one is listed with its problem.

    Every field but the steps is checked (:func:`drill.saves.read_save`); a save whose steps do
    not replay is found when it is resumed.  Only regular files are read: a FIFO, a directory
    or a device named ``*.json`` is never opened.
    """
    cards = []
    for _, path in sorted(regular_files(folder, ".json"), reverse=True):
        try:
            record = read_save(path, steps=False)
        except SaveError as error:
            cards.append(SaveCard(path, "", 0, False, "", "", problem=_reason(path, error)))
            continue
        cards.append(SaveCard(path, record.scenario_id, record.clock, record.finished,
                              record.started_at, str(record.seed),
                              overall=record.result.get("overall"),
                              ending_kind=record.result.get("kind", ""),
                              unfinished=record.result.get("outcome") == "unfinished"))
    return cards


def _reason(path: Path, error: SaveError) -> str:
    """A save's problem without its path, which the picker shows beside it."""
    message = str(error)
    prefix = f"{shown(path)}: "
    return (message[len(prefix):] if message.startswith(prefix) else message)[:200] or "damaged"
