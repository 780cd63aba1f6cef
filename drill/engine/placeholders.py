"""Names in a scenario's text: ``{customer.ID}`` and ``{person.ID}`` placeholders.

A scenario may leave a customer or a person unnamed; faker then names them per run (see
:mod:`drill.engine.naming`), and any text of the scenario can refer to them with a placeholder.
A run plays a *personalised* copy of the scenario in which every placeholder is replaced by the
name, so everything that shows scenario text (the feed, the board, the postmortem, the score card)
shows the same names without knowing about placeholders.

Only the exact forms ``{customer.ID}`` and ``{person.ID}`` are placeholders; any other brace in a
text is left as written.  Expressions and ``[state]`` values are code and data, not prose: they
are never filled (a run looks its conditions up by their text, and a condition comparing a state
text must see it as written), and ``drill validate`` does not read placeholders in them.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator, Mapping

from pydantic import BaseModel

PLACEHOLDER = re.compile(r"\{(customer|person)\.([A-Za-z0-9_-]+)\}")
"""``{customer.big_retailer}`` or ``{person.dba}``: the kind and the id."""

CUSTOMER_KEY = "customer.{}"
"""How a generated customer name is keyed in a run's names (people are keyed by their id)."""

Location = tuple[str | int, ...]

Lookup = Callable[[str, str], "str | None"]
"""(kind, id) -> the name, or None when there is no such customer or person."""


def fill(text: str, lookup: Lookup) -> str:
    """``text`` with every placeholder replaced by its name (unknown ones are left as written:
    ``drill validate`` reports them, so a loaded scenario has none)."""
    if "{" not in text:
        return text

    def name(match: re.Match[str]) -> str:
        found = lookup(match.group(1), match.group(2))
        return match.group(0) if found is None else found

    return PLACEHOLDER.sub(name, text)


STATE_PLACEHOLDER = re.compile(r"\{state\.([A-Za-z_][A-Za-z0-9_]*)\}")
"""``{state.tickets_open}``: a state variable's value where the text is shown."""


def state_value(value: object) -> str:
    """A state value as prose: numbers to one decimal at most (never ``-0``), true/false as
    yes/no, text as written."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        from .text import number

        return number(float(value))
    return str(value)


def fill_state(text: str, state: Mapping[str, object]) -> str:
    """``text`` with every ``{state.NAME}`` replaced by the value in ``state`` (an unknown name
    is left as written: ``drill validate`` reports it)."""
    if "{state." not in text:
        return text

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return state_value(state[name]) if name in state else match.group(0)

    return STATE_PLACEHOLDER.sub(value, text)


def texts(value: object, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string inside a model (with its pydantic-style location), in field order."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from texts(getattr(value, field), (*loc, field))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from texts(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, (*loc, key))


Location = tuple[str | int, ...]


NOT_PROSE = ("state",)
"""Top-level tables whose strings are data, never filled."""


def prose(model: BaseModel, expressions: frozenset[str] | set[str] = frozenset(),
          ) -> Iterator[tuple[Location, str]]:
    """The texts of a scenario that placeholders may appear in: every string except
    ``expressions`` (code, even when a quoted string in one looks like a placeholder) and the
    values of ``[state]``."""
    for loc, text in texts(model):
        if text not in expressions and not (loc and loc[0] in NOT_PROSE):
            yield loc, text


def placeholder_sites(model: BaseModel, expressions: frozenset[str] | set[str] = frozenset(),
                      ) -> tuple[Location, ...]:
    """Where ``model``'s texts hold placeholders: the locations a run has to fill."""
    return tuple(loc for loc, text in prose(model, expressions) if PLACEHOLDER.search(text))


def personalise(value: object, sites: tuple[Location, ...] | list[Location],
                lookup: Lookup) -> object:
    """A copy of ``value`` with the placeholders at ``sites`` filled.

    Only the objects on the way to a site are copied (``model_copy(update=...)``: the values were
    validated when the scenario loaded, and a name in a free text does not change what is valid);
    everything else is shared with the original, so a run pays for its few names, not for the
    size of the scenario.
    """
    if not sites:
        return value
    if isinstance(value, str):
        return fill(value, lookup)
    tails: dict[str | int, list[Location]] = {}
    for loc in sites:
        tails.setdefault(loc[0], []).append(loc[1:])
    if isinstance(value, BaseModel):
        return value.model_copy(update={
            field: personalise(getattr(value, field), inner, lookup)
            for field, inner in tails.items()})
    if isinstance(value, (list, tuple)):
        items = list(value)
        for index, inner in tails.items():
            items[index] = personalise(items[index], inner, lookup)  # type: ignore[index]
        return type(value)(items)
    if isinstance(value, dict):
        filled = dict(value)
        for key, inner in tails.items():
            filled[key] = personalise(filled[key], inner, lookup)
        return filled
    return value
