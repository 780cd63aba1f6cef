"""The deterministic run: events, per-target work sped up by helpers, pages, endings, replay."""

from __future__ import annotations

import pytest

from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.simulation import ActionRejected, Run


def steps(*raw: dict):
    return PlayScript.model_validate({"steps": list(raw)}).steps


def test_scheduled_event_changes_state_and_reaches_the_feed(tiny):
    run = Run(tiny, seed=1, names={})
    assert run.value("errors") == 0
    entries = run.advance_to(2)
    assert [(e.kind, e.ref, e.text) for e in entries] == [("event", "alert", "Errors up")]
    assert run.value("errors") == 50
    assert run.value("fired.alert") is True


def test_recurring_event_stops_once_its_until_holds(tiny):
    run = play(tiny, 1, steps({"at": 3, "do": "start", "action": "fix"}), names={})
    ticks = [e.time for e in run.log if e.ref == "tick"]
    # Alone, 4 targets x 10 minutes finish at T+43: ticks at 10..40, none after.
    assert ticks == [10, 20, 30, 40]


def test_a_paged_helper_speeds_up_per_target_work(tiny):
    alone = play(tiny, 1, steps({"at": 3, "do": "start", "action": "fix"}), names={})
    helped = play(
        tiny, 1,
        steps({"at": 3, "do": "start", "action": "fix"}, {"at": 3, "do": "page", "person": "ops"}),
        names={},
    )
    assert alone.reached["fixed"] == 43
    assert helped.reached["fixed"] < alone.reached["fixed"]


def test_paging_someone_outside_their_hours_takes_longer(tiny):
    # The fixture starts at 10:00 Paris = 01:00 in San Francisco, outside the 9-18 hours.
    run = Run(tiny, seed=1, names={})
    run.perform(steps({"at": 4, "do": "page", "person": "ops"})[0])
    paged = run.record().log[-1]
    assert paged.detail.awake is False
    assert paged.detail.eta == 4 + 5 + 20


def test_actions_are_refused_with_a_reason(tiny):
    run = Run(tiny, seed=1, names={})
    with pytest.raises(ActionRejected, match="not possible right now"):
        run.perform(steps({"at": 1, "do": "start", "action": "fix"})[0])
    with pytest.raises(ActionRejected, match="no action 'nope'"):
        run.perform(steps({"at": 3, "do": "start", "action": "nope"})[0])
    run.perform(steps({"at": 3, "do": "start", "action": "fix"})[0])
    with pytest.raises(ActionRejected, match="already in progress"):
        run.perform(steps({"at": 4, "do": "start", "action": "fix"})[0])
    with pytest.raises(ActionRejected, match="in the past"):
        run.perform(steps({"at": 1, "do": "page", "person": "ops"})[0])


def test_declaring_resolved_too_early_does_not_end_the_run(tiny):
    run = play(tiny, 1, steps({"at": 5, "do": "resolve"}), names={})
    declared = [e for e in run.log if e.kind == "declared"]
    assert declared[0].text.startswith("Declared resolved, but it is not over")
    assert run.ending is not None and run.ending.kind == "out_of_time"
    assert run.ended_at == 120


def test_declaring_resolved_when_it_is_fixed_ends_resolved(tiny):
    run = play(
        tiny, 1,
        steps({"at": 3, "do": "start", "action": "fix"}, {"at": 50, "do": "resolve"}),
        names={},
    )
    assert run.ending is not None and run.ending.id == "ok"
    assert run.ended_at == 50


def test_same_inputs_give_the_same_log_and_generated_names(tiny):
    script = steps(
        {"at": 3, "do": "start", "action": "fix"},
        {"at": 4, "do": "page", "person": "ops"},
        {"at": 60, "do": "resolve"},
    )
    first, second = play(tiny, 42, script), play(tiny, 42, script)
    assert first.log == second.log
    assert first.names == second.names and first.names["ops"]
    assert play(tiny, 43, script).names != first.names


def test_runs_are_advanced_event_to_event(tiny):
    run = Run(tiny, seed=1, names={})
    run.advance_to(25)
    assert run.now == 25
    assert run.next_time() == 30


def test_time_conditions_fire_at_the_same_moment_however_the_clock_is_driven(tiny):
    from drill.engine.scenario import Scenario
    from drill.engine.simulation import CompiledScenario

    data = tiny.scenario.model_dump()
    data["events"].append({"id": "late", "when": "time >= 30.5", "text": "Half past",
                           "channel": "management"})
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    ticked = Run(compiled, seed=1, names={})
    moment = 0.0
    while moment < 40:  # a TUI ticking in odd fractions
        moment += 0.37
        ticked.advance_to(moment)
    jumped = Run(compiled, seed=1, names={})
    jumped.advance_to(40)  # a replay jumping straight there
    fired_ticked = [e.time for e in ticked.record().log if e.ref == "late"]
    fired_jumped = [e.time for e in jumped.record().log if e.ref == "late"]
    assert fired_ticked == fired_jumped == [31]


def test_someone_arriving_as_a_target_finishes_never_skips_it(tiny):
    # Two targets of 5 minutes; the helper is paged at the start and arrives at T+10, the very
    # moment the second target finishes alone: it is logged then, not one target late.
    from drill.engine.scenario import Scenario
    from drill.engine.simulation import CompiledScenario

    data = tiny.scenario.model_dump()
    data["actions"][0].update(targets=2, per_target=5, available_when="true")
    data["people"][0].update(hours=(0, 24), delay=10)
    data["milestones"][0]["when"] = "fixed >= 2"
    data["events"][1]["until"] = "fixed >= 2"
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = play(compiled, 1, steps({"at": 0, "do": "start", "action": "fix"},
                                  {"at": 0, "do": "page", "person": "ops"}), names={})
    targets = [(e.time, e.text) for e in run.log if e.kind == "target"]
    assert targets == [(5, "target 1 of 2"), (10, "target 2 of 2")]
    assert run.finished["fix"] == (10,)
