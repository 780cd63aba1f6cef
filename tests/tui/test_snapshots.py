"""SVG snapshots of every screen and dialog at 80x24 (the size the README promises) and 120x40,
with the clock frozen and the seed fixed.

Update on purpose with `pytest tests/tui/test_snapshots.py --snapshot-update`, then look at the
new SVGs before committing them (README: "Looking at snapshots").
"""

from __future__ import annotations

import pytest

from .conftest import FIXTURES, make_app
from .helpers import highlight, open_board, pick, save_a_resolved_tiny_run, step

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def _black_friday_mid_incident(pilot) -> None:
    board = await open_board(pilot, "black-friday", seed=7)
    board.advance_to(4)
    board.act(step(do="update", audience="support", affected="most",
                   impact="Search is failing for many customers",
                   doing="Investigating the deploy", next_update=15))
    board.advance_to(9)
    await pilot.pause()
    await pilot.press("a", "down", "down", "enter")  # the third action then: roll back the release
    board.advance_to(21)
    board.act(step(do="page", person="infra_eng"))
    board.advance_to(22)
    await pilot.pause()


async def _finished_tiny_run(pilot) -> None:
    board = await open_board(pilot, seed=3)
    board.advance_to(3)
    board.act(step(do="start", action="fix"))
    board.act(step(do="page", person="ops"))
    board.act(step(do="update", audience="support", impact="Errors for all", next_update=20))
    board.advance_to(50)
    board.act(step(do="resolve"))
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_picker(snap_compare, in_tmp, size):
    async def run_before(pilot):
        await highlight(pilot, "Black Friday message corruption")

    assert snap_compare(make_app(extra=[]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_picker_with_a_best_run(snap_compare, in_tmp, size):
    """'Your best' is in sight at 80x24."""
    save_a_resolved_tiny_run()

    async def run_before(pilot):
        await highlight(pilot, "Tiny")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_setup_dialog(snap_compare, in_tmp, size):
    async def run_before(pilot):
        await pick(pilot, "Black Friday message corruption")

    assert snap_compare(make_app(extra=[]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_briefing(snap_compare, in_tmp, size):
    async def run_before(pilot):
        await pick(pilot, "Black Friday message corruption")
        pilot.app.screen.query_one("#seed").value = "7"
        pilot.app.screen.query_one("#start").press()
        await pilot.pause()

    assert snap_compare(make_app(extra=[]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_board_mid_incident(snap_compare, in_tmp, size):
    assert snap_compare(make_app(extra=[]), terminal_size=size,
                        run_before=_black_friday_mid_incident)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("key", ["u", "p", "e", "r", "f", "question_mark"],
                         ids=["update", "page", "estimate", "resolve", "facilitator", "keys"])
def test_dialogs(snap_compare, in_tmp, key, size):
    async def run_before(pilot):
        await _black_friday_mid_incident(pilot)
        await pilot.press(key)
        await pilot.pause()

    assert snap_compare(make_app(extra=[]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_update_dialog_with_a_template_list_open(snap_compare, in_tmp, size):
    async def run_before(pilot):
        await _black_friday_mid_incident(pilot)
        await pilot.press("u", *"Half the shops")
        pilot.app.screen.query_one("#template").focus()
        await pilot.pause()
        await pilot.press("enter")  # opens the list of templates
        await pilot.pause()

    assert snap_compare(make_app(extra=[]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_take_over_dialog(snap_compare, in_tmp, size):
    async def run_before(pilot):
        await open_board(pilot, "black-friday", seed=7, players=["Ana (commander)", "Bo (comms)"])
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(make_app(extra=[]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_end_screen(snap_compare, in_tmp, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_finished_tiny_run)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_end_screen_postmortem(snap_compare, in_tmp, size):
    async def run_before(pilot):
        await _finished_tiny_run(pilot)
        await pilot.press("tab")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_compare(snap_compare, in_tmp, size):
    save_a_resolved_tiny_run()  # an earlier run to compare with

    async def run_before(pilot):
        await _finished_tiny_run(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_hostile_text_is_literal(snap_compare, in_tmp):
    async def run_before(pilot):
        board = await open_board(pilot, "hostile")
        board.advance_to(3)
        await pilot.pause()

    assert snap_compare(make_app(extra=[str(FIXTURES / "hostile.toml")]), terminal_size=(100, 30),
                        run_before=run_before)
