"""How long `drill validate` takes on every bundled scenario, against the interpreter's start.

Each command runs in a fresh process N times; the medians are printed with their ratio to a
bare ``python -c pass``:

- ``python -c pass``: the floor, interpreter start alone;
- ``python -c "import drill.loading"``: the cost of importing the loader (pydantic, models);
- ``python -m drill validate scenarios/*.toml``: the whole command a facilitator runs.

Usage: ``python bench/validate.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def scenario_files() -> list[str]:
    """The bundled scenarios, or the test fixture in a checkout that has none yet."""
    files = sorted(str(p) for p in (REPO / "scenarios").glob("*.toml"))
    return files or [str(REPO / "tests" / "fixtures" / "tiny.toml")]


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time of ``command`` over ``runs`` runs (after one warm-up for the .pyc)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    """Print the medians and their ratios to the bare interpreter start."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per command (default 9)")
    options = parser.parse_args()
    files = scenario_files()
    commands = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("import drill.loading", [sys.executable, "-c", "import drill.loading"]),
        (f"drill validate ({len(files)} files)", [sys.executable, "-m", "drill", "validate", *files]),
    ]
    print(f"drill validate benchmark, Python {sys.version.split()[0]}, medians of {options.runs} runs")
    floor = None
    for label, command in commands:
        seconds = median_seconds(command, options.runs)
        floor = floor or seconds
        print(f"{label:<34}{seconds * 1000:>8.0f} ms{seconds / floor:>8.1f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
