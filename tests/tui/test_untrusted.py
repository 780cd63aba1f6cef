"""Scenario text is shown literally: markup is not styled, click actions do nothing, escape
sequences never reach the terminal (ECOSYSTEM.md §5: escaping alone is not enough)."""

from __future__ import annotations

import re

from textual.widgets import OptionList, Static

from drill.tui.screens.board import BoardScreen

from .conftest import FIXTURES, make_app
from .helpers import highlight, start_run

HOSTILE = str(FIXTURES / "hostile.toml")


def screen_text(app) -> str:
    svg = app.export_screenshot()
    text = "".join(re.findall(r">([^<]*)</text>", svg))
    return text.replace("&#160;", " ").replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<")


async def test_markup_in_scenario_text_is_shown_literally_and_clicks_do_nothing(in_tmp):
    app = make_app(extra=[HOSTILE])
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        prompts = [str(o.prompt) for o in app.screen.query_one("#choices", OptionList).options]
        assert any("[bold red]Hostile[/] [@click=app.quit]title[/]" in p for p in prompts)
        await highlight(pilot, "[bold red]Hostile[/] [@click=app.quit]title[/]")
        details = str(app.screen.query_one("#details", Static).visual)
        assert "[$accent @click=app.quit]CLICK ME[/]" in details
        assert "\x1b" not in details
        await start_run(pilot, "[bold red]Hostile[/] [@click=app.quit]title[/]")
        assert isinstance(app.screen, BoardScreen)
        app.screen.advance_to(3)
        await pilot.pause()
        shown = screen_text(app)
        assert "[bold red]RED ALERT[/]" in shown and "[@click=app.quit]click to quit[/]" in shown
        assert "[$accent @click=app.quit]CLICK ME[/]" in shown
        assert "\x1b" not in app.export_screenshot()
        # Click every line of the feed and the people panel: no embedded action may run.
        for y in range(3, 20):
            await pilot.click("#feed", offset=(20, y - 3))
        await pilot.click("#people", offset=(4, 1))
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, BoardScreen)


async def test_the_briefing_and_dialogs_show_hostile_text_literally(in_tmp):
    app = make_app(extra=[HOSTILE])
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        from .helpers import pick

        await pick(pilot, "[bold red]Hostile[/] [@click=app.quit]title[/]")
        app.screen.query_one("#start").press()
        await pilot.pause()
        briefing = screen_text(app)
        assert "[ @click=app.quit]space tag[/]" in briefing
        assert "oops [/] stray close tag" in briefing
        assert "array[3] and [x] and [Bold]" in briefing
        await pilot.press("enter")
        await pilot.pause()
        app.screen.advance_to(3)
        await pilot.press("a", "enter")  # the action has a confirm text
        await pilot.pause()
        assert "[bold red]Are you sure?[/]" in screen_text(app)
        assert "\x1b" not in app.export_screenshot()
        await pilot.press("n")
        await pilot.press("p")
        await pilot.pause()
        assert "[@click=app.quit]Mallory[/]" in screen_text(app)
        await pilot.press("escape", "e")  # the estimate dialog lists milestone labels
        await pilot.pause()
        assert "[@click=app.quit]Fixed[/]" in screen_text(app)
        await pilot.click("#milestone")
        await pilot.pause()
        assert app.is_running
