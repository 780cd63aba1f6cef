"""The signal graphs read right: a signal stuck at 100% is not drawn on the floor."""

from __future__ import annotations

import pytest
from rich.color import Color
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.styled import Styled
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.geometry import Region
from textual.widgets import Sparkline

from drill.tui.widgets.graph import graph_lines

from .conftest import make_app
from .helpers import open_board


def drawn(sparkline: Sparkline) -> str:
    """The graph's rows as the board draws them."""
    rows = sparkline.render_lines(Region(0, 0, *sparkline.size))
    return "\n".join(row.text for row in rows)


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


@pytest.mark.parametrize("data", [
    [], [7.0], [0.0, 0.0, 0.0], [1.0, 5.0, 3.0], [float(v % 13) for v in range(60)],
    [0.0, 100.0] * 30, [34.0, 35.0, 90.0, 46.0, 46.0],
])
@pytest.mark.parametrize("width, height", [(10, 1), (40, 3), (7, 2), (3, 4)])
def test_the_board_draws_each_graph_as_textuals_sparkline_would(data, width, height):
    """The board's own drawing (widgets/graph.py) is bar for bar and colour for colour the
    sparkline Textual draws: its speed-up must not change what a player sees."""
    base, low, high = Style(bgcolor="grey11"), Color.parse("#2e7d32"), Color.parse("#c62828")
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    textual_render = SparklineRenderable(data, width=width, height=height, min_color=low,
                                         max_color=high)
    segments = console.render(Styled(textual_render, base), console.options.update_width(width))
    expected = [[(text, style) for text, style, _ in line]
                for line in Segment.split_lines(segments)]
    drawn = [[(text, style) for text, style, _ in line]
             for line in graph_lines(data, width, height, base, low, high)]
    assert drawn == expected
