"""The deterministic simulation of one run of a scenario.

A :class:`Run` is advanced by its caller (the TUI's clock, or a play script) with
:meth:`Run.advance_to`, and receives player actions with :meth:`Run.perform`.  It never reads a
clock, a file or an unseeded random source, and it jumps from one scheduled happening to the
next instead of ticking: the same scenario, seed and timed actions always give the same log.

Every run has a budget (:mod:`drill.engine.limits`): a scenario that makes a value beyond the
bounds, or asks for more work than a run may do, stops the run with a message naming what ran
away (``Run.halted``), instead of hanging or raising.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from . import expressions as ex
from . import rules
from .limits import (
    HALTED_ENDING,
    MAX_EVALUATION,
    MAX_HAPPENINGS,
    MAX_LOG_ENTRIES,
    MAX_RECURRENCES,
    OutOfBounds,
)
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
from .placeholders import CUSTOMER_KEY, fill_state, personalise, placeholder_sites
from .record import (
    SEEN_KINDS,
    ClaimTruth,
    GivenAnswer,
    Detail,
    GivenEstimate,
    LogEntry,
    LogKind,
    PageDetail,
    PostedUpdate,
    RunRecord,
    TargetDetail,
)
from .scenario import (
    RESOLVED_KINDS,
    Action,
    Busy,
    Ending,
    Event,
    Line,
    Person,
    Request,
    Scenario,
)
from .disclosure import is_exact, told_length, told_targets
from .sites import expression_sites, expression_texts, watched_expressions
from .text import audience_name, clock_time, escaped, sentence, shorten, span
from .timeplan import IDLE_BEFORE_PLANNING, Plan, TimeChecks, planner
from .variety import Variant, apply, draw

AUDIT_EVERY = 32
"""How many happenings go by between two looks at a run's budget."""

METER_FROM = 24
"""Conditions of this many nodes or more, made of several ``and``-ed parts, are charged for the
parts a test reaches, not for all of them (``time >= 90 and <a long check>`` costs three nodes
until 90); smaller ones are charged in full, which costs less than metering them."""

_METER = "\x00work"
"""Where a metered condition notes the work of the parts after its first, in the run's state
while it settles (no state variable or fact can have this name)."""

MAX_PERSONALISED = 16
"""How many filled copies of a scenario (one per set of names) are kept for reuse."""

FACILITATOR_ENDING = "ended-by-facilitator"
"""The id of the ending a facilitator gives a run by ending it early (kind ``out_of_time``)."""


class ActionRejected(ValueError):
    """A player action that cannot be done now; the message says why, for the player."""


class _Halt(Exception):
    """The scenario passed one of the run's limits; the message says what ran away.  Raised
    inside a run, caught at its public methods, which end the run (see :meth:`Run._stop`)."""


_new_entry = tuple.__new__
_heappush = heapq.heappush


@dataclass(frozen=True, slots=True)
class _ActionFacts:
    """What a run reads of an action each time it is offered, starts, finishes or completes a
    target, copied once per scenario from the action's model, with the names of the facts it
    sets.

    Reading an attribute of a pydantic model costs about three times a plain one, and a run
    reads these hundreds of times; the fact names would otherwise be formatted at every use.
    """

    action: Action
    id: str
    label: str
    targets: int
    target_label: str
    per_target: float
    progress_var: str | None
    helper_skills: frozenset[str]
    repeatable: bool
    available_when: str
    started: str
    """The fact ``started.<id>``; likewise the three below."""
    running: str
    done: str
    count: str
    unsafe: tuple[tuple[int, str], ...]
    """The rollback policy's unsafe rules about it: (index in ``unsafe``, warning)."""

    @classmethod
    def build(cls, action: Action, scenario: Scenario) -> "_ActionFacts":
        ident = action.id
        unsafe = tuple((index, rule.warning)
                       for index, rule in enumerate(scenario.scoring.rollback.unsafe)
                       if rule.action == ident)
        return cls(action, ident, action.label, action.targets, action.target_label,
                   action.per_target, action.progress_var, frozenset(action.helper_skills),
                   action.repeatable, action.available_when, f"started.{ident}",
                   f"running.{ident}", f"done.{ident}", f"count.{ident}", unsafe)


@dataclass(slots=True)
class _Job:
    """A per-target action in progress."""

    facts: _ActionFacts
    done: float = 0.0
    rate: float = 0.0
    last: float = 0.0
    version: int = 0
    workers: int = 1
    noted: int = 0
    """Targets logged as done so far."""


@dataclass(frozen=True, slots=True)
class CompiledScenario:
    """A scenario with its expressions compiled once, shared by every run of it."""

    scenario: Scenario
    conditions: Mapping[str, ex.Compiled]
    """Every expression text in the scenario, compiled."""
    reads: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """For each expression: the state names and ``ns.id`` facts it reads (``time`` included)."""
    plan: "_RunPlan | None" = None
    """How every run of it starts (built by :meth:`build`)."""
    placeholder_sites: tuple[tuple[str | int, ...], ...] = ()
    """Where its texts name customers or people by placeholder; when there are any, each run
    plays a copy with the run's names filled in (see :mod:`drill.engine.placeholders`)."""
    costs: Mapping[str, int] = field(default_factory=dict)
    """For each expression: what one evaluation costs in the run's budget (its node count)."""
    plans: Mapping[str, Plan | None] = field(default_factory=dict)
    """For each expression reading ``time``: when it could next hold (see
    :mod:`drill.engine.timeplan`); None for one that must be tested at every whole unit."""
    metered: Mapping[str, tuple[ex.Compiled, int]] = field(default_factory=dict)
    """For big ``and``-ed conditions (see METER_FROM): a test that notes the work of its parts
    after the first, and what its first part costs."""

    personalised: dict[tuple[Any, ...], tuple[Scenario, "_RunPlan"]] = field(
        default_factory=dict, compare=False, repr=False)
    """The runs' own copies already made (drawn variant, names filled in), by names and draws:
    replays, benchmarks and `drill check` play many runs with the same ones.  Kept small (see
    MAX_PERSONALISED)."""

    def tests(self) -> "_Tests":
        """What a run plan takes from it."""
        return _Tests(self.conditions, self.reads, self.costs, self.metered)

    @property
    def personal(self) -> bool:
        """Whether each run plays its own copy, with its own names in the texts."""
        return bool(self.placeholder_sites)

    @classmethod
    def build(cls, scenario: Scenario) -> "CompiledScenario":
        """Type-check and compile every expression; raise ``ExpressionError`` on the first bad one."""
        types = {name: ex.type_of_value(value) for name, value in scenario.state.items()}
        conditions: dict[str, ex.Compiled] = {}
        reads: dict[str, frozenset[str]] = {}
        costs: dict[str, int] = {}
        plans: dict[str, Plan | None] = {}
        metered: dict[str, tuple[ex.Compiled, int]] = {}
        for text in expression_texts(scenario):
            if text not in conditions:
                node = ex.parse(text)
                ex.infer_type(node, types)
                names, facts = ex.references(node)
                reads[text] = frozenset(names | {f"{ns}.{ident}" for ns, ident in facts})
                costs[text] = ex.size(node)
                if "time" in names:
                    plans[text] = planner(node, types)
                made = _metered(node, types) if costs[text] >= METER_FROM else None
                if made is None:
                    conditions[text] = ex.compile_node(node, types)
                else:
                    conditions[text], metered[text] = made
        tests = _Tests(conditions, reads, costs, metered)
        return cls(scenario, conditions, reads, _RunPlan.build(scenario, tests),
                   placeholder_sites(scenario, frozenset(conditions)), costs, plans, metered)


class _Tests(NamedTuple):
    """What a run plan takes from a compiled scenario."""

    conditions: Mapping[str, ex.Compiled]
    reads: Mapping[str, frozenset[str]]
    costs: Mapping[str, int]
    metered: Mapping[str, tuple[ex.Compiled, int]]

    def test(self, text: str) -> tuple[ex.Compiled, frozenset[str], int]:
        """A condition as the run tests it when settling: (test, reads, cost charged)."""
        test, cost = self.metered.get(text) or (self.conditions[text], self.costs[text])
        return test, self.reads[text], cost


class _ClaimChecks(NamedTuple):
    """The conditions an update's claims are checked against (see :meth:`Run._claim_truth`),
    found once per scenario: a run posts many updates, and looking them up in the scenario's
    endings, harms and comms each time cost more than testing them."""

    resolvable: tuple[tuple[str, ex.Compiled], ...]
    """The conditions of the resolved and degraded endings: (text, test)."""
    cause: tuple[str, ex.Compiled] | None
    """``comms.cause_visible`` (None: the scenario does not say)."""
    losses: tuple[str, ...]
    """The conditions of the harms that lose data (evidence watches: read from first truths)."""
    affected: tuple[tuple[str, ex.Compiled, str], ...]
    """``comms.affected``, in order: (text, test, who is affected)."""

    @classmethod
    def build(cls, scenario: Scenario, conditions: Mapping[str, ex.Compiled]) -> "_ClaimChecks":
        comms = scenario.comms
        cause = comms.cause_visible
        return cls(
            tuple((e.when, conditions[e.when]) for e in scenario.endings
                  if e.kind in RESOLVED_KINDS),
            None if cause is None else (cause, conditions[cause]),
            tuple(h.when for h in scenario.scoring.outcome.harm if h.data_loss),
            tuple((t.when, conditions[t.when], t.affected) for t in comms.affected))


def _metered(node: ex.Node, types: Mapping[str, ex.Type]
             ) -> tuple[ex.Compiled, tuple[ex.Compiled, int]] | None:
    """A big ``and``-ed condition compiled part by part: its plain test, and its metered test
    with what its first part costs (None for any other expression)."""
    parts: list[ex.Node] = []
    stack = [node]
    while stack:  # `a and b and c` is ((a and b) and c): take the parts left to right
        item = stack.pop()
        if item.kind == "binary" and item.value == "and":
            stack += [item.args[1], item.args[0]]
        else:
            parts.append(item)
    if len(parts) < 2:
        return None
    first = ex.compile_node(parts[0], types)
    later = [ex.compile_node(part, types) for part in parts[1:]]
    # Each later part is charged as it is reached, with its share of the `and`s.
    charged = [(part, ex.size(node) + 1) for part, node in zip(later, parts[1:])]

    def plain(env: Mapping[str, ex.Value]) -> bool:  # what `a and b and c` compiles to
        if not first(env):
            return False
        for part in later:
            if not part(env):
                return False
        return True

    def metered(env: dict[str, ex.Value]) -> bool:
        if not first(env):
            return False
        for part, cost in charged:
            env[_METER] = env.get(_METER, 0) + cost  # type: ignore[operator]
            if not part(env):
                return False
        return True

    return plain, (metered, ex.size(parts[0]))


@dataclass(frozen=True, slots=True)
class _RunPlan:
    """What every run of a scenario starts from, worked out once: the conditions waiting to hold,
    who reads what, and the first things scheduled.  A run copies the mutable parts."""

    pending: tuple[tuple[str, Any, ex.Compiled, frozenset[str], int], ...]
    """Conditions waiting to hold, in the order they are checked: (kind, item, test, reads,
    cost)."""
    readers: Mapping[str, tuple[int, ...]]
    """Which pending conditions read each name, so a change re-tests only those."""
    watches: tuple[tuple[str, ex.Compiled, frozenset[str], int], ...]
    """The evidence watches (expressions whose first moment of truth the scoring needs):
    (text, test, reads, cost)."""
    watch_readers: Mapping[str, tuple[int, ...]]
    """Which watches read each name."""
    failed_endings: tuple[tuple[Ending, ex.Compiled, frozenset[str], int], ...]
    timed: tuple[str, ...]
    """The texts of the above that read ``time``, once per condition."""
    timed_readers: Mapping[str, tuple[str, ...]]
    """For each name other than ``time``: the texts in ``timed`` that read it."""
    watched_keys: frozenset[str]
    """What the evidence watches and the failed endings read."""
    interesting: frozenset[str]
    """Every name some waiting condition reads."""
    schedule: tuple[tuple[float, str, Any], ...]
    """The timed events and requests, in the order they are scheduled."""
    effect_costs: Mapping[int, int]
    """What applying each event's and action's effects costs in the run's budget, by the
    ``id()`` of its effects table (the tables live as long as the scenario this plan is for)."""
    claims: _ClaimChecks
    """What an update's claims are checked against."""
    actions: tuple[_ActionFacts, ...]
    """Each action's facts, in the scenario's order."""
    action_ids: Mapping[str, _ActionFacts]
    """The same by id (the last of an id, as a run has always looked actions up)."""
    down: Mapping[str, tuple[str, str]]
    """The audiences whose channel can be down: (``down_when``, ``down_text``)."""

    @classmethod
    def build(cls, scenario: Scenario, tests: _Tests) -> "_RunPlan":
        reads, costs, test = tests.reads, tests.costs, tests.test
        pending: list[tuple[str, Any, ex.Compiled, frozenset[str], int]] = []
        pending += [("milestone", m, *test(m.when)) for m in scenario.milestones]
        pending += [("event", e, *test(e.when)) for e in scenario.events
                    if e.when is not None and not e.optional]
        pending += [("request", r, *test(r.when)) for r in scenario.requests
                    if r.when is not None]
        readers: dict[str, list[int]] = {}
        for index, entry in enumerate(pending):
            for key in entry[3]:
                readers.setdefault(key, []).append(index)
        watches = tuple((text, *test(text))
                        for text in dict.fromkeys(watched_expressions(scenario)))
        watch_readers: dict[str, list[int]] = {}
        for index, watch in enumerate(watches):
            for key in watch[2]:
                watch_readers.setdefault(key, []).append(index)
        failed = tuple((e, *test(e.when)) for e in scenario.endings if e.kind == "failed")
        texts = ([entry[1].when for entry in pending] + [entry[0] for entry in watches]
                 + [entry[0].when for entry in failed])
        timed = tuple(text for text in texts if "time" in reads[text])
        timed_readers: dict[str, list[str]] = {}
        for text in dict.fromkeys(timed):
            for key in reads[text] - {"time"}:
                timed_readers.setdefault(key, []).append(text)
        watched_keys = frozenset().union(*(entry[2] for entry in (*watches, *failed)))
        schedule: list[tuple[float, str, Any]] = []
        for event in scenario.events:
            if event.optional:
                continue
            if event.every is not None:
                first = event.at if event.at is not None else event.every
                schedule.append((first, "event", (event, 1)))
            elif event.at is not None:
                schedule.append((event.at, "event", (event, 0)))
        for request in scenario.requests:
            if request.every is not None:
                first = request.at if request.at is not None else request.every
                schedule.append((first, "request", (request, 1)))
            elif request.at is not None:
                schedule.append((request.at, "request", (request, 0)))
        actions = tuple(_ActionFacts.build(a, scenario) for a in scenario.actions)
        effect_costs = {id(owner.effects): sum(costs[v] for v in owner.effects.values()
                                               if isinstance(v, str))
                        for owner in (*scenario.events, *scenario.actions)}
        return cls(tuple(pending), {k: tuple(v) for k, v in readers.items()}, watches,
                   {k: tuple(v) for k, v in watch_readers.items()}, failed,
                   timed, {k: tuple(v) for k, v in timed_readers.items()},
                   watched_keys, frozenset(readers) | watched_keys, tuple(schedule),
                   effect_costs, _ClaimChecks.build(scenario, tests.conditions),
                   actions, {facts.id: facts for facts in actions},
                   {audience: (policy.down_when, policy.down_text)
                    for audience, policy in scenario.comms.audiences.items()
                    if policy.down_when is not None})


class Run:
    """One play of a scenario: state, schedule and log.

    Args:
        compiled: the scenario, compiled once with :meth:`CompiledScenario.build`.
        seed: the run's seed; it drives every random draw.
        names: the display names of people the scenario leaves unnamed, as generated for this
            run (see :mod:`drill.engine.naming`); stored in the run's record for replay.
        variant: what this run draws of what varies (see :mod:`drill.engine.variety`); None:
            drawn from the seed.  A save passes the one it stored, as it does the names.
    """

    def __init__(self, compiled: CompiledScenario, seed: int, names: Mapping[str, str],
                 variant: Variant | None = None) -> None:
        self.compiled = compiled
        self.seed = seed
        self.names = dict(names)
        scenario = compiled.scenario
        self.variant = draw(scenario, seed) if variant is None else variant
        plan = compiled.plan
        if compiled.personal or not self.variant.empty:
            # The run's own copy: this seed's variant of the scenario, with this run's names in
            # every text.  Expressions are never filled or drawn, so the compiled conditions
            # (keyed by their text) still apply.  Copies are never changed, so runs with the
            # same names and draws share one.
            key = (tuple(sorted(self.names.items())) if compiled.personal else (),
                   self.variant.draws, self.variant.left_out)
            made = compiled.personalised.get(key)
            if made is None:
                concrete = apply(scenario, self.variant)
                if compiled.personal:
                    concrete = personalise(concrete, compiled.placeholder_sites,
                                           self._name_of)  # type: ignore[assignment]
                made = (concrete, _RunPlan.build(concrete, compiled.tests()))
                if len(compiled.personalised) >= MAX_PERSONALISED:
                    compiled.personalised.clear()
                compiled.personalised[key] = made
            scenario, plan = made
        self.scenario = scenario
        self._limit = scenario.clock.limit
        """The clock's limit (read at every advance; the scenario never changes)."""
        self.now = 0.0
        self._env: dict[str, ex.Value] = dict(scenario.state)
        self._env["time"] = 0.0
        self._log: list[LogEntry] = []
        self._last_seen: LogEntry | None = None
        """The newest message in front of the player (kept as notes are written)."""
        self._steps: list[PlayerAction] = []
        self.ending: Ending | None = None
        self.ended_at: float | None = None
        self.halted: str | None = None
        """Why drill stopped the run, when the scenario passed one of its limits (see
        :mod:`drill.engine.limits`): "event 'grow' made a text longer than 10,000 characters at
        T+14"."""
        self._checks_of_time = 0
        """Whole units at which conditions on time were checked; with the happenings scheduled
        (``_seq``), what the budget's MAX_HAPPENINGS counts."""
        self._audit_at = AUDIT_EVERY
        """When the budget is next looked at (see _audit)."""
        self._allowance = MAX_EVALUATION
        """Expression work left (in nodes evaluated) before the run passes MAX_EVALUATION."""
        self._first_true: dict[str, float] = {}
        self._reached: dict[str, float] = {}
        self._fired: dict[str, list[float]] = {}
        self._started: dict[str, list[float]] = {}
        self._finished: dict[str, list[float]] = {}
        self._paged_at: dict[str, float] = {}
        self._arrived_at: dict[str, float] = {}
        self._requests_at: dict[str, float] = {}
        self._updates: list[PostedUpdate] = []
        self._undelivered: list[PostedUpdate] = []
        self._estimates: list[GivenEstimate] = []
        self._declared: list[float] = []
        self._taken_over: dict[str, str] = {}
        """Teammates a player speaks for: person id -> player."""
        self._queue: list[tuple[float, int, str, Any]] = []
        self._seq = 0
        self._jobs: dict[str, _Job] = {}
        self._running: dict[str, float] = {}
        self._people = {p.id: p for p in scenario.people}
        self._actions = {a.id: a for a in scenario.actions}
        self._milestones = {m.id: m for m in scenario.milestones}
        self._cond = compiled.conditions
        plan = plan or _RunPlan.build(scenario, compiled.tests())
        self._pending: list[tuple[str, Any, ex.Compiled, frozenset[str], int] | None] = list(
            plan.pending)
        """The conditions still waiting, by their index in the plan (None once they held)."""
        self._asked: list[tuple[float, str]] = []
        """Every time a request was asked, in order: (time, request id)."""
        self._warned_starts: list[tuple[float, int]] = []
        """Starts of an unsafe action while its warning held: (time, index of the rule)."""
        self._answers: list[GivenAnswer] = []
        self._disarmed: set[int] = set()
        """Repeating events that fired and wait for their condition to stop holding."""
        self._repeats: dict[str, int] = {}
        """How many times each repeating event fired."""
        self._followers: dict[str, list[Event]] = {}
        """Events that follow each action or event id."""
        for event in scenario.events:
            if event.follows is not None and not event.optional:
                self._followers.setdefault(event.follows, []).append(event)
        self._readers = plan.readers
        self._watches = dict(enumerate(plan.watches))
        self._watch_readers = plan.watch_readers
        self._failed_endings = plan.failed_endings
        self._effect_costs = plan.effect_costs
        self._claims = plan.claims
        self._action_list = plan.actions
        self._action_facts = plan.action_ids
        self._down = plan.down
        self._unit = scenario.clock.unit
        self._time_checks = TimeChecks(compiled.plans, plan.timed_readers, plan.timed,
                                       MAX_EVALUATION)
        self._metered = bool(compiled.metered)
        self._timed_keys = frozenset(plan.timed_readers)
        self._dirty: set[str] = set()
        self._everything_dirty = True
        self._watched_keys = plan.watched_keys
        self._interesting = plan.interesting
        self._time_read = "time" in plan.interesting
        """Whether some waiting condition reads ``time`` (else a new time dirties nothing: in
        most scenarios nothing does, and every happening moves the clock)."""
        try:
            for when, kind, payload in plan.schedule:
                self._schedule(when, kind, payload)
            for person in scenario.people:
                if person.present:
                    self._arrive(person)
            self._settle()
        except _Halt as halt:
            self._stop(halt)

    # -- queries -------------------------------------------------------------------------

    @property
    def finished_run(self) -> bool:
        """Whether the run has reached an ending."""
        return self.ending is not None

    def record(self) -> RunRecord:
        """What has happened so far, frozen: what scoring, the postmortem and the board read."""
        frozen = MappingProxyType
        status = self.status()  # first: a status rule passing a limit ends the run
        return RunRecord(
            scenario=self.scenario, seed=self.seed, names=frozen(dict(self.names)),
            steps=tuple(self._steps), log=tuple(self._log), now=self.now, ending=self.ending,
            ended_at=self.ended_at, status=status, state=frozen(dict(self._env)),
            evidence=frozen(dict(self._first_true)), reached=frozen(dict(self._reached)),
            updates=tuple(self._updates), estimates=tuple(self._estimates),
            started=frozen({k: tuple(v) for k, v in self._started.items()}),
            finished=frozen({k: tuple(v) for k, v in self._finished.items()}),
            fired=frozen({k: tuple(v) for k, v in self._fired.items()}),
            paged_at=frozen(dict(self._paged_at)), arrived_at=frozen(dict(self._arrived_at)),
            requests_at=frozen(dict(self._requests_at)), declared=tuple(self._declared),
            asked=tuple(self._asked), warned_starts=tuple(self._warned_starts),
            answers=tuple(self._answers), undelivered=tuple(self._undelivered),
            variant=self.variant,
            taken_over=frozen(dict(self._taken_over)), halted=self.halted,
        )

    def holds(self, expression: str) -> bool:
        """Whether one of the scenario's expressions holds now.

        One that would make a value beyond the bounds ends the run (see :attr:`halted`) and
        does not hold.
        """
        try:
            return self._holds(expression)
        except _Halt as halt:
            self._stop(halt)
            return False

    def _holds(self, expression: str) -> bool:
        try:
            return bool(self._cond[expression](self._env))
        except OutOfBounds as error:
            raise _Halt(f"the condition at {self._where(expression)} {error}") from None

    def value(self, name: str) -> ex.Value:
        """The current value of a state variable or ``ns.id`` fact (0 when never set)."""
        return self._env.get(name, 0)

    def values(self, names: Iterable[str]) -> dict[str, ex.Value | None]:
        """The current values of some state variables (None for a name never set)."""
        env = self._env
        return {name: env.get(name) for name in names}

    def available_actions(self) -> list[Action]:
        """The scenario actions the player can start now."""
        if self.ending is not None:
            return []
        try:
            return [f.action for f in self._action_list if self._can_start(f) is None]
        except _Halt as halt:
            self._stop(halt)
            return []

    def running_actions(self) -> dict[str, tuple[float, float]]:
        """Actions in progress: id -> (fraction done, expected finish time at today's rate)."""
        result: dict[str, tuple[float, float]] = {}
        for action_id, started in self._running.items():
            action = self._actions[action_id]
            job = self._jobs.get(action_id)
            if job is None:
                total = max(action.duration, 1e-9)
                result[action_id] = (min(1.0, (self.now - started) / total), started + action.duration)
            else:
                done = job.done + (self.now - job.last) * job.rate
                remaining = (action.targets - done) / job.rate if job.rate else math.inf
                result[action_id] = (min(1.0, done / action.targets), self.now + remaining)
        return result

    def shown_progress(self) -> dict[str, tuple[float | None, float | None]]:
        """Actions in progress as the board shows them: id -> (fraction done, time left), each
        None where the scenario hides it.  An action's `progress` decides: the truth, nothing,
        or the scenario's own (possibly wrong) `progress_estimate` of the time left; where a
        draw hides its length or its targets (:mod:`drill.engine.disclosure`), only the targets
        done, or nothing."""
        shown: dict[str, tuple[float | None, float | None]] = {}
        for action_id, (fraction, finish) in self.running_actions().items():
            action = self._actions[action_id]
            if action.progress == "hidden":
                shown[action_id] = (None, None)
            elif action.progress == "estimate" and action.progress_estimate is not None:
                left = self.value_of(action.progress_estimate)
                shown[action_id] = (None, max(0.0, float(left)) if isinstance(left, (int, float))
                                    and not isinstance(left, bool) else None)
            elif not is_exact(told_targets(self.scenario, action)):
                shown[action_id] = (None, None)  # a draw hides how many there are
            elif not is_exact(told_length(self.scenario, action)):
                # A draw hides how long it takes (disclosure): the targets done show, no more.
                count = self.value(self._action_facts[action_id].count) if action.targets else None
                shown[action_id] = ((float(count) / action.targets, None)
                                    if isinstance(count, (int, float)) else (None, None))
            else:
                shown[action_id] = (fraction, finish - self.now)
        return shown

    def value_of(self, expression: str) -> ex.Value | None:
        """The value of one of the scenario's expressions now (None if it would break a bound)."""
        try:
            return self._cond[expression](self._env)
        except OutOfBounds:
            return None

    def _name_of(self, kind: str, ident: str) -> str | None:
        """A placeholder's name (see :mod:`drill.engine.placeholders`), from the scenario as
        written, or generated for this run; None for an unknown id."""
        raw = self.compiled.scenario
        if kind == "person":
            person = next((p for p in raw.people if p.id == ident), None)
            return None if person is None else person.name or self.names.get(ident, person.role)
        customer = next((c for c in raw.customers if c.id == ident), None)
        if customer is None:
            return None
        return customer.name or self.names.get(CUSTOMER_KEY.format(ident), ident)

    def person_name(self, person_id: str) -> str:
        """A person's display name: from the scenario, or generated for this run."""
        person = self._people.get(person_id)
        if person is None:
            return person_id
        return person.name or self.names.get(person_id, person.role)

    def status(self) -> tuple[str, str]:
        """The service status now: (level, label)."""
        for rule in self.scenario.status:
            if self.holds(rule.when):
                return rule.level, rule.label
        return "ok", "Operational"

    def _status(self) -> tuple[str, str]:
        for rule in self.scenario.status:
            if self._holds(rule.when):
                return rule.level, rule.label
        return "ok", "Operational"

    def next_time(self) -> float | None:
        """When the next scheduled happening is due, if any."""
        return self._queue[0][0] if self._queue else None

    # -- driving ---------------------------------------------------------------------------

    def advance_to(self, target: float) -> list[LogEntry]:
        """Play everything scheduled up to ``target`` (capped at the clock's limit).

        Returns the log entries this produced.  A scenario passing one of the run's limits ends
        the run here (see :attr:`halted`).
        """
        start = len(self._log)
        self._advance(target)
        return self._log[start:]

    def _advance(self, target: float) -> None:
        """:meth:`advance_to`, without copying out the entries (a step advances first)."""
        limit = self._limit
        target = min(target, limit)
        queue, pop, inf = self._queue, heapq.heappop, math.inf
        env, checks = self._env, self._time_checks
        try:
            while self.ending is None:
                head = queue[0][0] if queue else inf
                # Conditions on `time` are checked at every whole clock unit, never at the moment
                # a caller happens to stop: a TUI ticking in fractions and a replay jumping from
                # action to action must see them fire at the same time.  After a quiet stretch,
                # units at which none of them could hold are skipped (see drill.engine.timeplan):
                # nothing would happen there.
                if not checks.waiting:
                    boundary = inf
                elif checks.idle < IDLE_BEFORE_PLANNING:
                    boundary = math.floor(self.now) + 1
                else:
                    boundary = checks.next_at  # a whole unit, or inf
                    if boundary is None or boundary <= self.now:
                        boundary = checks.next_check(env, self.now, limit)
                if head <= boundary:
                    if head > target:
                        break
                    when, _, kind, payload = pop(queue)
                    if when > self.now:
                        self._set_time(when)
                    self._handle(kind, payload)
                    checks.idle = 0
                else:
                    if boundary > target:
                        break
                    self._set_time(boundary)
                    checks.idle += 1
                    self._checks_of_time += 1
                    if self._seq + self._checks_of_time >= self._audit_at:
                        self._audit()
                self._settle()
        except _Halt as halt:
            self._stop(halt)
        if self.ending is None and target > self.now:
            self._set_time(target)
        if self.ending is None and self.now >= limit:
            self._end(self._out_of_time_ending())

    def perform(self, step: PlayerAction) -> list[LogEntry]:
        """Apply a player action at ``step.at`` (advancing to it first).

        Raises :class:`ActionRejected` when the action is not possible now; the run is unchanged
        apart from having advanced.
        """
        start = len(self._log)
        at = step.at
        if at < self.now:
            raise ActionRejected(f"cannot act in the past (at {at:g}, now {self.now:g})")
        self._advance(at)
        if self.ending is not None:
            raise ActionRejected("the run has ended")
        try:
            _PERFORM[type(step)](self, step)
        except _Halt as halt:
            # The step was taken (partly): kept, so a replay of the steps stops here too.
            self._steps.append(step)
            self._stop(halt)
            return self._log[start:]
        self._steps.append(step)
        try:
            self._settle()
        except _Halt as halt:
            self._stop(halt)
        return self._log[start:]

    def refuse(self, step: PlayerAction, reason: str) -> LogEntry:
        """Keep a step the run refused in the log, with the reason (headless play does; the
        TUI tells the player instead)."""
        return self._note(LogKind.REJECTED, getattr(step, "do", ""), text=reason, by=step.by,
                          detail=step, seen=self._last_seen)

    # -- limits ----------------------------------------------------------------------------

    def _stop(self, halt: _Halt) -> None:
        """End the run because the scenario passed a limit: say what and when, once."""
        if self.ending is not None:
            return
        self._env.pop(_METER, None)  # stopped while settling: no trace in the state
        reason = str(halt)
        at = clock_time(self.scenario.clock.unit, self.now)
        self.halted = f"{reason} at {at}"
        self._end(Ending(
            id=HALTED_ENDING, kind="out_of_time", title=shorten(f"Stopped: {reason}", 120),
            debrief=f"drill stopped the run at {at}: {reason}. The scenario asked for more "
                    "than any run may make or do (see \"Limits\" in docs/scenario-format.md); "
                    "the debrief covers what happened until then."))

    def _where(self, expression: str) -> str:
        """Where an expression sits in the scenario, for a message: ``status[0].when``."""
        for site in expression_sites(self.scenario):
            if site.text == expression:
                return "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                               for part in site.loc).lstrip(".")
        return f"'{escaped(expression, 60)}'"

    def _audit(self) -> None:
        """Stop the run if it has passed one of its budgets.

        Looked at every AUDIT_EVERY happenings scheduled or whole units checked (and exactly at
        the happenings' limit).  Between two looks a run can write only a bounded number of
        entries (a waiting condition fires once per run); expression work is also checked where
        it is spent, after each round of settling.
        """
        happenings = self._seq + self._checks_of_time
        if (happenings > MAX_HAPPENINGS or len(self._log) > MAX_LOG_ENTRIES
                or self._allowance < 0):
            raise _Halt(self._overspent())
        self._audit_at = min(happenings + AUDIT_EVERY, MAX_HAPPENINGS + 1)

    def _overspent(self) -> str:
        """Which budget a run passed, and what spent most of it."""
        if self._seq + self._checks_of_time > MAX_HAPPENINGS:
            what = f"{MAX_HAPPENINGS:,} happenings"
        elif len(self._log) > MAX_LOG_ENTRIES:
            what = f"{MAX_LOG_ENTRIES:,} log entries"
        else:
            what = f"{MAX_EVALUATION:,} steps of evaluating conditions and effects"
        return f"the run went past {what} ({self._busiest(what.endswith('entries'))})"

    def _busiest(self, writers: bool) -> str:
        """What happened most in the run, to name in a message about its budget."""
        if writers:  # who wrote the log
            counts: dict[tuple[str, str], int] = {}
            for entry in self._log:
                key = (entry.kind.value, entry.ref)
                counts[key] = counts.get(key, 0) + 1
            (kind, ref), count = max(counts.items(), key=lambda item: item[1])
            if 2 * count >= len(self._log):
                who = f"{kind} '{escaped(ref)}'" if ref else f"{kind} entries"
                return f"{who} wrote {count:,} of them"
            kinds: dict[str, list[int]] = {}
            for (kind, _), count in counts.items():
                kinds.setdefault(kind, []).append(count)
            kind, counted = max(kinds.items(), key=lambda item: sum(item[1]))
            return (f"{sum(counted):,} of them are '{kind}' entries from "
                    f"{len(counted):,} sources")
        firings = {event: len(times) for event, times in self._fired.items()}
        total = sum(firings.values())
        if self._checks_of_time > total:
            unit = "minute" if self.scenario.clock.unit == "minutes" else "day"
            return f"conditions on time were checked at {self._checks_of_time:,} whole {unit}s"
        if not firings:
            return "conditions were tested again and again"
        event, count = max(firings.items(), key=lambda item: item[1])
        if 2 * count >= total:
            return f"event '{escaped(event)}' fired {count:,} times"
        return f"{len(firings):,} events fired {total:,} times in all"

    # -- internals -------------------------------------------------------------------------

    def _set_time(self, when: float) -> None:
        if when != self.now:
            self.now = when
            self._env["time"] = when
            if self._time_read:
                self._dirty.add("time")

    def _schedule(self, when: float, kind: str, payload: Any) -> None:
        self._seq = seq = self._seq + 1
        _heappush(self._queue, (when, seq, kind, payload))
        if seq >= self._audit_at:
            self._audit()

    def _note(self, kind: LogKind, ref: str = "", channel: str = "", sender: str = "",
              text: str = "", by: str = "", detail: Detail = None,
              seen: LogEntry | None = None) -> LogEntry:
        # Built positionally: a run writes hundreds of these, and keywords cost.
        entry = _new_entry(LogEntry, (self.now, kind, ref, channel, sender, text, by, detail,
                                      seen))
        self._log.append(entry)
        if text and kind in SEEN_KINDS:
            self._last_seen = entry
        return entry

    def _apply(self, effects: Mapping[str, ex.Value], owner: Event | Action) -> None:
        if not effects:
            return
        try:
            values = {
                name: (self._cond[v](self._env) if isinstance(v, str) else v)
                for name, v in effects.items()
            }
        except OutOfBounds as error:
            kind = "event" if isinstance(owner, Event) else "action"
            raise _Halt(f"{kind} '{escaped(owner.id)}' {error}") from None
        self._allowance -= self._effect_costs[id(effects)]
        if self._allowance < 0:
            raise _Halt(self._overspent())
        self._env.update(values)
        self._dirty.update(values)

    def _fact(self, key: str, value: ex.Value) -> None:
        """Change one state variable or ``ns.id`` fact; conditions reading it are re-checked."""
        self._env[key] = value
        self._dirty.add(key)

    def _handle(self, kind: str, payload: Any) -> None:
        if kind == "event":
            event, nth = payload
            if nth and event.until is not None:
                self._allowance -= self.compiled.costs[event.until]
                if self._holds(event.until):
                    return
            if nth > MAX_RECURRENCES:
                raise _Halt(f"event '{escaped(event.id)}' recurred more than "
                            f"{MAX_RECURRENCES:,} times")
            if event.only_when is None or self._holds(event.only_when):
                self._fire(event)
            if nth and event.every is not None:
                self._schedule(self.now + event.every, "event", (event, nth + 1))
        elif kind == "request":
            request, nth = payload
            if nth and request.until is not None and self._holds(request.until):
                return
            self._ask(request)
            if nth and nth < MAX_RECURRENCES and request.every is not None:
                self._schedule(self.now + request.every, "request", (request, nth + 1))
        elif kind == "finish":
            action_id, started = payload
            if self._running.get(action_id) == started:
                self._complete(self._action_facts[action_id])
        elif kind == "target":
            action_id, version = payload
            job = self._jobs.get(action_id)
            if job is not None and job.version == version:
                self._target_done(job)
        elif kind == "arrive":
            self._arrive(self._people[payload])
        elif kind == "say":
            person_id, said = payload
            if isinstance(said, Line):
                if said.only_when is not None and not self._holds(said.only_when):
                    return
                said = said.text
            if person_id not in self._taken_over:
                self._note(LogKind.SAID, person_id, channel="teammate",
                           sender=self.person_name(person_id), text=self._told(said))

    def _fire(self, event: Event) -> None:
        ident = event.id  # (scenario items are pydantic models: a local reads faster)
        self._fired.setdefault(ident, []).append(self.now)
        self._fact(f"fired.{ident}", True)
        self._apply(event.effects, event)
        if event.text:
            self._note(LogKind.EVENT, ident, channel=event.channel,
                       sender=self._sender(event.sender), text=self._told(event.text),
                       detail=event)
        self._schedule_followers(ident)

    def _told(self, text: str) -> str:
        """A scenario text as shown now: ``{state.NAME}`` filled with the current value."""
        return fill_state(text, self._env) if "{state." in text else text

    def _sender(self, sender: str) -> str:
        return self.person_name(sender) if sender in self._people else sender

    def _ask(self, request: Request) -> None:
        if request.kind == "estimate" and request.milestone in self._reached:
            return  # nobody asks when something will happen once it has
        self._requests_at.setdefault(request.id, self.now)
        self._asked.append((self.now, request.id))
        self._note(LogKind.REQUEST, request.id, channel=request.audience,
                   sender=self._sender(request.sender), text=self._told(request.text),
                   detail=request)

    def _settle(self) -> None:
        """Fire whatever conditions now hold, until nothing changes.

        Only conditions that read something written since the last check are evaluated again
        (each condition's names are known from its parse), which keeps a run linear in its
        events instead of re-testing every condition after every change.  Each evaluation is
        charged to the run's budget; a condition making a value beyond the bounds, or a cascade
        of them passing the budget, stops the run (raises ``_Halt``).
        """
        everything = self._everything_dirty
        if not everything and self._interesting.isdisjoint(self._dirty):
            # Nothing any waiting condition reads has changed: the common case, kept cheap.
            self._dirty.clear()
            return
        self._everything_dirty = False
        env, pending, readers, disarmed = self._env, self._pending, self._readers, self._disarmed
        changed: set[str] | None = None
        work = 0
        while True:
            dirty, self._dirty = self._dirty, set()
            if not dirty and not everything:
                break
            # What changed in this settle, for the watches below (usually one round: no copy).
            changed = dirty if changed is None else changed | dirty
            if everything:
                candidates: Iterable[int] = range(len(pending))
            else:
                candidates = _readers_of(dirty, readers)
            for index in candidates:
                entry = pending[index]
                if entry is None:
                    continue
                kind, item, test, reads, cost = entry
                work += cost
                try:
                    holds = test(env)
                except OutOfBounds as error:
                    raise _Halt(f"the condition of {kind} '{escaped(item.id)}' {error}") from None
                if not holds:
                    # A repeating event fires on each edge: once, then again only after its
                    # condition stopped holding (it stays waiting, re-tested when what it reads
                    # changes).  Only those are ever disarmed.
                    if index in disarmed:
                        disarmed.discard(index)
                    continue
                if kind == "event" and item.repeat:
                    if index not in disarmed:
                        disarmed.add(index)
                        self._repeat(item)
                    continue
                pending[index] = None
                if "time" in reads:
                    self._time_checks.done(item.when)
                if kind == "milestone":
                    self._reached[item.id] = self.now
                    self._fact(f"reached.{item.id}", True)
                    self._note(LogKind.MILESTONE, item.id, text=item.label, detail=item)
                elif kind == "event":
                    self._fire(item)
                else:
                    self._ask(item)
            if self._metered:
                work += env.pop(_METER, 0)  # type: ignore[operator]
            if work > self._allowance:  # effects applied meanwhile are charged there
                self._allowance -= work
                raise _Halt(self._overspent())
            if not self._dirty:
                break
            everything = False
        if changed is None:
            changed = set()
        if not self._timed_keys.isdisjoint(changed):
            self._time_checks.changed(changed)
        everything = everything or self._everything_dirty
        if not everything and self._watched_keys.isdisjoint(changed):
            self._allowance -= work
            return
        watches = self._watches
        if everything:
            seen: Iterable[int] = list(watches)
        else:
            seen = _readers_of(changed, self._watch_readers)
        for index in seen:
            entry = watches.get(index)
            if entry is None:
                continue
            text, test, reads, cost = entry
            work += cost
            try:
                if not test(env):
                    continue
            except OutOfBounds as error:
                raise _Halt(f"the condition at {self._where(text)} {error}") from None
            self._first_true[text] = self.now
            del watches[index]
            if "time" in reads:
                self._time_checks.done(text)
        if self.ending is None:
            for ending, test, reads, cost in self._failed_endings:
                if everything or not reads.isdisjoint(changed):
                    work += cost
                    try:
                        if not test(env):
                            continue
                    except OutOfBounds as error:
                        raise _Halt(f"the condition of ending '{escaped(ending.id)}' "
                                    f"{error}") from None
                    self._end(ending)
                    break
        if self._metered:
            work += env.pop(_METER, 0)  # type: ignore[operator]
        self._allowance -= work
        if self._allowance < 0:
            raise _Halt(self._overspent())

    def _end(self, ending: Ending) -> None:
        self.ending = ending
        self.ended_at = self.now
        self._note(LogKind.ENDED, ending.id, text=ending.title, detail=ending)

    def _out_of_time_ending(self) -> Ending:
        for ending in self.scenario.endings:
            if ending.kind == "out_of_time":
                return ending
        return Ending(id="out-of-time", kind="out_of_time", title="Out of time",
                      debrief="The drill's time ran out before the incident was resolved.")

    def _can_start(self, facts: _ActionFacts) -> str | None:
        if facts.id in self._running:
            return f"{facts.label} is already in progress"
        if not facts.repeatable and facts.id in self._finished:
            return f"{facts.label} has already been done"
        if not self._holds(facts.available_when):
            return f"{facts.label} is not possible right now"
        return None

    def _workers(self, facts: _ActionFacts) -> int:
        skills, people = facts.helper_skills, self._people
        helpers = 0
        for pid in self._arrived_at:
            if not skills.isdisjoint(people[pid].skills):
                helpers += 1
        return 1 + helpers

    def _start(self, step: StartAction) -> None:
        facts = self._action_facts.get(step.action)
        if facts is None:
            raise ActionRejected(f"there is no action {step.action!r}")
        action = facts.action
        reason = self._can_start(facts)
        if reason:
            raise ActionRejected(reason)
        ident, now = facts.id, self.now
        self._running[ident] = now
        self._started.setdefault(ident, []).append(now)
        # An unsafe action is judged by its warning at the moment it starts: a copy without a
        # backup is unsafe until the backup exists, not for ever once it was.
        for index, warning in facts.unsafe:
            if self._holds(warning):
                self._warned_starts.append((now, index))
        self._fact(facts.started, True)
        self._fact(facts.running, True)
        self._note(LogKind.STARTED, ident, text=facts.label, by=step.by, detail=step,
                   seen=self._last_seen)
        if facts.targets:
            job = _Job(facts, last=now)
            self._jobs[ident] = job
            self._reschedule(job)
        else:
            self._schedule(now + action.duration, "finish", (ident, now))

    def _reschedule(self, job: _Job) -> None:
        job.done = round(job.done + (self.now - job.last) * job.rate, 9)
        job.last = self.now
        job.workers = self._workers(job.facts)
        job.rate = job.workers / job.facts.per_target
        job.version += 1
        # The next target to log, even if the work reached it at this very moment (someone
        # arriving exactly as a target finishes must not skip logging it).
        next_unit = job.noted + 1
        self._schedule(self.now + max(0.0, next_unit - job.done) / job.rate, "target",
                       (job.facts.id, job.version))

    def _target_done(self, job: _Job) -> None:
        facts = job.facts
        ident, targets, progress_var = facts.id, facts.targets, facts.progress_var
        count = max(job.noted + 1,
                    math.floor(round(job.done + (self.now - job.last) * job.rate, 6)))
        job.done = float(count)
        job.last = self.now
        job.noted = count
        self._fact(facts.count, count)
        if progress_var:
            self._fact(progress_var, count)
        self._note(LogKind.TARGET, ident,
                   text=f"{facts.target_label} {count} of {targets}",
                   detail=TargetDetail(count, job.workers))
        if count >= targets:
            del self._jobs[ident]
            self._complete(facts)
        else:
            job.version += 1
            self._schedule(self.now + 1 / job.rate, "target", (ident, job.version))

    def _complete(self, facts: _ActionFacts) -> None:
        ident, action = facts.id, facts.action
        del self._running[ident]
        finished = self._finished.setdefault(ident, [])
        finished.append(self.now)
        self._fact(facts.running, False)
        self._fact(facts.done, True)
        if not facts.targets:
            self._fact(facts.count, len(finished))
        self._apply(action.effects, action)
        reveals = action.reveals
        self._note(LogKind.FINISHED, ident,
                   text=self._told(reveals) if reveals else f"{facts.label}: done.")
        self._schedule_followers(ident)

    def _schedule_followers(self, ident: str) -> None:
        """Schedule the events that follow an action's finish or an event's firing."""
        for event in self._followers.get(ident, ()):
            self._schedule(self.now + event.after, "event", (event, 0))

    def _repeat(self, event: Event) -> None:
        count = self._repeats[event.id] = self._repeats.get(event.id, 0) + 1
        if count > MAX_RECURRENCES:
            raise _Halt(f"event '{escaped(event.id)}' recurred more than "
                        f"{MAX_RECURRENCES:,} times")
        if event.only_when is None or self._holds(event.only_when):
            self._fire(event)

    def _page(self, step: Page) -> None:
        person = self._people.get(step.person)
        if person is None:
            raise ActionRejected(f"there is nobody called {step.person!r} to page")
        if person.id in self._paged_at:
            raise ActionRejected(f"{self.person_name(person.id)} has already been paged")
        self._paged_at[person.id] = self.now
        self._fact(f"paged.{person.id}", True)
        self._fact("team.paged", len(self._paged_at))
        outcome = rules.page_outcome(self.scenario.clock, person, self.now)
        busy = outcome.busy
        self._note(LogKind.PAGED, person.id,
                   text=f"Paged {self.person_name(person.id)} ({person.role})", by=step.by,
                   detail=PageDetail(step, outcome.awake, busy.doing if busy else "",
                                     outcome.arrives_at, self._could_help(person)),
                   seen=self._last_seen)
        self._schedule(outcome.arrives_at, "arrive", person.id)
        answer_at = self.now + outcome.answer_after
        self._schedule(answer_at, "say", (person.id, self._acknowledgement(
            person, outcome.awake, outcome.delay - outcome.answer_after, answer_at, busy)))

    def _could_help(self, person: Person) -> bool:
        """Whether a person's skills speed up an action on offer or in progress now."""
        skills = set(person.skills)
        return any(skills.intersection(facts.helper_skills) and (
            facts.id in self._running or self._can_start(facts) is None)
            for facts in self._action_list if facts.helper_skills)

    def _acknowledgement(self, person: Person, awake: bool, remaining: float, at: float,
                         busy: Busy | None = None) -> str:
        if person.acknowledges and busy is None:
            return self._told(person.acknowledges)
        amount = span(self.scenario.clock.unit, max(1, round(remaining)))
        if busy is not None:
            # Their own acknowledgement would promise the wrong time: say where they are.
            return f"I'm {busy.doing}; I can join in about {amount}."
        if awake:
            return f"Got the page. On my way, about {amount}."
        hour = rules.local_hour(self.scenario.clock, person.zone, at)
        if hour is None:
            return f"Not working today, but I saw the page; I can join in about {amount}."
        clock = f"It's {int(hour):02d}:{int(hour % 1 * 60):02d} here"
        if 7 <= hour < 22:
            return f"{clock} and I'm off for the day; I can join in about {amount}."
        return f"{clock}. Just woke up to the page; I can join in about {amount}."

    def _take_over(self, step: TakeOver) -> None:
        person = self._people.get(step.person)
        if person is None:
            raise ActionRejected(f"there is nobody called {step.person!r} to take over")
        if person.id in self._taken_over:
            raise ActionRejected(f"{self.person_name(person.id)} is already played by "
                                 f"{self._taken_over[person.id]}")
        self._taken_over[person.id] = step.by or "a player"
        self._note(LogKind.TAKEOVER, person.id, by=step.by, detail=step,
                   text=f"{step.by or 'A player'} now plays {self.person_name(person.id)} "
                        f"({person.role}).")

    def _facilitate(self, step: FacilitatorAct) -> None:
        """A facilitator's act: logged as theirs; only injects and the end change the run."""
        by = step.by
        if step.act == "inject":
            event = next((e for e in self.scenario.events if e.id == step.event), None)
            if event is None:
                raise ActionRejected(f"there is no event {step.event!r} to inject")
            said = shorten(event.text, 60) if event.text else "a silent change"
            self._note(LogKind.FACILITATOR, event.id, by=by, detail=step,
                       text=f"The facilitator injected: {sentence(said)}")
            self._fire(event)
        elif step.act == "message":
            self._note(LogKind.EVENT, "", channel=step.channel, sender="Facilitator",
                       text=step.text, by=by, detail=step)
        elif step.act == "hint":
            self._note(LogKind.FACILITATOR, "", by=by, text=f"Hint: {step.text}", detail=step)
        elif step.act == "end":
            self._note(LogKind.FACILITATOR, "", by=by, text="The facilitator ended the run.",
                       detail=step)
            self._end(Ending(id=FACILITATOR_ENDING, kind="out_of_time",
                             title="Ended by the facilitator",
                             debrief="The facilitator stopped the drill here; the debrief "
                                     "covers what happened until then."))
        else:
            if step.act == "pause":
                text = "The facilitator paused the clock."
            elif step.act == "resume":
                text = "The facilitator resumed the clock."
            else:
                text = f"The facilitator set the pace to {step.pace:g} s per unit."
            self._note(LogKind.FACILITATOR, "", by=by, text=text, detail=step)

    def _arrive(self, person: Person) -> None:
        self._arrived_at[person.id] = self.now
        self._fact(f"arrived.{person.id}", True)
        self._fact("team.arrived", len(self._arrived_at))
        played_by = self._taken_over.get(person.id)
        joined = ("is in the incident from the start" if person.present and self.now == 0
                  else "has joined")
        text = (f"{self.person_name(person.id)} {joined} (played by {played_by})." if played_by
                else self._told(person.arrives_text) if person.arrives_text
                else f"{self.person_name(person.id)} {joined}.")
        self._note(LogKind.ARRIVED, person.id, channel="teammate",
                   sender=self.person_name(person.id),
                   text=text)
        for job in self._jobs.values():
            self._reschedule(job)
        for line in person.lines:
            self._schedule(self.now + line.after, "say", (person.id, line))

    def _update(self, step: PostUpdate) -> None:
        audience = step.audience
        down = self._down.get(audience)
        if down is not None and self._holds(down[0]):
            down_text = down[1]
            self._undelivered.append(PostedUpdate(self.now, step, self._claim_truth()))
            key = f"undelivered.{audience}"
            self._env[key] = int(self._env.get(key, 0)) + 1  # type: ignore[arg-type]
            self._dirty.add(key)
            self._note(LogKind.UNDELIVERED, audience, channel=audience,
                       text=self._told(down_text) if down_text else
                       f"The update to {audience_name(audience)} did not go out: the "
                       "channel to them is down.", by=step.by, detail=step, seen=self._last_seen)
            return
        self._updates.append(PostedUpdate(self.now, step, self._claim_truth()))
        key = f"updates.{audience}"
        # Not news: an update changes what the audience knows, not the incident.
        self._env[key] = int(self._env.get(key, 0)) + 1  # type: ignore[arg-type]
        self._env[f"told.{audience}"] = step.status
        self._dirty.update((key, f"told.{audience}"))
        # Each text its own sentence: "Checkout fails. Rolling back." not "fails Rolling back".
        parts = [sentence(p) for p in (step.impact, step.doing) if p.strip()]
        next_update = step.next_update
        if next_update:
            parts.append(f"Next update in {span(self._unit, next_update)}.")
        self._note(LogKind.UPDATE, audience, channel=audience, text=" ".join(parts),
                   by=step.by, detail=step, seen=self._last_seen)

    def _claim_truth(self) -> ClaimTruth:
        """What was true and visible now, for the claims of an update (see ClaimTruth)."""
        checks, env = self._claims, self._env
        text = ""  # the condition being tested, to name it if it breaks a bound
        try:
            resolvable = False
            for text, test in checks.resolvable:
                if test(env):
                    resolvable = True
                    break
            cause = None
            if checks.cause is not None:
                text, test = checks.cause
                cause = bool(test(env))
            loss = not self._first_true.keys().isdisjoint(checks.losses)
            affected = ""
            for text, test, who in checks.affected:
                if test(env):
                    affected = who
                    break
        except OutOfBounds as error:
            raise _Halt(f"the condition at {self._where(text)} {error}") from None
        return ClaimTruth(resolvable, cause, loss, affected)

    def _answer(self, step: Answer) -> None:
        request = next((r for r in self.scenario.requests if r.id == step.request), None)
        if request is None or request.kind != "question":
            raise ActionRejected(f"there is no question {step.request!r} to answer")
        if request.id not in self._requests_at:
            raise ActionRejected("nobody has asked that question yet")
        truth = self._holds(request.truth) if request.truth is not None else step.yes
        self._answers.append(GivenAnswer(self.now, step, truth))
        self._note(LogKind.ANSWER, request.id, channel=request.audience, by=step.by,
                   text=f"Answered {self._sender(request.sender)}: {'yes' if step.yes else 'no'}.",
                   detail=step, seen=self._last_seen)

    def _estimate(self, step: GiveEstimate) -> None:
        ident, audience, point = step.milestone, step.audience, step.point
        milestone = self._milestones.get(ident)
        if milestone is None:
            raise ActionRejected(f"there is no milestone {ident!r}")
        self._estimates.append(GivenEstimate(self.now, step))
        said = f"{point:g}" if point is not None else f"{step.low:g}-{step.high:g}"
        self._note(LogKind.ESTIMATE, ident, channel=audience, by=step.by,
                   text=f"Estimate to {audience}: {milestone.label} in {said} "
                        f"{'min' if self._unit == 'minutes' else 'days'}",
                   detail=step, seen=self._last_seen)

    def _declare(self, step: DeclareResolved) -> None:
        self._declared.append(self.now)
        self._fact("declared.resolved", True)
        for ending in self.scenario.endings:
            if ending.kind in RESOLVED_KINDS and self._holds(ending.when):
                self._note(LogKind.DECLARED, ending.id, text="Incident declared resolved.",
                           by=step.by, detail=step, seen=self._last_seen)
                self._end(ending)
                return
        level, label = self._status()
        self._note(LogKind.DECLARED, "", by=step.by, detail=step, seen=self._last_seen,
                   text=f"Declared resolved, but it is not over: {label}.")



def _readers_of(keys: Iterable[str], readers: Mapping[str, tuple[int, ...]]) -> Iterable[int]:
    """The indexes of the conditions that read any of ``keys``, in the scenario's order (the
    set's order must never decide what fires first)."""
    ids: list[int] = []
    first: tuple[int, ...] = ()
    for key in keys:
        hit = readers.get(key)
        if hit:
            if first:
                ids += hit
            else:
                first = hit
    if not ids:
        return first  # the readers of one name, already in order
    # Several names' readers may overlap.
    ids += first
    return sorted(set(ids))


_PERFORM: dict[type, Callable[[Run, Any], None]] = {
    StartAction: Run._start,
    PostUpdate: Run._update,
    Page: Run._page,
    GiveEstimate: Run._estimate,
    Answer: Run._answer,
    DeclareResolved: Run._declare,
    TakeOver: Run._take_over,
    FacilitatorAct: Run._facilitate,
}
"""What each kind of player step does to a run (one lookup instead of a chain of checks)."""

