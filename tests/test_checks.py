"""Semantic checks of scenarios and play scripts: bad references, types, what never happens."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drill.engine.validation import (
    ValidationFinding,
    check_all,
    check_playscript,
    check_reachability,
    check_scenario,
)
from drill.engine.headless import play
from drill.engine.playscript import DeclareResolved, Page, PlayScript, StartAction
from drill.engine.scenario import Scenario
from drill.engine.simulation import CompiledScenario

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent

with open(FIXTURES / "tiny.toml", "rb") as handle:
    TINY: dict[str, Any] = tomllib.load(handle)


def scenario(**tables: Any) -> Scenario:
    """tiny.toml with top-level tables replaced (or, for lists, replaced wholesale)."""
    data = copy.deepcopy(TINY)
    data.update(tables)
    return Scenario.model_validate(data)


def edited(edit) -> Scenario:  # type: ignore[no-untyped-def]
    """tiny.toml changed in place by ``edit(data)``."""
    data = copy.deepcopy(TINY)
    edit(data)
    return Scenario.model_validate(data)


def messages(findings: list[ValidationFinding]) -> dict[tuple, str]:
    return {finding.loc: finding.message for finding in findings}


EVENT = {"id": "e", "at": 1}
ACTION = {"id": "x", "label": "X"}
MILESTONE = {"id": "m", "label": "M", "when": "true"}
WIN = {"id": "win", "kind": "resolved", "title": "Won", "debrief": "ok"}


def test_the_tiny_scenario_has_no_findings() -> None:
    assert check_all(edited(lambda d: None)) == []


@pytest.mark.parametrize(
    "path",
    [FIXTURES / "tiny.toml", *sorted((REPO / "scenarios").glob("*.toml"))],
    ids=lambda p: p.name,
)
def test_shipped_scenarios_get_no_false_alarm(path) -> None:  # type: ignore[no-untyped-def]
    with open(path, "rb") as handle:
        loaded = Scenario.model_validate(tomllib.load(handle))
    assert check_all(loaded) == []


# -- duplicate ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "item"),
    [
        (("events",), EVENT),
        (("actions",), ACTION),
        (("people",), {"id": "p", "role": "R"}),
        (("milestones",), MILESTONE),
        (("requests",), {"id": "r", "at": 1, "sender": "s", "audience": "team", "kind": "update",
                         "text": "?"}),
        (("endings",), WIN),
        (("clock", "zones"), {"id": "z", "label": "Z", "utc_offset": 0}),
    ],
)
def test_duplicate_ids_are_reported_at_the_second(path: tuple, item: dict) -> None:
    def edit(data: dict) -> None:
        table = data
        for key in path[:-1]:
            table = table[key]
        table[path[-1]] = table.get(path[-1], []) + [dict(item), dict(item)]

    found = messages(check_scenario(edited(edit)))
    index = len(TINY.get(path[0], []) if len(path) == 1 else TINY["clock"]["zones"]) + 1
    assert found == {(*path, index, "id"): f"duplicate id {item['id']!r} (first used at "
                     f"{'.'.join(path)}[{index - 1}])"}


# -- references in expressions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("done.fixx", "unknown action 'fixx' in 'done.fixx' (did you mean 'fix'?)"),
        ("count.nope > 1", "unknown action 'nope' in 'count.nope'"),
        ("fired.alarm", "unknown event 'alarm' in 'fired.alarm' (did you mean 'alert'?)"),
        ("arrived.dev", "unknown person 'dev' in 'arrived.dev'"),
        ("reached.fixd", "unknown milestone 'fixd' in 'reached.fixd' (did you mean 'fixed'?)"),
        ("updates.press > 0", "unknown audience 'press' in 'updates.press'"),
        ("eror > 1", "unknown state variable 'eror' (did you mean 'errors'?)"),
        ("errors", "a condition must be true or false, this is a number"),
        ("errors == 'x'", "cannot compare a number with a str"),
    ],
)
def test_bad_condition_is_reported_at_its_field(condition: str, message: str) -> None:
    found = check_scenario(edited(lambda d: d["milestones"][0].update(when=condition)))
    assert found == [ValidationFinding(("milestones", 0, "when"), message)]


@pytest.mark.parametrize(
    ("effects", "loc", "message"),
    [
        ({"erors": 1}, "erors", "unknown state variable 'erors' (did you mean 'errors'?); "
                                "declare it under [state]"),
        ({"errors": True}, "errors", "'errors' holds a number, not a true/false value"),
        ({"errors": "'high'"}, "errors", "'errors' holds a number, this expression gives a text"),
        ({"errors": "time"}, None, None),
    ],
)
def test_effects_assign_known_variables_with_their_type(
    effects: dict, loc: str | None, message: str | None
) -> None:
    found = check_scenario(edited(lambda d: d["events"][0].update(effects=effects)))
    assert found == ([] if loc is None else [ValidationFinding(("events", 0, "effects", loc), message)])


def test_time_is_reserved() -> None:
    found = check_scenario(edited(lambda d: d["state"].update(time=3)))
    assert found == [ValidationFinding(("state", "time"), "'time' is reserved: it is the scenario clock")]


# -- references written as plain ids -----------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "loc", "message"),
    [
        (lambda d: d["actions"][0].update(progress_var="fixd"), ("actions", 0, "progress_var"),
         "unknown state variable 'fixd' (did you mean 'fixed'?)"),
        (lambda d: d.update(signals=[{"var": "mode", "label": "M"}], state={**d["state"],
                                                                             "mode": "x"}),
         ("signals", 0, "var"), "'mode' must be a number variable, it is a text"),
        (lambda d: d["people"][0].update(zone="paris"), ("people", 0, "zone"),
         "unknown zone 'paris'"),
        (lambda d: d["people"][0].update(hours=[9, 30]), ("people", 0, "hours"),
         "hours are local hours between 0 and 24"),
        (lambda d: d["actions"][0].update(helper_skills=["dba"]),
         ("actions", 0, "helper_skills", 0), "no person has the skill 'dba'"),
        (lambda d: d.update(requests=[{"id": "r", "at": 1, "sender": "s", "audience": "team",
                                       "kind": "estimate", "milestone": "fix", "text": "?"}]),
         ("requests", 0, "milestone"), "unknown milestone 'fix' (did you mean 'fixed'?)"),
        (lambda d: d.update(scoring={"escalation": {"triggers": [
            {"id": "t", "observable": "true", "expect": "page", "people": ["opps"],
             "norm": "n"}]}}),
         ("scoring", "escalation", "triggers", 0, "people", 0),
         "unknown person 'opps' (did you mean 'ops'?)"),
        (lambda d: d.update(scoring={"rollback": {"generic_mitigations": ["rollback"]}}),
         ("scoring", "rollback", "generic_mitigations", 0), "unknown action 'rollback'"),
        (lambda d: d.update(scoring={"rollback": {"unsafe": [
            {"action": "fixx", "warning": "true", "norm": "n"}]}}),
         ("scoring", "rollback", "unsafe", 0, "action"),
         "unknown action 'fixx' (did you mean 'fix'?)"),
        (lambda d: d.update(scoring={"estimates": {"scope_actions": ["cut"]}}),
         ("scoring", "estimates", "scope_actions", 0), "unknown action 'cut'"),
    ],
)
def test_plain_id_references_must_exist(edit, loc, message) -> None:  # type: ignore[no-untyped-def]
    assert check_scenario(edited(edit)) == [ValidationFinding(loc, message)]


def test_every_compiled_expression_is_checked_first() -> None:
    # Whatever check_scenario accepts, the simulation can compile.
    broken = edited(lambda d: d.update(comms={"starts_when": "errors + 1"}))
    assert messages(check_scenario(broken)) == {
        ("comms", "starts_when"): "a condition must be true or false, this is a number"
    }
    CompiledScenario.build(edited(lambda d: None))


# -- play scripts ------------------------------------------------------------------------------


def test_play_script_references() -> None:
    script = PlayScript(scenario="tiny", steps=[
        StartAction(do="start", at=1, action="fix"), Page(do="page", at=2, person="sre"),
        StartAction(do="start", at=3, action="rollback"),
    ])
    assert check_playscript(script, edited(lambda d: None)) == [
        ValidationFinding(("steps", 1, "person"), "unknown person 'sre'"),
        ValidationFinding(("steps", 2, "action"), "unknown action 'rollback'"),
    ]


# -- reachability ------------------------------------------------------------------------------


def reach(**tables: Any) -> dict[tuple, str]:
    return messages(check_reachability(scenario(**tables)))


def test_chains_of_effects_are_followed() -> None:
    events = [
        {"id": "a", "at": 5, "effects": {"errors": 10}},
        {"id": "b", "when": "errors == 10", "effects": {"fixed": 2}},
        {"id": "c", "when": "fixed == 2 and fired.b"},
    ]
    assert reach(events=events, actions=[], milestones=[], endings=[WIN]) == {}


def test_conditions_waiting_on_each_other_never_hold() -> None:
    events = [{"id": "a", "when": "fired.b"}, {"id": "b", "when": "fired.a"}]
    assert reach(events=events, actions=[], milestones=[], endings=[WIN]) == {
        ("events", 0, "when"): "can never hold, so event 'a' never fires",
        ("events", 1, "when"): "can never hold, so event 'b' never fires",
    }


def test_values_no_effect_assigns_are_impossible() -> None:
    found = reach(events=[{"id": "e", "when": "errors == 3"}, {"id": "f", "at": 1,
                                                              "effects": {"errors": 2}}],
                  actions=[], milestones=[], endings=[WIN])
    assert found == {("events", 0, "when"): "can never hold, so event 'e' never fires"}


def test_an_expression_effect_can_make_anything() -> None:
    events = [{"id": "grow", "every": 1, "effects": {"errors": "errors + 7"}},
              {"id": "big", "when": "errors > 1000"}]
    assert reach(events=events, actions=[], milestones=[], endings=[WIN]) == {}


def test_time_conditions_respect_the_clock_limit() -> None:
    events = [{"id": "soon", "when": "time >= 100"}, {"id": "late", "when": "time > 120"}]
    assert reach(events=events, actions=[], milestones=[], endings=[WIN]) == {
        ("events", 1, "when"): "can never hold, so event 'late' never fires"
    }


def test_per_target_progress_reaches_the_target_count_and_no_further() -> None:
    found = reach(milestones=[{"id": "all", "label": "All", "when": "fixed >= 4"},
                              {"id": "more", "label": "More", "when": "fixed > 4"}])
    assert found == {("milestones", 1, "when"): "can never hold, so milestone 'more' is never "
                     "reached"}


def test_an_action_longer_than_the_clock_can_never_finish() -> None:
    actions = [{"id": "slow", "label": "Slow", "duration": 121}]
    assert reach(actions=actions, milestones=[], endings=[WIN]) == {
        ("actions", 0, "duration"): "action 'slow' takes at least 121, longer than the clock's "
        "limit (120): it can never finish"
    }


def test_helpers_count_when_judging_if_per_target_work_can_finish() -> None:
    # 4 targets x 40 = 160 alone, but 80 with the ops person helping: it can finish by 120.
    actions = [{"id": "fix", "label": "Fix", "targets": 4, "per_target": 40,
                "helper_skills": ["ops"]}]
    assert reach(actions=actions, milestones=[], endings=[WIN]) == {}
    actions[0]["helper_skills"] = []
    assert reach(actions=actions, milestones=[], endings=[WIN]) == {
        ("actions", 0, "per_target"): "action 'fix' takes at least 160, longer than the clock's "
        "limit (120): it can never finish"
    }


def test_optional_events_and_people_are_always_possible() -> None:
    events = [{"id": "inject", "optional": True, "effects": {"errors": 9}},
              {"id": "after", "when": "fired.inject and errors == 9 and arrived.ops"}]
    assert reach(events=events, actions=[], milestones=[], endings=[WIN]) == {}


def test_timed_events_after_the_limit_never_fire() -> None:
    events = [{"id": "late", "at": 121}, {"id": "slow", "every": 200}, {"id": "ok", "at": 120}]
    assert reach(events=events, actions=[], milestones=[], endings=[WIN]) == {
        ("events", 0, "at"): "never fires: at 121 is after the clock's limit (120)",
        ("events", 1, "every"): "never fires: the first time, at 200, is after the clock's limit "
        "(120)",
    }


def test_recurrence_cap_is_reported_unless_until_can_stop_it() -> None:
    fast = {"id": "fast", "every": 0.01}
    cap = ("recurs 12,000 times before the clock's limit (120): a run stops after 10,000 "
           "firings of one event")
    assert reach(events=[fast], actions=[], milestones=[], endings=[WIN]) == {
        ("events", 0, "every"): cap}
    stoppable = {**fast, "until": "time > 50"}
    assert reach(events=[stoppable], actions=[], milestones=[], endings=[WIN]) == {}
    unstoppable = {**fast, "until": "errors == 99"}
    assert reach(events=[unstoppable], actions=[], milestones=[], endings=[WIN]) == {
        ("events", 0, "every"): cap}


def test_a_scenario_nobody_can_win() -> None:
    endings = [{**WIN, "when": "errors < 0"}, {"id": "lost", "kind": "out_of_time",
                                               "title": "Lost", "debrief": "."}]
    assert reach(endings=endings) == {
        ("endings", 0, "when"): "can never hold, so ending 'win' is never reached",
        ("endings",): "no `resolved` ending can be reached: players can never win this scenario",
    }


def test_a_failed_ending_without_condition_ends_every_run_at_once() -> None:
    endings = [WIN, {"id": "lost", "kind": "failed", "title": "Lost", "debrief": "."}]
    assert reach(endings=endings) == {
        ("endings", 1, "when"): "this failed ending holds from the start, so every run would end "
        "at once; give it a `when`"
    }


# -- soundness: nothing that happens in a real run is ever called impossible -------------------

CONDITIONS = [
    "a > 2", "a == 5", "b >= a", "flag", "not flag", "mode == 'busy'", "fired.e0", "done.x0",
    "reached.m0", "time >= 30", "a + b > 6", "count.x1 >= 2", "arrived.p0", "started.x1 and a < 3",
    "min(a, b) == 1", "a * 2 == b", "a / 0 == 0", "a % 3 == 1", "running.x2", "b - a == 3",
    "max(a, 4) > 4 or flag", "updates.team > 0", "paged.p0 and not done.x2",
]
EFFECTS = {
    "a": [1, 2, 3, 5, 7, 2.5, "a + 1", "b - a", "max(a, b)"],
    "b": [0, 4, "a * 2", "b + 3"],
    "flag": [True, False, "not flag", "a > 1"],
    "mode": ["'busy'", "'calm'", "mode"],
}


@st.composite
def effects(draw: st.DrawFn) -> dict:
    names = draw(st.lists(st.sampled_from(sorted(EFFECTS)), max_size=2, unique=True))
    return {name: draw(st.sampled_from(EFFECTS[name])) for name in names}


@st.composite
def random_scenarios(draw: st.DrawFn) -> dict:
    condition = st.sampled_from(CONDITIONS)
    events = []
    for i in range(4):
        trigger = draw(st.sampled_from(["at", "when", "every", "optional"]))
        event: dict[str, Any] = {"id": f"e{i}", "effects": draw(effects())}
        if trigger == "at":
            event["at"] = draw(st.integers(0, 150))
        elif trigger == "when":
            event["when"] = draw(condition)
        elif trigger == "every":
            event["every"] = draw(st.integers(5, 60))
        else:
            event["optional"] = True
        events.append(event)
    actions = []
    for i in range(3):
        action: dict[str, Any] = {"id": f"x{i}", "label": f"X{i}", "effects": draw(effects()),
                                  "available_when": draw(st.one_of(st.just("true"), condition)),
                                  "duration": draw(st.integers(1, 60)),
                                  "repeatable": draw(st.booleans())}
        if draw(st.booleans()):
            action.update(targets=draw(st.integers(1, 5)), per_target=draw(st.integers(1, 20)),
                          helper_skills=["ops"])
        actions.append(action)
    return {
        "state": {"a": 0, "b": 0, "flag": False, "mode": "calm"},
        "events": events,
        "actions": actions,
        "people": [{"id": "p0", "role": "Ops", "skills": ["ops"],
                    "delay": draw(st.integers(1, 30))}],
        "milestones": [{"id": f"m{i}", "label": "M", "when": draw(condition)} for i in range(2)],
        "requests": [{"id": "r0", "when": draw(condition), "sender": "s", "audience": "team",
                      "kind": "update", "text": "?"}],
        "endings": [{**WIN, "when": draw(condition)},
                    {"id": "lose", "kind": "failed", "when": draw(condition), "title": "Lost",
                     "debrief": "."}],
    }


@settings(max_examples=120, deadline=None)
@given(tables=random_scenarios(), data=st.data())
def test_reachability_never_flags_what_a_run_shows_possible(
    tables: dict, data: st.DataObject
) -> None:
    built = scenario(**tables)
    assert check_scenario(built) == []
    flagged = {finding.loc[:2] for finding in check_reachability(built)}
    times = sorted(data.draw(st.lists(st.integers(0, 120), max_size=12)))
    steps = []
    for at in times:
        kind = data.draw(st.sampled_from(["x0", "x1", "x2", "page", "resolve"]))
        if kind == "page":
            steps.append(Page(do="page", at=at, person="p0"))
        elif kind == "resolve":
            steps.append(DeclareResolved(do="resolve", at=at))
        else:
            steps.append(StartAction(do="start", at=at, action=kind))
    compiled = CompiledScenario.build(built)
    run = play(compiled, 1, steps)

    def holds(expression: str) -> bool:
        return bool(compiled.conditions[expression](run.state))

    for i, event in enumerate(built.events):
        if event.id in run.fired:
            assert ("events", i) not in flagged, event
    for i, action in enumerate(built.actions):
        if action.id in run.started:
            assert ("actions", i) not in flagged or action.id not in run.finished, action
    for i, milestone in enumerate(built.milestones):
        if milestone.id in run.reached or holds(milestone.when):
            assert ("milestones", i) not in flagged, milestone
    if "r0" in run.requests_at:
        assert ("requests", 0) not in flagged
    for i, ending in enumerate(built.endings):
        if (run.ending is not None and run.ending.id == ending.id) or holds(ending.when):
            assert ("endings", i) not in flagged, ending
            if ending.kind == "resolved":
                assert ("endings",) not in {loc[:1] for loc in flagged if len(loc) == 1}


def test_a_busy_stretch_must_end_after_it_starts() -> None:
    people = copy.deepcopy(TINY["people"])
    people[0]["busy"] = [{"at": 10, "until": 30, "doing": "at lunch"},
                         {"at": 40, "until": 40, "doing": "in a meeting"}]
    findings = check_scenario(scenario(people=people))
    assert findings == [ValidationFinding(("people", 0, "busy", 1, "until"),
                                "ends at 40, not after it starts (40)")]
