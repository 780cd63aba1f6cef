"""The board never tells a number the scenario drew in secret (``reveal = "debrief"``).

tests/fixtures/secret.toml is the tiny scenario with the time to fix one box (8-12 min) and the
time ops needs to wake (15-30 min) drawn in secret; seed 3 draws 10 and 20.  Until the debrief
the player reads spans: the action list, the feed, the page dialog, the people and work panels.
"""

from __future__ import annotations

from drill.tui.dialogs.page import PageDialog

from .conftest import make_app
from .helpers import open_board, screen_text, settle, step


def row_with(rows: list[str], words: str) -> str:
    return next(row for row in rows if words in row)


async def test_secret_durations_read_as_spans_until_the_person_answers(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_board(pilot, "secret", seed=3)
        assert board.session.run.variant.draws == (("box_minutes", 10.0), ("ops_wakes", 20.0))
        board.advance_to(3)
        await pilot.pause()
        rows = screen_text(board)
        assert "4 × 8–12 min" in row_with(rows, "Fix box"), "the action list: the span"

        board.action_page()
        await settle(pilot)
        assert isinstance(app.screen, PageDialog)
        dialog = " ".join(screen_text(app.screen))
        assert "off hours, about 20–35 min" in dialog, "5 min to answer + 15-30 to wake"
        await pilot.press("escape")
        await settle(pilot)

        board.act(step(do="page", person="ops"))
        await pilot.pause()
        rows = screen_text(board)
        assert "expected in 20–35 min" in row_with(rows, "paged"), "the feed: no arrival time"
        assert "paged, 20–35 min" in " ".join(rows), "the people panel: the span"

        board.advance_to(13)  # ops answers at T+13 (half the drawn 20 min), arrives at T+28
        await pilot.pause()
        rows = " ".join(screen_text(board))
        assert "I can join in about 15 min" in rows, "their answer says when"
        assert "paged, 15 min" in rows, "then the board counts down to it"

        board.act(step(do="start", action="fix"))
        board.advance_to(25)
        await pilot.pause()
        work = row_with(screen_text(board), "/4 ")  # the In progress panel's line
        assert "1/4 done" in work and "left" not in work, "the boxes done show, not the time left"
