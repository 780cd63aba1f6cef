"""Versions of the scenario format, and how a format-1 scenario is read by today's engine.

A scenario declares its version in ``[meta]`` (``format = 2``); a file without it is format 1,
the format of every file written before the version existed.  Format 2 changed what a few things
mean.  This module finds them in a format-1 scenario (:func:`read_format_1`) and says, for each,
what changed and what drill does about it:

* **kept**: format 1's meaning is kept by rewriting a value, and the same rewrite is what
  ``drill upgrade`` writes into the file (an :class:`Edit`).  The loader applies the edits to a
  format-1 file's data before checking it, so the file plays as it was meant;
* **fixed**: format 2 fixed a bug that format 1 files played with; the message says so, and
  nothing needs rewriting.

The changes from format 1 to format 2:

1. An unsafe action's ``warning`` is judged when the action starts (format 1 latched it the
   first time it held, so it never stopped holding).  The workaround authors used, a warning
   that reads the action's own ``running.X`` or ``started.X``, would never hold at the start:
   those facts are read as true (kept).  Another warning that can stop holding is told (fixed).
2. An estimate request is no longer asked once its milestone was reached (format 1 asked it and
   counted it unanswered): told (fixed).
3. ``halted`` is reserved for the ending drill gives a run it stops: an ending with that id is
   renamed (kept).
4. ``if`` and ``num`` are functions of the condition language: a state variable with one of
   these names is renamed everywhere it is read, assigned or drawn (kept).
5. ``{state.NAME}`` in a text is filled with the variable's value (format 1 showed it as
   written): told.

Pure: it reads a scenario model and parsed TOML data, never a file.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator, NamedTuple

from .expressions import FUNCTIONS, ExpressionError, Node, parse, tokens
from .limits import HALTED_ENDING
from .placeholders import STATE_PLACEHOLDER, prose
from .scenario import Scenario
from .sites import Location, expression_sites, expression_texts

RESERVED_SINCE_2 = tuple(name for name in FUNCTIONS if name not in ("min", "max"))
"""Names format 2 made words of the condition language (``min`` and ``max`` always were)."""


class Edit(NamedTuple):
    """One value (or key) of a format-1 file to rewrite so that it means in format 2 what it
    meant in format 1."""

    loc: Location
    old: str
    new: str
    why: str
    """Why, in a few words: "num() is a function in format 2"."""
    key: bool = False
    """True: rename the key at ``loc`` (its last part); False: replace the text value there."""


class FormatChange(NamedTuple):
    """Something a format-1 file holds that format 2 reads differently, where it is, and what
    changed (one sentence a facilitator can act on)."""

    loc: Location
    message: str
    rewritten: bool
    """True when drill rewrites a value for it (see :attr:`Format1Reading.edits`); False when
    format 2's meaning is a fix and nothing needs rewriting."""


class Format1Reading(NamedTuple):
    """How today's engine reads a format-1 scenario: what changed, and the edits that keep it."""

    changes: tuple[FormatChange, ...]
    edits: tuple[Edit, ...]


def declared_format(data: object) -> object:
    """The ``format`` a parsed scenario file declares in ``[meta]``: 1 when it declares none
    (whatever the key holds is returned as is, for the models to judge)."""
    if isinstance(data, dict):
        meta = data.get("meta")
        if isinstance(meta, dict) and "format" in meta:
            return meta["format"]
    return 1


def read_format_1(scenario: Scenario) -> Format1Reading:
    """What format 2 reads differently in ``scenario``, a format-1 file's model, and the
    edits that keep its meaning (in file terms: locations, old and new values)."""
    edits = _Edits()
    changes = [
        *_reserved_state_names(scenario, edits),
        *_halted_endings(scenario, edits),
        *_unsafe_warnings(scenario, edits),
        *_estimate_requests(scenario),
        *_state_placeholders(scenario),
    ]
    return Format1Reading(tuple(changes), edits.made())


def apply_edits(data: dict[str, Any], edits: tuple[Edit, ...] | list[Edit]) -> dict[str, Any]:
    """A copy of a file's parsed data with ``edits`` applied (values first, then the keys they
    sit under are renamed, keeping their order); ``data`` is left as it was."""
    result = copy.deepcopy(data)
    for edit in sorted(edits, key=lambda e: e.key):
        *path, last = edit.loc
        parent: Any = result
        for part in path:
            parent = parent[part]
        if edit.key:
            items = list(parent.items())
            parent.clear()
            parent.update((edit.new if name == last else name, value) for name, value in items)
        else:
            parent[last] = edit.new
    return result


# -- the edits ------------------------------------------------------------------------------------


class _Edits:
    """Edits being gathered: a value rewritten by two changes (a warning that reads a renamed
    variable and its action's running fact) is one edit, from the file's text to the last."""

    def __init__(self) -> None:
        self._values: dict[Location, tuple[str, str, str]] = {}
        self._keys: dict[Location, tuple[str, str, str]] = {}

    def current(self, loc: Location, text: str) -> str:
        """The value at ``loc`` as the edits so far leave it (``text`` is the file's)."""
        return self._values.get(loc, (text, text, ""))[1]

    def value(self, loc: Location, old: str, new: str, why: str) -> None:
        first, _, said = self._values.get(loc, (old, old, ""))
        self._values[loc] = (first, new, f"{said}; {why}" if said else why)

    def key(self, loc: Location, old: str, new: str, why: str) -> None:
        self._keys[loc] = (old, new, why)

    def made(self) -> tuple[Edit, ...]:
        return tuple([Edit(loc, old, new, why) for loc, (old, new, why) in self._values.items()
                      if old != new]
                     + [Edit(loc, old, new, why, key=True)
                        for loc, (old, new, why) in self._keys.items()])


def _free(base: str, taken: set[str]) -> str:
    """``base`` or ``base2``, ``base3``... whichever is not taken."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def renamed_in_expression(text: str, old: str, new: str) -> str:
    """``text`` with the state variable ``old`` read as ``new`` (not a fact, nor a function
    call ``old(...)``), the rest of the text as written."""
    found = tokens(text)
    for index in reversed(range(len(found))):
        token = found[index]
        following = found[index + 1].text if index + 1 < len(found) else ""
        if token.kind == "name" and token.text == old and following != "(":
            text = text[:token.start] + new + text[token.end:]
    return text


# -- 4. state variables named like a function -----------------------------------------------------


def _reserved_state_names(scenario: Scenario, edits: _Edits) -> Iterator[FormatChange]:
    taken = set(scenario.state) | {"time"}
    for name in scenario.state:
        if name not in RESERVED_SINCE_2:
            continue
        new = _free(f"{name}_value", taken)
        taken.add(new)
        why = f"{name}() is a function in format 2"
        edits.key(("state", name), name, new, why)
        places = 1
        for site in expression_sites(scenario):
            current = edits.current(site.loc, site.text)
            renamed = renamed_in_expression(current, name, new)
            if renamed != current:
                edits.value(site.loc, site.text, renamed, why)
                places += 1
        owners = [(("events", i), e.effects) for i, e in enumerate(scenario.events)]
        owners += [(("actions", i), a.effects) for i, a in enumerate(scenario.actions)]
        for base, effects in owners:
            if name in effects:
                edits.key((*base, "effects", name), name, new, why)
                places += 1
        for i, signal in enumerate(scenario.signals):
            if signal.var == name:
                edits.value(("signals", i, "var"), name, new, why)
                places += 1
        for i, action in enumerate(scenario.actions):
            if action.progress_var == name:
                edits.value(("actions", i, "progress_var"), name, new, why)
                places += 1
        yield FormatChange(
            ("state", name),
            f"{name}() is a function from format 2 on, so no variable can be called {name!r}: "
            f"drill reads this format-1 file's {name!r} as {new!r} ({places} place"
            f"{'s' * (places != 1)}); `drill upgrade` renames it", True)


# -- 3. the reserved ending id --------------------------------------------------------------------


def _halted_endings(scenario: Scenario, edits: _Edits) -> Iterator[FormatChange]:
    taken = {ending.id for ending in scenario.endings}
    for i, ending in enumerate(scenario.endings):
        if ending.id == HALTED_ENDING:
            new = _free(f"{HALTED_ENDING}_ending", taken)
            taken.add(new)
            edits.value(("endings", i, "id"), ending.id, new,
                        f"{HALTED_ENDING!r} is reserved in format 2")
            yield FormatChange(
                ("endings", i, "id"),
                f"{HALTED_ENDING!r} is reserved from format 2 on (the ending of a run drill "
                f"stops at one of its limits): drill reads this ending as {new!r}; `drill "
                "upgrade` renames it", True)


# -- 1. unsafe warnings judged when the action starts ----------------------------------------------

_LATCHED = frozenset({"done", "started", "fired", "reached", "paged", "arrived"})
"""Facts that never stop holding once they hold."""
_GROWING = frozenset({"count", "updates"})
"""Facts that never go down."""
_BEFORE_OPERAND = frozenset({"(", "and", "or", ","})
_AFTER_OPERAND = frozenset({")", "and", "or", ","})


def judged_at_start(warning: str, action: str) -> str:
    """``warning`` as format 2 must read it to mean what format 1 meant: the action's own
    ``running.ACTION`` and ``started.ACTION`` hold while it runs, which is what a format-1
    warning reading them was written for, but format 2 judges the warning as the action starts,
    before either holds.  Each is read as true: dropped from an ``and`` (``running.copy and not
    done.backup`` is ``not done.backup``), or written ``true`` elsewhere.  Unchanged when the
    warning reads neither."""
    own = {f"running.{action}", f"started.{action}"}
    for _ in range(200):  # each pass removes one; an expression has at most a few hundred tokens
        found = tokens(warning)
        hit = next((i for i, t in enumerate(found) if t.kind == "name" and t.text in own), None)
        if hit is None:
            return warning
        before = found[hit - 1].text if hit > 0 else "("
        after = found[hit + 1].text if hit + 1 < len(found) else ")"
        if after == "and" and before in _BEFORE_OPERAND and hit + 2 < len(found):
            warning = warning[:found[hit].start] + warning[found[hit + 2].start:]
        elif before == "and" and after in _AFTER_OPERAND and hit >= 2:
            warning = warning[:found[hit - 2].end] + warning[found[hit].end:]
        else:
            warning = warning[:found[hit].start] + "true" + warning[found[hit].end:]
    return warning


def _stays_true(node: Node) -> bool:
    """Whether a condition, once it holds, holds for the rest of any run (so judging it when
    the action starts or latching it the first time it held come to the same)."""
    if node.kind == "lit":
        return isinstance(node.value, bool)
    if node.kind == "fact":
        return node.value[0] in _LATCHED  # type: ignore[index]
    if node.kind == "binary" and node.value in ("and", "or"):
        return all(_stays_true(arg) for arg in node.args)
    if node.kind == "binary" and node.value in (">=", ">", "<=", "<"):
        grows, bound = node.args if node.value in (">=", ">") else node.args[::-1]
        growing = (grows.kind == "fact" and grows.value[0] in _GROWING  # type: ignore[index]
                   or grows.kind == "name" and grows.value == "time")
        return growing and bound.kind == "lit" and not isinstance(bound.value, (bool, str))
    return False


def _unsafe_warnings(scenario: Scenario, edits: _Edits) -> Iterator[FormatChange]:
    for i, unsafe in enumerate(scenario.scoring.rollback.unsafe):
        loc: Location = ("scoring", "rollback", "unsafe", i, "warning")
        current = edits.current(loc, unsafe.warning)
        try:
            rewritten = judged_at_start(current, unsafe.action)
            stays = _stays_true(parse(rewritten))
        except ExpressionError:
            continue  # the checks report it
        if rewritten != current:
            edits.value(loc, unsafe.warning, rewritten,
                        "format 2 judges a warning as its action starts")
            yield FormatChange(
                loc,
                f"format 2 judges a warning as {unsafe.action!r} starts, before "
                f"running.{unsafe.action} or started.{unsafe.action} holds: drill reads this "
                f"format-1 warning, written to hold while the action runs, as {rewritten!r}; "
                "`drill upgrade` writes that", True)
        elif not stays:
            yield FormatChange(
                loc,
                f"format 2 judges this warning as {unsafe.action!r} starts, so a start once it "
                "has stopped holding is safe (format 1 kept it holding for good once it had "
                "held, a trap now fixed); nothing to change if that is what you meant", False)


# -- 2. estimate requests after their milestone ---------------------------------------------------


def _estimate_requests(scenario: Scenario) -> Iterator[FormatChange]:
    for i, request in enumerate(scenario.requests):
        if request.kind == "estimate":
            yield FormatChange(
                ("requests", i, "milestone"),
                f"format 2 no longer asks for this estimate once {request.milestone!r} was "
                "reached (format 1 asked anyway and counted it unanswered, a bug now fixed); "
                "nothing to change", False)


# -- 5. state values in texts ----------------------------------------------------------------------


def _state_placeholders(scenario: Scenario) -> Iterator[FormatChange]:
    for loc, text in prose(scenario, set(expression_texts(scenario))):
        for match in STATE_PLACEHOLDER.finditer(text):
            yield FormatChange(
                loc,
                f"format 2 shows {match.group(0)} as the value of {match.group(1)!r} (format "
                "1 showed it as written); nothing to change if that is what you meant", False)
