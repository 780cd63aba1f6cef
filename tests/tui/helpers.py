"""Steps shared by the TUI tests: get from the picker to the board by key presses."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import OptionList


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
    """Highlight the scenario called ``title`` in the picker and press Enter."""
    await highlight(pilot, title)
    await pilot.press("enter")
    await pilot.pause()


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
