"""SVG snapshots of the key screens, with the clock frozen and the seed fixed.

Update on purpose with `pytest tests/tui/test_snapshots.py --snapshot-update`, then look at the
new SVGs before committing them.
"""

from __future__ import annotations

import pytest

from .conftest import FIXTURES, make_app
from .helpers import highlight, open_board, pick, step

BOARD_SIZES = [(80, 24), (120, 40)]


async def _black_friday_mid_incident(pilot) -> None:
    board = await open_board(pilot, "black-friday", seed=7)
    board.advance_to(4)
    board.act(step(do="update", audience="support", impact="Search is failing for many customers",
               doing="Investigating the deploy", next_update=15))
    board.advance_to(9)
    await pilot.pause()
    await pilot.press("a", "enter")
    board.advance_to(21)
    await pilot.pause()


@pytest.mark.parametrize("size", BOARD_SIZES, ids=["80x24", "120x40"])
def test_board_mid_incident(snap_compare, in_tmp, size):
    assert snap_compare(make_app(extra=[]), terminal_size=size, run_before=_black_friday_mid_incident)


def test_picker(snap_compare, in_tmp):
    async def run_before(pilot):
        await highlight(pilot, "Black Friday message corruption")

    assert snap_compare(make_app(extra=[]), terminal_size=(80, 24), run_before=run_before)


def test_briefing(snap_compare, in_tmp):
    async def run_before(pilot):
        await pick(pilot, "Black Friday message corruption")
        pilot.app.screen.query_one("#seed").value = "7"
        pilot.app.screen.query_one("#start").press()
        await pilot.pause()

    assert snap_compare(make_app(extra=[]), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("key", ["u", "p", "e", "r"], ids=["update", "page", "estimate", "resolve"])
def test_dialogs(snap_compare, in_tmp, key):
    async def run_before(pilot):
        await _black_friday_mid_incident(pilot)
        await pilot.press(key)
        await pilot.pause()

    assert snap_compare(make_app(extra=[]), terminal_size=(80, 24), run_before=run_before)


def test_setup_dialog(snap_compare, in_tmp):
    async def run_before(pilot):
        await pick(pilot, "Black Friday message corruption")

    assert snap_compare(make_app(extra=[]), terminal_size=(80, 24), run_before=run_before)


def test_end_screen(snap_compare, in_tmp):
    async def run_before(pilot):
        board = await open_board(pilot, seed=3)
        board.advance_to(3)
        board.act(step(do="start", action="fix"))
        board.act(step(do="page", person="ops"))
        board.act(step(do="update", audience="support", impact="Errors for all", next_update=20))
        board.advance_to(50)
        board.act(step(do="resolve"))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)


def test_hostile_text_is_literal(snap_compare, in_tmp):
    async def run_before(pilot):
        board = await open_board(pilot, "hostile")
        board.advance_to(3)
        await pilot.pause()

    assert snap_compare(make_app(extra=[str(FIXTURES / "hostile.toml")]), terminal_size=(100, 30),
                        run_before=run_before)
