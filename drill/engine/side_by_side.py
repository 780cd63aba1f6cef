"""Finished runs of one scenario side by side: outcome, scores, first moves, estimates, lapses.

Two teams that played the same incident (same scenario, same seed) want to see where their runs
parted: who told support first, who paged whom and when, who reached for the rollback, how
their estimates held up, and which deductions one team got and the other did not.

Pure: it reads runs and their score cards and returns typed values, a text table and a JSON-ready
dict; reading and replaying saves is the job of :mod:`drill.compare`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .scenario import AUDIENCES, Scenario
from .scorecard import DIMENSIONS, TITLES, Deduction, ScoreCard
from .text import clock_time
from .record import RunRecord

NOT_YET = "-"
"""A cell for something the run never did."""


@dataclass(frozen=True, slots=True)
class LabelledRun:
    """A run to compare, with its score card and the label of its column (players or file)."""

    label: str
    run: RunRecord
    card: ScoreCard


@dataclass(frozen=True, slots=True)
class FirstMove:
    """When a run first did something, and what exactly (whom it paged, which action)."""

    time: float
    what: str
    """A person's name or an action's label."""


@dataclass(frozen=True, slots=True)
class EstimateRecord:
    """How a run's estimates fared, from ``card.estimate_rows``."""

    given: int
    judged: int
    """Estimates that could be scored (the milestone came, or the estimate had passed)."""
    mean_score: float | None
    """Mean score of the judged ones, 0-100; None when none could be judged."""
    hits: int
    """Judged estimates the actual fell within."""
    broken: int
    """ETAs to customers or management that passed unmet and unrevised."""


@dataclass(frozen=True, slots=True)
class DeductionGroup:
    """Deductions of one kind (same dimension, same norm) in one run, added up."""

    dimension: str
    norm: str
    count: int
    points: float
    example: str
    """The first such deduction's 'what', to show what it was about."""


@dataclass(frozen=True, slots=True)
class ComparedRun:
    """Every measure of one run, in the scenario's clock units."""

    label: str
    seed: int
    finished: bool
    outcome: str
    """The ending's kind (resolved, failed, out_of_time), or 'unfinished'."""
    ending: str
    """The ending's title, or '' when the run is still going."""
    ended_at: float | None
    clock: float
    """How far the run got (its end, or where it stopped)."""
    scores: dict[str, float | None]
    """0-100 per dimension; None when the dimension did not apply."""
    overall: float
    first_update: dict[str, float | None]
    """Per audience, when it was first updated (None: never)."""
    updates: int
    first_page: FirstMove | None
    pages: int
    first_mitigation: FirstMove | None
    """First start of a generic mitigation (scoring.rollback.generic_mitigations)."""
    first_remediation: FirstMove | None
    """First start of a correct remediation (scoring.rollback.correct_remediations)."""
    estimates: EstimateRecord
    only_here: tuple[DeductionGroup, ...]
    """Kinds of deduction this run got and some other run did not, biggest first."""


@dataclass(frozen=True)
class Comparison:
    """Runs of one scenario, each summarised; columns in the order given."""

    scenario: Scenario
    runs: tuple[ComparedRun, ...]
    best: tuple[str, ...]
    """Label(s) of the run(s) with the highest overall score (one decimal)."""

    def time(self, value: float) -> str:
        """A time as players read it: ``T+24``, or ``day 12`` on a days clock."""
        return clock_time(self.scenario.clock.unit, value)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain JSON-ready data (times in clock units, scores 0-100)."""
        meta = self.scenario.meta
        return {
            "scenario": {"id": meta.id, "title": meta.title, "unit": self.scenario.clock.unit},
            "best_overall": list(self.best),
            "runs": [_run_dict(summary) for summary in self.runs],
        }


# -- building it ----------------------------------------------------------------------------------


def compare_runs(runs: Sequence[LabelledRun]) -> Comparison:
    """Summarise runs of the same scenario side by side.

    Args:
        runs: at least one run; all of the same scenario (the caller checks, since only it knows
            where the runs came from).  Labels should be distinct.

    Raises:
        ValueError: no runs, or runs of different scenarios.
    """
    if not runs:
        raise ValueError("nothing to compare")
    scenario = runs[0].run.scenario
    if any(r.run.scenario.meta.id != scenario.meta.id for r in runs):
        raise ValueError("runs of different scenarios cannot be compared")
    groups = [_deduction_groups(r.card) for r in runs]
    everyone = set.intersection(*(set(g) for g in groups)) if groups else set()
    summaries = tuple(
        _summarise(r, tuple(sorted((g for key, g in grouped.items() if key not in everyone),
                                   key=lambda g: (-g.points, g.dimension, g.norm))))
        for r, grouped in zip(runs, groups)
    )
    top = max(s.overall for s in summaries)
    best = tuple(s.label for s in summaries if round(s.overall, 1) == round(top, 1))
    return Comparison(scenario, summaries, best)


def _summarise(labelled: LabelledRun, only_here: tuple[DeductionGroup, ...]) -> ComparedRun:
    run, card = labelled.run, labelled.card
    policy = run.scenario.scoring.rollback
    labels = {action.id: action.label for action in run.scenario.actions}
    first_update: dict[str, float | None] = {audience: None for audience in AUDIENCES}
    for update in run.updates:
        if first_update[update.step.audience] is None:
            first_update[update.step.audience] = update.time
    first_page = None
    if run.paged_at:
        # Ties broken by id so the same run always names the same person.
        person, at = min(run.paged_at.items(), key=lambda item: (item[1], item[0]))
        first_page = FirstMove(at, run.person_name(person))
    scores: dict[str, float | None] = {
        d.dimension: (d.score if d.applicable else None) for d in card.dimensions()}
    return ComparedRun(
        label=labelled.label,
        seed=run.seed,
        finished=run.over,
        outcome=run.ending.kind if run.ending is not None else "unfinished",
        ending=run.ending.title if run.ending is not None else "",
        ended_at=run.ended_at,
        clock=run.ended_at if run.ended_at is not None else run.now,
        scores=scores,
        overall=card.overall,
        first_update=first_update,
        updates=len(run.updates),
        first_page=first_page,
        pages=len(run.paged_at),
        first_mitigation=_first_start(run, policy.generic_mitigations, labels),
        first_remediation=_first_start(run, policy.correct_remediations, labels),
        estimates=_estimates(run, card),
        only_here=only_here,
    )


def _first_start(run: RunRecord, action_ids: Sequence[str], labels: dict[str, str]) -> FirstMove | None:
    starts = [(run.started[a][0], a) for a in action_ids if run.started.get(a)]
    if not starts:
        return None
    at, action = min(starts)
    return FirstMove(at, labels.get(action, action))


def _estimates(run: RunRecord, card: ScoreCard) -> EstimateRecord:
    rows = card.estimate_rows
    judged = [row for row in rows if row.score is not None]
    mean = 100 * sum(row.score or 0.0 for row in judged) / len(judged) if judged else None
    return EstimateRecord(
        given=len(run.estimates),
        judged=len(judged),
        mean_score=mean,
        hits=sum(1 for row in judged if row.hit),
        broken=sum(1 for row in rows if row.broken),
    )


def _deduction_groups(card: ScoreCard) -> dict[tuple[str, str], DeductionGroup]:
    """The run's deductions grouped by (dimension, norm): the kind of lapse, whatever its time."""
    found: dict[tuple[str, str], list[Deduction]] = {}
    for dimension in card.dimensions():
        for deduction in dimension.deductions:
            found.setdefault((deduction.dimension, deduction.norm), []).append(deduction)
    return {key: DeductionGroup(key[0], key[1], len(items), sum(d.points for d in items),
                                items[0].what)
            for key, items in found.items()}


def _run_dict(summary: ComparedRun) -> dict[str, Any]:
    def move(value: FirstMove | None) -> dict[str, Any] | None:
        return None if value is None else {"time": value.time, "what": value.what}

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    estimates = summary.estimates
    return {
        "label": summary.label,
        "seed": summary.seed,
        "finished": summary.finished,
        "outcome": summary.outcome,
        "ending": summary.ending,
        "ended_at": summary.ended_at,
        "clock": summary.clock,
        "scores": {name: rounded(value) for name, value in summary.scores.items()},
        "overall": round(summary.overall, 1),
        "first_update": dict(summary.first_update),
        "updates": summary.updates,
        "first_page": move(summary.first_page),
        "pages": summary.pages,
        "first_mitigation": move(summary.first_mitigation),
        "first_remediation": move(summary.first_remediation),
        "estimates": {"given": estimates.given, "judged": estimates.judged,
                      "mean_score": rounded(estimates.mean_score), "hits": estimates.hits,
                      "broken": estimates.broken},
        "deductions_only_here": [
            {"dimension": g.dimension, "norm": g.norm, "count": g.count,
             "points": round(g.points, 1), "example": g.example} for g in summary.only_here],
    }


# -- the text table -------------------------------------------------------------------------------


def render_comparison(comparison: Comparison, width: int = 80, max_deductions: int = 6) -> str:
    """The comparison as text: one column per run, one row per measure, then each run's own
    deductions.  Two or three runs fit ``width`` (80 by default); longer cells are cut with '…'.
    """
    runs = comparison.runs
    meta = comparison.scenario.meta
    unit = comparison.scenario.clock.unit

    def when(value: float | None) -> str:
        return NOT_YET if value is None else comparison.time(value)

    def score(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f}"

    rows: list[tuple[str, list[str]]] = [
        ("Seed", [str(s.seed) for s in runs]),
        ("Outcome", [s.outcome.replace("_", " ") for s in runs]),
        ("Ending", [s.ending or "(still going)" for s in runs]),
        ("Ended at" if all(s.finished for s in runs) else "Ended / stopped at",
         [when(s.clock) for s in runs]),
        ("", []),
    ]
    for dimension in DIMENSIONS:
        rows.append((TITLES[dimension], [score(s.scores[dimension]) for s in runs]))
    rows.append(("Overall", [f"{s.overall:.0f}" for s in runs]))
    rows.append(("", []))
    for audience in AUDIENCES:
        rows.append((f"First update: {audience}", [when(s.first_update[audience]) for s in runs]))
    rows.append(("Updates posted", [str(s.updates) for s in runs]))
    for title, pick in (("First page", lambda s: s.first_page),
                        ("First mitigation", lambda s: s.first_mitigation),
                        ("First real fix", lambda s: s.first_remediation)):
        moves = [pick(s) for s in runs]
        rows.append((title, [when(m.time if m else None) for m in moves]))
        if any(moves):
            rows.append(("", [m.what if m else "" for m in moves]))
    rows.append(("People paged", [str(s.pages) for s in runs]))
    rows.append(("", []))
    rows.append(("Estimates given", [str(s.estimates.given) for s in runs]))
    rows.append(("  mean score", [score(s.estimates.mean_score) for s in runs]))
    rows.append(("  held", [f"{s.estimates.hits} of {s.estimates.judged}"
                            if s.estimates.judged else NOT_YET for s in runs]))
    rows.append(("  broken ETAs", [str(s.estimates.broken) for s in runs]))

    name_width = max(len(name) for name, _ in rows) + 1
    column = max(10, min(30, (width - name_width) // max(1, len(runs)) - 1))

    def line(name: str, cells: list[str]) -> str:
        return (name.ljust(name_width)
                + " ".join(_fit(cell, column).ljust(column) for cell in cells)).rstrip()

    out = [_fit(f"{meta.title} ({meta.id}), times in {unit}", width), ""]
    out.append(line("", [s.label for s in runs]))
    out.append(line("", ["-" * column for _ in runs]))
    out += [line(name, cells) for name, cells in rows]
    out.append("")
    best = comparison.best
    out.append(f"Best overall: {', '.join(best)}" if len(best) < len(runs) or len(runs) == 1
               else "Every run scored the same overall.")
    for summary in runs:
        if not summary.only_here:
            continue
        out += ["", _fit(f"Deductions only {summary.label} got:", width)]
        for group in summary.only_here[:max_deductions]:
            times = f" (x{group.count})" if group.count > 1 else ""
            out.append(_fit(f"  -{group.points:4.1f} {group.dimension}{times}: {group.example}",
                            width))
        hidden = len(summary.only_here) - max_deductions
        if hidden > 0:
            out.append(f"  ... and {hidden} more (--json lists them all)")
    return "\n".join(out) + "\n"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
