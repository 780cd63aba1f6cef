"""`drill check`: play a scenario thousands of times on every core and report what was found.

The shell around :mod:`drill.engine.autoplay` and :mod:`drill.engine.findings`: it loads the
files, splits the seeds into chunks for worker processes (each loads the scenario once), and
puts the results back in a fixed order, so the report is the same whatever the scheduling.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Sequence

from .engine.autoplay import STRATEGIES, play
from .engine.findings import CheckReport, RunSummary, analyse, summarise
from .engine.playscript import PlayerAction
from .engine.scoring import score_run
from .engine.simulation import CompiledScenario

CHUNK = 100
"""Seeds per task: large enough to keep process overhead small, small enough to balance."""

_compiled: CompiledScenario | None = None
_scripts: dict[str, list[PlayerAction]] = {}


def _load_worker(scenario_path: str, script_paths: Sequence[str]) -> None:
    global _compiled, _scripts
    from .loading import load_playscript, load_scenario

    _compiled = CompiledScenario.build(load_scenario(scenario_path))
    _scripts = {path: list(load_playscript(path).steps) for path in script_paths}


def _play_chunk(strategy: str, script: str, seeds: Sequence[int]) -> list[RunSummary]:
    assert _compiled is not None
    steps = _scripts.get(script, [])
    label = f"script {Path(script).stem}" if script else strategy
    return [summarise(label, seed, run, score_run(run))
            for seed in seeds for run in [play(_compiled, strategy, seed, steps)]]


def default_scripts(scenario_id: str, repo: Path | None = None) -> list[Path]:
    """The shipped play scripts of a bundled scenario, when drill runs from a checkout."""
    base = repo or Path(__file__).resolve().parent.parent
    folder = base / "tests" / "plays" / scenario_id
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def run_check(
    scenario_path: Path,
    runs: int = 1000,
    strategies: Sequence[str] = ("random", "greedy", "silent", "scripts"),
    scripts: Sequence[Path] = (),
    jobs: int | None = None,
) -> CheckReport:
    """Play ``runs`` seeds per strategy (per script for ``scripts``) and analyse them.

    Raises ``LoadError`` for a bad scenario or script file.
    """
    from .loading import load_playscript, load_scenario

    scenario = load_scenario(scenario_path)
    for path in scripts:
        load_playscript(path)  # report a bad script before starting any process
    script_paths = [str(p) for p in scripts]
    tasks: list[tuple[str, str, list[int]]] = []
    for strategy in strategies:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
        for script in (script_paths if strategy == "scripts" else [""]):
            for start in range(0, runs, CHUNK):
                tasks.append((strategy, script, list(range(start, min(runs, start + CHUNK)))))
    jobs = max(1, jobs or os.cpu_count() or 1)
    summaries: list[RunSummary] = []
    if not tasks:
        pass
    elif jobs == 1:
        _load_worker(str(scenario_path), script_paths)
        for task in tasks:
            summaries += _play_chunk(*task)
    else:
        with ProcessPoolExecutor(jobs, initializer=_load_worker,
                                 initargs=(str(scenario_path), script_paths)) as pool:
            # map keeps the task order, so the report does not depend on which worker was first.
            for chunk in pool.map(_play_chunk, *zip(*tasks)):
                summaries += chunk
    return analyse(scenario, summaries)
