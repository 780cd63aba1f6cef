"""One automatic player's hands and eyes: advancing a run, looking at it, acting on it.

Every strategy of `drill check` (:mod:`drill.engine.strategies`, :mod:`drill.engine.adversaries`)
drives its run through a :class:`Player`, which also records what only the player's side can see
(:class:`Observed`): which actions were ever on offer, and what state each finished action really
changed; the analysis needs both to tell a dead action from one nobody got to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .playscript import Page, PlayerAction, StartAction
from .record import LogEntry, LogKind
from .scenario import Action
from .simulation import ActionRejected, Run

DECISIONS_PER_RUN = 200
"""Automatic players look at the run at least this often over the clock's limit (and at every
scheduled happening), so they react within half a percent of the run."""

REPEATS = 3
"""How many times greedy players start a repeatable action: enough to use it, not to loop on it."""


@dataclass(slots=True)
class Observed:
    """What a strategy saw while playing one run, beyond what the run records itself."""

    possible: set[str] = field(default_factory=set)
    """Actions whose precondition held at some decision point."""
    changed: dict[str, set[str]] = field(default_factory=dict)
    """For each action that finished: the state names its finishing changed, beyond its own
    ``done.``/``count.``/``started.``/``running.`` facts (empty when it changed nothing)."""
    refused: int = 0
    """Steps the run refused (an action no longer possible, a person already paged...)."""
    cut_short: bool = False
    """An adversary meant to act later (a late page, a late fix) and the run ended first: what
    it breaks was never fully played."""


class Player:
    """Drives one run for a strategy: advances it while watching what finishing actions change.

    Args:
        run: a fresh run.
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        self.seen = Observed()
        self._effects = {a.id: _effect_names(a) for a in run.scenario.actions}
        self._watching: set[str] = set()
        """Started actions with effects, not finished yet: the ones to attribute changes to."""
        self.paged: set[str] = set()
        """People this player paged."""
        self.starts: dict[str, int] = {}
        """How many times this player started each action."""
        self.asked: list[str] = []
        """Requests asked so far, in order (the ids)."""
        self.asked_at: dict[str, float] = {}
        """When each request was asked."""
        self.finished: dict[str, list[float]] = {}
        """When each action finished, in order."""
        self._saw(list(run.record().log))

    def advance(self, target: float) -> None:
        """Advance the run to ``target``, one scheduled happening at a time while an action
        with effects runs, so that what its finishing changed can be told apart."""
        run = self.run
        while not run.finished_run and self._watching:
            head = run.next_time()
            if head is None or head > target:
                break
            names = {name for a in self._watching for name in self._effects[a]}
            before = run.values(names)
            for entry in self._saw(run.advance_to(head)):
                if entry.kind is LogKind.FINISHED:
                    self._finished(entry.ref, before)
        if not run.finished_run:
            self._saw(run.advance_to(target))

    def _saw(self, entries: list[LogEntry]) -> list[LogEntry]:
        """Note the requests and the finished actions among new log entries; return them."""
        for entry in entries:
            if entry.kind is LogKind.REQUEST:
                self.asked.append(entry.ref)
                self.asked_at[entry.ref] = entry.time
            elif entry.kind is LogKind.FINISHED:
                self.finished.setdefault(entry.ref, []).append(entry.time)
        return entries

    def _finished(self, action_id: str, before: dict[str, object]) -> None:
        after = self.run.values(self._effects[action_id])
        changed = self.seen.changed.setdefault(action_id, set())
        changed.update(n for n in self._effects[action_id] if after[n] != before.get(n))
        self._watching.discard(action_id)

    def look(self) -> list[Action]:
        """The actions on offer now; notes every action whose precondition holds."""
        run = self.run
        possible = self.seen.possible
        for action in run.scenario.actions:
            if action.id not in possible and run.holds(action.available_when):
                possible.add(action.id)
        return run.available_actions()

    def act(self, step: PlayerAction) -> bool:
        """Perform ``step`` now (its ``at`` must be the run's time); False when refused."""
        run = self.run
        if run.finished_run:
            return False
        try:
            self._saw(run.perform(step))
        except ActionRejected:
            self.seen.refused += 1
            return False
        if isinstance(step, Page):
            self.paged.add(step.person)
        elif isinstance(step, StartAction):
            self.starts[step.action] = self.starts.get(step.action, 0) + 1
        if isinstance(step, StartAction):
            if self._effects[step.action]:
                self._watching.add(step.action)
            else:
                # Nothing to attribute: finishing can only change its own facts.
                self.seen.changed.setdefault(step.action, set())
        return True

    def finish(self) -> None:
        """Play the rest of the run without acting."""
        self.advance(self.run.scenario.clock.limit)

    def decide_until_the_end(self, decide: Callable[[], None], step: float,
                             wake: Callable[[], float] = lambda: math.inf) -> None:
        """A strategy's loop: ``decide``, then advance to the next happening, at most ``step``
        later or at the strategy's own ``wake`` time if sooner, until the run ends; then play
        out the rest without acting."""
        run, limit = self.run, self.run.scenario.clock.limit
        while not run.finished_run and run.now < limit:
            decide()
            if run.finished_run:
                break
            head = run.next_time()
            target = min(run.now + step, head if head is not None else math.inf, wake())
            # Never stand still: a due time already passed would loop at the same instant.
            self.advance(max(target, run.now + step / 100))
        self.finish()


def _effect_names(action: Action) -> tuple[str, ...]:
    names = list(action.effects)
    if action.progress_var:
        names.append(action.progress_var)
    return tuple(names)


def play_script(player: Player, steps: Sequence[PlayerAction]) -> None:
    """Replay a play script; refused steps are skipped as a player's would be."""
    run = player.run
    for step in steps:
        if run.finished_run:
            break
        if step.at < run.now:
            player.seen.refused += 1
            continue
        player.advance(step.at)
        player.look()
        player.act(step)
    player.finish()
