"""Format features for real incidents (issue 11): repeating and following events, branching
effects, booleans as numbers."""

from __future__ import annotations

import pytest

from drill.engine.expressions import ExpressionError, compile_node, infer_type, parse
from drill.engine.headless import play
from drill.engine.playscript import PlayScript
from drill.engine.scenario import Scenario
from drill.engine.simulation import CompiledScenario
from drill.engine.validation import check_reachability, check_scenario


def steps(*raw: dict):
    return PlayScript.model_validate({"steps": list(raw)}).steps


def built(tiny, **changes) -> CompiledScenario:
    data = tiny.scenario.model_dump()
    for key, value in changes.items():
        data[key] = value(data[key]) if callable(value) else value
    scenario = Scenario.model_validate(data)
    assert check_scenario(scenario) == []
    return CompiledScenario.build(scenario)


def test_an_event_can_follow_every_finish_of_an_action(tiny):
    # "The engine crashes 5 minutes after every restart": one crash per restart, at +5.
    compiled = built(tiny, actions=lambda actions: [*actions, {
        "id": "restart", "label": "Restart", "duration": 2, "repeatable": True,
        "effects": {"errors": 0}}], events=lambda events: [*events, {
            "id": "crash", "follows": "restart", "after": 5, "text": "It crashed again.",
            "effects": {"errors": 60}}])
    run = play(compiled, 1, steps({"at": 3, "do": "start", "action": "restart"},
                                  {"at": 20, "do": "start", "action": "restart"}), names={})
    assert run.fired["crash"] == (10, 27)


def test_a_repeating_event_fires_each_time_its_condition_becomes_true_again(tiny):
    compiled = built(tiny, events=lambda events: [*events, {
        "id": "page_storm", "when": "errors > 40", "repeat": True, "channel": "alert",
        "text": "Errors above 40 again."}], actions=lambda actions: [*actions, {
            "id": "calm", "label": "Calm", "duration": 1, "repeatable": True,
            "effects": {"errors": 0}}, {
            "id": "break", "label": "Break", "duration": 1, "repeatable": True,
            "effects": {"errors": 50}}])
    run = play(compiled, 1, steps({"at": 5, "do": "start", "action": "calm"},
                                  {"at": 8, "do": "start", "action": "break"},
                                  {"at": 12, "do": "start", "action": "break"}), names={})
    # At T+2 the alert sets 50 (fires), T+6 calm (re-arms), T+9 break (fires again); T+13's
    # break changes nothing: still above 40, no new edge.
    assert run.fired["page_storm"] == (2, 9)


def test_effects_branch_with_if_and_count_with_num():
    variables = {"errors": "number", "rolled_back": "bool"}
    node = parse("if(rolled_back, errors, errors * 2) + num(errors > 10)")
    assert infer_type(node, variables) == "number"
    value = compile_node(node, variables)
    assert value({"errors": 20, "rolled_back": True}) == 21
    assert value({"errors": 3, "rolled_back": False}) == 6
    for bad, why in (("if(errors, 1, 2)", "condition"), ("if(rolled_back, 1, 'x')", "one type"),
                     ("num(errors)", "true/false"), ("if(rolled_back, 1)", "condition, a value")):
        with pytest.raises(ExpressionError, match=why):
            infer_type(parse(bad), variables)


def test_validate_knows_what_an_event_follows(tiny):
    data = tiny.scenario.model_dump()
    data["events"].append({"id": "echo", "follows": "fixx", "text": "?"})
    found = check_scenario(Scenario.model_validate(data))
    assert [(f.loc, f.message) for f in found] == [
        (("events", 2, "follows"), "unknown action or event 'fixx' (did you mean 'fix'?)")]
    data["events"][-1]["follows"] = "fix"
    scenario = Scenario.model_validate(data)
    assert check_scenario(scenario) == []
    assert not any(f.loc[:2] == ("events", 2) for f in check_reachability(scenario)), \
        "an event following a possible action can fire"


def test_an_unsafe_action_is_judged_by_its_warning_when_it_starts(tiny):
    # "Copying without a backup is unsafe" stops being unsafe once the backup exists.
    data = tiny.scenario.model_dump()
    data["state"]["backed_up"] = False
    data["actions"] += [
        {"id": "copy", "label": "Copy the data", "duration": 2, "repeatable": True},
        {"id": "backup", "label": "Back up", "duration": 3, "effects": {"backed_up": True}},
    ]
    data["scoring"]["rollback"].update(unsafe=[{
        "action": "copy", "warning": "not backed_up", "norm": "Back up before you copy."}])
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    from drill.engine.scoring import score_run

    reckless = play(compiled, 1, steps({"at": 1, "do": "start", "action": "copy"}), names={})
    careful = play(compiled, 1, steps({"at": 1, "do": "start", "action": "backup"},
                                      {"at": 5, "do": "start", "action": "copy"}), names={})
    assert reckless.warned_starts == ((1, 0),) and careful.warned_starts == ()
    unsafe = [d.what for d in score_run(reckless).rollback.deductions if "Copy" in d.what]
    assert unsafe and not [d for d in score_run(careful).rollback.deductions if "Copy" in d.what]


def test_someone_present_from_the_start_is_there_at_t0_and_never_paged(tiny):
    data = tiny.scenario.model_dump()
    data["people"][0]["present"] = True
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = play(compiled, 1, [], names={"ops": "Sam"})
    assert run.arrived_at == {"ops": 0} and run.paged_at == {}
    joined = next(e for e in run.log if e.kind == "arrived")
    assert joined.text == "Sam is in the incident from the start."
    assert run.value("team.arrived") == 1


def test_a_question_is_answered_yes_or_no_and_judged_against_the_truth(tiny):
    from drill.engine.scoring import score_run

    data = tiny.scenario.model_dump()
    data["requests"] = [{"id": "attack", "at": 3, "sender": "The CEO", "audience": "management",
                         "kind": "question", "truth": "errors > 100",
                         "text": "Is this an attack?", "respond_within": 5}]
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    honest = play(compiled, 1, steps({"at": 4, "do": "answer", "request": "attack", "yes": False}),
                  names={})
    wrong = play(compiled, 1, steps({"at": 4, "do": "answer", "request": "attack", "yes": True}),
                 names={})
    silent = play(compiled, 1, [], names={})
    assert honest.answers[0].truth is False
    claims = lambda run: [d.what for d in score_run(run).communication.deductions  # noqa: E731
                          if "Is this an attack?" in d.what]
    assert claims(honest) == []
    assert claims(wrong) == ["Answered yes to 'Is this an attack?' at T+4; the truth then was no"]
    assert claims(silent) == ["The CEO asked management 'Is this an attack?' at T+3; none came "
                              "by T+8"]


def test_a_recurring_request_is_asked_again_and_each_ask_is_owed(tiny):
    from drill.engine.rules import owed

    data = tiny.scenario.model_dump()
    data["requests"] = [{"id": "press", "every": 20, "until": "errors == 0", "sender": "The press",
                         "audience": "customers", "kind": "update", "text": "Any news?"}]
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = play(compiled, 1, [], names={})
    assert [at for at, _ in run.asked][:3] == [20, 40, 60]
    from drill.engine.simulation import Run

    live = Run(compiled, 1, {})
    live.advance_to(45)
    assert sum(1 for item in owed(live.record(), 45) if item.kind == "request") == 2


def test_an_estimate_request_is_not_asked_once_its_milestone_came(tiny):
    data = tiny.scenario.model_dump()
    data["requests"] = [{"id": "when", "at": 100, "sender": "VP", "audience": "management",
                         "kind": "estimate", "milestone": "fixed", "text": "When?"}]
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = play(compiled, 1, steps({"at": 3, "do": "start", "action": "fix"}), names={})
    assert run.reached["fixed"] < 100 and run.asked == () and "when" not in run.requests_at


def test_the_board_shows_progress_as_the_scenario_says(tiny):
    from drill.engine.simulation import Run

    data = tiny.scenario.model_dump()
    data["actions"] += [
        {"id": "copy", "label": "Copy", "duration": 60, "progress": "estimate",
         "progress_estimate": "10"},
        {"id": "secret", "label": "Secret", "duration": 30, "progress": "hidden"}]
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = Run(compiled, 1, {})
    for step in steps({"at": 1, "do": "start", "action": "copy"},
                      {"at": 1, "do": "start", "action": "secret"}):
        run.perform(step)
    run.advance_to(20)
    shown = run.shown_progress()
    assert shown["copy"] == (None, 10) and shown["secret"] == (None, None)
    assert run.running_actions()["copy"][1] == 61, "the truth is kept for the score"


def test_each_mitigation_can_say_what_it_really_does():
    from drill.engine.rules import mitigation_effect
    from drill.loading import load_scenario
    from tests.bundled import REPO

    trap = CompiledScenario.build(load_scenario(REPO / "tests" / "fixtures" / "scoring_trap.toml"))
    data = trap.scenario.model_dump()
    data["actions"][0]["rollback_effect"] = "full"
    scenario = Scenario.model_validate(data)
    assert mitigation_effect(scenario, data["actions"][0]["id"]) == "full"
    assert mitigation_effect(trap.scenario, data["actions"][0]["id"]) == \
        trap.scenario.scoring.rollback.rollback_effect


def test_validate_warns_about_settings_that_judge_nothing(tiny):
    data = tiny.scenario.model_dump()
    data["endings"].append({"id": "late", "kind": "out_of_time", "when": "errors > 0",
                            "title": "Late", "debrief": "."})
    data["people"][0]["hours"] = (9, 9)
    data["status"] = [{"when": "errors > 1000", "level": "down", "label": "Meltdown"}]
    data["scoring"]["outcome"] = {"mitigated_by": 30}
    found = {f.loc: f.message for f in check_reachability(Scenario.model_validate(data))}
    assert "its `when` is ignored" in found[("endings", 1, "when")]
    assert "never within their hours" in found[("people", 0, "hours")]
    assert found[("status", 0, "when")] == "can never hold, so the status 'Meltdown' is never shown"
    assert "no milestone 'mitigated'" in found[("milestones",)]


def test_an_inline_table_split_over_lines_gets_a_hint(tmp_path):
    from drill.loading import LoadError, load_scenario

    path = tmp_path / "split.toml"
    path.write_text('x = { a = 1,\n  b = 2 }\n', encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_scenario(path)
    assert "an inline table { ... } must stay on one line" in str(caught.value.problems[0])


def test_an_update_to_an_audience_whose_channel_is_down_does_not_go_out(tiny):
    # The status page is hosted on the broken system until the banner action is done.
    from drill.engine.postmortem import render_postmortem
    from drill.engine.rules import channel_down, owed
    from drill.engine.scoring import score_run
    from drill.engine.simulation import Run

    data = tiny.scenario.model_dump()
    data["comms"]["audiences"] = {"customers": {
        "weight": 1, "first_by": 5, "every": 30, "down_when": "not done.banner",
        "down_text": "The status page runs on the broken cluster: nothing you post there shows."}}
    data["actions"] = [*data["actions"], {"id": "banner", "label": "Post a banner",
                                          "duration": 2}]
    data["events"] = [*data["events"], {
        "id": "stale", "when": "undelivered.customers > 0", "channel": "customer",
        "text": "Your status page still says all is well."}]
    scenario = Scenario.model_validate(data)
    assert check_scenario(scenario) == []
    compiled = CompiledScenario.build(scenario)
    update = {"do": "update", "audience": "customers", "status": "investigating",
              "impact": "Checkout fails for everyone.", "next_update": 30}
    stuck = play(compiled, 1, steps({"at": 3, **update}), names={})
    routed = play(compiled, 1, steps({"at": 1, "do": "start", "action": "banner"},
                                     {"at": 3, **update}), names={})
    # Not delivered: no update counted, the fact counts it, the feed says why, an event reacts.
    assert stuck.updates == () and [u.time for u in stuck.undelivered] == [3]
    assert stuck.value("undelivered.customers") == 1 and stuck.value("updates.customers") == 0
    assert "stale" in stuck.fired and "stale" not in routed.fired
    line = next(e for e in stuck.log if e.kind == "undelivered")
    assert line.text.startswith("The status page runs on the broken cluster")
    assert [u.time for u in routed.updates] == [3] and routed.undelivered == ()
    # The score: the undelivered first update is missed; the delivered one is on time.
    first = lambda run: next(a for a in score_run(run).audiences  # noqa: E731
                             if a.audience == "customers").first_update
    assert first(stuck) is None and first(routed) == 3
    # The postmortem tells what happened: the update did not go out.
    assert "Update to customers (investigating) did not go out: The status page runs" in \
        render_postmortem(stuck, score_run(stuck))
    # The board marks what is owed to a down audience while it is down, and not after.
    live = Run(compiled, 1, {})
    live.advance_to(4)
    record = live.record()
    assert channel_down(record, "customers") and not channel_down(record, "support")
    assert "customers" in [i.audience for i in owed(record, 4)]
    live.perform(steps({"at": 4, "do": "start", "action": "banner"})[0])
    live.advance_to(7)
    assert not channel_down(live.record(), "customers")
