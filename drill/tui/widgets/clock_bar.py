"""The clock line: time of day in each zone, elapsed time, pace, pause, service status."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...engine.simulation import Run
from ..clock import GameClock
from ..safe import plain
from .timefmt import span

LEVEL_STYLE = {"ok": "bold $success", "degraded": "bold $warning", "down": "bold $error"}


class ClockBar(Static):
    """One line at the top of the board."""

    def show(self, run: Run, clock: GameClock) -> None:
        """Redraw from the run and the clock."""
        scenario = run.scenario
        parts: list[Content | str] = []
        if scenario.clock.unit == "minutes":
            zones = scenario.clock.zones or []
            if zones:
                base = zones[0].utc_offset
                for zone in zones:
                    hour = run.wall_time().hour * 60 + run.wall_time().minute + (zone.utc_offset - base) * 60
                    hour %= 24 * 60
                    parts += [plain(f"{int(hour // 60):02d}:{int(hour % 60):02d}", "bold"), " ",
                              plain(zone.label, "dim"), "  "]
            else:
                parts += [plain(run.wall_time().strftime("%H:%M"), "bold"), "  "]
            parts.append(plain(f"T+{span(run, run.now)}", "$accent"))
        else:
            parts += [plain(run.wall_time().strftime("%a %d %b"), "bold"), "  ",
                      plain(f"day {int(run.now)} of {scenario.clock.limit:g}", "$accent")]
        unit = "min" if scenario.clock.unit == "minutes" else "day"
        state = plain(" ⏸ PAUSED ", "reverse bold $warning") if clock.paused else plain("▶", "$success")
        parts += ["  ", state, plain(f" {clock.pace:g}s/{unit}", "dim")]
        level, label = run.status()
        parts += ["  ", plain("●", LEVEL_STYLE[level]), " ", plain(label, LEVEL_STYLE[level])]
        self.update(Content.assemble(*parts))
