"""`drill check`: playing a scenario with automatic strategies finds what validation cannot."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from drill.check_runner import run_check, shipped_scripts
from drill.cli import main
from drill.engine.adversaries import ADVERSARIES, OFF_DIMENSION
from drill.engine.check_report import PlayedRun, analyse
from drill.engine.simulation import CompiledScenario
from drill.engine.strategies import STRATEGIES, play
from drill.loading import LoadError, load_scenario

from .bundled import BUNDLED, scenario_path

FIXTURES = Path(__file__).parent / "fixtures"
FLAWED = FIXTURES / "check_flawed.toml"
CLEAN = FIXTURES / "check_clean.toml"
GOOD = FIXTURES / "check_clean_good.toml"
POOR = FIXTURES / "check_clean_poor.toml"
RITUAL_HOLE = FIXTURES / "check_ritual_hole.toml"
PLAYERS = [s for s in STRATEGIES if s != "scripts"]


@pytest.fixture(scope="module")
def flawed_report():
    return run_check(FLAWED, runs=30, jobs=1)


def test_check_names_the_endings_nobody_reaches(flawed_report):
    # 'out_of_time' is not reached either (every run resolves first), but waiting reaches it.
    assert flawed_report.subjects("unreachable-ending") == ["fixed_properly", "meltdown"]
    fixed = next(e for e in flawed_report.endings if e.id == "fixed")
    assert fixed.reached_by["greedy"] == 30


def test_check_names_the_actions_that_change_nothing_or_are_never_on_offer(flawed_report):
    # stare has no effect; tidy_up changes what nobody reads; unpatch sets patched = false, which
    # it always already is: only playing shows that one.  read_logs reveals something: fine.
    assert flawed_report.subjects("dead-action") == ["stare", "tidy_up", "unpatch"]
    assert flawed_report.subjects("never-possible") == ["apply_patch"]
    unpatch = next(f for f in flawed_report.findings if f.subject == "unpatch")
    assert "every time it finished" in unpatch.message


def test_check_names_the_events_nobody_sees(flawed_report):
    # pressure_builds is silent too, but load_rises reads it and a signal shows load.
    assert flawed_report.subjects("invisible-event") == ["cache_grows", "late_call", "overload"]
    messages = {f.subject: f.message for f in flawed_report.findings}
    assert "due at 500, and every run had ended by 60" in messages["late_call"]
    assert "`errors > 60` never held" in messages["overload"]


def test_silence_is_judged_on_communication_and_nowhere_else(flawed_report):
    # check-flawed weighs communication at 0.02: silence barely moves the overall, but the
    # silent players still score 0 on communication, where silence belongs; the overall rule
    # that once singled silence out is retired (good play broken on any one dimension is judged
    # on that dimension, see the off-dimension findings).
    assert flawed_report.subjects("scoring-hole") == []
    for name in ("silent-greedy", "off-communication"):
        silent = next(s for s in flawed_report.strategies if s.strategy == name)
        assert silent.silent_runs == 30
        assert silent.scores["communication"].high == 0


def test_check_finds_the_ritual_that_wins_without_the_fix():
    report = run_check(RITUAL_HOLE, runs=3, jobs=1, strategies=["ritual", *OFF_DIMENSION])
    assert report.subjects("scoring-hole") == ["ritual"]
    ritual = next(s for s in report.strategies if s.strategy == "ritual")
    assert ritual.endings == {"out_of_time": 3}  # it never fixed anything
    message = report.findings[0].message
    assert "'ritual' (the checklist without the fix) scored a median 80 overall over 3 runs " \
           "(at most 60 expected)" in message
    assert "scoring.outcome.weight (now 0.05)" in message and "(now 100)" in message


def test_check_finds_a_dimension_that_barely_notices_it_is_broken(tmp_path):
    # Rollback weighs safety at 1 and mitigating first at 0.1: a late rollback barely costs.
    # (Safety is judged once a warning shows and work starts: here, a table nobody drops.)
    lenient = tmp_path / "lenient.toml"
    lenient.write_text(CLEAN.read_text().replace(
        '[scoring.rollback]\n',
        '[scoring.rollback]\ntau = 5\nparts = { mitigate = 0.1, verify = 0, pivot = 0, '
        'safety = 1 }\n').replace(
        '[[people]]', '[[actions]]\nid = "drop_table"\nlabel = "Drop the orders table"\n'
        'duration = 1\navailable_when = "fired.alert"\n\n[[people]]', 1).replace(
        '[postmortem]', '[[scoring.rollback.unsafe]]\naction = "drop_table"\n'
        'warning = "fired.alert"\nnorm = "Never drop what you cannot restore."\n\n'
        '[postmortem]'))
    report = run_check(lenient, runs=3, jobs=1, strategies=["off-rollback"])
    assert [s.strategy for s in report.strategies] == ["oracle", "off-rollback"]
    assert report.subjects("scoring-hole") == ["off-rollback"]
    assert re.search(r"'off-rollback' \(good play but for rollback\) lost a median \d+ on "
                     r"rollback against 'oracle' over 3 runs of the same seeds \(at least 30 "
                     r"expected\)", report.findings[0].message), report.findings[0].message


def _summary(strategy: str, seed: int, scores: tuple[float, ...],
             cut_short: bool = False) -> PlayedRun:
    return PlayedRun(strategy, seed, "fixed", "resolved", 30.0, scores, (True,) * 4, 5,
                      frozenset(), frozenset(), (), frozenset(), 0, cut_short)


def test_a_dimension_charged_for_another_ones_fault_is_a_hole_by_median_over_seeds():
    scenario = load_scenario(CLEAN)
    oracle = [_summary("oracle", seed, (100, 100, 100, 90, 98)) for seed in range(3)]
    # off-help loses on help; on communication it loses 8 on two seeds of three (median 8).
    off = [_summary("off-help", 0, (92, 40, 100, 90, 80)),
           _summary("off-help", 1, (92, 45, 100, 90, 80)),
           _summary("off-help", 2, (100, 40, 100, 95, 80))]
    report = analyse(scenario, oracle + off)
    assert [f.message for f in report.findings if f.kind == "scoring-hole"] == [
        "'off-help' (good play but for help) also lost a median 8 on communication against "
        "'oracle' over 3 runs of the same seeds (at most 5 expected): communication is charged "
        "for what belongs to help"]
    # Seeds are paired: a baseline seed the off-dimension play did not play is left out.
    fair = analyse(scenario, oracle + [_summary("off-help", 0, (100, 40, 100, 90, 80))])
    assert fair.subjects("scoring-hole") == []
    # A breakage the run never got to play (the incident was over before the late page) is a
    # note, not a hole.
    short = analyse(scenario, oracle + [_summary("off-help", 0, (100, 90, 100, 90, 80), True)])
    assert short.subjects("scoring-hole") == []
    assert short.notes == ["'off-help' could not break help fully: every run ended before its "
                           "late moves (lost a median 10)"]


def test_a_sound_scenario_has_nothing_to_fix_and_every_strategy_is_reported(capsys):
    assert main(["check", str(CLEAN), "--runs", "30", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "0 finding(s): nothing to fix." in out
    for strategy in PLAYERS:
        assert f"\n{strategy}: 30 runs" in out
    assert "too_late" in out and "communication" in out


def test_a_poor_script_scoring_above_a_good_one_is_a_scoring_hole(tmp_path):
    fair = run_check(CLEAN, runs=5, strategies=["scripts"], scripts=[GOOD, POOR], jobs=1)
    assert fair.subjects("scoring-hole") == []
    # The same plays under swapped names: the "poor" one now scores above the "good" one.
    shutil.copy(GOOD, tmp_path / "poor.toml")
    shutil.copy(POOR, tmp_path / "good.toml")
    swapped = run_check(CLEAN, runs=5, strategies=["scripts"], jobs=1,
                        scripts=[tmp_path / "good.toml", tmp_path / "poor.toml"])
    holes = [f for f in swapped.findings if f.kind == "scoring-hole"]
    assert [f.subject for f in holes] == ["scripts:poor"]
    assert re.search(r"scores (9\d|100) overall, not below the good play 'scripts:good' \(\d\d\)",
                     holes[0].message), holes[0].message


def test_the_report_does_not_depend_on_how_many_processes_played():
    # 60 runs make two chunks per strategy, so the processes really share the work.
    one = run_check(FLAWED, runs=60, strategies=["random", "explorer"], jobs=1)
    two = run_check(FLAWED, runs=60, strategies=["random", "explorer"], jobs=2)
    three = run_check(FLAWED, runs=60, strategies=["random", "explorer"], jobs=3)
    assert one == two == three


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_a_bundled_scenario_has_nothing_for_a_facilitator_to_fix(scenario_id):
    path = scenario_path(scenario_id)
    # 50 runs: enough for explorer to find the slow team that sees the late injects.  The
    # adversaries and the scripts barely depend on the seed: three runs each are enough.
    explorers = [s for s in STRATEGIES if s not in ADVERSARIES and s != "scripts"]
    report = run_check(path, runs=50, jobs=1, strategies=explorers)
    attack = run_check(path, runs=3, jobs=1, strategies=[*ADVERSARIES, "scripts"])
    names = {Path(p).stem for p in shipped_scripts(path, scenario_id)}
    assert {"good", "poor", "ritual", *OFF_DIMENSION} <= names
    resolved = {e.id for e in load_scenario(path).endings if e.kind == "resolved"}
    assert resolved <= {e.id for e in report.endings if e.reached_by}
    # No dead action, invisible event or scoring hole: the ritual without the fix stays at or
    # under 60, and good play broken on one dimension loses 30 or more there and at most 5 on
    # each other, for the adversaries as for the shipped off-dimension scripts.
    assert [f.message for f in report.findings] == []
    assert [f.message for f in attack.findings if f.kind == "scoring-hole"] == []
    # Three runs cannot draw every value of a [[vary]]: its coverage note is expected there.
    assert [note for note in attack.notes if not note.startswith("vary ")] == []


@pytest.mark.parametrize("strategy", PLAYERS)
def test_strategies_never_raise_and_always_reach_an_ending(strategy):
    scenarios = [load_scenario(scenario_path(s)) for s in BUNDLED]
    scenarios += [load_scenario(FIXTURES / name) for name in ("check_flawed.toml", "tiny.toml",
                                                              "hostile.toml", "scoring_trap.toml")]
    for scenario in scenarios:
        compiled = CompiledScenario.build(scenario)
        for seed in range(8):
            run, seen = play(compiled, strategy, seed)
            assert run.ending is not None, (scenario.meta.id, seed)
            assert seen.possible <= {a.id for a in scenario.actions}


def test_a_strategy_and_a_seed_always_play_the_same_run():
    compiled = CompiledScenario.build(load_scenario(scenario_path("black-friday")))
    first, _ = play(compiled, "random", 3)
    again, _ = play(compiled, "random", 3)
    other, _ = play(compiled, "random", 4)
    assert first.steps == again.steps and first.log == again.log
    assert first.steps != other.steps


def test_the_cli_prints_one_json_object_and_exits_1_on_findings(capsys):
    code = main(["check", str(FLAWED), "--runs", "10", "--strategy", "greedy", "--json"])
    body = json.loads(capsys.readouterr().out)
    assert code == 1
    assert body["scenario"] == "check-flawed" and body["runs_per_strategy"] == 10
    assert [s["strategy"] for s in body["strategies"]] == ["greedy"]
    assert body["strategies"][0]["endings"] == {"fixed": 10}
    assert body["strategies"][0]["scores"]["overall"]["median"] >= 99
    kinds = {(f["kind"], f["subject"]) for f in body["findings"]}
    assert ("unreachable-ending", "meltdown") in kinds and ("dead-action", "stare") in kinds


def test_silent_is_still_accepted_as_silent_greedys_first_name(capsys):
    code = main(["check", str(FLAWED), "--runs", "5", "--strategy", "silent", "--json",
                 "--jobs", "1"])
    body = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [s["strategy"] for s in body["strategies"]] == ["silent-greedy"]
    assert body["strategies"][0]["silent_runs"] == 5


def test_the_cli_reports_bad_input_without_a_traceback(capsys, tmp_path):
    assert main(["check", str(FIXTURES / "bad" / "syntax_error.toml"), "--runs", "5"]) == 1
    err = capsys.readouterr().err
    assert "syntax_error.toml:" in err and "Traceback" not in err
    assert main(["check", "no-such-scenario", "--runs", "5"]) == 1
    assert "unknown scenario" in capsys.readouterr().err
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('scenario = "check-clean"\n[[steps]]\nat = 1\ndo = "start"\n'
                     'action = "teleport"\n')
    assert main(["check", str(CLEAN), "--runs", "5", "--script", str(wrong)]) == 1
    assert "teleport" in capsys.readouterr().err
    with pytest.raises(LoadError):
        run_check(CLEAN, runs=5, scripts=[wrong], jobs=1)


@pytest.mark.parametrize("arguments", [["--runs", "0"], ["--strategy", "lucky"], ["--jobs", "x"]])
def test_the_cli_rejects_bad_options_with_exit_2(arguments, capsys):
    assert main(["check", str(CLEAN), *arguments]) == 2
    assert "usage: drill check" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_stderr_only_on_a_terminal(monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    main(["check", str(CLEAN), "--runs", "60", "--strategy", "greedy", "--jobs", "1"])
    assert terminal.getvalue().endswith("\rdrill check: 60/60 runs\n")
    assert "\rdrill check: 50/60 runs" in terminal.getvalue()
    monkeypatch.undo()
    main(["check", str(CLEAN), "--runs", "60", "--strategy", "greedy", "--jobs", "1"])
    assert "drill check:" not in capsys.readouterr().err


def test_the_starter_scenario_drill_new_writes_has_no_scoring_hole(tmp_path):
    from drill.authoring import write_starter

    path = write_starter("my-drill", tmp_path)
    report = run_check(path, runs=3, jobs=1, strategies=ADVERSARIES)
    assert report.subjects("scoring-hole") == []


def test_a_scenario_nobody_can_win_is_not_nothing_to_fix(tmp_path, capsys):
    # The fix ending asks for errors below zero: every run, good play included, ends too late.
    hopeless = tmp_path / "hopeless.toml"
    hopeless.write_text(CLEAN.read_text().replace(
        'when = "fired.alert and errors == 0"', 'when = "fired.alert and errors < 0"'))
    report = run_check(hopeless, runs=3, jobs=1, strategies=["oracle", "greedy"])
    assert report.subjects("never-resolved") == [report.scenario]
    message = next(f.message for f in report.findings if f.kind == "never-resolved")
    assert message.startswith("no run resolved the incident in 6 runs, good play included "
                              "(oracle)")
    assert "a player cannot win it as written" in message
    assert main(["check", str(hopeless), "--runs", "3", "--jobs", "1"]) == 1
    assert "nothing to fix" not in capsys.readouterr().out
    # Without good play among the runs, the finding does not claim good play failed too.
    greedy = run_check(hopeless, runs=3, jobs=1, strategies=["greedy"])
    assert next(f.message for f in greedy.findings if f.kind == "never-resolved").startswith(
        "no run resolved the incident in 3 runs (")
    # The sound scenario, where play does resolve it, has no such finding.
    assert run_check(CLEAN, runs=3, jobs=1, strategies=["oracle"]).subjects(
        "never-resolved") == []
