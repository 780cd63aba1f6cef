"""A scenario that runs away in the TUI: the clock stops, the end screen says why, nothing crashes."""

from __future__ import annotations

from textual.widgets import Static

from drill.tui.screens.board import BoardScreen
from drill.tui.screens.end import EndScreen

from .. import runaway
from .conftest import make_app
from .helpers import start_run


async def test_a_text_doubling_every_minute_ends_the_run_with_the_reason_on_the_end_screen(in_tmp):
    path = runaway.write(runaway.doubling_text(), in_tmp / "grow.toml")
    app = make_app(extra=[str(path)])
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause()
        await start_run(pilot, "Runaway")
        board = app.screen
        assert isinstance(board, BoardScreen)
        for minute in range(1, 30):  # the clock ticking past the moment it runs away (T+13)
            if not isinstance(app.screen, BoardScreen):
                break
            board.advance_to(minute)
            await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, EndScreen)
        scores = str(app.screen.query_one("#scores", Static).visual)
        assert "Stopped: event 'grow' made a text longer than 10,000 characters" in scores
        assert "drill stopped the run at T+13" in scores
        assert app.screen.session.run.record().halted == (
            "event 'grow' made a text longer than 10,000 characters at T+13")
