"""How scenario times read on the board (the formats themselves live in drill.engine.text)."""

from __future__ import annotations

from typing import Protocol

from ...engine.disclosure import Span
from ...engine.rules import wall_time
from ...engine.scenario import Scenario
from ...engine.text import clock_time, span_between
from ...engine.text import span as text_span


class _HasClock(Protocol):
    """A live run or its record: both know their scenario and where the clock stands."""

    @property
    def scenario(self) -> Scenario: ...

    @property
    def now(self) -> float: ...


def clock_label(run: _HasClock, at: float | None = None) -> str:
    """'14:05' for an outage, 'day 12' for a project."""
    moment = run.now if at is None else at
    if run.scenario.clock.unit == "minutes":
        return wall_time(run.scenario.clock, moment).strftime("%H:%M")
    return f"day {int(moment)}"


def span(run: _HasClock, amount: float) -> str:
    """A countdown in the scenario's unit, in whole minutes or days: '4 min', '3 days'."""
    return text_span(run.scenario.clock.unit, max(0.0, amount), whole_units=True)


def span_told(run: _HasClock, told: Span, round_up: bool = False) -> str:
    """A duration players know only within bounds (:mod:`drill.engine.disclosure`), in whole
    minutes or days: '4–5 min'; one value as :func:`span` (or :func:`countdown`)."""
    low, high = (max(0.0, value) for value in told)
    return span_between(run.scenario.clock.unit, low, high, whole_units=True, round_up=round_up)


def countdown(run: _HasClock, amount: float) -> str:
    """Time left or time late, rounded up: '1 min' until the moment, never '0 min'."""
    return text_span(run.scenario.clock.unit, max(0.0, amount), whole_units=True, round_up=True)


def elapsed(run: _HasClock) -> str:
    """Scenario time since the start as the board's clock shows it: 'T+21 min', 'day 4'.

    The minute shown is the one the clock is in (floored), as for the time of day beside it.
    """
    if run.scenario.clock.unit == "minutes":
        return f"{clock_time('minutes', run.now, whole_units=True)} min"
    return clock_time("days", run.now, whole_units=True)
