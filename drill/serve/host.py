"""The authority of a game day: one run per team, one clock per team, one order of steps.

A run is a function of its scenario, seed and timed steps.  So the host does not share a board:
it shares the *steps*.  Each team has one :class:`TeamHost` that owns the team's
:class:`~drill.session.GameSession` (the only writer of the team's save), runs its clock, gives
every step from a seat its time and its player, applies it, and broadcasts it; every seat's game
process performs the same steps on its own replica and is, step for step, the same run
(:mod:`drill.serve.remote_session`).  A seat that joins late or reconnects gets every step so
far in its :class:`~drill.serve.protocol.Welcome` and replays them.

What the host guarantees:

- **Attribution.**  A step's ``by`` is the seat's player, ``at`` the team's clock; a seat cannot
  act for someone else, in the past, or as the facilitator.
- **One writer per save.**  Each team's saves live in a folder of its own (``SAVES/TEAM/``),
  locked with ``flock`` while the server runs: a second `drill serve` on the same folder is
  refused, and game processes never open a save.  A new save is created exclusively
  (``GameSession.start``).
- **No lost time.**  The clock is saved every few units, whenever a seat disconnects, and when
  the server stops; a team with nobody connected is *held* (its clock waits, which changes
  nothing in the run, since the run only sees scenario time).  A server restarted on the same
  folder resumes each team's open run, paused for the facilitator to resume.
- **The facilitator's acts are steps** (``FacilitatorAct``): pause, pace, injects, hints, messages
  and the end land in the timeline and the postmortem exactly as at one terminal.

This module imports neither Textual nor aiohttp: the game day can be driven by tests alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import logging
import math
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .. import storage
from ..catalog import ScenarioSource
from ..engine.playscript import FACILITATOR, FacilitatorAct, PlayerAction
from ..engine.simulation import ActionRejected
from ..saves import SaveError, read_save
from ..session import GameSession
from ..tui.clock import GameClock
from . import protocol as p
from .links import Roster, Seat, Team

log = logging.getLogger("drill.serve")

TICK = 0.25
"""Real seconds between clock ticks."""
QUIET_BROADCAST = 1.0
"""Real seconds between clock messages while nothing happens and the clock's whole unit stays
the same: every seat repaints its board on each one (20 seats at 4 a second kept this 2-core
machine busy; bench/serve.py).  Anything that happens is sent at the tick it happens."""
SAVE_EVERY = 5.0
"""Scenario units between saves of the clock (steps are saved at once)."""
MAX_STEPS = 10_000
"""Steps a served run accepts (what a play script may hold)."""
TICKET_LIFE = 120.0
"""Real seconds a game process has to present its ticket."""
MAX_BUFFER = 4 * 1024 * 1024
"""Bytes waiting to be sent to one game process before it is considered stuck and dropped."""


class Refused(Exception):
    """A request the host will not do; the message is one line for the player."""


@dataclass(frozen=True)
class DayPlan:
    """What every team plays: the game day's scenario and how runs start."""

    source: ScenarioSource
    seed: int
    pace: float
    hints: bool = False


class Connection:
    """One game process connected to the host, for one seat or the console."""

    def __init__(self, seat: Seat, writer: asyncio.StreamWriter) -> None:
        self.seat = seat
        self._writer = writer
        self.closed = False

    def send(self, message: p.Message) -> None:
        """Queue a message; a process that stopped reading is dropped, never waited for."""
        if self.closed:
            return
        try:
            self._writer.write(p.encode(message))
        except (ConnectionError, RuntimeError):
            self.close()
            return
        transport = self._writer.transport
        if transport is not None and transport.get_write_buffer_size() > MAX_BUFFER:
            log.warning("dropping %s: it stopped reading", self.seat.label)
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                self._writer.close()


class TeamHost:
    """One team's run: its session and save, its clock, its seats.

    Args:
        team: the team.
        folder: the team's own saves folder (created; locked by :class:`GameDay`).
        plan: the scenario and the settings runs start with.
        consoles: the facilitator consoles connected now (they receive every broadcast).
    """

    def __init__(self, team: Team, folder: Path, plan: DayPlan,
                 consoles: set[Connection] | None = None) -> None:
        self.team = team
        self.folder = folder
        self.plan = plan
        self.session: GameSession | None = None
        self.clock = GameClock(pace=plan.pace)
        self.seats: set[Connection] = set()
        self.consoles = consoles if consoles is not None else set()
        self._saved_at = 0.0
        self._quiet = 0.0
        """Real seconds since the last clock message."""

    # -- what others read ----------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.team.name

    @property
    def held(self) -> bool:
        """Whether the clock waits because no seat of the team is connected."""
        return not self.seats

    @property
    def live(self) -> bool:
        """Whether the team has a run that has not ended."""
        return self.session is not None and not self.session.run.finished_run

    def connected(self) -> list[str]:
        """The players connected now, in seat order."""
        here = {connection.seat.label for connection in self.seats}
        return [player for player in self.team.players if player in here]

    def run_info(self) -> p.RunInfo | None:
        """Everything a replica needs to be this run (None before the first run)."""
        session = self.session
        if session is None:
            return None
        record = session.record
        return p.RunInfo(
            reference=record.scenario_path or record.scenario_id, sha256=record.scenario_hash,
            seed=record.seed, names=dict(record.names), variant=dict(record.variant),
            players=list(record.players),
            hints=record.hints, steps=list(record.steps), clock=session.run.now,
            pace=self.clock.pace, paused=self.clock.paused, save=session.save_path.name)

    def info(self) -> p.TeamInfo:
        return p.TeamInfo(name=self.name, players=self.team.players, connected=self.connected(),
                          run=self.run_info(), finished=finished_runs(self.folder))

    def clock_message(self) -> p.ClockMoved:
        now = self.session.run.now if self.session is not None else 0.0
        return p.ClockMoved(team=self.name, time=now, pace=self.clock.pace,
                            paused=self.clock.paused, held=self.held)

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, started: dt.datetime | None = None) -> None:
        """Start a new run of the day's scenario, unless one is going.  Raises Refused."""
        if self.live:
            raise Refused(f"team {self.name} is already playing")
        plan = self.plan
        try:
            self.session = GameSession.start(
                plan.source, seed=plan.seed, pace=plan.pace, saves_dir=self.folder,
                players=self.team.players, hints=plan.hints, started=started)
        except OSError as error:
            raise Refused(f"team {self.name}: cannot create the save: "
                          f"{error.strerror or error}") from None
        self.clock = GameClock(pace=plan.pace)
        self._saved_at = 0.0
        info = self.run_info()
        assert info is not None
        self.broadcast(p.RunBegan(team=self.name, run=info))
        self.broadcast(self.clock_message())

    def resume_open_run(self) -> Path | None:
        """Resume the newest unfinished run of the day's scenario in the team's folder, paused;
        return its save, or None.  A save that does not replay is skipped (and logged)."""
        for _, path in sorted(storage.regular_files(self.folder, ".json"), reverse=True):
            try:
                record = read_save(path, steps=False)
                if record.finished or record.scenario_hash != self.plan.source.sha256:
                    continue
                session = GameSession.resume(path)
            except SaveError as error:
                log.warning("skipped %s", error)
                continue
            if session.record.players != self.team.players:
                continue  # another roster's run
            self.session = session
            self.clock = GameClock(time=session.run.now, pace=session.record.pace, paused=True)
            self._saved_at = session.run.now
            return path
        return None

    # -- acts --------------------------------------------------------------------------------

    def act(self, seat: Seat, step: PlayerAction) -> None:
        """A seat's step, timed by the team's clock and attributed to the seat's player;
        applied, saved and broadcast.  Raises Refused with the reason."""
        if seat.kind != "seat" or seat.team != self.name:
            raise Refused("this seat is not in this team")
        if step.do == "facilitate":
            raise Refused("only the facilitator can do that")
        self._apply(step, seat.label)

    def facilitate(self, act: FacilitatorAct) -> None:
        """A facilitator act, recorded as a step, and its effect on the clock.  Raises Refused
        (no run, ended, or nothing to do: pausing a paused clock)."""
        if act.act == "pause" and self.clock.paused:
            raise Refused(f"team {self.name}: the clock is already paused")
        if act.act == "resume" and not self.clock.paused:
            raise Refused(f"team {self.name}: the clock is running")
        if act.act == "pace" and act.pace == self.clock.pace:
            raise Refused(f"team {self.name}: the pace is already {act.pace:g} s")
        self._apply(act, FACILITATOR)
        if act.act in ("pause", "resume"):
            self.clock.paused = act.act == "pause"
        elif act.act == "pace" and act.pace is not None:
            self.clock.pace = act.pace
            assert self.session is not None
            self.session.record.pace = act.pace
        if act.act == "pause" and self.session is not None:
            self.save()
        self.broadcast(self.clock_message())

    def _apply(self, step: PlayerAction, by: str) -> None:
        session = self.session
        if session is None:
            raise Refused("the run has not started yet")
        if session.run.finished_run:
            raise Refused("the run has ended")
        if len(session.record.steps) >= MAX_STEPS:
            raise Refused(f"this run already has {MAX_STEPS:,} steps")
        run = session.run
        # As the board does: two decimals, rounded up so a step never lands in the past.
        at = math.ceil(max(run.now, self.clock.time) * 100) / 100
        timed = step.model_copy(update={"at": at, "by": by})
        try:
            session.act(timed)
        except ActionRejected as refused:
            raise Refused(str(refused)) from None
        self.clock.time = max(self.clock.time, run.now)
        self._saved_at = run.now
        self.broadcast(p.Applied(team=self.name, step=timed))

    # -- the clock -------------------------------------------------------------------------

    def tick(self, real_seconds: float) -> None:
        """Move the clock by ``real_seconds`` of real time (nothing when paused, held, ended)."""
        if not self.live or self.clock.paused or self.held:
            return
        session = self.session
        assert session is not None
        before = session.run.now
        target = self.clock.advance(real_seconds)
        entries = session.advance_to(target)
        self._quiet += real_seconds
        if (entries or math.floor(session.run.now) != math.floor(before)
                or self._quiet >= QUIET_BROADCAST):
            self._quiet = 0.0
            self.broadcast(self.clock_message())
        if not session.run.finished_run and session.run.now - self._saved_at >= SAVE_EVERY:
            self.save()

    def save(self) -> None:
        """Save the run and where its clock is (a failure is logged; the next save retries)."""
        if self.session is None:
            return
        if not self.session.save():
            log.error("team %s: %s", self.name, self.session.save_error)
        self._saved_at = self.session.run.now

    # -- seats ---------------------------------------------------------------------------------

    def join(self, connection: Connection) -> None:
        """A seat's game process arrived (the Welcome is already sent)."""
        was_held = self.held
        self.seats.add(connection)
        self.broadcast(p.Presence(team=self.name, connected=self.connected()))
        if was_held and self.session is not None:
            self.broadcast(self.clock_message())

    def leave(self, connection: Connection) -> None:
        """A seat's game process went away: save the clock; hold it if nobody is left."""
        if connection not in self.seats:
            return
        self.seats.discard(connection)
        self.save()
        self.broadcast(p.Presence(team=self.name, connected=self.connected()))
        if self.held and self.session is not None:
            self.broadcast(self.clock_message())

    def broadcast(self, message: p.Message) -> None:
        """Send to every seat of the team and every console, in the order of calls."""
        for connection in (*self.seats, *self.consoles):
            connection.send(message)


def finished_runs(folder: Path, limit: int = 10) -> list[dict[str, object]]:
    """The newest finished runs in a team's folder, as the lobby lists them."""
    found: list[dict[str, object]] = []
    for _, path in sorted(storage.regular_files(folder, ".json"), reverse=True):
        try:
            record = read_save(path, steps=False)
        except SaveError:
            continue
        if record.finished:
            found.append({"scenario": record.scenario_id, "started_at": record.started_at,
                          "overall": record.result.get("overall"),
                          "kind": record.result.get("kind", "")})
        if len(found) >= limit:
            break
    return found


class FolderLocked(Exception):
    """A team's saves folder is in use by another `drill serve`."""


class GameDay:
    """Every team's host, the facilitator's consoles, and the socket game processes use.

    Args:
        roster: the teams and seats.
        plan: the scenario and how runs start.
        saves_dir: where each team's folder goes (``SAVES/TEAM/``).
        monotonic: the real-time source of the clocks (tests pass their own).
    """

    def __init__(self, roster: Roster, plan: DayPlan, saves_dir: Path,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.roster = roster
        self.plan = plan
        self.saves_dir = saves_dir
        self.consoles: set[Connection] = set()
        self.teams = {team.name: TeamHost(team, saves_dir / team.name, plan, self.consoles)
                      for team in roster.teams}
        self._tickets: dict[str, tuple[Seat, float]] = {}
        self._monotonic = monotonic
        self._locks: list[int] = []
        self._server: asyncio.base_events.Server | None = None
        self._clock_task: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.socket_path: Path | None = None

    # -- opening and closing -------------------------------------------------------------

    def lock_folders(self) -> list[Path]:
        """Create and lock every team's folder; resume their open runs.  Returns the saves
        resumed.  Raises FolderLocked when another server holds a folder."""
        resumed = []
        for host in self.teams.values():
            host.folder.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(host.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                raise FolderLocked(f"{storage.shown(host.folder)} is in use by another "
                                   "drill serve") from None
            self._locks.append(descriptor)
            path = host.resume_open_run()
            if path is not None:
                resumed.append(path)
        return resumed

    async def open(self, socket_dir: Path, tick: float | None = TICK) -> Path:
        """Listen on ``socket_dir/host.sock`` (the folder must be private to this user) and
        start the clocks, ticking every ``tick`` real seconds (None: only :meth:`tick_all`
        moves them, as tests do).  Returns the socket's path."""
        self.socket_path = socket_dir / "host.sock"
        self._server = await asyncio.start_unix_server(
            self._handle, path=str(self.socket_path), limit=p.MAX_LINE)
        os.chmod(self.socket_path, 0o600)
        if tick is not None:
            self._clock_task = asyncio.create_task(self._run_clocks(tick))
        return self.socket_path

    async def close(self) -> None:
        """Save every run, stop the clocks and drop every connection."""
        if self._clock_task is not None:
            self._clock_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._clock_task
        for host in self.teams.values():
            host.save()
            for connection in list(host.seats):
                connection.close()
        for connection in list(self.consoles):
            connection.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for task in list(self._handlers):
            task.cancel()
        for descriptor in self._locks:
            os.close(descriptor)
        self._locks.clear()

    # -- tickets ---------------------------------------------------------------------------

    def ticket_for(self, seat: Seat) -> str:
        """A one-time ticket for the game process about to be started for ``seat``."""
        now = self._monotonic()
        self._tickets = {t: v for t, v in self._tickets.items() if v[1] > now}
        ticket = secrets.token_urlsafe(24)
        self._tickets[ticket] = (seat, now + TICKET_LIFE)
        return ticket

    def _redeem(self, ticket: str) -> Seat | None:
        entry = self._tickets.pop(ticket, None)
        if entry is None or entry[1] < self._monotonic():
            return None
        return entry[0]

    # -- connections -----------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        connection: Connection | None = None
        try:
            hello = await asyncio.wait_for(p.read_message(reader, p.decode_to_host), 30)
            seat = self._redeem(hello.ticket) if isinstance(hello, p.Hello) else None
            if seat is None:
                return
            connection = Connection(seat, writer)
            self._welcome(connection)
            while True:
                message = await p.read_message(reader, p.decode_to_host)
                if message is None or connection.closed:
                    break
                try:
                    reply = self.handle(seat, message)
                except Exception:  # noqa: BLE001 - a bug in one request must not drop the seat
                    log.exception("%s: a request failed", seat.label)
                    reply = p.Reply(id=getattr(message, "id", 0), ok=False,
                                    reason="the game day's host failed to do that (see its log)")
                connection.send(reply)
        except (p.ProtocolError, asyncio.TimeoutError) as error:
            log.warning("closing a game process's connection: %s", error)
        except asyncio.CancelledError:
            pass
        finally:
            if connection is not None:
                self._farewell(connection)
                connection.close()
            else:
                writer.close()
            if task is not None:
                self._handlers.discard(task)

    def _welcome(self, connection: Connection) -> None:
        seat = connection.seat
        scenario = self.plan.source.reference
        if seat.kind == "console":
            connection.send(p.Welcome(kind="console", player=seat.label, scenario=scenario,
                                      teams=[host.info() for host in self.teams.values()]))
            self.consoles.add(connection)
            return
        host = self.teams[seat.team]
        connection.send(p.Welcome(kind="seat", team=seat.team, player=seat.label,
                                  scenario=scenario, teams=[host.info()]))
        host.join(connection)

    def _farewell(self, connection: Connection) -> None:
        self.consoles.discard(connection)
        seat = connection.seat
        if seat.kind == "seat":
            self.teams[seat.team].leave(connection)

    def handle(self, seat: Seat, message: p.ToHost) -> p.Reply:
        """Do what one message asks, for ``seat``; the reply says whether it was done."""
        request = getattr(message, "id", 0)
        try:
            if isinstance(message, p.Act):
                if seat.kind != "seat":
                    raise Refused("the console acts on teams with controls, not steps")
                self.teams[seat.team].act(seat, message.step)
                return p.Reply(id=request, ok=True)
            if seat.kind != "console":
                raise Refused("only the facilitator can do that")
            if isinstance(message, p.Control):
                done = self._for_teams(message.team, lambda host: host.facilitate(message.act))
                return p.Reply(id=request, ok=True, reason=done)
            if isinstance(message, p.StartRun):
                done = self._for_teams(message.team, lambda host: host.start_run())
                return p.Reply(id=request, ok=True, reason=done)
            if isinstance(message, p.Collect):
                from .collect import write_archive

                path = write_archive(self.saves_dir, self.plan.source, list(self.teams.values()))
                return p.Reply(id=request, ok=True, path=str(path))
            raise Refused("that cannot be asked twice")
        except Refused as refused:
            return p.Reply(id=request, ok=False, reason=str(refused))
        except OSError as error:
            return p.Reply(id=request, ok=False, reason=f"cannot write: {error.strerror or error}")

    def _for_teams(self, team: str, do: Callable[[TeamHost], None]) -> str:
        """Do something for one team (Refused passes through) or for every team (skipping
        those it does not apply to; Refused only when none).  Returns what was skipped."""
        if team:
            host = self.teams.get(team)
            if host is None:
                raise Refused(f"there is no team {team!r}")
            do(host)
            return ""
        reasons, done = [], 0
        for host in self.teams.values():
            try:
                do(host)
                done += 1
            except Refused as refused:
                reasons.append(str(refused))
        if not done:
            raise Refused("; ".join(reasons) or "there is no team")
        return "; ".join(reasons)

    def hosts(self) -> Iterable[TeamHost]:
        return self.teams.values()

    # -- the clocks ------------------------------------------------------------------------

    async def _run_clocks(self, tick: float) -> None:
        last = self._monotonic()
        while True:
            await asyncio.sleep(tick)
            now = self._monotonic()
            self.tick_all(now - last)
            last = now

    def tick_all(self, real_seconds: float) -> None:
        """Move every team's clock (a failure in one team is logged, never stops the others)."""
        for host in self.teams.values():
            try:
                host.tick(real_seconds)
            except Exception:  # noqa: BLE001 - one team's bug must not stop the game day
                log.exception("team %s: the clock failed", host.name)
