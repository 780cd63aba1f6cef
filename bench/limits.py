"""How long, and how much memory, a run takes when a scenario runs away, against a bundled one.

Every case of the runaway corpus (tests/runaway.py) is played once, headless with no player step
and scored, as ``drill run`` would; so is the biggest legal scenario (every list at its model's
limit, about 0.7 MB of TOML), once per automatic strategy, after the engine's share of
``drill validate`` on it (models, checks, compiling, reachability; reading and parsing the file
are the loader's).  Each is timed in CPU seconds and, in a second pass under ``tracemalloc``,
measured for peak memory; the baseline is black-friday's good play script, played and scored in
the same process.  The target (issue 9): any scenario ``drill validate`` accepts plays one run in
at most 2 s and validates in at most 2 s and 200 MB.

Usage: ``python bench/limits.py``.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from drill.catalog import bundled_dir  # noqa: E402
from drill.engine import validation, strategies  # noqa: E402
from drill.engine.headless import play  # noqa: E402
from drill.engine.naming import generate_names  # noqa: E402
from drill.engine.scenario import Scenario  # noqa: E402
from drill.engine.scoring import score_run  # noqa: E402
from drill.engine.simulation import CompiledScenario  # noqa: E402
from drill.loading import load_playscript, load_scenario  # noqa: E402
from tests import runaway  # noqa: E402

TARGET_SECONDS = 2.0
TARGET_MB = 200


def measure(work: Callable[[], object]) -> tuple[float, float, object]:
    """CPU seconds of one call, then peak MB of a second call under tracemalloc; its result."""
    gc.collect()
    start = time.process_time()
    result = work()
    seconds = time.process_time() - start
    gc.collect()
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, result


def baseline() -> float:
    """CPU seconds of black-friday's good play script, played and scored (best of 20)."""
    compiled = CompiledScenario.build(load_scenario(bundled_dir() / "black-friday.toml"))
    script = load_playscript(REPO / "tests" / "plays" / "black-friday" / "good.toml")
    names = generate_names(compiled.scenario, 1)
    best = float("inf")
    for _ in range(20):
        start = time.process_time()
        score_run(play(compiled, 1, script.steps, names))
        best = min(best, time.process_time() - start)
    return best


def played(data: dict) -> Callable[[], object]:
    """Compile and play a scenario once, headless with no step, and score it."""
    def work() -> object:
        record = play(CompiledScenario.build(Scenario.model_validate(data)), 1, [], names={})
        score_run(record)
        return record
    return work


def row(label: str, seconds: float, peak: float, base: float, outcome: str) -> str:
    verdict = "ok" if seconds <= TARGET_SECONDS and peak <= TARGET_MB else "OVER"
    return (f"{label:<34}{seconds:>8.2f}{seconds / base:>9.0f} x{peak:>8.1f}  {verdict:<5}"
            f"{outcome}")


def main() -> int:
    base = baseline()
    print(f"drill limits benchmark, Python {sys.version.split()[0]}; baseline: black-friday "
          f"good play, played and scored, {base * 1000:.1f} ms CPU")
    print(f"{'case':<34}{'CPU s':>8}{'vs base':>11}{'peak MB':>8}  {'2 s?':<5}outcome")
    print("-" * 110)
    cases: list[tuple[str, Callable[[], dict]]] = [
        (name, build) for name, (build, _) in runaway.RUNAWAYS.items()]
    cases.append(("many time conditions (1e6 clock)", runaway.many_time_conditions))
    for name, build in cases:
        seconds, peak, record = measure(played(build()))
        halted = getattr(record, "halted", None)
        outcome = f"stopped: {halted}" if halted else f"ended: {record.ending.id}"  # type: ignore[attr-defined]
        print(row(name, seconds, peak, base, outcome[:60]))

    biggest = runaway.biggest()
    print()
    print("the biggest legal scenario: " + ", ".join(
        f"{len(biggest[key])} {key}"
        for key in ("state", "events", "actions", "people", "requests", "milestones", "endings")))

    def validate() -> object:
        scenario = Scenario.model_validate(biggest)
        found = validation.check_scenario(scenario)
        CompiledScenario.build(scenario)
        return found + validation.check_reachability(scenario)

    seconds, peak, found = measure(validate)
    print(row("validate (engine share)", seconds, peak, base, f"{len(found)} findings"))  # type: ignore[arg-type]
    compiled = CompiledScenario.build(Scenario.model_validate(biggest))

    def no_step() -> object:
        record = play(compiled, 1, [], names={})
        score_run(record)
        return record

    seconds, peak, record = measure(no_step)
    print(row("play, no step", seconds, peak, base,
              f"ended: {record.ending.id}, {len(record.log)} entries"))  # type: ignore[attr-defined]
    for strategy in strategies.STRATEGIES:
        if strategy == "scripts":
            continue

        def one(strategy: str = strategy) -> object:
            record, _ = strategies.play(compiled, strategy, 1)
            score_run(record)
            return record

        seconds, peak, record = measure(one)
        halted = record.halted  # type: ignore[attr-defined]
        outcome = f"stopped: {halted}" if halted else f"ended: {record.ending.id}"  # type: ignore[attr-defined]
        print(row(f"play, {strategy}", seconds, peak, base, outcome[:60]))
    print()
    print("'vs base': how many of the baseline run the case costs.  A stopped run ends with the "
          "ending 'halted'; see drill/engine/limits.py.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
