"""When a condition on ``time`` could next hold, so that a run need not test it at every unit.

A run checks the conditions that read ``time`` at every whole clock unit (see "How a run plays" in
docs/scenario-format.md), so that ``time >= 30`` holds from exactly 30 whatever the caller's
steps.  Stepping one unit at a time costs a run its clock's limit (up to 1,000,000) times the
number of such conditions, and nearly every test finds nothing: ``time >= 900`` is false at 1, 2,
... 899.  This module works out, for a condition and the state as it stands, the first whole unit
at which it could hold, with interval arithmetic over ``time``; the run steps straight there.

The answer over-approximates: it may name a unit where the condition is still false (the run then
tests it there, finds it false and asks again), and never skips a unit where it holds.  So a run
stepping from answer to answer tests the conditions at the same units, with the same state, as
one stepping unit by unit, whenever something could happen, and plays the same.  A condition the
arithmetic cannot follow (``time % 7 == 0``, ``time`` as a divisor) gets no plan: it is tested at
every unit, as before, inside the run's budget.
"""

from __future__ import annotations

import heapq
import math
from typing import Callable, Iterable, Mapping, Union

from . import expressions as ex
from .limits import MAX_NUMBER, OutOfBounds

Interval = tuple[float, float]
Truths = frozenset
Abstract = Union[Interval, Truths, ex.Value, None]
"""What a part of a condition can be over a span of time: a number interval ``(lo, hi)`` when it
reads ``time``, a set of truth values for a condition that reads it, the exact value when it does
not, or None when nothing is known."""

Plan = Callable[[Mapping[str, ex.Value], int, int], tuple[Union[int, None], int]]
"""``plan(env, start, stop)`` -> (the first whole unit in ``start..stop`` at which the condition
could hold with the state in ``env``, or None; the work spent, in expression nodes examined)."""

Tally = list
"""A one-item list counting the nodes a plan examines (passed along, so plans share nothing)."""

MAX_PROBES = 64
"""Spans examined per plan; past them the plan answers the earliest span not yet ruled out (a
correct, if early, answer)."""

PLAN_SPAN = 64
"""Fewer whole units than this left before the clock's limit: test at each of them rather than
plan (stepping is then cheaper than the plan)."""

IDLE_BEFORE_PLANNING = 16
"""Whole units stepped in a row with nothing else happening before the run starts planning.
While things happen often (most drills), stepping unit by unit costs little and plans would be
made again and again as the state changes; a long quiet stretch is what plans are for."""

_TRUTHS: tuple[Truths, ...] = (frozenset(), frozenset({False}), frozenset({True}),
                               frozenset({True, False}))
"""The sets of truth values, indexed by 2 * (can be true) + (can be false)."""
_BOTH = _TRUTHS[3]
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}
_FOLLOWED = {"+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or"}
"""Binary operators interval arithmetic bounds (`%` is not monotone in its operands)."""


def planner(node: ex.Node, variables: Mapping[str, ex.Type]) -> Plan | None:
    """The plan of a type-checked condition, or None when it does not read ``time`` or reads it
    where interval arithmetic cannot follow (under ``%``, or as a divisor)."""
    reads_time = _reads_time(node)
    if not reads_time[id(node)] or not _followable(node, reads_time):
        return None
    spans_of: list[_Span] = []  # made on first use: most scenarios never need a plan

    def plan(env: Mapping[str, ex.Value], start: int, stop: int) -> tuple[int | None, int]:
        if not spans_of:
            spans_of.append(_abstract(node, reads_time, variables))
        span = spans_of[0]
        spans = [(start, stop)]
        probes = 0
        tally: Tally = [0]
        while spans:
            lo, hi = spans.pop()
            if lo > hi:
                continue
            probes += 1
            if probes > MAX_PROBES:
                return lo, tally[0]
            value = span(env, lo, hi, tally)
            if not (value is None or value is True or (isinstance(value, frozenset)
                                                       and True in value)):
                continue  # surely false over the whole span
            if lo == hi:
                return lo, tally[0]
            mid = (lo + hi) // 2
            spans.append((mid + 1, hi))
            spans.append((lo, mid))
        return None, tally[0]

    return plan


def _reads_time(node: ex.Node) -> dict[int, bool]:
    """For each node of a tree (by id): whether it reads ``time``."""
    found: dict[int, bool] = {}

    def visit(item: ex.Node) -> bool:
        here = item.kind == "name" and item.value == "time"
        for arg in item.args:
            here = visit(arg) or here
        found[id(item)] = here
        return here

    visit(node)
    return found


def _followable(node: ex.Node, reads_time: Mapping[int, bool]) -> bool:
    """Whether interval arithmetic can bound every part of a tree that reads ``time``."""
    for item in ex.walk(node):
        if item.kind == "call" and item.value in ("if", "num") and reads_time[id(item)]:
            return False  # a branch on `time`: stepped unit by unit, within the budget
        if not reads_time[id(item)] or item.kind in ("name", "call"):
            continue
        if item.kind == "unary":
            continue
        if item.value not in _FOLLOWED:
            return False
        if item.value == "/" and reads_time[id(item.args[1])]:
            return False  # `x / time`: jumps around zero
    return True


_Span = Callable[[Mapping[str, ex.Value], int, int, Tally], Abstract]


def _abstract(node: ex.Node, reads_time: Mapping[int, bool],
              variables: Mapping[str, ex.Type]) -> _Span:
    """A closure giving what ``node`` can be while ``time`` runs over ``lo..hi``; it adds the
    nodes it examines to the tally."""
    if not reads_time[id(node)]:
        concrete = ex.compile_node(node, variables)
        cost = ex.size(node)

        def exact(env: Mapping[str, ex.Value], lo: int, hi: int, tally: Tally) -> Abstract:
            tally[0] += cost
            try:
                return concrete(env)
            except OutOfBounds:
                return None  # the run will meet the error when it tests the condition
        return exact
    kind, op = node.kind, node.value
    if kind == "name":  # `time` itself
        return lambda env, lo, hi, tally: (lo, hi)
    args = [_abstract(arg, reads_time, variables) for arg in node.args]
    if kind == "unary":
        (inner,) = args
        if op == "not":
            return lambda env, lo, hi, tally: _negate(inner(env, lo, hi, tally))
        return lambda env, lo, hi, tally: _minus(inner(env, lo, hi, tally))
    if kind == "call":
        pick = min if op == "min" else max
        return lambda env, lo, hi, tally: _pick(pick, [arg(env, lo, hi, tally) for arg in args])
    left, right = args
    if op in ("and", "or"):
        # As the run evaluates them: what the left side settles, the right is not looked at.
        settled = _TRUTHS[1] if op == "and" else _TRUTHS[2]
        both = op == "and"

        def join(env: Mapping[str, ex.Value], lo: int, hi: int, tally: Tally) -> Abstract:
            tally[0] += 1
            first = _truths(left(env, lo, hi, tally))
            if first == settled:
                return first
            return _join(both, first, right(env, lo, hi, tally))
        return join
    if op in _COMPARE:
        def compare(env: Mapping[str, ex.Value], lo: int, hi: int, tally: Tally) -> Abstract:
            tally[0] += 1
            return _compare(str(op), left(env, lo, hi, tally), right(env, lo, hi, tally))
        return compare

    def arithmetic(env: Mapping[str, ex.Value], lo: int, hi: int, tally: Tally) -> Abstract:
        tally[0] += 1
        return _arithmetic(str(op), left(env, lo, hi, tally), right(env, lo, hi, tally))
    return arithmetic


def _interval(value: Abstract) -> Interval | None:
    if isinstance(value, tuple):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (value, value)
    return None


def _truths(value: Abstract) -> Truths:
    if isinstance(value, frozenset):
        return value
    if value is True or value is False:
        return _TRUTHS[2 if value else 1]
    return _BOTH


def _negate(value: Abstract) -> Abstract:
    truths = _truths(value)
    return _TRUTHS[2 * (False in truths) + (True in truths)]


def _join(both: bool, left: Abstract, right: Abstract) -> Abstract:
    a, b = _truths(left), _truths(right)
    if both:
        can_true, can_false = True in a and True in b, False in a or False in b
    else:
        can_true, can_false = True in a or True in b, False in a and False in b
    return _TRUTHS[2 * can_true + can_false]


def _minus(value: Abstract) -> Abstract:
    span = _interval(value)
    return None if span is None else (-span[1], -span[0])


def _pick(pick: Callable[..., float], values: list[Abstract]) -> Abstract:
    spans = [_interval(value) for value in values]
    if any(span is None for span in spans):
        return None
    return (pick(s[0] for s in spans), pick(s[1] for s in spans))  # type: ignore[index]


def _bounded(lo: float, hi: float) -> Abstract:
    # A span reaching past the bounds (or NaN) may raise in the run: say nothing is known, so
    # the run tests the condition and meets the error itself.
    if -MAX_NUMBER <= lo <= hi <= MAX_NUMBER:
        return (lo, hi)
    return None


def _arithmetic(op: str, left: Abstract, right: Abstract) -> Abstract:
    a, b = _interval(left), _interval(right)
    if a is None or b is None:
        return None
    if op == "+":
        return _bounded(a[0] + b[0], a[1] + b[1])
    if op == "-":
        return _bounded(a[0] - b[1], a[1] - b[0])
    if op == "*":
        ends = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
        return _bounded(min(ends), max(ends))
    # "/" by something that does not read time (see _followable): a point.
    divisor = b[0]
    if not divisor:
        return (0, 0)
    ends = (a[0] / divisor, a[1] / divisor)
    return _bounded(min(ends), max(ends))


def _compare(op: str, left: Abstract, right: Abstract) -> Abstract:
    a, b = _interval(left), _interval(right)
    if a is None or b is None:
        return None
    if op in (">", ">="):
        a, b, op = b, a, "<" if op == ">" else "<="
    if op == "<":
        can_true, can_false = a[0] < b[1], a[1] >= b[0]
    elif op == "<=":
        can_true, can_false = a[0] <= b[1], a[1] > b[0]
    else:
        overlap = a[0] <= b[1] and b[0] <= a[1]
        single = a[0] == a[1] == b[0] == b[1]
        can_true, can_false = (overlap, not single) if op == "==" else (not single, overlap)
    return _TRUTHS[2 * can_true + can_false]


class TimeChecks:
    """The conditions on ``time`` a run is waiting on, and the next whole unit worth testing.

    Args:
        plans: the plan of each condition text that reads ``time`` (None: no plan, test it at
            every unit).
        readers: for each state name or fact other than ``time``, the texts here that read it.
        waiting: the texts the run waits on, once per condition (a text may serve several).
        budget: the most work (expression nodes) the plans may take; past it, conditions are
            tested at every unit again (at the cost of the run's own budget).
    """

    def __init__(self, plans: Mapping[str, Plan | None], readers: Mapping[str, tuple[str, ...]],
                 waiting: Iterable[str], budget: int) -> None:
        self._plans = plans
        self._readers = readers
        self.waiting: dict[str, int] = {}
        """How many conditions wait on each text (empty: none reads ``time``)."""
        for text in waiting:
            self.waiting[text] = self.waiting.get(text, 0) + 1
        self._wake: dict[str, float] = {}
        """Per text: the first unit it could hold at, given the state when it was planned."""
        self._heap: list[tuple[float, str]] = []
        """(wake, text), the earliest first; entries whose wake has changed are skipped."""
        self._unplanned = {text for text in self.waiting if plans.get(text) is None}
        """Texts without a plan: while one waits, every unit is tested."""
        self._stale: set[str] = set(self.waiting) - self._unplanned
        """Texts to plan again: what they read has changed since."""
        self.next_at: float | None = None
        """The next whole unit worth testing, while nothing it depends on has changed (None:
        ask :meth:`next_check`)."""
        self.idle = 0
        """Whole units the run has stepped in a row with nothing else happening (the run counts
        them); planning starts at IDLE_BEFORE_PLANNING."""
        self._budget = budget
        self.work = 0
        """Expression nodes examined by the plans so far (part of the run's budget)."""

    def done(self, text: str) -> None:
        """One condition with this text holds and waits no more."""
        left = self.waiting.get(text, 0) - 1
        if left > 0:
            self.waiting[text] = left
        else:
            self.waiting.pop(text, None)
            self._wake.pop(text, None)
            self._stale.discard(text)
            self._unplanned.discard(text)

    def changed(self, keys: Iterable[str]) -> None:
        """Names and facts changed: the plans of the conditions reading them no longer hold."""
        readers, waiting = self._readers, self.waiting
        for key in keys:
            texts = readers.get(key)
            if texts:
                for text in texts:
                    if text in waiting and text not in self._unplanned:
                        self._stale.add(text)
                self.next_at = None

    def next_check(self, env: Mapping[str, ex.Value], now: float, limit: float) -> float:
        """The next whole unit after ``now`` (up to ``limit``) at which a condition waited on
        could hold; infinity when none can."""
        start = math.floor(now) + 1
        cached = self.next_at
        if cached is not None and cached >= start:
            return cached
        stop = math.floor(limit)
        if self._unplanned or stop - start < PLAN_SPAN:
            # A condition without a plan waits: test every unit, as before plans.  Or near the
            # end: test every unit left, cheaper than planning (and the span only shrinks).
            self.next_at = start
            return start
        best = self._earliest(env, start, stop)
        # What changed is planned again, only as far as it matters: a condition that cannot
        # hold before the earliest unit already known looks again there (one look over the
        # span instead of a search).  In a fixed order: the answers must not depend on hashing.
        for text in sorted(self._stale):
            self._plan(text, env, start, stop if best == math.inf else min(stop, best - 1),
                       best)
            best = min(best, self._wake[text])
        self._stale.clear()
        self.next_at = best
        return best

    def _earliest(self, env: Mapping[str, ex.Value], start: int, stop: int) -> float:
        """The earliest wake of the texts planned and not stale, planning again those passed."""
        heap, wake, stale = self._heap, self._wake, self._stale
        while heap:
            at, text = heap[0]
            if wake.get(text) != at or text in stale:
                heapq.heappop(heap)  # planned again since, no longer waited on, or stale
            elif at < start:
                heapq.heappop(heap)  # tested there and still waiting: look further
                self._plan(text, env, start, stop, math.inf)
            else:
                return at
        return math.inf

    def _plan(self, text: str, env: Mapping[str, ex.Value], start: int, stop: int,
              otherwise: float) -> None:
        """Plan ``text`` over ``start..stop``; if it cannot hold there, it waits until
        ``otherwise`` (a later unit to look again at, or never)."""
        plan = self._plans[text]
        if plan is None or self.work > self._budget:
            at: float = start
        elif start > stop:
            at = otherwise
        else:
            found, work = plan(env, start, stop)
            self.work += work
            at = otherwise if found is None else found
        self._wake[text] = at
        if at != math.inf:
            heapq.heappush(self._heap, (at, text))
