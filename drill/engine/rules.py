"""The game's rules, each answered once: when people can come, and what each audience is owed.

The simulation, the score and the board all ask these questions; answering them here means that
what the board tells a player is by construction what the score judges them on.

* **People**: the local hour in a zone, whether someone is within their working hours or busy
  elsewhere, and what happens when they are paged (:func:`page_outcome`).
* **Communication**: each audience's expected cadence (:func:`audience_rules`), the stretches
  an audience went without an update (:func:`cadence`), and what is owed at a moment
  (:func:`owed`): first updates, next updates, answers to requests, ETAs given.

Every function is pure and reads only the scenario and what the run recorded.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Mapping, Sequence

from .disclosure import Span, told
from .memo import by_identity
from .scenario import (
    AUDIENCES,
    EXTERNAL_AUDIENCES,
    AudiencePolicy,
    Busy,
    Clock,
    CommsPolicy,
    Meta,
    Person,
    Request,
    Scenario,
)

if TYPE_CHECKING:
    from .record import LogEntry, PostedUpdate, RunRecord

# -- clocks and people ----------------------------------------------------------------------------


def wall_time(clock: Clock, at: float) -> dt.datetime:
    """The scenario's local date and time (its first zone) at scenario time ``at``."""
    delta = dt.timedelta(minutes=at) if clock.unit == "minutes" else dt.timedelta(days=at)
    return clock.start + delta


def local_hour(clock: Clock, zone_id: str, at: float) -> float | None:
    """Hour of day (0-24, fractional) in a zone at scenario time ``at``; None on a days clock."""
    if clock.unit != "minutes":
        return None
    offsets, team = _zone_offsets(clock)
    offset = offsets.get(zone_id, team) - team
    moment = clock.start + dt.timedelta(minutes=at)
    return (moment.hour + moment.minute / 60 + offset) % 24


@by_identity
def _zone_offsets(clock: Clock) -> tuple[Mapping[str, float], float]:
    """Each zone's UTC offset by id, and the team's (the first zone's), read once per clock (the
    simulation and the board ask the local hour of someone at every page and every tick)."""
    offsets = MappingProxyType({zone.id: zone.utc_offset for zone in clock.zones})
    return offsets, clock.zones[0].utc_offset if clock.zones else 0.0


def is_awake(clock: Clock, person: Person, at: float) -> bool:
    """Whether a person is within their working hours at ``at`` (always, on a days clock)."""
    hour = local_hour(clock, person.zone, at)
    if hour is None:
        return True
    start, end = person.hours
    return start <= hour < end if start <= end else (hour >= start or hour < end)


def busy_with(person: Person, at: float) -> Busy | None:
    """What keeps a person busy elsewhere at ``at``, if anything."""
    return next((b for b in person.busy if b.at <= at < b.until), None)


def free_at(person: Person, at: float) -> float:
    """When a person is next free of busy periods from ``at``; back-to-back and overlapping
    periods count as one."""
    while (busy := busy_with(person, at)) is not None:
        at = busy.until
    return at


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What follows a page sent at ``paged_at``."""

    paged_at: float
    awake: bool
    """Within their working hours when paged."""
    busy: Busy | None
    """Busy elsewhere when paged (only counted when awake)."""
    delay: float
    """From the page to their arrival."""
    answer_after: float
    """From the page to their answer (quick when awake, later when woken)."""

    @property
    def arrives_at(self) -> float:
        """When they join."""
        return self.paged_at + self.delay


def page_outcome(clock: Clock, person: Person, at: float) -> PageOutcome:
    """When someone paged at ``at`` answers and arrives.

    Off hours add their ``off_hours_delay``; someone busy reads the page where they are and
    comes once that (and whatever follows it straight away) is over.
    """
    awake = is_awake(clock, person, at)
    busy = busy_with(person, at) if awake else None
    delay = person.delay
    if not awake:
        delay += person.off_hours_delay
    elif busy is not None:
        delay = max(delay, free_at(person, at) - at)
    answer_after = min(1.0, delay) if awake else min(delay, person.off_hours_delay / 2)
    if busy is not None and busy.answers_after is not None:
        answer_after = min(delay, busy.answers_after)  # they read pages late in there
    return PageOutcome(at, awake, busy, delay, answer_after)


def told_page_delay(scenario: Scenario, person: Person, outcome: PageOutcome) -> Span:
    """From a page to the arrival, as players know it before the person answers: the
    arithmetic of :func:`page_outcome` on the spans players are told of a person's delays
    (:mod:`drill.engine.disclosure`); the delay itself when no draw hides it."""
    low, high = told(scenario, f"people.{person.id}.delay", person.delay)
    if not outcome.awake:
        more = told(scenario, f"people.{person.id}.off_hours_delay", person.off_hours_delay)
        return low + more[0], high + more[1]
    if outcome.busy is not None:
        free = free_at(person, outcome.paged_at) - outcome.paged_at
        return max(low, free), max(high, free)
    return low, high


PersonState = Literal["here", "paged", "busy", "available", "off_hours"]


@dataclass(frozen=True, slots=True)
class PersonStatus:
    """Where a person stands at a moment, as the board and the page dialog show it."""

    person: Person
    state: PersonState
    arrives_at: float | None = None
    """For ``paged``: when they are expected."""
    busy: Busy | None = None
    """For ``busy``: what they are doing."""
    free_at: float | None = None
    """For ``busy``: when they are free."""
    hour: float | None = None
    """Their local hour (minutes clocks)."""
    if_paged: PageOutcome | None = None
    """For someone not paged yet: what a page now would bring."""
    told: Span | None = None
    """When they are expected (``paged``), or the delay a page now would bring (not paged
    yet), as players know it: exact once a paged person answered (see :func:`told_page_delay`)."""


def person_status(record: "RunRecord", person: Person, at: float) -> PersonStatus:
    """Where ``person`` stands at ``at`` in a run: here, paged and on their way, busy elsewhere,
    available, or off hours."""
    clock = record.scenario.clock
    hour = local_hour(clock, person.zone, at)
    if person.id in record.arrived_at:
        return PersonStatus(person, "here", hour=hour)
    scenario = record.scenario
    paged = record.paged_at.get(person.id)
    if paged is not None:
        outcome = page_outcome(clock, person, paged)
        arrives = outcome.arrives_at
        if at >= paged + outcome.answer_after:
            told_arrival = (arrives, arrives)  # their answer said when they come
        else:
            low, high = told_page_delay(scenario, person, outcome)
            told_arrival = (paged + low, paged + high)
        return PersonStatus(person, "paged", arrives, hour=hour, told=told_arrival)
    outcome = page_outcome(clock, person, at)
    told_delay = told_page_delay(scenario, person, outcome)
    if outcome.busy is not None:
        return PersonStatus(person, "busy", busy=outcome.busy, free_at=free_at(person, at),
                            hour=hour, if_paged=outcome, told=told_delay)
    return PersonStatus(person, "available" if outcome.awake else "off_hours", hour=hour,
                        if_paged=outcome, told=told_delay)


# -- mitigations ----------------------------------------------------------------------------------


def mitigation_effect(scenario: Scenario, action_id: str) -> str:
    """What a generic mitigation really does: its own `rollback_effect`, else the scenario's."""
    action = next((a for a in scenario.actions if a.id == action_id), None)
    if action is not None and action.rollback_effect is not None:
        return action.rollback_effect
    return scenario.scoring.rollback.rollback_effect


def first_mitigation(record: "RunRecord") -> tuple[float, str] | None:
    """The first generic mitigation that finished: (when, action id)."""
    done = sorted((record.finished[a][0], a)
                  for a in record.scenario.scoring.rollback.generic_mitigations
                  if record.finished.get(a))
    return done[0] if done else None


# -- communication --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AudienceRule:
    """One audience's expectations, from the scenario or its severity's defaults (§9.1)."""

    audience: str
    required: bool
    weight: float
    first_by: float
    every: float
    every_after_mitigation: float
    min_gap: float
    source: str
    """The norm behind it, for deductions."""
    first_note: str
    every_note: str


_GAME = " (game default)"
_SEVERITY_INDEX = {"SEV1": 0, "SEV2": 1, "SEV3": 2}
SOURCES = {
    "customers": "PagerDuty external comms: first public post within 5 min of the incident call, "
                 "then at least every 20 min, each saying when the next comes",
    "management": "PagerDuty Internal Liaison: status to executives roughly every 30 min",
    "support": "GitLab CMOC: support is told at the start and kept updated (Google SRE: people "
               "assume nothing is being done unless told)",
    "team": "PagerDuty IC: announce the incident, who leads and the plan in the incident channel "
            "first",
}
"""The norm behind each audience's cadence."""


@lru_cache(maxsize=None)
def _default_rule(audience: str, severity: str) -> AudienceRule:
    s = _SEVERITY_INDEX[severity]
    source = SOURCES[audience]
    if audience == "customers":
        first, every, after = (10, 15, 30)[s], (20, 30, 60)[s], (30, 60, 60)[s]
        # PagerDuty says 5 min from the call; 10 leaves room for game latency.
        return AudienceRule(audience, True, 0.35, first, every, after, 0, source, _GAME,
                            "" if s == 0 else _GAME)
    if audience == "management":
        first, every = (15, 30, 30)[s], (30, 60, 60)[s]
        return AudienceRule(audience, True, 0.25, first, every, every, 10, source, _GAME,
                            "" if s == 0 else _GAME)
    if audience == "support":
        first, every = (10, 15, 30)[s], (30, 45, 60)[s]
        return AudienceRule(audience, True, 0.20, first, every, every, 0, source, _GAME, _GAME)
    return AudienceRule(audience, True, 0.20, 5, 30, 30, 0, source, _GAME, _GAME)


def _rule(audience: str, policy: AudiencePolicy | None, severity: str) -> AudienceRule:
    if policy is None:
        return _default_rule(audience, severity)
    return AudienceRule(
        audience, policy.required, policy.weight, policy.first_by, policy.every,
        policy.every_after_mitigation or policy.every, policy.min_gap_without_news,
        SOURCES[audience], " (this scenario's policy)", " (this scenario's policy)",
    )


def audience_rules(scenario: Scenario) -> dict[str, AudienceRule]:
    """Every audience's expected cadence in ``scenario``, in the fixed audience order.

    The dict returned is shared between callers (scoring asks several times per run): read it,
    never change it.
    """
    return _rules_of(scenario.comms, scenario.meta)


@by_identity
def _rules_of(comms: CommsPolicy, meta: Meta) -> dict[str, AudienceRule]:
    return {audience: _rule(audience, comms.audiences.get(audience), meta.severity)
            for audience in AUDIENCES}


def interval(rule: AudienceRule, scenario: Scenario, start: float, mitigated_at: float | None,
             at: float) -> float:
    """The interval expected after an update at ``at``: the mitigated interval once mitigated,
    relaxed to ``long_every`` in a long incident (PagerDuty's long-incident model)."""
    comms = scenario.comms
    every = (rule.every_after_mitigation if mitigated_at is not None and at >= mitigated_at
             else rule.every)
    if at - start >= comms.long_incident_after:
        every = max(every, comms.long_every)
    return every


def cadence(scenario: Scenario, rule: AudienceRule, updates: Sequence["PostedUpdate"],
            start: float, mitigated_at: float | None, until: float) -> "CadenceState":
    """Dark stretches and the next due time of one audience from ``start`` up to ``until``.

    Args:
        scenario: for the comms policy (grace, promise cap, long incidents).
        rule: the audience's rule.
        updates: the audience's updates, in time order (only those before ``until`` count).
        start: when the incident started for communication.
        mitigated_at: when the impact was mitigated, if it was by ``until``.
        until: the moment asked about (the run's end for the score, now for the board).
    """
    comms = scenario.comms
    grace, extension = comms.grace, comms.max_promise_extension
    due = start + rule.first_by
    covered = due + grace
    next_due = due
    gaps: list[tuple[float, float]] = []
    for update in updates:
        time = update.time
        if time > until:
            break
        at = max(time, start)
        gap_start = max(covered, due)
        if at > gap_start:
            gaps.append((gap_start, at))
        step = update.step
        if step.status == "resolved":
            window = math.inf  # GitLab CMOC: no further updates once resolved
        else:
            every = interval(rule, scenario, start, mitigated_at, at)
            promised = step.next_update
            window = min(promised, every * extension) if promised is not None else every
        covered = max(covered, at + window + grace)
        next_due = covered - grace
    if until > max(covered, due):
        gaps.append((max(covered, due), until))
    return CadenceState(rule, start, due, next_due, tuple(gaps), until - due)


@dataclass(frozen=True, slots=True)
class CadenceState:
    """How one audience was kept informed up to a moment (see :func:`cadence`).

    An update opens a window that lasts its stated next update (capped at the interval times
    ``max_promise_extension``), else the audience's interval; a ``resolved`` update closes the
    incident for that audience.  Time past a window plus the grace, before the next update, is
    *dark*: the score charges it, and the board shows it as overdue.
    """

    rule: AudienceRule
    start: float
    """When the incident started for communication."""
    first_due: float
    """When the first update was due."""
    next_due: float
    """When the next update is due (``inf`` after a resolved update; the first update's due
    time while none was posted)."""
    gaps: tuple[tuple[float, float], ...]
    """Dark stretches up to the moment asked about, as (from, to)."""
    active: float
    """From the first update's due time to the moment asked about: what coverage is out of."""


VISIBLE_NEWS = frozenset({"event", "started", "finished", "arrived", "milestone"})
"""What counts as news the responders could pass on: a message, an action started or finished,
someone joining, a milestone (not per-target progress, not hidden state)."""


_TIME_OF = attrgetter("time")


def entries_from(log: Sequence["LogEntry"], time: float, strictly_after: bool = False) -> int:
    """Where the entries at ``time`` or later (``strictly_after``: later only) start in a run's
    log.

    The log is written in time order, so this is a binary search: readers asking about a
    moment (scoring asks many times per run) need not scan the whole log each time.
    """
    search = bisect.bisect_right if strictly_after else bisect.bisect_left
    return search(log, time, key=_TIME_OF)


def news_between(record: "RunRecord", after: float, before: float) -> bool:
    """Whether something new reached the responders strictly between two moments."""
    log = record.log
    for index in range(entries_from(log, after, strictly_after=True), len(log)):
        entry = log[index]
        if entry.time >= before:
            return False
        if entry.kind in VISIBLE_NEWS and entry.text:
            return True
    return False


def proactive_window(scenario: Scenario, audience: str) -> float:
    """How long before a request (or an update trigger's evidence) an update or estimate still
    answers it: the scenario's ``proactive_window``, else the audience's interval (§9.7)."""
    window = scenario.comms.proactive_window
    return window if window is not None else audience_rules(scenario)[audience].every


def answering_update(record: "RunRecord", audience: str | None, since: float, limit: float
                     ) -> float | None:
    """The update that answers a need for news arising at ``since``: the latest update to
    ``audience`` (any audience for None) within the proactive window before it, if nothing new
    happened in between, else the first one from ``since`` until ``limit``."""
    # The updates are in time order: the two stretches are found by binary search, and only
    # their updates are looked at (scoring asks this for every request and trigger).
    updates = record.updates
    window = proactive_window(record.scenario, audience or "team")
    opened = bisect.bisect_left(updates, since - window, key=_TIME_OF)
    since_index = bisect.bisect_left(updates, since, key=_TIME_OF)
    for index in range(since_index - 1, opened - 1, -1):  # the latest before `since` first
        update = updates[index]
        if audience is None or update.step.audience == audience:
            if not news_between(record, update.time, since):
                return update.time
            break
    for index in range(since_index, len(updates)):
        update = updates[index]
        if update.time > limit:
            break
        if audience is None or update.step.audience == audience:
            return update.time
    return None


def request_answer(record: "RunRecord", request: Request, asked: float,
                   late_ok: bool = False) -> float | None:
    """When a request for an update or an estimate was answered, if it was.

    An update to its audience (or an estimate of its milestone to its audience) answers it from
    the moment it is asked until its ``respond_within`` plus the grace (or any time after, with
    ``late_ok``); one given before it, within the proactive window, still answers it if nothing
    new happened since (and, for an estimate, if it has not already passed): a proactive answer
    is never worse than a reactive one (§9.7).
    """
    limit = math.inf if late_ok else asked + request.respond_within + record.scenario.comms.grace
    if request.kind == "update":
        return answering_update(record, request.audience, asked, limit)
    if request.kind == "question":
        return next((a.time for a in record.answers if a.step.request == request.id
                     and asked <= a.time <= limit), None)
    given = [e for e in record.estimates if e.step.milestone == request.milestone
             and e.step.audience == request.audience]
    window = proactive_window(record.scenario, request.audience)
    before = [e for e in given if asked - window <= e.time < asked]
    if before:
        latest = before[-1]
        horizon = latest.step.point if latest.step.point is not None else latest.step.high
        if latest.time + (horizon or 0) > asked and not news_between(record, latest.time, asked):
            return latest.time
    return next((e.time for e in given if asked <= e.time <= limit), None)


def eta_due(record: "RunRecord", index: int) -> tuple[float, float]:
    """When the ETA given in ``record.estimates[index]`` falls due, and when it counts as
    broken if the milestone has not come: its time plus the grace and the milestone's
    unforeseeable delay."""
    given = record.estimates[index]
    step = given.step
    due = given.time + (step.point if step.point is not None else step.high or 0)
    milestone = next((m for m in record.scenario.milestones if m.id == step.milestone), None)
    slack = (milestone.unforeseeable_delay if milestone is not None else 0) + \
        record.scenario.comms.grace
    return due, due + slack


def eta_broken(record: "RunRecord", index: int, at: float) -> bool | None:
    """Whether the ETA given in ``record.estimates[index]`` is broken by ``at``: it passed
    (see :func:`eta_due`) without the milestone and without a revised estimate to the same
    audience before it fell due.  None while it may still hold; only what happened by ``at``
    counts."""
    given = record.estimates[index]
    step = given.step
    due, broken_after = eta_due(record, index)
    reached = record.reached.get(step.milestone)
    if reached is not None and reached <= at:
        if reached <= broken_after:
            return False
    elif at <= broken_after:
        return None
    revised = any(later.step.milestone == step.milestone and later.step.audience == step.audience
                  and given.time < later.time <= due
                  for later in record.estimates[index + 1:])
    return not revised


def channel_down(record: "RunRecord", audience: str) -> bool:
    """Whether the channel to an audience is down as the record stands: an update to it now
    would not go out (the simulation applies the same `down_when` when one is posted)."""
    policy = record.scenario.comms.audiences.get(audience)
    return policy is not None and policy.down_when is not None and record.holds(policy.down_when)


OwedKind = Literal["first_update", "next_update", "request", "eta"]


@dataclass(frozen=True, slots=True)
class Owed:
    """Something the responders owe at a moment, as the board lists it."""

    kind: OwedKind
    audience: str
    due: float
    """When it is due."""
    overdue_from: float
    """From when the score charges for it (the due time plus the grace)."""
    request: Request | None = None
    """For ``request``: what was asked."""
    asked_at: float | None = None
    """For ``request``: when."""
    milestone: str = ""
    """For ``eta`` and estimate requests: the milestone's id."""
    promised: bool = False
    """For ``next_update``: the time was stated in the last update (a promise)."""

    def overdue(self, at: float) -> bool:
        """Whether the score is charging for it at ``at``."""
        return at > self.overdue_from


def owed(record: "RunRecord", at: float) -> tuple[Owed, ...]:
    """Everything owed at ``at``: the next (or first) update each required audience expects,
    requests still unanswered, and ETAs given whose milestone has not come.

    The board shows exactly this, and the score charges exactly the items that are overdue.
    """
    scenario = record.scenario
    grace = scenario.comms.grace
    items: list[Owed] = []
    start = record.evidence.get(scenario.comms.starts_when)
    if start is not None and start <= at and record.ending is None:
        mitigated = record.mitigated_at
        mitigated = mitigated if mitigated is not None and mitigated <= at else None
        for audience, rule in audience_rules(scenario).items():
            if not rule.required or rule.weight <= 0:
                continue
            updates = [u for u in record.updates if u.step.audience == audience and u.time <= at]
            state = cadence(scenario, rule, updates, start, mitigated, at)
            if math.isinf(state.next_due):
                continue
            last = updates[-1] if updates else None
            items.append(Owed("next_update" if last else "first_update", audience,
                              state.next_due, state.next_due + grace,
                              promised=bool(last and last.step.next_update is not None)))
    if record.ending is None:
        requests = {r.id: r for r in scenario.requests}
        for asked, request_id in record.asked:
            request = requests.get(request_id)
            if request is None or asked > at:
                continue
            # Answered, even late, it leaves the board (the score has judged the lateness).
            answer = request_answer(record, request, asked, late_ok=True)
            if answer is not None and answer <= at:
                continue
            items.append(Owed("request", request.audience, asked + request.respond_within,
                              asked + request.respond_within + grace, request, asked,
                              request.milestone))
        latest: dict[tuple[str, str], int] = {}
        for index, given in enumerate(record.estimates):
            if given.time <= at:
                latest[(given.step.milestone, given.step.audience)] = index
        for index in sorted(latest.values()):
            step = record.estimates[index].step
            reached = record.reached.get(step.milestone)
            if reached is not None and reached <= at:
                continue
            due, broken_after = eta_due(record, index)
            # Only an ETA to an external audience costs when it breaks (PagerDuty Customer
            # Liaison); an internal one is shown, never charged.
            charged = step.audience in EXTERNAL_AUDIENCES
            items.append(Owed("eta", step.audience, due,
                              broken_after if charged else math.inf, milestone=step.milestone))
    return tuple(items)
