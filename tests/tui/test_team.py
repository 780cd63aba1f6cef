"""Team play and the facilitator in the TUI: attribution, switching players, take-over, injects."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from drill.tui.screens.board import BoardScreen
from drill.tui.screens.end import EndScreen
from drill.tui.dialogs.confirm import ConfirmDialog
from drill.tui.dialogs.facilitator import FacilitatorDialog

from .conftest import make_app
from .helpers import open_board, pick, settle, step

TEAM = ["Ana (commander)", "Bo (comms)"]


async def start_team_run(pilot) -> BoardScreen:
    await pick(pilot, "Tiny")
    pilot.app.screen.query_one("#players", Input).value = "Ana=commander, Bo=comms"
    pilot.app.screen.query_one("#start").press()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    return pilot.app.screen


async def test_actions_are_attributed_to_the_active_player_and_n_switches(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await start_team_run(pilot)
        assert board.sub_title == "playing: Ana (commander)"
        board.advance_to(3)
        await pilot.press("p", "enter")
        await pilot.pause()
        await pilot.press("n")
        assert board.sub_title == "playing: Bo (comms)"
        await pilot.press("u", *"All down", "ctrl+s")
        await pilot.pause()
        run = board.session.run
        assert [(s.do, s.by) for s in run.record().steps] == [("page", "Ana (commander)"), ("update", "Bo (comms)")]
        board.advance_to(50)
        await pilot.press("a", "enter")  # fix was never started: start it now
        board.advance_to(120)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, EndScreen)
        scores = str(app.screen.query_one("#scores", Static).visual)
        assert "Per player" in scores and "Ana (commander)" in scores and "Bo (comms)" in scores


async def test_a_player_takes_a_teammate_over(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot, players=TEAM)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert board.session.run.record().taken_over == {"ops": "Ana (commander)"}
        assert any("now plays" in strip.text for strip in board.query_one("#feed").lines)


async def test_solo_play_has_no_team_keys(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        await pilot.press("n", "t")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen) and board.sub_title == "solo"


async def test_facilitator_injects_a_message_and_a_hint_and_they_are_saved(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot, players=TEAM)
        board.advance_to(4)
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FacilitatorDialog)
        dialog.query_one("#text", Input).value = "A journalist calls the CEO."
        acts = dialog.query_one("#acts", OptionList)
        acts.highlighted = next(i for i, o in enumerate(acts.options) if o.id == "message")
        acts.action_select()
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        acts = app.screen.query_one("#acts", OptionList)
        acts.highlighted = next(i for i, o in enumerate(acts.options) if o.id == "pause")
        acts.action_select()
        await pilot.pause()
        assert board.clock.paused
        await pilot.press("f")  # opened again: it offers what is open now, the text blank
        await pilot.pause()
        again = app.screen
        assert again.query_one("#acts", OptionList).options[0].id == "resume"
        assert again.query_one("#text", Input).value == ""
        await pilot.press("escape")
        await pilot.pause()
        feed = " ".join(strip.text.strip() for strip in board.query_one("#feed").lines)
        assert "[management] Facilitator: A journalist calls the CEO." in feed
        assert "The facilitator paused the clock." in feed
    save = json.loads(next(Path("saves").glob("*.json")).read_text())
    assert [(s["do"], s["act"], s["by"]) for s in save["steps"]] == [
        ("facilitate", "message", "facilitator"), ("facilitate", "pause", "facilitator")]


async def test_the_end_screen_compares_this_run_with_earlier_ones(in_tmp):
    from drill.tui.screens.compare import CompareScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for attempt in range(2):
            board = await open_board(pilot)
            board.advance_to(3)
            if attempt == 1:
                board.act(step(do="update", audience="support", impact="Errors",
                               next_update=20))
                board.act(step(do="start", action="fix"))
            board.advance_to(120)
            await settle(pilot)
            assert isinstance(app.screen, EndScreen)
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, CompareScreen)
            table = str(app.screen.query_one("#compare-table", Static).visual)
            if attempt == 0:
                assert "No other finished run" in table
            else:
                assert "First update: support" in table and "Best overall" in table
            await pilot.press("escape")  # back to the end screen
            await pilot.pause()
            assert isinstance(app.screen, EndScreen)
            await pilot.press("escape")  # and to the picker
            await settle(pilot)


def after(now: list[float], board: BoardScreen, seconds: float) -> float:
    """Let ``seconds`` pass on the board's (fake) real-time clock and tick: the scenario time
    the run is at then."""
    now[0] += seconds
    board.tick()
    return board.session.run.now


async def test_the_clock_waits_while_the_facilitator_panel_is_open(in_tmp):
    now = [50.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot, players=TEAM)
        assert after(now, board, 2) == 2
        await pilot.press("f")
        await pilot.pause()
        assert after(now, board, 30) == 2, "the facilitator is typing: the clock waits"
        await pilot.press("escape")
        await pilot.pause()
        assert not board.clock.paused
        assert after(now, board, 3) == 5


async def test_a_move_s_question_lets_the_clock_run_but_the_facilitator_s_stops_it(in_tmp):
    # Both questions are the board's one kept confirmation dialog: being a move once must not
    # make it one for good.
    now = [50.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot, players=TEAM)
        await pilot.press("r")  # "Declare the incident resolved?": the others keep working
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert after(now, board, 2) == 2
        await pilot.press("n", "f")
        await pilot.pause()
        acts = app.screen.query_one("#acts", OptionList)
        acts.highlighted = next(i for i, o in enumerate(acts.options) if o.id == "end")
        acts.action_select()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert after(now, board, 30) == 2, "the facilitator's question: the clock waits"


async def test_the_quit_question_over_a_move_s_dialog_stops_the_team_clock(in_tmp):
    now = [50.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot, players=TEAM)
        await pilot.press("p")  # paging is a move: the others keep working
        await pilot.pause()
        assert after(now, board, 2) == 2
        await pilot.press("ctrl+q")  # "Quit?" over the page dialog
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert after(now, board, 3) == 2, "the quit question: the clock waits"
        await pilot.press("n")  # back to the page dialog: the clock runs on from now
        await pilot.pause()
        assert after(now, board, 1) == 3
