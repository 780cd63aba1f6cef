"""How scenario times read on the board."""

from __future__ import annotations

from ...engine.simulation import Run


def clock_label(run: Run, at: float | None = None) -> str:
    """'14:05' for an outage, 'day 12' for a project."""
    if run.scenario.clock.unit == "minutes":
        return run.wall_time(at).strftime("%H:%M")
    return f"day {int(run.now if at is None else at)}"


def span(run: Run, amount: float) -> str:
    """A duration in the scenario's unit: '4 min', '1 h 05', '3 days'."""
    if run.scenario.clock.unit != "minutes":
        value = max(0.0, amount)
        return f"{value:.0f} day" + ("" if round(value) == 1 else "s")
    minutes = max(0, round(amount))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d}"
