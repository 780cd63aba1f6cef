"""Before a run: pace, seed, hints and players."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from ...engine.text import one_line, player_label
from ...session import ScenarioSource
from ...session import default_seed as session_default_seed
from ..safe import plain, styled
from .base import FormDialog, Problems
from .fields import field, problem_line

MAX_SEED = 2**63 - 1
PACE_RANGE = (0.01, 86_400.0)
"""Real seconds per clock unit a run may be set to."""
NAME_LIMIT, ROLE_LIMIT = 30, 26
"""A player label "name (role)" fits the 60 characters a step's ``by`` holds."""


@dataclass(frozen=True)
class RunOptions:
    """How the players chose to play this run."""

    seed: int
    pace: float
    """Real seconds per scenario unit."""
    players: tuple[str, ...] = ()
    """Player labels, "Ana (commander)"; empty for solo play."""
    hints: bool = False


def default_pace(source: ScenarioSource) -> float:
    """Real seconds per clock unit the scenario suggests."""
    return source.scenario.clock.pace


def default_seed(source: ScenarioSource) -> int:
    """The seed the dialog proposes: the session's one per scenario (``drill serve`` uses it
    too), so two teams get the same run unless they choose."""
    return session_default_seed(source.scenario)


def parse_players(text: str) -> list[str]:
    """'Ana=commander, Bo=comms' -> ['Ana (commander)', 'Bo (comms)']; empty means solo."""
    players = []
    for chunk in text.split(","):
        name, _, role = chunk.partition("=")
        name, role = one_line(name)[:NAME_LIMIT].strip(), one_line(role)[:ROLE_LIMIT].strip()
        if name:
            players.append(player_label(name, role))
    return players


class SetupDialog(FormDialog[RunOptions | None]):
    """Choose how to play this run; returns the RunOptions, or None to go back."""

    def __init__(self, source: ScenarioSource, seed: int | None, pace: float | None,
                 earlier: RunOptions | None = None) -> None:
        super().__init__()
        self.source = source
        self.earlier = earlier
        self.initial_seed = seed if seed is not None else default_seed(source)
        self.initial_pace = pace if pace is not None else default_pace(source)

    def compose(self) -> ComposeResult:
        scenario = self.source.scenario
        unit = "minute" if scenario.clock.unit == "minutes" else "day"
        earlier = self.earlier
        pace = earlier.pace if earlier else self.initial_pace
        seed = earlier.seed if earlier else self.initial_seed
        players = ", ".join(earlier.players) if earlier else ""
        with Vertical(id="setup", classes="dialog"):
            yield Static(styled("[b]$title[/b]", title=scenario.meta.title), classes="dialog-title")
            yield field("Pace", Input(f"{pace:g}", id="pace", type="number", compact=True))
            yield problem_line("pace")
            yield Static(plain(f"real seconds per scenario {unit}; + and - change it in play",
                               "dim"), classes="field-help")
            yield field("Seed", Input(str(seed), id="seed", type="integer", compact=True))
            yield problem_line("seed")
            yield Static(plain("the same seed gives the same run, for comparing teams", "dim"),
                         classes="field-help")
            yield field("Players", Input(players, id="players", compact=True,
                                         placeholder="Ana=commander, Bo=comms (empty: solo)"))
            yield field("", Checkbox("Hints on", value=bool(earlier and earlier.hints), id="hints",
                                     compact=True))
            with Horizontal(classes="buttons"):
                yield Button("Start (Enter)", variant="primary", id="start", compact=True)
                yield Button("Back (esc)", id="back", compact=True)

    @on(Button.Pressed, "#back")
    def cancelled(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def submit(self) -> None:
        """Return the options; stay open, saying what is wrong, until they are sound."""
        problems: Problems = {}
        pace = self.number("pace", problems)
        seed = self.number("seed", problems, whole=True)
        low, high = PACE_RANGE
        if "pace" not in problems and (pace is None or not low <= pace <= high):
            problems["pace"] = f"Real seconds per unit, from {low:g} to {high:g}."
        if "seed" not in problems and (seed is None or not 0 <= seed <= MAX_SEED):
            problems["seed"] = "A whole number, 0 or more."
        self.show_problems(problems)
        if problems or pace is None or seed is None:
            return
        self.dismiss(RunOptions(
            seed=int(seed), pace=pace,
            players=tuple(parse_players(self.query_one("#players", Input).value)),
            hints=self.query_one("#hints", Checkbox).value))
