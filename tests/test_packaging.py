"""The wheel a user installs carries the bundled scenarios and finds them.

Building needs the hatchling backend; pip fetches it into an isolated build environment.  On a
machine with no package index and no cached hatchling the test is skipped, with the reason.
"""

from __future__ import annotations

import os
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

BUNDLED = ["black-friday", "deleted-sites", "hourly-microbreak", "redesign-deadline", "s3-us-east-1",
           "wrong-delete"]
OFFLINE_SIGNS = ("No matching distribution found for hatchling", "Could not find a version",
                 "NewConnectionError", "Temporary failure in name resolution",
                 "Network is unreachable", "ProxyError")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (takes a few seconds: it may download hatchling)."""
    out = tmp_path_factory.mktemp("wheel")
    # With the backend installed (the test extra has it), no isolated build environment.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         *isolation, "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0:
        if any(sign in result.stdout + result.stderr for sign in OFFLINE_SIGNS):
            pytest.skip("the hatchling build backend cannot be fetched (offline?)")
        pytest.fail(f"pip wheel failed:\n{result.stdout}\n{result.stderr}")
    wheels = list(out.glob("drill-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contains_the_six_bundled_scenarios(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    bundled = sorted(n for n in names if n.startswith("drill/_bundled_scenarios/"))
    assert bundled == [f"drill/_bundled_scenarios/{id_}.toml" for id_ in BUNDLED]
    assert "drill/cli.py" in names and "drill/engine/simulation.py" in names


def test_wheel_ships_the_guides_drill_new_points_to(wheel: Path, tmp_path: Path) -> None:
    """`drill new` names scenario-format.md: an installed package has it, and finds it."""
    names = zipfile.ZipFile(wheel).namelist()
    for guide in ("scenario-format.md", "scoring.md", "play-scripts.md", "facilitator.md"):
        assert f"drill/_docs/{guide}" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    result = subprocess.run(
        [sys.executable, "-c", "import drill.catalog as c; print(c.docs_path('scenario-format.md'))"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, "PYTHONPATH": str(target)})
    assert result.stdout.strip() == str(target / "drill" / "_docs" / "scenario-format.md")


def test_wheel_declares_the_drill_command(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    entry_points = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "drill = drill.cli:main" in archive.read(entry_points).decode()


def test_installed_wheel_lists_its_bundled_scenarios(wheel: Path, tmp_path: Path) -> None:
    """Unpacked as pip installs it: `drill list` finds the scenarios inside the package."""
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c",
         "import drill, drill.catalog as c, sys; print(drill.__file__); print(c.bundled_dir()); "
         "from drill.cli import main; sys.exit(main(['list']))"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    module_file, bundled_dir, *table = result.stdout.splitlines()
    assert module_file.startswith(str(target))
    assert bundled_dir == str(target / "drill" / "_bundled_scenarios")
    assert sorted(line.split()[0] for line in table[1:]) == BUNDLED


def quick_start_commands() -> list[str]:
    """The shell commands in the README's Quick start section, in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    return [line.strip() for block in blocks for line in block.splitlines()[1:] if line.strip()]


def test_readme_quick_start_has_an_install_and_play_and_an_install_and_test_command() -> None:
    play, test = quick_start_commands()
    assert "pip install ." in play and play.endswith("/drill")
    assert "pip install '.[test]'" in test and "-m pytest" in test


def test_readme_quick_start_commands_use_a_virtual_environment_each() -> None:
    """Playing and testing do not share a venv: each command works on a fresh machine alone,
    and running one never changes what the other installed."""
    play, test = quick_start_commands()
    venvs = [command.split("-m venv ", 1)[1].split()[0] for command in (play, test)]
    assert venvs[0] != venvs[1]
    for command, venv in zip((play, test), venvs):
        assert all(part.strip().startswith(f"{venv}/") for part in command.split("&&")[1:])


def test_ci_runs_the_readme_test_command() -> None:
    """CI and a developer following the README install the same way and run the same pytest."""
    _, readme_test = quick_start_commands()
    readme_pytest = readme_test.split("&&")[-1].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    ci_pytest = [line.strip() for line in ci.splitlines() if "-m pytest" in line]
    assert len(ci_pytest) == 1
    # Both use their venv's interpreter: compare from `-m pytest` on.
    assert readme_pytest.endswith("/python -m pytest -q")
    assert ci_pytest[0].split("-m pytest", 1)[1] == readme_pytest.split("-m pytest", 1)[1]
    assert ci_pytest[0].startswith('"$venv_python"')
    assert "pip install --quiet --disable-pip-version-check '.[test]'" in ci
    assert "-e " not in ci and "--editable" not in ci
