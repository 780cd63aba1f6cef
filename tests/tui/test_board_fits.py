"""What a player needs is on screen at 80x24, by layout: the board, the end screen, the picker;
the board's text follows the run (templates, hints, signals) and survives a resize or a resume."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, Sparkline

from drill.engine.text import number
from drill.session import GameSession, ScenarioSource
from drill.tui.dialogs.update import UpdateDialog, offered_templates
from drill.tui.screens.board import BoardScreen
from drill.tui.widgets.choice import Choice

from .conftest import FIXTURES, FROZEN_START, make_app
from .helpers import (
    black_friday_underway,
    highlight,
    open_board,
    save_a_resolved_tiny_run,
    screen_text,
    settle,
    step,
)

REPO = Path(__file__).resolve().parents[2]


async def black_friday_at_22(pilot) -> BoardScreen:
    """Black Friday at T+22: an update posted, a rollback running, someone paged."""
    board = await black_friday_underway(pilot)
    board.act(step(do="page", person="infra_eng"))
    board.advance_to(22)
    await pilot.pause()
    return board


async def test_the_80x24_board_shows_people_work_owed_signals_feed_and_every_key(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(80, 24)) as pilot:
        board = await black_friday_at_22(pilot)
        text = "\n".join(screen_text(board))
        run = board.session.run
        assert run.status()[1] in text, "the service status, whole"
        for person in run.scenario.people:
            assert run.person_name(person.id) in text, "everyone who can be paged"
        assert "paged," in text and "Roll back t" in text and "left" in text, "work and progress"
        for audience in ("the team", "customers", "management", "support"):
            assert audience in text, f"what is owed to {audience}"
        for signal in run.scenario.signals:
            assert signal.label[:15] in text
        assert "you ▸ started Roll back" in text or "started Roll back" in "".join(
            strip.text for strip in board.query_one("#feed").lines), "a start is in the feed"
        assert "? keys" in text.splitlines()[-1] and "^q Quit" in text.splitlines()[-1]
        # Nothing hidden below the fold: the side column has nothing to scroll to.
        assert board.query_one("#right").max_scroll_y == 0


async def test_at_120x40_the_board_uses_the_room(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(120, 40)) as pilot:
        board = await black_friday_at_22(pilot)
        text = "\n".join(screen_text(board))
        assert "Black Friday message corruption" in text, "the header is back"
        roles = [p.role for p in board.session.scenario.people]
        assert sum(role[:12] in text for role in roles) >= 3, "roles beside the names"
        assert board.query_one(Sparkline).size.height >= 2, "taller graphs"


async def test_the_80x24_end_screen_shows_overall_outcome_and_deductions_and_tab_reaches_both(in_tmp):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(pilot, seed=3)
        board.advance_to(3)
        board.act(step(do="start", action="fix"))
        board.advance_to(50)
        board.act(step(do="resolve"))
        await settle(pilot)
        end = app.screen
        text = "\n".join(screen_text(end))
        assert "Overall" in text and "Outcome" in text
        deductions = end.query_one("#deductions", OptionList)
        assert "deductions, biggest first" in str(deductions.border_title)
        assert deductions.option_count <= deductions.size.height, "every deduction in sight"
        assert app.focused is deductions
        await pilot.press("tab")
        assert app.focused is end.query_one("#postmortem")
        assert "Postmortem: Tiny" in "\n".join(screen_text(end))
        await pilot.press("tab")
        assert app.focused is deductions


async def test_your_best_is_in_sight_in_the_picker_at_80x24(in_tmp):
    save_a_resolved_tiny_run()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await highlight(pilot, "Tiny")
        assert "Your best" in "\n".join(screen_text(app.screen))


async def test_the_feed_rewraps_when_the_terminal_is_resized(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(80, 24)) as pilot:
        board = await black_friday_at_22(pilot)
        feed = board.query_one("#feed")
        narrow = len(feed.lines)
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert len(feed.lines) < narrow, "the same entries on fewer, longer lines"
        assert max(strip.cell_length for strip in feed.lines) > 80


async def test_a_resumed_run_draws_its_signals_from_the_log_not_flat(in_tmp):
    source = ScenarioSource.open("black-friday")
    session = GameSession.start(source, seed=7, pace=8, saves_dir=Path("saves"),
                                started=FROZEN_START)
    session.advance_to(25)
    session.save()
    app = make_app(extra=[])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # continue the run
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        errors = board.query_one("#signal-0", Sparkline).data
        assert len(errors) > 20 and min(errors) < max(errors), "the incident as it went"


async def test_signals_show_their_own_decimals(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(100, 30)) as pilot:
        board = await black_friday_at_22(pilot)
        run = board.session.run
        for index, signal in enumerate(run.scenario.signals):
            shown = str(board.query_one(f"#signal-value-{index}").visual).strip()
            assert shown == f"{number(run.value(signal.var), signal.decimals)}{signal.unit}"
            assert "." not in shown, "counts and percentages here are whole"


async def test_update_templates_never_say_what_the_board_has_not_shown(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(100, 30)) as pilot:
        board = await black_friday_at_22(pilot)
        record = board.session.run.record()
        assert [t.name for t in offered_templates(record)] == ["Acknowledge"], \
            "no cause seen, no rollback finished: nothing else to say"
        await pilot.press("u")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, UpdateDialog)
        assert not dialog.query_one("#rollback-row").display, "no rollback has finished yet"
        await pilot.press("escape")
        board.advance_to(26)  # the rollback finished at T+24, and the crash loop went on
        await pilot.pause()
        names = [t.name for t in offered_templates(board.session.run.record())]
        assert "Rollback did not fix it" in names
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.query_one("#rollback-row").display, "shown once the rollback finished"
        template = app.screen.query_one("#template", Choice)
        assert [value for _, value in template.options] == names, "the templates of this moment"
        template.value = "Rollback did not fix it"
        await pilot.pause()
        assert app.screen.query_one("#rollback-insufficient").value


async def test_hints_are_shown_only_for_actions_on_offer(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_board(pilot, "black-friday", seed=7)
        board.advance_to(1)
        await pilot.press("h")
        await pilot.pause()
        shown = "\n".join(str(option.prompt) for option in board.query_one("#actions").options)
        offered = {a.id for a in board.session.run.available_actions()}
        for action in board.session.scenario.actions:
            if action.hint:
                assert (action.hint in shown) == (action.id in offered), action.id


async def test_with_many_things_owed_everyone_who_can_be_paged_stays_in_sight(in_tmp):
    """s3-us-east-1 at T+33 with nothing sent: seven things owed, seven people."""
    app = make_app(extra=[])
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(pilot, "s3-us-east-1", seed=5)
        board.advance_to(33)
        await pilot.pause()
        text = "\n".join(screen_text(board))
        run = board.session.run
        for person in run.scenario.people:
            assert run.person_name(person.id) in text
        assert "more, " in text and "late" in text, "what is not listed is counted"
        assert board.query_one("#right").max_scroll_y == 0


def test_what_is_owed_to_an_audience_whose_channel_is_down_says_so():
    from drill.engine.rules import owed
    from drill.engine.scenario import Scenario
    from drill.engine.simulation import CompiledScenario, Run
    from drill.loading import load_scenario
    from drill.tui.widgets.panels import owed_parts

    data = load_scenario(FIXTURES / "tiny.toml").model_dump()
    data["comms"]["audiences"] = {"customers": {
        "weight": 1, "first_by": 5, "every": 30, "down_when": "not done.banner"}}
    data["actions"] = [*data["actions"], {"id": "banner", "label": "Post a banner",
                                          "duration": 2}]
    run = Run(CompiledScenario.build(Scenario.model_validate(data)), 1, {})
    run.advance_to(4)
    [item] = [i for i in owed(run.record(), run.now) if i.audience == "customers"]
    assert owed_parts(run, item)[2].endswith(", channel down")
    assert owed_parts(run, item, wide=True)[2].endswith(
        "(channel down: an update will not reach them)")


async def test_a_dialog_leaves_a_paused_clock_paused(in_tmp):
    now = [100.0]
    app = make_app(monotonic=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        board = await open_board(pilot)
        now[0] += 2
        board.tick()
        await pilot.press("space")  # the player pauses
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        now[0] += 30
        board.tick()
        assert board.clock.paused and board.session.run.now == 2, "still paused after the dialog"
        await pilot.press("space")
        now[0] += 1
        board.tick()
        assert board.session.run.now == 3, "and it goes on from where it was when resumed"


async def test_with_many_deductions_the_highlighted_one_is_shown_whole_at_80x24(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(pilot, "s3-us-east-1", seed=5)
        board.advance_to(46)
        await pilot.press("f", "up", "enter")  # the facilitator ends the run
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        end = app.screen
        text = "\n".join(screen_text(end))
        assert "Overall" in text
        deductions = end.query_one("#deductions", OptionList)
        assert deductions.option_count > deductions.size.height, "more than fit: the list scrolls"
        # The highlighted deduction in full, down to the last words of its norm.
        last_words = " ".join(end.deductions[0].norm.split()[-3:])
        assert last_words in " ".join(" ".join(text.split("\n")[-6:]).split())


def assert_thumb_right(feed, when: str) -> None:
    """The feed's scrollbar thumb shows how long the feed is, how much of it shows and where."""
    bar = feed.vertical_scrollbar
    shown = (bar.window_virtual_size, bar.window_size, bar.position)
    assert shown == (len(feed.lines), feed.scrollable_content_region.height, feed.scroll_y), when


async def test_the_feed_shows_its_newest_line_as_soon_as_it_arrives(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(80, 24)) as pilot:
        board = await black_friday_at_22(pilot)
        feed = board.query_one("#feed")
        assert feed.max_scroll_y > 0, "more lines than the feed shows at 80x24"
        for minute in range(23, 40):
            board.advance_to(minute)
            await pilot.pause()
            assert feed.scroll_y == feed.max_scroll_y, f"T+{minute}: scrolled to the newest"
            assert_thumb_right(feed, f"T+{minute}")
        await pilot.resize_terminal(100, 30)  # re-wraps the feed
        await pilot.pause()
        assert feed.scroll_y == feed.max_scroll_y, "after a resize: still at the newest"
        assert_thumb_right(feed, "after a resize")
        await pilot.pause()
        last = feed.lines[-1].text.strip()
        assert last and any(last in row for row in screen_text(board)), "the newest line shows"
