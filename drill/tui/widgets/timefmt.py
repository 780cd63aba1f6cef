"""How scenario times read on the board (the formats themselves live in drill.engine.text)."""

from __future__ import annotations

from typing import Protocol

from ...engine.rules import wall_time
from ...engine.scenario import Scenario
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
