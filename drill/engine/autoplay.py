"""Automatic players, for checking a scenario by playing it many times (`drill check`).

Each strategy looks at the run as it goes (what is available, who can be paged, what was asked)
and acts, seeded only from the run's seed: the same strategy and seed always play the same run.

* ``random``: random actions, pages, updates, estimates and declarations at random moments;
* ``greedy``: a busy, communicative player: starts everything it can, pages everyone relevant,
  updates every audience at its usual interval, answers estimate requests, declares resolved as
  soon as a resolved ending's condition holds;
* ``silent``: ``greedy`` without a word to anyone: the probe for scoring holes;
* ``scripts``: given play scripts, replayed over many seeds.
"""

from __future__ import annotations

import random
from typing import Callable, Sequence

from pydantic import TypeAdapter

from .playscript import PlayerAction
from .scenario import AUDIENCES
from .scoring import audience_expectations
from .simulation import ActionRejected, CompiledScenario, Run

STRATEGIES: tuple[str, ...] = ("random", "greedy", "silent", "scripts")
_STEP = TypeAdapter(PlayerAction)


def _try(run: Run, fields: dict) -> bool:
    """Perform one action now; a refusal is part of playing, not an error."""
    if run.finished_run:
        return False
    try:
        run.perform(_STEP.validate_python({**fields, "at": run.now}))
    except ActionRejected:
        return False
    return True


def _decision_step(run: Run) -> float:
    limit = run.scenario.clock.limit
    return max(limit / 150, 0.5 if run.scenario.clock.unit == "days" else 1.0)


def play_random(run: Run, seed: int) -> None:
    """Random moves at random moments until the run ends."""
    rng = random.Random(f"{seed}:random")
    limit = run.scenario.clock.limit
    scenario = run.scenario
    while not run.finished_run:
        run.advance_to(run.now + rng.uniform(0.5, 2) * _decision_step(run) * 3)
        if run.finished_run or run.now >= limit:
            break
        roll = rng.random()
        available = run.available_actions()
        if roll < 0.45 and available:
            _try(run, {"do": "start", "action": rng.choice(available).id})
        elif roll < 0.6 and scenario.people:
            _try(run, {"do": "page", "person": rng.choice(scenario.people).id})
        elif roll < 0.8:
            _try(run, {"do": "update", "audience": rng.choice(AUDIENCES), "impact": "impact",
                       "next_update": rng.choice([None, 10, 20, 30, 60])})
        elif roll < 0.93 and scenario.milestones:
            low = rng.uniform(1, limit / 4)
            _try(run, {"do": "estimate", "audience": rng.choice(AUDIENCES),
                       "milestone": rng.choice(scenario.milestones).id,
                       "low": round(low, 1), "high": round(low * rng.uniform(1, 4), 1)})
        else:
            _try(run, {"do": "resolve"})
    run.advance_to(limit)


def play_greedy(run: Run, seed: int, talk: bool = True) -> None:
    """Everything at once, everyone paged, every audience kept informed (unless silent)."""
    scenario = run.scenario
    limit = scenario.clock.limit
    expectations = audience_expectations(scenario)
    last_update: dict[str, float] = {}
    answered: set[str] = set()
    step = _decision_step(run)
    rng = random.Random(f"{seed}:greedy")
    resolved = [e for e in scenario.endings if e.kind == "resolved"]
    while not run.finished_run:
        for person in scenario.people:
            if person.relevant and person.id not in run.paged_at:
                _try(run, {"do": "page", "person": person.id})
        for action in run.available_actions():
            _try(run, {"do": "start", "action": action.id})
        if talk:
            for audience, (required, first_by, every) in expectations.items():
                due = last_update.get(audience, -1e9) + every * 0.8
                if required and run.now >= due and _try(run, {
                        "do": "update", "audience": audience, "impact": "impact stated",
                        "doing": "what we do", "next_update": every, "data_loss": "none"}):
                    last_update[audience] = run.now
            for request_id, asked in run.requests_at.items():
                request = next(r for r in scenario.requests if r.id == request_id)
                if request_id in answered:
                    continue
                answered.add(request_id)
                if request.kind == "estimate":
                    guess = rng.uniform(0.1, 0.4) * limit
                    _try(run, {"do": "estimate", "audience": request.audience,
                               "milestone": request.milestone, "low": round(guess / 2, 1),
                               "high": round(guess * 2, 1)})
                else:
                    _try(run, {"do": "update", "audience": request.audience, "impact": "impact",
                               "next_update": expectations[request.audience][2]})
        if any(run.holds(ending.when) for ending in resolved):
            _try(run, {"do": "resolve"})
        if run.finished_run or run.now >= limit:
            break
        run.advance_to(run.now + step)
    run.advance_to(limit)


def play_script(run: Run, steps: Sequence[PlayerAction]) -> None:
    """Replay a play script; refused steps are skipped as a player's would be."""
    for step in steps:
        if run.finished_run:
            break
        try:
            run.perform(step)
        except ActionRejected:
            continue
    run.advance_to(run.scenario.clock.limit)


def play(compiled: CompiledScenario, strategy: str, seed: int,
         script: Sequence[PlayerAction] = ()) -> Run:
    """One run of ``strategy`` with ``seed`` (unnamed people keep their roles as names)."""
    run = Run(compiled, seed, names={})
    players: dict[str, Callable[[], None]] = {
        "random": lambda: play_random(run, seed),
        "greedy": lambda: play_greedy(run, seed),
        "silent": lambda: play_greedy(run, seed, talk=False),
        "scripts": lambda: play_script(run, script),
    }
    players[strategy]()
    return run
