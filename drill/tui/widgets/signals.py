"""Key signals drawn over time: one sparkline per scenario signal."""

from __future__ import annotations

import math
from collections import deque

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from ...engine.playscript import PlayerAction
from ...engine.simulation import ActionRejected, Run
from ...engine.text import number
from ..safe import plain
from .graph import SignalGraph
from .quiet import QuietStatic

HISTORY = 60
"""Samples kept per signal: one per scenario minute (or day)."""


def signal_history(run: Run, until: float | None = None) -> dict[str, list[float]]:
    """Each signal's value at every whole clock unit up to ``until`` (the run's time), at most
    :data:`HISTORY` of them, from a replay of the run's steps on a fresh run.

    A resumed run has its state, not its past: this rebuilds the past so that the sparklines
    show the incident as it went, not a flat line from the moment of resuming.
    """
    until = run.now if until is None else until
    names = [s.var for s in run.scenario.signals]
    history: dict[str, deque[float]] = {name: deque(maxlen=HISTORY) for name in names}
    replay = Run(run.compiled, run.seed, run.names)
    steps: list[PlayerAction] = list(run.record().steps)
    for whole in range(0, math.floor(until) + 1):
        while steps and steps[0].at <= whole:
            try:
                replay.perform(steps.pop(0))
            except ActionRejected:
                pass  # refused then too: the live run kept the refusal, not the step
        replay.advance_to(whole)
        for name in names:
            history[name].append(_numeric(replay.value(name)))
    return {name: list(values) for name, values in history.items()}


def _numeric(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def graphed(values: list[float]) -> list[float]:
    """What the sparkline draws: Textual scales a graph to its own lowest and highest values,
    so a signal that never moved would lie on the floor even at 100%.  A flat non-zero signal
    is drawn as one full bar (Textual's one-value graph); a flat zero stays on the floor."""
    if len(values) > 1 and values[0] != 0 and all(v == values[0] for v in values):
        return values[:1]
    return values


class SignalsPanel(Vertical):
    """Sparklines of the scenario's signals, sampled once per clock unit."""

    def __init__(self, run: Run, **kwargs) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.history = {s.var: deque([_numeric(run.value(s.var))], maxlen=HISTORY)
                        for s in run.scenario.signals}
        self.sampled_at = math.floor(run.now)

    def compose(self) -> ComposeResult:
        # Name and value, then the graph: beside them on a narrow board, under them on a
        # large one (app.tcss).
        for index, signal in enumerate(self.run.scenario.signals):
            with Vertical(classes="signal"):
                with Horizontal(classes="signal-head"):
                    yield QuietStatic(plain(signal.label, "dim"), classes="signal-label")
                    yield QuietStatic(id=f"signal-value-{index}", classes="signal-value")
                yield SignalGraph(graphed(list(self.history[signal.var])), id=f"signal-{index}",
                                classes="signal-high-bad" if signal.bad_when_high
                                else "signal-low-bad")

    def on_mount(self) -> None:
        if self.run.now >= 1 and self.run.scenario.signals:
            self._rebuild_history(self.run.now)

    @work(thread=True, exclusive=True, group="signal-history")
    def _rebuild_history(self, until: float) -> None:
        history = signal_history(self.run, until)
        self.app.call_from_thread(self._restore, history, until)

    def _restore(self, history: dict[str, list[float]], until: float) -> None:
        for name, values in history.items():
            # The first sample kept is the value at the moment of resuming, which the rebuilt
            # history ends with; samples taken since are kept after it.
            later = list(self.history[name])[1:]
            self.history[name] = deque([*values, *later], maxlen=HISTORY)
        self.sample()

    def sample(self) -> None:
        """Record each signal for every clock unit that passed, then redraw."""
        whole = math.floor(self.run.now)
        while self.sampled_at < whole:
            self.sampled_at += 1
            for signal in self.run.scenario.signals:
                self.history[signal.var].append(_numeric(self.run.value(signal.var)))
        for index, signal in enumerate(self.run.scenario.signals):
            value = self.run.value(signal.var)
            shown = (number(value, signal.decimals) if isinstance(value, (int, float))
                     else str(value))
            self.query_one(f"#signal-value-{index}", QuietStatic).update(
                plain(f" {shown}{signal.unit}", "bold"))
            self.query_one(f"#signal-{index}", SignalGraph).data = graphed([
                *self.history[signal.var], _numeric(value)])
