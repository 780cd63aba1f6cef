"""`drill check`: playing a scenario with automatic strategies finds what validation cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drill.cli import main
from drill.engine.autoplay import STRATEGIES, play
from drill.engine.findings import analyse, summarise
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario
from drill.loading import load_scenario
from drill.scenario_check import run_check

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "check_broken.toml"
BUNDLED = ["black-friday", "wrong-delete", "hourly-microbreak", "redesign-deadline"]


def test_check_finds_the_unreachable_ending_the_dead_action_the_unseen_event_and_the_hole():
    report = run_check(BROKEN, runs=30, strategies=("random", "greedy", "silent"), jobs=1)
    assert report.unreachable_endings == ["meltdown"]
    assert report.dead_actions == ["stare"]
    assert report.unseen_events == ["cache_grows"]
    assert any("'silent' resolved without a single update" in hole for hole in report.scoring_holes)
    greedy = next(s for s in report.strategies if s.strategy == "greedy")
    assert greedy.endings == {"fixed": 30}


def test_the_report_does_not_depend_on_how_many_processes_played(tmp_path):
    one = run_check(BROKEN, runs=40, strategies=("random", "greedy"), jobs=1)
    two = run_check(BROKEN, runs=40, strategies=("random", "greedy"), jobs=2)
    assert one == two


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_the_bundled_scenarios_can_be_resolved_and_have_no_dead_action(scenario_id):
    scenario = load_scenario(Path("scenarios") / f"{scenario_id}.toml")
    report = run_check(Path("scenarios") / f"{scenario_id}.toml", runs=25, jobs=1,
                       scripts=sorted(Path("tests/plays", scenario_id).glob("*.toml")))
    resolved = {e.id for e in scenario.endings if e.kind == "resolved"}
    # Some resolved endings take a particular path (fixing without monitoring, say) that 25
    # runs may miss; at least one must be reached, and no action may be dead.
    assert resolved - set(report.unreachable_endings)
    assert report.dead_actions == []


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s != "scripts"])
def test_strategies_always_reach_an_ending_and_never_raise(strategy):
    compiled = CompiledScenario.build(load_scenario(Path("scenarios/black-friday.toml")))
    for seed in range(5):
        run = play(compiled, strategy, seed)
        assert run.ending is not None
        summary = summarise(strategy, seed, run, score_run(run))
        assert 0 <= summary.scores[-1] <= 100


def test_the_cli_reports_findings_with_exit_1_and_json(capsys):
    code = main(["check", str(BROKEN), "--runs", "10", "--strategy", "greedy", "--jobs", "1",
                 "--json"])
    body = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "ending 'meltdown' was never reached" in body["findings"]
    assert body["strategies"][0]["endings"] == {"fixed": 10}
    assert main(["check", str(FIXTURES / "bad" / "syntax_error.toml"), "--runs", "5"]) == 1
    assert main(["check", str(BROKEN), "--runs", "0"]) == 2


def test_analyse_of_no_runs_reports_every_ending_unreached():
    scenario = load_scenario(BROKEN)
    report = analyse(scenario, [])
    assert report.unreachable_endings == ["fixed", "meltdown", "out_of_time"]
