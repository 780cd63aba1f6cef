"""The drill application: settings, global keys, the command palette and the look.

Which screen shows when is decided in :mod:`drill.tui.navigation`, from the messages screens post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..saves import default_saves_dir
from .navigation import Navigation
from .ordered_keys import OrderedKeys
from .safe import notify_plain


@dataclass
class Settings:
    """What the command line decided before the TUI starts."""

    saves_dir: Path = field(default_factory=default_saves_dir)
    extra_scenarios: list[str] = field(default_factory=list)
    """Scenario paths given on the command line, shown in the picker."""
    play: str | None = None
    """Start this scenario directly (``drill play``)."""
    resume: Path | None = None
    """Resume this save directly (``drill resume``)."""
    seed: int | None = None
    pace: float | None = None
    tick: float | None = 0.25
    """Real seconds between clock ticks; None freezes the clock (tests, snapshots)."""
    monotonic: Callable[[], float] | None = None
    """Time source for the clock, injectable for tests."""
    wall_clock: Callable[[], datetime] | None = None
    """When a run starts (it names the save file); injectable for stable snapshots."""


class DrillApp(OrderedKeys, Navigation):
    """A terminal tabletop game for practising outages."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "drill"
    SUB_TITLE = "incident drills for the terminal"
    BINDINGS = [
        Binding("ctrl+q", "request_quit", "Quit", priority=True, id="quit",
                tooltip="Quit (during a run, asks first; the run is saved)"),
        Binding("question_mark", "show_keys", "Keys", id="keys", show=False,
                tooltip="Every key of this screen"),
    ]
    # Screens get these classes as the terminal is resized: app.tcss lays out 80x24 with them.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        # NO_COLOR needs nothing here: Textual itself renders monochrome when it is set, and the
        # board always says in words what its colours say (status, scores, overdue promises).
        self.settings = settings or Settings()

    def on_mount(self) -> None:
        self.show_first_screen()

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        """A file offered with ``deliver_text`` (the postmortem) has gone out."""
        where = f" to {event.path}" if event.path is not None else ""
        notify_plain(self, f"Downloaded {event.name or 'the file'}{where}.")

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        notify_plain(self, f"The download failed: {event.exception}", severity="error")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette: the app's own commands plus the current screen's."""
        yield from super().get_system_commands(screen)
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
