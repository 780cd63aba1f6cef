"""`drill check`: play a scenario thousands of times on every core and report what was found.

The shell around :mod:`drill.engine.strategies` and :mod:`drill.engine.check_report`: it loads the
files, splits the seeds into chunks for worker processes (each loads the scenario once, and only
paths and seeds are sent to it), and puts the results back in task order, so the report is the
same whatever the scheduling and however many processes played.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Sequence

from .catalog import ScenarioSource
from .engine.check_report import CheckReport, PlayedRun, analyse, summarise
from .engine.playscript import PlayerAction
from .engine.scoring import score_run
from .engine.simulation import CompiledScenario
from .engine.adversaries import ADVERSARIES, ADVERSARY_RUNS, OFF_DIMENSION
from .engine.strategies import STRATEGIES, play
from .loading import LoadError, load_playscript

CHUNK = 50
"""Seeds per task: large enough to keep process overhead small, small enough to balance."""

Progress = Callable[[int, int], None]
"""Called with (runs done, runs in all) as chunks finish."""

# One per worker process: the scenario compiled once, and the play scripts' steps.
_compiled: CompiledScenario | None = None
_scripts: dict[str, list[PlayerAction]] = {}


def _load_worker(scenario_path: str, script_paths: Sequence[str],
                 compiled: CompiledScenario | None = None) -> None:
    global _compiled, _scripts
    _compiled = compiled or ScenarioSource.open(scenario_path).compiled
    _scripts = {path: list(load_playscript(path).steps) for path in script_paths}


def _start_worker(scenario_path: str, script_paths: Sequence[str]) -> None:
    # Ctrl-C is the parent's to handle: workers stop when it shuts the pool down, quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _load_worker(scenario_path, script_paths)


def _play_chunk(strategy: str, script: str, seeds: Sequence[int]) -> list[PlayedRun]:
    assert _compiled is not None, "the worker was not initialised"
    steps = _scripts.get(script, [])
    label = f"scripts:{Path(script).stem}" if script else strategy
    summaries = []
    for seed in seeds:
        run, seen = play(_compiled, strategy, seed, steps)
        summaries.append(summarise(label, seed, run, seen, score_run(run)))
    return summaries


def with_baselines(strategies: Sequence[str]) -> list[str]:
    """The strategies, each once, with ``oracle`` before the first off-dimension strategy when
    it is missing: they are judged against it, seed by seed."""
    chosen = list(dict.fromkeys(strategies))
    off = [i for i, name in enumerate(chosen) if name in OFF_DIMENSION]
    if off and "oracle" not in chosen:
        chosen.insert(off[0], "oracle")
    return chosen


def shipped_scripts(scenario_path: Path, scenario_id: str) -> list[Path]:
    """The play scripts shipped with a scenario: ``tests/plays/<id>/*.toml`` beside its
    ``scenarios/`` folder, as for the bundled scenarios in a checkout, and ``<name>.*.toml``
    beside the file itself, as for the examples in ``docs/examples``; none when there are none."""
    path = scenario_path.resolve()
    folder = path.parent.parent / "tests" / "plays" / scenario_id
    found = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    return found + sorted(p for p in path.parent.glob(f"{path.stem}.*.toml") if p.is_file())


def run_check(
    scenario: ScenarioSource | str | Path,
    runs: int = 1000,
    strategies: Sequence[str] = STRATEGIES,
    scripts: Sequence[str | Path] | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Play ``runs`` seeds (0 to runs-1) per strategy, and per script for ``scripts``; analyse.

    Args:
        scenario: the scenario, opened, or its file.
        strategies: names from :data:`~drill.engine.strategies.STRATEGIES`; the off-dimension
            strategies bring their baseline, ``oracle``, with them.
        scripts: play scripts for the ``scripts`` strategy; None: the ones shipped with the
            scenario (see :func:`shipped_scripts`).
        jobs: worker processes; None: one per core; 1: play in this process.
        progress: told how many runs are done as chunks finish.

    Raises:
        LoadError: the scenario or a play script is bad (each problem with file and line).
        UnknownScenario: no such scenario file or id.
        ValueError: an unknown strategy.
    """
    source = scenario if isinstance(scenario, ScenarioSource) else ScenarioSource.open(
        str(scenario))
    path = source.path
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise ValueError(f"unknown strategy {unknown[0]!r}; known: {', '.join(STRATEGIES)}")
    strategies = with_baselines(strategies)
    script_paths = [Path(p) for p in scripts] if scripts is not None else shipped_scripts(
        path, source.scenario.meta.id)
    problems = []
    for script_path in script_paths:
        try:
            load_playscript(script_path, source.scenario)
        except LoadError as error:
            problems += error.problems
    if problems:
        raise LoadError(problems)
    notes = []
    if "scripts" in strategies and not script_paths:
        notes.append("no play scripts to replay (give some with --script)")

    if runs > ADVERSARY_RUNS and any(s in ADVERSARIES for s in strategies):
        notes.append(f"the adversaries ({', '.join(s for s in strategies if s in ADVERSARIES)}) "
                     f"play {ADVERSARY_RUNS} seeds: their runs differ only in reaction times")
    tasks: list[tuple[str, str, list[int]]] = []
    for strategy in strategies:
        count = min(runs, ADVERSARY_RUNS) if strategy in ADVERSARIES else runs
        for script in ([str(p) for p in script_paths] if strategy == "scripts" else [""]):
            for start in range(0, count, CHUNK):
                tasks.append((strategy, script, list(range(start, min(count, start + CHUNK)))))
    total = sum(len(seeds) for _, _, seeds in tasks)
    results: list[list[PlayedRun]] = [[] for _ in tasks]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    done = 0
    if jobs == 1:
        _load_worker(str(path), [str(p) for p in script_paths], source.compiled)
        for index, task in enumerate(tasks):
            results[index] = _play_chunk(*task)
            done += len(task[2])
            if progress:
                progress(done, total)
    else:
        pool = ProcessPoolExecutor(jobs, initializer=_start_worker,
                                   initargs=(str(path), [str(p) for p in script_paths]))
        try:
            futures = {pool.submit(_play_chunk, *task): index for index, task in enumerate(tasks)}
            for future in as_completed(futures):
                # Put each chunk back in its task's place: the order never depends on timing.
                index = futures[future]
                results[index] = future.result()
                done += len(tasks[index][2])
                if progress:
                    progress(done, total)
        finally:
            # On Ctrl-C, drop the chunks not started rather than play them all first.
            pool.shutdown(cancel_futures=True)
    summaries = [summary for chunk in results for summary in chunk]
    return analyse(source.scenario, summaries, notes)
