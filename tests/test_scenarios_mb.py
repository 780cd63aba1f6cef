"""The two bundled scenarios from talk 3 (Madmoizelle): the hourly microbreak and the redesign.

Each is checked the way a facilitator and a player meet it: the files load with no problem, the
good play script reaches a resolved ending and the poor one a failed ending, every scripted step is
accepted, the scores separate on every dimension, and the story's key mechanics behave as the
briefing and the talk notes promise.
"""

from __future__ import annotations

from pathlib import Path


from drill.engine.headless import play
from drill.engine.playscript import Page, PlayScript, StartAction
from drill.engine.simulation import CompiledScenario, Run
from drill.engine.variety import briefing_texts
from drill.loading import load_playscript, load_scenario

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = ("hourly-microbreak", "redesign-deadline")
DIMENSIONS = ("communication", "help", "rollback", "estimates")


def _paths(scenario_id: str) -> tuple[Path, Path, Path]:
    plays = REPO / "tests" / "plays" / scenario_id
    return REPO / "scenarios" / f"{scenario_id}.toml", plays / "good.toml", plays / "poor.toml"


def _compiled(scenario_id: str) -> CompiledScenario:
    return CompiledScenario.build(load_scenario(_paths(scenario_id)[0]))


def _play_script(scenario_id: str, which: str) -> Run:
    scenario, good, poor = _paths(scenario_id)
    script = load_playscript(good if which == "good" else poor)
    return play(_compiled(scenario_id), script.seed, script.steps)


def _play_script_seed(scenario_id: str, which: str, seed: int) -> Run:
    script = load_playscript(_paths(scenario_id)[1 if which == "good" else 2])
    return play(_compiled(scenario_id), seed, script.steps)


def _play_steps(scenario_id: str, steps: list[dict], seed: int = 1) -> Run:
    script = PlayScript.model_validate({"scenario": scenario_id, "seed": seed, "steps": steps})
    return play(_compiled(scenario_id), seed, script.steps)


def _rejected(run: Run) -> list[str]:
    return [f"{entry.time:g}: {entry.text}" for entry in run.log if entry.kind == "rejected"]


# -- the hourly microbreak ------------------------------------------------------------------------


def test_microbreak_recurs_every_hour_until_the_feed_leaves_the_request_path() -> None:
    poor = _play_script("hourly-microbreak", "poor")
    # Every hour at :00 (T+10 is 10:00) until complaints end the run, whatever the variant.
    spikes = poor.fired["microbreak"]
    assert spikes[:4] == (10, 70, 130, 190)
    assert all(later - earlier == 60 for earlier, later in zip(spikes, spikes[1:]))
    good = _play_script("hourly-microbreak", "good")
    # The good lead's rollback lands at T+30, before the 11:00 stampede.
    assert good.fired["microbreak"] == (10,)
    assert good.reached["mitigated"] == 30


def test_microbreak_rollback_stops_the_errors_but_takes_the_podcast_away() -> None:
    run = _play_steps("hourly-microbreak", [
        {"at": 4, "do": "start", "action": "rollback_feed"},
        {"at": 40, "do": "resolve"},
    ], seed=2)
    assert run.reached["mitigated"] == 24
    assert run.value("feed_ok") == 0
    assert "podcast_missing" in run.fired
    assert run.status == ("degraded",
                            "Site stable; podcast feed rolled back (missing in podcast apps)")
    # Declaring it over now is refused: the podcast feed is still gone.
    assert run.declared == (40,) and run.ending is not None and run.ending.kind == "out_of_time"


def test_microbreak_monitoring_shows_the_hourly_spike_in_the_feed_generation() -> None:
    run = Run(_compiled("hourly-microbreak"), 1, {})
    run.advance_to(15)
    assert run.value("errors_503") == 0, "nothing is monitored, so the 10:00 spike is not seen"
    run.perform(StartAction(at=15, do="start", action="install_apm"))
    run.advance_to(65)
    assert run.value("monitored") == 1 and "spike_captured" not in run.record().fired
    run.advance_to(70)
    assert run.record().fired["spike_captured"] == (70,)
    assert run.value("errors_503") == 900
    run.advance_to(71)
    assert run.value("errors_503") == 0, "the spike lasts about a second, not the whole hour"
    assert "read_apm_trace" in {a.id for a in run.available_actions()}


def test_microbreak_fix_without_monitoring_ends_fixed_but_blind() -> None:
    run = _play_steps("hourly-microbreak", [
        {"at": 3, "do": "start", "action": "check_deploy_log"},
        {"at": 3, "do": "start", "action": "read_access_logs"},
        {"at": 23, "do": "start", "action": "profile_locally"},
        {"at": 83, "do": "start", "action": "write_feed_fix"},
        {"at": 143, "do": "start", "action": "deploy_feed_fix"},
        {"at": 191, "do": "resolve"},
    ])
    assert _rejected(run) == []
    assert run.ending is not None and run.ending.id == "fixed_blind"
    assert "clean_hour_blind" in run.fired and "reached.monitored" not in run.state


def test_microbreak_deferring_makes_every_hour_cost_more_complaints() -> None:
    calm = _play_steps("hourly-microbreak", [])
    deferred = _play_steps("hourly-microbreak", [
        {"at": 5, "do": "start", "action": "defer_ticket"},
        {"at": 8, "do": "start", "action": "defer_ticket"},
    ])
    assert calm.ending is not None and calm.ending.kind == "out_of_time"
    assert deferred.ending is not None and deferred.ending.id == "never_done"
    assert "deferred_again" in deferred.fired


def _event_text(run, event_id: str) -> str:
    return next(entry.text for entry in run.log if entry.ref == event_id and entry.text)


def test_microbreak_seeds_vary_the_episode_the_fix_and_the_complication() -> None:
    script = load_playscript(_paths("hourly-microbreak")[1])
    codes, hours, fixes, complications = set(), set(), set(), set()
    for seed in range(16):
        run = play(_compiled("hourly-microbreak"), seed, script.steps)
        hour, fix_minutes = run.variant.value("episode_hour"), run.variant.value("fix_minutes")
        codes.add(run.variant.code)
        hours.add(hour)
        fixes.add(fix_minutes)
        complications.add(run.variant.value("complication"))
        # The good lead's fix lands before 12:00 and is proven at 12:00 in every variant.
        assert _rejected(run) == [], seed
        assert run.ending is not None and run.ending.id == "fixed_and_tracked", seed
        assert run.reached["resolved"] == 130, seed
        # The fix takes as long as this seed drew: three changes, two people (lead and author).
        assert run.finished["write_feed_fix"] == (64 + 1.5 * fix_minutes,), seed
        # The episode hour drawn is the one the briefing and the producer talk about.
        known = briefing_texts(run.scenario, run.variant)[2]
        assert f"announced for {hour:g}:00 today" in " ".join(known), seed
        assert f"announced for {hour:g}:00" in _event_text(run, "podcast_missing"), seed
    assert len(codes) >= 3 and hours == {12, 14, 16} and len(fixes) >= 3
    assert complications == {("feed_timeout_notice",), ("newsletter_blast",)}


def test_microbreak_an_early_episode_is_missed_while_the_feed_is_rolled_back() -> None:
    steps = [{"at": 4, "do": "start", "action": "rollback_feed"}]
    seeds = {_play_steps("hourly-microbreak", [], seed).variant.value("episode_hour"): seed
             for seed in range(12)}
    noon = _play_steps("hourly-microbreak", steps, seeds[12])
    assert noon.fired["episode_time"] == (130,)
    assert _event_text(noon, "episode_time").startswith("12:00: the episode is published")
    assert "episode_without_feed" in noon.fired
    late = _play_steps("hourly-microbreak", steps, seeds[16])
    assert late.fired["episode_time"] == (370,) and "episode_without_feed" in late.fired


def test_microbreak_the_newsletter_makes_every_stampede_cost_more() -> None:
    by_complication = {_play_steps("hourly-microbreak", [], seed).variant.value("complication"): seed
                       for seed in range(12)}
    calm = _play_steps("hourly-microbreak", [], by_complication[("feed_timeout_notice",)])
    crowd = _play_steps("hourly-microbreak", [], by_complication[("newsletter_blast",)])
    assert "newsletter_blast" not in calm.fired and calm.fired["feed_timeout_notice"] == (25,)
    assert crowd.fired["newsletter_blast"] == (45,) and "feed_timeout_notice" not in crowd.fired
    # Same play (none), same hours: the busier site's complaints end the run sooner.
    assert crowd.ending is not None and crowd.ending.id == "never_done"
    assert crowd.ended_at < (calm.ended_at or 1e9)


# -- the redesign deadline ------------------------------------------------------------------------


def test_redesign_runs_on_a_days_clock_with_days_sized_comms() -> None:
    scenario = load_scenario(_paths("redesign-deadline")[0])
    assert scenario.clock.unit == "days"
    for name, policy in scenario.comms.audiences.items():
        assert policy.first_by <= 14 and policy.every <= 14, name
    assert scenario.scoring.estimates.project_rubric
    assert scenario.scoring.estimates.imposed_deadline == 21


def test_redesign_full_scope_cannot_be_ready_by_the_imposed_date() -> None:
    # Everyone who can build pages helps from day 0: ten page types still miss day 21.
    run = Run(_compiled("redesign-deadline"), 1, {})
    for person in ("frontend", "integrator"):
        run.perform(Page(at=0.1, do="page", person=person))
    run.perform(StartAction(at=0.1, do="start", action="adapt_template"))
    run.advance_to(21)
    assert 5 <= run.value("pages_done") < 10
    assert "launch" not in {a.id for a in run.available_actions()}
    assert "launch_anyway" in {a.id for a in run.available_actions()}


def test_redesign_broken_launch_loses_readers_until_the_old_site_is_back() -> None:
    lost = _play_steps("redesign-deadline", [
        {"at": 0.5, "do": "start", "action": "adapt_template"},
        {"at": 21, "do": "start", "action": "launch_anyway"},
    ])
    assert lost.ending is not None and lost.ending.id == "readers_left"
    saved = _play_steps("redesign-deadline", [
        {"at": 0.5, "do": "start", "action": "adapt_template"},
        {"at": 0.5, "do": "start", "action": "keep_old_site"},
        {"at": 21, "do": "start", "action": "launch_anyway"},
        {"at": 24, "do": "start", "action": "switch_back_old_site"},
    ])
    assert _rejected(saved) == []
    assert saved.ending is not None and saved.ending.kind == "out_of_time"
    # Two days live and broken, at the rate of readers lost that this seed drew.
    assert saved.value("mobile_readers") == 100 - 2 * saved.variant.value("loss_per_day")


def test_redesign_reader_panel_finds_problems_the_office_does_not() -> None:
    run = _play_script("redesign-deadline", "poor")
    assert "office_likes_it" in run.fired and "panel_findings" not in run.fired
    good = _play_script("redesign-deadline", "good")
    assert good.finished["ux_test"] and good.value("issues_fixed") == 6


def test_redesign_seeds_vary_the_template_and_the_readers() -> None:
    script = load_playscript(_paths("redesign-deadline")[1])
    codes, page_days, losses = set(), set(), set()
    for seed in range(16):
        run = play(_compiled("redesign-deadline"), seed, script.steps)
        days = run.variant.value("page_days")
        codes.add(run.variant.code)
        page_days.add(days)
        losses.add(run.variant.value("loss_per_day"))
        # A realistic plan launches a tested site in every variant.
        assert _rejected(run) == [], seed
        assert run.ending is not None and run.ending.id == "realistic_launch", seed
        # The audit measures this variant's template, not a fixed ten days.
        audit = next(entry.text for entry in run.log
                     if entry.ref == "audit_template" and "The audit" in entry.text)
        assert f"about {days:g} person-days of rework" in audit, seed
    assert len(codes) >= 3 and page_days == {7, 8, 9, 10} and losses == {3, 5, 8}


def test_redesign_full_scope_misses_day_21_however_hard_the_template_fights() -> None:
    drawn = {}
    for seed in range(16):
        run = Run(_compiled("redesign-deadline"), seed, {})
        for person in ("frontend", "integrator"):
            run.perform(Page(at=0.1, do="page", person=person))
        run.perform(StartAction(at=0.1, do="start", action="adapt_template"))
        run.advance_to(21)
        drawn[run.record().variant.value("page_days")] = run.value("pages_done")
    assert set(drawn) == {7, 8, 9, 10}
    assert all(pages < 10 for pages in drawn.values()), drawn
    assert drawn[7] > drawn[10], "an easier template gets more page types done"


def test_redesign_readers_leave_a_broken_launch_at_the_drawn_rate() -> None:
    ends = {}
    for seed in range(16):
        run = _play_script_seed("redesign-deadline", "poor", seed)
        assert run.ending is not None and run.ending.id == "readers_left", seed
        ends[run.variant.value("loss_per_day")] = run.ended_at
    assert set(ends) == {3, 5, 8}
    assert ends[8] < ends[5] < ends[3], ends
