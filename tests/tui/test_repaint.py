"""A clock tick shows its changes at once: one frame, not a board that settles over several.

Textual lays a screen out again when a widget changes size, and paints what the layout changed
a frame later (at 60 frames a second, at least 17 ms later).  The board's panels grow and
shrink as things become owed, values widen and lines arrive in the feed; each of those used
to cost a tick two or three frames (bench/latency.py measures the time)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import make_app
from .helpers import black_friday_underway, settle


def count_frames(app: Any) -> list[int]:
    """Count the frames the app paints from now on (a refresh with nothing to paint is not a
    frame); returns the one-item list the count is kept in."""
    frames = [0]
    display = app._display

    def counted(screen: Any, update: Any) -> None:
        if update is not None:
            frames[0] += 1
        display(screen, update)

    app._display = counted
    return frames


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_each_minute_of_a_busy_stretch_is_painted_in_one_frame(in_tmp, size):
    app = make_app(extra=[])
    async with app.run_test(size=size) as pilot:
        board = await black_friday_underway(pilot)
        await settle(pilot)
        frames = count_frames(app)
        owed = board.query_one("#promises")
        feed = board.query_one("#feed")
        grew = arrived = 0
        for minute in range(22, 36):
            actions = board.query_one("#actions")._signature
            lines, height = len(feed.lines), owed.size.height
            frames[0] = 0
            board.advance_to(minute)
            await settle(pilot)
            if board.query_one("#actions")._signature != actions:
                continue  # the list of actions changed: the option list lays itself out twice
            grew += owed.size.height != height
            arrived += len(feed.lines) != lines
            assert frames[0] == 1, f"T+{minute}: {frames[0]} frames"
        assert grew and arrived, "the stretch has a panel that changed size and a feed line"
