"""Scoring (DOMAIN.md §9): worked examples, and what a player would notice about their score."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.scenario import Scenario
from drill.engine.scorecard import ScoreCard
from drill.engine.scoring import (
    interval_score,
    point_score,
    range_score,
    score_run,
)
from drill.engine.simulation import CompiledScenario, Run

FIXTURES = Path(__file__).parent.parent / "fixtures"


def load_fixture(name: str) -> Scenario:
    with open(FIXTURES / name, "rb") as handle:
        return Scenario.model_validate(tomllib.load(handle))


@pytest.fixture(scope="module")
def comms() -> CompiledScenario:
    return CompiledScenario.build(load_fixture("scoring_comms.toml"))


@pytest.fixture(scope="module")
def trap() -> CompiledScenario:
    return CompiledScenario.build(load_fixture("scoring_trap.toml"))


@pytest.fixture(scope="module")
def estimates() -> CompiledScenario:
    return CompiledScenario.build(load_fixture("scoring_estimates.toml"))


@pytest.fixture(scope="module")
def project() -> CompiledScenario:
    return CompiledScenario.build(load_fixture("scoring_project.toml"))


def run_of(compiled: CompiledScenario, *raw: dict) -> Run:
    steps = PlayScript.model_validate({"steps": list(raw)}).steps
    return play(compiled, 1, steps, names={})


def scored(compiled: CompiledScenario, *raw: dict) -> ScoreCard:
    return score_run(run_of(compiled, *raw))


def whats(card: ScoreCard, dimension: str) -> list[str]:
    return [d.what for d in getattr(card, dimension).deductions]


def update(at: float, audience: str, **more: object) -> dict:
    return {"at": at, "do": "update", "audience": audience, "impact": "Errors for users",
            "affected": "some", **more}


# -- worked examples of §9 ------------------------------------------------------------------------


@pytest.mark.parametrize(("point", "actual", "alpha", "beta", "expected"), [
    (20, 40, 1.0, 0.5, 0.50),   # exec ETA 20, took 40
    (20, 10, 1.0, 0.5, 0.71),   # exec ETA 20, took 10: padding costs less
    (30, 30, 1.0, 1.0, 1.00),
    (30, 90, 1.0, 1.0, 0.33),
])
def test_point_estimates_match_the_worked_examples(point, actual, alpha, beta, expected):
    assert point_score(point, actual, alpha, beta) == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize(("low", "high", "actual", "expected_is", "expected_raw"), [
    (15, 45, 30, 1.10, 0.58),
    (15, 45, 60, 3.98, 0.14),
    (10, 120, 60, 2.48, 0.29),
    (25, 35, 60, 5.73, 0.06),
])
def test_interval_scores_match_the_worked_examples(low, high, actual, expected_is, expected_raw):
    score = interval_score(low, high, actual, 0.8)
    assert score == pytest.approx(expected_is, abs=0.005)
    assert math.exp(-score / 2) == pytest.approx(expected_raw, abs=0.005)


def test_a_range_as_sharp_as_the_reference_scores_full_marks():
    assert range_score(20, 45, 30, 0.8, spread=1.5, kappa=2) == pytest.approx(1.0)
    # [15,45] around 30 is wider than the 1.5x reference: the skill form forgives most of it.
    assert range_score(15, 45, 30, 0.8, spread=1.5, kappa=2) == pytest.approx(
        math.exp(-(math.log(3) - 2 * math.log(1.5)) / 2))
    assert range_score(25, 35, 60, 0.8, 1.5, 2) < range_score(15, 45, 60, 0.8, 1.5, 2) < 0.25


# -- (a) communication ----------------------------------------------------------------------------

GOOD_COMMS = (
    update(7, "customers", next_update=15),
    update(8, "management", next_update=25),
    {"at": 9, "do": "start", "action": "fix"},
    update(21, "customers", next_update=15),
    update(32, "management", next_update=25),
    update(35, "customers", next_update=15),
    update(49, "customers", status="resolved", data_loss="none"),
    update(49, "management", status="resolved", data_loss="none"),
    {"at": 49, "do": "resolve"},
)


def test_good_communication_scores_high_and_is_credited(comms):
    card = scored(comms, *GOOD_COMMS)
    assert card.communication.score > 95
    assert "Customers heard from the responders by T+7 (due by T+15)" in card.communication.credits
    customers, management = card.audience("customers"), card.audience("management")
    assert customers.promised == 3 and customers.kept == 3
    assert management.first_update == 8


def test_a_silent_run_scores_near_zero_on_communication(comms):
    card = scored(comms, {"at": 9, "do": "start", "action": "fix"}, {"at": 49, "do": "resolve"})
    assert card.communication.applicable
    assert card.communication.score < 5
    assert "No update to customers all run (the first was due by T+15)" in whats(
        card, "communication")


def test_an_update_before_the_deadline_beats_a_late_one(comms):
    on_time = scored(comms, update(12, "customers", next_update=20))
    late = scored(comms, update(30, "customers", next_update=20))
    assert on_time.communication.score > late.communication.score
    assert "First update to customers at T+30, due by T+15" in whats(late, "communication")


def test_a_broken_promise_of_a_next_update_is_named(comms):
    kept = scored(comms, update(7, "customers", next_update=10), update(16, "customers"))
    broken = scored(comms, update(7, "customers", next_update=10), update(25, "customers"))
    assert kept.communication.score > broken.communication.score
    assert ("Told customers at T+7 the next update would come by T+17; the next came at T+25"
            in whats(broken, "communication"))
    assert broken.audience("customers").broken == 1


def test_promising_customers_a_resolution_time_costs_content_points(comms):
    plain = scored(comms, update(7, "customers", next_update=15))
    eta = scored(comms, update(7, "customers", next_update=15, eta=30))
    assert eta.communication.score < plain.communication.score
    assert any("promised customers a resolution time" in w for w in whats(eta, "communication"))


def test_updates_with_no_news_in_between_are_noise(comms):
    noisy = scored(comms, update(52, "management"), update(54, "management"))
    newsy = scored(comms, update(48, "management"), update(52, "management"))  # graph at T+50
    assert any("with nothing new to say" in w for w in whats(noisy, "communication"))
    assert not any("with nothing new to say" in w for w in whats(newsy, "communication"))


def test_an_unanswered_request_for_an_update_is_a_deduction(comms):
    # The update at T+8 is stale by T+30: the fix started since.
    stale = (update(8, "management", next_update=40), {"at": 9, "do": "start", "action": "fix"})
    ignored = scored(comms, *stale)
    answered = scored(comms, *stale, update(35, "management"))
    assert any(w.startswith("The VP asked for an update to management at T+30")
               for w in whats(ignored, "communication"))
    assert any("Answered The VP's request" in c for c in answered.communication.credits)


def test_audiences_that_are_not_required_are_not_scored(comms):
    card = scored(comms)
    assert not any("support" in w or "the team" in w for w in whats(card, "communication"))
    assert card.audience("support").required is False


def test_the_cadence_relaxes_once_mitigated(comms):
    # "fix" started at T+6 ends at T+46 (mitigated).  An update just after it covers 60 min;
    # one just before covers only 20.
    start = ({"at": 6, "do": "start", "action": "fix"}, update(7, "customers"),
             update(26, "customers"))
    before = scored(comms, *start, update(44, "customers"))
    after = scored(comms, *start, update(47, "customers"))
    assert after.communication.score > before.communication.score
    assert any("Customers went 11 min past" in w for w in whats(after, "communication"))


# -- (b) asking for help --------------------------------------------------------------------------

ROLLBACK = {"at": 6, "do": "start", "action": "rollback"}  # done at T+11: the evidence appears


def test_paging_after_the_evidence_beats_never_paging(trap):
    prompt = scored(trap, ROLLBACK, {"at": 13, "do": "page", "person": "sre"})
    late = scored(trap, ROLLBACK, {"at": 40, "do": "page", "person": "sre"})
    never = scored(trap, ROLLBACK)
    assert prompt.help.score == pytest.approx(100)
    assert prompt.help.score > late.help.score > never.help.score
    assert late.help.score == pytest.approx(100 * math.exp(-(40 - 16) / 15))
    assert never.help.score < 1
    assert any(w.startswith("Nobody paged anyone with storage skills; persisted state was "
                            "visible from T+11") for w in whats(never, "help"))


def test_paging_before_the_evidence_counts_as_on_time(trap):
    assert scored(trap, {"at": 2, "do": "page", "person": "sre"}, ROLLBACK).help.score == 100


def test_evidence_that_never_appeared_is_not_judged(trap):
    # The "disk_full" trigger's evidence never holds; only the other trigger counts.
    card = scored(trap, ROLLBACK, {"at": 13, "do": "page", "person": "sre"})
    assert not any("disk" in w for w in whats(card, "help"))
    no_rollback = scored(trap)  # neither trigger's evidence ever appears
    assert not no_rollback.help.applicable


def test_paging_people_who_are_not_needed_costs_a_little(trap):
    card = scored(trap, ROLLBACK, {"at": 12, "do": "page", "person": "ceo"},
                  {"at": 13, "do": "page", "person": "sre"},
                  {"at": 14, "do": "page", "person": "cfo"})
    assert card.help.score == pytest.approx(80)  # 0.1 each, within their hours
    assert any("Paged Casey (CEO) at T+12, who was not needed" in w for w in whats(card, "help"))


def test_no_help_or_rollback_deduction_refers_to_a_time_before_its_evidence(trap):
    for run in (run_of(trap, ROLLBACK), run_of(trap, ROLLBACK, {"at": 40, "do": "page",
                                                                "person": "sre"}),
                run_of(trap, ROLLBACK, {"at": 60, "do": "start", "action": "purge"})):
        card = score_run(run)
        evidence = run.evidence["fired.still-crashing"]
        assert all(d.time >= evidence for d in card.help.deductions)
        pivot = [d for d in card.rollback.deductions if "persisted state" in d.what]
        assert pivot and all(d.time >= evidence for d in pivot)


# -- (c) rollback choices -------------------------------------------------------------------------

CHECK = {"at": 11, "do": "start", "action": "check"}


def test_rollback_then_the_right_fix_scores_full_marks(trap):
    card = scored(trap, ROLLBACK, CHECK, {"at": 13, "do": "start", "action": "purge"},
                  {"at": 23, "do": "resolve"})
    assert card.rollback.score == pytest.approx(100)
    assert "Mitigated first: Roll back the deploy at T+6" in card.rollback.credits


def test_leaving_the_trap_beats_staying_on_the_rollback(trap):
    stayed = scored(trap, ROLLBACK, CHECK)
    pivoted_late = scored(trap, ROLLBACK, CHECK, {"at": 60, "do": "start", "action": "purge"})
    pivoted = scored(trap, ROLLBACK, CHECK, {"at": 20, "do": "start", "action": "purge"})
    assert pivoted.rollback.score > pivoted_late.rollback.score > stayed.rollback.score
    assert stayed.rollback.score < 71
    assert any(w.startswith("Stayed on Roll back the deploy") for w in whats(stayed, "rollback"))


def test_saying_the_rollback_was_not_enough_earns_a_bonus(trap):
    late = (ROLLBACK, CHECK, {"at": 60, "do": "start", "action": "purge"})
    silent = scored(trap, *late)
    told = scored(trap, ROLLBACK, CHECK, update(15, "support", rollback_insufficient=True),
                  late[-1])
    assert told.rollback.score - silent.rollback.score == pytest.approx(0.1 * 0.30 * 100)


def test_an_unsafe_action_counts_only_after_its_warning(trap):
    before = scored(trap, {"at": 2, "do": "start", "action": "wipe"}, ROLLBACK, CHECK)
    after = scored(trap, ROLLBACK, CHECK, {"at": 15, "do": "start", "action": "wipe"})
    assert before.rollback.score - after.rollback.score == pytest.approx(0.25 * 0.20 * 100)
    assert "Started Wipe the disks at T+15, after the warning was visible at T+11" in whats(
        after, "rollback")


def test_a_one_way_door_can_cost_the_whole_safety_share(trap):
    with open(FIXTURES / "scoring_trap.toml", "rb") as handle:
        data = tomllib.load(handle)
    data["scoring"]["rollback"]["unsafe"][0]["cost"] = 1.0
    costly = CompiledScenario.build(Scenario.model_validate(data))
    moves = (ROLLBACK, CHECK, {"at": 15, "do": "start", "action": "wipe"})
    quarter, whole = scored(trap, *moves), scored(costly, *moves)
    assert quarter.rollback.score - whole.rollback.score == pytest.approx(0.75 * 0.20 * 100)
    assert sum(d.points for d in whole.rollback.deductions
               if d.what.startswith("Started Wipe")) == pytest.approx(0.20 * 100)


def with_scoring(name: str, edit) -> CompiledScenario:
    with open(FIXTURES / name, "rb") as handle:
        data = tomllib.load(handle)
    edit(data)
    return CompiledScenario.build(Scenario.model_validate(data))


def test_a_scenario_can_weigh_the_rollback_components_its_own_way(trap):
    only_safety = with_scoring("scoring_trap.toml", lambda d: d["scoring"]["rollback"].update(
        parts={"mitigate": 0, "verify": 0, "pivot": 0, "safety": 1}))
    early = ({"at": 2, "do": "start", "action": "wipe"}, ROLLBACK, CHECK)
    late = (ROLLBACK, CHECK, {"at": 15, "do": "start", "action": "wipe"})
    for compiled, share in ((trap, 0.20), (only_safety, 1.0)):
        lost = scored(compiled, *early).rollback.score - scored(compiled, *late).rollback.score
        assert lost == pytest.approx(0.25 * share * 100)
    assert scored(only_safety, *early).rollback.score == 100, "only safety counts"


def test_a_scenario_can_make_an_unanswered_request_cost_more(comms):
    strict = with_scoring("scoring_comms.toml", lambda d: d.setdefault("comms", {}).update(
        request_cost=0.3, request_cap=0.3))
    ignored = (update(8, "management", next_update=40), {"at": 9, "do": "start", "action": "fix"})

    def request_points(card: ScoreCard) -> float:
        return sum(d.points for d in card.communication.deductions
                   if d.what.startswith("The VP asked for an update"))

    assert request_points(scored(comms, *ignored)) > 0
    assert request_points(scored(strict, *ignored)) == pytest.approx(
        3 * request_points(scored(comms, *ignored)))


def test_a_costly_broken_eta_never_takes_more_than_its_part(estimates):
    harsh = with_scoring("scoring_estimates.toml", lambda d: d.setdefault("scoring", {}).setdefault("estimates", {}).update(
        broken_eta_cost=1.0))
    broken = (FIX, estimate(1, "customers", point=5), estimate(2, "management", point=5))
    card = scored(harsh, *broken)
    lost = sum(d.points for d in card.estimates.deductions
               if "passed without the milestone" in d.what)
    # The promises part is 0.2 of 0.8 here (no project rubric): 25 points, whatever the cost.
    assert lost == pytest.approx(25)


def test_silence_all_run_scores_zero_however_short_the_run(comms):
    # The fix ends it a few minutes after the first updates were due: still nothing was said.
    card = scored(comms, {"at": 0, "do": "start", "action": "fix"}, {"at": 20, "do": "resolve"})
    assert card.communication.applicable
    assert card.communication.score == 0
    assert sum(d.points for d in card.communication.deductions) == pytest.approx(100)


def test_not_checking_the_signal_after_a_mitigation_costs(trap):
    fix = {"at": 13, "do": "start", "action": "purge"}
    assert scored(trap, ROLLBACK, fix).rollback.score == pytest.approx(85)


def test_mitigating_late_decays(trap):
    card = scored(trap, {"at": 35, "do": "start", "action": "rollback"},
                  {"at": 40, "do": "start", "action": "check"},
                  {"at": 42, "do": "start", "action": "purge"})
    # C1 = decay(35 - 20, 15): a loss of 0.35 x (1 - e^-1).
    assert card.rollback.score == pytest.approx(100 - 35 * (1 - math.exp(-1)), abs=0.01)


# -- (d) estimates --------------------------------------------------------------------------------

FIX = {"at": 0, "do": "start", "action": "fix"}  # milestone "fixed" at T+40


def estimate(at: float, audience: str, milestone: str = "fixed", **said: object) -> dict:
    return {"at": at, "do": "estimate", "audience": audience, "milestone": milestone, **said}


def test_an_external_eta_twice_too_short_scores_half(estimates):
    card = scored(estimates, FIX, estimate(10, "management", point=15))
    [row] = card.estimate_rows
    assert row.actual == 30 and row.score == pytest.approx(0.5) and row.hit is False
    # D = (0.6 x 0.5 + 0.2 x E) / 0.8, E = 0.9: the ETA passed at T+25 without a revision.
    assert card.estimates.score == pytest.approx(100 * (0.3 + 0.2 * 0.9) / 0.8)
    assert any("passed without the milestone" in w for w in whats(card, "estimates"))


def test_a_revised_eta_is_not_broken(estimates):
    card = scored(estimates, FIX, estimate(10, "management", point=15),
                  estimate(20, "management", point=20))
    assert not any("passed without the milestone" in w for w in whats(card, "estimates"))


def test_a_range_that_holds_scores_well(estimates):
    card = scored(estimates, FIX, estimate(10, "management", low=15, high=45))
    [row] = card.estimate_rows
    assert row.said == "15-45 min (80%)" and row.hit is True
    assert row.score == pytest.approx(range_score(15, 45, 30, 0.8, 1.5, 2))
    assert card.estimates.score > 85


def test_never_answering_estimate_requests_scores_low(estimates):
    card = scored(estimates, FIX)
    assert card.estimates.applicable and card.estimates.score == 0
    assert "The VP asked at T+10 when 'Fixed' would happen; no estimate by T+20" in whats(
        card, "estimates")


def test_no_estimate_given_or_asked_is_not_applicable(comms):
    card = scored(comms, *GOOD_COMMS)
    assert not card.estimates.applicable
    assert card.dimensions_mean == pytest.approx(card.communication.score)  # the only one


def test_a_milestone_never_reached_is_judged_only_where_it_is_already_wrong(estimates):
    card = scored(estimates, FIX, estimate(10, "management", point=30),
                  {"at": 10, "do": "start", "action": "slow"},
                  estimate(10, "team", "migrated", point=30),
                  estimate(10, "team", "migrated", point=200))
    _, too_short, open_ended = card.estimate_rows
    # The run ended at T+120 without it: at least 110 remained, so 30 was wrong by 110/30 or more.
    assert too_short.censored and too_short.actual == 110
    assert too_short.score == pytest.approx(30 / 110)
    # 200 may still come true: judged against the least it could take (110), neither hit nor
    # miss (DOMAIN §9.7: an estimate is judged even when its milestone never comes).
    assert open_ended.score == pytest.approx(110 / 200) and open_ended.hit is None


def test_an_unforeseeable_delay_is_not_held_against_the_estimate(estimates):
    card = scored(estimates, FIX, estimate(0, "team", "delayed", point=20))
    [row] = card.estimate_rows
    assert row.actual == 20 and row.score == pytest.approx(1.0)


def test_project_rubric_rewards_an_honest_range_and_a_risk_flag(project):
    honest = scored(project, {"at": 0, "do": "start", "action": "build"},
                    estimate(1, "management", "launch", low=50, high=80,
                             basis="past_actuals", flags_risk=True))
    wishful = scored(project, {"at": 0, "do": "start", "action": "build"},
                     estimate(1, "management", "launch", point=25),
                     estimate(10, "management", "launch", point=10))
    assert honest.estimates.score > 90
    # Accuracy 0.31 (25 and 10 against 59 and 50), one broken ETA, every rubric item missed.
    assert wishful.estimates.score < 40
    lines = whats(wishful, "estimates")
    assert "Shortened an estimate under pressure without cutting scope (at day 10)" in lines
    assert "Never gave a range, only single dates" in lines
    assert not honest.rollback.applicable


def test_cutting_scope_allows_a_shorter_estimate(project):
    card = scored(project, {"at": 0, "do": "start", "action": "build"},
                  estimate(1, "team", "launch", point=60),
                  {"at": 2, "do": "start", "action": "cut"},
                  estimate(5, "team", "launch", point=50))
    assert not any(w.startswith("Shortened") for w in whats(card, "estimates"))


# -- the whole card -------------------------------------------------------------------------------


def test_deductions_add_up_to_the_points_lost(comms, trap, estimates, project):
    cards = [
        scored(comms),
        scored(comms, update(30, "customers", next_update=10, eta=5), update(31, "management"),
               update(33, "management")),
        scored(trap, ROLLBACK, {"at": 12, "do": "page", "person": "ceo"}),
        scored(trap, ROLLBACK, CHECK, {"at": 15, "do": "start", "action": "wipe"},
               {"at": 16, "do": "start", "action": "wipe"}),
        scored(estimates, FIX, estimate(10, "customers", point=10)),
        scored(project, estimate(1, "management", "launch", point=25)),
    ]
    for card in cards:
        for dimension in card.dimensions():
            if dimension.applicable:
                lost = sum(d.points for d in dimension.deductions)
                assert lost == pytest.approx(100 - dimension.score, abs=0.5), dimension.dimension


def test_the_dimensions_mean_weighs_only_the_applicable_dimensions(trap):
    card = scored(trap, ROLLBACK, {"at": 40, "do": "page", "person": "sre"})
    assert not card.communication.applicable and not card.estimates.applicable
    assert card.dimensions_mean == pytest.approx((card.help.score + card.rollback.score) / 2)


_MOVES = [
    {"do": "start", "action": "rollback"}, {"do": "start", "action": "check"},
    {"do": "start", "action": "purge"}, {"do": "start", "action": "wipe"},
    {"do": "page", "person": "sre"}, {"do": "page", "person": "ceo"},
    {"do": "update", "audience": "support", "next_update": 10, "rollback_insufficient": True},
    {"do": "resolve"},
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 140), st.sampled_from(_MOVES)), max_size=8))
def test_any_play_loses_exactly_its_deductions_and_never_before_the_evidence(moves):
    trap = CompiledScenario.build(load_fixture("scoring_trap.toml"))
    run = run_of(trap, *({"at": at, **move} for at, move in sorted(moves, key=lambda m: m[0])))
    card = score_run(run)
    evidence = run.evidence.get("fired.still-crashing", math.inf)
    for dimension in card.dimensions():
        assert 0 <= dimension.score <= 100
        if dimension.applicable:
            lost = sum(d.points for d in dimension.deductions)
            assert lost == pytest.approx(100 - dimension.score, abs=0.5)
    assert all(d.time >= evidence for d in card.help.deductions if "ceo" not in d.what.lower()
               and "Casey" not in d.what)
    assert all(d.time >= evidence for d in card.rollback.deductions
               if "persisted state" in d.what or "Wipe" in d.what)
