"""Runs of the same scenario side by side: scores, first moves, how estimates fared.

Pure: it takes finished (or stopped) runs with their score cards and returns a table, for
`drill compare` and the TUI's compare view alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from .scenario import AUDIENCES
from .scorecard import TITLES, ScoreCard
from .scoring import format_time
from .simulation import Run


@dataclass(frozen=True, slots=True)
class ComparedRun:
    """One run, labelled (players or file name), with its card."""

    label: str
    run: Run
    card: ScoreCard


@dataclass(frozen=True)
class Comparison:
    """Rows of measures, one column per run."""

    scenario: str
    labels: list[str]
    rows: list[tuple[str, list[str]]]
    """(measure, one cell per run)."""
    best_overall: int
    """Index of the run with the best overall score."""


def _first(times: list[float]) -> float | None:
    return min(times) if times else None


def compare(runs: list[ComparedRun]) -> Comparison:
    """The comparison of runs of one scenario (the caller checks they are the same scenario)."""
    scenario = runs[0].run.scenario
    policy = scenario.scoring.rollback

    def t(value: float | None) -> str:
        return "—" if value is None else format_time(scenario, value)

    rows: list[tuple[str, list[str]]] = []
    rows.append(("Outcome", [r.run.ending.title if r.run.ending else "still going" for r in runs]))
    rows.append(("Ended at", [t(r.run.ended_at) for r in runs]))
    for index, title in enumerate(TITLES.values()):
        rows.append((title, [
            f"{d.score:.0f}" if d.applicable else "n/a"
            for d in (r.card.dimensions()[index] for r in runs)]))
    rows.append(("Overall", [f"{r.card.overall:.0f}" for r in runs]))
    for audience in AUDIENCES:
        rows.append((f"First update to {audience}", [
            t(_first([u.time for u in r.run.updates if u.step.audience == audience]))
            for r in runs]))
    rows.append(("Updates sent", [str(len(r.run.updates)) for r in runs]))
    cells = []
    for r in runs:
        if r.run.paged_at:
            person, at = min(r.run.paged_at.items(), key=lambda item: (item[1], item[0]))
            cells.append(f"{t(at)} {r.run.person_name(person)}")
        else:
            cells.append("—")
    rows.append(("First page", cells))
    rows.append(("People paged", [str(len(r.run.paged_at)) for r in runs]))
    rows.append(("First rollback / mitigation", [
        t(_first([x for a in policy.generic_mitigations for x in r.run.started.get(a, [])]))
        for r in runs]))
    rows.append(("First real fix started", [
        t(_first([x for a in policy.correct_remediations for x in r.run.started.get(a, [])]))
        for r in runs]))
    estimate_cells, hit_cells = [], []
    for r in runs:
        judged = [row for row in r.card.extras.get("estimates", [])  # type: ignore[union-attr]
                  if row.get("score") is not None]
        given = len(r.run.estimates)
        mean = sum(row["score"] for row in judged) / len(judged) if judged else None
        estimate_cells.append(f"{given} given" + (f", mean {mean * 100:.0f}" if mean is not None
                                                   else ""))
        hits = sum(1 for row in judged if row.get("hit"))
        hit_cells.append(f"{hits} of {len(judged)}" if judged else "—")
    rows.append(("Estimates", estimate_cells))
    rows.append(("Estimates that held", hit_cells))
    best = max(range(len(runs)), key=lambda i: (runs[i].card.overall, -i))
    return Comparison(scenario.meta.id, [r.label for r in runs], rows, best)


def render(comparison: Comparison, width: int = 80) -> str:
    """The comparison as a text table that fits ``width`` columns for two or three runs."""
    first = max(len(name) for name, _ in comparison.rows) + 2
    column = max(12, min(28, (width - first) // max(1, len(comparison.labels)) - 1))

    def fit(text: str) -> str:
        return text if len(text) <= column else text[: column - 1] + "…"

    lines = [f"drill compare: {comparison.scenario}", ""]
    header = " " * first + " ".join(fit(label).ljust(column) for label in comparison.labels)
    lines += [header.rstrip(), "-" * min(width, len(header.rstrip()))]
    for name, cells in comparison.rows:
        lines.append((name.ljust(first) + " ".join(fit(c).ljust(column) for c in cells)).rstrip())
    lines += ["", f"Best overall: {comparison.labels[comparison.best_overall]}"]
    return "\n".join(lines) + "\n"
