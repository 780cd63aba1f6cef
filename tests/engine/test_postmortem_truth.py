"""The postmortem states only what the run shows.

Every bundled scenario and the example are played with their shipped scripts and automatic
strategies; each postmortem is checked against the run's own facts: a sentence the scenario makes
conditional appears exactly when its condition held at the end, no placeholder is left unfilled,
every number it quotes from the state is the run's, and drill's own sentences (who was paged,
what the rollback did, what went well) hold in this run.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from drill.engine import strategies
from drill.engine.headless import play
from drill.engine.postmortem import render_postmortem
from drill.engine.scenario import RunText
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario
from drill.engine.text import one_line
from drill.loading import load_playscript, load_scenario

from .. import bundled

EXAMPLE = bundled.REPO / "docs" / "examples" / "mixed-version-deploy.toml"
SCENARIOS = [*bundled.BUNDLED, "mixed-version-deploy"]
PLAYS = ["good", "poor", "ritual", "greedy", "random", "silent-greedy"]


@lru_cache(maxsize=None)
def compiled(scenario_id: str) -> CompiledScenario:
    if scenario_id == "mixed-version-deploy":
        return CompiledScenario.build(load_scenario(EXAMPLE))
    return bundled.compiled_scenario(scenario_id)


def script_path(scenario_id: str, name: str) -> Path:
    if scenario_id == "mixed-version-deploy":
        return EXAMPLE.with_name(f"mixed-version-deploy.{name}.toml")
    return bundled.script_path(scenario_id, name)


def record_of(scenario_id: str, name: str):
    if name in ("good", "poor", "ritual"):
        script = load_playscript(script_path(scenario_id, name))
        return play(compiled(scenario_id), script.seed, script.steps)
    record, _ = strategies.play(compiled(scenario_id), name, 2)
    return record


def opening(text: str) -> str:
    """The start of a sentence as it reads in the Markdown (before any escaped character)."""
    flat = one_line(text)
    return re.split(r"[\\<`*_#|\[\]]", flat, maxsplit=1)[0][:80].strip()


@pytest.mark.parametrize("scenario_id, name", [(s, p) for s in SCENARIOS for p in PLAYS],
                         ids=[f"{s}-{p}" for s in SCENARIOS for p in PLAYS])
def test_the_postmortem_says_what_the_run_did_and_nothing_else(scenario_id, name):
    record = record_of(scenario_id, name)
    text = render_postmortem(record, score_run(record))
    material = record.scenario.postmortem
    assert "{state." not in text, "every state placeholder is filled"

    items: list[str | RunText] = []
    for field in ("contributing_factors", "surprises", "lucky", "lessons"):
        items += getattr(material, field)
    if not isinstance(material.impact, str):
        items += material.impact
    for item in items:
        if isinstance(item, str):
            continue
        start = opening(record.told(item.text))
        if len(start) < 12:
            continue  # too short to find unambiguously
        assert (start in text) == record.holds(item.when), (item.when, start)

    # Numbers quoted from the state are this run's, and counts are whole.
    for name_ in re.findall(r"\{state\.(\w+)\}", str(material.model_dump())):
        value = record.value(name_)
        if isinstance(value, float) and "tickets" in name_:
            assert value == int(value), f"{name_} is a count: {value}"

    responders = text.split("## Responders", 1)[1].split("\n## ", 1)[0]
    assert ("Nobody was paged during the run." in responders) == (not record.paged_at)
    well = text.split("## What went well", 1)[1].split("\n## ", 1)[0]
    assert ("Help arrived:" in well) == any(p in record.arrived_at for p in record.paged_at)
    if "Took no unsafe action" in well:
        assert record.started, "a run that did nothing made no safe choice"
    surprised = text.split("## Why were we surprised?", 1)[1].split("\n## ", 1)[0]
    policy = record.scenario.scoring.rollback
    for action in record.scenario.actions:
        if f"{one_line(action.label)} finished at" in surprised:
            assert action.id in policy.generic_mitigations and record.finished.get(action.id)
    messages = sum(1 for e in record.log if e.kind == "event"
                   and e.channel in ("support", "customer"))
    assert f"| Messages from support and customers | {messages} |" in text


def test_a_conditional_sentence_follows_the_run(tiny):
    from drill.engine.scenario import Scenario

    data = tiny.scenario.model_dump()
    data["postmortem"]["lucky"] = [
        {"text": "The ops engineer could be woken up.", "when": "arrived.ops"},
        "Nobody lost data.",
    ]
    data["postmortem"]["impact"] = [{"text": "Errors peaked at {state.errors}%.",
                                     "when": "errors > 0"}]
    scenario = CompiledScenario.build(Scenario.model_validate(data))
    alone = play(scenario, 1, [], names={})
    steps = load_playscript(bundled.REPO / "tests" / "fixtures" / "tiny-play.toml").steps
    helped = play(scenario, 1, [s for s in steps if s.do == "page"], names={})
    lone = render_postmortem(alone, score_run(alone))
    crew = render_postmortem(helped, score_run(helped))
    assert "could be woken up" not in lone and "Nobody lost data." in lone
    assert ("could be woken up" in crew) == ("ops" in helped.arrived_at)
    assert "Errors peaked at 50%." in lone
