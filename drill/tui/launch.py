"""Command-line entry to the TUI: `drill`, `drill play SCENARIO`, `drill resume [SAVE]`.

Bad input is reported here, before the screen is taken over: a scenario that does not load or a
save that cannot be resumed gives a message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ..saves import SAVES_ENV, default_saves_dir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drill", description="Play incident drills in the terminal.")
    parser.add_argument("--saves-dir", type=Path, default=None,
                        help=f"where runs are saved (default: ${SAVES_ENV} or ./saves)")
    sub = parser.add_subparsers(dest="command")
    play = sub.add_parser("play", help="start a scenario directly")
    play.add_argument("scenario", metavar="SCENARIO", help="a bundled scenario id or a .toml path")
    play.add_argument("--seed", type=int, default=None)
    play.add_argument("--pace", type=float, default=None,
                      help="real seconds per scenario minute (or day)")
    play.add_argument("--saves-dir", type=Path, default=None, dest="saves_dir_sub")
    resume = sub.add_parser("resume", help="continue a saved run (default: the newest unfinished)")
    resume.add_argument("save", nargs="?", type=Path, default=None)
    resume.add_argument("--saves-dir", type=Path, default=None, dest="saves_dir_sub")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the TUI's arguments, check them, and run the app; return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    extra = [a for a in arguments if a.endswith(".toml") and not arguments[:1] == ["play"]]
    arguments = [a for a in arguments if a not in extra]
    try:
        args = _parser().parse_args(arguments)
    except SystemExit as exit_request:
        return exit_request.code if isinstance(exit_request.code, int) else 2
    saves_dir = getattr(args, "saves_dir_sub", None) or args.saves_dir or default_saves_dir()
    from .app import Settings

    settings = Settings(saves_dir=saves_dir, extra_scenarios=extra)
    if args.command == "play":
        from ..loading import LoadError
        from ..session import ScenarioSource

        try:
            ScenarioSource.open(args.scenario)
        except (LoadError, LookupError, OSError) as error:
            print(error, file=sys.stderr)
            return 1
        if args.seed is not None and args.seed < 0 or args.pace is not None and args.pace <= 0:
            print("drill play: --seed must be 0 or more and --pace above 0", file=sys.stderr)
            return 2
        settings.play, settings.seed, settings.pace = args.scenario, args.seed, args.pace
    elif args.command == "resume":
        from ..saves import SaveError
        from ..session import GameSession
        from .listing import save_cards

        path = args.save
        if path is None:
            open_runs = [c for c in save_cards(saves_dir) if not c.finished and not c.problem]
            if not open_runs:
                print(f"drill resume: no unfinished run in {saves_dir}", file=sys.stderr)
                return 1
            path = open_runs[0].path
        try:
            GameSession.resume(path)
        except SaveError as error:
            print(error, file=sys.stderr)
            return 1
        settings.resume = path
    from .app import DrillApp

    DrillApp(settings).run()
    return 0
