"""Key signals drawn over time: one sparkline per scenario signal."""

from __future__ import annotations

from collections import deque

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static

from ...engine.simulation import Run
from ..safe import plain

HISTORY = 60
"""Samples kept per signal: one per scenario minute (or day)."""


class SignalsPanel(Vertical):
    """Sparklines of the scenario's signals, sampled once per clock unit."""

    def __init__(self, run: Run, **kwargs) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.history = {s.var: deque([float(run.value(s.var))], maxlen=HISTORY)
                        for s in run.scenario.signals}
        self.sampled_at = int(run.now)

    def compose(self) -> ComposeResult:
        for index, signal in enumerate(self.run.scenario.signals):
            with Horizontal(classes="signal-row"):
                yield Static(plain(signal.label, "dim"), classes="signal-label")
                yield Static(id=f"signal-value-{index}", classes="signal-value")
            yield Sparkline(list(self.history[signal.var]), id=f"signal-{index}",
                            classes="signal-high-bad" if signal.bad_when_high else "signal-low-bad")

    def sample(self) -> None:
        """Record each signal for every clock unit that passed, then redraw."""
        whole = int(self.run.now)
        while self.sampled_at < whole:
            self.sampled_at += 1
            for signal in self.run.scenario.signals:
                self.history[signal.var].append(float(self.run.value(signal.var)))
        for index, signal in enumerate(self.run.scenario.signals):
            value = self.run.value(signal.var)
            shown = f"{value:g}" if isinstance(value, (int, float)) else str(value)
            self.query_one(f"#signal-value-{index}", Static).update(plain(f" {shown}{signal.unit}", "bold"))
            self.query_one(f"#signal-{index}", Sparkline).data = list(self.history[signal.var]) + [
                float(value) if isinstance(value, (int, float)) else 0.0]
