"""How long `drill validate` takes, and how much memory, on the worst files up to the 1 MiB limit.

Each file of tests/hostile_files.py (deep dotted keys and tables, huge arrays and tables, the
biggest legal scenario...) is written to a temporary folder and validated by
``python -m drill validate FILE`` in a fresh process; the wall time, the CPU time and the peak
resident memory of that process (``os.wait4``'s rusage) are printed next to the same figures for
validating a normal bundled scenario, measured in the same run.  Targets (issue 9): every file
within 2 s and 200 MB.

Run: python bench/validate_hostile.py [--runs N]   (the median of N runs per file, default 3)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile_files import GENERATORS  # noqa: E402

BASELINE = REPO / "scenarios" / "black-friday.toml"
TARGET_SECONDS = 2.0
TARGET_MEGABYTES = 200


def measure(path: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak MB, exit code) of `drill validate path`, fresh process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "drill", "validate", str(path)], cwd=REPO,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def median_of(path: Path, runs: int) -> tuple[float, float, float, int]:
    samples = [measure(path) for _ in range(runs)]
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            max(s[2] for s in samples), samples[-1][3])


def main() -> int:
    """Print one line per file; exit 1 when a file misses a target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per file (default 3)")
    options = parser.parse_args()
    measure(BASELINE)  # warm the .pyc caches
    base_wall, base_cpu, base_mb, _ = median_of(BASELINE, options.runs)
    print(f"drill validate, Python {sys.version.split()[0]}, medians of {options.runs} runs "
          f"(fresh process each; peak memory is the largest)")
    print(f"{'file':<36}{'size':>9}{'exit':>6}{'wall':>9}{'cpu':>9}{'peak':>9}{'x base':>8}")
    print(f"{'baseline: ' + BASELINE.name:<36}{BASELINE.stat().st_size / 1024:>7.0f}KB"
          f"{0:>6}{base_wall:>8.2f}s{base_cpu:>8.2f}s{base_mb:>7.0f}MB{1:>8.1f}")
    missed = []
    with tempfile.TemporaryDirectory() as folder:
        for number, (name, generate) in enumerate(GENERATORS.items()):
            path = Path(folder) / f"hostile-{number}.toml"
            path.write_text(generate(), encoding="utf-8")
            wall, cpu, megabytes, code = median_of(path, options.runs)
            print(f"{name:<36}{path.stat().st_size / 1024:>7.0f}KB{code:>6}{wall:>8.2f}s"
                  f"{cpu:>8.2f}s{megabytes:>7.0f}MB{wall / base_wall:>8.1f}")
            if wall > TARGET_SECONDS or megabytes > TARGET_MEGABYTES:
                missed.append(name)
    print(f"target: every file within {TARGET_SECONDS:g} s and {TARGET_MEGABYTES} MB: "
          + ("met" if not missed else f"MISSED by {', '.join(missed)}"))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
