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
