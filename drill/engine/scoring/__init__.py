"""Score a finished run on the four dimensions of DOMAIN.md §9, explaining every lost point.

:func:`score_run` reads what the run recorded (a :class:`~drill.engine.record.RunRecord`: (updates, pages,
estimates, action start and finish times, milestone times, and when each watched piece of
evidence first became visible) and returns a :class:`~drill.engine.scorecard.ScoreCard`.

Two rules shape everything here:

* **Judge only what could be seen.**  Every clock starts when its evidence first held
  (``run.evidence``); a trigger whose evidence never appeared is skipped, and a deadline the run
  ended before reaching is not judged.
* **Points lost add up.**  Each dimension is ``100 x (1 - sum of losses)``; every loss is one
  :class:`~drill.engine.scorecard.Deduction` with what happened, when, and the norm it stands on.
  When losses exceed the whole dimension they are scaled down together, so the deductions still
  sum to the points lost.

Scoring is pure and cheap: no pydantic model is built, the log is scanned at most once, and norm
texts are formatted only for the losses that need them (a score costs about a tenth of a
millisecond, the target being a thousand simulated and scored runs a second).
"""

from __future__ import annotations

import dataclasses

from ..scorecard import ScoreCard
from ..record import RunRecord
from .common import decay, _Context
from .communication import _score_communication
from .help import _score_help
from .rollback import _score_rollback
from .estimates import _score_estimates, interval_score, point_score, range_score
from .outcome import overall_score, score_outcome

__all__ = [
    "score_run",
    "decay",
    "point_score",
    "interval_score",
    "range_score",
]


# -- entry point ----------------------------------------------------------------------------------


def score_run(run: RunRecord) -> ScoreCard:
    """Score a run on communication, asking for help, rollback choices and estimates.

    Args:
        run: the record of a finished (or stopped) run; its end is ``run.end``.

    Returns:
        The score card.  Each dimension is 0-100 with its deductions and credits; ``overall`` is
        the mean of the applicable dimensions weighted by ``scenario.scoring.weights``.
        ``audiences``, ``estimate_rows`` and ``estimate_requests`` hold the tables behind
        them (see :mod:`drill.engine.scorecard`).
    """
    context = _Context(run)
    communication, audiences = _score_communication(context)
    estimates, rows, asked = _score_estimates(context)
    dimensions = {
        "communication": communication,
        "help": _score_help(context),
        "rollback": _score_rollback(context),
        "estimates": estimates,
    }
    weights = run.scenario.scoring.weights
    pairs = [(getattr(weights, name), card.score) for name, card in dimensions.items()
             if card.applicable]
    total = sum(w for w, _ in pairs)
    mean = sum(w * s for w, s in pairs) / total if total > 0 else 0.0
    outcome = score_outcome(context)
    overall, capped = overall_score(outcome, mean, run.scenario.scoring.outcome)
    if capped:
        outcome = dataclasses.replace(outcome, capped=True)
    return ScoreCard(overall=overall, audiences=audiences, estimate_rows=rows,
                     estimate_requests=asked, outcome=outcome, dimensions_mean=mean,
                     **dimensions)  # type: ignore[arg-type]


