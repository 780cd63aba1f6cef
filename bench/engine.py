"""How many full headless runs per second the engine plays, on one core.

For each bundled scenario and its good play script (tests/plays/<id>/good.toml) it times:

- baseline: a Run built and advanced to the clock's limit with no player action;
- simulate: the play script played to its ending (drill.engine.headless.play);
- + score: the same, then score_run (issue 7's engine target: see TARGET_RATE, TARGET_RATIO);
- + postmortem: the same, then render_postmortem.

The baseline is measured in the same process, so the printed ratios compare like with like on
whatever machine runs this.  Usage: ``python bench/engine.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from drill.catalog import bundled_dir  # noqa: E402
from drill.engine.headless import play  # noqa: E402
from drill.engine.naming import generate_names  # noqa: E402
from drill.engine.postmortem import render_postmortem  # noqa: E402
from drill.engine.scoring import score_run  # noqa: E402
from drill.engine.simulation import CompiledScenario, Run  # noqa: E402
from drill.loading import load_playscript, load_scenario  # noqa: E402


TARGET_RATE = 2000
"""Issue 7: black-friday simulated and scored at least this many times a second, ..."""
TARGET_RATIO = 7.0
"""... or one simulated and scored run within this many empty runs measured in the same run."""


ROUNDS = 9
"""Rounds the measurements of one scenario take turns in."""


def pin_to_one_core() -> str:
    """Run on a single CPU where the OS allows it, so numbers do not depend on scheduling."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this OS)"


def _calls_per_second(work: Callable[[], object], seconds: float) -> float:
    calls, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        work()
        calls += 1
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start)


def interleaved(works: Sequence[Callable[[], object]], seconds: float,
                rounds: int = ROUNDS) -> tuple[list[float], list[list[float]]]:
    """Calls per second of each of ``works``, each measured for ``seconds`` in all, in
    ``rounds`` short rounds that take turns, so that this machine's drift in speed (it moves by a third within minutes) hits
    each alike.

    Returns the best rate of each work, and each round's rates (for ratios within a round).
    """
    per_round = seconds / rounds
    samples: list[list[float]] = []
    for _ in range(rounds):
        samples.append([_calls_per_second(work, per_round) for work in works])
    best = [max(sample[i] for sample in samples) for i in range(len(works))]
    return best, samples


def ratio(samples: list[list[float]], base: int, other: int) -> float:
    """The median over rounds of how many ``base`` calls fit in one ``other`` call."""
    return statistics.median(sample[base] / sample[other] for sample in samples)


def cases() -> list[tuple[str, Path, Path]]:
    """(id, scenario file, good script) for every bundled scenario that has a good script."""
    found = []
    directory = bundled_dir()
    for path in sorted(directory.glob("*.toml")) if directory else []:
        script = REPO / "tests" / "plays" / path.stem / "good.toml"
        if script.is_file():
            found.append((path.stem, path, script))
    if not found:
        # A checkout without the bundled scenarios yet: measure the test fixture instead.
        fixtures = REPO / "tests" / "fixtures"
        found.append(("tiny (fixture)", fixtures / "tiny.toml", fixtures / "tiny-play.toml"))
    return found


def main() -> int:
    """Print a table of runs per second and ratios to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5,
                        help="time per measurement (each of the four, over all rounds)")
    options = parser.parse_args()
    print(f"drill engine benchmark, Python {sys.version.split()[0]}, {pin_to_one_core()}")
    header = f"{'scenario':<22}{'baseline/s':>12}{'simulate/s':>12}{'+score/s':>11}" \
             f"{'+postmortem/s':>15}{'score vs baseline':>19}{'full vs baseline':>18}"
    print(header)
    print("-" * len(header))
    for name, scenario_path, script_path in cases():
        compiled = CompiledScenario.build(load_scenario(scenario_path))
        script = load_playscript(script_path)
        names = generate_names(compiled.scenario, script.seed)
        limit = compiled.scenario.clock.limit

        def baseline() -> None:
            Run(compiled, script.seed, names).advance_to(limit)

        def simulate() -> object:
            return play(compiled, script.seed, script.steps, names)

        def scored() -> object:
            return score_run(play(compiled, script.seed, script.steps, names))

        def full() -> object:
            run = play(compiled, script.seed, script.steps, names)
            return render_postmortem(run, score_run(run))

        rates, samples = interleaved((baseline, simulate, scored, full), options.seconds)
        print(f"{name:<22}{rates[0]:>12.0f}{rates[1]:>12.0f}{rates[2]:>11.0f}{rates[3]:>15.0f}"
              f"{ratio(samples, 0, 2):>17.1f} x{ratio(samples, 0, 3):>16.1f} x")
    print(f"\nRates are the best of {ROUNDS} rounds; the four measurements take turns in each "
          "round.\n'score vs baseline': how many empty runs fit in the time of one simulated and "
          "scored run (the median over rounds of the ratio within a round);\n'full vs baseline': "
          "the same with its postmortem too.\n"
          f"Issue 7's engine target applies to black-friday's '+score/s' and 'score vs baseline':\n"
          f"met when +score/s >= {TARGET_RATE:,} or score vs baseline <= {TARGET_RATIO:g} x.\n"
          "Names are generated once per scenario, as a replay does.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
