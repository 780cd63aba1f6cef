"""Scenarios that validate, then would hang or blow up: each run stops cleanly, saying why.

The corpus is tests/runaway.py; the limits are drill/engine/limits.py.  Every test here asserts
what a facilitator would see: the run ends (never a hang, never a traceback), its record and its
ending name what ran away and when, replays stop at the same moment, ``drill run`` and
``drill check`` print the message, and ``drill validate`` warns before game day.  Nothing here
measures time (bench/limits.py does).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drill import cli
from drill.engine import validation, expressions as ex
from drill.engine.headless import play
from drill.engine.limits import (
    HALTED_ENDING,
    MAX_HAPPENINGS,
    MAX_LOG_ENTRIES,
    MAX_NUMBER,
    MAX_TEXT,
    OutOfBounds,
)
from drill.engine.playscript import PlayScript
from drill.engine.record import LogKind
from drill.engine.scenario import Scenario
from drill.engine.simulation import CompiledScenario, Run
from drill.engine import strategies, timeplan

from .. import runaway
from ..bundled import BUNDLED, compiled_scenario
from ..runaway import RUNAWAYS, clock, scenario


def compiled(data: dict) -> CompiledScenario:
    """A scenario as plain data, validated, checked and compiled as loading would."""
    parsed = Scenario.model_validate(data)
    assert validation.check_scenario(parsed) == []
    return CompiledScenario.build(parsed)


def steps(*raw: dict):
    return PlayScript.model_validate({"steps": list(raw)}).steps


# -- every runaway stops its run cleanly ------------------------------------------------------------


@pytest.mark.parametrize("name", list(RUNAWAYS))
def test_a_runaway_scenario_stops_its_run_with_a_message_naming_what_ran_away(name: str) -> None:
    build, words = RUNAWAYS[name]
    record = play(compiled(build()), 1, [], names={})
    assert record.halted is not None and words in record.halted
    assert record.ending is not None
    assert (record.ending.id, record.ending.kind) == (HALTED_ENDING, "out_of_time")
    reason = record.halted.rpartition(" at ")[0]
    assert record.ending.title == f"Stopped: {reason}"[:120] or record.ending.title.endswith("…")
    assert f"drill stopped the run at {record.halted.rpartition(' at ')[2]}: {reason}." in \
        record.ending.debrief
    last = record.log[-1]
    assert (last.kind, last.ref, last.time) == (LogKind.ENDED, HALTED_ENDING, record.ended_at)
    assert "\x00work" not in record.state, "the meter never shows in the state"


def test_the_doubling_text_stops_when_it_would_pass_the_longest_text() -> None:
    record = play(compiled(runaway.doubling_text()), 1, [], names={})
    # 2 characters doubled each minute from T+1: 4096 at T+11, 8192 at T+12, 16384 at T+13.
    assert record.halted == "event 'grow' made a text longer than 10,000 characters at T+13"
    assert len(record.state["s"]) == 8192, "the last value that fitted is kept"
    assert record.fired["grow"] == tuple(float(t) for t in range(1, 14))


def test_the_squaring_number_stops_before_it_gets_big() -> None:
    record = play(compiled(runaway.squaring_number()), 1, [], names={})
    assert record.halted == "event 'square' made a number beyond ±10^15 at T+6"
    assert record.state["x"] == 2 ** 32  # 2, 4, 16, 256, 65536, 2**32; 2**64 is too big


def test_a_product_too_big_inside_a_condition_stops_the_run_at_that_condition() -> None:
    record = play(compiled(runaway.huge_product_in_a_condition()), 1, [], names={})
    assert record.halted == ("the condition of event 'watch' made a number beyond ±10^15 "
                             "at T+0")


def test_recurring_spam_stops_at_the_happenings_budget_and_says_who_spammed() -> None:
    record = play(compiled(runaway.recurring_spam(events=998, every=0.01)), 1, [], names={})
    assert record.halted is not None
    assert record.halted.startswith(f"the run went past {MAX_HAPPENINGS:,} happenings (998 "
                                    "events fired ")
    assert record.ended_at is not None and record.ended_at < 2


def test_one_event_firing_too_often_stops_the_run_instead_of_stopping_quietly() -> None:
    record = play(compiled(runaway.one_fast_event(limit=10_000, every=0.5)), 1, [], names={})
    assert record.halted == "event 'spam' recurred more than 10,000 times at T+5000.5"
    assert len(record.fired["spam"]) == 10_000


def test_conditions_on_time_that_cannot_be_planned_stop_a_long_clock() -> None:
    record = play(compiled(runaway.unplannable_time_conditions(conditions=300)), 1, [], names={})
    assert record.halted is not None
    assert "steps of evaluating conditions and effects (conditions on time were checked at" in \
        record.halted


def test_the_log_has_a_budget_too() -> None:
    data = scenario(clock=clock(1000), events=[
        {"id": f"chat-{i}", "every": 0.1, "text": "more news"} for i in range(5)])
    record = play(compiled(data), 1, [], names={})
    assert record.halted is not None
    assert record.halted.startswith(f"the run went past {MAX_LOG_ENTRIES:,} log entries (")
    assert "'event' entries from 5 sources" in record.halted
    assert len(record.log) <= MAX_LOG_ENTRIES + 100


# -- what a stopped run looks like to everything that reads it ----------------------------------------


def test_a_replay_of_the_steps_stops_at_the_same_moment_with_the_same_message() -> None:
    scenario_ = compiled(runaway.doubling_number())
    script = steps({"at": 3, "do": "update", "audience": "support", "impact": "Slow."},
                   {"at": 70, "do": "update", "audience": "support", "impact": "Still slow."})
    first = play(scenario_, 7, script, names={})
    again = Run(scenario_, 7, {})
    for step in first.steps:
        again.perform(step)
    again.advance_to(scenario_.scenario.clock.limit)
    assert again.record().halted == first.halted == \
        "event 'double' made a number beyond ±10^15 at T+50"
    refused = [e for e in first.log if e.kind is LogKind.REJECTED]
    assert [(e.time, e.text) for e in refused] == [(50, "the run has ended")], \
        "the step after the stop is refused, as after any ending"
    assert again.record().log == tuple(e for e in first.log if e not in refused)


def test_a_run_advanced_in_small_ticks_stops_exactly_where_one_jump_does() -> None:
    scenario_ = compiled(runaway.recurring_spam(events=200, every=0.05))
    jump = Run(scenario_, 1, {})
    jump.advance_to(120)
    ticks = Run(scenario_, 1, {})
    time = 0.0
    while not ticks.finished_run:
        time += 0.37
        ticks.advance_to(time)
    assert ticks.record().halted == jump.record().halted is not None
    assert ticks.record().log == jump.record().log


def test_queries_never_raise_for_a_runaway_status_rule() -> None:
    data = scenario(state={"errors": 0, "x": 10**8},
                    status=[{"when": "x * x > 5", "level": "down", "label": "Down"}])
    run = Run(compiled(data), 1, {})
    assert run.status() == ("ok", "Operational"), "the rule does not hold: it stops the run"
    record = run.record()
    assert record.halted == "the condition at status[0].when made a number beyond ±10^15 at T+0"
    assert record.ending is not None and record.ending.id == HALTED_ENDING
    assert run.available_actions() == []


def test_an_action_whose_offer_runs_away_stops_the_run_and_keeps_the_step() -> None:
    data = scenario(state={"errors": 0, "x": 10**8},
                    actions=[{"id": "fix", "label": "Fix", "available_when": "x * x > 0"}])
    run = Run(compiled(data), 1, {})
    run.perform(steps({"at": 2, "do": "start", "action": "fix"})[0])
    record = run.record()
    assert record.halted == ("the condition at actions[0].available_when made a number beyond "
                             "±10^15 at T+2")
    assert len(record.steps) == 1, "kept, so that a replay stops at the same step"


def test_drill_run_prints_the_stop_as_the_ending_without_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = runaway.write(runaway.doubling_text(), tmp_path / "grow.toml")
    script = tmp_path / "play.toml"
    script.write_text('[[steps]]\nat = 2\ndo = "update"\naudience = "support"\nimpact = "x"\n')
    assert cli.main(["run", str(path), "--script", str(script), "--seed", "1"]) == 0
    out, err = capsys.readouterr()
    assert ("Ending: Stopped: event 'grow' made a text longer than 10,000 characters "
            "[out of time] at T+13") in out
    assert "Traceback" not in out + err


def test_drill_check_reports_the_stopped_runs_and_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = runaway.write(runaway.squaring_number(), tmp_path / "square.toml")
    code = cli.main(["check", str(path), "--runs", "2", "--jobs", "1", "--strategy", "greedy"])
    out, err = capsys.readouterr()
    assert code == 1
    assert ("- [stopped] drill stopped 2 of 2 runs: event 'square' made a number beyond ±10^15 "
            "(first at T+6, greedy seed 0)") in out
    assert "ending halted" in out
    assert "Traceback" not in out + err


# -- values are bounded ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "env", "error"), [
    ("x * x", {"x": 10**8}, "made a number beyond ±10^15"),
    ("x / 0.001", {"x": 10**13}, "made a number beyond ±10^15"),
    ("x + x", {"x": MAX_NUMBER}, "made a number beyond ±10^15"),
    ("-(x + x)", {"x": MAX_NUMBER}, "made a number beyond ±10^15"),
    ("max(x + x, 0)", {"x": MAX_NUMBER}, "made a number beyond ±10^15"),
    ("s + s", {"s": "a" * 6000}, f"made a text longer than {MAX_TEXT:,} characters"),
])
def test_an_expression_never_makes_a_value_beyond_the_bounds(text: str, env: dict,
                                                                 error: str) -> None:
    types = {"x": "number", "s": "str"}
    for closure in (ex.compile_node(ex.parse(text), types), ex.compile_node(ex.parse(text))):
        with pytest.raises(OutOfBounds, match=error.replace("^", r"\^").replace("+", r"\+")):
            closure(env)


def test_values_within_the_bounds_compute_as_before() -> None:
    types = {"x": "number", "s": "str"}
    assert ex.compile_node(ex.parse("x + x - x"), types)({"x": MAX_NUMBER}) == MAX_NUMBER
    assert ex.compile_node(ex.parse("x + x > x"), types)({"x": MAX_NUMBER}) is True
    assert ex.compile_node(ex.parse("x / 0"), types)({"x": 5}) == 0
    assert ex.compile_node(ex.parse("s + s"), types)({"s": "a" * 5000}) == "a" * 10_000


def test_a_number_literal_beyond_the_bounds_is_refused_when_parsed() -> None:
    with pytest.raises(ex.ExpressionError, match=r"the number 1000000000000001 is beyond 10\^15"):
        ex.parse("x > 1000000000000001")
    with pytest.raises(ex.ExpressionError, match="is beyond 10"):
        ex.parse("x > " + "9" * 900)
    assert ex.parse("x > 1000000000000000").args[1].value == MAX_NUMBER


@pytest.mark.parametrize(("value", "message"), [
    (1e300, "beyond ±10^15, the largest number drill computes with"),
    (-(10**16), "beyond ±10^15, the largest number drill computes with"),
    (math.inf, "not a finite number"),
    (math.nan, "not a finite number"),
    ("x" * (MAX_TEXT + 1), "a text of 10,001 characters; a value may hold 10,000 at most"),
])
def test_starting_values_and_literal_effects_beyond_the_bounds_do_not_load(value, message) -> None:
    data = scenario(state={"errors": 0, "v": value},
                    events=[{"id": "set", "at": 1, "effects": {"errors": value}}]
                    if not isinstance(value, str) else [])
    found = validation.check_scenario(Scenario.model_validate(data))
    assert ("state", "v") in [f.loc for f in found]
    assert all(message in f.message for f in found if f.loc in (("state", "v"),
                                                              ("events", 0, "effects", "errors")))


def test_the_ending_drill_gives_a_stopped_run_cannot_be_a_scenario_s() -> None:
    data = scenario(endings=[{"id": "halted", "kind": "resolved", "when": "errors == 0",
                              "title": "Ok", "debrief": "d"}])
    found = validation.check_scenario(Scenario.model_validate(data))
    assert [(f.loc, f.message) for f in found] == [(
        ("endings", 0, "id"), "'halted' is reserved: it is the ending drill gives a run it stops "
        "(see Limits in docs/scenario-format.md)")]


# -- conditions on time: planned, yet tested exactly where stepping unit by unit tests them ------------


PLANNED = [
    "time >= 700", "time > 699.5", "time * 2 >= 1401", "time - x > 690", "min(time, 800) == 800",
    "not (time < 900)", "time >= 950 and x > 5", "time >= 960 or x > 1000", "max(0, 3 - time) == 0",
    "time / 4 >= 245", "time % 97 == 3", "time >= 10 * x and x > 0",
]


def _timed_scenario() -> dict:
    return scenario(
        clock=clock(2000),
        state={"errors": 0, "x": 0},
        events=[{"id": "bump", "at": 500, "effects": {"x": "x + 7"}},
                {"id": "late-bump", "at": 1500.25, "effects": {"x": "x + 100"}},
                *({"id": f"t{i}", "when": text, "text": text} for i, text in enumerate(PLANNED))],
        milestones=[{"id": "m", "label": "M", "when": "time >= 1234.5"}],
        scoring={"escalation": {"triggers": [
            {"id": "late", "observable": "time >= 1777", "expect": "page", "norm": "n"}]}},
    )


def test_planned_conditions_on_time_hold_exactly_when_stepping_would_see_them(monkeypatch) -> None:
    stepped_scenario = compiled(_timed_scenario())
    planned = play(stepped_scenario, 1, [], names={})
    monkeypatch.setattr("drill.engine.simulation.IDLE_BEFORE_PLANNING", math.inf)
    stepped = play(compiled(_timed_scenario()), 1, [], names={})
    assert planned.log == stepped.log
    assert planned.evidence == stepped.evidence and planned.reached == stepped.reached
    fired = {e.ref: e.time for e in planned.log if e.kind is LogKind.EVENT}
    assert fired["t0"] == 700 and fired["t1"] == 700 and fired["t4"] == 800
    assert fired["t11"] == 500, "x is 7 from T+500, when time >= 70 already"
    assert planned.reached["m"] == 1235 and planned.evidence["time >= 1777"] == 1777


_NUMBERS = st.one_of(
    st.just("time"), st.just("x"), st.integers(0, 3000).map(str),
    st.floats(0, 3000, allow_nan=False).map(lambda f: f"{f:.2f}"))


@st.composite
def _numbers(draw, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_NUMBERS)
    op = draw(st.sampled_from(["+", "-", "*", "/", "min", "max", "neg", "%"]))
    a, b = draw(_numbers(depth - 1)), draw(_numbers(depth - 1))
    if op in ("min", "max"):
        return f"{op}({a}, {b})"
    if op == "neg":
        return f"-({a})"
    if op in ("*", "/", "%"):
        return f"({a}) {op} {draw(st.integers(1, 9))}"
    return f"({a}) {op} ({b})"


@st.composite
def _conditions(draw, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return f"{draw(_numbers())} {op} {draw(_numbers())}"
    op = draw(st.sampled_from(["and", "or", "not"]))
    if op == "not":
        return f"not ({draw(_conditions(depth - 1))})"
    return f"({draw(_conditions(depth - 1))}) {op} ({draw(_conditions(depth - 1))})"


@settings(max_examples=40, deadline=None)
@given(st.lists(_conditions(), min_size=1, max_size=4),
       st.lists(st.floats(1, 2999, allow_nan=False), min_size=0, max_size=3))
def test_plans_never_change_what_a_run_sees(conditions: list[str], bumps: list[float]) -> None:
    """Whatever the conditions on time, a run that plans logs what a run stepping every unit
    logs: the plans may only skip units where nothing could hold."""
    from drill.engine import simulation

    data = scenario(
        clock=clock(3000), state={"errors": 0, "x": 1},
        events=[*({"id": f"bump{i}", "at": at, "effects": {"x": "min(x * 3, 100000) + 1"}}
                  for i, at in enumerate(bumps)),
                *({"id": f"c{i}", "when": text, "text": text} for i, text in enumerate(conditions))])
    planned = play(compiled(data), 1, [], names={})
    saved = simulation.IDLE_BEFORE_PLANNING
    simulation.IDLE_BEFORE_PLANNING = math.inf  # type: ignore[assignment]
    try:
        stepped = play(compiled(data), 1, [], names={})
    finally:
        simulation.IDLE_BEFORE_PLANNING = saved
    assert planned.log == stepped.log and planned.halted == stepped.halted


def test_planning_skips_the_quiet_units(monkeypatch) -> None:
    tested: list[float] = []
    data = scenario(clock=clock(1_000_000), events=[{"id": "end", "when": "time >= 999999"}])
    run = Run(compiled(data), 1, {})
    original = run._settle

    def settle() -> None:
        tested.append(run.now)
        original()

    monkeypatch.setattr(run, "_settle", settle)
    run.advance_to(1_000_000)
    assert run.record().fired["end"] == (999999,)
    assert len(tested) < 50, "16 units stepped before planning, then straight to 999999"


def test_many_conditions_on_time_with_a_long_clock_play_to_the_end() -> None:
    record = play(compiled(runaway.many_time_conditions(conditions=900)), 1, [], names={})
    assert record.halted is None
    assert record.ending is not None and record.ending.kind == "out_of_time"
    assert {event: times[0] for event, times in record.fired.items()} == {
        f"late-{i}": 1_000_000 - i for i in range(900)}


def test_a_plan_is_an_over_approximation() -> None:
    types = {"x": "number"}
    plan = timeplan.planner(ex.parse("time >= 30 and x > 5"), types)
    assert plan is not None
    assert plan({"x": 6}, 1, 100)[0] == 30
    assert plan({"x": 1}, 1, 100)[0] is None, "x > 5 is false whatever the time"
    assert timeplan.planner(ex.parse("time % 7 == 0"), types) is None
    assert timeplan.planner(ex.parse("x / time > 1"), types) is None
    assert timeplan.planner(ex.parse("x > 1"), types) is None, "no time: nothing to plan"


# -- drill validate warns -----------------------------------------------------------------------------


def _warnings(data: dict) -> list[tuple]:
    parsed = Scenario.model_validate(data)
    assert validation.check_scenario(parsed) == []
    return [(f.loc, f.message) for f in validation.check_budget(parsed)]


def test_validate_warns_about_recurring_events_that_would_pass_the_budget() -> None:
    fast = _warnings(runaway.recurring_spam(events=2, every=0.01))
    assert fast == [(("events", i, "every"), "recurs 12,000 times before the clock's limit "
                     "(120): a run stops after 10,000 firings of one event") for i in (0, 1)]
    assert _warnings(runaway.recurring_spam(events=80, every=0.1)) == [], "96,000: they fit"
    assert _warnings(runaway.recurring_spam(events=100, every=0.1)) == [(
        ("events", 0, "every"),
        "the recurring events here fire 120,000 times before the clock's limit (120), 1,200 of "
        "them 'spam-0': a run stops after 100,000 happenings")]


def test_validate_warns_about_effects_too_costly_to_repeat() -> None:
    found = dict(_warnings(runaway.wide_effects(variables=10)))
    assert found[("events", 0, "effects")] == (
        "evaluating the effects of recurring events takes 49,900,000 steps before the clock's "
        "limit (120), 49,900,000 of them for 'wide' (4,990 each time it fires): a run stops "
        "after 5,000,000")


def test_validate_warns_about_an_unplannable_condition_on_a_long_clock() -> None:
    [(where, message)] = _warnings(runaway.unplannable_time_conditions(conditions=3))
    assert where == ("events", 0, "when")
    assert message == (
        "drill cannot tell when this condition on time could hold (it uses % or divides by "
        "time), so while it waits every condition on time is tested at every whole minute: up "
        "to 1,000,000 times over the clock's limit, more than a run may do; compare time with "
        "<, <=, > or >= instead")
    short = runaway.unplannable_time_conditions(conditions=3, limit=600)
    assert _warnings(short) == [], "600 tests are affordable"


def test_validate_warns_about_per_target_work_beyond_the_log() -> None:
    actions = [{"id": f"fix{i}", "label": "Fix", "targets": 10_000, "per_target": 0.001}
               for i in range(3)]
    assert _warnings(scenario(actions=actions)) == [(("actions", 0, "targets"), (
        "per-target work logs each target done: 30,000 targets in all, 10,000 of them here, "
        "more than the 20,000 entries a run may write (a run that does it all stops)"))]


def test_an_until_that_may_stop_an_event_is_no_reason_to_warn() -> None:
    data = runaway.recurring_spam(events=1, every=0.001)
    data["events"][0]["until"] = "time > 5"
    parsed = Scenario.model_validate(data)
    assert [f for f in validation.check_reachability(parsed) if "recurs" in f.message] == []


def test_an_absurdly_small_period_is_warned_about_not_crashed_on() -> None:
    found = dict(_warnings(scenario(events=[{"id": "tiny", "every": 5e-324}])))
    assert found[("events", 0, "every")].startswith("recurs 1,000,000,000,000,001 times")


def test_the_bundled_scenarios_and_the_biggest_legal_one_get_no_budget_warning() -> None:
    for scenario_id in BUNDLED:
        assert validation.check_budget(compiled_scenario(scenario_id).scenario) == []
    assert validation.check_budget(Scenario.model_validate(runaway.biggest(scale=0.25))) == []


# -- the biggest legal scenario ------------------------------------------------------------------------


def test_a_quarter_of_the_biggest_legal_scenario_plays_to_its_end_within_the_budget() -> None:
    """Every list at a quarter of its limit (bench/limits.py plays the whole of it)."""
    compiled_ = compiled(runaway.biggest(scale=0.25))
    assert play(compiled_, 1, [], names={}).halted is None
    record, _ = strategies.play(compiled_, "greedy", 1)
    assert record.halted is None and record.ending is not None
