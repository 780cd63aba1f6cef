"""Playing through the TUI with the keyboard: picker, set-up, briefing, board, dialogs, end."""

from __future__ import annotations

import json
from pathlib import Path

from textual.message import Message
from textual.widgets import OptionList, Static

from drill.session import GameSession, ScenarioSource
from drill.tui.dialogs.confirm import ConfirmDialog
from drill.tui.messages import DialogRequested
from drill.tui.screens.board import BoardScreen
from drill.tui.screens.briefing import BriefingScreen
from drill.tui.screens.end import EndScreen
from drill.tui.screens.picker import PickerScreen

from .conftest import FIXTURES, FROZEN_START, make_app
from .helpers import highlight, open_board, pick, settle, start_run, step


def feed_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen.query_one("#feed").lines)


async def test_picker_lists_and_describes_scenarios(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        prompts = [str(o.prompt) for o in app.screen.query_one("#choices", OptionList).options]
        assert any(p.strip() == "Tiny" for p in prompts)
        await highlight(pilot, "Tiny")
        details = str(app.screen.query_one("#details", Static).visual)
        for expected in ("A tiny test scenario.", "tests", "minutes (an outage)", "easy", "about 5 min"):
            assert expected in details


async def test_a_scenario_broken_past_its_header_is_marked_before_anyone_chooses_it(in_tmp):
    from .conftest import FIXTURES

    broken = (FIXTURES / "tiny.toml").read_text().replace('title = "Tiny"', 'title = "Broken"')
    broken = broken.replace("[[people]]\n", "[[people]]\nshoe_size = 44\n", 1)
    (in_tmp / "broken.toml").write_text(broken)
    app = make_app(extra=[str(FIXTURES / "tiny.toml"), str(in_tmp / "broken.toml")])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        prompts = [str(o.prompt) for o in app.screen.query_one("#choices", OptionList).options]
        assert any("✗ Broken" in p and "cannot be played" in p for p in prompts)
        assert any(p.strip() == "Tiny" for p in prompts), "the valid one is untouched"
        await highlight(pilot, "Broken  (cannot be played)")
        details = str(app.screen.query_one("#details", Static).visual)
        assert "shoe_size: unknown key" in details and "broken.toml:" in details
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen), "it cannot be started"


async def test_setup_then_briefing_then_board(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pick(pilot, "Tiny")
        app.screen.query_one("#seed").value = "7"
        app.screen.query_one("#start").press()
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        briefing = str(app.screen.query_one("#briefing").children[0].visual)
        assert "Things break." in briefing and "You are on call." in briefing
        assert "Ops" in briefing  # who can be paged
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert app.screen.session.record.seed == 7
        saves = list(Path("saves").glob("*.json"))
        assert len(saves) == 1, "a run is saved as soon as it starts"


async def test_a_whole_run_by_key_presses_ends_with_a_postmortem_on_disk(in_tmp):
    app = make_app()
    seen: dict[int, Message] = {}  # a message bubbling from a screen to the app is seen twice
    async with app.run_test(size=(100, 30), message_hook=lambda m: seen.setdefault(id(m), m)) as pilot:
        await pilot.pause()
        await start_run(pilot, "Tiny")
        board = app.screen
        board.advance_to(3)
        await pilot.pause()
        assert "Errors up" in feed_text(app)
        await pilot.press("a", "enter")  # start the only action: fix
        await pilot.pause()
        assert "fix" in board.session.run.running_actions()
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("enter")  # page the highlighted (only) person
        await pilot.pause()
        assert "ops" in board.session.run.record().paged_at
        await pilot.press("u")
        await pilot.pause()
        await pilot.press(*"All down", "ctrl+s")
        await pilot.pause()
        assert [u.step.audience for u in board.session.run.record().updates] == ["support"]
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"10", "tab", *"40", "enter")
        await pilot.pause()
        estimate = board.session.run.record().estimates[0].step
        assert (estimate.low, estimate.high, estimate.milestone) == (10, 40, "fixed")
        board.advance_to(60)
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, EndScreen)
        scores = str(app.screen.query_one("#scores", Static).visual)
        assert "Fixed" in scores and "Overall" in scores
        postmortems = list(Path("saves").glob("*.md"))
        assert len(postmortems) == 1
        assert "Tiny" in postmortems[0].read_text()
        save = json.loads(next(Path("saves").glob("*.json")).read_text())
        assert save["finished"] is True
        assert [step["do"] for step in save["steps"]] == ["start", "page", "update", "estimate", "resolve"]
        overall = app.screen.session.card.overall
        assert save["result"]["kind"] == "resolved"
        assert save["result"]["overall"] == round(overall, 1)
        # Back at the picker, the scenario shows the player's best run to beat.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await highlight(pilot, "Tiny")
        details = str(app.screen.query_one("#details", Static).visual)
        assert f"Your best   {overall:.0f} overall (resolved, seed" in details
        assert "Played to the end 1 time." in details
    # The screens said what happened; the app did the navigating.
    flow = [type(m).__name__ for m in seen.values() if type(m).__module__ == "drill.tui.messages"]
    dialogs = [type(m.dialog).__name__ for m in seen.values() if isinstance(m, DialogRequested)]
    assert flow == ["ScenarioChosen", "RunStarted", *["DialogRequested"] * 4, "RunEnded",
                    "BackToPicker"]
    assert dialogs == ["PageDialog", "UpdateDialog", "EstimateDialog", "ConfirmDialog"]


async def test_declaring_resolved_too_early_is_shown_and_the_run_goes_on(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        board.advance_to(5)
        await pilot.press("r", "y")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert "Declared resolved, but it is not over" in feed_text(app)


async def test_the_clock_runs_at_the_pace_pauses_and_changes_speed(in_tmp):
    now = [100.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        assert board.clock.pace == 1.0  # the fixture's clock.pace
        now[0] += 3.0
        board.tick()
        assert board.session.run.now == 3.0
        await pilot.press("space")
        now[0] += 10.0
        board.tick()
        assert board.session.run.now == 3.0, "a paused clock does not move"
        assert "PAUSED" in str(board.query_one("#clockbar", Static).visual)
        await pilot.press("space", "minus")
        assert board.clock.pace == 2.0
        now[0] += 4.0
        board.tick()
        assert board.session.run.now == 5.0


async def test_quitting_during_a_run_asks_first_and_keeps_the_save(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        board.advance_to(12)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen), "cancelling keeps playing"
        await pilot.press("ctrl+p", *"quit", "enter")  # the palette's Quit asks too
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.is_running
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    save = json.loads(next(Path("saves").glob("*.json")).read_text())
    assert save["finished"] is False and save["clock"] == 12


async def test_continue_from_the_picker_restores_the_run(in_tmp):
    session = GameSession.start(ScenarioSource.open(str(FIXTURES / "tiny.toml")), seed=1, pace=1,
                                saves_dir=Path("saves"), started=FROZEN_START)
    session.advance_to(3)
    session.act(step(do="start", action="fix", at=3))
    session.advance_to(25)
    session.save()
    log_before = session.run.record().log
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        choices = app.screen.query_one("#choices", OptionList)
        assert "Continue a run" in str(choices.options[0].prompt)
        await pilot.press("enter")  # the first entry is the run to continue
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert app.screen.clock.paused, "a resumed run waits for the player"
        assert app.screen.session.run.record().log == log_before


async def test_a_damaged_save_is_reported_and_the_others_stay_listed(in_tmp):
    Path("saves").mkdir()
    Path("saves/broken.json").write_text('{"format": "drill-save", "version": 1, "scen')
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        problems = str(app.screen.query_one("#picker-problems", Static).visual)
        assert "broken.json" in problems and "damaged" in problems.lower()
        prompts = [str(o.prompt).strip() for o in app.screen.query_one("#choices", OptionList).options]
        assert "Tiny" in prompts


async def test_the_command_palette_offers_board_actions(in_tmp):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await open_board(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"page", "enter")
        await pilot.pause()
        from drill.tui.dialogs.page import PageDialog

        assert isinstance(app.screen, PageDialog)


async def test_the_board_works_in_every_theme_and_without_colour(in_tmp, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.no_color, "Textual renders monochrome when NO_COLOR is set"
        board = await open_board(pilot)
        board.advance_to(12)
        for theme in ("nord", "gruvbox", "textual-light", "tokyo-night"):
            app.theme = theme
            await pilot.pause()
        # Without colour the board still says in words what its colours say.
        clock_bar = str(app.screen.query_one("#clockbar", Static).visual)
        assert "Operational" in clock_bar
        owed = str(app.screen.query_one("#promises", Static).visual)
        assert "late" in owed


async def test_a_bundled_scenario_from_the_picker_to_its_postmortem_by_keys_alone(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        choices = app.screen.query_one("#choices", OptionList)
        while "Black Friday" not in str(choices.options[choices.highlighted].prompt):
            await pilot.press("down")
        await pilot.press("enter")  # the picker
        await settle(pilot)
        await pilot.press("enter")  # the set-up dialog, with its defaults
        await pilot.pause()
        await pilot.press("enter")  # the briefing
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("u", *"Search 500s", "ctrl+s")
        await pilot.pause()
        await pilot.press("p", "enter")  # page the first person listed
        await pilot.pause()
        await pilot.press("f")  # the facilitator ends the drill
        await pilot.pause()
        await pilot.press("up", "enter")
        await pilot.pause()
        await pilot.press("y")  # ending the run asks first
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, EndScreen)
        [postmortem] = Path("saves").glob("black-friday-*.md")
        text = postmortem.read_text()
        assert text.startswith("# Postmortem: Black Friday message corruption")
        assert "Search 500s" in text
        assert "The facilitator ended the run." in text


async def test_a_failed_save_shows_on_the_clock_line_and_is_retried_until_it_works(in_tmp):
    now = [100.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        board = await open_board(pilot)
        session = board.session
        write, disk_full, attempts = session.save, [True], []

        def save() -> None:  # what GameSession.save does: it records a failure, never raises
            attempts.append(now[0])
            session.save_error = "No space left on device" if disk_full[0] else None
            if not disk_full[0]:
                write()

        session.save = save
        await pilot.press("space")  # pausing saves
        clock_line = board.query_one("#clockbar", Static)
        assert "Not saved: No space left on device (retrying)" in str(clock_line.visual)
        now[0] += 1
        board.tick()
        assert len(attempts) == 1, "not retried at every tick"
        now[0] += 1.5
        board.tick()
        assert len(attempts) == 2
        disk_full[0] = False
        now[0] += 2
        board.tick()
        assert len(attempts) == 3 and "Not saved" not in str(clock_line.visual)
        assert isinstance(app.screen, BoardScreen) and app.is_running


async def test_a_local_copy_of_a_bundled_scenario_is_listed_once_and_says_so(in_tmp):
    Path("scenarios").mkdir()
    bundled = Path(__file__).resolve().parents[2] / "scenarios" / "black-friday.toml"
    Path("scenarios/black-friday.toml").write_text(bundled.read_text().replace(
        'title = "Black Friday message corruption"', 'title = "Black Friday, our version"'))
    app = make_app(extra=[])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        prompts = [str(o.prompt).strip() for o in app.screen.query_one("#choices", OptionList).options]
        assert "Black Friday, our version" in prompts
        assert "Black Friday message corruption" not in prompts, "listed once, the local one"
        await highlight(pilot, "Black Friday, our version")
        details = str(app.screen.query_one("#details", Static).visual)
        assert "in place of the bundled scenario of the same id" in details
