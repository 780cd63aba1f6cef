"""The `drill` command: the TUI by default, and headless commands for scripts and CI.

    drill [FILE.toml ...]      start the TUI's picker (with these scenario files listed)
    drill play SCENARIO        start a scenario in the TUI [--seed N] [--pace S]
    drill resume [SAVE]        continue a saved run in the TUI (default: the newest good one)
    drill list                 the scenarios this installation can find
    drill run SCENARIO --script FILE [--seed N] [--json] [--postmortem FILE]
    drill validate PATH...     check scenario files, with file:line: field: message problems
    drill check | new | compare | schema   see `drill COMMAND --help`
    drill serve SCENARIO --team NAME=PLAYER:ROLE,...   a remote game day: a link per seat
    drill join LINK            play a served seat in this terminal

One parser reads every command; ``--saves-dir DIR`` works before or after the command and the
scenario file.  Bad input (a missing or malformed file, an unknown id, a damaged save) is
reported on stderr with exit code 1, never as a traceback; usage errors exit 2; Ctrl-C exits 130.
Every string that comes from a file (a key, a title, a path inside a save) is sanitised or
quoted visibly before it is printed: nothing from a file drives the terminal.  The TUI needs a
terminal: without one it exits 2 at once, pointing to the headless commands.

Only the standard library is imported up front: pydantic, the engine and Textual are imported by
the command that needs them, so `drill --help` and `drill validate` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Sequence, TextIO

from . import __version__
from .engine.text import clean, one_line
from .saves import SAVES_ENV, default_saves_dir
from .storage import shown

if TYPE_CHECKING:
    from .catalog import ScenarioSource
    from .engine.scorecard import ScoreCard
    from .engine.record import RunRecord
    from .tui.app import Settings

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

NO_TERMINAL = (
    "drill: the game needs a terminal (stdin and stdout must be a TTY), and this is not one. "
    "Without a terminal, use the headless commands: drill list, drill run SCENARIO --script FILE, "
    "drill validate, drill check, drill compare (see drill --help)."
)


class InputError(Exception):
    """Bad input from the user: each line of ``lines`` is printed on stderr, exit code 1."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


# -- argument parsing --------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, with its error messages (which quote arguments) made safe to print."""

    def error(self, message: str) -> NoReturn:
        super().error(clean(message))


def _saves_dir_option() -> argparse.ArgumentParser:
    """``--saves-dir``, declared once and accepted before or after the command."""
    option = _Parser(add_help=False)
    # SUPPRESS: a subcommand that is not given the option must not reset what came before it.
    option.add_argument("--saves-dir", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                        help=f"where runs are saved (default: ${SAVES_ENV} or ./saves)")
    return option


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `drill` and all its subcommands, the TUI's included."""
    saves_dir = _saves_dir_option()
    parser = _Parser(
        prog="drill", parents=[saves_dir],
        description="A terminal tabletop game for practising outages. With no command, starts "
        "the game; `drill FILE.toml ...` starts it with these scenario files in the picker.",
    )
    parser.add_argument("--version", action="version", version=f"drill {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    play = commands.add_parser("play", parents=[saves_dir], help="play a scenario in the TUI",
                               description="Start a scenario directly in the terminal UI.")
    play.add_argument("scenario", metavar="SCENARIO", help="a bundled scenario id or a .toml file")
    play.add_argument("--seed", type=_seed, metavar="N", help="seed (default: one per scenario)")
    play.add_argument("--pace", type=_pace, metavar="SECONDS",
                      help="real seconds per scenario minute (or day); default: the scenario's")

    resume = commands.add_parser(
        "resume", parents=[saves_dir], help="resume a saved run in the TUI",
        description="Continue a saved run in the terminal UI. Without SAVE, the newest "
        "unfinished run that can be resumed (damaged saves are skipped, and named).")
    resume.add_argument("save", nargs="?", type=Path, metavar="SAVE",
                        help="a save file (default: the newest unfinished run)")

    commands.add_parser("list", help="list the scenarios drill can find")

    run = commands.add_parser("run", help="play a scenario headless from a play script")
    run.add_argument("scenario", metavar="SCENARIO", help="a scenario id or a .toml file")
    run.add_argument("--script", required=True, metavar="FILE", help="the play script (.toml)")
    run.add_argument("--seed", type=_seed, metavar="N", help="seed (default: the script's)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--postmortem", metavar="FILE", help="write the Markdown postmortem here")

    validate = commands.add_parser("validate", help="check scenario files for mistakes")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="scenario files")

    upgrade = commands.add_parser(
        "upgrade", help="rewrite format-1 scenario files in the current format",
        description="Rewrite scenario files written before format versions (format 1) in the "
        "current format, keeping their comments and layout, and print each change.")
    upgrade.add_argument("paths", nargs="+", metavar="FILE", help="scenario files")
    upgrade.add_argument("--check", action="store_true",
                         help="change nothing; say what would change (exit 1 if any file would)")

    check = commands.add_parser(
        "check", help="play a scenario many times with automatic strategies and report problems")
    check.add_argument("scenario", metavar="SCENARIO", help="a scenario id or a .toml file")
    check.add_argument("--runs", type=_runs, default=1000, metavar="N",
                       help="runs per strategy (default 1000)")
    check.add_argument("--strategy", action="append", metavar="NAME",
                       choices=("random", "greedy", "cautious", "explorer", "silent-greedy",
                                "oracle", "off-communication", "off-help", "off-rollback",
                                "off-estimates", "ritual", "scripts", "silent"),
                       help="random, greedy, cautious, explorer, silent-greedy, oracle, "
                       "off-communication, off-help, off-rollback, off-estimates, ritual or "
                       "scripts (default: all); repeatable")
    check.add_argument("--script", action="append", default=[], metavar="FILE",
                       help="a play script for the scripts strategy (default: the shipped ones)")
    check.add_argument("--jobs", type=_runs, default=None, metavar="N",
                       help="worker processes (default: every core)")
    check.add_argument("--json", action="store_true", help="print one JSON object")

    new = commands.add_parser("new", help="write a starter scenario to edit")
    new.add_argument("id", metavar="ID", help="the new scenario's id (lower-case, digits, - and _)")
    new.add_argument("--dir", default="scenarios", metavar="DIR",
                     help="where to write ID.toml (default: ./scenarios)")
    new.add_argument("--force", action="store_true", help="replace an existing file")

    compare = commands.add_parser("compare", help="saved runs of one scenario side by side")
    compare.add_argument("saves", nargs="+", metavar="SAVE", help="save files (saves/*.json)")
    compare.add_argument("--unfinished", action="store_true", help="include runs still going")
    compare.add_argument("--json", action="store_true", help="print one JSON object")

    serve = commands.add_parser(
        "serve", parents=[saves_dir], help="serve a remote game day: one link per player",
        description="Serve a scenario to teams in browsers (or terminals, with drill join): "
        "each team plays one shared run, each player from their own link; the facilitator's "
        "link opens the console. Loopback only unless --public-url says where players come "
        "from (behind a TLS proxy: docs/facilitator.md).")
    serve.add_argument("scenario", metavar="SCENARIO", help="a bundled scenario id or a .toml file")
    serve.add_argument("--team", action="append", metavar="NAME=PLAYER:ROLE,...",
                       help="a team and its seats, e.g. red=Ana:commander,Bo:comms,Cy:ops "
                       "(repeat for each team)")
    serve.add_argument("--teams", type=_count(1, 12), metavar="N",
                       help="without --team: N teams of --seats players each")
    serve.add_argument("--seats", type=_count(1, 8), metavar="M",
                       help="seats per team with --teams (default 3)")
    serve.add_argument("--seed", type=_seed, metavar="N", help="seed (default: one per scenario)")
    serve.add_argument("--pace", type=_pace, metavar="SECONDS",
                       help="real seconds per scenario minute (or day); default: the scenario's")
    serve.add_argument("--hints", action="store_true", help="show hints under actions")
    serve.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                       help="address to listen on (default 127.0.0.1; any other needs "
                       "--public-url)")
    serve.add_argument("--port", type=_count(0, 65535), default=8000, metavar="PORT",
                       help="port to listen on (default 8000)")
    serve.add_argument("--public-url", metavar="URL",
                       help="the address players open, e.g. https://drill.example.com (the TLS "
                       "proxy's)")
    serve.add_argument("--max-width", type=_count(40, 1000), default=240, metavar="CELLS",
                       help="widest terminal a player may ask for (default 240)")
    serve.add_argument("--max-height", type=_count(12, 500), default=80, metavar="CELLS",
                       help="tallest terminal a player may ask for (default 80)")

    join = commands.add_parser("join", help="play a served seat in this terminal",
                               description="Join a game day served with drill serve, in this "
                               "terminal instead of a browser.")
    join.add_argument("link", metavar="LINK", help="the link you were sent (http(s)://HOST/s/TOKEN)")

    schema = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--playscript", action="store_true",
                        help="the play-script format instead of the scenario format")
    return parser


def parse_arguments(arguments: Sequence[str]) -> argparse.Namespace:
    """The command line as a namespace; ``extra_scenarios`` holds `drill FILE.toml ...`'s files.

    Raises ``SystemExit`` as argparse does (2 on a usage error, 0 after ``--help``).
    """
    parser = build_parser()
    arguments = list(arguments)
    extra: list[str] = []
    first = _first_positional(arguments)
    if first is not None and arguments[first].endswith(".toml"):
        # `drill X.toml [Y.toml ...] [--saves-dir D]`: the picker, with these files listed.
        extra = [a for i, a in enumerate(arguments) if i >= first and _is_positional(arguments, i)]
        arguments = [a for i, a in enumerate(arguments)
                     if not (i >= first and _is_positional(arguments, i))]
        if any(not item.endswith(".toml") for item in extra):
            parser.error("scenario files open the picker; give a command before its arguments")
    args = parser.parse_args(arguments)
    args.extra_scenarios = extra
    return args


def _is_positional(arguments: list[str], index: int) -> bool:
    """Whether ``arguments[index]`` is a positional argument, not an option or its value."""
    item = arguments[index]
    if item.startswith("-") and item != "-":
        return False
    return not (index > 0 and arguments[index - 1] == "--saves-dir")


def _first_positional(arguments: list[str]) -> int | None:
    return next((i for i in range(len(arguments)) if _is_positional(arguments, i)), None)


def _runs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be between 1 and 1000000: {text!r}")
    return value


def _count(low: int, high: int):  # type: ignore[no-untyped-def]
    """An argparse type: a whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}: {text!r}")
        return value

    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1: {text!r}")
    return value


def _pace(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.01 <= value <= 86_400:  # what the run set-up dialog accepts
        raise argparse.ArgumentTypeError(f"must be between 0.01 and 86400 seconds: {text!r}")
    return value


# -- commands ----------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill list`: a table of id, title, clock unit and expected play time."""
    from .catalog import list_scenarios

    entries, problems = list_scenarios()
    for problem in problems:
        print(f"warning: skipped {problem}", file=err)
    if not entries:
        print("No scenarios found (looked in the bundled scenarios and ./scenarios).", file=out)
        return EXIT_OK
    rows = [("ID", "TITLE", "CLOCK", "PLAY TIME", "")]
    for entry in entries:
        origin = "" if entry.origin == "bundled" else f"({shown(entry.path)})"
        if entry.replaces:
            origin = f"({shown(entry.path)}, replaces the bundled one)"
        rows.append((entry.id, entry.title, entry.unit, f"~{entry.play_minutes} min", origin))
    print(format_table(rows), file=out)
    return EXIT_OK


def cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill run`: play a script headless, print the score card, maybe write the postmortem."""
    run, card = play_script(args.scenario, Path(args.script), args.seed)
    for entry in run.log:
        if entry.kind == "rejected":
            # The run refused the step (say, an action not yet possible) and play went on.
            print(f"warning: {one_line(entry.ref) or 'a'} step at "
                  f"{format_time(entry.time, run.scenario.clock.unit)} was rejected: "
                  f"{one_line(entry.text)}", file=err)
    if args.postmortem:
        from .engine.postmortem import render_postmortem
        from .storage import atomic_write_text

        try:
            atomic_write_text(args.postmortem, render_postmortem(run, card))
        except OSError as error:
            raise InputError([f"{shown(args.postmortem)}: cannot write the postmortem: "
                              f"{error.strerror or error}"]) from None
    if args.json:
        print(json.dumps(run_summary(run, card), indent=2, sort_keys=True), file=out)
    else:
        print(format_score_card(run, card), file=out)
        if args.postmortem:
            print(f"\nPostmortem written to {shown(args.postmortem)}", file=out)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill validate`: every problem of every file, then 'ok: FILE' for each valid one."""
    from .loading import validate_files

    # All at once: a play script is checked against a scenario given alongside it.
    found = validate_files(args.paths)
    problems = [problem for problem in found if not problem.note]
    paths = list(dict.fromkeys(args.paths))
    for path in paths:
        own = [problem for problem in found if problem.file == path]
        for problem in own:
            print(problem, file=out)
        if not any(not problem.note for problem in own):
            # Notes say how a format-1 file is read: it is valid, and can be upgraded.
            upgrade = (f" (format 1, read as the notes above say; `drill upgrade "
                       f"{shown(path)}` rewrites it)" if own else "")
            print(f"ok: {shown(path)}{upgrade}", file=out)
    for problem in found:
        if problem.file not in paths:  # not expected, but never hide a problem
            print(problem, file=out)
    if problems:
        invalid = len({problem.file for problem in problems})
        print(f"{invalid} of {len(paths)} file(s) invalid", file=err)
        return EXIT_INVALID
    return EXIT_OK


def cmd_upgrade(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill upgrade`: rewrite format-1 scenario files (with --check, only report)."""
    from .upgrade import AlreadyCurrent, UpgradeRefused, plan_upgrade, report_lines, write_upgrade

    refused: list[str] = []
    outdated = 0
    for path in dict.fromkeys(args.paths):
        try:
            upgrade = plan_upgrade(Path(path))
            if not args.check:
                write_upgrade(upgrade)
        except AlreadyCurrent as current:
            print(current, file=out)
            continue
        except UpgradeRefused as refusal:
            refused.append(f"drill upgrade: {refusal}")
            continue
        except OSError as error:
            refused.append(f"drill upgrade: {shown(path)}: cannot write it "
                           f"({error.strerror or error}); it is unchanged")
            continue
        outdated += 1
        print(*report_lines(upgrade, args.check), sep="\n", file=out)
    if refused:
        raise InputError(refused)
    return EXIT_INVALID if args.check and outdated else EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill schema`: the JSON Schema editors use to complete and check TOML files."""
    if args.playscript:
        from .engine.playscript import PlayScript as model
    else:
        from .engine.scenario import Scenario as model  # type: ignore[assignment]
    print(json.dumps(model.model_json_schema(), indent=2), file=out)
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Play the scenario with automatic strategies; exit 1 when anything was found."""
    import dataclasses

    from .check_runner import run_check
    from .engine.check_report import render
    from .engine.strategies import STRATEGIES
    from .loading import LoadError

    source = open_scenario(args.scenario)
    # `silent` was silent-greedy's first name; scripts and docs may still use it.
    strategies = [{"silent": "silent-greedy"}.get(s, s) for s in args.strategy or STRATEGIES]
    if args.script and "scripts" not in strategies:
        strategies.append("scripts")  # scripts given by name are meant to be replayed

    def progress(done: int, total: int) -> None:
        err.write(f"\rdrill check: {done}/{total} runs")
        err.write("\n" if done == total else "")
        err.flush()

    try:
        report = run_check(source, runs=args.runs, strategies=strategies,
                           scripts=args.script or None, jobs=args.jobs,
                           progress=progress if err.isatty() else None)
    except LoadError as error:
        raise InputError([str(problem) for problem in error.problems]) from None
    if args.json:
        print(json.dumps(dataclasses.asdict(report), indent=1), file=out)
    else:
        # The title goes in the report's first line: a newline in it must not forge another.
        out.write(clean(render(dataclasses.replace(report, title=one_line(report.title)))))
    return EXIT_INVALID if report.findings else EXIT_OK


def cmd_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write a starter scenario and say what to do next."""
    from .authoring import AuthoringError, next_steps, write_starter

    try:
        path = write_starter(args.id, Path(args.dir), force=args.force)
    except AuthoringError as error:
        raise InputError([f"drill new: {error}"]) from None
    except OSError as error:
        raise InputError([f"drill new: cannot write in {shown(args.dir)}: "
                          f"{error.strerror or error}"]) from None
    from .catalog import docs_path

    guide = docs_path("scenario-format.md")
    print(f"wrote {shown(path)}: a starter scenario to edit", file=out)
    print(f"every field is explained in {shown(guide)}" if guide is not None else
          "every field is described by `drill schema` (a JSON Schema, with descriptions)",
          file=out)
    print("next:", *next_steps(path), sep="\n", file=out)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Replay saves and print them side by side."""
    from .compare import CompareError, compare_saves
    from .engine.side_by_side import render_comparison

    try:
        result = compare_saves([Path(p) for p in args.saves], args.unfinished)
    except CompareError as error:
        raise InputError([f"drill compare: {line}" for line in error.lines]) from None
    for warning in result.warnings:
        print(f"drill compare: warning: {clean(warning)}", file=err)
    if args.json:
        body = {**result.comparison.to_dict(), "warnings": result.warnings}
        print(json.dumps(body, indent=1, sort_keys=True), file=out)
    else:
        out.write(clean(render_comparison(result.comparison)))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill serve`: a remote game day (drill.serve), until Ctrl+C."""
    from .serve.command import ServeError, serve

    source = open_scenario(args.scenario)
    saves_dir = getattr(args, "saves_dir", None) or default_saves_dir()
    try:
        return serve(args, source, saves_dir, out, err)
    except ServeError as error:
        raise InputError([str(error)]) from None


def cmd_join(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill join LINK`: a served seat in this terminal."""
    from .serve.command import ServeError, join

    try:
        return join(args, out, err)
    except ServeError as error:
        raise InputError([str(error)]) from None


# -- the terminal UI ---------------------------------------------------------------------------


def has_terminal() -> bool:
    """Whether stdin and stdout are both a terminal, as the TUI needs (tests replace this)."""
    try:
        return bool(sys.stdin and sys.stdin.isatty() and sys.stdout and sys.stdout.isatty())
    except (ValueError, OSError):  # a closed stream
        return False


def run_app(settings: Settings) -> int:
    """Run the TUI with ``settings`` until it exits; return the exit code (tests replace this)."""
    from .tui.app import DrillApp

    DrillApp(settings).run()
    return EXIT_OK


def cmd_tui(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill`, `drill FILE.toml`, `drill play`, `drill resume`: check what can be checked
    before the screen is taken over (a terminal, the scenario, the save), then start the TUI."""
    if not has_terminal():
        print(NO_TERMINAL, file=err)
        return EXIT_USAGE
    try:
        # Textual is only imported here: the headless commands never pay for it.
        from .tui.app import Settings
    except ImportError as error:
        print(f"The terminal UI is not available in this installation ({error}).", file=err)
        if args.command is not None:
            print("The headless commands work: see `drill --help`.", file=err)
            return EXIT_INVALID
        print("Scenarios you can play headless with `drill run ID --script FILE`:\n", file=err)
        return cmd_list(args, out, err)
    saves_dir = getattr(args, "saves_dir", None) or default_saves_dir()
    settings = Settings(saves_dir=saves_dir, extra_scenarios=list(args.extra_scenarios))
    if args.command == "play":
        open_scenario(args.scenario)  # a broken file is reported here, not in the TUI
        settings.play, settings.seed, settings.pace = args.scenario, args.seed, args.pace
    elif args.command == "resume":
        settings.resume = args.save if args.save is not None else newest_resumable(saves_dir, err)
        if args.save is not None:
            from .saves import SaveError
            from .session import GameSession

            try:
                GameSession.resume(args.save)
            except SaveError as error:
                raise InputError([f"drill resume: {error}"]) from None
    return run_app(settings)


def newest_resumable(saves_dir: Path, err: TextIO) -> Path:
    """The newest unfinished run in ``saves_dir`` that resumes; each damaged save on the way is
    skipped with a warning naming it and its problem.  Raises InputError when there is none."""
    from .saves import SaveError
    from .session import GameSession
    from .tui.listing import save_cards

    skipped = 0
    for card in save_cards(saves_dir):
        if card.finished:
            continue
        try:
            if card.problem:
                raise SaveError(f"{shown(card.path)}: {card.problem}")
            GameSession.resume(card.path)
        except SaveError as error:
            print(f"drill resume: skipped {error}", file=err)
            skipped += 1
            continue
        return card.path
    also = f" ({skipped} damaged save{'s' * (skipped != 1)} skipped)" if skipped else ""
    raise InputError([f"drill resume: no unfinished run to resume in {shown(saves_dir)}{also}"])


# -- the headless run --------------------------------------------------------------------------


def open_scenario(reference: str) -> ScenarioSource:
    """A scenario by bundled id or path (:meth:`ScenarioSource.open`), or InputError with every
    problem, one per line."""
    from .catalog import ScenarioSource, UnknownScenario
    from .loading import LoadError

    try:
        return ScenarioSource.open(reference)
    except UnknownScenario as error:
        raise InputError([str(error)]) from None
    except LoadError as error:
        raise InputError([str(problem) for problem in error.problems]) from None


def play_script(scenario_spec: str, script_path: Path, seed: int | None
                ) -> tuple[RunRecord, ScoreCard]:
    """Load a scenario and a play script, play it, score it.  Raises InputError on bad input."""
    from .engine.headless import play
    from .engine.scoring import score_run
    from .loading import LoadError, load_playscript

    source = open_scenario(scenario_spec)
    try:
        # Checked against the scenario too: each problem once, with the script's lines.
        script = load_playscript(script_path, source.scenario)
    except LoadError as error:
        raise InputError([str(problem) for problem in error.problems]) from None
    run = play(source.compiled, script.seed if seed is None else seed, script.steps)
    return run, score_run(run)


def outcome_summary(card: ScoreCard) -> dict[str, Any] | None:
    """The outcome as JSON: the ending class, times against the references, the harm done."""
    outcome = card.outcome
    if outcome is None:
        return None

    def number(value: float | None) -> float | None:
        return None if value is None else round(float(value), 2)

    return {
        "ending": outcome.ending,
        "score": number(outcome.score),
        "mitigated_at": number(outcome.mitigated_at),
        "mitigated_by": number(outcome.mitigated_by),
        "resolved_at": number(outcome.resolved_at),
        "resolved_by": number(outcome.resolved_by),
        "harm": [{"id": h.id, "label": h.label, "at": number(h.at), "cost": h.cost}
                 for h in outcome.harm],
        "capped": outcome.capped,
    }


def run_summary(run: RunRecord, card: ScoreCard) -> dict[str, Any]:
    """The JSON object of `drill run --json`."""
    from .engine.roles import score_players

    return {
        "scenario": run.scenario.meta.id,
        "seed": run.seed,
        "variant": None if run.variant.empty else {"code": run.variant.code,
                                                   **run.variant.to_json()},
        "outcome": outcome_summary(card),
        "ending": run.ending.id if run.ending else None,
        "ended_at": None if run.ended_at is None else float(run.ended_at),
        "scores": {name: None if value is None else float(value)
                   for name, value in card.as_dict().items()},
        "deductions": [
            {
                "dimension": deduction.dimension,
                "points": round(float(deduction.points), 1),
                "time": None if deduction.time is None else float(deduction.time),
                "what": deduction.what,
                "norm": deduction.norm,
            }
            for deduction in card.all_deductions()
        ],
        "names": dict(sorted(run.names.items())),
        "players": [
            {
                "player": entry.player,
                "role": entry.role.id if entry.role else None,
                "actions": entry.actions,
                "scores": {
                    **{d.dimension: round(float(d.score), 1) for d in entry.card.dimensions()
                       if d.dimension in entry.dimensions and d.applicable},
                    "overall": round(float(entry.overall), 1),
                },
            }
            for entry in score_players(run)
        ],
    }


# -- text output -------------------------------------------------------------------------------


def format_time(value: float | None, unit: str) -> str:
    """A deduction's time for the score card: 'T+24' or 'day 3', 'overall' for the whole run."""
    from .engine.text import clock_time

    return "overall" if value is None else clock_time(unit, value)


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, trailing blanks removed."""
    rows = [[one_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    return "\n".join(lines)


def format_player_scores(run: RunRecord) -> str:
    """Per player of a team run: their role, actions and scores on their role's dimensions
    ('-' where the role does not answer for it); empty for a solo run."""
    from .engine.roles import score_players
    from .engine.scorecard import DIMENSIONS

    scores = score_players(run)
    if not scores:
        return ""
    rows = [("Player", "Role", "Actions", *(d.capitalize() for d in DIMENSIONS), "Overall")]
    for entry in scores:
        cells = []
        for dimension in entry.card.dimensions():
            judged = dimension.dimension in entry.dimensions and dimension.applicable
            cells.append(f"{dimension.score:.0f}" if judged else "-")
        rows.append((entry.player, entry.role.label if entry.role else "every role",
                     str(entry.actions), *cells, f"{entry.overall:.0f}"))
    return "Per player (each scored on their own actions and their role's dimensions)\n" + \
        format_table(rows)


def format_score_card(run: RunRecord, card: ScoreCard) -> str:
    """The score card as text: ending, the four scores, overall, each deduction with its norm."""
    from .engine.scorecard import TITLES, cap_note, weights_note

    scenario = run.scenario
    unit = scenario.clock.unit
    # Each text from the file on its own line only: a newline in a title cannot forge a line.
    variant = "" if run.variant.empty else f", variant {run.variant.code}"
    lines = [f"{one_line(scenario.meta.title)} (scenario {scenario.meta.id}, seed {run.seed}"
             f"{variant})"]
    if run.ending is not None:
        kind = card.outcome.ending if card.outcome is not None else run.ending.kind
        lines.append(f"Ending: {one_line(run.ending.title)} [{kind.replace('_', ' ')}] at "
                     f"{format_time(run.ended_at, unit)}")
    lines.append("")
    rows = [("Score", "")]
    for dimension in card.dimensions():
        shown = f"{dimension.score:5.1f}" if dimension.applicable else "  n/a"
        rows.append((TITLES[dimension.dimension], shown))
    outcome = card.outcome
    if outcome is not None:
        rows.append(("Outcome", f"{outcome.score:5.1f}" if outcome.score is not None
                     else outcome.ending))
    rows.append(("Overall", f"{card.overall:5.1f}"))
    lines.append(format_table(rows))
    for note in (cap_note(card),
                 weights_note(scenario.scoring.weights)):
        if note:
            lines.append(note)
    deductions = list(card.all_deductions())
    lines.append("")
    if deductions:
        lines.append("Deductions")
        for deduction in deductions:
            lines.append(f"  -{deduction.points:.1f} {TITLES[deduction.dimension]}, "
                         f"{format_time(deduction.time, unit)}: {one_line(deduction.what)}")
            lines.append(f"      norm: {one_line(deduction.norm)}")
    else:
        lines.append("No deductions.")
    team = format_player_scores(run)
    if team:
        lines += ["", team]
    people = sorted(key for key in run.names if "." not in key)
    customers = sorted(key.split(".", 1)[1] for key in run.names if key.startswith("customer."))
    if people or customers:
        lines.append("")
    if people:
        lines.append("People: " + ", ".join(f"{one_line(run.person_name(pid))} ({pid})"
                                            for pid in people))
    if customers:
        lines.append("Customers: " + ", ".join(f"{one_line(run.customer_name(cid))} ({cid})"
                                               for cid in customers))
    return clean("\n".join(lines))


# -- entry point -------------------------------------------------------------------------------

COMMANDS = {"list": cmd_list, "run": cmd_run, "validate": cmd_validate, "schema": cmd_schema,
            "check": cmd_check, "upgrade": cmd_upgrade, "new": cmd_new, "compare": cmd_compare,
            "serve": cmd_serve, "join": cmd_join, None: cmd_tui,
            "play": cmd_tui, "resume": cmd_tui}


def main(argv: Sequence[str] | None = None) -> int:
    """Run `drill` with ``argv`` (default: the process arguments); return the exit code."""
    out, err = sys.stdout, sys.stderr
    try:
        try:
            args = parse_arguments(sys.argv[1:] if argv is None else argv)
        except SystemExit as exit_request:
            # argparse exits 2 on a usage error and 0 after --help/--version.
            return exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
        return COMMANDS[args.command](args, out, err)
    except InputError as error:
        for line in error.lines:
            # The last guard: each line is built from escaped parts, and cleaned once more.
            print(clean(line), file=err)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `drill schema | head`: the reader left; stop quietly, without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
