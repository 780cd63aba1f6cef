"""What players are told of numbers a scenario draws in secret: a span that holds the drawn
value, the value itself where nothing is hidden, and the value in the debrief."""

from __future__ import annotations

import math

import pytest

from drill.engine.disclosure import hidden_spans, told_length, told_targets
from drill.engine.naming import generate_names
from drill.engine.rules import page_outcome, told_page_delay
from drill.engine.simulation import Run
from drill.engine.text import span_between
from drill.engine.variety import described

from ..bundled import BUNDLED, compiled_scenario

SEEDS = range(1, 9)


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_each_length_and_page_delay_is_told_as_a_span_holding_this_runs_value(scenario_id):
    compiled = compiled_scenario(scenario_id)
    hidden = hidden_spans(compiled.scenario)
    for seed in SEEDS:
        run = Run(compiled, seed, generate_names(compiled.scenario, seed))
        scenario = run.scenario
        for action in scenario.actions:
            low, high = told_length(scenario, action)
            true = action.per_target if action.targets else action.duration
            assert low <= true <= high
            field = "per_target" if action.targets else "duration"
            assert (low == high) == (f"actions.{action.id}.{field}" not in hidden)
            assert told_targets(scenario, action)[0] <= action.targets <= \
                told_targets(scenario, action)[1]
        step = max(1, math.floor(scenario.clock.limit / 200))
        for person in scenario.people:
            secret = any(p.startswith(f"people.{person.id}.") for p in hidden)
            for at in range(0, math.floor(scenario.clock.limit), step):
                outcome = page_outcome(scenario.clock, person, at)
                low, high = told_page_delay(scenario, person, outcome)
                assert low - 1e-9 <= outcome.delay <= high + 1e-9, (person.id, at)
                if not secret:
                    assert low == high == outcome.delay


def test_black_friday_hides_the_cleaning_pace_and_the_authors_waking_until_the_debrief():
    compiled = compiled_scenario("black-friday")
    run = Run(compiled, 1, generate_names(compiled.scenario, 1))
    clean = next(a for a in run.scenario.actions if a.id == "clean_machines")
    assert told_length(run.scenario, clean) == (4.0, 5.0)
    author = next(p for p in run.scenario.people if p.id == "engine_dev")
    asleep = page_outcome(run.scenario.clock, author, 5)
    assert not asleep.awake
    low, high = told_page_delay(run.scenario, author, asleep)
    assert (low, high) == (author.delay + 10, author.delay + 25)
    debrief = dict(described(run.scenario, run.variant, "debrief"))
    assert debrief["Time the engine's author needs to wake and join"] == \
        span_between("minutes", author.off_hours_delay, author.off_hours_delay)


def test_a_span_is_written_with_its_unit_once():
    assert span_between("minutes", 20, 35) == "20–35 min"
    assert span_between("minutes", 4.4, 4.6, whole_units=True) == "4–5 min"
    assert span_between("minutes", 5, 5) == "5 min"
    assert span_between("days", 1, 2) == "1–2 days"
