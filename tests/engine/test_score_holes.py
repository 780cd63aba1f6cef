"""Every hole and every punished good habit issue 8 measured, as a regression test.

Each test plays a bundled scenario's good script with one thing changed (or a small fixture) and
checks what a player would notice on the score card: a good habit loses nothing, a hole is
charged, and nothing that leaves the incident unhandled scores above 60.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from drill.engine import strategies
from drill.engine.headless import play
from drill.engine.playscript import (
    FacilitatorAct,
    GiveEstimate,
    Page,
    PlayerAction,
    PostUpdate,
    StartAction,
)
from drill.engine.scorecard import ScoreCard
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario
from drill.loading import load_scenario

from .. import bundled

FIXTURES = Path(__file__).parent.parent / "fixtures"


def good_steps(scenario_id: str) -> list[PlayerAction]:
    return list(bundled.script(scenario_id, "good").steps)


def changed(steps: list[PlayerAction], match: Callable[[PlayerAction], bool],
            **update: object) -> list[PlayerAction]:
    """The steps with every matching step changed, back in time order."""
    return sorted((s.model_copy(update=update) if match(s) else s for s in steps),
                  key=lambda s: s.at)


def card_of(scenario_id: str, steps: list[PlayerAction]) -> ScoreCard:
    run = play(bundled.compiled_scenario(scenario_id), 1, steps)
    assert bundled.rejected(run) == []
    return score_run(run)


def good_card(scenario_id: str) -> ScoreCard:
    return card_of(scenario_id, good_steps(scenario_id))


def whats(card: ScoreCard, dimension: str) -> list[str]:
    return [d.what for d in getattr(card, dimension).deductions]


# -- good habits lose nothing ---------------------------------------------------------------------


def test_an_eta_volunteered_a_minute_before_the_question_answers_it():
    # Black Friday: the VP asks at T+20 when search will work again.  The good script answers
    # at T+22; the same range given at T+19, before the question, is just as good.
    before = changed(good_steps("black-friday"),
                     lambda s: isinstance(s, GiveEstimate) and s.at == 22, at=19)
    card, good = card_of("black-friday", before), good_card("black-friday")
    asked = next(r for r in card.estimate_requests if r.request == "eta_mitigated")
    assert asked.answered_at == 19 and not asked.charged
    assert card.estimates.score == pytest.approx(good.estimates.score)
    assert not any("no estimate" in what for what in whats(card, "estimates"))


def test_support_told_before_they_ask_has_their_answer():
    # Support asks at T+4 what to tell customers; told at T+3, they have it.
    before = changed(good_steps("black-friday"),
                     lambda s: isinstance(s, PostUpdate) and s.audience == "support"
                     and s.at == 4, at=3)
    card = card_of("black-friday", before)
    asked = card.audience("support").requests[0]
    assert (asked.request, asked.answered_at, asked.charged) == ("support_what_to_say", 3, False)
    assert card.communication.score == pytest.approx(100)


def test_management_told_a_minute_before_the_evidence_is_on_time():
    # The wrong delete: the account manager's message (T+6) makes management owed an update.
    # Telling them at T+5, with the next update promised in time, loses nothing.
    before = changed(good_steps("wrong-delete"),
                     lambda s: isinstance(s, PostUpdate) and s.audience == "management"
                     and s.at == 8, at=5, next_update=18)
    card = card_of("wrong-delete", before)
    assert card.communication.score == pytest.approx(100)
    assert "Told management at T+5 once customer data deleted was visible" in \
        card.communication.credits


def test_a_late_update_to_management_is_charged_once_on_communication():
    late = changed(good_steps("wrong-delete"),
                   lambda s: isinstance(s, PostUpdate) and s.audience == "management"
                   and s.at == 8, at=25)
    card, good = card_of("wrong-delete", late), good_card("wrong-delete")
    charged = [w for w in whats(card, "communication") if "customer data deleted" in w]
    assert len(charged) == 1
    assert card.help.score == good.help.score and card.help.deductions == good.help.deductions


# -- holes stay closed ----------------------------------------------------------------------------


def test_a_run_the_facilitator_ends_after_a_good_opening_is_unfinished_and_held_down():
    opening = [s for s in good_steps("black-friday") if s.at <= 3]
    run = play(bundled.compiled_scenario("black-friday"), 1,
               opening + [FacilitatorAct(at=3, do="facilitate", act="end")])
    card = score_run(run)
    assert card.unfinished and card.outcome.score is None
    assert card.overall <= 50
    # The deduction says what happened: the drill was stopped, the incident did not end.
    silent = [w for w in whats(card, "communication") if w.startswith("Nobody told")]
    assert silent and all("before the drill was stopped at T+3" in w for w in silent), silent
    assert not any("the incident ended" in w for w in whats(card, "communication"))


@pytest.mark.parametrize("scenario_id", ["black-friday", "wrong-delete"])
def test_a_run_stopped_before_anything_was_done_earns_no_rollback_marks(scenario_id):
    # "Took no unsafe action" is no achievement when nothing was done: the dimension is not
    # judged at all, and says why, rather than showing 100.
    run = play(bundled.compiled_scenario(scenario_id), 1,
               [FacilitatorAct(at=0, do="facilitate", act="end")])
    card = score_run(run)
    assert not card.rollback.applicable, "shown as n/a, not as 100"
    assert not card.rollback.credits
    assert card.overall == 0


def test_a_run_that_does_nothing_is_judged_on_the_mitigation_it_never_started():
    idle = score_run(play(bundled.compiled_scenario("black-friday"), 1, []))
    assert idle.rollback.applicable and idle.rollback.score < 10
    assert not any("Took no unsafe action" in c for c in idle.rollback.credits)


@pytest.mark.parametrize("scenario_id, remove, door, at", [
    ("black-friday", ("clean_machines", "replay_backlog"), "wipe_queues", 21),
    ("wrong-delete", ("restore_new_instance", "copy_company"), "restore_whole_db", 14),
])
def test_a_one_way_door_never_reaches_the_good_bar(scenario_id, remove, door, at):
    # The queue wipe loses 2.3 million customer jobs; the whole-database restore overwrites
    # 2,300 other companies' day.  Both end the incident fast, with everything else played well.
    steps = [s for s in good_steps(scenario_id)
             if not (isinstance(s, StartAction) and s.action in remove)]
    steps = sorted(steps + [StartAction(at=at, do="start", action=door)], key=lambda s: s.at)
    run = play(bundled.compiled_scenario(scenario_id), 1, steps)
    card = score_run(run)
    assert run.ending.kind == "degraded"
    assert card.overall <= 60
    assert card.outcome.harm and card.outcome.capped


def test_not_checking_after_the_rollback_is_no_escape_from_the_pivot(tmp_path):
    # Evidence that the rollback was not enough shows only to whoever checks the key signal:
    # a player who rolls back and never looks is judged from when a check would have shown it.
    text = (FIXTURES / "scoring_trap.toml").read_text().replace(
        'persisted_evidence = "fired.still-crashing"', 'persisted_evidence = "done.check"')
    assert 'persisted_evidence = "done.check"' in text
    path = tmp_path / "trap.toml"
    path.write_text(text)
    compiled = CompiledScenario.build(load_scenario(path))
    run = play(compiled, 1, [StartAction(at=6, do="start", action="rollback")])
    card = score_run(run)
    pivot = [w for w in whats(card, "rollback") if "never remediated" in w]
    assert pivot and "was there for any check of the key signal from T+21" in pivot[0]


def test_starting_the_long_fix_first_is_not_mitigating_first():
    # Black Friday: the 36-machine cleanup takes an hour; starting it instead of the rollback
    # does nothing for the errors customers see meanwhile.
    steps = [s for s in good_steps("black-friday")
             if not (isinstance(s, StartAction) and s.action in ("rollback_release",
                                                                 "verify_search"))]
    steps = changed(steps, lambda s: isinstance(s, StartAction)
                    and s.action == "clean_machines", at=10)
    card = card_of("black-friday", steps)
    assert "No mitigation all run; the suspect change was visible from T+1" in \
        whats(card, "rollback")
    assert card.rollback.score < 65


def test_paging_everyone_at_once_costs():
    card = score_run(bundled.played("black-friday", "ritual"))
    assert card.help.score < 100
    assert any("Dashboard front-end developer" in w and "not needed" in w
               for w in whats(card, "help"))


def test_an_enormous_range_never_reached_scores_low():
    card = score_run(bundled.played("black-friday", "ritual"))
    wide = [row for row in card.estimate_rows if row.said.startswith("60-")]
    assert wide and all(row.score is not None and row.score <= 0.2 for row in wide)
    assert card.estimates.score <= 30


def test_filler_impact_does_not_count_as_stating_who_is_affected():
    filler = [s.model_copy(update={"impact": "x", "affected": ""})
              if isinstance(s, PostUpdate) else s for s in good_steps("black-friday")]
    card = card_of("black-friday", filler)
    assert any("did not say who is affected" in w for w in whats(card, "communication"))
    assert card.communication.score < good_card("black-friday").communication.score - 5


def test_management_updates_every_two_minutes_are_noise_in_black_friday():
    spam = [PostUpdate(at=at, do="update", audience="management", affected="all",
                       impact="Search failing.", doing="On it.", next_update=30,
                       status="identified") for at in range(24, 40, 2)]
    card = card_of("black-friday", sorted(good_steps("black-friday") + spam,
                                          key=lambda s: s.at))
    noise = [w for w in whats(card, "communication") if "with nothing new to say" in w]
    assert len(noise) >= 4
    assert card.communication.score < 100


def test_a_greedy_run_that_ends_failed_is_capped():
    # The config generator re-breaks the hand patch: greedy talks and pages well, and fails.
    compiled = CompiledScenario.build(load_scenario(FIXTURES / "rebroken.toml"))
    run, _ = strategies.play(compiled, "greedy", 0)
    card = score_run(run)
    assert run.ending.id == "rebroken"
    assert card.dimensions_mean >= 90
    assert card.overall <= 50 and card.outcome.capped


@pytest.mark.parametrize("scenario_id", bundled.BUNDLED)
def test_the_ritual_without_the_fix_never_passes(scenario_id):
    # The shipped ritual script and the ritual strategy: pages everyone, rolls back and checks,
    # filler with next-update times, enormous ranges, declares resolved early, never fixes.
    script = score_run(bundled.played(scenario_id, "ritual"))
    run, _ = strategies.play(bundled.compiled_scenario(scenario_id), "ritual", 0)
    automatic = score_run(run)
    assert len(run.declared) >= 2 and run.ending.kind not in ("resolved", "degraded")
    assert script.overall <= 60 and automatic.overall <= 60


def test_paging_the_right_person_early_keeps_full_credit():
    # Paging the engine's author at T+2, before the crash logs show why he is needed.
    early = changed(good_steps("black-friday"),
                    lambda s: isinstance(s, Page) and s.person == "engine_dev", at=2)
    assert card_of("black-friday", early).help.score == pytest.approx(100)
