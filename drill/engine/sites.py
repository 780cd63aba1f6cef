"""Where a scenario's expressions sit: one walk of the models, for the compiler, the checks
and the analysis alike."""

from __future__ import annotations

from typing import Mapping, NamedTuple, Union

from .scenario import Scenario

Location = tuple[Union[str, int], ...]
"""A field's place in a scenario, pydantic-style: ``("events", 2, "when")``."""


class ExpressionSite(NamedTuple):
    """One expression of a scenario, where it sits and what it must be."""

    loc: Location
    text: str
    assigns: str | None
    """For an effect: the state variable it assigns; None for a condition (must be true/false);
    :data:`A_NUMBER` for a value that must be a number."""


A_NUMBER = "#number"
"""The ``assigns`` of an expression that gives a number (a progress estimate)."""


def expression_sites(scenario: Scenario) -> list[ExpressionSite]:
    """Every expression in a scenario with its location; the same set the simulation compiles."""
    sites: list[ExpressionSite] = []

    def effects(base: Location, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            if isinstance(value, str):
                sites.append(ExpressionSite((*base, "effects", name), value, name))

    for i, rule in enumerate(scenario.status):
        sites.append(ExpressionSite(("status", i, "when"), rule.when, None))
    for i, milestone in enumerate(scenario.milestones):
        sites.append(ExpressionSite(("milestones", i, "when"), milestone.when, None))
    for i, event in enumerate(scenario.events):
        if event.when is not None:
            sites.append(ExpressionSite(("events", i, "when"), event.when, None))
        if event.until is not None:
            sites.append(ExpressionSite(("events", i, "until"), event.until, None))
        if event.only_when is not None:
            sites.append(ExpressionSite(("events", i, "only_when"), event.only_when, None))
        effects(("events", i), event.effects)
    for i, action in enumerate(scenario.actions):
        sites.append(ExpressionSite(("actions", i, "available_when"), action.available_when, None))
        if action.progress_estimate is not None:
            sites.append(ExpressionSite(("actions", i, "progress_estimate"),
                                        action.progress_estimate, A_NUMBER))
        effects(("actions", i), action.effects)
    for i, request in enumerate(scenario.requests):
        if request.when is not None:
            sites.append(ExpressionSite(("requests", i, "when"), request.when, None))
        if request.until is not None:
            sites.append(ExpressionSite(("requests", i, "until"), request.until, None))
        if request.truth is not None:
            sites.append(ExpressionSite(("requests", i, "truth"), request.truth, None))
    for i, ending in enumerate(scenario.endings):
        sites.append(ExpressionSite(("endings", i, "when"), ending.when, None))
    sites.append(ExpressionSite(("comms", "starts_when"), scenario.comms.starts_when, None))
    rollback = scenario.scoring.rollback
    sites.append(ExpressionSite(("scoring", "rollback", "suspect_visible"),
                                rollback.suspect_visible, None))
    sites.append(ExpressionSite(("scoring", "rollback", "persisted_evidence"),
                                rollback.persisted_evidence, None))
    for i, trigger in enumerate(scenario.scoring.escalation.triggers):
        sites.append(ExpressionSite(("scoring", "escalation", "triggers", i, "observable"),
                                    trigger.observable, None))
    for i, unsafe in enumerate(rollback.unsafe):
        sites.append(ExpressionSite(("scoring", "rollback", "unsafe", i, "warning"),
                                    unsafe.warning, None))
    for i, harm in enumerate(scenario.scoring.outcome.harm):
        sites.append(ExpressionSite(("scoring", "outcome", "harm", i, "when"), harm.when, None))
    if scenario.comms.cause_visible is not None:
        sites.append(ExpressionSite(("comms", "cause_visible"), scenario.comms.cause_visible,
                                    None))
    for i, truth in enumerate(scenario.comms.affected):
        sites.append(ExpressionSite(("comms", "affected", i, "when"), truth.when, None))
    for audience, policy in scenario.comms.audiences.items():
        if policy.down_when is not None:
            sites.append(ExpressionSite(("comms", "audiences", audience, "down_when"),
                                        policy.down_when, None))
    for i, person in enumerate(scenario.people):
        for j, line in enumerate(person.lines):
            if line.only_when is not None:
                sites.append(ExpressionSite(("people", i, "lines", j, "only_when"),
                                            line.only_when, None))
    material = scenario.postmortem
    for field in ("impact", "contributing_factors", "surprises", "lucky", "lessons"):
        items = getattr(material, field)
        for j, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, str):
                sites.append(ExpressionSite(("postmortem", field, j, "when"), item.when, None))
    return sites


def expression_texts(scenario: Scenario) -> list[str]:
    """Every expression in a scenario (conditions and string-valued effects), in the order the
    simulation compiles them."""
    return [site.text for site in expression_sites(scenario)]


def watched_expressions(scenario: Scenario) -> list[str]:
    """Conditions whose first-true time scoring needs (evidence becoming visible)."""
    scoring = scenario.scoring
    texts = [scenario.comms.starts_when, scoring.rollback.suspect_visible,
             scoring.rollback.persisted_evidence]
    texts += [trigger.observable for trigger in scoring.escalation.triggers]
    texts += [unsafe.warning for unsafe in scoring.rollback.unsafe]
    texts += [harm.when for harm in scoring.outcome.harm]
    return texts
