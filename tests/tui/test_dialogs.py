"""The dialogs behind the board's keys: what they offer and what they send to the run."""

from __future__ import annotations

import html

from textual.widgets import Button, Input, OptionList, Static, TextArea

from drill.tui.screens.board import BoardScreen
from drill.tui.dialogs.confirm import ConfirmDialog
from drill.tui.dialogs.estimate import EstimateDialog
from drill.tui.dialogs.page import PageDialog
from drill.tui.dialogs.update import UpdateDialog
from drill.tui.widgets.choice import Choice

from .conftest import FIXTURES, make_app
from .helpers import open_board, screen_text


async def test_an_update_template_fills_the_fields_to_edit(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        board.advance_to(3)
        await pilot.press("u")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, UpdateDialog)
        dialog.query_one("#audience", Choice).value = "customers"
        dialog.query_one("#template", Choice).value = "Acknowledge"
        await pilot.pause()
        # The board's status line, as the board shows it; an "Operational" board claims
        # nothing about who is affected: the player says it.
        status = board.session.run.status()[1]
        assert dialog.query_one("#impact", TextArea).text.startswith(status)
        assert dialog.query_one("#affected", Choice).value == ""
        dialog.query_one("#affected", Choice).value = "some"
        assert dialog.query_one("#next", Input).value == "15"
        dialog.query_one("#data-loss", Choice).value = "none"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [record] = board.session.run.record().updates
        assert record.step.audience == "customers" and record.step.affected == "some"
        assert record.step.next_update == 15 and record.step.data_loss == "none"
        owed = str(board.query_one("#promises").visual)
        assert "customers" in owed and "promised" in owed and "in 15 min" in owed


async def test_an_empty_update_is_refused_and_escape_cancels(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        await pilot.press("u")
        await pilot.pause()
        app.screen.query_one("#post").press()
        await pilot.pause()
        assert isinstance(app.screen, UpdateDialog), "nothing to say: the dialog stays open"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert board.session.run.record().updates == ()


async def test_a_point_estimate_and_a_bad_range(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EstimateDialog)
        await pilot.press(*"30", "tab", *"10", "enter")  # high below low
        await pilot.pause()
        assert isinstance(app.screen, EstimateDialog)
        app.screen.query_one("#high", Input).value = ""
        app.screen.query_one("#give").press()
        await pilot.pause()
        [record] = board.session.run.record().estimates
        assert record.step.point == 30 and record.step.low is None
        await pilot.press("e", *"10", "tab", *"5", "enter")  # a problem showing, then Esc
        await pilot.pause()
        assert app.screen.query(".field-problem.-shown")
        await pilot.press("escape", "e")  # opened again: blank, nothing of the last one left
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EstimateDialog)
        assert [dialog.query_one(f"#{f}", Input).value for f in ("low", "high", "confidence")] \
            == ["", "", "80"]
        assert not dialog.query(".field-problem.-shown"), "the last dialog's problems are gone"
        assert dialog.focused is dialog.query_one("#low", Input)
        assert not dialog.query(".-invalid"), "blank is not shown as wrong before typing"


async def test_an_update_dialog_opened_again_is_blank_over_the_board_as_it_is_now(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        await pilot.press("u")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, UpdateDialog)
        dialog.query_one("#audience", Choice).value = "customers"
        await pilot.press(*"half a thought")
        dialog.query_one("#next", Input).value = "1e"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert dialog.query(".field-problem.-shown"), "1e is not a number"
        await pilot.press("escape")
        board.advance_to(7)
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, UpdateDialog)
        assert again.query_one("#impact", TextArea).text == ""
        assert again.query_one("#audience", Choice).value == "support"
        assert again.query_one("#next", Input).value == ""
        assert not again.query(".field-problem.-shown")
        assert again.focused is again.query_one("#impact", TextArea)
        await pilot.press("ctrl+z")
        assert again.query_one("#impact", TextArea).text == "", "the last draft is not undone back"
        # The dimmed board behind the dialog is the board of now, not of the first opening.
        behind = html.unescape(app.export_screenshot())
        assert "10:07" in behind, "the clock line as it is at T+7"
        await pilot.press(*"now this", "ctrl+s")
        await pilot.pause()
        [update] = board.session.run.record().updates
        assert update.step.impact == "now this" and update.step.audience == "support"


async def test_page_dialog_shows_who_is_awake_and_who_was_paged(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await open_board(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PageDialog)
        [option] = app.screen.query_one(OptionList).options
        # 10:00 in Paris is 01:00 in San Francisco: the ops engineer is off hours.
        assert "off hours, about 25 min" in str(option.prompt)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        [option] = app.screen.query_one(OptionList).options
        assert "already paged" in str(option.prompt) and option.disabled


async def test_someone_in_a_meeting_shows_as_busy_on_the_board_and_in_the_page_dialog(in_tmp):
    text = (FIXTURES / "tiny.toml").read_text()
    text = text.replace('title = "Tiny"', 'title = "Busy tiny"').replace(
        "hours = [9, 18]\noff_hours_delay = 20\n",
        "hours = [0, 24]\noff_hours_delay = 20\n\n[[people.busy]]\nat = 0\nuntil = 30\n"
        'doing = "in the [b]quarterly[/b] review"\n')
    (in_tmp / "busy.toml").write_text(text)
    app = make_app(extra=[str(in_tmp / "busy.toml")])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot, in_tmp / "busy.toml")
        board.advance_to(4)
        await pilot.pause()
        people = str(board.query_one("#people").visual)
        assert "in the [b]quarterly[/b] review, until 10:30" in people, "shown literally"
        await pilot.press("p")
        await pilot.pause()
        [option] = app.screen.query_one(OptionList).options
        assert "in the [b]quarterly[/b] review, about 26 min" in str(option.prompt)


async def test_a_risky_action_asks_first_and_can_be_cancelled(in_tmp):
    app = make_app(extra=[str(FIXTURES / "hostile.toml")])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot, "hostile")
        board.advance_to(2)
        await pilot.press("a", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert board.session.run.running_actions() == {}
        await pilot.press("a", "enter")
        await pilot.pause()
        await pilot.press("shift+tab", "y")  # answered with the focus on "Do it"
        await pilot.pause()
        assert "fix" in board.session.run.running_actions()
        await pilot.press("r")  # the next question asks about resolving, nothing of the last
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        shown = " ".join([str(s.visual) for s in dialog.query(Static) if s.display]
                         + [str(b.label) for b in dialog.query(Button)])
        assert "Declare the incident resolved?" in shown and "Declare resolved (y)" in shown
        assert "Do it" not in shown and "Are you sure" not in shown
        assert dialog.focused is dialog.query_one("#no"), "Enter on its own says no"
        await pilot.press("n")
        await pilot.pause()
        assert board.session.run.record().declared == ()


async def test_a_page_dialog_opened_again_offers_the_next_person_who_can_be_paged(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot, "black-friday", seed=7)
        board.advance_to(3)
        people = [p.id for p in board.session.scenario.people]
        assert len(people) >= 2
        await pilot.press("p", "down", "escape", "p")  # looked, closed, opened again: as new
        await pilot.pause()
        assert app.screen.query_one(OptionList).highlighted == 0
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.options[0].disabled and "already paged" in str(options.options[0].prompt)
        assert options.highlighted == 1, "the first person who can still be paged"
        await pilot.press("enter")
        await pilot.pause()
        assert list(board.session.run.record().paged_at) == people[:2]


async def test_the_board_behind_a_dialog_follows_a_resize(in_tmp):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert "Facilitator" not in screen_text(app.screen)[-1], "no room for it at 80 columns"
        await pilot.resize_terminal(110, 32)
        for _ in range(4):
            await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        rows = screen_text(app.screen)
        assert len(rows) == 32 and "f Facilitator" in rows[-1], "the board laid out at 110x32"
