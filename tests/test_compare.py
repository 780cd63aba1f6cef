"""`drill compare`: saved runs of the same scenario and seed, side by side."""

from __future__ import annotations

import json
from pathlib import Path

import datetime as dt

from drill.cli import main
from drill.loading import load_playscript
from drill.session import GameSession, ScenarioSource

PLAYS = Path(__file__).parent / "plays" / "black-friday"


def saved_run(folder: Path, script: str, players: list[str], minute: int, seed: int = 7) -> Path:
    """Play a shipped script through a GameSession, as the TUI would, and return its save."""
    session = GameSession.start(ScenarioSource.open("black-friday"), seed=seed, pace=1.0,
                                saves_dir=folder, players=players,
                                started=dt.datetime(2026, 11, 27, 9, minute))
    for step in load_playscript(PLAYS / f"{script}.toml").steps:
        if session.run.finished_run:
            break
        try:
            session.act(step)
        except Exception:  # a refused step: the player just goes on
            continue
    session.advance_to(session.scenario.clock.limit)
    return session.save_path


def test_two_teams_side_by_side(tmp_path, capsys):
    good = saved_run(tmp_path, "good", ["Team Blue"], 1)
    poor = saved_run(tmp_path, "poor", ["Team Red"], 2)
    assert main(["compare", str(good), str(poor)]) == 0
    text = capsys.readouterr().out
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert "Team Blue" in text and "Team Red" in text
    assert "Best overall: Team Blue" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    assert lines["First update to support"].split()[-2:] != ["—", "—"]

    assert main(["compare", str(good), str(poor), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    blue, red = body["rows"]["Overall"]
    assert float(blue) > float(red)
    first_support = body["rows"]["First update to support"]
    assert first_support[0] != "—"
    assert body["best_overall"] == "Team Blue"


def test_different_seeds_are_compared_with_a_warning(tmp_path, capsys):
    one = saved_run(tmp_path, "good", ["A"], 1, seed=1)
    two = saved_run(tmp_path, "good", ["B"], 2, seed=2)
    assert main(["compare", str(one), str(two)]) == 0
    assert "different seeds" in capsys.readouterr().err


def test_damaged_unfinished_and_mixed_saves_are_refused_clearly(tmp_path, capsys):
    good = saved_run(tmp_path, "good", ["A"], 1)
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    assert main(["compare", str(good), str(broken)]) == 1
    err = capsys.readouterr().err
    assert "broken.json" in err and "not a save file" in err

    unfinished = GameSession.start(ScenarioSource.open("black-friday"), seed=7, pace=1.0,
                                   saves_dir=tmp_path, started=dt.datetime(2026, 11, 27, 9, 5))
    assert main(["compare", str(good), str(unfinished.save_path)]) == 1
    assert "not finished (use --unfinished" in capsys.readouterr().err
    assert main(["compare", str(good), str(unfinished.save_path), "--unfinished"]) == 0
    capsys.readouterr()

    other = GameSession.start(ScenarioSource.open("wrong-delete"), seed=7, pace=1.0,
                              saves_dir=tmp_path, started=dt.datetime(2026, 11, 27, 9, 6))
    other.advance_to(other.scenario.clock.limit)
    assert main(["compare", str(good), str(other.save_path)]) == 1
    assert "different scenarios" in capsys.readouterr().err
