"""A run is the same bytes every time: same scenario, seed and script, same output and postmortem.

Two separate interpreters with different PYTHONHASHSEEDs each play every case, the second in the
reverse order, so neither set/dict order from string hashing nor anything one run leaves behind
in a process (a cache, a counter) can change a result without a test failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"

# Plays each case (name, scenario, script) of argv[1] with `drill run --json --postmortem`, in
# the order given, into argv[2]/<name>.json and <name>.md: one interpreter for all of them.
_DRIVER = """
import contextlib, io, json, sys
from pathlib import Path
from drill.cli import main
out = Path(sys.argv[2])
for name, scenario, script in json.loads(sys.argv[1]):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["run", scenario, "--script", script, "--json",
                     "--postmortem", str(out / f"{name}.md")])
    if code != 0:
        sys.exit(f"{name}: drill run exited {code}")
    (out / f"{name}.json").write_text(printed.getvalue(), encoding="utf-8")
"""


def cases() -> list[tuple[str, Path, Path]]:
    """(name, scenario, script): the fixture, and each bundled scenario with both its scripts."""
    found = [("tiny", FIXTURES / "tiny.toml", FIXTURES / "tiny-play.toml")]
    for scenario in sorted((REPO / "scenarios").glob("*.toml")):
        for quality in ("good", "poor"):
            script = REPO / "tests" / "plays" / scenario.stem / f"{quality}.toml"
            if script.is_file():
                found.append((f"{scenario.stem}-{quality}", scenario, script))
    return found


def play_in_fresh_process(order: list[tuple[str, Path, Path]], out: Path, hash_seed: str) -> None:
    """Every case of ``order`` in one new interpreter, outputs into ``out``."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
    listed = json.dumps([(name, str(scenario), str(script)) for name, scenario, script in order])
    result = subprocess.run([sys.executable, "-c", _DRIVER, listed, str(out)],
                            capture_output=True, env=env, cwd=out, timeout=600)
    assert result.returncode == 0, result.stderr.decode()


@pytest.fixture(scope="module")
def fresh_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The two folders of outputs: forward order with hash seed 1, reverse with hash seed 2."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    play_in_fresh_process(cases(), first, "1")
    play_in_fresh_process(cases()[::-1], second, "2")
    return first, second


@pytest.mark.parametrize("name", [c[0] for c in cases()])
def test_same_inputs_give_byte_identical_json_and_postmortem(fresh_runs: tuple[Path, Path],
                                                             name: str) -> None:
    first, second = fresh_runs
    output = (first / f"{name}.json").read_bytes()
    assert output == (second / f"{name}.json").read_bytes()
    assert output.startswith(b"{")
    postmortem = (first / f"{name}.md").read_bytes()
    assert postmortem == (second / f"{name}.md").read_bytes()
    assert len(postmortem) > 200


def test_cases_cover_every_bundled_scenario_with_both_scripts() -> None:
    names = {name for name, _, _ in cases()}
    for scenario in ("black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline",
                     "s3-us-east-1", "deleted-sites"):
        assert {f"{scenario}-good", f"{scenario}-poor"} <= names
