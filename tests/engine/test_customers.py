"""Customers and people named in a scenario's texts: {customer.ID} and {person.ID}."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from drill.engine.validation import check_scenario
from drill.engine.headless import play
from drill.engine.naming import generate_names
from drill.engine.postmortem import render_postmortem
from drill.engine.scenario import Scenario
from drill.engine.scoring import score_run
from drill.engine.simulation import CompiledScenario, Run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

with open(FIXTURES / "tiny.toml", "rb") as handle:
    TINY: dict[str, Any] = tomllib.load(handle)


def with_customers(text: str, **more: Any) -> Scenario:
    data = copy.deepcopy(TINY)
    data["customers"] = [{"id": "acme", "about": "A big shop"},
                         {"id": "bolt", "name": "Bolt Ltd"}]
    data["events"][0]["text"] = text
    data["events"][0]["sender"] = "{customer.acme}, head of e-commerce"
    data.update(more)
    return Scenario.model_validate(data)


def first_event(run: Run):
    return next(e for e in run.log if e.kind == "event")


def test_an_unnamed_customer_gets_a_company_name_from_the_seed() -> None:
    scenario = with_customers("Orders fail for {customer.acme} and {customer.bolt}; ask {person.ops}.")
    compiled = CompiledScenario.build(scenario)
    one, again, other = (generate_names(scenario, seed) for seed in (1, 1, 2))
    assert one == again, "the same seed names the same customer"
    assert one["customer.acme"] and one["customer.acme"] != other["customer.acme"]
    assert "customer.bolt" not in one, "a named customer keeps its name"
    run = play(compiled, 1, [], names=one)
    entry = first_event(run)
    assert entry.text == (f"Orders fail for {one['customer.acme']} and Bolt Ltd; "
                          f"ask {one['ops']}.")
    assert entry.sender == f"{one['customer.acme']}, head of e-commerce"
    assert run.customer_name("acme") == one["customer.acme"]


def test_everything_that_shows_the_scenario_shows_the_runs_names() -> None:
    scenario = with_customers("Orders fail for {customer.acme}.")
    data = scenario.model_dump()
    data["briefing"]["situation"] = "Your biggest customer is {customer.acme}."
    data["endings"][0]["debrief"] = "{customer.acme} is happy again."
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    names = {"ops": "Ana Ops", "customer.acme": "Acme Corp"}
    run = play(compiled, 3, [], names=names)
    assert run.scenario.briefing.situation == "Your biggest customer is Acme Corp."
    assert compiled.scenario.briefing.situation == "Your biggest customer is {customer.acme}.", \
        "the shared compiled scenario is never changed"
    text = render_postmortem(run, score_run(run))
    assert "Acme Corp" in text and "{customer.acme}" not in text


def test_a_scenario_without_placeholders_is_shared_not_copied() -> None:
    compiled = CompiledScenario.build(Scenario.model_validate(TINY))
    assert not compiled.personal
    assert Run(compiled, 1, {}).scenario is compiled.scenario


def test_a_placeholder_naming_nobody_is_reported_with_a_suggestion() -> None:
    findings = check_scenario(with_customers("Call {customer.acmee} and {person.opps} {later}"))
    assert [(f.loc, f.message) for f in findings] == [
        (("events", 0, "text"),
         "{customer.acmee} names no customer: unknown customer 'acmee' (did you mean 'acme'?)"),
        (("events", 0, "text"),
         "{person.opps} names no person: unknown person 'opps' (did you mean 'ops'?)"),
    ]


def test_no_placeholder_in_meta_which_the_picker_shows_before_any_run() -> None:
    data = copy.deepcopy(TINY)
    data["customers"] = [{"id": "acme"}]
    data["meta"]["summary"] = "A day at {customer.acme}."
    findings = check_scenario(Scenario.model_validate(data))
    assert [f.loc for f in findings] == [("meta", "summary")]
    assert "no placeholders in [meta]" in findings[0].message


def test_duplicate_customer_ids_are_reported() -> None:
    data = copy.deepcopy(TINY)
    data["customers"] = [{"id": "acme"}, {"id": "acme"}]
    findings = check_scenario(Scenario.model_validate(data))
    assert [(f.loc, f.message) for f in findings] == [
        (("customers", 1, "id"), "duplicate id 'acme' (first used at customers[0])")]


def test_an_expression_that_looks_like_a_placeholder_is_left_as_code() -> None:
    data = copy.deepcopy(TINY)
    data["customers"] = [{"id": "acme"}]
    data["state"]["note"] = "''"
    data["events"][0]["effects"] = {"note": "'{customer.acme}'"}
    data["events"][0]["text"] = "Errors for {customer.acme}"
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = play(compiled, 1, [], names={"customer.acme": "Acme Corp"})
    assert first_event(run).text == "Errors for Acme Corp"
    assert run.value("note") == "{customer.acme}", "the effect ran as written"


def test_names_roles_state_and_expressions_are_not_places_for_placeholders() -> None:
    data = copy.deepcopy(TINY)
    data["customers"] = [{"id": "acme"}, {"id": "sub", "name": "Sub of {customer.acme}"}]
    data["people"][0]["role"] = "CTO of {customer.acme}"
    data["state"]["note"] = "{customer.nobody}"          # data: never filled, never reported
    data["events"][0]["effects"] = {"note": "'{customer.nobody}'"}   # code: the same
    findings = check_scenario(Scenario.model_validate(data))
    assert [f.loc for f in findings] == [("people", 0, "role"), ("customers", 1, "name")]
    assert all("cannot hold a placeholder" in f.message for f in findings)


def test_a_state_text_stays_as_written_for_the_conditions_that_compare_it() -> None:
    data = copy.deepcopy(TINY)
    data["customers"] = [{"id": "acme"}]
    data["state"]["note"] = "{customer.acme}"
    data["events"][0]["text"] = "Errors for {customer.acme}"
    compiled = CompiledScenario.build(Scenario.model_validate(data))
    run = Run(compiled, 1, {"customer.acme": "Acme Corp"})
    assert run.value("note") == "{customer.acme}"
    assert first_event(play(compiled, 1, [], names={"customer.acme": "Acme Corp"})).text == \
        "Errors for Acme Corp", "the prose around it is still filled"
