"""The clock line: time of day in each zone, elapsed time, pace, pause, who plays, the status.

On a wide terminal it is one line; when the service status does not fit beside the clock it gets
a line of its own, cut with an ellipsis only if it is longer than the terminal is wide.
"""

from __future__ import annotations

from textual.content import Content

from ...engine.rules import wall_time
from ...engine.simulation import Run
from ...engine.text import number
from ..clock import GameClock
from ..safe import one_line, plain
from .quiet import QuietStatic
from .timefmt import elapsed

LEVEL_STYLE = {"ok": "bold $success", "degraded": "bold $warning", "down": "bold $error"}


class ClockBar(QuietStatic):
    """The top of the board; on a narrow terminal the extra zones go first."""

    _shown: tuple[Run, GameClock, str | None, str] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def show(self, run: Run, clock: GameClock, save_error: str | None = None,
             player: str = "") -> None:
        """Redraw from the run and the clock; ``save_error`` says why the run is not saved,
        ``player`` who has the keyboard in team play."""
        self._shown = (run, clock, save_error, player)
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
            when = plain(elapsed(run), "$accent")
        else:
            zones.append(plain(now.strftime("%a %d %b"), "bold"))
            when = plain(f"{elapsed(run)} of {number(scenario.clock.limit)}", "$accent")
        state = (plain(" ⏸ PAUSED ", "reverse bold $warning") if clock.paused
                 else plain("▶", "$success")) + plain(f" {number(clock.pace, 2)}s/{unit}", "dim")
        who = [plain(f"▸ {one_line(player)}", "bold $accent")] if player else []
        level, label = run.status()
        status = plain("● ", LEVEL_STYLE[level]) + plain(label, LEVEL_STYLE[level])
        # A failed save must be seen: it goes first on the status line.
        unsaved = ([plain(f" Not saved: {one_line(save_error)} (retrying) ", "reverse bold $error")]
                   if save_error else [])
        gap = plain("  ")
        width = self.size.width or self.app.size.width
        essentials = [zones[0], when, state, *who]
        extra = list(zones[1:])
        while extra and _width([*essentials, *extra]) > width:
            extra.pop()
        first = [zones[0], *extra, when, state, *who]
        second = [*unsaved, status]
        if _width(first + second) <= width:
            self.update(gap.join(first + second))
        else:
            self.update(gap.join(first) + plain("\n") + gap.join(second))


def _width(parts: list[Content]) -> int:
    return sum(p.cell_length for p in parts) + 2 * (len(parts) - 1)
