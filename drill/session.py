"""A game session: one run of a scenario file, saved after every action.

This is the imperative shell between the pure engine and the TUI (or a test): it opens the
scenario, builds the run, hands it the player's actions, saves atomically after each one, and
writes the postmortem when the run ends.  It imports nothing from Textual.

Saving never interrupts play: a save that fails (a full disk, a folder made read-only) keeps the
run and every action in memory, says why in :attr:`GameSession.save_error` for the board to
show, and is tried again at every later save.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import storage
from .catalog import ScenarioSource
from .engine.naming import generate_names
from .engine.playscript import PlayerAction
from .engine.scenario import Scenario
from .engine.scorecard import ScoreCard
from .engine.simulation import LogEntry, Run
from .engine.variety import draw, varies
from .saves import SaveRecord, game_hash, replay_save, saved_variant

__all__ = ["GameSession", "ScenarioSource", "default_seed"]

def default_seed(scenario: Scenario) -> int:
    """The seed a run of ``scenario`` gets unless someone chooses: one per scenario, so two
    teams (or two game days) play the same incident and can be compared."""
    import zlib

    return zlib.crc32(scenario.meta.id.encode()) % 10_000


MAX_NAME_TRIES = 1000
"""Names tried for a new save (``…-seed7.json``, ``…-seed7-2.json``…) before giving up."""


class GameSession:
    """One run being played, with its save file."""

    shared_clock: bool = False
    """True for a served seat's replica (:mod:`drill.serve.remote_session`): the game day's host
    moves the clock and saves the run, so the board runs no clock of its own and offers no
    pause, pace or facilitator panel."""
    seat: str = ""
    """The one player a served board belongs to (empty at one terminal, where players pass the
    keyboard and every one of them acts from it)."""

    def __init__(self, source: ScenarioSource, record: SaveRecord, save_path: Path,
                 run: Run | None = None) -> None:
        self.source = source
        self.record = record
        self.save_path = save_path
        self.run = run if run is not None else Run(
            source.compiled, record.seed, record.names,
            saved_variant(source.scenario, record.variant))
        self.card: ScoreCard | None = None
        self.postmortem: str = ""
        self.save_error: str | None = None
        """Why the last save failed (one line, e.g. "cannot save the run: No space left on
        device"), or None once a save has succeeded.  The run and its actions are kept in
        memory meanwhile, and every later save tries again."""

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
    ) -> GameSession:
        """Begin a new run and create its save file.

        The file is created exclusively, under a name no other run has: two teams starting the
        same scenario and seed in the same second get two files.  Raises ``OSError`` when no
        save can be created (the folder cannot be made, the disk is full): nothing was played
        yet, and nothing is left behind.
        """
        started = started or dt.datetime.now().replace(microsecond=0)
        record = SaveRecord(
            scenario_id=source.scenario.meta.id,
            scenario_hash=source.sha256,
            scenario_game_hash=game_hash(source.scenario),
            scenario_path=source.reference,
            seed=seed,
            pace=pace,
            players=list(players or []),
            names=generate_names(source.scenario, seed),
            variant=draw(source.scenario, seed).to_json() if varies(source.scenario) else {},
            hints=hints,
            started_at=started.isoformat(),
        )
        saves_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{source.scenario.meta.id}-{started.strftime('%Y%m%d-%H%M%S')}-seed{seed}"
        session = cls(source, record, saves_dir / f"{stem}.json")
        text = record.to_json()
        for attempt in range(1, MAX_NAME_TRIES + 1):
            session.save_path = saves_dir / (f"{stem}.json" if attempt == 1
                                             else f"{stem}-{attempt}.json")
            try:
                storage.create_new_text(session.save_path, text)
                return session
            except FileExistsError:
                continue  # another run took this name first: try the next
        raise FileExistsError(f"no free save name for {stem} in {saves_dir}")

    @classmethod
    def resume(cls, save_path: Path) -> GameSession:
        """Rebuild a saved run by replaying its actions (:func:`drill.saves.replay_save`);
        raise ``SaveError`` saying why not, in one line."""
        replayed = replay_save(save_path)
        session = cls(replayed.source, replayed.record, save_path, run=replayed.run)
        if session.run.finished_run:
            session._score()
        return session

    def act(self, step: PlayerAction) -> list[LogEntry]:
        """Apply a player action and save; ``ActionRejected`` leaves the save unchanged.

        A failed save does not undo the action: see :attr:`save_error`.
        """
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

    def save(self) -> bool:
        """Write the save file atomically (and a finished run's postmortem, if it is still to
        be written); return whether it worked.  Never raises ``OSError``: a failure is kept in
        :attr:`save_error` and the next save tries again."""
        self.record.clock = self.run.now
        self.record.finished = self.run.finished_run
        try:
            if self.card is not None and not self.record.postmortem:
                postmortem_path = self.save_path.with_suffix(".md")
                storage.atomic_write_text(postmortem_path, self.postmortem)
                self.record.postmortem = str(postmortem_path)
            storage.atomic_write_text(self.save_path, self.record.to_json())
        except OSError as error:
            self.save_error = f"cannot save the run: {error.strerror or error}"
            return False
        self.save_error = None
        return True

    def finish(self) -> Path:
        """Score the ended run, write its postmortem next to the save, and save; return the
        postmortem's path (written, or to be written by a later save if this one failed)."""
        self._score()
        assert self.card is not None
        ending = self.run.ending
        outcome = self.card.outcome
        self.record.result = {
            "ending": ending.id if ending else "", "kind": ending.kind if ending else "",
            # The outcome class, 'unfinished' for a run the facilitator ended: such a run is
            # never anyone's best (DOMAIN §9.6).
            "outcome": outcome.ending if outcome is not None else "",
            "overall": round(float(self.card.overall), 1),
            "scores": {d.dimension: round(float(d.score), 1) for d in self.card.dimensions()
                       if d.applicable},
        }
        self.save()
        return self.save_path.with_suffix(".md")

    def _score(self) -> None:
        # Imported when a run ends, not at start-up: the picker should paint fast.
        from .engine.postmortem import render_postmortem
        from .engine.scoring import score_run

        record = self.run.record()
        self.card = score_run(record)
        self.postmortem = render_postmortem(record, self.card)
