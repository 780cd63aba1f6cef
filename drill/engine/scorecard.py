"""The score card of a run: four dimensions, each deduction explained."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Dimension = Literal["communication", "help", "rollback", "estimates"]
DIMENSIONS: tuple[Dimension, ...] = ("communication", "help", "rollback", "estimates")
TITLES: dict[str, str] = {
    "communication": "Communication cadence",
    "help": "Asking for help",
    "rollback": "Rollback choices",
    "estimates": "Realistic estimates",
}


@dataclass(frozen=True, slots=True)
class Deduction:
    """Points lost, with one line on what happened, when, and the norm it stands on."""

    dimension: Dimension
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
class ScoreCard:
    """The four dimensions and the weighted overall score."""

    communication: DimensionScore
    help: DimensionScore
    rollback: DimensionScore
    estimates: DimensionScore
    overall: float
    extras: dict[str, object] = field(default_factory=dict)
    """Tables the postmortem shows: promises per audience, estimates against actuals."""

    def dimensions(self) -> tuple[DimensionScore, ...]:
        """The four dimensions in their fixed order."""
        return (self.communication, self.help, self.rollback, self.estimates)

    def as_dict(self) -> dict[str, float]:
        """Scores rounded to one decimal, keyed by dimension plus ``overall``."""
        result = {d.dimension: round(d.score, 1) for d in self.dimensions()}
        result["overall"] = round(self.overall, 1)
        return result


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
