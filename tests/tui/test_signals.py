"""The signal graphs read right: a signal stuck at 100% is not drawn on the floor."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Sparkline

from .conftest import make_app
from .helpers import open_board


def drawn(sparkline: Sparkline) -> str:
    console = Console(width=20, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(sparkline.render())
    return capture.get()


async def test_a_signal_that_never_moved_is_drawn_at_its_height(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_board(pilot, "s3-us-east-1", seed=2)
        board.advance_to(6)
        await pilot.pause()
        errors = board.query_one("#signal-0", Sparkline)  # S3 request errors: 100% from T+0
        assert set(drawn(errors).split()[0]) == {"█"}, "stuck at 100%: a full bar"
        partitions = board.query_one("#signal-1", Sparkline)  # no index partition valid yet
        assert set("".join(drawn(partitions).split())) == {"▁"}, "stuck at 0: on the floor"
