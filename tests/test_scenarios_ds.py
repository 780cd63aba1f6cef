"""The bundled scenario "883 sites deleted" (Atlassian, April 2022) and its plays.

These tests play the scenario headless the way a player would and check what a player would
notice: the single-site runbook brings a first batch back two days after it starts and would
take weeks for all 883 sites, the bulk restore makes it days, rolling the shared databases back
is fast and erases everyone else's work, the affected customers can only be reached once their
contacts are rebuilt, the CTO answers from Team '22, the strong play resolves and scores high
in every seed's variant (the bulk restore's build time and the contacts' rebuild time vary),
and the poor play still has fewer than half the sites back on day 12.
"""

from __future__ import annotations

import pytest

from drill.engine.headless import play
from drill.engine.playscript import DeclareResolved, Page, PlayScript, StartAction
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario

from . import bundled
from .bundled import compiled_scenario, rejected

SCENARIO_ID = "deleted-sites"


@pytest.fixture(scope="module")
def compiled() -> CompiledScenario:
    return compiled_scenario(SCENARIO_ID)


def script(name: str) -> PlayScript:
    return bundled.script(SCENARIO_ID, name)


def good_without(*actions: str) -> list:
    return [s for s in script("good").steps
            if not (isinstance(s, StartAction) and s.action in actions)]


def test_the_scenario_names_its_sources_and_counts_days(compiled: CompiledScenario) -> None:
    scenario = compiled.scenario
    assert "post-incident-review-april-2022-outage" in scenario.meta.source
    assert scenario.clock.unit == "days"
    assert scenario.clock.start.strftime("%A %d %B %Y %H:%M") == "Tuesday 05 April 2022 08:00"
    assert {e.kind for e in scenario.endings} == {"resolved", "degraded", "failed",
                                                   "out_of_time"}


@pytest.mark.parametrize("seed", [1, 977])
def test_good_play_restores_every_site_in_about_ten_days(seed: int) -> None:
    run = bundled.played(SCENARIO_ID, "good", seed)
    assert rejected(run) == []
    assert run.ending is not None and run.ending.id == "all_restored"
    assert run.reached["first_back"] == pytest.approx(2.45)  # two days after the runbook starts
    assert run.reached["resolved"] < 10.5  # sooner than 2022's 14 days: the bulk path began on day 0
    assert run.value("shards_rolled_back") is False and run.value("customers_in_dark") == 0


def test_the_runbook_alone_takes_weeks() -> None:
    run = play(compiled_scenario(SCENARIO_ID), 1,
               [s for s in good_without("build_bulk_restore") if s.do != "resolve"])
    assert run.ending is not None and run.ending.kind == "out_of_time"
    assert 442 <= run.value("sites_restored") < 883  # half by day 12, not all by day 16
    card = score_run(run)
    assert any("never remediated" in d.what for d in card.rollback.deductions)


def test_rolling_the_shared_databases_back_is_fast_and_costs_everyone_else() -> None:
    steps = [s for s in script("good").steps if s.at < 0.2]
    steps += [StartAction(at=0.2, do="start", action="roll_back_shards"),
              DeclareResolved(at=0.75, do="resolve")]
    run = play(compiled_scenario(SCENARIO_ID), 1, steps)
    assert rejected(run) == []
    assert run.reached["resolved"] == pytest.approx(0.7)  # within hours
    assert run.ending is not None and run.ending.id == "restored_by_rollback"
    assert run.value("tickets_open") > 2000  # every other customer on those databases
    card = score_run(run)
    assert [h.id for h in card.outcome.harm] == ["shards_rolled_back"]
    assert any("Roll the shared databases back" in d.what for d in card.rollback.deductions)
    assert card.overall <= 40


def test_customers_can_only_be_reached_once_their_contacts_are_rebuilt() -> None:
    good = bundled.played(SCENARIO_ID, "good")
    assert good.finished["rebuild_contacts"][0] >= good.arrived_at["commerce_data"] + 1
    without = play(compiled_scenario(SCENARIO_ID), 1,
                   [s for s in script("good").steps
                    if not (isinstance(s, Page) and s.person == "commerce_data")])
    assert "rebuild_contacts" not in without.finished
    assert without.value("customers_in_dark") > 0


def test_the_cto_answers_from_team_22_and_joins_after_it() -> None:
    run = play(compiled_scenario(SCENARIO_ID), 1, [Page(at=1, do="page", person="cto")])
    answer = next(e.text for e in run.log if e.kind == "said" and e.ref == "cto")
    assert "Team '22" in answer
    assert run.arrived_at["cto"] == 2.5


def test_poor_play_has_fewer_than_half_back_on_day_twelve() -> None:
    run = bundled.played(SCENARIO_ID, "poor")
    assert rejected(run) == []
    assert run.ending is not None and run.ending.id == "customers_leave"
    assert run.ended_at == 12 and run.value("sites_restored") < 442
    card = score_run(run)
    communication = " ".join(d.what for d in card.communication.deductions)
    assert "all were affected while the signals showed few" in communication


def test_seeds_change_the_incident_and_the_good_play_resolves_in_every_variant() -> None:
    runs = [bundled.played(SCENARIO_ID, "good", seed) for seed in range(16)]
    assert len({run.variant.code for run in runs}) >= 3
    assert {run.variant.value("bulk_build_days") for run in runs} == {2, 2.5, 3}
    assert {run.variant.value("contacts_hours") for run in runs} == {12, 24, 36}
    for run in runs:
        assert rejected(run) == [], run.variant.code
        assert run.ending is not None and run.ending.id == "all_restored", run.variant.code
        assert run.reached["first_back"] == pytest.approx(2.45)  # the runbook's 60 sites: fixed
        days = run.variant.value("bulk_build_days")
        assert run.finished["build_bulk_restore"][0] == pytest.approx(0.56 + days)
        reveal = next(e.text for e in run.log
                      if e.kind == "finished" and e.ref == "build_bulk_restore")
        assert f"after {days:g} days of work" in reveal
        # The contacts take this seed's time to rebuild: until then customers stay in the dark.
        hours = run.variant.value("contacts_hours")
        assert run.finished["rebuild_contacts"][0] == pytest.approx(1.0 + hours / 24)
        assert f"after {hours:g} hours of matching" in next(
            e.text for e in run.log if e.kind == "finished" and e.ref == "rebuild_contacts")
    # A slower build brings everyone back later, and the reference time moves with it.
    by_days = {run.variant.value("bulk_build_days"): run for run in runs}
    assert by_days[2].reached["resolved"] < by_days[3].reached["resolved"]
    assert (by_days[2].scenario.scoring.outcome.resolved_by
            < by_days[3].scenario.scoring.outcome.resolved_by)
    assert min(score_run(run).overall for run in runs) >= 95
