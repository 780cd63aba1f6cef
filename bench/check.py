"""How long `drill check` takes: 1,000 runs per strategy on each bundled scenario.

For each scenario it calls :func:`drill.check_runner.run_check` once per strategy, with one worker
and with every core, and prints runs per second and the wall time of each strategy, next to a
baseline measured in the same run: a bare Run advanced to its clock's limit with no player action
(one core).  Target: 1,000 runs per strategy in under 10 s on a 2-core machine (the
adversaries play at most 100 seeds; see drill.engine.adversaries.ADVERSARY_RUNS).

Run: python bench/check.py [--runs N] [--scenario ID ...] [--profile]
(--profile prints where one core spends the time of the slowest strategy, with cProfile.)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from drill.check_runner import run_check, shipped_scripts  # noqa: E402
from drill.engine.simulation import CompiledScenario, Run  # noqa: E402
from drill.engine.strategies import STRATEGIES  # noqa: E402
from drill.loading import load_scenario  # noqa: E402

SCENARIOS = ["black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline"]
TARGET_SECONDS = 10.0


def baseline_rate(path: Path, seconds: float = 1.0) -> float:
    """Bare runs per second on one core: build a Run and advance it to the end, no actions."""
    compiled = CompiledScenario.build(load_scenario(path))
    limit = compiled.scenario.clock.limit
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        Run(compiled, runs, {}).advance_to(limit)
        runs += 1
    return runs / (time.perf_counter() - start)


def timed(path: Path, strategy: str, runs: int, jobs: int) -> tuple[float, int]:
    """Wall seconds of one strategy's check, and how many runs it played (the adversaries play
    at most ADVERSARY_RUNS seeds, and an off-dimension strategy brings its baseline, the oracle,
    whose runs count too)."""
    scripts = shipped_scripts(path, path.stem) if strategy == "scripts" else []
    start = time.perf_counter()
    report = run_check(path, runs=runs, strategies=[strategy], scripts=scripts, jobs=jobs)
    return time.perf_counter() - start, sum(result.runs for result in report.strategies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--scenario", action="append", choices=SCENARIOS)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"drill check: {args.runs} runs per strategy; {cores} cores; target under "
          f"{TARGET_SECONDS:g} s per strategy")
    worst = (0.0, "", "")
    for scenario_id in args.scenario or SCENARIOS:
        path = REPO / "scenarios" / f"{scenario_id}.toml"
        base = baseline_rate(path)
        print(f"\n{scenario_id}: baseline {base:,.0f} bare runs/s (1 core)")
        print(f"  {'strategy':<14} " + "  ".join(f"{'jobs=' + str(j):>24}"
                                                  for j in sorted({1, cores})))
        for strategy in STRATEGIES:
            cells = []
            for jobs in sorted({1, cores}):
                wall, played = timed(path, strategy, args.runs, jobs)
                rate = played / wall
                per_strategy = wall * args.runs / played  # scripts: per script
                cells.append(f"{per_strategy:5.2f} s {rate:7,.0f}/s {rate / base:5.2f}x")
                if jobs == 1 and per_strategy > worst[0]:
                    worst = (per_strategy, scenario_id, strategy)
            print(f"  {strategy:<14} " + "  ".join(f"{cell:>24}" for cell in cells))
    print("\n(s: wall time for the strategy's runs, per script for `scripts`; /s: runs per second; "
          "x: against the bare-run baseline)")
    if args.profile and worst[1]:
        _, scenario_id, strategy = worst
        print(f"\nProfile of the slowest on one core: {scenario_id}, {strategy}")
        path = REPO / "scenarios" / f"{scenario_id}.toml"
        profile = cProfile.Profile()
        profile.runcall(timed, path, strategy, min(args.runs, 300), 1)
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
