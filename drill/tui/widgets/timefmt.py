"""How scenario times read on the board."""

from __future__ import annotations

from ...engine.simulation import Run
from ...engine.text import span as text_span


def clock_label(run: Run, at: float | None = None) -> str:
    """'14:05' for an outage, 'day 12' for a project."""
    if run.scenario.clock.unit == "minutes":
        return run.wall_time(at).strftime("%H:%M")
    return f"day {int(run.now if at is None else at)}"


def span(run: Run, amount: float) -> str:
    """A countdown in the scenario's unit, in whole minutes or days: '4 min', '3 days'."""
    return text_span(run.scenario.clock.unit, max(0.0, amount), whole_units=True)
