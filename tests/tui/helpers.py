"""Steps shared by the TUI tests: get from the picker to the board by key presses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from textual.pilot import Pilot
from textual.widgets import OptionList

from drill.engine.playscript import PlayerAction

_STEP: TypeAdapter[Any] = TypeAdapter(PlayerAction)


def step(**fields: Any) -> Any:
    """A player's step as a dialog returns it: ``at`` and ``by`` are the board's to stamp."""
    return _STEP.validate_python({"at": 0, **fields})


async def settle(pilot: Pilot) -> None:
    """Wait until the app's workers (loading a scenario, replaying a save, comparing) are done
    and the screens they open are shown."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def highlight(pilot: Pilot, title: str) -> None:
    """Highlight the scenario called ``title`` in the picker."""
    choices = pilot.app.screen.query_one("#choices", OptionList)
    for index, option in enumerate(choices.options):
        if option.prompt is not None and str(option.prompt).strip().endswith(title):
            choices.highlighted = index
            break
    else:
        raise AssertionError(f"{title!r} is not in the picker")
    await pilot.pause()


async def pick(pilot: Pilot, title: str) -> None:
    """Highlight the scenario called ``title`` in the picker and press Enter: its set-up opens."""
    await highlight(pilot, title)
    await pilot.press("enter")
    await settle(pilot)


async def start_run(pilot: Pilot, title: str, seed: str | None = None) -> None:
    """From the picker: choose a scenario, accept the set-up, read the briefing, start."""
    await pick(pilot, title)
    if seed is not None:
        seed_input = pilot.app.screen.query_one("#seed")
        seed_input.value = seed
    pilot.app.screen.query_one("#start").press()
    await pilot.pause()
    await pilot.press("enter")  # the briefing
    await pilot.pause()


async def open_board(pilot: Pilot, scenario: str | Path = "tiny", *, seed: int | None = None,
                     players: list[str] | None = None, pace: float | None = None) -> Any:
    """Start a run straight on the board, as the briefing's Enter does, and return the board.

    For tests about the board: the way there (picker, set-up, briefing) has tests of its own.
    ``scenario`` is a path, a bundled id or the name of a file in tests/fixtures without
    ``.toml``.  The seed and the pace default to the set-up dialog's.
    """
    from drill.session import GameSession, ScenarioSource
    from drill.tui.dialogs.setup import default_seed
    from drill.tui.messages import RunStarted

    from .conftest import FIXTURES, FROZEN_START

    fixture = FIXTURES / f"{scenario}.toml"
    reference = str(fixture) if isinstance(scenario, str) and fixture.exists() else str(scenario)
    source = ScenarioSource.open(reference)
    seed = default_seed(source) if seed is None else seed
    session = GameSession.start(source, seed=seed, pace=pace or source.scenario.clock.pace,
                                saves_dir=pilot.app.settings.saves_dir, players=players or [],
                                started=FROZEN_START)
    pilot.app.post_message(RunStarted(session))
    await pilot.pause()
    await pilot.pause()
    return pilot.app.screen


async def black_friday_underway(pilot: Pilot) -> Any:
    """Black Friday at T+21 on the board: an update to support posted at T+4, the rollback
    started at T+9 and still running; returns the board."""
    board = await open_board(pilot, "black-friday", seed=7)
    board.advance_to(4)
    board.act(step(do="update", audience="support", affected="most", impact="Search fails",
                   next_update=15))
    board.advance_to(9)
    board.act(step(do="start", action="rollback_release"))
    board.advance_to(21)
    return board


def save_a_resolved_tiny_run() -> Any:
    """A finished run of the tiny fixture saved under ./saves (seed 3: fixed from T+3, declared
    resolved at T+50), as a player's earlier run; returns its session."""
    from drill.session import GameSession, ScenarioSource

    from .conftest import FIXTURES, FROZEN_START

    session = GameSession.start(ScenarioSource.open(str(FIXTURES / "tiny.toml")), seed=3, pace=1,
                                saves_dir=Path("saves"), started=FROZEN_START)
    session.advance_to(3)
    session.act(step(do="start", action="fix", at=3))
    session.advance_to(50)
    session.act(step(do="resolve", at=50))
    return session


def screen_text(screen: Any) -> list[str]:
    """The screen as the terminal shows it, one string per row (its own widgets only: a dialog
    over it is not drawn)."""
    return [strip.text for strip in screen._compositor.render_strips()]
