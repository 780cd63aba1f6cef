"""A seat's side of a shared run: the connection to the host, and the run it mirrors.

:class:`RemoteSession` is what a served seat's board drives instead of a local
:class:`~drill.session.GameSession`, with the same interface (``run``, ``record``, ``scenario``,
``card``, ``postmortem``, ``act``, ``advance_to``, ``save``, ``finish``):

- ``act(step)`` sends the step to the host and returns at once with no entries; the host times
  it, attributes it, applies it and broadcasts it, and it comes back as an ``Applied`` message
  that :meth:`RemoteSession.apply` performs on the replica.  A refusal comes back as a
  ``Reply`` the board shows.  So a seat sees its own step exactly when its teammates do.
- ``advance_to`` does nothing: the clock is the host's (``shared_clock`` tells the board not to
  run its own), and ``ClockMoved`` messages move the replica.
- ``save`` does nothing: only the host writes the team's save.

The replica is built from the host's :class:`~drill.serve.protocol.RunInfo` by the same replay
as a save (perform every step, advance to the clock), so it *is* the team's run: the board,
the end screen's scores and the postmortem a seat downloads are computed from it and are the
same as the host's, byte for byte (tests/serve/test_host.py checks this).

This module imports no Textual: the game process's app (drill.serve.seat) calls it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from pathlib import Path
from typing import AsyncIterator, Callable

from ..catalog import ScenarioSource, UnknownScenario
from ..engine.playscript import PlayerAction
from ..engine.simulation import ActionRejected, LogEntry, Run
from ..loading import LoadError
from ..saves import SaveRecord, saved_variant
from ..session import GameSession
from ..tui.clock import GameClock
from . import protocol as p


class OutOfStep(Exception):
    """The replica cannot follow the host (a scenario that changed, a step it refuses)."""


class HostLink:
    """A game process's connection to the host: send requests, read what the host says."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)

    @classmethod
    async def connect(cls, socket_path: str, ticket: str) -> tuple[HostLink, p.Welcome]:
        """Connect, present the ticket, and wait for the Welcome.

        Raises:
            ConnectionError: the host is not there, or turned the ticket down.
        """
        reader, writer = await asyncio.open_unix_connection(socket_path, limit=p.MAX_LINE)
        link = cls(reader, writer)
        link.send(p.Hello(ticket=ticket))
        welcome = await p.read_message(reader)
        if not isinstance(welcome, p.Welcome):
            link.close()
            await link.closed()
            raise ConnectionError("the game day's host did not let this seat in (the link may "
                                  "have been opened twice: reload the page)")
        return link, welcome

    def send(self, message: p.Message) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            self._writer.write(p.encode(message))

    def request(self, make: Callable[[int], p.Message]) -> int:
        """Send a request built with a fresh id; return the id (its Reply carries it)."""
        ident = next(self._ids)
        self.send(make(ident))
        return ident

    async def messages(self) -> AsyncIterator[p.FromHost]:
        """What the host says, until it goes away (a bad line ends it too)."""
        while True:
            try:
                message = await p.read_message(self._reader)
            except p.ProtocolError:
                return
            if message is None:
                return
            yield message

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()

    async def closed(self) -> None:
        """Wait until the connection is closed."""
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()


class RemoteSession(GameSession):
    """A replica of a team's run, for a seat's board (see the module's docstring).

    Args:
        info: the run as the host describes it.
        send: how a step reaches the host (``Act`` on the link).
    """

    shared_clock = True
    """The board must not run a clock of its own: the host's moves this session."""

    def __init__(self, info: p.RunInfo, send: Callable[[PlayerAction], None], *,
                 seat: str = "", team: str = "") -> None:
        try:
            source = ScenarioSource.open(info.reference)
        except (UnknownScenario, LoadError, OSError) as error:
            raise OutOfStep(f"the scenario cannot be opened here: {error}") from None
        if source.sha256 != info.sha256:
            raise OutOfStep("the scenario file changed since the run started")
        record = SaveRecord(scenario_id=source.scenario.meta.id, scenario_hash=info.sha256,
                            scenario_path=info.reference, seed=info.seed, pace=info.pace,
                            players=list(info.players), names=dict(info.names), hints=info.hints,
                            variant=dict(info.variant))
        try:
            variant = saved_variant(source.scenario, record.variant)
        except ValueError as error:
            raise OutOfStep(f"the run's variant does not fit the scenario: {error}") from None
        run = Run(source.compiled, info.seed, info.names, variant)
        super().__init__(source, record, Path(info.save), run=run)
        self._send = send
        self.seat = seat
        self.team = team
        self.clock = GameClock(time=info.clock, pace=info.pace, paused=info.paused)
        self.held = False
        for step in info.steps:
            self._perform(step)
        run.advance_to(info.clock)
        self.record.clock = run.now
        if run.finished_run:
            self._finish_locally()

    def act(self, step: PlayerAction) -> list[LogEntry]:
        """Send the step to the host; it comes back through :meth:`apply` once applied."""
        self._send(step)
        return []

    def advance_to(self, time: float) -> list[LogEntry]:
        """Nothing: the host's clock moves this run (see :meth:`apply`)."""
        return []

    def save(self) -> bool:
        """Nothing to do: the host saves the team's run."""
        return True

    def apply(self, message: p.Applied | p.ClockMoved) -> list[LogEntry]:
        """Follow the host: perform an applied step, or advance to the host's time.  Returns
        the new log entries.  Raises OutOfStep if the replica cannot follow."""
        run = self.run
        if isinstance(message, p.Applied):
            entries = self._perform(message.step)
        else:
            self.clock.pace, self.clock.paused, self.held = (message.pace, message.paused,
                                                             message.held)
            self.record.pace = message.pace
            entries = run.advance_to(message.time)
        self.clock.time = max(self.clock.time, run.now)
        self.record.clock = run.now
        if run.finished_run and self.card is None:
            self._finish_locally()
        return entries

    def _perform(self, step: PlayerAction) -> list[LogEntry]:
        try:
            entries = self.run.perform(step)
        except ActionRejected as refused:
            raise OutOfStep(f"a step the host applied does not replay here: {refused}") from None
        self.record.steps.append(step)
        return entries

    def _finish_locally(self) -> None:
        """Score the ended run and write its postmortem, in memory (the host saves its own)."""
        self.record.finished = True
        self.finish()
