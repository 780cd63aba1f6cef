"""The bundled scenario "S3 down in US-EAST-1" (Amazon S3, 28 February 2017) and its plays.

These tests play the scenario headless the way a player would and check what a player would
notice: putting the removed servers back changes nothing until the index is cold-restarted, the
restart takes hours (faster with the index engineers, slower during retry storms), the status
page cannot be changed until its console leaves the region (an update to customers posted there
does not go out), the principal engineer in Dublin comes late once her day is over, seeds change
how fast the safety checks run and how long the console takes to move, the strong play resolves and scores high, the poor play still
has no GETs at 13:37, and skipping the metadata checks is fast but leaves harm behind.
"""

from __future__ import annotations

import pytest

from drill.engine.headless import play
from drill.engine.playscript import Page, PlayScript, PostUpdate, StartAction
from drill.engine.postmortem import render_postmortem
from drill.engine.rules import local_hour
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario

from . import bundled
from .bundled import compiled_scenario, rejected

SCENARIO_ID = "s3-us-east-1"


@pytest.fixture(scope="module")
def compiled() -> CompiledScenario:
    return compiled_scenario(SCENARIO_ID)


def script(name: str) -> PlayScript:
    return bundled.script(SCENARIO_ID, name)


def good_without(*actions: str, pages: tuple[str, ...] = ()) -> list:
    """The good play's steps without some action starts and pages."""
    return [s for s in script("good").steps
            if not (isinstance(s, StartAction) and s.action in actions)
            and not (isinstance(s, Page) and s.person in pages)]


def test_the_scenario_names_its_sources_and_starts_at_0937_in_seattle(
        compiled: CompiledScenario) -> None:
    scenario = compiled.scenario
    assert "aws.amazon.com/message/41926" in scenario.meta.source
    assert scenario.clock.start.strftime("%A %d %B %Y %H:%M") == "Tuesday 28 February 2017 09:37"
    assert local_hour(scenario.clock, "newyork", 0) == pytest.approx(12 + 37 / 60)
    assert local_hour(scenario.clock, "dublin", 23) == pytest.approx(18)
    assert {e.kind for e in scenario.endings} == {"resolved", "degraded", "failed",
                                                   "out_of_time"}


@pytest.mark.parametrize("seed", [1, 977])
def test_good_play_brings_gets_back_before_puts_and_resolves(seed: int) -> None:
    run = bundled.played(SCENARIO_ID, "good", seed)
    assert rejected(run) == []
    assert run.ending is not None and run.ending.id == "s3_back"
    # Reads come back first, writes once placement and the whole index are back: about 12:10
    # and 13:50 in Seattle, close to the record's 12:26 and 13:54.
    assert 140 <= run.reached["mitigated"] <= 170
    assert run.reached["mitigated"] + 60 <= run.reached["resolved"] <= 270
    assert run.value("unchecked") is False and run.value("shd_moved") is True


def test_putting_the_servers_back_changes_nothing_until_the_cold_restart() -> None:
    run = play(compiled_scenario(SCENARIO_ID), 1, good_without("cold_restart_index"))
    assert "still_down" in run.fired
    assert run.value("error_rate") == 100
    assert "mitigated" not in run.reached
    assert run.ending is not None and run.ending.id == "afternoon_lost"
    assert run.ended_at == 240  # 13:37: four hours after the command


def test_restarting_the_index_in_place_falls_over_again_every_time() -> None:
    steps = [StartAction(at=at, do="start", action="restart_index_in_place") for at in (2, 9, 16)]
    run = play(compiled_scenario(SCENARIO_ID), 1, steps)
    assert run.fired["index_fell_over"] == (8.0, 15.0, 22.0)  # 2 minutes after each restart
    assert run.value("error_rate") == 100


def test_the_restart_is_slower_alone_and_slower_still_in_retry_storms() -> None:
    good = bundled.played(SCENARIO_ID, "good")
    alone = play(compiled_scenario(SCENARIO_ID), 1,
                 good_without(pages=("index_oncall", "index_principal")))
    # Without the two index engineers, GETs would come back hours later: long past 13:37.
    assert "mitigated" not in alone.reached and alone.ending.id == "afternoon_lost"
    stormy = play(compiled_scenario(SCENARIO_ID), 1, good_without("pace_dependents"))
    storms = stormy.fired["retry_storm"]
    assert len(storms) >= 3  # one alert for each storm, not one for all
    assert stormy.reached["resolved"] > good.reached["resolved"]


def test_the_principal_in_dublin_comes_late_once_her_day_is_over() -> None:
    compiled = compiled_scenario(SCENARIO_ID)
    early = play(compiled, 1, [Page(at=6, do="page", person="index_principal")])
    late = play(compiled, 1, [Page(at=30, do="page", person="index_principal")])
    assert early.arrived_at["index_principal"] == 14
    assert late.arrived_at["index_principal"] == 30 + 8 + 35


def test_the_status_page_cannot_change_until_its_console_leaves_the_region() -> None:
    run = bundled.played(SCENARIO_ID, "good")
    reveal = next(e.text for e in run.log
                  if e.kind == "finished" and e.ref == "try_shd_update")
    assert "fails to save" in reveal and "S3" in reveal
    assert run.fired["shd_icons_red"][0] == run.finished["move_shd_console"][0]
    assert run.finished["move_shd_console"][0] >= run.arrived_at["shd_oncall"] + 30


def test_poor_play_still_has_no_gets_at_1337() -> None:
    run = bundled.played(SCENARIO_ID, "poor")
    assert rejected(run) == []
    assert run.ending is not None and run.ending.id == "afternoon_lost"
    assert run.ending.kind == "failed"
    card = score_run(run)
    help_lines = " ".join(d.what for d in card.help.deductions)
    assert "S3 billing team manager" in help_lines  # paged someone who could not help
    assert "Index principal engineer" in help_lines  # never paged the restart's author


def test_skipping_the_metadata_checks_is_fast_and_leaves_harm() -> None:
    steps = good_without("cold_restart_index")
    steps.append(StartAction(at=14, do="start", action="restart_without_checks"))
    steps.sort(key=lambda s: s.at)
    run = play(compiled_scenario(SCENARIO_ID), 1, steps)
    assert run.reached["mitigated"] <= 45  # GETs within half an hour of the restart
    # The good play's closing steps come too early for placement: declare once PUT is back.
    run = play(compiled_scenario(SCENARIO_ID), 1, [s for s in steps if s.at < 250])
    card = score_run(run)
    assert run.value("unchecked") is True
    assert [h.id for h in card.outcome.harm] == ["unvalidated_index"]
    unsafe = [d for d in card.rollback.deductions if "safety checks skipped" in d.what]
    assert unsafe, card.rollback.deductions
    assert card.overall <= 50


def test_seeds_change_the_incident_and_the_good_play_resolves_in_every_variant() -> None:
    runs = [bundled.played(SCENARIO_ID, "good", seed) for seed in range(16)]
    codes = {run.variant.code for run in runs}
    assert len(codes) >= 3
    assert {run.variant.value("index_pace") for run in runs} == {4, 5}
    assert len({run.variant.value("shd_console_minutes") for run in runs}) >= 3
    for run in runs:
        assert rejected(run) == [], run.variant.code
        assert run.ending is not None and run.ending.id == "s3_back", run.variant.code
        # The dashboard's console takes this seed's time to move, and its reveal says so.
        minutes = run.variant.value("shd_console_minutes")
        assert run.finished["move_shd_console"][0] == 23 + minutes
        reveal = next(e.text for e in run.log
                      if e.kind == "finished" and e.ref == "move_shd_console")
        assert f"after {minutes:g} minutes of work" in reveal
    # Faster safety checks bring GETs back sooner, and the reference time moves with them.
    fast = next(run for run in runs if run.variant.value("index_pace") == 5)
    slow = next(run for run in runs if run.variant.value("index_pace") == 4)
    assert fast.reached["mitigated"] < slow.reached["mitigated"]
    assert fast.scenario.scoring.outcome.mitigated_by < slow.scenario.scoring.outcome.mitigated_by
    assert min(score_run(run).overall for run in runs) >= 95


def test_the_postmortem_names_this_runs_variant() -> None:
    run = bundled.played(SCENARIO_ID, "good", 0)
    text = render_postmortem(run, score_run(run))
    section = text.split("This run's variant", 1)[1]
    assert "Moving the dashboard's console to another region" in section
    assert "Partitions validated each 5 minutes by the index alone" in section


def test_an_update_to_customers_does_not_go_out_while_the_status_page_is_stuck() -> None:
    update = PostUpdate(at=3, do="update", audience="customers", status="identified",
                        affected="all", impact="S3 requests in US-EAST-1 are failing.",
                        doing="We are working on it.")
    stuck = play(compiled_scenario(SCENARIO_ID), 1, [update])
    assert stuck.updates == ()
    assert stuck.value("updates.customers") == 0 and stuck.value("undelivered.customers") == 1
    line = next(e for e in stuck.log if e.kind == "undelivered")
    assert line.time == 3 and "no customer sees it" in line.text
    # The postmortem says it did not go out, and the first update to customers counts as missed.
    text = render_postmortem(stuck, score_run(stuck))
    assert "never went out" in text
    whats = [d.what for d in score_run(stuck).communication.deductions]
    assert "No update to customers all run (the first was due by T+10)" in whats
    # Posting on @AWSCloud and the banner first: the same update goes out.
    routed = play(compiled_scenario(SCENARIO_ID), 1,
                  [StartAction(at=1, do="start", action="post_on_twitter"), update])
    assert [u.time for u in routed.updates] == [3] and routed.undelivered == ()
    assert routed.value("updates.customers") == 1
    assert "No update to customers all run (the first was due by T+10)" not in [
        d.what for d in score_run(routed).communication.deductions]
