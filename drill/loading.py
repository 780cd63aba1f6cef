"""Loading scenario and play-script files, which are untrusted, with precise problems.

This is the shell side of loading: it reads files (carefully: a FIFO, a device, a huge or binary
file must not hang or crash it), parses TOML with ``tomllib`` (never eval, exec or pickle),
validates with the pydantic models, runs the pure checks of :mod:`drill.engine.validation`, and turns
every failure into a :class:`Problem` that names the file, the line and the field::

    scenarios/black_friday.toml:42: events[2].at: Input should be a valid number

Whatever the file holds, the public functions raise :class:`LoadError` and nothing else.
"""

from __future__ import annotations

import bisect
import difflib
import re
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path
from typing import (
    Annotated, Any, Callable, Iterable, Mapping, Sequence, TypeVar, Union, get_args, get_origin,
)

from pydantic import BaseModel, ValidationError

from . import bounded_toml
from .bounded_toml import MAX_BYTES
from .engine import formats, validation
from .engine.expressions import ExpressionError
from .engine.playscript import PlayScript
from .engine.scenario import FORMAT_VERSION, Scenario
from .engine.simulation import CompiledScenario
from .engine.text import escaped, one_line
from .storage import UnreadableFile, read_small_file, shown

MAX_PROBLEMS = 20
"""Most problems reported per file; the rest are counted ("… and 329,980 more problems")."""
INTERNAL = "internal error"
"""Prefix of the message given when a check itself fails; a bug in drill, never the file's."""

Location = validation.Location
T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as drill can."""

    file: str
    line: int | None
    column: int | None
    """Only for TOML syntax errors."""
    field: str
    """Dotted path of the field, e.g. ``events[2].at``; empty when it is about the whole file."""
    message: str
    note: bool = False
    """A note, not a problem: how drill reads a format-1 file (see ``drill.engine.formats``);
    the file is still valid."""

    def __str__(self) -> str:
        """``file:line: field: message`` on one line, safe to print: a key, an id or a path
        from a file can hold escape sequences and newlines, which show as visible escapes
        (``\\e]52;c;…``) in the file name and the field and are removed from the message."""
        head = shown(self.file)
        if self.line is not None:
            head += f":{self.line}"
            if self.column is not None:
                head += f":{self.column}"
        return ": ".join(part for part in (head, one_line(self.field), one_line(self.message))
                         if part)


class LoadError(Exception):
    """A file that cannot be used, with every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def _fail(file: str, message: str, line: int | None = None, column: int | None = None) -> LoadError:
    return LoadError([Problem(file, line, column, "", message)])


def _guarded(file: str, work: Callable[[], T]) -> T:
    """Run ``work``; any exception but LoadError becomes one, so callers only ever see LoadError."""
    try:
        return work()
    except LoadError:
        raise
    except Exception as error:  # noqa: BLE001 - the contract is "LoadError, never anything else"
        raise _fail(file, f"{INTERNAL} while checking this file "
                          f"({type(error).__name__}: {error}); please report it") from error


# -- reading ---------------------------------------------------------------------------------


def read_bytes(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a small regular file, or LoadError saying why they cannot be had.

    A FIFO, a device or a directory is refused without being opened (opening a FIFO would
    block), and at most ``limit + 1`` bytes are ever read (see :func:`storage.read_small_file`).
    """
    try:
        return read_small_file(path, limit, what="TOML file")
    except UnreadableFile as error:
        raise _fail(str(path), str(error)) from None


def read_text(path: str | Path, limit: int = MAX_BYTES) -> str:
    """The text of a small UTF-8 file, or LoadError saying why it cannot be had."""
    return decode(str(path), read_bytes(path, limit))


def decode(file: str, data: bytes) -> str:
    """Bytes to text: UTF-8 (a leading BOM is allowed), no NUL bytes."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise _fail(file, f"binary data, not TOML text (NUL byte at byte {nul})",
                    line=data.count(b"\n", 0, nul) + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _fail(file, f"not UTF-8 text: invalid byte 0x{data[error.start]:02x} at byte "
                          f"{error.start}", line=line) from None
    return text[1:] if text.startswith("\ufeff") else text


# -- TOML ------------------------------------------------------------------------------------


def parse_toml(file: str, text: str) -> dict[str, Any]:
    """TOML text to a dict within the limits of :mod:`drill.bounded_toml`, or LoadError with
    the line (and column) of the syntax error or of the limit exceeded."""
    try:
        return bounded_toml.parse(text)
    except bounded_toml.TomlRefused as refused:
        raise _fail(file, refused.message + _inline_table_hint(text, refused.line),
                    refused.line, refused.column) from None


def _inline_table_hint(text: str, line: int | None) -> str:
    """A hint for the commonest TOML mistake in scenarios: an inline table `{ ... }` split over
    lines (TOML wants it on one), whose error otherwise names a key part, not the cause."""
    if line is None:
        return ""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    here = lines[line - 1]
    if here.count("{") > here.count("}"):
        return ("; an inline table { ... } must stay on one line: write it as a table instead, "
                "e.g. [events.effects] on its own line, then one `name = value` per line")
    return ""


class _Stop(Exception):
    """The locator met something it does not understand; what it has so far still stands."""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:\\.|[^\\"\n])*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""(?:\\.|[^\\])*?"""(?!")', re.S)
_ML_LITERAL = re.compile(r"'''.*?'''(?!')", re.S)
_SCALAR = re.compile(r"[^,\]}\n#]+")
_BLANK = re.compile(r"(?:[ \t\r]|#[^\n]*)*")
_BLANK_LINES = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")


class TomlLocator:
    """Maps a location like ``("events", 2, "at")`` to its line in a TOML text.

    It follows ``[table]`` and ``[[array.of.tables]]`` headers (counting the elements of each
    array), ``key = value`` lines with dotted or quoted keys, and the elements and keys of arrays
    and inline tables.  A location missing from the file (a required key left out) gets the line
    of its closest present parent, e.g. its ``[[events]]`` header.  It reads valid TOML only (the
    text has already been parsed) and never fails: on anything odd it keeps what it has.

    It also keeps where each value, key and table header sits in the text (``text[start:end]``),
    so that ``drill upgrade`` can rewrite one value and leave every comment and space as it was.
    """

    def __init__(self, text: str, until: Location | None = None) -> None:
        """Scan ``text``; with ``until``, stop as soon as that location's line is known (the
        one line wanted for a problem, without reading the rest of a big file)."""
        self.text = text
        self.pos = 0
        self.lines: dict[Location, int] = {}
        self.value_spans: dict[Location, tuple[int, int]] = {}
        """Where each value is: a string with its quotes, an array or inline table whole."""
        self.key_spans: dict[Location, tuple[int, int]] = {}
        """Where the last part of each key of a ``key = value`` pair is, quotes included."""
        self.header_spans: dict[Location, tuple[int, int]] = {}
        """Where each ``[table]`` or ``[[array]]`` header is, brackets included."""
        self._last_key = (0, 0)
        self._until = until
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._arrays: dict[Location, int] = {}
        try:
            self._document()
        except (_Stop, IndexError, RecursionError, ValueError):
            pass

    def line_for(self, loc: Iterable[str | int]) -> int | None:
        """The line of ``loc``, else of its closest parent in the file, else None."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    # -- scanning

    def _line(self, pos: int) -> int:
        return bisect.bisect_right(self._starts, pos)

    def _note(self, path: Location, pos: int) -> None:
        line = self._line(pos)
        for size in range(1, len(path) + 1):
            self.lines.setdefault(path[:size], line)
        if self._until is not None and self._until in self.lines:
            raise _Stop

    def _skip(self, pattern: re.Pattern[str]) -> None:
        self.pos = pattern.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def _expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            raise _Stop
        self.pos += len(token)

    def _document(self) -> None:
        table: Location = ()
        text = self.text
        while True:
            self._skip(_BLANK_LINES)
            if self.pos >= len(text):
                return
            start = self.pos
            if text.startswith("[[", start):
                self.pos += 2
                keys = self._keys()
                self._expect("]]")
                array = self._resolve(keys[:-1]) + (keys[-1],)
                index = self._arrays.get(array, -1) + 1
                self._arrays[array] = index
                table = (*array, index)
                self.header_spans[table] = (start, self.pos)
                self._note(table, start)
            elif text[start] == "[":
                self.pos += 1
                keys = self._keys()
                self._expect("]")
                table = self._resolve(keys)
                self.header_spans[table] = (start, self.pos)
                self._note(table, start)
            else:
                keys = self._keys()
                self._expect("=")
                self._skip(_BLANK)
                path = table + keys
                self.key_spans[path] = self._last_key
                self._note(path, start)
                self._value(path, 0)
            self._skip(_BLANK)

    def _resolve(self, keys: Location) -> Location:
        """A header's keys to a path, through the current element of each array of tables."""
        path: Location = ()
        for key in keys:
            path = (*path, key)
            if path in self._arrays:
                path = (*path, self._arrays[path])
        return path

    def _keys(self) -> Location:
        parts: list[str] = []
        text = self.text
        while True:
            self._skip(_BLANK)
            quote = text[self.pos]
            if quote in "\"'":
                found = (_BASIC if quote == '"' else _LITERAL).match(text, self.pos)
                if not found:
                    raise _Stop
                parts.append(_unquote(found.group()))
            else:
                found = _BARE_KEY.match(text, self.pos)
                if not found:
                    raise _Stop
                parts.append(found.group())
            self._last_key = (found.start(), found.end())
            self.pos = found.end()
            self._skip(_BLANK)
            if not text.startswith(".", self.pos):
                return tuple(parts)
            self.pos += 1

    def _value(self, path: Location, depth: int) -> None:
        start = self.pos
        self._scan_value(path, depth)
        end = self.pos
        while end > start and self.text[end - 1] in " \t\r":
            end -= 1  # a bare value's scan takes the spaces before a comment
        self.value_spans[path] = (start, end)

    def _scan_value(self, path: Location, depth: int) -> None:
        if depth > bounded_toml.MAX_NESTING:
            raise _Stop
        text = self.text
        first = text[self.pos]
        if first in "\"'":
            triple = first * 3
            if text.startswith(triple, self.pos):
                pattern = _ML_BASIC if first == '"' else _ML_LITERAL
            else:
                pattern = _BASIC if first == '"' else _LITERAL
            found = pattern.match(text, self.pos)
            if not found:
                raise _Stop
            self.pos = found.end()
        elif first == "[":
            self.pos += 1
            index = 0
            while True:
                self._skip(_BLANK_LINES)
                if text.startswith("]", self.pos):
                    self.pos += 1
                    return
                self._note((*path, index), self.pos)
                self._value((*path, index), depth + 1)
                self._skip(_BLANK_LINES)
                if text.startswith(",", self.pos):
                    self.pos += 1
                    index += 1
                    continue
                self._expect("]")
                return
        elif first == "{":
            self.pos += 1
            while True:
                self._skip(_BLANK_LINES)
                if text.startswith("}", self.pos):
                    self.pos += 1
                    return
                start = self.pos
                keys = self._keys()
                self._expect("=")
                self._skip(_BLANK)
                self.key_spans[path + keys] = self._last_key
                self._note(path + keys, start)
                self._value(path + keys, depth + 1)
                self._skip(_BLANK_LINES)
                if text.startswith(",", self.pos):
                    self.pos += 1
                    continue
                self._expect("}")
                return
        else:
            found = _SCALAR.match(text, self.pos)
            if not found:
                raise _Stop
            self.pos = found.end()


def _unquote(quoted: str) -> str:
    if quoted.startswith("'"):
        return quoted[1:-1]
    try:
        return str(tomllib.loads(f"k = {quoted}")["k"])
    except (tomllib.TOMLDecodeError, ValueError):
        return quoted[1:-1]


def dotted(loc: Iterable[str | int]) -> str:
    """``("events", 2, "at")`` -> ``events[2].at``; each key quoted visibly and cut short
    (:func:`~drill.engine.text.escaped`), since keys come from the file."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = escaped(str(part))
            text += f".{key}" if text else key
    return text


# -- validation errors -----------------------------------------------------------------------

_WANTED = {
    "bool": "true or false", "int": "an integer", "float": "a number", "string": "a string",
    "datetime": "a date-time", "list": "an array", "dict": "a table", "model": "a table",
    "tuple": "an array",
}


def _toml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _clean_loc(loc: Sequence[str | int], data: object, error_type: str) -> Location:
    """Drop pydantic's own labels (union members, tags) from a loc, keeping only file keys.

    A part absent from the data is a label, except the last part of a `missing` error, which is
    the key the file left out.
    """
    node, out = data, []
    for i, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif i == len(loc) - 1 and error_type == "missing":
            out.append(part)
    return tuple(out)


def _value_at(data: object, loc: Location) -> object:
    node = data
    for part in loc:
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _alternatives(annotation: Any) -> list[Any]:
    """The types an annotation may hold, through ``Annotated`` and unions."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _alternatives(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [alt for arg in get_args(annotation) for alt in _alternatives(arg)]
    return [annotation]


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _known_keys(model: type[BaseModel], loc: Location) -> list[str]:
    """The keys the format accepts at a location, to suggest one for a typo."""
    current: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for candidate in (alt for item in current for alt in _alternatives(item)):
            args = get_args(candidate)
            if _is_model(candidate) and isinstance(part, str) and part in candidate.model_fields:
                following.append(candidate.model_fields[part].annotation)
            elif get_origin(candidate) in (list, tuple) and isinstance(part, int) and args:
                following.append(args[0])
            elif get_origin(candidate) is dict and isinstance(part, str) and len(args) == 2:
                following.append(args[1])
        current = following
    keys = [key for item in current for alt in _alternatives(item) if _is_model(alt)
            for key in alt.model_fields]
    return list(dict.fromkeys(keys))


def _one_message(error: Mapping[str, Any], loc: Location, model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1]) if loc else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1) if known else []
        if close:
            return f"unknown key (did you mean {close[0]!r}?)"
        return f"unknown key; known keys: {', '.join(known)}" if known else "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    return message


def _group_message(errors: list[Mapping[str, Any]], loc: Location, data: object,
                   model: type[BaseModel]) -> str:
    """One message for all the errors pydantic gives at one place (one per union member)."""
    kept = [e for e in errors if e["type"] != "none_required"] or errors
    type_errors = [e for e in kept if str(e["type"]).endswith(("_type", "_parsing"))]
    others = [e for e in kept if e not in type_errors]
    if others:
        return "; ".join(dict.fromkeys(_one_message(e, loc, model) for e in others))
    if len(type_errors) > 1:
        wanted = list(dict.fromkeys(
            _WANTED.get(str(e["type"]).rsplit("_", 1)[0], str(e["type"])) for e in type_errors
        ))
        said = ", ".join(wanted[:-1]) + " or " + wanted[-1] if len(wanted) > 1 else wanted[0]
        return f"expected {said}, got {_toml_kind(_value_at(data, loc))}"
    return _one_message(kept[0], loc, model)


def validation_problems(file: str, text: str, data: object, error: ValidationError,
                        model: type[BaseModel]) -> list[Problem]:
    """Pydantic errors as problems located at the line of the field in the TOML text."""
    grouped: dict[Location, list[Mapping[str, Any]]] = {}
    for item in error.errors(include_url=False, include_input=False):
        loc = _clean_loc(item["loc"], data, item["type"])
        grouped.setdefault(loc, []).append(item)
    locator = TomlLocator(text)
    located = _in_file_order([(locator.line_for(loc), loc) for loc in grouped])
    # Messages only for the problems shown: suggesting a key for a typo is not free.
    problems = [Problem(file, line, None, dotted(loc), _group_message(grouped[loc], loc, data, model))
                for line, loc in located[:MAX_PROBLEMS]]
    return problems + _more_problems(file, len(located))


def finding_problems(file: str, text: str, findings: Iterable[validation.ValidationFinding],
                     note: bool = False) -> list[Problem]:
    """Findings of :mod:`drill.engine.validation` as problems located in the TOML text (as
    notes with ``note``)."""
    locator = TomlLocator(text)
    located = _in_file_order([(locator.line_for(f.loc), f) for f in findings])
    problems = [Problem(file, line, None, dotted(f.loc), f.message, note)
                for line, f in located[:MAX_PROBLEMS]]
    return problems + _more_problems(file, len(located), note)


def _in_file_order(located: list[tuple[int | None, T]]) -> list[tuple[int | None, T]]:
    return sorted(located, key=lambda item: (item[0] is None, item[0] or 0))


def _more_problems(file: str, found: int, note: bool = False) -> list[Problem]:
    """The line that counts the problems (or notes) left out past :data:`MAX_PROBLEMS`, if
    any."""
    more = found - MAX_PROBLEMS
    if more <= 0:
        return []
    what = "note" if note else "problem"
    return [Problem(file, None, None, "", f"… and {more:,} more {what}{'s' * (more != 1)}",
                    note)]


# -- the public API --------------------------------------------------------------------------


def _model_from(file: str, text: str, data: dict[str, Any], model: type[T]) -> T:
    too_big = bounded_toml.oversized(data)
    if too_big is not None:
        # Refused before validation, whose work grows with every element.
        loc, message = too_big
        line = TomlLocator(text, until=loc).line_for(loc) if loc else None
        raise LoadError([Problem(file, line, None, dotted(loc), message)])
    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        problems = validation_problems(file, text, data, error, model)  # type: ignore[arg-type]
        raise LoadError(problems) from None
    except RecursionError:
        raise _fail(file, "nested too deeply to check") from None


def _check_format(file: str, text: str, data: dict[str, Any]) -> None:
    """Refuse, before anything else, a file written for a newer format than this drill's."""
    declared = formats.declared_format(data)
    if isinstance(declared, int) and not isinstance(declared, bool) \
            and declared > FORMAT_VERSION:
        loc = ("meta", "format")
        line = TomlLocator(text, until=loc).line_for(loc)
        raise LoadError([Problem(file, line, None, dotted(loc), (
            f"format {declared} is newer than this drill knows (it reads formats 1 to "
            f"{FORMAT_VERSION}): upgrade drill to play this file"))])


@dataclass(frozen=True)
class ScenarioReading:
    """A scenario file's model as today's engine reads it, and how it was read."""

    scenario: Scenario
    """The model: for a format-1 file, with the edits applied."""
    declared: int
    """The format the file declares (1 when it declares none)."""
    changes: tuple[formats.FormatChange, ...] = ()
    """What format 2 reads differently in a format-1 file."""
    edits: tuple[formats.Edit, ...] = ()
    """The rewrites that keep a format-1 file meaning what it meant (``drill upgrade`` writes
    them)."""

    def notes(self, file: str, text: str, rewritten_only: bool = False) -> list[Problem]:
        """The changes as notes located in the file's text (only those drill rewrites, with
        ``rewritten_only``: they explain a name an error may quote)."""
        findings = [validation.ValidationFinding(c.loc, c.message) for c in self.changes
                    if c.rewritten or not rewritten_only]
        return finding_problems(file, text, findings, note=True)


def read_scenario(file: str, text: str, data: dict[str, Any]) -> ScenarioReading:
    """The scenario model of a parsed file as today's engine must read it; raise LoadError
    when the file is not a scenario (its semantic checks are left to the caller).

    A format-1 file gets the edits of :func:`drill.engine.formats.read_format_1` applied to its
    data first, so that it plays as it was meant; a file of a newer format than this drill's is
    refused."""
    _check_format(file, text, data)
    scenario = _model_from(file, text, data, Scenario)
    if scenario.meta.format >= FORMAT_VERSION:
        return ScenarioReading(scenario, scenario.meta.format)
    found = formats.read_format_1(scenario)
    if found.edits:
        scenario = _model_from(file, text, formats.apply_edits(data, found.edits), Scenario)
    return ScenarioReading(scenario, 1, found.changes, found.edits)


def _scenario(
    file: str, text: str, data: dict[str, Any], full: bool
) -> tuple[Scenario, CompiledScenario, list[Problem]]:
    """The scenario of a parsed file, compiled, and its problems (with ``full``, what can
    never happen, and the notes on a format-1 file); raise LoadError when it cannot load."""
    reading = read_scenario(file, text, data)
    scenario = reading.scenario
    errors = validation.check_scenario(scenario)
    if errors:
        # With the renames drill made: an error may quote a name the file does not spell so.
        raise LoadError(finding_problems(file, text, errors)
                        + reading.notes(file, text, rewritten_only=True))
    try:
        compiled = CompiledScenario.build(scenario)
    except ExpressionError as error:  # the checks should have caught it; never let it escape
        raise _fail(file, f"an expression does not compile: {error}") from None
    if not full:
        return scenario, compiled, []
    notes = reading.notes(file, text)
    lints = finding_problems(file, text, validation.check_reachability(scenario))
    # One list in file order; the line counting what was left out stays last.
    return scenario, compiled, sorted(lints + notes, key=lambda p: (p.line is None, p.line or 0))


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse, validate and type-check a scenario file.

    Raises :class:`LoadError` (and nothing else) listing every problem with file, line and
    field.  What can merely never happen (see ``drill validate``) does not stop it loading.
    """
    return load_playable(path)[0]


def load_playable(path: str | Path) -> tuple[Scenario, CompiledScenario, bytes]:
    """A scenario file loaded as :func:`load_scenario` does, compiled, with the exact bytes it
    was read from (a save keeps their hash: the file is read once, so what is hashed is what
    is played).  Raises :class:`LoadError` and nothing else."""
    file = str(path)

    def work() -> tuple[Scenario, CompiledScenario, bytes]:
        data = read_bytes(path)
        text = decode(file, data)
        scenario, compiled, _ = _scenario(file, text, parse_toml(file, text), full=False)
        return scenario, compiled, data

    return _guarded(file, work)


def load_playscript(path: str | Path, scenario: Scenario | None = None) -> PlayScript:
    """Read, parse and validate a play script; raise :class:`LoadError` on any problem.

    With ``scenario``, the script is also checked against it (unknown actions, people,
    milestones, a script written for another scenario), with the script's lines.
    """
    file = str(path)

    def work() -> PlayScript:
        text = read_text(path)
        script = _model_from(file, text, parse_toml(file, text), PlayScript)
        findings = (validation.check_playscript(script, scenario) if scenario is not None
                    else validation.check_step_order(script))
        problems = finding_problems(file, text, findings)
        if problems:
            raise LoadError(problems)
        return script

    return _guarded(file, work)


def check_playscript(script: PlayScript, scenario: Scenario,
                     path: str | Path | None = None) -> list[Problem]:
    """Problems of a play script against its scenario: unknown actions, people, milestones.

    With ``path`` (the script's file) problems carry its name and line numbers.
    """
    file = str(path) if path is not None else "<play script>"
    text = ""
    if path is not None:
        try:
            text = read_text(path)
        except LoadError:
            text = ""
    return _guarded(file, lambda: finding_problems(file, text,
                                                   validation.check_playscript(script, scenario)))


def _catalog_scenario(scenario_id: str) -> Scenario | None:
    """A scenario drill can find by id (bundled, or in ./scenarios), for checking a play script
    given on its own; None when there is none or it does not load."""
    if not scenario_id:
        return None
    from .catalog import ScenarioSource, UnknownScenario

    try:
        return ScenarioSource.open(scenario_id).scenario
    except (UnknownScenario, LoadError, OSError, ValueError):
        return None


def is_playscript(data: Mapping[str, Any]) -> bool:
    """Whether parsed TOML data is a play script (``steps`` and no ``[meta]``), not a scenario."""
    return "steps" in data and "meta" not in data


def validate_paths(paths: Sequence[str | Path]) -> list[Problem]:
    """Every problem in the given scenario (or play-script) files; empty when all are valid.

    Scenarios get every check, including what can never happen.  A file with ``steps`` and no
    ``[meta]`` is taken as a play script, and checked against a scenario given alongside it
    whose id matches its ``scenario``.  The notes on format-1 files are left out (see
    :func:`validate_files`).
    """
    return [problem for problem in validate_files(paths) if not problem.note]


def validate_files(paths: Sequence[str | Path]) -> list[Problem]:
    """What :func:`validate_paths` finds, with the notes on how each format-1 scenario is read
    (problems with ``note`` set: the file is still valid)."""
    problems: list[Problem] = []
    scenarios: dict[str, Scenario] = {}
    scripts: list[tuple[str, str, dict[str, Any]]] = []
    for path in paths:
        file = str(path)

        def work() -> None:
            text = read_text(path)
            data = parse_toml(file, text)
            if is_playscript(data):
                scripts.append((file, text, data))
                return
            scenario, _, lints = _scenario(file, text, data, full=True)
            problems.extend(lints)
            scenarios.setdefault(scenario.meta.id, scenario)

        try:
            _guarded(file, work)
        except LoadError as error:
            problems.extend(error.problems)
    for file, text, data in scripts:
        def check_script() -> None:
            script = _model_from(file, text, data, PlayScript)
            scenario = scenarios.get(script.scenario) or _catalog_scenario(script.scenario)
            if scenario is not None:
                findings = validation.check_playscript(script, scenario)
            else:
                # Never "ok" for ids nobody checked: say which scenario it needs.
                findings = [*validation.check_step_order(script), validation.ValidationFinding(
                    ("scenario",), f"written for {script.scenario!r}, which drill cannot find: "
                                   "give the scenario's file alongside to check its ids"
                    if script.scenario else "names no scenario (`scenario = \"ID\"`): give "
                                            "the scenario's file alongside to check its ids")]
            problems.extend(finding_problems(file, text, findings))

        try:
            _guarded(file, check_script)
        except LoadError as error:
            problems.extend(error.problems)
    return problems
