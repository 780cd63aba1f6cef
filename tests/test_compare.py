"""`drill compare`: saved runs of one scenario replayed and put side by side."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from drill.cli import main
from drill.engine.side_by_side import LabelledRun, compare_runs, render_comparison
from drill.engine.headless import play
from drill.engine.scoring import score_run
from drill.engine.simulation import ActionRejected
from drill.loading import load_playscript
from drill.session import GameSession, ScenarioSource

from .conftest import FIXTURES

TESTS = Path(__file__).parent
PLAYS = TESTS / "plays" / "black-friday"


def saved_run(folder: Path, script: str | None, players: list[str], minute: int,
              seed: int = 7, scenario: str = "black-friday", finish: bool = True) -> Path:
    """Play a shipped script through a GameSession, as the TUI would, and return its save."""
    session = GameSession.start(ScenarioSource.open(scenario), seed=seed, pace=1.0,
                                saves_dir=folder, players=players,
                                started=dt.datetime(2026, 11, 27, 9, minute))
    steps = load_playscript(PLAYS / f"{script}.toml").steps if script else []
    for step in steps:
        if session.run.finished_run or (not finish and step.at > 5):
            break
        try:
            session.act(step)
        except ActionRejected:
            continue  # the player just goes on
    if finish:
        session.advance_to(session.scenario.clock.limit)
    else:
        session.advance_to(5)
        session.save()  # as the TUI does when the players quit mid-run
    return session.save_path


@pytest.fixture(scope="module")
def two_teams(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("saves")
    return (saved_run(folder, "good", ["Team Blue"], 1),
            saved_run(folder, "poor", ["Ana", "Bo"], 2))


def cells(text: str, row: str) -> list[str]:
    """The cells of a row of the text table (columns are separated by runs of spaces)."""
    line = next(line for line in text.splitlines() if line.startswith(row + " "))
    return [cell.strip() for cell in line[len(row):].split("  ") if cell.strip()]


def test_the_better_run_shows_earlier_updates_and_higher_scores(two_teams, capsys):
    good, poor = two_teams
    before = {p: p.stat().st_mtime_ns for p in good.parent.iterdir()}
    assert main(["compare", str(good), str(poor)]) == 0
    text = capsys.readouterr().out
    assert all(len(line) <= 80 for line in text.splitlines())
    assert cells(text, "")[:2] == ["Team Blue", "Ana, Bo"]  # labelled by the save's players
    assert cells(text, "Outcome") == ["resolved", "failed"]
    blue, red = (int(c.removeprefix("T+")) for c in cells(text, "First update: support"))
    assert blue < red
    for row in ("Communication cadence", "Asking for help", "Rollback choices", "Overall"):
        blue, red = (float(c) for c in cells(text, row))
        assert blue > red, row
    assert "Best overall: Team Blue" in text
    assert "Deductions only Ana, Bo got:" in text
    # Nothing written: no save touched, no postmortem made.
    assert {p: p.stat().st_mtime_ns for p in good.parent.iterdir()} == before


def test_json_carries_every_measure(two_teams, capsys):
    good, poor = two_teams
    assert main(["compare", str(good), str(poor), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["scenario"]["id"] == "black-friday" and body["warnings"] == []
    assert body["best_overall"] == ["Team Blue"]
    blue, red = body["runs"]
    assert blue["label"] == "Team Blue" and blue["outcome"] == "resolved"
    assert blue["first_update"]["support"] < red["first_update"]["support"]
    assert blue["first_page"]["time"] < red["first_page"]["time"]
    assert blue["first_mitigation"]["time"] < red["first_mitigation"]["time"]
    assert blue["overall"] > red["overall"]
    assert blue["estimates"]["mean_score"] > red["estimates"]["mean_score"]
    assert blue["estimates"]["broken"] == 0 < red["estimates"]["broken"]
    red_kinds = {(d["dimension"], d["norm"]) for d in red["deductions_only_here"]}
    blue_kinds = {(d["dimension"], d["norm"]) for d in blue["deductions_only_here"]}
    assert red_kinds and not red_kinds & blue_kinds


def test_three_runs_fit_80_columns_and_the_same_players_stay_apart(two_teams, tmp_path, capsys):
    good, poor = two_teams
    again = saved_run(tmp_path, "good", ["Team Blue"], 3)
    assert main(["compare", str(good), str(poor), str(again)]) == 0
    text = capsys.readouterr().out
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "Team Blue #2" in text
    assert "Best overall: Team Blue, Team Blue #2" in text  # the same play scores the same


def test_identical_runs_differ_in_no_deduction(two_teams):
    compiled = ScenarioSource.open("black-friday").compiled
    script = load_playscript(PLAYS / "poor.toml")
    runs = []
    for label in ("A", "B"):
        run = play(compiled, script.seed, script.steps)
        runs.append(LabelledRun(label, run, score_run(run)))
    comparison = compare_runs(runs)
    assert all(summary.only_here == () for summary in comparison.runs)
    assert "Every run scored the same overall." in render_comparison(comparison)


def test_different_seeds_are_compared_with_a_warning(tmp_path, capsys):
    one = saved_run(tmp_path, "good", ["A"], 1, seed=1)
    two = saved_run(tmp_path, "good", ["B"], 2, seed=2)
    assert main(["compare", str(one), str(two)]) == 0
    assert "warning: the runs used different seeds (1, 2)" in capsys.readouterr().err


def test_damaged_saves_are_refused_with_their_reason(two_teams, tmp_path, capsys):
    good, _ = two_teams
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    assert main(["compare", str(good), str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"drill compare: {broken}: not a save file" in err

    missing = tmp_path / "missing.json"
    assert main(["compare", str(good), str(missing)]) == 1
    assert f"{missing}: no such file" in capsys.readouterr().err


def test_saves_of_different_scenarios_are_refused(two_teams, tmp_path, capsys):
    good, _ = two_teams
    other = saved_run(tmp_path, None, ["C"], 4, scenario="wrong-delete")
    assert main(["compare", str(good), str(other)]) == 1
    err = capsys.readouterr().err
    assert "runs of different scenarios" in err
    assert f"{good}: black-friday" in err and f"{other}: wrong-delete" in err


def test_a_save_whose_scenario_changed_is_refused(tmp_path, capsys):
    scenario = tmp_path / "tiny.toml"
    shutil.copy(FIXTURES / "tiny.toml", scenario)
    one = saved_run(tmp_path, None, ["A"], 1, scenario=str(scenario))
    two = saved_run(tmp_path, None, ["B"], 2, scenario=str(scenario))
    assert main(["compare", str(one), str(two)]) == 0
    capsys.readouterr()
    scenario.write_text(scenario.read_text().replace("limit = 120", "limit = 100"))
    assert main(["compare", str(one), str(two)]) == 1
    assert "the scenario 'tiny' has changed since this run was saved" in capsys.readouterr().err


def test_unfinished_runs_are_left_out_unless_asked_for(two_teams, tmp_path, capsys):
    good, poor = two_teams
    going = saved_run(tmp_path, "good", ["Team Green"], 5, finish=False)
    assert main(["compare", str(good), str(poor), str(going)]) == 0
    captured = capsys.readouterr()
    assert f"left out {going}: the run is still going (add --unfinished" in captured.err
    assert "Team Green" not in captured.out

    assert main(["compare", str(good), str(going)]) == 1
    assert "need at least two runs to compare, and 1 is left" in capsys.readouterr().err

    assert main(["compare", str(good), str(going), "--unfinished", "--json"]) == 0
    green = json.loads(capsys.readouterr().out)["runs"][1]
    assert (green["label"], green["outcome"], green["finished"]) == (
        "Team Green", "unfinished", False)
    assert green["clock"] == 5
