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
        self.pace = faster_pace(self.pace)

    def slower(self) -> None:
        """More real seconds per unit: the next pace up the list."""
        self.pace = slower_pace(self.pace)


def faster_pace(pace: float) -> float:
    """The pace after one step faster: the next of :data:`PACES` below ``pace`` (or ``pace``)."""
    below = [p for p in PACES if p < pace]
    return below[-1] if below else pace


def slower_pace(pace: float) -> float:
    """The pace after one step slower: the next of :data:`PACES` above ``pace`` (or ``pace``)."""
    above = [p for p in PACES if p > pace]
    return above[0] if above else pace
