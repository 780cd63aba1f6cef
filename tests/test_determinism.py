"""A run is the same bytes every time: same scenario, seed and script, same output and postmortem.

Each run is a separate interpreter with a different PYTHONHASHSEED, so neither set/dict order
from string hashing nor anything left in one process can leak into the result.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"


def cases() -> list[tuple[str, Path, Path]]:
    """(name, scenario, script): the fixture, and each bundled scenario with both its scripts."""
    found = [("tiny", FIXTURES / "tiny.toml", FIXTURES / "tiny-play.toml")]
    for scenario in sorted((REPO / "scenarios").glob("*.toml")):
        for quality in ("good", "poor"):
            script = REPO / "tests" / "plays" / scenario.stem / f"{quality}.toml"
            if script.is_file():
                found.append((f"{scenario.stem}-{quality}", scenario, script))
    return found


def run_in_fresh_process(scenario: Path, script: Path, postmortem: Path, hash_seed: str) -> bytes:
    """`python -m drill run ... --json --postmortem` in a new interpreter; return its stdout."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "drill", "run", str(scenario), "--script", str(script), "--json",
         "--postmortem", str(postmortem)],
        capture_output=True, env=env, cwd=postmortem.parent, timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


@pytest.mark.parametrize("name,scenario,script", cases(), ids=[c[0] for c in cases()])
def test_same_inputs_give_byte_identical_json_and_postmortem(
    tmp_path: Path, name: str, scenario: Path, script: Path
) -> None:
    first = run_in_fresh_process(scenario, script, tmp_path / "first.md", "1")
    second = run_in_fresh_process(scenario, script, tmp_path / "second.md", "2")
    assert first == second
    assert first.startswith(b"{")
    first_pm = (tmp_path / "first.md").read_bytes()
    assert first_pm == (tmp_path / "second.md").read_bytes()
    assert len(first_pm) > 200


def test_cases_cover_every_bundled_scenario_with_both_scripts() -> None:
    names = {name for name, _, _ in cases()}
    for scenario in ("black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline",
                     "s3-us-east-1", "deleted-sites"):
        assert {f"{scenario}-good", f"{scenario}-poor"} <= names
