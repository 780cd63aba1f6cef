"""Keys that never lose work: typed text lands where the player saw the focus go, Esc closes
only the innermost thing, every way out of a run asks, and dialogs hold the clock."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from drill.tui.dialogs.confirm import ConfirmDialog
from drill.tui.dialogs.estimate import EstimateDialog
from drill.tui.dialogs.facilitator import FacilitatorDialog
from drill.tui.dialogs.keys import KeysDialog
from drill.tui.dialogs.update import UpdateDialog
from drill.tui.screens.board import BoardScreen
from drill.tui.screens.end import EndScreen
from drill.tui.widgets.choice import Choice

from .conftest import make_app
from .helpers import open_board, screen_text


def burst(app, *keys: str) -> None:
    """Keys typed faster than the app handles them: all queued before the first is handled,
    as a fast typist or a busy machine does it (Pilot waits between keys; a person does not)."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))


async def typed(pilot) -> None:
    await pilot.pause()
    await pilot.app.keys_done()
    await pilot.pause()


async def test_a_burst_lands_in_the_field_each_key_was_meant_for(in_tmp):
    """Textual routes a key to the focus of the moment it is read, but Tab moves the focus
    only once it has bubbled back up: '60⇥120' typed fast gave '60120' in Low."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_board(pilot)
        await pilot.press("e")
        await pilot.pause()
        burst(app, "6", "0", "tab", "1", "2", "0")
        await typed(pilot)
        dialog = app.screen
        assert isinstance(dialog, EstimateDialog)
        assert dialog.query_one("#low", Input).value == "60"
        assert dialog.query_one("#high", Input).value == "120"


async def test_text_typed_right_after_u_goes_into_the_update_not_to_the_board(in_tmp):
    """Before the dialog opened, 'e', 'r' and 'p' in the text would have been board keys."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot)
        burst(app, "u", *"Errors everywhere", "tab", *"Paging ops")
        await typed(pilot)
        dialog = app.screen
        assert isinstance(dialog, UpdateDialog), "no estimate, resolve or page dialog opened"
        assert dialog.query_one("#impact", TextArea).text == "Errors everywhere"
        assert dialog.query_one("#doing", TextArea).text == "Paging ops"
        assert board.session.run.record().steps == ()


async def test_escape_closes_an_open_list_first_and_keeps_what_was_written(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_board(pilot)
        await pilot.press("u", *"Half the shops")
        dialog = app.screen
        audience = dialog.query_one("#audience", Choice)
        audience.focus()
        await pilot.pause()
        await pilot.press("enter")  # opens the list of audiences
        await pilot.pause()
        assert audience.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dialog and not audience.expanded, "only the list closed"
        assert dialog.query_one("#impact", TextArea).text == "Half the shops"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)


async def test_enter_starts_a_new_line_and_ctrl_s_posts(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot)
        await pilot.press("u", *"Checkout fails", "enter", *"for card payments")
        assert isinstance(app.screen, UpdateDialog), "Enter did not post"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        [update] = board.session.run.record().updates
        assert update.step.impact == "Checkout fails\nfor card payments"


async def test_the_update_says_who_is_affected_and_the_score_reads_it(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot)
        board.advance_to(3)
        await pilot.press("u", *"Errors for everyone")
        app.screen.query_one("#affected", Choice).value = "all"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [update] = board.session.run.record().updates
        assert update.step.affected == "all"


async def test_the_facilitator_ending_the_run_asks_first(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot)
        board.advance_to(4)
        for answer, expected in (("n", BoardScreen), ("y", EndScreen)):
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, FacilitatorDialog)
            await pilot.press("up", "enter")  # the last act: end the run now
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press(answer)
            await pilot.pause()
            await pilot.pause()
            assert isinstance(app.screen, expected)


async def test_quitting_with_a_dialog_open_asks_and_says_the_dialog_is_not_sent(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_board(pilot)
        await pilot.press("u", *"Half", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "not sent" in str(app.screen.query_one("#confirm-detail").visual)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#impact", TextArea).text == "Half", "still there"


async def test_a_dialog_holds_the_clock_in_solo_play(in_tmp):
    now = [100.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot)
        now[0] += 2
        board.tick()
        assert board.session.run.now == 2
        for key in ("u", "p", "e", "r", "question_mark"):
            await pilot.press(key)
            await pilot.pause()
            now[0] += 30
            board.tick()
            assert board.session.run.now == 2, f"the clock moved under {type(app.screen).__name__}"
            await pilot.press("escape")
            await pilot.pause()
        now[0] += 1
        board.tick()
        assert board.session.run.now == 3, "it goes on where it was, without the time spent"


async def test_in_team_play_the_clock_runs_under_a_move_and_stops_for_the_facilitator(in_tmp):
    now = [100.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot, players=["Ana (commander)", "Bo (comms)"])
        await pilot.press("u")
        await pilot.pause()
        now[0] += 2
        board.tick()
        assert board.session.run.now == 2, "the others keep working while one types"
        await pilot.press("escape", "f")
        await pilot.pause()
        now[0] += 5
        board.tick()
        assert board.session.run.now == 2, "the facilitator's panel stops the clock"


async def test_a_paused_board_does_no_work(in_tmp):
    app = make_app(tick=0.005)
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot)
        ticks: list[float] = []
        board.tick = lambda: ticks.append(1.0)  # type: ignore[method-assign]
        await pilot.press("space")
        await pilot.pause()
        ticks.clear()
        await pilot.pause(0.1)
        assert ticks == [], "no timer runs while the clock is paused"


async def test_the_key_line_fits_80_columns_and_the_keys_list_has_every_key(in_tmp):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(pilot, "black-friday", players=["Ana", "Bo"])
        bottom = screen_text(board)[-1]
        for shown in ("u Update", "p Page", "e Estimate", "r Resolve", "n Next player", "^q Quit",
                      "? keys"):
            assert shown in bottom
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysDialog)
        listed = str(app.screen.query_one("#keys-list Static").visual)
        for binding in BoardScreen.BINDINGS:
            # y only exists in scenarios that ask yes/no questions; black-friday asks none.
            offered = board.check_action(binding.action, ()) is not False
            assert (binding.tooltip in listed) == offered, binding.key
        for app_key in ("Quit (during a run, asks first", "Every action by name"):
            assert app_key in listed
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is board


async def test_a_choice_changes_in_place_with_arrows_and_first_letters(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_board(pilot)
        await pilot.press("u")
        affected = app.screen.query_one("#affected", Choice)
        affected.focus()
        await pilot.pause()
        await pilot.press("right", "right")
        assert affected.value == "most"
        await pilot.press("left")
        assert affected.value == "all"
        await pilot.press("s")
        assert affected.value == "some", "'some users' starts with s"
        await pilot.press("enter", "down", "enter")  # the list: the one after 'some users'
        await pilot.pause()
        assert affected.value == "few" and not affected.expanded
        assert app.focused is affected
