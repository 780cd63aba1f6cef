"""The host of a game day, driven by fake seats over its real Unix socket.

Each fake seat is what a seat's game process does without the screen: it connects with its
ticket, keeps a RemoteSession (the replica) up to date from what the host sends, and sends steps.
The clock is moved by the test (``tick_all``), never by real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import zipfile
from pathlib import Path

import pytest

from drill.catalog import ScenarioSource
from drill.engine.playscript import FacilitatorAct, Page, PostUpdate, StartAction
from drill.saves import read_save
from drill.serve import protocol as p
from drill.serve.host import DayPlan, FolderLocked, GameDay
from drill.serve.links import make_roster
from drill.serve.remote_session import HostLink, RemoteSession

FIXTURES = Path(__file__).parent.parent / "fixtures"
WAIT = 10.0
"""Seconds before a wait gives up: a guard against a hang, not a timing assertion."""


class FakeSeat:
    """A seat's game process without its screen."""

    def __init__(self, link: HostLink, welcome: p.Welcome) -> None:
        self.link = link
        self.welcome = welcome
        self.messages: list[p.FromHost] = []
        self.replies: dict[int, p.Reply] = {}
        self.session: RemoteSession | None = None
        info = welcome.teams[0].run if welcome.kind == "seat" else None
        if info is not None:
            self.session = RemoteSession(info, self.send_step)
        self._task = asyncio.create_task(self._read())

    @classmethod
    async def join(cls, day: GameDay, seat) -> "FakeSeat":
        link, welcome = await HostLink.connect(str(day.socket_path), day.ticket_for(seat))
        fake = cls(link, welcome)
        day.fakes.append(fake)  # type: ignore[attr-defined]
        return fake

    def send_step(self, step) -> None:
        self.link.request(lambda ident: p.Act(id=ident, step=step))

    def request(self, make) -> int:
        return self.link.request(make)

    async def _read(self) -> None:
        async for message in self.link.messages():
            self.messages.append(message)
            if isinstance(message, p.Reply):
                self.replies[message.id] = message
            elif isinstance(message, p.RunBegan) and self.welcome.kind == "seat":
                self.session = RemoteSession(message.run, self.send_step)
            elif isinstance(message, (p.Applied, p.ClockMoved)) and self.session is not None:
                self.session.apply(message)

    async def reply(self, ident: int) -> p.Reply:
        await until(lambda: ident in self.replies)
        return self.replies[ident]

    async def leave(self) -> None:
        self.link.close()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self.link.closed()


async def until(condition, what: str = "the condition") -> None:
    """Let the event loop run until ``condition()`` holds (fails after WAIT seconds)."""
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    try:
        await asyncio.wait_for(wait(), WAIT)
    except asyncio.TimeoutError:
        raise AssertionError(f"{what} never happened") from None


@pytest.fixture
def source() -> ScenarioSource:
    return ScenarioSource.open(str(FIXTURES / "tiny.toml"))


@pytest.fixture
async def day(tmp_path, source):
    roster = make_roster(["red=Ana:commander,Bo:comms", "blue=Cy:commander"],
                         ["commander", "comms", "ops"])
    game_day = GameDay(roster, DayPlan(source, seed=7, pace=1.0), tmp_path / "saves")
    game_day.lock_folders()
    socket_dir = tmp_path / "sock"
    socket_dir.mkdir(mode=0o700)
    await game_day.open(socket_dir, tick=None)
    game_day.fakes = []  # type: ignore[attr-defined]
    yield game_day
    for fake in game_day.fakes:  # type: ignore[attr-defined]
        await fake.leave()
    await game_day.close()


def seat(day: GameDay, team: str, index: int):
    return day.roster.team(team).seats[index]


async def started(day: GameDay, *teams: str) -> None:
    for team in teams:
        day.teams[team].start_run()


async def test_two_seats_share_one_run_in_one_order(day):
    ana = await FakeSeat.join(day, seat(day, "red", 0))
    bo = await FakeSeat.join(day, seat(day, "red", 1))
    cy = await FakeSeat.join(day, seat(day, "blue", 0))
    await started(day, "red")
    await until(lambda: ana.session and bo.session, "the run reaching both seats")
    day.tick_all(3.0)  # the alert fires at T+2
    ana.send_step(Page(do="page", at=0, person="ops", by="someone else"))
    bo.send_step(PostUpdate(do="update", at=0, audience="support", impact="errors"))
    host = day.teams["red"]
    await until(lambda: len(host.session.record.steps) == 2, "both steps applied")
    steps = host.session.record.steps
    # The host decides who acted and when: a seat cannot speak for someone else.
    assert [(s.do, s.by, s.at) for s in steps] == [("page", "Ana (commander)", 3.0),
                                                   ("update", "Bo (comms)", 3.0)]
    day.tick_all(2.5)
    host_log = host.session.run.record().log
    await until(lambda: ana.session.run.now == bo.session.run.now == host.session.run.now)
    assert ana.session.run.record().log == host_log
    assert bo.session.run.record().log == host_log
    # The other team saw nothing of it: not a step, not a clock, not who is connected.
    assert day.teams["blue"].session is None
    assert [team.name for team in cy.welcome.teams] == ["blue"]
    assert {getattr(m, "team", "blue") for m in cy.messages} == {"blue"}


async def test_a_late_joiner_catches_up_by_replay(day):
    ana = await FakeSeat.join(day, seat(day, "red", 0))
    await started(day, "red")
    await until(lambda: ana.session is not None)
    day.tick_all(3.0)
    ana.send_step(StartAction(do="start", at=0, action="fix"))
    host = day.teams["red"]
    await until(lambda: len(host.session.record.steps) == 1)
    day.tick_all(12.0)
    await until(lambda: ana.session.run.now == host.session.run.now == 15.0)
    bo = await FakeSeat.join(day, seat(day, "red", 1))
    assert bo.session is not None
    assert bo.session.run.now == 15.0
    assert bo.session.run.record().log == host.session.run.record().log
    assert bo.session.run.value("fixed") == 1  # the work in progress, replayed


async def test_a_seat_cannot_act_as_the_facilitator_or_before_the_start(day):
    ana = await FakeSeat.join(day, seat(day, "red", 0))
    early = ana.request(lambda i: p.Act(id=i, step=Page(do="page", at=0, person="ops")))
    assert (await ana.reply(early)).reason == "the run has not started yet"
    await started(day, "red")
    await until(lambda: ana.session is not None)
    sneaky = ana.request(lambda i: p.Act(id=i, step=FacilitatorAct(do="facilitate", at=0,
                                                                    act="end")))
    assert (await ana.reply(sneaky)).reason == "only the facilitator can do that"
    control = ana.request(lambda i: p.Control(id=i, act=FacilitatorAct(do="facilitate", at=0,
                                                                       act="pause")))
    assert (await ana.reply(control)).reason == "only the facilitator can do that"
    console = await FakeSeat.join(day, day.roster.facilitator)
    stray = console.request(lambda i: p.Act(id=i, step=Page(do="page", at=0, person="ops")))
    assert not (await console.reply(stray)).ok
    assert not day.teams["red"].session.run.finished_run
    assert not day.teams["red"].clock.paused


async def test_the_engine_refusal_reaches_the_seat_and_nobody_else(day):
    ana = await FakeSeat.join(day, seat(day, "red", 0))
    bo = await FakeSeat.join(day, seat(day, "red", 1))
    await started(day, "red")
    await until(lambda: ana.session and bo.session)
    # The fix needs the alert first (T+2).
    ident = ana.request(lambda i: p.Act(id=i, step=StartAction(do="start", at=0, action="fix")))
    reply = await ana.reply(ident)
    assert not reply.ok and "not possible right now" in reply.reason
    assert not any(isinstance(m, p.Reply) for m in bo.messages)
    assert day.teams["red"].session.record.steps == []


async def test_a_ticket_opens_one_connection_once(day):
    ticket = day.ticket_for(seat(day, "red", 0))
    link, welcome = await HostLink.connect(str(day.socket_path), ticket)
    assert welcome.player == "Ana (commander)"
    with pytest.raises(ConnectionError):
        await HostLink.connect(str(day.socket_path), ticket)
    with pytest.raises(ConnectionError):
        await HostLink.connect(str(day.socket_path), "made-up")
    link.close()
    await link.closed()


async def test_a_disconnect_saves_the_clock_and_an_empty_team_holds_it(day):
    ana = await FakeSeat.join(day, seat(day, "red", 0))
    await started(day, "red")
    host = day.teams["red"]
    day.tick_all(3.7)
    assert host.session.run.now == pytest.approx(3.7)
    await ana.leave()
    await until(lambda: host.held, "the seat's departure")
    # The reload-rewinds-time bug: the save must hold where the clock was.
    assert read_save(host.session.save_path).clock == pytest.approx(3.7)
    day.tick_all(10.0)
    assert host.session.run.now == pytest.approx(3.7)  # nobody there: the clock waits
    bo = await FakeSeat.join(day, seat(day, "red", 1))
    assert bo.session.run.now == pytest.approx(3.7)
    day.tick_all(1.0)
    assert host.session.run.now == pytest.approx(4.7)


async def test_the_facilitator_pauses_every_team_and_it_is_in_each_timeline(day):
    console = await FakeSeat.join(day, day.roster.facilitator)
    assert [team.name for team in console.welcome.teams] == ["red", "blue"]
    red = await FakeSeat.join(day, seat(day, "red", 0))
    blue = await FakeSeat.join(day, seat(day, "blue", 0))
    start = console.request(lambda i: p.StartRun(id=i))
    assert (await console.reply(start)).ok
    await until(lambda: red.session and blue.session)
    day.tick_all(2.0)
    pause = console.request(lambda i: p.Control(
        id=i, act=FacilitatorAct(do="facilitate", at=0, act="pause")))
    assert (await console.reply(pause)).ok
    day.tick_all(30.0)
    for name, fake in (("red", red), ("blue", blue)):
        host = day.teams[name]
        assert host.session.run.now == 2.0
        assert [(s.do, s.by, s.at) for s in host.session.record.steps] == [
            ("facilitate", "facilitator", 2.0)]
        await until(lambda: fake.session.clock.paused, "the pause reaching the seat")
        assert any(e.text == "The facilitator paused the clock." for e in
                   fake.session.run.record().log)
    again = console.request(lambda i: p.Control(
        id=i, act=FacilitatorAct(do="facilitate", at=0, act="pause")))
    reply = await console.reply(again)
    assert not reply.ok and "already paused" in reply.reason


async def test_a_seat_downloads_the_same_postmortem_the_host_saved(day):
    console = await FakeSeat.join(day, day.roster.facilitator)
    ana = await FakeSeat.join(day, seat(day, "red", 0))
    await started(day, "red")
    await until(lambda: ana.session is not None)
    day.tick_all(3.0)
    ana.send_step(PostUpdate(do="update", at=0, audience="support", impact="errors",
                             next_update=10))
    inject = console.request(lambda i: p.Control(
        id=i, team="red", act=FacilitatorAct(do="facilitate", at=0, act="hint",
                                             text="Who else knows this system?")))
    assert (await console.reply(inject)).ok
    end = console.request(lambda i: p.Control(
        id=i, team="red", act=FacilitatorAct(do="facilitate", at=0, act="end")))
    assert (await console.reply(end)).ok
    host = day.teams["red"]
    await until(lambda: ana.session.run.finished_run, "the end reaching the seat")
    saved = host.session.save_path.with_suffix(".md").read_text(encoding="utf-8")
    assert ana.session.postmortem == saved
    assert "Who else knows this system?" in saved
    assert read_save(host.session.save_path).finished


async def test_a_restarted_server_resumes_each_open_run_paused(tmp_path, source, day):
    ana = await FakeSeat.join(day, seat(day, "red", 0))
    await started(day, "red")
    day.tick_all(3.0)
    ana.send_step(Page(do="page", at=0, person="ops"))
    host = day.teams["red"]
    await until(lambda: len(host.session.record.steps) == 1)
    day.tick_all(1.5)
    with pytest.raises(FolderLocked):
        GameDay(day.roster, day.plan, tmp_path / "saves").lock_folders()
    await day.close()
    again = GameDay(day.roster, day.plan, tmp_path / "saves")
    resumed = again.lock_folders()
    try:
        assert resumed == [host.session.save_path]
        red = again.teams["red"]
        assert red.clock.paused and red.session.run.now == pytest.approx(4.5)
        assert [s.do for s in red.session.record.steps] == ["page"]
        assert again.teams["blue"].session is None
    finally:
        await again.close()


async def test_collect_gathers_every_postmortem_and_score(day):
    console = await FakeSeat.join(day, day.roster.facilitator)
    start = console.request(lambda i: p.StartRun(id=i))
    await console.reply(start)
    end = console.request(lambda i: p.Control(
        id=i, act=FacilitatorAct(do="facilitate", at=0, act="end")))
    assert (await console.reply(end)).ok
    collect = console.request(lambda i: p.Collect(id=i))
    reply = await console.reply(collect)
    assert reply.ok
    with zipfile.ZipFile(reply.path) as archive:
        names = set(archive.namelist())
        scores = json.loads(archive.read("scores.json"))
    assert {"scores.md", "scores.json", "comparison.txt", "red/postmortem.md",
            "blue/postmortem.md"} <= names
    assert [row["team"] for row in scores] == ["red", "blue"]
    assert all(row["state"] == "finished" for row in scores)
