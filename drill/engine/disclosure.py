"""What players may be told of the numbers a scenario draws in secret.

A ``[[vary]]`` with ``reveal = "debrief"`` sets numbers the players are meant to find out by
playing: how long cleaning one machine takes (to be estimated from the first machines' pace),
how long the paged author needs to wake.  The run plays the drawn value; before the debrief,
the board, the feed and the dialogs give only the span of values the draw could have set, and
the postmortem tells the value (:func:`drill.engine.variety.described`).

A number nothing hides is told as it is: its span is the value itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .memo import by_identity
from .scenario import Action, Scenario, Vary
from .variety import secret_settings

Span = tuple[float, float]
"""The lowest and the highest value a number may have, as far as the players know."""


def hidden_spans(scenario: Scenario) -> Mapping[str, Span]:
    """Each number a debrief-only draw sets, by its path (``actions.clean.per_target``), with
    the lowest and highest value any draw could give it."""
    # Every variant of a scenario shares its list of draws: worked out once per scenario file.
    return _spans_of(scenario.vary)


@by_identity
def _spans_of(varies: Sequence[Vary]) -> Mapping[str, Span]:
    spans: dict[str, Span] = {}
    for path, values in secret_settings(varies):
        try:
            low, high = min(values), max(values)
        except ValueError:  # no value fits: `drill validate` says why
            continue
        known = spans.get(path)
        spans[path] = (low, high) if known is None else (min(known[0], low), max(known[1], high))
    return MappingProxyType(spans)


def told(scenario: Scenario, path: str, value: float) -> Span:
    """The span players are told for the number at ``path``, ``value`` in this run: the value
    itself unless a debrief-only draw set it."""
    return hidden_spans(scenario).get(path, (value, value))


def is_exact(span: Span) -> bool:
    """Whether a span tells one value."""
    return span[0] == span[1]


def told_targets(scenario: Scenario, action: Action) -> Span:
    """How many targets an action has, as the players know it."""
    return told(scenario, f"actions.{action.id}.targets", float(action.targets))


def told_length(scenario: Scenario, action: Action) -> Span:
    """How long an action takes (each target, for an action with targets), as the players
    know it."""
    if action.targets:
        return told(scenario, f"actions.{action.id}.per_target", action.per_target)
    return told(scenario, f"actions.{action.id}.duration", action.duration)
