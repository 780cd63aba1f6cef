"""What the picker shows, read cheaply: scenario headers and save summaries.

The picker must paint fast, so it reads only the ``[meta]`` and ``[clock]`` tables with
``tomllib`` and the top of each save's JSON, without pydantic.  Full validation happens when a
scenario is chosen.  Every value is treated as untrusted text.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..catalog import scenario_files
from ..saves import read_result

MAX_PEEK_BYTES = 1024 * 1024


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


def _text(table: object, key: str, default: str = "?") -> str:
    value = table.get(key, default) if isinstance(table, dict) else default
    return str(value)[:300]


def _meta_and_clock(text: str) -> dict:
    """Parse only the [meta] and [clock] tables: a fifth of the time of the whole file.

    Falls back to the whole file when the cut-down text does not parse (a multi-line string
    with a line that looks like a table header, say).
    """
    kept, keep = [], False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            keep = stripped.split("#")[0].strip() in ("[meta]", "[clock]")
        if keep:
            kept.append(line)
    try:
        data = tomllib.loads("".join(kept))
        if isinstance(data.get("meta"), dict):
            return data
    except tomllib.TOMLDecodeError:
        pass
    return tomllib.loads(text)


def peek_scenario(path: Path, reference: str, origin: str) -> ScenarioCard:
    """The picker's view of a scenario file; a broken file gives a card with its problem."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_PEEK_BYTES:
            raise ValueError("not a regular file under 1 MiB")
        data = _meta_and_clock(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        return ScenarioCard(reference, path.stem, path.name, "", "", "", "", "", "", origin,
                            problem=message[:200])
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


def best_run(saves: list[SaveCard], scenario_id: str) -> tuple[SaveCard | None, int]:
    """The best-scored finished run of a scenario among ``saves``, and how many finished."""
    finished = [s for s in saves if s.scenario_id == scenario_id and s.finished
                and not s.problem and s.overall is not None]
    best = max(finished, key=lambda s: (s.overall, s.started_at), default=None)
    return best, len(finished)


def scenario_cards(extra: list[str], cwd: Path | None = None) -> list[ScenarioCard]:
    """Bundled scenarios, then ./scenarios, then paths from the command line."""
    cards = []
    for path, origin in scenario_files(cwd):
        reference = path.stem if origin == "bundled" else str(path)
        cards.append(peek_scenario(path, reference, origin))
    for item in extra:
        cards.append(peek_scenario(Path(item), item, "command line"))
    return cards


def save_cards(folder: Path) -> list[SaveCard]:
    """Saves in ``folder``, newest first; a damaged one is listed with its problem."""
    if not folder.is_dir():
        return []
    paths = []
    for path in folder.glob("*.json"):
        try:
            paths.append((path.stat().st_mtime, path))
        except OSError:
            continue
    cards = []
    for _, path in sorted(paths, reverse=True):
        try:
            if path.stat().st_size > 8 * MAX_PEEK_BYTES:
                raise ValueError("too large")
            body = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(body, dict) or body.get("format") != "drill-save":
                raise ValueError("not a drill save")
            scenario = body.get("scenario", {})
            result = read_result(body.get("result"))
            cards.append(SaveCard(path, _text(scenario, "id"), float(body.get("clock", 0)),
                                  bool(body.get("finished")), _text(body, "started_at", ""),
                                  _text(body, "seed", ""), overall=result.get("overall"),
                                  ending_kind=result.get("kind", "")))
        except (OSError, ValueError, UnicodeDecodeError, RecursionError, TypeError) as error:
            cards.append(SaveCard(path, "", 0, False, "", "", problem=str(error)[:200] or "damaged"))
    return cards
