"""The adversaries of `drill check` play as their descriptions say (on black-friday, seed 0)."""

from __future__ import annotations

from functools import lru_cache

import pytest

from drill.engine import strategies
from drill.engine.playscript import GiveEstimate, PostUpdate
from drill.engine.record import RunRecord
from drill.engine.scorecard import ScoreCard
from drill.engine.scoring import score_run

from .. import bundled

SCENARIO = "black-friday"


@lru_cache(maxsize=None)
def played(strategy: str) -> tuple[RunRecord, ScoreCard]:
    run, _ = strategies.play(bundled.compiled_scenario(SCENARIO), strategy, 0)
    return run, score_run(run)


def test_the_oracle_plays_well_on_every_dimension_and_its_estimates_know_the_future():
    run, card = played("oracle")
    assert run.ending.kind == "resolved" and run.ending.id == "cleaned"
    assert all(getattr(card, d).score >= 95 for d in bundled.DIMENSIONS)
    # Played twice: the second pass gives ranges around when each milestone really came.
    assert card.estimate_rows and all(row.hit and row.score == 1 for row in card.estimate_rows)
    # It never takes the one-way door, and pivots to the real fix.
    assert "wipe_queues" not in run.started and "clean_machines" in run.started


def test_off_communication_is_the_oracle_without_a_word():
    run, card = played("off-communication")
    assert not run.updates and card.communication.score == pytest.approx(0, abs=1e-9)
    assert run.ending.kind == "resolved"


def test_off_help_pages_everyone_a_trigger_wants_only_after_its_window():
    run, card = played("off-help")
    oracle, _ = played("oracle")
    wanted = {"sre_oncall", "release_manager", "engine_dev", "infra_eng"}
    assert wanted <= set(run.paged_at)
    assert all(run.paged_at[p] > oracle.paged_at[p] + 5 for p in wanted)
    assert card.help.score <= 70


def test_off_rollback_mitigates_and_pivots_late():
    run, card = played("off-rollback")
    oracle, _ = played("oracle")
    for action in ("rollback_release", "clean_machines"):
        assert run.started[action][0] > oracle.started[action][0] + 30
    assert card.rollback.score <= 70


def test_off_estimates_answers_with_a_quarter_of_the_truth():
    run, card = played("off-estimates")
    steps = [s for s in run.steps if isinstance(s, GiveEstimate)]
    assert steps and all(s.point is not None and s.low is None for s in steps)
    for given in run.estimates:
        came = run.reached[given.step.milestone]
        assert given.step.point == pytest.approx((came - given.time) / 4)
    assert card.estimates.score <= 50


def test_the_ritual_keeps_the_checklist_busy_and_never_fixes():
    run, card = played("ritual")
    people = {p.id for p in run.scenario.people}
    assert set(run.paged_at) == people and set(run.paged_at.values()) == {0}
    assert "rollback_release" in run.started and "verify_search" in run.started
    assert not {"clean_machines", "replay_backlog", "wipe_queues"} & set(run.started)
    updates = [s for s in run.steps if isinstance(s, PostUpdate)]
    assert updates and all(not s.affected and s.next_update for s in updates)
    assert {s.high for s in run.steps if isinstance(s, GiveEstimate)} == {100_000}
    assert len(run.declared) >= 2 and run.ending.kind not in ("resolved", "degraded")
    assert card.overall <= 60
