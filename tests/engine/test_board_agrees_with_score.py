"""What the board says is owed and overdue is exactly what the score judges.

Each bundled scenario is played with its shipped scripts and two automatic strategies; at every
scenario minute the board's list of what is owed (drill.engine.rules.owed, which the Owed panel
shows) is read, and at the end it is checked against the score card's own tables: an audience is
overdue on the board exactly in the stretches the score counts as dark, a request exactly while
it is unanswered past its time, an ETA exactly once the score counts it broken.
"""

from __future__ import annotations

import math

import pytest

from drill.engine import strategies
from drill.engine.rules import owed
from drill.engine.scoring import score_run
from drill.engine.simulation import ActionRejected, Run

from .. import bundled

PLAYS = [(scenario_id, play) for scenario_id in bundled.BUNDLED
         for play in ("good", "poor", "greedy", "random")]


def _board_over_time(scenario_id: str, play: str):
    """Play a run minute by minute; return its record and, per minute, what the board owed."""
    compiled = bundled.compiled_scenario(scenario_id)
    if play in ("good", "poor"):
        steps = list(bundled.script(scenario_id, play).steps)
    else:
        record, _ = strategies.play(compiled, play, 3)
        steps = list(record.steps)
    run = Run(compiled, 3, {})
    boards: dict[int, tuple] = {}
    minute = 0
    limit = compiled.scenario.clock.limit
    while not run.finished_run and minute <= limit:
        run.advance_to(minute)
        while steps and steps[0].at <= minute and not run.finished_run:
            step = steps.pop(0)
            try:
                run.perform(step)
            except ActionRejected:
                pass
        if run.finished_run:
            break
        boards[minute] = owed(run.record(), minute)
        minute += 1
    if not run.finished_run:
        run.advance_to(limit)
    return run.record(), boards


@pytest.mark.parametrize("scenario_id, play", PLAYS, ids=[f"{s}-{p}" for s, p in PLAYS])
def test_the_board_shows_overdue_exactly_what_the_score_charges(scenario_id, play):
    record, boards = _board_over_time(scenario_id, play)
    card = score_run(record)
    checked = 0
    for minute, items in boards.items():
        overdue = {(item.kind, item.audience, item.milestone, item.request.id
                    if item.request else "") for item in items if item.overdue(minute)}
        # Communication cadence: the dark stretches of each audience.
        for report in card.audiences:
            dark = any(start < minute < end for start, end in report.dark)
            shown = any(kind in ("first_update", "next_update") and audience == report.audience
                        for kind, audience, _, _ in overdue)
            assert shown == dark, (minute, report.audience, report.dark)
            checked += 1
            # Requests for an update (or a yes/no answer): overdue while unanswered past their
            # time.
            for row in report.requests:
                question = _kind(record, row.request) == "question"
                waiting = row.answered_at is None and row.charged_from < minute and not (any(
                    a.step.request == row.request and row.asked_at <= a.time <= minute
                    for a in record.answers) if question else any(
                    u.step.audience == report.audience and row.asked_at <= u.time <= minute
                    for u in record.updates))
                assert (("request", report.audience, _milestone(record, row.request),
                         row.request) in overdue) == waiting, (minute, row)
        # Requests for an estimate, the same way.
        for row in card.estimate_requests:
            request = next(r for r in record.scenario.requests if r.id == row.request)
            waiting = row.answered_at is None and row.charged_from < minute and not any(
                e.step.milestone == request.milestone and e.step.audience == request.audience
                and row.asked_at <= e.time <= minute for e in record.estimates)
            assert (("request", request.audience, request.milestone, row.request)
                    in overdue) == waiting, (minute, row)
        # ETAs given to others: overdue once the score counts them broken.
        for index, row in enumerate(card.estimate_rows):
            given = record.estimates[index]
            latest = not any(later.step.milestone == row.milestone
                             and later.step.audience == row.audience
                             and given.time < later.time <= minute
                             for later in record.estimates[index + 1:])
            reached = record.reached.get(row.milestone, math.inf)
            broken_now = (row.broken and row.broken_after is not None
                          and row.broken_after < minute < reached and latest
                          and given.time <= minute)
            if broken_now:
                assert ("eta", row.audience, row.milestone, "") in overdue, (minute, row)
        for kind, audience, milestone, _ in overdue:
            if kind == "eta":
                assert any(row.broken and row.audience == audience and row.milestone == milestone
                           and (row.broken_after or math.inf) < minute
                           for row in card.estimate_rows), (minute, audience, milestone)
    assert checked, "the run had minutes to compare"


def _kind(record, request_id: str) -> str:
    return next(r.kind for r in record.scenario.requests if r.id == request_id)


def _milestone(record, request_id: str) -> str:
    return next(r.milestone for r in record.scenario.requests if r.id == request_id)
