"""The clock line: time of day in each zone, elapsed time, pace, pause, service status."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...engine.rules import wall_time
from ...engine.simulation import Run
from ..clock import GameClock
from ..safe import one_line, plain
from .timefmt import span

LEVEL_STYLE = {"ok": "bold $success", "degraded": "bold $warning", "down": "bold $error"}


class ClockBar(Static):
    """One line at the top of the board; on a narrow terminal the extra zones go first."""

    _shown: tuple[Run, GameClock, str | None] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def show(self, run: Run, clock: GameClock, save_error: str | None = None) -> None:
        """Redraw from the run and the clock; ``save_error`` says why the run is not saved."""
        self._shown = (run, clock, save_error)
        scenario = run.scenario
        unit = "min" if scenario.clock.unit == "minutes" else "day"
        now = wall_time(scenario.clock, run.now)
        zones: list[Content] = []
        if scenario.clock.unit == "minutes":
            offsets = [(z.label, z.utc_offset) for z in scenario.clock.zones] or [("", 0.0)]
            base = offsets[0][1]
            for label, offset in offsets:
                minutes = (now.hour * 60 + now.minute + round((offset - base) * 60)) % (24 * 60)
                zones.append(plain(f"{minutes // 60:02d}:{minutes % 60:02d}", "bold")
                             + (plain(f" {label}", "dim") if label else plain("")))
            elapsed = plain(f"T+{span(run, run.now)}", "$accent")
        else:
            zones.append(plain(now.strftime("%a %d %b"), "bold"))
            elapsed = plain(f"day {int(run.now)} of {scenario.clock.limit:g}", "$accent")
        state = (plain(" ⏸ PAUSED ", "reverse bold $warning") if clock.paused
                 else plain("▶", "$success")) + plain(f" {clock.pace:g}s/{unit}", "dim")
        level, label = run.status()
        status = plain("● ", LEVEL_STYLE[level]) + plain(label, LEVEL_STYLE[level])
        # A failed save must be seen: it goes before the status, which may be cut.
        unsaved = ([plain(f" Not saved: {one_line(save_error)} (retrying) ", "reverse bold $error")]
                   if save_error else [])
        gap = plain("  ")
        # Essentials first; the other zones only where the line has room for them.
        essentials = [zones[0], elapsed, state, *unsaved, status]
        width = self.size.width or 80
        extra = [z for z in zones[1:]]
        while extra and sum(p.cell_length + 2 for p in essentials + extra) > width:
            extra.pop()
        self.update(gap.join([zones[0], *extra, elapsed, state, *unsaved, status]))
