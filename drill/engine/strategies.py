"""Automatic players for `drill check`: each plays a run of a scenario, looking at it as it goes.

A strategy advances the :class:`~drill.engine.simulation.Run` to its next decision point, looks
at what a player would see (the actions on offer, the people, the requests asked), and acts.
Its only randomness is ``random.Random(f"{seed}:{name}")``, so a strategy and a seed always play
the same run.  A refused step is part of playing, never an error: :class:`ActionRejected` does not
escape.

* ``random``: random actions, pages, updates, estimates and declarations at random moments;
* ``greedy``: a busy, communicative lead: starts everything on offer, pages everyone relevant at
  once, updates every audience at its usual interval with a next-update time, answers requests
  (estimates as ranges), sends final updates and declares resolved as soon as it can;
* ``cautious``: ``greedy`` that never starts an action the scenario flags as risky (``confirm``):
  the careful path, which greedy's risky shortcuts would hide;
* ``explorer``: ``greedy`` that leaves some actions alone, to find the endings that depend on
  *not* doing something: seed ``s`` below the number of actions leaves out action ``s`` alone,
  later seeds a random set of actions (each with probability 1/4);
* ``silent-greedy``: ``greedy`` without a word to anyone: the probe for scoring holes;
* ``scripts``: given play scripts, replayed (see :func:`play_script`).

Besides the run, each play records what only the player's side can see (:class:`Observed`):
which actions were ever on offer, and what state each finished action really changed; the
analysis needs both to tell a dead action from one nobody got to.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence

from .playscript import DeclareResolved, GiveEstimate, Page, PlayerAction, PostUpdate, StartAction
from .scenario import AUDIENCES, RESOLVED_KINDS, Action, Audience
from .rules import audience_rules
from .record import LogEntry, LogKind, RunRecord
from .simulation import ActionRejected, CompiledScenario, Run

STRATEGIES: tuple[str, ...] = (
    "random", "greedy", "cautious", "explorer", "silent-greedy", "scripts")
"""Every strategy, in the order reports list them."""

DECISIONS_PER_RUN = 200
"""Greedy players look at the run at least this often over the clock's limit (and at every
scheduled happening), so they react within half a percent of the run."""

LEAVE_OUT = 0.25
"""For explorer seeds past the one-action-each ones: the chance of leaving out each action."""

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
        """Note the requests among new log entries; return the entries."""
        for entry in entries:
            if entry.kind is LogKind.REQUEST:
                self.asked.append(entry.ref)
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


def _effect_names(action: Action) -> tuple[str, ...]:
    names = list(action.effects)
    if action.progress_var:
        names.append(action.progress_var)
    return tuple(names)


# -- the strategies ----------------------------------------------------------------------------


def play_random(player: Player, rng: random.Random) -> None:
    """Random moves at random moments until the run ends."""
    run = player.run
    scenario = run.scenario
    limit = scenario.clock.limit
    mean_gap = limit / 30
    while not run.finished_run:
        player.advance(run.now + rng.expovariate(1 / mean_gap))
        if run.finished_run or run.now >= limit:
            break
        now = run.now
        available = player.look()
        roll = rng.random()
        if roll < 0.4 and available:
            player.act(StartAction(at=now, do="start", action=rng.choice(available).id))
        elif roll < 0.55 and scenario.people:
            player.act(Page(at=now, do="page", person=rng.choice(scenario.people).id))
        elif roll < 0.75:
            player.act(PostUpdate(
                at=now, do="update", audience=rng.choice(AUDIENCES),
                impact=rng.choice(["", "Some users see errors."]),
                next_update=rng.choice([None, 10, 30, 60]),
                status=rng.choice(["investigating", "identified", "monitoring", "resolved"])))
        elif roll < 0.88 and scenario.milestones:
            low = rng.uniform(0.01, 0.5) * limit
            player.act(GiveEstimate(at=now, do="estimate", audience=rng.choice(AUDIENCES),
                                    milestone=rng.choice(scenario.milestones).id,
                                    low=low, high=low * rng.uniform(1, 4)))
        elif roll < 0.95:
            player.act(DeclareResolved(at=now, do="resolve"))
    player.finish()


class _Greedy:
    """The greedy family: everything on offer at once, everyone relevant paged at once."""

    def __init__(self, player: Player, rng: random.Random, talk: bool, risky: bool,
                 left_out: frozenset[str] = frozenset()) -> None:
        self.player = player
        self.left_out = left_out
        self.run = run = player.run
        self.rng = rng
        self.talk = talk
        self.risky = risky
        scenario = run.scenario
        self.limit = scenario.clock.limit
        self.step = self.limit / DECISIONS_PER_RUN
        self.expect = {a: (r.required, r.first_by, r.every)
                       for a, r in audience_rules(scenario).items()}
        self.last_update: dict[str, float] = {}
        self.answered: set[str] = set()
        self.resolved = [e for e in scenario.endings if e.kind in RESOLVED_KINDS]
        self.requests = {r.id: r for r in scenario.requests}
        self.comms_start: float | None = None

    def play(self) -> None:
        run = self.run
        while not run.finished_run and run.now < self.limit:
            self.decide()
            if run.finished_run:
                break
            head = run.next_time()
            target = min(run.now + self.step, head if head is not None else math.inf,
                         self.next_update_due())
            # Never stand still: a due time already passed would loop at the same instant.
            self.player.advance(max(target, run.now + self.step / 100))
        self.player.finish()

    def decide(self) -> None:
        run, player = self.run, self.player
        now = run.now
        for person in run.scenario.people:
            if person.relevant and person.id not in player.paged:
                player.act(Page(at=now, do="page", person=person.id))
        for action in player.look():
            if (action.confirm and not self.risky) or action.id in self.left_out:
                continue
            if action.repeatable and player.starts.get(action.id, 0) >= REPEATS:
                continue
            player.act(StartAction(at=now, do="start", action=action.id))
        if self.talk:
            self.communicate(now)
        if any(run.holds(ending.when) for ending in self.resolved):
            if self.talk:
                for audience in self.audiences():
                    self.update(audience, now, status="resolved")
            player.act(DeclareResolved(at=now, do="resolve"))

    def audiences(self) -> list[Audience]:
        return [a for a, (required, _, _) in self.expect.items() if required]

    def communicate(self, now: float) -> None:
        if self.comms_start is None and self.run.holds(self.run.scenario.comms.starts_when):
            self.comms_start = now
        if self.comms_start is not None:
            for audience in self.audiences():
                every = self.expect[audience][2]
                if now >= self.last_update.get(audience, -math.inf) + every * 0.9:
                    self.update(audience, now)
        for request_id in self.player.asked:
            if request_id in self.answered:
                continue
            self.answered.add(request_id)
            request = self.requests[request_id]
            if request.kind == "estimate":
                # An honest, wide range: the outside view of a lead who does not know yet.
                guess = self.rng.uniform(0.05, 0.3) * self.limit
                self.player.act(GiveEstimate(
                    at=now, do="estimate", audience=request.audience,
                    milestone=request.milestone, low=guess / 2, high=guess * 2))
            else:
                self.update(request.audience, now)

    def next_update_due(self) -> float:
        if not self.talk or self.comms_start is None:
            return math.inf
        return min((self.last_update.get(a, -math.inf) + self.expect[a][2] * 0.9
                    for a in self.audiences()), default=math.inf)

    def update(self, audience: Audience, now: float,
               status: Literal["investigating", "resolved"] = "investigating") -> None:
        step = PostUpdate(at=now, do="update", audience=audience, status=status,
                          impact="Users are affected; details in the next update.",
                          doing="We are working on it.", data_loss="unknown",
                          next_update=None if status == "resolved" else self.expect[audience][2])
        if self.player.act(step):
            self.last_update[audience] = now


def left_out(actions: Sequence[Action], seed: int, rng: random.Random) -> frozenset[str]:
    """The actions an explorer run leaves alone: each one alone first, then random sets."""
    if seed < len(actions):
        return frozenset({actions[seed].id})
    return frozenset(a.id for a in actions if rng.random() < LEAVE_OUT)


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


def play(compiled: CompiledScenario, strategy: str, seed: int,
         script: Sequence[PlayerAction] = ()) -> tuple[RunRecord, Observed]:
    """Play one run of ``strategy`` with ``seed`` to its ending.

    ``script`` is the play script the ``scripts`` strategy replays.  Unnamed people keep their
    roles as names: a check has no use for faker.  Raises ``ValueError`` for an unknown strategy.
    """
    run = Run(compiled, seed, names={})
    player = Player(run)
    rng = random.Random(f"{seed}:{strategy}")
    players: dict[str, Callable[[], None]] = {
        "random": lambda: play_random(player, rng),
        "greedy": lambda: _Greedy(player, rng, talk=True, risky=True).play(),
        "cautious": lambda: _Greedy(player, rng, talk=True, risky=False).play(),
        "explorer": lambda: _Greedy(player, rng, talk=True, risky=True, left_out=left_out(
            compiled.scenario.actions, seed, rng)).play(),
        "silent-greedy": lambda: _Greedy(player, rng, talk=False, risky=True).play(),
        "scripts": lambda: play_script(player, script),
    }
    if strategy not in players:
        raise ValueError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
    players[strategy]()
    return run.record(), player.seen
