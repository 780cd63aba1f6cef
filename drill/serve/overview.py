"""What the facilitator's console shows of each team, computed from the team's replica.

The console holds a replica of every team's run (the same :class:`RemoteSession` a seat holds),
so everything here is read from a :class:`~drill.engine.record.RunRecord`, with the rules the
board and the score use: what is owed comes from :func:`drill.engine.rules.owed` (the board's
"Owed" panel, and what the score charges), the scores so far from
:func:`drill.engine.scoring.score_run`, the live comparison from
:mod:`drill.engine.side_by_side`.  What only the facilitator sees: the hidden truth and what the
scenario has scheduled next.

Pure and headless (no Textual): tests read it directly, and the console only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from ..engine.rules import Owed, owed
from ..engine.text import audience_name, clock_time, shorten, span

if TYPE_CHECKING:
    from ..engine.record import RunRecord
    from ..engine.scenario import Scenario
    from .remote_session import RemoteSession


@dataclass(frozen=True)
class Coming:
    """Something the scenario will do by itself, or may do."""

    at: float | None
    """When (None: when a condition holds)."""
    what: str
    """One line: the event or request and the start of its text."""


@dataclass(frozen=True)
class TeamView:
    """One team as the console's table and detail pane show it."""

    name: str
    players: tuple[str, ...]
    connected: tuple[str, ...]
    state: str
    """``waiting`` (no run yet), ``playing``, ``paused``, ``held`` (nobody connected), or
    ``ended``."""
    clock: str
    """``T+12`` or ``day 3``; ``-`` before the run."""
    pace: float
    status: str
    """The service status label (what the board's clock line says)."""
    level: str
    owed: tuple[Owed, ...]
    overdue: int
    """How many of ``owed`` the score is charging for now."""
    overall: float | None
    """The overall score if the run ended now (None before the run)."""
    ending: str
    steps: int

    @property
    def summary(self) -> str:
        """The owed column: ``3 owed, 1 overdue``."""
        if not self.owed:
            return "-"
        late = f", {self.overdue} overdue" if self.overdue else ""
        return f"{len(self.owed)} owed{late}"


def team_view(name: str, players: Sequence[str], connected: Sequence[str],
              session: RemoteSession | None, held: bool = False) -> TeamView:
    """The console's view of a team (``session`` is the team's replica, or None)."""
    if session is None:
        return TeamView(name, tuple(players), tuple(connected), "waiting", "-", 0.0, "", "ok",
                        (), 0, None, "", 0)
    from ..engine.scoring import score_run

    run = session.run
    record = run.record()
    items = owed(record, record.now)
    if run.finished_run:
        state = "ended"
    elif session.clock.paused:
        state = "paused"
    elif held:
        state = "held"
    else:
        state = "playing"
    level, label = record.status
    card = session.card or score_run(record)
    return TeamView(name, tuple(players), tuple(connected), state,
                    clock_time(record.unit, record.now), session.clock.pace, label, level, items,
                    sum(1 for item in items if item.overdue(record.now)), card.overall,
                    record.ending.title if record.ending else "", len(record.steps))


def owed_lines(view: TeamView, unit: str, now: float) -> list[str]:
    """Each owed item on a line, as the board words it: ``update to support, due in 4 min``."""
    lines = []
    for item in view.owed:
        what = {"first_update": "first update to", "next_update": "update to",
                "request": "answer to", "eta": "ETA given to"}[item.kind]
        if item.overdue(now):
            when = f"OVERDUE by {span(unit, now - item.due, whole_units=True)}"
        elif item.due < now:
            when = "due now"
        else:
            when = f"due in {span(unit, item.due - now, whole_units=True)}"
        lines.append(f"{what} {audience_name(item.audience)}: {when}")
    return lines


def coming_next(record: RunRecord, limit: int = 6) -> list[Coming]:
    """What the scenario has scheduled after now, soonest first, then what waits on a condition
    and the optional injects not yet fired (the facilitator's to fire)."""
    scenario = record.scenario
    now = record.now
    timed: list[Coming] = []
    waiting: list[Coming] = []
    injects: list[Coming] = []
    for event in scenario.events:
        fired = record.fired.get(event.id, ())
        text = shorten(event.text or "(a silent change of state)", 60)
        if event.optional:
            if not fired:
                injects.append(Coming(None, f"inject '{event.id}' when you choose: {text}"))
        elif event.every is not None:
            first = event.at if event.at is not None else event.every
            due = first + len(fired) * event.every
            if due > now:
                timed.append(Coming(due, f"{event.id} (every {event.every:g}): {text}"))
        elif event.at is not None:
            if not fired and event.at > now:
                timed.append(Coming(event.at, f"{event.id}: {text}"))
        elif not fired and event.when:
            waiting.append(Coming(None, f"{event.id} once {shorten(event.when, 50)}: {text}"))
    for request in scenario.requests:
        if request.id in record.requests_at:
            continue
        sender = shorten(record.person_name(request.sender), 30) or "someone"
        text = (f"{sender} asks for {'an estimate' if request.kind == 'estimate' else 'an update'}"
                f": {shorten(request.text, 50)}")
        if request.at is not None:
            if request.at > now:
                timed.append(Coming(request.at, text))
        elif request.when:
            waiting.append(Coming(None, f"once {shorten(request.when, 40)}: {text}"))
    timed.sort(key=lambda coming: coming.at or 0.0)
    return (timed + waiting)[:limit] + injects


def coming_lines(record: RunRecord, limit: int = 6) -> list[str]:
    """:func:`coming_next` as lines: ``T+30  second_release: ...``."""
    unit = record.unit
    return [(f"{clock_time(unit, item.at):>7}  " if item.at is not None else "         ")
            + item.what for item in coming_next(record, limit)]


def truth_lines(scenario: Scenario) -> list[str]:
    """The hidden truth: what is really wrong (never shown to the players before the end)."""
    truth = scenario.truth
    return [shorten(truth.summary, 300)] + [f"- {shorten(detail, 200)}"
                                            for detail in truth.details]


def live_comparison(sessions: Mapping[str, RemoteSession | None], width: int = 100) -> str:
    """The teams' runs side by side as they stand (finished or not), or why there is none."""
    from ..engine.side_by_side import LabelledRun, compare_runs, render_comparison
    from ..engine.scoring import score_run

    runs = []
    for name, session in sessions.items():
        if session is None:
            continue
        record = session.run.record()
        runs.append(LabelledRun(name, record, session.card or score_run(record)))
    if len(runs) < 2:
        return "The comparison needs two teams with a run; start the runs (s)."
    return render_comparison(compare_runs(runs), width=width)
