"""The score card of a run: four dimensions, each deduction explained."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dimension = Literal["communication", "help", "rollback", "estimates"]
DIMENSIONS: tuple[Dimension, ...] = ("communication", "help", "rollback", "estimates")
TITLES: dict[str, str] = {
    "communication": "Communication cadence",
    "help": "Asking for help",
    "rollback": "Rollback choices",
    "estimates": "Realistic estimates",
    "outcome": "Outcome",
}
OutcomeClass = Literal["resolved", "degraded", "failed", "out_of_time", "unfinished", "open"]
"""How a run ended, for the outcome: ``unfinished`` when the facilitator ended it, ``open``
when it has no ending yet (a run stopped mid-way)."""


@dataclass(frozen=True, slots=True)
class Deduction:
    """Points lost, with one line on what happened, when, and the norm it stands on."""

    dimension: Dimension | Literal["outcome"]
    points: float
    """Points lost on the dimension's 0-100 scale."""
    time: float | None
    """Scenario time it refers to (None: the run as a whole)."""
    what: str
    """What happened, in plain words, e.g. 'First update to support at T+24, due by T+10'."""
    norm: str
    """The norm and its source, e.g. 'PagerDuty: first customer update within 5 min'."""


@dataclass(frozen=True, slots=True)
class DimensionScore:
    """One of the four dimensions."""

    dimension: Dimension
    score: float
    """0-100."""
    applicable: bool = True
    """False when the scenario gives nothing to judge (left out of the overall score)."""
    deductions: tuple[Deduction, ...] = ()
    credits: tuple[str, ...] = ()
    """What went well, one line each (feeds 'what went well' in the postmortem)."""


@dataclass(frozen=True, slots=True)
class PromiseRow:
    """A stated next update and whether the next one came in time."""

    made_at: float
    due: float
    next_at: float | None
    kept: bool | None
    """None when the run ended before it fell due."""


@dataclass(frozen=True, slots=True)
class RequestRow:
    """A request for an update or an estimate, and its answer."""

    request: str
    """The request's id."""
    asked_at: float
    charged_from: float
    """When an answer became late: asked + respond_within + grace."""
    answered_at: float | None
    """The answer in time, if any."""
    charged: bool
    """Whether the score took points for it (unanswered and past its time at the end)."""


@dataclass(frozen=True, slots=True)
class AudienceReport:
    """How one audience was kept informed (the postmortem's communication table)."""

    audience: str
    required: bool
    first_due: float | None
    """None when the incident never started for communication."""
    first_update: float | None
    updates: int
    promised: int
    kept: int
    broken: int
    promises: tuple[PromiseRow, ...] = ()
    dark: tuple[tuple[float, float], ...] = ()
    """The stretches past the expected cadence with no update, as (from, to): what the board
    showed as overdue.  (A run that ends without a word to the audience also loses the grace
    before the first of them.)"""
    requests: tuple[RequestRow, ...] = ()


@dataclass(frozen=True, slots=True)
class EstimateRow:
    """One estimate against what happened."""

    made_at: float
    audience: str
    milestone: str
    said: str
    """As the player gave it: '20 min' or '15-45 min (80%)'."""
    actual: float | None
    """The remaining time the milestone really took (minus its unforeseeable delay), or the
    lower bound end - made_at when it was never reached (``censored``)."""
    censored: bool
    score: float | None
    """0..1; None when it could not be judged."""
    hit: bool | None
    """Whether the actual fell in the range (for a point, within the reference spread)."""
    broken: bool
    """An ETA to an external audience that passed without the milestone and unrevised."""
    broken_after: float | None = None
    """When it counted as broken, if it did."""


@dataclass(frozen=True, slots=True)
class HarmDone:
    """Lasting harm the run did (DOMAIN §9.6)."""

    id: str
    label: str
    at: float
    cost: float
    """Share of the outcome it cost (0..1)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the decisions achieved (DOMAIN §9.6): the ending, how fast, the harm done."""

    ending: OutcomeClass
    score: float | None
    """0-100; None for a run without an outcome (unfinished or still open)."""
    mitigated_at: float | None
    mitigated_by: float | None
    """The scenario's reference time for mitigating (None: not judged)."""
    resolved_at: float | None
    resolved_by: float | None
    harm: tuple[HarmDone, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    """What the outcome lost, each with its reason and norm."""
    capped: bool = False
    """The overall score was held at the scenario's cap because the incident was not resolved."""

    @property
    def resolved(self) -> bool:
        """Whether the incident was resolved (cleanly or degraded)."""
        return self.ending in ("resolved", "degraded")


@dataclass(frozen=True, slots=True)
class ScoreCard:
    """The four dimensions, the weighted overall score, and the tables behind them."""

    communication: DimensionScore
    help: DimensionScore
    rollback: DimensionScore
    estimates: DimensionScore
    overall: float
    audiences: tuple[AudienceReport, ...] = ()
    """Per audience, in the fixed audience order: promises, dark time, requests."""
    estimate_rows: tuple[EstimateRow, ...] = ()
    """Each estimate given, in order, against what happened."""
    estimate_requests: tuple[RequestRow, ...] = ()
    """Each request for an estimate and its answer."""
    outcome: Outcome | None = None
    """What the decisions achieved; the overall score weighs it in (and is capped without a
    resolution)."""
    dimensions_mean: float | None = None
    """The weighted mean of the applicable dimensions, before the outcome was weighed in."""

    @property
    def unfinished(self) -> bool:
        """Whether the facilitator ended the run before it reached an ending of its own."""
        return self.outcome is not None and self.outcome.ending == "unfinished"

    def audience(self, audience: str) -> AudienceReport | None:
        """One audience's report."""
        return next((a for a in self.audiences if a.audience == audience), None)

    def dimensions(self) -> tuple[DimensionScore, ...]:
        """The four dimensions in their fixed order."""
        return (self.communication, self.help, self.rollback, self.estimates)

    def all_deductions(self) -> tuple[Deduction, ...]:
        """Every deduction: the four dimensions' in order, then the outcome's."""
        found = [d for dimension in self.dimensions() for d in dimension.deductions]
        if self.outcome is not None:
            found += self.outcome.deductions
        return tuple(found)

    def as_dict(self) -> dict[str, float | None]:
        """Scores rounded to one decimal, keyed by dimension plus ``outcome`` and ``overall``;
        None for a dimension that does not apply (never 0) and for an outcome not judged."""
        result: dict[str, float | None] = {
            d.dimension: round(d.score, 1) if d.applicable else None for d in self.dimensions()}
        score = self.outcome.score if self.outcome is not None else None
        result["outcome"] = round(score, 1) if score is not None else None
        result["overall"] = round(self.overall, 1)
        return result


def cap_note(card: ScoreCard) -> str:
    """Why the overall score was held down, when it was: ``"Overall held at 50: the incident
    was not resolved."``; empty when no cap applied."""
    outcome = card.outcome
    if outcome is None or not outcome.capped:
        return ""
    reasons = []
    if not outcome.resolved:
        what = {"unfinished": "the run was ended before the incident was resolved",
                "open": "the run has no ending yet"}.get(outcome.ending,
                                                         "the incident was not resolved")
        reasons.append(what)
    if outcome.harm:
        reasons.append("lasting harm was done (" + "; ".join(h.label for h in outcome.harm)
                       + ")")
    return f"Overall held at {card.overall:.0f}: " + " and ".join(reasons) + "."


def weights_note(weights: object) -> str:
    """How the overall score is weighted, for a scenario that does not weigh the four equally:
    ``"Overall weighs communication 0.4, help 0.2, rollback 0.2, estimates 0.2."``; empty when
    they are equal (the plain mean needs no note).

    Args:
        weights: the scenario's ``scoring.weights`` (anything with the four dimensions as
            attributes).
    """
    values = [float(getattr(weights, dimension)) for dimension in DIMENSIONS]
    if len(set(values)) == 1:
        return ""
    parts = ", ".join(f"{dimension} {value:g}" for dimension, value in zip(DIMENSIONS, values))
    return f"Overall weighs {parts} (dimensions that do not apply are left out)."
