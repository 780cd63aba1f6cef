"""`drill compare SAVE SAVE...`: replay saved runs and put them side by side.

Nothing is written: each save is replayed on a fresh run (as resuming does) and scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .engine.compare_runs import ComparedRun, Comparison, compare
from .engine.scoring import score_run
from .engine.simulation import ActionRejected, Run
from .saves import SaveError, read_save


class CompareError(Exception):
    """Saves that cannot be compared; ``lines`` say why, one problem each."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


@dataclass(frozen=True)
class CompareResult:
    """The comparison, and what the player should know about it."""

    comparison: Comparison
    warnings: list[str]


def replay(path: Path) -> tuple[Run, str]:
    """A save replayed to where it stopped, and its label; raise SaveError saying why not."""
    from .loading import LoadError
    from .session import ScenarioSource

    record = read_save(path)
    try:
        source = ScenarioSource.open(record.scenario_path or record.scenario_id)
    except (LoadError, LookupError, OSError, ValueError) as error:
        raise SaveError(f"{path}: its scenario cannot be loaded ({error})") from None
    if source.sha256 != record.scenario_hash:
        raise SaveError(f"{path}: the scenario '{record.scenario_id}' has changed since this run "
                        "was saved")
    run = Run(source.compiled, record.seed, record.names)
    try:
        for step in record.steps:
            run.perform(step)
    except ActionRejected as error:
        raise SaveError(f"{path}: the save does not replay ({error})") from None
    run.advance_to(record.clock)
    label = ", ".join(record.players) if record.players else path.stem
    return run, label


def compare_saves(paths: Sequence[Path], include_unfinished: bool = False) -> CompareResult:
    """Replay, check and compare saves; raise CompareError listing every problem."""
    problems: list[str] = []
    runs: list[ComparedRun] = []
    warnings: list[str] = []
    for path in paths:
        try:
            run, label = replay(path)
        except SaveError as error:
            problems.append(str(error))
            continue
        if not run.finished_run and not include_unfinished:
            problems.append(f"{path}: the run is not finished (use --unfinished to include it)")
            continue
        runs.append(ComparedRun(label, run, score_run(run)))
    if problems:
        raise CompareError(problems)
    scenarios = {r.run.scenario.meta.id for r in runs}
    if len(scenarios) > 1:
        raise CompareError([f"these saves are runs of different scenarios: "
                            f"{', '.join(sorted(scenarios))}"])
    seeds = {r.run.seed for r in runs}
    if len(seeds) > 1:
        warnings.append(f"the runs used different seeds ({', '.join(map(str, sorted(seeds)))}): "
                        "they are not quite the same incident")
    if len(runs) < 2:
        raise CompareError(["give at least two saves to compare"])
    return CompareResult(compare(runs), warnings)
