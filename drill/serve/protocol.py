"""What a game process and the host say to each other: typed messages, one JSON object a line.

The transport is a Unix socket in a folder only the server's user can open.  A game process is
started by the server for one browser (or `drill join`) connection, with a one-time ticket in its
environment; its first line is :class:`Hello` with that ticket, which tells the host who it is
(a seat of a team, or the facilitator's console).  After that:

- the host answers :class:`Welcome`: the roster the process may see and, for each team with a
  run, a :class:`RunInfo` holding everything needed to rebuild the run (scenario, seed, names,
  every accepted step, the clock), so a late joiner or a reconnecting seat catches up by replay;
- a seat sends :class:`Act` (a step; the host fills in ``at`` and ``by``), the console sends
  :class:`Control`, :class:`StartRun` and :class:`Collect`; each gets a :class:`Reply`;
- the host broadcasts, in the one order it applied them, :class:`Applied` (a step every replica
  must perform), :class:`ClockMoved` (advance to this time), :class:`RunBegan` and
  :class:`Presence`.  A seat receives only its own team's; the console receives every team's.

Every line is validated with pydantic on the way in (a game process is our code, but it is
driven by a player's keyboard, so nothing it sends is trusted: the host sets who acted and when).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..engine.playscript import FacilitatorAct, PlayerAction

MAX_LINE = 8 * 1024 * 1024
"""Longest message, in bytes (a Welcome carries every step of every team's run)."""

SOCKET_ENV = "DRILL_SERVE_SOCKET"
"""Environment variable giving a game process the host's socket path."""
TICKET_ENV = "DRILL_SERVE_TICKET"
"""Environment variable giving a game process its one-time ticket."""

TeamName = Annotated[str, Field(max_length=24)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- from a game process -------------------------------------------------------------------------


class Hello(Message):
    """The first line of a game process: its ticket."""

    type: Literal["hello"] = "hello"
    ticket: str = Field(max_length=100)


class Act(Message):
    """A seat's step.  The host replaces ``at`` (its clock) and ``by`` (the seat's player)."""

    type: Literal["act"] = "act"
    id: int = Field(ge=0)
    step: PlayerAction


class Control(Message):
    """A facilitator act for one team, or every team when ``team`` is empty."""

    type: Literal["control"] = "control"
    id: int = Field(ge=0)
    team: TeamName = ""
    act: FacilitatorAct


class StartRun(Message):
    """Start the run of one team, or of every team still without one (``team`` empty)."""

    type: Literal["start"] = "start"
    id: int = Field(ge=0)
    team: TeamName = ""


class Collect(Message):
    """Gather every team's postmortem and scores into one archive."""

    type: Literal["collect"] = "collect"
    id: int = Field(ge=0)


# -- from the host -------------------------------------------------------------------------------


class RunInfo(Message):
    """Everything a replica needs to be the team's run: it replays ``steps`` on a fresh run of
    the scenario and advances to ``clock``."""

    reference: str = Field(max_length=4096)
    """The scenario, as ``ScenarioSource.open`` takes it (a bundled id or a full path)."""
    sha256: str = Field(max_length=64)
    seed: int
    names: dict[str, str]
    variant: dict[str, Any] = Field(default_factory=dict)
    """What the run drew of what varies, as its save keeps it (empty: nothing varies)."""
    players: list[str]
    hints: bool = False
    steps: list[PlayerAction] = Field(default_factory=list)
    clock: float = 0.0
    pace: float
    paused: bool = False
    save: str = Field(default="", max_length=255)
    """The save's file name in the team's folder (no path: the server's layout stays its own)."""


class TeamInfo(Message):
    """A team as a process may see it."""

    name: TeamName
    players: list[str]
    connected: list[str] = Field(default_factory=list)
    run: RunInfo | None = None
    finished: list[dict[str, object]] = Field(default_factory=list)
    """The team's finished runs (newest first): scenario, started_at, overall, kind."""


class Welcome(Message):
    """The host's answer to :class:`Hello`."""

    type: Literal["welcome"] = "welcome"
    kind: Literal["seat", "console"]
    team: TeamName = ""
    """The seat's team (empty for the console)."""
    player: str = ""
    """The seat's player label (``facilitator`` for the console)."""
    scenario: str = ""
    """The game day's scenario (reference) before any run starts."""
    teams: list[TeamInfo]


class Applied(Message):
    """A step the host accepted: every replica performs it, in this order."""

    type: Literal["applied"] = "applied"
    team: TeamName
    step: PlayerAction


class ClockMoved(Message):
    """The team's clock: advance the replica to ``time``; show the pace and the pause."""

    type: Literal["clock"] = "clock"
    team: TeamName
    time: float
    pace: float
    paused: bool
    held: bool = False
    """Stopped because no seat of the team is connected (not the facilitator's pause)."""


class RunBegan(Message):
    """A team's run began (or a new one replaced the finished one)."""

    type: Literal["started"] = "started"
    team: TeamName
    run: RunInfo


class Presence(Message):
    """Who of a team is connected now."""

    type: Literal["presence"] = "presence"
    team: TeamName
    connected: list[str]


class Reply(Message):
    """The answer to one request: done, or refused with a one-line reason for the player."""

    type: Literal["reply"] = "reply"
    id: int
    ok: bool
    reason: str = ""
    path: str = ""
    """For :class:`Collect`: the archive written."""


ToHost = Annotated[Union[Hello, Act, Control, StartRun, Collect], Field(discriminator="type")]
FromHost = Annotated[Union[Welcome, Applied, ClockMoved, RunBegan, Presence, Reply],
                     Field(discriminator="type")]

_TO_HOST: TypeAdapter[ToHost] = TypeAdapter(ToHost)
_FROM_HOST: TypeAdapter[FromHost] = TypeAdapter(FromHost)


class ProtocolError(Exception):
    """A line that is not a valid message (the connection is closed)."""


def encode(message: Message) -> bytes:
    """One message as a line of JSON (``None`` fields left out)."""
    return message.model_dump_json(exclude_none=True).encode("utf-8") + b"\n"


def decode_to_host(line: bytes) -> ToHost:
    """A line from a game process; raises :class:`ProtocolError` when it is not a message."""
    return _decode(_TO_HOST, line)


def decode_from_host(line: bytes) -> FromHost:
    """A line from the host; raises :class:`ProtocolError` when it is not a message."""
    return _decode(_FROM_HOST, line)


def _decode(adapter: TypeAdapter, line: bytes):  # type: ignore[no-untyped-def]
    try:
        return adapter.validate_json(line)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        raise ProtocolError(f"{where}: {first['msg']}"[:200]) from None
    except (ValueError, RecursionError) as error:
        raise ProtocolError(f"not JSON: {error}"[:200]) from None


async def read_message(reader: asyncio.StreamReader, decode=decode_from_host):  # type: ignore[no-untyped-def]
    """The next message from ``reader``, or None at the end of the stream.

    Raises :class:`ProtocolError` for a bad line or one longer than :data:`MAX_LINE`.
    """
    try:
        line = await reader.readline()
    except (asyncio.LimitOverrunError, ValueError):
        raise ProtocolError(f"a line longer than {MAX_LINE:,} bytes") from None
    except (ConnectionError, asyncio.IncompleteReadError):
        return None
    if not line:
        return None
    if not line.endswith(b"\n"):
        return None  # the stream ended mid-line: the other side went away
    return decode(line)
