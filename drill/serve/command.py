"""`drill serve` and `drill join`, as the command line calls them (the parser is drill.cli's).

`drill serve SCENARIO --team red=Ana:commander,Bo:comms,Cy:ops --team blue=...` checks the
scenario and the roster, locks each team's saves folder (resuming a run left open by a stopped
server), listens (loopback unless ``--public-url`` says where players come from), prints one
link per seat and one for the facilitator, and serves until Ctrl+C or SIGTERM, when every run
is saved.  Every printed name goes through the one sanitiser; player and team names are
checked against a narrow pattern before anything starts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..engine.text import clock_time, one_line
from ..storage import shown

if TYPE_CHECKING:
    from ..catalog import ScenarioSource
    from .host import GameDay
    from .server import ServeConfig

EXIT_OK, EXIT_INVALID = 0, 1


class ServeError(Exception):
    """Why the game day cannot start, in one line."""


def serve(args: argparse.Namespace, source: ScenarioSource, saves_dir: Path, out: TextIO,
          err: TextIO) -> int:
    """Run `drill serve` for ``source`` until interrupted; return the exit code.  Raises
    ServeError (one line) when the game day cannot start."""
    from ..session import default_seed

    try:
        from .host import DayPlan, FolderLocked, GameDay
        from .links import RosterError, make_roster, normal_public_url
        from .server import ServeConfig, public_url_for
    except ImportError as error:
        raise ServeError(f"drill serve needs the serve extra ({error.name} is missing): "
                         "pip install 'drill[serve]'") from None

    roles = [role.id for role in source.scenario.roles]
    try:
        roster = make_roster(args.team or [], roles, teams=args.teams or 0,
                             seats=args.seats or 3)
        # Checked now; with --port 0 the loopback URL is made once the port is known.
        public = normal_public_url(public_url_for(args.host, args.port, args.public_url))
    except (RosterError, ValueError) as error:
        raise ServeError(f"drill serve: {error}") from None
    seed = args.seed if args.seed is not None else default_seed(source.scenario)
    pace = args.pace if args.pace is not None else source.scenario.clock.pace
    plan = DayPlan(source, seed=seed, pace=pace, hints=args.hints)
    day = GameDay(roster, plan, saves_dir)
    try:
        resumed = day.lock_folders()
    except FolderLocked as locked:
        raise ServeError(f"drill serve: {locked}") from None
    except OSError as error:
        raise ServeError(f"drill serve: cannot use {shown(saves_dir)}: "
                         f"{error.strerror or error}") from None
    config = ServeConfig(public_url=public, max_width=args.max_width,
                         max_height=args.max_height)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=err)
    try:
        return asyncio.run(_serve(day, config, args.host, args.port, resumed, out,
                                  derive_url=not args.public_url))
    except OSError as error:
        raise ServeError(f"drill serve: cannot listen on {args.host}:{args.port}: "
                         f"{error.strerror or error}") from None


async def _serve(day: GameDay, config: ServeConfig, host: str, port: int, resumed: list[Path],
                 out: TextIO, derive_url: bool) -> int:
    from .links import normal_public_url
    from .server import GameServer, bound_port, public_url_for, start_server

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(name, stop.set)
    socket_dir = Path(tempfile.mkdtemp(prefix="drill-serve-"))  # 0700: only us
    runner = None
    try:
        await day.open(socket_dir)
        server = GameServer(day.roster, day, config)
        runner = await start_server(server, host, port)
        if derive_url:
            config.public_url = normal_public_url(public_url_for(host, bound_port(runner), None))
        print_links(day, config.public_url, resumed, out)
        await stop.wait()
        print("\ndrill serve: stopping; every run is saved.", file=out, flush=True)
    finally:
        if runner is not None:
            await runner.cleanup()
        await day.close()
        shutil.rmtree(socket_dir, ignore_errors=True)
    return EXIT_OK


def print_links(day: GameDay, public_url: str, resumed: list[Path], out: TextIO) -> None:
    """The links to send, one per seat, and the facilitator's."""
    from .links import link

    plan = day.plan
    scenario = plan.source.scenario
    unit = "minute" if scenario.clock.unit == "minutes" else "day"
    lines = [f"drill serve: {one_line(scenario.meta.title)} ({scenario.meta.id}), seed "
             f"{plan.seed}, {plan.pace:g} s per {unit}; saves in {shown(day.saves_dir)}/TEAM/",
             "", f"  facilitator (keep this one to yourself): {link(public_url, day.roster.facilitator)}"]
    for team in day.roster.teams:
        lines.append(f"  team {team.name}:")
        for seat in team.seats:
            lines.append(f"    {one_line(seat.label):<28} {link(public_url, seat)}")
    for path in resumed:
        host = next(h for h in day.hosts() if h.session and h.session.save_path == path)
        lines.append(f"  resumed team {host.name}'s open run at "
                     f"{clock_time(scenario.clock.unit, host.session.run.now)}, paused: "
                     f"{shown(path)}")
    lines += ["", "Send each player their own link (a link is the only key to its seat). "
              "Ctrl+C stops the game day; every run is saved."]
    print("\n".join(lines), file=out, flush=True)


def join(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run `drill join LINK` in this terminal; return the exit code."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        raise ServeError("drill join needs the serve extra (aiohttp is missing): "
                         "pip install 'drill[serve]'") from None
    from .join import JoinError, join as join_link

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ServeError("drill join needs a terminal (stdin and stdout must be a TTY)")
    try:
        return asyncio.run(join_link(args.link, out, err))
    except JoinError as error:
        raise ServeError(f"drill join: {error}") from None
    except KeyboardInterrupt:
        return 130
