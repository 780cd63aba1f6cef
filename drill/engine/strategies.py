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
* ``silent-greedy``: ``greedy`` without a word to anyone: with ``off-communication``, the probe
  of silence, which must cost on communication;
* ``oracle``, ``off-communication``, ``off-help``, ``off-rollback``, ``off-estimates`` and
  ``ritual``: the adversaries that attack the score (see :mod:`drill.engine.adversaries`);
* ``scripts``: given play scripts, replayed (see :func:`~drill.engine.players.play_script`).

Besides the run, each play records what only the player's side can see
(:class:`~drill.engine.players.Observed`).
"""

from __future__ import annotations

import math
import random
from typing import Callable, Literal, Sequence

from .adversaries import ADVERSARIES, OFF_DIMENSION, play_oracle, play_ritual
from .players import DECISIONS_PER_RUN, REPEATS, Observed, Player, play_script
from .playscript import DeclareResolved, GiveEstimate, Page, PlayerAction, PostUpdate, StartAction
from .scenario import AUDIENCES, RESOLVED_KINDS, Action, Audience
from .rules import audience_rules
from .record import RunRecord
from .simulation import CompiledScenario, Run

__all__ = ["STRATEGIES", "Observed", "Player", "play", "play_script", "left_out"]

STRATEGIES: tuple[str, ...] = (
    "random", "greedy", "cautious", "explorer", "silent-greedy", *ADVERSARIES, "scripts")
"""Every strategy, in the order reports list them."""

LEAVE_OUT = 0.25
"""For explorer seeds past the one-action-each ones: the chance of leaving out each action."""


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
        self.player.decide_until_the_end(self.decide, self.step, self.next_update_due)

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
        "ritual": lambda: play_ritual(player, rng),
        "scripts": lambda: play_script(player, script),
    }
    for name in ("oracle", *OFF_DIMENSION):
        players[name] = lambda name=name: play_oracle(compiled, player, seed, name)
    if strategy not in players:
        raise ValueError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
    players[strategy]()
    return run.record(), player.seen
