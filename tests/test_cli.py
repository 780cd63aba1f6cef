"""The `drill` command as a user or a CI script meets it: output, files and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drill import cli

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
TINY = FIXTURES / "tiny.toml"
TINY_PLAY = FIXTURES / "tiny-play.toml"
BUNDLED = ["black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline", "s3-us-east-1",
           "deleted-sites"]


def drill(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `drill argv...` in this process; return (exit code, stdout, stderr)."""
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory, so that ./scenarios is under the test's control."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- list ---------------------------------------------------------------------------------------


def test_list_shows_every_bundled_scenario_as_a_table(capsys, workdir) -> None:
    code, out, err = drill(capsys, "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "CLOCK", "PLAY", "TIME"]
    ids = [line.split()[0] for line in lines[1:]]
    assert sorted(ids) == sorted(BUNDLED)
    redesign = next(line for line in lines if line.startswith("redesign-deadline"))
    assert " days " in redesign and "min" in redesign
    outage = next(line for line in lines if line.startswith("black-friday"))
    assert " minutes " in outage


def test_list_includes_scenarios_of_the_current_directory(capsys, workdir) -> None:
    (workdir / "scenarios").mkdir()
    shutil.copy(TINY, workdir / "scenarios" / "tiny.toml")
    code, out, _ = drill(capsys, "list")
    assert code == 0
    tiny = next(line for line in out.splitlines() if line.startswith("tiny "))
    assert "Tiny" in tiny and "minutes" in tiny and "~5 min" in tiny
    assert "scenarios/tiny.toml" in tiny


def test_a_local_copy_of_a_bundled_scenario_is_listed_once_in_its_place(capsys, workdir) -> None:
    """A facilitator's ./scenarios/black-friday.toml replaces the bundled one, and says so; an
    id given to `drill play` or `drill run` finds the same file."""
    from drill.catalog import resolve

    (workdir / "scenarios").mkdir()
    local = workdir / "scenarios" / "black-friday.toml"
    local.write_text((REPO / "scenarios" / "black-friday.toml").read_text()
                     .replace('title = "Black Friday message corruption"',
                              'title = "Black Friday, our version"'))
    code, out, _ = drill(capsys, "list")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("black-friday ")]
    assert len(rows) == 1, out
    assert "Black Friday, our version" in rows[0]
    assert "scenarios/black-friday.toml, replaces the bundled one" in rows[0]
    assert resolve("black-friday").resolve() == local.resolve()


def test_list_neutralises_terminal_escapes_in_a_local_title(capsys, workdir) -> None:
    (workdir / "scenarios").mkdir()
    hostile = TINY.read_text().replace('title = "Tiny"', 'title = "Tiny\\u001b[2J\\u001b]0;pwned\\u0007"')
    (workdir / "scenarios" / "tiny.toml").write_text(hostile)
    code, out, _ = drill(capsys, "list")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "Tiny " in out and "[2J" not in out and "pwned" not in out


def test_list_skips_a_broken_local_file_with_a_warning(capsys, workdir) -> None:
    (workdir / "scenarios").mkdir()
    shutil.copy(TINY, workdir / "scenarios" / "tiny.toml")
    (workdir / "scenarios" / "broken.toml").write_text("[meta\nid = 1\n")
    code, out, err = drill(capsys, "list")
    assert code == 0
    assert any(line.startswith("tiny ") for line in out.splitlines())
    assert "broken.toml" in err and "warning" in err


# -- run ----------------------------------------------------------------------------------------


def test_run_prints_the_score_card_and_warns_about_refused_steps(capsys, workdir) -> None:
    code, out, err = drill(capsys, "run", str(TINY), "--script", str(TINY_PLAY))
    assert code == 0, err
    assert "Tiny (scenario tiny, seed 7)" in out
    assert "Ending: Fixed [resolved] at T+60" in out
    for title in ("Communication cadence", "Asking for help", "Rollback choices",
                  "Realistic estimates", "Overall"):
        assert title in out
    # The step at T+1 starts the fix before the alert: the run refuses it, the CLI says so.
    assert "warning:" in err and "T+1 " in err and "rejected" in err
    assert "Overall weighs" not in out, "equal weights need no note"


def test_a_scenario_with_its_own_weights_says_how_overall_is_weighed(capsys, workdir) -> None:
    code, out, err = drill(capsys, "run", "black-friday", "--script",
                           str(REPO / "tests" / "plays" / "black-friday" / "poor.toml"))
    assert code == 0, err
    assert "Overall weighs communication 0.4, help 0.2, rollback 0.2, estimates 0.2" in out


def test_run_json_has_the_documented_fields(capsys, workdir) -> None:
    code, out, err = drill(capsys, "run", str(TINY), "--script", str(TINY_PLAY), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert list(result) == sorted(result)
    assert set(result) == {"scenario", "seed", "variant", "outcome", "ending", "ended_at",
                           "scores", "deductions", "names", "players"}
    assert result["variant"] is None, "nothing varies in tiny"
    assert result["players"] == [], "a solo run has no per-player scores"
    assert result["scenario"] == "tiny"
    assert result["seed"] == 7
    assert (result["outcome"]["ending"], result["ending"], result["ended_at"]) == (
        "resolved", "ok", 60.0)
    scores = result["scores"]
    assert set(scores) == {"communication", "help", "rollback", "estimates", "outcome",
                           "overall"}
    assert all(value is None or 0 <= value <= 100 for value in scores.values())
    assert all(scores[d] is None for d in ("rollback",)), "not applicable is null, never 0"
    for deduction in result["deductions"]:
        assert deduction["dimension"] in scores
        assert deduction["points"] > 0
        assert deduction["what"] and deduction["norm"]
    assert set(result["names"]) == {"ops"} and result["names"]["ops"].strip()


def test_run_of_a_team_script_scores_each_player_on_their_role(capsys, workdir) -> None:
    scenario = REPO / "docs" / "example-scenario.toml"
    script = REPO / "docs" / "example-play-team.toml"
    code, out, err = drill(capsys, "run", str(scenario), "--script", str(script))
    assert code == 0, err
    table = out.split("Per player", 1)[1].splitlines()
    bo = next(line for line in table if line.startswith("Bo (comms)"))
    assert "Communications" in bo and bo.split()[-4:-1] == ["-", "-", "-"]
    code, out, err = drill(capsys, "run", str(scenario), "--script", str(script), "--json")
    players = {p["player"]: p for p in json.loads(out)["players"]}
    assert set(players) == {"Ana (commander)", "Bo (comms)", "Cy (ops)"}, \
        "the player who only took a teammate over gets no score"
    assert players["Bo (comms)"]["role"] == "comms"
    assert set(players["Bo (comms)"]["scores"]) == {"communication", "overall"}
    assert set(players["Cy (ops)"]["scores"]) == {"rollback", "overall"}


def test_run_seed_option_overrides_the_scripts_seed(capsys, workdir) -> None:
    _, out7, _ = drill(capsys, "run", str(TINY), "--script", str(TINY_PLAY), "--json")
    code, out8, _ = drill(capsys, "run", str(TINY), "--script", str(TINY_PLAY), "--json",
                          "--seed", "8")
    assert code == 0
    assert json.loads(out8)["seed"] == 8
    # Unnamed people get names generated from the seed.
    assert json.loads(out7)["names"] != json.loads(out8)["names"]


def test_run_writes_the_postmortem(capsys, workdir) -> None:
    target = workdir / "pm.md"
    code, out, err = drill(capsys, "run", str(TINY), "--script", str(TINY_PLAY),
                           "--postmortem", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("#")
    assert "Fixed" in text or "tiny" in text.lower()
    assert f"Postmortem written to {target}" in out
    assert [p.name for p in workdir.iterdir()] == ["pm.md"]


def test_run_postmortem_into_a_missing_directory_is_a_clean_error(capsys, workdir) -> None:
    target = workdir / "missing" / "pm.md"
    code, out, err = drill(capsys, "run", str(TINY), "--script", str(TINY_PLAY),
                           "--postmortem", str(target))
    assert code == 1
    assert str(target) in err and "Traceback" not in err


def test_run_unknown_scenario_id_names_the_known_ones(capsys, workdir) -> None:
    code, out, err = drill(capsys, "run", "no-such-drill", "--script", str(TINY_PLAY))
    assert code == 1
    assert "unknown scenario 'no-such-drill'" in err
    assert "black-friday" in err
    assert out == ""


def test_run_missing_scenario_file_names_it(capsys, workdir) -> None:
    code, _, err = drill(capsys, "run", "nowhere/x.toml", "--script", str(TINY_PLAY))
    assert code == 1
    assert "x.toml" in err and "Traceback" not in err


def test_run_with_a_script_that_is_not_toml(capsys, workdir) -> None:
    script = workdir / "bad.toml"
    script.write_text('scenario = "tiny"\n[[steps]\nat = 1\n')
    code, out, err = drill(capsys, "run", str(TINY), "--script", str(script))
    assert code == 1
    assert "bad.toml" in err and ":2" in err
    assert out == ""


def test_run_with_a_script_step_of_unknown_kind(capsys, workdir) -> None:
    script = workdir / "odd.toml"
    script.write_text('scenario = "tiny"\n[[steps]]\nat = 1\ndo = "dance"\n')
    code, _, err = drill(capsys, "run", str(TINY), "--script", str(script))
    assert code == 1
    assert "odd.toml" in err and "steps" in err


def test_run_with_a_script_naming_an_unknown_action(capsys, workdir) -> None:
    script = workdir / "typo.toml"
    script.write_text('scenario = "tiny"\n[[steps]]\nat = 3\ndo = "start"\naction = "fixx"\n')
    code, _, err = drill(capsys, "run", str(TINY), "--script", str(script))
    assert code == 1
    assert "typo.toml" in err and "fixx" in err


def test_run_with_a_script_written_for_another_scenario(capsys, workdir) -> None:
    script = workdir / "other.toml"
    script.write_text('scenario = "black-friday"\n')
    code, _, err = drill(capsys, "run", str(TINY), "--script", str(script))
    assert code == 1
    # Once, with the script's line: it used to be printed twice, worded differently.
    assert err == f"{script}:1: scenario: written for scenario 'black-friday', not 'tiny'\n"


def test_run_with_a_missing_script_file(capsys, workdir) -> None:
    code, _, err = drill(capsys, "run", str(TINY), "--script", "gone.toml")
    assert code == 1
    assert "gone.toml" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["run", str(TINY)], ["run", str(TINY), "--script", "x",
                                                        "--seed", "-1"], ["frobnicate"]])
def test_usage_errors_exit_2(capsys, workdir, argv: list[str]) -> None:
    code, _, err = drill(capsys, *argv)
    assert code == 2
    assert "usage:" in err


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_bundled_good_play_outscores_poor_play(capsys, workdir, scenario_id: str) -> None:
    plays = REPO / "tests" / "plays" / scenario_id
    overall = {}
    for quality in ("good", "poor"):
        code, out, err = drill(capsys, "run", scenario_id, "--script",
                               str(plays / f"{quality}.toml"), "--json")
        assert code == 0, err
        overall[quality] = json.loads(out)["scores"]["overall"]
    assert overall["good"] > overall["poor"]


# -- schema -------------------------------------------------------------------------------------


def test_schema_is_the_scenario_json_schema(capsys) -> None:
    code, out, _ = drill(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert {"meta", "clock", "events", "actions", "endings"} <= set(schema["properties"])
    assert out.startswith('{\n  "')


def test_schema_playscript(capsys) -> None:
    code, out, _ = drill(capsys, "schema", "--playscript")
    assert code == 0
    schema = json.loads(out)
    assert {"scenario", "seed", "steps"} <= set(schema["properties"])


# -- validate -----------------------------------------------------------------------------------


def test_validate_valid_files_exit_0(capsys, workdir) -> None:
    code, out, _ = drill(capsys, "validate", str(TINY))
    assert code == 0
    assert out.splitlines() == [f"ok: {TINY}"]


def test_validate_bundled_scenarios_are_all_valid(capsys, workdir) -> None:
    files = sorted(str(p) for p in (REPO / "scenarios").glob("*.toml"))
    assert len(files) == len(BUNDLED)
    code, out, _ = drill(capsys, "validate", *files)
    assert code == 0, out
    assert out.splitlines() == [f"ok: {f}" for f in files]


def test_validate_reports_problems_and_exits_1(capsys, workdir) -> None:
    broken = workdir / "broken.toml"
    broken.write_text(TINY.read_text().replace("limit = 120", 'limit = "soon"'))
    code, out, err = drill(capsys, "validate", str(TINY), str(broken))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"ok: {TINY}"
    problem = next(line for line in lines if "broken.toml" in line)
    assert "clock.limit" in problem
    assert f"ok: {broken}" not in out
    assert "1 of 2" in err


def test_validate_checks_a_play_script_against_the_scenario_given_with_it(capsys, workdir) -> None:
    script = workdir / "typo.toml"
    script.write_text('scenario = "tiny"\n[[steps]]\nat = 3\ndo = "start"\naction = "fixx"\n')
    code, out, _ = drill(capsys, "validate", str(TINY), str(script))
    assert code == 1
    assert f"ok: {TINY}" in out
    problem = next(line for line in out.splitlines() if line.startswith(str(script)))
    assert "steps[0].action" in problem and "fixx" in problem


def test_validate_missing_file_exits_1(capsys, workdir) -> None:
    code, out, _ = drill(capsys, "validate", "absent.toml")
    assert code == 1
    assert "absent.toml" in out


def test_validate_without_paths_is_a_usage_error(capsys) -> None:
    code, _, err = drill(capsys, "validate")
    assert code == 2
    assert "PATH" in err


# -- TUI entry points and interrupts ------------------------------------------------------------


def test_no_arguments_without_the_tui_lists_scenarios(capsys, workdir, monkeypatch) -> None:
    monkeypatch.setattr(cli, "has_terminal", lambda: True)
    monkeypatch.setitem(sys.modules, "drill.tui.app", None)  # makes the import fail
    code, out, err = drill(capsys)
    assert code == 0
    assert "terminal UI is not available" in err
    assert out.startswith("ID ")


def test_play_without_the_tui_says_so(capsys, workdir, monkeypatch) -> None:
    monkeypatch.setattr(cli, "has_terminal", lambda: True)
    monkeypatch.setitem(sys.modules, "drill.tui.app", None)
    code, _, err = drill(capsys, "play", "black-friday")
    assert code == 1
    assert "terminal UI is not available" in err


def test_ctrl_c_exits_130_quietly(capsys, monkeypatch) -> None:
    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "schema", interrupted)
    code, out, err = drill(capsys, "schema")
    assert code == 130
    assert out == "" and err == ""


def test_python_dash_m_drill_works_in_a_fresh_process(workdir) -> None:
    result = subprocess.run([sys.executable, "-m", "drill", "validate", str(TINY)],
                            capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"ok: {TINY}\n"
