"""`drill`, `drill FILE.toml`, `drill play` and `drill resume`: one parser, checks before the TUI.

The TUI itself is never started here: ``cli.run_app`` is replaced by a recorder of the Settings
it would be started with, and ``cli.has_terminal`` says whether there is a terminal (tests run
without one).  tests/tui/ drives the app itself with ``DrillApp(settings).run_test()``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drill import cli
from drill.engine.playscript import PlayScript
from drill.session import GameSession, ScenarioSource

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "fixtures" / "tiny.toml"


class Started:
    """What the TUI would have been started with."""

    def __init__(self) -> None:
        self.settings: list = []

    def __call__(self, settings) -> int:
        self.settings.append(settings)
        return 0

    @property
    def only(self):
        assert len(self.settings) == 1, self.settings
        return self.settings[0]


@pytest.fixture
def tui(monkeypatch, tmp_path) -> Started:
    """A terminal, and a TUI that records its settings instead of taking the screen."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DRILL_SAVES_DIR", raising=False)
    started = Started()
    monkeypatch.setattr(cli, "has_terminal", lambda: True)
    monkeypatch.setattr(cli, "run_app", started)
    return started


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- one parser, options anywhere -----------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["--saves-dir", "D", "play", str(TINY)],
    ["play", str(TINY), "--saves-dir", "D"],
    ["play", "--saves-dir", "D", str(TINY)],
    ["--saves-dir=E", "play", str(TINY), "--saves-dir=D"],
])
def test_saves_dir_works_before_or_after_play_and_its_file(capsys, tui, argv) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert tui.only.saves_dir == Path("D")
    assert tui.only.play == str(TINY)


def test_play_passes_seed_and_pace(capsys, tui) -> None:
    assert run(capsys, "play", "black-friday", "--seed", "3", "--pace", "2.5")[0] == 0
    settings = tui.only
    assert (settings.play, settings.seed, settings.pace) == ("black-friday", 3, 2.5)
    assert settings.saves_dir == Path("saves")


@pytest.mark.parametrize("argv", [[str(TINY)], [str(TINY), "--saves-dir", "D"],
                                  ["--saves-dir", "D", str(TINY), str(TINY)]])
def test_a_scenario_file_alone_opens_the_picker_with_it_listed(capsys, tui, argv) -> None:
    assert run(capsys, *argv)[0] == 0
    settings = tui.only
    assert settings.play is None and settings.resume is None
    assert set(settings.extra_scenarios) == {str(TINY)}
    assert settings.saves_dir == (Path("D") if "D" in argv else Path("saves"))


def test_no_arguments_opens_the_picker(capsys, tui, monkeypatch) -> None:
    monkeypatch.setenv("DRILL_SAVES_DIR", "elsewhere")
    assert run(capsys)[0] == 0
    assert tui.only.saves_dir == Path("elsewhere") and tui.only.extra_scenarios == []


def test_play_help_shows_plays_options(capsys) -> None:
    code, out, _ = run(capsys, "play", "--help")
    assert code == 0
    assert "--seed" in out and "--pace" in out and "--saves-dir" in out and "SCENARIO" in out


@pytest.mark.parametrize("argv", [["play", "x.toml", "--pace", "0"],
                                  ["play", "x.toml", "--pace", "nan"],
                                  ["play", "x.toml", "--seed", "-1"], ["play"],
                                  [str(TINY), "list"]])
def test_bad_tui_options_are_usage_errors(capsys, tui, argv) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and "usage:" in err
    assert tui.settings == []


def test_play_reports_a_broken_scenario_before_the_tui_starts(capsys, tui, tmp_path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(TINY.read_text().replace("limit = 120", 'limit = "soon"'))
    code, out, err = run(capsys, "play", str(broken))
    assert code == 1 and out == ""
    assert f"{broken}:" in err and "clock.limit" in err
    assert tui.settings == []
    code, _, err = run(capsys, "play", "no-such-drill")
    assert code == 1 and "unknown scenario 'no-such-drill'" in err


# -- without a terminal -----------------------------------------------------------------------


@pytest.mark.parametrize("argv", [[], ["play", "black-friday"], ["resume"], [str(TINY)]])
def test_without_a_terminal_the_tui_is_refused_at_once(capsys, monkeypatch, tmp_path,
                                                        argv) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "run_app", lambda settings: pytest.fail("started the TUI"))
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "needs a terminal" in err and "drill run" in err and "drill list" in err


def test_drill_in_a_pipe_exits_at_once_without_escape_codes(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "drill"], cwd=tmp_path, capture_output=True,
                            stdin=subprocess.DEVNULL, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"\x1b" not in result.stderr and b"needs a terminal" in result.stderr


# -- resume -----------------------------------------------------------------------------------


def saved(folder: Path, seed: int, steps: list[dict], mtime: float) -> Path:
    """A run of the tiny scenario with ``steps``, saved, its file dated ``mtime``."""
    session = GameSession.start(ScenarioSource.open(str(TINY)), seed=seed, pace=1.0,
                                saves_dir=folder)
    for step in PlayScript.model_validate({"steps": steps}).steps:
        session.act(step)
    os.utime(session.save_path, (mtime, mtime))
    return session.save_path


def edited(path: Path, change) -> Path:
    body = json.loads(path.read_text())
    change(body)
    path.write_text(json.dumps(body))
    return path


def test_resume_without_a_save_skips_damaged_ones_and_says_which(capsys, tui, tmp_path) -> None:
    folder = tmp_path / "saves"
    good = saved(folder, 1, [{"at": 3, "do": "page", "person": "ops"}], 1_000)
    paged_twice = edited(saved(folder, 2, [{"at": 3, "do": "page", "person": "ops"}], 2_000),
                         lambda b: b["steps"].append({"at": 12, "do": "page", "person": "ops"}))
    os.utime(paged_twice, (2_000, 2_000))
    huge_seed = saved(folder, 3, [], 3_000)
    huge_seed.write_text(huge_seed.read_text().replace('"seed": 3', '"seed": 1e400'))
    os.utime(huge_seed, (3_000, 3_000))
    os.mkfifo(folder / "pipe.json")  # opening it would block: it must not even be opened
    (folder / "folder.json").mkdir()

    code, _, err = run(capsys, "resume", "--saves-dir", str(folder))
    assert code == 0, err
    assert tui.only.resume == good
    lines = err.splitlines()
    assert lines == [
        f"drill resume: skipped {huge_seed}: seed: must be a whole number from 0 to 2**63-1, "
        "not Infinity",
        f"drill resume: skipped {paged_twice}: the saved steps no longer replay: "
        f"step 2 (page at T+12): {json.loads(paged_twice.read_text())['names']['ops']} has "
        "already been paged",
    ]


def test_resume_with_nothing_to_resume_says_so(capsys, tui, tmp_path) -> None:
    folder = tmp_path / "saves"
    broken = saved(folder, 1, [], 1_000)
    broken.write_text(broken.read_text().replace('"pace": 1.0', '"pace": 0'))
    code, _, err = run(capsys, "resume", "--saves-dir", str(folder))
    assert code == 1
    assert f"skipped {broken}: pace: must be above 0" in err
    assert "no unfinished run to resume" in err and "1 damaged save skipped" in err
    assert tui.settings == []


def test_resume_of_a_damaged_save_is_one_line_and_no_tui(capsys, tui, tmp_path) -> None:
    path = saved(tmp_path / "saves", 1, [], 1_000)
    path.write_text(path.read_text().replace('"clock": 0.0', '"clock": NaN'))
    code, out, err = run(capsys, "resume", str(path))
    assert code == 1 and out == ""
    assert err == f"drill resume: {path}: clock: must be a finite number, not NaN\n"
    assert tui.settings == []


def test_resume_of_a_good_save_starts_the_tui_with_it(capsys, tui, tmp_path) -> None:
    path = saved(tmp_path / "saves", 1, [{"at": 3, "do": "page", "person": "ops"}], 1_000)
    assert run(capsys, "resume", str(path))[0] == 0
    assert tui.only.resume == path
