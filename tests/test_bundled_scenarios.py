"""What every bundled scenario promises: it validates, its good play resolves with every step
accepted, its poor play does not resolve early, and the scores separate on every dimension."""

from __future__ import annotations

import pytest

from drill.engine.scoring import score_run
from drill.loading import validate_paths

from .bundled import BUNDLED, DIMENSIONS, played, rejected, scenario_path, script_path


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_the_scenario_and_its_scripts_validate_without_problems(scenario_id):
    paths = [scenario_path(scenario_id), script_path(scenario_id, "good"),
             script_path(scenario_id, "poor")]
    assert validate_paths(paths) == []


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_good_play_resolves_with_every_step_accepted(scenario_id):
    run = played(scenario_id, "good")
    assert rejected(run) == []
    assert run.ending is not None and run.ending.kind == "resolved"


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_poor_play_does_not_resolve_cleanly(scenario_id):
    good, poor = played(scenario_id, "good"), played(scenario_id, "poor")
    assert poor.ending is not None
    assert poor.ending.kind != "resolved" or poor.ended_at > good.ended_at


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_scores_separate_good_from_poor_on_every_dimension(scenario_id):
    good = score_run(played(scenario_id, "good"))
    poor = score_run(played(scenario_id, "poor"))
    assert good.overall >= 75
    assert poor.overall <= 40
    for name in DIMENSIONS:
        good_dim, poor_dim = getattr(good, name), getattr(poor, name)
        assert good_dim.applicable and poor_dim.applicable, name
        assert poor_dim.score < good_dim.score, name
        assert poor_dim.deductions, f"poor play lost {name} points with no explanation"
