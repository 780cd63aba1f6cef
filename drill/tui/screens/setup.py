"""Before a run: pace, seed, hints and players."""

from __future__ import annotations

import zlib

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from ...session import GameSession, ScenarioSource
from ..safe import plain, styled
from ..widgets.fields import field


def default_pace(source: ScenarioSource) -> float:
    """Real seconds per clock unit the scenario suggests."""
    return source.scenario.clock.pace


def parse_players(text: str) -> list[str]:
    """'Ana=commander, Bo=comms' -> ['Ana (commander)', 'Bo (comms)']; empty means solo."""
    players = []
    for chunk in text.split(","):
        name, _, role = chunk.partition("=")
        name, role = name.strip()[:30], role.strip()[:30]
        if name:
            players.append(f"{name} ({role})" if role else name)
    return players


class SetupDialog(ModalScreen[None]):
    """Choose how to play this run, then read the briefing."""

    BINDINGS = [Binding("escape", "dismiss", "Back", priority=True)]

    def __init__(self, source: ScenarioSource, seed: int | None, pace: float | None) -> None:
        super().__init__()
        self.source = source
        # A stable default seed per scenario, so two teams get the same run unless they choose.
        self.initial_seed = seed if seed is not None else zlib.crc32(source.scenario.meta.id.encode()) % 10_000
        self.initial_pace = pace if pace is not None else default_pace(source)

    def compose(self) -> ComposeResult:
        scenario = self.source.scenario
        unit = "minute" if scenario.clock.unit == "minutes" else "day"
        with Vertical(id="setup", classes="dialog"):
            yield Static(styled("[b]$title[/b]", title=scenario.meta.title), classes="dialog-title")
            yield field("Pace", Input(f"{self.initial_pace:g}", id="pace", type="number",
                                      compact=True))
            yield Static(plain(f"real seconds per scenario {unit}; + and - change it in play",
                               "dim"), classes="field-help")
            yield field("Seed", Input(str(self.initial_seed), id="seed", type="integer",
                                      compact=True))
            yield Static(plain("the same seed gives the same run, for comparing teams", "dim"),
                         classes="field-help")
            yield field("Players", Input("", id="players", compact=True,
                                         placeholder="Ana=commander, Bo=comms (empty: solo)"))
            yield field("", Checkbox("Hints on", value=False, id="hints", compact=True))
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start", compact=True)
                yield Button("Back", id="back", compact=True)

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        """Create the run, save it, and show the briefing."""
        from .briefing import BriefingScreen

        try:
            pace = float(self.query_one("#pace", Input).value)
            seed = int(self.query_one("#seed", Input).value)
        except ValueError:
            self.notify("Pace must be a number and seed a whole number.", severity="error")
            return
        if not 0.01 <= pace <= 86_400 or not 0 <= seed < 2**63:
            self.notify("Pace must be between 0.01 and 86400 s; seed 0 or more.", severity="error")
            return
        settings = self.app.settings  # type: ignore[attr-defined]
        try:
            session = GameSession.start(
                self.source,
                seed=seed,
                pace=pace,
                saves_dir=settings.saves_dir,
                players=parse_players(self.query_one("#players", Input).value),
                hints=self.query_one("#hints", Checkbox).value,
                started=settings.wall_clock() if settings.wall_clock else None,
            )
        except OSError as error:
            self.notify(f"Cannot write the save: {error}", severity="error", markup=False)
            return
        self.dismiss(None)
        self.app.push_screen(BriefingScreen(session))
