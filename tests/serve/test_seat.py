"""A served seat's game and the facilitator's console, driven with Pilot against a real host.

The host (GameDay) runs in the test's event loop on its real Unix socket; the app under test is
the game process's app (ServedApp) with its ticket; teammates and the facilitator are fake
connections (tests/serve/test_host.py's FakeSeat) when the app is not them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from textual.widgets import OptionList

from drill.catalog import ScenarioSource
from drill.engine.playscript import FacilitatorAct
from drill.serve import protocol as p
from drill.serve.host import DayPlan, GameDay
from drill.serve.links import make_roster
from drill.serve.seat import NoticeScreen, ServedApp
from drill.tui.app import Settings

from .test_host import FakeSeat

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
async def day(tmp_path):
    roster = make_roster(["red=Ana:commander,Bo:comms", "blue=Cy:ops"], ["commander", "comms",
                                                                        "ops"])
    source = ScenarioSource.open(str(FIXTURES / "tiny.toml"))
    game_day = GameDay(roster, DayPlan(source, seed=3, pace=1.0), tmp_path / "saves")
    game_day.lock_folders()
    socket_dir = tmp_path / "sock"
    socket_dir.mkdir(mode=0o700)
    await game_day.open(socket_dir, tick=None)
    game_day.fakes = []  # type: ignore[attr-defined]
    yield game_day
    for fake in game_day.fakes:  # type: ignore[attr-defined]
        await fake.leave()
    await game_day.close()


def app_for(day: GameDay, seat) -> ServedApp:
    return ServedApp(str(day.socket_path), day.ticket_for(seat),
                     Settings(saves_dir=Path("must-never-be-read"), tick=None))


async def settle(pilot, condition, what: str) -> None:
    async def check() -> bool:
        await pilot.pause()
        return bool(condition())

    for _ in range(400):
        if await check():
            return
    raise AssertionError(f"{what} never happened (screens: {pilot.app.screen_stack})")


async def test_a_seat_waits_in_the_lobby_then_plays_on_the_shared_board(day):
    ana, bo = day.roster.team("red").seats
    teammate = await FakeSeat.join(day, bo)
    facilitator = await FakeSeat.join(day, day.roster.facilitator)
    app = app_for(day, ana)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "LobbyScreen", "the lobby")
        text = str(app.screen.query_one("#lobby-text").render())
        assert "You are Ana (commander), in team red." in text
        assert "Bo (comms)  connected" in text
        facilitator.request(lambda i: p.StartRun(id=i, team="red"))
        await settle(pilot, lambda: type(app.screen).__name__ == "BoardScreen", "the board")
        board = app.screen
        assert board.sub_title == "playing: Ana (commander)"
        day.tick_all(3.0)  # the alert at T+2 makes the fix possible
        await settle(pilot, lambda: board.session.run.now == 3.0, "the host's clock")
        await pilot.press("a", "enter")  # start the highlighted action: the fix
        host = day.teams["red"]
        await settle(pilot, lambda: host.session.record.steps, "the step at the host")
        step = host.session.record.steps[0]
        assert (step.do, step.by, step.at) == ("start", "Ana (commander)", 3.0)
        await settle(pilot, lambda: teammate.session.run.record().log == host.session.run.record().log
                     and board.session.run.record().log == host.session.run.record().log,
                     "the same log everywhere")
        # The clock, the pace and the facilitator's panel are the facilitator's.
        await pilot.press("space", "plus", "f")
        assert not board.clock.paused and board.clock.pace == 1.0
        assert type(app.screen).__name__ == "BoardScreen"
        assert not board.check_action("facilitate", ())
        assert not any("Facilitator" in c.title for c in board.palette_commands())


async def test_the_end_offers_the_postmortem_and_leads_back_to_the_lobby(day, monkeypatch):
    ana = day.roster.team("red").seats[0]
    facilitator = await FakeSeat.join(day, day.roster.facilitator)
    app = app_for(day, ana)
    delivered = []
    monkeypatch.setattr(app, "deliver_text", lambda file, **kw: delivered.append(
        (file.read(), kw["save_filename"])))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "LobbyScreen", "the lobby")
        facilitator.request(lambda i: p.StartRun(id=i, team="red"))
        await settle(pilot, lambda: type(app.screen).__name__ == "BoardScreen", "the board")
        facilitator.request(lambda i: p.Control(id=i, team="red", act=FacilitatorAct(
            do="facilitate", at=0, act="end")))
        await settle(pilot, lambda: type(app.screen).__name__ == "EndScreen", "the end screen")
        assert not app.screen.check_action("compare", ())  # no listing of the server's saves
        await pilot.press("d")
        saved = day.teams["red"].session.save_path
        assert delivered == [(saved.with_suffix(".md").read_text(encoding="utf-8"),
                              f"{saved.stem}-postmortem.md")]
        await pilot.press("escape")
        await settle(pilot, lambda: type(app.screen).__name__ == "LobbyScreen", "the lobby")
        assert "Your run has ended" in str(app.screen.query_one("#lobby-text").render())
    assert not Path("must-never-be-read").exists()


async def test_a_reconnecting_seat_comes_back_to_the_board_where_the_run_is(day):
    ana = day.roster.team("red").seats[0]
    day.teams["red"].start_run()
    teammate = await FakeSeat.join(day, day.roster.team("red").seats[1])
    day.tick_all(7.5)
    app = app_for(day, ana)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "BoardScreen", "the board")
        assert app.screen.session.run.now == 7.5
        assert teammate.session is not None


async def test_a_seat_without_a_host_says_so(day):
    app = ServedApp(str(day.socket_path), "not-a-ticket", Settings(tick=None))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, NoticeScreen)
                     and "Could not join" in app.screen.text, "the notice")


async def test_the_console_starts_pauses_and_collects_every_team(day, monkeypatch):
    red = await FakeSeat.join(day, day.roster.team("red").seats[0])
    blue = await FakeSeat.join(day, day.roster.team("blue").seats[0])
    app = app_for(day, day.roster.facilitator)
    delivered = []
    monkeypatch.setattr(app, "deliver_binary", lambda path, **kw: delivered.append(path))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "ConsoleScreen", "the console")
        console = app.screen
        await pilot.press("s")  # "All teams" is selected: every team starts
        await settle(pilot, lambda: red.session and blue.session, "both runs")
        day.tick_all(4.0)
        await pilot.press("space")
        await settle(pilot, lambda: red.session.clock.paused and blue.session.clock.paused,
                     "the pause reaching both teams")
        for host in day.teams.values():
            assert [(s.act, s.at) for s in host.session.record.steps] == [("pause", 4.0)]
        teams = console.query_one("#console-teams", OptionList)
        teams.highlighted = 1  # red
        await pilot.pause()
        console._dirty = True
        console.redraw()
        detail = str(console.query_one("#console-detail-text").render())
        assert "Team red" in detail and "Hidden truth" in detail and "A bad deploy." in detail
        assert "T+4, paused" in detail
        await pilot.press("f")  # the facilitator panel, for red only
        await settle(pilot, lambda: type(app.screen).__name__ == "FacilitatorDialog", "panel")
        acts = app.screen.query_one("#acts", OptionList)
        end = next(i for i, o in enumerate(acts.options) if o.id == "end")
        acts.highlighted = end
        await pilot.press("enter")
        await settle(pilot, lambda: red.session.run.finished_run, "red's end")
        assert not blue.session.run.finished_run
        await pilot.press("d")
        await settle(pilot, lambda: delivered, "the archive")
        with zipfile.ZipFile(delivered[0]) as archive:
            assert "red/postmortem.md" in archive.namelist()
