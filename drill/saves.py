"""Save files: everything a replay needs, written atomically after every action, and the replay.

A save is JSON holding the scenario id and the SHA-256 of the scenario file's bytes, the seed,
pace, players, the names Faker generated (a Faker upgrade must not rename people in an old run),
the timed list of player actions and how far the clock had run.  Resuming replays the actions on
a fresh run (:func:`replay_save`, the one replay that resuming, comparing and the picker use):
the engine is deterministic, so the state comes back exactly.

Saves move between machines and players, so a save is untrusted input: every field is checked
on reading (types, finite numbers, ranges, valid text), and anything wrong is a
:class:`SaveError` with a one-line reason naming the file and the field, never another exception.
This module imports only the standard library up front; pydantic (for the steps) and the engine
(for the replay) are imported when needed, so listing saves stays cheap.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine.text import escaped, one_line
from .storage import UnreadableFile, read_small_file, shown

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from .catalog import ScenarioSource
    from .engine.scenario import Scenario
    from .engine.simulation import Run

SAVE_FORMAT = "drill-save"
SAVE_VERSION = 1
MAX_SAVE_BYTES = 8 * 1024 * 1024
SAVES_ENV = "DRILL_SAVES_DIR"
MAX_SEED = 2**63 - 1
"""Seeds run from 0 to this (what `--seed` and the set-up dialog accept)."""
MAX_TEXT = 4096
"""Longest text field in a save, in characters (a path, a name, a time stamp)."""


@lru_cache(maxsize=1)
def _steps_adapter() -> "TypeAdapter[list[Any]]":
    # Built on first use: pydantic and the models cost start-up time the picker does not need.
    from pydantic import TypeAdapter

    from .engine.playscript import PlayerAction

    return TypeAdapter(list[PlayerAction])


class SaveError(Exception):
    """A save that cannot be used; the message (one line) names the file and says why."""


def default_saves_dir() -> Path:
    """Where saves go: $DRILL_SAVES_DIR, else ./saves."""
    return Path(os.environ.get(SAVES_ENV) or "saves")


def content_hash(data: bytes) -> str:
    """The hash a save keeps of its scenario file, to refuse a save whose scenario changed."""
    import hashlib  # here, not at the top: the picker imports this module at start-up

    return hashlib.sha256(data).hexdigest()


def game_hash(scenario: Scenario) -> str:
    """The hash of the scenario as the game reads it: the same for a file whose comments,
    layout or quoting changed, or that `drill upgrade` rewrote to the current format, since
    such a file plays the same run.  Any change to what is played or shown changes it."""
    # The format number says how the file was written, not what it plays.  Python's JSON, not
    # pydantic's: pydantic writes inf and nan as null, like a value left unset, and an interval
    # of inf plays differently from no interval at all.
    data = json.dumps(scenario.model_dump(mode="python", exclude={"meta": {"format"}}),
                      allow_nan=True, ensure_ascii=False, default=repr)
    return content_hash(data.encode("utf-8"))


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
    scenario_game_hash: str = ""
    """:func:`game_hash` of the scenario the run was played with; empty in saves made before
    it was kept, which resume only with the very same file."""
    variant: dict[str, Any] = field(default_factory=dict)
    """What the run drew of what varies (:meth:`drill.engine.variety.Variant.to_json`), kept
    like the names so that the run replays as it was played; empty when nothing varies."""
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
                         "path": self.scenario_path,
                         **({"game_sha256": self.scenario_game_hash}
                            if self.scenario_game_hash else {})},
            "seed": self.seed,
            "pace": self.pace,
            "players": self.players,
            "hints": self.hints,
            "names": self.names,
            **({"variant": self.variant} if self.variant else {}),
            "steps": _steps_adapter().dump_python(self.steps, mode="json", exclude_none=True),
            "clock": self.clock,
            "finished": self.finished,
            "started_at": self.started_at,
            "postmortem": self.postmortem,
            "result": self.result,
        }
        return json.dumps(body, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str, *, steps: bool = True) -> SaveRecord:
        """Parse and check a save, or raise :class:`SaveError` naming ``source`` and the field.

        Args:
            text: the save's JSON.
            source: the file it came from, for messages.
            steps: also validate the steps (this needs pydantic).  False is for listing saves
                quickly: every other field is checked, and ``steps`` is left empty, so such a
                record must never be replayed or written back.
        """
        where = shown(source)
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            raise SaveError(f"{where}: not a save file (line {error.lineno}: {error.msg})") \
                from None
        except RecursionError:
            raise SaveError(f"{where}: not a save file (nested too deeply)") from None
        except ValueError as error:  # an integer of thousands of digits, say
            raise SaveError(f"{where}: not a save file ({one_line(str(error))[:120]})") from None
        if not isinstance(body, dict) or body.get("format") != SAVE_FORMAT:
            raise SaveError(f"{where}: not a drill save file")
        version = body.get("version")
        if isinstance(version, bool) or version != SAVE_VERSION:
            raise SaveError(f"{where}: save format version {_found(version)}; this "
                            f"drill reads version {SAVE_VERSION}")
        try:
            fields = _checked_fields(body)
        except _Damaged as damaged:
            raise SaveError(f"{where}: {damaged.field}: {damaged.reason}") from None
        fields["steps"] = _checked_steps(body.get("steps", []), where) if steps else []
        return cls(**fields)


class _Damaged(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def _found(value: object) -> str:
    """A value from the file, shown as JSON spells it, short and safe for a message."""
    try:
        spelled = "nothing" if value is None else json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        spelled = type(value).__name__
    return escaped(spelled, 40)


def _text(value: object, name: str, *, empty: bool = True) -> str:
    """A text field: a string, valid Unicode (no lone surrogate), not too long."""
    if not isinstance(value, str):
        raise _Damaged(name, f"must be text, not {_kind(value)}")
    if len(value) > MAX_TEXT:
        raise _Damaged(name, f"longer than {MAX_TEXT:,} characters")
    if not empty and not value:
        raise _Damaged(name, "must not be empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Damaged(name, "not valid Unicode text (a lone surrogate)") from None
    return value


def _number(value: object, name: str) -> float:
    """A finite number (JSON has no other kind a save writes)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Damaged(name, f"must be a number, not {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _Damaged(name, f"must be a finite number, not {_found(value)}")
    return number


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise _Damaged(name, f"must be true or false, not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {_found(value)}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _checked_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Every field of a save but the steps, checked; raise _Damaged at the first bad one."""
    scenario = body.get("scenario")
    if not isinstance(scenario, dict):
        raise _Damaged("scenario", f"must be an object, not {_kind(scenario)}")
    if "seed" not in body:
        raise _Damaged("seed", "missing")
    seed = body["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise _Damaged("seed", f"must be a whole number from 0 to 2**63-1, not {_found(seed)}")
    if "pace" not in body:
        raise _Damaged("pace", "missing")
    pace = _number(body["pace"], "pace")
    if pace <= 0:
        raise _Damaged("pace", f"must be above 0 (real seconds per clock unit), not {_found(pace)}")
    clock = _number(body.get("clock", 0.0), "clock")
    if clock < 0:
        raise _Damaged("clock", f"must be 0 or more, not {_found(clock)}")
    players = body.get("players", [])
    if not isinstance(players, list):
        raise _Damaged("players", f"must be a list, not {_kind(players)}")
    names = body.get("names", {})
    if not isinstance(names, dict):
        raise _Damaged("names", f"must be an object, not {_kind(names)}")
    variant = body.get("variant", {})
    if not isinstance(variant, dict):
        raise _Damaged("variant", f"must be an object, not {_kind(variant)}")
    if "id" not in scenario or "sha256" not in scenario:
        raise _Damaged("scenario", "needs an id and a sha256")
    return {
        "scenario_id": _text(scenario["id"], "scenario.id", empty=False),
        "scenario_hash": _text(scenario["sha256"], "scenario.sha256", empty=False),
        "scenario_path": _text(scenario.get("path", ""), "scenario.path"),
        "scenario_game_hash": _text(scenario.get("game_sha256", ""), "scenario.game_sha256"),
        "seed": seed,
        "pace": pace,
        "players": [_text(p, f"players[{i}]") for i, p in enumerate(players)],
        "names": {_text(k, "names"): _text(v, f"names.{escaped(str(k))}")
                  for k, v in names.items()},
        "variant": variant,
        "clock": clock,
        "finished": _flag(body.get("finished", False), "finished"),
        "hints": _flag(body.get("hints", False), "hints"),
        "started_at": _text(body.get("started_at", ""), "started_at"),
        "postmortem": _text(body.get("postmortem", ""), "postmortem"),
        "result": read_result(body.get("result", {})),
    }


def _checked_steps(raw: object, where: str) -> list[Any]:
    from pydantic import ValidationError

    try:
        return _steps_adapter().validate_python(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        place = ".".join(escaped(str(part)) for part in first["loc"])
        return_field = f"steps.{place}" if place else "steps"
        raise SaveError(f"{where}: {return_field}: {one_line(str(first['msg']))}") from None
    except RecursionError:
        raise SaveError(f"{where}: steps: nested too deeply") from None


def read_save(path: Path, *, steps: bool = True) -> SaveRecord:
    """Read and check a save file; raise :class:`SaveError` with a one-line reason.

    A FIFO, a device or a directory is refused without being opened.  ``steps=False`` checks
    everything but the steps, for listing (see :meth:`SaveRecord.from_json`).
    """
    try:
        data = read_small_file(path, MAX_SAVE_BYTES, what="save file")
    except UnreadableFile as error:
        raise SaveError(f"{shown(path)}: {error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError(f"{shown(path)}: not UTF-8 text; the save is damaged") from None
    return SaveRecord.from_json(text, str(path), steps=steps)


def read_result(raw: object) -> dict[str, Any]:
    """A save's recorded result (ending, kind, outcome, overall, scores), keeping only
    well-formed values: it is for listing, and the save file is untrusted."""
    if not isinstance(raw, dict):
        return {}
    result: dict[str, Any] = {}
    for key in ("ending", "kind", "outcome"):
        value = raw.get(key)
        if isinstance(value, str) and len(value) <= MAX_TEXT and _encodable(value):
            result[key] = value
    if _finite(raw.get("overall")):
        result["overall"] = float(raw["overall"])
    scores = raw.get("scores")
    if isinstance(scores, dict):
        result["scores"] = {k: float(v) for k, v in scores.items()
                            if isinstance(k, str) and _encodable(k) and _finite(v)}
    return result


def _finite(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- the replay --------------------------------------------------------------------------------


@dataclass
class ReplayedSave:
    """A save brought back to life: its record, its scenario, and the run replayed to where it
    was saved."""

    record: SaveRecord
    source: ScenarioSource
    run: Run


def saved_variant(scenario: Any, data: dict[str, Any]) -> Any:
    """The variant a save (or a served run) kept, checked against its scenario: a
    :class:`~drill.engine.variety.Variant`, or None for an older save that kept none (the run
    then draws it from its seed).  Raises ``VariantError`` (a ValueError) saying what is wrong."""
    from .engine.variety import variant_from_json

    return variant_from_json(scenario, data) if data else None


def plays_the_same(record: SaveRecord, source: ScenarioSource) -> bool:
    """Whether ``source`` is the scenario the save was played with: the very same file, or
    one the game reads the same (see :func:`game_hash`)."""
    if source.sha256 == record.scenario_hash:
        return True
    return bool(record.scenario_game_hash) and record.scenario_game_hash == game_hash(
        source.scenario)


def replay_save(path: Path, record: SaveRecord | None = None) -> ReplayedSave:
    """The run of a save, replayed on a fresh run to where it was saved: the one replay that
    resuming (``GameSession.resume``, `drill resume`, the picker) and comparing use.

    Args:
        path: the save file.
        record: the save already read from ``path``, if it has been.

    Raises:
        SaveError: one line naming ``path``: the save is damaged, its scenario cannot be found,
            does not load or has changed since the save, or a saved step no longer replays
            ("step 7 (page at T+12): Kim has already been paged").
    """
    from .catalog import ScenarioSource, UnknownScenario
    from .engine.simulation import ActionRejected, Run
    from .engine.text import clock_time
    from .loading import LoadError

    record = record if record is not None else read_save(path)
    where, scenario = shown(path), f"its scenario '{escaped(record.scenario_id)}'"
    try:
        source = ScenarioSource.open(record.scenario_path or record.scenario_id)
    except UnknownScenario as error:
        raise SaveError(f"{where}: {scenario} cannot be found ({error})") from None
    except LoadError as error:
        first = error.problems[0] if error.problems else error
        more = len(error.problems) - 1
        raise SaveError(f"{where}: {scenario} does not load: {first}"
                        + (f" (and {more:,} more problems)" if more > 0 else "")) from None
    if not plays_the_same(record, source):
        raise SaveError(f"{where}: the scenario '{escaped(record.scenario_id)}' has changed since "
                        "this run was saved, so it cannot be replayed exactly")
    unit = source.scenario.clock.unit
    try:
        variant = saved_variant(source.scenario, record.variant)
    except ValueError as error:
        raise SaveError(f"{where}: variant: {one_line(str(error))}") from None
    number, step = 0, None
    try:
        run = Run(source.compiled, record.seed, record.names, variant)
        for number, step in enumerate(record.steps, 1):
            run.perform(step)
        run.advance_to(record.clock)
    except ActionRejected as refused:
        what = f"step {number} ({step.do} at {clock_time(unit, step.at)})" if step else "a step"
        raise SaveError(f"{where}: the saved steps no longer replay: {what}: "
                        f"{one_line(str(refused))}") from None
    except Exception as error:  # noqa: BLE001 - a save must never crash the picker or the CLI
        raise SaveError(f"{where}: cannot be replayed (internal error at step {number}: "
                        f"{type(error).__name__}: {one_line(str(error))[:200]}; please report "
                        "it)") from error
    return ReplayedSave(record, source, run)
