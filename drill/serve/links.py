"""Who plays a game day, and the links that let them in.

A roster is teams of seats: ``red=Ana:commander,Bo:comms,Cy:ops``.  Each seat is one player with
a role (the step's ``by`` is their label, "Ana (commander)", so every action is attributed and
scored per player as in team play around one terminal).  Each seat gets its own link, and the
facilitator one more; a link is the server's public URL and a token from
:func:`secrets.token_urlsafe` (192 bits): unguessable, and the only credential there is.

Tokens are looked up by their SHA-256, never compared character by character, so the time a
lookup takes says nothing about how close a guess was.  They live as long as the server: a new
`drill serve` prints new links.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Iterable, Literal
from urllib.parse import urlsplit

from ..engine.text import escaped, player_label

TOKEN_BYTES = 24
"""Random bytes per token (32 URL-safe characters)."""

TEAM_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,23}$")
"""A team's name: it names the team's saves folder, so nothing that could leave it."""

PLAYER_NAME = re.compile(r"^[^\x00-\x1f\x7f-\x9f,:=()\[\]/\\]{1,30}$")
"""A player's name in a roster: printable, no separator of the roster syntax, no brackets."""

MAX_TEAMS = 12
MAX_SEATS = 8
"""Seats per team: a board for more players than this is a crowd, not a team."""

MAX_LABEL = 60
"""Longest ``Name (role)`` label: what a step's ``by`` may hold."""

DEFAULT_ROLES = ("commander", "comms", "ops")
"""Roles given in turn by ``--teams N --seats M``."""

SEAT_PATH = "/s/"
"""Where a link points: ``{public_url}/s/{token}``."""


class RosterError(ValueError):
    """A roster that cannot be used; the message says which part and why, in one line."""


@dataclass(frozen=True)
class Seat:
    """One player's place at a team's board, or the facilitator's console."""

    team: str
    """The team's name; empty for the facilitator."""
    name: str
    role: str
    """A role id of the scenario; empty for the facilitator."""
    token: str = field(repr=False)
    kind: Literal["seat", "console"] = "seat"

    @property
    def label(self) -> str:
        """The player as steps, the log and the scores name them: ``Ana (commander)``."""
        return player_label(self.name, self.role) if self.kind == "seat" else "facilitator"

    @property
    def key(self) -> str:
        """A stable, non-secret id of the seat (for cookie names and logs): never the token."""
        return token_digest(self.token)[:16]


@dataclass(frozen=True)
class Team:
    """A team of seats that plays one shared run."""

    name: str
    seats: tuple[Seat, ...]

    @property
    def players(self) -> list[str]:
        """The players' labels, in seat order (the run's ``players``)."""
        return [seat.label for seat in self.seats]


@dataclass(frozen=True)
class Roster:
    """Every team, and the facilitator's seat."""

    teams: tuple[Team, ...]
    facilitator: Seat

    def seats(self) -> Iterable[Seat]:
        """Every seat, the facilitator's last."""
        for team in self.teams:
            yield from team.seats
        yield self.facilitator

    def by_token(self, token: str) -> Seat | None:
        """The seat a token opens, or None (looked up by digest: see the module's docstring)."""
        wanted = token_digest(token)
        for seat in self.seats():
            if secrets.compare_digest(token_digest(seat.token), wanted):
                return seat
        return None

    def team(self, name: str) -> Team | None:
        return next((team for team in self.teams if team.name == name), None)


def new_token() -> str:
    """A fresh, unguessable token for a link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """A token's SHA-256 in hex (what lookups compare)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def parse_team(spec: str, roles: Iterable[str]) -> tuple[str, list[tuple[str, str]]]:
    """``red=Ana:commander,Bo:comms`` → ``("red", [("Ana", "commander"), ("Bo", "comms")])``.

    Args:
        spec: one ``--team`` argument.
        roles: the scenario's role ids; every seat must hold one of them.

    Raises:
        RosterError: the spec is malformed, a name is not allowed or a role is unknown.
    """
    known = list(roles)
    name, sep, seats = spec.partition("=")
    name = name.strip()
    if not sep or not seats.strip():
        raise RosterError(f"team '{escaped(spec, 60)}': write it as NAME=PLAYER:ROLE,PLAYER:ROLE")
    if not TEAM_NAME.match(name):
        raise RosterError(f"team '{escaped(name, 40)}': a team name is lower-case letters, "
                          "digits, '-' or '_', starting with a letter, at most 24 characters")
    players: list[tuple[str, str]] = []
    for chunk in seats.split(","):
        player, _, role = chunk.partition(":")
        player, role = player.strip(), role.strip()
        if not PLAYER_NAME.match(player):
            raise RosterError(f"team {name}: player '{escaped(player, 40)}': a name is 1 to 30 "
                              "printable characters without , : = ( ) [ ] / or \\")
        if role not in known:
            raise RosterError(f"team {name}: player {player}: role '{escaped(role, 40)}' is not "
                              f"one of this scenario's roles ({', '.join(known)})")
        if len(player_label(player, role)) > MAX_LABEL:
            raise RosterError(f"team {name}: player {player}: name and role together are longer "
                              f"than {MAX_LABEL} characters")
        players.append((player, role))
    if len(players) > MAX_SEATS:
        raise RosterError(f"team {name}: {len(players)} seats; at most {MAX_SEATS} per team")
    if len({p.casefold() for p, _ in players}) != len(players):
        raise RosterError(f"team {name}: two players have the same name")
    return name, players


def make_roster(specs: Iterable[str], roles: Iterable[str], *, teams: int = 0,
                seats: int = 0) -> Roster:
    """The roster of a game day, each seat with a new token.

    Args:
        specs: ``--team`` arguments (see :func:`parse_team`).
        roles: the scenario's role ids.
        teams: without specs, this many teams (``team-1``, ``team-2``...).
        seats: seats per generated team, named ``Player 1``... with the roles in turn.

    Raises:
        RosterError: a bad spec, duplicate team names, too many teams, or no team at all.
    """
    known = list(roles)
    parsed = [parse_team(spec, known) for spec in specs]
    if not parsed and teams:
        cycle = [r for r in DEFAULT_ROLES if r in known] or known
        parsed = [(f"team-{t}", [(f"Player {s}", cycle[(s - 1) % len(cycle)])
                                 for s in range(1, seats + 1)])
                  for t in range(1, teams + 1)]
    if not parsed:
        raise RosterError("no team: give --team NAME=PLAYER:ROLE,... (once per team), or "
                          "--teams N --seats M")
    if len(parsed) > MAX_TEAMS:
        raise RosterError(f"{len(parsed)} teams; at most {MAX_TEAMS}")
    if any(not players for _, players in parsed) or any(len(p) > MAX_SEATS for _, p in parsed):
        raise RosterError(f"every team needs 1 to {MAX_SEATS} seats")
    names = [name for name, _ in parsed]
    if len(set(names)) != len(names):
        raise RosterError("two teams have the same name")
    return Roster(
        tuple(Team(name, tuple(Seat(name, player, role, new_token())
                               for player, role in players))
              for name, players in parsed),
        Seat("", "Facilitator", "", new_token(), kind="console"),
    )


def link(public_url: str, seat: Seat) -> str:
    """The link a seat's player opens: ``{public_url}/s/{token}``."""
    return f"{public_url.rstrip('/')}{SEAT_PATH}{seat.token}"


def normal_public_url(url: str) -> str:
    """A public URL checked and reduced to ``scheme://host[:port]``.  Raises
    :class:`RosterError` for anything else: the game is served at the root of its host (the
    browser side builds download links from the page's origin, so a path prefix would break
    them)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RosterError(f"public URL '{escaped(url, 80)}': give http(s)://HOST[:PORT]")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise RosterError(f"public URL '{escaped(url, 80)}': no user, query or fragment")
    if parts.path not in ("", "/"):
        raise RosterError(f"public URL '{escaped(url, 80)}': serve drill at the root of a host "
                          "(a name of its own, e.g. https://drill.example.com), not under a path")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise RosterError(f"public URL '{escaped(url, 80)}': bad port") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def origin_of(url: str) -> str:
    """The Origin a browser sends for pages under ``url``: ``scheme://host[:port]``, with the
    default port left out, as browsers do."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"
