"""What every dimension shares: decay, the ledger of losses, the run context."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping, NamedTuple

from ..memo import by_identity
from ..scenario import Action, Milestone, Person, Request, Scenario
from ..scorecard import Deduction, DimensionScore, Dimension
from ..record import RunRecord
from ..text import clock_time, span

MIN_POINTS = 0.05
"""Deductions smaller than this (on the 0-100 scale) are left out as noise."""

# -- lateness -------------------------------------------------------------------------------------


def decay(lateness: float, tau: float) -> float:
    """``exp(-max(0, lateness) / tau)``: 1 when on time, about 0.37 when ``tau`` late (§9)."""
    return math.exp(-max(0.0, lateness) / tau)


# -- the loss ledger ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Loss:
    """A part of a dimension lost, as a fraction of it (0..1), with its explanation."""

    fraction: float
    time: float | None
    what: str
    norm: str


@dataclass(slots=True)
class _Ledger:
    losses: list[_Loss] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)

    def lose(self, fraction: float, time: float | None, what: str, norm: str) -> None:
        if fraction > 0:
            self.losses.append(_Loss(fraction, time, what, norm))


def _capped(losses: list[_Loss]) -> list[_Loss]:
    """Scale losses down together so they never exceed the whole (score clipped at 0)."""
    total = sum(loss.fraction for loss in losses)
    if total <= 1:
        return losses
    return [_Loss(loss.fraction / total, loss.time, loss.what, loss.norm) for loss in losses]


def _weighted(losses: Iterable[_Loss], weight: float) -> list[_Loss]:
    return [_Loss(loss.fraction * weight, loss.time, loss.what, loss.norm) for loss in losses]


def _dimension(dimension: Dimension, ledger: _Ledger) -> DimensionScore:
    losses = _capped(ledger.losses)
    lost = sum(loss.fraction for loss in losses)
    # In time order (run-wide items last), as the postmortem reads them.
    ordered = sorted(losses, key=lambda loss: math.inf if loss.time is None else loss.time)
    deductions = tuple(
        Deduction(dimension, 100 * loss.fraction, loss.time, loss.what, loss.norm)
        for loss in ordered
        if 100 * loss.fraction >= MIN_POINTS
    )
    return DimensionScore(dimension, 100 * max(0.0, 1 - lost), True, deductions,
                          tuple(ledger.credits))


def _not_applicable(dimension: Dimension, why: str) -> DimensionScore:
    """A dimension with nothing to judge; ``why`` documents the reason at the call site only,
    since credits are read as 'what went well'."""
    del why
    return DimensionScore(dimension, 0.0, applicable=False)


def _renormalised(parts: dict[str, tuple[float, float | None]]) -> dict[str, float]:
    """Weights of the parts that apply (value not None), renormalised to sum to 1 (§9)."""
    total = sum(w for w, v in parts.values() if v is not None)
    if total <= 0:
        return {}
    return {key: w / total for key, (w, v) in parts.items() if v is not None}




class _Context:
    """What every dimension needs from the run, looked up once."""

    def __init__(self, run: RunRecord) -> None:
        self.run = run
        self.scenario = scenario = run.scenario
        self.end = run.end
        self.grace = scenario.comms.grace
        self.unit = scenario.clock.unit
        self._times: dict[float, str] = {}
        """Times already written (see :meth:`t`)."""
        # Lookups by id, shared by every score of the same scenario (see _lookups).
        self.actions, self.people, self.milestones, self.requests = _lookups(scenario)

    def t(self, value: float) -> str:
        # The score card names the minute (or day) as the board's clock showed it.  The same
        # few moments (due times, updates) recur in many deductions and credits: each is
        # written once per score.
        shown = self._times.get(value)
        if shown is None:
            shown = self._times[value] = clock_time(self.unit, value, whole_units=True)
        return shown

    def span(self, value: float) -> str:
        return span(self.unit, value)

    def lateness(self, value: float) -> str:
        """How late something was: whole minutes on a minutes clock, as the board counts them
        (never '39.8 min'), rounded up so it never reads '0 min'; days as they are."""
        minutes = self.unit == "minutes"
        return span(self.unit, value, whole_units=minutes, round_up=minutes)

    def label(self, action_id: str) -> str:
        action = self.actions.get(action_id)
        return action.label if action is not None else action_id

    def first_start(self, action_ids: Iterable[str]) -> tuple[float, str] | None:
        starts = [(self.run.started[a][0], a) for a in action_ids if self.run.started.get(a)]
        return min(starts) if starts else None


class _Lookups(NamedTuple):
    """A scenario's actions, people, milestones and requests by id."""

    actions: Mapping[str, Action]
    people: Mapping[str, Person]
    milestones: Mapping[str, Milestone]
    requests: Mapping[str, Request]


@by_identity
def _lookups(scenario: Scenario) -> _Lookups:
    """The lookups by id of a scenario, made once per scenario (drill.engine.memo)."""
    return _Lookups(MappingProxyType({a.id: a for a in scenario.actions}),
                    MappingProxyType({p.id: p for p in scenario.people}),
                    MappingProxyType({m.id: m for m in scenario.milestones}),
                    MappingProxyType({r.id: r for r in scenario.requests}))
