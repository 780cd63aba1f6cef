"""A game session: one run of a scenario file, saved after every action.

This is the imperative shell between the pure engine and the TUI (or a test): it loads the
scenario file, builds the run, hands it the player's actions, saves atomically after each one,
and writes the postmortem when the run ends.  It imports nothing from Textual.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .catalog import UnknownScenario, looks_like_path, resolve
from .engine.naming import generate_names
from .engine.playscript import PlayerAction
from .engine.scenario import Scenario
from .engine.scorecard import ScoreCard
from .engine.simulation import CompiledScenario, LogEntry, Run
from .saves import SaveError, SaveRecord, content_hash, read_save
from .storage import atomic_write_text


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario file, loaded and checked, with the hash saves refer to."""

    reference: str
    """What a save stores to find it again: a bundled id, or the file's path."""
    path: Path
    scenario: Scenario
    compiled: CompiledScenario
    sha256: str

    @classmethod
    def open(cls, reference: str) -> "ScenarioSource":
        """Resolve a bundled id or a path and load it; raise ``LoadError`` if it is not valid."""
        from .loading import load_scenario

        path = resolve(reference)
        scenario = load_scenario(path)
        digest = content_hash(path.read_bytes())
        if looks_like_path(reference) or Path(reference).exists():
            # A file of the facilitator's: saves keep its full path, so `drill resume` finds it
            # from any folder.  Bundled ids stay ids, so they survive an upgrade's new path.
            reference = str(path.resolve())
        return cls(reference, path, scenario, CompiledScenario.build(scenario), digest)


class GameSession:
    """One run being played, with its save file."""

    def __init__(self, source: ScenarioSource, record: SaveRecord, save_path: Path) -> None:
        self.source = source
        self.record = record
        self.save_path = save_path
        self.run = Run(source.compiled, record.seed, record.names)
        self.card: ScoreCard | None = None
        self.postmortem: str = ""

    @property
    def scenario(self) -> Scenario:
        """The scenario being played, with this run's names in its texts."""
        return self.run.scenario

    @classmethod
    def start(
        cls,
        source: ScenarioSource,
        *,
        seed: int,
        pace: float,
        saves_dir: Path,
        players: list[str] | None = None,
        hints: bool = False,
        started: dt.datetime | None = None,
    ) -> "GameSession":
        """Begin a new run and write its first save."""
        started = started or dt.datetime.now().replace(microsecond=0)
        record = SaveRecord(
            scenario_id=source.scenario.meta.id,
            scenario_hash=source.sha256,
            scenario_path=source.reference,
            seed=seed,
            pace=pace,
            players=list(players or []),
            names=generate_names(source.scenario, seed),
            hints=hints,
            started_at=started.isoformat(),
        )
        stamp = started.strftime("%Y%m%d-%H%M%S")
        save_path = _free_path(saves_dir, f"{source.scenario.meta.id}-{stamp}-seed{seed}", ".json")
        session = cls(source, record, save_path)
        session.save()
        return session

    @classmethod
    def resume(cls, save_path: Path) -> "GameSession":
        """Rebuild a saved run by replaying its actions; raise ``SaveError`` saying why not."""
        from .loading import LoadError

        record = read_save(save_path)
        try:
            source = ScenarioSource.open(record.scenario_path or record.scenario_id)
        except LoadError as error:
            raise SaveError(f"{save_path}: its scenario cannot be loaded:\n{error}") from None
        except (OSError, ValueError, UnknownScenario) as error:
            raise SaveError(f"{save_path}: its scenario cannot be found ({error})") from None
        if source.sha256 != record.scenario_hash:
            raise SaveError(
                f"{save_path}: the scenario '{record.scenario_id}' has changed since this run was "
                "saved, so it cannot be replayed exactly"
            )
        session = cls(source, record, save_path)
        for step in record.steps:
            session.run.perform(step)
        session.run.advance_to(record.clock)
        if session.run.finished_run:
            session._score()
        return session

    def act(self, step: PlayerAction) -> list[LogEntry]:
        """Apply a player action and save; ``ActionRejected`` leaves the save unchanged."""
        entries = self.run.perform(step)
        self.record.steps.append(step)
        if self.run.finished_run:
            self.finish()
        else:
            self.save()
        return entries

    def advance_to(self, time: float) -> list[LogEntry]:
        """Move the scenario clock; the run's end is saved at once."""
        entries = self.run.advance_to(time)
        if self.run.finished_run and not self.record.finished:
            self.finish()
        return entries

    def save(self) -> None:
        """Write the save file atomically."""
        self.record.clock = self.run.now
        self.record.finished = self.run.finished_run
        atomic_write_text(self.save_path, self.record.to_json())

    def finish(self) -> Path:
        """Score the ended run, write its postmortem next to the save, and save; return its path."""
        self._score()
        assert self.card is not None
        ending = self.run.ending
        self.record.result = {
            "ending": ending.id if ending else "", "kind": ending.kind if ending else "",
            "overall": round(float(self.card.overall), 1),
            "scores": {d.dimension: round(float(d.score), 1) for d in self.card.dimensions()
                       if d.applicable},
        }
        postmortem_path = self.save_path.with_suffix(".md")
        atomic_write_text(postmortem_path, self.postmortem)
        self.record.postmortem = str(postmortem_path)
        self.save()
        return postmortem_path

    def _score(self) -> None:
        # Imported when a run ends, not at start-up: the picker should paint fast.
        from .engine.postmortem import render_postmortem
        from .engine.scoring import score_run

        record = self.run.record()
        self.card = score_run(record)
        self.postmortem = render_postmortem(record, self.card)


def _free_path(folder: Path, stem: str, suffix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    candidate = folder / f"{stem}{suffix}"
    counter = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate
