"""How long `drill check` takes: 1,000 runs per strategy on each bundled scenario.

For each scenario it times run_check with one worker and with every core, and prints runs per
second and the wall time per strategy, next to a baseline measured in the same run: a bare Run
advanced to its clock's limit with no player action, on one core.  Target: 1,000 runs per
strategy in under 10 s on a 2-core machine.

Run: python bench/check.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from drill.engine.simulation import CompiledScenario, Run  # noqa: E402
from drill.loading import load_scenario  # noqa: E402
from drill.scenario_check import default_scripts, run_check  # noqa: E402

SCENARIOS = ["black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline"]
STRATEGIES = ("random", "greedy", "silent", "scripts")


def baseline_rate(path: Path, seconds: float = 1.0) -> float:
    """Bare runs per second: build a Run and advance it to the end, no actions."""
    compiled = CompiledScenario.build(load_scenario(path))
    limit = compiled.scenario.clock.limit
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        Run(compiled, runs, {}).advance_to(limit)
        runs += 1
    return runs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"{args.runs} runs per strategy; {cores} cores")
    for scenario_id in SCENARIOS:
        path = REPO / "scenarios" / f"{scenario_id}.toml"
        scripts = default_scripts(scenario_id, REPO)
        base = baseline_rate(path)
        print(f"\n{scenario_id}: baseline (bare run, 1 core) {base:,.0f} runs/s")
        for jobs in sorted({1, cores}):
            start = time.perf_counter()
            run_check(path, runs=args.runs, strategies=STRATEGIES, scripts=scripts, jobs=jobs)
            wall = time.perf_counter() - start
            total = args.runs * (3 + len(scripts))
            per_strategy = wall / (3 + len(scripts))
            print(f"  jobs={jobs}: {wall:5.1f} s for {total} runs = {total / wall:,.0f} runs/s; "
                  f"{per_strategy:.2f} s per {args.runs}-run strategy "
                  f"({(total / wall) / base:.2f}x the bare-run rate)")


if __name__ == "__main__":
    main()
