"""What every bundled scenario and example promises: it validates, its good play resolves with
every step accepted, its poor play does not resolve early, and the scores separate: good play
reaches 80, poor play stays at 35 or under, the ritual without the fix at 60 or under, and each
off-dimension play (the good play with one dimension broken, as a person would break it) loses
at least 30 on that dimension and at most 5 on each other (DOMAIN §9.7)."""

from __future__ import annotations

from functools import lru_cache

import pytest

from drill.engine.scorecard import ScoreCard
from drill.engine.scoring import score_run
from drill.loading import validate_paths

from .bundled import (BUNDLED, DIMENSIONS, EXAMPLES, OFF_PLAYS, played, rejected, scenario_path,
                      script_path)

INCIDENTS = BUNDLED + EXAMPLES
PLAYS = ("good", "poor", "ritual", *OFF_PLAYS)


@lru_cache(maxsize=None)
def card(scenario_id: str, play: str) -> ScoreCard:
    return score_run(played(scenario_id, play))


@pytest.mark.parametrize("scenario_id", INCIDENTS)
def test_the_scenario_and_its_scripts_validate_without_problems(scenario_id):
    paths = [scenario_path(scenario_id), *(script_path(scenario_id, play) for play in PLAYS)]
    assert validate_paths(paths) == []


@pytest.mark.parametrize("scenario_id", INCIDENTS)
def test_good_play_resolves_with_every_step_accepted(scenario_id):
    run = played(scenario_id, "good")
    assert rejected(run) == []
    assert run.ending is not None and run.ending.kind == "resolved"


@pytest.mark.parametrize("scenario_id", INCIDENTS)
def test_poor_play_does_not_resolve_cleanly(scenario_id):
    good, poor = played(scenario_id, "good"), played(scenario_id, "poor")
    assert poor.ending is not None
    assert poor.ending.kind != "resolved" or poor.ended_at > good.ended_at


@pytest.mark.parametrize("scenario_id", INCIDENTS)
def test_scores_separate_good_from_poor_and_the_ritual(scenario_id):
    good, poor, ritual = (card(scenario_id, play) for play in ("good", "poor", "ritual"))
    assert good.overall >= 80
    assert poor.overall <= 35
    assert ritual.overall <= 60
    for name in DIMENSIONS:
        good_dim, poor_dim = getattr(good, name), getattr(poor, name)
        assert good_dim.applicable and poor_dim.applicable, name
        assert poor_dim.score < good_dim.score, name
        assert poor_dim.deductions, f"poor play lost {name} points with no explanation"


@pytest.mark.parametrize("scenario_id, play", [(s, p) for s in INCIDENTS for p in OFF_PLAYS])
def test_good_play_broken_on_one_dimension_loses_there_and_nowhere_else(scenario_id, play):
    run = played(scenario_id, play)
    assert rejected(run) == []
    assert run.ending is not None and run.ending.kind == "resolved"
    broken = play.removeprefix("off-")
    good, off = card(scenario_id, "good"), card(scenario_id, play)
    for name in DIMENSIONS:
        lost = getattr(good, name).score - getattr(off, name).score
        if name == broken:
            assert lost >= 30, f"{play} lost only {lost:.1f} on {name}"
            assert getattr(off, name).deductions
        else:
            assert lost <= 5, f"{play} also lost {lost:.1f} on {name}"
