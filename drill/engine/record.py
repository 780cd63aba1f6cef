"""The frozen record of a run: what happened, typed, for everything that reads a run.

The simulation (:class:`~drill.engine.simulation.Run`) is private, mutable and fast; what it
produces is a :class:`RunRecord`, and scoring, the postmortem, comparisons, per-player views and
the board read only that.  The steps are kept once (the only history: a run is its scenario, seed
and steps); the log is a tuple of :class:`LogEntry` whose ``kind`` is a closed set
(:class:`LogKind`) and whose ``detail`` is typed per kind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping, NamedTuple, Union

from . import expressions as ex
from . import rules
from .memo import by_identity
from .placeholders import CUSTOMER_KEY, fill_state
from .playscript import (
    Answer,
    DeclareResolved,
    FacilitatorAct,
    GiveEstimate,
    Page,
    PlayerAction,
    PostUpdate,
    StartAction,
    TakeOver,
)
from .scenario import Ending, Event, Milestone, Person, Request, Scenario
from .variety import NO_VARIANT, Variant


@by_identity
def _people_by_id(scenario: Scenario) -> Mapping[str, Person]:
    """A scenario's people by id, made once per scenario (scoring names people many times)."""
    people: dict[str, Person] = {}
    for person in scenario.people:
        people.setdefault(person.id, person)  # the first of an id, as a search would find
    return MappingProxyType(people)


@lru_cache(maxsize=512)
def _compiled(expression: str) -> ex.Compiled:
    """A condition compiled once (the scenario's conditions were type-checked when it loaded)."""
    return ex.compile_node(ex.parse(expression))


class LogKind(StrEnum):
    """What a log entry records."""

    EVENT = "event"
    """A message arrived in the feed (a scenario event or a facilitator's free-text inject)."""
    REQUEST = "request"
    """Someone asked for an update or an estimate."""
    STARTED = "started"
    FINISHED = "finished"
    TARGET = "target"
    """One target of per-target work was done."""
    PAGED = "paged"
    ARRIVED = "arrived"
    SAID = "said"
    """A teammate spoke on their own."""
    UPDATE = "update"
    ESTIMATE = "estimate"
    MILESTONE = "milestone"
    DECLARED = "declared"
    TAKEOVER = "takeover"
    FACILITATOR = "facilitator"
    ENDED = "ended"
    ANSWER = "answer"
    """A yes/no question answered."""
    UNDELIVERED = "undelivered"
    """An update that did not go out: the channel to its audience was down."""
    REJECTED = "rejected"
    """A step the run refused (headless play keeps them)."""


SEEN_KINDS: frozenset[LogKind] = frozenset(
    {LogKind.EVENT, LogKind.FINISHED, LogKind.ARRIVED, LogKind.REQUEST, LogKind.SAID})
"""Entries that put a message in front of the player (what "seen then" refers to)."""

DECISION_KINDS: frozenset[LogKind] = frozenset(
    {LogKind.STARTED, LogKind.PAGED, LogKind.UPDATE, LogKind.ESTIMATE, LogKind.ANSWER,
     LogKind.DECLARED, LogKind.REJECTED, LogKind.UNDELIVERED})
"""Entries that record a player's decision."""

NEWS_KINDS: frozenset[LogKind] = frozenset(
    {LogKind.EVENT, LogKind.FINISHED, LogKind.ARRIVED, LogKind.MILESTONE, LogKind.TARGET})
"""Entries that bring the responders something new to say."""


@dataclass(frozen=True, slots=True)
class PageDetail:
    """A page: the step, and what it led to."""

    step: Page
    awake: bool
    """Within their working hours when paged."""
    busy: str
    """What they were busy with, in their words; empty if free."""
    eta: float
    """When they were expected to join."""
    helps: bool = False
    """Their skills speed up an action on offer or in progress when they were paged."""


class TargetDetail(NamedTuple):
    """One target of per-target work done.  (A NamedTuple, like LogEntry: a run writes one per
    target, and it is the fastest immutable record to make.)"""

    count: int
    workers: int


Detail = Union[Event, Request, Milestone, Ending, PageDetail, TargetDetail, StartAction,
               PostUpdate, GiveEstimate, Answer, DeclareResolved, TakeOver, FacilitatorAct, None]
"""What a log entry carries beyond its text, by kind: ``event`` the Event (or, for a
facilitator's message, the FacilitatorAct); ``request`` the Request; ``milestone`` the Milestone;
``ended`` the Ending; ``paged`` a PageDetail; ``target`` a TargetDetail; the player's own entries
(``started``, ``update``, ``estimate``, ``declared``, ``takeover``, ``facilitator``,
``rejected``) their step."""


class LogEntry(NamedTuple):
    """One line of a run's log, in time order.  (A NamedTuple: a run writes hundreds of these,
    and it is the fastest immutable record Python has.)"""

    time: float
    kind: LogKind
    ref: str = ""
    """The id of what it is about: event, action, person, milestone, ending or audience."""
    channel: str = ""
    sender: str = ""
    text: str = ""
    by: str = ""
    """Who acted, for the player's entries."""
    detail: Detail = None
    seen: "LogEntry | None" = None
    """For a decision: the latest message in front of the responders when it was made."""


class ClaimTruth(NamedTuple):
    """What was true and visible when an update was posted, to check its claims (§9.7).
    (A NamedTuple, like PostedUpdate: one is made for every update posted.)"""

    resolvable: bool
    """A resolved (or degraded) ending's condition held: the incident really was over."""
    cause_visible: bool | None
    """The scenario's `comms.cause_visible` held (None: the scenario does not say)."""
    loss_visible: bool
    """A harm that loses customer data had been done."""
    affected: str
    """Who was affected as the signals showed it ('' when the scenario does not say)."""


class PostedUpdate(NamedTuple):
    """An update the responders posted, with the truth its claims are checked against.
    (A NamedTuple, like LogEntry: the fastest immutable record to make, and a run posts many.)"""

    time: float
    step: PostUpdate
    truth: ClaimTruth


@dataclass(frozen=True, slots=True)
class GivenAnswer:
    """A yes/no question answered, with the true answer at that moment."""

    time: float
    step: Answer
    truth: bool
    """The true answer (the question's `truth` held)."""


@dataclass(frozen=True, slots=True)
class GivenEstimate:
    """An estimate the responders gave."""

    time: float
    step: GiveEstimate


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What happened in one run, frozen: the facts every reader shares.

    Made by :meth:`drill.engine.simulation.Run.record`.  Times are scenario times.
    """

    scenario: Scenario
    """The scenario as played, with this run's names in its texts."""
    seed: int
    names: Mapping[str, str]
    """Names generated for this run (people by id, customers by ``customer.ID``)."""
    steps: tuple[PlayerAction, ...]
    """The steps the run accepted, in order: the run's only history."""
    log: tuple[LogEntry, ...]
    now: float
    """Where the clock stood when the record was made."""
    ending: Ending | None
    ended_at: float | None
    status: tuple[str, str]
    """The service status when the record was made: (level, label)."""
    state: Mapping[str, bool | int | float | str]
    """Every state variable and ``ns.id`` fact when the record was made."""
    evidence: Mapping[str, float]
    """When each watched expression first held (evidence becoming visible)."""
    reached: Mapping[str, float]
    """When each milestone was reached."""
    updates: tuple[PostedUpdate, ...]
    estimates: tuple[GivenEstimate, ...]
    started: Mapping[str, tuple[float, ...]]
    finished: Mapping[str, tuple[float, ...]]
    fired: Mapping[str, tuple[float, ...]]
    paged_at: Mapping[str, float]
    arrived_at: Mapping[str, float]
    requests_at: Mapping[str, float]
    declared: tuple[float, ...]
    """When the incident was declared resolved (successfully or not)."""
    taken_over: Mapping[str, str]
    """Teammates a player speaks for: person id -> player."""
    asked: tuple[tuple[float, str], ...] = ()
    """Every time a request was asked, in order: (time, request id)."""
    warned_starts: tuple[tuple[float, int], ...] = ()
    """Starts of an unsafe action while its warning held: (time, index in the rollback
    policy's `unsafe` list)."""
    answers: tuple[GivenAnswer, ...] = ()
    undelivered: tuple[PostedUpdate, ...] = ()
    variant: Variant = NO_VARIANT
    """What this run drew of what varies (``scenario`` is already this variant's)."""
    """Updates that did not go out because their audience's channel was down (see
    ``AudiencePolicy.down_when``): never in ``updates``, so they answer and count for nothing."""
    halted: str | None = None
    """Why drill stopped the run, when the scenario passed one of the limits every run has
    (:mod:`drill.engine.limits`): "event 'grow' made a text longer than 10,000 characters at
    T+14".  The run then ends with the ending ``halted`` (kind ``out_of_time``)."""

    @property
    def end(self) -> float:
        """When the run ended, or where it stands if it has not."""
        return self.ended_at if self.ended_at is not None else self.now

    @property
    def mitigated_at(self) -> float | None:
        """When the impact was mitigated: the scenario's mitigated milestone was reached."""
        return self.reached.get(self.scenario.scoring.mitigated_milestone)

    @property
    def over(self) -> bool:
        """Whether the run reached an ending."""
        return self.ending is not None

    @property
    def unit(self) -> str:
        """The clock unit: minutes or days."""
        return self.scenario.clock.unit

    def told(self, text: str) -> str:
        """A scenario text about the run as it stands: ``{state.NAME}`` filled with the value
        when the record was made."""
        return fill_state(text, self.state)

    def holds(self, expression: str) -> bool:
        """Whether a condition of the scenario held when the record was made."""
        return bool(_compiled(expression)(self.state))

    def value(self, name: str) -> bool | int | float | str:
        """A state variable or ``ns.id`` fact when the record was made (0 when never set)."""
        return self.state.get(name, 0)

    def person_name(self, person_id: str) -> str:
        """A person's display name: from the scenario, or generated for this run."""
        person = _people_by_id(self.scenario).get(person_id)
        if person is None:
            return person_id
        return person.name or self.names.get(person_id, person.role)

    def customer_name(self, customer_id: str) -> str:
        """A customer's display name: from the scenario, or generated for this run."""
        customer = next((c for c in self.scenario.customers if c.id == customer_id), None)
        if customer is None:
            return customer_id
        return customer.name or self.names.get(CUSTOMER_KEY.format(customer_id), customer_id)

    def wall_time(self, at: float | None = None) -> dt.datetime:
        """The scenario's local date and time at a scenario time (now by default)."""
        return rules.wall_time(self.scenario.clock, self.now if at is None else at)

    def players(self) -> list[str]:
        """Everyone who acted, in order of their first step (the facilitator excluded)."""
        from .playscript import FACILITATOR

        return list(dict.fromkeys(s.by for s in self.steps if s.by and s.by != FACILITATOR))

    def view_of(self, player: str) -> "RunRecord":
        """The same run with only ``player``'s own decisions kept (their updates, estimates,
        pages, action starts, declarations and steps); the log stays whole, so what everyone
        saw and did remains readable."""
        paged_by = {e.ref: e.by for e in self.log if e.kind is LogKind.PAGED}
        started: dict[str, list[float]] = {}
        for entry in self.log:
            if entry.kind is LogKind.STARTED and entry.by == player:
                started.setdefault(entry.ref, []).append(entry.time)
        return dataclasses.replace(
            self,
            steps=tuple(s for s in self.steps if s.by == player),
            updates=tuple(u for u in self.updates if u.step.by == player),
            estimates=tuple(e for e in self.estimates if e.step.by == player),
            answers=tuple(a for a in self.answers if a.step.by == player),
            paged_at=MappingProxyType({p: t for p, t in self.paged_at.items()
                                       if paged_by.get(p) == player}),
            started=MappingProxyType({a: tuple(t) for a, t in started.items()}),
            declared=tuple(e.time for e in self.log
                           if e.kind is LogKind.DECLARED and e.by == player),
        )
