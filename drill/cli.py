"""The `drill` command: the TUI by default, and headless commands for scripts and CI.

    drill                      start the TUI (or list scenarios when it is not installed)
    drill play / resume ...    TUI entry points
    drill list                 the scenarios this installation can find
    drill run SCENARIO --script FILE [--seed N] [--json] [--postmortem FILE]
    drill validate PATH...     check scenario files, with file:line: field: message problems
    drill schema [--playscript] JSON Schema for editors

Bad input (a missing or malformed file, an unknown id) is reported on stderr with exit code 1,
never as a traceback; usage errors exit 2; Ctrl-C exits 130.  Only the standard library is
imported up front: pydantic, the engine and Textual are imported by the command that needs them,
so `drill --help` and `drill validate` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from . import __version__

if TYPE_CHECKING:
    from .engine.scorecard import ScoreCard
    from .engine.simulation import Run

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Bad input from the user: each line of ``lines`` is printed on stderr, exit code 1."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


# -- argument parsing --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `drill` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="drill",
        description="A terminal tabletop game for practising outages. "
        "With no command, starts the game.",
    )
    parser.add_argument("--version", action="version", version=f"drill {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name, help_text in (("play", "play a scenario in the terminal UI"),
                            ("resume", "resume a saved run in the terminal UI")):
        tui = commands.add_parser(name, help=help_text, add_help=False)
        # The TUI parses its own options; everything after the command is handed to it.
        tui.add_argument("tui_args", nargs=argparse.REMAINDER)

    commands.add_parser("list", help="list the scenarios drill can find")

    run = commands.add_parser("run", help="play a scenario headless from a play script")
    run.add_argument("scenario", metavar="SCENARIO", help="a scenario id or a .toml file")
    run.add_argument("--script", required=True, metavar="FILE", help="the play script (.toml)")
    run.add_argument("--seed", type=_seed, metavar="N", help="seed (default: the script's)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--postmortem", metavar="FILE", help="write the Markdown postmortem here")

    validate = commands.add_parser("validate", help="check scenario files for mistakes")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="scenario files")

    check = commands.add_parser(
        "check", help="play a scenario many times with automatic strategies and report problems")
    check.add_argument("scenario", metavar="SCENARIO", help="a scenario id or a .toml file")
    check.add_argument("--runs", type=_runs, default=1000, metavar="N",
                       help="runs per strategy (default 1000)")
    check.add_argument("--strategy", action="append", metavar="NAME",
                       choices=("random", "greedy", "cautious", "explorer", "silent-greedy",
                                "scripts", "silent"),
                       help="random, greedy, cautious, explorer, silent-greedy or scripts "
                       "(default: all); repeatable")
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

    schema = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--playscript", action="store_true",
                        help="the play-script format instead of the scenario format")
    return parser


def _runs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be between 1 and 1000000: {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1: {text}")
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
        origin = "" if entry.origin == "bundled" else f"({entry.path})"
        rows.append((entry.id, entry.title, entry.unit, f"~{entry.play_minutes} min", origin))
    print(format_table(rows), file=out)
    return EXIT_OK


def cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill run`: play a script headless, print the score card, maybe write the postmortem."""
    run, card = play_script(args.scenario, Path(args.script), args.seed)
    for entry in run.log:
        if entry.kind == "rejected":
            # The run refused the step (say, an action not yet possible) and play went on.
            print(f"warning: {entry.ref or 'a'} step at "
                  f"{format_time(entry.time, run.scenario.clock.unit)} was rejected: {entry.text}",
                  file=err)
    if args.postmortem:
        from .engine.postmortem import render_postmortem
        from .storage import atomic_write_text

        try:
            atomic_write_text(args.postmortem, render_postmortem(run, card))
        except OSError as error:
            raise InputError([f"{args.postmortem}: cannot write the postmortem: "
                              f"{error.strerror or error}"]) from None
    if args.json:
        print(json.dumps(run_summary(run, card), indent=2, sort_keys=True), file=out)
    else:
        print(format_score_card(run, card), file=out)
        if args.postmortem:
            print(f"\nPostmortem written to {args.postmortem}", file=out)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`drill validate`: every problem of every file, then 'ok: FILE' for each valid one."""
    from .loading import validate_paths

    # All at once: a play script is checked against a scenario given alongside it.
    problems = validate_paths(args.paths)
    paths = list(dict.fromkeys(args.paths))
    for path in paths:
        own = [problem for problem in problems if problem.file == path]
        for problem in own:
            print(problem, file=out)
        if not own:
            print(f"ok: {path}", file=out)
    for problem in problems:
        if problem.file not in paths:  # not expected, but never hide a problem
            print(problem, file=out)
    if problems:
        invalid = len({problem.file for problem in problems})
        print(f"{invalid} of {len(paths)} file(s) invalid", file=err)
        return EXIT_INVALID
    return EXIT_OK


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

    from .catalog import UnknownScenario, resolve
    from .check_runner import run_check
    from .engine.analysis import render
    from .engine.strategies import STRATEGIES
    from .loading import LoadError

    try:
        path = resolve(args.scenario)
    except UnknownScenario as error:
        raise InputError([f"drill check: {error}"]) from None
    # `silent` was silent-greedy's first name; scripts and docs may still use it.
    strategies = [{"silent": "silent-greedy"}.get(s, s) for s in args.strategy or STRATEGIES]
    if args.script and "scripts" not in strategies:
        strategies.append("scripts")  # scripts given by name are meant to be replayed

    def progress(done: int, total: int) -> None:
        err.write(f"\rdrill check: {done}/{total} runs")
        err.write("\n" if done == total else "")
        err.flush()

    try:
        report = run_check(path, runs=args.runs, strategies=strategies,
                           scripts=args.script or None, jobs=args.jobs,
                           progress=progress if err.isatty() else None)
    except LoadError as error:
        raise InputError([str(problem) for problem in error.problems]) from None
    if args.json:
        print(json.dumps(dataclasses.asdict(report), indent=1), file=out)
    else:
        out.write(render(report))
    return EXIT_INVALID if report.findings else EXIT_OK


def cmd_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write a starter scenario and say what to do next."""
    from .authoring import AuthoringError, next_steps, write_starter

    try:
        path = write_starter(args.id, Path(args.dir), force=args.force)
    except AuthoringError as error:
        raise InputError([f"drill new: {error}"]) from None
    except OSError as error:
        raise InputError([f"drill new: cannot write in {args.dir}: {error.strerror}"]) from None
    print(f"wrote {path}: a starter scenario to edit (docs/scenario-format.md explains it)",
          file=out)
    print("next:", *next_steps(path), sep="\n", file=out)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Replay saves and print them side by side."""
    from .compare import CompareError, compare_saves
    from .engine.comparison import render_comparison
    from .engine.text import clean

    try:
        result = compare_saves([Path(p) for p in args.saves], args.unfinished)
    except CompareError as error:
        raise InputError([f"drill compare: {clean(line)}" for line in error.lines]) from None
    for warning in result.warnings:
        print(f"drill compare: warning: {clean(warning)}", file=err)
    if args.json:
        body = {**result.comparison.to_dict(), "warnings": result.warnings}
        print(json.dumps(body, indent=1, sort_keys=True), file=out)
    else:
        out.write(clean(render_comparison(result.comparison)))
    return EXIT_OK


def cmd_tui(argv: list[str], out: TextIO, err: TextIO) -> int:
    """Start the terminal UI with ``argv`` (e.g. [] or ['play', 'black-friday'])."""
    try:
        # Textual is only imported here: the headless commands never pay for it.
        from .tui.app import main as tui_main
    except ImportError as error:
        print(f"The terminal UI is not available in this installation ({error}).", file=err)
        if argv:
            print("The headless commands work: see `drill --help`.", file=err)
            return EXIT_INVALID
        print("Scenarios you can play headless with `drill run ID --script FILE`:\n", file=err)
        return cmd_list(argparse.Namespace(), out, err)
    result = tui_main(argv)
    return int(result or 0)


# -- the headless run --------------------------------------------------------------------------


def play_script(scenario_spec: str, script_path: Path, seed: int | None) -> tuple[Run, ScoreCard]:
    """Load a scenario and a play script, play it, score it.  Raises InputError on bad input."""
    from .catalog import UnknownScenario, resolve
    from .engine.headless import play
    from .engine.scoring import score_run
    from .engine.simulation import CompiledScenario
    from .loading import LoadError, check_playscript, load_playscript, load_scenario

    try:
        scenario = load_scenario(resolve(scenario_spec))
    except UnknownScenario as error:
        raise InputError([str(error)]) from None
    except LoadError as error:
        raise InputError([str(problem) for problem in error.problems]) from None
    try:
        script = load_playscript(script_path)
    except LoadError as error:
        raise InputError([str(problem) for problem in error.problems]) from None
    problems = [str(problem) for problem in check_playscript(script, scenario, script_path)]
    if script.scenario and script.scenario != scenario.meta.id:
        problems.insert(0, f"{script_path}: scenario: written for {script.scenario!r}, "
                           f"not {scenario.meta.id!r}")
    if problems:
        raise InputError(problems)
    compiled = CompiledScenario.build(scenario)
    run = play(compiled, script.seed if seed is None else seed, script.steps)
    return run, score_run(run)


def run_summary(run: Run, card: ScoreCard) -> dict[str, Any]:
    """The JSON object of `drill run --json`."""
    from .engine.roles import score_players

    return {
        "scenario": run.scenario.meta.id,
        "seed": run.seed,
        "outcome": run.ending.kind if run.ending else None,
        "ending": run.ending.id if run.ending else None,
        "ended_at": None if run.ended_at is None else float(run.ended_at),
        "scores": {name: float(value) for name, value in card.as_dict().items()},
        "deductions": [
            {
                "dimension": deduction.dimension,
                "points": round(float(deduction.points), 1),
                "time": None if deduction.time is None else float(deduction.time),
                "what": deduction.what,
                "norm": deduction.norm,
            }
            for dimension in card.dimensions()
            for deduction in dimension.deductions
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
    from .engine.text import one_line

    rows = [[one_line(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    return "\n".join(lines)


def format_player_scores(run: Run) -> str:
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


def format_score_card(run: Run, card: ScoreCard) -> str:
    """The score card as text: ending, the four scores, overall, each deduction with its norm."""
    from .engine.scorecard import TITLES, weights_note

    scenario = run.scenario
    unit = scenario.clock.unit
    lines = [f"{scenario.meta.title} (scenario {scenario.meta.id}, seed {run.seed})"]
    if run.ending is not None:
        lines.append(f"Ending: {run.ending.title} [{run.ending.kind}] at "
                     f"{format_time(run.ended_at, unit)}")
    lines.append("")
    rows = [("Score", "")]
    for dimension in card.dimensions():
        shown = f"{dimension.score:5.1f}" if dimension.applicable else "  n/a"
        rows.append((TITLES[dimension.dimension], shown))
    rows.append(("Overall", f"{card.overall:5.1f}"))
    lines.append(format_table(rows))
    note = weights_note(scenario.scoring.weights)
    if note:
        lines.append(note)
    deductions = [d for dimension in card.dimensions() for d in dimension.deductions]
    lines.append("")
    if deductions:
        lines.append("Deductions")
        for deduction in deductions:
            lines.append(f"  -{deduction.points:.1f} {TITLES[deduction.dimension]}, "
                         f"{format_time(deduction.time, unit)}: {deduction.what}")
            lines.append(f"      norm: {deduction.norm}")
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
        lines.append("People: " + ", ".join(f"{run.person_name(pid)} ({pid})" for pid in people))
    if customers:
        lines.append("Customers: " + ", ".join(f"{run.customer_name(cid)} ({cid})"
                                               for cid in customers))
    from .engine.text import clean

    return clean("\n".join(lines))


# -- entry point -------------------------------------------------------------------------------

COMMANDS = {"list": cmd_list, "run": cmd_run, "validate": cmd_validate, "schema": cmd_schema,
            "check": cmd_check, "new": cmd_new, "compare": cmd_compare}


def _is_tui_start(arguments: list[str]) -> bool:
    """`drill my.toml`, `drill --saves-dir DIR`, `drill play ...` and `drill resume ...` go to
    the TUI, which parses its own options (`--help` included)."""
    first = arguments[0]
    return (first.endswith(".toml") or first == "--saves-dir" or first.startswith("--saves-dir=")
            or first in ("play", "resume"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run `drill` with ``argv`` (default: the process arguments); return the exit code."""
    out, err = sys.stdout, sys.stderr
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if not arguments or _is_tui_start(arguments):
            return cmd_tui(arguments, out, err)
        try:
            args = build_parser().parse_args(arguments)
        except SystemExit as exit_request:
            # argparse exits 2 on a usage error and 0 after --help/--version.
            return exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
        if args.command in ("play", "resume"):
            return cmd_tui([args.command, *args.tui_args], out, err)
        if args.command is None:
            return cmd_tui([], out, err)
        return COMMANDS[args.command](args, out, err)
    except InputError as error:
        for line in error.lines:
            print(line, file=err)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `drill schema | head`: the reader left; stop quietly, without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
