"""Team play: who did what, and a score per player on the dimensions their role answers for.

A player is named with a role, "Ana (commander)".  Every action carries its player in ``by``.
A player's score is the team run scored as if only their own actions counted (their updates,
pages, estimates, action starts and declarations), on the dimensions of their role: the
communications lead on communication, the commander on asking for help and estimates, operations
on rollback choices.  Facilitator acts belong to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import RunRecord
from .scenario import Role, role_of
from .scorecard import DIMENSIONS, ScoreCard
from .scoring import score_run

@dataclass(frozen=True, slots=True)
class PlayerScore:
    """One player's share of a team run."""

    player: str
    role: Role | None
    """None when the label names no role of the scenario: then all four dimensions count."""
    card: ScoreCard
    """The run scored on this player's actions alone."""
    actions: int
    """How many actions the player took."""
    weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    """The scenario's weights of the four dimensions, in DIMENSIONS order."""

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The dimensions this player is judged on."""
        return tuple(self.role.dimensions) if self.role else DIMENSIONS

    @property
    def overall(self) -> float:
        """Weighted mean of the player's applicable dimensions, with the scenario's weights as
        for the team's overall (0 when none applies)."""
        weight = dict(zip(DIMENSIONS, self.weights))
        judged = [(weight[d.dimension], d.score) for d in self.card.dimensions()
                  if d.dimension in self.dimensions and d.applicable]
        total = sum(w for w, _ in judged)
        if total <= 0:
            return sum(s for _, s in judged) / len(judged) if judged else 0.0
        return sum(w * s for w, s in judged) / total


def score_players(run: RunRecord) -> list[PlayerScore]:
    """A score per player of a team run (empty for a solo run).

    A player whose only act was to take a teammate over did nothing the four dimensions judge,
    so they get no score rather than points for what they never did.
    """
    scores = []
    for player in run.players():
        view = run.view_of(player)
        if all(step.do == "takeover" for step in view.steps):
            continue
        weights = run.scenario.scoring.weights
        scores.append(PlayerScore(player, role_of(player, run.scenario), score_run(view),
                                  len(view.steps),
                                  tuple(float(getattr(weights, d)) for d in DIMENSIONS)))
    return scores
