"""Save files: everything a replay needs, written atomically after every action.

A save is JSON holding the scenario id and the SHA-256 of the scenario file's bytes, the seed,
pace, players, the names Faker generated (a Faker upgrade must not rename people in an old run),
the timed list of player actions and how far the clock had run.  Resuming replays the actions on
a fresh run: the engine is deterministic, so the state comes back exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import TypeAdapter

SAVE_FORMAT = "drill-save"
SAVE_VERSION = 1
MAX_SAVE_BYTES = 8 * 1024 * 1024
SAVES_ENV = "DRILL_SAVES_DIR"



@lru_cache(maxsize=1)
def _steps_adapter() -> "TypeAdapter[list[Any]]":
    # Built on first use: pydantic and the models cost start-up time the picker does not need.
    from pydantic import TypeAdapter

    from .engine.playscript import PlayerAction

    return TypeAdapter(list[PlayerAction])


class SaveError(Exception):
    """A save that cannot be used; the message names the file and says why."""


def default_saves_dir() -> Path:
    """Where saves go: $DRILL_SAVES_DIR, else ./saves."""
    return Path(os.environ.get(SAVES_ENV) or "saves")


def content_hash(data: bytes) -> str:
    """The hash a save keeps of its scenario file, to refuse a save whose scenario changed."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class SaveRecord:
    """The contents of one save file."""

    scenario_id: str
    scenario_hash: str
    scenario_path: str
    """Where the scenario was loaded from (a bundled id is stored as the id)."""
    seed: int
    pace: float
    players: list[str]
    names: dict[str, str]
    steps: list[Any] = field(default_factory=list)
    clock: float = 0.0
    """Scenario time reached when last saved."""
    finished: bool = False
    hints: bool = False
    started_at: str = ""
    """Wall-clock time the run began (ISO 8601), for listing saves."""
    postmortem: str = ""
    """Path of the postmortem written at the end, if any."""
    result: dict[str, Any] = field(default_factory=dict)
    """Once finished: the ending (`ending`, `kind`) and the scores (`overall`, `scores`), so the
    picker can show a player's best without replaying every run.  Replaying is the truth."""

    def to_json(self) -> str:
        """The save as stable, human-readable JSON."""
        body = {
            "format": SAVE_FORMAT,
            "version": SAVE_VERSION,
            "scenario": {"id": self.scenario_id, "sha256": self.scenario_hash,
                         "path": self.scenario_path},
            "seed": self.seed,
            "pace": self.pace,
            "players": self.players,
            "hints": self.hints,
            "names": self.names,
            "steps": _steps_adapter().dump_python(self.steps, mode="json", exclude_none=True),
            "clock": self.clock,
            "finished": self.finished,
            "started_at": self.started_at,
            "postmortem": self.postmortem,
            "result": self.result,
        }
        return json.dumps(body, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str) -> "SaveRecord":
        """Parse a save, or raise :class:`SaveError` naming ``source`` and the problem."""
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            raise SaveError(f"{source}: not a save file (line {error.lineno}: {error.msg})") from None
        except RecursionError:
            raise SaveError(f"{source}: not a save file (nested too deeply)") from None
        if not isinstance(body, dict) or body.get("format") != SAVE_FORMAT:
            raise SaveError(f"{source}: not a drill save file")
        if body.get("version") != SAVE_VERSION:
            raise SaveError(
                f"{source}: save format version {body.get('version')!r}; this drill reads "
                f"version {SAVE_VERSION}"
            )
        from pydantic import ValidationError

        try:
            scenario = body["scenario"]
            record = cls(
                scenario_id=_text(scenario["id"]),
                scenario_hash=_text(scenario["sha256"]),
                scenario_path=_text(scenario.get("path", "")),
                seed=int(body["seed"]),
                pace=float(body["pace"]),
                players=[_text(p) for p in body.get("players", [])],
                names={_text(k): _text(v) for k, v in dict(body.get("names", {})).items()},
                steps=_steps_adapter().validate_python(body.get("steps", [])),
                clock=float(body.get("clock", 0.0)),
                finished=bool(body.get("finished", False)),
                hints=bool(body.get("hints", False)),
                started_at=_text(body.get("started_at", "")),
                postmortem=_text(body.get("postmortem", "")),
                result=read_result(body.get("result", {})),
            )
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise SaveError(f"{source}: steps.{where}: {first['msg']}") from None
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise SaveError(f"{source}: damaged save ({type(error).__name__}: {error})") from None
        return record


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def read_save(path: Path) -> SaveRecord:
    """Read and check a save file; raise :class:`SaveError` with a one-line reason."""
    try:
        if not path.is_file():
            raise SaveError(f"{path}: not a file")
        if path.stat().st_size > MAX_SAVE_BYTES:
            raise SaveError(f"{path}: larger than {MAX_SAVE_BYTES // (1024 * 1024)} MiB")
        data = path.read_bytes()
    except OSError as error:
        raise SaveError(f"{path}: cannot read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError(f"{path}: not UTF-8 text; the save is damaged") from None
    return SaveRecord.from_json(text, str(path))


@dataclass(frozen=True)
class SaveListing:
    """A save found in the saves folder, readable or not."""

    path: Path
    record: SaveRecord | None
    problem: str = ""


def list_saves(folder: Path) -> list[SaveListing]:
    """Every ``*.json`` save in ``folder``, newest first; damaged ones carry their problem."""
    if not folder.is_dir():
        return []
    listings = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            listings.append(SaveListing(path, read_save(path)))
        except SaveError as error:
            listings.append(SaveListing(path, None, str(error)))
    return listings


def read_result(raw: object) -> dict[str, Any]:
    """A save's recorded result (ending, kind, overall, scores), keeping only well-formed values:
    it is for listing, and the save file is untrusted."""
    if not isinstance(raw, dict):
        return {}
    result: dict[str, Any] = {}
    for key in ("ending", "kind"):
        if isinstance(raw.get(key), str):
            result[key] = _text(raw[key])
    if isinstance(raw.get("overall"), (int, float)) and not isinstance(raw.get("overall"), bool):
        result["overall"] = float(raw["overall"])
    scores = raw.get("scores")
    if isinstance(scores, dict):
        result["scores"] = {_text(k): float(v) for k, v in scores.items()
                            if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return result
