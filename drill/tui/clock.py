"""The game clock: scenario time from real time, scaled and pausable.

Pure: it is told how much real time passed; it never reads a clock itself, so tests drive it.
"""

from __future__ import annotations

from dataclasses import dataclass

PACES: tuple[float, ...] = (0.25, 0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 45, 60, 120, 300, 600)
"""Real seconds per clock unit that `+` and `-` step through."""


@dataclass
class GameClock:
    """Scenario time in clock units, advanced from real seconds at ``pace`` seconds per unit."""

    time: float = 0.0
    pace: float = 10.0
    """Real seconds per scenario unit (minute or day)."""
    paused: bool = False

    def advance(self, real_seconds: float) -> float:
        """Add the scenario time that ``real_seconds`` represent; return the new time."""
        if not self.paused and real_seconds > 0:
            self.time += real_seconds / self.pace
        return self.time

    def faster(self) -> None:
        """Fewer real seconds per unit: the next pace down the list."""
        slower = [p for p in PACES if p < self.pace]
        self.pace = slower[-1] if slower else self.pace

    def slower(self) -> None:
        """More real seconds per unit: the next pace up the list."""
        faster = [p for p in PACES if p > self.pace]
        self.pace = faster[0] if faster else self.pace
