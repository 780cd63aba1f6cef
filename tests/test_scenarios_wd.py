"""The bundled scenario "The wrong delete" (talk 2) and its good and poor play scripts.

These tests play the scenario headless the way a player would and check what a player would
notice: the strong play gets Courtevel back before their call centre opens and scores high, the
poor play runs into 08:00 in Lyon with the data still missing and scores low on every dimension,
and the tempting whole-database rollback brings the customer back at everyone else's expense.
"""

from __future__ import annotations


import pytest

from drill.engine.headless import play
from drill.engine.playscript import PlayScript, StartAction
from drill.engine.rules import local_hour
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario, Run

from . import bundled
from .bundled import compiled_scenario, rejected, scenario_path

SCENARIO_ID = "wrong-delete"
SCENARIO = scenario_path(SCENARIO_ID)


@pytest.fixture(scope="module")
def compiled() -> CompiledScenario:
    return compiled_scenario(SCENARIO_ID)


def script(name: str) -> PlayScript:
    return bundled.script(SCENARIO_ID, name)


def played(compiled: CompiledScenario, name: str, seed: int | None = None) -> Run:
    return bundled.played(SCENARIO_ID, name, seed)
BUSINESS_DAY = 180
"""08:00 in Lyon, in scenario minutes: the customer's agents start work (the file's opening hour;
a seed draws 7:00, 8:00 or 9:00, see :func:`business_day`)."""


def business_day(run: Run) -> float:
    """When Courtevel's agents start work in this run's variant, in scenario minutes."""
    return (run.variant.value("opens_hour") - 5) * 60


def test_scenario_carries_the_talk_and_a_playable_cast(compiled: CompiledScenario) -> None:
    scenario = compiled.scenario
    assert scenario.meta.id == "wrong-delete"
    assert [zone.utc_offset for zone in scenario.clock.zones] == [-7, 1]  # 8 hours apart
    assert 12 <= len([e for e in scenario.events if e.text]) <= 30
    assert 8 <= len(scenario.actions) <= 15
    assert 3 <= len(scenario.people) <= 6
    assert any(not person.name for person in scenario.people)  # faker names them
    assert {e.kind for e in scenario.endings} == {"resolved", "degraded", "failed", "out_of_time"}
    assert {m.id for m in scenario.milestones} >= {"mitigated", "resolved"}
    kinds = {r.kind for r in scenario.requests}
    assert kinds == {"estimate", "update"}


def test_paris_is_eight_hours_ahead_and_the_business_day_is_at_t180(
        compiled: CompiledScenario) -> None:
    clock = compiled.scenario.clock
    assert local_hour(clock, "sf", 0) == 21
    assert local_hour(clock, "paris", 0) == 5
    assert local_hour(clock, "paris", BUSINESS_DAY) == 8


@pytest.mark.parametrize("seed", [1, 2, 977])
def test_good_play_gets_courtevel_back_before_their_day_starts(
        compiled: CompiledScenario, seed: int) -> None:
    run = played(compiled, "good", seed)
    assert rejected(run) == []
    assert run.ending is not None and run.ending.id == "restored"
    assert run.ending.kind == "resolved"
    assert run.reached["mitigated"] < business_day(run)
    assert run.value("whole_db_rolled_back") is False
    # The carrier's NOC, reached through the voice engineer, beat the ticket queue.
    assert run.finished["escalate_carrier"][0] < run.finished["ticket_carrier"][0]


def test_poor_play_runs_into_the_business_day_with_the_data_missing(
        compiled: CompiledScenario) -> None:
    run = played(compiled, "poor")
    assert rejected(run) == []
    assert run.declared == ()
    assert run.ending is not None and run.ending.id == "business_day_lost"
    assert run.ending.kind == "failed"
    assert run.ended_at == business_day(run)
    assert "mitigated" not in run.reached


def test_poor_play_is_told_why_it_lost_points(compiled: CompiledScenario) -> None:
    poor = score_run(played(compiled, "poor"))
    help_lines = " ".join(d.what for d in poor.help.deductions)
    assert "database" in help_lines  # never paged the database people
    assert "Mobile app developer" in help_lines  # paged someone who could not help
    rollback_lines = " ".join(d.what for d in poor.rollback.deductions)
    assert "never checked" in rollback_lines  # restarted twice without checking


def test_rolling_the_whole_database_back_is_fast_but_costs_everyone_else(
        compiled: CompiledScenario) -> None:
    """Swap the side restore and copy for the tempting whole-database rollback."""
    steps = [s for s in script("good").steps
             if not (isinstance(s, StartAction) and s.action in ("restore_new_instance",
                                                                 "copy_company"))]
    steps.append(StartAction(at=14, do="start", action="restore_whole_db"))
    steps.sort(key=lambda s: s.at)
    run = play(compiled, 1, steps)
    assert rejected(run) == []
    assert run.ending is not None and run.ending.id == "restored_at_a_cost"
    assert run.value("tickets_open") >= 60  # every other customer lost their afternoon
    card = score_run(run)
    unsafe = [d for d in card.rollback.deductions if "Roll the whole production" in d.what]
    assert unsafe, card.rollback.deductions
    assert card.rollback.score < score_run(played(compiled, "good")).rollback.score


def test_copying_alone_is_much_slower_than_with_the_database_people(
        compiled: CompiledScenario) -> None:
    steps = [s for s in script("good").steps
             if not (getattr(s, "do", "") == "page" and s.person in ("dba", "backend"))]
    alone = play(compiled, 1, steps)
    helped = played(compiled, "good")
    assert alone.reached["data_back"] - helped.reached["data_back"] > 40



def _event_text(run: Run, event_id: str) -> str:
    return next(entry.text for entry in run.log if entry.ref == event_id and entry.text)


def test_a_seed_changes_the_incident_and_the_good_play_holds_in_every_variant(
        compiled: CompiledScenario) -> None:
    """Seeds draw when Courtevel opens (told in the briefing), how long the side restore and the
    CRM vendor take, and one complication; the strong play resolves in each variant, and the
    texts that read a draw say this run's value."""
    from drill.engine.postmortem import render_postmortem
    from drill.engine.variety import briefing_texts

    deck = {"pool_notice", "courtevel_awake", "ceo_landing"}
    runs = {seed: played(compiled, "good", seed) for seed in range(16)}
    assert len({run.variant.code for run in runs.values()}) >= 3
    assert {run.variant.value("opens_hour") for run in runs.values()} == {7, 8, 9}
    assert len({run.variant.value("restore_minutes") for run in runs.values()}) >= 3
    assert len({run.variant.value("crm_minutes") for run in runs.values()}) >= 3
    assert {run.variant.value("complication") for run in runs.values()} == {
        (event,) for event in deck}
    for seed, run in runs.items():
        assert rejected(run) == [], seed
        assert run.ending is not None and run.ending.id == "restored", seed
        opens = run.variant.value("opens_hour")
        assert run.reached["mitigated"] < business_day(run), seed
        # The opening hour drawn is the one the briefing and the head of customer success give.
        situation = briefing_texts(run.scenario, run.variant)[0]
        assert f"start taking calls at {opens:g}:00" in situation, seed
        assert f"opens at {opens:g}:00 Paris time" in _event_text(run, "eta_management"), seed
        # The draws set the restore, the CRM ticket and the resolved reference.
        crm = run.variant.value("crm_minutes")
        assert run.finished["restore_new_instance"] == (14 + run.variant.value("restore_minutes"),)
        assert run.finished["ticket_crm"] == (15 + crm,), seed
        assert run.scenario.scoring.outcome.resolved_by == crm + 30, seed
        # The complication drawn reaches the feed, and the update it asks for is given in time.
        fired = {entry.ref for entry in run.log if entry.kind == "event"}
        (drawn,) = run.variant.value("complication")
        assert drawn in fired and not (deck - {drawn}) & fired, seed
        card = score_run(run)
        assert card.communication.score == 100, (seed, card.communication.deductions)
        assert card.overall >= 90, (seed, card.overall)
    early = next(run for run in runs.values() if run.variant.value("opens_hour") == 7)
    text = render_postmortem(early, score_run(early))
    assert "This run's variant" in text
    assert "Hour (Lyon) Courtevel's agents start taking calls:** 7" in text
    assert f"The CRM vendor restoring the connector:** {early.variant.value('crm_minutes'):g} min" in text


def test_a_late_team_meets_the_opening_hour_it_drew() -> None:
    """The poor play's data is still missing at 7:00 and at 8:00; at 9:00 it has copied the data
    back in time but never finishes, so the run ends out of time instead."""
    endings = {}
    for seed in range(16):
        run = played(None, "poor", seed)
        endings[run.variant.value("opens_hour")] = (run.ending.id, run.ended_at, business_day(run))
    assert endings[7][:2] == ("business_day_lost", 120)
    assert endings[8][:2] == ("business_day_lost", 180)
    assert endings[9][0] == "out_of_time"
