"""What differs from seed to seed: each run's variant of its scenario.

A scenario's ``[[vary]]`` entries and its events' ``chance`` say what may differ between runs.
:func:`draw` draws them from the run's seed into a :class:`Variant` (the values drawn, the events
left out), with a random generator of its own so that the names faker draws from the same seed
are untouched.  :func:`apply` makes the concrete scenario the run plays: starting values of the
state, the numbers the draws set (an action's duration, an event's time, a reference time), and
the events left out marked optional (they never fire on their own; a facilitator may still
inject one).  Everything downstream, the simulation, the score, the board and the postmortem,
reads that concrete scenario, so an estimate is judged against this seed's truth and a
reference time moves with the duration it depends on.

A save keeps its run's variant (as it keeps faker's names): :func:`variant_from_json` checks one
read from an untrusted file against the scenario.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from typing import Any, Iterator, Literal, Mapping, Sequence, Union

from . import expressions as ex
from .scenario import Scenario, Vary
from .placeholders import fill_state
from .text import escaped, number, shorten, span

DrawnValue = Union[str, float, tuple[str, ...]]
"""A draw: a choice (text or number), a number from a range, or a deck's drawn event ids."""

SETTABLE: dict[str, dict[str, str]] = {
    "actions": {"duration": "time", "per_target": "time", "targets": "count"},
    "events": {"at": "time", "every": "period", "after": "time"},
    "people": {"delay": "time", "off_hours_delay": "time"},
    "requests": {"at": "time", "every": "period", "respond_within": "time"},
    "scoring.outcome": {"mitigated_by": "time", "resolved_by": "time"},
    "clock": {"limit": "period"},
}
"""The numbers a draw may set, by where they live: list items are named by id
(``actions.restore.duration``), tables by their path (``scoring.outcome.resolved_by``).  The
kind says which values fit: a time (0 or more), a period (more than 0), a count (a whole number
of targets)."""

_BOUNDS = {"time": (0.0, 1_000_000.0), "period": (0.0, 1_000_000.0), "count": (1.0, 10_000.0)}


class VariantError(ValueError):
    """A variant that does not fit its scenario, or a draw that makes a number out of bounds."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One run's draws: what its seed made of what varies."""

    draws: tuple[tuple[str, DrawnValue], ...] = ()
    """Per ``[[vary]]`` entry, in the scenario's order: its id and the value drawn."""
    left_out: tuple[str, ...] = ()
    """Events that are not part of this run (by their ``chance`` or left in a deck)."""

    @property
    def empty(self) -> bool:
        """Whether nothing varies: the run plays the scenario as written."""
        return not self.draws and not self.left_out

    @property
    def code(self) -> str:
        """A short name for the variant: runs with the same draws share it ("variant 7c2e")."""
        text = repr((self.draws, self.left_out)).encode()
        return hashlib.sha256(text).hexdigest()[:4]

    def value(self, vary_id: str) -> DrawnValue | None:
        """The value drawn for one ``[[vary]]`` entry."""
        return next((value for key, value in self.draws if key == vary_id), None)

    def to_json(self) -> dict[str, Any]:
        """The variant as JSON data, for a save."""
        return {"draws": {key: list(value) if isinstance(value, tuple) else value
                          for key, value in self.draws},
                "left_out": list(self.left_out)}


NO_VARIANT = Variant()


def varies(scenario: Scenario) -> bool:
    """Whether a scenario declares anything that differs from seed to seed."""
    return bool(scenario.vary) or any(event.chance < 1 for event in scenario.events)


def _rng(seed: int) -> random.Random:
    # A string seed is hashed with SHA-512 by random: the same on every machine and run.
    return random.Random(f"drill variant {seed}")


def range_values(vary: Vary) -> int:
    """How many values a ``range`` has (``low``, ``low + step``, ... up to ``high``)."""
    assert vary.range is not None
    low, high = vary.range
    return int(math.floor((high - low) / vary.step + 1e-9)) + 1


def _range_value(vary: Vary, index: int) -> float:
    assert vary.range is not None
    value = round(vary.range[0] + index * vary.step, 9)
    return float(int(value)) if value == int(value) else value


def draw(scenario: Scenario, seed: int) -> Variant:
    """The variant a seed makes of a scenario: deterministic, the same on every machine."""
    if not varies(scenario):
        return NO_VARIANT
    rng = _rng(seed)
    draws: list[tuple[str, DrawnValue]] = []
    left_out: list[str] = []
    for vary in scenario.vary:
        if vary.choices is not None:
            value: DrawnValue = rng.choices(vary.choices, weights=vary.weights)[0]
        elif vary.range is not None:
            value = _range_value(vary, rng.randrange(range_values(vary)))
        else:
            deck = vary.events or []
            chosen = set(rng.sample(deck, vary.draw))
            value = tuple(e for e in deck if e in chosen)
            left_out += [e for e in deck if e not in chosen]
        draws.append((vary.id, value))
    for event in scenario.events:
        if event.chance < 1 and rng.random() >= event.chance:
            left_out.append(event.id)
    return Variant(tuple(draws), tuple(left_out))


# -- applying a variant ------------------------------------------------------------------------


def _split(path: str) -> tuple[str, str, str]:
    """A `sets` path as (table, item id or "", field): ``actions.restore.duration`` is
    ("actions", "restore", "duration"), ``clock.limit`` is ("clock", "", "limit")."""
    where, _, field = path.rpartition(".")
    if where in SETTABLE:
        return where, "", field
    table, _, ident = where.partition(".")
    return table, ident, field


def _path(table: str, ident: str, field: str) -> str:
    """A `sets` path from its parts (the inverse of :func:`_split`)."""
    return f"{table}.{ident}.{field}" if ident else f"{table}.{field}"


def _sets(vary: Vary) -> Iterator[tuple[str, str, str, ex.Compiled]]:
    """Each number a vary sets: (table, id or "", field, the compiled expression)."""
    value_type: ex.Type = "str" if vary.choices and isinstance(vary.choices[0], str) else "number"
    for path, text in vary.sets.items():
        table, ident, field = _split(path)
        node = ex.parse(text)
        ex.infer_type(node, {vary.id: value_type})
        yield table, ident, field, ex.compile_node(node, {vary.id: value_type})


def _set_value(vary: Vary, path: str, compiled: ex.Compiled, kind: str,
               value: DrawnValue) -> float:
    """The number a draw sets, checked against what the field accepts."""
    try:
        result = compiled({vary.id: value})  # type: ignore[dict-item]
    except ex.OutOfBounds as error:
        raise VariantError(f"vary '{escaped(vary.id)}' sets {path} to a number that {error} "
                           f"when it draws {_plain(value)}") from None
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise VariantError(f"vary '{escaped(vary.id)}': `sets` {path} must be a number")
    low, high = _BOUNDS[kind]
    fits = low <= result <= high and (kind != "period" or result > 0) and (
        kind != "count" or float(result).is_integer())
    if not fits:
        want = {"time": "0 or more", "period": "more than 0",
                "count": "a whole number from 1 to 10,000"}[kind]
        raise VariantError(f"vary '{escaped(vary.id)}' sets {path} to {number(float(result))} "
                           f"when it draws {_plain(value)}; {path.rpartition('.')[2]} must be "
                           f"{want}")
    return int(result) if kind == "count" else float(result)


def apply(scenario: Scenario, variant: Variant) -> Scenario:
    """The scenario a run with this variant plays (the scenario itself when nothing varies).

    Raises :class:`VariantError` when a draw sets a number the field does not accept (
    ``drill validate`` reports that before any run; see :func:`problems`).
    """
    if variant.empty:
        return scenario
    drawn = dict(variant.draws)
    state = dict(scenario.state)
    lists: dict[str, list[Any]] = {name: list(getattr(scenario, name))
                                   for name in ("actions", "events", "people", "requests")}
    tables: dict[str, dict[str, float]] = {}
    for vary in scenario.vary:
        value = drawn[vary.id]
        if vary.id in state and not isinstance(value, tuple):
            state[vary.id] = value
        for table, ident, field, compiled in _sets(vary):
            kind = SETTABLE[table][field]
            path = _path(table, ident, field)
            number_set = _set_value(vary, path, compiled, kind, value)
            if ident:
                items = lists[table]
                index = next(i for i, item in enumerate(items) if item.id == ident)
                items[index] = items[index].model_copy(update={field: number_set})
            else:
                tables.setdefault(table, {})[field] = number_set
    left_out = set(variant.left_out)
    lists["events"] = [e.model_copy(update={"optional": True}) if e.id in left_out else e
                       for e in lists["events"]]
    update: dict[str, Any] = {"state": state, **lists}
    if "clock" in tables:
        update["clock"] = scenario.clock.model_copy(update=tables["clock"])
    if "scoring.outcome" in tables:
        outcome = scenario.scoring.outcome.model_copy(update=tables["scoring.outcome"])
        update["scoring"] = scenario.scoring.model_copy(update={"outcome": outcome})
    return scenario.model_copy(update=update)


# -- checking ----------------------------------------------------------------------------------


def _values(vary: Vary) -> Iterator[DrawnValue]:
    """Every value a vary can draw (a deck's are not numbers: none)."""
    if vary.choices is not None:
        yield from vary.choices
    elif vary.range is not None:
        for index in range(range_values(vary)):
            yield _range_value(vary, index)


SPAN_VALUES = 1000
"""Values of a ``range`` tried to find the span of a number it sets; a longer range is judged
by its two ends."""


def secret_settings(varies: Sequence[Vary]) -> Iterator[tuple[str, list[float]]]:
    """Each number a ``reveal = "debrief"`` vary of ``varies`` sets, by its path, with every
    value a draw could give it (values a field would refuse left out: :func:`problems` reports
    them)."""
    for vary in varies:
        if vary.reveal != "debrief" or not vary.sets:
            continue
        if vary.range is not None and range_values(vary) > SPAN_VALUES:
            drawn: list[DrawnValue] = [_range_value(vary, 0),
                                       _range_value(vary, range_values(vary) - 1)]
        else:
            drawn = list(_values(vary))
        for table, ident, field, compiled in _sets(vary):
            path = _path(table, ident, field)
            values = []
            for value in drawn:
                try:
                    values.append(_set_value(vary, path, compiled, SETTABLE[table][field], value))
                except VariantError:
                    continue
            yield path, values


def problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """What is wrong with a scenario's variety, each with where: ids that name nothing, a
    state variable of another type, a path no draw may set, a value that makes a number out
    of bounds.  Every value a vary can draw is tried."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    ids = {name: {item.id for item in getattr(scenario, name)}
           for name in ("actions", "events", "people", "requests")}
    events = {e.id: e for e in scenario.events}
    in_deck: dict[str, str] = {}
    seen_ids: set[str] = set()
    set_paths: dict[str, str] = {}
    for i, vary in enumerate(scenario.vary):
        where: tuple[str | int, ...] = ("vary", i)
        if vary.id in seen_ids:
            found.append(((*where, "id"), f"vary '{escaped(vary.id)}' is declared twice"))
        seen_ids.add(vary.id)
        if vary.id in scenario.state:
            wanted = ex.type_of_value(scenario.state[vary.id])
            drawn = ("tuple" if vary.events is not None else "str"
                     if vary.choices and isinstance(vary.choices[0], str) else "number")
            if drawn != wanted:
                what = "a deck of events" if drawn == "tuple" else f"a {drawn}"
                found.append(((*where, "id"), f"vary '{escaped(vary.id)}' draws {what} but "
                              f"the state variable '{escaped(vary.id)}' is a {wanted}"))
        for event_id in vary.events or ():
            event = events.get(event_id)
            if event is None:
                found.append(((*where, "events"), f"no event '{escaped(event_id)}' to draw"))
            elif event.optional:
                found.append(((*where, "events"), f"event '{escaped(event_id)}' is optional: "
                              "only a facilitator fires it, a deck cannot draw it"))
            elif event.chance < 1:
                found.append(((*where, "events"), f"event '{escaped(event_id)}' has a "
                              "`chance` and is in a deck: choose one"))
            elif event_id in in_deck:
                found.append(((*where, "events"), f"event '{escaped(event_id)}' is in two "
                              f"decks ('{escaped(in_deck[event_id])}' and "
                              f"'{escaped(vary.id)}')"))
            else:
                in_deck[event_id] = vary.id
        for path, text in vary.sets.items():
            here = (*where, "sets", path)
            problem = _path_problem(scenario, path, ids)
            if problem:
                found.append((here, problem))
                continue
            if path in set_paths:
                found.append((here, f"{escaped(path)} is set by two varies "
                              f"('{escaped(set_paths[path])}' and '{escaped(vary.id)}')"))
                continue
            set_paths[path] = vary.id
            try:
                compiled = list(_sets(vary.model_copy(update={"sets": {path: text}})))[0][3]
            except ex.ExpressionError as error:
                found.append((here, f"`{escaped(text)}`: {error} (it may read only "
                              f"'{escaped(vary.id)}', the value drawn)"))
                continue
            table, _, field = _split(path)
            kind = SETTABLE[table][field]
            for value in _values(vary):
                try:
                    _set_value(vary, path, compiled, kind, value)
                except VariantError as error:
                    found.append((here, str(error)))
                    break
    return found


def _path_problem(scenario: Scenario, path: str, ids: Mapping[str, set[str]]) -> str:
    """Why a `sets` path names nothing a draw may set; empty when it is fine."""
    table, ident, field = _split(path)
    known = ", ".join(f"{t}.ID.{f}" if t in ids else f"{t}.{f}"
                      for t, fields in SETTABLE.items() for f in fields)
    if table not in SETTABLE or (table in ids) != bool(ident) or field not in SETTABLE[table]:
        return f"a draw cannot set '{escaped(path)}'; it can set {known}"
    if ident:
        if ident not in ids[table]:
            return f"no {table[:-1]} '{escaped(ident)}' in {escaped(path)}"
        item = next(i for i in getattr(scenario, table) if i.id == ident)
        if getattr(item, field) is None:
            return (f"{escaped(path)} is not set in the scenario: a draw may change a time "
                    "or a number, not add a trigger")
    return ""


def variant_from_json(scenario: Scenario, data: object) -> Variant:
    """A variant read from a save, checked against the scenario (raises VariantError)."""
    if not isinstance(data, dict) or set(data) - {"draws", "left_out"}:
        raise VariantError("must be an object with `draws` and `left_out`")
    draws_data, left_data = data.get("draws", {}), data.get("left_out", [])
    if not isinstance(draws_data, dict) or not isinstance(left_data, list):
        raise VariantError("`draws` must be an object and `left_out` a list")
    varies_by_id = {v.id: v for v in scenario.vary}
    if set(draws_data) != set(varies_by_id):
        raise VariantError(f"draws {sorted(map(escaped, draws_data))} do not match the "
                           f"scenario's varies {sorted(varies_by_id)}")
    draws: list[tuple[str, DrawnValue]] = []
    deck_left: set[str] = set()
    for vary in scenario.vary:
        value = draws_data[vary.id]
        if vary.events is not None:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value) \
                    or len(value) != vary.draw or not set(value) <= set(vary.events) \
                    or len(set(value)) != len(value):
                raise VariantError(f"draws.{escaped(vary.id)}: not {vary.draw} of its deck")
            draws.append((vary.id, tuple(e for e in vary.events if e in value)))
            deck_left |= set(vary.events) - set(value)
            continue
        allowed = list(_values(vary))
        if isinstance(value, bool) or value not in allowed:
            raise VariantError(f"draws.{escaped(vary.id)}: {escaped(repr(value))} is not a "
                               "value it can draw")
        draws.append((vary.id, allowed[allowed.index(value)]))  # 85 read back as drawn: 85.0
    chance = {e.id for e in scenario.events if e.chance < 1}
    if not all(isinstance(e, str) for e in left_data) or \
            not set(left_data) - deck_left <= chance or not deck_left <= set(left_data):
        raise VariantError("`left_out` names events that are neither left in a deck nor "
                           "left to chance")
    ordered = [e.id for e in scenario.events if e.id in set(left_data)]
    return Variant(tuple(draws), tuple(_deck_first(scenario, ordered, deck_left)))


def _deck_first(scenario: Scenario, ordered: Sequence[str], deck: set[str]) -> list[str]:
    """Left-out events in the order :func:`draw` lists them: decks first, then by chance."""
    decks = [e for vary in scenario.vary for e in vary.events or () if e in deck]
    return decks + [e for e in ordered if e not in deck]


# -- telling the players -----------------------------------------------------------------------


Moment = Literal["briefing", "debrief"]


def _plain(value: DrawnValue) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    return value if isinstance(value, str) else number(value)


def described(scenario: Scenario, variant: Variant, moment: Moment) -> list[tuple[str, str]]:
    """What the players are told of the variant: (label, value) lines.

    In the briefing, only the draws marked ``reveal = "briefing"``; in the debrief, every draw
    and every event left to chance, whether it happened in this variant or not.  Texts are the
    scenario's, cleaned by the caller where it shows them.
    """
    lines: list[tuple[str, str]] = []
    for vary in scenario.vary:
        if moment == "briefing" and vary.reveal != "briefing":
            continue
        value = variant.value(vary.id)
        if value is not None:
            lines.append((vary.label, value_text(scenario, vary, value)))
    if moment == "debrief":
        for event in scenario.events:
            if event.chance < 1:
                drawn = event.id not in variant.left_out
                lines.append((f"{_event_name(event)} ({event.chance:.0%} of runs)",
                              "in this variant" if drawn else "left out of this variant"))
    return lines


def value_text(scenario: Scenario, vary: Vary, value: DrawnValue) -> str:
    """One drawn value as the players read it: a duration as a span, a deck as its events."""
    if isinstance(value, tuple):
        events = {e.id: e for e in scenario.events}
        return "; ".join(_event_name(events[e]) for e in value if e in events)
    if vary.duration and not isinstance(value, str):
        return span(scenario.clock.unit, value)
    return _plain(value)


def _event_name(event: Any) -> str:
    """An event as the players may know it: the start of its text, else its id."""
    return shorten(event.text, 60) if event.text else event.id


UNDRAWN = "(drawn when the run starts)"
"""What a briefing read before the run's seed is known says in place of a drawn value."""


def briefing_texts(scenario: Scenario, variant: Variant | None) -> tuple[str, str, list[str]]:
    """The briefing's situation, role and known facts with ``{state.NAME}`` filled from the
    run's starting state, which holds its draws; ``variant`` None: before a run exists (the
    lobby of a game day), when every drawn value reads as :data:`UNDRAWN`.

    ``scenario`` is the run's own (already this variant's) when ``variant`` is given.
    """
    state: dict[str, object] = dict(scenario.state)
    if variant is None:
        state.update({vary.id: UNDRAWN for vary in scenario.vary if vary.id in state})
    briefing = scenario.briefing
    return (fill_state(briefing.situation, state), fill_state(briefing.role, state),
            [fill_state(fact, state) for fact in briefing.known])
