"""Semantic checks of a scenario and of a play script, beyond what the pydantic models enforce.

Two families of findings:

* :func:`check_scenario`: mistakes that make a scenario wrong to play at all: duplicate ids,
  references to things that do not exist, expression type errors.  A scenario with any of these
  does not load.
* :func:`check_reachability`: things that can surely never happen (an event that never fires, an
  action never offered, a milestone never reached, no reachable `resolved` ending).  They are
  found by a conservative over-approximation (see :class:`_Reachability`), so a valid scenario
  never gets a false alarm; ``drill validate`` reports them, playing does not refuse them.  With
  them, :func:`check_budget`: schedules that would make a run pass one of the limits of
  :mod:`drill.engine.limits` (and so stop it), found before game day.

Every finding carries the location of the offending field as a pydantic-style tuple, e.g.
``("events", 2, "when")``, which the loading shell maps back to a line of the TOML file.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Union

from . import expressions as ex
from . import variety
from .placeholders import PLACEHOLDER, STATE_PLACEHOLDER, prose
from .playscript import (
    Answer,
    FacilitatorAct,
    GiveEstimate,
    Page,
    PlayScript,
    StartAction,
    TakeOver,
)
from .limits import (
    HALTED_ENDING,
    MAX_EVALUATION,
    MAX_HAPPENINGS,
    MAX_LOG_ENTRIES,
    MAX_NUMBER,
    MAX_RECURRENCES,
    MAX_TEXT,
)
from .scenario import AUDIENCES, Action, Event, Scenario
from .sites import A_NUMBER, Location, expression_sites, expression_texts
from .timeplan import planner


class ValidationFinding(NamedTuple):
    """One problem found in a scenario or play script: where it is, and what is wrong."""

    loc: Location
    message: str


def variable_types(scenario: Scenario) -> dict[str, ex.Type]:
    """The type of each state variable, from its starting value."""
    return {name: ex.type_of_value(value) for name, value in scenario.state.items()}




_TYPE_WORDS = {"bool": "true/false value", "number": "number", "str": "text"}


def _suggest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- errors: ids, references, types ------------------------------------------------------------


def check_scenario(scenario: Scenario) -> list[ValidationFinding]:
    """Duplicate ids, unknown references and expression type errors, in file order."""
    findings: list[ValidationFinding] = []
    findings += _duplicate_ids(scenario)
    findings += _state_names(scenario)
    findings += _values_in_bounds(scenario)
    findings += _expressions(scenario)
    findings += _effect_targets(scenario)
    findings += _references(scenario)
    findings += _placeholders(scenario)
    findings += [ValidationFinding(loc, message) for loc, message in variety.problems(scenario)]
    return findings


def _ids_by_kind(scenario: Scenario) -> dict[str, set[str]]:
    """Ids a fact namespace can take, by kind of id (see ``expressions.NAMESPACES``)."""
    return {
        "action": {a.id for a in scenario.actions},
        "event": {e.id for e in scenario.events},
        "person": {p.id for p in scenario.people},
        "milestone": {m.id for m in scenario.milestones},
        "audience": set(AUDIENCES),
        "declaration": {"resolved"},
        "team": {"arrived", "paged"},
    }


def _duplicate_ids(scenario: Scenario) -> Iterator[ValidationFinding]:
    lists: list[tuple[Location, list]] = [
        (("clock", "zones"), scenario.clock.zones),
        (("milestones",), scenario.milestones),
        (("events",), scenario.events),
        (("actions",), scenario.actions),
        (("people",), scenario.people),
        (("customers",), scenario.customers),
        (("requests",), scenario.requests),
        (("endings",), scenario.endings),
        (("scoring", "escalation", "triggers"), scenario.scoring.escalation.triggers),
    ]
    for base, items in lists:
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if base == ("endings",) and item.id == HALTED_ENDING:
                yield ValidationFinding((*base, i, "id"), f"{HALTED_ENDING!r} is reserved: it is the ending "
                              "drill gives a run it stops (see Limits in docs/scenario-format.md)")
            if item.id in first:
                where = _dotted((*base, first[item.id]))
                yield ValidationFinding((*base, i, "id"), f"duplicate id {item.id!r} (first used at {where})")
            else:
                first[item.id] = i


def _state_names(scenario: Scenario) -> Iterator[ValidationFinding]:
    for name in scenario.state:
        if name == "time":
            yield ValidationFinding(("state", name), "'time' is reserved: it is the scenario clock")
        elif name in ex.KEYWORDS or name in ex.FUNCTIONS:
            yield ValidationFinding(("state", name), f"{name!r} is a word of the condition language")
        elif not name.isidentifier() or not name.isascii():
            yield ValidationFinding(("state", name), "a state variable needs a plain name (letters, digits, "
                          "'_'), or no expression can read it")


def _values_in_bounds(scenario: Scenario) -> Iterator[ValidationFinding]:
    """Starting values and literal effects within the bounds every run keeps its values in."""
    for name, value in scenario.state.items():
        problem = _out_of_bounds(value)
        if problem:
            yield ValidationFinding(("state", name), problem)
    owners: list[tuple[Location, Mapping[str, object]]] = [
        (("events", i), e.effects) for i, e in enumerate(scenario.events)
    ] + [(("actions", i), a.effects) for i, a in enumerate(scenario.actions)]
    for base, effects in owners:
        for name, value in effects.items():
            problem = None if isinstance(value, str) else _out_of_bounds(value)
            if problem:
                yield ValidationFinding((*base, "effects", name), problem)


def _out_of_bounds(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return (f"a text of {len(value):,} characters; a value may hold {MAX_TEXT:,} at most "
                    "(see Limits in docs/scenario-format.md)")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number: a value must be a number drill can compute with"
    if isinstance(value, (int, float)) and not -MAX_NUMBER <= value <= MAX_NUMBER:
        return "beyond ±10^15, the largest number drill computes with"
    return None


def _expressions(scenario: Scenario) -> Iterator[ValidationFinding]:
    types = variable_types(scenario)
    ids = _ids_by_kind(scenario)
    read: dict[str, tuple[set[str], set[tuple[str, str]]]] = {}  # a text may sit in many places
    inferred: dict[str, ex.Type | ex.ExpressionError] = {}
    for site in expression_sites(scenario):
        try:
            node = ex.parse(site.text)
        except ex.ExpressionError as error:
            yield ValidationFinding(site.loc, str(error))
            continue
        if site.text not in read:
            read[site.text] = ex.references(node)
        names, facts = read[site.text]
        unknown = False
        for name in sorted(names - set(types) - {"time"}):
            unknown = True
            yield ValidationFinding(site.loc, f"unknown state variable {name!r}{_suggest(name, types)}")
        for namespace, ident in sorted(facts):
            kind = ex.NAMESPACES[namespace][0]
            if ident not in ids[kind]:
                unknown = True
                yield ValidationFinding(site.loc, f"unknown {kind} {ident!r} in '{namespace}.{ident}'"
                              f"{_suggest(ident, ids[kind])}")
        if unknown:
            continue
        if site.text not in inferred:
            try:
                inferred[site.text] = ex.infer_type(node, types)
            except ex.ExpressionError as error:
                inferred[site.text] = error
        found = inferred[site.text]
        if isinstance(found, ex.ExpressionError):
            yield ValidationFinding(site.loc, str(found))
            continue
        if site.assigns is None and found != "bool":
            yield ValidationFinding(site.loc, f"a condition must be true or false, this is a "
                          f"{_TYPE_WORDS[found]}")
        elif site.assigns == A_NUMBER and found != "number":
            yield ValidationFinding(site.loc, f"this must give a number, not a "
                                              f"{_TYPE_WORDS[found]}")
        elif site.assigns in types and found != types[site.assigns]:
            yield ValidationFinding(site.loc, f"{site.assigns!r} holds a {_TYPE_WORDS[types[site.assigns]]}, "
                          f"this expression gives a {_TYPE_WORDS[found]}")


def _effect_targets(scenario: Scenario) -> Iterator[ValidationFinding]:
    """Effects must assign existing variables, and literals must have the variable's type."""
    types = variable_types(scenario)
    owners: list[tuple[Location, Mapping[str, object]]] = [
        (("events", i), e.effects) for i, e in enumerate(scenario.events)
    ] + [(("actions", i), a.effects) for i, a in enumerate(scenario.actions)]
    for base, effects in owners:
        for name, value in effects.items():
            loc = (*base, "effects", name)
            if name not in types:
                yield ValidationFinding(loc, f"unknown state variable {name!r}{_suggest(name, types)}; "
                              "declare it under [state]")
            elif not isinstance(value, str) and ex.type_of_value(value) != types[name]:
                yield ValidationFinding(loc, f"{name!r} holds a {_TYPE_WORDS[types[name]]}, not a "
                              f"{_TYPE_WORDS[ex.type_of_value(value)]}")


def _references(scenario: Scenario) -> Iterator[ValidationFinding]:
    """Ids written as plain strings (not in expressions) must name existing things."""
    types = variable_types(scenario)
    ids = _ids_by_kind(scenario)
    actions, people, milestones = ids["action"], ids["person"], ids["milestone"]
    zones = {z.id for z in scenario.clock.zones}
    skills = {skill for person in scenario.people for skill in person.skills}

    def numeric_var(loc: Location, name: str) -> Iterator[ValidationFinding]:
        if name not in types:
            yield ValidationFinding(loc, f"unknown state variable {name!r}{_suggest(name, types)}")
        elif types[name] != "number":
            yield ValidationFinding(loc, f"{name!r} must be a number variable, it is a "
                          f"{_TYPE_WORDS[types[name]]}")

    def known(loc: Location, ident: str, pool: set[str], kind: str) -> Iterator[ValidationFinding]:
        if ident not in pool:
            yield ValidationFinding(loc, f"unknown {kind} {ident!r}{_suggest(ident, pool)}")

    for i, signal in enumerate(scenario.signals):
        yield from numeric_var(("signals", i, "var"), signal.var)
    events = ids["event"]
    for i, event in enumerate(scenario.events):
        if event.follows is not None:
            yield from known(("events", i, "follows"), event.follows, actions | events,
                             "action or event")
            if event.follows == event.id:
                yield ValidationFinding(("events", i, "follows"),
                                        "an event cannot follow itself")
    for i, action in enumerate(scenario.actions):
        if action.progress_var is not None:
            yield from numeric_var(("actions", i, "progress_var"), action.progress_var)
        for j, skill in enumerate(action.helper_skills):
            if skill not in skills:
                yield ValidationFinding(("actions", i, "helper_skills", j),
                              f"no person has the skill {skill!r}{_suggest(skill, skills)}")
    for i, person in enumerate(scenario.people):
        if person.zone:
            yield from known(("people", i, "zone"), person.zone, zones, "zone")
        start, end = person.hours
        if not (0 <= start <= 24 and 0 <= end <= 24):
            yield ValidationFinding(("people", i, "hours"), "hours are local hours between 0 and 24")
        for j, busy in enumerate(person.busy):
            if busy.until <= busy.at:
                yield ValidationFinding(("people", i, "busy", j, "until"),
                              f"ends at {busy.until:g}, not after it starts ({busy.at:g})")
    for i, request in enumerate(scenario.requests):
        if request.milestone:
            yield from known(("requests", i, "milestone"), request.milestone, milestones,
                             "milestone")
    for i, trigger in enumerate(scenario.scoring.escalation.triggers):
        for j, person_id in enumerate(trigger.people):
            yield from known(("scoring", "escalation", "triggers", i, "people", j), person_id,
                             people, "person")
        for j, skill in enumerate(trigger.skills):
            if skill not in skills:
                yield ValidationFinding(("scoring", "escalation", "triggers", i, "skills", j),
                              f"no person has the skill {skill!r}{_suggest(skill, skills)}")
    rollback = scenario.scoring.rollback
    for field in ("generic_mitigations", "verify_actions", "correct_remediations"):
        for j, action_id in enumerate(getattr(rollback, field)):
            yield from known(("scoring", "rollback", field, j), action_id, actions, "action")
    for i, unsafe in enumerate(rollback.unsafe):
        yield from known(("scoring", "rollback", "unsafe", i, "action"), unsafe.action, actions,
                         "action")
    for j, action_id in enumerate(scenario.scoring.estimates.scope_actions):
        yield from known(("scoring", "estimates", "scope_actions", j), action_id, actions,
                         "action")


STATE_TEXT_PLACES = {"events": {"text"}, "requests": {"text"}, "actions": {"reveals"},
                     "people": {"text", "arrives_text", "acknowledges"},
                     "endings": {"title", "debrief"}, "postmortem": None, "briefing": None}
"""Where ``{state.NAME}`` is filled, when the text is shown or at the end of the run: the
top-level table and the fields (None: every field)."""


def _fills_state(loc: tuple[object, ...]) -> bool:
    fields = STATE_TEXT_PLACES.get(str(loc[0]), set())
    return fields is None or loc[-1] in fields


def _placeholders(scenario: Scenario) -> Iterator[ValidationFinding]:
    """Every ``{customer.ID}`` and ``{person.ID}`` in a text names a customer or person."""
    pools = {"customer": {c.id for c in scenario.customers},
             "person": {p.id for p in scenario.people}}
    for loc, text in prose(scenario, set(expression_texts(scenario))):
        for match in PLACEHOLDER.finditer(text):
            kind, ident = match.groups()
            if loc[0] == "meta":
                yield ValidationFinding(loc, f"{match.group(0)}: no placeholders in [meta], which the "
                                   "picker shows before a run has named anyone")
            elif loc[0] in ("people", "customers") and loc[-1] in ("name", "role"):
                # Names fill placeholders; a name made of another name is not filled.
                yield ValidationFinding(loc, f"{match.group(0)}: a name or role cannot hold a "
                                   "placeholder; write the name out")
            elif ident not in pools[kind]:
                yield ValidationFinding(loc, f"{match.group(0)} names no {kind}: unknown {kind} "
                                   f"{ident!r}{_suggest(ident, pools[kind])}")
        for match in STATE_PLACEHOLDER.finditer(text):
            name = match.group(1)
            if not _fills_state(loc):
                yield ValidationFinding(loc, f"{match.group(0)}: state values are only filled in event, "
                                   "request, teammate and reveal texts, endings and the "
                                   "postmortem")
            elif name not in scenario.state:
                yield ValidationFinding(loc, f"{match.group(0)} names no state variable: unknown "
                                   f"{name!r}{_suggest(name, scenario.state)}")


def check_step_order(script: PlayScript) -> list[ValidationFinding]:
    """Steps are in time order: each one out of order, located at its ``at``."""
    return [ValidationFinding(("steps", i, "at"),
                              f"at {script.steps[i].at:g} comes before the step above it (at "
                              f"{script.steps[i - 1].at:g}): steps must be in time order")
            for i in script.out_of_order()]


def check_playscript(script: PlayScript, scenario: Scenario) -> list[ValidationFinding]:
    """Steps in time order, and every id a step names (action, person, milestone, event,
    question) is the scenario's."""
    findings: list[ValidationFinding] = check_step_order(script)
    ids = _ids_by_kind(scenario)
    if script.scenario and script.scenario != scenario.meta.id:
        findings.append(ValidationFinding(("scenario",), f"written for scenario {script.scenario!r}, "
                                f"not {scenario.meta.id!r}"))
    for i, step in enumerate(script.steps):
        if isinstance(step, StartAction) and step.action not in ids["action"]:
            findings.append(ValidationFinding(("steps", i, "action"), f"unknown action {step.action!r}"
                                    f"{_suggest(step.action, ids['action'])}"))
        elif isinstance(step, (Page, TakeOver)) and step.person not in ids["person"]:
            findings.append(ValidationFinding(("steps", i, "person"), f"unknown person {step.person!r}"
                                    f"{_suggest(step.person, ids['person'])}"))
        elif (isinstance(step, FacilitatorAct) and step.act == "inject"
              and step.event not in ids["event"]):
            # Caught here rather than rejected mid-run, like an unknown action.
            findings.append(ValidationFinding(("steps", i, "event"), f"unknown event {step.event!r}"
                                    f"{_suggest(step.event, ids['event'])}"))
        elif isinstance(step, Answer) and step.request not in {
                r.id for r in scenario.requests if r.kind == "question"}:
            questions = {r.id for r in scenario.requests if r.kind == "question"}
            findings.append(ValidationFinding(("steps", i, "request"),
                                              f"no question {step.request!r}"
                                              f"{_suggest(step.request, questions)}"))
        elif isinstance(step, GiveEstimate) and step.milestone not in ids["milestone"]:
            findings.append(ValidationFinding(("steps", i, "milestone"),
                                    f"unknown milestone {step.milestone!r}"
                                    f"{_suggest(step.milestone, ids['milestone'])}"))
    return findings


def _dotted(loc: Location) -> str:
    """``('events', 2, 'at')`` -> ``events[2].at``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# -- reachability: what can surely never happen ------------------------------------------------
#
# Abstract values over-approximate what an expression can evaluate to during any run:
#   * a frozenset of concrete values (small, exact),
#   * a _Range of numbers (inclusive bounds, possibly infinite),
#   * TOP: anything of the expression's type.
# Everything computed here is a superset of what can really happen, so "cannot be true" is only
# concluded when it is surely so.

SET_LIMIT = 32
"""Largest set of values kept exactly; larger ones become a range or TOP."""
PAIR_LIMIT = 1024
"""Most value pairs an operator is evaluated on exactly."""
WIDEN_AFTER = 8
"""A variable whose possible values grow more often than this becomes 'anything'."""
BIG_INT = 10**18
"""Integers beyond this are treated as 'any number' rather than computed exactly."""
WORK_LIMIT = 600_000
"""Safety bound on the fixed-point loop, in expression nodes evaluated (about a second); past it
the analysis reports nothing (never wrong).  The biggest legal scenario needs a fraction of it."""


class _Top:
    __slots__ = ()

    def __repr__(self) -> str:
        return "TOP"


TOP = _Top()


@dataclass(frozen=True, slots=True)
class _Range:
    lo: float
    hi: float


Abstract = Union[frozenset, _Range, _Top]
_BOTH = frozenset({True, False})
_TRUE, _FALSE = frozenset({True}), frozenset({False})


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_range(value: Abstract) -> _Range | None:
    if isinstance(value, _Range):
        return value
    if isinstance(value, frozenset) and value and all(_is_number(v) for v in value):
        if any(v != v for v in value):  # NaN: no order to reason with
            return None
        return _Range(min(value), max(value))
    return None


def _checked_range(lo: float, hi: float) -> Abstract:
    if lo != lo or hi != hi:
        return TOP
    return _Range(lo, hi)


def _truths(value: Abstract) -> frozenset:
    if isinstance(value, frozenset):
        return frozenset(bool(v) for v in value)
    return _BOTH


def _from_values(values: set) -> Abstract:
    if any(isinstance(v, int) and abs(v) > BIG_INT for v in values):
        return TOP  # keeps a hostile `x = "x * x"` from building ever larger integers
    if len(values) <= SET_LIMIT:
        return frozenset(values)
    if all(_is_number(v) for v in values):
        as_set = frozenset(values)
        return _as_range(as_set) or TOP
    return TOP


def join(a: Abstract, b: Abstract) -> Abstract:
    """The smallest abstract value (in this domain) holding both."""
    if isinstance(a, _Top) or isinstance(b, _Top):
        return TOP
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return _from_values(set(a | b))
    ra, rb = _as_range(a), _as_range(b)
    if ra is None or rb is None:
        return TOP
    return _Range(min(ra.lo, rb.lo), max(ra.hi, rb.hi))


def _pairwise(a: Abstract, b: Abstract, fn: Callable[[object, object], object]) -> Abstract | None:
    if not (isinstance(a, frozenset) and isinstance(b, frozenset)):
        return None
    if len(a) * len(b) > PAIR_LIMIT:
        return None
    out = set()
    for x in a:
        for y in b:
            out.add(fn(x, y))
    return _from_values(out)


def _compare(op: str, a: Abstract, b: Abstract) -> Abstract:
    exact = _pairwise(a, b, ex._BINARY[op])
    if exact is not None:
        return exact
    ra, rb = _as_range(a), _as_range(b)
    if ra is None or rb is None:
        return _BOTH
    if op in (">", ">="):
        ra, rb, op = rb, ra, "<" if op == ">" else "<="
    if op == "<":
        can_true, can_false = ra.lo < rb.hi, ra.hi >= rb.lo
    elif op == "<=":
        can_true, can_false = ra.lo <= rb.hi, ra.hi > rb.lo
    else:
        overlap = ra.lo <= rb.hi and rb.lo <= ra.hi
        single = ra.lo == ra.hi == rb.lo == rb.hi
        can_true, can_false = (overlap, not single) if op == "==" else (not single, overlap)
    return frozenset(v for v, ok in ((True, can_true), (False, can_false)) if ok)


def _arithmetic(op: str, a: Abstract, b: Abstract) -> Abstract:
    exact = _pairwise(a, b, ex._BINARY[op])
    if exact is not None:
        return exact
    ra, rb = _as_range(a), _as_range(b)
    if ra is None or rb is None:
        return TOP
    if op == "+":
        return _checked_range(ra.lo + rb.lo, ra.hi + rb.hi)
    if op == "-":
        return _checked_range(ra.lo - rb.hi, ra.hi - rb.lo)
    if op == "*":
        ends = [ra.lo * rb.lo, ra.lo * rb.hi, ra.hi * rb.lo, ra.hi * rb.hi]
        return _checked_range(min(ends), max(ends))
    return TOP  # '/' and '%' with zero-guards: not worth bounding


def _minmax(name: str, args: list[Abstract]) -> Abstract:
    pick = min if name == "min" else max
    if all(isinstance(a, frozenset) for a in args):
        combos: list[tuple] = [()]
        for arg in args:
            combos = [c + (v,) for c in combos for v in arg]  # type: ignore[union-attr]
            if len(combos) > PAIR_LIMIT:
                break
        else:
            return _from_values({pick(c) for c in combos})
    ranges = [_as_range(a) for a in args]
    if any(r is None for r in ranges):
        return TOP
    lows = [r.lo for r in ranges]  # type: ignore[union-attr]
    highs = [r.hi for r in ranges]  # type: ignore[union-attr]
    return _Range(pick(lows), pick(highs))


def evaluate(node: ex.Node, lookup: Callable[[str], Abstract]) -> Abstract:
    """What a type-checked expression can evaluate to, given what each name can hold.

    ``lookup`` receives a state variable's name, ``time``, or a fact as ``"ns.id"``.
    """
    try:
        return _evaluate(node, lookup)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return TOP


def _evaluate(node: ex.Node, lookup: Callable[[str], Abstract]) -> Abstract:
    kind, value = node.kind, node.value
    if kind == "lit":
        return frozenset({value})
    if kind == "name":
        return lookup(str(value))
    if kind == "fact":
        return lookup("{}.{}".format(*value))  # type: ignore[str-format]
    if value in ("and", "or") and kind == "binary":
        lt = _truths(_evaluate(node.args[0], lookup))
        if lt == (_FALSE if value == "and" else _TRUE):
            return lt  # settled by the left side, as in a run
        rt = _truths(_evaluate(node.args[1], lookup))
        if value == "and":
            can_true, can_false = True in lt and True in rt, False in lt or False in rt
        else:
            can_true, can_false = True in lt or True in rt, False in lt and False in rt
        return frozenset(v for v, ok in ((True, can_true), (False, can_false)) if ok)
    args = [_evaluate(arg, lookup) for arg in node.args]
    if kind == "unary":
        (inner,) = args
        if value == "not":
            return frozenset(not v for v in _truths(inner))
        if isinstance(inner, frozenset):
            return frozenset(-v for v in inner)
        if isinstance(inner, _Range):
            return _Range(-inner.hi, -inner.lo)
        return TOP
    if kind == "call" and value == "if":
        condition, then, otherwise = args
        truths = _truths(condition)
        if truths == frozenset({True}):
            return then
        if truths == frozenset({False}):
            return otherwise
        return join(then, otherwise)
    if kind == "call" and value == "num":
        return frozenset(1 if v else 0 for v in _truths(args[0]))
    if kind == "call":
        return _minmax(str(value), args)
    left, right = args
    if value in ("==", "!=", "<", "<=", ">", ">="):
        return _compare(str(value), left, right)
    return _arithmetic(str(value), left, right)


def can_be_true(value: Abstract) -> bool:
    """Whether an abstract condition value may be true."""
    return True in _truths(value)


@dataclass
class _Item:
    """One thing that may become possible: an event, an action or a milestone."""

    kind: str
    index: int
    condition: ex.Node | None
    """None: possible from the start (a timed or optional event)."""
    effects: list[tuple[str, object]]
    """(variable, literal value or parsed expression)."""
    reads: set[str]
    effect_reads: set[str]
    """What the effects alone read: once the item is possible, only these matter."""
    cost: int
    """Nodes evaluated to test the condition and apply the effects (for WORK_LIMIT)."""
    possible: bool = False
    """Its condition was found possibly true (it stays so: values only grow)."""


class _Reachability:
    """A conservative fixed point of what can possibly happen in some run.

    Each variable's possible values start as its initial value and grow with whatever an effect
    that can possibly apply assigns; facts (``fired.E``, ``done.A``...) become possible when what
    they need is possibly true.  Conditions are evaluated over these sets, three-valued (possibly
    true / possibly false).  Correlations between variables and timing are ignored, which only
    makes more things look possible: nothing reachable is ever reported as unreachable.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.limit = scenario.clock.limit
        self.action_ids = {action.id for action in scenario.actions}
        self.values: dict[str, Abstract] = {k: frozenset({v}) for k, v in scenario.state.items()}
        self.growth: dict[str, int] = {}
        self.values["time"] = _Range(0.0, self.limit)
        for action in scenario.actions:
            for ns in ("done", "started", "running"):
                self.values[f"{ns}.{action.id}"] = frozenset({False})
            self.values[f"count.{action.id}"] = frozenset({0})
        for event in scenario.events:
            self.values[f"fired.{event.id}"] = frozenset({False})
        for milestone in scenario.milestones:
            self.values[f"reached.{milestone.id}"] = frozenset({False})
        for person in scenario.people:
            # A player can page anyone at any time; arrival is assumed possible.
            self.values[f"paged.{person.id}"] = _BOTH
            self.values[f"arrived.{person.id}"] = _BOTH
        for audience in AUDIENCES:
            self.values[f"updates.{audience}"] = _Range(0.0, math.inf)
        helpers = {
            action.id: sum(1 for p in scenario.people if set(action.helper_skills) & set(p.skills))
            for action in scenario.actions
        }
        self.helpers = helpers
        self.completed = True
        self.work = 0
        """Expression nodes evaluated so far (the analysis stops at WORK_LIMIT)."""
        self._verdicts: dict[str, bool] = {}

    def lookup(self, name: str) -> Abstract:
        return self.values.get(name, TOP)

    def holds_possibly(self, text: str) -> bool:
        """Whether ``text`` may hold in some run (after :meth:`run`); past the work limit,
        anything may (no finding is ever made from what was not worked out)."""
        verdict = self._verdicts.get(text)
        if verdict is None:
            node = ex.parse(text)
            self.work += ex.size(node)
            verdict = self.work > WORK_LIMIT or can_be_true(evaluate(node, self.lookup))
            self._verdicts[text] = verdict
        return verdict

    def _set(self, name: str, value: Abstract) -> bool:
        old = self.values.get(name)
        new = value if old is None else join(old, value)
        if new == old:
            return False
        count = self.growth[name] = self.growth.get(name, 0) + 1
        self.values[name] = TOP if count > WIDEN_AFTER else new
        return True

    def event_possible_from_start(self, event: Event) -> bool:
        if event.optional:
            return True  # a facilitator can inject it at any time
        first = event.at if event.at is not None else event.every
        return (first is not None and event.when is None and event.follows is None
                and first <= self.limit)

    def trigger_of(self, event: Event) -> str | None:
        """The condition under which an event can fire, for the analysis: its `when`, or, for
        one that follows an action or an event, that it finished or fired."""
        if event.follows is not None:
            namespace = "done" if event.follows in self.action_ids else "fired"
            return f"{namespace}.{event.follows}"
        return event.when

    def action_min_duration(self, action: Action) -> float:
        if action.targets:
            return action.targets * action.per_target / (1 + self.helpers[action.id])
        return action.duration

    def run(self) -> None:
        items: list[_Item] = []
        for i, event in enumerate(self.scenario.events):
            static = self.event_possible_from_start(event)
            trigger = self.trigger_of(event)
            condition = None if static else (ex.parse(trigger) if trigger else None)
            if not static and condition is None:
                continue  # a timed event after the limit: never possible
            items.append(self._item("event", i, condition, event.effects, trigger))
        for i, action in enumerate(self.scenario.actions):
            items.append(self._item("action", i, ex.parse(action.available_when), action.effects,
                                    action.available_when))
        for i, milestone in enumerate(self.scenario.milestones):
            items.append(self._item("milestone", i, ex.parse(milestone.when), {}, milestone.when))
        readers: dict[str, list[_Item]] = {}
        for item in items:
            for name in item.reads:
                readers.setdefault(name, []).append(item)
        # Two work lists: what possible items make grows values; conditions not yet possible
        # are tested again only once that growth has settled, so a condition reading twenty
        # variables is not tested after each step of each of them.
        growth: list[_Item] = []
        tests = list(reversed(items))
        queued = {id(item) for item in items}
        while growth or tests:
            item = growth.pop() if growth else tests.pop()
            queued.discard(id(item))
            self.work += item.cost
            if self.work > WORK_LIMIT:
                self.completed = False
                return
            condition = item.condition
            if not item.possible:
                if condition is not None and not can_be_true(evaluate(condition, self.lookup)):
                    continue
                item.possible = True
            for name in self._activate(item):
                for reader in readers.get(name, ()):
                    if id(reader) in queued:
                        continue
                    if reader.possible:
                        if name not in reader.effect_reads:
                            continue  # a possible item's condition needs no more testing
                        growth.append(reader)
                    else:
                        tests.append(reader)
                    queued.add(id(reader))

    def _item(self, kind: str, index: int, condition: ex.Node | None,
              effects: Mapping[str, object], text: str | None) -> _Item:
        parsed: list[tuple[str, object]] = []
        effect_reads: set[str] = set()
        cost = 1 if condition is None else ex.size(condition)
        for name, value in effects.items():
            if isinstance(value, str):
                node = ex.parse(value)
                effect_reads |= ex.reads_in(value)
                cost += ex.size(node)
                parsed.append((name, node))
            else:
                parsed.append((name, value))
        reads = effect_reads | (ex.reads_in(text) if condition is not None and text else set())
        return _Item(kind, index, condition, parsed, reads, effect_reads, cost)

    def _activate(self, item: _Item) -> list[str]:
        """Mark what an item makes possible; return the names whose possible values grew."""
        changed: list[str] = []

        def grow(name: str, value: Abstract) -> None:
            if self._set(name, value):
                changed.append(name)

        apply_effects = True
        if item.kind == "event":
            grow(f"fired.{self.scenario.events[item.index].id}", _BOTH)
        elif item.kind == "milestone":
            grow(f"reached.{self.scenario.milestones[item.index].id}", _BOTH)
        else:
            action = self.scenario.actions[item.index]
            grow(f"started.{action.id}", _BOTH)
            grow(f"running.{action.id}", _BOTH)
            if action.targets:
                grow(f"count.{action.id}", _Range(0.0, float(action.targets)))
                if action.progress_var:
                    grow(action.progress_var, _Range(1.0, float(action.targets)))
            apply_effects = self.action_min_duration(action) <= self.limit
            if apply_effects:
                grow(f"done.{action.id}", _BOTH)
                if not action.targets:
                    grow(f"count.{action.id}",
                         _Range(0.0, math.inf) if action.repeatable else frozenset({0, 1}))
        if apply_effects:
            for name, value in item.effects:
                if isinstance(value, ex.Node):
                    grow(name, evaluate(value, self.lookup))
                else:
                    grow(name, frozenset({value}))
        return changed


def check_reachability(scenario: Scenario) -> list[ValidationFinding]:
    """What can surely never happen in any run; only meaningful once :func:`check_scenario` passes.

    Reported: timed events after the clock's limit, events / requests / milestones / endings
    whose condition can never hold, actions never offered or too long to finish, a failed ending
    that holds from the start, a scenario with no reachable `resolved` ending, and what
    :func:`check_budget` finds.
    """
    findings: list[ValidationFinding] = []
    limit = scenario.clock.limit
    for i, event in enumerate(scenario.events):
        findings += _timing(("events", i), event, limit)
    for i, request in enumerate(scenario.requests):
        if request.at is not None and request.at > limit:
            findings.append(ValidationFinding(("requests", i, "at"), f"never asked: at {request.at:g} is "
                                    f"after the clock's limit ({limit:g})"))
    for i, ending in enumerate(scenario.endings):
        if ending.kind == "failed" and _surely_true_from_start(ending.when):
            findings.append(ValidationFinding(("endings", i, "when"), "this failed ending holds from the "
                                    "start, so every run would end at once; give it a `when`"))
        if ending.kind == "out_of_time" and ending.when != "true":
            findings.append(ValidationFinding(("endings", i, "when"), "an out-of-time ending is "
                                              "reached at the clock's limit: its `when` is ignored"))
    for i, person in enumerate(scenario.people):
        start, end = person.hours
        if start == end and scenario.clock.unit == "minutes":
            findings.append(ValidationFinding(("people", i, "hours"), f"[{start}, {end}] is an empty "
                                              "stretch: they are never within their hours (write "
                                              "[0, 24] for always)"))
    mitigated = scenario.scoring.mitigated_milestone
    needs = [what for what, used in (
        ("the outcome's mitigated_by", scenario.scoring.outcome.mitigated_by is not None),
        ("an audience's every_after_mitigation",
         any(p.every_after_mitigation is not None for p in scenario.comms.audiences.values())),
    ) if used]
    if needs and mitigated not in {m.id for m in scenario.milestones}:
        findings.append(ValidationFinding(("milestones",), f"no milestone {mitigated!r}, which "
                                          f"{' and '.join(needs)} count on: add it, or name "
                                          "yours in scoring.mitigated_milestone"))

    analysis = _Reachability(scenario)
    analysis.run()
    findings += check_budget(scenario, analysis.holds_possibly if analysis.completed else None)
    if not analysis.completed:
        return findings
    never = "can never hold"
    for i, event in enumerate(scenario.events):
        waits = event.when is not None and not event.optional
        if waits and not analysis.holds_possibly(event.when):  # type: ignore[arg-type]
            findings.append(ValidationFinding(("events", i, "when"), f"{never}, so event {event.id!r} "
                                    "never fires"))
    for i, action in enumerate(scenario.actions):
        if not analysis.holds_possibly(action.available_when):
            findings.append(ValidationFinding(("actions", i, "available_when"), f"{never}, so action "
                                    f"{action.id!r} is never offered"))
        elif analysis.action_min_duration(action) > limit:
            field = "per_target" if action.targets else "duration"
            findings.append(ValidationFinding(("actions", i, field), f"action {action.id!r} takes at least "
                                    f"{analysis.action_min_duration(action):g}, longer than the "
                                    f"clock's limit ({limit:g}): it can never finish"))
    for i, milestone in enumerate(scenario.milestones):
        if not analysis.holds_possibly(milestone.when):
            findings.append(ValidationFinding(("milestones", i, "when"), f"{never}, so milestone "
                                    f"{milestone.id!r} is never reached"))
    for i, request in enumerate(scenario.requests):
        if request.when is not None and not analysis.holds_possibly(request.when):
            findings.append(ValidationFinding(("requests", i, "when"), f"{never}, so request "
                                    f"{request.id!r} is never made"))
    # Conditions the scoring and the board read: one that can never hold judges nothing.
    scoring = scenario.scoring
    watched: list[tuple[Location, str, str]] = [
        (("scoring", "escalation", "triggers", i, "observable"), t.observable,
         f"trigger {t.id!r} is never judged") for i, t in enumerate(scoring.escalation.triggers)]
    watched += [(("scoring", "rollback", "unsafe", i, "warning"), u.warning,
                 f"starting {u.action!r} is never unsafe")
                for i, u in enumerate(scoring.rollback.unsafe)]
    watched += [(("scoring", "outcome", "harm", i, "when"), h.when, f"harm {h.id!r} is never done")
                for i, h in enumerate(scoring.outcome.harm)]
    watched += [(("status", i, "when"), r.when, f"the status {r.label!r} is never shown")
                for i, r in enumerate(scenario.status)]
    for loc, text, what in watched:
        if not analysis.holds_possibly(text):
            findings.append(ValidationFinding(loc, f"{never}, so {what}"))
    resolved_possible = False
    for i, ending in enumerate(scenario.endings):
        if ending.kind == "out_of_time":
            continue
        if analysis.holds_possibly(ending.when):
            resolved_possible |= ending.kind == "resolved"
        else:
            findings.append(ValidationFinding(("endings", i, "when"), f"{never}, so ending {ending.id!r} "
                                    "is never reached"))
    if not resolved_possible:
        findings.append(ValidationFinding(("endings",), "no `resolved` ending can be reached: players can "
                                "never win this scenario"))
    return findings


def check_budget(scenario: Scenario,
                 may_hold: Callable[[str], bool] | None = None) -> list[ValidationFinding]:
    """Schedules that would make a run pass one of the limits of :mod:`drill.engine.limits`,
    which stops the run: found here so that authors hear of them before game day.

    Reported, each at the field to change: a recurring event that would fire more than
    MAX_RECURRENCES times before the clock's limit; recurring events that together would pass
    the happenings or the evaluation budget; a condition on ``time`` the run cannot plan ahead
    (``%``, a division by time) tested at every whole unit of a clock too long for the budget;
    per-target work logging more targets than a run may log.  Only what surely happens counts: a
    recurring event whose ``until`` may hold (``may_hold``, by default anything may) is left out.

    Args:
        scenario: a scenario that passed :func:`check_scenario`.
        may_hold: whether an expression can possibly hold (the reachability analysis).
    """
    may_hold = may_hold or (lambda _text: True)
    limit = scenario.clock.limit
    costs = _expression_costs(scenario)
    findings: list[ValidationFinding] = []
    recurring: list[tuple[int, Event, int, int]] = []
    """(index, event, firings before the limit, steps each firing costs)."""
    for i, event in enumerate(scenario.events):
        firings = _recurrences(event, limit) if not event.optional else 0
        if not firings or (event.until is not None and may_hold(event.until)):
            continue
        each = sum(costs[v] for v in event.effects.values() if isinstance(v, str))
        each += costs[event.until] if event.until is not None else 0
        recurring.append((i, event, min(firings, MAX_RECURRENCES), each))
        if firings > MAX_RECURRENCES:
            findings.append(ValidationFinding(("events", i, "every"), _too_many(event, limit)))
    happenings = sum(firings for _, _, firings, _ in recurring)
    if happenings > MAX_HAPPENINGS:
        i, event, firings, _ = max(recurring, key=lambda item: item[2])
        findings.append(ValidationFinding(("events", i, "every"), (
            f"the recurring events here fire {happenings:,} times before the clock's limit "
            f"({limit:g}), {firings:,} of them {event.id!r}: a run stops after "
            f"{MAX_HAPPENINGS:,} happenings")))
    work = sum(firings * each for _, _, firings, each in recurring)
    if work > MAX_EVALUATION:
        i, event, firings, each = max(recurring, key=lambda item: item[2] * item[3])
        findings.append(ValidationFinding(("events", i, "effects"), (
            f"evaluating the effects of recurring events takes {work:,} steps before the clock's "
            f"limit ({limit:g}), {firings * each:,} of them for {event.id!r} ({each:,} each time "
            f"it fires): a run stops after {MAX_EVALUATION:,}")))
    findings += _unplanned_time(scenario, costs)
    findings += _targets(scenario)
    return findings


def _expression_costs(scenario: Scenario) -> dict[str, int]:
    """What one evaluation of each expression costs in a run's budget (its nodes)."""
    return {text: ex.size(ex.parse(text)) for text in set(expression_texts(scenario))}


def _unplanned_time(scenario: Scenario, costs: Mapping[str, int]) -> list[ValidationFinding]:
    """A condition on time tested at every whole unit (no plan) of a clock too long for it."""
    types = variable_types(scenario)
    sites = [site for site in expression_sites(scenario) if site.assigns is None
             and site.loc[-1] not in ("until", "available_when") and site.loc[0] != "status"
             and _reads_time(site.text)]
    units = math.floor(scenario.clock.limit)
    each_unit = sum(costs[text] for text in {site.text for site in sites})
    if units <= MAX_HAPPENINGS and units * each_unit <= MAX_EVALUATION:
        return []
    unit = "minute" if scenario.clock.unit == "minutes" else "day"
    for site in sites:
        if planner(ex.parse(site.text), types) is None:
            return [ValidationFinding(site.loc, (
                f"drill cannot tell when this condition on time could hold (it uses % or "
                f"divides by time), so while it waits every condition on time is tested at "
                f"every whole {unit}: up to {units:,} times over the clock's limit, more than a "
                f"run may do; compare time with <, <=, > or >= instead"))]
    return []


def _reads_time(text: str) -> bool:
    return "time" in ex.reads_in(text)


def _targets(scenario: Scenario) -> list[ValidationFinding]:
    """Per-target work that would log more targets than a run may write entries."""
    total = sum(action.targets for action in scenario.actions)
    if total <= MAX_LOG_ENTRIES:
        return []
    i, action = max(enumerate(scenario.actions), key=lambda item: item[1].targets)
    return [ValidationFinding(("actions", i, "targets"), (
        f"per-target work logs each target done: {total:,} targets in all, {action.targets:,} "
        f"of them here, more than the {MAX_LOG_ENTRIES:,} entries a run may write (a run that "
        "does it all stops)"))]


def _recurrences(event: Event, limit: float) -> int:
    first = event.at if event.at is not None else event.every
    if first is None or event.every is None or first > limit:
        return 0
    # A little slack so that 120 / 0.01 counts 12,000 steps despite binary fractions; capped,
    # as `every = 5e-324` would make it infinite.
    return int(min((limit - first) / event.every + 1e-9, 1e15)) + 1


def _too_many(event: Event, limit: float) -> str:
    return (f"recurs {_recurrences(event, limit):,} times before the clock's limit ({limit:g}): "
            f"a run stops after {MAX_RECURRENCES:,} firings of one event")


def _timing(base: Location, event: Event, limit: float) -> list[ValidationFinding]:
    if event.optional:
        return []
    if event.at is not None and event.at > limit:
        return [ValidationFinding((*base, "at"), f"never fires: at {event.at:g} is after the clock's "
                        f"limit ({limit:g})")]
    if event.every is not None and event.at is None and event.every > limit:
        return [ValidationFinding((*base, "every"), f"never fires: the first time, at {event.every:g}, is "
                        f"after the clock's limit ({limit:g})")]
    return []


def _surely_true_from_start(text: str) -> bool:
    """Whether a condition reads nothing and is true (the default ``when = "true"``)."""
    try:
        node = ex.parse(text)
    except ex.ExpressionError:
        return False
    names, facts = ex.references(node)
    if names or facts:
        return False
    value = evaluate(node, lambda _name: TOP)
    return isinstance(value, frozenset) and value == frozenset({True})


def check_all(scenario: Scenario) -> list[ValidationFinding]:
    """Every finding ``drill validate`` reports: errors, then (if none) what can never happen."""
    errors = check_scenario(scenario)
    return errors if errors else check_reachability(scenario)
